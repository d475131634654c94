import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import { answerIsValid, newNonce } from '../../src/protocol/auth.ts';
import { decodeMessage, encodeMessage } from '../../src/protocol/codec.ts';
import { PeerMessageSchema, PROTOCOL_VERSION } from '../../src/protocol/messages.ts';
import type { ErrorCode, HelloMessage, HubMessage, PeerMessage } from '../../src/protocol/messages.ts';

/**
 * One connection seen from the hub: the challenge, the authentication, the heartbeat and the decoding of
 * every message. A bad message is answered with an error and logged; before authentication it also ends the
 * connection, so an unauthenticated peer gets nothing but the challenge.
 */

export interface PeerOptions {
  token: string;
  logger: Logger;
  maxMessageBytes: number;
  heartbeatMs: number;
  missedBeats: number;
  handshakeTimeoutMs: number;
  /** An authenticated hello; returns a refusal message to end the connection instead. */
  onHello: (peer: Peer, hello: HelloMessage) => string | undefined;
  onMessage: (peer: Peer, message: PeerMessage) => void;
  onClose: (peer: Peer) => void;
}

/** WebSocket close codes the agent reads: an authentication failure is final, not a reason to reconnect. */
export const CLOSE_AUTH_FAILED = 4001;
export const CLOSE_PROTOCOL = 4002;

export class Peer {
  hello?: HelloMessage;
  private readonly nonce = newNonce();
  private nonceUsed = false;
  private missed = 0;
  private seq = 0;
  private heartbeat?: NodeJS.Timeout;
  private readonly handshakeTimer: NodeJS.Timeout;
  readonly log: Logger;

  constructor(
    readonly ws: WebSocket,
    remote: string,
    private readonly opts: PeerOptions,
  ) {
    this.log = opts.logger.child({ remote });
    this.handshakeTimer = setTimeout(() => this.end(CLOSE_PROTOCOL, 'no hello in time'), opts.handshakeTimeoutMs);
    ws.on('message', (data, isBinary) => this.receive(data as Buffer, isBinary));
    // ws reports protocol violations here (a frame over maxPayload closes with 1009) and then closes
    ws.on('error', (err) => this.log.warn({ err: err.message }, 'connection error'));
    ws.on('close', (code) => {
      clearTimeout(this.handshakeTimer);
      clearInterval(this.heartbeat);
      this.log.info({ peer: this.hello?.id, code }, 'connection closed');
      opts.onClose(this);
    });
    this.send({ v: PROTOCOL_VERSION, type: 'challenge', nonce: this.nonce });
  }

  send(message: HubMessage): boolean {
    if (this.ws.readyState !== this.ws.OPEN) return false;
    try {
      this.ws.send(encodeMessage(message, this.opts.maxMessageBytes));
      return true;
    } catch (err) {
      this.log.error({ err: (err as Error).message }, 'message not sent');
      return false;
    }
  }

  sendError(code: ErrorCode, message: string, ids: { job_id?: string; board?: string; request_id?: string } = {}): void {
    this.send({ v: PROTOCOL_VERSION, type: 'error', code, message, ...ids });
  }

  end(code: number, reason: string): void {
    this.log.warn({ peer: this.hello?.id, reason }, 'connection ended by the hub');
    this.ws.close(code, reason);
  }

  private receive(data: Buffer, isBinary: boolean): void {
    const decoded = isBinary ? ({ ok: false, code: 'malformed', message: 'binary frame' } as const) : decodeMessage(data, PeerMessageSchema, this.opts.maxMessageBytes);
    if (!decoded.ok) {
      this.log.warn({ peer: this.hello?.id, code: decoded.code, message: decoded.message }, 'bad message');
      this.sendError(decoded.code, decoded.message);
      if (!this.hello) this.end(CLOSE_PROTOCOL, decoded.code);
      return;
    }
    const message = decoded.message;
    if (message.type === 'hello') return this.authenticate(message);
    if (!this.hello) {
      this.sendError('not_authenticated', `${message.type} before hello`);
      return this.end(CLOSE_PROTOCOL, 'not authenticated');
    }
    if (message.type === 'pong') this.missed = 0;
    else this.opts.onMessage(this, message);
  }

  private authenticate(hello: HelloMessage): void {
    if (this.hello) return this.sendError('unexpected', 'already authenticated');
    // the nonce is this connection's and answers once: a hello recorded elsewhere, or replayed, fails here
    const fresh = hello.nonce === this.nonce && !this.nonceUsed;
    this.nonceUsed = true;
    if (!fresh || !answerIsValid(this.opts.token, this.nonce, hello.id, hello.answer)) {
      this.log.warn({ peer: hello.id, role: hello.role, replay: !fresh }, 'authentication failed');
      this.sendError('auth_failed', fresh ? 'authentication failed: wrong token' : 'authentication failed: stale or foreign nonce');
      return this.end(CLOSE_AUTH_FAILED, 'authentication failed');
    }
    const refusal = this.opts.onHello(this, hello);
    if (refusal) {
      this.sendError('refused', refusal);
      return this.end(CLOSE_PROTOCOL, refusal);
    }
    this.hello = hello;
    clearTimeout(this.handshakeTimer);
    this.send({ v: PROTOCOL_VERSION, type: 'welcome', heartbeat_ms: this.opts.heartbeatMs, missed_beats: this.opts.missedBeats });
    this.heartbeat = setInterval(() => this.beat(), this.opts.heartbeatMs);
    this.log.info({ peer: hello.id, role: hello.role, boards: hello.boards.length }, 'peer authenticated');
  }

  private beat(): void {
    if (this.missed >= this.opts.missedBeats) {
      this.log.warn({ peer: this.hello?.id, missed: this.missed }, 'heartbeat lost');
      this.ws.terminate();
      return;
    }
    this.missed++;
    this.send({ v: PROTOCOL_VERSION, type: 'ping', seq: this.seq++ });
  }
}
