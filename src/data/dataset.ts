/**
 * @file In-memory datasets for the Lasso code: a design matrix `X` (dense column-major
 * `DenseDesign`, or the sparse `CscMatrix`; see `lasso/matrix.ts` for the one matrix model), a
 * target vector `y`, and names. Constructors used by the loaders (`denseFromRows`, `denseDesign`,
 * `makeDataset`), conversions (`toCsc`, `toDense`), row selection (`takeRows`, `takeDataset`),
 * train/validation splits, scikit-learn-compatible K-fold indices and column statistics.
 *
 * Conventions: CSC row indices are sorted ascending within each column and contain no duplicates
 * (`CscMatrix` validates it; every function here that builds one guarantees it).
 */
import { InvalidArgumentError, ShapeError } from '../core/errors.js';
import { checkOptions } from '../core/options.js';
import { rng } from '../core/rng.js';
import { CscMatrix } from '../linalg/sparse/csc.js';
import type { DenseDesign, DesignMatrix } from './matrix.js';

export type { DenseDesign, DesignMatrix, MatrixLike, VectorLike } from './matrix.js';

/** A supervised dataset: `nSamples` rows of `nFeatures` features, and one target per row. */
export interface Dataset {
  readonly X: DesignMatrix;
  readonly y: Float64Array;
  readonly featureNames: string[];
  readonly targetName: string;
  readonly nSamples: number;
  readonly nFeatures: number;
}

function checkDim(v: number, what: string, fn: string): void {
  if (!Number.isInteger(v) || v < 0) throw new InvalidArgumentError(`${fn}(): ${what} must be a non-negative integer, got ${v}`);
}

/**
 * Wraps column-major data as a `DenseDesign` (no copy), checking the length.
 *
 * @example
 * const X = denseDesign(new Float64Array([1, 2, 3, 4, 5, 6]), 2, 3); // columns [1,2], [3,4], [5,6]
 */
export function denseDesign(data: Float64Array, nRows: number, nCols: number): DenseDesign {
  checkDim(nRows, 'nRows', 'denseDesign');
  checkDim(nCols, 'nCols', 'denseDesign');
  if (data.length !== nRows * nCols) {
    throw new ShapeError(`denseDesign(): data has ${data.length} values, expected nRows*nCols = ${nRows}*${nCols} = ${nRows * nCols}`);
  }
  return { kind: 'dense', nRows, nCols, data };
}

/**
 * Builds a column-major `DenseDesign` from rows: either nested arrays (`rows[i][j]`) or a flat
 * ROW-MAJOR `Float64Array` with explicit `nRows`, `nCols`. Always copies.
 *
 * @example
 * const X = denseFromRows([[1, 2], [3, 4], [5, 6]]);       // 3×2, X.data = [1,3,5, 2,4,6]
 * const Y = denseFromRows(new Float64Array([1, 2, 3, 4, 5, 6]), 3, 2); // same matrix
 */
export function denseFromRows(rows: number[][] | Float64Array, nRows?: number, nCols?: number): DenseDesign {
  if (rows instanceof Float64Array) {
    if (nRows === undefined || nCols === undefined) {
      throw new InvalidArgumentError('denseFromRows(): nRows and nCols are required for a flat row-major Float64Array');
    }
    checkDim(nRows, 'nRows', 'denseFromRows');
    checkDim(nCols, 'nCols', 'denseFromRows');
    if (rows.length !== nRows * nCols) {
      throw new ShapeError(`denseFromRows(): ${rows.length} values do not fill ${nRows}×${nCols}`);
    }
    const data = new Float64Array(nRows * nCols);
    for (let i = 0; i < nRows; i++) {
      const o = i * nCols;
      for (let j = 0; j < nCols; j++) data[j * nRows + i] = rows[o + j]!;
    }
    return { kind: 'dense', nRows, nCols, data };
  }
  const n = nRows ?? rows.length;
  const p = nCols ?? (rows.length > 0 ? rows[0]!.length : 0);
  checkDim(n, 'nRows', 'denseFromRows');
  checkDim(p, 'nCols', 'denseFromRows');
  if (rows.length !== n) throw new ShapeError(`denseFromRows(): got ${rows.length} rows, expected ${n}`);
  const data = new Float64Array(n * p);
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    if (r.length !== p) throw new ShapeError(`denseFromRows(): row ${i} has ${r.length} values, expected ${p}`);
    for (let j = 0; j < p; j++) data[j * n + i] = r[j]!;
  }
  return { kind: 'dense', nRows: n, nCols: p, data };
}

