/**
 * @file Where the CLI's data comes from and how it is checked before any model sees it: a bundled
 * dataset, one CSV or libsvm file, or a train/validation pair — the format from `--format` or an
 * unambiguous extension — then the checks that turn bad data into one actionable message (too few
 * rows, magnitudes that overflow float64, constant columns) and the optional column transforms
 * (`--drop-constant`, `--standardize`, `--add-noise`).
 */
import { DataFormatError, InvalidArgumentError } from '../core/errors.js';
import { rng } from '../core/rng.js';
import { createDesignMemory, designColMaxAbs } from '../kernels/wasm_lasso.js';
import { markFiniteDesign } from '../lasso/design.js';
import { loadCsv, loadCsvPair, loadLibsvm } from '../data/files.js';
import { datasetNames, loadDataset, type DatasetName } from '../data/datasets.js';
import { constantColumns, type Dataset, type DesignMatrix } from '../data/dataset.js';
import { oneOf } from './options.js';
import { CscMatrix } from '../linalg/sparse/csc.js';
import { columnScales, scaleColumns } from '../estimators/preprocessing.js';

/** Data options shared by the `lasso` subcommands (raw strings from the command line). */
export interface DataOptions {
  dataset?: string;
  data?: string;
  train?: string;
  val?: string;
  target?: string;
  format?: string;
  dropConstant?: boolean;
  standardize?: boolean;
  addNoise?: string;
  seed?: string;
  /** false with `--no-intercept` (changes what `--standardize` divides by). */
  intercept?: boolean;
  /**
   * Not a flag: parse a CSV's columns into a WebAssembly design memory (`createDesignMemory`), for
   * a command that gives X up at the end (`lasso tune`'s refit prepares it in place).
   */
  designMemory?: boolean;
}

/** Data ready for a model, with where it came from. */
export interface LoadedData {
  /** Training rows (all rows when there is no separate validation file). */
  train: Dataset;
  /** Validation rows when `--val` was given. */
  val: Dataset | null;
  /** Human-readable description of the source. */
  description: string;
  /** Input files by flag (to refuse output files that would overwrite them). */
  inputs: Record<string, string | undefined>;
  /** Number of appended noise features (the last ones), 0 without `--add-noise`. */
  noiseFeatures: number;
  /** True when the columns were standardised (the solver's coefficients are then per standard deviation). */
  standardized: boolean;
  /** The column scales s_j of `--standardize` (original-scale coefficient c_j = β_j / s_j), else null. */
  scales: Float64Array | null;
}

const FORMATS = ['csv', 'libsvm'] as const;
const LIBSVM_EXT = /\.(svm|libsvm|svmlight)$/i;

/** Fewest rows any model is fitted on. */
export const MIN_ROWS = 3;
/** Largest magnitude accepted in the data: squares and sums of such values stay far from overflow. */
export const MAX_MAGNITUDE = 1e100;

/** The format of a data file: `--format`, else `.csv` / `.svm|.libsvm|.svmlight`, else an error. */
export function formatOf(path: string, explicit: string | undefined): 'csv' | 'libsvm' {
  if (explicit !== undefined) {
    if (/^(xlsx?|ods|numbers)$/i.test(explicit)) throw new InvalidArgumentError(`--format must be one of ${FORMATS.join(', ')}; got '${explicit}' (spreadsheets are not read: export the sheet as CSV and use --format csv)`);
    return oneOf(explicit, FORMATS, '--format', 'csv');
  }
  if (/\.csv$/i.test(path)) return 'csv';
  if (LIBSVM_EXT.test(path)) return 'libsvm';
  const ext = /\.[^./\\]+$/.exec(path)?.[0];
  throw new InvalidArgumentError(
    `cannot tell the format of ${path} from its ${ext ? `extension (${ext})` : 'name (no extension)'}: give --format csv or --format libsvm ` +
      '(CSV files end in .csv, libsvm files in .svm, .libsvm or .svmlight)',
  );
}

