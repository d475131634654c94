import { randomInt } from 'node:crypto';
import type { Logger } from 'pino';
import { crc32 } from './crc32.ts';
import { BridgeError } from './errors.ts';
import type { Frame } from './frame.ts';
import { encodeFrame } from './frame.ts';
import type { LinkEvent } from './link-parser.ts';
import { LinkParser } from './link-parser.ts';
import type { AllocInfo, BenchResult, CommandType, EeInferResult, EeRule, HelloInfo, LoadEndInfo } from './messages.ts';
import {
  Command,
  commandName,
  decodeAlloc,
  decodeBaud,
  decodeBench,
  decodeBoardError,
  decodeEeInfer,
  decodeGetOutput,
  decodeHello,
  decodeInputWritten,
  decodeLoadEnd,
  decodeNak,
  decodeNextOffset,
  EMPTY_PAYLOAD,
  encodeBench,
  encodeEeInfer,
  encodeGetOutput,
  encodeHello,
  encodeLoadBegin,
  encodeLoadChunk,
  encodeSetBaud,
  encodeSetInput,
  ERROR_TYPE,
  GET_OUTPUT_HEADER_BYTES,
  LOAD_CHUNK_HEADER_BYTES,
  NAK_TYPE,
  RESPONSE_BIT,
  SET_INPUT_HEADER_BYTES,
} from './messages.ts';
import type { ByteTransport } from './transport.ts';

export interface BridgeClientOptions {
  /** Wait for the boot banner (`m-ready`) before the first request: for boards that reset when the port opens. */
  waitForBanner?: boolean;
  bannerTimeoutMs?: number;
  /** Timeout of the quick commands (all but ALLOC and BENCH). */
  commandTimeoutMs?: number;
  allocTimeoutMs?: number;
  /** Resends of one request after a timeout, a NAK or a damaged response. */
  retries?: number;
  /** The rate the transport was opened at, to fall back to when SET_BAUD fails. */
  baud?: number;
  logger?: Logger;
}

export interface LinkStats {
  requests: number;
  resends: number;
  naks: number;
  timeouts: number;
  staleResponses: number;
  frameErrors: number;
  bytesSent: number;
}

export interface LoadResult extends LoadEndInfo {
  /** The offset the upload started from: above 0 when an interrupted upload of the same model was resumed. */
  resumedFrom: number;
  bytesSent: number;
}

type Outcome = { kind: 'response'; frame: Frame } | { kind: 'retry'; why: string } | { kind: 'timeout' };

interface Pending {
  seq: number;
  type: number;
  settle: (outcome: Outcome) => void;
}

const DEFAULTS = { bannerTimeoutMs: 5000, commandTimeoutMs: 500, allocTimeoutMs: 5000, retries: 5, baud: 115200 };
const DEFAULT_BENCH_TIMEOUT_MS = 60_000;
/** A board that hears no valid frame at a new rate for this long goes back to the old one. */
const BOARD_BAUD_FALLBACK_MS = 2000;
const BANNER_READY = 'm-ready';
const RECENT_TEXT_LINES = 20;
/** A board answering `bad_offset` more often than this in a row is not making progress. */
const MAX_OFFSET_CORRECTIONS = 8;

/**
 * The host end of the binary board protocol (PROTOCOL.md): one request at a time, resent with the same seq on a
 * timeout or NAK, responses with another seq ignored as late duplicates.
 */
export class BridgeClient {
  readonly stats: LinkStats = { requests: 0, resends: 0, naks: 0, timeouts: 0, staleResponses: 0, frameErrors: 0, bytesSent: 0 };
  private readonly parser = new LinkParser();
  private readonly textListeners = new Set<(line: string) => void>();
  private readonly recent: string[] = [];
  private readonly unsubscribe: () => void;
  private readonly settings: typeof DEFAULTS;
  private readonly logger?: Logger;
  /** A random start keeps a new session's first requests from matching the board's cached last request. */
  private seq = randomInt(256);
  private pending?: Pending;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private baud: number;
  private info?: HelloInfo;

  private constructor(
    private readonly transport: ByteTransport,
    opts: BridgeClientOptions,
  ) {
    const defined = Object.fromEntries(Object.entries(opts).filter(([, value]) => value !== undefined));
    this.settings = { ...DEFAULTS, ...defined };
    this.logger = opts.logger;
    this.baud = this.settings.baud;
    this.unsubscribe = transport.onData((chunk) => this.receive(chunk));
  }

  static async connect(transport: ByteTransport, opts: BridgeClientOptions = {}): Promise<BridgeClient> {
    const client = new BridgeClient(transport, opts);
    if (opts.waitForBanner) {
      try {
        await client.waitForText(BANNER_READY, client.settings.bannerTimeoutMs).done;
      } catch (error) {
        client.detach();
        throw error;
      }
    }
    return client;
  }

