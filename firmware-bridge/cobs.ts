/** Consistent Overhead Byte Stuffing: the encoded form never contains 0x00, so 0x00 can delimit frames. */

export function cobsMaxEncodedLength(length: number): number {
  return length + Math.ceil(length / 254) + 1;
}

export function cobsEncode(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(cobsMaxEncodedLength(data.length));
  let codeIndex = 0;
  let code = 1;
  let o = 1;
  for (let i = 0; i < data.length; i++) {
    const byte = data[i];
    if (byte === 0) {
      out[codeIndex] = code;
      codeIndex = o++;
      code = 1;
      continue;
    }
    out[o++] = byte;
    code++;
    if (code === 0xff) {
      out[codeIndex] = code;
      codeIndex = o++;
      code = 1;
    }
  }
  out[codeIndex] = code;
  return out.subarray(0, o);
}

/** Returns undefined for input that no encoder produces (a zero byte, a block running past the end). */
export function cobsDecode(encoded: Uint8Array): Uint8Array | undefined {
  const out = new Uint8Array(encoded.length);
  let o = 0;
  let i = 0;
  while (i < encoded.length) {
    const code = encoded[i++];
    const end = i + code - 1;
    if (code === 0 || end > encoded.length) return undefined;
    const block = encoded.subarray(i, end);
    if (block.includes(0)) return undefined;
    out.set(block, o);
    o += block.length;
    i = end;
    if (code !== 0xff && i < encoded.length) out[o++] = 0;
  }
  return out.subarray(0, o);
}
