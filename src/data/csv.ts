/**
 * @file CSV loading into a `Dataset` (dense, column-major design), streamed: bytes go in chunk by
 * chunk (`CsvParser.push`) and every number is written straight into its final place in the
 * column-major design — no intermediate strings, rows or boxed numbers, so the peak memory of a
 * load is the design itself plus one chunk (`loadCsv` counts the lines first, so the columns are
 * allocated once at their final height; without that hint they grow by doubling). Runs of records
 * made only of bare numbers are read by a WebAssembly module when the kernel backend allows
 * (csv_wasm.ts: bit for bit the same values); the JavaScript reader here takes every other record.
 * A design of up to 64 MiB is then read in a WebAssembly memory of the parser's own and copied out
 * at `finish` (the peak is twice such a design for that moment); larger ones keep the bound above.
 *
 * Format: a header row is required; one column (chosen by name) is the target, every other column
 * a feature. Fields are separated by commas; simple RFC-4180 quoting is supported (`"a,b"`, `""`
 * for a literal quote, quoted newlines), as are CRLF line ends, a UTF-8 BOM, a trailing newline,
 * blank lines (skipped) and spaces / tabs around fields. Every cell must be a finite decimal number.
 *
 * Every malformed input raises `DataFormatError` naming the file, the 1-based line number (the
 * header is line 1) and the column. A record's field count is checked before its cells, so a short
 * or long row is reported as such even when one of its cells is also bad.
 */
import { DataFormatError } from '../core/errors.js';
import type { Dataset } from './dataset.js';
import { CSV_WASM_GIVE_UP, csvDesignScanner, csvWasmScanner, CsvWasmScanner } from './csv_wasm.js';
import { parseDecimal, scanDecimalInto } from './decimal.js';

/** Options of `parseCsv` / `loadCsv`. */
export interface CsvOptions {
  /** Name of the target column (required). */
  target: string;
  /** Name used in error messages (the path for `loadCsv`). Default `'<csv>'`. */
  sourceName?: string;
}

/** Options of `CsvParser`: those of `parseCsv` plus the expected number of rows. */
export interface CsvParserOptions extends CsvOptions {
  /**
   * An upper bound on the number of data rows (e.g. the number of line ends + 1), so the columns
   * are allocated once; a wrong hint only costs a reallocation. Default: grow from 1024 rows.
   */
  rowsHint?: number;
  /**
   * Allocates the design's column-major array for `rows` rows (the hint) × `cols` feature columns
   * (null: a plain Float64Array). The CLI passes `createDesignMemory` (kernels/wasm_lasso.ts) so
   * that its tuning can prepare the design in place at the end (issue 12). Used for the first
   * allocation only (a wrong hint's reallocation is a plain array).
   */
  allocColumns?: (rows: number, cols: number) => Float64Array<ArrayBuffer> | null;
}

const COMMA = 44;
const LF = 10;
const CR = 13;
const QUOTE = 34;
const SPACE = 32;
const TAB = 9;

const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const utf8 = new TextDecoder('utf-8');

/** Value of a quoted field, read by `CsvParser.quoted`, or a marker. */
const INCOMPLETE = -1;

/**
 * Streaming CSV reader: `push` byte chunks in file order (a chunk may end anywhere — inside a
 * number, a quoted field or between the CR and LF of a line end), then `finish` returns the
 * dataset. Errors are thrown as soon as the offending record is complete.
 *
 * @example
 * const p = new CsvParser({ target: 'y' });
 * const bytes = new TextEncoder().encode('a,y\n1,2\n3,4\n');
 * p.push(bytes.subarray(0, 6)); // 'a,y\n1,'
 * p.push(bytes.subarray(6));
 * const ds = p.finish(); // ds.X.data = [1, 3], ds.y = [2, 4]
 */
