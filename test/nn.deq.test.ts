/**
 * @file Deep equilibrium layers (`deq`) and the per-sample batched fixed-point solvers: gradients
 * against finite differences, unrolled differentiation and the dot-product test; the documented
 * selection at a ReLU kink; per-sample status of a non-contractive map; refusal on a singular
 * I − ∂_z f; JFB / phantom gradients; the invertibility estimate; bad inputs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  add, mul, sub, matmul, relu, tanh, sum, grad, jvp, vjp, rng, zeros, tensor, withKinkPolicy, setWarningHandler, slice, eye, linalg,
  jacobianPenalty, spectralNormalize, fcDeq, hvp,
  ConvergenceError, InvertibilityError, NonFiniteError, ShapeError, InvalidArgumentError, type Tensor,
} from '../src/index.js';
import { deq } from '../src/nn/deq/deq.js';
import { sequential } from '../src/nn/layer.js';
import { solveBatchFixedPoint } from '../src/implicit/fixed_point_batch.js';
import { checkDotProduct, checkJvpFd, checkVjpFd, assertClose } from './helpers.js';

type P = { W: Tensor; U: Tensor; b: Tensor };
const f = (z: Tensor, x: Tensor, p: P): Tensor => tanh(add(add(matmul(z, p.W), matmul(x, p.U)), p.b));
const D = 5, IN = 3, B = 4;
const params: P = { W: mul(rng(10).normal([D, D]), 0.25), U: rng(11).normal([IN, D]), b: mul(rng(12).normal([D]), 0.1) };
const x = rng(13).normal([B, IN]);
const tight = { zShape: [D], tol: 1e-13, rtol: 1e-13, maxIter: 500 } as const;

/** Unrolled damped-free fixed-point iteration through ops (ITD), `k` steps from 0. */
function unrolled(xx: Tensor, p: P, k: number): Tensor {
  let z = zeros([xx.shape[0]!, D]);
  for (let i = 0; i < k; i++) z = f(z, xx, p);
  return z;
}

test('forward: Anderson and damped iteration reach the fixed point per sample, with per-sample reports', () => {
  for (const solver of ['anderson', 'fixed-point'] as const) {
    const layer = deq(f, { ...tight, solver });
    const z = layer(x, params);
    assert.deepEqual(z.shape, [B, D]);
    const r = layer.lastReport!.forward;
    assert.equal(r.allConverged, true);
    assert.equal(r.iterations.length, B);
    assert.ok(r.residuals.every((v) => v <= 1e-12), `${solver}: residuals ${r.residuals}`);
    assertClose(z, f(z, x, params), 1e-11, `${solver}: z = f(z)`);
  }
});

test('exact backward: gradients match central finite differences (params tree and x), ≤ 1e-6 relative', () => {
  const layer = deq(f, tight);
  const loss = (W: Tensor, U: Tensor, b: Tensor, xx: Tensor): Tensor => {
    const z = layer(xx, { W, U, b });
    return sum(mul(z, z));
  };
  checkVjpFd(loss, [params.W, params.U, params.b, x], { rtol: 1e-6 });
  checkJvpFd((W: Tensor, xx: Tensor) => layer(xx, { ...params, W }), [params.W, x], { rtol: 1e-6 });
});

test('exact backward agrees with unrolled differentiation of 200 iterations (contraction) to 1e-8', () => {
  const layer = deq(f, tight);
  const w = rng(20).normal([B, D]);
  const L1 = (W: Tensor) => sum(mul(layer(x, { ...params, W }), w));
  const L2 = (W: Tensor) => sum(mul(unrolled(x, { ...params, W }, 200), w));
  assertClose(grad(L1)(params.W), grad(L2)(params.W), { rtol: 1e-8, atol: 1e-10 }, 'implicit vs unrolled gradient');
});

