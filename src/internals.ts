/**
 * @file `nsdiff/internals`: the building blocks behind the public API, for those who extend the
 * library (new primitives, custom solvers) or test it. No stability promise: these names may change
 * in any release. The public API is the package root (src/index.ts).
 *
 * - primitive definitions (`addDef`, `reluDef`, …): the objects that carry a primitive's forward
 *   function and its JVP/VJP rules, and the registry of all of them (`PRIMITIVES`, keyed by `Prim`);
 * - helpers of the ops (`kinkMask`, `reducedShape`, `reductionIndexMap`, scalar `sigmoidScalar`,
 *   `softplusScalar`);
 * - the conventions every public function follows: `checkOptions` (unknown option keys),
 *   `handleFailure` / `emitWarning` (the failure policy), `concreteData` (non-differentiable code
 *   meets a traced tensor), `assertFinite`, `shapeSize`;
 * - kernels on design matrices used by the Lasso solvers (`matVec`, `columnNormsSquared`, …);
 * - the kernel layer's switches: `setKernelBackend` ('wasm' | 'js' | 'auto'), `setThreads`,
 *   `wasmKernelsAvailable`, `wasmFmaActive` (fused gemm), and the pool's diagnostics `workerChunksTotal`, `threadHost` (see docs/kernels.md).
 *
 * The report api/nsdiff-internals.api.md lists them with signatures.
 *
 * @example
 * import { PRIMITIVES, Prim, reluDef } from 'nsdiff/internals';
 * PRIMITIVES[Prim.Relu] === reluDef; // true
 */
// core
export { assertFinite } from './core/errors.js';
export { emitWarning, handleFailure } from './core/failure.js';
export { checkOptions } from './core/options.js';
export { shapeSize, concreteData, type ConcreteTensor } from './core/tensor.js';
// autodiff: primitive ids and the registry of definitions
export {
  Prim,
  type PrimParams,
  type NoParams,
  type KinkParams,
  type ExtremumParams,
  type ArgExtremumParams,
  type PoolParams,
  type WeightedGatherParams,
  type ConvParams,
  type TriangularSolveParams,
} from './autodiff/primitives.js';
export type { PrimDef } from './autodiff/trace.js';
export type { ResolvedKinkPolicy } from './autodiff/kinks.js';
export { PRIMITIVES } from './ops/registry.js';
// ops: primitive definitions and helpers, by file
export { addDef, subDef, mulDef, divDef, negDef, powDef } from './ops/arithmetic.js';
export { softplusScalar, sigmoidScalar, expDef, logDef, sqrtDef, tanhDef, sigmoidDef, softplusDef, sinDef, cosDef } from './ops/unary.js';
export { kinkMask, kinkPolicyOf, reluDef, absDef, signDef, maximumDef, minimumDef } from './ops/nonsmooth.js';
export { reducedShape, reductionIndexMap, sumDef } from './ops/reduce.js';
export { matmulDef, matmulBiasDef, matmulBias } from './ops/matmul.js';
export { softmaxCrossEntropyDef } from './ops/losses.js';
export { conv2dDef, conv2dTransposeDef, conv2dWeightGradDef, conv2dWeightGrad } from './ops/conv.js';
export { sliceDef, padDef, concatDef } from './ops/slicing.js';
// kernels: backend switch and threads
export { setKernelBackend, getKernelBackend, wasmKernelsAvailable, wasmFmaActive, type KernelBackend } from './kernels/engine.js';
export { setThreads, getThreads, workerChunksTotal, threadHost } from './kernels/threads.js';
export { teamChunksTotal } from './kernels/team.js';
// lasso: the WebAssembly engine behind a prepared design
export type { WasmEngine } from './lasso/design.js';
// data: kernels on design matrices
export { getEntry, nnzOf, columnNormsSquared, constantColumns, matVec } from './data/dataset.js';
export { checkDatasetName } from './data/datasets.js';
export { encodeLibsvm } from './data/libsvm.js';
export { CsvParser, countLineEnds, type CsvParserOptions } from './data/csv.js';
