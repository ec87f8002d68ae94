/**
 * @file Coordinate descent for the squared-loss Lasso family (Lasso, elastic net, weighted Lasso),
 * dense column-major and CSC designs, with the celer/skglm speed layers: growing working sets,
 * Gap Safe screening, Anderson extrapolation of the primal iterates and celer dual extrapolation.
 * Also the warm-started regularisation path `lassoPath`.
 *
 * Problem (n rows; X_c, y_c centred when an intercept is fitted; l_j = λ·w_j ≥ 0, λ₂ ≥ 0):
 *
 *   P(β) = (1/2n)‖r‖² + Σ_j l_j|β_j| + (λ₂/2)‖β‖²,   r = y_c − X_cβ.
 *
 * Coordinate update (cyclic; N_j = ‖X_c,j‖²; residual kept up to date, r ← r − (β_j⁺ − β_j) X_c,j):
 *
 *   z = X_c,jᵀ r + N_j β_j,   β_j⁺ = ST(z, n·l_j) / (N_j + n·λ₂),   ST(z, τ) = sign(z)·max(|z| − τ, 0).
 *
 * Duality gap. The elastic net is a Lasso on X̃ = [X_c; √(nλ₂) I], ỹ = [y_c; 0] (residual
 * r̃ = [r; −√(nλ₂) β]), whose dual is D(θ̃) = ‖ỹ‖²/(2n) − (n/2)‖ỹ/n − θ̃‖² over |X̃_jᵀθ̃| ≤ l_j.
 * From any residual-like vector ρ (and its ridge part β̄; ρ = r, β̄ = β for the current iterate):
 *
 *   c_j = X_c,jᵀρ − nλ₂ β̄_j,   s = max(1, max_{l_j>0} |c_j| / (n l_j)),   t = 1/s,
 *   θ = t ρ / n  (the reported `dualPoint`; X̃_jᵀθ̃ = t c_j / n),
 *   D = (2t y_cᵀρ − t²‖ρ‖²)/(2n) − t²λ₂‖β̄‖²/2,
 *
 * and for ρ = r, using y_cᵀr = ‖r‖² + βᵀX_cᵀr (no cancellation between P and D):
 *
 *   gap = (1−t)²‖r‖²/(2n) − t βᵀX_cᵀr/n + Σ l_j|β_j| + λ₂(1+t²)‖β‖²/2.
 *
 * scikit-learn's Cython CD minimises n·P and stops when its (unscaled) gap ≤ tol·‖y_c‖²; in the
 * units of the documented objective that is gap ≤ tol·‖y_c‖²/n, our criterion, so `tol` means the
 * same here (checked against scikit-learn 1.2.1, whose `dual_gap_` is this scaled gap).
 * Unpenalised features (l_j = 0, weighted Lasso) require X_c,jᵀθ = 0, which a rescaled residual
 * satisfies only at the optimum: the residual is first projected onto that subspace
 * (`UnpenalisedProjector`), so the gap stays a certificate and screening stays safe.
 *
 * Gap Safe screening: D is n-strongly concave, so ‖θ̃ − θ̃*‖ ≤ √(2·gap/n) and
 *   (l_j − |X̃_jᵀθ̃|) / ‖X̃_j‖ > √(2·gap/n),   ‖X̃_j‖ = √(N_j + nλ₂)
 * certifies β*_j = 0; such features are removed for good.
 *
 * Working sets (celer): priority (l_j − |X̃_jᵀθ̃|)/‖X̃_j‖ (small = likely active; the support and
 * unpenalised features always in). Size: celer's default "prune" rule max(p0, 2·|support|), or
 * `workingSetGrowth: 'double'` (p0, 2p0, 4p0, …). Doubling is much slower when p ≫ n: on a 72×7129
 * correlated problem at λ_max/100 it reaches the full 7129 features after 10 outer iterations and
 * takes ≈28× longer than pruning, whose working set stays ≈ 2·|S| ≈ 140. The sub-problem is solved
 * to inner gap ≤ 0.3 × current outer gap; the outer gap is evaluated on all (non-screened) features
 * from the best of two dual points (current residual, inner dual point).
 *
 * Anderson extrapolation (skglm), every K+1 epochs on the working set: with the last K+1 iterates
 * β⁰..β^K and U = [β¹−β⁰, …, β^K−β^{K−1}], solve (UᵀU) z = 1, c = z/Σz,
 * β_acc = Σ_k c_k β^{k+1}, r_acc = Σ_k c_k r^{k+1} (r is affine in β); accepted only if P decreases.
 *
 * Dual extrapolation (celer), at each gap check: with the last K+1 residuals r⁰..r^K (ring buffer,
 * every epoch), U = [r¹−r⁰, …] (+ nλ₂ ΔβᵀΔβ in the Gram matrix for the enet), same c,
 * ρ = Σ c_k r^{k+1}, β̄ = Σ c_k β^{k+1}; the dual point from ρ is kept if its D is larger.
 *
 * Numerics: the residual is recomputed from scratch at outer iterations once the gap is within
 * 100× the tolerance, after an Anderson step with large weights (Σ|c_k| > 10), and whenever the
 * inner gap stalls for 3 checks (rounding drift of r would otherwise make CD converge to a fixed
 * point of a slightly wrong residual).
 * Dense epochs run in the WebAssembly SIMD engine of the prepared design (design.ts); CSC epochs
 * and everything else in JavaScript.
 */
import type { DesignInput, PreparedDesign, WasmEngine } from './design.js';
import { colAxpy, colDots, colDots2, compactActiveList, disposeDesign, initialActiveSet, matvec, resolveDesignOwned, vecSum } from './design.js';
import type { ModelSpec, SolverOptions, SolverResult, SolverStats } from './models.js';
import {
  checkPositive, checkTarget, checkWeights, extrapolationWeights, handleFailure, lambdaMaxFromTarget,
  makeTarget, resolveOptions, selectLowestPriority, supportOf, warmBeta,
} from './models.js';
import { InvalidArgumentError, ShapeError } from '../core/errors.js';

type Resolved = ReturnType<typeof resolveOptions>;

/** Penalty of a squared-loss model, per feature. */
export interface QuadSpec {
  readonly model: 'lasso' | 'enet' | 'wlasso';
  /** l_j = λ·w_j. */
  readonly l1: Float64Array;
  readonly l2: number;
  readonly weights: Float64Array | null;
  readonly lambda: number;
}

// ---------------------------------------------------------------------------------------------
// Epoch kernels. Dense and CSC are specialised because this is THE hot loop (≈ all of the run
// time): the dense one walks a contiguous column with four accumulators (it is also the fallback
// of the WebAssembly `epoch`, same arithmetic), the CSC one gathers through `indices` and corrects
// for the implicit column mean with the running sum S = Σ r̃. Everything else (gaps, screening,
// extrapolation) is shared.
// ---------------------------------------------------------------------------------------------

