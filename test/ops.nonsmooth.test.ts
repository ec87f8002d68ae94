/**
 * @file Every nonsmooth primitive (relu, abs, maximum, minimum, clip, softThreshold, hinge, max/min
 * reductions, argmax/argmin, norm, maxPool1d/2d): values; the derivative AT the kink for each
 * policy (minNorm default, left, right, fixed t, random seed) in forward and reverse mode, set per
 * call and by scope, per-call over scope; trackKinks counts; derivatives away from kinks against
 * closed forms; fast-check properties on bounded domains (prox firmly nonexpansive, Jacobian ranges,
 * tie weights summing to 1, pooling against a brute-force oracle).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as nd from '../src/index.js';
import {
  tensor, scalar, zeros, grad, jvp, vjp, jacobian, hessian, sum, mul, stack, reshape,
  relu, abs, sign, maximum, minimum, clip, softThreshold, hinge, max, min, argmax, argmin, norm, maxPool1d, maxPool2d, weightedGather,
  withKinkPolicy, trackKinks, InvalidArgumentError, ShapeError, type Tensor, type KinkPolicy,
} from '../src/index.js';
import { assertClose } from './helpers.js';

type Opts = { kink?: KinkPolicy };
type PolicyKey = 'minNorm' | 'left' | 'right' | 'fixed' | 'random';

const POLICIES: { key: PolicyKey; policy: KinkPolicy | undefined }[] = [
  { key: 'minNorm', policy: undefined },
  { key: 'left', policy: 'left' },
  { key: 'right', policy: 'right' },
  { key: 'fixed', policy: { kind: 'fixed', t: 0.3 } },
  { key: 'random', policy: { kind: 'random', seed: 7 } },
];

/** Scalar derivative of an elementwise function at one point: forward (jvp) or reverse (grad). */
function derivative(f: (x: Tensor, o?: Opts) => Tensor, at: number, mode: 'fwd' | 'rev', policy: KinkPolicy | undefined, setting: 'call' | 'scope'): number {
  const opts: Opts | undefined = setting === 'call' && policy !== undefined ? { kink: policy } : undefined;
  const g = (x: Tensor): Tensor => f(x, opts);
  const run = (): number => (mode === 'fwd' ? jvp(g, [tensor([at])], [tensor([1])])[1].data[0]! : (grad((x: Tensor) => sum(g(x)))(tensor([at])) as Tensor).data[0]!);
  return setting === 'scope' ? withKinkPolicy(policy ?? 'minNorm', run) : run();
}

interface KinkCase {
  what: string;
  f: (x: Tensor, o?: Opts) => Tensor;
  at: number;
  /** Expected derivative per deterministic policy (fixed: t = 0.3), and the Clarke interval. */
  expect: { minNorm: number; left: number; right: number; fixed: number; interval: [number, number] };
}

const C = (x: Tensor, c: number) => mul(tensor(new Float64Array(x.size).fill(1), x.shape), c);
/** x as the first of two tied candidates [x, c] in one window/group. */
const pairFirst = (x: Tensor, c: number) => stack([x, C(x, c)], { axis: -1 });
const pairSecond = (x: Tensor, c: number) => stack([C(x, c), x], { axis: -1 });

const KINK_CASES: KinkCase[] = [
  { what: 'relu at 0', f: (x, o) => relu(x, o), at: 0, expect: { minNorm: 0, left: 0, right: 1, fixed: 0.3, interval: [0, 1] } },
  { what: 'abs at 0', f: (x, o) => abs(x, o), at: 0, expect: { minNorm: 0, left: -1, right: 1, fixed: -0.4, interval: [-1, 1] } },
  // maximum/minimum ties: left/right = first/last tied INPUT (tie weights), not one-sided slopes
  { what: 'maximum(x, c) at x = c (x first)', f: (x, o) => maximum(x, 0.25, o), at: 0.25, expect: { minNorm: 0.5, left: 1, right: 0, fixed: 0.7, interval: [0, 1] } },
  { what: 'maximum(c, x) at x = c (x last)', f: (x, o) => maximum(0.25, x, o), at: 0.25, expect: { minNorm: 0.5, left: 0, right: 1, fixed: 0.3, interval: [0, 1] } },
  { what: 'minimum(x, c) at x = c (x first)', f: (x, o) => minimum(x, -1.5, o), at: -1.5, expect: { minNorm: 0.5, left: 1, right: 0, fixed: 0.7, interval: [0, 1] } },
  { what: 'clip at lo', f: (x, o) => clip(x, -0.5, 2, o), at: -0.5, expect: { minNorm: 0, left: 0, right: 1, fixed: 0.3, interval: [0, 1] } },
  { what: 'clip at hi', f: (x, o) => clip(x, -0.5, 2, o), at: 2, expect: { minNorm: 0, left: 1, right: 0, fixed: 0.7, interval: [0, 1] } },
  { what: 'softThreshold at x = λ', f: (x, o) => softThreshold(x, 0.5, o), at: 0.5, expect: { minNorm: 0, left: 0, right: 1, fixed: 0.3, interval: [0, 1] } },
  { what: 'softThreshold at x = −λ', f: (x, o) => softThreshold(x, 0.5, o), at: -0.5, expect: { minNorm: 0, left: 1, right: 0, fixed: 0.7, interval: [0, 1] } },
  { what: 'softThreshold at x = λ = 0', f: (x, o) => softThreshold(x, 0, o), at: 0, expect: { minNorm: 1, left: 1, right: 1, fixed: 1, interval: [1, 1] } },
  { what: 'hinge at 1', f: (x, o) => hinge(x, o), at: 1, expect: { minNorm: 0, left: -1, right: 0, fixed: -0.7, interval: [-1, 0] } },
  { what: 'max reduction, x first of a tie', f: (x, o) => max(pairFirst(x, 0.75), { axis: -1, ...o }), at: 0.75, expect: { minNorm: 0.5, left: 1, right: 0, fixed: 0.7, interval: [0, 1] } },
  { what: 'min reduction, x last of a tie', f: (x, o) => min(pairSecond(x, 0.75), { axis: -1, ...o }), at: 0.75, expect: { minNorm: 0.5, left: 0, right: 1, fixed: 0.3, interval: [0, 1] } },
  { what: 'maxPool1d, x first of a tied window', f: (x, o) => reshape(maxPool1d(pairFirst(x, 2), { kernel: 2, ...o }), x.shape), at: 2, expect: { minNorm: 0.5, left: 1, right: 0, fixed: 0.7, interval: [0, 1] } },
  {
    what: 'maxPool2d, x last of a tied window',
    f: (x, o) => reshape(maxPool2d(reshape(pairSecond(x, -1), [x.size, 1, 2]), { kernel: [1, 2], ...o }), x.shape),
    at: -1,
    expect: { minNorm: 0.5, left: 0, right: 1, fixed: 0.3, interval: [0, 1] },
  },
];

