import { hostname } from 'node:os';
import type { Command } from 'commander';
import { startAgent } from '../../agent/agent.ts';
import { addBoard, AgentConfigError, readAgentConfig, removeBoard } from '../../agent/config.ts';
import type { BoardConfig } from '../../agent/config.ts';
import { AgentRejectedError } from '../../agent/errors.ts';
import { mlperfRunnerFactory } from '../../agent/mlperf-runner-factory.ts';
import { RunnerRegistry } from '../../agent/runner-factory.ts';
import { serialRunnerFactory } from '../../agent/serial-runner-factory.ts';
import { simulatedBoardConfigs, simulatedRunnerFactory } from '../../agent/simulated-boards.ts';
import { tfliteRunnerFactory } from '../../agent/tflite-runner-factory.ts';
import { formatTable } from '../format/table.ts';
import { stderrLogger, untilSignal } from '../hub/logger.ts';
import { integerAtLeast } from '../option-parsers.ts';
import { UsageError } from '../usage-error.ts';
import { tokenOf } from './hub.ts';
import { detectSerialBoards, formatDetection } from './agent-detect.ts';

interface AgentFlags {
  hub?: string;
  token?: string;
  id: string;
  config: string;
  simulate?: string[];
}

/** The runner kinds this build of cnas knows. */
export function defaultRunnerRegistry(): RunnerRegistry {
  return new RunnerRegistry()
    .register('simulated', simulatedRunnerFactory)
    .register('serial', serialRunnerFactory)
    .register('tflite', tfliteRunnerFactory)
    .register('mlperf', mlperfRunnerFactory);
}

function usage<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof AgentConfigError) throw new UsageError(err.message);
    throw err;
  }
}

/** The library call behind `cnas agent`: runs until SIGINT/SIGTERM; a hub that refuses it is exit 2. */
export async function runAgent(flags: AgentFlags, stop: Promise<unknown> = untilSignal()): Promise<void> {
  const hubUrl = flags.hub;
  if (!hubUrl) throw new UsageError('give the hub address with --hub <url>');
  const configs: BoardConfig[] = [...usage(() => readAgentConfig(flags.config)).boards];
  if (flags.simulate) configs.push(...(await simulatedBoardConfigs(flags.simulate).catch((err: Error) => Promise.reject(new UsageError(`--simulate: ${err.message}`)))));
  if (configs.length === 0) throw new UsageError(`no boards: add some with \`cnas agent boards add\` (${flags.config}) or give --simulate <profiles>`);
  // a runner that cannot be made (unknown kind or profile, a missing port) is a configuration problem
  const boards = await defaultRunnerRegistry()
    .boards(configs)
    .catch((err: Error) => Promise.reject(new UsageError(`${flags.config}: ${err.message}`)));
  const agent = await startAgent({ hubUrl, token: tokenOf(flags), id: flags.id, boards, logger: stderrLogger() }).catch((err: Error) =>
    Promise.reject(err instanceof AgentRejectedError ? new UsageError(err.message) : err),
  );
  process.stderr.write(`agent ${flags.id} serving ${boards.map((b) => `${b.name} (${b.profile})`).join(', ')}\n`);
  const rejected = await Promise.race([stop.then(() => undefined), agent.done.then(() => undefined, (err: Error) => err)]);
  await agent.close();
  await Promise.all(boards.map((b) => b.runner.close?.()));
  if (rejected) throw new UsageError(rejected.message);
}

interface BoardAddFlags {
  config: string;
  profile: string;
  name?: string;
  runner?: string;
  port?: string;
  baud?: number;
  uploadBaud?: number;
  firmware?: string;
  sram?: number;
  flash?: number;
}

/**
 * The registry entry `boards add` writes. The runner follows from what is given: a port means the cnas firmware
 * behind the serial bridge, a local profile (a Linux board) the tflite runner; memory limits default to the
 * profile's, so the hub refuses models the board cannot hold without being told twice.
 */
export async function boardFromFlags(positionalName: string | undefined, f: BoardAddFlags): Promise<BoardConfig> {
  const name = positionalName ?? f.name;
  if (!name) throw new UsageError('name the board: `cnas agent boards add <name> ...` or --name <name>');
  if (positionalName && f.name && positionalName !== f.name) throw new UsageError(`two names given: "${positionalName}" and --name ${f.name}`);
  const { profileById } = await import('../../src/measure/profiles/load.ts');
  let profile;
  try {
    profile = profileById(f.profile);
  } catch (err) {
    throw new UsageError(`--profile: ${(err as Error).message}`);
  }
  const kinds = defaultRunnerRegistry().kinds();
  const runner = f.runner ?? (f.port ? 'serial' : profile.transport.kind === 'local' ? 'tflite' : undefined);
  if (!runner) throw new UsageError(`--profile ${f.profile} is a board behind a serial link: give --port <serial device> (see \`cnas agent boards detect\`)`);
  if (!kinds.includes(runner)) throw new UsageError(`--runner ${runner}: allowed values: ${kinds.join(', ')}`);
  if ((runner === 'serial' || runner === 'mlperf') && !f.port) throw new UsageError(`--runner ${runner} needs --port <serial device>`);
  if (f.uploadBaud && runner !== 'serial') throw new UsageError('--upload-baud is for boards running the cnas firmware (--runner serial)');
  const options = f.port ? { port: f.port, ...(f.baud && { baud: f.baud }), ...(f.uploadBaud && { uploadBaud: f.uploadBaud }) } : undefined;
  const board = {
    name,
    profile: profile.id,
    runner,
    firmware: f.firmware,
    sram_bytes: f.sram ?? profile.memory.sramBytes,
    flash_bytes: f.flash ?? profile.memory.flashBytes ?? undefined,
    options,
  };
  return JSON.parse(JSON.stringify(board)) as BoardConfig;
}

