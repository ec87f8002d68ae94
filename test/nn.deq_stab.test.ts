/**
 * @file DEQ stability tools: weight normalisation of W (fcDeq `weightNorm`, `weightNormalize`),
 * fixed-point correction losses, per-sample stopping in the exact backward, Broyden's line search
 * through `deq`, the per-call invertibility estimate.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { add, sub, mul, matmul, tanh, sum, grad, jvp, rng, tensor, fcDeq, weightNormalize, deqCorrectionLoss, InvalidArgumentError, ShapeError, type Tensor } from '../src/index.js';
import { deq } from '../src/nn/deq/deq.js';
import { checkDotProduct, checkVjpFd, assertClose } from './helpers.js';

test('weightNormalize: columns of norm g, derivatives against finite differences and the dot-product test', () => {
  const V = rng(1).normal([4, 3]), g = tensor([0.5, 1.5, 2]);
  const W = weightNormalize(V, g);
  for (let j = 0; j < 3; j++) {
    let n = 0;
    for (let i = 0; i < 4; i++) n += W.data[i * 3 + j]! ** 2;
    assert.ok(Math.abs(Math.sqrt(n) - g.data[j]!) < 1e-14);
  }
  assertClose(weightNormalize(tensor([[3, 0], [4, 2]]), tensor([1, 5])), [0.6, 0, 0.8, 5], 1e-15);
  const fn = (v: Tensor, gg: Tensor) => weightNormalize(v, gg);
  checkVjpFd(fn, [V, g], { rtol: 1e-7 });
  checkDotProduct(fn, [V, g]);
  // ∂/∂V is orthogonal to V's columns (scale invariance): ⟨∇_V sum(W ⊙ R), V⟩ = 0 per column
  const R = rng(2).normal([4, 3]);
  const gv = grad((v: Tensor) => sum(mul(weightNormalize(v, g), R)))(V);
  for (let j = 0; j < 3; j++) {
    let dot = 0;
    for (let i = 0; i < 4; i++) dot += gv.data[i * 3 + j]! * V.data[i * 3 + j]!;
    assert.ok(Math.abs(dot) < 1e-12, `column ${j}: ${dot}`);
  }
  assert.throws(() => weightNormalize(tensor([[0, 1], [0, 1]]), tensor([1, 1])), (e: Error) => e instanceof InvalidArgumentError && /column 0 of V has norm 0/.test(e.message));
  assert.throws(() => weightNormalize(V, tensor([1, 2])), ShapeError);
});

test('fcDeq weightNorm: initial map unchanged, exact implicit gradient in V and g against finite differences', () => {
  const plain = fcDeq({ width: 5, tol: 1e-13, rtol: 1e-13 });
  const wn = fcDeq({ width: 5, weightNorm: true, tol: 1e-13, rtol: 1e-13 });
  const p0 = plain.init(3, [4]).params, p1 = wn.init(3, [4]).params;
  assert.ok(p1.g && p1.g.shape[0] === 5 && p0.g === undefined);
  const x = rng(4).normal([3, 4]);
  assertClose(wn(x, p1), plain(x, p0), 1e-12, 'same initial fixed point');
  // a different g scales the columns: a different fixed point
  const p2 = { ...p1, g: mul(p1.g!, 1.5) };
  const y = rng(5).normal([3, 5]);
  const loss = (V: Tensor, g: Tensor, b: Tensor) => sum(mul(tanh(wn(x, { ...p2, W: V, g, b: b })), y));
  checkVjpFd(loss, [p2.W, p2.g, add(p2.b, 0.3)], { rtol: 2e-6, atol: 1e-9 });
  assert.throws(() => wn(x, { ...p1, g: undefined }), /weightNorm needs params\.g/);
  assert.throws(() => fcDeq({ width: 5, weightNorm: 1 as unknown as boolean }), /weightNorm must be a boolean/);
  // with spectralBound too: ‖W‖₂ ≤ bound after weight normalisation
  const both = fcDeq({ width: 5, weightNorm: true, spectralBound: 0.5, tol: 1e-12, rtol: 1e-12 });
  const pb = both.init(0, [4]).params;
  both(x, { ...pb, g: mul(pb.g!, 20) });
  assert.equal(both.lastReport!.forward.allConverged, true);
});

// a row-separable map whose contraction factor is set per sample by the first input column
type Q = { W: Tensor; U: Tensor; b: Tensor };
const DIM = 24, IN = 3;
const sel = tensor([[1], [0], [0]]);
const fm = (z: Tensor, x: Tensor, p: Q): Tensor => tanh(add(add(mul(matmul(z, p.W), matmul(x, sel)), matmul(x, p.U)), p.b));
const WQ = (() => {
  // ‖W‖₂ ≈ 1 (normalised by a power-iteration-free bound: the Frobenius norm)
  const W = rng(21).normal([DIM, DIM]);
  let n = 0;
  for (const v of W.data) n += v * v;
  return mul(W, 1 / Math.sqrt(n));
})();
const pq: Q = { W: mul(WQ, 3), U: mul(rng(22).normal([IN, DIM]), 0.5), b: mul(rng(23).normal([DIM]), 0.1) };
/** Mixed difficulty: scales 0.05 (easy) for most samples, 0.9·(1/‖3W‖) (hard) for two. */
function mixedBatch(B: number): Tensor {
  const data = rng(24).normal([B, IN]).data.slice();
  for (let s = 0; s < B; s++) data[s * IN] = s % 8 === 0 ? 0.33 : 0.02;
  return tensor(Array.from({ length: B }, (_, s) => Array.from(data.subarray(s * IN, s * IN + IN))));
}

