/**
 * @file Tests of the matrix-free iterative solvers: every solver against a dense Gaussian
 * elimination on random SPD / symmetric indefinite / nonsymmetric / rectangular systems, warm
 * starts, honest failure reports (ConvergenceError vs onFailure 'return', true residuals,
 * indefinite CG, singular inconsistent GMRES/MINRES, BiCGSTAB breakdown, non-finite operators,
 * diverging fixed-point iterations), preconditioning, and input validation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ConcretizationError, ConvergenceError, InvalidArgumentError, NonFiniteError, ShapeError } from '../src/core/errors.js';
import { setWarningHandler } from '../src/core/failure.js';
import { eye, tensor, Tensor } from '../src/core/tensor.js';
import { grad, jvp, matmul, mul, sub as tsub, sum } from '../src/index.js';
import { assertClose } from './helpers.js';
import { rng, type Rng } from '../src/core/rng.js';
import {
  bicgstab,
  cg,
  cgNormal,
  denseOperator,
  fixedPointLinear,
  gmres,
  jacobiPreconditioner,
  lsqr,
  minres,
  type IterativeResult,
  type LinearOperator,
  type OperatorLike,
} from '../src/linalg/iterative/index.js';
import { CsrMatrix } from '../src/linalg/sparse/index.js';

// ---------------------------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------------------------

/** Solves the row-major n×n system A x = b by Gaussian elimination with partial pivoting. */
function denseSolve(A: Float64Array, b: Float64Array, n: number): Float64Array {
  const M = Float64Array.from(A);
  const x = Float64Array.from(b);
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(M[i * n + k]!) > Math.abs(M[p * n + k]!)) p = i;
    if (M[p * n + k] === 0) throw new Error('singular');
    if (p !== k) {
      for (let j = 0; j < n; j++) {
        const t = M[k * n + j]!;
        M[k * n + j] = M[p * n + j]!;
        M[p * n + j] = t;
      }
      const t = x[k]!;
      x[k] = x[p]!;
      x[p] = t;
    }
    for (let i = k + 1; i < n; i++) {
      const f = M[i * n + k]! / M[k * n + k]!;
      if (f === 0) continue;
      for (let j = k; j < n; j++) M[i * n + j] -= f * M[k * n + j]!;
      x[i] -= f * x[k]!;
    }
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i]!;
    for (let j = i + 1; j < n; j++) s -= M[i * n + j]! * x[j]!;
    x[i] = s / M[i * n + i]!;
  }
  return x;
}

function matvec(A: Float64Array, m: number, n: number, v: Float64Array): Float64Array {
  const out = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += A[i * n + j]! * v[j]!;
    out[i] = s;
  }
  return out;
}

function transpose(A: Float64Array, m: number, n: number): Float64Array {
  const T = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) T[j * m + i] = A[i * n + j]!;
  return T;
}

/** C = Aᵀ·A (+ d²·I) for row-major m×n A. */
function gram(A: Float64Array, m: number, n: number, damp = 0): Float64Array {
  const G = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < m; k++) s += A[k * n + i]! * A[k * n + j]!;
      G[i * n + j] = s + (i === j ? damp * damp : 0);
    }
  }
  return G;
}

function norm(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s);
}

function sub(a: Float64Array, b: Float64Array): Float64Array {
  return a.map((v, i) => v - b[i]!);
}

function relErr(x: Float64Array, ref: Float64Array): number {
  return norm(sub(x, ref)) / Math.max(norm(ref), 1e-300);
}

function trueResidual(A: Float64Array, n: number, x: Float64Array, b: Float64Array): number {
  return norm(sub(b, matvec(A, n, n, x)));
}

function randVec(g: Rng, n: number): Float64Array {
  return g.fillNormal(new Float64Array(n));
}

function randMat(g: Rng, m: number, n: number): Float64Array {
  return g.fillNormal(new Float64Array(m * n));
}

/** SPD: BᵀB/n + I (condition number ≲ 10). */
function randSpd(g: Rng, n: number): Float64Array {
  const B = randMat(g, n, n);
  const G = gram(B, n, n);
  for (let i = 0; i < n * n; i++) G[i] /= n;
  for (let i = 0; i < n; i++) G[i * n + i] += 1;
  return G;
}

/** Symmetric indefinite with eigenvalues bounded away from 0: Q·diag(±(1..3))·Qᵀ via a symmetric mix. */
function randSymIndef(g: Rng, n: number): Float64Array {
  // S = (B + Bᵀ)/(2√n) has spectrum in about [−√2, √2]; add a diagonal of ±3 to push eigenvalues
  // away from zero on both sides.
  const B = randMat(g, n, n);
  const S = new Float64Array(n * n);
  const c = 1 / (2 * Math.sqrt(n));
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) S[i * n + j] = c * (B[i * n + j]! + B[j * n + i]!);
  for (let i = 0; i < n; i++) S[i * n + i] += i % 2 === 0 ? 3 : -3;
  return S;
}

/** Nonsymmetric, well conditioned: random/√n + 3·I. */
function randNonsym(g: Rng, n: number): Float64Array {
  const A = randMat(g, n, n);
  const c = 1 / Math.sqrt(n);
  for (let i = 0; i < n * n; i++) A[i] *= c;
  for (let i = 0; i < n; i++) A[i * n + i] += 3;
  return A;
}

const squareSolvers = { cg, minres, gmres, bicgstab } as const;

