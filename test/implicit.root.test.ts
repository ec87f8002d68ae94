/**
 * @file customRoot / customFixedPoint mechanics: derivatives in both modes and of every order
 * against closed forms and finite differences, parameter trees, zero gradient w.r.t. init,
 * every linear solver, the active-set restriction, failure policies, reports and diagnostics; the
 * checks of the user's solver output (shape against init and against F, finiteness, traced-ness, all
 * naming `solve` and both shapes) and which call `lastReport` describes (a transform's own re-runs
 * do not replace it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  add, ConvergenceError, customFixedPoint, customRoot, grad, hessian, index, InvalidArgumentError, InvertibilityError,
  jacobian, jvp, matmul, mul, NonFiniteError, relu, rng, scalar, ShapeError, stack, sub, sum, tanh, tensor, transpose, vjp,
  withKinkPolicy, type ImplicitReport, type LinearSolverName, type Tensor,
} from '../src/index.js';
import { linalg } from '../src/index.js';
import { collectWarnings } from './fixtures/warnings.js';
import { assertClose, checkDerivatives, checkDotProduct, checkJvpFd, checkVjpFd, flatValues } from './helpers.js';

/** Newton for y³ + y = x, elementwise (concrete). */
function cubicSolve(x: Tensor): Tensor {
  return tensor(Array.from(x.data, (xv) => {
    let y = 0;
    for (let i = 0; i < 100; i++) y -= (y * y * y + y - xv) / (3 * y * y + 1);
    return y;
  }), x.shape);
}
const cubicF = (x: Tensor, y: Tensor): Tensor => sub(add(mul(mul(y, y), y), y), x);

test('scalar nonlinear root: grad, jvp, Hessian and third derivative match closed forms', () => {
  // y(x): y³ + y = x.  y' = 1/(3y² + 1), y'' = −6y·y'³, y''' = −6y'⁴ − 18y·y'²·y''
  for (const linearSolver of ['lu', 'gmres'] as const) {
    const f = customRoot(cubicF, cubicSolve, { linearSolver });
    const x = tensor([2, 10, -0.5]);
    const y = f(x).data;
    const d1 = Array.from(y, (v) => 1 / (3 * v * v + 1));
    const d2 = Array.from(y, (v, i) => -6 * v * d1[i]! ** 3);
    const d3 = Array.from(y, (v, i) => -6 * d1[i]! ** 4 - 18 * v * d1[i]! ** 2 * d2[i]!);
    const F1 = (z: Tensor) => sum(f(z));
    assertClose(grad(F1)(x), d1, 1e-14, `${linearSolver} grad`);
    assertClose(jvp(f, [x], [tensor([1, 1, 1])])[1], d1, 1e-14, `${linearSolver} jvp`);
    assertClose(hessian(F1)(x), [d2[0]!, 0, 0, 0, d2[1]!, 0, 0, 0, d2[2]!], 1e-13, `${linearSolver} hessian`);
    const F2 = (z: Tensor) => sum(grad(F1)(z));
    assertClose(grad(F2)(x), d2, 1e-13, `${linearSolver} grad∘grad`);
    assertClose(grad((z: Tensor) => sum(grad(F2)(z)))(x), d3, 1e-12, `${linearSolver} third order (reverse³)`);
    assertClose(jvp((z: Tensor) => grad(F2)(z), [x], [tensor([1, 1, 1])])[1], d3, 1e-12, `${linearSolver} third order (jvp∘grad∘grad)`);
  }
});

/** y = x + 0.3·tanh(W y): a contraction for ‖W‖ < 1/0.3; solved by fixed-point iteration. */
function tanhSystem(seed: number, n = 5) {
  const W = mul(rng(seed).normal([n, n]), 0.4 / Math.sqrt(n));
  const T = (x: Tensor, y: Tensor): Tensor => add(x, mul(tanh(matmul(W, y)), 0.3));
  const solve = (x: Tensor, init: Tensor | undefined): Tensor => {
    let y = init ?? x;
    for (let k = 0; k < 200; k++) y = T(x, y);
    return tensor(Float64Array.from(y.data));
  };
  return { W, T, solve, n };
}

