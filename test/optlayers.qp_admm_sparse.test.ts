/**
 * @file The sparse path of `solveQp({ ... }, { solver: 'admm' })`: a banded sparse QP runs its
 * x̃-steps on the sparse quasi-definite KKT (`linearSystem: 'sparseKkt'`) and its polish on the
 * sparse regularised KKT with iterative refinement, giving the dense-input ADMM's polished
 * point (1e-10, an exact KKT point) and, through the lazily built dense factor, the same VJP; `sparsePolishSolve` refuses an
 * inconsistent (singular) active set with null.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { solveQp, tensor, vjp, rng, CsrMatrix, type Tensor, type QpAdmmReport } from '../src/index.js';
import { sparsePolishSolve } from '../src/optlayers/qp_admm.js';
import { assertClose } from './helpers.js';

/** A banded QP: Q tridiagonal positive definite, each row of G touches 4 consecutive variables; feasible by construction. */
function bandQp(n: number, m: number, seed: number) {
  const r = rng(seed);
  const u = r.uniform([4 * m + n], -1, 1).data;
  const Qr: number[] = [], Qc: number[] = [], Qv: number[] = [];
  for (let j = 0; j < n; j++) {
    Qr.push(j); Qc.push(j); Qv.push(2.5);
    if (j > 0) { Qr.push(j, j - 1); Qc.push(j - 1, j); Qv.push(-1, -1); }
  }
  const z0 = r.normal([n]).data;
  const Gr: number[] = [], Gc: number[] = [], Gv: number[] = [];
  const h = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const base = Math.min(n - 4, Math.floor((i * (n - 3)) / m));
    for (let t = 0; t < 4; t++) {
      const v = u[4 * i + t]!;
      Gr.push(i); Gc.push(base + t); Gv.push(v);
      h[i] += v * z0[base + t]!;
    }
    h[i] += 0.2 * Math.abs(u[4 * m + (i % n)]!);
  }
  return {
    Q: CsrMatrix.fromCoo(n, n, Qr, Qc, Qv),
    G: CsrMatrix.fromCoo(m, n, Gr, Gc, Gv),
    p: r.normal([n]),
    h: tensor(h),
  };
}

test('banded sparse QP: sparse KKT x̃-steps and sparse polish, the dense path\'s solution and VJP', () => {
  const n = 120;
  const m = 240;
  const d = bandQp(n, m, 11);
  const res = solveQp(d, { solver: 'admm' });
  const rep = res.problems[0] as QpAdmmReport;
  assert.equal(res.status, 'optimal');
  assert.equal(rep.linearSystem, 'sparseKkt');
  assert.equal(rep.polished, true);
  const Qd = tensor(d.Q.toDense(), [n, n]);
  const Gd = tensor(d.G.toDense(), [m, n]);
  // the dense-input ADMM (dense reduced Cholesky, dense LU polish) reaches the same polished point
  const dense = solveQp({ Q: Qd, p: d.p, G: Gd, h: d.h }, { solver: 'admm' });
  assert.equal((dense.problems[0] as QpAdmmReport).linearSystem, 'denseReduced');
  assertClose(res.z.data, dense.z.data, { atol: 1e-10, rtol: 1e-10 });
  assertClose(res.lambda!.data, dense.lambda!.data, { atol: 1e-10, rtol: 1e-10 });
  // an exact KKT point: stationarity Qz + p + Gᵀλ = 0 and Gz ≤ h to 1e-12
  const g = d.Q.matvec(res.z.data);
  const Gtl = d.G.rmatvec(res.lambda!.data);
  const Gz = d.G.matvec(res.z.data);
  for (let j = 0; j < n; j++) assert.ok(Math.abs(g[j]! + d.p.data[j]! + Gtl[j]!) < 1e-12);
  for (let i = 0; i < m; i++) assert.ok(Gz[i]! <= d.h.data[i]! + 1e-12);
  // the interior point agrees to its own accuracy (√μ near a weakly active row: ~1e-6 here)
  const ipm = solveQp({ Q: Qd, p: d.p, G: Gd, h: d.h });
  assertClose(res.z.data, ipm.z.data, { atol: 1e-5, rtol: 1e-5 });
  // derivative: the dense factor, built only now (lazily), gives the dense-input path's VJP
  const w = rng(2).normal([n]);
  const [, pullA] = vjp((p: Tensor, h: Tensor) => solveQp({ Q: d.Q, p, G: d.G, h }, { solver: 'admm' }).z, d.p, d.h);
  const [, pullI] = vjp((p: Tensor, h: Tensor) => solveQp({ Q: Qd, p, G: Gd, h }, { solver: 'admm' }).z, d.p, d.h);
  const ga = pullA(w);
  const gi = pullI(w);
  assertClose(ga[0]!.data, gi[0]!.data, { atol: 1e-7, rtol: 1e-7 });
  assertClose(ga[1]!.data, gi[1]!.data, { atol: 1e-7, rtol: 1e-7 });
});

test('sparsePolishSolve: the active-set KKT solution; null on an inconsistent (singular) active set', () => {
  // min ½‖z‖² − 1ᵀz  s.t. z₀ + z₁ ≤ 1 (active), z₀ + z₁ ≤ 1 again, z₀ + z₁ ≤ 2
  const n = 2;
  const m = 3;
  const Q = Float64Array.of(1, 0, 0, 1);
  const G = Float64Array.of(1, 1, 1, 1, 1, 1);
  const q = { n, m, e: 0, Q, p: Float64Array.of(-1, -1), G, h: Float64Array.of(1, 1, 2), A: new Float64Array(0), b: new Float64Array(0) };
  const sp = { Q: CsrMatrix.fromDense(Q, 2, 2), G: CsrMatrix.fromDense(G, 3, 2) };
  const sol = sparsePolishSolve(q, sp, Int32Array.of(0))!;
  assertClose(sol, [0.5, 0.5, 0.5], { atol: 1e-12 });
  // rows 0 and 2 together: G_S rank one with h_S = (1, 2) inconsistent — refinement cannot converge
  assert.equal(sparsePolishSolve(q, sp, Int32Array.of(0, 2)), null);
});
