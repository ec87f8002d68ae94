/**
 * @file LSQR (Paige & Saunders 1982) for least squares `min ‖A·x − b‖² + damp²·‖x‖²` with a
 * rectangular (or square, possibly singular) matrix-free A given by both products `A·v` and
 * `Aᵀ·u`. Golub–Kahan bidiagonalisation + QR by Givens rotations; mathematically CG on the
 * normal equations, numerically far better behaved.
 *
 * Damping and warm starts are handled exactly by running the undamped recurrence on the stacked
 * system `[A; damp·I]·x ≈ [b; 0]` written relative to the current iterate, so `x0` and the
 * restarts that follow residual drift give the damped least-squares solution, not that of a
 * shifted problem.
 */
import { InvalidArgumentError, ShapeError } from '../../core/errors.js';
import { formatShape, Tensor } from '../../core/tensor.js';
import { dot } from '../../kernels/blas.js';
import {
  checkVector,
  EPS,
  finish,
  finiteNorm,
  initialX,
  ITERATIVE_OPTIONS,
  norm2,
  report,
  setup,
  StagnationGuard,
  toApply,
  zeroSolution,
  type Apply,
  type Setup,
} from './common.js';
import type { IterativeOptions, LeastSquaresResult, SolutionOf, StopReason, TransposableLike, VectorLike } from './types.js';

/** The option keys of the least-squares solvers. */
const LEAST_SQUARES_OPTIONS = [...ITERATIVE_OPTIONS, 'damp', 'normalTol'] as const;

/** Options of {@link lsqr} and {@link cgNormal}. */
export interface LeastSquaresOptions extends IterativeOptions {
  /** Tikhonov damping: minimise `‖A·x − b‖² + damp²·‖x‖²`. Default `0`. */
  damp?: number;
  /**
   * Tolerance of the least-squares test (`normalTol`, default `tol`). LSQR: stop when
   * `‖Aᵀr − damp²x‖ ≤ normalTol·‖[A; damp·I]‖_F·‖[r; damp·x]‖` (scale-free); cgNormal: when
   * `‖Aᵀr − damp²x‖ ≤ max(normalTol·‖Aᵀb‖, atol)`.
   */
  normalTol?: number;
}

/** @internal Validates the least-squares problem; returns apply functions and sizes. */
export function lsSetup(
  fn: string,
  A: TransposableLike,
  b: unknown,
  options: LeastSquaresOptions,
  defaultIter: (m: number, n: number) => number,
): { s: Setup; m: number; n: number; matvec: Apply; rmatvec: Apply; damp: number; normalTol: number } {
  if (A === null || typeof A !== 'object') {
    throw new InvalidArgumentError(`${fn}: A must be a 2-D Tensor or an object { rows, cols, matvec(v, out), rmatvec(u, out) }`);
  }
  if (A instanceof Tensor && A.ndim !== 2) throw new ShapeError(`${fn}: A as a Tensor must be a 2-D matrix, got shape ${formatShape(A.shape)}`);
  const [m, n] = A instanceof Tensor ? [A.shape[0]!, A.shape[1]!] : [A.rows, A.cols];
  if (!Number.isInteger(m) || m < 0 || !Number.isInteger(n) || n < 0) {
    throw new InvalidArgumentError(`${fn}: A.rows and A.cols must be non-negative integers, got ${String(m)}, ${String(n)}`);
  }
  const s = setup(fn, b, n, options, defaultIter(m, n), LEAST_SQUARES_OPTIONS);
  checkVector(s.b, m, fn, 'b');
  const damp = options.damp ?? 0;
  if (typeof damp !== 'number' || !Number.isFinite(damp) || damp < 0) {
    throw new InvalidArgumentError(`${fn}: options.damp must be a finite number ≥ 0, got ${String(damp)}`);
  }
  const normalTol = options.normalTol ?? s.tol;
  if (typeof normalTol !== 'number' || !Number.isFinite(normalTol) || normalTol < 0) {
    throw new InvalidArgumentError(`${fn}: options.normalTol must be a finite number ≥ 0, got ${String(normalTol)}`);
  }
  return { s, m, n, matvec: toApply(A, fn, 'A', 'matvec'), rmatvec: toApply(A, fn, 'A', 'rmatvec'), damp, normalTol };
}

/**
 * @internal True residuals: `r ← b − A·x` (length m) and `g ← Aᵀr − damp²·x` (length n);
 * returns `[‖r‖, ‖g‖]` (NaN when non-finite).
 */
export function lsResiduals(
  matvec: Apply, rmatvec: Apply, b: Float64Array, x: Float64Array, damp: number, r: Float64Array, g: Float64Array,
): [number, number] {
  matvec(x, r);
  for (let i = 0; i < r.length; i++) r[i] = b[i]! - r[i]!;
  rmatvec(r, g);
  const d2 = damp * damp;
  if (d2 !== 0) for (let j = 0; j < g.length; j++) g[j] -= d2 * x[j]!;
  return [finiteNorm(r), finiteNorm(g)];
}

