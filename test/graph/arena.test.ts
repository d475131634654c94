import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planArena } from '../../src/graph/arena.ts';
import { GraphBuilder } from '../../src/graph/builder.ts';
import { lowerToTflite, tensorLifetimes } from '../../src/graph/lower.ts';
import { peakActivationBytes, weightBytesInt8 } from '../../src/graph/memory.ts';

test('a chain reuses memory: peak is the largest adjacent pair', () => {
  // a -> b -> c -> d with sizes 100, 400, 200, 50 (aligned to 16: 112, 400, 208, 64)
  const plan = planArena([
    { size: 100, firstUse: 0, lastUse: 0 },
    { size: 400, firstUse: 0, lastUse: 1 },
    { size: 200, firstUse: 1, lastUse: 2 },
    { size: 50, firstUse: 2, lastUse: 2 },
  ]);
  assert.equal(plan.peak, 400 + 208);
  assert.equal(plan.offsets[1], 0);
  assert.equal(plan.offsets[2], 400);
  assert.equal(plan.offsets[0], 400); // placed in the gap above the largest buffer
  assert.equal(plan.offsets[3], 0); // b is dead by op 2, so d reuses offset 0
});

test('greedy placement fills the first gap that fits between live buffers', () => {
  const plan = planArena(
    [
      { size: 64, firstUse: 0, lastUse: 3 }, // A, offset 0
      { size: 32, firstUse: 0, lastUse: 1 }, // B, offset 64
      { size: 48, firstUse: 0, lastUse: 3 }, // C, placed after A and B (both live with it)
      { size: 32, firstUse: 2, lastUse: 3 }, // D: B is dead, so D takes B's old slot at 64
    ],
    16,
  );
  assert.deepEqual(plan.offsets, [0, 112, 64, 112]);
  assert.equal(plan.peak, 144);
});

test('sizes are aligned to 16 bytes as in TFLite Micro', () => {
  assert.equal(planArena([{ size: 1, firstUse: 0, lastUse: 0 }]).peak, 16);
  assert.equal(planArena([{ size: 1, firstUse: 0, lastUse: 0 }], 1).peak, 1);
});

test('peak activation memory of a hand-made residual graph', () => {
  const g = new GraphBuilder(8, 4, 8); // input 8x8x8 = 512 B at int8
  const a = g.conv(g.input, { name: 'expand', cout: 16, kernel: 1, batchNorm: true, act: 'relu' }); // 1024 B
  const b = g.conv(a, { name: 'dw', cout: 16, kernel: 3, depthwise: true, batchNorm: true, act: 'relu' }); // 1024 B
  const c = g.conv(b, { name: 'project', cout: 8, kernel: 1, batchNorm: true }); // 512 B
  g.add(c, g.input, 'residual'); // 512 B
  const net = g.build();
  // dw runs while the residual input (512), its input (1024) and its output (1024) are live
  assert.equal(peakActivationBytes(net), 512 + 1024 + 1024);
  assert.equal(weightBytesInt8(net), 8 * 16 + 4 * 16 + 16 * 9 + 4 * 16 + 16 * 8 + 4 * 8);
});

test('lowering: stride-2 convs on even inputs get an explicit PAD, odd inputs use SAME, h-swish is its own op', () => {
  const g = new GraphBuilder(16, 4, 3);
  const a = g.conv(g.input, { name: 'even', cout: 8, kernel: 3, stride: 2, batchNorm: true, act: 'hswish' });
  const b = g.conv(a, { name: 's1', cout: 8, kernel: 3, batchNorm: true, act: 'relu' });
  g.conv(b, { name: 'odd', cout: 8, kernel: 3, stride: 2, padding: { top: 1, bottom: 1, left: 1, right: 1 } });
  const odd = new GraphBuilder(15, 4, 3);
  odd.conv(odd.input, { name: 'odd', cout: 8, kernel: 3, stride: 2 });
  const ops = lowerToTflite(g.build()).ops.map((o) => `${o.op}:${o.padding ?? ''}:${o.fused ?? ''}`);
  assert.deepEqual(ops, ['PAD::', 'CONV_2D:VALID:NONE', 'HARD_SWISH::', 'CONV_2D:SAME:RELU', 'PAD::', 'CONV_2D:VALID:NONE']);
  assert.deepEqual(lowerToTflite(odd.build()).ops.map((o) => o.op + ':' + o.padding), ['CONV_2D:SAME']);
});

test('lifetimes: the input is live from op 0 and outputs to the end', () => {
  const g = new GraphBuilder(4, 2, 2);
  const a = g.conv(g.input, { name: 'c1', cout: 2, kernel: 1 });
  const b = g.conv(a, { name: 'c2', cout: 2, kernel: 1 });
  g.exits.push({ afterStage: 0, afterBlock: 0, pool: 1, output: a, final: false });
  g.exits.push({ afterStage: 1, afterBlock: 1, pool: 1, output: b, final: true });
  const life = tensorLifetimes(lowerToTflite(g.build()));
  assert.deepEqual(life, [
    { tensor: 0, firstUse: 0, lastUse: 0 },
    { tensor: a, firstUse: 0, lastUse: 1 },
    { tensor: b, firstUse: 1, lastUse: 1 },
  ]);
});