/** One cyclic pass over ws[0..m) for dense (possibly pre-centred) column-major X. */
function epochDense(
  X: Float64Array, n: number, ws: Int32Array, m: number, beta: Float64Array, r: Float64Array,
  normsSq: Float64Array, thr: Float64Array, nl2: number,
): void {
  for (let w = 0; w < m; w++) {
    const j = ws[w]!;
    const o = j * n;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    let i = 0;
    for (; i + 3 < n; i += 4) {
      s0 += X[o + i]! * r[i]!;
      s1 += X[o + i + 1]! * r[i + 1]!;
      s2 += X[o + i + 2]! * r[i + 2]!;
      s3 += X[o + i + 3]! * r[i + 3]!;
    }
    for (; i < n; i++) s0 += X[o + i]! * r[i]!;
    const bj = beta[j]!;
    const nj = normsSq[j]!;
    const z = s0 + s1 + s2 + s3 + nj * bj;
    const tj = thr[j]!;
    const nb = z > tj ? (z - tj) / (nj + nl2) : z < -tj ? (z + tj) / (nj + nl2) : 0;
    if (nb !== bj) {
      const dlt = bj - nb;
      for (let k = 0; k < n; k++) r[k] += dlt * X[o + k]!;
      beta[j] = nb;
    }
  }
}

/**
 * One cyclic pass for CSC X with implicit centring: r̃ is the residual up to a constant shift,
 * S = Σ r̃, and X_c,jᵀ r = X_jᵀ r̃ − μ_j S. Returns the updated S.
 */
function epochSparse(
  vals: Float64Array, indptr: Int32Array, indices: Int32Array, mu: Float64Array, n: number,
  ws: Int32Array, m: number, beta: Float64Array, r: Float64Array, S: number,
  normsSq: Float64Array, thr: Float64Array, nl2: number,
): number {
  for (let w = 0; w < m; w++) {
    const j = ws[w]!;
    const a = indptr[j]!;
    const b = indptr[j + 1]!;
    let s = 0;
    for (let k = a; k < b; k++) s += vals[k]! * r[indices[k]!]!;
    const muj = mu[j]!;
    const bj = beta[j]!;
    const nj = normsSq[j]!;
    const z = s - muj * S + nj * bj;
    const tj = thr[j]!;
    const nb = z > tj ? (z - tj) / (nj + nl2) : z < -tj ? (z + tj) / (nj + nl2) : 0;
    if (nb !== bj) {
      const dlt = bj - nb;
      for (let k = a; k < b; k++) r[indices[k]!] += dlt * vals[k]!;
      S += dlt * n * muj;
      beta[j] = nb;
    }
  }
  return S;
}

/** Primal, dual, gap and dual scaling of a squared-loss model at an iterate. */
export interface GapInfo {
  P: number;
  D: number;
  gap: number;
  /** Dual scaling t = 1/s: the dual point is θ = t·r/n. */
  t: number;
}

/**
 * Duality gap of the squared-loss model at β with residual r = y_c − X_cβ and xt = X_cᵀr, over
 * the columns `cols[0..m)` (all p when null; β must vanish outside them). l1: per-feature λ_j; l2:
 * λ₂. Formulas in the file header (accurate form, no P − D cancellation).
 */
export function quadraticGap(
  n: number, beta: Float64Array, r: Float64Array, xt: Float64Array, l1: Float64Array, l2: number,
  cols: Int32Array | null, m: number,
): GapInfo {
  const cnt = cols === null ? beta.length : m;
  const nl2 = n * l2;
  let pen = 0, bb = 0, bxr = 0, s = 1;
  for (let k = 0; k < cnt; k++) {
    const j = cols === null ? k : cols[k]!;
    const b = beta[j]!;
    const x = xt[j]!;
    if (b !== 0) {
      pen += l1[j]! * Math.abs(b);
      bb += b * b;
      bxr += b * x;
    }
    const lj = l1[j]!;
    if (lj > 0) {
      const a = Math.abs(x - nl2 * b) / (n * lj);
      if (a > s) s = a;
    }
  }
  const t = 1 / s;
  const rr = sumSq(n, r);
  const P = rr / (2 * n) + pen + (l2 * bb) / 2;
  const gap = ((1 - t) * (1 - t) * rr) / (2 * n) - (t * bxr) / n + pen + (l2 * (1 + t * t) * bb) / 2;
  return { P, D: P - gap, gap, t };
}

/**
 * Projection onto the dual constraint of unpenalised features (weighted Lasso with w_j = 0):
 * θ must satisfy X_c,Uᵀθ = 0, which a rescaled residual only does at the optimum. With
 * G = X_c,UᵀX_c,U (Cholesky, + 1e-12·tr(G)/|U| on the diagonal for collinear columns),
 * ρ' = ρ − X_c,U G⁻¹ X_c,Uᵀρ is feasible for those constraints, so the gap computed from ρ' is a
 * valid bound (and Gap Safe screening stays safe). Cost: O(n·|U|) per gap evaluation.
 */
export class UnpenalisedProjector {
  readonly U: Int32Array;
  private readonly L: Float64Array;
  private readonly a: Float64Array;
  private readonly xt: Float64Array;

  constructor(private readonly d: PreparedDesign, l1: Float64Array) {
    const p = d.nCols;
    const n = d.nRows;
    const list: number[] = [];
    for (let j = 0; j < p; j++) if (l1[j] === 0 && d.colNormsSq[j]! > 0) list.push(j);
    const U = (this.U = Int32Array.from(list));
    const k = U.length;
    this.xt = new Float64Array(p);
    this.a = new Float64Array(k);
    const G = new Float64Array(k * k);
    const col = new Float64Array(n);
    for (let q = 0; q < k; q++) {
      col.fill(0);
      colAxpy(d, U[q]!, 1, col); // X_c,u as a dense vector
      colDots(d, col, vecSum(n, col), U, k, this.xt);
      for (let t = 0; t < k; t++) G[q * k + t] = this.xt[U[t]!]!;
    }
    let tr = 0;
    for (let q = 0; q < k; q++) tr += G[q * k + q]!;
    const eps = (1e-12 * tr) / Math.max(k, 1);
    for (let q = 0; q < k; q++) G[q * k + q] += eps;
    for (let j = 0; j < k; j++) {
      let v = G[j * k + j]!;
      for (let t = 0; t < j; t++) v -= G[j * k + t]! ** 2;
      const ljj = Math.sqrt(Math.max(v, eps));
      G[j * k + j] = ljj;
      for (let i = j + 1; i < k; i++) {
        let w = G[i * k + j]!;
        for (let t = 0; t < j; t++) w -= G[i * k + t]! * G[j * k + t]!;
        G[i * k + j] = w / ljj;
      }
    }
    this.L = G;
  }

