/**
 * @file Tests of the Lasso support factor (src/lasso/hypergrad_factor.ts `IncrementalCholesky`
 * over the Gram cache of hypergrad_core.ts): supports growing by many features at once (the
 * blocked append), shrinking, walked past `refreshEvery` updates (the drift probe replaces the
 * refactorisation) — every factor solves like a fresh factorisation of X_SᵀX_S/n; a corrupted
 * factor fails the probe and is refactored; Gram entries read from the design's full Gram matrix
 * (the solver's Gram mode) equal the directly computed ones; a walk over λ gives the same
 * hypergradients on both kernel backends (the factor in its WebAssembly memory, or plain arrays);
 * a fresh factor given β keeps its rows in |β| order (small features last) and solves alike.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rng } from '../src/core/rng.js';
import { denseDesign, takeRows } from '../src/data/dataset.js';
import { makeCorrelatedData } from '../src/data/synthetic.js';
import { SparseProblem } from '../src/lasso/hypergrad.js';
import { kernelBackends, onKernelBackend } from './helpers.js';
import { prepareDesign, type PreparedDesign } from '../src/lasso/design.js';
import { GramCache } from '../src/lasso/hypergrad_core.js';
import { DRIFT_TOL, IncrementalCholesky } from '../src/lasso/hypergrad_factor.js';
import { designGram } from '../src/lasso/quad_gram.js';
import { choleskyRankRevealing, choleskySolveStrided } from '../src/linalg/dense/cholesky_update.js';

/** A correlated dense design, n × p (columns share a common factor). */
function design(n: number, p: number, seed: number): PreparedDesign {
  const g = rng(seed);
  const Z = g.normal([n, p]).data;
  const common = g.normal([n]).data;
  const data = new Float64Array(n * p); // column-major
  for (let j = 0; j < p; j++) for (let i = 0; i < n; i++) data[j * n + i] = 0.6 * common[i]! + 0.8 * Z[i * p + j]!;
  return prepareDesign(denseDesign(data, n, p), { center: true });
}

/** Solves X_c,SᵀX_c,S/n x = b by a fresh dense factorisation (entries from a fresh cache). */
function freshSolve(d: PreparedDesign, S: Int32Array, b: Float64Array): Float64Array {
  const m = S.length;
  const cache = new GramCache(d);
  cache.ensure(S, null);
  const M = new Float64Array(m * m);
  cache.block(S, M, m);
  choleskyRankRevealing(M, m, 1e-10);
  const x = Float64Array.from(b);
  choleskySolveStrided(M, m, x);
  return x;
}

function relErr(a: Float64Array, b: Float64Array): number {
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i]! - b[i]!));
    den = Math.max(den, Math.abs(b[i]!));
  }
  return num / den;
}

const sorted = (s: Set<number>): Int32Array => Int32Array.from([...s].sort((a, b) => a - b));

test('incremental support factor: blocked appends (support grows by 4–21 features), deletions and > refreshEvery updates solve like a fresh factor', () => {
  const d = design(160, 220, 3);
  const cache = new GramCache(d);
  const incr = new IncrementalCholesky(d, 1e-10, 64, cache);
  const g = rng(5);
  const S = new Set<number>();
  for (let j = 0; j < 70; j++) S.add(j * 3);
  let worst = 0;
  for (let step = 0; step < 30; step++) {
    // a few features leave, a batch enters (the batch appended in one blocked pass from m ≥ 64)
    const leave = step % 3 === 0 ? 0 : 3 + (step % 6);
    const arr = [...S];
    for (let k = 0; k < leave; k++) S.delete(arr[Math.floor(g.uniform([1]).data[0]! * arr.length)]!);
    const target = Math.min(S.size + 4 + ((step * 7) % 18), 125);
    while (S.size < target) S.add(Math.floor(g.uniform([1]).data[0]! * 220));
    const cols = sorted(S);
    const f = incr.syncTo(cols);
    assert.equal(f.m, cols.length);
    assert.ok(f.info.ok, `step ${step}: the support matrix is well conditioned`);
    const b = Float64Array.from({ length: cols.length }, (_, t) => Math.cos(1 + 3 * t + step));
    const x = Float64Array.from(b);
    f.solve(x);
    worst = Math.max(worst, relErr(x, freshSolve(d, cols, b)));
  }
  assert.ok(worst <= 1e-10, `incremental vs fresh: ${worst}`);
  assert.ok(incr.appended > 200 && incr.deleted > 60, `appended ${incr.appended}, deleted ${incr.deleted}`);
  assert.ok(incr.driftChecks >= 2, `the drift probe ran (${incr.driftChecks}) instead of periodic refactorisations`);
  assert.equal(incr.refactors, 0);
  assert.ok(incr.drift() <= DRIFT_TOL * 1e-2, `drift after the walk ${incr.drift()}`);
});

