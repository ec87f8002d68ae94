/**
 * @file Rank-revealing Cholesky of a symmetric positive SEMI-definite matrix and its low-rank
 * maintenance (append a row/column, delete one), for systems that change a little at a time — the
 * support systems of the Lasso hypergradients, whose support gains and loses features between
 * consecutive λ. Unlike {@link choleskyFactor} (which throws on a non-positive pivot), a pivot that
 * falls below `rankTol` times its diagonal entry is REPORTED (`ok: false`, the pivot ratios) and
 * floored, so the caller decides what a numerically rank-deficient matrix means (an invertibility
 * diagnostic) and can still run a regularised solve.
 *
 * From order 96 the factorisation runs blocked (panel and trailing updates on the gemm kernel of
 * src/kernels; the pivots are the same up to the order of the sums). A factor stored by
 * `createTriMatrix` (src/kernels/tri_wasm.ts: a WebAssembly memory of its own) is solved, appended
 * to and deleted from by the SIMD kernels of src/kernels/wasm/tri.wat; the loops here are their
 * reference and the path of plain arrays and of the 'js' backend.
 *
 * Storage: the lower triangle of a row-major array with row stride `stride` ≥ m (so a factor can
 * grow in a larger buffer without copies); the strict upper triangle is never read.
 *
 *   append:  [A g; gᵀ d] = [L 0; lᵀ δ][Lᵀ l; 0 δ],  L l = g (forward substitution), δ² = d − ‖l‖²;
 *   delete k: the trailing block B (rows/cols > k) becomes chol(B Bᵀ + x xᵀ), x = L[k+1.., k], by
 *            Givens rotations (a rank-one update), then row and column k are removed.
 */
import { gemmStrided } from '../../kernels/blas.js';
import { triAppendRows, triDelete, triSolve, triSubstitute, triSubstituteRow } from '../../kernels/tri_wasm.js';

/** Pivot statistics of a rank-revealing factorisation. */
export interface CholeskyPivotInfo {
  /** False if a pivot fell below `rankTol` times its diagonal entry (numerically rank deficient). */
  readonly ok: boolean;
  /** min_k d_k / A_kk over pivots d_k = L_kk² (1 = orthogonal columns, 0 = exactly dependent). */
  readonly minPivotRatio: number;
  /** Index of the worst pivot (−1 for an empty matrix). */
  readonly worstIndex: number;
  /** (max_k L_kk / min_k L_kk)², a cheap estimate of the condition number (a lower bound up to a modest factor). */
  readonly conditionEstimate: number;
}

/** Σ_{k<len} A[a+k]·A[b+k] with four accumulators. */
function rowDot(A: Float64Array, a: number, b: number, len: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let k = 0;
  for (; k + 3 < len; k += 4) {
    s0 += A[a + k]! * A[b + k]!;
    s1 += A[a + k + 1]! * A[b + k + 1]!;
    s2 += A[a + k + 2]! * A[b + k + 2]!;
    s3 += A[a + k + 3]! * A[b + k + 3]!;
  }
  for (; k < len; k++) s0 += A[a + k]! * A[b + k]!;
  return s0 + s1 + s2 + s3;
}

/**
 * In-place rank-revealing Cholesky A = L Lᵀ of the row-major m×m `A` (lower triangle overwritten;
 * upper triangle untouched). A pivot d_k ≤ rankTol·A_kk is reported (`ok: false`) and replaced by
 * rankTol·A_kk (or a tiny positive number). `rawOut[k]` receives every pivot ratio before flooring.
 *
 * @example
 * const A = Float64Array.of(4, 2, 2, 1);      // rank 1
 * choleskyRankRevealing(A, 2).ok;              // false, minPivotRatio 0
 */
