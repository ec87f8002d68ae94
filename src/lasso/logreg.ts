/**
 * @file Sparse (ℓ1) logistic regression by working-set proximal Newton (the skglm/glmnet scheme),
 * stopped on a duality gap.
 *
 * Problem (labels y_i ∈ {−1, +1}; 0/1 labels are mapped 0 → −1; X is NOT centred):
 *
 *   P(β, b) = (1/n) Σ_i log(1 + exp(−y_i η_i)) + λ‖β‖₁,   η = Xβ + b·1 (b = 0 without intercept).
 *
 * Generalised residual ρ_i = y_i σ(−y_i η_i) = z_i − σ(η_i) (z = (y+1)/2), so ∇_β = −Xᵀρ/n and
 * ∂_b = −1ᵀρ/n: KKT is |X_jᵀρ|/n ≤ λ, = λ sign β_j on the support, 1ᵀρ = 0 with an intercept.
 *
 * Dual (Fenchel): D(θ) = (1/n) Σ_i H(n y_i θ_i), H(s) = −s log s − (1−s) log(1−s) (binary entropy),
 * over { n y_i θ_i ∈ [0, 1], ‖Xᵀθ‖∞ ≤ λ, and 1ᵀθ = 0 with an intercept }. Dual point from ρ:
 * (i) with an intercept, rescale the larger of the two class sums of ρ down so that 1ᵀρ' = 0 (this
 * keeps y_iρ'_i ∈ [0, 1]); (ii) θ = ρ' / (n·max(1, ‖Xᵀρ'‖∞/(nλ))). At the optimum θ = ρ/n.
 * Stopping: gap ≤ tol·log 2 (celer's convention: P(0, 0) = log 2).
 *
 * Gap Safe screening: H'' ≤ −4 makes D 4n-strongly concave in θ, so ‖θ − θ*‖ ≤ √(gap/(2n)) and
 * λ − |X_jᵀθ| > ‖X_j‖·√(gap/(2n)) certifies β*_j = 0.
 *
 * Proximal Newton on a working set W (with the intercept as an extra unpenalised coordinate):
 * with h_i = σ(η_i)(1 − σ(η_i))/n and g_i = −ρ_i/n, the model
 *   q(Δ) = gᵀ(XΔ) + ½ (XΔ)ᵀ diag(h) (XΔ) + λ‖β + Δ‖₁
 * is minimised by a few CD passes (coordinate j: ∂_j = X_jᵀ(g + h∘XΔ), curvature H_jj = Σ_i h_i x_ij²),
 * then a backtracking line search (Armijo on P with the ℓ1 term, factor 1/2) sets the step.
 * Working sets: priorities (λ − |X_jᵀθ|)/‖X_j‖, size max(p0, 2·|support|) (celer's prune rule), inner
 * gap ≤ 0.3 × outer gap.
 */
import { checkPositive } from '../core/options.js';
import type { DesignInput, PreparedDesign, WasmEngine } from './design.js';
import { disposeDesign, resolveDesignOwned } from './design.js';
import type { VectorLike } from '../data/matrix.js';
import { colDots, compactActiveList, initialActiveSet, matvec, vecSum } from './columns.js';
import type { LogRegResult, SolverOptions, SolverStats } from './models.js';
import { checkDesignRange, checkRows, checkTarget, handleFailure, lambdaMaxLogregSigned, resolveOptions, selectLowestPriority, supportOf, toSignedLabels, warmBeta } from './models.js';
import { InvalidArgumentError } from '../core/errors.js';
import { sigmoidScalar as sigmoid, softplusScalar as softplus } from '../ops/unary.js';


/** Binary entropy H(s) with H(0) = H(1) = 0. */
function entropy(s: number): number {
  if (s <= 0 || s >= 1) return 0;
  return -s * Math.log(s) - (1 - s) * Math.log1p(-s);
}

/** Duality-gap evaluation of the logistic model (shared with the proximal-gradient solver). */
export interface LogregGap {
  P: number;
  D: number;
  gap: number;
  /** θ = scale·ρ' (ρ' = balanced residual, kept in the `rho` buffer passed in). */
  scale: number;
}

/**
 * Fills ρ (generalised residual) and ρ' (its dual-feasible version, in `rhoDual`) from η, computes
 * Xᵀρ' over cols into `xt`, and returns P, D, gap and the scaling (θ = scale·ρ').
 */
