/**
 * @file Tests of the training kernels (src/kernels/adam.ts, activations.ts, the `arith` and
 * `sumRowsKernel` paths of elementwise.ts) against plain TypeScript references on random odd shapes,
 * bit for bit: the fused Adam step and fit()'s in-place optimiser against update + applyUpdates,
 * relu and its masked backward (kink selections of every policy, −0 / NaN / ∞ semantics of the
 * product), the dedicated arithmetic loops against `mapBinary`, the row sums against the generic
 * reduction; and end to end a small MLP's gradient (finite differences, ⟨Jv, w⟩ = ⟨v, Jᵀw⟩) on
 * both kernel backends.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adamStepKernel } from '../src/kernels/adam.js';
import { reluBackwardKernel, reluKernel } from '../src/kernels/activations.js';
import { arith, mapBinary, sumRowsKernel, type ArithOp } from '../src/kernels/elementwise.js';
import { ConcreteTensor, fromData, type Tensor } from '../src/core/tensor.js';
import { adam, adamw, applyUpdates, inPlaceOptimizer, sgd } from '../src/nn/optim.js';
import { kinkMask, relu } from '../src/ops/nonsmooth.js';
import { add, mul } from '../src/ops/arithmetic.js';
import { sum } from '../src/ops/reduce.js';
import { matmul } from '../src/ops/matmul.js';
import { crossEntropy } from '../src/ops/losses.js';
import { grad, jvp, vjp } from '../src/autodiff/transforms.js';
import { policyFor, selectDerivative, type KinkPolicy } from '../src/autodiff/kinks.js';
import { reductionIndexMap } from '../src/ops/reduce.js';
import { seeded } from './fixtures/seeded.js';
import { kernelBackends as backends, onKernelBackend as onBackend } from './helpers.js';

const bitsEqual = (a: Float64Array, b: Float64Array, what: string) => {
  assert.equal(a.length, b.length, `${what}: length`);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) assert.fail(`${what}: entry ${i}: ${a[i]} vs ${b[i]}`);
};

// ---------------------------------------------------------------------------------------------
// Adam

/** The Adam step by its definition (the loop nn/optim.ts used before the kernel). */
function adamReference(g: Float64Array, M: Float64Array, V: Float64Array, W: Float64Array | null, a: number, b1: number, b2: number, k: number, eps: number, wd: number, decoupled: boolean) {
  const c1 = 1 - Math.pow(b1, k + 1);
  const c2 = 1 - Math.pow(b2, k + 1);
  const n = g.length;
  const u = new Float64Array(n), m = new Float64Array(n), v = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const gj = g[j]!;
    const d = W && !decoupled ? gj + wd * W[j]! : gj;
    const mj = b1 * M[j]! + (1 - b1) * d;
    const vj = b2 * V[j]! + (1 - b2) * d * d;
    m[j] = mj;
    v[j] = vj;
    let step = mj / c1 / (Math.sqrt(vj / c2) + eps);
    if (W && decoupled) step += wd * W[j]!;
    u[j] = -a * step;
  }
  return { u, m, v };
}

test('adamStepKernel equals the definition bit for bit (odd sizes, weight decay both ways, in place and out of place)', () => {
  for (const [n, wd, decoupled, k] of [[1, 0, false, 0], [7, 0, false, 3], [33, 0.01, false, 5], [130, 0.1, true, 11], [1001, 0, true, 0]] as const) {
    const g = seeded(n, n), M = seeded(n, n + 1).map(Math.abs), V = seeded(n, n + 2).map((x) => x * x), W = seeded(n, n + 3);
    const ref = adamReference(g, M, V, wd > 0 ? W : null, 1e-3, 0.9, 0.999, k, 1e-8, wd, decoupled);
    const c = { lr: 1e-3, beta1: 0.9, beta2: 0.999, c1: 1 - Math.pow(0.9, k + 1), c2: 1 - Math.pow(0.999, k + 1), eps: 1e-8, weightDecay: wd, decoupled };
    const u = new Float64Array(n), m = new Float64Array(n), v = new Float64Array(n);
    assert.equal(adamStepKernel(g, M, V, W, m, v, u, null, c), true);
    bitsEqual(u, ref.u, `u n=${n}`);
    bitsEqual(m, ref.m, `m n=${n}`);
    bitsEqual(v, ref.v, `v n=${n}`);
    // in place: w ← w + u over the inputs themselves
    const M2 = M.slice(), V2 = V.slice(), W2 = W.slice();
    assert.equal(adamStepKernel(g, M2, V2, W2, M2, V2, W2, W2, c), true);
    bitsEqual(M2, ref.m, 'm in place');
    bitsEqual(V2, ref.v, 'v in place');
    bitsEqual(W2, W.map((w, j) => w + ref.u[j]!), 'w + u in place');
  }
  const g = Float64Array.of(1, Infinity, 2);
  const z = new Float64Array(3);
  assert.equal(adamStepKernel(g, z, z.slice(), null, new Float64Array(3), new Float64Array(3), new Float64Array(3), null, { lr: 1, beta1: 0.9, beta2: 0.999, c1: 0.1, c2: 0.001, eps: 1e-8, weightDecay: 0, decoupled: false }), false);
});

