/**
 * @file Matrix multiplication with NumPy semantics: 1-D operands are promoted (and the added axis
 * removed afterwards), leading batch dimensions broadcast. `matmulBias` (x·W + b, the dense
 * layer) is one primitive whose kernel adds the bias in gemm's write-back; its derivative rules
 * are those of matmul followed by add, written with the same ops (the same bits).
 */
import { broadcastIndexMap, broadcastShapes } from '../core/broadcast.js';
import { ShapeError } from '../core/errors.js';
import { ConcreteTensor, formatShape, shapeSize, type Tensor } from '../core/tensor.js';
import { gemmBatchedKernel, gemmBiasKernel } from '../kernels/gemm_dispatch.js';
import { Prim } from '../autodiff/primitives.js';
import { bind, type PrimDef } from '../autodiff/trace.js';
import { add } from './arithmetic.js';
import { fitTangent, sumToShape, asTensor, type TensorLike } from './convert.js';
import { reshape } from './shape.js';
import { checkOptions } from '../core/options.js';

/** Shapes of op(A)·op(B) where op swaps the last two axes when the flag is set. */
function matmulShapes(a: readonly number[], b: readonly number[], transA: boolean, transB: boolean): { batch: number[]; m: number; k: number; n: number } {
  const [m, k] = transA ? [a[a.length - 1]!, a[a.length - 2]!] : [a[a.length - 2]!, a[a.length - 1]!];
  const [k2, n] = transB ? [b[b.length - 1]!, b[b.length - 2]!] : [b[b.length - 2]!, b[b.length - 1]!];
  if (k !== k2) {
    throw new ShapeError(`matmul: inner dimensions differ: ${transA ? 'transpose ' : ''}${formatShape(a)} @ ${transB ? 'transpose ' : ''}${formatShape(b)}`);
  }
  const batch = broadcastShapes(a.slice(0, -2), b.slice(0, -2), 'matmul (batch dimensions)');
  return { batch, m, k, n };
}

export const matmulDef: PrimDef<Prim.MatMul> = {
  prim: Prim.MatMul,
  impl: ([A, B], { transA, transB }) => {
    const a = A!, b = B!;
    const { batch, m, k, n } = matmulShapes(a.shape, b.shape, transA, transB);
    const nb = shapeSize(batch);
    const out = new Float64Array(nb * m * n);
    const ia = a.ndim === 2 ? null : broadcastIndexMap([...a.shape.slice(0, -2)], batch);
    const ib = b.ndim === 2 ? null : broadcastIndexMap([...b.shape.slice(0, -2)], batch);
    gemmBatchedKernel(nb, m, n, k, a.data, ia, b.data, ib, out, transA, transB);
    return new ConcreteTensor(out, [...batch, m, n]);
  },
  // d(op(A) op(B)) = op(dA) op(B) + op(A) op(dB)
  jvp: ([a, b], [da, db], _, p) => {
    const t1 = da ? bind(matmulDef, [da, b!], p) : null;
    const t2 = db ? bind(matmulDef, [a!, db], p) : null;
    return t1 && t2 ? add(t1, t2) : (t1 ?? t2);
  },
  // C = op(A) op(B), C̄ given:
  //   A not transposed: Ā = C̄ op(B)ᵀ;   transposed: Ā = op(B) C̄ᵀ
  //   B not transposed: B̄ = op(A)ᵀ C̄;   transposed: B̄ = C̄ᵀ op(A)
  // each as one matmul with flags (no transposed copies), summed over broadcast batch dimensions.
  vjp: (ct, [a, b], _, { transA, transB }, needed) => [
    needed[0] ? sumToShape(transA ? mm(b!, ct, transB, true) : mm(ct, b!, false, !transB), a!.shape) : null,
    needed[1] ? sumToShape(transB ? mm(ct, a!, true, transA) : mm(a!, ct, !transA, false), b!.shape) : null,
  ],
};

function mm(a: Tensor, b: Tensor, transA: boolean, transB: boolean): Tensor {
  return bind(matmulDef, [a, b], { transA, transB });
}

const NN = { transA: false, transB: false } as const;

