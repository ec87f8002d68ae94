/**
 * @file `SparseLogisticRegression`: equal to `sparseLogreg()` for two classes (any two numeric
 * labels), one-vs-rest for more (each row one `sparseLogreg` of class k vs the rest), probabilities
 * (rows sum to 1, binary p = σ(f)), decision function shapes, standardization mapped back, and
 * typed errors. LassoHO's classifier mode is in estimators.lasso_ho.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  InvalidArgumentError, NotFittedError, ShapeError, SparseLogisticRegression, sparseLogreg, loadDataset, takeRows, type DenseDesign,
} from '../src/index.js';
import { makeClassification } from '../src/data/synthetic.js';
import { assertClose } from './helpers.js';

const data = makeClassification(80, 10, { design: 'dense', seed: 2, nInformative: 4 });
const n = 80;

test('binary: equals sparseLogreg with λ = 1/(C·n); labels need not be 0/1', () => {
  const C = 0.5;
  const ref = sparseLogreg(data.X, data.y, 1 / (C * n), { tol: 1e-10, maxIter: 10_000 });
  const labels = Array.from(data.y, (v) => (v === 1 ? 7 : 3)); // classes [3, 7]: 7 is the positive class
  const clf = new SparseLogisticRegression({ C, tol: 1e-10 }).fit(data.X, labels);
  assert.deepEqual(Array.from(clf.classes), [3, 7]);
  assert.equal(clf.coef.length, 1);
  assert.deepEqual(Array.from(clf.coef[0]!), Array.from(ref.beta, (v) => (v === 0 ? 0 : v)));
  assert.equal(clf.intercept[0], ref.intercept);
  assert.equal(clf.nIter[0], ref.iterations);
  const f = clf.decisionFunction(data.X);
  assert.deepEqual(f.shape, [n]);
  assertClose(f, ref.linearPredictor, 1e-12, 'decision function = Xβ + b');
  const P = clf.predictProba(data.X);
  assert.deepEqual(P.shape, [n, 2]);
  for (let i = 0; i < n; i++) {
    const q = 1 / (1 + Math.exp(-f.data[i]!));
    assert.ok(Math.abs(P.data[2 * i + 1]! - q) < 1e-15 && Math.abs(P.data[2 * i]! + P.data[2 * i + 1]! - 1) < 1e-15);
  }
  const pred = clf.predict(data.X);
  for (let i = 0; i < n; i++) assert.equal(pred[i], f.data[i]! > 0 ? 7 : 3);
  const acc = clf.score(data.X, labels);
  assert.equal(acc, pred.filter((v, i) => v === labels[i]).length / n);
  assert.ok(acc > 0.75, `training accuracy ${acc}`);
});

test('multiclass one-vs-rest: row k is sparseLogreg of class k vs rest; argmax prediction; probabilities sum to 1', () => {
  const d = loadDataset('digits');
  const rows = Int32Array.from({ length: 200 }, (_, i) => i);
  const X = takeRows(d.X, rows);
  const y = d.y.slice(0, 200);
  const clf = new SparseLogisticRegression({ C: 0.02, tol: 1e-8 }).fit(X, y);
  assert.deepEqual(Array.from(clf.classes), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(clf.coef.length, 10);
  assert.equal(clf.nIter.length, 10);
  for (const k of [0, 6]) {
    const ref = sparseLogreg(X, y.map((v) => (v === k ? 1 : 0)), 1 / (0.02 * 200), { tol: 1e-8, maxIter: 10_000 });
    assert.deepEqual(Array.from(clf.coef[k]!), Array.from(ref.beta, (v) => (v === 0 ? 0 : v)));
    assert.equal(clf.intercept[k], ref.intercept);
  }
  const F = clf.decisionFunction(X);
  const P = clf.predictProba(X);
  assert.deepEqual(F.shape, [200, 10]);
  assert.deepEqual(P.shape, [200, 10]);
  const pred = clf.predict(X);
  for (let i = 0; i < 200; i++) {
    let s = 0;
    let best = 0;
    for (let k = 0; k < 10; k++) {
      s += P.data[i * 10 + k]!;
      if (F.data[i * 10 + k]! > F.data[i * 10 + best]!) best = k;
    }
    assert.ok(Math.abs(s - 1) < 1e-12);
    assert.equal(pred[i], best);
  }
  assert.ok(clf.score(X, y) > 0.9, `training accuracy ${clf.score(X, y)}`);
  // sparse: each class uses a fraction of the 64 pixels
  assert.ok(clf.coef.every((r) => r.filter((v) => v !== 0).length < 40));
});

test('standardize: coefficients on the raw scale reproduce the standardized decision function', () => {
  const Xs = (data.X as DenseDesign).data.map((v, k) => v * (1 + Math.floor(k / n) * 10)); // column j scaled by 1 + 10j
  const Xd = { kind: 'dense' as const, nRows: n, nCols: 10, data: Xs };
  const a = new SparseLogisticRegression({ C: 0.5, tol: 1e-12, standardize: true }).fit(Xd, data.y);
  const b = new SparseLogisticRegression({ C: 0.5, tol: 1e-12, standardize: true }).fit(data.X, data.y);
  // standardization makes the fit invariant to column scaling: c_j(scaled X)·(1 + 10j) = c_j(X)
  assertClose(a.coef[0]!.map((c, j) => c * (1 + 10 * j)), b.coef[0]!, 1e-7, 'scale invariance');
  assertClose(a.decisionFunction(Xd), b.decisionFunction(data.X), 1e-7, 'decision function');
});

test('typed errors: not fitted, single class, feature count, options', () => {
  const clf = new SparseLogisticRegression();
  assert.throws(() => clf.predictProba([[1]]), (e: unknown) => e instanceof NotFittedError && /^SparseLogisticRegression\.predictProba\(\): this SparseLogisticRegression is not fitted/.test((e as Error).message));
  assert.throws(() => clf.classes, NotFittedError);
  assert.throws(() => clf.fit([[1], [2]], [4, 4]), (e: unknown) => e instanceof InvalidArgumentError && /SparseLogisticRegression\.fit\(\): y has a single class \(4\)/.test((e as Error).message));
  assert.throws(() => new SparseLogisticRegression({ c: 1 } as never), /SparseLogisticRegression\(\): unknown option 'c' \(did you mean 'C'\?\)/);
  assert.throws(() => new SparseLogisticRegression({ C: -1 }), /SparseLogisticRegression\(\): C must be a positive finite number/);
  clf.fit(data.X, data.y);
  assert.throws(() => clf.predict([[1, 2]]), (e: unknown) => e instanceof ShapeError && /SparseLogisticRegression\.predict\(\): X has 2 features/.test((e as Error).message));
});
