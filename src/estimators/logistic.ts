/**
 * @file `SparseLogisticRegression`: scikit-learn's `LogisticRegression(penalty='l1', C)` over
 * nsdiff's proximal-Newton solver `sparseLogreg()`. Binary problems solve
 *
 *   min (1/n) Σ_i log(1 + exp(−y_i(x_iᵀc + b))) + λ‖c‖₁,   λ = 1/(C·n)
 *
 * (scikit-learn's C·Σ loss + ‖c‖₁ divided by C·n: the same minimiser). More than two classes are
 * handled ONE-VS-REST (scikit-learn's `multi_class='ovr'`): one binary problem per class, scores
 * f_k(x) = x ᵀc_k + b_k, probabilities σ(f_k) normalised to sum 1, prediction argmax_k f_k. A
 * multinomial (softmax) model would need its own solver, which nsdiff does not have.
 */
import { checkPositive } from '../core/options.js';
import { DataFormatError, InvalidArgumentError } from '../core/errors.js';
import { Tensor, tensor } from '../core/tensor.js';
import type { DesignMatrix } from '../data/dataset.js';
import { predictLinear } from '../lasso/hypergrad.js';
import { sparseLogreg } from '../lasso/logreg.js';
import { sigmoidScalar as sigmoid } from '../ops/unary.js';
import {
  COMMON_KEYS, Fittable, accuracyScore, noNegativeZero, reportUnconverged, resolveCommon, supportOf,
  type CommonOptions, type ResolvedCommon, type UnconvergedSolve,
} from './base.js';
import { toDesign, toTarget, type MatrixLike, type VectorLike } from './input.js';
import { columnScales, scaleColumns, unscaleCoef } from './preprocessing.js';
import { FittedReader, envelope, fromParams, openEnvelope, plainParams, toPlain, type EstimatorJSON } from './serialize.js';

/** Options of {@link SparseLogisticRegression} (scikit-learn's names in camelCase). */
export interface SparseLogisticRegressionOptions extends CommonOptions {
  /** Inverse regularisation strength C > 0 (scikit-learn's); the solver's λ is 1/(C·n). Default 1. */
  readonly C?: number;
}

/** {@link SparseLogisticRegressionOptions} with every default filled in. */
export type SparseLogisticRegressionParams = ResolvedCommon & { C: number };

const KEYS = Object.keys({ ...COMMON_KEYS, C: true } satisfies Record<keyof SparseLogisticRegressionOptions, true>);
const NAME = 'SparseLogisticRegression';

interface ClassifierState {
  readonly classes: Float64Array;
  /** One row per binary problem: 1 row for two classes, K rows (class k vs rest) otherwise. */
  readonly coef: Float64Array[];
  readonly intercept: Float64Array;
  readonly nIter: Int32Array;
  readonly dualGap: Float64Array;
  readonly converged: boolean;
  readonly nFeaturesIn: number;
  readonly supports: Int32Array[];
}

/**
 * L1-penalised logistic regression, binary or one-vs-rest multiclass, the scikit-learn way:
 * `fit(X, y)` with any numeric labels, `predict` (labels), `predictProba` (n × K), `decisionFunction`
 * (shape [n] for two classes, [n, K] otherwise), `score` (accuracy), fitted `classes`, `coef`
 * (rows of length p), `intercept`, `nIter`, `dualGap` (one per binary problem), `nFeaturesIn`, and
 * `toJSON()` / `SparseLogisticRegression.fromJSON()`. Defaults: `C` 1, `tol` 1e-4 (duality gap ≤
 * tol·log 2), `maxIter` 10 000 inner coordinate-descent epochs (the solver's default; scikit-learn's 100 counts
 * other iterations),
 * `fitIntercept` true, `standardize` false, `onFailure` 'throw'.
 *
 * @example
 * import { SparseLogisticRegression } from 'nsdiff';
 * const X = [[0, 1], [1, 1], [2, 0], [3, 0], [4, 1], [5, 0]];
 * const clf = new SparseLogisticRegression({ C: 10 }).fit(X, [0, 0, 0, 1, 1, 1]);
 * clf.predict([[0.5, 1], [4.5, 0]]);   // Float64Array [0, 1]
 * clf.predictProba([[2.5, 0]]).shape;  // [1, 2]
 */
export class SparseLogisticRegression extends Fittable<ClassifierState> {
  private readonly params: SparseLogisticRegressionParams;

