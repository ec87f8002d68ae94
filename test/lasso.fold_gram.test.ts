/**
 * @file Tests of the CV folds' Gram matrices from block Grams (src/lasso/fold_gram.ts
 * `installFoldGrams`), of the certificate with an assembled G (quad_gram.ts `gramCertificate` with
 * a `GramError`) and of the loose Gram-mode solve of a grid point (src/lasso/gram_loose.ts): the
 * assembled G is within its installed rounding bound of the directly computed G (contiguous and
 * shuffled folds, columns with a large offset, no intercept) and exactly symmetric; the certificate
 * stays an upper bound on the exact gap; the loose solve returns bit for bit the β, intercept and
 * support of the regular value-only solve, and null where it does not apply; the centring kernel
 * (`centregram`, round cv9) has the bits of the TypeScript correction.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rng } from '../src/core/rng.js';
import { lassoObjective, onKernelBackend, residualQuantities } from './helpers.js';
import type { DenseDesign } from '../src/data/dataset.js';
import { kFoldIndices, takeRows } from '../src/data/dataset.js';
import { prepareDesign } from '../src/lasso/index.js';
import { SparseProblem } from '../src/lasso/hypergrad.js';
import { installFoldGrams, validationMse, type ValidationGram } from '../src/lasso/fold_gram.js';
import { looseGramSolve } from '../src/lasso/gram_loose.js';
import { cachedGram, designGram, designXty, gramCertificate, planGramSolves, type GramError } from '../src/lasso/quad_gram.js';
import { quadraticGap } from '../src/lasso/quad_model.js';
import { CrossValCriterion } from '../src/hpo/index.js';

function tall(seed: number, n: number, p: number, offset: number): { X: DenseDesign; y: Float64Array } {
  const g = rng(seed);
  const data = new Float64Array(n * p);
  for (let j = 0; j < p; j++) for (let i = 0; i < n; i++) data[j * n + i] = g.normalScalar() + (j % 3 === 0 ? offset : 0) + (j > 0 ? 0.5 * data[(j - 1) * n + i]! : 0);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 1;
    for (let j = 0; j < p; j += 4) s += (data[j * n + i]! - (j % 3 === 0 ? offset : 0)) * (j % 8 === 0 ? 1 : -0.7);
    y[i] = s + 0.5 * g.normalScalar();
  }
  return { X: { kind: 'dense', nRows: n, nCols: p, data }, y };
}

/** The installed bound γ_(n+terms)·b_j b_k (quad_gram.ts `GramError`). */
function bound(err: GramError, n: number, j: number, k: number): number {
  const u = 2.220446049250313e-16;
  const m = n + err.terms;
  return ((m * u) / (1 - m * u)) * err.norms[j]! * err.norms[k]!;
}

test('installFoldGrams: each fold G within its rounding bound of the direct X_cᵀX_c, exactly symmetric', () => {
  for (const [shuffle, offset, center] of [[false, 0, true], [true, 1e3, true], [false, 50, false]] as const) {
    const { X } = tall(1, 503, 23, offset);
    const folds = kFoldIndices(X.nRows, 4, { shuffle, seed: 2 });
    const designs = folds.map((f) => prepareDesign(takeRows(X, f.train), { center }));
    for (const d of designs) planGramSolves(d, 100);
    assert.equal(installFoldGrams(X, folds, designs).installed, 4);
    const p = X.nCols;
    for (let k = 0; k < 4; k++) {
      const d = designs[k]!;
      const G = cachedGram(d)!;
      const err = (d as unknown as { gramCache: { err: GramError } }).gramCache.err;
      const direct = designGram(prepareDesign(takeRows(X, folds[k]!.train), { center, wasm: false }));
      for (let j = 0; j < p; j++) {
        assert.ok(err.norms[j]! >= Math.sqrt(d.colNormsSq[j]!), `b_${j} below ‖X_c,j‖`);
        for (let l = 0; l < p; l++) {
          assert.equal(G[j * p + l], G[l * p + j], 'not symmetric');
          // the direct product has its own rounding γ_n·a_j a_l: twice the bound covers both
          const diff = Math.abs(G[j * p + l]! - direct[j * p + l]!);
          assert.ok(diff <= 2 * bound(err, d.nRows, j, l), `fold ${k} (shuffle ${shuffle}, offset ${offset}) G[${j},${l}] off by ${diff}`);
        }
      }
      // near the direct G in practice too (the shift by the full-data means avoids cancellation)
      let worst = 0;
      for (let j = 0; j < p; j++) worst = Math.max(worst, Math.abs(G[j * p + j]! - direct[j * p + j]!) / direct[j * p + j]!);
      assert.ok(worst <= 1e-12, `relative diagonal error ${worst}`);
    }
  }
});

