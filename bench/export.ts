/**
 * TFLite export and reading speed on the extreme subnets of the default space (OFA MobileNetV3 w1.0, 224 px,
 * 1000 classes): float32 export, int8 export from precomputed calibration ranges (calibration itself is
 * excluded: it runs the float model and scales with the calibration set), and reading + analysing the
 * exported files. Baseline in the same run: JSON.stringify of the same weights, the cheapest other way to
 * serialise them. Targets: largest int8 export < 1 s, reading < 50 ms.
 * Usage: npx tsx bench/export.ts [--runs 5] [--json]
 */
import { paramLayout } from '../src/nn/model/params.ts';
import { calibrationRanges, exportTflite } from '../src/export/export-model.ts';
import { modelStats } from '../src/export/model-stats.ts';
import { readTflite } from '../src/export/reader.ts';
import type { NetGraph } from '../src/graph/types.ts';
import { loadSpace } from '../src/space/load-space.ts';
import { realise } from '../src/space/realise.ts';
import { Prng } from '../src/util/prng.ts';

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 5;
const json = args.includes('--json');

const space = loadSpace('mobilenetv3');
const nets = {
  largest: { ks: new Array(20).fill(7), e: new Array(20).fill(6), d: [4, 4, 4, 4, 4] },
  smallest: { ks: new Array(10).fill(3), e: new Array(10).fill(3), d: [2, 2, 2, 2, 2] },
};

function weightsFor(graph: NetGraph): Map<string, Float32Array> {
  const rng = new Prng(1);
  return new Map(paramLayout(graph).map((s) => [s.name, Float32Array.from({ length: s.shape.reduce((a, b) => a * b, 1) }, () => (s.role === 'bn.running_var' ? 1 : 0.1 * rng.normal()))]));
}

/** Median wall time in ms over `runs` calls, after one warm-up call. */
function median(fn: () => unknown): number {
  fn();
  const times = Array.from({ length: runs }, () => {
    const start = performance.now();
    fn();
    return performance.now() - start;
  });
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)];
}

const rows: { net: string; step: string; ms: number; bytes?: number }[] = [];
for (const [name, config] of Object.entries(nets)) {
  const graph = realise(space, config, { resolution: 224, classes: 1000 });
  const weights = weightsFor(graph);
  const rng = new Prng(2);
  const ranges = calibrationRanges(graph, weights, Float32Array.from({ length: 224 * 224 * 3 }, () => rng.normal()));
  const float = exportTflite(graph, weights);
  const int8 = exportTflite(graph, weights, { int8: { ranges, io: 'int8' } });
  rows.push(
    { net: name, step: 'JSON.stringify weights (baseline)', ms: median(() => JSON.stringify(Object.fromEntries([...weights].map(([k, v]) => [k, Array.from(v)])))) },
    { net: name, step: 'export float32', ms: median(() => exportTflite(graph, weights)), bytes: float.length },
    { net: name, step: 'export int8', ms: median(() => exportTflite(graph, weights, { int8: { ranges, io: 'int8' } })), bytes: int8.length },
    { net: name, step: 'read + analyse float32', ms: median(() => modelStats(readTflite(float))) },
    { net: name, step: 'read + analyse int8', ms: median(() => modelStats(readTflite(int8))) },
  );
}

if (json) {
  console.log(JSON.stringify({ runs, rows }));
} else {
  console.log(`TFLite export, ${space.name} w1.0 at 224 px, 1000 classes, median of ${runs}, node ${process.version}`);
  for (const r of rows) {
    const baseline = rows.find((b) => b.net === r.net)!.ms;
    const size = r.bytes === undefined ? '' : `${(r.bytes / 1e6).toFixed(2)} MB`;
    console.log(`${r.net.padEnd(9)} ${r.step.padEnd(34)} ${r.ms.toFixed(1).padStart(8)} ms  ${(r.ms / baseline).toFixed(2).padStart(5)}x baseline  ${size}`);
  }
  const largest = (step: string) => rows.find((r) => r.net === 'largest' && r.step === step)!.ms;
  console.log(`targets: largest int8 export ${largest('export int8').toFixed(0)} ms (< 1000), reading ${largest('read + analyse int8').toFixed(1)} ms (< 50)`);
}
