/**
 * @file The `nn` layers, initialisers and activation ops: values against hand computations,
 * derivatives in parameters and inputs against central finite differences and the JVP/VJP
 * dot-product test, kink selections of the nonsmooth activations at exactly 0, dropout masks,
 * batch-norm running statistics (PyTorch's formulas), embedding lookups, shape errors that name the
 * layer and both shapes, and sequential composition.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  add, erf, elu, gelu, grad, leakyRelu, matmul, mean, mul, nn, ones, rng, sum, tensor, tanh, vjp, zeros,
  crossEntropy, sliceAxis, ConcretizationError, InvalidArgumentError, ShapeError, type Tensor, type KinkPolicy,
} from '../src/index.js';
import { assertClose, checkDerivatives } from './helpers.js';

const N = (seed: number, ...shape: number[]): Tensor => rng(seed).normal(shape);
const stdOf = (t: Tensor): number => {
  const d = t.data;
  const m = d.reduce((a, b) => a + b, 0) / d.length;
  return Math.sqrt(d.reduce((a, b) => a + (b - m) ** 2, 0) / d.length);
};

// ---------------------------------------------------------------------------------------------
// initialisers

test('initialisers: He/Glorot/torchDefault standard deviations and bounds, deterministic per key', () => {
  const shape = [400, 100];
  const cases: [string, nn.Initializer, number, number | null][] = [
    ['heUniform', nn.heUniform, Math.sqrt(2 / 400), Math.sqrt(6 / 400)],
    ['heNormal', nn.heNormal, Math.sqrt(2 / 400), null],
    ['glorotUniform', nn.glorotUniform, Math.sqrt(2 / 500), Math.sqrt(6 / 500)],
    ['glorotNormal', nn.glorotNormal, Math.sqrt(2 / 500), null],
    ['torchDefault', nn.torchDefault, 1 / Math.sqrt(3 * 400), 1 / Math.sqrt(400)],
  ];
  for (const [name, init, sd, bound] of cases) {
    const w = init(7, shape);
    assert.deepEqual(w.shape, shape);
    assert.ok(Math.abs(stdOf(w) / sd - 1) < 0.02, `${name}: std ${stdOf(w)} vs ${sd}`);
    if (bound !== null) assert.ok(w.data.every((v) => Math.abs(v) <= bound), `${name}: within ±${bound}`);
    assert.deepEqual(init(7, shape).data, w.data, `${name}: same key, same tensor`);
    assert.notDeepEqual(init(8, shape).data.slice(0, 5), w.data.slice(0, 5), `${name}: another key, another tensor`);
  }
  // explicit fans for other shapes; a 4-D kernel without fans is refused
  assert.ok(Math.abs(stdOf(nn.heNormal(1, [16, 3, 5, 5], { fanIn: 75, fanOut: 400 })) / Math.sqrt(2 / 75) - 1) < 0.05);
  assert.throws(() => nn.heNormal(1, [16, 3, 5, 5]), /cannot infer fanIn from shape \[16, 3, 5, 5\]/);
  assert.throws(() => nn.heNormal(1, [3, 3], { fanIn: 0 }), /fanIn must be a positive integer/);
  assert.deepEqual(nn.zeros(0, [2]).toArray(), [0, 0]);
  assert.deepEqual(nn.ones(0, [2]).toArray(), [1, 1]);
  assert.ok(Math.abs(stdOf(nn.normal({ std: 0.02 })(3, [200, 50])) / 0.02 - 1) < 0.03);
});

// ---------------------------------------------------------------------------------------------
// linear, flatten

test('linear: y = x·W + b, shapes, params from init, derivatives in x, W, b', () => {
  const layer = nn.linear(3);
  const { params, state, outputShape } = layer.init(0, [4]);
  assert.deepEqual(params.w.shape, [4, 3]);
  assert.deepEqual(params.b!.shape, [3]);
  assert.deepEqual(outputShape, [3]);
  assert.equal(state, null);
  assert.ok(params.w.data.every((v) => Math.abs(v) <= 0.5), 'torchDefault: U(±1/√4)');
  const x = N(1, 2, 4);
  assertClose(layer.apply(params, x), add(matmul(x, params.w), params.b!), 1e-15);
  const f = (xx: Tensor, w: Tensor, b: Tensor): Tensor => layer.apply({ w, b }, xx);
  checkDerivatives(f, [x, params.w, params.b!]);
  // [batch, …, in] inputs act on the last axis
  const x3 = N(2, 2, 5, 4);
  const y3 = layer.apply(params, x3);
  assert.deepEqual(y3.shape, [2, 5, 3]);
  assertClose(y3, add(matmul(x3, params.w), params.b!), 1e-15);
  checkDerivatives((xx: Tensor, w: Tensor) => layer.apply({ w, b: params.b }, xx), [x3, params.w]);
  // no bias, custom initialiser
  const nb = nn.linear(2, { useBias: false, kernelInit: nn.ones });
  const p2 = nb.init(0, [3]).params;
  assert.equal(p2.b, undefined);
  assert.deepEqual(nb.apply(p2, tensor([[1, 2, 3]])).toArray(), [[6, 6]]);
});

test('linear: a wrong input shape names the layer and both shapes; bad options are refused', () => {
  const layer = nn.linear(3);
  const { params } = layer.init(0, [4]);
  assert.throws(() => layer.apply(params, zeros([2, 5])), (e: unknown) => e instanceof ShapeError && /linear\(3\)/.test(e.message) && /\[batch, …, 4\]/.test(e.message) && /\[2, 5\]/.test(e.message));
  assert.throws(() => layer.apply(params, zeros([])), (e: unknown) => e instanceof ShapeError && /linear\(3\)/.test(e.message));
  assert.throws(() => nn.linear(0), /units must be an integer ≥ 1/);
  assert.throws(() => nn.linear(2, { bias: false } as never), /unknown option 'bias'/);
});

test('flatten: [batch, d1, d2] → [batch, d1·d2]', () => {
  const f = nn.flatten();
  assert.deepEqual(f.init(0, [2, 3]).outputShape, [6]);
  const x = N(3, 4, 2, 3);
  const y = f.apply({}, x);
  assert.deepEqual(y.shape, [4, 6]);
  assert.deepEqual(y.data, x.data);
});

// ---------------------------------------------------------------------------------------------
// activation ops and layers

test('erf and gelu: reference values; derivatives by finite differences', () => {
  // erf: scipy.special.erf / Python math.erf
  assertClose(erf(tensor([-3.2, -0.3, 0, 0.5, 1, 2, 4, 7])), [-0.9999939742388483, -0.3286267594591274, 0, 0.5204998778130465, 0.8427007929497149, 0.9953222650189527, 0.9999999845827421, 1], 3e-15);
  // gelu exact: x Φ(x); tanh approximation: PyTorch's formula
  assertClose(gelu(tensor([-1, 0, 1, 2])), [-0.15865525393145707, 0, 0.8413447460685429, 1.9544997361036416], 1e-14);
  assertClose(gelu(tensor([-1, 1]), { approximate: 'tanh' }), [-0.15880800939172324, 0.8411919906082768], 1e-14);
  const x = tensor([-2.5, -0.7, 0.1, 1.3, 3.5]);
  checkDerivatives((v) => erf(v), [x]);
  checkDerivatives((v) => gelu(v), [x]);
  checkDerivatives((v) => gelu(v, { approximate: 'tanh' }), [x]);
  // second derivative of erf: −2x · 2/√π e^{−x²}
  const d2 = grad((v: Tensor) => sum(grad((u: Tensor) => sum(erf(u)))(v)))(tensor([0.5]));
  assertClose(d2, [-2 * 0.5 * (2 / Math.sqrt(Math.PI)) * Math.exp(-0.25)], 1e-14);
  assert.throws(() => gelu(x, { approximate: 'fast' as never }), /approximate must be 'none' or 'tanh'/);
});

test('leakyRelu and elu: values, derivatives away from 0, Clarke selection at 0 under each policy', () => {
  const x = tensor([-2, -0.5, 0.5, 3]);
  assertClose(leakyRelu(x, { slope: 0.1 }), [-0.2, -0.05, 0.5, 3], 1e-15);
  assertClose(elu(x, { alpha: 0.5 }), [0.5 * (Math.exp(-2) - 1), 0.5 * (Math.exp(-0.5) - 1), 0.5, 3], 1e-15);
  checkDerivatives((v) => leakyRelu(v, { slope: 0.1 }), [x]);
  checkDerivatives((v) => elu(v, { alpha: 0.5 }), [x]);
  const at0 = (f: (v: Tensor) => Tensor): number => grad((v: Tensor) => sum(f(v)))(tensor([0])).item();
  // [slope, 1] and [α, 1]: minNorm/left give the left end, right gives 1, fixed t interpolates
  const cases: [KinkPolicy, number, number][] = [['minNorm', 0.1, 0.5], ['left', 0.1, 0.5], ['right', 1, 1], [{ kind: 'fixed', t: 0.5 }, 0.55, 0.75]];
  for (const [kink, lr, el] of cases) {
    assertClose(at0((v) => leakyRelu(v, { slope: 0.1, kink })), lr, 1e-15, `leakyRelu'(0) under ${JSON.stringify(kink)}`);
    assertClose(at0((v) => elu(v, { alpha: 0.5, kink })), el, 1e-15, `elu'(0) under ${JSON.stringify(kink)}`);
  }
  // α = 1: elu is C¹, every policy gives 1 (no artificial critical point)
  for (const kink of ['minNorm', 'left', 'right'] as const) assert.equal(at0((v) => elu(v, { kink })), 1);
  assert.throws(() => elu(x, { alpha: 0 }), /alpha must be > 0/);
});

test('activation layers: values and the documented kink selection at exactly 0 (and at clip bounds, ±λ)', () => {
  const x = tensor([[-1.5, 0, 0.5, 2]]);
  const apply = (l: nn.Layer, v: Tensor = x): Tensor => l.apply(l.init(0, [v.shape[1]!]).params, v);
  const g = (l: nn.Layer, v: Tensor): number[] => grad((u: Tensor) => sum(apply(l, u)))(v).toArray() as number[];
  assertClose(apply(nn.relu()), [0, 0, 0.5, 2]);
  assertClose(apply(nn.abs()), [1.5, 0, 0.5, 2]);
  assertClose(apply(nn.hardtanh()), [-1, 0, 0.5, 1]);
  assertClose(apply(nn.clip({ min: 0, max: 1 })), [0, 0, 0.5, 1]);
  assertClose(apply(nn.softThreshold({ lambda: 0.5 })), [-1, 0, 0, 1.5]);
  assertClose(apply(nn.tanh()), tanh(x));
  assertClose(apply(nn.sigmoid()), [1 / (1 + Math.exp(1.5)), 0.5, 1 / (1 + Math.exp(-0.5)), 1 / (1 + Math.exp(-2))], 1e-15);
  assertClose(apply(nn.softplus()), [Math.log1p(Math.exp(-1.5)), Math.log(2), Math.log1p(Math.exp(0.5)), Math.log1p(Math.exp(2))], 1e-15);
  assertClose(apply(nn.gelu()), gelu(x));
  assertClose(apply(nn.elu()), elu(x));
  assertClose(apply(nn.leakyRelu()), leakyRelu(x));
  const z = tensor([[0, 0]]);
  assert.deepEqual(g(nn.relu(), z), [[0, 0]]);
  assert.deepEqual(g(nn.relu({ kink: 'right' }), z), [[1, 1]]);
  assert.deepEqual(g(nn.abs(), z), [[0, 0]]);
  assert.deepEqual(g(nn.abs({ kink: 'left' }), z), [[-1, -1]]);
  assertClose(g(nn.leakyRelu({ slope: 0.2 }), z).flat(), [0.2, 0.2]);
  assert.deepEqual(g(nn.elu({ alpha: 0.3, kink: 'right' }), z), [[1, 1]]);
  // hardtanh / clip at the bounds: 0 by default, 'right' gives 1 at min and 0 at max
  const b = tensor([[-1, 1]]);
  assert.deepEqual(g(nn.hardtanh(), b), [[0, 0]]);
  assert.deepEqual(g(nn.hardtanh({ kink: 'right' }), b), [[1, 0]]);
  assert.deepEqual(g(nn.hardtanh({ kink: 'left' }), b), [[0, 1]]);
  // softThreshold at ±λ: 0 by default
  assert.deepEqual(g(nn.softThreshold({ lambda: 1 }), b), [[0, 0]]);
  assert.deepEqual(g(nn.softThreshold({ lambda: 1, kink: 'left' }), b), [[1, 0]]);
  // derivatives away from kinks
  const s = tensor([[-1.7, -0.4, 0.3, 1.9]]);
  for (const l of [nn.relu(), nn.abs(), nn.leakyRelu({ slope: 0.3 }), nn.elu({ alpha: 2 }), nn.gelu(), nn.tanh(), nn.sigmoid(), nn.softplus(), nn.hardtanh({ min: -1, max: 1 }), nn.softThreshold({ lambda: 0.2 })]) {
    checkDerivatives((v) => apply(l, v), [s]);
  }
  assert.throws(() => nn.hardtanh({ min: 1, max: -1 }), /needs min < max/);
  assert.throws(() => nn.clip({ min: 0 } as never), /min and max are required/);
  assert.throws(() => nn.softThreshold({ lambda: -1 }), /lambda must be a finite number ≥ 0/);
});

// ---------------------------------------------------------------------------------------------
// dropout

test('dropout: identity in eval, inverted scaling in train, same key same mask, mean preserved, gradient = mask', () => {
  const d = nn.dropout({ rate: 0.25 });
  const x = N(4, 3, 5);
  assert.equal(d.apply({}, x), x, 'eval: identity');
  assert.throws(() => d.forward({}, null, x, { train: true }), (e: unknown) => e instanceof InvalidArgumentError && /dropout\(0\.25\): training mode needs ctx\.key/.test(e.message));
  const y1 = d.forward({}, null, x, { train: true, key: 11 }).y;
  const y2 = d.forward({}, null, x, { train: true, key: 11 }).y;
  const y3 = d.forward({}, null, x, { train: true, key: 12 }).y;
  assert.deepEqual(y1.data, y2.data);
  assert.notDeepEqual(y1.data, y3.data);
  for (let i = 0; i < x.size; i++) assert.ok(y1.data[i] === 0 || Math.abs(y1.data[i]! - x.data[i]! / 0.75) < 1e-15);
  // E[y] = x: on 40 000 ones the mean is 1 ± 4σ, σ = √(r/(1−r)/n)
  const big = d.forward({}, null, ones([200, 200]), { train: true, key: 3 }).y;
  const m = mean(big).item();
  assert.ok(Math.abs(m - 1) < 4 * Math.sqrt(0.25 / 0.75 / 40000), `mean ${m}`);
  const kept = big.data.filter((v) => v !== 0).length / big.size;
  assert.ok(Math.abs(kept - 0.75) < 0.01, `kept fraction ${kept}`);
  // derivative is the mask
  const gx = grad((v: Tensor) => sum(d.forward({}, null, v, { train: true, key: 11 }).y))(x);
  for (let i = 0; i < x.size; i++) assert.equal(gx.data[i], y1.data[i] === 0 ? 0 : 1 / 0.75);
  // in a sequential model, children draw from folded keys; rate 0 is the identity
  assert.equal(nn.dropout({ rate: 0 }).forward({}, null, x, { train: true }).y, x);
  assert.throws(() => nn.dropout({ rate: 1 }), /rate must be a number in \[0, 1\)/);
});

// ---------------------------------------------------------------------------------------------
// normalisation

test('layerNorm: (x − mean)/√(var + ε)·γ + β over the last axis; derivatives in x, γ, β', () => {
  const ln = nn.layerNorm();
  const { params } = ln.init(0, [3]);
  assertClose(ln.apply(params, tensor([[1, 2, 3], [0, 0, 6]])), [
    [-1 / Math.sqrt(2 / 3 + 1e-5), 0, 1 / Math.sqrt(2 / 3 + 1e-5)],
    [-2 / Math.sqrt(8 + 1e-5), -2 / Math.sqrt(8 + 1e-5), 4 / Math.sqrt(8 + 1e-5)],
  ].flat(), 1e-14);
  const x = N(5, 2, 4, 3);
  checkDerivatives((v, g, b) => ln.apply({ gamma: g, beta: b }, v), [x, N(6, 3), N(7, 3)]);
  const plain = nn.layerNorm({ affine: false });
  assert.deepEqual(plain.init(0, [3]).params, {});
  assert.throws(() => ln.apply(params, zeros([2, 4])), (e: unknown) => e instanceof ShapeError && /layerNorm/.test(e.message) && /expected input \[batch, 3\]/.test(e.message) && /got \[2, 4\]/.test(e.message));
});

test('batchNorm: batch statistics in train, running statistics (PyTorch momentum, unbiased var) in eval', () => {
  const bn = nn.batchNorm({ momentum: 0.1 });
  const { params, state } = bn.init(0, [2]);
  assert.deepEqual(state.mean.toArray(), [0, 0]);
  assert.deepEqual(state.var.toArray(), [1, 1]);
  const x = tensor([[1, 2], [3, 6], [5, 4]]);
  const { y, state: s1 } = bn.forward(params, state, x, { train: true });
  // channel 0: mean 3, biased var 8/3, unbiased 4; channel 1: mean 4, biased var 8/3, unbiased 4
  const sd = Math.sqrt(8 / 3 + 1e-5);
  assertClose(y, [-2 / sd, -2 / sd, 0, 2 / sd, 2 / sd, 0], 1e-14);
  // PyTorch 1.13 BatchNorm1d(2) in train mode on the same batch: output and running statistics
  assertClose(y, [-1.224742575001414, -1.2247425750014138, -1.1102230246251565e-16, 1.2247425750014138, 1.2247425750014136, 0], { atol: 1e-15 });
  assertClose(s1.mean, [0.30000000000000004, 0.4], 1e-15);
  assertClose(s1.var, [1.3, 1.3], 1e-15);
  assertClose(s1.mean, [0.3, 0.4], 1e-15);
  assertClose(s1.var, [0.9 + 0.4, 0.9 + 0.4], 1e-15);
  assert.deepEqual(state.mean.toArray(), [0, 0], 'input state not mutated');
  // a second step: running averages continue
  const x2 = tensor([[0, 0], [2, 2]]);
  const s2 = bn.forward(params, s1, x2, { train: true }).state;
  assertClose(s2.mean, [0.9 * 0.3 + 0.1 * 1, 0.9 * 0.4 + 0.1 * 1], 1e-15);
  assertClose(s2.var, [0.9 * 1.3 + 0.1 * 2, 0.9 * 1.3 + 0.1 * 2], 1e-15);
  // eval: running statistics, state unchanged
  const ev = bn.forward(params, s2, x2);
  assert.equal(ev.state, s2);
  assertClose(ev.y, [[0, 0], [2, 2]].flatMap((r) => r.map((v, j) => (v - s2.mean.data[j]!) / Math.sqrt(s2.var.data[j]! + 1e-5))), 1e-14);
  assertClose(bn.apply(params, x2, { state: s2 }), ev.y, 0);
  // [batch, C, H, W]: statistics per channel over batch and space; derivatives through the statistics
  const bn2 = nn.batchNorm();
  const init2 = bn2.init(0, [3, 2, 2]);
  const x4 = N(8, 2, 3, 2, 2);
  const y4 = bn2.forward(init2.params, init2.state, x4, { train: true }).y;
  for (let c = 0; c < 3; c++) {
    const vals: number[] = [];
    for (let b = 0; b < 2; b++) for (let k = 0; k < 4; k++) vals.push(y4.data[b * 12 + c * 4 + k]!);
    assertClose(vals.reduce((a, v) => a + v, 0) / 8, 0, { atol: 1e-14 }, `channel ${c} mean`);
  }
  checkDerivatives((v, g, b) => bn2.forward({ gamma: g, beta: b }, init2.state, v, { train: true }).y, [x4, N(9, 3), N(10, 3)]);
  checkDerivatives((v, g) => bn2.forward({ gamma: g, beta: init2.params!.beta }, init2.state, v).y, [x4, N(9, 3)]);
  assert.throws(() => bn.forward(params, state, tensor([[1, 2]]), { train: true }), /more than one value per channel/);
  assert.throws(() => bn.forward(params, state, zeros([4, 3])), (e: unknown) => e instanceof ShapeError && /batchNorm/.test(e.message) && /\[4, 3\]/.test(e.message));
  assert.throws(() => nn.batchNorm({ momentum: 2 }), /momentum must be a number in \[0, 1\]/);
});

// ---------------------------------------------------------------------------------------------
// embedding

test('embedding: rows of the table, gradient scatters to the looked-up rows, index errors name the layer', () => {
  const emb = nn.embedding(5, 3);
  const { params, outputShape } = emb.init(0, [2]);
  assert.deepEqual(outputShape, [2, 3]);
  assert.deepEqual(params.table.shape, [5, 3]);
  const idx = tensor([[1, 4], [1, 0]]);
  const y = emb.apply(params, idx);
  assert.deepEqual(y.shape, [2, 2, 3]);
  const t = params.table.data;
  assert.deepEqual(Array.from(y.data.slice(0, 3)), Array.from(t.slice(3, 6)));
  assert.deepEqual(Array.from(y.data.slice(3, 6)), Array.from(t.slice(12, 15)));
  // d Σy / d table = number of times each row is looked up
  const [, pb] = vjp((tab: Tensor) => emb.apply({ table: tab }, idx), params.table);
  const [gt] = pb(ones([2, 2, 3])) as Tensor[];
  assert.deepEqual(gt!.toArray(), [[1, 1, 1], [2, 2, 2], [0, 0, 0], [0, 0, 0], [1, 1, 1]]);
  checkDerivatives((tab) => emb.apply({ table: tab }, idx), [params.table]);
  assert.throws(() => emb.apply(params, tensor([[1, 5]])), (e: unknown) => e instanceof InvalidArgumentError && /embedding\(5, 3\): index 5/.test(e.message) && /\[0, 4\]/.test(e.message));
  assert.throws(() => emb.apply(params, tensor([[1.5, 0]])), /embedding\(5, 3\): index 1.5/);
  assert.throws(() => grad((v: Tensor) => sum(emb.apply(params, v)))(idx), ConcretizationError);
});

// ---------------------------------------------------------------------------------------------
// sequential, mlp

test('sequential / mlp: composition equals the layers applied in turn; keys fold per child; errors name the inner layer', () => {
  const model = nn.mlp([4, 2], { activation: () => nn.tanh() });
  const { params, outputShape } = model.init(5, [3]);
  assert.deepEqual(outputShape, [2]);
  assert.equal(nn.paramCount(params), 3 * 4 + 4 + 4 * 2 + 2);
  const [p0, , p2] = params as [nn.LinearParams, nn.EmptyParams, nn.LinearParams];
  const x = N(11, 6, 3);
  const manual = add(matmul(tanh(add(matmul(x, p0.w), p0.b!)), p2.w), p2.b!);
  assertClose(model.apply(params, x), manual, 1e-14);
  // the same model built by hand draws the same parameters (child i from foldKey(key, i))
  const same = nn.sequential([nn.linear(4), nn.tanh(), nn.linear(2)]).init(5, [3]).params as [nn.LinearParams, nn.EmptyParams, nn.LinearParams];
  assert.deepEqual(same[0].w.data, p0.w.data);
  assert.deepEqual(nn.linear(4).init(nn.foldKey(5, 0), [3]).params.w.data, p0.w.data);
  // gradients of a loss w.r.t. the whole parameter tree
  const loss = (ps: unknown): Tensor => mean(mul(model.apply(ps as nn.Params[], x), model.apply(ps as nn.Params[], x)));
  const g = grad(loss)(params) as [nn.LinearParams, nn.EmptyParams, nn.LinearParams];
  assert.deepEqual(g[0].w.shape, [3, 4]);
  checkDerivatives((w0, b2) => model.apply([{ w: w0, b: p0.b }, {}, { w: p2.w, b: b2 }], x), [p0.w, p2.b!]);
  // a stateful model in a sequential: state threads through
  const bnModel = nn.sequential([nn.linear(4), nn.batchNorm(), nn.relu(), nn.dropout({ rate: 0.5 }), nn.linear(2)]);
  const init = bnModel.init(0, [3]);
  const r1 = bnModel.forward(init.params, init.state, x, { train: true, key: 1 });
  assert.notDeepEqual((r1.state[1] as nn.BatchNormState).mean.data, (init.state[1] as nn.BatchNormState).mean.data);
  assert.deepEqual(bnModel.forward(init.params, init.state, x, { train: true, key: 1 }).y.data, r1.y.data, 'same key, same pass');
  // shape errors name the layer that failed
  assert.throws(() => model.apply(params, zeros([2, 5])), (e: unknown) => e instanceof ShapeError && /linear\(4\)/.test(e.message) && /\[2, 5\]/.test(e.message));
  assert.throws(() => nn.mlp([]), /sizes must be a non-empty list/);
  assert.throws(() => nn.sequential([nn.relu()], { label: 'x' } as never), /unknown option 'label'/);
});

test('layers are pure: forward does not mutate params, state or input', () => {
  const model = nn.sequential([nn.linear(3), nn.batchNorm(), nn.gelu(), nn.layerNorm(), nn.linear(2)]);
  const { params, state } = model.init(0, [4]);
  const snapshot = JSON.stringify([params, state].map((t) => JSON.stringify(t, (_k, v) => (v && v.data ? Array.from(v.data as Float64Array) : v))));
  const x = N(3, 5, 4);
  const xs = Array.from(x.data);
  model.forward(params, state, x, { train: true, key: 0 });
  assert.equal(JSON.stringify([params, state].map((t) => JSON.stringify(t, (_k, v) => (v && v.data ? Array.from(v.data as Float64Array) : v)))), snapshot);
  assert.deepEqual(Array.from(x.data), xs);
});

test('perExampleGrads: one gradient per example, stacked per leaf; their sum is the gradient of the summed loss', () => {
  const model = nn.mlp([3, 2], { activation: () => nn.tanh() });
  const { params } = model.init(1, [4]);
  const x = N(21, 5, 4);
  const labels = [0, 1, 1, 0, 1];
  const lossOf = (p: nn.Params[], xi: Tensor, i: number): Tensor => crossEntropy(model.apply(p, xi), [labels[i]!]);
  const g = nn.perExampleGrads(lossOf, params, x) as [nn.LinearParams, nn.EmptyParams, nn.LinearParams];
  assert.deepEqual(g[0].w.shape, [5, 4, 3]);
  assert.deepEqual(g[2].b!.shape, [5, 2]);
  const g3 = grad((p: nn.Params[]) => lossOf(p, sliceAxis(x, 3, 4), 3))(params) as [nn.LinearParams, nn.EmptyParams, nn.LinearParams];
  assertClose(sliceAxis(g[0].w, 3, 4), g3[0].w, 1e-15);
  const total = grad((p: nn.Params[]) => crossEntropy(model.apply(p, x), labels, { reduction: 'sum' }))(params) as [nn.LinearParams, nn.EmptyParams, nn.LinearParams];
  assertClose(sum(g[0].w, { axis: 0 }), total[0].w, 1e-13);
  assertClose(sum(g[2].b!, { axis: 0 }), total[2].b!, 1e-13);
  assert.throws(() => nn.perExampleGrads(lossOf, params, zeros([0, 4])), /non-empty leading batch axis/);
});
