/**
 * @file Singular value decomposition `A = U·diag(σ)·Vᵀ` by one-sided (Hestenes) Jacobi, with QR
 * preconditioning. Singular values are returned in descending order with thin, orthonormal `U`
 * (m×K) and `V` (n×K), K = min(m, n).
 *
 * Method: for m ≥ n, factor `A = Q·R` (Householder), then orthogonalise the columns of `X = Rᵀ`
 * (the contiguous rows of R) with plane rotations, `X·V_X = U_X·Σ`, until every pair is
 * numerically orthogonal, `|x_iᵀx_j| ≤ √n·ε·‖x_i‖‖x_j‖`. Then `R = V_X·Σ·U_Xᵀ`, so
 * `U = Q·V_X` and `V = U_X`. For m < n the same is done on `Aᵀ` and the roles of U and V swap.
 * One-sided Jacobi is backward stable and computes small singular values to high relative accuracy
 * for matrices that are well-conditioned up to column scaling.
 */
import { assertFinite, ConvergenceError, ShapeError } from '../../core/errors.js';
import { nrm2 } from '../../kernels/blas.js';
import { qrFactor, qrMultiplyQ } from './qr.js';

/** Options of {@link svdDecompose}. */
export interface SvdOptions {
  /** Compute singular vectors U and V (default `true`). */
  vectors?: boolean;
  /** Maximum number of Jacobi sweeps before a `ConvergenceError` (default 60; typical: 6–12). */
  maxSweeps?: number;
}

/** Thin SVD: `A = U·diag(S)·Vᵀ`, K = min(m, n). */
export interface SvdResult {
  /** Row-major m×K with orthonormal columns (`null` when `vectors: false`). */
  U: Float64Array | null;
  /** Singular values, descending, length K. */
  S: Float64Array;
  /** Row-major n×K with orthonormal columns (`null` when `vectors: false`). */
  V: Float64Array | null;
}

/**
 * Thin SVD of a row-major m×n matrix (any shape). Throws `ShapeError` on a size mismatch,
 * `NonFiniteError` on NaN/±Infinity and `ConvergenceError` if Jacobi has not converged after
 * `maxSweeps` sweeps.
 *
 * @example
 * const { U, S, V } = svdDecompose(Float64Array.of(3, 0, 0, -2), 2, 2);
 * // S = [3, 2], U = [[1, 0], [0, −1]], V = I (up to matching column signs)
 */
export function svdDecompose(A: Float64Array, m: number, n: number, options: SvdOptions = {}): SvdResult {
  if (!Number.isInteger(m) || !Number.isInteger(n) || m < 0 || n < 0 || A.length !== m * n) {
    throw new ShapeError(`svdDecompose: A has ${A.length} entries, expected ${m}×${n}`);
  }
  assertFinite(A, 'svdDecompose: A');
  const wantVectors = options.vectors ?? true;
  const maxSweeps = options.maxSweeps ?? 60;
  if (m < n) {
    // A = (Aᵀ)ᵀ = (U'ΣV'ᵀ)ᵀ = V'·Σ·U'ᵀ
    const At = new Float64Array(n * m);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) At[j * m + i] = A[i * n + j]!;
    const r = svdTall(At, n, m, wantVectors, maxSweeps);
    return { U: r.V, S: r.S, V: r.U };
  }
  return svdTall(A, m, n, wantVectors, maxSweeps);
}

