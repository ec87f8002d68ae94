/**
 * @file Linear algebra on the support of a Lasso-type solution, shared by the hypergradient
 * methods (`hypergrad.ts`): the reduced system
 *
 *   M = X̃_Sᵀ diag(w) X̃_S / n + λ₂ I_S,
 *
 * where X̃_S = [X_c,S | 1] (the column of ones only for logistic regression with an intercept,
 * which is an unpenalised coordinate there), w = 1 for the squared loss and w_i = σ(a_i)(1 − σ(a_i))
 * for the logistic loss, and λ₂ ≥ 0 is the ridge part of the elastic net (never applied to the
 * intercept). Everything works for dense column-major and CSC prepared designs, including the
 * IMPLICIT centring of CSC columns (X_c,j = X_j − μ_j 1, never densified; see design.ts):
 *
 *   X_c,jᵀ v = X_jᵀ v − μ_j Σ_i v_i,
 *
 * so a vector u = X_c J can be kept in "raw" form u_raw = u + const·1 (adding Δ·X_j, not Δ·X_c,j)
 * together with its sum, and every product with a centred column stays exact.
 *
 * Provided: products with single columns, the Gram matrix (with a cache keyed by feature so that
 * consecutive supports only pay for new features), the matrix-free product with M, and
 * Jacobi-preconditioned conjugate gradients (the library's `cg`). The factors of M live in
 * hypergrad_factor.ts; no factorisation or Krylov code lives here.
 */
import type { PreparedDesign } from './design.js';
import { colDots, colDots2 } from './design.js';
import { denseColDot } from './columns.js';
import { cachedGram } from './quad_gram.js';
import { dotsTileEngine } from '../kernels/xgram_wasm.js';
import { cg } from '../linalg/iterative/cg.js';
import type { CholeskyPivotInfo } from '../linalg/dense/cholesky_update.js';

/** The reduced system on a support: columns, optional ones column, weights and ridge. */
export interface SupportSystem {
  readonly d: PreparedDesign;
  /** Features (sorted). */
  readonly cols: Int32Array;
  /** Append a column of ones (logistic intercept). */
  readonly ones: boolean;
  /** Row weights w (length n) or null for w = 1. */
  readonly w: Float64Array | null;
  /** Ridge λ₂ added to the feature part of the diagonal. */
  readonly ridge: number;
}

/** Dimension of the system: |S| (+1 with the ones column). */
export function systemSize(sys: SupportSystem): number {
  return sys.cols.length + (sys.ones ? 1 : 0);
}

/** X_c,jᵀ v (exact for implicitly centred CSC with `vSum` = Σ v). */
export function colDot(d: PreparedDesign, j: number, v: Float64Array, vSum: number): number {
  const X = d.data;
  if (!d.isSparse) return denseColDot(X, j * d.nRows, v, d.nRows);
  const { indptr, indices } = d;
  let s = 0;
  const e = indptr[j + 1]!;
  for (let k = indptr[j]!; k < e; k++) s += X[k]! * v[indices[k]!]!;
  return s - d.implicitMeans[j]! * vSum;
}

/** X_c,jᵀ (w ∘ v) for the uncentred designs used with weights (logistic). */
export function colDotW(d: PreparedDesign, j: number, w: Float64Array, v: Float64Array): number {
  const X = d.data;
  if (!d.isSparse) {
    const n = d.nRows;
    const o = j * n;
    let s0 = 0, s1 = 0;
    let i = 0;
    for (; i + 1 < n; i += 2) {
      s0 += X[o + i]! * w[i]! * v[i]!;
      s1 += X[o + i + 1]! * w[i + 1]! * v[i + 1]!;
    }
    if (i < n) s0 += X[o + i]! * w[i]! * v[i]!;
    return s0 + s1;
  }
  const { indptr, indices } = d;
  let s = 0;
  const e = indptr[j + 1]!;
  for (let k = indptr[j]!; k < e; k++) {
    const i = indices[k]!;
    s += X[k]! * w[i]! * v[i]!;
  }
  return s;
}

