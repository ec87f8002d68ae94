/**
 * @file The training loop and its files: fit on digits, exact resume from mid-epoch and end-of-epoch
 * checkpoints (bit equality of parameters and optimiser state), truncated / corrupted / foreign
 * checkpoints, saved models that reload and predict identically, divergence (NaN loss) naming the
 * step with the last good checkpoint kept, early stopping, exact serialisation, learning curves.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fit, TrainingDivergedError, type FitOptions } from '../src/nn/train/fit.js';
import { evaluate, predict, countCorrect } from '../src/nn/train/metrics.js';
import { loadClassificationData } from '../src/nn/train/data.js';
import { checkpointPath, loadCheckpoint } from '../src/nn/train/checkpoint.js';
import { CheckpointError, decodeTree, encodeTree, packBinary, treesBitEqual, unpackBinary } from '../src/nn/train/serialize.js';
import { loadModel, saveModel } from '../src/nn/train/model_file.js';
import { buildModel, mlp, modelNames, modelSpec } from '../src/nn/models.js';
import { adam, sgd } from '../src/nn/optim.js';
import { sequential } from '../src/nn/layer.js';
import { learningCurvesChart } from '../src/plot/figures.js';
import { fromData, tensor } from '../src/core/tensor.js';
import { setWarningHandler } from '../src/core/failure.js';
import { InvalidArgumentError } from '../src/core/errors.js';
import { nanAfter } from './fixtures/nn_tiny.js';
import { linear } from '../src/nn/layers/dense.js';

const digits = loadClassificationData('digits');
// a small, fast training set: 400 samples
const small = { x: fromData((digits.train.x as ReturnType<typeof fromData>).data.slice(0, 400 * 64), [400, 64]), y: digits.train.y.slice(0, 400) };
const tmp = () => mkdtempSync(join(tmpdir(), 'nsdiff-train-'));

test('fit on digits: a small MLP learns (validation accuracy > 0.85 in 4 epochs) and the history is complete', () => {
  const model = mlp([32, 10]);
  const r = fit(model, model.init(0, [64]), digits.train, { optimizer: adam({ lr: 1e-2 }), epochs: 4, batchSize: 32, validationSplit: 0.1, seed: 1 });
  assert.equal(r.stopReason, 'completed');
  assert.equal(r.history.length, 4);
  assert.equal(r.globalStep, 4 * Math.ceil(1350 / 32));
  const last = r.history.at(-1)!;
  assert.ok(last.valAccuracy! > 0.85, `valAccuracy ${last.valAccuracy}`);
  assert.ok(last.loss < r.history[0]!.loss);
  for (const k of ['loss', 'accuracy', 'valLoss', 'valAccuracy', 'lr', 'seconds'] as const) assert.equal(typeof last[k], 'number', k);
  const ev = evaluate(model, r.params, r.state, digits.test);
  assert.ok(ev.accuracy! > 0.8, `test accuracy ${ev.accuracy}`);
  // evaluate's mean loss does not depend on the batch size (Σ b·loss_b / n)
  const ev7 = evaluate(model, r.params, r.state, digits.test, { batchSize: 7 });
  assert.ok(Math.abs(ev7.loss - ev.loss) < 1e-12);
  assert.equal(ev7.accuracy, ev.accuracy);
});

function runOpts(dir: string | undefined, extra: Partial<FitOptions> = {}): FitOptions {
  return {
    optimizer: adam({ lr: 5e-3 }), epochs: 3, batchSize: 48, seed: 7, validationSplit: 0.2,
    ...(dir !== undefined && { checkpoint: { dir, every: 3, fsync: false } }),
    ...extra,
  };
}

test('resume: interrupted after k steps (mid-epoch) or at an epoch end, the resumed run ends bit-identical to the uninterrupted one', () => {
  const model = mlp([16, 10]);
  const init = model.init(3, [64]);
  const full = fit(model, init, small, runOpts(undefined));
  // steps per epoch: 320 / 48 → 7; interrupt at global steps 11 (mid-epoch 2, checkpoint at 9), 7 (epoch end) and 1 (no step-checkpoint yet → fresh)
  for (const stopAt of [11, 7, 4]) {
    const dir = tmp();
    assert.throws(
      () => fit(model, init, small, runOpts(dir, { onStep: (s) => { if (s.globalStep === stopAt) throw new Error('interrupt'); } })),
      /interrupt/,
    );
    const ck = loadCheckpoint(dir);
    assert.ok(ck.position.globalStep <= stopAt && ck.position.globalStep > 0);
    const resumed = fit(model, init, small, runOpts(dir, { resume: true }));
    assert.equal(resumed.resumedFrom, ck.position.globalStep);
    assert.ok(treesBitEqual(resumed.params, full.params), `params differ after an interrupt at step ${stopAt}`);
    assert.ok(treesBitEqual(resumed.optState, full.optState), `optimiser state differs after an interrupt at step ${stopAt}`);
    assert.deepEqual(resumed.history.map((h) => [h.loss, h.accuracy, h.valLoss, h.valAccuracy]), full.history.map((h) => [h.loss, h.accuracy, h.valLoss, h.valAccuracy]));
  }
});

test('resume: refuses a missing checkpoint, a checkpoint of another run, a truncated or a corrupted file', () => {
  const model = mlp([8, 10]);
  const init = model.init(0, [64]);
  const dir = tmp();
  assert.throws(() => fit(model, init, small, runOpts(dir, { resume: true, epochs: 1 })), (e: unknown) => e instanceof CheckpointError && /does not exist/.test(e.message));
  fit(model, init, small, runOpts(dir, { epochs: 1 }));
  assert.throws(() => fit(model, init, small, runOpts(dir, { resume: true, seed: 8 })), (e: unknown) => e instanceof CheckpointError && /another run: seed is 7 there and 8 here/.test(e.message));
  assert.throws(() => fit(model, init, small, runOpts(dir, { resume: true, batchSize: 40 })), /another run: batchSize/);
  const path = checkpointPath(dir);
  const bytes = readFileSync(path);
  writeFileSync(path, bytes.subarray(0, bytes.length - 100));
  assert.throws(() => fit(model, init, small, runOpts(dir, { resume: true })), (e: unknown) => e instanceof CheckpointError && /truncated: expected \d+ bytes, the file has \d+/.test(e.message));
  const bad = Buffer.from(bytes);
  bad[bad.length - 500] ^= 1; // one bit in the payload
  writeFileSync(path, bad);
  assert.throws(() => fit(model, init, small, runOpts(dir, { resume: true })), (e: unknown) => e instanceof CheckpointError && /corrupted: its SHA-256 checksum/.test(e.message));
  writeFileSync(path, 'hello');
  assert.throws(() => loadCheckpoint(dir), /not an nsdiff checkpoint/);
  writeFileSync(path, bytes);
  assert.equal(fit(model, init, small, runOpts(dir, { resume: true })).resumedFrom, 7);
});

test('NaN loss: a typed error naming epoch and step; the last good checkpoint is kept; onFailure return stops cleanly', () => {
  const base = mlp([8, 10]);
  const model = sequential([base, nanAfter(10)]);
  const init = model.init(0, [64]);
  const dir = tmp();
  assert.throws(
    () => fit(model, init, small, runOpts(dir, { epochs: 2 })),
    (e: unknown) => e instanceof TrainingDivergedError && e.epoch === 2 && e.step === 3 && e.globalStep === 10 && /loss is NaN at epoch 2 of 2, step 3 of 7 \(global step 10\).*last good checkpoint/.test(e.message),
  );
  const ck = loadCheckpoint(dir);
  assert.equal(ck.position.globalStep, 9);
  for (const leaf of encodeTree(ck.params).buffers) assert.ok(leaf.every(Number.isFinite));
  const model2 = sequential([base, nanAfter(3)]);
  const warned: string[] = [];
  const prev = setWarningHandler((m) => warned.push(m));
  try {
    const r = fit(model2, model2.init(0, [64]), small, runOpts(undefined, { onFailure: 'warn' }));
    assert.equal(r.stopReason, 'diverged');
    assert.equal(r.globalStep, 2);
    assert.ok(r.error instanceof TrainingDivergedError);
    assert.match(warned[0]!, /step 3 of 7/);
  } finally {
    setWarningHandler(prev);
  }
});

test('early stopping: stops after `patience` epochs without improvement and reports the best epoch', () => {
  const model = mlp([8, 10]);
  const init = model.init(0, [64]);
  // the training loss falls every epoch, so watching it in 'max' mode never improves after epoch 1
  const r = fit(model, init, small, runOpts(undefined, { epochs: 10, earlyStopping: { monitor: 'loss', mode: 'max', patience: 2 } }));
  assert.equal(r.stopReason, 'early-stopping');
  assert.equal(r.epochs, 3);
  assert.equal(r.bestEpoch, 1);
  const r2 = fit(model, init, small, runOpts(undefined, { epochs: 3, earlyStopping: { patience: 1, minDelta: 100 } }));
  assert.equal(r2.epochs, 2);
  assert.throws(() => fit(model, init, small, runOpts(undefined, { validationSplit: undefined, earlyStopping: { monitor: 'valLoss' } })), /needs validationSplit or validationData/);
  assert.throws(() => fit(model, init, small, runOpts(undefined, { earlyStopping: { monitor: 'valLos' as 'valLoss' } })), /unknown; valid: loss, accuracy, valLoss, valAccuracy/);
});

test('fit: option errors name the option', () => {
  const model = mlp([4, 10]);
  const init = model.init(0, [64]);
  assert.throws(() => fit(model, init, small, { ...runOpts(undefined), epochs: 0 }), /epochs must be an integer ≥ 1/);
  assert.throws(() => fit(model, init, small, { ...runOpts(undefined), validationSplit: 1 }), /validationSplit must be in \(0, 1\)/);
  assert.throws(() => fit(model, init, small, { ...runOpts(undefined), batchSzie: 3 } as FitOptions), /unknown option 'batchSzie' \(did you mean 'batchSize'\?\)/);
  assert.throws(() => fit(model, init, { x: small.x, y: small.y.slice(1) }, runOpts(undefined)), /400 samples but data.y has 399 labels/);
  assert.throws(() => fit(model, init, small, { ...runOpts(undefined), optimizer: {} as ReturnType<typeof sgd> }), InvalidArgumentError);
});

test('saved models reload and predict identically (bit for bit); damaged files are refused', () => {
  assert.deepEqual(modelNames().slice(0, 2), ['mlp', 'cnn']);
  const spec = modelSpec('mlp', { hidden: [12] }, [64]);
  const model = buildModel(spec);
  const r = fit(model, model.init(0, [64]), small, { optimizer: sgd({ lr: 0.1, momentum: 0.9 }), epochs: 1, batchSize: 64 });
  const path = join(tmp(), 'm.json');
  saveModel(path, { spec, params: r.params, state: r.state, info: { note: 'x' } });
  const loaded = loadModel(path);
  assert.deepEqual(loaded.spec, spec);
  assert.ok(treesBitEqual(loaded.params, r.params));
  const a = predict(model, r.params, digits.test.x);
  const b = predict(loaded.model, loaded.params, digits.test.x, { state: loaded.state, batchSize: 50 });
  assert.ok(treesBitEqual(a, b));
  const text = readFileSync(path, 'utf8');
  writeFileSync(path, text.slice(0, text.length - 300));
  assert.throws(() => loadModel(path), (e: unknown) => e instanceof CheckpointError && /not a saved model/.test(e.message));
  const doc = JSON.parse(text);
  doc.tensors.base64 = 'A' + doc.tensors.base64.slice(1);
  writeFileSync(path, JSON.stringify(doc));
  assert.throws(() => loadModel(path), /corrupted: the tensor payload's SHA-256/);
  assert.throws(() => modelSpec('mpl', {}, [64]), /unknown model 'mpl'; valid models: mlp, cnn/);
  assert.throws(() => modelSpec('mlp', { hiden: [3] }, [64]), /unknown option 'hiden' \(did you mean 'hidden'\?\)/);
});

test('cnn builds and trains one step on 8×8 digits', () => {
  const spec = modelSpec('cnn', { imageShape: [1, 8, 8], channels: [4], hidden: 8 }, [64]);
  const model = buildModel(spec);
  const tiny = { x: fromData((small.x as ReturnType<typeof fromData>).data.slice(0, 16 * 64), [16, 64]), y: small.y.slice(0, 16) };
  const r = fit(model, model.init(0, [64]), tiny, { optimizer: adam({ lr: 1e-2 }), epochs: 1, batchSize: 16 });
  assert.equal(r.globalStep, 1);
  assert.deepEqual(predict(model, r.params, tiny.x).shape, [16, 10]);
});

test('serialisation: exact bits, NaN / ±Infinity / −0, and the binary container', () => {
  const tree = { w: tensor([0.1, -0, 1e-310, Math.PI]), s: { count: 3, lr: NaN, inf: -Infinity, z: -0, name: 'adam', none: null }, list: [tensor([[1, 2]]), true] };
  const enc = encodeTree(tree);
  const bytes = packBinary('NSDCKPT1', { skeleton: enc.skeleton }, enc.buffers);
  const { header, buffers } = unpackBinary('NSDCKPT1', bytes, 'x');
  const back = decodeTree(header.skeleton, buffers) as typeof tree;
  assert.ok(treesBitEqual(back, tree));
  assert.ok(Object.is(back.s.z, -0) && Number.isNaN(back.s.lr) && back.s.inf === -Infinity);
  assert.ok(!treesBitEqual({ a: tensor([0]) }, { a: tensor([-0]) }));
  assert.throws(() => encodeTree({ f: () => 1 }), /the leaf at \.f is function/);
  assert.equal(countCorrect(tensor([[0, 1], [2, 1], [3, 3]]), Int32Array.of(1, 1, 0)), 2);
});

test('learningCurvesChart: two panels, training vs validation', () => {
  const svg = learningCurvesChart({ epochs: [{ epoch: 1, loss: 1, accuracy: 0.5, valLoss: 1.1, valAccuracy: 0.45 }, { epoch: 2, loss: 0.5, accuracy: 0.8, valLoss: 0.7, valAccuracy: 0.7 }], test: { accuracy: 0.72 }, title: 'mlp' });
  assert.ok(svg.startsWith('<svg'));
  assert.equal(svg.match(/<svg/g)!.length, 3);
  assert.match(svg, /validation/);
  assert.match(svg, /test 0\.7200/);
  assert.throws(() => learningCurvesChart({ epochs: [] }), /no epochs/);
});

test('a linear model matches a closed-form gradient step (fit = one SGD step)', () => {
  // one full-batch step of SGD on softmax cross-entropy: W ← W − lr · Xᵀ(softmax(XW + b) − Y)/n
  const layer = linear(3);
  const init = layer.init(0, [2]);
  const x = tensor([[1, 2], [0, -1], [3, 1], [-2, 0.5]]);
  const y = Int32Array.of(0, 2, 1, 2);
  const r = fit(layer, init, { x, y }, { optimizer: sgd({ lr: 0.5 }), epochs: 1, batchSize: 4, shuffle: false });
  const W = (init.params.w as ReturnType<typeof fromData>).data;
  const B = (init.params.b as ReturnType<typeof fromData>).data;
  const X = (x as ReturnType<typeof fromData>).data;
  const gW = new Float64Array(6);
  const gB = new Float64Array(3);
  for (let i = 0; i < 4; i++) {
    const z = [0, 1, 2].map((c) => X[2 * i]! * W[c]! + X[2 * i + 1]! * W[3 + c]! + B[c]!);
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    for (let c = 0; c < 3; c++) {
      const d = (e[c]! / s - (y[i] === c ? 1 : 0)) / 4;
      gW[c] += X[2 * i]! * d;
      gW[3 + c] += X[2 * i + 1]! * d;
      gB[c] += d;
    }
  }
  const Wn = (r.params as unknown as { w: ReturnType<typeof fromData> }).w.data;
  for (let j = 0; j < 6; j++) assert.ok(Math.abs(Wn[j]! - (W[j]! - 0.5 * gW[j]!)) < 1e-14);
});
