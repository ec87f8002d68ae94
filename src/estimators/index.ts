/**
 * @file Public entry of the scikit-learn-style estimators: `Lasso`, `ElasticNet`,
 * `SparseLogisticRegression` (binary and one-vs-rest), `LassoHO` (λ chosen by hypergradient
 * descent), their JSON form, and `loadEstimator` for a saved model of any of these classes.
 */
import { ElasticNet } from './elastic_net.js';
import { Lasso } from './lasso.js';
import { LassoHO } from './lasso_ho.js';
import { SparseLogisticRegression } from './logistic.js';
import { openEnvelope } from './serialize.js';
import { DataFormatError } from '../core/errors.js';

export { Lasso, type LassoOptions, type LassoParams } from './lasso.js';
export { ElasticNet, type ElasticNetOptions, type ElasticNetParams } from './elastic_net.js';
export { SparseLogisticRegression, type SparseLogisticRegressionOptions, type SparseLogisticRegressionParams } from './logistic.js';
export { LassoHO, type LassoHOOptions, type ValidationSet } from './lasso_ho.js';
export { NotFittedError, r2Score, accuracyScore, type CommonOptions } from './base.js';
export { columnScales, type ColumnScaling, type ColumnScalesOptions } from './preprocessing.js';
export { ESTIMATOR_FORMAT, ESTIMATOR_FORMAT_VERSION, type EstimatorJSON } from './serialize.js';

/** Any estimator of this folder. */
export type Estimator = Lasso | ElasticNet | SparseLogisticRegression | LassoHO;

/**
 * Loads a saved estimator of any class (the `estimator` field of the JSON says which).
 *
 * @example
 * const text = JSON.stringify(new Lasso({ alpha: 0.1 }).fit([[0], [1], [2]], [0, 1, 2]));
 * const model = loadEstimator(text);       // a Lasso
 * model instanceof Lasso;                  // true
 */
export function loadEstimator(json: unknown): Estimator {
  const e = openEnvelope(json, null, 'loadEstimator');
  switch (e.estimator) {
    case 'Lasso':
      return Lasso.fromJSON(e);
    case 'ElasticNet':
      return ElasticNet.fromJSON(e);
    case 'SparseLogisticRegression':
      return SparseLogisticRegression.fromJSON(e);
    case 'LassoHO':
      return LassoHO.fromJSON(e);
    default:
      throw new DataFormatError(`loadEstimator(): unknown estimator '${e.estimator}' (known: Lasso, ElasticNet, SparseLogisticRegression, LassoHO)`);
  }
}
