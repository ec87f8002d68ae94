/**
 * @file Tests of round "tall3" of the tall dense solvers (src/lasso/quad_cd.ts): the dual
 * extrapolation from a shortened window at gap checks a convergence rate predicted
 * (`shortDualWindow`) — used where the full window never fills between two accepted Anderson steps,
 * the reported gap certified on the raw data from the reported dual point, the same optimum as the
 * full-window rule within the certified gaps, and β bit for bit unchanged where it is not used;
 * the design preparation kernel `prep` on four accumulators against naive loops; the block updates
 * skipping zero coefficients (`axpyKdot4`, `skipZeroUpdates`) bit for bit the four-column kernel; a
 * predicted gap check moved to right after an accepted Anderson step (`andersonChecks`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lassoObjective, withSetting } from './helpers.js';
import { rng } from '../src/core/rng.js';
import { NonFiniteError } from '../src/core/errors.js';
import { disposeDesign } from '../src/lasso/design.js';
import { wasmKernelsAvailable } from '../src/internals.js';
import type { DenseDesign } from '../src/data/dataset.js';
import { elasticNet, lambdaMax, lasso, prepareDesign, type SolverResult } from '../src/lasso/index.js';
import { makeCorrelatedData } from '../src/data/synthetic.js';
import { andersonChecks, shortDualWindow, skipZeroUpdates } from '../src/lasso/quad_cd.js';

/**
 * The duality gap of (1/2n)‖y − Xβ − b‖² + λ₁‖β‖₁ + (λ₂/2)‖β‖² evaluated on the raw data from the
 * result's β, intercept and dual point θ (and its ridge part β̄ = dualRidge/t… folded in as
 * X_cᵀθ − λ₂β̄·t: `dualRidge` is t·β̄), after checking θ's feasibility |X_c,jᵀθ − (dualRidge)_j λ₂| ≤ λ₁.
 */
function rawGap(X: DenseDesign, y: Float64Array, res: SolverResult, l1: number, l2: number): number {
  const { nRows: n, nCols: p, data } = X;
  let ym = 0;
  for (let i = 0; i < n; i++) ym += y[i]!;
  ym /= n;
  const th = res.dualPoint;
  let thSum = 0;
  for (let i = 0; i < n; i++) thSum += th[i]!;
  const rb = res.dualRidge;
  let viol = 0;
  for (let j = 0; j < p; j++) {
    let s = 0;
    let mu = 0;
    for (let i = 0; i < n; i++) mu += data[j * n + i]!;
    mu /= n;
    for (let i = 0; i < n; i++) s += (data[j * n + i]! - mu) * th[i]!;
    const c = Math.abs(s - (rb !== undefined ? l2 * rb[j]! : 0));
    viol = Math.max(viol, c - l1);
  }
  assert.ok(viol <= 1e-10 * l1, `dual point infeasible by ${viol}`);
  assert.ok(Math.abs(thSum) <= 1e-9 * n * Math.max(1e-300, ...Array.from(th, Math.abs)), `θ not centred: ${thSum}`);
  // D = (‖y_c‖² − ‖y_c − nθ‖²)/(2n) − (λ₂/2)‖β̄_t‖² with β̄_t = dualRidge (t·β̄)
  let a = 0, b = 0;
  for (let i = 0; i < n; i++) {
    const yc = y[i]! - ym;
    a += yc * yc;
    b += (yc - n * th[i]!) ** 2;
  }
  let rr = 0;
  if (rb !== undefined) for (let j = 0; j < p; j++) rr += rb[j]! * rb[j]!;
  const D = (a - b) / (2 * n) - (l2 / 2) * rr;
  return lassoObjective(X, y, res, new Float64Array(p).fill(l1), l2) - D;
}

