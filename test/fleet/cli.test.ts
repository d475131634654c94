import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FakeRunner } from './fake-runner.ts';
import { testAgent, testHub, TOKEN } from './fleet.ts';

const entry = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'host', 'cli.ts');

/** Runs the fleet CLI in a child (asynchronously: the hub it talks to lives in this process). */
function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], { env: { ...process.env, CNAS_HUB_TOKEN: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

test('cnas agent boards add|list|remove manage agent.json; bad input is exit 2', { timeout: 20_000 }, async () => {
  const config = join(mkdtempSync(join(tmpdir(), 'cnas-agent-')), 'agent.json');
  const add = await cli(['agent', 'boards', 'add', 'lab-l4', '--profile', 'nucleo-l4r5zi', '--runner', 'simulated', '--flash', '2097152', '--config', config]);
  assert.equal(add.code, 0, add.stderr);
  const [dup, badKind] = await Promise.all([
    cli(['agent', 'boards', 'add', 'lab-l4', '--profile', 'rpi4', '--runner', 'simulated', '--config', config]),
    cli(['agent', 'boards', 'add', 'x', '--profile', 'rpi4', '--runner', 'telepathy', '--config', config]),
  ]);
  assert.equal(dup.code, 2);
  assert.match(dup.stderr, /a board named "lab-l4" already exists/);
  assert.equal(badKind.code, 2);
  const list = await cli(['agent', 'boards', 'list', '--json', '--config', config]);
  assert.deepEqual(JSON.parse(list.stdout), { boards: [{ name: 'lab-l4', profile: 'nucleo-l4r5zi', runner: 'simulated', sram_bytes: 655360, flash_bytes: 2097152 }] });
  assert.equal((await cli(['agent', 'boards', 'remove', 'lab-l4', '--config', config])).code, 0);
  assert.equal((await cli(['agent', 'boards', 'remove', 'lab-l4', '--config', config])).code, 2);
});

test('cnas agent with a wrong token exits 2; cnas bench --hub measures through a hub', { timeout: 20_000 }, async (t) => {
  const { hub } = await testHub(t);
  await testAgent(t, hub.url, 'lab', [{ name: 'b', profile: 'nucleo', runner: new FakeRunner('nucleo', { latencyMs: 1 }) }]);
  const dir = mkdtempSync(join(tmpdir(), 'cnas-bench-'));
  writeFileSync(join(dir, 'agent.json'), JSON.stringify({ boards: [{ name: 'x', profile: 'nucleo-l4r5zi', runner: 'simulated' }] }));
  writeFileSync(join(dir, 'm.tflite'), Buffer.alloc(1000, 7));
  const [agent, bench, neither] = await Promise.all([
    cli(['agent', '--hub', hub.url, '--token', 'wrong', '--config', join(dir, 'agent.json')]),
    cli(['bench', join(dir, 'm.tflite'), '--board', 'nucleo', '--hub', hub.url, '--token', TOKEN, '--runs', '3', '--json']),
    cli(['bench', join(dir, 'm.tflite'), '--board', 'nucleo']),
  ]);
  assert.equal(agent.code, 2, agent.stderr);
  assert.match(agent.stderr, /refused agent .*wrong token/);
  assert.equal(bench.code, 0, bench.stderr);
  const m = JSON.parse(bench.stdout);
  assert.equal(m.ok, true);
  assert.equal(m.provenance.agent, 'lab');
  assert.equal(m.provenance.settings.timedRuns, 3);
  assert.equal(neither.code, 2);
});