export class CsvParser {
  private readonly source: string;
  private readonly target: string;
  /** Bytes of an unfinished record carried over to the next chunk. */
  private pending: Uint8Array | null = null;
  private work = new Uint8Array(0);
  private started = false;
  private finished = false;
  /** 1-based line of the next unread byte. */
  private line = 1;
  private header: string[] | null = null;
  private headerLine = 1;
  private nCols = 0;
  /** colOf[f]: feature column of field f, or −1 for the target. */
  private colOf = new Int32Array(0);
  /** Column-major design with column stride `cap`. */
  private data = new Float64Array(0);
  private readonly alloc: CsvParserOptions['allocColumns'];
  /** Where `scanDecimalInto` stores the value of a field beyond the header's columns (an error). */
  private readonly spare = new Float64Array(1);
  private y = new Float64Array(0);
  private cap = 0;
  private n = 0;
  // the last quoted field read by `quoted` (its text and the position after the closing quote)
  private qText = '';
  private qEnd = 0;
  /** The WebAssembly fast path (csv_wasm.ts), null once it gave up or with the backend 'js'. */
  private fast: CsvWasmScanner | null;
  /**
   * The parser's design scanner: `data` and `y` live in its memory, written there in place by the
   * module (and by the JavaScript reader); null when staging through `fast` (or without it).
   */
  private design: CsvWasmScanner | null = null;
  /** With `design`: the array of `allocColumns` that `finish` copies the design into, or null. */
  private designOut: Float64Array<ArrayBuffer> | null = null;
  /** Calls of the fast path in a row that read no record. */
  private fastMisses = 0;
  /** The last fast-path run stopped because the buffer ends inside a record (`CsvWasmScanner.atEnd`). */
  private fastAtEnd = false;

  constructor(opts: CsvParserOptions) {
    this.source = opts.sourceName ?? '<csv>';
    this.target = opts.target;
    this.cap = Math.max(16, Math.min(opts.rowsHint ?? 1024, 2 ** 31 - 1));
    this.alloc = opts.allocColumns;
    this.fast = csvWasmScanner();
  }

  /** Parses the complete records of `chunk` (after any bytes carried over); keeps the rest. */
  push(chunk: Uint8Array): void {
    if (this.finished) throw new DataFormatError(`CsvParser.push(): ${this.source} was already finished`);
    let buf = chunk;
    if (this.pending !== null) {
      // the carried bytes and the chunk, in one work buffer reused from push to push (no garbage
      // of a chunk's size per push)
      const need = this.pending.length + chunk.length;
      if (this.work.length < need) this.work = new Uint8Array(Math.max(need, 2 * this.work.length));
      buf = this.work.subarray(0, need);
      buf.set(this.pending);
      buf.set(chunk, this.pending.length);
      this.pending = null;
    }
    const used = this.scan(buf, false);
    // copy the tail: the caller may reuse the chunk's memory, and the work buffer is reused too
    if (used < buf.length) this.pending = buf.slice(used);
  }

  /** Parses what is left and returns the dataset (column-major design, rows in file order). */
  finish(): Dataset {
    if (this.finished) throw new DataFormatError(`CsvParser.finish(): ${this.source} was already finished`);
    if (this.pending !== null) {
      const buf = this.pending;
      this.pending = null;
      this.scan(buf, true);
    }
    this.finished = true;
    const source = this.source;
    if (this.header === null) throw new DataFormatError(`${source} is empty: expected a header row and at least one data row`);
    const n = this.n;
    if (n === 0) throw new DataFormatError(`${source} has a header (line ${this.headerLine}) but no data rows`);
    const p = this.nCols - 1;
    // close the gaps between columns in place: column j moves from j·cap to j·n (j·n ≤ j·cap, so
    // moving the columns in increasing order never overwrites one not yet moved)
    const cap = this.cap;
    let data = this.data;
    if (this.design !== null) {
      // the design was read in the design scanner's memory: one copy out, then the gaps closed
      const out = this.designOut ?? new Float64Array(cap * p);
      out.set(data);
      if (cap !== n) for (let j = 1; j < p; j++) out.copyWithin(j * n, j * cap, j * cap + n);
      data = out;
      this.data = out;
      this.design = null;
    } else if (cap !== n) for (let j = 1; j < p; j++) data.copyWithin(j * n, j * cap, j * cap + n);
    const targetCol = this.colOf.indexOf(-1);
    return {
      X: { kind: 'dense', nRows: n, nCols: p, data: data.length === n * p ? data : data.subarray(0, n * p) },
      y: this.y.slice(0, n),
      featureNames: this.header.filter((_, j) => j !== targetCol),
      targetName: this.target,
      nSamples: n,
      nFeatures: p,
    };
  }

