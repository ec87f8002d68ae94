/**
 * @file High-level hyperparameter tuning of Lasso-type models:
 *
 * - `lassoHypergradient(train, val, λ, opts)`: one criterion value and its hypergradient
 *   d criterion / d log λ (what `nsdiff lasso hypergrad` prints);
 * - `tuneLasso(X, y, opts)`: build the criterion (held-out / K-fold CV / SURE), run the outer loop
 *   (line search, Adam or grid), refit on all the training data at the chosen λ;
 * - the estimator `LassoHO` built on `tuneLasso` lives in src/estimators/lasso_ho.ts.
 *
 * Held-out without an explicit validation set: the rows are split by `splitTrainVal` (seeded
 * shuffle, `valFraction` = 0.25 of the rows for validation by default).
 */
import type { Dataset, DesignMatrix } from '../data/dataset.js';
import { splitTrainVal, makeDataset } from '../data/dataset.js';
import { InvalidArgumentError, NonFiniteError } from '../core/errors.js';
import {
  SparseProblem, type HypergradDiagnostics, type HypergradMethod, type HypergradOptions, type InnerSolution, type SparseModelKind,
} from '../lasso/hypergrad.js';
import { checkTarget } from '../lasso/models.js';
import {
  CrossValCriterion, crossValForGrid, HeldOutCriterion, SureCriterion, type Criterion, type CriterionEvaluation, type InnerStats,
  type LabelledSet,
} from './criteria.js';
import { checkedDesign, consumeDesign, disposeDesign } from '../lasso/design.js';
import { optimizeAs, OUTER_OPTION_KEYS, type HistoryEntry, type OuterOptions, type OuterResult } from './optimizers.js';
import { checkOptions } from '../core/options.js';
import { emitWarning } from '../core/failure.js';

/** Which criterion to minimise. */
export type CriterionKind = 'heldout' | 'cv' | 'sure';

/** A design as accepted by the high-level API: a DesignMatrix or rows of numbers. */
export type DesignLike = DesignMatrix | number[][];

/** The criterion options among a larger options object. */
function pickCriterion(o: CriterionOptions): CriterionOptions {
  const out: Record<string, unknown> = {};
  for (const k of CRITERION_KEYS) if ((o as Record<string, unknown>)[k] !== undefined) out[k] = (o as Record<string, unknown>)[k];
  return out as CriterionOptions;
}

/** Options shared by the criterion constructors. */
export interface CriterionOptions {
  /** Default 'lasso'. */
  readonly model?: SparseModelKind;
  /** Default 'cv' (`tuneLasso`, `LassoHO`) or 'heldout' (`lassoHypergradient` with a validation set). */
  readonly criterion?: CriterionKind;
  /** Number of CV folds. Default 5. */
  readonly folds?: number;
  /** Shuffle rows before cutting folds / the held-out split. Default false for CV, true for the split. */
  readonly shuffle?: boolean;
  /** Seed of the shuffles. Default 0. */
  readonly seed?: number;
  /** Held-out without validation set: share of rows used for validation. Default 0.25. */
  readonly valFraction?: number;
  /** SURE: noise std (estimated when omitted) and finite-difference step. */
  readonly sigma?: number;
  readonly epsilon?: number;
  /** Default true. */
  readonly fitIntercept?: boolean;
}

const CRITERION_KEYS = ['model', 'criterion', 'folds', 'shuffle', 'seed', 'valFraction', 'sigma', 'epsilon', 'fitIntercept'] as const;
const HYPERGRAD_KEYS = [
  'method', 'linearSolver', 'choleskyMax', 'cgTol', 'cgMaxIter', 'tolJac', 'maxJacIter', 'checks', 'refine', 'kinkTol', 'rankTol', 'onFailure', 'fallback',
] as const;

/**
 * Builds the criterion object of `opts.criterion` for (X, y) (validation set only for 'heldout').
 *
 * @example
 * const crit = makeCriterion(X, y, { criterion: 'cv', folds: 5, model: 'lasso' });
 * crit.evaluate([0.1]).gradient;
 */
