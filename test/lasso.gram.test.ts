/**
 * @file Tests of the Gram (covariance-update) mode of the squared-loss CD solvers
 * (src/lasso/quad_gram.ts, option `gram`): same objective as the residual mode to 1e-10 on random
 * tall problems (intercept or not, weights with an unpenalised feature, elastic net, warm start,
 * along a path), the reported gap certified by an independent evaluation on the raw data, the
 * automatic switch and the Gram cache of a prepared design, the iteration budget, a target that is
 * fitted exactly (cancellation in ‖r‖² = ‖y‖² − 2βᵀq + βᵀGβ), the WebAssembly `gepoch` kernel
 * against the JavaScript loop (backend 'js'), and the typed errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rng } from '../src/core/rng.js';
import { lassoObjective, onKernelBackend } from './helpers.js';
import { InvalidArgumentError } from '../src/core/errors.js';
import { toCsc, type DenseDesign } from '../src/data/dataset.js';
import { elasticNet, lambdaMax, lasso, lassoPath, prepareDesign, weightedLasso, type SolverResult } from '../src/lasso/index.js';
import { cachedGram } from '../src/lasso/quad_gram.js';
import { wasmKernelsAvailable } from '../src/internals.js';

/** Tall random problem: n×p dense X (column offsets, correlated neighbours), y = Xw + noise + 1. */
function tall(seed: number, n: number, p: number, noise = 0.5): { X: DenseDesign; y: Float64Array } {
  const g = rng(seed);
  const data = new Float64Array(n * p);
  for (let j = 0; j < p; j++) {
    const offset = j % 3 === 0 ? 2 : 0;
    for (let i = 0; i < n; i++) data[j * n + i] = g.normalScalar() + offset + (j > 0 ? 0.5 * data[(j - 1) * n + i]! : 0);
  }
  const w = new Float64Array(p);
  for (let j = 0; j < p; j += 3) w[j] = g.normalScalar() * 2;
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 1;
    for (let j = 0; j < p; j++) s += data[j * n + i]! * w[j]!;
    y[i] = s + noise * g.normalScalar();
  }
  return { X: { kind: 'dense', nRows: n, nCols: p, data }, y };
}


const close = (a: number, b: number, rel: number, msg: string): void => {
  assert.ok(Math.abs(a - b) <= rel * Math.max(1, Math.abs(a), Math.abs(b)), `${msg}: ${a} vs ${b}`);
};

test('Gram mode: same objective as the residual mode (Lasso, intercept or not, several λ)', () => {
  for (const [seed, n, p] of [[1, 60, 12], [2, 200, 40], [3, 31, 30]] as const) {
    const { X, y } = tall(seed, n, p);
    for (const fitIntercept of [true, false]) {
      const lmax = lambdaMax(X, y, { fitIntercept });
      for (const ratio of [2, 20, 500]) {
        const lam = lmax / ratio;
        const a = lasso(X, y, lam, { tol: 1e-12, fitIntercept, gram: false });
        const b = lasso(X, y, lam, { tol: 1e-12, fitIntercept, gram: true });
        assert.ok(a.converged && b.converged);
        assert.ok(b.gap <= b.tolerance, `certified gap ${b.gap} ≤ ${b.tolerance}`);
        const l1 = new Float64Array(p).fill(lam);
        close(lassoObjective(X, y, b, l1), lassoObjective(X, y, a, l1), 1e-10, `seed ${seed} intercept ${fitIntercept} λmax/${ratio}`);
        close(b.primal, lassoObjective(X, y, b, l1), 1e-10, 'reported primal');
      }
    }
  }
});

test('Gram mode: elastic net and weighted Lasso (one unpenalised feature) match the residual mode', () => {
  const { X, y } = tall(4, 120, 25);
  const lmax = lambdaMax(X, y);
  for (const [l1, l2] of [[lmax / 10, 0.5], [lmax / 300, 0.01]] as const) {
    const a = elasticNet(X, y, l1, l2, { tol: 1e-12, gram: false });
    const b = elasticNet(X, y, l1, l2, { tol: 1e-12, gram: true });
    assert.ok(b.converged && b.gap <= b.tolerance);
    const pen = new Float64Array(25).fill(l1);
    close(lassoObjective(X, y, b, pen, l2), lassoObjective(X, y, a, pen, l2), 1e-10, `enet ${l1} ${l2}`);
  }
  const w = new Float64Array(25).fill(1);
  w[3] = 0;
  w[7] = 2.5;
  const lam = lmax / 50;
  const a = weightedLasso(X, y, lam, w, { tol: 1e-12, gram: false });
  const b = weightedLasso(X, y, lam, w, { tol: 1e-12, gram: true });
  assert.ok(b.converged && b.gap <= b.tolerance);
  const pen = w.map((v) => v * lam);
  close(lassoObjective(X, y, b, pen), lassoObjective(X, y, a, pen), 1e-10, 'weighted');
});

