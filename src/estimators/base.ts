/**
 * @file Pieces shared by the estimators: the `Fittable` base (fitted state, not-fitted error,
 * prediction input), validation of the common options
 * (`fitIntercept`, `tol`, `maxIter`, `warmStart`, `standardize`, `onFailure`), the feature-count
 * check of `predict`, the routing of a solver that did not converge through the failure policy,
 * and the two scores (R² for regressors, accuracy for classifiers).
 */
import { ConvergenceError, InvalidArgumentError, ShapeError } from '../core/errors.js';
import { failurePolicy, handleFailure, type FailurePolicy } from '../core/failure.js';
import { checkOptions, checkPositive } from '../core/options.js';
import type { DesignMatrix } from '../data/dataset.js';
import { toDesign, type MatrixLike } from './input.js';

/** A fitted attribute or a prediction was asked of an estimator before `fit` (scikit-learn's NotFittedError). */
export class NotFittedError extends InvalidArgumentError {
  override name = 'NotFittedError';
}

/**
 * What every estimator shares: its fitted state (null before `fit`), the not-fitted error, the
 * feature count, and the reading of X for a prediction method.
 */
export abstract class Fittable<S extends { readonly nFeaturesIn: number }> {
  protected state: S | null = null;

  /** The class name used in messages and in the saved JSON. */
  protected abstract get estimatorName(): string;

  /** The fitted state, or NotFittedError naming `what` (e.g. `'coef'`, `'predict()'`). */
  protected fitted(what: string): S {
    if (this.state === null) throw new NotFittedError(`${this.estimatorName}.${what}: this ${this.estimatorName} is not fitted yet; call fit(X, y) first`);
    return this.state;
  }

  /** X of the prediction method `method`, converted and checked against the fitted feature count. */
  protected input(X: MatrixLike, method: string): { s: S; Xd: DesignMatrix } {
    const s = this.fitted(`${method}()`);
    const where = `${this.estimatorName}.${method}`;
    const Xd = toDesign(X, where);
    checkFeatureCount(Xd, s.nFeaturesIn, where);
    return { s, Xd };
  }

  /** Number of features (columns) seen in `fit`. */
  get nFeaturesIn(): number {
    return this.fitted('nFeaturesIn').nFeaturesIn;
  }
  /** Whether `fit` has been called (or a fitted model was loaded). */
  get isFitted(): boolean {
    return this.state !== null;
  }
}

/** Options every estimator takes (scikit-learn's names in camelCase). */
export interface CommonOptions {
  /** Fit an unpenalised intercept. Default true. */
  readonly fitIntercept?: boolean;
  /** Stopping tolerance of the solver (relative duality gap, see docs/conventions.md). Default 1e-4. */
  readonly tol?: number;
  /** Epoch budget of the solver. Default 1000 (SparseLogisticRegression: 10 000). */
  readonly maxIter?: number;
  /** Start the next `fit` from the previous coefficients. Default false. */
  readonly warmStart?: boolean;
  /** Standardize the columns before fitting; coefficients are reported on the raw scale (see preprocessing.ts). Default false. */
  readonly standardize?: boolean;
  /** What a fit that does not reach `tol` within `maxIter` does: 'throw' (default, ConvergenceError), 'warn' or 'return'. */
  readonly onFailure?: FailurePolicy;
}

/** The keys of {@link CommonOptions}, for `checkOptions`. */
export const COMMON_KEYS = {
  fitIntercept: true, tol: true, maxIter: true, warmStart: true, standardize: true, onFailure: true,
} as const satisfies Record<keyof CommonOptions, true>;

/** `CommonOptions` with every default filled in. */
export type ResolvedCommon = { -readonly [K in keyof CommonOptions]-?: NonNullable<CommonOptions[K]> };

