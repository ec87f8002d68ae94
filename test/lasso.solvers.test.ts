/**
 * @file Tests of the Lasso-type inner solvers (src/lasso): KKT conditions at the solution for
 * Lasso / elastic net / weighted Lasso / sparse logistic regression on random problems (checked with
 * independent naive loops on the raw data), dense ≡ CSC, CD ≡ FISTA at tol 1e-12, working sets /
 * screening / extrapolation ≡ plain CD, λ ≥ λ_max ⇒ β = 0, intercept and residual, warm starts,
 * gap semantics, convergence failure handling, scikit-learn reference values (pasted literals,
 * computed once with scikit-learn 1.2.1), degenerate inputs and typed errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { rng } from '../src/core/rng.js';
import { ConvergenceError, InvalidArgumentError, NonFiniteError, ShapeError } from '../src/core/errors.js';
import { denseFromRows, toCsc, toDense, type DenseDesign, type DesignMatrix } from '../src/data/dataset.js';
import {
  disposeDesign, elasticNet, lambdaMax, lambdaMaxLogreg, lambdaMaxWeighted, lasso, lassoPath, lipschitzConstant,
  prepareDesign, proxGrad, solve, sparseLogreg, spectralNormSq, weightedLasso, type SolverOptions, type SolverResult,
} from '../src/lasso/index.js';

// ---------------------------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------------------------

/** A random problem: sparse-ish dense X (some columns offset, one possibly constant), y, labels. */
function problem(seed: number, n: number, p: number, opts: { constantCol?: boolean } = {}): { X: DenseDesign; y: Float64Array; labels: Float64Array } {
  const g = rng(seed);
  const data = new Float64Array(n * p);
  for (let j = 0; j < p; j++) {
    const offset = j % 3 === 0 ? 2 : 0;
    for (let i = 0; i < n; i++) data[j * n + i] = g.random() < 0.6 ? g.normalScalar() + offset : 0;
  }
  if (opts.constantCol && p > 1) for (let i = 0; i < n; i++) data[n + i] = 3.5;
  const w = new Float64Array(p);
  for (let j = 0; j < p; j += 3) w[j] = g.normalScalar() * 2;
  const y = new Float64Array(n);
  const labels = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < p; j++) s += data[j * n + i]! * w[j]!;
    y[i] = s + 0.5 * g.normalScalar() + 1;
    labels[i] = s + g.normalScalar() > 0.5 ? 1 : 0;
  }
  // both classes present
  labels[0] = 1;
  labels[n - 1] = 0;
  return { X: { kind: 'dense', nRows: n, nCols: p, data }, y, labels };
}

/** Naive X_jᵀv for every column of a design (independent of the solver kernels). */
function xtv(X: DesignMatrix, v: Float64Array): Float64Array {
  const D = toDense(X);
  const out = new Float64Array(D.nCols);
  for (let j = 0; j < D.nCols; j++) {
    let s = 0;
    for (let i = 0; i < D.nRows; i++) s += D.data[j * D.nRows + i]! * v[i]!;
    out[j] = s;
  }
  return out;
}

/** y − Xβ − b, naive. */
function residualOf(X: DesignMatrix, y: ArrayLike<number>, beta: Float64Array, b: number): Float64Array {
  const D = toDense(X);
  const r = new Float64Array(D.nRows);
  for (let i = 0; i < D.nRows; i++) {
    let s = b;
    for (let j = 0; j < D.nCols; j++) s += D.data[j * D.nRows + i]! * beta[j]!;
    r[i] = y[i]! - s;
  }
  return r;
}

/** Zero-norm (after centring when `center`) columns: their coefficient must be 0 and KKT is void. */
function deadColumns(X: DesignMatrix, center: boolean): boolean[] {
  const D = toDense(X);
  const out: boolean[] = [];
  for (let j = 0; j < D.nCols; j++) {
    let mu = 0;
    if (center) for (let i = 0; i < D.nRows; i++) mu += D.data[j * D.nRows + i]! / D.nRows;
    let ss = 0;
    for (let i = 0; i < D.nRows; i++) ss += (D.data[j * D.nRows + i]! - mu) ** 2;
    out.push(ss < 1e-20);
  }
  return out;
}

/**
 * KKT of P(β) = data term + Σ λ_j|β_j| + (λ₂/2)‖β‖²: with c_j = X_jᵀr/n − λ₂β_j (r the (generalised)
 * residual), |c_j| ≤ λ_j off the support and c_j = λ_j sign(β_j) on it. The admissible violation v_j
 * is certified by the duality gap: one exact step on coordinate j (curvature a_j = ‖X_j‖²/n + λ₂,
 * or ‖X_j‖²/(4n) for the logistic loss) would decrease P by ≥ v_j²/(2a_j), so v_j ≤ √(2 a_j gap);
 * a support coordinate within √(2 gap/a_j) of 0 has no certified sign and is only checked off-support.
 */