export function makeCriterion(X: DesignLike, y: ArrayLike<number>, opts: CriterionOptions = {}, validation?: LabelledSet): Criterion {
  checkOptions(opts, CRITERION_KEYS, 'makeCriterion()');
  return criterionFor(X, y, opts, validation, 'makeCriterion');
}

/** `makeCriterion` with errors naming `fn()`, the public function the user called. */
function criterionFor(X: DesignLike, y: ArrayLike<number>, opts: CriterionOptions, validation: LabelledSet | undefined, fn: string, planned = false): Criterion {
  const model = opts.model ?? 'lasso';
  const kind = opts.criterion ?? 'cv';
  if (model !== 'lasso' && model !== 'enet' && model !== 'wlasso' && model !== 'logreg') {
    throw new InvalidArgumentError(`${fn}(): model must be 'lasso' | 'enet' | 'wlasso' | 'logreg', got ${String(model)}`);
  }
  const Xd = checkedDesign(X, fn);
  const po = { fitIntercept: opts.fitIntercept ?? true };
  if (kind === 'cv') {
    if (validation) throw new InvalidArgumentError(`${fn}(): criterion 'cv' does not take a validation set (use criterion: 'heldout')`);
    const co = { ...po, folds: opts.folds ?? 5, shuffle: opts.shuffle ?? false, seed: opts.seed ?? 0 };
    return planned ? crossValForGrid(Xd, y, model, co, fn) : new CrossValCriterion(Xd, y, model, co, fn);
  }
  if (kind === 'sure') {
    if (validation) throw new InvalidArgumentError(`${fn}(): criterion 'sure' does not take a validation set (use criterion: 'heldout')`);
    const so = { ...po, ...(opts.sigma !== undefined ? { sigma: opts.sigma } : {}), ...(opts.epsilon !== undefined ? { epsilon: opts.epsilon } : {}), seed: opts.seed ?? 42 };
    return new SureCriterion(Xd, y, model, so, fn);
  }
  if (kind === 'heldout') {
    if (validation) {
      if (validation === null || typeof validation !== 'object') throw new InvalidArgumentError(`${fn}(): the validation set must be { X, y }`);
      return new HeldOutCriterion({ X: Xd, y }, { X: checkedDesign(validation.X, fn, 'validation X'), y: validation.y }, model, po, fn);
    }
    const yv = checkTarget(y, Xd.nRows, fn);
    const frac = opts.valFraction ?? 0.25;
    if (typeof frac !== 'number' || !(frac > 0 && frac < 1)) throw new InvalidArgumentError(`${fn}(): valFraction must be in (0, 1), got ${String(frac)}`);
    const split = splitTrainVal(makeDataset(Xd, yv), 1 - frac, { seed: opts.seed ?? 0, shuffle: opts.shuffle ?? true });
    return new HeldOutCriterion(split.train, split.val, model, po, fn);
  }
  throw new InvalidArgumentError(`${fn}(): criterion must be 'heldout' | 'cv' | 'sure', got ${String(kind)}`);
}

/** Options of `lassoHypergradient`. */
export interface LassoHypergradientOptions extends CriterionOptions, HypergradOptions {
  /** Inner tolerance. Default 1e-8 (logreg: 1e-10 absolute KKT). */
  readonly tol?: number;
  readonly maxIter?: number;
}

/** Result of `lassoHypergradient`. */
export interface LassoHypergradientResult {
  readonly model: SparseModelKind;
  readonly criterionKind: CriterionKind;
  readonly lambdas: Float64Array;
  /** Criterion value. */
  readonly criterion: number;
  /** d criterion / d log λ (one entry per hyperparameter). */
  readonly hypergradient: Float64Array;
  /** Support size (mean over folds / problems). */
  readonly supportSize: number;
  readonly method: HypergradMethod;
  readonly lambdaMax: number;
  readonly inner: InnerStats;
  readonly diagnostics: { ok: boolean; kinks: number; rankDeficient: boolean; kktViolation: number; messages: string[] };
  readonly timeMs: number;
}

