/**
 * @file Factors of the support system M (hypergrad_core.ts) as used by the Lasso-type
 * hypergradients: a `SupportFactor` handle (solve in place, validity), dense factors of the
 * rank-revealing Cholesky, and `IncrementalCholesky`, which maintains the factor of
 * X_c,SᵀX_c,S/n across supports with the append/delete updates of src/linalg/dense/cholesky_update.ts.
 */
import type { PreparedDesign } from './design.js';
import {
  choleskyAppendInPlace, choleskyDeleteInPlace, choleskyRankRevealing, choleskySolveStrided,
} from '../linalg/dense/cholesky_update.js';
import { colRead, colDot, type CholeskyInfo, type GramCache } from './hypergrad_core.js';

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

/**
 * Cholesky factor of M = X_c,SᵀX_c,S/n (no weights, no ridge, no ones column: Lasso and weighted
 * Lasso) maintained across supports: features that leave S are deleted (rank-one update of the
 * trailing block, O(m²)), features that enter are appended (one column of Gram products, O(n·m), and
 * a triangular solve, O(m²)), instead of O(n·m² + m³/3) for a fresh factorisation. The factor keeps
 * its own insertion order; `solve` permutes. Refactored from scratch every `refreshEvery` updates to
 * bound the drift of the updates.
 */
export class IncrementalCholesky {
  private order: number[] = [];
  private pos = new Map<number, number>();
  private L = new Float64Array(0);
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

  constructor(readonly d: PreparedDesign, readonly rankTol = 1e-10, readonly refreshEvery = 64, readonly cache: GramCache | null = null) {
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
    const L = new Float64Array(cap * cap);
    const k = this.order.length;
    for (let i = 0; i < k; i++) L.set(this.L.subarray(i * this.cap, i * this.cap + i + 1), i * cap);
    this.L = L;
    this.cap = cap;
  }

