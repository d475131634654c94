/** The parts one after another in one new typed array of the same kind. */
export function concatTyped<T extends Float32Array | Uint8Array | Int32Array>(parts: readonly T[], Kind: { new (length: number): T }): T {
  const out = new Kind(parts.reduce((sum, p) => sum + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
