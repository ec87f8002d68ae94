/**
 * @file Typed errors. Every failure nsdiff reports is an instance of `NsdiffError`, with a subclass
 * naming what went wrong, so callers can `catch` precisely and messages always say which input or
 * which hypothesis failed.
 */

/** Base class of every error nsdiff throws on purpose. */
export class NsdiffError extends Error {
  constructor(message: string) {
    super(message);
    // subclasses declare their name as a literal (`override name = '...'`), which survives
    // minification; `new.target.name` is only the fallback for subclasses defined by users
    this.name = new.target === NsdiffError ? 'NsdiffError' : new.target.name;
  }
}

/** Shapes that do not fit together (broadcasting, matmul, solve, tree structure...). */
export class ShapeError extends NsdiffError {
  override name = 'ShapeError';
}

/** A NaN or infinite value where a finite number is required. */
export class NonFiniteError extends NsdiffError {
  override name = 'NonFiniteError';
}

/** An argument outside its domain: λ ≤ 0, negative tolerance, empty data, unknown option... */
export class InvalidArgumentError extends NsdiffError {
  override name = 'InvalidArgumentError';
}

/** A square matrix that is (numerically) singular where an inverse was needed. */
export class SingularMatrixError extends NsdiffError {
  override name = 'SingularMatrixError';
}

/** A matrix that should be symmetric positive definite is not (Cholesky, CG). */
export class NotPositiveDefiniteError extends NsdiffError {
  override name = 'NotPositiveDefiniteError';
}

/** An iterative method stopped before reaching its tolerance. Carries the solver's report. */
export class ConvergenceError extends NsdiffError {
  override name = 'ConvergenceError';
  constructor(
    message: string,
    /** What the solver reported when it stopped. */
    readonly report: { iterations: number; residualNorm: number; converged: false; [key: string]: unknown },
  ) {
    super(message);
  }
}

/**
 * The hypothesis of the (nonsmooth) implicit function theorem failed: some B in the conservative
 * Jacobian [A B] of F at the solution is singular or too ill-conditioned to invert.
 */
export class InvertibilityError extends NsdiffError {
  override name = 'InvertibilityError';
  constructor(
    message: string,
    readonly details: { conditionEstimate?: number; sigmaMin?: number; selection?: string; [key: string]: unknown } = {},
  ) {
    super(message);
  }
}

/** A derivative rule is missing for a primitive or custom function in the requested mode. */
export class MissingRuleError extends NsdiffError {
  override name = 'MissingRuleError';
}

/**
 * A function that works on concrete numbers only (a numeric decomposition, a solver, a fit) met a
 * traced value inside `grad`/`jvp`/`vjp`/...: it cannot differentiate it, so it refuses instead of
 * returning a derivative of zero. The message names the function and the differentiable
 * alternative when there is one (JAX raises a concretization error in the same situation).
 */
export class ConcretizationError extends NsdiffError {
  override name = 'ConcretizationError';
}

/**
 * A matrix that must be symmetric is not (Cholesky, eigh, an SPD solve): the message names the
 * public function and the first entry pair that breaks symmetry. Distinct from
 * `NotPositiveDefiniteError` (a symmetric matrix with a non-positive pivot); a subclass of
 * `InvalidArgumentError`, since the input is outside the function's domain.
 */
export class NotSymmetricError extends InvalidArgumentError {
  override name = 'NotSymmetricError';
}

/** Malformed input data (CSV/libsvm files, datasets): the message names the line and column. */
export class DataFormatError extends NsdiffError {
  override name = 'DataFormatError';
}

/** Throws `NonFiniteError` naming `what` if any entry of `data` is NaN or ±Infinity. */
export function assertFinite(data: ArrayLike<number>, what: string): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!Number.isFinite(v)) {
      throw new NonFiniteError(`${what} contains a non-finite value (${v}) at flat index ${i}`);
    }
  }
}
