/**
 * @file Level-1 BLAS-style kernels on `Float64Array`s with stdlib-like strided signatures
 * `(n, x, strideX, offsetX, ...)` where it matters, and simple contiguous variants for the hot
 * loops. Level-2/3 kernels (gemv, gemm) live beside them.
 */
import { ShapeError } from '../core/errors.js';
import { useWasm } from './engine.js';
import { gemmWasm } from './gemm_wasm.js';

/** Σ x[i]·y[i] over the first n entries (contiguous). Four accumulators for ILP. */
export function dot(n: number, x: Float64Array, y: Float64Array): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    s0 += x[i]! * y[i]!;
    s1 += x[i + 1]! * y[i + 1]!;
    s2 += x[i + 2]! * y[i + 2]!;
    s3 += x[i + 3]! * y[i + 3]!;
  }
  for (; i < n; i++) s0 += x[i]! * y[i]!;
  return s0 + s1 + s2 + s3;
}

/** Strided dot: Σ x[ox + i·sx]·y[oy + i·sy]. */
export function dotStrided(n: number, x: Float64Array, sx: number, ox: number, y: Float64Array, sy: number, oy: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += x[ox + i * sx]! * y[oy + i * sy]!;
  return s;
}

/** y ← y + a·x over the first n entries. */
export function axpy(n: number, a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < n; i++) y[i] += a * x[i]!;
}

/** x ← a·x. */
export function scal(n: number, a: number, x: Float64Array): void {
  for (let i = 0; i < n; i++) x[i] *= a;
}

/** Euclidean norm with scaling to avoid overflow/underflow (LAPACK dnrm2 style). */
export function nrm2(n: number, x: Float64Array): number {
  let scale = 0;
  let ssq = 1;
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    if (v !== 0) {
      const a = Math.abs(v);
      if (scale < a) {
        const r = scale / a;
        ssq = 1 + ssq * r * r;
        scale = a;
      } else {
        const r = a / scale;
        ssq += r * r;
      }
    }
  }
  return scale * Math.sqrt(ssq);
}

/** max |x[i]|. */
export function amax(n: number, x: Float64Array): number {
  let m = 0;
  for (let i = 0; i < n; i++) {
    const a = Math.abs(x[i]!);
    if (a > m) m = a;
  }
  return m;
}

// ---------------------------------------------------------------------------------------------
// Level 2
// ---------------------------------------------------------------------------------------------

/** Throws `ShapeError` unless `arr` holds the rows×cols block at `off` with row stride `ld`. O(1). */
function checkOperand(fn: string, what: string, arr: Float64Array, off: number, rows: number, cols: number, ld: number): void {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new ShapeError(`${fn}: invalid dimensions ${rows}×${cols} for ${what}`);
  }
  if (rows === 0 || cols === 0) return;
  if (ld < cols || off < 0 || off + (rows - 1) * ld + cols > arr.length) {
    throw new ShapeError(
      `${fn}: ${what} (${arr.length} entries) does not hold a ${rows}×${cols} block at offset ${off} with leading dimension ${ld}`,
    );
  }
}

/**
 * General matrix–vector product `y ← α·op(A)·x + β·y` with `A` row-major m×n and
 * `op(A) = A` (then x has length n, y length m) or `op(A) = Aᵀ` (`trans = true`: x has length m,
 * y length n). As in reference BLAS, `β = 0` overwrites `y` without reading it (NaNs in `y` do
 * not propagate). Arrays may be longer than needed; too short ones throw `ShapeError`.
 *
 * @example
 * const A = Float64Array.of(1, 2, 3, 4, 5, 6); // 2×3
 * const y = new Float64Array(2);
 * gemv(false, 2, 3, 1, A, Float64Array.of(1, 1, 1), 0, y); // y = [6, 15]
 */
