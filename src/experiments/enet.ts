/**
 * @file The bilevel elastic-net problem of Grazzi, Pontil & Salzo (ICML 2024) for the rate
 * experiments (`itd-aid-rates`, `nsid-rates`), small and self-contained (browser-safe; the test
 * fixture `test/fixtures/hypergrad_problems.ts` is the larger reference version used by the tests).
 *
 * Data: w* with `informative` non-zero entries |N(0, 1)|, rows of X ~ N(0, I), y = Xw* + σ·N(0, 1),
 * a training set (n rows) and a validation set (nVal rows).
 * Lower level: min_w ½‖Xw − y‖²/n + λ₁‖w‖₁ + ½λ₂‖w‖², solved by ISTA:
 *   Φ(w, λ) = S(w − γ(∇ℓ(w) + λ₂w), γλ₁),   γ = 2/(L + μ + 2λ₂)   (L, μ extreme eigenvalues of Q = XᵀX/n),
 * a q-contraction with q = max(|1 − γ(L + λ₂)|, |1 − γ(μ + λ₂)|) = (L − μ)/(L + μ + 2λ₂).
 * On the support S of w(λ) the map is affine with A_S = I − γ(Q_SS + λ₂I): after support
 * identification the linear rate is ρ_S = max|1 − γ(eig(Q_SS) + λ₂)| ≤ q.
 * Upper level: E(w) = ½‖X_val w − y_val‖²/n_val. Closed form (no coordinate on a kink):
 *   w_S = M⁻¹(c_S − λ₁ sign(w_S)),  M = Q_SS + λ₂I,  ∇f(λ) = (−⟨M⁻¹∇_SE, sign(w_S)⟩, −⟨M⁻¹∇_SE, w_S⟩).
 * Stochastic version: T̂(w, λ, B) = w − γ(X_Bᵀ(X_B w − y_B)/|B| + λ₂w), G(u, λ) = S(u, γλ₁), Φ = G∘T.
 * γ is held fixed at its value for the given λ₂ (a constant step), so ∂_λ of Φ only sees λ₁ in the
 * threshold and λ₂ in the ridge term.
 */
import { InvalidArgumentError } from '../core/errors.js';
import { rng, type Rng } from '../core/rng.js';
import { fromData, type Tensor } from '../core/tensor.js';
import { add, div, index, matmul, mul, softThreshold, sub, sum, take } from '../ops/index.js';
import { eighDecompose } from '../linalg/dense/eigh.js';
import { choleskyFactor, choleskySolve } from '../linalg/dense/cholesky.js';

/** Options of {@link enetProblem}. */
export interface EnetProblemOptions {
  n: number;
  nVal: number;
  p: number;
  informative: number;
  noise: number;
  /** (λ₁, λ₂). */
  lam: readonly [number, number];
  seed: number;
}

/** The problem at a fixed λ (the step γ and the contraction factors are those of λ₂). */
export interface EnetProblem {
  p: number;
  n: number;
  lam: readonly [number, number];
  /** Global contraction factor q and the rate on the support ρ_S. */
  q: number;
  rhoS: number;
  gamma: number;
  phi(w: Tensor, lam: Tensor): Tensor;
  outer(w: Tensor, lam: Tensor): Tensor;
  That(w: Tensor, lam: Tensor, batch: Int32Array): Tensor;
  Tbar(w: Tensor, lam: Tensor, batches: readonly Int32Array[]): Tensor;
  G(u: Tensor, lam: Tensor): Tensor;
  /** Exact solution w(λ) (ISTA then a support solve), its support, and the closed-form hypergradient. */
  wStar: Float64Array;
  support: Int32Array;
  reference: Float64Array;
  /** First ISTA iteration (from 0) after which the support stays that of w(λ). */
  supportIteration: number;
  /** Draws a minibatch of distinct training rows. */
  sampler(batch: number): (g: Rng) => Int32Array;
}

/**
 * Builds the elastic-net bilevel problem (see the file header).
 * @example
 * const P = enetProblem({ n: 100, nVal: 200, p: 30, informative: 8, noise: 0.1, lam: [0.02, 0.01], seed: 0 });
 * P.q; // < 1
 */
