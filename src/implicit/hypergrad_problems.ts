/**
 * @file Reference bilevel problems for the hypergradient methods, with closed-form hypergradients:
 * the experiments of Grazzi, Pontil & Salzo (ICML 2024) — elastic-net hyperparameters through the
 * ISTA fixed point (deterministic and stochastic) — and ridge regression through a gradient step.
 * Used by the tests, the benchmark and the examples; useful to validate a new method.
 *
 * Data (`makeSparseRegressionSplit`, after `make_sparse_regression` of the paper's code): w* has
 * `nInformative` non-zero entries |N(0, 1)| (the first ones); rows of X are N(0, Σ) with Σ = I, or
 * (`correlated`) with the informative block of Σ replaced by U·diag(s/s_max)·Uᵀ from the SVD of a
 * uniform random nInformative×effectiveRank matrix; y = X·w* + noise·N(0, 1). Rows are shuffled and
 * split train / validation (paper: 20 % / 40 % / 40 % test, test unused here).
 *
 * Elastic net (lower level, on the training set, n rows):
 *   min_w ½‖Xw − y‖²/n + λ₁‖w‖₁ + ½λ₂‖w‖²,
 * ISTA map Φ(w, λ) = S(w − γ(λ₂)(∇ℓ(w) + λ₂w), γ(λ₂)λ₁), ∇ℓ(w) = Xᵀ(Xw − y)/n, S the soft threshold,
 * γ(λ₂) = 2/(L + μ + 2λ₂) (L, μ the extreme eigenvalues of XᵀX/n), contraction factor
 * q = max(|1 − γ(L + λ₂)|, |1 − γ(μ + λ₂)|) < 1 when λ₂ > 0.
 * Upper level: E(w) = ½‖X_val w − y_val‖²/n_val.
 * Closed form on the support S of w(λ) (assuming no coordinate sits on a kink):
 *   w_S = M⁻¹(c_S − λ₁ s_S), M = Q_SS + λ₂I, Q = XᵀX/n, c = Xᵀy/n, s = sign(w_S),
 *   ∇f(λ) = (−⟨M⁻¹∇_SE, s_S⟩, −⟨M⁻¹∇_SE, w_S⟩).
 * Stochastic version: T̂(w, λ, B) = w − γ(λ₂)(X_Bᵀ(X_B w − y_B)/|B| + λ₂w) (unbiased for
 * T(w, λ) = w − γ(∇ℓ(w) + λ₂w)), G(u, λ) = S(u, γ(λ₂)λ₁), so Φ = G∘T.
 *
 * Ridge with per-feature penalties λ ∈ ℝᵖ (smooth, ∂_wΦ symmetric):
 *   Φ(w, λ) = w − γ(Qw − c + λ⊙w),   w(λ) = (Q + diag λ)⁻¹c,   ∇f(λ) = −(M⁻¹∇_wE) ⊙ w.
 */
import { InvalidArgumentError, ShapeError } from '../core/errors.js';
import { rng, type Rng } from '../core/rng.js';
import { ConcreteTensor, type Tensor } from '../core/tensor.js';
import { add, div, mul, sub } from '../ops/arithmetic.js';
import { matmul } from '../ops/matmul.js';
import { softThreshold } from '../ops/piecewise.js';
import { index, take } from '../ops/indexing.js';
import { sum } from '../ops/reduce.js';
import { choleskyFactor, choleskySolve } from '../linalg/dense/cholesky.js';
import { eighDecompose } from '../linalg/dense/eigh.js';

/** A train / validation regression split, row-major. */
export interface RegressionSplit {
  /** Training design, row-major nTrain×p. */
  X: Float64Array;
  y: Float64Array;
  /** Validation design, row-major nVal×p. */
  Xval: Float64Array;
  yval: Float64Array;
  nTrain: number;
  nVal: number;
  p: number;
  /** The generating coefficients. */
  wTrue: Float64Array;
}

