/**
 * @file The Gram loop's stop decided on the maintained gradient (quad_gram.ts, round cv3): after the
 * restricted sweeps the full gap is evaluated in O(p) from g = q − Gβ (kept for all p features by
 * every update) and, when it says stop, g is recomputed and the stop decided again — no confirming
 * full sweep. Checked: every solve so stopped (loose path with the predictor, cold solves at several
 * tolerances, both kernel backends) has an independently evaluated residual-mode duality gap within
 * its reported (certified) gap and the tolerance. Also (round cv4): the loose solve's options,
 * resolved once per problem, follow a changed tol / maxIter and still refuse an invalid tol; and
 * (round cv9) the engine kernels of the Lasso's gap sums and certificate sums have the bits of
 * `gapSums` and of `gramCertificate`'s TypeScript loops, and its support list and refresh difference
 * (`nzlist`, `qminus`) those of theirs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rng } from '../src/core/rng.js';
import { onKernelBackend, residualQuantities } from './helpers.js';
import type { DenseDesign } from '../src/data/dataset.js';
import { lambdaMax, lasso, prepareDesign } from '../src/lasso/index.js';
import { SparseProblem } from '../src/lasso/hypergrad.js';
import { looseGramSolve } from '../src/lasso/gram_loose.js';
import { quadraticGap } from '../src/lasso/quad_model.js';

function tall(seed: number, n: number, p: number): { X: DenseDesign; y: Float64Array } {
  const g = rng(seed);
  const data = new Float64Array(n * p);
  for (let j = 0; j < p; j++) for (let i = 0; i < n; i++) data[j * n + i] = g.normalScalar() + (j > 0 ? 0.6 * data[(j - 1) * n + i]! : 0);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 1;
    for (let j = 0; j < p; j += 3) s += data[j * n + i]! * (j % 2 === 0 ? 1 : -0.8);
    y[i] = s + g.normalScalar();
  }
  return { X: { kind: 'dense', nRows: n, nCols: p, data }, y };
}

/** The residual-mode duality gap of β at λ, evaluated from the residual (no Gram quantity). */
function independentGap(X: DenseDesign, y: Float64Array, beta: Float64Array, lam: number): number {
  const dj = prepareDesign(X, { center: true, wasm: false });
  const { r, xt } = residualQuantities(dj, y, beta);
  return quadraticGap(dj.nRows, beta, r, xt, new Float64Array(dj.nCols).fill(lam), 0, null, dj.nCols).gap;
}

test('Gram stop on the maintained g: every loose path point (predictor on) within its certified gap, both backends', () => {
  const { X, y } = tall(21, 600, 45);
  for (const backend of ['js', 'wasm'] as const) {
    onKernelBackend(backend, () => {
      const a = new SparseProblem(X, y, 'lasso');
      a.planSolves(100);
      const loose = { tol: 1e-4, refine: false, checks: false } as const;
      const tolAbs = (1e-4 * a.yc.reduce((s, v) => s + v * v, 0)) / a.n;
      for (let k = 1; k <= 30; k++) {
        const lam = a.lambdaMax * Math.pow(0.85, k);
        const s = looseGramSolve(a, lam, loose, true);
        assert.ok(s !== null && s.converged, `${backend} step ${k}: not solved in the Gram mode`);
        assert.ok(s.gap <= tolAbs, `${backend} step ${k}: certified gap ${s.gap} > ${tolAbs}`);
        const ex = independentGap(X, y, s.beta, lam);
        assert.ok(ex <= s.gap + 1e-12 * tolAbs, `${backend} step ${k}: independent gap ${ex} above the certified ${s.gap}`);
      }
      a.dispose();
    });
  }
});

test('Gram stop on the maintained g: cold Gram-mode solves at several tolerances stay certified', () => {
  const { X, y } = tall(22, 900, 60);
  const lmax = lambdaMax(X, y);
  for (const [div, tol] of [[5, 1e-4], [30, 1e-6], [100, 1e-8]] as const) {
    const res = lasso(prepareDesign(X, { center: true }), y, lmax / div, { tol, gram: true });
    assert.ok(res.converged && res.gap <= res.tolerance, `λmax/${div}: gap ${res.gap} > ${res.tolerance}`);
    const ex = independentGap(X, y, res.beta, lmax / div);
    assert.ok(ex <= res.gap + 1e-12 * res.tolerance / tol, `λmax/${div}: independent gap ${ex} above ${res.gap}`);
  }
});

