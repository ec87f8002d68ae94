/**
 * @file Dense linear algebra on `Tensor`s: solves, least squares, inverses, determinants,
 * decompositions, ranks and condition numbers. Thin wrappers over the `Float64Array` kernels of
 * this folder (re-exported here), which do the work on row-major data.
 *
 * Conventions shared by every function here:
 * - matrices are 2-D tensors; a right-hand side `b` is a vector `[n]` or a matrix `[n, k]` and the
 *   solution has the same rank;
 * - wrong ranks or sizes throw `ShapeError` naming the shapes, NaN/±Infinity throw `NonFiniteError`;
 * - these are numeric (non-differentiable) routines: they read `t.data` and return concrete tensors.
 */
import { assertFinite, InvalidArgumentError, ShapeError, SingularMatrixError } from '../../core/errors.js';
import { formatShape, fromData, type Tensor } from '../../core/tensor.js';
import { gemm } from '../../kernels/blas.js';
import { choleskyFactor, choleskySolve } from './cholesky.js';
import { eighDecompose } from './eigh.js';
import {
  inverseNorm1Estimate,
  luDet,
  luFactor,
  luInverse,
  luInverseNorm1Estimate,
  luRcondEstimate,
  luSlogdet,
  luSolve,
  norm1,
} from './lu.js';
import { qrFactor, qrMultiplyQT, qrQ, qrR, qrSolve, type QRMode } from './qr.js';
import { svdDecompose, type SvdOptions } from './svd.js';
import { triangularSolve, triangularSolveInPlace, type TriangularOptions } from './triangular.js';
import { assertFiniteResult } from './util.js';

export * from './cholesky.js';
export * from './eigh.js';
export * from './lu.js';
export * from './qr.js';
export * from './svd.js';
export * from './triangular.js';

// ---------------------------------------------------------------------------------------------
// validation helpers
// ---------------------------------------------------------------------------------------------

interface Mat {
  m: number;
  n: number;
  data: Float64Array;
}

function matrix(A: Tensor, fn: string, what = 'A'): Mat {
  if (A.ndim !== 2) throw new ShapeError(`${fn}: ${what} must be a 2-D matrix, got shape ${formatShape(A.shape)}`);
  const data = A.data;
  assertFinite(data, `${fn}: ${what}`);
  return { m: A.shape[0]!, n: A.shape[1]!, data };
}

function squareMatrix(A: Tensor, fn: string, what = 'A'): Mat {
  if (A.ndim !== 2 || A.shape[0] !== A.shape[1]) {
    throw new ShapeError(`${fn}: ${what} must be a square matrix, got shape ${formatShape(A.shape)}`);
  }
  return matrix(A, fn, what);
}

interface Rhs {
  data: Float64Array;
  nrhs: number;
  vector: boolean;
}

/** b must be [rows] or [rows, k]. */
function rhs(b: Tensor, rows: number, A: Tensor, fn: string): Rhs {
  const ok = (b.ndim === 1 || b.ndim === 2) && b.shape[0] === rows;
  if (!ok) {
    throw new ShapeError(
      `${fn}: b of shape ${formatShape(b.shape)} does not match A of shape ${formatShape(A.shape)} (expected [${rows}] or [${rows}, k])`,
    );
  }
  assertFinite(b.data, `${fn}: b`);
  return { data: b.data, nrhs: b.ndim === 1 ? 1 : b.shape[1]!, vector: b.ndim === 1 };
}

function shapeOfSolution(r: Rhs, rows: number): number[] {
  return r.vector ? [rows] : [rows, r.nrhs];
}

function nonEmpty(m: Mat, A: Tensor, fn: string): void {
  if (m.m === 0 || m.n === 0) throw new ShapeError(`${fn}: A is empty (shape ${formatShape(A.shape)})`);
}

// ---------------------------------------------------------------------------------------------
// solves
// ---------------------------------------------------------------------------------------------

