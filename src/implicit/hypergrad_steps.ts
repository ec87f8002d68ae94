/**
 * @file The building blocks shared by ITD and AID (hypergrad.ts): one concrete step of Φ, the
 * forward iteration with its contraction monitor, the outer gradients (∇_wE, ∇_λE), and the
 * pullback of Φ (products with ∂_wΦᵀ and ∂_λΦᵀ).
 */
import { InvalidArgumentError } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { valueAndGrad, vjp } from '../autodiff/transforms.js';
import { checkFiniteNumber, checkFiniteVec, ContractionMonitor, dist2, norm2, treeToVec, vecToTree } from './hypergrad_common.js';
import type { Ctx, ForwardRun } from './hypergrad_types.js';

// ---------------------------------------------------------------------------------------------
// shared pieces

/** Evaluates Φ on concrete inputs and returns its output as a checked vector. */
export function phiVec<W, L>(ctx: Ctx<W, L>, w: W, k: number): { w: W; vec: Float64Array } {
  const out = ctx.phi(w, ctx.lam);
  const vec = treeToVec(out, ctx.wLayout, ctx.fn, `Φ(w_${k - 1}, λ)`);
  checkFiniteVec(vec, ctx.fn, `the forward iterate w_${k} = Φ(w_${k - 1}, λ)`);
  return { w: vecToTree(vec, ctx.wLayout) as W, vec };
}

/**
 * Runs w_k = Φ(w_{k−1}, λ), k = 1..t (stopping early on `tol`), on concrete values. `store(k, w_k)`
 * receives every iterate (k = 0 is w0) when given.
 */
export function forwardSolve<W, L>(ctx: Ctx<W, L>, store?: (k: number, vec: Float64Array) => void): ForwardRun<W> {
  const monitor = new ContractionMonitor(ctx.fn, 'forward', ctx.opts.contraction, ctx.onFailure);
  let w = ctx.w0;
  let wVec = ctx.w0vec;
  store?.(0, wVec);
  let residual = NaN;
  let converged = false;
  let nonContraction = false;
  let k = 0;
  while (k < ctx.t) {
    k++;
    const next = phiVec(ctx, w, k);
    const step = forwardStep(ctx, monitor, k, next.vec, wVec);
    residual = step.residual;
    w = next.w;
    wVec = next.vec;
    store?.(k, wVec);
    if (step.stop === 'converged') {
      converged = true;
      break;
    }
    if (step.stop === 'non-contraction') {
      nonContraction = true;
      break;
    }
  }
  return { w, wVec, iterations: k, residual, converged, nonContraction };
}

/**
 * Records forward step k (w_{k−1} = `prev` → w_k = `vec`) in the trace and the contraction monitor;
 * says whether the iteration stops: converged (‖w_k − w_{k−1}‖ ≤ tol·max(1, ‖w_k‖)) or not contracting.
 */
export function forwardStep<W, L>(
  ctx: Ctx<W, L>, monitor: ContractionMonitor, k: number, vec: Float64Array, prev: Float64Array,
): { residual: number; stop: 'converged' | 'non-contraction' | null } {
  const residual = dist2(vec, prev);
  const scale = norm2(vec);
  ctx.recorder.push('forward', k, residual);
  if (residual <= ctx.tol * Math.max(1, scale)) return { residual, stop: 'converged' };
  if (monitor.violated(k, residual, scale)) return { residual, stop: 'non-contraction' };
  return { residual, stop: null };
}

/** E(w, λ) and its gradients (∇_wE, ∇_λE) as checked vectors. */
export function outerGrads<W, L>(ctx: Ctx<W, L>, w: W): { value: number; gw: Float64Array; gl: Float64Array } {
  const [val, grads] = valueAndGrad(ctx.outer as (w: W, lam: L) => Tensor, { argnums: [0, 1] })(w, ctx.lam) as [Tensor, [W, L]];
  if (val.size !== 1) throw new InvalidArgumentError(`${ctx.fn}: outer must return a scalar tensor`);
  const value = val.data[0]!;
  checkFiniteNumber(value, ctx.fn, 'the outer objective E(w, λ)');
  const gw = treeToVec(grads[0], ctx.wLayout, ctx.fn, '∇_wE');
  const gl = treeToVec(grads[1], ctx.lLayout, ctx.fn, '∇_λE');
  checkFiniteVec(gw, ctx.fn, '∇_wE(w_t, λ)');
  checkFiniteVec(gl, ctx.fn, '∇_λE(w_t, λ)');
  return { value, gw, gl };
}

/** Pullback of Φ at (w, λ): v ↦ (∂_wΦᵀv, ∂_λΦᵀv), recorded once and reused. */
export function phiPullback<W, L>(ctx: Ctx<W, L>, w: W, where: string): (v: Float64Array, outW: Float64Array, outL?: Float64Array) => void {
  const [out, pull] = vjp(ctx.phi, w, ctx.lam);
  treeToVec(out, ctx.wLayout, ctx.fn, `Φ(${where}, λ)`); // structure check
  return (v, outW, outL) => {
    const [cw, cl] = pull(vecToTree(v, ctx.wLayout) as W);
    treeToVec(cw, ctx.wLayout, ctx.fn, '∂_wΦᵀv', outW);
    checkFiniteVec(outW, ctx.fn, `∂_wΦ(${where})ᵀv`);
    if (outL) {
      treeToVec(cl, ctx.lLayout, ctx.fn, '∂_λΦᵀv', outL);
      checkFiniteVec(outL, ctx.fn, `∂_λΦ(${where})ᵀv`);
    }
  };
}

export function addInto(dst: Float64Array, a: Float64Array, b: Float64Array): Float64Array {
  for (let i = 0; i < dst.length; i++) dst[i] = a[i]! + b[i]!;
  return dst;
}