/**
 * v_raw ← v_raw + a·X_j (RAW column: for implicitly centred CSC, v_raw then represents
 * v + a·X_c,j up to a constant vector). Returns the change of Σ v_raw.
 */
export function colAddRaw(d: PreparedDesign, j: number, a: number, v: Float64Array): number {
  const X = d.data;
  if (!d.isSparse) {
    const n = d.nRows;
    const o = j * n;
    for (let i = 0; i < n; i++) v[i] += a * X[o + i]!;
    return 0; // unused: dense columns carry no implicit mean
  }
  const { indptr, indices } = d;
  const e = indptr[j + 1]!;
  for (let k = indptr[j]!; k < e; k++) v[indices[k]!] += a * X[k]!;
  return a * d.nRows * d.implicitMeans[j]!;
}

/**
 * The exact (centred) column X_c,j for reading only: a view of a dense design's column (no copy),
 * else `colDense` into `out()` (so the scratch vector is only made for CSC designs).
 */
export function colRead(d: PreparedDesign, j: number, out: () => Float64Array): Float64Array {
  const n = d.nRows;
  return d.isSparse ? colDense(d, j, out()) : d.data.subarray(j * n, (j + 1) * n);
}

/** The exact (centred) column X_c,j as a dense vector (into `out`). */
export function colDense(d: PreparedDesign, j: number, out: Float64Array): Float64Array {
  const n = d.nRows;
  if (!d.isSparse) {
    out.set(d.data.subarray(j * n, (j + 1) * n));
    return out;
  }
  out.fill(-d.implicitMeans[j]!);
  const { indptr, indices, data } = d;
  const e = indptr[j + 1]!;
  for (let k = indptr[j]!; k < e; k++) out[indices[k]!] += data[k]!;
  return out;
}

/** out ← X_c β restricted to `cols` (exact centred product, dense vector). */
export function supportMatvec(d: PreparedDesign, cols: Int32Array, vals: ArrayLike<number>, out: Float64Array): Float64Array {
  out.fill(0);
  let sum = 0;
  for (let t = 0; t < cols.length; t++) {
    const a = vals[t]!;
    if (a !== 0) sum += colAddRaw(d, cols[t]!, a, out);
  }
  if (d.isSparse) {
    // remove the implicit means: u = u_raw − (μᵀβ) 1
    let shift = 0;
    for (let t = 0; t < cols.length; t++) shift += d.implicitMeans[cols[t]!]! * vals[t]!;
    if (shift !== 0) for (let i = 0; i < out.length; i++) out[i] -= shift;
  }
  void sum;
  return out;
}

/** How many features of `cols` have no position (pos < 0). */
export function countAbsent(cols: Int32Array, pos: Int32Array): number {
  let k = 0;
  for (let t = 0; t < cols.length; t++) if (pos[cols[t]!]! < 0) k++;
  return k;
}

/** The features of `cols` with no position (pos < 0), in order. */
function absentOf(cols: Int32Array, pos: Int32Array): Int32Array {
  const out = new Int32Array(countAbsent(cols, pos));
  let k = 0;
  for (let t = 0; t < cols.length; t++) if (pos[cols[t]!]! < 0) out[k++] = cols[t]!;
  return out;
}

/** G[a, k] = G[k, a] = out[feats[a]] / n for a < count (stride cap). */
function storeGramColumn(G: Float64Array, cap: number, k: number, out: Float64Array, feats: Int32Array, count: number, n: number): void {
  for (let a = 0; a < count; a++) {
    const g = out[feats[a]!]! / n;
    G[a * cap + k] = g;
    G[k * cap + a] = g;
  }
}

/**
 * Cache of Gram entries X_c,aᵀ diag(w) X_c,b / n between features, so that a new support that shares
 * most features with the previous one costs O(n·|S|·#new) instead of O(n·|S|²). Valid for one
 * design and one weight vector (weights change → `reset()`).
 */
