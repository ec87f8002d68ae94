/**
 * @file Tests of the outer loops and the estimator API (src/hpo/optimizers.ts, estimator.ts): the
 * search never leaves the clipped log-λ box, non-finite evaluations are rejected (never a NaN λ),
 * the inner tolerance decreases, line search and Adam reach the 100-point grid optimum within 0.5%,
 * the grid is scikit-learn's, `LassoHO` / `tuneLasso` / `lassoHypergradient` behave like their
 * documentation (refit, predict, enet / wlasso / logreg / SURE / held-out), and bad inputs raise
 * typed errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeCorrelatedData } from '../src/data/synthetic.js';
import { takeRows, type DenseDesign } from '../src/data/dataset.js';
import { lasso } from '../src/lasso/cd.js';
import {
  CrossValCriterion, HeldOutCriterion, lassoHypergradient, optimize, tuneLasso,
  type Criterion, type CriterionEvaluation,
} from '../src/hpo/index.js';
import { InvalidArgumentError, NonFiniteError } from '../src/core/errors.js';
import { LassoHO } from '../src/estimators/index.js';

const data = makeCorrelatedData(120, 60, { seed: 5, snr: 3, density: 0.15 });

/** A synthetic criterion: (θ − c)², non-finite for θ < bad. */
function fakeCriterion(c: number, bad: number, lmax = 1): Criterion & { calls: number[] } {
  const calls: number[] = [];
  return {
    name: 'heldout', model: 'lasso', nHyper: 1, lambdaMax: lmax, calls,
    resetWarmStart: () => {},
    evaluate(l: ArrayLike<number> | number): CriterionEvaluation {
      const lam = typeof l === 'number' ? l : l[0]!;
      const th = Math.log(lam);
      calls.push(lam);
      const broken = th < bad;
      const value = broken ? NaN : (th - c) ** 2;
      return {
        lambdas: Float64Array.of(lam), value, gradient: Float64Array.of(broken ? NaN : 2 * (th - c)), supportSize: 1,
        inner: { solves: 1, epochs: 0, converged: true, solveMs: 0, postMs: 0, hypergradMs: 0, jacIterations: 0, certified: true, finalTol: 0 },
        diagnostics: { ok: true, kinks: 0, rankDeficient: false, kktViolation: 0, messages: [] }, finite: !broken,
      };
    },
  };
}

test('the search never leaves the clipped box [log λmax − 12, log λmax], even with huge steps', () => {
  const cv = new CrossValCriterion(data.X, data.y, 'lasso', { folds: 3 });
  const lo = Math.log(cv.lambdaMax) - 12;
  const hi = Math.log(cv.lambdaMax);
  const runs = [
    optimize(cv, { optimizer: 'line-search', firstStep: 100, maxStep: 100, maxEvals: 8, init: cv.lambdaMax * 1e-9 }),
    optimize(cv, { optimizer: 'line-search', firstStep: 100, maxStep: 100, maxEvals: 8, init: cv.lambdaMax * 50 }),
    optimize(cv, { optimizer: 'adam', lr: 20, maxEvals: 8 }),
  ];
  for (const r of runs) {
    assert.deepEqual(r.bounds, [lo, hi]);
    assert.ok(r.history.length > 0, 'no evaluations: the bound checks below would be empty');
    for (const h of r.history) {
      assert.ok(h.logLambdas[0]! >= lo - 1e-12 && h.logLambdas[0]! <= hi + 1e-12, `log λ = ${h.logLambdas[0]} outside [${lo}, ${hi}]`);
      assert.ok(Number.isFinite(h.lambdas[0]!));
    }
  }
  // explicit bounds are honoured too
  const r = optimize(fakeCriterion(-100, -Infinity), { bounds: [-3, 0], maxEvals: 10 });
  assert.ok(r.history.length > 0);
  for (const h of r.history) assert.ok(h.logLambdas[0]! >= -3 && h.logLambdas[0]! <= 0);
  assert.ok(Math.abs(r.logLambdas[0]! + 3) < 1e-12, 'stops at the lower bound');
  assert.match(r.stopReason, /boundary|xtol/);
});

