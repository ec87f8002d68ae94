/**
 * @file Tests of src/kernels/tri_wasm.ts (the WebAssembly SIMD kernels of a factor stored by
 * `createTriMatrix`) against the TypeScript loops of src/linalg/dense/cholesky_update.ts on random
 * SPD matrices of odd and even orders, strides larger than the order, on both kernel backends: the
 * L Lᵀ solve and the appends' substitutions agree to rounding, the deletion's rotations bit for bit;
 * under the 'js' backend the kernels decline and the TypeScript loops run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rng } from '../src/core/rng.js';
import {
  choleskyAppendInPlace, choleskyAppendRowsStepwise, choleskyDeleteInPlace, choleskyRankRevealing, choleskySolveStrided,
} from '../src/linalg/dense/cholesky_update.js';
import { createTriMatrix, releaseTriMatrix, triAppendRows, triDelete, triScratch, triSolve, triSubstitute } from '../src/kernels/tri_wasm.js';
import { kernelBackends, onKernelBackend } from './helpers.js';

/** A = GᵀG/n for a random n×m G (SPD when n ≥ m). */
function gram(n: number, m: number, seed: number): Float64Array {
  const G = rng(seed).normal([n, m]).data;
  const A = new Float64Array(m * m);
  for (let a = 0; a < m; a++) for (let b = 0; b <= a; b++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += G[i * m + a]! * G[i * m + b]!;
    A[a * m + b] = s / n;
    A[b * m + a] = s / n;
  }
  return A;
}

/** The factor of A's leading m×m block in a `stride`-strided array `into`, rows m.. holding A's entries (the appends' input). */
function stagedFactor(A: Float64Array, mAll: number, m: number, stride: number, into: Float64Array): Float64Array {
  const B = new Float64Array(m * m);
  for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) B[a * m + b] = A[a * mAll + b]!;
  choleskyRankRevealing(B, m);
  into.fill(0);
  for (let i = 0; i < m; i++) for (let j = 0; j <= i; j++) into[i * stride + j] = B[i * m + j]!;
  for (let i = m; i < mAll; i++) for (let j = 0; j < i; j++) into[i * stride + j] = A[i * mAll + j]!;
  return into;
}

function maxRelDiff(a: Float64Array, b: Float64Array, m: number, stride: number): number {
  let d = 0, s = 0;
  for (let i = 0; i < m; i++) for (let j = 0; j <= i; j++) {
    d = Math.max(d, Math.abs(a[i * stride + j]! - b[i * stride + j]!));
    s = Math.max(s, Math.abs(b[i * stride + j]!));
  }
  return d / (s > 0 ? s : 1);
}

const ORDERS = [1, 2, 3, 5, 8, 17, 64, 131];

test('createTriMatrix: a WebAssembly-backed factor with scratch under wasm, a plain array under js (kernels decline)', () => {
  for (const b of kernelBackends) {
    onKernelBackend(b, () => {
      const L = createTriMatrix(36, 6);
      assert.equal(L.length, 36);
      assert.ok(L.every((v) => v === 0));
      if (b === 'wasm') {
        assert.notEqual(triScratch(L), null);
        assert.equal(triScratch(L)!.length, 6);
      } else {
        assert.equal(triScratch(L), null);
        assert.equal(triSolve(L, 1, 6, new Float64Array(1)), false);
        assert.equal(triSubstitute(L, 1, 6, 1, 1, new Float64Array(1)), false);
        assert.equal(triDelete(L, 2, 6, 0), false);
      }
      releaseTriMatrix(L);
    });
  }
});

