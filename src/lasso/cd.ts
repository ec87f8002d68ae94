/**
 * @file The public coordinate-descent solvers of the squared-loss Lasso family: `lasso`,
 * `elasticNet`, `weightedLasso`, `lambdaMaxWeighted`, and the driver they share (input conversion,
 * power-of-two rescaling of extreme data, warm starts, result assembly, failure policy, the choice
 * of the Gram mode). The solver itself (working sets, screening, extrapolation) is `QuadCD` in
 * quad_cd.ts, the Gram (covariance-update) mode quad_gram.ts; the path is path.ts.
 */
import type { DesignInput, PreparedDesign } from './design.js';
import { disposeDesign, interceptOf, resolveDesignOwned } from './design.js';
import type { SolverOptions, SolverResult, SolverStats } from './models.js';
import { checkDesignRange, checkRows, checkTarget, checkWeights, handleFailure, lambdaMaxFromTarget, makeTarget, mulPow2, resolveOptions, scaledTarget, supportOf, warmBeta, type ResolvedOptions } from './models.js';
import type { VectorLike } from '../data/matrix.js';
import { checkOptions, checkPositive } from '../core/options.js';
import { QuadCD, type RunOut } from './quad_cd.js';
import { quadSpecOf, sumSq, type QuadSpec } from './quad_model.js';
import { addDesignWork, type GramCert, designWork, gramPreferred, gramEligible, gramSolve, gramSwitchWork, lambdaMaxFromXty } from './quad_gram.js';
import { initialActiveSet } from './columns.js';
import { InvalidArgumentError, NonFiniteError } from '../core/errors.js';

type Resolved = ResolvedOptions;

// ---------------------------------------------------------------------------------------------
// Driver and public API
// ---------------------------------------------------------------------------------------------

function solveQuadratic(X: DesignInput, y: VectorLike, spec0: (p: number) => QuadSpec, opts: SolverOptions, fn: string): SolverResult {
  const t0 = performance.now();
  const o = resolveOptions(opts, fn, ['gram', 'blockCD']);
  const { d, owned } = resolveDesignOwned(X, o.fitIntercept, fn, true);
  try {
    return solvePrepared(d, owned, y, spec0, o, fn, t0);
  } finally {
    if (owned) disposeDesign(d);
  }
}

/**
 * Solves on a prepared design. Extreme data are solved in scaled units (design.ts, models.ts):
 * X' = aX, y' = cy (powers of two), β' = (c/a)β, λ' = λac, λ₂' = λ₂a²; the objective is then
 * P'(β') = c²P(β), and the results are mapped back exactly.
 */