  /** Text lines the board (or whatever sits on the port) printed; returns a function that removes the listener. */
  onText(listener: (line: string) => void): () => void {
    this.textListeners.add(listener);
    return () => this.textListeners.delete(listener);
  }

  /** The last text lines received, oldest first, for diagnosing a link that carries no frames. */
  recentText(): string[] {
    return [...this.recent];
  }

  async hello(): Promise<HelloInfo> {
    this.info = decodeHello(await this.request(Command.HELLO, encodeHello()));
    return this.info;
  }

  /**
   * Streams a model into the board's slot, resuming an interrupted upload of the same model where the board says
   * it stopped. A model larger than the slot is refused before any byte is sent. `slot` above 0 places the model
   * after those of the slots before it (early-exit firmware only) and empties the slots after it; the board
   * refuses it with `model_too_large` when what is left of the slot region is too small.
   */
  async load(model: Uint8Array, onProgress?: (sent: number, total: number) => void, slot = 0): Promise<LoadResult> {
    const info = this.info ?? (await this.hello());
    const slots = info.earlyExit === true ? (info.maxSlots ?? 1) : 1;
    if (slot >= slots) {
      throw new BridgeError('unsupported', `the board holds ${slots} model slot${slots === 1 ? '' : 's'}; slot ${slot} does not exist`);
    }
    if (model.length > info.modelSlotBytes) {
      throw new BridgeError(
        'model_too_large',
        `model of ${model.length} bytes does not fit the board's model slot of ${info.modelSlotBytes} bytes; nothing was sent`,
        { detail: info.modelSlotBytes },
      );
    }
    const crc = crc32(model);
    const chunkBytes = info.maxPayload - LOAD_CHUNK_HEADER_BYTES;
    // slot 0 goes out in the 8-byte form every firmware understands
    const begin = encodeLoadBegin(model.length, crc, slot > 0 ? slot : undefined);
    const resumedFrom = decodeNextOffset(await this.request(Command.LOAD_BEGIN, begin), 'LOAD_BEGIN');
    let offset = this.checkOffset(resumedFrom, model.length);
    let bytesSent = 0;
    let corrections = 0;
    onProgress?.(offset, model.length);
    while (offset < model.length) {
      const chunk = model.subarray(offset, offset + chunkBytes);
      try {
        const next = decodeNextOffset(await this.request(Command.LOAD_CHUNK, encodeLoadChunk(offset, chunk)), 'LOAD_CHUNK');
        bytesSent += chunk.length;
        offset = this.checkOffset(next, model.length);
        corrections = 0;
      } catch (error) {
        if (!(error instanceof BridgeError) || error.boardCode !== 'bad_offset' || ++corrections > MAX_OFFSET_CORRECTIONS) throw error;
        this.logger?.debug({ offset, expected: error.detail }, 'board expects another offset; continuing from there');
        offset = this.checkOffset(error.detail ?? 0, model.length);
      }
      onProgress?.(offset, model.length);
    }
    const end = decodeLoadEnd(await this.request(Command.LOAD_END, EMPTY_PAYLOAD));
    if (end.bytes !== model.length || end.crc !== crc) {
      throw new BridgeError(
        'crc_mismatch',
        `board holds ${end.bytes} bytes with CRC 0x${hex(end.crc)}, expected ${model.length} bytes with CRC 0x${hex(crc)}`,
      );
    }
    return { ...end, resumedFrom, bytesSent };
  }

  async alloc(): Promise<AllocInfo> {
    return decodeAlloc(await this.request(Command.ALLOC, EMPTY_PAYLOAD, this.settings.allocTimeoutMs));
  }

  /** Writes an input tensor in as many frames as it needs; returns the bytes the board holds for it. */
  async setInput(index: number, bytes: Uint8Array): Promise<number> {
    const chunkBytes = (this.info ?? (await this.hello())).maxPayload - SET_INPUT_HEADER_BYTES;
    let written = 0;
    let offset = 0;
    do {
      const chunk = bytes.subarray(offset, offset + chunkBytes);
      written = decodeInputWritten(await this.request(Command.SET_INPUT, encodeSetInput(index, offset, chunk)));
      offset += chunk.length;
    } while (offset < bytes.length);
    return written;
  }