for (const c of KINK_CASES) {
  test(`kink selection: ${c.what} — every policy, forward and reverse, per call and by scope`, () => {
    for (const { key, policy } of POLICIES) {
      for (const setting of ['call', 'scope'] as const) {
        const fwd = derivative(c.f, c.at, 'fwd', policy, setting);
        const rev = derivative(c.f, c.at, 'rev', policy, setting);
        const label = `${c.what}, ${key}, ${setting}`;
        if (key === 'random') {
          const [lo, hi] = c.expect.interval;
          assert.ok(fwd >= lo && fwd <= hi, `${label}: forward ${fwd} outside [${lo}, ${hi}]`);
          // a fresh stream per evaluation: forward, reverse and a rerun agree
          assert.equal(rev, fwd, `${label}: reverse ${rev} ≠ forward ${fwd}`);
          assert.equal(derivative(c.f, c.at, 'rev', policy, setting), rev, `${label}: not reproducible`);
        } else {
          assertClose(fwd, c.expect[key], 1e-15, `${label} (forward)`);
          assertClose(rev, c.expect[key], 1e-15, `${label} (reverse)`);
        }
      }
    }
    // the per-call option overrides the scope's policy
    const inner = (x: Tensor) => sum(c.f(x, { kink: 'right' }));
    assertClose(withKinkPolicy('left', () => grad(inner)(tensor([c.at]))), [c.expect.right], 1e-15, `${c.what}: per call over scope`);
    // the policy in force at evaluation is recorded: the pullback may run outside the scope
    const [, pullback] = withKinkPolicy('left', () => vjp((x: Tensor) => c.f(x), tensor([c.at])));
    assertClose(pullback(tensor([1]))[0], [c.expect.left], 1e-15, `${c.what}: policy recorded at evaluation`);
  });
}

test('random policy: one uniform draw per kink element, reproducible per seed, different across seeds', () => {
  const g = (seed: number) => grad((x: Tensor) => sum(clip(x, 0, 1, { kink: { kind: 'random', seed } })))(zeros([6])) as Tensor;
  const a = Array.from(g(3).data);
  assert.deepEqual(Array.from(g(3).data), a);
  assert.ok(a.every((v) => v >= 0 && v <= 1));
  assert.ok(new Set(a).size > 1, 'elements should get independent draws');
  assert.notDeepEqual(Array.from(g(4).data), a);
  assert.throws(() => clip(tensor([0]), 0, 1, { kink: { kind: 'fixed', t: 1.5 } }), InvalidArgumentError);
});

test('random policy: one selection per evaluation — reverse Jacobian (many pullbacks) equals forward Jacobian', () => {
  const policy: KinkPolicy = { kind: 'random', seed: 99 };
  const fns: [string, (x: Tensor) => Tensor, Tensor][] = [
    ['clip', (x) => clip(x, -1, 1, { kink: policy }), tensor([-1, 1, 0, -1])],
    ['softThreshold', (x) => softThreshold(x, tensor([0.5, 0.5, 1, 2]), { kink: policy }), tensor([0.5, -0.5, 1, 0])],
    ['hinge', (x) => hinge(x, { kink: policy }), tensor([1, 1, 0, 1])],
    ['max', (x) => max(x, { keepdims: true, kink: policy }), tensor([2, 2, 1, 2])],
    ['min', (x) => min(reshape(x, [2, 2]), { axis: 1, kink: policy }), tensor([2, 2, 1, 1])],
    ['maxPool1d', (x) => maxPool1d(x, { kernel: 2, stride: 1, kink: policy }), tensor([3, 3, 3, 1])],
    ['maxPool2d', (x) => maxPool2d(reshape(x, [2, 2]), { kernel: [2, 1], stride: 1, kink: policy }), tensor([5, 4, 5, 4])],
  ];
  for (const [name, f, x] of fns) {
    const Jr = jacobian(f, { mode: 'reverse' })(x);
    const Jf = jacobian(f, { mode: 'forward' })(x);
    assertClose(Jr, Jf, 1e-15, `${name}: reverse vs forward Jacobian`);
  }
});