function solvePrepared(d: PreparedDesign, owned: boolean, y: VectorLike, spec0: (p: number) => QuadSpec, o: Resolved, fn: string, t0: number): SolverResult {
  const n = d.nRows;
  const p = d.nCols;
  checkRows(n, d.centered, fn);
  const spec = spec0(p);
  checkDesignRange(d, fn);
  // this call's own copy of y (in the reused target buffer when free: see `targetBuffer`),
  // centred in place
  const own = takeTargetBuffer(y, n);
  if (own !== null) checkFinite(own, fn);
  const { y: yv, scale: c } = scaledTarget(own ?? checkTarget(y, n, fn));
  const a = d.scale;
  const ea = Math.log2(a);
  const ec = Math.log2(c);
  const target = makeTarget(yv, d.centered, true);
  const beta = warmBeta(o.warmStart, p, d.colNormsSq, fn);
  if (ea !== ec) for (let j = 0; j < p; j++) beta[j] = mulPow2(beta[j]!, ec - ea);
  const scaled = ea === 0 && ec === 0 ? spec : scaleSpec(spec, ea + ec, 2 * ea);
  if (o.gram === true && d.isSparse) throw new InvalidArgumentError(`${fn}(): option gram: true needs a dense X (X is CSC); use gram: 'auto' or false`);
  const gramOk = o.gram === true || (o.gram === 'auto' && gramEligible(d));
  let solver: QuadCD | null = null;
  let res: SolverResult;
  try {
    // Gram mode (quad_gram.ts) from the current iterate, then a fresh residual-mode solver whose
    // first gap check recomputes r = y_c − X_cβ exactly: the certified gap (see quad_gram.ts)
    // (from the start: no residual-mode solver is built before, only after, for the certificate)
    const toGram = (prev: QuadCD | null): QuadCD => {
      let b = beta;
      let act: { activeList: Int32Array; nActive: number } = initialActiveSet(d.colNormsSq);
      if (prev !== null) {
        prev.sync();
        b = new Float64Array(prev.beta);
        prev.release();
        act = prev;
      }
      const e0 = prev === null ? 0 : prev.epochs;
      const tolAbs = (o.tol * sumSq(d.nRows, target.yc)) / d.nRows; // QuadCD.tolAbs()
      const gr = gramSolve(d, target.yc, scaled, b, act.activeList, act.nActive, tolAbs, Math.max(0, o.maxIter - e0));
      const next = new QuadCD(d, target.yc, scaled, o, b);
      next.epochs = e0 + gr.epochs;
      if (prev !== null) {
        next.coordUpdates = prev.coordUpdates;
        next.nOuter = prev.nOuter;
        next.screened = prev.screened;
        next.screenBound = prev.screenBound; // screened features stay out of the active set
      }
      next.coordUpdates += gr.coordUpdates;
      if (!next.hasUnpen) next.knownLmax = lambdaMaxFromXty(d, gr.q, spec.weights);
      gramCert = next.hasUnpen ? null : gr.cert;
      gramList = act.activeList.slice(0, act.nActive);
      return next;
    };
    // the Gram loop's certified gap (quad_gram.ts `gramCertificate`) stands in for the residual
    // pass: the constructor recomputed r = y_c − X_cβ exactly (the result's residual and dual point)
    let gramCert: GramCert | null = null;
    let gramList: Int32Array | null = null;
    const certifiedByGram = (s: QuadCD, cert: GramCert): RunOut => {
      const P = s.primalValue();
      if (cert.g !== undefined && cert.err !== undefined && gramList !== null) s.gramCheck = { g: cert.g, err: cert.err, list: gramList };
      s.last = { P, D: P - cert.gap, gap: cert.gap, t: cert.t };
      s.lastFromCand = false;
      return { converged: true, lambdaMax: s.knownLmax, dualRho: s.r, dualT: cert.t, dualBeta: spec.l2 > 0 ? s.beta : null, switched: false };
    };
    let gramUsed = false;
    let s: QuadCD;
    if (gramOk && (o.gram === true || gramPreferred(d))) {
      s = solver = toGram(null);
      gramUsed = true;
    } else {
      s = solver = new QuadCD(d, target.yc, scaled, o, beta);
      if (gramOk) s.switchAfter = Math.max(0, gramSwitchWork(d) - designWork(d));
    }
    let out = gramCert !== null ? certifiedByGram(s, gramCert) : s.run(!s.hasUnpen);
    // the work of this solve in coordinate updates: its updates and its gap checks' column dot
    // products (half an update each; on warm-started paths with small supports the O(n·p) checks
    // dominate, and counting updates alone left 30 of a CV fold's 100 λ in residual mode)
    if (!gramUsed) addDesignWork(d, s.coordUpdates + s.dotWork / 2);
    if (out.switched) {
      s = solver = toGram(s);
      out = gramCert !== null ? certifiedByGram(s, gramCert) : s.run(!s.hasUnpen);
    }
    s.sync();
    res = finishQuadratic(s, spec, d, target.yMean, out, o.workingSet ? 'cd-ws' : 'cd', t0, ea, ec);
  } finally {
    solver?.release();
  }
  // a design prepared here is disposed on return, the target buffer is reused: evaluate the lazy
  // λ_max now (it reads the design and y_c; only the weighted Lasso with unpenalised features defers it)
  if (owned || own !== null) void res.lambdaMax;
  if (own !== null) targetBuffer = own;
  return handleFailure(res, o.onFailure, fn);
}

/**
 * A residual buffer its owner gave up (`offerResidual`): the next result of that length is written
 * into it instead of a new array.
 */
let spareResidual: Float64Array | null = null;

/**
 * @internal Gives `v` up (null: withdraws the offer): the next solve of the squared-loss family with
 * n = v.length returns its residual in `v`. Streamed CV folds offer the residual of the warm start
 * their next solve replaces, which nothing else holds (issue 12: no n-vector of garbage per solve).
 *
 * @example
 * offerResidual(old.residual); // old is dropped by the caller
 * const fit = lasso(P, y, 0.1); // fit.residual === old's buffer
 */
export function offerResidual(v: Float64Array | null): void {
  spareResidual = v;
}

