import type { Command } from 'commander';
import { createHub } from '../hub/hub.ts';
import { stderrLogger, untilSignal } from '../hub/logger.ts';
import { integerAtLeast, positiveNumber } from '../option-parsers.ts';
import { UsageError } from '../usage-error.ts';

interface HubFlags {
  port: number;
  host: string;
  token?: string;
  cache?: string;
  jobTimeout: number;
  maxAttempts: number;
}

/** The shared secret from --token or CNAS_HUB_TOKEN (which keeps it out of `ps`). */
export function tokenOf(flags: { token?: string }): string {
  const token = flags.token ?? process.env.CNAS_HUB_TOKEN;
  if (!token) throw new UsageError('give the shared token with --token <secret> or CNAS_HUB_TOKEN');
  return token;
}

/** The library call behind `cnas hub`: serves until SIGINT/SIGTERM, then closes the hub and its cache. */
export async function runHub(flags: HubFlags, stop: Promise<unknown> = untilSignal()): Promise<void> {
  const hub = await createHub({
    port: flags.port,
    host: flags.host,
    token: tokenOf(flags),
    cachePath: flags.cache,
    logger: stderrLogger(),
    jobTimeoutMs: flags.jobTimeout * 1000,
    maxAttempts: flags.maxAttempts,
  }).catch((err: Error) => {
    throw new UsageError(`cannot listen on ${flags.host}:${flags.port}: ${err.message}`);
  });
  process.stdout.write(`hub listening on ${hub.url}\n`);
  await stop;
  await hub.close();
}

export function registerHubCommand(program: Command): void {
  program
    .command('hub')
    .description('run the measurement hub that agents connect to and searches submit models to')
    .requiredOption('--port <n>', 'TCP port (0: any free port)', integerAtLeast(0))
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--token <secret>', 'shared token of the fleet (default: $CNAS_HUB_TOKEN)')
    .option('--cache <file>', 'SQLite measurement cache, kept across restarts (default: in memory)')
    .option('--job-timeout <s>', 'seconds a board may take for one job', positiveNumber, 120)
    .option('--max-attempts <n>', 'boards a job is tried on before it fails', integerAtLeast(1), 3)
    .action((flags: HubFlags) => runHub(flags));
}