export function logregGap(
  d: PreparedDesign, ys: Float64Array, eta: Float64Array, beta: Float64Array, lambda: number, fitIntercept: boolean,
  cols: Int32Array | null, m: number, rho: Float64Array, rhoDual: Float64Array, xt: Float64Array,
): LogregGap {
  const n = d.nRows;
  let loss = 0;
  let posSum = 0, negSum = 0;
  for (let i = 0; i < n; i++) {
    const yi = ys[i]!;
    const mgn = yi * eta[i]!;
    loss += softplus(-mgn);
    const v = yi * sigmoid(-mgn);
    rho[i] = v;
    if (v > 0) posSum += v;
    else negSum -= v;
  }
  rhoDual.set(rho);
  if (fitIntercept && posSum > 0 && negSum > 0 && posSum !== negSum) {
    // scale the larger class sum down: 1ᵀρ' = 0 and y_iρ'_i stays in [0, 1]
    if (posSum > negSum) {
      const c = negSum / posSum;
      for (let i = 0; i < n; i++) if (rhoDual[i]! > 0) rhoDual[i]! *= c;
    } else {
      const c = posSum / negSum;
      for (let i = 0; i < n; i++) if (rhoDual[i]! < 0) rhoDual[i]! *= c;
    }
  }
  colDots(d, rhoDual, vecSum(n, rhoDual), cols, m, xt);
  let mx = 0;
  const p = cols === null ? d.nCols : m;
  let pen = 0;
  for (let k = 0; k < p; k++) {
    const j = cols === null ? k : cols[k]!;
    const a = Math.abs(xt[j]!);
    if (a > mx) mx = a;
  }
  for (let j = 0; j < beta.length; j++) pen += Math.abs(beta[j]!);
  const s = Math.max(1, mx / (n * lambda));
  let D = 0;
  for (let i = 0; i < n; i++) D += entropy((ys[i]! * rhoDual[i]!) / s);
  D /= n;
  const P = loss / n + lambda * pen;
  return { P, D, gap: P - D, scale: 1 / (n * s) };
}

/** Solver state. */
class LogregPN {
  readonly n: number;
  readonly p: number;
  readonly eta: Float64Array;
  readonly rho: Float64Array;
  readonly rhoDual: Float64Array;
  readonly xt: Float64Array;
  readonly h: Float64Array;
  readonly w: Float64Array;
  readonly u: Float64Array;
  readonly etaTry: Float64Array;
  readonly delta: Float64Array;
  readonly curv: Float64Array;
  readonly active: Uint8Array;
  activeList: Int32Array;
  nActive: number;
  epochs = 0;
  coordUpdates = 0;
  newton = 0;
  nOuter = 0;
  screened = 0;
  wsSize = 0;
  last: LogregGap = { P: NaN, D: NaN, gap: Infinity, scale: 0 };
  /** WebAssembly engine borrowed from a dense design (null: JavaScript loops). */
  readonly eng: WasmEngine | null;
  readonly beta: Float64Array;

  constructor(
    readonly d: PreparedDesign,
    readonly ys: Float64Array,
    readonly lambda: number,
    readonly fitIntercept: boolean,
    readonly o: ReturnType<typeof resolveOptions>,
    beta0: Float64Array,
    public b: number,
  ) {
    const n = (this.n = d.nRows);
    const p = (this.p = d.nCols);
    const e = d.wasm !== null && !d.wasm.busy ? d.wasm : null;
    this.eng = e;
    if (e !== null) {
      e.busy = true;
      e.beta.set(beta0);
    }
    this.beta = e !== null ? e.beta : beta0;
    this.eta = new Float64Array(n);
    this.rho = new Float64Array(n);
    this.rhoDual = new Float64Array(n);
    this.xt = new Float64Array(p);
    this.h = e !== null ? e.lh : new Float64Array(n);
    this.w = e !== null ? e.lw : new Float64Array(n);
    this.u = e !== null ? e.lu : new Float64Array(n);
    this.etaTry = new Float64Array(n);
    this.delta = e !== null ? e.ldelta : new Float64Array(p);
    this.curv = e !== null ? e.lcurv : new Float64Array(p);
    ({ active: this.active, activeList: this.activeList, nActive: this.nActive } = initialActiveSet(d.colNormsSq));
    this.refreshEta();
  }