function takeResidual(n: number): Float64Array {
  const v = spareResidual;
  spareResidual = null;
  return v !== null && v.length === n ? v : new Float64Array(n);
}

/**
 * The target copy of the last solve, reused by the next one of the same n (taken while in use, so
 * a nested solve makes its own): the CV folds and paths solve hundreds of times, and a fresh copy
 * per solve was garbage waiting for the collector (issue 12). Nothing returned refers to it.
 */
let targetBuffer: Float64Array | null = null;

/** y (a Float64Array of n entries) copied into the target buffer, or null (then `checkTarget`). */
function takeTargetBuffer(y: VectorLike, n: number): Float64Array | null {
  if (!(y instanceof Float64Array) || y.length !== n) return null;
  let b = targetBuffer;
  targetBuffer = null;
  if (b === null || b.length !== n) b = new Float64Array(n);
  b.set(y);
  return b;
}

/** `checkTarget`'s finiteness check on a copy made by `takeTargetBuffer`. */
function checkFinite(y: Float64Array, fn: string): void {
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    if (!Number.isFinite(v)) throw new NonFiniteError(`${fn}(): y contains a non-finite value (${v}) at row ${i}`);
  }
}

/** The penalties in scaled units: l_j·2^e1 (capped to stay finite), λ₂·2^e2. */
function scaleSpec(spec: QuadSpec, e1: number, e2: number): QuadSpec {
  const l1 = spec.l1.map((v) => Math.min(mulPow2(v, e1), 1e300));
  return { ...spec, l1, l2: Math.min(mulPow2(spec.l2, e2), 1e300) };
}

/**
 * dst[j] = src[j] for j = list[k], k < count: a small function, optimised after a few solves
 * instead of a loop boxing every value in `finishQuadratic` until it is (issue 12, round cold2).
 */
function copyAt(dst: Float64Array, src: Float64Array, list: Int32Array, count: number): void {
  for (let k = 0; k < count; k++) {
    const j = list[k]!;
    dst[j] = src[j]!;
  }
}

