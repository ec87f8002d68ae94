/**
 * @file Tests of the design memory's column scans (src/kernels/wasm_lasso.ts `designColMaxAbs`,
 * `designRawDots`; kernels `colmaxabs` / `rawdots` of wasm/lasso.wat): on a `createDesignMemory`
 * array the WebAssembly results equal the JavaScript loops bit for bit (even and odd n, a NaN
 * column, negative zeros, λ_max of `rawLambdaMax`); null for plain arrays, adopted memories and
 * the 'js' backend.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rng } from '../src/core/rng.js';
import { adoptEngine, createDesignMemory, designColMaxAbs, designRawDots, releaseEngine } from '../src/kernels/wasm_lasso.js';
import { rawColDot } from '../src/lasso/hypergrad.js';
import { rawLambdaMax } from '../src/hpo/criteria.js';
import { onKernelBackend } from './helpers.js';

/** An n×p column-major design in a design memory (rows hint n + 3, as loadCsv's), values of mixed scales. */
function inMemory(n: number, p: number, seed: number): Float64Array | null {
  const x = createDesignMemory(n + 3, p);
  if (x === null) return null;
  const g = rng(seed).normal([n * p]).data;
  const d = x.subarray(0, n * p);
  for (let k = 0; k < n * p; k++) d[k] = g[k]! * Math.pow(10, (k % 7) - 3);
  return d;
}

test('colmaxabs: the largest |x| per column, as Math.max/Math.abs (NaN column NaN, −0 and zero columns 0)', (t) => {
  for (const n of [1, 2, 7, 64, 101]) {
    const p = 9;
    const x = inMemory(n, p, n);
    if (x === null) return t.skip('no WebAssembly SIMD');
    x.fill(0, 2 * n, 3 * n); // a zero column
    x.fill(-0, 3 * n, 4 * n); // a column of −0
    x[5 * n + n - 1] = NaN; // the last entry of column 5 (the odd tail for odd n)
    x[6 * n] = -1e300;
    const m = designColMaxAbs(x, n, p);
    assert.ok(m !== null);
    for (let j = 0; j < p; j++) {
      let e = 0;
      for (let i = 0; i < n; i++) e = Math.max(e, Math.abs(x[j * n + i]!));
      assert.ok(Object.is(m[j], e), `n = ${n}, column ${j}: ${m[j]} vs ${e}`);
    }
  }
});

test('rawdots: X_jᵀv with the bits of rawColDot; rawLambdaMax gives the same λ_max from a design memory as from a plain copy', (t) => {
  for (const n of [1, 3, 50, 99, 128]) {
    const p = 13;
    const x = inMemory(n, p, 100 + n);
    if (x === null) return t.skip('no WebAssembly SIMD');
    const v = rng(7 + n).normal([n]).data;
    const dots = designRawDots(x, n, p, v);
    assert.ok(dots !== null);
    const X = { kind: 'dense' as const, nRows: n, nCols: p, data: x };
    for (let j = 0; j < p; j++) assert.ok(Object.is(dots[j], rawColDot(X, j, v)), `n = ${n}, column ${j}`);
    const y = rng(9).normal([n]).data;
    for (const [model, icpt] of [['lasso', true], ['lasso', false]] as const) {
      const a = rawLambdaMax(X, y, model, icpt);
      const b = rawLambdaMax({ ...X, data: Float64Array.from(x) }, y, model, icpt);
      assert.ok(Object.is(a, b), `${model} intercept ${icpt}: ${a} vs ${b}`);
    }
  }
});

test('the scans decline (null) plain arrays, adopted design memories and the js backend', (t) => {
  const n = 10, p = 4;
  const x = inMemory(n, p, 3);
  if (x === null) return t.skip('no WebAssembly SIMD');
  const v = new Float64Array(n).fill(1);
  assert.equal(designColMaxAbs(Float64Array.from(x), n, p), null);
  assert.equal(designRawDots(Float64Array.from(x), n, p, v), null);
  onKernelBackend('js', () => {
    assert.equal(designColMaxAbs(x, n, p), null);
    assert.equal(designRawDots(x, n, p, v), null);
  });
  const e = adoptEngine(x, n, p);
  assert.ok(e !== null);
  assert.equal(designColMaxAbs(x, n, p), null);
  assert.equal(designRawDots(x, n, p, v), null);
  releaseEngine(e.engine);
});
