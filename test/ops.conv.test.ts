/**
 * @file conv2d / conv2dTranspose / avgPool2d: values against a naive loop reference on odd sizes,
 * strides, paddings and dilations; gradients by central finite differences in x and w; the
 * JVP/VJP dot-product test; second order (hvp of a loss through two convolutions) against finite
 * differences of the gradient; the adjoint identity of conv2dTranspose; avgPool2d by hand;
 * argument and shape errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  conv2d, conv2dTranspose, avgPool2d, grad, hvp, rng, tensor, ones, sum, mul, tanh, reshape,
  ShapeError, InvalidArgumentError, type Tensor,
} from '../src/index.js';
import { assertClose, checkDerivatives, checkDotProduct, dotArr } from './helpers.js';

interface Geo { stride: [number, number]; padding: [number, number]; dilation: [number, number] }

/** y[n,f,oh,ow] = Σ w[f,c,i,j]·x[n,c,oh·sh−ph+i·dh, ow·sw−pw+j·dw] by plain loops. */
function naiveConv(x: Tensor, w: Tensor, g: Geo): { data: Float64Array; shape: number[] } {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [F, , kh, kw] = w.shape as [number, number, number, number];
  const [sh, sw] = g.stride, [ph, pw] = g.padding, [dh, dw] = g.dilation;
  const Ho = Math.floor((H + 2 * ph - dh * (kh - 1) - 1) / sh) + 1;
  const Wo = Math.floor((W + 2 * pw - dw * (kw - 1) - 1) / sw) + 1;
  const out = new Float64Array(N * F * Ho * Wo);
  const xd = x.data, wd = w.data;
  for (let n = 0; n < N; n++) for (let f = 0; f < F; f++) for (let oh = 0; oh < Ho; oh++) for (let ow = 0; ow < Wo; ow++) {
    let s = 0;
    for (let c = 0; c < C; c++) for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) {
      const h = oh * sh - ph + i * dh, v = ow * sw - pw + j * dw;
      if (h < 0 || h >= H || v < 0 || v >= W) continue;
      s += wd[((f * C + c) * kh + i) * kw + j]! * xd[((n * C + c) * H + h) * W + v]!;
    }
    out[((n * F + f) * Ho + oh) * Wo + ow] = s;
  }
  return { data: out, shape: [N, F, Ho, Wo] };
}

const CASES: { x: number[]; w: number[]; g: Geo }[] = [
  { x: [2, 3, 7, 5], w: [4, 3, 3, 3], g: { stride: [1, 1], padding: [1, 1], dilation: [1, 1] } },
  { x: [1, 2, 9, 8], w: [3, 2, 3, 2], g: { stride: [2, 3], padding: [0, 2], dilation: [1, 1] } },
  { x: [3, 1, 6, 7], w: [2, 1, 2, 3], g: { stride: [1, 2], padding: [2, 1], dilation: [2, 2] } },
  { x: [1, 3, 5, 5], w: [5, 3, 5, 5], g: { stride: [1, 1], padding: [0, 0], dilation: [1, 1] } }, // 1×1 output
  { x: [2, 2, 4, 4], w: [1, 2, 1, 1], g: { stride: [3, 2], padding: [0, 0], dilation: [1, 1] } }, // 1×1 kernel, F = 1
];

test('conv2d matches a naive loop on odd sizes, strides, paddings and dilations', () => {
  CASES.forEach(({ x: xs, w: ws, g }, k) => {
    const x = rng(10 + k).normal(xs), w = rng(20 + k).normal(ws);
    const y = conv2d(x, w, g);
    const ref = naiveConv(x, w, g);
    assert.deepEqual(y.shape, ref.shape, `case ${k}`);
    assertClose(y, ref.data, 1e-13, `case ${k}`);
  });
});

test('conv2d: large images split into chunks of images (a partial last chunk) match the naive loop and the adjoint identities', () => {
  // K·P = 900·1024: two images per chunk (2²¹ scratch entries), so N = 3 runs a chunk of 2 and one of 1
  const g: Geo = { stride: [1, 1], padding: [2, 2], dilation: [1, 1] };
  const x = rng(1).normal([3, 36, 32, 32]), w = rng(2).normal([1, 36, 5, 5]);
  const y = conv2d(x, w, g);
  assertClose(y, naiveConv(x, w, g).data, 1e-12);
  const c = rng(3).normal(y.shape);
  const [gx, gw] = grad((a: Tensor, b: Tensor) => sum(mul(conv2d(a, b, g), c)), { argnums: [0, 1] })(x, w);
  const u = rng(4).normal(x.shape), v = rng(5).normal(w.shape);
  // ⟨∇x, u⟩ = ⟨c, conv(u, w)⟩ and ⟨∇w, v⟩ = ⟨c, conv(x, v)⟩ (conv is linear in each argument)
  const cu = dotArr(c.data, naiveConv(u, w, g).data), cv = dotArr(c.data, naiveConv(x, v, g).data);
  assert.ok(Math.abs(dotArr(gx!.data, u.data) - cu) <= 1e-10 * Math.abs(cu));
  assert.ok(Math.abs(dotArr(gw!.data, v.data) - cv) <= 1e-10 * Math.abs(cv));
});