  /** out ← ρ − X_c,U G⁻¹ X_c,Uᵀρ (out may alias rho). */
  project(rho: Float64Array, out: Float64Array): void {
    const d = this.d;
    const n = d.nRows;
    const U = this.U;
    const k = U.length;
    const L = this.L;
    const a = this.a;
    colDots(d, rho, vecSum(n, rho), U, k, this.xt);
    for (let i = 0; i < k; i++) {
      let t = this.xt[U[i]!]!;
      for (let q = 0; q < i; q++) t -= L[i * k + q]! * a[q]!;
      a[i] = t / L[i * k + i]!;
    }
    for (let i = k - 1; i >= 0; i--) {
      let t = a[i]!;
      for (let q = i + 1; q < k; q++) t -= L[q * k + i]! * a[q]!;
      a[i] = t / L[i * k + i]!;
    }
    if (out !== rho) out.set(rho);
    for (let q = 0; q < k; q++) if (a[q] !== 0) colAxpy(d, U[q]!, -a[q]!, out);
  }
}

/**
 * Dual objective at the point built from a residual-like ρ and ridge part β̄ (null: none), with
 * xt = X_cᵀρ over cols (all p when null): t = 1/max(1, max_{l_j>0} |xt_j − nλ₂β̄_j|/(n l_j)),
 * D = (2t y_cᵀρ − t²‖ρ‖²)/(2n) − t²λ₂‖β̄‖²/2; the dual point is θ = tρ/n.
 */
export function candidateDualValue(
  n: number, yc: Float64Array, rho: Float64Array, xt: Float64Array, l1: Float64Array, l2: number,
  bbar: Float64Array | null, cols: Int32Array | null, m: number,
): { D: number; t: number } {
  const cnt = cols === null ? xt.length : m;
  const nl2 = n * l2;
  let s = 1;
  let bb = 0;
  for (let k = 0; k < cnt; k++) {
    const j = cols === null ? k : cols[k]!;
    const b = bbar === null ? 0 : bbar[j]!;
    bb += b * b;
    const lj = l1[j]!;
    if (lj === 0) continue;
    const a = Math.abs(xt[j]! - nl2 * b) / (n * lj);
    if (a > s) s = a;
  }
  const t = 1 / s;
  let yr = 0, rr = 0;
  for (let i = 0; i < n; i++) {
    const v = rho[i]!;
    yr += yc[i]! * v;
    rr += v * v;
  }
  const D = (2 * t * yr - t * t * rr) / (2 * n) - (t * t * l2 * bb) / 2;
  return { D, t };
}

/** What the outer loop hands back: convergence, λ_max and the best dual point θ = t·ρ/n (+ ridge part t·β̄). */
interface RunOut {
  converged: boolean;
  lambdaMax: number;
  dualRho: Float64Array;
  dualT: number;
  dualBeta: Float64Array | null;
}

/** The solver state for one squared-loss problem. */
class QuadCD {
  readonly n: number;
  readonly p: number;
  readonly nl2: number;
  /** n·l_j: the soft-threshold level of the unscaled coordinate update. */
  readonly thr: Float64Array;
  readonly hasUnpen: boolean;
  /** Dual projection for unpenalised features (null when every l_j > 0). */
  readonly proj: UnpenalisedProjector | null;
  /** ρ' = projected residual (only with `proj`). */
  readonly projRho: Float64Array;
  readonly beta: Float64Array;
  readonly r: Float64Array;
  /** Σ r̃ for CSC with implicit centring (0 and unused otherwise). */
  S = 0;
  readonly active: Uint8Array;
  activeList: Int32Array;
  nActive: number;
  readonly xtr: Float64Array;
  readonly xti: Float64Array;
  readonly xta: Float64Array;
  readonly ySum: number;
  // best inner dual candidate (extrapolated), handed to the outer loop
  readonly candRho: Float64Array;
  readonly candBeta: Float64Array | null;
  hasCand = false;
  // stats
  epochs = 0;
  coordUpdates = 0;
  andersonAccepted = 0;
  dualUsed = 0;
  screened = 0;
  nOuter = 0;
  wsSize = 0;
  // last gap
  last: GapInfo = { P: NaN, D: NaN, gap: Infinity, t: 1 };
  lastFromCand = false;
  readonly sparseCentred: boolean;
  /** WebAssembly engine borrowed from the design (dense), or null (JavaScript kernels). */
  readonly eng: WasmEngine | null;
  /** ‖X_c,j‖² (inside the engine memory when there is one). */
  readonly normsSq: Float64Array;
  // extrapolation buffers (sized lazily to the working set)
  private bufM = -1;
  private andB = new Float64Array(0);
  private andR = new Float64Array(0);
  private andCnt = 0;
  private dB = new Float64Array(0);
  private dR = new Float64Array(0);
  private dHead = 0;
  private dCnt = 0;
  private readonly G: Float64Array;
  private readonly cK: Float64Array;
  private tmpB = new Float64Array(0);
  private readonly tmpR: Float64Array;
  private readonly betaBarFull: Float64Array | null;
  private readonly prio: Float64Array;
  private readonly prioTmp: Float64Array;

  constructor(
    readonly d: PreparedDesign,
    readonly yc: Float64Array,
    readonly spec: QuadSpec,
    readonly o: Resolved,
    beta0: Float64Array,
    r0: Float64Array | null,
  ) {
    const n = (this.n = d.nRows);
    const p = (this.p = d.nCols);
    this.nl2 = n * spec.l2;
    const eng = d.wasm !== null && !d.wasm.busy ? d.wasm : null;
    this.eng = eng;
    if (eng !== null) {
      eng.busy = true;
      eng.beta.set(beta0);
      eng.r.fill(0);
    }
    this.normsSq = eng !== null ? eng.norms : d.colNormsSq;
    this.thr = eng !== null ? eng.thr : new Float64Array(p);
    let unpen = false;
    for (let j = 0; j < p; j++) {
      this.thr[j] = n * spec.l1[j]!;
      if (spec.l1[j] === 0 && d.colNormsSq[j]! > 0) unpen = true;
    }
    this.hasUnpen = unpen;
    this.proj = unpen ? new UnpenalisedProjector(d, spec.l1) : null;
    this.projRho = new Float64Array(unpen ? n : 0);
    this.beta = eng !== null ? eng.beta : beta0;
    this.r = eng !== null ? eng.r : new Float64Array(n);
    if (r0 !== null) this.r.set(r0);
    else this.recomputeResidual();
    this.S = d.isSparse && d.centered ? vecSum(n, this.r) : 0;
    this.sparseCentred = d.isSparse && d.centered;
    ({ active: this.active, activeList: this.activeList, nActive: this.nActive } = initialActiveSet(d.colNormsSq));
    this.xtr = new Float64Array(p);
    this.xti = new Float64Array(p);
    this.xta = new Float64Array(p);
    this.ySum = vecSum(n, yc);
    this.candRho = new Float64Array(n);
    this.candBeta = spec.l2 > 0 ? new Float64Array(p) : null;
    this.betaBarFull = spec.l2 > 0 ? new Float64Array(p) : null;
    const K = o.extrapolationK;
    this.G = new Float64Array(K * K);
    this.cK = new Float64Array(K);
    this.tmpR = new Float64Array(n);
    this.prio = new Float64Array(p);
    this.prioTmp = new Float64Array(p);
  }

  /** r ← y_c − X_cβ (kills the drift of incremental updates). */
  recomputeResidual(): void {
    matvec(this.d, this.beta, this.r);
    const r = this.r;
    const y = this.yc;
    for (let i = 0; i < this.n; i++) r[i] = y[i]! - r[i]!;
    this.S = this.sparseCentred ? vecSum(this.n, r) : 0;
  }

