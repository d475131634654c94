import { BridgeError } from './errors.ts';

export const PROTOCOL_VERSION = 1;

export const Command = {
  HELLO: 0x01,
  LOAD_BEGIN: 0x02,
  LOAD_CHUNK: 0x03,
  LOAD_END: 0x04,
  ALLOC: 0x05,
  SET_INPUT: 0x06,
  BENCH: 0x07,
  GET_OUTPUT: 0x08,
  RESET: 0x09,
  SET_BAUD: 0x0a,
  EE_INFER: 0x0b,
} as const;
export type CommandName = keyof typeof Command;
export type CommandType = (typeof Command)[CommandName];

export const RESPONSE_BIT = 0x80;
export const NAK_TYPE = 0xfe;
export const ERROR_TYPE = 0xff;

export const BOARD_ERROR_NAMES = [
  'unknown_command',
  'bad_payload',
  'model_too_large',
  'bad_model_crc',
  'no_model',
  'alloc_failed',
  'not_allocated',
  'invoke_failed',
  'bad_offset',
  'unsupported_baud',
] as const;
export type BoardErrorName = (typeof BOARD_ERROR_NAMES)[number];

const NAK_REASONS = { 1: 'bad_crc', 2: 'bad_length', 3: 'frame_too_large' } as const;
export type NakReason = (typeof NAK_REASONS)[keyof typeof NAK_REASONS] | 'unknown';

export interface HelloInfo {
  protocolVersion: number;
  realBackend: boolean;
  cycleCounter: boolean;
  textMode: boolean;
  clockHz: number;
  modelSlotBytes: number;
  arenaBytes: number;
  maxPayload: number;
  boardId: string;
  firmwareVersion: string;
  tflmVersion: string;
  backend: string;
  /** Present (true) when the board runs early-exit networks itself: model slots and EE_INFER. */
  earlyExit?: true;
  /** Models the board holds at once, where it says so (early-exit firmware); otherwise one. */
  maxSlots?: number;
}

export interface TensorInfo {
  /** The TFLite TensorType enum value (9 = int8, 0 = float32, ...). */
  type: number;
  bytes: number;
}

export interface AllocInfo {
  arenaUsedBytes: number;
  persistentBytes: number;
  nonPersistentBytes: number;
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  /** Arena used by each slot, when the board allocated more than one (the totals above are their sums). */
  slotArenaBytes?: number[];
}

/** The exit rules EE_INFER evaluates on the board, by their wire codes. */
export const EE_RULES = { max_softmax: 0, score_margin: 1, cumulative: 2 } as const;
export type EeRule = keyof typeof EE_RULES;

export interface EeInferResult {
  /** The exit the sample left at, 0..E-1 (E-1 the final one). */
  exit: number;
  clockHz: number;
  timer: BenchTimer;
  real: boolean;
  /** The sum of `pieceCycles`. */
  totalCycles: number;
  /** Per piece run, in order: segment_0, exit_0, segment_1, ...; 2 * exit + 2 of them, 2E - 1 for the final exit. */
  pieceCycles: number[];
  /** The rule's score at every exit head run. */
  scores: number[];
  top1: number;
  /** TFLite type of the exit's output, and its raw bytes (empty when they did not fit the response frame). */
  logitsType: number;
  logits: Uint8Array;
}

export type BenchTimer = 'cycle-counter' | 'us-timer' | 'host-clock';
const BENCH_TIMERS: readonly BenchTimer[] = ['cycle-counter', 'us-timer', 'host-clock'];

export interface BenchResult {
  warmups: number;
  runs: number;
  clockHz: number;
  timer: BenchTimer;
  real: boolean;
  cycles: number[];
}

export interface BoardError {
  code: BoardErrorName | `code_${number}`;
  detail: number;
  message: string;
}

export interface LoadEndInfo {
  bytes: number;
  crc: number;
}

export interface OutputChunk {
  totalBytes: number;
  bytes: Uint8Array;
}

class PayloadWriter {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  private offset = 0;

  constructor(length: number) {
    this.bytes = new Uint8Array(length);
    this.view = new DataView(this.bytes.buffer);
  }

  u8(value: number): this {
    this.view.setUint8(this.offset, value);
    this.offset += 1;
    return this;
  }