test('JVP / VJP dot-product consistency ⟨Jv, w⟩ = ⟨v, Jᵀw⟩ (gmres and adjoint fixed point)', () => {
  for (const linearSolver of ['gmres', 'fixed-point'] as const) {
    const layer = deq(f, { ...tight, linearSolver, backwardTol: 1e-13 });
    checkDotProduct((W: Tensor, xx: Tensor) => layer(xx, { ...params, W }), [params.W, x], { rtol: 1e-9 });
  }
});

test('ReLU exactly at its kink at the fixed point: the kink policy selects the element (minNorm: 0, right: 1)', () => {
  // z = relu(w·z + u·x + b) with u·x + b = 0: z* = 0 and the pre-activation is exactly 0
  const g = (z: Tensor, xx: Tensor, p: { w: Tensor; b: Tensor }) => relu(add(add(mul(z, p.w), xx), p.b));
  const layer = deq(g, { tol: 1e-14, rtol: 1e-14 });
  const xx = tensor([[0.5]]);
  const p = { w: tensor([0.5]), b: tensor([-0.5]) };
  const db = () => grad((b: Tensor) => sum(layer(xx, { ...p, b })))(p.b).data[0]!;
  assert.equal(layer(xx, p).data[0], 0);
  assert.equal(db(), 0); // default minNorm selection: relu'(0) = 0, so dz/db = 0
  assert.ok(layer.lastReport!.implicit!.kinks.total >= 1, 'the kink is reported');
  // right selection: relu'(0) = 1, dz/db = 1 / (1 − w) = 2
  assertClose(withKinkPolicy('right', db), 2, 1e-12, 'right selection');
});

test('non-contractive f: per-sample non-convergence (throw by default, status under return)', () => {
  // z = a_s·z + 1 with a_s = x_s: samples with |a| < 1 converge, a = 1 has no fixed point
  const g = (z: Tensor, xx: Tensor) => add(mul(z, xx), 1);
  const xx = tensor([[0.5], [1], [0.2]]);
  assert.throws(() => deq(g, { maxIter: 30 })(xx, null), (e: unknown) => e instanceof ConvergenceError && /1 of 3 sample\(s\)/.test(e.message) && /samples 1/.test(e.message));
  const layer = deq(g, { maxIter: 30, onFailure: 'return', backward: 'jfb' });
  const z = layer(xx, null);
  const r = layer.lastReport!.forward;
  assert.deepEqual(Array.from(r.converged), [1, 0, 1]);
  assert.equal(r.iterations[1], 30);
  assertClose(z.data[0]!, 2, 1e-7);
  assert.ok(r.residuals[1]! > 1e-3);
  assertClose(r.residuals[1]!, 1, 1e-12); // f(z) − z = 1 everywhere for a = 1
});

test('singular I − ∂_z f at the fixed point: the exact backward refuses, naming the hypothesis', () => {
  // f(z) = z − z³ + x at x = 0: z* = 0, ∂_z f = 1, I − ∂_z f = 0
  const g = (z: Tensor, xx: Tensor) => add(sub(z, mul(mul(z, z), z)), xx);
  const layer = deq(g, {});
  const xx = tensor([[0]]);
  assert.equal(layer(xx, null).data[0], 0);
  assert.throws(() => grad((a: Tensor) => sum(layer(a, null)))(xx), (e: unknown) => e instanceof InvertibilityError && /invertib|singular/i.test(e.message));
});

test('JFB is ∂_θ f at z* (no inverse); phantom gradients approach the exact gradient as k grows', () => {
  const exact = deq(f, tight);
  const jfb = deq(f, { ...tight, backward: 'jfb' });
  const w = rng(21).normal([B, D]);
  const gW = (layer: typeof exact) => grad((W: Tensor) => sum(mul(layer(x, { ...params, W }), w)))(params.W);
  const zs = exact(x, params);
  const [, pull] = vjp((W: Tensor) => f(zs, x, { ...params, W }), params.W);
  assertClose(gW(jfb), pull(w)[0]!, 1e-10, 'JFB = (∂_W f)ᵀ w at z*');
  const gExact = gW(exact);
  const err = (k: number) => {
    const g = gW(deq(f, { ...tight, backward: 'phantom', phantomSteps: k, phantomDamping: 1 }));
    let e = 0;
    for (let i = 0; i < g.size; i++) e = Math.max(e, Math.abs(g.data[i]! - gExact.data[i]!));
    return e;
  };
  const e2 = err(2), e30 = err(30);
  assert.ok(e30 < 1e-9 && e30 < e2, `phantom error k=2: ${e2}, k=30: ${e30}`);
});

