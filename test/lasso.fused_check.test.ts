/**
 * @file Tests of round "tall2" of the tall dense solvers (src/lasso/quad_cd.ts, design.ts): the
 * kernels `dot4r0`, `axpydot4r0`, `dotgram4` against naive loops and bit for bit against the
 * kernels they extend; gap checks fused with the next block epoch (`fusedGapChecks`) giving the same
 * iterates as checks with their own pass (Lasso, elastic net, p not a multiple of 4, a warm-started
 * path, screening); the reused inner check leaving `lastCheck.xtr` = X_cᵀr of the returned residual;
 * the chunked design preparation equal bit for bit to one `prep` call; both kernel backends certified
 * on the raw data.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rng } from '../src/core/rng.js';
import { kernelBackends, lassoObjective, onKernelBackend, residualQuantities, withSetting } from './helpers.js';
import type { DenseDesign } from '../src/data/dataset.js';
import { elasticNet, lambdaMax, lasso, lassoPath, prepareDesign, type SolverResult } from '../src/lasso/index.js';
import { disposeDesign } from '../src/lasso/design.js';
import { fusedGapChecks } from '../src/lasso/quad_cd.js';
import { wasmKernelsAvailable } from '../src/internals.js';

const hasWasm = wasmKernelsAvailable();

/** Tall problem with AR(1)-correlated neighbouring columns (ρ = 0.6) and column offsets. */
function tall(seed: number, n: number, p: number): { X: DenseDesign; y: Float64Array } {
  const g = rng(seed);
  const data = new Float64Array(n * p);
  for (let j = 0; j < p; j++) {
    for (let i = 0; i < n; i++) data[j * n + i] = (j > 0 ? 0.6 * data[(j - 1) * n + i]! : 0) + 0.8 * g.normalScalar() + (j % 3 === 0 ? 2 : 0);
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 1;
    for (let j = 0; j < p; j += 3) s += data[j * n + i]! * ((j % 5) - 2);
    y[i] = s + g.normalScalar();
  }
  return { X: { kind: 'dense', nRows: n, nCols: p, data }, y };
}