  /** Turns r̃ (CSC implicit centring) into the true centred residual r = r̃ − (S/n)1. */
  sync(): void {
    if (!this.sparseCentred) return;
    const n = this.n;
    const r = this.r;
    const c = vecSum(n, r) / n;
    if (c !== 0) for (let i = 0; i < n; i++) r[i] -= c;
    this.S = vecSum(n, r);
  }

  /** Returns the borrowed engine to the design. */
  release(): void {
    if (this.eng !== null) this.eng.busy = false;
  }

  epoch(ws: Int32Array, m: number): void {
    const d = this.d;
    const e = this.eng;
    if (e !== null) {
      // ws is e.ws, beta/r/thr/norms live in the engine memory
      e.epoch(e.xPtr, this.n, ws.byteOffset, m, this.beta.byteOffset, this.r.byteOffset, this.normsSq.byteOffset, this.thr.byteOffset, this.nl2);
    } else if (d.isSparse) {
      this.S = epochSparse(d.data, d.indptr, d.indices, d.implicitMeans, this.n, ws, m, this.beta, this.r, this.S, this.normsSq, this.thr, this.nl2);
    } else {
      epochDense(d.data, this.n, ws, m, this.beta, this.r, this.normsSq, this.thr, this.nl2);
    }
    this.epochs++;
    this.coordUpdates += m;
  }

  /** Gap at the current iterate with ρ = r (r synced, xt = X_cᵀr over cols). See the header. */
  residualGap(cols: Int32Array, m: number, xt: Float64Array): GapInfo {
    const g = quadraticGap(this.n, this.beta, this.r, xt, this.spec.l1, this.spec.l2, cols, m);
    if (this.proj === null) return g;
    // unpenalised features: dual point from the projected residual ρ' (xt ← X_cᵀρ' over cols)
    this.proj.project(this.r, this.projRho);
    colDots(this.d, this.projRho, vecSum(this.n, this.projRho), cols, m, xt);
    const c = this.candidateDual(cols, m, xt, this.projRho, null);
    return { P: g.P, D: c.D, gap: g.P - c.D, t: c.t };
  }

  /** The residual-like vector behind the residual dual candidate (r, or ρ' with unpenalised features). */
  residualRho(): Float64Array {
    return this.proj === null ? this.r : this.projRho;
  }

  /** D at the dual point built from (ρ, β̄) (xt = X_cᵀρ over cols). */
  candidateDual(cols: Int32Array, m: number, xt: Float64Array, rho: Float64Array, bbar: Float64Array | null): { D: number; t: number } {
    return candidateDualValue(this.n, this.yc, rho, xt, this.spec.l1, this.spec.l2, bbar, cols, m);
  }

  /**
   * Gap Safe screening of cols with the dual point (xt, bbar, t) and gap; returns how many
   * features were removed. Removed features get β_j = 0 (residual updated) and leave `active`.
   */
  screen(cols: Int32Array, m: number, xt: Float64Array, bbar: Float64Array | null, t: number, gap: number): number {
    if (!this.o.screening || !(gap >= 0)) return 0;
    const n = this.n;
    const radius = Math.sqrt((2 * Math.max(gap, 0)) / n);
    const l1 = this.spec.l1;
    const nl2 = this.nl2;
    const normsSq = this.d.colNormsSq;
    let removed = 0;
    for (let k = 0; k < m; k++) {
      const j = cols[k]!;
      if (this.active[j] === 0) continue;
      const c = bbar === null ? xt[j]! : xt[j]! - nl2 * bbar[j]!;
      const corr = (t * Math.abs(c)) / n;
      if (l1[j]! - corr > Math.sqrt(normsSq[j]! + nl2) * radius) {
        const b = this.beta[j]!;
        if (b !== 0) {
          this.sync();
          colAxpy(this.d, j, b, this.r);
          this.beta[j] = 0;
          this.S = this.sparseCentred ? vecSum(n, this.r) : 0;
        }
        this.active[j] = 0;
        removed++;
      }
    }
    if (removed > 0) {
      this.nActive = compactActiveList(this.activeList, this.nActive, this.active);
      this.screened += removed;
    }
    return removed;
  }

  /** Builds the working set: support ∪ unpenalised ∪ smallest priorities, `size` features, sorted. */
  buildWorkingSet(size: number, xt: Float64Array, bbar: Float64Array | null, t: number, out: Int32Array): number {
    const n = this.n;
    const list = this.activeList;
    const nA = this.nActive;
    if (size >= nA) {
      out.set(list.subarray(0, nA));
      return nA;
    }
    const prio = this.prio;
    const l1 = this.spec.l1;
    const nl2 = this.nl2;
    const normsSq = this.d.colNormsSq;
    for (let k = 0; k < nA; k++) {
      const j = list[k]!;
      if (this.beta[j] !== 0 || l1[j] === 0) {
        prio[k] = -Infinity;
        continue;
      }
      const c = bbar === null ? xt[j]! : xt[j]! - nl2 * bbar[j]!;
      prio[k] = (l1[j]! - (t * Math.abs(c)) / n) / Math.sqrt(normsSq[j]! + nl2);
    }
    return selectLowestPriority(list, prio, nA, size, out, this.prioTmp);
  }

