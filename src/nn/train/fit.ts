/**
 * @file The training loop `fit`: epochs of shuffled minibatches, one optimiser step per batch,
 * training and validation loss / accuracy per epoch, early stopping, checkpoints and exact resume.
 *
 * Determinism: the batch order of epoch e is `batches(n, { seed, epoch: e, shuffle })` and the
 * forward key (dropout masks) of step s of epoch e is hashSeed(seed, e, s); the validation split
 * is a seeded permutation of the samples. Nothing else draws, so the run is a pure function of
 * (model, initial params, data, options) and a run resumed from any checkpoint takes exactly the
 * same remaining steps: its final parameters equal the uninterrupted run's bit for bit.
 *
 * One step: (loss, logits, state') = forward in training mode; g = ∂loss/∂params by reverse mode
 * (one `vjp` with the logits and the new layer state as auxiliary outputs, cotangent zero);
 * (u, optState) = optimizer.update(g, optState, params); params ← params + u. A non-finite loss
 * or gradient stops the run before the update, naming the epoch and the step: the parameters
 * returned and the checkpoint on disk are the last good ones.
 */
import { InvalidArgumentError, NonFiniteError } from '../../core/errors.js';
import { failurePolicy, handleFailure, type FailurePolicy } from '../../core/failure.js';
import { checkCount, checkOptions } from '../../core/options.js';
import { rng } from '../../core/rng.js';
import { concreteData, describeValue, fromData, type Tensor } from '../../core/tensor.js';
import { batches, gatherRows, numBatches } from '../../data/batches.js';
import { hashSeed } from '../../autodiff/kinks.js';
import { flatten } from '../../autodiff/tree.js';
import { vjp } from '../../autodiff/transforms.js';
import type { Layer, LayerState, Params } from '../layer.js';
import { applyUpdates, inPlaceOptimizer, type GradientTransformation, type TransformState } from '../optim.js';
import { checkFingerprint, checkpointPath, hasCheckpoint, loadCheckpoint, saveCheckpoint, type CheckpointData } from './checkpoint.js';
import { checkLabelled, checkMetrics, countCorrect, evaluate, softmaxCrossEntropy, type LabelledData, type LossFn, type MetricName } from './metrics.js';
import { CheckpointError, encodeTree } from './serialize.js';

/** A non-finite loss or gradient during training; names the epoch and step (1-based). */
export class TrainingDivergedError extends NonFiniteError {
  override name = 'TrainingDivergedError';
  constructor(
    message: string,
    /** 1-based epoch. */
    readonly epoch: number,
    /** 1-based step within the epoch. */
    readonly step: number,
    /** 1-based optimiser step over the whole run. */
    readonly globalStep: number,
  ) {
    super(message);
  }
}

/** A quantity early stopping can watch. */
export type Monitor = 'loss' | 'accuracy' | 'valLoss' | 'valAccuracy';

/** Options of early stopping. */
export interface EarlyStoppingOptions {
  /** Quantity to watch (default 'valLoss', or 'loss' without a validation set). */
  monitor?: Monitor;
  /** Epochs without improvement before stopping (default 5). */
  patience?: number;
  /** Least change that counts as an improvement (default 0). */
  minDelta?: number;
  /** 'min', 'max', or 'auto' (default: max for accuracies, min for losses). */
  mode?: 'min' | 'max' | 'auto';
}

/** Checkpointing options of {@link fit}. */
export interface CheckpointOptions {
  /** Directory of the checkpoint file (created when missing). */
  dir: string;
  /** Save every `every` optimiser steps, or at the end of every epoch ('epoch', the default). */
  every?: number | 'epoch';
  /** fsync the file before its rename (default true: durable across power loss). */
  fsync?: boolean;
}

