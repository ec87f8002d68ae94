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
 *
 * The same pass yields, for free: the validation blocks' Gram quantities (`ValidationGram`: a
 * value-only fold error in O(|S|²), `validationMse`) and the sum over all blocks (`FullGram`: the
 * G of the refit on all rows, `installFullGram`, same formula with the full-data means).
 *
 * The fold designs themselves need no centred rows in the Gram mode: `foldStatistics` gives every
 * fold's means, ‖X_c,j‖² and q = X_cᵀy_c (with a proven rounding bound) from one O(n·p) pass of
 * block sums, and `lazyFoldDesign` makes a design from them whose rows are gathered and centred
 * only when something reads them (round cv8 in docs/lasso_performance.md).
 */
import type { DenseDesign, DesignMatrix } from '../data/matrix.js';
import type { PreparedDesign } from './design.js';
import { takeRows } from '../data/dataset.js';
import { cachedGramEngine, gramEligible, gramPreferred, gramUpper, installGram, seedAssembledXty, type GramError } from './quad_gram.js';
import { vecSum } from './columns.js';
import { createEngine, releaseEngine, type WasmEngine } from '../kernels/wasm_lasso.js';

/**
 * What a fold's validation error needs from its block (squared loss; X' = X − 1m⁰ᵀ on the
 * validation rows V, w = y_V − ȳ_V): H = X'ᵀX' (p×p, full), the column sums s = 1ᵀX', X'ᵀw, Σw²,
 * ȳ_V, m⁰ and |V| (see `validationMse`). H is stored row-major and only its upper triangle is
 * meaningful (entries below the diagonal are undefined). It lives in a WebAssembly engine memory
 * (`eng`, as its p×p "X") when the kernel backend allows, for the SIMD kernel `symquad`; release it
 * with `releaseValidationGram`.
 */
export interface ValidationGram {
  readonly H: Float64Array;
  /** The engine holding H (null: plain array, JavaScript quadratic form). */
  readonly eng: WasmEngine | null;
  readonly sums: Float64Array;
  readonly xtw: Float64Array;
  readonly wss: number;
  readonly ymean: number;
  readonly shift: Float64Array;
  readonly rows: number;
}

/**
 * The full-data Gram quantities that the block Grams give for free (X' = X − 1m⁰ᵀ over all rows):
 * T = X'ᵀX' (upper triangle), s = 1ᵀX', m⁰, n and the number of blocks summed (`installFullGram`).
 */
export interface FullGram {
  readonly T: Float64Array;
  readonly sums: Float64Array;
  readonly shift: Float64Array;
  readonly rows: number;
  readonly blocks: number;
}

/** Largest K·p² (doubles) for which `installFoldGrams` keeps the validation blocks' H (64 MiB). */
const VALIDATION_GRAM_MAX = 8 * 2 ** 20;

/**
 * The validation MSE (1/|V|)‖y_V − b − X_Vβ‖² of (β, b) from the block's Gram quantities in
 * O(|S|²) instead of O(|V|·|S|): with a = b + m⁰ᵀβ − ȳ_V and Σw = 0,
 *
 *   ‖w − X'β − a1‖² = Σw² − 2βᵀX'ᵀw + βᵀHβ + 2a·βᵀs + |V|·a².
 *
 * The terms cancel by about var(y_V)/MSE (small on a held-out fold), so the value is accurate to a
 * few ulps of Σw² — for grid values; the hypergradient needs the predictions themselves.
 *
 * βᵀHβ = Σ_(j∈S) β_j(H_jj β_j + 2·Σ_(l>j) H_jl β_l): with H in an engine memory by the SIMD kernel
 * `symquad` (each row tail read contiguously with β's zeros: |S|·p/2 multiply-adds, two per
 * instruction, on the upper triangle only — half the bytes of a product Hβ); else over the support
 * in JavaScript (|S|²/2 gathered multiply-adds). A grid path evaluates this for every λ of every
 * fold (500 times in a 5-fold, 100-λ CV), at supports up to p.
 *
 * @example
 * const mse = validationMse(v, sol.beta, sol.support, sol.intercept);
 */
