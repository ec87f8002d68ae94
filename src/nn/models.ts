/**
 * @file Models on top of the layer protocol: `mlp` (a multilayer perceptron as a `sequential` of
 * `linear` and activation layers), `paramCount` (number of scalars in a parameter tree),
 * `perExampleGrads` (the gradient of each example's loss, stacked), and the
 * model registry: named model builders (`mlp`, `cnn`, `deq`, `mondeq`, `mondeq-conv`; more can be registered) keyed by name + a
 * JSON config, so a model is described by a serialisable {@link ModelSpec} and a saved model
 * rebuilds the same architecture before its parameters are loaded. Configs are checked (unknown
 * keys suggest the closest name, unknown model names list the registered ones).
 *
 * Registered builders:
 * - `mlp { hidden = [256, 128], classes = 10 }`: (linear(h) → relu)* → linear(classes) on rows.
 * - `mondeq-conv { imageShape = null (flat square one-channel images), channels = 16, kernel = 3, pool = null (⌈H/7⌉),
 *   monotonicity = 0.5, rtol = 1e-3, maxIter = 100, classes = 10 }`: rows → images → mondeqConv → avgPool → flatten → linear(classes).
 * - `cnn { imageShape = [1, 28, 28], channels = [16, 32], kernel = 3, hidden = 128, classes = 10 }`:
 *   rows → [C, H, W] → (conv2d(c, k, 'same') → relu → maxPool2d(2))* → flatten → linear(hidden)
 *   → relu → linear(classes).
 */
import { InvalidArgumentError, ShapeError } from '../core/errors.js';
import { checkOptions, checkPositive } from '../core/options.js';
import { describeValue, formatShape, type Tensor } from '../core/tensor.js';
import { flatten as flattenTree } from '../autodiff/tree.js';
import { grad } from '../autodiff/transforms.js';
import { reshape } from '../ops/shape.js';
import { avgPool2d as avgPool2dOp } from '../ops/pooling.js';
import { sliceAxis, stack } from '../ops/slicing.js';
import { defineLayer, sequential, type EmptyParams, type Layer, type LayerState, type Params } from './layer.js';
import { flatten, linear, type LinearOptions } from './layers/dense.js';
import { relu } from './layers/activations.js';
import { avgPool2d, conv2d, maxPool2d } from './layers/conv.js';
import { fcDeq } from './deq/fc.js';
import { mondeq } from './deq/mondeq.js';
import { mondeqConv } from './deq/mondeq_conv.js';

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

/** A serialisable model description: builder name, its config, and the per-example input shape. */
export interface ModelSpec {
  name: string;
  config: Record<string, unknown>;
  /** Per-example input shape (no batch axis), e.g. [784]. */
  inputShape: number[];
}

/** A named model builder. */
export interface ModelBuilder {
  name: string;
  /** One line for help texts. */
  description: string;
  /** The config keys the builder accepts, with their defaults. */
  defaults: Record<string, unknown>;
  /** The model for a full config (defaults filled in). */
  build(config: Record<string, unknown>): Layer;
}

const registry = new Map<string, ModelBuilder>();

/**
 * Adds a builder to the registry (a name can be registered once).
 * @example
 * registerModel({ name: 'tiny', description: 'one linear layer', defaults: { classes: 10 }, build: (c) => linear(c.classes as number) });
 */
export function registerModel(builder: ModelBuilder): void {
  if (!builder || typeof builder.name !== 'string' || typeof builder.build !== 'function') {
    throw new InvalidArgumentError(`registerModel(): builder must be { name, description, defaults, build }, got ${describeValue(builder)}`);
  }
  if (registry.has(builder.name)) throw new InvalidArgumentError(`registerModel(): a model named '${builder.name}' is already registered`);
  registry.set(builder.name, builder);
}

/**
 * The registered model names.
 * @example
 * modelNames(); // ['mlp', 'cnn']
 */
export function modelNames(): string[] {
  return [...registry.keys()];
}

function builderOf(name: unknown, where: string): ModelBuilder {
  const b = typeof name === 'string' ? registry.get(name) : undefined;
  if (!b) throw new InvalidArgumentError(`${where}: unknown model ${typeof name === 'string' ? `'${name}'` : describeValue(name)}; valid models: ${modelNames().join(', ')}`);
  return b;
}

/**
 * The full spec of a model: the builder's defaults overridden by `config` (checked).
 * @example
 * modelSpec('mlp', { hidden: [64] }, [64]); // { name: 'mlp', config: { hidden: [64], classes: 10 }, inputShape: [64] }
 */
