import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultDevicesDir, loadProfiles, ProfileError, profileById } from '../../src/measure/profiles/load.ts';

const REQUIRED = ['stm32f746g-disco', 'nucleo-l4r5zi', 'nucleo-h743zi2', 'arduino-nano-33-ble-sense', 'esp32-s3-devkitc-1', 'rpi-pico', 'rpi4', 'host-cpu'];

test('every profile in devices/ validates, and the required boards are there', () => {
  const profiles = loadProfiles();
  const ids = profiles.map((p) => p.id);
  for (const id of REQUIRED) assert.ok(ids.includes(id), id);
  assert.ok(profiles.filter((p) => p.id !== 'host-cpu').length >= 8, 'at least 8 real boards');
  for (const p of profiles) {
    assert.ok(p.memory.arenaBytes <= p.memory.sramBytes, `${p.id}: arena within SRAM`);
    assert.ok(p.kernelLibraries.includes(p.simulator.library), `${p.id}: simulated library is one the board has`);
    if (p.transport.kind === 'serial') assert.ok(p.transport.baud !== undefined, `${p.id}: serial needs a baud rate`);
  }
});

test('profileById finds a profile, and an unknown id lists the known ones', () => {
  assert.equal(profileById('nucleo-l4r5zi').clockMhz, 120);
  assert.throws(() => profileById('nope'), (err: Error) => err instanceof ProfileError && /unknown board profile "nope"/.test(err.message) && /nucleo-h743zi2/.test(err.message));
});

function brokenDir(edit: (p: Record<string, unknown>) => void): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cnas-profiles-'));
  const raw = JSON.parse(readFileSync(join(defaultDevicesDir(), 'rpi-pico.json'), 'utf8')) as Record<string, unknown>;
  edit(raw);
  const file = join(dir, 'rpi-pico.json');
  writeFileSync(file, JSON.stringify(raw));
  return { dir, file };
}

test('a profile with a wrong type is rejected naming the file and the field', () => {
  const { dir, file } = brokenDir((p) => {
    p.clockMhz = '125';
  });
  assert.throws(() => loadProfiles(dir), (err: Error) => err instanceof ProfileError && err.message.includes(file) && /clockMhz/.test(err.message));
});

test('a profile with a missing nested field is rejected naming the file and the field path', () => {
  const { dir, file } = brokenDir((p) => {
    delete (p.memory as Record<string, unknown>).arenaBytes;
  });
  assert.throws(() => loadProfiles(dir), (err: Error) => err instanceof ProfileError && err.message.includes(file) && /memory\.arenaBytes/.test(err.message));
});

test('an unknown key and an id that differs from the file name are rejected', () => {
  const extra = brokenDir((p) => {
    p.clockMHz = 125;
  });
  assert.throws(() => loadProfiles(extra.dir), /clockMHz/);
  const renamed = brokenDir((p) => {
    p.id = 'rpi-pico-w';
  });
  assert.throws(() => loadProfiles(renamed.dir), /does not match the file name/);
});

test('cnas devices: list and show print the profiles; an unknown id is a usage error naming the known ids', async () => {
  const { Command } = await import('commander');
  const { registerDevicesCommands, showProfile } = await import('../../host/commands/devices.ts');
  const { UsageError } = await import('../../host/usage-error.ts');
  const out: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => (out.push(chunk), true)) as typeof process.stdout.write;
  try {
    const program = new Command().exitOverride();
    registerDevicesCommands(program);
    await program.parseAsync(['node', 'cnas', 'devices', 'list']);
    await program.parseAsync(['node', 'cnas', 'devices', 'show', 'rpi-pico', '--json']);
  } finally {
    process.stdout.write = write;
  }
  assert.match(out[0], /nucleo-h743zi2 .*Cortex-M7 .*480 MHz/);
  assert.equal(JSON.parse(out[1]).id, 'rpi-pico');
  assert.throws(() => showProfile('nope'), (err: Error) => err instanceof UsageError && /known: .*rpi4/.test(err.message));
});