test('invertibility estimate: ρ(∂_z f) of a linear map, and a warning when at risk', () => {
  // f(z) = z·A + x with A symmetric, eigenvalues in [−0.3, 0.95]: ρ = 0.95, ‖A‖₂ = 0.95
  const A = tensor([[0.95, 0, 0], [0, 0.5, 0], [0, 0, -0.3]]);
  const g = (z: Tensor, xx: Tensor, p: Tensor) => add(matmul(z, p), xx);
  const xx = rng(30).normal([2, 3]);
  const seen: string[] = [];
  const prev = setWarningHandler((m) => seen.push(m));
  try {
    const layer = deq(g, { tol: 1e-12, invertibility: { iterations: 60, warnAbove: 0.9 } });
    layer(xx, A);
    const inv = layer.lastReport!.invertibility!;
    assert.ok(Math.abs(inv.spectralRadius - 0.95) < 0.01, `ρ ≈ ${inv.spectralRadius}`);
    assertClose(inv.spectralNorm, 0.95, 1e-6);
    assertClose(inv.sigmaMinLowerBound, 0.05, 1e-5);
    assert.equal(inv.kinks, 0);
    assert.equal(inv.atRisk, true);
    assert.equal(seen.length, 1);
    assert.match(seen[0]!, /spectral radius/);
    // on demand, per call, on a layer without the option (e.g. once per epoch)
    const plain = deq(g, { tol: 1e-12 });
    plain(xx, A);
    assert.equal(plain.lastReport!.invertibility, null);
    plain(xx, A, { invertibility: true });
    assert.ok(plain.lastReport!.invertibility!.spectralNorm > 0.9);
  } finally {
    setWarningHandler(prev);
  }
});

test('per-sample stopping: converged samples stop costing work', () => {
  // a mixed batch: contraction factors 0.1 (easy) and 0.9 (hard)
  const a = Float64Array.of(0.1, 0.1, 0.1, 0.9);
  const g = (zr: Float64Array, rows: Int32Array) => zr.map((v, i) => a[rows[i]!]! * v + 1);
  const { z, report } = solveBatchFixedPoint(g, new Float64Array(4), 4, { method: 'fixed-point', tol: 1e-10, rtol: 0, maxIter: 1000 });
  assertClose(z, [1 / 0.9, 1 / 0.9, 1 / 0.9, 10], 1e-8);
  assert.ok(report.iterations[0]! < 20 && report.iterations[3]! > 150, `iterations ${report.iterations}`);
  assert.equal(report.rowEvaluations, report.iterations.reduce((s, v) => s + v, 0));
  assert.ok(report.rowEvaluations < 0.5 * report.calls * 4);
  // batch-global stopping (torchdeq's): every sample costs the slowest one's iterations
  const glob = solveBatchFixedPoint(g, new Float64Array(4), 4, { method: 'fixed-point', tol: 1e-10, rtol: 0, maxIter: 1000, stopping: 'batch' });
  assert.equal(glob.report.rowEvaluations, 4 * glob.report.calls);
  assert.equal(glob.report.calls, report.calls);
  assertClose(glob.z, z, 1e-9);
});