  /**
   * Parses the records of buf; returns the position where the first incomplete record starts
   * (buf.length if none). With `final`, the end of buf ends the last record.
   */
  private scan(buf: Uint8Array, final: boolean): number {
    const end = buf.length;
    let pos = 0;
    if (!this.started) {
      if (end < 3 && !final) return 0; // wait for enough bytes to recognise a BOM
      this.started = true;
      if (end >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) pos = 3;
    }
    this.fast?.begin(buf);
    this.design?.begin(buf);
    while (pos < end) {
      if (this.header !== null && this.fast !== null) {
        pos = this.fastRecords(buf, pos);
        if (pos >= end) break;
        // the buffer ends inside a record of bare numbers: wait for the next chunk (the
        // JavaScript reader would read the record's numbers only to find the same)
        if (!final && this.fastAtEnd) return pos;
      }
      const next = this.header === null ? this.headerRecord(buf, pos, final) : this.dataRecord(buf, pos, final);
      if (next === INCOMPLETE) return pos;
      pos = next;
    }
    return end;
  }

  /**
   * The WebAssembly fast path from buf[pos]: as many complete records of bare numbers as it takes,
   * into rows n, n + 1, … of the columns (in place in the design scanner's memory, or copied from
   * the staging scanner's columns); returns where the JavaScript reader goes on. It gives up
   * for this parser after CSV_WASM_GIVE_UP calls in a row that read nothing (quoted or spaced files).
   */
  private fastRecords(buf: Uint8Array, pos: number): number {
    const nCols = this.nCols;
    const end = buf.length;
    this.fastAtEnd = false;
    for (;;) {
      const sc = this.design ?? this.fast!;
      if (sc.design) {
        // in place: rows n, n + 1, … of the design scanner's columns
        const n = this.n;
        if (n >= this.cap) return pos;
        const k = sc.run(buf, pos, end, nCols, this.cap - n, n);
        this.n = n + k;
        this.line += k;
        this.fastAtEnd = sc.atEnd;
        if (k > 0) this.fastMisses = 0;
        else if (!sc.again && ++this.fastMisses >= CSV_WASM_GIVE_UP) this.fast = null;
        pos = sc.pos;
        if (!sc.again || this.fast === null) return pos;
        continue;
      }
      const maxRec = Math.min(this.cap - this.n, CsvWasmScanner.maxRecords(nCols, end - pos));
      if (maxRec <= 0) return pos;
      const k = sc.run(buf, pos, end, nCols, maxRec, 0);
      this.fastAtEnd = sc.atEnd;
      if (k > 0) {
        const colOf = this.colOf;
        const cap = this.cap;
        const n = this.n;
        for (let f = 0; f < nCols; f++) {
          const c = colOf[f]!;
          if (c < 0) this.y.set(sc.column(f, k), n);
          else this.data.set(sc.column(f, k), c * cap + n);
        }
        this.n = n + k;
        this.line += k;
        this.fastMisses = 0;
      } else if (!sc.again && ++this.fastMisses >= CSV_WASM_GIVE_UP) this.fast = null;
      pos = sc.pos;
      if (!sc.again) return pos;
    }
  }

