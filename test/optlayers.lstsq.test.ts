/** @file constrainedLstsq: closed forms, agreement with solveQp, batching, gradients, bad input. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constrainedLstsq, eye, full, grad, neg, solveQp, stack, sum, tensor, zeros, type Tensor } from '../src/index.js';
import { InvalidArgumentError } from '../src/core/errors.js';

const A = tensor([[1, 0.2, 0], [0.1, 1, 0.3], [0, 0.2, 1], [0.5, 0, 0.4]]);
const y = tensor([0.5, -0.6, 0.2, 0.3]);
const cons = { G: neg(eye(3)), h: full([3], 0.2), C: tensor([[1, 1, 1]]), d: tensor([0.3]) };

test('constrainedLstsq: nonnegative least squares in closed form, and equal to the QP it builds', () => {
  assert.deepEqual(constrainedLstsq({ A: eye(2), y: tensor([1, -2]), G: neg(eye(2)), h: zeros([2]) }).z.toArray(), [1, 0]);
  const r = constrainedLstsq({ A, y, ...cons });
  assert.equal(r.status, 'optimal');
  // KKT by hand: AᵀA x − Aᵀy + Gᵀλ + Cᵀν = 0
  const Q = A.toArray() as number[][];
  const x = r.z.toArray() as number[];
  const lam = r.lambda.toArray() as number[];
  const nu = r.nu.toArray() as number[];
  for (let j = 0; j < 3; j++) {
    let g = -lam[j]! + nu[0]!;
    for (let i = 0; i < 4; i++) {
      let ax = 0;
      for (let k = 0; k < 3; k++) ax += Q[i]![k]! * x[k]!;
      g += Q[i]![j]! * (ax - (y.toArray() as number[])[i]!);
    }
    assert.ok(Math.abs(g) < 1e-9, `stationarity ${j}: ${g}`);
  }
  assert.ok(Math.abs(x[1]! + 0.2) < 1e-12, 'the bound x₁ ≥ −0.2 is active');
});

test('constrainedLstsq: a batch of A and y equals the problems one by one; gradients flow to A and y', () => {
  const A2 = tensor([[0.9, 0.1, 0.2], [0, 1.1, 0.1], [0.3, 0, 0.8], [0.2, 0.2, 0.2]]);
  const y2 = tensor([-0.1, 0.4, 0.2, 0.6]);
  const batch = constrainedLstsq({ A: stack([A, A2]), y: stack([y, y2]), ...cons }).z.toArray() as number[][];
  const one = constrainedLstsq({ A, y, ...cons }).z.toArray() as number[];
  const two = constrainedLstsq({ A: A2, y: y2, ...cons }).z.toArray() as number[];
  for (let j = 0; j < 3; j++) {
    assert.ok(Math.abs(batch[0]![j]! - one[j]!) < 1e-10);
    assert.ok(Math.abs(batch[1]![j]! - two[j]!) < 1e-10);
  }
  const f = (yy: Tensor): Tensor => sum(constrainedLstsq({ A, y: yy, ...cons }).z);
  const g = grad(f)(y).toArray() as number[];
  const h = 1e-6;
  for (let i = 0; i < 4; i++) {
    const yp = (y.toArray() as number[]).slice(); yp[i] += h;
    const ym = (y.toArray() as number[]).slice(); ym[i] -= h;
    const fd = ((f(tensor(yp)).item() as number) - (f(tensor(ym)).item() as number)) / (2 * h);
    assert.ok(Math.abs(fd - g[i]!) < 1e-6, `d/dy${i}: ${g[i]} vs ${fd}`);
  }
});

test('constrainedLstsq: ridge, and clear errors', () => {
  const rank1 = tensor([[1, 1], [2, 2]]);
  const r = constrainedLstsq({ A: rank1, y: tensor([1, 2]) }, { ridge: 1e-3 });
  const z = r.z.toArray() as number[];
  assert.ok(Math.abs(z[0]! - z[1]!) < 1e-9, 'the ridge picks the symmetric (minimum-norm) solution');
  const q = solveQp({ Q: tensor([[5.001, 5], [5, 5.001]]), p: tensor([-5, -5]) }).z.toArray() as number[];
  assert.ok(Math.abs(q[0]! - z[0]!) < 1e-9);
  assert.throws(() => constrainedLstsq({ A: rank1, y: tensor([1, 2, 3]) }), (e: unknown) => e instanceof InvalidArgumentError && /y has 3 entries per problem, A has 2 rows/.test((e as Error).message));
  assert.throws(() => constrainedLstsq({ A: rank1, y: tensor([1, 2]) }, { ridge: -1 }), /ridge must be a finite number ≥ 0/);
  assert.throws(() => constrainedLstsq({ A: rank1, b: tensor([1, 2]) } as never), /problem/);
});