test('short dual window: used on a tall correlated Lasso, fewer epochs, gap certified on the raw data, same optimum', () => {
  const { X, y } = makeCorrelatedData(1000, 100, { corr: 0.6, snr: 3, density: 0.2, seed: 2 });
  const lam = lambdaMax(X, y) / 200;
  const c0 = shortDualWindow.count;
  const a = withSetting(shortDualWindow, 'on', true, () => lasso(X, y, lam, { tol: 1e-4 }));
  assert.ok(shortDualWindow.count > c0, 'a short-window candidate was formed');
  const b = withSetting(shortDualWindow, 'on', false, () => lasso(X, y, lam, { tol: 1e-4 }));
  assert.ok(a.converged && b.converged);
  assert.ok(a.gap <= a.tolerance && b.gap <= b.tolerance);
  assert.ok(a.iterations < b.iterations, `epochs ${a.iterations} vs ${b.iterations}`);
  assert.ok(a.stats.dualExtrapolationUsed > b.stats.dualExtrapolationUsed, 'the candidate decided the stop');
  const ga = rawGap(X, y, a, lam, 0);
  assert.ok(ga <= a.gap * (1 + 1e-6) + 1e-12, `raw gap ${ga} vs reported ${a.gap}`);
  assert.ok(ga <= a.tolerance, `raw gap ${ga} above the tolerance ${a.tolerance}`);
  const l1 = new Float64Array(100).fill(lam);
  const pa = lassoObjective(X, y, a, l1), pb = lassoObjective(X, y, b, l1);
  assert.ok(Math.abs(pa - pb) <= a.gap + b.gap, `objective ${pa} vs ${pb}`);
});

test('short dual window: elastic net and several tall problems certified on the raw data; β unchanged bit for bit where unused', () => {
  let used = 0;
  let unused = 0;
  for (const [n, p, seed, div] of [[1000, 100, 3, 200], [1500, 120, 1, 200], [1000, 100, 1, 50], [800, 200, 4, 100]] as const) {
    const { X, y } = makeCorrelatedData(n, p, { corr: 0.6, snr: 3, density: 0.2, seed });
    const lmax = lambdaMax(X, y);
    for (const enet of [false, true]) {
      const l1 = enet ? lmax / div : lmax / div;
      const l2 = enet ? l1 : 0;
      const solve = (): SolverResult => (enet ? elasticNet(X, y, l1, l2, { tol: 1e-4 }) : lasso(X, y, l1, { tol: 1e-4 }));
      const c0 = shortDualWindow.count;
      const a = withSetting(shortDualWindow, 'on', true, solve);
      const short = shortDualWindow.count > c0;
      const b = withSetting(shortDualWindow, 'on', false, solve);
      assert.ok(a.converged && a.gap <= a.tolerance, `${n}×${p} enet=${enet}: gap ${a.gap}`);
      const ga = rawGap(X, y, a, l1, l2);
      assert.ok(ga <= a.tolerance, `${n}×${p} enet=${enet}: raw gap ${ga} above ${a.tolerance}`);
      assert.ok(ga <= a.gap * (1 + 1e-6) + 1e-12 * Math.max(1, a.primal), `${n}×${p} enet=${enet}: raw gap ${ga} vs reported ${a.gap}`);
      if (short) {
        used++;
        const w = new Float64Array(p).fill(l1);
        const pa = lassoObjective(X, y, a, w, l2), pb = lassoObjective(X, y, b, w, l2);
        assert.ok(Math.abs(pa - pb) <= a.gap + b.gap, `${n}×${p} enet=${enet}: objective ${pa} vs ${pb}`);
      } else {
        unused++;
        assert.deepEqual(a.beta, b.beta, `${n}×${p} enet=${enet}: β changed without a short window`);
        assert.equal(a.iterations, b.iterations);
      }
    }
  }
  assert.ok(used > 0 && unused > 0, `cases with (${used}) and without (${unused}) a short window`);
});

