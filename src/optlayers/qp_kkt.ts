/**
 * @file The factorisation of `solveQp`'s restricted KKT matrix, shared by the polish step and
 * the derivative rules: with C = [G_S; A] (c × n, the active inequality rows then the equality rows),
 *
 *   K_S = [Q  Cᵀ]
 *         [C  0 ]        (symmetric, indefinite, N = n + c),
 *
 * factored ONCE per problem and active set, by one of two methods:
 *
 * - `schur` (Q ≻ 0, the common case): Q = L Lᵀ (Cholesky, shared by every problem with the same
 *   Q), M = L⁻¹Cᵀ (c forward substitutions), the Schur complement S = C Q⁻¹ Cᵀ = MᵀM = L_S L_Sᵀ
 *   (Cholesky, c × c). A solve of K_S [x; y] = [r₁; r₂] is then
 *     u = L⁻¹r₁,   L_S L_Sᵀ y = Mᵀu − r₂,   x = L⁻ᵀ(u − M y),
 *   about n³/3 + c·n² + c²n/2 flops for the factorisation against (n + c)³·2/3 for LU
 *   (at n = 24, c = 14: ≈ 17 k against ≈ 37 k), and every solve uses triangular sweeps only.
 * - `lu` (the fallback, the previous method): LU with partial pivoting of the assembled K_S, when
 *   n > SCHUR_MAX_N without the interior point's rows (large sizes: blocked LU is faster), when Q
 *   is not numerically positive definite (an LP, a PSD Q: Cholesky fails or its pivots spread by
 *   more than 1e8 in square, i.e. cond(Q) ≳ 1e8), when the Schur complement is not (dependent
 *   active rows: LICQ fails), or when the Schur route's condition estimate is below 1e-10 — so a
 *   singular or nearly singular K_S is always judged by the LU of K_S itself.
 *
 * Either way `rcond` is a Hager–Higham estimate of 1/(‖K_S‖₁‖K_S⁻¹‖₁) (`inverseNorm1Estimate`
 * with the method's own solve), and the factor is marked singular (`solve` null) when
 * rcond ≤ 1e-14, which the caller turns into an `InvertibilityError` under its failure policy.
 */
import { luFactor, luSolve, luRcondEstimate, norm1, inverseNorm1Estimate } from '../linalg/dense/lu.js';
import { choleskyFactorInPlace } from '../linalg/dense/cholesky.js';

/**
 * Largest n for which the Schur route computes L⁻¹Cᵀ and C Q⁻¹ Cᵀ itself (scalar substitutions and
 * dot products); above it LU's blocked kernels are faster (the ADMM bench's n = 2000: 2× slower by
 * Schur), unless the interior point's Woodbury rows are at hand.
 */
export const SCHUR_MAX_N = 128;

/** rcond at or below which K_S counts as singular. */
export const KKT_SINGULAR_RCOND = 1e-14;
/** The Schur route hands over to LU when its condition estimate is at or below this. */
const SCHUR_MIN_RCOND = 1e-10;
/** Smallest accepted (min L_ii / max L_ii)² of the Cholesky factor of Q, resp. of S. */
const Q_PIVOT_RATIO = 1e-8;
const S_PIVOT_RATIO = 1e-12;

/** A factored K_S for one active set S. */
export interface QpKktFactor {
  /** The active inequality constraints, in row order of C. */
  readonly S: Int32Array;
  /** n + |S| + e. */
  readonly N: number;
  /** Reciprocal 1-norm condition estimate of K_S (0 when a pivot vanished). */
  readonly rcond: number;
  /** `'schur'` (Cholesky of Q and of the Schur complement) or `'lu'` (LU of K_S). */
  readonly method: 'schur' | 'lu';
  /** x = K_S⁻¹r as a fresh array (K_S is symmetric, so also K_S⁻ᵀr); null when K_S is singular. */
  readonly solve: ((r: Float64Array) => Float64Array) | null;
}

/**
 * The Cholesky factor of a (symmetrised) Q, or null when Q is not numerically positive definite
 * (a non-positive pivot, or (min L_ii / max L_ii)² below 1e-8).
 *
 * @example
 * choleskyOfQ(Float64Array.of(4, 2, 2, 5), 2); // [2, 0, 1, 2]
 * choleskyOfQ(Float64Array.of(1, 0, 0, 0), 2); // null (semidefinite)
 */