function checkHonest(res: IterativeResult, A: Float64Array, n: number, b: Float64Array): void {
  // The reported residual is the true residual of the returned x.
  const r = trueResidual(A, n, res.x, b);
  assert.ok(Math.abs(r - res.residualNorm) <= 1e-12 * (norm(b) + 1), `residualNorm ${res.residualNorm} vs true ${r}`);
  if (res.converged) assert.ok(res.residualNorm <= 1e-10 * norm(b) + 1e-300, `converged with residual ${res.residualNorm}`);
}

// ---------------------------------------------------------------------------------------------
// agreement with a dense solve
// ---------------------------------------------------------------------------------------------

test('CG matches a dense solve on random SPD systems', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 1e6 }), (n, seed) => {
      const g = rng(seed);
      const A = randSpd(g, n);
      const b = randVec(g, n);
      const res = cg(denseOperator(A, n, n), b);
      assert.equal(res.converged, true);
      assert.equal(res.reason, 'converged');
      assert.ok(res.iterations <= n + 5, `iterations ${res.iterations}`);
      checkHonest(res, A, n, b);
      assert.ok(relErr(res.x, denseSolve(A, b, n)) < 1e-8);
    }),
    { numRuns: 40 },
  );
});

test('MINRES matches a dense solve on symmetric indefinite and SPD systems', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 1e6 }), fc.boolean(), (n, seed, spd) => {
      const g = rng(seed);
      const A = spd ? randSpd(g, n) : randSymIndef(g, n);
      const b = randVec(g, n);
      const res = minres(denseOperator(A, n, n), b);
      assert.equal(res.converged, true);
      checkHonest(res, A, n, b);
      assert.ok(relErr(res.x, denseSolve(A, b, n)) < 1e-8);
    }),
    { numRuns: 40 },
  );
});

test('GMRES (full and restarted) and BiCGSTAB match a dense solve on nonsymmetric systems', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 1e6 }), (n, seed) => {
      const g = rng(seed);
      const A = randNonsym(g, n);
      const b = randVec(g, n);
      const ref = denseSolve(A, b, n);
      const op = denseOperator(A, n, n);
      for (const res of [gmres(op, b), gmres(op, b, { restart: 4 }), bicgstab(op, b)]) {
        assert.equal(res.converged, true);
        checkHonest(res, A, n, b);
        assert.ok(relErr(res.x, ref) < 1e-8, `rel err ${relErr(res.x, ref)}`);
      }
      // Full GMRES terminates in at most n steps.
      assert.ok(gmres(op, b, { restart: n }).iterations <= n);
    }),
    { numRuns: 40 },
  );
});

test('GMRES on a strongly non-normal matrix (Jordan-like I + 1.5·shift): full and restarted', () => {
  const n = 30;
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    A[i * n + i] = 1;
    if (i + 1 < n) A[i * n + i + 1] = 1.5;
  }
  const b = randVec(rng(8), n);
  const ref = denseSolve(A, b, n);
  const full = gmres(denseOperator(A, n, n), b, { restart: n });
  assert.equal(full.converged, true);
  assert.ok(full.iterations <= n);
  checkHonest(full, A, n, b);
  assert.ok(relErr(full.x, ref) < 1e-6, `${relErr(full.x, ref)}`);
  const restarted = gmres(denseOperator(A, n, n), b, { restart: 10, onFailure: 'return' });
  checkHonest(restarted, A, n, b);
  if (restarted.converged) assert.ok(relErr(restarted.x, ref) < 1e-6);
  else assert.ok(['stagnation', 'maxIter'].includes(restarted.reason));
});

test('GMRES and MINRES solve a symmetric indefinite system that CG cannot', () => {
  const g = rng(7);
  const n = 25;
  const A = randSymIndef(g, n);
  const b = randVec(g, n);
  const ref = denseSolve(A, b, n);
  assert.ok(relErr(gmres(denseOperator(A, n, n), b).x, ref) < 1e-8);
  assert.ok(relErr(minres(denseOperator(A, n, n), b).x, ref) < 1e-8);
  const res = cg(denseOperator(A, n, n), b, { onFailure: 'return' });
  assert.equal(res.converged, false);
  assert.equal(res.reason, 'indefinite');
  checkHonest(res, A, n, b);
});

test('operators in every accepted form give the same answer; CsrMatrix works directly', () => {
  const n = 50;
  // 1-D Poisson (SPD tridiagonal)
  const rows: number[] = [], cols: number[] = [], vals: number[] = [];
  for (let i = 0; i < n; i++) {
    rows.push(i); cols.push(i); vals.push(2);
    if (i > 0) { rows.push(i); cols.push(i - 1); vals.push(-1); }
    if (i < n - 1) { rows.push(i); cols.push(i + 1); vals.push(-1); }
  }
  const S = CsrMatrix.fromCoo(n, n, rows, cols, vals);
  const A = S.toDense();
  const b = randVec(rng(3), n);
  const inPlace: LinearOperator = (v, out) => { S.matvec(v, out); };
  const allocating: LinearOperator = (v) => S.matvec(v);
  const ref = denseSolve(A, b, n);
  for (const op of [S, inPlace, allocating, denseOperator(A, n, n)] as OperatorLike[]) {
    for (const solve of Object.values(squareSolvers)) {
      const res = solve(op, b);
      assert.equal(res.converged, true);
      assert.ok(relErr(res.x, ref) < 1e-7, `${solve.name}: ${relErr(res.x, ref)}`);
    }
  }
});

