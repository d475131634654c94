import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeFrame } from '../../firmware-bridge/frame.ts';
import type { LinkEvent } from '../../firmware-bridge/link-parser.ts';
import { LinkParser } from '../../firmware-bridge/link-parser.ts';

const text = (s: string) => new TextEncoder().encode(s);
const concat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));

function byteByByte(parser: LinkParser, stream: Uint8Array): LinkEvent[] {
  return [...stream].flatMap((byte) => parser.push(Uint8Array.of(byte)));
}

test('text lines and frames interleave; \\r is stripped', () => {
  const frame = { type: 0x81, seq: 7, payload: Uint8Array.of(0, 1, 0, 2) };
  const stream = concat(text('m-cnas-firmware-[0.1]\r\nm-ready\r\n'), encodeFrame(frame), text('m-lap-us-5\r\n'), encodeFrame({ ...frame, seq: 8 }));
  const events = byteByByte(new LinkParser(), stream);
  assert.deepEqual(events, [
    { kind: 'text', line: 'm-cnas-firmware-[0.1]' },
    { kind: 'text', line: 'm-ready' },
    { kind: 'frame', frame },
    { kind: 'text', line: 'm-lap-us-5' },
    { kind: 'frame', frame: { ...frame, seq: 8 } },
  ]);
  assert.deepEqual(new LinkParser().push(stream), events, 'one chunk and single bytes give the same events');
});

test('non-printable bytes drop the text line; lines over 80 bytes are dropped whole', () => {
  const parser = new LinkParser();
  assert.deepEqual(parser.push(text('bro\x07ken\nok\n')), [
    { kind: 'text', line: 'ken' },
    { kind: 'text', line: 'ok' },
  ]);
  assert.deepEqual(parser.push(text(`${'x'.repeat(80)}\n${'y'.repeat(81)}\nafter\n`)), [
    { kind: 'text', line: 'x'.repeat(80) },
    { kind: 'text', line: 'after' },
  ]);
});

test('a damaged frame is an error and the parser resynchronises on the next delimiter', () => {
  const good = encodeFrame({ type: 0x82, seq: 1, payload: Uint8Array.of(9, 9, 9, 9) });
  const bad = good.slice();
  bad[7] ^= 0x01; // a payload byte
  const events = byteByByte(new LinkParser(), concat(bad, good, Uint8Array.of(0, 0x05, 0x11, 0), good));
  assert.deepEqual(
    events.map((e) => (e.kind === 'frame_error' ? e.reason : e.kind)),
    ['bad_crc', 'frame', 'bad_cobs', 'frame'],
  );
});

test('a frame longer than the capacity overflows back to text, where the rest is read as text', () => {
  const parser = new LinkParser(16);
  const events = parser.push(concat(Uint8Array.of(0), new Uint8Array(40).fill(0x41), text('\nm-ready\n')));
  assert.deepEqual(events, [
    { kind: 'frame_error', reason: 'overflow' },
    { kind: 'text', line: 'A'.repeat(40 - 16 - 1) },
    { kind: 'text', line: 'm-ready' },
  ]);
});

test('random garbage never throws and ends as text or frame errors', () => {
  const parser = new LinkParser(512);
  let seed = 1;
  const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
  for (let round = 0; round < 200; round++) {
    const chunk = Uint8Array.from({ length: 1 + (random() % 200) }, random);
    for (const event of parser.push(chunk)) assert.notEqual(event.kind, 'frame');
  }
  const good = { type: 0x81, seq: 3, payload: Uint8Array.of(1) };
  assert.deepEqual(parser.push(encodeFrame(good)).at(-1), { kind: 'frame', frame: good }, 'still recognises frames after garbage');
});
