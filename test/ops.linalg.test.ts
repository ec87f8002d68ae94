/**
 * @file Differentiable linear algebra (solve, triangularSolve, cholesky, eigh, lstsq, inv, logdet,
 * det, slogdet): algebraic identities (A·solve(A, b) = b, L·Lᵀ = A, A·V = V·Λ, lstsq = normal
 * equations), agreement with the numeric kernels of `src/linalg/dense`, JVP and VJP vs finite
 * differences with the dot-product test (symmetric parametrisations for cholesky/eigh,
 * sign-invariant functions of eigenvectors), second order (Hessian of logdet vs
 * −tr(A⁻¹ E A⁻¹ E), grad∘grad through solve, Hessian-vector products vs finite differences of the
 * gradient), the degenerate-eigenvalue policy, and typed errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as nd from '../src/index.js';
import {
  eye,
  grad,
  hessian,
  hvp,
  InvalidArgumentError,
  InvertibilityError,
  jvp,
  NonFiniteError,
  NotPositiveDefiniteError,
  rng,
  ShapeError,
  SingularMatrixError,
  tensor,
  vjp,
  type Tensor,
} from '../src/index.js';
import * as dense from './linalg.dense.reference.js';
import { assertClose, checkDerivatives, dotArr, fdDirectional } from './helpers.js';

const { add, sub, mul, matmul, sum, square, reshape } = nd;
const T = nd.matrixTranspose;

function randn(seed: number, shape: number[], std = 1): Tensor {
  return rng(seed).normal(shape, 0, std);
}
/** Well-conditioned general square matrix: 2I + small noise. */
function generalMatrix(n: number, seed: number): Tensor {
  return add(randn(seed, [n, n], 0.3), mul(eye(n), 2));
}
/** Symmetric positive definite: B·Bᵀ + n·I. */
function spd(n: number, seed: number): Tensor {
  const B = randn(seed, [n, n]);
  return add(matmul(B, T(B)), mul(eye(n), n));
}
/** Symmetric random matrix. */
function symRandom(n: number, seed: number): Tensor {
  const B = randn(seed, [n, n]);
  return mul(add(B, T(B)), 0.5);
}
/** Second-order check: ∇²f(x)·v by forward-over-reverse vs finite differences of ∇f along v. */
function checkSecondOrder(f: (x: Tensor) => Tensor, x: Tensor, seed: number, rtol = 1e-6, v: Tensor = randn(seed, x.shape)): void {
  const h = hvp(f, [x], [v]);
  const fd = fdDirectional(grad(f) as (x: Tensor) => Tensor, [x], [v]);
  assertClose(h, fd, rtol, 'HVP vs finite differences of the gradient');
}
const allFinite = (t: Tensor) => t.data.every((v) => Number.isFinite(v));
/** 0/1 mask of the lower (or upper) triangle, diagonal included. */
function triangle(n: number, lower: boolean): Tensor {
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (lower ? j <= i : j >= i) m[i * n + j] = 1;
  return tensor(m, [n, n]);
}

// ---------------------------------------------------------------------------------------------
// solve, inv

test('solve: A·solve(A, b) = b for vector and matrix b, and agrees with the numeric solver', () => {
  const A = generalMatrix(5, 1);
  const b = randn(2, [5]);
  const x = nd.linalg.solve(A, b);
  assert.deepEqual(x.shape, [5]);
  assertClose(matmul(A, x), b, 1e-13, 'A x = b');
  assertClose(x, dense.solve(A, b), 1e-13, 'vs numeric solve');
  const B = randn(3, [5, 3]);
  const X = nd.linalg.solve(A, B);
  assert.deepEqual(X.shape, [5, 3]);
  assertClose(matmul(A, X), B, 1e-13, 'A X = B');
  assertClose(nd.linalg.solve(tensor([[3, 1], [1, 2]]), tensor([9, 8])), [2, 3], 1e-14);
});

test('solve: JVP and VJP vs finite differences, dot-product test (vector and matrix right-hand sides)', () => {
  const A = generalMatrix(4, 4);
  checkDerivatives((a, b) => nd.linalg.solve(a, b), [A, randn(5, [4])]);
  checkDerivatives((a, b) => nd.linalg.solve(a, b), [A, randn(6, [4, 3])]);
  // only one argument traced
  checkDerivatives((a) => nd.linalg.solve(a, tensor([1, -2, 0.5, 3])), [A]);
  checkDerivatives((b) => nd.linalg.solve(A, b), [randn(7, [4, 2])]);
});

test('solve: closed-form gradients b̄ = A⁻ᵀx̄, Ā = −b̄xᵀ', () => {
  const A = generalMatrix(3, 8);
  const b = randn(9, [3]);
  const w = randn(10, [3]);
  const [gA, gb] = grad((a: Tensor, bb: Tensor) => sum(mul(w, nd.linalg.solve(a, bb))), { argnums: [0, 1] })(A, b);
  const bbar = dense.solve(T(A), w);
  const x = dense.solve(A, b);
  assertClose(gb!, bbar, 1e-13, 'b̄');
  assertClose(gA!, mul(-1, nd.outer(bbar, x)), 1e-13, 'Ā');
});

test('solve: second order — grad∘grad along a line matches 2·A⁻¹BA⁻¹Bx, HVPs vs FD of the gradient', () => {
  const A0 = generalMatrix(4, 11);
  const Bd = randn(12, [4, 4], 0.5);
  const b = randn(13, [4]);
  const t0 = 0.3;
  const f = (t: Tensor) => sum(nd.linalg.solve(add(A0, mul(t, Bd)), b));
  const g2 = grad(grad(f))(tensor(t0)) as Tensor;
  // x(t) = (A0 + tB)⁻¹b: x' = −A⁻¹Bx, x'' = 2A⁻¹BA⁻¹Bx
  const A = add(A0, mul(t0, Bd));
  const x = dense.solve(A, b);
  const x2 = mul(2, dense.solve(A, matmul(Bd, dense.solve(A, matmul(Bd, x)))));
  assertClose(g2, sum(x2), 1e-12, "d²/dt² Σx(t)");
  // HVPs in A and b (exercise the JVP of the transposed solve used by the VJP)
  const w = randn(14, [4]);
  checkSecondOrder((a) => sum(mul(w, square(nd.linalg.solve(a, b)))), A0, 15);
  checkSecondOrder((bb) => sum(square(nd.linalg.solve(A0, bb))), b, 16);
  checkSecondOrder((a) => sum(square(nd.linalg.solve(a, randn(17, [4, 2])))), A0, 18);
});