export function modelSpec(name: string, config: Record<string, unknown> = {}, inputShape: readonly number[]): ModelSpec {
  const b = builderOf(name, 'modelSpec()');
  checkOptions(config, Object.keys(b.defaults), `model '${name}'`);
  if (!Array.isArray(inputShape) || inputShape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new ShapeError(`modelSpec(): inputShape must be a list of positive integers, got ${describeValue(inputShape)}`);
  }
  const full: Record<string, unknown> = { ...b.defaults };
  for (const [k, v] of Object.entries(config)) if (v !== undefined) full[k] = v;
  return { name, config: full, inputShape: [...inputShape] };
}

/**
 * Builds the model a spec describes.
 * @example
 * const model = buildModel(modelSpec('mlp', { hidden: [32] }, [64]));
 * const { params } = model.init(0, [64]);
 */
export function buildModel(spec: ModelSpec): Layer {
  if (!spec || typeof spec !== 'object') throw new InvalidArgumentError(`buildModel(): spec must be { name, config, inputShape }, got ${describeValue(spec)}`);
  const b = builderOf(spec.name, 'buildModel()');
  checkOptions(spec.config, Object.keys(b.defaults), `model '${spec.name}'`);
  return b.build({ ...b.defaults, ...spec.config });
}

function intList(v: unknown, what: string, allowEmpty: boolean): number[] {
  if (!Array.isArray(v) || (!allowEmpty && v.length === 0) || v.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new InvalidArgumentError(`${what} must be a list of positive integers, got ${describeValue(v)}`);
  }
  return v as number[];
}

function posInt(v: unknown, what: string): number {
  if (!Number.isInteger(v) || (v as number) < 1) throw new InvalidArgumentError(`${what} must be a positive integer, got ${describeValue(v)}`);
  return v as number;
}

/** Rows [batch, C·H·W] → images [batch, C, H, W] (a view; per-example input [C·H·W] or [C, H, W]). */
function toImages(shape: readonly number[]): Layer<EmptyParams, null> {
  const size = shape.reduce((a, b) => a * b, 1);
  return defineLayer<EmptyParams, null>({
    name: `toImages(${shape.join('×')})`,
    checkInput(s) {
      const n = s.reduce((a, b) => a * b, 1);
      return n === size ? null : `expects ${size} values per example (${formatShape(shape)})`;
    },
    init: () => ({ params: {}, state: null, outputShape: [...shape] }),
    forward: (_p, state, x) => ({ y: reshape(x, [x.shape[0]!, ...shape]), state }),
  });
}

registerModel({
  name: 'mlp',
  description: 'multilayer perceptron: (linear → relu)* → linear(classes)',
  defaults: { hidden: [256, 128], classes: 10 },
  build(c) {
    const hidden = intList(c.hidden, "model 'mlp': hidden", true);
    const classes = posInt(c.classes, "model 'mlp': classes");
    return mlp([...hidden, classes]);
  },
});

registerModel({
  name: 'cnn',
  description: 'convolutional network: (conv2d 3×3 same → relu → maxPool 2)* → linear(hidden) → relu → linear(classes)',
  defaults: { imageShape: [1, 28, 28], channels: [16, 32], kernel: 3, hidden: 128, classes: 10 },
  build(c) {
    const img = intList(c.imageShape, "model 'cnn': imageShape", false);
    if (img.length !== 3) throw new InvalidArgumentError(`model 'cnn': imageShape must be [channels, height, width], got ${describeValue(img)}`);
    const channels = intList(c.channels, "model 'cnn': channels", false);
    const kernel = posInt(c.kernel, "model 'cnn': kernel");
    const hidden = posInt(c.hidden, "model 'cnn': hidden");
    const classes = posInt(c.classes, "model 'cnn': classes");
    const layers: Layer[] = [toImages(img)];
    for (const ch of channels) layers.push(conv2d(ch, { kernel, padding: 'same' }), relu(), maxPool2d({ kernel: 2 }));
    layers.push(flatten(), linear(hidden), relu(), linear(classes));
    return sequential(layers, { name: `cnn[${channels.join(', ')}; ${hidden}, ${classes}]` });
  },
});

// DEQ classifiers with the recipes of docs/deq.md (flat inputs; onFailure 'warn': a sample that
// stops converging during training is reported and trained on with its best iterate)
registerModel({
  name: 'deq',
  description: 'fully connected DEQ z = relu(zW + xU + b), ‖W‖₂ ≤ spectralBound, exact implicit backward → linear(classes)',
  defaults: { width: 256, spectralBound: 0.9, rtol: 1e-4, maxIter: 100, classes: 10 },
  build(c) {
    const width = posInt(c.width, "model 'deq': width");
    const classes = posInt(c.classes, "model 'deq': classes");
    const maxIter = posInt(c.maxIter, "model 'deq': maxIter");
    const spectralBound = checkPositive(c.spectralBound as number, 'spectralBound', "model 'deq'");
    const rtol = checkPositive(c.rtol as number, 'rtol', "model 'deq'");
    // the invertibility estimate (ρ(∂_z f), ‖∂_z f‖₂, kinks at z*) on every 10th call: the training log prints it
    const layer = fcDeq({ width, spectralBound, tol: 1e-10, rtol, maxIter, linearSolver: 'gmres', backwardTol: rtol * 1e-2, onFailure: 'warn', invertibility: { every: 10, iterations: 8 } });
    return sequential([layer, linear(classes)], { name: `deq[${width}; ${classes}]` });
  },
});

