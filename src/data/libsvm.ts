/**
 * @file libsvm / svmlight sparse text format → `Dataset` with a CSC design, and back.
 *
 * Format: one sample per line, `label index:value index:value ...`, indices 1-based (index 0 is
 * rejected), whitespace-separated; `qid:n` tokens are ignored; `#` starts a comment running to the
 * end of the line; blank and comment-only lines are skipped; CRLF is accepted. Explicit zero values
 * are dropped. Indices within a line may come in any order but not repeat. The feature count is
 * bounded before anything of its size is allocated: at most `maxFeatures` (default 2^24) and, when
 * inferred from the file, at most 64 × the stored entries + 1024 (see `LIBSVM_MAX_FEATURES`).
 *
 * The parser is a hand-written byte scanner over a `Uint8Array` (no per-token strings): indices are
 * parsed as integers, values through a correctly rounded fast path (mantissa ≤ 2^53 and a decimal
 * exponent within ±22, Clinger's fast path) with a `Number()` fallback for the rest. Entries
 * accumulate in geometrically grown typed arrays (CSR by construction), and a counting sort by
 * column turns them into CSC with sorted row indices.
 */
import { DataFormatError, InvalidArgumentError } from '../core/errors.js';
import type { Dataset, DesignMatrix } from './dataset.js';
import { CscMatrix } from '../linalg/sparse/csc.js';
import { bytesToString, isDigit, parseDecimal, scanDecimalInto } from './decimal.js';

/** Options of `parseLibsvm` / `loadLibsvm`. */
export interface LibsvmOptions {
  /**
   * Number of features p. Default: the largest index in the file. If given, an index above it is an
   * error (useful to load a validation file with the training file's width).
   */
  nFeatures?: number;
  /** Name used in error messages (the path for `loadLibsvm`). Default `'<libsvm>'`. */
  sourceName?: string;
  /**
   * Largest number of features accepted ({@link LIBSVM_MAX_FEATURES} by default). A larger index
   * is refused as soon as it is read, before anything of that size is allocated.
   */
  maxFeatures?: number;
}

/**
 * Default cap on the number of features of a libsvm file: 2^24 = 16,777,216 (webspam's 16.6 M
 * trigram features fit; kdd2010-sized files need `maxFeatures`). Memory grows with the feature count
 * (column pointers, names), so an absurd index (a typo such as 2000000000:1) is refused up front.
 */
export const LIBSVM_MAX_FEATURES = 2 ** 24;

/**
 * When the feature count is inferred from the file, it may exceed the number of stored entries by
 * at most this factor (plus {@link LIBSVM_SLACK_FEATURES}): a file storing 10 entries cannot
 * plausibly describe 10 million features, and such a width only costs memory and time.
 */
export const LIBSVM_FEATURES_PER_ENTRY = 64;
/** Features always allowed whatever the number of stored entries. */
export const LIBSVM_SLACK_FEATURES = 1024;

function tokenText(buf: Uint8Array, s: number, e: number): string {
  const t = bytesToString(buf, s, Math.min(e, s + 40));
  return e - s > 40 ? `${t}...` : t;
}

/**
 * Parses libsvm text (a string, or the raw bytes of a file) into a `Dataset` with a CSC design.
 * Feature j (0-based column) is named `f${j+1}` after its 1-based file index; the target is named
 * `label`.
 *
 * @example
 * const ds = parseLibsvm('1 1:0.5 3:2\n-1 2:1.5 # comment\n');
 * // ds.nSamples = 2, ds.nFeatures = 3, ds.y = [1, -1], X is CSC
 */