/** Options of {@link solve}. */
export interface SolveOptions {
  /**
   * Structure of A: `'general'` (default: LU with partial pivoting), `'spd'` (Cholesky; throws
   * `NotPositiveDefiniteError` if A is not symmetric positive definite), `'lower'` / `'upper'`
   * (triangular: only that triangle is read).
   */
  assume?: 'general' | 'spd' | 'lower' | 'upper';
  /**
   * Smallest acceptable reciprocal condition estimate (default `Number.EPSILON` ≈ 2.2e-16).
   * Below it A is declared numerically singular. Pass 0 to only reject exact singularity.
   */
  rcondTol?: number;
}

/**
 * Solves `A·x = b` for square A; `b` is `[n]` or `[n, k]` (k right-hand sides at once).
 *
 * Singularity rule: throws `SingularMatrixError` if the factorization hits an exact zero pivot
 * (zero diagonal entry for triangular A), or if the reciprocal condition estimate
 * `rcond = 1/(‖A‖₁·est‖A⁻¹‖₁)` is below `rcondTol` (default ε = 2.2e-16), i.e. when the answer
 * could not carry a single correct digit. `est‖A⁻¹‖₁` is the Hager–Higham estimate computed from
 * the factorization (LAPACK `dgecon`/`dpocon`/`dtrcon`): a few extra O(n²) solves.
 *
 * @example
 * solve(tensor([[3, 1], [1, 2]]), tensor([9, 8]));            // [2, 3]
 * solve(tensor([[4, 2], [2, 3]]), tensor([[2], [1]]), { assume: 'spd' }); // [[0.5], [0]]
 */
export function solve(A: Tensor, b: Tensor, options: SolveOptions = {}): Tensor {
  const fn = 'solve';
  const a = squareMatrix(A, fn);
  const r = rhs(b, a.n, A, fn);
  const n = a.n;
  const tol = options.rcondTol ?? Number.EPSILON;
  if (!(tol >= 0)) throw new InvalidArgumentError(`${fn}: rcondTol must be ≥ 0, got ${tol}`);
  const assume = options.assume ?? 'general';
  let x: Float64Array;
  switch (assume) {
    case 'general': {
      const f = luFactor(a.data, n);
      checkLuConditioning(f, a.data, n, tol, fn);
      x = luSolve(f, r.data, r.nrhs);
      break;
    }
    case 'spd': {
      const L = choleskyFactor(a.data, n);
      // A⁻¹ is symmetric: the transposed solve is the same solve
      checkRcond(a.data, n, tol, fn, (v) => choleskySolve(L, n, v, 1));
      x = choleskySolve(L, n, r.data, r.nrhs);
      break;
    }
    case 'lower':
    case 'upper': {
      const lower = assume === 'lower';
      const T = triangularPart(a.data, n, lower);
      for (let i = 0; i < n; i++) {
        if (T[i * n + i] === 0) throw new SingularMatrixError(`${fn}: A is singular (zero diagonal entry A[${i},${i}] of a triangular matrix)`);
      }
      checkRcond(T, n, tol, fn, (v, trans) => {
        const y = Float64Array.from(v);
        triangularSolveInPlace(T, n, y, 1, { lower, trans });
        return y;
      });
      x = triangularSolve(T, n, r.data, r.nrhs, { lower });
      break;
    }
    default:
      throw new InvalidArgumentError(`${fn}: unknown assume '${String(assume)}' (expected general, spd, lower or upper)`);
  }
  return fromData(x, shapeOfSolution(r, n));
}

function checkLuConditioning(f: ReturnType<typeof luFactor>, A: Float64Array, n: number, tol: number, fn: string): void {
  if (f.zeroPivot >= 0) {
    throw new SingularMatrixError(`${fn}: A is singular (exact zero pivot at U[${f.zeroPivot},${f.zeroPivot}] of its LU factorization)`);
  }
  if (tol > 0 && n > 0) {
    const rc = luRcondEstimate(f, norm1(A, n, n));
    if (rc < tol) {
      throw new SingularMatrixError(
        `${fn}: A is numerically singular (reciprocal 1-norm condition estimate ${rc.toExponential(3)} < ${tol.toExponential(3)})`,
      );
    }
  }
}

