/**
 * @file `LassoHO` (moved to src/estimators): equal to `tuneLasso`, unknown options refused with a
 * suggestion, `standardize` equal to tuning on manually standardized columns mapped back (also
 * with an explicit validation set, scaled with the training scales), scores and typed errors.
 * Its older API test (lasso / enet / wlasso / logreg / SURE / grid) is in hpo.optimizers.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError, LassoHO, NotFittedError, denseFromRows, r2Score, takeRows, tuneLasso } from '../src/index.js';
import { makeCorrelatedData } from '../src/data/synthetic.js';
import { assertClose } from './helpers.js';

const data = makeCorrelatedData(80, 15, { seed: 4, snr: 3, density: 0.3 });
const n = 80;
const p = 15;
// columns on different scales and offsets, so that standardization matters
const rows = Array.from({ length: n }, (_, i) => Array.from({ length: p }, (_, j) => data.X.data[j * n + i]! * 10 ** ((j % 5) - 2) + j));

test('LassoHO equals tuneLasso; unknown options are refused with a suggestion', () => {
  const opts = { criterion: 'cv', folds: 3, maxEvals: 6 } as const;
  const est = new LassoHO(opts).fit(data.X, data.y);
  const ref = tuneLasso(data.X, data.y, opts);
  assert.deepEqual(Array.from(est.lambdas), Array.from(ref.lambdas));
  assertClose(est.coef, ref.coef, 0, 'coef');
  assert.equal(est.intercept, ref.intercept);
  assert.equal(est.score(data.X, data.y), r2Score(data.y, est.predict(data.X)));
  assert.deepEqual(est.decisionFunction(data.X).shape, [n]);
  assert.throws(() => new LassoHO({ critrion: 'cv' } as never), (e: unknown) => e instanceof InvalidArgumentError && /LassoHO\(\): unknown option 'critrion' \(did you mean 'criterion'\?\)/.test((e as Error).message));
  assert.throws(() => new LassoHO({ standardize: 1 as never }), /LassoHO\(\): standardize must be true or false/);
  assert.throws(() => new LassoHO().predict(data.X), (e: unknown) => e instanceof NotFittedError && /LassoHO\.predict\(\): this LassoHO is not fitted/.test((e as Error).message));
  assert.throws(() => est.predict([[1, 2]]), /LassoHO\.predict\(\): X has 2 features/);
  assert.throws(() => est.predictProba(data.X), /LassoHO\.predictProba\(\): only for model 'logreg'/);
});

test('standardize: equals tuning on manually standardized columns, mapped back to the raw scale', () => {
  const mean = Array.from({ length: p }, (_, j) => rows.reduce((s, r) => s + r[j]!, 0) / n);
  const std = mean.map((m, j) => Math.sqrt(rows.reduce((s, r) => s + (r[j]! - m) ** 2, 0) / n));
  const Z = rows.map((r) => r.map((v, j) => (v - mean[j]!) / std[j]!));
  const opts = { criterion: 'cv', folds: 3, maxEvals: 8, tol: 1e-10, refitTol: 1e-12 } as const;
  const man = new LassoHO(opts).fit(Z, data.y);
  const st = new LassoHO({ ...opts, standardize: true }).fit(rows, data.y);
  assertClose(st.lambdas, man.lambdas, 1e-6, 'chosen λ (standardized units)');
  const coef = man.coef.map((c, j) => c / std[j]!);
  assertClose(st.coef, coef, 1e-6, 'coef');
  assertClose(st.intercept, man.intercept - mean.reduce((s, m, j) => s + m * coef[j]!, 0), 1e-6, 'intercept');
  assertClose(st.predict(rows), man.predict(Z), 1e-6, 'predictions on raw X');
  assertClose(st.result.coef, st.coef, 0, 'result.coef is on the raw scale');
  // explicit validation set: scaled with the training scales
  const tr = Int32Array.from({ length: 60 }, (_, i) => i);
  const va = Int32Array.from({ length: 20 }, (_, i) => 60 + i);
  const Xr = denseFromRows(rows);
  const trMean = Array.from({ length: p }, (_, j) => rows.slice(0, 60).reduce((s, r) => s + r[j]!, 0) / 60);
  const trStd = trMean.map((m, j) => Math.sqrt(rows.slice(0, 60).reduce((s, r) => s + (r[j]! - m) ** 2, 0) / 60));
  const scale = (R: number[][]): number[][] => R.map((r) => r.map((v, j) => (v - trMean[j]!) / trStd[j]!));
  const hoMan = new LassoHO({ maxEvals: 6, tol: 1e-10, refitTol: 1e-12 }).fit(scale(rows.slice(0, 60)), data.y.slice(0, 60), { X: scale(rows.slice(60)), y: data.y.slice(60) });
  const hoSt = new LassoHO({ maxEvals: 6, tol: 1e-10, refitTol: 1e-12, standardize: true }).fit(takeRows(Xr, tr), data.y.slice(0, 60), { X: takeRows(Xr, va), y: data.y.slice(60) });
  assert.equal(hoSt.result.criterionKind, 'heldout');
  assertClose(hoSt.lambdas, hoMan.lambdas, 1e-6, 'held-out λ');
  assertClose(hoSt.coef, hoMan.coef.map((c, j) => c / trStd[j]!), 1e-6, 'held-out coef');
});

test('logreg mode: labels, probabilities [n, 2], accuracy', () => {
  const y = Array.from(data.y, (v) => (v > 0 ? 1 : 0));
  const est = new LassoHO({ model: 'logreg', criterion: 'heldout', maxEvals: 4, standardize: true }).fit(rows, y);
  assert.deepEqual(Array.from(est.classes), [0, 1]);
  const P = est.predictProba(rows);
  assert.deepEqual(P.shape, [n, 2]);
  const f = est.decisionFunction(rows);
  const pred = est.predict(rows);
  for (let i = 0; i < n; i++) {
    assert.ok(Math.abs(P.data[2 * i]! + P.data[2 * i + 1]! - 1) < 1e-15);
    assert.equal(pred[i], f.data[i]! > 0 ? 1 : 0);
  }
  assert.ok(est.score(rows, y) > 0.7, `accuracy ${est.score(rows, y)}`);
  assert.throws(() => new LassoHO().fit(data.X, data.y).classes, /LassoHO\.classes: only for model 'logreg'/);
});