export function parseLibsvm(input: string | Uint8Array, opts: LibsvmOptions = {}): Dataset {
  const source = opts.sourceName ?? '<libsvm>';
  const fixedP = opts.nFeatures;
  if (fixedP !== undefined && (!Number.isInteger(fixedP) || fixedP < 0)) {
    throw new InvalidArgumentError(`parseLibsvm(): nFeatures must be a non-negative integer, got ${fixedP}`);
  }
  const cap = opts.maxFeatures ?? LIBSVM_MAX_FEATURES;
  if (!Number.isInteger(cap) || cap < 1 || cap > 2 ** 31 - 2) {
    throw new InvalidArgumentError(`parseLibsvm(): maxFeatures must be an integer in [1, 2^31 − 2], got ${cap}`);
  }
  if (fixedP !== undefined && fixedP > cap) {
    throw new InvalidArgumentError(`parseLibsvm(): nFeatures = ${fixedP} exceeds the limit of ${cap} features (raise maxFeatures if this is intended)`);
  }
  const buf = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  const len = buf.length;
  const maxIndex = fixedP ?? cap;
  let maxIdxLine = 0;

  // one cheap pass for exact upper bounds (':' count ≥ entries, newlines + 1 ≥ rows), so the
  // entry arrays are allocated once; the geometric growth below is only a safety net
  let colons = 0;
  let newlines = 0;
  for (let k = 0; k < len; k++) {
    const b = buf[k]!;
    if (b === 58) colons++;
    else if (b === 10) newlines++;
  }
  let entryCap = colons + 16;
  let cols = new Int32Array(entryCap);
  let vals = new Float64Array(entryCap);
  let rowCap = newlines + 16;
  let y = new Float64Array(rowCap);
  let rowPtr = new Int32Array(rowCap + 1);
  let nnz = 0;
  let nRows = 0;
  let maxIdx = 0;
  let line = 0;
  let pos = 0;

  while (pos < len) {
    line++;
    // skip leading blanks (space, tab, CR)
    let c = buf[pos]!;
    while (pos < len && (c === 32 || c === 9 || c === 13)) c = buf[++pos]!;
    if (pos >= len) break;
    if (c === 10 || c === 35 /* # */) {
      while (pos < len && buf[pos] !== 10) pos++;
      pos++;
      continue;
    }
    // label
    const ls = pos;
    while (pos < len) {
      c = buf[pos]!;
      if (c === 32 || c === 9 || c === 13 || c === 10 || c === 35) break;
      pos++;
    }
    const label = parseDecimal(buf, ls, pos);
    if (!Number.isFinite(label)) {
      throw new DataFormatError(`malformed label '${tokenText(buf, ls, pos)}' at line ${line} of ${source} (expected a number)`);
    }
    if (nRows === rowCap) {
      rowCap *= 2;
      const y2 = new Float64Array(rowCap);
      y2.set(y);
      y = y2;
      const r2 = new Int32Array(rowCap + 1);
      r2.set(rowPtr);
      rowPtr = r2;
    }
    y[nRows] = label;
    const rowStart = nnz;
    let prev = 0;
    let sorted = true;
    // features
    for (;;) {
      c = buf[pos]!;
      while (pos < len && (c === 32 || c === 9 || c === 13)) c = buf[++pos]!;
      if (pos >= len || c === 10 || c === 35) break;
      const ts = pos;
      // index: digits up to ':'
      let idx = 0;
      let nd = 0;
      while (pos < len && isDigit((c = buf[pos]!))) {
        if (idx <= maxIndex) idx = idx * 10 + (c - 48);
        nd++;
        pos++;
      }
      if (pos >= len || buf[pos] !== 58 /* : */ || nd === 0) {
        // qid:n is ignored; anything else is malformed
        let te = pos;
        while (te < len && (c = buf[te]!) !== 32 && c !== 9 && c !== 13 && c !== 10 && c !== 35) te++;
        if (nd === 0 && te - ts > 4 && buf[ts] === 113 && buf[ts + 1] === 105 && buf[ts + 2] === 100 && buf[ts + 3] === 58) {
          pos = te;
          continue;
        }
        throw new DataFormatError(
          `malformed token '${tokenText(buf, ts, te)}' at line ${line} of ${source} (expected index:value with a positive integer index)`,
        );
      }
      pos++; // ':'
      const vs = pos;
      if (nnz === entryCap) {
        entryCap = Math.ceil(entryCap * 1.5);
        const c2 = new Int32Array(entryCap);
        c2.set(cols);
        cols = c2;
        const v2 = new Float64Array(entryCap);
        v2.set(vals);
        vals = v2;
      }
      // the value, read straight into its slot; the token must end right after the number
      pos = scanDecimalInto(buf, vs, len, vals, nnz);
      const v = vals[nnz]!;
      c = pos < len ? buf[pos]! : 32;
      const clean = c === 32 || c === 9 || c === 13 || c === 10 || c === 35;
      if (!clean) while (pos < len && (c = buf[pos]!) !== 32 && c !== 9 && c !== 13 && c !== 10 && c !== 35) pos++;
      if (idx === 0) {
        throw new DataFormatError(`feature index 0 in token '${tokenText(buf, ts, pos)}' at line ${line} of ${source}: libsvm indices are 1-based`);
      }
      if (idx > maxIndex) {
        throw new DataFormatError(
          fixedP !== undefined
            ? `feature index ${tokenText(buf, ts, vs - 1)} at line ${line} of ${source} exceeds nFeatures = ${fixedP}`
            : `feature index ${tokenText(buf, ts, vs - 1)} at line ${line} of ${source} exceeds the limit of ${cap} features (a typo? raise maxFeatures if it is intended)`,
        );
      }
      if (!clean || !Number.isFinite(v)) {
        throw new DataFormatError(`malformed value in token '${tokenText(buf, ts, pos)}' at line ${line} of ${source} (expected a finite number)`);
      }
      if (idx <= prev) sorted = false;
      prev = idx;
      if (idx > maxIdx) {
        maxIdx = idx;
        maxIdxLine = line;
      }
      cols[nnz] = idx - 1;
      nnz++;
    }
    // rest of line: a comment or nothing
    while (pos < len && buf[pos] !== 10) pos++;
    pos++;
    if (!sorted) {
      const seg = cols.slice(rowStart, nnz).sort();
      for (let k = 1; k < seg.length; k++) {
        if (seg[k] === seg[k - 1]) throw new DataFormatError(`duplicate feature index ${seg[k]! + 1} at line ${line} of ${source}`);
      }
    }
    nRows++;
    rowPtr[nRows] = nnz;
  }
  if (nRows === 0) throw new DataFormatError(`${source} contains no samples`);
  const plausible = LIBSVM_FEATURES_PER_ENTRY * nnz + LIBSVM_SLACK_FEATURES;
  if (fixedP === undefined && maxIdx > plausible) {
    throw new DataFormatError(
      `feature index ${maxIdx} at line ${maxIdxLine} of ${source} implies ${maxIdx} features, but the file stores only ${nnz} entries ` +
        `(at most ${LIBSVM_FEATURES_PER_ENTRY} × entries + ${LIBSVM_SLACK_FEATURES} = ${plausible} features are accepted): is the index a typo?`,
    );
  }
  const p = fixedP ?? maxIdx;
  const X = cooRowsToCsc(rowPtr, cols, vals, nRows, p);
  const featureNames = new Array<string>(p);
  for (let j = 0; j < p; j++) featureNames[j] = `f${j + 1}`;
  return { X, y: y.slice(0, nRows), featureNames, targetName: 'label', nSamples: nRows, nFeatures: p };
}

