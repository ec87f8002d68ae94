/**
 * @file Implicit differentiation: differentiable solution maps (`customRoot`, `customFixedPoint`)
 * with invertibility diagnostics and failure policies. See docs/implicit.md.
 */
export { customRoot, customFixedPoint } from './root.js';
export { INVERTIBILITY_FALLBACKS, type InvertibilityFallback, type ImplicitFailureOptions } from './failure.js';
export type {
  DiagnosticsLevel,
  DiagnosticsReport,
  ForwardReport,
  ImplicitFunction,
  ImplicitOptions,
  ImplicitReport,
  KinkAlternative,
  LinearSolveReport,
  LinearSolverName,
  CustomLinearSolver,
  CustomLinearProblem,
  CustomLinearResult,
  LinearSolveSamples,
} from './types.js';