function loadOne(path: string, format: 'csv' | 'libsvm', opts: DataOptions): Dataset {
  if (format === 'libsvm') return loadLibsvm(path);
  if (!opts.target) throw new InvalidArgumentError(`--target COLUMN is required with the CSV file ${path}`);
  return loadCsv(path, { target: opts.target, ...(opts.designMemory === true ? { allocColumns: createDesignMemory } : {}) });
}

/** Resolves the data options to datasets (exactly one source must be given), unchecked. */
export function loadRaw(opts: DataOptions): { train: Dataset; val: Dataset | null; description: string; bundled: boolean } {
  const sources = [opts.dataset !== undefined ? '--dataset' : null, opts.data !== undefined ? '--data' : null, opts.train !== undefined ? '--train' : null].filter(Boolean);
  if (sources.length === 0) {
    throw new InvalidArgumentError(`no data given: use --dataset ${datasetNames.join('|')}, --data FILE.csv --target COLUMN, or --train A.csv --val B.csv --target COLUMN`);
  }
  if (sources.length > 1) throw new InvalidArgumentError(`give only one of --dataset, --data, --train (got ${sources.join(', ')})`);
  if (opts.val !== undefined && opts.train === undefined) throw new InvalidArgumentError('--val needs --train');
  if (opts.dataset !== undefined) {
    if (opts.format !== undefined || opts.target !== undefined) throw new InvalidArgumentError('--format and --target apply to files, not to --dataset');
    const name = oneOf<DatasetName>(opts.dataset, datasetNames, '--dataset', 'diabetes');
    return { train: loadDataset(name), val: null, description: `bundled dataset ${name}`, bundled: true };
  }
  if (opts.data !== undefined) return { train: loadOne(opts.data, formatOf(opts.data, opts.format), opts), val: null, description: opts.data, bundled: false };
  const trainPath = opts.train!;
  const fmt = formatOf(trainPath, opts.format);
  if (opts.val === undefined) return { train: loadOne(trainPath, fmt, opts), val: null, description: trainPath, bundled: false };
  const valFmt = formatOf(opts.val, opts.format);
  if (valFmt !== fmt) throw new InvalidArgumentError(`--train ${trainPath} is ${fmt} but --val ${opts.val} is ${valFmt}: give both in one format`);
  const description = `${trainPath} (train), ${opts.val} (validation)`;
  if (fmt === 'csv') {
    if (!opts.target) throw new InvalidArgumentError(`--target COLUMN is required with the CSV files ${trainPath} and ${opts.val}`);
    const { train, val } = loadCsvPair(trainPath, opts.val, { target: opts.target });
    return { train, val, description, bundled: false };
  }
  // libsvm files give no column count: use the largest feature index seen in either file
  let train = loadLibsvm(trainPath);
  let val = loadLibsvm(opts.val);
  const p = Math.max(train.nFeatures, val.nFeatures);
  if (train.nFeatures < p) train = loadLibsvm(trainPath, { nFeatures: p });
  if (val.nFeatures < p) val = loadLibsvm(opts.val, { nFeatures: p });
  return { train, val, description, bundled: false };
}

/**
 * Loads the data of a subcommand and checks it (see the file header); `note` receives what was
 * changed (dropped columns, added noise) for stderr.
 */