/**
 * Value and hypergradient (w.r.t. log λ) of a validation criterion at λ. With `val` the criterion is
 * the held-out loss (MSE; logistic loss for 'logreg'); with `val = null` it is `opts.criterion`
 * ('cv' default, or 'sure', or 'heldout' with an automatic split) on `train`.
 * λ: a number (lasso, logreg), [λ₁, λ₂] (enet) or one value per feature (wlasso).
 *
 * @example
 * const r = lassoHypergradient({ X: Xtr, y: ytr }, { X: Xval, y: yval }, 0.05);
 * r.criterion;        // validation MSE
 * r.hypergradient[0]; // d MSE / d log λ
 * r.diagnostics.ok;   // invertibility hypothesis satisfied
 */
export function lassoHypergradient(
  train: LabelledSet | Dataset, val: LabelledSet | Dataset | null, lambda: number | ArrayLike<number>, opts: LassoHypergradientOptions = {},
): LassoHypergradientResult {
  const t0 = performance.now();
  if (train === null || typeof train !== 'object') throw new InvalidArgumentError('lassoHypergradient(): train must be { X, y }');
  checkOptions(opts, [...CRITERION_KEYS, ...HYPERGRAD_KEYS, 'tol', 'maxIter', 'certify', 'kktTol'], 'lassoHypergradient()');
  const model = opts.model ?? 'lasso';
  const kind: CriterionKind = val ? 'heldout' : (opts.criterion ?? 'cv');
  if (val && opts.criterion !== undefined && opts.criterion !== 'heldout') {
    throw new InvalidArgumentError(`lassoHypergradient(): a validation set was given, so the criterion is 'heldout' (got criterion '${opts.criterion}')`);
  }
  const crit = criterionFor(train.X, train.y, pickCriterion({ ...opts, model, criterion: kind }), val ?? undefined, 'lassoHypergradient');
  const tol = opts.tol ?? (model === 'logreg' ? 1e-10 : 1e-8);
  const method = opts.method ?? 'implicit';
  let ev: CriterionEvaluation;
  try {
    ev = crit.evaluate(lambda, { ...opts, tol, method, onFailure: opts.onFailure ?? 'throw' });
  } finally {
    crit.dispose?.();
  }
  if (!ev.finite) {
    throw new NonFiniteError(`lassoHypergradient(): the criterion (${ev.value}) or its hypergradient (${ev.gradient ? Array.from(ev.gradient).join(', ') : 'n/a'}) is not finite`);
  }
  return {
    model, criterionKind: kind, lambdas: ev.lambdas, criterion: ev.value, hypergradient: ev.gradient!, supportSize: ev.supportSize,
    method, lambdaMax: crit.lambdaMax, inner: ev.inner, diagnostics: ev.diagnostics, timeMs: performance.now() - t0,
  };
}

/** Options of `tuneLasso` / `LassoHO`. */
export interface TuneOptions extends CriterionOptions, OuterOptions {
  /** Hypergradient method. Default 'implicit'. */
  readonly method?: HypergradMethod;
  /** Tolerance of the final refit on all training rows. Default min(tol, 1e-8) (logreg 1e-10). */
  readonly refitTol?: number;
  /** Explicit validation set for criterion 'heldout'. */
  readonly validation?: LabelledSet;
}

/** Result of `tuneLasso`. */
export interface TuneResult {
  readonly model: SparseModelKind;
  readonly criterionKind: CriterionKind;
  /** Chosen hyperparameters (λ; [λ₁, λ₂]; λ_j). */
  readonly lambdas: Float64Array;
  /** Criterion value at the chosen λ (as evaluated in the search). */
  readonly value: number;
  /** Refit on all training rows at the chosen λ. */
  readonly coef: Float64Array;
  readonly intercept: number;
  readonly support: Int32Array;
  readonly history: HistoryEntry[];
  readonly outer: OuterResult;
  readonly lambdaMax: number;
  /** Diagnostics of the refit. */
  readonly diagnostics: HypergradDiagnostics;
  /** Number of search evaluations whose invertibility diagnostics were not clean. */
  readonly singularEvaluations: number;
  readonly timeMs: number;
}

