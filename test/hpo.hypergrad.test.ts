/**
 * @file Tests of the Lasso-type hypergradients (src/lasso/hypergrad.ts): d(held-out loss)/d log λ
 * against 4th-order central finite differences (relative error ≤ 1e-8 at tight inner tolerance;
 * measured ≤ 6e-10 over seeds 7–10)
 * for lasso / enet / wlasso / logreg, dense and CSC; against the closed form on the support; the
 * three methods (implicit, implicit-forward, forward) against each other (≤ 1e-12; measured ≤ 2e-14
 * over 4 seeds); warm-started
 * Jacobian re-runs (≤ 2 epochs); the invertibility diagnostics on a constructed singular case;
 * and the input checks.
 */
import { test } from 'node:test';
import { collectWarnings } from './fixtures/warnings.js';
import assert from 'node:assert/strict';
import { makeCorrelatedData } from '../src/data/synthetic.js';
import { takeRows, toCsc, type DenseDesign, type DesignMatrix } from '../src/data/dataset.js';
import { SparseProblem, type HypergradMethod, type InnerSolution, type SparseModelKind } from '../src/lasso/hypergrad.js';
import { InvalidArgumentError, InvertibilityError, NonFiniteError, ShapeError } from '../src/core/errors.js';

const rangeIdx = (a: number, b: number): Int32Array => Int32Array.from({ length: b - a }, (_, i) => a + i);

interface Split {
  Xt: DesignMatrix;
  yt: Float64Array;
  Xv: DesignMatrix;
  yv: Float64Array;
}

function regression(n: number, p: number, seed: number, nTrain: number, sparse = false): Split {
  const { X, y } = makeCorrelatedData(n, p, { seed, snr: 3, density: 0.3, corr: 0.5 });
  const Xt = takeRows(X, rangeIdx(0, nTrain));
  return { Xt: sparse ? toCsc(Xt) : Xt, yt: y.slice(0, nTrain), Xv: takeRows(X, rangeIdx(nTrain, n)), yv: y.slice(nTrain) };
}

function classification(n: number, p: number, seed: number, nTrain: number): Split {
  const s = regression(n, p, seed, nTrain);
  return { ...s, yt: s.yt.map((v) => (v > 0 ? 1 : 0)), yv: s.yv.map((v) => (v > 0 ? 1 : -1)) };
}

/** Held-out loss (MSE, or logistic for logreg with ±1 labels) and its hypergradient. */
function heldOut(prob: SparseProblem, sp: Split, lam: Float64Array, method: HypergradMethod = 'implicit', extra: Record<string, unknown> = {}): {
  value: number; grad: Float64Array; sol: InnerSolution; iterations: number;
} {
  const tightTol = prob.model === 'logreg' ? 1e-13 : 1e-14;
  const sol = prob.solve(lam, { tol: tightTol, method, tolJac: 1e-14, ...extra });
  const pred = prob.predict(sol, sp.Xv);
  const m = pred.length;
  const u = new Float64Array(m);
  let v = 0;
  for (let i = 0; i < m; i++) {
    if (prob.model === 'logreg') {
      const ya = sp.yv[i]! * pred[i]!;
      v += Math.log1p(Math.exp(-ya));
      u[i] = (-sp.yv[i]! / (1 + Math.exp(ya))) / m;
    } else {
      const e = pred[i]! - sp.yv[i]!;
      v += e * e;
      u[i] = (2 * e) / m;
    }
  }
  const { gS, gB } = prob.pullback(sol, sp.Xv, u);
  const hg = prob.hypergradient(sol, gS, gB, { method, tolJac: 1e-14, maxJacIter: 100_000, onFailure: 'return' });
  return { value: v / m, grad: hg.gradient, sol, iterations: hg.iterations };
}

