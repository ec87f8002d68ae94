/**
 * @file Lasso-type models: their objectives (scikit-learn conventions), option and result types,
 * input validation, λ_max formulas and small helpers shared by the solvers.
 *
 * Objectives (n rows, X_c = X − 1μᵀ and y_c = y − ȳ when the intercept is fitted by centring):
 *
 * | model | primal P(β) | solution at λ ≥ λ_max is 0 with |
 * |---|---|---|
 * | `lasso` | (1/2n)‖y_c − X_cβ‖² + λ‖β‖₁ | λ_max = ‖X_cᵀy_c‖∞ / n |
 * | `enet` | (1/2n)‖y_c − X_cβ‖² + λ₁‖β‖₁ + (λ₂/2)‖β‖² | λ₁,max = ‖X_cᵀy_c‖∞ / n (any λ₂) |
 * | `wlasso` | (1/2n)‖y_c − X_cβ‖² + λ Σ_j w_j|β_j| (w_j ≥ 0; w_j = 0: unpenalised) | λ_max = max_{w_j>0} |X_c,jᵀ r_U| / (n w_j) |
 * | `logreg` | (1/n) Σ_i log(1 + exp(−y_i (x_iᵀβ + b))) + λ‖β‖₁, y_i ∈ {−1, +1} | λ_max = ‖Xᵀ(y − ȳ·[intercept])‖∞ / (2n) |
 *
 * where r_U is y_c minus its least-squares fit on the unpenalised columns (r_U = y_c when every
 * w_j > 0). The intercept is b = ȳ − μᵀβ for the squared-loss models; for logistic regression it
 * is a separate unpenalised coordinate (X is not centred). scikit-learn's ElasticNet(alpha, l1_ratio)
 * is `enet` with λ₁ = alpha·l1_ratio, λ₂ = alpha·(1 − l1_ratio); sklearn's Lasso(alpha) is `lasso` with
 * λ = alpha; LogisticRegression(penalty='l1', C) with an unpenalised intercept is `logreg` with
 * λ = 1/(C·n).
 *
 * logreg λ_max derivation: at β = 0 the loss gradient is ∇_β = −(1/n) Σ_i y_i σ(−y_i b) x_i.
 * Without intercept b = 0, σ(0) = 1/2, so ∇ = −Xᵀy/(2n). With intercept, b minimises
 * (1/n) Σ log(1 + e^{−y_i b}) at b* = log(n₊/n₋), where y_i σ(−y_i b*) = z_i − p̂ (z = (y+1)/2 ∈ {0,1},
 * p̂ = n₊/n), i.e. = (y_i − ȳ)/2; hence ∇ = −Xᵀ(y − ȳ)/(2n). β = 0 is optimal iff ‖∇‖∞ ≤ λ.
 *
 * Degenerate inputs: an all-zero (or, with an intercept, constant) y gives λ_max = 0 and the
 * solution β = 0 for every λ > 0 (no NaN). A column that is zero (or constant, with an intercept)
 * has ‖X_c,j‖ = 0: its coefficient is always 0.
 */
import { ConvergenceError, InvalidArgumentError, NonFiniteError, ShapeError } from '../core/errors.js';
import { failurePolicy, handleFailure as applyFailurePolicy, type FailurePolicy } from '../core/failure.js';
import { checkOptions } from '../core/options.js';
import type { DesignInput, PreparedDesign } from './design.js';
import { designOutOfRange, disposeDesign, powerOfTwoScale, resolveDesignOwned } from './design.js';
import { colDots, vecSum } from './columns.js';
import { cachedXty, seedDesignXty } from './quad_gram.js';
import { toVector, type VectorLike } from '../data/matrix.js';
import { describeValue } from '../core/tensor.js';

/** A Lasso-type model with its regularisation parameters. */
export type ModelSpec =
  | { readonly type: 'lasso'; readonly lambda: number }
  | { readonly type: 'enet'; readonly lambda1: number; readonly lambda2: number }
  | { readonly type: 'wlasso'; readonly lambda: number; readonly weights: VectorLike }
  | { readonly type: 'logreg'; readonly lambda: number };

