/**
 * @file Dense layers: `linear` (y = x·W + b: one `matmulBias`, the bias added in gemm's
 * write-back) and `flatten` (per-example reshape to a vector).
 *
 * linear keeps W in the layout [in, out] so the forward pass is x·W without a transpose; its VJP
 * is then x̄ = ȳ·Wᵀ and W̄ = xᵀ·ȳ, each a single matmul with a transpose flag (no transposed copy),
 * and b̄ = Σ_batch ȳ. Inputs [batch, …, in] are viewed as [batch·…, in] (a reshape shares data).
 */
import { InvalidArgumentError, ShapeError } from '../../core/errors.js';
import { checkOptions, checkCount } from '../../core/options.js';
import { formatShape, type Tensor } from '../../core/tensor.js';
import { add } from '../../ops/arithmetic.js';
import { matmul, matmulBias } from '../../ops/matmul.js';
import { reshape } from '../../ops/shape.js';
import { defineLayer, foldKey, type EmptyParams, type Layer } from '../layer.js';
import { torchDefault, type Initializer } from '../init.js';

/** Parameters of `linear`: kernel w [in, out] and bias b [out] (absent with `useBias: false`). */
export interface LinearParams {
  w: Tensor;
  b?: Tensor;
}

/** Options of `linear`. */
export interface LinearOptions {
  /** Add a bias (default true). */
  useBias?: boolean;
  /** Kernel initialiser (default `torchDefault`, PyTorch's U(±1/√in)), called with `{ fanIn: in, fanOut: units }`. */
  kernelInit?: Initializer;
  /** Bias initialiser (default `torchDefault` with the kernel's fans, as PyTorch; `zeros` is common too). */
  biasInit?: Initializer;
}

/**
 * Fully connected layer y = x·W + b on the last axis: input [batch, …, in] → [batch, …, units].
 * Parameters `{ w: [in, units], b: [units] }`; W is drawn from `foldKey(key, 0)`, b from `foldKey(key, 1)`.
 * @example
 * const layer = linear(3);
 * const { params } = layer.init(0, [4]);
 * layer.apply(params, ones([2, 4])).shape;  // [2, 3]
 */
export function linear(units: number, opts: LinearOptions = {}): Layer<LinearParams, null> {
  checkCount(units, 'linear()', 'units', 1);
  checkOptions(opts, ['useBias', 'kernelInit', 'biasInit'], 'linear()');
  const useBias = opts.useBias ?? true;
  const kernelInit = opts.kernelInit ?? torchDefault;
  const biasInit = opts.biasInit ?? torchDefault;
  for (const [k, v] of [['kernelInit', kernelInit], ['biasInit', biasInit]] as const) {
    if (typeof v !== 'function') throw new InvalidArgumentError(`linear(): option ${k} must be an initialiser function (key, shape, fans) → Tensor`);
  }
  const name = `linear(${units})`;
  return defineLayer<LinearParams, null>({
    name,
    checkInput(shape) {
      if (shape.length < 1) return 'needs at least one feature axis';
      return null;
    },
    init(key, inputShape) {
      const n = inputShape[inputShape.length - 1]!;
      const fans = { fanIn: n, fanOut: units };
      const params: LinearParams = { w: kernelInit(foldKey(key, 0), [n, units], fans) };
      if (useBias) params.b = biasInit(foldKey(key, 1), [units], fans);
      return { params, state: null, outputShape: [...inputShape.slice(0, -1), units] };
    },
    forward(params, state, x) {
      const w = params?.w;
      if (!w || w.ndim !== 2 || w.shape[1] !== units) {
        throw new InvalidArgumentError(`${name}: params.w must be a [in, ${units}] tensor, got ${w ? formatShape(w.shape) : String(w)}`);
      }
      const n = x.shape[x.ndim - 1]!;
      if (n !== w.shape[0]) {
        throw new ShapeError(`${name}: expected input [batch, …, ${w.shape[0]}] (params.w is ${formatShape(w.shape)}), got ${formatShape(x.shape)}`);
      }
      if (useBias && !params.b) throw new InvalidArgumentError(`${name}: params.b is missing (the layer was built with useBias: true)`);
      const flat = x.ndim === 2 ? x : reshape(x, [x.size / n, n]);
      const b = params.b;
      // x·W + b in one primitive when b is the [units] row; any other (broadcastable) bias: matmul then add
      const y = !useBias ? matmul(flat, w) : b!.ndim === 1 && b!.shape[0] === units ? matmulBias(flat, w, b!) : add(matmul(flat, w), b!);
      return { y: x.ndim === 2 ? y : reshape(y, [...x.shape.slice(0, -1), units]), state };
    },
  });
}

/**
 * Flattens each example: [batch, d₁, …, d_k] → [batch, d₁·…·d_k] (no parameters, shares data).
 * @example
 * const f = flatten();
 * f.apply({}, zeros([5, 2, 3])).shape;  // [5, 6]
 */
export function flatten(): Layer<EmptyParams, null> {
  return defineLayer<EmptyParams, null>({
    name: 'flatten',
    init(_key, inputShape) {
      return { params: {}, state: null, outputShape: [inputShape.reduce((a, b) => a * b, 1)] };
    },
    forward(_params, state, x) {
      const b = x.shape[0]!;
      return { y: reshape(x, [b, b === 0 ? 0 : x.size / b]), state };
    },
  });
}
