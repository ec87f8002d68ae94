/**
 * @file nsdiff public API (the package root, `import … from 'nsdiff'`): float64 tensors,
 * composable conservative autodiff, linear algebra, implicit differentiation and Lasso-type
 * hyperparameter optimisation.
 *
 * Names are listed one by one (only the iterative-solver and sparse-matrix barrels, public as a
 * whole, are re-exported with `export *`), so the surface changes only deliberately: the checked-in
 * report api/nsdiff.api.md lists it with signatures (`npm run api:report` regenerates it;
 * test/package.api.test.ts fails while it is stale or while an op or data function is exported
 * from neither entry point). Building blocks for extending the library
 * (primitive definitions, rule tables, shape and validation helpers) are in `nsdiff/internals`
 * (src/internals.ts), not here. The root is browser-safe (no Node built-in is reachable from it;
 * test/package.browser.test.ts bundles it for the browser): file loaders and writers, the bundled
 * CSVs' paths and the IDX / Fashion-MNIST loaders are in `nsdiff/node` (src/node.ts).
 */
// core: errors, failure policy, tensors, randomness
export {
  NsdiffError,
  ShapeError,
  NonFiniteError,
  InvalidArgumentError,
  SingularMatrixError,
  NotPositiveDefiniteError,
  NotSymmetricError,
  ConvergenceError,
  InvertibilityError,
  MissingRuleError,
  ConcretizationError,
  DataFormatError,
} from './core/errors.js';
export { type FailurePolicy, FAILURE_POLICIES, setWarningHandler, type WarningHandler } from './core/failure.js';
export { Tensor, tensor, scalar, zeros, ones, full, eye, arange, linspace, type NestedArray } from './core/tensor.js';
export { rng, Rng } from './core/rng.js';
// ops: the differentiable operations (src/ops/), by file
export { add, sub, mul, div, neg, pow, square } from './ops/arithmetic.js';
export { sin, cos, exp, log, sqrt, tanh, sigmoid, softplus } from './ops/unary.js';
export { relu, abs, sign, maximum, minimum, type KinkOption } from './ops/nonsmooth.js';
export { clip, softThreshold, hinge } from './ops/piecewise.js';
export { erf, leakyRelu, elu, gelu, type LeakyReluOptions, type EluOptions, type GeluOptions } from './ops/activations.js';
export { max, min, argmax, argmin, norm } from './ops/extrema.js';
export { avgPool2d, type AvgPool2dOptions } from './ops/pooling.js';
export { conv2d, conv2dTranspose, type Conv2dOptions, type Conv2dTransposeOptions, type Pair2d } from './ops/conv.js';
export { maxPool1d, maxPool2d, weightedGather, type MaxPool1dOptions, type MaxPool2dOptions } from './ops/pooling.js';
export { compare, equal, notEqual, less, lessEqual, greater, greaterEqual, where, stopGradient, logicalNot, type CompareOptions } from './ops/logic.js';
export type { CompareOp } from './autodiff/primitives.js';
export { sum, mean } from './ops/reduce.js';
export { reshape, broadcastTo, transpose, matrixTranspose, zerosLike, onesLike, type TransposeOptions } from './ops/shape.js';
export { matmul, dot, type MatmulOptions } from './ops/matmul.js';
export { slice, pad, sliceAxis, concat, stack, type AxisOption } from './ops/slicing.js';
export { take, scatterAdd, index, takeAlongAxis, type IndexArray, type ScatterAddOptions } from './ops/indexing.js';
export { cumsum, type CumsumOptions } from './ops/cumulative.js';
export { logsumexp, softmax, logSoftmax, variance, std } from './ops/normalize.js';
export { crossEntropy, binaryCrossEntropyWithLogits, mse, multiclassHinge, hingeLoss, type Reduction, type LossOptions, type CrossEntropyOptions, type MulticlassHingeOptions } from './ops/losses.js';
export { outer, diag, trace, fullLike, type DiagonalOptions } from './ops/structural.js';
export { asTensor, type TensorLike } from './ops/convert.js';
// autodiff: transforms, kink policies, parameter trees
export {
  vjp, jvp, grad, valueAndGrad, jacobian, hessian, hvp, customJvp, customVjp, type CustomRuleOptions,
  type Argnums, type GradOptions, type GradOf, type JacobianOptions, type JacobianOf, type HessianOptions,
} from './autodiff/transforms.js';
export { withKinkPolicy, trackKinks, type KinkPolicy, type KinkReport } from './autodiff/kinks.js';
export { flatten, treeMap, type Tree, type Flat } from './autodiff/tree.js';
// optimisers: optax-like init/update pairs on parameter trees, step-size schedules
export {
  sgd,
  heavyBall,
  adam,
  adamw,
  clipByGlobalNorm,
  chain,
  applyUpdates,
  type GradientTransformation,
  type TransformState,
  type SgdState,
  type HeavyBallState,
  type AdamState,
  type ClipState,
  type ChainState,
  type SgdOptions,
  type HeavyBallOptions,
  type AdamOptions,
} from './nn/optim.js';
export {
  constant,
  robbinsMonro,
  stepDecay,
  cosineDecay,
  warmup,
  type Schedule,
  type ScheduleLike,
  type RobbinsMonroOptions,
  type StepDecayOptions,
  type CosineDecayOptions,
} from './nn/schedules.js';
// deep equilibrium layers (nn/deq) and the per-sample batched fixed-point solver
export {
  deq,
  type DeqMap,
  type DeqBackward,
  type DeqOptions,
  type DeqCallOptions,
  type DeqInvertibility,
  type DeqReport,
  type DeqLayer,
  type DeqCorrections,
} from './nn/deq/deq.js';
export { fcDeq, spectralNormalize, weightNormalize, type FcDeqParams, type FcDeqOptions, type SpectralNormalizeOptions } from './nn/deq/fc.js';
export { jacobianPenalty, deqCorrectionLoss, type JacobianPenaltyOptions } from './nn/deq/regularize.js';
export { mondeq, monDeqWeight, type MonDeqParams, type MonDeqSplitting, type MonDeqOptions } from './nn/deq/mondeq.js';
export { mondeqConv, monDeqConvApply, type MonDeqConvParams, type MonDeqConvOptions } from './nn/deq/mondeq_conv.js';
export {
  solveBatchFixedPoint,
  type BatchFixedPointMethod,
  type BatchFixedPointOptions,
  type BatchFixedPointReport,
  type BatchFixedPointResult,
} from './implicit/fixed_point_batch.js';
// implicit differentiation: custom roots / fixed points, hypergradients
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
  type CustomLinearSolver,
  type CustomLinearProblem,
  type CustomLinearResult,
  type LinearSolveSamples,
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
// optimisation layers: differentiable QPs and projections (src/optlayers/)
export {
  solveQp, solveCone, projectSimplex, sparsemax, projectL1Ball, projectL2Ball, projectSoc, projectPsd, tvDenoise1d, constrainedLstsq,
  type ConstrainedLstsqProblem, type ConstrainedLstsqOptions,
  type QpProblem, type QpOptions, type QpSolution, type QpStatus, type QpWarmStart, type QpDerivativeReport, type QpAdmmReport, type ProjectionOptions, type TvOptions,
  type ConeProblem, type ConeOptions, type ConeSolution, type ConeSpec, type ConeStatus, type ConeRunReport,
} from './optlayers/index.js';

