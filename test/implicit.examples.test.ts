/**
 * @file The seeds' examples of implicit differentiation, through the runnable examples: ridge and
 * Lasso against closed forms, simplex projection, implicit vs unrolled (ITD), the Clarke
 * counterexample, and the two pathological dynamics (cycles, Lorenz) when the invertibility
 * hypothesis fails.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  grad, hessian, InvertibilityError, InvalidArgumentError, jacobian, jvp, scalar, tensor, vjp, withKinkPolicy,
  type KinkPolicy, type LinearSolverName, type Tensor,
} from '../src/index.js';
import { assertClose, checkDotProduct, dotArr } from './helpers.js';
import {
  makeRidgeProblem, ridgeJacobianClosedForm, ridgeSolution, validationHessianClosedForm, validationLoss,
} from '../examples/implicit-ridge.js';
import {
  heldOut, lassoClosedFormDerivative, lassoSolution, makeLassoProblem, support, unrolledDerivative, unrolledSolution,
} from '../examples/implicit-lasso.js';
import { simplexJacobianClosedForm, simplexProjection } from '../examples/implicit-simplex.js';
import { branchInverse, classify, psi, psiConcrete } from '../examples/implicit-clarke.js';
import { argmaxLagrangian, argmaxProjected, crossings, descend, outerLoss } from '../examples/implicit-cycles.js';
import { lorenzArgmin, lorenzAscent, lorenzField, outerObjective, trajectorySvg } from '../examples/implicit-lorenz.js';

test('ridge: dβ/dλ with every linear solver and the Hessian of a validation loss match closed forms', () => {
  const P = makeRidgeProblem();
  const lam = Float64Array.from({ length: P.p }, (_, j) => 0.1 + 0.05 * j);
  const J0 = ridgeJacobianClosedForm(P, lam);
  for (const linearSolver of ['lu', 'cg', 'minres', 'gmres', 'bicgstab', 'normal-cg', 'lsqr'] as LinearSolverName[]) {
    const beta = ridgeSolution(P, { linearSolver });
    assertClose(jacobian(beta)(tensor(lam)), J0, 1e-12, `${linearSolver} reverse`);
    assertClose(jacobian(beta, { mode: 'forward' })(tensor(lam)), J0, 1e-12, `${linearSolver} forward`);
  }
  const beta = ridgeSolution(P);
  const H = hessian(validationLoss(P, (l) => beta(l)))(tensor(lam));
  assertClose(H, validationHessianClosedForm(P, lam), 1e-12, 'Hessian through the solver');
});

test('Lasso on its support: dβ/dλ = −n(X_SᵀX_S)⁻¹sign(β_S) to 1e-13 (AID-FP: 1e-8), in both modes, with and without the active set', () => {
  const P = makeLassoProblem(0);
  const lam = 0.05 * P.lambdaMax;
  const configs: { name: string; linearSolver: LinearSolverName; active: boolean }[] = [
    { name: 'active set + cg', linearSolver: 'cg', active: true },
    { name: 'active set + lu', linearSolver: 'lu', active: true },
    { name: 'full system + lu', linearSolver: 'lu', active: false },
    { name: 'full system + gmres', linearSolver: 'gmres', active: false },
    { name: 'full system + AID-FP', linearSolver: 'fixed-point', active: false },
  ];
  let dClosed: Float64Array | null = null;
  for (const c of configs) {
    const beta = lassoSolution(P, { linearSolver: c.linearSolver, ...(c.active ? {} : { activeSet: undefined }) });
    const b = beta(scalar(lam));
    dClosed ??= lassoClosedFormDerivative(P, b.data);
    assert.ok(support(b).length >= 2, 'nontrivial support');
    // direct and Krylov solves: measured ≤ 5e-16; the AID fixed-point iteration stops at its
    // tolerance (measured 4e-10)
    const rtol = c.linearSolver === 'fixed-point' ? 1e-8 : 1e-13;
    const [, d] = jvp((l: Tensor) => beta(l), [scalar(lam)], [scalar(1)]);
    assertClose(d, dClosed, rtol, `${c.name} (forward)`);
    const J = jacobian(beta)(scalar(lam)); // reverse mode: one adjoint solve per coefficient
    assertClose(J, dClosed, rtol, `${c.name} (reverse)`);
    assert.equal(beta.lastReport!.kinks.total, 0, 'strict complementarity: no kink at the solution');
    if (c.active) assert.equal(beta.lastReport!.linearSolve!.size, support(b).length);
  }
  // CG is only valid on the support: the full B = I − ∂T is not symmetric
  const full = lassoSolution(P, { linearSolver: 'cg', activeSet: undefined });
  assert.throws(() => grad((l: Tensor) => heldOut(P, (m) => full(m))(l))(scalar(lam)), (e: unknown) => e instanceof InvalidArgumentError && /symmetric/.test(e.message));
  // 'full' diagnostics verify the declared support
  const checked = lassoSolution(P, { diagnostics: 'full' });
  grad(heldOut(P, (m) => checked(m)))(scalar(lam));
  assert.equal(checked.lastReport!.diagnostics.activeSet!.verified, true);
});

test('Lasso: implicit vs unrolled ISTA (ITD) agree; hypergradient vs central differences; dot-product test', () => {
  const P = makeLassoProblem(0);
  const lam = 0.05 * P.lambdaMax;
  const beta = lassoSolution(P, { linearSolver: 'cg' });
  const dImplicit = jvp((l: Tensor) => beta(l), [scalar(lam)], [scalar(1)])[1].data;
  assertClose(unrolledDerivative(P, lam, 300), dImplicit, 1e-10, 'ITD (300 iterations) vs implicit');
  // few iterations: ITD has not converged yet (the comparison can fail)
  const early = unrolledDerivative(P, lam, 5);
  assert.ok(Math.max(...Array.from(early, (v, j) => Math.abs(v - dImplicit[j]!))) > 1e-3);
  const C = heldOut(P, (l) => beta(l));
  const g = grad(C)(scalar(lam)).item();
  // reverse mode through the unrolled iterations (grad of the held-out loss) agrees too
  assertClose(grad(heldOut(P, unrolledSolution(P, 300)))(scalar(lam)), g, 1e-10, 'grad through 300 ISTA iterations vs implicit');
  const h = 1e-5;
  const fd = (C(scalar(lam + h)).item() - C(scalar(lam - h)).item()) / (2 * h);
  assertClose(g, fd, 1e-7, 'hypergradient vs central FD (smooth point: same support at λ ± h)');
  checkDotProduct((l: Tensor) => beta(l), [scalar(lam)], { rtol: 1e-10 });
  // second order: β is affine in λ on a fixed support, so C''(λ) = (1/n)‖X_v·dβ/dλ‖²
  const Xd = Array.from({ length: P.n }, (_, i) => dotArr(P.Xv.data.subarray(i * P.p, (i + 1) * P.p), dImplicit));
  assertClose(hessian(C)(scalar(lam)), dotArr(Xd, Xd) / P.n, 1e-12, 'Hessian of the held-out loss through the Lasso');
});

test('simplex projection through its KKT system (tree-valued y): ∂p/∂z = diag(s) − ssᵀ/|s|', () => {
  const proj = simplexProjection();
  for (const z of [tensor([0.886, -0.643, 0.026, -0.273, 0.469, 0.963, -1.056, -0.135]), tensor([0.2, 0.1, 0.4, 0.35]), tensor([5, 0, -1])]) {
    const { p, tau } = proj(z);
    assertClose(p.data.reduce((a, b) => a + b, 0), 1, 1e-15, 'Σp');
    assert.equal(tau.ndim, 0);
    const J0 = simplexJacobianClosedForm(p.data);
    assertClose(jacobian((zz: Tensor) => proj(zz).p)(z), J0, 1e-12, 'reverse');
    assertClose(jacobian((zz: Tensor) => proj(zz).p, { mode: 'forward' })(z), J0, 1e-12, 'forward');
    // τ' = s/|s| (from Σ relu(z − τ) = 1)
    const s: number[] = Array.from(p.data, (v) => (v > 0 ? 1 : 0));
    const k = s.reduce((a, b) => a + b, 0);
    const [, pb] = vjp((zz: Tensor) => proj(zz).tau, z);
    assertClose(pb(scalar(1))[0] as Tensor, s.map((v) => v / k), 1e-12, 'dτ/dz');
  }
});

test('Clarke counterexample Φ(x, y) = (|x| + y, 2x + |y|): the returned J(Ψ) is conservative, kinks are noticed', () => {
  // Expected set at v = 0 (u = Ψ(0) = 0, both |·| at their kink): the theorem's conservative
  // Jacobian {M(a, b)⁻¹ : a, b ∈ [−1, 1]}, M(a, b) = [[a, 1], [2, b]] (det ∈ [−3, −1]); the Clarke
  // Jacobian of Ψ is conv{M(±1, ±1)⁻¹}. What nsdiff returns must be in both.
  const v0 = tensor([0, 0]);
  const expected: [KinkPolicy, number, number][] = [['minNorm', 0, 0], ['left', -1, -1], ['right', 1, 1], [{ kind: 'fixed', t: 0.25 }, -0.5, -0.5]];
  for (const [policy, a, b] of expected) {
    const f = psi({ diagnostics: 'full' });
    const J = withKinkPolicy(policy, () => jacobian(f)(v0));
    assertClose(J, branchInverse(a, b).flat(), 1e-14, `J under ${JSON.stringify(policy)}`);
    const c = classify(J.toArray() as number[][]);
    assert.ok(c.inverseForm < 1e-12 && Math.abs(c.a) <= 1 + 1e-12 && Math.abs(c.b) <= 1 + 1e-12, 'J⁻¹ ∈ ∂Φ(0)');
    assert.ok(c.weights.every((w) => w >= -1e-15) && Math.abs(c.weights.reduce((x, y) => x + y) - 1) < 1e-12, 'J ∈ conv of the branch inverses');
    const rep = f.lastReport!;
    assert.equal(rep.kinks.total, 2, 'both |·| at their kink');
    assert.equal(rep.kinks.byPrimitive.abs, 2);
    assert.equal(rep.diagnostics.alternatives!.length, 4);
    assert.ok(rep.diagnostics.alternatives!.every((alt) => !alt.singular && alt.sigmaMin > 0.3), 'every element of ∂Φ(0) tried is invertible');
    assert.equal(rep.diagnostics.setContainsSingular, false);
  }
  // the converse inclusion fails: ½(M(1,1)⁻¹ + M(−1,−1)⁻¹) ∈ ∂Ψ(0) but its inverse is not M(a, b)
  const mid = branchInverse(1, 1).map((r, i) => r.map((x, j) => 0.5 * (x + branchInverse(-1, -1)[i]![j]!)));
  assert.ok(classify(mid).weights.every((w) => w >= 0));
  assert.ok(classify(mid).inverseForm > 0.5);
  // away from 0: one linear piece, derivative = that piece's inverse, matches finite differences
  const f = psi();
  for (const [s1, s2] of [[1, 1], [1, -1], [-1, 1], [-1, -1]] as [number, number][]) {
    const u = [0.7 * s1, 0.4 * s2];
    const v = tensor([Math.abs(u[0]!) + u[1]!, 2 * u[0]! + Math.abs(u[1]!)]);
    assertClose(tensor(psiConcrete(Array.from(v.data))), u, 1e-14);
    const J = jacobian(f)(v);
    assertClose(J, branchInverse(s1, s2).flat(), 1e-14, `piece (${s1}, ${s2})`);
    const h = 1e-6;
    const fd = [0, 1].flatMap((j) => {
      const vp = Array.from(v.data), vm = Array.from(v.data);
      vp[j] += h;
      vm[j] -= h;
      const a = psiConcrete(vp), bm = psiConcrete(vm);
      return [(a[0]! - bm[0]!) / (2 * h), (a[1]! - bm[1]!) / (2 * h)];
    });
    assertClose(J, [fd[0]!, fd[2]!, fd[1]!, fd[3]!], 1e-8, 'FD');
    assert.equal(f.lastReport!.kinks.total, 0);
  }
});

test('pathological cycles: refused by default; with the pseudo-inverse, gradient descent cycles', () => {
  const start = tensor([0.5, 0.5]);
  assert.throws(() => grad(outerLoss(argmaxLagrangian()))(start), (e: unknown) => e instanceof InvertibilityError && e.details.sigmaMin === 0);
  const s = argmaxLagrangian('lstsq');
  // J = −B⁺A = 0: the "gradient" is (2(x − s₁), 8(y − s₂))
  assertClose(grad(outerLoss(s))(start), [2 * (0.5 - 3), 8 * (0.5 - 5)], 1e-15);
  assert.equal(s.lastReport!.linearSolve!.fallback, 'lstsq');
  const path = descend(s, 400);
  const cr = crossings(path);
  assert.ok(cr.length >= 20, `keeps crossing c = 0 (${cr.length} crossings)`);
  // a periodic orbit: the crossing points recur exactly, every 24 steps
  const k1 = cr[cr.length - 1]!, k3 = cr[cr.length - 3]!;
  const a = path[k1]!, b = path[k3]!;
  assert.ok(Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!) < 1e-9, 'crossing points recur');
  assert.ok(path.every((p) => Math.abs(p[0]!) < 4 && Math.abs(p[1]!) < 6), 'bounded');
  const tail = path.slice(-48);
  const xs = tail.map((p) => p[0]!);
  assert.ok(Math.max(...xs) - Math.min(...xs) > 1, 'does not converge');
  // the projected formulation is accepted (B invertible off c = 0) and cycles as well
  const proj = argmaxProjected();
  assert.ok(crossings(descend(proj, 200)).length >= 10);
  assert.equal(proj.lastReport!.linearSolve!.fallback, undefined);
});

test('pathological Lorenz: refused by default; with the pseudo-inverse, gradient ascent traces the attractor', () => {
  const u0 = tensor([1, 1, 1]);
  assert.throws(() => grad(outerObjective(lorenzArgmin()))(u0), (e: unknown) => e instanceof InvertibilityError && e.details.sigmaMin === 0 && /zero pivot/.test(e.message));
  // the "gradient" of uᵀz(u) with J = −B⁺A = 0 is z(u) = F(u)
  const u = tensor([2, -3, 20]);
  assertClose(grad(outerObjective(lorenzArgmin('lstsq')))(u), lorenzField(u), 1e-15, 'gradient = F(u)');
  const { path, z } = lorenzAscent(1500);
  assert.equal(z.lastReport!.linearSolve!.method, 'lstsq');
  const norms = path.map((p) => Math.hypot(...p));
  assert.ok(Math.max(...norms) < 100, 'bounded');
  let changes = 0;
  for (let k = 1; k < path.length; k++) if (Math.sign(path[k]![0]!) !== Math.sign(path[k - 1]![0]!)) changes++;
  assert.ok(changes >= 2, `visits both lobes (${changes} sign changes of u₁)`);
  const tail = path.slice(-100);
  const steps = tail.slice(1).map((p, i) => Math.hypot(p[0]! - tail[i]![0]!, p[1]! - tail[i]![1]!, p[2]! - tail[i]![2]!));
  assert.ok(Math.min(...steps) > 0.05, 'no convergence: the steps do not vanish');
  // a fixed point of the ascent would be an equilibrium of the Lorenz field; the path stays away from them
  const eq = [[0, 0, 0], [Math.sqrt(72), Math.sqrt(72), 27], [-Math.sqrt(72), -Math.sqrt(72), 27]];
  const last = path[path.length - 1]!;
  assert.ok(eq.every((e) => Math.hypot(last[0]! - e[0]!, last[1]! - e[1]!, last[2]! - e[2]!) > 1));
  const svg = trajectorySvg(path);
  // the drawn line is simplified to 0.2 px (plot/svg.ts), so it has fewer vertices than the path, but still hundreds
  assert.ok(svg.startsWith('<svg') && svg.includes('<path d="M') && (svg.match(/L/g) ?? []).length >= 300, `${(svg.match(/L/g) ?? []).length} segments`);
  assert.ok(dotArr(lorenzField(u).data, lorenzField(u).data) > 0);
});