test('vector fixed point: JVP, VJP and finite differences agree (dot-product test)', () => {
  const { T, solve, n } = tanhSystem(1);
  const x = rng(2).normal([n]);
  for (const linearSolver of ['lu', 'gmres', 'bicgstab', 'fixed-point', 'lsqr', 'normal-cg'] as LinearSolverName[]) {
    const y = customFixedPoint(T, solve, { linearSolver });
    checkJvpFd((z: Tensor) => y(z), [x], { rtol: 1e-8 });
    checkVjpFd((z: Tensor) => y(z), [x], { rtol: 1e-8 });
    checkDotProduct((z: Tensor) => y(z), [x], { rtol: linearSolver === 'lu' ? 1e-14 : 1e-9 });
  }
  // closed form: J = (I − D·W·0.3)⁻¹ with D = diag(1 − tanh²(W y))
  const y = customFixedPoint(T, solve);
  const J = jacobian(y)(x);
  const yv = y(x);
  const inner = tanh(matmul(tanhSystem(1).W, yv)).data;
  const Wd = tanhSystem(1).W.data;
  const B = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) B[i * n + j] = (i === j ? 1 : 0) - 0.3 * (1 - inner[i]! ** 2) * Wd[i * n + j]!;
  const BJ = matmul(tensor(B, [n, n]), J);
  assertClose(BJ, tensor(Array.from({ length: n * n }, (_, k) => (Math.floor(k / n) === k % n ? 1 : 0)), [n, n]), 1e-13, 'B·J = I');
});

test('parameter trees in x and y; the gradient with respect to init is zero', () => {
  // x = { a: [2], s: scalar }, y = [u: [2], { v: scalar }]:  u = a·s + 0.1·v,  v³ + v = sum(u)
  type X = { a: Tensor; s: Tensor };
  type Y = [Tensor, { v: Tensor }];
  let initSeen: Y | undefined;
  const f = customRoot<X, Y>(
    ({ a, s }, [u, { v }]) => [sub(u, add(mul(a, s), mul(v, 0.1))), { v: sub(add(mul(mul(v, v), v), v), sum(u)) }],
    ({ a, s }, init) => {
      initSeen = init;
      // fixed point in v: v³ + v = Σ(a·s) + 0.2·v
      const c = a.data.reduce((acc, ai) => acc + ai * s.item(), 0);
      let v = 0;
      for (let i = 0; i < 100; i++) v -= (v * v * v + 0.8 * v - c) / (3 * v * v + 0.8);
      return [tensor(Array.from(a.data, (ai) => ai * s.item() + 0.1 * v)), { v: scalar(v) }];
    },
  );
  const x: X = { a: tensor([0.7, -0.2]), s: scalar(1.3) };
  const flat = (a: Tensor, s: Tensor): Tensor => {
    const [u, { v }] = f({ a, s });
    return stack([index(u, 0), index(u, 1), v]);
  };
  checkDerivatives(flat, [x.a, x.s], { rtol: 1e-8 });
  const g = grad((p: X) => {
    const [u, { v }] = f(p);
    return add(sum(mul(u, u)), v);
  })(x);
  assert.deepEqual(Object.keys(g), ['a', 's']);
  // gradient w.r.t. init: zero in both modes, and solve receives concrete values
  const init: Y = [tensor([1, 2]), { v: scalar(3) }];
  const gi = grad((i: Y) => {
    const [u, { v }] = f(x, i);
    return add(sum(u), v);
  })(init);
  assert.deepEqual(Array.from(flatValues(gi)), [0, 0, 0]);
  assert.ok(initSeen && initSeen[0].level === 0 && initSeen[1].v.level === 0, 'solve sees concrete init');
  const [, ti] = jvp((i: Tensor) => f(x, [i, { v: scalar(0) }])[0], [tensor([1, 2])], [tensor([1, 1])]);
  assert.deepEqual(Array.from(ti.data), [0, 0]);
});

