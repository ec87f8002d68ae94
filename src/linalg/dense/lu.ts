/**
 * @file LU factorization with partial (row) pivoting, `P·A = L·U`, on row-major square matrices:
 * factor, solve with many right-hand sides (with `A` or `Aᵀ`), determinant, log-determinant,
 * inverse, and the Hager–Higham estimate of the 1-norm condition number.
 *
 * The factorization is blocked (right-looking, panel width {@link LU_BLOCK}): each panel is
 * factored with rank-1 updates, then the trailing matrix is updated with one `gemm`, which is
 * where almost all the flops go for large n.
 */
import { assertFinite, ShapeError, SingularMatrixError } from '../../core/errors.js';
import { gemmStrided } from '../../kernels/blas.js';
import { triangularSolveInPlace } from './triangular.js';
import { assertFiniteResult, SAFE_MIN } from './util.js';

/** Panel width of the blocked factorization. Matrices with n ≤ 2·LU_BLOCK are factored unblocked. */
export const LU_BLOCK = 48;

/** The result of {@link luFactor}: `P·A = L·U`, stored compactly. */
export interface LUFactorization {
  /** Order of the matrix. */
  n: number;
  /** Row-major n×n: `U` on and above the diagonal, the multipliers of `L` below (unit diagonal implied). */
  lu: Float64Array;
  /** Row permutation: row `i` of `P·A` is row `perm[i]` of `A`. */
  perm: Int32Array;
  /** Determinant of `P` (±1). */
  sign: 1 | -1;
  /** Index of the first exactly-zero pivot `U[k,k] = 0`, or −1 if every pivot is non-zero. */
  zeroPivot: number;
}

/**
 * Factors a square row-major matrix as `P·A = L·U` with partial pivoting (at step k the row with
 * the largest |A[i,k]|, i ≥ k, becomes the pivot row). Never throws on singular input: an exact
 * zero pivot is recorded in `zeroPivot` and the elimination goes on (LAPACK `dgetrf` behaviour);
 * solvers then refuse to use the factorization. Throws `ShapeError` on a size mismatch and
 * `NonFiniteError` on NaN/±Infinity entries.
 *
 * @example
 * const f = luFactor(Float64Array.of(0, 1, 2, 3), 2); // rows swapped: perm = [1, 0]
 * luDet(f); // −2
 */
export function luFactor(A: Float64Array, n: number): LUFactorization {
  if (!Number.isInteger(n) || n < 0 || A.length !== n * n) {
    throw new ShapeError(`luFactor: A has ${A.length} entries, expected a square ${n}×${n} matrix`);
  }
  assertFinite(A, 'luFactor: A');
  const a = Float64Array.from(A);
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  const state = { sign: 1 as 1 | -1, zeroPivot: -1 };

  if (n <= 2 * LU_BLOCK) {
    factorPanel(a, n, 0, n, perm, state);
  } else {
    for (let k0 = 0; k0 < n; k0 += LU_BLOCK) {
      const nb = Math.min(LU_BLOCK, n - k0);
      const k1 = k0 + nb;
      // 1. factor the panel A[k0:n, k0:k1] (row swaps are applied to whole rows)
      factorPanel(a, n, k0, nb, perm, state);
      if (k1 >= n) break;
      // 2. U12 = L11⁻¹·A12: forward substitution with the unit lower triangle of the panel,
      //    row i of A12 −= Σ_{p<i} L[i,p]·(row p of U12)
      for (let i = k0 + 1; i < k1; i++) {
        const ri = i * n;
        for (let p = k0; p < i; p++) {
          const l = a[ri + p]!;
          if (l === 0) continue;
          const rp = p * n;
          for (let j = k1; j < n; j++) a[ri + j] -= l * a[rp + j]!;
        }
      }
      // 3. A22 −= L21·U12
      const m2 = n - k1;
      gemmStrided(false, false, m2, m2, nb, -1, a, k1 * n + k0, n, a, k0 * n + k1, n, 1, a, k1 * n + k1, n);
    }
  }
  return { n, lu: a, perm, sign: state.sign, zeroPivot: state.zeroPivot };
}

/**
 * Unblocked right-looking LU of the column panel `a[k0:n, k0:k0+nb]`: pivot search, whole-row
 * swap, multipliers `l = a[i,k]/a[k,k]`, and rank-1 update restricted to the panel columns.
 */