/** One epoch's record. */
export interface EpochRecord {
  /** 1-based epoch number. */
  epoch: number;
  /** Mean training loss over the epoch's batches (weighted by batch size), in training mode. */
  loss: number;
  /** Training accuracy over the epoch (from the training-mode logits). */
  accuracy?: number;
  valLoss?: number;
  valAccuracy?: number;
  /** The step size of the epoch's last step (when the optimiser reports it). */
  lr?: number;
  /** Optimiser steps taken so far. */
  globalStep: number;
  /** Wall-clock seconds of this epoch (including validation). */
  seconds: number;
}

/** What {@link fit}'s `onStep` receives after each step. */
export interface StepInfo {
  /** 1-based epoch and step within it. */
  epoch: number;
  step: number;
  stepsPerEpoch: number;
  epochs: number;
  globalStep: number;
  /** The batch's loss. */
  loss: number;
}

/** Options of {@link fit}. */
export interface FitOptions {
  /** The optimiser (`sgd`, `heavyBall`, `adam`, `chain(...)`, …). Required. */
  optimizer: GradientTransformation<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Number of epochs (required, ≥ 1). */
  epochs: number;
  /** Samples per batch (default 32). */
  batchSize?: number;
  /** Seed of the shuffles, of the validation split and of the dropout keys (default 0). */
  seed?: number;
  /** Shuffle the samples each epoch (default true). */
  shuffle?: boolean;
  /** Loss of a batch (default softmax cross-entropy, mean over the batch). */
  loss?: LossFn;
  /** Fraction in (0, 1) of the samples held out (seeded) for validation. */
  validationSplit?: number;
  /** An explicit validation set (instead of `validationSplit`). */
  validationData?: LabelledData;
  /** Metrics besides the loss (default ['accuracy']). */
  metrics?: MetricName[];
  /** Batch size of validation passes (default 256). */
  evalBatchSize?: number;
  earlyStopping?: EarlyStoppingOptions;
  /** Called after each epoch with its record (after the checkpoint of that epoch is written). */
  onEpoch?: (record: EpochRecord) => void;
  /** Called after each optimiser step. Throwing from it interrupts the run (the checkpoint stays). */
  onStep?: (info: StepInfo) => void;
  checkpoint?: CheckpointOptions;
  /** Resume from `checkpoint.dir`: true requires a checkpoint there, 'auto' uses one if present. */
  resume?: boolean | 'auto';
  /** Saved in the checkpoint's fingerprint and compared at resume (e.g. the model spec, the lr). */
  runInfo?: Record<string, unknown>;
  /** Non-finite loss or gradient: throw `TrainingDivergedError` (default), or warn / return with stopReason 'diverged'. */
  onFailure?: FailurePolicy;
}

/** What {@link fit} returns. */
export interface FitResult<P = Params, S = LayerState> {
  params: P;
  state: S;
  optState: TransformState;
  history: EpochRecord[];
  /** Why training ended. */
  stopReason: 'completed' | 'early-stopping' | 'diverged';
  /** Epochs completed. */
  epochs: number;
  globalStep: number;
  /** Epoch (1-based) with the best monitored value under early stopping. */
  bestEpoch?: number;
  /** Wall-clock seconds of training, including the time before a resume. */
  seconds: number;
  /** The global step the run resumed from (absent when it started fresh). */
  resumedFrom?: number;
  /** The error that stopped a diverged run (with onFailure 'warn' / 'return'). */
  error?: TrainingDivergedError;
}

const FIT_KEYS = [
  'optimizer', 'epochs', 'batchSize', 'seed', 'shuffle', 'loss', 'validationSplit', 'validationData', 'metrics', 'evalBatchSize',
  'earlyStopping', 'onEpoch', 'onStep', 'checkpoint', 'resume', 'runInfo', 'onFailure',
];

/** A cheap content fingerprint of the labels (FNV-1a over the label bytes). */
function labelsHash(y: Int32Array): string {
  let h = 0x811c9dc5;
  const b = new Uint8Array(y.buffer, y.byteOffset, y.byteLength);
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return (h >>> 0).toString(16);
}