test('every linear solver gives the same derivative; cg/minres are refused on a nonsymmetric B', () => {
  // F(x, y) = Q y − x with Q SPD: y = Q⁻¹x, J = Q⁻¹
  const n = 6;
  const G = rng(5).normal([n, n]);
  const Q = add(matmul(transpose(G), G), tensor(Array.from({ length: n * n }, (_, k) => (Math.floor(k / n) === k % n ? n : 0)), [n, n]));
  const solveQ = (x: Tensor) => tensor(lin(Q, x));
  const x = rng(6).normal([n]);
  const ref = jacobian(customRoot((xx: Tensor, y: Tensor) => sub(matmul(Q, y), xx), solveQ))(x);
  for (const linearSolver of ['lu', 'gmres', 'bicgstab', 'cg', 'minres', 'normal-cg', 'lsqr'] as LinearSolverName[]) {
    const f = customRoot((xx: Tensor, y: Tensor) => sub(matmul(Q, y), xx), solveQ, { linearSolver });
    assertClose(jacobian(f)(x), ref, 1e-9, linearSolver);
    assertClose(jacobian(f, { mode: 'forward' })(x), ref, 1e-9, `${linearSolver} forward`);
  }
  // nonsymmetric B
  const N = add(Q, tensor(Array.from({ length: n * n }, (_, k) => (Math.floor(k / n) < k % n ? 1 : 0)), [n, n]));
  for (const linearSolver of ['cg', 'minres'] as const) {
    const f = customRoot((xx: Tensor, y: Tensor) => sub(matmul(N, y), xx), (xx: Tensor) => tensor(Float64Array.from(lin(N, xx))), { linearSolver });
    assert.throws(() => grad((z: Tensor) => sum(f(z)))(x), (e: unknown) => e instanceof InvalidArgumentError && /needs a symmetric B/.test(e.message));
  }
});

/** Dense solve by Gaussian elimination with partial pivoting (test oracle). */
function lin(A: Tensor, b: Tensor): Float64Array {
  const n = b.size;
  const M = Float64Array.from(A.data);
  const x = Float64Array.from(b.data);
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(M[i * n + k]!) > Math.abs(M[p * n + k]!)) p = i;
    for (let j = 0; j < n; j++) [M[k * n + j], M[p * n + j]] = [M[p * n + j]!, M[k * n + j]!];
    [x[k], x[p]] = [x[p]!, x[k]!];
    for (let i = k + 1; i < n; i++) {
      const l = M[i * n + k]! / M[k * n + k]!;
      for (let j = k; j < n; j++) M[i * n + j] -= l * M[k * n + j]!;
      x[i] -= l * x[k]!;
    }
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i]!;
    for (let j = i + 1; j < n; j++) s -= M[i * n + j]! * x[j]!;
    x[i] = s / M[i * n + i]!;
  }
  return x;
}

test('customFixedPoint: AID-FP, CG on I − ∂T, and divergence of AID-FP when T is not a contraction', () => {
  // T(x, y) = y − γ(Qy − x): y* = Q⁻¹x; B = I − ∂T = γQ (SPD)
  const Q = tensor([[4, 1, 0], [1, 3, 1], [0, 1, 2]]);
  const x = tensor([1, -2, 0.5]);
  const solveQ = (xx: Tensor) => tensor(lin(Q, xx));
  const mk = (gamma: number, linearSolver: LinearSolverName) =>
    customFixedPoint((xx: Tensor, y: Tensor) => sub(y, mul(sub(matmul(Q, y), xx), gamma)), solveQ, { linearSolver });
  const ref = jacobian(mk(0.2, 'lu'))(x);
  assertClose(matmul(Q, ref), [1, 0, 0, 0, 1, 0, 0, 0, 1], 1e-12, 'Q·J = I');
  assertClose(jacobian(mk(0.2, 'fixed-point'))(x), ref, 1e-9, 'AID-FP');
  assertClose(jacobian(mk(0.2, 'cg'))(x), ref, 1e-9, 'cg');
  // γ = 0.7: eigenvalues of I − γQ reach below −1 → the adjoint fixed-point iteration diverges
  assert.throws(() => grad((z: Tensor) => sum(mk(0.7, 'fixed-point')(z)))(x), (e: unknown) => e instanceof ConvergenceError && /contraction/.test(e.message));
});

