/**
 * @file Data layer: in-memory datasets (dense column-major / CSC designs), CSV and libsvm loaders,
 * bundled datasets and seeded synthetic generators.
 */
export * from './dataset.js';
export * from './csv.js';
export * from './libsvm.js';
export * from './datasets.js';
export * from './synthetic.js';
