/**
 * @file Gather and scatter along one axis: `take` (primitive), its transpose `scatterAdd`
 * (primitive), and the composites `index` and `takeAlongAxis`.
 *
 * Index convention (every function of this file): along an axis of length n, integer indices i
 * with −n ≤ i < n are accepted; negative ones count from the end (Python style, i ↦ i + n).
 * Anything else (out of range, non-integer, NaN) throws an `InvalidArgumentError` naming the
 * position and the value. Shape mismatches throw `ShapeError`. Duplicate indices are allowed:
 * `take` copies the same slice several times, `scatterAdd` accumulates (sums) into it.
 *
 * Both primitives are linear in their tensor argument and each is the other's transpose:
 *
 *   take:       y[…, j, …] = x[…, idx[j], …]                  ẏ = take(ẋ),        x̄ = scatterAdd(ȳ, idx, { dimSize: n })
 *   scatterAdd: y[…, k, …] = Σ_{j : idx[j] = k} u[…, j, …]    ẏ = scatterAdd(u̇),  ū = take(ȳ, idx)
 *
 * so derivatives of every order (grad∘grad, jvp∘grad) stay within these two primitives.
 */
import { normalizeAxis } from '../core/broadcast.js';
import { InvalidArgumentError, ShapeError } from '../core/errors.js';
import { checkOptions } from '../core/options.js';
import { ConcreteTensor, formatShape, shapeSize, type Tensor } from '../core/tensor.js';
import { Prim } from '../autodiff/primitives.js';
import { bind, type PrimDef } from '../autodiff/trace.js';
import { reshape } from './shape.js';
import { sliceAxis, type AxisOption } from './slicing.js';
import { asTensor, type TensorLike } from './convert.js';

/** Integer indices: an `Int32Array` or a plain array of integers. */
export type IndexArray = Int32Array | readonly number[];

/** Sizes of the dimensions before `axis`, at `axis`, and after it (row-major blocks). */
export function axisLayout(shape: readonly number[], axis: number): { outer: number; n: number; inner: number } {
  let outer = 1;
  let inner = 1;
  for (let d = 0; d < axis; d++) outer *= shape[d]!;
  for (let d = axis + 1; d < shape.length; d++) inner *= shape[d]!;
  return { outer, n: shape[axis]!, inner };
}

/** Validates indices against an axis of length `n` and maps negative ones to i + n (a fresh copy). */
export function normalizeIndices(indices: IndexArray, n: number, opName: string, what = 'index'): Int32Array {
  if (!(indices instanceof Int32Array) && !Array.isArray(indices)) {
    throw new InvalidArgumentError(`${opName}: indices must be an Int32Array or an array of integers, got ${typeof indices}`);
  }
  const out = new Int32Array(indices.length);
  for (let j = 0; j < indices.length; j++) {
    const i = indices[j]!;
    if (typeof i !== 'number' || !Number.isInteger(i) || i < -n || i >= n) {
      throw new InvalidArgumentError(`${opName}: ${what} ${String(i)} at position ${j} is out of range for an axis of length ${n} (valid: integers in [${-n}, ${n - 1}])`);
    }
    out[j] = i < 0 ? i + n : i;
  }
  return out;
}

export const takeDef: PrimDef<Prim.Take> = {
  prim: Prim.Take,
  impl: ([a], { indices, axis }) => {
    const x = a!.data;
    const { outer, n, inner } = axisLayout(a!.shape, axis);
    const m = indices.length;
    const outShape = [...a!.shape];
    outShape[axis] = m;
    const out = new Float64Array(outer * m * inner);
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < m; j++) {
        const s = (o * n + indices[j]!) * inner;
        const d = (o * m + j) * inner;
        for (let k = 0; k < inner; k++) out[d + k] = x[s + k]!;
      }
    }
    return new ConcreteTensor(out, outShape);
  },
  // take is linear: d take(x) = take(dx)
  jvp: (_, [da], __, { indices, axis }) => (da ? takeRaw(da, indices, axis) : null),
  // transpose of a gather is a scatter-add: x̄[…, i, …] = Σ_{j : idx[j] = i} ȳ[…, j, …]
  vjp: (ct, [a], _, { indices, axis }) => [scatterAddRaw(ct, indices, axis, a!.shape[axis]!)],
};

