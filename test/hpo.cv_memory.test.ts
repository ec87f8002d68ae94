/**
 * @file CrossValCriterion's streamed fold mode (large data: folds rebuilt one at a time, warm
 * starts carried over): the same values and hypergradients as the resident mode along a sequence
 * of λ, the same fold errors, and `folds` still available. A streamed dense fold's training rows
 * live only in the solver's WebAssembly memory (`prepareRows`: no JavaScript copy, counted by
 * `rowCopyStats`), prepared bit for bit as `prepareDesign(takeRows(X, rows))`. Issue 12: a design
 * parsed into a WebAssembly design memory is prepared in place by the final refit (`consumeDesign`,
 * `tuneLassoAs(…, consume)`), with the same results; the solvers' handed-over and lazy n-vectors
 * (dual candidates, ŷ, the dual point) give the values of fresh ones.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeCorrelatedData } from '../src/data/synthetic.js';
import { CrossValCriterion, cvFoldMemory, tuneLasso } from '../src/hpo/index.js';
import { tuneLassoAs } from '../src/hpo/estimator.js';
import { takeRows } from '../src/data/dataset.js';
import { CsvParser, countLineEnds } from '../src/data/csv.js';
import { consumeDesign, disposeDesign, prepareDesign, prepareRows, rowCopyStats } from '../src/lasso/design.js';
import { setKernelBackend } from '../src/kernels/engine.js';
import { createDesignMemory, isDesignMemory } from '../src/kernels/wasm_lasso.js';
import { SparseProblem, predictLinear, rawColDot } from '../src/lasso/hypergrad.js';
import { lasso, offerResidual } from '../src/lasso/cd.js';
import { runTune } from '../src/cli/lasso.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withSetting } from './helpers.js';

test('CrossValCriterion: streamed folds give the resident values and hypergradients', () => {
  const d = makeCorrelatedData(120, 60, { seed: 4, corr: 0.5, snr: 3, density: 0.2 });
  const resident = new CrossValCriterion(d.X, d.y, 'lasso', { folds: 4 });
  const streamed = withSetting(cvFoldMemory, 'residentBytes', 0, () => new CrossValCriterion(d.X, d.y, 'lasso', { folds: 4 }));
  assert.equal(resident.streamed, false);
  assert.equal(streamed.streamed, true);
  assert.equal(streamed.nHyper, 1);
  assert.equal(streamed.lambdaMax, resident.lambdaMax);
  for (const r of [0.3, 0.1, 0.05, 0.07, 0.02]) {
    const lam = r * resident.lambdaMax;
    const a = resident.evaluate([lam], { tol: 1e-10 });
    const b = streamed.evaluate([lam], { tol: 1e-10 });
    assert.ok(Math.abs(a.value - b.value) <= 1e-9 * Math.abs(a.value), `value at ${r}: ${a.value} vs ${b.value}`);
    assert.ok(Math.abs(a.gradient![0]! - b.gradient![0]!) <= 1e-6 * (1 + Math.abs(a.gradient![0]!)), `gradient at ${r}`);
    assert.equal(a.supportSize, b.supportSize);
  }
  // the folds, built on demand from the carried warm starts
  assert.equal(streamed.folds.length, 4);
  assert.ok(streamed.folds[0]!.problem.lastSolution !== null);
  resident.dispose();
  streamed.dispose();
});

test('tuneLasso: the streamed mode selects the same λ; a bad fold is reported at construction', () => {
  const d = makeCorrelatedData(100, 40, { seed: 5, corr: 0.3, snr: 4, density: 0.2 });
  const a = tuneLasso(d.X, d.y, { criterion: 'cv', folds: 5 });
  const b = withSetting(cvFoldMemory, 'residentBytes', 0, () => tuneLasso(d.X, d.y, { criterion: 'cv', folds: 5 }));
  assert.ok(Math.abs(Math.log(a.lambdas[0]! / b.lambdas[0]!)) < 1e-3, `${a.lambdas[0]} vs ${b.lambdas[0]}`);
  assert.ok(Math.abs(a.value - b.value) <= 1e-6 * a.value);
  // logistic regression with a fold whose training rows hold one class
  const y = new Float64Array(20);
  for (let i = 16; i < 20; i++) y[i] = 1;
  const X = { kind: 'dense' as const, nRows: 20, nCols: 3, data: Float64Array.from({ length: 60 }, (_, i) => Math.sin(i)) };
  withSetting(cvFoldMemory, 'residentBytes', 0, () => assert.throws(() => new CrossValCriterion(X, y, 'logreg', { folds: 5 }), /fold 4 of 5/));
});

test('CrossValCriterion (streamed): a warm start whose residual is made on first read, from a disposed fold, is not read', () => {
  // round fitcpu: a certified Gram-mode solution (gram_refine.ts, lazy residual) carried as the
  // warm start of the fold's next build used to be read after that fold's design was disposed
  const d = makeCorrelatedData(100, 40, { seed: 5, corr: 0.3, snr: 4, density: 0.2 });
  const resident = new CrossValCriterion(d.X, d.y, 'lasso', { folds: 5 });
  const streamed = withSetting(cvFoldMemory, 'residentBytes', 0, () => new CrossValCriterion(d.X, d.y, 'lasso', { folds: 5 }));
  const lmax = resident.lambdaMax;
  const seq: [number, { tol: number; gradient: boolean; certify?: boolean }][] = [
    [0.0447, { tol: 1e-6, gradient: false, certify: false }], [0.0447, { tol: 1e-2, gradient: false }],
    [0.0846, { tol: 1e-3, gradient: true }], [0.0447, { tol: 4.6e-4, gradient: true }], [0.0165, { tol: 2.2e-4, gradient: true }],
  ];
  for (const [r, o] of seq) {
    const a = resident.evaluate([r * lmax], o);
    const b = streamed.evaluate([r * lmax], o);
    assert.ok(Math.abs(a.value - b.value) <= 1e-6 * a.value, `value at λmax·${r}: ${a.value} vs ${b.value}`);
  }
  resident.dispose();
  streamed.dispose();
});

test('prepareRows: the gathered rows prepared in the engine memory, bit for bit; source built only when read', () => {
  const d = makeCorrelatedData(90, 30, { seed: 7, corr: 0.4, snr: 3, density: 0.2 });
  if (d.X.kind !== 'dense') throw new Error('dense X expected');
  const rows = Int32Array.from({ length: 60 }, (_, t) => (t * 7) % 90).sort();
  const uniq = Int32Array.from(new Set(rows));
  for (const center of [true, false]) {
    const before = rowCopyStats.bytes;
    const a = prepareRows(d.X, uniq, { center });
    const b = prepareDesign(takeRows(d.X, uniq), { center });
    assert.equal(rowCopyStats.bytes, before, 'no JavaScript copy of the rows');
    if (a.wasm !== null) assert.equal(a.data.buffer, a.wasm.buffer, 'the rows live in the engine memory');
    assert.deepEqual(Array.from(a.data), Array.from(b.data));
    assert.deepEqual(Array.from(a.colMeans), Array.from(b.colMeans));
    assert.deepEqual(Array.from(a.colNormsSq), Array.from(b.colNormsSq));
    assert.equal(a.centered, center);
    // the source, on demand (e.g. re-preparing with the other centring)
    const src = a.source;
    const ref = takeRows(d.X, uniq);
    assert.ok(src.kind === 'dense' && ref.kind === 'dense');
    assert.deepEqual(Array.from(src.data), Array.from(ref.data));
    assert.equal(rowCopyStats.bytes, before + uniq.length * 30 * 8);
    disposeDesign(a);
    disposeDesign(b);
  }
});

test('CrossValCriterion: a streamed dense fold holds no JavaScript copy of its training rows', () => {
  const d = makeCorrelatedData(150, 50, { seed: 8, corr: 0.5, snr: 3, density: 0.2 });
  const resident = new CrossValCriterion(d.X, d.y, 'lasso', { folds: 5 });
  const before = rowCopyStats.bytes;
  const streamed = withSetting(cvFoldMemory, 'residentBytes', 0, () => new CrossValCriterion(d.X, d.y, 'lasso', { folds: 5 }));
  for (const r of [0.2, 0.05]) {
    const lam = r * resident.lambdaMax;
    const a = resident.evaluate([lam], { tol: 1e-10 });
    const b = streamed.evaluate([lam], { tol: 1e-10 });
    assert.ok(Math.abs(a.value - b.value) <= 1e-9 * Math.abs(a.value), `value at ${r}: ${a.value} vs ${b.value}`);
    assert.equal(a.supportSize, b.supportSize);
  }
  assert.equal(rowCopyStats.bytes, before, 'streamed folds made JavaScript copies of their rows');
  // the JavaScript backend (no engine): the rows go through the reused gather buffer, same values
  const saved = setKernelBackend('js');
  try {
    const js = withSetting(cvFoldMemory, 'residentBytes', 0, () => new CrossValCriterion(d.X, d.y, 'lasso', { folds: 5 }));
    const lam = 0.05 * resident.lambdaMax;
    const a = resident.evaluate([lam], { tol: 1e-10 });
    const c = js.evaluate([lam], { tol: 1e-10 });
    assert.ok(Math.abs(a.value - c.value) <= 1e-9 * Math.abs(a.value), `js backend: ${a.value} vs ${c.value}`);
    js.dispose();
  } finally {
    setKernelBackend(saved);
  }
  for (const model of ['logreg', 'enet'] as const) {
    const y = model === 'logreg' ? d.y.map((v) => (v > 0 ? 1 : -1)) : d.y;
    const r = new CrossValCriterion(d.X, y, model, { folds: 3 });
    const s = withSetting(cvFoldMemory, 'residentBytes', 0, () => new CrossValCriterion(d.X, y, model, { folds: 3 }));
    const lam = model === 'enet' ? [0.1 * r.lambdaMax, 0.05 * r.lambdaMax] : [0.1 * r.lambdaMax];
    const a = r.evaluate(lam, { tol: 1e-10 });
    const b = s.evaluate(lam, { tol: 1e-10 });
    assert.ok(Math.abs(a.value - b.value) <= 1e-8 * Math.abs(a.value), `${model}: ${a.value} vs ${b.value}`);
    r.dispose();
    s.dispose();
  }
  assert.equal(rowCopyStats.bytes, before);
  resident.dispose();
  streamed.dispose();
});

test('RowRange: predictions and column dots over rows [a, a + m) of X, bit for bit those of the gathered rows', () => {
  const d = makeCorrelatedData(70, 9, { seed: 9, corr: 0.3, snr: 3, density: 0.5 });
  const rows = { start: 23, count: 31 };
  const G = takeRows(d.X, Int32Array.from({ length: rows.count }, (_, t) => rows.start + t));
  const beta = Float64Array.from({ length: 9 }, (_, j) => (j % 3) - 0.7 * j);
  const support = Int32Array.from([0, 2, 3, 5, 6, 8]);
  assert.deepEqual(Array.from(predictLinear(d.X, beta, support, 0.25, rows)), Array.from(predictLinear(G, beta, support, 0.25)));
  const u = Float64Array.from({ length: rows.count }, (_, i) => Math.sin(i));
  for (let j = 0; j < 9; j++) assert.equal(rawColDot(d.X, j, u, rows), rawColDot(G, j, u));
  assert.throws(() => rawColDot(d.X, 0, u, { start: 60, count: 31 }), /row range/);
});

// ---------------------------------------------------------------------------------------------
// Issue 12: X parsed into a WebAssembly design memory and prepared in place by the final refit;
// n-vectors handed between solvers or made lazily (same values, bit for bit).
// ---------------------------------------------------------------------------------------------

/** A dense design whose data lives in a `createDesignMemory` array (null without WebAssembly). */
function inDesignMemory(X: { nRows: number; nCols: number; data: Float64Array }): { kind: 'dense'; nRows: number; nCols: number; data: Float64Array } | null {
  const mem = createDesignMemory(X.nRows + 2, X.nCols); // a hint above the row count, as loadCsv's
  if (mem === null) return null;
  const data = mem.subarray(0, X.nRows * X.nCols);
  data.set(X.data);
  return { kind: 'dense', nRows: X.nRows, nCols: X.nCols, data };
}

