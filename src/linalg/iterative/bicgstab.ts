/**
 * @file BiCGSTAB (van der Vorst 1992) for general nonsymmetric systems, right-preconditioned,
 * with breakdown detection: when `ρ = r̂ᵀr`, `r̂ᵀv` or `ω` vanish the method restarts from the true
 * residual with a fresh shadow vector `r̂ = r`; a breakdown right after such a restart (e.g. a
 * skew-symmetric A, where `rᵀA·r = 0` always) ends with reason `'breakdown'`.
 */
import { dot } from '../../kernels/blas.js';
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

/** Relative size below which an inner product counts as a breakdown (cosine of the angle). */
const BREAKDOWN = 1e-15;

/**
 * Solves `A·x = b` for general square `A` by BiCGSTAB with optional right preconditioner `M`.
 * One iteration = two products with `A` (and two with `M`).
 *
 * Recurrence: `ρ = r̂ᵀr`, `β = (ρ/ρ_old)(α/ω)`, `p ← r + β(p − ω·v)`, `p̂ = M·p`, `v = A·p̂`,
 * `α = ρ / r̂ᵀv`, `s = r − α·v`, `ŝ = M·s`, `t = A·ŝ`, `ω = tᵀs / tᵀt`,
 * `x ← x + α·p̂ + ω·ŝ`, `r ← s − ω·t`.
 *
 * @example
 * const A = denseOperator(Float64Array.of(2, 1, 0, 3), 2, 2);
 * bicgstab(A, Float64Array.of(1, 1)).x; // ≈ [1/3, 1/3]
 */
export function bicgstab<B extends VectorLike>(A: OperatorLike, bIn: B, options: PreconditionedOptions = {}): IterativeResult<SolutionOf<B>> {
  const fn = 'bicgstab';
  const { n, s, apply, precond } = prepareSquareSolve(fn, A, bIn, options);
  const b = s.b;
  if (s.bnorm === 0) return zeroSolution(s, n);

  const { thresh, maxIter } = s;
  const x = initialX(s, n);
  const r = new Float64Array(n);
  const rhat = new Float64Array(n);
  const p = new Float64Array(n);
  const v = new Float64Array(n);
  const sv = new Float64Array(n);
  const t = new Float64Array(n);
  const phat = precond ? new Float64Array(n) : p;
  const shat = precond ? new Float64Array(n) : sv;
  const guard = new StagnationGuard();
  const breakGuard = new StagnationGuard(3, 1 - 1e-12);

  let iter = 0;
  let reason: StopReason = 'maxIter';
  let rnorm = residual(apply, b, x, r);
  let rIsTrue = true;
  let restartReason: 'drift' | 'breakdown' | null = null;

  outer: for (;;) {
    if (Number.isNaN(rnorm)) { reason = 'non-finite'; break; }
    if (rnorm <= thresh) { reason = 'converged'; break; }
    if (iter >= maxIter) { reason = 'maxIter'; break; }
    if (restartReason === 'drift' && guard.stalled(rnorm)) { reason = 'stagnation'; break; }
    // Repeated breakdown restarts that do not reduce the residual at all would loop forever.
    if (restartReason === 'breakdown' && breakGuard.stalled(rnorm)) { reason = 'breakdown'; break; }

    // (Re)start: shadow residual r̂ = r, ρ_old = α = ω = 1, p = v = 0.
    rhat.set(r);
    const rhatNorm = rnorm;
    let rhoOld = 1, alpha = 1, omega = 1;
    p.fill(0);
    v.fill(0);
    let curNorm = rnorm;
    let local = 0;

    for (;;) {
      const rho = dot(n, rhat, r);
      if (!Number.isFinite(rho)) { reason = 'non-finite'; break outer; }
      if (Math.abs(rho) <= BREAKDOWN * rhatNorm * curNorm) {
        // r̂ ⟂ r: the Lanczos biorthogonality broke down.
        if (local === 0) { reason = 'breakdown'; break outer; }
        restartReason = 'breakdown';
        rnorm = residual(apply, b, x, r);
        rIsTrue = true;
        continue outer;
      }
      const beta = (rho / rhoOld) * (alpha / omega);
      for (let i = 0; i < n; i++) p[i] = r[i]! + beta * (p[i]! - omega * v[i]!);
      if (precond) precond(p, phat);
      apply(phat, v);
      const rv = dot(n, rhat, v);
      if (!Number.isFinite(rv)) { reason = 'non-finite'; break outer; }
      if (Math.abs(rv) <= BREAKDOWN * rhatNorm * finiteNorm(v) || rv === 0) {
        if (local === 0) { reason = 'breakdown'; break outer; }
        restartReason = 'breakdown';
        rnorm = residual(apply, b, x, r);
        rIsTrue = true;
        continue outer;
      }
      alpha = rho / rv;
      for (let i = 0; i < n; i++) sv[i] = r[i]! - alpha * v[i]!;
      const snorm = finiteNorm(sv);
      if (Number.isNaN(snorm) || !Number.isFinite(alpha)) { reason = 'non-finite'; break outer; }
      if (snorm <= s.verifyAt) {
        // Converged at the half step: x ← x + α·p̂.
        for (let i = 0; i < n; i++) x[i] += alpha * phat[i]!;
        iter++;
        local++;
        report(s, iter, snorm);
        rnorm = residual(apply, b, x, r);
        rIsTrue = true;
        if (rnorm <= thresh) { reason = 'converged'; break outer; }
        restartReason = 'drift';
        continue outer;
      }
      if (precond) precond(sv, shat);
      apply(shat, t);
      const tt = dot(n, t, t);
      const ts = dot(n, t, sv);
      if (!Number.isFinite(tt) || !Number.isFinite(ts)) { reason = 'non-finite'; break outer; }
      if (tt === 0 || Math.abs(ts) <= BREAKDOWN * Math.sqrt(tt) * snorm) {
        // ω = 0: the minimal-residual step makes no progress (t ⟂ s, or A·M·s = 0). Keep the
        // BiCG half step and restart.
        for (let i = 0; i < n; i++) x[i] += alpha * phat[i]!;
        iter++;
        local++;
        report(s, iter, snorm);
        restartReason = 'breakdown';
        rnorm = residual(apply, b, x, r);
        rIsTrue = true;
        continue outer;
      }
      omega = ts / tt;
      for (let i = 0; i < n; i++) {
        x[i] += alpha * phat[i]! + omega * shat[i]!;
        r[i] = sv[i]! - omega * t[i]!;
      }
      rIsTrue = false;
      rhoOld = rho;
      iter++;
      local++;
      curNorm = finiteNorm(r);
      report(s, iter, curNorm);
      if (Number.isNaN(curNorm)) { reason = 'non-finite'; break outer; }
      if (curNorm <= s.verifyAt) {
        rnorm = residual(apply, b, x, r);
        rIsTrue = true;
        if (rnorm <= thresh) { reason = 'converged'; break outer; }
        restartReason = 'drift';
        continue outer;
      }
      if (iter >= maxIter) { reason = 'maxIter'; break outer; }
    }
  }

  if (!rIsTrue) rnorm = residual(apply, b, x, r);
  const converged = reason === 'converged' && rnorm <= thresh;
  return finish(s, x, iter, rnorm, converged ? 'converged' : reason === 'converged' ? 'stagnation' : reason, converged);
}
