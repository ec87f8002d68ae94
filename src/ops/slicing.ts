/**
 * @file Contiguous slicing, zero padding (its transpose) and concatenation/stacking.
 */
import { normalizeAxis } from '../core/broadcast.js';
import { ShapeError } from '../core/errors.js';
import { checkOptions } from '../core/options.js';
import { ConcreteTensor, describeValue, formatShape, shapeSize, stridesOf, type Tensor } from '../core/tensor.js';
import { Prim } from '../autodiff/primitives.js';
import { bind, type PrimDef } from '../autodiff/trace.js';
import { reshape, zerosLike } from './shape.js';
import { asTensor, type TensorLike } from './convert.js';

/** Copies the box `begin + [0, size)` of `src` (shape `srcShape`) into/out of a dense block. */
function copyBox(src: Float64Array, srcShape: readonly number[], dst: Float64Array, dstShape: readonly number[], begin: readonly number[], size: readonly number[], intoBig: boolean): void {
  // "big" is the array with the full shape; the box is dense in the small one.
  const bigShape = intoBig ? dstShape : srcShape;
  const bigStrides = stridesOf(bigShape);
  const nd = size.length;
  const n = shapeSize(size);
  if (n === 0) return;
  let bigOff = 0;
  for (let d = 0; d < nd; d++) bigOff += begin[d]! * bigStrides[d]!;
  const inner = nd === 0 ? 1 : size[nd - 1]!;
  const outer = n / inner;
  const idx = new Array<number>(Math.max(nd - 1, 0)).fill(0);
  let small = 0;
  let big = bigOff;
  for (let o = 0; o < outer; o++) {
    if (intoBig) for (let j = 0; j < inner; j++) dst[big + j] = src[small + j]!;
    else for (let j = 0; j < inner; j++) dst[small + j] = src[big + j]!;
    small += inner;
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]!++;
      big += bigStrides[d]!;
      if (idx[d]! < size[d]!) break;
      big -= bigStrides[d]! * size[d]!;
      idx[d] = 0;
    }
  }
}

export const sliceDef: PrimDef<Prim.Slice> = {
  prim: Prim.Slice,
  impl: ([a], { begin, size }) => {
    const out = new Float64Array(shapeSize(size));
    copyBox(a!.data, a!.shape, out, size, begin, size, false);
    return new ConcreteTensor(out, [...size]);
  },
  jvp: (_, [da], __, { begin, size }) => (da ? slice(da, begin, size) : null),
  vjp: (ct, [a], _, { begin }) => [pad(ct, begin, a!.shape)],
};

export const padDef: PrimDef<Prim.Pad> = {
  prim: Prim.Pad,
  impl: ([a], { begin, shape }) => {
    const out = new Float64Array(shapeSize(shape));
    copyBox(a!.data, a!.shape, out, shape, begin, a!.shape, true);
    return new ConcreteTensor(out, [...shape]);
  },
  jvp: (_, [da], __, { begin, shape }) => (da ? pad(da, begin, shape) : null),
  vjp: (ct, [a], _, { begin }) => [slice(ct, begin, a!.shape)],
};

export const concatDef: PrimDef<Prim.Concat> = {
  prim: Prim.Concat,
  impl: (inputs, { axis }) => {
    const shape = [...inputs[0]!.shape];
    shape[axis] = inputs.reduce((acc, t) => acc + t.shape[axis]!, 0);
    const out = new Float64Array(shapeSize(shape));
    const begin = new Array<number>(shape.length).fill(0);
    for (const t of inputs) {
      copyBox(t.data, t.shape, out, shape, begin, t.shape, true);
      begin[axis]! += t.shape[axis]!;
    }
    return new ConcreteTensor(out, shape);
  },
  jvp: (primals, tangents, _, { axis }) => (tangents.every((t) => t === null) ? null : concat(tangents.map((t, i) => t ?? zerosLike(primals[i]!)), { axis })),
  vjp: (ct, primals, _, { axis }) => {
    const begin = new Array<number>(ct.ndim).fill(0);
    return primals.map((p) => {
      const g = slice(ct, begin, p.shape);
      begin[axis]! += p.shape[axis]!;
      return g;
    });
  },
};

/**
 * The box `x[begin₀ : begin₀+size₀, begin₁ : ...]` (contiguous, step 1).
 * @example slice(arange(10), [2], [3]) // [2, 3, 4]
 */
export function slice(x: TensorLike, begin: readonly number[], size: readonly number[]): Tensor {
  x = asTensor(x, 'slice()', 'x');
  if (begin.length !== x.ndim || size.length !== x.ndim) {
    throw new ShapeError(`slice(): begin and size need ${x.ndim} entries for shape ${formatShape(x.shape)}`);
  }
  for (let d = 0; d < x.ndim; d++) {
    if (!Number.isInteger(begin[d]) || !Number.isInteger(size[d]) || begin[d]! < 0 || size[d]! < 0 || begin[d]! + size[d]! > x.shape[d]!) {
      throw new ShapeError(`slice(): box begin ${formatShape(begin)} size ${formatShape(size)} is outside shape ${formatShape(x.shape)}`);
    }
  }
  return bind(sliceDef, [x], { begin: [...begin], size: [...size] });
}

