/**
 * @file Sparse LDLᵀ factorisation of symmetric quasi-definite matrices (the KKT matrices of the
 * ADMM QP solver): a fill-reducing ordering, the elimination tree, symbolic column counts, an
 * up-looking numeric factorisation, triangular solves and numeric refactorisation with the same
 * pattern (new values, e.g. when ADMM's ρ changes).
 *
 * With a permutation p (new position k holds old index p[k]) the factor is
 *
 *   Π A Πᵀ = L D Lᵀ,   L unit lower triangular (stored by columns, diagonal implicit), D diagonal.
 *
 * A symmetric quasi-definite matrix [H, Bᵀ; B, −F] (H, F positive definite) has such a factor for
 * EVERY symmetric permutation, with D carrying n(H) positive and n(F) negative entries (Vanderbei
 * 1995); `inertia` reports the signs so a caller can check it. No pivoting is done: a zero pivot
 * throws `SingularMatrixError` naming the (original) column.
 *
 * Algorithm (the up-looking scheme of QDLDL / Davis's "Direct Methods for Sparse Linear Systems",
 * ch. 4, written from the description):
 * - elimination tree from the upper triangle of ΠAΠᵀ: for each column j and each entry i < j,
 *   walk i → parent(i) → … until j or an already visited node, setting parent(i) = j at the root;
 *   every node on the walk gains one entry (row j) in its column of L — the symbolic column counts;
 * - numeric row k of L: the non-zero pattern of L(k, 0:k) is the union of the etree paths from the
 *   entries of column k of the upper triangle up to k; solving L(0:k,0:k) D y = A(0:k, k) along that
 *   pattern in topological order gives L(k, j) = y_j / d_j and d_k = a_kk − Σ_j y_j L(k, j).
 *
 * Ordering `'minDegree'`: a plain minimum-degree heuristic on the explicit elimination graph (NOT
 * the approximate minimum degree of Amestoy–Davis–Duff: no quotient graph, no supervariables, exact
 * degrees after each elimination, ties by index), with one shortcut — once the remaining graph is a
 * near-clique (min degree ≥ 0.8 × remaining nodes), the rest is appended by degree, since the fill
 * there is dense whatever the order.
 */
import { InvalidArgumentError, NonFiniteError, ShapeError, SingularMatrixError } from '../../core/errors.js';
import { checkOptions } from '../../core/options.js';
import { CscMatrix } from './csc.js';

/** Options of {@link SparseLdl.factor}. */
export interface SparseLdlOptions {
  /** `'minDegree'` (default), `'natural'` (identity), or an explicit permutation (new → old). */
  ordering?: 'minDegree' | 'natural' | Int32Array;
}

/** Signs of D: a quasi-definite [H, Bᵀ; B, −F] has `positive` = dim H, `negative` = dim F. */
export interface LdlInertia {
  positive: number;
  negative: number;
}

/** Binary min-heap on (key, node) with lazy deletion (stale entries are skipped by the caller). */
class MinHeap {
  private keys: number[] = [];
  private nodes: number[] = [];
  get size(): number {
    return this.keys.length;
  }
  push(key: number, node: number): void {
    const k = this.keys;
    const v = this.nodes;
    let i = k.length;
    k.push(key);
    v.push(node);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (k[p]! < key || (k[p] === key && v[p]! <= node)) break;
      k[i] = k[p]!;
      v[i] = v[p]!;
      i = p;
    }
    k[i] = key;
    v[i] = node;
  }
  /** Pops the minimum; returns [key, node]. */
  pop(out: [number, number]): void {
    const k = this.keys;
    const v = this.nodes;
    out[0] = k[0]!;
    out[1] = v[0]!;
    const lk = k.pop()!;
    const lv = v.pop()!;
    const n = k.length;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && (k[c + 1]! < k[c]! || (k[c + 1] === k[c] && v[c + 1]! < v[c]!))) c++;
      if (k[c]! > lk || (k[c] === lk && v[c]! >= lv)) break;
      k[i] = k[c]!;
      v[i] = v[c]!;
      i = c;
    }
    k[i] = lk;
    v[i] = lv;
  }
}