test('installFoldGrams: the one-pass block sums (validation blocks kept) give the same bits as adding block by block', () => {
  for (const [shuffle, K] of [[false, 4], [true, 5], [false, 2]] as const) {
    const { X, y } = tall(12, 611, 29, 7);
    const folds = kFoldIndices(X.nRows, K, { shuffle, seed: 5 });
    const make = (): ReturnType<typeof prepareDesign>[] => folds.map((f) => {
      const d = prepareDesign(takeRows(X, f.train), { center: true });
      planGramSolves(d, 100);
      return d;
    });
    const a = make(), b = make();
    const ra = installFoldGrams(X, folds, a, y); // y: validation blocks kept, sums formed in one pass
    const rb = installFoldGrams(X, folds, b); // no y: block by block into every fold's G
    assert.ok(ra.validation !== null && rb.validation === null);
    const p = X.nCols;
    for (let k = 0; k < K; k++) {
      const ga = cachedGram(a[k]!)!, gb = cachedGram(b[k]!)!;
      for (let i = 0; i < p * p; i++) assert.ok(Object.is(ga[i], gb[i]), `fold ${k} entry ${i}: ${ga[i]} vs ${gb[i]}`);
    }
    for (let j = 0; j < p; j++) for (let l = j; l < p; l++) assert.ok(Object.is(ra.full!.T[j * p + l], rb.full!.T[j * p + l]), `T[${j},${l}]`);
  }
});

test('installFoldGrams: skips what does not qualify and returns 0 for folds that do not partition the rows', () => {
  const { X } = tall(2, 200, 10, 0);
  const folds = kFoldIndices(X.nRows, 5);
  const designs = folds.map((f) => prepareDesign(takeRows(X, f.train), { center: true }));
  planGramSolves(designs[0]!, 100);
  planGramSolves(designs[1]!, 100);
  designGram(designs[1]!); // already cached: kept
  const before = cachedGram(designs[1]!);
  assert.equal(installFoldGrams(X, folds, designs).installed, 1, 'only the planned fold without G');
  assert.equal(cachedGram(designs[1]!), before);
  for (let k = 2; k < 5; k++) assert.equal(cachedGram(designs[k]!), undefined, 'unplanned fold got a G');
  // overlapping validation sets: not a partition
  const bad = folds.map((f, k) => (k === 1 ? { train: f.train, val: folds[0]!.val } : f));
  const d2 = bad.map((f) => prepareDesign(takeRows(X, f.train), { center: true }));
  for (const d of d2) planGramSolves(d, 100);
  assert.equal(installFoldGrams(X, bad, d2).installed, 0);
});