test('inv: A·inv(A) = I, d inv = −A⁻¹ȦA⁻¹, derivatives vs FD and second order', () => {
  const A = generalMatrix(4, 20);
  const Ai = nd.linalg.inv(A);
  assertClose(matmul(A, Ai), eye(4), 1e-13, 'A A⁻¹ = I');
  assertClose(Ai, dense.inv(A), 1e-13, 'vs numeric inv');
  const E = randn(21, [4, 4]);
  const [, dAi] = jvp((a: Tensor) => nd.linalg.inv(a), [A], [E]);
  assertClose(dAi, mul(-1, matmul(matmul(Ai, E), Ai)), 1e-13, 'd inv');
  checkDerivatives((a) => nd.linalg.inv(a), [A]);
  checkSecondOrder((a) => sum(square(nd.linalg.inv(a))), A, 22);
});

// ---------------------------------------------------------------------------------------------
// triangularSolve

/** The matrix op(T) that a triangular solve effectively uses. */
function effectiveOp(Tm: Tensor, lower: boolean, transpose: boolean, unit: boolean): Tensor {
  const n = Tm.shape[0]!;
  const d = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i === j) d[i * n + j] = unit ? 1 : Tm.data[i * n + j]!;
      else if (lower ? i > j : i < j) d[i * n + j] = Tm.data[i * n + j]!;
    }
  }
  const eff = tensor(d, [n, n]);
  return transpose ? T(eff) : eff;
}

test('triangularSolve: all 8 variants solve op(T)·x = b reading only the named triangle; derivatives vs FD', () => {
  const n = 4;
  const Tm = add(randn(30, [n, n], 0.4), mul(eye(n), 2)); // junk in the other triangle
  const b = randn(31, [n]);
  const B = randn(32, [n, 2]);
  for (const lower of [true, false]) {
    for (const transpose of [false, true]) {
      for (const unitDiagonal of [false, true]) {
        const opts = { lower, transpose, unitDiagonal };
        const what = JSON.stringify(opts);
        const op = effectiveOp(Tm, lower, transpose, unitDiagonal);
        const x = nd.linalg.triangularSolve(Tm, b, opts);
        assert.deepEqual(x.shape, [n]);
        assertClose(matmul(op, x), b, 1e-13, `${what}: op(T) x = b`);
        const X = nd.linalg.triangularSolve(Tm, B, opts);
        assertClose(matmul(op, X), B, 1e-13, `${what}: op(T) X = B`);
        checkDerivatives((t, bb) => nd.linalg.triangularSolve(t, bb, opts), [Tm, B]);
        // the gradient in T vanishes outside the entries that are read
        const gT = grad((t: Tensor) => sum(square(nd.linalg.triangularSolve(t, b, opts))))(Tm) as Tensor;
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < n; j++) {
            const used = i === j ? !unitDiagonal : lower ? i > j : i < j;
            if (!used) assert.ok(gT.data[i * n + j] === 0, `${what}: T̄[${i},${j}] must be 0`);
            else assert.notEqual(gT.data[i * n + j], 0, `${what}: T̄[${i},${j}] should be non-zero`);
          }
        }
      }
    }
  }
});

test('triangularSolve: second order (HVP vs FD of the gradient) and agreement with the numeric kernel', () => {
  const Tm = add(randn(33, [3, 3], 0.4), mul(eye(3), 2));
  const b = randn(34, [3]);
  for (const transpose of [false, true]) {
    const opts = { lower: true, transpose };
    assertClose(nd.linalg.triangularSolve(Tm, b, opts), dense.solveTriangular(Tm, b, { lower: true, trans: transpose }), 1e-14);
    checkSecondOrder((t) => sum(square(nd.linalg.triangularSolve(t, b, opts))), Tm, 35);
  }
});

// ---------------------------------------------------------------------------------------------
// cholesky, logdet

test('cholesky: L·Lᵀ = A, L lower triangular with positive diagonal, matches the numeric kernel', () => {
  const A = spd(5, 40);
  const L = nd.linalg.cholesky(A);
  assertClose(matmul(L, T(L)), A, 1e-13, 'L Lᵀ = A');
  for (let i = 0; i < 5; i++) {
    assert.ok(L.data[i * 5 + i]! > 0);
    for (let j = i + 1; j < 5; j++) assert.equal(L.data[i * 5 + j], 0);
  }
  assertClose(L, dense.cholesky(A), 0, 'vs numeric cholesky');
  assertClose(nd.linalg.cholesky(tensor([[4, 2], [2, 5]])), [2, 0, 1, 2], 1e-15);
});

test('cholesky: derivatives vs FD through B ↦ cholesky(B·Bᵀ + nI); symmetric convention of Ȧ and Ā', () => {
  const n = 4;
  const nI = mul(eye(n), n);
  const f = (B: Tensor) => nd.linalg.cholesky(add(matmul(B, T(B)), nI));
  checkDerivatives(f, [randn(41, [n, n])]);
  // A + sym(S) parametrisation, perturbing S in any direction
  const A = spd(n, 42);
  checkDerivatives((S) => nd.linalg.cholesky(add(A, mul(add(S, T(S)), 0.5))), [randn(43, [n, n], 0.1)]);
  // forward mode uses sym(Ȧ); reverse mode returns a symmetric cotangent
  const E = randn(44, [n, n]);
  const [, d1] = jvp(nd.linalg.cholesky, [A], [E]);
  const [, d2] = jvp(nd.linalg.cholesky, [A], [mul(add(E, T(E)), 0.5)]);
  assertClose(d1, d2, 1e-14, 'JVP along E = JVP along sym(E)');
  const [, pullback] = vjp(nd.linalg.cholesky, A);
  const [Abar] = pullback(randn(45, [n, n])) as Tensor[];
  assertClose(Abar!, T(Abar!), 1e-15, 'Ā is symmetric');
  // L̇ is lower triangular and satisfies L̇Lᵀ + LL̇ᵀ = sym(Ȧ)
  const L = nd.linalg.cholesky(A);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) assert.equal(d1.data[i * n + j], 0);
  assertClose(add(matmul(d1, T(L)), matmul(L, T(d1))), mul(add(E, T(E)), 0.5), 1e-13, 'L̇Lᵀ + LL̇ᵀ = sym(Ȧ)');
});

