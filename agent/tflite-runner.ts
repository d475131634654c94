import { statsOfJobModel } from '../src/measure/model-of-job.ts';
import type { ModelStats } from '../src/export/model-stats.ts';
import { loadRuntimeModel, RUNTIME_THREADS, runtimeVersion, startRuntime, wasmHeapBytes } from '../src/export/tflite-runtime.ts';
import type { RuntimeModel } from '../src/export/tflite-runtime.ts';
import { summariseRuns } from '../src/measure/latency-summary.ts';
import type { FailureReason, Measurement, MeasureSettings, Provenance, Runner } from '../src/measure/measurement.ts';
import { Prng } from '../src/util/prng.ts';

/**
 * Measures on the machine the agent runs on (a Linux board such as a Raspberry Pi, or this computer) with the
 * reference TFLite runtime (tfjs-tflite, XNNPACK). The model is a file there, so there is no flash budget:
 * `flash_bytes` is the model's size.
 */

export interface TfliteRunnerOptions {
  /** Board name in the agent's registry. */
  name: string;
  /** Board profile id. */
  profile: string;
  agent?: string;
  now?: () => Date;
}

/** Value ranges inputs are drawn from, per tensor type; float inputs use the calibration range when recorded. */
const INTEGER_RANGES: Record<string, [number, number]> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
};
const DEFAULT_FLOAT_RANGE: [number, number] = [-1, 1];

/** The runtime's messages for a model it can read but lacks a kernel for. */
const UNSUPPORTED_OPERATOR = /didn't find op|unsupported (custom )?op|not supported|unresolved custom op/i;

/** One input per model input, zeros or seeded uniform values in the input's range (integers for integer types). */
export function makeInputs(inputs: ModelStats['inputs'], settings: MeasureSettings): number[][] {
  const rng = new Prng(settings.seed);
  return inputs.map((input) => {
    const size = input.shape.reduce((a, d) => a * Math.max(d, 1), 1);
    if (settings.inputPolicy === 'zeros') return new Array<number>(size).fill(0);
    const integer = INTEGER_RANGES[input.type];
    if (integer) {
      const [lo, hi] = integer;
      return Array.from({ length: size }, () => lo + Math.floor(rng.next() * (hi - lo + 1)));
    }
    const [lo, hi] = input.quant?.min.length && input.quant.max.length ? [input.quant.min[0], input.quant.max[0]] : DEFAULT_FLOAT_RANGE;
    return Array.from({ length: size }, () => lo + rng.next() * (hi - lo));
  });
}

export class TfliteRunner implements Runner {
  readonly profile: string;
  private runtimeStarted = false;

  constructor(private readonly opts: TfliteRunnerOptions) {
    this.profile = opts.profile;
  }

  async measure(model: Uint8Array, settings: MeasureSettings): Promise<Measurement> {
    const provenance = this.provenance(settings);
    const fail = (reason: FailureReason, message: string): Measurement => ({ ok: false, reason, message, provenance });

    const read = statsOfJobModel(model);
    if ('invalid' in read) return fail('invalid_model', read.invalid);
    const { stats } = read;
    // Its one-off start would otherwise count towards the first model's footprint.
    if (!this.runtimeStarted) await startRuntime();
    this.runtimeStarted = true;

    // Approximate, like TFLite's benchmark tool's "memory footprint delta": what loading the model and its
    // warm-ups added to the process (resident memory, or the growth of the runtime's wasm heap, whichever is
    // larger, since touched heap pages are resident too). Heap freed by earlier models is reused without growing
    // anything, and the garbage collector moves the resident size, so this is a rough footprint, not an arena.
    const rssBefore = process.memoryUsage().rss;
    const heapBefore = wasmHeapBytes();
    let runtime: RuntimeModel;
    try {
      runtime = await loadRuntimeModel(model);
    } catch (err) {
      const message = (err as Error).message;
      return fail(UNSUPPORTED_OPERATOR.test(message) ? 'unsupported_operator' : 'invalid_model', message);
    }
    try {
      const inputs = makeInputs(stats.inputs, settings);
      for (let i = 0; i < settings.warmupRuns; i++) runtime.run(inputs);
      const footprint = Math.max(process.memoryUsage().rss - rssBefore, wasmHeapBytes() - heapBefore, 0);
      const runs: number[] = [];
      for (let i = 0; i < Math.max(settings.timedRuns, 1); i++) {
        const start = process.hrtime.bigint();
        runtime.run(inputs);
        runs.push(Number(process.hrtime.bigint() - start) / 1e6);
      }
      return {
        ok: true,
        latency: summariseRuns(runs),
        arena: { bytes: footprint },
        flash_bytes: model.length,
        macs: stats.totals.macs,
        params: stats.totals.params,
        provenance,
      };
    } catch (err) {
      return fail('board_error', (err as Error).message);
    } finally {
      runtime.dispose();
    }
  }

  private provenance(settings: MeasureSettings): Provenance {
    return {
      board: this.opts.name,
      profile: this.opts.profile,
      agent: this.opts.agent ?? 'local',
      firmware: `node ${process.versions.node}`,
      runtime: `tfjs-tflite ${runtimeVersion()} (XNNPACK, ${RUNTIME_THREADS} thread${RUNTIME_THREADS === 1 ? '' : 's'})`,
      simulated: false,
      settings,
      time: (this.opts.now ?? (() => new Date()))().toISOString(),
    };
  }
}