  /** Outer (working-set) loop. */
  run(computeLmax: boolean): RunOut {
    const o = this.o;
    const n = this.n;
    const p = this.p;
    const tolAbs = this.tolAbs();
    const ws = this.eng !== null ? this.eng.ws : new Int32Array(p);
    const prevWs = new Int32Array(p);
    let prevSize = 0;
    let prevM = -1;
    let converged = false;
    let lmax = NaN;
    for (let t = 0; ; t++) {
      // refresh r = y_c − X_cβ from scratch (O(n·|support|)) when the gap nears the tolerance,
      // where the rounding drift of incremental updates could matter
      if (t > 0 && this.last.gap < 100 * tolAbs) this.recomputeResidual();
      else this.sync();
      const list = this.activeList;
      const nA = this.nActive;
      const rSum = this.sparseCentred ? this.S : 0;
      if (t === 0 && computeLmax) {
        const xty = this.xti;
        colDots2(this.d, this.r, rSum, this.yc, this.ySum, list, nA, this.xtr, xty);
        let m = 0;
        const w = this.spec.weights;
        for (let k = 0; k < nA; k++) {
          const j = list[k]!;
          const wj = w === null ? 1 : w[j]!;
          if (wj > 0) m = Math.max(m, Math.abs(xty[j]!) / wj);
        }
        lmax = m / n;
      } else if (this.hasCand) {
        colDots2(this.d, this.r, rSum, this.candRho, vecSum(n, this.candRho), list, nA, this.xtr, this.xti);
      } else {
        colDots(this.d, this.r, rSum, list, nA, this.xtr);
      }
      const g = this.residualGap(list, nA, this.xtr);
      this.last = g;
      this.lastFromCand = false;
      let xtBest = this.xtr;
      let bbarBest: Float64Array | null = this.spec.l2 > 0 ? this.beta : null;
      if (this.hasCand) {
        const c = this.candidateDual(list, nA, this.xti, this.candRho, this.candBeta);
        if (c.D > g.D) {
          this.last = { P: g.P, D: c.D, gap: g.P - c.D, t: c.t };
          this.lastFromCand = true;
          xtBest = this.xti;
          bbarBest = this.candBeta;
        }
      }
      const gap = this.last.gap;
      if (gap <= tolAbs) {
        converged = true;
        break;
      }
      if (this.nOuter >= o.maxOuter || this.epochs >= o.maxIter) break;
      this.nOuter++;
      this.screen(list, nA, xtBest, bbarBest, this.last.t, gap);
      // working set
      let m: number;
      if (!o.workingSet) {
        ws.set(this.activeList.subarray(0, this.nActive));
        m = this.nActive;
      } else {
        let nnz = 0, forced = 0;
        for (let k = 0; k < this.nActive; k++) {
          const j = this.activeList[k]!;
          if (this.beta[j] !== 0) nnz++;
          if (this.beta[j] !== 0 || this.spec.l1[j] === 0) forced++;
        }
        // celer's "prune" rule: 2·|support| (≥ p0); 'double': p0, 2p0, 4p0, … (never shrinks)
        const grow = o.workingSetGrowth === 'double' ? (t === 0 ? o.p0 : 2 * prevSize) : o.p0;
        let size = Math.max(grow, 2 * nnz, forced);
        size = Math.min(size, this.nActive);
        m = this.buildWorkingSet(size, xtBest, bbarBest, this.last.t, ws);
        prevSize = m;
      }
      this.wsSize = m;
      const full = m === this.nActive;
      // a gap check before the first epoch only pays when the working set did not change (then
      // the sub-problem may already be solved); a new set has new, unoptimised features
      let same = m === prevM;
      for (let k = 0; same && k < m; k++) same = ws[k] === prevWs[k];
      prevWs.set(ws.subarray(0, m));
      prevM = m;
      this.inner(ws, m, full ? tolAbs : 0.3 * gap, full, !o.workingSet, same && !full);
    }
    // final dual point
    const rho = this.lastFromCand ? this.candRho : this.residualRho();
    const bbar = this.spec.l2 > 0 ? (this.lastFromCand ? this.candBeta : this.beta) : null;
    return { converged, lambdaMax: lmax, dualRho: rho, dualT: this.last.t, dualBeta: bbar };
  }

  tolAbs(): number {
    let ss = 0;
    const y = this.yc;
    for (let i = 0; i < this.n; i++) ss += y[i]! * y[i]!;
    return (this.o.tol * ss) / this.n;
  }

  private ensureBuffers(m: number): void {
    const K = this.o.extrapolationK;
    const n = this.n;
    if (this.andR.length === 0) {
      this.andR = new Float64Array((K + 1) * n);
      this.dR = new Float64Array((K + 1) * n);
    }
    if (m > this.bufM) {
      const cap = Math.min(this.p, Math.max(m, 2 * this.bufM)); // amortised growth
      this.bufM = cap;
      this.andB = new Float64Array((K + 1) * cap);
      this.dB = new Float64Array((K + 1) * cap);
      this.tmpB = new Float64Array(cap);
    }
    this.andCnt = 0;
    this.dCnt = 0;
    this.dHead = 0;
  }

  /**
   * Solves the sub-problem restricted to ws[0..m) until its gap ≤ tolIn (or the epoch budget is
   * spent). `full`: ws is every active feature, so the inner gap is the full gap and screening may
   * run inside (plain CD mode).
   */
  inner(ws: Int32Array, m: number, tolIn: number, full: boolean, screenInside: boolean, checkFirst: boolean): void {
    const o = this.o;
    const n = this.n;
    const K = o.extrapolationK;
    const useAnd = o.acceleration === 'anderson' || o.acceleration === 'both';
    const useDual = o.acceleration === 'dual' || o.acceleration === 'both';
    const l2 = this.spec.l2;
    if (useAnd || useDual) this.ensureBuffers(m);
    this.hasCand = false;
    // stall guard: the incrementally updated residual drifts from y_c − X_cβ by rounding (and
    // extrapolation amplifies it); CD then converges to a fixed point of the WRONG residual. When
    // the gap stops decreasing, r is recomputed from scratch.
    let bestGap = Infinity;
    let stalled = 0;
    if (this.betaBarFull !== null) this.betaBarFull.fill(0);
    for (let e = 0; ; e++) {
      if (e % o.gapFreq === 0 && (e > 0 || checkFirst)) {
        this.sync();
        const canExtrap = useDual && this.dCnt === K + 1 && this.dualExtrapolate(ws, m);
        if (canExtrap && this.proj !== null) this.proj.project(this.tmpR, this.tmpR);
        if (canExtrap) colDots2(this.d, this.r, this.S, this.tmpR, vecSum(n, this.tmpR), ws, m, this.xtr, this.xta);
        else colDots(this.d, this.r, this.S, ws, m, this.xtr);
        const g = this.residualGap(ws, m, this.xtr);
        let gap = g.gap;
        let tBest = g.t;
        let fromCand = false;
        if (canExtrap) {
          const c = this.candidateDual(ws, m, this.xta, this.tmpR, this.betaBarFull);
          if (c.D > g.D) {
            gap = g.P - c.D;
            tBest = c.t;
            fromCand = true;
            this.dualUsed++;
            this.candRho.set(this.tmpR);
            if (this.candBeta !== null && this.betaBarFull !== null) this.candBeta.set(this.betaBarFull);
            this.hasCand = true;
          }
        }
        if (!fromCand) this.hasCand = false;
        if (gap <= tolIn) return;
        if (gap < 0.99 * bestGap) {
          bestGap = gap;
          stalled = 0;
        } else if (++stalled >= 3) {
          this.recomputeResidual();
          this.andCnt = 0;
          this.dCnt = 0;
          this.dHead = 0;
          stalled = 0;
          bestGap = Infinity;
        }
        if (screenInside && full) {
          const removed = fromCand
            ? this.screen(ws, m, this.xta, this.candBeta, tBest, gap)
            : this.screen(ws, m, this.xtr, l2 > 0 ? this.beta : null, tBest, gap);
          if (removed > 0) {
            m = this.nActive;
            ws.set(this.activeList.subarray(0, m));
            this.wsSize = m;
            this.andCnt = 0;
            this.dCnt = 0;
            this.dHead = 0;
            this.hasCand = false;
          }
        }
      }
      if (this.epochs >= o.maxIter) return;
      this.epoch(ws, m);
      if (useAnd || useDual) {
        this.sync();
        if (useDual) this.pushDual(ws, m);
        if (useAnd) this.anderson(ws, m);
      }
    }
  }

