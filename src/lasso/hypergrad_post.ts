/**
 * @file Post-processing of an inner solution of a Lasso-type model (`SparseProblem.solve`):
 * REFINEMENT of β̂ on its support (Newton steps on the restricted optimality conditions F = 0 with
 * the signs fixed, accepted only when the signs do not change; squared loss: F is affine so one step
 * is exact, logistic: up to six steps) and the INVERTIBILITY DIAGNOSTICS (equicorrelation set E,
 * kinks, KKT violation, rank of M_E from the pivots of the rank-revealing Cholesky). The formulas
 * are in the header of hypergrad.ts.
 */
import { colDots, matvec, vecSum } from './design.js';
import { supportOf } from './models.js';
import { choleskyRankRevealing } from '../linalg/dense/cholesky_update.js';
import { buildSystemMatrix, colAddRaw, conjugateGradient, type CholeskyInfo, type GramCache, type SupportSystem } from './hypergrad_core.js';
import { denseFactor, type IncrementalCholesky, type SupportFactor } from './hypergrad_factor.js';
import { sigmoidScalar as sigmoid } from '../ops/unary.js';
import type { HypergradDiagnostics, InnerOptions } from './hypergrad_types.js';
import type { SparseProblem } from './hypergrad.js';
import type { PreparedDesign, WasmEngine } from './design.js';

/** What the post-processing reads from the problem. */
export type RefineContext = Pick<SparseProblem, 'model' | 'design' | 'n' | 'p' | 'fitIntercept' | 'y' | 'yc' | 'yMean'>;

/** A refined solution with its diagnostics (and the factor of M on the support when one was built). */
export interface Refined {
  beta: Float64Array;
  intercept: number;
  support: Int32Array;
  residual: Float64Array;
  fitted: Float64Array;
  diagnostics: HypergradDiagnostics;
  factor?: SupportFactor;
  weights?: Float64Array;
  /** Where the post-processing time went (ms): factor upkeep, the refinement's other work, the diagnostics' other work. */
  timings: PostTimings;
}

/** Split of `Refined` time (ms). */
export interface PostTimings {
  /** Factor of M on the support (incremental upkeep or fresh) and the rank check's extension to E. */
  factorMs: number;
  /** Refinement without the factor: X_Sᵀr, the triangular solves, the residual update. */
  refineMs: number;
  /** Diagnostics without the factor: Xᵀr on every feature, the KKT / kink scan. */
  checksMs: number;
  /** Features whose X_jᵀr the diagnostics recomputed (p: a full pass). */
  checkedFeatures: number;
}

/**
 * What the inner solver's last gap check already knows (squared loss; `SolverResult.lastCheck` with
 * its certified `gap`), in the units of the problem's design: X_c,jᵀr for the solver's residual r
 * (NaN: not checked), Gap Safe bounds ≥ |X_c,jᵀr*| of screened features (NaN: not screened).
 */
export interface SolverCheck {
  xtr: Float64Array;
  bound: Float64Array | null;
  gap: number;
  /** |xtr[j] − X_c,jᵀr| ≤ err·‖X_c,j‖ (Gram mode's rounding bound; 0 or absent: the residual mode's own dot products). */
  err?: number;
}

/**
 * Module switch of the post-processing's kernels: `fused` false makes the squared loss take the
 * separate residual update and recomputation (`residualStepWasm`, `corrCheckedSquared`) instead of
 * their one kernel call (`refineCheckWasm`), which gives the same bits (tests compare the two).
 *
 * @example
 * postKernels.fused = false; // the separate calls (tests)
 */
export const postKernels: { fused: boolean } = { fused: true };

let nanBounds = new Float64Array(0);

/** p NaN bounds (no feature screened), shared by the calls (never written). */
function noBounds(p: number): Float64Array {
  if (nanBounds.length < p) nanBounds = new Float64Array(p).fill(NaN);
  return nanBounds;
}

/**
 * Zeroed `PostTimings` whose three times are float fields from the start (V8 field
 * representations): created from integer zeros, the object's hidden class changed at the first
 * non-integer time, which discarded optimised code that had seen the old one (issue 12, round proc2).
 */
export function newPostTimings(): PostTimings {
  const t: PostTimings = { factorMs: 0.5, refineMs: 0.5, checksMs: 0.5, checkedFeatures: 0 };
  t.factorMs = 0;
  t.refineMs = 0;
  t.checksMs = 0;
  return t;
}

/**
 * The screen of `refineAndDiagnose` (see the comment at its call): marks `certified[j] = 1` for the
 * features off the support whose bound on |X_c,jᵀr_new| stays below n·l_j·shrink (`nShrink` =
 * n·shrink), lists every other feature with a non-zero column in `todo` (ascending), returns
 * their count. `l1` null: every penalty is `lu`. Reads four p-arrays (‖X_c,j‖ = 0: zero column).
 * `bound`: the Gap Safe bounds, NaN where there is none (`noBounds` when the check has none at all:
 * the comparison fails as for a missing bound). Rarely taken branches here were first reached
 * by optimised code: a deoptimisation each (issue 12, round proc2).
 */
