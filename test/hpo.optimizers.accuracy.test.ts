/**
 * @file Tuning never reports better than the truth (src/hpo/criteria.ts `certify`, optimizers.ts):
 * every value the outer loop reports — scouting values, the final criterion — matches an
 * independent re-solve at tol 1e-12 (relative difference ≤ 1e-6), on held-out and CV, with and
 * without an explicit start; scouting values at distinct λ are distinct. The same checks with
 * `certify: false` (one loose solve per value) fail, which is what the certificate is for.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeCorrelatedData } from '../src/data/synthetic.js';
import { cvTruth, heldOutTruth } from './fixtures/lasso_truth.js';
import { CrossValCriterion, HeldOutCriterion, lassoHypergradient, makeCriterion, optimize, tuneLasso, type Criterion } from '../src/hpo/index.js';
import { InvalidArgumentError } from '../src/core/errors.js';

// n_train > p in every fold: the Lasso solution is unique at every λ of the search box, so "the truth" is defined
const data = makeCorrelatedData(200, 120, { seed: 11, snr: 2, density: 0.1, corr: 0.5 });
const val = makeCorrelatedData(100, 120, { seed: 12, snr: 2, density: 0.05, corr: 0.5, wTrue: data.wTrue });

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

function cases(): { name: string; make: () => Criterion; truth: (lam: number) => number }[] {
  return [
    {
      name: 'held-out',
      make: () => new HeldOutCriterion({ X: data.X, y: data.y }, { X: val.X, y: val.y }, 'lasso'),
      truth: (lam) => heldOutTruth(data.X, data.y, val.X, val.y, lam),
    },
    { name: 'CV', make: () => new CrossValCriterion(data.X, data.y, 'lasso', { folds: 4 }), truth: (lam) => cvTruth(data.X, data.y, 4, lam) },
  ];
}

for (const c of cases()) {
  for (const init of ['scout', 'explicit'] as const) {
    test(`${c.name}, ${init} start: the final value and every scouting value match a re-solve at tol 1e-12`, () => {
      const crit = c.make();
      const lmax = crit.lambdaMax;
      const res = optimize(crit, { init: init === 'scout' ? 'scout' : lmax * 0.05, scoutAll: true, maxEvals: 12, tol: 1e-4, tolStart: 1e-2 });
      const truth = c.truth(res.lambdas[0]!);
      assert.ok(rel(res.value, truth) <= 1e-6, `${c.name}: reported ${res.value}, re-solve ${truth}`);
      assert.ok(res.certified, 'every evaluation passed the KKT certificate');
      const scouting = res.history.filter((h) => h.gradient === null);
      assert.equal(scouting.length, init === 'scout' ? 5 : 0);
      if (init === 'scout') {
        // without scoutAll, scouting stops at the first point worse than the best, or (line search) at
        // the last point the budget allows, a loose look (`certified: false`)
        const short = optimize(c.make(), { init: 'scout', maxEvals: 6, tol: 1e-4 }).history.filter((h) => h.gradient === null);
        const vals = short.map((h) => h.value);
        const bestAt = vals.indexOf(Math.min(...vals));
        const end = short[short.length - 1]!;
        const rises = short.length - 1 - bestAt === 1 && vals[short.length - 1]! > vals[bestAt]!;
        assert.ok(short.length === 5 || rises || (!end.certified && !end.accepted), `scouting values ${vals}`);
      }
      const seen = new Set<number>();
      for (const h of scouting) {
        assert.ok(!seen.has(h.value), `scouting value ${h.value} repeated at λ = ${h.lambdas[0]}`);
        seen.add(h.value);
        const t = c.truth(h.lambdas[0]!);
        assert.ok(rel(h.value, t) <= 1e-6, `scouting at λ/λmax = ${(h.lambdas[0]! / lmax).toExponential(3)}: ${h.value} vs ${t}`);
      }
      // every evaluation used to decide (accepted or not) is accurate as well
      for (const h of res.history) assert.ok(rel(h.value, c.truth(h.lambdas[0]!)) <= 1e-6);
    });
  }
}

test('tuneLasso reports the accurate value with an explicit start (held-out and CV)', () => {
  for (const criterion of ['heldout', 'cv'] as const) {
    const opts = criterion === 'heldout' ? { validation: { X: val.X, y: val.y } } : { folds: 4 };
    const r = tuneLasso(data.X, data.y, { criterion, init: 0.05 * 1, maxEvals: 6, tol: 1e-3, tolStart: 1e-2, ...opts });
    const t = criterion === 'heldout' ? heldOutTruth(data.X, data.y, val.X, val.y, r.lambdas[0]!) : cvTruth(data.X, data.y, 4, r.lambdas[0]!);
    assert.ok(rel(r.value, t) <= 1e-6, `${criterion}: tuneLasso reported ${r.value}, re-solve ${t}`);
  }
});

test('without the certificate, loose warm-started solves report wrong values (the failure the certificate prevents)', () => {
  const crit = new HeldOutCriterion({ X: data.X, y: data.y }, { X: val.X, y: val.y }, 'lasso');
  const lmax = crit.lambdaMax;
  let worst = 0;
  for (const f of [0.5, 0.2, 0.1, 0.05, 0.02]) {
    const ev = crit.evaluate([f * lmax], { tol: 1e-2, gradient: false, certify: false });
    worst = Math.max(worst, rel(ev.value, heldOutTruth(data.X, data.y, val.X, val.y, f * lmax)));
    assert.equal(ev.inner.certified, false);
  }
  assert.ok(worst > 1e-6, `a loose solve happened to be exact (worst relative error ${worst}); the test data no longer exercise the certificate`);
});

test('misspelt options are errors with a suggestion (tuneLasso, lassoHypergradient, optimize, makeCriterion)', () => {
  const small = makeCorrelatedData(40, 10, { seed: 1 });
  const hint = (name: string, key: string) => (e: unknown) => e instanceof InvalidArgumentError && e.message.startsWith(name) && e.message.includes(`did you mean '${key}'`);
  assert.throws(() => tuneLasso(small.X, small.y, { maxEval: 3 } as never), hint('tuneLasso()', 'maxEvals'));
  assert.throws(() => lassoHypergradient({ X: small.X, y: small.y }, null, 0.1, { onFailur: 'return' } as never), hint('lassoHypergradient()', 'onFailure'));
  assert.throws(() => optimize(new CrossValCriterion(small.X, small.y, 'lasso', { folds: 2 }), { tolstart: 1e-2 } as never), hint('optimize()', 'tolStart'));
  assert.throws(() => makeCriterion(small.X, small.y, { fold: 3 } as never), hint('makeCriterion()', 'folds'));
});
