/**
 * @file `LassoHO`: a Lasso-type estimator whose regularisation is chosen by hypergradient descent
 * on a validation criterion (`tuneLasso` of src/hpo) — the hypergradient counterpart of
 * scikit-learn's `LassoCV`, also for the elastic net (two λ), the weighted Lasso (one λ per
 * feature) and sparse logistic regression (labels 0/1 or −1/+1).
 *
 * With `standardize: true` the search and the refit run on standardized columns (preprocessing.ts;
 * a validation set is scaled with the training scales), `coef` is mapped back to the raw scale and
 * `lambda`/`lambdas` are in the units of the standardized problem (glmnet's convention).
 */
import { InvalidArgumentError } from '../core/errors.js';
import { Tensor, tensor } from '../core/tensor.js';
import type { DesignMatrix } from '../data/dataset.js';
import { tuneLassoAs, type TuneOptions, type TuneResult } from '../hpo/estimator.js';
import type { HistoryEntry } from '../hpo/optimizers.js';
import { predictLinear } from '../lasso/hypergrad.js';
import { sigmoidScalar as sigmoid } from '../ops/unary.js';
import { checkOptions } from '../core/options.js';
import {
  Fittable, accuracyScore, checkFeatureCount, noNegativeZero, r2Score, supportOf,
} from './base.js';
import { toDesign, toTarget, type MatrixLike, type VectorLike } from './input.js';
import { columnScales, scaleColumns, unscaleCoef } from './preprocessing.js';
import { FittedReader, envelope, fromParams, openEnvelope, plainParams, toPlain, type EstimatorJSON } from './serialize.js';

/** Options of {@link LassoHO}: those of `tuneLasso`, plus `standardize`. */
export interface LassoHOOptions extends TuneOptions {
  /** Standardize the columns before the search and the refit (see the file header). Default false. */
  readonly standardize?: boolean;
}

// Every key of LassoHOOptions: the compiler refuses this list when TuneOptions gains or loses one.
const KEYS = Object.keys({
  model: true, criterion: true, folds: true, shuffle: true, seed: true, valFraction: true, sigma: true, epsilon: true, fitIntercept: true,
  optimizer: true, maxEvals: true, init: true, scoutSize: true, bounds: true, tol: true, tolStart: true, tolSteps: true, xtol: true,
  ftol: true, firstStep: true, maxStep: true, lr: true, gridSize: true, gridSize2: true, gridEps: true, gridLambdas: true, hypergrad: true,
  onEvaluation: true, method: true, refitTol: true, validation: true, standardize: true, scoutAll: true,
} satisfies Record<keyof LassoHOOptions, true>);

/** Options that are not parameters of the model and are not saved by `toJSON` (a callback, a data set). */
const NOT_SAVED = ['onEvaluation', 'validation'];

/** A labelled validation set as `LassoHO.fit` accepts it. */
export interface ValidationSet {
  readonly X: MatrixLike;
  readonly y: VectorLike;
}

interface HOState {
  readonly coef: Float64Array;
  readonly intercept: number;
  readonly lambdas: Float64Array;
  readonly criterionValue: number;
  readonly lambdaMax: number;
  readonly nFeaturesIn: number;
  /** logreg: the two labels of the training encoding, [0, 1] or [−1, 1]. */
  readonly classes: Float64Array | null;
  readonly support: Int32Array;
  /** Null for a model loaded from JSON. */
  readonly result: TuneResult | null;
}

/**
 * Lasso-type estimator whose regularisation is chosen by hypergradient descent on a validation
 * criterion — a drop-in for scikit-learn's `LassoCV`.
 *
 * @example
 * import { LassoHO, loadDataset } from 'nsdiff';
 * const { X, y } = loadDataset('diabetes');
 * const est = new LassoHO({ model: 'lasso', criterion: 'cv', folds: 5, standardize: true }).fit(X, y);
 * est.lambda;          // chosen λ (standardized units)
 * est.coef;            // refit on all rows, raw scale
 * est.predict(X);      // Xβ + b
 * est.score(X, y);     // R²
 * est.history;         // every evaluation (λ, criterion, gradient, support size, time)
 */
