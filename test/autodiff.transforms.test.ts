/**
 * @file The transformation engine: grad/vjp/jvp/jacobian/hessian on trees, nesting in every
 * order (grad∘grad, jvp∘grad, vjp∘jvp), custom rules and their transposition, error cases.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nd from '../src/index.js';
import { tensor, grad, jvp, vjp, valueAndGrad, jacobian, hessian, hvp, customJvp, customVjp, sum, mul, exp, sin, relu, neg, sub, tanh, matmul, Tensor, ShapeError, InvalidArgumentError } from '../src/index.js';
import { assertClose, checkDerivatives } from './helpers.js';

const cube = (x: Tensor) => sum(mul(mul(x, x), x));

test('grad of a scalar function matches the closed form', () => {
  const g = grad(cube)(tensor([1, -2, 3]));
  assertClose(g, [3, 12, 27], 1e-15);
});

test('valueAndGrad returns both, argnums selects arguments', () => {
  const f = (a: Tensor, b: Tensor) => sum(mul(a, exp(b)));
  const [v, [ga, gb]] = valueAndGrad(f, { argnums: [0, 1] })(tensor([1, 2]), tensor([0, 1]));
  assertClose(v, 1 + 2 * Math.E, 1e-15);
  assertClose(ga, [1, Math.E], 1e-15);
  assertClose(gb, [1, 2 * Math.E], 1e-15);
  assertClose(grad(f, { argnums: 1 })(tensor([1, 2]), tensor([0, 1])), [1, 2 * Math.E], 1e-15);
});

test('parameter trees in and out', () => {
  const params = { w: tensor([[1, 2], [3, 4]]), b: [tensor([0.5, -0.5])] };
  const loss = (p: typeof params, x: Tensor) => sum(tanh(nd.add(matmul(p.w, x), p.b[0]!)));
  const g = grad(loss)(params, tensor([1, -1]));
  assert.deepEqual(Object.keys(g), ['w', 'b']);
  assert.equal(g.b.length, 1);
  // oracle: d/dw_ij = (1 − tanh²(z_i)) x_j
  const z = [1 - 2 + 0.5, 3 - 4 - 0.5];
  const s = z.map((v) => 1 - Math.tanh(v) ** 2);
  assertClose(g.w, [s[0]!, -s[0]!, s[1]!, -s[1]!], 1e-14);
  assertClose(g.b[0], s, 1e-14);
});

test('grad(grad(f)) and hessian match closed forms', () => {
  const x = tensor([0.3, -1.2]);
  const g2 = grad((y: Tensor) => sum(grad(cube)(y)))(x); // d/dx Σ 3x² = 6x
  assertClose(g2, [1.8, -7.2], 1e-14);
  const H = hessian((y: Tensor) => sum(mul(exp(y), y)))(x); // diag((2 + x) eˣ)
  assertClose(H, [(2 + 0.3) * Math.exp(0.3), 0, 0, (2 - 1.2) * Math.exp(-1.2)], 1e-14);
  // third order: d³/dx³ x³ = 6
  const g3 = grad((y: Tensor) => sum(grad((z: Tensor) => sum(grad(cube)(z)))(y)))(tensor([2]));
  assertClose(g3, [6], 1e-14);
});

test('jvp of grad (Hessian-vector product) and vjp of jvp', () => {
  const f = (x: Tensor) => sum(mul(sin(x), x));
  const x = tensor([0.1, 0.7, -0.4]);
  const v = tensor([1, -2, 0.5]);
  // H = diag(2 cos x − x sin x)
  const h = x.data.map((xi) => 2 * Math.cos(xi) - xi * Math.sin(xi));
  assertClose(hvp(f, [x], [v]), [h[0]! * 1, h[1]! * -2, h[2]! * 0.5], 1e-14);
  // vjp of the jvp map x ↦ J_f'(x) v (reverse over forward)
  const jvpMap = (y: Tensor) => jvp((z: Tensor) => grad(f)(z), [y], [v])[1];
  const [, pb] = vjp(jvpMap, x);
  const [g] = pb(tensor([1, 1, 1]));
  // d/dx_i [h(x_i) v_i] = h'(x_i) v_i with h' = −3 sin x − x cos x
  assertClose(g, x.data.map((xi, i) => (-3 * Math.sin(xi) - xi * Math.cos(xi)) * v.data[i]!), 1e-13);
});

test('jacobian in forward and reverse mode agree', () => {
  const f = (x: Tensor) => mul(exp(x), sum(x));
  const x = tensor([0.2, -0.5, 1.0]);
  const Jr = jacobian(f, { mode: 'reverse' })(x);
  const Jf = jacobian(f, { mode: 'forward' })(x);
  assert.deepEqual(Jr.shape, [3, 3]);
  assertClose(Jr, Jf, 1e-15);
  checkDerivatives(f, [x]);
});

test('customJvp: rule is used in both modes and transposed for reverse mode', () => {
  // f(x) = x with a deliberately different derivative: 3 dx
  const f = customJvp((x: Tensor) => mul(x, 1), (_p: [Tensor], [dx]: [Tensor]) => mul(dx, 3));
  assertClose(jvp(f, [tensor([1, 2])], [tensor([1, 1])])[1], [3, 3]);
  assertClose(grad((x: Tensor) => sum(f(x)))(tensor([1, 2])), [3, 3]);
  // second order through a custom rule: g(x) = f(x)² ⇒ g' = 2·x·3
  assertClose(grad((x: Tensor) => sum(grad((y: Tensor) => sum(mul(f(y), f(y))))(x)))(tensor([2])), [18]);
});

test('customVjp: rule is used in reverse and transposed for forward mode', () => {
  const f = customVjp((x: Tensor, y: Tensor) => mul(x, y), ([x, y]: [Tensor, Tensor], _out: Tensor, g: Tensor) => [mul(g, mul(y, 2)), mul(g, x)]);
  const [ga, gb] = grad((a: Tensor, b: Tensor) => sum(f(a, b)), { argnums: [0, 1] })(tensor([1, 2]), tensor([3, 4]));
  assertClose(ga, [6, 8]);
  assertClose(gb, [1, 2]);
  const [, t] = jvp(f, [tensor([1, 2]), tensor([3, 4])], [tensor([1, 0]), tensor([0, 1])]);
  assertClose(t, [6, 2]);
});

test('closures over outer tracers do not confuse levels (perturbation confusion)', () => {
  // d/dx [x · d/dy (x + y)] at any x = 1  (the classic Siskind–Pearlmutter example)
  const f = (x: Tensor) => sum(mul(x, grad((y: Tensor) => sum(nd.add(x, y)))(tensor([1]))));
  assertClose(grad(f)(tensor([5])), [1]);
});

test('errors: non-scalar grad output, bad argnums, tangent shape mismatch, escaped tracers', () => {
  assert.throws(() => grad((x: Tensor) => mul(x, 2))(tensor([1, 2])), ShapeError);
  assert.throws(() => grad((x: Tensor) => sum(x), { argnums: 3 })(tensor([1])), InvalidArgumentError);
  assert.throws(() => jvp((x: Tensor) => x, [tensor([1, 2])], [tensor([1])]), ShapeError);
  assert.throws(() => nd.add(tensor([1, 2]), tensor([1, 2, 3])), ShapeError);
});

test('relu(x) − relu(−x) = x: autodiff returns the artificial critical point 0 at x = 0', () => {
  const f = (x: Tensor) => sum(sub(relu(x), relu(neg(x))));
  assertClose(grad(f)(tensor([0])), [0]);
  assertClose(grad(f)(tensor([0.5])), [1]);
  // other selections give other elements of the conservative set [0, 2]; t = ½ happens to give 1
  assertClose(nd.withKinkPolicy('right', () => grad(f)(tensor([0]))), [2]);
  assertClose(nd.withKinkPolicy({ kind: 'fixed', t: 0.5 }, () => grad(f)(tensor([0]))), [1]);
});

test('custom rules returning a wrongly shaped tangent or cotangent raise a ShapeError naming the function', () => {
  const badJ = customJvp((x: Tensor) => mul(x, 2), (_p: [Tensor], [dx]: [Tensor]) => sum(dx), { name: 'badJvp' });
  assert.throws(() => jvp(badJ, [tensor([1, 2])], [tensor([1, 1])]), (e: Error) => e instanceof ShapeError && /badJvp/.test(e.message));
  const badV = customVjp((x: Tensor) => mul(x, 2), (_p: [Tensor], _y: Tensor, g: Tensor) => [sum(g)], { name: 'badVjp' });
  assert.throws(() => grad((x: Tensor) => sum(badV(x)))(tensor([1, 2])), (e: Error) => e instanceof ShapeError && /badVjp/.test(e.message));
});
