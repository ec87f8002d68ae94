/**
 * @file Where the time of a certified CV tuning goes: 5-fold CV `optimize` (line search) on the
 * 500 × 1000 correlated problem of bench/hpo.bench.ts, with the default scouting start and with an
 * explicit start λmax/20. For every criterion evaluation: λ/λmax, value only (scouting) or value +
 * hypergradient, the starting inner tolerance, the tolerance the KKT certificate had to go down to
 * (src/hpo/criteria.ts `certify`), inner solves and epochs summed over the folds, the process CPU
 * time of the evaluation, the mean support size and the inner statistics' split of the evaluation's
 * time (wall, summed over the folds) into the solves (coordinate descent) and their post-processing
 * (refinement on the support, its factor, the KKT certificate). CPU time, not wall time: on a shared
 * machine wall time includes waiting for a core. The default start runs twice: the first tuning of
 * the process (cold: JIT tiers, the WebAssembly baseline code before its tier-up, first touch of
 * memories), then again in the same process (warm) — the `nsdiff` command runs the cold one.
 *
 * Run: npx tsx bench/tune_profile.bench.ts
 */
import { makeCorrelatedData } from '../src/data/synthetic.js';
import { CrossValCriterion, optimize, type EvaluateOptions } from '../src/hpo/index.js';
import { cpuMs } from './timing.js';

const data = makeCorrelatedData(500, 1000, { seed: 0, corr: 0.6, snr: 3, density: 0.1 });


for (const [start, label] of [['scout', 'default (scouting) start, cold'], ['scout', 'default (scouting) start, warm'], ['explicit', 'explicit start λmax/20']] as const) {
  const crit = new CrossValCriterion(data.X, data.y, 'lasso', { folds: 5 });
  const evaluate = crit.evaluate.bind(crit);
  const rows: string[] = [];
  let inEvaluations = 0;
  crit.evaluate = (lam: ArrayLike<number> | number, o?: EvaluateOptions) => {
    const c = cpuMs();
    const ev = evaluate(lam, o);
    const ms = cpuMs() - c;
    inEvaluations += ms;
    const l = typeof lam === 'number' ? lam : lam[0]!;
    const s = ev.inner;
    rows.push(`| ${(l / crit.lambdaMax).toExponential(2)} | ${o?.gradient === false ? 'value' : 'value + grad'} | ${(o?.tol ?? NaN).toExponential(1)} | ${s.finalTol.toExponential(0)} | ${s.solves} | ${s.epochs} | ${ms.toFixed(0)} | ${ev.supportSize.toFixed(0)} | ${s.solveMs.toFixed(1)} | ${s.postMs.toFixed(1)} |`);
    return ev;
  };
  const c0 = cpuMs();
  const res = optimize(crit, start === 'explicit' ? { init: crit.lambdaMax / 20 } : {});
  console.log(`\n## ${label}: CPU ${(cpuMs() - c0).toFixed(0)} ms (${inEvaluations.toFixed(0)} in evaluations), ${res.history.length} evaluations, λ/λmax = ${(res.lambdas[0]! / crit.lambdaMax).toExponential(4)}, CV MSE ${res.value.toPrecision(10)}, certified ${res.certified}`);
  console.log('| λ/λmax | evaluation | start tol | certified at tol | solves | epochs | CPU (ms) | mean \\|S\\| | solves (ms) | post (ms) |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
}
