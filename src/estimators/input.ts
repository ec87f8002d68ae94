/**
 * @file The one conversion of the estimators' inputs: a matrix-like X (2-D `Tensor`, `number[][]`,
 * a `DesignMatrix` such as `loadDataset` returns, or a sparse `CscMatrix` / `CsrMatrix`) becomes the
 * column-major / CSC `DesignMatrix` the Lasso solvers read, checked for shape and finiteness; y (an
 * array of numbers or a 1-D `Tensor`) becomes a checked `Float64Array`. Every estimator method reads
 * its inputs through {@link toDesign} and {@link toTarget} only, so that a library-wide converter
 * can later replace these two functions in one place.
 */
import { InvalidArgumentError, NonFiniteError, ShapeError } from '../core/errors.js';
import { Tensor, concreteData, formatShape } from '../core/tensor.js';
import { denseFromRows, type DesignMatrix } from '../data/dataset.js';
import { CscMatrix } from '../linalg/sparse/csc.js';
import { CsrMatrix } from '../linalg/sparse/csr.js';
import { checkTarget } from '../lasso/models.js';

/** A design matrix as the estimators accept it: n rows (samples) × p columns (features). */
export type MatrixLike = Tensor | number[][] | DesignMatrix | CscMatrix | CsrMatrix;

/** A target vector: one number per row. */
export type VectorLike = ArrayLike<number> | Tensor;

function fromSparse(S: CscMatrix): DesignMatrix {
  return { kind: 'csc', nRows: S.rows, nCols: S.cols, indptr: S.indptr, indices: S.indices, values: S.values };
}

/**
 * X as a `DesignMatrix` (dense column-major or CSC; dense inputs are copied, designs and CSC
 * matrices are wrapped without copy). `where` names the public method, e.g. `'Lasso.fit'`; errors:
 * `InvalidArgumentError` (not a matrix, no rows or no columns), `ShapeError` (ragged rows, a tensor
 * that is not 2-D), `NonFiniteError` (NaN or ±∞, with its row and column), `ConcretizationError`
 * (a traced tensor: the estimators are not differentiable).
 *
 * @example
 * toDesign([[1, 2], [3, 4]], 'Lasso.fit').nCols; // 2
 */
export function toDesign(X: MatrixLike, where: string): DesignMatrix {
  let D: DesignMatrix;
  if (X instanceof Tensor) {
    if (X.ndim !== 2) throw new ShapeError(`${where}(): X must be a 2-D tensor (samples × features), got shape ${formatShape(X.shape)}`);
    D = denseFromRows(concreteData(X, `${where}(): X`), X.shape[0]!, X.shape[1]!);
  } else if (Array.isArray(X)) {
    for (let i = 0; i < X.length; i++) {
      if (!Array.isArray(X[i])) throw new InvalidArgumentError(`${where}(): X must be an array of rows (number[][]); row ${i} is ${typeof X[i]}`);
      if (X[i]!.length !== X[0]!.length) throw new ShapeError(`${where}(): X row ${i} has ${X[i]!.length} values, row 0 has ${X[0]!.length}`);
    }
    D = denseFromRows(X);
  } else if (X instanceof CscMatrix) {
    D = fromSparse(X);
  } else if (X instanceof CsrMatrix) {
    D = fromSparse(X.toCsc());
  } else if (X !== null && typeof X === 'object' && ((X as DesignMatrix).kind === 'dense' || (X as DesignMatrix).kind === 'csc')) {
    D = X as DesignMatrix;
  } else {
    throw new InvalidArgumentError(`${where}(): X must be a 2-D Tensor, number[][], a DesignMatrix or a CscMatrix/CsrMatrix, got ${X === null ? 'null' : typeof X}`);
  }
  if (D.nRows === 0) throw new InvalidArgumentError(`${where}(): X has no rows`);
  if (D.nCols === 0) throw new InvalidArgumentError(`${where}(): X has no columns`);
  if (D.kind === 'dense') {
    const { data, nRows } = D;
    for (let k = 0; k < data.length; k++) {
      const v = data[k]!;
      if (v - v !== 0) throw new NonFiniteError(`${where}(): X contains ${v} at row ${k % nRows}, column ${Math.floor(k / nRows)}`);
    }
  } else {
    const { values, indices, indptr } = D;
    for (let j = 0; j < D.nCols; j++) {
      for (let k = indptr[j]!; k < indptr[j + 1]!; k++) {
        const v = values[k]!;
        if (v - v !== 0) throw new NonFiniteError(`${where}(): X contains ${v} at row ${indices[k]}, column ${j}`);
      }
    }
  }
  return D;
}

/**
 * y as a finite `Float64Array` of length `n` (the rows of X); `ShapeError` on a length mismatch,
 * `NonFiniteError` on NaN or ±∞, `InvalidArgumentError` when y is not an array of numbers.
 *
 * @example
 * toTarget([1, 2, 3], 3, 'Lasso.fit'); // Float64Array [1, 2, 3]
 */
export function toTarget(y: VectorLike, n: number, where: string): Float64Array {
  if (y instanceof Tensor) {
    if (y.ndim !== 1) throw new ShapeError(`${where}(): y must be a 1-D tensor, got shape ${formatShape(y.shape)}`);
    return checkTarget(concreteData(y, `${where}(): y`), n, where);
  }
  return checkTarget(y, n, where);
}
