/**
 * @file The IDX format (MNIST family) → Float64Array, and the Fashion-MNIST loader. Node-only
 * (node:fs, node:zlib): no file of the core imports it.
 *
 * IDX layout: bytes 0–1 are 0x00 0x00, byte 2 the element type, byte 3 the number of dimensions
 * d; then d big-endian uint32 dimension sizes; then the elements, big-endian, row-major:
 *
 * | type | element                  | bytes |
 * |------|--------------------------|-------|
 * | 0x08 | unsigned byte            | 1     |
 * | 0x09 | signed byte              | 1     |
 * | 0x0B | signed 16-bit integer    | 2     |
 * | 0x0C | signed 32-bit integer    | 4     |
 * | 0x0D | 32-bit float             | 4     |
 * | 0x0E | 64-bit float             | 8     |
 *
 * A file starting with the gzip magic (0x1F 0x8B) is gunzipped first. Every element is returned as
 * a float64 (labels too: `loadIdxPair` turns them into an `Int32Array` after checking they are
 * integers). The payload size implied by the header (∏ dims × element bytes) must equal the bytes
 * present exactly; it is checked BEFORE anything of that size is allocated, so a corrupt header
 * cannot request a huge buffer.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DataFormatError, InvalidArgumentError } from '../core/errors.js';
import { checkOptions } from '../core/options.js';
import { describeValue, fromData, type Tensor } from '../core/tensor.js';
import { readDataFile } from './files.js';

/** Element types of the IDX format: type byte → [name, bytes per element]. */
const IDX_TYPES: ReadonlyMap<number, readonly [string, number]> = new Map([
  [0x08, ['ubyte', 1]],
  [0x09, ['byte', 1]],
  [0x0b, ['short', 2]],
  [0x0c, ['int', 4]],
  [0x0d, ['float', 4]],
  [0x0e, ['double', 8]],
]);

/** Options of {@link parseIdx} and {@link loadIdx}. */
export interface IdxOptions {
  /** Every element is multiplied by `scale` (e.g. `1 / 255` for images in [0, 1]). Default 1. */
  scale?: number;
  /** Keep only the first `limit` entries along axis 0 (the samples); only those are converted. */
  limit?: number;
  /** Name used in error messages (the path for `loadIdx`). Default `'<idx>'`. */
  sourceName?: string;
}

/** A parsed IDX array: row-major float64 data of the given shape, and the element type's name. */
export interface IdxArray {
  shape: number[];
  data: Float64Array;
  /** `'ubyte' | 'byte' | 'short' | 'int' | 'float' | 'double'`. */
  type: string;
}

function checkLimit(limit: unknown, where: string): number | undefined {
  if (limit === undefined) return undefined;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0) {
    throw new InvalidArgumentError(`${where}: option limit must be a non-negative integer, got ${describeValue(limit)}`);
  }
  return limit;
}

/**
 * Parses an IDX file's bytes (gzipped or not). Errors are `DataFormatError`s naming the source and
 * the problem (truncated header, wrong magic, unknown type, payload size ≠ header's).
 *
 * @example
 * const bytes = Uint8Array.of(0, 0, 0x08, 1, 0, 0, 0, 3, 7, 8, 9);
 * parseIdx(bytes); // { shape: [3], data: Float64Array [7, 8, 9], type: 'ubyte' }
 */
