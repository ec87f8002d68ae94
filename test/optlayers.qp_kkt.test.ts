/**
 * @file The factorisations behind solveQp's speed: qp_kkt.ts (K_S by Cholesky of Q and of the
 * Schur complement, LU fallback) against the LU of the assembled K_S — same solves, same condition
 * estimate, the fallback on PSD Q and on dependent active rows (singular K_S still refused) — and
 * qp_ipm.ts's Woodbury mode (m × m systems when Q ≻ 0, no equalities, m ≤ n) against the n × n
 * path on the same problems: same iteration counts, solutions to 1e-12, and solveQp's KKT
 * conditions on an ill-conditioned Q (fallback) and a degenerate point.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rng, solveQp, tensor, eye, grad, sum, InvertibilityError, type Tensor } from '../src/index.js';
import { choleskyOfQ, factorKkt, forward } from '../src/optlayers/qp_kkt.js';
import { qpIpm, QpWorkspace, type QpData } from '../src/optlayers/qp_ipm.js';

function spd(n: number, seed: number, shift = 0.1): Float64Array {
  const L = rng(seed).normal([n, n]).data;
  const Q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let a = 0;
      for (let t = 0; t < n; t++) a += L[i * n + t]! * L[j * n + t]!;
      Q[i * n + j] = a / n + (i === j ? shift : 0);
    }
  }
  return Q;
}

/** K_S·x (assembled from Q, the rows S of G, A). */
function applyK(Q: Float64Array, n: number, G: Float64Array, S: number[], A: Float64Array, e: number, x: Float64Array): Float64Array {
  const rows = [...S.map((i) => G.subarray(i * n, (i + 1) * n)), ...Array.from({ length: e }, (_, r) => A.subarray(r * n, (r + 1) * n))];
  const y = new Float64Array(n + rows.length);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) y[i] += Q[i * n + j]! * x[j]!;
  rows.forEach((g, r) => {
    for (let j = 0; j < n; j++) {
      y[j] += g[j]! * x[n + r]!;
      y[n + r] += g[j]! * x[j]!;
    }
  });
  return y;
}

test('Schur route: solves and condition estimate equal the LU of K_S (with and without equalities)', () => {
  const n = 12;
  const Q = spd(n, 1);
  const G = rng(2).normal([7, n]).data;
  const A = rng(3).normal([2, n]).data;
  for (const [S, e] of [[[0, 2, 3, 6], 0], [[1, 4], 2], [[], 2], [[], 0]] as [number[], number][]) {
    const fs = factorKkt(Q, choleskyOfQ(Q, n), n, G, Int32Array.from(S), A, e);
    const fl = factorKkt(Q, null, n, G, Int32Array.from(S), A, e);
    assert.equal(fs.method, 'schur');
    assert.equal(fl.method, 'lu');
    assert.ok(Math.abs(fs.rcond / fl.rcond - 1) < 1e-6, `rcond ${fs.rcond} vs ${fl.rcond}`);
    const N = n + S.length + e;
    const r = rng(4).normal([N]).data;
    const xs = fs.solve!(r);
    const xl = fl.solve!(r);
    const back = applyK(Q, n, G, S, A, e, xs);
    for (let i = 0; i < N; i++) {
      assert.ok(Math.abs(xs[i]! - xl[i]!) < 1e-10 * (1 + Math.abs(xl[i]!)), `x[${i}]`);
      assert.ok(Math.abs(back[i]! - r[i]!) < 1e-11, `residual ${i}`);
    }
  }
});

test('Schur route from the interior point\'s Woodbury rows equals the one computed from G', () => {
  const n = 10;
  const m = 6;
  const Q = spd(n, 40);
  const G = rng(41).normal([m, n]).data;
  const LQ = choleskyOfQ(Q, n)!;
  const M = G.slice();
  for (let k = 0; k < m; k++) forward(LQ, n, M.subarray(k * n, (k + 1) * n));
  const P = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j <= i; j++) for (let t = 0; t < n; t++) P[i * m + j] += M[i * n + t]! * M[j * n + t]!;
  const S = Int32Array.of(1, 2, 5);
  const a = factorKkt(Q, LQ, n, G, S, new Float64Array(0), 0, { m, M, P });
  const b = factorKkt(Q, LQ, n, G, S, new Float64Array(0), 0);
  assert.equal(a.method, 'schur');
  const r = rng(42).normal([n + 3]).data;
  const xa = a.solve!(r);
  const xb = b.solve!(r);
  for (let i = 0; i < n + 3; i++) assert.ok(Math.abs(xa[i]! - xb[i]!) < 1e-12 * (1 + Math.abs(xb[i]!)));
});