/**
 * Tunes the regularisation of a Lasso-type model by hypergradient descent (or grid search) and
 * refits it on all rows of (X, y).
 *
 * @example
 * const res = tuneLasso(X, y, { model: 'lasso', criterion: 'cv', folds: 5, optimizer: 'line-search' });
 * res.lambdas[0]; res.coef; res.history.length;
 */
export function tuneLasso(X: DesignLike, y: ArrayLike<number>, opts: TuneOptions = {}): TuneResult {
  return tuneLassoAs(X, y, opts, 'tuneLasso');
}

/**
 * `tuneLasso` with errors naming `fn()`, the public function the user called (`LassoHO.fit`).
 * `consume`: the caller gives X up — the refit on all rows prepares a dense X in place when its data
 * lives in a design memory (`consumeDesign`, `nsdiff lasso tune`: one copy of X at the end instead
 * of two), and X's values are not to be read afterwards.
 * @internal
 */
export function tuneLassoAs(X: DesignLike, y: ArrayLike<number>, opts: TuneOptions, fn: string, consume = false): TuneResult {
  const t0 = performance.now();
  const model = opts.model ?? 'lasso';
  const kind = opts.criterion ?? 'cv';
  checkOptions(opts, [...CRITERION_KEYS, ...OUTER_OPTION_KEYS, 'method', 'refitTol', 'validation'], `${fn}()`);
  const Xd = checkedDesign(X, fn);
  if (opts.validation && kind !== 'heldout') throw new InvalidArgumentError(`${fn}(): a validation set needs criterion 'heldout' (got '${kind}')`);
  // a grid plans its evaluations: the CV folds' rows are then not prepared up front (`lazyRows`)
  const crit = criterionFor(Xd, y, pickCriterion({ ...opts, model, criterion: kind }), opts.validation, fn, opts.optimizer === 'grid');
  const hypergrad: HypergradOptions = { ...(opts.hypergrad ?? {}), method: opts.method ?? opts.hypergrad?.method ?? 'implicit' };
  let outer: OuterResult;
  try {
    const outerOpts: Record<string, unknown> = {};
    for (const k of OUTER_OPTION_KEYS) if ((opts as Record<string, unknown>)[k] !== undefined) outerOpts[k] = (opts as Record<string, unknown>)[k];
    outer = optimizeAs(crit, { ...(outerOpts as OuterOptions), hypergrad }, fn);
  } finally {
    crit.dispose?.();
  }
  let singular = 0;
  for (const h of outer.history) if (!h.diagnosticsOk) singular++;
  if (singular > 0) {
    emitWarning(`${fn}(): the invertibility hypothesis failed at ${singular} of ${outer.history.length} evaluations (kinks or rank-deficient X_E; see the history and diagnostics)`, 'InvertibilityWarning');
  }
  // refit on all training rows (the validation rows too, for an automatic held-out split)
  // (given up by the caller: prepared in place, the centring SparseProblem would ask for)
  const fitIntercept = opts.fitIntercept ?? true;
  const own = consume && Xd.kind === 'dense' ? consumeDesign(Xd, model !== 'logreg' && fitIntercept, fn) : null;
  let sol: InnerSolution;
  try {
    const prob = new SparseProblem(own ?? Xd, y, model, { fitIntercept }, fn);
    // after a planned CV grid on a tall dense X: the refit's G from the folds' block Grams
    if (crit instanceof CrossValCriterion) crit.installRefitGram(prob.design);
    const refitTol = opts.refitTol ?? (model === 'logreg' ? 1e-10 : Math.min(opts.tol ?? 1e-6, 1e-8));
    sol = prob.solve(outer.lambdas, { tol: refitTol });
    prob.dispose();
  } finally {
    if (own !== null) disposeDesign(own);
  }
  return {
    model, criterionKind: kind, lambdas: outer.lambdas, value: outer.value, coef: sol.beta, intercept: sol.intercept,
    support: sol.support, history: outer.history, outer, lambdaMax: crit.lambdaMax, diagnostics: sol.diagnostics,
    singularEvaluations: singular, timeMs: performance.now() - t0,
  };
}
