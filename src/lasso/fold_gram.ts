/**
 * @file The Gram matrices of K-fold cross-validation from block Grams: one pass over X instead of
 * K − 1 (the Gram mode's G = X_cᵀX_c of every training fold, quad_gram.ts).
 *
 * The validation sets V_1..V_K partition the rows, and fold k trains on the others, so with
 * x' = x − m⁰ (X shifted by its full-data column means m⁰, which keeps the sums below free of
 * cancellation: a fold's mean is within a few standard errors of m⁰)
 *
 *   T_k = Σ_(b≠k) X'_bᵀX'_b,   s_k = Σ_(b≠k) 1ᵀX'_b,   ν = μ_k − m⁰   (μ_k: the fold design's means),
 *   G_k = X_c,kᵀX_c,k = T_k − ν s_kᵀ − s_k νᵀ + n_k ν νᵀ
 *
 * exactly (Σ_i (e_ij − ν_j)(e_il − ν_l) with e = x − m⁰ over the training rows). Cost: the K block
 * products X'_bᵀX'_b (n·p²/2 multiply-adds in all, one full Gram) and K·(K − 1) additions of p×p
 * matrices, instead of (K − 1)·n·p²/2.
 *
 * Rounding (for the certificate, quad_gram.ts `gramCertificate`): each computed term is a sum of at
 * most n + K + 10 rounded products of the magnitudes |e_ij e_il|, |ν_l e_ij|, n|ν_j ν_l|, so with
 * b_j = ‖e_j‖ + √n_k|ν_j| (Cauchy–Schwarz on each term) and the rounding of the stored centred
 * columns X_c = fl(x − μ) (2u·‖X_c,j‖‖X_c,l‖ ≤ 2u·b_j b_l),
 *
 *   |fl(G_k)_jl − (X_c,kᵀX_c,k)_jl| ≤ γ_(n + K + 16)·b_j b_l,   b_j ≥ ‖X_c,j‖ (triangle inequality),
 *
 * which is the `GramError` installed with G (b_j from the computed T_k,jj, inflated by 1e-6 for its
 * own rounding). The certificate then holds as for a directly computed G; b_j ≈ ‖X_c,j‖ here, so it
 * is as tight.
 */
import type { DenseDesign } from '../data/matrix.js';
import type { PreparedDesign } from './design.js';
import { gramPreferred, gramUpper, installGram } from './quad_gram.js';
import { vecSum } from './columns.js';

/** A CV fold's row indices (as `kFoldIndices` makes them). */
export interface FoldRows {
  readonly train: Int32Array;
  readonly val: Int32Array;
}

/**
 * Installs G = X_cᵀX_c on the training designs of K-fold cross-validation from block Grams of X (see
 * the file header). `designs[k]` must be the prepared training rows `folds[k].train` of X (scale 1);
 * only designs that will solve in the Gram mode (`gramPreferred`: planned or already cached) and have
 * no G yet get one. Returns the number of folds installed: 0 when the folds do not partition the rows
 * (the validation sets disjoint and covering, each training set their complement) or X does not fit.
 *
 * @example
 * crit.folds.forEach((f) => planGramSolves(f.problem.design, 100));
 * installFoldGrams(X, crit.foldIndices, crit.folds.map((f) => f.problem.design)); // 5 fold Grams for one
 */