// ---------------------------------------------------------------------------------------------
// warm starts and trivial right-hand sides
// ---------------------------------------------------------------------------------------------

test('warm start from the solution converges in 0–1 iterations (all square solvers)', () => {
  const g = rng(11);
  const n = 20;
  const systems = { cg: randSpd(g, n), minres: randSymIndef(g, n), gmres: randNonsym(g, n), bicgstab: randNonsym(g, n) };
  for (const [name, A] of Object.entries(systems)) {
    const b = randVec(g, n);
    const solve = squareSolvers[name as keyof typeof squareSolvers];
    const x0 = solve(denseOperator(A, n, n), b, { tol: 1e-13 }).x;
    const res = solve(denseOperator(A, n, n), b, { x0 });
    assert.equal(res.converged, true, name);
    assert.ok(res.iterations <= 1, `${name}: ${res.iterations} iterations from the solution`);
    // x0 is not modified
    assert.notEqual(res.x, x0);
  }
});

test('warm start near the solution needs fewer iterations than a cold start', () => {
  const g = rng(12);
  const n = 60;
  const A = randSpd(g, n);
  const b = randVec(g, n);
  const xs = denseSolve(A, b, n);
  const x0 = xs.map((v) => v + 1e-6 * g.normalScalar());
  const cold = cg(denseOperator(A, n, n), b);
  const warm = cg(denseOperator(A, n, n), b, { x0 });
  assert.ok(warm.converged && warm.iterations < cold.iterations, `${warm.iterations} vs ${cold.iterations}`);
});

test('zero right-hand side returns x = 0, converged, 0 iterations (even with x0)', () => {
  const n = 5;
  const A = randSpd(rng(1), n);
  const b = new Float64Array(n);
  const x0 = Float64Array.of(1, 2, 3, 4, 5);
  for (const solve of Object.values(squareSolvers)) {
    const res = solve(denseOperator(A, n, n), b, { x0 });
    assert.deepEqual([...res.x], [0, 0, 0, 0, 0]);
    assert.equal(res.converged, true);
    assert.equal(res.iterations, 0);
    assert.equal(res.residualNorm, 0);
    assert.equal(res.relativeResidual, 0);
  }
  const R = denseOperator(randMat(rng(2), 7, 3), 7, 3);
  for (const solve of [lsqr, cgNormal]) {
    const res = solve(R, new Float64Array(7));
    assert.equal(res.converged, true);
    assert.equal(res.iterations, 0);
    assert.deepEqual([...res.x], [0, 0, 0]);
  }
  const fp = fixedPointLinear((v, out) => { out.set(v); }, new Float64Array(2));
  assert.equal(fp.converged, true);
});

test('empty systems (n = 0) are trivially solved', () => {
  const op: LinearOperator = () => {};
  for (const solve of Object.values(squareSolvers)) {
    const res = solve(op, new Float64Array(0));
    assert.equal(res.converged, true);
    assert.equal(res.x.length, 0);
  }
});

// ---------------------------------------------------------------------------------------------
// honest failure reports
// ---------------------------------------------------------------------------------------------

test('tiny maxIter: ConvergenceError by default, converged:false with the true residual on "return"', () => {
  const g = rng(21);
  const n = 40;
  const spd = randSpd(g, n), sym = randSymIndef(g, n), ns = randNonsym(g, n);
  const cases: [string, Float64Array][] = [['cg', spd], ['minres', sym], ['gmres', ns], ['bicgstab', ns]];
  for (const [name, A] of cases) {
    const solve = squareSolvers[name as keyof typeof squareSolvers];
    const b = randVec(g, n);
    const op = denseOperator(A, n, n);
    assert.throws(
      () => solve(op, b, { maxIter: 2 }),
      (e: unknown) => {
        assert.ok(e instanceof ConvergenceError, name);
        assert.equal(e.report.converged, false);
        assert.equal(e.report.iterations, 2);
        assert.equal(e.report['reason'], 'maxIter');
        assert.match(e.message, new RegExp(`^${name}: did not converge`));
        const x = e.report['x'] as Float64Array;
        assert.ok(Math.abs(trueResidual(A, n, x, b) - e.report.residualNorm) < 1e-12);
        return true;
      },
    );
    const res = solve(op, b, { maxIter: 2, onFailure: 'return' });
    assert.equal(res.converged, false);
    assert.equal(res.reason, 'maxIter');
    assert.equal(res.iterations, 2);
    checkHonest(res, A, n, b);
    assert.ok(Math.abs(res.relativeResidual - res.residualNorm / norm(b)) < 1e-15);
    assert.ok(res.residualNorm > 1e-10 * norm(b));
    // maxIter 0 only evaluates the initial guess
    const zero = solve(op, b, { maxIter: 0, onFailure: 'return' });
    assert.equal(zero.iterations, 0);
    assert.ok(Math.abs(zero.residualNorm - norm(b)) < 1e-12);
  }
});

test('CG on an indefinite matrix reports it (pᵀAp ≤ 0) instead of returning garbage', () => {
  const A = denseOperator(Float64Array.of(1, 0, 0, -2), 2, 2);
  const b = Float64Array.of(1, 1);
  assert.throws(() => cg(A, b), (e: unknown) => e instanceof ConvergenceError && e.report['reason'] === 'indefinite');
  const res = cg(A, b, { onFailure: 'return' });
  assert.equal(res.reason, 'indefinite');
  assert.equal(res.converged, false);
  // negative definite is caught at the first step too
  assert.equal(cg(denseOperator(Float64Array.of(-1, 0, 0, -2), 2, 2), b, { onFailure: 'return' }).reason, 'indefinite');
  // a non-SPD preconditioner is reported as well
  const spd = denseOperator(Float64Array.of(2, 0, 0, 3), 2, 2);
  const badM: LinearOperator = (v, out) => { out[0] = -v[0]!; out[1] = v[1]!; };
  assert.equal(cg(spd, b, { M: badM, onFailure: 'return' }).reason, 'indefinite');
  assert.equal(minres(spd, b, { M: badM, onFailure: 'return' }).reason, 'indefinite');
});