test('failure policies on a singular B: throw (default), lstsq, zero, warn', () => {
  // F(x, y) = (y₁ + y₂ − x₁, (y₁ − y₂)³ − x₂): at x₂ = 0, B = [[1, 1], [0, 0]] is singular
  const F = (x: Tensor, y: Tensor): Tensor => {
    const d = sub(index(y, 0), index(y, 1));
    return stack([sub(add(index(y, 0), index(y, 1)), index(x, 0)), sub(mul(mul(d, d), d), index(x, 1))]);
  };
  const solve = (x: Tensor): Tensor => {
    const c = Math.cbrt(x.data[1]!);
    return tensor([(x.data[0]! + c) / 2, (x.data[0]! - c) / 2]);
  };
  const x = tensor([1, 0]);
  assert.throws(
    () => jacobian(customRoot(F, solve))(x),
    (e: unknown) => e instanceof InvertibilityError && e.details.sigmaMin === 0 && /invertible/.test(e.message) && /'lstsq'/.test(e.message) && /'return'/.test(e.message),
  );
  // pseudo-inverse: J = B⁺ = [[½, 0], [½, 0]] (the x₁ column is the true derivative)
  const fl = customRoot(F, solve, { onFailure: 'return', fallback: 'lstsq' });
  assertClose(jacobian(fl)(x), [0.5, 0, 0.5, 0], 1e-14, 'lstsq');
  assertClose(jacobian(fl, { mode: 'forward' })(x), [0.5, 0, 0.5, 0], 1e-14, 'lstsq forward');
  assert.equal(fl.lastReport!.linearSolve!.fallback, 'lstsq');
  assert.equal(fl.lastReport!.linearSolve!.method, 'lstsq');
  // large-system path: GMRES breaks down on the singular system, the fallback is LSQR (min-norm from 0)
  const fi = customRoot(F, solve, { onFailure: 'return', denseLimit: 1 }); // fallback 'lstsq' is the default
  assertClose(jacobian(fi)(x), [0.5, 0, 0.5, 0], 1e-10, 'lstsq via LSQR');
  assert.equal(fi.lastReport!.linearSolve!.requested, 'gmres');
  assert.equal(fi.lastReport!.linearSolve!.fallback, 'lstsq');
  const fz = customRoot(F, solve, { onFailure: 'return', fallback: 'zero' });
  assert.deepEqual(Array.from(jacobian(fz)(x).data), [0, 0, 0, 0]);
  assert.equal(fz.lastReport!.linearSolve!.fallback, 'zero');
  const fw = customRoot(F, solve, { onFailure: 'warn' });
  const warnings = collectWarnings(() => assertClose(grad((z: Tensor) => sum(fw(z)))(x), [1, 0], 1e-14, 'warn → lstsq'));
  assert.ok(warnings.length > 0 && /singular/.test(warnings[0]!), 'warned');
  // 'return' is silent, the report still says what happened
  assert.equal(collectWarnings(() => jacobian(fl)(x)).length, 0);
  assert.throws(() => customRoot(F, solve, { onFailure: 'return', fallback: 'pinv' as never }), (e: unknown) => e instanceof InvalidArgumentError && /fallback/.test(e.message));
  assert.throws(() => customRoot(F, solve, { onFailur: 'return' } as never), (e: unknown) => e instanceof InvalidArgumentError && /did you mean 'onFailure'/.test(e.message));
  assert.ok(fw.lastReport!.warnings.length > 0);
});

test('iterative solver not converging: ConvergenceError by default, partial iterate with warn', () => {
  const n = 8;
  const M = add(rng(9).normal([n, n]), tensor(Array.from({ length: n * n }, (_, k) => (Math.floor(k / n) === k % n ? 4 : 0)), [n, n]));
  const F = (x: Tensor, y: Tensor) => sub(matmul(M, y), x);
  const solve = (x: Tensor) => tensor(lin(M, x));
  const x = rng(10).normal([n]);
  const f = customRoot(F, solve, { linearSolver: 'gmres', maxIter: 2, restart: 2 });
  assert.throws(
    () => grad((z: Tensor) => sum(f(z)))(x),
    (e: unknown) => e instanceof ConvergenceError && /did not converge/.test(e.message) && e.report.converged === false,
  );
  const fw = customRoot(F, solve, { linearSolver: 'gmres', maxIter: 2, restart: 2, onFailure: 'warn' });
  let g = x;
  const warnings = collectWarnings(() => { g = grad((z: Tensor) => sum(fw(z)))(x); });
  assert.equal(g.size, n);
  assert.equal(warnings.length, 1);
  assert.equal(fw.lastReport!.linearSolve!.converged, false);
  assert.equal(fw.lastReport!.linearSolve!.iterations, 2);
});