  refreshEta(): void {
    matvec(this.d, this.beta, this.eta);
    if (this.b !== 0) for (let i = 0; i < this.n; i++) this.eta[i] += this.b;
  }

  gapOn(cols: Int32Array, m: number): LogregGap {
    return logregGap(this.d, this.ys, this.eta, this.beta, this.lambda, this.fitIntercept, cols, m, this.rho, this.rhoDual, this.xt);
  }

  objective(eta: Float64Array, pen: number): number {
    let loss = 0;
    const ys = this.ys;
    for (let i = 0; i < this.n; i++) loss += softplus(-ys[i]! * eta[i]!);
    return loss / this.n + this.lambda * pen;
  }

  l1(): number {
    let s = 0;
    for (let j = 0; j < this.p; j++) s += Math.abs(this.beta[j]!);
    return s;
  }

  run(): boolean {
    const o = this.o;
    const tolAbs = o.tol * Math.LN2;
    const ws = this.eng !== null ? this.eng.ws : new Int32Array(this.p);
    for (let t = 0; ; t++) {
      if (t > 0) this.refreshEta();
      const g = this.gapOn(this.activeList, this.nActive);
      this.last = g;
      if (g.gap <= tolAbs) return true;
      if (this.nOuter >= o.maxOuter || this.epochs >= o.maxIter) return false;
      this.nOuter++;
      this.screen(g);
      let m: number;
      if (!o.workingSet) {
        ws.set(this.activeList.subarray(0, this.nActive));
        m = this.nActive;
      } else {
        m = this.buildWorkingSet(g, ws, t);
      }
      this.wsSize = m;
      const full = m === this.nActive;
      this.inner(ws, m, full ? tolAbs : 0.3 * g.gap, tolAbs);
    }
  }

  screen(g: LogregGap): void {
    if (!this.o.screening || !(g.gap >= 0)) return;
    const radius = Math.sqrt(g.gap / (2 * this.n));
    const norms = this.d.colNorms;
    let removed = 0;
    for (let k = 0; k < this.nActive; k++) {
      const j = this.activeList[k]!;
      if (this.lambda - Math.abs(g.scale * this.xt[j]!) > norms[j]! * radius) {
        if (this.beta[j] !== 0) {
          // certified zero: drop it (η is refreshed at the next outer iteration anyway)
          this.beta[j] = 0;
        }
        this.active[j] = 0;
        removed++;
      }
    }
    if (removed > 0) {
      this.nActive = compactActiveList(this.activeList, this.nActive, this.active);
      this.screened += removed;
      this.refreshEta();
    }
  }

  buildWorkingSet(g: LogregGap, out: Int32Array, t: number): number {
    const nA = this.nActive;
    const list = this.activeList;
    let nnz = 0;
    for (let k = 0; k < nA; k++) if (this.beta[list[k]!] !== 0) nnz++;
    const grow = this.o.workingSetGrowth === 'double' ? this.o.p0 * 2 ** t : this.o.p0;
    const size = Math.min(nA, Math.max(grow, 2 * nnz));
    if (size >= nA) {
      out.set(list.subarray(0, nA));
      return nA;
    }
    const prio = new Float64Array(nA);
    const norms = this.d.colNorms;
    for (let k = 0; k < nA; k++) {
      const j = list[k]!;
      prio[k] = this.beta[j] !== 0 ? -Infinity : (this.lambda - Math.abs(g.scale * this.xt[j]!)) / norms[j]!;
    }
    return selectLowestPriority(list, prio, nA, size, out, new Float64Array(nA));
  }