test('Anderson converges faster than plain iteration on a slow contraction; the strictest safeguard still converges', () => {
  const W = mul(rng(41).normal([8, 8]), 0.33);
  const g = (z: Tensor, xx: Tensor, p: Tensor) => tanh(add(matmul(z, p), xx));
  const xx = rng(42).normal([6, 8]);
  const run = (solver: 'anderson' | 'fixed-point', safeguard = 10) => {
    const layer = deq(g, { tol: 1e-10, rtol: 0, maxIter: 2000, solver, backward: 'jfb', safeguard });
    layer(xx, W);
    return layer.lastReport!.forward;
  };
  const ia = run('anderson').meanIterations, ip = run('fixed-point').meanIterations;
  assert.ok(ia < ip, `anderson ${ia} vs fixed point ${ip}`);
  const strict = run('anderson', 1);
  assert.equal(strict.allConverged, true);
  assert.ok(Number.isInteger(strict.safeguardRestarts));
});

test('the DEQ is a Layer: init / apply / inside sequential', () => {
  const layer = deq(f, {
    zShape: [D],
    tol: 1e-12,
    init: (key, inputShape) => ({ W: mul(rng(key).normal([D, D]), 0.2), U: rng(key + 1).normal([inputShape[0]!, D]), b: zeros([D]) }),
  });
  const { params: p, outputShape } = layer.init(3, [IN]);
  assert.deepEqual(outputShape, [D]);
  const z = layer.apply(p, x);
  assertClose(z, layer(x, p), 0);
  const model = sequential([layer]);
  const m = model.init(0, [IN]);
  assert.deepEqual(model.apply(m.params, x).shape, [B, D]);
  assert.throws(() => layer.apply(p, rng(1).normal([B, IN + 1])), ShapeError);
});

test('bad input: wrong output shape, NaN inside the solve, options out of range', () => {
  const wrong = deq((z: Tensor) => slice(z, [0, 0], [1, 1]), {});
  assert.throws(() => wrong(zeros([2, 3]), null), (e: unknown) => e instanceof ShapeError && /returned shape \[1, 1\].*z has shape \[2, 3\]/.test(e.message));
  // sample 1 overflows to Infinity then NaN: z ← z² + x with x = 10
  const blow = deq((z: Tensor, xx: Tensor) => add(mul(z, z), xx), { maxIter: 100, solver: 'fixed-point' });
  assert.throws(() => blow(tensor([[0.1], [10]]), null), (e: unknown) => e instanceof NonFiniteError && /sample 1 at iteration \d+/.test(e.message));
  assert.throws(() => deq(f, { damping: 2 }), (e: unknown) => e instanceof InvalidArgumentError && /damping/.test(e.message));
  assert.throws(() => deq(f, { memory: 0 }), /memory/);
  assert.throws(() => deq(f, { tol: -1 }), /tol/);
  assert.throws(() => deq(f, { backward: 'exact' as never }), /backward/);
  assert.throws(() => deq(f, { maxIters: 3 } as never), /maxIter/);
  assert.throws(() => deq(f, { zShape: [0] }), /zShape/);
  assert.throws(() => deq(f, {})(tensor([1, 2]) as Tensor, params), ShapeError);
});

test('jvp through the DEQ equals the implicit formula (I − ∂_z f)⁻¹ ∂_x f·v on a linear map', () => {
  const A = tensor([[0.2, 0.1], [0.0, 0.3]]);
  const g = (z: Tensor, xx: Tensor) => add(matmul(z, A), xx);
  const layer = deq(g, { tol: 1e-14, rtol: 1e-14 });
  const xx = tensor([[1, 2]]);
  const v = tensor([[1, 0]]);
  const [, t] = jvp((a: Tensor) => layer(a, null), [xx], [v]);
  // z = z A + x → z = x (I − A)⁻¹; t = v (I − A)⁻¹
  const det = 0.8 * 0.7;
  assertClose(t, [0.7 / det, 0.1 / det], 1e-12);
});

test('Broyden: per-sample limited-memory Broyden reaches the fixed point, with the same gradient', () => {
  const layer = deq(f, { ...tight, solver: 'broyden', memory: 8 });
  const z = layer(x, params);
  assert.equal(layer.lastReport!.forward.allConverged, true);
  assert.equal(layer.lastReport!.forward.method, 'broyden');
  assertClose(z, deq(f, tight)(x, params), 1e-11);
  const w = rng(22).normal([B, D]);
  const gB = grad((W: Tensor) => sum(mul(layer(x, { ...params, W }), w)))(params.W);
  const gA = grad((W: Tensor) => sum(mul(deq(f, tight)(x, { ...params, W }), w)))(params.W);
  assertClose(gB, gA, 1e-9);
});