test('a fresh factor given β orders its rows by |β_j| descending: solves, pivot report and deletions of small features as in S order', () => {
  const d = design(150, 120, 11);
  const S = Int32Array.from({ length: 60 }, (_, t) => 2 * t);
  const beta = new Float64Array(120);
  const g = rng(12);
  for (let t = 0; t < S.length; t++) beta[S[t]!] = (g.uniform([1]).data[0]! - 0.5) * Math.pow(10, -3 * g.uniform([1]).data[0]!);
  const byB = new IncrementalCholesky(d, 1e-10, 64, new GramCache(d));
  const plain = new IncrementalCholesky(d, 1e-10, 64, new GramCache(d));
  const fB = byB.syncTo(S, beta);
  const fP = plain.syncTo(S);
  // the rows in |β| order: the smallest |β| is the last row
  const order = (byB as unknown as { order: number[] }).order;
  let smallest = S[0]!;
  for (const j of S) if (Math.abs(beta[j]!) < Math.abs(beta[smallest]!)) smallest = j;
  assert.equal(order[order.length - 1], smallest);
  for (let k = 1; k < order.length; k++) assert.ok(Math.abs(beta[order[k - 1]!]!) >= Math.abs(beta[order[k]!]!));
  const b = Float64Array.from({ length: S.length }, (_, t) => Math.sin(2 + t));
  const xB = Float64Array.from(b);
  fB.solve(xB);
  assert.ok(relErr(xB, freshSolve(d, S, b)) <= 1e-12, `|β| order vs fresh: ${relErr(xB, freshSolve(d, S, b))}`);
  assert.ok(fB.info.ok && fP.info.ok);
  // the condition estimate does not depend on the order more than rounding allows (same matrix)
  assert.ok(Math.abs(fB.info.conditionEstimate / fP.info.conditionEstimate - 1) < 0.5);
  // the five smallest features leave: deleted from the last rows, the result solves like a fresh factor
  const small = [...S].sort((a, c) => Math.abs(beta[a]!) - Math.abs(beta[c]!)).slice(0, 5);
  const S1 = Int32Array.from([...S].filter((j) => !small.includes(j)));
  const f1 = byB.syncTo(S1, beta);
  const b1 = Float64Array.from({ length: S1.length }, (_, t) => Math.cos(1 + t));
  const x1 = Float64Array.from(b1);
  f1.solve(x1);
  assert.ok(relErr(x1, freshSolve(d, S1, b1)) <= 1e-12);
  assert.equal(byB.deleted, 5);
  assert.equal(byB.refactors, 0);
});

test('a drifted factor fails the probe and is refactored from scratch', () => {
  const d = design(120, 90, 8);
  const incr = new IncrementalCholesky(d, 1e-10, 4, new GramCache(d));
  const S0 = Int32Array.from({ length: 40 }, (_, t) => 2 * t);
  incr.syncTo(S0);
  // corrupt one factor entry (a drift far beyond rounding)
  const L = (incr as unknown as { L: Float64Array; cap: number }).L;
  const cap = (incr as unknown as { cap: number }).cap;
  L[10 * cap + 3] = L[10 * cap + 3]! * (1 + 1e-6) + 1e-6;
  assert.ok(incr.drift() > DRIFT_TOL);
  // as after many updates (the probe runs once max(refreshEvery, m) updates have accumulated)
  (incr as unknown as { updates: number }).updates = 1000;
  const S1 = Int32Array.from([...S0, 81, 83, 85, 87, 89].sort((a, b) => a - b));
  const f = incr.syncTo(S1);
  assert.equal(incr.refactors, 1);
  assert.ok(incr.drift() <= DRIFT_TOL * 1e-2);
  const b = Float64Array.from({ length: S1.length }, (_, t) => Math.sin(t));
  const x = Float64Array.from(b);
  f.solve(x);
  assert.ok(relErr(x, freshSolve(d, S1, b)) <= 1e-11);
});