function factorPanel(
  a: Float64Array, n: number, k0: number, nb: number, perm: Int32Array, state: { sign: 1 | -1; zeroPivot: number },
): void {
  const kEnd = k0 + nb;
  for (let k = k0; k < kEnd; k++) {
    let p = k;
    let best = Math.abs(a[k * n + k]!);
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(a[i * n + k]!);
      if (v > best) {
        best = v;
        p = i;
      }
    }
    if (p !== k) {
      const rk = k * n, rp = p * n;
      for (let j = 0; j < n; j++) {
        const t = a[rk + j]!;
        a[rk + j] = a[rp + j]!;
        a[rp + j] = t;
      }
      const t = perm[k]!;
      perm[k] = perm[p]!;
      perm[p] = t;
      state.sign = state.sign === 1 ? -1 : 1;
    }
    const rk = k * n;
    const pivot = a[rk + k]!;
    if (pivot === 0) {
      // the whole sub-column is zero: nothing to eliminate
      if (state.zeroPivot < 0) state.zeroPivot = k;
      continue;
    }
    // multipliers l = a[i,k] / pivot (|l| ≤ 1); reciprocal multiply unless the pivot is subnormal
    const safe = Math.abs(pivot) >= SAFE_MIN;
    const inv = 1 / pivot;
    for (let i = k + 1; i < n; i++) {
      const ri = i * n;
      const l = safe ? a[ri + k]! * inv : a[ri + k]! / pivot;
      a[ri + k] = l;
      if (l === 0) continue;
      for (let j = k + 1; j < kEnd; j++) a[ri + j] -= l * a[rk + j]!;
    }
  }
}

function checkRhs(f: LUFactorization, B: Float64Array, nrhs: number, fn: string): void {
  if (!Number.isInteger(nrhs) || nrhs < 0 || B.length !== f.n * nrhs) {
    throw new ShapeError(`${fn}: B has ${B.length} entries, expected ${f.n}×${nrhs} to match A (${f.n}×${f.n})`);
  }
  assertFinite(B, `${fn}: B`);
}

function assertNonsingular(f: LUFactorization, fn: string): void {
  if (f.zeroPivot >= 0) {
    throw new SingularMatrixError(`${fn}: A is singular (exact zero pivot U[${f.zeroPivot},${f.zeroPivot}] in its LU factorization)`);
  }
}

/**
 * Solves `A·X = B` (or `Aᵀ·X = B` with `trans`) from an LU factorization; `B` is row-major
 * n×nrhs and is not modified. Throws `SingularMatrixError` if the factorization has an exact zero
 * pivot or if the solution overflows. (Ill-conditioning is not otherwise checked here; see `solve`
 * in `linalg/dense/index.ts`.)
 *
 * `A·x = b` ⇔ `L·U·x = P·b`: permute, forward-substitute with L, back-substitute with U.
 * `Aᵀ·x = b` ⇔ `Uᵀ·Lᵀ·(P·x) = b`: solve with Uᵀ then Lᵀ, then un-permute.
 *
 * @example
 * const f = luFactor(Float64Array.of(4, 3, 6, 3), 2);
 * luSolve(f, Float64Array.of(10, 12), 1); // [1, 2]
 */
export function luSolve(f: LUFactorization, B: Float64Array, nrhs: number, trans = false): Float64Array {
  checkRhs(f, B, nrhs, 'luSolve');
  assertNonsingular(f, 'luSolve');
  const { n, lu, perm } = f;
  if (nrhs === 1) {
    const x = luSolveVec(f, B, trans);
    assertFiniteResult(x, () => new SingularMatrixError('luSolve: the solution overflows (A is numerically singular)'));
    return x;
  }
  const X = new Float64Array(n * nrhs);
  if (!trans) {
    for (let i = 0; i < n; i++) X.set(B.subarray(perm[i]! * nrhs, perm[i]! * nrhs + nrhs), i * nrhs);
    triangularSolveInPlace(lu, n, X, nrhs, { lower: true, unitDiagonal: true });
    triangularSolveInPlace(lu, n, X, nrhs, { lower: false });
  } else {
    const Y = Float64Array.from(B);
    triangularSolveInPlace(lu, n, Y, nrhs, { lower: false, trans: true });
    triangularSolveInPlace(lu, n, Y, nrhs, { lower: true, unitDiagonal: true, trans: true });
    // Y = P·X  ⇒  X[perm[i]] = Y[i]
    for (let i = 0; i < n; i++) X.set(Y.subarray(i * nrhs, i * nrhs + nrhs), perm[i]! * nrhs);
  }
  assertFiniteResult(X, () => new SingularMatrixError('luSolve: the solution overflows (A is numerically singular)'));
  return X;
}

