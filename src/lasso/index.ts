/**
 * @file Public entry of the Lasso-type inner solvers.
 *
 * - matrix.ts: the one matrix model (`MatrixLike`, `VectorLike`, `toDesignMatrix`, `toVector`);
 * - models.ts: objectives, options/result types, λ_max, validation helpers;
 * - design.ts: `prepareDesign` (validation, centring, norms, power-of-two rescaling);
 * - kernels/wasm_lasso.ts: the WebAssembly SIMD engine of dense designs; columns.ts: column kernels;
 * - quad_model.ts: penalties, gaps and dual points of the squared-loss models;
 * - cd_epochs.ts, quad_cd.ts: the coordinate-descent epochs and solver (working sets, Gap Safe
 *   screening, extrapolation); cd.ts: `lasso`, `elasticNet`, `weightedLasso`; path.ts: `lassoPath`;
 * - logreg.ts: sparse logistic regression (working-set proximal Newton, `sparseLogreg`);
 * - ista.ts: ISTA/FISTA for every model (`proxGrad`, `lipschitzConstant`).
 *
 * `solve(X, y, model, opts)` dispatches a `ModelSpec` to the coordinate-descent solvers.
 */
import type { DesignInput } from './design.js';
import type { VectorLike } from '../data/matrix.js';
import type { ModelSpec, SolverOptions, SolverResult } from './models.js';
import { elasticNet, lasso, weightedLasso } from './cd.js';
import { sparseLogreg } from './logreg.js';
import { InvalidArgumentError } from '../core/errors.js';

// Curated public surface (the modules also export building blocks — gap formulas, column kernels,
// validation helpers — for the hypergradient code in this folder; import those from the module).
export type { ModelSpec, WarmStart, Acceleration, SolverOptions, SolverStats, SolverResult, ProxGradResult, LogRegResult } from './models.js';
export { lambdaMax, lambdaMaxLogreg } from './models.js';
export type { PreparedDesign, DesignInput } from './design.js';
export { prepareDesign, disposeDesign, isPreparedDesign } from './design.js';
export { spectralNormSq } from './columns.js';
export type { GapInfo } from './quad_model.js';
export { quadraticGap } from './quad_model.js';
export { lasso, elasticNet, weightedLasso, lambdaMaxWeighted } from './cd.js';
export type { PathOptions, PathResult } from './path.js';
export { lassoPath } from './path.js';
export type { DenseDesign, DesignMatrix, MatrixLike, VectorLike } from '../data/matrix.js';
export { toDesignMatrix } from '../data/matrix.js';
export { sparseLogreg, logregGap } from './logreg.js';
export type { ProxGradOptions } from './ista.js';
export { proxGrad, lipschitzConstant, softThresholdScalar } from './ista.js';

/**
 * Solves any Lasso-type `ModelSpec` with the default (coordinate-descent) solver of its family.
 *
 * @example
 * const fit = solve(X, y, { type: 'enet', lambda1: 0.1, lambda2: 0.01 }, { tol: 1e-8 });
 */
export function solve(X: DesignInput, y: VectorLike, model: ModelSpec, opts: SolverOptions = {}): SolverResult {
  if (model === null || typeof model !== 'object') throw new InvalidArgumentError('solve(): model must be a ModelSpec object');
  switch (model.type) {
    case 'lasso':
      return lasso(X, y, model.lambda, opts);
    case 'enet':
      return elasticNet(X, y, model.lambda1, model.lambda2, opts);
    case 'wlasso':
      return weightedLasso(X, y, model.lambda, model.weights, opts);
    case 'logreg':
      return sparseLogreg(X, y, model.lambda, opts);
    default:
      throw new InvalidArgumentError(`solve(): unknown model type ${String((model as { type?: unknown }).type)}`);
  }
}
