/**
 * @file Cost of one Lasso hypergradient against the inner solve (issue 12: ≤ 20%), at 500 × 1000
 * (`makeCorrelatedData(600, 1000, corr 0.6, snr 3, density 0.1)`: rows 0–499 train, 500–599
 * held out) and on the 400-row fold of the 5-fold CV (rows 0–399 train, 400–499 held out), at
 * λmax/10 and λmax/30, tol 1e-6, cold (fresh `SparseProblem`) and warm (after a solve at λ·1.05,
 * an outer-loop step).
 *
 * "plain solve" = `solve(λ, { refine: false, checks: false })` followed by nothing: the inner solver
 * alone. The hypergradient pipeline = `solve(λ)` (refinement and diagnostics on, as the criteria
 * run it) + `predict` + `pullback` + `hypergradient`; its extra over the inner solve is split into
 * factor upkeep (incremental or fresh Cholesky of X_SᵀX_S/n, rank check on E), refinement (X_Sᵀr,
 * Newton step, residual update), diagnostics (Xᵀr on all features, KKT / kink scan), prediction
 * (predict + pullback on the held-out rows) and the adjoint solve. "Xᵀr recomputed": features whose
 * X_jᵀr the diagnostics recomputed (the rest certified from the solver's last gap check). Each part is the minimum over
 * `REPS` runs (env REPS, default 11); "extra" sums these minima. Wall milliseconds from
 * `performance.now`; on a shared machine the plain solve moves by up to 2× between runs.
 * env WARMUP (default 0): that many warm steps at λmax/10 and λmax/30 on 500 × 1000 before the
 * table. The cells run in order and V8 optimises the pipeline's functions only after some tens of
 * calls, so without it the first warm cell (500 × 1000, λmax/10) is partly measured on
 * unoptimised code (its "prediction" 0.07–0.12 ms against 0.03–0.05 with WARMUP=10 or on the
 * later fold cells, for the same work; round hg4 in docs/lasso_performance.md).
 *
 * Second table, an outer loop: one problem walked over 120 warm steps λ_k = λmax/5 · 0.96^k down to
 * ≈ λmax/58 and back up (supports 60 → 370 → 60 features), the full pipeline at every step; totals
 * over the walk (minimum of `WALKS` walks, env WALKS, default 3). This is where the support factor's
 * periodic upkeep shows (a single warm step from a fresh problem never reaches it).
 *
 * Run: npx tsx bench/hypergrad_cost.bench.ts
 */
import { makeCorrelatedData } from '../src/data/synthetic.js';
import { takeRows, type DesignMatrix } from '../src/data/dataset.js';
import { SparseProblem } from '../src/lasso/hypergrad.js';

const REPS = Number(process.env.REPS ?? 11);
const TOL = 1e-6;
const data = makeCorrelatedData(600, 1000, { seed: 0, corr: 0.6, snr: 3, density: 0.1 });
const range = (a: number, b: number): Int32Array => Int32Array.from({ length: b - a }, (_, i) => a + i);
const rowsOf = (idx: Int32Array): { X: DesignMatrix; y: Float64Array } => ({
  X: takeRows(data.X, idx),
  y: Float64Array.from(idx, (i) => data.y[i]!),
});

type Rows = { X: DesignMatrix; y: Float64Array };

/** gS of the held-out squared loss: predict on the validation rows, u = 2(ŷ − y)/m, pull back. */
function heldOutPullback(prob: SparseProblem, sol: ReturnType<SparseProblem['solve']>, val: Rows): Float64Array {
  const pred = prob.predict(sol, val.X);
  const u = pred.map((v, i) => (2 * (v - val.y[i]!)) / pred.length);
  return prob.pullback(sol, val.X, u).gS;
}

interface Cell { solve: number; plain: number; factor: number; refine: number; checks: number; predict: number; adjoint: number; S: number; checked: number }

function runCell(train: { X: DesignMatrix; y: Float64Array }, val: { X: DesignMatrix; y: Float64Array }, frac: number, warm: boolean): Cell {
  // baseline: the inner solver alone
  const base = new SparseProblem(train.X, train.y, 'lasso');
  const lam = base.lambdaMax * frac;
  if (warm) base.solve([lam * 1.05], { tol: TOL, refine: false, checks: false });
  const plain = base.solve([lam], { tol: TOL, refine: false, checks: false }).timings.solveMs;
  base.dispose();
  // the pipeline
  const prob = new SparseProblem(train.X, train.y, 'lasso');
  if (warm) {
    const s0 = prob.solve([lam * 1.05], { tol: TOL });
    prob.hypergradient(s0, heldOutPullback(prob, s0, val), 0, { onFailure: 'return' });
  }
  const sol = prob.solve([lam], { tol: TOL });
  const t0 = performance.now();
  const gS = heldOutPullback(prob, sol, val);
  const t1 = performance.now();
  const hg = prob.hypergradient(sol, gS, 0, { onFailure: 'return' });
  prob.dispose();
  const tm = sol.timings;
  return {
    solve: tm.solveMs, plain, factor: tm.factorMs ?? 0, refine: tm.refineMs ?? 0, checks: tm.checksMs ?? 0,
    predict: t1 - t0, adjoint: hg.timeMs, S: sol.support.length, checked: tm.checkedFeatures ?? train.X.nCols,
  };
}

