/**
 * @file Loss functions as differentiable composites: crossEntropy (integer class labels or
 * probability targets), binaryCrossEntropyWithLogits, mse.
 *
 * Formulas (per sample; `reduction` then takes the mean, the sum, or keeps them):
 *
 *   crossEntropy(z, y)    = −log softmax(z)_y = logsumexp(z) − z_y     ∇_z = softmax(z) − onehot(y)
 *   crossEntropy(z, p)    = −Σ_c p_c log softmax(z)_c                   ∇_z = softmax(z)·Σp − p
 *   bceWithLogits(z, t)   = t·softplus(−z) + (1 − t)·softplus(z)         ∂/∂z = σ(z) − t,  ∂² = σ(1 − σ)
 *                         (= −t log σ(z) − (1 − t) log(1 − σ(z)); exact for hard labels, no overflow)
 *   mse(a, b)             = mean (a − b)²
 */
import { normalizeAxis } from '../core/broadcast.js';
import { InvalidArgumentError, ShapeError } from '../core/errors.js';
import { formatShape, shapesEqual, Tensor } from '../core/tensor.js';
import { add, mul, neg, sub } from './arithmetic.js';
import { asTensor, type TensorLike } from './convert.js';
import { axisLayout, take, type IndexArray } from './indexing.js';
import { logSoftmax } from './normalize.js';
import { mean, sum } from './reduce.js';
import { reshape } from './shape.js';
import { softplus } from './unary.js';
import { checkOptions } from '../core/options.js';

/** How per-element losses are combined: their mean (default), their sum, or none (kept). */
export type Reduction = 'mean' | 'sum' | 'none';

/** Options shared by the losses. */
export interface LossOptions {
  /** Default 'mean'. */
  reduction?: Reduction;
}

/** Options of `crossEntropy`. */
export interface CrossEntropyOptions extends LossOptions {
  /** The class axis of the logits (default −1). */
  axis?: number;
}

function checkReduction(r: unknown, opName: string): Reduction {
  if (r !== 'mean' && r !== 'sum' && r !== 'none') {
    throw new InvalidArgumentError(`${opName}: reduction must be 'mean', 'sum' or 'none', got ${JSON.stringify(r)}`);
  }
  return r;
}

function reduceLoss(loss: Tensor, reduction: Reduction): Tensor {
  return reduction === 'none' ? loss : reduction === 'sum' ? sum(loss) : mean(loss);
}

/**
 * Softmax cross-entropy between `logits` and `labels`, computed stably through `logSoftmax`.
 *
 * - Integer labels (`Int32Array`, `number[]`, or one number for a single sample): one class index
 *   in [0, C) per sample, where C = `logits.shape[axis]` and the samples are the positions of the
 *   other axes in row-major order (for logits [N, C]: label i belongs to row i). Loss per sample:
 *   −log softmax(z)_y. Negative labels are rejected (no wrap-around, no ignore index).
 * - A `Tensor` of the same shape as `logits`: target probabilities p (soft labels), differentiable
 *   too. Loss per sample: −Σ_c p_c log softmax(z)_c.
 *
 * With `reduction: 'none'` the result has the logits' shape without the class axis.
 * Gradient w.r.t. the logits (integer labels): (softmax(z) − onehot(y)) / N for the mean.
 *
 * @example
 * crossEntropy(tensor([[2, 0], [0, 2]]), [0, 1])              // log(1 + e⁻²)
 * crossEntropy(tensor([[2, 0]]), tensor([[0.5, 0.5]]), { reduction: 'sum' })
 */
