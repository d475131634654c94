import type { ByteTransport } from '../../firmware-bridge/transport.ts';

/**
 * An MLPerf Tiny DUT in memory, playing the reference firmware's text protocol over a ByteTransport: `name`,
 * `profile`, `db load N`, `db <hex>`, `infer N W` (laps `usPerInference` apart), `results`, and
 * `e-[Unknown command: X]` for anything else. It can interleave noise, answer in tiny chunks, or stay silent.
 */

export interface FakeDutOptions {
  name?: string;
  profile?: string;
  /** `m-model-[...]`; none printed when undefined. */
  model?: string;
  usPerInference?: number;
  /** Microseconds since boot of the first lap (a value near 2^32 tests the wrap). */
  bootUs?: number;
  outputs?: number[];
  /** Prints noise lines and binary bytes between its lines. */
  noisy?: boolean;
  /** Splits what it sends into chunks of this many bytes. */
  chunkBytes?: number;
  /** Commands (first word) it never answers. */
  silentOn?: readonly string[];
  /** Built for energy mode: `infer` prints no lap timestamps (a GPIO edge marks them instead). */
  energyMode?: boolean;
  /** Prints `e-[...]` for this command (first word) and never `m-ready`. */
  hangAfterErrorOn?: string;
}

const NOISE = new Uint8Array([0xff, 0x00, 0x13, 0x80, ...new TextEncoder().encode('garbage'), 0x0a]);

export class FakeMlperfDut implements ByteTransport {
  readonly commands: string[] = [];
  readonly dbBuffer: number[] = [];
  private expected = 0;
  private clockUs: number;
  private inbox = '';
  private readonly listeners = new Set<(chunk: Uint8Array) => void>();

  constructor(private readonly opts: FakeDutOptions = {}) {
    this.clockUs = opts.bootUs ?? 1_000_000;
  }

  async write(bytes: Uint8Array): Promise<void> {
    this.inbox += new TextDecoder().decode(bytes);
    for (let end = this.inbox.indexOf('%'); end !== -1; end = this.inbox.indexOf('%')) {
      const command = this.inbox.slice(0, end);
      this.inbox = this.inbox.slice(end + 1);
      this.commands.push(command);
      setImmediate(() => this.answer(command));
    }
  }

  onData(listener: (chunk: Uint8Array) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async setBaud(): Promise<void> {}
  async pulseReset(): Promise<void> {}
  async close(): Promise<void> {
    this.listeners.clear();
  }

  /** Sends raw bytes to the host, as a device that talks unasked. */
  emit(bytes: Uint8Array | string): void {
    const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
    const step = this.opts.chunkBytes ?? data.length;
    for (let i = 0; i < data.length; i += step) for (const l of this.listeners) l(data.subarray(i, i + step));
  }

  private print(lines: string[]): void {
    for (const line of lines) {
      if (this.opts.noisy) this.emit(NOISE);
      this.emit(`${line}\r\n`);
    }
  }

  private answer(command: string): void {
    const [verb, ...args] = command.trim().split(/\s+/);
    if (this.opts.silentOn?.includes(verb)) return;
    if (this.opts.hangAfterErrorOn === verb) return this.print([`e-[${verb} went wrong]`]);
    this.print([...this.lines(verb, args), 'm-ready']);
  }

  private lines(verb: string, args: string[]): string[] {
    const results = `m-results-[${(this.opts.outputs ?? [0.1, 0.9]).map((v) => v.toFixed(3)).join(',')}]`;
    switch (verb) {
      case 'name':
        return [`m-name-dut-[${this.opts.name ?? 'unspecified'}]`];
      case 'profile':
        return [`m-profile-[${this.opts.profile ?? 'ULPMark for tinyML Firmware V0.0.1'}]`, ...(this.opts.model ? [`m-model-[${this.opts.model}]`] : [])];
      case 'db':
        if (args[0] === 'load') {
          this.expected = Number(args[1]);
          this.dbBuffer.length = 0;
          return [`m-[Expecting ${this.expected} bytes]`];
        }
        if (args[0].length % 2 === 1) return ['e-[Insufficent number of hex digits]'];
        for (let i = 0; i < args[0].length; i += 2) this.dbBuffer.push(parseInt(args[0].slice(i, i + 2), 16));
        return this.dbBuffer.length >= this.expected ? ['m-load-done'] : [];
      case 'infer': {
        const [n, w] = args.map(Number);
        const start = this.clockUs % 2 ** 32;
        this.clockUs += n * (this.opts.usPerInference ?? 1000);
        const laps = this.opts.energyMode ? [] : [`m-lap-us-${start}`, `m-lap-us-${this.clockUs % 2 ** 32}`];
        return [`m-warmup-start-${w}`, 'm-warmup-done', `m-infer-start-${n}`, ...laps, 'm-infer-done', results];
      }
      case 'results':
        return [results];
      default:
        return [`e-[Unknown command: ${[verb, ...args].join(' ')}]`];
    }
  }
}