test('GMRES on a singular inconsistent system does not claim convergence', () => {
  // A = diag(1, 1, 0), b = (1, 1, 1): no solution; the best x gives residual 1.
  const A = Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 0);
  const b = Float64Array.of(1, 1, 1);
  for (const restart of [1, 2, 3]) {
    const res = gmres(denseOperator(A, 3, 3), b, { restart, onFailure: 'return' });
    assert.equal(res.converged, false, `restart ${restart}`);
    assert.ok(['breakdown', 'stagnation', 'maxIter'].includes(res.reason), res.reason);
    assert.ok(res.x.every(Number.isFinite));
    checkHonest(res, A, 3, b);
    assert.ok(res.residualNorm >= 1 - 1e-12);
    // a least-squares iterate (x0, x1 = 1) that was not thrown far along the null space e2
    // (GMRES picks x from K(A, b), which contains b's null-space component: x2 = 1 is legitimate)
    assert.ok(Math.abs(res.x[0]! - 1) < 1e-8 && Math.abs(res.x[1]! - 1) < 1e-8, `restart ${restart}: x = ${res.x}`);
    assert.ok(Math.abs(res.x[2]!) <= 1 + 1e-8, `restart ${restart}: x = ${res.x}`);
  }
  assert.throws(() => gmres(denseOperator(A, 3, 3), b), ConvergenceError);
  // A random singular nonsymmetric one: rank n−1, b generic.
  const g = rng(5);
  const n = 12;
  const B = randMat(g, n, n);
  for (let i = 0; i < n; i++) B[i * n + n - 1] = B[i * n] ?? 0; // duplicate column → singular
  const bb = randVec(g, n);
  const res = gmres(denseOperator(B, n, n), bb, { onFailure: 'return' });
  assert.equal(res.converged, false);
  checkHonest(res, B, n, bb);
});

test('GMRES on a singular but consistent system converges', () => {
  const A = Float64Array.of(1, 0, 0, 0, 2, 0, 0, 0, 0);
  const b = Float64Array.of(1, 1, 0);
  const res = gmres(denseOperator(A, 3, 3), b);
  assert.equal(res.converged, true);
  assert.ok(relErr(res.x, Float64Array.of(1, 0.5, 0)) < 1e-12);
});

test('MINRES on a singular inconsistent system reports "inconsistent" and returns a least-squares solution', () => {
  const n = 10;
  // A = Q·diag(λ)·Qᵀ with λ_0 = 0 (via Householder Q)
  const g = rng(9);
  const u = randVec(g, n);
  const un = norm(u);
  for (let i = 0; i < n; i++) u[i] /= un;
  const Q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) Q[i * n + j] = (i === j ? 1 : 0) - 2 * u[i]! * u[j]!;
  const lam = Float64Array.from({ length: n }, (_, i) => (i === 0 ? 0 : i % 2 ? i : -i));
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += Q[i * n + k]! * lam[k]! * Q[j * n + k]!;
    A[i * n + j] = s;
  }
  const b = randVec(g, n);
  const res = minres(denseOperator(A, n, n), b, { onFailure: 'return' });
  assert.equal(res.converged, false);
  assert.equal(res.reason, 'inconsistent');
  assert.ok(res.x.every(Number.isFinite));
  // The residual is the true one up to the rounding of A·x (x may carry a large null-space
  // component: classical MINRES is not minimum-norm on singular systems — lsqr is).
  const r = sub(b, matvec(A, n, n, res.x));
  assert.ok(Math.abs(norm(r) - res.residualNorm) <= 100 * 2.2e-16 * n * norm(res.x) * 10 + 1e-12);
  // least squares: the residual is the component of b along the null vector q0
  let bq = 0;
  for (let i = 0; i < n; i++) bq += b[i]! * Q[i * n]!;
  assert.ok(Math.abs(res.residualNorm - Math.abs(bq)) < 1e-6 * norm(b));
  assert.throws(() => minres(denseOperator(A, n, n), b), ConvergenceError);
});

test('BiCGSTAB breakdown (skew-symmetric A: rᵀA·r = 0) is reported; GMRES solves the same system', () => {
  const A = Float64Array.of(0, 1, -1, 0);
  const b = Float64Array.of(1, 0);
  const res = bicgstab(denseOperator(A, 2, 2), b, { onFailure: 'return' });
  assert.equal(res.converged, false);
  assert.equal(res.reason, 'breakdown');
  checkHonest(res, A, 2, b);
  assert.throws(() => bicgstab(denseOperator(A, 2, 2), b), ConvergenceError);
  const ok = gmres(denseOperator(A, 2, 2), b);
  assert.ok(relErr(ok.x, Float64Array.of(0, 1)) < 1e-14);
});

