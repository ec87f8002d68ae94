/**
 * @file Triangular solves with one or many right-hand sides (the BLAS `trsm` operation on
 * row-major data): `op(T)·X = B` with `T` lower or upper triangular, `op(T) = T` or `Tᵀ`, and an
 * optional implicit unit diagonal. Only the referenced triangle of `T` is read.
 */
import { assertFinite, ShapeError, SingularMatrixError } from '../../core/errors.js';
import { assertFiniteResult, SAFE_MIN } from './util.js';

/** Options of {@link triangularSolve}. */
export interface TriangularOptions {
  /** `T` is lower triangular (default `true`); otherwise upper. Only that triangle is read. */
  lower?: boolean;
  /** Solve `Tᵀ·X = B` instead of `T·X = B` (default `false`). */
  trans?: boolean;
  /** Assume `T[i,i] = 1` without reading the diagonal (default `false`). */
  unitDiagonal?: boolean;
}

/**
 * Solves `op(T)·X = B` in place: on return `B` (row-major n×nrhs) holds `X`.
 * Throws `SingularMatrixError` on an exact zero diagonal entry (unless `unitDiagonal`).
 * No finiteness or shape checks: use {@link triangularSolve} for a checked version.
 *
 * Forward substitution for the lower, non-transposed case:
 * `X[i,:] = (B[i,:] − Σ_{p<i} T[i,p]·X[p,:]) / T[i,i]`. Every variant is arranged so the inner
 * loop runs over a contiguous row of `B` (length nrhs).
 *
 * @example
 * const L = Float64Array.of(2, 0, 1, 1);      // [[2, 0], [1, 1]]
 * const b = Float64Array.of(2, 3);
 * triangularSolveInPlace(L, 2, b, 1, { lower: true }); // b = [1, 2]
 */
export function triangularSolveInPlace(
  T: Float64Array,
  n: number,
  B: Float64Array,
  nrhs: number,
  options: TriangularOptions = {},
): void {
  const lower = options.lower ?? true;
  const trans = options.trans ?? false;
  const unit = options.unitDiagonal ?? false;
  if (!unit) {
    for (let i = 0; i < n; i++) {
      if (T[i * n + i] === 0) {
        throw new SingularMatrixError(`triangular solve: T is singular (exact zero on the diagonal at T[${i},${i}])`);
      }
    }
  }
  // Effective shape of op(T): lower-not-transposed and upper-transposed are both "lower" systems
  // solved forwards; the other two are solved backwards.
  const forward = lower !== trans;
  if (!trans) {
    // Row-oriented: X[i,:] = (B[i,:] − Σ_p T[i,p]·X[p,:]) / T[i,i], p over the solved rows.
    if (forward) {
      for (let i = 0; i < n; i++) {
        const bi = i * nrhs;
        const ti = i * n;
        for (let p = 0; p < i; p++) {
          const t = T[ti + p]!;
          if (t === 0) continue;
          const bp = p * nrhs;
          for (let j = 0; j < nrhs; j++) B[bi + j] -= t * B[bp + j]!;
        }
        if (!unit) divideRow(B, bi, nrhs, T[ti + i]!);
      }
    } else {
      for (let i = n - 1; i >= 0; i--) {
        const bi = i * nrhs;
        const ti = i * n;
        for (let p = i + 1; p < n; p++) {
          const t = T[ti + p]!;
          if (t === 0) continue;
          const bp = p * nrhs;
          for (let j = 0; j < nrhs; j++) B[bi + j] -= t * B[bp + j]!;
        }
        if (!unit) divideRow(B, bi, nrhs, T[ti + i]!);
      }
    }
  } else {
    // Column-oriented on op(T) = Tᵀ (reads rows of T): once X[i,:] is final, subtract
    // T[i,p]·X[i,:] from the rows p it feeds (p > i for upper T, p < i for lower T).
    if (forward) {
      // upper T, Tᵀ lower: solve i = 0..n−1
      for (let i = 0; i < n; i++) {
        const bi = i * nrhs;
        const ti = i * n;
        if (!unit) divideRow(B, bi, nrhs, T[ti + i]!);
        for (let p = i + 1; p < n; p++) {
          const t = T[ti + p]!;
          if (t === 0) continue;
          const bp = p * nrhs;
          for (let j = 0; j < nrhs; j++) B[bp + j] -= t * B[bi + j]!;
        }
      }
    } else {
      // lower T, Tᵀ upper: solve i = n−1..0
      for (let i = n - 1; i >= 0; i--) {
        const bi = i * nrhs;
        const ti = i * n;
        if (!unit) divideRow(B, bi, nrhs, T[ti + i]!);
        for (let p = 0; p < i; p++) {
          const t = T[ti + p]!;
          if (t === 0) continue;
          const bp = p * nrhs;
          for (let j = 0; j < nrhs; j++) B[bp + j] -= t * B[bi + j]!;
        }
      }
    }
  }
}

/** `B[off : off+len] /= t`, by a reciprocal multiply unless 1/t would overflow (subnormal t). */
function divideRow(B: Float64Array, off: number, len: number, t: number): void {
  if (Math.abs(t) >= SAFE_MIN) {
    const d = 1 / t;
    for (let j = 0; j < len; j++) B[off + j] *= d;
  } else {
    for (let j = 0; j < len; j++) B[off + j] /= t;
  }
}

/**
 * Solves `op(T)·X = B` for square triangular `T` (row-major n×n) and `B` (row-major n×nrhs),
 * returning a fresh `X`. Checks sizes (`ShapeError`), finiteness (`NonFiniteError`), exact
 * zero diagonal entries and a solution that overflows (both `SingularMatrixError`).
 *
 * @example
 * const U = Float64Array.of(1, 2, 0, 4);      // [[1, 2], [0, 4]]
 * triangularSolve(U, 2, Float64Array.of(5, 8), 1, { lower: false }); // [1, 2]
 */
export function triangularSolve(
  T: Float64Array,
  n: number,
  B: Float64Array,
  nrhs: number,
  options: TriangularOptions = {},
): Float64Array {
  if (T.length !== n * n) throw new ShapeError(`triangularSolve: T has ${T.length} entries, expected ${n}×${n}`);
  if (B.length !== n * nrhs) {
    throw new ShapeError(`triangularSolve: B has ${B.length} entries, expected ${n}×${nrhs} to match T (${n}×${n})`);
  }
  assertFinite(T, 'triangularSolve: T');
  assertFinite(B, 'triangularSolve: B');
  const X = Float64Array.from(B);
  triangularSolveInPlace(T, n, X, nrhs, options);
  assertFiniteResult(X, () => new SingularMatrixError('triangularSolve: the solution overflows (T is numerically singular)'));
  return X;
}