// ---------------------------------------------------------------------------------------------
// values and derivatives away from kinks

test('clip: values, derivative 1 inside and 0 outside, bounds validated, second order', () => {
  const x = tensor([-3, -1, 0.25, 1.5, 4]);
  assertClose(clip(x, -1, 2), [-1, -1, 0.25, 1.5, 2], 0);
  assertClose(grad((v: Tensor) => sum(clip(v, -2, 2)))(x), [0, 1, 1, 1, 0], 0);
  assertClose(clip(x, -Infinity, 0), [-3, -1, 0, 0, 0], 0);
  assertClose(grad((v: Tensor) => sum(clip(v, 0, Infinity)))(x), [0, 0, 1, 1, 1], 0);
  // lo = hi: constant, derivative 0 even at x = lo, and no kink reported
  const { value, kinks } = trackKinks(() => grad((v: Tensor) => sum(clip(v, 1, 1, { kink: 'right' })))(tensor([0, 1, 2])));
  assertClose(value, [0, 0, 0], 0);
  assert.equal(kinks.total, 0);
  assert.throws(() => clip(x, 1, 0), InvalidArgumentError);
  assert.throws(() => clip(x, NaN, 0), InvalidArgumentError);
  // d²/dx² Σ clip(x)² = 2·1[lo < x < hi]
  assertClose(hessian((v: Tensor) => sum(mul(clip(v, -1, 1), clip(v, -1, 1))))(tensor([0.5, 3])), [2, 0, 0, 0], 1e-15);
});

test('softThreshold: values, both partials away from kinks, broadcasting λ, λ < 0 rejected', () => {
  const x = tensor([-3, -0.4, 0, 0.7, 2]);
  assertClose(softThreshold(x, 0.5), [-2.5, 0, 0, 0.2, 1.5], 1e-15);
  assertClose(softThreshold(x, 0), x, 0);
  const [gx, gl] = grad((a: Tensor, l: Tensor) => sum(softThreshold(a, l)), { argnums: [0, 1] })(x, tensor([0.5, 0.5, 0.5, 0.5, 0.5]));
  assertClose(gx, [1, 0, 0, 1, 1], 0);
  assertClose(gl, [1, 0, 0, -1, -1], 0); // ∂/∂λ = −sign(x) where |x| > λ
  // λ broadcast over rows: the λ-cotangent sums over them
  const X = tensor([[2, -3], [0.1, 5]]);
  const glb = grad((l: Tensor) => sum(softThreshold(X, l)))(tensor([1, 1]));
  assertClose(glb, [-1 + 0, 1 - 1], 0);
  const [, t] = jvp((l: Tensor) => softThreshold(X, l), [tensor([1, 1])], [tensor([1, 0])]);
  assertClose(t, [-1, 0, 0, 0], 0);
  assert.throws(() => softThreshold(x, -0.1), InvalidArgumentError);
  assert.throws(() => softThreshold(x, tensor([1, -1, 1, 1, 1])), /lam\[1\] = -1/);
});

test('softThreshold at |x| = λ: the pair (∂x, ∂λ) = s·(1, −sign x) with one selection s per element', () => {
  const x = tensor([0.5, -0.5, 1, -2, 0]);
  const lam = tensor([0.5, 0.5, 1, 2, 0]);
  for (const { key, policy } of POLICIES) {
    const [gx, gl] = grad((a: Tensor, l: Tensor) => sum(softThreshold(a, l, policy && { kink: policy })), { argnums: [0, 1] })(x, lam);
    for (let i = 0; i < 5; i++) {
      const s = Math.sign(x.data[i]!);
      assert.ok(gx!.data[i]! >= 0 && gx!.data[i]! <= 1, `${key}: ∂x[${i}] = ${gx!.data[i]}`);
      assertClose(gl!.data[i]!, -s * gx!.data[i]!, 1e-15, `${key}: ∂λ[${i}] = −sign(x)·∂x`);
    }
    assert.equal(gx!.data[4], 1, `${key}: x = λ = 0 gives ∂x = 1`);
    if (key === 'fixed') assertClose(gx!, [0.3, 0.7, 0.3, 0.7, 1], 1e-15);
    if (key === 'minNorm') assertClose(gx!, [0, 0, 0, 0, 1], 0);
  }
  // forward mode along λ alone gives the λ-partial: −sign(x)·s
  const [, tl] = jvp((l: Tensor) => softThreshold(x, l, { kink: 'right' }), [lam], [tensor([1, 1, 1, 1, 1])]);
  assertClose(tl, [-1, 0, -1, 0, 0], 0);
});