function assertKkt(X: DesignMatrix, r: Float64Array, beta: Float64Array, lam: Float64Array, l2: number, center: boolean, gap: number, logistic = false): void {
  const n = X.nRows;
  const D = toDense(X);
  const c = xtv(X, r);
  const dead = deadColumns(X, center);
  for (let j = 0; j < X.nCols; j++) {
    if (dead[j]) {
      assert.equal(beta[j], 0, `dead column ${j} must have β_j = 0`);
      continue;
    }
    let mu = 0;
    if (center) for (let i = 0; i < n; i++) mu += D.data[j * n + i]! / n;
    let nj = 0;
    for (let i = 0; i < n; i++) nj += (D.data[j * n + i]! - mu) ** 2;
    const a = logistic ? nj / (4 * n) : nj / n + l2;
    const g = gap + 1e-14;
    const tol = 1.01 * Math.sqrt(2 * a * g) + 1e-12 * (1 + lam[j]!);
    const cj = c[j]! / n - l2 * beta[j]!;
    const lj = lam[j]!;
    const tiny = Math.abs(beta[j]!) <= 1.01 * Math.sqrt((2 * g) / a);
    if (beta[j] === 0 || tiny) assert.ok(Math.abs(cj) <= lj + tol, `KKT off support: |c_${j}| = ${Math.abs(cj)} > λ_j + ${tol} = ${lj + tol}`);
    else assert.ok(Math.abs(cj - lj * Math.sign(beta[j]!)) <= tol, `KKT on support: c_${j} = ${cj}, λ_j sign β_j = ${lj * Math.sign(beta[j]!)}, tol ${tol}`);
  }
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** ‖a − b‖₂. */
function dist2(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(s);
}

/**
 * Certified distances between two solutions from their gaps: P − P* ≥ ‖X(β − β*)‖²/(2n) (squared
 * loss) bounds the fitted values / residuals, and λ₂-strong convexity bounds β for the elastic net.
 * The computed gap itself carries a rounding error ≈ 1e-16·P (and is clamped at 0): allow 1e-14·P.
 */
const effGap = (r: SolverResult): number => r.gap + 1e-14 * (1 + Math.abs(r.primal));
function residualBound(a: SolverResult, b: SolverResult, n: number): number {
  return 1.01 * (Math.sqrt(2 * n * effGap(a)) + Math.sqrt(2 * n * effGap(b)));
}
function betaBound(a: SolverResult, b: SolverResult, l2: number): number {
  return 1.01 * (Math.sqrt((2 * effGap(a)) / l2) + Math.sqrt((2 * effGap(b)) / l2));
}

const tight: SolverOptions = { tol: 1e-13, maxIter: 200_000 };
const dims = fc.record({
  seed: fc.integer({ min: 0, max: 1_000_000 }),
  n: fc.integer({ min: 4, max: 30 }),
  p: fc.integer({ min: 1, max: 40 }),
  frac: fc.double({ min: 0.02, max: 0.9, noNaN: true }),
  fit: fc.boolean(),
  sparse: fc.boolean(),
});

// ---------------------------------------------------------------------------------------------
// KKT on random problems
// ---------------------------------------------------------------------------------------------

test('Lasso: KKT conditions, residual and intercept at the solution (random problems, dense and CSC)', () => {
  fc.assert(
    fc.property(dims, ({ seed, n, p, frac, fit, sparse }) => {
      const { X: Xd, y } = problem(seed, n, p, { constantCol: seed % 4 === 0 });
      const X: DesignMatrix = sparse ? toCsc(Xd) : Xd;
      const lmax = lambdaMax(X, y, { fitIntercept: fit });
      fc.pre(lmax > 0); // counted as skipped, not as a pass
      const lam = frac * lmax;
      const res = lasso(X, y, lam, { ...tight, fitIntercept: fit });
      assert.ok(res.converged);
      assert.ok(res.gap >= 0 && res.gap <= res.tolerance, `gap ${res.gap} vs tolerance ${res.tolerance}`);
      const r = residualOf(X, y, res.beta, res.intercept);
      assert.ok(maxAbsDiff(r, res.residual) <= 1e-9 * (1 + Math.max(...Array.from(y, Math.abs))), 'residual = y − Xβ − b');
      if (fit) {
        // b = ȳ − μᵀβ ⇔ Σ r = 0
        const mean = r.reduce((s, v) => s + v, 0) / n;
        assert.ok(Math.abs(mean) <= 1e-10 * (1 + Math.abs(res.intercept)), `mean residual ${mean}`);
      } else assert.equal(res.intercept, 0);
      assertKkt(X, r, res.beta, new Float64Array(p).fill(lam), 0, fit, res.gap);
      // support = sorted non-zeros
      assert.deepEqual(Array.from(res.support), Array.from(res.beta.keys()).filter((j) => res.beta[j] !== 0));
    }),
    { numRuns: 150, seed: 11 },
  );
});

test('elastic net: KKT with the ridge term, and the dual point is feasible', () => {
  fc.assert(
    fc.property(dims, fc.double({ min: 0.001, max: 2, noNaN: true }), ({ seed, n, p, frac, fit, sparse }, l2) => {
      const { X: Xd, y } = problem(seed, n, p);
      const X: DesignMatrix = sparse ? toCsc(Xd) : Xd;
      const lmax = lambdaMax(X, y, { fitIntercept: fit });
      fc.pre(lmax > 0); // counted as skipped, not as a pass
      const l1 = frac * lmax;
      const res = elasticNet(X, y, l1, l2, { ...tight, fitIntercept: fit });
      assert.ok(res.converged && res.gap <= res.tolerance);
      const r = residualOf(X, y, res.beta, res.intercept);
      assertKkt(X, r, res.beta, new Float64Array(p).fill(l1), l2, fit, res.gap);
      // dual feasibility |X_c,jᵀθ − λ₂·dualRidge_j| ≤ λ₁ (Σθ = 0 when centred, so X_jᵀθ = X_c,jᵀθ)
      const xt = xtv(X, res.dualPoint);
      const dead = deadColumns(X, fit);
      assert.ok(res.dualRidge !== undefined && res.dualRidge.length === p);
      for (let j = 0; j < p; j++) if (!dead[j]) assert.ok(Math.abs(xt[j]! - l2 * res.dualRidge[j]!) <= l1 * (1 + 1e-9) + 1e-12, `dual feasibility at ${j}`);
      assert.ok(res.primal - res.dual >= -1e-12 && Math.abs(res.primal - res.dual - res.gap) <= 1e-9 * (1 + res.primal));
    }),
    { numRuns: 100, seed: 12 },
  );
});

test('weighted Lasso: KKT per-feature, zero weights unpenalised, λ_max with unpenalised features', () => {
  fc.assert(
    fc.property(dims, fc.integer({ min: 0, max: 1000 }), ({ seed, n, p, frac, fit, sparse }, wseed) => {
      const { X: Xd, y } = problem(seed, n, p);
      const X: DesignMatrix = sparse ? toCsc(Xd) : Xd;
      const g = rng(wseed);
      const w = new Float64Array(p);
      for (let j = 0; j < p; j++) w[j] = g.random() < 0.15 ? 0 : 0.2 + 2 * g.random();
      if (w.every((v) => v === 0)) w[0] = 1;
      // keep the unpenalised block well posed (fewer unpenalised columns than rows)
      let nz = 0;
      for (let j = 0; j < p; j++) if (w[j] === 0 && ++nz > n / 3) w[j] = 1;
      const lmax = lambdaMaxWeighted(X, y, w, { fitIntercept: fit });
      fc.pre(lmax > 1e-8); // counted as skipped, not as a pass
      const lam = frac * lmax;
      const res = weightedLasso(X, y, lam, w, { ...tight, fitIntercept: fit });
      assert.ok(res.converged && res.gap <= res.tolerance, `converged ${res.converged} gap ${res.gap}`);
      const r = residualOf(X, y, res.beta, res.intercept);
      const lamj = w.map((v) => lam * v);
      assertKkt(X, r, res.beta, lamj, 0, fit, res.gap);
      assert.ok(Math.abs(res.lambdaMax - lmax) <= 1e-8 * lmax);
      // at λ ≥ λ_max every penalised coefficient is 0
      const top = weightedLasso(X, y, lmax * 1.001, w, { ...tight, fitIntercept: fit });
      for (let j = 0; j < p; j++) if (w[j]! > 0) assert.equal(top.beta[j], 0);
    }),
    { numRuns: 100, seed: 13 },
  );
});

test('sparse logistic regression: KKT, intercept stationarity, dual point in the dual domain', () => {
  fc.assert(
    fc.property(dims, ({ seed, n, p, frac, fit, sparse }) => {
      const { X: Xd, labels } = problem(seed, n, p);
      const X: DesignMatrix = sparse ? toCsc(Xd) : Xd;
      const lmax = lambdaMaxLogreg(X, labels, { fitIntercept: fit });
      fc.pre(lmax > 0); // counted as skipped, not as a pass
      const lam = Math.max(frac, 0.05) * lmax;
      const res = sparseLogreg(X, labels, lam, { tol: 1e-12, maxIter: 100_000, fitIntercept: fit });
      assert.ok(res.converged, `gap ${res.gap} tol ${res.tolerance}`);
      // generalised residual z − σ(Xβ + b), computed naively
      const eta = residualOf(X, new Float64Array(n), res.beta, res.intercept).map((v) => -v);
      const r = new Float64Array(n);
      for (let i = 0; i < n; i++) r[i] = labels[i]! - 1 / (1 + Math.exp(-eta[i]!));
      assert.ok(maxAbsDiff(r, res.residual) <= 1e-12);
      assert.ok(maxAbsDiff(eta, res.linearPredictor) <= 1e-10);
      if (fit) assert.ok(Math.abs(r.reduce((s, v) => s + v, 0)) / n <= 1e-5, 'intercept stationarity');
      assertKkt(X, r, res.beta, new Float64Array(p).fill(lam), 0, false, res.gap, true);
      const s = res.dualPoint.map((v, i) => n * v * (labels[i] === 1 ? 1 : -1));
      assert.ok(s.every((v) => v >= -1e-15 && v <= 1 + 1e-15), 'n y_i θ_i ∈ [0, 1]');
    }),
    { numRuns: 100, seed: 14 },
  );
});

// ---------------------------------------------------------------------------------------------
// equivalences
// ---------------------------------------------------------------------------------------------

test('dense and CSC give the same β, intercept and gap (all models)', () => {
  fc.assert(
    fc.property(dims, ({ seed, n, p, frac, fit }) => {
      const { X, y, labels } = problem(seed, n, p, { constantCol: seed % 3 === 0 });
      const S = toCsc(X);
      const lmax = lambdaMax(X, y, { fitIntercept: fit });
      fc.pre(lmax > 0); // counted as skipped, not as a pass
      const o = { ...tight, fitIntercept: fit };
      const a = lasso(X, y, frac * lmax, o), b = lasso(S, y, frac * lmax, o);
      // same algorithm, iterates equal up to rounding (dense runs in WebAssembly SIMD, CSC in JS); the
      // fit is unique, β only when n > p
      assert.ok(dist2(a.residual, b.residual) <= residualBound(a, b, n), `‖Δr‖ = ${dist2(a.residual, b.residual)}`);
      if (n > p) assert.ok(maxAbsDiff(a.beta, b.beta) <= 1e-6 * (1 + Math.max(...Array.from(a.beta, Math.abs))), `|Δβ| = ${maxAbsDiff(a.beta, b.beta)}`);
      const e1 = elasticNet(X, y, frac * lmax, 0.3, o), e2 = elasticNet(S, y, frac * lmax, 0.3, o);
      assert.ok(dist2(e1.beta, e2.beta) <= betaBound(e1, e2, 0.3));
      const ll = lambdaMaxLogreg(X, labels, { fitIntercept: fit });
      const l1 = sparseLogreg(X, labels, Math.max(frac, 0.1) * ll, { tol: 1e-12, fitIntercept: fit });
      const l2 = sparseLogreg(S, labels, Math.max(frac, 0.1) * ll, { tol: 1e-12, fitIntercept: fit });
      // logistic loss: the linear predictor Xβ + b is unique (β only when n > p)
      assert.ok(maxAbsDiff(l1.linearPredictor, l2.linearPredictor) <= 1e-4 * (1 + Math.max(...Array.from(l1.linearPredictor, Math.abs))));
      assert.ok(Math.abs(l1.primal - l2.primal) <= l1.tolerance + l2.tolerance);
    }),
    { numRuns: 80, seed: 21 },
  );
});

test('CD and FISTA / ISTA agree at tol 1e-12 (lasso, enet, wlasso, logreg); step = 1/L', () => {
  fc.assert(
    fc.property(dims, ({ seed, n, p, frac, fit, sparse }) => {
      const { X: Xd, y, labels } = problem(seed, n, p);
      const X: DesignMatrix = sparse ? toCsc(Xd) : Xd;
      const lmax = lambdaMax(X, y, { fitIntercept: fit });
      fc.pre(lmax > 0); // counted as skipped, not as a pass
      const lam = Math.max(frac, 0.1) * lmax;
      const o = { tol: 1e-12, maxIter: 300_000, fitIntercept: fit };
      const cd = lasso(X, y, lam, o);
      const fi = proxGrad(X, y, { type: 'lasso', lambda: lam }, o);
      assert.ok(fi.converged && fi.solver === 'fista');
      // both certified by gaps ≤ 1e-12·‖y_c‖²/n; the fit Xβ + b is unique (β need not be)
      assert.ok(dist2(cd.residual, fi.residual) <= residualBound(cd, fi, n), `‖Δr‖ = ${dist2(cd.residual, fi.residual)}`);
      assert.ok(Math.abs(cd.primal - fi.primal) <= cd.tolerance + fi.tolerance + 1e-14);
      assert.ok(Math.abs(fi.step * fi.lipschitz - 1) < 1e-15);
      const en = elasticNet(X, y, lam, 0.5, o);
      const ef = proxGrad(X, y, { type: 'enet', lambda1: lam, lambda2: 0.5 }, { ...o, accelerated: false });
      assert.ok(ef.converged && ef.solver === 'ista');
      assert.ok(dist2(en.beta, ef.beta) <= betaBound(en, ef, 0.5), `enet ‖Δβ‖ = ${dist2(en.beta, ef.beta)}`);
      const w = new Float64Array(p).map((_, j) => (j === 0 ? 0 : 1 + (j % 2)));
      // (with an unpenalised feature and p ≥ n, FISTA can stall just above a 1e-12 gap: the fit is
      // flat in directions it corrects only at rounding level; CD has no such issue)
      if (p > 1 && n > p) {
        const wc = weightedLasso(X, y, lam, w, o);
        const wf = proxGrad(X, y, { type: 'wlasso', lambda: lam, weights: w }, o);
        assert.ok(wf.converged);
        assert.ok(Math.abs(wc.primal - wf.primal) <= 2 * wc.tolerance + 1e-14);
      }
      const ll = lambdaMaxLogreg(X, labels, { fitIntercept: fit });
      const lc = sparseLogreg(X, labels, Math.max(frac, 0.2) * ll, { tol: 1e-12, fitIntercept: fit });
      const lf = proxGrad(X, labels, { type: 'logreg', lambda: Math.max(frac, 0.2) * ll }, { tol: 1e-12, maxIter: 300_000, fitIntercept: fit });
      assert.ok(lf.converged);
      assert.ok(Math.abs(lc.primal - lf.primal) <= 2 * lc.tolerance + 1e-13);
    }),
    { numRuns: 50, seed: 22 },
  );
});

test('working sets, screening and extrapolation do not change the answer (vs plain cyclic CD)', () => {
  const variants: SolverOptions[] = [
    {},
    { workingSet: false },
    { acceleration: 'none' },
    { acceleration: 'anderson', screening: false },
    { acceleration: 'dual', workingSetGrowth: 'double', p0: 3 },
    { gapFreq: 3, extrapolationK: 3 },
  ];
  fc.assert(
    fc.property(dims, ({ seed, n, p, frac, fit, sparse }) => {
      const { X: Xd, y } = problem(seed, n, p);
      const X: DesignMatrix = sparse ? toCsc(Xd) : Xd;
      const lmax = lambdaMax(X, y, { fitIntercept: fit });
      fc.pre(lmax > 0); // counted as skipped, not as a pass
      const base = { ...tight, fitIntercept: fit };
      const plain = lasso(X, y, frac * lmax, { ...base, workingSet: false, screening: false, acceleration: 'none' });
      assert.equal(plain.solver, 'cd');
      const ep = elasticNet(X, y, frac * lmax, 0.2, { ...base, workingSet: false, screening: false, acceleration: 'none' });
      for (const v of variants) {
        const r = lasso(X, y, frac * lmax, { ...base, ...v });
        assert.ok(r.converged);
        // the Lasso fit Xβ + b is unique (β need not be when p > n): residuals within the gap bound
        const dr = dist2(plain.residual, r.residual);
        assert.ok(dr <= residualBound(plain, r, n), `variant ${JSON.stringify(v)}: ‖Δr‖ = ${dr} > ${residualBound(plain, r, n)}`);
        assert.ok(Math.abs(plain.primal - r.primal) <= plain.tolerance + r.tolerance + 1e-14);
        const en = elasticNet(X, y, frac * lmax, 0.2, { ...base, ...v });
        assert.ok(dist2(en.beta, ep.beta) <= betaBound(en, ep, 0.2), `variant ${JSON.stringify(v)}: enet ‖Δβ‖ = ${dist2(en.beta, ep.beta)}`);
      }
    }),
    { numRuns: 60, seed: 23 },
  );
});

test('a larger correlated problem: all variants agree, screening removes features, extrapolation is used', () => {
  const g = rng(5);
  const n = 60, p = 300;
  const data = new Float64Array(n * p);
  for (let i = 0; i < n; i++) data[i] = g.normalScalar();
  for (let j = 1; j < p; j++) for (let i = 0; i < n; i++) data[j * n + i] = 0.6 * data[(j - 1) * n + i]! + 0.8 * g.normalScalar();
  const X: DenseDesign = { kind: 'dense', nRows: n, nCols: p, data };
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = 2 * data[3 * n + i]! - data[50 * n + i]! + data[120 * n + i]! + 0.3 * g.normalScalar();
  const lam = lambdaMax(X, y) / 20;
  const plain = lasso(X, y, lam, { tol: 1e-12, maxIter: 100_000, workingSet: false, screening: false, acceleration: 'none' });
  const fast = lasso(X, y, lam, { tol: 1e-12, maxIter: 100_000 });
  const plainScreen = lasso(X, y, lam, { tol: 1e-12, maxIter: 100_000, workingSet: false });
  for (const r of [fast, plainScreen]) {
    assert.ok(r.converged);
    assert.ok(maxAbsDiff(plain.beta, r.beta) <= 1e-6);
  }
  assert.ok(fast.stats.workingSetSize < p && fast.nOuter >= 1);
  assert.ok(plainScreen.stats.screened > p / 2, `screened ${plainScreen.stats.screened}`);
  assert.ok(plainScreen.stats.andersonAccepted + plainScreen.stats.dualExtrapolationUsed > 0);
  assert.ok(fast.stats.coordinateUpdates < plain.stats.coordinateUpdates);
  // no WebAssembly: same numbers
  const P = prepareDesign(X, { wasm: false });
  assert.equal(P.wasm, null);
  const js = lasso(P, y, lam, { tol: 1e-12, maxIter: 100_000 });
  assert.ok(maxAbsDiff(js.beta, fast.beta) <= 1e-8);
  // logistic regression: WebAssembly (dense default) vs JavaScript kernels
  const labels = y.map((v) => (v > 0 ? 1 : 0));
  const ll = lambdaMaxLogreg(X, labels) / 10;
  const lw = sparseLogreg(X, labels, ll, { tol: 1e-12 });
  const lj = sparseLogreg(prepareDesign(X, { center: false, wasm: false }), labels, ll, { tol: 1e-12 });
  assert.ok(lw.converged && lj.converged);
  assert.ok(maxAbsDiff(lw.linearPredictor, lj.linearPredictor) <= 1e-6);
});

// ---------------------------------------------------------------------------------------------
// λ_max, warm starts, path
// ---------------------------------------------------------------------------------------------

test('λ ≥ λ_max gives β = 0 (just below it does not), for every model and intercept setting', () => {
  for (const seed of [1, 2, 3]) {
    for (const fit of [true, false]) {
      const { X, y, labels } = problem(seed, 25, 12);
      const lmax = lambdaMax(X, y, { fitIntercept: fit });
      const at = lasso(X, y, lmax, { tol: 1e-10, fitIntercept: fit });
      assert.equal(at.support.length, 0);
      assert.equal(at.iterations, 0, 'certified at the first gap check');
      assert.ok(Math.abs(at.lambdaMax - lmax) <= 1e-14 * lmax);
      assert.ok(lasso(X, y, 0.99 * lmax, { tol: 1e-10, fitIntercept: fit }).support.length > 0);
      assert.equal(elasticNet(X, y, lmax, 3, { fitIntercept: fit }).support.length, 0);
      assert.ok(elasticNet(X, y, 0.99 * lmax, 3, { tol: 1e-10, fitIntercept: fit }).support.length > 0);
      if (fit) assert.ok(Math.abs(at.intercept - y.reduce((s, v) => s + v, 0) / y.length) < 1e-12);
      const ll = lambdaMaxLogreg(X, labels, { fitIntercept: fit });
      const lr = sparseLogreg(X, labels, ll * (1 + 1e-12), { tol: 1e-10, fitIntercept: fit });
      assert.equal(lr.support.length, 0);
      if (fit) {
        const nPos = labels.reduce((s, v) => s + v, 0);
        assert.ok(Math.abs(lr.intercept - Math.log(nPos / (labels.length - nPos))) < 1e-9, 'b = log(n₊/n₋)');
      }
      assert.ok(sparseLogreg(X, labels, 0.97 * ll, { tol: 1e-10, fitIntercept: fit }).support.length > 0);
      // ±1 labels give the same model as 0/1
      const pm = labels.map((v) => (v === 1 ? 1 : -1));
      assert.ok(Math.abs(lambdaMaxLogreg(X, pm, { fitIntercept: fit }) - ll) <= 1e-15 * ll);
    }
  }
});

test('warm start from the solution converges without any epoch; the residual is recomputed from β', () => {
  const { X, y } = problem(9, 40, 60);
  const lam = lambdaMax(X, y) / 10;
  const first = lasso(X, y, lam, { tol: 1e-10 });
  const again = lasso(X, y, lam, { tol: 1e-10, warmStart: first });
  assert.ok(again.converged && again.iterations <= 1, `epochs ${again.iterations}`);
  assert.ok(maxAbsDiff(first.beta, again.beta) <= 1e-12);
  const againNoR = lasso(X, y, lam, { tol: 1e-10, warmStart: { beta: first.beta } });
  assert.ok(againNoR.iterations <= 1);
  // a wrong residual in the warm start is ignored (it cannot make the first gap check pass)
  const bogus = lasso(X, y, lam, { tol: 1e-10, warmStart: { beta: first.beta, residual: new Float64Array(40) } });
  assert.deepEqual(Array.from(bogus.residual), Array.from(again.residual));
  const lr = sparseLogreg(X, problem(9, 40, 60).labels, 0.01, { tol: 1e-10 });
  const lr2 = sparseLogreg(X, problem(9, 40, 60).labels, 0.01, { tol: 1e-10, warmStart: lr });
  assert.ok(lr2.iterations <= 1 && lr2.converged);
  const fi = proxGrad(X, y, { type: 'lasso', lambda: lam }, { tol: 1e-10, warmStart: first });
  assert.ok(fi.iterations <= 1 && fi.converged);
});

test("lassoPath: accuracy 'relative' bounds every λ's gap by tol·P; 'sklearn' by tol·‖y_c‖²/n", () => {
  const { X, y } = problem(11, 40, 120);
  const rel = lassoPath(X, y, { nLambdas: 30, eps: 1e-3 });
  const skl = lassoPath(X, y, { nLambdas: 30, eps: 1e-3, accuracy: 'sklearn' });
  let worstRel = 0, worstSkl = 0;
  for (let k = 0; k < 30; k++) {
    const lam = rel.lambdas[k]!;
    const opt = lasso(X, y, lam, { tol: 1e-12, maxIter: 100_000 });
    const P = (beta: Float64Array, b0: number): number => {
      let r2 = 0, l1 = 0;
      for (let i = 0; i < y.length; i++) {
        let s = b0;
        for (let j = 0; j < 120; j++) s += X.data[j * y.length + i]! * beta[j]!;
        r2 += (y[i]! - s) ** 2;
      }
      for (const b of beta) l1 += Math.abs(b);
      return r2 / (2 * y.length) + lam * l1;
    };
    const p0 = P(opt.beta, opt.intercept);
    worstRel = Math.max(worstRel, (P(rel.coefs[k]!, rel.intercepts[k]!) - p0) / p0);
    worstSkl = Math.max(worstSkl, (P(skl.coefs[k]!, skl.intercepts[k]!) - p0) / p0);
    assert.ok(rel.gaps[k]! <= rel.tolerances[k]!);
    assert.ok(rel.tolerances[k]! <= skl.tolerances[k]! * (1 + 1e-12));
  }
  assert.ok(worstRel <= 5e-4, `relative path: worst relative suboptimality ${worstRel}`);
  assert.ok(worstSkl >= worstRel);
  assert.throws(() => lassoPath(X, y, { accuracy: 'exact' as never }), /accuracy must be 'relative' \| 'sklearn'/);
});

test('lassoPath: sklearn-style grid, warm-started, equal to individual solves', () => {
  const { X, y } = problem(4, 30, 20);
  const path = lassoPath(X, y, { tol: 1e-10 });
  assert.equal(path.lambdas.length, 100);
  assert.ok(Math.abs(path.lambdas[0]! - path.lambdaMax) <= 1e-15 * path.lambdaMax);
  assert.ok(Math.abs(path.lambdas[99]! / path.lambdaMax - 1e-3) < 1e-12);
  for (let k = 1; k < 100; k++) assert.ok(Math.abs(path.lambdas[k]! / path.lambdas[k - 1]! - Math.pow(1e-3, 1 / 99)) < 1e-12);
  assert.ok(path.converged.every(Boolean));
  assert.equal(path.coefs[0]!.filter((v) => v !== 0).length, 0);
  for (const k of [10, 50, 99]) {
    const single = lasso(X, y, path.lambdas[k]!, { tol: 1e-10 });
    assert.ok(maxAbsDiff(single.beta, path.coefs[k]!) <= 1e-4 * (1 + Math.max(...Array.from(single.beta, Math.abs))));
    assert.ok(Math.abs(single.intercept - path.intercepts[k]!) <= 1e-4 * (1 + Math.abs(single.intercept)));
  }
  const ep = lassoPath(toCsc(X), y, { nLambdas: 5, eps: 1e-2, l1Ratio: 0.5, tol: 1e-10 });
  assert.equal(ep.lambdas.length, 5);
  const ref = elasticNet(X, y, ep.lambdas[4]! * 0.5, ep.lambdas[4]! * 0.5, { tol: 1e-10 });
  assert.ok(maxAbsDiff(ref.beta, ep.coefs[4]!) <= 1e-5);
  assert.throws(() => lassoPath(X, y, { eps: 2 }), InvalidArgumentError);
});

// ---------------------------------------------------------------------------------------------
// scikit-learn references (scikit-learn 1.2.1, tol=1e-15; pasted once, Python not called here)
// ---------------------------------------------------------------------------------------------

const refX = denseFromRows([
  [1.76, 0.4, 3.98, 2.24, 1.87, -0.98], [0.95, -0.15, 2.9, 0.41, 0.14, 1.45], [0.76, 0.12, 3.44, 0.33, 1.49, -0.21],
  [0.31, -0.85, 0.45, 0.65, 0.86, -0.74], [2.27, -1.45, 3.05, -0.19, 1.53, 1.47], [0.15, 0.38, 2.11, -1.98, -0.35, 0.16],
  [1.23, 1.2, 2.61, -0.3, -1.05, -1.42], [-1.71, 1.95, 2.49, -0.44, -1.25, 0.78], [-1.61, -0.21, 2.1, 0.39, -0.51, -1.18],
  [-0.03, 0.43, 3.07, 0.3, -0.63, -0.36], [-0.67, -0.36, 2.19, -1.73, 0.18, -0.4], [-1.63, 0.46, 2.09, 0.05, 0.73, 0.13],
]);
const refY = [-3.04, -3.68, -3.87, 0.79, -1.19, -3.34, -2.99, -7.15, -6.22, -5.23, -4.16, -5.72];
const refLabels = [1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0];

test('matches scikit-learn: Lasso, ElasticNet, Lasso without intercept, λ_max, L1 LogisticRegression', () => {
  const close = (a: ArrayLike<number>, b: number[], tol: number): void => assert.ok(maxAbsDiff(a, b) <= tol, `|Δ| = ${maxAbsDiff(a, b)}`);
  assert.ok(Math.abs(lambdaMax(refX, refY) - 1.9066138888888888) < 1e-14);
  for (const X of [refX, toCsc(refX)] as DesignMatrix[]) {
    let r = lasso(X, refY, 0.3, { tol: 1e-15 });
    close(r.beta, [1.2158682442095816, -0.07254635051221658, -1.1277957526636742, 0, 0.18474730722396307, 0], 1e-12);
    assert.ok(Math.abs(r.intercept - -1.1671526112720776) < 1e-12);
    r = lasso(X, refY, 0.05, { tol: 1e-15 });
    close(r.beta, [1.4618550774035313, 0, -1.7282406341549443, 0, 0.4451127189377628, -0.057831855600988344], 1e-12);
    assert.ok(Math.abs(r.intercept - 0.23830848291503948) < 1e-12);
    // ElasticNet(alpha=0.2, l1_ratio=0.5) ⇔ λ₁ = λ₂ = 0.1
    r = elasticNet(X, refY, 0.1, 0.1, { tol: 1e-15 });
    close(r.beta, [1.2077462426640428, -0.2217902719063645, -1.2313266436896446, 0, 0.30878797677862924, -0.04130948510172833], 1e-11);
    assert.ok(Math.abs(r.intercept - -0.91468908591311) < 1e-11);
    r = lasso(X, refY, 0.1, { tol: 1e-15, fitIntercept: false });
    close(r.beta, [1.4155050423246625, 0, -1.6242329377655615, 0, 0.3970462487040798, 0], 1e-12);
    // LogisticRegression(penalty='l1', C=1/(λn), solver='saga', tol=1e-15) with λ = 0.05
    const l = sparseLogreg(X, refLabels, 0.05, { tol: 1e-14 });
    close(l.beta, [1.2956106354149202, -0.5003418454173343, 0, 0.11015243378659231, 0.2632684835667416, 0.8492753616314127], 1e-9);
    assert.ok(Math.abs(l.intercept - 0.7078856183122301) < 1e-9);
  }
  const viaSolve = solve(refX, refY, { type: 'lasso', lambda: 0.3 }, { tol: 1e-15 });
  assert.ok(Math.abs(viaSolve.beta[0]! - 1.2158682442095816) < 1e-12);
});

// ---------------------------------------------------------------------------------------------
// gap semantics, failures, degenerate data, errors
// ---------------------------------------------------------------------------------------------

test('gap semantics: tolerance = tol·‖y_c‖²/n, non-negative gap; maxIter exhaustion and onFailure', () => {
  const { X, y } = problem(7, 30, 50);
  const lam = lambdaMax(X, y) / 50;
  const res = lasso(X, y, lam, { tol: 1e-6 });
  const ym = y.reduce((s, v) => s + v, 0) / y.length;
  const yy = y.reduce((s, v) => s + (v - ym) ** 2, 0);
  assert.ok(Math.abs(res.tolerance - (1e-6 * yy) / y.length) <= 1e-15 * res.tolerance);
  assert.ok(res.gap >= 0 && res.gap <= res.tolerance && Math.abs(res.primal - res.dual - res.gap) < 1e-9);
  const short = lasso(X, y, lam, { tol: 1e-14, maxIter: 2, onFailure: 'return' });
  assert.equal(short.converged, false);
  // the default policy is 'throw' (core/failure.ts), for every solver
  assert.throws(() => lasso(X, y, lam, { tol: 1e-14, maxIter: 2 }), ConvergenceError);
  assert.throws(() => lassoPath(X, y, { tol: 1e-14, maxIter: 2, nLambdas: 3 }), ConvergenceError);
  assert.ok(short.iterations <= 2 && short.gap > short.tolerance);
  assert.throws(() => lasso(X, y, lam, { tol: 1e-14, maxIter: 2, onFailure: 'throw' }), (e: unknown) => e instanceof ConvergenceError && /did not converge/.test(e.message) && e.report.converged === false);
  assert.throws(() => sparseLogreg(X, problem(7, 30, 50).labels, 0.001, { tol: 1e-14, maxIter: 1, onFailure: 'throw' }), ConvergenceError);
  assert.throws(() => proxGrad(X, y, { type: 'lasso', lambda: lam }, { tol: 1e-14, maxIter: 3, onFailure: 'throw' }), ConvergenceError);
  let warned = false;
  const onWarn = (w: Error): void => {
    if (w.name === 'ConvergenceWarning') warned = true;
  };
  process.on('warning', onWarn);
  const wres = lasso(X, y, lam, { tol: 1e-14, maxIter: 2, onFailure: 'warn' });
  assert.equal(wres.converged, false);
  return new Promise<void>((resolve) => setImmediate(() => {
    process.off('warning', onWarn);
    assert.ok(warned, 'a ConvergenceWarning was emitted');
    resolve();
  }));
});

test('degenerate data: zero / constant y, constant and zero columns, huge column offsets', () => {
  const { X } = problem(3, 20, 8, { constantCol: true });
  for (const y of [new Float64Array(20), new Float64Array(20).fill(4.2)]) {
    const r = lasso(X, y, 0.1);
    assert.ok(r.converged && r.support.length === 0);
    assert.ok(r.beta.every((v) => v === 0) && Number.isFinite(r.gap) && Number.isFinite(r.intercept));
    assert.equal(r.lambdaMax, 0);
    if (y[0] === 4.2) assert.ok(Math.abs(r.intercept - 4.2) < 1e-12);
  }
  // constant column (index 1) is never selected with an intercept; an all-zero column neither
  const { X: Xc, y: yc } = problem(3, 20, 8, { constantCol: true });
  const data = new Float64Array(Xc.data);
  for (let i = 0; i < 20; i++) data[2 * 20 + i] = 0;
  const Xz: DenseDesign = { kind: 'dense', nRows: 20, nCols: 8, data };
  for (const D of [Xz, toCsc(Xz)] as DesignMatrix[]) {
    const r = lasso(D, yc, lambdaMax(D, yc) / 100, { tol: 1e-12 });
    assert.equal(r.beta[1], 0);
    assert.equal(r.beta[2], 0);
    assert.ok(r.beta.every(Number.isFinite));
    const rn = lasso(D, yc, lambdaMax(D, yc, { fitIntercept: false }) / 100, { tol: 1e-12, fitIntercept: false });
    assert.equal(rn.beta[2], 0);
    assert.ok(rn.beta.every(Number.isFinite));
  }
  // centring precision: adding 1e6 to every column changes nothing with an intercept
  const { X: Xb, y: yb } = problem(8, 25, 10);
  const shifted = new Float64Array(Xb.data).map((v) => v + 1e6);
  const Xs: DenseDesign = { kind: 'dense', nRows: 25, nCols: 10, data: shifted };
  const lam = lambdaMax(Xb, yb) / 10;
  const a = lasso(Xb, yb, lam, { tol: 1e-12 });
  for (const D of [Xs, toCsc(Xs)] as DesignMatrix[]) {
    const b = lasso(D, yb, lam, { tol: 1e-12 });
    assert.ok(maxAbsDiff(a.beta, b.beta) <= 1e-6, `offset 1e6: |Δβ| = ${maxAbsDiff(a.beta, b.beta)}`);
  }
});

test('bad inputs throw typed errors that name the problem', () => {
  const { X, y, labels } = problem(1, 10, 4);
  const expectMsg = (f: () => unknown, cls: new (...a: never[]) => Error, re: RegExp): void => {
    assert.throws(f, (e: unknown) => e instanceof cls && re.test((e as Error).message), `${cls.name} ${re}`);
  };
  for (const bad of [0, -1, NaN, Infinity]) {
    expectMsg(() => lasso(X, y, bad), InvalidArgumentError, new RegExp(`lambda.*${String(bad)}`));
    expectMsg(() => sparseLogreg(X, labels, bad), InvalidArgumentError, /lambda/);
    expectMsg(() => proxGrad(X, y, { type: 'lasso', lambda: bad }), InvalidArgumentError, /lambda/);
  }
  expectMsg(() => elasticNet(X, y, 0.1, -1), InvalidArgumentError, /lambda2.*-1/);
  const nanX: DenseDesign = { ...X, data: new Float64Array(X.data) };
  nanX.data[5] = NaN;
  expectMsg(() => lasso(nanX, y, 0.1), NonFiniteError, /row 5, column 0/);
  expectMsg(() => lasso(prepareDesign.bind(null, nanX, { wasm: false })() as never, y, 0.1), NonFiniteError, /non-finite/);
  const nanS = toCsc(X);
  nanS.values[2] = Infinity;
  expectMsg(() => lasso(nanS, y, 0.1), NonFiniteError, /non-finite/);
  const yn = new Float64Array(y);
  yn[3] = NaN;
  expectMsg(() => lasso(X, yn, 0.1), NonFiniteError, /lasso\(\): y contains a non-finite value \(NaN\) at row 3/);
  expectMsg(() => lasso(X, y.subarray(0, 9), 0.1), ShapeError, /9 entries.*10 rows/);
  expectMsg(() => lasso({ kind: 'dense', nRows: 10, nCols: 4, data: new Float64Array(39) }, y, 0.1), ShapeError, /39 values/);
  expectMsg(() => lasso({ kind: 'dense', nRows: 0, nCols: 4, data: new Float64Array(0) }, [], 0.1), InvalidArgumentError, /empty/);
  expectMsg(() => lasso(X, [], 0.1), InvalidArgumentError, /empty/);
  expectMsg(() => sparseLogreg(X, labels.map((v, i) => (i === 2 ? 2 : v)), 0.1), InvalidArgumentError, /sparseLogreg\(\): y must hold labels 0\/1 or −1\/\+1, got 2 at row 2/);
  expectMsg(() => sparseLogreg(X, new Float64Array(10).fill(1), 0.1), InvalidArgumentError, /single class/);
  assert.equal(sparseLogreg(X, new Float64Array(10).fill(1), 0.1, { fitIntercept: false }).converged, true);
  expectMsg(() => weightedLasso(X, y, 0.1, [1, -1, 1, 1]), InvalidArgumentError, /weights\[1\] = -1/);
  expectMsg(() => weightedLasso(X, y, 0.1, [0, 0, 0, 0]), InvalidArgumentError, /every weight is 0/);
  expectMsg(() => weightedLasso(X, y, 0.1, [1, 1]), ShapeError, /2 entries/);
  expectMsg(() => lasso(X, y, 0.1, { warmStart: { beta: [1, 2] } }), ShapeError, /warmStart\.beta/);
  expectMsg(() => lasso(X, y, 0.1, { tol: -1 }), InvalidArgumentError, /tol/);
  expectMsg(() => lasso(X, y, 0.1, { acceleration: 'fast' as never }), InvalidArgumentError, /acceleration/);
  expectMsg(() => solve(X, y, { type: 'svm' } as never), InvalidArgumentError, /unknown model/);
  const bad = toCsc(X);
  bad.indices[0] = 99;
  expectMsg(() => lasso(bad, y, 0.1), InvalidArgumentError, /outside \[0, 10\)/);
  const P = prepareDesign(X);
  disposeDesign(P);
  expectMsg(() => lasso(P, y, 0.1), InvalidArgumentError, /disposed/);
});

test('prepared designs are reusable; power iteration and Lipschitz constants', () => {
  const { X, y } = problem(2, 30, 15);
  const P = prepareDesign(X);
  const lam = lambdaMax(P, y) / 5;
  const a = lasso(P, y, lam, { tol: 1e-12 });
  const b = lasso(X, y, lam, { tol: 1e-12 });
  const c = lasso(P, y, lam / 2, { tol: 1e-12 });
  assert.ok(maxAbsDiff(a.beta, b.beta) <= 1e-12 && c.support.length >= a.support.length);
  // ‖X_c‖₂² by power iteration vs the trace bound and a dense Rayleigh check
  const L = spectralNormSq(P);
  let tr = 0;
  for (let j = 0; j < 15; j++) tr += P.colNormsSq[j]!;
  assert.ok(L <= tr * (1 + 1e-12) && L >= Math.max(...Array.from(P.colNormsSq)) * (1 - 1e-12));
  assert.ok(Math.abs(lipschitzConstant(X, { type: 'lasso', lambda: 1 }) - (L * (1 + 1e-6)) / 30) < 1e-9 * L);
  assert.ok(lipschitzConstant(X, { type: 'enet', lambda1: 1, lambda2: 0.5 }) > 0.5);
  const diag: DenseDesign = denseFromRows([[3, 0], [0, 1]]);
  assert.ok(Math.abs(spectralNormSq(prepareDesign(diag, { center: false })) - 9) < 1e-8);
  const res: SolverResult = lasso(P, y, lam, { tol: 1e-12, warmStart: { beta: a.beta, residual: a.residual } });
  assert.ok(res.iterations <= 1);
  disposeDesign(P);
});
