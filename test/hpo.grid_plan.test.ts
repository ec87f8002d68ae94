/**
 * @file Grid search announces its path to the criterion (`Criterion.planEvaluations`): a CV fold on
 * a tall dense design then solves in the Gram mode from its first λ instead of after counting
 * residual-mode work (src/lasso/quad_gram.ts `planGramSolves`). The hint changes where the work goes,
 * not the answers: the same certified values (1e-10) and the same selected λ as without it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeCorrelatedData } from '../src/data/synthetic.js';
import { CrossValCriterion, optimize, type Criterion } from '../src/hpo/index.js';
import { cachedGram, GRAM_PLAN_MIN_SOLVES, planGramSolves } from '../src/lasso/quad_gram.js';
import { SparseProblem } from '../src/lasso/hypergrad.js';

const tall = makeCorrelatedData(600, 40, { seed: 3, snr: 3, density: 0.2, corr: 0.5 });
const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

/** The criterion without the hint: the automatic rule counts work as before. */
function unplanned(c: CrossValCriterion): Criterion {
  return {
    name: c.name, model: c.model, nHyper: c.nHyper, lambdaMax: c.lambdaMax,
    evaluate: (l, o) => c.evaluate(l, o),
    resetWarmStart: () => c.resetWarmStart(),
  };
}

test('grid CV: planned Gram mode gives the certified values of the unplanned run (1e-10) and the same λ', () => {
  const opts = { optimizer: 'grid' as const, gridSize: 40, tol: 1e-4 };
  const a = new CrossValCriterion(tall.X, tall.y, 'lasso', { folds: 4 });
  const b = new CrossValCriterion(tall.X, tall.y, 'lasso', { folds: 4 });
  const planned = optimize(a, opts);
  // every fold solved in the Gram mode (G cached on its design)
  for (const f of a.folds) assert.ok(cachedGram(f.problem.design) !== undefined, 'a fold without G after a planned grid');
  const old = optimize(unplanned(b), opts);
  assert.equal(planned.lambdas[0], old.lambdas[0]);
  assert.ok(planned.certified && old.certified);
  assert.ok(rel(planned.value, old.value) <= 1e-10, `${planned.value} vs ${old.value}`);
  assert.equal(planned.history.length, old.history.length);
  for (let k = 0; k < old.history.length; k++) {
    const p = planned.history[k]!, o = old.history[k]!;
    if (p.certified && o.certified) assert.ok(rel(p.value, o.value) <= 1e-10, `certified grid point ${k}: ${p.value} vs ${o.value}`);
    // loose points: both within their tolerance of each other
    else assert.ok(rel(p.value, o.value) <= 1e-2, `loose grid point ${k}: ${p.value} vs ${o.value}`);
  }
  a.dispose();
  b.dispose();
});

test('planGramSolves: only tall dense designs and paths of at least GRAM_PLAN_MIN_SOLVES solves', () => {
  const p1 = new SparseProblem(tall.X, tall.y, 'lasso');
  assert.equal(planGramSolves(p1.design, GRAM_PLAN_MIN_SOLVES - 1), false);
  assert.equal(planGramSolves(p1.design, GRAM_PLAN_MIN_SOLVES), true);
  const wide = makeCorrelatedData(30, 60, { seed: 4 });
  const p2 = new SparseProblem(wide.X, wide.y, 'lasso');
  assert.equal(planGramSolves(p2.design, 100), false, 'n < p: no Gram mode');
  // a planned problem solves in the Gram mode at once: G is there after the first solve
  const p3 = new SparseProblem(tall.X, tall.y, 'lasso');
  p3.planSolves(100);
  p3.solve(p3.lambdaMax / 10, { tol: 1e-6 });
  assert.ok(cachedGram(p3.design) !== undefined);
  // logistic regression has no Gram mode: the hint is ignored
  const labels = Float64Array.from(tall.y, (v) => (v > 0 ? 1 : 0));
  const p4 = new SparseProblem(tall.X, labels, 'logreg');
  p4.planSolves(100);
  assert.equal((p4.design as { gramPlanned?: boolean }).gramPlanned, undefined);
  for (const p of [p1, p2, p3, p4]) p.dispose();
});
