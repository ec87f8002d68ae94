/**
 * @file Tests of the block coordinate-descent epochs of the squared-loss CD solvers (option
 * `blockCD`, src/lasso/quad_cd.ts `blockEpoch`): the WebAssembly kernels `dot4`, `axpy4`,
 * `axpydot4`, `gram4` against naive loops (odd and even n), the same optimum as one-coordinate CD
 * within the certified tolerances (Lasso, elastic net, weighted Lasso with an unpenalised feature,
 * p not a multiple of 4, screening inside the block epochs, a warm-started path), the reported gap
 * re-evaluated independently on the raw data, fewer epochs than one-coordinate CD on a correlated
 * tall problem, and the option check.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rng } from '../src/core/rng.js';
import { lassoObjective } from './helpers.js';
import { InvalidArgumentError } from '../src/core/errors.js';
import type { DenseDesign } from '../src/data/dataset.js';
import { elasticNet, lambdaMax, lasso, lassoPath, prepareDesign, weightedLasso, type SolverOptions, type SolverResult } from '../src/lasso/index.js';
import { disposeDesign } from '../src/lasso/design.js';
import { wasmKernelsAvailable } from '../src/internals.js';

const hasWasm = wasmKernelsAvailable();

/** Tall problem with AR(1)-correlated neighbouring columns (ρ = 0.7) and column offsets. */
function tall(seed: number, n: number, p: number): { X: DenseDesign; y: Float64Array } {
  const g = rng(seed);
  const data = new Float64Array(n * p);
  for (let j = 0; j < p; j++) {
    for (let i = 0; i < n; i++) data[j * n + i] = (j > 0 ? 0.7 * data[(j - 1) * n + i]! : 0) + 0.7 * g.normalScalar() + (j % 5 === 0 ? 1 : 0);
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0.5;
    for (let j = 0; j < p; j += 2) s += data[j * n + i]! * ((j % 4) - 1.5);
    y[i] = s + 0.5 * g.normalScalar();
  }
  return { X: { kind: 'dense', nRows: n, nCols: p, data }, y };
}

/**
 * Duality gap of the Lasso / weighted Lasso (λ₂ = 0) at the solver's β and reported dual point θ,
 * from naive loops on the raw data: P(β) − D(θ), D(θ) = ‖y_c‖²/(2n) − (n/2)‖y_c/n − θ‖², with θ
 * checked feasible (|X_c,jᵀθ| ≤ l_j up to rounding). Also returns ‖y_c‖²/n, the unit of `tol`.
 */
function independentGap(X: DenseDesign, y: Float64Array, res: SolverResult, l1: ArrayLike<number>): { gap: number; tolScale: number } {
  const { nRows: n, nCols: p, data } = X;
  const theta = res.dualPoint;
  let ym = 0;
  for (let i = 0; i < n; i++) ym += y[i]!;
  ym /= n;
  let yy = 0, dd = 0;
  for (let i = 0; i < n; i++) {
    const yc = y[i]! - ym;
    yy += yc * yc;
    dd += (yc / n - theta[i]!) ** 2;
  }
  for (let j = 0; j < p; j++) {
    let mu = 0;
    for (let i = 0; i < n; i++) mu += data[j * n + i]!;
    mu /= n;
    let c = 0, nrm = 0;
    for (let i = 0; i < n; i++) {
      c += (data[j * n + i]! - mu) * theta[i]!;
      nrm += (data[j * n + i]! - mu) ** 2;
    }
    assert.ok(Math.abs(c) <= l1[j]! + 1e-12 * Math.sqrt(nrm * yy), `dual point infeasible at feature ${j}: ${Math.abs(c)} > ${l1[j]}`);
  }
  const D = yy / (2 * n) - (n / 2) * dd;
  return { gap: lassoObjective(X, y, res, l1, 0) - D, tolScale: yy / n };
}


