/**
 * @file Data layer: in-memory datasets (dense column-major / CSC designs), CSV and libsvm loaders,
 * bundled datasets, seeded synthetic generators, IDX (MNIST family) loaders and minibatches.
 */
export * from './dataset.js';
export * from './csv.js';
export * from './libsvm.js';
export * from './datasets.js';
export * from './synthetic.js';
export * from './idx.js';
export * from './batches.js';