/** Embeds x in zeros of `shape` at offset `begin` (the transpose of `slice`). */
export function pad(x: TensorLike, begin: readonly number[], shape: readonly number[]): Tensor {
  x = asTensor(x, 'pad()', 'x');
  if (begin.length !== x.ndim || shape.length !== x.ndim || x.shape.some((d, i) => begin[i]! < 0 || begin[i]! + d > shape[i]!)) {
    throw new ShapeError(`pad(): ${formatShape(x.shape)} at ${formatShape(begin)} does not fit in ${formatShape(shape)}`);
  }
  return bind(padDef, [x], { begin: [...begin], shape: [...shape] });
}

/** The single-axis option of the shape ops (`take`, `index`, `sliceAxis`, `concat`, `stack`, ...). */
export interface AxisOption {
  /** The axis to act along (negative counts from the end). Default 0. */
  axis?: number;
}

/**
 * Takes rows/entries `start .. stop-1` along `axis` (option, default 0), Python-like
 * `x[..., start:stop, ...]` (JAX's `lax.slice_in_dim`).
 *
 * @example
 * sliceAxis(tensor([[1, 2, 3], [4, 5, 6]]), 1, 3, { axis: 1 }) // [[2, 3], [5, 6]]
 */
export function sliceAxis(x: TensorLike, start: number, stop: number, opts?: AxisOption): Tensor {
  checkOptions(opts, ['axis'], 'sliceAxis()');
  const axis = opts?.axis ?? 0;
  x = asTensor(x, 'sliceAxis()', 'x');
  const ax = normalizeAxis(axis, x.ndim, 'sliceAxis()');
  if (!Number.isInteger(start) || !Number.isInteger(stop) || start < 0 || stop < start || stop > x.shape[ax]!) {
    throw new ShapeError(`sliceAxis(): start ${start} and stop ${stop} must be integers with 0 ≤ start ≤ stop ≤ ${x.shape[ax]} (axis ${ax} of shape ${formatShape(x.shape)})`);
  }
  const begin = new Array<number>(x.ndim).fill(0);
  const size = [...x.shape];
  begin[ax] = start;
  size[ax] = stop - start;
  return slice(x, begin, size);
}

/** The tensors of a non-empty list argument `xs` of the public function `where`. */
function tensorList(inputs: readonly TensorLike[], where: string): Tensor[] {
  if (!Array.isArray(inputs) || inputs.length === 0) throw new ShapeError(`${where}: argument xs must be a non-empty list of tensors, got ${describeValue(inputs)}`);
  return inputs.map((t, i) => asTensor(t, where, `xs[${i}]`));
}

/**
 * Joins tensors along an existing axis (option, default 0).
 *
 * @example
 * concat([tensor([[1], [2]]), tensor([[3], [4]])], { axis: 1 }) // [[1, 3], [2, 4]]
 */
export function concat(inputs: readonly TensorLike[], opts?: AxisOption): Tensor {
  checkOptions(opts, ['axis'], 'concat()');
  const axis = opts?.axis ?? 0;
  const xs = tensorList(inputs, 'concat()');
  const nd = xs[0]!.ndim;
  const ax = normalizeAxis(axis, nd, 'concat()');
  for (const t of xs) {
    if (t.ndim !== nd || t.shape.some((d, i) => i !== ax && d !== xs[0]!.shape[i])) {
      throw new ShapeError(`concat(): shapes ${xs.map((u) => formatShape(u.shape)).join(', ')} differ outside axis ${ax}`);
    }
  }
  if (xs.length === 1) return xs[0]!;
  return bind(concatDef, xs, { axis: ax });
}

/**
 * Joins same-shape tensors along a new axis (option, default 0).
 *
 * @example
 * stack([tensor([1, 2]), tensor([3, 4])], { axis: 1 }) // [[1, 3], [2, 4]]
 */
export function stack(inputs: readonly TensorLike[], opts?: AxisOption): Tensor {
  checkOptions(opts, ['axis'], 'stack()');
  const axis = opts?.axis ?? 0;
  const xs = tensorList(inputs, 'stack()');
  const shape = xs[0]!.shape;
  const ax = normalizeAxis(axis, shape.length + 1, 'stack()');
  const expanded = xs.map((t) => {
    if (t.ndim !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new ShapeError(`stack(): shapes ${xs.map((u) => formatShape(u.shape)).join(', ')} differ`);
    }
    const s = [...t.shape];
    s.splice(ax, 0, 1);
    return reshape(t, s);
  });
  return concat(expanded, { axis: ax });
}
