import type { Builder, Offset } from 'flatbuffers';

/** Flatbuffer vectors are written back to front; these helpers hide that. */

export function int32Vector(b: Builder, values: readonly number[]): Offset {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addInt32(values[i]);
  return b.endVector();
}

export function float32Vector(b: Builder, values: readonly number[]): Offset {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addFloat32(values[i]);
  return b.endVector();
}

export function int64Vector(b: Builder, values: readonly number[]): Offset {
  b.startVector(8, values.length, 8);
  for (let i = values.length - 1; i >= 0; i--) b.addInt64(BigInt(values[i]));
  return b.endVector();
}

export function offsetVector(b: Builder, offsets: readonly Offset[]): Offset {
  b.startVector(4, offsets.length, 4);
  for (let i = offsets.length - 1; i >= 0; i--) b.addOffset(offsets[i]);
  return b.endVector();
}

/**
 * A byte vector whose first element sits on a 16-byte boundary (`Buffer.data` is `force_align: 16`, and
 * kernels on microcontrollers read weights with aligned loads). Aligning the end position before the
 * builder's own 4-byte prep makes the start aligned, since flatbuffers align relative to the buffer's end
 * and the finished buffer is padded to its largest alignment. One block copy instead of a call per byte.
 */
export function alignedByteVector(b: Builder, data: Uint8Array): Offset {
  b.prep(16, data.length);
  return b.createByteVector(data);
}
