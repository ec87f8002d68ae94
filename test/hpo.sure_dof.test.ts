/**
 * @file SURE's Monte Carlo degrees of freedom against the closed form. For the Lasso with an
 * intercept, on a fixed support S with fixed signs the fit is affine in y, ŷ = P_S·y + const with
 * P_S the orthogonal projection onto span(1, X_S), so df = tr(P_S) = |S| + 1 (Zou, Hastie &
 * Tibshirani 2007). SUGAR's estimate dof = δᵀ(ŷ(y + εδ) − ŷ(y))/ε is then exactly δᵀP_Sδ whenever the
 * perturbed solve keeps the support and signs: unbiased for |S| + 1, with standard deviation
 * √(2(|S| + 1)) for one δ ~ N(0, I). That spread (not a bug) is what makes a SURE curve jagged.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeCorrelatedData } from '../src/data/synthetic.js';
import { SureCriterion } from '../src/hpo/index.js';
import type { DenseDesign } from '../src/data/dataset.js';

/** δᵀP_Sδ with P_S the projection onto span(1, X_S) (modified Gram–Schmidt). */
function quadProjection(X: DenseDesign, S: Int32Array, delta: Float64Array): { value: number; rank: number } {
  const n = X.nRows;
  const basis: Float64Array[] = [];
  const cols = [new Float64Array(n).fill(1), ...Array.from(S, (j) => X.data.slice(j * n, (j + 1) * n))];
  for (const c of cols) {
    const v = Float64Array.from(c);
    for (const q of basis) {
      let d = 0;
      for (let i = 0; i < n; i++) d += q[i]! * v[i]!;
      for (let i = 0; i < n; i++) v[i]! -= d * q[i]!;
    }
    let nn = 0;
    for (let i = 0; i < n; i++) nn += v[i]! * v[i]!;
    if (nn > 1e-20) basis.push(v.map((x) => x / Math.sqrt(nn)));
  }
  let value = 0;
  for (const q of basis) {
    let d = 0;
    for (let i = 0; i < n; i++) d += q[i]! * delta[i]!;
    value += d * d;
  }
  return { value, rank: basis.length };
}

test('SURE: the Monte Carlo dof is δᵀP_Sδ on a stable support, and its mean over δ is |S| + 1', () => {
  const data = makeCorrelatedData(60, 12, { seed: 3, snr: 4, density: 0.4 });
  const X = data.X;
  const n = X.nRows;
  let sum = 0, count = 0, expected = 0;
  for (let seed = 0; seed < 40; seed++) {
    const crit = new SureCriterion(X, data.y, 'lasso', { sigma: 0.5, seed, epsilon: 1e-6 });
    const lam = crit.lambdaMax * 0.1;
    const ev = crit.evaluate([lam], { gradient: false, tol: 1e-12 });
    const s1 = crit.problem.lastSolution!;
    const s2 = crit.perturbed.lastSolution!;
    // dof recovered from the reported value: SURE = (RSS − nσ² + 2σ²·dof)/n
    let rss = 0;
    for (let i = 0; i < n; i++) rss += (crit.problem.y[i]! - s1.fitted[i]!) ** 2;
    const sig2 = crit.sigma ** 2;
    const dof = (n * ev.value - rss + n * sig2) / (2 * sig2);
    const sameSupport = s1.support.length === s2.support.length && s1.support.every((j, k) => j === s2.support[k] && Math.sign(s1.beta[j]!) === Math.sign(s2.beta[j]!));
    assert.ok(sameSupport, `seed ${seed}: ε = 1e-6 keeps the support`);
    const { value, rank } = quadProjection(X, s1.support, crit.delta);
    assert.equal(rank, s1.support.length + 1, 'X_S has full column rank with the intercept');
    // exact identity up to the inner solver's accuracy (the fit is affine in y on the support)
    assert.ok(Math.abs(dof - value) <= 1e-4 * Math.max(1, value), `seed ${seed}: MC dof ${dof} vs δᵀP_Sδ ${value}`);
    sum += dof;
    count++;
    expected = rank;
    crit.dispose();
  }
  // mean over 40 probes: E = |S| + 1, sd of the mean √(2(|S|+1)/40); 4 sd
  const mean = sum / count;
  const sd = Math.sqrt((2 * expected) / count);
  assert.ok(Math.abs(mean - expected) <= 4 * sd, `mean MC dof ${mean} vs closed form |S| + 1 = ${expected} (sd ${sd.toFixed(2)})`);
});