/** Options of {@link makeSparseRegressionSplit}. */
export interface SparseRegressionSplitOptions {
  /** Total rows before the split. Default 500. */
  nSamples?: number;
  /** Default 100. */
  nFeatures?: number;
  /** Non-zero coefficients of w* (the first ones). Default 30. */
  nInformative?: number;
  /** Noise standard deviation. Default 0.1. */
  noise?: number;
  /** Correlated informative block (see the file header). Default false. */
  correlated?: boolean;
  /** Rank of the random factor of the correlated block. Default 30. */
  effectiveRank?: number;
  /** Fraction of rows for training. Default 0.2 (the paper's 20/40/40 split). */
  trainFraction?: number;
  /** Fraction of rows for validation. Default 0.4. */
  valFraction?: number;
  seed?: number;
}

/**
 * Synthetic sparse regression split as in the experiments of Grazzi et al. (2024).
 *
 * @example
 * const data = makeSparseRegressionSplit({ nSamples: 500, nFeatures: 100, nInformative: 30, seed: 3 });
 * data.nTrain; // 100
 */
export function makeSparseRegressionSplit(opts: SparseRegressionSplitOptions = {}): RegressionSplit {
  const fn = 'makeSparseRegressionSplit';
  const {
    nSamples = 500,
    nFeatures: p = 100,
    nInformative = 30,
    noise = 0.1,
    correlated = false,
    effectiveRank = 30,
    trainFraction = 0.2,
    valFraction = 0.4,
    seed = 0,
  } = opts;
  if (!Number.isInteger(nSamples) || nSamples < 2) throw new InvalidArgumentError(`${fn}: nSamples must be an integer ≥ 2, got ${nSamples}`);
  if (!Number.isInteger(p) || p < 1) throw new InvalidArgumentError(`${fn}: nFeatures must be a positive integer, got ${p}`);
  if (!Number.isInteger(nInformative) || nInformative < 0 || nInformative > p) {
    throw new InvalidArgumentError(`${fn}: nInformative must be an integer in [0, nFeatures], got ${nInformative}`);
  }
  if (!(trainFraction > 0 && valFraction > 0 && trainFraction + valFraction <= 1)) {
    throw new InvalidArgumentError(`${fn}: trainFraction and valFraction must be > 0 with sum ≤ 1, got ${trainFraction}, ${valFraction}`);
  }
  const g = rng(seed);
  const k = nInformative;
  const wTrue = new Float64Array(p);
  for (let j = 0; j < k; j++) wTrue[j] = Math.abs(g.normalScalar());
  // square root of the informative covariance block (identity unless correlated)
  let C: Float64Array | null = null;
  if (correlated && k > 0) {
    const r = effectiveRank;
    const A = new Float64Array(k * r);
    for (let i = 0; i < A.length; i++) A[i] = g.random();
    // AAᵀ = U diag(s²) Uᵀ  →  Σ = U diag(s/s_max) Uᵀ,  Σ^{1/2} = U diag(√(s/s_max)) Uᵀ
    const AAt = new Float64Array(k * k);
    for (let i = 0; i < k; i++) for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let t = 0; t < r; t++) s += A[i * r + t]! * A[j * r + t]!;
      AAt[i * k + j] = s;
      AAt[j * k + i] = s;
    }
    const { values, vectors } = eighDecompose(AAt, k);
    const sv = Array.from(values, (e) => Math.sqrt(Math.max(0, e)));
    const smax = Math.max(...sv);
    C = new Float64Array(k * k);
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += vectors![i * k + t]! * Math.sqrt(sv[t]! / smax) * vectors![j * k + t]!;
      C[i * k + j] = s;
    }
  }
  const X = new Float64Array(nSamples * p);
  const z = new Float64Array(k);
  for (let i = 0; i < nSamples; i++) {
    const row = i * p;
    for (let j = 0; j < p; j++) X[row + j] = g.normalScalar();
    if (C) {
      for (let j = 0; j < k; j++) z[j] = X[row + j]!;
      for (let j = 0; j < k; j++) {
        let s = 0;
        for (let t = 0; t < k; t++) s += C[j * k + t]! * z[t]!;
        X[row + j] = s;
      }
    }
  }
  const y = new Float64Array(nSamples);
  for (let i = 0; i < nSamples; i++) {
    let s = 0;
    for (let j = 0; j < k; j++) s += X[i * p + j]! * wTrue[j]!;
    y[i] = s + noise * g.normalScalar();
  }
  const perm = g.permutation(nSamples);
  const nTrain = Math.max(1, Math.round(trainFraction * nSamples));
  const nVal = Math.max(1, Math.min(nSamples - nTrain, Math.round(valFraction * nSamples)));
  const pick = (from: number, count: number): [Float64Array, Float64Array] => {
    const Xs = new Float64Array(count * p);
    const ys = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      const src = perm[from + i]!;
      Xs.set(X.subarray(src * p, (src + 1) * p), i * p);
      ys[i] = y[src]!;
    }
    return [Xs, ys];
  };
  const [Xt, yt] = pick(0, nTrain);
  const [Xv, yv] = pick(nTrain, nVal);
  return { X: Xt, y: yt, Xval: Xv, yval: yv, nTrain, nVal, p, wTrue };
}