/** The seeded validation split: the first ⌈split·n⌉ of a permutation are held out. */
function splitIndices(n: number, split: number, seed: number): { train: Int32Array; val: Int32Array } {
  const perm = rng(hashSeed(seed >>> 0, 0x76616c)).permutation(n);
  const nVal = Math.max(1, Math.round(split * n));
  if (nVal >= n) throw new InvalidArgumentError(`fit(): validationSplit ${split} leaves no training samples out of ${n}`);
  const val = perm.slice(0, nVal).sort();
  const train = perm.slice(nVal).sort();
  return { train, val };
}

function isFiniteTree(leaves: readonly Tensor[]): boolean {
  for (const t of leaves) {
    const d = concreteData(t, 'fit()');
    for (let j = 0; j < d.length; j++) if (!Number.isFinite(d[j]!)) return false;
  }
  return true;
}

/**
 * Trains `model` from `init` ({ params, state } as `model.init` returns) on a labelled set.
 * Returns the final parameters, layer state and optimiser state, and the per-epoch history.
 * With `checkpoint: { dir }` the run saves atomically (every epoch, or every `every` steps) and
 * `resume: true` continues from the saved position, ending bit-identical to an uninterrupted run.
 * @example
 * const model = sequential([linear(32), reluLayer(), linear(10)]);
 * const init = model.init(0, [64]);
 * const r = fit(model, init, { x, y }, { optimizer: adam({ lr: 1e-3 }), epochs: 5, batchSize: 32, validationSplit: 0.1 });
 * r.history.at(-1)?.valAccuracy;
 */
