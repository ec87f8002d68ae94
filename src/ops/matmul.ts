/**
 * @file Matrix multiplication with NumPy semantics: 1-D operands are promoted (and the added axis
 * removed afterwards), leading batch dimensions broadcast.
 */
import { broadcastIndexMap, broadcastShapes } from '../core/broadcast.js';
import { ShapeError } from '../core/errors.js';
import { ConcreteTensor, formatShape, shapeSize, type Tensor } from '../core/tensor.js';
import { gemmKernel } from '../kernels/gemm_dispatch.js';
import { Prim, type NoParams } from '../autodiff/primitives.js';
import { bind, type PrimDef } from '../autodiff/trace.js';
import { add } from './arithmetic.js';
import { sumToShape } from './convert.js';
import { matrixTranspose, reshape } from './shape.js';

const NONE: NoParams = {};

function matmulShapes(a: readonly number[], b: readonly number[]): { batch: number[]; m: number; k: number; n: number } {
  const m = a[a.length - 2]!, k = a[a.length - 1]!;
  const k2 = b[b.length - 2]!, n = b[b.length - 1]!;
  if (k !== k2) throw new ShapeError(`matmul: inner dimensions differ: ${formatShape(a)} @ ${formatShape(b)}`);
  const batch = broadcastShapes(a.slice(0, -2), b.slice(0, -2), 'matmul (batch dimensions)');
  return { batch, m, k, n };
}

export const matmulDef: PrimDef<Prim.MatMul> = {
  prim: Prim.MatMul,
  impl: ([A, B]) => {
    const a = A!, b = B!;
    const { batch, m, k, n } = matmulShapes(a.shape, b.shape);
    const nb = shapeSize(batch);
    const out = new Float64Array(nb * m * n);
    const ia = a.ndim === 2 ? null : broadcastIndexMap([...a.shape.slice(0, -2)], batch);
    const ib = b.ndim === 2 ? null : broadcastIndexMap([...b.shape.slice(0, -2)], batch);
    for (let t = 0; t < nb; t++) {
      const oa = (ia ? ia[t]! : 0) * m * k;
      const ob = (ib ? ib[t]! : 0) * k * n;
      gemmKernel(m, n, k, a.data, oa, b.data, ob, out, t * m * n);
    }
    return new ConcreteTensor(out, [...batch, m, n]);
  },
  // d(AB) = dA B + A dB
  jvp: ([a, b], [da, db]) => {
    const t1 = da ? matmul(da, b!) : null;
    const t2 = db ? matmul(a!, db) : null;
    return t1 && t2 ? add(t1, t2) : (t1 ?? t2);
  },
  // Ā = C̄ Bᵀ, B̄ = Aᵀ C̄ (summed over broadcast batch dimensions)
  vjp: (ct, [a, b], _, __, needed) => [
    needed[0] ? sumToShape(matmul(ct, matrixTranspose(b!)), a!.shape) : null,
    needed[1] ? sumToShape(matmul(matrixTranspose(a!), ct), b!.shape) : null,
  ],
};

/**
 * Matrix product with NumPy semantics (vectors promoted, batch dimensions broadcast).
 * @example matmul(eye(2), tensor([1, 2])) // [1, 2]
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.ndim === 0 || b.ndim === 0) throw new ShapeError('matmul: scalar operands are not allowed; use mul');
  const aVec = a.ndim === 1;
  const bVec = b.ndim === 1;
  const A = aVec ? reshape(a, [1, a.shape[0]!]) : a;
  const B = bVec ? reshape(b, [b.shape[0]!, 1]) : b;
  matmulShapes(A.shape, B.shape); // validate early with a clear message
  let out = bind(matmulDef, [A, B], NONE);
  if (aVec || bVec) {
    const s = out.shape.slice();
    if (bVec) s.splice(s.length - 1, 1);
    if (aVec) s.splice(s.length - (bVec ? 1 : 2), 1);
    out = reshape(out, s);
  }
  return out;
}

/** Inner product of two vectors (Σ aᵢ bᵢ). */
export function dot(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 1 || b.ndim !== 1) throw new ShapeError(`dot: needs two vectors, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  return matmul(a, b);
}