/**
 * Minimum-degree ordering of the symmetric pattern given by the entries of `A` (both triangles are
 * read; the diagonal is ignored). Returns the permutation new → old.
 *
 * @example
 * const A = CscMatrix.fromDense([2, 1, 1, 1, 2, 0, 1, 0, 2], 3, 3);
 * minimumDegreeOrdering(A); // Int32Array [1, 0, 2] (degree 1 first, ties by index)
 */
export function minimumDegreeOrdering(A: CscMatrix): Int32Array {
  return minimumDegreeWithBudget(A, Infinity)!.perm;
}

/**
 * {@link minimumDegreeOrdering} that also predicts the factorisation's cost, `flops` = Σ_k d_k²
 * (d_k the degree of the k-th eliminated node = the entries of column k of L, so this is the
 * multiply–add count of the numeric LDLᵀ) and `nnzL` = Σ_k d_k, and gives up (returns null) as
 * soon as `flops` exceeds `maxFlops` — a caller with a dense alternative uses it to choose.
 *
 * @example
 * minimumDegreeWithBudget(CscMatrix.fromDense([2, 1, 1, 2], 2, 2), Infinity); // { perm: [0, 1], flops: 1, nnzL: 1 }
 */
export function minimumDegreeWithBudget(A: CscMatrix, maxFlops: number): { perm: Int32Array; flops: number; nnzL: number } | null {
  const n = A.cols;
  if (A.rows !== n) throw new ShapeError(`minimumDegreeOrdering(): A must be square, got ${A.rows}×${A.cols}`);
  const adj: Set<number>[] = new Array(n);
  for (let i = 0; i < n; i++) adj[i] = new Set<number>();
  for (let j = 0; j < n; j++) {
    for (let p = A.indptr[j]!; p < A.indptr[j + 1]!; p++) {
      const i = A.indices[p]!;
      if (i === j) continue;
      adj[i]!.add(j);
      adj[j]!.add(i);
    }
  }
  const perm = new Int32Array(n);
  const done = new Uint8Array(n);
  const heap = new MinHeap();
  for (let i = 0; i < n; i++) heap.push(adj[i]!.size, i);
  let k = 0;
  const top: [number, number] = [0, 0];
  let flops = 0;
  let nnzL = 0;
  while (k < n) {
    heap.pop(top);
    const [deg, v] = top;
    if (done[v] || adj[v]!.size !== deg) continue; // stale entry
    const remaining = n - k;
    if (remaining > 16 && deg >= 0.8 * (remaining - 1)) {
      // near-clique: the fill is dense whatever the order; append the rest by degree
      const rest: number[] = [];
      for (let i = 0; i < n; i++) if (!done[i]) rest.push(i);
      rest.sort((a, b) => adj[a]!.size - adj[b]!.size || a - b);
      // the rest (only neighbours among themselves left) counted as dense: column t has r − 1 − t entries
      const r = rest.length;
      for (let t = 0; t < r; t++) {
        flops += (r - 1 - t) * (r - 1 - t);
        nnzL += r - 1 - t;
      }
      if (flops > maxFlops) return null;
      for (const i of rest) perm[k++] = i;
      break;
    }
    flops += deg * deg;
    nnzL += deg;
    if (flops > maxFlops) return null;
    perm[k++] = v;
    done[v] = 1;
    const nb = adj[v]!;
    // eliminating v makes its neighbourhood a clique
    for (const u of nb) {
      const au = adj[u]!;
      au.delete(v);
      for (const w of nb) if (w !== u) au.add(w);
      heap.push(au.size, u);
    }
    adj[v] = new Set();
  }
  return { perm, flops, nnzL };
}