export function parseIdx(bytes: Uint8Array, opts?: IdxOptions): IdxArray {
  checkOptions(opts, ['scale', 'limit', 'sourceName'], 'parseIdx()');
  const src = opts?.sourceName ?? '<idx>';
  const scale = opts?.scale ?? 1;
  if (typeof scale !== 'number' || !Number.isFinite(scale)) {
    throw new InvalidArgumentError(`parseIdx(): option scale must be a finite number, got ${describeValue(scale)}`);
  }
  const limit = checkLimit(opts?.limit, 'parseIdx()');
  if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError(`parseIdx(): bytes must be a Uint8Array, got ${describeValue(bytes)}`);
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (err) {
      throw new DataFormatError(`${src}: corrupt gzip data (${(err as Error).message})`);
    }
  }
  if (bytes.length < 4) throw new DataFormatError(`${src}: truncated IDX header (${bytes.length} bytes, need at least 4)`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new DataFormatError(`${src}: not an IDX file (magic bytes 0x${hex(bytes[0]!)} 0x${hex(bytes[1]!)}, expected 0x00 0x00)`);
  }
  const typeInfo = IDX_TYPES.get(bytes[2]!);
  if (!typeInfo) throw new DataFormatError(`${src}: unknown IDX element type 0x${hex(bytes[2]!)} (known: 08, 09, 0B, 0C, 0D, 0E)`);
  const [type, width] = typeInfo;
  const ndim = bytes[3]!;
  if (ndim === 0) throw new DataFormatError(`${src}: IDX header declares 0 dimensions`);
  const headerLen = 4 + 4 * ndim;
  if (bytes.length < headerLen) {
    throw new DataFormatError(`${src}: truncated IDX header (${bytes.length} bytes, ${ndim} dimensions need ${headerLen})`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let k = 0; k < ndim; k++) shape.push(view.getUint32(4 + 4 * k, false));
  // expected payload, compared with the bytes present before any allocation (no overflow: the
  // product stops growing past the byte count)
  const payload = bytes.length - headerLen;
  let expected = width;
  for (const d of shape) {
    expected *= d;
    if (expected > payload) break;
  }
  if (expected !== payload) {
    const what = expected > payload ? 'truncated' : 'has trailing bytes';
    throw new DataFormatError(
      `${src}: IDX payload ${what}: dims [${shape.join(', ')}] of ${type} (${width} byte${width > 1 ? 's' : ''}) need ` +
        `${expected > payload ? `more than ${payload}` : expected} bytes, the file has ${payload}`,
    );
  }
  if (limit !== undefined && limit < shape[0]!) shape[0] = limit;
  let n = 1;
  for (const d of shape) n *= d;
  const data = new Float64Array(n);
  const off = headerLen;
  switch (type) {
    case 'ubyte':
      for (let i = 0; i < n; i++) data[i] = bytes[off + i]! * scale;
      break;
    case 'byte':
      for (let i = 0; i < n; i++) data[i] = view.getInt8(off + i) * scale;
      break;
    case 'short':
      for (let i = 0; i < n; i++) data[i] = view.getInt16(off + 2 * i, false) * scale;
      break;
    case 'int':
      for (let i = 0; i < n; i++) data[i] = view.getInt32(off + 4 * i, false) * scale;
      break;
    case 'float':
      for (let i = 0; i < n; i++) data[i] = view.getFloat32(off + 4 * i, false) * scale;
      break;
    default:
      for (let i = 0; i < n; i++) data[i] = view.getFloat64(off + 8 * i, false) * scale;
  }
  return { shape, data, type };
}

function hex(b: number): string {
  return b.toString(16).toUpperCase().padStart(2, '0');
}

/**
 * Reads and parses an IDX file (see {@link parseIdx}); error messages name the path.
 *
 * @example
 * const { shape, data } = loadIdx('t10k-labels-idx1-ubyte.gz'); // shape [10000]
 */
export function loadIdx(path: string, opts?: Omit<IdxOptions, 'sourceName'>): IdxArray {
  checkOptions(opts, ['scale', 'limit'], 'loadIdx()');
  return parseIdx(readDataFile(path), { ...opts, sourceName: path });
}

/** Options of {@link loadIdxPair}. */
export interface IdxPairOptions {
  /** Multiplier of the image values. Default 1 / 255 (ubyte pixels → [0, 1]). */
  scale?: number;
  /** Keep only the first `limit` samples. */
  limit?: number;
}

/** Images and labels of an IDX pair: images as a [n, features] float64 Tensor, labels as Int32Array. */
export interface ImageLabelData {
  /** [n, ∏ image dims] (784 for 28×28), row-major: one sample per row. */
  images: Tensor;
  labels: Int32Array;
  /** The shape of one image as stored (e.g. [28, 28]). */
  imageShape: number[];
}

/**
 * Loads an images file and a labels file in IDX format (gzipped or not) with the same number of
 * samples; the images are flattened to rows. Labels must be integers.
 *
 * @example
 * const { images, labels } = loadIdxPair('train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', { limit: 1000 });
 * images.shape; // [1000, 784]
 */