  /**
   * Reads the quoted field opening at buf[pos] into qText / qEnd; returns false if buf ends inside
   * it and more may follow (throws at the true end).
   */
  private quoted(buf: Uint8Array, pos: number, final: boolean, lineRef: { line: number }): boolean {
    const end = buf.length;
    const quoteLine = lineRef.line;
    let i = pos + 1;
    let chunk = i;
    let text = '';
    for (;;) {
      if (i >= end) {
        if (!final) return false;
        throw new DataFormatError(`unterminated quoted field starting at line ${quoteLine} of ${this.source}`);
      }
      const d = buf[i]!;
      if (d === QUOTE) {
        if (i + 1 >= end && !final) return false; // a doubled quote may straddle the chunks
        text += utf8.decode(buf.subarray(chunk, i));
        if (i + 1 < end && buf[i + 1] === QUOTE) {
          text += '"';
          i += 2;
          chunk = i;
          continue;
        }
        i++;
        break;
      }
      if (d === LF) lineRef.line++;
      i++;
    }
    while (i < end && (buf[i] === SPACE || buf[i] === TAB)) i++;
    if (i < end) {
      const d = buf[i]!;
      if (d !== COMMA && d !== LF && d !== CR) {
        throw new DataFormatError(`unexpected character '${utf8.decode(buf.subarray(i, i + 1))}' after a closing quote at line ${lineRef.line} of ${this.source}`);
      }
    } else if (!final) return false;
    this.qText = text.trim();
    this.qEnd = i;
    return true;
  }

  /**
   * Position after the line end at buf[pos] (CR, LF or CRLF), or INCOMPLETE when a CR ends the
   * buffer and its LF may come in the next chunk.
   */
  private static afterLineEnd(buf: Uint8Array, pos: number, final: boolean): number {
    if (buf[pos] === CR) {
      if (pos + 1 >= buf.length) return final ? pos + 1 : INCOMPLETE;
      return buf[pos + 1] === LF ? pos + 2 : pos + 1;
    }
    return pos + 1;
  }

  /** The header record: names checked, the target found, the columns allocated. */
  private headerRecord(buf: Uint8Array, start: number, final: boolean): number {
    const end = buf.length;
    const lineRef = { line: this.line };
    const fields: string[] = [];
    let pos = start;
    for (;;) {
      while (pos < end && (buf[pos] === SPACE || buf[pos] === TAB)) pos++;
      if (pos < end && buf[pos] === QUOTE) {
        if (!this.quoted(buf, pos, final, lineRef)) return INCOMPLETE;
        fields.push(this.qText);
        pos = this.qEnd;
      } else {
        const s = pos;
        while (pos < end && buf[pos] !== COMMA && buf[pos] !== LF && buf[pos] !== CR) pos++;
        if (pos >= end && !final) return INCOMPLETE;
        fields.push(utf8.decode(buf.subarray(s, pos)).trim());
      }
      if (pos >= end) break;
      if (buf[pos] === COMMA) {
        pos++;
        continue;
      }
      pos = CsvParser.afterLineEnd(buf, pos, final);
      if (pos === INCOMPLETE) return INCOMPLETE;
      lineRef.line++;
      break;
    }
    const startLine = this.line;
    this.line = lineRef.line;
    if (fields.length === 1 && fields[0] === '') return pos; // blank line before the header
    this.setHeader(fields, startLine);
    return pos;
  }