/**
 * A sparse LDLᵀ factor of a symmetric (quasi-definite) matrix. Only the upper triangle of the
 * given `CscMatrix` is read (entries with row ≤ column); pass the full matrix or its upper half.
 *
 * @example
 * // quasi-definite KKT [[2, 1], [1, −1]]
 * const K = CscMatrix.fromDense([2, 1, 1, -1], 2, 2);
 * const F = SparseLdl.factor(K);
 * F.solve(Float64Array.of(3, 0)); // [1, 1]
 * F.inertia;                      // { positive: 1, negative: 1 }
 */
export class SparseLdl {
  /** Dimension. */
  readonly n: number;
  /** Permutation new → old (position k of the factor holds row/column perm[k] of A). */
  readonly perm: Int32Array;
  /** Inverse permutation old → new. */
  readonly iperm: Int32Array;
  /** Elimination tree of ΠAΠᵀ (parent, −1 at roots). */
  readonly etree: Int32Array;
  /** Column pointers, row indices and values of L's strictly lower part (by columns). */
  readonly Lp: Int32Array;
  readonly Li: Int32Array;
  readonly Lx: Float64Array;
  /** The diagonal D and its inverse. */
  readonly D: Float64Array;
  readonly Dinv: Float64Array;
  /** Upper triangle of ΠAΠᵀ (CSC, not sorted within columns) and the map A-entry → its slot (−1: lower triangle, ignored). */
  private readonly Cp: Int32Array;
  private readonly Ci: Int32Array;
  private readonly Cx: Float64Array;
  private readonly map: Int32Array;
  private readonly nnzA: number;
  // numeric workspaces
  private readonly yVals: Float64Array;
  private readonly yMark: Uint8Array;
  private readonly yIdx: Int32Array;
  private readonly elim: Int32Array;
  private readonly next: Int32Array;
  private readonly work: Float64Array;
  /** Signs of D (updated by every (re)factorisation). */
  inertia: LdlInertia = { positive: 0, negative: 0 };

