/**
 * @file End-to-end training through solveQp (examples/optlayers-qp-denoise.ts): the operator D of
 * an OptNet-style denoising QP layer, shared by the batch, learns — the test MSE drops.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trainDenoiser } from '../examples/optlayers-qp-denoise.js';

test('a QP layer with a learned operator D trains end to end (test MSE drops)', () => {
  const r = trainDenoiser({ n: 10, steps: 30, batch: 8 });
  assert.ok(r.learnedMse < 0.97 * r.initialMse, `learned ${r.learnedMse} vs initial ${r.initialMse}`);
});