  /** Times `runs` inferences after `warmups`; asks again when the board lowered N to fit its answer in one frame. */
  async bench(warmups: number, runs: number, timeoutMs = DEFAULT_BENCH_TIMEOUT_MS): Promise<BenchResult> {
    const cycles: number[] = [];
    let first: BenchResult | undefined;
    while (cycles.length < runs) {
      const batch = decodeBench(await this.request(Command.BENCH, encodeBench(first ? 0 : warmups, runs - cycles.length), timeoutMs));
      if (batch.runs === 0) throw new BridgeError('protocol', 'BENCH answered with 0 timed runs');
      first ??= batch;
      cycles.push(...batch.cycles);
    }
    return { ...first!, warmups, runs: cycles.length, cycles };
  }

  /**
   * One early-exit inference on the board over the input SET_INPUT wrote: the slots hold segment_0, exit_0, ...,
   * final, and the sample leaves at the first exit whose `rule` score reaches its threshold (one per early exit).
   */
  async eeInfer(rule: EeRule, thresholds: readonly number[], timeoutMs = DEFAULT_BENCH_TIMEOUT_MS): Promise<EeInferResult> {
    const info = this.info ?? (await this.hello());
    if (info.earlyExit !== true) throw new BridgeError('unsupported', `the board's firmware (${info.firmwareVersion}) has no early-exit inference`);
    return decodeEeInfer(await this.request(Command.EE_INFER, encodeEeInfer(rule, thresholds), timeoutMs));
  }

  async getOutput(index: number): Promise<Uint8Array> {
    const maxBytes = (this.info ?? (await this.hello())).maxPayload - GET_OUTPUT_HEADER_BYTES;
    const parts: Uint8Array[] = [];
    let offset = 0;
    let total = 0;
    do {
      const chunk = decodeGetOutput(await this.request(Command.GET_OUTPUT, encodeGetOutput(index, offset, maxBytes)));
      total = chunk.totalBytes;
      if (chunk.bytes.length === 0 && offset < total) throw new BridgeError('protocol', `GET_OUTPUT returned no bytes at offset ${offset} of ${total}`);
      parts.push(chunk.bytes);
      offset += chunk.bytes.length;
    } while (offset < total);
    return concat(parts, total);
  }

  /** Restarts the board and waits for its boot banner; its model slot and allocation are gone afterwards. */
  async reset(): Promise<void> {
    // Listening starts before RESET goes out: the banner can follow the response within the same chunk.
    const banner = this.waitForText(BANNER_READY, this.settings.bannerTimeoutMs);
    try {
      await this.request(Command.RESET, EMPTY_PAYLOAD);
    } catch (error) {
      banner.cancel();
      throw error;
    }
    await banner.done;
    this.info = undefined;
  }

  /**
   * Switches both ends to `baud`, confirmed by a HELLO at the new rate. When that HELLO fails, goes back to the old
   * rate (the board does the same after 2 s without a valid frame) and returns the rate in effect.
   */
  async setBaud(baud: number): Promise<number> {
    const old = this.baud;
    const agreed = decodeBaud(await this.request(Command.SET_BAUD, encodeSetBaud(baud)));
    await this.transport.setBaud(agreed);
    try {
      await this.hello();
      this.baud = agreed;
    } catch (error) {
      if (!(error instanceof BridgeError) || error.code !== 'timeout') throw error;
      this.logger?.warn({ baud: agreed, old }, 'no HELLO at the new baud rate; falling back');
      await this.transport.setBaud(old);
      await this.helloUntil(Date.now() + BOARD_BAUD_FALLBACK_MS + this.settings.commandTimeoutMs * 2);
    }
    return this.baud;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.detach();
    await this.transport.close();
  }

  private detach(): void {
    this.closed = true;
    this.unsubscribe();
    this.pending?.settle({ kind: 'timeout' });
  }

  private async helloUntil(deadline: number): Promise<void> {
    for (;;) {
      try {
        await this.hello();
        return;
      } catch (error) {
        if (!(error instanceof BridgeError) || error.code !== 'timeout' || Date.now() > deadline) throw error;
      }
    }
  }

  private checkOffset(offset: number, total: number): number {
    if (offset > total) throw new BridgeError('protocol', `board expects offset ${offset} of a ${total}-byte model`);
    return offset;
  }