test('non-finite evaluations are rejected and never produce a NaN λ', () => {
  for (const optimizer of ['line-search', 'adam'] as const) {
    const crit = fakeCriterion(-6, -3); // minimum at θ = −6, but NaN below −3
    const r = optimize(crit, { optimizer, init: Math.exp(-1), firstStep: 4, maxEvals: 25, lr: 1 });
    for (const h of r.history) assert.ok(Number.isFinite(h.logLambdas[0]!));
    assert.ok(r.history.some((h) => !h.finite), 'some evaluations were non-finite');
    assert.ok(r.history.filter((h) => !h.finite).every((h) => !h.accepted));
    assert.ok(Number.isFinite(r.value) && r.logLambdas[0]! >= -3 - 1e-12, `best θ ${r.logLambdas[0]}`);
    assert.ok(crit.calls.length > 0);
    for (const l of crit.calls) assert.ok(Number.isFinite(l) && l > 0);
  }
  assert.throws(() => optimize(fakeCriterion(0, 10)), NonFiniteError);
});

test('line search converges on a smooth 1-D problem, with a decreasing inner tolerance', () => {
  const r = optimize(fakeCriterion(-2.5, -Infinity), { init: Math.exp(-0.2), tol: 1e-8, tolStart: 1e-3, maxEvals: 30 });
  assert.ok(r.converged);
  assert.ok(Math.abs(r.logLambdas[0]! + 2.5) < 1e-3, `θ = ${r.logLambdas[0]}`);
  for (let k = 1; k < r.history.length; k++) assert.ok(r.history[k]!.innerTol <= r.history[k - 1]!.innerTol);
  assert.ok(r.history.length <= 10, `secant steps: ${r.history.length} evaluations`);
});

test('line search and Adam reach the 100-point grid optimum within 0.5% (5-fold CV)', () => {
  const cv = new CrossValCriterion(data.X, data.y, 'lasso', { folds: 5 });
  const grid = optimize(cv, { optimizer: 'grid', tol: 1e-8 });
  assert.equal(grid.history.length, 100);
  const gl = grid.history.map((h) => h.lambdas[0]!);
  assert.ok(Math.abs(gl[0]! - cv.lambdaMax) < 1e-12 * cv.lambdaMax && Math.abs(gl[99]! / gl[0]! - 1e-3) < 1e-12);
  for (const optimizer of ['line-search', 'adam'] as const) {
    cv.resetWarmStart();
    const r = optimize(cv, { optimizer, tol: 1e-6 });
    cv.resetWarmStart();
    const exact = cv.evaluate(r.lambdas, { tol: 1e-10, gradient: false }).value;
    assert.ok(exact <= grid.value * 1.005, `${optimizer}: ${exact} vs grid ${grid.value} (${r.history.length} evaluations)`);
  }
});

test('tuneLasso refits on all rows at the chosen λ', () => {
  const r = tuneLasso(data.X, data.y, { folds: 4 });
  const ref = lasso(data.X, data.y, r.lambdas[0]!, { tol: 1e-12 });
  for (let j = 0; j < 60; j++) assert.ok(Math.abs(r.coef[j]! - ref.beta[j]!) <= 1e-6 * (1 + Math.abs(ref.beta[j]!)));
  assert.ok(Math.abs(r.intercept - ref.intercept) <= 1e-6);
  assert.equal(r.criterionKind, 'cv');
  // scouting evaluations (value only) come first, then the hypergradient descent
  const descent = r.history.filter((h) => h.gradient !== null);
  assert.ok(descent.length >= 2 && r.history.every((h) => h.supportSize >= 0 && h.timeMs >= 0));
  // (up to 5: scouting stops at the first point worse than the best)
  const nScout = r.history.findIndex((h) => h.gradient !== null);
  assert.ok(nScout >= 2 && nScout <= 5, `${nScout} scouting evaluations`);
  // after it, value-only only the end look (120 × 60, folds of 90 rows: features ≤ rows), loose, at
  // the bottom of the scouting range (λmax·1e-3)
  const lmax = new CrossValCriterion(data.X, data.y, 'lasso', { folds: 4 }).lambdaMax;
  const valueOnly = r.history.slice(nScout).filter((h) => h.gradient === null);
  assert.ok(valueOnly.length <= 1, `${valueOnly.length} value-only entries after the scouting`);
  for (const h of valueOnly) assert.ok(!h.certified && !h.accepted && Math.abs(h.lambdas[0]! / (lmax * 1e-3) - 1) < 1e-12, 'the end look');
});

