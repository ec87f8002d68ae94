/**
 * @file Cholesky factorization `A = L·Lᵀ` of a symmetric positive definite row-major matrix, and
 * solves with it. Blocked right-looking algorithm (block width {@link CHOLESKY_BLOCK}) whose
 * trailing update `A22 −= L21·L21ᵀ` runs through `gemm`, one block row at a time so only the lower
 * triangle is computed, and whose panel solve `L21 = A21·L11⁻ᵀ` works in column strips joined by
 * `gemm`. Unchecked in-place variants (factor, one-vector solve) serve the
 * interior-point hot loops.
 */
import { assertFinite, NotPositiveDefiniteError, ShapeError, SingularMatrixError } from '../../core/errors.js';
import { gemmStrided } from '../../kernels/blas.js';
import { triangularSolveInPlace } from './triangular.js';
import { assertFiniteResult, assertSymmetric } from './util.js';

/** Block width of the blocked factorization. Matrices with n ≤ 2·CHOLESKY_BLOCK are factored unblocked. */
export const CHOLESKY_BLOCK = 48;
/** Column strip width of the blocked panel solve (substitution inside a strip, gemm across strips). */
const PANEL_STRIP = 8;

/** Options of {@link choleskyFactor}. */
export interface CholeskyOptions {
  /**
   * Relative tolerance of the symmetry check `|A[i,j] − A[j,i]| ≤ tol·max|A|` (default 1e-10).
   * Pass `Infinity` to skip the check and read only the lower triangle (LAPACK convention).
   */
  symmetryTol?: number;
  /** The public function named in error messages (default `'choleskyFactor'`). */
  name?: string;
}

/**
 * Factors a symmetric positive definite matrix (row-major n×n) as `A = L·Lᵀ`, returning `L`
 * (row-major, zeros above the diagonal).
 *
 * `L[j,j] = √(A[j,j] − Σ_{p<j} L[j,p]²)`, `L[i,j] = (A[i,j] − Σ_{p<j} L[i,p]·L[j,p]) / L[j,j]` (i > j).
 *
 * Throws `NotPositiveDefiniteError` naming the failing pivot j (the leading minor of order j+1 is
 * not positive definite: the quantity under the square root is ≤ 0), or `NotSymmetricError` naming the first
 * entry pair that breaks symmetry; `ShapeError` on a size mismatch; `NonFiniteError` on NaN/±Infinity.
 *
 * @example
 * choleskyFactor(Float64Array.of(4, 2, 2, 5), 2); // L = [2, 0, 1, 2]
 */
export function choleskyFactor(A: Float64Array, n: number, options: CholeskyOptions = {}): Float64Array {
  if (!Number.isInteger(n) || n < 0 || A.length !== n * n) {
    throw new ShapeError(`choleskyFactor: A has ${A.length} entries, expected a square ${n}×${n} matrix`);
  }
  const fn = options.name ?? 'choleskyFactor';
  assertFinite(A, `${fn}: A`);
  const tol = options.symmetryTol ?? 1e-10;
  if (Number.isFinite(tol)) assertSymmetric(A, n, tol, fn);

  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const r = i * n;
    for (let j = 0; j <= i; j++) L[r + j] = A[r + j]!;
  }
  const bad = choleskyFactorInPlace(L, n);
  if (bad >= 0) {
    throw new NotPositiveDefiniteError(
      `${fn}: A is not positive definite: pivot ${bad} is ${badPivotValue} ≤ 0 (the leading ${bad + 1}×${bad + 1} minor is not positive definite)`,
    );
  }
  return L;
}

/** The value under the square root at the pivot reported by the last failing {@link choleskyFactorInPlace}. */
let badPivotValue = NaN;

