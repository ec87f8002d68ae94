/**
 * @file Shape primitives: reshape, broadcastTo, transpose — plus zeros/ones-like helpers.
 */
import { broadcastIndexMap, broadcastShapes } from '../core/broadcast.js';
import { ShapeError } from '../core/errors.js';
import { checkOptions } from '../core/options.js';
import { ConcreteTensor, formatShape, shapeSize, shapesEqual, stridesOf, type Tensor } from '../core/tensor.js';
import { Prim } from '../autodiff/primitives.js';
import { bind, type PrimDef } from '../autodiff/trace.js';
import { sumToShape, asTensor, type TensorLike } from './convert.js';

export const reshapeDef: PrimDef<Prim.Reshape> = {
  prim: Prim.Reshape,
  impl: ([a], { shape }) => new ConcreteTensor(a!.data, [...shape]), // data shared: tensors are immutable
  jvp: (_, [da], __, { shape }) => (da ? reshape(da, shape) : null),
  vjp: (ct, [a]) => [reshape(ct, a!.shape)],
};

export const broadcastToDef: PrimDef<Prim.BroadcastTo> = {
  prim: Prim.BroadcastTo,
  impl: ([a], { shape }) => {
    const src = a!.data;
    const n = shapeSize(shape);
    const out = new Float64Array(n);
    if (src.length === 1) out.fill(src[0]!);
    else {
      const map = broadcastIndexMap(a!.shape, shape);
      for (let i = 0; i < n; i++) out[i] = src[map[i]!]!;
    }
    return new ConcreteTensor(out, [...shape]);
  },
  jvp: (_, [da], __, { shape }) => (da ? broadcastTo(da, shape) : null),
  vjp: (ct, [a]) => [sumToShape(ct, a!.shape)],
};

export const transposeDef: PrimDef<Prim.Transpose> = {
  prim: Prim.Transpose,
  impl: ([a], { perm }) => transposeKernel(a!, perm),
  jvp: (_, [da], __, { perm }) => (da ? transpose(da, { axes: perm }) : null),
  vjp: (ct, _, __, { perm }) => [transpose(ct, { axes: inversePermutation(perm) })],
};

function transposeKernel(a: ConcreteTensor, perm: readonly number[]): ConcreteTensor {
  const inShape = a.shape;
  const nd = inShape.length;
  const outShape = perm.map((p) => inShape[p]!);
  const src = a.data;
  const n = src.length;
  const out = new Float64Array(n);
  if (nd === 2 && perm[0] === 1) {
    // 2-D transpose in 32×32 tiles so that both the reads and the writes stay in cache
    const r = inShape[0]!, c = inShape[1]!;
    const T = 32;
    for (let i0 = 0; i0 < r; i0 += T) {
      const i1 = Math.min(i0 + T, r);
      for (let j0 = 0; j0 < c; j0 += T) {
        const j1 = Math.min(j0 + T, c);
        for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) out[j * r + i] = src[i * c + j]!;
      }
    }
    return new ConcreteTensor(out, outShape);
  }
  const inStrides = stridesOf(inShape);
  const srcStrides = perm.map((p) => inStrides[p]!); // stride in src for each out dim
  const idx = new Array<number>(nd).fill(0);
  let s = 0;
  for (let k = 0; k < n; k++) {
    out[k] = src[s]!;
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]!++;
      s += srcStrides[d]!;
      if (idx[d]! < outShape[d]!) break;
      s -= srcStrides[d]! * outShape[d]!;
      idx[d] = 0;
    }
  }
  return new ConcreteTensor(out, outShape);
}

/** The inverse of a permutation. */
export function inversePermutation(perm: readonly number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
}

/**
 * Reshapes (row-major order kept). One dimension may be −1 (inferred).
 * @example reshape(arange(6), [2, -1]) // shape [2, 3]
 */
