/**
 * @file Internal plumbing shared by the iterative solvers: operator normalisation (functions,
 * `matvec` objects, 2-D tensors), vector and option validation (tensors read through
 * `concreteData`, unknown options refused), true-residual evaluation, stagnation guard and the
 * final report (through the failure policy). Not re-exported from the package.
 */
import { ConvergenceError, InvalidArgumentError, NonFiniteError, ShapeError } from '../../core/errors.js';
import { failurePolicy, handleFailure, type FailurePolicy } from '../../core/failure.js';
import { checkOptions } from '../../core/options.js';
import { concreteData, formatShape, fromData, Tensor } from '../../core/tensor.js';
import { dot, nrm2 } from '../../kernels/blas.js';
import { denseOperator } from './operators.js';
import type { IterativeOptions, IterativeResult, OperatorLike, StopReason } from './types.js';

/** The option keys every solver accepts. */
export const ITERATIVE_OPTIONS = ['tol', 'atol', 'maxIter', 'x0', 'onFailure', 'callback', 'recordHistory'] as const;
/** ... plus a preconditioner. */
export const PRECONDITIONED_OPTIONS = [...ITERATIVE_OPTIONS, 'M'] as const;

/**
 * The values of a vector argument (`Float64Array` or 1-D `Tensor`, read through `concreteData`,
 * so a traced tensor throws `ConcretizationError`).
 */
export function vectorData(v: unknown, fn: string, what: string): Float64Array {
  if (v instanceof Float64Array) return v;
  if (v instanceof Tensor) {
    if (v.ndim !== 1) throw new ShapeError(`${fn}: ${what} must be a vector (1-D), got a tensor of shape ${formatShape(v.shape)}`);
    return concreteData(v, `${fn} (argument ${what})`, 'linalg.solve, or customRoot around the solver');
  }
  throw new InvalidArgumentError(`${fn}: ${what} must be a Float64Array or a 1-D Tensor`);
}

/** The values of a 2-D tensor operator, `[rows, cols]`. */
function tensorOperator(A: Tensor, fn: string, what: string): { data: Float64Array; rows: number; cols: number } {
  if (A.ndim !== 2) throw new ShapeError(`${fn}: ${what} as a Tensor must be a 2-D matrix, got shape ${formatShape(A.shape)}`);
  return { data: concreteData(A, `${fn} (argument ${what})`, 'linalg.solve, or customRoot around the solver'), rows: A.shape[0]!, cols: A.shape[1]! };
}

/** An operator normalised to the allocation-free form: writes `A·v` into `out`. */
export type Apply = (v: Float64Array, out: Float64Array) => void;

/** Machine epsilon of float64. */
export const EPS = 2.220446049250313e-16;

/**
 * Normalises an {@link OperatorLike} (function writing into `out`, function returning a fresh
 * array, or object with a `matvec` method) into an {@link Apply}. Results returned instead of
 * written are length-checked and copied into `out`.
 */
export function toApply(A: unknown, fn: string, what: string, method: 'matvec' | 'rmatvec' = 'matvec'): Apply {
  let call: (v: Float64Array, out: Float64Array) => unknown;
  if (A instanceof Tensor) {
    const t = tensorOperator(A, fn, what);
    const op = denseOperator(t.data, t.rows, t.cols);
    return method === 'rmatvec' ? (v, out) => void op.rmatvec(v, out) : (v, out) => void op.matvec(v, out);
  }
  if (typeof A === 'function') {
    call = A as (v: Float64Array, out: Float64Array) => unknown;
  } else if (A !== null && typeof A === 'object' && typeof (A as Record<string, unknown>)[method] === 'function') {
    const obj = A as Record<string, (v: Float64Array, out: Float64Array) => unknown>;
    call = (v, out) => obj[method]!(v, out);
  } else {
    throw new InvalidArgumentError(
      `${fn}: ${what} must be a 2-D Tensor, a function (v, out) => void | Float64Array | Tensor or an object with a ${method}(v, out) method`,
    );
  }
  return (v, out) => {
    let r = call(v, out);
    if (r instanceof Tensor) r = concreteData(r, `${fn} (the value returned by the operator ${what})`, 'linalg.solve, or customRoot around the solver');
    if (r !== undefined && r !== null && r !== out) {
      const arr = r as ArrayLike<number>;
      if (typeof arr.length !== 'number') {
        throw new InvalidArgumentError(`${fn}: ${what} returned ${typeof r}, expected a Float64Array or nothing`);
      }
      if (arr.length !== out.length) {
        throw new ShapeError(`${fn}: ${what} returned a vector of length ${arr.length}, expected ${out.length}`);
      }
      out.set(arr);
    }
  };
}

