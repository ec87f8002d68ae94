/**
 * @file The sparsemax-head digits example (examples/optlayers-sparsemax-digits.ts): the sparsemax
 * loss's gradient through `sparsemax` is p − e_y (closed form), and a short training run learns.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { grad, sparsemax, sub, tensor, mul, rng, type Tensor } from '../src/index.js';
import { sparsemaxLoss, trainDigits } from '../examples/optlayers-sparsemax-digits.js';
import { assertClose } from './helpers.js';

test('sparsemax loss: autodiff through sparsemax gives (p − e_y)/batch', () => {
  const z = rng(2).normal([3, 5]);
  const Y = tensor([[0, 1, 0, 0, 0], [1, 0, 0, 0, 0], [0, 0, 0, 0, 1]]);
  const g = grad((x: Tensor) => sparsemaxLoss(x, Y))(z);
  assertClose(g, mul(sub(sparsemax(z), Y), 1 / 3), 1e-12);
});

test('a linear model with a sparsemax head learns the digits (3 epochs) with sparse outputs', () => {
  const r = trainDigits('sparsemax', { epochs: 3 });
  assert.ok(r.accuracy > 0.9, `accuracy ${r.accuracy}`);
  assert.ok(r.meanSupport < 3, `mean support ${r.meanSupport}`);
});