/** Counting sort of row-ordered entries into CSC, dropping explicit zeros. */
function cooRowsToCsc(rowPtr: Int32Array, cols: Int32Array, vals: Float64Array, nRows: number, nCols: number): CscMatrix {
  const total = rowPtr[nRows]!;
  const indptr = new Int32Array(nCols + 1);
  for (let k = 0; k < total; k++) if (vals[k] !== 0) indptr[cols[k]! + 1]!++;
  for (let j = 0; j < nCols; j++) indptr[j + 1]! += indptr[j]!;
  const nnz = indptr[nCols]!;
  const indices = new Int32Array(nnz);
  const values = new Float64Array(nnz);
  const next = indptr.slice(0, nCols);
  for (let i = 0; i < nRows; i++) {
    const e = rowPtr[i + 1]!;
    for (let k = rowPtr[i]!; k < e; k++) {
      const v = vals[k]!;
      if (v === 0) continue;
      const dst = next[cols[k]!]!++;
      indices[dst] = i;
      values[dst] = v;
    }
  }
  return new CscMatrix(nRows, nCols, indptr, indices, values, { check: false });
}

/** Options of `writeLibsvm`. */
export interface WriteLibsvmOptions {
  /**
   * Significant digits of written values (1..17). Default: the shortest text that reads back
   * exactly (`String(v)`). Fewer digits give smaller, faster-to-parse files.
   */
  precision?: number;
}

function formatter(precision: number | undefined): (v: number) => string {
  if (precision === undefined) return (v) => String(v);
  if (!Number.isInteger(precision) || precision < 1 || precision > 17) {
    throw new InvalidArgumentError(`writeLibsvm(): precision must be an integer in [1, 17], got ${precision}`);
  }
  return (v) => String(Number(v.toPrecision(precision)));
}