function finishQuadratic(
  s: QuadCD, spec: QuadSpec, d: PreparedDesign, yMean: number,
  out: RunOut,
  solver: 'cd' | 'cd-ws', t0: number,
  ea: number, ec: number,
): SolverResult {
  const n = s.n;
  const beta = new Float64Array(s.beta); // copy out of the (reused) engine memory
  let intercept = interceptOf(d, beta, yMean);
  const tn = out.dualT / n;
  const residual = takeResidual(n);
  residual.set(s.r.subarray(0, n));
  // back to the units of the data (no-op unless the data were rescaled)
  const unscaled = ea !== 0 || ec !== 0;
  // θ = (t/n)ρ: when ρ is the residual itself and nothing is rescaled, made on first read of
  // `dualPoint` from the residual copy (the same products, so the same bits; the tuning criteria
  // never read it: one n-vector per solve fewer, issue 12), else now (ρ lives in reused memory)
  const lazyDual = out.dualRho === s.r && !unscaled;
  let dual: Float64Array | null = null;
  if (!lazyDual) {
    dual = new Float64Array(n);
    for (let i = 0; i < n; i++) dual[i] = tn * out.dualRho[i]!;
  }
  const dualRidge = out.dualBeta !== null ? out.dualBeta.map((v) => v * out.dualT) : null;
  if (unscaled && dual !== null) {
    for (let j = 0; j < s.p; j++) beta[j] = mulPow2(beta[j]!, ea - ec);
    if (dualRidge !== null) for (let j = 0; j < s.p; j++) dualRidge[j] = mulPow2(dualRidge[j]!, ea - ec);
    intercept = mulPow2(intercept, -ec);
    for (let i = 0; i < n; i++) {
      residual[i] = mulPow2(residual[i]!, -ec);
      dual[i] = mulPow2(dual[i]!, -ec);
    }
  }
  const obj = (v: number): number => (unscaled ? mulPow2(v, -2 * ec) : v);
  // the last gap check's X_c,jᵀr (for the returned residual) and the screened features' bounds
  // (same units: X'ᵀr' = 2^(ea+ec) Xᵀr), for post-processing that certifies the KKT conditions
  let lastCheck: SolverResult['lastCheck'];
  const gc = s.gramCheck;
  if (gc !== null && !s.xtrFresh && !unscaled) {
    // Gram-mode finish: g = q − Gβ is X_cᵀr within err·‖X_c,j‖ for the exact residual of β; the
    // returned residual was recomputed from β (rounding of the same order: err doubled)
    const xtr = new Float64Array(s.p).fill(NaN);
    copyAt(xtr, gc.g, gc.list, gc.list.length);
    lastCheck = { xtr, bound: s.screenBound === null ? null : new Float64Array(s.screenBound), err: 2 * gc.err };
  } else if (s.xtrFresh || s.screenBound !== null) {
    const xtr = new Float64Array(s.p).fill(NaN);
    if (s.xtrFresh && !unscaled) copyAt(xtr, s.xtr, s.activeList, s.nActive);
    else if (s.xtrFresh) {
      for (let k = 0; k < s.nActive; k++) {
        const j = s.activeList[k]!;
        xtr[j] = mulPow2(s.xtr[j]!, -ea - ec);
      }
    }
    const sb = s.screenBound;
    const bound = sb === null ? null : unscaled ? sb.map((v) => mulPow2(v, -ea - ec)) : new Float64Array(sb);
    lastCheck = { xtr, bound };
  }
  const stats: SolverStats = {
    coordinateUpdates: s.coordUpdates,
    andersonAccepted: s.andersonAccepted,
    dualExtrapolationUsed: s.dualUsed,
    screened: s.screened,
    workingSetSize: s.wsSize,
  };
  let lmax = out.lambdaMax;
  let lmaxDone = !Number.isNaN(lmax);
  if (lmaxDone && unscaled) lmax = mulPow2(lmax, -ea - ec);
  const res = {
    model: spec.model,
    solver,
    beta,
    intercept,
    residual,
    gap: obj(Math.max(0, s.last.gap)),
    primal: obj(s.last.P),
    dual: obj(s.last.D),
    tolerance: obj(s.tolAbs()),
    converged: out.converged,
    iterations: s.epochs,
    nOuter: s.nOuter,
    support: supportOf(beta),
    get dualPoint(): Float64Array {
      if (dual === null) {
        dual = new Float64Array(n);
        for (let i = 0; i < n; i++) dual[i] = tn * residual[i]!;
      }
      return dual;
    },
    ...(dualRidge !== null ? { dualRidge } : {}),
    ...(lastCheck !== undefined ? { lastCheck } : {}),
    get lambdaMax(): number {
      // weighted Lasso with unpenalised features: needs a least-squares fit, done on first access
      if (!lmaxDone) {
        lmax = mulPow2(lambdaMaxWeightedPrepared(d, s.yc, spec.weights!), -ea - ec);
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
  const s = new QuadCD(d, yc, spec, o, new Float64Array(p));
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
 * const X = [[1, 2], [3, 4], [5, 7]];   // or a 2-D Tensor, a CscMatrix, a CsrMatrix
 * const fit = lasso(X, [1, 2, 4], 0.1, { tol: 1e-10 });
 * fit.beta; fit.intercept; fit.gap <= fit.tolerance; // true
 * const next = lasso(X, [1, 2, 4], 0.05, { warmStart: fit });   // warm start
 */
export function lasso(X: DesignInput, y: VectorLike, lambda: number, opts: SolverOptions = {}): SolverResult {
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
export function elasticNet(X: DesignInput, y: VectorLike, lambda1: number, lambda2: number, opts: SolverOptions = {}): SolverResult {
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
export function weightedLasso(X: DesignInput, y: VectorLike, lambda: number, weights: VectorLike, opts: SolverOptions = {}): SolverResult {
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
export function lambdaMaxWeighted(X: DesignInput, y: VectorLike, weights: VectorLike, opts: { fitIntercept?: boolean } = {}): number {
  const fn = 'lambdaMaxWeighted';
  checkOptions(opts, ['fitIntercept'], `${fn}()`);
  const { d, owned } = resolveDesignOwned(X, opts?.fitIntercept ?? true, fn, true);
  try {
    const w = checkWeights(weights, d.nCols, fn);
    checkDesignRange(d, fn);
    const { y: yv, scale: c } = scaledTarget(checkTarget(y, d.nRows, fn));
    const t = makeTarget(yv, d.centered);
    return mulPow2(lambdaMaxWeightedPrepared(d, t.yc, w), -Math.log2(d.scale) - Math.log2(c));
  } finally {
    if (owned) disposeDesign(d);
  }
}
