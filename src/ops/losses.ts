/**
 * @file Loss functions as differentiable composites: crossEntropy (integer class labels or
 * probability targets, label smoothing), binaryCrossEntropyWithLogits, mse, multiclassHinge
 * (Weston–Watkins or Crammer–Singer), hingeLoss (binary, ±1 targets).
 *
 * Formulas (per sample; `reduction` then takes the mean, the sum, or keeps them):
 *
 *   crossEntropy(z, y)    = −log softmax(z)_y = logsumexp(z) − z_y     ∇_z = softmax(z) − onehot(y)
 *   crossEntropy(z, p)    = −Σ_c p_c log softmax(z)_c                   ∇_z = softmax(z)·Σp − p
 *   bceWithLogits(z, t)   = t·softplus(−z) + (1 − t)·softplus(z)         ∂/∂z = σ(z) − t,  ∂² = σ(1 − σ)
 *                         (= −t log σ(z) − (1 − t) log(1 − σ(z)); exact for hard labels, no overflow)
 *   mse(a, b)             = mean (a − b)²
 *   label smoothing ε     : target (1 − ε)·y + ε/C, i.e. loss (1 − ε)·CE + ε·mean_c(−log softmax(z)_c)
 *   multiclassHinge (WW)  = Σ_{j≠y} max(0, m − z_y + z_j) / C        (PyTorch MultiMarginLoss, p = 1)
 *   multiclassHinge (CS)  = max(0, max_{j≠y} (m − z_y + z_j))        (Crammer & Singer 2001)
 *   hingeLoss(z, t)       = max(0, 1 − t·z),  t ∈ {−1, +1}
 * crossEntropy along the last axis (C ≥ 1) is one primitive, `softmaxCrossEntropyDef`: its
 * forward (loss per row) and, for a concrete cotangent, its backward (the logits' cotangent) are
 * fused row kernels (`kernels/softmax.ts`) with the arithmetic of the composite −take(logSoftmax)
 * (smoothed, reduced as above) and its reverse sweep, so values and gradients keep their bits.
 * Its JVP and its VJP on traced values (higher order) are ops on the closed forms
 *   ∂ℓ/∂z = softmax(z)·ΣP − P,   ∂ℓ/∂p = −(1 − ε)·logSoftmax(z),   P = (1 − ε)·target + ε/C.
 * Other class axes keep the composite.
 * The hinge losses are nonsmooth: at a margin exactly met (m − z_y + z_j = 0) they use relu's
 * kink selection (`kink` option, default minNorm 0); Crammer–Singer ties between violated classes
 * use max's tie weights.
 */
import { normalizeAxis } from '../core/broadcast.js';
import { InvalidArgumentError, ShapeError } from '../core/errors.js';
import { ConcreteTensor, concreteData, formatShape, shapesEqual, Tensor } from '../core/tensor.js';
import { add, mul, neg, sub } from './arithmetic.js';
import { asTensor, constant, type TensorLike } from './convert.js';
import { axisLayout, take, type IndexArray } from './indexing.js';
import { logSoftmax, softmax } from './normalize.js';
import { Prim } from '../autodiff/primitives.js';
import { bind, type PrimDef } from '../autodiff/trace.js';
import { crossEntropyRowsBackwardKernel, crossEntropyRowsKernel, type CrossEntropyTargets } from '../kernels/softmax.js';
import { mean, sum } from './reduce.js';
import { reshape } from './shape.js';
import { softplus } from './unary.js';
import { relu, type KinkOption } from './nonsmooth.js';
import { hinge } from './piecewise.js';
import { max } from './extrema.js';
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
  /** ε ∈ [0, 1]: mix the targets with the uniform distribution, (1 − ε)·y + ε/C (PyTorch's `label_smoothing`, default 0). */
  labelSmoothing?: number;
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

type CeParams = { readonly labels: Int32Array | null; readonly smoothing: number };

function ceTargets(labels: Int32Array | null, p: Tensor | undefined): CrossEntropyTargets {
  return labels !== null ? { labels } : { probs: p!.data };
}

/** ∂ℓ/∂z = softmax(z)·ΣP − P with the smoothed target P (file header), as differentiable ops. */
function ceLogitsFactor(z: Tensor, p: Tensor | undefined, { labels, smoothing: eps }: CeParams): Tensor {
  const C = z.shape[z.ndim - 1]!;
  let P: Tensor;
  if (labels !== null) {
    const d = new Float64Array(z.size).fill(eps / C);
    for (let r = 0; r < labels.length; r++) d[r * C + labels[r]!] += 1 - eps;
    P = constant(d, z.shape);
  } else P = eps === 0 ? p! : add(mul(p!, 1 - eps), eps / C);
  return sub(mul(softmax(z), sum(P, { axis: -1, keepdims: true })), P);
}

