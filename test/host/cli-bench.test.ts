import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runCli, tempFiles } from './cli-helpers.ts';

test('cnas bench model.tflite --board nucleo-l4r5zi --simulate --json measures an exported model; a model too big for a board fails with its reason', () => {
  const small = { ks: new Array(10).fill(3), e: new Array(10).fill(3), d: [2, 2, 2, 2, 2] };
  const dir = tempFiles({ 'net.json': JSON.stringify(small) });
  const model = join(dir, 'm.tflite');
  assert.equal(runCli(['export', join(dir, 'net.json'), '--width', '0.35', '--resolution', '64', '--classes', '10', '--int8', '-o', model]).code, 0);
  const r = runCli(['bench', model, '--board', 'nucleo-l4r5zi', '--simulate', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const m = JSON.parse(r.stdout);
  assert.equal(m.ok, true);
  assert.ok(m.latency_ms > 0 && m.arena_bytes > 0 && m.flash_bytes > 0);
  assert.equal(m.provenance.simulated, true);
  const big = join(dir, 'big.tflite');
  assert.equal(runCli(['export', join(dir, 'net.json'), '--resolution', '224', '--classes', '1000', '--int8', '-o', big]).code, 0);
  const refused = JSON.parse(runCli(['bench', big, '--board', 'rpi-pico', '--simulate', '--json']).stdout);
  assert.equal(refused.ok, false);
  assert.match(refused.reason, /flash_overflow|arena_overflow/);
});
