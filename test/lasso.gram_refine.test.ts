/**
 * @file Tests of the certified Gram-mode solve with its refinement and KKT diagnostics from G
 * (src/lasso/gram_refine.ts): the support factor built from a cached G (direct and assembled from
 * the CV folds' block Grams) equals the one built from X column products to rounding; the
 * solutions of `SparseProblem.solve` from G equal those of the direct path (the fallback, forced by
 * a KKT target below the Gram rounding) along a warm-started path — support, β, intercept, the lazy
 * residual, the diagnostics — with no product with X; the rounding bound ρ covers the distance
 * between the Gram and the residual correlations; a kink, a tiny KKT target and an unplanned design
 * take the direct path; a CV criterion certifies the same values from G as from the direct path;
 * the lazy residual refuses a disposed design; hypergradients from a Gram-path solution's factor
 * equal the direct path's ('implicit', 'implicit-forward').
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeCorrelatedData } from '../src/data/synthetic.js';
import { kFoldIndices, takeRows } from '../src/data/dataset.js';
import { prepareDesign } from '../src/lasso/index.js';
import { SparseProblem } from '../src/lasso/hypergrad.js';
import { GramCache } from '../src/lasso/hypergrad_core.js';
import { IncrementalCholesky } from '../src/lasso/hypergrad_factor.js';
import { installFoldGrams } from '../src/lasso/fold_gram.js';
import { designGram, gramGradient, planGramSolves, type GramError } from '../src/lasso/quad_gram.js';
import { GRAM_KKT_SHARE, kktRounding, setGramKktTarget } from '../src/lasso/gram_refine.js';
import { colDots, vecSum } from '../src/lasso/design.js';
import { CrossValCriterion } from '../src/hpo/index.js';
import type { InnerSolution } from '../src/lasso/hypergrad_types.js';
import { InvalidArgumentError } from '../src/core/errors.js';

const data = makeCorrelatedData(700, 60, { seed: 4, corr: 0.5, snr: 3, density: 0.3 });

/** The training designs of 4 folds with their G assembled from block Grams (fold_gram.ts). */
function foldDesigns() {
  const folds = kFoldIndices(data.X.nRows, 4, { shuffle: true, seed: 1 });
  const designs = folds.map((f) => prepareDesign(takeRows(data.X, f.train)));
  for (const d of designs) planGramSolves(d, 100);
  assert.equal(installFoldGrams(data.X, folds, designs).installed, 4);
  return { folds, designs };
}

test('support factor from a cached G (direct, assembled) equals the factor from X column products to rounding', () => {
  const { folds, designs } = foldDesigns();
  const dA = designs[0]!; // assembled G
  const dX = prepareDesign(takeRows(data.X, folds[0]!.train)); // no G: X products
  const dD = prepareDesign(takeRows(data.X, folds[0]!.train));
  designGram(dD); // direct G
  const n = dX.nRows;
  const S = Int32Array.from({ length: 30 }, (_, t) => 2 * t);
  const b = Float64Array.from(S, (_, t) => Math.sin(1 + t));
  const solve = (incr: IncrementalCholesky): { x: Float64Array; ratio: number } => {
    const f = incr.syncTo(S);
    const x = Float64Array.from(b);
    f.solve(x);
    return { x, ratio: f.info.minPivotRatio };
  };
  const ref = solve(new IncrementalCholesky(dX, 1e-10, 64, null));
  const err = (dA as unknown as { gramCache: { err: GramError } }).gramCache.err;
  for (const [d, what] of [[dA, 'assembled'], [dD, 'direct']] as const) {
    const cache = new GramCache(d);
    const got = solve(new IncrementalCholesky(d, 1e-10, 64, cache));
    // the entries: within the installed bound γ_(n+T)·b_j b_k / n of the X products
    const cx = new GramCache(dX);
    cx.ensure(S, null);
    for (const j of S) {
      for (const k of S) {
        const m = n + (what === 'assembled' ? err.terms : 0);
        const bj = what === 'assembled' ? err.norms[j]! : Math.sqrt(d.colNormsSq[j]!);
        const bk = what === 'assembled' ? err.norms[k]! : Math.sqrt(d.colNormsSq[k]!);
        const tolE = (2 * ((m * 2 ** -53) / (1 - m * 2 ** -53)) * bj * bk) / n;
        assert.ok(Math.abs(cache.get(j, k) - cx.get(j, k)) <= tolE, `${what}: M[${j},${k}]`);
      }
    }
    let dx = 0, nx = 0;
    for (let t = 0; t < S.length; t++) {
      dx = Math.max(dx, Math.abs(got.x[t]! - ref.x[t]!));
      nx = Math.max(nx, Math.abs(ref.x[t]!));
    }
    assert.ok(dx <= 1e-11 * nx, `${what}: solve ${dx} vs ${nx}`);
    assert.ok(Math.abs(got.ratio - ref.ratio) <= 1e-9 * ref.ratio, `${what}: pivot ratio ${got.ratio} vs ${ref.ratio}`);
  }
});