test('conv2d: the documented example values', () => {
  const x = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 3, 3]);
  assertClose(conv2d(x, ones([1, 1, 2, 2])), [12, 16, 24, 28], 0);
  assert.deepEqual(conv2d(x, ones([1, 1, 3, 3]), { padding: 1, stride: 2 }).shape, [1, 1, 2, 2]);
  assertClose(conv2dTranspose(ones([1, 1, 2, 2]), ones([1, 1, 2, 2])), [1, 2, 1, 2, 4, 2, 1, 2, 1], 0);
});

test('conv2dTranspose is the adjoint of conv2d in x: ⟨T(c, w), x⟩ = ⟨c, conv2d(x, w)⟩', () => {
  CASES.forEach(({ x: xs, w: ws, g }, k) => {
    const x = rng(30 + k).normal(xs), w = rng(40 + k).normal(ws);
    const y = conv2d(x, w, g);
    const c = rng(50 + k).normal(y.shape);
    // output padding recovers the exact input size when the stride drops rows/columns
    const outputPadding = [0, 1].map((a) => (xs[2 + a]! + 2 * g.padding[a]! - g.dilation[a]! * (ws[2 + a]! - 1) - 1) % g.stride[a]!) as [number, number];
    const z = conv2dTranspose(c, w, { ...g, outputPadding });
    assert.deepEqual(z.shape, x.shape, `case ${k}`);
    const lhs = dotArr(z.data, x.data), rhs = dotArr(c.data, y.data);
    assert.ok(Math.abs(lhs - rhs) <= 1e-12 * Math.max(1, Math.abs(rhs)), `case ${k}: ${lhs} vs ${rhs}`);
  });
});

test('conv2d: gradients in x and w vs central finite differences; JVP/VJP dot-product test', () => {
  CASES.slice(0, 3).forEach(({ x: xs, w: ws, g }, k) => {
    const x = rng(60 + k).normal(xs), w = rng(70 + k).normal(ws);
    const f = (a: Tensor, b: Tensor) => tanh(conv2d(a, b, g));
    checkDerivatives(f, [x, w], { rtol: 1e-7 });
    checkDotProduct(f, [x, w]);
  });
});

test('conv2d: second order — hvp through two convolutions vs finite differences of the gradient', () => {
  const x = rng(80).normal([2, 2, 6, 5]);
  const w1 = mul(rng(81).normal([3, 2, 3, 3]), 0.5);
  const w2 = mul(rng(82).normal([2, 3, 2, 2]), 0.5);
  const loss = (a: Tensor, b: Tensor) => sum(mul(tanh(conv2d(tanh(conv2d(x, a, { padding: 1, stride: [1, 2] })), b, { dilation: [2, 1] })), 1));
  // Hessian in w1 along v (the w1 → loss map is non-quadratic through tanh)
  const v = rng(83).normal(w1.shape);
  const gw = (a: Tensor) => grad(loss)(a, w2);
  const hv = hvp((a: Tensor) => loss(a, w2), [w1], [v]);
  const h = 1e-4;
  const gp = gw(tensor(w1.data.map((e, i) => e + h * v.data[i]!), w1.shape));
  const gm = gw(tensor(w1.data.map((e, i) => e - h * v.data[i]!), w1.shape));
  const fd = gp.data.map((e, i) => (e - gm.data[i]!) / (2 * h));
  assertClose(hv, fd, 1e-6, 'hvp in w');
  // mixed second derivative: d/dw2 of ⟨∇_{w1} loss, v⟩
  const mixed = grad((b: Tensor) => sum(mul(grad((a: Tensor) => loss(a, b))(w1), v)))(w2);
  const u = rng(84).normal(w2.shape);
  const dir = (s: number) => sum(mul(grad((a: Tensor) => loss(a, tensor(w2.data.map((e, i) => e + s * u.data[i]!), w2.shape)))(w1), v)).data[0]!;
  const fdMixed = (dir(h) - dir(-h)) / (2 * h);
  assertClose(dotArr(mixed.data, u.data), fdMixed, 1e-6, 'mixed second derivative');
});