export function validationMse(v: ValidationGram, beta: Float64Array, support: Int32Array, intercept: number): number {
  const p = v.sums.length;
  const m = support.length;
  const H = v.H, xtw = v.xtw, sums = v.sums, shift = v.shift;
  const bs = new Float64Array(m);
  let bz = 0, sb = 0, mb = 0;
  for (let t = 0; t < m; t++) {
    const j = support[t]!;
    const bj = beta[j]!;
    bs[t] = bj;
    bz += bj * xtw[j]!;
    sb += bj * sums[j]!;
    mb += bj * shift[j]!;
  }
  let quad = 0;
  const e = v.eng;
  if (e !== null && !e.busy && m > 0) {
    e.beta.set(beta.subarray(0, p));
    e.ws.set(support);
    quad = e.symquad(e.xPtr, p, e.ws.byteOffset, m, e.beta.byteOffset);
  } else {
    // βᵀHβ over the support: diagonal + 2·(strict upper triangle)
    for (let t = 0; t < m; t++) quad += bs[t]! * rowTail(H, support[t]! * p, support, bs, t);
  }
  const a = intercept + mb - v.ymean;
  const ss = v.wss - 2 * bz + quad + 2 * a * sb + v.rows * a * a;
  return Math.max(ss, 0) / v.rows;
}

/** H[o + S[t]]·b[t] + 2·Σ_(u>t) H[o + S[u]]·b[u] (row S[t] of H on the support, from the diagonal on). */
function rowTail(H: Float64Array, o: number, S: Int32Array, b: Float64Array, t: number): number {
  let r = 0;
  for (let u = t + 1; u < S.length; u++) r += H[o + S[u]!]! * b[u]!;
  return H[o + S[t]!]! * b[t]! + 2 * r;
}

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
export function installFoldGrams(
  X: DenseDesign, folds: readonly FoldRows[], designs: readonly PreparedDesign[], y?: ArrayLike<number>,
): { installed: number; validation: ValidationGram[] | null; full: FullGram | null } {
  const n = X.nRows;
  const p = X.nCols;
  const K = folds.length;
  const none = { installed: 0, validation: null, full: null };
  if (designs.length !== K || K < 2 || !partitions(n, folds)) return none;
  // the folds to install: Gram mode planned, no G yet, the design made from exactly these rows
  const want: boolean[] = designs.map((d, k) =>
    gramPreferred(d) && !d.isSparse && d.scale === 1 && d.nCols === p && d.nRows === folds[k]!.train.length);
  if (!want.some((w) => w)) return none;
  // the validation blocks' Gram quantities too (value-only evaluations, `validationMse`)
  const keepVal = y !== undefined && y.length === n && K * p * p <= VALIDATION_GRAM_MAX;
  // and the full-data T (all blocks: the refit on all rows, `installFullGram`)
  const T = K * p * p <= VALIDATION_GRAM_MAX ? new Float64Array(p * p) : null;
  const sumsAll = new Float64Array(p);
  const validation: ValidationGram[] = [];
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
  const w = new Float64Array(maxVal);
  const dots = new Float64Array(4);
  for (let b = 0; b < K; b++) {
    const rows = folds[b]!.val;
    const nb = rows.length;
    if (nb === 0) continue;
    // the validation block's centred target w = y_V − ȳ_V (its X'ᵀw formed in the same pass)
    const yv = keepVal ? validationTarget(rows, y!, w) : null;
    const vs = keepVal ? new Float64Array(p) : null;
    const vx = keepVal ? new Float64Array(p) : null;
    // X'_b = X[V_b] − m⁰ (column-major nb×p), its column sums (and X'_bᵀw)
    let contiguous = true;
    for (let t = 1; contiguous && t < nb; t++) contiguous = rows[t] === rows[0]! + t;
    const take = (j: number, s: number, z: number): void => {
      if (vs !== null) {
        vs[j] = s;
        vx![j] = z;
      }
      for (let k = 0; k < K; k++) if (k !== b) sums[k]![j] += s;
      sumsAll[j] += s;
    };
    for (let j = 0; j < p; j++) {
      if (contiguous && j + 1 < p) {
        // two columns per pass: two independent chains of sums (each in its own order, the same bits)
        shiftColumnPair(src, j * n + rows[0]!, n, nb, m0[j]!, m0[j + 1]!, Xb, j * nb, keepVal ? w : null, dots);
        take(j, dots[0]!, dots[1]!);
        take(j + 1, dots[2]!, dots[3]!);
        j++;
        continue;
      }
      if (contiguous) shiftColumn(src, j * n + rows[0]!, nb, m0[j]!, Xb, j * nb, keepVal ? w : null, dots);
      else gatherColumn(src, j * n, rows, m0[j]!, Xb, j * nb, keepVal ? w : null, dots);
      take(j, dots[0]!, dots[1]!);
    }
    gramUpper(Xb, nb, p, S);
    if (keepVal) {
      // S_b kept as the validation block's H: every sum formed after the loop (`sumBlocks`)
      validation[b] = validationBlock(nb, p, S, vs!, vx!, yv!, m0);
      continue;
    }
    // S into T and every other fold's G, row by row (row j of S stays in cache across the targets;
    // each target receives the same additions in the same block order as target by target)
    const targets: Float64Array[] = [];
    if (T !== null) targets.push(T);
    for (let k = 0; k < K; k++) {
      const g = G[k];
      if (k !== b && g !== undefined && g !== null) targets.push(g);
    }
    for (let j = 0; j < p; j++) for (const tg of targets) addRange(tg, S, j * p + j, p - j);
  }
  if (keepVal) sumBlocks(p, folds.map((_, b) => validation[b]?.H ?? null), G, T);
  let done = 0;
  for (let k = 0; k < K; k++) {
    const g = G[k];
    if (g === undefined || g === null) continue;
    centreGram(g, designs[k]!, sums[k]!, m0, norms[k]!);
    done++;
  }
  const full = T !== null ? { T, sums: sumsAll, shift: m0, rows: n, blocks: K } : null;
  return { installed: done, validation: keepVal && validation.length === K ? validation : null, full };
}