/** Starting point for warm starts (typically the previous result). */
export interface WarmStart {
  /** Initial coefficients (length p). */
  readonly beta: ArrayLike<number>;
  /** logreg only: initial intercept (squared-loss models derive b = ȳ − μᵀβ). */
  readonly intercept?: number;
  /**
   * Accepted for compatibility and IGNORED: the solvers always recompute the residual from `beta`
   * (O(n·nnz(β))), because a residual from another target or another X (a different CV fold of the
   * same size, say) would make the first duality gap wrong and could stop the solve at once.
   */
  readonly residual?: Float64Array;
}

/** Extrapolation used by the coordinate-descent solvers. */
export type Acceleration = 'none' | 'anderson' | 'dual' | 'both';

/** Options shared by every solver. */
export interface SolverOptions {
  /** Fit an unpenalised intercept (squared loss: by centring X and y). Default true. */
  readonly fitIntercept?: boolean;
  /**
   * Relative tolerance, scikit-learn semantics: stop when the duality gap of the documented
   * (1/n-scaled) objective is ≤ tol·‖y_c‖²/n (squared loss) or ≤ tol·log 2 (logreg, celer's
   * convention, = tol·P(0) without intercept). Must be in (0, 1). Default 1e-4.
   */
  readonly tol?: number;
  /** Maximum number of epochs (passes over the current working set; FISTA: iterations). Default 10 000. */
  readonly maxIter?: number;
  /** Maximum number of working-set (outer) iterations. Default 100. */
  readonly maxOuter?: number;
  /** Use growing working sets (celer/skglm style). Default true; false = plain cyclic CD over all features. */
  readonly workingSet?: boolean;
  /**
   * Initial (and minimal) working-set size. Default 100 (celer uses 10; on the benchmark problems
   * 100 was faster in 10 of 11 cells and never slower than scikit-learn, see bench/lasso_solvers.bench.ts).
   */
  readonly p0?: number;
  /**
   * Working-set size rule: 'prune' (default, celer): max(p0, 2·|support|); 'double': p0, 2p0, 4p0, …
   * (see cd.ts for why pruning is the default).
   */
  readonly workingSetGrowth?: 'prune' | 'double';
  /** Gap Safe screening of features certified to be zero. Default true. */
  readonly screening?: boolean;
  /** Extrapolation: Anderson on the primal iterates, celer dual extrapolation, both (default) or none. */
  readonly acceleration?: Acceleration;
  /** Epochs between two duality-gap evaluations inside a (working-set) solve. Default 10. */
  readonly gapFreq?: number;
  /** Number of extrapolation differences K (Anderson and dual). Default 5. */
  readonly extrapolationK?: number;
  /** Warm start. */
  readonly warmStart?: WarmStart;
  /**
   * Squared-loss CD only (`lasso`, `elasticNet`, `weightedLasso`, `lassoPath`, `solve` on those
   * models; the other solvers refuse the option): run coordinate descent on the Gram matrix
   * G = X_cᵀX_c (covariance updates, quad_gram.ts). `'auto'` (default): for dense X with n > p and
   * p ≤ 2048, once the work spent on the design (across solves on one `PreparedDesign`) exceeds the
   * cost of building G, which is then cached on the design; `true`: always (dense X only);
   * `false`: never. The reported gap is certified from the exact residual in every mode.
   */
  readonly gram?: 'auto' | boolean;
  /**
   * Squared-loss CD only (as `gram`): block coordinate descent on groups of four consecutive
   * columns {4g, …, 4g+3} (quad_cd.ts `blockEpoch`: one pass over the residual per group, the
   * group's 4×4 sub-problem solved exactly on its cached Gram block). `'auto'` (default): on dense
   * designs with the WebAssembly engine and n ≥ p, for sub-problems over every active feature; on
   * those designs the working set becomes every active feature once it would hold half of them,
   * after a working set that came back ≥ 90% non-zero, or from the start when ≥ 90% of the features
   * violate their optimality condition there and n ≥ 2·|active| (quad_cd.ts `fullSetPays`);
   * `true`: every epoch on a dense design with the engine (the JavaScript kernels, backend `'js'`,
   * have no block epochs); `false`: never (one coordinate at a time, the previous
   * algorithm). Same fixed points and the same certified gap in every mode.
   */
  readonly blockCD?: 'auto' | boolean;
  /**
   * On non-convergence (core/failure.ts): 'throw' (default; a `ConvergenceError` carrying the
   * result), 'warn' (a ConvergenceWarning, then the result with `converged: false`) or 'return'.
   */
  readonly onFailure?: FailurePolicy;
}