function bool(v: unknown, name: string, where: string, def: boolean): boolean {
  if (v === undefined) return def;
  if (typeof v !== 'boolean') throw new InvalidArgumentError(`${where}: ${name} must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

/**
 * Checks the option object (unknown keys throw with a suggestion) and resolves the common options;
 * `name` is the estimator's class name, e.g. `'Lasso'`.
 */
export function resolveCommon(options: unknown, allowed: readonly string[], name: string, defaults: { maxIter: number; tol: number }): ResolvedCommon {
  const where = `${name}()`;
  checkOptions(options, allowed, where);
  const o = (options ?? {}) as CommonOptions;
  const maxIter = o.maxIter ?? defaults.maxIter;
  if (typeof maxIter !== 'number' || !Number.isInteger(maxIter) || maxIter < 1) {
    throw new InvalidArgumentError(`${where}: maxIter must be an integer ≥ 1, got ${String(maxIter)}`);
  }
  return {
    fitIntercept: bool(o.fitIntercept, 'fitIntercept', where, true),
    tol: checkPositive(o.tol ?? defaults.tol, 'tol', name),
    maxIter,
    warmStart: bool(o.warmStart, 'warmStart', where, false),
    standardize: bool(o.standardize, 'standardize', where, false),
    onFailure: failurePolicy(o.onFailure, where),
  };
}

/** Throws unless X has the number of columns the estimator was fitted with. */
export function checkFeatureCount(X: DesignMatrix, nFeaturesIn: number, where: string, arg = 'X'): void {
  if (X.nCols !== nFeaturesIn) {
    throw new ShapeError(
      arg === 'X'
        ? `${where}(): X has ${X.nCols} features (columns), but the estimator was fitted with ${nFeaturesIn}`
        : `${where}(): ${arg} has ${X.nCols} features (columns), but X has ${nFeaturesIn}`,
    );
  }
}

/** One solve that stopped before its tolerance, as the estimators report it. */
export interface UnconvergedSolve {
  readonly iterations: number;
  readonly gap: number;
  readonly tolerance: number;
  /** e.g. 'class 3 vs rest'; omitted for a single problem. */
  readonly label?: string;
}

/**
 * Routes solves that did not converge through the failure policy, as one `ConvergenceError`
 * naming the method (`where`), the gaps and the remedies.
 */
export function reportUnconverged(failed: readonly UnconvergedSolve[], policy: FailurePolicy, where: string, maxIter: number): void {
  if (failed.length === 0) return;
  const what = failed
    .map((f) => `${f.label ? `${f.label}: ` : ''}duality gap ${f.gap.toExponential(3)} > ${f.tolerance.toExponential(3)} after ${f.iterations} epochs`)
    .join('; ');
  const worst = failed.reduce((a, b) => (b.gap > a.gap ? b : a));
  handleFailure(policy, new ConvergenceError(
    `${where}(): the solver did not converge within maxIter = ${maxIter} (${what}); increase maxIter or tol, or set onFailure: 'warn' | 'return'`,
    { iterations: worst.iterations, residualNorm: worst.gap, converged: false, tolerance: worst.tolerance },
  ));
}

/** −0 → +0 in place (so that JSON, which writes −0 as 0, round-trips every fitted value exactly). */
export function noNegativeZero(a: Float64Array): Float64Array {
  for (let i = 0; i < a.length; i++) if (a[i] === 0) a[i] = 0;
  return a;
}

/** Indices j with a_j ≠ 0, ascending. */
export function supportOf(a: Float64Array): Int32Array {
  const out: number[] = [];
  for (let j = 0; j < a.length; j++) if (a[j] !== 0) out.push(j);
  return Int32Array.from(out);
}

/**
 * Coefficient of determination R² = 1 − Σ(y − ŷ)² / Σ(y − ȳ)² (scikit-learn's `r2_score`,
 * including its convention for a constant y: 1 for a perfect prediction, else 0).
 *
 * @example
 * r2Score([1, 2, 3], [1, 2, 3]); // 1
 */
export function r2Score(y: ArrayLike<number>, pred: ArrayLike<number>): number {
  const n = y.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i]!;
  mean /= n;
  let ssTot = 0;
  let ssRes = 0;
  for (let i = 0; i < n; i++) {
    ssTot += (y[i]! - mean) ** 2;
    ssRes += (y[i]! - pred[i]!) ** 2;
  }
  if (ssTot === 0) return ssRes === 0 ? 1 : 0;
  return 1 - ssRes / ssTot;
}

/**
 * Share of rows where the predicted label equals the true one.
 *
 * @example
 * accuracyScore([0, 1, 1], [0, 1, 0]); // 0.666…
 */
export function accuracyScore(y: ArrayLike<number>, pred: ArrayLike<number>): number {
  let ok = 0;
  for (let i = 0; i < y.length; i++) if (y[i] === pred[i]) ok++;
  return ok / y.length;
}
