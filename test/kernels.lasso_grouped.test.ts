/**
 * @file The grouped WebAssembly kernels of the Gram mode (kernels/wasm/lasso.wat, round cv4) give
 * the bits of their one-column originals: `gemvSkip4` (four non-zero columns per pass over out)
 * against `gemvSkip`, on square and tall shapes, every remainder of non-zero columns (0–3 left over)
 * and random supports.
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
