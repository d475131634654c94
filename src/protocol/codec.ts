import type { z } from 'zod';
import { PROTOCOL_VERSION } from './messages.ts';
import type { ErrorCode } from './messages.ts';

/** Either side decodes with the union of what it may receive; a bad message yields an error, never a throw. */
export type Decoded<T> = { ok: true; message: T } | { ok: false; code: ErrorCode; message: string };

type Schema<T> = z.ZodType<T>;

export function decodeMessage<T>(raw: string | Buffer, schema: Schema<T>, maxBytes: number): Decoded<T> {
  const bytes = typeof raw === 'string' ? Buffer.byteLength(raw) : raw.length;
  // ws enforces maxPayload too; checking here keeps the limit whatever the transport
  if (bytes > maxBytes) return { ok: false, code: 'too_large', message: `message of ${bytes} B exceeds the limit of ${maxBytes} B` };
  let value: unknown;
  try {
    value = JSON.parse(raw.toString());
  } catch {
    return { ok: false, code: 'malformed', message: 'not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, code: 'malformed', message: 'not a JSON object' };
  const fields = value as Record<string, unknown>;
  if (fields.v !== PROTOCOL_VERSION) return { ok: false, code: 'unsupported_version', message: `protocol version ${JSON.stringify(fields.v)}, expected ${PROTOCOL_VERSION}` };
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, message: parsed.data };
  const first = parsed.error.issues[0];
  if (first?.code === 'invalid_union' && first.path.length === 1 && first.path[0] === 'type') {
    return { ok: false, code: 'unknown_type', message: `unknown message type ${JSON.stringify(fields.type).slice(0, 64)}` };
  }
  const where = first?.path.join('.') || '(root)';
  return { ok: false, code: 'malformed', message: `${String(fields.type).slice(0, 32)}: ${where}: ${first?.message ?? 'invalid'}` };
}

/** Serialises a message, refusing one the receiver would reject for its size. */
export function encodeMessage(message: { v: number; type: string }, maxBytes: number): string {
  const text = JSON.stringify(message);
  const bytes = Buffer.byteLength(text);
  if (bytes > maxBytes) throw new RangeError(`${message.type} message of ${bytes} B exceeds the limit of ${maxBytes} B`);
  return text;
}
