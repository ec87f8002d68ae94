/**
 * @file nsdiff public API: float64 tensors, composable conservative autodiff, linear algebra,
 * implicit differentiation and Lasso-type hyperparameter optimisation.
 */
export * from './core/errors.js';
export { type FailurePolicy, FAILURE_POLICIES, setWarningHandler, emitWarning, type WarningHandler } from './core/failure.js';
export { Tensor, tensor, scalar, zeros, ones, full, eye, arange, linspace, shapeSize, type NestedArray } from './core/tensor.js';
export { rng, Rng } from './core/rng.js';
export * from './ops/index.js';
export { vjp, jvp, grad, valueAndGrad, jacobian, hessian, hvp, customJvp, customVjp, type Argnums, type JacobianOptions } from './autodiff/transforms.js';
export { withKinkPolicy, trackKinks, type KinkPolicy, type KinkReport } from './autodiff/kinks.js';
export { Prim } from './autodiff/primitives.js';
export { flatten, treeMap, type Tree } from './autodiff/tree.js';
export {
  customRoot,
  customFixedPoint,
  type DiagnosticsLevel,
  type DiagnosticsReport,
  type ForwardReport,
  type ImplicitFailureOptions,
  type InvertibilityFallback,
  INVERTIBILITY_FALLBACKS,
  type ImplicitFunction,
  type ImplicitOptions,
  type ImplicitReport,
  type KinkAlternative,
  type LinearSolveReport,
  type LinearSolverName,
} from './implicit/index.js';
export {
  hypergradient,
  makeHypergradient,
  NonContractionError,
  type ContractionOptions,
  type HypergradMethod,
  type HypergradStatus,
  type HypergradTraceEntry,
  type HypergradTraceMode,
  type HypergradientOptions,
  type HypergradientResult,
  type HypergradientSession,
  type ItdMemory,
  type ItdOptions,
} from './implicit/hypergrad.js';
export {
  stochasticHypergradient,
  type StochasticHypergradientOptions,
  type StochasticHypergradientResult,
  type StochasticMethod,
  type StochasticStep,
} from './implicit/stochastic.js';

// Numeric (non-differentiable) dense linear algebra: the full set under the `linalg` namespace;
// the names that do not collide with the differentiable ops are also exported directly.
export * as linalg from './linalg/dense/index.js';
export { pinv, matrixRank, cond, condEstimate, sigmaMin, svdvals, lu, qr, eigvalsh, svd } from './linalg/dense/index.js';
export * from './linalg/iterative/index.js';
export * from './linalg/sparse/index.js';
export * from './data/index.js';
export { lineChart, type Series, type ChartOptions } from './plot/svg.js';
// Hyperparameter optimisation of Lasso-type models (hypergradients w.r.t. log λ, criteria, outer
// loops, LassoCV-like estimator). Types that would collide with src/implicit are prefixed `Lasso`.
export {
  LassoHO,
  tuneLasso,
  lassoHypergradient,
  makeCriterion,
  HeldOutCriterion,
  CrossValCriterion,
  SureCriterion,
  estimateNoiseLevel,
  optimize,
  geometricGrid,
  SparseProblem,
  type CriterionKind,
  type DesignLike,
  type CriterionOptions,
  type LassoHypergradientOptions,
  type LassoHypergradientResult,
  type TuneOptions,
  type TuneResult,
  type Criterion,
  type CriterionEvaluation,
  type EvaluateOptions,
  type InnerStats,
  type EvaluationDiagnostics,
  type LabelledSet,
  type SureOptions,
  type OuterOptimizer,
  type OuterOptions,
  type OuterResult,
  type HistoryEntry,
  type SparseModelKind,
  type SparseProblemOptions,
  type HypergradMethod as LassoHypergradMethod,
  type HypergradOptions as LassoHypergradOptions,
  type HypergradResult as LassoHypergradResult,
  type HypergradDiagnostics as LassoHypergradDiagnostics,
  type InnerOptions as LassoInnerOptions,
  type InnerSolution as LassoInnerSolution,
} from './hpo/index.js';
// Lasso-type inner solvers (coordinate descent with working sets, FISTA, paths).
export {
  lasso,
  elasticNet,
  weightedLasso,
  sparseLogreg,
  lassoPath,
  lambdaMax,
  lambdaMaxLogreg,
  lambdaMaxWeighted,
  proxGrad,
  lipschitzConstant,
  prepareDesign,
  disposeDesign,
  solve as fitSparseModel,
  type ModelSpec,
  type WarmStart,
  type SolverOptions,
  type SolverResult,
  type SolverStats,
  type ProxGradResult,
  type LogRegResult,
  type PathOptions,
  type PathResult,
  type PreparedDesign,
  type DesignInput,
} from './lasso/index.js';
