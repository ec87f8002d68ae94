/**
 * @file Inference and metrics of classifiers: `predict` (batched eval-mode forward passes),
 * `evaluate` (mean loss and accuracy over a labelled set), and the small helpers the training loop
 * shares with them (`countCorrect`, the default loss). Accuracy = (1/n) Σ_i [argmax_c z_ic = y_i]
 * (ties go to the lowest class index, as numpy's argmax).
 */
import { InvalidArgumentError, ShapeError } from '../../core/errors.js';
import { checkCount, checkOptions } from '../../core/options.js';
import { concreteData, describeValue, fromData, Tensor } from '../../core/tensor.js';
import { gatherRows } from '../../data/batches.js';
import { crossEntropy } from '../../ops/losses.js';
import type { Layer, LayerState, Params } from '../layer.js';

/** A labelled set: inputs with a leading sample axis and one integer class label per sample. */
export interface LabelledData {
  /** [n, ...inputShape] */
  x: Tensor;
  /** n class labels in [0, classes). */
  y: Int32Array;
}

/** A loss of a batch: logits [b, C] and labels → a scalar tensor, the mean over the batch. */
export type LossFn = (logits: Tensor, labels: Int32Array) => Tensor;

/** Metrics computed besides the loss. */
export type MetricName = 'accuracy';

/** The metric names {@link evaluate} and `fit` know. */
export const METRIC_NAMES: readonly MetricName[] = ['accuracy'];

/** The default loss: softmax cross-entropy, mean over the batch. */
export const softmaxCrossEntropy: LossFn = (logits, labels) => crossEntropy(logits, labels);

/**
 * Throws unless `data` is `{ x: Tensor [n, …], y: Int32Array of n labels }`; returns it typed.
 * @example
 * checkLabelled({ x: zeros([2, 3]), y: Int32Array.of(0, 1) }, 'fit()', 'data');
 */
export function checkLabelled(data: unknown, where: string, arg: string): LabelledData {
  const d = data as LabelledData;
  if (!d || !(d.x instanceof Tensor) || !(d.y instanceof Int32Array)) {
    throw new InvalidArgumentError(`${where}: ${arg} must be { x: Tensor [n, ...], y: Int32Array of n labels }, got ${describeValue(data)}`);
  }
  if (d.x.ndim < 1 || d.x.shape[0] !== d.y.length) {
    throw new ShapeError(`${where}: ${arg}.x has ${d.x.ndim < 1 ? 'no sample axis' : d.x.shape[0] + ' samples'} but ${arg}.y has ${d.y.length} labels`);
  }
  return d;
}

/**
 * Checks a metrics list (default ['accuracy']; unknown names list the valid ones).
 * @example
 * checkMetrics(undefined, 'fit()'); // ['accuracy']
 */
export function checkMetrics(metrics: unknown, where: string): MetricName[] {
  if (metrics === undefined) return ['accuracy'];
  if (!Array.isArray(metrics)) throw new InvalidArgumentError(`${where}: option metrics must be an array of ${METRIC_NAMES.join(', ')}, got ${describeValue(metrics)}`);
  for (const m of metrics) {
    if (!(METRIC_NAMES as readonly unknown[]).includes(m)) {
      throw new InvalidArgumentError(`${where}: unknown metric ${describeValue(m)}; valid metrics: ${METRIC_NAMES.join(', ')}`);
    }
  }
  return metrics as MetricName[];
}

/**
 * The number of rows of `logits` ([b, C], concrete) whose argmax equals the label.
 * @example
 * countCorrect(tensor([[0, 1], [2, 1]]), Int32Array.of(1, 1)); // 1
 */
export function countCorrect(logits: Tensor, labels: Int32Array): number {
  const z = concreteData(logits, 'countCorrect()');
  const b = labels.length;
  if (logits.ndim !== 2 || logits.shape[0] !== b) throw new ShapeError(`countCorrect(): logits must be [${b}, classes], got [${logits.shape.join(', ')}]`);
  const C = logits.shape[1]!;
  let correct = 0;
  for (let i = 0; i < b; i++) {
    let best = 0;
    let bv = z[i * C]!;
    for (let c = 1; c < C; c++) {
      const v = z[i * C + c]!;
      if (v > bv) {
        bv = v;
        best = c;
      }
    }
    if (best === labels[i]) correct++;
  }
  return correct;
}