test('cholesky: second order (HVP vs FD of the gradient)', () => {
  const n = 3;
  const W = randn(46, [n, n]);
  const nI = mul(eye(n), n);
  checkSecondOrder((B) => sum(mul(W, nd.linalg.cholesky(add(matmul(B, T(B)), nI)))), randn(47, [n, n]), 48);
});

test('logdet: value = log det = slogdet; gradient A⁻¹; Hessian vs closed form −tr(A⁻¹EA⁻¹E)', () => {
  const n = 3;
  const A = spd(n, 50);
  const Ai = dense.inv(A);
  assertClose(nd.linalg.logdet(A), Math.log(dense.det(A)), 1e-13, 'logdet');
  assertClose(nd.linalg.logdet(A), nd.linalg.slogdet(A).logabsdet, 1e-13, 'logdet vs slogdet');
  assertClose(nd.linalg.logdet(tensor([[4, 2], [2, 5]])), Math.log(16), 1e-15);
  assertClose(grad(nd.linalg.logdet)(A) as Tensor, Ai, 1e-13, '∇logdet = A⁻¹');
  // full Hessian [n, n, n, n] contracted with symmetric directions
  const H = hessian(nd.linalg.logdet)(A);
  assert.deepEqual(H.shape, [n, n, n, n]);
  const Hm = reshape(H, [n * n, n * n]);
  for (const seed of [51, 52, 53]) {
    const E = symRandom(n, seed);
    const e = reshape(E, [n * n]);
    const quad = dotArr(e.data, matmul(Hm, e).data);
    const AiE = matmul(Ai, E);
    assertClose(quad, -nd.trace(matmul(AiE, AiE)).item(), 1e-10, 'Eᵀ H E = −tr(A⁻¹EA⁻¹E)');
    // HVP: d(A⁻¹)[E] = −A⁻¹EA⁻¹
    assertClose(hvp(nd.linalg.logdet, [A], [E]), mul(-1, matmul(AiE, Ai)), 1e-12, 'HVP = −A⁻¹EA⁻¹');
  }
  checkDerivatives((B) => nd.linalg.logdet(add(matmul(B, T(B)), mul(eye(n), n))), [randn(54, [n, n])]);
});

// ---------------------------------------------------------------------------------------------
// det, slogdet

test('det and slogdet: values, gradients det·A⁻ᵀ and A⁻ᵀ, FD checks, second order', () => {
  const A = generalMatrix(4, 60);
  assertClose(nd.linalg.det(A), dense.det(A), 1e-14, 'det');
  assertClose(nd.linalg.det(tensor([[1, 2], [3, 4]])), -2, 1e-15);
  const { sign: s, logabsdet: l } = nd.linalg.slogdet(tensor([[1, 2], [3, 4]]));
  assert.equal(s.item(), -1);
  assertClose(l, Math.log(2), 1e-15);
  const AiT = T(dense.inv(A));
  assertClose(grad(nd.linalg.det)(A) as Tensor, mul(dense.det(A), AiT), 1e-13, '∇det = det·A⁻ᵀ');
  assertClose(grad((a: Tensor) => nd.linalg.slogdet(a).logabsdet)(A) as Tensor, AiT, 1e-13, '∇log|det| = A⁻ᵀ');
  assertClose(grad(nd.linalg.det)(tensor([[1, 2], [3, 4]])) as Tensor, [4, -3, -2, 1], 1e-14, 'det·A⁻ᵀ = adj(A)ᵀ');
  checkDerivatives(nd.linalg.det, [A]);
  checkDerivatives((a) => nd.linalg.slogdet(a).logabsdet, [A]);
  // negative determinant: the log-abs derivative is still A⁻ᵀ
  const Aneg = mul(A, tensor([[-1], [1], [1], [1]]));
  assert.equal(nd.linalg.slogdet(Aneg).sign.item(), -1);
  checkDerivatives((a) => nd.linalg.slogdet(a).logabsdet, [Aneg]);
  checkSecondOrder(nd.linalg.det, A, 61);
  checkSecondOrder((a) => nd.linalg.slogdet(a).logabsdet, A, 62);
  // sign has zero derivative
  assertClose(grad((a: Tensor) => nd.linalg.slogdet(a).sign)(A) as Tensor, new Float64Array(16), 0);
});

test('det/slogdet at a singular matrix: value 0 / [0, −∞], derivative throws SingularMatrixError', () => {
  const S = tensor([[1, 2], [2, 4]]);
  assert.equal(nd.linalg.det(S).item(), 0);
  const { sign: s, logabsdet: l } = nd.linalg.slogdet(S);
  assert.equal(s.item(), 0);
  assert.equal(l.item(), -Infinity);
  assert.throws(() => grad(nd.linalg.det)(S), SingularMatrixError);
  assert.throws(() => grad((a: Tensor) => nd.linalg.slogdet(a).logabsdet)(S), SingularMatrixError);
});

// ---------------------------------------------------------------------------------------------
// eigh

/** A symmetric matrix with eigenvalues near 1, 2.5, 4, 6 (gaps ≥ 1). */
function separatedSymmetric(seed: number): Tensor {
  return add(tensor([[1, 0, 0, 0], [0, 2.5, 0, 0], [0, 0, 4, 0], [0, 0, 0, 6]]), mul(symRandom(4, seed), 0.1));
}

test('eigh: A·V = V·Λ, VᵀV = I, ascending eigenvalues, matches the numeric kernel', () => {
  const A = symRandom(5, 70);
  const { eigenvalues: lam, eigenvectors: V } = nd.linalg.eigh(A);
  assert.deepEqual(lam.shape, [5]);
  assert.deepEqual(V.shape, [5, 5]);
  for (let i = 1; i < 5; i++) assert.ok(lam.data[i]! >= lam.data[i - 1]!);
  assertClose(matmul(A, V), mul(V, reshape(lam, [1, 5])), 1e-13, 'A V = V Λ');
  assertClose(matmul(T(V), V), eye(5), 1e-13, 'Vᵀ V = I');
  assertClose(lam, dense.eigvalsh(A), 1e-13, 'vs numeric eigenvalues');
  assertClose(nd.linalg.eigh(tensor([[2, 1], [1, 2]])).eigenvalues, [1, 3], 1e-15);
});

