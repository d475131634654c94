/**
 * The Stage 5 acceptance check at full size: for 21 sampled configs of the three spaces (width 0.35,
 * several resolutions) the exported float model runs in the reference TFLite runtime (tfjs-tflite) and is
 * compared with the TF.js model; for 6 of them the int8 model's top-1 is compared with the float model's on
 * 256 inputs. The tests run a reduced version. Baseline: the TF.js model itself (relative error 0 by definition).
 * Usage: npx tsx bench/export-verify.ts
 */
import { calibrationRanges, exportTflite } from '../src/export/export-model.ts';
import { checkFloatExport, compareTop1, runTflite } from '../src/export/verify.ts';
import { fittedNet, mixtureImages, sampledGraph, trainedLikeNet } from '../test/export/fixtures.ts';

const SPACES = ['mobilenetv3', 'eemobilenetv3', 'cbnmobilenetv3'];
const RESOLUTIONS = [32, 40, 48, 56, 64, 72, 96];
let worst = 0;
for (const [s, space] of SPACES.entries()) {
  for (const [i, resolution] of RESOLUTIONS.entries()) {
    const graph = sampledGraph(space, 100 * s + i, resolution);
    const net = await trainedLikeNet(graph, i);
    const { images } = mixtureImages(8, resolution, i);
    const check = await checkFloatExport(exportTflite(graph, net.weights), graph, net.params, images);
    worst = Math.max(worst, check.maxRelError);
    console.log(`${space.padEnd(15)} ${String(resolution).padStart(3)} px, ${graph.exits.length} exit(s): float max relative error ${check.maxRelError.toExponential(2)}`);
  }
}
console.log(`float: worst max relative error ${worst.toExponential(2)} over 21 configs (limit 1e-4)`);
for (const [space, seed, resolution] of [['mobilenetv3', 1, 64], ['mobilenetv3', 2, 48], ['eemobilenetv3', 3, 64], ['eemobilenetv3', 4, 56], ['cbnmobilenetv3', 5, 64], ['cbnmobilenetv3', 6, 48]] as const) {
  const graph = sampledGraph(space, seed, resolution);
  const net = await fittedNet(graph, seed);
  const calibration = mixtureImages(64, resolution, 1000 + seed).images;
  const ranges = calibrationRanges(graph, net.weights, calibration);
  const float = exportTflite(graph, net.weights);
  const int8 = exportTflite(graph, net.weights, { int8: { ranges, io: 'float' } });
  const test = mixtureImages(256, resolution, 2000 + seed).images;
  // A NACHOS head's last output is its confidence logit, not a class: top-1 is over the class logits only.
  const classesOnly = (outputs: Float32Array[]): Float32Array[] =>
    outputs.map((o) => {
      const width = o.length / 256;
      if (width === 10) return o;
      return Float32Array.from({ length: 256 * 10 }, (_, k) => o[Math.floor(k / 10) * width + (k % 10)]);
    });
  const agreement = compareTop1(classesOnly(await runTflite(float, test)), classesOnly(await runTflite(int8, test)), 256);
  console.log(`${space.padEnd(15)} ${resolution} px: int8 top-1 agreement with float per exit ${agreement.perOutput.map((a) => `${(100 * a).toFixed(1)} %`).join(', ')}`);
}