/** 4th-order central difference of the held-out loss along log λ_k; also checks the support is constant. */
function fd(prob: SparseProblem, sp: Split, lam: Float64Array, k: number, h = 2e-4): number {
  const at = (t: number): { v: number; s: string } => {
    const l = new Float64Array(lam);
    l[k] = lam[k]! * Math.exp(t);
    prob.resetWarmStart();
    const r = heldOut(prob, sp, l);
    return { v: r.value, s: Array.from(r.sol.support).join(',') };
  };
  const pts = [at(-2 * h), at(-h), at(h), at(2 * h)];
  for (const q of pts) assert.equal(q.s, pts[0]!.s, 'support changed inside the finite-difference stencil (pick another λ)');
  return (pts[0]!.v - 8 * pts[1]!.v + 8 * pts[2]!.v - pts[3]!.v) / (12 * h);
}

function relErr(a: number, b: number, scale = Math.max(Math.abs(b), 1e-12)): number {
  return Math.abs(a - b) / scale;
}

function lambdasFor(model: SparseModelKind, prob: SparseProblem, frac: number): Float64Array {
  const lmax = prob.lambdaMax;
  if (model === 'enet') return Float64Array.of(lmax * frac, lmax * frac * 0.5);
  if (model === 'wlasso') return Float64Array.from({ length: prob.p }, (_, j) => lmax * frac * (0.7 + 0.6 * ((j * 7) % 5) / 4));
  return Float64Array.of(lmax * frac);
}

for (const model of ['lasso', 'enet', 'wlasso', 'logreg'] as const) {
  for (const sparse of [false, true]) {
    test(`hypergradient of the held-out loss vs finite differences: ${model}, ${sparse ? 'CSC' : 'dense'}`, () => {
      const sp0 = model === 'logreg' ? classification(140, 25, 11, 90) : regression(90, 30, 7, 60, sparse);
      const sp = sparse && model === 'logreg' ? { ...sp0, Xt: toCsc(sp0.Xt) } : sp0;
      const prob = new SparseProblem(sp.Xt, sp.yt, model);
      const lam = lambdasFor(model, prob, model === 'logreg' ? 0.12 : 0.15);
      const r = heldOut(prob, sp, lam);
      assert.ok(r.sol.support.length > 1, 'non-trivial support');
      assert.ok(r.sol.diagnostics.ok, r.sol.diagnostics.messages.join('; '));
      assert.ok(r.sol.diagnostics.refined);
      const ks = model === 'wlasso' ? [r.sol.support[0]!, r.sol.support[r.sol.support.length - 1]!, otherThan(r.sol.support, prob.p)] : model === 'enet' ? [0, 1] : [0];
      let gscale = 0;
      for (const k of ks) gscale = Math.max(gscale, Math.abs(r.grad[k]!));
      assert.ok(gscale > 0, 'hypergradient is 0: the relative FD test would be empty');
      for (const k of ks) {
        const f = fd(prob, sp, lam, k);
        assert.ok(relErr(r.grad[k]!, f, gscale) <= 1e-8, `${model} k=${k}: hypergradient ${r.grad[k]} vs FD ${f}`);
      }
    });
  }
}

function otherThan(S: Int32Array, p: number): number {
  const s = new Set(S);
  for (let j = 0; j < p; j++) if (!s.has(j)) return j;
  return 0;
}