/** Counters and timings of a solve. */
export interface SolverStats {
  /** Coordinate updates performed (Σ working-set sizes over epochs), a cost measure independent of p. */
  coordinateUpdates: number;
  /** Accepted Anderson extrapolations. */
  andersonAccepted: number;
  /** Gap evaluations where the extrapolated dual point was the best. */
  dualExtrapolationUsed: number;
  /** Features removed by Gap Safe screening (final count). */
  screened: number;
  /** Final working-set size (p for plain CD). */
  workingSetSize: number;
}

/** Result of every inner solver. */
export interface SolverResult {
  readonly model: ModelSpec['type'];
  /** Which algorithm produced it. */
  readonly solver: 'cd' | 'cd-ws' | 'ista' | 'fista' | 'prox-newton' | 'prox-newton-ws';
  /** Coefficients (length p). */
  readonly beta: Float64Array;
  /** Intercept b (0 when fitIntercept is false). */
  readonly intercept: number;
  /**
   * Residual on the training rows. Squared loss: y − Xβ − b. logreg: the generalised residual
   * z − σ(Xβ + b) with z = (y+1)/2 ∈ {0, 1}, so that in every model X_jᵀ(residual)/n is minus the
   * gradient of the data term (KKT: = λ_j sign β_j on the support, |·| ≤ λ_j off it).
   */
  readonly residual: Float64Array;
  /** Duality gap P(β) − D(θ) of the documented objective (same units as `primal`), clamped at 0. */
  readonly gap: number;
  /** Primal objective P(β). */
  readonly primal: number;
  /** Dual objective D(θ) at `dualPoint`. */
  readonly dual: number;
  /** Absolute gap threshold that was used (tol·‖y_c‖²/n, or tol·log 2). */
  readonly tolerance: number;
  readonly converged: boolean;
  /** Epochs (CD: passes over the current working set; FISTA: iterations; prox-Newton: inner CD epochs). */
  readonly iterations: number;
  /** Outer (working-set or Newton) iterations. */
  readonly nOuter: number;
  /** Sorted indices j with β_j ≠ 0. */
  readonly support: Int32Array;
  /**
   * Dual point θ (length n), feasible: |X_c,jᵀθ| ≤ λ_j for penalised j (Lasso / weighted Lasso:
   * also X_c,jᵀθ = 0 for unpenalised j; logreg: n y_iθ_i ∈ [0, 1] and 1ᵀθ = 0 with an intercept).
   * Elastic net: θ is the data block of the dual of the augmented Lasso and feasibility reads
   * |X_c,jᵀθ − λ₂·dualRidge_j| ≤ λ₁.
   */
  readonly dualPoint: Float64Array;
  /** Elastic net only: the ridge block of the dual point, in β units (see `dualPoint`). */
  readonly dualRidge?: Float64Array;
  /**
   * Squared-loss coordinate descent: what the last gap check computed, so that post-processing
   * (`SparseProblem`'s KKT certificate) need not repeat the O(n·p) pass. `xtr[j]` = X_c,jᵀ`residual`
   * for the features checked against the returned residual (NaN for the others); `bound[j]` ≥
   * |X_c,jᵀr*| (r* the optimal residual) for the features removed by Gap Safe screening (NaN
   * otherwise; null when none was removed or the model has λ₂ > 0 or unpenalised features).
   * `err` (Gram-mode finish): |xtr[j] − X_c,jᵀresidual| ≤ err·‖X_c,j‖ (rounding of g = q − Gβ).
   */
  readonly lastCheck?: { readonly xtr: Float64Array; readonly bound: Float64Array | null; readonly err?: number };
  /** λ_max of this (X, y) for the model (see the table in the file header). */
  readonly lambdaMax: number;
  readonly stats: SolverStats;
  /** Wall-clock milliseconds of the solve. */
  readonly timings: { readonly totalMs: number };
}

