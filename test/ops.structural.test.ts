/**
 * @file Indexing (take / scatterAdd / index / takeAlongAxis), cumsum, stable normalisations
 * (logsumexp, softmax, logSoftmax), losses (crossEntropy, binaryCrossEntropyWithLogits, mse),
 * moments (variance, std) and matrix structure (outer, diag, trace): values vs hand-computed
 * results, derivatives vs closed forms (softmax Jacobian diag(s) − ssᵀ, ∇CE = softmax − onehot,
 * ∇ logsumexp = softmax, ∇² logsumexp = diag(s) − ssᵀ), large logits, typed errors, and
 * fast-check properties on bounded domains.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as nd from '../src/index.js';
import { tensor, grad, hessian, jacobian, InvalidArgumentError, ShapeError, type Tensor } from '../src/index.js';
import { assertClose, checkDerivatives, dotArr } from './helpers.js';

/** Plain-number softmax oracle. */
function softmaxRef(x: number[]): number[] {
  const m = Math.max(...x);
  const e = x.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}
/** diag(s) − s sᵀ, row-major. */
function softmaxJacRef(s: number[]): number[] {
  const n = s.length;
  const out: number[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out.push((i === j ? s[i]! : 0) - s[i]! * s[j]!);
  return out;
}
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const allFinite = (t: Tensor) => t.data.every((v) => Number.isFinite(v));

// ---------------------------------------------------------------------------------------------
// take / scatterAdd / index / takeAlongAxis

test('take: values along axes, repeated and negative indices, empty index list', () => {
  assert.deepEqual(nd.take(tensor([10, 20, 30]), [2, 0, 2, -1]).toArray(), [30, 10, 30, 30]);
  const A = tensor([[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(nd.take(A, [1]).toArray(), [[4, 5, 6]]);
  assert.deepEqual(nd.take(A, Int32Array.of(2, 0), { axis: 1 }).toArray(), [[3, 1], [6, 4]]);
  assert.deepEqual(nd.take(A, [-1], { axis: -1 }).toArray(), [[3], [6]]);
  assert.deepEqual(nd.take(A, [], { axis: 1 }).shape, [2, 0]);
  const B = nd.reshape(nd.arange(24), [2, 3, 4]);
  const t = nd.take(B, [2, 0], { axis: 1 });
  assert.deepEqual(t.shape, [2, 2, 4]);
  assert.deepEqual(t.toArray(), [[[8, 9, 10, 11], [0, 1, 2, 3]], [[20, 21, 22, 23], [12, 13, 14, 15]]]);
});

test('scatterAdd: duplicates accumulate, untouched slots stay 0, axis 1', () => {
  assert.deepEqual(nd.scatterAdd(tensor([1, 2, 3]), [0, 2, 0], { dimSize: 4 }).toArray(), [4, 0, 2, 0]);
  assert.deepEqual(nd.scatterAdd(tensor([[1, 2], [3, 4]]), [-1, 1], { axis: 1, dimSize: 3 }).toArray(), [[0, 2, 1], [0, 4, 3]]);
  assert.deepEqual(nd.scatterAdd(tensor([1, 2]), [1, 1], { dimSize: 2 }).toArray(), [0, 3]);
});

test('take ∘ scatterAdd round trip (distinct indices) and adjointness ⟨take x, u⟩ = ⟨x, scatterAdd u⟩', () => {
  const u = tensor([[1, 2, 3], [4, 5, 6]]);
  const idx = [4, 0, 2];
  assert.deepEqual(nd.take(nd.scatterAdd(u, idx, { axis: 1, dimSize: 5 }), idx, { axis: 1 }).toArray(), u.toArray());
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: -4, max: 3 }), { minLength: 1, maxLength: 6 }),
      fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 8, maxLength: 8 }),
      fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 12, maxLength: 12 }),
      (ix, xv, uv) => {
        const x = tensor(xv, [2, 4]);
        const uu = tensor(uv.slice(0, 2 * ix.length), [2, ix.length]);
        const lhs = dotArr(nd.take(x, ix, { axis: 1 }).data, uu.data);
        const rhs = dotArr(x.data, nd.scatterAdd(uu, ix, { axis: 1, dimSize: 4 }).data);
        assertClose(lhs, rhs, 1e-12, 'adjointness');
      },
    ),
    { numRuns: 50, seed: 7 },
  );
});

