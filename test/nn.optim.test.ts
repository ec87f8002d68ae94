/**
 * @file The optimisers of `nn/optim.ts` and the schedules of `nn/schedules.ts`: a few steps of each
 * optimiser against the formulas computed by hand, the seed's heavy ball against PyTorch-form
 * momentum SGD under the documented mapping, Robbins–Monro SGD on nonsmooth convex problems (the
 * median of a sample, |w|), global-norm clipping, immutability of params and state, and errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  abs, add, adam, adamw, applyUpdates, chain, clipByGlobalNorm, constant, cosineDecay, grad, heavyBall, mean, mul,
  robbinsMonro, rng, scalar, sgd, square, stepDecay, sub, sum, tensor, warmup, type GradientTransformation, type Tensor,
  type TransformState,
} from '../src/index.js';
import { ConcretizationError, InvalidArgumentError, NonFiniteError, ShapeError } from '../src/core/errors.js';
import { assertClose, flatValues } from './helpers.js';

type P = { w: Tensor; b: Tensor };
const params0 = (): P => ({ w: tensor([1, -2]), b: scalar(0.5) });
/** Gradients of step k (fixed, so every step can be computed by hand). */
const G = [
  { w: [0.5, -1], b: 2 },
  { w: [1, 3], b: -1 },
  { w: [-2, 0.25], b: 0.5 },
];
const gradAt = (k: number): P => ({ w: tensor(G[k]!.w), b: scalar(G[k]!.b) });
const flatG = (k: number): number[] => [...G[k]!.w, G[k]!.b];

/** Runs `steps` steps of `opt` with the gradients above; returns the parameter trajectory (flat) and the last state. */
function run<S extends TransformState>(opt: GradientTransformation<S>, steps: number): { ws: number[][]; state: S } {
  let p = params0();
  let state = opt.init(p);
  const ws: number[][] = [];
  for (let k = 0; k < steps; k++) {
    const r = opt.update(gradAt(k), state, p);
    p = applyUpdates(p, r.updates);
    state = r.state;
    ws.push([...flatValues(p)]);
  }
  return { ws, state };
}

test('schedules: the documented formulas', () => {
  assert.equal(constant(0.1)(7), 0.1);
  assertClose(robbinsMonro({ a0: 2, k0: 3, p: 0.75 })(5), 2 / Math.pow(8, 0.75), 1e-15);
  assert.equal(robbinsMonro({ a0: 1 })(3), 0.25);
  assert.equal(stepDecay({ init: 1, factor: 0.5, every: 10 })(25), 0.25);
  assert.equal(stepDecay({ init: 1, factor: 0.5, every: 10 })(9), 1);
  assertClose(cosineDecay({ init: 1, steps: 10 })(5), 0.5, 1e-15);
  assertClose(cosineDecay({ init: 1, steps: 10, final: 0.1 })(20), 0.1, 1e-15);
  assertClose(cosineDecay({ init: 1, steps: 4 })(1), (1 + Math.cos(Math.PI / 4)) / 2, 1e-15);
  const wu = warmup(robbinsMonro({ a0: 1, p: 1 }), { steps: 4 });
  assert.deepEqual([0, 1, 3, 4].map(wu), [1 / 4, (1 / 2) * (2 / 4), (1 / 4) * 1, 1 / 5]);
});

test('schedules: invalid options name the function and the option', () => {
  assert.throws(() => robbinsMonro({ a0: 1, p: 0.5 }), /robbinsMonro\(\): p must be in \(1\/2, 1\]/);
  assert.throws(() => robbinsMonro({ a0: 1, p: 1.2 }), /robbinsMonro\(\): p must be in/);
  assert.throws(() => robbinsMonro({ a0: -1 }), /robbinsMonro\(\): a0 must be a positive/);
  assert.throws(() => robbinsMonro({ a0: 1, k: 2 } as never), /unknown option 'k' \(did you mean 'k0'\?\)/);
  assert.throws(() => stepDecay({ init: 1, factor: 1.5, every: 2 }), /stepDecay\(\): factor must be in \(0, 1\]/);
  assert.throws(() => cosineDecay({ init: 1, steps: 0 }), /cosineDecay\(\): steps must be an integer ≥ 1/);
  assert.throws(() => warmup(constant(1), { steps: 1.5 }), /warmup\(\): steps must be an integer/);
  assert.throws(() => constant(0), InvalidArgumentError);
});

test('sgd without momentum: w_{k+1} = w_k − α_k g_k with a schedule; state counts and logs lr', () => {
  const lr = (k: number) => 0.1 / (k + 1);
  const { ws, state } = run(sgd({ lr }), 3);
  let w = [...flatValues(params0())];
  for (let k = 0; k < 3; k++) {
    w = w.map((x, i) => x - lr(k) * flatG(k)[i]!);
    assertClose(ws[k]!, w, 1e-15, `step ${k}`);
  }
  assert.equal(state.count, 3);
  assert.equal(state.lr, lr(2));
  assert.equal(state.momentum, null);
});