/**
 * Determinant from an LU factorization: `det(A) = det(P)·Π U[k,k]` (0 for a zero pivot).
 * May overflow/underflow for large n: prefer {@link luSlogdet}.
 *
 * @example
 * luDet(luFactor(Float64Array.of(1, 2, 3, 4), 2)); // −2
 */
export function luDet(f: LUFactorization): number {
  let d: number = f.sign;
  for (let k = 0; k < f.n; k++) d *= f.lu[k * f.n + k]!;
  return d === 0 ? 0 : d; // no −0
}

/**
 * Sign and log of the absolute determinant: `det(A) = sign·exp(logAbsDet)`. A singular matrix
 * gives `{ sign: 0, logAbsDet: -Infinity }`.
 *
 * @example
 * luSlogdet(luFactor(Float64Array.of(1, 2, 3, 4), 2)); // { sign: −1, logAbsDet: ln 2 }
 */
export function luSlogdet(f: LUFactorization): { sign: number; logAbsDet: number } {
  if (f.zeroPivot >= 0) return { sign: 0, logAbsDet: -Infinity };
  let sign: number = f.sign;
  let logAbsDet = 0;
  for (let k = 0; k < f.n; k++) {
    const u = f.lu[k * f.n + k]!;
    if (u < 0) sign = -sign;
    logAbsDet += Math.log(Math.abs(u));
  }
  return { sign, logAbsDet };
}

/**
 * Inverse from an LU factorization (solves `A·X = I`). Throws `SingularMatrixError` on an exact
 * zero pivot.
 *
 * @example
 * luInverse(luFactor(Float64Array.of(2, 0, 0, 4), 2)); // [0.5, 0, 0, 0.25]
 */
export function luInverse(f: LUFactorization): Float64Array {
  assertNonsingular(f, 'luInverse');
  const n = f.n;
  const I = new Float64Array(n * n);
  for (let i = 0; i < n; i++) I[i * n + i] = 1;
  return luSolve(f, I, n);
}

/**
 * Matrix 1-norm `‖A‖₁ = max_j Σ_i |A[i,j]|` (maximum absolute column sum) of a row-major m×n matrix.
 *
 * @example
 * norm1(Float64Array.of(1, -2, 3, 4), 2, 2); // 6
 */
export function norm1(A: Float64Array, m: number, n: number): number {
  const colSums = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    const r = i * n;
    for (let j = 0; j < n; j++) colSums[j] += Math.abs(A[r + j]!);
  }
  let best = 0;
  for (let j = 0; j < n; j++) if (colSums[j]! > best) best = colSums[j]!;
  return best;
}

/**
 * Estimates `‖A⁻¹‖₁` from an LU factorization with Hager's method as refined by Higham
 * (LAPACK `dlacon`), see {@link inverseNorm1Estimate}. Returns `Infinity` for an exact zero pivot.
 *
 * @example
 * const f = luFactor(Float64Array.of(2, 0, 0, 4), 2);
 * luInverseNorm1Estimate(f); // 0.5
 */
export function luInverseNorm1Estimate(f: LUFactorization): number {
  if (f.n === 0) return 0;
  if (f.zeroPivot >= 0) return Infinity;
  return inverseNorm1Estimate(f.n, (v, trans) => luSolveVec(f, v, trans));
}

/**
 * Hager–Higham estimate of `‖A⁻¹‖₁` for any n×n A given a solver `solve(v, trans)` returning
 * `A⁻¹v` (or `A⁻ᵀv` when `trans`) as a fresh array. A few solves walk to a vertex of the unit
 * 1-ball where `‖A⁻¹x‖₁` is locally maximal (x = e/n, then y = A⁻¹x, ξ = sign(y), z = A⁻ᵀξ; stop
 * when ‖z‖∞ ≤ zᵀx, else x = e_j with j = argmax|z_j|; at most 5 rounds), and Higham's
 * alternating vector `b_i = (−1)^i·(1 + i/(n−1))` guards against the known bad cases. The result is
 * a lower bound, usually exact or within a factor 3.
 *
 * @example
 * // diagonal A = diag(2, 4): ‖A⁻¹‖₁ = 0.5
 * inverseNorm1Estimate(2, (v) => Float64Array.of(v[0]! / 2, v[1]! / 4)); // 0.5
 */