/** Copy of the lower (or upper) triangle of a square matrix, zeros elsewhere. */
function triangularPart(A: Float64Array, n: number, lower: boolean): Float64Array {
  const T = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const lo = lower ? 0 : i, hi = lower ? i + 1 : n;
    for (let j = lo; j < hi; j++) T[i * n + j] = A[i * n + j]!;
  }
  return T;
}

/** rcond = 1/(‖A‖₁·est‖A⁻¹‖₁) below tol ⇒ SingularMatrixError. */
function checkRcond(
  A: Float64Array, n: number, tol: number, fn: string, solveVec: (v: Float64Array, trans: boolean) => Float64Array,
): void {
  if (tol === 0 || n === 0) return;
  const anorm = norm1(A, n, n);
  const rc = anorm === 0 ? 0 : 1 / anorm / inverseNorm1Estimate(n, solveVec);
  if (!(rc >= tol)) {
    throw new SingularMatrixError(
      `${fn}: A is numerically singular (reciprocal 1-norm condition estimate ${rc.toExponential(3)} < ${tol.toExponential(3)})`,
    );
  }
}

/**
 * Solves `op(T)·x = b` for triangular T (`[n, n]`) and `b` `[n]` or `[n, k]`. Only the triangle
 * named by `lower` (default true) is read. Throws `SingularMatrixError` on an exact zero diagonal
 * entry (unless `unitDiagonal`).
 *
 * @example
 * solveTriangular(tensor([[2, 0], [1, 1]]), tensor([2, 3]));                  // [1, 2]
 * solveTriangular(tensor([[2, 0], [1, 1]]), tensor([4, 1]), { trans: true }); // Lᵀx = b → [1.5, 1]
 */
export function solveTriangular(T: Tensor, b: Tensor, options: TriangularOptions = {}): Tensor {
  const fn = 'solveTriangular';
  const t = squareMatrix(T, fn, 'T');
  const r = rhs(b, t.n, T, fn);
  return fromData(triangularSolve(t.data, t.n, r.data, r.nrhs, options), shapeOfSolution(r, t.n));
}

/** Options of {@link lstsq}. */
export interface LstsqOptions {
  /**
   * Relative cutoff for small singular values: σ_i ≤ rcond·σ_max are treated as zero.
   * Default `ε·max(m, n)` (as numpy).
   */
  rcond?: number;
}

/** Result of {@link lstsq}. */
export interface LstsqResult {
  /** Minimum-norm least-squares solution, `[n]` or `[n, k]` like `b`. */
  x: Tensor;
  /** Numerical rank of A (number of σ_i > rcond·σ_max). */
  rank: number;
  /** Singular values of A, descending, shape `[min(m, n)]`. */
  singularValues: Tensor;
  /** Squared residual norms `‖b − A·x‖²`: a scalar (shape `[]`) for vector b, shape `[k]` for matrix b. */
  residuals: Tensor;
}

/**
 * Least squares `min ‖A·x − b‖₂` for any m×n A; among minimisers the one of least norm.
 *
 * m ≥ n: Householder QR `A = Q·R`, then the singular values of the small n×n `R` (they are A's).
 * Full numerical rank → `x = R⁻¹·(Qᵀb)[0:n]`; rank deficient → `R = U·Σ·Vᵀ` and
 * `x = V·Σ⁺·Uᵀ·(Qᵀb)[0:n]` with σ_i ≤ rcond·σ_max dropped. m < n: thin SVD of A,
 * `x = V·Σ⁺·Uᵀ·b`. Residuals are recomputed explicitly as `b − A·x`.
 *
 * @example
 * // fit y = c0 + c1·t through (0, 1), (1, 3), (2, 5)
 * const { x, rank } = lstsq(tensor([[1, 0], [1, 1], [1, 2]]), tensor([1, 3, 5])); // x = [1, 2], rank 2
 */
