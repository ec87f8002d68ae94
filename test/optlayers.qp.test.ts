/**
 * @file solveQp: solutions against stored cvxopt references (test/fixtures/qp_cvxopt.json, made by
 * bench/qp_oracle.py), derivatives against central finite differences of re-solves, JVP/VJP
 * consistency, batched and shared parameters (shared gradients are sums), statuses of infeasible,
 * unbounded and capped problems, the documented selection at a degenerate point, singular-KKT
 * refusal, warm start.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  solveQp, tensor, eye, grad, sum, mul, matmul, reshape, zeros, rng, withKinkPolicy, trackKinks,
  ConvergenceError, InvertibilityError, ConcretizationError, InvalidArgumentError, ShapeError, type Tensor,
} from '../src/index.js';
import { assertClose, checkDerivatives } from './helpers.js';

interface Fixture { n: number; m: number; e: number; lp: boolean; Q: number[]; p: number[]; G: number[]; h: number[]; A: number[]; b: number[]; z: number[]; lambda: number[]; nu: number[] }
const fixtures = (JSON.parse(readFileSync(new URL('./fixtures/qp_cvxopt.json', import.meta.url), 'utf8')) as { problems: Fixture[] }).problems;

function tensors(f: Fixture) {
  const t = (v: number[], shape: number[]) => tensor(Float64Array.from(v), shape);
  return {
    Q: t(f.Q, [f.n, f.n]), p: t(f.p, [f.n]), G: t(f.G, [f.m, f.n]), h: t(f.h, [f.m]),
    ...(f.e > 0 ? { A: t(f.A, [f.e, f.n]), b: t(f.b, [f.e]) } : {}),
  };
}

test('solutions match cvxopt to 1e-8 (QP, with equalities, LP)', () => {
  for (const f of fixtures) {
    const r = solveQp(tensors(f));
    assert.equal(r.status, 'optimal');
    assertClose(r.z, f.z, { atol: 1e-8, rtol: 1e-8 }, `z (n=${f.n}, m=${f.m}, e=${f.e}${f.lp ? ', LP' : ''})`);
    assertClose(r.lambda, f.lambda, { atol: 1e-8, rtol: 1e-8 }, 'lambda');
    if (f.e > 0) assertClose(r.nu, f.nu, { atol: 1e-8, rtol: 1e-8 }, 'nu');
    assert.ok(r.problems[0]!.primalResidual <= 1e-10 && r.problems[0]!.dualResidual <= 1e-10 && r.problems[0]!.gap <= 1e-10);
  }
});

test('derivatives in every input: finite differences, JVP and VJP agree (nondegenerate points)', () => {
  for (const f of fixtures.slice(0, 3)) {
    const d = tensors(f);
    const names = Object.keys(d) as (keyof typeof d)[];
    const xs = names.map((k) => d[k]!) as Tensor[];
    const fn = (...args: Tensor[]) => {
      const prob = Object.fromEntries(names.map((k, i) => [k, args[i]]));
      const r = solveQp(prob as never);
      return r.z;
    };
    checkDerivatives(fn, xs, { rtol: 1e-6, h: 1e-5 });
    // multipliers are differentiable too
    const fl = (...args: Tensor[]) => solveQp(Object.fromEntries(names.map((k, i) => [k, args[i]])) as never).lambda;
    checkDerivatives(fl, xs, { rtol: 1e-6, h: 1e-5 });
  }
});

test('batched and shared parameters: per-problem results, shared gradients are sums over the batch', () => {
  const f = fixtures[0]!;
  const d = tensors(f);
  const B = 3;
  const r = rng(5);
  const P = r.normal([B, f.n]);
  const batched = solveQp({ Q: d.Q, p: P, G: d.G, h: d.h });
  assert.deepEqual(batched.z.shape, [B, f.n]);
  for (let k = 0; k < B; k++) {
    const pk = tensor(P.data.slice(k * f.n, (k + 1) * f.n), [f.n]);
    const single = solveQp({ Q: d.Q, p: pk, G: d.G, h: d.h });
    assertClose(batched.z.data.subarray(k * f.n, (k + 1) * f.n), single.z, 1e-12, `problem ${k}`);
  }
  // gradient of a shared h = sum of the per-problem gradients
  const w = r.normal([B, f.n]);
  const gShared = grad((h: Tensor) => sum(mul(solveQp({ Q: d.Q, p: P, G: d.G, h }).z, w)))(d.h);
  const gSum = new Float64Array(f.m);
  for (let k = 0; k < B; k++) {
    const pk = tensor(P.data.slice(k * f.n, (k + 1) * f.n), [f.n]);
    const wk = tensor(w.data.slice(k * f.n, (k + 1) * f.n), [f.n]);
    const gk = grad((h: Tensor) => sum(mul(solveQp({ Q: d.Q, p: pk, G: d.G, h }).z, wk)))(d.h);
    for (let i = 0; i < f.m; i++) gSum[i] += gk.data[i]!;
  }
  assertClose(gShared, gSum, 1e-10, 'shared-h gradient');
  // batched derivative checks (a batched Q, shared G)
  const Qb = reshape(tensor(Float64Array.from([...d.Q.data, ...d.Q.data]), [2, f.n, f.n]), [2, f.n, f.n]);
  checkDerivatives((Q, p, G) => solveQp({ Q, p, G, h: d.h }).z, [Qb, r.normal([2, f.n]), d.G], { rtol: 1e-6, h: 1e-5 });
});

test('equality-only and unconstrained problems', () => {
  const Q = tensor([[2, 0], [0, 4]]);
  const p = tensor([-2, -4]);
  assertClose(solveQp({ Q, p }).z, [1, 1], 1e-12);
  const r = solveQp({ Q, p, A: tensor([[1, 1]]), b: tensor([1]) });
  // min (z1−1)² + 2(z2−1)² s.t. z1 + z2 = 1 → 2(z1−1) = 4(z2−1) → z = (1/3, 2/3)
  assertClose(r.z, [1 / 3, 2 / 3], 1e-12);
  checkDerivatives((Q, p, A, b) => solveQp({ Q, p, A, b }).z, [Q, p, tensor([[1, 1]]), tensor([1])], { rtol: 1e-7 });
});

test('statuses: primal infeasible, unbounded, iteration cap; clear messages; onFailure', () => {
  const infeasible = { Q: eye(1), p: tensor([0]), G: tensor([[1], [-1]]), h: tensor([-1, -1]) };
  assert.throws(() => solveQp(infeasible), (e: unknown) => e instanceof ConvergenceError && /primal infeasible/.test(e.message));
  assert.equal(solveQp(infeasible, { onFailure: 'return' }).status, 'primalInfeasible');
  const unbounded = { Q: zeros([1, 1]), p: tensor([-1]), G: tensor([[-1]]), h: tensor([0]) };
  assert.throws(() => solveQp(unbounded), /unbounded below/);
  assert.equal(solveQp(unbounded, { onFailure: 'return' }).status, 'dualInfeasible');
  const f = fixtures[2]!;
  const capped = solveQp(tensors(f), { maxIter: 2, onFailure: 'return' });
  assert.equal(capped.status, 'maxIterations');
  assert.throws(() => solveQp(tensors(f), { maxIter: 2 }), /not solved within maxIter = 2/);
  // batch: per-problem statuses
  const mixed = solveQp({ Q: eye(1), p: tensor([0]), G: tensor([[1], [-1]]), h: tensor([[-1, -1], [1, 1]]) }, { onFailure: 'return' });
  assert.deepEqual(mixed.statuses, ['primalInfeasible', 'optimal']);
  // bad arguments
  assert.throws(() => solveQp({ Q: eye(2), p: tensor([1, 2, 3]) }), ShapeError);
  assert.throws(() => solveQp({ Q: eye(1), p: tensor([1]), G: tensor([[1]]) }), /G and h must be given together/);
  assert.throws(() => solveQp({ Q: eye(1), p: tensor([1]) }, { tolerance: 1 } as never), /did you mean 'tol'/);
  assert.throws(() => solveQp({ Q: eye(1), p: tensor([1]) }, { tol: -1 }), InvalidArgumentError);
});

test('degenerate point: the documented selection (1−t)·J_act + t·J_free under the kink policy, reported as a kink', () => {
  // projection of p onto the box [0, 1]²: z = clip(−p); at −p₁ = 1 constraint z₁ ≤ 1 is active with λ = 0
  const G = tensor([[1, 0], [0, 1], [-1, 0], [0, -1]]);
  const h = tensor([1, 1, 0, 0]);
  const f = (p: Tensor) => sum(mul(solveQp({ Q: eye(2), p, G, h }).z, tensor([1, 3])));
  const p0 = tensor([-1, -0.5]);
  const { value, kinks } = trackKinks(() => solveQp({ Q: eye(2), p: p0, G, h }));
  assert.equal(value.degenerate[0], 1);
  assert.equal(kinks.byPrimitive.solveQp, 1);
  assertClose(grad(f)(p0), [0, -3], 1e-9, 'minNorm: J_act');
  assertClose(withKinkPolicy('left', () => grad(f)(p0)), [0, -3], 1e-9, 'left: J_act');
  assertClose(withKinkPolicy('right', () => grad(f)(p0)), [-1, -3], 1e-9, 'right: J_free');
  assertClose(withKinkPolicy({ kind: 'fixed', t: 0.25 }, () => grad(f)(p0)), [-0.25, -3], 1e-9, 'fixed t');
  assertClose(grad((p: Tensor) => sum(mul(solveQp({ Q: eye(2), p, G, h }, { kink: 'right' }).z, tensor([1, 3]))))(p0), [-1, -3], 1e-9, 'per-call option');
});

test('singular restricted KKT system: InvertibilityError under onFailure, zero derivative under return', () => {
  // two identical active constraints z ≤ 0 (LICQ fails)
  const G = tensor([[1], [1]]);
  const h = tensor([0, 0]);
  const f = (p: Tensor, o: 'throw' | 'return') => sum(solveQp({ Q: eye(1), p, G, h }, { onFailure: o }).z);
  assert.throws(() => grad((p: Tensor) => f(p, 'throw'))(tensor([-1])), (e: unknown) => e instanceof InvertibilityError && /LICQ/.test(e.message));
  assertClose(grad((p: Tensor) => f(p, 'return'))(tensor([-1])), [0], 0);
});

test('warm start from a previous solution: fewer iterations, same solution', () => {
  const f = fixtures[4]!;
  const d = tensors(f);
  const cold = solveQp(d);
  const p2 = tensor(Float64Array.from(d.p.data, (v) => v * 1.01), [f.n]);
  const ref = solveQp({ ...d, p: p2 });
  const warm = solveQp({ ...d, p: p2 }, { warmStart: cold });
  assertClose(warm.z, ref.z, 1e-9);
  assert.ok(warm.problems[0]!.iterations <= ref.problems[0]!.iterations, `${warm.problems[0]!.iterations} vs ${ref.problems[0]!.iterations}`);
});

test('higher-order derivatives are refused with ConcretizationError, never a silent zero', () => {
  const d = tensors(fixtures[0]!);
  const g = (p: Tensor) => sum(mul(solveQp({ ...d, p }).z, solveQp({ ...d, p }).z));
  assert.throws(() => grad((p: Tensor) => sum(grad(g)(p)))(d.p), ConcretizationError);
  void matmul;
});
