/**
 * @file Matrix multiplication with NumPy semantics: 1-D operands are promoted (and the added axis
 * removed afterwards), leading batch dimensions broadcast.
 */
import { broadcastIndexMap, broadcastShapes } from '../core/broadcast.js';
import { ShapeError } from '../core/errors.js';
import { ConcreteTensor, formatShape, shapeSize, type Tensor } from '../core/tensor.js';
import { gemmBatchedKernel } from '../kernels/gemm_dispatch.js';
import { Prim } from '../autodiff/primitives.js';
import { bind, type PrimDef } from '../autodiff/trace.js';
import { add } from './arithmetic.js';
import { sumToShape, asTensor, type TensorLike } from './convert.js';
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
