import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { canonicalSettings } from '../../src/measure/cache.ts';
import type { MeasurementCache } from '../../src/measure/cache.ts';
import type { FailureReason, Measurement, MeasurementFailure, MeasureSettings } from '../../src/measure/measurement.ts';
import { sha256Hex } from '../../src/protocol/digest.ts';
import { PROTOCOL_VERSION } from '../../src/protocol/messages.ts';
import type { BoardInfo, JobMessage } from '../../src/protocol/messages.ts';
import { boardMatches } from './board-state.ts';
import type { BoardState, BoardStatus } from './board-state.ts';

/**
 * The hub's jobs and boards, without sockets: a priority queue of jobs, at most one job per board, timeouts,
 * retries on other boards of the same profile, unhealthy boards, the cache and the coalescing of identical
 * requests. The hub feeds it the agents' messages and gives it a way to send a job.
 */

export interface SchedulerOptions {
  cache: MeasurementCache;
  logger: Logger;
  jobTimeoutMs: number;
  maxAttempts: number;
  /** Consecutive timeouts after which a board is skipped for the rest of the hub's life. */
  unhealthyAfter: number;
  /** Sends a job to an agent; false when its connection is gone. */
  send: (agent: string, job: JobMessage) => boolean;
}

export interface SchedulerStats {
  submitted: number;
  dispatched: number;
  completed: number;
  cacheHits: number;
  coalesced: number;
  timeouts: number;
  requeued: number;
  /** Answers for jobs already finished elsewhere (a timed-out board answering late, a rerun): dropped. */
  stale: number;
  queued: number;
  running: number;
}

interface Job {
  id: string;
  seq: number;
  priority: number;
  model: Uint8Array;
  modelB64: string;
  sha256: string;
  selector: string;
  settings: MeasureSettings;
  coalesceKey: string;
  /** Attempts that count against maxAttempts: a disconnect or a hand-back does not. */
  attempts: number;
  tried: Set<string>;
  board?: BoardState;
  timer?: NodeJS.Timeout;
  waiters: { resolve: (m: Measurement) => void; reject: (err: Error) => void }[];
}

/** What an agent's job error means for the job and the board. */
export type JobErrorKind = 'handed_back' | 'board_unresponsive' | 'failed';

export class Scheduler {
  private readonly boardsByKey = new Map<string, BoardState>();
  private readonly draining = new Set<string>();
  private readonly unhealthy = new Set<string>();
  private readonly jobs = new Map<string, Job>();
  private readonly byRequest = new Map<string, Job>();
  private queue: Job[] = [];
  private seq = 0;
  private readonly counts = { submitted: 0, dispatched: 0, completed: 0, cacheHits: 0, coalesced: 0, timeouts: 0, requeued: 0, stale: 0 };

  constructor(private readonly opts: SchedulerOptions) {}

  addAgent(agent: string, boards: BoardInfo[]): void {
    for (const info of boards) {
      const key = `${agent}/${info.name}`;
      this.boardsByKey.set(key, { key, agent, info, healthy: !this.unhealthy.has(key), consecutiveTimeouts: 0 });
    }
    this.draining.delete(agent);
    this.dispatch();
  }

  /** The agent's connection is gone: its running jobs go back to the queue, not counted as attempts. */
  removeAgent(agent: string): void {
    for (const board of this.boardsOf(agent)) {
      const job = board.running && this.jobs.get(board.running.jobId);
      if (job && job.board === board) this.requeue(job, false);
      this.boardsByKey.delete(board.key);
    }
    this.draining.delete(agent);
    this.dispatch();
  }

  /** The agent is shutting down: it finishes what it runs but gets nothing new. */
  drainAgent(agent: string): void {
    this.draining.add(agent);
  }

  submit(model: Uint8Array, selector: string, settings: MeasureSettings, priority = 0): Promise<Measurement> {
    this.counts.submitted++;
    const sha256 = sha256Hex(model);
    const coalesceKey = `${sha256}|${selector}|${canonicalSettings(settings)}`;
    const same = this.byRequest.get(coalesceKey);
    if (same) {
      this.counts.coalesced++;
      if (priority > same.priority && !same.board) this.enqueue(Object.assign(this.unqueue(same), { priority }));
      return new Promise((resolve, reject) => same.waiters.push({ resolve, reject }));
    }
    for (const board of this.matching(selector)) {
      const hit = this.opts.cache.get({ sha256, profile: board.info.profile, settings, firmware: board.info.firmware });
      if (hit) {
        this.counts.cacheHits++;
        return Promise.resolve(hit);
      }
    }
    return new Promise((resolve, reject) => {
      const job: Job = {
        id: randomUUID(),
        seq: this.seq++,
        priority,
        model,
        modelB64: Buffer.from(model.buffer, model.byteOffset, model.byteLength).toString('base64'),
        sha256,
        selector,
        settings,
        coalesceKey,
        attempts: 0,
        tried: new Set(),
        waiters: [{ resolve, reject }],
      };
      this.jobs.set(job.id, job);
      this.byRequest.set(coalesceKey, job);
      this.enqueue(job);
      this.dispatch();
    });
  }

