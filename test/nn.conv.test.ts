/**
 * @file The conv / pooling layers of `nn`: output-shape inference in init (strides, paddings,
 * 'same', dilation), parameter shapes and fans, forward = the conv2d op plus bias, shape errors
 * naming the layer and both shapes, gradients through a small conv − pool − conv stack vs finite
 * differences, and the digits CNN of issue 9 reaching ≥ 98% test accuracy (15 epochs, ≈ 12 s of
 * CPU on one core; examples/digits_cnn.ts prints the run).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { add, conv2d as conv2dOp, maxPool2d as maxPool2dOp, avgPool2d as avgPool2dOp, nn, reshape, rng, ShapeError, InvalidArgumentError, sum, tanh, type Tensor } from '../src/index.js';
import { assertClose, checkDerivatives } from './helpers.js';
import { trainDigitsCnn } from './fixtures/digits_cnn.js';

test('nn.conv2d: output shape inference, parameter shapes and init bound, forward = op + bias', () => {
  const cases: [nn.Conv2dLayerOptions, number[], number[]][] = [
    [{ kernel: 3 }, [2, 9, 7], [4, 7, 5]],
    [{ kernel: 3, padding: 1 }, [2, 9, 7], [4, 9, 7]],
    [{ kernel: [3, 5], padding: 'same' }, [1, 6, 6], [4, 6, 6]],
    [{ kernel: 3, padding: 'same', dilation: 2 }, [1, 6, 6], [4, 6, 6]],
    [{ kernel: 2, stride: [2, 3], padding: [1, 0] }, [3, 7, 8], [4, 4, 3]],
  ];
  for (const [opts, inShape, outShape] of cases) {
    const layer = nn.conv2d(4, opts);
    const { params, state, outputShape } = layer.init(7, inShape);
    assert.deepEqual(outputShape, outShape, JSON.stringify(opts));
    assert.equal(state, null);
    const kh = typeof opts.kernel === 'number' ? opts.kernel : opts.kernel[0];
    const kw = typeof opts.kernel === 'number' ? opts.kernel : opts.kernel[1];
    assert.deepEqual(params.w.shape, [4, inShape[0], kh, kw]);
    assert.deepEqual(params.b!.shape, [4]);
    const bound = 1 / Math.sqrt(inShape[0]! * kh * kw);
    assert.ok(params.w.data.every((v) => Math.abs(v) <= bound) && params.b!.data.every((v) => Math.abs(v) <= bound));
    const x = rng(3).normal([2, ...inShape]);
    const y = layer.apply(params, x);
    assert.deepEqual(y.shape, [2, ...outShape]);
    const { padding: pad, ...rest } = opts;
    const padding = pad === 'same' ? [((opts.dilation as number ?? 1) * (kh - 1)) / 2, ((opts.dilation as number ?? 1) * (kw - 1)) / 2] as [number, number] : pad;
    const { kernel: _k, ...geo } = rest;
    assertClose(y, add(conv2dOp(x, params.w, { ...geo, ...(padding !== undefined && { padding }) }), reshape(params.b!, [4, 1, 1])), 1e-14);
  }
  const noBias = nn.conv2d(2, { kernel: 1, useBias: false }).init(0, [3, 2, 2]).params;
  assert.equal(noBias.b, undefined);
  // same key → same parameters; another key → others
  const a = nn.conv2d(2, { kernel: 3 }).init(5, [1, 4, 4]).params.w.data;
  assert.deepEqual(a, nn.conv2d(2, { kernel: 3 }).init(5, [1, 4, 4]).params.w.data);
  assert.notDeepEqual(a, nn.conv2d(2, { kernel: 3 }).init(6, [1, 4, 4]).params.w.data);
});

test('nn.maxPool2d / nn.avgPool2d: output shapes and values equal the ops', () => {
  const x = rng(4).normal([2, 3, 7, 6]);
  const mp = nn.maxPool2d({ kernel: 2 });
  assert.deepEqual(mp.init(0, [3, 7, 6]).outputShape, [3, 3, 3]);
  assertClose(mp.apply({}, x), maxPool2dOp(x, { kernel: 2 }), 0);
  const ap = nn.avgPool2d({ kernel: 3, stride: 2, padding: 1, countIncludePad: false });
  assert.deepEqual(ap.init(0, [3, 7, 6]).outputShape, [3, 4, 3]);
  assertClose(ap.apply({}, x), avgPool2dOp(x, { kernel: 3, stride: 2, padding: 1, countIncludePad: false }), 0);
});

test('conv / pool layers: shape errors name the layer and both shapes; option errors', () => {
  const conv = nn.conv2d(8, { kernel: 3 });
  assert.throws(() => conv.init(0, [8, 8]), (e: unknown) => e instanceof ShapeError && /conv2d\(8, 3×3\).*\[C, H, W\].*\[8, 8\]/.test(e.message));
  assert.throws(() => conv.init(0, [1, 2, 8]), (e: unknown) => e instanceof ShapeError && /conv2d\(8, 3×3\).*does not fit.*\[1, 2, 8\]/.test(e.message));
  const { params } = conv.init(0, [3, 8, 8]);
  assert.throws(() => conv.apply(params, rng(0).normal([2, 1, 8, 8])), (e: unknown) => e instanceof ShapeError && /conv2d\(8, 3×3\).*1 channels.*initialised for 3.*\[2, 1, 8, 8\].*\[8, 3, 3, 3\]/.test(e.message));
  assert.throws(() => conv.apply(params, rng(0).normal([3, 8, 8])), (e: unknown) => e instanceof ShapeError && /\[C, H, W\].*\[3, 8, 8\] with batch axis/.test(e.message));
  assert.throws(() => nn.maxPool2d({ kernel: 4 }).init(0, [2, 3, 8]), (e: unknown) => e instanceof ShapeError && /maxPool2d\(4×4\).*\[2, 3, 8\]/.test(e.message));
  assert.throws(() => nn.avgPool2d({ kernel: 2 }).apply({}, rng(0).normal([4, 4])), (e: unknown) => e instanceof ShapeError && /avgPool2d\(2×2\).*\[4, 4\]/.test(e.message));
  assert.throws(() => nn.conv2d(0, { kernel: 3 }), InvalidArgumentError);
  assert.throws(() => nn.conv2d(4, {} as nn.Conv2dLayerOptions), (e: unknown) => e instanceof InvalidArgumentError && /kernel is required/.test(e.message));
  assert.throws(() => nn.conv2d(4, { kernel: 2, padding: 'same' }), (e: unknown) => e instanceof InvalidArgumentError && /'same'/.test(e.message));
  assert.throws(() => nn.conv2d(4, { kernel: 3, strides: 2 } as never), (e: unknown) => e instanceof InvalidArgumentError && /did you mean 'stride'/.test(e.message));
  assert.throws(() => nn.maxPool2d({ kernel: 2, padding: 2 }), InvalidArgumentError);
});

test('gradients through conv − maxpool − conv − avgpool vs finite differences (params and input)', () => {
  const c1 = nn.conv2d(3, { kernel: 3, padding: 1 });
  const c2 = nn.conv2d(2, { kernel: 2, stride: 1 });
  const mp = nn.maxPool2d({ kernel: 2 });
  const ap = nn.avgPool2d({ kernel: 2, stride: 1 });
  const p1 = c1.init(1, [2, 6, 6]).params, p2 = c2.init(2, [3, 3, 3]).params;
  const f = (x: Tensor, w1: Tensor, b1: Tensor, w2: Tensor) => sum(ap.apply({}, tanh(c2.apply({ w: w2, b: p2.b! }, mp.apply({}, tanh(c1.apply({ w: w1, b: b1 }, x)))))), { axis: 1 });
  checkDerivatives(f, [rng(9).normal([2, 2, 6, 6]), p1.w, p1.b!, p2.w], { rtol: 1e-6 });
});

test('digits CNN (conv-relu-pool ×2 + linear, AdamW) reaches ≥ 98% test accuracy on the seeded 80/20 split', () => {
  const r = trainDigitsCnn();
  assert.ok(r.testAccuracy >= 0.98, `test accuracy ${r.testAccuracy} < 0.98 (train ${r.trainAccuracy})`);
});
