import { existsSync } from 'node:fs';
import { SerialPort } from 'serialport';
import { BridgeError } from './errors.ts';
import type { ByteTransport } from './transport.ts';

const RESET_PULSE_MS = 50;

function callback(run: (done: (error: Error | null | undefined) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => run((error) => (error ? reject(error) : resolve())));
}

/**
 * A serial port as a ByteTransport. Bytes that arrive before the first listener subscribes are kept for it, so a
 * boot banner printed while the port opens is not lost.
 */
export async function openSerialTransport(path: string, baud: number): Promise<ByteTransport> {
  if (!existsSync(path)) {
    throw new BridgeError('port_not_found', `serial port ${path} does not exist (is the board plugged in, or the pty pair running?)`);
  }
  const port = new SerialPort({ path, baudRate: baud, autoOpen: false });
  try {
    await callback((done) => port.open(done));
  } catch (error) {
    throw new BridgeError('port_not_found', `cannot open serial port ${path}: ${(error as Error).message}`);
  }
  const listeners = new Set<(chunk: Uint8Array) => void>();
  const early: Uint8Array[] = [];
  port.on('data', (chunk: Buffer) => {
    if (listeners.size === 0) early.push(chunk);
    for (const listener of listeners) listener(chunk);
  });
  // A device that disappears must surface as a failed request, not as an unhandled 'error' event.
  port.on('error', () => undefined);

  return {
    write: (bytes) => callback((done) => port.write(bytes, (error) => (error ? done(error) : port.drain(done)))),
    onData(listener) {
      listeners.add(listener);
      for (const chunk of early.splice(0)) listener(chunk);
      return () => listeners.delete(listener);
    },
    setBaud: (rate) => callback((done) => port.update({ baudRate: rate }, done)),
    async pulseReset(line) {
      await callback((done) => port.set({ [line]: true }, done));
      await new Promise((resolve) => setTimeout(resolve, RESET_PULSE_MS));
      await callback((done) => port.set({ [line]: false }, done));
    },
    async close() {
      listeners.clear();
      if (port.isOpen) await callback((done) => port.close(done));
    },
  };
}