// ---------------------------------------------------------------------------------------------
// numeric helpers (row-major, no autodiff)

/** Q = XᵀX/n (p×p) and c = Xᵀy/n. */
function gram(X: Float64Array, y: Float64Array, n: number, p: number): { Q: Float64Array; c: Float64Array } {
  const Q = new Float64Array(p * p);
  const c = new Float64Array(p);
  for (let i = 0; i < n; i++) {
    const row = i * p;
    const yi = y[i]!;
    for (let a = 0; a < p; a++) {
      const xa = X[row + a]!;
      if (xa === 0) continue;
      c[a] += xa * yi;
      const qa = a * p;
      for (let b = a; b < p; b++) Q[qa + b] += xa * X[row + b]!;
    }
  }
  for (let a = 0; a < p; a++) {
    c[a] /= n;
    for (let b = a; b < p; b++) {
      const v = Q[a * p + b]! / n;
      Q[a * p + b] = v;
      Q[b * p + a] = v;
    }
  }
  return { Q, c };
}

function matVec(A: Float64Array, x: Float64Array, rows: number, cols: number, out: Float64Array = new Float64Array(rows)): Float64Array {
  for (let i = 0; i < rows; i++) {
    let s = 0;
    const o = i * cols;
    for (let j = 0; j < cols; j++) s += A[o + j]! * x[j]!;
    out[i] = s;
  }
  return out;
}

/** ∇E(w) = X_valᵀ(X_val w − y_val)/n_val. */
function validationGradient(d: RegressionSplit, w: Float64Array): Float64Array {
  const r = matVec(d.Xval, w, d.nVal, d.p);
  for (let i = 0; i < d.nVal; i++) r[i] = (r[i]! - d.yval[i]!) / d.nVal;
  const g = new Float64Array(d.p);
  for (let i = 0; i < d.nVal; i++) {
    const ri = r[i]!;
    const o = i * d.p;
    for (let j = 0; j < d.p; j++) g[j] += d.Xval[o + j]! * ri;
  }
  return g;
}

function validationLoss(d: RegressionSplit, w: Float64Array): number {
  const r = matVec(d.Xval, w, d.nVal, d.p);
  let s = 0;
  for (let i = 0; i < d.nVal; i++) s += (r[i]! - d.yval[i]!) ** 2;
  return (0.5 * s) / d.nVal;
}

/** Solves the SPD system M·x = b with M = Q[S, S] + ridge·I (+ extra diagonal). */
function solveOnSupport(Q: Float64Array, p: number, S: Int32Array, diagAdd: (j: number) => number, b: Float64Array): Float64Array {
  const k = S.length;
  if (k === 0) return new Float64Array(0);
  const M = new Float64Array(k * k);
  for (let a = 0; a < k; a++) for (let c = 0; c < k; c++) M[a * k + c] = Q[S[a]! * p + S[c]!]!;
  for (let a = 0; a < k; a++) M[a * k + a] += diagAdd(S[a]!);
  return choleskySolve(choleskyFactor(M, k, { symmetryTol: Infinity }), k, b, 1);
}