  private setHeader(header: string[], headerLine: number): void {
    const source = this.source;
    const seen = new Map<string, number>();
    for (let j = 0; j < header.length; j++) {
      const name = header[j]!;
      if (name === '') throw new DataFormatError(`empty column name in position ${j + 1} of the header (line ${headerLine}) of ${source}`);
      const prev = seen.get(name);
      if (prev !== undefined) {
        throw new DataFormatError(`duplicate column name '${name}' in the header (line ${headerLine}) of ${source}: positions ${prev + 1} and ${j + 1}`);
      }
      seen.set(name, j);
    }
    const targetCol = seen.get(this.target);
    if (targetCol === undefined) {
      throw new DataFormatError(`target column '${this.target}' not found in ${source}; available columns: ${header.join(', ')}`);
    }
    this.header = header;
    this.headerLine = headerLine;
    this.nCols = header.length;
    this.colOf = new Int32Array(header.length);
    let f = 0;
    for (let j = 0; j < header.length; j++) this.colOf[j] = j === targetCol ? -1 : f++;
    const p = header.length - 1;
    this.design = this.fast !== null ? csvDesignScanner(this.cap, this.colOf) : null;
    if (this.design !== null) {
      const d = this.design.designArrays(this.cap, p);
      this.designOut = this.alloc?.(this.cap, p) ?? null;
      this.data = d.data;
      this.y = d.y;
      return;
    }
    this.data = this.alloc?.(this.cap, p) ?? new Float64Array(this.cap * p);
    this.y = new Float64Array(this.cap);
  }

  /** Doubles the column height (columns keep their values; the stride changes). */
  private grow(): void {
    // the columns leave the design scanner's memory (and the array of allocColumns) for plain arrays
    this.design = null;
    this.designOut = null;
    const p = this.nCols - 1;
    const cap = this.cap;
    const cap2 = cap * 2;
    const data = new Float64Array(cap2 * p);
    for (let j = 0; j < p; j++) data.set(this.data.subarray(j * cap, j * cap + this.n), j * cap2);
    const y = new Float64Array(cap2);
    y.set(this.y.subarray(0, this.n));
    this.data = data;
    this.y = y;
    this.cap = cap2;
  }

