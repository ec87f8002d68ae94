/**
 * @file Tests of the held-out prediction and pull-back on X held in a design memory (the CLI's
 * parsed CSV: src/lasso/hypergrad.ts `predictLinear` / `SparseProblem.pullback` through the engine's
 * axpy4 / dot4 of kernels/wasm_lasso.ts `designKernels`): the same bits as on a plain copy of X (the
 * JavaScript loops sum in the kernels' order) for every support size mod 4, even and odd row
 * counts and row ranges; the values agree with direct sums.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rng } from '../src/core/rng.js';
import { createDesignMemory } from '../src/kernels/wasm_lasso.js';
import { predictLinear, SparseProblem, type InnerSolution } from '../src/lasso/hypergrad.js';
import { denseDesign } from '../src/data/dataset.js';

test('held-out predictions and pull-backs: X in a design memory and in a plain array give the same bits', (t) => {
  const n = 37, p = 23;
  const mem = createDesignMemory(n + 5, p);
  if (mem === null) return t.skip('no WebAssembly SIMD');
  const g = rng(5);
  const vals = g.normal([n * p]).data;
  const x = mem.subarray(0, n * p);
  x.set(vals);
  const Xm = denseDesign(x, n, p);
  const Xp = denseDesign(Float64Array.from(vals), n, p);
  const prob = new SparseProblem(Xp, g.normal([n]).data, 'lasso');
  const beta = g.normal([p]).data;
  for (const s of [1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 23]) {
    const S = Int32Array.from({ length: s }, (_, k) => (k * 7) % p).sort();
    for (const rows of [undefined, { start: 0, count: 36 }, { start: 3, count: 17 }, { start: 30, count: 7 }, { start: 10, count: 1 }]) {
      const m = rows === undefined ? n : rows.count;
      const a = predictLinear(Xm, beta, S, 0.25, rows);
      const b = predictLinear(Xp, beta, S, 0.25, rows);
      for (let i = 0; i < m; i++) {
        assert.ok(Object.is(a[i], b[i]), `prediction, |S| = ${s}, row ${i}`);
        let e = 0.25;
        for (const j of S) e += beta[j]! * vals[j * n + (rows?.start ?? 0) + i]!;
        assert.ok(Math.abs(a[i]! - e) <= 1e-12 * (1 + Math.abs(e)));
      }
      const u = g.normal([m]).data;
      const sol = { support: S } as unknown as InnerSolution;
      const ga = prob.pullback(sol, Xm, u, rows).gS;
      const gb = prob.pullback(sol, Xp, u, rows).gS;
      let us = 0;
      for (let i = 0; i < m; i++) us += u[i]!;
      for (let k = 0; k < s; k++) {
        assert.ok(Object.is(ga[k], gb[k]), `pull-back, |S| = ${s}, entry ${k}`);
        let e = 0;
        for (let i = 0; i < m; i++) e += vals[S[k]! * n + (rows?.start ?? 0) + i]! * u[i]!;
        e -= prob.design.colMeans[S[k]!]! * us;
        assert.ok(Math.abs(ga[k]! - e) <= 1e-12 * (1 + Math.abs(e)));
      }
    }
  }
  prob.dispose();
});
