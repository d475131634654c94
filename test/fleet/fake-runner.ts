import { BoardUnresponsiveError } from '../../agent/errors.ts';
import type { Measurement, MeasureSettings, Runner } from '../../src/measure/measurement.ts';

/**
 * A runner for fleet tests and the hub bench: sleeps instead of running, and counts calls and overlapping
 * calls, so a test can tell whether the hub ever gave one board two jobs at once.
 */

export type FakeBehaviour = 'ok' | 'hang' | 'throw' | 'unresponsive' | 'arena_overflow';

export interface FakeRunnerOptions {
  latencyMs?: number;
  /** Per call (0-based): what this call does. */
  behaviour?: (call: number) => FakeBehaviour;
  onStart?: (call: number) => void;
}

export class FakeRunner implements Runner {
  calls = 0;
  active = 0;
  maxActive = 0;

  constructor(
    readonly profile: string,
    private readonly opts: FakeRunnerOptions = {},
  ) {}

  async measure(model: Uint8Array, settings: MeasureSettings): Promise<Measurement> {
    const call = this.calls++;
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      this.opts.onStart?.(call);
      const behaviour = this.opts.behaviour?.(call) ?? 'ok';
      if (behaviour === 'hang') await new Promise(() => undefined);
      const latency = this.opts.latencyMs ?? 0;
      if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
      if (behaviour === 'throw') throw new Error('board fell over');
      if (behaviour === 'unresponsive') throw new BoardUnresponsiveError('no answer to BENCH; a reset did not revive it');
      const provenance = { board: '?', profile: this.profile, agent: '?', firmware: 'fake-1', runtime: 'fake', simulated: true, settings, time: new Date().toISOString() };
      if (behaviour === 'arena_overflow') return { ok: false, reason: 'arena_overflow', message: 'arena too small', provenance };
      return {
        ok: true,
        latency: { median_ms: latency, p90_ms: latency, runs_ms: [latency] },
        arena: { bytes: 1024 },
        flash_bytes: model.length,
        macs: model.length * 10,
        params: model.length,
        provenance,
      };
    } finally {
      this.active--;
    }
  }
}
