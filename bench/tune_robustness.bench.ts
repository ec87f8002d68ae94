/**
 * @file Robustness of the default CV line search (scouting start and, since round scout3, the end
 * look at the scouting range's small-λ end, src/hpo/optimizers.ts) against the 100-λ grid, on the
 * problems of rounds scout2 and scout3 (docs/tune_process.md): issue 12's 500 × 1000
 * correlated problem, the bundled diabetes, breast_cancer and digits (raw, as the CLI reads them;
 * breast_cancer and digits as regressions on their label) and sixteen more `makeCorrelatedData`
 * variants (n > p and p > n, low and high snr, dense and sparse truth, seeds). For each problem:
 * `optimize` with defaults on a 5-fold `CrossValCriterion` (selected λ/λmax, criterion calls, best
 * process CPU of `REPS` tunings) and the 100-λ grid λmax … λmax·1e-3 (`optimizer: 'grid'`), both
 * selected λ scored by the same criterion at tol 1e-10; "vs grid" is the line search's value relative
 * to the grid's (negative: better). A row worse than the grid by more than 1e-6 is marked `!`.
 *
 * Run: npx tsx bench/tune_robustness.bench.ts [--quick]   (--quick: the first four problems, 1 rep)
 */
import { makeCorrelatedData } from '../src/data/synthetic.js';
import { loadDataset } from '../src/data/datasets.js';
import { CrossValCriterion, optimize } from '../src/hpo/index.js';
import type { DesignMatrix } from '../src/index.js';
import { cpuMs } from './timing.js';

const quick = process.argv.includes('--quick');
const REPS = quick ? 1 : 3;

const cd = makeCorrelatedData;
const problems: { name: string; make: () => { X: DesignMatrix; y: Float64Array } }[] = [
  { name: 'issue 12: 500 × 1000, seed 0, snr 3, density 0.1', make: () => cd(500, 1000, { seed: 0, corr: 0.6, snr: 3, density: 0.1 }) },
  { name: 'diabetes (442 × 10)', make: () => loadDataset('diabetes') },
  { name: 'breast_cancer (569 × 30)', make: () => loadDataset('breast_cancer') },
  { name: 'digits (1797 × 64)', make: () => loadDataset('digits') },
  { name: '200 × 50, seed 1, snr 10, density 0.2', make: () => cd(200, 50, { seed: 1, snr: 10, density: 0.2 }) },
  { name: '200 × 50, seed 2, snr 1, density 0.8', make: () => cd(200, 50, { seed: 2, snr: 1, density: 0.8 }) },
  { name: '100 × 400, seed 3, snr 10, density 0.02', make: () => cd(100, 400, { seed: 3, snr: 10, density: 0.02 }) },
  { name: '150 × 600, seed 4, snr 1, density 0.3', make: () => cd(150, 600, { seed: 4, snr: 1, density: 0.3 }) },
  { name: '300 × 1000, seed 5, corr 0.3, snr 3, density 0.05', make: () => cd(300, 1000, { seed: 5, corr: 0.3, snr: 3, density: 0.05 }) },
  { name: '500 × 1000, seed 1, snr 3, density 0.1', make: () => cd(500, 1000, { seed: 1, corr: 0.6, snr: 3, density: 0.1 }) },
  { name: '500 × 1000, seed 2, snr 5, density 0.1', make: () => cd(500, 1000, { seed: 2, corr: 0.6, snr: 5, density: 0.1 }) },
  { name: '500 × 1000, seed 3, snr 1.5, density 0.05', make: () => cd(500, 1000, { seed: 3, corr: 0.6, snr: 1.5, density: 0.05 }) },
  { name: '400 × 2000, seed 4, corr 0.8, snr 3, density 0.02', make: () => cd(400, 2000, { seed: 4, corr: 0.8, snr: 3, density: 0.02 }) },
  { name: '500 × 1000, seed 5, snr 3, density 0.1', make: () => cd(500, 1000, { seed: 5, corr: 0.6, snr: 3, density: 0.1 }) },
  { name: '500 × 1000, seed 6, snr 3, density 0.1', make: () => cd(500, 1000, { seed: 6, corr: 0.6, snr: 3, density: 0.1 }) },
  { name: '500 × 1000, seed 7, snr 2, density 0.1', make: () => cd(500, 1000, { seed: 7, corr: 0.6, snr: 2, density: 0.1 }) },
  { name: '300 × 600, seed 8, corr 0.4, snr 2, density 0.1', make: () => cd(300, 600, { seed: 8, corr: 0.4, snr: 2, density: 0.1 }) },
  { name: '200 × 1000, seed 9, snr 4, density 0.03', make: () => cd(200, 1000, { seed: 9, corr: 0.6, snr: 4, density: 0.03 }) },
  { name: '800 × 300, seed 10, corr 0.7, snr 1, density 0.3', make: () => cd(800, 300, { seed: 10, corr: 0.7, snr: 1, density: 0.3 }) },
  { name: '1000 × 100, seed 6, snr 0.5, density 0.5', make: () => cd(1000, 100, { seed: 6, snr: 0.5, density: 0.5 }) },
];

console.log(`# default CV line search vs the 100-λ grid (5 contiguous folds; values at tol 1e-10; CPU best of ${REPS})`);
console.log('| problem | grid λ/λmax | grid CV | line search λ/λmax | CV | vs grid | calls | CPU (ms) |');
console.log('|---|---|---|---|---|---|---|---|');
let calls = 0;
let cpu = 0;
for (const p of quick ? problems.slice(0, 4) : problems) {
  const { X, y } = p.make();
  const scorer = new CrossValCriterion(X, y, 'lasso', { folds: 5 });
  const score = (lam: number): number => {
    scorer.resetWarmStart();
    return scorer.evaluate([lam], { tol: 1e-10, gradient: false }).value;
  };
  const lmax = scorer.lambdaMax;
  const grid = optimize(new CrossValCriterion(X, y, 'lasso', { folds: 5 }), { optimizer: 'grid' });
  const gridValue = score(grid.lambdas[0]!);
  let best = Infinity;
  let res = null as ReturnType<typeof optimize> | null;
  for (let r = 0; r < REPS; r++) {
    const crit = new CrossValCriterion(X, y, 'lasso', { folds: 5 });
    const c0 = cpuMs();
    res = optimize(crit, {});
    best = Math.min(best, cpuMs() - c0);
  }
  const value = score(res!.lambdas[0]!);
  const rel = (value - gridValue) / gridValue;
  calls += res!.nEvaluations;
  cpu += best;
  console.log(
    `| ${p.name} | ${(grid.lambdas[0]! / lmax).toExponential(4)} | ${gridValue.toPrecision(10)} | ${(res!.lambdas[0]! / lmax).toExponential(4)} | ${value.toPrecision(10)} | ${rel.toExponential(1)}${rel > 1e-6 ? ' !' : ''} | ${res!.nEvaluations} | ${best.toFixed(0)} |`,
  );
}
console.log(`| total | | | | | | ${calls} | ${cpu.toFixed(0)} |`);
