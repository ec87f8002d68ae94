/**
 * @file Hypergradients of fixed points of (nonsmooth) contraction maps — ITD and AID
 * (Grazzi, Pontil & Salzo, ICML 2024, "Nonsmooth implicit differentiation: deterministic and
 * stochastic convergence rates"; methods as in hypertorch).
 *
 * Bilevel problem: minimise f(λ) = E(w(λ), λ) where w(λ) = Φ(w(λ), λ) and w ↦ Φ(w, λ) is a
 * q-contraction (q < 1), possibly nonsmooth but piecewise Lipschitz smooth (e.g. a prox-gradient
 * step). With A = ∂_wΦ(w, λ) and B = ∂_λΦ(w, λ) elements of the conservative Jacobians computed by
 * autodiff, the hypergradient is
 *
 *   ∇f(λ) = ∇_λE + Bᵀ v,   v solving the adjoint system   (I − Aᵀ) v = ∇_wE.
 *
 * Methods (`method` option):
 * - `'ITD'` (iterative differentiation): w_k = Φ(w_{k−1}, λ) for k = 1..t and differentiate E(w_t, λ)
 *   through the unrolled loop. Reverse mode: v_t = ∇_wE(w_t), then for s = t..1
 *   g += ∂_λΦ(w_{s−1})ᵀ v_s, v_{s−1} = ∂_wΦ(w_{s−1})ᵀ v_s. Forward mode: J_k = ∂_wΦ J_{k−1} + ∂_λΦ,
 *   g_k = J_kᵀ∇_wE(w_k) + ∇_λE — one JVP per scalar of λ per step, the estimate for every k.
 *   Memory options of the reverse mode (`itd.memory`):
 *     | memory | stored | Φ evaluations | reverse-step trace |
 *     |---|---|---|---|
 *     | `'tape'` | the whole autodiff tape of t steps (every intermediate of Φ) | t (+ backward) | no |
 *     | `'iterates'` | the t iterates w_k only: O(t·dim(w)) | 2t | yes |
 *     | `'checkpoint'` | every c-th iterate + one segment of c: O((t/c + c)·dim(w)), c ≈ √t | ≈ 3t | yes |
 *   All three give the same numbers (the memory-saving ones re-evaluate Φ, so Φ must be
 *   deterministic — no randomness, no `random` kink policy).
 * - `'AID-FP'`: w_t by t iterations of Φ, then k iterations of v ← Aᵀv + ∇_wE at w_t (Neumann
 *   series; converges at rate ρ(A) ≤ q) and ∇_λE + Bᵀ v_k.
 * - `'AID-CG'`: conjugate gradients on (I − Aᵀ)v = ∇_wE. Valid only when A is symmetric (then
 *   I − A is symmetric positive definite for a contraction), e.g. a gradient step on a smooth
 *   objective. Prox-gradient maps (A = D·(I − γH), D a 0/1 or diagonal mask) are NOT symmetric:
 *   a randomised symmetry test warns (or throws, option `symmetry`) when it detects this.
 * - `'AID-GMRES'`: restarted GMRES on the same system; valid for any contraction.
 *
 * Rates (Grazzi et al. 2024, deterministic analysis): for a q-contraction, after the support of the
 * prox-gradient iterates is identified, ITD and AID errors decrease linearly (ITD ~ t·q^t, AID-FP
 * ~ q^t + q^k); AID-CG/GMRES converge at Krylov rates on the adjoint system.
 *
 * Failures are never silent: NaN/±Infinity anywhere → `NonFiniteError`. Everything else follows
 * ONE policy, `onFailure` (`implicit/failure.ts`, default `'throw'`, as `customRoot`): steps that
 * keep growing → `NonContractionError`; a budget that runs out before its tolerance, or an adjoint
 * solver failure → `ConvergenceError` carrying the result; under `'warn'` (one warning) or
 * `'return'` the result is returned with its `status`/`converged`. A FIXED budget is not a
 * failure: with `tol: 0` (ITD) or `tol: 0` and `adjointTol: 0` (AID) exactly t (and k) iterations
 * are requested and status `'maxIter'` is the expected outcome. The AID-CG symmetry test follows
 * `symmetry` (same vocabulary, default `'throw'`).
 */
