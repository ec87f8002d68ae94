/**
 * @file Data layer: in-memory datasets (dense column-major / CSC designs), CSV and libsvm loaders,
 * bundled datasets, seeded synthetic generators, IDX (MNIST family) loaders and minibatches. The
 * Node-only modules (files.ts, idx.ts) are included: this barrel is for tests and benches, the
 * package entry points pick names one by one (src/index.ts browser-safe, src/node.ts Node-only).
 */
export * from './dataset.js';
export * from './csv.js';
export * from './libsvm.js';
export * from './datasets.js';
export * from './synthetic.js';
export * from './idx.js';
export * from './batches.js';
export * from './files.js';
