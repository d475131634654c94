/** Shape checks shared by all surrogates, so a malformed archive fails loudly instead of as NaN predictions. */

export function checkTrainingData(model: string, X: readonly number[][], y: readonly number[]): number {
  if (X.length === 0) throw new Error(`${model}: cannot fit on an empty training set`);
  if (X.length !== y.length) throw new Error(`${model}: ${X.length} encodings but ${y.length} targets`);
  const nvar = X[0].length;
  if (nvar === 0) throw new Error(`${model}: encodings have no variables`);
  X.forEach((row, i) => {
    if (row.length !== nvar) throw new Error(`${model}: row ${i} has ${row.length} variables, expected ${nvar}`);
    if (!row.every(Number.isFinite)) throw new Error(`${model}: row ${i} contains a non-finite value`);
  });
  if (!y.every(Number.isFinite)) throw new Error(`${model}: targets contain a non-finite value`);
  return nvar;
}

export function checkQueryData(model: string, X: readonly number[][], nvar: number | undefined): number {
  if (nvar === undefined) throw new Error(`${model}: predict called before fit`);
  X.forEach((row, i) => {
    if (row.length !== nvar) throw new Error(`${model}: query row ${i} has ${row.length} variables, expected ${nvar}`);
  });
  return nvar;
}

/**
 * Columns that take more than one value. A linear term on a gene that never varies in the archive is
 * unidentifiable (it would make the RBF and kriging systems singular) and contributes nothing at the training
 * points, so the linear parts of those models leave such genes out.
 */
export function varyingColumns(X: readonly number[][]): number[] {
  return X[0].map((_, k) => k).filter((k) => X.some((row) => row[k] !== X[0][k]));
}