  private pushDual(ws: Int32Array, m: number): void {
    const K = this.o.extrapolationK;
    const cap = K + 1;
    const slot = this.dHead;
    this.dR.set(this.r, slot * this.n);
    if (this.spec.l2 > 0) {
      const off = slot * m;
      for (let k = 0; k < m; k++) this.dB[off + k] = this.beta[ws[k]!]!;
    }
    this.dHead = (slot + 1) % cap;
    if (this.dCnt < cap) this.dCnt++;
  }

  /** Celer dual extrapolation into tmpR (ρ) and betaBarFull (β̄); false if not possible. */
  private dualExtrapolate(ws: Int32Array, m: number): boolean {
    const K = this.o.extrapolationK;
    const cap = K + 1;
    const n = this.n;
    const G = this.G;
    const R = this.dR;
    const B = this.dB;
    const nl2 = this.nl2;
    const slot = (k: number): number => (this.dHead + k) % cap; // k = 0 oldest .. K newest
    for (let a = 0; a < K; a++) {
      const a0 = slot(a) * n, a1 = slot(a + 1) * n;
      for (let b = 0; b <= a; b++) {
        const b0 = slot(b) * n, b1 = slot(b + 1) * n;
        let s = 0;
        for (let i = 0; i < n; i++) s += (R[a1 + i]! - R[a0 + i]!) * (R[b1 + i]! - R[b0 + i]!);
        if (nl2 > 0) {
          const c0 = slot(a) * m, c1 = slot(a + 1) * m, e0 = slot(b) * m, e1 = slot(b + 1) * m;
          let u = 0;
          for (let k = 0; k < m; k++) u += (B[c1 + k]! - B[c0 + k]!) * (B[e1 + k]! - B[e0 + k]!);
          s += nl2 * u;
        }
        G[a * K + b] = s;
        G[b * K + a] = s;
      }
    }
    if (!extrapolationWeights(G, K, this.cK)) return false;
    const rho = this.tmpR;
    rho.fill(0);
    for (let k = 0; k < K; k++) {
      const ck = this.cK[k]!;
      const off = slot(k + 1) * n;
      for (let i = 0; i < n; i++) rho[i] += ck * R[off + i]!;
    }
    if (nl2 > 0 && this.betaBarFull !== null) {
      const bb = this.betaBarFull;
      for (let q = 0; q < m; q++) bb[ws[q]!] = 0;
      for (let k = 0; k < K; k++) {
        const ck = this.cK[k]!;
        const off = slot(k + 1) * m;
        for (let q = 0; q < m; q++) bb[ws[q]!] += ck * B[off + q]!;
      }
    }
    return true;
  }

  /** Anderson extrapolation of the primal (skglm), with an objective-decrease safeguard. */
  private anderson(ws: Int32Array, m: number): void {
    const K = this.o.extrapolationK;
    const n = this.n;
    const cnt = this.andCnt;
    this.andR.set(this.r, cnt * n);
    const B = this.andB;
    const off = cnt * m;
    for (let k = 0; k < m; k++) B[off + k] = this.beta[ws[k]!]!;
    this.andCnt = cnt + 1;
    if (this.andCnt < K + 1) return;
    this.andCnt = 0;
    const G = this.G;
    for (let a = 0; a < K; a++) {
      for (let b = 0; b <= a; b++) {
        let s = 0;
        const a0 = a * m, a1 = (a + 1) * m, b0 = b * m, b1 = (b + 1) * m;
        for (let k = 0; k < m; k++) s += (B[a1 + k]! - B[a0 + k]!) * (B[b1 + k]! - B[b0 + k]!);
        G[a * K + b] = s;
        G[b * K + a] = s;
      }
    }
    if (!extrapolationWeights(G, K, this.cK)) return;
    const c = this.cK;
    const bAcc = this.tmpB;
    const rAcc = this.tmpR;
    bAcc.fill(0, 0, m);
    rAcc.fill(0);
    const R = this.andR;
    for (let k = 0; k < K; k++) {
      const ck = c[k]!;
      const ob = (k + 1) * m;
      for (let q = 0; q < m; q++) bAcc[q] += ck * B[ob + q]!;
      const or = (k + 1) * n;
      for (let i = 0; i < n; i++) rAcc[i] += ck * R[or + i]!;
    }
    // objectives P(β_acc) vs P(β)
    const l1 = this.spec.l1;
    const l2 = this.spec.l2;
    let penA = 0, bbA = 0, penC = 0, bbC = 0;
    for (let q = 0; q < m; q++) {
      const j = ws[q]!;
      const ba = bAcc[q]!;
      const bc = this.beta[j]!;
      penA += l1[j]! * Math.abs(ba);
      bbA += ba * ba;
      penC += l1[j]! * Math.abs(bc);
      bbC += bc * bc;
    }
    const pA = sumSq(n, rAcc) / (2 * n) + penA + (l2 * bbA) / 2;
    const pC = sumSq(n, this.r) / (2 * n) + penC + (l2 * bbC) / 2;
    if (pA < pC) {
      for (let q = 0; q < m; q++) this.beta[ws[q]!] = bAcc[q]!;
      let amp = 0;
      for (let k = 0; k < K; k++) amp += Math.abs(c[k]!);
      // large weights amplify the rounding of Σ c_k r_k: recompute r = y_c − X_cβ exactly then
      if (amp > 10) this.recomputeResidual();
      else this.r.set(rAcc);
      this.S = this.sparseCentred ? vecSum(n, this.r) : 0;
      this.andersonAccepted++;
      this.dCnt = 0;
      this.dHead = 0;
    }
  }
}

/** ‖v[0..n)‖². */
export function sumSq(n: number, v: Float64Array): number {
  let s0 = 0, s1 = 0;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    s0 += v[i]! * v[i]!;
    s1 += v[i + 1]! * v[i + 1]!;
  }
  if (i < n) s0 += v[i]! * v[i]!;
  return s0 + s1;
}

/**
 * Per-feature penalty of a squared-loss `ModelSpec` (validated): l_j = λ (lasso), λ₁ (enet),
 * λ·w_j (wlasso), and the ridge λ₂ (enet, else 0).
 */
