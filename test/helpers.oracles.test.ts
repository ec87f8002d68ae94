/**
 * @file The test oracles of test/helpers.ts can fail: a relative tolerance stays relative for
 * tiny values (2e-6 is not 1e-6 "to 1e-12"), absolute tolerances are explicit, and the FD and
 * dot-product checks reject a derivative that is wrong by a factor of 2 at the scale 1e-8.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { customJvp, mul, tensor, type Tensor } from '../src/index.js';
import { assertClose, checkDotProduct, checkJvpFd, checkVjpFd } from './helpers.js';

test('assertClose: norm-relative, max|a − b| ≤ atol + rtol·max|b|', () => {
  assert.throws(() => assertClose(2e-6, 1e-6, 1e-12), /relative 1\.000e\+0/);
  assert.throws(() => assertClose([1e-9, 3e-9], [1e-9, 2e-9], 1e-3), assert.AssertionError);
  assertClose([1 + 1e-13, 2], [1, 2], 1e-13);
  assert.throws(() => assertClose([1 + 1e-12, 2], [1, 2], 1e-13), assert.AssertionError);
  // the scale is the largest |expected| entry: a small entry is judged on the array's scale
  assertClose([1, 1e-9 + 1e-14], [1, 1e-9], 1e-13);
  // absolute claims say so
  assert.throws(() => assertClose([1e-15, 0], [0, 0], 1e-3), assert.AssertionError);
  assertClose([1e-15, 0], [0, 0], { atol: 1e-14 });
  assertClose([1e-15, 1], [0, 1], { rtol: 1e-14, atol: 0 }); // 1e-15 ≤ 1e-14·1
  assert.throws(() => assertClose([NaN], [NaN], 1), /NaN/);
  assertClose([Infinity, -Infinity, 1], [Infinity, -Infinity, 1], 0);
  assert.throws(() => assertClose([1, 2], [1], 1), /length/);
});

// f(x) = x² (elementwise) evaluated at entries of size 1e-8, where the old max(1, |b|) scale made
// any derivative of size < 1e-7 pass
const x = tensor([1e-8, -2e-8, 3e-8]);
const square = (a: Tensor): Tensor => mul(a, a);

test('checkJvpFd / checkVjpFd / checkDotProduct pass a correct derivative at tiny values', () => {
  checkJvpFd(square, [x]);
  checkVjpFd(square, [x]);
  checkDotProduct(square, [x]);
});

test('checkJvpFd and checkVjpFd reject a derivative wrong by a factor 2 at the scale 1e-8', () => {
  const doubled = (a: Tensor): Tensor => mul(mul(a, a), 2); // its FD is twice the derivative of square
  assert.throws(() => checkJvpFd(square, [x], { fdReference: doubled }), /JVP vs finite differences/);
  assert.throws(() => checkVjpFd(square, [x], { fdReference: doubled }), /VJP vs finite differences/);
});

test('checkDotProduct rejects forward and reverse modes that disagree', () => {
  // a forward rule that is not linear in the tangent: its transpose (reverse mode) is 0
  const bad = customJvp((a: Tensor) => mul(a, 1), (_p, [da]) => mul(mul(da, da), 1e-8));
  assert.throws(() => checkDotProduct((a) => bad(a), [x]), /dot-product test/);
});