test('prep (four accumulators): means, norms and centred columns against naive loops, odd n, non-finite entries flagged', { skip: !wasmKernelsAvailable() && 'no WebAssembly SIMD' }, () => {
  for (const n of [1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 33, 1001]) {
    const p = 3;
    const g = rng(500 + n);
    const data = Float64Array.from({ length: n * p }, (_, k) => g.normalScalar() + (k % 3 === 0 ? 1e4 : 0));
    const X: DenseDesign = { kind: 'dense', nRows: n, nCols: p, data };
    for (const center of [true, false]) {
      const d = prepareDesign(X, { center });
      for (let j = 0; j < p; j++) {
        let mu = 0;
        if (center) {
          for (let i = 0; i < n; i++) mu += data[j * n + i]!;
          mu /= n;
        }
        let ss = 0;
        for (let i = 0; i < n; i++) {
          const v = data[j * n + i]! - mu;
          ss += v * v;
          assert.ok(Math.abs(d.data[j * n + i]! - v) <= 1e-11 * (1 + Math.abs(mu)), `n ${n} col ${j} row ${i}`);
        }
        assert.ok(Math.abs(d.colMeans[j]! - mu) <= 1e-12 * (1 + Math.abs(mu)), `n ${n} mean ${j}`);
        assert.ok(Math.abs(d.colNormsSq[j]! - ss) <= 1e-11 * (1 + ss), `n ${n} norm ${j}: ${d.colNormsSq[j]} vs ${ss}`);
        // the norm is that of the stored (centred) column
        let st = 0;
        for (let i = 0; i < n; i++) st += d.data[j * n + i]! ** 2;
        assert.ok(Math.abs(d.colNormsSq[j]! - st) <= 1e-12 * (1 + st));
      }
      disposeDesign(d);
    }
    const bad = Float64Array.from(data);
    bad[n * p - 1] = NaN; // the last entry: the odd tail when n is odd
    assert.throws(() => prepareDesign({ kind: 'dense', nRows: n, nCols: p, data: bad }), NonFiniteError, `n ${n}`);
  }
});

