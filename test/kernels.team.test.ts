/**
 * @file Tests of the row-split kernels (src/kernels/team.ts): every split kernel against the unsplit
 * one (row kernels: outputs within rounding, residual updates bit for bit; column kernels: bit for
 * bit), the same bits on one and two threads with the partner really taking chunks, a tall Lasso
 * solve bit-identical on 1 and 2 threads, and a process whose partner spins exits promptly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine, releaseEngine, type WasmEngine } from '../src/kernels/wasm_lasso.js';
import { partnerStart, readyPartners, runCols, runRows, splitRows, SPLIT_MIN_ROWS, SPLIT_KERNELS, teamChunksTotal, type RowKernel } from '../src/kernels/team.js';
import { setThreads, shutdownThreads } from '../src/kernels/threads.js';
import { setKernelBackend } from '../src/kernels/engine.js';
import { lasso, makeCorrelatedData, lambdaMax } from '../src/index.js';
import { seeded } from './fixtures/seeded.js';
import { assertExitsPromptly } from './helpers.js';

// partners start at the first row job here (the library waits for enough work; tested below)
const startRows = partnerStart.rows;
partnerStart.rows = 0;

/** An engine for n×p with X, r, r0, the coefficients and the vectors filled from seeds. */
function engineWith(n: number, p: number): WasmEngine {
  const made = createEngine(n, p);
  assert.ok(made !== null, 'a WebAssembly engine');
  made.x.set(seeded(n * p, 3));
  made.engine.r.set(seeded(n, 4));
  made.engine.r0.set(seeded(n, 5));
  made.engine.vecA.set(seeded(n, 6));
  made.engine.vecB.set(seeded(n, 7));
  made.engine.blk.set([0.25, -0.5, 0.125, 0.75], 4); // the axpy coefficients
  return made.engine;
}

/** The whole-call arguments of row kernel k on columns 0–3 (update) and 4–7 (dots) of e. */
function rowArgs(e: WasmEngine, k: RowKernel, n: number): number[] {
  const col = (j: number) => e.xPtr + 8 * n * j;
  const out = e.blk.byteOffset, coef = out + 32, out8 = out + 64;
  const dots = [col(4), col(5), col(6), col(7)];
  switch (k) {
    case 'dot4': return [n, ...dots, e.r.byteOffset, out];
    case 'axpy1dot4': return [n, col(0), coef, ...dots, e.r.byteOffset, out];
    case 'axpy2dot4': return [n, col(0), col(1), coef, ...dots, e.r.byteOffset, out];
    case 'axpy3dot4': return [n, col(0), col(1), col(2), coef, ...dots, e.r.byteOffset, out];
    case 'axpydot4': return [n, col(0), col(1), col(2), col(3), coef, ...dots, e.r.byteOffset, out];
    case 'dot4r0': return [n, ...dots, e.r.byteOffset, e.r0.byteOffset, out8];
    case 'axpydot4r0': return [n, col(0), col(1), col(2), col(3), coef, ...dots, e.r.byteOffset, e.r0.byteOffset, out8];
    case 'gram4': return [n, ...dots, out];
    case 'dotgram4': return [n, ...dots, e.r.byteOffset, out];
  }
}
const ROW: RowKernel[] = ['dot4', 'axpy1dot4', 'axpy2dot4', 'axpy3dot4', 'axpydot4', 'dot4r0', 'axpydot4r0', 'gram4', 'dotgram4'];

/** Runs kernel k (split at h; 0: unsplit) on a fresh engine; returns its outputs and the residual. */
function runOnce(k: RowKernel, n: number, h: number): { outs: Float64Array; r: Float64Array } {
  const e = engineWith(n, 8);
  try {
    const args = rowArgs(e, k, n);
    runRows(e.team, k, h, e.blk.byteOffset + 128, ...(args as [number, number, number, number, number, number]));
    const o = args[args.length - 1]! - e.blk.byteOffset;
    return { outs: e.blk.slice(o / 8, o / 8 + SPLIT_KERNELS[k].outs), r: e.r.slice() };
  } finally {
    releaseEngine(e);
  }
}

