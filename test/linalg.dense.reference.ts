/**
 * @file Reference values for the tests of the `linalg` namespace, computed directly with the
 * `Float64Array` kernels of `src/linalg/dense` (no autodiff, no validation layer), so the
 * differentiable functions can be compared with the numeric routines underneath.
 */
import { fromData, type Tensor } from '../src/core/tensor.js';
import {
  choleskyFactor,
  eighDecompose,
  luDet,
  luFactor,
  luInverse,
  luSolve,
  qrFactor,
  qrQ,
  qrSolve,
  triangularSolve,
} from '../src/linalg/dense/index.js';

/** Columns of a right-hand side `[n]` (1) or `[n, k]` (k). */
const cols = (b: Tensor): number => (b.ndim === 1 ? 1 : b.shape[1]!);

/** A⁻¹b by LU. */
export function solve(A: Tensor, b: Tensor): Tensor {
  return fromData(luSolve(luFactor(A.data, A.shape[0]!), b.data, cols(b)), [...b.shape]);
}
/** A⁻¹ by LU. */
export function inv(A: Tensor): Tensor {
  return fromData(luInverse(luFactor(A.data, A.shape[0]!)), [...A.shape]);
}
/** det A by LU (a number). */
export function det(A: Tensor): number {
  return luDet(luFactor(A.data, A.shape[0]!));
}
/** Eigenvalues, ascending. */
export function eigvalsh(A: Tensor): Tensor {
  const n = A.shape[0]!;
  return fromData(eighDecompose(A.data, n, { vectors: false }).values, [n]);
}
/** Cholesky factor. */
export function cholesky(A: Tensor): Tensor {
  return fromData(choleskyFactor(A.data, A.shape[0]!), [...A.shape]);
}
/** op(T)⁻¹b for lower/upper triangular T. */
export function solveTriangular(T: Tensor, b: Tensor, o: { lower: boolean; trans: boolean }): Tensor {
  return fromData(triangularSolve(T.data, T.shape[0]!, b.data, cols(b), o), [...b.shape]);
}
/** Reduced QR factor Q. */
export function qr(A: Tensor): { Q: Tensor } {
  const [m, n] = A.shape as [number, number];
  return { Q: fromData(qrQ(qrFactor(A.data, m, n)), [m, Math.min(m, n)]) };
}
/** Full-rank least squares by QR. */
export function lstsq(A: Tensor, b: Tensor): { x: Tensor } {
  const [m, n] = A.shape as [number, number];
  const x = qrSolve(qrFactor(A.data, m, n), b.data, cols(b));
  return { x: fromData(x, b.ndim === 1 ? [n] : [n, cols(b)]) };
}