/** Options of {@link predict}. */
export interface PredictOptions {
  /** Samples per forward pass (default 256). */
  batchSize?: number;
  /** Layer state (running statistics) for stateful models; default null. */
  state?: LayerState;
}

/**
 * The model's outputs for every row of `x`, in eval mode, computed `batchSize` rows at a time.
 * @example
 * const logits = predict(model, params, x, { batchSize: 128 }); // [n, classes]
 */
export function predict(model: Layer, params: Params, x: Tensor, opts: PredictOptions = {}): Tensor {
  const where = 'predict()';
  checkOptions(opts, ['batchSize', 'state'], where);
  const bs = checkCount(opts.batchSize ?? 256, 'predict', 'batchSize', 1);
  if (!(x instanceof Tensor) || x.ndim < 1) throw new InvalidArgumentError(`${where}: x must be a Tensor with a leading sample axis, got ${describeValue(x)}`);
  const n = x.shape[0]!;
  const parts: Float64Array[] = [];
  let outShape: number[] | null = null;
  for (let s = 0; s < n; s += bs) {
    const idx = new Int32Array(Math.min(bs, n - s));
    for (let i = 0; i < idx.length; i++) idx[i] = s + i;
    const xb = n <= bs ? x : gatherRows(x, idx);
    const y = model.forward(params, opts.state ?? null, xb, { train: false }).y;
    outShape = y.shape.slice(1);
    parts.push(concreteData(y, where));
  }
  if (outShape === null) throw new InvalidArgumentError(`${where}: x has no samples`);
  const per = outShape.reduce((a, b) => a * b, 1);
  const out = new Float64Array(n * per);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return fromData(out, [n, ...outShape]);
}

/** Options of {@link evaluate}. */
export interface EvaluateOptions {
  /** Samples per forward pass (default 256). */
  batchSize?: number;
  /** Loss of a batch (mean over the batch). Default: softmax cross-entropy. */
  loss?: LossFn;
  /** Metrics besides the loss (default ['accuracy']). */
  metrics?: MetricName[];
}

/** What {@link evaluate} returns. */
export interface Evaluation {
  /** Mean loss over the samples. */
  loss: number;
  /** Fraction of correctly classified samples (when 'accuracy' is among the metrics). */
  accuracy?: number;
  /** Number of samples. */
  n: number;
}

/**
 * Mean loss and accuracy of a classifier over a labelled set (eval mode, batched). The mean loss
 * is Σ_batches b·loss_b / n, exact for a mean-reduced loss.
 * @example
 * const { loss, accuracy } = evaluate(model, params, null, { x, y }, { batchSize: 256 });
 */
export function evaluate(model: Layer, params: Params, state: LayerState, data: LabelledData, opts: EvaluateOptions = {}): Evaluation {
  const where = 'evaluate()';
  checkOptions(opts, ['batchSize', 'loss', 'metrics'], where);
  const { x, y } = checkLabelled(data, where, 'data');
  const bs = checkCount(opts.batchSize ?? 256, 'evaluate', 'batchSize', 1);
  const loss = opts.loss ?? softmaxCrossEntropy;
  if (typeof loss !== 'function') throw new InvalidArgumentError(`${where}: option loss must be a function (logits, labels) => scalar tensor`);
  const metrics = checkMetrics(opts.metrics, where);
  const n = y.length;
  if (n === 0) throw new InvalidArgumentError(`${where}: data has no samples`);
  let sumLoss = 0;
  let correct = 0;
  for (let s = 0; s < n; s += bs) {
    const m = Math.min(bs, n - s);
    const idx = new Int32Array(m);
    for (let i = 0; i < m; i++) idx[i] = s + i;
    const xb = n <= bs ? x : gatherRows(x, idx);
    const yb = n <= bs ? y : gatherRows(y, idx);
    const z = model.forward(params, state, xb, { train: false }).y;
    sumLoss += m * concreteData(loss(z, yb), where)[0]!;
    if (metrics.includes('accuracy')) correct += countCorrect(z, yb);
  }
  const out: Evaluation = { loss: sumLoss / n, n };
  if (metrics.includes('accuracy')) out.accuracy = correct / n;
  return out;
}
