/**
 * @file The README's tour, executed: every value the README states must stay true.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor, grad, hessian, sum, relu, abs, mul, sub, neg, withKinkPolicy, trackKinks, LassoHO, lasso, loadDataset } from '../src/index.js';

test('README tour: kink selections, kink reporting, artificial critical point, hessian', () => {
  const x = tensor([-1, 0, 2]);
  assert.deepEqual(grad((v: typeof x) => sum(relu(v)))(x).toArray(), [0, 0, 1]);
  assert.deepEqual(withKinkPolicy('right', () => grad((v: typeof x) => sum(relu(v)))(x)).toArray(), [0, 1, 1]);
  assert.deepEqual(grad((v: typeof x) => sum(abs(v, { kink: 'left' })))(x).toArray(), [-1, -1, 1]);
  assert.equal(trackKinks(() => relu(x)).kinks.total, 1);
  assert.deepEqual(grad((v: typeof x) => sum(sub(relu(v), relu(neg(v)))))(tensor([0])).toArray(), [0]);
  assert.deepEqual(hessian((v: typeof x) => sum(mul(mul(v, v), v)))(tensor([1, 2])).toArray(), [[6, 0], [0, 12]]);
});

test('README tour: LassoHO on the bundled diabetes data', () => {
  const { X, y } = loadDataset('diabetes');
  const est = new LassoHO({ model: 'lasso', criterion: 'cv', folds: 5 }).fit(X, y);
  assert.ok(est.lambda > 0 && Number.isFinite(est.criterionValue));
  assert.equal(est.coef.length, 10);
  assert.equal(est.predict(X).length, 442);
  assert.ok(est.history.length > 5);
  const fit = lasso(X, y, 1.0, { tol: 1e-8 });
  assert.ok(fit.converged && fit.gap >= 0 && fit.support.length > 0 && Number.isFinite(fit.intercept));
});
