/**
 * @file `Lasso`: scikit-learn's `Lasso` estimator over nsdiff's coordinate-descent solver
 * `lasso()` — minimises (1/2n)‖y − Xc − b‖² + α‖c‖₁ (the same objective and tolerance semantics
 * as scikit-learn, so `alpha` means the same number).
 */
import { checkPositive } from '../core/options.js';
import { lasso } from '../lasso/cd.js';
import { type SolverOptions, type SolverResult } from '../lasso/models.js';
import type { DesignMatrix } from '../data/dataset.js';
import { COMMON_KEYS, resolveCommon, type CommonOptions, type ResolvedCommon } from './base.js';
import { LinearRegressor } from './regressor.js';
import { fromParams, openEnvelope } from './serialize.js';

/** Options of {@link Lasso} (scikit-learn's names in camelCase). */
export interface LassoOptions extends CommonOptions {
  /** Penalty α > 0 of α‖c‖₁. Default 1. */
  readonly alpha?: number;
}

/** {@link LassoOptions} with every default filled in. */
export type LassoParams = ResolvedCommon & { alpha: number };

const KEYS = Object.keys({ ...COMMON_KEYS, alpha: true } satisfies Record<keyof LassoOptions, true>);

/**
 * Linear regression with an L1 penalty, the scikit-learn way: `fit(X, y)`, `predict(X)`,
 * `score(X, y)` (R²), fitted `coef`, `intercept`, `nIter`, `dualGap`, `nFeaturesIn`, and
 * `toJSON()` / `Lasso.fromJSON()` for an exact save and reload. Defaults: `alpha` 1, `tol` 1e-4,
 * `maxIter` 1000 epochs, `fitIntercept` true, `standardize` false, `onFailure` 'throw'.
 *
 * @example
 * import { Lasso } from 'nsdiff';
 * const model = new Lasso({ alpha: 0.1 }).fit([[0, 0], [1, 1], [2, 2]], [0, 1, 2]);
 * model.coef;                    // Float64Array [0.85, 0] (scikit-learn: [0.85, 0])
 * model.predict([[1, 1]]);       // Float64Array [1]
 * const copy = Lasso.fromJSON(JSON.parse(JSON.stringify(model)));
 */
export class Lasso extends LinearRegressor<LassoParams> {
  constructor(options: LassoOptions = {}) {
    const common = resolveCommon(options, KEYS, 'Lasso', { maxIter: 1000, tol: 1e-4 });
    super({ ...common, alpha: checkPositive(options?.alpha ?? 1, 'alpha', 'Lasso') });
  }

  protected get estimatorName(): string {
    return 'Lasso';
  }

  protected solve(X: DesignMatrix, y: Float64Array, opts: SolverOptions): SolverResult {
    return lasso(X, y, this.params.alpha, opts);
  }

  /** Loads a model saved by `toJSON()` (object or JSON text); its predictions are bit-for-bit the saved model's. */
  static fromJSON(json: unknown): Lasso {
    const where = 'Lasso.fromJSON';
    const e = openEnvelope(json, 'Lasso', where);
    return fromParams((o) => new Lasso(o as LassoOptions), e, where).restore(e.fitted, where);
  }
}
