/**
 * @file AID — approximate implicit differentiation (hypergrad.ts header): the forward iteration,
 * then the adjoint system (I − ∂_wΦᵀ)v = ∇_wE by fixed-point steps (AID-FP), CG (AID-CG, with the
 * randomised symmetry test) or GMRES (AID-GMRES), and ∇_λE + ∂_λΦᵀv.
 */
import { checkCount } from '../core/options.js';
import { InvalidArgumentError, NonFiniteError } from '../core/errors.js';
import { emitWarning, failurePolicy } from '../core/failure.js';
import { rng } from '../core/rng.js';
import { cg, gmres, type IterativeResult } from '../linalg/iterative/index.js';
import { checkFiniteVec, checkTol, ContractionMonitor, dist2, dotVec, norm2, treeToVec, vecToTree } from './hypergrad_common.js';
import type { Ctx, HypergradientResult, HypergradStatus } from './hypergrad_types.js';
import { addInto, forwardSolve, outerGrads, phiPullback } from './hypergrad_steps.js';

// ---------------------------------------------------------------------------------------------
// AID

export function runAid<W, L>(ctx: Ctx<W, L>, method: 'AID-FP' | 'AID-CG' | 'AID-GMRES'): HypergradientResult<W, L> {
  const { fn, opts } = ctx;
  const kMax = checkCount(opts.k ?? ctx.t, fn, 'k');
  const adjTol = checkTol(opts.adjointTol ?? 1e-10, fn, 'adjointTol');
  const n = ctx.wLayout.size;
  let v: Float64Array = new Float64Array(n);
  if (opts.v0 !== undefined) {
    v = treeToVec(opts.v0, ctx.wLayout, fn, 'v0');
    checkFiniteVec(v, fn, 'v0');
  }

  const fwd = forwardSolve(ctx);
  const { value, gw: b, gl } = outerGrads(ctx, fwd.w);
  const pull = phiPullback(ctx, fwd.w, 'w_t');
  const bnorm = norm2(b);
  const thresh = adjTol * bnorm;
  const a = new Float64Array(n); // Aᵀv
  const c = new Float64Array(ctx.lLayout.size); // Bᵀv
  const est = new Float64Array(ctx.lLayout.size);
  let iterations = 0;
  let residual = NaN;
  let adjConverged = false;
  let adjNonContraction = false;
  let solverReason: IterativeResult['reason'] | null = null;
  let asymmetry: number | undefined;

  if (method === 'AID-FP') {
    const monitor = new ContractionMonitor(fn, 'adjoint fixed-point', opts.contraction, ctx.onFailure);
    const next = new Float64Array(n);
    pull(v, a, c);
    // r_k = ‖Aᵀv_k + b − v_k‖ = ‖b − (I − Aᵀ)v_k‖: the true residual of the adjoint system at v_k
    residual = dist2(addInto(next, a, b), v);
    adjConverged = residual <= thresh;
    while (!adjConverged && iterations < kMax) {
      iterations++;
      v = Float64Array.from(next); // v_k = Aᵀv_{k−1} + ∇_wE
      pull(v, a, c);
      residual = dist2(addInto(next, a, b), v);
      ctx.recorder.push('adjoint', iterations, residual, ctx.recorder.wantsEstimates ? addInto(est, c, gl) : undefined);
      if (residual <= thresh) adjConverged = true;
      else if (monitor.violated(iterations, residual, norm2(v))) {
        adjNonContraction = true;
        break;
      }
    }
  } else {
    const tmp = new Float64Array(n);
    // (I − Aᵀ)x
    const op = (x: Float64Array, out: Float64Array): void => {
      pull(x, tmp);
      for (let i = 0; i < n; i++) out[i] = x[i]! - tmp[i]!;
    };
    if (method === 'AID-CG') asymmetry = symmetryCheck(ctx, pull, n);
    const solverOpts = {
      tol: adjTol,
      maxIter: kMax,
      x0: v,
      onFailure: 'return' as const,
      callback: (it: number, r: number) => ctx.recorder.push('adjoint', it, r),
    };
    const restart = opts.restart ?? Math.max(1, Math.min(n, Math.max(kMax, 1), 100));
    const res = method === 'AID-CG' ? cg(op, b, solverOpts) : gmres(op, b, { ...solverOpts, restart });
    if (res.reason === 'non-finite') {
      throw new NonFiniteError(`${fn}: the ${method} adjoint solver met a non-finite value after ${res.iterations} iteration(s)`);
    }
    v = res.x;
    iterations = res.iterations;
    residual = res.residualNorm;
    adjConverged = res.converged;
    solverReason = res.reason;
    // with adjointTol = 0 the budget is the target, and 'stagnation' just means round-off level was reached
    if (!res.converged && res.reason !== 'maxIter' && !(adjTol === 0 && res.reason === 'stagnation')) {
      ctx.warn(
        `${fn}: the adjoint solver stopped with reason '${res.reason}' after ${res.iterations} iteration(s) (true residual ${res.residualNorm.toExponential(3)}, ` +
          `relative ${res.relativeResidual.toExponential(3)})` +
          (res.reason === 'indefinite' ? ' — I − ∂_wΦᵀ is not positive definite, so CG does not apply; use AID-GMRES or AID-FP' : ''),
      );
    }
    pull(v, a, c);
    addInto(est, c, gl);
    if (ctx.recorder.enabled) {
      const entries = ctx.recorder.entries;
      const lastEntry = entries[entries.length - 1];
      if (lastEntry && lastEntry.phase === 'adjoint' && lastEntry.iteration === iterations) entries.pop();
      ctx.recorder.push('adjoint', iterations, residual, est);
    }
  }

  // c = Bᵀv for the final v (FP: from its last step; CG/GMRES: from the product after the solve)
  const g = addInto(new Float64Array(ctx.lLayout.size), c, gl);
  checkFiniteVec(g, fn, 'the hypergradient');
  let status: HypergradStatus;
  if (fwd.nonContraction || adjNonContraction) status = 'non-contraction';
  // with adjointTol = 0 the budget is the target, and 'stagnation' just means round-off level was reached
  else if (solverReason !== null && solverReason !== 'converged' && solverReason !== 'maxIter' && !(adjTol === 0 && solverReason === 'stagnation')) {
    status = solverReason as HypergradStatus;
  }
  else status = fwd.converged && adjConverged ? 'converged' : 'maxIter';
  const out: HypergradientResult<W, L> = {
    method,
    value,
    grad: vecToTree(g, ctx.lLayout) as L,
    w: fwd.w,
    v: vecToTree(v, ctx.wLayout) as W,
    converged: status === 'converged',
    status,
    tolerancesMet: (fwd.converged || ctx.tol === 0) && (adjConverged || adjTol === 0),
    iterations: { forward: fwd.iterations, adjoint: iterations },
    residuals: { forward: fwd.residual, adjoint: residual },
    trace: ctx.recorder.entries,
    warnings: ctx.warnings,
  };
  if (asymmetry !== undefined) out.asymmetry = asymmetry;
  return out;
}