test('eigh: JVP and VJP vs FD for sign-invariant functions under symmetric perturbations', () => {
  const A0 = separatedSymmetric(71);
  const S = (B: Tensor) => add(A0, add(B, T(B)));
  const B0 = randn(72, [4, 4], 0.05);
  // eigenvalues, Σλ², V·tanh(Λ)·Vᵀ, |V_ij|²
  checkDerivatives((B) => nd.linalg.eigh(S(B)).eigenvalues, [B0]);
  checkDerivatives((B) => sum(square(nd.linalg.eigh(S(B)).eigenvalues)), [B0]);
  checkDerivatives((B) => {
    const { eigenvalues: lam, eigenvectors: V } = nd.linalg.eigh(S(B));
    return matmul(mul(V, reshape(nd.tanh(lam), [1, 4])), T(V));
  }, [B0]);
  checkDerivatives((B) => square(nd.linalg.eigh(S(B)).eigenvectors), [B0]);
  // direct symmetric input with a symmetric direction: λ̇ = diag(VᵀȦV)
  const { eigenvalues: lam, eigenvectors: V } = nd.linalg.eigh(A0);
  const E = symRandom(4, 73);
  const [, dlam] = jvp((a: Tensor) => nd.linalg.eigvalsh(a), [A0], [E]);
  assertClose(dlam!, nd.diag(matmul(matmul(T(V), E), V)), 1e-13, 'λ̇ = diag(VᵀȦV)');
  assert.ok(allFinite(lam));
});

test('eigh: second order — Hessian of Σλ² equals that of ‖S‖_F², HVP of an eigenvector function vs FD', () => {
  const n = 3;
  const B0 = randn(74, [n, n]);
  const viaEigh = (B: Tensor) => sum(square(nd.linalg.eigh(add(B, T(B))).eigenvalues));
  const direct = (B: Tensor) => sum(square(add(B, T(B))));
  assertClose(viaEigh(B0), direct(B0), 1e-12, 'Σλ² = ‖S‖_F²');
  assertClose(hessian(viaEigh)(B0), hessian(direct)(B0), 1e-10, 'Hessians');
  const A0 = separatedSymmetric(75);
  const W = randn(76, [4, 4]);
  checkSecondOrder((B) => sum(mul(W, square(nd.linalg.eigh(add(A0, add(B, T(B)))).eigenvectors))), randn(77, [4, 4], 0.05), 78);
});

/** A = Q·diag(1, 1, 3)·Qᵀ (symmetrised) with a random orthogonal Q: the computed eigenvalues 1, 1 differ by O(ε). */
function doubleEigenvalue(seed: number): Tensor {
  const Q = dense.qr(randn(seed, [3, 3])).Q;
  const A = matmul(mul(Q, tensor([[1, 1, 3]])), T(Q));
  return mul(add(A, T(A)), 0.5);
}
/** ⟨W, V·Λ·Vᵀ⟩ (= ⟨W, A⟩ for symmetric A). */
const reconstruct = (W: Tensor, opts: nd.linalg.EighOptions = {}) => (a: Tensor) => {
  const { eigenvalues: lam, eigenvectors: V } = nd.linalg.eigh(a, opts);
  return sum(mul(W, matmul(mul(V, reshape(lam, [1, a.shape[0]!])), T(V))));
};

test('eigh: repeated eigenvalues — default policy: exact for spectral functions and cluster projectors, Clarke element for λ_min, never NaN', () => {
  const A = doubleEigenvalue(80);
  const W = randn(81, [3, 3]);
  const symW = mul(add(W, T(W)), 0.5);
  const dirs = (B: Tensor) => add(A, add(B, T(B)));
  const B0 = tensor(new Float64Array(9), [3, 3]); // evaluate exactly at the degenerate point
  for (const M of [A, eye(3), tensor([[2, 0, 0], [0, 2, 0], [0, 0, 5]])]) {
    // spectral functions: Σλ² (∇ = 2A), Σ exp(λ) = tr exp(A)
    assertClose(grad((a: Tensor) => sum(square(nd.linalg.eigh(a).eigenvalues)))(M) as Tensor, mul(2, M), 1e-12, '∇Σλ² = 2A');
    const g = grad((a: Tensor) => sum(nd.exp(nd.linalg.eigh(a).eigenvalues)))(M) as Tensor;
    assert.ok(allFinite(g));
    // a function that depends on the basis still gets finite values (never NaN), in both modes
    assert.ok(allFinite(grad((a: Tensor) => sum(mul(W, square(nd.linalg.eigh(a).eigenvectors))))(M) as Tensor));
    assert.ok(allFinite(jvp((a: Tensor) => nd.linalg.eigh(a).eigenvectors, [M], [symRandom(3, 82)])[1]));
    assert.ok(allFinite(grad(reconstruct(W))(M) as Tensor));
    assert.ok(allFinite(hvp(reconstruct(W), [M], [symRandom(3, 83)])));
  }
  // exact derivatives at the degenerate point vs FD (the perturbations split the double eigenvalue)
  checkDerivatives((B) => sum(nd.exp(nd.linalg.eigh(dirs(B)).eigenvalues)), [B0]);
  checkDerivatives((B) => {
    const Vc = nd.sliceAxis(nd.linalg.eigh(dirs(B)).eigenvectors, 0, 2, { axis: 1 }); // eigenspace of the double eigenvalue
    return sum(mul(W, matmul(Vc, T(Vc)))); // its spectral projector
  }, [B0]);
  checkDerivatives((B) => {
    const v = reshape(nd.sliceAxis(nd.linalg.eigh(dirs(B)).eigenvectors, 2, 3, { axis: 1 }), [3]); // simple eigenvalue
    return nd.outer(v, v);
  }, [B0]);
  // λ_min of the double eigenvalue is not differentiable: the gradient is v·vᵀ for a unit v of the eigenspace
  const G = grad((a: Tensor) => sum(nd.sliceAxis(nd.linalg.eigh(a).eigenvalues, 0, 1)))(A) as Tensor;
  assertClose(nd.trace(G), 1, 1e-12, 'tr ∇λ_min = 1');
  assertClose(matmul(G, G), G, 1e-12, '∇λ_min is a rank-one projector');
  const V = nd.linalg.eigh(A).eigenvectors;
  const Vc = nd.sliceAxis(V, 0, 2, { axis: 1 });
  const Pc = matmul(Vc, T(Vc));
  assertClose(matmul(matmul(Pc, G), Pc), G, 1e-12, '∇λ_min lies in the eigenspace');
  // with separated eigenvalues the reconstruction gradient is exactly sym(W)
  const As = nd.sliceAxis(nd.sliceAxis(separatedSymmetric(84), 0, 3), 0, 3, { axis: 1 });
  assertClose(grad(reconstruct(W))(As) as Tensor, symW, 1e-12, '∇⟨W, VΛVᵀ⟩ = sym(W) (separated)');
});