test('Lasso hypergradient equals the closed form on the support (X_SᵀX_S J = −nλ s, intercept through μ)', () => {
  const sp = regression(80, 20, 3, 50);
  const prob = new SparseProblem(sp.Xt, sp.yt, 'lasso');
  const lam = Float64Array.of(prob.lambdaMax / 6);
  const r = heldOut(prob, sp, lam);
  const S = Array.from(r.sol.support);
  const X = sp.Xt as DenseDesign;
  const n = X.nRows;
  const mu = S.map((j) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += X.data[j * n + i]!;
    return s / n;
  });
  const col = (t: number, i: number): number => X.data[S[t]! * n + i]! - mu[t]!;
  // naive Gaussian elimination of (X_cSᵀX_cS) J = −nλ s
  const m = S.length;
  const A = Array.from({ length: m }, (_, a) => Array.from({ length: m + 1 }, (_, b) => {
    if (b === m) return -n * lam[0]! * Math.sign(r.sol.beta[S[a]!]!);
    let s = 0;
    for (let i = 0; i < n; i++) s += col(a, i) * col(b, i);
    return s;
  }));
  for (let c = 0; c < m; c++) {
    let piv = c;
    for (let rr = c + 1; rr < m; rr++) if (Math.abs(A[rr]![c]!) > Math.abs(A[piv]![c]!)) piv = rr;
    [A[c], A[piv]] = [A[piv]!, A[c]!];
    for (let rr = 0; rr < m; rr++) {
      if (rr === c) continue;
      const f = A[rr]![c]! / A[c]![c]!;
      for (let b = c; b <= m; b++) A[rr]![b]! -= f * A[c]![b]!;
    }
  }
  const J = A.map((row, a) => row[m]! / row[a]!);
  // d pred_val / d log λ = (X_val,S − 1μ_Sᵀ) J ; d MSE = 2/n_v Σ (pred − y) dpred
  const Xv = sp.Xv as DenseDesign;
  const nv = Xv.nRows;
  const pred = prob.predict(r.sol, Xv);
  let g = 0;
  for (let i = 0; i < nv; i++) {
    let dp = 0;
    for (let t = 0; t < m; t++) dp += (Xv.data[S[t]! * nv + i]! - mu[t]!) * J[t]!;
    g += (2 / nv) * (pred[i]! - sp.yv[i]!) * dp;
  }
  assert.ok(relErr(r.grad[0]!, g) <= 1e-12, `closed form ${g} vs ${r.grad[0]}`);
});

for (const model of ['lasso', 'enet', 'wlasso', 'logreg'] as const) {
  test(`implicit, implicit-forward and forward agree to 1e-12: ${model}`, () => {
    const sp = model === 'logreg' ? classification(120, 15, 5, 80) : regression(70, 20, 9, 45);
    const lamOf = (prob: SparseProblem): Float64Array => lambdasFor(model, prob, 0.15);
    const res: Float64Array[] = [];
    for (const method of ['implicit', 'implicit-forward', 'forward'] as const) {
      const prob = new SparseProblem(sp.Xt, sp.yt, model);
      res.push(heldOut(prob, sp, lamOf(prob), method, { refine: method !== 'forward' }).grad);
    }
    let scale = 0;
    for (const v of res[0]!) scale = Math.max(scale, Math.abs(v));
    for (const other of [res[1]!, res[2]!]) {
      for (let k = 0; k < other.length; k++) {
        assert.ok(Math.abs(other[k]! - res[0]![k]!) <= 1e-12 * scale, `${model}[${k}]: ${other[k]} vs implicit ${res[0]![k]}`);
      }
    }
  });
}

test('implicit with CG equals implicit with Cholesky', () => {
  const sp = regression(70, 20, 4, 45);
  const prob = new SparseProblem(sp.Xt, sp.yt, 'enet');
  const lam = Float64Array.of(prob.lambdaMax / 8, prob.lambdaMax / 30);
  const a = heldOut(prob, sp, lam, 'implicit', { linearSolver: 'cholesky' });
  const sol = a.sol;
  const pred = prob.predict(sol, sp.Xv);
  const u = pred.map((v, i) => (2 * (v - sp.yv[i]!)) / pred.length);
  const { gS } = prob.pullback(sol, sp.Xv, u);
  const b = prob.hypergradient(sol, gS, 0, { linearSolver: 'cg', cgTol: 1e-14 });
  assert.equal(b.linearSolver, 'cg');
  for (let k = 0; k < 2; k++) assert.ok(relErr(b.gradient[k]!, a.grad[k]!) <= 1e-9);
});

test('warm-started implicit-forward at the same λ takes at most 2 Jacobian epochs', () => {
  for (const model of ['lasso', 'enet', 'logreg'] as const) {
    const sp = model === 'logreg' ? classification(120, 20, 8, 80) : regression(80, 25, 12, 50);
    const prob = new SparseProblem(sp.Xt, sp.yt, model);
    const lam = lambdasFor(model, prob, 0.15);
    const first = heldOut(prob, sp, lam, 'implicit-forward', { tolJac: 1e-10 });
    assert.ok(first.iterations > 2, `cold start needs several epochs (${first.iterations})`);
    const again = heldOut(prob, sp, lam, 'implicit-forward', { tolJac: 1e-10 });
    assert.ok(again.iterations <= 2, `${model}: re-run took ${again.iterations} Jacobian epochs`);
    assert.ok(relErr(again.grad[0]!, first.grad[0]!) <= 1e-8);
  }
});