test('splitRows: no split below SPLIT_MIN_ROWS, else a multiple of eight near n/2', () => {
  assert.equal(splitRows(SPLIT_MIN_ROWS - 1), 0);
  assert.equal(splitRows(5000), 2496);
  for (const n of [SPLIT_MIN_ROWS, 2049, 3001, 10007]) {
    const h = splitRows(n);
    assert.equal(h % 8, 0);
    assert.ok(h > 0 && h <= n / 2 && n / 2 - h < 8, `n = ${n}, h = ${h}`);
  }
});

test('every row kernel split in two chunks agrees with the unsplit kernel (odd sizes too)', () => {
  const prev = setThreads(1);
  try {
    for (const n of [2048, 2051, 3003]) {
      for (const k of ROW) {
        const whole = runOnce(k, n, 0);
        const split = runOnce(k, n, splitRows(n));
        for (let q = 0; q < whole.outs.length; q++) {
          const a = whole.outs[q]!, b = split.outs[q]!;
          assert.ok(Math.abs(a - b) <= 1e-12 * (1 + Math.abs(a)) * Math.sqrt(n), `${k} n=${n} output ${q}: ${a} vs ${b}`);
        }
        // the residual update is elementwise: the same bits however the rows are cut
        assert.deepEqual(split.r, whole.r, `${k} n=${n} residual`);
      }
    }
  } finally {
    setThreads(prev);
  }
});