/**
 * g (holding T, upper triangle) ← X_cᵀX_c of design d = T − ν sᵀ − s νᵀ + n ν νᵀ with ν = μ_d − m⁰
 * (exactly symmetric), and the error norms b_j = ‖x'_j‖ + √n|ν_j| (file header) into `bn`. g is d's
 * installed G: in its engine memory the kernel `centregram` (lasso.wat) does the rows (`correctRow`'s
 * operations, the same bits) with ν and s staged in that memory.
 */
function centreGram(g: Float64Array, d: PreparedDesign, s: Float64Array, m0: Float64Array, bn: Float64Array): void {
  const p = d.nCols;
  const nk = d.nRows;
  const nu = new Float64Array(p);
  for (let j = 0; j < p; j++) nu[j] = (d.centered ? d.colMeans[j]! : 0) - m0[j]!;
  const rn = Math.sqrt(nk);
  for (let j = 0; j < p; j++) bn[j] = (Math.sqrt(Math.max(g[j * p + j]!, 0)) + rn * Math.abs(nu[j]!)) * (1 + 1e-6);
  const e = cachedGramEngine(d);
  if (e !== null && !e.busy && g.buffer === e.buffer && g.byteOffset === e.xPtr && e.vecA.length >= p && e.outA.length >= p) {
    e.vecA.set(nu);
    e.outA.set(s);
    e.centregram(e.xPtr, p, e.vecA.byteOffset, e.outA.byteOffset, nk);
    return;
  }
  for (let j = 0; j < p; j++) correctRow(g, p, j, nu, s, nk);
}

/**
 * Installs G = X_cᵀX_c on `d`, the prepared design of ALL rows of the X whose folds gave `full`
 * (`installFoldGrams`; the refit after cross-validation), from the summed block Grams: O(p²)
 * instead of n·p²/2, with the same rounding bound (T sums `blocks` block products). Only a dense
 * design eligible for the Gram mode (`gramEligible`), unscaled, without a G yet; returns whether
 * it was installed (the next solve on d then runs in the Gram mode).
 *
 * @example
 * const r = installFoldGrams(X, folds, foldDesigns);
 * if (r.full) installFullGram(r.full, prepareDesign(X, { center: true }));
 */
export function installFullGram(full: FullGram, d: PreparedDesign): boolean {
  const p = full.sums.length;
  if (d.isSparse || d.nCols !== p || d.nRows !== full.rows || d.scale !== 1 || !gramEligible(d)) return false;
  const norms = new Float64Array(p);
  const g = installGram(d, { norms, terms: full.blocks + 16 });
  if (g === null) return false;
  g.set(full.T);
  centreGram(g, d, full.sums, full.shift, norms);
  return true;
}