  u16(value: number): this {
    this.view.setUint16(this.offset, value, true);
    this.offset += 2;
    return this;
  }

  u32(value: number): this {
    this.view.setUint32(this.offset, value >>> 0, true);
    this.offset += 4;
    return this;
  }

  f32(value: number): this {
    this.view.setFloat32(this.offset, value, true);
    this.offset += 4;
    return this;
  }

  raw(data: Uint8Array): this {
    this.bytes.set(data, this.offset);
    this.offset += data.length;
    return this;
  }
}

/** Reads a response payload; a payload shorter than its fields is a protocol error, never an out-of-range read. */
class PayloadReader {
  private readonly view: DataView;
  private offset = 0;

  constructor(
    private readonly payload: Uint8Array,
    private readonly what: string,
  ) {
    this.view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  }

  private take(count: number): number {
    if (this.offset + count > this.payload.length) {
      throw new BridgeError('protocol', `${this.what} response is truncated: ${this.payload.length} bytes`);
    }
    const at = this.offset;
    this.offset += count;
    return at;
  }

  u8(): number {
    return this.view.getUint8(this.take(1));
  }

  u16(): number {
    return this.view.getUint16(this.take(2), true);
  }

  u32(): number {
    return this.view.getUint32(this.take(4), true);
  }

  f32(): number {
    return this.view.getFloat32(this.take(4), true);
  }

  /** Whether trailing fields follow: later firmware appends fields that older hosts never read. */
  more(): boolean {
    return this.offset < this.payload.length;
  }

  bytes(count: number): Uint8Array {
    const at = this.take(count);
    return this.payload.slice(at, at + count);
  }

  string(): string {
    return new TextDecoder().decode(this.bytes(this.u8()));
  }

  rest(): Uint8Array {
    return this.bytes(this.payload.length - this.offset);
  }
}

export const encodeHello = (): Uint8Array => new PayloadWriter(1).u8(PROTOCOL_VERSION).bytes;
/** Without a slot the 8-byte request of every firmware (slot 0); with one, the 9-byte form of early-exit firmware. */
export const encodeLoadBegin = (totalBytes: number, crc: number, slot?: number): Uint8Array =>
  slot === undefined ? new PayloadWriter(8).u32(totalBytes).u32(crc).bytes : new PayloadWriter(9).u32(totalBytes).u32(crc).u8(slot).bytes;
export const encodeLoadChunk = (offset: number, data: Uint8Array): Uint8Array => new PayloadWriter(4 + data.length).u32(offset).raw(data).bytes;
export const encodeSetInput = (index: number, offset: number, data: Uint8Array): Uint8Array =>
  new PayloadWriter(5 + data.length).u8(index).u32(offset).raw(data).bytes;
export const encodeBench = (warmups: number, runs: number): Uint8Array => new PayloadWriter(4).u16(warmups).u16(runs).bytes;
export const encodeGetOutput = (index: number, offset: number, maxBytes: number): Uint8Array =>
  new PayloadWriter(7).u8(index).u32(offset).u16(maxBytes).bytes;
/** E = thresholds + 1 exits; one threshold per early exit (the final exit takes every sample left). */
export function encodeEeInfer(rule: EeRule, thresholds: readonly number[]): Uint8Array {
  const w = new PayloadWriter(2 + 4 * thresholds.length).u8(thresholds.length + 1).u8(EE_RULES[rule]);
  for (const t of thresholds) w.f32(t);
  return w.bytes;
}
export const encodeSetBaud = (baud: number): Uint8Array => new PayloadWriter(4).u32(baud).bytes;
export const EMPTY_PAYLOAD = new Uint8Array(0);

export const LOAD_CHUNK_HEADER_BYTES = 4;
export const SET_INPUT_HEADER_BYTES = 5;
export const GET_OUTPUT_HEADER_BYTES = 4;

export function decodeHello(payload: Uint8Array): HelloInfo {
  const r = new PayloadReader(payload, 'HELLO');
  const protocolVersion = r.u8();
  const flags = r.u8();
  return {
    protocolVersion,
    realBackend: (flags & 1) !== 0,
    cycleCounter: (flags & 2) !== 0,
    textMode: (flags & 4) !== 0,
    clockHz: r.u32(),
    modelSlotBytes: r.u32(),
    arenaBytes: r.u32(),
    maxPayload: r.u16(),
    boardId: r.string(),
    firmwareVersion: r.string(),
    tflmVersion: r.string(),
    backend: r.string(),
    // fields older firmware does not send are left out, not defaulted: an old board's HELLO decodes as it always did
    ...((flags & 8) !== 0 && { earlyExit: true as const }),
    ...(r.more() && { maxSlots: r.u8() }),
  };
}