// JIT warm-up (see the header): steady-state minima for the first cells too
const WARMUP = Number(process.env.WARMUP ?? 0);
if (WARMUP > 0) {
  const train = rowsOf(range(0, 500));
  const val = rowsOf(range(500, 600));
  for (let r = 0; r < WARMUP; r++) for (const frac of [1 / 10, 1 / 30]) runCell(train, val, frac, true);
}

const extra = (c: Cell): number => c.factor + c.refine + c.checks + c.predict + c.adjoint;
console.log(`# one Lasso hypergradient vs the inner solve (tol ${TOL}), per-part minimum of ${REPS} runs; milliseconds, shared machine (noisy)`);
console.log('| data | λ | start | |S| | plain solve | solve in pipeline | factor | refine | diagnostics | Xᵀr recomputed | prediction | adjoint | extra | extra / plain solve |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const [label, tr, va] of [
  ['500×1000', range(0, 500), range(500, 600)],
  ['400-row fold', range(0, 400), range(400, 500)],
] as const) {
  const train = rowsOf(tr);
  const val = rowsOf(va);
  for (const frac of [1 / 10, 1 / 30]) {
    for (const warm of [false, true]) {
      // per-component minimum over the repetitions (each a lower bound of that part's cost; the
      // minimum is far more stable than any single run on a loaded machine)
      const c: Cell = { solve: Infinity, plain: Infinity, factor: Infinity, refine: Infinity, checks: Infinity, predict: Infinity, adjoint: Infinity, S: 0, checked: 0 };
      for (let r = 0; r < REPS; r++) {
        const x = runCell(train, val, frac, warm);
        for (const k of Object.keys(c) as (keyof Cell)[]) c[k] = k === 'S' || k === 'checked' ? x[k] : Math.min(c[k], x[k]);
      }
      const plainBest = c.plain;
      const f = (v: number): string => v.toFixed(2);
      console.log(`| ${label} | λmax/${Math.round(1 / frac)} | ${warm ? 'warm' : 'cold'} | ${c.S} | ${f(plainBest)} | ${f(c.solve)} | ${f(c.factor)} | ${f(c.refine)} | ${f(c.checks)} | ${c.checked} | ${f(c.predict)} | ${f(c.adjoint)} | ${f(extra(c))} | ${(100 * extra(c) / plainBest).toFixed(0)}% |`);
    }
  }
}

const WALKS = Number(process.env.WALKS ?? 3);
console.log();
console.log(`# outer-loop walk: 120 warm steps λmax/5 → λmax/58 → λmax/5 (×0.96 per step), 500×1000, tol ${TOL}; totals over the walk, minimum of ${WALKS} walks; milliseconds, shared machine`);
console.log('| steps | solve in pipeline | factor | refine | diagnostics | prediction | adjoint | extra | extra / solve |');
console.log('|---|---|---|---|---|---|---|---|---|');
{
  const train = rowsOf(range(0, 500));
  const val = rowsOf(range(500, 600));
  const best = { solve: Infinity, factor: Infinity, refine: Infinity, checks: Infinity, predict: Infinity, adjoint: Infinity, extra: Infinity };
  for (let w = 0; w < WALKS; w++) {
    const prob = new SparseProblem(train.X, train.y, 'lasso');
    const tot = { solve: 0, factor: 0, refine: 0, checks: 0, predict: 0, adjoint: 0, extra: 0 };
    for (let k = 0; k < 120; k++) {
      const lam = (prob.lambdaMax / 5) * Math.pow(0.96, k < 60 ? k : 120 - k);
      const sol = prob.solve([lam], { tol: TOL });
      const t0 = performance.now();
      const gS = heldOutPullback(prob, sol, val);
      const t1 = performance.now();
      const hg = prob.hypergradient(sol, gS, 0, { onFailure: 'return' });
      const tm = sol.timings;
      tot.solve += tm.solveMs;
      tot.factor += tm.factorMs ?? 0;
      tot.refine += tm.refineMs ?? 0;
      tot.checks += tm.checksMs ?? 0;
      tot.predict += t1 - t0;
      tot.adjoint += hg.timeMs;
    }
    prob.dispose();
    tot.extra = tot.factor + tot.refine + tot.checks + tot.predict + tot.adjoint;
    for (const k of Object.keys(best) as (keyof typeof best)[]) best[k] = Math.min(best[k], tot[k]);
  }
  const f = (v: number): string => v.toFixed(1);
  console.log(`| 120 | ${f(best.solve)} | ${f(best.factor)} | ${f(best.refine)} | ${f(best.checks)} | ${f(best.predict)} | ${f(best.adjoint)} | ${f(best.extra)} | ${(100 * best.extra / best.solve).toFixed(0)}% |`);
}
