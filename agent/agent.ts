import type { Logger } from 'pino';
import WebSocket from 'ws';
import type { Measurement, Runner } from '../src/measure/measurement.ts';
import { authAnswer } from '../src/protocol/auth.ts';
import { decodeMessage, encodeMessage } from '../src/protocol/codec.ts';
import { sha256Hex } from '../src/protocol/digest.ts';
import { DEFAULT_MAX_MESSAGE_BYTES, HubMessageSchema, PROTOCOL_VERSION } from '../src/protocol/messages.ts';
import type { BoardInfo, HubMessage, JobMessage, PeerMessage } from '../src/protocol/messages.ts';
import { backoffDelay, DEFAULT_BACKOFF } from './backoff.ts';
import type { BackoffOptions } from './backoff.ts';
import { BoardWorker } from './board-worker.ts';
import type { JobAnswer } from './board-worker.ts';
import { AgentRejectedError } from './errors.ts';

export interface AgentBoard {
  name: string;
  profile: string;
  runner: Runner;
  /** Runner kind reported to the hub (e.g. "simulated"). */
  kind?: string;
  firmware?: string;
  sram_bytes?: number;
  flash_bytes?: number;
}

export interface AgentOptions {
  hubUrl: string;
  token: string;
  id: string;
  boards: AgentBoard[];
  logger: Logger;
  backoff?: BackoffOptions;
  /** How long `close()` waits for running jobs before handing them back. */
  drainTimeoutMs?: number;
  maxMessageBytes?: number;
}

export interface Agent {
  /** Stops taking jobs, lets running ones finish (or hands them back after drainTimeoutMs), disconnects. */
  close(): Promise<void>;
  /** Settles when the agent stops: resolves after `close()`, rejects if the hub refuses it on a reconnect. */
  done: Promise<void>;
  connected(): boolean;
}

/** WebSocket close codes of the hub (host/hub/peer.ts) after which reconnecting cannot succeed. */
const FINAL_CLOSE_CODES = new Set([4001, 4002]);
/** Answers kept while disconnected, sent after the next welcome (the hub drops those it no longer needs). */
const MAX_UNDELIVERED = 256;

/**
 * Connects to the hub, authenticates, reports its boards and runs the jobs it is sent, one per board.
 * Resolves once the hub has welcomed it; rejects with `AgentRejectedError` when the hub refuses it. A lost
 * connection is re-established with bounded exponential backoff.
 */
export async function startAgent(opts: AgentOptions): Promise<Agent> {
  const agent = new FleetAgent(opts);
  await agent.started;
  return { close: () => agent.close(), done: agent.done, connected: () => agent.isConnected };
}

class FleetAgent {
  readonly started: Promise<void>;
  readonly done: Promise<void>;
  isConnected = false;
  private settleStart!: { resolve: () => void; reject: (err: Error) => void };
  private settleDone!: { resolve: () => void; reject: (err: Error) => void };
  private ws?: WebSocket;
  private attempt = 0;
  private closing = false;
  private stopped = false;
  private reconnectTimer?: NodeJS.Timeout;
  private watchdog?: NodeJS.Timeout;
  private watchdogMs = 0;
  private undelivered: PeerMessage[] = [];
  private readonly workers = new Map<string, BoardWorker>();
  private readonly inventory: BoardInfo[];
  private readonly log: Logger;
  private readonly maxMessageBytes: number;

  constructor(private readonly opts: AgentOptions) {
    this.log = opts.logger.child({ component: 'agent', agent: opts.id });
    this.maxMessageBytes = opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    this.started = new Promise((resolve, reject) => (this.settleStart = { resolve, reject }));
    this.done = new Promise((resolve, reject) => (this.settleDone = { resolve, reject }));
    // the caller may never await `done`; its rejection is already reported through `started` or the log
    this.done.catch(() => undefined);
    this.inventory = opts.boards.map((b) => ({
      name: b.name,
      profile: b.profile,
      runner: b.kind ?? 'custom',
      firmware: b.firmware ?? 'unknown',
      sram_bytes: b.sram_bytes,
      flash_bytes: b.flash_bytes,
    }));
    for (const b of opts.boards) {
      const stamp = (m: Measurement): Measurement => ({ ...m, provenance: { ...m.provenance, board: b.name, agent: opts.id } });
      const events = {
        started: (jobId: string) => this.send({ v: PROTOCOL_VERSION, type: 'progress', job_id: jobId, board: b.name, stage: 'started' }),
        answer: (a: JobAnswer) => this.deliver(b.name, a),
      };
      this.workers.set(b.name, new BoardWorker(b.name, b.runner, stamp, events, this.log));
    }
    this.connect();
  }

