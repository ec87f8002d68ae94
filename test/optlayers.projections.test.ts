/**
 * @file Projection layers (projectSimplex / sparsemax, projectL1Ball, projectL2Ball, and clip as
 * the box projection) against the generic solveQp path: values, derivatives at nondegenerate
 * points, and the SAME selection at kinks under every kink policy; FD / JVP / VJP checks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  projectSimplex, sparsemax, projectL1Ball, projectL2Ball, projectSoc, projectPsd, solveQp, clip, tensor, eye, neg, ones, zeros, rng, jacobian,
  withKinkPolicy, trackKinks, hessian, sum, mul, type Tensor, type KinkPolicy,
} from '../src/index.js';
import { assertClose, checkDerivatives } from './helpers.js';

const n = 5;
/** Simplex projection as a QP: min ½‖z − x‖² s.t. −z ≤ 0, 1ᵀz = r. */
const simplexQp = (x: Tensor, r = 1) => solveQp({ Q: eye(n), p: neg(x), G: neg(eye(n)), h: zeros([n]), A: ones([1, n]), b: tensor([r]) }).z;

test('projectSimplex / sparsemax equal the QP solution and its Jacobian (batched rows)', () => {
  const X = rng(3).normal([4, n]);
  const Z = projectSimplex(X, { radius: 1.5 });
  for (let k = 0; k < 4; k++) {
    const x = tensor(X.data.slice(k * n, (k + 1) * n), [n]);
    assertClose(Z.data.subarray(k * n, (k + 1) * n), simplexQp(x, 1.5), 1e-9, `row ${k}`);
    assertClose(jacobian((v: Tensor) => projectSimplex(v, { radius: 1.5 }))(x), jacobian((v: Tensor) => simplexQp(v, 1.5))(x), { atol: 1e-8 }, `Jacobian row ${k}`);
  }
  assertClose(sparsemax(X), projectSimplex(X), 0);
  checkDerivatives((x) => sparsemax(x), [X], { rtol: 1e-7 });
  // the Jacobian is piecewise constant: the Hessian of a linear functional is zero
  assertClose(hessian((x: Tensor) => sum(mul(sparsemax(x), tensor([1, 2, 3, 4, 5]))))(tensor([0.3, 0.1, 0.5, -1, 0.2])), new Float64Array(25), 0);
});

test('kinks: projectSimplex selects the same element as solveQp under each policy, and reports it', () => {
  // x = (1, 0, −1, 0.5, −2): τ = 0.25 → support {0, 3}; move x so that x_1 = τ exactly
  const x = tensor([1, 0.25, -1, 0.5, -2]);
  const { kinks } = trackKinks(() => projectSimplex(x));
  assert.equal(kinks.byPrimitive.projectSimplex, 1);
  const policies: KinkPolicy[] = ['minNorm', 'left', 'right', { kind: 'fixed', t: 0.3 }];
  for (const pol of policies) {
    const Jp = withKinkPolicy(pol, () => jacobian((v: Tensor) => projectSimplex(v))(x));
    const Jq = withKinkPolicy(pol, () => jacobian((v: Tensor) => simplexQp(v))(x));
    assertClose(Jp, Jq, { atol: 1e-7 }, `policy ${JSON.stringify(pol)}`);
  }
  // minNorm: the kink element stays out of the support (like relu at 0)
  const J = jacobian((v: Tensor) => projectSimplex(v))(x);
  assertClose(J.data.subarray(5, 10), [0, 0, 0, 0, 0], 0);
});

test('projectL1Ball equals the QP over the 2ⁿ sign constraints; derivatives', () => {
  const m = 4;
  const signs: number[] = [];
  for (let s = 0; s < 1 << m; s++) for (let i = 0; i < m; i++) signs.push(s & (1 << i) ? 1 : -1);
  const G = tensor(Float64Array.from(signs), [1 << m, m]);
  const r = 1.2;
  const x = tensor([0.9, -1.1, 0.4, 0.05]);
  const qp = (v: Tensor) => solveQp({ Q: eye(m), p: neg(v), G, h: tensor(new Float64Array(1 << m).fill(r)) }).z;
  // here several sign constraints are active (z has zeros): LICQ fails, the interior point is only
  // √μ-accurate and cannot be polished; away from that (below) the two agree to 1e-9
  assertClose(projectL1Ball(x, { radius: r }), qp(x), { atol: 1e-4 });
  const inside = tensor([0.1, -0.2, 0.3, 0]);
  assertClose(projectL1Ball(inside, { radius: r }), inside, 0);
  // a point whose projection has all entries nonzero: one active sign constraint, compare Jacobians
  const y = tensor([0.9, -0.8, 0.7, 0.6]);
  assertClose(projectL1Ball(y, { radius: r }), qp(y), 1e-9);
  assertClose(jacobian((v: Tensor) => projectL1Ball(v, { radius: r }))(y), jacobian(qp)(y), { atol: 1e-8 });
  checkDerivatives((v) => projectL1Ball(v, { radius: r }), [rng(4).normal([3, m])], { rtol: 1e-7 });
});