export class GramCache {
  private feats: number[] = [];
  /** Position of each feature in the cache (−1: absent), indexed by feature (length p). */
  private readonly pos: Int32Array;
  private G = new Float64Array(0);
  private cap = 0;
  private featsArr = new Int32Array(16);
  /** Scratch n-vectors (CSC columns, weighted columns), made on first use: a dense design's columns are read in place. */
  private bufV: Float64Array | null = null;
  private wbufV: Float64Array | null = null;
  /** Second output of the paired products (allocated on first use). */
  private outP2: Float64Array | null = null;
  private readonly outP: Float64Array;
  /** Number of column products computed (cost counter). */
  products = 0;
  /**
   * The design's full G = X_cᵀX_c (quad_gram.ts `cachedGram`, exactly symmetric) when the last
   * `ensure` was unweighted and found it: every read goes there (÷ n, the values the copy held),
   * nothing is copied (a fresh support factor on a CV fold paid O(m²) strided copies for nothing).
   */
  private full: Float64Array | null = null;

  constructor(readonly d: PreparedDesign, readonly maxSize = 2000) {
    this.outP = new Float64Array(d.nCols);
    this.pos = new Int32Array(d.nCols).fill(-1);
  }

  private get buf(): Float64Array {
    return (this.bufV ??= new Float64Array(this.d.nRows));
  }

  private get wbuf(): Float64Array {
    return (this.wbufV ??= new Float64Array(this.d.nRows));
  }

  reset(): void {
    for (const f of this.feats) this.pos[f] = -1;
    this.feats = [];
  }

  get size(): number {
    return this.feats.length;
  }

  private grow(need: number): void {
    if (need <= this.cap) return;
    // headroom: features entering a few at a time must not copy the cache every time
    const cap = Math.min(Math.max(need + (need >> 2) + 8, Math.ceil(this.cap * 1.5), 16), Math.max(need, this.maxSize));
    const G = new Float64Array(cap * cap);
    const m = this.feats.length;
    for (let a = 0; a < m; a++) G.set(this.G.subarray(a * this.cap, a * this.cap + m), a * cap);
    this.G = G;
    this.cap = cap;
  }