function screenFeatures(
  p: number, norms: Float64Array, l1: Float64Array | null, lu: number, beta: Float64Array, xtr: Float64Array,
  bound: Float64Array, near: number, far: number, nShrink: number, certified: Uint8Array, todo: Int32Array,
): number {
  let m = 0;
  for (let j = 0; j < p; j++) {
    const nj = norms[j]!;
    if (nj === 0) continue;
    const lj = l1 === null ? lu : l1[j]!;
    if (beta[j] === 0 && lj > 0) {
      const lim = nShrink * lj;
      const x = xtr[j]!;
      // NaN (not checked, not screened) fails the comparison; both tests run for every such
      // feature (no branch first reached by optimised code)
      const byCheck = Math.abs(x) + nj * near < lim;
      const byBound = bound[j]! + nj * far < lim;
      if (byCheck || byBound) {
        certified[j] = 1;
        continue;
      }
    }
    todo[m++] = j;
  }
  return m;
}

/**
 * The KKT / kink scan of the diagnostics over the features `list[0..count)` (all features for a
 * null list), skipping zero columns and certified ones: the largest relative KKT violation
 * (support: |c_j − λ₂β_j − l_j·sign β_j| / l_j; off it: |c_j|/l_j − 1, clamped at 0), the features at
 * the kink (| |c_j|/l_j − 1 | ≤ kinkTol, ascending) and the count of KKT violators beyond it.
 */
export function scanKkt(
  list: Int32Array | null, count: number, l1: Float64Array, l2: number, normsSq: Float64Array, certified: Uint8Array | null,
  beta: Float64Array, c: Float64Array, kinkTol: number,
): { kkt: number; violators: number; kinks: Int32Array<ArrayBuffer> } {
  let kkt = 0;
  let violators = 0;
  const kl: number[] = [];
  for (let u = 0; u < count; u++) {
    const j = list !== null ? list[u]! : u;
    const lj = l1[j]!;
    if (normsSq[j] === 0) continue;
    if (certified !== null && certified[j] === 1) continue;
    // on the support iff β_j ≠ 0 (S = supportOf(β))
    const bj = beta[j]!;
    if (bj !== 0) {
      if (lj > 0) kkt = Math.max(kkt, Math.abs(c[j]! - l2 * bj - lj * Math.sign(bj)) / lj);
    } else {
      const r = Math.abs(c[j]!) / lj;
      kkt = Math.max(kkt, r - 1);
      // at the kink: |c_j| = l_j within the relative tolerance (two-sided); r > 1 + kinkTol is a
      // KKT violation of an inexact inner solution, counted separately
      if (Math.abs(r - 1) <= kinkTol) kl.push(j);
      else if (r > 1) violators++;
    }
  }
  return { kkt: Math.max(0, kkt), violators, kinks: Int32Array.from(kl) };
}

/**
 * The union of two disjoint ascending feature lists, ascending. One entry in b (the usual single
 * kink): its place by bisection and two block copies, instead of the merge loop over all of a
 * (≈ 6 µs for 144 features in a cold process, round hg10).
 */