  /**
   * One data record starting at buf[start]: its numbers are written into row n of the columns
   * (committed only when the record is complete); returns the position after it or INCOMPLETE.
   */
  private dataRecord(buf: Uint8Array, start: number, final: boolean): number {
    if (this.n === this.cap) this.grow();
    const end = buf.length;
    const nCols = this.nCols;
    const colOf = this.colOf;
    const data = this.data;
    const y = this.y;
    const cap = this.cap;
    const row = this.n;
    const lineRef = { line: this.line };
    // the first bad cell of the record, reported after its field count is checked
    let badField = -1;
    let badText = '';
    let badKind = 0; // 1 missing, 2 not a number, 3 not finite
    let f = 0;
    let pos = start;
    let blankCandidate = false;
    for (;;) {
      while (pos < end && (buf[pos] === SPACE || buf[pos] === TAB)) pos++;
      let v: number;
      let empty: boolean;
      let text: string | null = null;
      if (pos < end && buf[pos] === QUOTE) {
        if (!this.quoted(buf, pos, final, lineRef)) return INCOMPLETE;
        text = this.qText;
        pos = this.qEnd;
        empty = text === '';
        v = empty ? NaN : NUMBER_RE.test(text) ? Number(text) : NaN;
      } else {
        const s = pos;
        // one pass for the common field, a number ending at a delimiter: read it and step past
        // it; anything else (spaces before the delimiter, text) is found and read as a whole below
        // (the step past the delimiter is a copy of the one after the store below: sharing one tail
        // re-checks and re-stores every number and read the 9.8 MB bench file 2–3% slower)
        const c = f < nCols ? colOf[f]! : -2;
        const dst = c >= 0 ? data : c === -1 ? y : this.spare;
        const at = c >= 0 ? c * cap + row : c === -1 ? row : 0;
        pos = scanDecimalInto(buf, s, end, dst, at);
        v = dst[at]!;
        if ((pos < end ? buf[pos] === COMMA || buf[pos] === LF || buf[pos] === CR : final) && v - v === 0 /* finite */) {
          f++;
          if (pos >= end) break;
          if (buf[pos] === COMMA) {
            pos++;
            continue;
          }
          pos = CsvParser.afterLineEnd(buf, pos, final);
          if (pos === INCOMPLETE) return INCOMPLETE;
          lineRef.line++;
          break;
        }
        if (pos >= end && !final) return INCOMPLETE;
        pos = s;
        while (pos < end) {
          const c = buf[pos]!;
          if (c === COMMA || c === LF || c === CR) break;
          pos++;
        }
        if (pos >= end && !final) return INCOMPLETE;
        let e = pos;
        while (e > s && (buf[e - 1] === SPACE || buf[e - 1] === TAB)) e--;
        empty = e === s;
        v = empty ? NaN : parseDecimal(buf, s, e);
        if (badField < 0 && !empty && !Number.isFinite(v)) text = utf8.decode(buf.subarray(s, e));
      }
      if (f < nCols) {
        if (Number.isFinite(v)) {
          // one store site for features and target (the target's own store, first reached at the
          // last field of a row, deoptimised the code optimised during the first long row)
          const c = colOf[f]!;
          (c < 0 ? y : data)[c < 0 ? row : c * cap + row] = v;
        } else if (badField < 0) {
          badField = f;
          badKind = empty ? 1 : Number.isNaN(v) ? 2 : 3;
          badText = text ?? '';
        }
      }
      if (f === 0) blankCandidate = empty;
      f++;
      if (pos >= end) break;
      if (buf[pos] === COMMA) {
        pos++;
        continue;
      }
      pos = CsvParser.afterLineEnd(buf, pos, final);
      if (pos === INCOMPLETE) return INCOMPLETE;
      lineRef.line++;
      break;
    }
    const line = this.line;
    this.line = lineRef.line;
    if (f === 1 && blankCandidate) return pos; // blank line
    const source = this.source;
    if (f !== nCols) {
      const header = this.header!;
      const detail = f < nCols ? `missing column ${header.slice(f).join(', ')}` : `extra field(s) after the last column ${header[nCols - 1]}`;
      throw new DataFormatError(`line ${line} of ${source} has ${f} field${f === 1 ? '' : 's'} but the header has ${nCols} (${detail})`);
    }
    if (badField >= 0) {
      const col = this.header![badField]!;
      if (badKind === 1) throw new DataFormatError(`missing value in column ${col} at line ${line} of ${source}`);
      if (badKind === 2) throw new DataFormatError(`'${badText}' in column ${col} at line ${line} of ${source} is not a number`);
      throw new DataFormatError(`'${badText}' in column ${col} at line ${line} of ${source} is not a finite number`);
    }
    this.n = row + 1;
    return pos;
  }
}

/**
 * Number of line ends (LF bytes) in `bytes`: one more than the most data rows text of that many
 * lines can hold, used as `CsvParser`'s `rowsHint`.
 *
 * @example
 * countLineEnds(new TextEncoder().encode('a,y\n1,2\n')); // 2
 */
export function countLineEnds(bytes: Uint8Array): number {
  // long inputs through the WebAssembly scanner when there is one (the count pass of `loadCsv`:
  // TypedArray indexOf runs ≈ 0.6 ms per MiB, a fresh copy and a SIMD count a fraction of that)
  if (bytes.length >= 65536) {
    const sc = csvWasmScanner();
    if (sc !== null) return sc.lineEnds(bytes);
  }
  let k = 0;
  for (let i = bytes.indexOf(LF); i >= 0; i = bytes.indexOf(LF, i + 1)) k++;
  return k;
}

/**
 * Parses CSV text into a `Dataset` whose target is the column named `opts.target` and whose
 * features are all other columns, in file order.
 *
 * @example
 * const ds = parseCsv('a,b,y\n1,2,3\n4,5,6\n', { target: 'y' });
 * // ds.nSamples = 2, ds.featureNames = ['a', 'b'], ds.y = [3, 6]
 */
export function parseCsv(text: string, opts: CsvOptions): Dataset {
  const bytes = new TextEncoder().encode(text);
  const p = new CsvParser({ ...opts, rowsHint: countLineEnds(bytes) + 1 });
  p.push(bytes);
  return p.finish();
}
