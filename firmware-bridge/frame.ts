import { cobsEncode } from './cobs.ts';
import { crc32 } from './crc32.ts';

export interface Frame {
  type: number;
  seq: number;
  payload: Uint8Array;
}

export const FRAME_HEADER_BYTES = 4;
export const FRAME_CRC_BYTES = 4;
export const MAX_PAYLOAD_BYTES = 0xffff;

export type FrameCheck = { ok: true; frame: Frame } | { ok: false; reason: 'bad_length' | 'bad_crc' };

/** The raw frame (header, payload, CRC) before COBS. */
export function buildFrame(frame: Frame): Uint8Array {
  if (frame.payload.length > MAX_PAYLOAD_BYTES) throw new RangeError(`payload of ${frame.payload.length} bytes exceeds the u16 length field`);
  const raw = new Uint8Array(FRAME_HEADER_BYTES + frame.payload.length + FRAME_CRC_BYTES);
  const view = new DataView(raw.buffer);
  raw[0] = frame.type;
  raw[1] = frame.seq & 0xff;
  view.setUint16(2, frame.payload.length, true);
  raw.set(frame.payload, FRAME_HEADER_BYTES);
  const end = FRAME_HEADER_BYTES + frame.payload.length;
  view.setUint32(end, crc32(raw.subarray(0, end)), true);
  return raw;
}

/** What goes on the wire: `0x00 COBS(frame) 0x00`. */
export function encodeFrame(frame: Frame): Uint8Array {
  const body = cobsEncode(buildFrame(frame));
  const wire = new Uint8Array(body.length + 2);
  wire.set(body, 1);
  return wire;
}

/** Checks a COBS-decoded frame: its length field must match the bytes received and its CRC the content. */
export function parseFrame(raw: Uint8Array): FrameCheck {
  if (raw.length < FRAME_HEADER_BYTES + FRAME_CRC_BYTES) return { ok: false, reason: 'bad_length' };
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const length = view.getUint16(2, true);
  if (raw.length !== FRAME_HEADER_BYTES + length + FRAME_CRC_BYTES) return { ok: false, reason: 'bad_length' };
  const end = FRAME_HEADER_BYTES + length;
  if (view.getUint32(end, true) !== crc32(raw.subarray(0, end))) return { ok: false, reason: 'bad_crc' };
  return { ok: true, frame: { type: raw[0], seq: raw[1], payload: raw.slice(FRAME_HEADER_BYTES, end) } };
}
