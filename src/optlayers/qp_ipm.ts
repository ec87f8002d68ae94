/**
 * @file The numeric core of `solveQp`: a primal–dual interior-point method with Mehrotra's
 * predictor–corrector for ONE convex quadratic program, on `Float64Array`s,
 *
 *   minimise ½ zᵀQz + pᵀz   subject to   Gz + s = h, s ≥ 0,   Az = b
 *
 * (Q symmetric positive semidefinite: LPs included), plus the infeasibility certificates.
 *
 * Newton step. With residuals r_d = Qz + p + Gᵀλ + Aᵀν, r_i = Gz + s − h, r_e = Az − b and a
 * complementarity target r_c (predictor: −s∘λ; corrector: −s∘λ + σμ − Δs_aff∘Δλ_aff), eliminating
 * Δs = −r_i − GΔz and Δλ = (r_c − λ∘Δs)/s leaves the reduced KKT system (D = diag(λ/s))
 *
 *   [Q + GᵀDG  Aᵀ] [Δz]   [−r_d − Gᵀ(r_c/s + D r_i)]
 *   [A         0 ] [Δν] = [−r_e                    ]
 *
 * factored once per iteration (Cholesky in place in the workspace without equalities, else LU
 * with partial pivoting, `linalg/dense`; no allocation per iteration) and solved for the predictor and the corrector.
 * Woodbury mode (no equalities, m ≤ n, and the caller's Cholesky factor Q = LLᵀ, cond(Q) ≲ 1e8): the
 * m × m matrix D⁻¹ + GQ⁻¹Gᵀ is factored instead (GQ⁻¹Gᵀ once per problem), see {@link eliminateWoodbury}.
 * The corrector gets up to two steps
 * of iterative refinement on the full Newton system once D is badly scaled. σ = (μ_aff/μ)³ (Mehrotra).
 * Step α = min(1, η·α_max) (α_max: largest step keeping s, λ ≥ 0) with η = 0.99 far from the
 * solution, growing to 0.9999 as μ/(1 + |obj|) → 0: η = min(0.9999, max(0.99, 1 − 0.1·√(μ/(1 + |obj|)))).
 *
 * Stopping (all relative, default tol 1e-10):
 *   primal ‖(r_i, r_e)‖∞ ≤ tol·(1 + max(‖h‖∞, ‖b‖∞)),  dual ‖r_d‖∞ ≤ tol·(1 + ‖p‖∞),
 *   gap sᵀλ ≤ tol·(1 + |½zᵀQz + pᵀz|).
 * Certificates (checked on the iterates, which diverge along them; `infTol` = 1e-8):
 *   primal infeasible: λ ≥ 0, ‖Gᵀλ + Aᵀν‖∞ ≤ infTol·τ with τ = −(hᵀλ + bᵀν) > 0 (Farkas);
 *   dual infeasible (unbounded): τ = −pᵀz > 0, ‖Qz‖∞, ‖Az‖∞, max(Gz)₊ ≤ infTol·τ.
 */
import { luFactor, luSolve, type LUFactorization } from '../linalg/dense/lu.js';
import { choleskyFactorInPlace, choleskySolveVecInPlace } from '../linalg/dense/cholesky.js';
import { amax, gemmStrided } from '../kernels/blas.js';
import { forward, backward } from './qp_kkt.js';

/** Status of one problem. */
export type QpStatus = 'optimal' | 'primalInfeasible' | 'dualInfeasible' | 'maxIterations' | 'numericalError';

/** One problem's data, row-major views (G: m×n, A: e×n, Q: n×n). */
export interface QpData {
  n: number;
  m: number;
  e: number;
  Q: Float64Array;
  p: Float64Array;
  G: Float64Array;
  h: Float64Array;
  A: Float64Array;
  b: Float64Array;
  /**
   * The Cholesky factor of Q when the caller has it (`qp_kkt.ts` choleskyOfQ; null: Q not
   * numerically positive definite). With it, no equalities and m ≤ n, the Newton systems are
   * solved through the m × m matrix D⁻¹ + GQ⁻¹Gᵀ (Woodbury, see {@link factorKkt}).
   */
  LQ?: Float64Array | null;
}

/** Iterate (written in place) and the run's report. */
export interface QpIterate {
  z: Float64Array;
  s: Float64Array;
  lambda: Float64Array;
  nu: Float64Array;
}