test('L Lᵀ solve: the SIMD kernel = the TypeScript loops to rounding, b inside or outside the factor memory, odd orders', () => {
  for (const b of kernelBackends) {
    onKernelBackend(b, () => {
      for (const m of ORDERS) {
        const stride = m + 3;
        const A = gram(m + 7, m, 100 + m);
        const L = stagedFactor(A, m, m, stride, createTriMatrix(stride * stride, stride));
        const Lref = Float64Array.from(L);
        const rhs = rng(7 + m).normal([m]).data;
        const x = Float64Array.from(rhs);
        choleskySolveStrided(L, m, x, stride); // kernel when L is WebAssembly-backed
        const ref = Float64Array.from(rhs);
        choleskySolveStrided(Lref, m, ref, stride); // plain array: the loops
        let d = 0, s = 0;
        for (let i = 0; i < m; i++) {
          d = Math.max(d, Math.abs(x[i]! - ref[i]!));
          s = Math.max(s, Math.abs(ref[i]!));
        }
        assert.ok(d <= 1e-12 * s, `${b}, m = ${m}: ${d / s}`);
        // A x = rhs
        let res = 0;
        for (let i = 0; i < m; i++) {
          let t = -rhs[i]!;
          for (let j = 0; j < m; j++) t += A[i * m + j]! * x[j]!;
          res = Math.max(res, Math.abs(t));
        }
        assert.ok(res <= 1e-9 * Math.max(1, s), `${b}, m = ${m}: residual ${res}`);
        const scratch = triScratch(L);
        if (scratch !== null) {
          // right-hand side staged beside the factor: no copy, same values
          scratch.set(rhs);
          assert.ok(triSolve(L, m, stride, scratch));
          for (let i = 0; i < m; i++) assert.equal(scratch[i], x[i]);
        }
        releaseTriMatrix(L);
      }
    });
  }
});

test('appends: q rows substituted by the SIMD kernels (four per pass, then a remainder of one to three) = the TypeScript appends to rounding; pivots and floors as before', () => {
  for (const b of kernelBackends) {
    onKernelBackend(b, () => {
      for (const [m, q] of [[1, 1], [3, 4], [5, 5], [17, 3], [64, 9], [131, 7], [40, 8], [77, 19], [30, 2], [33, 6], [12, 11]] as const) {
        const mAll = m + q;
        const stride = mAll + 2;
        const A = gram(mAll + 11, mAll, 300 + m + q);
        const d = Float64Array.from({ length: q }, (_, e) => A[(m + e) * mAll + m + e]!);
        const L = stagedFactor(A, mAll, m, stride, createTriMatrix(stride * stride, stride));
        const ref = stagedFactor(A, mAll, m, stride, new Float64Array(stride * stride));
        const raw = new Float64Array(q);
        choleskyAppendRowsStepwise(L, m, q, stride, d, 1e-10, raw);
        for (let e = 0; e < q; e++) assert.ok(Number.isNaN(choleskyAppendInPlace(ref, m + e, stride, d[e]!)));
        assert.ok(raw.every((r) => Number.isNaN(r)));
        assert.ok(maxRelDiff(L, ref, mAll, stride) <= 1e-13, `${b}, m = ${m}, q = ${q}`);
        // the substitution alone reports Σ l² of each row
        const S = stagedFactor(A, mAll, m, stride, createTriMatrix(stride * stride, stride));
        const ss = new Float64Array(q);
        if (triSubstitute(S, m, stride, m, q, ss)) {
          for (let e = 0; e < q; e++) {
            let t = 0;
            for (let j = 0; j < m; j++) t += ref[(m + e) * stride + j]! ** 2;
            assert.ok(Math.abs(ss[e]! - t) <= 1e-12 * t, `${b}, m = ${m}, row ${e}`);
          }
        }
        releaseTriMatrix(L);
        releaseTriMatrix(S);
      }
      // a dependent new column is floored and reported through the kernel path too
      const m = 6;
      const A = gram(20, m, 9);
      const mAll = m + 2;
      const E = new Float64Array(mAll * mAll);
      for (let a = 0; a < mAll; a++) for (let c = 0; c < mAll; c++) {
        const ia = a < m ? a : a === m ? 0 : 1; // column m repeats column 0, m + 1 repeats column 1
        const ic = c < m ? c : c === m ? 0 : 1;
        E[a * mAll + c] = A[ia * m + ic]!;
      }
      const L = stagedFactor(E, mAll, m, mAll, createTriMatrix(mAll * mAll, mAll));
      const raw = new Float64Array(2);
      choleskyAppendRowsStepwise(L, m, 2, mAll, [E[m * mAll + m]!, E[(m + 1) * mAll + m + 1]!], 1e-10, raw);
      assert.ok(raw[0]! >= 0 && raw[0]! < 1e-12 && raw[1]! >= 0 && raw[1]! < 1e-12, `${b}: ${raw}`);
      releaseTriMatrix(L);
    });
  }
});