/** Result of the proximal-gradient solvers: also the step of the fixed-point map. */
export interface ProxGradResult extends SolverResult {
  /** L = ‖X_c‖₂²/n (+λ₂; logreg ‖[X 1]‖₂²/(4n)), by power iteration (inflated by 1e-6 relative). */
  readonly lipschitz: number;
  /** γ = 1/L: the solution is a fixed point of β ↦ prox_{γ·pen}(β − γ∇f(β)). */
  readonly step: number;
}

/** Result of sparse logistic regression. */
export interface LogRegResult extends SolverResult {
  /** Xβ + b. */
  readonly linearPredictor: Float64Array;
  /** Labels used internally (±1). */
  readonly labels: Float64Array;
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------


/** The option names every solver takes (`SolverOptions`). */
export const SOLVER_OPTION_KEYS: readonly string[] = [
  'fitIntercept', 'tol', 'maxIter', 'maxOuter', 'workingSet', 'p0', 'workingSetGrowth', 'screening',
  'acceleration', 'gapFreq', 'extrapolationK', 'warmStart', 'onFailure',
];

/** Validated solver options with their defaults (see `resolveOptions`). */
export type ResolvedOptions = Required<Omit<SolverOptions, 'warmStart' | 'onFailure'>> & { warmStart: WarmStart | undefined; onFailure: FailurePolicy };

/**
 * Validates the shared options and fills the defaults. Unknown keys throw (with a suggestion);
 * `extraKeys` are the options of the calling function beyond `SolverOptions`.
 */
export function resolveOptions(opts: SolverOptions, fn: string, extraKeys: readonly string[] = []): ResolvedOptions {
  checkOptions(opts, extraKeys.length === 0 ? SOLVER_OPTION_KEYS : [...SOLVER_OPTION_KEYS, ...extraKeys], `${fn}()`);
  opts = opts ?? {};
  const tol = opts.tol ?? 1e-4;
  if (typeof tol !== 'number' || !(tol > 0 && tol < 1)) {
    throw new InvalidArgumentError(`${fn}(): option tol must be a number in (0, 1) (a relative tolerance), got ${describeValue(tol)}`);
  }
  const intOpt = (v: unknown, def: number, name: string, min: number): number => {
    const x = v ?? def;
    if (typeof x !== 'number' || !Number.isInteger(x) || x < min) {
      throw new InvalidArgumentError(`${fn}(): option ${name} must be ${min === 1 ? 'a positive integer' : `an integer ≥ ${min}`}, got ${describeValue(x)}`);
    }
    return x;
  };
  const acc = opts.acceleration ?? 'both';
  if (acc !== 'none' && acc !== 'anderson' && acc !== 'dual' && acc !== 'both') {
    throw new InvalidArgumentError(`${fn}(): option acceleration must be 'none' | 'anderson' | 'dual' | 'both', got ${describeValue(acc)}`);
  }
  const wsg = opts.workingSetGrowth ?? 'prune';
  if (wsg !== 'prune' && wsg !== 'double') throw new InvalidArgumentError(`${fn}(): option workingSetGrowth must be 'prune' | 'double', got ${describeValue(wsg)}`);
  const onFailure = failurePolicy(opts.onFailure, `${fn}()`);
  const bool = (v: unknown, def: boolean, name: string): boolean => {
    if (v === undefined) return def;
    if (typeof v !== 'boolean') throw new InvalidArgumentError(`${fn}(): option ${name} must be true or false, got ${describeValue(v)}`);
    return v;
  };
  return {
    fitIntercept: bool(opts.fitIntercept, true, 'fitIntercept'),
    tol,
    maxIter: intOpt(opts.maxIter, 10_000, 'maxIter', 1),
    maxOuter: intOpt(opts.maxOuter, 100, 'maxOuter', 1),
    workingSet: bool(opts.workingSet, true, 'workingSet'),
    p0: intOpt(opts.p0, 100, 'p0', 1),
    workingSetGrowth: wsg,
    screening: bool(opts.screening, true, 'screening'),
    acceleration: acc,
    gapFreq: intOpt(opts.gapFreq, 10, 'gapFreq', 1),
    extrapolationK: intOpt(opts.extrapolationK, 5, 'extrapolationK', 2),
    warmStart: opts.warmStart,
    onFailure,
    gram: gramOpt(opts.gram, fn),
    blockCD: autoBool(opts.blockCD, fn, 'blockCD'),
  };
}

function autoBool(v: unknown, fn: string, name: string): 'auto' | boolean {
  if (v === undefined) return 'auto';
  if (v !== 'auto' && v !== true && v !== false) throw new InvalidArgumentError(`${fn}(): option ${name} must be 'auto', true or false, got ${describeValue(v)}`);
  return v;
}

function gramOpt(v: unknown, fn: string): 'auto' | boolean {
  if (v === undefined) return 'auto';
  if (v !== 'auto' && v !== true && v !== false) throw new InvalidArgumentError(`${fn}(): option gram must be 'auto', true or false, got ${describeValue(v)}`);
  return v;
}

/** y (any `VectorLike`) as a fresh Float64Array of length n, checked for shape and finiteness. */
export function checkTarget(y: VectorLike | ArrayLike<number>, n: number, fn: string, arg = 'y'): Float64Array {
  const out = toVector(y, fn, arg, n, 'but X has # rows');
  for (let i = 0; i < n; i++) {
    const v = out[i]!;
    if (!Number.isFinite(v)) throw new NonFiniteError(`${fn}(): ${arg} contains a non-finite value (${v}) at row ${i}`);
  }
  return out;
}

/** Throws when X has too few rows for the fit: 1 row at least, 2 with an intercept (centring). */
export function checkRows(n: number, fitIntercept: boolean, fn: string): void {
  const min = fitIntercept ? 2 : 1;
  if (n < min) {
    throw new InvalidArgumentError(
      `${fn}(): too few rows: X has ${n} row${n === 1 ? '' : 's'}, at least ${min} needed${fitIntercept ? ' to fit an intercept (fitIntercept: true)' : ''}`,
    );
  }
}

/** v·2^e exactly (in two steps, so that 2^e itself need not be representable). */
export function mulPow2(v: number, e: number): number {
  if (e === 0) return v;
  const h = Math.trunc(e / 2);
  return v * 2 ** h * 2 ** (e - h);
}

/** |y| beyond 2^±250: ‖y_c‖² or Xᵀy could overflow/underflow, so y is scaled by a power of two. */
const Y_LO = 2 ** -250;
const Y_HI = 2 ** 250;

/**
 * y scaled in place by a power of two c when its largest magnitude is outside [2^-250, 2^250]
 * (c = 1 otherwise); the solvers then work in scaled units and unscale their results exactly.
 */
export function scaledTarget(y: Float64Array): { y: Float64Array; scale: number } {
  let m = 0;
  for (let i = 0; i < y.length; i++) {
    const a = Math.abs(y[i]!);
    if (a > m) m = a;
  }
  if (m === 0 || (m >= Y_LO && m <= Y_HI)) return { y, scale: 1 };
  const c = powerOfTwoScale(m);
  for (let i = 0; i < y.length; i++) y[i] = y[i]! * c;
  return { y, scale: c };
}

/**
 * Throws when the column norms of a design prepared WITHOUT rescaling overflow or underflow (a raw
 * X is rescaled by the solvers themselves; see design.ts).
 */
export function checkDesignRange(d: PreparedDesign, fn: string): void {
  if (d.scale === 1 && designOutOfRange(d)) {
    throw new InvalidArgumentError(
      `${fn}(): the squared column norms of X overflow or underflow float64 (entries beyond about 1e±75 in magnitude); ` +
        `pass X itself (the solvers rescale it exactly), or prepareDesign(X, { rescale: true })`,
    );
  }
}

/** Centred (or not) target and its statistics. */
export interface Target {
  /** y − ȳ (or y when not centring). */
  readonly yc: Float64Array;
  /** ȳ (0 when not centring). */
  readonly yMean: number;
  /** ‖y_c‖². */
  readonly yNormSq: number;
}

/** Centres y for the squared-loss models. */
export function makeTarget(y: Float64Array, center: boolean, inPlace = false): Target {
  const n = y.length;
  let mean = 0;
  // in place: the caller's private copy becomes y_c (the mean is read before any entry changes)
  const yc = inPlace ? y : new Float64Array(y);
  if (center) {
    mean = vecSum(n, y) / n;
    let c = 0;
    for (let i = 0; i < n; i++) c += y[i]! - mean;
    mean += c / n;
    for (let i = 0; i < n; i++) yc[i] = y[i]! - mean;
  }
  let ss = 0;
  for (let i = 0; i < n; i++) ss += yc[i]! * yc[i]!;
  return { yc, yMean: mean, yNormSq: ss };
}

/**
 * Maps classification labels to ±1: accepts {0, 1} or {−1, +1} (a single observed value is
 * fine). Anything else → InvalidArgumentError naming the offending value.
 */
export function toSignedLabels(y: Float64Array, fn: string, arg = 'y'): Float64Array {
  let has0 = false, hasM1 = false;
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    if (v === 0) has0 = true;
    else if (v === -1) hasM1 = true;
    else if (v !== 1) throw new InvalidArgumentError(`${fn}(): ${arg} must hold labels 0/1 or −1/+1, got ${v} at row ${i}`);
  }
  if (has0 && hasM1) throw new InvalidArgumentError(`${fn}(): the labels in ${arg} mix 0 and −1; use either 0/1 or −1/+1`);
  const out = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) out[i] = y[i]! === 1 ? 1 : -1;
  return out;
}