export interface QpRunReport {
  status: QpStatus;
  /** The solution was refined on its active set (`solveQp`'s polish step). */
  polished?: boolean;
  iterations: number;
  primalResidual: number;
  dualResidual: number;
  gap: number;
}

export interface QpIpmSettings {
  tol: number;
  maxIter: number;
  infTol: number;
  /** Start from the iterate's current contents (warm start) instead of the default initial point. */
  warm: boolean;
}

/** ‖v‖∞ through the kernel layer's `amax`. */
function normInf(v: Float64Array): number {
  return amax(v.length, v);
}

/** out = M·x (M rows×cols); four accumulators per row so the dot products are not add-latency bound. */
function matVec(M: Float64Array, rows: number, cols: number, x: Float64Array, out: Float64Array): void {
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    let j = 0;
    for (; j + 3 < cols; j += 4) {
      a0 += M[o + j]! * x[j]!;
      a1 += M[o + j + 1]! * x[j + 1]!;
      a2 += M[o + j + 2]! * x[j + 2]!;
      a3 += M[o + j + 3]! * x[j + 3]!;
    }
    for (; j < cols; j++) a0 += M[o + j]! * x[j]!;
    out[i] = a0 + a1 + (a2 + a3);
  }
}

/** out (+)= Mᵀ·x (M rows×cols). */
function matTVec(M: Float64Array, rows: number, cols: number, x: Float64Array, out: Float64Array, accumulate: boolean): void {
  if (!accumulate) out.fill(0, 0, cols);
  for (let i = 0; i < rows; i++) {
    const xi = x[i]!;
    if (xi === 0) continue;
    const o = i * cols;
    for (let j = 0; j < cols; j++) out[j] += M[o + j]! * xi;
  }
}

/** Work buffers for one problem size, reused across a batch. */
export class QpWorkspace {
  readonly rd: Float64Array;
  readonly ri: Float64Array;
  readonly re: Float64Array;
  readonly K: Float64Array;
  readonly rhs: Float64Array;
  readonly dz: Float64Array;
  readonly ds: Float64Array;
  readonly dl: Float64Array;
  readonly dn: Float64Array;
  readonly dsAff: Float64Array;
  readonly dlAff: Float64Array;
  readonly rc: Float64Array;
  readonly tm: Float64Array;
  /** Scratch of the Woodbury solve (m). */
  readonly ty: Float64Array;
  readonly tn: Float64Array;
  readonly te: Float64Array;
  readonly DG: Float64Array;
  readonly bd: Float64Array;
  readonly bi: Float64Array;
  readonly be: Float64Array;
  readonly Rd: Float64Array;
  readonly Ri: Float64Array;
  readonly Re: Float64Array;
  readonly Rc: Float64Array;
  /** D = λ/s of the current iteration, and Q·z. */
  readonly d: Float64Array;
  readonly Qz: Float64Array;
  /** K⁻¹·rhs of the last solve. */
  readonly x: Float64Array;
  /** The LU factors when the last factorization fell back to LU; null: w.K holds the Cholesky factor. */
  lu: LUFactorization | null = null;
  /** Woodbury mode: the Cholesky factor of Q (this problem's), M = L⁻¹Gᵀ (stored m × n), P = MᵀM (m × m), and the factor of D⁻¹ + P. */
  LQ: Float64Array | null = null;
  readonly M: Float64Array;
  readonly P: Float64Array;
  readonly LP: Float64Array;
  /** The last factorisation is the Woodbury one (w.LP). */
  wood = false;
  readonly N: number;
  constructor(readonly n: number, readonly m: number, readonly e: number) {
    const N = n + e;
    this.N = N;
    this.rd = new Float64Array(n);
    this.ri = new Float64Array(m);
    this.re = new Float64Array(e);
    this.K = new Float64Array(N * N);
    this.rhs = new Float64Array(N);
    this.x = new Float64Array(N);
    this.dz = new Float64Array(n);
    this.ds = new Float64Array(m);
    this.dl = new Float64Array(m);
    this.dn = new Float64Array(e);
    this.dsAff = new Float64Array(m);
    this.dlAff = new Float64Array(m);
    this.rc = new Float64Array(m);
    this.tm = new Float64Array(m);
    this.ty = new Float64Array(m);
    this.tn = new Float64Array(n);
    this.te = new Float64Array(e);
    this.DG = new Float64Array(m * n);
    this.bd = new Float64Array(n);
    this.bi = new Float64Array(m);
    this.be = new Float64Array(e);
    this.Rd = new Float64Array(n);
    this.Ri = new Float64Array(m);
    this.Re = new Float64Array(e);
    this.Rc = new Float64Array(m);
    this.d = new Float64Array(m);
    this.Qz = new Float64Array(n);
    const wood = e === 0 && m <= n;
    this.M = new Float64Array(wood ? m * n : 0);
    this.P = new Float64Array(wood ? m * m : 0);
    this.LP = new Float64Array(wood ? m * m : 0);
  }
}