export function loadIdxPair(imagesPath: string, labelsPath: string, opts?: IdxPairOptions): ImageLabelData {
  checkOptions(opts, ['scale', 'limit'], 'loadIdxPair()');
  const limit = checkLimit(opts?.limit, 'loadIdxPair()');
  const lab = loadIdx(labelsPath, { limit });
  if (lab.shape.length !== 1) throw new DataFormatError(`${labelsPath}: labels must be 1-D, got shape [${lab.shape.join(', ')}]`);
  const img = loadIdx(imagesPath, { limit, scale: opts?.scale ?? 1 / 255 });
  const n = img.shape[0]!;
  if (n !== lab.shape[0]) {
    throw new DataFormatError(`loadIdxPair(): ${imagesPath} has ${n} images but ${labelsPath} has ${lab.shape[0]} labels`);
  }
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = lab.data[i]!;
    if (!Number.isInteger(v) || Math.abs(v) > 2147483647) throw new DataFormatError(`${labelsPath}: label ${i} is ${v}, not an integer`);
    labels[i] = v;
  }
  const imageShape = img.shape.slice(1);
  const features = imageShape.reduce((a, b) => a * b, 1);
  return { images: fromData(img.data, [n, features]), labels, imageShape };
}

/** Where `apt-get install dataset-fashion-mnist` puts the four `.gz` files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** Fashion-MNIST's class names, by label 0..9. */
export const FASHION_MNIST_CLASSES: readonly string[] = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
];

/** Options of {@link loadFashionMnist}. */
export interface FashionMnistOptions {
  /** Directory of the IDX files. Default {@link FASHION_MNIST_DIR}. */
  dataDir?: string;
  /** `'train'` (60,000 samples, the default) or `'test'` (10,000). */
  split?: 'train' | 'test';
  /** Keep only the first `limit` samples. */
  limit?: number;
}

/**
 * Loads Fashion-MNIST (28×28 grey images, 10 classes): images as a [n, 784] Tensor in [0, 1],
 * labels 0..9 as an Int32Array. Looks for `train-images-idx3-ubyte.gz` / `t10k-…` (or the same
 * names without `.gz`) in `dataDir`; when absent, the `DataFormatError` names the Debian package
 * and the `dataDir` option.
 *
 * @example
 * const { images, labels } = loadFashionMnist({ split: 'test', limit: 100 });
 * images.shape; // [100, 784]
 */
export function loadFashionMnist(opts?: FashionMnistOptions): ImageLabelData & { classNames: readonly string[] } {
  checkOptions(opts, ['dataDir', 'split', 'limit'], 'loadFashionMnist()');
  const dir = opts?.dataDir ?? FASHION_MNIST_DIR;
  if (typeof dir !== 'string') throw new InvalidArgumentError(`loadFashionMnist(): option dataDir must be a string, got ${describeValue(dir)}`);
  const split = opts?.split ?? 'train';
  if (split !== 'train' && split !== 'test') {
    throw new InvalidArgumentError(`loadFashionMnist(): option split must be 'train' or 'test', got ${describeValue(split)}`);
  }
  const limit = checkLimit(opts?.limit, 'loadFashionMnist()');
  const prefix = split === 'train' ? 'train' : 't10k';
  const find = (base: string): string => {
    for (const name of [`${base}.gz`, base]) {
      const p = join(dir, name);
      if (existsSync(p)) return p;
    }
    throw new DataFormatError(
      `loadFashionMnist(): ${base}.gz not found in ${dir}. Install the dataset with ` +
        `'apt-get install dataset-fashion-mnist' (files under ${FASHION_MNIST_DIR}), or pass the directory ` +
        `holding the IDX files as the dataDir option`,
    );
  };
  const imagesPath = find(`${prefix}-images-idx3-ubyte`);
  const labelsPath = find(`${prefix}-labels-idx1-ubyte`);
  const data = loadIdxPair(imagesPath, labelsPath, { limit });
  return { ...data, classNames: FASHION_MNIST_CLASSES };
}