export function loadData(opts: DataOptions, note: (s: string) => void = () => {}): LoadedData {
  const noise = opts.addNoise === undefined ? 0 : Number(opts.addNoise);
  if (!Number.isInteger(noise) || noise < 0 || noise > 10000) throw new InvalidArgumentError(`--add-noise must be an integer in [0, 10000]; got '${opts.addNoise}'`);
  const raw = loadRaw(opts);
  let { train, val } = raw;
  const { description } = raw;
  checkRows(train, val, description);
  checkMagnitudes(train, description);
  if (val) checkMagnitudes(val, opts.val!);

  const constant = constantColumns(train.X);
  if (constant.length > 0) {
    const names = nameList(train, constant);
    if (raw.bundled || opts.dropConstant) {
      note(`note: dropped ${constant.length} constant column(s) of ${description}: ${names}`);
      const keep = complement(constant, train.nFeatures);
      train = selectColumns(train, keep);
      if (val) val = selectColumns(val, keep);
    } else {
      throw new DataFormatError(
        `${constant.length} feature column(s) of ${description} are constant (${names}): they carry no information for the model; ` +
          'remove them from the file or pass --drop-constant',
      );
    }
  }
  if (noise > 0) {
    const seed = opts.seed === undefined ? 0 : Number(opts.seed);
    train = appendNoise(train, noise, seed);
    if (val) val = appendNoise(val, noise, seed + 1);
    note(`note: appended ${noise} standard-normal noise features (noise1..noise${noise}, seed ${seed}); a good selection drops them`);
  }
  let standardized = false;
  let scales: Float64Array | null = null;
  if (opts.standardize) {
    // One column standardisation for the library (src/estimators/preprocessing.ts): the scales of
    // the training rows, applied to the validation rows too; the CLI maps coefficients back.
    const { scales: sc } = columnScales(train.X, { center: opts.intercept !== false });
    train = { ...train, X: scaleColumns(train.X, sc) };
    if (val) val = { ...val, X: scaleColumns(val.X, sc) };
    scales = sc;
    standardized = true;
  }
  return { train, val, description, inputs: { '--data': opts.data, '--train': opts.train, '--val': opts.val }, noiseFeatures: noise, standardized, scales };
}

function nameList(ds: Dataset, cols: ArrayLike<number>): string {
  const shown = Array.from(cols).slice(0, 10).map((j) => ds.featureNames[j] ?? `column ${j + 1}`);
  return shown.join(', ') + (cols.length > 10 ? `, … (${cols.length - 10} more)` : '');
}

function complement(drop: Int32Array, p: number): Int32Array {
  const gone = new Uint8Array(p);
  for (const j of drop) gone[j] = 1;
  const keep: number[] = [];
  for (let j = 0; j < p; j++) if (!gone[j]) keep.push(j);
  return Int32Array.from(keep);
}

/** Too few rows is its own error (with 1 or 2 rows every column looks constant). */
function checkRows(train: Dataset, val: Dataset | null, description: string): void {
  if (train.nSamples < MIN_ROWS) {
    throw new DataFormatError(`${description} has ${train.nSamples} data row${train.nSamples === 1 ? '' : 's'}: too few rows to fit and evaluate a model (at least ${MIN_ROWS} are needed)`);
  }
  if (train.nFeatures === 0) throw new DataFormatError(`${description} has no feature columns (only the target)`);
  if (val && val.nSamples < 1) throw new DataFormatError('the validation file has no data rows');
}

/**
 * Values beyond ±1e100 (or non-zero columns entirely below 1e-100 in magnitude) make squares and
 * sums of squares overflow (underflow) float64: refuse them with the column and the fix. A design
 * that passes holds only finite values and is marked so (`markFiniteDesign`): the library's
 * `checkedDesign` then skips its own finiteness scan of it.
 */
