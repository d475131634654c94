/** Exponential reconnect delays with full jitter, so a fleet does not reconnect in lockstep after a hub restart. */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 200, maxMs: 10_000 };

export function backoffDelay(attempt: number, opts: BackoffOptions, random = Math.random): number {
  const ceiling = Math.min(opts.maxMs, opts.initialMs * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
