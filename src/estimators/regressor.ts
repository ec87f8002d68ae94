/**
 * @file The shared body of the squared-loss estimators (`Lasso`, `ElasticNet`): fit through one of
 * the coordinate-descent solvers of src/lasso (optionally on standardized columns), predict,
 * R² score, fitted attributes as scikit-learn names them, and the fitted state's JSON form.
 * A subclass supplies its options and the solver call.
 */
import { predictLinear } from '../lasso/hypergrad.js';
import type { SolverOptions, SolverResult } from '../lasso/models.js';
import type { DesignMatrix } from '../data/dataset.js';
import {
  Fittable, noNegativeZero, r2Score, reportUnconverged, supportOf, type ResolvedCommon,
} from './base.js';
import { toDesign, toTarget, type MatrixLike, type VectorLike } from './input.js';
import { columnScales, scaleColumns, unscaleCoef } from './preprocessing.js';
import { FittedReader, envelope, plainParams, toPlain, type EstimatorJSON } from './serialize.js';

/** Fitted state of a linear regressor. */
interface RegressorState {
  readonly coef: Float64Array;
  readonly intercept: number;
  readonly nIter: number;
  readonly dualGap: number;
  readonly converged: boolean;
  readonly nFeaturesIn: number;
  readonly support: Int32Array;
}

/** A linear model ŷ = Xc + b fitted by a Lasso-type solver. */
export abstract class LinearRegressor<P extends ResolvedCommon> extends Fittable<RegressorState> {
  /** The resolved constructor options (defaults filled in), as `getParams()` returns them. */
  protected readonly params: P;

  protected constructor(params: P) {
    super();
    this.params = params;
  }

  /** One solve on the (possibly standardized) design. */
  protected abstract solve(X: DesignMatrix, y: Float64Array, opts: SolverOptions): SolverResult;

  /** The constructor options with their defaults (scikit-learn's `get_params`). */
  getParams(): P {
    return { ...this.params };
  }

  /**
   * Fits the model on X (n × p) and y (n); returns `this`. With `standardize` the solver sees
   * standardized columns and the coefficients are mapped back to the raw scale; with `warmStart`
   * a refit starts from the previous coefficients.
   */
  fit(X: MatrixLike, y: VectorLike): this {
    const where = `${this.estimatorName}.fit`;
    const Xd = toDesign(X, where);
    const yv = toTarget(y, Xd.nRows, where);
    const p = this.params;
    const scales = p.standardize ? columnScales(Xd, { center: p.fitIntercept }).scales : null;
    const Xs = scales ? scaleColumns(Xd, scales) : Xd;
    const prev = p.warmStart && this.state !== null && this.state.nFeaturesIn === Xd.nCols ? this.state.coef : null;
    const warm = prev ? { beta: scales ? prev.map((c, j) => c * scales[j]!) : prev } : undefined;
    const res = this.solve(Xs, yv, { fitIntercept: p.fitIntercept, tol: p.tol, maxIter: p.maxIter, onFailure: 'return', ...(warm ? { warmStart: warm } : {}) });
    if (!res.converged) reportUnconverged([{ iterations: res.iterations, gap: res.gap, tolerance: res.tolerance }], p.onFailure, where, p.maxIter);
    const coef = noNegativeZero(scales ? unscaleCoef(res.beta, scales) : new Float64Array(res.beta));
    this.state = {
      coef, intercept: res.intercept === 0 ? 0 : res.intercept, nIter: res.iterations, dualGap: res.gap,
      converged: res.converged, nFeaturesIn: Xd.nCols, support: supportOf(coef),
    };
    return this;
  }

  /** Predictions Xc + b on raw X (n). */
  predict(X: MatrixLike): Float64Array {
    const { s, Xd } = this.input(X, 'predict');
    return predictLinear(Xd, s.coef, s.support, s.intercept);
  }

  /** R² of the predictions on (X, y) (scikit-learn's `score` for regressors). */
  score(X: MatrixLike, y: VectorLike): number {
    const pred = this.predict(X);
    return r2Score(toTarget(y, pred.length, `${this.estimatorName}.score`), pred);
  }

  /** Coefficients on the raw scale of the columns (length p). */
  get coef(): Float64Array {
    return this.fitted('coef').coef;
  }
  /** Intercept b (0 without `fitIntercept`). */
  get intercept(): number {
    return this.fitted('intercept').intercept;
  }
  /** Epochs the solver ran. */
  get nIter(): number {
    return this.fitted('nIter').nIter;
  }
  /** Final duality gap, in the units of the documented (1/2n-scaled) objective. */
  get dualGap(): number {
    return this.fitted('dualGap').dualGap;
  }
  /** Whether the solver reached `tol` (false only with onFailure 'warn' or 'return'). */
  get converged(): boolean {
    return this.fitted('converged').converged;
  }

  /** The model as JSON-ready data (see serialize.ts); `JSON.stringify(model)` calls this. */
  toJSON(): EstimatorJSON {
    const name = this.estimatorName;
    const s = this.state;
    const fitted = s === null ? null : {
      coef: toPlain(s.coef, 'coef', `${name}.toJSON`), intercept: s.intercept, nIter: s.nIter, dualGap: s.dualGap,
      converged: s.converged, nFeaturesIn: s.nFeaturesIn,
    };
    return envelope(name, plainParams(this.params, `${name}.toJSON`), fitted);
  }

  /** Restores a saved fitted state (used by the subclasses' static `fromJSON`). */
  protected restore(fitted: Record<string, unknown> | null, where: string): this {
    if (fitted === null) return this;
    const r = new FittedReader(fitted, where);
    const nFeaturesIn = r.number('nFeaturesIn', true);
    const coef = r.numbers('coef', nFeaturesIn);
    this.state = {
      coef, intercept: r.number('intercept'), nIter: r.number('nIter', true), dualGap: r.number('dualGap'),
      converged: r.boolean('converged'), nFeaturesIn, support: supportOf(coef),
    };
    return this;
  }
}
