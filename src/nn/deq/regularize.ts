/**
 * @file Jacobian regularisation of DEQs (Bai, Koltun & Kolter 2021): a Hutchinson estimate of the
 * squared Frobenius norm of ∂_z f at the fixed point, added to the training loss to keep f
 * well-conditioned (faster forward / backward solves, I − ∂_z f far from singular):
 *
 *   ‖J‖_F² = E_ε ‖εᵀ J‖²   (ε ~ N(0, I)),   estimate (1 / (k·B)) Σ_{j ≤ k} ‖ε_jᵀ ∂_z f(z, x, θ)‖²
 *
 * averaged over the B samples of the batch (J is block diagonal for a row-separable f). Each term
 * is one VJP of f; the estimate is differentiable in θ, x and z (a VJP inside the outer transform).
 *
 * Also the fixed-point correction loss (Bai et al. 2022) over the terms of `layer.withCorrections`:
 *
 *   L = loss(z*) + Σ_k γ^{K+1−k} · loss(f(sg(z_k), x, θ))
 *
 * where the z_k are intermediate iterates of the forward solver; each correction term is
 * differentiated by the 1-step gradient through f only (a heuristic training signal that pushes
 * the early iterates towards good outputs, not a derivative of the solution map).
 */
import { InvalidArgumentError } from '../../core/errors.js';
import { Tensor } from '../../core/tensor.js';
import { checkCount, checkOptions } from '../../core/options.js';
import { rng } from '../../core/rng.js';
import { vjp } from '../../autodiff/transforms.js';
import { add, mul } from '../../ops/arithmetic.js';
import { sum } from '../../ops/reduce.js';
import type { DeqCorrections, DeqMap } from './deq.js';

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

/**
 * The fixed-point correction loss loss(z*) + Σ_k w_k·loss(ẑ_k) over the output of
 * `layer.withCorrections(x, θ)` (weights w_k = γ^{K+1−k}; see the file header for the gradient it uses).
 * @example
 * const layer = deq(f, { zShape: [8], correction: { iterations: [2, 4], gamma: 0.8 } });
 * const loss = (p: P) => deqCorrectionLoss(layer.withCorrections(x, p), (z) => mean(square(sub(z, target))));
 */
export function deqCorrectionLoss(terms: DeqCorrections, loss: (z: Tensor) => Tensor): Tensor {
  const where = 'deqCorrectionLoss()';
  if (!terms || !(terms.z instanceof Tensor) || !Array.isArray(terms.corrections) || !Array.isArray(terms.weights) || terms.corrections.length !== terms.weights.length) {
    throw new InvalidArgumentError(`${where}: terms must be the { z, corrections, weights } returned by layer.withCorrections(x, params)`);
  }
  if (typeof loss !== 'function') throw new InvalidArgumentError(`${where}: loss must be a function (z) => scalar Tensor`);
  const one = (z: Tensor, what: string): Tensor => {
    const l = loss(z);
    if (!(l instanceof Tensor) || l.size !== 1) throw new InvalidArgumentError(`${where}: loss must return a scalar Tensor for ${what}, got ${l instanceof Tensor ? `shape [${l.shape.join(', ')}]` : typeof l}`);
    return l;
  };
  let acc = one(terms.z, 'z*');
  terms.corrections.forEach((c, k) => (acc = add(acc, mul(one(c, `correction ${k}`), terms.weights[k]!))));
  return acc;
}
