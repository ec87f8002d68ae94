/**
 * @file The one conversion of the estimators' inputs: a matrix-like X (2-D `Tensor`, `number[][]`,
 * a `DesignMatrix` such as `loadDataset` returns, or a sparse `CscMatrix` / `CsrMatrix`) becomes the
 * column-major / CSC `DesignMatrix` the Lasso solvers read, through the library's one conversion
 * (`toDesignMatrix`, src/lasso/matrix.ts), and is checked for finiteness up front (predict needs it
 * too); y (an array of numbers or a 1-D `Tensor`) becomes a checked `Float64Array`. Every estimator
 * method reads its inputs through {@link toDesign} and {@link toTarget} only.
 */
import { InvalidArgumentError, NonFiniteError, ShapeError } from '../core/errors.js';
import { Tensor, concreteData, formatShape } from '../core/tensor.js';
import { toDesignMatrix, type DesignMatrix, type MatrixLike, type VectorLike } from '../data/matrix.js';
import { checkTarget } from '../lasso/models.js';

/** A design matrix as the estimators accept it: the library's one matrix model (src/lasso/matrix.ts). */
export type { MatrixLike, VectorLike } from '../data/matrix.js';

/**
 * X as a `DesignMatrix` through the library's one conversion (`toDesignMatrix`: 2-D Tensor,
 * number[][], CscMatrix, CsrMatrix or a design), then checked for emptiness and finiteness. `where`
 * names the public method, e.g. `'Lasso.fit'`; errors: `InvalidArgumentError` (not a matrix, no
 * rows or no columns), `ShapeError` (ragged rows, a tensor that is not 2-D), `NonFiniteError` (NaN
 * or ±∞, with its row and column), `ConcretizationError` (a traced tensor: the estimators are not
 * differentiable).
 *
 * @example
 * toDesign([[1, 2], [3, 4]], 'Lasso.fit').nCols; // 2
 */
export function toDesign(X: MatrixLike, where: string): DesignMatrix {
  const D = toDesignMatrix(X, where);
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
export function toTarget(y: VectorLike | ArrayLike<number>, n: number, where: string): Float64Array {
  if (y instanceof Tensor) {
    if (y.ndim !== 1) throw new ShapeError(`${where}(): y must be a 1-D tensor, got shape ${formatShape(y.shape)}`);
    return checkTarget(concreteData(y, `${where}(): y`), n, where);
  }
  return checkTarget(y, n, where);
}