export function lstsq(A: Tensor, b: Tensor, options: LstsqOptions = {}): LstsqResult {
  const fn = 'lstsq';
  const a = matrix(A, fn);
  const r = rhs(b, a.m, A, fn);
  const { m, n } = a;
  const k = r.nrhs;
  const rcond = options.rcond ?? Number.EPSILON * Math.max(m, n);
  if (!(rcond >= 0)) throw new InvalidArgumentError(`${fn}: rcond must be ≥ 0, got ${rcond}`);
  const K = Math.min(m, n);
  let x: Float64Array;
  let S: Float64Array;
  let rank: number;
  if (K === 0) {
    x = new Float64Array(n * k);
    S = new Float64Array(0);
    rank = 0;
  } else if (m >= n) {
    const f = qrFactor(a.data, m, n);
    const R = qrR(f);
    S = svdDecompose(R, n, n, { vectors: false }).S;
    rank = countAbove(S, rcond * S[0]!);
    if (rank === n) {
      x = qrSolve(f, r.data, k);
    } else {
      const c = Float64Array.from(r.data);
      qrMultiplyQT(f, c, k);
      const sv = svdDecompose(R, n, n);
      x = applyPseudoInverse(sv.U!, sv.S, sv.V!, n, n, c.subarray(0, n * k), k, rank);
    }
  } else {
    const sv = svdDecompose(a.data, m, n);
    S = sv.S;
    rank = countAbove(S, rcond * S[0]!);
    x = applyPseudoInverse(sv.U!, sv.S, sv.V!, m, n, r.data, k, rank);
  }
  assertFiniteResult(x, () => new SingularMatrixError(`${fn}: the solution overflows (rcond = ${rcond} keeps singular values that are too small)`));
  // residuals ‖b − A·x‖² per column
  const res = Float64Array.from(r.data);
  gemm(false, false, m, k, n, -1, a.data, x, 1, res);
  const rss = new Float64Array(k);
  for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) rss[j] += res[i * k + j]! ** 2;
  return {
    x: fromData(x, shapeOfSolution(r, n)),
    rank,
    singularValues: fromData(S, [K]),
    residuals: r.vector ? fromData(rss, []) : fromData(rss, [k]),
  };
}

function countAbove(S: Float64Array, cutoff: number): number {
  let r = 0;
  for (let i = 0; i < S.length; i++) if (S[i]! > cutoff) r++;
  return r;
}

/**
 * `X = V[:, :rank]·Σ⁻¹·U[:, :rank]ᵀ·B` for a thin SVD (U m×K, V n×K, K = min(m, n)) and B m×k.
 */
function applyPseudoInverse(
  U: Float64Array, S: Float64Array, V: Float64Array, m: number, n: number, B: Float64Array, k: number, rank: number,
): Float64Array {
  const K = S.length;
  // C = Uᵀ·B (K×k), rows ≥ rank dropped, rows < rank scaled by 1/σ
  const C = new Float64Array(K * k);
  gemm(true, false, K, k, m, 1, U, B, 0, C);
  for (let i = 0; i < K; i++) {
    const s = i < rank ? 1 / S[i]! : 0;
    for (let j = 0; j < k; j++) C[i * k + j] *= s;
  }
  const X = new Float64Array(n * k);
  gemm(false, false, n, k, K, 1, V, C, 0, X);
  return X;
}

// ---------------------------------------------------------------------------------------------
// inverse, determinant
// ---------------------------------------------------------------------------------------------

/**
 * Inverse of a square matrix via LU with partial pivoting. Same singularity rule as {@link solve}:
 * `SingularMatrixError` on an exact zero pivot or a reciprocal 1-norm condition estimate below
 * `rcondTol` (default ε). Prefer `solve` when you only need `A⁻¹·b`.
 *
 * @example
 * inv(tensor([[4, 7], [2, 6]])); // [[0.6, −0.7], [−0.2, 0.4]]
 */
