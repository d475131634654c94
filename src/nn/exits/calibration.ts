/**
 * Expected calibration error of one exit: the samples are binned by their top softmax probability into
 * `bins` equal-width bins (lower edge exclusive, so a confidence of exactly k/bins falls in bin k-1), and
 * ECE = sum over bins of (bin size / samples) * |bin accuracy - bin mean confidence|. NACHOS uses 30 bins.
 */
export function expectedCalibrationError(confidence: ArrayLike<number>, correct: ArrayLike<number>, bins = 30): number {
  const samples = confidence.length;
  if (samples === 0) throw new Error('expectedCalibrationError: no samples');
  if (correct.length !== samples) throw new Error(`expectedCalibrationError: ${correct.length} correctness values for ${samples} confidences`);
  if (!Number.isInteger(bins) || bins < 1) throw new Error(`expectedCalibrationError: bins must be a positive integer, got ${bins}`);
  const count = new Float64Array(bins);
  const confidenceSum = new Float64Array(bins);
  const rightSum = new Float64Array(bins);
  for (let n = 0; n < samples; n++) {
    const p = confidence[n];
    if (!(p >= 0 && p <= 1)) throw new Error(`expectedCalibrationError: confidence ${p} of sample ${n} is outside [0, 1]`);
    const bin = Math.min(bins - 1, Math.max(0, Math.ceil(p * bins) - 1));
    count[bin]++;
    confidenceSum[bin] += p;
    if (correct[n]) rightSum[bin]++;
  }
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    if (count[b] > 0) ece += Math.abs(rightSum[b] - confidenceSum[b]) / samples;
  }
  return ece;
}