export function registerAgentCommand(program: Command): void {
  const agent = program
    .command('agent')
    .description('serve this machine\'s boards (agent.json, or simulated ones) to a hub')
    // not a required option: commander would demand it of the `boards` subcommands too
    .option('--hub <url>', 'hub address, e.g. ws://192.168.1.10:7450')
    .option('--token <secret>', 'shared token of the fleet (default: $CNAS_HUB_TOKEN)')
    .option('--id <id>', 'agent id, unique in the fleet', hostname())
    .option('--config <file>', 'board registry', 'agent.json')
    .option('--simulate <profiles>', 'also serve simulated boards of these profile ids (comma-separated)', (v: string) => v.split(',').filter(Boolean))
    // `agent boards add ... --config F` must reach the subcommand's own --config, not this one
    .enablePositionalOptions()
    .action((flags: AgentFlags) => runAgent(flags));

  const boards = agent.command('boards').description('the board registry (agent.json)');
  boards
    .command('add')
    .argument('[name]', 'board name, unique on this agent (or --name)')
    .option('--name <name>', 'board name, unique on this agent')
    .requiredOption('--profile <id>', 'board profile id (devices/*.json)')
    .option('--port <device>', 'serial port of a board running the cnas firmware (e.g. /dev/ttyACM0)')
    .option('--baud <rate>', 'serial baud rate (default: the profile\'s)', integerAtLeast(1))
    .option('--upload-baud <rate>', 'switch to this rate after HELLO for faster uploads, e.g. 921600 (falls back if the board cannot)', integerAtLeast(1))
    .option('--runner <kind>', `runner kind (${defaultRunnerRegistry().kinds().join(', ')}); default: serial with --port, tflite for a local profile`)
    .option('--firmware <version>', 'firmware version (part of the cache key)')
    .option('--sram <bytes>', 'SRAM bytes, advertised to the hub (default: the profile\'s)', integerAtLeast(1))
    .option('--flash <bytes>', 'flash bytes; the hub refuses larger models (default: the profile\'s)', integerAtLeast(1))
    .option('--config <file>', 'board registry', 'agent.json')
    .action(async (name: string | undefined, f: BoardAddFlags) => {
      const board = await boardFromFlags(name, f);
      usage(() => addBoard(f.config, board));
      process.stdout.write(`added ${board.name} (${board.profile}, ${board.runner}${board.options?.port ? ` on ${String(board.options.port)}` : ''}) to ${f.config}\n`);
    });
  boards
    .command('detect')
    .description('list serial ports, ask each what answers (MLPerf name%, cnas HELLO) and propose a profile')
    .option('--port <device...>', 'probe these ports too (ports the listing misses, such as ptys)')
    .option('--baud <rate>', 'baud rate to probe at', integerAtLeast(1), 115200)
    .option('--json', 'the probes as one JSON object')
    .action(async (f: { port?: string[]; baud: number; json?: boolean }) => {
      const detection = await detectSerialBoards({ ports: f.port, baud: f.baud });
      process.stdout.write((f.json ? JSON.stringify(detection) : formatDetection(detection)) + '\n');
    });
  boards
    .command('list')
    .option('--config <file>', 'board registry', 'agent.json')
    .option('--json', 'one JSON object for machines')
    .action((f: { config: string; json?: boolean }) => {
      const config = usage(() => readAgentConfig(f.config));
      if (f.json) return void process.stdout.write(JSON.stringify(config) + '\n');
      const rows = config.boards.map((b) => [b.name, b.profile, b.runner, b.firmware ?? '-', b.sram_bytes?.toString() ?? '-', b.flash_bytes?.toString() ?? '-']);
      process.stdout.write(formatTable(['name', 'profile', 'runner', 'firmware', 'sram B', 'flash B'], rows) + '\n');
    });
  boards
    .command('remove')
    .argument('<name>', 'board name')
    .option('--config <file>', 'board registry', 'agent.json')
    .action((name: string, f: { config: string }) => {
      usage(() => removeBoard(f.config, name));
      process.stdout.write(`removed ${name} from ${f.config}\n`);
    });
}
