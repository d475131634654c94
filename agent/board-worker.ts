import type { Logger } from 'pino';
import type { Measurement, Runner } from '../src/measure/measurement.ts';
import type { JobMessage } from '../src/protocol/messages.ts';
import { BoardUnresponsiveError } from './errors.ts';

/**
 * Runs the jobs of one board one at a time, whatever the hub believes: after a reconnect the hub may send a
 * job again while the board still runs it, so a job id already running or recently finished is not run twice
 * (the finished answer is sent again instead).
 */

export type JobAnswer =
  | { kind: 'result'; jobId: string; measurement: Measurement }
  | { kind: 'error'; jobId: string; code: 'runner_failed' | 'deadline_passed' | 'handed_back' | 'board_unresponsive'; message: string };

export interface WorkerEvents {
  started: (jobId: string) => void;
  answer: (a: JobAnswer) => void;
}

const REMEMBERED_ANSWERS = 32;

export class BoardWorker {
  private queue: { job: JobMessage; model: Uint8Array }[] = [];
  private current?: string;
  private idle: Promise<void> = Promise.resolve();
  private readonly answers = new Map<string, JobAnswer>();

  constructor(
    readonly name: string,
    private readonly runner: Runner,
    private readonly stamp: (m: Measurement) => Measurement,
    private readonly events: WorkerEvents,
    private readonly log: Logger,
  ) {}

  get busy(): boolean {
    return this.current !== undefined || this.queue.length > 0;
  }

  submit(job: JobMessage, model: Uint8Array): void {
    const known = this.answers.get(job.job_id);
    if (known) return this.events.answer(known);
    if (this.current === job.job_id || this.queue.some((q) => q.job.job_id === job.job_id)) return;
    this.queue.push({ job, model });
    if (this.current === undefined) this.idle = this.drain();
  }

  /** Resolves when the job running now (if any) has finished and nothing is queued. */
  whenIdle(): Promise<void> {
    return this.idle;
  }

  /** Gives every job not yet started back to the hub. */
  handBackQueued(): void {
    for (const { job } of this.queue.splice(0)) this.events.answer({ kind: 'error', jobId: job.job_id, code: 'handed_back', message: 'agent shutting down' });
  }

  /** The job running now, for a shutdown that cannot wait for it. */
  running(): string | undefined {
    return this.current;
  }

  private async drain(): Promise<void> {
    for (let next = this.queue.shift(); next; next = this.queue.shift()) {
      this.current = next.job.job_id;
      const answer = await this.run(next.job, next.model);
      this.current = undefined;
      this.answers.set(answer.jobId, answer);
      if (this.answers.size > REMEMBERED_ANSWERS) this.answers.delete(this.answers.keys().next().value!);
      this.events.answer(answer);
    }
  }

  private async run(job: JobMessage, model: Uint8Array): Promise<JobAnswer> {
    if (Date.now() > job.deadline) {
      return { kind: 'error', jobId: job.job_id, code: 'deadline_passed', message: 'the job waited past its deadline' };
    }
    this.events.started(job.job_id);
    try {
      return { kind: 'result', jobId: job.job_id, measurement: this.stamp(await this.runner.measure(model, job.settings)) };
    } catch (err) {
      this.log.warn({ board: this.name, job: job.job_id, err: (err as Error).message }, 'runner failed');
      const code = err instanceof BoardUnresponsiveError ? 'board_unresponsive' : 'runner_failed';
      return { kind: 'error', jobId: job.job_id, code, message: (err as Error).message };
    }
  }
}
