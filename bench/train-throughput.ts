/**
 * Training and inference throughput of the reference network and the largest/smallest subnets at 32 px on
 * the wasm backend, next to the same NetGraphs in PyTorch on the CPU in the same run (the baseline), when a
 * Python with torch is found (CNAS_PYTHON, /usr/bin/python3 with Debian's python3-torch, or python3).
 * PyTorch runs with OPENBLAS_NUM_THREADS=1 and passive OpenMP waiting; its best of 1 and 2 threads counts.
 * Usage: npx tsx bench/train-throughput.ts [--json] [--steps N]
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initWasmBackend } from '../src/nn/backend/wasm-setup.ts';
import { BENCH_NETS, benchNet } from '../src/nn/bench-nets.ts';
import { benchTrain } from '../src/nn/bench-train.ts';
import type { TrainThroughput } from '../src/nn/bench-train.ts';

const args = process.argv.slice(2);
const json = args.includes('--json');
const steps = Number(args[args.indexOf('--steps') + 1]) || 10;
const script = join(dirname(fileURLToPath(import.meta.url)), 'pytorch_netgraph.py');
const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_WAIT_POLICY: 'PASSIVE' };
delete env.OPENBLAS_CORETYPE;
delete env.OPENBLAS_L2_SIZE;

function pythonWithTorch(): string | undefined {
  for (const python of [process.env.CNAS_PYTHON, '/usr/bin/python3', 'python3']) {
    if (python && spawnSync(python, ['-c', 'import torch'], { env }).status === 0) return python;
  }
  return undefined;
}

type Rates = Pick<TrainThroughput, 'train_img_s' | 'infer_b1_img_s' | 'infer_b64_img_s'>;

function pytorch(python: string, net: (typeof BENCH_NETS)[number], threads: number): Rates {
  const input = JSON.stringify({ graph: benchNet(net), batch: 64, train_steps: steps, infer_runs: 50, threads });
  const r = spawnSync(python, [script], { input, env, encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`PyTorch run failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Rates;
}

const best = (a: Rates, b: Rates): Rates => ({
  train_img_s: Math.max(a.train_img_s, b.train_img_s),
  infer_b1_img_s: Math.max(a.infer_b1_img_s, b.infer_b1_img_s),
  infer_b64_img_s: Math.max(a.infer_b64_img_s, b.infer_b64_img_s),
});

await initWasmBackend();
const python = pythonWithTorch();
const rows = BENCH_NETS.map((net) => {
  const wasm = benchTrain({ net, batch: 64, steps });
  const torch = python ? best(pytorch(python, net, 1), pytorch(python, net, 2)) : undefined;
  return { net, wasm, torch };
});

if (json) {
  console.log(JSON.stringify({ python: python ?? null, rows }));
} else {
  console.log(`training throughput, batch 64, 32 px; wasm vs PyTorch CPU${python ? '' : ' (no Python with torch found: wasm only)'}`);
  for (const { net, wasm, torch } of rows) {
    for (const key of ['train_img_s', 'infer_b1_img_s', 'infer_b64_img_s'] as const) {
      const ratio = torch ? `${(wasm[key] / torch[key]).toFixed(2)}x` : '-';
      console.log(`${net.padEnd(10)} ${key.padEnd(16)} wasm ${wasm[key].toFixed(1).padStart(8)}   torch ${torch ? torch[key].toFixed(1).padStart(8) : '       -'}   ${ratio}`);
    }
  }
}
