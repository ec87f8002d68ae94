/**
 * @file Factors of the support system M (hypergrad_core.ts) as used by the Lasso-type
 * hypergradients: a `SupportFactor` handle (solve in place, validity), dense factors of the
 * rank-revealing Cholesky, and `IncrementalCholesky`, which maintains the factor of
 * X_c,SᵀX_c,S/n across supports with the append/delete updates of src/linalg/dense/cholesky_update.ts
 * (several rows appended or deleted in one kernel call when the factor lives in its WebAssembly
 * memory: src/kernels/tri_wasm.ts `triAppendRows`, `triDeleteMany`; the same bits).
 */
import type { PreparedDesign } from './design.js';
import {
  choleskyAppendInPlace, choleskyAppendRowsInPlace, choleskyDeleteInPlace, choleskyRankRevealing, choleskySolveStrided,
} from '../linalg/dense/cholesky_update.js';
import { colRead, colDot, countAbsent, type CholeskyInfo, type GramCache } from './hypergrad_core.js';
import { createTriMatrix, releaseTriMatrix, triDeleteMany, triScratch } from '../kernels/tri_wasm.js';

// per-call loops as small functions, optimised early (docs/lasso_performance.md, Round hgtri2)

/** y[perm_t] = b_t for t < m. */
function scatterPerm(b: Float64Array, perm: Int32Array, y: Float64Array, m: number): void {
  for (let t = 0; t < m; t++) y[perm[t]!] = b[t]!;
}

/** b_t = y[perm_t] for t < m. */
function gatherPerm(y: Float64Array, perm: Int32Array, b: Float64Array, m: number): void {
  for (let t = 0; t < m; t++) b[t] = y[perm[t]!]!;
}

/** The diagonal M[t·ld + t], t < m (row stride ld). */
function diagonalOf(M: Float64Array, m: number, ld: number): Float64Array {
  const d = new Float64Array(m);
  for (let t = 0; t < m; t++) d[t] = M[t * ld + t]!;
  return d;
}

/** L[i·cap + j] = M[i·m + j] for j ≤ i < m. */
function copyLower(M: Float64Array, m: number, L: Float64Array, cap: number): void {
  for (let i = 0; i < m; i++) for (let j = 0; j <= i; j++) L[i * cap + j] = M[i * m + j]!;
}

/** Positions (ascending) of `order`'s features not in S (`mark`: zeroed scratch by feature). */
function leavingPositions(order: readonly number[], S: Int32Array, mark: Uint8Array): number[] {
  for (let t = 0; t < S.length; t++) mark[S[t]!] = 1;
  const leaving: number[] = [];
  for (let k = 0; k < order.length; k++) if (mark[order[k]!] === 0) leaving.push(k);
  for (let t = 0; t < S.length; t++) mark[S[t]!] = 0;
  return leaving;
}

/**
 * The bookkeeping of deletions at the ascending positions `ks`: their features leave `order`
 * (position −1), `diagM` and `rawRatio` (the rows from the first deletion on have updated pivots:
 * raw ratio NaN), the positions of the later features move up. As successive `removeAt`s.
 */
function compactAfterDeletions(order: number[], diagM: number[], rawRatio: number[], pos: Int32Array, ks: readonly number[]): void {
  const m = order.length;
  const k0 = ks[0]!;
  let u = 0, w = k0;
  for (let t = k0; t < m; t++) {
    if (u < ks.length && ks[u] === t) {
      pos[order[t]!] = -1;
      u++;
      continue;
    }
    order[w] = order[t]!;
    diagM[w] = diagM[t]!;
    pos[order[w]!] = w;
    w++;
  }
  // pop: setting `length` is a runtime call
  while (order.length > w) {
    order.pop();
    diagM.pop();
    rawRatio.pop();
  }
  for (let t = k0; t < w; t++) rawRatio[t] = NaN;
}

