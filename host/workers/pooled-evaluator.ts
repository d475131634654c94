import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { SubnetConfig } from '../../src/space/config.ts';
import type { EvalOutcome, EvalRequest, Evaluator } from '../../src/search/evaluator.ts';
import { OptionsError } from '../../src/search/search-options.ts';
import type { SearchOptions } from '../../src/search/search-options.ts';
import type { FromWorker, ToWorker } from './protocol.ts';

/** The worker entry next to this file, run the way this process runs (TypeScript through tsx, or built JS). */
function workerEntry(): { file: string; execArgv: string[] } {
  const self = fileURLToPath(import.meta.url);
  const typescript = self.endsWith('.ts');
  return { file: self.replace(/pooled-evaluator\.(ts|js)$/, `eval-worker.${typescript ? 'ts' : 'js'}`), execArgv: typescript ? ['--import', 'tsx'] : [] };
}

interface Worker {
  process: ChildProcess;
  busy: boolean;
}

/**
 * Evaluates candidates in `n` child processes, one candidate per worker at a time; the cost model stays in
 * this process. With `gpus`, worker i sees only GPU gpus[i % gpus.length] (CUDA_VISIBLE_DEVICES). A worker that
 * dies fails only the candidate it held, and is replaced.
 */
export class PooledEvaluator implements Evaluator {
  readonly name: string;
  readonly keys: readonly string[];
  readonly exactKeys: readonly string[];
  readonly info: Readonly<Record<string, unknown>>;
  private readonly workers: Worker[] = [];
  private logger?: Logger;

  private constructor(
    private readonly local: Evaluator,
    private readonly options: SearchOptions,
    private readonly gpus: readonly string[],
  ) {
    this.name = local.name;
    this.keys = local.keys;
    this.exactKeys = local.exactKeys;
    this.info = { ...local.info, workers: options.workers, ...(gpus.length > 0 && { gpus: gpus.join(',') }) };
  }

  static async start(local: Evaluator, options: SearchOptions, gpus: readonly string[]): Promise<PooledEvaluator> {
    const pool = new PooledEvaluator(local, options, gpus);
    await Promise.all(Array.from({ length: options.workers }, (_, i) => pool.spawn(i)));
    return pool;
  }

  private spawn(index: number): Promise<void> {
    const { file, execArgv } = workerEntry();
    const env = { ...process.env, ...(this.gpus.length > 0 && { CUDA_VISIBLE_DEVICES: this.gpus[index % this.gpus.length] }) };
    const child = fork(file, [], { execArgv, env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.workers[index] = { process: child, busy: false };
    child.on('message', (m: FromWorker) => {
      if (m.type === 'log') this.logger?.info(m.record, String(m.record.msg ?? 'worker'));
    });
    return new Promise((resolve, reject) => {
      child.once('message', (m: FromWorker) => {
        if (m.type === 'ready') resolve();
        else reject(new OptionsError(`evaluation worker: ${m.type === 'failed' ? m.message : 'unexpected first message'}`));
      });
      child.once('exit', (code) => reject(new OptionsError(`evaluation worker exited during start-up (code ${code})`)));
      child.send({ type: 'init', options: this.options } satisfies ToWorker);
    });
  }

  exact(config: SubnetConfig, keys: readonly string[]): Record<string, number> {
    return this.local.exact(config, keys);
  }

  useLogger(logger: Logger): void {
    this.logger = logger;
  }

  private run(index: number, id: number, request: EvalRequest): Promise<EvalOutcome> {
    const worker = this.workers[index];
    worker.busy = true;
    return new Promise((resolve) => {
      const onMessage = (m: FromWorker): void => {
        if (m.type !== 'done' || m.id !== id) return;
        cleanup();
        resolve(m.outcome);
      };
      const onExit = (code: number | null): void => {
        cleanup();
        void this.spawn(index).catch(() => undefined);
        resolve({ ok: false, reason: `evaluation worker exited (code ${code}) while training this candidate` });
      };
      const cleanup = (): void => {
        worker.process.off('message', onMessage);
        worker.process.off('exit', onExit);
        worker.busy = false;
      };
      worker.process.on('message', onMessage);
      worker.process.once('exit', onExit);
      worker.process.send({ type: 'evaluate', id, request } satisfies ToWorker);
    });
  }

  async evaluate(requests: readonly EvalRequest[], onDone?: (index: number, outcome: EvalOutcome) => void): Promise<EvalOutcome[]> {
    const outcomes: EvalOutcome[] = new Array(requests.length);
    let next = 0;
    const drain = async (worker: number): Promise<void> => {
      while (next < requests.length) {
        const i = next++;
        outcomes[i] = await this.run(worker, i, requests[i]);
        onDone?.(i, outcomes[i]);
      }
    };
    await Promise.all(this.workers.map((_, w) => drain(w)));
    return outcomes;
  }

  close(): void {
    for (const w of this.workers) w.process.disconnect();
  }
}
