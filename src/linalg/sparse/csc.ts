/**
 * @file Compressed sparse column matrices — the layout coordinate descent wants, since it reads
 * one column at a time. Column j's non-zeros are `values[indptr[j] .. indptr[j+1]-1]` at rows
 * `indices[...]` (sorted ascending, no duplicates — validated on construction; the same
 * convention the Lasso solvers rely on). This is THE sparse column type of the library: the Lasso
 * models and solvers take it directly (it is the sparse half of their `DesignMatrix`, with
 * `kind: 'csc'`, `nRows`, `nCols`), and the libsvm loader and sparse generators produce it.
 * Column accessors (`column`, `colDot`, `colAxpy`, `colNormsSquared`) serve CD; `matvec`
 * (scatter) and `rmatvec` (column dot products, the fast direction) serve the iterative solvers.
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
import { CsrMatrix } from './csr.js';

const NAMES = { cls: 'CscMatrix', major: 'column', minor: 'row' };

/**
 * A `rows × cols` sparse matrix in CSC format (float64 values, int32 indices).
 *
 * @example
 * const X = CscMatrix.fromDense([1, 0, 2, 0, 0, 3], 2, 3); // row-major input
 * X.column(2);            // { indices: [0, 1], values: [2, 3] } (views)
 * X.colNormsSquared();    // [1, 0, 13]
 */
export class CscMatrix {
  /** Discriminant shared with the dense column-major design of the Lasso solvers (`kind: 'dense'`). */
  readonly kind = 'csc' as const;

  /**
   * Wraps the arrays (no copy). With `check` (default true) the structure is validated in O(nnz):
   * `indptr` of length cols+1 from 0 to nnz, non-decreasing; row indices in range and strictly
   * increasing within each column.
   */
  constructor(
    readonly rows: number,
    readonly cols: number,
    readonly indptr: Int32Array,
    readonly indices: Int32Array,
    readonly values: Float64Array,
    options: { check?: boolean } = {},
  ) {
    checkDims(rows, cols, 'CscMatrix');
    if (options.check !== false) validateCompressed(cols, rows, indptr, indices, values, NAMES);
  }

  /** Number of stored entries (explicit zeros included). */
  get nnz(): number {
    return this.indptr[this.cols]!;
  }

  /** `[rows, cols]`. */
  get shape(): [number, number] {
    return [this.rows, this.cols];
  }

  /** `rows`, under the name of the design protocol (`{ kind, nRows, nCols }`) the Lasso solvers read. */
  get nRows(): number {
    return this.rows;
  }

  /** `cols`, under the name of the design protocol (`{ kind, nRows, nCols }`) the Lasso solvers read. */
  get nCols(): number {
    return this.cols;
  }

  /**
   * From a dense matrix (`order`: `'row-major'` default, or `'col-major'`); exact zeros are dropped.
   *
   * @example
   * CscMatrix.fromDense(Float64Array.of(1, 3, 2, 4), 2, 2, 'col-major').get(0, 1); // 2
   */
  static fromDense(data: ArrayLike<number>, rows: number, cols: number, order: 'row-major' | 'col-major' = 'row-major'): CscMatrix {
    const c = denseToCompressed(data, rows, cols, order, false, 'CscMatrix.fromDense');
    return new CscMatrix(rows, cols, c.indptr, c.indices, c.values, { check: false });
  }

  /**
   * From coordinate triplets in any order; duplicates are summed, indices sorted, bounds checked
   * (`InvalidArgumentError` naming the offending entry; `ShapeError` for unequal lengths).
   *
   * @example
   * CscMatrix.fromCoo(2, 2, [0, 0], [1, 1], [1, 2]).get(0, 1); // 3
   */
  static fromCoo(
    rows: number, cols: number, rowIdx: ArrayLike<number>, colIdx: ArrayLike<number>, vals: ArrayLike<number>,
  ): CscMatrix {
    checkDims(rows, cols, 'CscMatrix.fromCoo');
    const c = cooToCompressed(cols, rows, colIdx, rowIdx, vals, 'colIdx', 'rowIdx', 'CscMatrix.fromCoo');
    return new CscMatrix(rows, cols, c.indptr, c.indices, c.values, { check: false });
  }

