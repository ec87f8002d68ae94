/**
 * @file Convolution and pooling layers on per-example images [C, H, W] (batch [N, C, H, W], PyTorch's
 * NCHW layout): `conv2d(filters, …)` (y = conv2d(x, w) + b), `maxPool2d(…)`, `avgPool2d(…)`, each
 * inferring its output shape in `init` and naming itself and both shapes in its shape errors.
 *
 * Output size per spatial axis (convolution): ⌊(L + 2·padding − dilation·(k − 1) − 1)/stride⌋ + 1;
 * pooling is the same with dilation 1. `padding: 'same'` (convolution, stride 1) pads
 * dilation·(k − 1)/2 on each side so that the output keeps the input's size (k odd).
 */
import { InvalidArgumentError, ShapeError } from '../../core/errors.js';
import { checkCount, checkOptions } from '../../core/options.js';
import { formatShape, type Tensor } from '../../core/tensor.js';
import { convOutLength } from '../../kernels/im2col.js';
import { add } from '../../ops/arithmetic.js';
import { conv2d as conv2dOp, pairOption, type Pair2d } from '../../ops/conv.js';
import { avgPool2d as avgPool2dOp, maxPool2d as maxPool2dOp } from '../../ops/pooling.js';
import { reshape } from '../../ops/shape.js';
import type { KinkPolicy } from '../../autodiff/kinks.js';
import { defineLayer, foldKey, type EmptyParams, type Layer } from '../layer.js';
import { torchDefault, type Initializer } from '../init.js';

/** Parameters of the `conv2d` layer: kernel w [F, C, kh, kw] and bias b [F] (absent with `useBias: false`). */
export interface Conv2dParams {
  w: Tensor;
  b?: Tensor;
}

/** Options of the `conv2d` layer. */
export interface Conv2dLayerOptions {
  /** Window [kh, kw] (a number means square). Required. */
  kernel: Pair2d;
  /** Step between windows (default 1). */
  stride?: Pair2d;
  /** Zero padding on each side (default 0); `'same'` keeps H×W at stride 1 (odd kernel). */
  padding?: Pair2d | 'same';
  /** Spacing between kernel taps (default 1). */
  dilation?: Pair2d;
  /** Add a per-filter bias (default true). */
  useBias?: boolean;
  /** Kernel initialiser (default PyTorch's U(±1/√(C·kh·kw))), called with the layer's fans. */
  kernelInit?: Initializer;
  /** Bias initialiser (default PyTorch's U(±1/√(C·kh·kw))). */
  biasInit?: Initializer;
}

const LAYOUT = 'input must be [C, H, W] per example (batch [N, C, H, W])';

/**
 * 2-d convolution layer: per-example [C, H, W] → [filters, Ho, Wo], y = conv2d(x, w) + b with
 * w [filters, C, kh, kw] drawn from `foldKey(key, 0)` and b [filters] from `foldKey(key, 1)`.
 *
 * @example
 * const layer = nn.conv2d(16, { kernel: 3, padding: 1 });
 * const { params, outputShape } = layer.init(0, [1, 8, 8]); // outputShape [16, 8, 8]
 * layer.apply(params, ones([2, 1, 8, 8])).shape;            // [2, 16, 8, 8]
 */
export function conv2d(filters: number, opts: Conv2dLayerOptions): Layer<Conv2dParams, null> {
  checkCount(filters, 'nn.conv2d()', 'filters', 1);
  checkOptions(opts, ['kernel', 'stride', 'padding', 'dilation', 'useBias', 'kernelInit', 'biasInit'], 'nn.conv2d()');
  if (!opts || opts.kernel === undefined) throw new InvalidArgumentError('nn.conv2d(): option kernel is required (a size or [kh, kw])');
  const where = 'nn.conv2d()';
  const kernel = pairOption(opts.kernel, 1, 1, 'kernel', where);
  const stride = pairOption(opts.stride, 1, 1, 'stride', where);
  const dilation = pairOption(opts.dilation, 1, 1, 'dilation', where);
  let padding: [number, number];
  if (opts.padding === 'same') {
    if (stride[0] !== 1 || stride[1] !== 1 || kernel.some((k, a) => (dilation[a]! * (k - 1)) % 2 !== 0)) {
      throw new InvalidArgumentError(`${where}: padding 'same' needs stride 1 and an odd (dilated) kernel, got kernel ${JSON.stringify(opts.kernel)}, stride ${JSON.stringify(opts.stride ?? 1)}`);
    }
    padding = [(dilation[0] * (kernel[0] - 1)) / 2, (dilation[1] * (kernel[1] - 1)) / 2];
  } else padding = pairOption(opts.padding, 0, 0, 'padding', where);
  const useBias = opts.useBias ?? true;
  const kernelInit = opts.kernelInit ?? torchDefault;
  const biasInit = opts.biasInit ?? torchDefault;
  for (const [k, v] of [['kernelInit', kernelInit], ['biasInit', biasInit]] as const) {
    if (typeof v !== 'function') throw new InvalidArgumentError(`${where}: option ${k} must be an initialiser function (key, shape, fans) → Tensor`);
  }
  const name = `conv2d(${filters}, ${kernel[0]}×${kernel[1]})`;
  const outSize = (shape: readonly number[]): [number, number] => [
    convOutLength(shape[1]!, kernel[0], stride[0], padding[0], dilation[0]),
    convOutLength(shape[2]!, kernel[1], stride[1], padding[1], dilation[1]),
  ];
  return defineLayer<Conv2dParams, null>({
    name,
    checkInput(shape) {
      if (shape.length !== 3) return LAYOUT;
      const [ho, wo] = outSize(shape);
      if (ho < 1 || wo < 1) return `the ${kernel[0]}×${kernel[1]} kernel (dilation ${dilation.join('×')}) does not fit the input padded by ${padding.join('×')}`;
      return null;
    },
    init(key, inputShape) {
      const C = inputShape[0]!;
      const fans = { fanIn: C * kernel[0] * kernel[1], fanOut: filters * kernel[0] * kernel[1] };
      const w = kernelInit(foldKey(key, 0), [filters, C, kernel[0], kernel[1]], fans);
      const params: Conv2dParams = useBias ? { w, b: reshape(biasInit(foldKey(key, 1), [filters], fans), [filters]) } : { w };
      return { params, state: null, outputShape: [filters, ...outSize(inputShape)] };
    },
    forward(params, state, x) {
      const w = params?.w;
      if (!w || w.ndim !== 4 || w.shape[0] !== filters) {
        throw new InvalidArgumentError(`${name}: params.w must be a [${filters}, C, ${kernel[0]}, ${kernel[1]}] tensor, got ${w ? formatShape(w.shape) : String(w)}`);
      }
      if (w.shape[1] !== x.shape[1]) {
        throw new ShapeError(`${name}: input has ${x.shape[1]} channels but the layer was initialised for ${w.shape[1]} (input shape ${formatShape(x.shape)}, kernel ${formatShape(w.shape)})`);
      }
      let y = conv2dOp(x, w, { stride, padding, dilation });
      if (useBias) y = add(y, reshape(params.b!, [filters, 1, 1]));
      return { y, state };
    },
  });
}

