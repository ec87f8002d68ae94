/**
 * @file `nsdiff train` and `nsdiff evaluate`: train a classifier (mlp / cnn from the model
 * registry) on digits or Fashion-MNIST with sgd / heavy-ball / adam, with progress and ETA on
 * stderr, one line per epoch on stdout (`--json`: one JSON object per line, then a final line with
 * testAccuracy, testLoss, epochs, seconds), checkpoints with exact resume (`--checkpoint DIR
 * --resume`), learning curves as SVG (`--plot`) and the model saved atomically (`--out`).
 * Every option is validated before any work; outputs that would overwrite an input are refused.
 */
import type { DeqLayer } from '../nn/deq/deq.js';
import { join } from 'node:path';
import { InvalidArgumentError } from '../core/errors.js';
import { FASHION_MNIST_DIR } from '../data/idx.js';
import { datasetPath } from '../data/files.js';
import { adam, heavyBall, sgd, type GradientTransformation } from '../nn/optim.js';
import { constant, cosineDecay, stepDecay, type Schedule } from '../nn/schedules.js';
import { buildModel, modelNames, modelSpec } from '../nn/models.js';
import { fit, type EpochRecord, type FitResult } from '../nn/train/fit.js';
import { evaluate } from '../nn/train/metrics.js';
import { loadClassificationData, CLASSIFICATION_DATASETS, type ClassificationDatasetName } from '../nn/train/data.js';
import { loadModel, saveModel } from '../nn/train/model_file.js';
import { checkpointPath } from '../nn/train/checkpoint.js';
import { learningCurvesChart } from '../plot/figures.js';
import { intIn, numberIn, oneOf } from './options.js';
import { checkOutputs, writeFileAtomic } from './output.js';
import { makeProgress } from './progress.js';
import type { CliIO } from './lasso.js';

const OPTIMIZERS = ['sgd', 'heavy-ball', 'adam'] as const;
const SCHEDULES = ['constant', 'cosine', 'step'] as const;

const defaultIO = (): CliIO => ({ out: (s) => console.log(s), err: (s) => void process.stderr.write(s + '\n'), errStream: process.stderr });

/** Options of `nsdiff train` (raw strings from the command line). */
export interface TrainCliOptions {
  dataset?: string;
  dataDir?: string;
  model?: string;
  hidden?: string;
  optimizer?: string;
  epochs?: string;
  batchSize?: string;
  lr?: string;
  momentum?: string;
  weightDecay?: string;
  schedule?: string;
  seed?: string;
  validationSplit?: string;
  patience?: string;
  limit?: string;
  checkpoint?: string;
  checkpointEvery?: string;
  resume?: boolean;
  json?: boolean;
  plot?: string;
  out?: string;
  quiet?: boolean;
}

/** Options of `nsdiff evaluate`. */
export interface EvaluateCliOptions {
  dataset?: string;
  dataDir?: string;
  limit?: string;
  batchSize?: string;
  json?: boolean;
}

function fmtSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${s.toFixed(0)}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(Math.round(s - 60 * m)).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** A number in [0, hi), or undefined when absent. */
function nonNegative(value: string | undefined, flag: string, hi: number): number | undefined {
  if (value === undefined) return undefined;
  const n = value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(n) || n < 0 || n >= hi) throw new InvalidArgumentError(`${flag} must be a number ${hi === Infinity ? '≥ 0' : `in [0, ${hi})`}; got '${value}'`);
  return n;
}

function hiddenList(v: string | undefined): number[] | undefined {
  if (v === undefined) return undefined;
  const parts = v.split(',').map((s) => (s.trim() === '' ? NaN : Number(s)));
  if (parts.some((n) => !Number.isInteger(n) || n < 1)) throw new InvalidArgumentError(`--hidden must be comma-separated positive integers (e.g. 256,128); got '${v}'`);
  return parts;
}