/**
 * Converts a design to CSC (dense zeros are dropped); a CSC input is returned as is.
 *
 * @example
 * const S = toCsc(denseFromRows([[1, 0], [0, 2]])); // a CscMatrix, S.indptr = [0, 1, 2]
 */
export function toCsc(X: DesignMatrix): CscMatrix {
  if (X.kind === 'csc') return X;
  return CscMatrix.fromDense(X.data, X.nRows, X.nCols, 'col-major');
}

/**
 * Converts a design to dense column-major; a dense input is returned as is.
 *
 * @example
 * const D = toDense(CscMatrix.fromCoo(2, 1, [1], [0], [5])); // D.data = [0, 5]
 */
export function toDense(X: DesignMatrix): DenseDesign {
  if (X.kind === 'dense') return X;
  const { nRows, nCols, indptr, indices, values } = X;
  const data = new Float64Array(nRows * nCols);
  for (let j = 0; j < nCols; j++) {
    const o = j * nRows;
    for (let k = indptr[j]!; k < indptr[j + 1]!; k++) data[o + indices[k]!] = values[k]!;
  }
  return { kind: 'dense', nRows, nCols, data };
}

/**
 * Entry (i, j) of a design (O(log nnz_j) for CSC). Meant for tests and inspection, not hot loops.
 *
 * @example
 * getEntry(denseFromRows([[1, 2], [3, 4]]), 1, 0); // 3
 */
export function getEntry(X: DesignMatrix, i: number, j: number): number {
  if (i < 0 || i >= X.nRows || j < 0 || j >= X.nCols) {
    throw new InvalidArgumentError(`getEntry(): (${i}, ${j}) is outside a ${X.nRows}×${X.nCols} matrix`);
  }
  return X.kind === 'dense' ? X.data[j * X.nRows + i]! : X.get(i, j);
}

/**
 * Number of stored entries (n·p for dense).
 *
 * @example
 * nnzOf(denseFromRows([[1, 0]])); // 2
 */
export function nnzOf(X: DesignMatrix): number {
  return X.kind === 'dense' ? X.data.length : X.nnz;
}

function checkRowIndices(idx: Int32Array, nRows: number, fn: string): boolean {
  let increasing = true;
  for (let t = 0; t < idx.length; t++) {
    const r = idx[t]!;
    if (r < 0 || r >= nRows) throw new InvalidArgumentError(`${fn}(): row index ${r} at position ${t} is outside [0, ${nRows})`);
    if (t > 0 && r < idx[t - 1]!) increasing = false;
  }
  return increasing;
}

/**
 * The rows `idx` of a design, in that order (repeats allowed), as a design of the same kind.
 * For CSC the output keeps sorted row indices in each column.
 *
 * @example
 * const X = denseFromRows([[1, 2], [3, 4], [5, 6]]);
 * takeRows(X, Int32Array.of(2, 0)); // rows [5, 6] and [1, 2]
 * // into a reused buffer (dense X): the result's data is out.subarray(0, 2 · nCols)
 * takeRows(X, Int32Array.of(2, 0), { out: new Float64Array(8) });
 */