  private reset(): void {
    this.order = [];
    this.pos.clear();
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
      const need = new Int32Array(m + 1);
      for (let t = 0; t < m; t++) need[t] = this.order[t]!;
      need[m] = j;
      this.cache.ensure(need, null);
      for (let t = 0; t < m; t++) L[row + t] = this.cache.get(this.order[t]!, j);
    } else {
      const x = colRead(d, j, () => this.buf);
      let xs = 0;
      if (d.isSparse) for (let i = 0; i < n; i++) xs += x[i]!;
      for (let t = 0; t < m; t++) L[row + t] = colDot(d, this.order[t]!, x, xs) / n;
    }
    const dj = d.colNormsSq[j]! / n;
    const raw = choleskyAppendInPlace(L, m, cap, dj, this.rankTol);
    this.order.push(j);
    this.pos.set(j, m);
    this.diagM.push(dj);
    this.rawRatio.push(raw);
    this.appended++;
  }

  /** Deletes the feature at position k (rank-one update of the trailing block, then compaction). */
  private removeAt(k: number): void {
    const m = this.order.length;
    const cap = this.cap;
    const L = this.L;
    // trailing block B = L[k+1.., k+1..] gets B Bᵀ + x xᵀ (Givens), then row/column k go
    choleskyDeleteInPlace(this.L, m, this.cap, k);
    this.order.splice(k, 1);
    this.diagM.splice(k, 1);
    this.rawRatio.splice(k, 1);
    for (let i = k; i < this.rawRatio.length; i++) this.rawRatio[i] = NaN; // pivots were updated
    this.pos.clear();
    for (let t = 0; t < this.order.length; t++) this.pos.set(this.order[t]!, t);
    this.deleted++;
  }

  /** Makes the factor describe exactly the features of S (sorted); returns a solve handle. */
  syncTo(S: Int32Array): SupportFactor {
    const inS = new Set<number>();
    for (let t = 0; t < S.length; t++) inS.add(S[t]!);
    let removals = 0;
    for (const f of this.order) if (!inS.has(f)) removals++;
    let additions = 0;
    for (let t = 0; t < S.length; t++) if (!this.pos.has(S[t]!)) additions++;
    // a fresh factorisation is cheaper when most of the support changes
    let fresh = this.order.length === 0;
    if (!fresh && (this.updates + removals + additions > this.refreshEvery || removals > S.length / 2 || additions > S.length / 2)) {
      this.reset();
      removals = 0;
      fresh = true;
    }
    if (fresh && this.cache !== null && S.length > 0) {
      // bulk: Gram block from the cache, one dense factorisation
      this.bulk(S);
      this.version++;
      return this.handle(S);
    }
    if (removals > 0) {
      for (let k = this.order.length - 1; k >= 0; k--) if (!inS.has(this.order[k]!)) this.removeAt(k);
      this.updates += removals;
    }
    if (this.cache !== null && additions > 1) {
      // the Gram entries of all entering features in one call (the cache pairs them per pass)
      const need = new Int32Array(this.order.length + additions);
      let u = 0;
      for (const f of this.order) need[u++] = f;
      for (let t = 0; t < S.length; t++) if (!this.pos.has(S[t]!)) need[u++] = S[t]!;
      this.cache.ensure(need, null);
    }
    for (let t = 0; t < S.length; t++) {
      if (!this.pos.has(S[t]!)) {
        this.append(S[t]!);
        if (!fresh) this.updates++;
      }
    }
    this.version++;
    return this.handle(S);
  }

  /** Fresh factor of S (sorted) from the Gram cache: O(n·m²) products (cached) + m³/3. */
  private bulk(S: Int32Array): void {
    const m = S.length;
    const cache = this.cache!;
    cache.ensure(S, null);
    const M = new Float64Array(m * m);
    cache.block(S, M, m);
    const raw = new Float64Array(m);
    choleskyRankRevealing(M, m, this.rankTol, raw);
    this.ensureCap(m);
    const cap = this.cap;
    for (let i = 0; i < m; i++) for (let j = 0; j <= i; j++) this.L[i * cap + j] = M[i * m + j]!;
    this.order = Array.from(S);
    this.pos.clear();
    for (let t = 0; t < m; t++) this.pos.set(S[t]!, t);
    this.diagM = this.order.map((j) => this.d.colNormsSq[j]! / this.d.nRows);
    this.rawRatio = Array.from(raw, (r) => (r > this.rankTol ? NaN : Math.max(0, r)));
    this.appended += m;
  }

  /** Pivot statistics of the current factor. */
  info(): CholeskyInfo {
    const m = this.order.length;
    if (m === 0) return { ok: true, minPivotRatio: 1, worstIndex: -1, conditionEstimate: 1 };
    let minRatio = Infinity, worst = -1, lmax = 0, lmin = Infinity;
    for (let k = 0; k < m; k++) {
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
    return { ok: minRatio > this.rankTol * (1 + 1e-9), minPivotRatio: minRatio, worstIndex: worst, conditionEstimate: (lmax / lmin) ** 2 };
  }

  private handle(S: Int32Array): SupportFactor {
    const version = this.version;
    const m = S.length;
    const perm = new Int32Array(m);
    for (let t = 0; t < m; t++) perm[t] = this.pos.get(S[t]!)!;
    const infoRaw = this.info();
    // report the worst index in S order
    const worstFeature = infoRaw.worstIndex >= 0 ? this.order[infoRaw.worstIndex]! : -1;
    let worstS = -1;
    for (let t = 0; t < m; t++) if (S[t] === worstFeature) worstS = t;
    const info: CholeskyInfo = { ...infoRaw, worstIndex: worstS };
    return {
      cols: S,
      m,
      info,
      valid: () => this.version === version,
      solve: (b: Float64Array): void => {
        const y = new Float64Array(m);
        for (let t = 0; t < m; t++) y[perm[t]!] = b[t]!;
        choleskySolveStrided(this.L, m, y, this.cap);
        for (let t = 0; t < m; t++) b[t] = y[perm[t]!]!;
      },
    };
  }

  /**
   * Pivot statistics of the factor extended by the features `extra` (not in the factor), without
   * modifying it: O(|extra|·(n·m + m²)). Used for the rank check on the equicorrelation set.
   */
  extendedInfo(extra: Int32Array): CholeskyInfo {
    const saveOrder = this.order.slice();
    const saveDiag = this.diagM.slice();
    const saveRaw = this.rawRatio.slice();
    const m0 = saveOrder.length;
    for (let t = 0; t < extra.length; t++) this.append(extra[t]!);
    const info = this.info();
    // drop the appended rows (they are the last ones: nothing else changed)
    this.order = saveOrder;
    this.diagM = saveDiag;
    this.rawRatio = saveRaw;
    this.pos.clear();
    for (let t = 0; t < m0; t++) this.pos.set(this.order[t]!, t);
    this.appended -= extra.length;
    return info;
  }
}