  async close(): Promise<void> {
    if (this.stopped) return;
    this.closing = true;
    clearTimeout(this.reconnectTimer);
    this.send({ v: PROTOCOL_VERSION, type: 'draining' });
    const workers = [...this.workers.values()];
    for (const w of workers) w.handBackQueued();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(workers.map((w) => w.whenIdle())),
      new Promise((resolve) => (timer = setTimeout(resolve, this.opts.drainTimeoutMs ?? 30_000))),
    ]);
    clearTimeout(timer);
    for (const w of workers) {
      const jobId = w.running();
      if (jobId) this.deliver(w.name, { kind: 'error', jobId, code: 'handed_back', message: 'agent shutting down before the job finished' });
    }
    await this.stop();
    this.settleStart.reject(new Error('agent closed before the hub welcomed it'));
    this.settleDone.resolve();
  }

  private async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.watchdog);
    const ws = this.ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    const closed = new Promise((resolve) => ws.once('close', resolve));
    ws.close(1000, 'agent shutting down');
    const force = setTimeout(() => ws.terminate(), 1000);
    await closed;
    clearTimeout(force);
  }

  private connect(): void {
    const ws = new WebSocket(this.opts.hubUrl, { maxPayload: this.maxMessageBytes, handshakeTimeout: 10_000 });
    this.ws = ws;
    ws.on('message', (data, isBinary) => {
      if (ws === this.ws) this.receive(data as Buffer, isBinary);
    });
    ws.on('error', (err) => this.log.warn({ err: err.message }, 'connection error'));
    ws.on('close', (code, reason) => {
      if (ws === this.ws) this.onClose(code, reason.toString());
    });
  }

  private onClose(code: number, reason: string): void {
    const wasConnected = this.isConnected;
    this.isConnected = false;
    clearTimeout(this.watchdog);
    if (this.stopped) return;
    if (FINAL_CLOSE_CODES.has(code)) return this.fail(new AgentRejectedError(`the hub at ${this.opts.hubUrl} refused agent "${this.opts.id}": ${reason}`));
    if (this.closing) return;
    const delay = backoffDelay(this.attempt++, this.opts.backoff ?? DEFAULT_BACKOFF);
    this.log.warn({ code, reason, wasConnected, retryInMs: delay }, 'disconnected from the hub');
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private fail(err: AgentRejectedError): void {
    this.log.error({ err: err.message }, 'agent stopped');
    void this.stop();
    this.settleStart.reject(err);
    this.settleDone.reject(err);
  }

  private receive(data: Buffer, isBinary: boolean): void {
    const decoded = isBinary ? ({ ok: false, code: 'malformed', message: 'binary frame' } as const) : decodeMessage(data, HubMessageSchema, this.maxMessageBytes);
    if (!decoded.ok) {
      this.log.warn({ code: decoded.code, message: decoded.message }, 'bad message from the hub');
      this.sendRaw({ v: PROTOCOL_VERSION, type: 'error', code: decoded.code, message: decoded.message });
      return;
    }
    this.handle(decoded.message);
  }

  private handle(message: HubMessage): void {
    switch (message.type) {
      case 'challenge': {
        const answer = authAnswer(this.opts.token, message.nonce, this.opts.id);
        this.sendRaw({ v: PROTOCOL_VERSION, type: 'hello', role: 'agent', id: this.opts.id, nonce: message.nonce, answer, boards: this.inventory });
        return;
      }
      case 'welcome':
        this.isConnected = true;
        this.attempt = 0;
        this.watchdogMs = message.heartbeat_ms * (message.missed_beats + 1);
        this.resetWatchdog();
        this.log.info({ hub: this.opts.hubUrl, boards: this.inventory.length }, 'connected to the hub');
        for (const m of this.undelivered.splice(0)) this.send(m);
        this.settleStart.resolve();
        return;
      case 'ping':
        this.resetWatchdog();
        this.send({ v: PROTOCOL_VERSION, type: 'pong', seq: message.seq });
        return;
      case 'job':
        return this.runJob(message);
      case 'error':
        if (message.code === 'auth_failed' || message.code === 'refused') {
          return this.fail(new AgentRejectedError(`the hub at ${this.opts.hubUrl} refused agent "${this.opts.id}": ${message.message}`));
        }
        this.log.warn({ code: message.code, message: message.message, job: message.job_id }, 'the hub reported an error');
        return;
      case 'outcome':
        this.log.warn('outcome sent to an agent; ignored');
        return;
    }
  }

  private runJob(job: JobMessage): void {
    const ids = { job_id: job.job_id, board: job.board };
    const worker = this.workers.get(job.board);
    if (this.closing) return this.deliver(job.board, { kind: 'error', jobId: job.job_id, code: 'handed_back', message: 'agent shutting down' });
    if (!worker) return void this.send({ v: PROTOCOL_VERSION, type: 'error', code: 'unknown_board', message: `no board "${job.board}"`, ...ids });
    const model = Buffer.from(job.model_b64, 'base64');
    if (sha256Hex(model) !== job.sha256) return void this.send({ v: PROTOCOL_VERSION, type: 'error', code: 'bad_sha256', message: 'model bytes do not match their sha256', ...ids });
    worker.submit(job, model);
  }

  private deliver(board: string, a: JobAnswer): void {
    const message: PeerMessage =
      a.kind === 'result'
        ? { v: PROTOCOL_VERSION, type: 'result', job_id: a.jobId, board, measurement: a.measurement }
        : { v: PROTOCOL_VERSION, type: 'error', code: a.code, message: a.message, job_id: a.jobId, board };
    if (!this.send(message) && !this.stopped) {
      this.undelivered.push(message);
      if (this.undelivered.length > MAX_UNDELIVERED) this.undelivered.shift();
    }
  }

  private resetWatchdog(): void {
    clearTimeout(this.watchdog);
    const ws = this.ws;
    // a hub that stopped pinging is gone even if the socket looks open: reconnect
    this.watchdog = setTimeout(() => {
      this.log.warn({ afterMs: this.watchdogMs }, 'no heartbeat from the hub');
      ws?.terminate();
    }, this.watchdogMs);
  }

  /** Sends once authenticated; false (nothing sent) otherwise. */
  private send(message: PeerMessage): boolean {
    return this.isConnected && this.sendRaw(message);
  }

  private sendRaw(message: PeerMessage): boolean {
    if (this.ws?.readyState !== WebSocket.OPEN) return false;
    try {
      this.ws.send(encodeMessage(message, this.maxMessageBytes));
      return true;
    } catch (err) {
      this.log.error({ err: (err as Error).message, type: message.type }, 'message not sent');
      return false;
    }
  }
}