/** Penalty weights as a Float64Array, checked: length p, finite, ≥ 0, at least one > 0. */
export function checkWeights(weights: VectorLike | ArrayLike<number>, p: number, fn: string): Float64Array {
  const src = toVector(weights, fn, 'weights', p, 'but X has # columns');
  const w = new Float64Array(p);
  let anyPos = false;
  for (let j = 0; j < p; j++) {
    const v = src[j]!;
    if (!Number.isFinite(v)) throw new NonFiniteError(`${fn}(): weights[${j}] is not finite (${v})`);
    if (v < 0) throw new InvalidArgumentError(`${fn}(): weights[${j}] = ${v} is negative; weights must be ≥ 0`);
    if (v > 0) anyPos = true;
    w[j] = v;
  }
  if (!anyPos) throw new InvalidArgumentError(`${fn}(): every weight is 0 (unpenalised least squares); at least one weight must be > 0`);
  return w;
}

/** Checks a warm-start β and copies it (zeroing coefficients of zero-norm columns). */
export function warmBeta(ws: WarmStart | undefined, p: number, normsSq: Float64Array, fn: string): Float64Array {
  const beta = new Float64Array(p);
  if (ws === undefined) return beta;
  const b = ws.beta;
  if (b === null || typeof b !== 'object' || typeof b.length !== 'number') throw new InvalidArgumentError(`${fn}(): warmStart.beta must be an array of numbers`);
  if (b.length !== p) throw new ShapeError(`${fn}(): warmStart.beta has ${b.length} entries but X has ${p} columns`);
  // the usual case, a previous solution's β: one monomorphic pass (v − v ≠ 0 exactly for NaN, ±∞)
  if (b instanceof Float64Array) {
    for (let j = 0; j < p; j++) {
      const v = b[j]!;
      if (v - v !== 0) throw new NonFiniteError(`${fn}(): warmStart.beta[${j}] is not finite (${String(v)})`);
      beta[j] = normsSq[j]! > 0 ? v : 0;
    }
    return beta;
  }
  for (let j = 0; j < p; j++) {
    const v = b[j]!;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new NonFiniteError(`${fn}(): warmStart.beta[${j}] is not finite (${String(v)})`);
    beta[j] = normsSq[j]! > 0 ? v : 0;
  }
  return beta;
}