test('forward residual is checked before differentiating; closure over a traced value is rejected', () => {
  const inexact = (x: Tensor) => tensor(Array.from(cubicSolve(x).data, (v) => v + 1e-3));
  const f = customRoot(cubicF, inexact);
  const y = f(tensor([2])); // the value itself is returned
  assert.ok(Math.abs(y.item() - 1.001) < 1e-12);
  assert.equal(f.lastReport!.forward!.ok, false);
  assert.throws(() => grad((z: Tensor) => sum(f(z)))(tensor([2])), (e: unknown) => e instanceof ConvergenceError && /forwardTol/.test(e.message));
  const loose = customRoot(cubicF, inexact, { forwardTol: Infinity });
  assert.ok(Number.isFinite(grad((z: Tensor) => sum(loose(z)))(tensor([2])).item()));
  // F closes over the differentiated variable: its derivative would be dropped
  assert.throws(
    () => grad((c: Tensor) => sum(customRoot((x: Tensor, yy: Tensor) => sub(mul(yy, c), x), (x: Tensor) => tensor([x.item() / c.item()]))(tensor([1]))))(tensor([2])),
    (e: unknown) => e instanceof InvalidArgumentError && /closes over/.test(e.message),
  );
  // non-finite solution, wrong residual shape, bad options
  assert.throws(() => customRoot(cubicF, () => tensor([NaN]))(tensor([1])), NonFiniteError);
  assert.throws(() => customRoot((x: Tensor, yy: Tensor) => stack([sum(yy), sum(x)]), cubicSolve)(tensor([1])), ShapeError);
  assert.throws(() => customRoot(cubicF, cubicSolve, { linearSolver: 'qr' as never }), InvalidArgumentError);
  assert.throws(() => customRoot(cubicF, cubicSolve, { onFailure: 'nan' as never }), InvalidArgumentError);
  assert.throws(() => customRoot(cubicF, cubicSolve, { tol: -1 }), InvalidArgumentError);
});

test('reports: onReport stages, lastReport, LU condition estimate, full diagnostics against the SVD of B', () => {
  const { T, solve, n } = tanhSystem(3, 6);
  const stages: string[] = [];
  let seen: ImplicitReport | null = null;
  const y = customFixedPoint(T, solve, { diagnostics: 'full', onReport: (r, s) => { stages.push(s); seen = r; } });
  const x = rng(4).normal([n]);
  grad((z: Tensor) => sum(y(z)))(x);
  assert.deepEqual(stages, ['forward', 'linearSolve']);
  const rep = y.lastReport!;
  assert.equal(seen, rep);
  assert.ok(rep.forward!.ok && rep.forward!.residualNorm < 1e-12);
  assert.equal(rep.linearSolveCount, 1);
  assert.equal(rep.linearSolve!.method, 'lu');
  assert.equal(rep.linearSolve!.transpose, true);
  assert.ok(rep.linearSolve!.converged && rep.linearSolve!.relativeResidual < 1e-14);
  // σ of B = I − ∂T from an independent Jacobian of the residual
  const yv = y(x);
  const Bmat = jacobian((yy: Tensor) => sub(yy, T(x, yy)))(yv);
  const S = linalg.svdvals(Bmat).data;
  assertClose(rep.diagnostics.sigmaMin!, S[n - 1]!, 1e-12, 'σ_min');
  assertClose(rep.diagnostics.sigmaMax!, S[0]!, 1e-12, 'σ_max');
  assert.equal(rep.diagnostics.conditionMethod, 'svd');
  // cheap level: LU condition estimate recorded; tiny threshold → InvertibilityError
  const yc = customFixedPoint(T, solve);
  grad((z: Tensor) => sum(yc(z)))(x);
  assert.equal(yc.lastReport!.diagnostics.conditionMethod, 'lu-rcond');
  assert.ok(yc.lastReport!.diagnostics.conditionEstimate! >= 1);
  const strict = customFixedPoint(T, solve, { condThreshold: 1.0001 });
  assert.throws(() => grad((z: Tensor) => sum(strict(z)))(x), (e: unknown) => e instanceof InvertibilityError && e.details.conditionEstimate! > 1.0001);
});

