/**
 * @file The `Float64Array`-level dense linear algebra kernels (row-major data + dimensions):
 * LU, Cholesky, QR, symmetric eigendecomposition, SVD and triangular solves. Internal building
 * blocks of the library (implicit differentiation, Lasso hypergradients, the differentiable
 * `linalg` namespace of `src/ops/linalg_api.ts`); not the public API.
 */
export * from './cholesky.js';
export * from './eigh.js';
export * from './lu.js';
export * from './qr.js';
export * from './svd.js';
export * from './triangular.js';