  private constructor(A: CscMatrix, ordering: Int32Array) {
    const n = A.cols;
    this.n = n;
    const perm = ordering;
    this.perm = perm;
    const iperm = new Int32Array(n);
    for (let k = 0; k < n; k++) iperm[perm[k]!] = k;
    this.iperm = iperm;
    // permuted upper triangle C = (ΠAΠᵀ)_upper with the entry map
    const nnzA = A.nnz;
    this.nnzA = nnzA;
    const map = new Int32Array(nnzA).fill(-1);
    const cnt = new Int32Array(n + 1);
    for (let j = 0; j < n; j++) {
      for (let p = A.indptr[j]!; p < A.indptr[j + 1]!; p++) {
        const i = A.indices[p]!;
        if (i > j) continue;
        const a = iperm[i]!;
        const b = iperm[j]!;
        cnt[(a > b ? a : b) + 1]!++;
      }
    }
    for (let j = 0; j < n; j++) cnt[j + 1]! += cnt[j]!;
    const Cp = Int32Array.from(cnt);
    const fill = cnt.subarray(0, n).slice();
    const Ci = new Int32Array(Cp[n]!);
    for (let j = 0; j < n; j++) {
      for (let p = A.indptr[j]!; p < A.indptr[j + 1]!; p++) {
        const i = A.indices[p]!;
        if (i > j) continue;
        const a = iperm[i]!;
        const b = iperm[j]!;
        const col = a > b ? a : b;
        const slot = fill[col]!++;
        Ci[slot] = a > b ? b : a;
        map[p] = slot;
      }
    }
    this.Cp = Cp;
    this.Ci = Ci;
    this.Cx = new Float64Array(Ci.length);
    this.map = map;
    // elimination tree and column counts of L (QDLDL's etree pass)
    const etree = new Int32Array(n).fill(-1);
    const Lnz = new Int32Array(n);
    const flag = new Int32Array(n).fill(-1);
    for (let j = 0; j < n; j++) {
      flag[j] = j;
      for (let p = Cp[j]!; p < Cp[j + 1]!; p++) {
        let i = Ci[p]!;
        while (flag[i] !== j) {
          if (etree[i] === -1) etree[i] = j;
          Lnz[i]!++;
          flag[i] = j;
          i = etree[i]!;
        }
      }
    }
    this.etree = etree;
    const Lp = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) Lp[i + 1] = Lp[i]! + Lnz[i]!;
    this.Lp = Lp;
    this.Li = new Int32Array(Lp[n]!);
    this.Lx = new Float64Array(Lp[n]!);
    this.D = new Float64Array(n);
    this.Dinv = new Float64Array(n);
    this.yVals = new Float64Array(n);
    this.yMark = new Uint8Array(n);
    this.yIdx = new Int32Array(n);
    this.elim = new Int32Array(n);
    this.next = new Int32Array(n);
    this.work = new Float64Array(n);
  }

  /**
   * Orders, analyses and factors A (square CSC; only its upper triangle is read).
   *
   * @example
   * const F = SparseLdl.factor(CscMatrix.fromDense([4, 1, 1, 3], 2, 2), { ordering: 'natural' });
   * F.D; // [4, 2.75]
   */
  static factor(A: CscMatrix, options: SparseLdlOptions = {}): SparseLdl {
    checkOptions(options, ['ordering'], 'SparseLdl.factor()');
    if (!(A instanceof CscMatrix)) throw new InvalidArgumentError('SparseLdl.factor(): A must be a CscMatrix');
    if (A.rows !== A.cols) throw new ShapeError(`SparseLdl.factor(): A must be square, got ${A.rows}×${A.cols}`);
    const n = A.cols;
    const ord = options.ordering ?? 'minDegree';
    let perm: Int32Array;
    if (ord === 'natural') {
      perm = new Int32Array(n);
      for (let i = 0; i < n; i++) perm[i] = i;
    } else if (ord === 'minDegree') {
      perm = minimumDegreeOrdering(A);
    } else if (ord instanceof Int32Array) {
      if (ord.length !== n) throw new ShapeError(`SparseLdl.factor(): ordering has length ${ord.length}, expected ${n}`);
      const seen = new Uint8Array(n);
      for (let k = 0; k < n; k++) {
        const v = ord[k]!;
        if (!(v >= 0 && v < n) || seen[v]) throw new InvalidArgumentError(`SparseLdl.factor(): ordering is not a permutation of 0..${n - 1} (entry ${k} = ${v})`);
        seen[v] = 1;
      }
      perm = ord.slice();
    } else {
      throw new InvalidArgumentError(`SparseLdl.factor(): ordering must be 'minDegree', 'natural' or an Int32Array permutation, got ${String(ord)}`);
    }
    const F = new SparseLdl(A, perm);
    F.refactor(A.values);
    return F;
  }

  /** Number of stored entries of L (strictly lower part). */
  get nnzL(): number {
    return this.Lp[this.n]!;
  }

  /**
   * Numeric refactorisation with new values on the SAME pattern: `values` is the `values` array of
   * a CscMatrix with the pattern (indptr, indices) of the matrix first factored.
   *
   * @example
   * const A = CscMatrix.fromDense([4, 1, 1, 3], 2, 2);
   * const F = SparseLdl.factor(A);
   * A.values[0] = 8; F.refactor(A.values); // now factors [[8, 1], [1, 3]]
   */
  refactor(values: Float64Array): void {
    if (values.length < this.nnzA) throw new ShapeError(`SparseLdl.refactor(): values has length ${values.length}, expected ${this.nnzA} (the factored pattern's non-zeros)`);
    const { Cp, Ci, Cx, map, n, etree, Lp, Li, Lx, D, Dinv, yVals, yMark, yIdx, elim, next } = this;
    Cx.fill(0);
    for (let p = 0; p < this.nnzA; p++) {
      const s = map[p]!;
      if (s >= 0) Cx[s]! += values[p]!;
    }
    for (let i = 0; i < n; i++) next[i] = Lp[i]!;
    let pos = 0;
    let neg = 0;
    for (let k = 0; k < n; k++) {
      // pattern of row k of L: etree paths from the entries of column k, in topological order
      let nnzY = 0;
      let dk = 0;
      for (let p = Cp[k]!; p < Cp[k + 1]!; p++) {
        const b = Ci[p]!;
        if (b === k) {
          dk += Cx[p]!;
          continue;
        }
        yVals[b]! += Cx[p]!;
        if (!yMark[b]) {
          yMark[b] = 1;
          elim[0] = b;
          let nE = 1;
          let nx = etree[b]!;
          while (nx !== -1 && nx < k && !yMark[nx]) {
            yMark[nx] = 1;
            elim[nE++] = nx;
            nx = etree[nx]!;
          }
          while (nE > 0) yIdx[nnzY++] = elim[--nE]!;
        }
      }
      // sparse triangular solve along the pattern (reverse of the collected order is topological)
      for (let t = nnzY - 1; t >= 0; t--) {
        const c = yIdx[t]!;
        const yc = yVals[c]!;
        const end = next[c]!;
        for (let q = Lp[c]!; q < end; q++) yVals[Li[q]!]! -= Lx[q]! * yc;
        const lkc = yc * Dinv[c]!;
        Li[end] = k;
        Lx[end] = lkc;
        dk -= yc * lkc;
        next[c] = end + 1;
        yVals[c] = 0;
        yMark[c] = 0;
      }
      if (dk === 0) throw new SingularMatrixError(`SparseLdl: zero pivot at column ${this.perm[k]} (position ${k} of the ordering): the matrix is singular or not quasi-definite`);
      if (!Number.isFinite(dk)) throw new NonFiniteError(`SparseLdl: non-finite pivot at column ${this.perm[k]} (position ${k} of the ordering): the matrix has non-finite entries or is badly conditioned`);
      D[k] = dk;
      Dinv[k] = 1 / dk;
      if (dk > 0) pos++;
      else neg++;
    }
    this.inertia = { positive: pos, negative: neg };
  }

  /**
   * Solves A x = b in place on `x` (holding b on entry), through the permutation.
   *
   * @example
   * const F = SparseLdl.factor(CscMatrix.fromDense([4, 1, 1, 3], 2, 2));
   * const x = Float64Array.of(5, 4); F.solveInPlace(x); // [1, 1]
   */
  solveInPlace(x: Float64Array): Float64Array {
    const { n, perm, Lp, Li, Lx, Dinv, work } = this;
    if (x.length !== n) throw new ShapeError(`SparseLdl.solve(): b has length ${x.length}, expected ${n}`);
    for (let k = 0; k < n; k++) work[k] = x[perm[k]!]!;
    // L y = b (column-oriented)
    for (let i = 0; i < n; i++) {
      const wi = work[i]!;
      if (wi !== 0) for (let q = Lp[i]!; q < Lp[i + 1]!; q++) work[Li[q]!]! -= Lx[q]! * wi;
    }
    for (let i = 0; i < n; i++) work[i]! *= Dinv[i]!;
    // Lᵀ x = y
    for (let i = n - 1; i >= 0; i--) {
      let s = work[i]!;
      for (let q = Lp[i]!; q < Lp[i + 1]!; q++) s -= Lx[q]! * work[Li[q]!]!;
      work[i] = s;
    }
    for (let k = 0; k < n; k++) x[perm[k]!] = work[k]!;
    return x;
  }

  /**
   * Solves A x = b (b is not modified).
   *
   * @example
   * SparseLdl.factor(CscMatrix.fromDense([2, 0, 0, -1], 2, 2)).solve(Float64Array.of(2, 3)); // [1, -3]
   */
  solve(b: Float64Array): Float64Array {
    return this.solveInPlace(Float64Array.from(b));
  }
}