export function takeRows(X: DesignMatrix, idx: Int32Array, opts: { out?: Float64Array } = {}): DesignMatrix {
  checkOptions(opts, ['out'], 'takeRows()');
  const m = idx.length;
  const monotone = checkRowIndices(idx, X.nRows, 'takeRows');
  if (X.kind === 'dense') {
    const { nRows, nCols, data } = X;
    if (opts.out !== undefined && (!(opts.out instanceof Float64Array) || opts.out.length < m * nCols)) {
      throw new ShapeError(`takeRows(): out must be a Float64Array of at least ${m}·${nCols} = ${m * nCols} values (dense X), got ${opts.out instanceof Float64Array ? `length ${opts.out.length}` : typeof opts.out}`);
    }
    const out = opts.out !== undefined ? opts.out.subarray(0, m * nCols) : new Float64Array(m * nCols);
    // runs of consecutive rows (contiguous CV folds have one or two) are copied as blocks
    const runStart: number[] = [];
    const runLen: number[] = [];
    for (let t = 0; t < m; ) {
      let e = t + 1;
      while (e < m && idx[e] === idx[e - 1]! + 1) e++;
      runStart.push(t);
      runLen.push(e - t);
      t = e;
    }
    if (runStart.length * 8 <= m) {
      for (let j = 0; j < nCols; j++) {
        const o = j * nRows;
        const w = j * m;
        for (let r = 0; r < runStart.length; r++) {
          const t = runStart[r]!;
          const a = o + idx[t]!;
          out.set(data.subarray(a, a + runLen[r]!), w + t);
        }
      }
    } else {
      for (let j = 0; j < nCols; j++) {
        const o = j * nRows;
        const w = j * m;
        for (let t = 0; t < m; t++) out[w + t] = data[o + idx[t]!]!;
      }
    }
    return { kind: 'dense', nRows: m, nCols, data: out };
  }
  const { nRows, nCols, indptr, indices, values } = X;
  // inverse map: old row r -> new positions posList[posPtr[r] .. posPtr[r+1]-1] (ascending)
  const posPtr = new Int32Array(nRows + 1);
  for (let t = 0; t < m; t++) posPtr[idx[t]! + 1]!++;
  for (let r = 0; r < nRows; r++) posPtr[r + 1]! += posPtr[r]!;
  const fill = posPtr.slice(0, nRows);
  const posList = new Int32Array(m);
  for (let t = 0; t < m; t++) posList[fill[idx[t]!]!++] = t;
  const newPtr = new Int32Array(nCols + 1);
  for (let j = 0; j < nCols; j++) {
    let c = 0;
    for (let k = indptr[j]!; k < indptr[j + 1]!; k++) {
      const r = indices[k]!;
      c += posPtr[r + 1]! - posPtr[r]!;
    }
    newPtr[j + 1] = newPtr[j]! + c;
  }
  const nnz = newPtr[nCols]!;
  const outIdx = new Int32Array(nnz);
  const outVal = new Float64Array(nnz);
  for (let j = 0; j < nCols; j++) {
    let w = newPtr[j]!;
    for (let k = indptr[j]!; k < indptr[j + 1]!; k++) {
      const r = indices[k]!;
      const v = values[k]!;
      for (let q = posPtr[r]!; q < posPtr[r + 1]!; q++) {
        outIdx[w] = posList[q]!;
        outVal[w++] = v;
      }
    }
    if (!monotone) sortSegment(outIdx, outVal, newPtr[j]!, newPtr[j + 1]!);
  }
  return new CscMatrix(m, nCols, newPtr, outIdx, outVal, { check: false });
}

/** Sorts idx[lo..hi) ascending, permuting val alongside. */
function sortSegment(idx: Int32Array, val: Float64Array, lo: number, hi: number): void {
  const len = hi - lo;
  if (len < 2) return;
  if (len <= 32) {
    for (let a = lo + 1; a < hi; a++) {
      const ki = idx[a]!;
      const kv = val[a]!;
      let b = a - 1;
      while (b >= lo && idx[b]! > ki) {
        idx[b + 1] = idx[b]!;
        val[b + 1] = val[b]!;
        b--;
      }
      idx[b + 1] = ki;
      val[b + 1] = kv;
    }
    return;
  }
  const order = Array.from({ length: len }, (_, t) => lo + t);
  order.sort((a, b) => idx[a]! - idx[b]!);
  const si = order.map((k) => idx[k]!);
  const sv = order.map((k) => val[k]!);
  for (let t = 0; t < len; t++) {
    idx[lo + t] = si[t]!;
    val[lo + t] = sv[t]!;
  }
}

/**
 * Builds a `Dataset` from a design and a target, checking that the lengths agree. Feature names
 * default to `x0, x1, ...` and the target name to `y`.
 *
 * @example
 * const ds = makeDataset(denseFromRows([[1, 2], [3, 4]]), Float64Array.of(0, 1));
 */