  constructor(options: SparseLogisticRegressionOptions = {}) {
    super();
    const common = resolveCommon(options, KEYS, NAME, { maxIter: 10_000, tol: 1e-4 });
    this.params = { ...common, C: checkPositive(options?.C ?? 1, 'C', NAME) };
  }

  /** The constructor options with their defaults (scikit-learn's `get_params`). */
  getParams(): SparseLogisticRegressionParams {
    return { ...this.params };
  }

  /** Fits one binary problem (two classes) or one per class (one-vs-rest); returns `this`. */
  fit(X: MatrixLike, y: VectorLike): this {
    const where = `${NAME}.fit`;
    const Xd = toDesign(X, where);
    const yv = toTarget(y, Xd.nRows, where);
    const classes = Float64Array.from(new Set(yv)).sort();
    if (classes.length < 2) throw new InvalidArgumentError(`${where}(): y has a single class (${classes[0]}); a classifier needs at least 2`);
    const p = this.params;
    const scales = p.standardize ? columnScales(Xd, { center: p.fitIntercept }).scales : null;
    const Xs: DesignMatrix = scales ? scaleColumns(Xd, scales) : Xd;
    const lambda = 1 / (p.C * Xd.nRows);
    const positives = classes.length === 2 ? [classes[1]!] : Array.from(classes);
    const prev = p.warmStart && this.state !== null && this.state.nFeaturesIn === Xd.nCols && this.state.coef.length === positives.length ? this.state : null;
    const coef: Float64Array[] = [];
    const intercept = new Float64Array(positives.length);
    const nIter = new Int32Array(positives.length);
    const dualGap = new Float64Array(positives.length);
    const failed: UnconvergedSolve[] = [];
    positives.forEach((c, k) => {
      const z = yv.map((v) => (v === c ? 1 : 0));
      const warm = prev ? { beta: scales ? prev.coef[k]!.map((v, j) => v * scales[j]!) : prev.coef[k]!, intercept: prev.intercept[k]! } : undefined;
      const res = sparseLogreg(Xs, z, lambda, { fitIntercept: p.fitIntercept, tol: p.tol, maxIter: p.maxIter, onFailure: 'return', ...(warm ? { warmStart: warm } : {}) });
      coef.push(noNegativeZero(scales ? unscaleCoef(res.beta, scales) : new Float64Array(res.beta)));
      intercept[k] = res.intercept;
      nIter[k] = res.iterations;
      dualGap[k] = res.gap;
      if (!res.converged) failed.push({ iterations: res.iterations, gap: res.gap, tolerance: res.tolerance, ...(positives.length > 1 ? { label: `class ${c} vs rest` } : {}) });
    });
    reportUnconverged(failed, p.onFailure, where, p.maxIter);
    noNegativeZero(intercept);
    this.state = { classes, coef, intercept, nIter, dualGap, converged: failed.length === 0, nFeaturesIn: Xd.nCols, supports: coef.map(supportOf) };
    return this;
  }

  protected get estimatorName(): string {
    return NAME;
  }

  /** Scores x ᵀc_k + b_k, one row of K (or 1 for two classes) per sample, row-major. */
  private scores(X: MatrixLike, method: string): { s: ClassifierState; n: number; f: Float64Array } {
    const { s, Xd } = this.input(X, method);
    const K = s.coef.length;
    const n = Xd.nRows;
    const f = new Float64Array(n * K);
    for (let k = 0; k < K; k++) {
      const col = predictLinear(Xd, s.coef[k]!, s.supports[k]!, s.intercept[k]!);
      for (let i = 0; i < n; i++) f[i * K + k] = col[i]!;
    }
    return { s, n, f };
  }

  /** Decision scores: shape [n] (two classes: > 0 means `classes[1]`) or [n, K] (one-vs-rest). */
  decisionFunction(X: MatrixLike): Tensor {
    const { s, n, f } = this.scores(X, 'decisionFunction');
    return tensor(f, s.coef.length === 1 ? [n] : [n, s.coef.length]);
  }