test('inPlaceOptimizer: the same bits as update + applyUpdates over several steps, inputs untouched; null for sgd', () => {
  const shapes = [[5, 3], [3], [1]];
  const leaves = (seed: number): Tensor[] => shapes.map((s, i) => fromData(seeded(s.reduce((a, b) => a * b, 1), seed + i), s));
  for (const opt of [adam({ lr: 1e-2 }), adam({ lr: 1e-2, weightDecay: 0.1 }), adamw({ lr: 1e-2, weightDecay: 0.05 })]) {
    const p0 = leaves(1);
    const snapshot = p0.map((t) => t.data.slice());
    let params = p0;
    let state = opt.init(params);
    const io = inPlaceOptimizer(opt, p0, state)!;
    assert.ok(io, `${opt.name} has an in-place step`);
    for (let s = 0; s < 4; s++) {
      const g = leaves(10 + 7 * s);
      const u = opt.update(g, state, params);
      params = applyUpdates(params, u.updates);
      state = u.state;
      io.step(g);
      params.forEach((t, i) => bitsEqual(io.params[i]!.data, t.data, `${opt.name} params leaf ${i} step ${s}`));
      (state.mu as Tensor[]).forEach((t, i) => bitsEqual(((io.state as typeof state).mu as Tensor[])[i]!.data, t.data, `mu leaf ${i}`));
      (state.nu as Tensor[]).forEach((t, i) => bitsEqual(((io.state as typeof state).nu as Tensor[])[i]!.data, t.data, `nu leaf ${i}`));
      assert.equal(io.state.count, state.count);
      assert.equal(io.state.lr, state.lr);
    }
    p0.forEach((t, i) => bitsEqual(t.data, snapshot[i]!, 'the caller’s params are not mutated'));
  }
  const s = sgd({ lr: 0.1 });
  assert.equal(inPlaceOptimizer(s, leaves(1), s.init(leaves(1))), null);
});

test('adam().update still names a non-finite gradient leaf and entry', () => {
  const opt = adam();
  const p = [fromData(Float64Array.of(1, 2, 3), [3])];
  assert.throws(() => opt.update([fromData(Float64Array.of(1, NaN, 3), [3])], opt.init(p), p), /grads leaf 0 .*non-finite value \(NaN\) at flat index 1, at step 0/);
});

// ---------------------------------------------------------------------------------------------
// relu

test('reluKernel and reluBackwardKernel against the mask reference (odd sizes, zeros, ±0, NaN, ∞ cotangents)', () => {
  for (const n of [1, 3, 17, 256, 1027]) {
    const x = seeded(n, n).map((v, i) => (i % 5 === 0 ? 0 : i % 11 === 0 ? -0 : i % 13 === 0 ? NaN : v));
    const ct = seeded(n, n + 9).map((v, i) => (i % 7 === 0 ? Infinity : i % 9 === 0 ? -Infinity : v));
    const y = new Float64Array(n);
    reluKernel(x, y);
    bitsEqual(y, x.map((v) => (v <= 0 ? 0 : v)), 'relu');
    for (const pol of ['minNorm', 'left', 'right', { kind: 'fixed', t: 0.25 }, { kind: 'random', seed: 3 }] as KinkPolicy[]) {
      const p = policyFor(pol);
      const mask = kinkMask(new ConcreteTensor(x, [n]), 0, 0, 1, p).data;
      const out = new Float64Array(n);
      reluBackwardKernel(x, ct, out, (i) => selectDerivative(p, 0, 1, i));
      bitsEqual(out, ct.map((c, i) => c * mask[i]!), `relu backward n=${n} ${JSON.stringify(pol)}`);
    }
  }
});