export function makeDataset(
  X: DesignMatrix,
  y: Float64Array,
  opts: { featureNames?: string[]; targetName?: string } = {},
): Dataset {
  checkOptions(opts, ['featureNames', 'targetName'], 'makeDataset()');
  if (y.length !== X.nRows) throw new ShapeError(`makeDataset(): y has ${y.length} entries but X has ${X.nRows} rows`);
  const featureNames = opts.featureNames ?? Array.from({ length: X.nCols }, (_, j) => `x${j}`);
  if (featureNames.length !== X.nCols) {
    throw new ShapeError(`makeDataset(): ${featureNames.length} feature names for ${X.nCols} columns`);
  }
  return { X, y, featureNames, targetName: opts.targetName ?? 'y', nSamples: X.nRows, nFeatures: X.nCols };
}

/**
 * The rows `idx` of a dataset (design and target), keeping names.
 *
 * @example
 * const head = takeDataset(ds, Int32Array.of(0, 1, 2));
 */
export function takeDataset(ds: Dataset, idx: Int32Array): Dataset {
  const X = takeRows(ds.X, idx);
  const y = new Float64Array(idx.length);
  for (let t = 0; t < idx.length; t++) y[t] = ds.y[idx[t]!]!;
  return { X, y, featureNames: ds.featureNames, targetName: ds.targetName, nSamples: idx.length, nFeatures: ds.nFeatures };
}

/** Result of `splitTrainVal`: the two datasets and the row indices (into the original) of each. */
export interface TrainValSplit {
  train: Dataset;
  val: Dataset;
  trainIdx: Int32Array;
  valIdx: Int32Array;
}

/**
 * Splits a dataset into a training part holding `fraction` of the rows (floor(fraction·n)) and a
 * validation part holding the rest. With `shuffle` (default true, `seed` default 0) the rows are
 * assigned by a seeded random permutation; each part's indices are returned sorted ascending.
 * Without shuffle the first rows go to training. Both parts must be non-empty.
 *
 * @example
 * const { train, val } = splitTrainVal(ds, 0.5, { seed: 1 });
 */
export function splitTrainVal(ds: Dataset, fraction: number, opts: { seed?: number; shuffle?: boolean } = {}): TrainValSplit {
  checkOptions(opts, ['seed', 'shuffle'], 'splitTrainVal()');
  const n = ds.nSamples;
  if (!(fraction > 0 && fraction < 1)) {
    throw new InvalidArgumentError(`splitTrainVal(): fraction (share of rows used for training) must be in (0, 1), got ${fraction}`);
  }
  const nTrain = Math.floor(fraction * n + 1e-9);
  if (nTrain < 1 || nTrain > n - 1) {
    throw new InvalidArgumentError(`splitTrainVal(): fraction ${fraction} of ${n} rows leaves an empty training or validation set`);
  }
  const shuffle = opts.shuffle ?? true;
  const order = shuffle ? rng(opts.seed ?? 0).permutation(n) : Int32Array.from({ length: n }, (_, i) => i);
  const trainIdx = order.slice(0, nTrain).sort();
  const valIdx = order.slice(nTrain).sort();
  return { train: takeDataset(ds, trainIdx), val: takeDataset(ds, valIdx), trainIdx, valIdx };
}

/** One fold of a K-fold split: row indices, each sorted ascending. */
export interface Fold {
  train: Int32Array;
  val: Int32Array;
}

/**
 * K-fold cross-validation indices with scikit-learn `KFold` semantics: the (optionally shuffled)
 * row order is cut into k contiguous blocks, the first `n % k` of size `floor(n/k) + 1`, the
 * others `floor(n/k)`; block i is the validation set of fold i and the remaining rows its training
 * set. Both index arrays are sorted ascending (as scikit-learn returns them). `shuffle` uses a
 * seeded permutation (`seed` default 0).
 *
 * @example
 * kFoldIndices(10, 3).map((f) => Array.from(f.val)); // [[0,1,2,3], [4,5,6], [7,8,9]]
 */