test('gramCertificate with an assembled G: an upper bound on the exact gap at the same dual scaling', () => {
  const { X, y } = tall(3, 800, 30, 200);
  const folds = kFoldIndices(X.nRows, 5, { shuffle: true, seed: 5 });
  const designs = folds.map((f) => prepareDesign(takeRows(X, f.train), { center: true, wasm: false }));
  for (const d of designs) planGramSolves(d, 100);
  installFoldGrams(X, folds, designs);
  const g = rng(7);
  for (let k = 0; k < 2; k++) {
    const d = designs[k]!;
    const n = d.nRows, p = d.nCols;
    const G = cachedGram(d)!;
    const err = (d as unknown as { gramCache: { err: GramError } }).gramCache.err;
    const ytr = Float64Array.from(folds[k]!.train, (i) => y[i]!);
    let ym = 0;
    for (let i = 0; i < n; i++) ym += ytr[i]!;
    ym /= n;
    const yc = ytr.map((v) => v - ym);
    const q = designXty(d, yc);
    let yy = 0;
    for (let i = 0; i < n; i++) yy += yc[i]! * yc[i]!;
    for (let trial = 0; trial < 3; trial++) {
      const beta = new Float64Array(p);
      for (let j = 0; j < p; j++) if (g.uniformScalar() < 0.4) beta[j] = g.normalScalar() * 0.3;
      const grad = new Float64Array(p), diag = new Float64Array(p);
      for (let j = 0; j < p; j++) {
        let s = q[j]!;
        for (let l = 0; l < p; l++) s -= G[j * p + l]! * beta[l]!;
        grad[j] = s;
        diag[j] = G[j * p + j]!;
      }
      // exact residual quantities on the stored centred columns
      const { r, xt } = residualQuantities(d, ytr, beta);
      const lam = 0.05 * (1 + trial);
      const l1 = new Float64Array(p).fill(lam);
      const cols = Int32Array.from({ length: p }, (_, j) => j);
      const cert = gramCertificate(n, p, yy, q, grad, diag, beta, l1, 0, cols, p, err);
      const ex = quadraticGap(n, beta, r, xt, l1, 0, null, p);
      const rr = r.reduce((s, v) => s + v * v, 0);
      let bxr = 0, pen = 0;
      for (let j = 0; j < p; j++) {
        bxr += beta[j]! * xt[j]!;
        pen += lam * Math.abs(beta[j]!);
      }
      const t = cert.t;
      const atT = ((1 - t) * (1 - t) * rr) / (2 * n) - (t * bxr) / n + pen;
      assert.ok(t <= ex.t * (1 + 1e-12), `t ${t} vs exact ${ex.t}`);
      assert.ok(cert.gap >= atT, `certificate ${cert.gap} below the residual gap ${atT}`);
      assert.ok(cert.gap - ex.gap <= 1e-9 * (yy / n), `certificate loose by ${cert.gap - ex.gap}`);
      // |g_j − X_c,jᵀr| ≤ err·‖X_c,j‖
      for (let j = 0; j < p; j++) assert.ok(Math.abs(grad[j]! - xt[j]!) <= cert.err * Math.sqrt(d.colNormsSq[j]!), `g_${j} outside err`);
    }
  }
});

test('looseGramSolve: bit for bit the β, intercept and support of the regular value-only solve along a path; null where it does not apply', () => {
  const { X, y } = tall(4, 700, 25, 3);
  const a = new SparseProblem(X, y, 'lasso');
  const b = new SparseProblem(X, y, 'lasso');
  a.planSolves(100);
  b.planSolves(100);
  const loose = { tol: 1e-4, refine: false, checks: false } as const;
  for (let k = 1; k <= 12; k++) {
    const lam = a.lambdaMax * Math.pow(0.6, k);
    const s1 = looseGramSolve(a, lam, loose);
    assert.ok(s1 !== null, `null at step ${k}`);
    const s2 = b.solve(lam, loose);
    assert.deepEqual(s1.beta, s2.beta);
    assert.equal(s1.intercept, s2.intercept);
    assert.deepEqual(s1.support, s2.support);
    assert.equal(s1.iterations, s2.iterations);
    assert.ok(s1.converged && s1.gap <= 1e-4 * a.yc.reduce((s, v) => s + v * v, 0) / a.n);
    // the residual and fitted values on first read: y_c − X_cβ and y − residual
    let worst = 0;
    for (let i = 0; i < a.n; i++) worst = Math.max(worst, Math.abs(s1.residual[i]! - s2.residual[i]!), Math.abs(s1.fitted[i]! - s2.fitted[i]!));
    assert.ok(worst <= 1e-10, `residual off by ${worst}`);
    assert.equal(a.lastSolution, s1);
  }
  // not applicable: refine/checks requested, another model, a design without the Gram mode planned
  assert.equal(looseGramSolve(a, a.lambdaMax / 10, { tol: 1e-4 }), null);
  const e = new SparseProblem(X, y, 'enet');
  e.planSolves(100);
  assert.equal(looseGramSolve(e, [0.1, 0.1], loose), null);
  const c = new SparseProblem(X, y, 'lasso');
  assert.equal(looseGramSolve(c, c.lambdaMax / 10, loose), null);
  for (const pr of [a, b, c, e]) pr.dispose();
});

