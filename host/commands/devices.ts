import type { Command } from 'commander';
import { loadProfiles, profileById, ProfileError } from '../../src/measure/profiles/load.ts';
import type { BoardProfile } from '../../src/measure/profiles/schema.ts';
import { formatBytes, formatTable } from '../format/table.ts';
import { UsageError } from '../usage-error.ts';

/** The library call behind `cnas devices show`: an unknown id is a usage error naming the known ids. */
export function showProfile(id: string, profiles: readonly BoardProfile[] = loadProfiles()): BoardProfile {
  try {
    return profileById(id, profiles);
  } catch (err) {
    if (err instanceof ProfileError) throw new UsageError(err.message);
    throw err;
  }
}

function listTable(profiles: readonly BoardProfile[]): string {
  const rows = profiles.map((p) => [
    p.id,
    p.name,
    p.core,
    `${p.clockMhz} MHz`,
    formatBytes(p.memory.sramBytes),
    p.memory.flashBytes === null ? '-' : formatBytes(p.memory.flashBytes),
    p.simulator.library,
  ]);
  return formatTable(['id', 'name', 'core', 'clock', 'SRAM', 'flash', 'library'], rows);
}

function showText(p: BoardProfile): string {
  const c = p.simulator;
  const rows = [
    ['name', p.name],
    ['MCU / core', `${p.mcu} / ${p.core} @ ${p.clockMhz} MHz`],
    ['extensions', p.extensions.join(', ') || '-'],
    ['SRAM', `${formatBytes(p.memory.sramBytes)} (arena ${formatBytes(p.memory.arenaBytes)})`],
    ['flash', p.memory.flashBytes === null ? '- (file system)' : formatBytes(p.memory.flashBytes)],
    ['libraries', p.kernelLibraries.join(', ')],
    ['transport', `${p.transport.kind}${p.transport.baud ? ` ${p.transport.baud} baud` : ''}${p.transport.resetsOnOpen ? ', resets on open' : ''}`],
    ['power', p.power ? `${p.power.activeMw} mW (${p.power.source})` : '-'],
    ['simulator', `${c.library}, cycles/MAC conv1x1 ${c.cyclesPerMac.conv1x1}, kxk ${c.cyclesPerMac.convKxk}, dw ${c.cyclesPerMac.depthwise}, fc ${c.cyclesPerMac.fullyConnected}; ${c.opOverheadCycles} cycles/op`],
    ['calibration', `${c.calibration.method}${c.calibration.from ? ` from ${c.calibration.from}` : ''}: ${c.calibration.note}`],
  ];
  return [`${p.id}`, formatTable(['field', 'value'], rows), '', p.memory.note].join('\n');
}

export function registerDevicesCommands(program: Command): void {
  const devices = program.command('devices').description('board profiles (devices/*.json)');
  devices
    .command('list')
    .description('every board profile')
    .option('--json', 'one JSON array for machines')
    .action((flags: { json?: boolean }) => {
      const profiles = loadProfiles();
      process.stdout.write((flags.json ? JSON.stringify(profiles) : listTable(profiles)) + '\n');
    });
  devices
    .command('show')
    .description('one board profile')
    .argument('<id>', 'profile id (see `cnas devices list`)')
    .option('--json', 'one JSON object for machines')
    .action((id: string, flags: { json?: boolean }) => {
      const p = showProfile(id);
      process.stdout.write((flags.json ? JSON.stringify(p) : showText(p)) + '\n');
    });
}