test('sgd with momentum, dampening, Nesterov and weight decay: PyTorch\'s recursion by hand', () => {
  for (const o of [
    { momentum: 0.9, dampening: 0, nesterov: false, weightDecay: 0 },
    { momentum: 0.5, dampening: 0.3, nesterov: false, weightDecay: 0.1 },
    { momentum: 0.9, dampening: 0, nesterov: true, weightDecay: 0.2 },
  ]) {
    const { ws } = run(sgd({ lr: 0.1, ...o }), 3);
    let w = [...flatValues(params0())];
    let b: number[] = [];
    for (let k = 0; k < 3; k++) {
      const d = flatG(k).map((g, i) => g + o.weightDecay * w[i]!);
      b = k === 0 ? d : b.map((bi, i) => o.momentum * bi + (1 - o.dampening) * d[i]!);
      const step = o.nesterov ? d.map((di, i) => di + o.momentum * b[i]!) : b;
      w = w.map((x, i) => x - 0.1 * step[i]!);
      assertClose(ws[k]!, w, 1e-15, `${JSON.stringify(o)} step ${k}`);
    }
  }
  // one step checked with literal numbers: b_0 = g_0, w_1 = w_0 − 0.1·g_0
  assertClose(run(sgd({ lr: 0.1, momentum: 0.9 }), 1).ws[0]!, [0.95, -1.9, 0.3], 1e-15);
});

test('heavyBall: the seed\'s form by hand (α, β schedules), y_0 = g_0 and β_{k−1} at step k', () => {
  const alpha = (k: number) => 0.2 / (k + 1);
  const beta = (k: number) => 0.5 / (k + 1) + 0.1;
  const { ws, state } = run(heavyBall({ alpha, beta }), 3);
  // literal first step: y_0 = g_0, w_1 = w_0 − 0.2 g_0
  assertClose(ws[0]!, [1 - 0.1, -2 + 0.2, 0.5 - 0.4], 1e-15);
  let w = [...flatValues(params0())];
  let y: number[] = [];
  for (let k = 0; k < 3; k++) {
    y = k === 0 ? flatG(0) : y.map((yi, i) => beta(k - 1) * flatG(k)[i]! + (1 - beta(k - 1)) * yi);
    w = w.map((x, i) => x - alpha(k) * y[i]!);
    assertClose(ws[k]!, w, 1e-15, `step ${k}`);
  }
  assert.equal(state.count, 3);
  assert.equal(state.lr, alpha(2));
  assert.equal(state.beta, beta(1));
});

test('heavyBall(α_k, β) = sgd({ lr: α_k, momentum: 1 − β, dampening: 1 − β }) to 1e-14 on a stochastic problem', () => {
  const beta = 0.3;
  const alpha = robbinsMonro({ a0: 0.5, k0: 2, p: 0.75 });
  // a nonsmooth leaf W (mean |W − ξ|) and a smooth leaf c (Σ c²/2)
  const g = grad((p: { W: Tensor; c: Tensor }, xi: Tensor) => add(mean(abs(sub(p.W, xi))), mul(sum(square(p.c)), 0.5)));
  const hb = heavyBall({ alpha, beta });
  const sg = sgd({ lr: alpha, momentum: 1 - beta, dampening: 1 - beta });
  const r = rng(7);
  let p1 = { W: tensor([[0.3, -1], [2, 0.1]]), c: tensor([1, 2]) };
  let p2 = p1;
  let s1 = hb.init(p1);
  let s2 = sg.init(p2);
  for (let k = 0; k < 60; k++) {
    const xi = tensor([[r.normalScalar(), r.normalScalar()], [r.normalScalar(), r.normalScalar()]]);
    const u1 = hb.update(g(p1, xi), s1);
    const u2 = sg.update(g(p2, xi), s2);
    p1 = applyUpdates(p1, u1.updates);
    p2 = applyUpdates(p2, u2.updates);
    s1 = u1.state;
    s2 = u2.state;
    assertClose(flatValues(p1), flatValues(p2), 1e-14, `step ${k}`);
  }
  assertClose(flatValues(s1.y), flatValues(s2.momentum), 1e-14, 'y_k = b_k');
});

