/** The hub refused the agent for good (wrong token, a board list it rejects): reconnecting cannot help. */
export class AgentRejectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AgentRejectedError';
  }
}
