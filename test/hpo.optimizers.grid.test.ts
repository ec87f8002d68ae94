/**
 * @file Grid search certifies the points that decide (src/hpo/optimizers.ts `gridSearch`): the path
 * is evaluated loose (history entries `certified: false`), the loose best, its neighbours and every
 * point that could still beat the certified best are re-solved under the KKT certificate; the
 * reported λ is the best certified point and its value matches an independent re-solve at tol 1e-12.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeCorrelatedData } from '../src/data/synthetic.js';
import { lasso } from '../src/lasso/cd.js';
import { predictLinear } from '../src/lasso/hypergrad.js';
import { HeldOutCriterion, optimize } from '../src/hpo/index.js';

const data = makeCorrelatedData(200, 120, { seed: 11, snr: 2, density: 0.1, corr: 0.5 });
const val = makeCorrelatedData(100, 120, { seed: 12, snr: 2, density: 0.05, corr: 0.5, wTrue: data.wTrue });

function heldOutTruth(lam: number): number {
  const fit = lasso(data.X, data.y, lam, { tol: 1e-12, maxIter: 1_000_000 });
  const pred = predictLinear(val.X, new Float64Array(fit.beta), Int32Array.from(fit.support), fit.intercept);
  let s = 0;
  for (let i = 0; i < val.y.length; i++) s += (pred[i]! - val.y[i]!) ** 2;
  return s / val.y.length;
}
const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

test('grid: the reported value is certified and matches a re-solve; loose entries are marked, certified ones are accurate', () => {
  const crit = new HeldOutCriterion({ X: data.X, y: data.y }, { X: val.X, y: val.y }, 'lasso');
  // a loose tolerance: the path values carry visible errors, the certificate must remove them
  const res = optimize(crit, { optimizer: 'grid', gridSize: 30, tol: 1e-3 });
  assert.equal(res.history.length, 30);
  assert.ok(res.certified, 'the reported point passed the KKT certificate');
  assert.ok(rel(res.value, heldOutTruth(res.lambdas[0]!)) <= 1e-6, `reported ${res.value}`);
  const certified = res.history.filter((h) => h.certified);
  assert.ok(certified.length >= 2 && certified.length < 30, `${certified.length} certified points`);
  for (const h of certified) assert.ok(rel(h.value, heldOutTruth(h.lambdas[0]!)) <= 1e-6, `certified at λ = ${h.lambdas[0]}: ${h.value}`);
  for (const h of certified) assert.ok(res.value <= h.value);
  // the same loose path without the certificate reports wrong values somewhere (what the re-solves fix)
  crit.resetWarmStart();
  let worstLoose = 0;
  for (const h of res.history) {
    const ev = crit.evaluate(h.lambdas, { tol: 1e-3, gradient: false, certify: false });
    worstLoose = Math.max(worstLoose, rel(ev.value, heldOutTruth(h.lambdas[0]!)));
  }
  assert.ok(worstLoose > 1e-6, `loose values happened to be exact (${worstLoose}); the test no longer exercises the certificate`);
  // the argmin over the true values of the grid is the reported point
  const truths = res.history.map((h) => heldOutTruth(h.lambdas[0]!));
  const k = truths.indexOf(Math.min(...truths));
  assert.equal(res.history[k]!.lambdas[0], res.lambdas[0]);
});