export const scatterAddDef: PrimDef<Prim.ScatterAdd> = {
  prim: Prim.ScatterAdd,
  impl: ([u], { indices, axis, dimSize }) => {
    const src = u!.data;
    const { outer, inner } = axisLayout(u!.shape, axis);
    const m = indices.length;
    const outShape = [...u!.shape];
    outShape[axis] = dimSize;
    const out = new Float64Array(outer * dimSize * inner);
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < m; j++) {
        const d = (o * dimSize + indices[j]!) * inner;
        const s = (o * m + j) * inner;
        for (let k = 0; k < inner; k++) out[d + k] += src[s + k]!;
      }
    }
    return new ConcreteTensor(out, outShape);
  },
  // scatterAdd is linear: d scatterAdd(u) = scatterAdd(du)
  jvp: (_, [du], __, { indices, axis, dimSize }) => (du ? scatterAddRaw(du, indices, axis, dimSize) : null),
  // transpose of a scatter-add is a gather: ū[…, j, …] = ȳ[…, idx[j], …]
  vjp: (ct, _, __, { indices, axis }) => [takeRaw(ct, indices, axis)],
};

/** Binds `take` with indices already validated and normalised. */
function takeRaw(x: Tensor, indices: Int32Array, axis: number): Tensor {
  return bind(takeDef, [x], { indices, axis });
}
/** Binds `scatterAdd` with indices already validated and normalised. */
function scatterAddRaw(updates: Tensor, indices: Int32Array, axis: number, dimSize: number): Tensor {
  return bind(scatterAddDef, [updates], { indices, axis, dimSize });
}

/**
 * Gathers slices along `axis` (option, default 0): `y[…, j, …] = x[…, indices[j], …]` (NumPy
 * `take` with 1-D indices).
 * The output has `x`'s shape with `shape[axis]` replaced by `indices.length`. Indices may repeat
 * and may be negative (counted from the end); out-of-range ones throw `InvalidArgumentError`.
 * Derivative: linear in x, VJP is `scatterAdd` (duplicates accumulate).
 *
 * @example
 * take(tensor([10, 20, 30]), [2, 0, 2])          // [30, 10, 30]
 * take(tensor([[1, 2], [3, 4]]), [-1], { axis: 1 }) // [[2], [4]]
 */
export function take(x: TensorLike, indices: IndexArray, opts?: AxisOption): Tensor {
  checkOptions(opts, ['axis'], 'take()');
  const axis = opts?.axis ?? 0;
  x = asTensor(x, 'take()', 'x');
  if (x.ndim === 0) throw new ShapeError('take(): x is a scalar (shape []); it needs at least one axis');
  const ax = normalizeAxis(axis, x.ndim, 'take()');
  return takeRaw(x, normalizeIndices(indices, x.shape[ax]!, 'take()'), ax);
}

/** Options of `scatterAdd`. */
export interface ScatterAddOptions extends AxisOption {
  /** Length of the output along `axis` (required). */
  dimSize: number;
}

/**
 * Scatter-add along `axis` (option, default 0) into zeros: the output has `updates`' shape with
 * `shape[axis]` replaced by `dimSize`, and `y[…, indices[j], …] += updates[…, j, …]` for every j
 * (duplicates accumulate). It is the transpose of `take`:
 * ⟨take(x, idx), u⟩ = ⟨x, scatterAdd(u, idx, { dimSize: n })⟩.
 * Requires `updates.shape[axis] === indices.length` (else `ShapeError`); indices are checked
 * against `dimSize` (negative ones count from the end).
 *
 * @example
 * scatterAdd(tensor([1, 2, 3]), [0, 2, 0], { dimSize: 4 }) // [4, 0, 2, 0]
 */
