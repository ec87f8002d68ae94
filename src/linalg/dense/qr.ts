/**
 * @file Householder QR factorization `A = Q·R` of a row-major m×n matrix (any shape), LAPACK
 * `dgeqrf` storage: `R` on and above the diagonal, the essential parts of the Householder vectors
 * below it, and the scalars `tau`. Explicit thin/full `Q` and `R`, products with `Q`/`Qᵀ`, and
 * full-rank least squares.
 *
 * Reflector k is `H_k = I − τ_k·v_k·v_kᵀ` with `v_k[k] = 1`, `v_k[i<k] = 0`; `Q = H_0·H_1·…·H_{K−1}`,
 * `K = min(m, n)`.
 */
import { assertFinite, ShapeError, SingularMatrixError } from '../../core/errors.js';
import { nrm2 } from '../../kernels/blas.js';
import { triangularSolveInPlace } from './triangular.js';
import { applyReflectorLeft, assertFiniteResult, makeReflector } from './util.js';

/** The result of {@link qrFactor}. */
export interface QRFactorization {
  m: number;
  n: number;
  /** Row-major m×n: `R` on and above the diagonal, Householder vectors (without their unit entry) below. */
  qr: Float64Array;
  /** Householder scalars τ_k, length min(m, n). τ_k = 0 means H_k = I. */
  tau: Float64Array;
}

/** `'reduced'` (thin: Q m×K, R K×n, K = min(m, n)) or `'complete'` (full: Q m×m, R m×n). */
export type QRMode = 'reduced' | 'complete';

/**
 * Householder QR of a row-major m×n matrix. Column k is reduced by the reflector that maps
 * `x = A[k:m, k]` to `β·e_1`, with `β = −sign(x_0)·‖x‖` (no cancellation), `τ = (β − x_0)/β`,
 * `v = x/(x_0 − β)` with `v_0 = 1`. Then `A[k:m, k+1:n] −= τ·v·(vᵀ·A[k:m, k+1:n])`, computed as two
 * passes over contiguous rows. Throws `ShapeError`/`NonFiniteError` on bad input; never fails on
 * rank-deficient input (R then has small or zero diagonal entries).
 *
 * @example
 * const f = qrFactor(Float64Array.of(3, 4), 2, 1); // a 2×1 column
 * qrR(f);                                         // [−5]
 */
export function qrFactor(A: Float64Array, m: number, n: number): QRFactorization {
  if (!Number.isInteger(m) || !Number.isInteger(n) || m < 0 || n < 0 || A.length !== m * n) {
    throw new ShapeError(`qrFactor: A has ${A.length} entries, expected ${m}×${n}`);
  }
  assertFinite(A, 'qrFactor: A');
  const a = Float64Array.from(A);
  const K = Math.min(m, n);
  const tau = new Float64Array(K);
  const v = new Float64Array(m + 1);
  const w = new Float64Array(n);
  for (let k = 0; k < K; k++) {
    // gather x = A[k:m, k]
    const len = m - k;
    for (let i = 0; i < len; i++) v[i] = a[(k + i) * n + k]!;
    const t = makeReflector(v, len);
    tau[k] = t;
    if (t === 0) continue; // already zero below the diagonal: H_k = I
    for (let i = 1; i < len; i++) a[(k + i) * n + k] = v[i]!;
    a[k * n + k] = v[len]!;
    applyReflectorLeft(a, n, k, m, k + 1, n, v, t, w);
  }
  return { m, n, qr: a, tau };
}

/** The result of {@link qrFactorPivoted}: `A·P = Q·R`. */
export interface PivotedQRFactorization extends QRFactorization {
  /** Column permutation: column j of `A·P` is column `jpvt[j]` of `A`. */
  jpvt: Int32Array;
}

/**
 * Householder QR with column pivoting (LAPACK `dgeqp3` strategy, unblocked): `A·P = Q·R`, where at
 * step k the remaining column of largest norm is moved to position k, so that
 * `|R[0,0]| ≥ |R[1,1]| ≥ …` and R reveals the numerical rank. Partial column norms are downdated,
 * `‖a_j‖² ← ‖a_j‖² − R[k,j]²`, and recomputed when cancellation makes the update unreliable
 * (LAPACK Working Note 176). Storage as in {@link qrFactor}, so {@link qrQ}, {@link qrR} and the
 * Q products apply unchanged.
 *
 * @example
 * const f = qrFactorPivoted(Float64Array.of(1, 3, 2, 4), 2, 2);
 * f.jpvt; // [1, 0]: the second column (norm 5) is taken first
 */