export function reshape(x: TensorLike, shape: readonly number[]): Tensor {
  x = asTensor(x, 'reshape()', 'x');
  const s = [...shape];
  const neg = s.indexOf(-1);
  if (neg >= 0) {
    const rest = s.reduce((acc, d, i) => (i === neg ? acc : acc * d), 1);
    if (rest === 0 || x.size % rest !== 0) throw new ShapeError(`reshape(): cannot infer -1 in ${formatShape(shape)} for ${x.size} elements`);
    s[neg] = x.size / rest;
  }
  if (s.some((d) => !Number.isInteger(d) || d < 0) || shapeSize(s) !== x.size) {
    throw new ShapeError(`reshape(): cannot reshape ${formatShape(x.shape)} (${x.size} elements) to ${formatShape(shape)}`);
  }
  if (shapesEqual(s, x.shape)) return x;
  return bind(reshapeDef, [x], { shape: s });
}

/** Broadcasts to `shape` (NumPy rules). */
export function broadcastTo(x: TensorLike, shape: readonly number[]): Tensor {
  x = asTensor(x, 'broadcastTo()', 'x');
  if (shapesEqual(x.shape, shape)) return x;
  const b = broadcastShapes(x.shape, shape, 'broadcastTo');
  if (!shapesEqual(b, shape)) throw new ShapeError(`broadcastTo(): cannot broadcast ${formatShape(x.shape)} to ${formatShape(shape)}`);
  return bind(broadcastToDef, [x], { shape: [...shape] });
}

/** Options of `transpose`. */
export interface TransposeOptions {
  /** The permutation: output axis i is input axis `axes[i]` (negative counts from the end). Default: reversed. */
  axes?: readonly number[];
}

/**
 * Permutes axes (option `axes`, default: reverse them; NumPy/JAX `transpose(x, axes)`).
 * `transpose(A)` of a matrix is Aᵀ.
 * @example transpose(zeros([2, 3, 4]), { axes: [1, 0, 2] }).shape // [3, 2, 4]
 */
export function transpose(x: TensorLike, opts?: TransposeOptions): Tensor {
  checkOptions(opts, ['axes'], 'transpose()');
  const perm = opts?.axes;
  x = asTensor(x, 'transpose()', 'x');
  const nd = x.ndim;
  const p = perm ? perm.map((a) => (a < 0 ? a + nd : a)) : Array.from({ length: nd }, (_, i) => nd - 1 - i);
  if (p.length !== nd || new Set(p).size !== nd || p.some((a) => !Number.isInteger(a) || a < 0 || a >= nd)) {
    throw new ShapeError(`transpose(): option axes ${JSON.stringify(perm)} is not a permutation of the ${nd} axes of ${formatShape(x.shape)}`);
  }
  if (p.every((a, i) => a === i)) return x;
  return bind(transposeDef, [x], { perm: p });
}

/** Swaps the last two axes (matrix transpose of a batch). */
export function matrixTranspose(x: TensorLike): Tensor {
  x = asTensor(x, 'matrixTranspose()', 'x');
  const nd = x.ndim;
  if (nd < 2) throw new ShapeError(`matrixTranspose(): needs at least 2 dimensions, got ${formatShape(x.shape)}`);
  const p = Array.from({ length: nd }, (_, i) => i);
  p[nd - 1] = nd - 2;
  p[nd - 2] = nd - 1;
  return transpose(x, { axes: p });
}

/** A zero tensor with x's shape (constant). */
export function zerosLike(x: TensorLike): Tensor {
  x = asTensor(x, 'zerosLike()', 'x');
  return new ConcreteTensor(new Float64Array(x.size), [...x.shape]);
}
/** A ones tensor with x's shape (constant). */
export function onesLike(x: TensorLike): Tensor {
  x = asTensor(x, 'onesLike()', 'x');
  return new ConcreteTensor(new Float64Array(x.size).fill(1), [...x.shape]);
}