test('large systems default to GMRES; iterative σ estimates; warm start of the adjoint', () => {
  const { T, solve, n } = tanhSystem(7, 12);
  const x = rng(8).normal([n]);
  const y = customFixedPoint(T, solve, { denseLimit: 4, diagnostics: 'full' });
  const g = grad((z: Tensor) => sum(y(z)))(x);
  const ref = grad((z: Tensor) => sum(customFixedPoint(T, solve)(z)))(x);
  assertClose(g, ref, 1e-9, 'gmres vs lu');
  const rep = y.lastReport!;
  assert.equal(rep.linearSolve!.method, 'gmres');
  assert.equal(rep.diagnostics.conditionMethod, 'iterative');
  const Bmat = jacobian((yy: Tensor) => sub(yy, T(x, yy)))(y(x));
  const S = linalg.svdvals(Bmat).data;
  assertClose(rep.diagnostics.sigmaMax!, S[0]!, 1e-5, 'iterative σ_max');
  assertClose(rep.diagnostics.sigmaMin!, S[n - 1]!, 1e-5, 'iterative σ_min');
  // warm start: the same adjoint system again starts from its solution
  const w = customFixedPoint(T, solve, { linearSolver: 'gmres' });
  grad((z: Tensor) => sum(w(z)))(x);
  const first = w.lastReport!.linearSolve!.iterations;
  grad((z: Tensor) => sum(w(z)))(x);
  assert.ok(first > 0 && w.lastReport!.linearSolve!.iterations === 0, `warm start: ${first} then ${w.lastReport!.linearSolve!.iterations}`);
  w.resetWarmStart();
  grad((z: Tensor) => sum(w(z)))(x);
  assert.equal(w.lastReport!.linearSolve!.iterations, first);
});

test('active set: decoupled solve on the declared coordinates, wrong declarations are caught', () => {
  // F = (2y₀ + y₁ + y₂ − x₀, 3y₁ − x₁, −y₂ − x₂): rows 1, 2 are multiples of unit rows; B is not symmetric
  const F = (x: Tensor, y: Tensor) => stack([
    sub(add(add(mul(index(y, 0), 2), index(y, 1)), index(y, 2)), index(x, 0)),
    sub(mul(index(y, 1), 3), index(x, 1)),
    sub(mul(index(y, 2), -1), index(x, 2)),
  ]);
  const solve = (x: Tensor) => {
    const [a, b, c] = x.data as unknown as [number, number, number];
    const y1 = b / 3, y2 = -c;
    return tensor([(a - y1 - y2) / 2, y1, y2]);
  };
  const x = tensor([1, 2, 3]);
  const ref = jacobian(customRoot(F, solve))(x);
  for (const linearSolver of ['lu', 'cg', 'gmres'] as LinearSolverName[]) {
    const f = customRoot(F, solve, { activeSet: () => [0], linearSolver, diagnostics: 'full' });
    assertClose(jacobian(f)(x), ref, 1e-13, `reverse ${linearSolver}`);
    assertClose(jacobian(f, { mode: 'forward' })(x), ref, 1e-13, `forward ${linearSolver}`);
    assert.deepEqual(f.lastReport!.diagnostics.activeSet, { size: 1, n: 3, verified: true });
    assert.equal(f.lastReport!.linearSolve!.size, 1);
  }
  // the full B is not symmetric: cg without the active set is refused
  assert.throws(() => jacobian(customRoot(F, solve, { linearSolver: 'cg' }))(x), InvalidArgumentError);
  // wrong declaration (row 0 is not a unit row): caught by 'full' verification and by the cheap residual check
  assert.throws(() => jacobian(customRoot(F, solve, { activeSet: () => [1, 2], diagnostics: 'full' }))(x), (e: unknown) => e instanceof InvalidArgumentError && /row 0/.test(e.message));
  assert.throws(() => jacobian(customRoot(F, solve, { activeSet: () => [1, 2] }))(x), (e: unknown) => e instanceof InvalidArgumentError && /activeSet declaration is wrong/.test(e.message));
  assert.throws(() => jacobian(customRoot(F, solve, { activeSet: () => [5] }))(x), InvalidArgumentError);
});