/** Starts a partner on e's memory and waits (≤ 5 s) until it serves. */
async function withPartner(e: WasmEngine, n: number): Promise<void> {
  const args = rowArgs(e, 'dot4', n);
  for (let t = 0; t < 250 && readyPartners() === 0; t++) {
    runRows(e.team, 'dot4', splitRows(n), e.blk.byteOffset + 128, ...(args as [number, number, number, number, number, number]));
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(readyPartners(), 1, 'the partner started');
}

test('row and column kernels give the same bits on one and two threads, and the partner took chunks', async () => {
  const prevB = setKernelBackend('wasm');
  const prev = setThreads(1);
  const n = 4099;
  try {
    const one = ROW.map((k) => runOnce(k, n, splitRows(n)));
    // column kernels on one thread
    const cols = (e: WasmEngine): [Float64Array, Float64Array] => {
      const p = 64;
      runCols(e.team, 'dots2', n * p, e.xPtr, n, e.allCols.byteOffset, p, e.vecA.byteOffset, e.vecB.byteOffset, e.outA.byteOffset, e.outB.byteOffset);
      const a = e.outA.slice(0, p), b = e.outB.slice(0, p);
      e.outA.fill(0);
      runCols(e.team, 'dots', n * p, e.xPtr, n, e.allCols.byteOffset, p, e.r.byteOffset, e.outA.byteOffset);
      return [a, Float64Array.from([...b, ...e.outA.slice(0, p)])];
    };
    const e1 = engineWith(n, 64);
    const c1 = cols(e1);
    releaseEngine(e1);
    setThreads(2);
    const e2 = engineWith(n, 64);
    await withPartner(e2, n);
    const before = teamChunksTotal();
    let c2 = cols(e2);
    for (let t = 0; t < 50 && teamChunksTotal() === before; t++) c2 = cols(e2);
    assert.deepEqual(c2, c1, 'dots / dots2 on two threads');
    // the row kernels, on the engine whose partner runs
    for (let i = 0; i < ROW.length; i++) {
      const k = ROW[i]!;
      new Float64Array(e2.buffer, e2.xPtr, n * 64).set(seeded(n * 64, 3));
      e2.r.set(seeded(n, 4));
      e2.r0.set(seeded(n, 5));
      e2.blk.fill(0);
      e2.blk.set([0.25, -0.5, 0.125, 0.75], 4);
      const args = rowArgs(e2, k, n);
      runRows(e2.team, k, splitRows(n), e2.blk.byteOffset + 128, ...(args as [number, number, number, number, number, number]));
      const o = (args[args.length - 1]! - e2.blk.byteOffset) / 8;
      assert.deepEqual(e2.blk.slice(o, o + SPLIT_KERNELS[k].outs), one[i]!.outs, `${k} outputs`);
      assert.deepEqual(e2.r.slice(), one[i]!.r, `${k} residual`);
    }
    assert.ok(teamChunksTotal() > before, 'the partner computed some chunks');
    releaseEngine(e2);
  } finally {
    setThreads(prev);
    setKernelBackend(prevB);
    shutdownThreads();
  }
});

test('the partner moves between engine memories on request, and every job keeps its bits', async () => {
  const prevB = setKernelBackend('wasm');
  const prev = setThreads(1);
  const n = 3001;
  try {
    const ref = runOnce('axpydot4', n, splitRows(n)); // one thread
    setThreads(2);
    const a = engineWith(n, 8), b = engineWith(n, 8);
    // serves a, then b, then a again: each time its chunks are taken, and the bits are those of one thread
    for (const e of [a, b, a]) {
      const before = teamChunksTotal();
      for (let t = 0; t < 250 && teamChunksTotal() === before; t++) {
        e.r.set(seeded(n, 4));
        e.blk.fill(0);
        e.blk.set([0.25, -0.5, 0.125, 0.75], 4);
        const args = rowArgs(e, 'axpydot4', n);
        runRows(e.team, 'axpydot4', splitRows(n), e.blk.byteOffset + 128, ...(args as [number, number, number, number, number, number]));
        assert.deepEqual(e.blk.slice(0, 4), ref.outs);
        assert.deepEqual(e.r.slice(), ref.r);
        if (teamChunksTotal() === before) await new Promise((r) => setTimeout(r, 4));
      }
      assert.ok(teamChunksTotal() > before, 'the partner took chunks on this memory');
    }
    assert.equal(readyPartners(), 1, 'one partner');
    releaseEngine(a);
    releaseEngine(b);
  } finally {
    setThreads(prev);
    setKernelBackend(prevB);
    shutdownThreads();
  }
});

test('a tall Lasso solve (block epochs on split rows) gives the same coefficients on 1 and 2 threads', async () => {
  const prevB = setKernelBackend('wasm');
  const prev = setThreads(1);
  try {
    const { X, y } = makeCorrelatedData(2600, 60, { corr: 0.6, snr: 3, density: 0.3, seed: 11 });
    const lam = lambdaMax(X, y) / 50;
    const one = lasso(X, y, lam, { tol: 1e-8 });
    setThreads(2);
    const before = teamChunksTotal();
    let two = lasso(X, y, lam, { tol: 1e-8 });
    for (let t = 0; t < 100 && teamChunksTotal() === before; t++) {
      await new Promise((r) => setTimeout(r, 10));
      two = lasso(X, y, lam, { tol: 1e-8 });
    }
    assert.ok(teamChunksTotal() > before, 'the partner computed some chunks');
    assert.ok(one.converged && two.converged);
    assert.deepEqual(two.beta, one.beta);
    assert.ok(Object.is(two.intercept, one.intercept));
    assert.equal(two.iterations, one.iterations);
  } finally {
    setThreads(prev);
    setKernelBackend(prevB);
    shutdownThreads();
  }
});

test('a process whose partner thread is live exits promptly after its work', () => {
  assertExitsPromptly('kernels_team_exit.ts', 'the partner');
});

test('the partner waits for a streak of row-split work on one memory (a one-off solve, or CV folds taking turns, run on the caller alone)', () => {
  const prevB = setKernelBackend('wasm');
  const prev = setThreads(2);
  const saved = partnerStart.rows;
  shutdownThreads();
  try {
    partnerStart.rows = startRows;
    const n = 4099;
    const a = engineWith(n, 8), b = engineWith(n, 8);
    const run = (e: WasmEngine, jobs: number) => {
      const args = rowArgs(e, 'dot4', n);
      for (let t = 0; t < jobs; t++) runRows(e.team, 'dot4', splitRows(n), e.blk.byteOffset + 128, ...(args as [number, number, number, number, number, number]));
    };
    const before = teamChunksTotal();
    const streak = Math.floor(startRows / n) - 1;
    run(a, streak);
    // memories taking turns: every streak restarts, however much work is done in all
    for (let k = 0; k < 4; k++) {
      run(b, streak);
      run(a, streak);
    }
    assert.equal(readyPartners(), 0, 'no partner');
    assert.equal(teamChunksTotal(), before);
    releaseEngine(a);
    releaseEngine(b);
  } finally {
    partnerStart.rows = saved;
    setThreads(prev);
    setKernelBackend(prevB);
    shutdownThreads();
  }
});
