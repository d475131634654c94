/**
 * A seed for an independent stream (an epoch, a split) derived from a base seed. Hashing both parts, rather
 * than adding them, keeps (seed 1, epoch 0) and (seed 0, epoch 1) from sharing a stream.
 */
export function deriveSeed(seed: number, stream: number): number {
  return mix32((mix32(seed >>> 0) ^ (stream >>> 0)) >>> 0);
}

/** murmur3's 32-bit finaliser. */
function mix32(value: number): number {
  let z = value;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}
