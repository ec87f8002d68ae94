/**
 * @file clip with tensor bounds: values with broadcasting, derivatives in x, lo and hi against
 * central finite differences at smooth points and ⟨Jv, w⟩ = ⟨v, Jᵀw⟩, the documented selections at
 * the kinks (∂x + ∂lo + ∂hi = 1), and bound validation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor, clip, grad, sum, mul, jacobian, Tensor, InvalidArgumentError } from '../src/index.js';
import { assertClose, checkDerivatives } from './helpers.js';

test('clip with tensor bounds: values broadcast, NaN bounds and lo > hi are refused', () => {
  assert.deepEqual(clip(tensor([-2, 0.5, 3]), tensor([-1, 0, 0]), 2).toArray(), [-1, 0.5, 2]);
  assert.deepEqual(clip(tensor([[0, 5], [-5, 0]]), tensor([[-1], [1]]), tensor([1, 2])).toArray(), [[0, 2], [1, 1]]);
  assert.throws(() => clip(tensor([0]), tensor([1]), tensor([0])), InvalidArgumentError);
  assert.throws(() => clip(tensor([0]), NaN, 1), InvalidArgumentError);
  assert.throws(() => clip(tensor([0]), 2, 1), InvalidArgumentError);
});

test('clip: derivatives in x, lo and hi match finite differences at smooth points', () => {
  const x = tensor([-2, 0.3, 2.5, 0.9]);
  const lo = tensor([-1, 0, 0, -1]);
  const hi = tensor([1, 1, 2, 0.5]);
  checkDerivatives((a, l, h) => mul(clip(a, l, h), a), [x, lo, hi]);
  // broadcast bounds: the cotangents are summed over the broadcast axes
  checkDerivatives((a, l) => clip(a, l, 1), [tensor([[-2, 0.5], [0.2, 3]]), tensor([[-1], [0.5]])]);
});

test('clip at the bounds: the policy selects ∂x, the touched bound gets 1 − ∂x', () => {
  const x = tensor([0, 1, 0.5]);
  const lo = tensor([0, 0, 0]);
  const hi = tensor([1, 1, 1]);
  const parts = (kink?: 'left' | 'right') =>
    grad((a: Tensor, l: Tensor, h: Tensor) => sum(clip(a, l, h, kink && { kink })), { argnums: [0, 1, 2] })(x, lo, hi).map((g) => g.toArray());
  assert.deepEqual(parts(), [[0, 0, 1], [1, 0, 0], [0, 1, 0]]); // minNorm ∂x = 0 at both bounds
  assert.deepEqual(parts('right'), [[1, 0, 1], [0, 0, 0], [0, 1, 0]]);
  assert.deepEqual(parts('left'), [[0, 1, 1], [1, 0, 0], [0, 0, 0]]);
  // lo = hi: constant in x, the derivative is split between the bounds
  const [gx, gl, gh] = grad((a: Tensor, l: Tensor, h: Tensor) => sum(clip(a, l, h)), { argnums: [0, 1, 2] })(tensor([2]), tensor([2]), tensor([2]));
  assertClose(gx, [0], 0);
  assertClose(gl, [0.5], 0);
  assertClose(gh, [0.5], 0);
  // scalar bounds keep the documented x-derivative
  assertClose(jacobian((a: Tensor) => clip(a, 0, 1))(x), [0, 0, 0, 0, 0, 0, 0, 0, 1], 0);
});
