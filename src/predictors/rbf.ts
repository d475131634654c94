import { LuDecomposition, Matrix } from 'ml-matrix';
import type { Surrogate } from './surrogate.ts';
import { checkQueryData, checkTrainingData, varyingColumns } from './training-data.ts';

/** pySOT's default regularisation; keeps the system solvable when two encodings coincide. */
const ETA = 1e-6;

/**
 * Cubic radial basis function interpolant with a linear polynomial tail (pySOT's RBFInterpolant with
 * CubicKernel and LinearTail), on raw, unscaled encodings.
 */
export class CubicRbf implements Surrogate {
  readonly name = 'rbf';
  private nvar: number | undefined;
  private centers = new Float64Array(0);
  private weights = new Float64Array(0);
  private tail = new Float64Array(0);
  private tailColumns: number[] = [];

  async fit(X: number[][], y: number[]): Promise<void> {
    const nvar = checkTrainingData(this.name, X, y);
    const n = X.length;
    // Below this the linear tail is under-determined and the saddle-point system is singular.
    if (n < nvar + 1) {
      throw new Error(`rbf: needs at least nvar + 1 = ${nvar + 1} training points for ${nvar} variables, got ${n}`);
    }
    const tailColumns = varyingColumns(X);
    const nTail = 1 + tailColumns.length;
    // [[0, P^T], [P, Phi + eta I]] [lambda; c] = [0; f], with P's rows [1, x] (x's varying genes).
    const system = Matrix.zeros(nTail + n, nTail + n);
    for (let i = 0; i < n; i++) {
      const row = nTail + i;
      system.set(row, 0, 1);
      system.set(0, row, 1);
      tailColumns.forEach((column, t) => {
        system.set(row, 1 + t, X[i][column]);
        system.set(1 + t, row, X[i][column]);
      });
      for (let j = 0; j <= i; j++) {
        const phi = cubic(squaredDistance(X[i], X[j]));
        system.set(row, nTail + j, phi);
        system.set(nTail + j, row, phi);
      }
      system.set(row, row, system.get(row, row) + ETA);
    }
    const rhs = Matrix.columnVector([...new Array<number>(nTail).fill(0), ...y]);
    const lu = new LuDecomposition(system);
    if (lu.isSingular()) throw new Error('rbf: interpolation system is singular (are some genes linearly dependent?)');
    const solution = lu.solve(rhs).getColumn(0);
    this.tail = Float64Array.from(solution.slice(0, nTail));
    this.weights = Float64Array.from(solution.slice(nTail));
    this.tailColumns = tailColumns;
    this.centers = Float64Array.from(X.flat());
    this.nvar = nvar;
  }

  predict(X: number[][]): number[] {
    const nvar = checkQueryData(this.name, X, this.nvar);
    const { centers, weights, tail, tailColumns } = this;
    const x = new Float64Array(nvar);
    return X.map((row) => {
      x.set(row);
      let value = tail[0];
      tailColumns.forEach((column, t) => (value += tail[1 + t] * x[column]));
      for (let j = 0, offset = 0; j < weights.length; j++, offset += nvar) {
        let d2 = 0;
        for (let k = 0; k < nvar; k++) {
          const d = x[k] - centers[offset + k];
          d2 += d * d;
        }
        value += weights[j] * cubic(d2);
      }
      return value;
    });
  }
}

/** phi(r) = r^3, computed from the squared distance r^2. */
function cubic(squared: number): number {
  return squared * Math.sqrt(squared);
}

function squaredDistance(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let k = 0; k < a.length; k++) sum += (a[k] - b[k]) ** 2;
  return sum;
}
