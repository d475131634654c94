/** The hub refused the agent for good (wrong token, a board list it rejects): reconnecting cannot help. */
export class AgentRejectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AgentRejectedError';
  }
}

/**
 * The board stopped answering and could not be brought back by a reset: its job goes back to the hub (to run
 * elsewhere) and the hub counts it against the board's health, as it counts a timed-out job.
 */
export class BoardUnresponsiveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BoardUnresponsiveError';
  }
}