export function gemv(
  trans: boolean,
  m: number,
  n: number,
  alpha: number,
  A: Float64Array,
  x: Float64Array,
  beta: number,
  y: Float64Array,
): void {
  const ylen = trans ? n : m;
  checkOperand('gemv', 'A', A, 0, m, n, n);
  checkOperand('gemv', 'x', x, 0, 1, trans ? m : n, trans ? m : n);
  checkOperand('gemv', 'y', y, 0, 1, ylen, ylen);
  if (beta === 0) y.fill(0, 0, ylen);
  else if (beta !== 1) for (let i = 0; i < ylen; i++) y[i] *= beta;
  if (alpha === 0 || m === 0 || n === 0) return;

  if (!trans) {
    // y[i] += α · (row i of A) · x, four rows at a time so each x[j] load feeds four FMAs.
    let i = 0;
    for (; i + 3 < m; i += 4) {
      const r0 = i * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let j = 0; j < n; j++) {
        const xj = x[j]!;
        s0 += A[r0 + j]! * xj;
        s1 += A[r1 + j]! * xj;
        s2 += A[r2 + j]! * xj;
        s3 += A[r3 + j]! * xj;
      }
      y[i] += alpha * s0;
      y[i + 1] += alpha * s1;
      y[i + 2] += alpha * s2;
      y[i + 3] += alpha * s3;
    }
    for (; i < m; i++) {
      const r = i * n;
      let s0 = 0, s1 = 0;
      let j = 0;
      for (; j + 1 < n; j += 2) {
        s0 += A[r + j]! * x[j]!;
        s1 += A[r + j + 1]! * x[j + 1]!;
      }
      if (j < n) s0 += A[r + j]! * x[j]!;
      y[i] += alpha * (s0 + s1);
    }
  } else {
    // y += α · Σ_i x[i] · (row i of A): contiguous row axpys, four rows per pass over y.
    let i = 0;
    for (; i + 3 < m; i += 4) {
      const r0 = i * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n;
      const a0 = alpha * x[i]!, a1 = alpha * x[i + 1]!, a2 = alpha * x[i + 2]!, a3 = alpha * x[i + 3]!;
      for (let j = 0; j < n; j++) {
        y[j] += a0 * A[r0 + j]! + a1 * A[r1 + j]! + a2 * A[r2 + j]! + a3 * A[r3 + j]!;
      }
    }
    for (; i < m; i++) {
      const r = i * n;
      const a = alpha * x[i]!;
      if (a === 0) continue;
      for (let j = 0; j < n; j++) y[j] += a * A[r + j]!;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Level 3
// ---------------------------------------------------------------------------------------------

/** Micro-tile height (rows of C per micro-kernel call). */
const MR = 4;
/** Micro-tile width (columns of C per micro-kernel call). */
const NR = 4;
/** Depth of a packed panel (k-block): an MR×KC panel of A plus a KC×NR panel of B stay in L1. */
const KC = 256;
/** Rows of A packed per block: MC×KC doubles (256 KiB at 128×256) sized for L2. */
const MC = 128;
/** Columns of B packed per block: KC×NC doubles. */
const NC = 1024;
/** From this many multiply-adds on, gemm takes the WebAssembly SIMD kernel (when the backend allows). */
const WASM_MIN_GEMM = 16 * 16 * 16;
/** Below this many multiply-adds packing does not pay off and a plain loop is used. */
const SMALL_GEMM = 8 * 8 * 8;

// Packing buffers, grown on demand and reused across calls (gemm never re-enters itself).
let packA = new Float64Array(MC * KC);
let packB = new Float64Array(KC * NC);

/**
 * Packs `α·op(A)[i0:i0+mc, p0:p0+kc]` into MR-row panels: panel `ip` holds, for each p, the MR
 * values `op(A)[i0+ip·MR+ii, p0+p]` contiguously. Rows past `mc` are zero-padded.
 */
function packPanelA(
  transA: boolean, A: Float64Array, offA: number, lda: number,
  i0: number, mc: number, p0: number, kc: number, alpha: number, dst: Float64Array,
): void {
  let d = 0;
  for (let ip = 0; ip < mc; ip += MR) {
    const rows = Math.min(MR, mc - ip);
    if (!transA) {
      // op(A)[i, p] = A[i·lda + p]
      if (rows === MR) {
        const b0 = offA + (i0 + ip) * lda + p0, b1 = b0 + lda, b2 = b1 + lda, b3 = b2 + lda;
        for (let p = 0; p < kc; p++, d += MR) {
          dst[d] = alpha * A[b0 + p]!;
          dst[d + 1] = alpha * A[b1 + p]!;
          dst[d + 2] = alpha * A[b2 + p]!;
          dst[d + 3] = alpha * A[b3 + p]!;
        }
      } else {
        for (let p = 0; p < kc; p++, d += MR) {
          for (let ii = 0; ii < MR; ii++) dst[d + ii] = ii < rows ? alpha * A[offA + (i0 + ip + ii) * lda + p0 + p]! : 0;
        }
      }
    } else {
      // op(A)[i, p] = A[p·lda + i]: MR consecutive entries of one stored row
      for (let p = 0; p < kc; p++, d += MR) {
        const b = offA + (p0 + p) * lda + i0 + ip;
        if (rows === MR) {
          dst[d] = alpha * A[b]!;
          dst[d + 1] = alpha * A[b + 1]!;
          dst[d + 2] = alpha * A[b + 2]!;
          dst[d + 3] = alpha * A[b + 3]!;
        } else {
          for (let ii = 0; ii < MR; ii++) dst[d + ii] = ii < rows ? alpha * A[b + ii]! : 0;
        }
      }
    }
  }
}

/**
 * Packs `op(B)[p0:p0+kc, j0:j0+nc]` into NR-column panels: panel `jp` holds, for each p, the NR
 * values `op(B)[p0+p, j0+jp·NR+jj]` contiguously. Columns past `nc` are zero-padded.
 */
function packPanelB(
  transB: boolean, B: Float64Array, offB: number, ldb: number,
  p0: number, kc: number, j0: number, nc: number, dst: Float64Array,
): void {
  let d = 0;
  for (let jp = 0; jp < nc; jp += NR) {
    const cols = Math.min(NR, nc - jp);
    if (!transB) {
      // op(B)[p, j] = B[p·ldb + j]: NR consecutive entries of one stored row
      for (let p = 0; p < kc; p++, d += NR) {
        const b = offB + (p0 + p) * ldb + j0 + jp;
        if (cols === NR) {
          dst[d] = B[b]!;
          dst[d + 1] = B[b + 1]!;
          dst[d + 2] = B[b + 2]!;
          dst[d + 3] = B[b + 3]!;
        } else {
          for (let jj = 0; jj < NR; jj++) dst[d + jj] = jj < cols ? B[b + jj]! : 0;
        }
      }
    } else {
      // op(B)[p, j] = B[j·ldb + p]
      if (cols === NR) {
        const b0 = offB + (j0 + jp) * ldb + p0, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
        for (let p = 0; p < kc; p++, d += NR) {
          dst[d] = B[b0 + p]!;
          dst[d + 1] = B[b1 + p]!;
          dst[d + 2] = B[b2 + p]!;
          dst[d + 3] = B[b3 + p]!;
        }
      } else {
        for (let p = 0; p < kc; p++, d += NR) {
          for (let jj = 0; jj < NR; jj++) dst[d + jj] = jj < cols ? B[offB + (j0 + jp + jj) * ldb + p0 + p]! : 0;
        }
      }
    }
  }
}

/**
 * The 4×4 register-tiled micro-kernel: C[tile] += Ap(4×kc) · Bp(kc×4) with both panels packed.
 * Sixteen scalar accumulators stay in registers; each step loads 4 + 4 values for 16 FMAs.
 * `rows`/`cols` (≤ 4) clip the write-back at the edges of C.
 */
function microKernel4x4(
  kc: number, Ap: Float64Array, aOff: number, Bp: Float64Array, bOff: number,
  C: Float64Array, cOff: number, ldc: number, rows: number, cols: number,
): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  let a = aOff, b = bOff;
  for (let p = 0; p < kc; p++, a += 4, b += 4) {
    const a0 = Ap[a]!, a1 = Ap[a + 1]!, a2 = Ap[a + 2]!, a3 = Ap[a + 3]!;
    const b0 = Bp[b]!, b1 = Bp[b + 1]!, b2 = Bp[b + 2]!, b3 = Bp[b + 3]!;
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
  }
  if (rows === 4 && cols === 4) {
    let c = cOff;
    C[c] += c00; C[c + 1] += c01; C[c + 2] += c02; C[c + 3] += c03; c += ldc;
    C[c] += c10; C[c + 1] += c11; C[c + 2] += c12; C[c + 3] += c13; c += ldc;
    C[c] += c20; C[c + 1] += c21; C[c + 2] += c22; C[c + 3] += c23; c += ldc;
    C[c] += c30; C[c + 1] += c31; C[c + 2] += c32; C[c + 3] += c33;
    return;
  }
  // edge tile: write back only the rows × cols part that lies inside C; the four calls run for
  // every edge tile (0 columns for a row outside C): a call under `rows > 2`, first reached by
  // optimised code at a later tile, cost a deoptimisation per process (issue 12, round proc2)
  addRow(C, cOff, cols, c00, c01, c02, c03);
  addRow(C, cOff + ldc, rows > 1 ? cols : 0, c10, c11, c12, c13);
  addRow(C, cOff + 2 * ldc, rows > 2 ? cols : 0, c20, c21, c22, c23);
  addRow(C, cOff + 3 * ldc, rows > 3 ? cols : 0, c30, c31, c32, c33);
}

/** C[off .. off+cols) += (v0, v1, v2, v3)[0 .. cols) (nothing for cols = 0). */
function addRow(C: Float64Array, off: number, cols: number, v0: number, v1: number, v2: number, v3: number): void {
  if (cols > 0) C[off] += v0;
  if (cols > 1) C[off + 1] += v1;
  if (cols > 2) C[off + 2] += v2;
  if (cols > 3) C[off + 3] += v3;
}

/**
 * General matrix–matrix product `C ← α·op(A)·op(B) + β·C`, all row-major, `C` m×n,
 * `op(A)` m×k and `op(B)` k×n. `op(A) = A` is stored m×k, `op(A) = Aᵀ` (`transA`) is stored k×m;
 * likewise `B` is stored k×n, or n×k when `transB`. `β = 0` overwrites `C` without reading it.
 * Arrays may be longer than needed; too short ones throw `ShapeError`.
 *
 * Implementation: GotoBLAS-style blocking. B is packed into KC×NC blocks of 4-column panels, A into
 * MC×KC blocks of 4-row panels (α folded in, transposes resolved while packing), and a 4×4
 * register-tiled micro-kernel accumulates each tile of C. Tiny products take a plain loop.
 *
 * @example
 * const A = Float64Array.of(1, 2, 3, 4);          // 2×2
 * const B = Float64Array.of(5, 6, 7, 8);          // 2×2
 * const C = new Float64Array(4);
 * gemm(false, false, 2, 2, 2, 1, A, B, 0, C);     // C = [19, 22, 43, 50]
 */
export function gemm(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  A: Float64Array,
  B: Float64Array,
  beta: number,
  C: Float64Array,
): void {
  gemmStrided(transA, transB, m, n, k, alpha, A, 0, transA ? m : k, B, 0, transB ? k : n, beta, C, 0, n);
}

/**
 * {@link gemm} on sub-matrices: each operand is given by its array, the flat offset of its
 * (0, 0) entry and its leading dimension (row stride, ≥ its stored column count). Lets blocked
 * factorizations update a block of a larger matrix in place. `C` must not overlap the parts of
 * `A` and `B` that are read (they may be disjoint blocks of the same array).
 *
 * @example
 * // Trailing update of a 4×4 matrix M: M[2:4, 2:4] −= M[2:4, 0:2] · M[0:2, 2:4]
 * gemmStrided(false, false, 2, 2, 2, -1, M, 8, 4, M, 2, 4, 1, M, 10, 4);
 *
 * With `bias` (the dense layer's epilogue) the row `bias[offBias .. offBias + n]` is added to
 * every row of the result: C[i, j] = (α·op(A)·op(B) + β·C)[i, j] + bias[j], in the write-back pass
 * of the WebAssembly kernel (in a pass after the TypeScript gemm), with the bits of the product
 * followed by a separate broadcast add.
 */
export function gemmStrided(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  A: Float64Array,
  offA: number,
  lda: number,
  B: Float64Array,
  offB: number,
  ldb: number,
  beta: number,
  C: Float64Array,
  offC: number,
  ldc: number,
  bias: Float64Array | null = null,
  offBias = 0,
): void {
  checkOperand('gemm', 'A', A, offA, transA ? k : m, transA ? m : k, lda);
  checkOperand('gemm', 'B', B, offB, transB ? n : k, transB ? k : n, ldb);
  checkOperand('gemm', 'C', C, offC, m, n, ldc);
  if (bias !== null) checkOperand('gemm', 'bias', bias, offBias, 1, n, n);
  if (alpha !== 0 && k > 0 && m * n * k >= WASM_MIN_GEMM && useWasm()) {
    // WebAssembly SIMD kernel (gemm_wasm.ts); false when its memory cannot hold the operands
    if (gemmWasm(transA, transB, m, n, k, alpha, A, offA, lda, B, offB, ldb, beta, C, offC, ldc, bias, offBias)) return;
  }
  gemmStridedJs(transA, transB, m, n, k, alpha, A, offA, lda, B, offB, ldb, beta, C, offC, ldc);
  if (bias !== null) {
    for (let i = 0; i < m; i++) {
      const c = offC + i * ldc;
      for (let j = 0; j < n; j++) C[c + j] = C[c + j]! + bias[offBias + j]!;
    }
  }
}

/**
 * The TypeScript gemm (the reference of the WebAssembly kernel and the fallback without SIMD):
 * {@link gemmStrided} without validation and without backend dispatch.
 *
 * @example
 * gemmStridedJs(false, false, 2, 2, 2, 1, A, 0, 2, B, 0, 2, 0, C, 0, 2);
 */
export function gemmStridedJs(
  transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
  A: Float64Array, offA: number, lda: number, B: Float64Array, offB: number, ldb: number,
  beta: number, C: Float64Array, offC: number, ldc: number,
): void {
  if (beta !== 1) {
    for (let i = 0; i < m; i++) {
      const c = offC + i * ldc;
      if (beta === 0) C.fill(0, c, c + n);
      else for (let j = 0; j < n; j++) C[c + j] *= beta;
    }
  }
  if (alpha === 0 || m === 0 || n === 0 || k === 0) return;

  if (m * n * k <= SMALL_GEMM) {
    // C[i, :] += Σ_p α·op(A)[i, p] · op(B)[p, :]
    for (let i = 0; i < m; i++) {
      const ci = offC + i * ldc;
      for (let p = 0; p < k; p++) {
        const a = alpha * (transA ? A[offA + p * lda + i]! : A[offA + i * lda + p]!);
        if (a === 0) continue;
        if (!transB) {
          const bp = offB + p * ldb;
          for (let j = 0; j < n; j++) C[ci + j] += a * B[bp + j]!;
        } else {
          for (let j = 0; j < n; j++) C[ci + j] += a * B[offB + j * ldb + p]!;
        }
      }
    }
    return;
  }

  const ncMax = Math.min(NC, roundUp(n, NR));
  const kcMax = Math.min(KC, k);
  const mcMax = Math.min(MC, roundUp(m, MR));
  if (packB.length < kcMax * ncMax) packB = new Float64Array(kcMax * ncMax);
  if (packA.length < mcMax * kcMax) packA = new Float64Array(mcMax * kcMax);
  const Ap = packA, Bp = packB;

  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      packPanelB(transB, B, offB, ldb, pc, kc, jc, nc, Bp);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        packPanelA(transA, A, offA, lda, ic, mc, pc, kc, alpha, Ap);
        for (let jr = 0; jr < nc; jr += NR) {
          const cols = Math.min(NR, nc - jr);
          const bOff = jr * kc; // panel jr/NR starts at (jr/NR)·kc·NR
          for (let ir = 0; ir < mc; ir += MR) {
            const rows = Math.min(MR, mc - ir);
            microKernel4x4(kc, Ap, ir * kc, Bp, bOff, C, offC + (ic + ir) * ldc + jc + jr, ldc, rows, cols);
          }
        }
      }
    }
  }
}

function roundUp(x: number, q: number): number {
  return Math.ceil(x / q) * q;
}

/**
 * Convenience product of row-major `A` (m×k) and `B` (k×n) into a fresh m×n array.
 *
 * @example
 * matmul(Float64Array.of(1, 2, 3, 4), Float64Array.of(1, 0, 0, 1), 2, 2, 2); // [1, 2, 3, 4]
 */
export function matmul(A: Float64Array, B: Float64Array, m: number, k: number, n: number): Float64Array {
  const C = new Float64Array(m * n);
  gemm(false, false, m, n, k, 1, A, B, 0, C);
  return C;
}
