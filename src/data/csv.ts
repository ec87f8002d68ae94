/**
 * @file CSV loading into a `Dataset` (dense, column-major design).
 *
 * Format: a header row is required; one column (chosen by name) is the target, every other column
 * a feature. Fields are separated by commas; simple RFC-4180 quoting is supported (`"a,b"`, `""`
 * for a literal quote, quoted newlines), as are CRLF line ends, a UTF-8 BOM, a trailing newline,
 * blank lines (skipped) and whitespace around fields. Every cell must be a finite decimal number.
 *
 * Every malformed input raises `DataFormatError` naming the file, the 1-based line number (the
 * header is line 1) and the column.
 */
import { DataFormatError } from '../core/errors.js';
import type { Dataset } from './dataset.js';

/** Options of `parseCsv` / `loadCsv`. */
export interface CsvOptions {
  /** Name of the target column (required). */
  target: string;
  /** Name used in error messages (the path for `loadCsv`). Default `'<csv>'`. */
  sourceName?: string;
}

interface CsvRecord {
  /** Trimmed field values. */
  fields: string[];
  /** 1-based line where the record starts. */
  line: number;
}

/** Splits CSV text into records of trimmed fields, each with the line number where it starts. */
function* records(text: string, source: string): Generator<CsvRecord> {
  const n = text.length;
  let pos = n > 0 && text.charCodeAt(0) === 0xfeff ? 1 : 0; // skip a UTF-8 BOM
  let line = 1;
  while (pos < n) {
    const startLine = line;
    const fields: string[] = [];
    for (;;) {
      // one field starting at pos
      while (pos < n && (text.charCodeAt(pos) === 32 || text.charCodeAt(pos) === 9)) pos++;
      if (pos < n && text.charCodeAt(pos) === 34 /* " */) {
        const quoteLine = line;
        pos++;
        let value = '';
        let chunk = pos;
        let closed = false;
        while (pos < n) {
          const d = text.charCodeAt(pos);
          if (d === 34) {
            value += text.slice(chunk, pos);
            if (pos + 1 < n && text.charCodeAt(pos + 1) === 34) {
              value += '"';
              pos += 2;
              chunk = pos;
              continue;
            }
            pos++;
            closed = true;
            break;
          }
          if (d === 10) line++;
          pos++;
        }
        if (!closed) throw new DataFormatError(`unterminated quoted field starting at line ${quoteLine} of ${source}`);
        while (pos < n && (text.charCodeAt(pos) === 32 || text.charCodeAt(pos) === 9)) pos++;
        if (pos < n) {
          const d = text.charCodeAt(pos);
          if (d !== 44 && d !== 10 && d !== 13) {
            throw new DataFormatError(`unexpected character '${text[pos]}' after a closing quote at line ${line} of ${source}`);
          }
        }
        fields.push(value.trim());
      } else {
        const s = pos;
        while (pos < n) {
          const d = text.charCodeAt(pos);
          if (d === 44 || d === 10 || d === 13) break;
          pos++;
        }
        fields.push(text.slice(s, pos).trim());
      }
      if (pos >= n) break;
      const c = text.charCodeAt(pos);
      pos++;
      if (c === 44) continue; // next field of the same record
      if (c === 13 && pos < n && text.charCodeAt(pos) === 10) pos++;
      line++;
      break;
    }
    if (fields.length === 1 && fields[0] === '') continue; // blank line
    yield { fields, line: startLine };
  }
}

const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Parses CSV text into a `Dataset` whose target is the column named `opts.target` and whose
 * features are all other columns, in file order.
 *
 * @example
 * const ds = parseCsv('a,b,y\n1,2,3\n4,5,6\n', { target: 'y' });
 * // ds.nSamples = 2, ds.featureNames = ['a', 'b'], ds.y = [3, 6]
 */
export function parseCsv(text: string, opts: CsvOptions): Dataset {
  const source = opts.sourceName ?? '<csv>';
  const it = records(text, source);
  const first = it.next();
  if (first.done) throw new DataFormatError(`${source} is empty: expected a header row and at least one data row`);
  const header = first.value.fields;
  const headerLine = first.value.line;
  const seen = new Map<string, number>();
  for (let j = 0; j < header.length; j++) {
    const name = header[j]!;
    if (name === '') throw new DataFormatError(`empty column name in position ${j + 1} of the header (line ${headerLine}) of ${source}`);
    const prev = seen.get(name);
    if (prev !== undefined) {
      throw new DataFormatError(
        `duplicate column name '${name}' in the header (line ${headerLine}) of ${source}: positions ${prev + 1} and ${j + 1}`,
      );
    }
    seen.set(name, j);
  }
  const targetCol = seen.get(opts.target);
  if (targetCol === undefined) {
    throw new DataFormatError(`target column '${opts.target}' not found in ${source}; available columns: ${header.join(', ')}`);
  }
  const nCols = header.length;
  const p = nCols - 1;
  const featureNames = header.filter((_, j) => j !== targetCol);

  let cap = 1024;
  let rowMajor = new Float64Array(cap * p);
  let y = new Float64Array(cap);
  let n = 0;
  for (const rec of it) {
    const { fields, line } = rec;
    if (fields.length !== nCols) {
      const detail =
        fields.length < nCols
          ? `missing column ${header.slice(fields.length).join(', ')}`
          : `extra field(s) after the last column ${header[nCols - 1]}`;
      throw new DataFormatError(`line ${line} of ${source} has ${fields.length} field${fields.length === 1 ? '' : 's'} but the header has ${nCols} (${detail})`);
    }
    if (n === cap) {
      cap *= 2;
      const r2 = new Float64Array(cap * p);
      r2.set(rowMajor);
      rowMajor = r2;
      const y2 = new Float64Array(cap);
      y2.set(y);
      y = y2;
    }
    let f = 0;
    for (let j = 0; j < nCols; j++) {
      const cell = fields[j]!;
      if (cell === '') throw new DataFormatError(`missing value in column ${header[j]} at line ${line} of ${source}`);
      if (!NUMBER_RE.test(cell)) throw new DataFormatError(`'${cell}' in column ${header[j]} at line ${line} of ${source} is not a number`);
      const v = Number(cell);
      if (!Number.isFinite(v)) {
        throw new DataFormatError(`'${cell}' in column ${header[j]} at line ${line} of ${source} is not a finite number`);
      }
      if (j === targetCol) y[n] = v;
      else rowMajor[n * p + f++] = v;
    }
    n++;
  }
  if (n === 0) throw new DataFormatError(`${source} has a header (line ${headerLine}) but no data rows`);
  const data = new Float64Array(n * p);
  for (let i = 0; i < n; i++) {
    const o = i * p;
    for (let j = 0; j < p; j++) data[j * n + i] = rowMajor[o + j]!;
  }
  return {
    X: { kind: 'dense', nRows: n, nCols: p, data },
    y: y.slice(0, n),
    featureNames,
    targetName: opts.target,
    nSamples: n,
    nFeatures: p,
  };
}
