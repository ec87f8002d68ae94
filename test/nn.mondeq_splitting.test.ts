/**
 * @file monDEQ's operator-splitting backward (`linearSolver: 'splitting'`, src/nn/deq/mondeq_splitting.ts):
 * gradients and JVPs equal the LU / GMRES backward's for both splittings, per-sample status in the
 * report, the kink policy's selection at an exact kink, warm starts, a non-converged budget
 * following the failure policy, and customFixedPoint's custom-solver slot itself.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { add, mul, sum, grad, jvp, rng, withKinkPolicy, zeros, tensor, ConvergenceError, type Tensor } from '../src/index.js';
import { mondeq, type MonDeqParams } from '../src/nn/deq/mondeq.js';
import { assertClose } from './helpers.js';

const X = rng(7).normal([6, 5]);
const tight = { tol: 1e-13, rtol: 1e-13, maxIter: 3000, backwardTol: 1e-12 } as const;

function paramsFor(width: number, scale: number, seed = 1): MonDeqParams {
  const { params } = mondeq({ width }).init(seed, [5]);
  return { ...params, A: mul(params.A, scale), B: mul(params.B, scale), b: add(params.b, 0.1) };
}

const lossOf = (layer: ReturnType<typeof mondeq>) => (p: MonDeqParams) => {
  const z = layer(X, p);
  return sum(mul(z, z));
};

test('splitting backward: gradient equals the LU backward (1e-8) for both splittings, far from a contraction', () => {
  const p = paramsFor(7, 2);
  const ref = grad(lossOf(mondeq({ width: 7, ...tight, linearSolver: 'lu' })))(p);
  for (const [splitting, alpha] of [['peaceman-rachford', 1], ['forward-backward', 0.02]] as const) {
    const layer = mondeq({ width: 7, ...tight, splitting, alpha, linearSolver: 'splitting' });
    const g = grad(lossOf(layer))(p);
    for (const k of ['A', 'B', 'U', 'b'] as const) assertClose(g[k], ref[k], 1e-8, `${splitting}: ∂/∂${k}`);
    const ls = layer.lastReport!.implicit!.linearSolve!;
    assert.equal(ls.method, 'splitting');
    assert.equal(ls.converged, true);
    assert.equal(ls.samples!.converged.length, 6, 'one status per sample');
    assert.ok(ls.samples!.converged.every((c) => c === 1));
    assert.ok(ls.samples!.iterations.every((it) => it > 0));
    assert.ok(ls.relativeResidual <= 1e-10, `relative residual ${ls.relativeResidual}`);
  }
});

test('splitting backward: forward mode (JVP) equals GMRES', () => {
  const p = paramsFor(6, 1.5, 2);
  const dir = { A: rng(20).normal([6, 6]), B: rng(21).normal([6, 6]), U: rng(22).normal([5, 6]), b: rng(23).normal([6]) };
  const run = (linearSolver: 'gmres' | 'splitting') => {
    const layer = mondeq({ width: 6, ...tight, linearSolver });
    return jvp((q: MonDeqParams) => layer(X, q), [p], [dir])[1];
  };
  assertClose(run('splitting'), run('gmres'), 1e-8);
});

test('splitting backward: at an exact kink it uses the kink policy’s element, like LU', () => {
  // b = −(W z* + U x) on one coordinate would need z*; instead x = 0, b = 0: z* = 0 and every pre-activation is exactly 0
  const p = { ...paramsFor(4, 1, 3), b: zeros([4]) };
  const x0 = zeros([2, 5]);
  const g = (linearSolver: 'lu' | 'splitting') => grad((q: MonDeqParams) => sum(mondeq({ width: 4, ...tight, linearSolver })(x0, q)))(p);
  for (const policy of ['minNorm', 'right'] as const) {
    const a = withKinkPolicy(policy, () => g('splitting'));
    const b = withKinkPolicy(policy, () => g('lu'));
    assertClose(a.b, b.b, 1e-10, policy);
    assertClose(a.U, b.U, 1e-10, policy);
  }
  // minNorm selects relu'(0) = 0: no gradient reaches b; 'right' selects 1: it does
  assert.equal(withKinkPolicy('minNorm', () => g('splitting')).b.data.every((v) => v === 0), true);
  assert.ok(withKinkPolicy('right', () => g('splitting')).b.data.some((v) => v !== 0));
});

test('splitting backward: warm start from the previous adjoint needs fewer iterations', () => {
  const p = paramsFor(8, 2, 4);
  const layer = mondeq({ width: 8, tol: 1e-12, rtol: 1e-12, maxIter: 3000, backwardTol: 1e-10, warmStart: true });
  grad(lossOf(layer))(p);
  const cold = layer.lastReport!.implicit!.linearSolve!.samples!.iterations.reduce((a, b) => a + b, 0);
  const p2 = { ...p, b: add(p.b, 1e-4) };
  grad(lossOf(layer))(p2);
  const warm = layer.lastReport!.implicit!.linearSolve!.samples!.iterations.reduce((a, b) => a + b, 0);
  assert.ok(warm < cold, `warm ${warm} vs cold ${cold}`);
});

test('splitting backward: a budget too small fails per the failure policy, with per-sample status', () => {
  const p = paramsFor(8, 3, 5);
  const layer = mondeq({ width: 8, tol: 1e-12, rtol: 1e-12, maxIter: 3000, backwardTol: 1e-12, backwardMaxIter: 2 });
  assert.throws(() => grad(lossOf(layer))(p), (e: unknown) => e instanceof ConvergenceError && /splitting/.test((e as Error).message));
  const soft = mondeq({ width: 8, tol: 1e-12, rtol: 1e-12, maxIter: 3000, backwardTol: 1e-12, backwardMaxIter: 2, onFailure: 'return' });
  grad(lossOf(soft))(p);
  const ls = soft.lastReport!.implicit!.linearSolve!;
  assert.equal(ls.converged, false);
  assert.ok(ls.samples!.converged.some((c) => c === 0));
  assert.ok(ls.samples!.iterations.every((it) => it <= 2));
});

test('mondeq refuses an unknown linearSolver name', () => {
  assert.throws(() => mondeq({ width: 3, linearSolver: 'splitting-x' as never })(tensor([[1, 2, 3, 4, 5]]), paramsFor(3, 1)), /linearSolver/);
});


test('customFixedPoint: a custom linear solver is checked, used, and refused with activeSet or ridge', async () => {
  const { customFixedPoint } = await import('../src/implicit/root.js');
  // T(x, y) = 0.5·y + x: B = 0.5·I, so Bᵀu = s ⇔ u = 2s
  let calls = 0;
  const solver = {
    name: 'halver',
    solve: (p: { rhs: Float64Array; apply(v: Float64Array, o?: { transpose?: boolean }): Float64Array }) => {
      calls++;
      const x = p.rhs.map((v) => 2 * v);
      const r = p.apply(x, { transpose: true });
      return { x, converged: true, iterations: 1, residualNorm: Math.hypot(...r.map((v, i) => v - p.rhs[i]!)), reason: 'converged' };
    },
  };
  const T = (x: Tensor, y: Tensor) => add(mul(y, 0.5), x);
  const fp = customFixedPoint(T, (x: Tensor) => mul(x, 2), { linearSolver: solver });
  const g = grad((x: Tensor) => sum(fp(x)))(tensor([1, 2]));
  assert.deepEqual(Array.from(g.data), [2, 2]);
  assert.equal(calls, 1);
  assert.equal(fp.lastReport!.linearSolve!.method, 'halver');
  assert.throws(() => customFixedPoint(T, (x: Tensor) => mul(x, 2), { linearSolver: solver, ridge: 1e-3 }), /custom linearSolver 'halver'/);
  assert.throws(() => customFixedPoint(T, (x: Tensor) => mul(x, 2), { linearSolver: { name: 'bad' } as never }), /custom solver \{ name: string, solve\(problem\) \}/);
});
