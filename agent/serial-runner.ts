import { statsOfJobModel } from '../src/measure/model-of-job.ts';
import type { Logger } from 'pino';
import { BridgeClient } from '../firmware-bridge/bridge-client.ts';
import { BridgeError } from '../firmware-bridge/errors.ts';
import type { AllocInfo, HelloInfo } from '../firmware-bridge/messages.ts';
import type { ByteTransport } from '../firmware-bridge/transport.ts';
import { summariseRuns } from '../src/measure/latency-summary.ts';
import type { FailureReason, Measurement, MeasureSettings, Provenance, Runner } from '../src/measure/measurement.ts';
import type { BoardProfile } from '../src/measure/profiles/schema.ts';
import { estimateFlash } from '../src/measure/simulator/memory.ts';
import { Prng } from '../src/util/prng.ts';
import { BoardUnresponsiveError } from './errors.ts';

/**
 * Measures on a microcontroller running the cnas firmware, through the binary bridge: the model is streamed into
 * the board's RAM slot, TFLite Micro allocates it (the arena size is the board's own `arena_used_bytes()`), and
 * the board times W warm-ups and N runs with its cycle counter. Flash is computed (model bytes plus the runtime's
 * code, as the simulator counts it), since the model sits in RAM while measured.
 */

export interface SerialRunnerOptions {
  /** Board name in the agent's registry. */
  name: string;
  agent?: string;
  profile: BoardProfile;
  /** Opens the link (a serial port, or a pty in tests); called again after the board had to be revived. */
  open: () => Promise<ByteTransport>;
  /**
   * A faster rate to switch to after HELLO (SET_BAUD), for uploads: 115200 baud moves ~11 kB/s, and the debug
   * probes' virtual COM ports take 921600 or more. If the board cannot follow, the bridge falls back by itself.
   */
  uploadBaud?: number;
  /** The rate the port was opened at (the fallback of SET_BAUD). */
  baud?: number;
  /** How long BENCH may take before the board counts as hung. */
  benchTimeoutMs?: number;
  /** Per-command timeout and retries of the bridge (tests shorten them). */
  commandTimeoutMs?: number;
  logger?: Logger;
  now?: () => Date;
}

interface Session {
  transport: ByteTransport;
  client: BridgeClient;
  hello: HelloInfo;
}

const DEFAULT_BENCH_TIMEOUT_MS = 60_000;

export class SerialRunner implements Runner {
  readonly profile: string;
  private session?: Session;
  private firmwareId?: string;

  constructor(private readonly opts: SerialRunnerOptions) {
    this.profile = opts.profile.id;
  }

  /** Firmware, TFLite Micro version and backend, once the board has said HELLO: the stand-in never shares a cache key with a board. */
  get firmware(): string | undefined {
    return this.firmwareId;
  }

  /** What the board said of itself, connecting first if needed (for `cnas bench --port` and detection). */
  async hello(): Promise<HelloInfo> {
    return (await this.connect()).hello;
  }

  async measure(model: Uint8Array, settings: MeasureSettings): Promise<Measurement> {
    const session = await this.connect();
    const provenance = this.provenance(session.hello, settings);
    const fail = (reason: FailureReason, message: string): Measurement => ({ ok: false, reason, message, provenance });

    const read = statsOfJobModel(model);
    if ('invalid' in read) return fail('invalid_model', read.invalid);
    const { stats } = read;
    if (model.length > session.hello.modelSlotBytes) {
      return fail('flash_overflow', `${this.opts.name}: the model (${model.length} B) is larger than the board's model slot (${session.hello.modelSlotBytes} B); nothing was sent`);
    }
    try {
      await session.client.load(model);
      const alloc = await this.allocate(session.client);
      if ('failure' in alloc) return fail(alloc.failure, alloc.message);
      await session.client.setInput(0, inputBytes(alloc.info, settings));
      const bench = await session.client.bench(settings.warmupRuns, Math.max(1, settings.timedRuns), this.opts.benchTimeoutMs ?? DEFAULT_BENCH_TIMEOUT_MS);
      const latency = summariseRuns(bench.cycles.map((c) => (c / bench.clockHz) * 1000));
      const power = this.opts.profile.power;
      return {
        ok: true,
        latency,
        arena: { bytes: alloc.info.arenaUsedBytes, persistent_bytes: alloc.info.persistentBytes, non_persistent_bytes: alloc.info.nonPersistentBytes },
        flash_bytes: estimateFlash(stats, this.opts.profile.simulator),
        macs: stats.totals.macs,
        params: stats.totals.params,
        ...(power ? { energy_mj: (power.activeMw * latency.median_ms) / 1000 } : {}),
        provenance,
      };
    } catch (err) {
      if (err instanceof BridgeError && err.code === 'timeout') throw await this.revive(err);
      throw err;
    }
  }