test('NaN/Infinity from the operator: reason "non-finite", never converged', () => {
  const n = 6;
  const A = randSpd(rng(4), n);
  const b = randVec(rng(5), n);
  let calls = 0;
  const poisoned: LinearOperator = (v, out) => {
    calls++;
    denseOperator(A, n, n).matvec(v, out);
    if (calls >= 3) out[2] = calls % 2 ? NaN : Infinity;
  };
  for (const solve of Object.values(squareSolvers)) {
    calls = 0;
    const res = solve(poisoned, b, { onFailure: 'return' });
    assert.equal(res.converged, false, solve.name);
    assert.equal(res.reason, 'non-finite', solve.name);
    assert.throws(() => { calls = 0; solve(poisoned, b); }, ConvergenceError);
  }
  const nanOp: LinearOperator = (_v, out) => { out.fill(NaN); };
  const R = { rows: n, cols: n, matvec: nanOp, rmatvec: nanOp };
  for (const solve of [lsqr, cgNormal]) {
    const res = solve(R, b, { onFailure: 'return' });
    assert.equal(res.converged, false);
    assert.equal(res.reason, 'non-finite');
  }
  const fp = fixedPointLinear(nanOp, b, { onFailure: 'return' });
  assert.equal(fp.reason, 'non-finite');
  assert.equal(fp.converged, false);
});

test('tol = 0 terminates (stagnation or exact zero residual), never loops forever', () => {
  const g = rng(31);
  const n = 30;
  const A = randSpd(g, n);
  const b = randVec(g, n);
  for (const solve of Object.values(squareSolvers)) {
    const res = solve(denseOperator(A, n, n), b, { tol: 0, onFailure: 'return' });
    if (res.converged) assert.equal(res.residualNorm, 0);
    else assert.ok(['stagnation', 'maxIter', 'breakdown'].includes(res.reason), `${solve.name}: ${res.reason}`);
    assert.ok(res.iterations <= 10 * n);
    checkHonest(res, A, n, b);
  }
});

test('atol: absolute residual target', () => {
  const g = rng(32);
  const n = 30;
  const A = randSpd(g, n);
  const b = randVec(g, n);
  const res = cg(denseOperator(A, n, n), b, { tol: 0, atol: 1e-3 });
  assert.ok(res.converged && res.residualNorm <= 1e-3);
  assert.ok(res.residualNorm > 1e-9); // stopped early, not at full accuracy
});

// ---------------------------------------------------------------------------------------------
// preconditioning, callbacks
// ---------------------------------------------------------------------------------------------

test('Jacobi preconditioning cuts iterations on a badly scaled SPD system (CG, MINRES, GMRES, BiCGSTAB)', () => {
  const g = rng(41);
  const n = 80;
  const A0 = randSpd(g, n);
  // D·A0·D with D spanning 4 orders of magnitude
  const d = Float64Array.from({ length: n }, (_, i) => 10 ** (4 * i / (n - 1)) ** 0.5);
  const A = A0.map((v, k) => v * d[Math.floor(k / n)]! * d[k % n]!);
  const b = randVec(g, n);
  const diag = Float64Array.from({ length: n }, (_, i) => A[i * n + i]!);
  const M = jacobiPreconditioner(diag);
  const op = denseOperator(A, n, n);
  const ref = denseSolve(A, b, n);
  for (const solve of Object.values(squareSolvers)) {
    const plain = solve(op, b, { onFailure: 'return', maxIter: 2000 });
    const pre = solve(op, b, { M });
    assert.equal(pre.converged, true, solve.name);
    assert.ok(pre.iterations < plain.iterations, `${solve.name}: ${pre.iterations} vs ${plain.iterations}`);
    assert.ok(relErr(pre.x, ref) < 1e-6, `${solve.name}: ${relErr(pre.x, ref)}`);
    checkHonest(pre, A, n, b);
  }
});

test('callback and history see every iteration', () => {
  const g = rng(42);
  const n = 15;
  const A = randNonsym(g, n);
  const b = randVec(g, n);
  for (const solve of [gmres, bicgstab] as const) {
    const seen: number[] = [];
    const res = solve(denseOperator(A, n, n), b, { callback: (it) => seen.push(it), recordHistory: true });
    assert.deepEqual(seen, Array.from({ length: res.iterations }, (_, i) => i + 1));
    assert.equal(res.history!.length, res.iterations);
    assert.ok(res.history![res.history!.length - 1]! <= 1e-10 * norm(b) * 1.0001);
  }
});

// ---------------------------------------------------------------------------------------------
// least squares: LSQR and CG on the normal equations
// ---------------------------------------------------------------------------------------------

test('LSQR and cgNormal match the normal-equation solution on random overdetermined systems', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 15 }), fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 1e6 }),
      fc.constantFrom(0, 0.5),
      (n, extra, seed, damp) => {
        const m = n + extra;
        const g = rng(seed);
        const A = randMat(g, m, n);
        for (let i = 0; i < Math.min(m, n); i++) A[i * n + i] += 3; // keep it well conditioned
        const b = randVec(g, m);
        const ref = denseSolve(gram(A, m, n, damp), matvec(transpose(A, m, n), n, m, b), n);
        const op = denseOperator(A, m, n);
        for (const solve of [lsqr, cgNormal]) {
          const res = solve(op, b, { damp });
          assert.equal(res.converged, true);
          assert.ok(res.reason === 'converged' || res.reason === 'least-squares');
          assert.ok(relErr(res.x, ref) < 1e-7, `${solve.name} m=${m} n=${n} damp=${damp}: ${relErr(res.x, ref)}`);
          // reported residuals are the true ones
          const r = sub(b, matvec(A, m, n, res.x));
          assert.ok(Math.abs(norm(r) - res.residualNorm) < 1e-10);
          const gr = matvec(transpose(A, m, n), n, m, r).map((v, j) => v - damp * damp * res.x[j]!);
          assert.ok(Math.abs(norm(gr) - res.normalResidualNorm) < 1e-10);
        }
      },
    ),
    { numRuns: 30 },
  );
});

