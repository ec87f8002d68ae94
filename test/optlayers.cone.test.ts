/**
 * @file solveCone (ADMM on the self-dual embedding, diffcp derivative): LPs against solveQp
 * (values and Jacobians in c, A, b), an SOCP with a closed-form solution and Jacobian, FD / JVP /
 * VJP consistency, infeasible and unbounded statuses, kink reporting, option checks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { solveCone, solveQp, tensor, zeros, jacobian, trackKinks, ConvergenceError, ShapeError, type Tensor } from '../src/index.js';
import { assertClose, checkDerivatives } from './helpers.js';

// LP: min cᵀx s.t. Gx ≤ h, as a cone program with the nonnegative cone (A = G, b = h, s = h − Gx ≥ 0)
const G = tensor([[1, 2], [-1, 0], [0, -1], [1, -1], [-2, 1]]);
const h = tensor([4, 0.5, 0.2, 1.5, 3]);
const c = tensor([-1, -0.7]);
const cone = (c: Tensor, A: Tensor, b: Tensor) => solveCone({ c, A, b, cones: { nonneg: 5 } }, { tol: 1e-12 });
const lp = (c: Tensor, A: Tensor, b: Tensor) => solveQp({ Q: zeros([2, 2]), p: c, G: A, h: b });

test('an LP: solution, multipliers and Jacobians in c, A, b equal solveQp', () => {
  const r = cone(c, G, h);
  assert.equal(r.status, 'optimal');
  const q = lp(c, G, h);
  assertClose(r.x, q.z, 1e-8, 'x');
  assertClose(r.y, q.lambda, { atol: 1e-8 }, 'y = λ');
  for (const k of [0, 1, 2] as const) {
    const f = (v: Tensor) => {
      const args: [Tensor, Tensor, Tensor] = [c, G, h];
      args[k] = v;
      return args;
    };
    const Jc = jacobian((v: Tensor) => cone(...f(v)).x)([c, G, h][k]!);
    const Jq = jacobian((v: Tensor) => lp(...f(v)).z)([c, G, h][k]!);
    assertClose(Jc, Jq, { atol: 1e-7 }, `Jacobian in ${['c', 'A', 'b'][k]}`);
  }
});

test('an SOCP: min cᵀx s.t. ‖x‖ ≤ 1 has x = −c/‖c‖ and dx/dc = −(I − xxᵀ)/‖c‖; FD, JVP, VJP', () => {
  const A = tensor([[0, 0], [-1, 0], [0, -1]]);
  const b = tensor([1, 0, 0]);
  const cc = tensor([0.6, -0.8]);
  const socp = (c: Tensor, A: Tensor, b: Tensor) => solveCone({ c, A, b, cones: { soc: [3] } }, { tol: 1e-12 });
  const r = socp(cc, A, b);
  assertClose(r.x, [-0.6, 0.8], 1e-9);
  assertClose(jacobian((v: Tensor) => socp(v, A, b).x)(cc), [-(1 - 0.36), -0.48, -0.48, -(1 - 0.64)], 1e-7);
  // a mixed problem: zero, nonneg and SOC rows, derivatives of x, y, s in every input
  const A2 = tensor([[1, 1, 0], [-1, 0, 0], [0, -1, 0], [0, 0, -1], [-1, 0, 0], [0, -1, 0]]);
  const b2 = tensor([1, 0.1, 0.05, 2, 0, 0]);
  const c2 = tensor([0.3, -0.2, 1]);
  const mixed = (c: Tensor, A: Tensor, b: Tensor) => solveCone({ c, A, b, cones: { zero: 1, nonneg: 2, soc: [3] } }, { tol: 1e-12 });
  assert.equal(mixed(c2, A2, b2).status, 'optimal');
  checkDerivatives((c, A, b) => mixed(c, A, b).x, [c2, A2, b2], { rtol: 1e-6, h: 1e-6 });
  checkDerivatives((c, A, b) => mixed(c, A, b).s, [c2, A2, b2], { rtol: 1e-6, h: 1e-6 });
});

test('statuses: infeasible and unbounded, with messages; kinks; bad arguments', () => {
  // x ≤ −1 and −x ≤ −1
  const inf = { c: tensor([0]), A: tensor([[1], [-1]]), b: tensor([-1, -1]), cones: { nonneg: 2 } };
  assert.throws(() => solveCone(inf), (e: unknown) => e instanceof ConvergenceError && /primal infeasible/.test(e.message));
  assert.equal(solveCone(inf, { onFailure: 'return' }).status, 'primalInfeasible');
  // min −x s.t. −x ≤ 0
  const unb = { c: tensor([-1]), A: tensor([[-1]]), b: tensor([0]), cones: { nonneg: 1 } };
  assert.equal(solveCone(unb, { onFailure: 'return' }).status, 'dualInfeasible');
  assert.throws(() => solveCone({ c: tensor([1]), A: tensor([[1]]), b: tensor([1]), cones: { nonneg: 2 } }), ShapeError);
  assert.throws(() => solveCone({ ...unb, cones: { soc: [1] } }), /dimension ≥ 2/);
  // min x₂ over the unit disk with x₁ ≥ 0: x = (0, −1), the constraint x₁ ≥ 0 active with zero multiplier
  const deg = { c: tensor([0, 1]), A: tensor([[-1, 0], [0, 0], [-1, 0], [0, -1]]), b: tensor([0, 1, 0, 0]), cones: { nonneg: 1, soc: [3] } };
  const { value, kinks } = trackKinks(() => solveCone(deg, { tol: 1e-12 }));
  assertClose(value.x, [0, -1], { atol: 1e-9 });
  assert.equal(kinks.byPrimitive.solveCone, 1);
});

test('batched: per-problem solutions, shared A and b get summed gradients; FD on the batch', () => {
  const C = tensor([[-1, -0.7], [0.4, -1], [-0.2, 0.9]]);
  const r = solveCone({ c: C, A: G, b: h, cones: { nonneg: 5 } }, { tol: 1e-12 });
  assert.deepEqual(r.x.shape, [3, 2]);
  assert.deepEqual(r.statuses, ['optimal', 'optimal', 'optimal']);
  const gSum = new Float64Array(10);
  for (let k = 0; k < 3; k++) {
    const ck = tensor(C.data.slice(2 * k, 2 * k + 2), [2]);
    assertClose(r.x.data.subarray(2 * k, 2 * k + 2), cone(ck, G, h).x, 1e-9, `problem ${k}`);
    const gk = jacobian((A: Tensor) => cone(ck, A, h).x)(G);
    for (let i = 0; i < 10; i++) gSum[i] += gk.data[i]! + gk.data[10 + i]!;
  }
  const gA = jacobian((A: Tensor) => solveCone({ c: C, A, b: h, cones: { nonneg: 5 } }, { tol: 1e-12 }).x)(G);
  const gAsum = new Float64Array(10);
  for (let o = 0; o < 6; o++) for (let i = 0; i < 10; i++) gAsum[i] += gA.data[o * 10 + i]!;
  assertClose(gAsum, gSum, { atol: 1e-8 }, 'shared A: summed');
  checkDerivatives((c, b) => solveCone({ c, A: G, b, cones: { nonneg: 5 } }, { tol: 1e-12 }).x, [C, h], { rtol: 1e-6, h: 1e-6 });
});

test('an SDP: min ⟨C, X⟩ s.t. tr X = 1, X ⪰ 0 gives X = vvᵀ (v: eigenvector of λ_min(C)); FD / JVP / VJP', () => {
  // svec(X) = (X₀₀, √2·X₁₀, X₁₁); ⟨C, X⟩ = svec(C)ᵀsvec(X); tr X = x₀ + x₂
  const r2 = Math.SQRT2;
  const C = [[2, 0.5], [0.5, 1]];
  const c = tensor([C[0]![0]!, r2 * C[1]![0]!, C[1]![1]!]);
  const A = tensor([[1, 0, 1], [-1, 0, 0], [0, -1, 0], [0, 0, -1]]);
  const b = tensor([1, 0, 0, 0]);
  const sdp = (c: Tensor, A: Tensor, b: Tensor) => solveCone({ c, A, b, cones: { zero: 1, psd: [2] } }, { tol: 1e-12 });
  const r = sdp(c, A, b);
  assert.equal(r.status, 'optimal');
  // λ_min of [[2, .5], [.5, 1]] = 1.5 − √0.5, eigenvector ∝ (0.5, λ − 2)
  const lam = 1.5 - Math.sqrt(0.5);
  const v = [0.5, lam - 2];
  const nv = Math.hypot(v[0]!, v[1]!);
  const X = [[v[0]! * v[0]! / nv ** 2, v[0]! * v[1]! / nv ** 2], [0, v[1]! * v[1]! / nv ** 2]];
  assertClose(r.x, [X[0]![0]!, r2 * X[0]![1]!, X[1]![1]!], 1e-8);
  checkDerivatives((c, b) => sdp(c, A, b).x, [c, b], { rtol: 1e-6, h: 1e-6 });
});