export function choleskyRankRevealing(A: Float64Array, m: number, rankTol = 1e-10, rawOut?: Float64Array): CholeskyPivotInfo {
  if (m === 0) return { ok: true, minPivotRatio: 1, worstIndex: -1, conditionEstimate: 1 };
  const st: PivotState = { ok: true, minRatio: Infinity, worst: -1, lmax: 0, lmin: Infinity };
  const diag = new Float64Array(m);
  let dmax = 0;
  for (let k = 0; k < m; k++) {
    diag[k] = A[k * m + k]!;
    dmax = Math.max(dmax, diag[k]!);
  }
  if (m < RR_BLOCKED_MIN) {
    factorColumns(A, m, 0, m, m, diag, dmax, rankTol, rawOut, st);
  } else {
    // right-looking blocked form: the same pivots (up to the order of the sums), most of the
    // m³/3 multiply-adds on the gemm kernel. Block column [k0, k1):
    //   1. diagonal block by column substitution (pivots, flooring), the sums restricted to
    //      k ∈ [k0, j) (earlier columns were subtracted by step 3 of the previous blocks);
    //   2. panel L21 = A21·L11⁻ᵀ by strips of RR_STRIP columns: substitution inside a strip, one
    //      gemm applies the finished strip to the panel columns right of it;
    //   3. trailing lower triangle A22 −= L21·L21ᵀ (diagonal blocks through a scratch block so the
    //      strict upper triangle stays untouched).
    const T = new Float64Array(RR_BLOCK * RR_BLOCK);
    for (let k0 = 0; k0 < m; k0 += RR_BLOCK) {
      const k1 = Math.min(m, k0 + RR_BLOCK);
      const nb = k1 - k0;
      factorColumns(A, m, k0, k1, k1, diag, dmax, rankTol, rawOut, st, k0);
      if (k1 >= m) break;
      for (let c0 = k0; c0 < k1; c0 += RR_STRIP) {
        const c1 = Math.min(k1, c0 + RR_STRIP);
        for (let i = k1; i < m; i++) {
          const ri = i * m;
          for (let j = c0; j < c1; j++) {
            const rj = j * m;
            A[ri + j] = (A[ri + j]! - rowDot(A, ri + c0, rj + c0, j - c0)) / A[rj + j]!;
          }
        }
        if (c1 < k1) gemmStrided(false, true, m - k1, k1 - c1, c1 - c0, -1, A, k1 * m + c0, m, A, c1 * m + c0, m, 1, A, k1 * m + c1, m);
      }
      for (let r0 = k1; r0 < m; r0 += RR_BLOCK) {
        const r1 = Math.min(m, r0 + RR_BLOCK);
        const rb = r1 - r0;
        if (r0 > k1) gemmStrided(false, true, rb, r0 - k1, nb, -1, A, r0 * m + k0, m, A, k1 * m + k0, m, 1, A, r0 * m + k1, m);
        gemmStrided(false, true, rb, rb, nb, 1, A, r0 * m + k0, m, A, r0 * m + k0, m, 0, T, 0, rb);
        for (let i = 0; i < rb; i++) {
          const ri = (r0 + i) * m + r0;
          for (let j = 0; j <= i; j++) A[ri + j] -= T[i * rb + j]!;
        }
      }
    }
  }
  return { ok: st.ok, minPivotRatio: Math.max(0, st.minRatio), worstIndex: st.worst, conditionEstimate: (st.lmax / st.lmin) ** 2 };
}

/** Orders at or above which `choleskyRankRevealing` runs blocked (gemm trailing updates). */
const RR_BLOCKED_MIN = 96;
/** Block size of the blocked rank-revealing Cholesky. */
const RR_BLOCK = 48;
/** Strip width of the panel substitution (substitution inside a strip, one gemm across strips). */
const RR_STRIP = 8;

/** Running pivot statistics. */
interface PivotState {
  ok: boolean;
  minRatio: number;
  worst: number;
  lmax: number;
  lmin: number;
}

/**
 * Factors columns [c0, c1) of the row-major m×m A in place, rows j..rEnd of each: pivot
 * s = A_jj − Σ_{k∈[kFrom, j)} L_jk² (floored below rankTol·A_jj, reported), then
 * L_ij = (A_ij − Σ_{k∈[kFrom, j)} L_ik L_jk)/L_jj for i > j. Columns before kFrom must already
 * have been subtracted from A (kFrom = 0: the plain unblocked factorisation).
 */