test("eigh: onDegenerate 'throw' raises InvertibilityError when the result may depend on the basis", () => {
  const A = doubleEigenvalue(85);
  const opts = { onDegenerate: 'throw' as const };
  const W = randn(86, [3, 3]);
  // refused: individual eigenvectors of the cluster, matrix functions V g(Λ) Vᵀ, λ_min of the double eigenvalue
  assert.throws(() => grad((a: Tensor) => sum(mul(W, square(nd.linalg.eigh(a, opts).eigenvectors))))(A), InvertibilityError);
  assert.throws(() => grad(reconstruct(W, opts))(A), InvertibilityError);
  assert.throws(() => grad((a: Tensor) => sum(nd.sliceAxis(nd.linalg.eigh(a, opts).eigenvalues, 0, 1)))(A), InvertibilityError);
  assert.throws(() => jvp((a: Tensor) => nd.linalg.eigh(a, opts).eigenvectors, [A], [symRandom(3, 87)]), InvertibilityError);
  // accepted: spectral functions, eigenvectors of the simple eigenvalue
  assert.doesNotThrow(() => grad((a: Tensor) => sum(square(nd.linalg.eigh(a, opts).eigenvalues)))(A));
  assert.doesNotThrow(() => grad((a: Tensor) => sum(nd.exp(nd.linalg.eigh(a, opts).eigenvalues)))(A));
  assert.doesNotThrow(() => grad((a: Tensor) => sum(mul(W, square(nd.sliceAxis(nd.linalg.eigh(a, opts).eigenvectors, 2, 3, { axis: 1 })))))(A));
  // separated eigenvalues: never throws
  const As = separatedSymmetric(88);
  const W4 = randn(89, [4, 4]);
  assert.doesNotThrow(() => grad((a: Tensor) => sum(mul(W4, square(nd.linalg.eigh(a, opts).eigenvectors))))(As));
  assert.doesNotThrow(() => jvp((a: Tensor) => nd.linalg.eigh(a, opts), [As], [symRandom(4, 90)]));
  // degenerateTol: 0 treats only exact ties as degenerate (the O(ε) gap then gives a huge but finite derivative)
  assert.ok(allFinite(grad((a: Tensor) => sum(mul(W, square(nd.linalg.eigh(a, { degenerateTol: 0 }).eigenvectors))))(A) as Tensor));
  assert.throws(() => nd.linalg.eigh(A, { degenerateTol: -1 }), InvalidArgumentError);
  assert.throws(() => nd.linalg.eigh(A, { onDegenerate: 'ignore' as never }), InvalidArgumentError);
});

// ---------------------------------------------------------------------------------------------
// lstsq

test('lstsq: agrees with the normal equations and the numeric lstsq; residual orthogonal to range(A)', () => {
  const A = randn(90, [7, 3]);
  const b = randn(91, [7]);
  const x = nd.linalg.lstsq(A, b).x;
  assert.deepEqual(x.shape, [3]);
  const xNormal = nd.linalg.solve(matmul(T(A), A), matmul(T(A), b));
  assertClose(x, xNormal, 1e-12, 'vs normal equations');
  assertClose(x, dense.lstsq(A, b).x, 1e-13, 'vs numeric lstsq');
  const r = sub(b, matmul(A, x));
  assertClose(matmul(T(A), r), [0, 0, 0], { atol: 1e-13 }, 'Aᵀ r = 0'); // absolute: A, b have O(1) entries
  const B = randn(92, [7, 2]);
  const X = nd.linalg.lstsq(A, B).x;
  assert.deepEqual(X.shape, [3, 2]);
  assertClose(X, nd.linalg.solve(matmul(T(A), A), matmul(T(A), B)), 1e-12, 'matrix b vs normal equations');
  assertClose(nd.linalg.lstsq(tensor([[1, 0], [1, 1], [1, 2]]), tensor([1, 3, 5])).x, [1, 2], 1e-14);
  // square, nonsingular A: lstsq = solve
  const Sq = generalMatrix(3, 93);
  const c = randn(94, [3]);
  assertClose(nd.linalg.lstsq(Sq, c).x, nd.linalg.solve(Sq, c), 1e-13, 'square A: lstsq = solve');
});

test('lstsq: JVP and VJP vs FD in A and b (vector and matrix b), dot-product test', () => {
  const A = randn(95, [6, 3]);
  checkDerivatives((a, b) => nd.linalg.lstsq(a, b).x, [A, randn(96, [6])]);
  checkDerivatives((a, b) => nd.linalg.lstsq(a, b).x, [A, randn(97, [6, 2])]);
  checkDerivatives((a) => nd.linalg.lstsq(a, tensor([1, 0, -1, 2, 0.5, -0.3])).x, [A]);
});

test('lstsq: second order — Hessian in b is 2PᵀP (P = (AᵀA)⁻¹Aᵀ), HVP in A vs FD of the gradient', () => {
  const A = randn(98, [5, 2]);
  const b = randn(99, [5]);
  const H = hessian((bb: Tensor) => sum(square(nd.linalg.lstsq(A, bb).x)))(b);
  const P = nd.linalg.solve(matmul(T(A), A), T(A));
  assertClose(H, mul(2, matmul(T(P), P)), 1e-12, 'H = 2PᵀP');
  checkSecondOrder((a) => sum(square(nd.linalg.lstsq(a, b).x)), A, 100);
  checkSecondOrder((a) => sum(mul(tensor([[1, -1], [0.5, 2]]), square(nd.linalg.lstsq(a, randn(101, [5, 2])).x))), A, 102, 1e-6, randn(103, [5, 2]));
});

// ---------------------------------------------------------------------------------------------
// errors and properties

