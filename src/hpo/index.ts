/**
 * @file Public entry of hyperparameter optimisation for Lasso-type models: criteria (held-out,
 * K-fold CV, SURE), outer optimisers (line search, Adam, grid) and the estimator API
 * (`LassoHO`, `tuneLasso`, `lassoHypergradient`). The hypergradients themselves live in
 * src/lasso/hypergrad.ts and are re-exported here.
 */
export * from './criteria.js';
export * from './optimizers.js';
export * from './estimator.js';
export {
  SparseProblem,
  type SparseModelKind,
  type HypergradMethod,
  type HypergradOptions,
  type HypergradResult,
  type HypergradDiagnostics,
  type InnerOptions,
  type InnerSolution,
  type SparseProblemOptions,
} from '../lasso/hypergrad.js';