test('per-sample backward: same gradient as the joint solve, per-sample adjoint status, less work on a mixed batch', () => {
  const x = mixedBatch(16);
  const y = rng(25).normal([16, DIM]);
  const common = { zShape: [DIM], tol: 1e-13, rtol: 1e-13, maxIter: 400, backwardTol: 1e-13 } as const;
  const joint = deq(fm, { ...common, linearSolver: 'lu' });
  const perSample = deq(fm, { ...common, backwardStopping: 'sample' });
  const batchStop = deq(fm, { ...common, backwardStopping: 'batch' });
  const loss = (layer: typeof joint) => (W: Tensor, U: Tensor, xx: Tensor) => sum(mul(layer(xx, { ...pq, W, U }), y));
  const gj = grad(loss(joint), { argnums: [0, 1, 2] })(pq.W, pq.U, x) as Tensor[];
  const gs = grad(loss(perSample), { argnums: [0, 1, 2] })(pq.W, pq.U, x) as Tensor[];
  const gb = grad(loss(batchStop), { argnums: [0, 1, 2] })(pq.W, pq.U, x) as Tensor[];
  for (let i = 0; i < 3; i++) {
    assertClose(gs[i]!, gj[i]!, { rtol: 1e-8, atol: 1e-10 }, `per-sample vs joint, argument ${i}`);
    assertClose(gb[i]!, gj[i]!, { rtol: 1e-8, atol: 1e-10 }, `batch-stopped vs joint, argument ${i}`);
  }
  const rs = perSample.lastReport!, rb = batchStop.lastReport!;
  assert.equal(rs.backwardSamples!.allConverged, true);
  assert.equal(rs.backwardSamples!.iterations.length, 16);
  // the hard samples (0 and 8) need more adjoint iterations than the easy ones
  const it = rs.backwardSamples!.iterations;
  assert.ok(it[0]! > it[1]! && it[8]! > it[9]!, `iterations ${[...it]}`);
  assert.ok(rs.backwardRowWork! < 0.7 * rb.backwardRowWork!, `per-sample work ${rs.backwardRowWork} vs batch-global ${rb.backwardRowWork}`);
  assert.ok(rs.backwardMs! >= 0 && rs.forwardMs >= 0);
  // the joint backward is timed too (by the reverse-mode timers)
  assert.ok(joint.lastReport!.backwardMs !== null && joint.lastReport!.backwardMs >= 0);
});

test('per-sample backward: reverse mode only (forward mode refused naming the option); FD check; options checked', () => {
  const x = mixedBatch(3);
  const layer = deq(fm, { zShape: [DIM], tol: 1e-12, rtol: 1e-12, backwardStopping: 'sample' });
  checkVjpFd((U: Tensor) => sum(tanh(layer(x, { ...pq, U }))), [pq.U], { rtol: 1e-6, atol: 1e-9 });
  assert.throws(() => jvp((U: Tensor) => layer(x, { ...pq, U }), [pq.U], [pq.U]), (e: Error) => e.name === 'ConcretizationError' && /backwardStopping 'sample'/.test(e.message));
  assert.throws(() => deq(fm, { backwardStopping: 'rows' as never }), /backwardStopping must be 'sample' or 'batch'/);
  assert.throws(() => deq(fm, { backwardStopping: 'sample', backward: 'jfb' }), /backwardStopping is for backward 'implicit'/);
});

