/**
 * @file The WebAssembly path of gemm: packs op(A) and op(B) from their Float64Arrays (offsets,
 * leading dimensions, transposes) into the panel layout of src/kernels/wasm/gemm.wat inside the
 * kernel memory, runs the SIMD kernel (on the worker pool when the product is large), and writes
 * C ← α·T + β·C back, with an optional bias row added in the same pass (the dense layer's
 * epilogue: C[i, j] = (α·T + β·C)[i, j] + bias[j], the bits of a product followed by a separate
 * broadcast add). Because operands are copied in before C is written, C may alias A or B.
 * `syrkUpperWasm`: the symmetric product A·Aᵀ (upper triangle), A packed once as both operands.
 */
import { dropKernelMemory, ensureKernelMemory, kernelMemoryBytes } from './engine.js';
import { runGemmJob, stopPool } from './threads.js';

/** Register tile of the kernel (rows × columns of C per micro-kernel call): fixed by gemm.wat. */
const MR = 4, NR = 4;
/** k-block depth: a 4×KC panel of B (8 KiB at 256) stays in L1 while the row panels stream. */
const KC = 256;
/** Rows of C per thread chunk: the chunk's A block, CHUNK×KC doubles (128 KiB), stays in L2. */
const CHUNK = 64;
/** Products with at least this many multiply-adds go to the worker pool (below, threads cost more than they save). */
export const PARALLEL_MIN_FLOPS = 96 * 96 * 96;
/**
 * A kernel memory larger than this is dropped after the product (WebAssembly memories never
 * shrink): a one-off huge product does not pin its packed operands for the life of the process.
 * Products that need more (n ≳ 3300 square) re-allocate per call, negligible next to their flops.
 */
export const RETAIN_BYTES = 256 * 2 ** 20;

const roundUp = (x: number, q: number): number => Math.ceil(x / q) * q;

/** Packs op(A) (m×k) into k-blocks of 4-row panels at f[dst ..]; rows m..mp−1 are zero. */
function packA(transA: boolean, A: Float64Array, oa: number, lda: number, m: number, k: number, mp: number, f: Float64Array, dst: number): void {
  for (let pc = 0; pc < k; pc += KC) {
    const kb = Math.min(KC, k - pc);
    const base = dst + pc * mp;
    for (let ir = 0; ir < mp; ir += MR) {
      const d = base + ir * kb;
      const rows = Math.min(MR, m - ir);
      if (!transA && rows === MR) {
        // op(A)[i, p] = A[oa + i·lda + p]: 4 row streams read side by side, the panel written in
        // order (about 2× faster than one stream at a time with strided writes)
        const s0 = oa + ir * lda + pc, s1 = s0 + lda, s2 = s1 + lda, s3 = s2 + lda;
        for (let p = 0, o = d; p < kb; p++, o += MR) {
          f[o] = A[s0 + p]!; f[o + 1] = A[s1 + p]!; f[o + 2] = A[s2 + p]!; f[o + 3] = A[s3 + p]!;
        }
      } else if (!transA) {
        // the last, partial panel: row by row, zero padding
        for (let r = 0; r < MR; r++) {
          if (r < rows) {
            const s = oa + (ir + r) * lda + pc;
            for (let p = 0; p < kb; p++) f[d + p * MR + r] = A[s + p]!;
          } else for (let p = 0; p < kb; p++) f[d + p * MR + r] = 0;
        }
      } else if (rows === MR) {
        // op(A)[i, p] = A[oa + p·lda + i]: 4 consecutive entries per p
        for (let p = 0; p < kb; p++) {
          const s = oa + (pc + p) * lda + ir, o = d + p * MR;
          f[o] = A[s]!; f[o + 1] = A[s + 1]!; f[o + 2] = A[s + 2]!; f[o + 3] = A[s + 3]!;
        }
      } else {
        for (let p = 0; p < kb; p++) {
          const s = oa + (pc + p) * lda + ir, o = d + p * MR;
          for (let r = 0; r < MR; r++) f[o + r] = r < rows ? A[s + r]! : 0;
        }
      }
    }
  }
}

/** Packs op(B) (k×n) into k-blocks of 4-column panels at f[dst ..]; columns n..np−1 are zero. */
function packB(transB: boolean, B: Float64Array, ob: number, ldb: number, n: number, k: number, np: number, f: Float64Array, dst: number): void {
  for (let pc = 0; pc < k; pc += KC) {
    const kb = Math.min(KC, k - pc);
    const base = dst + pc * np;
    for (let jr = 0; jr < np; jr += NR) {
      const d = base + jr * kb;
      const cols = Math.min(NR, n - jr);
      if (transB && cols === NR) {
        // op(B)[p, j] = B[ob + j·ldb + p]: 4 column streams read side by side, written in order
        const s0 = ob + jr * ldb + pc, s1 = s0 + ldb, s2 = s1 + ldb, s3 = s2 + ldb;
        for (let p = 0, o = d; p < kb; p++, o += NR) {
          f[o] = B[s0 + p]!; f[o + 1] = B[s1 + p]!; f[o + 2] = B[s2 + p]!; f[o + 3] = B[s3 + p]!;
        }
      } else if (transB) {
        // the last, partial panel: column by column, zero padding
        for (let c = 0; c < NR; c++) {
          if (c < cols) {
            const s = ob + (jr + c) * ldb + pc;
            for (let p = 0; p < kb; p++) f[d + p * NR + c] = B[s + p]!;
          } else for (let p = 0; p < kb; p++) f[d + p * NR + c] = 0;
        }
      } else if (cols === NR) {
        for (let p = 0; p < kb; p++) {
          const s = ob + (pc + p) * ldb + jr, o = d + p * NR;
          f[o] = B[s]!; f[o + 1] = B[s + 1]!; f[o + 2] = B[s + 2]!; f[o + 3] = B[s + 3]!;
        }
      } else {
        for (let p = 0; p < kb; p++) {
          const s = ob + (pc + p) * ldb + jr, o = d + p * NR;
          for (let c = 0; c < NR; c++) f[o + c] = c < cols ? B[s + c]! : 0;
        }
      }
    }
  }
}

