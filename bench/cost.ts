/**
 * Cost-model throughput: sample N configs, realise each into a NetGraph and count its costs.
 * Baseline in the same run: the closed-form formulas of the reference (no NetGraph), so the ratio shows what
 * the one-description design costs. Usage: npx tsx bench/cost.ts [--n 100000] [--json]
 */
import { networkCost } from '../src/graph/cost.ts';
import { peakActivationBytes } from '../src/graph/memory.ts';
import { loadSpace } from '../src/space/load-space.ts';
import { realise } from '../src/space/realise.ts';
import { sampleConfigs } from '../src/space/sample.ts';
import { closedFormCost } from '../test/graph/closed-form.ts';

const args = process.argv.slice(2);
const n = Number(args[args.indexOf('--n') + 1]) || 100_000;
const json = args.includes('--json');

const space = loadSpace('mobilenetv3', { lr: 128, ur: 224 });

function time(label: string, count: number, fn: () => number): { label: string; perSecond: number; checksum: number } {
  fn(); // warm-up pass so the JIT has compiled the hot paths
  const start = process.hrtime.bigint();
  const checksum = fn();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { label, perSecond: count / seconds, checksum };
}

const configs = sampleConfigs(space, n, 1);
const results = [
  time('sample configs', n, () => sampleConfigs(space, n, 2).length),
  time('closed-form cost (baseline)', n, () => configs.reduce((s, c) => s + closedFormCost(c, c.r!, 1000).macs, 0)),
  time('realise + cost', n, () => configs.reduce((s, c) => s + networkCost(realise(space, c, { classes: 1000 })).macs, 0)),
  time('realise + cost + sample', n, () => sampleConfigs(space, n, 3).reduce((s, c) => s + networkCost(realise(space, c, { classes: 1000 })).macs, 0)),
  time('realise + int8 arena plan', n / 10, () => configs.slice(0, n / 10).reduce((s, c) => s + peakActivationBytes(realise(space, c, { classes: 1000 })), 0)),
];
const baseline = results[1].perSecond;
if (json) {
  console.log(JSON.stringify({ n, results: results.map((r) => ({ label: r.label, per_second: Math.round(r.perSecond), ratio_to_baseline: r.perSecond / baseline })) }));
} else {
  console.log(`cost model, ${n} configs of ${space.name} (r ${space.lr}..${space.ur}), node ${process.version}`);
  for (const r of results) {
    console.log(`${r.label.padEnd(30)} ${Math.round(r.perSecond).toLocaleString('en-US').padStart(12)} nets/s   ${(r.perSecond / baseline).toFixed(2)}x baseline`);
  }
}