function checkMagnitudes(ds: Dataset, description: string): void {
  // the column's name is formatted only for a failing column (1000 names per run otherwise)
  const check = (maxAbs: number, name: () => string): void => {
    if (maxAbs > MAX_MAGNITUDE) {
      throw new DataFormatError(
        `${name()} of ${description} has values up to ${maxAbs.toExponential(2)} in magnitude: squares of such values overflow float64 ` +
          `(largest 1.8e308); divide the column by a power of ten (values up to ${MAX_MAGNITUDE.toExponential(0)} are accepted)`,
      );
    }
    if (maxAbs > 0 && maxAbs < 1 / MAX_MAGNITUDE) {
      throw new DataFormatError(
        `${name()} of ${description} has values no larger than ${maxAbs.toExponential(2)} in magnitude: squares of such values underflow float64; ` +
          `multiply the column by a power of ten (values down to ${(1 / MAX_MAGNITUDE).toExponential(0)} are accepted)`,
      );
    }
  };
  let my = 0;
  for (const v of ds.y) my = Math.max(my, Math.abs(v));
  check(my, () => `the target ${ds.targetName}`);
  const X = ds.X;
  const p = X.nCols;
  // every column's largest |x| is at most MAX_MAGNITUDE (NaN fails the test): all values are
  // finite, and the library's own finiteness scan of X (checkedDesign) is skipped
  let finite = true;
  // X parsed into a design memory (lasso tune): the maxima in WebAssembly (exact: the same values)
  const maxAbs = X.kind === 'dense' ? designColMaxAbs(X.data, X.nRows, p) : null;
  for (let j = 0; j < p; j++) {
    let m = 0;
    if (maxAbs !== null) m = maxAbs[j]!;
    else if (X.kind === 'dense') {
      const a = X.data;
      for (let i = j * X.nRows, e = i + X.nRows; i < e; i++) m = Math.max(m, Math.abs(a[i]!));
    } else {
      const v = X.values;
      for (let k = X.indptr[j]!, e = X.indptr[j + 1]!; k < e; k++) m = Math.max(m, Math.abs(v[k]!));
    }
    if (m > MAX_MAGNITUDE || (m > 0 && m < 1 / MAX_MAGNITUDE)) check(m, () => `column ${ds.featureNames[j] ?? j + 1}`);
    if (!(m <= MAX_MAGNITUDE)) finite = false;
  }
  if (finite) markFiniteDesign(X, 'loadData');
}

/** The columns `keep` of a dataset (dense or CSC), names kept. */
export function selectColumns(ds: Dataset, keep: Int32Array): Dataset {
  const X = ds.X;
  const n = X.nRows;
  let Xs: DesignMatrix;
  if (X.kind === 'dense') {
    const data = new Float64Array(n * keep.length);
    keep.forEach((j, t) => data.set(X.data.subarray(j * n, (j + 1) * n), t * n));
    Xs = { kind: 'dense', nRows: n, nCols: keep.length, data };
  } else {
    const indptr = new Int32Array(keep.length + 1);
    keep.forEach((j, t) => (indptr[t + 1] = indptr[t]! + X.indptr[j + 1]! - X.indptr[j]!));
    const indices = new Int32Array(indptr[keep.length]!);
    const values = new Float64Array(indptr[keep.length]!);
    keep.forEach((j, t) => {
      indices.set(X.indices.subarray(X.indptr[j]!, X.indptr[j + 1]!), indptr[t]!);
      values.set(X.values.subarray(X.indptr[j]!, X.indptr[j + 1]!), indptr[t]!);
    });
    Xs = new CscMatrix(n, keep.length, indptr, indices, values, { check: false });
  }
  return { ...ds, X: Xs, featureNames: Array.from(keep, (j) => ds.featureNames[j]!), nFeatures: keep.length };
}

/** Appends `k` seeded standard-normal columns named noise1..noisek (dense designs only). */
function appendNoise(ds: Dataset, k: number, seed: number): Dataset {
  if (ds.X.kind !== 'dense') throw new InvalidArgumentError('--add-noise needs dense (CSV or bundled) data');
  const n = ds.nSamples;
  const data = new Float64Array(n * (ds.nFeatures + k));
  data.set(ds.X.data);
  rng(seed).fillNormal(data.subarray(n * ds.nFeatures));
  const names = [...ds.featureNames, ...Array.from({ length: k }, (_, t) => `noise${t + 1}`)];
  return { ...ds, X: { kind: 'dense', nRows: n, nCols: ds.nFeatures + k, data }, featureNames: names, nFeatures: ds.nFeatures + k };
}