test('fallback to LU: PSD Q (an LP) and dependent active rows; a singular K_S has no solve', () => {
  const n = 6;
  const Z = new Float64Array(n * n);
  assert.equal(choleskyOfQ(Z, n), null);
  // ill-conditioned Q (eigenvalues 1 … 1e-10): not used by the Schur route nor the Woodbury mode
  const Qill = new Float64Array(n * n);
  for (let i = 0; i < n; i++) Qill[i * n + i] = 10 ** (-2 * i);
  assert.equal(choleskyOfQ(Qill, n), null);
  const G = rng(6).normal([4, n]).data;
  // Q ≻ 0 but rows 0 and 3 equal: S singular → LU judges, and K_S is singular
  const Q = spd(n, 7);
  G.copyWithin(3 * n, 0, n);
  const f = factorKkt(Q, choleskyOfQ(Q, n), n, G, Int32Array.of(0, 1, 3), new Float64Array(0), 0);
  assert.equal(f.method, 'lu');
  assert.equal(f.solve, null);
  assert.ok(f.rcond <= 1e-14);
  // LP with n active constraints: K_S = [0 Gᵀ; G 0] is invertible, by LU
  const Gsq = rng(8).normal([n, n]).data;
  const lp = factorKkt(Z, null, n, Gsq, Int32Array.from({ length: n }, (_, i) => i), new Float64Array(0), 0);
  assert.equal(lp.method, 'lu');
  assert.ok(lp.solve !== null && lp.rcond > 1e-10);
});

test('Woodbury mode of the interior point: same iterations and solutions as the n × n path', () => {
  const n = 20;
  const m = 9;
  for (let seed = 0; seed < 6; seed++) {
    const Q = spd(n, 10 + seed);
    const r = rng(20 + seed);
    const G = r.normal([m, n]).data;
    const z0 = r.normal([n]).data;
    const h = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) h[i] += G[i * n + j]! * z0[j]!;
      // half the constraints tight at z0 (many active ones at the solution)
      h[i] += i % 2 === 0 ? 0 : 0.5;
    }
    const p = r.normal([n]).data;
    const q: QpData = { n, m, e: 0, Q, p, G, h, A: new Float64Array(0), b: new Float64Array(0) };
    const run = (LQ: Float64Array | null | undefined) => {
      const it = { z: new Float64Array(n), s: new Float64Array(m), lambda: new Float64Array(m), nu: new Float64Array(0) };
      const rep = qpIpm({ ...q, LQ }, it, { tol: 1e-10, maxIter: 50, infTol: 1e-8, warm: false }, new QpWorkspace(n, m, 0));
      return { rep, it };
    };
    const a = run(choleskyOfQ(Q, n));
    const b = run(undefined);
    assert.equal(a.rep.status, 'optimal');
    assert.equal(a.rep.iterations, b.rep.iterations, `iterations (seed ${seed})`);
    for (let j = 0; j < n; j++) assert.ok(Math.abs(a.it.z[j]! - b.it.z[j]!) < 1e-8 * (1 + Math.abs(b.it.z[j]!)), `z[${j}]`);
  }
});

test('solveQp with m ≤ n: KKT conditions at a degenerate point and with an ill-conditioned Q', () => {
  const n = 8;
  // projection of c onto {z : z_i ≤ 0, i < 4} with c_0 = 0 (degenerate: active with λ = 0)
  const c = Float64Array.of(0, 1, -1, 2, 0.5, -0.3, 1, 2);
  const G = new Float64Array(4 * n);
  for (let i = 0; i < 4; i++) G[i * n + i] = 1;
  const I = new Float64Array(n * n);
  for (let i = 0; i < n; i++) I[i * n + i] = 1;
  const p = c.map((v) => -v);
  const r = solveQp({ Q: tensor(I, [n, n]), p: tensor(p), G: tensor(G, [4, n]), h: tensor(new Float64Array(4)) });
  const want = c.map((v, i) => (i < 4 ? Math.min(v, 0) : v));
  for (let j = 0; j < n; j++) assert.ok(Math.abs(r.z.data[j]! - want[j]!) < 1e-12, `z[${j}]`);
  assert.equal(r.degenerate[0], 1);
  // ill-conditioned Q: eigenvalues 1 … 1e-9 (the n × n path and the LU polish), KKT to 1e-9
  const Qi = new Float64Array(n * n);
  for (let i = 0; i < n; i++) Qi[i * n + i] = 10 ** (-(9 * i) / (n - 1));
  const Gr = rng(30).normal([3, n]).data;
  const hr = Float64Array.of(0.5, 0.5, 0.5);
  const pr = rng(31).normal([n]).data;
  const s = solveQp({ Q: tensor(Qi, [n, n]), p: tensor(pr), G: tensor(Gr, [3, n]), h: tensor(hr) });
  assert.equal(s.status, 'optimal');
  for (let j = 0; j < n; j++) {
    let g = Qi[j * n + j]! * s.z.data[j]! + pr[j]!;
    for (let i = 0; i < 3; i++) g += Gr[i * n + j]! * s.lambda.data[i]!;
    assert.ok(Math.abs(g) < 1e-9 * (1 + Math.abs(pr[j]!)), `stationarity ${j}: ${g}`);
  }
});

test('dependent active rows with Q ≻ 0 and m ≤ n: the derivative is refused (InvertibilityError)', () => {
  const n = 4;
  // z_0 ≤ −1 twice: both active at the solution, dependent (LICQ fails)
  const G = tensor(Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0), [2, n]);
  const h = tensor(Float64Array.of(-1, -1));
  const f = (p: Tensor) => sum(solveQp({ Q: eye(n), p, G, h }).z);
  const p0 = tensor(Float64Array.of(0, 1, 0, 0));
  assert.equal(solveQp({ Q: eye(n), p: p0, G, h }).status, 'optimal');
  assert.throws(() => grad(f)(p0), (e: unknown) => e instanceof InvertibilityError && /LICQ/.test(e.message));
});