test('consumeDesign: a design memory is centred in place (no copy), bit for bit prepareDesign; adopted once', () => {
  const d = makeCorrelatedData(70, 12, { seed: 8, corr: 0.4, snr: 3, density: 0.3 });
  if (d.X.kind !== 'dense') throw new Error('dense X expected');
  const X = inDesignMemory(d.X);
  if (X === null) return; // no WebAssembly: nothing to adopt
  assert.equal(isDesignMemory(X.data), true);
  assert.equal(isDesignMemory(d.X.data), false);
  const ref = prepareDesign(d.X, { center: true });
  const a = consumeDesign(X, true, 'test');
  assert.equal(a.data.buffer, X.data.buffer, 'prepared in the memory of X');
  assert.equal(a.data.byteOffset, 0);
  assert.deepEqual(Array.from(X.data), Array.from(ref.data), 'X now holds the centred columns');
  assert.deepEqual(Array.from(a.colMeans), Array.from(ref.colMeans));
  assert.deepEqual(Array.from(a.colNormsSq), Array.from(ref.colNormsSq));
  assert.equal(isDesignMemory(X.data), false, 'adopted: not adoptable again');
  // a second consumeDesign copies (as prepareDesign would), never shares the engine
  const b = consumeDesign(X, false, 'test');
  assert.notEqual(b.data.buffer, X.data.buffer);
  // a plain array: the ordinary preparation
  const c = consumeDesign(d.X, true, 'test');
  assert.notEqual(c.data.buffer, d.X.data.buffer);
  assert.deepEqual(Array.from(c.data), Array.from(ref.data));
  for (const p of [ref, a, b, c]) disposeDesign(p);
});