/**
 * Randomised symmetry test of A = ∂_wΦ using only products with Aᵀ:
 * |⟨Aᵀx, y⟩ − ⟨x, Aᵀy⟩| / (‖Aᵀx‖‖y‖ + ‖x‖‖Aᵀy‖) for two seeded Gaussian pairs (x, y); zero
 * for symmetric A, almost surely positive otherwise. Acts per `symmetry` above `symmetryTol`.
 */
function symmetryCheck<W, L>(ctx: Ctx<W, L>, pull: (v: Float64Array, out: Float64Array) => void, n: number): number {
  const policy = failurePolicy(ctx.opts.symmetry, `${ctx.fn}: symmetry`);
  const tol = checkTol(ctx.opts.symmetryTol ?? 1e-8, ctx.fn, 'symmetryTol');
  const g = rng(0x5eed);
  let worst = 0;
  const ax = new Float64Array(n);
  const ay = new Float64Array(n);
  for (let trial = 0; trial < 2; trial++) {
    const x = g.fillNormal(new Float64Array(n));
    const y = g.fillNormal(new Float64Array(n));
    pull(x, ax);
    pull(y, ay);
    const den = norm2(ax) * norm2(y) + norm2(x) * norm2(ay);
    const asym = den === 0 ? 0 : Math.abs(dotVec(ax, y) - dotVec(x, ay)) / den;
    worst = Math.max(worst, asym);
  }
  if (worst > tol) {
    const msg =
      `${ctx.fn}: ∂_wΦ is not symmetric (randomised test: relative asymmetry ${worst.toExponential(3)} > ${tol.toExponential(1)}). ` +
      `CG solves (I − ∂_wΦᵀ)v = ∇_wE only for symmetric ∂_wΦ (gradient steps of smooth objectives); prox-gradient maps ` +
      `D·(I − γ∇²f) are not symmetric. The result is a heuristic — use method 'AID-GMRES' or 'AID-FP'.`;
    if (policy === 'throw') throw new InvalidArgumentError(msg);
    ctx.warnings.push(msg);
    if (policy === 'warn') emitWarning(msg, 'HypergradientWarning');
  }
  return worst;
}