/**
 * Solves `min ‖A·x − b‖₂² + damp²·‖x‖₂²` by LSQR, A (m×n) given by `matvec` and `rmatvec`.
 *
 * Bidiagonalisation: `β₁u₁ = b`, `α₁v₁ = Aᵀu₁`; `β_{k+1}u_{k+1} = A·v_k − α_k·u_k`,
 * `α_{k+1}v_{k+1} = Aᵀu_{k+1} − β_{k+1}·v_k`. A Givens rotation per step
 * (`ρ_k = √(ρ̄_k² + β_{k+1}²)`, `c = ρ̄_k/ρ_k`, `s = β_{k+1}/ρ_k`, `θ = s·α_{k+1}`, `ρ̄_{k+1} = −c·α_{k+1}`,
 * `φ_k = c·φ̄_k`, `φ̄_{k+1} = s·φ̄_k`) gives `x ← x + (φ_k/ρ_k)·w`, `w ← v_{k+1} − (θ/ρ_k)·w`, with
 * `‖r_k‖ ≈ φ̄_{k+1}` and `‖Aᵀr_k‖ ≈ φ̄_{k+1}·α_{k+1}·|c|`.
 *
 * Result: `converged` with reason `'converged'` when the true `‖b − A·x‖ ≤ max(tol·‖b‖, atol)`
 * (consistent systems, damp = 0), or `'least-squares'` when the true normal residual
 * `‖Aᵀ(b − A·x) − damp²·x‖ ≤ normalTol·‖[A; damp·I]‖_F·‖[b − A·x; damp·x]‖` (x is a least-squares
 * solution even though `b − A·x` is not small). Both residuals are recomputed from `x` at the end.
 * Default budget `max(100, 4·max(m, n))` iterations (2 products each).
 *
 * @example
 * // Overdetermined: fit y = c0 + c1·t through (0, 1), (1, 2), (2, 2)
 * const A = denseOperator(Float64Array.of(1, 0, 1, 1, 1, 2), 3, 2);
 * lsqr(A, Float64Array.of(1, 2, 2)).x; // ≈ [7/6, 1/2]
 */