test('jacobianPenalty: Hutchinson estimate of ‖∂_z f‖_F² (unbiased; closed form for a linear map) and differentiable', () => {
  // f(z) = z·A + x: ∂_z f_s = Aᵀ for every sample, ‖A‖_F² = Σ A_ij²
  const A = tensor([[0.5, -0.2], [0.3, 0.1]]);
  const g = (z: Tensor, xx: Tensor, p: Tensor) => add(matmul(z, p), xx);
  const z = zeros([50, 2]), xx = zeros([50, 2]);
  const est = jacobianPenalty(g, z, xx, A, { samples: 200, seed: 3 }).data[0]!;
  const exact = 0.25 + 0.04 + 0.09 + 0.01;
  assert.ok(Math.abs(est - exact) < 0.03 * exact, `estimate ${est} vs ${exact}`);
  // same seed → same probes: a deterministic function of A, whose gradient matches FD
  checkVjpFd((W: Tensor) => jacobianPenalty(f, rng(5).normal([B, D]), x, { ...params, W }, { samples: 2, seed: 7 }), [params.W], { rtol: 1e-6 });
});

test('spectralNormalize bounds ‖W‖₂; fcDeq with spectralBound < 1 converges for a large W', () => {
  const W = mul(rng(50).normal([6, 6]), 2);
  const Wn = spectralNormalize(W, { bound: 0.9, iterations: 200 });
  const sv = linalg.svd(Wn).S.data;
  assertClose(Math.max(...sv), 0.9, 1e-8);
  const small = mul(eye(3), 0.5);
  assertClose(spectralNormalize(small, { bound: 0.9 }), small, 0, 'unchanged below the bound');
  const layer = fcDeq({ width: 6, spectralBound: 0.9, tol: 1e-12, rtol: 1e-12 });
  const { params: p } = layer.init(0, [IN]);
  layer(x, { ...p, W });
  assert.equal(layer.lastReport!.forward.allConverged, true);
  checkVjpFd((WW: Tensor) => layer(x, { ...p, W: WW }), [W], { rtol: 1e-6 });
});

test('second order: hessian-vector products through the DEQ match finite differences of the gradient', () => {
  const layer = deq(f, tight);
  const w = rng(23).normal([B, D]);
  const L = (W: Tensor) => sum(mul(layer(x, { ...params, W }), w));
  const v = rng(24).normal([D, D]);
  const hv = hvp(L, [params.W], [v]);
  const h = 1e-4;
  const gp = grad(L)(add(params.W, mul(v, h))), gm = grad(L)(sub(params.W, mul(v, h)));
  assertClose(hv, mul(sub(gp, gm), 1 / (2 * h)), { rtol: 1e-6, atol: 1e-8 }, 'HVP vs FD of the gradient');
});

test('warmStart: the backward GMRES solve starts from the previous batch adjoint (fewer iterations, same gradient)', () => {
  const run = (warmStart: boolean) => {
    const layer = deq(f, { ...tight, linearSolver: 'gmres', backwardTol: 1e-12, warmStart });
    const w = rng(25).normal([B, D]);
    const L = (W: Tensor) => sum(mul(layer(x, { ...params, W }), w));
    grad(L)(params.W);
    const g = grad(L)(add(params.W, 1e-6)); // the next "batch": nearly the same system
    return { g, it: layer.lastReport!.implicit!.linearSolve!.iterations };
  };
  const cold = run(false), warm = run(true);
  assert.ok(warm.it < cold.it, `warm ${warm.it} vs cold ${cold.it} GMRES iterations`);
  assertClose(warm.g, cold.g, 1e-9);
});