  /** Requests run one at a time, in call order. */
  private request(type: CommandType, payload: Uint8Array, timeoutMs = this.settings.commandTimeoutMs): Promise<Uint8Array> {
    const run = this.queue.then(() => this.exchange(type, payload, timeoutMs));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async exchange(type: CommandType, payload: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
    if (this.closed) throw new BridgeError('closed', `${commandName(type)}: the bridge is closed`);
    const seq = this.seq;
    this.seq = (this.seq + 1) & 0xff;
    const wire = encodeFrame({ type, seq, payload });
    this.stats.requests++;
    const problems: string[] = [];
    for (let attempt = 0; attempt <= this.settings.retries; attempt++) {
      if (attempt > 0) this.stats.resends++;
      const outcome = await this.attempt(seq, type, wire, timeoutMs);
      if (this.closed) throw new BridgeError('closed', `${commandName(type)}: the bridge was closed while waiting for the board`);
      if (outcome.kind === 'response') return this.unwrap(type, outcome.frame);
      if (outcome.kind === 'timeout') this.stats.timeouts++;
      problems.push(outcome.kind === 'timeout' ? `no answer within ${timeoutMs} ms` : outcome.why);
      this.logger?.debug({ command: commandName(type), seq, attempt, problem: problems.at(-1) }, 'resending request');
    }
    throw this.failure(type, problems);
  }

  private attempt(seq: number, type: number, wire: Uint8Array, timeoutMs: number): Promise<Outcome> {
    return new Promise<Outcome>((resolve) => {
      const timer = setTimeout(() => settle({ kind: 'timeout' }), timeoutMs);
      const settle = (outcome: Outcome): void => {
        clearTimeout(timer);
        if (this.pending?.settle === settle) this.pending = undefined;
        resolve(outcome);
      };
      this.pending = { seq, type, settle };
      this.stats.bytesSent += wire.length;
      this.transport.write(wire).catch((error: Error) => settle({ kind: 'retry', why: `write failed: ${error.message}` }));
    });
  }

  private unwrap(type: CommandType, frame: Frame): Uint8Array {
    if (frame.type !== ERROR_TYPE) return frame.payload;
    const board = decodeBoardError(frame.payload);
    throw new BridgeError('board_error', `${commandName(type)} refused by the board: ${board.code} (detail ${board.detail}): ${board.message}`, {
      boardCode: board.code,
      detail: board.detail,
      boardMessage: board.message,
    });
  }

  private failure(type: CommandType, problems: string[]): BridgeError {
    const counts = new Map<string, number>();
    for (const problem of problems) counts.set(problem, (counts.get(problem) ?? 0) + 1);
    const tally = [...counts].map(([problem, count]) => (count > 1 ? `${count}x ${problem}` : problem)).join(', ');
    let message = `${commandName(type)}: no valid response after ${problems.length} attempt${problems.length === 1 ? '' : 's'} (${tally})`;
    const text = this.recentText();
    if (text.length > 0) message += `; the port carried text instead, last: "${text[text.length - 1]}" (wrong device or baud rate?)`;
    const timedOut = problems.some((problem) => problem.startsWith('no answer'));
    return new BridgeError(timedOut ? 'timeout' : 'protocol', message, { recentText: text });
  }

  private receive(chunk: Uint8Array): void {
    for (const event of this.parser.push(chunk)) this.handle(event);
  }

  private handle(event: LinkEvent): void {
    if (event.kind === 'text') {
      this.recent.push(event.line);
      if (this.recent.length > RECENT_TEXT_LINES) this.recent.shift();
      for (const listener of this.textListeners) listener(event.line);
      return;
    }
    const pending = this.pending;
    if (event.kind === 'frame_error') {
      this.stats.frameErrors++;
      // A damaged frame is most likely our answer: asking again now beats waiting out the timeout.
      pending?.settle({ kind: 'retry', why: `damaged response (${event.reason})` });
      return;
    }
    const { frame } = event;
    if (frame.type === NAK_TYPE) {
      // The board cannot know the seq of a frame that failed its CRC check, so any NAK concerns the outstanding one.
      this.stats.naks++;
      pending?.settle({ kind: 'retry', why: `NAK (${decodeNak(frame.payload)})` });
      return;
    }
    const answers = pending && frame.seq === pending.seq && (frame.type === (pending.type | RESPONSE_BIT) || frame.type === ERROR_TYPE);
    if (!answers) {
      this.stats.staleResponses++;
      return;
    }
    pending.settle({ kind: 'response', frame });
  }

  private waitForText(line: string, timeoutMs: number): { done: Promise<void>; cancel: () => void } {
    let cancel = (): void => undefined;
    const done = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        stop();
        const text = this.recentText();
        const last = text.length > 0 ? `; last text: "${text[text.length - 1]}"` : '; no text at all';
        reject(new BridgeError('timeout', `no "${line}" from the board within ${timeoutMs} ms${last}`, { recentText: text }));
      }, timeoutMs);
      const stop = this.onText((received) => {
        if (received !== line) return;
        cancel();
        resolve();
      });
      cancel = () => {
        clearTimeout(timer);
        stop();
      };
    });
    return { done, cancel };
  }
}

function hex(value: number): string {
  return value.toString(16).padStart(8, '0');
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part.subarray(0, total - at), at);
    at += part.length;
  }
  return out;
}
