/**
 * @file Singular value decomposition `A = U·diag(σ)·Vᵀ` of a row-major m×n matrix (any shape):
 * singular values in descending order, thin orthonormal `U` (m×K) and `V` (n×K), K = min(m, n).
 * For m < n the SVD of Aᵀ is computed and the roles of U and V swap. The input is first scaled by
 * an exact power of two to max|A| ∈ [0.5, 2), so no intermediate overflows or underflows.
 *
 * Two methods:
 * - `'golub-kahan'` (default): Householder bidiagonalisation `A = U_B·B·V_Bᵀ`, then implicit-shift
 *   QR on the bidiagonal B with deflation and zero-shift handling (Golub–Kahan–Reinsch, as in
 *   LINPACK `dsvdc`). About 4mn² + 8n³ flops with vectors. Backward stable: every σ_i has absolute
 *   error O(ε·σ_max).
 * - `'jacobi'`: one-sided (Hestenes) Jacobi with Drmač–Veselić preconditioning. Factor `A·P = Q·R`
 *   (QR with column pivoting), then orthogonalise the columns of `X = Rᵀ` (the contiguous rows of
 *   R) with plane rotations, `X·V_X = U_X·Σ`, until `|x_iᵀx_j| ≤ √n·ε·‖x_i‖‖x_j‖` for all pairs;
 *   then `U = Q·V_X`, `V = P·U_X`. Several times slower, but it computes small singular values to
 *   high *relative* accuracy for matrices that are well conditioned up to column scaling (graded
 *   matrices), where Golub–Kahan only guarantees O(ε·σ_max).
 */
import { assertFinite, ConvergenceError, InvalidArgumentError, ShapeError } from '../../core/errors.js';
import { nrm2 } from '../../kernels/blas.js';
import { qrFactorPivoted, qrMultiplyQ, qrQ } from './qr.js';
import { applyReflectorLeft, makeReflector, maxAbsEntry, mulPow2, scalePow2, unitExponent } from './util.js';

/** Options of {@link svdDecompose}. */
export interface SvdOptions {
  /** Compute singular vectors U and V (default `true`). */
  vectors?: boolean;
  /** Algorithm: `'golub-kahan'` (default, fast) or `'jacobi'` (slower, high relative accuracy). */
  method?: 'golub-kahan' | 'jacobi';
  /** Jacobi only: maximum number of sweeps before a `ConvergenceError` (default 60; typical: 6–12). */
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
 * `NonFiniteError` on NaN/±Infinity, `InvalidArgumentError` on an unknown method, and
 * `ConvergenceError` if the iteration does not converge (not observed for finite input).
 *
 * @example
 * const { U, S, V } = svdDecompose(Float64Array.of(3, 0, 0, -2), 2, 2);
 * // S = [3, 2], U = [[1, 0], [0, −1]], V = I (up to matching column signs)
 * svdDecompose(A, m, n, { vectors: false, method: 'jacobi' }).S; // accurate tiny σ of graded A
 */
export function svdDecompose(A: Float64Array, m: number, n: number, options: SvdOptions = {}): SvdResult {
  if (!Number.isInteger(m) || !Number.isInteger(n) || m < 0 || n < 0 || A.length !== m * n) {
    throw new ShapeError(`svdDecompose: A has ${A.length} entries, expected ${m}×${n}`);
  }
  assertFinite(A, 'svdDecompose: A');
  const wantVectors = options.vectors ?? true;
  const method = options.method ?? 'golub-kahan';
  if (method !== 'golub-kahan' && method !== 'jacobi') {
    throw new InvalidArgumentError(`svdDecompose: unknown method '${String(method)}' (expected 'golub-kahan' or 'jacobi')`);
  }
  const maxSweeps = options.maxSweeps ?? 60;
  if (m < n) {
    // A = (Aᵀ)ᵀ = (U'ΣV'ᵀ)ᵀ = V'·Σ·U'ᵀ
    const At = new Float64Array(n * m);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) At[j * m + i] = A[i * n + j]!;
    const r = svdTall(At, n, m, wantVectors, method, maxSweeps);
    return { U: r.V, S: r.S, V: r.U };
  }
  return svdTall(A, m, n, wantVectors, method, maxSweeps);
}