test('kinks at the solution: reported, and a singular element of the set-valued B is found by full diagnostics', () => {
  // F(x, y) = y − relu(y) − x = min(y, 0) − x at x = 0, y = 0: ∂F/∂y ∈ 1 − [0, 1] = [0, 1]
  const F = (x: Tensor, y: Tensor) => sub(sub(y, relu(y)), x);
  const solve = (x: Tensor) => tensor([Math.min(x.item(), 0)]);
  const cheap = customRoot(F, solve);
  assertClose(grad((z: Tensor) => sum(cheap(z)))(tensor([0])), [1], 1e-15); // minNorm relu'(0) = 0: B = 1
  assert.equal(cheap.lastReport!.kinks.total, 1);
  assert.deepEqual(cheap.lastReport!.kinks.byPrimitive, { relu: 1 });
  const full = customRoot(F, solve, { diagnostics: 'full' });
  assert.throws(
    () => grad((z: Tensor) => sum(full(z)))(tensor([0])),
    (e: unknown) => e instanceof InvertibilityError && e.details.selection === 'right' && e.details.sigmaMin === 0 && /set containing singular/.test(e.message),
  );
  const fw = customRoot(F, solve, { diagnostics: 'full', onFailure: 'warn' });
  const warnings = collectWarnings(() => assertClose(grad((z: Tensor) => sum(fw(z)))(tensor([0])), [1], 1e-15));
  assert.equal(fw.lastReport!.diagnostics.setContainsSingular, true);
  assert.equal(warnings.length, 1);
  // the selection in force at the call is the one used: with 'right', B = 0 itself
  assert.throws(() => withKinkPolicy('right', () => grad((z: Tensor) => sum(cheap(z)))(tensor([0]))), InvertibilityError);
  // away from the kink no alternatives are needed
  const away = customRoot(F, solve, { diagnostics: 'full' });
  assertClose(grad((z: Tensor) => sum(away(z)))(tensor([-1])), [1], 1e-15);
  assert.equal(away.lastReport!.kinks.total, 0);
  assert.equal(away.lastReport!.diagnostics.alternatives, undefined);
});

test('vjp of a tree-valued implicit function, and jvp∘grad (Hessian-vector product) through a solver', () => {
  const { T, solve, n } = tanhSystem(11, 4);
  const y = customFixedPoint(T, solve);
  const x = rng(12).normal([n]);
  const [val, pb] = vjp((z: Tensor) => ({ a: y(z), b: [mul(y(z), 2)] }), x);
  const [ct] = pb({ a: tensor([1, 0, 0, 0]), b: [tensor([0, 1, 0, 0])] }) as [Tensor];
  const J = jacobian(y)(x).data;
  assertClose(ct, Array.from({ length: n }, (_, j) => J[0 * n + j]! + 2 * J[1 * n + j]!), 1e-13);
  assert.equal(val.b[0]!.size, n);
  const L = (z: Tensor) => sum(mul(y(z), y(z)));
  const v = rng(13).normal([n]);
  const hv = jvp((z: Tensor) => grad(L)(z), [x], [v])[1];
  const H = hessian(L)(x).data;
  assertClose(hv, Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => H[i * n + j]! * v.data[j]!).reduce((a, b) => a + b)), 1e-12);
  // the Hessian-vector product matches central differences of the gradient
  const h = 1e-5;
  const gp = (grad(L)(add(x, mul(v, h))) as Tensor).data, gm = (grad(L)(sub(x, mul(v, h))) as Tensor).data;
  assertClose(hv, Array.from(gp, (a, i) => (a - gm[i]!) / (2 * h)), 1e-7, 'HVP vs FD of grad');
});