  onResult(agent: string, boardName: string, jobId: string, m: Measurement): void {
    const board = this.release(agent, boardName, jobId, true);
    const job = this.jobs.get(jobId);
    if (!job || !board || !job.tried.has(board.key)) {
      this.counts.stale++;
      this.opts.logger.debug({ job: jobId, board: `${agent}/${boardName}` }, 'stale result dropped');
    } else {
      this.finish(job, m, board);
    }
    this.dispatch();
  }

  /** The agent could not run the job (runner threw, bad model transfer, handed back at shutdown). */
  onJobError(agent: string, boardName: string, jobId: string, kind: JobErrorKind, message: string): void {
    const board = this.release(agent, boardName, jobId, kind !== 'board_unresponsive');
    const job = this.jobs.get(jobId);
    if (board && kind === 'board_unresponsive') this.strike(board);
    if (job && board && job.board === board) {
      this.opts.logger.warn({ job: jobId, board: board.key, message }, kind === 'failed' ? 'job failed on the board' : 'job handed back');
      if (kind === 'handed_back') this.requeue(job, false);
      else this.retryOrFail(job, kind === 'failed' ? 'board_error' : 'timeout', `${board.key}: ${message}`, board);
    }
    this.dispatch();
  }

  boards(): BoardStatus[] {
    return [...this.boardsByKey.values()].map((b) => ({
      ...b.info,
      agent: b.agent,
      healthy: b.healthy,
      busy: b.running !== undefined,
      draining: this.draining.has(b.agent),
    }));
  }

  stats(): SchedulerStats {
    const running = [...this.jobs.values()].filter((j) => j.board).length;
    return { ...this.counts, queued: this.queue.length, running };
  }

  /** Rejects every pending request; the scheduler is not used afterwards. */
  close(err: Error): void {
    for (const job of this.jobs.values()) {
      clearTimeout(job.timer);
      for (const w of job.waiters) w.reject(err);
    }
    this.jobs.clear();
    this.byRequest.clear();
    this.queue = [];
  }

  private boardsOf(agent: string): BoardState[] {
    return [...this.boardsByKey.values()].filter((b) => b.agent === agent);
  }

  private matching(selector: string): BoardState[] {
    return [...this.boardsByKey.values()].filter((b) => boardMatches(b, selector));
  }

  /** Frees a board that answered for the job it runs; a timely answer clears its timeout count. */
  private release(agent: string, boardName: string, jobId: string, answered: boolean): BoardState | undefined {
    const board = this.boardsByKey.get(`${agent}/${boardName}`);
    if (board?.running?.jobId === jobId) {
      if (answered && !board.running.timedOut) board.consecutiveTimeouts = 0;
      board.running = undefined;
    }
    return board;
  }

  private enqueue(job: Job): void {
    const at = this.queue.findIndex((q) => q.priority < job.priority || (q.priority === job.priority && q.seq > job.seq));
    if (at < 0) this.queue.push(job);
    else this.queue.splice(at, 0, job);
  }

  private unqueue(job: Job): Job {
    this.queue = this.queue.filter((q) => q !== job);
    return job;
  }

  private requeue(job: Job, counted: boolean): void {
    clearTimeout(job.timer);
    job.board = undefined;
    if (!counted) job.attempts--;
    this.counts.requeued++;
    this.enqueue(job);
  }

  private retryOrFail(job: Job, reason: FailureReason, message: string, board: BoardState): void {
    if (job.attempts >= this.opts.maxAttempts) this.finish(job, failure(reason, `${message} (after ${job.attempts} attempts)`, job, board));
    else this.requeue(job, true);
  }

