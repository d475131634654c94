/**
 * Agreement between predicted and measured objective values. The search only needs the surrogate to order
 * candidates correctly, so the rank correlations matter more than RMSE.
 */

export interface SurrogateQuality {
  rmse: number;
  rho: number;
  tau: number;
}

function assertSameLength(a: readonly number[], b: readonly number[]): void {
  if (a.length !== b.length) throw new Error(`metric inputs differ in length: ${a.length} vs ${b.length}`);
}

/** Root mean squared error; NaN for empty input. (CNAS broadcast an (n,1) against an (n,) array here.) */
export function rmse(predicted: readonly number[], actual: readonly number[]): number {
  assertSameLength(predicted, actual);
  if (predicted.length === 0) return NaN;
  let sum = 0;
  for (let i = 0; i < predicted.length; i++) sum += (predicted[i] - actual[i]) ** 2;
  return Math.sqrt(sum / predicted.length);
}

/** 1-based ranks, tied values sharing the average of the ranks they span. */
export function averageRanks(values: readonly number[]): number[] {
  const order = values.map((_, i) => i).sort((i, j) => values[i] - values[j]);
  const ranks = new Array<number>(values.length);
  for (let start = 0; start < order.length; ) {
    let end = start + 1;
    while (end < order.length && values[order[end]] === values[order[start]]) end++;
    const shared = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) ranks[order[k]] = shared;
    start = end;
  }
  return ranks;
}

function pearson(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  const meanA = a.reduce((s, v) => s + v, 0) / n;
  const meanB = b.reduce((s, v) => s + v, 0) / n;
  let cov = 0;
  let varA = 0;
  let varB = 0;
  for (let i = 0; i < n; i++) {
    cov += (a[i] - meanA) * (b[i] - meanB);
    varA += (a[i] - meanA) ** 2;
    varB += (b[i] - meanB) ** 2;
  }
  return varA === 0 || varB === 0 ? NaN : cov / Math.sqrt(varA * varB);
}

/** Spearman's rho: Pearson correlation of average ranks; NaN when either side is constant or n < 2. */
export function spearmanRho(predicted: readonly number[], actual: readonly number[]): number {
  assertSameLength(predicted, actual);
  if (predicted.length < 2) return NaN;
  return pearson(averageRanks(predicted), averageRanks(actual));
}

/**
 * Kendall's tau-b (the scipy default): ties in either input shrink the denominator instead of counting as
 * discordant. O(n^2), which is fine for the archive sizes a search produces (a few thousand at most).
 */
export function kendallTau(predicted: readonly number[], actual: readonly number[]): number {
  assertSameLength(predicted, actual);
  const n = predicted.length;
  let score = 0;
  let tiedPredicted = 0;
  let tiedActual = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dp = Math.sign(predicted[i] - predicted[j]);
      const da = Math.sign(actual[i] - actual[j]);
      if (dp === 0) tiedPredicted++;
      if (da === 0) tiedActual++;
      score += dp * da;
    }
  }
  const pairs = (n * (n - 1)) / 2;
  const denominator = Math.sqrt((pairs - tiedPredicted) * (pairs - tiedActual));
  return denominator === 0 ? NaN : score / denominator;
}

export function surrogateQuality(predicted: readonly number[], actual: readonly number[]): SurrogateQuality {
  return {
    rmse: rmse(predicted, actual),
    rho: spearmanRho(predicted, actual),
    tau: kendallTau(predicted, actual),
  };
}
