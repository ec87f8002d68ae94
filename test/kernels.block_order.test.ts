/**
 * @file The block-epoch kernels of lasso.wat (`axpy4`, `axpydot4`, `axpy1dot4`–`axpy3dot4`,
 * `axpydot4r0`) bit for bit against a scalar model of their f64x2 lanes. Their loops step four
 * rows on pointers (two f64x2 steps per iteration, round "unroll"); what may never change with
 * such a rewrite is each value's order of operations, because the solvers' bit-for-bit contracts
 * (1 = 2 threads, fused = separate gap checks, the split twins) rest on it. The model: the residual
 * entry r_i ← (((r_i − c₀a₀ᵢ) − c₁a₁ᵢ) − c₂a₂ᵢ) − c₃a₃ᵢ; a dot Σ bᵢrᵢ accumulated per lane
 * (lane 0: even rows, lane 1: odd rows, each in row order from +0), then lane 0 + lane 1, then the
 * odd last row. Sizes cover every remainder mod 4 and lengths below one step.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine, releaseEngine } from '../src/kernels/wasm_lasso.js';
import { seeded } from './fixtures/seeded.js';

/** Σ_i b_i·r_i in the kernels' lane order. */
function laneDot(b: Float64Array, r: Float64Array, n: number): number {
  let l0 = 0, l1 = 0;
  const e2 = n & ~1;
  for (let i = 0; i < e2; i += 2) {
    l0 = l0 + b[i]! * r[i]!;
    l1 = l1 + b[i + 1]! * r[i + 1]!;
  }
  let s = l0 + l1;
  if (e2 < n) s = s + b[n - 1]! * r[n - 1]!;
  return s;
}

test('block-epoch kernels: bit for bit the scalar model of their lanes (every remainder mod 4)', () => {
  for (const n of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 33, 998, 999, 1000, 1001]) {
    const made = createEngine(n, 9);
    if (made === null) return; // no WebAssembly SIMD: nothing to pin
    const e = made.engine;
    made.x.set(seeded(9 * n, 11 + n));
    const X = (j: number): Float64Array => made.x.subarray(j * n, (j + 1) * n);
    const col = (j: number): number => e.xPtr + 8 * n * j;
    const coef = [0.25, -1.5, 0.125, 3.75];
    const out = e.blk.byteOffset, cPtr = out + 64, out8 = out + 96;
    for (const k of [0, 1, 2, 3, 4]) {
      // k = 0: axpy4; 1..3: axpyKdot4; 4: axpydot4 (and axpydot4r0)
      const K = k === 0 ? 4 : k;
      const r0 = seeded(n, 100 + n + k);
      const ref = Float64Array.from(r0);
      for (let i = 0; i < n; i++) {
        let t = ref[i]!;
        for (let q = 0; q < K; q++) t = t - coef[q]! * X(q)[i]!;
        ref[i] = t;
      }
      const dots = [4, 5, 6, 7].map((j) => laneDot(X(j), ref, n));
      e.r.set(r0);
      e.blk.set(coef, 8);
      const b = [col(4), col(5), col(6), col(7)] as const;
      let name: string;
      if (k === 0) { name = 'axpy4'; e.axpy4(n, col(0), col(1), col(2), col(3), cPtr, e.r.byteOffset); }
      else if (k === 1) { name = 'axpy1dot4'; e.axpy1dot4(n, col(0), cPtr, ...b, e.r.byteOffset, out); }
      else if (k === 2) { name = 'axpy2dot4'; e.axpy2dot4(n, col(0), col(1), cPtr, ...b, e.r.byteOffset, out); }
      else if (k === 3) { name = 'axpy3dot4'; e.axpy3dot4(n, col(0), col(1), col(2), cPtr, ...b, e.r.byteOffset, out); }
      else { name = 'axpydot4'; e.axpydot4(n, col(0), col(1), col(2), col(3), cPtr, ...b, e.r.byteOffset, out); }
      assert.deepEqual(Array.from(e.r), Array.from(ref), `${name} r, n=${n}`);
      if (k > 0) assert.deepEqual(Array.from(e.blk.subarray(0, 4)), dots, `${name} dots, n=${n}`);
      if (k === 4) {
        // axpydot4r0: the same r and dots, and the dots against r0 (unchanged) in the same order
        const v0 = seeded(n, 300 + n);
        e.r.set(r0);
        e.r0.set(v0);
        e.axpydot4r0(n, col(0), col(1), col(2), col(3), cPtr, ...b, e.r.byteOffset, e.r0.byteOffset, out8);
        assert.deepEqual(Array.from(e.r), Array.from(ref), `axpydot4r0 r, n=${n}`);
        assert.deepEqual(Array.from(e.blk.subarray(12, 16)), dots, `axpydot4r0 dots, n=${n}`);
        assert.deepEqual(Array.from(e.blk.subarray(16, 20)), [4, 5, 6, 7].map((j) => laneDot(X(j), v0, n)), `axpydot4r0 r0 dots, n=${n}`);
      }
    }
    releaseEngine(e);
  }
});