test('hinge: values and derivative −1 / 0 away from the kink', () => {
  const x = tensor([-2, 0.5, 1, 3]);
  assertClose(hinge(x), [3, 0.5, 0, 0], 0);
  assertClose(grad((v: Tensor) => sum(hinge(v)))(x), [-1, -1, 0, 0], 0);
  assertClose(jvp((v: Tensor) => hinge(v, { kink: 'left' }), [x], [tensor([1, 1, 1, 1])])[1], [-1, -1, -1, 0], 0);
});

test('relu, abs, sign, maximum, minimum: values and closed-form derivatives away from kinks', () => {
  const x = tensor([-2, -0.5, 0.5, 3]);
  assertClose(relu(x), [0, 0, 0.5, 3], 0);
  assertClose(abs(x), [2, 0.5, 0.5, 3], 0);
  assertClose(sign(tensor([-2, 0, 3])), [-1, 0, 1], 0);
  assertClose(grad((v: Tensor) => sum(relu(v)))(x), [0, 0, 1, 1], 0);
  assertClose(grad((v: Tensor) => sum(abs(v)))(x), [-1, -1, 1, 1], 0);
  assertClose(grad((v: Tensor) => sum(mul(sign(v), v)))(x), [-1, -1, 1, 1], 0); // sign' = 0
  const y = tensor([0, 0, 1, 1]);
  assertClose(maximum(x, y), [0, 0, 1, 3], 0);
  assertClose(minimum(x, y), [-2, -0.5, 0.5, 1], 0);
  const [ga, gb] = grad((a: Tensor, b: Tensor) => sum(maximum(a, b)), { argnums: [0, 1] })(x, y);
  assertClose(ga, [0, 0, 0, 1], 0);
  assertClose(gb, [1, 1, 1, 0], 0);
  // broadcasting: the scalar's cotangent sums the elements where it wins
  assertClose(grad((b: Tensor) => sum(minimum(x, b)))(scalar(0)), 2, 0);
});

test('max / min reductions: values over axes, keepdims, NaN propagation, empty axis rejected', () => {
  const A = tensor([[1, 5, 2], [7, -2, 7]]);
  assertClose(max(A), 7, 0);
  assertClose(max(A, { axis: 1 }), [5, 7], 0);
  assertClose(min(A, { axis: 0 }), [1, -2, 2], 0);
  assert.deepEqual(max(A, { axis: 0, keepdims: true }).shape, [1, 3]);
  assert.deepEqual(min(A, { axis: [0, 1], keepdims: true }).shape, [1, 1]);
  assert.ok(Number.isNaN(max(tensor([1, NaN, 3])).item()));
  assert.throws(() => max(zeros([2, 0]), { axis: 1 }), ShapeError);
  // one-hot derivatives away from ties
  assertClose(grad((v: Tensor) => sum(max(v, { axis: 1 })))(tensor([[1, 5, 2], [7, -2, 6]])), [0, 1, 0, 1, 0, 0], 0);
  assertClose(grad((v: Tensor) => sum(min(v, { axis: 0 })))(tensor([[1, 5, 2], [7, -2, 6]])), [1, 0, 1, 0, 1, 0], 0);
  const [, t] = jvp((v: Tensor) => max(v, { axis: 0, keepdims: true }), [tensor([[1, 5], [3, 4]])], [tensor([[10, 20], [30, 40]])]);
  assertClose(t, [30, 20], 0);
});

test('max / min reductions: k planted ties split per policy (in index order)', () => {
  const x = tensor([1, 3, 0, 3, 3]);
  const expected: Record<Exclude<PolicyKey, 'random'>, number[]> = {
    minNorm: [0, 1 / 3, 0, 1 / 3, 1 / 3],
    left: [0, 1, 0, 0, 0],
    right: [0, 0, 0, 0, 1],
    fixed: [0, 0.7, 0, 0, 0.3],
  };
  const v = tensor([1, 2, 3, 4, 5]);
  for (const { key, policy } of POLICIES) {
    for (const [name, op, input] of [['max', max, x], ['min', min, mul(x, -1)]] as const) {
      const f = (a: Tensor) => op(a, policy && { kink: policy });
      const g = grad(f)(input) as Tensor;
      const [, t] = jvp(f, [input], [v]);
      assertClose(t, g.data.reduce((s, w, i) => s + w * v.data[i]!, 0), 1e-14, `${name} ${key}: jvp = ⟨w, v⟩`);
      if (key === 'random') {
        assert.ok([0, 2].every((i) => g.data[i] === 0), `${name}: weight off the ties`);
        assertClose(g.data.reduce((s, w) => s + w, 0), 1, 1e-14, `${name}: random weights sum to 1`);
        assert.ok(g.data.every((w) => w >= 0));
        assert.deepEqual(Array.from((grad(f)(input) as Tensor).data), Array.from(g.data), `${name}: reproducible`);
      } else assertClose(g, expected[key], 1e-15, `${name} ${key}`);
      // scope gives the same
      if (key !== 'random') assertClose(withKinkPolicy(policy ?? 'minNorm', () => grad((a: Tensor) => op(a))(input)), expected[key], 1e-15, `${name} ${key} (scope)`);
    }
  }
  // per group along an axis
  assertClose(grad((a: Tensor) => sum(max(a, { axis: 1 })))(tensor([[2, 2, 1], [0, 5, 5]])), [0.5, 0.5, 0, 0, 0.5, 0.5], 1e-15);
});