test('adam and adamw: bias-corrected moments by hand; L2 vs decoupled weight decay', () => {
  for (const [make, decoupled] of [[adam, false], [adamw, true]] as const) {
    const o = { lr: 0.05, beta1: 0.8, beta2: 0.9, eps: 1e-3, weightDecay: 0.1 };
    const { ws, state } = run(make(o), 3);
    let w = [...flatValues(params0())];
    let m = w.map(() => 0);
    let v = w.map(() => 0);
    for (let k = 0; k < 3; k++) {
      const d = flatG(k).map((g, i) => (decoupled ? g : g + 0.1 * w[i]!));
      m = m.map((mi, i) => 0.8 * mi + 0.2 * d[i]!);
      v = v.map((vi, i) => 0.9 * vi + 0.1 * d[i]! ** 2);
      const c1 = 1 - 0.8 ** (k + 1);
      const c2 = 1 - 0.9 ** (k + 1);
      w = w.map((x, i) => x - 0.05 * (m[i]! / c1 / (Math.sqrt(v[i]! / c2) + 1e-3) + (decoupled ? 0.1 * x : 0)));
      assertClose(ws[k]!, w, 1e-14, `${make.name} step ${k}`);
    }
    assert.equal(state.count, 3);
    assert.equal(state.lr, 0.05);
  }
  // the first Adam step is −lr·g/(|g| + ε) per entry
  const first = run(adam({ lr: 0.1, eps: 0 }), 1).ws[0]!;
  assertClose(first, [1 - 0.1, -2 + 0.1, 0.5 - 0.1], 1e-15);
});

test('clipByGlobalNorm: exact rescaling above the threshold, identity below; chain feeds it to sgd', () => {
  const clip = clipByGlobalNorm(1);
  const r = clip.update({ a: tensor([3]), b: [tensor([[4, 0]])] }, clip.init({}));
  assertClose(flatValues(r.updates), [0.6, 0.8, 0], 1e-15);
  assertClose(Math.hypot(...flatValues(r.updates)), 1, 1e-15, 'clipped global norm');
  assert.equal(r.state.norm, 5);
  const small = clip.update({ a: tensor([0.3, 0.4]) }, clip.init({}));
  assert.deepEqual([...flatValues(small.updates)], [0.3, 0.4]);
  const opt = chain(clipByGlobalNorm(2), sgd({ lr: 0.5 }));
  const s0 = opt.init({ w: tensor([0, 0]) });
  assert.equal(opt.name, 'chain(clipByGlobalNorm, sgd)');
  const u = opt.update({ w: tensor([3, 4]) }, s0);
  assertClose(flatValues(u.updates), [-0.6, -0.8], 1e-15);
  assert.equal(u.state.count, 1);
  assert.equal(u.state.lr, 0.5);
});

test('Robbins–Monro SGD converges on nonsmooth convex problems: the median of a sample, and |w|', () => {
  // E|w − ξ| over a fixed sample of 101 points is minimised by their median: full-batch
  // subgradients (deterministic) and one ξ per step (stochastic, the theorems' setting).
  const r = rng(3);
  const sample = Array.from({ length: 101 }, () => 3 * r.uniformScalar() - 1);
  const median = [...sample].sort((a, b) => a - b)[50]!;
  const xs = tensor(sample);
  const full = grad((w: Tensor) => mean(abs(sub(w, xs))));
  const g = grad((w: Tensor, xi: Tensor) => abs(sub(w, xi)));
  const solve = (gradient: (w: Tensor) => Tensor, steps: number): number => {
    const opt = sgd({ lr: robbinsMonro({ a0: 1, k0: 10, p: 0.75 }) });
    let w = tensor([5]);
    let s = opt.init(w);
    for (let k = 0; k < steps; k++) {
      const u = opt.update(gradient(w), s);
      w = applyUpdates(w, u.updates);
      s = u.state;
    }
    return Math.abs(w.item() - median);
  };
  const gapFull = solve(full, 1500);
  assert.ok(gapFull < 1e-3, `full batch: |w − median| = ${gapFull}`);
  const gapStoch = solve((w) => g(w, scalar(sample[Math.floor(r.uniformScalar() * sample.length)]!)), 3000);
  // the statistical floor after n draws is ≈ 1/(2 f(median) √n) ≈ 0.03 here (f ≈ 1/3 the density)
  assert.ok(gapStoch < 0.1, `stochastic: |w − median| = ${gapStoch}`);
  // f(w) = |w| from w = 3: the iterate ends within one step size of 0 (Σα = ∞ reaches it, α → 0 keeps it)
  const gAbs = grad((x: Tensor) => abs(x) as Tensor);
  const alpha = robbinsMonro({ a0: 1, p: 1 });
  const opt2 = sgd({ lr: alpha });
  let x = scalar(3);
  let s2 = opt2.init(x);
  for (let k = 0; k < 2000; k++) {
    const u = opt2.update(gAbs(x), s2);
    x = applyUpdates(x, u.updates);
    s2 = u.state;
  }
  assert.ok(Math.abs(x.item()) <= alpha(1999), `|w_2000| = ${Math.abs(x.item())} > α_1999 = ${alpha(1999)}`);
});

