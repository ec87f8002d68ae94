/**
 * @file The public `linalg` namespace (`import { linalg } from 'nsdiff'`): Tensor-in /
 * Tensor-out dense linear algebra, one function per task. Every member either differentiates
 * correctly (forward and reverse mode; see each function) or throws `ConcretizationError` on a
 * traced input (`lu`, `qr`, `matrixRank`, `condEstimate`). Multi-output results are objects.
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
 * | `lu(A)` → `{ P, L, U, perm }`, `qr(A)` → `{ Q, R }`, `matrixRank(A)`, `condEstimate(A)` | | refuses traced input |
 *
 * The `Float64Array` routines underneath (`src/linalg/dense`) are internal building blocks.
 */
export { solve, triangularSolve, cholesky, inv, logdet, det, slogdet, type SolveOptions, type SlogdetResult, type TriangularSolveOptions } from './linalg.js';
export { eigh, eigvalsh, type EighOptions, type EighResult } from './linalg_eigh.js';
export { svd, svdvals, cond, pinv, type SvdFamilyOptions, type SvdResult } from './linalg_svd.js';
export { lstsq, type LstsqOptions, type LstsqResult } from './linalg_lstsq.js';
export { lu, qr, matrixRank, condEstimate, type LuResult, type QrResult } from './linalg_numeric.js';