test('LassoHO estimator API: lasso / enet / wlasso / logreg / SURE / held-out / grid', () => {
  const est = new LassoHO({ model: 'lasso', criterion: 'cv', folds: 3 }).fit(data.X, data.y);
  const pred = est.predict(data.X);
  assert.equal(pred.length, 120);
  assert.ok(est.lambda > 0 && est.lambdas.length === 1 && Number.isFinite(est.criterionValue));
  assert.ok(est.coef.length === 60 && est.history.length > 0);
  // rows input
  const rows = Array.from({ length: 5 }, (_, i) => Array.from({ length: 60 }, (_, j) => data.X.data[j * 120 + i]!));
  assert.deepEqual(Array.from(est.predict(rows)), Array.from(pred.slice(0, 5)));

  const en = new LassoHO({ model: 'enet', criterion: 'cv', folds: 3, maxEvals: 8 }).fit(data.X, data.y);
  assert.equal(en.lambdas.length, 2);
  const wl = new LassoHO({ model: 'wlasso', criterion: 'heldout', maxEvals: 6, init: 0.05 }).fit(data.X, data.y);
  assert.equal(wl.lambdas.length, 60);
  const su = new LassoHO({ model: 'lasso', criterion: 'sure', maxEvals: 10 }).fit(data.X, data.y);
  assert.ok(su.lambda > 0);
  const gr = new LassoHO({ optimizer: 'grid', gridSize: 20, folds: 3 }).fit(data.X, data.y);
  assert.equal(gr.history.length, 20);

  const labels = data.y.map((v) => (v > 0 ? 1 : 0));
  const lr = new LassoHO({ model: 'logreg', criterion: 'cv', folds: 3, maxEvals: 8 }).fit(data.X, labels);
  const lp = lr.predict(data.X);
  assert.ok(lp.every((v) => v === 0 || v === 1));
  let acc = 0;
  for (let i = 0; i < 120; i++) if (lp[i] === labels[i]) acc++;
  assert.ok(acc / 120 > 0.7, `training accuracy ${acc / 120}`);
  const pr = lr.predictProba(data.X);
  assert.ok(pr.data.every((v) => v > 0 && v < 1));

  // explicit validation set
  const tr = Int32Array.from({ length: 90 }, (_, i) => i);
  const va = Int32Array.from({ length: 30 }, (_, i) => 90 + i);
  const ho = new LassoHO({ criterion: 'heldout' }).fit(takeRows(data.X, tr), data.y.slice(0, 90), { X: takeRows(data.X, va), y: data.y.slice(90) });
  assert.equal(ho.result.criterionKind, 'heldout');
  assert.throws(() => new LassoHO().coef, InvalidArgumentError);
  assert.throws(() => new LassoHO({ model: 'ridge' as 'lasso' }), InvalidArgumentError);
});

test('lassoHypergradient (what the CLI calls) matches the criterion objects', () => {
  const tr = Int32Array.from({ length: 90 }, (_, i) => i);
  const va = Int32Array.from({ length: 30 }, (_, i) => 90 + i);
  const train = { X: takeRows(data.X, tr), y: data.y.slice(0, 90) };
  const val = { X: takeRows(data.X, va), y: data.y.slice(90) };
  const r = lassoHypergradient(train, val, 0.05);
  const ev = new HeldOutCriterion(train, val, 'lasso').evaluate([0.05], { tol: 1e-8 });
  assert.equal(r.criterionKind, 'heldout');
  assert.ok(Math.abs(r.criterion - ev.value) <= 1e-12 * ev.value);
  assert.ok(Math.abs(r.hypergradient[0]! - ev.gradient![0]!) <= 1e-9 * Math.abs(ev.gradient![0]!));
  assert.ok(r.supportSize > 0 && r.diagnostics.ok && r.lambdaMax > 0.05);
  const cvr = lassoHypergradient({ X: data.X, y: data.y }, null, 0.05, { folds: 4 });
  assert.equal(cvr.criterionKind, 'cv');
  const en = lassoHypergradient(train, val, [0.05, 0.01], { model: 'enet', method: 'implicit-forward' });
  assert.equal(en.hypergradient.length, 2);
  assert.throws(() => lassoHypergradient(train, val, 0), InvalidArgumentError);
  assert.throws(() => lassoHypergradient(train, val, 0.05, { criterion: 'sure' }), InvalidArgumentError);
});

