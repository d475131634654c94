import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import { MeasurementCache } from '../../src/measure/cache.ts';
import { DEFAULT_MEASURE_SETTINGS } from '../../src/measure/measurement.ts';
import type { Measurement, MeasureSettings } from '../../src/measure/measurement.ts';
import { sha256Hex } from '../../src/protocol/digest.ts';
import { DEFAULT_MAX_MESSAGE_BYTES, PROTOCOL_VERSION } from '../../src/protocol/messages.ts';
import type { ErrorCode, HelloMessage, PeerMessage } from '../../src/protocol/messages.ts';
import type { BoardStatus } from './board-state.ts';
import { HubClosedError } from './errors.ts';
import { Peer } from './peer.ts';
import { Scheduler } from './scheduler.ts';
import type { JobErrorKind, SchedulerStats } from './scheduler.ts';

export interface HubOptions {
  port: number;
  host?: string;
  token: string;
  /** SQLite file of the measurement cache; in memory when absent. */
  cachePath?: string;
  logger: Logger;
  jobTimeoutMs?: number;
  maxAttempts?: number;
  unhealthyAfter?: number;
  heartbeatMs?: number;
  missedBeats?: number;
  maxMessageBytes?: number;
  handshakeTimeoutMs?: number;
}

export interface MeasureOptions {
  /** Higher runs first; equal priorities run in submission order. */
  priority?: number;
}

export interface Hub {
  url: string;
  port: number;
  /**
   * Measures a model on a board matching the selector (a profile id, a board name or `agent/name`). Resolves
   * with the measurement, a failure included (a model refused before dispatch is a `flash_overflow`
   * failure); rejects with `HubClosedError` (retryable) when the hub closes first.
   */
  measure(model: Uint8Array, selector: string, settings?: MeasureSettings, options?: MeasureOptions): Promise<Measurement>;
  boards(): BoardStatus[];
  stats(): SchedulerStats;
  close(): Promise<void>;
}

/** Room left in a job message for everything but the model, whose base64 is 4/3 of its size. */
const JOB_ENVELOPE_BYTES = 4096;