// ---------------------------------------------------------------------------------------------
// λ_max
// ---------------------------------------------------------------------------------------------

/**
 * λ_max = ‖X_cᵀy_c‖∞ / n for the Lasso (and λ₁ of the elastic net): the smallest λ with solution 0.
 *
 * @example
 * const lmax = lambdaMax(X, y);          // intercept fitted (centring)
 * lasso(X, y, lmax).support.length;      // 0
 */
export function lambdaMax(X: DesignInput, y: VectorLike, opts: { fitIntercept?: boolean } = {}): number {
  checkOptions(opts, ['fitIntercept'], 'lambdaMax()');
  const { d, owned } = resolveDesignOwned(X, opts?.fitIntercept ?? true, 'lambdaMax', true);
  try {
    checkDesignRange(d, 'lambdaMax');
    const { y: yv, scale: c } = scaledTarget(checkTarget(y, d.nRows, 'lambdaMax'));
    const t = makeTarget(yv, d.centered);
    return mulPow2(lambdaMaxFromTarget(d, t.yc, null), -Math.log2(d.scale) - Math.log2(c));
  } finally {
    if (owned) disposeDesign(d);
  }
}

/** max_j |X_c,jᵀ v| / (n w_j) over w_j > 0 (w = null: all ones). */
export function lambdaMaxFromTarget(d: PreparedDesign, v: Float64Array, w: Float64Array | null, scale = 1): number {
  const p = d.nCols;
  // a q cached for this target (a CV fold's, assembled from block sums: its rows need not be read)
  let g = cachedXty(d, v);
  if (g === undefined) {
    g = new Float64Array(p);
    colDots(d, v, vecSum(d.nRows, v), null, p, g);
    seedDesignXty(d, v, g); // the same product as the Gram mode's q (a CV fold: computed once, not twice)
  }
  let m = 0;
  for (let j = 0; j < p; j++) {
    if (d.colNormsSq[j] === 0) continue;
    const wj = w === null ? 1 : w[j]!;
    if (wj <= 0) continue;
    const a = Math.abs(g[j]!) / wj;
    if (a > m) m = a;
  }
  return (m / d.nRows) * scale;
}

