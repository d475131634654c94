import { Option } from 'commander';
import type { Command } from 'commander';
import { DATASET_NAMES } from '../../src/data/registry.ts';
import { DEFAULT_SEARCH_OPTIONS } from '../../src/search/search-options.ts';
import { benchEenn } from '../hil/bench-eenn.ts';
import { benchEennOnPort } from '../hil/bench-eenn-on-port.ts';
import type { EennBenchReport } from '../hil/bench-eenn.ts';
import { stderrLogger } from '../hub/logger.ts';
import { formatBytes, formatTable, groupThousands } from '../format/table.ts';
import { integerAtLeast, positiveNumber } from '../option-parsers.ts';

const ms = (v: number): string => `${v.toFixed(3)} ms`;
const pct = (v: number): string => `${(100 * v).toFixed(1)} %`;

function humanReport(r: EennBenchReport): string {
  const b = r.board;
  const where = `${r.net} on ${b.board} (${b.profile}, agent ${b.agent}, ${b.simulated ? 'simulated' : `firmware ${b.firmware}`})`;
  const exits = formatTable(
    ['exit', 'ratio', 'cumulative latency', 'accuracy at exit'],
    r.exits.map((e) => [e.final ? `${e.exit} (final)` : String(e.exit), pct(e.ratio), ms(e.cumulative_latency_ms), pct(e.accuracy)]),
  );
  const segments = formatTable(
    ['segment', 'latency', 'arena', 'model', 'MACs'],
    r.segments.map((s) => [s.file, ms(s.latency_ms), formatBytes(s.arena_bytes), formatBytes(s.model_bytes), groupThousands(s.macs)]),
  );
  const d = r.distribution;
  return [
    `${where}; int8 segments of ${r.weights}`,
    `exit rule ${r.exit_rule.rule}, epsilon [${r.exit_rule.epsilon.join(', ')}] from ${r.exit_rule.source}`,
    `exit ratios on ${r.data.samples} ${r.data.dataset} validation images (${r.data.model}), accuracy ${pct(r.data.accuracy)}`,
    exits,
    segments,
    `expected latency ${ms(r.expected_latency_ms)} (p50 ${ms(d.p50_ms)}, p90 ${ms(d.p90_ms)}, p99 ${ms(d.p99_ms)}); without exits ${ms(r.full_network.latency_ms)}`,
    `RAM ${formatBytes(r.arena_bytes)} (largest segment arena; without exits ${formatBytes(r.full_network.arena_bytes)}), flash ${formatBytes(r.flash_bytes)} (every segment and the runtime once; without exits ${formatBytes(r.full_network.flash_bytes)})`,
    r.on_device_inference,
    ...(r.on_device ? [onDeviceReport(r.on_device)] : []),
  ].join('\n');
}

function onDeviceReport(d: NonNullable<EennBenchReport['on_device']>): string {
  const exits = formatTable(
    ['exit', 'ratio on the board', 'ratio predicted on the host'],
    d.exit_ratios.device.map((ratio, i) => [String(i), pct(ratio), pct(d.exit_ratios.host[i])]),
  );
  return [
    `on the board (${d.backend}): ${d.samples} samples, measured expected latency ${ms(d.expected_latency_ms)} (p50 ${ms(d.p50_ms)}, p90 ${ms(d.p90_ms)}, p99 ${ms(d.p99_ms)}), arena ${formatBytes(d.arena_bytes)} for every segment at once`,
    exits,
    `exit taken on the board = exit predicted on the host for ${pct(d.agreement)} of the samples`,
    d.note,
  ].join('\n');
}

export function registerBenchEennCommand(program: Command): void {
  program
    .command('bench-eenn')
    .description('measure a trained early-exit network on a board: per-exit cumulative latency, exit ratios, expected latency')
    .argument('<net dir>', 'folder with net.subnet, run.json and trained/ or ckpt/ (cnas post-search, cnas train)')
    .option('--board <selector>', 'board profile id or board name (with --simulate or --hub)')
    .option('--port <device>', 'run on the board at this serial port, without a hub: per sample, when its firmware has early-exit inference')
    .option('--profile <id>', "with --port: the board's profile (default: proposed from what the firmware says)")
    .option('--baud <rate>', "with --port: baud rate (default: the profile's, else 115200)", integerAtLeast(1))
    .option('--hub <url>', 'hub to submit to')
    .option('--token <secret>', 'shared token of the fleet (default: $CNAS_HUB_TOKEN)')
    .option('--simulate', 'run an in-process hub and a simulated board of the --board profile')
    .addOption(new Option('--dataset <name>', "dataset of the exit ratios (default: the search's)").choices(DATASET_NAMES))
    .option('--data <dir>', 'directory of the dataset files')
    .option('--samples <n>', 'validation images the exit ratios are counted on (and, with --port, run on the board)', integerAtLeast(1), 1000)
    .option('--measure-timeout-s <s>', 'give up on a measurement no board answers within this time', positiveNumber, DEFAULT_SEARCH_OPTIONS.measure_timeout_s)
    .option('--json', 'the report as one JSON object')
    .action(async (dir: string, flags: Parameters<typeof benchEenn>[1] & { json?: boolean }) => {
      const report = flags.port ? await benchEennOnPort(dir, flags) : await benchEenn(dir, flags, stderrLogger(flags.simulate ? 'warn' : 'info'));
      process.stdout.write((flags.json ? JSON.stringify(report) : humanReport(report)) + '\n');
    });
}
