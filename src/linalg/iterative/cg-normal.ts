/**
 * @file CG on the normal equations `(AᵀA + damp²·I)·x = Aᵀb` without forming AᵀA (the CGLS
 * arrangement, which keeps the residual `r = b − A·x` and is more stable than applying AᵀA to the
 * search direction). For well-conditioned least-squares problems it is as good as LSQR; for
 * ill-conditioned ones prefer {@link lsqr}.
 */
import { axpy, dot } from '../../kernels/blas.js';
import { EPS, finish, finiteNorm, initialX, report, StagnationGuard, zeroSolution } from './common.js';
import { lsResiduals, lsSetup, type LeastSquaresOptions } from './lsqr.js';
import type { LeastSquaresResult, SolutionOf, StopReason, TransposableLike, VectorLike } from './types.js';

/**
 * Solves `min ‖A·x − b‖² + damp²·‖x‖²` by conjugate gradients on the normal equations (CGLS).
 *
 * Recurrence (`s = Aᵀr − damp²x`, the normal-equation residual):
 * `q = A·p`, `α = ‖s‖² / (‖q‖² + damp²‖p‖²)`, `x ← x + α·p`, `r ← r − α·q`,
 * `s ← Aᵀr − damp²x`, `β = ‖s_new‖² / ‖s‖²`, `p ← s + β·p`.
 *
 * Stops with `'converged'` when the true `‖b − A·x‖ ≤ max(tol·‖b‖, atol)` (damp = 0, consistent
 * systems) or `'least-squares'` when the true `‖Aᵀ(b − A·x) − damp²x‖ ≤ max(normalTol·‖Aᵀb‖, atol)`;
 * both are recomputed at the end. Default budget `max(100, 4·max(m, n))` iterations.
 *
 * @example
 * const A = denseOperator(Float64Array.of(1, 0, 1, 1, 1, 2), 3, 2);
 * cgNormal(A, Float64Array.of(1, 2, 2)).x; // ≈ [7/6, 1/2], same as lsqr
 */
export function cgNormal<B extends VectorLike>(A: TransposableLike, bIn: B, options: LeastSquaresOptions = {}): LeastSquaresResult<SolutionOf<B>> {
  const fn = 'cgNormal';
  const { s, m, n, matvec, rmatvec, damp, normalTol } = lsSetup(fn, A, bIn, options, (m, n) => Math.max(100, 4 * Math.max(m, n)));
  const b = s.b;
  const noEst = { normalResidualNorm: 0, anormEstimate: NaN, condEstimate: NaN };
  if (s.bnorm === 0) return zeroSolution<LeastSquaresResult<SolutionOf<B>>>(s, n, noEst);

  const { thresh, maxIter } = s;
  const d2 = damp * damp;
  const x = initialX(s, n);
  const r = new Float64Array(m);
  const g = new Float64Array(n);
  const p = new Float64Array(n);
  const q = new Float64Array(m);
  const guard = new StagnationGuard();

  // ‖Aᵀb‖ scales the normal-equation test.
  rmatvec(b, g);
  const atb = finiteNorm(g);
  const gThresh = Math.max(normalTol * atb, s.atol);

  let iter = 0;
  let reason: StopReason = 'maxIter';
  let [rnorm, gnorm] = lsResiduals(matvec, rmatvec, b, x, damp, r, g);
  let fresh = true;
  let restarted = false;

  outer: for (;;) {
    if (Number.isNaN(rnorm) || Number.isNaN(gnorm) || Number.isNaN(atb)) { reason = 'non-finite'; break; }
    if (damp === 0 && rnorm <= thresh) { reason = 'converged'; break; }
    if (gnorm <= gThresh) { reason = 'least-squares'; break; }
    if (iter >= maxIter) { reason = 'maxIter'; break; }
    if (restarted && guard.stalled(gnorm)) { reason = 'stagnation'; break; }

    p.set(g);
    let gamma = gnorm * gnorm;
    for (;;) {
      matvec(p, q);
      const qq = dot(m, q, q);
      const delta = qq + (d2 !== 0 ? d2 * dot(n, p, p) : 0);
      if (!Number.isFinite(delta)) { reason = 'non-finite'; break outer; }
      if (delta <= 0) { reason = 'breakdown'; break outer; }
      const alpha = gamma / delta;
      axpy(n, alpha, p, x);
      axpy(m, -alpha, q, r);
      // s = Aᵀr − damp²·x (r is the recursive residual)
      rmatvec(r, g);
      if (d2 !== 0) axpy(n, -d2, x, g);
      fresh = false;
      iter++;
      const gEst = finiteNorm(g);
      report(s, iter, gEst);
      if (Number.isNaN(gEst)) { reason = 'non-finite'; break outer; }
      const rEst = damp === 0 ? finiteNorm(r) : Infinity;
      if (gEst <= Math.max(gThresh, EPS * atb) || rEst <= s.verifyAt) {
        [rnorm, gnorm] = lsResiduals(matvec, rmatvec, b, x, damp, r, g);
        fresh = true;
        restarted = true;
        continue outer;
      }
      if (iter >= maxIter) { reason = 'maxIter'; break outer; }
      const gammaNew = gEst * gEst;
      const beta = gammaNew / gamma;
      gamma = gammaNew;
      for (let j = 0; j < n; j++) p[j] = g[j]! + beta * p[j]!;
    }
  }

  if (!fresh) [rnorm, gnorm] = lsResiduals(matvec, rmatvec, b, x, damp, r, g);
  if ((reason === 'converged' || reason === 'least-squares') && (Number.isNaN(rnorm) || Number.isNaN(gnorm))) reason = 'non-finite';
  const conv = reason === 'converged' || reason === 'least-squares';
  return finish<LeastSquaresResult<SolutionOf<B>>>(s, x, iter, rnorm, reason, conv, {
    normalResidualNorm: gnorm,
    anormEstimate: NaN,
    condEstimate: NaN,
  });
}