/** Row-wise (CSR) view of the non-zeros of a design. */
function toRows(X: DesignMatrix): { rowPtr: Int32Array; colIdx: Int32Array; vals: Float64Array } {
  const { nRows, nCols } = X;
  const rowPtr = new Int32Array(nRows + 1);
  if (X.kind === 'dense') {
    const d = X.data;
    for (let j = 0; j < nCols; j++) for (let i = 0; i < nRows; i++) if (d[j * nRows + i] !== 0) rowPtr[i + 1]!++;
  } else {
    for (let k = 0; k < X.indptr[nCols]!; k++) if (X.values[k] !== 0) rowPtr[X.indices[k]! + 1]!++;
  }
  for (let i = 0; i < nRows; i++) rowPtr[i + 1]! += rowPtr[i]!;
  const nnz = rowPtr[nRows]!;
  const colIdx = new Int32Array(nnz);
  const vals = new Float64Array(nnz);
  const next = rowPtr.slice(0, nRows);
  for (let j = 0; j < nCols; j++) {
    if (X.kind === 'dense') {
      const o = j * nRows;
      for (let i = 0; i < nRows; i++) {
        const v = X.data[o + i]!;
        if (v === 0) continue;
        const dst = next[i]!++;
        colIdx[dst] = j;
        vals[dst] = v;
      }
    } else {
      for (let k = X.indptr[j]!; k < X.indptr[j + 1]!; k++) {
        const v = X.values[k]!;
        if (v === 0) continue;
        const dst = next[X.indices[k]!]!++;
        colIdx[dst] = j;
        vals[dst] = v;
      }
    }
  }
  return { rowPtr, colIdx, vals };
}

const CHUNK = 1 << 22; // 4 MiB output chunks

/**
 * Encodes the dataset as libsvm bytes, handing full chunks (views into a reused buffer) to `sink`.
 * ASCII is written byte by byte into the buffer (integers digit by digit, numbers through their
 * shortest `String()` form), so no per-line strings are concatenated. Shared by `writeLibsvm` (a
 * string) and `saveLibsvm` of `nsdiff/node` (a file).
 *
 * @example
 * const chunks: Uint8Array[] = [];
 * encodeLibsvm(ds, { precision: 6 }, (c) => chunks.push(c.slice())); // copy: the buffer is reused
 */
export function encodeLibsvm(ds: Dataset, opts: WriteLibsvmOptions, sink: (chunk: Uint8Array) => void): void {
  if (ds.y.length !== ds.X.nRows) throw new InvalidArgumentError(`writeLibsvm(): y has ${ds.y.length} entries, X has ${ds.X.nRows} rows`);
  const fmt = formatter(opts.precision);
  const { rowPtr, colIdx, vals } = toRows(ds.X);
  const out = new Uint8Array(CHUNK);
  let w = 0;
  const digits = new Uint8Array(12);
  const flushIfNeeded = (): void => {
    if (w > CHUNK - 64) {
      sink(out.subarray(0, w));
      w = 0;
    }
  };
  const putString = (s: string): void => {
    if (w + s.length > CHUNK) {
      sink(out.subarray(0, w));
      w = 0;
    }
    for (let t = 0; t < s.length; t++) out[w++] = s.charCodeAt(t);
  };
  const nRows = ds.X.nRows;
  for (let i = 0; i < nRows; i++) {
    putString(String(ds.y[i]));
    for (let k = rowPtr[i]!; k < rowPtr[i + 1]!; k++) {
      flushIfNeeded();
      out[w++] = 32;
      let idx = colIdx[k]! + 1;
      let nd = 0;
      do {
        digits[nd++] = 48 + (idx % 10);
        idx = (idx / 10) | 0;
      } while (idx > 0);
      while (nd > 0) out[w++] = digits[--nd]!;
      out[w++] = 58;
      putString(fmt(vals[k]!));
    }
    flushIfNeeded();
    out[w++] = 10;
  }
  if (w > 0) sink(out.subarray(0, w));
}

/**
 * Serializes a dataset (dense or CSC design) to libsvm text: one line per sample, non-zeros only,
 * ascending 1-based indices, a trailing newline.
 *
 * @example
 * const text = writeLibsvm(ds, { precision: 6 });
 * const back = parseLibsvm(text, { nFeatures: ds.nFeatures });
 */
export function writeLibsvm(ds: Dataset, opts: WriteLibsvmOptions = {}): string {
  const parts: string[] = [];
  const ascii = new TextDecoder(); // the encoder writes ASCII bytes only, so UTF-8 decoding is exact
  encodeLibsvm(ds, opts, (chunk) => parts.push(ascii.decode(chunk)));
  return parts.join('');
}
