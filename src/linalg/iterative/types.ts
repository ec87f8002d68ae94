/**
 * @file Shared types of the matrix-free iterative solvers: linear operators, options, reports.
 *
 * Operators. A {@link LinearOperator} is a function `(v, out) => void` that writes `A·v` into
 * `out` (the allocation-free form every solver uses internally). For convenience it may instead
 * return a fresh array holding `A·v` (then `out` is ignored and the result copied into it), so
 * both `(v, out) => { ...; }` and `(v) => A_times(v)` are accepted. Anything with a `matvec(v,
 * out?)` method (a `CsrMatrix`, a `CscMatrix`, {@link denseOperator}) is accepted too; the
 * method is called on its object, so `this` works.
 *
 * Tensors. `b`, `options.x0` and the operator may be `Tensor`s as well as `Float64Array`s: a 2-D
 * `Tensor` is a dense operator, and an operator function may return a 1-D `Tensor`. The solution
 * `x` comes back in the type of `b`: a `Float64Array` for a `Float64Array` b, a 1-D `Tensor` for
 * a `Tensor` b. The solvers are numeric (not differentiated): a traced tensor (inside
 * `grad`/`jvp`/`vjp`) throws `ConcretizationError`; differentiate through a linear solve with
 * `linalg.solve` or `customRoot`.
 *
 * Reports. Every solver returns an {@link IterativeResult} whose `residualNorm` is the TRUE
 * residual `‖b − A·x‖₂`, recomputed from the returned `x` after the iteration stops (never the
 * recursively updated estimate, which can drift away from the truth in floating point), and
 * whose `converged` flag is decided on that true residual. A solver never reports convergence
 * after NaN/±Infinity appeared, and a failure goes through the failure policy (`onFailure`:
 * `'throw'`, the default, throws a `ConvergenceError` carrying the report; `'warn'` emits it as a
 * warning and returns the report; `'return'` returns it silently).
 */
import type { FailurePolicy } from '../../core/failure.js';
import type { Tensor } from '../../core/tensor.js';

/** A right-hand side or initial guess: a `Float64Array` or a 1-D `Tensor`. */
export type VectorLike = Float64Array | Tensor;

/** The type `x` is returned in: a `Tensor` when `b` is one, else a `Float64Array`. */
export type SolutionOf<B> = B extends Tensor ? Tensor : Float64Array;

/**
 * A linear map `v ↦ A·v`. Write the product into `out` and return nothing (preferred: no
 * allocation), or return a new array with the product (`out` is then overwritten with it).
 * `v` must not be modified.
 *
 * @example
 * const A: LinearOperator = (v, out) => { out[0] = 2 * v[0]!; out[1] = 3 * v[1]!; };
 * const B: LinearOperator = (v) => Float64Array.of(2 * v[0]!, 3 * v[1]!); // same map, allocating
 */
export type LinearOperator = (v: Float64Array, out: Float64Array) => Float64Array | Tensor | void;

/** An object with a matrix–vector product method (e.g. `CsrMatrix`, `CscMatrix`). */
export interface MatvecOperator {
  /** Writes (or returns) `A·v`; see {@link LinearOperator}. */
  matvec(v: Float64Array, out: Float64Array): Float64Array | Tensor | void;
  /** Optional dimensions, checked against the right-hand side when present. */
  readonly rows?: number;
  readonly cols?: number;
}

/** What the square solvers accept as `A` (and as a preconditioner): a function, an object with `matvec`, or a 2-D `Tensor`. */
export type OperatorLike = LinearOperator | MatvecOperator | Tensor;

/**
 * A rectangular m×n operator with both products, as LSQR and {@link cgNormal} need: `matvec`
 * maps ℝⁿ → ℝᵐ (`A·v`), `rmatvec` maps ℝᵐ → ℝⁿ (`Aᵀ·u`). `CsrMatrix` / `CscMatrix` fit as they
 * are; for closures write `{ rows: m, cols: n, matvec: (v, out) => ..., rmatvec: (u, out) => ... }`.
 */
export interface TransposableOperator {
  readonly rows: number;
  readonly cols: number;
  matvec(v: Float64Array, out: Float64Array): Float64Array | Tensor | void;
  rmatvec(u: Float64Array, out: Float64Array): Float64Array | Tensor | void;
}

/** What the least-squares solvers accept as `A`: a {@link TransposableOperator} or a 2-D `Tensor`. */
export type TransposableLike = TransposableOperator | Tensor;

