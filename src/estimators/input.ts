/**
 * @file The one conversion of the estimators' inputs: a matrix-like X (2-D `Tensor`, `number[][]`,
 * a `DesignMatrix` such as `loadDataset` returns, or a sparse `CscMatrix` / `CsrMatrix`) becomes the
 * column-major / CSC `DesignMatrix` the Lasso solvers read, through the library's one conversion
 * and check (`checkedDesign`, src/lasso/design.ts), finiteness included (predict needs it too); y (an array of numbers or a 1-D `Tensor`) becomes a checked `Float64Array`. Every estimator
 * method reads its inputs through {@link toDesign} and {@link toTarget} only.
 */
import { ShapeError } from '../core/errors.js';
import { checkedDesign } from '../lasso/design.js';
import { Tensor, concreteData, formatShape } from '../core/tensor.js';
import type { DesignMatrix, MatrixLike, VectorLike } from '../data/matrix.js';
import { checkTarget } from '../lasso/models.js';

/** A design matrix as the estimators accept it: the library's one matrix model (src/data/matrix.ts). */
export type { MatrixLike, VectorLike } from '../data/matrix.js';

/**
 * X as a `DesignMatrix` through the library's one conversion and check (`checkedDesign`: 2-D Tensor,
 * number[][], CscMatrix, CsrMatrix or a design; not empty; finite). `where` names the public
 * method, e.g. `'Lasso.fit'`, and `arg` the argument (default `'X'`); errors: `InvalidArgumentError`
 * (not a matrix, no rows or no columns), `ShapeError` (ragged rows, a tensor that is not 2-D), `NonFiniteError` (NaN
 * or ±∞, with its row and column), `ConcretizationError` (a traced tensor: the estimators are not
 * differentiable).
 *
 * @example
 * toDesign([[1, 2], [3, 4]], 'Lasso.fit').nCols; // 2
 */
export function toDesign(X: MatrixLike, where: string, arg = 'X'): DesignMatrix {
  return checkedDesign(X, where, arg);
}

/**
 * y as a finite `Float64Array` of length `n` (the rows of X); `ShapeError` on a length mismatch,
 * `NonFiniteError` on NaN or ±∞, `InvalidArgumentError` when y is not an array of numbers.
 *
 * @example
 * toTarget([1, 2, 3], 3, 'Lasso.fit'); // Float64Array [1, 2, 3]
 */
export function toTarget(y: VectorLike | ArrayLike<number>, n: number, where: string, arg = 'y'): Float64Array {
  if (y instanceof Tensor) {
    if (y.ndim !== 1) throw new ShapeError(`${where}(): ${arg} must be a 1-D tensor, got shape ${formatShape(y.shape)}`);
    return checkTarget(concreteData(y, `${where}(): ${arg}`), n, where, arg);
  }
  return checkTarget(y, n, where, arg);
}
