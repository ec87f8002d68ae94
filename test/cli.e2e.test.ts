/**
 * @file The `nsdiff` command line as a user runs it: spawned processes (tsx on src/cli/main.ts),
 * checked by exit code, stderr text (one `nsdiff: error:` line, no stack trace), stdout, and the
 * input files left byte-for-byte unchanged. Each spawn costs about a second of CPU, so the cases
 * here are the ones that need a real process; option validation is tested in-process in
 * cli.options.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, existsSync, mkdirSync, symlinkSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeFlags } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'nsdiff-e2e-'));
const root = new URL('..', import.meta.url).pathname;

function run(args: string[], cwd = dir): Promise<{ code: number; out: string; err: string; ms: number }> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const p = spawn(process.execPath, [...nodeFlags, '--import', import.meta.resolve('tsx'), join(root, 'src/cli/main.ts'), ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } });
    let out = '';
    let err = '';
    p.stdout.on('data', (c) => (out += c));
    p.stderr.on('data', (c) => (err += c));
    p.on('close', (code) => resolve({ code: code ?? -1, out, err, ms: Date.now() - t0 }));
  });
}

function csv(name: string, rows: number, seed: number): string {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  const lines = ['x1,x2,x3,x4,y'];
  for (let i = 0; i < rows; i++) {
    const x = [rnd(), rnd(), rnd(), rnd()];
    lines.push([...x, 3 * x[0]! - 2 * x[2]! + 0.5 * rnd()].map((v) => v.toFixed(6)).join(','));
  }
  const path = join(dir, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

const data = csv('d.csv', 60, 1);
const train = csv('train.csv', 60, 2);
const val = csv('val.csv', 40, 3);
symlinkSync(data, join(dir, 'link.csv'));
mkdirSync(join(dir, 'sub'));
const snapshot = () => [data, train, val].map((p) => readFileSync(p, 'utf8'));
const before = snapshot();

function oneErrorLine(err: string, pattern: RegExp): void {
  const lines = err.trim().split('\n');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${err}`);
  assert.match(lines[0]!, /^nsdiff: error: /);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(err, /\n\s+at /, 'no stack trace');
}

test('--plot onto an input file is refused (symlinked input, ../ in the output path, --val); inputs unchanged', async () => {
  const [a, b] = await Promise.all([
    run(['lasso', 'tune', '--data', 'link.csv', '--target', 'y', '--plot', 'sub/../d.csv']),
    run(['lasso', 'tune', '--train', train, '--val', val, '--target', 'y', '--path-plot', './val.csv']),
  ]);
  assert.equal(a.code, 1);
  oneErrorLine(a.err, /--plot sub\/\.\.\/d\.csv is the same file as --data; refusing to overwrite it/);
  assert.equal(b.code, 1);
  oneErrorLine(b.err, /--path-plot \.\/val\.csv is the same file as --val/);
  assert.equal(a.out + b.out, '');
  assert.deepEqual(snapshot(), before);
});

test('a failed plot write (a directory, a parent that is a file) is one error line each; the result is still printed', async () => {
  const r = await run(['lasso', 'tune', '--data', data, '--target', 'y', '--max-evals', '3', '--plot', join(dir, 'sub'), '--path-plot', join(data, 'p.svg'), '-q']);
  assert.equal(r.code, 1);
  assert.match(r.out, /selected λ = /);
  const lines = r.err.trim().split('\n');
  assert.equal(lines.length, 2, r.err);
  assert.match(lines[0]!, /^nsdiff: error: cannot write the validation curve .*sub: it is a directory \(EISDIR\)$/);
  assert.match(lines[1]!, /^nsdiff: error: cannot write the coefficient path .*d\.csv\/p\.svg: a parent of it is a file, not a directory \(ENOTDIR\)$/);
  assert.deepEqual(readdirSync(join(dir, 'sub')), [], 'no temporary file left behind');
  assert.deepEqual(snapshot(), before);
});

test('npm start main job: standardised diabetes + noise features, progress lines on a non-terminal stderr, both figures written atomically', async () => {
  const out = join(dir, 'out');
  mkdirSync(out);
  writeFileSync(join(out, 'curve.svg'), 'old');
  // the arguments of the "start" script of package.json
  const start = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts.start as string;
  const args = start.split('node dist/cli/main.js ')[1]!.split(' ').map((a) => a.replace(/^out\//, `${out}/`));
  assert.deepEqual(args.slice(0, 2), ['lasso', 'tune']);
  const r = await run(args);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /selected λ = [0-9.]+/);
  assert.match(r.out, /one-standard-error rule/);
  assert.match(r.out, /real features kept: [3-9] of 10 \(.*bmi.*s5.*\)/);
  assert.match(r.out, /noise features kept: 0 of 14/, 'the selected model drops the noise');
  assert.match(r.err, /^note: appended 14 standard-normal noise features/m);
  assert.match(r.err, /^tuning: \d+\/30 λ=/m, 'plain progress lines');
  assert.doesNotMatch(r.err, /\r/, 'no carriage returns when stderr is not a terminal');
  for (const f of ['diabetes_lasso.svg', 'diabetes_path.svg']) assert.ok(readFileSync(join(out, f), 'utf8').startsWith('<svg'), f);
  assert.deepEqual(readdirSync(out).sort(), ['curve.svg', 'diabetes_lasso.svg', 'diabetes_path.svg'], 'no temporary files');
  assert.equal(readFileSync(join(out, 'curve.svg'), 'utf8'), 'old', 'other files untouched');
});

test('absurd libsvm indices are refused up front, fast (2e9: the cap; 1e7 in a 3-entry file: the entry count)', async () => {
  writeFileSync(join(dir, 'huge.svm'), '1 1:0.5 2000000000:1\n-1 2:1\n');
  writeFileSync(join(dir, 'wide.svm'), '1 1:0.5 10000000:1\n-1 2:1\n');
  const [a, b] = await Promise.all([run(['lasso', 'tune', '--data', 'huge.svm']), run(['lasso', 'tune', '--data', 'wide.svm'])]);
  assert.equal(a.code, 1);
  oneErrorLine(a.err, /feature index 2000000000 at line 1 of huge\.svm exceeds the limit of 16777216 features/);
  assert.equal(b.code, 1);
  oneErrorLine(b.err, /feature index 10000000 at line 1 of wide\.svm implies 10000000 features, but the file stores only 3 entries/);
  assert.ok(a.ms < 20000 && b.ms < 20000, `took ${a.ms} ms and ${b.ms} ms`);
});

test('bad option values, unreadable files and usage errors: exit codes 1 and 2, one line, no stack', async () => {
  const [fmt, tol, missing, usage] = await Promise.all([
    run(['lasso', 'tune', '--data', data, '--target', 'y', '--format', 'xlsx']),
    run(['lasso', 'tune', '--data', data, '--target', 'y', '--tol', '1']),
    run(['lasso', 'tune', '--data', 'nope.csv', '--target', 'y']),
    run(['lasso', 'tune', '--dataset', 'diabetes', '--max-eval', '3']),
  ]);
  assert.equal(fmt.code, 1);
  oneErrorLine(fmt.err, /--format must be one of csv, libsvm; got 'xlsx'.*export the sheet as CSV/);
  assert.equal(tol.code, 1);
  oneErrorLine(tol.err, /--tol must be a number in \(0, 1\); got '1'/);
  assert.equal(missing.code, 1);
  oneErrorLine(missing.err, /cannot read nope\.csv: no such file or directory \(ENOENT\)$/);
  assert.equal(missing.err.match(/ENOENT/g)!.length, 1, 'ENOENT once');
  assert.equal(usage.code, 2);
  assert.match(usage.err, /^nsdiff: error: unknown option '--max-eval'/);
  assert.match(usage.err, /--max-evals/, 'suggests the closest flag');
  assert.ok(!existsSync(join(dir, 'nope.csv')));
});