test('fixed-point correction: snapshots of the forward iterates, 1-step gradients, weights γ^(K+1−k); trains a tiny model', () => {
  const x = mixedBatch(8);
  const layer = deq(fm, { zShape: [DIM], tol: 1e-10, rtol: 1e-10, solver: 'fixed-point', correction: { iterations: [1, 2, 3], gamma: 0.5 } });
  const out = layer.withCorrections(x, pq);
  assert.deepEqual(out.weights, [0.125, 0.25, 0.5]);
  assert.equal(out.corrections.length, 3);
  // with damped-free fixed-point iteration from 0, the iterate at iteration k is f^(k−1)(0), so the k-th term is f^k(0)
  let zk = tensor(new Array(8).fill(0).map(() => new Array(DIM).fill(0)));
  for (let k = 0; k < 3; k++) {
    zk = fm(zk, x, pq);
    assertClose(out.corrections[k]!, zk, 1e-13, `correction ${k}`);
  }
  // gradient of a correction term = the 1-step gradient through f at the (constant) snapshot
  const y = rng(26).normal([8, DIM]);
  const lossOf = (z: Tensor) => sum(mul(z, y));
  const g1 = grad((U: Tensor) => lossOf(layer.withCorrections(x, { ...pq, U }).corrections[1]!))(pq.U);
  const snap = fm(tensor(new Array(8).fill(0).map(() => new Array(DIM).fill(0))), x, pq); // iterate evaluated at iteration 2
  assertClose(g1, grad((U: Tensor) => lossOf(fm(snap, x, { ...pq, U })))(pq.U), 1e-12, '1-step gradient');
  // training a tiny regression with the correction loss lowers the loss of z* and of the early iterates
  const target = mul(rng(27).normal([8, DIM]), 0.3);
  const mse = (z: Tensor) => mul(sum(mul(sub(z, target), sub(z, target))), 1 / (8 * DIM));
  let p = { ...pq, W: mul(pq.W, 0.5) };
  const total = (pp: Q) => deqCorrectionLoss(layer.withCorrections(x, pp), mse);
  const l0 = total(p).item(), e0 = mse(layer.withCorrections(x, p).corrections[0]!).item();
  for (let step = 0; step < 30; step++) {
    const gp = grad(total)(p) as Q;
    p = { W: sub(p.W, mul(gp.W, 0.5)), U: sub(p.U, mul(gp.U, 0.5)), b: sub(p.b, mul(gp.b, 0.5)) };
  }
  const l1 = total(p).item(), e1 = mse(layer.withCorrections(x, p).corrections[0]!).item();
  assert.ok(l1 < 0.7 * l0, `total loss ${l0} → ${l1}`);
  assert.ok(e1 < e0, `first-iterate loss ${e0} → ${e1}`);
  assert.equal(layer.lastReport!.forward.allConverged, true);
  // errors
  assert.throws(() => deq(fm, { zShape: [DIM] }).withCorrections(x, pq), /no correction option/);
  assert.throws(() => deq(fm, { correction: { iterations: [3, 2] } }), /increasing positive iteration numbers/);
  assert.throws(() => deq(fm, { correction: { iterations: [1], gamma: 2 } }), /gamma must be in \(0, 1\]/);
  assert.throws(() => deqCorrectionLoss(out, () => out.z), /scalar Tensor/);
});

test('invertibility every k calls; Broyden line search through deq', () => {
  const x = mixedBatch(4);
  const layer = deq(fm, { zShape: [DIM], invertibility: { every: 3, iterations: 4 } });
  const has: boolean[] = [];
  for (let i = 0; i < 6; i++) {
    layer(x, pq);
    has.push(layer.lastReport!.invertibility !== null);
  }
  assert.deepEqual(has, [true, false, false, true, false, false]);
  const inv = deq(fm, { zShape: [DIM], invertibility: { every: 1, iterations: 12 } });
  inv(x, pq);
  const est = inv.lastReport!.invertibility!;
  assert.ok(est.spectralRadius > 0 && est.spectralRadius <= est.spectralNorm * (1 + 1e-6));
  assert.ok(est.sigmaMinUpperBound >= est.sigmaMinLowerBound);
  assert.throws(() => deq(fm, { invertibility: { every: 0 } }), InvalidArgumentError);
  // σ_min(I − A) of a linear map z·A + x (A symmetric, eigenvalues 0.95, 0.5, −0.3): 0.05, bracketed
  const A = tensor([[0.95, 0, 0], [0, 0.5, 0], [0, 0, -0.3]]);
  const lin = deq((z: Tensor, xx: Tensor, p: Tensor) => add(matmul(z, p), xx), { tol: 1e-12, invertibility: { iterations: 80, warnAbove: 0.999 } });
  lin(rng(31).normal([2, 3]), A);
  const li = lin.lastReport!.invertibility!;
  assert.ok(li.sigmaMinLowerBound <= 0.05 + 1e-9 && li.sigmaMinUpperBound >= 0.05 - 1e-9 && li.sigmaMinUpperBound < 0.06, `[${li.sigmaMinLowerBound}, ${li.sigmaMinUpperBound}]`);
  assert.equal(li.atRisk, false);
  const bl = deq(fm, { zShape: [DIM], solver: 'broyden', lineSearch: true, tol: 1e-10, rtol: 1e-10 });
  bl(x, pq);
  assert.equal(bl.lastReport!.forward.allConverged, true);
  assert.throws(() => deq(fm, { solver: 'anderson', lineSearch: true }), /lineSearch is for method 'broyden'/);
});
