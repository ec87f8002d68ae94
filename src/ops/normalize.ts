/**
 * @file Stable normalisations and moments, as composites of primitives (so they are
 * differentiable to any order): logsumexp, softmax, logSoftmax, variance, std.
 *
 * Stability: with c = max over the reduced axes (a constant read from the concrete values —
 * the equivalent of `stopGradient(max(x))`; any constant c gives the same function and the same
 * derivatives),
 *
 *   logsumexp(x) = c + log Σ exp(x − c)        (every exp argument ≤ 0: no overflow)
 *   softmax(x)   = exp(x − c) / Σ exp(x − c)
 *   logSoftmax(x) = (x − c) − log Σ exp(x − c)
 *
 * Derivatives: ∇ logsumexp = softmax = s, ∇² logsumexp = diag(s) − s sᵀ,
 * J_softmax = diag(s) − s sᵀ, J_logSoftmax = I − 1 sᵀ.
 *
 * A concrete input normalised along its last axis takes the row kernels of
 * `kernels/softmax.ts` (one pass per row, the same arithmetic in the same order: the same bits);
 * traced inputs (under grad, jvp, …) and other axes evaluate the composite of primitives above.
 */
import { normalizeAxis } from '../core/broadcast.js';
import { InvalidArgumentError } from '../core/errors.js';
import { checkOptions } from '../core/options.js';
import { ConcreteTensor, shapeSize, type Tensor } from '../core/tensor.js';
import { logSoftmaxRowsKernel, logsumexpRowsKernel, softmaxRowsKernel } from '../kernels/softmax.js';
import { add, div, mul, sub } from './arithmetic.js';
import { asTensor, constant, type TensorLike } from './convert.js';
import { reducedShape, reductionIndexMap, reductionOptions, sumAxes, type AxisOptions } from './reduce.js';
import { reshape } from './shape.js';
import { exp, log, sqrt } from './unary.js';

/**
 * The shift c = max of x over `axes` (keepdims), as a constant with no derivative. Non-finite
 * maxima (a slice of all −∞, an empty slice, or a +∞ entry) are replaced by 0 so that x − c never
 * produces ∞ − ∞ = NaN; NaN entries are ignored here and propagate through the main formula.
 */
function stableShift(x: Tensor, axes: readonly number[]): Tensor {
  const outShape = reducedShape(x.shape, axes, true);
  const c = new Float64Array(shapeSize(outShape)).fill(-Infinity);
  const map = reductionIndexMap(x.shape, axes);
  const d = x.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    if (v > c[map[i]!]!) c[map[i]!] = v;
  }
  for (let i = 0; i < c.length; i++) if (!Number.isFinite(c[i]!)) c[i] = 0;
  return constant(c, outShape);
}

/**
 * The class count C when `t` is concrete and `axis` is its last axis with C ≥ 1 (the row kernels
 * apply), else 0.
 */
function rowKernelWidth(t: Tensor, axis: number): number {
  if (t.level !== 0 || axis !== t.ndim - 1) return 0;
  return t.shape[axis]!;
}

/**
 * log Σ exp(x) over `axes` (default: all), computed stably by shifting with the maximum.
 * Gradient: softmax over the same axes. All −∞ along the axes gives −∞; an empty reduction gives −∞.
 *
 * @example
 * logsumexp(tensor([1000, 1000]))                     // 1000 + log 2  (no overflow)
 * logsumexp(tensor([[0, 0], [1, 1]]), { axis: 1 })    // [log 2, 1 + log 2]
 */
export function logsumexp(x: TensorLike, opts?: AxisOptions): Tensor {
  const t = asTensor(x, 'logsumexp()', 'x');
  const { axes, keepdims } = reductionOptions(t, opts, 'logsumexp()');
  const C = axes.length === 1 ? rowKernelWidth(t, axes[0]!) : 0;
  if (C > 0) {
    const out = new Float64Array(t.size / C);
    logsumexpRowsKernel(t.data, out.length, C, out);
    return new ConcreteTensor(out, reducedShape(t.shape, axes, keepdims));
  }
  const c = stableShift(t, axes);
  // c + log Σ exp(x − c), kept with reduced axes of size 1
  const out = add(log(sumAxes(exp(sub(t, c)), axes, true)), c);
  return keepdims ? out : reshape(out, reducedShape(t.shape, axes, false));
}

/** Options of `softmax` and `logSoftmax`. */
export interface SoftmaxOptions {
  /** The axis to normalise over (default −1, the last). */
  axis?: number;
}

