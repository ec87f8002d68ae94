/**
 * @file Offset-aware matrix-product entry used by the matmul primitive:
 * C[oc..] = A[oa..] (m×k) · B[ob..] (k×n), all row-major and contiguous.
 * Small products use a direct loop; larger ones go to the tiled gemm.
 */
import { gemmStrided } from './blas.js';

export function gemmKernel(m: number, n: number, k: number, A: Float64Array, oa: number, B: Float64Array, ob: number, C: Float64Array, oc: number): void {
  if (n === 1) {
    // matrix-vector: one dot product per row (B is a contiguous column of length k)
    for (let i = 0; i < m; i++) {
      const ai = oa + i * k;
      let s0 = 0, s1 = 0;
      let p = 0;
      for (; p + 1 < k; p += 2) {
        s0 += A[ai + p]! * B[ob + p]!;
        s1 += A[ai + p + 1]! * B[ob + p + 1]!;
      }
      if (p < k) s0 += A[ai + p]! * B[ob + p]!;
      C[oc + i] = s0 + s1;
    }
    return;
  }
  if (m * n * k <= 4096 || m === 1) {
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