export const matmulBiasDef: PrimDef<Prim.MatMulBias> = {
  prim: Prim.MatMulBias,
  impl: ([A, B, b]) => {
    const [m, k] = A!.shape as [number, number];
    const n = B!.shape[1]!;
    const out = new Float64Array(m * n);
    gemmBiasKernel(m, n, k, A!.data, B!.data, b!.data, out);
    return new ConcreteTensor(out, [m, n]);
  },
  // d(A B + b) = (dA B + A dB) + db, in the order of matmul's rule then add's
  jvp: ([a, b], [da, db, dbias], out) => {
    const tm = matmulDef.jvp([a!, b!], [da ?? null, db ?? null], out, NN);
    return tm && dbias ? add(tm, dbias) : tm ? tm : dbias ? fitTangent(dbias, out.shape) : null;
  },
  // matmul's cotangents for A and B, add's (the sum over rows) for the bias
  vjp: (ct, [a, b, bias], out, _, needed) => {
    const [ga, gb] = needed[0] || needed[1] ? matmulDef.vjp(ct, [a!, b!], out, NN, [needed[0]!, needed[1]!]) : [null, null];
    return [ga ?? null, gb ?? null, needed[2] ? sumToShape(ct, bias!.shape) : null];
  },
};

/**
 * x·W + b for a 2-d x [m, k], a 2-d W [k, n] and a bias row b [n]: one primitive (the dense
 * layer's), the bias added in gemm's write-back instead of a separate broadcast add. Values and
 * derivatives have the bits of `add(matmul(x, W), b)`.
 *
 * @example
 * matmulBias(ones([2, 3]), ones([3, 4]), tensor([1, 2, 3, 4])); // [[4, 5, 6, 7], [4, 5, 6, 7]]
 */
export function matmulBias(x: TensorLike, w: TensorLike, b: TensorLike): Tensor {
  const X = asTensor(x, 'matmulBias()', 'x');
  const W = asTensor(w, 'matmulBias()', 'w');
  const B = asTensor(b, 'matmulBias()', 'b');
  if (X.ndim !== 2 || W.ndim !== 2 || B.ndim !== 1 || X.shape[1] !== W.shape[0] || B.shape[0] !== W.shape[1]) {
    throw new ShapeError(`matmulBias: needs x [m, k], w [k, n] and b [n], got ${formatShape(X.shape)}, ${formatShape(W.shape)} and ${formatShape(B.shape)}`);
  }
  return bind(matmulBiasDef, [X, W, B], {});
}

/** Options of `matmul`. */
export interface MatmulOptions {
  /** Use the transpose of a's last two axes (no copy). */
  transA?: boolean;
  /** Use the transpose of b's last two axes (no copy). */
  transB?: boolean;
}

/**
 * Matrix product with NumPy semantics (vectors promoted, batch dimensions broadcast), optionally
 * with either operand transposed without a copy (`matmul(X, r, { transA: true })` is Xᵀr).
 * @example matmul(eye(2), tensor([1, 2])) // [1, 2]
 */
export function matmul(a: TensorLike, b: TensorLike, opts: MatmulOptions = {}): Tensor {
  checkOptions(opts, ['transA', 'transB'], 'matmul()');
  a = asTensor(a, 'matmul()', 'a');
  b = asTensor(b, 'matmul()', 'b');
  if (a.ndim === 0 || b.ndim === 0) throw new ShapeError('matmul: scalar operands are not allowed; use mul');
  const aVec = a.ndim === 1;
  const bVec = b.ndim === 1;
  // a promoted vector is a row (or, transposed, a column): op(a) is 1×k either way
  const A = aVec ? reshape(a, opts.transA ? [a.shape[0]!, 1] : [1, a.shape[0]!]) : a;
  const B = bVec ? reshape(b, opts.transB ? [1, b.shape[0]!] : [b.shape[0]!, 1]) : b;
  const transA = opts.transA ?? false;
  const transB = opts.transB ?? false;
  matmulShapes(A.shape, B.shape, transA, transB); // validate early with a clear message
  let out = bind(matmulDef, [A, B], { transA, transB });
  if (aVec || bVec) {
    const s = out.shape.slice();
    if (bVec) s.splice(s.length - 1, 1);
    if (aVec) s.splice(s.length - (bVec ? 1 : 2), 1);
    out = reshape(out, s);
  }
  return out;
}

/** Inner product of two vectors (Σ aᵢ bᵢ). */
export function dot(a: TensorLike, b: TensorLike): Tensor {
  a = asTensor(a, 'dot()', 'a');
  b = asTensor(b, 'dot()', 'b');
  if (a.ndim !== 1 || b.ndim !== 1) throw new ShapeError(`dot: needs two vectors, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  return matmul(a, b);
}
