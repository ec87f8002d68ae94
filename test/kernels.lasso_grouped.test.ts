/**
 * @file The grouped WebAssembly kernels of the Gram mode (kernels/wasm/lasso.wat, round cv4) give
 * the bits of their one-column originals: `gemvSkip4` (four non-zero columns per pass over out)
 * against `gemvSkip`, on square and tall shapes, every remainder of non-zero columns (0–3 left over)
 * and random supports; `gepoch4` (coordinates in groups of four, one pass over g per group) against
 * `gepoch`, β and g after 1–25 sweeps, every group remainder, with and without the ridge term.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rng } from '../src/core/rng.js';
import { createEngine, releaseEngine } from '../src/kernels/wasm_lasso.js';
import { wasmKernelsAvailable } from '../src/kernels/engine.js';

/** Entries equal bit for bit (Object.is: −0 and NaN payload classes included). */
function sameBits(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Object.is(a[i], b[i]), `${what}: entry ${i}: ${a[i]} vs ${b[i]}`);
}

test('gemvSkip4 gives the bits of gemvSkip (square and tall X, supports of every remainder)', { skip: !wasmKernelsAvailable() }, () => {
  const g = rng(4);
  for (const [n, p] of [[60, 60], [13, 9], [301, 11], [7, 5], [128, 40]] as const) {
    const made = createEngine(n, p);
    assert.ok(made !== null);
    const e = made.engine;
    for (let i = 0; i < n * p; i++) made.x[i] = g.normalScalar();
    for (const nnz of [0, 1, 2, 3, 4, 5, 6, 7, 8, Math.floor(p / 2), p]) {
      e.beta.fill(0);
      let placed = 0;
      for (let j = 0; j < p && placed < nnz; j++) {
        // a random subset of nnz columns (in order), signs and a few −0 entries (skipped as zero)
        if (g.uniformScalar() < (nnz - placed) / (p - j)) {
          e.beta[j] = g.normalScalar();
          placed++;
        } else if (j % 7 === 0) e.beta[j] = -0;
      }
      const start = new Float64Array(n);
      for (let i = 0; i < n; i++) start[i] = g.normalScalar();
      e.vecA.set(start);
      e.gemvSkip(e.xPtr, n, p, e.beta.byteOffset, e.vecA.byteOffset);
      const one = Float64Array.from(e.vecA.subarray(0, n));
      e.vecA.set(start);
      e.gemvSkip4(e.xPtr, n, p, e.beta.byteOffset, e.vecA.byteOffset);
      sameBits(e.vecA.subarray(0, n), one, `${n}×${p}, ${nnz} non-zero`);
    }
    releaseEngine(e);
  }
});

test('gepoch4 gives the bits of gepoch (β, g) over sweeps of every group remainder, ridge term and warm starts', { skip: !wasmKernelsAvailable() }, () => {
  const g = rng(5);
  const n = 200;
  for (const p of [37, 40]) {
    // G = XᵀX (symmetric, as the kernel reads row j as column j), q = Xᵀy
    const X = new Float64Array(n * p);
    for (let j = 0; j < p; j++) for (let i = 0; i < n; i++) X[j * n + i] = g.normalScalar() + (j > 0 ? 0.5 * X[(j - 1) * n + i]! : 0);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) y[i] = X[i]! - 0.7 * X[3 * n + i]! + g.normalScalar();
    const made = createEngine(p, p);
    assert.ok(made !== null);
    const e = made.engine;
    const q = new Float64Array(p);
    for (let a = 0; a < p; a++) {
      for (let b = a; b < p; b++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += X[a * n + i]! * X[b * n + i]!;
        made.x[a * p + b] = s;
        made.x[b * p + a] = s;
      }
      let s = 0;
      for (let i = 0; i < n; i++) s += X[a * n + i]! * y[i]!;
      q[a] = s;
    }
    let qmax = 0;
    for (let j = 0; j < p; j++) qmax = Math.max(qmax, Math.abs(q[j]!));
    for (let j = 0; j < p; j++) e.norms[j] = made.x[j * p + j]!;
    const run = (k: 'gepoch' | 'gepoch4', m: number, level: number, nl2: number, sweeps: number): [Float64Array, Float64Array] => {
      // a fixed order that is not 0..m−1 (every third coordinate first), thresholds at `level`·max|q|
      let w = 0;
      for (let j = 0; j < m; j += 3) e.ws[w++] = j;
      for (let j = 0; j < m; j++) if (j % 3 !== 0) e.ws[w++] = j;
      e.thr.fill(level * qmax);
      e.beta.fill(0);
      e.r.set(q);
      for (let s = 0; s < sweeps; s++) e[k](e.xPtr, p, e.ws.byteOffset, m, e.beta.byteOffset, e.r.byteOffset, e.norms.byteOffset, e.thr.byteOffset, nl2);
      return [Float64Array.from(e.beta.subarray(0, p)), Float64Array.from(e.r.subarray(0, p))];
    };
    for (const m of [p, p - 1, p - 2, p - 3, 5, 4, 3, 2, 1]) {
      for (const [level, nl2, sweeps] of [[0.02, 0, 1], [0.02, 0, 25], [0.3, 0, 6], [0.01, 0.5 * n, 8]] as const) {
        const [b1, g1] = run('gepoch', m, level, nl2, sweeps);
        const [b4, g4] = run('gepoch4', m, level, nl2, sweeps);
        sameBits(b4, b1, `p ${p}, m ${m}, level ${level}, nl2 ${nl2}, ${sweeps} sweeps: β`);
        sameBits(g4, g1, `p ${p}, m ${m}, level ${level}, nl2 ${nl2}, ${sweeps} sweeps: g`);
      }
    }
    releaseEngine(e);
  }
});