test('invertibility diagnostics: duplicated column makes X_EᵀX_E rank deficient', () => {
  const { X, y } = makeCorrelatedData(60, 20, { seed: 3, snr: 5, density: 0.3 });
  const base = new SparseProblem(X, y, 'lasso');
  const j = base.solve([base.lambdaMax / 5], { tol: 1e-12 }).support[0]!;
  const data = new Float64Array(60 * 21);
  data.set(X.data);
  data.set(X.data.subarray(j * 60, (j + 1) * 60), 20 * 60);
  const X2: DenseDesign = { kind: 'dense', nRows: 60, nCols: 21, data };
  for (const sparse of [false, true]) {
    const prob = new SparseProblem(sparse ? toCsc(X2) : X2, y, 'lasso');
    const sol = prob.solve([prob.lambdaMax / 5], { tol: 1e-12 });
    const dg = sol.diagnostics;
    assert.equal(dg.ok, false);
    // either both copies are in the support (rank-deficient Gram) or the copy sits at the kink
    const both = Array.from(sol.support).includes(j) && Array.from(sol.support).includes(20);
    if (both) assert.equal(dg.rankDeficient, true);
    else assert.ok(dg.kinks.length > 0 && dg.rankDeficient, JSON.stringify(dg));
    assert.ok(dg.minPivotRatio < 1e-10);
    assert.match(dg.messages.join(' '), /rank deficient|kink/);
    const g = new Float64Array(sol.support.length).fill(1);
    assert.throws(() => prob.hypergradient(sol, g, 0), (e: unknown) => e instanceof InvertibilityError && /SparseProblem\.hypergradient\(\)/.test(e.message));
    // fallback 'lstsq' (default under 'return'): the minimum-norm least-squares adjoint of the singular system
    const r = prob.hypergradient(sol, g, 0, { onFailure: 'return' });
    assert.ok(r.finite);
    assert.equal(r.fallback, 'lstsq');
    assert.equal(r.linearSolver, 'lstsq');
    const z = prob.hypergradient(sol, g, 0, { onFailure: 'return', fallback: 'zero' });
    assert.deepEqual(Array.from(z.gradient), [0]);
    assert.equal(z.fallback, 'zero');
    assert.equal(collectWarnings(() => prob.hypergradient(sol, g, 0, { onFailure: 'warn' })).length, 1);
  }
  // a well-posed problem is clean
  const ok = base.solve([base.lambdaMax / 5], { tol: 1e-12 });
  assert.ok(ok.diagnostics.ok && !ok.diagnostics.rankDeficient && ok.diagnostics.kinks.length === 0);
  assert.equal(ok.diagnostics.rankCheck, 'cholesky');
});

test('kink diagnostic: a coordinate exactly at |X_jᵀr|/n = λ with β_j = 0', () => {
  // λ at a breakpoint of the path: the largest |X_jᵀy_c|/n is exactly λ_max, where β = 0 and j is at the kink
  const sp = regression(60, 15, 21, 60 - 20);
  const prob = new SparseProblem(sp.Xt, sp.yt, 'lasso');
  const sol = prob.solve([prob.lambdaMax], { tol: 1e-14 });
  assert.equal(sol.support.length, 0);
  assert.equal(sol.diagnostics.kinks.length, 1);
  assert.equal(sol.diagnostics.ok, false);
  const sol2 = prob.solve([prob.lambdaMax * 1.01], { tol: 1e-14 });
  assert.equal(sol2.diagnostics.kinks.length, 0);
  assert.ok(sol2.diagnostics.ok);
});

test('hypergradient is exactly 0 when β̂ = 0 (λ > λ_max)', () => {
  const sp = regression(60, 15, 2, 40);
  const prob = new SparseProblem(sp.Xt, sp.yt, 'lasso');
  const r = heldOut(prob, sp, Float64Array.of(prob.lambdaMax * 2));
  assert.equal(r.grad[0], 0);
  assert.equal(r.sol.support.length, 0);
});

