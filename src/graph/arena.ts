/** A tensor buffer with its size and lifetime as operator indices in execution order (inclusive). */
export interface Buffer {
  size: number;
  firstUse: number;
  lastUse: number;
}

export interface ArenaPlan {
  /** Offset of every buffer, in input order. */
  offsets: number[];
  /** High-water mark in bytes. */
  peak: number;
}

function alignUp(value: number, alignment: number): number {
  return Math.ceil(value / alignment) * alignment;
}

/**
 * TFLite Micro's greedy planner: buffers sorted by size (largest first, ties in input order), each placed at
 * the lowest offset where it overlaps no already placed buffer that is live at the same time. Sizes are
 * rounded up to `alignment` as the TFLM allocator does (16 bytes).
 */
export function planArena(buffers: readonly Buffer[], alignment = 16): ArenaPlan {
  const sizes = buffers.map((b) => alignUp(b.size, alignment));
  const order = buffers.map((_, i) => i).sort((a, b) => sizes[b] - sizes[a] || a - b);
  const offsets = new Array<number>(buffers.length).fill(0);
  const placed: number[] = [];
  let peak = 0;
  for (const i of order) {
    const live = placed
      .filter((j) => buffers[j].firstUse <= buffers[i].lastUse && buffers[i].firstUse <= buffers[j].lastUse)
      .sort((a, b) => offsets[a] - offsets[b]);
    let offset = 0;
    for (const j of live) {
      if (offsets[j] - offset >= sizes[i]) break;
      offset = Math.max(offset, offsets[j] + sizes[j]);
    }
    offsets[i] = offset;
    placed.push(i);
    peak = Math.max(peak, offset + sizes[i]);
  }
  return { offsets, peak };
}
