/**
 * @file Offset-aware matrix-product entry used by the matmul primitive:
 * C[oc..] = A[oa..] (m×k) · B[ob..] (k×n), all row-major and contiguous.
 * Small products use a direct loop; larger ones go to the tiled gemm.
 */
import { gemmStrided } from './blas.js';

export function gemmKernel(m: number, n: number, k: number, A: Float64Array, oa: number, B: Float64Array, ob: number, C: Float64Array, oc: number): void {
  if (m * n * k <= 4096) {
    for (let i = 0; i < m; i++) {
      const ci = oc + i * n;
      for (let p = 0; p < k; p++) {
        const aip = A[oa + i * k + p]!;
        if (aip === 0) continue;
        const bp = ob + p * n;
        for (let j = 0; j < n; j++) C[ci + j] += aip * B[bp + j]!;
      }
    }
    return;
  }
  gemmStrided(false, false, m, n, k, 1, A, oa, k, B, ob, n, 0, C, oc, n);
}
