/**
 * @file solveQp with `solver: 'admm'` (qp_admm.ts): solutions and multipliers against the
 * interior-point path and the stored cvxopt references after polishing (QPs, equalities, an LP),
 * batches, sparse CSR/CSC inputs, infeasible / unbounded statuses, warm start, derivatives equal to
 * the interior-point path's (one shared mechanism), option refusals.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  solveQp, tensor, eye, zeros, rng, vjp, jvp, grad, sum, mul, withKinkPolicy, trackKinks, CsrMatrix, CscMatrix, ConvergenceError, InvalidArgumentError, type Tensor, type QpAdmmReport,
} from '../src/index.js';
import { assertClose } from './helpers.js';

interface Fixture { n: number; m: number; e: number; lp: boolean; Q: number[]; p: number[]; G: number[]; h: number[]; A: number[]; b: number[]; z: number[]; lambda: number[]; nu: number[] }
const fixtures = (JSON.parse(readFileSync(new URL('./fixtures/qp_cvxopt.json', import.meta.url), 'utf8')) as { problems: Fixture[] }).problems;

function tensors(f: Fixture) {
  const t = (v: number[], shape: number[]) => tensor(Float64Array.from(v), shape);
  return {
    Q: t(f.Q, [f.n, f.n]), p: t(f.p, [f.n]), G: t(f.G, [f.m, f.n]), h: t(f.h, [f.m]),
    ...(f.e > 0 ? { A: t(f.A, [f.e, f.n]), b: t(f.b, [f.e]) } : {}),
  };
}

/** A random strictly convex QP with a strictly feasible point z0 (h = Gz0 + |noise|, b = Az0). */
function randomQp(n: number, m: number, e: number, seed: number, lp = false) {
  const r = rng(seed);
  const L = r.normal([n, n]).data;
  const Q = new Float64Array(n * n);
  if (!lp) {
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      let a = 0;
      for (let t = 0; t < n; t++) a += L[i * n + t]! * L[j * n + t]!;
      Q[i * n + j] = a / n + (i === j ? 0.1 : 0);
    }
  }
  const G = r.normal([m, n]).data;
  const z0 = r.normal([n]).data;
  const noise = r.normal([m]).data;
  const h = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let a = 0;
    for (let j = 0; j < n; j++) a += G[i * n + j]! * z0[j]!;
    h[i] = a + Math.abs(noise[i]!);
  }
  const A = r.normal([e, n]).data;
  const b = new Float64Array(e);
  for (let i = 0; i < e; i++) for (let j = 0; j < n; j++) b[i] += A[i * n + j]! * z0[j]!;
  return { Q: tensor(Q, [n, n]), p: r.normal([n]), G: tensor(G, [m, n]), h: tensor(h), ...(e > 0 ? { A: tensor(A, [e, n]), b: tensor(b) } : {}) };
}

test('admm matches the interior point and cvxopt to 1e-8 after polishing (QP, equalities, LP)', () => {
  for (const f of fixtures) {
    const d = tensors(f);
    const r = solveQp(d, { solver: 'admm' });
    assert.equal(r.status, 'optimal');
    const rep = r.problems[0] as QpAdmmReport;
    assert.equal(rep.solver, 'admm');
    assert.equal(rep.polished, true, `polished (n=${f.n}, m=${f.m}, e=${f.e})`);
    assert.ok(rep.iterations > 0 && rep.factorizations >= 1);
    const what = `(n=${f.n}, m=${f.m}, e=${f.e}${f.lp ? ', LP' : ''})`;
    assertClose(r.z, f.z, { atol: 1e-8, rtol: 1e-8 }, `z vs cvxopt ${what}`);
    assertClose(r.lambda, f.lambda, { atol: 1e-8, rtol: 1e-8 }, `lambda vs cvxopt ${what}`);
    if (f.e > 0) assertClose(r.nu, f.nu, { atol: 1e-8, rtol: 1e-8 }, `nu vs cvxopt ${what}`);
    const ipm = solveQp(d);
    assertClose(r.z, ipm.z, { atol: 1e-8, rtol: 1e-8 }, `z vs ipm ${what}`);
  }
  // LPs: ADMM alone converges slowly on them, the early polish ends the run once the active set settles
  for (const [seed, lp] of [[0, false], [1, false], [3, false], [4, false], [5, true], [8, true], [11, true], [14, true]] as const) {
    const d = randomQp(lp ? 8 : 30, lp ? 24 : 40, seed % 2 ? 4 : 0, seed, lp);
    // an LP needs bounded level sets: add the box −5 ≤ z ≤ 5
    const prob = lp ? boxed(d, 5) : d;
    const a = solveQp(prob, { solver: 'admm' });
    const b = solveQp(prob);
    assert.equal(a.status, 'optimal', `seed ${seed}`);
    if (lp) assert.ok(a.problems[0]!.iterations <= 400, `LP seed ${seed}: ${a.problems[0]!.iterations} iterations`);
    assertClose(a.z, b.z, { atol: 1e-8, rtol: 1e-8 }, `z seed ${seed}`);
    assertClose(a.lambda, b.lambda, { atol: 1e-8, rtol: 1e-8 }, `lambda seed ${seed}`);
    if (prob.A) assertClose(a.nu, b.nu, { atol: 1e-8, rtol: 1e-8 }, `nu seed ${seed}`);
  }
});

