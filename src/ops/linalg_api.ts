/**
 * @file The public `linalg` namespace (`import { linalg } from 'nsdiff'`): Tensor-in /
 * Tensor-out dense linear algebra, one function per task. Every member either differentiates
 * correctly (forward and reverse mode; see each function) or throws `ConcretizationError` on a
 * traced input (`lu`, `matrixRank`, `condEstimate`, and `qr` outside its reduced tall mode). Multi-output results are objects.
 *
 * | function | result | derivative |
 * |---|---|---|
 * | `solve(A, b, { assume, rcondTol })` | x | yes, any order |
 * | `triangularSolve(T, b, { lower, transpose, unitDiagonal })` | x | yes, any order |
 * | `inv(A)`, `det(A)`, `slogdet(A)` → `{ sign, logabsdet }`, `logdet(A)` (SPD) | tensors | yes |
 * | `cholesky(A)` | L | yes (A treated as symmetric) |
 * | `eigh(A)` → `{ eigenvalues, eigenvectors }`, `eigvalsh(A)` | tensors | yes (policy at repeated eigenvalues) |
 * | `svd(A)` → `{ U, S, Vh }`, `svdvals(A)`, `cond(A)` | tensors | yes (policy at repeated/zero σ) |
 * | `pinv(A)` | A⁺ | yes, at constant rank |
 * | `lstsq(A, b)` → `{ x, residuals, rank, singularValues }` | x differentiable | yes |
 * | `qr(A)` → `{ Q, R }` | tensors | yes for reduced QR of a tall full-rank A; else refuses traced input |
 * | `lu(A)` → `{ P, L, U, perm }`, `matrixRank(A)`, `condEstimate(A)` | | refuses traced input |
 *
 * The `Float64Array` routines underneath (`src/linalg/dense`) are internal building blocks.
 */
export { solve, triangularSolve, cholesky, inv, logdet, det, slogdet, type SolveOptions, type SlogdetResult, type TriangularSolveOptions } from './linalg.js';
export { eigh, eigvalsh, type EighOptions, type EighResult } from './linalg_eigh.js';
export { svd, svdvals, cond, pinv, type SvdFamilyOptions, type SvdResult } from './linalg_svd.js';
export { lstsq, type LstsqOptions, type LstsqResult } from './linalg_lstsq.js';
export { qr, type QrResult } from './linalg_qr.js';
export { lu, matrixRank, condEstimate, type LuResult } from './linalg_numeric.js';