test('loose Gram solves: the options resolved once per problem follow a changed tol / maxIter and still refuse a bad tol (round cv4)', () => {
  const { X, y } = tall(22, 400, 30);
  const a = new SparseProblem(X, y, 'lasso');
  a.planSolves(100);
  const yy = a.yc.reduce((s, v) => s + v * v, 0);
  const lam = a.lambdaMax * 0.05;
  for (const tol of [1e-4, 1e-9, 1e-4]) {
    // warm-started from the previous tolerance's solution: the gap must meet each new tol
    const s = looseGramSolve(a, lam, { tol, refine: false, checks: false }, false);
    assert.ok(s !== null && s.converged, `tol ${tol}: not solved in the Gram mode`);
    assert.ok(s.gap <= (tol * yy) / a.n, `tol ${tol}: gap ${s.gap} above ${(tol * yy) / a.n}`);
    assert.ok(independentGap(X, y, s.beta, lam) <= s.gap + 1e-12 * yy, `tol ${tol}: independent gap above the certified one`);
  }
  // maxIter follows too: one sweep from β = 0 does not reach 1e-6 at a small λ (uncertified → null),
  // the default maxIter does
  const cold = (maxIter?: number): ReturnType<typeof looseGramSolve> => {
    const b = new SparseProblem(X, y, 'lasso');
    b.planSolves(100);
    looseGramSolve(b, a.lambdaMax * 0.9, { tol: 1e-6, refine: false, checks: false });
    const s = looseGramSolve(b, a.lambdaMax * 0.01, { tol: 1e-6, refine: false, checks: false, ...(maxIter !== undefined ? { maxIter } : {}) });
    b.dispose();
    return s;
  };
  assert.notEqual(cold(), null);
  assert.equal(cold(1), null);
  assert.throws(() => looseGramSolve(a, lam, { tol: 2, refine: false, checks: false }), /tol/);
  a.dispose();
});

test('gapsums (the Lasso\'s Gram-gap sums in the engine) = gapSums bit for bit; the js backend has no engine and runs gapSums (round cv9)', async () => {
  const { createEngine, releaseEngine } = await import('../src/kernels/wasm_lasso.js');
  const { gapSums, gapSumsWasm } = await import('../src/lasso/quad_gram.js');
  onKernelBackend('js', () => assert.equal(createEngine(8, 8), null));
  onKernelBackend('wasm', () => {
    const g = rng(5);
    for (const p of [1, 2, 7, 64, 300]) {
      const made = createEngine(p, p);
      assert.ok(made !== null);
      const e = made.engine;
      for (let trial = 0; trial < 6; trial++) {
        const n = 50 + p;
        const lu = 0.01 + g.uniformScalar();
        const nl2 = trial === 2 ? 0.7 : 0;
        const yy = 10 + g.uniformScalar();
        for (let j = 0; j < p; j++) {
          e.beta[j] = g.uniformScalar() < 0.5 ? 0 : (g.normalScalar() * 10 ** Math.floor(g.uniformScalar() * 4 - 2));
          e.r[j] = g.normalScalar() * 5;
          e.outB[j] = g.normalScalar() * 5;
        }
        if (trial === 3) e.r[p >> 1] = NaN; // a NaN gradient never becomes the maximum
        if (trial === 4) e.beta.fill(0);
        // a list: all columns, or a subset in a scrambled order
        const cols = e.cols;
        let m = 0;
        for (let j = 0; j < p; j++) if (trial % 2 === 0 || g.uniformScalar() < 0.6) cols[m++] = j;
        if (trial === 5) cols.subarray(0, m).reverse();
        const want = Float64Array.from(gapSums(cols, m, e.beta, e.r, e.outB, new Float64Array(p).fill(lu), lu, nl2, n, yy));
        const got = Float64Array.from(gapSumsWasm(e, cols, m, e.outB, lu, nl2, n, yy));
        for (let k = 0; k < 6; k++) assert.ok(Object.is(got[k], want[k]), `p = ${p}, trial ${trial}, sum ${k}: ${got[k]} vs ${want[k]}`);
      }
      releaseEngine(e);
    }
  });
});