test('argmax / argmin: float64 indices, first index on ties, flat index without axis, zero derivative', () => {
  const A = tensor([[1, 5, 5], [7, -2, 7]]);
  assertClose(argmax(A, { axis: 1 }), [1, 0], 0);
  assertClose(argmin(A, { axis: 1 }), [0, 1], 0);
  assertClose(argmax(A, { axis: 0 }), [1, 0, 1], 0);
  assertClose(argmax(A), 3, 0);
  assertClose(argmin(A), 4, 0);
  assert.deepEqual(argmax(A, { axis: -1, keepdims: true }).shape, [2, 1]);
  assertClose(argmax(tensor([1, NaN, 3])), 1, 0);
  assertClose(argmax(tensor([-Infinity, -Infinity])), 0, 0);
  assertClose(grad((v: Tensor) => sum(argmax(v, { axis: 1 })))(A), [0, 0, 0, 0, 0, 0], 0);
  assertClose(jvp((v: Tensor) => argmin(v, { axis: 0 }), [A], [A])[1], [0, 0, 0], 0);
  assert.throws(() => argmax(zeros([0])), ShapeError);
});

test('norm: ord 2 / 1 / ∞ values, gradients, minimal-norm element 0 at x = 0, Hessian, no overflow', () => {
  const x = tensor([3, -4]);
  assertClose(norm(x), 5, 1e-15);
  assertClose(norm(x, { ord: 1 }), 7, 0);
  assertClose(norm(x, { ord: Infinity }), 4, 0);
  assertClose(norm(tensor([[3, -4], [1, 0]]), { ord: Infinity, axis: 1 }), [4, 1], 0);
  assertClose(norm(tensor([[3, 4], [0, 0]]), { ord: 2, axis: 1, keepdims: true }), [5, 0], 1e-15);
  assertClose(norm(tensor([1e200, 1e200])), Math.SQRT2 * 1e200, 1e-15);
  assertClose(norm(tensor([1e-200, 1e-200])), Math.SQRT2 * 1e-200, 1e-15);
  assertClose(grad((v: Tensor) => norm(v))(x), [0.6, -0.8], 1e-15);
  assertClose(grad((v: Tensor) => norm(v, { ord: 1 }))(x), [1, -1], 0);
  assertClose(grad((v: Tensor) => norm(v, { ord: Infinity }))(x), [0, -1], 0);
  for (const { key, policy } of POLICIES) {
    for (const ord of [1, 2, Infinity]) {
      const f = (v: Tensor) => norm(v, { ord, ...(policy && { kink: policy }) });
      const g = grad(f)(zeros([3])) as Tensor;
      const [, t] = jvp(f, [zeros([3])], [tensor([1, -2, 0.5])]);
      if (ord === 2 || key === 'minNorm') {
        assertClose(g, [0, 0, 0], 0, `norm ord ${ord} ${key} at 0`);
        assertClose(t, 0, 0, `norm ord ${ord} ${key} at 0 (jvp)`);
      }
      // every selection lies in the dual-norm ball (the Clarke subdifferential at 0)
      const dual = ord === 1 ? Math.max(...g.data.map(Math.abs)) : ord === 2 ? Math.hypot(...g.data) : g.data.reduce((s, w) => s + Math.abs(w), 0);
      assert.ok(dual <= 1 + 1e-12, `norm ord ${ord} ${key}: selection ${Array.from(g.data)} outside the dual ball`);
    }
  }
  // per-row zero: only that row's gradient vanishes
  assertClose(grad((v: Tensor) => sum(norm(v, { ord: 2, axis: 1 })))(tensor([[0, 0], [3, 4]])), [0, 0, 0.6, 0.8], 1e-15);
  // ∇²‖x‖ = (I − u uᵀ)/‖x‖, u = x/‖x‖
  assertClose(hessian((v: Tensor) => norm(v))(x), [0.64 / 5, 0.48 / 5, 0.48 / 5, 0.36 / 5], 1e-14);
  assert.throws(() => norm(x, { ord: 3 }), InvalidArgumentError);
});