test('looseGramSolve with the path predictor: every point certified, objective within the tolerance of the unpredicted path, fewer sweeps (both backends)', () => {
  const { X, y } = tall(11, 800, 40, 2);
  for (const backend of ['js', 'wasm'] as const) {
    onKernelBackend(backend, () => {
      const a = new SparseProblem(X, y, 'lasso');
      const b = new SparseProblem(X, y, 'lasso');
      a.planSolves(100);
      b.planSolves(100);
      const loose = { tol: 1e-4, refine: false, checks: false } as const;
      const tolAbs = (1e-4 * a.yc.reduce((s, v) => s + v * v, 0)) / a.n;
      let epochsA = 0, epochsB = 0, moved = 0;
      for (let k = 1; k <= 25; k++) {
        const lam = a.lambdaMax * Math.pow(0.85, k);
        const before = a.lastSolution?.beta;
        const s1 = looseGramSolve(a, lam, loose, true);
        const s2 = looseGramSolve(b, lam, loose, false);
        assert.ok(s1 !== null && s2 !== null, `null at step ${k}`);
        assert.ok(s1.converged && s1.gap <= tolAbs, `step ${k}: gap ${s1.gap} > ${tolAbs}`);
        // both within their certified gap of the optimum: objectives within tol of each other
        const l1 = new Float64Array(X.nCols).fill(lam);
        const d = Math.abs(lassoObjective(X, y, s1, l1) - lassoObjective(X, y, s2, l1));
        assert.ok(d <= tolAbs * (1 + 1e-6), `step ${k}: objectives differ by ${d} > ${tolAbs}`);
        epochsA += s1.iterations;
        epochsB += s2.iterations;
        if (before !== undefined && s1.iterations !== s2.iterations) moved++;
      }
      assert.ok(moved > 0, 'the predictor never changed a start');
      assert.ok(epochsA < epochsB, `${backend}: ${epochsA} sweeps with the predictor, ${epochsB} without`);
      // not a continuation (λ increases): the plain warm start, bit for bit the unpredicted solve
      const up = a.lambdaMax * Math.pow(0.85, 10);
      const c = new SparseProblem(X, y, 'lasso');
      c.planSolves(100);
      c.warmStartFrom(a.lastSolution!);
      const u1 = looseGramSolve(a, up, loose, true)!;
      const u2 = looseGramSolve(c, up, loose, false)!;
      assert.deepEqual(u1.beta, u2.beta);
      for (const pr of [a, b, c]) pr.dispose();
    });
  }
});

test('CrossValCriterion: a planned grid installs every fold G from block Grams; loose values match the regular solves', () => {
  const { X, y } = tall(6, 900, 30, 10);
  const cv = new CrossValCriterion(X, y, 'lasso', { folds: 5 });
  cv.planEvaluations(50);
  for (const f of cv.folds) {
    const err = (f.problem.design as unknown as { gramCache?: { err: GramError | null } }).gramCache?.err;
    assert.ok(err !== undefined && err !== null, 'fold G not from block Grams');
  }
  const ref = new CrossValCriterion(X, y, 'lasso', { folds: 5 });
  for (let k = 1; k <= 8; k++) {
    const lam = cv.lambdaMax * Math.pow(0.5, k);
    const v1 = cv.evaluate(lam, { tol: 1e-4, gradient: false, certify: false });
    const v2 = ref.evaluate(lam, { tol: 1e-4, gradient: false, certify: false });
    // different G (assembled vs direct, and residual vs Gram mode): equal within the tolerance
    assert.ok(Math.abs(v1.value - v2.value) <= 1e-3 * v2.value, `λ step ${k}: ${v1.value} vs ${v2.value}`);
    const c1 = cv.evaluate(lam, { tol: 1e-4, gradient: false });
    const c2 = ref.evaluate(lam, { tol: 1e-4, gradient: false });
    assert.ok(c1.inner.certified && c2.inner.certified);
    assert.ok(Math.abs(c1.value - c2.value) <= 1e-9 * c2.value, `certified λ step ${k}: ${c1.value} vs ${c2.value}`);
  }
  cv.dispose();
  ref.dispose();
});

