/**
 * @file The `deq` and `mondeq` entries of the model registry (used by `nsdiff train --model`):
 * they build, initialise on flat inputs, produce [batch, classes] logits with every forward solve
 * converged, and refuse bad configs with the key named.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildModel, modelNames, modelSpec } from '../src/nn/models.js';
import { rng } from '../src/core/rng.js';
import type { Tensor } from '../src/core/tensor.js';

test('model registry: deq and mondeq build and run on flat inputs', () => {
  assert.ok(modelNames().includes('deq') && modelNames().includes('mondeq'));
  const x = rng(0).uniform([5, 12]);
  for (const name of ['deq', 'mondeq']) {
    const model = buildModel(modelSpec(name, { width: 8, classes: 3 }, [12]));
    const { params, state, outputShape } = model.init(0, [12]);
    assert.deepEqual(outputShape, [3]);
    const { y } = model.forward(params, state, x, { train: false }) as { y: Tensor };
    assert.deepEqual(y.shape, [5, 3]);
    assert.ok(Array.from(y.data).every(Number.isFinite), `${name}: finite logits`);
  }
  assert.throws(() => buildModel(modelSpec('deq', { width: 0 }, [12])), /model 'deq': width must be a positive integer/);
  assert.throws(() => buildModel(modelSpec('mondeq', { monotonicity: -1 }, [12])), /monotonicity/);
});