function lamPair(lam: Tensor | Float64Array | readonly number[], fn: string): [number, number] {
  const d = lam instanceof Float64Array ? lam : Array.isArray(lam) ? Float64Array.from(lam as number[]) : (lam as Tensor).data;
  if (d.length !== 2) throw new ShapeError(`${fn}: λ must have 2 entries (λ₁, λ₂), got ${d.length}`);
  const [l1, l2] = [d[0]!, d[1]!];
  if (!(l1 >= 0) || !(l2 >= 0)) throw new InvalidArgumentError(`${fn}: λ₁, λ₂ must be ≥ 0, got ${l1}, ${l2}`);
  return [l1, l2];
}

/** Extreme eigenvalues (L, μ) of a symmetric p×p matrix. */
function extremeEigenvalues(Q: Float64Array, p: number): { L: number; mu: number } {
  const { values } = eighDecompose(Q, p, { vectors: false, symmetryTol: Infinity });
  return { L: values[p - 1]!, mu: Math.max(0, values[0]!) };
}

/** Draws minibatches of `batchSize` distinct row indices, uniformly (a `sample` for `stochasticHypergradient`). */
export function minibatchSampler(nRows: number, batchSize: number): (g: Rng) => Int32Array {
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > nRows) {
    throw new InvalidArgumentError(`minibatchSampler: batchSize must be an integer in [1, ${nRows}], got ${batchSize}`);
  }
  const pool = new Int32Array(nRows);
  for (let i = 0; i < nRows; i++) pool[i] = i;
  return (g) => {
    // partial Fisher–Yates on a persistent pool: a uniform subset of size batchSize
    const out = new Int32Array(batchSize);
    for (let i = 0; i < batchSize; i++) {
      const j = i + g.int(nRows - i);
      const t = pool[i]!;
      pool[i] = pool[j]!;
      pool[j] = t;
      out[i] = pool[i]!;
    }
    return out;
  };
}

// ---------------------------------------------------------------------------------------------
// elastic net

/** Result of a numeric inner solve. */
export interface InnerSolution {
  w: Float64Array;
  iterations: number;
  /** ‖Φ(w) − w‖ at the returned w. */
  fixedPointResidual: number;
  /** Whether the support solve ("polishing") produced the returned w. */
  polished: boolean;
}

/** The elastic-net bilevel problem (see the file header). λ is a tensor [λ₁, λ₂]. */
export interface ElasticNetIstaProblem {
  data: RegressionSplit;
  /** Extreme eigenvalues of XᵀX/n. */
  L: number;
  mu: number;
  /** γ(λ₂). */
  stepSize(l2: number): number;
  /** q(λ₂) = max(|1 − γ(L + λ₂)|, |1 − γ(μ + λ₂)|). */
  contraction(l2: number): number;
  /** The ISTA map Φ(w, λ) (differentiable in w and λ). */
  phi(w: Tensor, lam: Tensor): Tensor;
  /** E(w) = ½‖X_val w − y_val‖²/n_val. */
  outer(w: Tensor, lam: Tensor): Tensor;
  /** T̂(w, λ, B): gradient step on the minibatch B (row indices). */
  That(w: Tensor, lam: Tensor, batch: Int32Array): Tensor;
  /** T̄(w, λ): mean of T̂ over the given minibatches (one pass over the data). */
  Tbar(w: Tensor, lam: Tensor, batches: readonly Int32Array[]): Tensor;
  /** G(u, λ) = S(u, γ(λ₂)λ₁). */
  G(u: Tensor, lam: Tensor): Tensor;
  /** Numeric ISTA solve, polished on the support (machine-precision fixed point). */
  solve(lam: Tensor | Float64Array | readonly number[], opts?: { tol?: number; maxIter?: number; w0?: Float64Array }): InnerSolution;
  /** Closed-form hypergradient at the solution w (on its support). */
  closedForm(lam: Tensor | Float64Array | readonly number[], w: Float64Array): { grad: Float64Array; support: Int32Array };
  /** E at a numeric w. */
  outerValue(w: Float64Array): number;
  /** First ISTA iteration (from w0 = 0) after which the support equals that of `wStar` for good (up to t), or −1. */
  supportIdentification(lam: Tensor | Float64Array | readonly number[], t: number, wStar: Float64Array): number;
}