test('appends in one call (triAppendRows) = the stepwise appends on the kernels (choleskyAppendRowsStepwise) bit for bit, floors included; declines without room or under js', () => {
  for (const b of kernelBackends) {
    onKernelBackend(b, () => {
      let ran = 0;
      for (const [m, q] of [[1, 1], [3, 4], [5, 5], [17, 3], [64, 9], [131, 7], [40, 8], [77, 19], [30, 2], [33, 6], [12, 11], [135, 8]] as const) {
        const mAll = m + q;
        const stride = mAll + 2;
        const A = gram(mAll + 11, mAll, 300 + m + q);
        const d = Float64Array.from({ length: q }, (_, e) => A[(m + e) * mAll + m + e]!);
        const L = stagedFactor(A, mAll, m, stride, createTriMatrix(stride * stride, stride));
        const ref = stagedFactor(A, mAll, m, stride, createTriMatrix(stride * stride, stride));
        const raw = new Float64Array(q).fill(7);
        const rawRef = new Float64Array(q);
        const done = triAppendRows(L, m, q, stride, d, 1e-10, raw);
        // the scratch beside the factor (stride entries) must hold 3q + 1 values
        assert.equal(done, b !== 'js' && 3 * q + 1 <= stride, `${b}, m = ${m}, q = ${q}`);
        if (!done) {
          releaseTriMatrix(L);
          releaseTriMatrix(ref);
          continue;
        }
        ran++;
        choleskyAppendRowsStepwise(ref, m, q, stride, d, 1e-10, rawRef);
        for (let i = 0; i < mAll; i++) for (let j = 0; j <= i; j++) assert.equal(L[i * stride + j], ref[i * stride + j], `${b}, m = ${m}, q = ${q}, (${i}, ${j})`);
        assert.ok(raw.every((r) => Number.isNaN(r)));
        releaseTriMatrix(L);
        releaseTriMatrix(ref);
      }
      if (b !== 'js') assert.ok(ran >= 8);
      // dependent new columns: floored pivots and raw ratios as the kernel path reports them
      const m = 6;
      const A = gram(20, m, 9);
      const mAll = m + 2;
      const E = new Float64Array(mAll * mAll);
      for (let a = 0; a < mAll; a++) for (let c = 0; c < mAll; c++) {
        const ia = a < m ? a : a === m ? 0 : 1;
        const ic = c < m ? c : c === m ? 0 : 1;
        E[a * mAll + c] = A[ia * m + ic]!;
      }
      const dd = [E[m * mAll + m]!, E[(m + 1) * mAll + m + 1]!];
      const L = stagedFactor(E, mAll, m, mAll, createTriMatrix(mAll * mAll, mAll));
      const ref = stagedFactor(E, mAll, m, mAll, createTriMatrix(mAll * mAll, mAll));
      const raw = new Float64Array(2), rawRef = new Float64Array(2);
      if (triAppendRows(L, m, 2, mAll, dd, 1e-10, raw)) {
        choleskyAppendRowsStepwise(ref, m, 2, mAll, dd, 1e-10, rawRef);
        assert.deepEqual(Array.from(raw), Array.from(rawRef));
        assert.ok(raw[0]! >= 0 && raw[0]! < 1e-12 && raw[1]! >= 0 && raw[1]! < 1e-12, `${b}: ${raw}`);
        for (let i = 0; i < mAll; i++) for (let j = 0; j <= i; j++) assert.equal(L[i * mAll + j], ref[i * mAll + j]);
      } else assert.equal(b, 'js');
      releaseTriMatrix(L);
      releaseTriMatrix(ref);
    });
  }
});

