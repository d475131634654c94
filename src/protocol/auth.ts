import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Challenge-response on a shared token: the hub sends a fresh nonce, the peer answers
 * HMAC-SHA256(token, nonce + id). The token never crosses the wire, and an answer is bound to one nonce and
 * one id, so a captured hello is useless on any other connection.
 */

export function newNonce(): string {
  return randomBytes(32).toString('hex');
}

export function authAnswer(token: string, nonce: string, id: string): string {
  return createHmac('sha256', token).update(nonce + id).digest('hex');
}

export function answerIsValid(token: string, nonce: string, id: string, answer: string): boolean {
  const expected = Buffer.from(authAnswer(token, nonce, id), 'hex');
  const given = Buffer.from(answer, 'hex');
  // constant-time comparison, so timing does not leak how much of the answer was right
  return given.length === expected.length && timingSafeEqual(given, expected);
}
