import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { AgentBoard } from '../../agent/agent.ts';
import type { BoardConfig } from '../../agent/config.ts';
import { defaultRunnerRegistry } from '../../host/commands/agent.ts';
import { testAgent, testHub, TOKEN } from '../fleet/fleet.ts';
import { openPtyPair } from './pty-pair.ts';
import { int8Model, serialBoard } from './serial-board.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);

/** The agent's boards from registry entries; their links are closed after the agents that use them. */
async function boardsClosedAfter(t: TestContext, configs: BoardConfig[]): Promise<AgentBoard[]> {
  const boards = await defaultRunnerRegistry().boards(configs);
  t.after(() => Promise.all(boards.map((b) => b.runner.close?.())));
  return boards;
}

/** The CLI in a child process, without blocking this process's event loop (the hub lives here). */
async function cnas(args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', join(root, 'host', 'cli.ts'), ...args], { cwd: root });
  return JSON.parse(stdout) as Record<string, unknown>;
}

test('an agent with a serial board and one with a tflite board serve `cnas bench` through a hub', { timeout: 90_000 }, async (t) => {
  const { port } = await serialBoard(t, { boardId: 'nucleo-l4r5zi' });
  const { hub } = await testHub(t, { jobTimeoutMs: 30_000 });
  const lab = await boardsClosedAfter(t, [{ name: 'lab-1', profile: 'nucleo-l4r5zi', runner: 'serial', options: { port } }]);
  const pi = await boardsClosedAfter(t, [{ name: 'pi-1', profile: 'host-cpu', runner: 'tflite' }]);
  await testAgent(t, hub.url, 'lab', lab);
  await testAgent(t, hub.url, 'pi', pi);
  const dir = mkdtempSync(join(tmpdir(), 'cnas-fleet-'));
  const file = join(dir, 'model.tflite');
  writeFileSync(file, int8Model());

  const serial = await cnas(['bench', file, '--hub', hub.url, '--token', TOKEN, '--board', 'lab-1', '--runs', '3', '--json']);
  assert.equal(serial.ok, true, JSON.stringify(serial));
  const sp = serial.provenance as Record<string, unknown>;
  assert.equal(sp.board, 'lab-1');
  assert.equal(sp.agent, 'lab');
  assert.match(String(sp.runtime), /stand-in/, 'the host build says its backend is a stand-in');
  assert.match(hub.boards().find((b) => b.name === 'lab-1')?.firmware ?? '', /^cnas-firmware 1\.0\.0\/.*\/stand-in$/, 'the firmware HELLO reported keys the cache');

  const local = await cnas(['bench', file, '--hub', hub.url, '--token', TOKEN, '--board', 'pi-1', '--runs', '5', '--json']);
  assert.equal(local.ok, true, JSON.stringify(local));
  const lp = local.provenance as Record<string, unknown>;
  assert.equal(lp.simulated, false, 'the tflite runner measures for real on this machine');
  assert.match(String(lp.runtime), /tfjs-tflite/);
  assert.ok((local.latency_ms as number) > 0);
  assert.equal(((local.latency as Record<string, unknown>).runs_ms as number[]).length, 5);
});

test('a serial board that hangs hands its job back: it runs on the other board, and the hung one is marked unhealthy', { timeout: 90_000 }, async (t) => {
  const hung = await serialBoard(t, { hangOnBench: true });
  const good = await serialBoard(t);
  const { hub } = await testHub(t, { jobTimeoutMs: 30_000, unhealthyAfter: 1 });
  const boards = await boardsClosedAfter(t, [
    { name: 'hung', profile: 'nucleo-l4r5zi', runner: 'serial', options: { port: hung.port, benchTimeoutMs: 500 } },
    { name: 'good', profile: 'nucleo-l4r5zi', runner: 'serial', options: { port: good.port, benchTimeoutMs: 5000 } },
  ]);
  await testAgent(t, hub.url, 'lab', boards);
  // two jobs at once: one goes to each board, so the hung board certainly gets one
  const results = await Promise.all([int8Model(), int8Model(5)].map((m) => hub.measure(m, 'nucleo-l4r5zi')));
  for (const m of results) assert.ok(m.ok && m.provenance.board === 'good', JSON.stringify(m));
  assert.equal(hub.boards().find((b) => b.name === 'hung')?.healthy, false);
});

test('a serial board that does not answer HELLO stops the agent at start with a clear message', { timeout: 30_000 }, async (t) => {
  const silent = await openPtyPair();
  t.after(() => silent.close());
  await assert.rejects(
    defaultRunnerRegistry().boards([{ name: 'lab-9', profile: 'nucleo-l4r5zi', runner: 'serial', options: { port: silent.a } }]),
    /board "lab-9" on .*is the cnas firmware flashed, at 115200 baud\?/,
  );
});

test('`cnas agent` serves a registered serial board to a hub and lets go of its port on SIGTERM', { timeout: 60_000 }, async (t) => {
  const { port } = await serialBoard(t, { boardId: 'nucleo-l4r5zi' });
  const { hub } = await testHub(t, { jobTimeoutMs: 30_000 });
  const dir = mkdtempSync(join(tmpdir(), 'cnas-agent-'));
  const config = join(dir, 'agent.json');
  writeFileSync(config, JSON.stringify({ boards: [{ name: 'lab-1', profile: 'nucleo-l4r5zi', runner: 'serial', options: { port } }] }));
  const agent = spawn(process.execPath, ['--import', 'tsx', join(root, 'host', 'cli.ts'), 'agent', '--hub', hub.url, '--token', TOKEN, '--id', 'lab', '--config', config], { cwd: root });
  let stderr = '';
  agent.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => agent.once('exit', (code) => resolve(code)));
  t.after(() => agent.kill('SIGKILL'));
  const m = await hub.measure(int8Model(), 'lab-1');
  assert.ok(m.ok, JSON.stringify(m));
  assert.equal(m.provenance.agent, 'lab');
  assert.match(stderr, /agent lab serving lab-1 \(nucleo-l4r5zi\)/);
  agent.kill('SIGTERM');
  assert.equal(await exited, 0, stderr);
});

test('a serial board on a port that does not exist is a startup error naming the port, without a firmware hint', async () => {
  await assert.rejects(
    defaultRunnerRegistry().boards([{ name: 'lab-8', profile: 'nucleo-l4r5zi', runner: 'serial', options: { port: '/dev/ttyNOPE8' } }]),
    (err: Error) => /board "lab-8" on \/dev\/ttyNOPE8: serial port \/dev\/ttyNOPE8 does not exist/.test(err.message) && !/firmware flashed/.test(err.message),
  );
});