/** Row-block height of the lower-triangle-only GᵀDG product from n ≥ 2·SYRK_BLOCK; SYRK_BLOCK_MIN below that (from n ≥ 2·SYRK_BLOCK_MIN). */
const SYRK_BLOCK = 64;
const SYRK_BLOCK_MIN = 32;

/**
 * Assembles K = [Q + GᵀDG + δI, Aᵀ; A, −δI] (D = diag(d)) into w.K and returns max |K_ii|.
 * GᵀDG is one gemm of (DG)ᵀ·G (the WebAssembly kernel once n·n·m ≥ 16³); with `lowerOnly` (for
 * Cholesky, which reads only the lower triangle) and n ≥ 2·SYRK_BLOCK_MIN it is computed by block rows
 * [r0, r1) × columns [0, r1) only, about half the flops (the entries above the diagonal blocks are
 * then stale).
 */
function assembleKkt(q: QpData, d: Float64Array, delta: number, w: QpWorkspace, lowerOnly: boolean): number {
  const { n, m, e, Q, G, A } = q;
  const N = w.N;
  const K = w.K;
  if (e > 0) K.fill(0);
  for (let i = 0; i < n; i++) {
    const ri = i * N;
    const qi = i * n;
    for (let j = 0; j < n; j++) K[ri + j] = Q[qi + j]!;
    K[ri + i] += delta;
  }
  // + GᵀDG: scale the rows of G by D, then one gemm into the leading n×n block of K
  if (m > 0) {
    const DG = w.DG;
    for (let k = 0; k < m; k++) {
      const dk = d[k]!;
      const o = k * n;
      for (let j = 0; j < n; j++) DG[o + j] = dk * G[o + j]!;
    }
    if (lowerOnly && n >= 2 * SYRK_BLOCK_MIN) {
      const nb = n >= 2 * SYRK_BLOCK ? SYRK_BLOCK : SYRK_BLOCK_MIN;
      for (let r0 = 0; r0 < n; r0 += nb) {
        const r1 = Math.min(n, r0 + nb);
        gemmStrided(true, false, r1 - r0, r1, m, 1, DG, r0, n, G, 0, n, 1, K, r0 * N, N);
      }
    } else {
      gemmStrided(true, false, n, n, m, 1, DG, 0, n, G, 0, n, 1, K, 0, N);
    }
  }
  for (let r = 0; r < e; r++) {
    for (let j = 0; j < n; j++) {
      const a = A[r * n + j]!;
      K[(n + r) * N + j] = a;
      K[j * N + n + r] = a;
    }
    K[(n + r) * N + n + r] = -delta;
  }
  let big = 0;
  for (let i = 0; i < N; i++) big = Math.max(big, Math.abs(K[i * N + i]!));
  return big;
}

/**
 * Assembles and factors K into the workspace: Cholesky in place in w.K when there are no
 * equalities (K is then symmetric positive definite unless Q + GᵀDG is singular), else (or when
 * Cholesky meets a non-positive pivot) LU with partial pivoting into w.lu; false when the
 * factorization has a (numerically) zero pivot. {@link solveKkt} then solves with it.
 */
function factorKkt(q: QpData, d: Float64Array, delta: number, w: QpWorkspace): boolean {
  w.wood = false;
  if (w.LQ && delta === 0 && factorWoodbury(q.m, d, w)) return true;
  const N = w.N;
  const cholesky = q.e === 0;
  let big = assembleKkt(q, d, delta, w, cholesky);
  const K = w.K;
  if (cholesky) {
    // pivot L[i,i]² is the Schur complement: reject numerically singular ones
    let ok = choleskyFactorInPlace(K, N) < 0;
    for (let i = 0; ok && i < N; i++) if (K[i * N + i]! * K[i * N + i]! <= 1e-20 * big) ok = false;
    if (ok) {
      w.lu = null;
      return true;
    }
    big = assembleKkt(q, d, delta, w, false);
  }
  const f = luFactor(K, N);
  w.lu = null;
  if (f.zeroPivot >= 0) return false;
  // reject numerically singular pivots (relative to the largest diagonal entry)
  for (let i = 0; i < N; i++) if (Math.abs(f.lu[i * N + i]!) <= 1e-20 * big) return false;
  w.lu = f;
  return true;
}

