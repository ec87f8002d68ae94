/**
 * @file Offset-aware matrix-product entry used by the matmul primitive:
 * C[oc..] = A[oa..] (m×k) · B[ob..] (k×n), all row-major and contiguous.
 * `transA`/`transB` read A (k×m) / B (n×k) transposed without copying. Matrix-vector products go
 * to gemv, everything else to the tiled gemm (which has its own small-size path).
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