test('take: gradient scatters (duplicates accumulate), grad∘grad and Hessian through take/scatterAdd', () => {
  const x = tensor([0.5, -1, 2]);
  const idx = [0, 2, 0, 0];
  const w = tensor([1, 10, 100, 1000]);
  // ∂/∂x Σ_j w_j x[idx_j] = scatterAdd(w)
  assertClose(grad((v: Tensor) => nd.sum(nd.mul(w, nd.take(v, idx))))(x), [1101, 0, 10], 1e-15);
  // f(x) = Σ_j x[idx_j]³  ⇒  ∇f = 3 cᵢ xᵢ², ∇²f = diag(6 cᵢ xᵢ) with cᵢ = multiplicity of i
  const f = (v: Tensor) => nd.sum(nd.pow(nd.take(v, idx), 3));
  assertClose(grad(f)(x), [3 * 3 * 0.25, 0, 3 * 4], 1e-14);
  assertClose(hessian(f)(x), [6 * 3 * 0.5, 0, 0, 0, 0, 0, 0, 0, 6 * 2], 1e-14);
  // reverse-over-reverse: d/dx Σ ∇f = 6 c x
  assertClose(grad((v: Tensor) => nd.sum(grad(f)(v)))(x), [9, 0, 12], 1e-14);
  // scatterAdd second order: g(u) = Σ scatterAdd(u)² ⇒ ∇²g = 2 Sᵀ S (entries 2 where indices coincide)
  const g = (u: Tensor) => nd.sum(nd.square(nd.scatterAdd(u, [1, 0, 1], { dimSize: 2 })));
  assertClose(hessian(g)(tensor([1, 2, 3])), [2, 0, 2, 0, 2, 0, 2, 0, 2], 1e-14);
});

test('take / scatterAdd / index: bad indices and shapes throw typed errors naming the problem', () => {
  const v = tensor([1, 2, 3]);
  assert.throws(() => nd.take(v, [0, 3]), (e: unknown) => e instanceof InvalidArgumentError && /index 3 at position 1/.test(e.message));
  assert.throws(() => nd.take(v, [-4]), (e: unknown) => e instanceof InvalidArgumentError && /-4/.test(e.message));
  assert.throws(() => nd.take(v, [1.5]), InvalidArgumentError);
  assert.throws(() => nd.take(v, [0], { axis: 1 }), ShapeError);
  assert.throws(() => nd.take(nd.scalar(1), [0]), ShapeError);
  assert.throws(() => nd.scatterAdd(v, [0, 1], { dimSize: 3 }), ShapeError);
  assert.throws(() => nd.scatterAdd(v, [0, 1, 5], { dimSize: 3 }), (e: unknown) => e instanceof InvalidArgumentError && /index 5/.test(e.message));
  assert.throws(() => nd.scatterAdd(v, [0, 1, 2], { dimSize: -1 }), InvalidArgumentError);
  assert.throws(() => nd.index(v, 3), InvalidArgumentError);
  assert.throws(() => nd.index(nd.scalar(2), 0), ShapeError);
});

test('index selects one entry and drops the axis; negative i counts from the end', () => {
  const A = tensor([[1, 2], [3, 4], [5, 6]]);
  assert.deepEqual(nd.index(A, 1).toArray(), [3, 4]);
  assert.deepEqual(nd.index(A, -1).toArray(), [5, 6]);
  assert.deepEqual(nd.index(A, 0, { axis: 1 }).toArray(), [1, 3, 5]);
  assert.equal(nd.index(tensor([7, 8]), -1).item(), 8);
  assertClose(grad((X: Tensor) => nd.sum(nd.index(X, 1)))(A), [0, 0, 1, 1, 0, 0], 0);
});

