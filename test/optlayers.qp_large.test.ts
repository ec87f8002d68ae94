/**
 * @file solveQp at a size where the interior-point method takes its large-n paths (n ≥ 128:
 * GᵀDG by lower block rows, blocked in-place Cholesky): the KKT conditions of the returned
 * solution checked directly, and the gradient against central finite differences in one direction.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { solveQp, tensor, rng, vjp, type Tensor } from '../src/index.js';

/** Random strictly convex QP (Q = MMᵀ/n + 0.1 I) with a strictly feasible z0 (h = G z0 + |noise|). */
function problem(n: number, m: number, seed: number) {
  const r = rng(seed);
  const M = r.normal([n, n]).data;
  const Q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let a = 0;
      for (let t = 0; t < n; t++) a += M[i * n + t]! * M[j * n + t]!;
      Q[i * n + j] = a / n + (i === j ? 0.1 : 0);
    }
  }
  const p = r.normal([n]).data;
  const G = r.normal([m, n]).data;
  const z0 = r.normal([n]).data;
  const noise = r.normal([m]).data;
  const h = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let a = 0;
    for (let j = 0; j < n; j++) a += G[i * n + j]! * z0[j]!;
    h[i] = a + Math.abs(noise[i]!);
  }
  return { Q, p, G, h };
}

test('solveQp, n = 140, m = 150: KKT conditions hold to 1e-9 and dz/dp matches finite differences', () => {
  const n = 140;
  const m = 150;
  const d = problem(n, m, 5);
  const Q = tensor(d.Q, [n, n]);
  const G = tensor(d.G, [m, n]);
  const h = tensor(d.h, [m]);
  const sol = solveQp({ Q, p: tensor(d.p, [n]), G, h });
  assert.equal(sol.status, 'optimal');
  const z = sol.z.data;
  const lam = sol.lambda!.data;
  let stat = 0;
  for (let j = 0; j < n; j++) {
    let r = d.p[j]!;
    for (let t = 0; t < n; t++) r += d.Q[j * n + t]! * z[t]!;
    for (let i = 0; i < m; i++) r += d.G[i * n + j]! * lam[i]!;
    stat = Math.max(stat, Math.abs(r));
  }
  assert.ok(stat <= 1e-9, `stationarity ${stat}`);
  let active = 0;
  for (let i = 0; i < m; i++) {
    let gz = 0;
    for (let j = 0; j < n; j++) gz += d.G[i * n + j]! * z[j]!;
    const slack = d.h[i]! - gz;
    assert.ok(slack >= -1e-9, `primal feasibility ${i}: ${slack}`);
    assert.ok(lam[i]! >= 0, `dual feasibility ${i}`);
    assert.ok(Math.abs(slack * lam[i]!) <= 1e-9, `complementarity ${i}`);
    if (lam[i]! > 1e-6) active++;
  }
  assert.ok(active > 0 && active < m, `a nontrivial active set (${active})`);
  // ⟨w, dz/dp · v⟩ against central differences
  const w = rng(2).normal([n]);
  const v = rng(3).normal([n]).data;
  const [, pull] = vjp((p: Tensor) => solveQp({ Q, p, G, h }).z, tensor(d.p, [n]));
  const [pbar] = pull(w);
  let ad = 0;
  for (let j = 0; j < n; j++) ad += pbar!.data[j]! * v[j]!;
  const eps = 1e-6;
  const at = (s: number): Float64Array => solveQp({ Q, p: tensor(d.p.map((x, j) => x + s * v[j]!), [n]), G, h }).z.data;
  const zp = at(eps);
  const zm = at(-eps);
  let fd = 0;
  for (let j = 0; j < n; j++) fd += w.data[j]! * (zp[j]! - zm[j]!) / (2 * eps);
  assert.ok(Math.abs(ad - fd) <= 1e-5 * (1 + Math.abs(fd)), `vjp ${ad} vs finite differences ${fd}`);
});