function factorColumns(
  A: Float64Array, m: number, c0: number, c1: number, rEnd: number, diag: Float64Array, dmax: number, rankTol: number,
  rawOut: Float64Array | undefined, st: PivotState, kFrom = 0,
): void {
  for (let j = c0; j < c1; j++) {
    const rj = j * m;
    let s = A[rj + j]! - rowDot(A, rj + kFrom, rj + kFrom, j - kFrom);
    const ref = diag[j]! > 0 ? diag[j]! : dmax > 0 ? dmax : 1;
    const ratio = s / ref;
    if (rawOut !== undefined) rawOut[j] = ratio;
    if (ratio < st.minRatio) {
      st.minRatio = ratio;
      st.worst = j;
    }
    if (!(ratio > rankTol)) {
      st.ok = false;
      s = Math.max(rankTol * ref, 1e-300);
    }
    const ljj = Math.sqrt(s);
    A[rj + j] = ljj;
    if (ljj > st.lmax) st.lmax = ljj;
    if (ljj < st.lmin) st.lmin = ljj;
    const inv = 1 / ljj;
    for (let i = j + 1; i < rEnd; i++) {
      const ri = i * m;
      A[ri + j] = (A[ri + j]! - rowDot(A, ri + kFrom, rj + kFrom, j - kFrom)) * inv;
    }
  }
}

/**
 * Solves L Lᵀ x = b in place (b becomes x) with the lower factor `L` of order m stored with row
 * stride `stride` (default m). A factor stored by `createTriMatrix` (src/kernels/tri_wasm.ts) is
 * solved by the WebAssembly SIMD kernels (back substitution in axpy form: the same values up to the
 * order of the sums); otherwise by the loops below.
 *
 * @example
 * const L = Float64Array.of(2, 0, 1, 2);      // A = [[4, 2], [2, 5]]
 * const b = Float64Array.of(6, 7);
 * choleskySolveStrided(L, 2, b);               // b = [1, 1]
 */
export function choleskySolveStrided(L: Float64Array, m: number, b: Float64Array, stride = m): void {
  if (triSolve(L, m, stride, b)) return;
  for (let i = 0; i < m; i++) {
    let t = b[i]!;
    const ri = i * stride;
    for (let k = 0; k < i; k++) t -= L[ri + k]! * b[k]!;
    b[i] = t / L[ri + i]!;
  }
  for (let i = m - 1; i >= 0; i--) {
    let t = b[i]!;
    for (let k = i + 1; k < m; k++) t -= L[k * stride + i]! * b[k]!;
    b[i] = t / L[i * stride + i]!;
  }
}

/**
 * Appends row/column m to the factor of order m (stride `stride` > m): row m of `L` holds on
 * entry g = A[m, 0..m) and receives l = L⁻¹g and the pivot δ = √(d − ‖l‖²). A pivot ratio
 * (d − ‖l‖²)/d ≤ rankTol is floored as in {@link choleskyRankRevealing}; the raw ratio is returned
 * then (NaN otherwise). The substitution runs in the WebAssembly SIMD kernel when `L` is stored by
 * `createTriMatrix` (the same values up to the order of the sums).
 */
export function choleskyAppendInPlace(L: Float64Array, m: number, stride: number, d: number, rankTol = 1e-10): number {
  const row = m * stride;
  if (triSubstitute(L, m, stride, m, 1, ssOne)) return setPivot(L, row + m, d, ssOne[0]!, rankTol);
  let ss = 0;
  for (let t = 0; t < m; t++) {
    const rt = t * stride;
    const v = (L[row + t]! - rowDot(L, rt, row, t)) / L[rt + t]!;
    L[row + t] = v;
    ss += v * v;
  }
  return setPivot(L, row + m, d, ss, rankTol);
}

/** Scratch of the single append's SIMD substitution (its Σ l²). */
const ssOne = new Float64Array(1);

/**
 * Writes the new diagonal entry √(d − ‖l‖²) at L[at], floored at rankTol·d (d ≤ 0: rankTol) when the
 * new column is (numerically) dependent on the factored ones; returns the raw pivot ratio
 * max(0, (d − ‖l‖²)/d) when it floored, else NaN.
 */
function setPivot(L: Float64Array, at: number, d: number, ss: number, rankTol: number): number {
  let piv = d - ss;
  const ref = d > 0 ? d : 1;
  let raw = NaN;
  if (!(piv > rankTol * ref)) {
    raw = Math.max(0, piv / ref);
    piv = Math.max(rankTol * ref, 1e-300);
  }
  L[at] = Math.sqrt(piv);
  return raw;
}

