import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eennLatency } from '../../src/measure/eenn-latency.ts';
import type { SegmentLatency } from '../../src/measure/eenn-latency.ts';

const seg = (file: string, role: SegmentLatency['role'], exit: number, latency: number, arena: number): SegmentLatency => ({ file, role, exit, latency_ms: latency, arena_bytes: arena, flash_bytes: 1000 + 400, model_bytes: 400 });

const SEGMENTS = [seg('segment_0', 'backbone', 0, 2, 500), seg('exit_0', 'exit', 0, 0.5, 100), seg('segment_1', 'backbone', 1, 3, 800), seg('exit_1', 'exit', 1, 0.5, 100), seg('final', 'final', 2, 4, 300)];

test('cumulative latency counts every earlier segment and head; expected latency weights it by the exit ratios', () => {
  const r = eennLatency(SEGMENTS, [0.5, 0.25, 0.25]);
  assert.deepEqual(r.exits.map((e) => e.cumulative_latency_ms), [2.5, 6, 10]);
  assert.deepEqual(r.exits.map((e) => e.final), [false, false, true]);
  assert.equal(r.expected_latency_ms, 0.5 * 2.5 + 0.25 * 6 + 0.25 * 10);
  assert.deepEqual([r.distribution.p50_ms, r.distribution.p90_ms, r.distribution.p99_ms], [2.5, 10, 10]);
  assert.equal(r.arena_bytes, 800);
  assert.equal(r.flash_bytes, 1000 + 5 * 400, 'the runtime once, every segment');
});

test('the histogram leaves out exits no sample takes; bad ratios are refused', () => {
  const r = eennLatency(SEGMENTS, [0, 0.9, 0.1]);
  assert.deepEqual(r.distribution.histogram, [{ latency_ms: 6, share: 0.9 }, { latency_ms: 10, share: 0.1 }]);
  assert.equal(r.distribution.p50_ms, 6);
  assert.throws(() => eennLatency(SEGMENTS, [0.5, 0.5]), /2 ratios for 3 exits/);
  assert.throws(() => eennLatency(SEGMENTS, [0.5, 0.5, 0.5]), /sum to 1/);
  assert.throws(() => eennLatency(SEGMENTS.slice(4), [1]), /two or more exits/);
});