/** SVD for m ≥ n. */
function svdTall(A: Float64Array, m: number, n: number, wantVectors: boolean, maxSweeps: number): SvdResult {
  const K = n;
  if (K === 0) {
    return { U: wantVectors ? new Float64Array(0) : null, S: new Float64Array(0), V: wantVectors ? new Float64Array(0) : null };
  }
  // Scale to max|A| = 1 so squared norms neither overflow nor underflow; σ is scaled back at the end.
  let scale = 0;
  for (let i = 0; i < A.length; i++) scale = Math.max(scale, Math.abs(A[i]!));
  if (scale === 0) {
    const S = new Float64Array(K);
    if (!wantVectors) return { U: null, S, V: null };
    const U = new Float64Array(m * K);
    const V = new Float64Array(n * K);
    for (let j = 0; j < K; j++) {
      U[j * K + j] = 1;
      V[j * K + j] = 1;
    }
    return { U, S, V };
  }
  const As = new Float64Array(A.length);
  for (let i = 0; i < A.length; i++) As[i] = A[i]! / scale;

  const f = qrFactor(As, m, n);
  // X = Rᵀ; its columns are the rows of R: copy the upper triangle of the n×n block, row by row.
  const Xt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) Xt[i * n + j] = f.qr[i * n + j]!;
  const Vx = wantVectors ? identity(n) : null; // rows = columns of V_X
  jacobiSweeps(Xt, n, n, Vx, maxSweeps);

  // σ_j = ‖x_j‖; sort descending.
  const sig = new Float64Array(n);
  for (let j = 0; j < n; j++) sig[j] = nrm2(n, Xt.subarray(j * n, j * n + n));
  const order = Array.from({ length: n }, (_, j) => j).sort((a, b) => sig[b]! - sig[a]!);
  const S = new Float64Array(K);
  for (let c = 0; c < K; c++) S[c] = sig[order[c]!]! * scale;
  if (!wantVectors) return { U: null, S, V: null };

  // V = U_X: column c = x_{order[c]} / σ (completed to an orthonormal set where σ = 0)
  const V = new Float64Array(n * K);
  const missing: number[] = [];
  for (let c = 0; c < K; c++) {
    const j = order[c]!;
    const s = sig[j]!;
    if (!(s > TINY)) {
      missing.push(c);
      continue;
    }
    const r = j * n;
    for (let i = 0; i < n; i++) V[i * K + c] = Xt[r + i]! / s;
  }
  if (missing.length > 0) completeOrthonormal(V, n, K, missing);

  // U = Q·[V_X; 0]: column c of V_X is row order[c] of Vx.
  const U = new Float64Array(m * K);
  for (let c = 0; c < K; c++) {
    const r = order[c]! * n;
    for (let i = 0; i < n; i++) U[i * K + c] = Vx![r + i]!;
  }
  qrMultiplyQ(f, U, K);
  return { U, S, V };
}

/** Below this a column norm is treated as exactly zero (its direction is meaningless). */
const TINY = 1e-290;

function identity(n: number): Float64Array {
  const I = new Float64Array(n * n);
  for (let i = 0; i < n; i++) I[i * n + i] = 1;
  return I;
}

/**
 * Cyclic one-sided Jacobi on the `ncols` rows of `Gt` (each of length `len`; they are the columns
 * of G): rotates pairs (i, j) until `|g_iᵀg_j| ≤ √len·ε·‖g_i‖‖g_j‖` for all pairs. Rotations are
 * also applied to the rows of `Vt` when given (so `G_final = G_initial·V` with V's columns = Vt's rows).
 *
 * Rotation (Rutishauser): with α = ‖g_i‖², β = ‖g_j‖², γ = g_iᵀg_j, ζ = (β − α)/(2γ),
 * t = sign(ζ)/(|ζ| + √(1 + ζ²)), c = 1/√(1 + t²), s = c·t:
 * g_i ← c·g_i − s·g_j, g_j ← s·g_i + c·g_j, and then α ← α − t·γ, β ← β + t·γ.
 */
