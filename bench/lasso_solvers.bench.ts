/**
 * @file Benchmark of the Lasso inner solvers against scikit-learn's `Lasso` (coordinate descent,
 * Cython). Run: `npm run build && npx tsx bench/lasso_solvers.bench.ts [--quick] [--no-sklearn]` (measures dist/).
 *
 * Problems: celer-style correlated data (AR(1) columns, ρ = 0.6, 20% N(0,1) true coefficients,
 * snr 3; `makeCorrelatedData`) of sizes 500×1000, 72×7129 (leukemia-sized) and 2000×5000; each at
 * tol ∈ {1e-4, 1e-8} and λ ∈ {λ_max/10, λ_max/100}; intercept fitted.
 *
 * `--issue12`: instead, the cells of issue 12 where nsdiff was slower than scikit-learn: tall dense
 * 5000×500 at λ_max/200 (tol 1e-4, 1e-8; the Gram mode's case), sparse CSC 10000×20000 at 0.5%
 * density (`makeSparseRegression`, λ_max/10 and /100, tol 1e-4) and the elastic net 1000×1000 at
 * λ_max/200, tol 1e-4 (l1_ratio 0.5: λ₁ = λ₂ = λ/2, λ_max of the enet = λ_max/l1_ratio), and
 * 5-fold CV on 2000×300 (`tuneLasso(X, y, { criterion: 'cv', folds: 5, optimizer: 'grid', tol: 1e-4 })`:
 * 100 λ per fold, warm-started; against `LassoCV(n_alphas=100, cv=KFold(5), tol=1e-4)`,
 * bench/sklearn_lassocv.py; best of 5 on both sides, ours after three warm-up tunings: V8's
 * optimising compiles run on background threads that process CPU would count; then the same on two
 * threads, our default here, checking the same λ, criterion and coefficients). `--issue12 --cv-only`:
 * that CV cell alone;
 * `--issue12 --dense-only`: the tall dense and elastic-net cells alone (no CSC, no CV).
 * Times are printed as wall time and as process CPU time (`cpu` columns): the machine this was
 * measured on is shared, and preemption inflates wall times, not CPU times. Both sides run on one
 * thread (`setThreads(1)`: the Gram product would otherwise use the worker pool); with `--issue12`,
 * the `2t` columns also time our default solver on two threads (`setThreads(2)`, the default on a
 * two-core machine: block epochs of designs with ≥ 2048 rows split their rows with a partner
 * thread, kernels/team.ts; the run checks that the coefficients are bit-identical). scikit-learn's
 * coordinate descent has no threaded mode.
 *
 * Ours: plain cyclic CD (`workingSet: false, screening: false, acceleration: 'none'`, i.e.
 * scikit-learn 1.2's algorithm), the default solver (working sets + Gap Safe screening + Anderson +
 * dual extrapolation + block epochs on tall dense designs) and, with `--issue12`, the default solver
 * with `blockCD: false` (one coordinate at a time, the round before the block epochs; column
 * `no-block cpu`: its CPU ms and epochs). All are timed end to end from the raw `DenseDesign` (centring and
 * column norms included), best of a few runs. scikit-learn (when `/usr/bin/python3` has it): only
 * `Lasso(...).fit` is timed inside Python (bench/sklearn_lasso.py), data passed through temp files.
 * Same stopping rule on both sides (gap ≤ tol·‖y_c‖²/n); both gaps are printed in the units of the
 * documented objective, sklearn's re-evaluated by our gap formula at its coefficients.
 * Both sides single-threaded (OPENBLAS/OMP/MKL_NUM_THREADS=1 for Python); each sklearn fit runs
 * right after our runs of the same job (best of 3 unless slower than 2 s).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DenseDesign } from '../src/data/dataset.js';
import type { CscMatrix } from '../src/linalg/sparse/csc.js';
import type { SolverOptions, SolverResult } from '../src/lasso/index.js';
import { loadDist } from './dist.js';
import { time } from './timing.js';

const { lasso, elasticNet, lambdaMax, makeCorrelatedData, makeSparseRegression, prepareDesign, tuneLasso } = await loadDist();
const { quadraticGap } = (await import(new URL('../dist/lasso/quad_model.js', import.meta.url).href)) as typeof import('../src/lasso/quad_model.js');
const { colDots, matvec, vecSum } = (await import(new URL('../dist/lasso/columns.js', import.meta.url).href)) as typeof import('../src/lasso/columns.js');
const { setThreads } = (await import(new URL('../dist/internals.js', import.meta.url).href)) as typeof import('../src/internals.js');

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const issue12 = args.has('--issue12');
const cvOnly = issue12 && args.has('--cv-only');
const denseOnly = issue12 && args.has('--dense-only');
const PY = '/usr/bin/python3';
setThreads(1); // single-threaded like the scikit-learn reference

interface Problem {
  name: string;
  X: DenseDesign | CscMatrix;
  y: Float64Array;
}

const sizes: [string, number, number][] = quick
  ? [['corr 500×1000', 500, 1000], ['leuk-like 72×7129', 72, 7129]]
  : [['corr 500×1000', 500, 1000], ['leuk-like 72×7129', 72, 7129], ['corr 2000×5000', 2000, 5000]];
const problems: Problem[] = cvOnly
  ? []
  : issue12
  ? [
      { name: 'tall 5000×500', ...makeCorrelatedData(5000, 500, { corr: 0.6, snr: 3, density: 0.2, seed: 7 }) },
      ...(denseOnly ? [] : [{ name: 'csc 10000×20000 0.5%', ...makeSparseRegression(10000, 20000, { density: 0.005, seed: 8 }) }]),
      { name: 'enet 1000×1000', ...makeCorrelatedData(1000, 1000, { corr: 0.6, snr: 3, density: 0.2, seed: 9 }) },
    ]
  : sizes.map(([name, n, p], k) => {
      const { X, y } = makeCorrelatedData(n, p, { corr: 0.6, snr: 3, density: 0.2, seed: 42 + k });
      return { name, X, y };
    });
const tols = [1e-4, 1e-8];
const ratios = [10, 100];

function hasSklearn(): boolean {
  if (args.has('--no-sklearn') || !existsSync(PY)) return false;
  try {
    execFileSync(PY, ['-c', 'import sklearn'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Best-of-k repeats, more for short runs (timer noise and GC matter most there); the same k for both libraries. */