test('tuneLasso consuming X in a design memory (streamed CV, in-place refit): the same result, bit for bit', () => {
  const d = makeCorrelatedData(150, 30, { seed: 9, corr: 0.5, snr: 3, density: 0.2 });
  if (d.X.kind !== 'dense') throw new Error('dense X expected');
  const ref = withSetting(cvFoldMemory, 'residentBytes', 0, () => tuneLasso(d.X, d.y, { criterion: 'cv', folds: 5, maxEvals: 6 }));
  const X = inDesignMemory(d.X) ?? { ...d.X, data: d.X.data.slice() };
  const got = withSetting(cvFoldMemory, 'residentBytes', 0, () => tuneLassoAs(X, d.y, { criterion: 'cv', folds: 5, maxEvals: 6 }, 'tuneLasso', true));
  assert.deepEqual(Array.from(got.lambdas), Array.from(ref.lambdas));
  assert.equal(got.value, ref.value);
  assert.deepEqual(Array.from(got.coef), Array.from(ref.coef));
  assert.equal(got.intercept, ref.intercept);
  assert.deepEqual(got.history.map((h) => h.value), ref.history.map((h) => h.value));
});

test('CsvParser allocColumns: the columns parsed into a design memory, the same values', () => {
  const text = 'a,b,y\n1,2,3\n4,5.5,6\n-7,8e-3,9\n';
  const bytes = new TextEncoder().encode(text);
  const plain = new CsvParser({ target: 'y', rowsHint: countLineEnds(bytes) + 1 });
  plain.push(bytes);
  const p0 = plain.finish();
  const into = new CsvParser({ target: 'y', rowsHint: countLineEnds(bytes) + 1, allocColumns: createDesignMemory });
  into.push(bytes);
  const p1 = into.finish();
  if (p0.X.kind !== 'dense' || p1.X.kind !== 'dense') throw new Error('dense X expected');
  assert.deepEqual(Array.from(p1.X.data), Array.from(p0.X.data));
  assert.deepEqual(Array.from(p1.y), Array.from(p0.y));
  assert.equal(isDesignMemory(p1.X.data), createDesignMemory(1, 1) !== null);
});

