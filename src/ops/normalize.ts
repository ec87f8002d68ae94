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
 */
import { normalizeAxes, normalizeAxis } from '../core/broadcast.js';
import { InvalidArgumentError } from '../core/errors.js';
import { shapeSize, type Tensor } from '../core/tensor.js';
import { add, div, mul, sub } from './arithmetic.js';
import { constant } from './convert.js';
import { mean, reducedShape, reductionIndexMap, sum } from './reduce.js';
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
 * log Σ exp(x) over `axes` (default: all), computed stably by shifting with the maximum.
 * Gradient: softmax over the same axes. All −∞ along the axes gives −∞; an empty reduction gives −∞.
 *
 * @example
 * logsumexp(tensor([1000, 1000]))          // 1000 + log 2  (no overflow)
 * logsumexp(tensor([[0, 0], [1, 1]]), 1)   // [log 2, 1 + log 2]
 */
export function logsumexp(x: Tensor, axes?: number | readonly number[], keepdims = false): Tensor {
  const ax = normalizeAxes(axes, x.ndim, 'logsumexp');
  const c = stableShift(x, ax);
  // c + log Σ exp(x − c), kept with reduced axes of size 1
  const out = add(log(sum(exp(sub(x, c)), ax, true)), c);
  return keepdims ? out : reshape(out, reducedShape(x.shape, ax, false));
}

/**
 * Softmax along `axis` (default −1): sᵢ = exp(xᵢ) / Σⱼ exp(xⱼ), stable for large |x|.
 * Jacobian: diag(s) − s sᵀ along the axis. Invariant under adding a constant along the axis.
 *
 * @example
 * softmax(tensor([0, Math.log(3)]))  // [0.25, 0.75]
 * softmax(tensor([1000, -1000]))     // [1, 0]
 */
export function softmax(x: Tensor, axis = -1): Tensor {
  const ax = normalizeAxis(axis, x.ndim, 'softmax');
  const e = exp(sub(x, stableShift(x, [ax])));
  return div(e, sum(e, ax, true));
}

/**
 * log softmax along `axis` (default −1): xᵢ − logsumexp(x), stable for large |x| (no log of an
 * underflowed probability). Jacobian: I − 1 sᵀ along the axis.
 *
 * @example
 * logSoftmax(tensor([0, 0]))          // [−log 2, −log 2]
 * logSoftmax(tensor([1000, -1000]))   // [0, −2000]
 */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  const ax = normalizeAxis(axis, x.ndim, 'logSoftmax');
  const z = sub(x, stableShift(x, [ax])); // z ≤ 0, max z = 0
  return sub(z, log(sum(exp(z), ax, true)));
}

/**
 * Variance over `axes` (default: all): Σ (x − mean)² / (n − ddof), computed in two passes
 * (centre first) for accuracy. `ddof = 1` gives the unbiased sample variance.
 * Gradient: 2 (x − mean) / (n − ddof).
 *
 * @example
 * variance(tensor([1, 2, 3, 4]))          // 1.25
 * variance(tensor([1, 2, 3, 4]), 0, false, 1) // 5/3
 */
export function variance(x: Tensor, axes?: number | readonly number[], keepdims = false, ddof = 0): Tensor {
  const ax = normalizeAxes(axes, x.ndim, 'variance');
  const n = ax.reduce((acc, a) => acc * x.shape[a]!, 1);
  if (!Number.isFinite(ddof) || ddof < 0 || n - ddof <= 0) {
    throw new InvalidArgumentError(`variance: ddof = ${ddof} needs more than ${ddof} elements per reduction, got ${n}`);
  }
  const d = sub(x, mean(x, ax, true));
  return div(sum(mul(d, d), ax, keepdims), n - ddof);
}

/**
 * Standard deviation √variance (same arguments as `variance`). Its derivative is infinite where
 * the variance is 0 (all entries equal), like √ at 0.
 *
 * @example
 * std(tensor([1, 3]))  // 1
 */
export function std(x: Tensor, axes?: number | readonly number[], keepdims = false, ddof = 0): Tensor {
  return sqrt(variance(x, axes, keepdims, ddof));
}
