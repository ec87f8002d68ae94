/**
 * @file DEQ stability tools: weight normalisation of W (fcDeq `weightNorm`, `weightNormalize`),
 * fixed-point correction losses, per-sample stopping in the exact backward, Broyden's line search
 * through `deq`, the per-call invertibility estimate.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { add, mul, matmul, relu, tanh, sum, grad, rng, tensor, fcDeq, weightNormalize, InvalidArgumentError, ShapeError, type Tensor } from '../src/index.js';
import { deq } from '../src/nn/deq/deq.js';
import { checkDotProduct, checkVjpFd, assertClose } from './helpers.js';

test('weightNormalize: columns of norm g, derivatives against finite differences and the dot-product test', () => {
  const V = rng(1).normal([4, 3]), g = tensor([0.5, 1.5, 2]);
  const W = weightNormalize(V, g);
  for (let j = 0; j < 3; j++) {
    let n = 0;
    for (let i = 0; i < 4; i++) n += W.data[i * 3 + j]! ** 2;
    assert.ok(Math.abs(Math.sqrt(n) - g.data[j]!) < 1e-14);
  }
  assertClose(weightNormalize(tensor([[3, 0], [4, 2]]), tensor([1, 5])), [0.6, 0, 0.8, 5], 1e-15);
  const fn = (v: Tensor, gg: Tensor) => weightNormalize(v, gg);
  checkVjpFd(fn, [V, g], { rtol: 1e-7 });
  checkDotProduct(fn, [V, g]);
  // ∂/∂V is orthogonal to V's columns (scale invariance): ⟨∇_V sum(W ⊙ R), V⟩ = 0 per column
  const R = rng(2).normal([4, 3]);
  const gv = grad((v: Tensor) => sum(mul(weightNormalize(v, g), R)))(V);
  for (let j = 0; j < 3; j++) {
    let dot = 0;
    for (let i = 0; i < 4; i++) dot += gv.data[i * 3 + j]! * V.data[i * 3 + j]!;
    assert.ok(Math.abs(dot) < 1e-12, `column ${j}: ${dot}`);
  }
  assert.throws(() => weightNormalize(tensor([[0, 1], [0, 1]]), tensor([1, 1])), (e: Error) => e instanceof InvalidArgumentError && /column 0 of V has norm 0/.test(e.message));
  assert.throws(() => weightNormalize(V, tensor([1, 2])), ShapeError);
});

test('fcDeq weightNorm: initial map unchanged, exact implicit gradient in V and g against finite differences', () => {
  const plain = fcDeq({ width: 5, tol: 1e-13, rtol: 1e-13 });
  const wn = fcDeq({ width: 5, weightNorm: true, tol: 1e-13, rtol: 1e-13 });
  const p0 = plain.init(3, [4]).params, p1 = wn.init(3, [4]).params;
  assert.ok(p1.g && p1.g.shape[0] === 5 && p0.g === undefined);
  const x = rng(4).normal([3, 4]);
  assertClose(wn(x, p1), plain(x, p0), 1e-12, 'same initial fixed point');
  // a different g scales the columns: a different fixed point
  const p2 = { ...p1, g: mul(p1.g!, 1.5) };
  const y = rng(5).normal([3, 5]);
  const loss = (V: Tensor, g: Tensor, b: Tensor) => sum(mul(tanh(wn(x, { ...p2, W: V, g, b: b })), y));
  checkVjpFd(loss, [p2.W, p2.g, add(p2.b, 0.3)], { rtol: 2e-6, atol: 1e-9 });
  assert.throws(() => wn(x, { ...p1, g: undefined }), /weightNorm needs params\.g/);
  assert.throws(() => fcDeq({ width: 5, weightNorm: 1 as unknown as boolean }), /weightNorm must be a boolean/);
  // with spectralBound too: ‖W‖₂ ≤ bound after weight normalisation
  const both = fcDeq({ width: 5, weightNorm: true, spectralBound: 0.5, tol: 1e-12, rtol: 1e-12 });
  const pb = both.init(0, [4]).params;
  both(x, { ...pb, g: mul(pb.g!, 20) });
  assert.equal(both.lastReport!.forward.allConverged, true);
});
