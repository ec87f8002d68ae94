/**
 * @file Implicit differentiation: differentiable solution maps (`customRoot`, `customFixedPoint`)
 * with invertibility diagnostics and failure policies. See docs/implicit.md.
 */
export { customRoot, customFixedPoint } from './root.js';
export type {
  DiagnosticsLevel,
  DiagnosticsReport,
  ForwardReport,
  ImplicitFailurePolicy,
  ImplicitFunction,
  ImplicitOptions,
  ImplicitReport,
  KinkAlternative,
  LinearSolveReport,
  LinearSolverName,
} from './types.js';
