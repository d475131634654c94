import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BoardProfile } from '../src/measure/profiles/schema.ts';
import type { HelloInfo } from './messages.ts';
import { MlperfClient } from './mlperf-client.ts';
import { proposeProfile, usbVendorName } from './propose-profile.ts';
import type { ByteTransport } from './transport.ts';

/** Which serial ports there are and which boards answer on them (the library behind `cnas agent boards detect`). */

export interface SerialPortInfo {
  path: string;
  manufacturer?: string;
  serialNumber?: string;
  vendorId?: string;
  productId?: string;
}

export interface PortListing {
  ports: SerialPortInfo[];
  /** Why the listing is poorer than it could be (no USB ids without udev). */
  hint?: string;
}

export type ListPorts = () => Promise<SerialPortInfo[]>;
export type OpenPort = (path: string, baud: number) => Promise<ByteTransport>;
/** Sends a cnas HELLO frame and reads the answer (BridgeClient.connect(...).hello(), injected). */
export type HelloProbe = (transport: ByteTransport) => Promise<HelloInfo>;

export const UDEVADM_HINT = "udevadm not found: install Debian's udev for USB vendor/product ids";
const DEVICE_NAMES = /^tty(ACM|USB|AMA|S)\d+$/;

/**
 * The serial ports, from serialport's list. On Linux that list runs `udevadm`; where it is missing (a container,
 * a minimal image) the ports are the device files in /dev, without USB ids, and the hint says how to get them.
 */
export async function listSerialPorts(list: ListPorts = serialportList, devDir = '/dev'): Promise<PortListing> {
  try {
    return { ports: await list() };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (!(e.code === 'ENOENT' || /udevadm/.test(e.message ?? ''))) throw err;
    const names = existsSync(devDir) ? readdirSync(devDir).filter((n) => DEVICE_NAMES.test(n)) : [];
    return { ports: names.sort(byDeviceName).map((n) => ({ path: join(devDir, n) })), hint: UDEVADM_HINT };
  }
}

/** ttyACM0 before ttyACM10, USB devices before the on-board UARTs. */
function byDeviceName(a: string, b: string): number {
  const order = (n: string) => ['ACM', 'USB', 'AMA', 'S'].indexOf(DEVICE_NAMES.exec(n)![1]);
  return order(a) - order(b) || a.localeCompare(b, 'en', { numeric: true });
}

async function serialportList(): Promise<SerialPortInfo[]> {
  const { SerialPort } = await import('serialport');
  return SerialPort.list();
}

async function openSerial(path: string, baud: number): Promise<ByteTransport> {
  const { openSerialTransport } = await import('./serial-transport.ts');
  return openSerialTransport(path, baud);
}

export interface ProbeOptions {
  /** Default 115200, MLPerf's and the cnas firmware's rate. */
  baud?: number;
  /** How long to listen for a boot banner before asking anything. */
  listenMs?: number;
  /** How long to wait for `m-name-dut-[...]`. */
  nameTimeoutMs?: number;
  hello?: HelloProbe;
  /** USB ids from the listing, to propose a profile. */
  usb?: Pick<SerialPortInfo, 'vendorId' | 'productId'>;
  profiles?: readonly BoardProfile[];
}

export interface PortProbe {
  path: string;
  kind: 'cnas' | 'mlperf' | 'unknown' | 'error';
  hello?: HelloInfo;
  mlperfName?: string;
  proposedProfile?: string;
  vendorId?: string;
  productId?: string;
  /** Bytes the device sent during the probe. */
  sawBytes: number;
  /** Printable excerpt of what it sent (a GPS module's "$GPGGA,..."). */
  sample: string;
  message: string;
}

const SAMPLE_CHARS = 120;

/** Printable text of what a device sent, line ends as spaces, everything else dropped. */
function printable(bytes: readonly number[]): string {
  const text = String.fromCharCode(...bytes.filter((b) => (b >= 0x20 && b <= 0x7e) || b === 0x0a || b === 0x0d));
  return text.replace(/[\r\n]+/g, ' ').trim().slice(0, SAMPLE_CHARS);
}