function repeatsFor(ms: number): number {
  return ms > 2000 ? 1 : ms > 300 ? 2 : ms > 50 ? 5 : 15;
}

/** The job's solve: `lasso`, or `elasticNet` with λ₁ = λ·l1Ratio, λ₂ = λ·(1 − l1Ratio) (scikit-learn's ElasticNet). */
function solve(j: Job, opts: SolverOptions): SolverResult {
  return j.l1Ratio === undefined ? lasso(j.pb.X, j.pb.y, j.lam, opts) : elasticNet(j.pb.X, j.pb.y, j.lam * j.l1Ratio, j.lam * (1 - j.l1Ratio), opts);
}

function timeOurs(j: Job, opts: SolverOptions): { ms: number; cpu: number; res: SolverResult } {
  const first = solve(j, opts); // warm-up (JIT); its time sets the number of repeats
  const t = time(() => solve(j, opts), { warmup: 0, reps: repeatsFor(first.timings.totalMs) });
  return { ms: t.min, cpu: t.cpu, res: t.value };
}

interface Job {
  pb: Problem;
  tol: number;
  ratio: number;
  lam: number;
  /** Elastic net (scikit-learn's l1_ratio); undefined: Lasso. */
  l1Ratio?: number;
}
const jobs: Job[] = [];
for (const pb of problems) {
  const lmax = lambdaMax(pb.X, pb.y);
  if (!issue12) {
    for (const tol of tols) for (const ratio of ratios) jobs.push({ pb, tol, ratio, lam: lmax / ratio });
  } else if (pb.name.startsWith('tall')) {
    for (const tol of tols) jobs.push({ pb, tol, ratio: 200, lam: lmax / 200 });
  } else if (pb.name.startsWith('csc')) {
    for (const ratio of ratios) jobs.push({ pb, tol: 1e-4, ratio, lam: lmax / ratio });
  } else {
    jobs.push({ pb, tol: 1e-4, ratio: 200, lam: lmax / 0.5 / 200, l1Ratio: 0.5 });
  }
}

