/**
 * @file Public types of implicit differentiation: options of `customRoot` / `customFixedPoint`
 * and the report every call records (forward residual, kinks, linear solves, diagnostics).
 *
 * Notation used throughout `src/implicit/`: the solution map x ↦ y(x) is defined by F(x, y) = 0;
 * [A B] is the (conservative) Jacobian of F at (x, y(x)) computed by autodiff, A = ∂ₓF (n×d),
 * B = ∂ᵧF (n×n). The implicit derivative is J = −B⁻¹A.
 */
import type { KinkReport } from '../autodiff/kinks.js';
import type { ImplicitFailureOptions } from './failure.js';

/**
 * Linear solver for the systems B·t = r (forward mode) and Bᵀ·u = s (reverse mode).
 *
 * | name | valid when | cost |
 * |---|---|---|
 * | `'lu'` | B square, invertible (small n: B is materialised by n VJPs) | n VJPs + O(n³) |
 * | `'gmres'` | any invertible B | matrix-free, one JVP/VJP per iteration |
 * | `'bicgstab'` | any invertible B | matrix-free, two products per iteration |
 * | `'cg'` | B symmetric positive definite | matrix-free |
 * | `'minres'` | B symmetric (indefinite allowed) | matrix-free |
 * | `'normal-cg'` | any B (least squares on BᵀB) | products with B and Bᵀ |
 * | `'lsqr'` | any B (least squares, min-norm for singular consistent systems) | products with B and Bᵀ |
 * | `'fixed-point'` | ρ(I − B) < 1 (F = y − T(x, y) with T a contraction: AID-FP) | one product per iteration |
 */
export type LinearSolverName = 'lu' | 'gmres' | 'bicgstab' | 'cg' | 'minres' | 'normal-cg' | 'lsqr' | 'fixed-point';

/**
 * One solve handed to a {@link CustomLinearSolver}: B·t = rhs (transpose: Bᵀ·u = rhs) at the point
 * (x, y), B = ∂F/∂y. `apply` gives B's products (the ones customRoot uses), `withSelection` runs
 * a function under the kink selection that B uses (so a solver that rebuilds B from its structure
 * picks the same element of a set-valued Jacobian).
 */
export interface CustomLinearProblem<X = unknown, Y = unknown> {
  /** The point. */
  x: X;
  y: Y;
  /** Right-hand side (flattened y's layout). */
  rhs: Float64Array;
  /** `true` for the reverse-mode (adjoint) system Bᵀ·u = rhs. */
  transpose: boolean;
  /** Warm start (the previous solution of the same kind), or undefined. */
  x0: Float64Array | undefined;
  /** Relative and absolute tolerances and the budget (customRoot's `tol`, `atol`, `maxIter`). */
  tol: number;
  atol: number;
  maxIter: number | undefined;
  /** B·v (Bᵀ·v with `{ transpose: true }`). */
  apply(v: Float64Array, opts?: { transpose?: boolean }): Float64Array;
  /** Runs `fn` under the kink policy B is evaluated with. */
  withSelection<T>(fn: () => T): T;
}

/** Per-sample status of a linear solve that treats a batch as independent blocks. */
export interface LinearSolveSamples {
  /** Per sample: 1 when its block met the tolerance. */
  converged: Uint8Array;
  /** Per sample: iterations. */
  iterations: Int32Array;
  /** Per sample: true residual ‖r_s − (B·t)_s‖₂. */
  residuals: Float64Array;
}

/** What a {@link CustomLinearSolver} returns. */
export interface CustomLinearResult {
  x: Float64Array;
  converged: boolean;
  iterations: number;
  /** ‖rhs − B·x‖₂ (the true residual, or the solver's estimate). */
  residualNorm: number;
  /** Why the solver stopped (`'converged'`, `'maxIter'`…). */
  reason: string;
  /** Per-sample status, for block-diagonal (batched) systems. */
  samples?: LinearSolveSamples;
}

/**
 * A linear solver supplied by the caller for the `linearSolver` slot of customRoot /
 * customFixedPoint (e.g. monDEQ's operator-splitting backward): it receives the point, the
 * right-hand side and B's products, and follows customRoot's failure policy and residual check like
 * the built-in solvers. Not combinable with `activeSet` or a nonzero `ridge`.
 */
export interface CustomLinearSolver<X = unknown, Y = unknown> {
  /** Name in reports (`linearSolve.method`). */
  name: string;
  solve(problem: CustomLinearProblem<X, Y>): CustomLinearResult;
}

