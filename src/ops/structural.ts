/**
 * @file Matrix-structure composites built on `take` / `scatterAdd` / broadcasting: outer, diag
 * (vector ↔ diagonal matrix, with an offset), trace — plus the `fullLike` constant.
 *
 *   outer(a, b)_{ij} = aᵢ bⱼ                        ∂/∂a = ȳ b,  ∂/∂b = ȳᵀ a
 *   diag(v, k)_{i, i+k} = vᵢ  (scatterAdd into the flattened matrix; VJP: gather the diagonal)
 *   diag(A, k)ᵢ = A_{i, i+k}  (take on the flattened matrix;       VJP: scatter onto the diagonal)
 *   trace(A, k) = Σᵢ A_{i, i+k}                      ∂/∂A = the offset-k identity
 */
import { InvalidArgumentError, ShapeError } from '../core/errors.js';
import { checkOptions } from '../core/options.js';
import { ConcreteTensor, formatShape, type Tensor } from '../core/tensor.js';
import { mul } from './arithmetic.js';
import { scatterAdd, take } from './indexing.js';
import { sum } from './reduce.js';
import { reshape } from './shape.js';
import { asTensor, type TensorLike } from './convert.js';

/**
 * Outer product: `outer(a, b)[i, j] = a[i]·b[j]`. Inputs of any shape are flattened first (NumPy
 * semantics); the result is `[a.size, b.size]`.
 *
 * @example
 * outer(tensor([1, 2]), tensor([3, 4, 5])) // [[3, 4, 5], [6, 8, 10]]
 */
export function outer(a: TensorLike, b: TensorLike): Tensor {
  a = asTensor(a, 'outer()', 'a');
  b = asTensor(b, 'outer()', 'b');
  return mul(reshape(a, [a.size, 1]), reshape(b, [1, b.size]));
}

/** Options of `diag` and `trace`. */
export interface DiagonalOptions {
  /** Diagonal offset: k > 0 above the main diagonal, k < 0 below. Default 0. */
  k?: number;
}

/** The offset option `k` of the public function `where` (default 0), checked to be an integer. */
function diagonalOffset(opts: DiagonalOptions | undefined, where: string): number {
  checkOptions(opts, ['k'], where);
  const k = opts?.k ?? 0;
  if (!Number.isInteger(k)) throw new InvalidArgumentError(`${where}: option k (diagonal offset) must be an integer, got ${k}`);
  return k;
}

/** Flat positions of the offset-k diagonal of an R×C matrix. */
function diagonalPositions(R: number, C: number, k: number): Int32Array {
  const r0 = Math.max(-k, 0);
  const c0 = Math.max(k, 0);
  const len = Math.max(0, Math.min(R - r0, C - c0));
  const pos = new Int32Array(len);
  for (let i = 0; i < len; i++) pos[i] = (r0 + i) * C + c0 + i;
  return pos;
}

/**
 * NumPy-style `diag`: for a vector v of length n, the (n + |k|)² matrix with v on the k-th
 * diagonal (k > 0 above the main diagonal, k < 0 below); for a matrix, its k-th diagonal as a
 * vector (rectangular matrices allowed). Other ranks throw `ShapeError`.
 *
 * @example
 * diag(tensor([1, 2]))                 // [[1, 0], [0, 2]]
 * diag(tensor([[1, 2], [3, 4]]))       // [1, 4]
 * diag(tensor([[1, 2], [3, 4]]), { k: 1 }) // [2]
 */
export function diag(x: TensorLike, opts?: DiagonalOptions): Tensor {
  const k = diagonalOffset(opts, 'diag()');
  x = asTensor(x, 'diag()', 'x');
  if (x.ndim === 1) {
    const N = x.shape[0]! + Math.abs(k);
    return reshape(scatterAdd(x, diagonalPositions(N, N, k), { dimSize: N * N }), [N, N]);
  }
  if (x.ndim === 2) {
    return take(reshape(x, [x.size]), diagonalPositions(x.shape[0]!, x.shape[1]!, k));
  }
  throw new ShapeError(`diag(): needs a vector or a matrix, got shape ${formatShape(x.shape)}`);
}

/**
 * Sum of the k-th diagonal of a matrix (rectangular allowed): Σᵢ A[i, i + k]. Gradient: ones on
 * that diagonal.
 *
 * @example
 * trace(tensor([[1, 2], [3, 4]]))          // 5
 * trace(tensor([[1, 2], [3, 4]]), { k: -1 }) // 3
 */
export function trace(A: TensorLike, opts?: DiagonalOptions): Tensor {
  const k = diagonalOffset(opts, 'trace()');
  A = asTensor(A, 'trace()', 'A');
  if (A.ndim !== 2) throw new ShapeError(`trace(): needs a matrix, got shape ${formatShape(A.shape)}`);
  return sum(diag(A, { k }));
}

/**
 * A constant tensor with x's shape, filled with `value` (no derivative; see also `zerosLike`,
 * `onesLike`).
 *
 * @example
 * fullLike(tensor([[1, 2]]), 7) // [[7, 7]]
 */
export function fullLike(x: TensorLike, value: number): Tensor {
  x = asTensor(x, 'fullLike()', 'x');
  return new ConcreteTensor(new Float64Array(x.size).fill(value), [...x.shape]);
}