test('maxPool1d / maxPool2d: values with stride, padding and batch axes; argument checks', () => {
  assertClose(maxPool1d(tensor([1, 3, 2, 5]), { kernel: 2 }), [3, 5], 0);
  assertClose(maxPool1d(tensor([1, 3, 2, 5, 4]), { kernel: 3, stride: 1 }), [3, 5, 5], 0);
  const p = maxPool1d(tensor([[1, 3, 2, 5, 4], [-1, -2, -3, -4, -5]]), { kernel: 3, stride: 2, padding: 1 });
  assert.deepEqual(p.shape, [2, 3]);
  assertClose(p, [3, 5, 5, -1, -2, -4], 0);
  const img = tensor([[1, 2, 0, 0], [3, 4, 0, 9]]);
  assertClose(maxPool2d(img, { kernel: [2, 2] }), [4, 9], 0);
  assert.deepEqual(maxPool2d(reshape(img, [1, 1, 2, 4]), { kernel: 2, stride: 1 }).shape, [1, 1, 1, 3]);
  assertClose(maxPool2d(img, { kernel: 2, stride: 1, padding: 1 }), [1, 2, 2, 0, 0, 3, 4, 4, 9, 9, 3, 4, 4, 9, 9], 0); // 3×5 outputs
  assert.throws(() => maxPool1d(tensor([1, 2]), { kernel: 3 }), ShapeError);
  assert.throws(() => maxPool1d(tensor([1, 2, 3]), { kernel: 2, padding: 2 }), InvalidArgumentError);
  assert.throws(() => maxPool1d(tensor([1, 2, 3]), { kernel: 0 }), InvalidArgumentError);
  assert.throws(() => maxPool2d(tensor([1, 2, 3]), { kernel: [1, 1] }), ShapeError);
  assert.throws(() => maxPool2d(img, { kernel: [1, 1, 1] as unknown as [number, number] }), InvalidArgumentError);
});

test('maxPool: gradients go to the tied maximisers of each window; overlapping windows accumulate', () => {
  const x = tensor([1, 2, 2, 0, 5]); // windows [1,2,2] [2,2,0] [2,0,5]
  const expected: Record<Exclude<PolicyKey, 'random'>, number[]> = {
    minNorm: [0, 1, 1, 0, 1],
    left: [0, 2, 0, 0, 1],
    right: [0, 0, 2, 0, 1],
    fixed: [0, 1.4, 0.6, 0, 1],
  };
  for (const { key, policy } of POLICIES) {
    const f = (a: Tensor) => maxPool1d(a, { kernel: 3, stride: 1, ...(policy && { kink: policy }) });
    const g = grad((a: Tensor) => sum(f(a)))(x) as Tensor;
    // forward: each window's weights sum to 1, so a constant tangent passes through
    assertClose(jvp(f, [x], [tensor([1, 1, 1, 1, 1])])[1], [1, 1, 1], 1e-15, `${key}: jvp of ones`);
    if (key === 'random') {
      assertClose(g.data.reduce((s, w) => s + w, 0), 3, 1e-14);
      assert.ok(g.data[0] === 0 && g.data[3] === 0 && g.data[4] === 1);
    } else {
      assertClose(g, expected[key], 1e-15, `maxPool1d ${key}`);
      assertClose(withKinkPolicy(policy ?? 'minNorm', () => grad((a: Tensor) => sum(maxPool1d(a, { kernel: 3, stride: 1 })))(x)), expected[key], 1e-15, `maxPool1d ${key} (scope)`);
    }
  }
  // 2-d: three tied entries in one window (row-major order), plus a unique max
  const img = tensor([[1, 1, 0, 7], [1, 0, 2, 3]]);
  const g2 = (policy?: KinkPolicy) => grad((a: Tensor) => sum(maxPool2d(a, { kernel: 2, ...(policy && { kink: policy }) })))(img);
  assertClose(g2(), [1 / 3, 1 / 3, 0, 1, 1 / 3, 0, 0, 0], 1e-15);
  assertClose(g2('left'), [1, 0, 0, 1, 0, 0, 0, 0], 0);
  assertClose(g2('right'), [0, 0, 0, 1, 1, 0, 0, 0], 0);
  assertClose(g2({ kind: 'fixed', t: 0.3 }), [0.7, 0, 0, 1, 0.3, 0, 0, 0], 1e-15);
  // second order through the pooling derivative (weightedGather is linear and self-transposing)
  const h = hessian((a: Tensor) => sum(mul(maxPool1d(a, { kernel: 2 }), maxPool1d(a, { kernel: 2 }))))(tensor([1, 3, 4, 2]));
  assertClose(h, [0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0], 1e-15);
});

test('weightedGather: y = A·vec(x), reverse mode applies Aᵀ, index checks', () => {
  const x = tensor([1, 2, 3]);
  const f = (a: Tensor) => weightedGather(a, [0, 0, 1, 1], [0, 2, 1, 1], [1, 1, 0.5, 0.25], [2]);
  assertClose(f(x), [4, 1.5], 0); // duplicates add: 0.5·2 + 0.25·2
  assertClose(jacobian(f, { mode: 'reverse' })(x), [1, 0, 1, 0, 0.75, 0], 0);
  assertClose(jacobian(f, { mode: 'forward' })(x), [1, 0, 1, 0, 0.75, 0], 0);
  assert.throws(() => weightedGather(x, [0], [3], [1], [1]), InvalidArgumentError);
  assert.throws(() => weightedGather(x, [1], [0], [1], [1]), InvalidArgumentError);
  assert.throws(() => weightedGather(x, [0, 0], [0], [1], [1]), InvalidArgumentError);
});

// ---------------------------------------------------------------------------------------------
// kink reporting