test('bad inputs give typed errors, never a wrong number', () => {
  const sp = regression(40, 10, 1, 30);
  const prob = new SparseProblem(sp.Xt, sp.yt, 'lasso');
  assert.throws(() => prob.solve([0]), InvalidArgumentError);
  assert.throws(() => prob.solve([-1]), InvalidArgumentError);
  assert.throws(() => prob.solve([NaN]), NonFiniteError);
  assert.throws(() => prob.solve([Infinity]), NonFiniteError);
  assert.throws(() => prob.solve([0.1, 0.2]), ShapeError);
  assert.throws(() => new SparseProblem(sp.Xt, sp.yt, 'enet').solve([0.1]), ShapeError);
  assert.throws(() => new SparseProblem(sp.Xt, sp.yt, 'ridge' as SparseModelKind), InvalidArgumentError);
  const yNaN = sp.yt.slice();
  yNaN[3] = NaN;
  assert.throws(() => new SparseProblem(sp.Xt, yNaN, 'lasso'), NonFiniteError);
  const Xd = sp.Xt as DenseDesign;
  const Xnan: DenseDesign = { ...Xd, data: Xd.data.slice() };
  Xnan.data[5] = NaN;
  assert.throws(() => new SparseProblem(Xnan, sp.yt, 'lasso'), NonFiniteError);
  assert.throws(() => new SparseProblem(sp.Xt, sp.yt.slice(1), 'lasso'), ShapeError);
  assert.throws(() => new SparseProblem(sp.Xt, new Float64Array(30).fill(1), 'logreg'), InvalidArgumentError);
  assert.throws(() => new SparseProblem(sp.Xt, new Float64Array(30).fill(2), 'logreg'), InvalidArgumentError);
  const sol = prob.solve([prob.lambdaMax / 3]);
  assert.throws(() => prob.hypergradient(sol, new Float64Array(sol.support.length + 1)), ShapeError);
  assert.throws(() => prob.hypergradient(sol, new Float64Array(sol.support.length), 0, { method: 'forward' }), InvalidArgumentError);
  // constant column: coefficient 0, hypergradient finite
  const data = Xd.data.slice();
  data.fill(3, 0, 30);
  const pc = new SparseProblem({ ...Xd, data }, sp.yt, 'lasso');
  const sc = pc.solve([pc.lambdaMax / 5], { tol: 1e-12 });
  assert.equal(sc.beta[0], 0);
  assert.ok(pc.hypergradient(sc, new Float64Array(sc.support.length).fill(1)).finite);
  // all-zero y: β = 0, exact zero hypergradient
  const pz = new SparseProblem(sp.Xt, new Float64Array(30), 'lasso');
  assert.equal(pz.lambdaMax, 0);
  const sz = pz.solve([0.1]);
  assert.equal(sz.support.length, 0);
  assert.equal(pz.hypergradient(sz, new Float64Array(0)).gradient[0], 0);
});

