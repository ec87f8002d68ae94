/**
 * @file NaN semantics of the nonsmooth ops (NumPy's maximum semantics): a NaN input gives a NaN
 * value, never a finite one, and the derivative entry at a NaN input is NaN, never a finite
 * selection. Non-NaN entries are unaffected.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  tensor, grad, jvp, valueAndGrad, relu, abs, sign, maximum, minimum, clip, softThreshold, hinge, max, min, argmax, argmin, norm,
  maxPool1d, maxPool2d, sum, leakyRelu, elu, withKinkPolicy, Tensor, type KinkPolicy,
} from '../src/index.js';

const isNaNAt = (t: Tensor, i: number) => Number.isNaN(t.data[i]!);

test('relu(NaN) and maximum(NaN, 0) are NaN: valueAndGrad of Σ relu over [NaN, 1] reports NaN', () => {
  const [v, g] = valueAndGrad((x: Tensor) => sum(relu(x)))(tensor([NaN, 1]));
  assert.ok(Number.isNaN(v.item()));
  assert.ok(isNaNAt(g, 0));
  assert.equal(g.data[1], 1);
  assert.ok(Number.isNaN(maximum(NaN, 0).item()) && Number.isNaN(maximum(0, NaN).item()));
  assert.ok(Number.isNaN(minimum(NaN, 0).item()) && Number.isNaN(minimum(0, NaN).item()));
});

test('elementwise nonsmooth ops: NaN value and NaN derivative at a NaN input, under every policy', () => {
  const ops: [string, (x: Tensor, k: KinkPolicy) => Tensor][] = [
    ['relu', (x, k) => relu(x, { kink: k })],
    ['abs', (x, k) => abs(x, { kink: k })],
    ['maximum', (x, k) => maximum(x, 0, { kink: k })],
    ['minimum', (x, k) => minimum(0, x, { kink: k })],
    ['clip', (x, k) => clip(x, -1, 1, { kink: k })],
    ['clip, tensor bounds', (x, k) => clip(x, tensor([-1, 0]), 1, { kink: k })],
    ['softThreshold', (x, k) => softThreshold(x, 0.5, { kink: k })],
    ['hinge', (x, k) => hinge(x, { kink: k })],
    ['leakyRelu', (x, k) => leakyRelu(x, { slope: 0.1, kink: k })],
    ['elu', (x, k) => elu(x, { alpha: 0.5, kink: k })],
  ];
  const policies: KinkPolicy[] = ['minNorm', 'left', 'right', { kind: 'fixed', t: 0.3 }, { kind: 'random', seed: 1 }];
  const x = tensor([NaN, 0.25]);
  for (const [name, f] of ops) {
    for (const k of policies) {
      const y = f(x, k);
      assert.ok(isNaNAt(y, 0) && !isNaNAt(y, 1), `${name} value`);
      const g = grad((v: Tensor) => sum(f(v, k)))(x);
      assert.ok(isNaNAt(g, 0), `${name} grad at NaN (${JSON.stringify(k)})`);
      assert.ok(!isNaNAt(g, 1), `${name} grad elsewhere`);
      const [, t] = jvp((v: Tensor) => f(v, k), [x], [tensor([1, 1])]);
      assert.ok(isNaNAt(t, 0) && !isNaNAt(t, 1), `${name} jvp`);
    }
  }
  assert.ok(isNaNAt(sign(tensor([NaN])), 0), 'sign(NaN) = NaN as in NumPy');
});

test('reductions: a group holding a NaN is NaN, its NaN entries get a NaN derivative, other groups are unaffected', () => {
  const X = tensor([[1, NaN, 3], [4, 5, 5]]);
  for (const [name, f] of [['max', max], ['min', min]] as const) {
    const y = f(X, { axis: 1 });
    assert.ok(isNaNAt(y, 0), `${name} value`);
    assert.equal(y.data[1], name === 'max' ? 5 : 4);
    const g = grad((v: Tensor) => sum(f(v, { axis: 1 })))(X).data;
    assert.deepEqual([g[0], g[2]], [0, 0], `${name}: finite entries of a NaN group`);
    assert.ok(Number.isNaN(g[1]!), `${name}: the NaN entry`);
    assert.deepEqual(Array.from(g.slice(3)), name === 'max' ? [0, 0.5, 0.5] : [1, 0, 0]);
    for (const kink of ['left', 'right', { kind: 'random', seed: 3 }] as KinkPolicy[]) {
      const gk = withKinkPolicy(kink, () => grad((v: Tensor) => sum(f(v, { axis: 1 })))(X)).data;
      assert.ok(Number.isNaN(gk[1]!) && gk[0] === 0, `${name} under ${JSON.stringify(kink)}`);
    }
  }
  // argmax/argmin: the first NaN is the extremum (NumPy), derivative zero
  assert.deepEqual(argmax(X, { axis: 1 }).toArray(), [1, 1]);
  assert.deepEqual(argmin(X, { axis: 1 }).toArray(), [1, 0]);
  // norms: NaN value and derivative
  for (const ord of [1, 2, Infinity]) {
    assert.ok(Number.isNaN(norm(tensor([3, NaN]), { ord }).item()), `norm ord ${ord}`);
    const g = grad((v: Tensor) => norm(v, { ord }))(tensor([3, NaN]));
    assert.ok(isNaNAt(g, 1), `norm ord ${ord}: derivative at the NaN entry`);
  }
});

test('max pooling: a window holding a NaN is NaN with a NaN derivative on the NaN entry', () => {
  const x = tensor([1, NaN, 2, 3]);
  const y = maxPool1d(x, { kernel: 2 });
  assert.ok(isNaNAt(y, 0));
  assert.equal(y.data[1], 3);
  const g = grad((v: Tensor) => sum(maxPool1d(v, { kernel: 2 })))(x).data;
  assert.equal(g[0], 0);
  assert.ok(Number.isNaN(g[1]!));
  assert.deepEqual([g[2], g[3]], [0, 1]);
  const g2 = grad((v: Tensor) => sum(maxPool2d(v, { kernel: 2 })))(tensor([[NaN, 1], [1, 1]])).data;
  assert.ok(Number.isNaN(g2[0]!) && g2[1] === 0);
});
