/**
 * @file Small helpers shared by op files: coercion of an op's `TensorLike` argument (Tensor,
 * number or nested number arrays) with typed errors naming the op and the argument, and fitting a tangent or
 * cotangent to a shape (broadcast up for tangents, sum down for cotangents).
 */
import { broadcastedAxes } from '../core/broadcast.js';
import { InvalidArgumentError } from '../core/errors.js';
import { ConcreteTensor, describeValue, shapesEqual, Tensor, tensorFrom, type NestedArray } from '../core/tensor.js';
import { broadcastTo, reshape } from './shape.js';
import { sumAxes } from './reduce.js';

/** What every op accepts as a tensor argument: a Tensor, a number (a scalar constant) or nested number arrays. */
export type TensorLike = Tensor | NestedArray;

const SCALAR_CACHE = new Map<number, ConcreteTensor>();

/**
 * Coerces an op's argument to a tensor (small integers are cached); anything else than a Tensor,
 * a number or nested number arrays throws `InvalidArgumentError` naming the public function
 * `where` (e.g. `'matmul()'`) and the argument `arg`.
 */
export function asTensor(x: unknown, where: string, arg: string): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x === 'number') {
    if (Number.isInteger(x) && x >= -2 && x <= 2) {
      let t = SCALAR_CACHE.get(x);
      if (!t) {
        t = new ConcreteTensor(Float64Array.of(x), []);
        SCALAR_CACHE.set(x, t);
      }
      return t;
    }
    return new ConcreteTensor(Float64Array.of(x), []);
  }
  if (Array.isArray(x)) return tensorFrom(x, undefined, `${where}: argument ${arg}`);
  throw new InvalidArgumentError(`${where}: argument ${arg} must be a Tensor, number or nested number array, got ${describeValue(x)}`);
}

/** Broadcasts a tangent up to `shape` (no-op when shapes match). */
export function fitTangent(t: Tensor, shape: readonly number[]): Tensor {
  return shapesEqual(t.shape, shape) ? t : broadcastTo(t, shape);
}

/** Sums a cotangent down to `shape`, undoing broadcasting (no-op when shapes match). */
export function sumToShape(ct: Tensor, shape: readonly number[]): Tensor {
  if (shapesEqual(ct.shape, shape)) return ct;
  const axes = broadcastedAxes(shape, ct.shape);
  const s = sumAxes(ct, axes, false);
  return shapesEqual(s.shape, shape) ? s : reshape(s, shape);
}

/** A constant (non-differentiable) tensor from raw data, e.g. a derivative mask. */
export function constant(data: Float64Array, shape: readonly number[]): Tensor {
  return new ConcreteTensor(data, [...shape]);
}
