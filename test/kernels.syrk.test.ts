/**
 * @file Tests of syrkUpper (the upper triangle of A·Aᵀ, the Gram products of the Lasso's Gram mode
 * and CV folds): against the definition on odd sizes, offsets and strides on both backends; on
 * the WebAssembly kernel the bits of the full NT gemm, nothing written below the diagonal, the same
 * bits on 1 and 2 threads; argument checks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { syrkUpper } from '../src/kernels/gemm_dispatch.js';
import { gemmStrided } from '../src/kernels/blas.js';
import { setKernelBackend, wasmFmaActive, wasmKernelsAvailable } from '../src/kernels/engine.js';
import { ShapeError } from '../src/core/errors.js';
import { seeded } from './fixtures/seeded.js';
import { assertSameBitsOnOneAndTwoThreads } from './helpers.js';

const backends = wasmKernelsAvailable() ? (['wasm', 'js'] as const) : (['js'] as const);

test('syrkUpper = Σ_p A_ip A_jp on the upper triangle (odd sizes, offsets, strides), both backends', () => {
  for (const backend of backends) {
    const prev = setKernelBackend(backend);
    try {
      for (const [m, k] of [[1, 1], [3, 5], [7, 1], [37, 300], [130, 41], [65, 517]] as const) {
        const oa = 3, lda = k + 2, oc = 5, ldc = m + 1;
        const A = seeded(oa + m * lda, m + k);
        const C = new Float64Array(oc + m * ldc).fill(Number.NaN);
        syrkUpper(m, k, A, oa, lda, C, oc, ldc);
        for (let i = 0; i < m; i++) {
          for (let j = i; j < m; j++) {
            let want = 0, scale = 0;
            for (let p = 0; p < k; p++) {
              want += A[oa + i * lda + p]! * A[oa + j * lda + p]!;
              scale += Math.abs(A[oa + i * lda + p]! * A[oa + j * lda + p]!);
            }
            const got = C[oc + i * ldc + j]!;
            assert.ok(Math.abs(got - want) <= 4 * k * 2 ** -53 * scale, `${backend} ${m}×${k} (${i}, ${j}): ${got} vs ${want}`);
          }
        }
        // the padding columns of each row of C and the entries before oc are never written
        for (let t = 0; t < oc; t++) assert.ok(Number.isNaN(C[t]!), `${backend} ${m}×${k}: C[${t}] before oc written`);
        for (let i = 0; i < m; i++) assert.ok(Number.isNaN(C[oc + i * ldc + m]!), `${backend} ${m}×${k}: padding of row ${i} written`);
        if (backend === 'wasm') {
          for (let i = 0; i < m; i++) for (let j = 0; j < i; j++) assert.ok(Number.isNaN(C[oc + i * ldc + j]!), `wasm ${m}×${k}: (${i}, ${j}) below the diagonal written`);
        }
      }
    } finally {
      setKernelBackend(prev);
    }
  }
});

test('syrkUpper (wasm): the bits of the full NT gemm, and of the 64-row block gemms it replaced', { skip: !wasmKernelsAvailable() }, () => {
  // a gemm below gemmStrided's WebAssembly size (m·n·k < 16³) runs the TypeScript kernel: the same
  // bits as the unfused kernel, not as the fused one (one rounding per madd): compared to rounding
  const fused = wasmFmaActive();
  const prev = setKernelBackend('wasm');
  try {
    for (const [m, k] of [[300, 400], [67, 257], [5, 3]] as const) {
      const A = seeded(m * k, 7 * m + k);
      const C = new Float64Array(m * m);
      syrkUpper(m, k, A, 0, k, C, 0, m);
      const F = new Float64Array(m * m);
      gemmStrided(false, true, m, m, k, 1, A, 0, k, A, 0, k, 0, F, 0, m);
      const B = new Float64Array(m * m);
      for (let a0 = 0; a0 < m; a0 += 64) {
        const rows = Math.min(64, m - a0);
        gemmStrided(false, true, rows, m - a0, k, 1, A, a0 * k, k, A, a0 * k, k, 0, B, a0 * m + a0, m);
      }
      /** m·n·k of the block gemm that computed row i (gemmStrided's WebAssembly size is m·n·k ≥ 16³). */
      const blockSize = (i: number) => {
        const a0 = i - (i % 64);
        return Math.min(64, m - a0) * (m - a0) * k;
      };
      for (let i = 0; i < m; i++) {
        for (let j = i; j < m; j++) {
          for (const [ref, what, size] of [[F, 'full gemm', m * m * k], [B, 'block gemm', blockSize(i)]] as const) {
            if (!fused || size >= 16 ** 3) assert.ok(Object.is(C[i * m + j], ref[i * m + j]), `${m}×${k} (${i}, ${j}): ${C[i * m + j]} vs ${what} ${ref[i * m + j]}`);
            else assert.ok(Math.abs(C[i * m + j]! - ref[i * m + j]!) <= 2 * k * k * 2 ** -53, `${m}×${k} (${i}, ${j}): ${C[i * m + j]} vs ${what} ${ref[i * m + j]}`);
          }
        }
      }
    }
  } finally {
    setKernelBackend(prev);
  }
});

test('syrkUpper on 1 and 2 threads gives the same bits, and the worker took part', { skip: !wasmKernelsAvailable() }, async () => {
  const m = 301, k = 2000; // 10 row chunks of unequal work
  const A = seeded(m * k, 3);
  const run = () => {
    const C = new Float64Array(m * m);
    syrkUpper(m, k, A, 0, k, C, 0, m);
    return C;
  };
  await assertSameBitsOnOneAndTwoThreads(run);
});

test('syrkUpper names the bad argument', () => {
  const A = seeded(12, 1);
  assert.throws(() => syrkUpper(3, 4, A, 0, 3, new Float64Array(9), 0, 3), (e: unknown) => e instanceof ShapeError && /lda = 3 is smaller than k = 4/.test((e as Error).message));
  assert.throws(() => syrkUpper(3, 4, A, 0, 4, new Float64Array(9), 0, 2), /ldc = 2 is smaller than m = 3/);
  assert.throws(() => syrkUpper(3, 4, A, 1, 4, new Float64Array(9), 0, 3), /A \(12 entries\) is too short for 3×4 at offset 1/);
  assert.throws(() => syrkUpper(3, 4, A, 0, 4, new Float64Array(8), 0, 3), /C \(8 entries\) is too short for 3×3/);
  const C = new Float64Array(4);
  syrkUpper(2, 2, Float64Array.of(1, 2, 3, 4), 0, 2, C, 0, 2);
  assert.deepEqual(Array.from(C.subarray(0, 2)).concat(C[3]!), [5, 11, 25]);
});
