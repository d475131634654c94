import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { NetGraph } from '../../src/graph/types.ts';
import { initWasmBackend } from '../../src/nn/backend/wasm-setup.ts';
import { graphSummary, loadCheckpoint, saveCheckpoint } from '../../src/nn/model/checkpoint.ts';
import type { Manifest } from '../../src/nn/model/checkpoint.ts';
import { forward } from '../../src/nn/model/forward.ts';
import { disposeParams, initParams } from '../../src/nn/model/params.ts';
import type { NetParams } from '../../src/nn/model/params.ts';
import { loadSpace } from '../../src/space/load-space.ts';
import { realise } from '../../src/space/realise.ts';
import { Prng } from '../../src/util/prng.ts';

const space = loadSpace('mobilenetv3', { widthMult: 0.35 });

function net(ks: number[], d = [2, 2, 2, 2, 2], resolution = 32): NetGraph {
  const blocks = d.reduce((a, b) => a + b, 0);
  return realise(space, { ks: ks.slice(0, blocks), e: Array<number>(blocks).fill(3), d }, { resolution, classes: 10 });
}

const graph = net(Array<number>(10).fill(3));

function bytesOf(params: NetParams): Uint8Array[] {
  return params.tensors.map((t) => new Uint8Array((t.variable.dataSync() as Float32Array).slice().buffer));
}

describe('checkpoint', () => {
  let root: string;
  let dir: string;
  let params: NetParams;

  before(async () => {
    await initWasmBackend();
    root = mkdtempSync(join(tmpdir(), 'cnas-checkpoint-'));
    dir = join(root, 'net');
    params = initParams(graph, 1);
    // One training-mode pass, so the running statistics are no longer their defaults and must be saved too.
    const rng = new Prng(1);
    const x = tf.tensor4d(Float32Array.from({ length: 4 * 32 * 32 * 3 }, () => rng.normal()), [4, 32, 32, 3]);
    tf.dispose([x, ...forward(graph, params, x, { training: true })]);
    saveCheckpoint(dir, graph, params);
  });

  after(() => {
    disposeParams(params);
    rmSync(root, { recursive: true, force: true });
  });

  test('round-trips every tensor bit-exactly and writes the documented manifest', () => {
    assert.deepEqual(readdirSync(dir).sort(), ['manifest.json', 'weights.bin']);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
    assert.equal(manifest.format, 'cnas-weights');
    assert.equal(manifest.version, 1);
    assert.deepEqual(manifest.graph, graphSummary(graph));
    assert.equal(manifest.graph.layers, graph.layers.length);
    assert.ok(manifest.tensors.some((t) => t.name === 'blocks.1.conv.depth_conv.bn.running_var'));
    const last = manifest.tensors[manifest.tensors.length - 1];
    assert.equal(readFileSync(join(dir, 'weights.bin')).length, last.offset + last.length);

    const loaded = loadCheckpoint(dir, graph);
    assert.deepEqual(bytesOf(loaded), bytesOf(params));
    assert.deepEqual(
      loaded.tensors.map((t) => [t.name, t.variable.trainable]),
      params.tensors.map((t) => [t.name, t.variable.trainable]),
    );
    disposeParams(loaded);
  });

  test('loads at another resolution, since no weight depends on it', () => {
    const loaded = loadCheckpoint(dir, net(Array<number>(10).fill(3), undefined, 48));
    assert.deepEqual(bytesOf(loaded), bytesOf(params));
    disposeParams(loaded);
  });

  test('refuses another network, naming the first mismatching tensor and both shapes', () => {
    const otherKernel = net([3, 5, 3, 3, 3, 3, 3, 3, 3, 3]);
    assert.throws(
      () => loadCheckpoint(dir, otherKernel),
      /another network: tensor blocks\.2\.conv\.depth_conv\.weight has shape \[3, 3, 24, 1\] in the checkpoint, \[5, 5, 24, 1\] in the network/,
    );
    const deeper = net(Array<number>(11).fill(3), [3, 2, 2, 2, 2]);
    assert.throws(
      () => loadCheckpoint(dir, deeper),
      /tensor #\d+ is blocks\.3\.conv\.depth_conv\.se\.fc\.reduce\.weight \[1, 1, 24, 8\] in the checkpoint, blocks\.3\.conv\.point_linear\.weight \[1, 1, 24, 8\] in the network/,
    );
    const moreClasses = realise(space, { ks: Array<number>(10).fill(3), e: Array<number>(10).fill(3), d: [2, 2, 2, 2, 2] }, { resolution: 32, classes: 100 });
    assert.throws(() => loadCheckpoint(dir, moreClasses), /tensor classifier\.weight has shape \[448, 10\] in the checkpoint, \[448, 100\] in the network/);
  });

  test('refuses a truncated or corrupt weights.bin, naming the file', () => {
    const broken = join(root, 'broken');
    saveCheckpoint(broken, graph, params);
    const weights = join(broken, 'weights.bin');
    const bytes = readFileSync(weights);
    truncateSync(weights, bytes.length - 10);
    assert.throws(() => loadCheckpoint(broken, graph), (e: Error) => e.message.includes(weights) && /truncated/.test(e.message));
    const flipped = Uint8Array.from(bytes);
    flipped[100] ^= 0x40;
    writeFileSync(weights, flipped);
    assert.throws(() => loadCheckpoint(broken, graph), (e: Error) => e.message.includes(weights) && /corrupt/.test(e.message));
    rmSync(weights);
    assert.throws(() => loadCheckpoint(broken, graph), /weights\.bin does not exist/);
    assert.throws(() => loadCheckpoint(join(root, 'missing'), graph), /manifest\.json does not exist/);
  });
});