test('trackKinks counts exact kink hits per primitive (primal evaluations only, not derivative rules)', () => {
  const cases: [string, () => unknown, number][] = [
    ['relu', () => relu(tensor([-1, 0, 2, 0])), 2],
    ['abs', () => abs(tensor([0, 1, 0, 0])), 3],
    ['maximum', () => maximum(tensor([1, 2, 3]), tensor([1, 0, 3])), 2],
    ['minimum', () => minimum(tensor([1, 2, 3]), 2), 1],
    ['clip', () => clip(tensor([-1, -0.5, 0, 0.5, 1]), -0.5, 0.5), 2],
    ['softThreshold', () => softThreshold(tensor([1, -1, 0.5, 0]), tensor([1, 1, 1, 0])), 3],
    ['hinge', () => hinge(tensor([1, 1, 0.999])), 2],
    ['max', () => max(tensor([[1, 1, 0], [2, 3, 1], [4, 4, 4]]), { axis: 1 }), 2],
    ['min', () => min(tensor([[1, 1, 0], [2, 3, 1]]), { axis: 0 }), 0],
    ['argmax', () => argmax(tensor([[1, 1, 0], [2, 3, 1]]), { axis: 1 }), 1],
    ['argmin', () => argmin(tensor([0, 0, 0])), 1],
    ['norm2', () => norm(tensor([[0, 0], [1, 0], [0, 0]]), { ord: 2, axis: 1 }), 2],
    ['maxPool1d', () => maxPool1d(tensor([1, 2, 2, 0, 5]), { kernel: 3, stride: 1 }), 2],
    ['maxPool2d', () => maxPool2d(tensor([[1, 1, 0, 7], [1, 0, 2, 3]]), { kernel: 2 }), 1],
  ];
  for (const [name, fn, count] of cases) {
    const { kinks } = trackKinks(fn);
    assert.equal(kinks.byPrimitive[name] ?? 0, count, `${name}: ${JSON.stringify(kinks)}`);
    assert.equal(kinks.total, count, `${name}: total`);
  }
  // derivative rules use constant masks: a gradient adds no kink hits beyond the primal's
  const { kinks } = trackKinks(() => grad((x: Tensor) => sum(mul(clip(x, 0, 1), softThreshold(x, 1))))(tensor([0, 1, 2])));
  assert.deepEqual(kinks.byPrimitive, { clip: 2, softThreshold: 1 });
  const inf = trackKinks(() => norm(tensor([0, 0, 0]), { ord: Infinity })).kinks;
  assert.deepEqual(inf.byPrimitive, { abs: 3, max: 1 });
});

// ---------------------------------------------------------------------------------------------
// properties (bounded domains; grids make exact kinks and ties frequent)

const gridOrReal = fc.oneof(fc.constantFrom(-1, -0.5, 0, 0.5, 1), fc.double({ min: -2, max: 2, noNaN: true }));
const policyArb = fc.constantFrom(...POLICIES.map((p) => p.policy));

test('property: the prox softThreshold(·, λ) is firmly nonexpansive', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(gridOrReal, gridOrReal), { minLength: 1, maxLength: 8 }), fc.double({ min: 0, max: 2, noNaN: true }), (pairs, lam) => {
      const x = tensor(pairs.map((p) => p[0]));
      const y = tensor(pairs.map((p) => p[1]));
      const sx = softThreshold(x, lam).data, sy = softThreshold(y, lam).data;
      let inner = 0, sq = 0;
      for (let i = 0; i < pairs.length; i++) {
        const d = sx[i]! - sy[i]!;
        inner += d * (x.data[i]! - y.data[i]!);
        sq += d * d;
      }
      // ⟨S x − S y, x − y⟩ ≥ ‖S x − S y‖²
      return inner >= sq - 1e-12;
    }),
    { numRuns: 200, seed: 1 },
  );
});

test('property: softThreshold Jacobian — ∂x ∈ [0, 1], ∂λ = −sign(x)·∂x, forward = reverse, at kinks too', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(gridOrReal, fc.constantFrom(0, 0.5, 1)), { minLength: 1, maxLength: 6 }), policyArb, (pairs, policy) => {
      const x = tensor(pairs.map((p) => p[0]));
      const lam = tensor(pairs.map((p) => p[1]));
      const o = policy && { kink: policy };
      const [gx, gl] = grad((a: Tensor, l: Tensor) => sum(softThreshold(a, l, o)), { argnums: [0, 1] })(x, lam);
      const [, tx] = jvp((a: Tensor) => softThreshold(a, lam, o), [x], [tensor(new Float64Array(x.size).fill(1))]);
      for (let i = 0; i < x.size; i++) {
        const d = gx!.data[i]!;
        if (!(d >= 0 && d <= 1)) return false;
        if (gl!.data[i] !== -Math.sign(x.data[i]!) * d && !(gl!.data[i] === 0 && d === 0)) return false;
        if (tx.data[i] !== d) return false;
      }
      return true;
    }),
    { numRuns: 150, seed: 2 },
  );
});

test('property: clip equals min(max(x, lo), hi) and its derivative lies in [0, 1]', () => {
  fc.assert(
    fc.property(fc.array(gridOrReal, { minLength: 1, maxLength: 8 }), fc.constantFrom(-1, -0.5, 0), fc.constantFrom(0, 0.5, 1), policyArb, (xs, lo, hi, policy) => {
      const x = tensor(xs);
      const c = clip(x, lo, hi, policy && { kink: policy });
      const ref = minimum(maximum(x, lo), hi);
      const g = grad((a: Tensor) => sum(clip(a, lo, hi, policy && { kink: policy })))(x) as Tensor;
      return c.data.every((v, i) => v === ref.data[i]) && g.data.every((d) => d >= 0 && d <= 1);
    }),
    { numRuns: 150, seed: 3 },
  );
});