export function choleskyOfQ(Q: Float64Array, n: number): Float64Array | null {
  const L = Float64Array.from(Q);
  if (choleskyFactorInPlace(L, n) >= 0) return null;
  return pivotRatio(L, n) >= Q_PIVOT_RATIO ? L : null;
}

function pivotRatio(L: Float64Array, n: number): number {
  let lo = Infinity;
  let hi = 0;
  for (let i = 0; i < n; i++) {
    const d = L[i * n + i]!;
    if (!(d > 0)) return 0;
    if (d < lo) lo = d;
    if (d > hi) hi = d;
  }
  return n === 0 ? 1 : (lo / hi) ** 2;
}

/**
 * x ← L⁻¹x in place (L lower triangular, row-major n × n).
 *
 * @example
 * const x = Float64Array.of(2, 5);
 * forward(Float64Array.of(2, 0, 1, 2), 2, x); // x = [1, 2]
 */
export function forward(L: Float64Array, n: number, x: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const r = i * n;
    let s0 = 0;
    let s1 = 0;
    let p = 0;
    for (; p + 1 < i; p += 2) {
      s0 += L[r + p]! * x[p]!;
      s1 += L[r + p + 1]! * x[p + 1]!;
    }
    if (p < i) s0 += L[r + p]! * x[p]!;
    x[i] = (x[i]! - s0 - s1) / L[r + i]!;
  }
}

/**
 * x ← L⁻ᵀx in place (column sweeps of Lᵀ = row sweeps of L, axpy form).
 *
 * @example
 * const x = Float64Array.of(4, 4);
 * backward(Float64Array.of(2, 0, 1, 2), 2, x); // x = [1, 2]
 */
export function backward(L: Float64Array, n: number, x: Float64Array): void {
  for (let i = n - 1; i >= 0; i--) {
    const r = i * n;
    const xi = x[i]! / L[r + i]!;
    x[i] = xi;
    for (let p = 0; p < i; p++) x[p] -= L[r + p]! * xi;
  }
}

/**
 * Factors K_S = [Q Cᵀ; C 0] with C the rows `S` of G followed by the rows of A (see the file
 * header for the method choice). `LQ` is the Cholesky factor of Q from {@link choleskyOfQ} (null:
 * LU directly). Q is the symmetrised n × n quadratic term.
 *
 * @example
 * // min ½‖z‖² s.t. z₀ + z₁ = 1: K = [[1,0,1],[0,1,1],[1,1,0]]
 * const Q = Float64Array.of(1, 0, 0, 1);
 * const F = factorKkt(Q, choleskyOfQ(Q, 2), 2, new Float64Array(0), new Int32Array(0), Float64Array.of(1, 1), 1);
 * F.solve!(Float64Array.of(0, 0, 1)); // [0.5, 0.5, −0.5]
 */
export function factorKkt(
  Q: Float64Array, LQ: Float64Array | null, n: number, G: Float64Array, S: Int32Array, A: Float64Array, e: number, pre?: WoodburyRows,
): QpKktFactor {
  const c = S.length + e;
  const N = n + c;
  // C row-major c × n
  const C = new Float64Array(c * n);
  for (let r = 0; r < S.length; r++) C.set(G.subarray(S[r]! * n, (S[r]! + 1) * n), r * n);
  C.set(A.subarray(0, e * n), S.length * n);
  if (LQ) {
    const F = schur(Q, LQ, n, C, c, S, N, e === 0 ? pre : undefined);
    if (F) return F;
  }
  return lu(Q, n, C, c, S, N);
}

/** ‖K_S‖₁ = max column sum, from Q and C without assembling K_S. */
function kktNorm1(Q: Float64Array, n: number, C: Float64Array, c: number): number {
  let best = 0;
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.abs(Q[i * n + j]!);
    for (let r = 0; r < c; r++) s += Math.abs(C[r * n + j]!);
    if (s > best) best = s;
  }
  for (let r = 0; r < c; r++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += Math.abs(C[r * n + j]!);
    if (s > best) best = s;
  }
  return best;
}

/**
 * The interior point's Woodbury data of the same problem (qp_ipm.ts): rows L⁻¹G_iᵀ of every
 * inequality (m × n) and their Gram matrix GQ⁻¹Gᵀ (m × m, lower triangle). Without equalities M
 * and S of the Schur route are their rows / entries on S: no substitution, no dot product.
 */
export interface WoodburyRows {
  m: number;
  M: Float64Array;
  P: Float64Array;
}