/**
 * Column block of the gemm-blocked append, and the sizes from which it is used (measured at
 * n = 500-type supports: 8 rows onto 140 0.097 → 0.041 ms, 7 onto 280 0.32 → 0.12 ms, 18 onto
 * 280 0.84 → 0.25 ms; two rows onto 140 lose to the plain substitution, the gemm's packing then
 * dominates).
 */
/**
 * Forward substitution of four new rows (starting at L[w0], consecutive rows `stride` apart) in
 * the block of columns [b0, b0 + nb), adding their squares to ss[e .. e+3]: independent chains
 * sharing the reads of row t. A function of its own, called per four rows, so that it is optimised
 * from complete type feedback: as a loop inside `choleskyAppendRowsInPlace` it was compiled on
 * stack replacement during the first long call and deoptimised at every later call at the
 * not-yet-run loops after it (issue 12: six deoptimisations and four compilations per tuning).
 */
function substituteFour(L: Float64Array, w0: number, b0: number, nb: number, stride: number, ss: Float64Array, e: number): void {
  const w1 = w0 + stride, w2 = w1 + stride, w3 = w2 + stride;
  let q0 = ss[e]!, q1 = ss[e + 1]!, q2 = ss[e + 2]!, q3 = ss[e + 3]!;
  for (let u = 0; u < nb; u++) {
    const rt = (b0 + u) * stride + b0;
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    for (let k = 0; k < u; k++) {
      const l = L[rt + k]!;
      a0 += l * L[w0 + k]!;
      a1 += l * L[w1 + k]!;
      a2 += l * L[w2 + k]!;
      a3 += l * L[w3 + k]!;
    }
    const ltt = L[rt + u]!;
    const v0 = (L[w0 + u]! - a0) / ltt;
    const v1 = (L[w1 + u]! - a1) / ltt;
    const v2 = (L[w2 + u]! - a2) / ltt;
    const v3 = (L[w3 + u]! - a3) / ltt;
    L[w0 + u] = v0;
    L[w1 + u] = v1;
    L[w2 + u] = v2;
    L[w3 + u] = v3;
    q0 += v0 * v0;
    q1 += v1 * v1;
    q2 += v2 * v2;
    q3 += v3 * v3;
  }
  ss[e] = q0;
  ss[e + 1] = q1;
  ss[e + 2] = q2;
  ss[e + 3] = q3;
}

const APPEND_BLOCK = 32;
const APPEND_GEMM_MIN_ORDER = 64;
const APPEND_GEMM_MIN_WORK = 50_000;

/**
 * Appends q rows/columns at once to the factor of order m (stride `stride` ≥ m + q): row m + e of
 * `L` holds on entry g_e = A[m + e, 0..m + e) and receives the factor row, as q successive calls
 * of {@link choleskyAppendInPlace} would, with `d[e]` = A[m + e, m + e]; `rawOut[e]` receives the
 * raw pivot ratio of a floored row (NaN otherwise). The substitution X L₁₁ᵀ = G against the m
 * existing rows (q·m²/2 multiply-adds, the whole cost) runs blocked when it is large: for each
 * column block [b0, b0 + 32), G[:, blk] −= X[:, 0..b0) L[blk, 0..b0)ᵀ by one gemm (the
 * WebAssembly SIMD kernel), then a substitution inside the block, four new rows at a time (the
 * same values as the successive appends up to the order of the sums; small cases are the
 * successive appends). A factor stored by `createTriMatrix` is extended in one WebAssembly call
 * (`triAppendRows`: substitution, the new rows against each other and the floored pivots, the same
 * bits as the kernel-by-kernel path below) or, when its scratch is too short, substitutes all q rows
 * against the m existing ones in the SIMD kernel (four rows per pass over the factor).
 *
 * @example
 * // factor of [[4]] extended by two features: A = [[4, 2, 0], [2, 2, 1], [0, 1, 2]]
 * const L = new Float64Array(9); L[0] = 2; L[3] = 2; L[6] = 0; L[7] = 1;
 * choleskyAppendRowsInPlace(L, 1, 2, 3, Float64Array.of(2, 2), 1e-10, new Float64Array(2));
 * // L = [2, 0, 0, 1, 1, 0, 0, 1, 1]
 */
