import type { EvalOutcome, EvalRequest } from '../../src/search/evaluator.ts';
import type { SearchOptions } from '../../src/search/search-options.ts';

/** Messages between the search process and its evaluation workers (Node IPC, JSON). */
export type ToWorker = { type: 'init'; options: SearchOptions } | { type: 'evaluate'; id: number; request: EvalRequest };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | { type: 'done'; id: number; outcome: EvalOutcome }
  | { type: 'log'; record: Record<string, unknown> };