/** After a product: a kernel memory grown beyond `RETAIN_BYTES` is given back (with the pool that holds it). */
function releaseIfOversized(): void {
  if (kernelMemoryBytes() > RETAIN_BYTES) {
    stopPool();
    dropKernelMemory();
  }
}

/**
 * `C ← α·op(A)·op(B) + β·C` (+ the row `bias[bo ..]` when given) on the WebAssembly SIMD kernel;
 * arguments as `gemmStrided` (already validated, k ≥ 1, α ≠ 0, m, n ≥ 1). Returns false, touching
 * nothing, when the kernel memory cannot hold the packed operands (the caller then runs the
 * TypeScript gemm).
 */
export function gemmWasm(
  transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
  A: Float64Array, oa: number, lda: number, B: Float64Array, ob: number, ldb: number,
  beta: number, C: Float64Array, oc: number, ldc: number, bias: Float64Array | null = null, bo = 0,
): boolean {
  const mp = roundUp(m, MR), np = roundUp(n, NR);
  const aOff = 0, bOff = mp * k, cOff = bOff + np * k;
  const km = ensureKernelMemory(8 * (cOff + mp * np));
  if (km === null) return false;
  const f = km.f64;
  packA(transA, A, oa, lda, m, k, mp, f, aOff);
  packB(transB, B, ob, ldb, n, k, np, f, bOff);
  const chunk = Math.min(CHUNK, roundUp(Math.ceil(mp / 2), MR)); // ≥ 2 chunks when mp ≥ 8, so two threads can share
  runGemmJob(km, { ap: 8 * aOff, bp: 8 * bOff, cp: 8 * cOff, mp, np, k, kc: KC, chunk }, m * n * k >= PARALLEL_MIN_FLOPS);
  // C ← α·T + β·C (β = 0 overwrites without reading C, as reference BLAS)
  for (let i = 0; i < m; i++) {
    const t = cOff + i * np, c = oc + i * ldc;
    if (bias !== null) {
      // the bias epilogue: one pass, (α·T + β·C) + b_j as a product then a broadcast add would give
      if (beta === 0 && alpha === 1) for (let j = 0; j < n; j++) C[c + j] = f[t + j]! + bias[bo + j]!;
      else if (beta === 0) for (let j = 0; j < n; j++) C[c + j] = alpha * f[t + j]! + bias[bo + j]!;
      else for (let j = 0; j < n; j++) C[c + j] = alpha * f[t + j]! + beta * C[c + j]! + bias[bo + j]!;
    } else if (beta === 0) {
      if (alpha === 1) C.set(f.subarray(t, t + n), c); // a row copy (memcpy)
      else for (let j = 0; j < n; j++) C[c + j] = alpha * f[t + j]!;
    } else {
      for (let j = 0; j < n; j++) C[c + j] = alpha * f[t + j]! + beta * C[c + j]!;
    }
  }
  releaseIfOversized();
  return true;
}

/**
 * The upper triangle (j ≥ i) of C = A·Aᵀ for A m×k row-major (offset `oa`, row stride `lda`), into
 * C (offset `oc`, row stride `ldc`); entries below the diagonal are not written. A is packed once
 * and serves as both operands (its panel layout is that of op(B) = Aᵀ, packB with transB), and the
 * kernel computes only the 4×4 tiles on or above the diagonal (gemm.wat `$upper`): ≈ m²k/2
 * multiply-adds in one job, where block rows through `gemmWasm` pack the trailing columns of A once
 * per block and compute the diagonal blocks whole. Every written entry has the bits of
 * `gemmWasm(false, true, m, m, k, 1, A, oa, lda, A, oa, lda, 0, C, oc, ldc)` (same k-blocks, same
 * micro-kernel sums), for every thread count. Returns false, touching nothing, when the kernel
 * memory cannot hold the packed operand (the caller then runs its own product). k ≥ 1, m ≥ 1.
 *
 * @example
 * // G = X_bᵀX_b (upper) of a column-major nb×p block: rows of A = columns of X_b
 * syrkUpperWasm(p, nb, Xb, 0, nb, G, 0, p);
 */
export function syrkUpperWasm(m: number, k: number, A: Float64Array, oa: number, lda: number, C: Float64Array, oc: number, ldc: number): boolean {
  const mp = roundUp(m, MR);
  const aOff = 0, cOff = mp * k;
  const km = ensureKernelMemory(8 * (cOff + mp * mp));
  if (km === null) return false;
  const f = km.f64;
  packA(false, A, oa, lda, m, k, mp, f, aOff);
  // row chunks of the triangle carry unequal work (row panel ir: mp − ir columns); the threads take
  // them dynamically, so chunks of 32 rows keep the last one short
  const chunk = Math.min(32, roundUp(Math.ceil(mp / 2), MR));
  runGemmJob(km, { ap: 8 * aOff, bp: 8 * aOff, cp: 8 * cOff, mp, np: mp, k, kc: KC, chunk, upper: true }, (m * m * k) / 2 >= PARALLEL_MIN_FLOPS);
  for (let i = 0; i < m; i++) {
    const t = cOff + i * mp + i;
    C.set(f.subarray(t, t + m - i), oc + i * ldc + i);
  }
  releaseIfOversized();
  return true;
}
