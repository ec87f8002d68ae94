/**
 * @file Model conveniences on top of the layer protocol: `mlp` (a multilayer perceptron as a
 * `sequential` of `linear` and activation layers), `paramCount` (number of scalars in a
 * parameter tree) and `perExampleGrads` (the gradient of each example's loss, stacked).
 */
import { InvalidArgumentError } from '../core/errors.js';
import { checkOptions } from '../core/options.js';
import type { Tensor } from '../core/tensor.js';
import { flatten as flattenTree } from '../autodiff/tree.js';
import { grad } from '../autodiff/transforms.js';
import { sliceAxis, stack } from '../ops/slicing.js';
import { sequential, type Layer, type LayerState, type Params } from './layer.js';
import { linear, type LinearOptions } from './layers/dense.js';
import { relu } from './layers/activations.js';

/** Options of `mlp`. */
export interface MlpOptions {
  /** Builds the activation placed after every hidden linear layer (default `() => relu()`). */
  activation?: () => Layer;
  /** Options of every `linear` layer (initialisers, bias). */
  linear?: LinearOptions;
}

/**
 * Multilayer perceptron: `sizes` are the widths of the linear layers, the last one the output
 * (no activation after it). `mlp([128, 10])` is `sequential([linear(128), relu(), linear(10)])`.
 * @example
 * const model = mlp([32, 10], { activation: () => tanh() });
 * const { params } = model.init(0, [64]);
 */
export function mlp(sizes: readonly number[], opts: MlpOptions = {}): Layer<Params[], LayerState[]> {
  checkOptions(opts, ['activation', 'linear'], 'mlp()');
  if (!Array.isArray(sizes) || sizes.length === 0 || sizes.some((s) => !Number.isInteger(s) || s < 1)) {
    throw new InvalidArgumentError(`mlp(): sizes must be a non-empty list of positive integers (layer widths), got ${JSON.stringify(sizes)}`);
  }
  const act = opts.activation ?? (() => relu());
  if (typeof act !== 'function') throw new InvalidArgumentError('mlp(): option activation must be a function returning a layer, e.g. () => nn.tanh()');
  const layers: Layer[] = [];
  sizes.forEach((s, i) => {
    layers.push(linear(s, opts.linear) as Layer);
    if (i < sizes.length - 1) layers.push(act());
  });
  return sequential(layers, { name: `mlp[${sizes.join(', ')}]` });
}

/**
 * Number of scalars in a parameter tree (sum of the tensor leaves' sizes).
 * @example
 * paramCount(mlp([32, 10]).init(0, [64]).params)  // 64·32 + 32 + 32·10 + 10 = 2410
 */
export function paramCount(params: Params): number {
  return flattenTree(params).leaves.reduce((n, t) => n + t.size, 0);
}

/**
 * Per-example gradients: for each example i of the batch `x` (leading axis), the gradient in
 * `params` of `loss(params, x[i:i+1], i)` (a batch of one; `i` indexes labels), stacked along a new
 * leading axis of every leaf: a tree like `params` with leaves [B, ...leafShape]. One reverse pass
 * per example (no vectorisation yet), so use it for small batches (differential privacy,
 * influence, gradient-noise diagnostics); the sum over i of the result is the gradient of the
 * summed loss when the examples do not interact (no batchNorm in training mode).
 * @example
 * const model = nn.linear(1);
 * const { params } = model.init(0, [2]);
 * const g = perExampleGrads((p, xi, i) => mse(model.apply(p, xi), tensor([[y[i]]])), params, x);
 * g.w.shape; // [batch, 2, 1]
 */
export function perExampleGrads<P>(loss: (params: P, xi: Tensor, index: number) => Tensor, params: P, x: Tensor): P {
  if (typeof loss !== 'function') throw new InvalidArgumentError('perExampleGrads(): loss must be a function (params, xi, index) → scalar Tensor');
  if (!x || typeof x !== 'object' || !Array.isArray((x as Tensor).shape) || x.shape.length < 1 || x.shape[0]! < 1) {
    throw new InvalidArgumentError(`perExampleGrads(): x must be a tensor with a non-empty leading batch axis, got ${x && Array.isArray((x as Tensor).shape) ? `shape [${x.shape.join(', ')}]` : String(x)}`);
  }
  const perLeaf: Tensor[][] = [];
  let rebuild: ((leaves: readonly Tensor[]) => P) | null = null;
  for (let i = 0; i < x.shape[0]!; i++) {
    const xi = sliceAxis(x, i, i + 1);
    const g = grad((p: P) => loss(p, xi, i))(params) as P;
    const flat = flattenTree(g);
    rebuild ??= flat.rebuild;
    flat.leaves.forEach((leaf, k) => (perLeaf[k] ??= []).push(leaf));
  }
  return rebuild!(perLeaf.map((ls) => stack(ls)));
}
