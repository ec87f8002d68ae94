/**
 * @file Column standardisation for the estimators' `standardize: true` (glmnet's default).
 *
 * Definition. With an intercept the scale of column j is its POPULATION standard deviation
 * s_j = sqrt((1/n) Σ_i (x_ij − x̄_j)²) (divisor n, as glmnet; scikit-learn's StandardScaler is the
 * same); without an intercept it is the root mean square s_j = sqrt((1/n) Σ_i x_ij²), so that the
 * model through the origin stays one through the origin. The solvers see Z = X·diag(1/s) (they
 * centre Z themselves when fitting an intercept, which only moves the intercept), so a fit
 * Zβ + b on the standardized columns is Xc + b on the raw columns with
 *
 *   c_j = β_j / s_j,   intercept unchanged,
 *
 * and predictions work on raw X. The penalty acts on the standardized coefficients: α Σ_j s_j |c_j|.
 *
 * Constant columns (every entry equal, detected exactly; an all-zero column without an
 * intercept) have s_j = 0: they are left unscaled (s_j := 1) and, carrying no information, get
 * coefficient 0 from the solvers — no error.
 */
import { checkOptions } from '../core/options.js';
import { CscMatrix } from '../linalg/sparse/csc.js';
import { constantColumns, type DesignMatrix } from '../data/dataset.js';

/** Scales of the columns (1 for constant columns) and which columns were constant. */
export interface ColumnScaling {
  readonly scales: Float64Array;
  readonly constant: Int32Array;
}

/** Options of `columnScales`. */
export interface ColumnScalesOptions {
  /** Centre the columns (population std, for a model with an intercept); false: root mean square. Default true. */
  center?: boolean;
}

/**
 * Scales of the columns of X as defined in the file header (population std with `center`, root
 * mean square without).
 *
 * @example
 * columnScales(denseFromRows([[1, 5], [3, 5]])).scales; // [1, 1] (column 1 is constant)
 */
export function columnScales(X: DesignMatrix, opts?: ColumnScalesOptions): ColumnScaling {
  checkOptions(opts, ['center'], 'columnScales()');
  const center = opts?.center ?? true;
  const n = X.nRows;
  const p = X.nCols;
  const scales = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    let sum = 0;
    let sq = 0;
    let stored = n;
    if (X.kind === 'dense') {
      const o = j * n;
      if (center) for (let i = 0; i < n; i++) sum += X.data[o + i]!;
      const m = sum / n;
      for (let i = 0; i < n; i++) {
        const d = X.data[o + i]! - m;
        sq += d * d;
      }
    } else {
      const s = X.indptr[j]!, e = X.indptr[j + 1]!;
      stored = e - s;
      if (center) for (let k = s; k < e; k++) sum += X.values[k]!;
      const m = sum / n;
      for (let k = s; k < e; k++) {
        const d = X.values[k]! - m;
        sq += d * d;
      }
      sq += (n - stored) * m * m; // the implicit zeros
    }
    scales[j] = Math.sqrt(sq / n);
  }
  const constant = center
    ? constantColumns(X, { includeEmptySparse: true })
    : Int32Array.from(Array.from(scales.keys()).filter((j) => scales[j] === 0));
  for (let t = 0; t < constant.length; t++) scales[constant[t]!] = 1;
  for (let j = 0; j < p; j++) if (scales[j] === 0) scales[j] = 1; // a column of zeros (sparse, stored zeros)
  return { scales, constant };
}

/**
 * A copy of X with column j divided by `scales[j]` (same storage kind; sparsity is kept).
 *
 * @example
 * scaleColumns(denseFromRows([[2, 4]]), Float64Array.of(2, 4)).data; // [1, 1]
 */
export function scaleColumns(X: DesignMatrix, scales: Float64Array): DesignMatrix {
  if (X.kind === 'dense') {
    const n = X.nRows;
    const data = new Float64Array(X.data.length);
    for (let j = 0; j < X.nCols; j++) {
      const s = scales[j]!;
      for (let k = j * n; k < (j + 1) * n; k++) data[k] = X.data[k]! / s;
    }
    return { kind: 'dense', nRows: n, nCols: X.nCols, data };
  }
  const values = new Float64Array(X.values.length);
  for (let j = 0; j < X.nCols; j++) {
    const s = scales[j]!;
    for (let k = X.indptr[j]!; k < X.indptr[j + 1]!; k++) values[k] = X.values[k]! / s;
  }
  return new CscMatrix(X.nRows, X.nCols, X.indptr, X.indices, values, { check: false });
}

/** Coefficients of the standardized problem mapped to the raw columns: c_j = β_j / s_j. */
export function unscaleCoef(beta: Float64Array, scales: Float64Array): Float64Array {
  const c = new Float64Array(beta.length);
  for (let j = 0; j < beta.length; j++) c[j] = beta[j]! / scales[j]!;
  return c;
}