test('relu gradient through the op: kink selection at 0 per policy, traced cotangents (second order) still differentiate', () => {
  const x = fromData(Float64Array.of(-2, 0, 0.5, 0, 3), [5]);
  const at = (pol?: KinkPolicy) => grad((t: Tensor) => sum(mul(relu(t, pol === undefined ? undefined : { kink: pol }), fromData(Float64Array.of(1, 2, 3, 4, 5), [5]))))(x).data;
  bitsEqual(at(), Float64Array.of(0, 0, 3, 0, 5), 'default minNorm: relu′(0) = 0');
  bitsEqual(at('right'), Float64Array.of(0, 2, 3, 4, 5), 'right: relu′(0) = 1');
  bitsEqual(at({ kind: 'fixed', t: 0.5 }), Float64Array.of(0, 1, 3, 2, 5), 'fixed t = ½');
  // jvp (concrete tangent: the fused kernel) agrees with vjp: ⟨Jv, w⟩ = ⟨v, Jᵀw⟩
  const v = fromData(seeded(5, 4), [5]), w = fromData(seeded(5, 5), [5]);
  const f = (t: Tensor) => relu(t, { kink: 'right' });
  const jv = jvp(f, [x], [v])[1].data;
  const vjw = vjp(f, x)[1](w)[0].data;
  let lhs = 0, rhs = 0;
  for (let i = 0; i < 5; i++) {
    lhs += jv[i]! * w.data[i]!;
    rhs += v.data[i]! * vjw[i]!;
  }
  assert.ok(Math.abs(lhs - rhs) <= 1e-15 * (1 + Math.abs(lhs)), `${lhs} vs ${rhs}`);
  // second order: d/dx Σ relu(x)·x — the inner cotangent is traced
  const h = grad((t: Tensor) => sum(mul(grad((s: Tensor) => sum(mul(relu(s), s)))(t), t)))(fromData(Float64Array.of(-1, 2), [2])).data;
  // g(x) = relu′(x)·x + relu(x) = 2x for x > 0, 0 for x < 0; Σ g(x)·x = 2x² → 4x; 0 for x < 0
  bitsEqual(h, Float64Array.of(0, 8), 'second order');
});

// ---------------------------------------------------------------------------------------------
// arithmetic loops and row sums

test('arith equals mapBinary bit for bit on equal shapes, bias rows, scalars and other broadcasts', () => {
  const f: Record<ArithOp, (x: number, y: number) => number> = { add: (x, y) => x + y, sub: (x, y) => x - y, mul: (x, y) => x * y, div: (x, y) => x / y };
  const cases: Array<[number[], number[]]> = [
    [[5, 7], [5, 7]], [[13, 9], [9]], [[13, 9], [1, 9]], [[3, 4, 5], [4, 5]], [[3, 4, 5], [5]], [[6, 3], [1]], [[6, 3], []],
    [[4, 3], [4, 1]], [[3], [2, 3]], [[1, 5], [1, 1, 5]], [[0, 4], [4]], [[], []], [[2, 1], [1, 3]],
  ];
  let seed = 1;
  for (const [sa, sb] of cases) {
    const A = new ConcreteTensor(seeded(sa.reduce((x, y) => x * y, 1), seed++), sa);
    const B = new ConcreteTensor(seeded(sb.reduce((x, y) => x * y, 1), seed++).map((v, i) => (i % 4 === 3 ? 0 : v)), sb);
    for (const op of ['add', 'sub', 'mul', 'div'] as ArithOp[]) {
      const got = arith(A, B, op);
      const ref = mapBinary(A, B, f[op], op);
      assert.deepEqual(got.shape, ref.shape, `${op} ${JSON.stringify([sa, sb])} shape`);
      bitsEqual(got.data, ref.data, `${op} ${JSON.stringify([sa, sb])}`);
    }
  }
});

