/**
 * @file Bundled datasets (the package's `data/` directory), loaded by name.
 *
 * - `diabetes`: 442 × 10 (age, sex, bmi, bp, s1..s6; raw, unscaled values as in the original
 *   Efron et al. data), target `target` (disease progression after one year).
 * - `breast_cancer`: 569 × 30 (Wisconsin diagnostic features), target `malignant` (1 = malignant,
 *   212 rows; 0 = benign, 357 rows — note: the opposite coding of scikit-learn's `target`).
 * - `digits`: 1797 × 64 (8×8 images, pixel values 0..16, columns p0..p63), target `label` (0..9).
 *
 * The CSV texts are embedded in generated modules (src/data/bundled/, written from data/*.csv by
 * `npm run data:embed`), so loading needs no file system and works in a browser; the CSV files
 * themselves ship in the package's `data/` (their paths: `datasetPath` of `nsdiff/node`).
 * Embedding rather than fetching keeps `loadDataset` synchronous, as in Node; the cost is bundle
 * size (≈ 400 kB of text, ≈ 90 kB gzipped) for a bundle that calls `loadDataset`.
 */
import { InvalidArgumentError } from '../core/errors.js';
import { parseCsv } from './csv.js';
import type { Dataset } from './dataset.js';
import { breastCancerCsv } from './bundled/breast_cancer.js';
import { diabetesCsv } from './bundled/diabetes.js';
import { digitsCsv } from './bundled/digits.js';

/** Names of the bundled datasets. */
export type DatasetName = 'diabetes' | 'breast_cancer' | 'digits';

/** Names of the bundled datasets, in a stable order. */
export const datasetNames: readonly DatasetName[] = ['diabetes', 'breast_cancer', 'digits'];

const TARGETS: Readonly<Record<DatasetName, string>> = {
  diabetes: 'target',
  breast_cancer: 'malignant',
  digits: 'label',
};

/**
 * The CSV text of a dataset. The imported constants are read here, at the call, not when this
 * module loads: the bundles of the `nsdiff` command (scripts/bundle-cli.mjs) replace the
 * generated modules with getters that read data/<name>.csv, so a command line that loads no
 * bundled dataset reads none (issue 12: start-up).
 */
function textOf(name: DatasetName): string {
  switch (name) {
    case 'diabetes':
      return diabetesCsv;
    case 'breast_cancer':
      return breastCancerCsv;
    case 'digits':
      return digitsCsv;
  }
}

/**
 * Throws `InvalidArgumentError` naming the caller unless `name` is a bundled dataset.
 *
 * @example
 * checkDatasetName('iris', 'datasetPath'); // InvalidArgumentError: datasetPath(): unknown dataset 'iris'; available: …
 */
export function checkDatasetName(name: string, fn = 'loadDataset'): asserts name is DatasetName {
  if (!(datasetNames as readonly string[]).includes(name)) {
    throw new InvalidArgumentError(`${fn}(): unknown dataset '${name}'; available: ${datasetNames.join(', ')}`);
  }
}

/**
 * Loads a bundled dataset (a fresh copy each call) with a dense column-major design.
 *
 * @example
 * const ds = loadDataset('diabetes'); // ds.nSamples = 442, ds.nFeatures = 10, ds.y[0] = 151
 */
export function loadDataset(name: DatasetName): Dataset {
  checkDatasetName(name);
  return parseCsv(textOf(name), { target: TARGETS[name], sourceName: `data/${name}.csv` });
}
