/**
 * @file Internal helpers shared by `CsrMatrix` and `CscMatrix`, written once for a generic
 * "compressed major" layout: `indptr` (length nMajor+1) delimits, for each major index (row for
 * CSR, column for CSC), a run of minor indices (`indices`, sorted ascending, no duplicates) and
 * `values`. Structure validation, COO → compressed (duplicates summed), dense → compressed, and the
 * O(nnz + n) transposition of the layout (CSR ↔ CSC).
 */
import { InvalidArgumentError, ShapeError } from '../../core/errors.js';

/** The three arrays of a compressed layout. */
export interface Compressed {
  indptr: Int32Array;
  indices: Int32Array;
  values: Float64Array;
}

/** Names used in error messages: e.g. `{ cls: 'CsrMatrix', major: 'row', minor: 'column' }`. */
export interface LayoutNames {
  cls: string;
  major: string;
  minor: string;
}

/** Largest dimension / nnz an Int32Array index can address. */
const MAX_INDEX = 2147483647;

export function checkDims(rows: number, cols: number, where: string): void {
  if (!Number.isInteger(rows) || rows < 0 || rows > MAX_INDEX) {
    throw new InvalidArgumentError(`${where}: rows must be an integer in [0, 2^31), got ${rows}`);
  }
  if (!Number.isInteger(cols) || cols < 0 || cols > MAX_INDEX) {
    throw new InvalidArgumentError(`${where}: cols must be an integer in [0, 2^31), got ${cols}`);
  }
}

/**
 * Validates a compressed structure: array types, `indptr` length nMajor+1 starting at 0,
 * non-decreasing, ending at nnz = indices.length = values.length; minor indices in range and
 * strictly increasing within each major slice.
 */
export function validateCompressed(
  nMajor: number, nMinor: number, indptr: unknown, indices: unknown, values: unknown, names: LayoutNames,
): void {
  const w = names.cls;
  if (!(indptr instanceof Int32Array)) throw new InvalidArgumentError(`${w}: indptr must be an Int32Array`);
  if (!(indices instanceof Int32Array)) throw new InvalidArgumentError(`${w}: indices must be an Int32Array`);
  if (!(values instanceof Float64Array)) throw new InvalidArgumentError(`${w}: values must be a Float64Array`);
  if (indptr.length !== nMajor + 1) {
    throw new ShapeError(`${w}: indptr has length ${indptr.length}, expected ${names.major}s + 1 = ${nMajor + 1}`);
  }
  if (indices.length !== values.length) {
    throw new ShapeError(`${w}: indices (${indices.length}) and values (${values.length}) differ in length`);
  }
  if (indptr[0] !== 0) throw new InvalidArgumentError(`${w}: indptr[0] must be 0, got ${indptr[0]}`);
  if (indptr[nMajor] !== indices.length) {
    throw new ShapeError(`${w}: indptr[${nMajor}] = ${indptr[nMajor]} must equal the number of stored entries ${indices.length}`);
  }
  for (let a = 0; a < nMajor; a++) {
    const start = indptr[a]!, end = indptr[a + 1]!;
    if (end < start) throw new InvalidArgumentError(`${w}: indptr decreases at ${names.major} ${a} (${start} → ${end})`);
    let last = -1;
    for (let k = start; k < end; k++) {
      const idx = indices[k]!;
      if (idx < 0 || idx >= nMinor) {
        throw new InvalidArgumentError(
          `${w}: ${names.minor} index ${idx} at position ${k} (${names.major} ${a}) is out of range [0, ${nMinor})`,
        );
      }
      if (idx <= last) {
        throw new InvalidArgumentError(
          `${w}: ${names.minor} indices of ${names.major} ${a} are not strictly increasing (${last} then ${idx} at position ${k}); ` +
            `build unsorted or duplicated entries with fromCoo()`,
        );
      }
      last = idx;
    }
  }
}

/**
 * COO triplets → compressed layout, with (major, minor) pairs sorted and duplicates summed.
 * Two stable counting sorts (by minor, then by major) that move the data itself, so every pass
 * reads sequentially (gathering through a permutation would cost a cache miss per entry);
 * then duplicates, now adjacent, are merged in place. O(nnz + nMajor + nMinor).
 */