test('takeAlongAxis: per-row gather, gradient, errors', () => {
  const X = tensor([[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(nd.takeAlongAxis(X, tensor([[2], [0]]), { axis: 1 }).toArray(), [[3], [4]]);
  assert.deepEqual(nd.takeAlongAxis(X, tensor([[1, 0, 1]]), { axis: 0 }).toArray(), [[4, 2, 6]]);
  assert.deepEqual(nd.takeAlongAxis(X, tensor([[-1, -1], [0, 0]]), { axis: 1 }).toArray(), [[3, 3], [4, 4]]);
  assertClose(grad((A: Tensor) => nd.sum(nd.takeAlongAxis(A, tensor([[2, 2], [0, 1]]), { axis: 1 })))(X), [0, 0, 2, 1, 1, 0], 0);
  assert.throws(() => nd.takeAlongAxis(X, tensor([[3], [0]]), { axis: 1 }), InvalidArgumentError);
  assert.throws(() => nd.takeAlongAxis(X, tensor([[0], [0], [0]]), { axis: 1 }), ShapeError);
  assert.throws(() => nd.takeAlongAxis(X, tensor([0, 1]), { axis: 1 }), ShapeError);
});

// ---------------------------------------------------------------------------------------------
// cumsum

test('cumsum: values (axis, reverse, flattened default) and VJP = reverse cumsum', () => {
  assert.deepEqual(nd.cumsum(tensor([1, 2, 3])).toArray(), [1, 3, 6]);
  assert.deepEqual(nd.cumsum(tensor([1, 2, 3]), { axis: 0, reverse: true }).toArray(), [6, 5, 3]);
  const A = tensor([[1, 2], [3, 4]]);
  assert.deepEqual(nd.cumsum(A, { axis: 0 }).toArray(), [[1, 2], [4, 6]]);
  assert.deepEqual(nd.cumsum(A, { axis: -1 }).toArray(), [[1, 3], [3, 7]]);
  assert.deepEqual(nd.cumsum(A).toArray(), [1, 3, 6, 10]);
  assert.deepEqual(nd.cumsum(nd.scalar(5)).toArray(), [5]);
  assert.throws(() => nd.cumsum(A, { axis: 2 }), ShapeError);
  // ∂/∂x Σ_j w_j (Σ_{i≤j} x_i) = Σ_{j≥i} w_j
  const w = tensor([1, 10, 100]);
  assertClose(grad((x: Tensor) => nd.sum(nd.mul(w, nd.cumsum(x))))(tensor([0, 0, 0])), [111, 110, 100], 0);
  assertClose(grad((x: Tensor) => nd.sum(nd.mul(w, nd.cumsum(x, { axis: 0, reverse: true }))))(tensor([0, 0, 0])), [1, 11, 111], 0);
  checkDerivatives((x) => nd.cumsum(nd.mul(x, x), { axis: 1, reverse: true }), [tensor([[0.3, -1, 2], [1, 0.5, -0.2]])]);
});

// ---------------------------------------------------------------------------------------------
// logsumexp, softmax, logSoftmax

test('logsumexp: values, axes/keepdims, large and −∞ inputs', () => {
  assertClose(nd.logsumexp(tensor([0, 0])), Math.log(2), 1e-15);
  assertClose(nd.logsumexp(tensor([1, 2, 3])), Math.log(Math.E + Math.E ** 2 + Math.E ** 3), 1e-15);
  const X = tensor([[0, 0], [1, 1]]);
  const r = nd.logsumexp(X, { axis: 1 });
  assert.deepEqual(r.shape, [2]);
  assertClose(r, [Math.log(2), 1 + Math.log(2)], 1e-15);
  assert.deepEqual(nd.logsumexp(X, { axis: 0, keepdims: true }).shape, [1, 2]);
  assert.deepEqual(nd.logsumexp(X).shape, []);
  assertClose(nd.logsumexp(tensor([1000, 1000])), 1000 + Math.log(2), 1e-15);
  assertClose(nd.logsumexp(tensor([-1000, -1000])), -1000 + Math.log(2), 1e-15);
  assertClose(nd.logsumexp(tensor([1000, -1000])), 1000, 1e-15);
  assert.equal(nd.logsumexp(tensor([-Infinity, -Infinity])).item(), -Infinity);
  assertClose(nd.logsumexp(tensor([-Infinity, 0])), 0, 0);
});

test('logsumexp: gradient = softmax, Hessian = diag(s) − ssᵀ, finite at ±1000', () => {
  const xs = [0.3, -1.2, 2, 0.5];
  const s = softmaxRef(xs);
  const f = (x: Tensor) => nd.logsumexp(x);
  assertClose(grad(f)(tensor(xs)), s, 1e-15);
  assertClose(hessian(f)(tensor(xs)), softmaxJacRef(s), 1e-14);
  // along an axis: each row's gradient is that row's softmax
  const g = grad((X: Tensor) => nd.sum(nd.logsumexp(X, { axis: 1 })))(tensor([[1, 2], [3, -1]]));
  assertClose(g, [...softmaxRef([1, 2]), ...softmaxRef([3, -1])], 1e-15);
  const big = tensor([1000, -1000, 999]);
  const gb = grad(f)(big);
  const Hb = hessian(f)(big);
  assert.ok(allFinite(gb) && allFinite(Hb));
  assertClose(gb, softmaxRef([1000, -1000, 999]), 1e-15);
  assertClose(Hb, softmaxJacRef(softmaxRef([1000, -1000, 999])), 1e-14);
  checkDerivatives((x) => nd.logsumexp(x, { axis: 0 }), [tensor([[0.3, -1, 2], [1, 0.5, -0.2]])]);
});

test('softmax: values, Jacobian diag(s) − ssᵀ, axis 0, large logits, second order', () => {
  assertClose(nd.softmax(tensor([0, Math.log(3)])), [0.25, 0.75], 1e-15);
  const xs = [0.2, -0.7, 1.5];
  const s = softmaxRef(xs);
  assertClose(nd.softmax(tensor(xs)), s, 1e-15);
  assertClose(jacobian((x: Tensor) => nd.softmax(x))(tensor(xs)), softmaxJacRef(s), 1e-15);
  assertClose(jacobian((x: Tensor) => nd.softmax(x), { mode: 'forward' })(tensor(xs)), softmaxJacRef(s), 1e-15);
  const X = tensor([[1, 2], [3, 5]]);
  const s0 = nd.softmax(X, { axis: 0 });
  assertClose(s0, [softmaxRef([1, 3])[0]!, softmaxRef([2, 5])[0]!, softmaxRef([1, 3])[1]!, softmaxRef([2, 5])[1]!], 1e-15);
  const big = nd.softmax(tensor([1000, -1000, 1000]));
  assertClose(big, [0.5, 0, 0.5], 1e-15);
  assert.ok(allFinite(jacobian((x: Tensor) => nd.softmax(x))(tensor([1000, -1000]))));
  // second order: ∂²s₀/∂x₀² = s₀(1 − s₀)(1 − 2s₀)
  const h = hessian((x: Tensor) => nd.index(nd.softmax(x), 0))(tensor(xs));
  assertClose(h.data[0]!, s[0]! * (1 - s[0]!) * (1 - 2 * s[0]!), 1e-14);
  checkDerivatives((x) => nd.softmax(x, { axis: 0 }), [tensor([[0.3, -1, 2], [1, 0.5, -0.2]])]);
  assert.throws(() => nd.softmax(nd.scalar(1)), ShapeError);
});

test('softmax properties: sums to 1, lies in [0, 1], shift-invariant (bounded domain)', () => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: -50, max: 50, noNaN: true }), { minLength: 1, maxLength: 8 }),
      fc.double({ min: -100, max: 100, noNaN: true }),
      (xs, c) => {
        const s = nd.softmax(tensor(xs));
        assertClose(nd.sum(s), 1, 1e-14, 'Σ softmax');
        assert.ok(s.data.every((v) => v >= 0 && v <= 1));
        assertClose(nd.softmax(nd.add(tensor(xs), c)), s, 1e-12, 'shift invariance');
        assertClose(nd.exp(nd.logSoftmax(tensor(xs))), s, 1e-12, 'exp ∘ logSoftmax');
      },
    ),
    { numRuns: 100, seed: 11 },
  );
});

