import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import type { Surrogate } from './surrogate.ts';
import { checkQueryData, checkTrainingData, varyingColumns } from './training-data.ts';

/** pydacefit's defaults as CNAS called it: DACE(regr_linear, corr_gauss, theta=1.0, thetaL=1e-5, thetaU=100). */
const LOG_THETA_MIN = Math.log10(1e-5);
const LOG_THETA_MAX = Math.log10(100);
/** Grid step on log10(theta); it includes theta = 1, DACE's starting point. */
const GRID_STEP = 0.5;
/** Narrows the bracket to 0.618^16 of a decade, a 0.1 % uncertainty on theta. */
const REFINE_ITERATIONS = 16;

interface Standardisation {
  mean: Float64Array;
  std: Float64Array;
}

interface KrigingFit {
  /** The DACE likelihood objective log(sigma^2 det(R)^(1/n)); lower is better. */
  objective: number;
  theta: number;
  beta: Float64Array;
  /** R^-1 (y - F beta), the weights of the correlation vector in the predictor. */
  gamma: Float64Array;
}

/**
 * DACE kriging: linear trend [1, x] fitted by generalised least squares, Gaussian correlation
 * exp(-theta * |d|^2) with one isotropic theta, standardised inputs and outputs; predicts the posterior mean.
 *
 * DACE picks theta with a local pattern search from theta = 1. On 45 standardised genes the squared
 * distances are around 90, so theta = 1 makes R the identity and a local search can stall there; a coarse
 * grid over the whole log-range followed by golden-section refinement finds the same optimum when it is
 * near 1 and a better one when it is not.
 */
export class Kriging implements Surrogate {
  readonly name = 'gp';
  private nvar: number | undefined;
  private xScale: Standardisation = { mean: new Float64Array(0), std: new Float64Array(0) };
  private yMean = 0;
  private yStd = 1;
  private samples = new Float64Array(0);
  private trendColumns: number[] = [];
  private fitted: KrigingFit | undefined;

  /** The correlation parameter chosen by maximum likelihood in the last fit. */
  get theta(): number | undefined {
    return this.fitted?.theta;
  }

  async fit(X: number[][], y: number[]): Promise<void> {
    const nvar = checkTrainingData(this.name, X, y);
    const n = X.length;
    if (n < nvar + 1) {
      throw new Error(`gp: the linear trend needs at least nvar + 1 = ${nvar + 1} training points, got ${n}`);
    }
    const xScale = standardisation(X);
    const yScale = standardisation(y.map((v) => [v]));
    const S = X.map((row) => row.map((v, k) => (v - xScale.mean[k]) / xScale.std[k]));
    const Y = Matrix.columnVector(y.map((v) => (v - yScale.mean[0]) / yScale.std[0]));
    const trendColumns = varyingColumns(X);
    const F = new Matrix(S.map((row) => [1, ...trendColumns.map((k) => row[k])]));
    const squaredDistances = pairwiseSquaredDistances(S);

    const fitAt = (logTheta: number): KrigingFit =>
      fitWithTheta(10 ** logTheta, squaredDistances, n, F, Y);
    const best = minimiseOnLogGrid(fitAt);
    if (best.objective === Infinity) {
      throw new Error('gp: no theta in [1e-5, 100] gives a positive-definite, full-rank model (are some genes linearly dependent?)');
    }
    this.fitted = best;
    this.xScale = xScale;
    this.yMean = yScale.mean[0];
    this.yStd = yScale.std[0];
    this.samples = Float64Array.from(S.flat());
    this.trendColumns = trendColumns;
    this.nvar = nvar;
  }

  predict(X: number[][]): number[] {
    const nvar = checkQueryData(this.name, X, this.nvar);
    const { theta, beta, gamma } = this.fitted as KrigingFit;
    const { mean, std } = this.xScale;
    const { samples, trendColumns } = this;
    const x = new Float64Array(nvar);
    return X.map((row) => {
      for (let k = 0; k < nvar; k++) x[k] = (row[k] - mean[k]) / std[k];
      let value = beta[0];
      trendColumns.forEach((column, t) => (value += beta[1 + t] * x[column]));
      for (let j = 0, offset = 0; j < gamma.length; j++, offset += nvar) {
        let d2 = 0;
        for (let k = 0; k < nvar; k++) {
          const d = x[k] - samples[offset + k];
          d2 += d * d;
        }
        value += gamma[j] * Math.exp(-theta * d2);
      }
      return value * this.yStd + this.yMean;
    });
  }
}