export class LassoHO extends Fittable<HOState> {
  /** The options as given (unknown keys were refused). */
  readonly options: LassoHOOptions;

  constructor(options: LassoHOOptions = {}) {
    super();
    checkOptions(options, KEYS, 'LassoHO()');
    const m = options.model ?? 'lasso';
    if (m !== 'lasso' && m !== 'enet' && m !== 'wlasso' && m !== 'logreg') {
      throw new InvalidArgumentError(`LassoHO(): model must be 'lasso' | 'enet' | 'wlasso' | 'logreg', got ${String(m)}`);
    }
    if (options.standardize !== undefined && typeof options.standardize !== 'boolean') {
      throw new InvalidArgumentError(`LassoHO(): standardize must be true or false, got ${JSON.stringify(options.standardize)}`);
    }
    this.options = { ...options };
  }

  private get isLogreg(): boolean {
    return (this.options.model ?? 'lasso') === 'logreg';
  }

  /** The options (scikit-learn's `get_params`). */
  getParams(): LassoHOOptions {
    return { ...this.options };
  }

  /** Tunes λ on (X, y) and refits on all rows; `validation` for criterion 'heldout' (else an automatic split). */
  fit(X: MatrixLike, y: VectorLike, validation?: ValidationSet): this {
    const where = 'LassoHO.fit';
    const Xd = toDesign(X, where);
    const yv = toTarget(y, Xd.nRows, where);
    const { standardize, ...tune } = this.options;
    const scales = standardize ? columnScales(Xd, { center: tune.fitIntercept ?? true }).scales : null;
    const scaled = (D: DesignMatrix): DesignMatrix => (scales ? scaleColumns(D, scales) : D);
    let opts: TuneOptions = tune;
    const val = validation ?? tune.validation;
    if (val) {
      const Xv = toDesign(val.X as MatrixLike, where, 'validation X');
      checkFeatureCount(Xv, Xd.nCols, where, 'validation X');
      opts = { ...tune, criterion: tune.criterion ?? 'heldout', validation: { X: scaled(Xv), y: toTarget(val.y, Xv.nRows, where, 'validation y') } };
    }
    let classes: Float64Array | null = null;
    if (this.isLogreg) classes = yv.includes(-1) ? Float64Array.of(-1, 1) : Float64Array.of(0, 1);
    const res = tuneLassoAs(scaled(Xd), yv, opts, where);
    const coef = noNegativeZero(scales ? unscaleCoef(res.coef, scales) : new Float64Array(res.coef));
    const support = supportOf(coef);
    this.state = {
      coef, intercept: res.intercept === 0 ? 0 : res.intercept, lambdas: res.lambdas, criterionValue: res.value, lambdaMax: res.lambdaMax,
      nFeaturesIn: Xd.nCols, classes, support, result: { ...res, coef, support },
    };
    return this;
  }

  protected get estimatorName(): string {
    return 'LassoHO';
  }

  private linear(X: MatrixLike, method: string): Float64Array {
    const { s, Xd } = this.input(X, method);
    return predictLinear(Xd, s.coef, s.support, s.intercept);
  }