  /** Proximal-Newton iterations on ws[0..m) until the restricted gap ≤ tolIn. */
  inner(ws: Int32Array, m: number, tolIn: number, tolAbs: number): void {
    const o = this.o;
    const n = this.n;
    const d = this.d;
    const { h, w, u, delta, curv, beta, eta, ys } = this;
    const lam = this.lambda;
    // inexact Newton forcing term: the model is solved to a relative accuracy that tightens as the
    // gap shrinks (η = √(gap/P), clipped to [1e-8, 1e-2]); loose early steps are cheap, late ones
    // accurate enough for fast local convergence (the gap is first-order in the KKT violation)
    let curGap = this.last.gap;
    for (;;) {
      if (this.epochs >= o.maxIter) return;
      const forcing = Math.min(1e-2, Math.max(1e-8, Math.sqrt(Math.max(curGap, 0) / Math.max(this.last.P, 1e-300))));
      // Hessian weights h and gradient weights g (stored in w = g + h∘u with u = 0)
      let hSum = 0;
      for (let i = 0; i < n; i++) {
        const s = sigmoid(eta[i]!);
        const hi = Math.max(s * (1 - s), 1e-12) / n;
        h[i] = hi;
        hSum += hi;
        w[i] = -(ys[i]! * sigmoid(-ys[i]! * eta[i]!)) / n;
      }
      const e = this.eng;
      if (e !== null) e.wnorms(e.xPtr, n, ws.byteOffset, m, h.byteOffset, curv.byteOffset);
      else weightedNormsSq(d, ws, m, h, curv);
      delta.fill(0);
      let db = 0;
      // CD passes on the quadratic model
      // stop when the largest coordinate move of a pass in gradient units, max_j H_jj|δ_j|, fell
      // below `forcing` × the first pass's (inexact directions would stall the gap near the end)
      const maxCd = 100;
      let firstMax = -1;
      for (let pass = 0; pass < maxCd; pass++) {
        let maxChange = 0;
        // (dense: the same pass in WebAssembly SIMD)
        if (e !== null) maxChange = e.wepoch(e.xPtr, n, ws.byteOffset, m, beta.byteOffset, delta.byteOffset, w.byteOffset, h.byteOffset, curv.byteOffset, lam);
        else for (let k = 0; k < m; k++) {
          const j = ws[k]!;
          const hj = curv[j]!;
          if (!(hj > 0)) continue;
          const gj = colDotJ(d, j, w);
          const old = beta[j]! + delta[j]!;
          const zj = old - gj / hj;
          const tj = lam / hj;
          const nv = zj > tj ? zj - tj : zj < -tj ? zj + tj : 0;
          if (nv !== old) {
            const dl = nv - old;
            delta[j] = nv - beta[j]!;
            colAxpyWeighted(d, j, dl, h, w);
            const c = hj * Math.abs(dl);
            if (c > maxChange) maxChange = c;
          }
        }
        if (this.fitIntercept) {
          let gb = 0;
          for (let i = 0; i < n; i++) gb += w[i]!;
          const dl = -gb / hSum;
          if (dl !== 0) {
            db += dl;
            for (let i = 0; i < n; i++) w[i] += dl * h[i]!;
            const c = hSum * Math.abs(dl);
            if (c > maxChange) maxChange = c;
          }
        }
        this.epochs++;
        this.coordUpdates += m;
        if (firstMax < 0) firstMax = maxChange;
        if (maxChange <= forcing * firstMax || maxChange <= 1e-3 * tolAbs) break;
      }
      // u = XΔ + Δb
      u.fill(db);
      // four non-zero columns per pass over u (`gemvSkip4`: the bits of `gemvSkip`, ≈ 25% faster, round cv5)
      if (e !== null) e.gemvSkip4(e.xPtr, n, this.p, delta.byteOffset, u.byteOffset);
      else {
        for (let k = 0; k < m; k++) {
          const j = ws[k]!;
          if (delta[j] !== 0) colAxpyPlain(d, j, delta[j]!, u);
        }
      }
      // directional term: gᵀu + λ(‖β+Δ‖₁ − ‖β‖₁), with g = −ρ/n recomputed from η
      let gu = 0;
      for (let i = 0; i < n; i++) gu += (-(ys[i]! * sigmoid(-ys[i]! * eta[i]!)) / n) * u[i]!;
      let penOld = 0, penNew = 0;
      for (let k = 0; k < m; k++) {
        const j = ws[k]!;
        penOld += Math.abs(beta[j]!);
        penNew += Math.abs(beta[j]! + delta[j]!);
      }
      const penRest = this.l1() - penOld;
      const f0 = this.objective(eta, penRest + penOld);
      const dq = gu + lam * (penNew - penOld);
      let step = 1;
      let accepted = false;
      // near the optimum the predicted decrease is below the rounding of P (≈ 1e-16·P): the
      // objective can no longer arbitrate, so the (locally quadratically convergent) full Newton
      // step is taken as is
      const unmeasurable = Math.abs(dq) <= 1e-13 * (1 + Math.abs(f0));
      for (let ls = 0; ls < 30; ls++) {
        const et = this.etaTry;
        for (let i = 0; i < n; i++) et[i] = eta[i]! + step * u[i]!;
        let pen = penRest;
        for (let k = 0; k < m; k++) {
          const j = ws[k]!;
          pen += Math.abs(beta[j]! + step * delta[j]!);
        }
        const f1 = this.objective(et, pen);
        if (unmeasurable || f1 <= f0 + 1e-4 * step * dq || f1 <= f0) {
          accepted = unmeasurable || f1 < f0;
          for (let k = 0; k < m; k++) {
            const j = ws[k]!;
            beta[j] = beta[j]! + step * delta[j]!;
          }
          this.b += step * db;
          eta.set(et);
          break;
        }
        step /= 2;
      }
      this.newton++;
      const g = this.gapOn(ws, m);
      curGap = g.gap;
      if (g.gap <= tolIn || !accepted) return;
    }
  }
}

