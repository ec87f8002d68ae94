/**
 * @file The estimators against scikit-learn 1.2.1: reference numbers computed once by
 * test/fixtures/estimators_sklearn.py on the bundled CSVs (Python is not called here). Fits run
 * to tight tolerances on both sides; relative tolerances 1e-10 (coordinate descent, measured
 * ≤ 8e-12) and 1e-8 (logistic, scikit-learn's saga; measured ≤ 8e-10).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ElasticNet, Lasso, SparseLogisticRegression, loadDataset, takeRows } from '../src/index.js';
import { assertClose } from './helpers.js';

const ref = JSON.parse(readFileSync(new URL('./fixtures/estimators_sklearn.json', import.meta.url), 'utf8'));
const diabetes = loadDataset('diabetes');

test('Lasso and ElasticNet match scikit-learn on raw diabetes (coef, intercept, R²)', () => {
  const l = new Lasso({ alpha: 0.5, tol: 1e-14, maxIter: 100_000 }).fit(diabetes.X, diabetes.y);
  const r = ref['lasso_diabetes_alpha0.5'];
  assertClose(l.coef, r.coef, 1e-10, 'Lasso coef');
  assertClose(l.intercept, r.intercept, 1e-10, 'Lasso intercept');
  assertClose(l.score(diabetes.X, diabetes.y), r.score, 1e-10, 'Lasso R²');
  const e = new ElasticNet({ alpha: 0.05, l1Ratio: 0.3, tol: 1e-14, maxIter: 100_000 }).fit(diabetes.X, diabetes.y);
  const s = ref['enet_diabetes_alpha0.05_l1ratio0.3'];
  assertClose(e.coef, s.coef, 1e-10, 'ElasticNet coef');
  assertClose(e.intercept, s.intercept, 1e-10, 'ElasticNet intercept');
  assertClose(e.score(diabetes.X, diabetes.y), s.score, 1e-10, 'ElasticNet R²');
});

test('Lasso standardize: true equals StandardScaler + Lasso mapped back to raw columns', () => {
  const l = new Lasso({ alpha: 1, tol: 1e-14, maxIter: 100_000, standardize: true }).fit(diabetes.X, diabetes.y);
  const r = ref['lasso_diabetes_standardized_alpha1'];
  assertClose(l.coef, r.coef, 1e-10, 'coef');
  assertClose(l.intercept, r.intercept, 1e-10, 'intercept');
});

test('SparseLogisticRegression matches LogisticRegression(penalty="l1", solver="saga"): binary, standardized', () => {
  const d = loadDataset('breast_cancer');
  const c = new SparseLogisticRegression({ C: 0.1, tol: 1e-12, maxIter: 100_000, standardize: true }).fit(d.X, d.y);
  const r = ref['logreg_breast_cancer_standardized_C0.1'];
  assertClose(c.coef[0]!, r.coef, 1e-8, 'coef');
  assertClose(c.intercept[0]!, r.intercept, 1e-8, 'intercept');
  const first5 = takeRows(d.X, Int32Array.of(0, 1, 2, 3, 4));
  assertClose(c.predictProba(first5), r.proba_first5.flat(), 1e-8, 'predictProba');
});

test('SparseLogisticRegression one-vs-rest matches multi_class="ovr" on 300 digits (10 classes)', () => {
  const d = loadDataset('digits');
  const rows = Int32Array.from({ length: 300 }, (_, i) => i);
  const X = takeRows(d.X, rows);
  const y = d.y.slice(0, 300);
  const c = new SparseLogisticRegression({ C: 0.05, tol: 1e-12, maxIter: 100_000, standardize: true }).fit(X, y);
  const r = ref['logreg_ovr_digits300_standardized_C0.05'];
  assert.deepEqual(Array.from(c.classes), r.classes);
  for (let k = 0; k < 10; k++) assertClose(c.coef[k]!, r.coef[k], 1e-8, `coef of class ${k}`);
  assertClose(c.intercept, r.intercept, 1e-8, 'intercepts');
  assertClose(c.predictProba(takeRows(X, Int32Array.of(0, 1, 2, 3, 4))), r.proba_first5.flat(), 1e-8, 'predictProba');
  assert.equal(c.score(X, y), r.accuracy);
});
