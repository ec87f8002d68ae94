/**
 * @file Normalisation layers: `layerNorm` (per example, over the last axis) and `batchNorm` (per
 * channel, over the batch and spatial axes, with running statistics in `state`).
 *
 * Both compute y = (x − μ) / √(σ² + ε) · γ + β, σ² the biased (1/n) variance, differentiated
 * through μ and σ² (the statistics of the batch are functions of x).
 *
 * batchNorm follows PyTorch (BatchNorm1d / BatchNorm2d): input [batch, C] or [batch, C, …]
 * (channel axis 1); in training it normalises with the batch statistics and updates
 *   running_mean ← (1 − momentum)·running_mean + momentum·μ
 *   running_var  ← (1 − momentum)·running_var  + momentum·σ²·n/(n − 1)   (unbiased, n per channel)
 * with momentum = 0.1 by default (PyTorch's convention: the weight of the NEW value, i.e. Flax's
 * 1 − momentum); in eval mode it normalises with the running statistics. The running statistics
 * are state, not parameters: they are updated from the primal values and never differentiated
 * (as PyTorch's buffers).
 */
import { InvalidArgumentError, ShapeError } from '../../core/errors.js';
import { checkOptions, checkPositive } from '../../core/options.js';
import { ConcreteTensor, formatShape, type Tensor } from '../../core/tensor.js';
import { add, div, mul, sub } from '../../ops/arithmetic.js';
import { mean } from '../../ops/reduce.js';
import { reshape } from '../../ops/shape.js';
import { sqrt } from '../../ops/unary.js';
import { defineLayer, type EmptyParams, type Layer } from '../layer.js';

/** Affine parameters of a normalisation layer: scale γ (init 1) and shift β (init 0). */
export interface NormParams {
  gamma: Tensor;
  beta: Tensor;
}

/** Running statistics of `batchNorm` (per channel). */
export interface BatchNormState {
  mean: Tensor;
  var: Tensor;
}

/** Options of `layerNorm`. */
export interface LayerNormOptions {
  /** Added to the variance (default 1e-5, PyTorch's). */
  eps?: number;
  /** Learn γ and β of the last axis's size (default true); false: params `{}`. */
  affine?: boolean;
}

/** Options of `batchNorm`. */
export interface BatchNormOptions extends LayerNormOptions {
  /** Weight of the new batch statistic in the running average (default 0.1, PyTorch's convention). */
  momentum?: number;
}

function readFlag(v: unknown, where: string, name: string, dflt: boolean): boolean {
  const b = v ?? dflt;
  if (typeof b !== 'boolean') throw new InvalidArgumentError(`${where}: option ${name} must be a boolean, got ${String(v)}`);
  return b;
}

function affineParams(n: number): NormParams {
  return { gamma: new ConcreteTensor(new Float64Array(n).fill(1), [n]), beta: new ConcreteTensor(new Float64Array(n), [n]) };
}

function checkAffine(name: string, params: NormParams | EmptyParams, x: Tensor, axis: number, statShape: readonly number[]): [Tensor, Tensor] {
  const { gamma, beta } = (params ?? {}) as Partial<NormParams>;
  const n = x.shape[axis]!;
  if (!gamma || !beta || gamma.size !== beta.size) {
    throw new InvalidArgumentError(`${name}: params must be { gamma, beta } of equal sizes (affine: true), got ${gamma ? formatShape(gamma.shape) : 'no gamma'} and ${beta ? formatShape(beta.shape) : 'no beta'}`);
  }
  if (gamma.size !== n) {
    const expected = x.shape.map((d, i) => (i === 0 ? 'batch' : i === axis ? String(gamma.size) : String(d)));
    throw new ShapeError(`${name}: expected input [${expected.join(', ')}] (params.gamma is ${formatShape(gamma.shape)}), got ${formatShape(x.shape)}`);
  }
  return [gamma.ndim === statShape.length ? gamma : reshape(gamma, statShape), beta.ndim === statShape.length ? beta : reshape(beta, statShape)];
}

/**
 * Layer normalisation over the last axis of each example (PyTorch `LayerNorm(d)` on [batch, …, d]):
 * y = (x − mean) / √(var + eps) · γ + β. Params `{ gamma: [d], beta: [d] }` (`{}` with `affine: false`).
 * @example
 * const ln = layerNorm();
 * ln.apply(ln.init(0, [3]).params, tensor([[1, 2, 3]]));  // ≈ [[-1.2247, 0, 1.2247]]
 */