test('nothing is mutated: params, grads and state keep their values; results are new objects', () => {
  for (const opt of [sgd({ lr: 0.1, momentum: 0.9, weightDecay: 0.1 }), heavyBall({ alpha: 0.1, beta: 0.5 }), adamw({ lr: 0.1 }), chain(clipByGlobalNorm(0.5), adam())] as GradientTransformation[]) {
    const p = params0();
    const s0 = opt.init(p);
    const s1 = opt.update(gradAt(0), s0, p).state;
    const snap = (t: unknown) => JSON.stringify(t, (_k, v) => (v && typeof v === 'object' && 'data' in v ? [...(v as Tensor).data] : v));
    const before = [snap(p), snap(s1), snap(gradAt(1))];
    const g1 = gradAt(1);
    const r = opt.update(g1, s1, p);
    const p2 = applyUpdates(p, r.updates);
    assert.deepEqual([snap(p), snap(s1), snap(g1)], before, opt.name);
    assert.notEqual(p2.w, p.w);
    assert.notEqual(r.updates.w, g1.w);
    assert.equal(s1.count, 1);
    assert.equal(r.state.count, 2);
  }
});

test('errors: NaN gradients name the optimiser, the leaf and the step; bad options and states', () => {
  const opt = sgd({ lr: 0.1 });
  const s = opt.update(gradAt(0), opt.init(params0())).state;
  assert.throws(() => opt.update({ w: tensor([1, NaN]), b: scalar(0) }, s), (e: Error) =>
    e instanceof NonFiniteError && /sgd\(\)\.update\(\): grads leaf 0 \(shape \[2\]\) has a non-finite value \(NaN\) at flat index 1, at step 1/.test(e.message));
  assert.throws(() => adam().update({ w: tensor([Infinity]) }, adam().init({ w: tensor([0]) })), /adam\(\)\.update\(\): grads leaf 0 .* at step 0/);
  assert.throws(() => sgd({ lr: 0.1, momentun: 0.9 } as never), /sgd\(\): unknown option 'momentun' \(did you mean 'momentum'\?\)/);
  assert.throws(() => sgd({ lr: -1 }), /sgd\(\): lr must be a positive finite number or a schedule/);
  assert.throws(() => sgd({ lr: 1, momentum: 1 }), /sgd\(\): momentum must be in \[0, 1\)/);
  assert.throws(() => sgd({ lr: 1, nesterov: true }), /sgd\(\): nesterov needs momentum > 0/);
  assert.throws(() => heavyBall({ alpha: 1, beta: 1 }), /heavyBall\(\): beta must be in \(0, 1\)/);
  const hb = heavyBall({ alpha: 1, beta: () => 1.5 });
  const h1 = hb.update({ w: tensor([1]) }, hb.init({ w: tensor([0]) })).state;
  assert.throws(() => hb.update({ w: tensor([1]) }, h1), /heavyBall\(\)\.update\(\): beta at step 0 must be in \(0, 1\)/);
  assert.throws(() => adam({ beta2: 1 }), /adam\(\): beta2 must be in \[0, 1\)/);
  assert.throws(() => adamw({ weightDecay: -1 }), /adamw\(\): weightDecay must be a non-negative/);
  assert.throws(() => sgd({ lr: 1, weightDecay: 0.1 }).update({ w: tensor([1]) }, { count: 0, lr: NaN, momentum: null }), /sgd\(\)\.update\(\): params are required when weightDecay > 0/);
  assert.throws(() => adam().update({ w: tensor([1, 2]) }, adam().init({ w: tensor([0]) })), (e: Error) => e instanceof ShapeError && /adam\(\)\.update\(\): leaf 0 of state.mu has shape \[1\], the gradient \[2\]/.test(e.message));
  assert.throws(() => opt.update({ w: [1, 2] } as never, s), /sgd\(\)\.update\(\): grads must be a tree of tensors; the leaf at '\.w\[0\]' is/);
  assert.throws(() => opt.update(gradAt(0), {} as never), /sgd\(\)\.update\(\): state must come from init\(\) or update\(\)/);
  assert.throws(() => applyUpdates({ w: tensor([1]) }, { w: tensor([1, 2]) }), /applyUpdates\(\): leaf 0 of updates has shape \[2\], params \[1\]/);
  assert.throws(() => clipByGlobalNorm(0), /clipByGlobalNorm\(\): maxNorm must be a positive/);
  assert.throws(() => chain(), /chain\(\): needs at least one transformation/);
  // an optimiser step is not differentiable: a traced gradient is refused, never silently zero
  assert.throws(() => grad((x: Tensor) => sum(opt.update({ w: x, b: scalar(0) }, s).updates.w))(tensor([1, 2])), ConcretizationError);
});