test('logSoftmax: values, large logits, Jacobian I − 1sᵀ', () => {
  assertClose(nd.logSoftmax(tensor([0, 0])), [-Math.log(2), -Math.log(2)], 1e-15);
  assertClose(nd.logSoftmax(tensor([1000, -1000])), [0, -2000], 1e-15);
  const xs = [0.4, -2, 1];
  const s = softmaxRef(xs);
  const J: number[] = [];
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) J.push((i === j ? 1 : 0) - s[j]!);
  assertClose(jacobian((x: Tensor) => nd.logSoftmax(x))(tensor(xs)), J, 1e-15);
  checkDerivatives((x) => nd.logSoftmax(x, { axis: 1 }), [tensor([[0.3, -1, 2], [1, 0.5, -0.2]])]);
});

// ---------------------------------------------------------------------------------------------
// losses

test('crossEntropy with integer labels: values, reductions, gradient = (softmax − onehot)/N', () => {
  const Z = tensor([[2, 0, -1], [0.5, 1.5, 0]]);
  const y = [0, 2];
  const rows = [[2, 0, -1], [0.5, 1.5, 0]];
  const per = rows.map((r, i) => -Math.log(softmaxRef(r)[y[i]!]!));
  assertClose(nd.crossEntropy(Z, y), (per[0]! + per[1]!) / 2, 1e-15);
  assertClose(nd.crossEntropy(Z, Int32Array.from(y), { reduction: 'sum' }), per[0]! + per[1]!, 1e-15);
  const none = nd.crossEntropy(Z, y, { reduction: 'none' });
  assert.deepEqual(none.shape, [2]);
  assertClose(none, per, 1e-15);
  assertClose(nd.crossEntropy(tensor([[2, 0], [0, 2]]), [0, 1]), Math.log(1 + Math.exp(-2)), 1e-15);
  // single sample: 1-D logits with one label
  assertClose(nd.crossEntropy(tensor([2, 0, -1]), 0), per[0]!, 1e-15);
  const g = grad((z: Tensor) => nd.crossEntropy(z, y))(Z);
  const expected = rows.flatMap((r, i) => softmaxRef(r).map((p, c) => (p - (c === y[i] ? 1 : 0)) / 2));
  assertClose(g, expected, 1e-15);
  checkDerivatives((z) => nd.crossEntropy(z, y, { reduction: 'none' }), [Z]);
});

