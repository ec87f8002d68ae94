/**
 * @file Tests of the outer criteria (src/hpo/criteria.ts): K-fold CV values on a λ grid against an
 * independent naive implementation (own folds, own coordinate descent); CV, SURE (known and
 * estimated σ) and held-out hypergradients against finite differences of the criterion in log λ;
 * per-fold warm starts; shuffled folds; the noise-level estimator; input errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeCorrelatedData } from '../src/data/synthetic.js';
import { takeRows, type DenseDesign } from '../src/data/dataset.js';
import { CrossValCriterion, HeldOutCriterion, SureCriterion, estimateNoiseLevel, rawLambdaMax, type Criterion } from '../src/hpo/criteria.js';
import { lambdaMax, lambdaMaxLogreg } from '../src/lasso/models.js';
import { toCsc } from '../src/data/dataset.js';
import { InvalidArgumentError, NonFiniteError } from '../src/core/errors.js';

/** Independent Lasso (with intercept) by plain cyclic CD on explicitly centred copies. */
function naiveLasso(rows: number[][], y: number[], lambda: number): { beta: number[]; b: number } {
  const n = rows.length;
  const p = rows[0]!.length;
  const mu = Array.from({ length: p }, (_, j) => rows.reduce((s, r) => s + r[j]!, 0) / n);
  const ym = y.reduce((s, v) => s + v, 0) / n;
  const Xc = rows.map((r) => r.map((v, j) => v - mu[j]!));
  const r = y.map((v) => v - ym);
  const beta = new Array<number>(p).fill(0);
  const nrm = Array.from({ length: p }, (_, j) => Xc.reduce((s, row) => s + row[j]! * row[j]!, 0));
  for (let it = 0; it < 100_000; it++) {
    let maxd = 0;
    for (let j = 0; j < p; j++) {
      if (nrm[j] === 0) continue;
      let z = 0;
      for (let i = 0; i < n; i++) z += Xc[i]![j]! * r[i]!;
      z += nrm[j]! * beta[j]!;
      const t = n * lambda;
      const nb = z > t ? (z - t) / nrm[j]! : z < -t ? (z + t) / nrm[j]! : 0;
      const d = nb - beta[j]!;
      if (d !== 0) {
        for (let i = 0; i < n; i++) r[i]! -= d * Xc[i]![j]!;
        beta[j] = nb;
        maxd = Math.max(maxd, Math.abs(d));
      }
    }
    if (maxd < 1e-15) break;
  }
  return { beta, b: ym - mu.reduce((s, m, j) => s + m * beta[j]!, 0) };
}

function rowsOf(X: DenseDesign): number[][] {
  return Array.from({ length: X.nRows }, (_, i) => Array.from({ length: X.nCols }, (_, j) => X.data[j * X.nRows + i]!));
}

function fd(crit: Criterion, lam: Float64Array, k: number, tol: number, h = 2e-4): number {
  const at = (t: number): number => {
    const l = new Float64Array(lam);
    l[k] = lam[k]! * Math.exp(t);
    crit.resetWarmStart();
    return crit.evaluate(l, { tol, gradient: false, refine: true }).value;
  };
  return (at(-2 * h) - 8 * at(-h) + 8 * at(h) - at(2 * h)) / (12 * h);
}

test('CV values on a grid reproduce an independent naive K-fold CV (contiguous folds)', () => {
  const { X, y } = makeCorrelatedData(53, 12, { seed: 4, snr: 4, density: 0.4 });
  const cv = new CrossValCriterion(X, y, 'lasso', { folds: 4 });
  const rows = rowsOf(X);
  const ys = Array.from(y);
  // naive folds: sizes 14, 13, 13, 13 (first n % k folds one larger), contiguous
  const bounds = [0, 14, 27, 40, 53];
  const lmax = cv.lambdaMax;
  for (const frac of [0.8, 0.3, 0.1, 0.03]) {
    const lam = lmax * frac;
    let naive = 0;
    for (let k = 0; k < 4; k++) {
      const trIdx = [...Array(53).keys()].filter((i) => i < bounds[k]! || i >= bounds[k + 1]!);
      const vaIdx = [...Array(53).keys()].filter((i) => i >= bounds[k]! && i < bounds[k + 1]!);
      const fit = naiveLasso(trIdx.map((i) => rows[i]!), trIdx.map((i) => ys[i]!), lam);
      let mse = 0;
      for (const i of vaIdx) {
        const pred = fit.b + rows[i]!.reduce((s, v, j) => s + v * fit.beta[j]!, 0);
        mse += (pred - ys[i]!) ** 2;
      }
      naive += mse / vaIdx.length / 4;
    }
    const ev = cv.evaluate([lam], { tol: 1e-14, gradient: false });
    assert.ok(Math.abs(ev.value - naive) <= 1e-9 * naive, `λ = ${frac}·λmax: nsdiff ${ev.value} vs naive ${naive}`);
  }
});