export function lsqr<B extends VectorLike>(A: TransposableLike, bIn: B, options: LeastSquaresOptions = {}): LeastSquaresResult<SolutionOf<B>> {
  const fn = 'lsqr';
  const { s, m, n, matvec, rmatvec, damp, normalTol } = lsSetup(fn, A, bIn, options, (m, n) => Math.max(100, 4 * Math.max(m, n)));
  const b = s.b;
  const noEst = { normalResidualNorm: 0, anormEstimate: NaN, condEstimate: NaN };
  if (s.bnorm === 0) return zeroSolution<LeastSquaresResult<SolutionOf<B>>>(s, n, noEst);

  const { thresh, maxIter } = s;
  const x = initialX(s, n);
  // Stacked vectors of length M = m (+ n when damped): u = [u_top; u_bottom] for Â = [A; damp·I].
  const M = damp > 0 ? m + n : m;
  const u = new Float64Array(M);
  const uTop = u.subarray(0, m);
  const au = new Float64Array(M);
  const auTop = au.subarray(0, m);
  const v = new Float64Array(n);
  const w = new Float64Array(n);
  const atu = new Float64Array(n);
  const rTrue = new Float64Array(m);
  const gTrue = new Float64Array(n);
  const guard = new StagnationGuard();

  /** Test threshold of the least-squares criterion, given the stacked residual norm. */
  const lsTarget = (stackedRnorm: number, anorm: number): number => normalTol * anorm * stackedRnorm;
  const stacked = (rn: number): number => {
    if (damp === 0) return rn;
    const xn = norm2(x);
    return Math.hypot(rn, damp * xn);
  };

  let iter = 0;
  let reason: StopReason = 'maxIter';
  let anorm = 0; // Frobenius-norm estimate of Â (grows with the iterations), kept across restarts
  let ddnorm = 0; // Σ ‖d_k‖², d_k = w_k / ρ_k: cond(Â) ≈ anorm·√ddnorm
  let [rnorm, gnorm] = lsResiduals(matvec, rmatvec, b, x, damp, rTrue, gTrue);
  let fresh = true; // rnorm/gnorm are the true residuals of the current x
  let restarted = false;

  outer: for (;;) {
    // Every (re)start verifies the TRUE residuals first.
    if (Number.isNaN(rnorm) || Number.isNaN(gnorm)) { reason = 'non-finite'; break; }
    if (damp === 0 && rnorm <= thresh) { reason = 'converged'; break; }
    const target = lsTarget(stacked(rnorm), anorm);
    if (gnorm === 0 || gnorm <= target) { reason = 'least-squares'; break; }
    if (iter >= maxIter) { reason = 'maxIter'; break; }
    if (restarted) {
      // Distance to convergence, as a ratio to the nearer criterion.
      const ratio = Math.min(damp === 0 && thresh > 0 ? rnorm / thresh : Infinity, target > 0 ? gnorm / target : Infinity);
      if (guard.stalled(ratio)) { reason = 'stagnation'; break; }
    }

    // Start the bidiagonalisation from the stacked residual r̂ = [b − A·x; −damp·x]: β₁u₁ = r̂, α₁v₁ = Âᵀu₁.
    uTop.set(rTrue);
    if (damp > 0) for (let j = 0; j < n; j++) u[m + j] = -damp * x[j]!;
    let beta = finiteNorm(u);
    if (Number.isNaN(beta)) { reason = 'non-finite'; break; }
    for (let i = 0; i < M; i++) u[i] /= beta;
    rmatvec(uTop, v);
    if (damp > 0) for (let j = 0; j < n; j++) v[j] += damp * u[m + j]!;
    let alfa = finiteNorm(v);
    if (Number.isNaN(alfa)) { reason = 'non-finite'; break; }
    if (alfa === 0) { reason = 'least-squares'; break; }
    for (let j = 0; j < n; j++) v[j] /= alfa;
    w.set(v);
    let rhobar = alfa;
    let phibar = beta;

    for (;;) {
      // β·u ← Â·v − α·u
      matvec(v, auTop);
      if (damp > 0) for (let j = 0; j < n; j++) au[m + j] = damp * v[j]!;
      for (let i = 0; i < M; i++) u[i] = au[i]! - alfa * u[i]!;
      beta = finiteNorm(u);
      if (Number.isNaN(beta)) { reason = 'non-finite'; break outer; }
      if (beta > 0) for (let i = 0; i < M; i++) u[i] /= beta;
      anorm = Math.sqrt(anorm * anorm + alfa * alfa + beta * beta);
      // α·v ← Âᵀ·u − β·v
      rmatvec(uTop, atu);
      if (damp > 0) for (let j = 0; j < n; j++) atu[j] += damp * u[m + j]!;
      for (let j = 0; j < n; j++) v[j] = atu[j]! - beta * v[j]!;
      alfa = finiteNorm(v);
      if (Number.isNaN(alfa)) { reason = 'non-finite'; break outer; }
      if (alfa > 0) for (let j = 0; j < n; j++) v[j] /= alfa;

      // Givens rotation eliminating β from the lower bidiagonal.
      const rho = Math.hypot(rhobar, beta);
      const cs = rhobar / rho;
      const sn = beta / rho;
      const theta = sn * alfa;
      rhobar = -cs * alfa;
      const phi = cs * phibar;
      phibar = sn * phibar;
      const tau = sn * phi;
      const t1 = phi / rho;
      const t2 = -theta / rho;
      if (!Number.isFinite(t1) || !Number.isFinite(t2)) { reason = 'non-finite'; break outer; }
      ddnorm += dot(n, w, w) / (rho * rho);
      // x ← x + (φ/ρ)·w ; w ← v − (θ/ρ)·w
      for (let j = 0; j < n; j++) {
        const wj = w[j]!;
        x[j] += t1 * wj;
        w[j] = v[j]! + t2 * wj;
      }
      fresh = false;
      iter++;
      const rEst = phibar; // ≈ ‖[b − A·x; −damp·x]‖
      const arEst = alfa * Math.abs(tau); // ≈ ‖Âᵀ r̂‖ = ‖Aᵀr − damp²x‖
      report(s, iter, rEst);
      if (!Number.isFinite(rEst) || !Number.isFinite(arEst)) { reason = 'non-finite'; break outer; }

      const compat = damp === 0 && rEst <= s.verifyAt;
      const ls = arEst <= Math.max(normalTol, EPS) * anorm * rEst;
      if (compat || ls || alfa === 0 || rEst === 0) {
        // The estimates say done (or the Krylov space is exhausted): verify on the true residuals.
        [rnorm, gnorm] = lsResiduals(matvec, rmatvec, b, x, damp, rTrue, gTrue);
        fresh = true;
        restarted = true;
        continue outer;
      }
      if (iter >= maxIter) { reason = 'maxIter'; break outer; }
    }
  }

  if (!fresh) [rnorm, gnorm] = lsResiduals(matvec, rmatvec, b, x, damp, rTrue, gTrue);
  if ((reason === 'converged' || reason === 'least-squares') && (Number.isNaN(rnorm) || Number.isNaN(gnorm))) reason = 'non-finite';
  const conv = reason === 'converged' || reason === 'least-squares';
  return finish<LeastSquaresResult<SolutionOf<B>>>(s, x, iter, rnorm, reason, conv, {
    normalResidualNorm: gnorm,
    anormEstimate: anorm,
    condEstimate: anorm * Math.sqrt(ddnorm),
  });
}
