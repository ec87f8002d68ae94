/**
 * @file Offset-aware matrix-product entry used by the matmul primitive:
 * C[oc..] = A[oa..] (m×k) · B[ob..] (k×n), all row-major and contiguous.
 * `transA`/`transB` read A (k×m) / B (n×k) transposed without copying. Matrix-vector products go
 * to gemv, everything else to gemmStrided (which picks the WebAssembly SIMD kernel or the
 * TypeScript one). `gemmBatchedKernel` serves the batched (broadcast) matmul, `gemmBiasKernel`
 * the dense layer (the product with its bias row added in gemm's write-back). `syrkUpper` serves
 * the Gram matrices (the upper triangle of A·Aᵀ, one triangular kernel job).
 */
import { ShapeError } from '../core/errors.js';
import { gemmStrided, gemv } from './blas.js';
import { useWasm } from './engine.js';
import { syrkUpperWasm } from './gemm_wasm.js';

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

/** Block-row height of `syrkUpper`'s fallback through `gemmStrided` (round cv7: 64 was best). */
const SYRK_BLOCK = 64;

/**
 * The upper triangle (j ≥ i, diagonal included) of C = A·Aᵀ for A m×k row-major (offset `oa`, row
 * stride `lda`) into C (offset `oc`, row stride `ldc`; m×m), the Gram matrix of the rows of A.
 * With the WebAssembly backend: one job of the triangular kernel (gemm_wasm.ts `syrkUpperWasm`: A
 * packed once, only the 4×4 tiles on or above the diagonal, the bits of the NT gemm on every thread
 * count). Otherwise (backend 'js', or a kernel memory too small) block rows of `SYRK_BLOCK` through
 * `gemmStrided` (rows a0.. of C against columns a0..m); those also write the entries below the
 * diagonal inside the diagonal blocks. Entries below the diagonal are otherwise left as they were.
 *
 * @example
 * // G = XᵀX (upper) of a column-major n×p matrix X: rows of A = columns of X
 * syrkUpper(p, n, X, 0, n, G, 0, p);
 */
export function syrkUpper(m: number, k: number, A: Float64Array, oa: number, lda: number, C: Float64Array, oc: number, ldc: number): void {
  if (m === 0) return;
  if (k > 0 && lda < k) throw new ShapeError(`syrkUpper: lda = ${lda} is smaller than k = ${k}`);
  if (ldc < m) throw new ShapeError(`syrkUpper: ldc = ${ldc} is smaller than m = ${m}`);
  if (oa + (m - 1) * lda + k > A.length) throw new ShapeError(`syrkUpper: A (${A.length} entries) is too short for ${m}×${k} at offset ${oa}, lda ${lda}`);
  if (oc + (m - 1) * ldc + m > C.length) throw new ShapeError(`syrkUpper: C (${C.length} entries) is too short for ${m}×${m} at offset ${oc}, ldc ${ldc}`);
  if (k > 0 && useWasm() && syrkUpperWasm(m, k, A, oa, lda, C, oc, ldc)) return;
  for (let a0 = 0; a0 < m; a0 += SYRK_BLOCK) {
    const rows = Math.min(SYRK_BLOCK, m - a0);
    gemmStrided(false, true, rows, m - a0, k, 1, A, oa + a0 * lda, lda, A, oa + a0 * lda, lda, 0, C, oc + a0 * ldc + a0, ldc);
  }
}
