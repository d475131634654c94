import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { runCli, tempFiles } from '../host/cli-helpers.ts';
import { openPtyPair } from './pty-pair.ts';
import { int8Model, serialBoard } from './serial-board.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);

/** The CLI without blocking the event loop, for commands that talk to a board served from this process's ptys. */
async function cnas(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, ['--import', 'tsx', join(root, 'host', 'cli.ts'), ...args], { cwd: root });
}

test('cnas bench --port measures through the bridge without a hub, and the JSON says the backend is not real', { timeout: 60_000 }, async (t) => {
  const { port } = await serialBoard(t, { boardId: 'nucleo-l4r5zi' });
  const dir = tempFiles({});
  const file = join(dir, 'model.tflite');
  writeFileSync(file, int8Model());
  const out = JSON.parse((await cnas(['bench', file, '--port', port, '--runs', '3', '--json'])).stdout) as Record<string, unknown>;
  assert.equal(out.ok, true, JSON.stringify(out));
  assert.equal(out.real_backend, false);
  assert.match(String(out.backend), /stand-in/);
  assert.equal(out.profile_source, 'proposed', 'the profile was proposed from the board id');
  assert.equal((out.provenance as Record<string, unknown>).profile, 'nucleo-l4r5zi');
  const human = await cnas(['bench', file, '--port', port, '--profile', 'nucleo-l4r5zi', '--runs', '2']);
  assert.match(human.stdout, /NOT a real board/);
});

test('cnas bench --port: a port that does not exist, or mixed with --hub, is one line and exit 2', () => {
  const dir = tempFiles({ 'm.tflite': 'x' });
  const missing = runCli(['bench', join(dir, 'm.tflite'), '--port', '/dev/ttyNOPE9']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /\/dev\/ttyNOPE9 does not exist/);
  assert.equal(missing.stderr.trim().split('\n').length, 1);
  const mixed = runCli(['bench', join(dir, 'm.tflite'), '--port', '/dev/ttyNOPE9', '--simulate', '--board', 'x']);
  assert.equal(mixed.code, 2);
  assert.match(mixed.stderr, /leave out --hub, --simulate and --board/);
});

test('cnas agent boards detect finds the firmware on a port and proposes its profile; a silent port is "unknown"', { timeout: 60_000 }, async (t) => {
  const { port } = await serialBoard(t, { boardId: 'nucleo-l4r5zi' });
  const silent = await openPtyPair();
  t.after(() => silent.close());
  const out = JSON.parse((await cnas(['agent', 'boards', 'detect', '--port', port, silent.a, '--json'])).stdout) as { boards: Record<string, unknown>[] };
  const found = out.boards.find((b) => b.path === port)!;
  assert.equal(found.kind, 'cnas');
  assert.equal(found.proposedProfile, 'nucleo-l4r5zi');
  const human = await cnas(['agent', 'boards', 'detect', '--port', port]);
  assert.match(human.stdout, new RegExp(`register: cnas agent boards add --port ${port} --profile nucleo-l4r5zi`));
  const nothing = out.boards.find((b) => b.path === silent.a)!;
  assert.equal(nothing.kind, 'unknown');
  assert.match(String(nothing.message), /silent/);
});

test('cnas agent boards add --port registers a serial board with the profile\'s memory; bad input is one line', () => {
  const dir = tempFiles({});
  const config = join(dir, 'agent.json');
  const add = runCli(['agent', 'boards', 'add', '--port', '/dev/ttyACM0', '--profile', 'nucleo-l4r5zi', '--name', 'lab-1', '--config', config]);
  assert.equal(add.code, 0, add.stderr);
  const saved = JSON.parse(readFileSync(config, 'utf8')) as { boards: Record<string, unknown>[] };
  assert.deepEqual(saved.boards[0], { name: 'lab-1', profile: 'nucleo-l4r5zi', runner: 'serial', sram_bytes: 655360, flash_bytes: 2097152, options: { port: '/dev/ttyACM0' } });
  const local = runCli(['agent', 'boards', 'add', 'pi-1', '--profile', 'rpi4', '--config', config]);
  assert.equal(local.code, 0, local.stderr);
  assert.match(local.stdout, /tflite/);
  for (const [args, message] of [
    [['--profile', 'nucleo-l4r5zi', '--name', 'lab-2'], /give --port/],
    [['--profile', 'no-such-board', '--name', 'x', '--port', '/dev/x'], /--profile/],
    [['--profile', 'nucleo-l4r5zi', '--port', '/dev/x'], /name the board/],
    [['--profile', 'nucleo-l4r5zi', '--name', 'lab-1', '--port', '/dev/x'], /already exists/],
  ] as const) {
    const r = runCli(['agent', 'boards', 'add', ...args, '--config', config]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
  assert.equal((JSON.parse(readFileSync(config, 'utf8')) as { boards: unknown[] }).boards.length, 2, 'nothing saved was lost');
});