export function inv(A: Tensor, options: { rcondTol?: number } = {}): Tensor {
  const fn = 'inv';
  const a = squareMatrix(A, fn);
  const tol = options.rcondTol ?? Number.EPSILON;
  const f = luFactor(a.data, a.n);
  checkLuConditioning(f, a.data, a.n, tol, fn);
  return fromData(luInverse(f), [a.n, a.n]);
}

/**
 * Determinant via LU: `det(A) = det(P)·Π U_kk`. Returns 0 for a singular matrix (no error) and
 * 1 for a 0×0 matrix. May overflow for large n: see {@link slogdet}.
 *
 * @example
 * det(tensor([[1, 2], [3, 4]])); // −2
 */
export function det(A: Tensor): number {
  const a = squareMatrix(A, 'det');
  return luDet(luFactor(a.data, a.n));
}

/**
 * Sign and natural log of |det(A)|, robust to overflow: `det(A) = sign·exp(logAbsDet)`.
 * Singular A gives `{ sign: 0, logAbsDet: -Infinity }`.
 *
 * @example
 * slogdet(tensor([[1, 2], [3, 4]])); // { sign: −1, logAbsDet: 0.6931… }
 */
export function slogdet(A: Tensor): { sign: number; logAbsDet: number } {
  const a = squareMatrix(A, 'slogdet');
  return luSlogdet(luFactor(a.data, a.n));
}

// ---------------------------------------------------------------------------------------------
// SVD-based quantities
// ---------------------------------------------------------------------------------------------

/**
 * Moore–Penrose pseudo-inverse `A⁺ = V·Σ⁺·Uᵀ` (shape `[n, m]`), dropping σ_i ≤ rcond·σ_max
 * (default rcond = ε·max(m, n)).
 *
 * @example
 * pinv(tensor([[1, 0], [0, 0]])); // [[1, 0], [0, 0]]
 */
export function pinv(A: Tensor, options: { rcond?: number } = {}): Tensor {
  const fn = 'pinv';
  const a = matrix(A, fn);
  const { m, n } = a;
  const rcond = options.rcond ?? Number.EPSILON * Math.max(m, n);
  if (!(rcond >= 0)) throw new InvalidArgumentError(`${fn}: rcond must be ≥ 0, got ${rcond}`);
  if (Math.min(m, n) === 0) return fromData(new Float64Array(n * m), [n, m]);
  const sv = svdDecompose(a.data, m, n);
  const rank = countAbove(sv.S, rcond * sv.S[0]!);
  // A⁺ = V·Σ⁺·Uᵀ·I_m
  const I = new Float64Array(m * m);
  for (let i = 0; i < m; i++) I[i * m + i] = 1;
  const P = applyPseudoInverse(sv.U!, sv.S, sv.V!, m, n, I, m, rank);
  assertFiniteResult(P, () => new SingularMatrixError(`${fn}: the pseudo-inverse overflows (rcond = ${rcond} keeps singular values that are too small)`));
  return fromData(P, [n, m]);
}

/**
 * Numerical rank: the number of singular values above `tol` (default `σ_max·max(m, n)·ε`).
 *
 * @example
 * matrixRank(tensor([[1, 2], [2, 4]])); // 1
 */
export function matrixRank(A: Tensor, options: { tol?: number } = {}): number {
  const fn = 'matrixRank';
  const a = matrix(A, fn);
  if (Math.min(a.m, a.n) === 0) return 0;
  const S = svdDecompose(a.data, a.m, a.n, { vectors: false }).S;
  const tol = options.tol ?? S[0]! * Math.max(a.m, a.n) * Number.EPSILON;
  if (!(tol >= 0)) throw new InvalidArgumentError(`${fn}: tol must be ≥ 0, got ${tol}`);
  return countAbove(S, tol);
}

