export type BridgeErrorCode =
  | 'timeout'
  | 'board_error'
  | 'model_too_large'
  | 'protocol'
  | 'crc_mismatch'
  | 'closed'
  | 'port_not_found'
  /** The board's firmware lacks what was asked (HELLO did not announce it). */
  | 'unsupported';

export interface BridgeErrorDetails {
  /** The board's error code name, for `board_error`. */
  boardCode?: string;
  /** The board's u32 detail, for `board_error` (e.g. the next expected offset of `bad_offset`). */
  detail?: number;
  /** The board's own message, for `board_error`. */
  boardMessage?: string;
  /** Text lines the link carried recently: what a wrong device or a crashed firmware printed. */
  recentText?: string[];
}

export class BridgeError extends Error {
  readonly code: BridgeErrorCode;
  readonly boardCode?: string;
  readonly detail?: number;
  readonly boardMessage?: string;
  readonly recentText: string[];

  constructor(code: BridgeErrorCode, message: string, details: BridgeErrorDetails = {}) {
    super(message);
    this.name = 'BridgeError';
    this.code = code;
    this.boardCode = details.boardCode;
    this.detail = details.detail;
    this.boardMessage = details.boardMessage;
    this.recentText = details.recentText ?? [];
  }
}
