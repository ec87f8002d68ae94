/**
 * @file Proximal gradient (ISTA / FISTA with adaptive restart) for every Lasso-type model, with
 * the same duality-gap stopping rule as the coordinate-descent solvers.
 *
 * This is the fixed-point formulation used by implicit differentiation: with f the smooth part
 * and g the ℓ1 part, the solution satisfies
 *
 *   β = prox_{γg}(β − γ∇f(β)),   γ = 1/L,
 *
 * - squared loss: f(β) = (1/2n)‖y_c − X_cβ‖² + (λ₂/2)‖β‖², ∇f = −X_cᵀr/n + λ₂β,
 *   L = ‖X_c‖₂²/n + λ₂; prox_{γg}(z)_j = ST(z_j, γλ_j) (soft-thresholding, λ_j = λ·w_j);
 * - logistic: f(β, b) = (1/n)Σ log(1 + exp(−y_i(x_iᵀβ + b))), ∇_β f = −Xᵀρ/n, ∂_b f = −1ᵀρ/n
 *   (ρ_i = y_iσ(−y_iη_i)), L = ‖[X 1]‖₂²/(4n) (‖X‖₂²/(4n) without intercept); b is not penalised.
 *
 * ‖·‖₂² comes from power iteration (`spectralNormSq`, inflated by 1e-6 relative because power
 * iteration converges from below). FISTA: z^{k+1} = β^{k+1} + ((t_k − 1)/t_{k+1})(β^{k+1} − β^k),
 * t_{k+1} = (1 + √(1 + 4t_k²))/2, restarted (t = 1, z = β) when (z^k − β^{k+1})ᵀ(β^{k+1} − β^k) > 0
 * (O'Donoghue–Candès gradient scheme). For squared loss X_c z is formed from X_cβ^{k+1} and
 * X_cβ^k (linear), so one X·(sparse β) and one Xᵀ· product per iteration; the gap costs one more
 * Xᵀ· product every `gapFreq` iterations.
 */
import type { DesignInput, PreparedDesign } from './design.js';
import { disposeDesign, interceptOf, resolveDesignOwned } from './design.js';
import { colDots, matvec, spectralNormSq, vecSum } from './columns.js';
import type { ModelSpec, ProxGradResult, SolverOptions, SolverStats } from './models.js';
import { checkDesignRange, checkRows, checkTarget, handleFailure, lambdaMaxFromTarget, lambdaMaxLogregSigned, makeTarget, resolveOptions, scaledTarget, supportOf, warmBeta } from './models.js';
import type { VectorLike } from '../data/matrix.js';
import { checkOptions, checkPositive } from '../core/options.js';
import { lambdaMaxWeightedPrepared } from './cd.js';
import { candidateDualValue, quadraticGap, quadSpecOf, UnpenalisedProjector } from './quad_model.js';
import { logregGap, prepareLabels } from './logreg.js';
import { sigmoidScalar as sigmoid } from '../ops/unary.js';
import { InvalidArgumentError } from '../core/errors.js';

/** Options of the proximal-gradient solver. */
export interface ProxGradOptions extends SolverOptions {
  /** FISTA momentum (default true); false gives ISTA. */
  readonly accelerated?: boolean;
  /** Adaptive (gradient) restart of the momentum. Default true. */
  readonly restart?: boolean;
  /** Use this Lipschitz constant instead of power iteration (must be ≥ the true one for FISTA). */
  readonly lipschitz?: number;
}

/** ST(z, τ) = sign(z)·max(|z| − τ, 0). */
export function softThresholdScalar(z: number, tau: number): number {
  return z > tau ? z - tau : z < -tau ? z + tau : 0;
}

/**
 * Lipschitz constant L of ∇f for `model` on X (see the file header), by power iteration. The
 * proximal-gradient step is γ = 1/L.
 *
 * @example
 * const L = lipschitzConstant(X, { type: 'lasso', lambda: 0.1 }); // ‖X_c‖₂²/n (×(1 + 1e-6))
 */
export function lipschitzConstant(X: DesignInput, model: ModelSpec, opts: { fitIntercept?: boolean } = {}): number {
  checkOptions(opts, ['fitIntercept'], 'lipschitzConstant()');
  const fit = opts?.fitIntercept ?? true;
  if (model === null || typeof model !== 'object') throw new InvalidArgumentError('lipschitzConstant(): model must be a ModelSpec object');
  const logistic = model.type === 'logreg';
  const { d, owned } = resolveDesignOwned(X, logistic ? false : fit, 'lipschitzConstant');
  try {
    return lipschitzPrepared(d, model, fit);
  } finally {
    if (owned) disposeDesign(d);
  }
}