/**
 * Woodbury form of K = Q + GᵀDG (no equalities, Q = LLᵀ ≻ 0, m ≤ n):
 *   K⁻¹ = Q⁻¹ − Q⁻¹Gᵀ(D⁻¹ + GQ⁻¹Gᵀ)⁻¹GQ⁻¹,
 * so each iteration factors the m × m matrix D⁻¹ + P (P = MᵀM, M = L⁻¹Gᵀ, both once per problem
 * by {@link prepareWoodbury}) instead of assembling GᵀDG (n²m) and factoring n × n (n³/3). The
 * matrix is symmetric positive definite; its Cholesky is insensitive to the spread of D⁻¹ (rows
 * of inactive constraints, D⁻¹ → ∞, only scale their diagonal). False (caller falls back to the
 * n × n path) when a pivot is non-positive or below 1e-14 of its diagonal entry.
 */
function factorWoodbury(m: number, d: Float64Array, w: QpWorkspace): boolean {
  const { P, LP } = w;
  for (let i = 0; i < m; i++) {
    const ri = i * m;
    for (let j = 0; j < i; j++) LP[ri + j] = P[ri + j]!;
    LP[ri + i] = P[ri + i]! + 1 / d[i]!;
    if (!Number.isFinite(LP[ri + i]!)) return false;
  }
  if (choleskyFactorInPlace(LP, m) >= 0) return false;
  // pivot² is the Schur complement of the diagonal entry: a tiny ratio means cancellation
  for (let i = 0; i < m; i++) {
    const dii = P[i * m + i]! + 1 / d[i]!;
    if (!(LP[i * m + i]! * LP[i * m + i]! > 1e-14 * dii)) return false;
  }
  w.wood = true;
  return true;
}

/** Per problem: w.LQ = q.LQ, M = L⁻¹Gᵀ and P = MᵀM when the Woodbury form applies (else w.LQ = null). */
function prepareWoodbury(q: QpData, w: QpWorkspace): void {
  const { n, m, e, G } = q;
  w.LQ = null;
  w.wood = false;
  if (!q.LQ || e > 0 || m === 0 || m > n) return;
  const { M, P } = w;
  M.set(G.subarray(0, m * n));
  for (let k = 0; k < m; k++) forward(q.LQ, n, M.subarray(k * n, (k + 1) * n));
  for (let i = 0; i < m; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let s0 = 0;
      let s1 = 0;
      let t = 0;
      for (; t + 1 < n; t += 2) {
        s0 += M[ri + t]! * M[rj + t]!;
        s1 += M[ri + t + 1]! * M[rj + t + 1]!;
      }
      if (t < n) s0 += M[ri + t]! * M[rj + t]!;
      P[i * m + j] = s0 + s1;
    }
  }
  w.LQ = q.LQ;
}

/** out[k] = M_k·x for the m rows of length n of the row-major M (two accumulators: the Woodbury solves' one loop). */
function mulRows(M: Float64Array, m: number, n: number, x: Float64Array, out: Float64Array): void {
  for (let k = 0; k < m; k++) {
    const o = k * n;
    let s0 = 0;
    let s1 = 0;
    let j = 0;
    for (; j + 1 < n; j += 2) {
      s0 += M[o + j]! * x[j]!;
      s1 += M[o + j + 1]! * x[j + 1]!;
    }
    if (j < n) s0 += M[o + j]! * x[j]!;
    out[k] = s0 + s1;
  }
}

/** x −= Mᵀy for the row-major m×n M. */
function subMulRowsT(M: Float64Array, m: number, n: number, y: Float64Array, x: Float64Array): void {
  for (let k = 0; k < m; k++) {
    const o = k * n;
    const yk = y[k]!;
    for (let j = 0; j < n; j++) x[j] -= M[o + j]! * yk;
  }
}

