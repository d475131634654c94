import { BridgeError } from './errors.ts';
import { TextLines } from './text-lines.ts';
import type { ByteTransport } from './transport.ts';

/**
 * The host side of MLPerf Tiny's (EEMBC's) text protocol, for any compliant firmware, the cnas firmware's text
 * mode included: commands are ASCII terminated by `%`, the board answers in `\r\n` lines (`m-...` information,
 * `e-[...]` errors) and ends every command with `m-ready`. One command is in flight at a time; lines that arrive
 * while none is, and lines a command does not expect, are ignored.
 */

export interface MlperfClientOptions {
  /** How long any command but `infer` may take to reach `m-ready`. */
  commandTimeoutMs?: number;
  /** How long `infer` may take (warm-ups and timed runs included). */
  inferTimeoutMs?: number;
}

export interface MlperfProfile {
  /** `m-profile-[...]`: the firmware's name and version. */
  profile: string;
  /** `m-model-[...]`: the benchmark model built in (ic01, kws01, vww01, ad01, ...), when the firmware says. */
  model?: string;
}

export interface InferResult {
  /** The two `m-lap-us-N` timestamps around the timed runs, in microseconds since boot. */
  laps_us: [number, number];
  /** Microseconds per inference: the lap difference over the number of runs. */
  latency_us: number;
  /** `m-results-[...]`, the last run's outputs, when the firmware prints them after `infer`. */
  results?: number[];
}

/** The DUT's command buffer is 80 characters, the `%` included. */
const MAX_COMMAND_CHARS = 79;
/** Data bytes per `db` line, as the MLCommons runner sends them. */
export const DB_BYTES_PER_LINE = 31;
const DEFAULT_COMMAND_TIMEOUT_MS = 1000;
const DEFAULT_INFER_TIMEOUT_MS = 60_000;
const BOOT_TIMEOUT_MS = 5000;
const RECENT_LINES = 16;
/** Lap timestamps are a 32-bit microsecond counter, which wraps after 71 minutes. */
const LAP_WRAP = 2 ** 32;

interface Pending {
  /** Undefined while waiting for the boot banner. */
  command?: string;
  lines: string[];
  error?: string;
  resolve: (lines: string[]) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

function bracketed(lines: readonly string[], prefix: string): string | undefined {
  for (const line of lines) {
    if (line.startsWith(`${prefix}[`) && line.endsWith(']')) return line.slice(prefix.length + 1, -1);
  }
  return undefined;
}

function parseNumbers(list: string, what: string): number[] {
  const values = list.split(',').map((s) => s.trim()).filter((s) => s.length > 0).map(Number);
  if (values.some((v) => !Number.isFinite(v))) throw new BridgeError('protocol', `${what}: not a list of numbers: [${list}]`);
  return values;
}

export class MlperfClient {
  private readonly reader = new TextLines();
  private readonly unsubscribe: () => void;
  private readonly commandTimeoutMs: number;
  private readonly inferTimeoutMs: number;
  private readonly recent: string[] = [];
  private pending?: Pending;
  /** An `m-ready` arrived while no command was in flight (a boot banner already printed). */
  private readyUnasked = false;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly transport: ByteTransport,
    options: MlperfClientOptions = {},
  ) {
    this.commandTimeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    this.inferTimeoutMs = options.inferTimeoutMs ?? DEFAULT_INFER_TIMEOUT_MS;
    this.unsubscribe = transport.onData((chunk) => this.receive(chunk));
  }

  /** `m-name-dut-[X]`: the name the firmware gives its board. */
  async name(): Promise<string> {
    const lines = await this.command('name');
    const name = bracketed(lines, 'm-name-dut-');
    if (name === undefined) throw this.protocolError('name', 'no m-name-dut-[...] line');
    return name;
  }

  async profile(): Promise<MlperfProfile> {
    const lines = await this.command('profile');
    const profile = bracketed(lines, 'm-profile-');
    if (profile === undefined) throw this.protocolError('profile', 'no m-profile-[...] line');
    const model = bracketed(lines, 'm-model-');
    return model === undefined ? { profile } : { profile, model };
  }

  /** Fills the firmware's input buffer (`db load N`, then `db <hex>` lines), for the next `infer`. */
  async loadInput(bytes: Uint8Array): Promise<void> {
    if (bytes.length === 0) throw new RangeError('an MLPerf input has at least one byte');
    await this.command(`db load ${bytes.length}`);
    let last: string[] = [];
    for (let offset = 0; offset < bytes.length; offset += DB_BYTES_PER_LINE) {
      const hex = Buffer.from(bytes.subarray(offset, offset + DB_BYTES_PER_LINE)).toString('hex');
      last = await this.command(`db ${hex}`);
    }
    if (!last.includes('m-load-done')) throw this.protocolError('db', `no m-load-done after ${bytes.length} bytes`);
  }