/** Σ_i h_i x_ij² for j in ws (dense or CSC, un-centred). */
function weightedNormsSq(d: PreparedDesign, ws: Int32Array, m: number, h: Float64Array, out: Float64Array): void {
  const n = d.nRows;
  const X = d.data;
  for (let k = 0; k < m; k++) {
    const j = ws[k]!;
    let s = 0;
    if (d.isSparse) {
      const e = d.indptr[j + 1]!;
      for (let q = d.indptr[j]!; q < e; q++) {
        const v = X[q]!;
        s += h[d.indices[q]!]! * v * v;
      }
    } else {
      const o = j * n;
      for (let i = 0; i < n; i++) {
        const v = X[o + i]!;
        s += h[i]! * v * v;
      }
    }
    out[j] = s;
  }
}

/** X_jᵀ w (un-centred). */
function colDotJ(d: PreparedDesign, j: number, w: Float64Array): number {
  const X = d.data;
  let s = 0;
  if (d.isSparse) {
    const e = d.indptr[j + 1]!;
    const idx = d.indices;
    for (let q = d.indptr[j]!; q < e; q++) s += X[q]! * w[idx[q]!]!;
    return s;
  }
  const n = d.nRows;
  const o = j * n;
  let s1 = 0;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    s += X[o + i]! * w[i]!;
    s1 += X[o + i + 1]! * w[i + 1]!;
  }
  if (i < n) s += X[o + i]! * w[i]!;
  return s + s1;
}

/** w ← w + a·(h ∘ X_j). */
function colAxpyWeighted(d: PreparedDesign, j: number, a: number, h: Float64Array, w: Float64Array): void {
  const X = d.data;
  if (d.isSparse) {
    const e = d.indptr[j + 1]!;
    const idx = d.indices;
    for (let q = d.indptr[j]!; q < e; q++) {
      const i = idx[q]!;
      w[i] += a * h[i]! * X[q]!;
    }
    return;
  }
  const n = d.nRows;
  const o = j * n;
  for (let i = 0; i < n; i++) w[i] += a * h[i]! * X[o + i]!;
}

/** u ← u + a·X_j (un-centred). */
function colAxpyPlain(d: PreparedDesign, j: number, a: number, u: Float64Array): void {
  const X = d.data;
  if (d.isSparse) {
    const e = d.indptr[j + 1]!;
    const idx = d.indices;
    for (let q = d.indptr[j]!; q < e; q++) u[idx[q]!] += a * X[q]!;
    return;
  }
  const n = d.nRows;
  const o = j * n;
  for (let i = 0; i < n; i++) u[i] += a * X[o + i]!;
}

/** Checks the labels and returns ±1 labels plus the class counts. */
export function prepareLabels(y: VectorLike | ArrayLike<number>, n: number, fitIntercept: boolean, fn: string): { ys: Float64Array; nPos: number; nNeg: number } {
  const ys = toSignedLabels(checkTarget(y, n, fn), fn);
  let nPos = 0;
  for (let i = 0; i < n; i++) if (ys[i]! > 0) nPos++;
  const nNeg = n - nPos;
  if (fitIntercept && (nPos === 0 || nNeg === 0)) {
    throw new InvalidArgumentError(`${fn}(): y contains a single class (${nPos} positive, ${nNeg} negative labels); the intercept would diverge — use fitIntercept: false or provide both classes`);
  }
  return { ys, nPos, nNeg };
}

