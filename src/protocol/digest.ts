import { createHash } from 'node:crypto';

/** Hex SHA-256 of a model: the identity of a model in jobs and in the measurement cache. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
