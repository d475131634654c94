import type { BridgeClientOptions } from '../../firmware-bridge/bridge-client.ts';
import { BridgeClient } from '../../firmware-bridge/bridge-client.ts';
import { openSerialTransport } from '../../firmware-bridge/serial-transport.ts';
import type { ByteTransport } from '../../firmware-bridge/transport.ts';
import type { FirmwareFlags, FirmwareProcess } from './firmware-process.ts';
import { buildFirmware, startFirmware } from './firmware-process.ts';
import type { LinkProxyOptions } from './link-proxy.ts';
import { LinkProxy } from './link-proxy.ts';
import type { PtyPair } from './pty-pair.ts';
import { openPtyPair } from './pty-pair.ts';

export interface RigOptions {
  firmware?: FirmwareFlags;
  /** Put a LinkProxy between the bridge and the firmware. */
  proxy?: LinkProxyOptions;
  client?: BridgeClientOptions;
}

export interface Rig {
  /** The device path the bridge opens (to reconnect after closing the client). */
  hostPath: string;
  transport: ByteTransport;
  client: BridgeClient;
  proxy?: LinkProxy;
  firmware: FirmwareProcess;
  close(): Promise<void>;
}

export const BAUD = 115200;

/**
 * The host firmware on one end of a pty pair and a connected BridgeClient on the other, optionally with a proxy
 * in between. Connecting waits for the firmware's boot banner, so no test sleeps for it.
 */
export async function startRig(opts: RigOptions = {}): Promise<Rig> {
  await buildFirmware();
  const pairs: PtyPair[] = [await openPtyPair()];
  let proxy: LinkProxy | undefined;
  let firmware: FirmwareProcess | undefined;
  let transport: ByteTransport | undefined;
  const close = async () => {
    await transport?.close().catch(() => undefined);
    await proxy?.close();
    await firmware?.close();
    for (const pair of pairs) await pair.close();
  };
  try {
    let boardPath = pairs[0].b;
    if (opts.proxy) {
      pairs.push(await openPtyPair());
      proxy = await LinkProxy.open(pairs[0].b, pairs[1].a, opts.proxy);
      boardPath = pairs[1].b;
    }
    transport = await openSerialTransport(pairs[0].a, BAUD);
    firmware = await startFirmware(boardPath, opts.firmware);
    const client = await BridgeClient.connect(transport, { waitForBanner: true, bannerTimeoutMs: 3000, baud: BAUD, ...opts.client }).catch((error: Error) => {
      throw new Error(`${error.message}\nfirmware output:\n${firmware?.output()}`);
    });
    return { hostPath: pairs[0].a, transport, client, proxy, firmware, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** A stand-in model: random bytes with the TFLite file identifier where a flatbuffer carries it. */
export function fakeModel(bytes: number, seed = 1): Uint8Array {
  const model = new Uint8Array(bytes);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < bytes; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    model[i] = state & 0xff;
  }
  model.set(new TextEncoder().encode('TFL3'), 4);
  return model;
}