/** `order` followed by the `count` features of S with no position. */
function orderThenAbsent(order: readonly number[], S: Int32Array, pos: Int32Array, count: number): Int32Array {
  const need = new Int32Array(order.length + count);
  for (let u = 0; u < order.length; u++) need[u] = order[u]!;
  let u = order.length;
  for (let t = 0; t < S.length; t++) if (pos[S[t]!]! < 0) need[u++] = S[t]!;
  return need;
}

/** The features of S ordered by |β_j| descending (ties: ascending feature). */
function byMagnitude(S: Int32Array, beta: Float64Array): Int32Array {
  const out = Int32Array.from(S);
  out.sort((a, b) => Math.abs(beta[b]!) - Math.abs(beta[a]!) || a - b);
  return out;
}

/** A factorisation of M on a support, whatever produced it. */
export interface SupportFactor {
  /** Features, in the order of the right-hand sides passed to `solve` (sorted support). */
  readonly cols: Int32Array;
  /** Size of the system (|cols| + ones). */
  readonly m: number;
  readonly info: CholeskyInfo;
  /** Solves M x = b in place (b in `cols` order, ones entry last). */
  solve(b: Float64Array): void;
  /** False once the underlying factor has moved on (incremental factors). */
  valid(): boolean;
}

/** Wraps a dense factor of `choleskyRankRevealing`. */
export function denseFactor(cols: Int32Array, m: number, L: Float64Array, info: CholeskyInfo): SupportFactor {
  return { cols, m, info, solve: (b) => choleskySolveStrided(L, m, b), valid: () => true };
}

/** Pivot statistics of rows [·, to) of the incremental factor at one `version`. */
interface PivotScan {
  readonly minRatio: number;
  readonly worst: number;
  readonly lmax: number;
  readonly lmin: number;
  readonly version: number;
  readonly to: number;
}

/** No scan (version −1): one field shape, no null. */
const NO_SCAN: PivotScan = { minRatio: Infinity, worst: -1, lmax: 0, lmin: Infinity, version: -1, to: -1 };

/**
 * Largest accepted backward error of the updated factor, max_a |(L Lᵀz − Mz)_a| / (|M||z|)_a: a
 * fresh factorisation measured 3e-16–5e-16 at m = 144–373 (500 × 1000 design); past 1e-11 the
 * factor is refactored.
 */
export const DRIFT_TOL = 1e-11;

/**
 * The solve handle of an `IncrementalCholesky` at one version (`syncTo`): a class, not an object of
 * two closures, since under tsx (esbuild's keepNames: the tests, the benches) each closure made per
 * handle cost an `Object.defineProperty` of its name, ≈ 3.5 µs per solve (round hg7).
 */
class IncrementalHandle implements SupportFactor {
  constructor(
    private readonly owner: IncrementalCholesky, private readonly version: number, readonly cols: Int32Array, readonly m: number,
    readonly info: CholeskyInfo, private readonly perm: Int32Array,
  ) {}

  valid(): boolean {
    return this.owner.isVersion(this.version);
  }

  solve(b: Float64Array): void {
    this.owner.solvePermuted(this.perm, this.m, b);
  }
}

/**
 * Cholesky factor of M = X_c,SᵀX_c,S/n (no weights, no ridge, no ones column: Lasso and weighted
 * Lasso) maintained across supports: features that leave S are deleted (rank-one update of the
 * trailing block, O(m²)), features that enter are appended (one column of Gram products, O(n·m), and
 * a triangular solve, O(m²); all entering features of a call in one blocked pass,
 * `choleskyAppendRowsInPlace`), instead of O(n·m² + m³/3) for a fresh factorisation. The factor keeps
 * its own insertion order; `solve` permutes. The drift of the updates is bounded by a check every
 * max(`refreshEvery`, m) updates: with a Gram cache, the factor is probed, ‖L Lᵀz − Mz‖ against |M||z|
 * row by row for a fixed z (O(m²), {@link DRIFT_TOL}), and refactored from scratch only when the
 * probe fails (before, a 120-step walk over λ made 12 refactorisations of up to 370 features, 3355
 * features factored against 491 appended by the updates alone; the probe stayed at 3e-16–6e-16
 * over those 900 updates); without a cache it is refactored every `refreshEvery` updates.
 */