test('warmStartAt: a certified evaluation starts from the loose solution kept at the same λ; same certified value', () => {
  const { X, y } = tall(8, 700, 25, 5);
  const cv = new CrossValCriterion(X, y, 'lasso', { folds: 4 });
  cv.planEvaluations(40);
  const lams = Array.from({ length: 10 }, (_, k) => cv.lambdaMax * Math.pow(0.6, k + 1));
  for (const l of lams) cv.evaluate(l, { tol: 1e-4, gradient: false, certify: false });
  assert.equal(cv.warmStartAt([cv.lambdaMax * 0.123]), false, 'no loose solution at that λ');
  const ref = new CrossValCriterion(X, y, 'lasso', { folds: 4 });
  for (const l of [lams[6]!, lams[3]!]) {
    cv.resetWarmStart();
    assert.equal(cv.warmStartAt([l]), true);
    const a = cv.evaluate(l, { tol: 1e-4, gradient: false });
    // the first solve of every fold starts at its loose solution: no epoch at tol
    assert.ok(a.inner.certified);
    assert.equal(a.inner.epochs, 0);
    const b = ref.evaluate(l, { tol: 1e-4, gradient: false });
    assert.ok(Math.abs(a.value - b.value) <= 1e-9 * b.value, `${a.value} vs ${b.value}`);
  }
  cv.dispose();
  ref.dispose();
});

test('validationMse: the value-only CV fold error from the validation block Gram equals the prediction MSE (both backends)', () => {
  for (const [shuffle, offset, backend] of [[false, 0, 'wasm'], [true, 300, 'wasm'], [false, 0, 'js'], [true, 300, 'js']] as const) onKernelBackend(backend, () => {
    const { X, y } = tall(9, 600, 20, offset);
    const cv = new CrossValCriterion(X, y, 'lasso', { folds: 3, shuffle, seed: 1 });
    const folds = cv.folds;
    const r = installFoldGrams(X, cv.foldIndices, folds.map((f) => f.problem.design), y);
    assert.equal(r.installed, 0, 'not planned: no fold G');
    for (const f of folds) f.problem.planSolves(100);
    const r2 = installFoldGrams(X, cv.foldIndices, folds.map((f) => f.problem.design), y);
    assert.equal(r2.installed, 3);
    assert.ok(r2.validation !== null);
    for (let k = 0; k < 3; k++) {
      const f = folds[k]!;
      for (const frac of [0.5, 0.1, 0.01]) {
        const sol = f.problem.solve(f.problem.lambdaMax * frac, { tol: 1e-8 });
        const direct = f.lossAndAdjoint(sol).value;
        const vg: ValidationGram = r2.validation[k]!;
        assert.equal(vg.eng !== null, backend === 'wasm', 'H in an engine memory exactly on the wasm backend');
        const fromGram = validationMse(vg, sol.beta, sol.support, sol.intercept);
        assert.ok(Math.abs(fromGram - direct) <= 1e-11 * direct, `fold ${k} (shuffle ${shuffle}, ${backend}): ${fromGram} vs ${direct}`);
      }
    }
    cv.dispose();
  });
});