// Dense linear algebra: one namespace of Tensor-in / Tensor-out functions, each differentiable
// or refusing traced input (src/ops/linalg_api.ts).
export * as linalg from './ops/linalg_api.js';
// Neural-network layers, initialisers and the layer protocol: one namespace (src/nn/index.ts).
export * as nn from './nn/index.js';
// iterative solvers and sparse matrices
export * from './linalg/iterative/index.js';
export * from './linalg/sparse/index.js';
// data: designs, loaders, bundled and synthetic datasets, splits
export {
  denseDesign,
  denseFromRows,
  toCsc,
  toDense,
  takeRows,
  makeDataset,
  takeDataset,
  splitTrainVal,
  kFoldIndices,
  type DenseDesign,
  type DesignMatrix,
  type Dataset,
  type TrainValSplit,
  type Fold,
} from './data/dataset.js';
// the one matrix model of every model and solver (2-D Tensor, number[][], CscMatrix, CsrMatrix)
export { type MatrixLike, type VectorLike } from './data/matrix.js';
export { parseCsv, type CsvOptions } from './data/csv.js';
export { parseLibsvm, writeLibsvm, LIBSVM_MAX_FEATURES, LIBSVM_FEATURES_PER_ENTRY, LIBSVM_SLACK_FEATURES, type LibsvmOptions, type WriteLibsvmOptions } from './data/libsvm.js';
export { loadDataset, datasetNames, type DatasetName } from './data/datasets.js';
export { batches, numBatches, gatherRows, type BatchOptions, type RowSource } from './data/batches.js';
export {
  makeCorrelatedData,
  makeSparseRegression,
  makeClassification,
  type SyntheticData,
  type CorrelatedDataOptions,
  type SparseRegressionOptions,
  type ClassificationOptions,
} from './data/synthetic.js';
// plots
export { lineChart, type Series, type ChartOptions } from './plot/svg.js';
// Hyperparameter optimisation of Lasso-type models (hypergradients w.r.t. log λ, criteria, outer
// loops, LassoCV-like estimator). Types that would collide with src/implicit are prefixed `Lasso`.
export {
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
// scikit-learn-style estimators (fit / predict / score / toJSON), standardization, saved models.
export {
  Lasso,
  ElasticNet,
  SparseLogisticRegression,
  LassoHO,
  loadEstimator,
  NotFittedError,
  r2Score,
  accuracyScore,
  columnScales,
  ESTIMATOR_FORMAT,
  ESTIMATOR_FORMAT_VERSION,
  type Estimator,
  type EstimatorJSON,
  type CommonOptions as EstimatorOptions,
  type LassoOptions,
  type LassoParams,
  type ElasticNetOptions,
  type ElasticNetParams,
  type SparseLogisticRegressionOptions,
  type SparseLogisticRegressionParams,
  type LassoHOOptions,
  type ValidationSet,
  type ColumnScaling,
  type ColumnScalesOptions,
} from './estimators/index.js';
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
  type ProxGradOptions,
  type Acceleration,
  type LogRegResult,
  type PathOptions,
  type PathResult,
  type PreparedDesign,
  type DesignInput,
} from './lasso/index.js';