function softmaxAxis(t: Tensor, opts: SoftmaxOptions | undefined, where: string): number {
  checkOptions(opts, ['axis'], where);
  const axis = opts?.axis ?? -1;
  if (typeof axis !== 'number') throw new InvalidArgumentError(`${where}: option axis must be one axis (a number), got ${JSON.stringify(axis)}`);
  return normalizeAxis(axis, t.ndim, where);
}

/**
 * Softmax along `axis` (default −1): sᵢ = exp(xᵢ) / Σⱼ exp(xⱼ), stable for large |x|.
 * Jacobian: diag(s) − s sᵀ along the axis. Invariant under adding a constant along the axis.
 *
 * @example
 * softmax(tensor([0, Math.log(3)]))  // [0.25, 0.75]
 * softmax(tensor([1000, -1000]))     // [1, 0]
 */
export function softmax(x: TensorLike, opts?: SoftmaxOptions): Tensor {
  const t = asTensor(x, 'softmax()', 'x');
  const ax = softmaxAxis(t, opts, 'softmax()');
  const C = rowKernelWidth(t, ax);
  if (C > 0) {
    const out = new Float64Array(t.size);
    softmaxRowsKernel(t.data, t.size / C, C, out);
    return new ConcreteTensor(out, t.shape.slice());
  }
  const e = exp(sub(t, stableShift(t, [ax])));
  return div(e, sumAxes(e, [ax], true));
}

/**
 * log softmax along `axis` (default −1): xᵢ − logsumexp(x), stable for large |x| (no log of an
 * underflowed probability). Jacobian: I − 1 sᵀ along the axis.
 *
 * @example
 * logSoftmax(tensor([0, 0]))          // [−log 2, −log 2]
 * logSoftmax(tensor([1000, -1000]))   // [0, −2000]
 */
export function logSoftmax(x: TensorLike, opts?: SoftmaxOptions): Tensor {
  const t = asTensor(x, 'logSoftmax()', 'x');
  const ax = softmaxAxis(t, opts, 'logSoftmax()');
  const C = rowKernelWidth(t, ax);
  if (C > 0) {
    const out = new Float64Array(t.size);
    logSoftmaxRowsKernel(t.data, t.size / C, C, out);
    return new ConcreteTensor(out, t.shape.slice());
  }
  const z = sub(t, stableShift(t, [ax])); // z ≤ 0, max z = 0
  return sub(z, log(sumAxes(exp(z), [ax], true)));
}

/** Options of `variance` and `std`. */
export interface MomentOptions extends AxisOptions {
  /** Delta degrees of freedom: the divisor is n − ddof (default 0). */
  ddof?: number;
}

function moment(x: TensorLike, opts: MomentOptions | undefined, where: string): Tensor {
  const t = asTensor(x, where, 'x');
  const { axes, keepdims } = reductionOptions(t, opts, where, ['ddof']);
  const ddof = opts?.ddof ?? 0;
  const n = axes.reduce((acc, a) => acc * t.shape[a]!, 1);
  if (typeof ddof !== 'number' || !Number.isFinite(ddof) || ddof < 0 || n - ddof <= 0) {
    throw new InvalidArgumentError(`${where}: option ddof = ${JSON.stringify(ddof)} needs more than ddof elements per reduction, got ${n}`);
  }
  const d = sub(t, div(sumAxes(t, axes, true), n));
  return div(sumAxes(mul(d, d), axes, keepdims), n - ddof);
}

/**
 * Variance over `axis` (default: all): Σ (x − mean)² / (n − ddof), computed in two passes
 * (centre first) for accuracy. `ddof = 1` gives the unbiased sample variance.
 * Gradient: 2 (x − mean) / (n − ddof).
 *
 * @example
 * variance(tensor([1, 2, 3, 4]))          // 1.25
 * variance(tensor([1, 2, 3, 4]), { ddof: 1 }) // 5/3
 */
export function variance(x: TensorLike, opts?: MomentOptions): Tensor {
  return moment(x, opts, 'variance()');
}

/**
 * Standard deviation √variance (same arguments as `variance`). Its derivative is infinite where
 * the variance is 0 (all entries equal), like √ at 0.
 *
 * @example
 * std(tensor([1, 3]))  // 1
 */
export function std(x: TensorLike, opts?: MomentOptions): Tensor {
  return sqrt(moment(x, opts, 'std()'));
}
