/**
 * @file The `nsdiff/node` entry point: the Node-only part of the public API (file system access).
 * The package root (`nsdiff`, src/index.ts) runs in browsers and Node alike; what needs node:fs,
 * node:url, node:path or node:zlib is here: reading CSV / libsvm / IDX files, writing libsvm files,
 * the paths of the bundled CSVs, the Fashion-MNIST loader, and neural-network training with file
 * checkpoints (`fit`, `saveModel` / `loadModel`, `loadClassificationData`). Their string/byte parsers
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
export { fit, TrainingDivergedError, type FitOptions, type FitResult, type EpochRecord, type StepInfo, type EarlyStoppingOptions, type CheckpointOptions, type Monitor } from './nn/train/fit.js';
export { saveModel, loadModel, modelToJson, modelFromJson, type SavedModel } from './nn/train/model_file.js';
export { loadCheckpoint, saveCheckpoint, hasCheckpoint, checkpointPath, type CheckpointData, type TrainPosition } from './nn/train/checkpoint.js';
export { CheckpointError, treesBitEqual } from './nn/train/serialize.js';
export { loadClassificationData, type ClassificationData, type ClassificationDatasetName } from './nn/train/data.js';