/** LOAD_BEGIN and LOAD_CHUNK answer with the next offset the board expects. */
export const decodeNextOffset = (payload: Uint8Array, what: string): number => new PayloadReader(payload, what).u32();

export function decodeLoadEnd(payload: Uint8Array): LoadEndInfo {
  const r = new PayloadReader(payload, 'LOAD_END');
  return { bytes: r.u32(), crc: r.u32() };
}

export function decodeAlloc(payload: Uint8Array): AllocInfo {
  const r = new PayloadReader(payload, 'ALLOC');
  const arenaUsedBytes = r.u32();
  const persistentBytes = r.u32();
  const nonPersistentBytes = r.u32();
  const inputCount = r.u8();
  const outputCount = r.u8();
  const tensor = (): TensorInfo => ({ type: r.u8(), bytes: r.u32() });
  const inputs = Array.from({ length: inputCount }, tensor);
  const outputs = Array.from({ length: outputCount }, tensor);
  if (!r.more()) return { arenaUsedBytes, persistentBytes, nonPersistentBytes, inputs, outputs };
  const slotArenaBytes = Array.from({ length: r.u8() }, () => r.u32());
  return { arenaUsedBytes, persistentBytes, nonPersistentBytes, inputs, outputs, slotArenaBytes };
}

export const decodeInputWritten = (payload: Uint8Array): number => new PayloadReader(payload, 'SET_INPUT').u32();

export function decodeBench(payload: Uint8Array): BenchResult {
  const r = new PayloadReader(payload, 'BENCH');
  const warmups = r.u16();
  const runs = r.u16();
  const clockHz = r.u32();
  const timerCode = r.u8();
  const real = r.u8() === 1;
  const timer = BENCH_TIMERS[timerCode];
  if (!timer) throw new BridgeError('protocol', `BENCH response names an unknown timer ${timerCode}`);
  const cycles = Array.from({ length: runs }, () => r.u32());
  return { warmups, runs, clockHz, timer, real, cycles };
}

export function decodeEeInfer(payload: Uint8Array): EeInferResult {
  const r = new PayloadReader(payload, 'EE_INFER');
  const exit = r.u8();
  const pieces = r.u8();
  const clockHz = r.u32();
  const timerCode = r.u8();
  const real = r.u8() === 1;
  const timer = BENCH_TIMERS[timerCode];
  if (!timer) throw new BridgeError('protocol', `EE_INFER response names an unknown timer ${timerCode}`);
  const totalCycles = r.u32();
  const pieceCycles = Array.from({ length: pieces }, () => r.u32());
  const scores = Array.from({ length: exit + 1 }, () => r.f32());
  const top1 = r.u16();
  const logitsType = r.u8();
  const logits = r.bytes(r.u16());
  return { exit, clockHz, timer, real, totalCycles, pieceCycles, scores, top1, logitsType, logits };
}

export function decodeGetOutput(payload: Uint8Array): OutputChunk {
  const r = new PayloadReader(payload, 'GET_OUTPUT');
  return { totalBytes: r.u32(), bytes: r.rest() };
}

export const decodeBaud = (payload: Uint8Array): number => new PayloadReader(payload, 'SET_BAUD').u32();

export function decodeNak(payload: Uint8Array): NakReason {
  return NAK_REASONS[payload[0] as keyof typeof NAK_REASONS] ?? 'unknown';
}

export function decodeBoardError(payload: Uint8Array): BoardError {
  const r = new PayloadReader(payload, 'ERROR');
  const code = r.u8();
  const detail = r.u32();
  const message = new TextDecoder().decode(r.rest());
  return { code: BOARD_ERROR_NAMES[code - 1] ?? `code_${code}`, detail, message };
}

export function commandName(type: number): string {
  const entry = Object.entries(Command).find(([, value]) => value === type);
  return entry ? entry[0] : `0x${type.toString(16)}`;
}
