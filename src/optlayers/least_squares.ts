/**
 * @file `constrainedLstsq`: the constrained least-squares layer
 *
 *   x(A, y, G, h, C, d) = argmin_x ½‖Ax − y‖² + (ridge/2)‖x‖²   s.t.  Gx ≤ h,  Cx = d,
 *
 * as the QP with Q = AᵀA + ridge·I and p = −Aᵀy, solved and differentiated by `solveQp` (so its
 * statuses, failure policy, kink selection at degenerate constraints and batching rules apply:
 * a leading batch axis on any input makes the problem batched, shared inputs get summed
 * gradients). Q and p are built with differentiable ops, so gradients reach A and y through them.
 */
import { InvalidArgumentError } from '../core/errors.js';
import { checkOptions } from '../core/options.js';
import type { Tensor } from '../core/tensor.js';
import { add, mul, neg } from '../ops/arithmetic.js';
import { asTensor, type TensorLike } from '../ops/convert.js';
import { matmul } from '../ops/matmul.js';
import { reshape } from '../ops/shape.js';
import { eye } from '../core/tensor.js';
import { solveQp, type QpOptions, type QpSolution } from './qp.js';

/** The data of `constrainedLstsq`: `A` `[m, n]` / `[B, m, n]`, `y` `[m]` / `[B, m]`, optional constraints. */
export interface ConstrainedLstsqProblem {
  A: TensorLike;
  y: TensorLike;
  /** Inequalities Gx ≤ h (`[k, n]`, `[k]`, or batched). */
  G?: TensorLike;
  h?: TensorLike;
  /** Equalities Cx = d (`[e, n]`, `[e]`, or batched). */
  C?: TensorLike;
  d?: TensorLike;
}

/** Options of `constrainedLstsq`: `solveQp`'s, plus a ridge term. */
export interface ConstrainedLstsqOptions extends QpOptions {
  /** Ridge weight ≥ 0 added to AᵀA (default 0; > 0 makes the solution unique when A is rank-deficient). */
  ridge?: number;
}

/**
 * Constrained least squares as a differentiable layer: the minimiser of ½‖Ax − y‖² (+ ridge) under
 * Gx ≤ h and Cx = d, through `solveQp`. The result is `solveQp`'s, with the solution in `z`.
 *
 * @example
 * // nonnegative least squares: min ½‖x − (1, −2)‖² s.t. x ≥ 0  →  x = (1, 0)
 * const { z } = constrainedLstsq({ A: eye(2), y: tensor([1, -2]), G: neg(eye(2)), h: zeros([2]) });
 */
export function constrainedLstsq(problem: ConstrainedLstsqProblem, options: ConstrainedLstsqOptions = {}): QpSolution {
  const where = 'constrainedLstsq()';
  if (problem === null || typeof problem !== 'object') throw new InvalidArgumentError(`${where}: problem must be an object { A, y, G?, h?, C?, d? }`);
  checkOptions(problem as unknown as Record<string, unknown>, ['A', 'y', 'G', 'h', 'C', 'd'], `${where} problem`);
  const { ridge = 0, ...qpOptions } = options;
  if (typeof ridge !== 'number' || !(ridge >= 0) || !Number.isFinite(ridge)) throw new InvalidArgumentError(`${where}: option ridge must be a finite number ≥ 0, got ${String(ridge)}`);
  const A = asTensor(problem.A, where, 'A');
  const y = asTensor(problem.y, where, 'y');
  if (A.ndim < 2) throw new InvalidArgumentError(`${where}: A must be [m, n] or [B, m, n], got ${A.ndim} dimension(s)`);
  if (y.ndim !== A.ndim - 1) throw new InvalidArgumentError(`${where}: y must have one dimension less than A ([m] or [B, m]), got shapes A [${A.shape.join(', ')}] and y [${y.shape.join(', ')}]`);
  const n = A.shape[A.ndim - 1]!;
  const m = A.shape[A.ndim - 2]!;
  if (y.shape[y.ndim - 1] !== m) throw new InvalidArgumentError(`${where}: y has ${y.shape[y.ndim - 1]} entries per problem, A has ${m} rows`);
  // Q = AᵀA (+ ridge I), p = −Aᵀy  (y as a row: [.., 1, m] @ [.., m, n] = [.., 1, n])
  let Q = matmul(A, A, { transA: true });
  if (ridge > 0) Q = add(Q, mul(eye(n), ridge));
  const yRow = reshape(y, [...y.shape.slice(0, -1), 1, m]);
  const p = neg(reshape(matmul(yRow, A), [...y.shape.slice(0, -1), n]));
  return solveQp({ Q, p, G: problem.G, h: problem.h, A: problem.C, b: problem.d }, qpOptions);
}