test('crossEntropy: class axis 0, probability labels, one-hot probabilities agree with indices', () => {
  const Z = tensor([[2, 0.5], [0, 1.5], [-1, 0]]); // classes along axis 0, samples along axis 1
  const perCol = [-Math.log(softmaxRef([2, 0, -1])[0]!), -Math.log(softmaxRef([0.5, 1.5, 0])[2]!)];
  assertClose(nd.crossEntropy(Z, [0, 2], { axis: 0, reduction: 'none' }), perCol, 1e-15);
  const Zr = tensor([[2, 0, -1], [0.5, 1.5, 0]]);
  const onehot = tensor([[1, 0, 0], [0, 0, 1]]);
  assertClose(nd.crossEntropy(Zr, onehot), nd.crossEntropy(Zr, [0, 2]), 1e-15);
  // soft labels: −Σ p log s, gradient in z = softmax·Σp − p, gradient in p = −log s
  const P = tensor([[0.2, 0.3, 0.5], [0.6, 0.4, 0]]);
  const s = [softmaxRef([2, 0, -1]), softmaxRef([0.5, 1.5, 0])];
  const val = -s.reduce((acc, si, i) => acc + si.reduce((a, sc, c) => a + P.data[3 * i + c]! * Math.log(sc), 0), 0);
  assertClose(nd.crossEntropy(Zr, P, { reduction: 'sum' }), val, 1e-15);
  const [gz, gp] = grad((z: Tensor, p: Tensor) => nd.crossEntropy(z, p, { reduction: 'sum' }), { argnums: [0, 1] })(Zr, P);
  assertClose(gz, s.flatMap((si, i) => si.map((sc, c) => sc - P.data[3 * i + c]!)), 1e-15);
  assertClose(gp, s.flatMap((si) => si.map((sc) => -Math.log(sc))), 1e-15);
});

test('crossEntropy: Hessian in the logits is diag(s) − ssᵀ; ±1000 logits stay finite', () => {
  const z = [0.3, -0.4, 1.1];
  const H = hessian((v: Tensor) => nd.crossEntropy(v, 1))(tensor(z));
  assertClose(H, softmaxJacRef(softmaxRef(z)), 1e-14);
  const Z = tensor([[1000, -1000], [-1000, 1000]]);
  const right = nd.crossEntropy(Z, [0, 1]);
  const wrong = nd.crossEntropy(Z, [1, 0]);
  assertClose(right, 0, 0);
  assertClose(wrong, 2000, 1e-15);
  const g = grad((v: Tensor) => nd.crossEntropy(v, [1, 0]))(Z);
  assert.ok(allFinite(g));
  assertClose(g, [0.5, -0.5, -0.5, 0.5], 1e-15);
  assert.ok(allFinite(hessian((v: Tensor) => nd.crossEntropy(v, 0))(tensor([1000, -1000]))));
});

