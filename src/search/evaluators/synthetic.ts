import { setTimeout as sleep } from 'node:timers/promises';
import { networkCost } from '../../graph/cost.ts';
import { avgMacs, exitCosts } from '../../graph/exit-cost.ts';
import { canonicalGenes, encodeConfig, geneUpperBounds } from '../../space/encoding.ts';
import { realise } from '../../space/realise.ts';
import { Prng } from '../../util/prng.ts';
import { AnalyticEvaluator, COST_KEYS } from './analytic.ts';
import type { SubnetConfig } from '../../space/config.ts';
import type { SearchSpace } from '../../space/definition.ts';
import type { EvalOutcome, EvalRequest } from '../evaluator.ts';
import type { CostSettings } from './analytic.ts';

/** Fixed, so that the test problem is the same function in every run and on every machine. */
const PROBLEM_SEED = 20240611;
const RIPPLES = 6;

/**
 * A deterministic stand-in for training, so that the whole loop can be tested and benchmarked in seconds.
 *
 * top1 (error %) = 40 - 22 * sqrt(c) + 3 * mean_k sin(2 pi (w_k . u) + phi_k) [+ early-exit penalty], where
 * c in [0, 1] is the network's log-MACs placed between the space's smallest network at its lowest resolution
 * and its largest at the highest, and u the canonical genes scaled to [0, 1]. So error falls smoothly with
 * capacity (a real trade-off against MACs) while the ripples make it multimodal. Early-exit spaces get exit
 * ratios from the thresholds or flags (lower thresholds and later exits take more samples), an `avg_macs`
 * from the cost model, and an error penalty for samples that leave early. `robustness` (FlatNAS's accuracy drop
 * under weight noise, in points) = 2 + 6 (1 - c)^1.5 + 0.5 * mean_k sin(...) over another set of ripples: small
 * networks are less robust, with its own multimodality, so top1_robust is a different landscape than top1.
 */
export class SyntheticEvaluator extends AnalyticEvaluator {
  override readonly name = 'synthetic';
  override readonly keys: readonly string[];
  private readonly directions: Float64Array[];
  private readonly phases: number[];
  private readonly upper: number[];
  private readonly logMacsMin: number;
  private readonly logMacsMax: number;

  constructor(
    space: SearchSpace,
    settings: CostSettings,
    private readonly delayMs = 0,
  ) {
    super(space, settings);
    this.keys = space.exitKind === 'none' ? ['top1', 'robustness', ...COST_KEYS] : ['top1', 'robustness', 'avg_macs', 'exits_ratio', ...COST_KEYS];
    this.upper = geneUpperBounds(space);
    const rng = new Prng(PROBLEM_SEED);
    this.directions = Array.from({ length: 2 * RIPPLES }, () => Float64Array.from(this.upper, () => 3 * (rng.next() - 0.5)));
    this.phases = Array.from({ length: 2 * RIPPLES }, () => 2 * Math.PI * rng.next());
    const uniform = (k: number, e: number, d: number, r: number): number => {
      const n = d * space.nStages;
      const config = { ks: new Array<number>(n).fill(k), e: new Array<number>(n).fill(e), d: new Array<number>(space.nStages).fill(d), r };
      return Math.log(networkCost(realise(space, config, { classes: settings.classes })).macs);
    };
    this.logMacsMin = uniform(space.kernels[0], space.expands[0], space.depths[0], space.lr);
    this.logMacsMax = uniform(space.kernels.at(-1)!, space.expands.at(-1)!, space.depths.at(-1)!, space.ur);
  }

  /** Share of samples leaving at each exit (the last entry is the final exit). */
  private exitRatios(config: SubnetConfig): number[] {
    const n = this.space.nStages;
    const leave = config.t
      ? config.t.map((t, j) => (t === 1 ? 0 : (t <= 0.1 ? 0.35 : 0.2) * (0.5 + (0.5 * (j + 1)) / n)))
      : (config.b ?? []).map((b, j) => (b === 1 ? (0.25 * (j + 1)) / this.space.nBoundaries : 0));
    const ratios: number[] = [];
    let remaining = 1;
    leave.forEach((p, j) => {
      if ((config.t && config.t[j] !== 1) || (config.b && config.b[j] === 1)) {
        ratios.push(remaining * p);
        remaining -= remaining * p;
      }
    });
    ratios.push(remaining);
    return ratios;
  }

  protected override statsOf(config: SubnetConfig): Record<string, unknown> {
    const graph = realise(this.space, config, { resolution: this.settings.resolution, classes: this.settings.classes });
    const capacity = (Math.log(networkCost(graph).macs) - this.logMacsMin) / (this.logMacsMax - this.logMacsMin);
    const u = canonicalGenes(this.space, encodeConfig(this.space, config)).map((g, i) => (this.upper[i] === 0 ? 0 : g / this.upper[i]));
    const ripples = this.directions.map((w, k) => {
      let dot = 0;
      for (let i = 0; i < u.length; i++) dot += w[i] * u[i];
      return Math.sin(2 * Math.PI * dot + this.phases[k]);
    });
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    const c = Math.min(Math.max(capacity, 0), 1);
    let top1 = 40 - 22 * Math.sqrt(c) + 3 * mean(ripples.slice(0, RIPPLES));
    const robustness = Math.max(0, 2 + 6 * (1 - c) ** 1.5 + 0.5 * mean(ripples.slice(RIPPLES)));
    const stats: Record<string, unknown> = {};
    if (this.space.exitKind !== 'none') {
      const ratios = this.exitRatios(config);
      graph.exits.forEach((exit, i) => {
        if (!exit.final) top1 += 12 * ratios[i] * (1 - (exit.afterStage + 1) / this.space.nStages);
      });
      stats.exits_ratio = ratios;
      stats.avg_macs = Math.round(avgMacs(exitCosts(graph), ratios) / 1e4) / 100;
    }
    return { top1: Math.round(top1 * 100) / 100, robustness: Math.round(robustness * 100) / 100, ...stats, ...super.statsOf(config), source: 'synthetic' };
  }

  override async evaluate(requests: readonly EvalRequest[], onDone?: (index: number, outcome: EvalOutcome) => void): Promise<EvalOutcome[]> {
    const outcomes: EvalOutcome[] = [];
    for (const [i, request] of requests.entries()) {
      if (this.delayMs > 0) await sleep(this.delayMs);
      const [outcome] = await super.evaluate([request]);
      outcomes.push(outcome);
      onDone?.(i, outcome);
    }
    return outcomes;
  }
}
