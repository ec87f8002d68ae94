/**
 * @file MINRES (Paige & Saunders 1975) for symmetric, possibly indefinite or singular systems,
 * with an optional symmetric positive definite preconditioner. Follows the reference
 * implementation (Lanczos tridiagonalisation + QR by Givens rotations + short-recurrence update
 * of x), with honest reporting: the true residual is recomputed when the estimate says converged
 * (restarting if it drifted), singular inconsistent systems are reported as `'inconsistent'`
 * (x is then a least-squares solution), and a non-SPD preconditioner as `'indefinite'`.
 */
import { dot } from '../../kernels/blas.js';
import {
  EPS,
  finish,
  initialX,
  prepareSquareSolve,
  report,
  residual,
  StagnationGuard,
  zeroSolution,
} from './common.js';
import type { IterativeResult, OperatorLike, PreconditionedOptions, SolutionOf, StopReason, VectorLike } from './types.js';

/**
 * Solves `A·x = b` for symmetric `A` (indefinite allowed) by MINRES, which minimises `‖b − A·x‖`
 * (the `M`-norm of it when preconditioned) over the Krylov space.
 *
 * Lanczos (β₁v₁ = M·r₀):  `β_{k+1}·v_{k+1} = A·v_k − α_k·v_k − β_k·v_{k−1}` with `α_k = v_kᵀA·v_k`,
 * giving the tridiagonal T_k; a Givens QR of T_k updates the residual norm `φ̄_{k+1} = s_k·φ̄_k`
 * and `x_k = x_{k−1} + φ_k·w_k` with `w_k = (v_k − ε_k·w_{k−2} − δ_k·w_{k−1}) / γ_k`.
 *
 * Reasons: `'converged'` (true residual ≤ max(tol·‖b‖, atol)), `'inconsistent'` (`‖A·r‖ ≤
 * tol·‖A‖·‖r‖`: A is singular and b is not in its range), `'indefinite'` (preconditioner not SPD),
 * `'non-finite'`, `'maxIter'` (default `max(100, 10·n)`), `'stagnation'`. On singular
 * inconsistent systems the least-squares iterate may carry a large null-space component
 * (classical MINRES is not minimum-norm there); use {@link lsqr} for the minimum-norm solution.
 *
 * @example
 * const A = denseOperator(Float64Array.of(1, 2, 2, -3), 2, 2); // symmetric indefinite
 * minres(A, Float64Array.of(1, 0)).x; // ≈ [3/7, 2/7]
 */