export class IncrementalCholesky {
  private order: number[] = [];
  /** Position of each feature in the factor (−1: absent), indexed by feature (length p). */
  private readonly pos: Int32Array;
  /** Scratch marks of the features of S (all zero between calls). */
  private readonly mark: Uint8Array;
  private L: Float64Array = new Float64Array(0);
  private cap = 0;
  private diagM: number[] = [];
  /** Pivot ratio before flooring for rows whose pivot was floored at insertion (else NaN). */
  private rawRatio: number[] = [];
  private updates = 0;
  private version = 0;
  /** Scratch n-vector for CSC columns, made on first use (dense columns are read in place). */
  private bufV: Float64Array | null = null;
  /** Cost counters: appended / deleted features, full refactorisations. */
  appended = 0;
  deleted = 0;
  refactors = 0;
  /** Drift probes run (each O(m²)). */
  driftChecks = 0;
  /** The last handle's pivot scan. */
  private lastScan: PivotScan = NO_SCAN;
  /** Scratch of `extendedInfo`'s single row: its M_jj and raw pivot ratio. */
  private readonly oneD = new Float64Array(1);
  private readonly oneRaw = new Float64Array(1);

  constructor(readonly d: PreparedDesign, readonly rankTol = 1e-10, readonly refreshEvery = 64, readonly cache: GramCache | null = null) {
    this.pos = new Int32Array(d.nCols).fill(-1);
    this.mark = new Uint8Array(d.nCols);
  }

  private get buf(): Float64Array {
    return (this.bufV ??= new Float64Array(this.d.nRows));
  }

  get size(): number {
    return this.order.length;
  }

  private ensureCap(m: number): void {
    if (m <= this.cap) return;
    // headroom: a support that grows by a few features must not copy the factor every time
    const cap = Math.max(m + (m >> 2) + 8, Math.ceil(this.cap * 1.5), 16);
    // in a WebAssembly memory of its own when the SIMD kernels are available: the solves and the
    // appends' substitutions run there (src/kernels/tri_wasm.ts), no copy per call
    const L = createTriMatrix(cap * cap, cap);
    const k = this.order.length;
    for (let i = 0; i < k; i++) L.set(this.L.subarray(i * this.cap, i * this.cap + i + 1), i * cap);
    releaseTriMatrix(this.L);
    this.L = L;
    this.cap = cap;
  }

  private reset(): void {
    for (const f of this.order) this.pos[f] = -1;
    this.order = [];
    this.diagM = [];
    this.rawRatio = [];
    this.updates = 0;
    this.refactors++;
  }

  /** Appends feature j. */
  private append(j: number): void {
    const d = this.d;
    const n = d.nRows;
    const m = this.order.length;
    this.ensureCap(m + 1);
    const cap = this.cap;
    const L = this.L;
    const row = m * cap;
    // g_t = X_c,order[t]ᵀ X_c,j / n (from the Gram cache when there is one: a feature that re-enters
    // the support costs O(m²) only), then forward substitution L l = g in place in the new row
    if (this.cache !== null) {
      this.cachedRow(j, m);
    } else {
      const x = colRead(d, j, () => this.buf);
      let xs = 0;
      if (d.isSparse) for (let i = 0; i < n; i++) xs += x[i]!;
      for (let t = 0; t < m; t++) L[row + t] = colDot(d, this.order[t]!, x, xs) / n;
    }
    const dj = d.colNormsSq[j]! / n;
    const raw = choleskyAppendInPlace(L, m, cap, dj, this.rankTol);
    this.order.push(j);
    this.pos[j] = m;
    this.diagM.push(dj);
    this.rawRatio.push(raw);
    this.appended++;
  }

