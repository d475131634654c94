import { crc32 } from '../../firmware-bridge/crc32.ts';
import type { Frame } from '../../firmware-bridge/frame.ts';
import { encodeFrame } from '../../firmware-bridge/frame.ts';
import { LinkParser } from '../../firmware-bridge/link-parser.ts';
import { Command, ERROR_TYPE, NAK_TYPE, RESPONSE_BIT } from '../../firmware-bridge/messages.ts';
import type { ByteTransport } from '../../firmware-bridge/transport.ts';

/** What the script does with the Nth request frame the board receives (counted from 0, resends included). */
export type RequestFault = 'drop' | 'nak' | 'ignore-response';
/** What the script does with the board's answer to it. */
export type ResponseFault = 'drop' | 'duplicate' | 'corrupt' | 'stale-first';

export interface FakeBoardOptions {
  slotBytes?: number;
  maxPayload?: number;
  /** Most cycle counts one BENCH answer carries (a real board is bound by its frame size). */
  maxRunsPerBench?: number;
  /** A rate the board switches to but cannot hear at; it goes back to the old one after `baudRevertMs`. */
  deafAtBaud?: number;
  baudRevertMs?: number;
  requestFaults?: Record<number, RequestFault>;
  responseFaults?: Record<number, ResponseFault>;
}

/**
 * An in-memory board speaking PROTOCOL.md's binary mode, with scripted faults: enough to drive BridgeClient's
 * retry, NAK, duplicate and stale-response logic without a pty or a C build.
 */
export class FakeBoard {
  readonly received: Frame[] = [];
  readonly executed: Frame[] = [];
  private readonly parser = new LinkParser();
  private readonly listeners = new Set<(chunk: Uint8Array) => void>();
  private last?: { seq: number; type: number; response: Uint8Array };
  private slot: Uint8Array;
  private boardBaud = 115200;
  hostBaud = 115200;
  private upload = { total: 0, crc: 0, next: 0 };
  private readonly opts: Required<FakeBoardOptions>;

  constructor(opts: FakeBoardOptions = {}) {
    this.opts = { slotBytes: 4096, maxPayload: 256, maxRunsPerBench: 1000, deafAtBaud: 0, baudRevertMs: 30, requestFaults: {}, responseFaults: {}, ...opts };
    this.slot = new Uint8Array(this.opts.slotBytes);
  }

  readonly transport: ByteTransport = {
    write: async (bytes) => {
      const copy = bytes.slice();
      setImmediate(() => this.receive(copy));
    },
    onData: (listener) => {
      this.listeners.add(listener);
      return () => this.listeners.delete(listener);
    },
    setBaud: async (baud) => {
      this.hostBaud = baud;
    },
    pulseReset: async () => undefined,
    close: async () => this.listeners.clear(),
  };

  /** Sends bytes to the host as if the board printed them. */
  emit(bytes: Uint8Array | string): void {
    const chunk = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
    for (const listener of this.listeners) listener(chunk);
  }

  private receive(bytes: Uint8Array): void {
    // bytes at a rate the UART is not set to arrive as garbage; not even a NAK goes back
    if (this.hostBaud !== this.boardBaud || this.boardBaud === this.opts.deafAtBaud) return;
    for (const event of this.parser.push(bytes)) {
      if (event.kind === 'frame_error') this.send({ type: NAK_TYPE, seq: 0, payload: Uint8Array.of(1) });
      if (event.kind !== 'frame') continue;
      const index = this.received.push(event.frame) - 1;
      const fault = this.opts.requestFaults[index];
      if (fault === 'drop') continue;
      if (fault === 'nak') {
        this.send({ type: NAK_TYPE, seq: event.frame.seq, payload: Uint8Array.of(1) });
        continue;
      }
      const response = this.answer(event.frame);
      if (fault === 'ignore-response') continue;
      this.deliver(response, index);
    }
  }

  private answer(request: Frame): Uint8Array {
    if (this.last && this.last.seq === request.seq && this.last.type === request.type) return this.last.response;
    this.executed.push(request);
    const { type, payload } = this.execute(request);
    const response = encodeFrame({ type, seq: request.seq, payload });
    this.last = { seq: request.seq, type: request.type, response };
    return response;
  }

  private deliver(response: Uint8Array, index: number): void {
    const fault = this.opts.responseFaults[index];
    if (fault === 'drop') return;
    if (fault === 'corrupt') {
      const damaged = response.slice();
      damaged[Math.floor(damaged.length / 2)] ^= 0x01;
      this.emit(damaged);
      return;
    }
    if (fault === 'stale-first') this.emit(encodeFrame({ type: 0x81, seq: (this.last!.seq + 255) & 0xff, payload: new Uint8Array(3) }));
    this.emit(response);
    if (fault === 'duplicate') this.emit(response);
  }