/**
 * Sums of the DEQ reports of one epoch's steps (reset at each epoch): forward / backward
 * iterations, convergence, the forward / backward time split, and the invertibility estimates
 * the layer made on its sampled steps (ρ(∂_z f), ‖∂_z f‖₂, σ_min(I − ∂_z f) bracketed by 1 − ‖∂_z f‖₂
 * and a shifted power-iteration upper bound (min over the epoch's estimates), kinks at z*).
 */
const emptyDeqSums = () => ({
  n: 0, fIt: 0, fMax: 0, conv: 0, bIt: 0, bMax: 0, fMs: 0, bMs: 0, lastT: Date.now(),
  invN: 0, rhoSum: 0, rhoMax: 0, normMax: 0, sigmaMin: Infinity, sigmaMinUp: Infinity, kinks: 0, atRisk: 0,
});

/** Per-epoch DEQ solver statistics from the sums. */
function deqEpochStats(d: ReturnType<typeof emptyDeqSums>) {
  return {
    forwardIterationsMean: d.fIt / d.n,
    forwardIterationsMax: d.fMax,
    fractionConverged: d.conv / d.n,
    backwardIterationsMean: d.bIt / d.n,
    backwardIterationsMax: d.bMax,
    forwardSeconds: d.fMs / 1000,
    backwardSeconds: d.bMs / 1000,
    seconds: (Date.now() - d.lastT) / 1000,
    ...(d.invN > 0 && {
      invertibility: {
        estimates: d.invN,
        spectralRadiusMean: d.rhoSum / d.invN,
        spectralRadiusMax: d.rhoMax,
        spectralNormMax: d.normMax,
        sigmaMinLowerBound: d.sigmaMin,
        sigmaMinUpperBound: d.sigmaMinUp,
        kinks: d.kinks,
        atRisk: d.atRisk,
      },
    }),
  };
}

function deqLine(st: ReturnType<typeof deqEpochStats>): string {
  let s = `  deq: forward iterations mean ${st.forwardIterationsMean.toFixed(1)} max ${st.forwardIterationsMax}, converged ${(100 * st.fractionConverged).toFixed(1)}%, ` +
    `backward iterations mean ${st.backwardIterationsMean.toFixed(1)} max ${st.backwardIterationsMax}, time forward ${st.forwardSeconds.toFixed(1)}s backward ${st.backwardSeconds.toFixed(1)}s of ${st.seconds.toFixed(1)}s`;
  const inv = st.invertibility;
  if (inv) {
    s += `\n  deq invertibility (${inv.estimates} sampled batches): ρ(∂z f) mean ${inv.spectralRadiusMean.toFixed(3)} max ${inv.spectralRadiusMax.toFixed(3)}, ` +
      `‖∂z f‖₂ max ${inv.spectralNormMax.toFixed(3)}, σmin(I − ∂z f) ∈ [${inv.sigmaMinLowerBound.toFixed(3)}, ${inv.sigmaMinUpperBound.toFixed(3)}], kinks at z* ${inv.kinks}`;
    if (inv.atRisk > 0) s += `\n  warning: invertibility at risk on ${inv.atRisk} of ${inv.estimates} sampled batches (ρ(∂z f) ≥ 0.99 or σmin(I − ∂z f) ≤ 0.01): the implicit gradient may be inaccurate`;
  }
  return s;
}

function epochLine(r: EpochRecord, epochs: number): string {
  const f = (v: number | undefined, d = 4) => (v === undefined ? '' : v.toFixed(d));
  let s = `epoch ${r.epoch}/${epochs}  loss ${f(r.loss)}`;
  if (r.accuracy !== undefined) s += `  accuracy ${f(r.accuracy)}`;
  if (r.valLoss !== undefined) s += `  val_loss ${f(r.valLoss)}`;
  if (r.valAccuracy !== undefined) s += `  val_accuracy ${f(r.valAccuracy)}`;
  return `${s}  (${r.seconds.toFixed(1)}s)`;
}

