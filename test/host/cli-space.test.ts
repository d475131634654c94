import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from './cli-helpers.ts';

test('cnas space sample prints one config per line, reproducibly', () => {
  const a = runCli(['space', 'sample', '--space', 'mobilenetv3', '-n', '5', '--seed', '1', '--lr', '192', '--ur', '256', '--rstep', '4']);
  assert.equal(a.code, 0, a.stderr);
  const lines = a.stdout.trim().split('\n');
  assert.equal(lines.length, 5);
  for (const line of lines) {
    const c = JSON.parse(line);
    assert.ok(c.r >= 192 && c.r <= 256 && (c.r - 192) % 4 === 0);
    assert.equal(c.ks.length, c.d.reduce((x: number, y: number) => x + y, 0));
  }
  assert.equal(runCli(['space', 'sample', '-n', '5', '--seed', '1', '--lr', '192', '--ur', '256']).stdout, a.stdout);
});

test('early-exit spaces sample t or b; fixed resolution omits r', () => {
  const ee = JSON.parse(runCli(['space', 'sample', '--space', 'eemobilenetv3']).stdout);
  assert.equal(ee.t.length, 4);
  assert.equal('r' in ee, false);
  const cbn = JSON.parse(runCli(['space', 'sample', '--space', 'cbnmobilenetv3', '--seed', '3']).stdout);
  assert.ok(cbn.b.includes(1));
});

test('bad sampling flags exit 2 with one line', () => {
  for (const args of [['space', 'sample', '-n', '0'], ['space', 'sample', '--lr', '300', '--ur', '200'], ['space', 'sample', '--seed', '-1']]) {
    const r = runCli(args);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});