  /** `infer N W`: W warm-ups, then N timed runs between two lap timestamps. */
  async infer(runs: number, warmups: number): Promise<InferResult> {
    if (!Number.isInteger(runs) || runs < 1) throw new RangeError(`infer needs at least one run, got ${runs}`);
    if (!Number.isInteger(warmups) || warmups < 0) throw new RangeError(`warm-ups must be a non-negative integer, got ${warmups}`);
    const lines = await this.command(`infer ${runs} ${warmups}`, this.inferTimeoutMs);
    const laps = lines.flatMap((line) => /^m-lap-us-(\d+)$/.exec(line)?.[1] ?? []).map(Number);
    if (laps.length < 2) throw this.protocolError('infer', `too few timestamps (${laps.length}; a firmware built for energy mode prints none)`);
    if (!lines.includes('m-infer-done')) throw this.protocolError('infer', 'no m-infer-done');
    const [a, b] = laps;
    const elapsed = b >= a ? b - a : b + LAP_WRAP - a;
    const results = bracketed(lines, 'm-results-');
    return { laps_us: [a, b], latency_us: elapsed / runs, ...(results !== undefined && { results: parseNumbers(results, 'infer') }) };
  }

  /** `m-results-[...]`: the outputs of the last inference. */
  async results(): Promise<number[]> {
    const lines = await this.command('results');
    const results = bracketed(lines, 'm-results-');
    if (results === undefined) throw this.protocolError('results', 'no m-results-[...] line');
    return parseNumbers(results, 'results');
  }

  /**
   * Sends one command and resolves with the lines the board printed before `m-ready`. An `e-[...]` line makes it
   * a `board_error` carrying the board's message; no `m-ready` in time, a `timeout`.
   */
  command(text: string, timeoutMs = this.commandTimeoutMs): Promise<string[]> {
    if (text.length === 0 || text.length > MAX_COMMAND_CHARS || !/^[\x20-\x7e]+$/.test(text) || text.includes('%')) {
      return Promise.reject(new RangeError(`not an MLPerf command (printable ASCII without %, 1..${MAX_COMMAND_CHARS} chars): ${JSON.stringify(text)}`));
    }
    const run = this.queue.then(() => this.send(text, timeoutMs));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Waits for the boot banner's `m-ready` (a board that resets when its port opens), with the lines before it;
   * a `timeout` when the board stays silent.
   */
  waitForBoot(timeoutMs = BOOT_TIMEOUT_MS): Promise<string[]> {
    const run = this.queue.then(() => (this.readyUnasked ? this.recent.slice() : this.send(undefined, timeoutMs)));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Stops listening; the transport stays open (its owner closes it). A command in flight fails as `closed`. */
  close(): void {
    this.closed = true;
    this.unsubscribe();
    this.settle(new BridgeError('closed', 'the MLPerf client was closed'));
  }

  /** Sends `text` (nothing when undefined) and collects lines until `m-ready`. */
  private send(text: string | undefined, timeoutMs: number): Promise<string[]> {
    if (this.closed) return Promise.reject(new BridgeError('closed', 'the MLPerf client was closed'));
    return new Promise<string[]>((resolve, reject) => {
      const timer = setTimeout(() => this.settle(this.timeoutError(timeoutMs)), timeoutMs);
      this.pending = { command: text, lines: [], resolve, reject, timer };
      if (text === undefined) return;
      this.transport.write(new TextEncoder().encode(`${text}%`)).catch((err: Error) => this.settle(new BridgeError('closed', `writing "${text}%": ${err.message}`)));
    });
  }

  private receive(chunk: Uint8Array): void {
    for (const line of this.reader.push(chunk)) {
      this.recent.push(line);
      if (this.recent.length > RECENT_LINES) this.recent.shift();
      const pending = this.pending;
      if (!pending) {
        if (line === 'm-ready') this.readyUnasked = true;
        continue;
      }
      if (line === 'm-ready') this.settle(pending.error === undefined ? undefined : this.boardError(pending.error));
      else if (line.startsWith('e-[') && line.endsWith(']')) pending.error ??= line.slice(3, -1);
      else pending.lines.push(line);
    }
  }

  /** Ends the command in flight: with its lines, or with `error`. */
  private settle(error?: Error): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    clearTimeout(pending.timer);
    if (error) pending.reject(error);
    else pending.resolve(pending.lines);
  }

  private timeoutError(timeoutMs: number): BridgeError {
    const pending = this.pending!;
    // A board that reported an error but never got ready again still reported the error.
    if (pending.error !== undefined) return this.boardError(pending.error);
    const after = pending.command === undefined ? 'waiting for the boot banner' : `after "${pending.command}%"`;
    return new BridgeError('timeout', `no m-ready within ${timeoutMs} ms ${after}`, { recentText: [...this.recent] });
  }

  private boardError(message: string): BridgeError {
    const command = this.pending?.command;
    return new BridgeError('board_error', `${command === undefined ? 'at boot' : `"${command}%"`}: the board answered e-[${message}]`, { boardMessage: message, recentText: [...this.recent] });
  }

  private protocolError(command: string, what: string): BridgeError {
    return new BridgeError('protocol', `${command}: ${what} in the board's answer`, { recentText: [...this.recent] });
  }
}
