/**
 * @file `ElasticNet`: scikit-learn's `ElasticNet` estimator over nsdiff's coordinate-descent solver
 * `elasticNet()` — minimises (1/2n)‖y − Xc − b‖² + α·ρ‖c‖₁ + (α(1 − ρ)/2)‖c‖² with ρ = `l1Ratio`,
 * i.e. `elasticNet(X, y, λ₁ = αρ, λ₂ = α(1 − ρ))`, scikit-learn's parametrisation.
 */
import { checkPositive } from '../core/options.js';
import { elasticNet } from '../lasso/cd.js';
import { type SolverOptions, type SolverResult } from '../lasso/models.js';
import type { DesignMatrix } from '../data/dataset.js';
import { InvalidArgumentError } from '../core/errors.js';
import { COMMON_KEYS, resolveCommon, type CommonOptions, type ResolvedCommon } from './base.js';
import { LinearRegressor } from './regressor.js';
import { fromParams, openEnvelope } from './serialize.js';

/** Options of {@link ElasticNet} (scikit-learn's names in camelCase). */
export interface ElasticNetOptions extends CommonOptions {
  /** Overall penalty α > 0. Default 1. */
  readonly alpha?: number;
  /** Share ρ ∈ (0, 1] of the L1 part (1: the Lasso). Default 0.5. ρ = 0 (pure ridge) is not a sparse model and is refused. */
  readonly l1Ratio?: number;
}

/** {@link ElasticNetOptions} with every default filled in. */
export type ElasticNetParams = ResolvedCommon & { alpha: number; l1Ratio: number };

const KEYS = Object.keys({ ...COMMON_KEYS, alpha: true, l1Ratio: true } satisfies Record<keyof ElasticNetOptions, true>);

/**
 * Linear regression with a combined L1 and L2 penalty, the scikit-learn way (`fit`, `predict`,
 * `score`, `coef`, `intercept`, `nIter`, `dualGap`, `nFeaturesIn`, `toJSON` / `fromJSON`).
 * Defaults: `alpha` 1, `l1Ratio` 0.5, `tol` 1e-4, `maxIter` 1000, `fitIntercept` true,
 * `standardize` false, `onFailure` 'throw'.
 *
 * @example
 * import { ElasticNet } from 'nsdiff';
 * const model = new ElasticNet({ alpha: 0.1, l1Ratio: 0.7 }).fit([[0, 1], [1, 0], [2, 2], [3, 1]], [0, 1, 2, 3]);
 * model.score([[0, 1], [1, 0], [2, 2], [3, 1]], [0, 1, 2, 3]); // R², close to 1
 */
export class ElasticNet extends LinearRegressor<ElasticNetParams> {
  constructor(options: ElasticNetOptions = {}) {
    const common = resolveCommon(options, KEYS, 'ElasticNet', { maxIter: 1000, tol: 1e-4 });
    const l1Ratio = options?.l1Ratio ?? 0.5;
    if (typeof l1Ratio !== 'number' || !(l1Ratio > 0 && l1Ratio <= 1)) {
      throw new InvalidArgumentError(`ElasticNet(): l1Ratio must be a number in (0, 1], got ${String(l1Ratio)} (l1Ratio = 0 is ridge regression, not a sparse model)`);
    }
    super({ ...common, alpha: checkPositive(options?.alpha ?? 1, 'alpha', 'ElasticNet'), l1Ratio });
  }

  protected get estimatorName(): string {
    return 'ElasticNet';
  }

  protected solve(X: DesignMatrix, y: Float64Array, opts: SolverOptions): SolverResult {
    const { alpha, l1Ratio } = this.params;
    return elasticNet(X, y, alpha * l1Ratio, alpha * (1 - l1Ratio), opts);
  }

  /** Loads a model saved by `toJSON()` (object or JSON text); its predictions are bit-for-bit the saved model's. */
  static fromJSON(json: unknown): ElasticNet {
    const where = 'ElasticNet.fromJSON';
    const e = openEnvelope(json, 'ElasticNet', where);
    return fromParams((o) => new ElasticNet(o as ElasticNetOptions), e, where).restore(e.fitted, where);
  }
}