  async close(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    await session?.client.close().catch(() => undefined);
  }

  private async connect(): Promise<Session> {
    if (this.session) return this.session;
    const transport = await this.opts.open();
    try {
      const client = await BridgeClient.connect(transport, {
        waitForBanner: this.opts.profile.transport.resetsOnOpen,
        commandTimeoutMs: this.opts.commandTimeoutMs,
        baud: this.opts.baud,
        logger: this.opts.logger,
      });
      const hello = await client.hello();
      if (this.opts.uploadBaud && this.opts.uploadBaud !== this.opts.baud) await client.setBaud(this.opts.uploadBaud);
      this.session = { transport, client, hello };
      this.firmwareId = `cnas-firmware ${hello.firmwareVersion}/tflm ${hello.tflmVersion}/${hello.realBackend ? 'real' : 'stand-in'}`;
      return this.session;
    } catch (err) {
      await transport.close().catch(() => undefined);
      if (err instanceof BridgeError && err.code === 'timeout') throw new BoardUnresponsiveError(`${this.opts.name}: no answer to HELLO (${err.message})`);
      throw err;
    }
  }

  /** ALLOC's refusals are properties of the model on this board (constraint violations), not board faults. */
  private async allocate(client: BridgeClient): Promise<{ info: AllocInfo } | { failure: FailureReason; message: string }> {
    try {
      return { info: await client.alloc() };
    } catch (err) {
      if (!(err instanceof BridgeError) || err.boardCode !== 'alloc_failed') throw err;
      const message = `${this.opts.name}: ${err.message}`;
      if (/unsupported operator/i.test(err.message)) return { failure: 'unsupported_operator', message };
      if (/invalid model/i.test(err.message)) return { failure: 'invalid_model', message };
      return { failure: 'arena_overflow', message };
    }
  }

  /**
   * A board that stopped answering: a soft RESET, then the profile's reset line, then give up. Either way the
   * session is dropped, so the next job reconnects; this job goes back to the hub, which counts the failure.
   */
  private async revive(cause: BridgeError): Promise<BoardUnresponsiveError> {
    const session = this.session;
    this.session = undefined;
    let how = 'it did not answer a reset';
    if (session) {
      try {
        await session.client.reset();
        how = 'it answered a soft reset';
      } catch {
        const line = this.opts.profile.transport.resetLine;
        if (line) {
          await session.transport.pulseReset(line).catch(() => undefined);
          how = `no answer to a soft reset; ${line.toUpperCase()} pulsed`;
        }
      }
      await session.client.close().catch(() => undefined);
    }
    this.opts.logger?.warn({ board: this.opts.name, cause: cause.message, how }, 'board stopped answering');
    return new BoardUnresponsiveError(`${this.opts.name}: ${cause.message}; ${how}`);
  }

  private provenance(hello: HelloInfo, settings: MeasureSettings): Provenance {
    return {
      board: this.opts.name,
      profile: this.opts.profile.id,
      agent: this.opts.agent ?? 'local',
      firmware: `cnas-firmware ${hello.firmwareVersion} (TFLite Micro ${hello.tflmVersion})`,
      runtime: hello.backend,
      // the host build's stand-in backend answers the protocol but its timings are not a board's
      simulated: !hello.realBackend,
      settings,
      time: (this.opts.now ?? (() => new Date()))().toISOString(),
    };
  }
}

/** The board's first input, as the settings ask: zeros, or seeded random bytes (int8 covers the whole range). */
function inputBytes(alloc: AllocInfo, settings: MeasureSettings): Uint8Array {
  const bytes = new Uint8Array(alloc.inputs[0]?.bytes ?? 0);
  if (settings.inputPolicy === 'random') {
    const rng = new Prng(settings.seed);
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(rng.next() * 256);
  }
  return bytes;
}