/** Largest |a − b| relative to max |b|. */
function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0, m = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    m = Math.max(m, Math.abs(b[i]!));
  }
  return m > 0 ? d / m : d;
}

function assertSameSolution(g: InnerSolution, r: InnerSolution, what: string): void {
  assert.deepEqual(Array.from(g.support), Array.from(r.support), `${what}: support`);
  assert.ok(relDiff(g.beta, r.beta) <= 1e-12, `${what}: β ${relDiff(g.beta, r.beta)}`);
  assert.ok(Math.abs(g.intercept - r.intercept) <= 1e-12 * (1 + Math.abs(r.intercept)), `${what}: intercept`);
  assert.deepEqual(Array.from(g.diagnostics.kinks), Array.from(r.diagnostics.kinks), `${what}: kinks`);
  assert.equal(g.diagnostics.kktViolators, r.diagnostics.kktViolators, `${what}: violators`);
  assert.equal(g.diagnostics.equicorrelationSize, r.diagnostics.equicorrelationSize, `${what}: |E|`);
  assert.equal(g.diagnostics.rankDeficient, r.diagnostics.rankDeficient, `${what}: rank`);
  // not compared: `refined` (whether a Newton step was taken). A warm start already at the refined
  // point gives a zero step, which is skipped; whether it is exactly zero depends on the products'
  // rounding (G by the fused gemm, X_jᵀr by the column kernels), and β agrees above either way
  assert.ok(Math.abs(g.diagnostics.minPivotRatio - r.diagnostics.minPivotRatio) <= 1e-9 * r.diagnostics.minPivotRatio, `${what}: pivots`);
}

test('SparseProblem.solve from G equals the direct path along a warm-started path (fold G and direct G)', () => {
  const { designs } = foldDesigns();
  const dD = prepareDesign(data.X);
  designGram(dD);
  for (const [d, what] of [[designs[1]!, 'fold'], [dD, 'full']] as const) {
    const y = what === 'fold' ? null : data.y;
    // the fold's y: the rows of its design (a fresh problem on the same prepared design)
    const yFold = y ?? takeY(d);
    const pg = new SparseProblem(d, yFold, 'lasso');
    const pr = new SparseProblem(d, yFold, 'lasso');
    setGramKktTarget(pr, 1e-300); // ρ never fits: the direct path (the fallback)
    for (const frac of [0.5, 0.2, 0.08, 0.03, 0.05]) {
      for (const tol of [1e-4, 1e-7]) {
        const lam = pg.lambdaMax * frac;
        const sg = pg.solve(lam, { tol });
        const sr = pr.solve(lam, { tol });
        const w = `${what} λmax·${frac} tol ${tol}`;
        assertSameSolution(sg, sr, w);
        // both certified by the Gram loop at tol (warm starts differ by rounding: not the same bits)
        let yy = 0;
        for (let i = 0; i < pg.n; i++) yy += pg.yc[i]! ** 2;
        assert.ok(sg.converged && sg.gap <= (tol * yy) / pg.n && sr.gap <= (tol * yy) / pg.n, `${w}: gaps`);
        assert.equal(sg.timings.checkedFeatures, 0, `${w}: no X_jᵀr recomputed from G`);
        assert.ok((sr.timings.checkedFeatures ?? 0) > 0, `${w}: the direct path recomputes`);
        // reported violation: computed (rounding-level) + ρ, within the target's share
        assert.ok(sg.diagnostics.kktViolation > 0 && sg.diagnostics.kktViolation <= GRAM_KKT_SHARE * 1e-9, `${w}: kkt ${sg.diagnostics.kktViolation}`);
        assert.ok(sr.diagnostics.kktViolation <= sg.diagnostics.kktViolation, `${w}: kkt G ${sg.diagnostics.kktViolation} ≥ direct ${sr.diagnostics.kktViolation}`);
        // the lazy residual and fitted values: y_c − X_cβ as the direct path's
        assert.ok(relDiff(sg.residual, sr.residual) <= 1e-10, `${w}: residual`);
        assert.ok(relDiff(sg.fitted, sr.fitted) <= 1e-12, `${w}: fitted`);
      }
    }
  }
});