/**
 * How much checking of the theorem's hypotheses is done:
 * - `'off'`: only what the solvers report themselves (non-convergence still follows `onFailure`);
 * - `'cheap'` (default): forward residual ‖F(x, y)‖, finiteness, kink tracking at the solution,
 *   the true residual of every linear solve, LU condition estimate (when `'lu'` is used), a
 *   randomised symmetry test for `'cg'`/`'minres'`;
 * - `'full'`: additionally σ_min(B), σ_max(B), cond₂(B) (exact SVD when the system has at most
 *   `denseLimit` unknowns, power/inverse iteration otherwise), verification of `activeSet`, and —
 *   when F hits kinks at the solution — B re-evaluated under the `'left'`, `'right'` and
 *   `kinkSamples` random kink selections, reporting singular elements of the set.
 */
export type DiagnosticsLevel = 'off' | 'cheap' | 'full';

/**
 * Options of `customRoot` / `customFixedPoint`. `X`, `Y`: parameter-tree types of x and y.
 *
 * Failures (`onFailure`, `fallback`: see `implicit/failure.ts`): B singular or too ill-conditioned
 * (`InvertibilityError`), an iterative solver that does not converge or a forward solve that does
 * not satisfy F(x, y) ≈ 0 (`ConvergenceError`) are thrown by default; under `'warn'` (a warning
 * through `setWarningHandler`'s sink) or `'return'` (silent) the derivative is the `fallback` for a
 * failed invertibility (`'lstsq'`: minimum-norm least squares B⁺r, `'zero'`) and the unconverged
 * iterate for a non-converged solve; the report records it (`linearSolve.fallback`, `converged`).
 */
export interface ImplicitOptions<X = unknown, Y = unknown> extends ImplicitFailureOptions {
  /** Linear solver (see {@link LinearSolverName}) or a {@link CustomLinearSolver}. Default: `'lu'` when the system has ≤ `denseLimit` unknowns, else `'gmres'`. */
  linearSolver?: LinearSolverName | CustomLinearSolver<X, Y>;
  /** Size up to which B is materialised (default method `'lu'`, exact SVD diagnostics). Default 200. */
  denseLimit?: number;
  /** Solve (B + ridge·I)·t = r instead of B·t = r (Tikhonov shift). Default 0. */
  ridge?: number;
  /** Relative tolerance of the iterative linear solvers (‖r − B·t‖ ≤ max(tol·‖r‖, atol)). Default 1e-10. */
  tol?: number;
  /** Absolute tolerance of the iterative linear solvers. Default 0. */
  atol?: number;
  /** Iteration budget of the iterative linear solvers. Default: the solver's (max(100, 10·n) for Krylov). */
  maxIter?: number;
  /** GMRES restart length. Default min(30, n). */
  restart?: number;
  /** Warm-start iterative solves from the last solution of the same kind (per instance). Default true. */
  warmStart?: boolean;
  /** Diagnostics level (see {@link DiagnosticsLevel}). Default `'cheap'`. */
  diagnostics?: DiagnosticsLevel;
  /** B counts as singular when its condition estimate exceeds this. Default 1e12. */
  condThreshold?: number;
  /**
   * The forward solution must satisfy ‖F(x, y)‖ ≤ forwardTol·max(1, ‖y‖) (checked with
   * diagnostics ≠ 'off', enforced through `onFailure` when a derivative is requested). Default 1e-6.
   */
  forwardTol?: number;
  /** Number of random kink selections tried by `'full'` diagnostics (besides left and right). Default 2. */
  kinkSamples?: number;
  /**
   * Declares the coordinates S of the flattened y (depth-first leaves, row-major) where row i of
   * B = ∂ᵧF is NOT a multiple of the unit row eᵢᵀ. Outside S the system decouples
   * (tᵢ = rᵢ / Bᵢᵢ), and only the |S|×|S| block B_SS is solved. Example: Lasso via the
   * prox-gradient fixed point — S = support of β. Verified by `'full'` diagnostics; a wrong
   * declaration is also caught by the residual check of `'cheap'`.
   */
  activeSet?: (x: X, y: Y) => Int32Array | readonly number[];
  /** Called with the (live) report after the forward solve and after every linear solve. */
  onReport?: (report: ImplicitReport, stage: 'forward' | 'linearSolve') => void;
  /** Name used in messages and reports. Default `'customRoot'` / `'customFixedPoint'`. */
  name?: string;
}

/** What the forward solve achieved, checked at the returned y. */
export interface ForwardReport {
  /** Number of unknowns (total size of y). */
  n: number;
  /** ‖F(x, y)‖₂ at the returned y. */
  residualNorm: number;
  /** residualNorm / max(1, ‖y‖₂). */
  relativeResidual: number;
  /** relativeResidual ≤ forwardTol. */
  ok: boolean;
}