test('Gram entries from the design\'s full Gram matrix (solver Gram mode) equal the direct column products', () => {
  const direct = design(300, 40, 12);
  const viaG = design(300, 40, 12);
  designGram(viaG); // what the solver's Gram mode leaves on a tall design
  const a = new IncrementalCholesky(direct, 1e-10, 64, new GramCache(direct));
  const b = new IncrementalCholesky(viaG, 1e-10, 64, new GramCache(viaG));
  for (const S of [[0, 3, 5, 7, 9, 11, 20, 21], [0, 3, 5, 7, 9, 11, 12, 13, 14, 15, 16, 20, 21, 30, 31, 38], [3, 5, 12, 13, 14, 30, 31, 33, 34, 35, 36, 37, 38, 39]]) {
    const cols = Int32Array.from(S);
    const fa = a.syncTo(cols), fb = b.syncTo(cols);
    const rhs = Float64Array.from(S, (_, t) => 1 + t);
    const xa = Float64Array.from(rhs), xb = Float64Array.from(rhs);
    fa.solve(xa);
    fb.solve(xb);
    assert.ok(relErr(xa, xb) <= 1e-11, `support of ${S.length}: ${relErr(xa, xb)}`);
    const ca = a.cache!, cb = b.cache!;
    for (const j of S) for (const k of S) assert.ok(Math.abs(ca.get(j, k) - cb.get(j, k)) <= 1e-13 * Math.sqrt(ca.get(j, j) * ca.get(k, k)));
  }
});

test('a walk over λ gives the same hypergradients on both kernel backends (factor in WebAssembly memory vs plain arrays)', () => {
  const { X, y } = makeCorrelatedData(160, 240, { seed: 4, corr: 0.6, snr: 3, density: 0.15 });
  const idx = Int32Array.from({ length: 130 }, (_, i) => i);
  const val = Int32Array.from({ length: 30 }, (_, i) => 130 + i);
  const Xt = takeRows(X, idx), yt = Float64Array.from(idx, (i) => y[i]!);
  const Xv = takeRows(X, val), yv = Float64Array.from(val, (i) => y[i]!);
  const runs: number[][] = [];
  for (const b of kernelBackends) {
    onKernelBackend(b, () => {
      const prob = new SparseProblem(Xt, yt, 'lasso');
      const out: number[] = [];
      // down and back up: features enter (appends) and leave (deletions)
      for (const k of [0, 2, 4, 6, 8, 10, 7, 4, 1]) {
        const sol = prob.solve([prob.lambdaMax / 3 * Math.pow(0.8, k)], { tol: 1e-12 });
        const pred = prob.predict(sol, Xv);
        const u = pred.map((v, i) => (2 * (v - yv[i]!)) / yv.length);
        out.push(prob.hypergradient(sol, prob.pullback(sol, Xv, u).gS, 0, { onFailure: 'return' }).gradient[0]!);
      }
      prob.dispose();
      runs.push(out);
    });
  }
  for (const r of runs.slice(1)) {
    for (let k = 0; k < r.length; k++) assert.ok(Math.abs(r[k]! - runs[0]![k]!) <= 1e-8 * Math.abs(runs[0]![k]!) + 1e-12, `step ${k}: ${r[k]} vs ${runs[0]![k]}`);
  }
});

test('rank check of one kink feature (extendedInfo fast path) = the pivots of the factor with that feature appended (bit for bit); the factor is untouched', () => {
  for (const b of kernelBackends) {
    onKernelBackend(b, () => {
      const d = design(120, 90, 11);
      const S = Int32Array.from({ length: 40 }, (_, t) => 2 * t); // even features
      const beta = Float64Array.from({ length: 90 }, (_, j) => Math.cos(j));
      for (const j of [1, 45, 89]) {
        const a = new IncrementalCholesky(d, 1e-10, 64, new GramCache(d));
        const ref = new IncrementalCholesky(d, 1e-10, 64, new GramCache(d));
        const h = a.syncTo(S, beta);
        ref.syncTo(S, beta);
        const info = a.extendedInfo(Int32Array.of(j));
        // the same history with j appended as a feature: the same rows, one more
        const E = sorted(new Set([...S, j]));
        const hr = ref.syncTo(E, beta);
        assert.equal(info.minPivotRatio, hr.info.minPivotRatio, `${b}, j = ${j}`);
        assert.equal(info.conditionEstimate, hr.info.conditionEstimate, `${b}, j = ${j}`);
        assert.equal(info.ok, hr.info.ok);
        // the factor still solves on S (row m0 was scratch)
        assert.ok(h.valid());
        const rhs = Float64Array.from(S, (f) => Math.sin(f));
        const x = Float64Array.from(rhs);
        h.solve(x);
        assert.ok(relErr(x, freshSolve(d, S, rhs)) < 1e-10, `${b}, j = ${j}`);
        a.dispose();
        ref.dispose();
      }
    });
  }
});