test('solvers: n-vectors handed from solver to solver, lazy ŷ and dual point: the values of fresh ones', () => {
  const a = makeCorrelatedData(60, 25, { seed: 10, corr: 0.5, snr: 3, density: 0.2 });
  const b = makeCorrelatedData(60, 25, { seed: 11, corr: 0.2, snr: 2, density: 0.3 });
  const first = lasso(a.X, a.y, 0.05, { tol: 1e-10 });
  const dualFirst = Array.from(first.dualPoint);
  lasso(b.X, b.y, 0.02, { tol: 1e-10 }); // another problem of the same n in between
  const again = lasso(a.X, a.y, 0.05, { tol: 1e-10 });
  assert.deepEqual(Array.from(again.beta), Array.from(first.beta));
  assert.deepEqual(Array.from(again.residual), Array.from(first.residual));
  assert.deepEqual(Array.from(again.dualPoint), dualFirst);
  // the dual point is feasible: |X_c,jᵀθ| ≤ λ
  const P = prepareDesign(a.X, { center: true });
  for (let j = 0; j < P.nCols; j++) {
    let s = 0;
    for (let i = 0; i < P.nRows; i++) s += P.data[j * P.nRows + i]! * again.dualPoint[i]!;
    assert.ok(Math.abs(s) <= 0.05 * (1 + 1e-9), `column ${j}: ${s}`);
  }
  disposeDesign(P);
  // SparseProblem: ŷ = y − r (read lazily, then kept), the warm start carries it unevaluated
  const prob = new SparseProblem(a.X, a.y, 'lasso');
  const sol = prob.solve([0.05], { tol: 1e-10 });
  const fitted = sol.fitted;
  for (let i = 0; i < prob.n; i++) assert.equal(fitted[i], prob.y[i]! - sol.residual[i]!);
  assert.equal(sol.fitted, fitted, 'made once');
  assert.equal(JSON.parse(JSON.stringify({ f: Array.from(sol.fitted) })).f.length, prob.n);
  prob.dispose();
});

