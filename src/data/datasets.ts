/**
 * @file Bundled datasets (the package's `data/` directory), loaded by name.
 *
 * - `diabetes`: 442 × 10 (age, sex, bmi, bp, s1..s6; raw, unscaled values as in the original
 *   Efron et al. data), target `target` (disease progression after one year).
 * - `breast_cancer`: 569 × 30 (Wisconsin diagnostic features), target `malignant` (1 = malignant,
 *   212 rows; 0 = benign, 357 rows — note: the opposite coding of scikit-learn's `target`).
 * - `digits`: 1797 × 64 (8×8 images, pixel values 0..16, columns p0..p63), target `label` (0..9).
 *
 * The directory is resolved relative to this module (`../../data/`), which is the package root's
 * `data/` both from `src/data/datasets.ts` and from the compiled `dist/data/datasets.js`.
 */
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from '../core/errors.js';
import { loadCsv } from './csv.js';
import type { Dataset } from './dataset.js';

/** Names of the bundled datasets. */
export type DatasetName = 'diabetes' | 'breast_cancer' | 'digits';

/** Names of the bundled datasets, in a stable order. */
export const datasetNames: readonly DatasetName[] = ['diabetes', 'breast_cancer', 'digits'];

const TARGETS: Readonly<Record<DatasetName, string>> = {
  diabetes: 'target',
  breast_cancer: 'malignant',
  digits: 'label',
};

/** Absolute path of the bundled `data/` directory (with a trailing slash). */
export const dataDir: string = fileURLToPath(new URL('../../data/', import.meta.url));

/**
 * Absolute path of a bundled dataset's CSV file.
 *
 * @example
 * datasetPath('diabetes'); // '/…/nsdiff/data/diabetes.csv'
 */
export function datasetPath(name: DatasetName): string {
  checkName(name);
  return fileURLToPath(new URL(`../../data/${name}.csv`, import.meta.url));
}

function checkName(name: string): asserts name is DatasetName {
  if (!(datasetNames as readonly string[]).includes(name)) {
    throw new InvalidArgumentError(`loadDataset(): unknown dataset '${name}'; available: ${datasetNames.join(', ')}`);
  }
}

/**
 * Loads a bundled dataset (a fresh copy each call) with a dense column-major design.
 *
 * @example
 * const ds = loadDataset('diabetes'); // ds.nSamples = 442, ds.nFeatures = 10, ds.y[0] = 151
 */
export function loadDataset(name: DatasetName): Dataset {
  checkName(name);
  return loadCsv(datasetPath(name), { target: TARGETS[name] });
}