test('crossEntropy: label out of range, wrong label count and shapes throw typed errors', () => {
  const Z = tensor([[2, 0, -1], [0.5, 1.5, 0]]);
  assert.throws(() => nd.crossEntropy(Z, [0, 3]), (e: unknown) => e instanceof InvalidArgumentError && /label 3 at position 1/.test(e.message));
  assert.throws(() => nd.crossEntropy(Z, [-1, 0]), InvalidArgumentError);
  assert.throws(() => nd.crossEntropy(Z, [0.5, 0]), InvalidArgumentError);
  assert.throws(() => nd.crossEntropy(Z, [0]), (e: unknown) => e instanceof ShapeError && /1 labels for 2 samples/.test(e.message));
  assert.throws(() => nd.crossEntropy(Z, tensor([[1, 0, 0]])), ShapeError);
  assert.throws(() => nd.crossEntropy(nd.scalar(1), [0]), ShapeError);
  assert.throws(() => nd.crossEntropy(Z, [0, 1], { reduction: 'avg' as never }), InvalidArgumentError);
});

test('binaryCrossEntropyWithLogits: values, gradient σ(z) − t, curvature, ±1000 exact', () => {
  const z = [0.3, -1.2, 2, 0];
  const t = [1, 0, 0.25, 1];
  const ref = z.map((zi, i) => -t[i]! * Math.log(sigmoid(zi)) - (1 - t[i]!) * Math.log(1 - sigmoid(zi)));
  assertClose(nd.binaryCrossEntropyWithLogits(tensor(z), tensor(t), { reduction: 'none' }), ref, 1e-14);
  assertClose(nd.binaryCrossEntropyWithLogits(tensor(z), tensor(t)), ref.reduce((a, b) => a + b) / 4, 1e-14);
  assertClose(grad((v: Tensor) => nd.binaryCrossEntropyWithLogits(v, tensor(t), { reduction: 'sum' }))(tensor(z)), z.map((zi, i) => sigmoid(zi) - t[i]!), 1e-15);
  const H = hessian((v: Tensor) => nd.binaryCrossEntropyWithLogits(v, tensor(t), { reduction: 'sum' }))(tensor(z));
  assertClose(nd.diag(H), z.map((zi) => sigmoid(zi) * (1 - sigmoid(zi))), 1e-14);
  const big = nd.binaryCrossEntropyWithLogits(tensor([1000, -1000, 1000, -1000]), tensor([1, 0, 0, 1]), { reduction: 'none' });
  assertClose(big, [0, 0, 1000, 1000], 1e-15);
  // hard label and moderate logit: no cancellation (log1p(e^{−40}) ≈ 4.25e−18 survives)
  assertClose(nd.binaryCrossEntropyWithLogits(tensor([40]), 1, { reduction: 'sum' }).item() / Math.exp(-40), 1, 1e-12);
  assert.ok(allFinite(grad((v: Tensor) => nd.binaryCrossEntropyWithLogits(v, tensor([1, 0])))(tensor([1000, -1000]))));
  checkDerivatives((v, w) => nd.binaryCrossEntropyWithLogits(v, nd.sigmoid(w), { reduction: 'none' }), [tensor(z), tensor([0.1, -0.3, 2, 1])]);
  assert.throws(() => nd.binaryCrossEntropyWithLogits(tensor(z), tensor([1, 0])), ShapeError);
  assert.throws(() => nd.binaryCrossEntropyWithLogits(tensor([0, 1]), tensor([1, 1.5])), (e: unknown) => e instanceof InvalidArgumentError && /1\.5 at flat index 1/.test(e.message));
});

test('mse: values, reductions, gradient 2(a − b)/n, shape mismatch', () => {
  const a = tensor([1, 2, 4]);
  const b = tensor([0, 0, 1]);
  assertClose(nd.mse(a, b), (1 + 4 + 9) / 3, 1e-15);
  assertClose(nd.mse(a, b, { reduction: 'sum' }), 14, 0);
  assertClose(nd.mse(a, b, { reduction: 'none' }), [1, 4, 9], 0);
  const [ga, gb] = grad((u: Tensor, v: Tensor) => nd.mse(u, v), { argnums: [0, 1] })(a, b);
  assertClose(ga, [2 / 3, 4 / 3, 2], 1e-15);
  assertClose(gb, [-2 / 3, -4 / 3, -2], 1e-15);
  assert.throws(() => nd.mse(a, tensor([1, 2])), ShapeError);
});

// ---------------------------------------------------------------------------------------------
// moments and matrix structure