/** K⁻¹·rhs with the factorization left by {@link factorKkt}, into w.x (overwritten by the next solve). */
function solveKkt(w: QpWorkspace, rhs: Float64Array): Float64Array {
  if (w.wood) {
    // v = L⁻¹rhs; y = (D⁻¹ + P)⁻¹Mᵀv (Mᵀv = GQ⁻¹rhs); x = L⁻ᵀ(v − My)
    const { LQ, M, LP, ty: tm, x } = w;
    const n = w.n;
    const m = w.m;
    x.set(rhs);
    forward(LQ!, n, x);
    mulRows(M, m, n, x, tm);
    forward(LP, m, tm);
    backward(LP, m, tm);
    subMulRowsT(M, m, n, tm, x);
    backward(LQ!, n, x);
    return x;
  }
  if (w.lu) {
    w.x.set(luSolve(w.lu, rhs, 1));
  } else {
    w.x.set(rhs);
    choleskySolveVecInPlace(w.K, w.N, w.x);
  }
  return w.x;
}

/**
 * Solves the linearised KKT system for the general right-hand side (b_d, b_i, b_e, b_c):
 *   QΔz + GᵀΔλ + AᵀΔν = b_d,  GΔz + Δs = b_i,  AΔz = b_e,  λ∘Δs + s∘Δλ = b_c
 * by elimination: Δs = b_i − GΔz, Δλ = (b_c − λ∘Δs)/s and
 *   (Q + GᵀDG)Δz + AᵀΔν = b_d − Gᵀ((b_c − λ∘b_i)/s),   AΔz = b_e.
 * Adds the result into (dz, dn, ds, dl).
 */
function eliminate(q: QpData, it: QpIterate, w: QpWorkspace, bd: Float64Array, bi: Float64Array, be: Float64Array, bc: Float64Array,
  dz: Float64Array, dn: Float64Array, ds: Float64Array, dl: Float64Array): void {
  const { n, m, e, G } = q;
  const { s, lambda } = it;
  const { rhs, tm, tn } = w;
  if (w.wood) {
    eliminateWoodbury(q, it, w, bd, bi, bc, dz, ds, dl);
    return;
  }
  for (let k = 0; k < m; k++) tm[k] = (bc[k]! - lambda[k]! * bi[k]!) / s[k]!;
  matTVec(G, m, n, tm, tn, false);
  for (let j = 0; j < n; j++) rhs[j] = bd[j]! - tn[j]!;
  for (let r = 0; r < e; r++) rhs[n + r] = be[r]!;
  const x = solveKkt(w, rhs);
  for (let j = 0; j < n; j++) dz[j] += x[j]!;
  for (let r = 0; r < e; r++) dn[r] += x[n + r]!;
  // Δs, Δλ of the increment x
  matVec(G, m, n, x, tm);
  for (let k = 0; k < m; k++) {
    const dsk = bi[k]! - tm[k]!;
    ds[k] += dsk;
    dl[k] += (bc[k]! - lambda[k]! * dsk) / s[k]!;
  }
}

/**
 * {@link eliminate} in the Woodbury mode (no equalities). Eliminating only Δs = (b_c − s∘Δλ)/λ
 * leaves the augmented system [Q Gᵀ; G −D⁻¹][Δz; Δλ] = [b_d; b_i − b_c/λ], whose Schur complement
 * on Q gives
 *   (D⁻¹ + GQ⁻¹Gᵀ)Δλ = GQ⁻¹b_d − (b_i − b_c/λ),   Δz = Q⁻¹(b_d − GᵀΔλ),
 * with Q⁻¹ = L⁻ᵀL⁻¹ and GQ⁻¹b_d = Mᵀ(L⁻¹b_d). Solving for Δλ itself (not for Δz through
 * Q + GᵀDG⁻¹'s Woodbury expansion, which cancels terms of size D) keeps every quantity at the
 * scale of the step. Then Δs = b_i − GΔz (accurate where λ → 0). Adds into (dz, ds, dl).
 */
