/**
 * @file The Node-only file side of the data layer: reading CSV / libsvm files, writing libsvm
 * files, and the paths of the bundled CSVs. Everything here uses node:fs / node:url; the parsers
 * themselves (`parseCsv`, `parseLibsvm`, `writeLibsvm`) and the bundled datasets (`loadDataset`)
 * are browser-safe and live in csv.ts, libsvm.ts and datasets.ts. The package root never imports
 * this file: it is exported from the `nsdiff/node` entry point (src/node.ts).
 */
import { closeSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DataFormatError } from '../core/errors.js';
import { CsvParser, countLineEnds, type CsvParserOptions } from './csv.js';
import type { Dataset } from './dataset.js';
import { checkDatasetName, type DatasetName } from './datasets.js';
import { encodeLibsvm, parseLibsvm, type LibsvmOptions, type WriteLibsvmOptions } from './libsvm.js';

/** Absolute path of the bundled `data/` directory (with a trailing slash). */
export const dataDir: string = fileURLToPath(new URL('../../data/', import.meta.url));

/**
 * Absolute path of a bundled dataset's CSV file (the package's `data/` directory, resolved
 * relative to this module: `../../data/` from both `src/data/` and `dist/data/`).
 *
 * @example
 * datasetPath('diabetes'); // '/…/nsdiff/data/diabetes.csv'
 */
export function datasetPath(name: DatasetName): string {
  checkDatasetName(name, 'datasetPath');
  return fileURLToPath(new URL(`../../data/${name}.csv`, import.meta.url));
}

/**
 * Reads a data file's bytes, turning I/O failures into one `DataFormatError` naming the path and
 * the reason (`cannot read d.csv: no such file or directory`).
 *
 * @example
 * const bytes = readDataFile('data/diabetes.csv'); // a Buffer
 */
export function readDataFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    // Node's message is "ENOENT: no such file or directory, open 'd.csv'": keep the reason only
    const reason = (e.message ?? String(err)).replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '');
    throw new DataFormatError(`cannot read ${path}: ${reason}${e.code ? ` (${e.code})` : ''}`);
  }
}

/** Bytes read per `readSync` call when a file is streamed. */
const CHUNK_BYTES = 1 << 20;

/** Opens a data file, I/O failures as in `readDataFile`. */
function openDataFile(path: string): number {
  try {
    return openSync(path, 'r');
  } catch (err) {
    readDataFile(path); // the same message as a failed read (throws)
    throw err;
  }
}

/** Calls `each` on successive chunks of the file (one reused buffer of CHUNK_BYTES). */
function forEachChunk(fd: number, buf: Uint8Array, each: (chunk: Uint8Array) => void): void {
  for (let pos = 0; ; ) {
    const got = readSync(fd, buf, 0, buf.length, pos);
    if (got === 0) return;
    each(buf.subarray(0, got));
    pos += got;
  }
}

/**
 * Reads a CSV file (see `parseCsv`); error messages name the path. The file is streamed twice in
 * 1 MiB chunks — once to count its lines, once to parse them straight into columns allocated at
 * that height — so the peak memory is the float64 design plus one chunk. `allocColumns`: see
 * `CsvParserOptions` (the CLI parses into a WebAssembly design memory).
 *
 * @example
 * const ds = loadCsv('data/diabetes.csv', { target: 'target' }); // 442 × 10
 */
export function loadCsv(path: string, opts: { target: string; allocColumns?: CsvParserOptions['allocColumns'] }): Dataset {
  const fd = openDataFile(path);
  try {
    const buf = new Uint8Array(CHUNK_BYTES);
    let lines = 0;
    forEachChunk(fd, buf, (c) => (lines += countLineEnds(c)));
    const parser = new CsvParser({
      target: opts.target, sourceName: path, rowsHint: lines + 1, ...(opts.allocColumns !== undefined ? { allocColumns: opts.allocColumns } : {}),
    });
    forEachChunk(fd, buf, (c) => parser.push(c));
    return parser.finish();
  } finally {
    closeSync(fd);
  }
}

/**
 * Loads a training and a validation CSV file and checks they have the same feature columns in the
 * same order (and the target column); otherwise a `DataFormatError` lists the differences.
 *
 * @example
 * const { train, val } = loadCsvPair('train.csv', 'val.csv', { target: 'y' });
 */
export function loadCsvPair(trainPath: string, valPath: string, opts: { target: string }): { train: Dataset; val: Dataset } {
  const train = loadCsv(trainPath, opts);
  const val = loadCsv(valPath, opts);
  const a = train.featureNames;
  const b = val.featureNames;
  const same = a.length === b.length && a.every((name, j) => b[j] === name);
  if (!same) {
    const sb = new Set(b);
    const sa = new Set(a);
    const onlyA = a.filter((x) => !sb.has(x));
    const onlyB = b.filter((x) => !sa.has(x));
    const parts: string[] = [];
    if (onlyA.length) parts.push(`only in ${trainPath}: ${onlyA.join(', ')}`);
    if (onlyB.length) parts.push(`only in ${valPath}: ${onlyB.join(', ')}`);
    if (!onlyA.length && !onlyB.length) parts.push(`same columns in a different order (${trainPath}: ${a.join(', ')}; ${valPath}: ${b.join(', ')})`);
    throw new DataFormatError(`feature columns of ${trainPath} and ${valPath} differ: ${parts.join('; ')}`);
  }
  return { train, val };
}

/**
 * Reads a libsvm file (as bytes, without building a JS string) and parses it (see `parseLibsvm`).
 *
 * @example
 * const ds = loadLibsvm('/data/rcv1_train.binary', { nFeatures: 47236 });
 */
export function loadLibsvm(path: string, opts: Omit<LibsvmOptions, 'sourceName'> = {}): Dataset {
  const buf = readDataFile(path);
  return parseLibsvm(buf, { ...opts, sourceName: path });
}

/**
 * Writes a dataset as a libsvm file (same text as `writeLibsvm`), streaming 4 MiB chunks so the
 * whole text is never held in memory; returns the number of bytes written.
 *
 * @example
 * saveLibsvm('/tmp/train.svm', ds, { precision: 8 });
 */
export function saveLibsvm(path: string, ds: Dataset, opts: WriteLibsvmOptions = {}): number {
  const fd = openSync(path, 'w');
  let bytes = 0;
  try {
    encodeLibsvm(ds, opts, (chunk) => {
      let off = 0;
      while (off < chunk.length) off += writeSync(fd, chunk, off, chunk.length - off);
      bytes += chunk.length;
    });
  } finally {
    closeSync(fd);
  }
  return bytes;
}
