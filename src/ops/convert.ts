/**
 * @file Small helpers shared by op files: number → tensor coercion, and fitting a tangent or
 * cotangent to a shape (broadcast up for tangents, sum down for cotangents).
 */
import { broadcastedAxes } from '../core/broadcast.js';
import { ConcreteTensor, shapesEqual, Tensor } from '../core/tensor.js';
import { broadcastTo, reshape } from './shape.js';
import { sum } from './reduce.js';

/** A tensor or a plain number (treated as a scalar constant). */
export type TensorLike = Tensor | number;

const SCALAR_CACHE = new Map<number, ConcreteTensor>();

/** Coerces a number to a scalar tensor (small integers are cached). */
export function asTensor(x: TensorLike): Tensor {
  if (typeof x !== 'number') return x;
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

/** Broadcasts a tangent up to `shape` (no-op when shapes match). */
export function fitTangent(t: Tensor, shape: readonly number[]): Tensor {
  return shapesEqual(t.shape, shape) ? t : broadcastTo(t, shape);
}

/** Sums a cotangent down to `shape`, undoing broadcasting (no-op when shapes match). */
export function sumToShape(ct: Tensor, shape: readonly number[]): Tensor {
  if (shapesEqual(ct.shape, shape)) return ct;
  const axes = broadcastedAxes(shape, ct.shape);
  const s = sum(ct, axes, false);
  return shapesEqual(s.shape, shape) ? s : reshape(s, shape);
}

/** A constant (non-differentiable) tensor from raw data, e.g. a derivative mask. */
export function constant(data: Float64Array, shape: readonly number[]): Tensor {
  return new ConcreteTensor(data, [...shape]);
}
