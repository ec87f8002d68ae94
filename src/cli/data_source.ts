/**
 * @file Where the CLI's data comes from: a bundled dataset, one CSV file, a train/validation pair
 * of CSV files, or libsvm files — resolved from the command-line options with clear errors.
 */
import { InvalidArgumentError } from '../core/errors.js';
import { loadCsv, loadCsvPair } from '../data/csv.js';
import { loadLibsvm } from '../data/libsvm.js';
import { datasetNames, loadDataset, type DatasetName } from '../data/datasets.js';
import { constantColumns, type Dataset } from '../data/dataset.js';

export interface DataOptions {
  dataset?: string;
  data?: string;
  train?: string;
  val?: string;
  target?: string;
  format?: 'csv' | 'libsvm';
}

export interface LoadedData {
  /** Training rows (all rows when there is no separate validation file). */
  train: Dataset;
  /** Validation rows when `--val` was given. */
  val: Dataset | null;
  /** Human-readable description of the source. */
  description: string;
}

function formatOf(path: string, explicit: DataOptions['format']): 'csv' | 'libsvm' {
  if (explicit) return explicit;
  return /\.(svm|libsvm|svmlight|txt)$/i.test(path) ? 'libsvm' : 'csv';
}

function loadOne(path: string, opts: DataOptions): Dataset {
  if (formatOf(path, opts.format) === 'libsvm') return loadLibsvm(path);
  if (!opts.target) throw new InvalidArgumentError(`--target COLUMN is required with the CSV file ${path}`);
  return loadCsv(path, { target: opts.target });
}

/** Resolves the data options to datasets (exactly one source must be given). */
export function loadData(opts: DataOptions): LoadedData {
  const sources = [opts.dataset ? 'dataset' : null, opts.data ? 'data' : null, opts.train ? 'train' : null].filter(Boolean);
  if (sources.length === 0) {
    throw new InvalidArgumentError(`no data given: use --dataset ${datasetNames.join('|')}, --data FILE.csv --target COLUMN, or --train A.csv --val B.csv --target COLUMN`);
  }
  if (sources.length > 1) throw new InvalidArgumentError(`give only one of --dataset, --data, --train (got ${sources.join(', ')})`);
  if (opts.val && !opts.train) throw new InvalidArgumentError('--val needs --train');
  if (opts.dataset) {
    if (!(datasetNames as readonly string[]).includes(opts.dataset)) {
      throw new InvalidArgumentError(`unknown dataset '${opts.dataset}'; bundled datasets: ${datasetNames.join(', ')}`);
    }
    return { train: loadDataset(opts.dataset as DatasetName), val: null, description: `bundled dataset ${opts.dataset}` };
  }
  if (opts.data) return { train: loadOne(opts.data, opts), val: null, description: opts.data };
  const trainPath = opts.train!;
  if (!opts.val) return { train: loadOne(trainPath, opts), val: null, description: trainPath };
  if (formatOf(trainPath, opts.format) === 'csv') {
    if (!opts.target) throw new InvalidArgumentError(`--target COLUMN is required with the CSV files ${trainPath} and ${opts.val}`);
    const { train, val } = loadCsvPair(trainPath, opts.val, { target: opts.target });
    return { train, val, description: `${trainPath} (train), ${opts.val} (validation)` };
  }
  // libsvm files give no column count: use the largest feature index seen in either file
  let train = loadLibsvm(trainPath);
  let val = loadLibsvm(opts.val);
  const p = Math.max(train.nFeatures, val.nFeatures);
  if (train.nFeatures < p) train = loadLibsvm(trainPath, { nFeatures: p });
  if (val.nFeatures < p) val = loadLibsvm(opts.val, { nFeatures: p });
  return { train, val, description: `${trainPath} (train), ${opts.val} (validation)` };
}

/**
 * Refuses constant feature columns (they usually mean a broken export or an ID column), naming
 * them; absent features of sparse (libsvm) data are fine.
 */
export function checkNoConstantColumns(ds: Dataset, description: string): void {
  const cols = constantColumns(ds.X);
  if (cols.length === 0) return;
  const names = Array.from(cols.slice(0, 10), (j) => ds.featureNames[j] ?? `column ${j}`).join(', ');
  throw new InvalidArgumentError(
    `${cols.length} feature column(s) of ${description} are constant (${names}${cols.length > 10 ? ', …' : ''}): ` +
      'they cannot be used by the model; remove them from the file',
  );
}