function lipschitzPrepared(d: PreparedDesign, model: ModelSpec, fit: boolean): number {
  const n = d.nRows;
  const inflate = 1 + 1e-6;
  if (model.type === 'logreg') return (spectralNormSq(d, { extraOnes: fit }) * inflate) / (4 * n);
  const l2 = model.type === 'enet' ? model.lambda2 : 0;
  return (spectralNormSq(d) * inflate) / n + l2;
}

/**
 * Proximal gradient (FISTA by default, ISTA with `accelerated: false`) for any `ModelSpec`, stopped
 * by the same duality gap as the coordinate-descent solvers (tol·‖y_c‖²/n, logreg tol·log 2).
 * Slower than CD on Lasso problems, but it is the fixed-point map used by implicit differentiation:
 * the result carries `lipschitz` and `step` = 1/L.
 *
 * @example
 * const fit = proxGrad(X, y, { type: 'lasso', lambda: 0.1 }, { tol: 1e-10 });
 * fit.step; // γ: β = ST(β + γ X_cᵀr/n, γλ) at the solution
 */
export function proxGrad(X: DesignInput, y: VectorLike, model: ModelSpec, opts: ProxGradOptions = {}): ProxGradResult {
  const t0 = performance.now();
  const fn = 'proxGrad';
  const o = resolveOptions(opts, fn, ['accelerated', 'restart', 'lipschitz']);
  if (model === null || typeof model !== 'object') throw new InvalidArgumentError(`${fn}(): model must be a ModelSpec object, got ${String(model)}`);
  const logistic = model.type === 'logreg';
  const { d, owned } = resolveDesignOwned(X, logistic ? false : o.fitIntercept, fn);
  try {
    checkRows(d.nRows, o.fitIntercept, fn);
    checkDesignRange(d, fn);
    let L = opts.lipschitz;
    if (L !== undefined) checkPositive(L, 'lipschitz', fn);
    const accel = opts.accelerated ?? true;
    const restart = opts.restart ?? true;
    const run = logistic ? runLogreg : runQuadratic;
    const res = run(d, y, model, o, accel, restart, L, t0);
    return handleFailure(res, o.onFailure, fn);
  } finally {
    if (owned) disposeDesign(d);
  }
}