test('LSQR on an underdetermined consistent system returns the minimum-norm solution', () => {
  const g = rng(51);
  const m = 8, n = 20;
  const A = randMat(g, m, n);
  const b = randVec(g, m);
  // x* = Aᵀ (A Aᵀ)⁻¹ b
  const AAt = gram(transpose(A, m, n), n, m);
  const xs = matvec(transpose(A, m, n), n, m, denseSolve(AAt, b, m));
  const res = lsqr(denseOperator(A, m, n), b);
  assert.equal(res.reason, 'converged');
  assert.ok(relErr(res.x, xs) < 1e-8);
  assert.ok(res.residualNorm <= 1e-10 * norm(b));
  assert.ok(res.condEstimate >= 1);
});

test('LSQR with damping and a warm start still solves the damped problem', () => {
  const g = rng(52);
  const m = 30, n = 10, damp = 2;
  const A = randMat(g, m, n);
  const b = randVec(g, m);
  const ref = denseSolve(gram(A, m, n, damp), matvec(transpose(A, m, n), n, m, b), n);
  const x0 = randVec(g, n);
  for (const solve of [lsqr, cgNormal]) {
    const res = solve(denseOperator(A, m, n), b, { damp, x0 });
    assert.equal(res.reason, 'least-squares');
    assert.ok(relErr(res.x, ref) < 1e-8, `${solve.name}: ${relErr(res.x, ref)}`);
    // warm start from the solution: 0–1 iterations
    const again = solve(denseOperator(A, m, n), b, { damp, x0: res.x });
    assert.ok(again.iterations <= 1, `${solve.name}: ${again.iterations}`);
  }
});

test('LSQR on a rank-deficient inconsistent problem returns a least-squares solution', () => {
  const g = rng(53);
  const m = 15, n = 6;
  const A = randMat(g, m, n);
  for (let i = 0; i < m; i++) A[i * n + 5] = A[i * n + 4]!; // two equal columns
  const b = randVec(g, m);
  const res = lsqr(denseOperator(A, m, n), b);
  assert.equal(res.reason, 'least-squares');
  assert.ok(res.normalResidualNorm < 1e-8 * norm(b));
  // x from 0 stays in range(Aᵀ) → the two duplicated coordinates are equal (minimum norm)
  assert.ok(Math.abs(res.x[4]! - res.x[5]!) < 1e-8);
});

test('LSQR / cgNormal: tiny maxIter throws ConvergenceError or returns converged:false', () => {
  const g = rng(54);
  const m = 40, n = 30;
  const A = randMat(g, m, n);
  const b = randVec(g, m);
  for (const solve of [lsqr, cgNormal]) {
    assert.throws(() => solve(denseOperator(A, m, n), b, { maxIter: 2 }), ConvergenceError);
    const res = solve(denseOperator(A, m, n), b, { maxIter: 2, onFailure: 'return' });
    assert.equal(res.converged, false);
    assert.equal(res.reason, 'maxIter');
    assert.ok(Math.abs(norm(sub(b, matvec(A, m, n, res.x))) - res.residualNorm) < 1e-12);
  }
});

test('LSQR accepts a CsrMatrix and closures for A and Aᵀ', () => {
  const g = rng(55);
  const m = 25, n = 10;
  const A = randMat(g, m, n);
  for (let k = 0; k < m * n; k++) if (g.random() < 0.6) A[k] = 0;
  for (let i = 0; i < n; i++) A[i * n + i] += 2;
  const S = CsrMatrix.fromDense(A, m, n);
  const b = randVec(g, m);
  const r1 = lsqr(S, b);
  const r2 = lsqr({ rows: m, cols: n, matvec: (v) => S.matvec(v), rmatvec: (u, out) => { S.rmatvec(u, out); } }, b);
  assert.ok(relErr(r1.x, r2.x) < 1e-12);
  assert.ok(relErr(r1.x, cgNormal(S, b).x) < 1e-8);
});

// ---------------------------------------------------------------------------------------------
// fixed-point iteration
// ---------------------------------------------------------------------------------------------

test('fixedPointLinear solves x = M x + b for a contraction and estimates ρ(M)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 1e6 }), (n, seed) => {
      const g = rng(seed);
      // symmetric M with spectral radius ≤ ‖M‖_F = 0.6
      const S = randSymIndef(g, n);
      const fro = norm(S);
      const M = S.map((v) => (0.6 * v) / fro);
      const b = randVec(g, n);
      const res = fixedPointLinear(denseOperator(M, n, n), b);
      const IminusM = M.map((v, k) => (Math.floor(k / n) === k % n ? 1 : 0) - v);
      assert.equal(res.converged, true);
      assert.ok(relErr(res.x, denseSolve(IminusM, b, n)) < 1e-9);
      assert.ok(Math.abs(trueResidual(IminusM, n, res.x, b) - res.residualNorm) < 1e-12);
      // (the last ratios are measured on residuals ~1e-11 with rounding noise ~ε·‖x‖)
      assert.ok(res.rateEstimate <= 0.6 * (1 + 1e-3), `rate ${res.rateEstimate}`);
    }),
    { numRuns: 30 },
  );
  // dense contraction: M = 0.9·Q with Q orthogonal-ish rotation
  const c = Math.cos(0.3), s = Math.sin(0.3);
  const M = Float64Array.of(0.9 * c, -0.9 * s, 0.9 * s, 0.9 * c);
  const res = fixedPointLinear(denseOperator(M, 2, 2), Float64Array.of(1, 1));
  assert.ok(Math.abs(res.rateEstimate - 0.9) < 1e-6);
});