  /**
   * Adds the features of `cols` that are missing (weights w or null). When the cache would exceed
   * `maxSize` features it is emptied first, so entries obtained before a call may be evicted: read
   * what you need after the last `ensure`.
   */
  ensure(cols: Int32Array, w: Float64Array | null): void {
    // the design's full Gram matrix (built by the solver's Gram mode, quad_gram.ts) holds every
    // unweighted product already: read them there instead of recomputing O(n) dots or copying
    const full = w === null ? cachedGram(this.d) : undefined;
    this.full = full ?? null;
    if (full !== undefined) return;
    let missing = countAbsent(cols, this.pos);
    if (missing === 0) return;
    if (this.feats.length + missing > this.maxSize) {
      // keep only what is needed now
      this.reset();
      missing = cols.length;
    }
    const d = this.d;
    const n = d.nRows;
    this.grow(this.feats.length + missing);
    const cap = this.cap;
    const need = absentOf(cols, this.pos);
    for (let u = 0; u < need.length; u++) {
      const j = need[u]!;
      const k = this.feats.length;
      this.feats.push(j);
      this.pos[j] = k;
      if (this.featsArr.length < k + 4) {
        const fa = new Int32Array(Math.max(2 * this.featsArr.length, k + 4));
        fa.set(this.featsArr);
        this.featsArr = fa;
      }
      this.featsArr[k] = j;
      const e = d.wasm;
      const g = Math.min(4, need.length - u);
      if (w === null && e !== null && !e.busy && g >= 2) {
        // four (or the last three or two) entering features per pass over the cached columns
        // (xgram.wat: a 4×2 / 3×2 / 2×4 register tile; the dense design's columns are read in place
        // in its engine memory; outputs in the engine's staging vectors and the logistic solver's
        // p-vectors, free outside a solve). Three left over took a pass of colDots2 and one of
        // colDots before, two a pass of colDots2: onto 142 features at n = 400 29–30 → 20–23 µs and
        // 17.5–19 → 12.7–13.6 µs (round hg5)
        const js: number[] = [j];
        for (let q = 1; q < g; q++) js.push(need[u + q]!);
        for (let q = 1; q < g; q++) {
          this.feats.push(js[q]!);
          this.pos[js[q]!] = k + q;
          this.featsArr[k + q] = js[q]!;
        }
        // the columns as an array literal: from `js.map`, the array's elements kind differed between
        // the builtin and the map inlined by the optimising compiler, and `ensure` was deoptimised
        // (wrong map) at its first optimised call and stayed unoptimised for hundreds of calls (round hg7)
        const col = (f: number): Float64Array => d.data.subarray(f * n, (f + 1) * n);
        const vs = g === 4 ? [col(js[0]!), col(js[1]!), col(js[2]!), col(js[3]!)] : g === 3 ? [col(js[0]!), col(js[1]!), col(js[2]!)] : [col(js[0]!), col(js[1]!)];
        const outs = g === 4 ? [e.outA, e.outB, e.ldelta, e.lcurv] : g === 3 ? [e.outA, e.outB, e.ldelta] : [e.outA, e.outB];
        if (dotsTileEngine(e, n, vs, this.featsArr, k + g, outs)) {
          u += g - 1;
          for (let q = 0; q < g; q++) storeGramColumn(this.G, cap, k + q, outs[q]!, this.featsArr, k + g, n);
          this.products += g * (k + g);
          continue;
        }
        // the kernel declined (backend 'js'): the other features wait for the paths below
        for (let q = 1; q < g; q++) {
          this.feats.pop();
          this.pos[js[q]!] = -1;
        }
      }
      if (w === null && u + 1 < need.length) {
        // two entering features per pass over the cached columns (colDots2 reads each column once
        // for both: the pass is memory-bound, so this halves the time of a support that grew)
        const j2 = need[++u]!;
        this.feats.push(j2);
        this.pos[j2] = k + 1;
        this.featsArr[k + 1] = j2;
        const v1 = colRead(d, j, () => this.buf);
        const v2 = colRead(d, j2, () => this.wbuf);
        let s1 = 0, s2 = 0;
        if (d.isSparse) for (let i = 0; i < n; i++) { s1 += v1[i]!; s2 += v2[i]!; }
        if (this.outP2 === null) this.outP2 = new Float64Array(d.nCols);
        colDots2(d, v1, s1, v2, s2, this.featsArr, k + 2, this.outP, this.outP2);
        storeGramColumn(this.G, cap, k, this.outP, this.featsArr, k + 2, n);
        storeGramColumn(this.G, cap, k + 1, this.outP2, this.featsArr, k + 2, n);
        this.products += 2 * (k + 2);
        continue;
      }
      let v: Float64Array;
      if (w === null) {
        v = colRead(d, j, () => this.buf);
      } else {
        const c = colRead(d, j, () => this.buf);
        const wb = this.wbuf;
        for (let i = 0; i < n; i++) wb[i] = c[i]! * w[i]!;
        v = wb;
      }
      let vs = 0;
      if (d.isSparse) for (let i = 0; i < n; i++) vs += v[i]!;
      // products with every cached feature (and itself) in one call of the design's column kernel
      // (WebAssembly SIMD for dense designs when available)
      colDots(d, v, vs, this.featsArr, k + 1, this.outP);
      storeGramColumn(this.G, cap, k, this.outP, this.featsArr, k + 1, n);
      this.products += k + 1;
    }
  }

  /** Gram entry of features a and b (both present). */
  get(a: number, b: number): number {
    const f = this.full;
    if (f !== null) return f[a * this.d.nCols + b]! / this.d.nRows;
    return this.G[this.pos[a]! * this.cap + this.pos[b]!]!;
  }

  /**
   * Fills out[t*m + u] = G(cols[t], cols[u]) (row-major |S|×|S| block, stride m); `lower`: only
   * u ≤ t (a factor's lower triangle: half the gathers).
   */
  block(cols: Int32Array, out: Float64Array, m: number, lower = false): void {
    const f = this.full;
    const s = cols.length;
    if (f !== null) {
      const p = this.d.nCols;
      const n = this.d.nRows;
      for (let t = 0; t < s; t++) {
        const o = cols[t]! * p;
        const e = lower ? t + 1 : s;
        for (let u = 0; u < e; u++) out[t * m + u] = f[o + cols[u]!]! / n;
      }
      return;
    }
    const cap = this.cap;
    const idx = new Int32Array(s);
    for (let t = 0; t < s; t++) idx[t] = this.pos[cols[t]!]!;
    for (let t = 0; t < s; t++) {
      const o = idx[t]! * cap;
      const e = lower ? t + 1 : s;
      for (let u = 0; u < e; u++) out[t * m + u] = this.G[o + idx[u]!]!;
    }
  }