/**
 * λ_max of the logistic model: ‖Xᵀ(y − ȳ)‖∞/(2n) with an intercept, ‖Xᵀy‖∞/(2n) without
 * (y mapped to ±1; see the derivation in the file header).
 *
 * @example
 * lambdaMaxLogreg(X, labels01); // sparseLogreg(X, labels01, λ) is 0 for λ ≥ this
 */
export function lambdaMaxLogreg(X: DesignInput, y: VectorLike, opts: { fitIntercept?: boolean } = {}): number {
  checkOptions(opts, ['fitIntercept'], 'lambdaMaxLogreg()');
  const fit = opts?.fitIntercept ?? true;
  const { d, owned } = resolveDesignOwned(X, false, 'lambdaMaxLogreg');
  try {
    checkDesignRange(d, 'lambdaMaxLogreg');
    const ys = toSignedLabels(checkTarget(y, d.nRows, 'lambdaMaxLogreg'), 'lambdaMaxLogreg');
    return lambdaMaxLogregSigned(d, ys, fit);
  } finally {
    if (owned) disposeDesign(d);
  }
}

/** @internal λ_max of logreg for ±1 labels on an un-centred prepared design. */
export function lambdaMaxLogregSigned(d: PreparedDesign, ys: Float64Array, fitIntercept: boolean): number {
  const n = d.nRows;
  const v = new Float64Array(ys);
  if (fitIntercept) {
    const m = vecSum(n, ys) / n;
    for (let i = 0; i < n; i++) v[i] = ys[i]! - m;
  }
  return lambdaMaxFromTarget(d, v, null, 0.5);
}

// ---------------------------------------------------------------------------------------------
// Small dense linear algebra for extrapolation
// ---------------------------------------------------------------------------------------------

/**
 * Extrapolation weights c = z / Σz with (G + εI) z = 1, G = UᵀU the K×K Gram matrix of the last K
 * differences (Anderson / celer dual extrapolation). Cholesky; returns false (skip extrapolation)
 * when G is numerically singular or z sums to ~0. `G` is overwritten.
 */
