import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import WebSocket from 'ws';
import { backoffDelay, DEFAULT_BACKOFF } from '../../agent/backoff.ts';
import type { BackoffOptions } from '../../agent/backoff.ts';
import { DEFAULT_MEASURE_SETTINGS } from '../../src/measure/measurement.ts';
import type { Measurement, MeasureSettings } from '../../src/measure/measurement.ts';
import { authAnswer } from '../../src/protocol/auth.ts';
import { decodeMessage, encodeMessage } from '../../src/protocol/codec.ts';
import { sha256Hex } from '../../src/protocol/digest.ts';
import { DEFAULT_MAX_MESSAGE_BYTES, HubMessageSchema, PROTOCOL_VERSION } from '../../src/protocol/messages.ts';
import type { PeerMessage } from '../../src/protocol/messages.ts';

export interface HubClientOptions {
  url: string;
  token: string;
  id?: string;
  logger: Logger;
  backoff?: BackoffOptions;
  maxMessageBytes?: number;
}

export interface HubClient {
  measure(model: Uint8Array, selector: string, settings?: MeasureSettings, options?: { priority?: number }): Promise<Measurement>;
  close(): Promise<void>;
}

interface Pending {
  message: Extract<PeerMessage, { type: 'submit' }>;
  resolve: (m: Measurement) => void;
  reject: (err: Error) => void;
}

/**
 * A remote caller of a hub (`cnas bench --hub`, a search on another machine). Requests not yet answered are
 * submitted again after every reconnect, so a hub restart is invisible to the caller: the new hub answers
 * from its cache or measures again. Resolves once authenticated; rejects when the hub refuses the token.
 */
export async function connectHub(opts: HubClientOptions): Promise<HubClient> {
  const log = opts.logger.child({ component: 'hub-client' });
  const maxMessageBytes = opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const id = opts.id ?? `client-${randomUUID().slice(0, 8)}`;
  const pending = new Map<string, Pending>();
  let ws: WebSocket;
  let ready = false;
  let closed = false;
  let attempt = 0;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let settleStart!: { resolve: () => void; reject: (err: Error) => void };
  const started = new Promise<void>((resolve, reject) => (settleStart = { resolve, reject }));

  const send = (message: PeerMessage): void => {
    if (ws.readyState === WebSocket.OPEN) ws.send(encodeMessage(message, maxMessageBytes));
  };
  const fail = (err: Error): void => {
    closed = true;
    settleStart.reject(err);
    for (const p of pending.values()) p.reject(err);
    pending.clear();
    ws.close();
  };

  function connect(): void {
    const socket = new WebSocket(opts.url, { maxPayload: maxMessageBytes, handshakeTimeout: 10_000 });
    ws = socket;
    socket.on('error', (err) => log.warn({ err: err.message }, 'connection error'));
    socket.on('close', (code, reason) => {
      ready = false;
      if (closed) return;
      if (code === 4001 || code === 4002) return fail(new Error(`the hub at ${opts.url} refused the client: ${reason.toString()}`));
      const delay = backoffDelay(attempt++, opts.backoff ?? DEFAULT_BACKOFF);
      log.warn({ code, pending: pending.size, retryInMs: delay }, 'disconnected from the hub');
      reconnectTimer = setTimeout(connect, delay);
    });
    socket.on('message', (data) => {
      const decoded = decodeMessage(data as Buffer, HubMessageSchema, maxMessageBytes);
      if (!decoded.ok) return log.warn({ code: decoded.code, message: decoded.message }, 'bad message from the hub');
      const m = decoded.message;
      if (m.type === 'challenge') {
        send({ v: PROTOCOL_VERSION, type: 'hello', role: 'client', id, nonce: m.nonce, answer: authAnswer(opts.token, m.nonce, id), boards: [] });
      } else if (m.type === 'welcome') {
        ready = true;
        attempt = 0;
        for (const p of pending.values()) send(p.message);
        settleStart.resolve();
      } else if (m.type === 'ping') {
        send({ v: PROTOCOL_VERSION, type: 'pong', seq: m.seq });
      } else if (m.type === 'outcome') {
        pending.get(m.request_id)?.resolve(m.measurement);
        pending.delete(m.request_id);
      } else if (m.type === 'error') {
        if (m.code === 'auth_failed') return fail(new Error(`the hub at ${opts.url} refused the client: ${m.message}`));
        const p = m.request_id ? pending.get(m.request_id) : undefined;
        if (p) {
          pending.delete(m.request_id!);
          p.reject(new Error(`the hub refused the request: ${m.message}`));
        } else {
          log.warn({ code: m.code, message: m.message }, 'the hub reported an error');
        }
      }
    });
  }

  connect();
  await started;
  return {
    measure(model, selector, settings = DEFAULT_MEASURE_SETTINGS, options = {}) {
      if (closed) return Promise.reject(new Error('hub client closed'));
      const message: Pending['message'] = {
        v: PROTOCOL_VERSION,
        type: 'submit',
        request_id: randomUUID(),
        model_b64: Buffer.from(model.buffer, model.byteOffset, model.byteLength).toString('base64'),
        sha256: sha256Hex(model),
        selector,
        settings,
        priority: options.priority ?? 0,
      };
      return new Promise((resolve, reject) => {
        pending.set(message.request_id, { message, resolve, reject });
        if (ready) send(message);
      });
    },
    async close() {
      closed = true;
      clearTimeout(reconnectTimer);
      for (const p of pending.values()) p.reject(new Error('hub client closed'));
      pending.clear();
      if (ws.readyState === WebSocket.CLOSED) return;
      await new Promise((resolve) => {
        ws.once('close', resolve);
        ws.close(1000);
      });
    },
  };
}