test('kernels dot4r0, axpydot4r0, dotgram4: naive loops, and bit for bit the kernels they extend', { skip: !hasWasm && 'no WebAssembly SIMD' }, () => {
  for (const n of [37, 42, 8, 3, 1]) {
    const p = 9;
    const g = rng(100 + n);
    const X: DenseDesign = { kind: 'dense', nRows: n, nCols: p, data: Float64Array.from({ length: n * p }, () => g.normalScalar()) };
    const d = prepareDesign(X, { center: false });
    const e = d.wasm!;
    const col = (j: number): number => e.xPtr + 8 * n * j;
    const x = (j: number, i: number): number => d.data[j * n + i]!;
    const rA = Float64Array.from({ length: n }, () => g.normalScalar());
    const rB = Float64Array.from({ length: n }, () => g.normalScalar());
    const tolAbs = 1e-12 * n;
    const blk = e.blk;
    const dot = (j: number, v: ArrayLike<number>): number => {
      let s = 0;
      for (let i = 0; i < n; i++) s += x(j, i) * v[i]!;
      return s;
    };
    // dot4r0 (a repeated column) = dot4 on v bit for bit, naive on v0
    const cs = [2, 5, 5, 8];
    e.r.set(rA);
    e.r0.set(rB);
    e.dot4(n, col(2), col(5), col(5), col(8), e.r.byteOffset, blk.byteOffset);
    const ref = Array.from(blk.subarray(0, 4));
    e.dot4r0(n, col(2), col(5), col(5), col(8), e.r.byteOffset, e.r0.byteOffset, blk.byteOffset + 64);
    for (let k = 0; k < 4; k++) {
      assert.equal(blk[8 + k], ref[k], `dot4r0 = dot4, n=${n} k=${k}`);
      assert.ok(Math.abs(blk[12 + k]! - dot(cs[k]!, rB)) <= tolAbs, `dot4r0 v0, n=${n} k=${k}`);
    }
    // axpydot4r0 = axpydot4 (r and the dots of the updated r) bit for bit, r0 naive and untouched
    const coef = [1, -1, 0.25, 3];
    e.r.set(rA);
    blk.set(coef, 4);
    e.axpydot4(n, col(6), col(7), col(8), col(0), blk.byteOffset + 32, col(1), col(2), col(3), col(4), e.r.byteOffset, blk.byteOffset);
    const rRef = Float64Array.from(e.r);
    const dRef = Array.from(blk.subarray(0, 4));
    e.r.set(rA);
    e.r0.set(rB);
    e.axpydot4r0(n, col(6), col(7), col(8), col(0), blk.byteOffset + 32, col(1), col(2), col(3), col(4), e.r.byteOffset, e.r0.byteOffset, blk.byteOffset + 64);
    assert.deepEqual(Array.from(e.r), Array.from(rRef), `axpydot4r0 r = axpydot4 r, n=${n}`);
    assert.deepEqual(Array.from(e.r0), Array.from(rB), 'r0 only read');
    const r1 = Float64Array.from(rA, (v, i) => v - x(6, i) + x(7, i) - 0.25 * x(8, i) - 3 * x(0, i));
    for (let k = 0; k < 4; k++) {
      assert.equal(blk[8 + k], dRef[k], `axpydot4r0 dots = axpydot4 dots, n=${n} k=${k}`);
      assert.ok(Math.abs(blk[8 + k]! - dot(k + 1, r1)) <= tolAbs, `axpydot4r0 dot, n=${n} k=${k}`);
      assert.ok(Math.abs(blk[12 + k]! - dot(k + 1, rB)) <= tolAbs, `axpydot4r0 r0 dot, n=${n} k=${k}`);
    }
    // dotgram4: the Gram entries are gram4's bit for bit, the dots naive
    e.gram4(n, col(3), col(4), col(5), col(6), blk.byteOffset);
    const gRef = Array.from(blk.subarray(0, 6));
    e.dotgram4(n, col(3), col(4), col(5), col(6), e.r0.byteOffset, blk.byteOffset);
    assert.deepEqual(Array.from(blk.subarray(4, 10)), gRef, `dotgram4 Gram = gram4, n=${n}`);
    for (let k = 0; k < 4; k++) assert.ok(Math.abs(blk[k]! - dot(3 + k, rB)) <= tolAbs, `dotgram4 dot, n=${n} k=${k}`);
    disposeDesign(d);
  }
});

test('fused gap checks: the same iterates as checks with their own pass (Lasso, elastic net, p % 4 ≠ 0, path)', { skip: !hasWasm && 'no WebAssembly SIMD' }, () => {
  for (const [seed, n, p] of [[1, 400, 42], [2, 250, 64], [3, 120, 120]] as const) {
    const { X, y } = tall(seed, n, p);
    const lmax = lambdaMax(X, y);
    const solves: [string, () => SolverResult][] = [
      ['lasso /20 1e-4', () => lasso(X, y, lmax / 20, { tol: 1e-4 })],
      ['lasso /200 1e-8', () => lasso(X, y, lmax / 200, { tol: 1e-8 })],
      ['enet', () => elasticNet(X, y, lmax / 100, lmax / 100, { tol: 1e-6 })],
      ['lasso blockCD true, no working sets', () => lasso(X, y, lmax / 50, { tol: 1e-8, blockCD: true, workingSet: false, screening: false })],
    ];
    for (const [name, solve] of solves) {
      const c0 = fusedGapChecks.count;
      const on = withSetting(fusedGapChecks, 'on', true, solve);
      assert.ok(fusedGapChecks.count > c0, `${n}×${p} ${name}: some checks fused`);
      const off = withSetting(fusedGapChecks, 'on', false, solve);
      const msg = `${n}×${p} ${name}`;
      assert.ok(on.converged && off.converged, msg);
      assert.deepEqual(Array.from(on.beta), Array.from(off.beta), `${msg}: β`);
      assert.equal(on.iterations, off.iterations, `${msg}: epochs`);
      assert.ok(on.gap <= on.tolerance, `${msg}: gap ${on.gap} > ${on.tolerance}`);
      // the same check up to the order of the sums in X_cᵀr
      assert.ok(Math.abs(on.gap - off.gap) <= 1e-9 * on.tolerance / 1e-4 + 1e-12 * Math.abs(on.primal), `${msg}: gap ${on.gap} vs ${off.gap}`);
    }
    const a = withSetting(fusedGapChecks, 'on', true, () => lassoPath(X, y, { nLambdas: 8, tol: 1e-7 }));
    const b = withSetting(fusedGapChecks, 'on', false, () => lassoPath(X, y, { nLambdas: 8, tol: 1e-7 }));
    for (let k = 0; k < a.lambdas.length; k++) assert.deepEqual(Array.from(a.coefs[k]!), Array.from(b.coefs[k]!), `path point ${k}`);
  }
});

