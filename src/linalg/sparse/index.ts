/**
 * @file Sparse matrices: {@link CsrMatrix} (row-compressed: fast `A·x`) and {@link CscMatrix}
 * (column-compressed: fast `Aᵀ·y` and column access for coordinate descent), with COO/dense
 * constructors, conversions and allocation-free products. Both satisfy the operator interfaces of
 * `linalg/iterative`, so they can be handed to `cg`, `gmres`, `lsqr`... directly.
 *
 * @example
 * import { CsrMatrix } from './linalg/sparse/index.js';
 * const A = CsrMatrix.fromCoo(3, 3, [0, 1, 2, 0], [0, 1, 2, 2], [4, 5, 6, 1]);
 * const X = A.toCsc();            // same matrix, column-compressed
 * A.rmatvec(Float64Array.of(1, 1, 1)); // Aᵀ·1 = [4, 5, 7]
 */
export { CsrMatrix } from './csr.js';
export { CscMatrix } from './csc.js';
export { SparseLdl, minimumDegreeOrdering } from './ldl.js';
export type { SparseLdlOptions, LdlInertia } from './ldl.js';
