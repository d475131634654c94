/**
 * Deb's crowding distance of the members of one front, aligned with `front`. Boundary members get
 * Infinity so that survival always keeps the extremes of the front.
 */
export function crowdingDistance(F: readonly (readonly number[])[], front: readonly number[]): Float64Array {
  const size = front.length;
  const distance = new Float64Array(size);
  if (size <= 2) return distance.fill(Infinity);
  const order = Array.from({ length: size }, (_, k) => k);
  const nObjectives = F[front[0]].length;
  for (let m = 0; m < nObjectives; m++) {
    order.sort((a, b) => F[front[a]][m] - F[front[b]][m]);
    const low = F[front[order[0]]][m];
    const range = F[front[order[size - 1]]][m] - low;
    distance[order[0]] = Infinity;
    distance[order[size - 1]] = Infinity;
    // A constant objective separates nobody; dividing by its zero range would poison the sums with NaN.
    if (range <= 0) continue;
    for (let k = 1; k < size - 1; k++) {
      distance[order[k]] += (F[front[order[k + 1]]][m] - F[front[order[k - 1]]][m]) / range;
    }
  }
  return distance;
}