  /** Dense row-major copy (`rows·cols` values). */
  toDense(): Float64Array {
    const { rows, cols, indptr, indices, values } = this;
    const d = new Float64Array(rows * cols);
    for (let j = 0; j < cols; j++) {
      for (let k = indptr[j]!; k < indptr[j + 1]!; k++) d[indices[k]! * cols + j] = values[k]!;
    }
    return d;
  }

  /** COO triplets in column-major order (fresh arrays). */
  toCoo(): { rowIdx: Int32Array; colIdx: Int32Array; values: Float64Array } {
    const nz = this.nnz;
    const colIdx = new Int32Array(nz);
    for (let j = 0; j < this.cols; j++) colIdx.fill(j, this.indptr[j]!, this.indptr[j + 1]!);
    return { rowIdx: this.indices.slice(0, nz), colIdx, values: this.values.slice(0, nz) };
  }

  /**
   * `out ← A·x` (x of length cols, out of length rows; allocated when omitted) by scattering
   * `x[j]·A[:, j]`. `out` must not overlap `x`. No allocation when `out` is given.
   *
   * @example
   * const Xw = X.matvec(w);
   */
  matvec(x: Float64Array, out?: Float64Array): Float64Array {
    const { rows, cols, indptr, indices, values } = this;
    if (x.length !== cols) throw new ShapeError(`CscMatrix.matvec: x has length ${x.length}, expected cols = ${cols}`);
    if (out === undefined) out = new Float64Array(rows);
    else {
      if (out.length !== rows) throw new ShapeError(`CscMatrix.matvec: out has length ${out.length}, expected rows = ${rows}`);
      checkNoAlias(out, x, 'CscMatrix.matvec');
      out.fill(0);
    }
    for (let j = 0; j < cols; j++) {
      const xj = x[j]!;
      const end = indptr[j + 1]!;
      for (let k = indptr[j]!; k < end; k++) out[indices[k]!] += values[k]! * xj;
    }
    return out;
  }

  /**
   * `out ← Aᵀ·y` (y of length rows, out of length cols; allocated when omitted): one sparse dot
   * product per column. `out` must not overlap `y`. No allocation when `out` is given.
   *
   * @example
   * const grad = X.rmatvec(residual);
   */
  rmatvec(y: Float64Array, out?: Float64Array): Float64Array {
    const { rows, cols, indptr, indices, values } = this;
    if (y.length !== rows) throw new ShapeError(`CscMatrix.rmatvec: y has length ${y.length}, expected rows = ${rows}`);
    if (out === undefined) out = new Float64Array(cols);
    else {
      if (out.length !== cols) throw new ShapeError(`CscMatrix.rmatvec: out has length ${out.length}, expected cols = ${cols}`);
      checkNoAlias(out, y, 'CscMatrix.rmatvec');
    }
    let start = indptr[0]!;
    for (let j = 0; j < cols; j++) {
      const end = indptr[j + 1]!;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      let k = start;
      for (; k + 3 < end; k += 4) {
        s0 += values[k]! * y[indices[k]!]!;
        s1 += values[k + 1]! * y[indices[k + 1]!]!;
        s2 += values[k + 2]! * y[indices[k + 2]!]!;
        s3 += values[k + 3]! * y[indices[k + 3]!]!;
      }
      for (; k < end; k++) s0 += values[k]! * y[indices[k]!]!;
      out[j] = (s0 + s1) + (s2 + s3);
      start = end;
    }
    return out;
  }

  /** The same matrix in CSR format (fresh arrays, sorted indices). O(nnz + rows + cols). */
  toCsr(): CsrMatrix {
    const t = transposeCompressed(this.cols, this.rows, this.indptr, this.indices, this.values);
    return new CsrMatrix(this.rows, this.cols, t.indptr, t.indices, t.values, { check: false });
  }

