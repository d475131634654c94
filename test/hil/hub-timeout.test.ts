import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testHub, TOKEN } from '../fleet/fleet.ts';

const entry = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'host', 'cli.ts');

function cli(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args]);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stderr }));
  });
}

test('a board selector no connected board matches: the search waits a bounded time, then says why', { timeout: 60_000 }, async (t) => {
  const { hub } = await testHub(t);
  const save = join(mkdtempSync(join(tmpdir(), 'cnas-hub-timeout-')), 'run');
  const r = await cli(['search', '--sec-obj', 'latency_ms', '--board', 'no-such-board', '--hub', hub.url, '--token', TOKEN, '--measure-timeout-s', '1',
    '--width', '0.35', '--lr', '32', '--ur', '32', '--classes', '10', '--n-doe', '2', '--iterations', '0', '--save', save]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /every candidate of iteration 0 failed/);
  const errors = readdirSync(join(save, 'failed')).filter((f) => f.endsWith('.error'));
  assert.equal(errors.length, 2);
  assert.match(readFileSync(join(save, 'failed', errors[0]), 'utf8'), /no measurement from a board matching "no-such-board" within 1 s/);
  assert.ok(existsSync(join(save, 'run.json')));
});