test('conv2d: hvp in x vs finite differences of the gradient', () => {
  const w = rng(90).normal([2, 1, 3, 3]);
  const x = rng(91).normal([1, 1, 5, 5]);
  const v = rng(92).normal(x.shape);
  const f = (a: Tensor) => sum(tanh(conv2d(a, w, { padding: 1 })));
  const hv = hvp(f, [x], [v]);
  const h = 1e-4;
  const g = grad(f);
  const gp = g(tensor(x.data.map((e, i) => e + h * v.data[i]!), x.shape)).data;
  const gm = g(tensor(x.data.map((e, i) => e - h * v.data[i]!), x.shape)).data;
  assertClose(hv, gp.map((e, i) => (e - gm[i]!) / (2 * h)), 1e-6);
});

test('avgPool2d by hand: values, padding with/without counting pads, batch axes, gradient', () => {
  const img = tensor([[1, 2, 0, 0], [3, 4, 0, 8]]);
  assertClose(avgPool2d(img, { kernel: 2 }), [2.5, 2], 0);
  assertClose(avgPool2d(img, { kernel: [1, 2], stride: [1, 1] }), [1.5, 1, 0, 3.5, 2, 4], 0);
  // padding 1, kernel 2, stride 2 on 2×4: windows [pad|1], [2,0], [0|pad] in each padded row pair
  assertClose(avgPool2d(img, { kernel: 2, padding: 1 }), [1 / 4, 2 / 4, 0, 3 / 4, 4 / 4, 8 / 4], 1e-15);
  assertClose(avgPool2d(img, { kernel: 2, padding: 1, countIncludePad: false }), [1, 1, 0, 3, 2, 8], 1e-15);
  const batched = reshape(rng(1).normal([2, 3, 4, 6]), [2, 3, 4, 6]);
  const y = avgPool2d(batched, { kernel: [2, 3] });
  assert.deepEqual(y.shape, [2, 3, 2, 2]);
  const d = batched.data;
  assert.ok(Math.abs(y.data[0]! - (d[0]! + d[1]! + d[2]! + d[6]! + d[7]! + d[8]!) / 6) < 1e-15);
  // overlapping windows: gradient = window counts / area
  assertClose(grad((a: Tensor) => sum(avgPool2d(a, { kernel: 2, stride: 1 })))(ones([3, 3])), [1, 2, 1, 2, 4, 2, 1, 2, 1].map((c) => c / 4), 1e-15);
  checkDerivatives((a) => avgPool2d(mul(a, a), { kernel: 3, stride: 2, padding: 1, countIncludePad: false }), [rng(2).normal([2, 5, 4])]);
});

test('conv2d / conv2dTranspose / avgPool2d: shape and argument errors name the argument', () => {
  const x = ones([1, 2, 4, 4]);
  assert.throws(() => conv2d(ones([2, 4, 4]), ones([1, 2, 3, 3])), (e: unknown) => e instanceof ShapeError && /x must be 4-d/.test(e.message));
  assert.throws(() => conv2d(x, ones([1, 3, 3, 3])), (e: unknown) => e instanceof ShapeError && /2 channels.*expects 3/.test(e.message));
  assert.throws(() => conv2d(x, ones([1, 2, 5, 3])), (e: unknown) => e instanceof ShapeError && /height of the dilated kernel \(5\)/.test(e.message));
  assert.throws(() => conv2d(x, ones([1, 2, 3, 3]), { stride: 0 }), (e: unknown) => e instanceof InvalidArgumentError && /stride/.test(e.message));
  assert.throws(() => conv2d(x, ones([1, 2, 3, 3]), { padding: [1, 1, 1] as unknown as [number, number] }), InvalidArgumentError);
  assert.throws(() => conv2d(x, ones([1, 2, 3, 3]), { strides: 2 } as never), (e: unknown) => e instanceof InvalidArgumentError && /did you mean 'stride'/.test(e.message));
  assert.throws(() => conv2dTranspose(ones([1, 3, 2, 2]), ones([2, 2, 3, 3])), (e: unknown) => e instanceof ShapeError && /3 channels.*2 filters/.test(e.message));
  assert.throws(() => conv2dTranspose(ones([1, 2, 2, 2]), ones([2, 2, 3, 3]), { outputPadding: 1 }), InvalidArgumentError);
  assert.throws(() => avgPool2d(ones([4]), { kernel: 2 }), ShapeError);
  assert.throws(() => avgPool2d(ones([4, 4]), { kernel: 2, padding: 2 }), InvalidArgumentError);
  assert.throws(() => avgPool2d(ones([2, 2]), { kernel: 3 }), ShapeError);
});
