import { pino } from 'pino';
import type { Logger } from 'pino';

/**
 * JSON-lines log of long work (search iterations, candidates) written synchronously, so a run killed at any
 * moment keeps every line it logged.
 */
export function fileLogger(path: string, level = 'info'): Logger {
  return pino({ level, base: undefined }, pino.destination({ dest: path, sync: true, mkdir: true }));
}
