import { pino } from 'pino';
import type { Logger } from 'pino';

/** Long-running fleet commands log JSON lines to stderr, keeping stdout for results. */
export function stderrLogger(level = process.env.CNAS_LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: undefined }, pino.destination({ dest: 2, sync: true }));
}

/** Resolves on the first SIGINT or SIGTERM: a server command runs until then, then closes cleanly. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
