/**
 * @file Whole-process benchmark of 5-fold CV tuning from a CSV file: `nsdiff lasso tune --criterion
 * cv --folds 5` (the built bin, dist/cli/nsdiff.js: start-up, CSV parsing, tuning, output) against
 * scikit-learn's `LassoCV(n_alphas=100, eps=1e-3, cv=KFold(5), tol=1e-4)` (bench/sklearn_lassocv.py,
 * numpy.loadtxt) and R's `cv.glmnet(nlambda=100, lambda.min.ratio=1e-3, standardize=FALSE,
 * contiguous foldid)` (bench/glmnet_cv.R), each as a whole process on the same CSV, plus the fit time
 * each reference reports from inside its process. Python and R are optional (rows are omitted
 * without them); nsdiff never needs either.
 *
 * Data: `makeCorrelatedData(500, 1000, { corr: 0.6, snr: 3, density: 0.1, seed: 0 })` written as a
 * CSV of full-precision numbers (≈ 9.8 MB) in a temp dir. Quality: every side's selected λ is scored
 * by nsdiff's `CrossValCriterion` (same contiguous folds) at inner tolerance 1e-10, so the CV MSE
 * column compares the choices, not each tool's own estimate.
 *
 * Memory row (`--memory`): a 100 000 × 200 Gaussian CSV (≈ 390 MB of text, 160 MB as float64) is
 * generated in the temp dir and tuned by the CLI; the peak RSS (`/usr/bin/time -v`'s maximum
 * resident set size) is reported as a multiple of the float64 data. `--memory-only` skips the rest.
 *
 * Times: best of REPEATS processes (wall, and user + system CPU of that process from
 * `/usr/bin/time`: on a shared machine wall time includes waiting for a core).
 *
 * Run: `npm run build && npx tsx bench/tune_process.bench.ts [--quick] [--memory] [--memory-only]`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeCorrelatedData } from '../src/data/synthetic.js';
import { rng } from '../src/core/rng.js';
import { loadCsv } from '../src/data/files.js';
import { CrossValCriterion } from '../src/hpo/index.js';

const quick = process.argv.includes('--quick');
const memoryOnly = process.argv.includes('--memory-only');
const memory = memoryOnly || process.argv.includes('--memory');
const REPEATS = quick ? 1 : 3;
const root = fileURLToPath(new URL('..', import.meta.url));
/** The package's bin (the esbuild bundle of dist/cli/main.js, see scripts/bundle-cli.mjs). */
const cli = join(root, 'dist/cli/nsdiff.js');
const TIME = '/usr/bin/time';

/** Writes a CSV (header x1..xp,y; full-precision numbers) row by row from a column-major X. */
function writeCsv(path: string, n: number, p: number, row: (i: number, out: Float64Array) => number): void {
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, Array.from({ length: p }, (_, j) => `x${j + 1}`).join(',') + ',y\n');
    const r = new Float64Array(p);
    const parts = new Array<string>(p + 1);
    let lines: string[] = [];
    for (let i = 0; i < n; i++) {
      const y = row(i, r);
      for (let j = 0; j < p; j++) parts[j] = String(r[j]);
      parts[p] = String(y);
      lines.push(parts.join(','));
      if (lines.length === 500 || i === n - 1) {
        writeSync(fd, lines.join('\n') + '\n');
        lines = [];
      }
    }
  } finally {
    closeSync(fd);
  }
}

interface Proc {
  wallS: number;
  cpuS: number;
  rssMB: number;
  stdout: string;
}

