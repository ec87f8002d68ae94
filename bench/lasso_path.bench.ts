/**
 * @file The warm-started Lasso path at equal accuracy: nsdiff's `lassoPath` with `accuracy:
 * 'relative'` (default: every λ's duality gap ≤ tol·P) and `'sklearn'` (gap ≤ tol·‖y_c‖²/n) against
 * scikit-learn's `lasso_path` on the same grid in the same run. Accuracy is the worst relative
 * suboptimality over the grid, (P(β) − P*)/P*, with P* from 1e-12 solves.
 *
 * Run: npx tsx bench/lasso_path.bench.ts   (scikit-learn optional: /usr/bin/python3 with sklearn)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lasso, lassoPath, rng, tensor } from '../src/index.js';

const PY = '/usr/bin/python3';
const cases = [
  { n: 300, p: 3000, k: 40 },
  { n: 1000, p: 500, k: 20 },
];
const best = (f: () => void, reps = 3): number => {
  let b = Infinity;
  for (let r = 0; r < reps; r++) {
    const t = performance.now();
    f();
    b = Math.min(b, performance.now() - t);
  }
  return b;
};
let havePy = true;
try {
  execFileSync(PY, ['-c', 'import sklearn'], { stdio: 'ignore' });
} catch {
  havePy = false;
}
const dir = mkdtempSync(join(tmpdir(), 'nsdiff-path-'));
const rows: string[][] = [['problem', 'method', 'ms', 'worst rel. subopt.', 'ratio to sklearn']];
try {
  for (const { n, p, k } of cases) {
    const g = rng(n + p);
    const X = g.normal([n, p]);
    const Xd = X.data as Float64Array;
    const bt = new Float64Array(p);
    for (let j = 0; j < k; j++) bt[j] = 2 * g.normalScalar();
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < p; j++) s += Xd[i * p + j]! * bt[j]!;
      y[i] = s + g.normalScalar();
    }
    const lams = lassoPath(X, y, { nLambdas: 2 }).lambdas; // λ_max
    const grid = new Float64Array(100).map((_, i) => lams[0]! * Math.pow(1e-3, i / 99));
    const P = (beta: ArrayLike<number>, b0: number, lam: number): number => {
      let r2 = 0, l1 = 0;
      for (let i = 0; i < n; i++) {
        let s = b0;
        for (let j = 0; j < p; j++) s += Xd[i * p + j]! * beta[j]!;
        r2 += (y[i]! - s) ** 2;
      }
      for (let j = 0; j < p; j++) l1 += Math.abs(beta[j]!);
      return r2 / (2 * n) + lam * l1;
    };
    const opt = Array.from(grid, (lam) => {
      const r = lasso(X, y, lam, { tol: 1e-12, maxIter: 200_000 });
      return P(r.beta, r.intercept, lam);
    });
    const worst = (coefs: ArrayLike<number>[], b0: (kk: number) => number): number =>
      Math.max(...grid.map((lam, kk) => (P(coefs[kk]!, b0(kk), lam) - opt[kk]!) / opt[kk]!));
    const name = `${n}×${p}`;
    let skMs = NaN;
    if (havePy) {
      const xf = join(dir, 'X.bin'), yf = join(dir, 'y.bin'), lf = join(dir, 'l.bin');
      writeFileSync(xf, Xd);
      writeFileSync(yf, y);
      writeFileSync(lf, grid);
      const out = JSON.parse(execFileSync(PY, [join(import.meta.dirname, 'sklearn_path.py'), xf, yf, String(n), String(p), lf, '1e-4'], { encoding: 'utf8', maxBuffer: 1 << 30 })) as { ms: number; coefs: number[][] };
      skMs = out.ms;
      // sklearn fitted on centred data: intercept = ȳ − x̄ᵀβ
      const xbar = new Float64Array(p);
      for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) xbar[j] += Xd[i * p + j]! / n;
      const ybar = y.reduce((a, b) => a + b, 0) / n;
      const b0 = (kk: number): number => ybar - out.coefs[kk]!.reduce((a, b, j) => a + b * xbar[j]!, 0);
      rows.push([name, 'scikit-learn lasso_path (tol 1e-4)', skMs.toFixed(0), worst(out.coefs, b0).toExponential(1), '1']);
    }
    for (const accuracy of ['relative', 'sklearn'] as const) {
      let res = lassoPath(X, y, { lambdas: grid, accuracy });
      const ms = best(() => (res = lassoPath(X, y, { lambdas: grid, accuracy })));
      rows.push([name, `nsdiff lassoPath accuracy '${accuracy}' (tol 1e-4)`, ms.toFixed(0), worst(res.coefs, (kk) => res.intercepts[kk]!).toExponential(1), havePy ? (ms / skMs).toFixed(2) : '-']);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const w = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
for (const r of rows) console.log(r.map((v, c) => v.padEnd(w[c]!)).join('  '));