test('several features leaving at once (one kernel call, one bookkeeping pass) = the same features leaving one at a time, bit for bit', () => {
  for (const b of kernelBackends) {
    onKernelBackend(b, () => {
      const d = design(120, 90, 12);
      const S = Int32Array.from({ length: 50 }, (_, t) => t + 20);
      const beta = Float64Array.from({ length: 90 }, (_, j) => 1 + Math.cos(3 * j));
      // rows in |β| descending order: leaving features at rows near the end and one deep inside
      const byMag = Array.from(S).sort((x, y) => Math.abs(beta[y]!) - Math.abs(beta[x]!) || x - y);
      const leave = [byMag[49]!, byMag[46]!, byMag[45]!, byMag[10]!];
      const a = new IncrementalCholesky(d, 1e-10, 64, new GramCache(d));
      const ref = new IncrementalCholesky(d, 1e-10, 64, new GramCache(d));
      a.syncTo(S, beta);
      ref.syncTo(S, beta);
      const keep = new Set(S);
      // one at a time, the deepest row last (as the batched path runs them)
      for (const f of leave) {
        keep.delete(f);
        ref.syncTo(sorted(keep), beta);
      }
      const ha = a.syncTo(sorted(keep), beta);
      const hr = ref.syncTo(sorted(keep), beta);
      assert.equal(a.deleted, 4);
      assert.equal(ha.info.minPivotRatio, hr.info.minPivotRatio);
      assert.equal(ha.info.conditionEstimate, hr.info.conditionEstimate);
      const rhs = Float64Array.from(ha.cols, (f) => Math.sin(f));
      const xa = Float64Array.from(rhs), xr = Float64Array.from(rhs);
      ha.solve(xa);
      hr.solve(xr);
      assert.deepEqual(Array.from(xa), Array.from(xr), b);
      assert.ok(relErr(xa, freshSolve(d, ha.cols, rhs)) < 1e-10);
      // a later append after the batched deletion lands where it should
      keep.add(5);
      const h2 = a.syncTo(sorted(keep), beta);
      const r2 = Float64Array.from(h2.cols, (f) => Math.cos(f));
      const x2 = Float64Array.from(r2);
      h2.solve(x2);
      assert.ok(relErr(x2, freshSolve(d, h2.cols, r2)) < 1e-10);
      a.dispose();
      ref.dispose();
    });
  }
});

test('a fresh factor of a support beyond the blocked order: row appends in its WebAssembly memory and the blocked factorisation of plain arrays solve alike and report a dependent column alike', () => {
  const n = 200, p = 160;
  const g = rng(21);
  const Z = g.normal([n, p]).data;
  const data = new Float64Array(n * p);
  for (let j = 0; j < p; j++) for (let i = 0; i < n; i++) data[j * n + i] = Z[i * p + j]! + 0.3 * Z[i * p]!;
  data.copyWithin(7 * n, 3 * n, 4 * n); // column 7 = column 3: X_S rank deficient when both are in S
  const S = Int32Array.from({ length: 130 }, (_, t) => t + 10); // 130 ≥ the blocked order (96)
  const Sdep = Int32Array.from({ length: 120 }, (_, t) => t); // holds columns 3 and 7
  const b = Float64Array.from({ length: S.length }, (_, t) => Math.sin(1 + t));
  const res: { x: Float64Array; ok: boolean; worst: number; ratio: number }[] = [];
  for (const be of kernelBackends) {
    onKernelBackend(be, () => {
      const d = prepareDesign(denseDesign(data, n, p), { center: true });
      const incr = new IncrementalCholesky(d, 1e-10, 64, new GramCache(d));
      const f = incr.syncTo(S);
      const x = Float64Array.from(b);
      f.solve(x);
      assert.ok(relErr(x, freshSolve(d, S, b)) <= 1e-12, `${be}: ${relErr(x, freshSolve(d, S, b))}`);
      assert.ok(f.info.ok);
      const dep = new IncrementalCholesky(d, 1e-10, 64, new GramCache(d));
      const fd = dep.syncTo(Sdep);
      res.push({ x, ok: fd.info.ok, worst: fd.info.worstIndex, ratio: fd.info.minPivotRatio });
      dep.dispose();
      incr.dispose();
    });
  }
  for (const r of res) {
    assert.equal(r.ok, false);
    assert.equal(r.worst, 7); // the later of the two equal columns (rows in S's order)
    assert.ok(r.ratio <= 1e-10);
    assert.ok(relErr(r.x, res[0]!.x) <= 1e-12);
  }
});
