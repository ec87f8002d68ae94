/**
 * @file Compressed sparse row matrices. Row i's non-zeros are `values[indptr[i] .. indptr[i+1]-1]`
 * at columns `indices[...]` (sorted ascending, no duplicates — validated on construction).
 * Products `A·x` (row-wise dot products, the fast direction) and `Aᵀ·y` (scatter), both
 * allocation-free when `out` is given, so a `CsrMatrix` can be passed straight to the iterative
 * solvers (`cg(A, b)`, `lsqr(A, b)`).
 */
import { InvalidArgumentError, ShapeError } from '../../core/errors.js';
import {
  checkDims,
  checkNoAlias,
  cooToCompressed,
  denseToCompressed,
  findSorted,
  transposeCompressed,
  validateCompressed,
} from './compressed.js';
import { CscMatrix } from './csc.js';

const NAMES = { cls: 'CsrMatrix', major: 'row', minor: 'column' };

/**
 * A `rows × cols` sparse matrix in CSR format (float64 values, int32 indices).
 *
 * @example
 * const A = CsrMatrix.fromCoo(2, 3, [0, 1, 1], [2, 0, 0], [5, 1, 2]); // duplicates (1,0) summed
 * A.toDense();                           // [0, 0, 5, 3, 0, 0]
 * A.matvec(Float64Array.of(1, 1, 1));    // [5, 3]
 */
export class CsrMatrix {
  /**
   * Wraps the arrays (no copy). With `check` (default true) the structure is validated in O(nnz):
   * `indptr` of length rows+1 from 0 to nnz, non-decreasing; column indices in range and strictly
   * increasing within each row.
   */
  constructor(
    readonly rows: number,
    readonly cols: number,
    readonly indptr: Int32Array,
    readonly indices: Int32Array,
    readonly values: Float64Array,
    options: { check?: boolean } = {},
  ) {
    checkDims(rows, cols, 'CsrMatrix');
    if (options.check !== false) validateCompressed(rows, cols, indptr, indices, values, NAMES);
  }

  /** Number of stored entries (explicit zeros included). */
  get nnz(): number {
    return this.indptr[this.rows]!;
  }

  /** `[rows, cols]`. */
  get shape(): [number, number] {
    return [this.rows, this.cols];
  }

  /**
   * From a dense matrix (`order`: `'row-major'` default, or `'col-major'`); exact zeros are dropped.
   *
   * @example
   * CsrMatrix.fromDense([1, 0, 0, 2], 2, 2).nnz; // 2
   */
  static fromDense(data: ArrayLike<number>, rows: number, cols: number, order: 'row-major' | 'col-major' = 'row-major'): CsrMatrix {
    const c = denseToCompressed(data, rows, cols, order, true, 'CsrMatrix.fromDense');
    return new CsrMatrix(rows, cols, c.indptr, c.indices, c.values, { check: false });
  }

  /**
   * From coordinate triplets `(rowIdx[k], colIdx[k], vals[k])`, in any order; duplicates are
   * summed (a sum that cancels stays stored as an explicit zero). Indices must be integers within
   * bounds (`InvalidArgumentError` naming the offending entry); the three arrays must have the same
   * length (`ShapeError`).
   *
   * @example
   * CsrMatrix.fromCoo(2, 2, [1, 0, 1], [1, 0, 1], [1, 2, 3]).toDense(); // [2, 0, 0, 4]
   */
  static fromCoo(
    rows: number, cols: number, rowIdx: ArrayLike<number>, colIdx: ArrayLike<number>, vals: ArrayLike<number>,
  ): CsrMatrix {
    checkDims(rows, cols, 'CsrMatrix.fromCoo');
    const c = cooToCompressed(rows, cols, rowIdx, colIdx, vals, 'rowIdx', 'colIdx', 'CsrMatrix.fromCoo');
    return new CsrMatrix(rows, cols, c.indptr, c.indices, c.values, { check: false });
  }