export function scatterAdd(updates: TensorLike, indices: IndexArray, opts: ScatterAddOptions): Tensor {
  checkOptions(opts, ['axis', 'dimSize'], 'scatterAdd()');
  const axis = opts?.axis ?? 0;
  const dimSize = opts?.dimSize;
  updates = asTensor(updates, 'scatterAdd()', 'updates');
  if (updates.ndim === 0) throw new ShapeError('scatterAdd(): updates is a scalar (shape []); it needs at least one axis');
  const ax = normalizeAxis(axis, updates.ndim, 'scatterAdd()');
  if (!Number.isInteger(dimSize) || dimSize < 0) throw new InvalidArgumentError(`scatterAdd(): option dimSize must be a non-negative integer, got ${dimSize}`);
  if (updates.shape[ax] !== indices.length) {
    throw new ShapeError(`scatterAdd(): updates ${formatShape(updates.shape)} has ${updates.shape[ax]} entries along axis ${ax} but ${indices.length} indices were given`);
  }
  return scatterAddRaw(updates, normalizeIndices(indices, dimSize, 'scatterAdd()'), ax, dimSize);
}

/**
 * Selects entry `i` along `axis` (option, default 0) and drops that axis: `index(A, 1)` is row 1 of a
 * matrix, `index(v, -1)` the last entry of a vector (a scalar). Negative i counts from the end.
 *
 * @example
 * index(tensor([[1, 2], [3, 4]]), 1)    // [3, 4]
 * index(tensor([[1, 2], [3, 4]]), 0, { axis: 1 }) // [1, 3]
 */
export function index(x: TensorLike, i: number, opts?: AxisOption): Tensor {
  checkOptions(opts, ['axis'], 'index()');
  const axis = opts?.axis ?? 0;
  x = asTensor(x, 'index()', 'x');
  if (x.ndim === 0) throw new ShapeError('index(): x is a scalar (shape []); it needs at least one axis');
  const ax = normalizeAxis(axis, x.ndim, 'index()');
  const j = normalizeIndices([i], x.shape[ax]!, 'index()')[0]!;
  const outShape = x.shape.filter((_, d) => d !== ax);
  return reshape(sliceAxis(x, j, j + 1, { axis: ax }), outShape);
}

/**
 * Gathers along `axis` (a required option, as in NumPy) with a per-position index (NumPy `take_along_axis`): `indices` is a tensor
 * of integer values with `x`'s number of dimensions and the same sizes except along `axis`, and
 * `y[…, j, …] = x[…, indices[…, j, …], …]`. Differentiable in `x` (through `take` on the flattened
 * tensor); `indices` is read as data and carries no derivative.
 *
 * @example
 * takeAlongAxis(tensor([[1, 2, 3], [4, 5, 6]]), tensor([[2], [0]]), { axis: 1 }) // [[3], [4]]
 */
export function takeAlongAxis(x: TensorLike, indices: TensorLike, opts: Required<AxisOption>): Tensor {
  checkOptions(opts, ['axis'], 'takeAlongAxis()');
  const axis = opts?.axis;
  if (axis === undefined) throw new InvalidArgumentError('takeAlongAxis(): option axis is required (an integer), got undefined');
  x = asTensor(x, 'takeAlongAxis()', 'x');
  indices = asTensor(indices, 'takeAlongAxis()', 'indices');
  if (x.ndim === 0) throw new ShapeError('takeAlongAxis(): x is a scalar (shape []); it needs at least one axis');
  const ax = normalizeAxis(axis, x.ndim, 'takeAlongAxis()');
  if (indices.ndim !== x.ndim || indices.shape.some((d, k) => k !== ax && d !== x.shape[k])) {
    throw new ShapeError(`takeAlongAxis(): indices ${formatShape(indices.shape)} must match x ${formatShape(x.shape)} except along axis ${ax}`);
  }
  const { outer, n, inner } = axisLayout(x.shape, ax);
  const m = indices.shape[ax]!;
  const local = normalizeIndices(Array.from(indices.data), n, 'takeAlongAxis()');
  // flat position in x of indices element (o, j, k): (o·n + idx)·inner + k
  const flat = new Int32Array(shapeSize(indices.shape));
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const base = (o * m + j) * inner;
      for (let k = 0; k < inner; k++) flat[base + k] = (o * n + local[base + k]!) * inner + k;
    }
  }
  return reshape(takeRaw(reshape(x, [x.size]), flat, 0), indices.shape);
}
