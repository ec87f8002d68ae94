/**
 * @file End to end: a small MLP built from `nn` layers, trained with `adam` on minibatches of the
 * bundled digits dataset (8×8 images, 10 classes), reaches ≥ 95% test accuracy in a few seconds —
 * the layers, initialisers, losses, grad on parameter trees, optimisers and batches work together.
 * A second model with batch norm and dropout exercises state threading and seeded training keys.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adam, applyUpdates, argmax, batches, crossEntropy, gatherRows, loadDataset, nn, rng, tensor, valueAndGrad, type Tensor } from '../src/index.js';

/** Digits as a row-major [n, 64] tensor scaled to [0, 1], integer labels, and a seeded 80/20 split. */
function digits(): { X: Tensor; y: Int32Array; train: Int32Array; test: Int32Array } {
  const ds = loadDataset('digits');
  const n = ds.nSamples, p = ds.nFeatures;
  const col = (ds.X as { data: Float64Array }).data; // dense, column-major
  const rows = new Float64Array(n * p);
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) rows[i * p + j] = col[j * n + i]! / 16;
  const y = Int32Array.from(ds.y);
  const perm = Array.from(rng(0).permutation(n));
  const cut = Math.floor(0.8 * n);
  return { X: tensor(rows, [n, p]), y, train: Int32Array.from(perm.slice(0, cut)), test: Int32Array.from(perm.slice(cut)) };
}

function accuracy(model: nn.Layer<nn.Params[], nn.LayerState[]>, params: nn.Params[], state: nn.LayerState[], X: Tensor, y: Int32Array, idx: Int32Array): number {
  const pred = argmax(model.apply(params, gatherRows(X, idx), { state }), { axis: 1 }).data;
  let ok = 0;
  for (let i = 0; i < idx.length; i++) if (pred[i] === y[idx[i]!]) ok++;
  return ok / idx.length;
}

function train(model: nn.Layer<nn.Params[], nn.LayerState[]>, epochs: number, d: ReturnType<typeof digits>): { acc: number; seconds: number } {
  const t0 = performance.now();
  const init = model.init(0, [64]);
  let params = init.params;
  let state = init.state;
  const opt = adam({ lr: 0.005 });
  let optState = opt.init(params);
  let step = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (const b of batches(d.train.length, { batchSize: 64, shuffle: true, seed: 1, epoch })) {
      const idx = gatherRows(d.train, b);
      const xb = gatherRows(d.X, idx);
      const yb = gatherRows(d.y, idx);
      let next = state;
      const [, g] = valueAndGrad((p: nn.Params[]) => {
        const r = model.forward(p, state, xb, { train: true, key: step });
        next = r.state;
        return crossEntropy(r.y, yb);
      })(params);
      state = next;
      const u = opt.update(g, optState, params);
      params = applyUpdates(params, u.updates);
      optState = u.state;
      step++;
    }
  }
  return { acc: accuracy(model, params, state, d.X, d.y, d.test), seconds: (performance.now() - t0) / 1000 };
}

test('digits: mlp([64, 10]) with adam reaches ≥ 95% test accuracy', () => {
  const d = digits();
  const { acc, seconds } = train(nn.mlp([64, 10]), 8, d);
  assert.ok(acc >= 0.95, `test accuracy ${acc} (${seconds.toFixed(1)} s)`);
});

test('digits: linear → batchNorm → relu → dropout → linear trains too (state and keys threaded)', () => {
  const d = digits();
  const model = nn.sequential([nn.linear(64), nn.batchNorm(), nn.relu(), nn.dropout({ rate: 0.1 }), nn.linear(10)]);
  const { acc, seconds } = train(model, 4, d);
  assert.ok(acc >= 0.95, `test accuracy ${acc} (${seconds.toFixed(1)} s)`);
});
