/**
 * @file Model conveniences on top of the layer protocol: `mlp` (a multilayer perceptron as a
 * `sequential` of `linear` and activation layers) and `paramCount` (number of scalars in a
 * parameter tree).
 */
import { InvalidArgumentError } from '../core/errors.js';
import { checkOptions } from '../core/options.js';
import { flatten as flattenTree } from '../autodiff/tree.js';
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