function eliminateWoodbury(q: QpData, it: QpIterate, w: QpWorkspace, bd: Float64Array, bi: Float64Array, bc: Float64Array,
  dz: Float64Array, ds: Float64Array, dl: Float64Array): void {
  const { n, m, G } = q;
  const { lambda } = it;
  const { LQ, M, LP, ty: y, x, tm } = w;
  x.set(bd.subarray(0, n));
  forward(LQ!, n, x);
  mulRows(M, m, n, x, y);
  for (let k = 0; k < m; k++) y[k] = y[k]! - (bi[k]! - bc[k]! / lambda[k]!);
  forward(LP, m, y);
  backward(LP, m, y);
  subMulRowsT(M, m, n, y, x);
  backward(LQ!, n, x);
  for (let j = 0; j < n; j++) dz[j] += x[j]!;
  matVec(G, m, n, x, tm);
  for (let k = 0; k < m; k++) {
    ds[k] += bi[k]! - tm[k]!;
    dl[k] += y[k]!;
  }
}

/**
 * Solves the Newton system for the complementarity target w.rc (b_d = −r_d, b_i = −r_i,
 * b_e = −r_e, b_c = r_c), writing Δz, Δν, Δs, Δλ into w.dz, w.dn, w.ds, w.dl, with steps of
 * iterative refinement (`passes`, 0–2: once D is badly scaled) on the FULL (unreduced) system: forming Q + GᵀDG with D = λ/s up to ~1e12
 * loses digits that the refinement recovers.
 */
function newtonStep(q: QpData, it: QpIterate, w: QpWorkspace, passes: number): void {
  const { n, m, e, G, Q, A } = q;
  const { s, lambda } = it;
  const { rd, ri, re, rc } = w;
  const { bd, bi, be, Rd, Ri, Re, Rc } = w;
  for (let j = 0; j < n; j++) bd[j] = -rd[j]!;
  for (let k = 0; k < m; k++) bi[k] = -ri[k]!;
  for (let r = 0; r < e; r++) be[r] = -re[r]!;
  w.dz.fill(0);
  w.dn.fill(0);
  w.ds.fill(0);
  w.dl.fill(0);
  eliminate(q, it, w, bd, bi, be, rc, w.dz, w.dn, w.ds, w.dl);
  for (let pass = 0; pass < passes; pass++) {
    // residuals of the full system at the current direction
    matVec(Q, n, n, w.dz, Rd);
    matTVec(G, m, n, w.dl, Rd, true);
    matTVec(A, e, n, w.dn, Rd, true);
    for (let j = 0; j < n; j++) Rd[j] = bd[j]! - Rd[j]!;
    matVec(G, m, n, w.dz, Ri);
    for (let k = 0; k < m; k++) {
      Ri[k] = bi[k]! - Ri[k]! - w.ds[k]!;
      Rc[k] = rc[k]! - lambda[k]! * w.ds[k]! - s[k]! * w.dl[k]!;
    }
    matVec(A, e, n, w.dz, Re);
    for (let r = 0; r < e; r++) Re[r] = be[r]! - Re[r]!;
    eliminate(q, it, w, Rd, Ri, Re, Rc, w.dz, w.dn, w.ds, w.dl);
  }
}

/** Largest α ∈ (0, 1] with v + α·dv ≥ 0 for both pairs. */
function maxStep(s: Float64Array, ds: Float64Array, l: Float64Array, dl: Float64Array): number {
  let a = 1;
  for (let k = 0; k < s.length; k++) {
    if (ds[k]! < 0) a = Math.min(a, -s[k]! / ds[k]!);
    if (dl[k]! < 0) a = Math.min(a, -l[k]! / dl[k]!);
  }
  return a;
}

/** Residuals r_d, r_i, r_e of the iterate (and Q·z) into the workspace. */
function residuals(q: QpData, it: QpIterate, w: QpWorkspace): void {
  const { n, m, e, Q, p, G, h, A, b } = q;
  matVec(Q, n, n, it.z, w.Qz);
  for (let j = 0; j < n; j++) w.rd[j] = w.Qz[j]! + p[j]!;
  matTVec(G, m, n, it.lambda, w.rd, true);
  matTVec(A, e, n, it.nu, w.rd, true);
  matVec(G, m, n, it.z, w.ri);
  for (let k = 0; k < m; k++) w.ri[k] += it.s[k]! - h[k]!;
  matVec(A, e, n, it.z, w.re);
  for (let r = 0; r < e; r++) w.re[r] -= b[r]!;
}

/**
 * Factors K with D = λ/s into the workspace, regularising (δ growing from 1e-12·scale) when it is
 * singular; returns the δ used, or −1 when even the largest δ fails.
 */
