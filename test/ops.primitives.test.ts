/**
 * @file Every primitive of the rule table, checked against independent oracles: JVP and VJP vs
 * 4th-order central finite differences at random smooth points (fast-check, bounded domains,
 * ≤1e-7 relative), and the JVP/VJP dot-product test. The SAMPLES table is a mapped type over
 * `Prim`, so a new primitive without a test case does not compile.
 */
import { test } from 'node:test';
import fc from 'fast-check';
import * as nd from '../src/index.js';
import { tensor, type Tensor } from '../src/index.js';
import { Prim, shapeSize, conv2dWeightGrad, matmulBias } from '../src/internals.js';
import { checkDerivatives, type Fn } from './helpers.js';

/** A differentiable program exercising one primitive, and the input shapes to draw. */
interface Sample {
  f: Fn;
  shapes: number[][];
  /** Map raw draws (in [-2, 2]) into the primitive's smooth domain, away from kinks. */
  domain?: (v: number, argIndex: number) => number;
  /** Override the FD relative tolerance (default 1e-7). */
  rtol?: number;
  /**
   * For primitives whose derivative deliberately differs from the function's variation
   * (stopGradient): the function whose finite differences give the expected derivative.
   */
  fdReference?: Fn;
}

const awayFromZero = (v: number) => (v >= 0 ? v + 0.5 : v - 0.5);
const positive = (v: number) => Math.abs(v) + 0.2;
// --- nonsmooth extras (clip, softThreshold, hinge, reductions, pooling): keep ≥ 0.3 from kinks
/** [-2, 2] → (−0.7, 0.7) ∪ [1.3, 2.3] ∪ mirrored: ≥ 0.3 away from the clip bounds ±1. */
const awayFromUnit = (v: number) => (Math.abs(v) < 1 ? 0.7 * v : Math.sign(v) * (Math.abs(v) + 0.3));
/** Even integers plus jitter in [−0.05, 0.05]; with offsets ≥ 0.4 apart (mod 2) no two entries come within 0.3. */
const evenJitter = (v: number) => 2 * Math.round(v / 2) + 0.05 * (v - 2 * Math.round(v / 2));
const OFF4 = tensor([0, 0.4, 0.8, 1.2]);
const OFF4_3D = tensor([[[0, 0.4]], [[0.8, 1.2]]]);
const OFF4_COL = tensor([[0], [0.4], [0.8], [1.2]]);
const OFF_L7 = tensor([0, 0.5, 1, 1.5, 0, 0.5, 1]);
const OFF_HW = tensor(Array.from({ length: 4 }, (_, h) => Array.from({ length: 5 }, (_, w) => 0.5 * w + h)));
// --- linear algebra: entries scaled into [−0.6, 0.6] plus a multiple of I (diagonally dominant, well conditioned)
const I3 = nd.eye(3);
const small = (v: number) => 0.3 * v;

