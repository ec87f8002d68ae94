/**
 * @file Internal helpers shared by the dense factorizations: exact power-of-two scaling (so
 * algorithms run on data of magnitude ~1 whatever the input's range, including subnormal input),
 * the safe-reciprocal threshold, the symmetry check, and Householder reflectors (shared by QR and the SVD's
 * bidiagonalisation). Not re-exported by `index.ts`.
 */
import { NotSymmetricError } from '../../core/errors.js';
import { nrm2 } from '../../kernels/blas.js';

/** Smallest positive normal double (2^−1022): the reciprocal of anything at least this large is finite. */
export const SAFE_MIN = 2.2250738585072014e-308;

/** max |x_i| over the first n entries (all entries by default). */
export function maxAbsEntry(x: Float64Array, n: number = x.length): number {
  let m = 0;
  for (let i = 0; i < n; i++) {
    const a = Math.abs(x[i]!);
    if (a > m) m = a;
  }
  return m;
}

/**
 * The exponent e such that `amax·2^e ∈ [0.5, 2)` (0 for amax = 0 or non-finite). Multiplying by
 * 2^e is exact for every entry that stays in the normal range.
 */
export function unitExponent(amax: number): number {
  if (!(amax > 0) || !Number.isFinite(amax)) return 0;
  return -Math.floor(Math.log2(amax));
}

/** `x ← x·2^e` in place, as two exact multiplications so that |e| up to ~2098 cannot overflow the factor. */
export function scalePow2(x: Float64Array, e: number, n: number = x.length): void {
  if (e === 0) return;
  const e1 = Math.trunc(e / 2);
  const f1 = 2 ** e1, f2 = 2 ** (e - e1);
  for (let i = 0; i < n; i++) x[i] = x[i]! * f1 * f2;
}

/** `v·2^e` for a single number (two exact multiplications). */
export function mulPow2(v: number, e: number): number {
  if (e === 0) return v;
  const e1 = Math.trunc(e / 2);
  return v * 2 ** e1 * 2 ** (e - e1);
}

/** Throws `err()` if any of the first n entries of x is NaN or ±Infinity. */
export function assertFiniteResult(x: Float64Array, err: () => Error): void {
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i]!)) throw err();
}

/**
 * Householder reflector (LAPACK `dlarfg`) for `x = v[0..len)`: on return `v[0] = 1`, `v[1..len)`
 * holds the essential part of the reflector vector, `v[len] = β`, and the result is τ, such that
 * `(I − τ·v·vᵀ)·x = β·e_1`. τ = 0 (and `v[len] = x_0`) when the tail of x is already zero.
 *
 * `β = −sign(x_0)·‖x‖` (no cancellation), `τ = (β − x_0)/β`, `v_tail = x_tail/(x_0 − β)`. x is first
 * scaled by an exact power of two to magnitude ~1 so that neither ‖x‖ nor `1/(x_0 − β)` can
 * underflow or overflow (τ and v are scale-invariant; β is scaled back).
 */
export function makeReflector(v: Float64Array, len: number): number {
  const tailMax = len > 1 ? maxAbsEntry(v.subarray(1, len)) : 0;
  if (tailMax === 0) {
    v[len] = v[0]!;
    v[0] = 1;
    return 0;
  }
  const e = unitExponent(Math.max(tailMax, Math.abs(v[0]!)));
  scalePow2(v, e, len);
  const alpha = v[0]!;
  const xnorm = nrm2(len - 1, v.subarray(1, len));
  const beta = -Math.sign(alpha || 1) * Math.hypot(alpha, xnorm);
  const tau = (beta - alpha) / beta;
  const scale = 1 / (alpha - beta);
  v[0] = 1;
  for (let i = 1; i < len; i++) v[i] = v[i]! * scale;
  v[len] = mulPow2(beta, -e);
  return tau;
}

/**
 * `C[r0:r1, c0:c1] ← (I − τ·v·vᵀ)·C[r0:r1, c0:c1]` for row-major C with row length `ldc`;
 * `v[0..r1−r0)` is the reflector restricted to rows r0..r1. `w` is scratch of length ≥ c1.
 * `wᵀ = vᵀ·C` accumulated row by row, then `C −= τ·v·wᵀ`.
 */
export function applyReflectorLeft(
  C: Float64Array, ldc: number, r0: number, r1: number, c0: number, c1: number, v: Float64Array, tau: number, w: Float64Array,
): void {
  if (tau === 0 || c0 >= c1) return;
  w.fill(0, c0, c1);
  for (let i = r0; i < r1; i++) {
    const vi = v[i - r0]!;
    if (vi === 0) continue;
    const r = i * ldc;
    for (let j = c0; j < c1; j++) w[j] += vi * C[r + j]!;
  }
  for (let i = r0; i < r1; i++) {
    const s = tau * v[i - r0]!;
    if (s === 0) continue;
    const r = i * ldc;
    for (let j = c0; j < c1; j++) C[r + j] -= s * w[j]!;
  }
}

/**
 * Throws `NotSymmetricError` naming `fn` and the first pair (i, j) with
 * `|A[i,j] − A[j,i]| > tol·max|A|` (row-major n×n A).
 */
export function assertSymmetric(A: Float64Array, n: number, tol: number, fn: string): void {
  const bound = tol * maxAbsEntry(A);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const a = A[i * n + j]!, b = A[j * n + i]!;
      if (Math.abs(a - b) > bound) {
        throw new NotSymmetricError(`${fn}: A is not symmetric: A[${i},${j}] = ${a} but A[${j},${i}] = ${b}`);
      }
    }
  }
}