/** Runs a command under /usr/bin/time (wall, CPU, peak RSS); throws with its stderr on failure. */
function timed(cmd: string, args: string[]): Proc {
  const tf = join(dir, 'time.txt');
  const r = spawnSync(TIME, ['-f', '%e %U %S %M', '-o', tf, cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, NODE_OPTIONS: '' } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr.slice(-500)}`);
  const [e, u, s, m] = readFileSync(tf, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
  return { wallS: e!, cpuS: u! + s!, rssMB: m! / 1024, stdout: r.stdout };
}

function bestOf(k: number, f: () => Proc): Proc {
  let b: Proc | null = null;
  for (let i = 0; i < k; i++) {
    const r = f();
    if (b === null || r.wallS < b.wallS) b = r;
  }
  return b!;
}

function has(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const nsdiffArgs = (csv: string): string[] => [cli, 'lasso', 'tune', '--data', csv, '--target', 'y', '--criterion', 'cv', '--folds', '5', '--json', '--quiet'];

if (!existsSync(cli)) {
  console.log('dist/cli/nsdiff.js is missing: building (npm run build)');
  execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
}
if (!existsSync(TIME)) throw new Error(`${TIME} (GNU time) is needed to measure the processes`);

const dir = mkdtempSync(join(tmpdir(), 'nsdiff-tune-process-'));
try {
  if (!memoryOnly) {
    const N = 500;
    const P = 1000;
    const d = makeCorrelatedData(N, P, { seed: 0, corr: 0.6, snr: 3, density: 0.1 });
    const csv = join(dir, 'correlated_500x1000.csv');
    writeCsv(csv, N, P, (i, out) => {
      for (let j = 0; j < P; j++) out[j] = d.X.data[j * N + i]!;
      return d.y[i]!;
    });
    console.log(`# whole-process 5-fold CV tuning from a CSV: ${N} × ${P} (correlated, corr 0.6, snr 3, density 0.1), best of ${REPEATS} processes`);

    interface Row { tool: string; proc: Proc; fitMs: number; fitCpuMs: number; readMs: number; lambda: number; own: number }
    const rows: Row[] = [];
    // nsdiff
    const ns = bestOf(REPEATS, () => timed(process.execPath, nsdiffArgs(csv)));
    const nj = JSON.parse(ns.stdout) as { lambda: number; criterion: number; timeMs: number };
    rows.push({ tool: 'nsdiff lasso tune (line search)', proc: ns, fitMs: nj.timeMs, fitCpuMs: NaN, readMs: NaN, lambda: nj.lambda, own: nj.criterion });
    // scikit-learn
    const py = '/usr/bin/python3';
    if (has(py, ['-c', 'import sklearn'])) {
      const job = join(dir, 'job.json');
      writeFileSync(job, JSON.stringify({ csv, target: 'y', folds: 5, n_alphas: 100, eps: 1e-3, tol: 1e-4, max_iter: 1000, repeats: 1 }));
      const sk = bestOf(REPEATS, () => timed(py, [join(root, 'bench/sklearn_lassocv.py'), job]));
      const sj = JSON.parse(sk.stdout) as { sklearn: string; ms: number; cpu_ms: number; read_ms: number; alpha: number; best_mse: number };
      rows.push({ tool: `sklearn ${sj.sklearn} LassoCV (100 λ)`, proc: sk, fitMs: sj.ms, fitCpuMs: sj.cpu_ms, readMs: sj.read_ms, lambda: sj.alpha, own: sj.best_mse });
    } else console.log('(scikit-learn not found at /usr/bin/python3: its row is omitted)');
    // glmnet
    if (has('Rscript', ['-e', 'suppressPackageStartupMessages(library(glmnet))'])) {
      const gl = bestOf(REPEATS, () => timed('Rscript', [join(root, 'bench/glmnet_cv.R'), csv, 'y', '5', '100', '1e-3', '1']));
      const gj = JSON.parse(gl.stdout) as { glmnet: string; r: string; ms: number; cpu_ms: number; read_ms: number; lambda: number; cvm: number; nlambda: number };
      rows.push({ tool: `R ${gj.r} cv.glmnet ${gj.glmnet} (${gj.nlambda} λ)`, proc: gl, fitMs: gj.ms, fitCpuMs: gj.cpu_ms, readMs: gj.read_ms, lambda: gj.lambda, own: gj.cvm });
    } else console.log('(R with glmnet not found: its row is omitted)');

    // every λ scored by the same criterion at a tight tolerance
    const ds = loadCsv(csv, { target: 'y' });
    const ref = new CrossValCriterion(ds.X, ds.y, 'lasso', { folds: 5 });
    const exact = (lam: number): number => {
      ref.resetWarmStart();
      return ref.evaluate([lam], { tol: 1e-10, gradient: false }).value;
    };
    const skFit = rows.find((r) => r.tool.startsWith('sklearn'))?.fitMs;
    const glFit = rows.find((r) => r.tool.startsWith('R '))?.fitMs;
    const skCpu = rows.find((r) => r.tool.startsWith('sklearn'))?.fitCpuMs;
    const glCpu = rows.find((r) => r.tool.startsWith('R '))?.fitCpuMs;
    const ratio = (s: number, ref?: number): string => (ref === undefined ? 'n/a' : (s * 1000 / ref).toFixed(3));
    console.log('');
    console.log('| tool | whole process wall (s) | process CPU (s) | peak RSS (MB) | in-process fit (ms) | fit CPU (ms) | CSV read (ms) | whole / sklearn fit | whole / glmnet fit | selected λ | own CV estimate | CV MSE at λ (nsdiff, tol 1e-10) |');
    console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const r of rows) {
      console.log(
        `| ${r.tool} | ${r.proc.wallS.toFixed(2)} | ${r.proc.cpuS.toFixed(2)} | ${r.proc.rssMB.toFixed(0)} | ${r.fitMs.toFixed(0)} | ${Number.isNaN(r.fitCpuMs) ? 'n/a' : r.fitCpuMs.toFixed(0)} | ${Number.isNaN(r.readMs) ? 'in fit' : r.readMs.toFixed(0)} | ` +
          `${ratio(r.proc.wallS, skFit)} | ${ratio(r.proc.wallS, glFit)} | ${r.lambda.toExponential(4)} | ${r.own.toPrecision(7)} | ${exact(r.lambda).toPrecision(8)} |`,
      );
    }
    const nsCpu = rows[0]!.proc.cpuS;
    console.log(`CPU: nsdiff whole process ${nsCpu.toFixed(2)} s = ${ratio(nsCpu, skCpu)} × LassoCV.fit CPU, ${ratio(nsCpu, glCpu)} × cv.glmnet CPU (fair on a loaded machine)`);
    console.log(`(λmax = ${ref.lambdaMax.toExponential(4)}; "in-process fit" is nsdiff's tuning time (timeMs: criterion construction, search, refit), LassoCV.fit, cv.glmnet)`);
    ref.dispose();
  }

  if (memory) {
    const N = 100_000;
    const P = 200;
    const csv = join(dir, 'gaussian_100000x200.csv');
    const g = rng(0);
    writeCsv(csv, N, P, (_, out) => {
      g.fillNormal(out);
      let y = g.normalScalar();
      for (let j = 0; j < 10; j++) y += (j + 1) * out[j]!;
      return y;
    });
    const bytes = statSync(csv).size;
    const dataMB = (N * P * 8) / 2 ** 20;
    console.log(`\n# memory: ${N} × ${P} CSV (${(bytes / 2 ** 20).toFixed(0)} MB of text, ${dataMB.toFixed(0)} MB as float64), nsdiff lasso tune --criterion cv --folds 5`);
    const m = timed(process.execPath, nsdiffArgs(csv));
    const mj = JSON.parse(m.stdout) as { lambda: number; criterion: number; timeMs: number };
    console.log('| process | wall (s) | CPU (s) | peak RSS (MB) | peak / float64 data | selected λ | CV MSE |');
    console.log('|---|---|---|---|---|---|---|');
    console.log(`| nsdiff lasso tune | ${m.wallS.toFixed(1)} | ${m.cpuS.toFixed(1)} | ${m.rssMB.toFixed(0)} | ${(m.rssMB / dataMB).toFixed(2)}× | ${mj.lambda.toExponential(4)} | ${mj.criterion.toPrecision(7)} |`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