  /** Class probabilities, shape [n, K], columns in the order of `classes`; each row sums to 1. */
  predictProba(X: MatrixLike): Tensor {
    const { s, n, f } = this.scores(X, 'predictProba');
    const K = s.classes.length;
    const P = new Float64Array(n * K);
    if (s.coef.length === 1) {
      for (let i = 0; i < n; i++) {
        const q = sigmoid(f[i]!);
        P[2 * i] = 1 - q;
        P[2 * i + 1] = q;
      }
    } else {
      for (let i = 0; i < n; i++) {
        let tot = 0;
        for (let k = 0; k < K; k++) tot += P[i * K + k] = sigmoid(f[i * K + k]!);
        for (let k = 0; k < K; k++) P[i * K + k]! /= tot;
      }
    }
    return tensor(P, [n, K]);
  }

  /** Predicted labels (values of `classes`). Ties go to the first class, as NumPy's argmax. */
  predict(X: MatrixLike): Float64Array {
    const { s, n, f } = this.scores(X, 'predict');
    const K = s.coef.length;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      if (K === 1) {
        out[i] = f[i]! > 0 ? s.classes[1]! : s.classes[0]!;
        continue;
      }
      let best = 0;
      for (let k = 1; k < K; k++) if (f[i * K + k]! > f[i * K + best]!) best = k;
      out[i] = s.classes[best]!;
    }
    return out;
  }

  /** Accuracy of `predict(X)` against y. */
  score(X: MatrixLike, y: VectorLike): number {
    const pred = this.predict(X);
    return accuracyScore(toTarget(y, pred.length, `${NAME}.score`), pred);
  }

  /** The sorted distinct labels seen in `fit`. */
  get classes(): Float64Array {
    return this.fitted('classes').classes;
  }
  /** Coefficients on the raw scale: 1 row (two classes) or one row per class (one-vs-rest), each of length p. */
  get coef(): Float64Array[] {
    return this.fitted('coef').coef;
  }
  /** One intercept per row of `coef`. */
  get intercept(): Float64Array {
    return this.fitted('intercept').intercept;
  }
  /** Inner epochs of each binary problem. */
  get nIter(): Int32Array {
    return this.fitted('nIter').nIter;
  }
  /** Final duality gap of each binary problem. */
  get dualGap(): Float64Array {
    return this.fitted('dualGap').dualGap;
  }
  /** Whether every binary problem reached `tol`. */
  get converged(): boolean {
    return this.fitted('converged').converged;
  }

  /** The model as JSON-ready data (see serialize.ts). */
  toJSON(): EstimatorJSON {
    const s = this.state;
    const w = `${NAME}.toJSON`;
    const fitted = s === null ? null : {
      classes: toPlain(s.classes, 'classes', w), coef: s.coef.map((r, k) => toPlain(r, `coef[${k}]`, w)), intercept: toPlain(s.intercept, 'intercept', w),
      nIter: Array.from(s.nIter), dualGap: toPlain(s.dualGap, 'dualGap', w), converged: s.converged, nFeaturesIn: s.nFeaturesIn,
    };
    return envelope(NAME, plainParams(this.params, w), fitted);
  }

  /** Loads a model saved by `toJSON()` (object or JSON text); its predictions are bit-for-bit the saved model's. */
  static fromJSON(json: unknown): SparseLogisticRegression {
    const where = `${NAME}.fromJSON`;
    const e = openEnvelope(json, NAME, where);
    const m = fromParams((o) => new SparseLogisticRegression(o as SparseLogisticRegressionOptions), e, where);
    if (e.fitted === null) return m;
    const r = new FittedReader(e.fitted, where);
    const nFeaturesIn = r.number('nFeaturesIn', true);
    const classes = r.numbers('classes');
    if (classes.length < 2) throw new DataFormatError(`${where}(): fitted.classes must hold at least 2 labels`);
    for (let k = 1; k < classes.length; k++) if (!(classes[k]! > classes[k - 1]!)) throw new DataFormatError(`${where}(): fitted.classes must be strictly increasing`);
    const K = classes.length === 2 ? 1 : classes.length;
    const coef = r.matrix('coef', K, nFeaturesIn);
    const nIter = Int32Array.from(r.numbers('nIter', K), (v) => {
      if (!Number.isInteger(v) || v < 0) throw new DataFormatError(`${where}(): fitted.nIter must hold integers ≥ 0`);
      return v;
    });
    m.state = {
      classes, coef, intercept: r.numbers('intercept', K), nIter, dualGap: r.numbers('dualGap', K), converged: r.boolean('converged'),
      nFeaturesIn, supports: coef.map(supportOf),
    };
    return m;
  }
}