test('tuneLasso rejects degenerate and malformed inputs with typed errors', () => {
  const X = data.X as DenseDesign;
  assert.throws(() => tuneLasso(X, new Float64Array(120)), InvalidArgumentError); // all-zero y: λmax = 0
  const constant: DenseDesign = { ...X, data: new Float64Array(X.data.length).fill(2) };
  assert.throws(() => tuneLasso(constant, data.y), InvalidArgumentError); // every column constant
  const yn = data.y.slice();
  yn[7] = NaN;
  assert.throws(() => tuneLasso(X, yn), NonFiniteError);
  const Xn: DenseDesign = { ...X, data: X.data.slice() };
  Xn.data[11] = NaN;
  assert.throws(() => tuneLasso(Xn, data.y), NonFiniteError);
  assert.throws(() => tuneLasso(takeRows(X, Int32Array.of(0, 1, 2)), data.y.slice(0, 3), { folds: 5 }), InvalidArgumentError);
  assert.throws(() => tuneLasso(X, data.y, { optimizer: 'newton' as 'adam' }), InvalidArgumentError);
  assert.throws(() => tuneLasso(X, data.y, { init: -1 }), InvalidArgumentError);
  assert.throws(() => tuneLasso(X, data.y, { bounds: [1, 0] }), InvalidArgumentError);
  assert.throws(() => tuneLasso(X, data.y, { criterion: 'aic' as 'cv' }), InvalidArgumentError);
});

test('maxEvals is a hard limit on every criterion evaluation: scouting, rejected trials, grid points', () => {
  for (const optimizer of ['line-search', 'adam'] as const) {
    for (const maxEvals of [1, 2, 3, 4, 7]) {
      for (const init of ['scout', 0.5] as const) {
        // a criterion with non-finite regions and rejected steps (huge first step)
        const crit = fakeCriterion(-3, -5);
        const r = optimize(crit, { optimizer, maxEvals, init, firstStep: 20, maxStep: 20, lr: 5, xtol: 1e-12 });
        assert.equal(crit.calls.length, r.nEvaluations, 'every evaluation is counted');
        assert.ok(r.nEvaluations <= maxEvals, `${optimizer}, init ${init}, maxEvals ${maxEvals}: ${r.nEvaluations} evaluations`);
        assert.ok(r.history.length <= r.nEvaluations, 'the history lists at most the evaluations');
      }
    }
    // the budget is reached (not only bounded) when nothing else stops the search
    const crit = fakeCriterion(-3, -Infinity);
    const r = optimize(crit, { optimizer, maxEvals: 4, xtol: 1e-15, ftol: 0 });
    assert.equal(crit.calls.length, 4);
    assert.equal(r.stopReason, 'evaluation budget exhausted');
    assert.equal(r.converged, false);
  }
  // grid: the default grid shrinks to the budget, over the same range
  const g = fakeCriterion(-3, -Infinity, 1);
  const rg = optimize(g, { optimizer: 'grid', maxEvals: 2 });
  assert.equal(rg.nEvaluations, 2, 'two grid points (their certification is part of their evaluation)');
  assert.equal(g.calls[0], 1);
  assert.ok(Math.abs(g.calls[1]! / 1e-3 - 1) <= 1e-12, `bottom of the grid ${g.calls[1]}`);
  assert.equal(rg.history.length, 2);
  assert.equal(optimize(fakeCriterion(-3, -Infinity), { optimizer: 'grid' }).history.length, 100, 'without maxEvals: the 100-point grid');
  // an explicitly sized grid that does not fit is an error naming both numbers
  assert.throws(() => optimize(fakeCriterion(-3, -Infinity), { optimizer: 'grid', gridSize: 10, maxEvals: 5 }),
    (e: unknown) => e instanceof InvalidArgumentError && /the grid has 10 λ values = 10 evaluations, more than maxEvals = 5/.test(e.message));
  // enet: λ₂ × λ₁ points within the budget
  const en = tuneLasso(data.X, data.y, { model: 'enet', optimizer: 'grid', criterion: 'heldout', maxEvals: 7 });
  assert.ok(en.history.length <= 7 && en.history.length >= 6, `enet grid: ${en.history.length}`);
});