/** Runs `nsdiff train`; returns the fit result and the test metrics (for tests). */
export function runTrain(opts: TrainCliOptions, io: CliIO = defaultIO()): { result: FitResult; testLoss: number; testAccuracy: number } {
  // validate every option first
  const dataset = oneOf(opts.dataset, CLASSIFICATION_DATASETS, '--dataset', 'digits') as ClassificationDatasetName;
  const modelName = oneOf(opts.model, modelNames(), '--model', 'mlp');
  const optName = oneOf(opts.optimizer, OPTIMIZERS, '--optimizer', 'adam');
  const scheduleName = oneOf(opts.schedule, SCHEDULES, '--schedule', 'constant');
  const epochs = intIn(opts.epochs, '--epochs', 1) ?? 10;
  const batchSize = intIn(opts.batchSize, '--batch-size', 1) ?? 128;
  const lr = numberIn(opts.lr, '--lr', 0, Infinity) ?? (optName === 'adam' ? 1e-3 : 0.1);
  const momentum = nonNegative(opts.momentum, '--momentum', 1);
  const weightDecay = nonNegative(opts.weightDecay, '--weight-decay', Infinity) ?? 0;
  const seed = intIn(opts.seed, '--seed', 0, 2 ** 32 - 1) ?? 0;
  const validationSplit = opts.validationSplit === '0' ? undefined : numberIn(opts.validationSplit, '--validation-split', 0, 1) ?? 0.1;
  const patience = intIn(opts.patience, '--patience', 1);
  const limit = intIn(opts.limit, '--limit', 1);
  const every = intIn(opts.checkpointEvery, '--checkpoint-every', 1);
  const hidden = hiddenList(opts.hidden);
  if (opts.resume && !opts.checkpoint) throw new InvalidArgumentError('--resume needs --checkpoint DIR (the directory of the run to resume)');
  if (every !== undefined && !opts.checkpoint) throw new InvalidArgumentError('--checkpoint-every needs --checkpoint DIR');
  if (patience !== undefined && validationSplit === undefined) throw new InvalidArgumentError('--patience watches the validation loss: it needs --validation-split > 0');
  if (hidden !== undefined && modelName !== 'mlp') throw new InvalidArgumentError(`--hidden is for --model mlp (the ${modelName} model has its own width; see nsdiff train --help)`);
  if (optName === 'adam' && momentum !== undefined) throw new InvalidArgumentError('--momentum is for --optimizer sgd or heavy-ball (adam has beta1 = 0.9)');
  if (optName === 'heavy-ball' && momentum === 0) throw new InvalidArgumentError('--momentum must be in (0, 1) with --optimizer heavy-ball');
  if (optName === 'heavy-ball' && weightDecay > 0) throw new InvalidArgumentError('--weight-decay is not available with --optimizer heavy-ball (use sgd --momentum, the same iterates)');
  const inputs: Record<string, string | undefined> = dataset === 'digits' ? { '--dataset': datasetPath('digits') } : {};
  if (dataset === 'fashion-mnist') {
    for (const f of ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) {
      inputs[`--dataset (${f})`] = join(opts.dataDir ?? FASHION_MNIST_DIR, `${f}.gz`);
    }
  }
  if (opts.checkpoint) inputs['--checkpoint'] = checkpointPath(opts.checkpoint);
  checkOutputs({ '--out': opts.out, '--plot': opts.plot }, inputs);

  const data = loadClassificationData(dataset, { ...(opts.dataDir !== undefined && { dataDir: opts.dataDir }), ...(limit !== undefined && { limit }) });
  const inputShape = data.train.x.shape.slice(1);
  const config: Record<string, unknown> = { classes: data.classes };
  if (modelName === 'mlp' && hidden) config.hidden = hidden;
  if (modelName === 'cnn') {
    config.imageShape = data.imageShape;
    if (dataset === 'digits') config.channels = [8, 16];
  }
  const spec = modelSpec(modelName, config, inputShape);
  const model = buildModel(spec);
  const init = model.init(seed, inputShape);

  const n = data.train.y.length;
  const nTrain = validationSplit === undefined ? n : n - Math.max(1, Math.round(validationSplit * n));
  const stepsPerEpoch = Math.ceil(nTrain / batchSize);
  const totalSteps = stepsPerEpoch * epochs;
  const schedule: Schedule =
    scheduleName === 'cosine' ? cosineDecay({ init: lr, steps: totalSteps }) : scheduleName === 'step' ? stepDecay({ init: lr, factor: 0.1, every: Math.max(1, Math.round(totalSteps / 3)) }) : constant(lr);
  let optimizer: GradientTransformation;
  if (optName === 'sgd') optimizer = sgd({ lr: schedule, momentum: momentum ?? 0, weightDecay });
  else if (optName === 'heavy-ball') optimizer = heavyBall({ alpha: schedule, beta: 1 - (momentum ?? 0.9) });
  else optimizer = adam({ lr: schedule, weightDecay });

  const runInfo = { dataset, limit: limit ?? null, model: spec, optimizer: optName, lr, momentum: momentum ?? null, weightDecay, schedule: scheduleName, epochsPlanned: scheduleName === 'constant' ? null : epochs };
  const progress = makeProgress('training', totalSteps, { quiet: !!opts.quiet, ...(io.errStream && { stream: io.errStream }) });
  const t0 = Date.now();
  let firstStep: number | null = null;
  // DEQ models: the solver statistics of every step, summarised per epoch (issue 10's training log)
  const deqLayer = ((model as { layers?: readonly unknown[] }).layers ?? []).find((l): l is DeqLayer<unknown> => typeof l === 'function' && 'lastReport' in l);
  let deq = emptyDeqSums();
  let lastDeqReport: unknown = null;
  const result = fit(model, init, data.train, {
    optimizer,
    epochs,
    batchSize,
    seed,
    ...(validationSplit !== undefined && { validationSplit }),
    ...(patience !== undefined && { earlyStopping: { monitor: 'valLoss' as const, patience } }),
    ...(opts.checkpoint && { checkpoint: { dir: opts.checkpoint, ...(every !== undefined && { every }) }, resume: opts.resume ? true : false }),
    runInfo,
    onStep: (s) => {
      const rep = deqLayer?.lastReport;
      if (rep && rep !== lastDeqReport) {
        lastDeqReport = rep;
        deq.n++;
        deq.fIt += rep.forward.meanIterations;
        deq.fMax = Math.max(deq.fMax, rep.forward.maxIterations);
        deq.conv += rep.forward.fractionConverged;
        const it = rep.backwardSamples?.meanIterations ?? rep.implicit?.linearSolve?.iterations ?? 0;
        deq.bIt += it;
        deq.bMax = Math.max(deq.bMax, rep.backwardSamples?.maxIterations ?? it);
        deq.fMs += rep.forwardMs;
        deq.bMs += rep.backwardMs ?? 0;
        const inv = rep.invertibility;
        if (inv) {
          deq.invN++;
          deq.rhoSum += inv.spectralRadius;
          deq.rhoMax = Math.max(deq.rhoMax, inv.spectralRadius);
          deq.normMax = Math.max(deq.normMax, inv.spectralNorm);
          deq.sigmaMin = Math.min(deq.sigmaMin, inv.sigmaMinLowerBound);
          deq.sigmaMinUp = Math.min(deq.sigmaMinUp, inv.sigmaMinUpperBound);
          deq.kinks += inv.kinks;
          if (inv.atRisk) deq.atRisk++;
        }
      }
      firstStep ??= s.globalStep - 1;
      const done = s.globalStep - firstStep;
      const rate = (Date.now() - t0) / 1000 / done;
      progress.update(s.globalStep, `epoch ${s.epoch}/${s.epochs} loss ${s.loss.toFixed(4)} ETA ${fmtSeconds(rate * (totalSteps - s.globalStep))}`);
    },
    onEpoch: (r) => {
      const stats = deqLayer && deq.n > 0 ? deqEpochStats(deq) : undefined;
      if (opts.json) io.out(JSON.stringify({ type: 'epoch', ...r, ...(stats && { deq: stats }) }));
      else io.out(epochLine(r, epochs) + (stats ? `\n${deqLine(stats)}` : ''));
      deq = emptyDeqSums();
    },
  });
  progress.stop();
  const test = evaluate(model, result.params, result.state, data.test, { batchSize: 512 });
  const final = {
    type: 'final',
    dataset,
    model: spec.name,
    optimizer: optName,
    testAccuracy: test.accuracy!,
    testLoss: test.loss,
    epochs: result.epochs,
    steps: result.globalStep,
    seconds: result.seconds,
    stopReason: result.stopReason,
    ...(result.bestEpoch !== undefined && { bestEpoch: result.bestEpoch }),
    ...(result.resumedFrom !== undefined && { resumedFromStep: result.resumedFrom }),
  };
  if (opts.json) io.out(JSON.stringify(final));
  else io.out(`test accuracy ${test.accuracy!.toFixed(4)}  test loss ${test.loss.toFixed(4)}  (${result.epochs} epochs, ${result.globalStep} steps, ${result.seconds.toFixed(1)}s${result.stopReason === 'early-stopping' ? ', stopped early' : ''})`);
  if (opts.out) {
    saveModel(opts.out, { spec, params: result.params, state: result.state, info: { dataset, testAccuracy: test.accuracy, testLoss: test.loss, epochs: result.epochs, seed } });
    if (!opts.json && !opts.quiet) io.err(`model written to ${opts.out}`);
  }
  if (opts.plot) {
    writeFileAtomic(opts.plot, learningCurvesChart({ epochs: result.history, test: { loss: test.loss, accuracy: test.accuracy! }, title: `${spec.name} on ${dataset} (${optName})` }), 'learning curves');
    if (!opts.json && !opts.quiet) io.err(`learning curves written to ${opts.plot}`);
  }
  return { result, testLoss: test.loss, testAccuracy: test.accuracy! };
}