test('typed errors: singular, non-square, shape mismatch, not PD, not symmetric, NaN, rank deficient', () => {
  const sing = tensor([[1, 2], [2, 4]]);
  assert.throws(() => nd.linalg.solve(sing, tensor([1, 1])), SingularMatrixError);
  assert.throws(() => nd.linalg.solve(tensor([[1, 1], [1, 1 + 1e-17]]), tensor([1, 1])), SingularMatrixError);
  assert.throws(() => nd.linalg.inv(sing), SingularMatrixError);
  assert.throws(() => nd.linalg.solve(tensor([[1, 2, 3], [4, 5, 6]]), tensor([1, 2])), ShapeError);
  assert.throws(() => nd.linalg.solve(eye(3), tensor([1, 2])), ShapeError);
  assert.throws(() => nd.linalg.solve(eye(2), tensor([[[1]], [[2]]])), ShapeError);
  assert.throws(() => nd.linalg.solve(tensor([1, 2]), tensor([1, 2])), ShapeError);
  assert.throws(() => nd.linalg.solve(tensor([[1, NaN], [0, 1]]), tensor([1, 2])), NonFiniteError);
  assert.throws(() => nd.linalg.solve(eye(2), tensor([1, NaN])), NonFiniteError);
  assert.throws(() => nd.linalg.inv(tensor([[1, 2, 3]])), ShapeError);
  assert.throws(() => nd.linalg.det(tensor([[1, 2, 3]])), ShapeError);
  assert.throws(() => nd.linalg.det(tensor([[1, Infinity], [0, 1]])), NonFiniteError);

  assert.throws(() => nd.linalg.triangularSolve(tensor([[1, 0], [1, 0]]), tensor([1, 1]), { lower: true }), SingularMatrixError);
  assert.doesNotThrow(() => nd.linalg.triangularSolve(tensor([[0, 0], [1, 0]]), tensor([1, 1]), { lower: true, unitDiagonal: true }));
  assert.throws(() => nd.linalg.triangularSolve(eye(2), tensor([1, 1, 1]), { lower: true }), ShapeError);
  assert.throws(() => nd.linalg.triangularSolve(tensor([[1, 0, 0], [1, 1, 0]]), tensor([1, 1]), { lower: true }), ShapeError);
  assert.throws(() => nd.linalg.triangularSolve(tensor([[1, 0], [NaN, 1]]), tensor([1, 1]), { lower: true }), NonFiniteError);
  assert.throws(() => nd.linalg.triangularSolve(eye(2), tensor([1, 1]), {} as never), InvalidArgumentError);

  assert.throws(() => nd.linalg.cholesky(tensor([[1, 2], [2, 1]])), NotPositiveDefiniteError);
  assert.throws(() => nd.linalg.cholesky(tensor([[2, 1], [0, 2]])), nd.NotSymmetricError); // not symmetric
  assert.throws(() => nd.linalg.cholesky(tensor([[1, 2, 3]])), ShapeError);
  assert.throws(() => nd.linalg.cholesky(tensor([[NaN, 0], [0, 1]])), NonFiniteError);
  assert.throws(() => nd.linalg.logdet(tensor([[-1, 0], [0, 1]])), NotPositiveDefiniteError);

  assert.throws(() => nd.linalg.eigh(tensor([[1, 2], [0, 1]])), (e: unknown) => e instanceof nd.NotSymmetricError && /linalg\.eigh\(\)/.test((e as Error).message));
  assert.throws(() => nd.linalg.cholesky(tensor([[1, 2], [0, 1]])), (e: unknown) => e instanceof nd.NotSymmetricError && !(e instanceof NotPositiveDefiniteError));
  assert.throws(() => nd.linalg.eigh(tensor([[1, 2, 3]])), ShapeError);
  assert.throws(() => nd.linalg.eigh(tensor([[1, NaN], [NaN, 1]])), NonFiniteError);

  const rankDef = tensor([[1, 2], [2, 4], [3, 6]]);
  // rank deficient / underdetermined: the minimum-norm solution A⁺b
  assertClose(nd.linalg.lstsq(rankDef, tensor([1, 2, 3])).x, matmul(nd.linalg.pinv(rankDef), tensor([1, 2, 3])), 1e-13, 'rank deficient');
  assertClose(nd.linalg.lstsq(tensor([[1, 2, 3]]), tensor([14])).x, [1, 2, 3], 1e-13, 'underdetermined');
  assert.throws(() => nd.linalg.lstsq(eye(3), tensor([1, 2])), ShapeError);
  assert.throws(() => nd.linalg.lstsq(tensor([1, 2, 3]), tensor([1, 2, 3])), ShapeError);
  assert.throws(() => nd.linalg.lstsq(tensor([[1], [NaN]]), tensor([1, 2])), NonFiniteError);
  assert.throws(() => nd.linalg.lstsq(eye(2), tensor([1, 2]), { rcond: -1 }), InvalidArgumentError);
  // errors surface through transformations too
  assert.throws(() => grad((a: Tensor) => sum(nd.linalg.solve(a, tensor([1, 1]))))(sing), SingularMatrixError);
  assert.throws(() => jvp(nd.linalg.cholesky, [tensor([[1, 2], [2, 1]])], [eye(2)]), NotPositiveDefiniteError);
});

test('LU cache: an in-place change of A is detected (no stale factorization)', () => {
  const A = tensor([[2, 1], [1, 3]]);
  const b = tensor([1, 2]);
  const x1 = nd.linalg.solve(A, b);
  assertClose(matmul(A, x1), b, 1e-15);
  A.data[0] = 5; // users should not do this, but it must not return a wrong answer
  const x2 = nd.linalg.solve(A, b);
  assertClose(matmul(A, x2), b, 1e-15, 'after mutation');
  assert.equal(nd.linalg.det(A).item(), 14);
});

test('property: random well-conditioned systems — identities and derivatives (fast-check)', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 5 }),
      fc.integer({ min: 1, max: 1000 }),
      (n, seed) => {
        const A = add(randn(seed, [n, n], 0.3 / Math.sqrt(n)), mul(eye(n), 1.5));
        const b = randn(seed + 1, [n, 2]);
        const x = nd.linalg.solve(A, b);
        assertClose(matmul(A, x), b, 1e-12, 'A x = b');
        checkDerivatives((a, bb) => nd.linalg.solve(a, bb), [A, b]);
        const S = add(matmul(A, T(A)), eye(n));
        const L = nd.linalg.cholesky(S);
        assertClose(matmul(L, T(L)), S, 1e-12, 'L Lᵀ');
        assertClose(nd.linalg.logdet(S), nd.linalg.slogdet(S).logabsdet, 1e-12, 'logdet');
        const { eigenvalues: lam, eigenvectors: V } = nd.linalg.eigh(S);
        assertClose(matmul(S, V), mul(V, reshape(lam, [1, n])), 1e-12, 'S V = V Λ');
        checkDerivatives((B) => nd.linalg.eigh(add(S, add(B, T(B)))).eigenvalues, [randn(seed + 2, [n, n], 0.01)]);
      },
    ),
    { numRuns: 15, seed: 7 },
  );
});

