/**
 * @file tvDenoise1d (Condat's direct algorithm + closed-form derivative) against the generic
 * solveQp path on the lifted QP min ½‖z − y‖² + λΣt s.t. ±(z_{i+1} − z_i) ≤ t_i: values, Jacobians
 * in y and λ, the kink selection at a fused pair whose dual is on its bound; FD / JVP / VJP.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tvDenoise1d, solveQp, tensor, rng, jacobian, grad, sum, mul, concat, neg, withKinkPolicy, trackKinks, scalar, type Tensor } from '../src/index.js';
import { assertClose, checkDerivatives } from './helpers.js';

/** The lifted QP in (z, t): Q = diag(I, 0), p = (−y, λ1), G = [D −I; −D −I], h = 0; returns (z, 0·t). */
function tvQpDiff(y: Tensor, lam: Tensor): Tensor {
  const n = y.shape[0]!;
  const N = 2 * n - 1;
  const Q = new Float64Array(N * N);
  for (let i = 0; i < n; i++) Q[i * N + i] = 1;
  const G = new Float64Array(2 * (n - 1) * N);
  for (let i = 0; i < n - 1; i++) {
    for (const [row, sg] of [[i, 1], [n - 1 + i, -1]] as const) {
      G[row * N + i + 1] = sg;
      G[row * N + i] = -sg;
      G[row * N + n + i] = -1;
    }
  }
  const p = concat([neg(y), mul(lam, tensor(new Float64Array(n - 1).fill(1)))]);
  const z = solveQp({ Q: tensor(Q, [N, N]), p, G: tensor(G, [2 * (n - 1), N]), h: tensor(new Float64Array(2 * (n - 1))) }).z;
  return mul(z, tensor(Float64Array.from({ length: N }, (_, i) => (i < n ? 1 : 0))));
}

test('values equal the QP solution (random signals, several λ; batched rows)', () => {
  const Y = rng(7).normal([4, 9]);
  for (const lam of [0.05, 0.3, 1, 5]) {
    const Z = tvDenoise1d(Y, lam);
    for (let r = 0; r < 4; r++) {
      const y = tensor(Y.data.slice(r * 9, (r + 1) * 9), [9]);
      assertClose(Z.data.subarray(r * 9, (r + 1) * 9), tvQpDiff(y, scalar(lam)).data.subarray(0, 9), 1e-9, `λ=${lam} row ${r}`);
    }
  }
  assertClose(tvDenoise1d(tensor([0, 0, 3, 3]), 0.5), [0.25, 0.25, 2.75, 2.75], 1e-15);
});

test('Jacobians in y and λ equal the QP path; FD, JVP, VJP', () => {
  const y = rng(8).normal([8]);
  const lam = scalar(0.4);
  const Jy = jacobian((v: Tensor) => tvDenoise1d(v, lam))(y);
  const Jq = jacobian((v: Tensor) => tvQpDiff(v, lam))(y);
  for (let i = 0; i < 8; i++) assertClose(Jy.data.subarray(i * 8, i * 8 + 8), Jq.data.subarray(i * 8, i * 8 + 8), { atol: 1e-7 }, `row ${i}`);
  const gl = grad((l: Tensor) => sum(mul(tvDenoise1d(y, l), tensor([1, 2, 3, 4, 5, 6, 7, 8]))))(lam);
  const glq = grad((l: Tensor) => sum(mul(tvQpDiff(y, l), tensor([1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0, 0, 0]))))(lam);
  assertClose(gl, glq, { atol: 1e-7 });
  checkDerivatives((v, l) => tvDenoise1d(v, l), [rng(9).normal([2, 7]), scalar(0.3)], { rtol: 1e-7, h: 1e-6 });
});

test('kink: a fused pair with its dual on the bound — minNorm keeps it fused (as solveQp), right splits it', () => {
  // y = (0, 1, 2), λ = 0.5: z = (0.5, 1, 1.5)? u₁ = z₁ − y₁ = 0.5 = λ (on the bound) with z₁ ≠ z₂ — not a kink;
  // y = (0, 1), λ = 0.5: z = (0.5, 0.5) fused with u₁ = 0.5 = λ: a kink
  const y = tensor([0, 1]);
  const { value, kinks } = trackKinks(() => tvDenoise1d(y, 0.5));
  assertClose(value, [0.5, 0.5], 1e-15);
  assert.equal(kinks.byPrimitive.tvDenoise1d, 1);
  const J = jacobian((v: Tensor) => tvDenoise1d(v, 0.5))(y);
  assertClose(J, [0.5, 0.5, 0.5, 0.5], 1e-15, 'fused: averaging');
  const Jr = withKinkPolicy('right', () => jacobian((v: Tensor) => tvDenoise1d(v, 0.5))(y));
  assertClose(Jr, [1, 0, 0, 1], 1e-15, 'split: identity');
  assertClose(J, jacobian((v: Tensor) => tvQpDiff(v, scalar(0.5)))(y).data.subarray(0, 4), { atol: 1e-7 }, 'minNorm equals solveQp');
});