test('the reused inner check: lastCheck.xtr is X_cᵀr of the returned residual, the gap certified on the raw data (both backends)', () => {
  const { X, y } = tall(5, 600, 50);
  const lam = lambdaMax(X, y) / 100;
  let ref: SolverResult | null = null;
  for (const b of kernelBackends) {
    onKernelBackend(b, () => {
      const res = lasso(X, y, lam, { tol: 1e-8 });
      assert.ok(res.converged && res.gap <= res.tolerance, `${b}: gap ${res.gap}`);
      const d = prepareDesign(X, { wasm: false });
      const { r, xt } = residualQuantities(d, y, res.beta);
      let rn = 0;
      for (let i = 0; i < r.length; i++) rn = Math.max(rn, Math.abs(r[i]! - res.residual[i]!));
      assert.ok(rn <= 1e-10, `${b}: residual ${rn}`);
      const xtr = res.lastCheck?.xtr;
      assert.ok(xtr !== undefined, `${b}: lastCheck present`);
      let scale = 0;
      for (let j = 0; j < xt.length; j++) scale = Math.max(scale, Math.abs(xt[j]!));
      for (let j = 0; j < xt.length; j++) assert.ok(Math.abs(xtr[j]! - xt[j]!) <= 1e-9 * Math.max(1, scale), `${b}: xtr[${j}] ${xtr[j]} vs ${xt[j]}`);
      // same optimum on both backends within the certified gaps
      const l1 = new Float64Array(50).fill(lam);
      if (ref !== null) {
        const pa = lassoObjective(X, y, res, l1), pb = lassoObjective(X, y, ref, l1);
        assert.ok(Math.abs(pa - pb) <= res.gap + ref.gap + 1e-12 * pa, `${b}: objective ${pa} vs ${pb}`);
      }
      ref = res;
    });
  }
});

test('prepareDesign: the chunked copy-and-prepare equals one prep call over the whole matrix, bit for bit', { skip: !hasWasm && 'no WebAssembly SIMD' }, () => {
  // 7 rows: chunks of ⌊16384/7⌋ = 2340 columns, so 5000 columns take three chunks (the last short)
  for (const [n, p] of [[7, 5000], [3001, 13]] as const) {
    const g = rng(n + p);
    const data = Float64Array.from({ length: n * p }, (_, k) => g.normalScalar() + (k % 11) * 1e3);
    const X: DenseDesign = { kind: 'dense', nRows: n, nCols: p, data };
    const d = prepareDesign(X);
    // the reference: the raw matrix in an engine (no centring), then one prep call centring all of it
    const raw = prepareDesign(X, { center: false });
    const e = raw.wasm!;
    const bad = e.prep(e.xPtr, n, p, 1, e.outA.byteOffset, e.norms.byteOffset);
    assert.equal(bad, 0);
    assert.deepEqual(Array.from(d.colMeans), Array.from(e.outA.subarray(0, p)), `${n}×${p} means`);
    assert.deepEqual(Array.from(d.colNormsSq), Array.from(e.norms.subarray(0, p)), `${n}×${p} norms`);
    assert.deepEqual(Array.from(d.data), Array.from(raw.data), `${n}×${p} centred columns`);
    assert.deepEqual(Array.from(data.subarray(0, 5)), Array.from(X.data.subarray(0, 5)), 'source untouched');
    disposeDesign(d);
    disposeDesign(raw);
  }
  // a non-finite entry in a later chunk is still found and named
  const bad = new Float64Array(7 * 5000).fill(1);
  bad[7 * 4000 + 3] = NaN;
  assert.throws(() => prepareDesign({ kind: 'dense', nRows: 7, nCols: 5000, data: bad }), /row 3, column 4000/);
});