  /**
   * out[t] = Σ_u G(cols[t], cols[u]) z[u] and mag[t] = Σ_u |G(cols[t], cols[u]) z[u]| (every
   * feature of cols present): the product of the cached block with z, O(|cols|²).
   */
  symv(cols: ArrayLike<number>, z: Float64Array, out: Float64Array, mag: Float64Array): void {
    const m = cols.length;
    const f = this.full;
    if (f !== null) {
      const p = this.d.nCols;
      const n = this.d.nRows;
      for (let t = 0; t < m; t++) {
        const o = cols[t]! * p;
        let s = 0, a = 0;
        for (let u = 0; u < m; u++) {
          const v = (f[o + cols[u]!]! / n) * z[u]!;
          s += v;
          a += Math.abs(v);
        }
        out[t] = s;
        mag[t] = a;
      }
      return;
    }
    const idx = new Int32Array(m);
    for (let t = 0; t < m; t++) idx[t] = this.pos[cols[t]!]!;
    for (let t = 0; t < m; t++) {
      const o = idx[t]! * this.cap;
      let s = 0, a = 0;
      for (let u = 0; u < m; u++) {
        const v = this.G[o + idx[u]!]! * z[u]!;
        s += v;
        a += Math.abs(v);
      }
      out[t] = s;
      mag[t] = a;
    }
  }

  /** Fills out[off + t] = G(j, cols[t]) for t < count (j and every cols[t] present). */
  row(j: number, cols: ArrayLike<number>, count: number, out: Float64Array, off: number): void {
    const f = this.full;
    if (f !== null) {
      const o = j * this.d.nCols;
      const n = this.d.nRows;
      for (let t = 0; t < count; t++) out[off + t] = f[o + cols[t]!]! / n;
      return;
    }
    const o = this.pos[j]! * this.cap;
    const pos = this.pos;
    for (let t = 0; t < count; t++) out[off + t] = this.G[o + pos[cols[t]!]!]!;
  }
}

/**
 * The dense matrix M of the system (row-major m×m). With a cache the feature block comes from it;
 * the ones row/column (logistic intercept) is X_c,jᵀw/n and Σw/n.
 */
export function buildSystemMatrix(sys: SupportSystem, cache: GramCache | null): Float64Array {
  const { d, cols, ones, w, ridge } = sys;
  const s = cols.length;
  const m = s + (ones ? 1 : 0);
  const n = d.nRows;
  const M = new Float64Array(m * m);
  if (cache !== null) {
    cache.ensure(cols, w);
    cache.block(cols, M, m);
  } else {
    const buf = new Float64Array(n);
    for (let u = 0; u < s; u++) {
      colDense(d, cols[u]!, buf);
      if (w !== null) for (let i = 0; i < n; i++) buf[i] *= w[i]!;
      let bs = 0;
      if (d.isSparse) for (let i = 0; i < n; i++) bs += buf[i]!;
      for (let t = 0; t <= u; t++) {
        const g = colDot(d, cols[t]!, buf, bs) / n;
        M[t * m + u] = g;
        M[u * m + t] = g;
      }
    }
  }
  if (ridge !== 0) for (let t = 0; t < s; t++) M[t * m + t] += ridge;
  if (ones) {
    const ww = w ?? new Float64Array(n).fill(1);
    let sw = 0;
    for (let i = 0; i < n; i++) sw += ww[i]!;
    for (let t = 0; t < s; t++) {
      let g = 0;
      const j = cols[t]!;
      // X_jᵀ w (uncentred logistic design: implicit means are 0)
      g = colDot(d, j, ww, sw) / n;
      M[t * m + s] = g;
      M[s * m + t] = g;
    }
    M[s * m + s] = sw / n;
  }
  return M;
}