/** w = y_V − ȳ_V into `w` (the validation rows' centred target); returns ȳ_V and Σw². */
function validationTarget(rows: Int32Array, y: ArrayLike<number>, w: Float64Array): { ymean: number; wss: number } {
  const nb = rows.length;
  let ym = 0;
  for (let t = 0; t < nb; t++) ym += y[rows[t]!]!;
  ym /= nb;
  let wss = 0;
  for (let t = 0; t < nb; t++) {
    w[t] = y[rows[t]!]! - ym;
    wss += w[t]! * w[t]!;
  }
  return { ymean: ym, wss };
}

/** The validation block's `ValidationGram` from its Gram S (upper), column sums 1ᵀX'_b, X'_bᵀw and target. */
function validationBlock(
  nb: number, p: number, S: Float64Array, sums: Float64Array, xtw: Float64Array, yv: { ymean: number; wss: number }, m0: Float64Array,
): ValidationGram {
  const made = createEngine(p, p);
  const H = made !== null ? made.x : new Float64Array(p * p);
  H.set(S.subarray(0, p * p)); // the upper triangle is what is read (no mirror)
  return { H, eng: made !== null ? made.engine : null, sums, xtw, wss: yv.wss, ymean: yv.ymean, shift: new Float64Array(m0), rows: nb };
}

/**
 * Returns the engine memory of a `ValidationGram` to the pool (`v` must not be used afterwards).
 *
 * @example
 * releaseValidationGram(r.validation[k]); // when fold k is disposed
 */
export function releaseValidationGram(v: ValidationGram): void {
  if (v.eng !== null) releaseEngine(v.eng);
  (v as { eng: WasmEngine | null }).eng = null;
}

/**
 * out[o..o+m) = src[a..a+m) − c (one column of a contiguous block); into dots: [their sum, their
 * dot product with w (w null: 0)].
 */
function shiftColumn(src: Float64Array, a: number, m: number, c: number, out: Float64Array, o: number, w: Float64Array | null, dots: Float64Array): void {
  let s = 0, z = 0;
  if (w === null) {
    for (let t = 0; t < m; t++) {
      const v = src[a + t]! - c;
      out[o + t] = v;
      s += v;
    }
  } else {
    for (let t = 0; t < m; t++) {
      const v = src[a + t]! - c;
      out[o + t] = v;
      s += v;
      z += v * w[t]!;
    }
  }
  dots[0] = s;
  dots[1] = z;
}

/**
 * `shiftColumn` for two adjacent columns at once (src from a and a + ld, out from o and o + m, shifts
 * c and c2): dots = [sum, dot with w, sum, dot with w] of the first and the second column, each
 * summed in the order of `shiftColumn` (the same bits); the four chains of additions run side by
 * side instead of two at a time.
 */
function shiftColumnPair(
  src: Float64Array, a: number, ld: number, m: number, c: number, c2: number, out: Float64Array, o: number, w: Float64Array | null, dots: Float64Array,
): void {
  let s = 0, z = 0, s2 = 0, z2 = 0;
  const a2 = a + ld, o2 = o + m;
  if (w === null) {
    for (let t = 0; t < m; t++) {
      const v = src[a + t]! - c;
      const v2 = src[a2 + t]! - c2;
      out[o + t] = v;
      out[o2 + t] = v2;
      s += v;
      s2 += v2;
    }
  } else {
    for (let t = 0; t < m; t++) {
      const v = src[a + t]! - c;
      const v2 = src[a2 + t]! - c2;
      out[o + t] = v;
      out[o2 + t] = v2;
      s += v;
      z += v * w[t]!;
      s2 += v2;
      z2 += v2 * w[t]!;
    }
  }
  dots[0] = s;
  dots[1] = z;
  dots[2] = s2;
  dots[3] = z2;
}

/** out[o + t] = src[a + rows[t]] − c (one column of a gathered block); dots as `shiftColumn`. */
function gatherColumn(src: Float64Array, a: number, rows: Int32Array, c: number, out: Float64Array, o: number, w: Float64Array | null, dots: Float64Array): void {
  let s = 0, z = 0;
  for (let t = 0; t < rows.length; t++) {
    const v = src[a + rows[t]!]! - c;
    out[o + t] = v;
    s += v;
    if (w !== null) z += v * w[t]!;
  }
  dots[0] = s;
  dots[1] = z;
}

