import { SerialPort } from 'serialport';
import { cobsDecode } from '../../firmware-bridge/cobs.ts';

export type Direction = 'toBoard' | 'toHost';
export type FrameFault = 'corrupt' | 'drop' | 'duplicate';

export interface DirectionStats {
  /** Bytes that entered the proxy in this direction, faults notwithstanding. */
  bytes: number;
  frames: number;
  /** The type byte of each frame seen (undefined where COBS could not decode it). */
  frameTypes: (number | undefined)[];
}

export interface LinkProxyOptions {
  /** Shapes both directions to baud/10 bytes per second, as a UART with 8N1 framing would; unset: no limit. */
  baud?: number;
}

const SLICE_MS = 1;

/** Releases bytes at a fixed rate, a slice at a time; an idle link may send one slice's worth at once. */
class Shaper {
  private readonly queue: Uint8Array[] = [];
  private queued = 0;
  private credit = 0;
  private last = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly bytesPerMs: number | undefined,
    private readonly out: (bytes: Uint8Array) => void,
  ) {}

  push(bytes: Uint8Array): void {
    if (!this.bytesPerMs) {
      this.out(bytes);
      return;
    }
    this.queue.push(bytes);
    this.queued += bytes.length;
    if (this.timer) return;
    this.last = performance.now();
    this.credit = this.bytesPerMs * SLICE_MS;
    this.pump();
  }

  private pump(): void {
    const now = performance.now();
    this.credit += (now - this.last) * this.bytesPerMs!;
    this.last = now;
    const count = Math.min(Math.floor(this.credit), this.queued);
    if (count > 0) {
      this.out(this.take(count));
      this.credit -= count;
    }
    this.timer = this.queued > 0 ? setTimeout(() => this.pump(), SLICE_MS) : undefined;
  }

  private take(count: number): Uint8Array {
    const out = new Uint8Array(count);
    let at = 0;
    while (at < count) {
      const head = this.queue[0];
      const n = Math.min(head.length, count - at);
      out.set(head.subarray(0, n), at);
      at += n;
      if (n === head.length) this.queue.shift();
      else this.queue[0] = head.subarray(n);
    }
    this.queued -= count;
    return out;
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}

/**
 * One direction of the proxy: recognises frames by their 0x00 delimiters with the same state machine as the link
 * parser (so text between frames is never mistaken for one), and applies the faults scheduled for them.
 */
class Lane {
  readonly stats: DirectionStats = { bytes: 0, frames: 0, frameTypes: [] };
  readonly faults = new Map<number, FrameFault>();
  silent = false;
  private inFrame = false;
  private frame: number[] = [];

  constructor(private readonly shaper: Shaper) {}

  push(chunk: Uint8Array): void {
    this.stats.bytes += chunk.length;
    if (this.silent) return;
    let textStart = 0;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      if (!this.inFrame) {
        if (byte !== 0) continue;
        if (i > textStart) this.shaper.push(chunk.slice(textStart, i));
        this.inFrame = true;
        this.frame = [0];
        continue;
      }
      this.frame.push(byte);
      if (byte !== 0 || this.frame.every((b) => b === 0)) continue;
      this.completeFrame(Uint8Array.from(this.frame));
      this.inFrame = false;
      textStart = i + 1;
    }
    if (!this.inFrame && textStart < chunk.length) this.shaper.push(chunk.slice(textStart));
  }

  private completeFrame(wire: Uint8Array): void {
    const index = this.stats.frames++;
    const body = wire.subarray(wire.findIndex((b) => b !== 0), -1);
    this.stats.frameTypes.push(cobsDecode(body)?.[0]);
    const fault = this.faults.get(index);
    this.faults.delete(index);
    if (fault === 'drop') return;
    if (fault === 'corrupt') {
      const at = wire.length - 1 - Math.ceil(body.length / 2);
      wire[at] = wire[at] ^ 0x5a || 0x01;
    }
    this.shaper.push(wire);
    if (fault === 'duplicate') this.shaper.push(wire);
  }
}

function openPort(path: string): Promise<SerialPort> {
  return new Promise((resolve, reject) => {
    const port = new SerialPort({ path, baudRate: 115200 }, (error) => (error ? reject(error) : resolve(port)));
  });
}

/**
 * Sits between the bridge and a firmware on two pty pairs: forwards bytes both ways, optionally at a UART's byte
 * rate, and damages, drops or duplicates chosen frames, or goes silent.
 */
export class LinkProxy {
  private readonly lanes: Record<Direction, Lane>;
  private readonly shapers: Shaper[];

  private constructor(
    private readonly hostPort: SerialPort,
    private readonly boardPort: SerialPort,
    opts: LinkProxyOptions,
  ) {
    const bytesPerMs = opts.baud ? opts.baud / 10 / 1000 : undefined;
    const toBoard = new Shaper(bytesPerMs, (bytes) => boardPort.write(bytes));
    const toHost = new Shaper(bytesPerMs, (bytes) => hostPort.write(bytes));
    this.shapers = [toBoard, toHost];
    this.lanes = { toBoard: new Lane(toBoard), toHost: new Lane(toHost) };
    hostPort.on('data', (chunk: Buffer) => this.lanes.toBoard.push(chunk));
    boardPort.on('data', (chunk: Buffer) => this.lanes.toHost.push(chunk));
  }

  /** `hostSide`: a pty whose partner the bridge opens; `boardSide`: a pty whose partner the firmware opens. */
  static async open(hostSide: string, boardSide: string, opts: LinkProxyOptions = {}): Promise<LinkProxy> {
    const [hostPort, boardPort] = await Promise.all([openPort(hostSide), openPort(boardSide)]);
    return new LinkProxy(hostPort, boardPort, opts);
  }

  stats(direction: Direction): DirectionStats {
    return this.lanes[direction].stats;
  }

  /** Applies `fault` to the `nth` frame from now on in `direction` (1 = the next one). */
  fault(direction: Direction, fault: FrameFault, nth = 1): void {
    const lane = this.lanes[direction];
    lane.faults.set(lane.stats.frames + nth - 1, fault);
  }

  silence(direction: Direction, silent = true): void {
    this.lanes[direction].silent = silent;
  }

  async close(): Promise<void> {
    for (const shaper of this.shapers) shaper.stop();
    await Promise.all([this.hostPort, this.boardPort].map((port) => new Promise((resolve) => (port.isOpen ? port.close(resolve) : resolve(undefined)))));
  }
}