import { ConvergenceError, InvalidArgumentError, NonFiniteError } from '../core/errors.js';
import { emitWarning, failurePolicy, handleFailure } from '../core/failure.js';
import { checkOptions, checkCount } from '../core/options.js';
import type { Tensor } from '../core/tensor.js';
import { checkChoice, checkFiniteVec, checkTol, NonContractionError, refuseTraced, TraceRecorder, treeLayout, treeToVec, vecToTree } from './hypergrad_common.js';
import type { Ctx, HypergradientOptions, HypergradientResult } from './hypergrad_types.js';
import { runItd } from './hypergrad_itd.js';
import { runAid } from './hypergrad_aid.js';

export { NonContractionError, type ContractionOptions, type HypergradTraceEntry, type HypergradTraceMode } from './hypergrad_common.js';
export type { HypergradMethod, ItdMemory, ItdOptions, HypergradStatus, HypergradientOptions, HypergradientResult } from './hypergrad_types.js';

const HYPERGRADIENT_KEYS = [
  'phi', 'outer', 'w0', 'lam', 'method', 't', 'tol', 'k', 'adjointTol', 'v0', 'itd', 'restart', 'symmetry', 'symmetryTol', 'contraction',
  'onFailure', 'trace', 'reference',
] as const;

/**
 * Hypergradient of f(λ) = E(w(λ), λ), w(λ) = Φ(w(λ), λ), by ITD, AID-FP, AID-CG or AID-GMRES.
 *
 * @example
 * // ridge regression as the fixed point of a gradient step, λ = per-feature penalties
 * const phi = (w: Tensor, lam: Tensor) => sub(w, mul(0.1, add(sub(matmul(Q, w), c), mul(lam, w))));
 * const outer = (w: Tensor) => mul(0.5, sum(square(sub(matmul(Xv, w), yv))));
 * const r = hypergradient({ phi, outer, w0: zeros([p]), lam: full([p], 0.1), method: 'AID-FP', t: 500 });
 * r.grad;   // ∇_λ E(w(λ))
 * r.trace;  // [{ phase: 'forward', iteration: 1, residual: … }, …, { phase: 'adjoint', …, estimateNorm }]
 */