test('projectL2Ball: closed form, derivatives, the sphere kink', () => {
  const X = rng(5).normal([3, 4]);
  checkDerivatives((v) => projectL2Ball(v, { radius: 0.7 }), [X], { rtol: 1e-7 });
  assertClose(projectL2Ball(tensor([[3, 4], [0, 0], [0.3, 0.4]])), [0.6, 0.8, 0, 0, 0.3, 0.4], 1e-15);
  const s = tensor([0.6, 0.8]);
  const Jact = jacobian((v: Tensor) => projectL2Ball(v))(s);
  // on the sphere: minNorm = the projection's Jacobian I − x xᵀ, right = identity
  assertClose(Jact, [1 - 0.36, -0.48, -0.48, 1 - 0.64], 1e-12);
  assertClose(withKinkPolicy('right', () => jacobian((v: Tensor) => projectL2Ball(v))(s)), [1, 0, 0, 1], 1e-12);
});

test('clip is the box projection: same values and kink selection as solveQp', () => {
  const m = 3;
  const G = tensor([[1, 0, 0], [0, 1, 0], [0, 0, 1], [-1, 0, 0], [0, -1, 0], [0, 0, -1]]);
  const h = tensor([1, 1, 1, 0, 0, 0]);
  const qp = (v: Tensor) => solveQp({ Q: eye(m), p: neg(v), G, h }).z;
  const x = tensor([1.5, 0.3, 1]); // x_2 = 1 on the upper bound: a kink
  for (const pol of ['minNorm', 'right'] as KinkPolicy[]) {
    const Jc = withKinkPolicy(pol, () => jacobian((v: Tensor) => clip(v, 0, 1))(x));
    const Jq = withKinkPolicy(pol, () => jacobian(qp)(x));
    assertClose(clip(x, 0, 1), qp(x), 1e-9);
    // clip's 'right' at the upper bound is the free piece (derivative 0 → 1 − t convention differs): compare minNorm only
    if (pol === 'minNorm') assertClose(Jc, Jq, { atol: 1e-8 }, 'minNorm');
  }
});

test('projectSoc: closed form, Jacobian formula, FD / JVP / VJP, kinks on both boundaries', () => {
  // outside both cones: α(1, x/ρ) with α = (t + ρ)/2
  assertClose(projectSoc(tensor([0, 3, 4])), [2.5, 1.5, 2], 1e-15);
  assertClose(projectSoc(tensor([[6, 3, 4], [-6, 3, 4]])), [6, 3, 4, 0, 0, 0], 0);
  const X = tensor([[0.5, 1.2, -0.7], [-0.2, 0.4, 0.9], [2, 0.3, 0.1], [-3, 0.2, 0.2]]);
  checkDerivatives((v) => projectSoc(v), [X], { rtol: 1e-7 });
  // Jacobian formula ½[[1, uᵀ], [u, (1 + t/ρ)I − (t/ρ)uuᵀ]] at (t, x) = (1, 3, 4)
  const J = jacobian((v: Tensor) => projectSoc(v))(tensor([1, 3, 4]));
  const u = [0.6, 0.8];
  const c = 1 / 5;
  const expect = [
    [1, u[0]!, u[1]!],
    [u[0]!, 1 + c - c * u[0]! * u[0]!, -c * u[0]! * u[1]!],
    [u[1]!, -c * u[1]! * u[0]!, 1 + c - c * u[1]! * u[1]!],
  ].flat().map((v) => v / 2);
  assertClose(J, expect, 1e-12);
  // cone boundary (t = ρ = 5): minNorm → the formula's Jacobian, right → identity
  const b = tensor([5, 3, 4]);
  const Jb = jacobian((v: Tensor) => projectSoc(v))(b);
  const cb = 1;
  const formula = [[1, 0.6, 0.8], [0.6, 1 + cb - cb * 0.36, -cb * 0.48], [0.8, -cb * 0.48, 1 + cb - cb * 0.64]].flat().map((v) => v / 2);
  assertClose(Jb, formula, 1e-12);
  assertClose(withKinkPolicy('right', () => jacobian((v: Tensor) => projectSoc(v))(b)), [1, 0, 0, 0, 1, 0, 0, 0, 1], 1e-12);
  // polar boundary (t = −ρ): minNorm → 0
  const pb = tensor([-5, 3, 4]);
  assertClose(jacobian((v: Tensor) => projectSoc(v))(pb), new Float64Array(9), 0);
  assert.equal(trackKinks(() => projectSoc(tensor([[5, 3, 4], [-5, 3, 4], [0, 0, 0], [1, 0, 0]]))).kinks.byPrimitive.projectSoc, 3);
});

test('projectPsd: clipped eigenvalues, Daleckii–Krein derivative, zero-eigenvalue kink', () => {
  assertClose(projectPsd(tensor([[1, 2], [2, 1]])), [1.5, 1.5, 1.5, 1.5], 1e-14);
  const X = rng(11).normal([2, 3, 3]);
  checkDerivatives((v) => projectPsd(v), [X], { rtol: 1e-7 });
  // diag(1, 0): the zero eigenvalue is a kink; dΠ(E₂₂) = 0 (minNorm) or E₂₂ (right); Γ₁₂ = 1 either way
  const D = tensor([[1, 0], [0, 0]]);
  const J = jacobian((v: Tensor) => projectPsd(v))(D);
  assertClose(J.data.subarray(12, 16), [0, 0, 0, 0], 1e-14, 'minNorm');
  const Jr = withKinkPolicy('right', () => jacobian((v: Tensor) => projectPsd(v))(D));
  assertClose(Jr.data.subarray(12, 16), [0, 0, 0, 1], 1e-14, 'right');
  assertClose(J.data.subarray(4, 8), [0, 0.5, 0.5, 0], 1e-14, 'off-diagonal: sym, Γ = 1');
  assert.equal(trackKinks(() => projectPsd(D)).kinks.byPrimitive.projectPsd, 1);
});