export function quadSpecOf(model: ModelSpec, p: number, fn: string): QuadSpec {
  if (model === null || typeof model !== 'object') throw new InvalidArgumentError(`${fn}(): model must be a ModelSpec object`);
  switch (model.type) {
    case 'lasso': {
      const lam = checkPositive(model.lambda, 'lambda', fn);
      return { model: 'lasso', l1: new Float64Array(p).fill(lam), l2: 0, weights: null, lambda: lam };
    }
    case 'enet': {
      const l1 = checkPositive(model.lambda1, 'lambda1', fn);
      const l2 = checkPositive(model.lambda2, 'lambda2', fn, true);
      return { model: l2 > 0 ? 'enet' : 'lasso', l1: new Float64Array(p).fill(l1), l2, weights: null, lambda: l1 };
    }
    case 'wlasso': {
      const lam = checkPositive(model.lambda, 'lambda', fn);
      const w = checkWeights(model.weights, p, fn);
      const l1 = new Float64Array(p);
      for (let j = 0; j < p; j++) l1[j] = lam * w[j]!;
      return { model: 'wlasso', l1, l2: 0, weights: w, lambda: lam };
    }
    default:
      throw new InvalidArgumentError(`${fn}(): model.type must be 'lasso' | 'enet' | 'wlasso' here, got ${String((model as { type?: unknown }).type)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Driver and public API
// ---------------------------------------------------------------------------------------------

function solveQuadratic(X: DesignInput, y: ArrayLike<number>, spec0: (p: number) => QuadSpec, opts: SolverOptions, fn: string): SolverResult {
  const t0 = performance.now();
  const o = resolveOptions(opts, fn);
  const { d, owned } = resolveDesignOwned(X, o.fitIntercept, fn);
  try {
    return solvePrepared(d, owned, y, spec0, o, fn, t0);
  } finally {
    if (owned) disposeDesign(d);
  }
}

function solvePrepared(d: PreparedDesign, owned: boolean, y: ArrayLike<number>, spec0: (p: number) => QuadSpec, o: Resolved, fn: string, t0: number): SolverResult {
  const n = d.nRows;
  const p = d.nCols;
  const spec = spec0(p);
  const yv = checkTarget(y, n, fn);
  const target = makeTarget(yv, d.centered);
  const beta = warmBeta(o.warmStart, p, d.colNormsSq, fn);
  let r0: Float64Array | null = null;
  const wr = o.warmStart?.residual;
  if (wr !== undefined) {
    if (!(wr instanceof Float64Array) || wr.length !== n) throw new ShapeError(`${fn}(): warmStart.residual must be a Float64Array of length n = ${n}`);
    r0 = wr;
  }
  const solver = new QuadCD(d, target.yc, spec, o, beta, r0);
  let res: SolverResult;
  try {
    const out = solver.run(!solver.hasUnpen);
    solver.sync();
    res = finishQuadratic(solver, spec, d, target.yMean, out, o.workingSet ? 'cd-ws' : 'cd', t0);
  } finally {
    solver.release();
  }
  // a design prepared here is disposed on return: evaluate the lazy λ_max now
  if (owned) void res.lambdaMax;
  return handleFailure(res, o.onFailure, fn);
}

function finishQuadratic(
  s: QuadCD, spec: QuadSpec, d: PreparedDesign, yMean: number,
  out: RunOut,
  solver: 'cd' | 'cd-ws', t0: number,
): SolverResult {
  const n = s.n;
  const beta = new Float64Array(s.beta); // copy out of the (reused) engine memory
  let intercept = 0;
  if (d.centered) {
    let mb = 0;
    for (let j = 0; j < s.p; j++) if (beta[j] !== 0) mb += d.colMeans[j]! * beta[j]!;
    intercept = yMean - mb;
  }
  const dual = new Float64Array(n);
  const tn = out.dualT / n;
  for (let i = 0; i < n; i++) dual[i] = tn * out.dualRho[i]!;
  const stats: SolverStats = {
    coordinateUpdates: s.coordUpdates,
    andersonAccepted: s.andersonAccepted,
    dualExtrapolationUsed: s.dualUsed,
    screened: s.screened,
    workingSetSize: s.wsSize,
  };
  let lmax = out.lambdaMax;
  let lmaxDone = !Number.isNaN(lmax);
  const res = {
    model: spec.model,
    solver,
    beta,
    intercept,
    residual: new Float64Array(s.r),
    gap: Math.max(0, s.last.gap),
    primal: s.last.P,
    dual: s.last.D,
    tolerance: s.tolAbs(),
    converged: out.converged,
    iterations: s.epochs,
    nOuter: s.nOuter,
    support: supportOf(beta),
    dualPoint: dual,
    ...(out.dualBeta !== null ? { dualRidge: out.dualBeta.map((v) => v * out.dualT) } : {}),
    get lambdaMax(): number {
      // weighted Lasso with unpenalised features: needs a least-squares fit, done on first access
      if (!lmaxDone) {
        lmax = lambdaMaxWeightedPrepared(d, s.yc, spec.weights!);
        lmaxDone = true;
      }
      return lmax;
    },
    stats,
    timings: { totalMs: performance.now() - t0 },
  };
  return res;
}

/**
 * @internal λ_max of the weighted Lasso Σ λ w_j|β_j| on a prepared design and centred target: with
 * unpenalised features U (w_j = 0), the residual of the least-squares fit on X_U replaces y_c.
 */
export function lambdaMaxWeightedPrepared(d: PreparedDesign, yc: Float64Array, w: Float64Array): number {
  const p = d.nCols;
  let unpen = false;
  for (let j = 0; j < p; j++) if (w[j] === 0 && d.colNormsSq[j]! > 0) unpen = true;
  if (!unpen) return lambdaMaxFromTarget(d, yc, w);
  // least squares on the unpenalised columns: CD with an infinite penalty on the others
  const l1 = new Float64Array(p);
  for (let j = 0; j < p; j++) l1[j] = w[j]! > 0 ? 1e300 : 0;
  const spec: QuadSpec = { model: 'wlasso', l1, l2: 0, weights: w, lambda: 1 };
  const o = resolveOptions({ tol: 1e-14, maxIter: 100_000, screening: false }, 'lambdaMaxWeighted');
  const s = new QuadCD(d, yc, spec, o, new Float64Array(p), null);
  try {
    s.run(false);
    s.sync();
    return lambdaMaxFromTarget(d, new Float64Array(s.r), w);
  } finally {
    s.release();
  }
}

/**
 * Lasso by coordinate descent: minimises (1/2n)‖y − Xβ − b‖² + λ‖β‖₁ (scikit-learn's `Lasso(alpha=λ)`).
 * Working sets, Gap Safe screening and extrapolation are on by default; `workingSet: false,
 * screening: false, acceleration: 'none'` gives plain cyclic CD (sklearn's algorithm).
 *
 * @example
 * const X = denseFromRows([[1, 2], [3, 4], [5, 7]]);
 * const fit = lasso(X, [1, 2, 4], 0.1, { tol: 1e-10 });
 * fit.beta; fit.intercept; fit.gap <= fit.tolerance; // true
 * const next = lasso(X, [1, 2, 4], 0.05, { warmStart: fit });   // warm start
 */
export function lasso(X: DesignInput, y: ArrayLike<number>, lambda: number, opts: SolverOptions = {}): SolverResult {
  checkPositive(lambda, 'lambda', 'lasso');
  return solveQuadratic(X, y, (p) => quadSpecOf({ type: 'lasso', lambda }, p, 'lasso'), opts, 'lasso');
}

/**
 * Elastic net: (1/2n)‖y − Xβ − b‖² + λ₁‖β‖₁ + (λ₂/2)‖β‖². scikit-learn's
 * `ElasticNet(alpha, l1_ratio)` is λ₁ = alpha·l1_ratio, λ₂ = alpha·(1 − l1_ratio).
 *
 * @example
 * const fit = elasticNet(X, y, 0.1, 0.05);
 * fit.dualPoint; // θ with |X_c,jᵀθ − λ₂β_j| ≤ λ₁
 */
export function elasticNet(X: DesignInput, y: ArrayLike<number>, lambda1: number, lambda2: number, opts: SolverOptions = {}): SolverResult {
  checkPositive(lambda1, 'lambda1', 'elasticNet');
  checkPositive(lambda2, 'lambda2', 'elasticNet', true);
  return solveQuadratic(X, y, (p) => quadSpecOf({ type: 'enet', lambda1, lambda2 }, p, 'elasticNet'), opts, 'elasticNet');
}

/**
 * Weighted Lasso: (1/2n)‖y − Xβ − b‖² + λ Σ_j w_j|β_j|, w_j ≥ 0; w_j = 0 leaves β_j unpenalised.
 * Per-feature penalties λ_j are `weightedLasso(X, y, 1, λ_vec)`. `lambdaMax` in the result is the
 * smallest λ for which every penalised coefficient is 0 (see `lambdaMaxWeighted`).
 *
 * @example
 * const fit = weightedLasso(X, y, 0.1, [1, 0.5, 0, 2]); // feature 2 unpenalised
 */
export function weightedLasso(X: DesignInput, y: ArrayLike<number>, lambda: number, weights: ArrayLike<number>, opts: SolverOptions = {}): SolverResult {
  checkPositive(lambda, 'lambda', 'weightedLasso');
  return solveQuadratic(X, y, (p) => quadSpecOf({ type: 'wlasso', lambda, weights }, p, 'weightedLasso'), opts, 'weightedLasso');
}

/**
 * λ_max of the weighted Lasso: max_{w_j>0} |X_c,jᵀ r_U| / (n w_j), r_U = y_c minus its
 * least-squares fit on the unpenalised columns (r_U = y_c when all w_j > 0).
 *
 * @example
 * lambdaMaxWeighted(X, y, [1, 2, 1]); // = max_j |X_jᵀy_c|/(n w_j)
 */
export function lambdaMaxWeighted(X: DesignInput, y: ArrayLike<number>, weights: ArrayLike<number>, opts: { fitIntercept?: boolean } = {}): number {
  const { d, owned } = resolveDesignOwned(X, opts.fitIntercept ?? true, 'lambdaMaxWeighted');
  try {
    const w = checkWeights(weights, d.nCols, 'lambdaMaxWeighted');
    const t = makeTarget(checkTarget(y, d.nRows, 'lambdaMaxWeighted'), d.centered);
    return lambdaMaxWeightedPrepared(d, t.yc, w);
  } finally {
    if (owned) disposeDesign(d);
  }
}

/** Options of `lassoPath`. */
export interface PathOptions extends Omit<SolverOptions, 'warmStart'> {
  /** Explicit decreasing grid (overrides nLambdas/eps). */
  readonly lambdas?: ArrayLike<number>;
  /** Grid size. Default 100. */
  readonly nLambdas?: number;
  /** λ_min = eps·λ_max. Default 1e-3. */
  readonly eps?: number;
  /**
   * Elastic-net mixing (scikit-learn's l1_ratio, default 1 = Lasso): penalty
   * λ·l1Ratio‖β‖₁ + λ(1 − l1Ratio)/2 ‖β‖²; the grid starts at λ_max/l1Ratio.
   */
  readonly l1Ratio?: number;
}

/** Result of `lassoPath`. */
export interface PathResult {
  /** The grid (decreasing). */
  readonly lambdas: Float64Array;
  /** Coefficients per λ. */
  readonly coefs: Float64Array[];
  readonly intercepts: Float64Array;
  /** Final duality gap per λ. */
  readonly gaps: Float64Array;
  /** Epochs per λ. */
  readonly iterations: Int32Array;
  readonly converged: boolean[];
  /** λ_max of the data (the grid's first point when generated). */
  readonly lambdaMax: number;
  readonly timings: { readonly totalMs: number };
}

/**
 * Warm-started regularisation path, like scikit-learn's `lasso_path` / `enet_path`: by default a
 * geometric grid of 100 values from λ_max down to 1e-3·λ_max; each solve starts from the previous
 * solution (and residual). The design is prepared once.
 *
 * @example
 * const path = lassoPath(X, y, { nLambdas: 50, tol: 1e-6 });
 * path.coefs[49]; // least-regularised solution
 */
export function lassoPath(X: DesignInput, y: ArrayLike<number>, opts: PathOptions = {}): PathResult {
  const t0 = performance.now();
  const fn = 'lassoPath';
  const o = resolveOptions(opts, fn);
  const { d, owned } = resolveDesignOwned(X, o.fitIntercept, fn);
  try {
    return pathPrepared(d, y, opts, fn, t0);
  } finally {
    if (owned) disposeDesign(d);
  }
}

function pathPrepared(d: PreparedDesign, y: ArrayLike<number>, opts: PathOptions, fn: string, t0: number): PathResult {
  const yv = checkTarget(y, d.nRows, fn);
  const l1Ratio = opts.l1Ratio ?? 1;
  if (!(l1Ratio > 0 && l1Ratio <= 1)) throw new InvalidArgumentError(`${fn}(): l1Ratio must be in (0, 1], got ${l1Ratio}`);
  const lmax = lambdaMaxFromTarget(d, makeTarget(yv, d.centered).yc, null) / l1Ratio;
  let grid: Float64Array;
  if (opts.lambdas !== undefined) {
    grid = new Float64Array(opts.lambdas.length);
    for (let k = 0; k < grid.length; k++) grid[k] = checkPositive(opts.lambdas[k], `lambdas[${k}]`, fn);
    if (grid.length === 0) throw new InvalidArgumentError(`${fn}(): lambdas is empty`);
  } else {
    const nl = opts.nLambdas ?? 100;
    const eps = opts.eps ?? 1e-3;
    if (!Number.isInteger(nl) || nl < 1) throw new InvalidArgumentError(`${fn}(): nLambdas must be a positive integer, got ${nl}`);
    if (!(eps > 0 && eps < 1)) throw new InvalidArgumentError(`${fn}(): eps must be in (0, 1), got ${eps}`);
    grid = new Float64Array(nl);
    const top = lmax > 0 ? lmax : 1;
    for (let k = 0; k < nl; k++) grid[k] = nl === 1 ? top : top * Math.pow(eps, k / (nl - 1));
  }
  const coefs: Float64Array[] = [];
  const intercepts = new Float64Array(grid.length);
  const gaps = new Float64Array(grid.length);
  const iters = new Int32Array(grid.length);
  const conv: boolean[] = [];
  let prev: SolverResult | undefined;
  for (let k = 0; k < grid.length; k++) {
    const lam = grid[k]!;
    const sopts: SolverOptions = { ...opts, warmStart: prev };
    const res = l1Ratio === 1 ? lasso(d, yv, lam, sopts) : elasticNet(d, yv, lam * l1Ratio, lam * (1 - l1Ratio), sopts);
    coefs.push(res.beta);
    intercepts[k] = res.intercept;
    gaps[k] = res.gap;
    iters[k] = res.iterations;
    conv.push(res.converged);
    prev = res;
  }
  return { lambdas: grid, coefs, intercepts, gaps, iterations: iters, converged: conv, lambdaMax: lmax, timings: { totalMs: performance.now() - t0 } };
}