  /** `Aᵀ` in CSC format (fresh arrays). */
  transpose(): CscMatrix {
    const t = transposeCompressed(this.cols, this.rows, this.indptr, this.indices, this.values);
    return new CscMatrix(this.cols, this.rows, t.indptr, t.indices, t.values, { check: false });
  }

  /** Deep copy. */
  clone(): CscMatrix {
    return new CscMatrix(this.rows, this.cols, this.indptr.slice(), this.indices.slice(), this.values.slice(), { check: false });
  }

  /**
   * Column j as views (no copy) of its row indices and values — the inner loop of coordinate descent.
   *
   * @example
   * const { indices, values } = X.column(j);
   * for (let t = 0; t < indices.length; t++) r[indices[t]!] -= delta * values[t]!;
   */
  column(j: number): { indices: Int32Array; values: Float64Array } {
    this.checkCol(j, 'column');
    const s = this.indptr[j]!, e = this.indptr[j + 1]!;
    return { indices: this.indices.subarray(s, e), values: this.values.subarray(s, e) };
  }

  /** Entry (i, j) (0 when not stored). Binary search in column j. */
  get(i: number, j: number): number {
    this.checkCol(j, 'get');
    if (!Number.isInteger(i) || i < 0 || i >= this.rows) {
      throw new InvalidArgumentError(`CscMatrix.get: row ${i} is out of range [0, ${this.rows})`);
    }
    const k = findSorted(this.indices, this.indptr[j]!, this.indptr[j + 1]!, i);
    return k < 0 ? 0 : this.values[k]!;
  }

  /** `A[:, j]ᵀ·v` for a dense v of length rows (e.g. the CD gradient `x_jᵀr`). */
  colDot(j: number, v: Float64Array): number {
    this.checkCol(j, 'colDot');
    if (v.length !== this.rows) throw new ShapeError(`CscMatrix.colDot: v has length ${v.length}, expected ${this.rows}`);
    const { indices, values } = this;
    let s = 0;
    const end = this.indptr[j + 1]!;
    for (let k = this.indptr[j]!; k < end; k++) s += values[k]! * v[indices[k]!]!;
    return s;
  }

  /** `y ← y + alpha·A[:, j]` for a dense y of length rows (e.g. the CD residual update). */
  colAxpy(j: number, alpha: number, y: Float64Array): void {
    this.checkCol(j, 'colAxpy');
    if (y.length !== this.rows) throw new ShapeError(`CscMatrix.colAxpy: y has length ${y.length}, expected ${this.rows}`);
    const { indices, values } = this;
    const end = this.indptr[j + 1]!;
    for (let k = this.indptr[j]!; k < end; k++) y[indices[k]!] += alpha * values[k]!;
  }

  /** `‖A[:, j]‖²` for every column (the CD step sizes / Lipschitz constants). */
  colNormsSquared(): Float64Array {
    const out = new Float64Array(this.cols);
    const { indptr, values } = this;
    for (let j = 0; j < this.cols; j++) {
      let s = 0;
      for (let k = indptr[j]!; k < indptr[j + 1]!; k++) s += values[k]! * values[k]!;
      out[j] = s;
    }
    return out;
  }

  /** `‖A[i, :]‖²` for every row. */
  rowNormsSquared(): Float64Array {
    const out = new Float64Array(this.rows);
    const { indices, values } = this;
    const nz = this.nnz;
    for (let k = 0; k < nz; k++) out[indices[k]!] += values[k]! * values[k]!;
    return out;
  }

  /** The main diagonal (length min(rows, cols)). */
  diagonal(): Float64Array {
    const n = Math.min(this.rows, this.cols);
    const d = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      const k = findSorted(this.indices, this.indptr[j]!, this.indptr[j + 1]!, j);
      if (k >= 0) d[j] = this.values[k]!;
    }
    return d;
  }

  private checkCol(j: number, fn: string): void {
    if (!Number.isInteger(j) || j < 0 || j >= this.cols) {
      throw new InvalidArgumentError(`CscMatrix.${fn}: column ${j} is out of range [0, ${this.cols})`);
    }
  }
}