test('fixedPointLinear reports divergence when ρ(M) ≥ 1; relaxation rescues real negative spectra', () => {
  const b = Float64Array.of(1, 2);
  const grow = denseOperator(Float64Array.of(1.05, 0, 0, 0.5), 2, 2);
  assert.throws(() => fixedPointLinear(grow, b), (e: unknown) => e instanceof ConvergenceError && e.report['reason'] === 'diverged');
  const res = fixedPointLinear(grow, b, { onFailure: 'return' });
  assert.equal(res.reason, 'diverged');
  assert.equal(res.converged, false);
  assert.ok(res.rateEstimate >= 1);
  assert.ok(res.iterations < 1000);
  // ρ = 1 exactly (rotation): no progress → diverged, not an endless loop
  const rot = denseOperator(Float64Array.of(0, -1, 1, 0), 2, 2);
  assert.equal(fixedPointLinear(rot, b, { onFailure: 'return' }).reason, 'diverged');
  // M = −1.5·I: plain iteration diverges, ω = 0.5 converges (x ← x − 1.25x + 0.5b)
  const neg = denseOperator(Float64Array.of(-1.5, 0, 0, -1.5), 2, 2);
  assert.equal(fixedPointLinear(neg, b, { onFailure: 'return' }).converged, false);
  const relaxed = fixedPointLinear(neg, b, { relaxation: 0.5 });
  assert.ok(relErr(relaxed.x, Float64Array.of(0.4, 0.8)) < 1e-9);
  // too few iterations
  const slow = denseOperator(Float64Array.of(0.99, 0, 0, 0.99), 2, 2);
  assert.throws(() => fixedPointLinear(slow, b, { maxIter: 10 }), ConvergenceError);
});

// ---------------------------------------------------------------------------------------------
// input validation
// ---------------------------------------------------------------------------------------------

test('input validation: shapes, non-finite b, bad options', () => {
  const A = denseOperator(Float64Array.of(2, 0, 0, 2), 2, 2);
  const b = Float64Array.of(1, 1);
  const all = [...Object.values(squareSolvers), fixedPointLinear] as ((A: OperatorLike, b: Float64Array, o?: object) => unknown)[];
  for (const solve of all) {
    assert.throws(() => solve(A, Float64Array.of(1, 1, 1)), ShapeError); // A is 2×2, b has 3
    assert.throws(() => solve(A, b, { x0: Float64Array.of(1) }), ShapeError);
    assert.throws(() => solve(A, Float64Array.of(1, NaN)), NonFiniteError);
    assert.throws(() => solve(A, Float64Array.of(Infinity, 1)), NonFiniteError);
    assert.throws(() => solve(A, b, { x0: Float64Array.of(0, NaN) }), NonFiniteError);
    assert.throws(() => solve(A, b, { tol: -1 }), InvalidArgumentError);
    assert.throws(() => solve(A, b, { tol: NaN }), InvalidArgumentError);
    assert.throws(() => solve(A, b, { atol: -1e-3 }), InvalidArgumentError);
    assert.throws(() => solve(A, b, { maxIter: -1 }), InvalidArgumentError);
    assert.throws(() => solve(A, b, { maxIter: 2.5 }), InvalidArgumentError);
    assert.throws(() => solve(A, b, { onFailure: 'ignore' }), InvalidArgumentError);
    assert.throws(() => solve(42 as unknown as OperatorLike, b), InvalidArgumentError);
    assert.throws(() => solve(A, [1, 1] as unknown as Float64Array), InvalidArgumentError);
    // an operator returning the wrong length
    assert.throws(() => solve((() => new Float64Array(3)) as LinearOperator, b), ShapeError);
  }
  assert.throws(() => gmres(A, b, { restart: 0 }), InvalidArgumentError);
  assert.throws(() => fixedPointLinear(A, b, { relaxation: 2 }), InvalidArgumentError);
  const R = denseOperator(new Float64Array(6), 3, 2);
  for (const solve of [lsqr, cgNormal]) {
    assert.throws(() => solve(R, Float64Array.of(1, 2)), ShapeError);
    assert.throws(() => solve(R, Float64Array.of(1, 2, 3), { x0: Float64Array.of(1, 2, 3) }), ShapeError);
    assert.throws(() => solve(R, Float64Array.of(1, NaN, 3)), NonFiniteError);
    assert.throws(() => solve(R, Float64Array.of(1, 2, 3), { damp: -1 }), InvalidArgumentError);
    assert.throws(() => solve(R, Float64Array.of(1, 2, 3), { tol: -1 }), InvalidArgumentError);
  }
  assert.throws(() => jacobiPreconditioner(Float64Array.of(1, 0)), InvalidArgumentError);
  assert.throws(() => denseOperator(new Float64Array(5), 2, 3), ShapeError);
});