export function qrFactorPivoted(A: Float64Array, m: number, n: number): PivotedQRFactorization {
  if (!Number.isInteger(m) || !Number.isInteger(n) || m < 0 || n < 0 || A.length !== m * n) {
    throw new ShapeError(`qrFactorPivoted: A has ${A.length} entries, expected ${m}×${n}`);
  }
  assertFinite(A, 'qrFactorPivoted: A');
  const a = Float64Array.from(A);
  const K = Math.min(m, n);
  const tau = new Float64Array(K);
  const jpvt = new Int32Array(n);
  const v = new Float64Array(m + 1);
  const w = new Float64Array(n);
  const vn1 = new Float64Array(n); // current partial column norms
  const vn2 = new Float64Array(n); // norms at the last exact recomputation
  const col = new Float64Array(m);
  const colNorm = (j: number, r0: number): number => {
    for (let i = r0; i < m; i++) col[i - r0] = a[i * n + j]!;
    return nrm2(m - r0, col);
  };
  for (let j = 0; j < n; j++) {
    jpvt[j] = j;
    vn1[j] = vn2[j] = colNorm(j, 0);
  }
  const tol3z = Math.sqrt(Number.EPSILON);
  for (let k = 0; k < K; k++) {
    // pivot: remaining column of largest partial norm
    let p = k;
    for (let j = k + 1; j < n; j++) if (vn1[j]! > vn1[p]!) p = j;
    if (p !== k) {
      for (let i = 0; i < m; i++) {
        const r = i * n;
        const t = a[r + k]!;
        a[r + k] = a[r + p]!;
        a[r + p] = t;
      }
      const tj = jpvt[k]!;
      jpvt[k] = jpvt[p]!;
      jpvt[p] = tj;
      vn1[p] = vn1[k]!;
      vn2[p] = vn2[k]!;
    }
    // reflector for column k (as in qrFactor)
    const len = m - k;
    for (let i = 0; i < len; i++) v[i] = a[(k + i) * n + k]!;
    tau[k] = makeReflector(v, len);
    if (tau[k] !== 0) {
      for (let i = 1; i < len; i++) a[(k + i) * n + k] = v[i]!;
      a[k * n + k] = v[len]!;
      applyReflectorLeft(a, n, k, m, k + 1, n, v, tau[k]!, w);
    }
    // downdate the partial norms of the remaining columns
    for (let j = k + 1; j < n; j++) {
      if (vn1[j] === 0) continue;
      const ratio = Math.abs(a[k * n + j]!) / vn1[j]!;
      const temp = Math.max(0, 1 - ratio * ratio);
      const q = vn1[j]! / vn2[j]!;
      if (temp * q * q <= tol3z) {
        vn1[j] = k + 1 < m ? colNorm(j, k + 1) : 0;
        vn2[j] = vn1[j]!;
      } else {
        vn1[j] = vn1[j]! * Math.sqrt(temp);
      }
    }
  }
  return { m, n, qr: a, tau, jpvt };
}

/** Copies reflector k (unit entry included) into `v[0..m−k)`. */
function loadReflector(f: QRFactorization, k: number, v: Float64Array): void {
  const { m, n, qr } = f;
  v[0] = 1;
  for (let i = k + 1; i < m; i++) v[i - k] = qr[i * n + k]!;
}

/**
 * The upper-triangular factor: K×n (`'reduced'`, default) or m×n (`'complete'`), K = min(m, n).
 *
 * @example
 * qrR(qrFactor(Float64Array.of(1, 0, 0, 2), 2, 2)); // [1, 0, 0, 2]
 */
export function qrR(f: QRFactorization, mode: QRMode = 'reduced'): Float64Array {
  const { m, n, qr } = f;
  const rows = mode === 'complete' ? m : Math.min(m, n);
  const R = new Float64Array(rows * n);
  for (let i = 0; i < Math.min(rows, m); i++) {
    for (let j = i; j < n; j++) R[i * n + j] = qr[i * n + j]!;
  }
  return R;
}

/**
 * The orthogonal factor: m×K with orthonormal columns (`'reduced'`, default) or m×m orthogonal
 * (`'complete'`), K = min(m, n). Built by applying `H_{K−1}, …, H_0` to the first columns of the
 * identity (LAPACK `dorgqr`).
 *
 * @example
 * const f = qrFactor(Float64Array.of(3, 4), 2, 1);
 * qrQ(f);             // [−0.6, −0.8]   (2×1)
 * qrQ(f, 'complete'); // 2×2 orthogonal
 */