export function enetProblem(o: EnetProblemOptions): EnetProblem {
  const { n, nVal, p, informative, noise, seed } = o;
  const [l1, l2] = o.lam;
  if (!(l1 > 0 && l2 > 0)) throw new InvalidArgumentError(`enetProblem(): lam must be two positive numbers, got ${o.lam.join(', ')}`);
  const g = rng(seed);
  const wTrue = Float64Array.from({ length: p }, (_, j) => (j < informative ? Math.abs(g.normalScalar()) : 0));
  const draw = (rows: number): [Float64Array, Float64Array] => {
    const X = g.fillNormal(new Float64Array(rows * p));
    const y = Float64Array.from({ length: rows }, (_, i) => {
      let s = 0;
      for (let j = 0; j < p; j++) s += X[i * p + j]! * wTrue[j]!;
      return s + noise * g.normalScalar();
    });
    return [X, y];
  };
  const [X, y] = draw(n);
  const [Xv, yv] = draw(nVal);
  // Q = XᵀX/n, c = Xᵀy/n
  const Q = new Float64Array(p * p), c = new Float64Array(p);
  for (let i = 0; i < n; i++) for (let a = 0; a < p; a++) {
    const xa = X[i * p + a]!;
    c[a] += (xa * y[i]!) / n;
    for (let b = 0; b < p; b++) Q[a * p + b] += (xa * X[i * p + b]!) / n;
  }
  const ev = eighDecompose(Q, p, { vectors: false, symmetryTol: Infinity }).values;
  const L = ev[p - 1]!, mu = Math.max(0, ev[0]!);
  const gamma = 2 / (L + mu + 2 * l2);
  const q = Math.max(Math.abs(1 - gamma * (L + l2)), Math.abs(1 - gamma * (mu + l2)));
  // numeric ISTA from 0, recording the support of every iterate
  let w: Float64Array = new Float64Array(p);
  const supports: string[] = [];
  const ista = (u: Float64Array): Float64Array => {
    const out = new Float64Array(p);
    for (let a = 0; a < p; a++) {
      let s = 0;
      for (let b = 0; b < p; b++) s += Q[a * p + b]! * u[b]!;
      const z = u[a]! - gamma * (s - c[a]! + l2 * u[a]!);
      const thr = gamma * l1;
      out[a] = z > thr ? z - thr : z < -thr ? z + thr : 0;
    }
    return out;
  };
  const maxIter = 20000;
  for (let k = 0; k < maxIter; k++) {
    const next = ista(w);
    supports.push(Array.from(next, (v) => (v > 0 ? '+' : v < 0 ? '-' : '0')).join(''));
    let d = 0;
    for (let a = 0; a < p; a++) d = Math.max(d, Math.abs(next[a]! - w[a]!));
    w = next;
    if (d < 1e-15) break;
  }
  // polish: exact solve on the support
  const S = Int32Array.from(Array.from(w.keys()).filter((j) => w[j] !== 0));
  const k = S.length;
  const Mq = new Float64Array(k * k);
  for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) Mq[a * k + b] = Q[S[a]! * p + S[b]!]! + (a === b ? l2 : 0);
  const Lf = choleskyFactor(Mq, k);
  const sgn = Float64Array.from(S, (j) => Math.sign(w[j]!));
  const wS = choleskySolve(Lf, k, Float64Array.from(S, (j, a) => c[j]! - l1 * sgn[a]!), 1);
  const wStar = new Float64Array(p);
  S.forEach((j, a) => (wStar[j] = wS[a]!));
  // ∇E(w*) on S, then the closed form
  const r = Float64Array.from({ length: nVal }, (_, i) => {
    let s = -yv[i]!;
    for (let j = 0; j < p; j++) s += Xv[i * p + j]! * wStar[j]!;
    return s / nVal;
  });
  const gS = Float64Array.from(S, (j) => {
    let s = 0;
    for (let i = 0; i < nVal; i++) s += Xv[i * p + j]! * r[i]!;
    return s;
  });
  const u = choleskySolve(Lf, k, gS, 1);
  let g1 = 0, g2 = 0;
  for (let a = 0; a < k; a++) {
    g1 -= u[a]! * sgn[a]!;
    g2 -= u[a]! * wS[a]!;
  }
  // rate on the support: spectral radius of I − γ(Q_SS + λ₂I)
  const eS = eighDecompose(Mq, k, { vectors: false, symmetryTol: Infinity }).values;
  const rhoS = k === 0 ? 0 : Math.max(Math.abs(1 - gamma * eS[0]!), Math.abs(1 - gamma * eS[k - 1]!));
  const finalPattern = supports[supports.length - 1]!;
  let supportIteration = supports.length;
  while (supportIteration > 0 && supports[supportIteration - 1] === finalPattern) supportIteration--;
  supportIteration += 1;

  const Qt = fromData(Q, [p, p]), ct = fromData(c, [p]);
  const Xt = fromData(X, [n, p]), yt = fromData(y, [n]);
  const Xvt = fromData(Xv, [nVal, p]), yvt = fromData(yv, [nVal]);
  const step = (w: Tensor, lam: Tensor, gl: Tensor): Tensor => sub(w, mul(gamma, add(gl, mul(index(lam, 1), w))));
  const G = (u: Tensor, lam: Tensor): Tensor => softThreshold(u, mul(gamma, index(lam, 0)));
  const phi = (w: Tensor, lam: Tensor): Tensor => G(step(w, lam, sub(matmul(Qt, w), ct)), lam);
  const outer = (w: Tensor): Tensor => {
    const res = sub(matmul(Xvt, w), yvt);
    return mul(0.5 / nVal, sum(mul(res, res)));
  };
  const That = (w: Tensor, lam: Tensor, batch: Int32Array): Tensor => {
    const Xb = take(Xt, batch), yb = take(yt, batch);
    return step(w, lam, div(matmul(sub(matmul(Xb, w), yb), Xb), batch.length));
  };
  const Tbar = (w: Tensor, lam: Tensor, batches: readonly Int32Array[]): Tensor => {
    // the mean of T̂ over the batches is one weighted pass: Σ_i cntᵢ xᵢ(xᵢᵀw − yᵢ) / Σ|B|
    const cnt = new Float64Array(n);
    let total = 0;
    for (const b of batches) {
      for (const i of b) cnt[i]! += 1;
      total += b.length;
    }
    for (let i = 0; i < n; i++) cnt[i] /= total;
    return step(w, lam, matmul(mul(fromData(cnt, [n]), sub(matmul(Xt, w), yt)), Xt));
  };
  const sampler = (batch: number) => {
    const pool = Int32Array.from({ length: n }, (_, i) => i);
    return (gg: Rng): Int32Array => {
      const out = new Int32Array(batch);
      for (let i = 0; i < batch; i++) {
        const j = i + gg.int(n - i);
        [pool[i], pool[j]] = [pool[j]!, pool[i]!];
        out[i] = pool[i]!;
      }
      return out;
    };
  };
  return { p, n, lam: o.lam, q, rhoS, gamma, phi, outer, That, Tbar, G, wStar, support: S, reference: Float64Array.of(g1, g2), supportIteration, sampler };
}
