import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BridgeError } from '../../firmware-bridge/errors.ts';
import { calibrationRanges } from '../../src/export/export-model.ts';
import { exportSegments } from '../../src/export/export-segments.ts';
import type { SegmentExport } from '../../src/export/export-segments.ts';
import { Prng } from '../../src/util/prng.ts';
import { normalImages, randomWeights, sampledGraph } from '../export/fixtures.ts';
import type { Rig } from './firmware-rig.ts';
import { fakeModel, startRig } from './firmware-rig.ts';

// Early-exit inference on the host build of the firmware over a socat pty: the int8 segments of a real tiny
// early-exit network, one per slot, run by EE_INFER. The stand-in's outputs are made up, so which exit a sample
// takes means nothing here; that the chain runs, is timed piece by piece and answers consistently does.

let rig: Rig;
let net: SegmentExport;

before(async () => {
  const graph = sampledGraph('eemobilenetv3', 13, 32);
  const weights = randomWeights(graph, 13);
  net = exportSegments(graph, weights, { int8: { ranges: calibrationRanges(graph, weights, normalImages(2, 32, 13)), io: 'int8' } });
  rig = await startRig({ firmware: { boardId: 'host-ee' }, client: { commandTimeoutMs: 1000 } });
});
after(async () => {
  await rig?.close();
});

test('HELLO of the host build announces early-exit inference and its slots', async () => {
  const hello = await rig.client.hello();
  assert.equal(hello.earlyExit, true);
  assert.ok((hello.maxSlots ?? 1) >= net.files.length, `${hello.maxSlots} slots`);
});

test('the segments load into consecutive slots, ALLOC reports each slot and EE_INFER runs every sample', async () => {
  for (const [slot, f] of net.files.entries()) {
    const loaded = await rig.client.load(f.bytes, undefined, slot);
    assert.equal(loaded.bytes, f.bytes.length);
  }
  const alloc = await rig.client.alloc();
  assert.equal(alloc.slotArenaBytes?.length, net.files.length);
  assert.equal(alloc.arenaUsedBytes, alloc.slotArenaBytes!.reduce((a, b) => a + b, 0));
  // slot 0's tensors, as the exporter wrote segment_0's input
  const input = net.manifest.segments[0].input;
  assert.equal(alloc.inputs[0].bytes, input.shape.reduce((a, b) => a * b, 1));

  const exits = net.manifest.exits.length;
  const rng = new Prng(5);
  const taken = new Set<number>();
  for (let sample = 0; sample < 12; sample++) {
    await rig.client.setInput(0, Uint8Array.from({ length: alloc.inputs[0].bytes }, () => rng.int(256)));
    // thresholds spread so that samples leave at different exits
    const r = await rig.client.eeInfer('score_margin', Array.from({ length: exits - 1 }, (_, k) => 0.2 + 0.3 * k));
    assert.ok(Number.isInteger(r.exit) && r.exit >= 0 && r.exit < exits, `exit ${r.exit}`);
    assert.equal(r.pieceCycles.length, r.exit === exits - 1 ? 2 * exits - 1 : 2 * r.exit + 2);
    assert.equal(r.pieceCycles.reduce((a, b) => a + b, 0), r.totalCycles);
    assert.equal(r.scores.length, r.exit + 1);
    assert.ok(r.scores.every((s) => s >= 0 && s <= 1), `scores ${r.scores}`);
    assert.deepEqual([r.timer, r.real], ['host-clock', false]);
    assert.equal(r.logits.length, net.manifest.classes, 'int8 logits of the exit taken');
    const top = r.logits.reduce((best, v, i, a) => (((v << 24) >> 24) > ((a[best] << 24) >> 24) ? i : best), 0);
    assert.equal(r.top1, top);
    taken.add(r.exit);
  }
  assert.ok(taken.size >= 2, `every sample left at exit ${[...taken]}`);
  // the same input takes the same path
  const again = await rig.client.eeInfer('cumulative', Array.from({ length: exits - 1 }, () => 2));
  assert.equal(again.exit, exits - 1, 'heads without a confidence logit have b = 1, so c reaches 1 < 2 only at the final exit');
});

test('EE_INFER refuses a request whose exits do not match the slots, and slots beyond the segments are refused by the client', async () => {
  await assert.rejects(rig.client.eeInfer('score_margin', [0.5]), (error: unknown) => error instanceof BridgeError && error.boardCode === 'bad_payload');
  await assert.rejects(rig.client.load(fakeModel(64), undefined, 200), (error: unknown) => error instanceof BridgeError && error.code === 'unsupported');
});

test('loading slot 0 again empties the others: one model answers ALLOC as before slots existed', async () => {
  await rig.client.load(net.files[0].bytes);
  const alloc = await rig.client.alloc();
  assert.equal(alloc.slotArenaBytes, undefined);
  await assert.rejects(rig.client.eeInfer('score_margin', [0.5, 0.5]), (error: unknown) => error instanceof BridgeError && error.boardCode === 'bad_payload');
});