export function choleskyAppendRowsInPlace(
  L: Float64Array, m: number, q: number, stride: number, d: ArrayLike<number>, rankTol: number, rawOut: Float64Array,
): void {
  if (!triAppendRows(L, m, q, stride, d, rankTol, rawOut)) choleskyAppendRowsStepwise(L, m, q, stride, d, rankTol, rawOut);
}

/**
 * `choleskyAppendRowsInPlace` without the one-call kernel `triAppendRows`: the substitution kernel
 * (or the blocked / successive TypeScript appends), then the new rows against each other and the
 * pivots. The reference `triAppendRows` is tested against (the same bits).
 * @internal
 *
 * @example
 * choleskyAppendRowsStepwise(L, 1, 2, 3, Float64Array.of(2, 2), 1e-10, new Float64Array(2));
 */
export function choleskyAppendRowsStepwise(
  L: Float64Array, m: number, q: number, stride: number, d: ArrayLike<number>, rankTol: number, rawOut: Float64Array,
): void {
  const ss = new Float64Array(q);
  if (triSubstitute(L, m, stride, m, q, ss)) {
    newRowsTail(L, m, q, stride, d, rankTol, rawOut, ss);
    return;
  }
  if (!(q >= 2 && m >= APPEND_GEMM_MIN_ORDER && q * m * m >= APPEND_GEMM_MIN_WORK)) {
    for (let e = 0; e < q; e++) rawOut[e] = choleskyAppendInPlace(L, m + e, stride, d[e]!, rankTol);
    return;
  }
  // blocked: columns [b0, b0 + nb) of the new rows get −X[:, 0..b0) L[b0.., 0..b0)ᵀ from one gemm
  // (the WebAssembly SIMD kernel), then a substitution inside the block
  for (let b0 = 0; b0 < m; b0 += APPEND_BLOCK) {
    const nb = Math.min(APPEND_BLOCK, m - b0);
    if (b0 > 0) gemmStrided(false, true, q, nb, b0, -1, L, m * stride, stride, L, b0 * stride, stride, 1, L, m * stride + b0, stride);
    let e = 0;
    for (; e + 3 < q; e += 4) substituteFour(L, (m + e) * stride + b0, b0, nb, stride, ss, e);
    for (; e < q; e++) {
      const row = (m + e) * stride;
      let s2 = ss[e]!;
      for (let t = b0; t < b0 + nb; t++) {
        const rt = t * stride;
        const v = (L[row + t]! - rowDot(L, rt + b0, row + b0, t - b0)) / L[rt + t]!;
        L[row + t] = v;
        s2 += v * v;
      }
      ss[e] = s2;
    }
  }
  newRowsTail(L, m, q, stride, d, rankTol, rawOut, ss);
}

/**
 * The appended rows m .. m + q against each other, in order (each needs the previous new rows'
 * pivots), given ss[e] = Σ_{t<m} L[m + e, t]²; writes the pivots.
 */
function newRowsTail(L: Float64Array, m: number, q: number, stride: number, d: ArrayLike<number>, rankTol: number, rawOut: Float64Array, ss: Float64Array): void {
  for (let e = 0; e < q; e++) {
    const row = (m + e) * stride;
    const me = m + e;
    let s2 = ss[e]!;
    // a factor stored by `createTriMatrix`: the SIMD kernel (NaN: the loop below)
    const sk = e > 0 ? triSubstituteRow(L, stride, m, me, me) : 0;
    if (!Number.isNaN(sk)) {
      rawOut[e] = setPivot(L, row + me, d[e]!, s2 + sk, rankTol);
      continue;
    }
    for (let t = m; t < me; t++) {
      const rt = t * stride;
      const v = (L[row + t]! - rowDot(L, rt, row, t)) / L[rt + t]!;
      L[row + t] = v;
      s2 += v * v;
    }
    rawOut[e] = setPivot(L, row + me, d[e]!, s2, rankTol);
  }
}

/**
 * Deletes row/column k from the factor of order m (stride `stride`): rank-one update of the
 * trailing block by Givens rotations, then compaction (rows below k move up, columns right of k
 * move left). O((m − k)²).
 */