export function layerNorm(opts: LayerNormOptions = {}): Layer<NormParams | EmptyParams, null> {
  checkOptions(opts, ['eps', 'affine'], 'layerNorm()');
  const eps = checkPositive(opts.eps ?? 1e-5, 'option eps', 'layerNorm', true);
  const affine = readFlag(opts.affine, 'layerNorm()', 'affine', true);
  const name = 'layerNorm';
  return defineLayer<NormParams | EmptyParams, null>({
    name,
    checkInput: (shape) => (shape.length < 1 ? 'needs at least one feature axis' : null),
    init: (_key, inputShape) => ({ params: affine ? affineParams(inputShape[inputShape.length - 1]!) : {}, state: null, outputShape: [...inputShape] }),
    forward(params, state, x) {
      const d = x.shape[x.ndim - 1]!;
      const mu = mean(x, { axis: -1, keepdims: true });
      const xc = sub(x, mu);
      const v = mean(mul(xc, xc), { axis: -1, keepdims: true });
      let y = div(xc, sqrt(add(v, eps)));
      if (affine) {
        const [g, b] = checkAffine(name, params, x, x.ndim - 1, [d]);
        y = add(mul(y, g), b);
      }
      return { y, state };
    },
  });
}

/**
 * Batch normalisation over axis 1 (channels) of [batch, C] or [batch, C, …] inputs, PyTorch's
 * formulas (see the file header). State `{ mean: [C], var: [C] }` starts at 0 and 1; pass it
 * back to `forward` and keep the returned state after each training step.
 * @example
 * const bn = batchNorm();
 * const { params, state } = bn.init(0, [2]);
 * const { y, state: next } = bn.forward(params, state, tensor([[1, 2], [3, 6]]), { train: true });
 * // y ≈ [[-1, -1], [1, 1]]; next.mean = 0.1·[2, 4], next.var = 0.9 + 0.1·[2, 8]
 */
export function batchNorm(opts: BatchNormOptions = {}): Layer<NormParams | EmptyParams, BatchNormState> {
  checkOptions(opts, ['eps', 'affine', 'momentum'], 'batchNorm()');
  const eps = checkPositive(opts.eps ?? 1e-5, 'option eps', 'batchNorm', true);
  const affine = readFlag(opts.affine, 'batchNorm()', 'affine', true);
  const momentum = opts.momentum ?? 0.1;
  if (typeof momentum !== 'number' || !(momentum >= 0 && momentum <= 1)) {
    throw new InvalidArgumentError(`batchNorm(): option momentum must be a number in [0, 1] (weight of the new statistic, PyTorch's convention), got ${String(momentum)}`);
  }
  const name = 'batchNorm';
  return defineLayer<NormParams | EmptyParams, BatchNormState>({
    name,
    checkInput: (shape) => (shape.length < 1 ? 'needs a channel axis: input [batch, C] or [batch, C, …]' : null),
    init(_key, inputShape) {
      const c = inputShape[0]!;
      return {
        params: affine ? affineParams(c) : {},
        state: { mean: new ConcreteTensor(new Float64Array(c), [c]), var: new ConcreteTensor(new Float64Array(c).fill(1), [c]) },
        outputShape: [...inputShape],
      };
    },
    forward(params, state, x, ctx) {
      const c = x.shape[1]!;
      // statistics broadcast as [C, 1, …, 1] against [batch, C, …]
      const statShape = [c, ...x.shape.slice(2).map(() => 1)];
      const axes = x.shape.map((_, i) => i).filter((i) => i !== 1);
      if (!state || !state.mean || !state.var || state.mean.size !== state.var.size) {
        throw new InvalidArgumentError(`${name}: state must be { mean, var } of equal sizes: pass the state from init or from the previous step (apply(params, x, { state }))`);
      }
      if (state.mean.size !== c) {
        throw new ShapeError(`${name}: expected input [batch, ${state.mean.size}, …] (state has ${state.mean.size} channels), got ${formatShape(x.shape)}`);
      }
      let y: Tensor;
      let next = state;
      if (ctx.train) {
        const n = x.size / c;
        if (n < 2) throw new InvalidArgumentError(`${name}: training needs more than one value per channel, got input ${formatShape(x.shape)}`);
        const mu = mean(x, { axis: axes, keepdims: true });
        const xc = sub(x, mu);
        const v = mean(mul(xc, xc), { axis: axes, keepdims: true });
        y = div(xc, sqrt(add(v, eps)));
        // running statistics from the primal values (state, not differentiated)
        const md = mu.data, vd = v.data, rm = state.mean.data, rv = state.var.data;
        const nm = new Float64Array(c), nv = new Float64Array(c);
        for (let j = 0; j < c; j++) {
          nm[j] = (1 - momentum) * rm[j]! + momentum * md[j]!;
          nv[j] = (1 - momentum) * rv[j]! + momentum * vd[j]! * (n / (n - 1));
        }
        next = { mean: new ConcreteTensor(nm, [c]), var: new ConcreteTensor(nv, [c]) };
      } else {
        const rm = reshape(state.mean, statShape), rv = reshape(state.var, statShape);
        y = div(sub(x, rm), sqrt(add(rv, eps)));
      }
      if (affine) {
        const [g, b] = checkAffine(name, params, x, 1, statShape);
        y = add(mul(y, g), b);
      }
      return { y, state: next };
    },
  });
}
