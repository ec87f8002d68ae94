/**
 * @file Tests of the KKT certificate the Lasso hypergradient's diagnostics build from the inner
 * solver's last gap check (`SolverResult.lastCheck`, hypergrad_post.ts): the diagnostics with the
 * solver's Xᵀr and Gap Safe bounds equal those of a full pass over X (kinks, violators, KKT value,
 * equicorrelation set; the refined β to rounding, its X_c,Sᵀr taken from the check) on dense and CSC data, warm and cold, at tight and loose tolerance; the
 * Cauchy–Schwarz guard forces recomputation when the refinement step is large (loose tolerance) and
 * for a feature placed at the kink; hypergradients stay equal to central finite differences while
 * the support grows and shrinks between calls; the Gram mode's g = q − Gβ with its rounding bound.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeCorrelatedData } from '../src/data/synthetic.js';
import { takeRows, toCsc, type DesignMatrix } from '../src/data/dataset.js';
import { SparseProblem } from '../src/lasso/hypergrad.js';
import { lasso } from '../src/lasso/cd.js';
import { refineAndDiagnose, type SolverCheck } from '../src/lasso/hypergrad_post.js';
import { colDots, vecSum } from '../src/lasso/design.js';

const range = (a: number, b: number): Int32Array => Int32Array.from({ length: b - a }, (_, i) => a + i);

function split(n: number, p: number, seed: number, nTrain: number): { Xt: DesignMatrix; yt: Float64Array; Xv: DesignMatrix; yv: Float64Array } {
  const { X, y } = makeCorrelatedData(n, p, { seed, snr: 3, density: 0.2, corr: 0.6 });
  return { Xt: takeRows(X, range(0, nTrain)), yt: y.slice(0, nTrain), Xv: takeRows(X, range(nTrain, n)), yv: y.slice(nTrain) };
}

/** One raw inner solve on the problem's design, post-processed with and without the solver's check. */
function both(prob: SparseProblem, lam: number, tol: number, warm: { beta: Float64Array; residual: Float64Array } | null, refine = true, gram = false) {
  const res = lasso(prob.design, prob.y, lam, { tol, fitIntercept: true, onFailure: 'return', ...(warm ? { warmStart: warm } : {}), ...(gram ? { gram: true } : {}) });
  assert.ok(res.lastCheck !== undefined, 'the coordinate-descent result carries lastCheck');
  const l1 = new Float64Array(prob.p).fill(lam);
  const check: SolverCheck = { xtr: res.lastCheck.xtr, bound: res.lastCheck.bound, gap: res.gap, err: res.lastCheck.err ?? 0 };
  const run = (ck: SolverCheck | null) =>
    refineAndDiagnose(prob, null, null, l1, 0, new Float64Array(res.beta), new Float64Array(res.residual), res.intercept, null, { refine }, ck);
  return { res, withCheck: run(check), full: run(null), check };
}

function assertSameDiagnostics(a: ReturnType<typeof both>['withCheck'], b: ReturnType<typeof both>['full'], what: string): void {
  assert.deepEqual(Array.from(a.support), Array.from(b.support), `${what}: support`);
  assert.deepEqual(Array.from(a.diagnostics.kinks), Array.from(b.diagnostics.kinks), `${what}: kinks`);
  assert.equal(a.diagnostics.kktViolators, b.diagnostics.kktViolators, `${what}: violators`);
  assert.equal(a.diagnostics.equicorrelationSize, b.diagnostics.equicorrelationSize, `${what}: |E|`);
  assert.equal(a.diagnostics.rankDeficient, b.diagnostics.rankDeficient, `${what}: rank`);
  const ka = a.diagnostics.kktViolation, kb = b.diagnostics.kktViolation;
  assert.ok(Math.abs(ka - kb) <= 1e-12 + 1e-9 * kb, `${what}: kkt ${ka} vs ${kb}`);
  // the refinement's X_c,Sᵀr comes from the solver's check in one path and is recomputed in the
  // other (the same residual, sums in another order): β agrees to rounding
  for (let i = 0; i < a.beta.length; i++) assert.ok(Math.abs(a.beta[i]! - b.beta[i]!) <= 1e-12 * Math.max(1e-300, Math.abs(b.beta[i]!)), `${what}: β[${i}] ${a.beta[i]} vs ${b.beta[i]}`);
}

test('diagnostics from the solver check equal a full pass (dense, CSC; cold, warm; tight, loose)', () => {
  for (const sparse of [false, true]) {
    const { Xt, yt } = split(180, 300, 3, 150);
    const prob = new SparseProblem(sparse ? toCsc(Xt) : Xt, yt, 'lasso');
    let warm: { beta: Float64Array; residual: Float64Array } | null = null;
    let fewer = 0;
    for (const frac of [1 / 5, 1 / 10, 1 / 30, 1 / 12, 1 / 4]) {
      for (const tol of [1e-8, 1e-3]) {
        const { res, withCheck, full } = both(prob, prob.lambdaMax * frac, tol, warm);
        assertSameDiagnostics(withCheck, full, `${sparse ? 'csc' : 'dense'} λmax·${frac.toFixed(3)} tol ${tol}`);
        assert.equal(full.timings.checkedFeatures, prob.p);
        if (withCheck.timings.checkedFeatures < prob.p) fewer++;
        if (tol === 1e-8) warm = { beta: res.beta, residual: res.residual };
      }
    }
    assert.ok(fewer >= 5, `the check saved work in ${fewer} of 10 cells`);
    prob.dispose();
  }
});

