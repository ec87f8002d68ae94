/**
 * @file Fixed-point (Richardson / Neumann-series) iteration for linear systems written as
 * `x = M·x + b`, i.e. `(I − M)·x = b` — the AID-FP method of implicit differentiation, where `M`
 * is the Jacobian of a contraction. Converges iff the spectral radius ρ(M) < 1 (for relaxation 1);
 * the solver estimates the contraction rate and reports divergence instead of looping.
 */
import { InvalidArgumentError } from '../../core/errors.js';
import { Tensor } from '../../core/tensor.js';
import { checkOperatorDims, finish, finiteNorm, initialX, ITERATIVE_OPTIONS, report, setup, toApply, zeroSolution } from './common.js';
import type { FixedPointResult, IterativeOptions, OperatorLike, SolutionOf, StopReason, VectorLike } from './types.js';

/** Options of {@link fixedPointLinear}. */
export interface FixedPointOptions extends IterativeOptions {
  /**
   * Relaxation ω ∈ (0, 2): `x ← x + ω·(M·x + b − x)`. Values < 1 can make the iteration converge
   * when M has real eigenvalues < 1 but ρ(M) ≥ 1 (e.g. eigenvalues ≤ −1). Default 1.
   */
  relaxation?: number;
  /**
   * The iteration is declared `'diverged'` when the residual has not decreased over this many
   * iterations and the rate estimate is ≥ 1, or when it grew by a factor 1e10. Default 50.
   */
  divergenceWindow?: number;
}

/**
 * Solves `x = M·x + b` by the iteration `x_{k+1} = x_k + ω·r_k`, `r_k = M·x_k + b − x_k`
 * (ω = 1: `x_{k+1} = M·x_k + b`). `r_k` is the true residual of `(I − M)·x_k = b`, so the
 * stopping test `‖r_k‖ ≤ max(tol·‖b‖, atol)` is exact, and `residualNorm` is `‖b − (I − M)·x‖`
 * for the returned `x`. With ω = 1, `r_{k+1} = M·r_k`, so `‖r_{k+1}‖/‖r_k‖` estimates ρ(M) (power
 * iteration), reported as `rateEstimate`. Default budget 10000 iterations.
 *
 * Reasons: `'converged'`, `'diverged'`, `'non-finite'`, `'maxIter'`.
 *
 * @example
 * // x = 0.5·x + 1  →  x = 2
 * const M = (v: Float64Array, out: Float64Array) => { out[0] = 0.5 * v[0]!; };
 * fixedPointLinear(M, Float64Array.of(1)).x; // ≈ [2]
 */
export function fixedPointLinear<B extends VectorLike>(M: OperatorLike, bIn: B, options: FixedPointOptions = {}): FixedPointResult<SolutionOf<B>> {
  const fn = 'fixedPointLinear';
  const n = bIn instanceof Tensor ? bIn.size : bIn instanceof Float64Array ? bIn.length : 0;
  const s = setup(fn, bIn, n, options, 10000, [...ITERATIVE_OPTIONS, 'relaxation', 'divergenceWindow']);
  const b = s.b;
  checkOperatorDims(M, fn, 'M', n, n);
  const apply = toApply(M, fn, 'M');
  const omega = options.relaxation ?? 1;
  if (typeof omega !== 'number' || !(omega > 0 && omega < 2)) {
    throw new InvalidArgumentError(`${fn}: options.relaxation must be in (0, 2), got ${String(omega)}`);
  }
  const window = options.divergenceWindow ?? 50;
  if (!Number.isInteger(window) || window < 1) {
    throw new InvalidArgumentError(`${fn}: options.divergenceWindow must be an integer ≥ 1, got ${String(window)}`);
  }
  if (s.bnorm === 0) return zeroSolution<FixedPointResult<SolutionOf<B>>>(s, n, { rateEstimate: NaN });

  const { thresh, maxIter } = s;
  const x = initialX(s, n);
  const y = new Float64Array(n);
  const past = new Float64Array(window); // ring buffer of the last `window` residual norms
  const RATE_MEMORY = 10;
  const ratios = new Float64Array(RATE_MEMORY);
  let nRatios = 0;

  let iter = 0;
  let reason: StopReason = 'maxIter';
  let rnorm = NaN;
  let prev = NaN;
  let minNorm = Infinity;

  for (;;) {
    // r = M·x + b − x (kept in y)
    apply(x, y);
    for (let i = 0; i < n; i++) y[i] = y[i]! + b[i]! - x[i]!;
    rnorm = finiteNorm(y);
    if (iter > 0) report(s, iter, rnorm);
    if (Number.isNaN(rnorm)) { reason = 'non-finite'; break; }
    if (iter > 0 && prev > 0) {
      ratios[nRatios % RATE_MEMORY] = rnorm / prev;
      nRatios++;
    }
    if (rnorm <= thresh) { reason = 'converged'; break; }
    if (iter >= maxIter) { reason = 'maxIter'; break; }
    const rate = rateOf(ratios, nRatios);
    if (rnorm > 1e10 * minNorm) { reason = 'diverged'; break; }
    if (iter >= window && rnorm >= past[iter % window]! && rate >= 1) { reason = 'diverged'; break; }
    past[iter % window] = rnorm;
    if (rnorm < minNorm) minNorm = rnorm;
    prev = rnorm;
    for (let i = 0; i < n; i++) x[i] += omega * y[i]!;
    iter++;
  }

  return finish<FixedPointResult<SolutionOf<B>>>(s, x, iter, rnorm, reason, reason === 'converged', {
    rateEstimate: rateOf(ratios, nRatios),
  });
}

/** Geometric mean of the stored ratios (NaN when there are none). */
function rateOf(ratios: Float64Array, count: number): number {
  const k = Math.min(count, ratios.length);
  if (k === 0) return NaN;
  let logSum = 0;
  for (let i = 0; i < k; i++) logSum += Math.log(ratios[i]!);
  return Math.exp(logSum / k);
}