/** One linear solve B·t = r (or Bᵀ·u = s). */
export interface LinearSolveReport {
  /** Method actually used: a {@link LinearSolverName}, `'lstsq'` (fallback) or `'zero'` (fallback). */
  method: string;
  /** Method asked for (option or default; a custom solver's name). */
  requested: string;
  /** `true` for the transposed (reverse-mode) system Bᵀ·u = s. */
  transpose: boolean;
  /** Number of unknowns of the system actually solved (|S| with an active set). */
  size: number;
  /** Whether the answer meets the tolerance (true residual). */
  converged: boolean;
  /** Iterations of the iterative solver (0 for direct solves). */
  iterations: number;
  /** True residual ‖r − (B + ridge·I)·t‖₂ of the full system (NaN if not computed, diagnostics 'off'). */
  residualNorm: number;
  /** residualNorm / ‖r‖₂. */
  relativeResidual: number;
  /** Why the solver stopped (iterative solvers), or why a fallback was used. */
  reason?: string;
  /** Set when the failure policy replaced the answer. */
  fallback?: 'lstsq' | 'zero';
  /** 1-norm condition estimate of the factored matrix (`'lu'` only). */
  conditionEstimate?: number;
  /** Per-sample status (custom solvers of batched systems, e.g. monDEQ's splitting). */
  samples?: LinearSolveSamples;
}

/** One alternative kink selection tried by `'full'` diagnostics. */
export interface KinkAlternative {
  /** `'left'`, `'right'` or `'random(seed=…)'`. */
  selection: string;
  /** σ_min of B under that selection (σ of B_SS with an active set larger than `denseLimit`: not computed). */
  sigmaMin: number;
  /** σ_max/σ_min under that selection. */
  conditionEstimate: number;
  /** conditionEstimate > condThreshold. */
  singular: boolean;
}

/** Invertibility diagnostics at the solution. */
export interface DiagnosticsReport {
  level: DiagnosticsLevel;
  /** Smallest singular value of B (or B_SS with an active set). */
  sigmaMin?: number;
  /** Largest singular value of B (or B_SS). */
  sigmaMax?: number;
  /** Condition estimate of B (2-norm for 'svd'/'iterative', 1-norm for 'lu-rcond'). */
  conditionEstimate?: number;
  /** How the condition was obtained. */
  conditionMethod?: 'svd' | 'iterative' | 'lu-rcond';
  /** Randomised symmetry test of B (cg / minres): |⟨w, Bv⟩ − ⟨v, Bw⟩| / (‖Bv‖‖w‖ + ‖Bw‖‖v‖). */
  asymmetry?: number;
  /** Active-set restriction used: |S|, n and whether the declaration was verified on the full B. */
  activeSet?: { size: number; n: number; verified: boolean };
  /** B under alternative kink selections (only with 'full' when F hit kinks at the solution). */
  alternatives?: KinkAlternative[];
  /** Some alternative selection of B is singular while the selected one is not. */
  setContainsSingular?: boolean;
  /** Free-form remarks (skipped checks, reasons). */
  notes: string[];
}

/** Everything one call of an implicit function did, updated live as derivatives are computed. */
export interface ImplicitReport {
  /** The function's name. */
  name: string;
  /** Forward check (absent with diagnostics 'off'). */
  forward?: ForwardReport;
  /** Kinks hit while evaluating F at the solution: B (and A) are then set-valued. */
  kinks: KinkReport;
  /** The last linear solve. */
  linearSolve?: LinearSolveReport;
  /** The linear solves of this call (first 64 kept; see `linearSolveCount`). */
  linearSolves: LinearSolveReport[];
  /** Number of linear solves of this call. */
  linearSolveCount: number;
  /** Invertibility diagnostics. */
  diagnostics: DiagnosticsReport;
  /** Warnings emitted or recorded (fallbacks, suspicious checks). */
  warnings: string[];
}

/** A differentiable solution map returned by `customRoot` / `customFixedPoint`. */
export interface ImplicitFunction<X, Y> {
  /**
   * y(x): runs `solve(x, init)` on concrete values. Differentiable in x (both modes, all orders);
   * the derivative with respect to `init` is zero.
   */
  (x: X, init?: Y): Y;
  /**
   * Report of the most recent call the user made (live: updated while its derivatives are
   * computed). A transform's re-runs at the same point (forward-mode `jacobian` / `hessian` columns
   * after the first) do not replace it; they report through `onReport` (docs/implicit.md, "Reports").
   */
  readonly lastReport: ImplicitReport | null;
  /** Forgets the warm-start vectors of the iterative linear solvers. */
  resetWarmStart(): void;
}
