/**
 * @file Convolutional monDEQ (`mondeqConv`, src/nn/deq/mondeq_conv.ts): I − W ⪰ m·I for the
 * convolutional W (Aᵀ is the adjoint of A under 'same' zero padding), the forward–backward
 * fixed point of relu(W z + conv(x, U) + b), the exact gradient against finite differences and
 * between the splitting and GMRES backwards, bad options, and the `mondeq-conv` registry model
 * trained on a digits subset well above chance.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { add, mul, sub, sum, grad, rng, adam, loadDataset, reshape, conv2d, relu, type Tensor } from '../src/index.js';
import { mondeqConv, monDeqConvApply, type MonDeqConvParams } from '../src/nn/deq/mondeq_conv.js';
import { buildModel, modelSpec } from '../src/nn/models.js';
import { fit } from '../src/nn/train/fit.js';
import { evaluate } from '../src/nn/train/metrics.js';
import { digitsBatch } from '../src/experiments/common.js';
import { gatherRows } from '../src/data/batches.js';
import { assertClose, checkVjpFd } from './helpers.js';

const dot = (a: Tensor, b: Tensor) => sum(mul(a, b)).data[0]!;

test('convolutional W: ⟨v, (I − W)v⟩ ≥ m‖v‖² and Wᵀ is the adjoint of W', () => {
  const layer = mondeqConv({ channels: 3, kernelSize: 3, monotonicity: 0.1 });
  const { params } = layer.init(0, [2, 5, 5]);
  const p = { A: mul(params.A, 4), B: mul(params.B, 6) };
  for (let s = 0; s < 5; s++) {
    const v = rng(10 + s).normal([1, 3, 5, 5]);
    const w = rng(20 + s).normal([1, 3, 5, 5]);
    const q = dot(v, sub(v, monDeqConvApply(v, p, { monotonicity: 0.1 })));
    assert.ok(q >= 0.1 * dot(v, v) - 1e-9, `⟨v, (I − W)v⟩ = ${q} < m‖v‖² = ${0.1 * dot(v, v)}`);
    const lhs = dot(w, monDeqConvApply(v, p, { monotonicity: 0.1 }));
    const rhs = dot(v, monDeqConvApply(w, p, { monotonicity: 0.1, transpose: true }));
    assert.ok(Math.abs(lhs - rhs) <= 1e-10 * (1 + Math.abs(lhs)), `${lhs} vs ${rhs}`);
  }
});

test('mondeqConv: the forward–backward fixed point solves z = relu(W z + conv(x, U) + b), per sample', () => {
  const layer = mondeqConv({ channels: 3, kernelSize: 3, tol: 1e-11, rtol: 1e-11, maxIter: 1000 });
  const { params } = layer.init(1, [2, 5, 5]);
  const p = { ...params, A: mul(params.A, 3), B: mul(params.B, 3), b: add(params.b, 0.2) };
  const x = rng(2).normal([3, 2, 5, 5]);
  const z = layer(x, p);
  assert.deepEqual(z.shape, [3, 3, 5, 5]);
  const r = layer.lastReport!.forward;
  assert.equal(r.allConverged, true);
  assert.equal(r.converged.length, 3);
  const pre = add(add(monDeqConvApply(z, p), conv2d(x, p.U, { padding: 1 })), reshape(p.b, [1, 3, 1, 1]));
  assertClose(z, relu(pre), 1e-8);
});

test('mondeqConv: exact gradient against finite differences; the splitting and GMRES backwards agree', () => {
  const x = rng(3).normal([2, 1, 4, 4]);
  const mk = (linearSolver: 'splitting' | 'gmres') => mondeqConv({ channels: 2, kernelSize: 3, tol: 1e-13, rtol: 1e-13, maxIter: 3000, backwardTol: 1e-12, linearSolver });
  const layer = mk('splitting');
  const { params } = layer.init(4, [1, 4, 4]);
  const p: MonDeqConvParams = { ...params, A: mul(params.A, 2), b: add(params.b, 0.1) };
  const loss = (l: ReturnType<typeof mk>) => (q: MonDeqConvParams) => {
    const z = l(x, q);
    return sum(mul(z, z));
  };
  const gs = grad(loss(layer))(p);
  const gg = grad(loss(mk('gmres')))(p);
  for (const k of ['A', 'B', 'U', 'b'] as const) assertClose(gs[k], gg[k], 1e-8, k);
  const ls = layer.lastReport!.implicit!.linearSolve!;
  assert.equal(ls.method, 'splitting');
  assert.equal(ls.samples!.converged.length, 2);
  checkVjpFd((A: Tensor, U: Tensor) => loss(mk('gmres'))({ ...p, A, U }), [p.A, p.U], { rtol: 1e-6 });
});

test('mondeqConv: bad options and inputs are refused with the argument named', () => {
  assert.throws(() => mondeqConv({ channels: 2, kernelSize: 2 }), /kernelSize must be odd/);
  assert.throws(() => mondeqConv({ channels: 0 }), /channels/);
  assert.throws(() => mondeqConv({ channels: 2, monotonicity: 1.5 }), /monotonicity must be in \(0, 1\)/);
  const layer = mondeqConv({ channels: 2, inChannels: 3 });
  assert.throws(() => layer.init(0, [1, 4, 4]), /inChannels/);
  assert.throws(() => mondeqConv({ channels: 2 }).init(0, [16]), /images \[c_in, H, W\]/);
});

test("registry 'mondeq-conv' trains on a digits subset well above chance", () => {
  const ds = loadDataset('digits');
  const { X, y } = digitsBatch(ds);
  const idx = Int32Array.from({ length: 200 }, (_, i) => i);
  const testIdx = Int32Array.from({ length: 300 }, (_, i) => 1400 + i);
  const model = buildModel(modelSpec('mondeq-conv', { channels: 8, maxIter: 60 }, [64]));
  const init = model.init(0, [64]);
  assert.deepEqual(init.outputShape, [10]);
  const res = fit(model, init, { x: gatherRows(X, idx), y: Int32Array.from(idx, (i) => y[i]!) }, { optimizer: adam({ lr: 1e-2 }), epochs: 2, batchSize: 50, seed: 0 });
  const acc = evaluate(model, res.params, res.state, { x: gatherRows(X, testIdx), y: Int32Array.from(testIdx, (i) => y[i]!) }).accuracy!;
  // 69.7 % measured (chance 10 %)
  assert.ok(acc >= 0.45, `test accuracy ${acc} (chance 0.1)`);
});