export function inverseNorm1Estimate(n: number, solve: (v: Float64Array, trans: boolean) => Float64Array): number {
  if (n === 0) return 0;
  const abs1 = (v: Float64Array): number => {
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.abs(v[i]!);
    return s;
  };
  let x = new Float64Array(n).fill(1 / n);
  let est = 0;
  let lastJ = -1;
  for (let iter = 0; iter < 5; iter++) {
    const y = solve(x, false);
    const newEst = abs1(y);
    if (iter > 0 && newEst <= est) break;
    est = newEst;
    const xi = new Float64Array(n);
    for (let i = 0; i < n; i++) xi[i] = y[i]! >= 0 ? 1 : -1;
    const z = solve(xi, true);
    let j = 0;
    let zmax = -1;
    let ztx = 0;
    for (let i = 0; i < n; i++) {
      const a = Math.abs(z[i]!);
      if (a > zmax) {
        zmax = a;
        j = i;
      }
      ztx += z[i]! * x[i]!;
    }
    if (iter > 0 && (zmax <= ztx || j === lastJ)) break;
    lastJ = j;
    x = new Float64Array(n);
    x[j] = 1;
  }
  const b = new Float64Array(n);
  for (let i = 0; i < n; i++) b[i] = (i % 2 === 0 ? 1 : -1) * (1 + (n > 1 ? i / (n - 1) : 0));
  const alt = (2 * abs1(solve(b, false))) / (3 * n);
  return Math.max(est, alt);
}

/**
 * One right-hand side, unchecked (factorization known to be nonsingular): `x = A⁻¹v` (or `A⁻ᵀv`) as a fresh array. Row sweeps for `A·x`
 * (dot products, two accumulators), column sweeps (axpy on rows of U and L) for `Aᵀ·x`; the
 * same arithmetic as `triangularSolveInPlace` up to the summation order, without its per-call
 * option handling, which dominates for the small systems of the optimisation layers.
 */
function luSolveVec(f: LUFactorization, v: Float64Array, trans: boolean): Float64Array {
  const { n, lu, perm } = f;
  const x = new Float64Array(n);
  if (!trans) {
    for (let i = 0; i < n; i++) x[i] = v[perm[i]!]!;
    // L (unit lower): x_i −= Σ_{p<i} L[i,p] x_p
    for (let i = 1; i < n; i++) {
      const r = i * n;
      let s0 = 0;
      let s1 = 0;
      let p = 0;
      for (; p + 1 < i; p += 2) {
        s0 += lu[r + p]! * x[p]!;
        s1 += lu[r + p + 1]! * x[p + 1]!;
      }
      if (p < i) s0 += lu[r + p]! * x[p]!;
      x[i] = x[i]! - (s0 + s1);
    }
    // U: x_i = (x_i − Σ_{p>i} U[i,p] x_p) / U[i,i]
    for (let i = n - 1; i >= 0; i--) {
      const r = i * n;
      let s0 = 0;
      let s1 = 0;
      let p = i + 1;
      for (; p + 1 < n; p += 2) {
        s0 += lu[r + p]! * x[p]!;
        s1 += lu[r + p + 1]! * x[p + 1]!;
      }
      if (p < n) s0 += lu[r + p]! * x[p]!;
      x[i] = (x[i]! - (s0 + s1)) / lu[r + i]!;
    }
    return x;
  }
  const y = Float64Array.from(v);
  // Uᵀ (lower): once y_i is final, y_p −= U[i,p]·y_i for p > i
  for (let i = 0; i < n; i++) {
    const r = i * n;
    const yi = y[i]! / lu[r + i]!;
    y[i] = yi;
    if (yi === 0) continue;
    for (let p = i + 1; p < n; p++) y[p] -= lu[r + p]! * yi;
  }
  // Lᵀ (unit upper): y_p −= L[i,p]·y_i for p < i, i descending
  for (let i = n - 1; i > 0; i--) {
    const r = i * n;
    const yi = y[i]!;
    if (yi === 0) continue;
    for (let p = 0; p < i; p++) y[p] -= lu[r + p]! * yi;
  }
  // y = P·x  ⇒  x[perm[i]] = y[i]
  for (let i = 0; i < n; i++) x[perm[i]!] = y[i]!;
  return x;
}

/**
 * Reciprocal 1-norm condition estimate `rcond ≈ 1 / (‖A‖₁·‖A⁻¹‖₁)` (LAPACK `dgecon`), where
 * `anorm1 = ‖A‖₁` of the original matrix (see {@link norm1}). 0 means exactly singular.
 *
 * @example
 * const A = Float64Array.of(1, 0, 0, 1e-8);
 * luRcondEstimate(luFactor(A, 2), norm1(A, 2, 2)); // 1e-8
 */
export function luRcondEstimate(f: LUFactorization, anorm1: number): number {
  if (f.n === 0) return Infinity;
  if (f.zeroPivot >= 0 || anorm1 === 0) return 0;
  const inv = luInverseNorm1Estimate(f);
  if (!Number.isFinite(inv)) return 0;
  return 1 / anorm1 / inv;
}