export function crossEntropy(logits: TensorLike, labels: Tensor | IndexArray | number, opts: CrossEntropyOptions = {}): Tensor {
  checkOptions(opts, ['reduction', 'axis'], 'crossEntropy()');
  logits = asTensor(logits, 'crossEntropy()', 'logits');
  const reduction = checkReduction(opts.reduction ?? 'mean', 'crossEntropy');
  if (logits.ndim === 0) throw new ShapeError('crossEntropy: logits is a scalar (shape []); it needs a class axis');
  const ax = normalizeAxis(opts.axis ?? -1, logits.ndim, 'crossEntropy');
  const lp = logSoftmax(logits, { axis: ax });
  if (labels instanceof Tensor) {
    if (!shapesEqual(labels.shape, logits.shape)) {
      throw new ShapeError(`crossEntropy: probability labels ${formatShape(labels.shape)} must have the logits' shape ${formatShape(logits.shape)}`);
    }
    return reduceLoss(neg(sum(mul(labels, lp), { axis: ax })), reduction);
  }
  const ys: IndexArray = typeof labels === 'number' ? [labels] : labels;
  if (!(ys instanceof Int32Array) && !Array.isArray(ys)) {
    throw new InvalidArgumentError(`crossEntropy: labels must be a Tensor of probabilities or integer class indices, got ${typeof labels}`);
  }
  const batchShape = logits.shape.filter((_, d) => d !== ax);
  const { outer, n: C, inner } = axisLayout(logits.shape, ax);
  if (ys.length !== outer * inner) {
    throw new ShapeError(`crossEntropy: ${ys.length} labels for ${outer * inner} samples (logits ${formatShape(logits.shape)}, class axis ${ax})`);
  }
  // flat position of (sample (o, k), class y) in the logits: (o·C + y)·inner + k
  const flat = new Int32Array(ys.length);
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < inner; k++) {
      const b = o * inner + k;
      const y = ys[b]!;
      if (typeof y !== 'number' || !Number.isInteger(y) || y < 0 || y >= C) {
        throw new InvalidArgumentError(`crossEntropy: label ${String(y)} at position ${b} is not a class index in [0, ${C - 1}]`);
      }
      flat[b] = (o * C + y) * inner + k;
    }
  }
  const picked = reshape(take(reshape(lp, [lp.size]), flat), batchShape);
  return reduceLoss(neg(picked), reduction);
}

/**
 * Binary cross-entropy on logits z with targets t ∈ [0, 1] (hard or soft labels), computed as
 * t·softplus(−z) + (1 − t)·softplus(z): no overflow for |z| in the thousands, and exact for
 * hard labels (no cancellation). `targets` must have the logits' shape (or be a scalar).
 * Derivative in z: σ(z) − t.
 *
 * @example
 * binaryCrossEntropyWithLogits(tensor([0, 1000]), tensor([1, 1]))  // mean of [log 2, 0]
 */
export function binaryCrossEntropyWithLogits(logits: TensorLike, targets: TensorLike, opts: LossOptions = {}): Tensor {
  checkOptions(opts, ['reduction'], 'binaryCrossEntropyWithLogits()');
  logits = asTensor(logits, 'binaryCrossEntropyWithLogits()', 'logits');
  const reduction = checkReduction(opts.reduction ?? 'mean', 'binaryCrossEntropyWithLogits');
  const t = asTensor(targets, 'binaryCrossEntropyWithLogits()', 'targets');
  if (t.ndim !== 0 && !shapesEqual(t.shape, logits.shape)) {
    throw new ShapeError(`binaryCrossEntropyWithLogits: targets ${formatShape(t.shape)} must have the logits' shape ${formatShape(logits.shape)}`);
  }
  const td = t.data;
  for (let i = 0; i < td.length; i++) {
    if (!(td[i]! >= 0 && td[i]! <= 1)) {
      throw new InvalidArgumentError(`binaryCrossEntropyWithLogits: target ${td[i]} at flat index ${i} is not in [0, 1]`);
    }
  }
  const loss = add(mul(t, softplus(neg(logits))), mul(sub(1, t), softplus(logits)));
  return reduceLoss(loss, reduction);
}

/**
 * Mean squared error mean((a − b)²) (or the sum / the elementwise squares with `reduction`).
 * `a` and `b` must have the same shape. Gradient in a: 2 (a − b) / n.
 *
 * @example
 * mse(tensor([1, 2]), tensor([0, 0]))  // 2.5
 */
export function mse(a: TensorLike, b: TensorLike, opts: LossOptions = {}): Tensor {
  checkOptions(opts, ['reduction'], 'mse()');
  a = asTensor(a, 'mse()', 'a');
  b = asTensor(b, 'mse()', 'b');
  const reduction = checkReduction(opts.reduction ?? 'mean', 'mse');
  if (!shapesEqual(a.shape, b.shape)) throw new ShapeError(`mse: shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} differ`);
  const d = sub(a, b);
  return reduceLoss(mul(d, d), reduction);
}