test('property: grad of max / min over a vector with planted ties sums to 1 and lives on the maximisers', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: -2, max: 2 }), { minLength: 1, maxLength: 10 }), policyArb, fc.boolean(), (ints, policy, useMax) => {
      const x = tensor(ints.map((v) => v / 2));
      const op = useMax ? max : min;
      const g = grad((a: Tensor) => op(a, policy && { kink: policy }))(x) as Tensor;
      const ext = useMax ? Math.max(...x.data) : Math.min(...x.data);
      const k = x.data.filter((v) => v === ext).length;
      let s = 0;
      for (let i = 0; i < x.size; i++) {
        const w = g.data[i]!;
        if (w < 0 || (x.data[i] !== ext && w !== 0)) return false;
        if (policy === undefined && x.data[i] === ext && Math.abs(w - 1 / k) > 1e-15) return false;
        s += w;
      }
      return Math.abs(s - 1) <= 1e-12;
    }),
    { numRuns: 200, seed: 4 },
  );
});

/** Brute-force 1-d max pooling oracle (−∞ padding) on [B, L]. */
function poolOracle(rows: number[][], k: number, s: number, p: number): number[] {
  const out: number[] = [];
  for (const r of rows) {
    const Lo = Math.floor((r.length + 2 * p - k) / s) + 1;
    for (let o = 0; o < Lo; o++) {
      let m = -Infinity;
      for (let j = o * s - p; j < o * s - p + k; j++) if (j >= 0 && j < r.length) m = Math.max(m, r[j]!);
      out.push(m);
    }
  }
  return out;
}

test('property: maxPool1d matches a brute-force oracle; gradient weights sum to 1 per window, on window maximisers', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 0, max: 1 }),
      fc.array(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 4, maxLength: 4 }), { minLength: 1, maxLength: 3 }),
      policyArb,
      (k, s, p, rows, policy) => {
        const pad = 2 * p <= k ? p : 0;
        const x = tensor(rows);
        const opts = { kernel: k, stride: s, padding: pad, ...(policy && { kink: policy }) };
        const y = maxPool1d(x, opts);
        const ref = poolOracle(rows, k, s, pad);
        if (y.size !== ref.length || y.data.some((v, i) => v !== ref[i])) return false;
        // J = d pool / dx: each row sums to 1 and is supported on its window's maximisers
        const J = jacobian((a: Tensor) => maxPool1d(a, opts), { mode: 'reverse' })(x);
        const L = 4, Lo = y.size / rows.length;
        for (let o = 0; o < y.size; o++) {
          const b = Math.floor(o / Lo), oo = o % Lo;
          let sumW = 0;
          for (let i = 0; i < x.size; i++) {
            const w = J.data[o * x.size + i]!;
            if (w === 0) continue;
            const j = i - b * L;
            const inWindow = Math.floor(i / L) === b && j >= oo * s - pad && j < oo * s - pad + k;
            if (w < 0 || !inWindow || x.data[i] !== y.data[o]) return false;
            sumW += w;
          }
          if (Math.abs(sumW - 1) > 1e-12) return false;
        }
        return true;
      },
    ),
    { numRuns: 100, seed: 5 },
  );
});

test('property: ‖∇‖x‖₂‖ = 1 for x ≠ 0 and 0 at x = 0', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom(-1, 0, 0.5, 2), { minLength: 1, maxLength: 6 }), (xs) => {
      const g = grad((a: Tensor) => norm(a))(tensor(xs)) as Tensor;
      const n = Math.hypot(...g.data);
      return xs.every((v) => v === 0) ? n === 0 : Math.abs(n - 1) < 1e-14;
    }),
    { numRuns: 100, seed: 6 },
  );
});

test('random policy: forward and reverse mode select the same Clarke elements (scope and per call)', () => {
  const { jacobian, grad, jvp, relu, clip, add, mul, sum, zeros, tensor, withKinkPolicy } = nd;
  const f = (x: nd.Tensor) => relu(x, { kink: { kind: 'random', seed: 5 } });
  const Jr = jacobian(f, { mode: 'reverse' })(zeros([3]));
  const Jf = jacobian(f, { mode: 'forward' })(zeros([3]));
  assert.deepEqual(Array.from(Jr.data), Array.from(Jf.data));
  const g = (x: nd.Tensor) => sum(add(clip(x, 0, 1), clip(mul(x, 2), 0, 1)));
  const x0 = tensor([0]);
  const viaGrad = withKinkPolicy({ kind: 'random', seed: 11 }, () => grad(g)(x0)).data[0]!;
  const viaJvp = withKinkPolicy({ kind: 'random', seed: 11 }, () => jvp(g, [x0], [tensor([1])])[1]).data[0]!;
  assert.equal(viaGrad, viaJvp);
  assert.ok(viaGrad >= 0 && viaGrad <= 3);
});