test('gramcert (the Gram certificate\'s sums in the engine) gives gramCertificate the bits of its TypeScript loops, direct and assembled G (round cv9)', async () => {
  const { createEngine, releaseEngine } = await import('../src/kernels/wasm_lasso.js');
  const { gramCertificate } = await import('../src/lasso/quad_gram.js');
  onKernelBackend('wasm', () => {
    const g = rng(9);
    for (const p of [1, 3, 64, 300]) {
      const made = createEngine(p, p);
      assert.ok(made !== null);
      const e = made.engine;
      for (let trial = 0; trial < 6; trial++) {
        const n = 100 + 3 * p;
        const lu = 0.05 + g.uniformScalar();
        const yy = 50 + 10 * g.uniformScalar();
        for (let j = 0; j < p; j++) {
          e.beta[j] = g.uniformScalar() < 0.5 ? 0 : g.normalScalar();
          e.r[j] = g.normalScalar() * 3;
          e.outB[j] = g.normalScalar() * 3;
          e.norms[j] = trial === 4 && j === 0 ? 0 : 1 + 20 * g.uniformScalar();
        }
        if (trial === 5) e.r[p - 1] = NaN;
        let m = 0;
        for (let j = 0; j < p; j++) if (trial % 2 === 0 || g.uniformScalar() < 0.7) e.ws[m++] = j;
        const gerr = trial < 2 ? null : { norms: Float64Array.from({ length: p }, (_, j) => Math.sqrt(e.norms[j]!) * (1 + 1e-3 * g.uniformScalar())), terms: 21 };
        const l1 = new Float64Array(p).fill(lu);
        const qScale = trial === 3 ? 1.01 : 1;
        const want = gramCertificate(n, p, yy, e.outB, e.r, e.norms, e.beta, l1, 0, e.ws, m, gerr, qScale, lu, null);
        const got = gramCertificate(n, p, yy, e.outB, e.r, e.norms, e.beta, l1, 0, e.ws, m, gerr, qScale, lu, e);
        for (const k of ['gap', 't', 'err'] as const) assert.ok(Object.is(got[k], want[k]), `p = ${p}, trial ${trial}, ${k}: ${got[k]} vs ${want[k]}`);
      }
      releaseEngine(e);
    }
  });
});

test('nzlist and qminus (the Gram loop\'s support list and refresh difference in the engine) = their TypeScript loops (round cv9)', async () => {
  const { createEngine, releaseEngine } = await import('../src/kernels/wasm_lasso.js');
  onKernelBackend('wasm', () => {
    const g = rng(11);
    for (const p of [1, 5, 300]) {
      const made = createEngine(p, p);
      assert.ok(made !== null);
      const e = made.engine;
      for (let j = 0; j < p; j++) {
        e.beta[j] = g.uniformScalar() < 0.5 ? 0 : g.uniformScalar() < 0.1 ? -0 : g.normalScalar();
        e.outB[j] = g.normalScalar();
        e.vecA[j] = g.normalScalar();
      }
      if (p > 2) e.beta[1] = NaN; // listed, as `beta[j] !== 0` lists it
      let m = 0;
      for (let j = p - 1; j >= 0; j--) if (g.uniformScalar() < 0.8) e.ws[m++] = j; // any order
      const want: number[] = [];
      for (let k = 0; k < m; k++) if (e.beta[e.ws[k]!] !== 0) want.push(e.ws[k]!);
      const k = e.nzlist(e.ws.byteOffset, m, e.beta.byteOffset, e.cols.byteOffset);
      assert.deepEqual(Array.from(e.cols.subarray(0, k)), want);
      const diff = Float64Array.from({ length: p }, (_, j) => e.outB[j]! - e.vecA[j]!);
      e.qminus(e.outB.byteOffset, e.vecA.byteOffset, e.r.byteOffset, p);
      for (let j = 0; j < p; j++) assert.ok(Object.is(e.r[j], diff[j]));
      releaseEngine(e);
    }
  });
});