test('deletions: the SIMD rotations = the TypeScript rotations bit for bit, and the factor of A without the row', () => {
  for (const b of kernelBackends) {
    onKernelBackend(b, () => {
      for (const m of [2, 3, 6, 9, 40, 67]) {
        const stride = m + 1;
        const A = gram(m + 9, m, 500 + m);
        for (const k of [0, Math.floor(m / 2), m - 1]) {
          const L = stagedFactor(A, m, m, stride, createTriMatrix(stride * stride, stride));
          const ref = stagedFactor(A, m, m, stride, new Float64Array(stride * stride));
          choleskyDeleteInPlace(L, m, stride, k);
          choleskyDeleteInPlace(ref, m, stride, k);
          for (let i = 0; i < m - 1; i++) for (let j = 0; j <= i; j++) assert.equal(L[i * stride + j], ref[i * stride + j], `${b}, m = ${m}, k = ${k}, (${i}, ${j})`);
          // = the fresh factor of A without row/column k
          const keep = Array.from({ length: m }, (_, i) => i).filter((i) => i !== k);
          const B = new Float64Array(keep.length ** 2);
          keep.forEach((a, u) => keep.forEach((c, v) => { B[u * keep.length + v] = A[a * m + c]!; }));
          choleskyRankRevealing(B, keep.length);
          const Bs = new Float64Array(stride * stride);
          for (let i = 0; i < keep.length; i++) for (let j = 0; j <= i; j++) Bs[i * stride + j] = B[i * keep.length + j]!;
          assert.ok(maxRelDiff(L, Bs, m - 1, stride) <= 1e-12, `${b}, m = ${m}, k = ${k}`);
          releaseTriMatrix(L);
        }
      }
    });
  }
});

test('deletions on factors scaled by 1e±160: r = √(ℓ² + x²) would overflow / underflow there, Math.hypot runs; kernel = TypeScript bit for bit, = the scaled fresh factor', () => {
  for (const b of kernelBackends) {
    onKernelBackend(b, () => {
      for (const s of [1e160, 1e-160, 1]) {
        const m = 23;
        const stride = m + 2;
        const A = gram(m + 7, m, 900);
        const k = 5;
        const L = stagedFactor(A, m, m, stride, createTriMatrix(stride * stride, stride));
        const ref = stagedFactor(A, m, m, stride, new Float64Array(stride * stride));
        // L·s is the factor of s²A (never formed: s² overflows or underflows)
        for (let i = 0; i < stride * stride; i++) {
          L[i] = L[i]! * s;
          ref[i] = ref[i]! * s;
        }
        choleskyDeleteInPlace(L, m, stride, k);
        choleskyDeleteInPlace(ref, m, stride, k);
        for (let i = 0; i < m - 1; i++) for (let j = 0; j <= i; j++) assert.equal(L[i * stride + j], ref[i * stride + j], `${b}, s = ${s}, (${i}, ${j})`);
        const keep = Array.from({ length: m }, (_, i) => i).filter((i) => i !== k);
        const B = new Float64Array(keep.length ** 2);
        keep.forEach((a, u) => keep.forEach((c, v) => { B[u * keep.length + v] = A[a * m + c]!; }));
        choleskyRankRevealing(B, keep.length);
        const Bs = new Float64Array(stride * stride);
        for (let i = 0; i < keep.length; i++) for (let j = 0; j <= i; j++) Bs[i * stride + j] = B[i * keep.length + j]! * s;
        let finite = true;
        for (let i = 0; i < m - 1; i++) for (let j = 0; j <= i; j++) if (!Number.isFinite(L[i * stride + j]!)) finite = false;
        assert.ok(finite, `${b}, s = ${s}: finite factor`);
        assert.ok(maxRelDiff(L, Bs, m - 1, stride) <= 1e-12, `${b}, s = ${s}: ${maxRelDiff(L, Bs, m - 1, stride)}`);
        releaseTriMatrix(L);
      }
    });
  }
});
