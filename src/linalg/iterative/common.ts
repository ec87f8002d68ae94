/**
 * @file Internal plumbing shared by the iterative solvers: operator normalisation, option
 * validation, true-residual evaluation, stagnation guard and the final report (throw or return).
 * Not re-exported from the package.
 */
import { ConvergenceError, InvalidArgumentError, NonFiniteError, ShapeError } from '../../core/errors.js';
import { dot, nrm2 } from '../../kernels/blas.js';
import type { IterativeOptions, IterativeResult, OperatorLike, StopReason } from './types.js';

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
  if (typeof A === 'function') {
    call = A as (v: Float64Array, out: Float64Array) => unknown;
  } else if (A !== null && typeof A === 'object' && typeof (A as Record<string, unknown>)[method] === 'function') {
    const obj = A as Record<string, (v: Float64Array, out: Float64Array) => unknown>;
    call = (v, out) => obj[method]!(v, out);
  } else {
    throw new InvalidArgumentError(
      `${fn}: ${what} must be a function (v, out) => void | Float64Array or an object with a ${method}(v, out) method`,
    );
  }
  return (v, out) => {
    const r = call(v, out);
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
  onFailure: 'throw' | 'return';
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

/** Validates `b` (a finite Float64Array of length n). */
export function checkVector(v: unknown, n: number, fn: string, what: string): asserts v is Float64Array {
  if (!(v instanceof Float64Array)) throw new InvalidArgumentError(`${fn}: ${what} must be a Float64Array`);
  if (v.length !== n) throw new ShapeError(`${fn}: ${what} has length ${v.length}, expected ${n}`);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(v[i]!)) throw new NonFiniteError(`${fn}: ${what} contains a non-finite value (${v[i]}) at index ${i}`);
  }
}

/**
 * Validates `b` and the common options; `n` is the length of the unknown `x` (for `x0`).
 * `defaultMaxIter` applies when `options.maxIter` is absent.
 */
export function setup(fn: string, b: unknown, n: number, options: IterativeOptions, defaultMaxIter: number): Setup {
  if (!(b instanceof Float64Array)) throw new InvalidArgumentError(`${fn}: b must be a Float64Array`);
  checkVector(b, b.length, fn, 'b');
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError(`${fn}: options must be an object`);
  const tol = options.tol ?? 1e-10;
  const atol = options.atol ?? 0;
  checkNonNegative(tol, fn, 'tol');
  checkNonNegative(atol, fn, 'atol');
  const maxIter = options.maxIter ?? defaultMaxIter;
  if (typeof maxIter !== 'number' || !Number.isInteger(maxIter) || maxIter < 0) {
    throw new InvalidArgumentError(`${fn}: options.maxIter must be an integer ≥ 0, got ${String(maxIter)}`);
  }
  const onFailure = options.onFailure ?? 'throw';
  if (onFailure !== 'throw' && onFailure !== 'return') {
    throw new InvalidArgumentError(`${fn}: options.onFailure must be 'throw' or 'return', got ${String(onFailure)}`);
  }
  if (options.callback !== undefined && typeof options.callback !== 'function') {
    throw new InvalidArgumentError(`${fn}: options.callback must be a function`);
  }
  if (options.x0 !== undefined) checkVector(options.x0, n, fn, 'options.x0');
  const bnorm = norm2(b);
  return {
    fn,
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
export function initialX(options: IterativeOptions, n: number): Float64Array {
  return options.x0 ? Float64Array.from(options.x0) : new Float64Array(n);
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

/** Builds the report with the true residual; throws `ConvergenceError` when asked to. */
export function finish<T extends IterativeResult>(
  s: Setup,
  x: Float64Array,
  iterations: number,
  residualNorm: number,
  reason: StopReason,
  converged: boolean,
  extra?: Omit<T, keyof IterativeResult>,
): T {
  const res = {
    x,
    converged,
    iterations,
    residualNorm,
    relativeResidual: s.bnorm > 0 ? residualNorm / s.bnorm : residualNorm === 0 ? 0 : Infinity,
    reason,
    ...(s.history ? { history: s.history } : {}),
    ...(extra ?? {}),
  } as T;
  if (!converged && s.onFailure === 'throw') {
    throw new ConvergenceError(
      `${s.fn}: did not converge (reason: ${reason}) after ${iterations} iteration(s): ` +
        `true residual ‖b − A·x‖ = ${residualNorm.toExponential(3)}, relative ${res.relativeResidual.toExponential(3)}, ` +
        `target max(tol·‖b‖, atol) = ${s.thresh.toExponential(3)}` +
        (reason === 'indefinite' ? ' (the operator or preconditioner is not positive definite)' : ''),
      { ...(res as IterativeResult & Record<string, unknown>), converged: false },
    );
  }
  return res;
}

/** The report for `b = 0`: `x = 0` solves the system exactly, with no iterations. */
export function zeroSolution<T extends IterativeResult>(s: Setup, n: number, extra?: Omit<T, keyof IterativeResult>): T {
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
export function prepareSquareSolve(fn: string, A: unknown, b: unknown, options: IterativeOptions & { M?: unknown }): SquareSolve {
  const n = b instanceof Float64Array ? b.length : 0;
  const s = setup(fn, b, n, options, defaultMaxIter(n));
  checkOperatorDims(A, fn, 'A', n, n);
  return { n, s, apply: toApply(A, fn, 'A'), precond: options.M === undefined ? undefined : toApply(options.M, fn, 'options.M') };
}
