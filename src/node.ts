/**
 * @file The `nsdiff/node` entry point: the Node-only part of the public API (file system access).
 * The package root (`nsdiff`, src/index.ts) runs in browsers and Node alike; what needs node:fs,
 * node:url, node:path or node:zlib is here: reading CSV / libsvm / IDX files, writing libsvm files,
 * the paths of the bundled CSVs, and the Fashion-MNIST loader. Their string/byte parsers
 * (`parseCsv`, `parseLibsvm`, `writeLibsvm`) and the bundled datasets (`loadDataset`) stay in the
 * root.
 *
 * @example
 * import { loadCsv } from 'nsdiff/node';
 * import { tuneLasso } from 'nsdiff';
 */
export { loadCsv, loadCsvPair, loadLibsvm, saveLibsvm, readDataFile, datasetPath, dataDir } from './data/files.js';
export {
  parseIdx,
  loadIdx,
  loadIdxPair,
  loadFashionMnist,
  FASHION_MNIST_DIR,
  FASHION_MNIST_CLASSES,
  type IdxOptions,
  type IdxArray,
  type IdxPairOptions,
  type ImageLabelData,
  type FashionMnistOptions,
} from './data/idx.js';