/** Softmax cross-entropy per row along the last axis (the fused primitive of `crossEntropy`, file header). */
export const softmaxCrossEntropyDef: PrimDef<Prim.SoftmaxCrossEntropy> = {
  prim: Prim.SoftmaxCrossEntropy,
  impl: ([z, p], params) => {
    const C = z!.shape[z!.ndim - 1]!;
    const out = new Float64Array(z!.size / C);
    crossEntropyRowsKernel(z!.data, out.length, C, ceTargets(params.labels, p), params.smoothing, out);
    return new ConcreteTensor(out, z!.shape.slice(0, -1));
  },
  jvp: ([z, p], [dz, dp], _, params) => {
    const t1 = dz ? sum(mul(ceLogitsFactor(z!, p, params), dz), { axis: -1 }) : null;
    const t2 = dp ? sum(mul(mul(logSoftmax(z!), params.smoothing - 1), dp), { axis: -1 }) : null;
    return t1 && t2 ? add(t1, t2) : (t1 ?? t2);
  },
  vjp: (ct, [z, p], _, params, needed) => {
    const C = z!.shape[z!.ndim - 1]!;
    const wantP = p !== undefined && needed[1] === true;
    if (ct.level === 0 && z!.level === 0 && (p === undefined || p.level === 0)) {
      // the fused backward kernel: the composite's reverse sweep in one pass per row
      const dz = new Float64Array(z!.size);
      const dp = wantP ? new Float64Array(z!.size) : null;
      crossEntropyRowsBackwardKernel(z!.data, z!.size / C, C, ceTargets(params.labels, p), params.smoothing, ct.data, dz, dp);
      const gz = needed[0] ? new ConcreteTensor(dz, z!.shape.slice()) : null;
      return p === undefined ? [gz] : [gz, dp ? new ConcreteTensor(dp, z!.shape.slice()) : null];
    }
    const g = reshape(ct, [...ct.shape, 1]);
    const gz = needed[0] ? mul(g, ceLogitsFactor(z!, p, params)) : null;
    if (p === undefined) return [gz];
    return [gz, wantP ? mul(g, mul(logSoftmax(z!), params.smoothing - 1)) : null];
  },
};

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
 * crossEntropy(tensor([[2, 0]]), [0], { labelSmoothing: 0.1 })   // 0.95·log(1 + e⁻²) + 0.05·(2 + 2 log(1 + e⁻²))
 */
