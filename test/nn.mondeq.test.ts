/**
 * @file monDEQ: the parametrisation makes I − W ⪰ mI for any parameters, forward–backward and
 * Peaceman–Rachford splittings reach the same fixed point of relu(W z + U x + b), and the exact
 * implicit gradient matches finite differences.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { add, matmul, mul, relu, sum, rng, linalg, eye, sub, matrixTranspose, type Tensor } from '../src/index.js';
import { mondeq, monDeqWeight, type MonDeqParams } from '../src/nn/deq/mondeq.js';
import { assertClose, checkVjpFd } from './helpers.js';

const x = rng(3).normal([5, 4]);

test('I − W ⪰ m·I for random (even large) parameters', () => {
  const layer = mondeq({ width: 6, monotonicity: 0.1 });
  const { params } = layer.init(0, [4]);
  const p = { ...params, A: mul(params.A, 3), B: mul(params.B, 5) };
  const W = monDeqWeight(p, { monotonicity: 0.1 });
  const S = mul(add(sub(eye(6), W), sub(eye(6), matrixTranspose(W))), 0.5);
  const ev = linalg.eigh(S).eigenvalues;
  assert.ok(Math.min(...ev.data) >= 0.1 - 1e-12, `λ_min(sym(I − W)) = ${Math.min(...ev.data)}`);
});

test('forward–backward and Peaceman–Rachford (plain and Anderson) reach the fixed point of relu(Wz + Ux + b)', () => {
  const ref = mondeq({ width: 6 });
  const { params } = ref.init(1, [4]);
  const p: MonDeqParams = { ...params, A: mul(params.A, 2), B: mul(params.B, 2) }; // W far from a contraction
  const W = monDeqWeight(p, { monotonicity: 0.05 });
  const zs: Tensor[] = [];
  for (const [splitting, solver, alpha] of [['peaceman-rachford', 'fixed-point', 1], ['peaceman-rachford', 'anderson', 1], ['forward-backward', 'fixed-point', 0.02]] as const) {
    const layer = mondeq({ width: 6, splitting, solver, alpha, tol: 1e-11, rtol: 1e-11, maxIter: 5000, backward: 'jfb' });
    const z = layer(x, p);
    assert.equal(layer.lastReport!.forward.allConverged, true, `${splitting}/${solver}`);
    assertClose(z, relu(add(add(matmul(z, matrixTranspose(W)), matmul(x, p.U)), p.b)), 1e-8, `${splitting}/${solver}: fixed point`);
    zs.push(z);
  }
  assertClose(zs[0]!, zs[1]!, 1e-8);
  assertClose(zs[0]!, zs[2]!, 1e-8);
});

test('monDEQ exact gradient matches finite differences (A, B, U, b)', () => {
  const layer = mondeq({ width: 4, tol: 1e-13, rtol: 1e-13, maxIter: 2000 });
  const { params } = layer.init(2, [4]);
  const xx = rng(4).normal([3, 4]);
  const loss = (A: Tensor, B: Tensor, U: Tensor, b: Tensor) => {
    const z = layer(xx, { A, B, U, b: add(b, 0.3) });
    return sum(mul(z, z));
  };
  checkVjpFd(loss, [params.A, params.B, params.U, params.b], { rtol: 1e-6 });
});