test('solvers: the reused target buffer and an offered residual buffer give the values of fresh ones', () => {
  const a = makeCorrelatedData(50, 20, { seed: 12, corr: 0.4, snr: 3, density: 0.2 });
  const fresh = lasso(a.X, Array.from(a.y), 0.04, { tol: 1e-10 }); // a number[] y: checkTarget's own copy
  const buf = new Float64Array(50).fill(7);
  offerResidual(buf);
  const got = lasso(a.X, a.y, 0.04, { tol: 1e-10 });
  assert.equal(got.residual, buf, 'the offered buffer holds the residual');
  assert.deepEqual(Array.from(got.residual), Array.from(fresh.residual));
  assert.deepEqual(Array.from(got.beta), Array.from(fresh.beta));
  assert.equal(got.intercept, fresh.intercept);
  offerResidual(new Float64Array(49)); // another length: ignored
  const other = lasso(a.X, a.y, 0.04, { tol: 1e-10 });
  assert.equal(other.residual.length, 50);
  offerResidual(null);
  // the target buffer still checks y like checkTarget
  const bad = Float64Array.from(a.y);
  bad[3] = NaN;
  assert.throws(() => lasso(a.X, bad, 0.04), /lasso\(\): y contains a non-finite value \(NaN\) at row 3/);
  assert.deepEqual(Array.from(lasso(a.X, a.y, 0.04, { tol: 1e-10 }).beta), Array.from(fresh.beta));
});