/** Row j of the rank-one correction (upper triangle, mirrored): G_jl ← T_jl − ν_l s_j − ν_j s_l + n ν_j ν_l. */
function correctRow(g: Float64Array, p: number, j: number, nu: Float64Array, s: Float64Array, nk: number): void {
  const o = j * p;
  const vj = nu[j]!;
  const sj = s[j]!;
  for (let l = j; l < p; l++) {
    const v = g[o + l]! - nu[l]! * sj - vj * s[l]! + nk * vj * nu[l]!;
    g[o + l] = v;
    g[l * p + j] = v;
  }
}

/**
 * The upper triangles of T = Σ_b S_b and G_k = Σ_(b≠k) S_b (blocks absent: null, skipped) in one
 * pass, row by row: with the running prefix P_k = S_0 + … + S_(k−1) (a row buffer), G_k = P_k +
 * S_(k+1) + … + S_(K−1) and T = P_K — each the same left-to-right sum in block order as adding
 * S_b into every target block by block, so the same bits, with K + K(K−1)/2 additions per entry
 * instead of K², on rows that stay in cache.
 */
function sumBlocks(p: number, Sb: readonly (Float64Array | null)[], G: readonly (Float64Array | null | undefined)[], T: Float64Array | null): void {
  const K = Sb.length;
  const P = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    const o = j * p + j;
    const m = p - j;
    P.fill(0, 0, m);
    for (let k = 0; k < K; k++) {
      const g = G[k];
      if (g !== undefined && g !== null) {
        g.set(P.subarray(0, m), o);
        for (let b = k + 1; b < K; b++) {
          const sb = Sb[b];
          if (sb !== null && sb !== undefined) addAt(g, sb, o, m);
        }
      }
      const sk = Sb[k];
      if (sk !== null && sk !== undefined) addFrom(P, sk, o, m);
    }
    if (T !== null) T.set(P.subarray(0, m), o);
  }
}

/** dst[o..o+m) += src[o..o+m) (the same positions). */
function addAt(dst: Float64Array, src: Float64Array, o: number, m: number): void {
  for (let t = o; t < o + m; t++) dst[t] += src[t]!;
}

/** P[0..m) += src[o..o+m). */
function addFrom(P: Float64Array, src: Float64Array, o: number, m: number): void {
  for (let t = 0; t < m; t++) P[t] += src[o + t]!;
}