export function fit<P, S>(model: Layer<P, S>, init: { params: P; state: S }, data: LabelledData, options: FitOptions): FitResult<P, S> {
  const where = 'fit()';
  checkOptions(options, FIT_KEYS, where);
  if (!options) throw new InvalidArgumentError(`${where}: options { optimizer, epochs, ... } are required`);
  if (!model || typeof model.forward !== 'function') throw new InvalidArgumentError(`${where}: model must be a layer (with init and forward), got ${describeValue(model)}`);
  if (!init || typeof init !== 'object' || !('params' in init)) throw new InvalidArgumentError(`${where}: init must be { params, state } as model.init() returns`);
  const { x, y } = checkLabelled(data, where, 'data');
  const opt = options.optimizer;
  if (!opt || typeof opt.init !== 'function' || typeof opt.update !== 'function') {
    throw new InvalidArgumentError(`${where}: option optimizer must be a gradient transformation (sgd(), adam(), ...), got ${describeValue(opt)}`);
  }
  const epochs = checkCount(options.epochs, where, 'option epochs', 1);
  const batchSize = checkCount(options.batchSize ?? 32, where, 'option batchSize', 1);
  const evalBatchSize = checkCount(options.evalBatchSize ?? 256, where, 'option evalBatchSize', 1);
  const seed = options.seed ?? 0;
  if (!Number.isSafeInteger(seed)) throw new InvalidArgumentError(`${where}: option seed must be an integer, got ${describeValue(seed)}`);
  const shuffle = options.shuffle ?? true;
  const loss = options.loss ?? softmaxCrossEntropy;
  if (typeof loss !== 'function') throw new InvalidArgumentError(`${where}: option loss must be a function (logits, labels) => scalar tensor`);
  const metrics = checkMetrics(options.metrics, where);
  const wantAcc = metrics.includes('accuracy');
  const policy = failurePolicy(options.onFailure, where);

  // training / validation sets (index maps into the one stored dataset: no copy of the data)
  let trainIdx: Int32Array | null = null;
  let val: LabelledData | null = null;
  if (options.validationSplit !== undefined && options.validationData !== undefined) {
    throw new InvalidArgumentError(`${where}: give validationSplit or validationData, not both`);
  }
  if (options.validationSplit !== undefined) {
    const s = options.validationSplit;
    if (typeof s !== 'number' || !(s > 0 && s < 1)) throw new InvalidArgumentError(`${where}: option validationSplit must be in (0, 1), got ${describeValue(s)}`);
    const sp = splitIndices(y.length, s, seed);
    trainIdx = sp.train;
    val = { x: gatherRows(x, sp.val), y: gatherRows(y, sp.val) };
  } else if (options.validationData !== undefined) {
    val = checkLabelled(options.validationData, where, 'option validationData');
  }
  const nTrain = trainIdx ? trainIdx.length : y.length;
  if (nTrain === 0) throw new InvalidArgumentError(`${where}: data has no samples`);
  const stepsPerEpoch = numBatches(nTrain, { batchSize });

  // early stopping
  let es: { monitor: Monitor; patience: number; minDelta: number; sign: number } | null = null;
  if (options.earlyStopping !== undefined) {
    const e = options.earlyStopping;
    checkOptions(e, ['monitor', 'patience', 'minDelta', 'mode'], `${where} earlyStopping`);
    const monitor = e.monitor ?? (val ? 'valLoss' : 'loss');
    const monitors: Monitor[] = ['loss', 'accuracy', 'valLoss', 'valAccuracy'];
    if (!monitors.includes(monitor)) throw new InvalidArgumentError(`${where}: earlyStopping.monitor ${describeValue(monitor)} is unknown; valid: ${monitors.join(', ')}`);
    if (monitor.startsWith('val') && !val) throw new InvalidArgumentError(`${where}: earlyStopping.monitor '${monitor}' needs validationSplit or validationData`);
    if (/ccuracy/.test(monitor) && !wantAcc) throw new InvalidArgumentError(`${where}: earlyStopping.monitor '${monitor}' needs 'accuracy' in metrics`);
    const mode = e.mode ?? 'auto';
    if (mode !== 'min' && mode !== 'max' && mode !== 'auto') throw new InvalidArgumentError(`${where}: earlyStopping.mode must be 'min', 'max' or 'auto', got ${describeValue(mode)}`);
    const max = mode === 'max' || (mode === 'auto' && /ccuracy/.test(monitor));
    const minDelta = e.minDelta ?? 0;
    if (typeof minDelta !== 'number' || !(minDelta >= 0)) throw new InvalidArgumentError(`${where}: earlyStopping.minDelta must be a number ≥ 0, got ${describeValue(minDelta)}`);
    es = { monitor, patience: checkCount(e.patience ?? 5, where, 'earlyStopping.patience', 1), minDelta, sign: max ? -1 : 1 };
  }

  // checkpoints
  const ck = options.checkpoint;
  if (ck !== undefined) {
    checkOptions(ck, ['dir', 'every', 'fsync'], `${where} checkpoint`);
    if (typeof ck.dir !== 'string' || ck.dir === '') throw new InvalidArgumentError(`${where}: checkpoint.dir must be a directory path`);
    if (ck.every !== undefined && ck.every !== 'epoch') checkCount(ck.every, where, 'checkpoint.every', 1);
  }
  const every = ck?.every ?? 'epoch';
  const resume = options.resume ?? false;
  if (resume !== true && resume !== false && resume !== 'auto') throw new InvalidArgumentError(`${where}: option resume must be true, false or 'auto', got ${describeValue(resume)}`);
  if (resume && !ck) throw new InvalidArgumentError(`${where}: option resume needs checkpoint: { dir }`);

  const paramsSkeleton = encodeTree(init.params).skeleton;
  const fingerprint: Record<string, unknown> = {
    seed, batchSize, shuffle, nTrain, nVal: val ? val.y.length : 0, inputShape: x.shape.slice(1), labels: labelsHash(y),
    validationSplit: options.validationSplit ?? null, optimizer: opt.name ?? null, metrics, params: paramsSkeleton,
    earlyStopping: es, runInfo: options.runInfo ?? null,
  };

  // the run's state
  let params = init.params;
  let lstate = init.state;
  // the optimiser sees the list of tensor leaves, so layers with null params (activations) need no special case
  const treeOf = flatten(init.params);
  let optState = opt.init(treeOf.leaves) as TransformState;
  let pos = { epoch: 0, step: 0, globalStep: 0 };
  let accum = { sumLoss: 0, correct: 0, count: 0 };
  const history: EpochRecord[] = [];
  // best = sign · (best monitored value), sign = −1 in max mode, so "lower is better" throughout
  let esState: { best: number; bestEpoch: number; wait: number } | null = es ? { best: Infinity, bestEpoch: 0, wait: 0 } : null;
  let secondsBefore = 0;
  let resumedFrom: number | undefined;
  if (ck && (resume === true || (resume === 'auto' && hasCheckpoint(ck.dir)))) {
    const saved = loadCheckpoint(ck.dir);
    checkFingerprint(checkpointPath(ck.dir), saved.fingerprint, fingerprint);
    params = saved.params as P;
    lstate = saved.state as S;
    optState = saved.optState as TransformState;
    pos = { ...saved.position };
    accum = { ...saved.accum };
    history.push(...(saved.history as EpochRecord[]));
    esState = saved.earlyStopping;
    secondsBefore = saved.seconds;
    resumedFrom = pos.globalStep;
    if (pos.step > stepsPerEpoch) throw new CheckpointError(`the checkpoint ${checkpointPath(ck.dir)} is at step ${pos.step} of an epoch of ${stepsPerEpoch} steps`);
  }

  let paramLeaves = flatten(params).leaves;
  // adam / adamw: owned copies of the parameters and moments, stepped in place (one fused pass per
  // leaf, no allocation; the same bits as update + applyUpdates)
  const io = inPlaceOptimizer(opt, paramLeaves, optState);
  if (io) {
    paramLeaves = io.params;
    params = treeOf.rebuild(paramLeaves);
    optState = io.state;
  }
  const t0 = Date.now();
  const elapsed = () => secondsBefore + (Date.now() - t0) / 1000;
  let epochStart = Date.now();
  const save = () => {
    if (!ck) return;
    const data: CheckpointData = {
      fingerprint, position: pos, params, state: lstate, optState, accum, history, earlyStopping: esState, seconds: elapsed(),
    };
    saveCheckpoint(ck.dir, data, { fsync: ck.fsync });
  };
  const result = (stopReason: FitResult['stopReason'], error?: TrainingDivergedError): FitResult<P, S> => {
    const r: FitResult<P, S> = { params, state: lstate, optState, history, stopReason, epochs: history.length, globalStep: pos.globalStep, seconds: elapsed() };
    if (esState && esState.bestEpoch > 0) r.bestEpoch = esState.bestEpoch;
    if (resumedFrom !== undefined) r.resumedFrom = resumedFrom;
    if (error) r.error = error;
    return r;
  };
  // early stopping decided at the end of a saved epoch but before the run was killed
  if (es && esState && esState.wait >= es.patience) return result('early-stopping');

  for (; pos.epoch < epochs; pos = { epoch: pos.epoch + 1, step: 0, globalStep: pos.globalStep }) {
    const e = pos.epoch;
    epochStart = Date.now();
    const order = [...batches(nTrain, { batchSize, shuffle, seed, epoch: e })];
    for (let s = pos.step; s < stepsPerEpoch; s++) {
      let idx = order[s]!;
      if (trainIdx) {
        const mapped = new Int32Array(idx.length);
        for (let i = 0; i < idx.length; i++) mapped[i] = trainIdx[idx[i]!]!;
        idx = mapped;
      }
      const xb = gatherRows(x, idx);
      const yb = gatherRows(y, idx);
      const key = hashSeed(seed >>> 0, e, s);
      const st = lstate;
      const leaves = paramLeaves;
      const [out, pullback] = vjp((ls: Tensor[]) => {
        const r = model.forward(treeOf.rebuild(ls), st, xb, { train: true, key });
        return [loss(r.y, yb), r.y, r.state] as [Tensor, Tensor, S];
      }, leaves);
      const [lossT, logits, nextState] = out;
      const lv = concreteData(lossT, where)[0]!;
      const stepMsg = `epoch ${e + 1} of ${epochs}, step ${s + 1} of ${stepsPerEpoch} (global step ${pos.globalStep + 1})`;
      const lastGood = ck ? `; the last good checkpoint ${checkpointPath(ck.dir)} is kept` : '';
      if (!Number.isFinite(lv)) {
        const err = new TrainingDivergedError(`${where}: the loss is ${lv} at ${stepMsg}; training stopped before this step's update (lower the learning rate?)${lastGood}`, e + 1, s + 1, pos.globalStep + 1);
        handleFailure(policy, err);
        return result('diverged', err);
      }
      const outFlat = flatten(out);
      const cot = outFlat.rebuild(outFlat.leaves.map((t, i) => fromData(i === 0 ? new Float64Array(t.size).fill(1) : new Float64Array(t.size), t.shape.slice())));
      const [grads] = pullback(cot);
      if (!isFiniteTree(grads)) {
        const err = new TrainingDivergedError(`${where}: the gradient is not finite at ${stepMsg} (loss ${lv}); training stopped before this step's update${lastGood}`, e + 1, s + 1, pos.globalStep + 1);
        handleFailure(policy, err);
        return result('diverged', err);
      }
      if (io) {
        io.step(grads);
        optState = io.state;
      } else {
        const upd = opt.update(grads, optState, leaves);
        paramLeaves = applyUpdates(leaves, upd.updates as Tensor[]);
        params = treeOf.rebuild(paramLeaves);
        optState = upd.state as TransformState;
      }
      lstate = nextState;
      accum = {
        sumLoss: accum.sumLoss + lv * idx.length,
        correct: accum.correct + (wantAcc ? countCorrect(logits, yb) : 0),
        count: accum.count + idx.length,
      };
      pos = { epoch: e, step: s + 1, globalStep: pos.globalStep + 1 };
      if (typeof every === 'number' && pos.globalStep % every === 0 && s + 1 < stepsPerEpoch) save();
      options.onStep?.({ epoch: e + 1, step: s + 1, stepsPerEpoch, epochs, globalStep: pos.globalStep, loss: lv });
    }
    // end of epoch: metrics, validation, history, early stopping, checkpoint
    const rec: EpochRecord = { epoch: e + 1, loss: accum.sumLoss / accum.count, globalStep: pos.globalStep, seconds: 0 };
    if (wantAcc) rec.accuracy = accum.correct / accum.count;
    if (val) {
      const ev = evaluate(model, params, lstate, val, { batchSize: evalBatchSize, loss, metrics });
      rec.valLoss = ev.loss;
      if (ev.accuracy !== undefined) rec.valAccuracy = ev.accuracy;
    }
    if (typeof optState.lr === 'number' && Number.isFinite(optState.lr)) rec.lr = optState.lr;
    rec.seconds = (Date.now() - epochStart) / 1000;
    history.push(rec);
    accum = { sumLoss: 0, correct: 0, count: 0 };
    let stop = false;
    if (es && esState) {
      const v = rec[es.monitor];
      if (typeof v === 'number' && es.sign * v < esState.best - es.minDelta) {
        esState = { best: es.sign * v, bestEpoch: e + 1, wait: 0 };
      } else {
        esState = { ...esState, wait: esState.wait + 1 };
      }
      stop = esState.wait >= es.patience;
    }
    pos = { epoch: e + 1, step: 0, globalStep: pos.globalStep };
    if (ck) save();
    options.onEpoch?.(rec);
    if (stop) return result('early-stopping');
    pos = { epoch: e, step: 0, globalStep: pos.globalStep }; // the loop's increment moves to e + 1
  }
  return result('completed');
}