/**
 * Sparse logistic regression: minimises (1/n) Σ log(1 + exp(−y_i(x_iᵀβ + b))) + λ‖β‖₁ with labels
 * 0/1 or −1/+1 (other values → InvalidArgumentError), optional unpenalised intercept b. Working-set
 * proximal Newton with Gap Safe screening; stops when the duality gap ≤ tol·log 2.
 * scikit-learn's `LogisticRegression(penalty='l1', C)` (with an unpenalised intercept, e.g. saga)
 * corresponds to λ = 1/(C·n).
 *
 * @example
 * const fit = sparseLogreg(X, [0, 1, 1, 0], 0.05);
 * fit.beta; fit.intercept; fit.linearPredictor; // Xβ + b
 * fit.residual; // z − σ(Xβ + b), so |X_jᵀ residual|/n ≤ λ (KKT)
 */
export function sparseLogreg(X: DesignInput, y: VectorLike, lambda: number, opts: SolverOptions = {}): LogRegResult {
  const t0 = performance.now();
  const fn = 'sparseLogreg';
  checkPositive(lambda, 'lambda', fn);
  const o = resolveOptions(opts, fn);
  const { d, owned } = resolveDesignOwned(X, false, fn);
  try {
    checkRows(d.nRows, o.fitIntercept, fn);
    checkDesignRange(d, fn);
    return logregPrepared(d, y, lambda, o, fn, t0);
  } finally {
    if (owned) disposeDesign(d);
  }
}

function logregPrepared(d: PreparedDesign, y: VectorLike, lambda: number, o: ReturnType<typeof resolveOptions>, fn: string, t0: number): LogRegResult {
  const n = d.nRows;
  const { ys, nPos, nNeg } = prepareLabels(y, n, o.fitIntercept, fn);
  const beta = warmBeta(o.warmStart, d.nCols, d.colNormsSq, fn);
  let b0 = 0;
  if (o.fitIntercept) {
    const wi = o.warmStart?.intercept;
    if (wi !== undefined) {
      if (!Number.isFinite(wi)) throw new InvalidArgumentError(`${fn}(): warmStart.intercept must be finite, got ${wi}`);
      b0 = wi;
    } else {
      b0 = Math.log(nPos / nNeg); // optimal intercept at β = 0
    }
  }
  const s = new LogregPN(d, ys, lambda, o.fitIntercept, o, beta, b0);
  let converged: boolean;
  let betaOut: Float64Array;
  try {
    converged = s.run();
    betaOut = new Float64Array(s.beta); // copy out of the (reused) engine memory
  } finally {
    if (s.eng !== null) s.eng.busy = false;
  }
  const lmax = lambdaMaxLogregSigned(d, ys, o.fitIntercept);
  const residual = new Float64Array(n);
  for (let i = 0; i < n; i++) residual[i] = ys[i]! * sigmoid(-ys[i]! * s.eta[i]!);
  const dual = new Float64Array(n);
  for (let i = 0; i < n; i++) dual[i] = s.last.scale * s.rhoDual[i]!;
  const stats: SolverStats = { coordinateUpdates: s.coordUpdates, andersonAccepted: 0, dualExtrapolationUsed: 0, screened: s.screened, workingSetSize: s.wsSize };
  const res: LogRegResult = {
    model: 'logreg',
    solver: o.workingSet ? 'prox-newton-ws' : 'prox-newton',
    beta: betaOut,
    intercept: s.b,
    residual,
    gap: Math.max(0, s.last.gap),
    primal: s.last.P,
    dual: s.last.D,
    tolerance: o.tol * Math.LN2,
    converged,
    iterations: s.epochs,
    nOuter: s.nOuter,
    support: supportOf(betaOut),
    dualPoint: dual,
    lambdaMax: lmax,
    stats,
    timings: { totalMs: performance.now() - t0 },
    linearPredictor: new Float64Array(s.eta),
    labels: ys,
  };
  return handleFailure(res, o.onFailure, fn);
}