/**
 * What answers on one port: opens it, listens for a boot banner, asks MLPerf's `name%` (which the cnas firmware
 * answers too), then sends a cnas HELLO frame. Whatever the device sends, the answer is a PortProbe, never a throw.
 */
export async function probePort(open: OpenPort, path: string, options: ProbeOptions = {}): Promise<PortProbe> {
  const usb = { ...(options.usb?.vendorId && { vendorId: options.usb.vendorId }), ...(options.usb?.productId && { productId: options.usb.productId }) };
  let transport: ByteTransport;
  try {
    transport = await open(path, options.baud ?? 115200);
  } catch (err) {
    return { path, kind: 'error', ...usb, sawBytes: 0, sample: '', message: `cannot open: ${(err as Error).message}` };
  }
  const seen: number[] = [];
  let sawBytes = 0;
  const stopCounting = transport.onData((chunk) => {
    sawBytes += chunk.length;
    for (const b of chunk) if (seen.length < 4 * SAMPLE_CHARS) seen.push(b);
  });
  const client = new MlperfClient(transport, { commandTimeoutMs: options.nameTimeoutMs ?? 500 });
  let mlperfName: string | undefined;
  let hello: HelloInfo | undefined;
  try {
    await new Promise((resolve) => setTimeout(resolve, options.listenMs ?? 300));
    mlperfName = await client.name().catch(() => undefined);
    if (options.hello) hello = await options.hello(transport).catch(() => undefined);
  } finally {
    client.close();
    stopCounting();
    await transport.close().catch(() => undefined);
  }
  const sample = printable(seen);
  const proposedProfile = options.profiles
    ? proposeProfile({ boardId: hello?.boardId, mlperfName, vendorId: usb.vendorId, clockHz: hello?.clockHz }, options.profiles)
    : undefined;
  const common = { path, ...usb, sawBytes, sample, ...(proposedProfile && { proposedProfile }) };
  if (hello) {
    const message = `cnas firmware ${hello.firmwareVersion} on ${hello.boardId} (${hello.clockHz / 1e6} MHz, ${hello.realBackend ? `TFLite Micro ${hello.tflmVersion}` : 'stand-in backend'})`;
    return { ...common, kind: 'cnas', hello, ...(mlperfName !== undefined && { mlperfName }), message };
  }
  if (mlperfName !== undefined) return { ...common, kind: 'mlperf', mlperfName, message: `MLPerf Tiny firmware, DUT name "${mlperfName}"` };
  const vendor = usbVendorName(usb.vendorId);
  const from = vendor ? ` (USB vendor ${vendor})` : '';
  const message =
    sawBytes === 0
      ? `silent${from}: no bytes and no answer at ${options.baud ?? 115200} baud (a board that prints nothing, a wrong baud rate, or nothing attached)`
      : `sent ${sawBytes} bytes${from} but no answer to name% or HELLO: not a benchmark board${sample ? ` (it sent "${sample.slice(0, 40)}")` : ''}`;
  return { ...common, kind: 'unknown', message };
}

export interface DetectOptions extends Omit<ProbeOptions, 'usb'> {
  list?: ListPorts;
  open?: OpenPort;
  devDir?: string;
}

export interface Detection {
  boards: PortProbe[];
  hint?: string;
}

/** Probes every serial port at once (each port is its own device) and proposes a profile for each board found. */
export async function detectBoards(options: DetectOptions = {}): Promise<Detection> {
  const { list, open = openSerial, devDir, ...probe } = options;
  const listing = await listSerialPorts(list, devDir);
  const profiles = probe.profiles ?? (await import('../src/measure/profiles/load.ts')).loadProfiles();
  const boards = await Promise.all(listing.ports.map((p) => probePort(open, p.path, { ...probe, profiles, usb: p })));
  return { boards, ...(listing.hint && { hint: listing.hint }) };
}
