/**
 * @file NumPy broadcasting: result shapes and the index maps that elementwise kernels use.
 */
import { ShapeError } from './errors.js';
import { formatShape, shapesEqual, stridesOf } from './tensor.js';

/** Shape of broadcasting `a` against `b` (NumPy rules), or a ShapeError naming both shapes. */
export function broadcastShapes(a: readonly number[], b: readonly number[], opName = 'op'): number[] {
  if (shapesEqual(a, b)) return a as number[];
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)]!;
    const db = i < n - b.length ? 1 : b[i - (n - b.length)]!;
    if (da === db || db === 1) out[i] = da;
    else if (da === 1) out[i] = db;
    else throw new ShapeError(`${opName}: shapes ${formatShape(a)} and ${formatShape(b)} cannot be broadcast together`);
  }
  return out;
}

/**
 * Strides that read an array of shape `from` as if it had (broadcast) shape `to`:
 * broadcast dimensions get stride 0.
 */
export function broadcastStrides(from: readonly number[], to: readonly number[]): number[] {
  const s = stridesOf(from);
  const out = new Array<number>(to.length).fill(0);
  const off = to.length - from.length;
  for (let i = 0; i < from.length; i++) out[i + off] = from[i] === 1 && to[i + off] !== 1 ? 0 : s[i]!;
  return out;
}

/**
 * Flat source indices of each output element when reading `from` broadcast to `to`
 * (for the general N-d case; kernels use fast paths for equal shapes and scalars).
 */
export function broadcastIndexMap(from: readonly number[], to: readonly number[]): Int32Array {
  const strides = broadcastStrides(from, to);
  const n = to.reduce((a, b) => a * b, 1);
  const map = new Int32Array(n);
  const nd = to.length;
  const idx = new Array<number>(nd).fill(0);
  let src = 0;
  for (let k = 0; k < n; k++) {
    map[k] = src;
    // increment the multi-index, updating the source offset incrementally
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]!++;
      src += strides[d]!;
      if (idx[d]! < to[d]!) break;
      src -= strides[d]! * to[d]!;
      idx[d] = 0;
    }
  }
  return map;
}

/**
 * Axes of `to` that were broadcast from `from` (to reduce a cotangent back to `from`'s shape).
 * Returns the axes to sum over (in `to` coordinates) for `sumToShape`.
 */
export function broadcastedAxes(from: readonly number[], to: readonly number[]): number[] {
  const axes: number[] = [];
  const off = to.length - from.length;
  for (let i = 0; i < to.length; i++) {
    if (i < off || (from[i - off] === 1 && to[i] !== 1)) axes.push(i);
  }
  return axes;
}

/** Normalises a possibly negative axis against `ndim`, with a ShapeError when out of range. */
export function normalizeAxis(axis: number, ndim: number, opName: string): number {
  const a = axis < 0 ? axis + ndim : axis;
  if (!Number.isInteger(a) || a < 0 || a >= ndim) {
    throw new ShapeError(`${opName}: axis ${axis} is out of range for a tensor with ${ndim} dimensions`);
  }
  return a;
}

/** Normalises an axis argument (undefined = all axes) to a sorted list of distinct axes. */
export function normalizeAxes(axes: number | readonly number[] | undefined, ndim: number, opName: string): number[] {
  if (axes === undefined) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof axes === 'number' ? [axes] : axes;
  const out = [...new Set(list.map((a) => normalizeAxis(a, ndim, opName)))].sort((x, y) => x - y);
  if (out.length !== list.length) throw new ShapeError(`${opName}: repeated axis in ${JSON.stringify(axes)}`);
  return out;
}