export function choleskyDeleteInPlace(L: Float64Array, m: number, stride: number, k: number): void {
  const len = m - k - 1;
  // Givens rotations, row by row of the trailing block (contiguous reads): rotation t (built on
  // row t from its diagonal ℓ and the rotated x_t: r = hypot(ℓ, x_t) (`givensNorm`), c = ℓ/r, s = x_t/r) maps
  // (b, x) ↦ (c·b + s·x, c·x − s·b) on the entries of column t of rows i > t, applied in
  // increasing t. Division-free: within a row the rotations form one dependency chain through x
  // (two operations per link; the former form (b + s·x)/c put a division on it), and four rows run
  // interleaved: rotations 0..i0−1 are known for rows i0..i0+3, whose chains are independent (same
  // arithmetic per row: the result is bit-identical to one row at a time).
  // a factor stored by `createTriMatrix`: the same rotations and compaction in the WebAssembly
  // SIMD kernel (column by column, two rows per f64x2; the same bits)
  if (triDelete(L, m, stride, k)) return;
  deleteRotationsJs(L, stride, k, len);
  // remove row and column k: shift rows k+1.. up, their columns right of k left
  for (let i = k + 1; i < m; i++) {
    const src = i * stride;
    const dst = (i - 1) * stride;
    L.copyWithin(dst, src, src + k);
    L.copyWithin(dst + k, src + k + 1, src + i + 1);
  }
}

/**
 * r = √(a² + b²) directly when r ∈ (1e-150, 1e150) (no overflow; the smaller square's underflow is
 * below ε·r²), else `Math.hypot`; tri.wat `$hyp` computes the same bits (no call into JS per row).
 */
function givensNorm(a: number, b: number): number {
  const r = Math.sqrt(a * a + b * b);
  return r > 1e-150 && r < 1e150 ? r : Math.hypot(a, b);
}

/** The rotations of `choleskyDeleteInPlace` on the `len` rows below row k (TypeScript). */
function deleteRotationsJs(L: Float64Array, stride: number, k: number, len: number): void {
  const cs = new Float64Array(len);
  const sn = new Float64Array(len);
  const c0 = k + 1;
  let i0 = 0;
  for (; i0 + 3 < len; i0 += 4) {
    const a0 = (c0 + i0) * stride + c0;
    const a1 = a0 + stride, a2 = a1 + stride, a3 = a2 + stride;
    let x0 = L[a0 - 1]!, x1 = L[a1 - 1]!, x2 = L[a2 - 1]!, x3 = L[a3 - 1]!;
    for (let t = 0; t < i0; t++) {
      const c = cs[t]!, s = sn[t]!;
      const l0 = L[a0 + t]!, l1 = L[a1 + t]!, l2 = L[a2 + t]!, l3 = L[a3 + t]!;
      L[a0 + t] = c * l0 + s * x0;
      L[a1 + t] = c * l1 + s * x1;
      L[a2 + t] = c * l2 + s * x2;
      L[a3 + t] = c * l3 + s * x3;
      x0 = c * x0 - s * l0;
      x1 = c * x1 - s * l1;
      x2 = c * x2 - s * l2;
      x3 = c * x3 - s * l3;
    }
    givensRow(L, a0, i0, x0, i0, cs, sn);
    givensRow(L, a1, i0 + 1, x1, i0, cs, sn);
    givensRow(L, a2, i0 + 2, x2, i0, cs, sn);
    givensRow(L, a3, i0 + 3, x3, i0, cs, sn);
  }
  for (let i = i0; i < len; i++) {
    const ri = (c0 + i) * stride + c0;
    givensRow(L, ri, i, L[ri - 1]!, 0, cs, sn);
  }
}

/**
 * Row i of the trailing block (entries at `ri + t`, its x entry `xi` already rotated by rotations
 * 0..from−1): applies rotations from..i−1, then builds rotation i from the diagonal.
 */
function givensRow(L: Float64Array, ri: number, i: number, xi: number, from: number, cs: Float64Array, sn: Float64Array): void {
  for (let t = from; t < i; t++) {
    const c = cs[t]!, s = sn[t]!;
    const l = L[ri + t]!;
    L[ri + t] = c * l + s * xi;
    xi = c * xi - s * l;
  }
  const btt = L[ri + i]!;
  const r = givensNorm(btt, xi);
  cs[i] = btt / r;
  sn[i] = xi / r;
  L[ri + i] = r;
}