/** dst[o..o+m) += src[o..o+m). */
function addRange(dst: Float64Array, src: Float64Array, o: number, m: number): void {
  for (let t = o; t < o + m; t++) dst[t] += src[t]!;
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

/**
 * What a CV fold's training design needs before its rows are read (`foldStatistics`): the column
 * means μ_k and ‖X_c,j‖² of the training rows, q = X_cᵀy_c for the fold's target, and q's proven
 * rounding bound |fl(q)_j − q_j| ≤ γ_(n_k + err.terms)·err.norms_j·qScale·‖y_c‖ (`seedAssembledXty`).
 */
export interface FoldStatistics {
  readonly colMeans: Float64Array;
  readonly colNormsSq: Float64Array;
  readonly q: Float64Array;
  readonly err: GramError;
  readonly qScale: number;
}

/** A fold's squared-loss target as `makeTarget` (models.ts) makes it: y_c = y − ȳ, ȳ, ‖y_c‖². */
export interface FoldTarget {
  readonly yc: Float64Array;
  readonly yMean: number;
  readonly yNormSq: number;
}

/**
 * The centred training designs' means, squared column norms and q = X_c,kᵀy_c,k of every fold of
 * K-fold cross-validation in ONE pass over X (instead of gathering and centring the K − 1 copies
 * of the rows first: the rows of a fold then need not be read at all in the Gram mode, see
 * `lazyFoldDesign`). With x' = x − m⁰ (m⁰ the full-data column means), y' = y − c (c = ȳ of all
 * rows) and, per validation block b, the sums s_b = 1ᵀX'_b, σ_b,j = ‖X'_b,j‖², z_b = X'_bᵀy'_b,
 * Y_b = 1ᵀy'_b, fold k (training rows = the other blocks, n_k of them) has
 *
 *   s_k = Σ_(b≠k) s_b,   μ_k = m⁰ + s_k/n_k,   ν = μ_k − m⁰,   δ = ȳ_k − c   (ȳ_k: the target's stored mean)
 *   ‖X_c,j‖² = Σ_(b≠k) σ_b,j − 2ν_j s_k,j + n_k ν_j²
 *   q_k,j = Σ_(i train) (x'_ij − ν_j)(y'_i − δ) = Σ_(b≠k) z_b,j − ν_j·Σ_(b≠k) Y_b − δ·s_k,j + n_k ν_j δ
 *
 * exactly (with the stored μ_k and ȳ_k; Σ(y_i − ȳ_k) need not vanish). A column constant on the
 * training rows gets μ_k = that value, ‖X_c,j‖² = 0 and q_j = 0 exactly (only columns whose computed
 * ‖X_c,j‖² is below 1e-6·Σ σ_b,j are scanned: a constant one has it at the rounding level).
 *
 * Rounding of q: every computed term is a sum of at most n_k + K + 10 rounded products whose
 * magnitudes sum to at most (Cauchy–Schwarz) (‖x'_j‖ + √n_k|ν_j|)(‖y'‖ + √n_k|δ|) = b_j(‖y'‖ + √n_k|δ|),
 * and ‖y'‖ ≤ ‖y − ȳ_k‖ + √n_k|δ| ≤ (1 + u)‖y_c‖ + √n_k|δ| (y_c = fl(y − ȳ_k)); the stored centred
 * rows X_c = fl(x − μ_k) and the stored y_c add 2u·b_j‖y_c‖. Hence
 *
 *   |fl(q)_j − (X_cᵀy_c)_j| ≤ γ_(n_k + K + 16)·b_j·ρ‖y_c‖,   ρ = (1 + 2√n_k|δ|/‖y_c‖)·(1 + 1e-6),
 *
 * b_j = (√(Σ σ_b,j) + √n_k|ν_j|)·(1 + 1e-6) ≥ ‖X_c,j‖ — the same b_j and term count as the fold's
 * assembled G (`installFoldGrams`). δ is O(σ_y/√n_k), so ρ ≈ 1 + O(1/√n_k)·(a few).
 * Returns null when the folds do not partition the rows, a target does not match its fold, or a
 * fold's ‖y_c‖ is 0 (the caller then prepares the rows as usual).
 *
 * @example
 * const st = foldStatistics(X, folds, y, targets); // st[k].q ≈ X_c,kᵀy_c,k
 */
export function foldStatistics(
  X: DenseDesign, folds: readonly FoldRows[], y: ArrayLike<number>, targets: readonly FoldTarget[],
): FoldStatistics[] | null {
  const n = X.nRows;
  const p = X.nCols;
  const K = folds.length;
  if (K < 2 || targets.length !== K || y.length !== n || !partitions(n, folds)) return null;
  for (let k = 0; k < K; k++) {
    const t = targets[k]!;
    if (t.yc.length !== folds[k]!.train.length || !(t.yNormSq > 0) || !Number.isFinite(t.yNormSq)) return null;
  }
  const src = X.data;
  const m0 = new Float64Array(p);
  for (let j = 0; j < p; j++) m0[j] = vecSum(n, src.subarray(j * n, (j + 1) * n)) / n;
  let c = 0;
  for (let i = 0; i < n; i++) c += y[i]!;
  c /= n;
  // per block: s_b, σ_b, z_b (K×p each, block-major) and Y_b
  const sb = new Float64Array(K * p), ssb = new Float64Array(K * p), zb = new Float64Array(K * p);
  const Yb = new Float64Array(K);
  let maxVal = 0;
  for (const f of folds) maxVal = Math.max(maxVal, f.val.length);
  const yb = new Float64Array(maxVal);
  for (let b = 0; b < K; b++) {
    const rows = folds[b]!.val;
    const nb = rows.length;
    let ys = 0;
    for (let t = 0; t < nb; t++) {
      yb[t] = y[rows[t]!]! - c;
      ys += yb[t]!;
    }
    Yb[b] = ys;
    let contiguous = true;
    for (let t = 1; contiguous && t < nb; t++) contiguous = rows[t] === rows[0]! + t;
    const o = b * p;
    for (let j = 0; j < p; j++) {
      if (nb === 0) continue;
      if (contiguous && j + 1 < p) {
        // two columns per pass (`blockColumnPair`: the same bits)
        blockColumnPair(src, j * n + rows[0]!, n, nb, m0[j]!, m0[j + 1]!, yb, sb, ssb, zb, o + j);
        j++;
      } else if (contiguous) blockColumn(src, j * n + rows[0]!, nb, m0[j]!, yb, sb, ssb, zb, o + j);
      else blockColumnGather(src, j * n, rows, m0[j]!, yb, sb, ssb, zb, o + j);
    }
  }
  const out: FoldStatistics[] = [];
  for (let k = 0; k < K; k++) {
    const nk = folds[k]!.train.length;
    const tg = targets[k]!;
    const rn = Math.sqrt(nk);
    const delta = tg.yMean - c;
    const colMeans = new Float64Array(p), colNormsSq = new Float64Array(p), q = new Float64Array(p), norms = new Float64Array(p);
    let Y = 0;
    for (let b = 0; b < K; b++) if (b !== k) Y += Yb[b]!;
    for (let j = 0; j < p; j++) {
      let s = 0, ss = 0, z = 0;
      for (let b = 0; b < K; b++) {
        if (b === k) continue;
        const e = b * p + j;
        s += sb[e]!;
        ss += ssb[e]!;
        z += zb[e]!;
      }
      let mu = m0[j]! + s / nk;
      let nu = mu - m0[j]!;
      let nsq = Math.max(0, ss - 2 * nu * s + nk * nu * nu);
      let qj = z - nu * Y - delta * s + nk * nu * delta;
      // a column constant on the training rows has ‖X_c,j‖² at the rounding level of Σ σ_b,j (or
      // Σ σ_b,j = 0): only such candidates are scanned for an exact constant
      const c0 = !(nsq > 1e-6 * ss) ? constantOn(src, j * n, folds[k]!.train) : null;
      if (c0 !== null) {
        mu = c0;
        nu = mu - m0[j]!;
        nsq = 0;
        qj = 0;
      }
      colMeans[j] = mu;
      colNormsSq[j] = nsq;
      q[j] = qj;
      norms[j] = (Math.sqrt(ss) + rn * Math.abs(nu)) * (1 + 1e-6);
    }
    const qScale = (1 + (2 * rn * Math.abs(delta)) / Math.sqrt(tg.yNormSq)) * (1 + 1e-6);
    out.push({ colMeans, colNormsSq, q, err: { norms, terms: K + 16 }, qScale });
  }
  return out;
}

/** The value of column a.. of src on every row of `rows` when they are all equal, else null. */
function constantOn(src: Float64Array, a: number, rows: Int32Array): number | null {
  if (rows.length === 0) return null;
  const v = src[a + rows[0]!]!;
  for (let t = 1; t < rows.length; t++) if (src[a + rows[t]!] !== v) return null;
  return v;
}

/** One column of a contiguous validation block into the block sums of `foldStatistics` at entry e. */
function blockColumn(
  src: Float64Array, a: number, m: number, m0: number, yb: Float64Array,
  sb: Float64Array, ssb: Float64Array, zb: Float64Array, e: number,
): void {
  let s = 0, ss = 0, z = 0;
  for (let t = 0; t < m; t++) {
    const v = src[a + t]! - m0;
    s += v;
    ss += v * v;
    z += v * yb[t]!;
  }
  sb[e] = s; ssb[e] = ss; zb[e] = z;
}

/**
 * `blockColumn` for two adjacent columns (src from a and a + ld, shifts m0 and m1) into entries e
 * and e + 1: each column's three sums in the order of `blockColumn` (the same bits), six chains of
 * additions side by side instead of three.
 */
function blockColumnPair(
  src: Float64Array, a: number, ld: number, m: number, m0: number, m1: number, yb: Float64Array,
  sb: Float64Array, ssb: Float64Array, zb: Float64Array, e: number,
): void {
  let s = 0, ss = 0, z = 0, s2 = 0, ss2 = 0, z2 = 0;
  const a2 = a + ld;
  for (let t = 0; t < m; t++) {
    const v = src[a + t]! - m0;
    const v2 = src[a2 + t]! - m1;
    const y = yb[t]!;
    s += v;
    ss += v * v;
    z += v * y;
    s2 += v2;
    ss2 += v2 * v2;
    z2 += v2 * y;
  }
  sb[e] = s; ssb[e] = ss; zb[e] = z;
  sb[e + 1] = s2; ssb[e + 1] = ss2; zb[e + 1] = z2;
}

/** `blockColumn` for a gathered (shuffled) validation block. */
function blockColumnGather(
  src: Float64Array, a: number, rows: Int32Array, m0: number, yb: Float64Array,
  sb: Float64Array, ssb: Float64Array, zb: Float64Array, e: number,
): void {
  let s = 0, ss = 0, z = 0;
  for (let t = 0; t < rows.length; t++) {
    const v = src[a + rows[t]!]! - m0;
    s += v;
    ss += v * v;
    z += v * yb[t]!;
  }
  sb[e] = s; ssb[e] = ss; zb[e] = z;
}

/** data[:, j] −= μ_j for the column-major m×p `data` (a function of its own: it gets optimised). */
function centreColumns(data: Float64Array, m: number, p: number, mu: Float64Array): void {
  for (let j = 0; j < p; j++) {
    const c = mu[j]!;
    const o = j * m;
    for (let t = 0; t < m; t++) data[o + t] = data[o + t]! - c;
  }
}

/** @internal Counts the `lazyFoldDesign` designs made and their row gathers (tests: a planned grid CV makes none). */
export const lazyRowStats: { designs: number; gathers: number } = { designs: 0, gathers: 0 };

/**
 * A centred training design of the rows `rows` of the dense X (validated already: finite values)
 * from its `FoldStatistics`, without reading the rows: means and ‖X_c,j‖² are the statistics', and
 * the fold's target `yc` gets the assembled q (`seedAssembledXty`, with its rounding bound), so
 * λ_max and the Gram mode (G from `installFoldGrams`) never read X_c. The rows are gathered into a
 * WebAssembly engine memory (or a plain array with the backend 'js') and centred by the stored
 * means, x − μ_k, on the first read of `data` or `wasm` (a fallback to the residual mode, a
 * residual, a direct product); `source` (the raw rows) likewise. Dispose it with `disposeDesign`
 * (it releases nothing while the rows were never gathered).
 *
 * @example
 * const d = lazyFoldDesign(X, folds[k].train, stats[k], targets[k].yc);
 * new SparseProblem(d, y, 'lasso', {}, 'f', 'f', target); // λ_max from the assembled q: no row read
 */
export function lazyFoldDesign(X: DenseDesign, rows: Int32Array, st: FoldStatistics, yc: Float64Array): PreparedDesign {
  const m = rows.length;
  const p = X.nCols;
  const { colMeans, colNormsSq } = st;
  let src: DesignMatrix | null = null;
  const d: Record<string, unknown> = {
    kind: 'prepared', nRows: m, nCols: p, centered: true, isSparse: false,
    indptr: new Int32Array(0), indices: new Int32Array(0), colMeans, implicitMeans: new Float64Array(p),
    colNormsSq, colNorms: colNormsSq.map(Math.sqrt), scale: 1, rowsPending: true,
  };
  // the rows gathered and centred on first read; then plain (data) properties
  const gather = (): void => {
    if (d.rowsPending !== true) return;
    const made = createEngine(m, p);
    const data = made !== null ? made.x : new Float64Array(m * p);
    takeRows(X, rows, { out: data });
    centreColumns(data, m, p, colMeans);
    if (made !== null) {
      made.engine.norms.set(colNormsSq);
      made.engine.outA.set(colMeans);
    }
    d.rowsPending = false;
    lazyRowStats.gathers++;
    Object.defineProperty(d, 'data', { value: data, enumerable: true, writable: false, configurable: false });
    Object.defineProperty(d, 'wasm', { value: made !== null ? made.engine : null, enumerable: true, writable: false, configurable: false });
  };
  Object.defineProperty(d, 'data', { enumerable: true, configurable: true, get: () => { gather(); return d.data; } });
  Object.defineProperty(d, 'wasm', { enumerable: true, configurable: true, get: () => { gather(); return d.wasm; } });
  Object.defineProperty(d, 'source', {
    enumerable: true,
    get(): DesignMatrix {
      src ??= takeRows(X, rows);
      return src;
    },
  });
  const pd = d as unknown as PreparedDesign;
  lazyRowStats.designs++;
  seedAssembledXty(pd, yc, st.q, st.err, st.qScale);
  return pd;
}
