/**
 * @file CrossValCriterion's streamed fold mode (large data: folds rebuilt one at a time, warm
 * starts carried over): the same values and hypergradients as the resident mode along a sequence
 * of λ, the same fold errors, and `folds` still available.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeCorrelatedData } from '../src/data/synthetic.js';
import { CrossValCriterion, cvFoldMemory, tuneLasso } from '../src/hpo/index.js';

function withResidentBytes<T>(bytes: number, f: () => T): T {
  const saved = cvFoldMemory.residentBytes;
  cvFoldMemory.residentBytes = bytes;
  try {
    return f();
  } finally {
    cvFoldMemory.residentBytes = saved;
  }
}

test('CrossValCriterion: streamed folds give the resident values and hypergradients', () => {
  const d = makeCorrelatedData(120, 60, { seed: 4, corr: 0.5, snr: 3, density: 0.2 });
  const resident = new CrossValCriterion(d.X, d.y, 'lasso', { folds: 4 });
  const streamed = withResidentBytes(0, () => new CrossValCriterion(d.X, d.y, 'lasso', { folds: 4 }));
  assert.equal(resident.streamed, false);
  assert.equal(streamed.streamed, true);
  assert.equal(streamed.nHyper, 1);
  assert.equal(streamed.lambdaMax, resident.lambdaMax);
  for (const r of [0.3, 0.1, 0.05, 0.07, 0.02]) {
    const lam = r * resident.lambdaMax;
    const a = resident.evaluate([lam], { tol: 1e-10 });
    const b = streamed.evaluate([lam], { tol: 1e-10 });
    assert.ok(Math.abs(a.value - b.value) <= 1e-9 * Math.abs(a.value), `value at ${r}: ${a.value} vs ${b.value}`);
    assert.ok(Math.abs(a.gradient![0]! - b.gradient![0]!) <= 1e-6 * (1 + Math.abs(a.gradient![0]!)), `gradient at ${r}`);
    assert.equal(a.supportSize, b.supportSize);
  }
  // the folds, built on demand from the carried warm starts
  assert.equal(streamed.folds.length, 4);
  assert.ok(streamed.folds[0]!.problem.lastSolution !== null);
  resident.dispose();
  streamed.dispose();
});

test('tuneLasso: the streamed mode selects the same λ; a bad fold is reported at construction', () => {
  const d = makeCorrelatedData(100, 40, { seed: 5, corr: 0.3, snr: 4, density: 0.2 });
  const a = tuneLasso(d.X, d.y, { criterion: 'cv', folds: 5 });
  const b = withResidentBytes(0, () => tuneLasso(d.X, d.y, { criterion: 'cv', folds: 5 }));
  assert.ok(Math.abs(Math.log(a.lambdas[0]! / b.lambdas[0]!)) < 1e-3, `${a.lambdas[0]} vs ${b.lambdas[0]}`);
  assert.ok(Math.abs(a.value - b.value) <= 1e-6 * a.value);
  // logistic regression with a fold whose training rows hold one class
  const y = new Float64Array(20);
  for (let i = 16; i < 20; i++) y[i] = 1;
  const X = { kind: 'dense' as const, nRows: 20, nCols: 3, data: Float64Array.from({ length: 60 }, (_, i) => Math.sin(i)) };
  withResidentBytes(0, () => assert.throws(() => new CrossValCriterion(X, y, 'logreg', { folds: 5 }), /fold 4 of 5/));
});
