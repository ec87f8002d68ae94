/**
 * @file Column kernels of prepared Lasso designs: O(nnz) passes used for gaps, screening,
 * gradients and residual recomputation (the CD hot loops live in cd_epochs.ts / logreg.ts):
 * X_cᵀv (`colDots`, fused pair `colDots2`), X_c β (`matvec`), `colAxpy`, ‖X_c‖₂² by power
 * iteration (`spectralNormSq`), and active-list helpers. Dense designs with a WebAssembly engine run
 * them in the engine (kernels/wasm_lasso.ts); CSC designs correct for implicit centring
 * (X_c,jᵀr = X_jᵀr − μ_j Σr).
 */
import { checkOptions } from '../core/options.js';
import type { PreparedDesign } from './design.js';
import { ptrIn, stageCols, stageVec, unstage } from '../kernels/wasm_lasso.js';
import { runCols } from '../kernels/team.js';
// ---------------------------------------------------------------------------------------------
// Column kernels (not the CD hot loop, which lives in cd.ts / logreg.ts, but O(nnz) passes used
// for gaps, screening, gradients and residual recomputation).
// ---------------------------------------------------------------------------------------------

/**
 * X[o .. o+n) · r for a dense column-major X (column j starts at o = j·n): four accumulators, the
 * JavaScript twin of the WebAssembly `dots`. Shared by `colDots` and the dense CD epoch.
 */
export function denseColDot(X: Float64Array, o: number, r: Float64Array, n: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    s0 += X[o + i]! * r[i]!;
    s1 += X[o + i + 1]! * r[i + 1]!;
    s2 += X[o + i + 2]! * r[i + 2]!;
    s3 += X[o + i + 3]! * r[i + 3]!;
  }
  for (; i < n; i++) s0 += X[o + i]! * r[i]!;
  return s0 + s1 + s2 + s3;
}

/** Σ r. */
export function vecSum(n: number, r: Float64Array): number {
  let s0 = 0, s1 = 0;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    s0 += r[i]!;
    s1 += r[i + 1]!;
  }
  if (i < n) s0 += r[i]!;
  return s0 + s1;
}

/**
 * out[j] = X_c,jᵀ r for j in `cols[0..count)` (or all columns when `cols` is null).
 * `rSum` must be Σ r (used for the implicit centring of CSC columns; pass 0 otherwise).
 */
export function colDots(d: PreparedDesign, r: Float64Array, rSum: number, cols: Int32Array | null, count: number, out: Float64Array): void {
  const n = d.nRows;
  const m = cols === null ? d.nCols : count;
  const X = d.data;
  const e = d.wasm;
  if (e !== null) {
    const vp = stageVec(e, r, e.vecA, n);
    const cp = stageCols(e, cols, m);
    const op = ptrIn(e, out);
    runCols(e.team, 'dots', n * m, e.xPtr, n, cp, m, vp, op >= 0 ? op : e.outA.byteOffset);
    if (op < 0) unstage(e.outA, out, cols, m);
    return;
  }
  if (!d.isSparse) {
    for (let t = 0; t < m; t++) {
      const j = cols === null ? t : cols[t]!;
      out[j] = denseColDot(X, j * n, r, n);
    }
    return;
  }
  const { indptr, indices } = d;
  const mu = d.implicitMeans;
  for (let t = 0; t < m; t++) {
    const j = cols === null ? t : cols[t]!;
    let s = 0;
    const b = indptr[j + 1]!;
    for (let k = indptr[j]!; k < b; k++) s += X[k]! * r[indices[k]!]!;
    out[j] = s - mu[j]! * rSum;
  }
}

/**
 * Fused pair of `colDots`: outA[j] = X_c,jᵀ a and outB[j] = X_c,jᵀ b in ONE pass over X (X is the
 * memory-bound operand, so two products cost about one).
 */