export function installFoldGrams(X: DenseDesign, folds: readonly FoldRows[], designs: readonly PreparedDesign[]): number {
  const n = X.nRows;
  const p = X.nCols;
  const K = folds.length;
  if (designs.length !== K || K < 2 || !partitions(n, folds)) return 0;
  // the folds to install: Gram mode planned, no G yet, the design made from exactly these rows
  const want: boolean[] = designs.map((d, k) =>
    gramPreferred(d) && !d.isSparse && d.scale === 1 && d.nCols === p && d.nRows === folds[k]!.train.length);
  if (!want.some((w) => w)) return 0;
  const src = X.data;
  // the shift m⁰: the full-data column means (any value keeps the formulas exact; one near every
  // fold's mean keeps them accurate), from the fold designs' means in O(K·p): every row is in K − 1
  // training sets, so Σ_k n_k μ_k = (K − 1)·Σ_i x_i (the centred designs; plain means otherwise)
  const m0 = new Float64Array(p);
  if (designs.every((d) => d.centered)) {
    for (let k = 0; k < K; k++) {
      const mu = designs[k]!.colMeans;
      const nk = designs[k]!.nRows;
      for (let j = 0; j < p; j++) m0[j] += nk * mu[j]!;
    }
    for (let j = 0; j < p; j++) m0[j] /= (K - 1) * n;
  } else {
    for (let j = 0; j < p; j++) m0[j] = vecSum(n, src.subarray(j * n, (j + 1) * n)) / n;
  }
  // the fold Grams T_k accumulate in the arrays installed on the designs
  const terms = K + 16;
  const norms = designs.map(() => new Float64Array(p));
  const G: (Float64Array | null)[] = designs.map((d, k) => {
    if (!want[k]) return null;
    const g = installGram(d, { norms: norms[k]!, terms });
    if (g !== null) g.fill(0);
    return g;
  });
  const sums = folds.map(() => new Float64Array(p)); // s_k
  let maxVal = 0;
  for (const f of folds) maxVal = Math.max(maxVal, f.val.length);
  const Xb = new Float64Array(maxVal * p);
  const S = new Float64Array(p * p);
  for (let b = 0; b < K; b++) {
    const rows = folds[b]!.val;
    const nb = rows.length;
    if (nb === 0) continue;
    // X'_b = X[V_b] − m⁰ (column-major nb×p) and its column sums
    for (let j = 0; j < p; j++) {
      const o = j * n;
      const ob = j * nb;
      const mj = m0[j]!;
      let s = 0;
      for (let t = 0; t < nb; t++) {
        const v = src[o + rows[t]!]! - mj;
        Xb[ob + t] = v;
        s += v;
      }
      for (let k = 0; k < K; k++) if (k !== b) sums[k]![j] += s;
    }
    gramUpper(Xb, nb, p, S);
    for (let k = 0; k < K; k++) {
      const g = G[k];
      if (k === b || g === undefined || g === null) continue;
      for (let j = 0; j < p; j++) {
        const o = j * p;
        for (let l = j; l < p; l++) g[o + l] += S[o + l]!;
      }
    }
  }
  let done = 0;
  for (let k = 0; k < K; k++) {
    const g = G[k];
    if (g === undefined || g === null) continue;
    const d = designs[k]!;
    const nk = d.nRows;
    const s = sums[k]!;
    const nu = new Float64Array(p);
    for (let j = 0; j < p; j++) nu[j] = (d.centered ? d.colMeans[j]! : 0) - m0[j]!;
    const bn = norms[k]!;
    const rn = Math.sqrt(nk);
    for (let j = 0; j < p; j++) bn[j] = (Math.sqrt(Math.max(g[j * p + j]!, 0)) + rn * Math.abs(nu[j]!)) * (1 + 1e-6);
    // G_k = T_k − ν sᵀ − s νᵀ + n_k ν νᵀ on the upper triangle, mirrored (exactly symmetric)
    for (let j = 0; j < p; j++) {
      const o = j * p;
      const vj = nu[j]!;
      const sj = s[j]!;
      for (let l = j; l < p; l++) {
        const v = g[o + l]! - nu[l]! * sj - vj * s[l]! + nk * vj * nu[l]!;
        g[o + l] = v;
        g[l * p + j] = v;
      }
    }
    done++;
  }
  return done;
}

/** True when the validation sets partition 0..n−1 and every training set is its fold's complement. */
function partitions(n: number, folds: readonly FoldRows[]): boolean {
  const owner = new Int32Array(n).fill(-1);
  let total = 0;
  for (let k = 0; k < folds.length; k++) {
    const v = folds[k]!.val;
    total += v.length;
    for (let t = 0; t < v.length; t++) {
      const i = v[t]!;
      if (!(i >= 0 && i < n) || owner[i] !== -1) return false;
      owner[i] = k;
    }
  }
  if (total !== n) return false;
  const seen = new Int32Array(n).fill(-1);
  for (let k = 0; k < folds.length; k++) {
    const tr = folds[k]!.train;
    if (tr.length !== n - folds[k]!.val.length) return false;
    for (let t = 0; t < tr.length; t++) {
      const i = tr[t]!;
      if (!(i >= 0 && i < n) || owner[i] === k || seen[i] === k) return false;
      seen[i] = k;
    }
  }
  return true;
}