export function extrapolationWeights(G: Float64Array, K: number, c: Float64Array): boolean {
  let tr = 0;
  for (let k = 0; k < K; k++) tr += G[k * K + k]!;
  if (!(tr > 0) || !Number.isFinite(tr)) return false;
  const eps = 1e-10 * tr / K;
  for (let k = 0; k < K; k++) G[k * K + k] += eps;
  // in-place Cholesky G = LLᵀ (lower triangle)
  for (let j = 0; j < K; j++) {
    let s = G[j * K + j]!;
    for (let k = 0; k < j; k++) s -= G[j * K + k]! * G[j * K + k]!;
    if (!(s > 0)) return false;
    const ljj = Math.sqrt(s);
    G[j * K + j] = ljj;
    for (let i = j + 1; i < K; i++) {
      let t = G[i * K + j]!;
      for (let k = 0; k < j; k++) t -= G[i * K + k]! * G[j * K + k]!;
      G[i * K + j] = t / ljj;
    }
  }
  // solve L u = 1, Lᵀ z = u
  for (let i = 0; i < K; i++) {
    let t = 1;
    for (let k = 0; k < i; k++) t -= G[i * K + k]! * c[k]!;
    c[i] = t / G[i * K + i]!;
  }
  for (let i = K - 1; i >= 0; i--) {
    let t = c[i]!;
    for (let k = i + 1; k < K; k++) t -= G[k * K + i]! * c[k]!;
    c[i] = t / G[i * K + i]!;
  }
  let s = 0;
  for (let i = 0; i < K; i++) s += c[i]!;
  if (!Number.isFinite(s) || Math.abs(s) < 1e-300) return false;
  for (let i = 0; i < K; i++) c[i]! /= s;
  for (let i = 0; i < K; i++) if (!Number.isFinite(c[i]!)) return false;
  return true;
}

/**
 * The k-th smallest value (0-based) of `a[0..len)`, by in-place quickselect (median of three,
 * O(len) expected). `a` is permuted. Used to pick working sets without a full sort.
 */
export function selectKth(a: Float64Array, len: number, k: number): number {
  let lo = 0;
  let hi = len - 1;
  while (hi > lo) {
    const mid = (lo + hi) >> 1;
    // median of three into a[mid]
    if (a[mid]! < a[lo]!) swap(a, mid, lo);
    if (a[hi]! < a[lo]!) swap(a, hi, lo);
    if (a[hi]! < a[mid]!) swap(a, hi, mid);
    const pivot = a[mid]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

/**
 * Writes to `out` the `size` entries of `list[0..count)` with the smallest priorities `prio[k]`
 * (ties at the cut broken in list order, so the result keeps list order) and returns `size`.
 * `scratch` (length ≥ count) is overwritten: the k-th-smallest search permutes it.
 */
export function selectLowestPriority(
  list: Int32Array, prio: Float64Array, count: number, size: number, out: Int32Array, scratch: Float64Array,
): number {
  scratch.set(prio.subarray(0, count));
  const cut = selectKth(scratch, count, size - 1);
  let below = 0;
  for (let k = 0; k < count; k++) if (prio[k]! < cut) below++;
  let ties = size - below;
  let w = 0;
  for (let k = 0; k < count; k++) {
    const pk = prio[k]!;
    if (pk < cut || (pk === cut && ties-- > 0)) out[w++] = list[k]!;
  }
  return w;
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}

/** Sorted indices of the non-zero entries. */
export function supportOf(beta: Float64Array): Int32Array {
  let k = 0;
  for (let j = 0; j < beta.length; j++) if (beta[j] !== 0) k++;
  const s = new Int32Array(k);
  k = 0;
  for (let j = 0; j < beta.length; j++) if (beta[j] !== 0) s[k++] = j;
  return s;
}

/**
 * Applies the failure policy to a finished result: a result that did not converge becomes a
 * `ConvergenceError` carrying it (`'throw'`), a ConvergenceWarning (`'warn'`), or is returned as is
 * (`'return'`); see core/failure.ts.
 */
export function handleFailure<R extends SolverResult>(res: R, onFailure: FailurePolicy, fn: string): R {
  if (res.converged) return res;
  const msg = `${fn}(): did not converge in ${res.iterations} epochs / ${res.nOuter} outer iterations: duality gap ${res.gap.toExponential(3)} > tolerance ${res.tolerance.toExponential(3)} (increase maxIter, or loosen tol)`;
  applyFailurePolicy(onFailure, new ConvergenceError(msg, { iterations: res.iterations, residualNorm: res.gap, converged: false, gap: res.gap, tolerance: res.tolerance, result: res }));
  return res;
}