/** Runs `nsdiff evaluate MODEL.json`: test loss and accuracy of a saved model. */
export function runEvaluate(file: string, opts: EvaluateCliOptions, io: CliIO = defaultIO()): { loss: number; accuracy: number } {
  const saved = loadModel(file);
  const savedDataset = typeof saved.info?.dataset === 'string' ? saved.info.dataset : undefined;
  const dataset = oneOf(opts.dataset ?? savedDataset, CLASSIFICATION_DATASETS, '--dataset', 'digits') as ClassificationDatasetName;
  const limit = intIn(opts.limit, '--limit', 1);
  const batchSize = intIn(opts.batchSize, '--batch-size', 1) ?? 512;
  const data = loadClassificationData(dataset, { ...(opts.dataDir !== undefined && { dataDir: opts.dataDir }), ...(limit !== undefined && { limit }) });
  const ev = evaluate(saved.model, saved.params, saved.state, data.test, { batchSize });
  const out = { type: 'evaluation', model: saved.spec.name, dataset, testAccuracy: ev.accuracy!, testLoss: ev.loss, n: ev.n };
  if (opts.json) io.out(JSON.stringify(out));
  else io.out(`${saved.spec.name} on the ${dataset} test set (${ev.n} samples): accuracy ${ev.accuracy!.toFixed(4)}  loss ${ev.loss.toFixed(4)}`);
  return { loss: ev.loss, accuracy: ev.accuracy! };
}

/** Help text of the dataset flag. */
export const DATASET_HELP = `digits (bundled, 1500 train / 297 test) | fashion-mnist (apt-get install dataset-fashion-mnist, files in ${FASHION_MNIST_DIR})`;
