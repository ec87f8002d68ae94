/**
 * @file The image-classification datasets of `nsdiff train`, as labelled sets for `fit`:
 * `digits` (bundled, 1797 8×8 images, pixels scaled to [0, 1]; the first 1500 rows train, the
 * other 297 test) and `fashion-mnist` (Debian's dataset-fashion-mnist, 60,000 + 10,000 28×28
 * images in [0, 1]). Each sample is one row of `x` ([n, pixels]); `imageShape` is [1, h, w] for
 * convolutional models. The data is loaded once and stored once.
 */
import { InvalidArgumentError } from '../../core/errors.js';
import { checkOptions } from '../../core/options.js';
import { describeValue, fromData } from '../../core/tensor.js';
import { loadDataset } from '../../data/datasets.js';
import { loadFashionMnist } from '../../data/idx.js';
import type { LabelledData } from './metrics.js';

/** Names of the classification datasets. */
export type ClassificationDatasetName = 'digits' | 'fashion-mnist';

/** The names {@link loadClassificationData} accepts. */
export const CLASSIFICATION_DATASETS: readonly ClassificationDatasetName[] = ['digits', 'fashion-mnist'];

/** A train / test pair of labelled sets. */
export interface ClassificationData {
  train: LabelledData;
  test: LabelledData;
  /** Shape of one image, channels first: [1, 8, 8] or [1, 28, 28]. */
  imageShape: [number, number, number];
  classes: number;
  classNames?: readonly string[];
}

/** Options of {@link loadClassificationData}. */
export interface ClassificationDataOptions {
  /** Directory of the Fashion-MNIST IDX files (default: Debian's /usr/share/datasets/fashion-mnist). */
  dataDir?: string;
  /** Keep only the first `limit` training samples (and `limit` test samples at most). */
  limit?: number;
}

/**
 * Loads a classification dataset by name; unknown names list the valid ones, a missing
 * Fashion-MNIST names the Debian package.
 * @example
 * const { train, test } = loadClassificationData('digits'); // train.x: [1500, 64], test.x: [297, 64]
 */
export function loadClassificationData(name: ClassificationDatasetName, opts: ClassificationDataOptions = {}): ClassificationData {
  const where = 'loadClassificationData()';
  checkOptions(opts, ['dataDir', 'limit'], where);
  const limit = opts.limit;
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1)) throw new InvalidArgumentError(`${where}: option limit must be an integer ≥ 1, got ${describeValue(limit)}`);
  if (name === 'digits') {
    const ds = loadDataset('digits');
    const n = ds.nSamples;
    const p = ds.nFeatures;
    const X = ds.X;
    if (X.kind !== 'dense') throw new InvalidArgumentError(`${where}: the digits design is expected dense`);
    const rows = new Float64Array(n * p);
    for (let j = 0; j < p; j++) for (let i = 0; i < n; i++) rows[i * p + j] = X.data[j * n + i]! / 16;
    const labels = Int32Array.from(ds.y);
    const nTrain = 1500;
    const nt = Math.min(nTrain, limit ?? nTrain);
    const ne = Math.min(n - nTrain, limit ?? n);
    return {
      train: { x: fromData(rows.slice(0, nt * p), [nt, p]), y: labels.slice(0, nt) },
      test: { x: fromData(rows.slice(nTrain * p, (nTrain + ne) * p), [ne, p]), y: labels.slice(nTrain, nTrain + ne) },
      imageShape: [1, 8, 8],
      classes: 10,
    };
  }
  if (name === 'fashion-mnist') {
    const tr = loadFashionMnist({ split: 'train', dataDir: opts.dataDir, limit });
    const te = loadFashionMnist({ split: 'test', dataDir: opts.dataDir, limit });
    return {
      train: { x: tr.images, y: tr.labels },
      test: { x: te.images, y: te.labels },
      imageShape: [1, tr.imageShape[0]!, tr.imageShape[1]!],
      classes: 10,
      classNames: tr.classNames,
    };
  }
  throw new InvalidArgumentError(`${where}: unknown dataset ${describeValue(name)}; valid datasets: ${CLASSIFICATION_DATASETS.join(', ')}`);
}