function jacobiSweeps(Gt: Float64Array, ncols: number, len: number, Vt: Float64Array | null, maxSweeps: number): void {
  const tol = Math.sqrt(Math.max(len, 1)) * Number.EPSILON;
  const sq = new Float64Array(ncols);
  const nv = Vt ? ncols : 0;
  for (let sweep = 1; sweep <= maxSweeps; sweep++) {
    for (let j = 0; j < ncols; j++) {
      const r = j * len;
      let s = 0;
      for (let k = 0; k < len; k++) s += Gt[r + k]! * Gt[r + k]!;
      sq[j] = s;
    }
    let rotations = 0;
    let maxOff = 0;
    for (let i = 0; i < ncols - 1; i++) {
      const ri = i * len;
      for (let j = i + 1; j < ncols; j++) {
        const alpha = sq[i]!, beta = sq[j]!;
        if (alpha === 0 || beta === 0) continue;
        const rj = j * len;
        let g0 = 0, g1 = 0;
        let k = 0;
        for (; k + 1 < len; k += 2) {
          g0 += Gt[ri + k]! * Gt[rj + k]!;
          g1 += Gt[ri + k + 1]! * Gt[rj + k + 1]!;
        }
        if (k < len) g0 += Gt[ri + k]! * Gt[rj + k]!;
        const gamma = g0 + g1;
        const off = Math.abs(gamma) / Math.sqrt(alpha) / Math.sqrt(beta);
        if (off > maxOff) maxOff = off;
        if (!(off > tol)) continue;
        rotations++;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.hypot(1, zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (let q = 0; q < len; q++) {
          const x = Gt[ri + q]!, y = Gt[rj + q]!;
          Gt[ri + q] = c * x - s * y;
          Gt[rj + q] = s * x + c * y;
        }
        if (Vt) {
          const vi = i * nv, vj = j * nv;
          for (let q = 0; q < nv; q++) {
            const x = Vt[vi + q]!, y = Vt[vj + q]!;
            Vt[vi + q] = c * x - s * y;
            Vt[vj + q] = s * x + c * y;
          }
        }
        const a2 = alpha - t * gamma;
        const b2 = beta + t * gamma;
        // the updates can lose accuracy for tiny norms: recompute when they look suspicious
        sq[i] = a2 > 0.5 * alpha * Number.EPSILON ? a2 : dotSelf(Gt, ri, len);
        sq[j] = b2 > 0 ? b2 : dotSelf(Gt, rj, len);
      }
    }
    if (process.env.SVDDBG) console.log("sweep", sweep, rotations, maxOff);
    if (rotations === 0) return;
    if (sweep === maxSweeps) {
      throw new ConvergenceError(`svdDecompose: one-sided Jacobi did not converge in ${maxSweeps} sweeps`, {
        iterations: sweep,
        residualNorm: maxOff,
        converged: false,
      });
    }
  }
}

function dotSelf(x: Float64Array, off: number, len: number): number {
  let s = 0;
  for (let k = 0; k < len; k++) s += x[off + k]! * x[off + k]!;
  return s;
}

/**
 * Fills the columns `missing` of the row-major rows×cols matrix Q (whose other columns are
 * orthonormal) with unit vectors orthogonal to all the others: candidates e_0, e_1, … are
 * orthogonalised by two passes of Gram–Schmidt and kept when at least half their norm survives.
 */
function completeOrthonormal(Q: Float64Array, rows: number, cols: number, missing: number[]): void {
  const filled = new Uint8Array(cols).fill(1);
  for (const c of missing) filled[c] = 0;
  const v = new Float64Array(rows);
  let candidate = 0;
  for (const c of missing) {
    for (; candidate < rows; candidate++) {
      v.fill(0);
      v[candidate] = 1;
      for (let pass = 0; pass < 2; pass++) {
        for (let q = 0; q < cols; q++) {
          if (!filled[q]) continue;
          let d = 0;
          for (let i = 0; i < rows; i++) d += Q[i * cols + q]! * v[i]!;
          for (let i = 0; i < rows; i++) v[i] -= d * Q[i * cols + q]!;
        }
      }
      const nv = nrm2(rows, v);
      if (nv > 0.5) {
        for (let i = 0; i < rows; i++) Q[i * cols + c] = v[i]! / nv;
        filled[c] = 1;
        candidate++;
        break;
      }
    }
  }
}