// scikit-learn reference: data written once per problem; one Python run per job, right after our
// own timing of the same job, so that both sides see the same machine load
interface SkRes { ms: number; cpu_ms: number; coef: number[]; intercept: number; gap: number; n_iter: number }
const useSk = hasSklearn();
let skVersion = '';
const dir = mkdtempSync(join(tmpdir(), 'nsdiff-bench-'));
const script = join(dirname(fileURLToPath(import.meta.url)), 'sklearn_lasso.py');
const bytesOf = (a: Float64Array | Int32Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const files = problems.map((pb, k) => {
  const yf = join(dir, `y${k}.bin`);
  if (useSk) writeFileSync(yf, bytesOf(pb.y));
  if (pb.X.kind === 'dense') {
    const xf = join(dir, `X${k}.bin`);
    if (useSk) writeFileSync(xf, bytesOf(pb.X.data));
    return { name: pb.name, x: xf, y: yf, n: pb.X.nRows, p: pb.X.nCols };
  }
  const f = { indptr: join(dir, `P${k}.bin`), indices: join(dir, `I${k}.bin`), values: join(dir, `V${k}.bin`) };
  if (useSk) {
    writeFileSync(f.indptr, bytesOf(pb.X.indptr));
    writeFileSync(f.indices, bytesOf(pb.X.indices));
    writeFileSync(f.values, bytesOf(pb.X.values));
  }
  return { name: pb.name, ...f, y: yf, n: pb.X.nRows, p: pb.X.nCols };
});
function runSklearn(j: Job, repeats: number): SkRes {
  const spec = {
    problems: [files[problems.indexOf(j.pb)]!],
    jobs: [{ problem: j.pb.name, alpha: j.lam, tol: j.tol, max_iter: 100000, repeats, ...(j.l1Ratio !== undefined ? { l1_ratio: j.l1Ratio } : {}) }],
  };
  const jf = join(dir, 'jobs.json');
  writeFileSync(jf, JSON.stringify(spec));
  const env = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  const outText = execFileSync(PY, [script, jf], { encoding: 'utf8', maxBuffer: 1 << 28, env });
  const parsed = JSON.parse(outText) as { sklearn: string; results: SkRes[] };
  skVersion = parsed.sklearn;
  return parsed.results[0]!;
}

/**
 * Duality gap of the documented objective ‖y_c − X_cβ‖²/(2n) + λ₁‖β‖₁ + (λ₂/2)‖β‖² (intercept
 * fitted: centred X and y) at a given β, by the solvers' own gap formula (`quadraticGap`,
 * dist/lasso/quad_model.js) on a design prepared without WebAssembly (exact JavaScript kernels).
 */
function gapAt(j: Job, beta: ArrayLike<number>): number {
  const pb = j.pb;
  const d = prepareDesign(pb.X, { center: true, wasm: false });
  const { nRows: n, nCols: p } = d;
  let ym = 0;
  for (let i = 0; i < n; i++) ym += pb.y[i]!;
  ym /= n;
  const b = Float64Array.from(beta);
  const r = new Float64Array(n);
  matvec(d, b, r);
  for (let i = 0; i < n; i++) r[i] = pb.y[i]! - ym - r[i]!;
  const xt = new Float64Array(p);
  colDots(d, r, vecSum(n, r), null, p, xt);
  const l1 = j.l1Ratio === undefined ? j.lam : j.lam * j.l1Ratio;
  const l2 = j.l1Ratio === undefined ? 0 : j.lam * (1 - j.l1Ratio);
  return quadraticGap(n, b, r, xt, new Float64Array(p).fill(l1), l2, null, p).gap;
}

const rows: string[][] = [];
const header = ['problem', 'tol', 'λ/λmax', 'plain CD ms', 'ours ms', 'sklearn ms', 'ours/sk', '2t ms', '2t/sk', 'ours cpu', 'sk cpu', 'cpu ratio', 'no-block cpu', '|S| ours', '|S| sk', 'gap ours', 'gap sk', 'max|Δβ|', 'epochs ours', 'iters sk'];
for (const j of jobs) {
  const plain = args.has('--no-plain')
    ? { ms: NaN, cpu: NaN, res: { converged: true } }
    : timeOurs(j, { tol: j.tol, maxIter: 100000, workingSet: false, screening: false, acceleration: 'none' });
  const fast = timeOurs(j, { tol: j.tol, maxIter: 100000 });
  // the default solver without the block epochs (`blockCD: false`, the previous round), same session
  const noBlock = issue12 ? timeOurs(j, { tol: j.tol, maxIter: 100000, blockCD: false }) : undefined;
  // the default solver on two threads (the library's default on a two-core machine: tall designs'
  // block epochs split their rows with a partner thread, kernels/team.ts; the same bits)
  let two: { ms: number; cpu: number; res: SolverResult } | undefined;
  if (issue12) {
    setThreads(2);
    two = timeOurs(j, { tol: j.tol, maxIter: 100000 });
    setThreads(1);
    for (let q = 0; q < two.res.beta.length; q++) {
      if (!Object.is(two.res.beta[q], fast.res.beta[q])) throw new Error(`two threads changed coefficient ${q} on ${j.pb.name}`);
    }
  }
  const s = useSk ? runSklearn(j, repeatsFor(fast.ms)) : undefined;
  // sklearn's gap re-evaluated with our formula at its coefficients (documented objective's units,
  // independent of how a given sklearn version scales `dual_gap_`)
  const skGap = s ? gapAt(j, s.coef) : NaN;
  let dmax = NaN;
  let skSupp = NaN;
  if (s) {
    dmax = 0;
    skSupp = 0;
    for (let q = 0; q < s.coef.length; q++) {
      dmax = Math.max(dmax, Math.abs(s.coef[q]! - fast.res.beta[q]!));
      if (s.coef[q] !== 0) skSupp++;
    }
  }
  rows.push([
    j.l1Ratio === undefined ? j.pb.name : `${j.pb.name} l1r ${j.l1Ratio}`, j.tol.toExponential(0), `1/${j.ratio}`,
    plain.ms.toFixed(1), fast.ms.toFixed(1), s ? s.ms.toFixed(1) : '-', s ? (fast.ms / s.ms).toFixed(3) : '-',
    two ? two.ms.toFixed(1) : '-', two && s ? (two.ms / s.ms).toFixed(3) : '-',
    fast.cpu.toFixed(1), s ? s.cpu_ms.toFixed(1) : '-', s ? (fast.cpu / s.cpu_ms).toFixed(3) : '-',
    noBlock ? `${noBlock.cpu.toFixed(1)} (${noBlock.res.iterations})` : '-',
    String(fast.res.support.length), s ? String(skSupp) : '-',
    fast.res.gap.toExponential(2), s ? skGap.toExponential(2) : '-', s ? dmax.toExponential(2) : '-',
    `${fast.res.iterations}${fast.res.converged ? '' : '!'}`, s ? String(s.n_iter) : '-',
  ]);
  if (!plain.res.converged || !fast.res.converged) console.error(`warning: not converged on ${j.pb.name} tol ${j.tol} λmax/${j.ratio}`);
  if (args.has('--progress')) console.error(rows[rows.length - 1]!.join(' '));
}
rmSync(dir, { recursive: true, force: true });

const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
const fmt = (r: string[]): string => r.map((v, c) => v.padStart(widths[c]!)).join('  ');
console.log(`Lasso solvers vs scikit-learn ${useSk ? skVersion : '(not available)'} — node ${process.version}; times: best of several runs, ms`);
if (rows.length > 0) {
  console.log(fmt(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(fmt(r));
}

// issue 12's cross-validation cell: 5-fold CV over a 100-λ grid on 2000×300, both sides end to end
if (issue12 && !denseOnly) {
  const { X, y } = makeCorrelatedData(2000, 300, { corr: 0.6, snr: 3, density: 0.2, seed: 10 });
  const tune = (): ReturnType<typeof tuneLasso> => tuneLasso(X, y, { criterion: 'cv', folds: 5, optimizer: 'grid', tol: 1e-4 });
  // warm-up: three tunings (the first kept for the comparison below), so that V8's background
  // compilations (process CPU) are over before timing
  const fit1 = tune();
  const { min: ms, cpu } = time(tune, { warmup: 2, reps: 5 });
  // our default on this machine: two threads (the fold Grams' gemm on the pool); the same λ, criterion and coefficients
  setThreads(2);
  const fit2 = tune();
  const { min: ms2 } = time(tune, { warmup: 2, reps: 5 });
  setThreads(1);
  const same2 = fit1.lambdas[0] === fit2.lambdas[0] && fit1.value === fit2.value && fit1.coef.every((v, j) => Object.is(v, fit2.coef[j]));
  let sk: { ms: number; cpu_ms: number; sklearn: string } | null = null;
  if (useSk) {
    const d2 = mkdtempSync(join(tmpdir(), 'nsdiff-bench-cv-'));
    const xf = join(d2, 'X.bin'), yf = join(d2, 'y.bin'), jf = join(d2, 'job.json');
    writeFileSync(xf, bytesOf(X.data));
    writeFileSync(yf, bytesOf(y));
    writeFileSync(jf, JSON.stringify({ x: xf, y: yf, n: 2000, p: 300, folds: 5, n_alphas: 100, eps: 1e-3, tol: 1e-4, max_iter: 1000, repeats: 5 }));
    const env = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
    sk = JSON.parse(execFileSync(PY, [join(dirname(fileURLToPath(import.meta.url)), 'sklearn_lassocv.py'), jf], { encoding: 'utf8', env })) as { ms: number; cpu_ms: number; sklearn: string };
    rmSync(d2, { recursive: true, force: true });
  }
  console.log(`\n5-fold CV 2000×300 (100 λ, tol 1e-4): ours ${ms.toFixed(1)} ms (cpu ${cpu.toFixed(1)}), sklearn ${sk ? sk.sklearn : ''} LassoCV ${sk ? `${sk.ms.toFixed(1)} ms (cpu ${sk.cpu_ms.toFixed(1)}); ratio ${(ms / sk.ms).toFixed(3)}, cpu ratio ${(cpu / sk.cpu_ms).toFixed(3)}` : '-'}; two threads ${ms2.toFixed(1)} ms${sk ? ` (ratio ${(ms2 / sk.ms).toFixed(3)})` : ''}, same λ, criterion and coefficients as one thread: ${same2}`);
}