/** Why an iterative solver stopped. */
export type StopReason =
  /** The true residual meets the tolerance. */
  | 'converged'
  /** LSQR / cgNormal: `x` solves the least-squares problem (normal-equation residual small), though `b − A·x` itself need not be small. */
  | 'least-squares'
  /** The iteration budget ran out. */
  | 'maxIter'
  /** A division by (numerically) zero in the recurrence (BiCGSTAB ρ or ω, a singular Hessenberg system in GMRES, a vanishing Lanczos vector...). */
  | 'breakdown'
  /** CG met pᵀAp ≤ 0 (A is not positive definite), or a preconditioner is not positive definite. */
  | 'indefinite'
  /** NaN or ±Infinity appeared (in the operator output or the recurrences). */
  | 'non-finite'
  /** Restarts no longer reduce the true residual: the attainable accuracy is above the tolerance. */
  | 'stagnation'
  /** MINRES: `‖A·r‖` is negligible but `r` is not: the system is singular and inconsistent, `x` is a least-squares solution. */
  | 'inconsistent'
  /** Fixed-point iteration: the residual grows (spectral radius of M ≥ 1). */
  | 'diverged';

/** Options common to every iterative solver. */
export interface IterativeOptions {
  /** Relative tolerance on the true residual: stop when `‖b − A·x‖ ≤ max(tol·‖b‖, atol)`. Default `1e-10`. */
  tol?: number;
  /** Absolute tolerance on the residual norm (see `tol`). Default `0`. */
  atol?: number;
  /** Iteration budget (one iteration = one Krylov step). Default depends on the solver, `max(100, 10·n)` for the Krylov methods. */
  maxIter?: number;
  /** Initial guess (warm start), a `Float64Array` or a 1-D `Tensor`. Not modified. Default: zeros. */
  x0?: VectorLike;
  /**
   * When the tolerance is not met: `'throw'` (default) a `ConvergenceError` carrying the report;
   * `'warn'` a warning, then the report with `converged: false`; `'return'` the report silently.
   */
  onFailure?: FailurePolicy;
  /** Called after every iteration with the iteration count and the solver's running residual estimate. */
  callback?: (iteration: number, residualNorm: number) => void;
  /** Record the running residual estimate of every iteration in `result.history`. Default `false`. */
  recordHistory?: boolean;
}

/** Options of the solvers that take a preconditioner. */
export interface PreconditionedOptions extends IterativeOptions {
  /**
   * Preconditioner: an operator applying an approximation of `A⁻¹` (e.g. {@link jacobiPreconditioner}).
   * CG and MINRES need it symmetric positive definite; GMRES and BiCGSTAB apply it on the right,
   * so their residual is still the residual of the original system.
   */
  M?: OperatorLike;
}

/** The report of an iterative solver. */
export interface IterativeResult<X = Float64Array> {
  /** The computed solution (fresh): a `Float64Array`, or a 1-D `Tensor` when `b` was a `Tensor`. */
  x: X;
  /** Whether the TRUE residual of `x` meets the tolerance (least-squares solvers: see their docs). */
  converged: boolean;
  /** Iterations performed (Krylov steps; 0 if the initial guess already met the tolerance). */
  iterations: number;
  /** True residual norm `‖b − A·x‖₂`, recomputed from `x` at the end. */
  residualNorm: number;
  /** `residualNorm / ‖b‖₂` (0 when `b = 0`). */
  relativeResidual: number;
  /** Why the iteration stopped. */
  reason: StopReason;
  /** Running residual estimates, one per iteration (with `recordHistory: true`). */
  history?: number[];
}

/** Report of the least-squares solvers ({@link lsqr}, {@link cgNormal}). */
export interface LeastSquaresResult<X = Float64Array> extends IterativeResult<X> {
  /** True normal-equation residual `‖Aᵀ(b − A·x) − damp²·x‖₂`, recomputed at the end. */
  normalResidualNorm: number;
  /** LSQR's estimate of the Frobenius norm of `[A; damp·I]` (cgNormal: `NaN`). */
  anormEstimate: number;
  /** LSQR's estimate of the condition number of `[A; damp·I]` (cgNormal: `NaN`). */
  condEstimate: number;
}

/** Report of {@link fixedPointLinear}. */
export interface FixedPointResult<X = Float64Array> extends IterativeResult<X> {
  /** Estimate of the contraction rate ‖r_{k+1}‖/‖r_k‖ (≈ spectral radius of `M` when relaxation = 1); `NaN` if unknown. */
  rateEstimate: number;
}