test('nsdiff lasso tune: X given up to the in-place refit (no plot) prints what the copying path prints', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nsdiff-mem-'));
  try {
    const d = makeCorrelatedData(120, 8, { seed: 13, corr: 0.3, snr: 3, density: 0.5 });
    if (d.X.kind !== 'dense') throw new Error('dense X expected');
    const lines = ['x1,x2,x3,x4,x5,x6,x7,x8,y'];
    for (let i = 0; i < 120; i++) lines.push([...Array.from({ length: 8 }, (_, j) => d.X.data[j * 120 + i]!), d.y[i]!].map(String).join(','));
    const path = join(dir, 'd.csv');
    writeFileSync(path, lines.join('\n') + '\n');
    const quiet = { out: () => {}, err: () => {} };
    const base = { data: path, target: 'y', criterion: 'cv', folds: '5', maxEvals: '6', json: true, quiet: true };
    const consumed = withSetting(cvFoldMemory, 'residentBytes', 0, () => runTune(base, quiet));
    const copied = withSetting(cvFoldMemory, 'residentBytes', 0, () => runTune({ ...base, pathPlot: join(dir, 'p.svg') }, quiet));
    for (const k of ['lambda', 'criterion', 'coef', 'intercept', 'history'] as const) assert.deepEqual(consumed[k], copied[k], k);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('streamed CV: after the first evaluations, an evaluation allocates (almost) no vector of n entries', () => {
  const d = makeCorrelatedData(2500, 20, { seed: 14, corr: 0.3, snr: 3, density: 0.3 });
  const crit = withSetting(cvFoldMemory, 'residentBytes', 0, () => new CrossValCriterion(d.X, d.y, 'lasso', { folds: 5 }));
  const lams = [0.3, 0.1, 0.05, 0.03, 0.02, 0.015, 0.01].map((r) => r * crit.lambdaMax);
  for (const l of lams.slice(0, 3)) crit.evaluate([l], { tol: 1e-8 });
  // count the Float64Array allocations of ≥ 500 entries (the validation size; training rows 2 000;
  // p² = 400 is below)
  const Orig = globalThis.Float64Array;
  let big = 0;
  const counting = new Proxy(Orig, {
    construct(target, args, nt) {
      const a = Reflect.construct(target, args, nt === counting ? target : nt) as Float64Array;
      // (views on a buffer allocate nothing: engine memories are SharedArrayBuffers where threads run)
      if (!(args[0] instanceof ArrayBuffer || args[0] instanceof SharedArrayBuffer) && a.length >= 500) big++;
      return a;
    },
  });
  let values: number[];
  try {
    (globalThis as { Float64Array: unknown }).Float64Array = counting;
    values = lams.slice(3).map((l) => crit.evaluate([l], { tol: 1e-8 }).value);
  } finally {
    (globalThis as { Float64Array: unknown }).Float64Array = Orig;
  }
  // before issue 12: about 19 such vectors per fold evaluation (15 of n, 4 of n_val), 380 here; now
  // the Gram mode's copy of y_c per rebuilt fold design (quad_gram.ts designXty, 20 here) and the
  // residuals of the certificate's extra solves
  assert.ok(big <= 30, `${big} vectors of ≥ 500 entries in 4 evaluations of 5 folds`);
  // and the values of the resident mode
  const resident = new CrossValCriterion(d.X, d.y, 'lasso', { folds: 5 });
  for (const l of lams.slice(0, 3)) resident.evaluate([l], { tol: 1e-8 });
  lams.slice(3).forEach((l, t) => {
    const v = resident.evaluate([l], { tol: 1e-8 }).value;
    assert.ok(Math.abs(v - values[t]!) <= 1e-9 * v, `λ ${t}: ${v} vs ${values[t]}`);
  });
  crit.dispose();
  resident.dispose();
});