test('sumRowsKernel equals the generic reduction over the leading axes (same summation order)', () => {
  for (const [shape, p] of [[[7, 5], 1], [[3, 4, 5], 2], [[3, 4, 5], 1], [[129, 3], 1], [[1, 1], 1]] as Array<[number[], number]>) {
    const n = shape.reduce((a, b) => a * b, 1);
    const x = seeded(n, n + p);
    const rows = shape.slice(0, p).reduce((a, b) => a * b, 1);
    const m = n / rows;
    const out = new Float64Array(m).fill(7);
    sumRowsKernel(x, rows, m, out);
    const map = reductionIndexMap(shape, Array.from({ length: p }, (_, i) => i));
    const ref = new Float64Array(m);
    for (let i = 0; i < n; i++) ref[map[i]!] += x[i]!;
    bitsEqual(out, ref, `${JSON.stringify(shape)} over ${p} leading axes`);
    bitsEqual(sum(fromData(x, shape), { axis: Array.from({ length: p }, (_, i) => i) }).data, ref, 'sum op');
  }
});

// ---------------------------------------------------------------------------------------------
// end to end, both backends

test('a small MLP loss gradient (matmul, bias, relu, cross-entropy): finite differences and jvp/vjp on both backends', () => {
  const [N, D, H, C] = [9, 7, 5, 3];
  const x = fromData(seeded(N * D, 1), [N, D]);
  const y = Int32Array.from({ length: N }, (_, i) => i % C);
  const loss = (w1: Tensor, b1: Tensor, w2: Tensor) => crossEntropy(matmul(relu(add(matmul(x, w1), b1)), w2), y);
  const w1 = fromData(seeded(D * H, 2), [D, H]), b1 = fromData(seeded(H, 3), [H]), w2 = fromData(seeded(H * C, 4), [H, C]);
  const results: Float64Array[] = [];
  for (const b of backends) {
    onBackend(b, () => {
      const [g1, gb, g2] = grad(loss, { argnums: [0, 1, 2] })(w1, b1, w2);
      results.push(g1.data);
      // central differences on every entry of b1 and a few of w1
      const h = 1e-6;
      for (const [P, G, idx] of [[b1, gb, [0, 1, 2, 3, 4]], [w1, g1, [0, 8, 17, 34]], [w2, g2, [0, 7, 14]]] as Array<[Tensor, Tensor, number[]]>) {
        for (const i of idx) {
          const plus = P.data.slice(), minus = P.data.slice();
          plus[i] += h;
          minus[i] -= h;
          const at = (d: Float64Array) => {
            const T = fromData(d, P.shape.slice());
            return loss(P === w1 ? T : w1, P === b1 ? T : b1, P === w2 ? T : w2).data[0]!;
          };
          const fd = (at(plus) - at(minus)) / (2 * h);
          assert.ok(Math.abs(fd - G.data[i]!) < 1e-7, `${b}: entry ${i}: fd ${fd} vs grad ${G.data[i]}`);
        }
      }
      // ⟨J v, w⟩ = ⟨v, Jᵀ w⟩ for the hidden activations as a function of b1
      const hid = (bb: Tensor) => relu(add(matmul(x, w1), bb));
      const v = fromData(seeded(H, 7), [H]), wct = fromData(seeded(N * H, 8), [N, H]);
      const jv = jvp(hid, [b1], [v])[1].data;
      const vjw = vjp(hid, b1)[1](wct)[0].data;
      let lhs = 0, rhs = 0;
      for (let i = 0; i < jv.length; i++) lhs += jv[i]! * wct.data[i]!;
      for (let i = 0; i < H; i++) rhs += v.data[i]! * vjw[i]!;
      assert.ok(Math.abs(lhs - rhs) < 1e-12, `${b}: ${lhs} vs ${rhs}`);
    });
  }
  if (results.length === 2) for (let i = 0; i < results[0]!.length; i++) assert.ok(Math.abs(results[0]![i]! - results[1]![i]!) < 1e-14);
});