  /** Row m of L ← G(order[t], j) for t < m from the Gram cache, j added to the cache when missing. */
  private cachedRow(j: number, m: number): void {
    const cache = this.cache!;
    // j alone, unless the cache would restart (then it needs the list to keep)
    if (cache.size + 1 <= cache.maxSize) cache.ensure(Int32Array.of(j), null);
    else {
      const need = new Int32Array(m + 1);
      for (let t = 0; t < m; t++) need[t] = this.order[t]!;
      need[m] = j;
      cache.ensure(need, null);
    }
    // row j (symmetric: = G(order[t], j))
    cache.row(j, this.order, m, this.L, m * this.cap);
  }

  /**
   * Appends the features `enter` (not in the factor, Gram entries cached) at once; `all` lists the
   * current order followed by `enter`. Same factor as successive `append`s up to the order of the sums.
   */
  private appendMany(enter: Int32Array, all: Int32Array): void {
    const n = this.d.nRows;
    const m = this.order.length;
    const q = enter.length;
    this.ensureCap(m + q);
    const cap = this.cap;
    const d = new Float64Array(q);
    for (let e = 0; e < q; e++) {
      const j = enter[e]!;
      // row m + e: G(j, order[0..m)) and G(j, enter[0..e))
      this.cache!.row(j, all, m + e, this.L, (m + e) * cap);
      d[e] = this.d.colNormsSq[j]! / n;
    }
    const raw = new Float64Array(q);
    // one kernel call when the factor lives in its WebAssembly memory (`triAppendRows`, the same bits)
    choleskyAppendRowsInPlace(this.L, m, q, cap, d, this.rankTol, raw);
    for (let e = 0; e < q; e++) {
      const j = enter[e]!;
      this.pos[j] = m + e;
      this.order.push(j);
      this.diagM.push(d[e]!);
      this.rawRatio.push(raw[e]!);
    }
    this.appended += q;
  }

  /** Deletes the feature at position k (rank-one update of the trailing block, then compaction). */
  private removeAt(k: number): void {
    const m = this.order.length;
    // trailing block B = L[k+1.., k+1..] gets B Bᵀ + x xᵀ (Givens), then row/column k go
    choleskyDeleteInPlace(this.L, m, this.cap, k);
    this.pos[this.order[k]!] = -1;
    this.order.splice(k, 1);
    this.diagM.splice(k, 1);
    this.rawRatio.splice(k, 1);
    for (let i = k; i < this.rawRatio.length; i++) this.rawRatio[i] = NaN; // pivots were updated
    for (let t = k; t < this.order.length; t++) this.pos[this.order[t]!] = t;
    this.deleted++;
  }

  /**
   * Deletes the features at the ascending positions `leaving`: one kernel call for all of them
   * when the factor lives in its WebAssembly memory (else `removeAt` each, the last first), then the
   * bookkeeping in one pass (the same factor and arrays as successive `removeAt`s; round hg7).
   */
  private removeMany(leaving: readonly number[]): void {
    const count = leaving.length;
    if (count === 1 || !triDeleteMany(this.L, this.order.length, this.cap, leaving)) {
      for (let u = count - 1; u >= 0; u--) this.removeAt(leaving[u]!);
      return;
    }
    compactAfterDeletions(this.order, this.diagM, this.rawRatio, this.pos, leaving);
    this.deleted += count;
  }