  private finish(job: Job, m: Measurement, board?: BoardState): void {
    clearTimeout(job.timer);
    this.unqueue(job);
    this.jobs.delete(job.id);
    this.byRequest.delete(job.coalesceKey);
    if (board) this.opts.cache.put({ sha256: job.sha256, profile: board.info.profile, settings: job.settings, firmware: board.info.firmware }, m);
    this.counts.completed++;
    for (const w of job.waiters) w.resolve(m);
  }

  private dispatch(): void {
    for (const job of [...this.queue]) {
      const matching = this.matching(job.selector);
      if (matching.length === 0) continue; // boards of that profile may still connect
      const refusal = this.refusal(job, matching);
      if (refusal) {
        this.opts.logger.warn({ job: job.id, selector: job.selector, reason: refusal.message }, 'job refused before dispatch');
        this.finish(job, refusal);
        continue;
      }
      const free = matching.filter((b) => b.healthy && !b.running && !this.draining.has(b.agent) && fits(b, job.model));
      const board = free.find((b) => !job.tried.has(b.key)) ?? free[0];
      if (!board) continue;
      const hit = this.opts.cache.get({ sha256: job.sha256, profile: board.info.profile, settings: job.settings, firmware: board.info.firmware });
      if (hit) {
        this.counts.cacheHits++;
        this.finish(job, hit);
      } else {
        this.start(job, board);
      }
    }
  }

  /** A job no matching board can ever run: larger than every board's flash, or every board unhealthy. */
  private refusal(job: Job, matching: BoardState[]): MeasurementFailure | undefined {
    if (!matching.some((b) => fits(b, job.model))) {
      const largest = matching.reduce((a, b) => ((b.info.flash_bytes ?? 0) > (a.info.flash_bytes ?? 0) ? b : a));
      const message = `refused before dispatch: the model (${job.model.length} B) exceeds the flash of every board matching "${job.selector}" (largest: ${largest.key}, ${largest.info.flash_bytes} B)`;
      return failure('flash_overflow', message, job, largest);
    }
    if (matching.every((b) => !b.healthy)) {
      return failure('board_error', `every board matching "${job.selector}" is unhealthy (${matching.map((b) => b.key).join(', ')})`, job, matching[0]);
    }
    return undefined;
  }

  private start(job: Job, board: BoardState): void {
    this.unqueue(job);
    job.attempts++;
    job.tried.add(board.key);
    job.board = board;
    board.running = { jobId: job.id, timedOut: false };
    const deadline = Date.now() + this.opts.jobTimeoutMs;
    const message: JobMessage = {
      v: PROTOCOL_VERSION,
      type: 'job',
      job_id: job.id,
      board: board.info.name,
      model_b64: job.modelB64,
      sha256: job.sha256,
      settings: job.settings,
      deadline,
    };
    if (!this.opts.send(board.agent, message)) {
      board.running = undefined;
      this.requeue(job, false);
      return;
    }
    this.counts.dispatched++;
    job.timer = setTimeout(() => this.timeout(job, board), this.opts.jobTimeoutMs);
  }

  /** One more consecutive failure to answer; enough of them and the board gets no more jobs. */
  private strike(board: BoardState): void {
    board.consecutiveTimeouts++;
    if (board.healthy && board.consecutiveTimeouts >= this.opts.unhealthyAfter) {
      board.healthy = false;
      this.unhealthy.add(board.key);
      this.opts.logger.warn({ board: board.key, strikes: board.consecutiveTimeouts }, 'board marked unhealthy');
    }
  }

  private timeout(job: Job, board: BoardState): void {
    if (job.board !== board) return;
    this.counts.timeouts++;
    if (board.running?.jobId === job.id) board.running.timedOut = true;
    this.strike(board);
    this.opts.logger.warn({ job: job.id, board: board.key, attempt: job.attempts }, 'job timed out');
    this.retryOrFail(job, 'timeout', `no answer from ${board.key} within ${this.opts.jobTimeoutMs} ms`, board);
    this.dispatch();
  }
}

function fits(board: BoardState, model: Uint8Array): boolean {
  return board.info.flash_bytes === undefined || model.length <= board.info.flash_bytes;
}

function failure(reason: FailureReason, message: string, job: Job, board: BoardState): MeasurementFailure {
  return {
    ok: false,
    reason,
    message,
    provenance: {
      board: board.info.name,
      profile: board.info.profile,
      agent: board.agent,
      firmware: board.info.firmware,
      runtime: 'hub',
      simulated: board.info.runner === 'simulated',
      settings: job.settings,
      time: new Date().toISOString(),
    },
  };
}