/** Checks optional `rows`/`cols` of an operator object against the expected dimensions. */
export function checkOperatorDims(A: unknown, fn: string, what: string, rows: number, cols: number): void {
  if (A instanceof Tensor) {
    if (A.ndim === 2 && (A.shape[0] !== rows || A.shape[1] !== cols)) {
      throw new ShapeError(`${fn}: ${what} has shape ${formatShape(A.shape)} but the system needs ${rows}×${cols}`);
    }
    return;
  }
  if (A === null || typeof A !== 'object') return;
  const o = A as { rows?: unknown; cols?: unknown };
  if ((typeof o.rows === 'number' && o.rows !== rows) || (typeof o.cols === 'number' && o.cols !== cols)) {
    throw new ShapeError(`${fn}: ${what} is ${String(o.rows)}×${String(o.cols)} but the system needs ${rows}×${cols}`);
  }
}

/** Validated common options. */
export interface Setup {
  fn: string;
  tol: number;
  atol: number;
  maxIter: number;
  onFailure: FailurePolicy;
  /** The values of `b`. */
  b: Float64Array;
  /** The values of `options.x0`, if given. */
  x0: Float64Array | undefined;
  /** Return `x` as a 1-D `Tensor` (b was a `Tensor`). */
  tensorOut: boolean;
  callback: ((iteration: number, residualNorm: number) => void) | undefined;
  history: number[] | undefined;
  bnorm: number;
  /** `max(tol·‖b‖, atol)`. */
  thresh: number;
  /**
   * When a recursive residual estimate falls below this, the true residual is checked:
   * `max(thresh, ε·‖b‖)`. Below ε·‖b‖ recursive estimates are meaningless (they keep shrinking
   * towards underflow while the true residual stalls), so asking for tol < ε ends in
   * `'stagnation'` instead of running on garbage.
   */
  verifyAt: number;
}

function checkNonNegative(v: unknown, fn: string, name: string): void {
  if (typeof v !== 'number' || Number.isNaN(v) || v < 0 || v === Infinity) {
    throw new InvalidArgumentError(`${fn}: options.${name} must be a finite number ≥ 0, got ${String(v)}`);
  }
}

/** Validates a finite Float64Array of length n. */
export function checkVector(v: Float64Array, n: number, fn: string, what: string): void {
  if (v.length !== n) throw new ShapeError(`${fn}: ${what} has length ${v.length}, expected ${n}`);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(v[i]!)) throw new NonFiniteError(`${fn}: ${what} contains a non-finite value (${v[i]}) at index ${i}`);
  }
}

/**
 * Validates `b` and the options (`allowed`: the solver's option keys); `n` is the length of the
 * unknown `x` (for `x0`). `defaultMaxIter` applies when `options.maxIter` is absent.
 */
export function setup(fn: string, bIn: unknown, n: number, options: IterativeOptions, defaultMaxIter: number, allowed: readonly string[]): Setup {
  const b = vectorData(bIn, fn, 'b');
  checkVector(b, b.length, fn, 'b');
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError(`${fn}: options must be an object`);
  checkOptions(options, allowed, `${fn}()`);
  const tol = options.tol ?? 1e-10;
  const atol = options.atol ?? 0;
  checkNonNegative(tol, fn, 'tol');
  checkNonNegative(atol, fn, 'atol');
  const maxIter = options.maxIter ?? defaultMaxIter;
  if (typeof maxIter !== 'number' || !Number.isInteger(maxIter) || maxIter < 0) {
    throw new InvalidArgumentError(`${fn}: options.maxIter must be an integer ≥ 0, got ${String(maxIter)}`);
  }
  const onFailure = failurePolicy(options.onFailure, `${fn}()`);
  if (options.callback !== undefined && typeof options.callback !== 'function') {
    throw new InvalidArgumentError(`${fn}: options.callback must be a function`);
  }
  const x0 = options.x0 === undefined ? undefined : vectorData(options.x0, fn, 'options.x0');
  if (x0) checkVector(x0, n, fn, 'options.x0');
  const bnorm = norm2(b);
  return {
    fn,
    b,
    x0,
    tensorOut: bIn instanceof Tensor,
    tol,
    atol,
    maxIter,
    onFailure,
    callback: options.callback,
    history: options.recordHistory ? [] : undefined,
    bnorm,
    thresh: Math.max(tol * bnorm, atol),
    verifyAt: Math.max(tol * bnorm, atol, EPS * bnorm),
  };
}

/** Default Krylov iteration budget for an n-dimensional problem. */
export function defaultMaxIter(n: number): number {
  return Math.max(100, 10 * n);
}

/** Reports one iteration to the callback and the history. */
export function report(s: Setup, iteration: number, residualNorm: number): void {
  if (s.history) s.history.push(residualNorm);
  if (s.callback) s.callback(iteration, residualNorm);
}