/**
 * Builds the elastic-net ISTA bilevel problem of Grazzi et al. on a regression split.
 *
 * @example
 * const prob = elasticNetIstaProblem(makeSparseRegressionSplit({ seed: 3 }));
 * const lam = tensor([0.02, 0.002]);
 * const ref = prob.closedForm(lam, prob.solve(lam).w).grad;
 * hypergradient({ phi: prob.phi, outer: prob.outer, w0: zeros([100]), lam, method: 'AID-FP' }).grad; // ≈ ref
 */
export function elasticNetIstaProblem(data: RegressionSplit): ElasticNetIstaProblem {
  const fn = 'elasticNetIstaProblem';
  const { nTrain: n, p } = data;
  const { Q, c } = gram(data.X, data.y, n, p);
  const { L, mu } = extremeEigenvalues(Q, p);
  const Qt = new ConcreteTensor(Q, [p, p]);
  const ct = new ConcreteTensor(c, [p]);
  const Xt = new ConcreteTensor(data.X, [n, p]);
  const yt = new ConcreteTensor(data.y, [n]);
  const Xv = new ConcreteTensor(data.Xval, [data.nVal, p]);
  const yv = new ConcreteTensor(data.yval, [data.nVal]);
  const stepSize = (l2: number): number => 2 / (L + mu + 2 * l2);
  const contraction = (l2: number): number => {
    const g = stepSize(l2);
    return Math.max(Math.abs(1 - g * (L + l2)), Math.abs(1 - g * (mu + l2)));
  };
  // γ(λ₂) = 2/(L + μ + 2λ₂) as a differentiable scalar
  const gamma = (lam: Tensor): Tensor => div(2, add(L + mu, mul(2, index(lam, 1))));
  const step = (w: Tensor, lam: Tensor, grad: Tensor): Tensor => sub(w, mul(gamma(lam), add(grad, mul(index(lam, 1), w))));
  const G = (u: Tensor, lam: Tensor): Tensor => softThreshold(u, mul(gamma(lam), index(lam, 0)));
  const phi = (w: Tensor, lam: Tensor): Tensor => G(step(w, lam, sub(matmul(Qt, w), ct)), lam);
  const outer = (w: Tensor): Tensor => {
    const r = sub(matmul(Xv, w), yv);
    return mul(0.5 / data.nVal, sum(mul(r, r)));
  };
  const That = (w: Tensor, lam: Tensor, batch: Int32Array): Tensor => {
    const Xb = take(Xt, batch, 0);
    const yb = take(yt, batch, 0);
    const g = div(matmul(sub(matmul(Xb, w), yb), Xb), batch.length); // (X_B w − y_B)ᵀ X_B / |B|
    return step(w, lam, g);
  };
  const Tbar = (w: Tensor, lam: Tensor, batches: readonly Int32Array[]): Tensor => {
    // mean over J minibatches = weighted full pass: Σ_i cnt_i x_i (x_iᵀw − y_i) / Σ|B|
    const cnt = new Float64Array(n);
    let total = 0;
    for (const b of batches) {
      for (let i = 0; i < b.length; i++) cnt[b[i]!]! += 1;
      total += b.length;
    }
    if (total === 0) throw new InvalidArgumentError(`${fn}.Tbar: no minibatch given`);
    for (let i = 0; i < n; i++) cnt[i] /= total;
    const r = mul(new ConcreteTensor(cnt, [n]), sub(matmul(Xt, w), yt));
    return step(w, lam, matmul(r, Xt));
  };

  // numeric ISTA
  const istaStep = (w: Float64Array, l1: number, l2: number, out: Float64Array, tmp: Float64Array): void => {
    const g = stepSize(l2);
    matVec(Q, w, p, p, tmp);
    const thr = g * l1;
    for (let j = 0; j < p; j++) {
      const u = w[j]! - g * (tmp[j]! - c[j]! + l2 * w[j]!);
      out[j] = u > thr ? u - thr : u < -thr ? u + thr : 0;
    }
  };
  const supportOf = (w: Float64Array): Int32Array => {
    const S: number[] = [];
    for (let j = 0; j < p; j++) if (w[j] !== 0) S.push(j);
    return Int32Array.from(S);
  };
  const fixedPointResidual = (w: Float64Array, l1: number, l2: number): number => {
    const o = new Float64Array(p);
    istaStep(w, l1, l2, o, new Float64Array(p));
    let s = 0;
    for (let j = 0; j < p; j++) s += (o[j]! - w[j]!) ** 2;
    return Math.sqrt(s);
  };
  /** Exact solution on the support of w (if KKT holds), else null. */
  const polish = (w: Float64Array, l1: number, l2: number): Float64Array | null => {
    const S = supportOf(w);
    const b = new Float64Array(S.length);
    for (let a = 0; a < S.length; a++) b[a] = c[S[a]!]! - l1 * Math.sign(w[S[a]!]!);
    let wS: Float64Array;
    try {
      wS = solveOnSupport(Q, p, S, () => l2, b);
    } catch {
      return null;
    }
    const out = new Float64Array(p);
    for (let a = 0; a < S.length; a++) {
      if (Math.sign(wS[a]!) !== Math.sign(w[S[a]!]!)) return null;
      out[S[a]!] = wS[a]!;
    }
    // KKT off the support: |(Qw − c)_j| ≤ λ₁
    const Qw = matVec(Q, out, p, p);
    for (let j = 0; j < p; j++) if (out[j] === 0 && Math.abs(Qw[j]! - c[j]!) > l1 * (1 + 1e-9)) return null;
    return out;
  };
  const solve: ElasticNetIstaProblem['solve'] = (lam, opts = {}) => {
    const [l1, l2] = lamPair(lam, `${fn}.solve`);
    const tol = opts.tol ?? 1e-14;
    const maxIter = opts.maxIter ?? 1_000_000;
    let w = opts.w0 ? Float64Array.from(opts.w0) : new Float64Array(p);
    let next = new Float64Array(p);
    const tmp = new Float64Array(p);
    let it = 0;
    let best: Float64Array | null = null;
    for (; it < maxIter; it++) {
      istaStep(w, l1, l2, next, tmp);
      let d = 0, s = 0;
      for (let j = 0; j < p; j++) {
        d += (next[j]! - w[j]!) ** 2;
        s += next[j]! ** 2;
      }
      [w, next] = [next, w];
      // try the exact support solve once the iterates have (probably) settled
      if ((it + 1) % 50 === 0 || Math.sqrt(d) <= 1e-10 * Math.max(1, Math.sqrt(s))) {
        const pw = polish(w, l1, l2);
        if (pw && fixedPointResidual(pw, l1, l2) <= tol * Math.max(1, Math.sqrt(s))) {
          best = pw;
          it++;
          break;
        }
      }
      if (Math.sqrt(d) <= tol * Math.max(1, Math.sqrt(s))) {
        it++;
        break;
      }
    }
    const out = best ?? w;
    return { w: out, iterations: it, fixedPointResidual: fixedPointResidual(out, l1, l2), polished: best !== null };
  };
  const closedForm: ElasticNetIstaProblem['closedForm'] = (lam, w) => {
    const [, l2] = lamPair(lam, `${fn}.closedForm`);
    const S = supportOf(w);
    const gE = validationGradient(data, w);
    const gS = Float64Array.from(S, (j) => gE[j]!);
    const z = solveOnSupport(Q, p, S, () => l2, gS); // M⁻¹ ∇_S E
    let g1 = 0, g2 = 0;
    for (let a = 0; a < S.length; a++) {
      const j = S[a]!;
      g1 -= z[a]! * Math.sign(w[j]!);
      g2 -= z[a]! * w[j]!;
    }
    return { grad: Float64Array.of(g1, g2), support: S };
  };
  const supportIdentification: ElasticNetIstaProblem['supportIdentification'] = (lam, t, wStar) => {
    const [l1, l2] = lamPair(lam, `${fn}.supportIdentification`);
    let w = new Float64Array(p);
    let next = new Float64Array(p);
    const tmp = new Float64Array(p);
    let since = -1;
    const same = (a: Float64Array): boolean => {
      for (let j = 0; j < p; j++) if ((a[j] !== 0) !== (wStar[j] !== 0)) return false;
      return true;
    };
    for (let k = 1; k <= t; k++) {
      istaStep(w, l1, l2, next, tmp);
      [w, next] = [next, w];
      if (same(w)) {
        if (since < 0) since = k;
      } else since = -1;
    }
    return since;
  };
  return {
    data,
    L,
    mu,
    stepSize,
    contraction,
    phi,
    outer: (w) => outer(w),
    That,
    Tbar,
    G,
    solve,
    closedForm,
    outerValue: (w) => validationLoss(data, w),
    supportIdentification,
  };
}