/** Choice of SVD algorithm for the SVD-based functions (see `svdDecompose`). */
export type SvdMethodOption = { method?: SvdOptions['method'] };

/**
 * Exact 2-norm condition number `κ₂(A) = σ_max / σ_min` (over the min(m, n) singular values),
 * `Infinity` when σ_min = 0. Costs an SVD (values only); see {@link condEstimate} for a cheap
 * estimate. With the default Golub–Kahan SVD, σ_min carries an absolute error O(ε·σ_max), so
 * κ₂ beyond ~1/ε is only an order of magnitude; `method: 'jacobi'` is accurate for graded matrices.
 *
 * @example
 * cond(tensor([[2, 0], [0, 0.5]])); // 4
 */
export function cond(A: Tensor, options: SvdMethodOption = {}): number {
  const a = matrix(A, 'cond');
  nonEmpty(a, A, 'cond');
  const S = svdDecompose(a.data, a.m, a.n, { vectors: false, method: options.method }).S;
  const smin = S[S.length - 1]!;
  return smin === 0 ? Infinity : S[0]! / smin;
}

/**
 * Cheap estimate of the 1-norm condition number `κ₁(A) = ‖A‖₁·‖A⁻¹‖₁` of a square matrix:
 * one LU factorization plus a handful of triangular solves (Hager's method with Higham's
 * refinements, LAPACK `dlacon`/`dgecon`). The estimate is a lower bound of κ₁, usually within a
 * factor 3, and `κ₂/n ≤ κ₁ ≤ n·κ₂`. `Infinity` for an exactly singular matrix.
 *
 * @example
 * condEstimate(tensor([[1, 0], [0, 1e-6]])); // 1e6
 */
export function condEstimate(A: Tensor): number {
  const a = squareMatrix(A, 'condEstimate');
  nonEmpty(a, A, 'condEstimate');
  const f = luFactor(a.data, a.n);
  if (f.zeroPivot >= 0) return Infinity;
  return norm1(a.data, a.n, a.n) * luInverseNorm1Estimate(f);
}

/**
 * Smallest singular value σ_min of A (over min(m, n) values); for square A it is the 2-norm
 * distance to the nearest singular matrix, `σ_min = 1/‖A⁻¹‖₂`. Absolute accuracy O(ε·σ_max) with
 * the default Golub–Kahan SVD; pass `method: 'jacobi'` for high relative accuracy on graded A.
 *
 * @example
 * sigmaMin(tensor([[3, 0], [0, 0.25]])); // 0.25
 */
export function sigmaMin(A: Tensor, options: SvdMethodOption = {}): number {
  const a = matrix(A, 'sigmaMin');
  nonEmpty(a, A, 'sigmaMin');
  const S = svdDecompose(a.data, a.m, a.n, { vectors: false, method: options.method }).S;
  return S[S.length - 1]!;
}

/**
 * Singular values of A, descending, shape `[min(m, n)]` (Golub–Kahan by default, or `method: 'jacobi'`).
 *
 * @example
 * svdvals(tensor([[3, 0], [0, -4]])); // [4, 3]
 */
export function svdvals(A: Tensor, options: SvdMethodOption = {}): Tensor {
  const a = matrix(A, 'svdvals');
  const S = svdDecompose(a.data, a.m, a.n, { vectors: false, method: options.method }).S;
  return fromData(S, [S.length]);
}

// ---------------------------------------------------------------------------------------------
// decompositions as tensors
// ---------------------------------------------------------------------------------------------

/**
 * LU factorization with partial pivoting as tensors: `P·A = L·U` with P a permutation matrix,
 * L unit lower triangular, U upper triangular; `perm[i]` is the row of A that became row i.
 * Works for singular A too (U then has a zero on its diagonal).
 *
 * @example
 * const { P, L, U } = lu(tensor([[0, 1], [2, 3]])); // P = [[0, 1], [1, 0]], L = I, U = [[2, 3], [0, 1]]
 */
