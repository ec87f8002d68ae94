/**
 * @file The `nsdiff` command line, run in-process: JSON outputs of `lasso tune` and
 * `lasso hypergrad` (the hypergradient checked against central finite differences of the printed
 * criterion), and every bad input the CLI must refuse with a clear message and a non-zero exit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli/main.js';
import { loadData } from '../src/cli/data_source.js';
import { checkedDesign } from '../src/lasso/design.js';
import { getThreads, setThreads } from '../src/kernels/threads.js';

const dir = mkdtempSync(join(tmpdir(), 'nsdiff-cli-'));

function run(...args: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const log = console.log;
  const write = process.stderr.write.bind(process.stderr);
  console.log = (...a: unknown[]) => void (out += a.join(' ') + '\n');
  (process.stderr as { write: unknown }).write = (chunk: string | Uint8Array) => ((err += String(chunk)), true);
  try {
    const code = main(['node', 'nsdiff', ...args]);
    return { code, out, err };
  } finally {
    console.log = log;
    (process.stderr as { write: unknown }).write = write;
  }
}

/** Writes a CSV of a small synthetic regression (columns x1..x4, target y). */
function csv(name: string, rows: number, seed: number, mutate?: (lines: string[]) => void): string {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  const lines = ['x1,x2,x3,x4,y'];
  for (let i = 0; i < rows; i++) {
    const x = [rnd(), rnd(), rnd(), rnd()];
    const y = 3 * x[0]! - 2 * x[2]! + 0.5 * rnd();
    lines.push([...x, y].map((v) => v.toFixed(6)).join(','));
  }
  mutate?.(lines);
  const path = join(dir, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

const train = csv('train.csv', 60, 1);
const val = csv('val.csv', 40, 2);

test('lasso tune --json prints lambda, criterion, iterations, coef, intercept; --plot writes an SVG', () => {
  const plot = join(dir, 'curve.svg');
  const r = run('lasso', 'tune', '--dataset', 'diabetes', '--max-evals', '4', '--json', '--plot', plot);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  for (const key of ['lambda', 'criterion', 'iterations', 'coef', 'intercept']) assert.ok(key in j, `missing ${key}`);
  assert.ok(j.lambda > 0 && Number.isFinite(j.criterion) && j.coef.length === 10);
  assert.ok(existsSync(plot) && readFileSync(plot, 'utf8').startsWith('<svg'));
});

test('lasso hypergrad --json: hypergradient matches central differences of the printed criterion', () => {
  const at = (lam: number) => {
    const r = run('lasso', 'hypergrad', '--train', train, '--val', val, '--target', 'y', '--lambda', String(lam), '--json', '--tol', '1e-12');
    assert.equal(r.code, 0, r.err);
    return JSON.parse(r.out);
  };
  const lam = 0.05;
  const j = at(lam);
  for (const key of ['criterion', 'hypergradient', 'supportSize']) assert.ok(key in j, `missing ${key}`);
  const h = 1e-4;
  const fd = (at(lam * Math.exp(h)).criterion - at(lam * Math.exp(-h)).criterion) / (2 * h);
  assert.ok(Math.abs(fd) > 0 && Math.abs(fd - j.hypergradient) <= 1e-6 * Math.abs(fd), `FD ${fd} vs ${j.hypergradient}`); // relative
});

const refusals: [string, () => string[], RegExp][] = [
  ['missing cell', () => ['--data', csv('missing.csv', 20, 3, (l) => (l[5] = l[5]!.replace(/^[^,]*/, ''))), '--target', 'y'], /line 6.*x1|x1.*line 6/],
  ['non-numeric cell', () => ['--data', csv('text.csv', 20, 4, (l) => (l[3] = l[3]!.replace(/,[^,]*,/, ',abc,'))), '--target', 'y'], /'abc'.*x2.*line 4/],
  ['unknown target column', () => ['--data', train, '--target', 'price'], /price/],
  ['fewer rows than folds', () => ['--data', csv('tiny.csv', 4, 5), '--target', 'y', '--folds', '5'], /fold/i],
  ['constant column', () => ['--data', csv('const.csv', 20, 6, (l) => l.forEach((_, i) => i > 0 && (l[i] = l[i]!.replace(/^[^,]*/, '1.0')))), '--target', 'y'], /constant.*x1/],
  ['all-zero y', () => ['--data', csv('zeroy.csv', 20, 7, (l) => l.forEach((_, i) => i > 0 && (l[i] = l[i]!.replace(/[^,]*$/, '0')))), '--target', 'y'], /constant|zero/i],
  ['unknown dataset', () => ['--dataset', 'iris'], /iris/],
  ['no data', () => [], /no data/],
];
for (const [what, args, pattern] of refusals) {
  test(`lasso tune refuses: ${what}`, () => {
    const r = run('lasso', 'tune', ...args(), '--json');
    assert.equal(r.code, 1, `exit code (stderr: ${r.err})`);
    assert.equal(r.out, '', 'nothing on stdout');
    assert.match(r.err, /^nsdiff: error: /);
    assert.match(r.err, pattern);
  });
}

test('lasso hypergrad refuses λ ≤ 0 and a non-number λ', () => {
  for (const lam of ['0', '-1', 'abc']) {
    const r = run('lasso', 'hypergrad', '--train', train, '--val', val, '--target', 'y', '--lambda', lam);
    assert.equal(r.code, 1);
    assert.match(r.err, /--lambda/);
  }
});

test('usage errors exit with 2', () => {
  assert.equal(run('lasso', 'tune', '--no-such-option').code, 2);
  assert.equal(run('lasso', 'hypergrad', '--dataset', 'diabetes').code, 2); // --lambda is required
});

// ── option values, data checks and messages (in-process; the spawned cases are in cli.e2e.test.ts) ──

function refuses(args: string[], pattern: RegExp): string {
  const r = run(...args);
  assert.equal(r.code, 1, `exit code (stderr: ${r.err})`);
  assert.equal(r.out, '', 'nothing on stdout');
  assert.match(r.err, /^nsdiff: error: /);
  assert.match(r.err, pattern);
  assert.doesNotMatch(r.err, /\b[A-Za-z_]\w*\(\)/, 'no internal function names');
  return r.err;
}

test('--threads sets the kernel thread count, before or after the command, and is validated', () => {
  refuses(['lasso', 'tune', '--dataset', 'diabetes', '--threads', '0'], /--threads must be an integer in \[1, 256\]; got '0'/);
  refuses(['--threads', 'two', 'lasso', 'tune', '--dataset', 'diabetes'], /--threads must be an integer in \[1, 256\]; got 'two'/);
  const prev = getThreads();
  try {
    const one = run('--threads', '1', 'lasso', 'tune', '--dataset', 'diabetes', '--json', '--quiet');
    assert.equal(one.code, 0, one.err);
    assert.equal(getThreads(), 1);
    const two = run('lasso', 'tune', '--dataset', 'diabetes', '--json', '--quiet', '--threads', '2');
    assert.equal(two.code, 0, two.err);
    assert.equal(getThreads(), 2);
    // results do not depend on the thread count
    assert.equal((JSON.parse(two.out) as { lambda: number }).lambda, (JSON.parse(one.out) as { lambda: number }).lambda);
  } finally {
    setThreads(prev);
  }
});

test('nsdiff info: the kernels\' backend, SIMD, fused multiply-add, threads and where they come from (text and JSON)', () => {
  const prev = getThreads();
  try {
    const text = run('info');
    assert.equal(text.code, 0, text.err);
    assert.match(text.out, /^nsdiff \d+\.\d+\.\d+ on Node v\d+/);
    assert.match(text.out, /kernels: backend auto; WebAssembly SIMD (yes|no); fused multiply-add (yes|no)/);
    assert.match(text.out, /threads: \d+ \(from /);
    const j = run('--threads', '1', 'info', '--json');
    assert.equal(j.code, 0, j.err);
    const info = JSON.parse(j.out) as Record<string, unknown>;
    assert.equal(info.threads, 1);
    assert.equal(info.threadsFrom, 'setThreads or --threads');
    assert.equal(info.rowSplitMinRows, 2048);
    for (const k of ['version', 'runtime', 'backend', 'wasmSimd', 'fusedMultiplyAdd', 'availableCores', 'workerHost', 'sharedMemory']) assert.ok(k in info, k);
  } finally {
    setThreads(prev);
  }
});

test('every option value is validated with the flag named and the closest valid value suggested', () => {
  refuses(['lasso', 'tune', '--data', train, '--target', 'y', '--format', 'libsvn'], /--format must be one of csv, libsvm; got 'libsvn' \(did you mean 'libsvm'\?\)/);
  refuses(['lasso', 'tune', '--data', train, '--target', 'y', '--format', 'xlsx'], /got 'xlsx'.*export the sheet as CSV/);
  refuses(['lasso', 'tune', '--dataset', 'diabetis'], /--dataset must be one of diabetes, breast_cancer, digits; got 'diabetis' \(did you mean 'diabetes'\?\)/);
  refuses(['lasso', 'tune', '--dataset', 'diabetes', '--model', 'lasoo'], /did you mean 'lasso'/);
  refuses(['lasso', 'tune', '--dataset', 'diabetes', '--criterion', 'sur'], /did you mean 'sure'/);
  refuses(['lasso', 'hypergrad', '--dataset', 'diabetes', '--lambda', '1', '--method', 'implicit-fwd'], /--method must be one of/);
  for (const tol of ['1', '5', '0', '-1e-3', 'abc', '']) refuses(['lasso', 'tune', '--dataset', 'diabetes', '--tol', tol], /--tol must be a number in \(0, 1\)/);
  refuses(['lasso', 'tune', '--dataset', 'diabetes', '--folds', '1'], /--folds must be an integer in \[2, 1000\]; got '1'/);
  refuses(['lasso', 'tune', '--dataset', 'diabetes', '--max-evals', '2.5'], /--max-evals must be an integer/);
  refuses(['lasso', 'tune', '--dataset', 'diabetes', '--seed', '-3'], /--seed must be an integer/);
  refuses(['lasso', 'tune', '--dataset', 'diabetes', '--add-noise', 'many'], /--add-noise must be an integer/);
  refuses(['lasso', 'tune', '--dataset', 'diabetes', '--log-y'], /--log-y applies to the validation curve/);
  refuses(['lasso', 'tune', '--dataset', 'diabetes', '--model', 'enet', '--path-plot', join(dir, 'p.svg')], /--path-plot .* needs --model lasso/);
  refuses(['lasso', 'tune', '--dataset', 'diabetes', '--select', '1se', '--criterion', 'sure'], /--select 1se .* needs --model lasso and --criterion cv/);
  refuses(['lasso', 'tune', '--dataset', 'diabetes', '--select', 'lse'], /--select must be one of min, 1se; got 'lse' \(did you mean '1se'\?\)/);
  refuses(['lasso', 'tune', '--dataset', 'digits', '--model', 'logreg', '-q'], /--model logreg needs a target with two classes coded 0\/1 or −1\/\+1, but label of bundled dataset digits is 2 in data row 3/);
  refuses(['lasso', 'tune', '--dataset', 'diabetes', '--plot', join(dir, 'same.svg'), '--path-plot', join(dir, '.', 'x', '..', 'same.svg')], /--path-plot .* is the same file as --plot/);
  refuses(['lasso', 'path', '--dataset', 'diabetes', '--eps', '2'], /--eps must be a number in \(0, 1\)/);
  refuses(['lasso', 'hypergrad', '--dataset', 'diabetes', '--model', 'enet', '--lambda', '0.1'], /--lambda: --model enet takes 2 comma-separated values/);
});

test('the format comes from --format or an unambiguous extension, never guessed', () => {
  const txt = join(dir, 'data.txt');
  writeFileSync(txt, readFileSync(train));
  refuses(['lasso', 'tune', '--data', txt, '--target', 'y'], /cannot tell the format of .*data\.txt from its extension \(\.txt\): give --format csv or --format libsvm/);
  const r = run('lasso', 'tune', '--data', txt, '--target', 'y', '--format', 'csv', '--max-evals', '2', '--json', '-q');
  assert.equal(r.code, 0, r.err);
});

test('data checks: too few rows, overflowing magnitudes, constant columns (--drop-constant), unreadable files', () => {
  refuses(['lasso', 'tune', '--data', csv('two.csv', 2, 8), '--target', 'y'], /has 2 data rows: too few rows.*at least 3/);
  refuses(['lasso', 'tune', '--data', csv('one.csv', 1, 8), '--target', 'y'], /has 1 data row: too few rows/);
  const scaled = (name: string, f: number) => csv(name, 30, 9, (l) => l.forEach((s, i) => i > 0 && (l[i] = s.split(',').map((v, j) => (j === 1 ? String(Number(v) * f) : v)).join(','))));
  refuses(['lasso', 'tune', '--data', scaled('big.csv', 1e300), '--target', 'y'], /column x2 of .*big\.csv has values up to .*e\+29\d in magnitude: squares of such values overflow float64/);
  refuses(['lasso', 'tune', '--data', scaled('tiny.csv', 1e-300), '--target', 'y'], /column x2 of .*tiny\.csv has values no larger than .*e-30\d.*underflow/);
  const constant = csv('const2.csv', 20, 6, (l) => l.forEach((_, i) => i > 0 && (l[i] = l[i]!.replace(/^[^,]*/, '1.0'))));
  refuses(['lasso', 'tune', '--data', constant, '--target', 'y'], /constant \(x1\).*pass --drop-constant/);
  const r = run('lasso', 'tune', '--data', constant, '--target', 'y', '--drop-constant', '--max-evals', '2', '--json');
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /^note: dropped 1 constant column\(s\) of .*const2\.csv: x1$/m);
  assert.deepEqual(JSON.parse(r.out).featureNames, ['x2', 'x3', 'x4']);
  refuses(['lasso', 'tune', '--data', csv('nan.csv', 20, 10, (l) => (l[7] = l[7]!.replace(/,[^,]*,/, ',NaN,'))), '--target', 'y'], /'NaN' in column x2 at line 8 of .*nan\.csv is not a number/);
  refuses(['lasso', 'tune', '--dataset', 'diabetes', '--plot', 'data/../data/diabetes.csv'], /--plot .* is the same file as --dataset; refusing to overwrite it/);
  const err = refuses(['lasso', 'tune', '--data', join(dir, 'absent.csv'), '--target', 'y'], /cannot read .*absent\.csv: no such file or directory \(ENOENT\)$/m);
  assert.equal(err.match(/ENOENT/g)!.length, 1);
  refuses(['lasso', 'tune', '--data', csv('zero2.csv', 20, 7, (l) => l.forEach((_, i) => i > 0 && (l[i] = l[i]!.replace(/[^,]*$/, '0')))), '--target', 'y'], /constant|zero/i);
});

test('the magnitude check establishes finiteness: the loaded X is not scanned again by the library (checkedDesign returns it as it is)', () => {
  const { train } = loadData({ data: csv('fin.csv', 12, 3), target: 'y' });
  assert.equal(checkedDesign(train.X, 'tuneLasso'), train.X);
  // a design that did not come through the check is scanned and returned as a fresh record
  const other = { ...train.X };
  assert.notEqual(checkedDesign(other, 'tuneLasso'), other);
});

test('every bundled dataset works with every subcommand (constant columns of digits dropped, said on stderr)', () => {
  for (const ds of ['diabetes', 'breast_cancer', 'digits']) {
    const t = run('lasso', 'tune', '--dataset', ds, '--max-evals', '2', '--json', '-q');
    assert.equal(t.code, 0, `${ds} tune: ${t.err}`);
    assert.ok(JSON.parse(t.out).lambda > 0);
    const h = run('lasso', 'hypergrad', '--dataset', ds, '--lambda', '0.5', '--json', '-q');
    assert.equal(h.code, 0, `${ds} hypergrad: ${h.err}`);
    assert.ok(Number.isFinite(JSON.parse(h.out).hypergradient));
    const p = run('lasso', 'path', '--dataset', ds, '--n-lambdas', '8', '--json');
    assert.equal(p.code, 0, `${ds} path: ${p.err}`);
    assert.equal(JSON.parse(p.out).lambdas.length, 8);
    if (ds === 'digits') assert.match(p.err, /^note: dropped 3 constant column\(s\) of bundled dataset digits: p0, p32, p39$/m);
    else assert.equal(p.err, '');
  }
});

test('--quiet: no progress and no notes on stderr; without it, plain progress lines', () => {
  const q = run('lasso', 'tune', '--dataset', 'digits', '--max-evals', '2', '-q');
  assert.equal(q.code, 0);
  assert.equal(q.err, '');
  const v = run('lasso', 'tune', '--dataset', 'diabetes', '--max-evals', '2');
  assert.match(v.err, /^tuning: 1\/2 λ=\S+ criterion=\S+$/m);
  assert.doesNotMatch(v.err, /\r/);
});

test('lasso path: entry order, --plot with the marked λ; lasso tune --path-plot marks the selected λ', () => {
  const plot = join(dir, 'path.svg');
  const r = run('lasso', 'path', '--dataset', 'diabetes', '--standardize', '--lambda', '2', '--plot', plot);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /order of entry \(10 of 10 features ever non-zero\):\n {2}bmi/);
  const svg = readFileSync(plot, 'utf8');
  assert.match(svg, /selected λ = 2\.00/);
  assert.match(svg, />bmi</);
  const t = run('lasso', 'tune', '--data', train, '--target', 'y', '--max-evals', '3', '--path-plot', plot, '--json', '-q');
  assert.equal(t.code, 0, t.err);
  assert.match(readFileSync(plot, 'utf8'), new RegExp(`selected λ = ${JSON.parse(t.out).lambda.toPrecision(3)}`));
});

test('library messages lose internal function names (errors and warnings go through userMessage)', async () => {
  const { userMessage } = await import('../src/cli/main.js');
  assert.equal(userMessage('CrossValCriterion(): fewer rows than folds (n = 2 rows, 5 folds)'), 'fewer rows than folds (n = 2 rows, 5 folds)');
  assert.equal(userMessage('optimize(): λ_max = 0: the target is constant'), 'λ_max = 0: the target is constant');
  assert.equal(userMessage('fold 1: rawLambdaMax(): y is constant'), 'fold 1: y is constant');
  assert.equal(userMessage('tuneLasso(): the invertibility hypothesis failed at 2 of 9 evaluations'), 'the invertibility hypothesis failed at 2 of 9 evaluations');
  assert.equal(userMessage('--tol must be a number in (0, 1)'), '--tol must be a number in (0, 1)');
  const emit = process.emitWarning;
  run('lasso', 'tune', '--dataset', 'diabetes', '--max-evals', '1', '-q', '--json');
  assert.equal(process.emitWarning, emit, 'process.emitWarning is restored after a run');
});

test('--standardize divides each column by its population standard deviation: λ_max = max_j |z_jᵀ(y − ȳ)|/n', async () => {
  const { loadDataset } = await import('../src/data/datasets.js');
  const ds = loadDataset('diabetes');
  const X = ds.X as { data: Float64Array; nRows: number; nCols: number };
  const n = X.nRows;
  const ybar = ds.y.reduce((a, b) => a + b, 0) / n;
  let expected = 0;
  for (let j = 0; j < X.nCols; j++) {
    const col = X.data.subarray(j * n, (j + 1) * n);
    const m = col.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(col.reduce((a, b) => a + (b - m) ** 2, 0) / n);
    let dot = 0;
    for (let i = 0; i < n; i++) dot += ((col[i]! - m) / sd) * (ds.y[i]! - ybar);
    expected = Math.max(expected, Math.abs(dot) / n);
  }
  const r = run('lasso', 'path', '--dataset', 'diabetes', '--standardize', '--n-lambdas', '3', '--json');
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.ok(Math.abs(j.lambdaMax - expected) <= 1e-12 * expected, `${j.lambdaMax} vs ${expected}`);
  assert.equal(j.standardized, true);
});

test('--standardize reports coefficients on the original scale: they equal the Lasso estimator with standardize at the selected λ', async () => {
  const { Lasso } = await import('../src/estimators/index.js');
  const { loadDataset } = await import('../src/data/datasets.js');
  const r = run('lasso', 'tune', '--dataset', 'diabetes', '--standardize', '--criterion', 'heldout', '--max-evals', '6', '--tol', '1e-10', '--json');
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  const ds = loadDataset('diabetes');
  const est = new Lasso({ alpha: j.lambda, standardize: true, tol: 1e-12 }).fit(ds.X, ds.y);
  const scale = Math.max(...est.coef.map(Math.abs));
  for (let k = 0; k < est.coef.length; k++) {
    assert.ok(Math.abs(j.coef[k] - est.coef[k]!) <= 1e-6 * scale, `coef ${k}: ${j.coef[k]} vs ${est.coef[k]}`);
  }
  assert.equal(j.coefStandardized.length, j.coef.length);
});