function mergeSorted(a: Int32Array, b: Int32Array): Int32Array {
  if (b.length === 1) {
    const v = b[0]!;
    let lo = 0, hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (a[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    const one = new Int32Array(a.length + 1);
    one.set(a.subarray(0, lo));
    one[lo] = v;
    one.set(a.subarray(lo), lo + 1);
    return one;
  }
  const out = new Int32Array(a.length + b.length);
  let i = 0, j = 0, k = 0;
  while (i < a.length && j < b.length) out[k++] = a[i]! < b[j]! ? a[i++]! : b[j++]!;
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return out;
}

/** Same sorted feature lists. */
export function sameCols(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// Per-call loops as small functions, optimised early (docs/lasso_performance.md, Round hgtri2).

/** c[S_t] = xtr[S_t]; false at the first NaN (not checked). */
function gatherKnown(S: Int32Array, xtr: Float64Array, c: Float64Array): boolean {
  for (let t = 0; t < S.length; t++) {
    const v = xtr[S[t]!]!;
    if (v !== v) return false;
    c[S[t]!] = v;
  }
  return true;
}

/** rhs = −F, F = −c_S/n + l_S∘sign(β_S) + λ₂β_S; returns max |F_t|. */
export function restrictedRhs(S: Int32Array, c: Float64Array, n: number, l1: Float64Array, l2: number, beta: Float64Array, rhs: Float64Array): number {
  let fmax = 0;
  for (let t = 0; t < S.length; t++) {
    const j = S[t]!;
    const F = -c[j]! / n + l1[j]! * Math.sign(beta[j]!) + l2 * beta[j]!;
    rhs[t] = -F;
    fmax = Math.max(fmax, Math.abs(F));
  }
  return fmax;
}

/** β_S ← β_S + Δ if no sign changes (true); else β untouched (false). */
export function stepKeepsSigns(S: Int32Array, beta: Float64Array, delta: Float64Array): boolean {
  for (let t = 0; t < S.length; t++) {
    const j = S[t]!;
    if (Math.sign(beta[j]! + delta[t]!) !== Math.sign(beta[j]!)) return false;
  }
  for (let t = 0; t < S.length; t++) beta[S[t]!] += delta[t]!;
  return true;
}

/** Σ_t a[S_t]·b[S_t]. */
function gatherDot(S: Int32Array, a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let t = 0; t < S.length; t++) s += a[S[t]!]! * b[S[t]!]!;
  return s;
}

/** Σ_{i<n} v_i². */
function sumSquares(v: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += v[i]! * v[i]!;
  return s;
}

/** c[list_t] /= n for t < m. */
function divideAt(c: Float64Array, list: Int32Array, m: number, n: number): void {
  for (let t = 0; t < m; t++) c[list[t]!]! /= n;
}

/** p-sized scratch of `refineAndDiagnose` (see `postScratch`). */
interface PostScratch {
  /** c_j = X_c,jᵀr/n, written and read at the same entries within one call (never zeroed). */
  readonly c: Float64Array;
  /** The screen's marks (zeroed by the screen's caller before use). */
  readonly certified: Uint8Array;
  /** The screen's list of recomputed features. */
  readonly todo: Int32Array;
}

let postScratchV: PostScratch | null = null;

/**
 * The p-vectors of `refineAndDiagnose`, reused from call to call (three allocations of p entries
 * per solve before, ≈ 1.5 µs at p = 1000; round hg5); read only inside one call, which never calls
 * itself. `c` is read only where the same call wrote it.
 */
function postScratch(p: number): PostScratch {
  if (postScratchV === null || postScratchV.c.length !== p) postScratchV = { c: new Float64Array(p), certified: new Uint8Array(p), todo: new Int32Array(p) };
  return postScratchV;
}

/**
 * The n-vector X_c,SΔ of the support refinement, reused from refinement to refinement (one per
 * solve was garbage waiting for the collector in CV tuning, issue 12); read only inside one call.
 */
let refineTmp: Float64Array | null = null;
function refineScratch(n: number): Float64Array {
  if (refineTmp === null || refineTmp.length !== n) refineTmp = new Float64Array(n);
  return refineTmp;
}

/**
 * r ← r − X_c,S Δ (Δ in support order) through the design's kernels; returns ‖X_c,S Δ‖ (the
 * refinement step's norm for the certificate's Cauchy–Schwarz guard).
 */
function residualStep(d: PreparedDesign, p: number, S: Int32Array, delta: Float64Array, residual: Float64Array): number {
  const n = d.nRows;
  const full = new Float64Array(p);
  for (let t = 0; t < S.length; t++) full[S[t]!] = delta[t]!;
  const tmp = refineScratch(n);
  matvec(d, full, tmp); // overwrites all n entries
  let dd = 0;
  for (let i = 0; i < n; i++) {
    residual[i] -= tmp[i]!;
    dd += tmp[i]! * tmp[i]!;
  }
  return Math.sqrt(dd);
}

/**
 * `residualStep` on a dense design's WebAssembly engine: r (staged in the engine) ← r − Σ Δ_t·X_c,S_t
 * four columns per pass over r (`axpy4`: one read and one write of r per four columns, where `matvec`
 * makes one per column); returns ‖r_old − r_new‖, the norm of the change actually applied.
 */
function residualStepWasm(e: WasmEngine, n: number, S: Int32Array, delta: Float64Array, residual: Float64Array): number {
  const r = e.vecA;
  r.set(residual.length === n ? residual : residual.subarray(0, n));
  const coef = e.blk;
  const cp = coef.byteOffset, rp = r.byteOffset, x0 = e.xPtr, cb = 8 * n;
  const s = S.length;
  for (let t = 0; t < s; t += 4) {
    // a short last group repeats its first column with coefficient 0
    const j0 = S[t]!;
    const j1 = t + 1 < s ? S[t + 1]! : j0, j2 = t + 2 < s ? S[t + 2]! : j0, j3 = t + 3 < s ? S[t + 3]! : j0;
    coef[0] = delta[t]!;
    coef[1] = t + 1 < s ? delta[t + 1]! : 0;
    coef[2] = t + 2 < s ? delta[t + 2]! : 0;
    coef[3] = t + 3 < s ? delta[t + 3]! : 0;
    e.axpy4(n, x0 + cb * j0, x0 + cb * j1, x0 + cb * j2, x0 + cb * j3, cp, rp);
  }
  let dd = 0;
  for (let i = 0; i < n; i++) {
    const v = r[i]!;
    const dv = residual[i]! - v;
    dd += dv * dv;
    residual[i] = v;
  }
  return Math.sqrt(dd);
}

/**
 * What `factorOn` reads, one object per `refineAndDiagnose` call. The factor, the correlation and
 * the `fitted` getter were closures made at every call: under tsx (esbuild's keepNames: the tests,
 * the benches) each closure costs an `Object.defineProperty` of its name per call, ≈ 6 µs per solve
 * for the six of the squared loss (round hg7); module functions cost nothing per call.
 */
interface FactorJob {
  readonly ctx: RefineContext;
  readonly gram: GramCache | null;
  readonly incr: IncrementalCholesky | null;
  /** Lasso / weighted Lasso with the problem's rank tolerance: the incremental factor. */
  readonly incremental: boolean;
  readonly beta: Float64Array;
  readonly squared: boolean;
  readonly l2: number;
  readonly rankTol: number;
  readonly tm: PostTimings;
}

/** The factor of M on `cols` (weights w or null), its time added to `job.tm.factorMs`. */
function factorOn(job: FactorJob, cols: Int32Array, w: Float64Array | null): SupportFactor {
  const f0 = performance.now();
  try {
    return factorOnRaw(job, cols, w);
  } finally {
    job.tm.factorMs += performance.now() - f0;
  }
}

/** `factorOn` without the timing: incremental (Lasso) or a fresh rank-revealing factorisation. */
function factorOnRaw(job: FactorJob, cols: Int32Array, w: Float64Array | null): SupportFactor {
  if (job.incremental && w === null) return job.incr!.syncTo(cols, job.beta);
  const ctx = job.ctx;
  const sys: SupportSystem = { d: ctx.design, cols, ones: !job.squared && ctx.fitIntercept, w, ridge: job.l2 };
  const M = buildSystemMatrix(sys, w === null ? job.gram : null);
  const m = cols.length + (sys.ones ? 1 : 0);
  const info = choleskyRankRevealing(M, m, job.rankTol);
  return denseFactor(cols, m, M, info);
}

/** Whether a system of order m is solved through a Cholesky factor (else CG). */
function useCholesky(opts: InnerOptions, cholMax: number, m: number): boolean {
  return opts.linearSolver === 'cholesky' || (opts.linearSolver !== 'cg' && m <= cholMax);
}

/** c_j = X_c,jᵀr/n for every feature (squared loss, a full pass over X). */
function corrAllSquared(d: PreparedDesign, residual: Float64Array, n: number, p: number, c: Float64Array): void {
  colDots(d, residual, vecSum(n, residual), null, p, c);
  for (let j = 0; j < p; j++) c[j]! /= n;
}

/** The training predictions ŷ = y − r of the squared loss, made on the first read of `fitted`. */
interface LazyFitted {
  readonly y: Float64Array;
  readonly residual: Float64Array;
  readonly n: number;
  value: Float64Array | null;
}

/** Getter of `Refined.fitted` (bound to its `LazyFitted`). */
function fittedValue(this: LazyFitted): Float64Array {
  if (this.value === null) {
    const v = new Float64Array(this.n);
    for (let i = 0; i < this.n; i++) v[i] = this.y[i]! - this.residual[i]!;
    this.value = v;
  }
  return this.value;
}

/**
 * The constants of the certificate from the solver's last gap check (see the comment at the call in
 * `refineAndDiagnose`), shared by `corrCheckedSquared` and the fused `refineCheckWasm`: the dot
 * products' rounding factor 4(n + 2)ε (times ‖r‖), the residual's own error, the duality-gap radius
 * √(2n·gap), and n·(1 − max(2·kinkTol, 1e-9)), the scaled threshold below the kink.
 */
function certificateTerms(n: number, ck: SolverCheck, kinkTol: number): { rounding: number; err: number; gapRadius: number; kinkScale: number } {
  const eps = 2.220446049250313e-16;
  return {
    rounding: 4 * (n + 2) * eps,
    err: ck.err ?? 0,
    gapRadius: Math.sqrt(2 * n * Math.max(ck.gap, 0)),
    kinkScale: n * (1 - Math.max(2 * kinkTol, 1e-9)),
  };
}

/**
 * The diagnostics' c_j = X_c,jᵀr_new/n for the features the solver's last gap check does not
 * certify (see the comment at the call in `refineAndDiagnose`): marks the certified ones in
 * `certified`, writes c on the others (listed ascending in the scratch `todo`), returns their count.
 */
function corrCheckedSquared(
  ctx: RefineContext, residual: Float64Array, beta: Float64Array, l1: Float64Array, kinkTol: number, stepNorm: number,
  ck: SolverCheck, certified: Uint8Array, c: Float64Array,
): number {
  const d = ctx.design;
  const n = ctx.n;
  const p = ctx.p;
  const rr = sumSquares(residual, n);
  const t = certificateTerms(n, ck, kinkTol);
  // rounding of the solver's dot products (|fl(xᵀr) − xᵀr| ≤ γ_n‖x‖‖r‖) and of the residual
  const slack = t.rounding * Math.sqrt(rr) + t.err;
  const near = stepNorm + slack;
  const far = stepNorm + t.gapRadius + slack;
  const todo = postScratch(p).todo;
  // Lasso, elastic net: one penalty
  const uniformL1 = ctx.model === 'lasso' || ctx.model === 'enet';
  const m = screenFeatures(p, d.colNorms, uniformL1 ? null : l1, l1[0]!, beta, ck.xtr, ck.bound ?? noBounds(p), near, far, t.kinkScale, certified, todo);
  colDots(d, residual, vecSum(n, residual), todo, m, c);
  divideAt(c, todo, m, n);
  return m;
}

/**
 * `residualStepWasm`, `corrCheckedSquared` and `scanKkt` in ONE kernel call on a dense design's
 * engine (lasso.wat `refcheck`: the same operations in the same order, hence the same bits):
 * r ← r − X_c,SΔ (`delta` null: no step), ‖X_cΔ‖ and ‖r‖², the screen of `screenFeatures` for a
 * uniform penalty `lu`, c_j = X_c,jᵀr/n on the features it lists, and the KKT / kink scan over
 * them. Writes the new residual back to `residual`; returns the scan and the count of listed
 * features. Before, the same work was ~36 `axpy4` calls, two JavaScript passes over r, one over p,
 * a `colDots` call with its staging and the scan's loop (round hg10 in docs/lasso_performance.md).
 */
function refineCheckWasm(
  e: WasmEngine, d: PreparedDesign, n: number, p: number, S: Int32Array, delta: Float64Array | null, residual: Float64Array,
  lu: number, l2: number, beta: Float64Array, kinkTol: number, ck: SolverCheck,
): { kkt: number; violators: number; kinks: Int32Array<ArrayBuffer>; recomputed: number } {
  const s = delta === null ? 0 : S.length;
  const r0 = residual.length === n ? residual : residual.subarray(0, n);
  e.vecA.set(r0);
  e.vecB.set(r0);
  if (s > 0) {
    e.ws.set(S);
    e.outA.set(delta!.subarray(0, s)); // read by the kernel's first stage only, before it writes c there
  }
  e.thr.set(d.colNorms);
  e.outB.set(beta);
  e.ldelta.set(ck.xtr);
  if (ck.bound !== null) e.lcurv.set(ck.bound);
  // the certificate's constants, as `corrCheckedSquared` uses them
  const t = certificateTerms(n, ck, kinkTol);
  const b = e.blk;
  b[8] = t.rounding;
  b[9] = t.err;
  b[10] = t.gapRadius;
  b[11] = t.kinkScale;
  b[12] = lu;
  b[13] = l2;
  b[14] = kinkTol;
  const m = e.refcheck(
    e.xPtr, n, p, e.ws.byteOffset, s, e.outA.byteOffset, e.vecA.byteOffset, e.vecB.byteOffset, b.byteOffset,
    e.thr.byteOffset, e.outB.byteOffset, e.ldelta.byteOffset, ck.bound !== null ? e.lcurv.byteOffset : -1, e.cols.byteOffset, e.outA.byteOffset,
  );
  r0.set(e.vecA);
  return { kkt: b[8]!, violators: b[9]!, kinks: e.ws.slice(0, b[10]!), recomputed: m };
}

/**
 * Refines (β, intercept, residual) in place on the support and computes the invertibility
 * diagnostics (see the file header). `gram` / `incr`: the problem's Gram cache and incremental
 * factor (squared loss), or null. `support`: supportOf(β) when the caller has it (the solver's
 * result: not recomputed, a pass over p), else null.
 */
export function refineAndDiagnose(
  ctx: RefineContext, gram: GramCache | null, incr: IncrementalCholesky | null, l1: Float64Array, l2: number, beta: Float64Array,
  residual: Float64Array, intercept: number, a: Float64Array | null, opts: InnerOptions, check: SolverCheck | null = null,
  support: Int32Array | null = null,
): Refined {
  const d = ctx.design;
  const n = ctx.n;
  const p = ctx.p;
  const refine = opts.refine ?? true;
  const checks = opts.checks ?? true;
  const kinkTol = opts.kinkTol ?? 1e-6;
  const rankTol = opts.rankTol ?? 1e-10;
  const cholMax = opts.choleskyMax ?? 800;
  const squared = ctx.model !== 'logreg';
  let S = support ?? supportOf(beta);
  const c = postScratch(p).c;
  let refined = false;
  let factor: SupportFactor | undefined;
  let weights: Float64Array | undefined;
  const messages: string[] = [];
  // features certified off the kink from the solver's last gap check (no recomputed c_j), and how
  // many features had c_j recomputed (p after a full pass)
  let certified: Uint8Array | null = null;
  // the features whose c_j was recomputed when the others are certified (ascending): the scan below
  // visits only these
  let checkedList: Int32Array | null = null;
  let recomputed = checks ? p : 0;
  // the diagnostics' KKT / kink scan when `refineCheckWasm` made it
  let scanned: ReturnType<typeof refineCheckWasm> | null = null;

  // Lasso / weighted Lasso: the incremental factor (support changes cost O(m²) each); otherwise
  // a fresh factorisation (Gram entries cached for the elastic net).
  const incremental = squared && l2 === 0 && incr !== null && incr.rankTol === rankTol;
  const tm = newPostTimings();
  const tStart = performance.now();
  let tRefEnd = tStart;
  let fRefEnd = 0;
  const job: FactorJob = { ctx, gram, incr, incremental, beta, squared, l2, rankTol, tm };

  if (squared) {
    // ‖X_cΔ‖ of the accepted refinement step (0: no step), the step Δ (null: none)
    let stepNorm = 0;
    let step: Float64Array | null = null;
    // the Lasso / elastic net certified from the solver's check on a dense design's free engine:
    // the residual update and the diagnostics' recomputation in one kernel call (`refineCheckWasm`)
    const fused = postKernels.fused && checks && check !== null && (ctx.model === 'lasso' || ctx.model === 'enet') && d.wasm !== null && !d.wasm.busy;
    // The certificate from the solver's last gap check instead of a full pass over X (the pass is
    // memory-bound and cost as much as the rest of the hypergradient). The refined residual is
    // r_new = r − X_cΔ, so by Cauchy–Schwarz
    //   |X_c,jᵀr_new − X_c,jᵀr| ≤ ‖X_c,j‖·‖X_cΔ‖,
    // and for a screened feature with the Gap Safe bound B_j ≥ |X_c,jᵀr*|, since P(β) − P* ≥
    // ‖X_c(β − β*)‖²/(2n) gives ‖r − r*‖ ≤ √(2n·gap),
    //   |X_c,jᵀr_new| ≤ B_j + ‖X_c,j‖·(‖X_cΔ‖ + √(2n·gap)).
    // A feature off the support whose bound is below n·l_j·(1 − 2·kinkTol) is certified: neither a
    // kink nor a KKT violator (its ratio |c_j|/l_j < 1 − kinkTol never enters `kkt`, clamped at 0).
    // Every other feature (the support, unpenalised ones, those near the kink, the unchecked) gets
    // X_c,jᵀr_new recomputed exactly (`corrCheckedSquared`, after the refinement). `certified[j] = 1`
    // marks the skipped ones for the scan below.
    if (refine && S.length > 0) {
      // one Newton step on the support with the signs fixed: F(β_S) = −c_S + l_S∘s + λ₂β_S is
      // affine in β_S, so M Δ = −F gives the exact minimiser on this orthant face (up to rounding)
      const s = S.length;
      // X_c,Sᵀr: the solver's last gap check computed it for this very residual (residual mode,
      // `err` 0: its own dot products, the same kernel); recomputed when any entry is missing
      const known = check !== null && !(check.err! > 0) && gatherKnown(S, check.xtr, c);
      if (!known) colDots(d, residual, vecSum(n, residual), S, s, c);
      const rhs = new Float64Array(s);
      const fmax = restrictedRhs(S, c, n, l1, l2, beta, rhs);
      let ok = fmax > 0;
      if (ok) {
        if (useCholesky(opts, cholMax, s)) {
          factor = factorOn(job, S, null);
          ok = factor.info.ok;
          if (ok) factor.solve(rhs);
        } else {
          const x = new Float64Array(s);
          const rep = conjugateGradient({ d, cols: S, ones: false, w: null, ridge: l2 }, rhs, x, { tol: 1e-14, maxIter: opts.cgMaxIter ?? 5000 });
          ok = rep.converged || rep.relativeResidual < 1e-8;
          rhs.set(x);
        }
      }
      // β_S ← β_S + Δ if no sign changes; r ← r − X_c,S Δ (design kernels; below with the
      // diagnostics in one kernel call when they can be)
      if (ok) ok = stepKeepsSigns(S, beta, rhs);
      if (ok) {
        step = rhs;
        refined = true;
      }
    }
    if (!fused && step !== null) stepNorm = d.wasm !== null && !d.wasm.busy ? residualStepWasm(d.wasm, n, S, step, residual) : residualStep(d, p, S, step, residual);
    tRefEnd = performance.now();
    fRefEnd = tm.factorMs;
    if (fused) {
      // the residual update, the recomputation and the KKT / kink scan in one kernel call (its
      // time counts as the diagnostics')
      scanned = refineCheckWasm(d.wasm!, d, n, p, S, step, residual, l1[0]!, l2, beta, kinkTol, check!);
      recomputed = scanned.recomputed;
    } else if (checks && check !== null) {
      certified = postScratch(p).certified.fill(0);
      recomputed = corrCheckedSquared(ctx, residual, beta, l1, kinkTol, stepNorm, check, certified, c);
      checkedList = postScratch(p).todo.subarray(0, recomputed);
    } else if (checks) corrAllSquared(d, residual, n, p, c);
    if (d.centered) intercept = ctx.yMean - gatherDot(S, d.colMeans, beta);
  } else {
    // logistic: c = −∇L = X_jᵀ(z − σ(a))/n ; Newton on (β_S, b)
    const A = a!;
    const ys = ctx.yc;
    const gv = new Float64Array(n);
    const corrAll = (): number => {
      let gs = 0;
      for (let i = 0; i < n; i++) {
        gv[i] = (ys[i]! > 0 ? 1 : 0) - sigmoid(A[i]!);
        gs += gv[i]!;
      }
      colDots(d, gv, gs, null, p, c);
      for (let j = 0; j < p; j++) c[j]! /= n;
      return gs / n;
    };
    const hWeights = (): Float64Array => {
      const w = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const s = sigmoid(A[i]!);
        w[i] = s * (1 - s);
      }
      return w;
    };
    // c on the support only during the Newton steps (O(n·|S|)); on every feature once at the end
    const corrS = (): number => {
      let gs = 0;
      for (let i = 0; i < n; i++) {
        gv[i] = (ys[i]! > 0 ? 1 : 0) - sigmoid(A[i]!);
        gs += gv[i]!;
      }
      colDots(d, gv, gs, S, S.length, c);
      for (let t = 0; t < S.length; t++) c[S[t]!]! /= n;
      return gs / n;
    };
    if (refine && (S.length > 0 || ctx.fitIntercept)) {
      let cb = corrS();
      const s = S.length;
      const m = s + (ctx.fitIntercept ? 1 : 0);
      let bestF = Infinity;
      let lastF: SupportFactor | undefined;
      let lastStep = Infinity;
      for (let step = 0; step < 6; step++) {
        const rhs = new Float64Array(m);
        let fmax = 0;
        for (let t = 0; t < s; t++) {
          const j = S[t]!;
          const F = -c[j]! + l1[j]! * Math.sign(beta[j]!);
          rhs[t] = -F;
          fmax = Math.max(fmax, Math.abs(F));
        }
        if (ctx.fitIntercept) {
          rhs[s] = cb;
          fmax = Math.max(fmax, Math.abs(cb));
        }
        if (!(fmax < bestF) || fmax === 0) break;
        bestF = fmax;
        const w = hWeights();
        lastF = undefined;
        if (useCholesky(opts, cholMax, m)) {
          const f = factorOn(job, S, w);
          if (!f.info.ok) break;
          f.solve(rhs);
          lastF = f;
        } else {
          const x = new Float64Array(m);
          const rep = conjugateGradient({ d, cols: S, ones: ctx.fitIntercept, w, ridge: 0 }, rhs, x, { tol: 1e-14, maxIter: opts.cgMaxIter ?? 5000 });
          if (!rep.converged && !(rep.relativeResidual < 1e-8)) break;
          rhs.set(x);
        }
        let signsOk = true;
        let stepMax = 0, scale = 1;
        for (let t = 0; t < s; t++) {
          const j = S[t]!;
          if (Math.sign(beta[j]! + rhs[t]!) !== Math.sign(beta[j]!)) signsOk = false;
          stepMax = Math.max(stepMax, Math.abs(rhs[t]!));
          scale = Math.max(scale, Math.abs(beta[j]!));
        }
        if (ctx.fitIntercept) {
          stepMax = Math.max(stepMax, Math.abs(rhs[s]!));
          scale = Math.max(scale, Math.abs(intercept));
        }
        if (!signsOk) {
          lastF = undefined;
          break;
        }
        lastStep = stepMax / scale;
        const newBeta = new Float64Array(beta);
        for (let t = 0; t < s; t++) newBeta[S[t]!] += rhs[t]!;
        const nb = ctx.fitIntercept ? intercept + rhs[s]! : 0;
        // a = Xβ + b
        A.fill(0);
        for (let t = 0; t < s; t++) colAddRaw(d, S[t]!, newBeta[S[t]!]!, A);
        for (let i = 0; i < n; i++) A[i] += nb;
        beta.set(newBeta);
        intercept = nb;
        refined = true;
        cb = corrS();
      }
      // the Hessian factored before a negligible last step is the Hessian at the final point up
      // to O(step): reuse it (hypergradient and rank check) instead of a new O(n·m²) build
      if (lastF !== undefined && lastStep <= 1e-13) factor = lastF;
    }
    tRefEnd = performance.now();
    fRefEnd = tm.factorMs;
    if (checks) corrAll();
    weights = hWeights();
    for (let i = 0; i < n; i++) residual[i] = (ctx.yc[i]! > 0 ? 1 : 0) - sigmoid(A[i]!);
  }
  // squared loss: an accepted step keeps every sign, so S is unchanged
  if (!squared) S = supportOf(beta);

  // ---- diagnostics -------------------------------------------------------------------------
  let kinks = new Int32Array(0);
  let E: Int32Array = S;
  let rankDeficient = false;
  let rankCheck: HypergradDiagnostics['rankCheck'] = 'none';
  let minPivotRatio = NaN;
  let conditionEstimate = NaN;
  let kkt = NaN;
  let violators = 0;
  if (checks) {
    const scan = scanned ?? scanKkt(checkedList, checkedList !== null ? checkedList.length : p, l1, l2, d.colNormsSq, certified, beta, c, kinkTol);
    kkt = scan.kkt;
    violators = scan.violators;
    kinks = scan.kinks;
    const kl = kinks;
    if (kinks.length > 0) {
      E = mergeSorted(S, kinks);
      const shown = kl.length > 10 ? kl.subarray(0, 10).join(', ') + ', …' : kl.join(', ');
      messages.push(`${kinks.length} feature(s) sit at the kink (β_j = 0 with |c_j| = λ_j within relative tolerance ${kinkTol}): [${shown}]; the solution map is not differentiable there and the hypergradient is the one with the support held fixed`);
    }
    const mE = E.length + (!squared && ctx.fitIntercept ? 1 : 0);
    const rankBound = squared ? n - (d.centered ? 1 : 0) : n;
    if (squared && l2 === 0 && E.length > rankBound) {
      rankDeficient = true;
      rankCheck = 'size';
      messages.push(`the equicorrelation set has |E| = ${E.length} features but X_c has rank ≤ ${rankBound}: X_EᵀX_E is singular (solution not unique)`);
    } else if (mE > 0 && mE <= cholMax) {
      rankCheck = 'cholesky';
      let info: CholeskyInfo;
      if (!factor || !factor.valid() || !sameCols(factor.cols, S)) factor = factorOn(job, S, squared ? null : weights!);
      if (sameCols(E, S)) {
        info = factor.info;
      } else if (incremental) {
        info = incr!.extendedInfo(kinks);
      } else {
        info = factorOn(job, E, squared ? null : weights!).info;
      }
      minPivotRatio = info.minPivotRatio;
      conditionEstimate = info.conditionEstimate;
      if (!info.ok) {
        rankDeficient = true;
        const feat = info.worstIndex < E.length ? `feature ${E[info.worstIndex]}` : 'the intercept column';
        messages.push(`X_EᵀX_E is numerically rank deficient on the equicorrelation set (|E| = ${E.length}): ${feat} is a linear combination of other features in E (pivot ratio ${info.minPivotRatio.toExponential(2)} ≤ rankTol ${rankTol}); the solution is not unique and the implicit-function hypothesis fails`);
      }
    } else if (mE > cholMax) {
      rankCheck = 'skipped';
    }
  }
  // squared loss: ŷ = y − r, made on first read (a getter that holds y and r only, not the factor):
  // CV folds never read it, so no n-vector per solve (issue 12); logreg: the linear predictor
  const fitted: LazyFitted = { y: ctx.y, residual, n, value: null };
  if (!squared) {
    fitted.value = new Float64Array(n);
    fitted.value.set(a!);
  }
  const diagnostics: HypergradDiagnostics = {
    supportSize: S.length,
    equicorrelationSize: checks ? E.length : -1,
    kinks,
    rankDeficient,
    rankCheck,
    minPivotRatio,
    conditionEstimate,
    kktViolation: kkt,
    kktViolators: checks ? violators : -1,
    refined,
    ok: !rankDeficient && kinks.length === 0,
    messages,
  };
  const tEnd = performance.now();
  tm.refineMs = tRefEnd - tStart - fRefEnd;
  tm.checkedFeatures = checks ? recomputed : 0;
  tm.checksMs = tEnd - tRefEnd - (tm.factorMs - fRefEnd);
  const out = { beta, intercept, support: S, residual, diagnostics, timings: tm } as Omit<Refined, 'fitted'> as Refined;
  Object.defineProperty(out, 'fitted', { get: fittedValue.bind(fitted), enumerable: true, configurable: true });
  if (factor && sameCols(factor.cols, S)) out.factor = factor;
  if (weights) out.weights = weights;
  return out;
}