export const SAMPLES: { [P in Prim]: Sample } = {
  [Prim.Add]: { f: (a, b) => nd.add(a, b), shapes: [[2, 3], [3]] },
  [Prim.Sub]: { f: (a, b) => nd.sub(a, b), shapes: [[3], [2, 3]] },
  [Prim.Mul]: { f: (a, b) => nd.mul(a, b), shapes: [[2, 1], [1, 3]] },
  [Prim.Div]: { f: (a, b) => nd.div(a, b), shapes: [[2, 3], [3]], domain: (v, i) => (i === 1 ? awayFromZero(v) : v) },
  [Prim.Neg]: { f: (a) => nd.neg(a), shapes: [[4]] },
  [Prim.Pow]: { f: (a, b) => nd.pow(a, b), shapes: [[3], [3]], domain: (v, i) => (i === 0 ? positive(v) : v) },
  [Prim.Exp]: { f: (a) => nd.exp(a), shapes: [[2, 2]] },
  [Prim.Log]: { f: (a) => nd.log(a), shapes: [[3]], domain: positive },
  [Prim.Sqrt]: { f: (a) => nd.sqrt(a), shapes: [[3]], domain: positive },
  [Prim.Tanh]: { f: (a) => nd.tanh(a), shapes: [[3]] },
  [Prim.Sigmoid]: { f: (a) => nd.sigmoid(a), shapes: [[3]] },
  [Prim.Softplus]: { f: (a) => nd.softplus(a), shapes: [[3]] },
  [Prim.Sin]: { f: (a) => nd.sin(a), shapes: [[3]] },
  [Prim.Cos]: { f: (a) => nd.cos(a), shapes: [[3]] },
  [Prim.Erf]: { f: (a) => nd.erf(a), shapes: [[3]] },
  [Prim.Abs]: { f: (a) => nd.abs(a), shapes: [[4]], domain: awayFromZero },
  [Prim.Sign]: { f: (a) => nd.mul(nd.sign(a), a), shapes: [[4]], domain: awayFromZero },
  [Prim.Relu]: { f: (a) => nd.relu(a), shapes: [[4]], domain: awayFromZero },
  // b is shifted by 0.3 so that draws never tie
  [Prim.Maximum]: { f: (a, b) => nd.maximum(a, b), shapes: [[3], [3]], domain: (v, i) => (i === 0 ? Math.round(v * 4) / 4 : Math.round(v * 4) / 4 + 0.125) },
  [Prim.Minimum]: { f: (a, b) => nd.minimum(a, b), shapes: [[2, 3], [3]], domain: (v, i) => (i === 0 ? Math.round(v * 4) / 4 : Math.round(v * 4) / 4 + 0.125) },
  [Prim.Clip]: { f: (a) => nd.mul(nd.clip(a, -1, 1), a), shapes: [[5]], domain: awayFromUnit },
  // |x| ≤ 0.1 or |x| ≥ 1.1 against λ ∈ [0.4, 0.8]: ||x| − λ| ≥ 0.3; λ broadcast over rows
  [Prim.SoftThreshold]: { f: (x, l) => nd.softThreshold(x, l), shapes: [[2, 3], [3]], domain: (v, i) => (i === 0 ? (Math.abs(v) < 1 ? 0.1 * v : Math.sign(v) * (Math.abs(v) + 0.1)) : 0.6 + 0.1 * v) },
  [Prim.Hinge]: { f: (a) => nd.hinge(a), shapes: [[4]], domain: (v) => (v >= 0 ? v + 1.3 : v + 0.7) },
  [Prim.Max]: { f: (a) => nd.max(nd.add(a, OFF4_3D), { axis: [0, 2], keepdims: true }), shapes: [[2, 3, 2]], domain: evenJitter },
  [Prim.Min]: { f: (a) => nd.min(nd.add(a, OFF4), { axis: 1 }), shapes: [[3, 4]], domain: evenJitter },
  [Prim.Argmax]: { f: (a) => nd.mul(nd.argmax(nd.add(a, OFF4), { axis: 1, keepdims: true }), a), shapes: [[2, 4]], domain: evenJitter },
  [Prim.Argmin]: { f: (a) => nd.mul(nd.argmin(nd.add(a, OFF4_COL), { axis: 0 }), a), shapes: [[4, 2]], domain: evenJitter },
  [Prim.Norm2]: { f: (a) => nd.mul(nd.norm(a, { axis: [0, 2], keepdims: true }), a), shapes: [[2, 3, 2]], domain: awayFromZero },
  [Prim.MaxPool1d]: { f: (a) => nd.maxPool1d(nd.add(a, OFF_L7), { kernel: 3, stride: 2, padding: 1 }), shapes: [[2, 7]], domain: evenJitter },
  [Prim.MaxPool2d]: { f: (a) => nd.maxPool2d(nd.add(a, OFF_HW), { kernel: [2, 2], stride: [1, 2], padding: [1, 1] }), shapes: [[2, 4, 5]], domain: evenJitter },
  [Prim.WeightedGather]: { f: (a) => nd.weightedGather(nd.mul(a, a), [0, 0, 1, 2, 3, 3], [0, 5, 1, 2, 3, 3], [1, -0.5, 2, 0.3, 1, 0.25], [2, 2]), shapes: [[3, 2]] },
  // odd sizes, stride, padding and dilation; the square makes second-order terms non-trivial
  [Prim.Conv2d]: { f: (x, w) => nd.conv2d(nd.mul(x, x), w, { stride: [2, 1], padding: [1, 0], dilation: [1, 2] }), shapes: [[2, 2, 5, 6], [3, 2, 2, 2]] },
  [Prim.Conv2dTranspose]: { f: (y, w) => nd.conv2dTranspose(nd.mul(y, y), w, { stride: 2, padding: 1, outputPadding: [1, 0] }), shapes: [[2, 3, 3, 2], [3, 2, 3, 2]] },
  [Prim.Conv2dWeightGrad]: { f: (x, c) => conv2dWeightGrad(nd.mul(x, x), c, { kernel: [2, 3], stride: [1, 2], padding: 1 }), shapes: [[2, 2, 4, 5], [2, 3, 5, 3]] },
  [Prim.Compare]: { f: (a, b) => nd.mul(nd.less(a, b), a), shapes: [[3], [3]], domain: (v, i) => (i === 0 ? Math.round(v * 4) / 4 : Math.round(v * 4) / 4 + 0.125) },
  [Prim.Where]: { f: (c, a, b) => nd.where(nd.greater(c, 0), nd.mul(a, a), b), shapes: [[3], [3], [1]], domain: (v, i) => (i === 0 ? awayFromZero(v) : v) },
  [Prim.StopGradient]: { f: (a) => nd.add(nd.stopGradient(nd.mul(a, a)), a), fdReference: (a) => a, shapes: [[3]] },
  [Prim.Sum]: { f: (a) => nd.sum(nd.mul(a, a), { axis: [0, 2], keepdims: true }), shapes: [[2, 3, 2]] },
  [Prim.Reshape]: { f: (a) => nd.reshape(nd.mul(a, a), [3, 2]), shapes: [[2, 3]] },
  [Prim.BroadcastTo]: { f: (a) => nd.broadcastTo(nd.exp(a), [2, 3, 2]), shapes: [[3, 1]] },
  [Prim.Transpose]: { f: (a) => nd.transpose(nd.mul(a, a), { axes: [2, 0, 1] }), shapes: [[2, 3, 4]] },
  [Prim.MatMulBias]: { f: (a, b, c) => matmulBias(a, b, c), shapes: [[2, 3], [3, 4], [4]] },
  [Prim.SoftmaxCrossEntropy]: { f: (a, p) => nd.crossEntropy(a, p, { labelSmoothing: 0.1, reduction: 'none' }), shapes: [[2, 3], [2, 3]] },
  [Prim.MatMul]: {
    // batched, and every transpose-flag combination in one program
    f: (a, b) => nd.stack([nd.sum(nd.matmul(a, b)), nd.sum(nd.matmul(b, a, { transA: true, transB: true })), nd.sum(nd.matmul(nd.matmul(a, b), b, { transB: true })), nd.sum(nd.matmul(a, nd.matmul(a, b), { transA: true }))]),
    shapes: [[2, 3, 4], [4, 3]],
  },
  [Prim.Slice]: { f: (a) => nd.slice(nd.mul(a, a), [1, 0], [2, 2]), shapes: [[3, 3]] },
  [Prim.Pad]: { f: (a) => nd.pad(nd.exp(a), [1, 2], [4, 5]), shapes: [[2, 2]] },
  [Prim.Concat]: { f: (a, b) => nd.concat([a, nd.mul(b, b)], { axis: 1 }), shapes: [[2, 1], [2, 3]] },
  // repeated and negative indices; the square makes second-order terms non-trivial
  [Prim.Take]: { f: (a) => nd.take(nd.mul(a, a), [2, 0, 2, -1], { axis: 1 }), shapes: [[2, 3, 2]] },
  // duplicate indices accumulate; index 2 receives nothing
  [Prim.ScatterAdd]: { f: (u) => nd.scatterAdd(nd.exp(u), [1, 3, 1, 0], { axis: 1, dimSize: 4 }), shapes: [[2, 4]] },
  [Prim.Cumsum]: { f: (a) => nd.add(nd.cumsum(nd.mul(a, a), { axis: 1 }), nd.cumsum(a, { axis: 0, reverse: true })), shapes: [[2, 3, 2]] },
  [Prim.Solve]: { f: (a, b) => nd.linalg.solve(nd.add(a, nd.mul(I3, 3)), b), shapes: [[3, 3], [3, 2]], domain: (v, i) => (i === 0 ? small(v) : v) },
  // entries outside the read triangle (and a random lower part) must get zero derivative
  [Prim.TriangularSolve]: { f: (t, b) => nd.linalg.triangularSolve(nd.add(t, nd.mul(I3, 2)), b, { lower: false, transpose: true }), shapes: [[3, 3], [3, 2]], domain: (v, i) => (i === 0 ? small(v) : v) },
  // symmetric positive definite input B·Bᵀ + 3I
  [Prim.Cholesky]: { f: (a) => nd.linalg.cholesky(nd.add(nd.matmul(a, nd.matrixTranspose(a)), nd.mul(I3, 3))), shapes: [[3, 3]], domain: (v) => 0.5 * v },
};

function draws(shapes: number[][]) {
  return fc.tuple(...shapes.map((s) => fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: shapeSize(s), maxLength: shapeSize(s) })));
}

for (const prim of Object.values(Prim)) {
  const sample = SAMPLES[prim];
  test(`primitive ${prim}: JVP and VJP vs finite differences, dot-product test`, () => {
    fc.assert(
      fc.property(draws(sample.shapes), (raw) => {
        const inputs: Tensor[] = raw.map((vals, i) => tensor(vals.map((v) => (sample.domain ? sample.domain(v, i) : v)), sample.shapes[i]!));
        checkDerivatives(sample.f, inputs, { rtol: sample.rtol ?? 1e-7, fdReference: sample.fdReference });
      }),
      { numRuns: 25, seed: 42 },
    );
  });
}
