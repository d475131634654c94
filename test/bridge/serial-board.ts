import type { TestContext } from 'node:test';
import { SerialRunner } from '../../agent/serial-runner.ts';
import { openSerialTransport } from '../../firmware-bridge/serial-transport.ts';
import { calibrationRanges, exportTflite } from '../../src/export/export-model.ts';
import { profileById } from '../../src/measure/profiles/load.ts';
import { normalImages, randomWeights, sampledGraph } from '../export/fixtures.ts';
import type { FirmwareFlags } from './firmware-process.ts';
import { startFirmware } from './firmware-process.ts';
import { openPtyPair } from './pty-pair.ts';

/** The host build of the firmware on one end of a pty pair; the other end is the board's "serial port". */
export async function serialBoard(t: TestContext, flags: FirmwareFlags = {}): Promise<{ port: string; output: () => string }> {
  const pair = await openPtyPair();
  const firmware = await startFirmware(pair.b, flags);
  t.after(async () => {
    await firmware.close();
    await pair.close();
  });
  return { port: pair.a, output: firmware.output };
}

/** A runner on such a board, with short timeouts so a hung board is found in a test's time. */
export function serialRunner(t: TestContext, port: string, opts: { name?: string; profile?: string; benchTimeoutMs?: number; uploadBaud?: number } = {}): SerialRunner {
  const runner = new SerialRunner({
    name: opts.name ?? 'lab-1',
    profile: profileById(opts.profile ?? 'nucleo-l4r5zi'),
    open: () => openSerialTransport(port, 115200),
    baud: 115200,
    uploadBaud: opts.uploadBaud,
    benchTimeoutMs: opts.benchTimeoutMs ?? 5000,
    commandTimeoutMs: 300,
  });
  t.after(() => runner.close());
  return runner;
}

/** A real int8 model of the w0.35 space at 32 px, exported in-process. */
export function int8Model(seed = 3): Uint8Array {
  const graph = sampledGraph('mobilenetv3', seed, 32);
  const weights = randomWeights(graph, seed);
  return exportTflite(graph, weights, { int8: { ranges: calibrationRanges(graph, weights, normalImages(2, 32, seed)), io: 'int8' } });
}