test('solve returning the wrong shape: a ShapeError naming solve and both shapes, before any derivative', () => {
  const wrong = customRoot(cubicF, (x: Tensor) => tensor([...cubicSolve(x).data, 0]));
  // without init, F meets the wrong y first: the message names solve, y's and x's shapes
  assert.throws(() => wrong(tensor([1, 2])), (e: unknown) => e instanceof ShapeError && /solve\(x, init\)/.test(e.message) && /y: \[3\]/.test(e.message) && /x: \[2\]/.test(e.message), 'no init');
  assert.throws(() => grad((x: Tensor) => sum(wrong(x)))(tensor([1, 2])), (e: unknown) => e instanceof ShapeError && /solve\(x, init\)/.test(e.message), 'under grad');
  // with init, y is checked against init right after the call
  assert.throws(
    () => wrong(tensor([1, 2]), tensor([0, 0])),
    (e: unknown) => e instanceof ShapeError && e.message === 'customRoot: solve(x, init) returned y of shape [3], but init has shape [2]',
  );
  // F returning the wrong shape names F and both shapes
  const badF = customRoot((x: Tensor, y: Tensor) => sum(sub(y, x)), cubicSolve);
  assert.throws(() => badF(tensor([1, 2])), (e: unknown) => e instanceof ShapeError && /F\(x, y\) leaf 0 has shape \[\], but y's leaf 0 has shape \[2\]/.test(e.message));
});

test('solve returning NaN, a non-tensor or a traced tensor: typed errors naming solve, diagnostics on or off', () => {
  for (const diagnostics of ['cheap', 'off'] as const) {
    const nan = customRoot(cubicF, (x: Tensor) => tensor(Array.from(x.data, () => NaN)), { diagnostics });
    assert.throws(() => nan(tensor([1, 2])), (e: unknown) => e instanceof NonFiniteError && /solve\(x, init\) returned a non-finite value \(NaN\) at flat index 0/.test(e.message), diagnostics);
  }
  const notTensor = customRoot(cubicF, () => [1, 2] as unknown as Tensor);
  assert.throws(() => notTensor(tensor([1, 2])), (e: unknown) => e instanceof InvalidArgumentError && /solve\(x, init\) returned no tensor/.test(e.message));
  // the solver closes over the differentiated variable: its derivative would be dropped
  const closes = (c: Tensor): Tensor => sum(customRoot(cubicF, (x: Tensor) => add(cubicSolve(x), mul(c, 0)))(tensor([1, 2])));
  assert.throws(() => grad(closes)(tensor(1)), (e: unknown) => e instanceof InvalidArgumentError && /solve\(x, init\) returned a traced tensor/.test(e.message));
});

test('lastReport: a hessian or forward-mode jacobian keeps the user call; onReport sees every re-run', () => {
  const reports = new Set<ImplicitReport>();
  const f = customRoot(cubicF, cubicSolve, { onReport: (r) => reports.add(r) });
  const x = tensor([2, 10, -0.5]);
  // forward-mode Jacobian: f runs once per input element (3 runs), the first is the user's call
  const J = jacobian(f, { mode: 'forward' })(x);
  assert.equal(J.shape.join(','), '3,3');
  assert.equal(reports.size, 3, 'one report per run through onReport');
  const first = [...reports][0]!;
  assert.equal(f.lastReport, first, 'lastReport is the first run, not the last column');
  assert.equal(first.linearSolveCount, 1, "the first column's solve");
  // hessian = forward over reverse: same rule
  reports.clear();
  hessian((z: Tensor) => sum(f(z)))(x);
  assert.equal(reports.size, 3);
  assert.equal(f.lastReport, [...reports][0]);
  // an explicit later call of the user does replace it
  f(tensor([1]));
  assert.equal(f.lastReport!.forward!.n, 1);
  // customFixedPoint shares the mechanism
  const fp = customFixedPoint((x: Tensor, y: Tensor) => sub(y, mul(sub(add(mul(mul(y, y), y), y), x), 0.1)), cubicSolve);
  jacobian(fp, { mode: 'forward' })(x);
  assert.equal(fp.lastReport!.forward!.n, 3);
  assert.equal(fp.lastReport!.linearSolveCount, 1);
});