test('kernels dot4, axpy4, axpydot4, gram4 match naive loops (odd and even n)', { skip: !hasWasm && 'no WebAssembly SIMD' }, () => {
  for (const n of [37, 42, 8, 1]) {
    const p = 9;
    const g = rng(n);
    const X: DenseDesign = { kind: 'dense', nRows: n, nCols: p, data: Float64Array.from({ length: n * p }, () => g.normalScalar()) };
    const d = prepareDesign(X, { center: false });
    const e = d.wasm!;
    const col = (j: number): number => e.xPtr + 8 * n * j;
    const x = (j: number, i: number): number => d.data[j * n + i]!;
    const r0 = Float64Array.from({ length: n }, () => g.normalScalar());
    const tolAbs = 1e-12 * n;
    // dot4 with a repeated column
    const cs = [2, 5, 5, 8];
    e.r.set(r0);
    e.dot4(n, col(cs[0]!), col(cs[1]!), col(cs[2]!), col(cs[3]!), e.r.byteOffset, e.blk.byteOffset);
    for (let k = 0; k < 4; k++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += x(cs[k]!, i) * r0[i]!;
      assert.ok(Math.abs(e.blk[k]! - s) <= tolAbs, `dot4 n=${n} k=${k}`);
    }
    // axpy4
    const coef = [0.5, -1.25, 0, 2];
    e.blk.set(coef, 4);
    e.axpy4(n, col(0), col(1), col(3), col(4), e.blk.byteOffset + 32, e.r.byteOffset);
    const want = Float64Array.from(r0, (v, i) => v - 0.5 * x(0, i) + 1.25 * x(1, i) - 2 * x(4, i));
    for (let i = 0; i < n; i++) assert.ok(Math.abs(e.r[i]! - want[i]!) <= tolAbs, `axpy4 n=${n} i=${i}`);
    // axpydot4: update with columns 6, 7, 8, 0 then dots of columns 1, 2, 3, 4 with the new r
    e.r.set(r0);
    e.blk.set([1, -1, 0.25, 3], 4);
    e.axpydot4(n, col(6), col(7), col(8), col(0), e.blk.byteOffset + 32, col(1), col(2), col(3), col(4), e.r.byteOffset, e.blk.byteOffset);
    const r1 = Float64Array.from(r0, (v, i) => v - x(6, i) + x(7, i) - 0.25 * x(8, i) - 3 * x(0, i));
    for (let i = 0; i < n; i++) assert.ok(Math.abs(e.r[i]! - r1[i]!) <= tolAbs, `axpydot4 r n=${n}`);
    for (let k = 0; k < 4; k++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += x(k + 1, i) * r1[i]!;
      assert.ok(Math.abs(e.blk[k]! - s) <= tolAbs, `axpydot4 dot n=${n} k=${k}`);
    }
    // gram4
    e.gram4(n, col(3), col(4), col(5), col(6), e.blk.byteOffset);
    let q = 0;
    for (let a = 0; a < 4; a++) {
      for (let b = a + 1; b < 4; b++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += x(3 + a, i) * x(3 + b, i);
        assert.ok(Math.abs(e.blk[q]! - s) <= tolAbs, `gram4 n=${n} (${a},${b})`);
        q++;
      }
    }
    disposeDesign(d);
  }
});

test('blockCD: same optimum as one-coordinate CD within the certified gaps, gap certified on the raw data', () => {
  const tol = 1e-8;
  for (const [seed, n, p] of [[1, 300, 41], [2, 120, 64], [3, 90, 90]] as const) {
    const { X, y } = tall(seed, n, p);
    const lmax = lambdaMax(X, y);
    const w = Float64Array.from({ length: p }, (_, j) => (j === 3 ? 0 : 1 + (j % 3) * 0.5));
    const cases: [string, (o: SolverOptions) => SolverResult, ArrayLike<number>, number][] = [];
    for (const ratio of [5, 50, 500]) {
      const lam = lmax / ratio;
      cases.push([`lasso λmax/${ratio}`, (o) => lasso(X, y, lam, o), new Float64Array(p).fill(lam), 0]);
    }
    cases.push(['elastic net', (o) => elasticNet(X, y, lmax / 40, lmax / 20, o), new Float64Array(p).fill(lmax / 40), lmax / 20]);
    cases.push(['weighted, unpenalised feature 3', (o) => weightedLasso(X, y, lmax / 30, w, o), w.map((v) => (v * lmax) / 30), 0]);
    for (const [name, solve, l1, l2] of cases) {
      const plain = solve({ tol, blockCD: false });
      for (const opts of [{ blockCD: true }, { blockCD: 'auto' as const }, { blockCD: true, workingSet: false }]) {
        const res = solve({ tol, ...opts });
        const msg = `${n}×${p} ${name} ${JSON.stringify(opts)}`;
        assert.ok(res.converged, msg);
        assert.ok(res.gap <= res.tolerance, `${msg}: reported gap ${res.gap} > ${res.tolerance}`);
        if (l2 === 0) {
          const ind = independentGap(X, y, res, l1);
          assert.ok(ind.gap <= tol * ind.tolScale + 1e-12 * ind.tolScale, `${msg}: independent gap ${ind.gap} > ${tol * ind.tolScale}`);
        }
        const pb = lassoObjective(X, y, res, l1, l2);
        const pp = lassoObjective(X, y, plain, l1, l2);
        assert.ok(Math.abs(pb - pp) <= res.gap + plain.gap + 1e-12 * Math.max(1, pp), `${msg}: objective ${pb} vs ${pp}`);
      }
    }
  }
});