/** Pivot statistics of a support factorisation (see `choleskyRankRevealing` in src/linalg/dense). */
export type CholeskyInfo = CholeskyPivotInfo;

/** out ← M v for the system (matrix-free: O(n·|S|) for dense X). `tmp` has length n. */
export function systemMatvec(sys: SupportSystem, v: Float64Array, out: Float64Array, tmp: Float64Array): void {
  const { d, cols, ones, w, ridge } = sys;
  const n = d.nRows;
  const s = cols.length;
  tmp.fill(0);
  let tsum = 0;
  for (let t = 0; t < s; t++) {
    const a = v[t]!;
    if (a !== 0) tsum += colAddRaw(d, cols[t]!, a, tmp);
  }
  if (ones) {
    const b = v[s]!;
    for (let i = 0; i < n; i++) tmp[i] += b;
  }
  if (d.isSparse) {
    // exact sum of the raw vector (needed by colDot's implicit-mean correction)
    tsum = 0;
    for (let i = 0; i < n; i++) tsum += tmp[i]!;
  }
  if (w === null) {
    for (let t = 0; t < s; t++) out[t] = colDot(d, cols[t]!, tmp, tsum) / n + ridge * v[t]!;
  } else {
    for (let t = 0; t < s; t++) out[t] = colDotW(d, cols[t]!, w, tmp) / n + ridge * v[t]!;
    if (ones) {
      let g = 0;
      for (let i = 0; i < n; i++) g += w[i]! * tmp[i]!;
      out[s] = g / n;
    }
  }
  if (ones && w === null) {
    let g = 0;
    for (let i = 0; i < n; i++) g += tmp[i]!;
    out[s] = g / n;
  }
}

/** Diagonal of M (for the Jacobi preconditioner and coordinate descent). */
export function systemDiagonal(sys: SupportSystem): Float64Array {
  const { d, cols, ones, w, ridge } = sys;
  const n = d.nRows;
  const s = cols.length;
  const out = new Float64Array(s + (ones ? 1 : 0));
  if (w === null) {
    for (let t = 0; t < s; t++) out[t] = d.colNormsSq[cols[t]!]! / n + ridge;
    if (ones) out[s] = 1;
    return out;
  }
  const buf = new Float64Array(n);
  for (let t = 0; t < s; t++) {
    colDense(d, cols[t]!, buf);
    let g = 0;
    for (let i = 0; i < n; i++) g += w[i]! * buf[i]! * buf[i]!;
    out[t] = g / n + ridge;
  }
  if (ones) {
    let g = 0;
    for (let i = 0; i < n; i++) g += w[i]!;
    out[s] = g / n;
  }
  return out;
}

/** Result of `conjugateGradient`. */
export interface CgReport {
  readonly iterations: number;
  readonly converged: boolean;
  /** Final true ‖b − Mx‖ / ‖b‖. */
  readonly relativeResidual: number;
}

/**
 * Jacobi-preconditioned conjugate gradients for M x = b on the support system, by the library's
 * `cg` (src/linalg/iterative: true-residual stopping ‖b − Mx‖ ≤ tol·‖b‖, restarts on drift);
 * `x` holds the initial guess (warm start) and receives the solution.
 */
export function conjugateGradient(
  sys: SupportSystem, b: Float64Array, x: Float64Array, opts: { tol: number; maxIter: number },
): CgReport {
  const tmp = new Float64Array(sys.d.nRows);
  const diag = systemDiagonal(sys);
  const res = cg((v, out) => systemMatvec(sys, v, out, tmp), b, {
    x0: x, tol: opts.tol, maxIter: opts.maxIter, onFailure: 'return',
    M: (r, z) => {
      for (let i = 0; i < r.length; i++) z[i] = diag[i]! > 0 ? r[i]! / diag[i]! : r[i]!;
    },
  });
  x.set(res.x);
  return { iterations: res.iterations, converged: res.converged, relativeResidual: res.relativeResidual };
}