function runQuadratic(
  d: PreparedDesign, y: VectorLike, model: ModelSpec, o: ReturnType<typeof resolveOptions>,
  accel: boolean, restart: boolean, Lgiven: number | undefined, t0: number,
): ProxGradResult {
  const fn = 'proxGrad';
  const n = d.nRows;
  const p = d.nCols;
  const spec = quadSpecOf(model, p, fn);
  const yv = checkTarget(y, n, fn);
  if (scaledTarget(new Float64Array(yv)).scale !== 1) {
    throw new InvalidArgumentError(`${fn}(): the values of y overflow or underflow float64 in ‖y‖² (|y| beyond about 1e±75); rescale y, or use the coordinate-descent solvers (lasso, elasticNet, weightedLasso), which rescale exactly`);
  }
  const target = makeTarget(yv, d.centered);
  const yc = target.yc;
  const L = Lgiven ?? lipschitzPrepared(d, model, o.fitIntercept);
  const gamma = 1 / L;
  const { l1, l2 } = spec;
  const normsSq = d.colNormsSq;
  const tolAbs = (o.tol * target.yNormSq) / n;

  let beta: Float64Array = warmBeta(o.warmStart, p, normsSq, fn);
  let betaNew: Float64Array = new Float64Array(p);
  const z = new Float64Array(beta);
  let u: Float64Array = new Float64Array(n); // X_cβ
  let uNew: Float64Array = new Float64Array(n);
  const uz = new Float64Array(n); // X_c z
  const rz = new Float64Array(n);
  const r = new Float64Array(n);
  const g = new Float64Array(p);
  const xtr = new Float64Array(p);
  matvec(d, beta, u);
  uz.set(u);
  let tk = 1;
  let iters = 0;
  let converged = false;
  let last = { P: NaN, D: NaN, gap: Infinity, t: 1 };
  let hasUnpen = false;
  for (let j = 0; j < p; j++) if (l1[j] === 0 && normsSq[j]! > 0) hasUnpen = true;
  // unpenalised features: dual point from the projected residual (see UnpenalisedProjector)
  const proj = hasUnpen ? new UnpenalisedProjector(d, l1) : null;
  const dualRho = proj === null ? r : new Float64Array(n);
  const gapAt = (): void => {
    for (let i = 0; i < n; i++) r[i] = yc[i]! - u[i]!;
    colDots(d, r, vecSum(n, r), null, p, xtr);
    last = quadraticGap(n, beta, r, xtr, l1, l2, null, p);
    if (proj !== null) {
      proj.project(r, dualRho);
      colDots(d, dualRho, vecSum(n, dualRho), null, p, xtr);
      const c = candidateDualValue(n, yc, dualRho, xtr, l1, l2, null, null, p);
      last = { P: last.P, D: c.D, gap: last.P - c.D, t: c.t };
    }
  };
  for (;;) {
    if (iters % o.gapFreq === 0) {
      gapAt();
      if (last.gap <= tolAbs) {
        converged = true;
        break;
      }
    }
    if (iters >= o.maxIter) break;
    // gradient at z: −X_cᵀ(y_c − X_c z)/n + λ₂ z
    for (let i = 0; i < n; i++) rz[i] = yc[i]! - uz[i]!;
    colDots(d, rz, vecSum(n, rz), null, p, g);
    let dot = 0;
    for (let j = 0; j < p; j++) {
      if (normsSq[j] === 0) {
        betaNew[j] = 0;
        continue;
      }
      const zj = z[j]!;
      const grad = -g[j]! / n + l2 * zj;
      const bn = softThresholdScalar(zj - gamma * grad, gamma * l1[j]!);
      betaNew[j] = bn;
      dot += (zj - bn) * (bn - beta[j]!);
    }
    matvec(d, betaNew, uNew);
    let mom = 0;
    if (accel) [tk, mom] = fistaMomentum(tk, restart && dot > 0);
    for (let j = 0; j < p; j++) z[j] = betaNew[j]! + mom * (betaNew[j]! - beta[j]!);
    for (let i = 0; i < n; i++) uz[i] = uNew[i]! + mom * (uNew[i]! - u[i]!);
    [beta, betaNew] = [betaNew, beta];
    [u, uNew] = [uNew, u];
    iters++;
  }
  if (!converged) gapAt();
  const intercept = interceptOf(d, beta, target.yMean);
  const dual = new Float64Array(n);
  for (let i = 0; i < n; i++) dual[i] = (last.t * dualRho[i]!) / n;
  const stats: SolverStats = { coordinateUpdates: iters * p, andersonAccepted: 0, dualExtrapolationUsed: 0, screened: 0, workingSetSize: p };
  const lmax = spec.model !== 'wlasso' ? lambdaMaxFromTarget(d, yc, null) : lambdaMaxWeightedPrepared(d, yc, spec.weights!);
  return {
    model: spec.model,
    solver: accel ? 'fista' : 'ista',
    beta: new Float64Array(beta),
    intercept,
    residual: new Float64Array(r),
    gap: Math.max(0, last.gap),
    primal: last.P,
    dual: last.D,
    tolerance: tolAbs,
    converged,
    iterations: iters,
    nOuter: 1,
    support: supportOf(beta),
    dualPoint: dual,
    lambdaMax: lmax,
    stats,
    timings: { totalMs: performance.now() - t0 },
    lipschitz: L,
    step: gamma,
  };
}