  /** The n×n identity. */
  static identity(n: number): CsrMatrix {
    checkDims(n, n, 'CsrMatrix.identity');
    const indptr = new Int32Array(n + 1);
    const indices = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      indptr[i + 1] = i + 1;
      indices[i] = i;
    }
    return new CsrMatrix(n, n, indptr, indices, new Float64Array(n).fill(1), { check: false });
  }

  /** Dense row-major copy (`rows·cols` values). */
  toDense(): Float64Array {
    const { rows, cols, indptr, indices, values } = this;
    const d = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      const o = i * cols;
      for (let k = indptr[i]!; k < indptr[i + 1]!; k++) d[o + indices[k]!] = values[k]!;
    }
    return d;
  }

  /** COO triplets in row-major order (fresh arrays). */
  toCoo(): { rowIdx: Int32Array; colIdx: Int32Array; values: Float64Array } {
    const nz = this.nnz;
    const rowIdx = new Int32Array(nz);
    for (let i = 0; i < this.rows; i++) rowIdx.fill(i, this.indptr[i]!, this.indptr[i + 1]!);
    return { rowIdx, colIdx: this.indices.slice(0, nz), values: this.values.slice(0, nz) };
  }

  /**
   * `out ← A·x` (x of length cols, out of length rows; allocated when omitted). `out` must not
   * overlap `x`. No allocation when `out` is given.
   *
   * @example
   * const y = new Float64Array(A.rows);
   * A.matvec(x, y);
   */
  matvec(x: Float64Array, out?: Float64Array): Float64Array {
    const { rows, indptr, indices, values } = this;
    if (x.length !== this.cols) throw new ShapeError(`CsrMatrix.matvec: x has length ${x.length}, expected cols = ${this.cols}`);
    if (out === undefined) out = new Float64Array(rows);
    else {
      if (out.length !== rows) throw new ShapeError(`CsrMatrix.matvec: out has length ${out.length}, expected rows = ${rows}`);
      checkNoAlias(out, x, 'CsrMatrix.matvec');
    }
    let start = indptr[0]!;
    for (let i = 0; i < rows; i++) {
      const end = indptr[i + 1]!;
      // out[i] = Σ_k values[k]·x[indices[k]], four accumulators for instruction-level parallelism
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      let k = start;
      for (; k + 3 < end; k += 4) {
        s0 += values[k]! * x[indices[k]!]!;
        s1 += values[k + 1]! * x[indices[k + 1]!]!;
        s2 += values[k + 2]! * x[indices[k + 2]!]!;
        s3 += values[k + 3]! * x[indices[k + 3]!]!;
      }
      for (; k < end; k++) s0 += values[k]! * x[indices[k]!]!;
      out[i] = (s0 + s1) + (s2 + s3);
      start = end;
    }
    return out;
  }

  /**
   * `out ← Aᵀ·y` (y of length rows, out of length cols; allocated when omitted), by scattering
   * each row. `out` must not overlap `y`. No allocation when `out` is given.
   *
   * @example
   * const g = A.rmatvec(residual); // gradient Aᵀr
   */
  rmatvec(y: Float64Array, out?: Float64Array): Float64Array {
    const { rows, cols, indptr, indices, values } = this;
    if (y.length !== rows) throw new ShapeError(`CsrMatrix.rmatvec: y has length ${y.length}, expected rows = ${rows}`);
    if (out === undefined) out = new Float64Array(cols);
    else {
      if (out.length !== cols) throw new ShapeError(`CsrMatrix.rmatvec: out has length ${out.length}, expected cols = ${cols}`);
      checkNoAlias(out, y, 'CsrMatrix.rmatvec');
      out.fill(0);
    }
    // No skipping of y[i] = 0: 0·∞ must still give NaN (IEEE semantics, as in the dense product).
    for (let i = 0; i < rows; i++) {
      const yi = y[i]!;
      const end = indptr[i + 1]!;
      for (let k = indptr[i]!; k < end; k++) out[indices[k]!] += values[k]! * yi;
    }
    return out;
  }

  /** The same matrix in CSC format (fresh arrays, sorted indices). O(nnz + rows + cols). */
  toCsc(): CscMatrix {
    const t = transposeCompressed(this.rows, this.cols, this.indptr, this.indices, this.values);
    return new CscMatrix(this.rows, this.cols, t.indptr, t.indices, t.values, { check: false });
  }

  /** `Aᵀ` in CSR format (fresh arrays). */
  transpose(): CsrMatrix {
    const t = transposeCompressed(this.rows, this.cols, this.indptr, this.indices, this.values);
    return new CsrMatrix(this.cols, this.rows, t.indptr, t.indices, t.values, { check: false });
  }

  /** Deep copy. */
  clone(): CsrMatrix {
    return new CsrMatrix(this.rows, this.cols, this.indptr.slice(), this.indices.slice(), this.values.slice(), { check: false });
  }

  /** Row i as views (no copy) of its column indices and values. */
  row(i: number): { indices: Int32Array; values: Float64Array } {
    this.checkRow(i, 'row');
    const s = this.indptr[i]!, e = this.indptr[i + 1]!;
    return { indices: this.indices.subarray(s, e), values: this.values.subarray(s, e) };
  }

  /** Entry (i, j) (0 when not stored). Binary search in row i. */
  get(i: number, j: number): number {
    this.checkRow(i, 'get');
    if (!Number.isInteger(j) || j < 0 || j >= this.cols) {
      throw new InvalidArgumentError(`CsrMatrix.get: column ${j} is out of range [0, ${this.cols})`);
    }
    const k = findSorted(this.indices, this.indptr[i]!, this.indptr[i + 1]!, j);
    return k < 0 ? 0 : this.values[k]!;
  }

  /** `Σ_k A[i, k]·v[k]` (row i dotted with a dense vector of length cols). */
  rowDot(i: number, v: Float64Array): number {
    this.checkRow(i, 'rowDot');
    if (v.length !== this.cols) throw new ShapeError(`CsrMatrix.rowDot: v has length ${v.length}, expected ${this.cols}`);
    const { indices, values } = this;
    let s = 0;
    for (let k = this.indptr[i]!; k < this.indptr[i + 1]!; k++) s += values[k]! * v[indices[k]!]!;
    return s;
  }

  /** `‖A[i, :]‖²` for every row. */
  rowNormsSquared(): Float64Array {
    const out = new Float64Array(this.rows);
    const { indptr, values } = this;
    for (let i = 0; i < this.rows; i++) {
      let s = 0;
      for (let k = indptr[i]!; k < indptr[i + 1]!; k++) s += values[k]! * values[k]!;
      out[i] = s;
    }
    return out;
  }

  /** `‖A[:, j]‖²` for every column. */
  colNormsSquared(): Float64Array {
    const out = new Float64Array(this.cols);
    const { indices, values } = this;
    const nz = this.nnz;
    for (let k = 0; k < nz; k++) out[indices[k]!] += values[k]! * values[k]!;
    return out;
  }

  /** The main diagonal (length min(rows, cols)), e.g. for a Jacobi preconditioner. */
  diagonal(): Float64Array {
    const n = Math.min(this.rows, this.cols);
    const d = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const k = findSorted(this.indices, this.indptr[i]!, this.indptr[i + 1]!, i);
      if (k >= 0) d[i] = this.values[k]!;
    }
    return d;
  }

  /** A copy without the explicitly stored zeros. */
  eliminateZeros(): CsrMatrix {
    const { rows, indptr, indices, values } = this;
    const ip = new Int32Array(rows + 1);
    let nz = 0;
    for (let k = 0; k < this.nnz; k++) if (values[k] !== 0) nz++;
    const idx = new Int32Array(nz);
    const val = new Float64Array(nz);
    let t = 0;
    for (let i = 0; i < rows; i++) {
      for (let k = indptr[i]!; k < indptr[i + 1]!; k++) {
        if (values[k] !== 0) {
          idx[t] = indices[k]!;
          val[t++] = values[k]!;
        }
      }
      ip[i + 1] = t;
    }
    return new CsrMatrix(rows, this.cols, ip, idx, val, { check: false });
  }

  private checkRow(i: number, fn: string): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.rows) {
      throw new InvalidArgumentError(`CsrMatrix.${fn}: row ${i} is out of range [0, ${this.rows})`);
    }
  }
}