test('CV hypergradient vs finite differences (lasso, enet, wlasso); shuffled folds', () => {
  const { X, y } = makeCorrelatedData(70, 20, { seed: 6, snr: 3, density: 0.3 });
  for (const [model, shuffle] of [['lasso', false], ['lasso', true], ['enet', false], ['wlasso', false]] as const) {
    const cv = new CrossValCriterion(X, y, model, { folds: 5, shuffle, seed: 3 });
    const lm = cv.lambdaMax;
    const lam = model === 'enet' ? Float64Array.of(lm / 7, lm / 25) : model === 'wlasso' ? new Float64Array(20).map((_, j) => lm / (6 + (j % 3))) : Float64Array.of(lm / 7);
    const ev = cv.evaluate(lam, { tol: 1e-14 });
    assert.ok(ev.diagnostics.ok, ev.diagnostics.messages.join('; '));
    const ks = model === 'enet' ? [0, 1] : model === 'wlasso' ? [0, 5, 11] : [0];
    let scale = 0;
    for (const v of ev.gradient!) scale = Math.max(scale, Math.abs(v));
    for (const k of ks) {
      const f = fd(cv, lam, k, 1e-14);
      assert.ok(Math.abs(ev.gradient![k]! - f) <= 1e-6 * scale, `${model} shuffle=${shuffle} k=${k}: ${ev.gradient![k]} vs FD ${f}`);
    }
  }
});

test('shuffled folds differ from contiguous ones and are seeded', () => {
  const { X, y } = makeCorrelatedData(40, 8, { seed: 1 });
  const a = new CrossValCriterion(X, y, 'lasso', { folds: 4 });
  const b = new CrossValCriterion(X, y, 'lasso', { folds: 4, shuffle: true, seed: 5 });
  const c = new CrossValCriterion(X, y, 'lasso', { folds: 4, shuffle: true, seed: 5 });
  assert.deepEqual(Array.from(a.foldIndices[0]!.val), [...Array(10).keys()]);
  assert.notDeepEqual(Array.from(b.foldIndices[0]!.val), Array.from(a.foldIndices[0]!.val));
  assert.deepEqual(Array.from(b.foldIndices[2]!.val), Array.from(c.foldIndices[2]!.val));
});

test('SURE hypergradient vs finite differences, known and estimated σ (lasso, enet)', () => {
  const { X, y } = makeCorrelatedData(80, 25, { seed: 8, snr: 3, density: 0.2 });
  for (const [model, sigma] of [['lasso', 0.7], ['lasso', undefined], ['enet', 0.7]] as const) {
    const sure = new SureCriterion(X, y, model, sigma === undefined ? {} : { sigma });
    const lm = sure.lambdaMax;
    const lam = model === 'enet' ? Float64Array.of(lm / 6, lm / 20) : Float64Array.of(lm / 6);
    const ev = sure.evaluate(lam, { tol: 1e-14 });
    assert.ok(ev.finite && ev.diagnostics.ok);
    let scale = 0;
    for (const v of ev.gradient!) scale = Math.max(scale, Math.abs(v));
    for (let k = 0; k < lam.length; k++) {
      const f = fd(sure, lam, k, 1e-14);
      assert.ok(Math.abs(ev.gradient![k]! - f) <= 1e-6 * scale, `${model} σ=${sigma} k=${k}: ${ev.gradient![k]} vs FD ${f}`);
    }
  }
});