function schur(Q: Float64Array, LQ: Float64Array, n: number, C: Float64Array, c: number, S: Int32Array, N: number, pre?: WoodburyRows): QpKktFactor | null {
  // M (stored c × n: row r = L⁻¹C_rᵀ) and S = M Mᵀ (lower triangle; choleskyFactorInPlace reads only it)
  const LS = new Float64Array(c * c);
  let M: Float64Array;
  if (pre) {
    M = new Float64Array(c * n);
    for (let r = 0; r < c; r++) M.set(pre.M.subarray(S[r]! * n, (S[r]! + 1) * n), r * n);
    // S is increasing, so (S_i, S_j) with j ≤ i is in P's lower triangle
    for (let i = 0; i < c; i++) for (let j = 0; j <= i; j++) LS[i * c + j] = pre.P[S[i]! * pre.m + S[j]!]!;
  } else {
    M = Float64Array.from(C);
    for (let r = 0; r < c; r++) forward(LQ, n, M.subarray(r * n, (r + 1) * n));
    gram(M, n, c, LS);
  }
  if (c > 0 && (choleskyFactorInPlace(LS, c) >= 0 || pivotRatio(LS, c) < S_PIVOT_RATIO)) return null;
  const solve = schurSolver(LQ, n, M, LS, c, N);
  const inv = inverseNorm1Estimate(N, (v) => solve(v));
  const rcond = Number.isFinite(inv) && inv > 0 ? 1 / kktNorm1(Q, n, C, c) / inv : 0;
  if (!(rcond > SCHUR_MIN_RCOND)) return null;
  return { S, N, rcond, method: 'schur', solve };
}

/** LS ← lower triangle of M Mᵀ (M: c rows of length n). */
function gram(M: Float64Array, n: number, c: number, LS: Float64Array): void {
  for (let i = 0; i < c; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let s0 = 0;
      let s1 = 0;
      let p = 0;
      for (; p + 1 < n; p += 2) {
        s0 += M[ri + p]! * M[rj + p]!;
        s1 += M[ri + p + 1]! * M[rj + p + 1]!;
      }
      if (p < n) s0 += M[ri + p]! * M[rj + p]!;
      LS[i * c + j] = s0 + s1;
    }
  }
}

function schurSolver(LQ: Float64Array, n: number, M: Float64Array, LS: Float64Array, c: number, N: number): (rhs: Float64Array) => Float64Array {
  const u = new Float64Array(n);
  const y = new Float64Array(c);
  const solve = (rhs: Float64Array): Float64Array => {
    const out = new Float64Array(N);
    u.set(rhs.subarray(0, n));
    forward(LQ, n, u);
    // y = S⁻¹(M u − r₂)
    for (let r = 0; r < c; r++) {
      const rr = r * n;
      let s = 0;
      for (let j = 0; j < n; j++) s += M[rr + j]! * u[j]!;
      y[r] = s - rhs[n + r]!;
    }
    if (c > 0) {
      forward(LS, c, y);
      backward(LS, c, y);
    }
    // x = L⁻ᵀ(u − Σ_r y_r·(L⁻¹C_rᵀ))
    for (let r = 0; r < c; r++) {
      const yr = y[r]!;
      const rr = r * n;
      for (let j = 0; j < n; j++) u[j] -= M[rr + j]! * yr;
    }
    backward(LQ, n, u);
    out.set(u);
    out.set(y, n);
    return out;
  };
  return solve;
}

function lu(Q: Float64Array, n: number, C: Float64Array, c: number, S: Int32Array, N: number): QpKktFactor {
  const K = new Float64Array(N * N);
  for (let i = 0; i < n; i++) K.set(Q.subarray(i * n, (i + 1) * n), i * N);
  for (let r = 0; r < c; r++) {
    const row = n + r;
    for (let j = 0; j < n; j++) {
      const v = C[r * n + j]!;
      K[row * N + j] = v;
      K[j * N + row] = v;
    }
  }
  const f = luFactor(K, N);
  const rcond = f.zeroPivot >= 0 ? 0 : luRcondEstimate(f, norm1(K, N, N));
  // K_S is symmetric (Q symmetrised): one solve serves the JVP (K_S) and the VJP (K_Sᵀ)
  const solve = rcond > KKT_SINGULAR_RCOND ? (r: Float64Array): Float64Array => luSolve(f, r, 1) : null;
  return { S, N, rcond, method: 'lu', solve };
}