/** SVD for m ≥ n: zero/empty cases, power-of-two scaling, dispatch. */
function svdTall(
  A: Float64Array, m: number, n: number, wantVectors: boolean, method: 'golub-kahan' | 'jacobi', maxSweeps: number,
): SvdResult {
  const K = n;
  if (K === 0) {
    return { U: wantVectors ? new Float64Array(0) : null, S: new Float64Array(0), V: wantVectors ? new Float64Array(0) : null };
  }
  const amax = maxAbsEntry(A);
  if (amax === 0) {
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
  // Work on 2^ex·A with max entry in [0.5, 2) (exact); σ is scaled back at the end.
  const ex = unitExponent(amax);
  const As = Float64Array.from(A);
  scalePow2(As, ex);
  const r = method === 'jacobi' ? jacobiTall(As, m, n, wantVectors, maxSweeps) : golubKahanTall(As, m, n, wantVectors);
  for (let c = 0; c < K; c++) r.S[c] = mulPow2(r.S[c]!, -ex);
  return r;
}

// ---------------------------------------------------------------------------------------------
// Golub–Kahan–Reinsch
// ---------------------------------------------------------------------------------------------

/**
 * Golub–Kahan–Reinsch SVD of a scaled m×n matrix, m ≥ n ≥ 1 (`a` is overwritten).
 *
 * 1. Bidiagonalise: alternately a left reflector zeroes column k below the diagonal
 *    (`s_k = B[k,k]`) and a right reflector zeroes row k right of the superdiagonal
 *    (`e_k = B[k,k+1]`), so `H_{n−1}⋯H_0·A·G_0⋯G_{n−3} = B`, i.e. `A = U_B·B·V_Bᵀ`.
 * 2. Diagonalise B by implicit-shift QR sweeps (shift from the trailing 2×2 of BᵀB), deflating
 *    negligible `e_k` and splitting at negligible `s_k`; each rotation is applied to the rows of
 *    Uᵀ and Vᵀ, which are stored transposed so the updates run over contiguous memory.
 */
function golubKahanTall(a: Float64Array, m: number, n: number, wantVectors: boolean): SvdResult {
  const s = new Float64Array(n);
  const e = new Float64Array(n);
  const tauL = new Float64Array(n);
  const tauR = new Float64Array(n);
  const v = new Float64Array(m + 1);
  const w = new Float64Array(Math.max(m, n));

  for (let k = 0; k < n; k++) {
    // left reflector: column k, rows k..m−1
    const len = m - k;
    for (let i = 0; i < len; i++) v[i] = a[(k + i) * n + k]!;
    const tl = makeReflector(v, len);
    tauL[k] = tl;
    s[k] = v[len]!;
    if (tl !== 0) {
      for (let i = 1; i < len; i++) a[(k + i) * n + k] = v[i]!;
      applyReflectorLeft(a, n, k, m, k + 1, n, v, tl, w);
    }
    // right reflector: row k, columns k+1..n−1 (contiguous), applied to rows k+1..m−1 from the right
    if (k < n - 2) {
      const len2 = n - k - 1;
      const r0 = k * n + k + 1;
      for (let j = 0; j < len2; j++) v[j] = a[r0 + j]!;
      const tr = makeReflector(v, len2);
      tauR[k] = tr;
      e[k] = v[len2]!;
      if (tr !== 0) {
        for (let j = 1; j < len2; j++) a[r0 + j] = v[j]!;
        // row ← row − τ·(row·v)·vᵀ
        for (let i = k + 1; i < m; i++) {
          const r = i * n + k + 1;
          let d = 0;
          for (let j = 0; j < len2; j++) d += a[r + j]! * v[j]!;
          const c = tr * d;
          if (c === 0) continue;
          for (let j = 0; j < len2; j++) a[r + j] -= c * v[j]!;
        }
      }
    } else if (k === n - 2) {
      e[k] = a[k * n + k + 1]!;
    }
  }
  e[n - 1] = 0;

  let Ut: Float64Array | null = null; // n×m, row j = column j of U
  let Vt: Float64Array | null = null; // n×n, row j = column j of V
  if (wantVectors) {
    // U_B = H_0⋯H_{n−1}·[I; 0] (the left reflectors sit below the diagonal, as in a QR factorization)
    const U = qrQ({ m, n, qr: a, tau: tauL }, 'reduced');
    Ut = new Float64Array(n * m);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) Ut[j * m + i] = U[i * n + j]!;
    // V_B = G_0⋯G_{n−3}, accumulated backwards on the identity; G_k acts on coordinates k+1..n−1
    const V = new Float64Array(n * n);
    for (let i = 0; i < n; i++) V[i * n + i] = 1;
    for (let k = n - 3; k >= 0; k--) {
      if (tauR[k] === 0) continue;
      const len2 = n - k - 1;
      v[0] = 1;
      for (let j = 1; j < len2; j++) v[j] = a[k * n + k + 1 + j]!;
      applyReflectorLeft(V, n, k + 1, n, k + 1, n, v, tauR[k]!, w);
    }
    Vt = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) Vt[j * n + i] = V[i * n + j]!;
  }

  bidiagonalQR(s, e, n, Ut, m, Vt);

  if (!wantVectors) return { U: null, S: s, V: null };
  const U = new Float64Array(m * n);
  const V = new Float64Array(n * n);
  for (let c = 0; c < n; c++) {
    for (let i = 0; i < m; i++) U[i * n + c] = Ut![c * m + i]!;
    for (let i = 0; i < n; i++) V[i * n + c] = Vt![c * n + i]!;
  }
  return { U, S: s, V };
}

