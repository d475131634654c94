import type { BoardInfo } from '../../src/protocol/messages.ts';

/** The hub's view of one board of one connected agent. */
export interface BoardState {
  /** `agent/name`: unique across the fleet. */
  key: string;
  agent: string;
  info: BoardInfo;
  healthy: boolean;
  consecutiveTimeouts: number;
  /** The job the agent is running on it, as far as the hub knows: cleared only by the agent's answer. */
  running?: { jobId: string; timedOut: boolean };
}

/** What `hub.boards()` reports. */
export interface BoardStatus extends BoardInfo {
  agent: string;
  healthy: boolean;
  busy: boolean;
  draining: boolean;
}

/** A selector is a profile id, a board name, or `agent/name` for one board of one agent. */
export function boardMatches(board: BoardState, selector: string): boolean {
  return board.info.profile === selector || board.info.name === selector || board.key === selector;
}