/**
 * Unchecked, allocation-free Cholesky for hot loops (the interior-point solvers): factors the
 * symmetric matrix whose lower triangle is in `L` (row-major n×n; the upper triangle is ignored)
 * in place, leaving `L` with zeros above the diagonal. Returns −1 on success, else the index j of
 * the first pivot whose value under the square root is not positive (the leading (j+1)×(j+1)
 * minor is not positive definite; `L` is then partly overwritten). No shape, symmetry or
 * finiteness checks: {@link choleskyFactor} is the checked entry point.
 *
 * @example
 * const L = Float64Array.of(4, 2, 2, 5);
 * choleskyFactorInPlace(L, 2); // −1, L = [2, 0, 1, 2]
 */
export function choleskyFactorInPlace(L: Float64Array, n: number): number {
  if (n <= 2 * CHOLESKY_BLOCK) {
    const bad = factorDiagonalBlock(L, n, 0, n);
    for (let i = 0; i < n; i++) L.fill(0, i * n + i + 1, (i + 1) * n);
    return bad;
  }
  for (let k0 = 0; k0 < n; k0 += CHOLESKY_BLOCK) {
    const nb = Math.min(CHOLESKY_BLOCK, n - k0);
    const k1 = k0 + nb;
    // 1. L11 = chol(A11)
    const bad = factorDiagonalBlock(L, n, k0, nb);
    if (bad >= 0) return bad;
    if (k1 >= n) break;
    // 2. L21 = A21·L11⁻ᵀ (each row x of A21 solves L11·xᵀ = aᵀ), by column strips of width
    //    PANEL_STRIP: forward substitution inside the strip, then one gemm applies the finished strip
    //    to the panel columns right of it, L21[:, c1:k1] −= L21[:, c0:c1]·L11[c1:k1, c0:c1]ᵀ
    //    (the same sums as plain substitution, most of them on the gemm kernel)
    for (let c0 = k0; c0 < k1; c0 += PANEL_STRIP) {
      const c1 = Math.min(k1, c0 + PANEL_STRIP);
      for (let i = k1; i < n; i++) {
        const ri = i * n;
        for (let j = c0; j < c1; j++) {
          const rj = j * n;
          L[ri + j] = (L[ri + j]! - rowDot(L, ri, rj, c0, j)) / L[rj + j]!;
        }
      }
      if (c1 < k1) gemmStrided(false, true, n - k1, k1 - c1, c1 - c0, -1, L, k1 * n + c0, n, L, c1 * n + c0, n, 1, L, k1 * n + c1, n);
    }
    // 3. A22 −= L21·L21ᵀ, lower triangle only: block row [r0, r1) updates columns [k1, r1)
    for (let r0 = k1; r0 < n; r0 += CHOLESKY_BLOCK) {
      const r1 = Math.min(n, r0 + CHOLESKY_BLOCK);
      gemmStrided(false, true, r1 - r0, r1 - k1, nb, -1, L, r0 * n + k0, n, L, k1 * n + k0, n, 1, L, r0 * n + k1, n);
    }
  }
  // the gemm updates touched the upper part of diagonal blocks (and the input's upper triangle): clear it
  for (let i = 0; i < n; i++) L.fill(0, i * n + i + 1, (i + 1) * n);
  return -1;
}

/**
 * Solves `A·x = b` for ONE right-hand side in place (`x` holds b on entry, x on return) from the
 * Cholesky factor `L` of `A`: forward substitution with L by rows, then back substitution with Lᵀ
 * by columns of Lᵀ (= rows of L), so both sweeps read L contiguously. Unchecked and
 * allocation-free (hot loops); {@link choleskySolve} is the checked version.
 *
 * @example
 * const L = choleskyFactor(Float64Array.of(4, 2, 2, 5), 2);
 * const x = Float64Array.of(8, 12);
 * choleskySolveVecInPlace(L, 2, x); // x = [1, 2]
 */