// ---------------------------------------------------------------------------------------------
// SVD family: svd, svdvals, pinv, cond, eigvalsh

/** Sign-invariant functions of a thin SVD: U·diag(g(s))·Vh and the singular values. */
const svdFns = (W: Tensor) => (a: Tensor): Tensor => {
  const { U, S, Vh } = nd.linalg.svd(a);
  return add(sum(mul(W, matmul(mul(U, reshape(square(S), [1, S.size])), Vh))), sum(mul(S, S)));
};

test('svd: U·diag(S)·Vh = A, orthonormal factors; derivatives vs FD (square, tall, wide), dot-product test, second order', () => {
  for (const [m, n] of [[4, 4], [5, 3], [3, 5]] as const) {
    const A = randn(200 + m * 10 + n, [m, n]);
    const { U, S, Vh } = nd.linalg.svd(A);
    const K = Math.min(m, n);
    assert.deepEqual([U.shape, S.shape, Vh.shape], [[m, K], [K], [K, n]]);
    assertClose(matmul(mul(U, reshape(S, [1, K])), Vh), A, 1e-13, 'U·diag(S)·Vh = A');
    assertClose(matmul(T(U), U), eye(K), 1e-13, 'UᵀU = I');
    assertClose(matmul(Vh, T(Vh)), eye(K), 1e-13, 'Vh·Vhᵀ = I');
    checkDerivatives((a) => nd.linalg.svd(a).S, [A], { rtol: 1e-7 });
    checkDerivatives(svdFns(randn(300 + m, [m, n])), [A], { rtol: 1e-7 });
    // products u_i v_iᵀ are gauge-invariant: differentiate the rank-one pieces of U·Vh
    checkDerivatives((a) => { const { U: u, Vh: vh } = nd.linalg.svd(a); return matmul(u, vh); }, [A], { rtol: 1e-6 });
    checkSecondOrder((a) => sum(square(nd.linalg.svd(a).S)), A, 400 + m, 1e-6);
    checkSecondOrder(svdFns(randn(310 + m, [m, n])), A, 410 + m, 1e-5);
  }
  // closed forms: ∇Σσ_i = U·Vh (nuclear norm), ∇σ_i = u_i v_iᵀ, ∇Σσ_i² = 2A
  const A = randn(33, [4, 3]);
  const { U, Vh } = nd.linalg.svd(A);
  assertClose(grad((a: Tensor) => sum(nd.linalg.svd(a).S))(A) as Tensor, matmul(U, Vh), 1e-12, '∇‖A‖_* = U·Vh');
  assertClose(grad((a: Tensor) => sum(square(nd.linalg.svdvals(a))))(A) as Tensor, mul(A, 2), 1e-12, '∇‖A‖_F² = 2A');
  assertClose(nd.linalg.svdvals(A), nd.linalg.svd(A).S, 1e-13, 'svdvals = svd().S');
});

test('svd: repeated and zero singular values give finite derivatives, exact for symmetric functions', () => {
  // orthogonal Q: all σ = 1 (one cluster); Σσ_i² = ‖A‖_F² has gradient 2A
  const Q = nd.linalg.qr(randn(41, [3, 3])).Q;
  const g = grad((a: Tensor) => sum(square(nd.linalg.svdvals(a))))(Q) as Tensor;
  assertClose(g, mul(Q, 2), 1e-12, 'gradient of Σσ² at a repeated σ');
  const gv = grad((a: Tensor) => sum(mul(randn(42, [3, 3]), matmul(nd.linalg.svd(a).U, nd.linalg.svd(a).Vh))))(Q) as Tensor;
  assert.ok(allFinite(gv), 'no NaN at repeated singular values');
  // rank-deficient tall matrix (a zero singular value): finite, and Σσ² still exact
  const R = tensor([[1, 2], [2, 4], [0, 0]]);
  const gr = grad((a: Tensor) => sum(square(nd.linalg.svd(a).S)))(R) as Tensor;
  assertClose(gr, mul(R, 2), 1e-12, 'Σσ² at a zero σ');
  assert.ok(allFinite(jvp((a: Tensor) => nd.linalg.svd(a).U, [R], [randn(43, [3, 2])])[1]));
});

test('pinv: Moore–Penrose value; derivative at constant rank vs FD (full rank tall/wide, rank deficient); = inv when square', () => {
  for (const [m, n] of [[5, 3], [3, 5]] as const) {
    const A = randn(500 + m, [m, n]);
    checkDerivatives((a) => nd.linalg.pinv(a), [A], { rtol: 1e-7 });
    checkSecondOrder((a) => sum(square(nd.linalg.pinv(a))), A, 510 + m, 1e-5);
  }
  // rank 1 (constant along rank-preserving perturbations B ↦ u·(v + B)ᵀ)
  const u = randn(520, [4, 1]);
  const f = (b: Tensor) => nd.linalg.pinv(matmul(u, T(b)));
  checkDerivatives(f, [randn(521, [3, 1])], { rtol: 1e-7 });
  const S = generalMatrix(4, 522);
  assertClose(nd.linalg.pinv(S), nd.linalg.inv(S), 1e-12, 'pinv = inv for invertible A');
  assertClose(grad((a: Tensor) => sum(nd.linalg.pinv(a)))(S) as Tensor, grad((a: Tensor) => sum(nd.linalg.inv(a)))(S) as Tensor, 1e-10, '∇pinv = ∇inv');
});

