/**
 * @file Jacobian regularisation of DEQs (Bai, Koltun & Kolter 2021): a Hutchinson estimate of the
 * squared Frobenius norm of ∂_z f at the fixed point, added to the training loss to keep f
 * well-conditioned (faster forward / backward solves, I − ∂_z f far from singular):
 *
 *   ‖J‖_F² = E_ε ‖εᵀ J‖²   (ε ~ N(0, I)),   estimate (1 / (k·B)) Σ_{j ≤ k} ‖ε_jᵀ ∂_z f(z, x, θ)‖²
 *
 * averaged over the B samples of the batch (J is block diagonal for a row-separable f). Each term
 * is one VJP of f; the estimate is differentiable in θ, x and z (a VJP inside the outer transform).
 */
import { InvalidArgumentError } from '../../core/errors.js';
import { Tensor } from '../../core/tensor.js';
import { checkCount, checkOptions } from '../../core/options.js';
import { rng } from '../../core/rng.js';
import { vjp } from '../../autodiff/transforms.js';
import { add, mul } from '../../ops/arithmetic.js';
import { sum } from '../../ops/reduce.js';
import type { DeqMap } from './deq.js';

/** Options of {@link jacobianPenalty}. */
export interface JacobianPenaltyOptions {
  /** Number k of Hutchinson probes. Default 1. */
  samples?: number;
  /** Seed of the probes (the same seed gives the same ε). Default 0. */
  seed?: number;
}

/**
 * Hutchinson estimate of ‖∂_z f(z, x, θ)‖_F² per sample (mean over the batch), differentiable.
 * @example
 * const z = layer(x, params);
 * const loss = add(crossEntropy(head(z), y), mul(jacobianPenalty(f, z, x, params, { samples: 1, seed: step }), 0.1));
 */
export function jacobianPenalty<P>(f: DeqMap<P>, z: Tensor, x: Tensor, params: P, opts: JacobianPenaltyOptions = {}): Tensor {
  const where = 'jacobianPenalty()';
  checkOptions(opts, ['samples', 'seed'], where);
  if (typeof f !== 'function') throw new InvalidArgumentError(`${where}: f must be a function (z, x, params) => z`);
  if (!(z instanceof Tensor) || z.ndim < 1) throw new InvalidArgumentError(`${where}: z must be a Tensor with a leading batch axis`);
  const k = opts.samples === undefined ? 1 : checkCount(opts.samples, where, 'option samples', 1);
  const seed = opts.seed ?? 0;
  if (!Number.isFinite(seed)) throw new InvalidArgumentError(`${where}: option seed must be a finite number, got ${String(seed)}`);
  const [, pull] = vjp((zz: Tensor) => f(zz, x, params), z);
  const g = rng(seed);
  let acc: Tensor | null = null;
  for (let j = 0; j < k; j++) {
    const eps = g.normal([...z.shape]);
    const v = pull(eps)[0]!;
    const term = sum(mul(v, v));
    acc = acc ? add(acc, term) : term;
  }
  return mul(acc!, 1 / (k * z.shape[0]!));
}