export function crossEntropy(logits: TensorLike, labels: Tensor | IndexArray | number, opts: CrossEntropyOptions = {}): Tensor {
  checkOptions(opts, ['reduction', 'axis', 'labelSmoothing'], 'crossEntropy()');
  logits = asTensor(logits, 'crossEntropy()', 'logits');
  const reduction = checkReduction(opts.reduction ?? 'mean', 'crossEntropy');
  const eps = opts.labelSmoothing ?? 0;
  if (typeof eps !== 'number' || !(eps >= 0 && eps <= 1)) {
    throw new InvalidArgumentError(`crossEntropy: option labelSmoothing must be a number in [0, 1], got ${String(eps)}`);
  }
  if (logits.ndim === 0) throw new ShapeError('crossEntropy: logits is a scalar (shape []); it needs a class axis');
  const ax = normalizeAxis(opts.axis ?? -1, logits.ndim, 'crossEntropy');
  // the fused primitive along the last axis (C ≥ 1); the composite below otherwise
  const fused = ax === logits.ndim - 1 && logits.shape[ax]! > 0;
  const lp = fused ? null : logSoftmax(logits, { axis: ax });
  // (1 − ε)·loss + ε·mean_c(−log softmax(z)_c)
  const smooth = (loss: Tensor): Tensor => (eps === 0 ? loss : add(mul(loss, 1 - eps), mul(mean(lp!, { axis: ax }), -eps)));
  if (labels instanceof Tensor) {
    if (!shapesEqual(labels.shape, logits.shape)) {
      throw new ShapeError(`crossEntropy: probability labels ${formatShape(labels.shape)} must have the logits' shape ${formatShape(logits.shape)}`);
    }
    if (fused) return reduceLoss(bind(softmaxCrossEntropyDef, [logits, labels], { labels: null, smoothing: eps }), reduction);
    return reduceLoss(smooth(neg(sum(mul(labels, lp!), { axis: ax }))), reduction);
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
  if (fused) {
    // inner = 1 here: flat[b] = b·C + y_b, so the labels are flat[b] − b·C
    const ls = new Int32Array(flat.length);
    for (let b = 0; b < flat.length; b++) ls[b] = flat[b]! - b * C;
    return reduceLoss(bind(softmaxCrossEntropyDef, [logits], { labels: ls, smoothing: eps }), reduction);
  }
  const picked = reshape(take(reshape(lp!, [lp!.size]), flat), batchShape);
  return reduceLoss(smooth(neg(picked)), reduction);
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

/** Options of `multiclassHinge`. */
export interface MulticlassHingeOptions extends LossOptions, KinkOption {
  /** The margin m (default 1). */
  margin?: number;
  /** 'westonWatkins' (default; PyTorch's MultiMarginLoss: sum over wrong classes / C) or 'crammerSinger' (max over wrong classes). */
  variant?: 'westonWatkins' | 'crammerSinger';
}

/** Validated integer labels in [0, C) of `n` samples (no wrap-around). */
function classLabels(labels: IndexArray | number, n: number, C: number, where: string): Int32Array {
  const ys: IndexArray = typeof labels === 'number' ? [labels] : labels;
  if (!(ys instanceof Int32Array) && !Array.isArray(ys)) {
    throw new InvalidArgumentError(`${where}: labels must be integer class indices (number[] or Int32Array), got ${typeof labels}`);
  }
  if (ys.length !== n) throw new ShapeError(`${where}: ${ys.length} labels for ${n} samples`);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const y = ys[i]!;
    if (typeof y !== 'number' || !Number.isInteger(y) || y < 0 || y >= C) {
      throw new InvalidArgumentError(`${where}: label ${String(y)} at position ${i} is not a class index in [0, ${C - 1}]`);
    }
    out[i] = y;
  }
  return out;
}

/**
 * Multiclass hinge loss on scores [N, C] (or [C] for one sample) with integer labels (see the file
 * header for both variants). Default Weston–Watkins, scaled by 1/C as PyTorch's `MultiMarginLoss`;
 * `variant: 'crammerSinger'` takes the largest violation instead. Nonsmooth where a margin is met
 * exactly: `kink` selects relu's derivative there (default 0).
 * @example
 * multiclassHinge(tensor([[2, 1.5, 0]]), [0])                            // (0.5 + 0) / 3
 * multiclassHinge(tensor([[2, 1.5, 0]]), [0], { variant: 'crammerSinger' }) // 0.5
 */
export function multiclassHinge(scores: TensorLike, labels: IndexArray | number, opts: MulticlassHingeOptions = {}): Tensor {
  checkOptions(opts, ['reduction', 'margin', 'variant', 'kink'], 'multiclassHinge()');
  let z = asTensor(scores, 'multiclassHinge()', 'scores');
  const reduction = checkReduction(opts.reduction ?? 'mean', 'multiclassHinge');
  const margin = opts.margin ?? 1;
  if (typeof margin !== 'number' || !Number.isFinite(margin)) throw new InvalidArgumentError(`multiclassHinge: option margin must be a finite number, got ${String(margin)}`);
  const variant = opts.variant ?? 'westonWatkins';
  if (variant !== 'westonWatkins' && variant !== 'crammerSinger') {
    throw new InvalidArgumentError(`multiclassHinge: option variant must be 'westonWatkins' or 'crammerSinger', got ${JSON.stringify(variant)}`);
  }
  if (z.ndim === 1) z = reshape(z, [1, z.shape[0]!]);
  if (z.ndim !== 2) throw new ShapeError(`multiclassHinge: scores must be [N, C] (or [C]), got ${formatShape(z.shape)}`);
  const [N, C] = z.shape as [number, number];
  const ys = classLabels(labels, N, C, 'multiclassHinge');
  const flat = new Int32Array(N);
  const mask = new Float64Array(N * C).fill(1);
  for (let i = 0; i < N; i++) {
    flat[i] = i * C + ys[i]!;
    mask[i * C + ys[i]!] = 0;
  }
  const zy = reshape(take(reshape(z, [N * C]), flat), [N, 1]);
  // relu(m − z_y + z_j) on the wrong classes j ≠ y
  const viol = mul(relu(add(sub(z, zy), margin), opts.kink === undefined ? undefined : { kink: opts.kink }), new ConcreteTensor(mask, [N, C]));
  const per = variant === 'westonWatkins' ? mul(sum(viol, { axis: 1 }), 1 / C) : max(viol, { axis: 1 });
  return reduceLoss(per, reduction);
}

/**
 * Binary hinge loss max(0, 1 − t·z) for scores z and targets t ∈ {−1, +1} of the same shape
 * (mean by default). Derivative −t where t·z < 1, 0 where t·z > 1; at t·z = 1 the hinge op's
 * selection (`kink`, default 0).
 * @example
 * hingeLoss(tensor([2, 0.5, -1]), tensor([1, 1, 1]))  // (0 + 0.5 + 2) / 3
 */
export function hingeLoss(scores: TensorLike, targets: TensorLike, opts: LossOptions & KinkOption = {}): Tensor {
  checkOptions(opts, ['reduction', 'kink'], 'hingeLoss()');
  const z = asTensor(scores, 'hingeLoss()', 'scores');
  const t = asTensor(targets, 'hingeLoss()', 'targets');
  const reduction = checkReduction(opts.reduction ?? 'mean', 'hingeLoss');
  if (!shapesEqual(t.shape, z.shape)) throw new ShapeError(`hingeLoss: targets ${formatShape(t.shape)} must have the scores' shape ${formatShape(z.shape)}`);
  const td = concreteData(t, 'hingeLoss() (targets)');
  for (let i = 0; i < td.length; i++) {
    if (td[i] !== 1 && td[i] !== -1) throw new InvalidArgumentError(`hingeLoss: target ${td[i]} at flat index ${i} is not −1 or +1`);
  }
  return reduceLoss(hinge(mul(t, z), opts.kink === undefined ? undefined : { kink: opts.kink }), reduction);
}