/** The initial iterate: a copy of `x0`, or zeros. */
export function initialX(s: Setup, n: number): Float64Array {
  return s.x0 ? Float64Array.from(s.x0) : new Float64Array(n);
}

/** `r ← b − A·x`; returns `‖r‖₂` (NaN if anything is non-finite). */
export function residual(apply: Apply, b: Float64Array, x: Float64Array, r: Float64Array): number {
  apply(x, r);
  const n = b.length;
  for (let i = 0; i < n; i++) r[i] = b[i]! - r[i]!;
  return finiteNorm(r);
}

/**
 * ‖v‖₂ via a fast dot product, falling back to the scaled `nrm2` when the sum of squares
 * overflows or underflows. NaN/±Infinity entries give a non-finite result.
 */
export function norm2(v: Float64Array): number {
  const s = dot(v.length, v, v);
  if (s < 1e300 && s > 1e-290) return Math.sqrt(s);
  return nrm2(v.length, v);
}

/** {@link norm2}, mapped to NaN when not finite. */
export function finiteNorm(v: Float64Array): number {
  const nv = norm2(v);
  return Number.isFinite(nv) ? nv : NaN;
}

/**
 * Guards restarts caused by residual drift (the recursive residual says converged, the true one
 * does not): progress means the true residual at least halved since the best restart so far;
 * `limit` consecutive restarts without progress mean the attainable accuracy is reached.
 */
export class StagnationGuard {
  private best = Infinity;
  private misses = 0;
  constructor(private readonly limit = 3, private readonly factor = 0.5) {}
  /** Records a restart at true residual `rnorm`; returns true when the solver should give up. */
  stalled(rnorm: number): boolean {
    if (rnorm < this.factor * this.best) {
      this.best = rnorm;
      this.misses = 0;
      return false;
    }
    if (rnorm < this.best) this.best = rnorm;
    return ++this.misses >= this.limit;
  }
}

/**
 * Builds the report with the true residual (x as a `Tensor` when b was one) and routes a failure
 * through the policy: `ConvergenceError` (throw), a warning (warn), or nothing (return).
 */
export function finish<T extends IterativeResult<unknown>>(
  s: Setup,
  x: Float64Array,
  iterations: number,
  residualNorm: number,
  reason: StopReason,
  converged: boolean,
  extra?: Omit<T, keyof IterativeResult>,
): T {
  const res = {
    x: s.tensorOut ? fromData(x, [x.length]) : x,
    converged,
    iterations,
    residualNorm,
    relativeResidual: s.bnorm > 0 ? residualNorm / s.bnorm : residualNorm === 0 ? 0 : Infinity,
    reason,
    ...(s.history ? { history: s.history } : {}),
    ...(extra ?? {}),
  } as T;
  if (!converged) {
    handleFailure(s.onFailure, new ConvergenceError(
      `${s.fn}: did not converge (reason: ${reason}) after ${iterations} iteration(s): ` +
        `true residual ‖b − A·x‖ = ${residualNorm.toExponential(3)}, relative ${res.relativeResidual.toExponential(3)}, ` +
        `target max(tol·‖b‖, atol) = ${s.thresh.toExponential(3)}` +
        (reason === 'indefinite' ? ' (the operator or preconditioner is not positive definite)' : ''),
      { ...(res as IterativeResult<unknown> & Record<string, unknown>), converged: false },
    ));
  }
  return res;
}

/** The report for `b = 0`: `x = 0` solves the system exactly, with no iterations. */
export function zeroSolution<T extends IterativeResult<unknown>>(s: Setup, n: number, extra?: Omit<T, keyof IterativeResult>): T {
  return finish<T>(s, new Float64Array(n), 0, 0, 'converged', true, extra);
}

/** What a square (preconditioned) Krylov solver needs before its first iteration. */
export interface SquareSolve {
  readonly n: number;
  readonly s: Setup;
  readonly apply: Apply;
  readonly precond: Apply | undefined;
}

/**
 * The shared preamble of CG, MINRES, BiCGSTAB and GMRES: validates b, the options and the
 * operator's dimensions, and wraps the operator and the optional preconditioner `options.M`.
 */
export function prepareSquareSolve(
  fn: string, A: unknown, b: unknown, options: IterativeOptions & { M?: unknown }, allowed: readonly string[] = PRECONDITIONED_OPTIONS,
): SquareSolve {
  const n = b instanceof Tensor ? b.size : b instanceof Float64Array ? b.length : 0;
  const s = setup(fn, b, n, options, defaultMaxIter(n), allowed);
  checkOperatorDims(A, fn, 'A', n, n);
  return { n, s, apply: toApply(A, fn, 'A'), precond: options.M === undefined ? undefined : toApply(options.M, fn, 'options.M') };
}