function factorWithFallback(q: QpData, d: Float64Array, w: QpWorkspace): number {
  if (factorKkt(q, d, 0, w)) return 0;
  let scale = 1;
  for (let i = 0; i < q.Q.length; i++) scale = Math.max(scale, Math.abs(q.Q[i]!));
  for (let delta = 1e-12 * scale; delta <= 1e-6 * scale; delta *= 100) {
    if (factorKkt(q, d, delta, w)) return delta;
  }
  return -1;
}

/** The default initial point: z, ν from min ½zᵀQz + pᵀz + ½‖Gz − h‖² s.t. Az = b; s, λ shifted positive. */
function initialPoint(q: QpData, it: QpIterate, w: QpWorkspace): boolean {
  const { n, m, e, G, h, p, b } = q;
  const ones = w.tm.fill(1);
  if (factorWithFallback(q, ones, w) < 0) return false;
  const rhs = w.rhs;
  matTVec(G, m, n, h, rhs, false);
  for (let j = 0; j < n; j++) rhs[j] -= p[j]!;
  for (let r = 0; r < e; r++) rhs[n + r] = b[r]!;
  const x = solveKkt(w, rhs);
  it.z.set(x.subarray(0, n));
  it.nu.set(x.subarray(n));
  if (m === 0) return true;
  matVec(G, m, n, it.z, it.s);
  let minS = Infinity;
  let minL = Infinity;
  for (let k = 0; k < m; k++) {
    it.s[k] = h[k]! - it.s[k]!;
    it.lambda[k] = -it.s[k]!;
    minS = Math.min(minS, it.s[k]!);
    minL = Math.min(minL, it.lambda[k]!);
  }
  const shiftS = minS < 1e-8 ? 1 - minS : 0;
  const shiftL = minL < 1e-8 ? 1 - minL : 0;
  for (let k = 0; k < m; k++) {
    it.s[k] += shiftS;
    it.lambda[k] += shiftL;
  }
  return true;
}

/** Pushes a warm start's s and λ into the interior (s = max(h − Gz, θ), λ = max(λ, θ)). */
function warmPoint(q: QpData, it: QpIterate): void {
  const { n, m, G, h } = q;
  matVec(G, m, n, it.z, it.s);
  const theta = 1e-2;
  for (let k = 0; k < m; k++) {
    it.s[k] = Math.max(h[k]! - it.s[k]!, theta);
    it.lambda[k] = Math.max(it.lambda[k]!, theta);
  }
}

/**
 * Runs the interior-point method on one problem, writing the solution into `it`.
 * @example
 * // internal: see solveQp
 */
