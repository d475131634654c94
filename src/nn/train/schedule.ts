/**
 * Cosine annealing from `initial` to 0 over `epochs`, stepped once per epoch: PyTorch's CosineAnnealingLR
 * with T_max = epochs and eta_min = 0, stepped after each epoch. `epoch` counts from 0, which gets `initial`.
 * CNAS stepped that scheduler per batch with T_max = epochs, so its rate went round the cosine many times.
 */
export function cosineLearningRate(initial: number, epoch: number, epochs: number): number {
  if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`cosineLearningRate: epochs must be a positive integer, got ${epochs}`);
  if (!Number.isInteger(epoch) || epoch < 0 || epoch >= epochs) throw new Error(`cosineLearningRate: epoch must be an integer in [0, ${epochs}), got ${epoch}`);
  return (initial * (1 + Math.cos((Math.PI * epoch) / epochs))) / 2;
}