export function lu(A: Tensor): { P: Tensor; L: Tensor; U: Tensor; perm: Int32Array } {
  const a = squareMatrix(A, 'lu');
  const n = a.n;
  const f = luFactor(a.data, n);
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
  return { P: fromData(P, [n, n]), L: fromData(L, [n, n]), U: fromData(U, [n, n]), perm: f.perm };
}

/**
 * Cholesky factor L (lower triangular, `A = L·Lᵀ`) of a symmetric positive definite matrix.
 * Throws `NotPositiveDefiniteError` naming the failing pivot, or the entries that break symmetry.
 *
 * @example
 * cholesky(tensor([[4, 2], [2, 5]])); // [[2, 0], [1, 2]]
 */
export function cholesky(A: Tensor): Tensor {
  const a = squareMatrix(A, 'cholesky');
  return fromData(choleskyFactor(a.data, a.n), [a.n, a.n]);
}

/**
 * Householder QR as tensors: `'reduced'` (default) gives Q `[m, K]`, R `[K, n]` with K = min(m, n);
 * `'complete'` gives Q `[m, m]` orthogonal and R `[m, n]`.
 *
 * @example
 * const { Q, R } = qr(tensor([[3], [4]])); // Q = [[−0.6], [−0.8]], R = [[−5]]
 */
export function qr(A: Tensor, options: { mode?: QRMode } = {}): { Q: Tensor; R: Tensor } {
  const a = matrix(A, 'qr');
  const mode = options.mode ?? 'reduced';
  if (mode !== 'reduced' && mode !== 'complete') {
    throw new InvalidArgumentError(`qr: mode must be 'reduced' or 'complete', got '${String(mode)}'`);
  }
  const f = qrFactor(a.data, a.m, a.n);
  const K = mode === 'complete' ? a.m : Math.min(a.m, a.n);
  return { Q: fromData(qrQ(f, mode), [a.m, K]), R: fromData(qrR(f, mode), [K, a.n]) };
}

/**
 * Symmetric eigendecomposition `A = V·diag(values)·Vᵀ`: eigenvalues ascending, orthonormal
 * eigenvectors in the columns of `vectors`. Throws `InvalidArgumentError` if A is not symmetric
 * (relative tolerance 1e-10).
 *
 * @example
 * const { values, vectors } = eigh(tensor([[2, 1], [1, 2]])); // values = [1, 3]
 */
export function eigh(A: Tensor): { values: Tensor; vectors: Tensor } {
  const a = squareMatrix(A, 'eigh');
  const r = eighDecompose(a.data, a.n);
  return { values: fromData(r.values, [a.n]), vectors: fromData(r.vectors!, [a.n, a.n]) };
}

/**
 * Eigenvalues of a symmetric matrix, ascending (no eigenvectors: about 3× cheaper than {@link eigh}).
 *
 * @example
 * eigvalsh(tensor([[2, 1], [1, 2]])); // [1, 3]
 */
export function eigvalsh(A: Tensor): Tensor {
  const a = squareMatrix(A, 'eigvalsh');
  return fromData(eighDecompose(a.data, a.n, { vectors: false }).values, [a.n]);
}

/**
 * Thin SVD `A = U·diag(S)·Vᵀ`: U `[m, K]`, S `[K]` descending, V `[n, K]`, K = min(m, n)
 * (note: V itself, not Vᵀ). Golub–Kahan by default, `method: 'jacobi'` for graded matrices.
 *
 * @example
 * const { U, S, V } = svd(tensor([[3, 0], [0, -2]])); // S = [3, 2]
 */
export function svd(A: Tensor, options: SvdMethodOption = {}): { U: Tensor; S: Tensor; V: Tensor } {
  const a = matrix(A, 'svd');
  const r = svdDecompose(a.data, a.m, a.n, { method: options.method });
  const K = Math.min(a.m, a.n);
  return { U: fromData(r.U!, [a.m, K]), S: fromData(r.S, [K]), V: fromData(r.V!, [a.n, K]) };
}