test('SURE tracks the true prediction risk and the noise estimator recovers σ', () => {
  const n = 300, p = 60;
  const { X, y, wTrue } = makeCorrelatedData(n, p, { seed: 2, snr: 2, density: 0.1, corr: 0.3 });
  // true noise level from the construction: y = Xw* + noise
  const signal = new Float64Array(n);
  for (let j = 0; j < p; j++) for (let i = 0; i < n; i++) signal[i] += X.data[j * n + i]! * wTrue[j]!;
  let nn = 0;
  for (let i = 0; i < n; i++) nn += (y[i]! - signal[i]!) ** 2;
  const sigmaTrue = Math.sqrt(nn / n);
  const sig = estimateNoiseLevel(X, y);
  assert.ok(Math.abs(sig - sigmaTrue) / sigmaTrue < 0.15, `σ̂ = ${sig}, σ = ${sigmaTrue}`);
  const sure = new SureCriterion(X, y, 'lasso', { sigma: sigmaTrue });
  for (const frac of [0.3, 0.1, 0.03]) {
    const lam = sure.lambdaMax * frac;
    const ev = sure.evaluate([lam], { tol: 1e-10, gradient: false });
    const sol = sure.problem.lastSolution!;
    // risk ‖ŷ − Xw* − b*‖²/n with the intercept absorbed: compare centred quantities
    let risk = 0;
    const fm = sol.fitted.reduce((s, v) => s + v, 0) / n;
    const sm = signal.reduce((s, v) => s + v, 0) / n;
    for (let i = 0; i < n; i++) risk += (sol.fitted[i]! - fm - (signal[i]! - sm)) ** 2;
    risk /= n;
    assert.ok(Math.abs(ev.value - risk) < 0.5 * sigmaTrue ** 2, `λ=${frac}λmax SURE ${ev.value} vs risk ${risk} (σ² = ${sigmaTrue ** 2})`);
  }
});

test('held-out logistic criterion: value and hypergradient vs finite differences', () => {
  const { X, y } = makeCorrelatedData(150, 20, { seed: 13, snr: 2, density: 0.3 });
  const lab = y.map((v) => (v > 0 ? 1 : 0));
  const tr = Int32Array.from({ length: 100 }, (_, i) => i);
  const va = Int32Array.from({ length: 50 }, (_, i) => 100 + i);
  const crit = new HeldOutCriterion({ X: takeRows(X, tr), y: lab.slice(0, 100) }, { X: takeRows(X, va), y: lab.slice(100) }, 'logreg');
  const lam = Float64Array.of(crit.lambdaMax / 5);
  const ev = crit.evaluate(lam, { tol: 1e-13 });
  assert.ok(ev.value > 0 && ev.value < Math.log(2) * 1.2);
  const f = fd(crit, lam, 0, 1e-13);
  assert.ok(Math.abs(ev.gradient![0]! - f) <= 1e-6 * Math.abs(f), `${ev.gradient![0]} vs ${f}`);
});

test('each fold keeps its own warm start: re-evaluation at the same λ costs no inner epoch', () => {
  const { X, y } = makeCorrelatedData(100, 40, { seed: 3 });
  const cv = new CrossValCriterion(X, y, 'lasso', { folds: 5 });
  const lam = [cv.lambdaMax / 10];
  const a = cv.evaluate(lam, { tol: 1e-8, method: 'implicit-forward' });
  assert.ok(a.inner.epochs > 0);
  const b = cv.evaluate(lam, { tol: 1e-8, method: 'implicit-forward' });
  assert.equal(b.inner.epochs, 0);
  assert.ok(b.inner.jacIterations <= 2 * 5, `Jacobian epochs over 5 folds: ${b.inner.jacIterations}`);
  assert.ok(Math.abs(a.value - b.value) <= 1e-10 * a.value);
  // distinct folds hold distinct solutions
  const s0 = cv.folds[0]!.problem.lastSolution!.beta;
  const s1 = cv.folds[1]!.problem.lastSolution!.beta;
  assert.notDeepEqual(Array.from(s0), Array.from(s1));
});

