/**
 * @file Conjugate gradients (Hestenes–Stiefel) for symmetric positive definite systems, with an
 * optional SPD preconditioner. Detects loss of positive definiteness (`pᵀAp ≤ 0` → reason
 * `'indefinite'`), non-finite values, and residual drift: when the recursive residual says
 * "converged" the true residual `b − A·x` is recomputed, and CG restarts from it if it is not
 * actually small enough (giving up with `'stagnation'` once restarts stop helping).
 */
import { axpy, dot } from '../../kernels/blas.js';
import {
  finish,
  finiteNorm,
  initialX,
  prepareSquareSolve,
  report,
  residual,
  StagnationGuard,
  zeroSolution,
} from './common.js';
import type { IterativeResult, OperatorLike, PreconditionedOptions, SolutionOf, StopReason, VectorLike } from './types.js';

/**
 * Solves `A·x = b` for symmetric positive definite `A` by (preconditioned) conjugate gradients.
 *
 * Recurrence (preconditioner `M ≈ A⁻¹`, z = M·r):
 * `α = rᵀz / pᵀAp`, `x ← x + α·p`, `r ← r − α·A·p`, `z ← M·r`, `β = r_newᵀz_new / rᵀz`, `p ← z + β·p`.
 *
 * Stops when the TRUE residual satisfies `‖b − A·x‖ ≤ max(tol·‖b‖, atol)` (`converged`), or with
 * `'indefinite'` (pᵀAp ≤ 0, or rᵀMr ≤ 0 for a non-SPD preconditioner), `'non-finite'`,
 * `'maxIter'` (default budget `max(100, 10·n)`) or `'stagnation'`; failures throw
 * `ConvergenceError` (carrying the report) unless `onFailure: 'return'`.
 *
 * @example
 * const A = (v: Float64Array, out: Float64Array) => { out[0] = 4 * v[0]! + v[1]!; out[1] = v[0]! + 3 * v[1]!; };
 * const { x, iterations } = cg(A, Float64Array.of(1, 2)); // x ≈ [1/11, 7/11], 2 iterations
 */
export function cg<B extends VectorLike>(A: OperatorLike, bIn: B, options: PreconditionedOptions = {}): IterativeResult<SolutionOf<B>> {
  const fn = 'cg';
  const { n, s, apply, precond } = prepareSquareSolve(fn, A, bIn, options);
  const b = s.b;
  if (s.bnorm === 0) return zeroSolution(s, n);

  const x = initialX(s, n);
  const r = new Float64Array(n);
  const z = precond ? new Float64Array(n) : r;
  const p = new Float64Array(n);
  const Ap = new Float64Array(n);
  const guard = new StagnationGuard();
  const { thresh, maxIter } = s;

  let iter = 0;
  let reason: StopReason = 'maxIter';
  let rnorm = residual(apply, b, x, r); // true residual
  let rIsTrue = true; // r holds b − A·x exactly (not the recursive update)

  outer: for (;;) {
    // (Re)start from the true residual in r.
    if (Number.isNaN(rnorm)) { reason = 'non-finite'; break; }
    if (rnorm <= thresh) { reason = 'converged'; break; }
    if (iter >= maxIter) { reason = 'maxIter'; break; }
    if (precond) precond(r, z);
    let rz = dot(n, r, z);
    if (!Number.isFinite(rz)) { reason = 'non-finite'; break; }
    if (rz <= 0) { reason = 'indefinite'; break; }
    p.set(z);
    for (;;) {
      apply(p, Ap);
      const pAp = dot(n, p, Ap);
      if (!Number.isFinite(pAp)) { reason = 'non-finite'; break outer; }
      if (pAp <= 0) { reason = 'indefinite'; break outer; }
      const alpha = rz / pAp;
      if (!Number.isFinite(alpha)) { reason = 'non-finite'; break outer; }
      axpy(n, alpha, p, x);
      axpy(n, -alpha, Ap, r);
      rIsTrue = false;
      iter++;
      const est = finiteNorm(r);
      report(s, iter, est);
      if (Number.isNaN(est)) { reason = 'non-finite'; break outer; }
      if (est <= s.verifyAt) {
        // Verify on the true residual; restart from it if the recursion drifted.
        rnorm = residual(apply, b, x, r);
        rIsTrue = true;
        if (rnorm <= thresh) { reason = 'converged'; break outer; }
        if (guard.stalled(rnorm)) { reason = 'stagnation'; break outer; }
        continue outer;
      }
      if (iter >= maxIter) { reason = 'maxIter'; break outer; }
      if (precond) precond(r, z);
      const rzNew = dot(n, r, z);
      if (!Number.isFinite(rzNew)) { reason = 'non-finite'; break outer; }
      if (rzNew <= 0) { reason = 'indefinite'; break outer; }
      const beta = rzNew / rz;
      rz = rzNew;
      // p ← z + β·p
      for (let i = 0; i < n; i++) p[i] = z[i]! + beta * p[i]!;
    }
  }

  if (!rIsTrue) rnorm = residual(apply, b, x, r);
  const converged = reason === 'converged' && rnorm <= thresh;
  return finish(s, x, iter, rnorm, converged ? 'converged' : reason === 'converged' ? 'stagnation' : reason, converged);
}