  /** Coefficients of the refit on all rows (raw scale). */
  get coef(): Float64Array {
    return this.fitted('coef').coef;
  }
  get intercept(): number {
    return this.fitted('intercept').intercept;
  }
  /** The chosen λ (λ₁ for enet; the first λ_j for wlasso — see `lambdas`). */
  get lambda(): number {
    return this.fitted('lambda').lambdas[0]!;
  }
  /** All chosen hyperparameters. */
  get lambdas(): Float64Array {
    return this.fitted('lambdas').lambdas;
  }
  /** Criterion value at the chosen λ. */
  get criterionValue(): number {
    return this.fitted('criterionValue').criterionValue;
  }
  /** λ_max of the (possibly standardized) training data: the top of the search range. */
  get lambdaMax(): number {
    return this.fitted('lambdaMax').lambdaMax;
  }
  /** logreg: the labels, [0, 1] or [−1, 1] as in the training data. */
  get classes(): Float64Array {
    const c = this.fitted('classes').classes;
    if (c === null) throw new InvalidArgumentError("LassoHO.classes: only for model 'logreg'");
    return c;
  }
  /** Every evaluation of the search (not saved by `toJSON`). */
  get history(): HistoryEntry[] {
    return this.fullResult('history').history;
  }
  /** Full result of the search (outer loop, diagnostics, timings; `coef` on the raw scale). Not saved by `toJSON`. */
  get result(): TuneResult {
    return this.fullResult('result');
  }
  private fullResult(what: string): TuneResult {
    const r = this.fitted(what).result;
    if (r === null) throw new InvalidArgumentError(`LassoHO.${what}: not available on a model loaded from JSON (toJSON saves the model, not the search)`);
    return r;
  }

  /** Xβ + b (regression); for logreg the predicted labels in the training encoding (0/1 or ±1). */
  predict(X: MatrixLike): Float64Array {
    const a = this.linear(X, 'predict');
    const c = this.state!.classes;
    return c === null ? a : a.map((v) => (v > 0 ? c[1]! : c[0]!));
  }

  /** Xβ + b, shape [n]. */
  decisionFunction(X: MatrixLike): Tensor {
    const a = this.linear(X, 'decisionFunction');
    return tensor(a, [a.length]);
  }

  /** logreg: class probabilities, shape [n, 2], columns in the order of `classes`. */
  predictProba(X: MatrixLike): Tensor {
    if (!this.isLogreg) throw new InvalidArgumentError("LassoHO.predictProba(): only for model 'logreg'");
    const a = this.linear(X, 'predictProba');
    const P = new Float64Array(2 * a.length);
    for (let i = 0; i < a.length; i++) {
      const q = sigmoid(a[i]!);
      P[2 * i] = 1 - q;
      P[2 * i + 1] = q;
    }
    return tensor(P, [a.length, 2]);
  }

  /** R² (regression models) or accuracy (logreg) on (X, y). */
  score(X: MatrixLike, y: VectorLike): number {
    const pred = this.predict(X);
    const yv = toTarget(y, pred.length, 'LassoHO.score');
    return this.isLogreg ? accuracyScore(yv, pred) : r2Score(yv, pred);
  }

  /** The model as JSON-ready data (see serialize.ts): options (without `onEvaluation`, `validation`) and what `predict` needs. */
  toJSON(): EstimatorJSON {
    const s = this.state;
    const w = 'LassoHO.toJSON';
    const fitted = s === null ? null : {
      coef: toPlain(s.coef, 'coef', w), intercept: s.intercept, lambdas: toPlain(s.lambdas, 'lambdas', w), criterionValue: s.criterionValue,
      lambdaMax: s.lambdaMax, nFeaturesIn: s.nFeaturesIn, classes: s.classes === null ? null : toPlain(s.classes, 'classes', w),
    };
    return envelope('LassoHO', plainParams(this.options as Record<string, unknown>, w, NOT_SAVED), fitted);
  }

  /** Loads a model saved by `toJSON()` (object or JSON text); its predictions are bit-for-bit the saved model's. */
  static fromJSON(json: unknown): LassoHO {
    const where = 'LassoHO.fromJSON';
    const e = openEnvelope(json, 'LassoHO', where);
    const m = fromParams((o) => new LassoHO(o as LassoHOOptions), e, where);
    if (e.fitted === null) return m;
    const r = new FittedReader(e.fitted, where);
    const nFeaturesIn = r.number('nFeaturesIn', true);
    const coef = r.numbers('coef', nFeaturesIn);
    const classes = m.isLogreg ? r.numbers('classes', 2) : null;
    m.state = {
      coef, intercept: r.number('intercept'), lambdas: r.numbers('lambdas'), criterionValue: r.number('criterionValue'),
      lambdaMax: r.number('lambdaMax'), nFeaturesIn, classes, support: supportOf(coef), result: null,
    };
    return m;
  }
}