export function cooToCompressed(
  nMajor: number,
  nMinor: number,
  major: ArrayLike<number>,
  minor: ArrayLike<number>,
  vals: ArrayLike<number>,
  majorName: string,
  minorName: string,
  where: string,
): Compressed {
  const nz = vals.length;
  if (major.length !== nz || minor.length !== nz) {
    throw new ShapeError(
      `${where}: ${majorName} (${major.length}), ${minorName} (${minor.length}) and vals (${nz}) must have the same length`,
    );
  }
  if (nz > MAX_INDEX) throw new InvalidArgumentError(`${where}: too many entries (${nz})`);
  const bad = (v: number, k: number, bound: number, name: string): never => {
    throw new InvalidArgumentError(`${where}: ${name}[${k}] = ${v} is not an integer index in [0, ${bound})`);
  };
  const minorPtr = new Int32Array(nMinor + 1);
  const majorPtr = new Int32Array(nMajor + 1);
  for (let k = 0; k < nz; k++) {
    const a = major[k]!, b = minor[k]!;
    // (x | 0) === x rejects fractions, NaN and values beyond int32 in one test
    if ((a | 0) !== a || a < 0 || a >= nMajor) bad(a, k, nMajor, majorName);
    if ((b | 0) !== b || b < 0 || b >= nMinor) bad(b, k, nMinor, minorName);
    minorPtr[b + 1]++;
    majorPtr[a + 1]++;
  }
  for (let b = 0; b < nMinor; b++) minorPtr[b + 1] += minorPtr[b]!;
  for (let a = 0; a < nMajor; a++) majorPtr[a + 1] += majorPtr[a]!;
  // Pass 1: bucket (major, value) by minor index.
  const tMajor = new Int32Array(nz);
  const tVal = new Float64Array(nz);
  const next = minorPtr.slice(0, nMinor);
  for (let k = 0; k < nz; k++) {
    const d = next[minor[k]!]!++;
    tMajor[d] = major[k]!;
    tVal[d] = vals[k]!;
  }
  // Pass 2 (stable): bucket (minor, value) by major index → sorted by (major, minor).
  const indices = new Int32Array(nz);
  const values = new Float64Array(nz);
  const nextMajor = majorPtr.slice(0, nMajor);
  for (let b = 0; b < nMinor; b++) {
    const end = minorPtr[b + 1]!;
    for (let d = minorPtr[b]!; d < end; d++) {
      const e = nextMajor[tMajor[d]!]!++;
      indices[e] = b;
      values[e] = tVal[d]!;
    }
  }
  // Merge duplicates (adjacent within each major slice), compacting in place.
  const indptr = new Int32Array(nMajor + 1);
  let out = 0;
  for (let a = 0; a < nMajor; a++) {
    const sliceStart = out;
    const end = majorPtr[a + 1]!;
    for (let t = majorPtr[a]!; t < end; t++) {
      const b = indices[t]!;
      if (out > sliceStart && indices[out - 1] === b) values[out - 1] += values[t]!;
      else {
        indices[out] = b;
        values[out] = values[t]!;
        out++;
      }
    }
    indptr[a + 1] = out;
  }
  return {
    indptr,
    indices: out === nz ? indices : indices.slice(0, out),
    values: out === nz ? values : values.slice(0, out),
  };
}

/**
 * Dense → compressed (`major = rows` for CSR). `data` is row-major (`order = 'row-major'`) or
 * column-major; exact zeros are not stored (NaN is).
 */
export function denseToCompressed(
  data: ArrayLike<number>, rows: number, cols: number, order: 'row-major' | 'col-major', csr: boolean, where: string,
): Compressed {
  checkDims(rows, cols, where);
  if (order !== 'row-major' && order !== 'col-major') {
    throw new InvalidArgumentError(`${where}: order must be 'row-major' or 'col-major', got ${String(order)}`);
  }
  if (data.length !== rows * cols) {
    throw new ShapeError(`${where}: data has ${data.length} values, expected rows·cols = ${rows}·${cols} = ${rows * cols}`);
  }
  const nMajor = csr ? rows : cols;
  const nMinor = csr ? cols : rows;
  // Stride of the major / minor index in data.
  const rowStride = order === 'row-major' ? cols : 1;
  const colStride = order === 'row-major' ? 1 : rows;
  const sMajor = csr ? rowStride : colStride;
  const sMinor = csr ? colStride : rowStride;
  let nz = 0;
  for (let i = 0; i < data.length; i++) if (data[i] !== 0) nz++;
  const indptr = new Int32Array(nMajor + 1);
  const indices = new Int32Array(nz);
  const values = new Float64Array(nz);
  let k = 0;
  for (let a = 0; a < nMajor; a++) {
    const base = a * sMajor;
    for (let b = 0; b < nMinor; b++) {
      const v = data[base + b * sMinor]!;
      if (v !== 0) {
        indices[k] = b;
        values[k] = v;
        k++;
      }
    }
    indptr[a + 1] = k;
  }
  return { indptr, indices, values };
}

/**
 * Transposes a compressed layout (CSR of A → CSR of Aᵀ, i.e. CSC of A). Counting sort by minor
 * index; visiting majors in order keeps the new minor indices sorted. O(nnz + nMajor + nMinor).
 */
export function transposeCompressed(
  nMajor: number, nMinor: number, indptr: Int32Array, indices: Int32Array, values: Float64Array,
): Compressed {
  const nz = indptr[nMajor]!;
  const tIndptr = new Int32Array(nMinor + 1);
  for (let k = 0; k < nz; k++) tIndptr[indices[k]! + 1]++;
  for (let b = 0; b < nMinor; b++) tIndptr[b + 1] += tIndptr[b]!;
  const next = tIndptr.slice(0, nMinor);
  const tIndices = new Int32Array(nz);
  const tValues = new Float64Array(nz);
  for (let a = 0; a < nMajor; a++) {
    for (let k = indptr[a]!; k < indptr[a + 1]!; k++) {
      const dst = next[indices[k]!]!++;
      tIndices[dst] = a;
      tValues[dst] = values[k]!;
    }
  }
  return { indptr: tIndptr, indices: tIndices, values: tValues };
}

/** Throws if two arrays share memory in overlapping ranges (in-place products would be wrong). */
export function checkNoAlias(a: Float64Array, b: Float64Array, where: string): void {
  if (a.buffer !== b.buffer || a.length === 0 || b.length === 0) return;
  const a0 = a.byteOffset, a1 = a0 + a.byteLength;
  const b0 = b.byteOffset, b1 = b0 + b.byteLength;
  if (a0 < b1 && b0 < a1) throw new InvalidArgumentError(`${where}: out must not overlap the input vector`);
}

/** Binary search for `target` in the sorted `indices[start, end)`; returns its position or -1. */
export function findSorted(indices: Int32Array, start: number, end: number, target: number): number {
  let lo = start, hi = end - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = indices[mid]!;
    if (v === target) return mid;
    if (v < target) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