export function minres<B extends VectorLike>(A: OperatorLike, bIn: B, options: PreconditionedOptions = {}): IterativeResult<SolutionOf<B>> {
  const fn = 'minres';
  const { n, s, apply, precond } = prepareSquareSolve(fn, A, bIn, options);
  const b = s.b;
  if (s.bnorm === 0) return zeroSolution(s, n);

  const { thresh, maxIter, tol } = s;
  const x = initialX(s, n);
  let r1 = new Float64Array(n);
  let r2 = new Float64Array(n);
  let y = new Float64Array(n);
  const v = new Float64Array(n);
  let w = new Float64Array(n);
  let w1 = new Float64Array(n);
  let w2 = new Float64Array(n);
  const guard = new StagnationGuard();

  let iter = 0;
  let reason: StopReason = 'maxIter';
  let rnorm = residual(apply, b, x, r1);
  let rIsTrue = true;

  outer: for (;;) {
    if (Number.isNaN(rnorm)) { reason = 'non-finite'; break; }
    if (rnorm <= thresh) { reason = 'converged'; break; }
    if (iter >= maxIter) { reason = 'maxIter'; break; }

    // Start (or restart) Lanczos from r1 = b − A·x: y = M·r1, β₁ = √(r1ᵀy).
    if (precond) precond(r1, y);
    else y.set(r1);
    let beta1 = dot(n, r1, y);
    if (!Number.isFinite(beta1)) { reason = 'non-finite'; break; }
    if (beta1 <= 0) { reason = 'indefinite'; break; }
    beta1 = Math.sqrt(beta1);
    // φ̄ estimates ‖r‖ in the M⁻¹... norm of the preconditioned problem; scale it to the 2-norm
    // of the restart residual so the stopping test and callbacks speak in ‖b − A·x‖ units.
    const scale = rnorm / beta1;
    r2.set(r1);
    w.fill(0);
    w2.fill(0);
    let oldb = 0;
    let beta = beta1;
    let dbar = 0;
    let epsln = 0;
    let phibar = beta1;
    let tnorm2 = 0;
    let cs = -1;
    let sn = 0;
    let local = 0;

    for (;;) {
      local++;
      // v = y / β; y = A·v − (β/β_old)·r1 − (α/β)·r2
      const sinv = 1 / beta;
      for (let i = 0; i < n; i++) v[i] = sinv * y[i]!;
      apply(v, y);
      if (local >= 2) {
        const c = beta / oldb;
        for (let i = 0; i < n; i++) y[i] -= c * r1[i]!;
      }
      const alfa = dot(n, v, y);
      {
        const c = alfa / beta;
        for (let i = 0; i < n; i++) y[i] -= c * r2[i]!;
      }
      // r1 ← r2, r2 ← y, y ← M·r2
      const tmp = r1;
      r1 = r2;
      r2 = y;
      y = tmp;
      if (precond) precond(r2, y);
      else y.set(r2);
      oldb = beta;
      const bb = dot(n, r2, y);
      if (!Number.isFinite(bb) || !Number.isFinite(alfa)) { reason = 'non-finite'; break outer; }
      if (bb < 0) { reason = 'indefinite'; break outer; }
      beta = Math.sqrt(bb);
      tnorm2 += alfa * alfa + oldb * oldb + beta * beta;

      // Apply the previous rotation, then compute the next one:
      // [δ_k ε_{k+1}; γ̄_k δ̄_{k+1}] = [c s; s −c]·[δ̄_k 0; α_k β_{k+1}]
      const oldeps = epsln;
      const delta = cs * dbar + sn * alfa;
      const gbar = sn * dbar - cs * alfa;
      epsln = sn * beta;
      dbar = -cs * beta;
      const root = Math.hypot(gbar, dbar); // ‖A·r_k‖ / ‖r_k‖ (preconditioned norms)
      const gammaRaw = Math.hypot(gbar, beta);
      if (gammaRaw <= EPS * Math.sqrt(tnorm2)) {
        // γ_k ≈ 0: T_k is singular and the Krylov space is invariant (β_{k+1} ≈ 0), so no step can
        // reduce the residual further; x is already the least-squares solution over it. Taking the
        // step would divide by ~0 and throw x off to ±1e16.
        iter++;
        report(s, iter, phibar * scale);
        rnorm = residual(apply, b, x, r1);
        rIsTrue = true;
        reason = rnorm <= thresh ? 'converged' : 'inconsistent';
        break outer;
      }
      const gamma = gammaRaw;
      cs = gbar / gamma;
      sn = beta / gamma;
      const phi = cs * phibar;
      const arnormOverR = root; // ‖A r‖/‖r‖ before the update of φ̄
      phibar = sn * phibar;

      // w_k = (v_k − ε_k·w_{k−2} − δ_k·w_{k−1}) / γ_k; x ← x + φ_k·w_k
      const t = w1;
      w1 = w2;
      w2 = w;
      w = t;
      const denom = 1 / gamma;
      for (let i = 0; i < n; i++) {
        const wi = (v[i]! - oldeps * w1[i]! - delta * w2[i]!) * denom;
        w[i] = wi;
        x[i] += phi * wi;
      }
      rIsTrue = false;
      iter++;
      const est = phibar * scale;
      report(s, iter, est);
      if (!Number.isFinite(est) || !Number.isFinite(phi)) { reason = 'non-finite'; break outer; }

      const anorm = Math.sqrt(tnorm2);
      if (est <= s.verifyAt || beta === 0) {
        rnorm = residual(apply, b, x, r1);
        rIsTrue = true;
        if (rnorm <= thresh) { reason = 'converged'; break outer; }
        if (beta === 0) { reason = 'breakdown'; break outer; }
        if (guard.stalled(rnorm)) { reason = 'stagnation'; break outer; }
        continue outer;
      }
      // ‖A·r‖ / (‖A‖·‖r‖) ≤ tol: r is (numerically) orthogonal to range(A) — an LS solution.
      if (anorm > 0 && arnormOverR / anorm <= Math.max(tol, EPS)) {
        rnorm = residual(apply, b, x, r1);
        rIsTrue = true;
        reason = rnorm <= thresh ? 'converged' : 'inconsistent';
        break outer;
      }
      if (iter >= maxIter) { reason = 'maxIter'; break outer; }
    }
  }

  if (!rIsTrue) rnorm = residual(apply, b, x, r1);
  const converged = reason === 'converged' && rnorm <= thresh;
  return finish(s, x, iter, rnorm, converged ? 'converged' : reason === 'converged' ? 'stagnation' : reason, converged);
}