/** The target of a fold design: rows of data.y in the fold's training order (recovered from X). */
function takeY(d: ReturnType<typeof prepareDesign>): Float64Array {
  const folds = kFoldIndices(data.X.nRows, 4, { shuffle: true, seed: 1 });
  const f = folds[1]!;
  assert.equal(d.nRows, f.train.length);
  return Float64Array.from(f.train, (i) => data.y[i]!);
}

test('the rounding bound ρ covers the distance of the Gram correlations to X_c,jᵀr', () => {
  const { designs } = foldDesigns();
  const d = designs[2]!;
  const n = d.nRows, p = d.nCols;
  const folds = kFoldIndices(data.X.nRows, 4, { shuffle: true, seed: 1 });
  const prob = new SparseProblem(d, Float64Array.from(folds[2]!.train, (i) => data.y[i]!), 'lasso');
  const lam = prob.lambdaMax * 0.05;
  const sol = prob.solve(lam, { tol: 1e-6 });
  const g = new Float64Array(p);
  const gq = gramGradient(d, prob.yc, sol.beta, g)!;
  const l1 = new Float64Array(p).fill(lam);
  const list = Int32Array.from({ length: p }, (_, j) => j);
  const rho = kktRounding(d, gq, sol.beta, g, l1, list, p);
  const c = new Float64Array(p);
  colDots(d, sol.residual, vecSum(n, sol.residual), null, p, c);
  let worst = 0;
  for (let j = 0; j < p; j++) worst = Math.max(worst, Math.abs(g[j]! - c[j]!) / (n * lam));
  assert.ok(worst <= rho, `|ĝ − X_cᵀr|/(n·λ) = ${worst} > ρ = ${rho}`);
  assert.ok(rho < 1e-9, `ρ = ${rho}`);
});

test('fallbacks: a kink, an unplanned design and a tiny KKT target take the direct path with its messages', () => {
  const d = prepareDesign(data.X);
  designGram(d);
  const pg = new SparseProblem(d, data.y, 'lasso');
  const pr = new SparseProblem(d, data.y, 'lasso');
  setGramKktTarget(pr, 1e-300);
  // λ = λmax: β = 0 and the feature of the largest correlation sits at the kink
  const sg = pg.solve(pg.lambdaMax, { tol: 1e-8 });
  const sr = pr.solve(pr.lambdaMax, { tol: 1e-8 });
  assert.equal(sg.support.length, 0);
  assert.equal(sg.diagnostics.kinks.length, 1, 'the kink is reported');
  assert.ok((sg.timings.checkedFeatures ?? 0) > 0, 'decided by the direct path');
  assert.deepEqual(sg.diagnostics.messages, sr.diagnostics.messages);
  assert.deepEqual(Array.from(sg.diagnostics.kinks), Array.from(sr.diagnostics.kinks));
  // no Gram mode planned or cached: the regular path (residual mode)
  const pu = new SparseProblem(data.X, data.y, 'lasso');
  const su = pu.solve(pu.lambdaMax * 0.1, { tol: 1e-6 });
  assert.ok((su.timings.checkedFeatures ?? 0) > 0);
  const sgu = pg.solve(pg.lambdaMax * 0.1, { tol: 1e-6 });
  assert.equal(sgu.timings.checkedFeatures, 0);
  assert.ok(relDiff(sgu.beta, su.beta) <= 1e-10, `G vs residual mode: ${relDiff(sgu.beta, su.beta)}`);
});