export function kFoldIndices(n: number, k: number, opts: { shuffle?: boolean; seed?: number } = {}): Fold[] {
  checkOptions(opts, ['shuffle', 'seed'], 'kFoldIndices()');
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`kFoldIndices(): n must be a non-negative integer, got ${n}`);
  if (!Number.isInteger(k) || k < 2) throw new InvalidArgumentError(`kFoldIndices(): k must be an integer >= 2, got ${k}`);
  if (k > n) throw new InvalidArgumentError(`kFoldIndices(): fewer rows than folds (n = ${n} rows, k = ${k} folds)`);
  const order = opts.shuffle ? rng(opts.seed ?? 0).permutation(n) : Int32Array.from({ length: n }, (_, i) => i);
  const base = Math.floor(n / k);
  const extra = n % k;
  const folds: Fold[] = [];
  const inVal = new Uint8Array(n);
  let start = 0;
  for (let f = 0; f < k; f++) {
    const size = base + (f < extra ? 1 : 0);
    inVal.fill(0);
    for (let t = start; t < start + size; t++) inVal[order[t]!] = 1;
    const val = new Int32Array(size);
    const train = new Int32Array(n - size);
    let a = 0;
    let b = 0;
    for (let i = 0; i < n; i++) {
      if (inVal[i]) val[a++] = i;
      else train[b++] = i;
    }
    folds.push({ train, val });
    start += size;
  }
  return folds;
}

/**
 * Squared Euclidean norm of every column, ‖X[:, j]‖².
 *
 * @example
 * columnNormsSquared(denseFromRows([[1, 2], [3, 4]])); // Float64Array [10, 20]
 */
export function columnNormsSquared(X: DesignMatrix): Float64Array {
  const out = new Float64Array(X.nCols);
  if (X.kind === 'dense') {
    const { nRows, nCols, data } = X;
    for (let j = 0; j < nCols; j++) {
      let s = 0;
      const e = (j + 1) * nRows;
      for (let k = j * nRows; k < e; k++) {
        const v = data[k]!;
        s += v * v;
      }
      out[j] = s;
    }
    return out;
  }
  return X.colNormsSquared();
}

/**
 * Indices of the columns whose entries are all equal (they carry no information and are fitted
 * with a zero coefficient after centring). In a CSC design an all-zero column with no stored
 * entry is an absent feature, which is normal in sparse data: it is listed only when
 * `includeEmptySparse` is true.
 *
 * @example
 * constantColumns(denseFromRows([[1, 2], [1, 3]])); // Int32Array [0]
 */
export function constantColumns(X: DesignMatrix, opts: { includeEmptySparse?: boolean } = {}): Int32Array {
  checkOptions(opts, ['includeEmptySparse'], 'constantColumns()');
  const out: number[] = [];
  if (X.kind === 'dense') {
    const { nRows, nCols, data } = X;
    for (let j = 0; j < nCols; j++) {
      const first = data[j * nRows]!;
      let same = true;
      for (let k = j * nRows + 1; k < (j + 1) * nRows && same; k++) same = data[k] === first;
      if (same) out.push(j);
    }
  } else {
    const { nRows, nCols, indptr, values } = X;
    for (let j = 0; j < nCols; j++) {
      const s = indptr[j]!, e = indptr[j + 1]!;
      if (s === e) {
        if (opts.includeEmptySparse) out.push(j);
        continue;
      }
      // constant only if every row is stored with one value, or every stored value is 0
      const first = values[s]!;
      let same = true;
      for (let k = s + 1; k < e && same; k++) same = values[k] === first;
      if (same && (e - s === nRows || first === 0)) out.push(j);
    }
  }
  return Int32Array.from(out);
}

/**
 * X·w for a design (length nRows), written into `out` if given.
 *
 * @example
 * matVec(denseFromRows([[1, 2], [3, 4]]), Float64Array.of(1, 1)); // [3, 7]
 */
export function matVec(X: DesignMatrix, w: Float64Array, out: Float64Array = new Float64Array(X.nRows)): Float64Array {
  if (w.length !== X.nCols) throw new ShapeError(`matVec(): w has ${w.length} entries, X has ${X.nCols} columns`);
  if (out.length !== X.nRows) throw new ShapeError(`matVec(): out has ${out.length} entries, X has ${X.nRows} rows`);
  out.fill(0);
  if (X.kind === 'dense') {
    const { nRows, nCols, data } = X;
    for (let j = 0; j < nCols; j++) {
      const wj = w[j]!;
      if (wj === 0) continue;
      const o = j * nRows;
      for (let i = 0; i < nRows; i++) out[i]! += wj * data[o + i]!;
    }
    return out;
  }
  return X.matvec(w, out);
}
