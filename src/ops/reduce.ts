/**
 * @file Reductions: sum (primitive) and mean (composite).
 */
import { normalizeAxes } from '../core/broadcast.js';
import { InvalidArgumentError } from '../core/errors.js';
import { checkOptions } from '../core/options.js';
import { ConcreteTensor, formatShape, shapeSize, stridesOf, type Tensor } from '../core/tensor.js';
import { Prim } from '../autodiff/primitives.js';
import { bind, type PrimDef } from '../autodiff/trace.js';
import { broadcastTo, reshape } from './shape.js';
import { div } from './arithmetic.js';
import { asTensor, type TensorLike } from './convert.js';
import { sumRowsKernel } from '../kernels/elementwise.js';

/** Options of the reductions: the axes to reduce (a number or a list; default all) and whether to keep them with size 1. */
export interface AxisOptions {
  /** Axis or axes to reduce (negative counts from the end). Default: all. */
  axis?: number | readonly number[];
  /** Keep the reduced axes with size 1 (default false). */
  keepdims?: boolean;
}

/** The option keys of {@link AxisOptions}. */
export const AXIS_KEYS = ['axis', 'keepdims'] as const;

/**
 * @internal Validates a reduction's options for the public function `where` (e.g. `'sum()'`) and
 * returns the normalised axes and keepdims. `extra` lists the function's other option keys.
 */
export function reductionOptions(x: Tensor, opts: AxisOptions | undefined, where: string, extra: readonly string[] = []): { axes: number[]; keepdims: boolean } {
  if (opts !== undefined) checkOptions(opts, extra.length ? [...AXIS_KEYS, ...extra] : AXIS_KEYS, where);
  const keepdims = opts?.keepdims ?? false;
  if (typeof keepdims !== 'boolean') throw new InvalidArgumentError(`${where}: option keepdims must be a boolean, got ${JSON.stringify(keepdims)}`);
  return { axes: normalizeAxes(opts?.axis, x.ndim, where), keepdims };
}

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

/** True when `axes` are 0, 1, …, p − 1 in order. */
function isLeading(axes: readonly number[]): boolean {
  for (let i = 0; i < axes.length; i++) if (axes[i] !== i) return false;
  return true;
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
    } else if (isLeading(axes)) {
      // the leading axes (a bias gradient: Σ over the batch): row sums, same order as the map
      sumRowsKernel(x, shapeSize(shape.slice(0, axes.length)), shapeSize(shape.slice(axes.length)), out);
    } else {
      const map = reductionIndexMap(shape, axes);
      for (let i = 0; i < x.length; i++) out[map[i]!] += x[i]!;
    }
    return new ConcreteTensor(out, outShape);
  },
  jvp: (_, [da], __, { axes, keepdims }) => (da ? sumAxes(da, axes, keepdims) : null),
  // cotangent of a sum: broadcast back over the reduced axes
  vjp: (ct, [a], _, { axes }) => [broadcastTo(reshape(ct, reducedShape(a!.shape, axes, true)), a!.shape)],
};

/** @internal Sum over already-normalised `axes` (the derivative rules' entry point). */
export function sumAxes(x: Tensor, axes: readonly number[], keepdims: boolean): Tensor {
  if (axes.length === 0) return x;
  return bind(sumDef, [x], { axes, keepdims });
}

/**
 * Sum over `axis` (a number or a list; default: all axes).
 * @example
 * sum(tensor([[1, 2], [3, 4]]))                                 // tensor(10)
 * sum(tensor([[1, 2], [3, 4]]), { axis: 0 })                    // tensor([4, 6])
 * sum(tensor([[1, 2], [3, 4]]), { axis: -1, keepdims: true })   // tensor([[3], [7]])
 */
export function sum(x: TensorLike, opts?: AxisOptions): Tensor {
  const t = asTensor(x, 'sum()', 'x');
  if (opts === undefined) return t.ndim === 0 ? t : bind(sumDef, [t], { axes: allAxes(t.ndim), keepdims: false });
  const { axes, keepdims } = reductionOptions(t, opts, 'sum()');
  return sumAxes(t, axes, keepdims);
}

function allAxes(ndim: number): number[] {
  const a = new Array<number>(ndim);
  for (let i = 0; i < ndim; i++) a[i] = i;
  return a;
}

/**
 * Mean over `axis` (default: all axes).
 * @example mean(tensor([[1, 2], [3, 4]]), { axis: 1 }) // tensor([1.5, 3.5])
 */
export function mean(x: TensorLike, opts?: AxisOptions): Tensor {
  const t = asTensor(x, 'mean()', 'x');
  const { axes, keepdims } = reductionOptions(t, opts, 'mean()');
  const count = axes.reduce((acc, a) => acc * t.shape[a]!, 1);
  if (count === 0) throw new InvalidArgumentError(`mean(): cannot average over zero elements (shape ${formatShape(t.shape)})`);
  return div(sumAxes(t, axes, keepdims), count);
}