export function hypergradient<W, L>(options: HypergradientOptions<W, L>): HypergradientResult<W, L> {
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError('hypergradient: options must be an object');
  const method = checkChoice(options.method ?? 'AID-FP', ['ITD', 'AID-FP', 'AID-CG', 'AID-GMRES'] as const, 'hypergradient', 'method');
  const fn = `hypergradient(${method})`;
  checkOptions(options, HYPERGRADIENT_KEYS, fn);
  if (typeof options.phi !== 'function') throw new InvalidArgumentError(`${fn}: phi must be a function (w, lam) => w`);
  if (typeof options.outer !== 'function') throw new InvalidArgumentError(`${fn}: outer must be a function (w, lam) => scalar tensor`);
  const t = checkCount(options.t ?? 1000, fn, 't');
  const tol = checkTol(options.tol ?? 1e-10, fn, 'tol');
  refuseTraced(options.w0, fn, 'w0');
  refuseTraced(options.lam, fn, 'lam');
  const wLayout = treeLayout(options.w0, fn, 'w0');
  const lLayout = treeLayout(options.lam, fn, 'lam');
  const w0vec = treeToVec(options.w0, wLayout, fn, 'w0');
  checkFiniteVec(w0vec, fn, 'w0');
  const lamVec = treeToVec(options.lam, lLayout, fn, 'lam');
  checkFiniteVec(lamVec, fn, 'lam');
  let reference: Float64Array | null = null;
  if (options.reference !== undefined) {
    reference = options.reference instanceof Float64Array ? options.reference : treeToVec(options.reference, lLayout, fn, 'reference');
    if (reference.length !== lLayout.size) throw new InvalidArgumentError(`${fn}: reference has ${reference.length} entries, λ has ${lLayout.size}`);
  }
  const traceMode = checkChoice(options.trace ?? 'norm', ['norm', 'full', 'none'] as const, fn, 'trace');
  const onFailure = failurePolicy(options.onFailure, fn);
  const warnings: string[] = [];
  const ctx: Ctx<W, L> = {
    fn,
    opts: options,
    phi: options.phi,
    outer: options.outer,
    wLayout,
    lLayout,
    lam: vecToTree(lamVec, lLayout) as L,
    w0: vecToTree(w0vec, wLayout) as W,
    w0vec,
    t,
    tol,
    recorder: new TraceRecorder(traceMode, reference),
    warnings,
    onFailure,
    warn: (m) => {
      warnings.push(m);
      if (onFailure !== 'return') emitWarning(m, 'HypergradientWarning');
    },
  };
  const result = method === 'ITD' ? runItd(ctx) : runAid(ctx, method);
  const fixedBudget = result.status === 'maxIter' && result.tolerancesMet;
  if (result.status !== 'converged' && !fixedBudget) {
    const Err = result.status === 'non-contraction' ? NonContractionError : ConvergenceError;
    handleFailure(onFailure, new Err(
      `${fn}: did not converge (status '${result.status}') after ${result.iterations.forward} forward and ${result.iterations.adjoint} adjoint iteration(s); ` +
        `forward step ${result.residuals.forward.toExponential(3)}, adjoint residual ${result.residuals.adjoint.toExponential(3)}`,
      {
        iterations: result.iterations.forward + result.iterations.adjoint,
        residualNorm: Number.isNaN(result.residuals.adjoint) ? result.residuals.forward : result.residuals.adjoint,
        converged: false,
        status: result.status,
        result,
      },
    ));
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// warm-started sessions

/** A hypergradient function of λ that warm-starts w (and the adjoint v for AID) from its previous call. */
export interface HypergradientSession<W, L> {
  (lam: L): HypergradientResult<W, L>;
  /** Current warm start of w. */
  readonly w: W;
  /** Current warm start of the adjoint (AID), if any. */
  readonly v: W | undefined;
  /** Back to the configured `w0` and a zero adjoint. */
  reset(): void;
}

/**
 * Wraps {@link hypergradient} for outer loops: each call starts the forward iteration from the
 * previous w and (AID) the adjoint solve from the previous v — both change little between nearby
 * λ, so tolerances are met in fewer iterations. A call that ended in `'non-contraction'` does not
 * update the warm starts.
 *
 * @example
 * const hg = makeHypergradient({ phi, outer, w0: zeros([p]), method: 'AID-GMRES', tol: 1e-10 });
 * let lam = tensor([0.1, 0.01]);
 * for (let it = 0; it < 50; it++) lam = sub(lam, mul(0.5, hg(lam).grad)); // plain hypergradient descent
 */
export function makeHypergradient<W, L>(config: Omit<HypergradientOptions<W, L>, 'lam'>): HypergradientSession<W, L> {
  let w = config.w0;
  let v = config.v0;
  const session = ((lam: L) => {
    const r = hypergradient({ ...config, w0: w, v0: v, lam });
    if (r.status !== 'non-contraction') {
      w = r.w;
      if (r.v !== undefined) v = r.v;
    }
    return r;
  }) as HypergradientSession<W, L>;
  Object.defineProperty(session, 'w', { get: () => w });
  Object.defineProperty(session, 'v', { get: () => v });
  Object.defineProperty(session, 'reset', {
    value: () => {
      w = config.w0;
      v = config.v0;
    },
  });
  return session;
}