  /**
   * Makes the factor describe exactly the features of S (sorted); returns a solve handle. `beta`
   * (optional, the coefficients on S): a fresh factor orders its rows by |β_j| descending, so that
   * the features likely to leave next (the small ones) sit last, where deleting a row costs
   * O((m − k)²) rotations for very few rows (round hg4); without it, S's order.
   */
  syncTo(S: Int32Array, beta?: Float64Array): SupportFactor {
    // positions (ascending) of the factor's features that left S, and the count of entering ones
    const leaving = leavingPositions(this.order, S, this.mark);
    let removals = leaving.length;
    const additions = countAbsent(S, this.pos);
    // a fresh factorisation is cheaper when most of the support changes
    let fresh = this.order.length === 0;
    const countRefresh = this.cache === null && this.updates + removals + additions > this.refreshEvery;
    if (!fresh && (countRefresh || removals > S.length / 2 || additions > S.length / 2)) {
      this.reset();
      removals = 0;
      fresh = true;
    }
    if (fresh && this.cache !== null && S.length > 0) {
      // bulk: Gram block from the cache, one dense factorisation
      this.bulk(S, beta);
      this.version++;
      return this.handle(S);
    }
    if (removals > 0) {
      this.removeMany(leaving);
      this.updates += removals;
    }
    if (this.cache !== null && additions > 1) {
      // the Gram entries of all entering features in one call (the cache pairs them per pass),
      // then one blocked append of all their rows (choleskyAppendRowsInPlace: the substitution
      // against the existing factor through the gemm kernel instead of one row at a time)
      const m0 = this.order.length;
      const need = orderThenAbsent(this.order, S, this.pos, additions);
      this.cache.ensure(need, null);
      this.appendMany(need.subarray(m0), need);
      if (!fresh) this.updates += additions;
      return this.finish(S, beta);
    }
    for (let t = 0; t < S.length; t++) {
      if (this.pos[S[t]!]! < 0) {
        this.append(S[t]!);
        if (!fresh) this.updates++;
      }
    }
    return this.finish(S, beta);
  }

  /** After the updates: the drift probe when due (refactor if it fails), then the handle. */
  private finish(S: Int32Array, beta: Float64Array | undefined): SupportFactor {
    // the probe costs O(m²), about one update of a factor of order m: running it at most every
    // max(refreshEvery, m) updates keeps it a small fraction of the upkeep
    if (this.cache !== null && this.updates > Math.max(this.refreshEvery, S.length) && S.length > 0) {
      if (this.drift() > DRIFT_TOL) {
        this.reset();
        this.bulk(S, beta);
      } else {
        this.updates = 0;
      }
    }
    this.version++;
    return this.handle(S);
  }

