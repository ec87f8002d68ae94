/**
 * @file The CV folds' designs without centred rows (lasso/fold_gram.ts `foldStatistics`,
 * `lazyFoldDesign`): means, ‖X_c,j‖² and the assembled q = X_cᵀy_c against the prepared rows and the
 * direct product (within q's proven rounding bound), constant columns exact, the rows gathered only
 * when read (and then x − μ), and the tuning's results with lazy rows against prepared rows: the same
 * λ, coefficients and CV values within the solver tolerance; a planned grid CV gathers no rows, a
 * criterion whose hypergradients read the rows gathers them and agrees; without a grid
 * (`tuneLasso`'s gradient search) the folds are prepared up front.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeCorrelatedData } from '../src/data/synthetic.js';
import { kFoldIndices } from '../src/data/dataset.js';
import { foldStatistics, lazyFoldDesign, lazyRowStats, type FoldStatistics } from '../src/lasso/fold_gram.js';
import { disposeDesign, prepareRows } from '../src/lasso/design.js';
import { colDots, vecSum } from '../src/lasso/columns.js';
import { makeTarget } from '../src/lasso/models.js';
import { SparseProblem } from '../src/lasso/hypergrad.js';
import { crossValForGrid, cvFoldMemory, tuneLasso } from '../src/hpo/index.js';
import type { DenseDesign } from '../src/data/matrix.js';
import { withSetting } from './helpers.js';

const U = 2 ** -53;
const gamma = (k: number): number => (k * U) / (1 - k * U);

/** Data with an offset, a constant column (3) and one constant on the first fold's training rows only (5). */
function data(n: number, p: number, seed: number): { X: DenseDesign; y: Float64Array } {
  const d = makeCorrelatedData(n, p, { seed, corr: 0.5, snr: 3, density: 0.2 });
  const X = d.X as DenseDesign;
  const x = new Float64Array(X.data);
  for (let i = 0; i < n; i++) {
    x[1 * n + i]! += 1e3; // offset: the centring's cancellation
    x[3 * n + i] = 0.1;
  }
  return { X: { kind: 'dense', nRows: n, nCols: p, data: x }, y: Float64Array.from(d.y as ArrayLike<number>) };
}

for (const shuffle of [false, true]) {
  test(`foldStatistics (${shuffle ? 'shuffled' : 'contiguous'} folds): means, norms and q against the prepared rows, q within its bound`, () => {
    const n = 157, p = 9, K = 4;
    const { X, y } = data(n, p, 3);
    const folds = kFoldIndices(n, K, { shuffle, seed: 2 });
    // column 5 constant on fold 0's training rows (other values on its validation rows)
    const inVal0 = new Set(folds[0]!.val);
    for (let i = 0; i < n; i++) X.data[5 * n + i] = inVal0.has(i) ? i : -2.5;
    const targets = folds.map((f) => makeTarget(Float64Array.from(f.train, (i) => y[i]!), true));
    const st = foldStatistics(X, folds, y, targets);
    assert.ok(st !== null);
    for (let k = 0; k < K; k++) {
      const f = folds[k]!;
      const nk = f.train.length;
      const d = prepareRows(X, f.train, { center: true });
      const s: FoldStatistics = st![k]!;
      const qd = new Float64Array(p);
      const yc = targets[k]!.yc;
      colDots(d, yc, vecSum(nk, yc), null, p, qd);
      const ny = Math.sqrt(targets[k]!.yNormSq);
      for (let j = 0; j < p; j++) {
        assert.ok(Math.abs(s.colMeans[j]! - d.colMeans[j]!) <= 1e-13 * Math.max(1, Math.abs(d.colMeans[j]!)), `mean ${k},${j}`);
        if (j === 3 || (k === 0 && j === 5)) {
          assert.equal(s.colNormsSq[j], 0);
          assert.equal(s.q[j], 0);
          assert.equal(s.colMeans[j], j === 3 ? 0.1 : -2.5);
          continue;
        }
        assert.ok(Math.abs(s.colNormsSq[j]! - d.colNormsSq[j]!) <= 1e-10 * d.colNormsSq[j]!, `norm ${k},${j}: ${s.colNormsSq[j]} vs ${d.colNormsSq[j]}`);
        // b_j ≥ ‖X_c,j‖ and the bound: assembled γ_(n+T) b ρ‖y‖ + direct γ_n ‖X_c,j‖‖y‖
        const a = Math.sqrt(d.colNormsSq[j]!);
        assert.ok(s.err.norms[j]! >= a);
        const bound = gamma(nk + s.err.terms) * s.err.norms[j]! * s.qScale * ny + gamma(nk) * a * ny;
        assert.ok(Math.abs(s.q[j]! - qd[j]!) <= bound, `q ${k},${j}: |${s.q[j]} − ${qd[j]}| > ${bound}`);
        assert.ok(Math.abs(s.q[j]! - qd[j]!) <= 1e-12 * a * ny);
      }
      assert.ok(s.qScale >= 1 && s.qScale < 1.5, `ρ = ${s.qScale}`);
      disposeDesign(d);
    }
  });
}

