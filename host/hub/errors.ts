/**
 * The hub closed before the measurement finished. Retryable: the request was never answered, so a caller
 * (the search's evaluator, or `HubClient`, which does it by itself) submits it again to the next hub, where an
 * identical request is answered from the cache if the measurement had completed.
 */
export class HubClosedError extends Error {
  readonly retryable = true;
  constructor() {
    super('the hub closed before the measurement finished; submit it again');
    this.name = 'HubClosedError';
  }
}