test('Gram mode: g = q − Gβ with its rounding bound certifies like the residual pass (tall data)', () => {
  const { Xt, yt } = split(420, 60, 11, 400);
  const prob = new SparseProblem(Xt, yt, 'lasso');
  let warm: { beta: Float64Array; residual: Float64Array } | null = null;
  let fromGram = 0, fewer = 0;
  for (const frac of [1 / 3, 1 / 10, 1 / 50, 1 / 7]) {
    const { res, withCheck, full } = both(prob, prob.lambdaMax * frac, 1e-6, warm, true, true);
    assertSameDiagnostics(withCheck, full, `gram λmax·${frac.toFixed(3)}`);
    if (res.lastCheck?.err !== undefined) {
      fromGram++;
      assert.ok(res.lastCheck.err > 0 && res.lastCheck.err < 1e-6);
    }
    if (withCheck.timings.checkedFeatures < prob.p) fewer++;
    warm = { beta: res.beta, residual: res.residual };
  }
  assert.ok(fromGram >= 2, `${fromGram} Gram-certified finishes`);
  assert.ok(fewer >= 2, `the check saved work in ${fewer} of 4`);
  prob.dispose();
});

test('the Cauchy–Schwarz guard: a large refinement step forces recomputation; a feature at the kink is recomputed', () => {
  const { Xt, yt } = split(180, 300, 5, 150);
  const prob = new SparseProblem(Xt, yt, 'lasso');
  const lam = prob.lambdaMax / 8;
  const tight = both(prob, lam, 1e-10, null);
  const loose = both(prob, lam, 1e-2, null);
  assert.ok(loose.withCheck.diagnostics.refined, 'the loose solution was refined');
  assertSameDiagnostics(loose.withCheck, loose.full, 'loose');
  // exact correlations at the refined point: features that any step-free bound would certify
  const n = prob.n;
  const c = new Float64Array(prob.p);
  const r = loose.full.residual;
  colDots(prob.design, r, vecSum(n, r), null, prob.p, c);
  let certifiable = 0;
  for (let j = 0; j < prob.p; j++) if (loose.full.beta[j] === 0 && Math.abs(c[j]!) < n * lam * (1 - 2e-6)) certifiable++;
  const S = loose.full.support.length;
  // the step of a loose solve is large: the guard recomputes more than the support and the
  // features truly near the kink
  assert.ok(loose.withCheck.timings.checkedFeatures > prob.p - certifiable, `loose: ${loose.withCheck.timings.checkedFeatures} > ${prob.p - certifiable}`);
  assert.ok(tight.withCheck.timings.checkedFeatures < loose.withCheck.timings.checkedFeatures);
  assert.ok(tight.withCheck.timings.checkedFeatures >= S);

  // a feature placed at the kink in the check (|X_jᵀr| = n·λ, refinement off so the step is 0):
  // the guard must recompute it and its true (interior) value decides
  const ck = tight.check;
  let j0 = -1;
  for (let j = 0; j < prob.p && j0 < 0; j++) if (tight.res.beta[j] === 0 && !Number.isNaN(ck.xtr[j]!)) j0 = j;
  assert.ok(j0 >= 0);
  const xtr = new Float64Array(ck.xtr);
  xtr[j0] = n * lam; // claims a kink
  const l1 = new Float64Array(prob.p).fill(lam);
  const run = (x: Float64Array) =>
    refineAndDiagnose(prob, null, null, l1, 0, new Float64Array(tight.res.beta), new Float64Array(tight.res.residual), tight.res.intercept, null, { refine: false }, { ...ck, xtr: x });
  const base = run(ck.xtr);
  const moved = run(xtr);
  const inBase = Array.from(base.diagnostics.kinks).includes(j0);
  assert.equal(Array.from(moved.diagnostics.kinks).includes(j0), inBase, 'the true value decides, not the stale one');
  assert.ok(moved.timings.checkedFeatures >= base.timings.checkedFeatures);
  prob.dispose();
});

test('hypergradient vs central differences while the support changes between calls (warm problem)', () => {
  const sp = split(160, 240, 7, 120);
  const prob = new SparseProblem(sp.Xt, sp.yt, 'lasso');
  const mse = (p: SparseProblem, lam: number): { v: number; g: number; S: number; checked: number } => {
    const sol = p.solve([lam], { tol: 1e-13 });
    const pred = p.predict(sol, sp.Xv);
    let v = 0;
    const u = new Float64Array(pred.length);
    for (let i = 0; i < pred.length; i++) {
      const e = pred[i]! - sp.yv[i]!;
      v += (e * e) / pred.length;
      u[i] = (2 * e) / pred.length;
    }
    const g = p.hypergradient(sol, p.pullback(sol, sp.Xv, u).gS).gradient[0]!;
    return { v, g, S: sol.support.length, checked: sol.timings.checkedFeatures ?? prob.p };
  };
  const fd = new SparseProblem(sp.Xt, sp.yt, 'lasso');
  const sizes: number[] = [];
  let saved = 0;
  for (const frac of [1 / 3, 1 / 20, 1 / 6, 1 / 40, 1 / 2]) {
    const lam = prob.lambdaMax * frac;
    const { g, S, checked } = mse(prob, lam);
    sizes.push(S);
    if (checked < prob.p) saved++;
    const h = 1e-4;
    const num = (mse(fd, lam * Math.exp(h)).v - mse(fd, lam * Math.exp(-h)).v) / (2 * h);
    assert.ok(Math.abs(g - num) <= 1e-6 * Math.max(1, Math.abs(num)), `λmax·${frac.toFixed(3)}: ${g} vs FD ${num}`);
  }
  assert.ok(new Set(sizes).size >= 4, `supports ${sizes.join(', ')}`);
  assert.ok(saved >= 3, `the check saved work in ${saved} of 5 solves`);
  prob.dispose();
  fd.dispose();
});
