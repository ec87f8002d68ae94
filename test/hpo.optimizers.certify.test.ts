/**
 * @file Only the values that decide are certified where certifying all would be expensive
 * (src/hpo/optimizers.ts): grid search evaluates its path loose (history entries `certified: false`)
 * and re-solves under the KKT certificate the loose best, its neighbours and every point that could
 * still beat the certified best; scouting ends at a point whose loose value is clearly worse than the
 * certified best without certifying it. Reported values match an independent re-solve at tol 1e-12.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeCorrelatedData } from '../src/data/synthetic.js';
import { cvTruth, heldOutTruth } from './fixtures/lasso_truth.js';
import { CrossValCriterion, HeldOutCriterion, optimize } from '../src/hpo/index.js';

const data = makeCorrelatedData(200, 120, { seed: 11, snr: 2, density: 0.1, corr: 0.5 });
const val = makeCorrelatedData(100, 120, { seed: 12, snr: 2, density: 0.05, corr: 0.5, wTrue: data.wTrue });

const heldOut = (lam: number): number => heldOutTruth(data.X, data.y, val.X, val.y, lam);
const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

test('grid: the reported value is certified and matches a re-solve; loose entries are marked, certified ones are accurate', () => {
  const crit = new HeldOutCriterion({ X: data.X, y: data.y }, { X: val.X, y: val.y }, 'lasso');
  // a loose tolerance: the path values carry visible errors, the certificate must remove them
  const res = optimize(crit, { optimizer: 'grid', gridSize: 30, tol: 1e-3 });
  assert.equal(res.history.length, 30);
  assert.ok(res.certified, 'the reported point passed the KKT certificate');
  assert.ok(rel(res.value, heldOut(res.lambdas[0]!)) <= 1e-6, `reported ${res.value}`);
  const certified = res.history.filter((h) => h.certified);
  assert.ok(certified.length >= 2 && certified.length < 30, `${certified.length} certified points`);
  for (const h of certified) assert.ok(rel(h.value, heldOut(h.lambdas[0]!)) <= 1e-6, `certified at λ = ${h.lambdas[0]}: ${h.value}`);
  for (const h of certified) assert.ok(res.value <= h.value);
  // the same loose path without the certificate reports wrong values somewhere (what the re-solves fix)
  crit.resetWarmStart();
  let worstLoose = 0;
  for (const h of res.history) {
    const ev = crit.evaluate(h.lambdas, { tol: 1e-3, gradient: false, certify: false });
    worstLoose = Math.max(worstLoose, rel(ev.value, heldOut(h.lambdas[0]!)));
  }
  assert.ok(worstLoose > 1e-6, `loose values happened to be exact (${worstLoose}); the test no longer exercises the certificate`);
  // the argmin over the true values of the grid is the reported point
  const truths = res.history.map((h) => heldOut(h.lambdas[0]!));
  const k = truths.indexOf(Math.min(...truths));
  assert.equal(res.history[k]!.lambdas[0], res.lambdas[0]);
});

test('scouting: only the point that ends it may be uncertified, and it is really worse than the reported best', () => {
  let stoppedLoose = 0;
  for (const [name, crit, truth] of [
    ['held-out', new HeldOutCriterion({ X: data.X, y: data.y }, { X: val.X, y: val.y }, 'lasso'), heldOut],
    ['CV', new CrossValCriterion(data.X, data.y, 'lasso', { folds: 4 }), (lam: number) => cvTruth(data.X, data.y, 4, lam)],
  ] as const) {
    const res = optimize(crit, { init: 'scout', maxEvals: 10, tol: 1e-4 });
    assert.ok(res.certified && rel(res.value, truth(res.lambdas[0]!)) <= 1e-6, `${name}: reported ${res.value}`);
    res.history.forEach((h, k) => {
      if (h.certified) {
        assert.ok(rel(h.value, truth(h.lambdas[0]!)) <= 1e-6, `${name}: certified ${h.value} at λ = ${h.lambdas[0]}`);
        return;
      }
      stoppedLoose++;
      assert.ok(h.gradient === null && !h.accepted, `${name}: the uncertified entry ${k} is a rejected scouting point`);
      assert.ok(res.history[k + 1] === undefined || res.history[k + 1]!.gradient !== null, `${name}: scouting stopped at entry ${k}`);
      assert.ok(truth(h.lambdas[0]!) > res.value, `${name}: the point that ended the scouting is worse than the reported best`);
    });
  }
  assert.ok(stoppedLoose >= 1, 'no scouting ended on a loose value: the data no longer exercise the loose stop');
});
