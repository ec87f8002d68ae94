/**
 * @file Reductions: sum (primitive) and mean (composite).
 */
import { normalizeAxes } from '../core/broadcast.js';
import { InvalidArgumentError } from '../core/errors.js';
import { ConcreteTensor, formatShape, shapeSize, stridesOf, type Tensor } from '../core/tensor.js';
import { Prim } from '../autodiff/primitives.js';
import { bind, type PrimDef } from '../autodiff/trace.js';
import { broadcastTo, reshape } from './shape.js';
import { div } from './arithmetic.js';

/** Output shape of reducing `shape` over `axes`. */
export function reducedShape(shape: readonly number[], axes: readonly number[], keepdims: boolean): number[] {
  const out: number[] = [];
  for (let d = 0; d < shape.length; d++) {
    if (axes.includes(d)) {
      if (keepdims) out.push(1);
    } else out.push(shape[d]!);
  }
  return out;
}

/**
 * For each input flat index, the flat index of the reduced output it contributes to.
 * Shared by every reduction kernel (sum, max, min, argmax...).
 */
export function reductionIndexMap(shape: readonly number[], axes: readonly number[]): Int32Array {
  const nd = shape.length;
  const keptShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const keptStrides = stridesOf(keptShape).map((s, i) => (axes.includes(i) ? 0 : s));
  const n = shapeSize(shape);
  const map = new Int32Array(n);
  const idx = new Array<number>(nd).fill(0);
  let o = 0;
  for (let k = 0; k < n; k++) {
    map[k] = o;
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]!++;
      o += keptStrides[d]!;
      if (idx[d]! < shape[d]!) break;
      o -= keptStrides[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
  return map;
}

export const sumDef: PrimDef<Prim.Sum> = {
  prim: Prim.Sum,
  impl: ([a], { axes, keepdims }) => {
    const x = a!.data;
    const shape = a!.shape;
    const outShape = reducedShape(shape, axes, keepdims);
    const out = new Float64Array(shapeSize(outShape));
    if (axes.length === shape.length) {
      let s = 0;
      for (let i = 0; i < x.length; i++) s += x[i]!;
      out[0] = s;
    } else if (axes.length === 1 && axes[0] === shape.length - 1) {
      const m = shape[shape.length - 1]!;
      for (let r = 0, off = 0; r < out.length; r++, off += m) {
        let s = 0;
        for (let j = 0; j < m; j++) s += x[off + j]!;
        out[r] = s;
      }
    } else {
      const map = reductionIndexMap(shape, axes);
      for (let i = 0; i < x.length; i++) out[map[i]!] += x[i]!;
    }
    return new ConcreteTensor(out, outShape);
  },
  jvp: (_, [da], __, { axes, keepdims }) => (da ? sum(da, axes, keepdims) : null),
  // cotangent of a sum: broadcast back over the reduced axes
  vjp: (ct, [a], _, { axes }) => [broadcastTo(reshape(ct, reducedShape(a!.shape, axes, true)), a!.shape)],
};

/**
 * Sum over `axes` (default: all).
 * @example sum(tensor([[1, 2], [3, 4]]), 0) // [4, 6]
 */
export function sum(x: Tensor, axes?: number | readonly number[], keepdims = false): Tensor {
  const ax = normalizeAxes(axes, x.ndim, 'sum');
  if (ax.length === 0) return x;
  return bind(sumDef, [x], { axes: ax, keepdims });
}

/** Mean over `axes` (default: all). */
export function mean(x: Tensor, axes?: number | readonly number[], keepdims = false): Tensor {
  const ax = normalizeAxes(axes, x.ndim, 'mean');
  const count = ax.reduce((acc, a) => acc * x.shape[a]!, 1);
  if (count === 0) throw new InvalidArgumentError(`mean: cannot average over zero elements (shape ${formatShape(x.shape)})`);
  return div(sum(x, ax, keepdims), count);
}