test('installFullGram: the refit design of all rows gets G from the summed block Grams; same refit', () => {
  const { X, y } = tall(10, 800, 24, 40);
  const cv = new CrossValCriterion(X, y, 'lasso', { folds: 4 });
  cv.planEvaluations(60);
  cv.dispose();
  const a = new SparseProblem(X, y, 'lasso');
  assert.equal(cv.installRefitGram(a.design), true);
  assert.equal(cv.installRefitGram(a.design), false, 'once');
  const G = cachedGram(a.design)!;
  const err = (a.design as unknown as { gramCache: { err: GramError } }).gramCache.err;
  const direct = designGram(prepareDesign(X, { center: true, wasm: false }));
  const p = X.nCols;
  for (let j = 0; j < p; j++) for (let l = 0; l < p; l++) {
    assert.equal(G[j * p + l], G[l * p + j]);
    assert.ok(Math.abs(G[j * p + l]! - direct[j * p + l]!) <= 2 * bound(err, X.nRows, j, l), `G[${j},${l}]`);
  }
  const b = new SparseProblem(X, y, 'lasso');
  for (const frac of [0.3, 0.03]) {
    const s1 = a.solve(a.lambdaMax * frac, { tol: 1e-8 });
    const s2 = b.solve(b.lambdaMax * frac, { tol: 1e-8 });
    assert.ok(s1.diagnostics.kktViolation <= 1e-9 && s2.diagnostics.kktViolation <= 1e-9);
    for (let j = 0; j < p; j++) assert.ok(Math.abs(s1.beta[j]! - s2.beta[j]!) <= 1e-9 * (1 + Math.abs(s2.beta[j]!)), `β_${j}`);
  }
  // another X of the same shape is refused
  const other = tall(11, 800, 24, 0);
  const cv2 = new CrossValCriterion(X, y, 'lasso', { folds: 4 });
  cv2.planEvaluations(60);
  assert.equal(cv2.installRefitGram(new SparseProblem(other.X, other.y, 'lasso').design), false);
  for (const pr of [a, b]) pr.dispose();
  cv2.dispose();
});

test('centregram (a fold G centred in its engine memory) = the TypeScript correction and mirror bit for bit; the js backend keeps G in a plain array (round cv9)', async () => {
  const { createEngine, releaseEngine } = await import('../src/kernels/wasm_lasso.js');
  const { cachedGramEngine } = await import('../src/lasso/quad_gram.js');
  onKernelBackend('js', () => {
    const { X } = tall(3, 90, 6, 0);
    const d = prepareDesign(X, { center: true });
    planGramSolves(d, 100);
    designGram(d);
    assert.equal(cachedGramEngine(d), null);
  });
  onKernelBackend('wasm', () => {
    const g = rng(17);
    for (const p of [1, 2, 5, 33, 120]) {
      const made = createEngine(p, p);
      assert.ok(made !== null);
      const e = made.engine;
      const T = new Float64Array(p * p);
      for (let j = 0; j < p; j++) for (let l = 0; l < p; l++) T[j * p + l] = l >= j ? g.normalScalar() * 50 : NaN; // below: never read
      const nu = Float64Array.from({ length: p }, () => g.normalScalar() * 0.1);
      const s = Float64Array.from({ length: p }, () => g.normalScalar() * 3);
      const nk = 400 + p;
      // the TypeScript path of fold_gram.ts (`correctRow`): G_jl = T_jl − ν_l s_j − ν_j s_l + n ν_j ν_l, mirrored
      const want = T.slice();
      for (let j = 0; j < p; j++) {
        for (let l = j; l < p; l++) {
          const v = want[j * p + l]! - nu[l]! * s[j]! - nu[j]! * s[l]! + nk * nu[j]! * nu[l]!;
          want[j * p + l] = v;
          want[l * p + j] = v;
        }
      }
      made.x.set(T);
      e.vecA.set(nu);
      e.outA.set(s);
      e.centregram(e.xPtr, p, e.vecA.byteOffset, e.outA.byteOffset, nk);
      for (let i = 0; i < p * p; i++) assert.ok(Object.is(made.x[i], want[i]), `p = ${p}, entry ${i}: ${made.x[i]} vs ${want[i]}`);
      releaseEngine(e);
    }
  });
});