/** Rows a, b of X (row length len): x_a ← c·x_a + s·x_b, x_b ← −s·x_a + c·x_b. */
function rotateRows(X: Float64Array, len: number, ra: number, rb: number, c: number, s: number): void {
  const oa = ra * len, ob = rb * len;
  for (let i = 0; i < len; i++) {
    const x = X[oa + i]!, y = X[ob + i]!;
    X[oa + i] = c * x + s * y;
    X[ob + i] = c * y - s * x;
  }
}

/**
 * SVD of the upper bidiagonal matrix with diagonal `s[0..n)` and superdiagonal `e[0..n−1)`
 * (`e[n−1] = 0`), in place: on return `s` holds the singular values in descending order and the
 * rotations have been applied to the rows of `Ut` (length m) and `Vt` (length n) when given.
 * The control flow follows LINPACK `dsvdc`: find the trailing unreduced block, then either deflate
 * a negligible s_{p−1} (case 1), split at a negligible s_k (case 2), take one shifted QR step
 * (case 3), or accept a converged value, make it non-negative and sort it into place (case 4).
 */
function bidiagonalQR(s: Float64Array, e: Float64Array, n: number, Ut: Float64Array | null, m: number, Vt: Float64Array | null): void {
  const eps = Number.EPSILON;
  const tiny = 2 ** -966;
  const maxIterPerValue = 100;
  let p = n;
  const pp = p - 1;
  let iter = 0;
  while (p > 0) {
    // Inspect for negligible elements of e (split point k) and of s.
    let k: number;
    for (k = p - 2; k >= 0; k--) {
      if (Math.abs(e[k]!) <= tiny + eps * (Math.abs(s[k]!) + Math.abs(s[k + 1]!))) {
        e[k] = 0;
        break;
      }
    }
    let kase: number;
    if (k === p - 2) {
      kase = 4;
    } else {
      let ks: number;
      for (ks = p - 1; ks > k; ks--) {
        const t = (ks !== p ? Math.abs(e[ks]!) : 0) + (ks !== k + 1 ? Math.abs(e[ks - 1]!) : 0);
        if (Math.abs(s[ks]!) <= tiny + eps * t) {
          s[ks] = 0;
          break;
        }
      }
      if (ks === k) {
        kase = 3;
      } else if (ks === p - 1) {
        kase = 1;
      } else {
        kase = 2;
        k = ks;
      }
    }
    k++;

    switch (kase) {
      case 1: {
        // Deflate negligible s[p−1]: chase e[p−2] up with rotations from the right.
        let f = e[p - 2]!;
        e[p - 2] = 0;
        for (let j = p - 2; j >= k; j--) {
          const t = Math.hypot(s[j]!, f);
          const cs = s[j]! / t;
          const sn = f / t;
          s[j] = t;
          if (j !== k) {
            f = -sn * e[j - 1]!;
            e[j - 1] = cs * e[j - 1]!;
          }
          if (Vt) rotateRows(Vt, n, j, p - 1, cs, sn);
        }
        break;
      }
      case 2: {
        // Split at negligible s[k−1]: chase e[k−1] down with rotations from the left.
        let f = e[k - 1]!;
        e[k - 1] = 0;
        for (let j = k; j < p; j++) {
          const t = Math.hypot(s[j]!, f);
          const cs = s[j]! / t;
          const sn = f / t;
          s[j] = t;
          f = -sn * e[j]!;
          e[j] = cs * e[j]!;
          if (Ut) rotateRows(Ut, m, j, k - 1, cs, sn);
        }
        break;
      }
      case 3: {
        if (++iter > maxIterPerValue) {
          throw new ConvergenceError(`svdDecompose: bidiagonal QR did not converge for singular value ${p - 1}`, {
            iterations: iter - 1,
            residualNorm: Math.abs(e[p - 2]!),
            converged: false,
          });
        }
        // Shift: eigenvalue of the trailing 2×2 of BᵀB closer to its last entry (scaled to avoid overflow).
        const scale = Math.max(Math.abs(s[p - 1]!), Math.abs(s[p - 2]!), Math.abs(e[p - 2]!), Math.abs(s[k]!), Math.abs(e[k]!));
        const sp = s[p - 1]! / scale;
        const spm1 = s[p - 2]! / scale;
        const epm1 = e[p - 2]! / scale;
        const sk = s[k]! / scale;
        const ek = e[k]! / scale;
        const b = ((spm1 + sp) * (spm1 - sp) + epm1 * epm1) / 2;
        const c = sp * epm1 * (sp * epm1);
        let shift = 0;
        if (b !== 0 || c !== 0) {
          shift = Math.sqrt(b * b + c);
          if (b < 0) shift = -shift;
          shift = c / (b + shift);
        }
        let f = (sk + sp) * (sk - sp) + shift;
        let g = sk * ek;
        // Chase the bulge down the block.
        for (let j = k; j < p - 1; j++) {
          let t = Math.hypot(f, g);
          let cs = f / t;
          let sn = g / t;
          if (j !== k) e[j - 1] = t;
          f = cs * s[j]! + sn * e[j]!;
          e[j] = cs * e[j]! - sn * s[j]!;
          g = sn * s[j + 1]!;
          s[j + 1] = cs * s[j + 1]!;
          if (Vt) rotateRows(Vt, n, j, j + 1, cs, sn);
          t = Math.hypot(f, g);
          cs = f / t;
          sn = g / t;
          s[j] = t;
          f = cs * e[j]! + sn * s[j + 1]!;
          s[j + 1] = -sn * e[j]! + cs * s[j + 1]!;
          g = sn * e[j + 1]!;
          e[j + 1] = cs * e[j + 1]!;
          if (Ut && j < m - 1) rotateRows(Ut, m, j, j + 1, cs, sn);
        }
        e[p - 2] = f;
        break;
      }
      default: {
        // Convergence of s[k]: make it non-negative, then bubble it into descending order.
        if (s[k]! <= 0) {
          s[k] = s[k]! < 0 ? -s[k]! : 0;
          if (Vt) for (let i = 0; i < n; i++) Vt[k * n + i] = -Vt[k * n + i]!;
        }
        while (k < pp) {
          if (s[k]! >= s[k + 1]!) break;
          const t = s[k]!;
          s[k] = s[k + 1]!;
          s[k + 1] = t;
          if (Vt) swapRows(Vt, n, k, k + 1);
          if (Ut) swapRows(Ut, m, k, k + 1);
          k++;
        }
        iter = 0;
        p--;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// one-sided Jacobi
// ---------------------------------------------------------------------------------------------

/** One-sided Jacobi SVD of a scaled m×n matrix, m ≥ n ≥ 1 (see the file header). */
function jacobiTall(As: Float64Array, m: number, n: number, wantVectors: boolean, maxSweeps: number): SvdResult {
  const K = n;
  // A·P = Q·R: column pivoting grades R, which speeds up Jacobi on Rᵀ (Drmač–Veselić)
  const f = qrFactorPivoted(As, m, n);
  const jpvt = f.jpvt;
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
  for (let c = 0; c < K; c++) S[c] = sig[order[c]!]!;
  if (!wantVectors) return { U: null, S, V: null };

  // V = P·U_X (A = Q·R·Pᵀ = (Q·V_X)·Σ·(P·U_X)ᵀ): column c of U_X is x_{order[c]} / σ, and row i
  // of U_X is row jpvt[i] of V. Completed to an orthonormal set where σ = 0.
  const V = new Float64Array(n * K);
  const missing: number[] = [];
  for (let c = 0; c < K; c++) {
    const j = order[c]!;
    const s = sig[j]!;
    if (!(s > 0)) {
      missing.push(c);
      continue;
    }
    const r = j * n;
    for (let i = 0; i < n; i++) V[jpvt[i]! * K + c] = Xt[r + i]! / s;
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

/**
 * Columns whose squared norm is below this are set to exactly zero at the start of each sweep.
 * The matrix is scaled to max|A| ≥ 1/2 (so σ_max ≥ 1/2): such a column is a backward perturbation of
 * relative size < 1e−145, and dropping it keeps squared norms out of the subnormal range, where
 * the orthogonality test would be meaningless.
 */
const NEGLIGIBLE_SQ = 1e-290;

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
      if (s < NEGLIGIBLE_SQ) {
        Gt.fill(0, r, r + len);
        s = 0;
      }
      sq[j] = s;
    }
    let rotations = 0;
    let maxOff = 0;
    for (let i = 0; i < ncols - 1; i++) {
      // de Rijk: bring the largest remaining column to position i (faster convergence, and the
      // output comes out nearly sorted)
      let p = i;
      for (let q = i + 1; q < ncols; q++) if (sq[q]! > sq[p]!) p = q;
      if (p !== i) {
        swapRows(Gt, len, i, p);
        if (Vt) swapRows(Vt, nv, i, p);
        const t = sq[i]!;
        sq[i] = sq[p]!;
        sq[p] = t;
      }
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

function swapRows(X: Float64Array, len: number, i: number, j: number): void {
  const ri = i * len, rj = j * len;
  for (let k = 0; k < len; k++) {
    const t = X[ri + k]!;
    X[ri + k] = X[rj + k]!;
    X[rj + k] = t;
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
