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
  assert.ok(Math.abs(fd - j.hypergradient) <= 1e-6 * Math.max(1, Math.abs(fd)), `FD ${fd} vs ${j.hypergradient}`);
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