export function choleskySolveVecInPlace(L: Float64Array, n: number, x: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const r = i * n;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let p = 0;
    for (; p + 3 < i; p += 4) {
      s0 += L[r + p]! * x[p]!;
      s1 += L[r + p + 1]! * x[p + 1]!;
      s2 += L[r + p + 2]! * x[p + 2]!;
      s3 += L[r + p + 3]! * x[p + 3]!;
    }
    for (; p < i; p++) s0 += L[r + p]! * x[p]!;
    x[i] = (x[i]! - (s0 + s1 + (s2 + s3))) / L[r + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    const r = i * n;
    const xi = x[i]! / L[r + i]!;
    x[i] = xi;
    for (let p = 0; p < i; p++) x[p] -= L[r + p]! * xi;
  }
}

/**
 * Σ_{p ∈ [p0, p1)} L[ra + p]·L[rb + p]: four independent accumulators, so the loop is not bound by
 * the latency of one floating-point add chain (the summation order differs from the plain loop only
 * at rounding level).
 */
function rowDot(L: Float64Array, ra: number, rb: number, p0: number, p1: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let p = p0;
  for (; p + 3 < p1; p += 4) {
    s0 += L[ra + p]! * L[rb + p]!;
    s1 += L[ra + p + 1]! * L[rb + p + 1]!;
    s2 += L[ra + p + 2]! * L[rb + p + 2]!;
    s3 += L[ra + p + 3]! * L[rb + p + 3]!;
  }
  for (; p < p1; p++) s0 += L[ra + p]! * L[rb + p]!;
  return s0 + s1 + (s2 + s3);
}

/** Unblocked Cholesky–Crout of the diagonal block L[k0:k0+nb, k0:k0+nb] (earlier columns already applied). */
function factorDiagonalBlock(L: Float64Array, n: number, k0: number, nb: number): number {
  const kEnd = k0 + nb;
  for (let j = k0; j < kEnd; j++) {
    const rj = j * n;
    const d = L[rj + j]! - rowDot(L, rj, rj, k0, j);
    if (!(d > 0)) {
      badPivotValue = d;
      return j;
    }
    const ljj = Math.sqrt(d);
    L[rj + j] = ljj;
    const inv = 1 / ljj;
    for (let i = j + 1; i < kEnd; i++) {
      const ri = i * n;
      L[ri + j] = (L[ri + j]! - rowDot(L, ri, rj, k0, j)) * inv;
    }
  }
  return -1;
}

/**
 * Solves `A·X = B` given the Cholesky factor `L` of `A` (`L·Lᵀ·X = B`: forward then backward
 * substitution). `B` is row-major n×nrhs and is not modified. Throws `SingularMatrixError` if the
 * solution overflows.
 *
 * @example
 * const L = choleskyFactor(Float64Array.of(4, 2, 2, 5), 2);
 * choleskySolve(L, 2, Float64Array.of(8, 12), 1); // [1, 2]
 */
export function choleskySolve(L: Float64Array, n: number, B: Float64Array, nrhs: number): Float64Array {
  if (L.length !== n * n) throw new ShapeError(`choleskySolve: L has ${L.length} entries, expected ${n}×${n}`);
  if (!Number.isInteger(nrhs) || nrhs < 0 || B.length !== n * nrhs) {
    throw new ShapeError(`choleskySolve: B has ${B.length} entries, expected ${n}×${nrhs} to match A (${n}×${n})`);
  }
  assertFinite(B, 'choleskySolve: B');
  const X = Float64Array.from(B);
  triangularSolveInPlace(L, n, X, nrhs, { lower: true });
  triangularSolveInPlace(L, n, X, nrhs, { lower: true, trans: true });
  assertFiniteResult(X, () => new SingularMatrixError('choleskySolve: the solution overflows (A is numerically singular)'));
  return X;
}

/**
 * `log det A = 2·Σ log L[j,j]` from the Cholesky factor of an SPD matrix.
 *
 * @example
 * choleskyLogDet(choleskyFactor(Float64Array.of(4, 2, 2, 5), 2), 2); // ln 16
 */
export function choleskyLogDet(L: Float64Array, n: number): number {
  let s = 0;
  for (let j = 0; j < n; j++) s += Math.log(L[j * n + j]!);
  return 2 * s;
}