test('generic cross-check: AID (src/implicit) on the ISTA fixed-point map with softThreshold agrees with the Lasso hypergradient', async () => {
  const { hypergradient } = await import('../src/implicit/hypergrad.js');
  const { tensor } = await import('../src/core/tensor.js');
  const { sub, mul, matmul, mean, square, exp, softThreshold, transpose } = await import('../src/ops/index.js');
  const sp = regression(70, 12, 17, 45);
  const prob = new SparseProblem(sp.Xt, sp.yt, 'lasso');
  const lam = prob.lambdaMax / 6;
  const mine = heldOut(prob, sp, Float64Array.of(lam));
  const d = prob.design;
  const n = d.nRows;
  const p = d.nCols;
  // centred training design and centred validation design (training means), row-major
  const Xc = new Float64Array(n * p);
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) Xc[i * p + j] = d.data[j * n + i]!;
  const Xv = sp.Xv as DenseDesign;
  const nv = Xv.nRows;
  const Xvc = new Float64Array(nv * p);
  for (let i = 0; i < nv; i++) for (let j = 0; j < p; j++) Xvc[i * p + j] = Xv.data[j * nv + i]! - d.colMeans[j]!;
  const Xt = tensor(Xc, [n, p]);
  const XtT = transpose(Xt);
  const yc = tensor(prob.yc, [n]);
  const XvT = tensor(Xvc, [nv, p]);
  const yvShift = tensor(sp.yv.map((v) => v - prob.yMean), [nv]);
  // step 1/L with L = ‖X_c‖₂²/n (power iteration)
  let v = new Float64Array(p).fill(1);
  let L = 0;
  for (let it = 0; it < 500; it++) {
    const u = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) u[i] += Xc[i * p + j]! * v[j]!;
    const w = new Float64Array(p);
    for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) w[j] += Xc[i * p + j]! * u[i]!;
    const nw = Math.hypot(...w);
    L = nw / Math.hypot(...v) / n;
    v = w.map((x) => x / nw);
  }
  const gamma = 0.9 / L;
  const phi = (w: ReturnType<typeof tensor>, theta: ReturnType<typeof tensor>) =>
    softThreshold(sub(w, mul(gamma / n, matmul(XtT, sub(matmul(Xt, w), yc)))), mul(gamma, exp(theta)));
  const outer = (w: ReturnType<typeof tensor>) => mean(square(sub(matmul(XvT, w), yvShift)));
  const r = hypergradient({
    phi, outer, w0: tensor(mine.sol.beta, [p]), lam: tensor([Math.log(lam)], [1]),
    method: 'AID-GMRES', t: 5000, tol: 1e-15, k: 500, adjointTol: 1e-14, onFailure: 'return',
  });
  const g = (r.grad as ReturnType<typeof tensor>).data[0]!;
  assert.ok(relErr(g, mine.grad[0]!) <= 1e-10, `AID ${g} vs nsdiff ${mine.grad[0]} (${r.status})`); // measured 2e-16
});

test('logistic inner solutions: sparseLogreg (+ refinement) agrees with the independent proximal-Newton logregSolve', async () => {
  const { logregSolve } = await import('./fixtures/logreg_solve.js');
  const sp = classification(150, 30, 19, 150 - 1);
  const prob = new SparseProblem(sp.Xt, sp.yt, 'logreg');
  const lam = prob.lambdaMax / 8;
  const sol = prob.solve([lam], { tol: 1e-12 });
  const ref = logregSolve(prob.design, prob.yc, lam, { tol: 1e-13 });
  assert.ok(ref.converged && sol.diagnostics.refined);
  for (let j = 0; j < prob.p; j++) assert.ok(Math.abs(sol.beta[j]! - ref.beta[j]!) <= 1e-9 * (1 + Math.abs(ref.beta[j]!)), `β_${j}: ${sol.beta[j]} vs ${ref.beta[j]}`);
  assert.ok(Math.abs(sol.intercept - ref.intercept) <= 1e-9);
});

test('forward at small λ (p > n: Gram phases on the active set, violators joining it; logistic local-curvature steps) equals implicit', () => {
  const cases: [SparseModelKind, boolean, boolean][] = [['lasso', false, true], ['lasso', true, true], ['logreg', false, true], ['logreg', false, false]];
  for (const [model, sparse, intercept] of cases) {
    const sp0 = model === 'logreg' ? classification(160, 120, 5, 80) : regression(120, 150, 3, 70, sparse);
    const prob = new SparseProblem(sp0.Xt, sp0.yt, model, { fitIntercept: intercept });
    const lam = Float64Array.of(prob.lambdaMax / (model === 'logreg' ? 20 : 50));
    const imp = heldOut(prob, sp0, lam, 'implicit');
    prob.resetWarmStart();
    const fwd = heldOut(prob, sp0, lam, 'forward');
    assert.ok(imp.sol.support.length > 10, `${model}: support ${imp.sol.support.length}`);
    assert.ok(fwd.sol.converged, `${model} forward did not converge in ${fwd.sol.iterations} epochs`);
    assert.deepEqual(Array.from(fwd.sol.support), Array.from(imp.sol.support));
    assert.ok(relErr(fwd.grad[0]!, imp.grad[0]!) <= 1e-9, `${model} ${sparse ? 'CSC' : 'dense'} intercept=${intercept}: forward ${fwd.grad[0]} vs implicit ${imp.grad[0]}`);
    prob.resetWarmStart();
    const ifw = heldOut(prob, sp0, lam, 'implicit-forward');
    assert.ok(ifw.iterations > 3, 'the Jacobian CD reached its Gram form');
    assert.ok(relErr(ifw.grad[0]!, imp.grad[0]!) <= 1e-9, `${model}: implicit-forward ${ifw.grad[0]} vs implicit ${imp.grad[0]}`);
  }
});