test('lazyFoldDesign: no gather until the rows are read, then x − μ; disposal without a gather; λ_max from the assembled q', () => {
  const n = 120, p = 7;
  const { X, y } = data(n, p, 5);
  const folds = kFoldIndices(n, 3);
  const targets = folds.map((f) => makeTarget(Float64Array.from(f.train, (i) => y[i]!), true));
  const st = foldStatistics(X, folds, y, targets)!;
  const before = lazyRowStats.gathers;
  const f = folds[1]!;
  const d = lazyFoldDesign(X, f.train, st[1]!, targets[1]!.yc);
  const prob = new SparseProblem(d, Float64Array.from(f.train, (i) => y[i]!), 'lasso', {}, 't', 't',
    { y: Float64Array.from(f.train, (i) => y[i]!), yc: targets[1]!.yc, yMean: targets[1]!.yMean });
  assert.equal(lazyRowStats.gathers, before, 'λ_max read no row');
  const ref = prepareRows(X, f.train, { center: true });
  const refProb = new SparseProblem(ref, Float64Array.from(f.train, (i) => y[i]!), 'lasso');
  assert.ok(Math.abs(prob.lambdaMax - refProb.lambdaMax) <= 1e-12 * refProb.lambdaMax);
  // a solve in the residual mode reads the rows: gathered once, centred by the stored means
  const sol = prob.solve(refProb.lambdaMax / 5, { tol: 1e-12 });
  assert.equal(lazyRowStats.gathers, before + 1);
  const m = f.train.length;
  for (let j = 0; j < p; j++) for (let t = 0; t < m; t++) {
    assert.equal(d.data[j * m + t], X.data[j * n + f.train[t]!]! - d.colMeans[j]!);
  }
  const refSol = refProb.solve(refProb.lambdaMax / 5, { tol: 1e-12 });
  for (let j = 0; j < p; j++) assert.ok(Math.abs(sol.beta[j]! - refSol.beta[j]!) <= 1e-8, `β_${j}`);
  assert.equal(d.data, d.data); // stays one array
  assert.equal(lazyRowStats.gathers, before + 1);
  // a design never read is disposed without a gather
  const d2 = lazyFoldDesign(X, folds[0]!.train, st[0]!, targets[0]!.yc);
  disposeDesign(d2);
  disposeDesign(d);
  disposeDesign(ref);
  assert.equal(lazyRowStats.gathers, before + 1);
});

test('tuneLasso CV grid: lazy fold rows give the prepared rows\' λ, coefficients and CV values; no row gathered', () => {
  const { X, y } = data(600, 40, 11);
  const opts = { criterion: 'cv' as const, folds: 5, optimizer: 'grid' as const, tol: 1e-4 };
  const before = lazyRowStats.gathers;
  const made = lazyRowStats.designs;
  const lazy = withSetting(cvFoldMemory, 'lazyRows', true, () => tuneLasso(X, y, opts));
  assert.equal(lazyRowStats.designs, made + 5, 'five lazy fold designs');
  assert.equal(lazyRowStats.gathers, before, 'a planned grid CV reads no fold rows');
  const m2 = lazyRowStats.designs;
  const eager = withSetting(cvFoldMemory, 'lazyRows', false, () => tuneLasso(X, y, opts));
  assert.equal(lazyRowStats.designs, m2, 'lazyRows false: prepared rows');
  // no planned grid (a gradient search reads the rows anyway): prepared rows
  tuneLasso(X, y, { criterion: 'cv', folds: 5, tol: 1e-4, maxEvals: 3 });
  assert.equal(lazyRowStats.designs, m2, 'a gradient search: prepared rows');
  assert.deepEqual(Array.from(lazy.lambdas), Array.from(eager.lambdas));
  const scale = Math.max(...Array.from(eager.coef, Math.abs));
  for (let j = 0; j < 40; j++) assert.ok(Math.abs(lazy.coef[j]! - eager.coef[j]!) <= 1e-6 * scale, `coef ${j}`);
  assert.equal(lazy.history.length, eager.history.length);
  for (let i = 0; i < lazy.history.length; i++) {
    const a = lazy.history[i]!.value, b = eager.history[i]!.value;
    assert.ok(Math.abs(a - b) <= 1e-4 * Math.abs(b), `CV value ${i}: ${a} vs ${b}`);
  }
});

test('CrossValCriterion with lazy rows: hypergradients (rows read) agree with prepared rows', () => {
  const { X, y } = data(300, 20, 7);
  const before = lazyRowStats.gathers;
  const a = withSetting(cvFoldMemory, 'lazyRows', true, () => crossValForGrid(X, y, 'lasso', { folds: 3, shuffle: true, seed: 1 }, 'CrossValCriterion'));
  const b = withSetting(cvFoldMemory, 'lazyRows', false, () => crossValForGrid(X, y, 'lasso', { folds: 3, shuffle: true, seed: 1 }, 'CrossValCriterion'));
  assert.ok(a.folds.every((f) => (f.problem.design as { rowsPending?: boolean }).rowsPending === true));
  assert.ok(b.folds.every((f) => (f.problem.design as { rowsPending?: boolean }).rowsPending === undefined));
  for (const lam of [a.lambdaMax / 3, a.lambdaMax / 20]) {
    const ea = a.evaluate([lam], { tol: 1e-12 });
    const eb = b.evaluate([lam], { tol: 1e-12 });
    assert.ok(Math.abs(ea.value - eb.value) <= 1e-9 * Math.abs(eb.value));
    assert.ok(Math.abs(ea.gradient![0]! - eb.gradient![0]!) <= 1e-7 * Math.max(1, Math.abs(eb.gradient![0]!)));
  }
  assert.ok(lazyRowStats.gathers > before, 'the hypergradient path read the rows');
  a.dispose();
  b.dispose();
});