test('axpy1dot4, axpy2dot4, axpy3dot4: bit for bit axpydot4 with the remaining coefficients zero; block epochs skipping zero updates give the same bits', { skip: !wasmKernelsAvailable() && 'no WebAssembly SIMD' }, () => {
  for (const n of [1, 2, 7, 40, 41]) {
    const p = 8;
    const g = rng(900 + n);
    const X: DenseDesign = { kind: 'dense', nRows: n, nCols: p, data: Float64Array.from({ length: n * p }, () => g.normalScalar()) };
    const d = prepareDesign(X, { center: false });
    const e = d.wasm!;
    const col = (j: number): number => e.xPtr + 8 * n * j;
    const r0 = Float64Array.from({ length: n }, () => g.normalScalar());
    const coef = [0.3, -1.7, 2.5, 0];
    const run = (K: number): { r: Float64Array; out: Float64Array } => {
      const r = e.r0.subarray(0, n); // engine scratch vector
      r.set(r0);
      e.blk.fill(0, 0, 8);
      for (let k = 0; k < K; k++) e.blk[4 + k] = coef[k]!;
      const cp = e.blk.byteOffset + 32;
      const out = e.blk.byteOffset;
      const b = [col(4), col(5), col(6), col(7)] as const;
      if (K === 1) e.axpy1dot4(n, col(0), cp, ...b, r.byteOffset, out);
      else if (K === 2) e.axpy2dot4(n, col(0), col(1), cp, ...b, r.byteOffset, out);
      else if (K === 3) e.axpy3dot4(n, col(0), col(1), col(2), cp, ...b, r.byteOffset, out);
      else e.axpy3dot4(n, col(0), col(1), col(2), cp, ...b, r.byteOffset, out);
      return { r: Float64Array.from(r), out: Float64Array.from(e.blk.subarray(0, 4)) };
    };
    for (const K of [1, 2, 3]) {
      const a = run(K);
      // the four-column kernel with coefficients K..3 zero (columns repeated: their terms are 0·x)
      const r = e.r0.subarray(0, n);
      r.set(r0);
      e.blk.fill(0, 0, 8);
      for (let k = 0; k < K; k++) e.blk[4 + k] = coef[k]!;
      const cols = [col(0), K > 1 ? col(1) : col(0), K > 2 ? col(2) : col(0), col(0)] as const;
      e.axpydot4(n, ...cols, e.blk.byteOffset + 32, col(4), col(5), col(6), col(7), r.byteOffset, e.blk.byteOffset);
      assert.deepEqual(a.r, Float64Array.from(r), `n ${n} K ${K}: r`);
      assert.deepEqual(a.out, Float64Array.from(e.blk.subarray(0, 4)), `n ${n} K ${K}: dots`);
      // against naive loops
      for (let i = 0; i < n; i++) {
        let v = r0[i]!;
        for (let k = 0; k < K; k++) v -= coef[k]! * d.data[k * n + i]!;
        assert.ok(Math.abs(a.r[i]! - v) <= 1e-13 * (1 + Math.abs(v)));
      }
    }
    disposeDesign(d);
  }
  // solver level: the same β bit for bit and the same epochs with the skip on and off (Lasso at two
  // tolerances with many zero coefficients, elastic net, p not a multiple of 4)
  for (const [n, p, div, l2] of [[1200, 120, 200, 0], [1200, 120, 10, 0], [900, 103, 100, 1], [1000, 100, 30, 0.5]] as const) {
    const { X, y } = makeCorrelatedData(n, p, { corr: 0.6, snr: 3, density: 0.2, seed: n + p });
    const lam = lambdaMax(X, y) / div;
    const solve = (): SolverResult => (l2 > 0 ? elasticNet(X, y, lam, l2 * lam, { tol: 1e-8 }) : lasso(X, y, lam, { tol: 1e-8 }));
    const a = solve();
    const b = withSetting(skipZeroUpdates, 'on', false, solve);
    assert.ok(a.converged && a.gap <= a.tolerance);
    assert.ok(a.support.length < p, `${n}×${p}: some zero coefficients`);
    assert.deepEqual(a.beta, b.beta, `${n}×${p} λmax/${div}: β`);
    assert.equal(a.iterations, b.iterations);
  }
});

test('a predicted check moved after an accepted Anderson step: fewer epochs, the gap certified on the raw data, the same optimum', () => {
  for (const enet of [false, true]) {
    const { X, y } = makeCorrelatedData(1000, 100, { corr: 0.6, snr: 3, density: 0.2, seed: 2 });
    const lam = lambdaMax(X, y) / 200;
    const l2 = enet ? lam : 0;
    const solve = (): SolverResult => (enet ? elasticNet(X, y, lam, l2, { tol: 1e-8 }) : lasso(X, y, lam, { tol: 1e-8 }));
    const c0 = andersonChecks.count;
    const a = solve();
    assert.ok(andersonChecks.count > c0, `enet=${enet}: a check moved`);
    const b = withSetting(andersonChecks, 'on', false, solve);
    assert.ok(a.converged && a.gap <= a.tolerance && b.converged);
    assert.ok(a.iterations < b.iterations, `enet=${enet}: epochs ${a.iterations} vs ${b.iterations}`);
    const ga = rawGap(X, y, a, lam, l2);
    assert.ok(ga <= a.tolerance, `enet=${enet}: raw gap ${ga} above ${a.tolerance}`);
    const w = new Float64Array(100).fill(lam);
    const pa = lassoObjective(X, y, a, w, l2), pb = lassoObjective(X, y, b, w, l2);
    assert.ok(Math.abs(pa - pb) <= a.gap + b.gap, `enet=${enet}: objective ${pa} vs ${pb}`);
  }
});