  private send(frame: Frame): void {
    this.emit(encodeFrame(frame));
  }

  private execute({ type, payload }: Frame): { type: number; payload: Uint8Array } {
    const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
    const ok = (body: Uint8Array = new Uint8Array(0)) => ({ type: type | RESPONSE_BIT, payload: body });
    const u32s = (...values: number[]) => {
      const out = new DataView(new ArrayBuffer(values.length * 4));
      values.forEach((v, i) => out.setUint32(i * 4, v, true));
      return new Uint8Array(out.buffer);
    };
    const error = (code: number, detail: number, message: string) => {
      const text = new TextEncoder().encode(message);
      const body = new Uint8Array(5 + text.length);
      body[0] = code;
      new DataView(body.buffer).setUint32(1, detail, true);
      body.set(text, 5);
      return { type: ERROR_TYPE, payload: body };
    };
    switch (type) {
      case Command.HELLO:
        return ok(this.helloPayload());
      case Command.LOAD_BEGIN: {
        const total = view.getUint32(0, true);
        const crc = view.getUint32(4, true);
        if (total > this.opts.slotBytes) return error(3, this.opts.slotBytes, 'model too large');
        if (total !== this.upload.total || crc !== this.upload.crc) this.upload = { total, crc, next: 0 };
        return ok(u32s(this.upload.next));
      }
      case Command.LOAD_CHUNK: {
        const offset = view.getUint32(0, true);
        if (offset !== this.upload.next) return error(9, this.upload.next, 'bad offset');
        const data = payload.subarray(4);
        this.slot.set(data, offset);
        this.upload.next += data.length;
        return ok(u32s(this.upload.next));
      }
      case Command.LOAD_END: {
        const crc = crc32(this.slot.subarray(0, this.upload.next));
        if (this.upload.next !== this.upload.total || crc !== this.upload.crc) return error(4, 0, 'bad model crc');
        const result = u32s(this.upload.next, crc);
        this.upload = { total: 0, crc: 0, next: 0 };
        return ok(result);
      }
      case Command.BENCH: {
        const warmups = view.getUint16(0, true);
        const runs = Math.min(view.getUint16(2, true), this.opts.maxRunsPerBench);
        const body = new DataView(new ArrayBuffer(10 + runs * 4));
        body.setUint16(0, warmups, true);
        body.setUint16(2, runs, true);
        body.setUint32(4, 1_000_000, true);
        body.setUint8(8, 2);
        for (let i = 0; i < runs; i++) body.setUint32(10 + i * 4, 1000 + this.executed.length * 10 + i, true);
        return ok(new Uint8Array(body.buffer));
      }
      case Command.GET_OUTPUT: {
        const offset = view.getUint32(1, true);
        const max = view.getUint16(5, true);
        const output = Uint8Array.from({ length: 600 }, (_, i) => i & 0xff);
        const part = output.subarray(offset, offset + max);
        const body = new Uint8Array(4 + part.length);
        new DataView(body.buffer).setUint32(0, output.length, true);
        body.set(part, 4);
        return ok(body);
      }
      case Command.SET_BAUD: {
        const old = this.boardBaud;
        const baud = view.getUint32(0, true);
        // the board switches once its answer is out
        setImmediate(() => {
          this.boardBaud = baud;
          if (baud === this.opts.deafAtBaud) setTimeout(() => (this.boardBaud = old), this.opts.baudRevertMs);
        });
        return ok(u32s(baud));
      }
      default:
        return error(1, type, 'unknown command');
    }
  }

  private helloPayload(): Uint8Array {
    const strings = ['fake-board', '0.0.1', 'none', 'scripted'].map((s) => new TextEncoder().encode(s));
    const body = new Uint8Array(16 + strings.reduce((n, s) => n + 1 + s.length, 0));
    const view = new DataView(body.buffer);
    view.setUint8(0, 1);
    view.setUint8(1, 0b100);
    view.setUint32(2, 1_000_000, true);
    view.setUint32(6, this.opts.slotBytes, true);
    view.setUint32(10, 8192, true);
    view.setUint16(14, this.opts.maxPayload, true);
    let at = 16;
    for (const s of strings) {
      body[at++] = s.length;
      body.set(s, at);
      at += s.length;
    }
    return body;
  }
}