function boxed<T extends { G: Tensor; h: Tensor; p: Tensor }>(d: T, r: number): T {
  const [m, n] = d.G.shape as [number, number];
  const G = new Float64Array((m + 2 * n) * n);
  G.set(d.G.data);
  const h = new Float64Array(m + 2 * n);
  h.set(d.h.data);
  for (let j = 0; j < n; j++) {
    G[(m + j) * n + j] = 1;
    G[(m + n + j) * n + j] = -1;
    h[m + j] = h[m + n + j] = r;
  }
  return { ...d, G: tensor(G, [m + 2 * n, n]), h: tensor(h) };
}

test('a batch: per-problem statuses and reports, the same solutions as one-by-one solves', () => {
  const d = randomQp(12, 16, 2, 7);
  const P = rng(8).normal([3, 12]);
  const r = solveQp({ ...d, p: P }, { solver: 'admm' });
  assert.deepEqual(r.statuses, ['optimal', 'optimal', 'optimal']);
  assert.equal(r.problems.length, 3);
  for (let k = 0; k < 3; k++) {
    const single = solveQp({ ...d, p: tensor(P.data.slice(k * 12, (k + 1) * 12)) });
    assertClose(r.z.data.subarray(k * 12, (k + 1) * 12), single.z, { atol: 1e-8, rtol: 1e-8 }, `problem ${k}`);
  }
});

test('sparse Q, G, A (CSR and CSC) give the dense solution; sparse needs solver admm', () => {
  const d = randomQp(20, 30, 3, 11);
  const dense = solveQp(d);
  const csr = (t: Tensor) => CsrMatrix.fromDense(t.data, t.shape[0]!, t.shape[1]!);
  const csc = (t: Tensor) => CscMatrix.fromDense(t.data, t.shape[0]!, t.shape[1]!);
  const r1 = solveQp({ ...d, Q: csr(d.Q), G: csr(d.G), A: csc(d.A!) }, { solver: 'admm' });
  assertClose(r1.z, dense.z, { atol: 1e-8, rtol: 1e-8 }, 'sparse z');
  // a nonsymmetric sparse Q: only its symmetric part counts
  const Qn = d.Q.data.slice();
  for (let i = 0; i < 20; i++) for (let j = 0; j < i; j++) {
    Qn[i * 20 + j] += 0.3;
    Qn[j * 20 + i] -= 0.3;
  }
  const r2 = solveQp({ ...d, Q: CsrMatrix.fromDense(Qn, 20, 20) }, { solver: 'admm' });
  assertClose(r2.z, dense.z, { atol: 1e-8, rtol: 1e-8 }, 'nonsymmetric sparse Q');
  // derivatives in the dense inputs still flow with sparse matrices
  const w = rng(3).normal([20]);
  const [, back] = vjp((p: Tensor, h: Tensor) => solveQp({ Q: csr(d.Q), p, G: csr(d.G), h }, { solver: 'admm' }).z, d.p, d.h);
  const [, backIpm] = vjp((p: Tensor, h: Tensor) => solveQp({ Q: d.Q, p, G: d.G, h }).z, d.p, d.h);
  const [gp, gh] = back(w);
  const [gp2, gh2] = backIpm(w);
  assertClose(gp, gp2, 1e-8, 'p̄ (sparse)');
  assertClose(gh, gh2, 1e-8, 'h̄ (sparse)');
  assert.throws(() => solveQp({ ...d, G: csr(d.G) }), (e: unknown) => e instanceof InvalidArgumentError && /G is a CsrMatrix: sparse inputs need \{ solver: 'admm' \}/.test(e.message));
});

test('infeasible and unbounded problems: statuses like the interior point, ConvergenceError by default', () => {
  const bad = { Q: eye(1), p: tensor([0]), G: tensor([[1], [-1]]), h: tensor([-1, -1]) };
  assert.equal(solveQp(bad, { solver: 'admm', onFailure: 'return' }).status, 'primalInfeasible');
  assert.throws(() => solveQp(bad, { solver: 'admm' }), (e: unknown) => e instanceof ConvergenceError && /primal infeasible/.test(e.message));
  // infeasible equalities: z₁ + z₂ = 1 and z₁ + z₂ = 3
  const badEq = { Q: eye(2), p: tensor([0, 0]), A: tensor([[1, 1], [1, 1]]), b: tensor([1, 3]) };
  assert.equal(solveQp(badEq, { solver: 'admm', onFailure: 'return' }).status, 'primalInfeasible');
  const unb = { Q: zeros([1, 1]), p: tensor([-1]), G: tensor([[-1]]), h: tensor([0]) };
  assert.equal(solveQp(unb, { solver: 'admm', onFailure: 'return' }).status, 'dualInfeasible');
  const unbLp = { Q: zeros([2, 2]), p: tensor([-1, -1]), G: tensor([[-1, 0], [0, -1], [1, -1]]), h: tensor([0, 0, 1]) };
  assert.equal(solveQp(unbLp, { solver: 'admm', onFailure: 'return' }).status, 'dualInfeasible');
  const capped = solveQp(randomQp(20, 30, 0, 4), { solver: 'admm', maxIter: 2, onFailure: 'return' });
  assert.equal(capped.status, 'maxIterations');
  assert.equal(capped.problems[0]!.iterations, 2);
});

