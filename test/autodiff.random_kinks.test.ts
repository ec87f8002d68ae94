/**
 * @file Random kink selections are ONE element of the Clarke set per evaluation, whatever the mode
 * and the number of passes: forward-mode jacobian = reverse-mode jacobian under the same seed, the
 * result lies in the Clarke set, tie weights sum to 1, hessian / hvp / nested transforms agree.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  tensor, grad, jacobian, hessian, hvp, jvp, withKinkPolicy, softThreshold, max, relu, abs, clip, hinge, maximum, minimum, maxPool1d,
  sum, mul, norm, Tensor, type KinkPolicy,
} from '../src/index.js';
import { assertClose } from './helpers.js';

const RANDOM = (seed: number): KinkPolicy => ({ kind: 'random', seed });

/** jacobian in both modes under the same random scope policy. */
function bothModes(f: (x: Tensor) => Tensor, x: Tensor, seed: number): [Float64Array, Float64Array] {
  const fwd = withKinkPolicy(RANDOM(seed), () => jacobian(f, { mode: 'forward' })(x)).data;
  const rev = withKinkPolicy(RANDOM(seed), () => jacobian(f, { mode: 'reverse' })(x)).data;
  return [fwd, rev];
}

/** Exact equality of two value lists, with −0 = 0 (a zero tangent and a zero cotangent may differ in sign). */
function sameValues(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  assert.deepEqual(Array.from(a, (v) => v + 0), Array.from(b, (v) => v + 0), what);
}

test('softThreshold at |x| = λ: forward jacobian equals reverse jacobian and lies in the Clarke set', () => {
  const x = tensor([1, -1, 0.5, 2]);
  const f = (v: Tensor) => softThreshold(v, 1);
  for (const seed of [1, 2, 3, 17]) {
    const [fwd, rev] = bothModes(f, x, seed);
    sameValues(fwd, rev, `seed ${seed}`);
    // diagonal Jacobian: d ∈ [0, 1] at the kinks, 0 below the threshold, 1 above
    assert.ok(fwd[0]! >= 0 && fwd[0]! <= 1 && fwd[5]! >= 0 && fwd[5]! <= 1, 'kink entries in [0, 1]');
    assert.equal(fwd[10], 0);
    assert.equal(fwd[15], 1);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) if (i !== j) assert.equal(fwd[i * 4 + j], 0);
  }
});

test('max of [3, 1, 3] under a random policy: weights sum to 1, forward = reverse, and the draw depends on the seed', () => {
  const x = tensor([3, 1, 3]);
  const seen = new Set<number>();
  for (const seed of [1, 2, 3, 4, 5]) {
    const [fwd, rev] = bothModes((v) => max(v), x, seed);
    sameValues(fwd, rev, `seed ${seed}`);
    assert.equal(fwd[1], 0, 'the non-maximal entry gets no weight');
    assert.ok(fwd[0]! >= 0 && fwd[2]! >= 0);
    assert.equal(fwd[0]! + fwd[1]! + fwd[2]!, 1, 'a point of the simplex');
    seen.add(fwd[0]!);
  }
  assert.ok(seen.size > 1, 'different seeds give different selections');
});

test('every nonsmooth primitive at its kinks: forward jacobian = reverse jacobian under the same seed', () => {
  const cases: [string, (v: Tensor) => Tensor, Tensor][] = [
    ['relu', (v) => relu(v), tensor([0, 0, 1, -1])],
    ['abs', (v) => abs(v), tensor([0, 0, 2])],
    ['clip', (v) => clip(v, -1, 1), tensor([-1, 1, 1, 0])],
    ['clip, tensor bounds', (v) => clip(v, tensor([0, 0, -2]), 1), tensor([0, 1, 1])],
    ['hinge', (v) => hinge(v), tensor([1, 1, 0])],
    ['maximum', (v) => maximum(v, tensor([0, 1, 2])), tensor([0, 1, 3])],
    ['minimum', (v) => minimum(v, 0), tensor([0, 0, -1])],
    ['max over rows', (v) => max(v, { axis: 1 }), tensor([[1, 1, 0], [2, 2, 2]])],
    ['norm ∞', (v) => norm(v, { ord: Infinity }), tensor([1, -1, 1])],
    ['maxPool1d', (v) => maxPool1d(v, { kernel: 2, stride: 1 }), tensor([1, 1, 1, 0])],
    ['composite', (v) => relu(sub1(mul(abs(v), max(v)))), tensor([1, -1, 1])],
  ];
  for (const [name, f, x] of cases) {
    for (const seed of [7, 8]) {
      const [fwd, rev] = bothModes(f, x, seed);
      // single primitives: bit-identical; a composite multiplies in a different order per mode
      if (name === 'composite') assertClose(fwd, rev, 1e-14, `${name}, seed ${seed}`);
      else sameValues(fwd, rev, `${name}, seed ${seed}`);
    }
  }
});

function sub1(t: Tensor): Tensor {
  return softThreshold(t, 1);
}

test('one selection per evaluation: repeated pullbacks, grad, hessian and hvp agree with the jacobian', () => {
  // f(x) = Σ max(x)·x: the max's tie weights w enter ∇f = max(x)·1 + (Σx)·w
  const f = (v: Tensor) => sum(mul(max(v), v));
  const x = tensor([2, 2, 1]);
  const g = withKinkPolicy(RANDOM(5), () => grad(f)(x)).data;
  const J = withKinkPolicy(RANDOM(5), () => jacobian(grad(f), { mode: 'forward' })(x));
  const H = withKinkPolicy(RANDOM(5), () => hessian(f)(x));
  assertClose(H, J, 0, 'hessian = forward jacobian of grad');
  // the weights of grad: (g − max)/(Σx), a simplex point on the tied entries
  const w = Array.from(g, (gi) => (gi - 2) / 5);
  assert.ok(Math.abs(w[0]! + w[1]! + w[2]! - 1) < 1e-15 && w[2] === 0);
  // H = 1 wᵀ + w 1ᵀ (second derivative of max·Σx with constant weights): every column uses the same w
  const Hd = H.data;
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) assert.ok(Math.abs(Hd[i * 3 + j]! - (w[i]! + w[j]!)) < 1e-14, `H[${i}][${j}]`);
  for (let j = 0; j < 3; j++) {
    const e = tensor([0, 1, 2].map((k) => (k === j ? 1 : 0)));
    const hv = withKinkPolicy(RANDOM(5), () => hvp(f, [x], [e]));
    assertClose(hv, [Hd[j]!, Hd[3 + j]!, Hd[6 + j]!], 0, `hvp column ${j}`);
  }
});

test('jvp under a random policy selects the same element as grad (both read the scope counter from the same point)', () => {
  const f = (v: Tensor) => sum(relu(v));
  const x = tensor([0, 0, 0, 0]);
  const g = withKinkPolicy(RANDOM(11), () => grad(f)(x)).data;
  for (let j = 0; j < 4; j++) {
    const e = tensor([0, 1, 2, 3].map((k) => (k === j ? 1 : 0)));
    const [, d] = withKinkPolicy(RANDOM(11), () => jvp(f, [x], [e]));
    assert.equal(d.item(), g[j]);
  }
  assert.ok(g.every((gi) => gi >= 0 && gi <= 1));
});

test('an explicit per-call random policy is the same selection in every pass', () => {
  const f = (v: Tensor) => clip(v, 0, 1, { kink: RANDOM(3) });
  const x = tensor([0, 1, 0.5]);
  sameValues(jacobian(f, { mode: 'forward' })(x).data, jacobian(f, { mode: 'reverse' })(x).data, 'forward vs reverse');
});