export function colDots2(
  d: PreparedDesign,
  a: Float64Array, aSum: number, b: Float64Array, bSum: number,
  cols: Int32Array | null, count: number, outA: Float64Array, outB: Float64Array,
): void {
  const n = d.nRows;
  const m = cols === null ? d.nCols : count;
  const X = d.data;
  const e = d.wasm;
  if (e !== null) {
    const ap = stageVec(e, a, e.vecA, n);
    const bp = stageVec(e, b, e.vecB, n);
    const cp = stageCols(e, cols, m);
    const oa = ptrIn(e, outA);
    const ob = ptrIn(e, outB);
    // (column halves on two threads when a partner can take one: team.ts, the same bits)
    runCols(e.team, 'dots2', n * m, e.xPtr, n, cp, m, ap, bp, oa >= 0 ? oa : e.outA.byteOffset, ob >= 0 ? ob : e.outB.byteOffset);
    if (oa < 0) unstage(e.outA, outA, cols, m);
    if (ob < 0) unstage(e.outB, outB, cols, m);
    return;
  }
  if (!d.isSparse) {
    for (let t = 0; t < m; t++) {
      const j = cols === null ? t : cols[t]!;
      const o = j * n;
      let s0 = 0, s1 = 0, u0 = 0, u1 = 0;
      let i = 0;
      for (; i + 1 < n; i += 2) {
        const x0 = X[o + i]!;
        const x1 = X[o + i + 1]!;
        s0 += x0 * a[i]!;
        s1 += x1 * a[i + 1]!;
        u0 += x0 * b[i]!;
        u1 += x1 * b[i + 1]!;
      }
      if (i < n) {
        s0 += X[o + i]! * a[i]!;
        u0 += X[o + i]! * b[i]!;
      }
      outA[j] = s0 + s1;
      outB[j] = u0 + u1;
    }
    return;
  }
  const { indptr, indices } = d;
  const mu = d.implicitMeans;
  for (let t = 0; t < m; t++) {
    const j = cols === null ? t : cols[t]!;
    let s = 0, u = 0;
    const e = indptr[j + 1]!;
    for (let k = indptr[j]!; k < e; k++) {
      const v = X[k]!;
      const i = indices[k]!;
      s += v * a[i]!;
      u += v * b[i]!;
    }
    outA[j] = s - mu[j]! * aSum;
    outB[j] = u - mu[j]! * bSum;
  }
}

/** r ← r + α·X_c,j (for CSC with implicit centring this is O(n): only for non-hot uses). */
export function colAxpy(d: PreparedDesign, j: number, alpha: number, r: Float64Array): void {
  const n = d.nRows;
  const X = d.data;
  if (!d.isSparse) {
    const o = j * n;
    for (let i = 0; i < n; i++) r[i] += alpha * X[o + i]!;
    return;
  }
  const { indptr, indices } = d;
  const e = indptr[j + 1]!;
  for (let k = indptr[j]!; k < e; k++) r[indices[k]!] += alpha * X[k]!;
  const shift = alpha * d.implicitMeans[j]!;
  if (shift !== 0) for (let i = 0; i < n; i++) r[i] -= shift;
}

/** out ← X_c β (zero coefficients are skipped, so this costs O(n·nnz(β)) for dense X). */
export function matvec(d: PreparedDesign, beta: Float64Array, out: Float64Array): void {
  const n = d.nRows;
  const p = d.nCols;
  out.fill(0, 0, n);
  const X = d.data;
  const e = d.wasm;
  if (e !== null) {
    const bp = stageVec(e, beta, e.outB, p);
    const op = ptrIn(e, out);
    if (op < 0) e.vecA.fill(0);
    // four non-zero columns per pass over out (`gemvSkip4`: the bits of `gemvSkip`, round cv5)
    e.gemvSkip4(e.xPtr, n, p, bp, op >= 0 ? op : e.vecA.byteOffset);
    if (op < 0) out.set(e.vecA);
    return;
  }
  if (!d.isSparse) {
    for (let j = 0; j < p; j++) {
      const bj = beta[j]!;
      if (bj === 0) continue;
      const o = j * n;
      for (let i = 0; i < n; i++) out[i] += bj * X[o + i]!;
    }
    return;
  }
  const { indptr, indices } = d;
  const mu = d.implicitMeans;
  let shift = 0;
  for (let j = 0; j < p; j++) {
    const bj = beta[j]!;
    if (bj === 0) continue;
    shift += mu[j]! * bj;
    const e = indptr[j + 1]!;
    for (let k = indptr[j]!; k < e; k++) out[indices[k]!] += bj * X[k]!;
  }
  if (shift !== 0) for (let i = 0; i < n; i++) out[i] -= shift;
}