  /**
   * Backward error of the current factor in a fixed direction z (entries sin(1 + t), factor
   * order): max_a |(L Lᵀz − Mz)_a| / (|M||z|)_a, M from the Gram cache. O(m²).
   */
  drift(): number {
    const m = this.order.length;
    if (m === 0 || this.cache === null) return 0;
    this.driftChecks++;
    const cols = Int32Array.from(this.order);
    this.cache.ensure(cols, null);
    const z = new Float64Array(m);
    for (let t = 0; t < m; t++) z[t] = Math.sin(1 + t);
    const mz = new Float64Array(m);
    const mag = new Float64Array(m);
    this.cache.symv(cols, z, mz, mag);
    // w = Lᵀz (row-wise: row i adds z_i L[i, 0..i]), then y = L w
    const cap = this.cap;
    const L = this.L;
    const w = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      const zi = z[i]!;
      const o = i * cap;
      for (let t = 0; t <= i; t++) w[t]! += L[o + t]! * zi;
    }
    let worst = 0;
    for (let i = 0; i < m; i++) {
      const o = i * cap;
      let y = 0;
      for (let t = 0; t <= i; t++) y += L[o + t]! * w[t]!;
      const e = Math.abs(y - mz[i]!) / (mag[i]! > 0 ? mag[i]! : 1);
      if (!(e <= worst)) worst = e; // NaN propagates as a failure
    }
    return worst;
  }

  /**
   * Fresh factor of S (sorted) from the Gram cache: O(n·m²) products (cached) + m³/3; rows by
   * |β_j| descending when `beta` is given (`syncTo`), else in S's order.
   */
  private bulk(S: Int32Array, beta?: Float64Array): void {
    const m = S.length;
    const cache = this.cache!;
    cache.ensure(S, null);
    const order = beta === undefined ? S : byMagnitude(S, beta);
    const raw = new Float64Array(m);
    this.ensureCap(m);
    const cap = this.cap;
    if (triScratch(this.L) !== null) {
      // a factor in its kernel memory: the Gram block written straight into its rows (no m×m
      // array, no copy) and factored in place, row after row, by the SIMD substitution kernel
      // (choleskyAppendRowsInPlace onto an empty factor: one `triAppendRows` call when its scratch
      // holds 3m + 1 entries; the same pivots up to the order of the sums) — the blocked
      // JavaScript factorisation's panel loops, packing and gemm calls run unoptimised in a cold
      // process (issue 12, round cold1); only the lower triangle is read
      cache.block(order, this.L, cap, true);
      choleskyAppendRowsInPlace(this.L, 0, m, cap, diagonalOf(this.L, m, cap), this.rankTol, raw);
    } else {
      const M = new Float64Array(m * m);
      cache.block(order, M, m);
      choleskyRankRevealing(M, m, this.rankTol, raw);
      copyLower(M, m, this.L, cap); // a loop here made V8 deoptimise `bulk` at every call
    }
    this.order = Array.from(order);
    this.pos.fill(-1);
    for (let t = 0; t < m; t++) this.pos[order[t]!] = t;
    this.diagM = this.order.map((j) => this.d.colNormsSq[j]! / this.d.nRows);
    this.rawRatio = Array.from(raw, (r) => (r > this.rankTol ? NaN : Math.max(0, r)));
    this.appended += m;
  }

  /** Pivot statistics of the current factor. */
  info(): CholeskyInfo {
    const m = this.order.length;
    if (m === 0) return { ok: true, minPivotRatio: 1, worstIndex: -1, conditionEstimate: 1 };
    return this.infoOf(this.pivotScan(0, m));
  }

  /** Smallest pivot ratio of rows [from, to) (first on ties) and extreme diagonals; appends leave it valid. */
  private pivotScan(from: number, to: number): PivotScan {
    let minRatio = Infinity, worst = -1, lmax = 0, lmin = Infinity;
    for (let k = from; k < to; k++) {
      const l = this.L[k * this.cap + k]!;
      const raw = this.rawRatio[k]!;
      const ratio = Number.isNaN(raw) ? (l * l) / (this.diagM[k]! > 0 ? this.diagM[k]! : 1) : raw;
      if (ratio < minRatio) {
        minRatio = ratio;
        worst = k;
      }
      lmax = Math.max(lmax, l);
      lmin = Math.min(lmin, l);
    }
    return { minRatio, worst, lmax, lmin, version: this.version, to };
  }

  private infoOf(sc: PivotScan): CholeskyInfo {
    return { ok: sc.minRatio > this.rankTol * (1 + 1e-9), minPivotRatio: sc.minRatio, worstIndex: sc.worst, conditionEstimate: (sc.lmax / sc.lmin) ** 2 };
  }

  /** Returns the factor's WebAssembly memory to the kernel layer's pool; the factor starts empty. */
  dispose(): void {
    releaseTriMatrix(this.L);
    for (const f of this.order) this.pos[f] = -1;
    this.order = [];
    this.diagM = [];
    this.rawRatio = [];
    this.L = new Float64Array(0);
    this.cap = 0;
    this.version++;
  }

  private handle(S: Int32Array): SupportFactor {
    const version = this.version;
    const m = S.length;
    const perm = new Int32Array(m);
    for (let t = 0; t < m; t++) perm[t] = this.pos[S[t]!]!;
    // kept for `extendedInfo`
    const scan = m === 0 ? NO_SCAN : this.pivotScan(0, this.order.length);
    this.lastScan = scan;
    const infoRaw = m === 0 ? this.info() : this.infoOf(scan);
    // report the worst index in S order
    const worstFeature = infoRaw.worstIndex >= 0 ? this.order[infoRaw.worstIndex]! : -1;
    let worstS = -1;
    for (let t = 0; t < m; t++) if (S[t] === worstFeature) worstS = t;
    const info: CholeskyInfo = { ...infoRaw, worstIndex: worstS };
    return new IncrementalHandle(this, version, S, m, info, perm);
  }

  /** @internal `IncrementalHandle.valid`: the factor has not moved on since `version`. */
  isVersion(version: number): boolean {
    return this.version === version;
  }

  /** @internal `IncrementalHandle.solve`: M x = b in place, b in S order, `perm` its factor rows. */
  solvePermuted(perm: Int32Array, m: number, b: Float64Array): void {
    // staged beside the factor when it lives in a WebAssembly memory (no copy in the kernel)
    const scratch = triScratch(this.L);
    const y = scratch !== null && scratch.length >= m ? scratch : new Float64Array(m);
    scatterPerm(b, perm, y, m);
    choleskySolveStrided(this.L, m, y, this.cap);
    gatherPerm(y, perm, b, m);
  }

  /**
   * Pivot statistics of the factor extended by the features `extra` (not in the factor), without
   * modifying it: O(|extra|·(n·m + m²)). Used for the rank check on the equicorrelation set.
   */
  extendedInfo(extra: Int32Array): CholeskyInfo {
    const m0 = this.order.length;
    const base = this.lastScan;
    if (extra.length === 1 && this.cache !== null && base.version === this.version && base.to === m0 && m0 > 0) {
      // one feature (the usual kink): its row and pivot in row m0 of L, past the factor's rows, in
      // one kernel call (the operations of `append`, the same bits), combined with the handle's
      // scan; the factor's rows and bookkeeping are not touched (no append and removal; round hg7)
      const j = extra[0]!;
      this.ensureCap(m0 + 1);
      this.cachedRow(j, m0);
      const dj = this.d.colNormsSq[j]! / this.d.nRows;
      const one = this.oneD;
      one[0] = dj;
      const raw = this.oneRaw;
      choleskyAppendRowsInPlace(this.L, m0, 1, this.cap, one, this.rankTol, raw);
      const l = this.L[m0 * this.cap + m0]!;
      const ratio = Number.isNaN(raw[0]!) ? (l * l) / (dj > 0 ? dj : 1) : raw[0]!;
      const first = !(ratio < base.minRatio);
      return this.infoOf({
        minRatio: first ? base.minRatio : ratio, worst: first ? base.worst : m0,
        lmax: Math.max(base.lmax, l), lmin: Math.min(base.lmin, l), version: this.version, to: m0 + 1,
      });
    }
    for (let t = 0; t < extra.length; t++) this.append(extra[t]!);
    let info: CholeskyInfo;
    if (base.version === this.version && base.to === m0 && m0 > 0) {
      // the handle scanned the factor's rows: scan the kink rows and combine (= a full scan)
      const ext = this.pivotScan(m0, this.order.length);
      const first = !(ext.minRatio < base.minRatio);
      info = this.infoOf({
        minRatio: first ? base.minRatio : ext.minRatio, worst: first ? base.worst : ext.worst,
        lmax: Math.max(base.lmax, ext.lmax), lmin: Math.min(base.lmin, ext.lmin), version: this.version, to: this.order.length,
      });
    } else info = this.info();
    // drop the appended rows (they are the last ones: nothing else changed)
    // pop: setting `length` is a runtime call
    while (this.order.length > m0) {
      this.pos[this.order.pop()!] = -1;
      this.diagM.pop();
      this.rawRatio.pop();
    }
    this.appended -= extra.length;
    return info;
  }
}
