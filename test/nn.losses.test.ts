/**
 * @file Losses for training: cross-entropy label smoothing (PyTorch's definition), the multiclass
 * hinge (Weston–Watkins as PyTorch's MultiMarginLoss, and Crammer–Singer), the binary hinge loss —
 * values by hand, derivatives by finite differences, selections at margins met exactly, and the
 * errors for labels out of range.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crossEntropy, grad, hingeLoss, logSoftmax, multiclassHinge, tensor, InvalidArgumentError, ShapeError, type Tensor } from '../src/index.js';
import { assertClose, checkDerivatives } from './helpers.js';

test('crossEntropy labelSmoothing: (1 − ε)·CE + ε·mean_c(−log p_c), for index and probability targets', () => {
  const z = tensor([[2, 0, -1], [0.5, 1.5, 0]]);
  const lp = logSoftmax(z).toArray() as number[][];
  const eps = 0.1;
  const per = [0, 1].map((i) => {
    const y = [0, 2][i]!;
    return (1 - eps) * -lp[i]![y]! + eps * -(lp[i]!.reduce((a, b) => a + b, 0) / 3);
  });
  assertClose(crossEntropy(z, [0, 2], { labelSmoothing: eps }), (per[0]! + per[1]!) / 2, 1e-14);
  // PyTorch 1.13: F.cross_entropy(z, [0, 2], label_smoothing=0.1)
  assertClose(crossEntropy(z, [0, 2], { labelSmoothing: eps }), 1.1171074018321154, 1e-14);
  assertClose(crossEntropy(z, [0, 2], { labelSmoothing: eps, reduction: 'none' }), per, 1e-14);
  // probability targets: the same as smoothing the one-hot targets by hand
  const onehot = tensor([[1, 0, 0], [0, 0, 1]]);
  const smoothed = tensor([[1 - eps + eps / 3, eps / 3, eps / 3], [eps / 3, eps / 3, 1 - eps + eps / 3]]);
  assertClose(crossEntropy(z, onehot, { labelSmoothing: eps }), crossEntropy(z, smoothed), 1e-14);
  checkDerivatives((v) => crossEntropy(v, [0, 2], { labelSmoothing: 0.2 }), [z]);
  // ε = 0 is plain cross-entropy
  assertClose(crossEntropy(z, [0, 2], { labelSmoothing: 0 }), crossEntropy(z, [0, 2]), 0);
  assert.throws(() => crossEntropy(z, [0, 2], { labelSmoothing: 1.5 }), /labelSmoothing must be a number in \[0, 1\]/);
  assert.throws(() => crossEntropy(z, [0, 3]), (e: unknown) => e instanceof InvalidArgumentError && /label 3 at position 1/.test(e.message));
});

test('multiclassHinge: Weston–Watkins (PyTorch MultiMarginLoss) and Crammer–Singer values, derivatives, kinks, errors', () => {
  const z = tensor([[2, 1.5, 0], [0.2, 0.1, 3]]);
  // sample 0 (y = 0): margins 1 − 2 + 1.5 = 0.5, 1 − 2 + 0 = −1; sample 1 (y = 1): 1 − 0.1 + 0.2 = 1.1, 1 − 0.1 + 3 = 3.9
  assertClose(multiclassHinge(z, [0, 1], { reduction: 'none' }), [0.5 / 3, (1.1 + 3.9) / 3], 1e-15);
  // PyTorch 1.13: F.multi_margin_loss(z, [0, 1], reduction='none') = [0.16666666666666666, 1.6666666666666667]
  assertClose(multiclassHinge(z, [0, 1], { reduction: 'none' }), [0.16666666666666666, 1.6666666666666667], 1e-15);
  assertClose(multiclassHinge(z, [0, 1]), (0.5 / 3 + 5 / 3) / 2, 1e-15);
  assertClose(multiclassHinge(z, [0, 1], { variant: 'crammerSinger', reduction: 'none' }), [0.5, 3.9], 1e-15);
  assertClose(multiclassHinge(z, [0, 1], { margin: 0.2, reduction: 'sum' }), 0 + (0.3 + 3.1) / 3, 1e-15);
  assertClose(multiclassHinge(tensor([2, 1.5, 0]), 0), 0.5 / 3, 1e-15);
  // gradient (WW, mean over 2 samples): sample 0: +1/3 on class 1, −1/3 on class 0; sample 1: +1/3 on 0 and 2, −2/3 on 1
  const g = grad((v: Tensor) => multiclassHinge(v, [0, 1]))(z);
  assertClose(g, [-1 / 6, 1 / 6, 0, 1 / 6, -2 / 6, 1 / 6], 1e-15);
  const gcs = grad((v: Tensor) => multiclassHinge(v, [0, 1], { variant: 'crammerSinger', reduction: 'sum' }))(z);
  assertClose(gcs, [-1, 1, 0, 0, -1, 1], 1e-15);
  checkDerivatives((v) => multiclassHinge(v, [0, 1]), [z]);
  checkDerivatives((v) => multiclassHinge(v, [0, 1], { variant: 'crammerSinger' }), [z]);
  // a margin met exactly (1 − z_y + z_j = 0): relu's selection, 0 by default, 1 with 'right'
  const k = tensor([[2, 1, -5]]);
  assertClose(grad((v: Tensor) => multiclassHinge(v, [0], { reduction: 'sum' }))(k), [0, 0, 0], 0);
  assertClose(grad((v: Tensor) => multiclassHinge(v, [0], { reduction: 'sum', kink: 'right' }))(k), [-1 / 3, 1 / 3, 0], 1e-15);
  assert.throws(() => multiclassHinge(z, [0, 3]), (e: unknown) => e instanceof InvalidArgumentError && /label 3 at position 1 is not a class index in \[0, 2\]/.test(e.message));
  assert.throws(() => multiclassHinge(z, [0, -1]), /label -1/);
  assert.throws(() => multiclassHinge(z, [0]), (e: unknown) => e instanceof ShapeError && /1 labels for 2 samples/.test(e.message));
  assert.throws(() => multiclassHinge(z, [0, 1], { variant: 'ww' as never }), /variant must be/);
});

test('hingeLoss: max(0, 1 − t·z) with ±1 targets; derivative −t inside the margin; bad targets refused', () => {
  const z = tensor([2, 0.5, -1, 1]);
  const t = tensor([1, 1, 1, 1]);
  assertClose(hingeLoss(z, t, { reduction: 'none' }), [0, 0.5, 2, 0], 0);
  assertClose(hingeLoss(z, tensor([-1, -1, 1, -1])), (3 + 1.5 + 2 + 2) / 4, 1e-15);
  // z = 1 with t = 1 sits on the kink: default 0, 'left' gives −t
  assertClose(grad((v: Tensor) => hingeLoss(v, t, { reduction: 'sum' }))(z), [0, -1, -1, 0], 0);
  assertClose(grad((v: Tensor) => hingeLoss(v, t, { reduction: 'sum', kink: 'left' }))(z), [0, -1, -1, -1], 0);
  checkDerivatives((v) => hingeLoss(v, tensor([1, -1, 1])), [tensor([0.3, 0.2, 1.7])]);
  assert.throws(() => hingeLoss(z, tensor([1, 0, 1, 1])), /target 0 at flat index 1 is not −1 or \+1/);
  assert.throws(() => hingeLoss(z, tensor([1, 1])), ShapeError);
});