test('criteria reject bad inputs with typed errors', () => {
  const { X, y } = makeCorrelatedData(30, 6, { seed: 1 });
  assert.throws(() => new CrossValCriterion(takeRows(X, Int32Array.of(0, 1, 2)), y.slice(0, 3), 'lasso', { folds: 5 }), InvalidArgumentError);
  assert.throws(() => new CrossValCriterion(X, y, 'lasso', { folds: 1 }), InvalidArgumentError);
  assert.throws(() => new SureCriterion(X, y, 'logreg'), InvalidArgumentError);
  assert.throws(() => new SureCriterion(X, y, 'lasso', { sigma: -1 }), InvalidArgumentError);
  assert.throws(() => new SureCriterion(X, new Float64Array(30).fill(2), 'lasso'), InvalidArgumentError);
  const yb = y.slice();
  yb[0] = Infinity;
  assert.throws(() => new CrossValCriterion(X, yb, 'lasso'), NonFiniteError);
  const Xv = takeRows(X, Int32Array.of(0, 1)) as DenseDesign;
  const bad = { ...Xv, data: Xv.data.slice() };
  bad.data[1] = NaN;
  assert.throws(() => new HeldOutCriterion({ X, y }, { X: bad, y: y.slice(0, 2) }, 'lasso'), NonFiniteError);
  const cv = new CrossValCriterion(X, y, 'lasso', { folds: 3 });
  assert.throws(() => cv.evaluate([0]), InvalidArgumentError);
  assert.throws(() => cv.evaluate([NaN]), NonFiniteError);
});

test('the CV search range (λ_max of the full data, computed without preparing a design) matches src/lasso', () => {
  const { X, y } = makeCorrelatedData(50, 12, { seed: 9 });
  const Xd = X as DenseDesign;
  const data = Xd.data.slice();
  data.fill(4, 0, 50); // a constant column
  const Xc: DenseDesign = { ...Xd, data };
  const lab = y.map((v) => (v > 0 ? 1 : 0));
  for (const M of [Xc, toCsc(Xc)]) {
    for (const fit of [true, false]) {
      const a = rawLambdaMax(M, y, 'lasso', fit);
      const b = lambdaMax(M, y, { fitIntercept: fit });
      assert.ok(Math.abs(a - b) <= 1e-12 * b, `lasso fit=${fit}: ${a} vs ${b}`);
      const c = rawLambdaMax(M, lab, 'logreg', fit);
      const e = lambdaMaxLogreg(M, lab, { fitIntercept: fit });
      assert.ok(Math.abs(c - e) <= 1e-12 * e, `logreg fit=${fit}: ${c} vs ${e}`);
    }
  }
});

test('CrossValCriterion.evaluateMany: fold by fold, the same values bit for bit as evaluate point by point (loose grid path, certified points, gradients)', () => {
  const { X, y } = makeCorrelatedData(500, 30, { corr: 0.5, snr: 3, density: 0.3, seed: 21 });
  const lams = Array.from({ length: 25 }, (_, k) => [0.5 * Math.pow(0.85, k)]); // ≥ 20: the Gram mode is planned (loose path)
  for (const opts of [{ gradient: false, certify: false, tol: 1e-4 }, { gradient: false, tol: 1e-4 }, { tol: 1e-6 }]) {
    const a = new CrossValCriterion(X, y, 'lasso', { folds: 4 });
    const b = new CrossValCriterion(X, y, 'lasso', { folds: 4 });
    a.planEvaluations(lams.length);
    b.planEvaluations(lams.length);
    const many = a.evaluateMany(lams, opts);
    assert.equal(many.evaluations.length, lams.length);
    assert.equal(many.ms.length, lams.length);
    for (let i = 0; i < lams.length; i++) {
      const one = b.evaluate(lams[i]!, opts);
      const ev = many.evaluations[i]!;
      assert.equal(ev.value, one.value, `point ${i}`);
      assert.equal(ev.supportSize, one.supportSize);
      assert.equal(ev.inner.epochs, one.inner.epochs);
      assert.equal(ev.inner.certified, one.inner.certified);
      assert.deepEqual(ev.gradient, one.gradient);
      assert.ok(many.ms[i]! >= 0);
    }
    a.dispose();
    b.dispose();
  }
});