// ---------------------------------------------------------------------------------------------
// ridge

/** Ridge regression with per-feature penalties through a gradient step (smooth, symmetric ∂_wΦ). */
export interface RidgeGradientProblem {
  data: RegressionSplit;
  L: number;
  mu: number;
  /** The constant step γ. */
  step: number;
  /** Φ(w, λ) = w − γ(Qw − c + λ⊙w), λ ∈ ℝᵖ. */
  phi(w: Tensor, lam: Tensor): Tensor;
  /** E(w) = ½‖X_val w − y_val‖²/n_val. */
  outer(w: Tensor, lam: Tensor): Tensor;
  /** w(λ) = (Q + diag λ)⁻¹c (Cholesky). */
  solve(lam: Tensor | Float64Array): Float64Array;
  /** ∇f(λ) = −(M⁻¹∇_wE) ⊙ w(λ), M = Q + diag λ (for the outer E above, which does not depend on λ). */
  closedForm(lam: Tensor | Float64Array): Float64Array;
  outerValue(w: Float64Array): number;
}

/**
 * Ridge regression with per-feature penalties λ ∈ ℝᵖ as the fixed point of a gradient step with
 * constant step γ (default 1/(L + μ + 2·λ_max) with λ_max = 1, so Φ contracts for 0 ≤ λ ≤ 1).
 *
 * @example
 * const prob = ridgeGradientProblem(makeSparseRegressionSplit({ nSamples: 200, nFeatures: 10, nInformative: 5 }));
 * const lam = full([10], 0.1);
 * hypergradient({ phi: prob.phi, outer: prob.outer, w0: zeros([10]), lam, method: 'AID-CG' }).grad; // ≈ prob.closedForm(lam)
 */