function runLogreg(
  d: PreparedDesign, y: VectorLike, model: ModelSpec, o: ReturnType<typeof resolveOptions>,
  accel: boolean, restart: boolean, Lgiven: number | undefined, t0: number,
): ProxGradResult {
  const fn = 'proxGrad';
  if (model.type !== 'logreg') throw new InvalidArgumentError(`${fn}(): internal model mismatch`);
  const lam = checkPositive(model.lambda, 'lambda', fn);
  const n = d.nRows;
  const p = d.nCols;
  const fit = o.fitIntercept;
  const { ys, nPos, nNeg } = prepareLabels(y, n, fit, fn);
  const L = Lgiven ?? lipschitzPrepared(d, model, fit);
  const gamma = 1 / L;
  const normsSq = d.colNormsSq;
  const tolAbs = o.tol * Math.LN2;

  let beta: Float64Array = warmBeta(o.warmStart, p, normsSq, fn);
  let b = fit ? (o.warmStart?.intercept ?? Math.log(nPos / nNeg)) : 0;
  let betaNew: Float64Array = new Float64Array(p);
  const z = new Float64Array(beta);
  let zb = b;
  let u: Float64Array = new Float64Array(n); // Xβ (without b)
  let uNew: Float64Array = new Float64Array(n);
  const eta = new Float64Array(n);
  const rho = new Float64Array(n);
  const rhoDual = new Float64Array(n);
  const g = new Float64Array(p);
  const xt = new Float64Array(p);
  matvec(d, beta, u);
  const uzb = new Float64Array(u); // Xz (without the intercept)
  let tk = 1;
  let iters = 0;
  let converged = false;
  let last = { P: NaN, D: NaN, gap: Infinity, scale: 0 };
  const gapAt = (): void => {
    for (let i = 0; i < n; i++) eta[i] = u[i]! + b;
    last = logregGap(d, ys, eta, beta, lam, fit, null, p, rho, rhoDual, xt);
  };
  for (;;) {
    if (iters % o.gapFreq === 0) {
      gapAt();
      if (last.gap <= tolAbs) {
        converged = true;
        break;
      }
    }
    if (iters >= o.maxIter) break;
    // gradient at (z, zb): −Xᵀρ_z/n, −1ᵀρ_z/n
    let rs = 0;
    for (let i = 0; i < n; i++) {
      const e = uzb[i]! + zb;
      const v = ys[i]! * sigmoid(-ys[i]! * e);
      rho[i] = v;
      rs += v;
    }
    colDots(d, rho, rs, null, p, g);
    let dot = 0;
    for (let j = 0; j < p; j++) {
      if (normsSq[j] === 0) {
        betaNew[j] = 0;
        continue;
      }
      const zj = z[j]!;
      const bn = softThresholdScalar(zj + (gamma * g[j]!) / n, gamma * lam);
      betaNew[j] = bn;
      dot += (zj - bn) * (bn - beta[j]!);
    }
    const bNew = fit ? zb + (gamma * rs) / n : 0;
    dot += (zb - bNew) * (bNew - b);
    matvec(d, betaNew, uNew);
    let mom = 0;
    if (accel) [tk, mom] = fistaMomentum(tk, restart && dot > 0);
    for (let j = 0; j < p; j++) z[j] = betaNew[j]! + mom * (betaNew[j]! - beta[j]!);
    zb = bNew + mom * (bNew - b);
    for (let i = 0; i < n; i++) uzb[i] = uNew[i]! + mom * (uNew[i]! - u[i]!);
    [beta, betaNew] = [betaNew, beta];
    [u, uNew] = [uNew, u];
    b = bNew;
    iters++;
  }
  if (!converged) gapAt();
  const dual = new Float64Array(n);
  for (let i = 0; i < n; i++) dual[i] = last.scale * rhoDual[i]!;
  const stats: SolverStats = { coordinateUpdates: iters * p, andersonAccepted: 0, dualExtrapolationUsed: 0, screened: 0, workingSetSize: p };
  return {
    model: 'logreg',
    solver: accel ? 'fista' : 'ista',
    beta: new Float64Array(beta),
    intercept: b,
    residual: new Float64Array(rho),
    gap: Math.max(0, last.gap),
    primal: last.P,
    dual: last.D,
    tolerance: tolAbs,
    converged,
    iterations: iters,
    nOuter: 1,
    support: supportOf(beta),
    dualPoint: dual,
    lambdaMax: lambdaMaxLogregSigned(d, ys, fit),
    stats,
    timings: { totalMs: performance.now() - t0 },
    lipschitz: L,
    step: gamma,
  };
}

/**
 * FISTA's momentum step: t_{k+1} = (1 + √(1 + 4t_k²))/2 and weight (t_k − 1)/t_{k+1}; an adaptive
 * restart (O'Donoghue–Candès gradient test, ⟨z − β⁺, β⁺ − β⟩ > 0) resets t to 1 and drops the
 * momentum. Returns [t_{k+1}, weight].
 */
function fistaMomentum(tk: number, restartNow: boolean): [number, number] {
  if (restartNow) return [1, 0];
  const tn = (1 + Math.sqrt(1 + 4 * tk * tk)) / 2;
  return [tn, (tk - 1) / tn];
}