test('warm start from a nearby solution takes fewer iterations', () => {
  const d = randomQp(30, 40, 3, 21);
  const cold = solveQp(d, { solver: 'admm' });
  const p2 = tensor(d.p.data.map((v, i) => v + 1e-3 * Math.sin(i)));
  const coldNear = solveQp({ ...d, p: p2 }, { solver: 'admm' });
  const warm = solveQp({ ...d, p: p2 }, { solver: 'admm', warmStart: cold });
  assert.equal(warm.status, 'optimal');
  assert.ok(warm.problems[0]!.iterations < coldNear.problems[0]!.iterations, `warm ${warm.problems[0]!.iterations} vs cold ${coldNear.problems[0]!.iterations}`);
  assertClose(warm.z, coldNear.z, { atol: 1e-8, rtol: 1e-8 }, 'warm z');
});

test('derivatives equal the interior point path (VJP in every input, JVP)', () => {
  for (const d of [randomQp(10, 14, 2, 31), tensors(fixtures[3]!)]) {
    const names = Object.keys(d) as (keyof typeof d)[];
    const xs = names.map((k) => d[k]!) as Tensor[];
    const f = (solver: 'ipm' | 'admm') => (...args: Tensor[]) => solveQp(Object.fromEntries(names.map((k, i) => [k, args[i]])) as never, { solver }).z;
    const n = d.p.shape[0]!;
    const w = rng(9).normal([n]);
    const ga = vjp(f('admm'), ...xs)[1](w);
    const gi = vjp(f('ipm'), ...xs)[1](w);
    ga.forEach((g, i) => assertClose(g, gi[i]!, { atol: 1e-8, rtol: 1e-7 }, `gradient of ${names[i]}`));
    const vs = xs.map((x, i) => rng(40 + i).normal([...x.shape]));
    const ta = jvp(f('admm'), xs, vs)[1];
    const ti = jvp(f('ipm'), xs, vs)[1];
    assertClose(ta, ti, { atol: 1e-8, rtol: 1e-7 }, 'JVP');
  }
});

test('at a degenerate point the kink selection is the interior point\'s under every policy', () => {
  const G = tensor([[1, 0], [0, 1], [-1, 0], [0, -1]]);
  const h = tensor([1, 1, 0, 0]);
  const f = (solver: 'ipm' | 'admm') => (p: Tensor) => sum(mul(solveQp({ Q: eye(2), p, G, h }, { solver }).z, tensor([1, 3])));
  const p0 = tensor([-1, -0.5]); // z₁ = 1 on its bound with zero multiplier
  assertClose(grad(f('admm'))(p0), [0, -3], 1e-10, 'minNorm');
  assertClose(withKinkPolicy('right', () => grad(f('admm'))(p0)), withKinkPolicy('right', () => grad(f('ipm'))(p0)), 1e-10, 'right');
  const fixed = { kind: 'fixed' as const, t: 0.25 };
  assertClose(withKinkPolicy(fixed, () => grad(f('admm'))(p0)), [-0.25, -3], 1e-10, 'fixed 0.25');
  assert.equal(trackKinks(() => solveQp({ Q: eye(2), p: p0, G, h }, { solver: 'admm' })).kinks.total, 1);
});

test('options are checked', () => {
  const d = randomQp(4, 4, 0, 1);
  assert.throws(() => solveQp(d, { solver: 'osqp' as never }), /solver must be 'ipm' or 'admm'/);
  assert.throws(() => solveQp(d, { solver: 'admm', admm: { alpha: 2 } }), /admm\.alpha must be in \(0, 2\)/);
  assert.throws(() => solveQp(d, { solver: 'admm', admm: { rho: -1 } }), /admm\.rho must be a positive/);
  assert.throws(() => solveQp(d, { solver: 'admm', admm: { foo: 1 } as never }), /foo/);
  // without scaling or adaptive ρ the solution is the same
  const r = solveQp(d, { solver: 'admm', admm: { scaling: 0, adaptiveRho: false, rho: 1 } });
  assertClose(r.z, solveQp(d).z, { atol: 1e-8, rtol: 1e-8 }, 'unscaled');
});