test('cond and eigvalsh: values and derivatives vs FD and closed forms', () => {
  const A = randn(600, [4, 3]);
  const s = nd.linalg.svdvals(A).data;
  assertClose(nd.linalg.cond(A), s[0]! / s[2]!, 1e-14, 'κ₂ = σ_max/σ_min');
  checkDerivatives((a) => nd.linalg.cond(a), [A], { rtol: 1e-7 });
  assert.equal(nd.linalg.cond(tensor([[1, 1], [1, 1]])).item(), Infinity);
  assert.throws(() => grad((a: Tensor) => nd.linalg.cond(a))(tensor([[1, 0], [0, 0]])), SingularMatrixError);
  // eigvalsh: ∇Σλ = I (the issue's example), ∇λ_i = v_i v_iᵀ, second order
  assertClose(grad((a: Tensor) => sum(nd.linalg.eigvalsh(a)))(tensor([[2, 1], [1, 3]])) as Tensor, [1, 0, 0, 1], 1e-14, '∇Σλ = I');
  const B0 = randn(601, [4, 4]);
  const symOf = (b: Tensor) => mul(add(b, T(b)), 0.5);
  checkDerivatives((b) => nd.linalg.eigvalsh(symOf(b)), [B0]);
  checkSecondOrder((b) => sum(square(nd.linalg.eigvalsh(symOf(b)))), B0, 602);
  assertClose(nd.linalg.eigvalsh(symOf(B0)), nd.linalg.eigh(symOf(B0)).eigenvalues, 1e-14, 'eigvalsh = eigh().eigenvalues');
});

test('lstsq result object: residuals and singular values are differentiable; rank-deficient x differentiable at constant rank', () => {
  const A = randn(700, [6, 3]);
  const b = randn(701, [6]);
  const r = nd.linalg.lstsq(A, b);
  assert.equal(r.rank, 3);
  assertClose(r.residuals, sum(square(sub(b, matmul(A, r.x)))), 1e-13, 'residuals');
  checkDerivatives((a, bb) => nd.linalg.lstsq(a, bb).residuals, [A, b], { rtol: 1e-7 });
  checkDerivatives((a) => nd.linalg.lstsq(a, b).singularValues, [A], { rtol: 1e-7 });
  // underdetermined (m < n): x = A⁺b, differentiable
  checkDerivatives((a, bb) => nd.linalg.lstsq(a, bb).x, [randn(702, [3, 5]), randn(703, [3])], { rtol: 1e-7 });
});

test('qr: reduced QR of tall/square A is differentiable (FD, dot-product, second order, QᵀQ̇ antisymmetric); wide refuses', () => {
  for (const [m, n] of [[5, 3], [3, 3]] as const) {
    const A = randn(900 + m, [m, n]);
    const { Q, R } = nd.linalg.qr(A);
    assertClose(matmul(Q, R), A, 1e-13, 'QR = A');
    checkDerivatives((a) => nd.linalg.qr(a).Q, [A]);
    checkDerivatives((a) => nd.linalg.qr(a).R, [A]);
    checkSecondOrder((a) => sum(square(nd.linalg.qr(a).R)), A, 910 + m);
    const [, dQ] = jvp((a: Tensor) => nd.linalg.qr(a).Q, [A], [randn(920, [m, n])]);
    const QtdQ = matmul(T(Q), dQ);
    assertClose(add(QtdQ, T(QtdQ)), new Float64Array(n * n), { atol: 1e-12 }, 'QᵀQ̇ antisymmetric'); // absolute: = 0, Q orthonormal, Ȧ O(1)
  }
  assert.throws(() => grad((a: Tensor) => sum(nd.linalg.qr(a).R))(randn(930, [2, 4])), nd.ConcretizationError);
  assert.throws(() => grad((a: Tensor) => sum(nd.linalg.qr(a).R))(tensor([[1, 2], [2, 4], [3, 6]])), SingularMatrixError);
});

test('lu, qr, matrixRank, condEstimate refuse traced input (ConcretizationError naming the alternative)', () => {
  const A = generalMatrix(3, 800);
  const refusing: [string, (a: Tensor) => unknown][] = [
    ['linalg.lu()', (a) => nd.linalg.lu(a).U],
    ['linalg.qr()', (a) => nd.linalg.qr(a, { mode: 'complete' }).R],
    ['linalg.matrixRank()', (a) => nd.linalg.matrixRank(a)],
    ['linalg.condEstimate()', (a) => nd.linalg.condEstimate(a)],
  ];
  for (const [name, f] of refusing) {
    assert.throws(() => grad((a: Tensor) => { f(a); return sum(a); })(A), (e: unknown) => e instanceof nd.ConcretizationError && (e as Error).message.startsWith(name), name);
    assert.doesNotThrow(() => f(A), name);
  }
  assert.throws(() => nd.linalg.solve(A, tensor([1, 2, 3]), { asume: 'spd' } as never), /did you mean 'assume'/);
});

test('solve with assume spd / lower / upper is differentiable (FD, dot-product) and agrees with the general solve', () => {
  const n = 4;
  const A = spd(n, 950);
  const b = randn(951, [n, 2]);
  assertClose(nd.linalg.solve(A, b, { assume: 'spd' }), nd.linalg.solve(A, b), 1e-12, 'spd = general');
  // SPD: derivative along symmetric perturbations (the documented convention)
  checkDerivatives((B, bb) => nd.linalg.solve(add(A, mul(add(B, T(B)), 0.05)), bb, { assume: 'spd' }), [randn(952, [n, n]), b]);
  for (const assume of ['lower', 'upper'] as const) {
    const Tm = generalMatrix(n, 953);
    const tri = mul(Tm, triangle(n, assume === 'lower'));
    assertClose(nd.linalg.solve(Tm, b, { assume }), nd.linalg.solve(tri, b), 1e-12, `${assume} reads one triangle`);
    checkDerivatives((t, bb) => nd.linalg.solve(t, bb, { assume }), [Tm, b]);
    // the derivative lives on the triangle that is read
    const g = grad((t: Tensor) => sum(nd.linalg.solve(t, b, { assume })))(Tm) as Tensor;
    assertClose(mul(g, sub(1, triangle(n, assume === 'lower'))), new Float64Array(n * n), 0, 'zero outside the triangle');
  }
  // rcondTol is honoured under transformations too
  const near = tensor([[1, 1], [1, 1 + 2 ** -52]]);
  assert.throws(() => grad((a: Tensor) => sum(nd.linalg.inv(a)))(near), SingularMatrixError);
  assert.doesNotThrow(() => grad((a: Tensor) => sum(nd.linalg.solve(a, tensor([1, 2]), { rcondTol: 0 })))(near));
});