test('CrossValCriterion on a planned grid: certified values from G equal those of the direct path', () => {
  const lmax = new CrossValCriterion(data.X, data.y, 'lasso', { folds: 4 }).lambdaMax;
  const run = (kktTol: number): { value: number; supp: number; kkt: number }[] => {
    const crit = new CrossValCriterion(data.X, data.y, 'lasso', { folds: 4 });
    crit.planEvaluations?.(40);
    const out = [];
    for (const f of [0.3, 0.1, 0.04]) {
      crit.evaluate([lmax * f], { gradient: false, certify: false, tol: 1e-4 });
      const ev = crit.evaluate([lmax * f], { gradient: false, tol: 1e-4, kktTol });
      assert.ok(ev.inner.certified, `certified at kktTol ${kktTol}`);
      out.push({ value: ev.value, supp: ev.supportSize, kkt: ev.diagnostics.kktViolation });
    }
    return out;
  };
  const fromG = run(1e-9);
  // kktTol 1e-12: ρ (≈ 1e-11 here) exceeds half of it, every fold falls back to the direct path
  const direct = run(1e-12);
  for (let i = 0; i < fromG.length; i++) {
    assert.equal(fromG[i]!.supp, direct[i]!.supp);
    assert.ok(Math.abs(fromG[i]!.value - direct[i]!.value) <= 1e-10 * direct[i]!.value, `value ${fromG[i]!.value} vs ${direct[i]!.value}`);
    assert.ok(direct[i]!.kkt <= 1e-12);
    // from G the reported violation carries ρ (≈ 1e-12 to 1e-11 here); the direct path reports rounding only
    assert.ok(fromG[i]!.kkt > direct[i]!.kkt && fromG[i]!.kkt <= 5e-10);
  }
});

test('the lazy residual: computed on first read, refused after the problem is disposed', () => {
  const prob = new SparseProblem(data.X, data.y, 'lasso');
  prob.planSolves(100); // its own prepared design: G built by the first solve
  const a = prob.solve(prob.lambdaMax * 0.1, { tol: 1e-6 });
  const b = prob.solve(prob.lambdaMax * 0.05, { tol: 1e-6 });
  assert.equal(a.timings.checkedFeatures, 0, 'from G');
  const r = a.residual;
  assert.equal(a.residual, r, 'kept');
  prob.dispose();
  assert.throws(() => b.residual, InvalidArgumentError);
  assert.throws(() => b.fitted, InvalidArgumentError);
});

test('hypergradients from a Gram-path solution (its support factor) equal those of the direct path', () => {
  const d = prepareDesign(data.X);
  designGram(d);
  const pg = new SparseProblem(d, data.y, 'lasso');
  const pr = new SparseProblem(d, data.y, 'lasso');
  setGramKktTarget(pr, 1e-300);
  for (const frac of [0.2, 0.05]) {
    const sg = pg.solve(pg.lambdaMax * frac, { tol: 1e-8 });
    const sr = pr.solve(pr.lambdaMax * frac, { tol: 1e-8 });
    assert.equal(sg.timings.checkedFeatures, 0);
    assert.ok(sg.factor !== undefined && sg.factor.valid(), 'the support factor travels with the solution');
    const gS = Float64Array.from(sg.support, (j) => Math.cos(j));
    for (const method of ['implicit', 'implicit-forward'] as const) {
      const a = pg.hypergradient(sg, gS, 0, { method }).gradient[0]!;
      const b = pr.hypergradient(sr, gS, 0, { method }).gradient[0]!;
      assert.ok(Math.abs(a - b) <= 1e-8 * Math.abs(b), `${method} λmax·${frac}: ${a} vs ${b}`);
    }
  }
});
