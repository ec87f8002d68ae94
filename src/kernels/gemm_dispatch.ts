/**
 * @file Offset-aware matrix-product entry used by the matmul primitive:
 * C[oc..] = A[oa..] (m×k) · B[ob..] (k×n), all row-major and contiguous.
 * `transA`/`transB` read A (k×m) / B (n×k) transposed without copying. Matrix-vector products go
 * to gemv, everything else to gemmStrided (which picks the WebAssembly SIMD kernel or the
 * TypeScript one). `gemmBatchedKernel` serves the batched (broadcast) matmul, `gemmBiasKernel`
 * the dense layer (the product with its bias row added in gemm's write-back).
 */
import { gemmStrided, gemv } from './blas.js';

export function gemmKernel(m: number, n: number, k: number, A: Float64Array, oa: number, B: Float64Array, ob: number, C: Float64Array, oc: number, transA = false, transB = false): void {
  const view = (X: Float64Array, off: number, len: number) => (off === 0 && X.length === len ? X : X.subarray(off, off + len));
  if (n === 1 && !transB) {
    // C (m) = op(A) b: one gemv (row blocking), not the packed gemm
    gemv(transA, transA ? k : m, transA ? m : k, 1, view(A, oa, m * k), view(B, ob, k), 0, view(C, oc, m));
    return;
  }
  if (m === 1 && !transA) {
    // C (1×n) = a op(B) = op(B)ᵀ a
    gemv(!transB, transB ? n : k, transB ? k : n, 1, view(B, ob, k * n), view(A, oa, k), 0, view(C, oc, n));
    return;
  }
  gemmStrided(transA, transB, m, n, k, 1, A, oa, transA ? m : k, B, ob, transB ? k : n, 0, C, oc, n);
}

/**
 * Batched product for the matmul primitive: for t < nb, C[t] (m×n, at oc + t·m·n) = op(A[ia[t]])
 * · op(B[ib[t]]) where A[s] starts at s·m·k and B[s] at s·k·n (`ia`/`ib` null: the operand is one
 * matrix shared by every batch entry). When B is shared and the A batches are consecutive
 * untransposed blocks, the whole batch is one (nb·m)×k · k×n product: one packing of B, one large
 * gemm (which the thread pool can split), instead of nb small ones; results agree to rounding.
 *
 * @example
 * // 3 batches of 2×4 times one 4×5 matrix: one 6×4 · 4×5 gemm
 * gemmBatchedKernel(3, 2, 5, 4, A, null, B, null, C, false, false);
 */
export function gemmBatchedKernel(
  nb: number, m: number, n: number, k: number,
  A: Float64Array, ia: ArrayLike<number> | null, B: Float64Array, ib: ArrayLike<number> | null,
  C: Float64Array, transA = false, transB = false,
): void {
  if (nb > 1 && ib === null && !transA && ia !== null && isIdentity(ia, nb)) {
    gemmKernel(nb * m, n, k, A, 0, B, 0, C, 0, false, transB);
    return;
  }
  for (let t = 0; t < nb; t++) {
    gemmKernel(m, n, k, A, (ia ? ia[t]! : 0) * m * k, B, (ib ? ib[t]! : 0) * k * n, C, t * m * n, transA, transB);
  }
}

function isIdentity(ia: ArrayLike<number>, nb: number): boolean {
  for (let t = 0; t < nb; t++) if (ia[t] !== t) return false;
  return true;
}

/**
 * The dense layer's product with its bias: C (m×n) = A (m×k) · B (k×n) + bias (a row of n,
 * added to every row), all row-major and contiguous. The bias is added in gemm's write-back (no
 * separate pass); the bits are those of `gemmKernel` followed by a broadcast add, on every backend
 * and thread count. C is overwritten.
 *
 * @example
 * gemmBiasKernel(128, 256, 784, x, W, b, y); // y = x·W + b
 */
export function gemmBiasKernel(m: number, n: number, k: number, A: Float64Array, B: Float64Array, bias: Float64Array, C: Float64Array): void {
  if (n === 1 || m === 1) {
    // the gemv paths of gemmKernel, then the add
    gemmKernel(m, n, k, A, 0, B, 0, C, 0);
    for (let i = 0, o = 0; i < m; i++, o += n) for (let j = 0; j < n; j++) C[o + j] = C[o + j]! + bias[j]!;
    return;
  }
  gemmStrided(false, false, m, n, k, 1, A, 0, k, B, 0, n, 0, C, 0, n, bias, 0);
}