test('Gram mode: warm starts and a warm-started path agree with the residual mode', () => {
  const { X, y } = tall(5, 150, 30);
  const lmax = lambdaMax(X, y);
  const first = lasso(X, y, lmax / 5, { tol: 1e-12 });
  const a = lasso(X, y, lmax / 100, { tol: 1e-12, gram: false, warmStart: first });
  const b = lasso(X, y, lmax / 100, { tol: 1e-12, gram: true, warmStart: first });
  const l1 = new Float64Array(30).fill(lmax / 100);
  close(lassoObjective(X, y, b, l1), lassoObjective(X, y, a, l1), 1e-10, 'warm start');
  const pa = lassoPath(X, y, { nLambdas: 15, tol: 1e-10, gram: false });
  const pb = lassoPath(X, y, { nLambdas: 15, tol: 1e-10, gram: true });
  for (let k = 0; k < 15; k++) {
    assert.ok(pb.converged[k] && pb.gaps[k]! <= pb.tolerances[k]!);
    const pen = new Float64Array(30).fill(pa.lambdas[k]!);
    const oa = lassoObjective(X, y, { beta: pa.coefs[k]!, intercept: pa.intercepts[k]! } as SolverResult, pen);
    const ob = lassoObjective(X, y, { beta: pb.coefs[k]!, intercept: pb.intercepts[k]! } as SolverResult, pen);
    close(ob, oa, 1e-9, `path λ ${k}`);
  }
});

test("gram: 'auto' switches on a prepared tall design once the work pays for G, and caches G", () => {
  const { X, y } = tall(6, 400, 20);
  const d = prepareDesign(X);
  const lmax = lambdaMax(d, y);
  assert.equal(cachedGram(d), undefined);
  const fits: SolverResult[] = [];
  // p²/5 = 80 coordinate updates: a few solves are enough
  for (let k = 1; k <= 10; k++) fits.push(lasso(d, y, lmax / (10 * k), { tol: 1e-10 }));
  const G = cachedGram(d);
  assert.ok(G !== undefined && G.length === 400, 'Gram cached on the design');
  const ref = lasso(X, y, lmax / 100, { tol: 1e-10, gram: false });
  const l1 = new Float64Array(20).fill(lmax / 100);
  close(lassoObjective(X, y, fits[9]!, l1), lassoObjective(X, y, ref, l1), 1e-9, 'auto after the switch');
  // wide and sparse designs never get a Gram matrix automatically
  const wide = tall(7, 20, 40);
  const dw = prepareDesign(wide.X);
  for (let k = 0; k < 5; k++) lasso(dw, wide.y, lambdaMax(dw, wide.y) / 50, { tol: 1e-10 });
  assert.equal(cachedGram(dw), undefined);
  const ds = prepareDesign(toCsc(X));
  for (let k = 0; k < 5; k++) lasso(ds, y, lmax / 50, { tol: 1e-10 });
  assert.equal(cachedGram(ds), undefined);
});

test('Gram mode: exactly fitted target (cancellation in ‖r‖²) still converges with a certified gap', () => {
  const { X, y } = tall(8, 80, 10, 0); // y = Xw + 1 exactly
  const lam = lambdaMax(X, y) / 1e4;
  const a = lasso(X, y, lam, { tol: 1e-13, gram: false, maxIter: 100000 });
  const b = lasso(X, y, lam, { tol: 1e-13, gram: true, maxIter: 100000 });
  assert.ok(b.converged && b.gap <= b.tolerance, `gap ${b.gap} tolerance ${b.tolerance}`);
  const l1 = new Float64Array(10).fill(lam);
  close(lassoObjective(X, y, b, l1), lassoObjective(X, y, a, l1), 1e-10, 'exact fit');
});

test('Gram mode: the epoch budget holds, and bad option values are typed errors', () => {
  const { X, y } = tall(9, 100, 30);
  const lam = lambdaMax(X, y) / 1000;
  const r = lasso(X, y, lam, { tol: 1e-12, gram: true, maxIter: 3, onFailure: 'return' });
  assert.equal(r.converged, false);
  assert.ok(r.iterations <= 3, `iterations ${r.iterations}`);
  assert.throws(() => lasso(toCsc(X), y, lam, { gram: true }), (e: unknown) => e instanceof InvalidArgumentError && /gram: true needs a dense X/.test(e.message));
  assert.throws(() => lasso(X, y, lam, { gram: 'yes' as never }), (e: unknown) => e instanceof InvalidArgumentError && /option gram must be/.test(e.message));
});

test("Gram mode: the WebAssembly kernel (gepoch) and the JavaScript loop give the same solution", { skip: !wasmKernelsAvailable() }, () => {
  const { X, y } = tall(10, 90, 33); // odd p: SIMD blocks and scalar tails
  const lmax = lambdaMax(X, y);
  const run = (backend: 'wasm' | 'js'): SolverResult[] => {
    let out: SolverResult[] = [];
    onKernelBackend(backend, () => {
      const d = prepareDesign(X);
      out = [lasso(d, y, lmax / 30, { tol: 1e-12, gram: true }), elasticNet(d, y, lmax / 100, 0.2, { tol: 1e-12, gram: true })];
    });
    return out;
  };
  const w = run('wasm');
  const j = run('js');
  for (let k = 0; k < 2; k++) {
    assert.ok(w[k]!.converged && j[k]!.converged);
    close(w[k]!.primal, j[k]!.primal, 1e-10, `primal ${k}`);
    for (let q = 0; q < 33; q++) assert.ok(Math.abs(w[k]!.beta[q]! - j[k]!.beta[q]!) <= 1e-6 * (1 + Math.abs(j[k]!.beta[q]!)), `beta ${k} ${q}`);
  }
});