/** Column means and sample standard deviations (ddof 1), with a zero or undefined spread replaced by 1. */
function standardisation(X: readonly number[][]): Standardisation {
  const n = X.length;
  const nvar = X[0].length;
  const mean = new Float64Array(nvar);
  const std = new Float64Array(nvar);
  for (let k = 0; k < nvar; k++) {
    let sum = 0;
    for (const row of X) sum += row[k];
    mean[k] = sum / n;
    let squares = 0;
    for (const row of X) squares += (row[k] - mean[k]) ** 2;
    const spread = Math.sqrt(squares / (n - 1));
    std[k] = spread > 0 ? spread : 1;
  }
  return { mean, std };
}

function pairwiseSquaredDistances(S: readonly number[][]): Float64Array {
  const n = S.length;
  const d2 = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      let sum = 0;
      for (let k = 0; k < S[i].length; k++) sum += (S[i][k] - S[j][k]) ** 2;
      d2[i * n + j] = sum;
      d2[j * n + i] = sum;
    }
  }
  return d2;
}

/** Generalised least squares for the trend plus the likelihood objective, at one theta. */
function fitWithTheta(theta: number, squaredDistances: Float64Array, n: number, F: Matrix, Y: Matrix): KrigingFit {
  const failed: KrigingFit = { objective: Infinity, theta, beta: new Float64Array(0), gamma: new Float64Array(0) };
  // DACE's nugget: just enough on the diagonal to keep Cholesky alive when two samples nearly coincide.
  const nugget = (10 + n) * Number.EPSILON;
  const R = new Matrix(n, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) R.set(i, j, Math.exp(-theta * squaredDistances[i * n + j]));
    R.set(i, i, 1 + nugget);
  }
  const cholesky = new CholeskyDecomposition(R);
  if (!cholesky.isPositiveDefinite()) return failed;
  const RinvF = cholesky.solve(F);
  const RinvY = cholesky.solve(Y);
  const gram = F.transpose().mmul(RinvF);
  // Symmetric in exact arithmetic; ml-matrix's Cholesky insists on it bit for bit.
  const normal = new CholeskyDecomposition(Matrix.add(gram, gram.transpose()).div(2));
  if (!normal.isPositiveDefinite()) return failed;
  const beta = normal.solve(F.transpose().mmul(RinvY));
  const residual = Matrix.sub(Y, F.mmul(beta)).getColumn(0);
  const gamma = Matrix.sub(RinvY, RinvF.mmul(beta)).getColumn(0);
  const sigma2 = residual.reduce((sum, r, i) => sum + r * gamma[i], 0) / n;
  const L = cholesky.lowerTriangularMatrix;
  let logDetR = 0;
  for (let i = 0; i < n; i++) logDetR += 2 * Math.log(L.get(i, i));
  // A trend that fits exactly (constant targets, say) leaves nothing to explain; no theta can beat that.
  const objective = sigma2 > 0 ? Math.log(sigma2) + logDetR / n : -Infinity;
  return { objective, theta, beta: Float64Array.from(beta.getColumn(0)), gamma: Float64Array.from(gamma) };
}

/** Best grid point on log10(theta), then golden-section search between its two neighbours. */
function minimiseOnLogGrid(fitAt: (logTheta: number) => KrigingFit): KrigingFit {
  let best = fitAt(LOG_THETA_MIN);
  for (let t = LOG_THETA_MIN + GRID_STEP; t <= LOG_THETA_MAX + 1e-9; t += GRID_STEP) {
    const candidate = fitAt(t);
    if (candidate.objective < best.objective) best = candidate;
  }
  const centre = Math.log10(best.theta);
  let lo = Math.max(LOG_THETA_MIN, centre - GRID_STEP);
  let hi = Math.min(LOG_THETA_MAX, centre + GRID_STEP);
  const ratio = (Math.sqrt(5) - 1) / 2;
  let leftAt = hi - ratio * (hi - lo);
  let rightAt = lo + ratio * (hi - lo);
  let left = fitAt(leftAt);
  let right = fitAt(rightAt);
  for (let i = 0; i < REFINE_ITERATIONS; i++) {
    if (left.objective <= right.objective) {
      [hi, rightAt, right] = [rightAt, leftAt, left];
      leftAt = hi - ratio * (hi - lo);
      left = fitAt(leftAt);
    } else {
      [lo, leftAt, left] = [leftAt, rightAt, right];
      rightAt = lo + ratio * (hi - lo);
      right = fitAt(rightAt);
    }
  }
  for (const candidate of [left, right]) if (candidate.objective < best.objective) best = candidate;
  return best;
}
