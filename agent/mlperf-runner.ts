import { BridgeError } from '../firmware-bridge/errors.ts';
import { MlperfClient } from '../firmware-bridge/mlperf-client.ts';
import type { MlperfProfile } from '../firmware-bridge/mlperf-client.ts';
import type { ByteTransport } from '../firmware-bridge/transport.ts';
import { summariseRuns } from '../src/measure/latency-summary.ts';
import type { Measurement, MeasureSettings, Provenance, Runner } from '../src/measure/measurement.ts';
import type { BoardProfile } from '../src/measure/profiles/schema.ts';
import { Prng } from '../src/util/prng.ts';
import { BoardUnresponsiveError } from './errors.ts';

/**
 * A board running MLPerf Tiny firmware, which cannot load a model: it times the model built into it with
 * `infer N W`. That measures the board and its firmware, never the job's model, so every measurement says so
 * (`provenance.model: 'builtin'`, arena, flash, MACs and parameters 0 for unknown) and the measured evaluator
 * refuses it. Like the MLCommons runner, the latency is the median of 5 `infer` windows when there are enough
 * timed runs for 5.
 */

export interface MlperfRunnerOptions {
  /** Board name in the agent's registry. */
  name: string;
  agent?: string;
  profile: BoardProfile;
  /** Opens the link; called again after the board stopped answering. */
  open: () => Promise<ByteTransport>;
  /** Bytes of the built-in model's input, where its `m-model-[...]` is not one of the known benchmarks. */
  inputBytes?: number;
  commandTimeoutMs?: number;
  inferTimeoutMs?: number;
  now?: () => Date;
}

/** Input bytes of the MLPerf Tiny benchmark models (int8 tensors): 32x32x3 images, 49x10 MFCCs, 96x96x3 images. */
const BENCHMARK_INPUT_BYTES: Record<string, number> = { ic01: 32 * 32 * 3, kws01: 49 * 10, vww01: 96 * 96 * 3 };
const WINDOWS = 5;

interface Session {
  transport: ByteTransport;
  client: MlperfClient;
  firmware: MlperfProfile;
}

export class MlperfRunner implements Runner {
  readonly profile: string;
  private session?: Session;

  constructor(private readonly opts: MlperfRunnerOptions) {
    this.profile = opts.profile.id;
  }

  /** `model` is not sent anywhere: the firmware runs its own. */
  async measure(_model: Uint8Array, settings: MeasureSettings): Promise<Measurement> {
    const session = await this.connect();
    const timed = Math.max(settings.timedRuns, 1);
    const windows = timed >= WINDOWS ? WINDOWS : 1;
    const perWindow = Math.floor(timed / windows);
    const inputBytes = this.opts.inputBytes ?? BENCHMARK_INPUT_BYTES[session.firmware.model ?? ''];
    const builtin = session.firmware.model ?? 'model';
    const input = inputBytes === undefined ? 'input as the firmware holds it' : `${settings.inputPolicy} input`;
    const provenance: Provenance = {
      board: this.opts.name,
      profile: this.opts.profile.id,
      agent: this.opts.agent ?? 'local',
      firmware: session.firmware.profile,
      runtime: `MLPerf Tiny text mode: built-in ${builtin}, ${input}, median of ${windows} x infer ${perWindow} ${settings.warmupRuns}`,
      simulated: false,
      model: 'builtin',
      settings,
      time: (this.opts.now ?? (() => new Date()))().toISOString(),
    };
    try {
      if (inputBytes !== undefined) await session.client.loadInput(inputOf(inputBytes, settings));
      const runs: number[] = [];
      for (let w = 0; w < windows; w++) runs.push((await session.client.infer(perWindow, settings.warmupRuns)).latency_us / 1000);
      return { ok: true, latency: summariseRuns(runs), arena: { bytes: 0 }, flash_bytes: 0, macs: 0, params: 0, provenance };
    } catch (err) {
      if (!(err instanceof BridgeError)) throw err;
      if (err.code === 'board_error' || err.code === 'protocol') return { ok: false, reason: 'board_error', message: `${this.opts.name}: ${err.message}`, provenance };
      throw await this.drop(err);
    }
  }

  async close(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    session?.client.close();
    await session?.transport.close().catch(() => undefined);
  }

  private async connect(): Promise<Session> {
    if (this.session) return this.session;
    const transport = await this.opts.open();
    const client = new MlperfClient(transport, { commandTimeoutMs: this.opts.commandTimeoutMs, inferTimeoutMs: this.opts.inferTimeoutMs });
    try {
      if (this.opts.profile.transport.resetsOnOpen) await client.waitForBoot();
      this.session = { transport, client, firmware: await client.profile() };
      return this.session;
    } catch (err) {
      client.close();
      await transport.close().catch(() => undefined);
      if (err instanceof BridgeError && err.code === 'timeout') throw new BoardUnresponsiveError(`${this.opts.name}: no MLPerf answer to profile (${err.message})`);
      throw err;
    }
  }

  /** A board that stopped answering: pulse its reset line if it has one and drop the session, so the next job reconnects. */
  private async drop(cause: BridgeError): Promise<BoardUnresponsiveError> {
    const session = this.session;
    const line = this.opts.profile.transport.resetLine;
    if (session && line) await session.transport.pulseReset(line).catch(() => undefined);
    await this.close();
    return new BoardUnresponsiveError(`${this.opts.name}: ${cause.message}${line ? `; ${line.toUpperCase()} pulsed` : ''}`);
  }
}

/** Zeros, or seeded random bytes (an int8 input's whole range). */
function inputOf(size: number, settings: MeasureSettings): Uint8Array {
  const bytes = new Uint8Array(size);
  if (settings.inputPolicy === 'random') {
    const rng = new Prng(settings.seed);
    for (let i = 0; i < size; i++) bytes[i] = Math.floor(rng.next() * 256);
  }
  return bytes;
}
