import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Logger } from 'pino';
import { DEFAULT_MEASURE_SETTINGS } from '../../src/measure/measurement.ts';
import type { Measurement, MeasureSettings } from '../../src/measure/measurement.ts';
import { connectHub } from '../hub/client.ts';
import { stderrLogger } from '../hub/logger.ts';
import { benchOnPort } from '../hil/bench-on-port.ts';
import { startSimulatedFleet } from '../hil/simulated-fleet.ts';
import { formatBytes, formatTable, groupThousands } from '../format/table.ts';
import { integerAtLeast } from '../option-parsers.ts';
import { UsageError } from '../usage-error.ts';
import { tokenOf } from './hub.ts';

interface BenchFlags {
  board?: string;
  port?: string;
  profile?: string;
  baud?: number;
  hub?: string;
  token?: string;
  simulate?: boolean;
  runs: number;
  warmup: number;
  json?: boolean;
}

/**
 * A model on a simulated board through the whole fleet path (hub, agent, protocol over loopback): what a
 * search sees, without a board or a hub running elsewhere.
 */
async function benchSimulated(model: Uint8Array, profile: string, settings: MeasureSettings, logger: Logger): Promise<Measurement> {
  const fleet = await startSimulatedFleet([profile], logger);
  try {
    return await fleet.measure(model, profile, settings);
  } finally {
    await fleet.close();
  }
}

function readModel(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new UsageError(`${path}: ${(err as Error).message}`);
  }
}

function settingsOf(flags: BenchFlags): MeasureSettings {
  return { ...DEFAULT_MEASURE_SETTINGS, timedRuns: flags.runs, warmupRuns: flags.warmup };
}

/** The library call behind `cnas bench`: one measurement of a .tflite file on a board of the fleet. */
export async function benchModel(path: string, flags: BenchFlags, logger: Logger): Promise<Measurement> {
  if (!flags.simulate === !flags.hub) throw new UsageError('give either --hub <url> (with --token) or --simulate');
  if (!flags.board) throw new UsageError('give --board <selector> (a profile id or board name) or --port <serial device>');
  const model = readModel(path);
  const settings = settingsOf(flags);
  if (flags.simulate) {
    return benchSimulated(model, flags.board!, settings, logger).catch((err: Error) => {
      // the hub refuses models larger than one protocol message: far beyond any MCU's flash anyway
      throw err instanceof RangeError ? new UsageError(`${path}: ${err.message}; no supported board holds a model this large`) : err;
    });
  }
  const client = await connectHub({ url: flags.hub!, token: tokenOf(flags), logger }).catch((err: Error) => Promise.reject(new UsageError(err.message)));
  try {
    return await client.measure(model, flags.board!, settings);
  } finally {
    await client.close();
  }
}

function humanReport(path: string, m: Measurement): string {
  const p = m.provenance;
  const where = `${path} on ${p.board} (${p.profile}, agent ${p.agent}, ${p.simulated ? 'simulated' : `firmware ${p.firmware}`})`;
  if (!m.ok) return `${where}: failed: ${m.reason}: ${m.message}`;
  const rows = [
    ['latency median', `${m.latency.median_ms.toFixed(3)} ms`],
    ['latency p90', `${m.latency.p90_ms.toFixed(3)} ms`],
    ['arena', formatBytes(m.arena.bytes)],
    ['flash', formatBytes(m.flash_bytes)],
    ['MACs', groupThousands(m.macs)],
    ['params', groupThousands(m.params)],
  ];
  if (m.energy_mj !== undefined) rows.push(['energy', `${m.energy_mj.toFixed(4)} mJ`]);
  return `${where}, ${m.latency.runs_ms.length} timed runs\n${formatTable(['measure', 'value'], rows)}`;
}

export function registerBenchCommand(program: Command): void {
  program
    .command('bench')
    .description('measure a .tflite model on a board of the fleet (or a simulated one)')
    .argument('<model.tflite>', 'int8 TFLite model')
    .option('--board <selector>', 'board profile id or board name (with --hub or --simulate)')
    .option('--port <device>', 'measure directly through the serial bridge on this port, without a hub')
    .option('--profile <id>', 'with --port: the board\'s profile (default: proposed from what the firmware says)')
    .option('--baud <rate>', 'with --port: baud rate (default: the profile\'s, else 115200)', integerAtLeast(1))
    .option('--hub <url>', 'hub to submit to')
    .option('--token <secret>', 'shared token of the fleet (default: $CNAS_HUB_TOKEN)')
    .option('--simulate', 'run an in-process hub and a simulated board of the --board profile')
    .option('--runs <n>', 'timed inferences', integerAtLeast(1), DEFAULT_MEASURE_SETTINGS.timedRuns)
    .option('--warmup <n>', 'inferences discarded before timing', integerAtLeast(0), DEFAULT_MEASURE_SETTINGS.warmupRuns)
    .option('--json', 'the measurement as one JSON object')
    .action(async (path: string, flags: BenchFlags) => {
      if (flags.port) {
        if (flags.hub || flags.simulate || flags.board) throw new UsageError('--port measures directly on that board: leave out --hub, --simulate and --board');
        const r = await benchOnPort(readModel(path), { port: flags.port, profile: flags.profile, baud: flags.baud }, settingsOf(flags));
        const m = r.measurement;
        const backend = { real_backend: r.hello.realBackend, backend: r.hello.backend, firmware: r.hello.firmwareVersion, tflm: r.hello.tflmVersion, profile_source: r.profileSource };
        const headline = m.ok ? { latency_ms: m.latency.median_ms, arena_bytes: m.arena.bytes, flash_bytes: m.flash_bytes } : {};
        const human = `${humanReport(path, m)}\nbackend: ${r.hello.backend}${r.hello.realBackend ? '' : ' (NOT a real board: timings are not real)'}`;
        return void process.stdout.write((flags.json ? JSON.stringify({ ...headline, ...backend, ...m }) : human) + '\n');
      }
      if (flags.profile || flags.baud) throw new UsageError('--profile and --baud go with --port');
      const m = await benchModel(path, flags, stderrLogger(flags.simulate ? 'warn' : 'info'));
      // Flat headline fields first for scripts; the full Measurement follows.
      const headline = m.ok ? { latency_ms: m.latency.median_ms, arena_bytes: m.arena.bytes, flash_bytes: m.flash_bytes } : {};
      process.stdout.write((flags.json ? JSON.stringify({ ...headline, ...m }) : humanReport(path, m)) + '\n');
    });
}