export function qrQ(f: QRFactorization, mode: QRMode = 'reduced'): Float64Array {
  const { m, n, tau } = f;
  const K = Math.min(m, n);
  const q = mode === 'complete' ? m : K;
  const Q = new Float64Array(m * q);
  for (let i = 0; i < q; i++) Q[i * q + i] = 1;
  const v = new Float64Array(m);
  const w = new Float64Array(q);
  for (let k = K - 1; k >= 0; k--) {
    loadReflector(f, k, v);
    // columns < k of H_{k+1}…H_{K−1}·I are still e_j, untouched by H_k: update columns k..q only
    applyReflectorLeft(Q, q, k, m, Math.min(k, q), q, v, tau[k]!, w);
  }
  return Q;
}

function checkB(f: QRFactorization, B: Float64Array, nrhs: number, fn: string): void {
  if (!Number.isInteger(nrhs) || nrhs < 0 || B.length !== f.m * nrhs) {
    throw new ShapeError(`${fn}: B has ${B.length} entries, expected ${f.m}×${nrhs} to match A (${f.m}×${f.n})`);
  }
}

/**
 * `B ← Qᵀ·B` in place (`B` row-major m×nrhs), i.e. `B ← H_{K−1}·…·H_0·B`.
 *
 * @example
 * const f = qrFactor(A, m, n);
 * qrMultiplyQT(f, b, 1); // b now holds Qᵀb (first n entries feed back-substitution)
 */
export function qrMultiplyQT(f: QRFactorization, B: Float64Array, nrhs: number): void {
  checkB(f, B, nrhs, 'qrMultiplyQT');
  const v = new Float64Array(f.m);
  const w = new Float64Array(nrhs);
  for (let k = 0; k < f.tau.length; k++) {
    loadReflector(f, k, v);
    applyReflectorLeft(B, nrhs, k, f.m, 0, nrhs, v, f.tau[k]!, w);
  }
}

/**
 * `B ← Q·B` in place (`B` row-major m×nrhs), i.e. `B ← H_0·…·H_{K−1}·B`.
 *
 * @example
 * qrMultiplyQ(f, B, nrhs); // undoes qrMultiplyQT(f, B, nrhs)
 */
export function qrMultiplyQ(f: QRFactorization, B: Float64Array, nrhs: number): void {
  checkB(f, B, nrhs, 'qrMultiplyQ');
  const v = new Float64Array(f.m);
  const w = new Float64Array(nrhs);
  for (let k = f.tau.length - 1; k >= 0; k--) {
    loadReflector(f, k, v);
    applyReflectorLeft(B, nrhs, k, f.m, 0, nrhs, v, f.tau[k]!, w);
  }
}

/**
 * Full-rank least squares `min_X ‖A·X − B‖_F` for m ≥ n from a QR factorization:
 * `X = R⁻¹·(Qᵀ·B)[0:n]`. Returns X (row-major n×nrhs); `B` is not modified.
 * Throws `ShapeError` if m < n (underdetermined: use `lstsq`, which returns the minimum-norm
 * solution) and `SingularMatrixError` on an exact zero on the diagonal of R (rank deficiency;
 * `lstsq` handles numerically rank-deficient A through the SVD).
 *
 * @example
 * const f = qrFactor(Float64Array.of(1, 1, 1), 3, 1);
 * qrSolve(f, Float64Array.of(1, 2, 6), 1); // [3] (the mean)
 */
export function qrSolve(f: QRFactorization, B: Float64Array, nrhs: number): Float64Array {
  const { m, n, qr } = f;
  if (m < n) throw new ShapeError(`qrSolve: needs m ≥ n, got A ${m}×${n} (underdetermined system: use lstsq)`);
  checkB(f, B, nrhs, 'qrSolve');
  assertFinite(B, 'qrSolve: B');
  for (let i = 0; i < n; i++) {
    if (qr[i * n + i] === 0) {
      throw new SingularMatrixError(`qrSolve: A is rank deficient (R[${i},${i}] = 0 in its QR factorization)`);
    }
  }
  const QtB = Float64Array.from(B);
  qrMultiplyQT(f, QtB, nrhs);
  const X = QtB.slice(0, n * nrhs);
  // R is the leading n×n block of qr (row length n)
  triangularSolveInPlace(qr.subarray(0, n * n), n, X, nrhs, { lower: false });
  assertFiniteResult(X, () => new SingularMatrixError('qrSolve: the solution overflows (A is numerically rank deficient)'));
  return X;
}