test('variance and std: values, axes, ddof, gradient 2(x − m)/(n − ddof)', () => {
  assertClose(nd.variance(tensor([1, 2, 3, 4])), 1.25, 1e-15);
  assertClose(nd.variance(tensor([1, 2, 3, 4]), { axis: 0, ddof: 1 }), 5 / 3, 1e-15);
  const X = tensor([[1, 3], [2, 6]]);
  assertClose(nd.variance(X, { axis: 1 }), [1, 4], 1e-15);
  assert.deepEqual(nd.variance(X, { axis: 0, keepdims: true }).shape, [1, 2]);
  assertClose(nd.std(tensor([1, 3])), 1, 1e-15);
  // large offset: the two-pass formula keeps precision
  assertClose(nd.variance(tensor([1e9 + 1, 1e9 + 2, 1e9 + 3])), 2 / 3, 1e-9);
  assertClose(grad((x: Tensor) => nd.variance(x, { ddof: 1 }))(tensor([1, 2, 6])), [-2, -1, 3], 1e-15); // 2(x − 3)/(3 − 1)
  checkDerivatives((x) => nd.std(x, { axis: 1 }), [tensor([[0.3, -1, 2], [1, 0.5, -0.2]])]);
  assert.throws(() => nd.variance(tensor([1]), { ddof: 1 }), InvalidArgumentError);
});

test('outer: values and gradients ȳ b, ȳᵀ a', () => {
  assert.deepEqual(nd.outer(tensor([1, 2]), tensor([3, 4, 5])).toArray(), [[3, 4, 5], [6, 8, 10]]);
  const W = tensor([[1, 0, 2], [0, 1, 0]]);
  const [ga, gb] = grad((a: Tensor, b: Tensor) => nd.sum(nd.mul(W, nd.outer(a, b))), { argnums: [0, 1] })(tensor([1, 2]), tensor([3, 4, 5]));
  assertClose(ga, [3 + 10, 4], 0); // W b
  assertClose(gb, [1, 2, 2], 0); // Wᵀ a
  assert.deepEqual(nd.outer(tensor([[1, 2]]), nd.scalar(3)).shape, [2, 1]);
});

test('diag (vector ↔ matrix, offsets, rectangular) and trace, with gradients', () => {
  assert.deepEqual(nd.diag(tensor([1, 2])).toArray(), [[1, 0], [0, 2]]);
  assert.deepEqual(nd.diag(tensor([1, 2]), { k: 1 }).toArray(), [[0, 1, 0], [0, 0, 2], [0, 0, 0]]);
  assert.deepEqual(nd.diag(tensor([1, 2]), { k: -1 }).toArray(), [[0, 0, 0], [1, 0, 0], [0, 2, 0]]);
  const A = tensor([[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(nd.diag(A).toArray(), [1, 5]);
  assert.deepEqual(nd.diag(A, { k: 1 }).toArray(), [2, 6]);
  assert.deepEqual(nd.diag(A, { k: -1 }).toArray(), [4]);
  assert.deepEqual(nd.diag(A, { k: 5 }).toArray(), []);
  assert.deepEqual(nd.diag(nd.diag(tensor([3, -1, 2]))).toArray(), [3, -1, 2]);
  assert.equal(nd.trace(tensor([[1, 2], [3, 4]])).item(), 5);
  assert.equal(nd.trace(A, { k: 1 }).item(), 8);
  assertClose(grad((M: Tensor) => nd.trace(M))(tensor([[1, 2], [3, 4]])), [1, 0, 0, 1], 0);
  // d/dA tr(A²) = 2Aᵀ; second order through take
  const B = tensor([[1, 2], [3, 4]]);
  assertClose(grad((M: Tensor) => nd.trace(nd.matmul(M, M)))(B), [2, 6, 4, 8], 1e-15);
  assertClose(grad((v: Tensor) => nd.sum(nd.mul(tensor([[1, 2], [3, 4]]), nd.diag(v))))(tensor([0, 0])), [1, 4], 0);
  checkDerivatives((v) => nd.diag(nd.mul(v, v), { k: -1 }), [tensor([0.5, -1, 2])]);
  assert.throws(() => nd.diag(nd.zeros([2, 2, 2])), ShapeError);
  assert.throws(() => nd.diag(tensor([1]), { k: 0.5 }), InvalidArgumentError);
  assert.throws(() => nd.trace(tensor([1, 2])), ShapeError);
});

test('fullLike: constant with the shape of x', () => {
  assert.deepEqual(nd.fullLike(tensor([[1, 2]]), 7).toArray(), [[7, 7]]);
  assert.deepEqual(nd.fullLike(nd.scalar(1), -2).toArray(), -2);
});
