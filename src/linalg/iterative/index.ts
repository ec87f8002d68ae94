/**
 * @file Matrix-free iterative linear solvers — the adjoint solvers of implicit differentiation.
 *
 * | solver | system | notes |
 * |---|---|---|
 * | {@link cg} | SPD | preconditioned; `'indefinite'` when pᵀAp ≤ 0 |
 * | {@link minres} | symmetric (indefinite, singular) | SPD preconditioner; `'inconsistent'` for singular incompatible systems |
 * | {@link gmres} | general square | GMRES(restart), right preconditioner, MGS + reorthogonalisation |
 * | {@link bicgstab} | general square | right preconditioner, breakdown detection + restart |
 * | {@link lsqr} | rectangular least squares | needs `A·v` and `Aᵀ·u`, optional damping |
 * | {@link cgNormal} | rectangular least squares | CG on the normal equations (CGLS) |
 * | {@link fixedPointLinear} | `x = M·x + b` | AID-FP; reports divergence (ρ(M) ≥ 1) |
 *
 * All take `b` as a `Float64Array` or a 1-D `Tensor`, an operator as a 2-D `Tensor`, a function
 * `(v, out) => void` (or returning a fresh `Float64Array` or `Tensor`) or any object with `matvec`
 * (e.g. `CsrMatrix`), warm-start from `options.x0`, and return
 * `{ x, converged, iterations, residualNorm, relativeResidual, reason }` with the TRUE residual
 * `‖b − A·x‖`; `x` has the type of `b` (`Tensor` in, `Tensor` out). Failures follow
 * `onFailure: 'throw' | 'warn' | 'return'` (default `'throw'`: `ConvergenceError`); unknown
 * options throw `InvalidArgumentError`; traced tensors throw `ConcretizationError` (the solvers
 * are numeric: differentiate through a solve with `linalg.solve` or `customRoot`).
 *
 * @example
 * import { cg } from './linalg/iterative/index.js';
 * const { x } = cg((v, out) => { out[0] = 2 * v[0]!; out[1] = 4 * v[1]!; }, Float64Array.of(2, 4)); // [1, 1]
 * cg(tensor([[2, 0], [0, 4]]), tensor([2, 4])).x;                                               // Tensor [1, 1]
 */
export type {
  FixedPointResult,
  IterativeOptions,
  IterativeResult,
  LeastSquaresResult,
  LinearOperator,
  MatvecOperator,
  OperatorLike,
  PreconditionedOptions,
  SolutionOf,
  StopReason,
  TransposableLike,
  TransposableOperator,
  VectorLike,
} from './types.js';
export { cg } from './cg.js';
export { minres } from './minres.js';
export { gmres, type GmresOptions } from './gmres.js';
export { bicgstab } from './bicgstab.js';
export { lsqr, type LeastSquaresOptions } from './lsqr.js';
export { cgNormal } from './cg-normal.js';
export { fixedPointLinear, type FixedPointOptions } from './fixed-point.js';
export { denseOperator, jacobiPreconditioner } from './operators.js';