test('Tensor inputs: b, x0 and the operator as Tensors (x comes back as a Tensor); Tensor-returning operators', () => {
  const Am = [[4, 1, 0], [1, 3, 1], [0, 1, 2]];
  const A = tensor(Am);
  const bArr = Float64Array.of(1, 2, 3);
  const xRef = denseSolve(A.data, bArr, 3);
  const forms: [string, OperatorLike][] = [
    ['2-D Tensor', A],
    ['function returning a Tensor', (v: Float64Array) => matmul(A, tensor(v))],
    ['matvec object returning a Tensor', { rows: 3, cols: 3, matvec: (v: Float64Array) => matmul(A, tensor(v)) }],
  ];
  for (const [name, solve] of Object.entries(squareSolvers)) {
    for (const [form, op] of forms) {
      const res = solve(op, tensor(bArr), { x0: tensor([0, 0, 0]) });
      assert.ok(res.x instanceof Tensor, `${name}/${form}: x is a Tensor for a Tensor b`);
      assert.deepEqual(res.x.shape, [3]);
      assertClose(res.x.data, xRef, 1e-9, `${name}/${form}`);
      // Float64Array b: Float64Array x, whatever the operator
      assert.ok(solve(op, bArr).x instanceof Float64Array, `${name}/${form}: Float64Array in, Float64Array out`);
    }
  }
  // fixed point x = M x + b with M = I − A/5 (a contraction): x = (A/5)⁻¹ b
  const M = tsub(eye(3), mul(A, 0.2));
  const fp = fixedPointLinear(M, tensor(bArr));
  assert.ok(fp.x instanceof Tensor);
  assertClose(fp.x.data, xRef.map((v) => 5 * v), 1e-8, 'fixedPointLinear with Tensors');
  // least squares with a rectangular Tensor A
  const R = tensor([[1, 0], [1, 1], [1, 2]]);
  for (const solve of [lsqr, cgNormal]) {
    const ls = solve(R, tensor([1, 2, 2]));
    assert.ok(ls.x instanceof Tensor);
    assertClose(ls.x.data, [7 / 6, 1 / 2], 1e-9, 'least squares with a Tensor A');
  }
  // shapes of Tensor arguments are checked
  assert.throws(() => cg(tensor([[1, 0, 0], [0, 1, 0]]), tensor([1, 1])), ShapeError);
  assert.throws(() => cg(A, tensor([[1], [2], [3]])), ShapeError);
  assert.throws(() => lsqr(tensor([1, 2, 3]), tensor([1, 2, 3])), ShapeError);
});

test('traced tensors are refused with ConcretizationError (b, x0, operator, operator output), never a zero gradient', () => {
  const A = tensor([[4, 1], [1, 3]]);
  const b = tensor([1, 2]);
  const refuse = (f: (t: Tensor) => Tensor): void => {
    assert.throws(() => grad((t: Tensor) => sum(f(t)))(b), ConcretizationError);
    assert.throws(() => jvp(f, [b], [b]), ConcretizationError);
  };
  for (const solve of [...Object.values(squareSolvers), fixedPointLinear]) {
    refuse((t) => solve(mul(A, 0.1), t).x);
    refuse((t) => solve(mul(A, 0.1), b, { x0: t }).x);
    refuse((t) => solve(mul(mul(A, 0.1), sum(t)), b).x);
    refuse((t) => solve((v: Float64Array) => mul(matmul(mul(A, 0.1), tensor(v)), sum(t)), b).x);
  }
  for (const solve of [lsqr, cgNormal]) {
    refuse((t) => solve(A, t).x);
    refuse((t) => solve(mul(A, sum(t)), b).x);
  }
});

test('failure policy: onFailure warn emits one ConvergenceWarning and returns the report; unknown options are refused', () => {
  const A = denseOperator(Float64Array.of(4, 1, 0, 1, 3, 1, 0, 1, 2), 3, 3);
  const b = Float64Array.of(1, 2, 3);
  const seen: [string, string][] = [];
  const prev = setWarningHandler((m, t) => seen.push([m, t]));
  try {
    for (const [name, solve] of Object.entries(squareSolvers)) {
      seen.length = 0;
      const res = solve(A, b, { maxIter: 1, tol: 1e-14, onFailure: 'warn' });
      assert.equal(res.converged, false, name);
      assert.equal(seen.length, 1, `${name}: one warning`);
      assert.equal(seen[0]![1], 'ConvergenceWarning');
      assert.match(seen[0]![0], new RegExp(`^${name}: did not converge`));
    }
    seen.length = 0;
    assert.equal(solveQuietly(), false);
    assert.equal(seen.length, 0, "'return' is silent");
  } finally {
    setWarningHandler(prev);
  }
  function solveQuietly(): boolean {
    return cg(A, b, { maxIter: 1, tol: 1e-14, onFailure: 'return' }).converged;
  }
  for (const solve of [...Object.values(squareSolvers), fixedPointLinear] as ((A: OperatorLike, b: Float64Array, o?: object) => unknown)[]) {
    assert.throws(() => solve(A, b, { tolerance: 1e-3 }), (e: unknown) => e instanceof InvalidArgumentError && /unknown option 'tolerance' \(did you mean 'tol'\?\)/.test((e as Error).message));
  }
  assert.throws(() => cg(A, b, { restart: 5 } as never), InvalidArgumentError); // restart is GMRES's
  assert.doesNotThrow(() => gmres(A, b, { restart: 2 }));
  assert.throws(() => lsqr(denseOperator(new Float64Array(6), 3, 2), Float64Array.of(1, 2, 3), { dampening: 1 } as never), /did you mean 'damp'/);
});
