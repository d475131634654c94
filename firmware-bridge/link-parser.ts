import { cobsDecode, cobsMaxEncodedLength } from './cobs.ts';
import type { Frame } from './frame.ts';
import { FRAME_CRC_BYTES, FRAME_HEADER_BYTES, MAX_PAYLOAD_BYTES, parseFrame } from './frame.ts';

export type FrameErrorReason = 'bad_cobs' | 'bad_length' | 'bad_crc' | 'overflow';

export type LinkEvent =
  | { kind: 'text'; line: string }
  | { kind: 'frame'; frame: Frame }
  | { kind: 'frame_error'; reason: FrameErrorReason };

export const MAX_TEXT_LINE_BYTES = 80;
const LARGEST_ENCODED_FRAME = cobsMaxEncodedLength(FRAME_HEADER_BYTES + MAX_PAYLOAD_BYTES + FRAME_CRC_BYTES);

/**
 * The host side of the link state machine in PROTOCOL.md: text lines and COBS frames share one byte stream, with
 * 0x00 as the only delimiter. Any byte sequence is accepted; garbage ends up as dropped text or frame errors.
 */
export class LinkParser {
  private state: 'text' | 'frame' = 'text';
  private readonly text: number[] = [];
  private textOverlong = false;
  private readonly frame: Uint8Array;
  private frameLength = 0;

  constructor(readonly frameCapacity = LARGEST_ENCODED_FRAME) {
    this.frame = new Uint8Array(frameCapacity);
  }

  push(chunk: Uint8Array): LinkEvent[] {
    const events: LinkEvent[] = [];
    let i = 0;
    while (i < chunk.length) {
      if (this.state === 'frame') i = this.pushFrameBytes(chunk, i, events);
      else this.pushTextByte(chunk[i++], events);
    }
    return events;
  }

  private pushTextByte(byte: number, events: LinkEvent[]): void {
    if (byte === 0x00) {
      this.dropText();
      this.state = 'frame';
    } else if (byte === 0x0a) {
      if (!this.textOverlong && this.text.length > 0) events.push({ kind: 'text', line: String.fromCharCode(...this.text) });
      this.dropText();
    } else if (byte === 0x0d) {
      // Lines end in \r\n; the \r carries nothing.
    } else if (byte >= 0x20 && byte <= 0x7e) {
      if (this.text.length < MAX_TEXT_LINE_BYTES) this.text.push(byte);
      else this.textOverlong = true;
    } else {
      this.dropText();
    }
  }

  /** Copies frame bytes up to the next delimiter in one go; returns the index of the first unconsumed byte. */
  private pushFrameBytes(chunk: Uint8Array, start: number, events: LinkEvent[]): number {
    const zero = chunk.indexOf(0x00, start);
    const end = zero === -1 ? chunk.length : zero;
    const room = this.frameCapacity - this.frameLength;
    if (end - start > room) {
      events.push({ kind: 'frame_error', reason: 'overflow' });
      this.frameLength = 0;
      this.state = 'text';
      return start + room + 1;
    }
    this.frame.set(chunk.subarray(start, end), this.frameLength);
    this.frameLength += end - start;
    if (zero === -1) return end;
    if (this.frameLength > 0) {
      events.push(this.decodeFrame());
      this.frameLength = 0;
      this.state = 'text';
    }
    return zero + 1;
  }

  private decodeFrame(): LinkEvent {
    const raw = cobsDecode(this.frame.subarray(0, this.frameLength));
    if (!raw) return { kind: 'frame_error', reason: 'bad_cobs' };
    const checked = parseFrame(raw);
    return checked.ok ? { kind: 'frame', frame: checked.frame } : { kind: 'frame_error', reason: checked.reason };
  }

  private dropText(): void {
    this.text.length = 0;
    this.textOverlong = false;
  }
}
