/**
 * @file Every primitive of the rule table, checked against independent oracles: JVP and VJP vs
 * 4th-order central finite differences at random smooth points (fast-check, bounded domains,
 * ≤1e-7 relative), and the JVP/VJP dot-product test. The SAMPLES table is a mapped type over
 * `Prim`, so a new primitive without a test case does not compile.
 */
import { test } from 'node:test';
import fc from 'fast-check';
import * as nd from '../src/index.js';
import { Prim, tensor, type Tensor } from '../src/index.js';
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
  [Prim.Abs]: { f: (a) => nd.abs(a), shapes: [[4]], domain: awayFromZero },
  [Prim.Sign]: { f: (a) => nd.mul(nd.sign(a), a), shapes: [[4]], domain: awayFromZero },
  [Prim.Relu]: { f: (a) => nd.relu(a), shapes: [[4]], domain: awayFromZero },
  // b is shifted by 0.3 so that draws never tie
  [Prim.Maximum]: { f: (a, b) => nd.maximum(a, b), shapes: [[3], [3]], domain: (v, i) => (i === 0 ? Math.round(v * 4) / 4 : Math.round(v * 4) / 4 + 0.125) },
  [Prim.Minimum]: { f: (a, b) => nd.minimum(a, b), shapes: [[2, 3], [3]], domain: (v, i) => (i === 0 ? Math.round(v * 4) / 4 : Math.round(v * 4) / 4 + 0.125) },
  [Prim.Compare]: { f: (a, b) => nd.mul(nd.less(a, b), a), shapes: [[3], [3]], domain: (v, i) => (i === 0 ? Math.round(v * 4) / 4 : Math.round(v * 4) / 4 + 0.125) },
  [Prim.Where]: { f: (c, a, b) => nd.where(nd.greater(c, 0), nd.mul(a, a), b), shapes: [[3], [3], [1]], domain: (v, i) => (i === 0 ? awayFromZero(v) : v) },
  [Prim.StopGradient]: { f: (a) => nd.add(nd.stopGradient(nd.mul(a, a)), a), fdReference: (a) => a, shapes: [[3]] },
  [Prim.Sum]: { f: (a) => nd.sum(nd.mul(a, a), [0, 2], true), shapes: [[2, 3, 2]] },
  [Prim.Reshape]: { f: (a) => nd.reshape(nd.mul(a, a), [3, 2]), shapes: [[2, 3]] },
  [Prim.BroadcastTo]: { f: (a) => nd.broadcastTo(nd.exp(a), [2, 3, 2]), shapes: [[3, 1]] },
  [Prim.Transpose]: { f: (a) => nd.transpose(nd.mul(a, a), [2, 0, 1]), shapes: [[2, 3, 4]] },
  [Prim.MatMul]: { f: (a, b) => nd.matmul(a, b), shapes: [[2, 3, 4], [4, 2]] },
  [Prim.Slice]: { f: (a) => nd.slice(nd.mul(a, a), [1, 0], [2, 2]), shapes: [[3, 3]] },
  [Prim.Pad]: { f: (a) => nd.pad(nd.exp(a), [1, 2], [4, 5]), shapes: [[2, 2]] },
  [Prim.Concat]: { f: (a, b) => nd.concat([a, nd.mul(b, b)], 1), shapes: [[2, 1], [2, 3]] },
};

function draws(shapes: number[][]) {
  return fc.tuple(...shapes.map((s) => fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: nd.shapeSize(s), maxLength: nd.shapeSize(s) })));
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
