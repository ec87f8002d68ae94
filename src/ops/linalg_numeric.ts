/**
 * @file The members of the `linalg` namespace that are not differentiated: `lu` (its pivots are
 * discrete), `matrixRank` (an integer) and `condEstimate` (an estimate). They read their
 * input through `concreteData`, so inside `grad`/`jvp`/`vjp` they throw `ConcretizationError`
 * naming the differentiable alternative, never a silent zero derivative.
 */
import { assertFinite, InvalidArgumentError, ShapeError } from '../core/errors.js';
import { checkOptions } from '../core/options.js';
import { concreteData, ConcreteTensor, formatShape, type Tensor } from '../core/tensor.js';
import { luFactor, luInverseNorm1Estimate, norm1 } from '../linalg/dense/lu.js';
import { svdDecompose } from '../linalg/dense/svd.js';
import { squareOrder } from './linalg.js';
import { countAbove, matrixDims } from './linalg_svd.js';

/** Result of {@link lu}: `P·A = L·U`. */
export interface LuResult {
  /** Permutation matrix `[n, n]`. */
  P: Tensor;
  /** Unit lower triangular `[n, n]`. */
  L: Tensor;
  /** Upper triangular `[n, n]`. */
  U: Tensor;
  /** `perm[i]` is the row of A that became row i. */
  perm: Int32Array;
}

/**
 * LU factorization with partial pivoting: `P·A = L·U`, P a permutation matrix, L unit lower
 * triangular, U upper triangular. Works for singular A too (U then has a zero on its diagonal).
 * Not differentiable (the pivoting is discrete): a traced A throws `ConcretizationError`; use
 * `linalg.solve` / `linalg.det` / `linalg.slogdet`, which are.
 *
 * @example
 * const { P, L, U } = linalg.lu(tensor([[0, 1], [2, 3]])); // P = [[0, 1], [1, 0]], L = I, U = [[2, 3], [0, 1]]
 */
export function lu(A: Tensor): LuResult {
  const fn = 'linalg.lu()';
  const n = squareOrder(A, fn);
  const a = concreteData(A, `${fn} (argument A)`, 'linalg.solve, linalg.det or linalg.slogdet');
  assertFinite(a, `${fn}: A`);
  const f = luFactor(a, n);
  const P = new Float64Array(n * n);
  const L = new Float64Array(n * n);
  const U = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    P[i * n + f.perm[i]!] = 1;
    for (let j = 0; j < n; j++) {
      const v = f.lu[i * n + j]!;
      if (j < i) L[i * n + j] = v;
      else U[i * n + j] = v;
    }
    L[i * n + i] = 1;
  }
  return { P: new ConcreteTensor(P, [n, n]), L: new ConcreteTensor(L, [n, n]), U: new ConcreteTensor(U, [n, n]), perm: f.perm };
}

/**
 * Numerical rank: the number of singular values above `tol` (default `σ_max·max(m, n)·ε`), a
 * plain number. Integer-valued, hence not differentiable: a traced A throws `ConcretizationError`.
 *
 * @example
 * linalg.matrixRank(tensor([[1, 2], [2, 4]])); // 1
 */
export function matrixRank(A: Tensor, options: { tol?: number } = {}): number {
  const fn = 'linalg.matrixRank()';
  checkOptions(options, ['tol'], fn);
  const [m, n] = matrixDims(A, fn);
  const a = concreteData(A, `${fn} (argument A)`, 'linalg.svdvals');
  assertFinite(a, `${fn}: A`);
  if (Math.min(m, n) === 0) return 0;
  const S = svdDecompose(a, m, n, { vectors: false }).S;
  const tol = options.tol ?? S[0]! * Math.max(m, n) * Number.EPSILON;
  if (typeof tol !== 'number' || !(tol >= 0)) throw new InvalidArgumentError(`${fn}: tol must be a number ≥ 0, got ${String(tol)}`);
  return countAbove(S, tol);
}

/**
 * Cheap estimate of the 1-norm condition number `κ₁(A) = ‖A‖₁·‖A⁻¹‖₁` of a square matrix, a
 * plain number: one LU factorization plus a handful of triangular solves (Hager's method with
 * Higham's refinements, LAPACK `dlacon`/`dgecon`). A lower bound of κ₁, usually within a factor 3;
 * `κ₂/n ≤ κ₁ ≤ n·κ₂`; `Infinity` for an exactly singular matrix. An estimate is not differentiated:
 * a traced A throws `ConcretizationError` (`linalg.cond` is differentiable).
 *
 * @example
 * linalg.condEstimate(tensor([[1, 0], [0, 1e-6]])); // 1e6
 */
export function condEstimate(A: Tensor): number {
  const fn = 'linalg.condEstimate()';
  const n = squareOrder(A, fn);
  if (n === 0) throw new ShapeError(`${fn}: A is empty (shape ${formatShape(A.shape)})`);
  const a = concreteData(A, `${fn} (argument A)`, 'linalg.cond');
  assertFinite(a, `${fn}: A`);
  const f = luFactor(a, n);
  if (f.zeroPivot >= 0) return Infinity;
  return norm1(a, n, n) * luInverseNorm1Estimate(f);
}
