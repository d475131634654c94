import { z } from 'zod';
import { BridgeError } from '../firmware-bridge/errors.ts';
import { AgentConfigError, boardOptions } from './config.ts';
import type { RunnerFactory } from './runner-factory.ts';

const SerialOptionsSchema = z.strictObject({
  /** Serial port of the board (e.g. /dev/ttyACM0, or one end of a socat pty pair for the host build). */
  port: z.string().min(1),
  /** Default: the profile's baud rate, else 115200. */
  baud: z.int().positive().optional(),
  /** A faster rate negotiated after HELLO for uploads (the board falls back to `baud` if it cannot follow). */
  uploadBaud: z.int().positive().optional(),
  /** How long one BENCH (warm-ups and timed runs) may take before the board counts as hung. */
  benchTimeoutMs: z.int().positive().optional(),
});

const DEFAULT_BAUD = 115200;

/**
 * The `serial` runner kind: a board running the cnas firmware behind the binary bridge. Imported lazily, so an
 * agent without serial boards never loads serialport. A port that does not exist, or a board that does not answer
 * HELLO, is a configuration error found when the agent starts rather than at the first job.
 */
export const serialRunnerFactory: RunnerFactory = async (board) => {
  const options = boardOptions(board, SerialOptionsSchema);
  const [{ SerialRunner }, { openSerialTransport }, { profileById }] = await Promise.all([
    import('./serial-runner.ts'),
    import('../firmware-bridge/serial-transport.ts'),
    import('../src/measure/profiles/load.ts'),
  ]);
  const profile = profileById(board.profile);
  const baud = options.baud ?? profile.transport.baud ?? DEFAULT_BAUD;
  const runner = new SerialRunner({
    name: board.name,
    profile,
    open: () => openSerialTransport(options.port, baud),
    baud,
    uploadBaud: options.uploadBaud,
    benchTimeoutMs: options.benchTimeoutMs,
  });
  // HELLO now: a board without the firmware is found when the agent starts, and its firmware keys the cache
  await runner.hello().catch((err: Error) => {
    const hint = err instanceof BridgeError && err.code === 'port_not_found' ? '' : ` (is the cnas firmware flashed, at ${baud} baud?)`;
    throw new AgentConfigError(`board "${board.name}" on ${options.port}: ${err.message}${hint}`);
  });
  return runner;
};