export function ridgeGradientProblem(data: RegressionSplit, opts: { step?: number; lamMax?: number } = {}): RidgeGradientProblem {
  const { nTrain: n, p } = data;
  const { Q, c } = gram(data.X, data.y, n, p);
  const { L, mu } = extremeEigenvalues(Q, p);
  const step = opts.step ?? 2 / (L + mu + 2 * (opts.lamMax ?? 1));
  const Qt = new ConcreteTensor(Q, [p, p]);
  const ct = new ConcreteTensor(c, [p]);
  const Xv = new ConcreteTensor(data.Xval, [data.nVal, p]);
  const yv = new ConcreteTensor(data.yval, [data.nVal]);
  const phi = (w: Tensor, lam: Tensor): Tensor => sub(w, mul(step, add(sub(matmul(Qt, w), ct), mul(lam, w))));
  const outer = (w: Tensor): Tensor => {
    const r = sub(matmul(Xv, w), yv);
    return mul(0.5 / data.nVal, sum(mul(r, r)));
  };
  const all = Int32Array.from({ length: p }, (_, j) => j);
  const lamData = (lam: Tensor | Float64Array): Float64Array => {
    const d = lam instanceof Float64Array ? lam : lam.data;
    if (d.length !== p) throw new ShapeError(`ridgeGradientProblem: λ must have ${p} entries, got ${d.length}`);
    return d;
  };
  const solve = (lam: Tensor | Float64Array): Float64Array => {
    const l = lamData(lam);
    return solveOnSupport(Q, p, all, (j) => l[j]!, c);
  };
  const closedForm = (lam: Tensor | Float64Array): Float64Array => {
    const l = lamData(lam);
    const w = solve(l);
    const z = solveOnSupport(Q, p, all, (j) => l[j]!, validationGradient(data, w));
    return Float64Array.from(z, (zj, j) => -zj * w[j]!);
  };
  return { data, L, mu, step, phi, outer: (w) => outer(w), solve, closedForm, outerValue: (w) => validationLoss(data, w) };
}