test('logistic forward on separable labels at a small λ (saturated samples: tiny local curvatures) converges to the implicit hypergradient', () => {
  const { X } = makeCorrelatedData(120, 40, { seed: 21, corr: 0.3 });
  const w = Float64Array.from({ length: 40 }, (_, j) => (j < 5 ? (j % 2 ? -2 : 3) : 0));
  const lab = new Float64Array(120);
  for (let i = 0; i < 120; i++) {
    let a = 0;
    for (let j = 0; j < 40; j++) a += X.data[j * 120 + i]! * w[j]!;
    lab[i] = a > 0 ? 1 : 0;
  }
  const sp: Split = { Xt: takeRows(X, rangeIdx(0, 80)), yt: lab.slice(0, 80), Xv: takeRows(X, rangeIdx(80, 120)), yv: lab.slice(80).map((v) => (v > 0 ? 1 : -1)) };
  const prob = new SparseProblem(sp.Xt, sp.yt, 'logreg');
  const lam = Float64Array.of(prob.lambdaMax / 200);
  const imp = heldOut(prob, sp, lam, 'implicit');
  prob.resetWarmStart();
  const fwd = heldOut(prob, sp, lam, 'forward');
  assert.ok(fwd.sol.converged, `forward did not converge (${fwd.sol.iterations} epochs, KKT ${fwd.sol.gap})`);
  assert.ok(relErr(fwd.grad[0]!, imp.grad[0]!) <= 1e-8, `forward ${fwd.grad[0]} vs implicit ${imp.grad[0]}`);
});

test('incremental support factor (features entering and leaving across λ, capacity growth, blocked refactorisation) gives the hypergradient of a fresh factorisation', () => {
  const sp = regression(170, 240, 11, 130);
  const walk = new SparseProblem(sp.Xt, sp.yt, 'lasso');
  const incr = (walk as unknown as { incr: { appended: number; deleted: number } }).incr;
  // pipeline at a moderate tolerance: the refinement makes β̂ exact on the identified support
  const hyper = (prob: SparseProblem, lam: number): { S: number[]; g: number } => {
    const sol = prob.solve([lam], { tol: 1e-10 });
    const pred = prob.predict(sol, sp.Xv);
    const u = pred.map((v, i) => (2 * (v - sp.yv[i]!)) / pred.length);
    const { gS } = prob.pullback(sol, sp.Xv, u);
    return { S: Array.from(sol.support), g: prob.hypergradient(sol, gS, 0, { onFailure: 'return' }).gradient[0]! };
  };
  const sizes: number[] = [];
  for (const f of [4, 12, 40, 15, 50, 6]) {
    const lam = walk.lambdaMax / f;
    const a = hyper(walk, lam);
    const b = hyper(new SparseProblem(sp.Xt, sp.yt, 'lasso'), lam);
    assert.deepEqual(a.S, b.S, `support at λmax/${f}`);
    assert.ok(relErr(a.g, b.g) <= 1e-9, `λmax/${f}: ${a.g} vs ${b.g}`);
    sizes.push(a.S.length);
  }
  assert.ok(Math.max(...sizes) >= 96, `the walk reaches the blocked factorisation (sizes ${sizes.join(', ')})`);
  assert.ok(incr.deleted > 0 && incr.appended > Math.max(...sizes), `features entered and left (appended ${incr.appended}, deleted ${incr.deleted})`);
});