test('blockCD: warm-started path and screening inside block epochs stay certified', () => {
  const { X, y } = tall(7, 400, 37);
  const a = lassoPath(X, y, { nLambdas: 12, tol: 1e-7, blockCD: true });
  const b = lassoPath(X, y, { nLambdas: 12, tol: 1e-7, blockCD: false });
  for (let k = 0; k < a.lambdas.length; k++) {
    const l1 = new Float64Array(37).fill(a.lambdas[k]!);
    const ra = { beta: a.coefs[k]!, intercept: a.intercepts[k]! } as SolverResult;
    const rb = { beta: b.coefs[k]!, intercept: b.intercepts[k]! } as SolverResult;
    const pa = lassoObjective(X, y, ra, l1, 0);
    const pb = lassoObjective(X, y, rb, l1, 0);
    // both certified to 1e-7·‖y_c‖²/n (the path's reported gaps), so their objectives agree to twice that
    let yy = 0, ym = 0;
    for (const v of y) ym += v / y.length;
    for (const v of y) yy += (v - ym) ** 2 / y.length;
    assert.ok(a.gaps[k]! <= 1e-7 * yy * (1 + 1e-9), `path point ${k}: gap ${a.gaps[k]}`);
    assert.ok(Math.abs(pa - pb) <= 2e-7 * yy, `path point ${k}: ${pa} vs ${pb}`);
  }
  // full-set block epochs with Gap Safe screening removing features mid-solve (blocks shrink)
  const lam = lambdaMax(X, y) / 8;
  const res = lasso(X, y, lam, { tol: 1e-10, blockCD: true, workingSet: false });
  assert.ok(res.stats.screened > 0, 'some features screened');
  const ind = independentGap(X, y, res, new Float64Array(37).fill(lam));
  assert.ok(ind.gap <= 1e-10 * ind.tolScale + 1e-12 * ind.tolScale, `screened solve: gap ${ind.gap}`);
});

test('blockCD: fewer epochs than one-coordinate CD on a correlated tall problem', { skip: !hasWasm && 'no WebAssembly SIMD' }, () => {
  const { X, y } = tall(11, 600, 80);
  const lam = lambdaMax(X, y) / 100;
  const o = { tol: 1e-8, workingSet: false, gram: false } as const;
  const plain = lasso(X, y, lam, { ...o, blockCD: false });
  const block = lasso(X, y, lam, { ...o, blockCD: true });
  assert.ok(block.iterations < plain.iterations, `${block.iterations} vs ${plain.iterations} epochs`);
});

test('blockCD: option check names the option', () => {
  const { X, y } = tall(5, 30, 8);
  assert.throws(() => lasso(X, y, 0.1, { blockCD: 'yes' as unknown as boolean }), (e: unknown) => e instanceof InvalidArgumentError && /blockCD/.test(e.message));
});

test("blockCD 'auto': wide designs keep one-coordinate epochs (β identical to blockCD: false); tall ones go to the full set", () => {
  // wide: n < p, 'auto' never runs block epochs nor changes the working sets
  const { X: W, y: yw } = tall(13, 60, 150);
  const lw = lambdaMax(W, yw) / 20;
  const a = lasso(W, yw, lw, { tol: 1e-8 });
  const b = lasso(W, yw, lw, { tol: 1e-8, blockCD: false });
  assert.deepEqual(Array.from(a.beta), Array.from(b.beta));
  assert.equal(a.iterations, b.iterations);
  // strongly tall at a small λ: (almost) every feature violates its optimality condition at β = 0,
  // so the first working set is every feature
  if (!hasWasm) return;
  const { X, y } = tall(17, 800, 40);
  const res = lasso(X, y, lambdaMax(X, y) / 1000, { tol: 1e-6, p0: 10, gram: false, screening: false });
  assert.equal(res.stats.workingSetSize, 40);
  assert.equal(res.nOuter, 1, 'one sub-problem over the full set');
});
