import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeAlloc, decodeEeInfer, decodeHello, encodeEeInfer, encodeLoadBegin } from '../../firmware-bridge/messages.ts';

// The early-exit additions to protocol version 1: only trailing fields and new requests, so old frames decode as before.

const le = (...fields: [number, 1 | 2 | 4][]) => {
  const out: number[] = [];
  for (const [value, size] of fields) for (let i = 0; i < size; i++) out.push((value >>> (8 * i)) & 0xff);
  return out;
};
const str = (s: string) => [s.length, ...new TextEncoder().encode(s)];
const f32 = (v: number) => [...new Uint8Array(Float32Array.of(v).buffer)];

const helloHead = (flags: number) => [1, flags, ...le([80_000_000, 4], [65_536, 4], [65_536, 4], [1020, 2]), ...str('b'), ...str('1.0.0'), ...str('none'), ...str('x')];

test('LOAD_BEGIN keeps its 8 bytes without a slot and gains a 9th with one', () => {
  assert.equal(encodeLoadBegin(10, 0xdeadbeef).length, 8);
  assert.deepEqual([...encodeLoadBegin(10, 0xdeadbeef, 3)], [...le([10, 4], [0xdeadbeef, 4]), 3]);
});

test('HELLO: bit 3 says early exit, a trailing byte the slots; an old HELLO has one slot', () => {
  const ee = decodeHello(Uint8Array.from([...helloHead(0b1100), 16]));
  assert.deepEqual([ee.earlyExit, ee.maxSlots, ee.textMode], [true, 16, true]);
  const old = decodeHello(Uint8Array.from(helloHead(0b100)));
  assert.ok(!('earlyExit' in old) && !('maxSlots' in old));
});

test('ALLOC: per-slot arena after the tensors only when several slots were allocated', () => {
  const head = [...le([300, 4], [200, 4], [100, 4]), 1, 1, 9, ...le([48, 4]), 9, ...le([10, 4])];
  assert.equal(decodeAlloc(Uint8Array.from(head)).slotArenaBytes, undefined);
  const several = decodeAlloc(Uint8Array.from([...head, 3, ...le([100, 4], [120, 4], [80, 4])]));
  assert.deepEqual(several.slotArenaBytes, [100, 120, 80]);
  assert.equal(several.arenaUsedBytes, 300);
});

test('EE_INFER: E, the rule code and one float32 threshold per early exit; the response in PROTOCOL.md order', () => {
  assert.deepEqual([...encodeEeInfer('score_margin', [0.25, 0.5])], [3, 1, ...f32(0.25), ...f32(0.5)]);
  assert.deepEqual([...encodeEeInfer('cumulative', [1])], [2, 2, ...f32(1)]);
  assert.deepEqual([...encodeEeInfer('max_softmax', [0.5])].slice(0, 2), [2, 0]);
  const response = Uint8Array.from([
    1, 4, ...le([80_000_000, 4]), 0, 1, ...le([100, 4], [10, 4], [20, 4], [30, 4], [40, 4]),
    ...f32(0.125), ...f32(0.75), ...le([7, 2]), 9, ...le([3, 2]), 1, 2, 3,
  ]);
  assert.deepEqual(decodeEeInfer(response), {
    exit: 1, clockHz: 80_000_000, timer: 'cycle-counter', real: true, totalCycles: 100, pieceCycles: [10, 20, 30, 40],
    scores: [0.125, 0.75], top1: 7, logitsType: 9, logits: Uint8Array.of(1, 2, 3),
  });
  assert.throws(() => decodeEeInfer(response.subarray(0, 20)), /EE_INFER response is truncated/);
});