/** Options of the pooling layers. */
export interface Pool2dLayerOptions {
  /** Window [kh, kw] (a number means square). Required. */
  kernel: Pair2d;
  /** Step between windows (default: `kernel`). */
  stride?: Pair2d;
  /** Padding on each side (default 0; at most kernel/2): −∞ for max pooling, zeros for average pooling. */
  padding?: Pair2d;
}

function poolLayer(kind: 'maxPool2d' | 'avgPool2d', opts: Pool2dLayerOptions, extraKeys: readonly string[], apply: (x: Tensor, k: [number, number], s: [number, number], p: [number, number]) => Tensor): Layer<EmptyParams, null> {
  const where = `nn.${kind}()`;
  checkOptions(opts, ['kernel', 'stride', 'padding', ...extraKeys], where);
  if (!opts || opts.kernel === undefined) throw new InvalidArgumentError(`${where}: option kernel is required (a size or [kh, kw])`);
  const k = pairOption(opts.kernel, 1, 1, 'kernel', where);
  const s = opts.stride === undefined ? k : pairOption(opts.stride, 1, 1, 'stride', where);
  const p = pairOption(opts.padding, 0, 0, 'padding', where);
  if (2 * p[0] > k[0] || 2 * p[1] > k[1]) throw new InvalidArgumentError(`${where}: padding must be at most kernel/2, got ${JSON.stringify(opts.padding)} for kernel ${JSON.stringify(opts.kernel)}`);
  const name = `${kind}(${k[0]}×${k[1]})`;
  const outSize = (shape: readonly number[]): [number, number] => [convOutLength(shape[1]!, k[0], s[0], p[0], 1), convOutLength(shape[2]!, k[1], s[1], p[1], 1)];
  return defineLayer<EmptyParams, null>({
    name,
    checkInput(shape) {
      if (shape.length !== 3) return LAYOUT;
      const [ho, wo] = outSize(shape);
      if (ho < 1 || wo < 1) return `the ${k[0]}×${k[1]} window does not fit the input padded by ${p.join('×')}`;
      return null;
    },
    init(_key, inputShape) {
      return { params: {}, state: null, outputShape: [inputShape[0]!, ...outSize(inputShape)] };
    },
    forward(_params, state, x) {
      return { y: apply(x, k, s, p), state };
    },
  });
}

/**
 * Max pooling layer over each channel: [C, H, W] → [C, Ho, Wo] (no parameters). Ties in a window
 * follow the kink policy (`kink`, default the global one), as the `maxPool2d` op.
 *
 * @example
 * const pool = nn.maxPool2d({ kernel: 2 });
 * pool.init(0, [16, 8, 8]).outputShape; // [16, 4, 4]
 */
export function maxPool2d(opts: Pool2dLayerOptions & { kink?: KinkPolicy }): Layer<EmptyParams, null> {
  return poolLayer('maxPool2d', opts, ['kink'], (x, kernel, stride, padding) => maxPool2dOp(x, { kernel, stride, padding, ...(opts.kink !== undefined && { kink: opts.kink }) }));
}

/**
 * Average pooling layer over each channel: [C, H, W] → [C, Ho, Wo] (no parameters; zero padding,
 * divided by the full window unless `countIncludePad: false`).
 *
 * @example
 * const pool = nn.avgPool2d({ kernel: 2 });
 * pool.init(0, [16, 8, 8]).outputShape; // [16, 4, 4]
 */
export function avgPool2d(opts: Pool2dLayerOptions & { countIncludePad?: boolean }): Layer<EmptyParams, null> {
  return poolLayer('avgPool2d', opts, ['countIncludePad'], (x, kernel, stride, padding) =>
    avgPool2dOp(x, { kernel, stride, padding, ...(opts.countIncludePad !== undefined && { countIncludePad: opts.countIncludePad }) }));
}