/**
 * ‖X_c‖₂² (largest eigenvalue of X_cᵀX_c) by power iteration, plus `extraOnes` adds a column of
 * ones (for unpenalised intercepts in un-centred models: ‖[X 1]‖₂²). Deterministic start vector
 * (all ones plus a small ramp), relative tolerance `tol` on the Rayleigh quotient. The estimate is a
 * lower bound that converges from below; callers that need an upper bound (FISTA's step) inflate it
 * slightly.
 *
 * @example
 * spectralNormSq(prepareDesign(denseFromRows([[3, 0], [0, 1]]), { center: false })); // ≈ 9
 */
export function spectralNormSq(d: PreparedDesign, opts: { maxIter?: number; tol?: number; extraOnes?: boolean } = {}): number {
  checkOptions(opts, ['maxIter', 'tol', 'extraOnes'], 'spectralNormSq()');
  const extra = opts.extraOnes ?? false;
  if (!extra && d.spectralNormSqCache !== undefined) return d.spectralNormSqCache;
  const maxIter = opts.maxIter ?? 1000;
  const tol = opts.tol ?? 1e-10;
  const n = d.nRows;
  const p = d.nCols;
  const q = p + (extra ? 1 : 0);
  const v = new Float64Array(q);
  for (let j = 0; j < q; j++) v[j] = 1 + (0.1 * ((j * 7919) % 101)) / 101;
  const u = new Float64Array(n);
  const w = new Float64Array(p);
  let lam = 0;
  let nv = 0;
  for (let j = 0; j < q; j++) nv += v[j]! * v[j]!;
  nv = Math.sqrt(nv);
  for (let j = 0; j < q; j++) v[j]! /= nv;
  for (let it = 0; it < maxIter; it++) {
    // u = [X_c 1] v ; w = [X_c 1]ᵀ u
    matvec(d, v, u);
    if (extra) {
      const c = v[p]!;
      for (let i = 0; i < n; i++) u[i] += c;
    }
    const us = vecSum(n, u);
    colDots(d, u, us, null, p, w);
    let s = 0;
    for (let j = 0; j < p; j++) s += w[j]! * w[j]!;
    if (extra) s += us * us;
    const norm = Math.sqrt(s);
    // Rayleigh quotient vᵀAv with ‖v‖ = 1 is ‖u‖²
    let uu = 0;
    for (let i = 0; i < n; i++) uu += u[i]! * u[i]!;
    const prev = lam;
    lam = uu;
    if (norm === 0) break;
    for (let j = 0; j < p; j++) v[j] = w[j]! / norm;
    if (extra) v[p] = us / norm;
    if (it > 0 && Math.abs(lam - prev) <= tol * lam) break;
  }
  if (!extra) d.spectralNormSqCache = lam;
  return lam;
}

/**
 * Removes from `list[0..count)` the indices j with `flags[j] !== 1`, keeping the order; returns
 * the new count. Used by the solvers to drop screened features from their active lists.
 */
export function compactActiveList(list: Int32Array, count: number, flags: Uint8Array): number {
  let w = 0;
  for (let k = 0; k < count; k++) {
    const j = list[k]!;
    if (flags[j] === 1) list[w++] = j;
  }
  return w;
}

/**
 * The initial active set of the solvers: every feature with a non-zero column (after centring);
 * zero columns can never enter the model. Returns the 0/1 flags, the list and its length.
 */
export function initialActiveSet(colNormsSq: Float64Array): { active: Uint8Array; activeList: Int32Array; nActive: number } {
  const p = colNormsSq.length;
  const active = new Uint8Array(p);
  const activeList = new Int32Array(p);
  let k = 0;
  for (let j = 0; j < p; j++) {
    if (colNormsSq[j]! > 0) {
      active[j] = 1;
      activeList[k++] = j;
    }
  }
  return { active, activeList, nActive: k };
}
