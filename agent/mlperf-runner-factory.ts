import { z } from 'zod';
import { boardOptions } from './config.ts';
import type { RunnerFactory } from './runner-factory.ts';

const MlperfOptionsSchema = z.strictObject({
  /** Serial port of the board (e.g. /dev/ttyACM0). */
  port: z.string().min(1),
  /** Default: the profile's baud rate, else MLPerf's 115200. */
  baud: z.int().positive().optional(),
  /** Input bytes of the built-in model, where the firmware's `m-model-[...]` is not ic01, kws01 or vww01. */
  inputBytes: z.int().positive().optional(),
  /** How long one `infer` window may take. */
  inferTimeoutMs: z.int().positive().optional(),
});

const MLPERF_BAUD = 115200;

/**
 * The `mlperf` runner kind: a board with MLPerf Tiny firmware, timed on its built-in model (see mlperf-runner.ts;
 * a search refuses these measurements). Imported lazily, so an agent without such boards never loads serialport.
 */
export const mlperfRunnerFactory: RunnerFactory = async (board) => {
  const options = boardOptions(board, MlperfOptionsSchema);
  const [{ MlperfRunner }, { openSerialTransport }, { profileById }] = await Promise.all([
    import('./mlperf-runner.ts'),
    import('../firmware-bridge/serial-transport.ts'),
    import('../src/measure/profiles/load.ts'),
  ]);
  const profile = profileById(board.profile);
  const baud = options.baud ?? profile.transport.baud ?? MLPERF_BAUD;
  return new MlperfRunner({
    name: board.name,
    profile,
    open: () => openSerialTransport(options.port, baud),
    inputBytes: options.inputBytes,
    inferTimeoutMs: options.inferTimeoutMs,
  });
};
