import type { Prng } from '../util/prng.ts';

/** Fisher-Yates shuffle. */
export function shuffleInPlace(values: Int32Array | number[], prng: Prng): void {
  for (let i = values.length - 1; i > 0; i--) {
    const j = prng.int(i + 1);
    const held = values[i];
    values[i] = values[j];
    values[j] = held;
  }
}