export async function createHub(opts: HubOptions): Promise<Hub> {
  const logger = opts.logger.child({ component: 'hub' });
  const maxMessageBytes = opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const cache = new MeasurementCache(opts.cachePath);
  const agents = new Map<string, Peer>();
  const scheduler = new Scheduler({
    cache,
    logger,
    jobTimeoutMs: opts.jobTimeoutMs ?? 120_000,
    maxAttempts: opts.maxAttempts ?? 3,
    unhealthyAfter: opts.unhealthyAfter ?? 2,
    send: (agent, job) => agents.get(agent)?.send(job) ?? false,
  });
  let closed = false;

  function onHello(peer: Peer, hello: HelloMessage): string | undefined {
    if (hello.role === 'client') return undefined;
    const names = new Set(hello.boards.map((b) => b.name));
    if (names.size !== hello.boards.length) return 'board names must be unique within an agent';
    const previous = agents.get(hello.id);
    if (previous) {
      // the same agent reconnecting before its old connection timed out: the new one wins
      agents.delete(hello.id);
      scheduler.removeAgent(hello.id);
      previous.ws.terminate();
    }
    agents.set(hello.id, peer);
    // registered after the welcome is on its way, so the first job cannot overtake it
    queueMicrotask(() => agents.get(hello.id) === peer && scheduler.addAgent(hello.id, hello.boards));
    return undefined;
  }

  function onMessage(peer: Peer, message: PeerMessage): void {
    const hello = peer.hello!;
    const role = hello.role;
    switch (message.type) {
      case 'result':
        if (role === 'agent') return scheduler.onResult(hello.id, message.board, message.job_id, message.measurement);
        break;
      case 'error':
        if (role === 'agent' && message.job_id && message.board) {
          return scheduler.onJobError(hello.id, message.board, message.job_id, jobErrorKind(message.code), message.message);
        }
        peer.log.warn({ peer: hello.id, code: message.code, message: message.message }, 'peer reported an error');
        return;
      case 'progress':
        if (role === 'agent') return void peer.log.debug({ job: message.job_id, board: message.board, stage: message.stage }, 'job progress');
        break;
      case 'draining':
        if (role === 'agent') return scheduler.drainAgent(hello.id);
        break;
      case 'submit':
        if (role === 'client') return submit(peer, message);
        break;
    }
    peer.log.warn({ peer: hello.id, role, type: message.type }, 'message not allowed for this role');
    peer.sendError('unexpected', `${message.type} is not allowed from a ${role}`);
  }

  function submit(peer: Peer, message: Extract<PeerMessage, { type: 'submit' }>): void {
    const model = Buffer.from(message.model_b64, 'base64');
    if (sha256Hex(model) !== message.sha256) return peer.sendError('bad_sha256', 'model bytes do not match their sha256', { request_id: message.request_id });
    measure(model, message.selector, message.settings, { priority: message.priority }).then(
      (measurement) => peer.send({ v: PROTOCOL_VERSION, type: 'outcome', request_id: message.request_id, measurement }),
      // a closing hub leaves the request unanswered: the client submits it again to the next hub
      (err: Error) => err instanceof HubClosedError || peer.sendError('refused', err.message, { request_id: message.request_id }),
    );
  }

  function measure(model: Uint8Array, selector: string, settings = DEFAULT_MEASURE_SETTINGS, options: MeasureOptions = {}): Promise<Measurement> {
    if (closed) return Promise.reject(new HubClosedError());
    if (Math.ceil(model.length / 3) * 4 + JOB_ENVELOPE_BYTES > maxMessageBytes) {
      return Promise.reject(new RangeError(`model of ${model.length} B does not fit in a message of at most ${maxMessageBytes} B`));
    }
    return scheduler.submit(model, selector, settings, options.priority ?? 0);
  }

  const wss = new WebSocketServer({ host: opts.host ?? '127.0.0.1', port: opts.port, maxPayload: maxMessageBytes });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  wss.on('error', (err) => logger.error({ err: err.message }, 'server error'));
  wss.on('connection', (ws, req) => {
    new Peer(ws, `${req.socket.remoteAddress}:${req.socket.remotePort}`, {
      token: opts.token,
      logger,
      maxMessageBytes,
      heartbeatMs: opts.heartbeatMs ?? 5000,
      missedBeats: opts.missedBeats ?? 3,
      handshakeTimeoutMs: opts.handshakeTimeoutMs ?? 10_000,
      onHello,
      onMessage,
      onClose: (peer) => {
        const id = peer.hello?.id;
        if (peer.hello?.role === 'agent' && id && agents.get(id) === peer) {
          agents.delete(id);
          scheduler.removeAgent(id);
        }
      },
    });
  });
  const { port } = wss.address() as AddressInfo;
  const url = `ws://${opts.host ?? '127.0.0.1'}:${port}`;
  logger.info({ url }, 'hub listening');

  return {
    url,
    port,
    measure,
    boards: () => scheduler.boards(),
    stats: () => scheduler.stats(),
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      scheduler.close(new HubClosedError());
      const closing = new Promise<void>((resolve) => wss.close(() => resolve()));
      for (const ws of wss.clients) ws.close(1001, 'hub shutting down');
      // a peer that does not answer the close handshake must not hold the hub open
      const force = setTimeout(() => wss.clients.forEach((ws) => ws.terminate()), 1000);
      await closing;
      clearTimeout(force);
      cache.close();
      logger.info('hub closed');
    },
  };
}

/** How the scheduler treats an agent's job error: run it elsewhere, count it against the board, or retry it. */
function jobErrorKind(code: ErrorCode): JobErrorKind {
  if (code === 'handed_back') return 'handed_back';
  if (code === 'board_unresponsive') return 'board_unresponsive';
  return 'failed';
}
