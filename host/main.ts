import { Command, CommanderError } from 'commander';
import { ConfigError } from '../src/space/errors.ts';
import { RunFileError } from '../src/search/run-files.ts';
import { OptionsError } from '../src/search/search-options.ts';
import { normaliseArgv } from './argv.ts';
import { registerBenchTrainCommand } from './commands/bench-train.ts';
import { registerCostCommand } from './commands/cost.ts';
import { registerDemoCommand } from './commands/demo.ts';
import { registerDevicesCommands } from './commands/devices.ts';
import { registerAgentCommand } from './commands/agent.ts';
import { registerBenchCommand } from './commands/bench.ts';
import { registerBenchEennCommand } from './commands/bench-eenn.ts';
import { registerHubCommand } from './commands/hub.ts';
import { registerEvalOodCommand } from './commands/eval-ood.ts';
import { registerExportCommand } from './commands/export.ts';
import { registerInspectCommand } from './commands/inspect.ts';
import { registerPostSearchCommand } from './commands/post-search.ts';
import { registerReportCommand } from './commands/report.ts';
import { registerSearchCommand } from './commands/search.ts';
import { registerSpaceCommands } from './commands/space.ts';
import { registerSupernetCommands } from './commands/supernet.ts';
import { registerTrainCommand } from './commands/train.ts';
import { UsageError } from './usage-error.ts';

/** Exit code for bad input (usage, files, configs); anything else unexpected exits 1. */
export const EXIT_BAD_INPUT = 2;

export function buildProgram(): Command {
  const program = new Command('cnas')
    .description('hardware-aware neural architecture search for microcontrollers and edge boards')
    .showHelpAfterError(false)
    // a command's options are its own: `agent boards add --config F` is not the agent's --config
    .enablePositionalOptions()
    .exitOverride();
  registerSpaceCommands(program);
  registerCostCommand(program);
  registerSearchCommand(program);
  registerDemoCommand(program);
  registerPostSearchCommand(program);
  registerReportCommand(program);
  registerSupernetCommands(program);
  registerBenchTrainCommand(program);
  registerTrainCommand(program);
  registerEvalOodCommand(program);
  registerExportCommand(program);
  registerInspectCommand(program);
  registerDevicesCommands(program);
  registerHubCommand(program);
  registerAgentCommand(program);
  registerBenchCommand(program);
  registerBenchEennCommand(program);
  program.commands.forEach(function override(cmd: Command): void {
    cmd.exitOverride();
    cmd.commands.forEach(override);
  });
  return program;
}

/** Runs the CLI and returns the exit code; errors become one line on stderr, never a stack trace. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(normaliseArgv(argv), { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander already printed its message
      return err.exitCode === 0 ? 0 : EXIT_BAD_INPUT;
    }
    if (err instanceof UsageError || err instanceof ConfigError || err instanceof OptionsError || err instanceof RunFileError) {
      process.stderr.write(`cnas: ${err.message}\n`);
      return EXIT_BAD_INPUT;
    }
    process.stderr.write(`cnas: internal error: ${(err as Error).message ?? String(err)}\n`);
    if (process.env.CNAS_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
    return 1;
  }
}