registerModel({
  name: 'mondeq',
  description: 'monotone operator DEQ (I − W ⪰ m·I, unique fixed point), Peaceman–Rachford + Anderson, splitting backward → linear(classes)',
  defaults: { width: 128, monotonicity: 0.05, rtol: 1e-4, maxIter: 200, classes: 10 },
  build(c) {
    const width = posInt(c.width, "model 'mondeq': width");
    const classes = posInt(c.classes, "model 'mondeq': classes");
    const maxIter = posInt(c.maxIter, "model 'mondeq': maxIter");
    const monotonicity = checkPositive(c.monotonicity as number, 'monotonicity', "model 'mondeq'");
    const rtol = checkPositive(c.rtol as number, 'rtol', "model 'mondeq'");
    const layer = mondeq({ width, monotonicity, tol: 1e-10, rtol, maxIter, solver: 'anderson', linearSolver: 'splitting', backwardTol: rtol * 1e-2, onFailure: 'warn' });
    return sequential([layer, linear(classes)], { name: `mondeq[${width}; ${classes}]` });
  },
});

/** Average pooling with the window ⌈H/7⌉ read from the input (8×8 → 4×4, 28×28 → 7×7). */
function autoPool(): Layer<EmptyParams, null> {
  const k = (h: number) => Math.max(1, Math.ceil(h / 7));
  return defineLayer<EmptyParams, null>({
    name: 'avgPool2d(auto)',
    init: (_key, s) => ({ params: {}, state: null, outputShape: [s[0]!, Math.floor(s[1]! / k(s[1]!)), Math.floor(s[2]! / k(s[1]!))] }),
    forward: (_p, state, x) => ({ y: avgPool2dOp(x, { kernel: k(x.shape[2]!) }), state }),
  });
}

/** Flat rows → [1, H, H] images with H = √(features) (the shape read at init). */
function toSquareImages(where: string): Layer<EmptyParams, null> {
  return defineLayer<EmptyParams, null>({
    name: 'toSquareImages',
    init: (_key, inputShape) => {
      const n = inputShape.reduce((a, b) => a * b, 1);
      const h = Math.round(Math.sqrt(n));
      if (h * h !== n) throw new ShapeError(`${where}: cannot read inputs of ${n} features as square one-channel images; pass imageShape [c, H, W]`);
      return { params: {}, state: null, outputShape: [1, h, h] };
    },
    forward: (_p, state, x) => {
      const h = Math.round(Math.sqrt(x.size / x.shape[0]!));
      return { y: reshape(x, [x.shape[0]!, 1, h, h]), state };
    },
  });
}

registerModel({
  name: 'mondeq-conv',
  description: 'convolutional monDEQ (W from convolutions, I − W ⪰ m·I), forward–backward + Anderson → avgPool(pool) → linear(classes)',
  defaults: { imageShape: null, channels: 16, kernel: 3, pool: null, monotonicity: 0.5, rtol: 1e-3, maxIter: 100, classes: 10 },
  build(c) {
    const where = "model 'mondeq-conv'";
    const channels = posInt(c.channels, `${where}: channels`);
    const kernel = posInt(c.kernel, `${where}: kernel`);
    const pool = c.pool === null || c.pool === undefined ? null : posInt(c.pool, `${where}: pool`);
    const classes = posInt(c.classes, `${where}: classes`);
    const maxIter = posInt(c.maxIter, `${where}: maxIter`);
    const monotonicity = checkPositive(c.monotonicity as number, 'monotonicity', where);
    const rtol = checkPositive(c.rtol as number, 'rtol', where);
    let first: Layer;
    if (c.imageShape === null || c.imageShape === undefined) first = toSquareImages(where);
    else {
      const img = intList(c.imageShape, `${where}: imageShape`, false);
      if (img.length !== 3) throw new InvalidArgumentError(`${where}: imageShape must be [channels, height, width], got ${describeValue(img)}`);
      first = toImages(img);
    }
    const layer = mondeqConv({ channels, kernelSize: kernel, monotonicity, tol: 1e-10, rtol, maxIter, linearSolver: 'gmres', backwardTol: rtol * 1e-2, onFailure: 'warn' });
    return sequential([first, layer, pool === null ? autoPool() : avgPool2d({ kernel: pool }), flatten(), linear(classes)], { name: `mondeq-conv[${channels}; ${classes}]` });
  },
});