export function qpIpm(q: QpData, it: QpIterate, set: QpIpmSettings, w: QpWorkspace): QpRunReport {
  const { n, m, p, h, b } = q;
  const e = q.e;
  const report: QpRunReport = { status: 'maxIterations', iterations: 0, primalResidual: Infinity, dualResidual: Infinity, gap: Infinity };
  prepareWoodbury(q, w);
  if (set.warm && m > 0) warmPoint(q, it);
  else if (!initialPoint(q, it, w)) {
    report.status = 'numericalError';
    return report;
  }
  const pScale = 1 + normInf(p);
  const hbScale = 1 + Math.max(normInf(h), normInf(b));
  const { d, Qz } = w;
  for (let iter = 0; iter <= set.maxIter; iter++) {
    residuals(q, it, w);
    let sl = 0;
    for (let k = 0; k < m; k++) sl += it.s[k]! * it.lambda[k]!;
    let obj = 0;
    for (let j = 0; j < n; j++) obj += it.z[j]! * (0.5 * Qz[j]! + p[j]!);
    report.primalResidual = Math.max(normInf(w.ri), normInf(w.re)) / hbScale;
    report.dualResidual = normInf(w.rd) / pScale;
    report.gap = sl / (1 + Math.abs(obj));
    report.iterations = iter;
    if (report.primalResidual <= set.tol && report.dualResidual <= set.tol && report.gap <= set.tol) {
      report.status = 'optimal';
      return report;
    }
    if (iter > 0 && certificates(q, it, Qz, set.infTol, w, report)) return report;
    if (iter === set.maxIter) break;
    // predictor
    let dMax = 0;
    for (let k = 0; k < m; k++) {
      d[k] = it.lambda[k]! / it.s[k]!;
      dMax = Math.max(dMax, d[k]!, 1 / d[k]!);
    }
    const delta = factorWithFallback(q, d, w);
    // iterative refinement only once D is badly scaled (or K had to be regularised)
    // (none in the Woodbury mode: D⁻¹ + GQ⁻¹Gᵀ is formed without the cancellation of Q + GᵀDG)
    const passes = w.wood ? 0 : delta > 0 || dMax > 1e12 ? 2 : dMax > 1e8 ? 1 : 0;
    if (delta < 0) {
      report.status = 'numericalError';
      return report;
    }
    for (let k = 0; k < m; k++) w.rc[k] = -it.s[k]! * it.lambda[k]!;
    // the predictor only sets σ and the second-order term: no refinement (unless m = 0, where it is the step)
    newtonStep(q, it, w, m === 0 ? passes : 0);
    if (m === 0) {
      // equality-constrained QP: one Newton step is exact
      for (let j = 0; j < n; j++) it.z[j] += w.dz[j]!;
      for (let r = 0; r < e; r++) it.nu[r] += w.dn[r]!;
      continue;
    }
    const aAff = maxStep(it.s, w.ds, it.lambda, w.dl);
    let slAff = 0;
    for (let k = 0; k < m; k++) slAff += (it.s[k]! + aAff * w.ds[k]!) * (it.lambda[k]! + aAff * w.dl[k]!);
    const mu = sl / m;
    const sigma = Math.pow(slAff / m / mu, 3);
    w.dsAff.set(w.ds);
    w.dlAff.set(w.dl);
    // corrector
    for (let k = 0; k < m; k++) w.rc[k] = -it.s[k]! * it.lambda[k]! + sigma * mu - w.dsAff[k]! * w.dlAff[k]!;
    newtonStep(q, it, w, passes);
    // step-to-boundary fraction η: 0.99 far from the solution, up to 0.9999 as the relative
    // complementarity μ/(1 + |obj|) vanishes (a fixed 0.99 costs an iteration or two at the end)
    const eta = Math.min(0.9999, Math.max(0.99, 1 - 0.1 * Math.sqrt(mu / (1 + Math.abs(obj)))));
    const alpha = Math.min(1, eta * maxStep(it.s, w.ds, it.lambda, w.dl));
    for (let j = 0; j < n; j++) it.z[j] += alpha * w.dz[j]!;
    for (let r = 0; r < e; r++) it.nu[r] += alpha * w.dn[r]!;
    for (let k = 0; k < m; k++) {
      it.s[k] += alpha * w.ds[k]!;
      it.lambda[k] += alpha * w.dl[k]!;
    }
    let bad = false;
    for (let j = 0; j < n; j++) if (!Number.isFinite(it.z[j]!)) bad = true;
    if (bad) {
      report.status = 'numericalError';
      return report;
    }
  }
  return report;
}

/** The infeasibility certificates of the file header; sets report.status and returns true if one holds. */
function certificates(q: QpData, it: QpIterate, Qz: Float64Array, infTol: number, w: QpWorkspace, report: QpRunReport): boolean {
  const { n, m, e, p, G, h, A, b } = q;
  // primal infeasibility: Gᵀλ + Aᵀν ≈ 0 with hᵀλ + bᵀν < 0
  let tau = 0;
  for (let k = 0; k < m; k++) tau -= h[k]! * it.lambda[k]!;
  for (let r = 0; r < e; r++) tau -= b[r]! * it.nu[r]!;
  if (tau > 0) {
    matTVec(G, m, n, it.lambda, w.tn, false);
    matTVec(A, e, n, it.nu, w.tn, true);
    if (normInf(w.tn) <= infTol * tau) {
      report.status = 'primalInfeasible';
      return true;
    }
  }
  // dual infeasibility: a ray z with Qz = 0, Az = 0, Gz ≤ 0, pᵀz < 0
  let t = 0;
  for (let j = 0; j < n; j++) t -= p[j]! * it.z[j]!;
  if (t > 0 && normInf(Qz) <= infTol * t) {
    matVec(A, e, n, it.z, w.te);
    if (normInf(w.te) <= infTol * t) {
      matVec(G, m, n, it.z, w.tm);
      let mx = 0;
      for (let k = 0; k < m; k++) mx = Math.max(mx, w.tm[k]!);
      if (mx <= infTol * t) {
        report.status = 'dualInfeasible';
        return true;
      }
    }
  }
  return false;
}
