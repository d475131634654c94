import { BoardUnresponsiveError } from '../../agent/errors.ts';
import { SerialRunner } from '../../agent/serial-runner.ts';
import { BridgeClient } from '../../firmware-bridge/bridge-client.ts';
import { BridgeError } from '../../firmware-bridge/errors.ts';
import type { HelloInfo } from '../../firmware-bridge/messages.ts';
import { proposeProfile } from '../../firmware-bridge/propose-profile.ts';
import { openSerialTransport } from '../../firmware-bridge/serial-transport.ts';
import type { ByteTransport } from '../../firmware-bridge/transport.ts';
import type { Measurement, MeasureSettings } from '../../src/measure/measurement.ts';
import type { BoardProfile } from '../../src/measure/profiles/schema.ts';
import { loadProfiles, profileById } from '../../src/measure/profiles/load.ts';
import { UsageError } from '../usage-error.ts';

export interface PortBoard {
  /** What the firmware said of itself; `realBackend` false is the host build's stand-in, whose timings are not a board's. */
  hello: HelloInfo;
  profile: BoardProfile;
  /** Whether the profile came from --profile or was proposed from HELLO. */
  profileSource: 'given' | 'proposed';
  open: () => Promise<ByteTransport>;
}

export interface PortBench extends Pick<PortBoard, 'hello' | 'profileSource'> {
  measurement: Measurement;
  profile: string;
}

/**
 * Says HELLO on a port and settles the board's profile (for flash and energy): the given one, else the one HELLO's
 * board id and clock point to. Link failures and an unknown board are UsageErrors.
 */
export async function identifyBoard(opts: { port: string; profile?: string; baud?: number }): Promise<PortBoard> {
  const profiles = loadProfiles();
  const given = opts.profile === undefined ? undefined : profileOrUsage(opts.profile);
  const baud = opts.baud ?? given?.transport.baud ?? 115200;
  const open = () => openSerialTransport(opts.port, baud);
  let hello: HelloInfo;
  try {
    hello = await sayHello(open, given?.transport.resetsOnOpen ?? false);
  } catch (err) {
    throw portError(opts.port, err);
  }
  const proposed = given ? undefined : proposeProfile({ boardId: hello.boardId, clockHz: hello.clockHz }, profiles);
  const profileId = given?.id ?? proposed;
  if (!profileId) {
    throw new UsageError(`${opts.port}: board "${hello.boardId}" (${hello.clockHz / 1e6} MHz) matches no profile; give --profile (one of ${profiles.map((p) => p.id).join(', ')})`);
  }
  return { hello, profile: profileById(profileId, profiles), profileSource: given ? 'given' : 'proposed', open };
}

/** One measurement straight through the serial bridge, without a hub or an agent: for bringing up a first board. */
export async function benchOnPort(
  model: Uint8Array,
  opts: { port: string; profile?: string; baud?: number; benchTimeoutMs?: number },
  settings: MeasureSettings,
): Promise<PortBench> {
  const board = await identifyBoard(opts);
  const runner = new SerialRunner({ name: board.hello.boardId, profile: board.profile, open: board.open, benchTimeoutMs: opts.benchTimeoutMs });
  try {
    return { measurement: await runner.measure(model, settings), hello: board.hello, profile: board.profile.id, profileSource: board.profileSource };
  } catch (err) {
    throw portError(opts.port, err);
  } finally {
    await runner.close();
  }
}

/** HELLO alone, before the profile is known; a board that resets on open is covered by the retries when not waited for. */
async function sayHello(open: () => Promise<ByteTransport>, waitForBanner: boolean): Promise<HelloInfo> {
  const transport = await open();
  try {
    return await (await BridgeClient.connect(transport, { waitForBanner })).hello();
  } finally {
    await transport.close().catch(() => undefined);
  }
}

function profileOrUsage(id: string) {
  try {
    return profileById(id);
  } catch (err) {
    throw new UsageError(`--profile: ${(err as Error).message}`);
  }
}

/** Link failures are the user's to fix (wrong port, no firmware), so they are one line, not a stack trace. */
export function portError(port: string, err: unknown): Error {
  if (err instanceof BridgeError) {
    const heard = err.recentText.length > 0 ? `; the port said: ${err.recentText.slice(-3).join(' | ')}` : '';
    return new UsageError(`${port}: ${err.message}${heard}`);
  }
  if (err instanceof BoardUnresponsiveError) return new UsageError(`${port}: ${err.message} (is the cnas firmware flashed, at this baud rate?)`);
  return err as Error;
}
