/**
 * @file Microbenchmark of the row-split Lasso kernels (src/kernels/team.ts, round "team",
 * docs/kernels.md "Row-split Lasso kernels"): one block epoch's worth of `axpydot4` calls (the
 * update of one group of four columns fused with the next group's dot products, 124 calls over
 * 500 columns) at n = 1000 … 20 000 rows, three ways in the same run: unsplit on one thread (the
 * kernel before the round), split on one thread (the two chunks as one call of the `axpydot4_split`
 * twin: the arithmetic every thread count shares), and split on two threads (chunk 1 handed to the
 * spinning partner). It shows where the split pays (the `SPLIT_MIN_ROWS` = 2048 threshold) and what
 * it costs one thread. Run: `npx tsx bench/team.bench.ts` (measures src/ through tsx).
 */
import { createEngine, releaseEngine, type WasmEngine } from '../src/kernels/wasm_lasso.js';
import { partnerStart, readyPartners, runRows, teamChunksTotal } from '../src/kernels/team.js';
import { setThreads, shutdownThreads } from '../src/kernels/threads.js';
import { seeded } from '../test/fixtures/seeded.js';
import { table } from './table.js';
import { time } from './timing.js';

const P = 500;
partnerStart.rows = 0; // the partner serves the memory from its first job (the library waits for a streak)

/** One epoch's worth of `axpydot4` calls on e (X n×P), rows split at h (0: unsplit). */
function epoch(e: WasmEngine, n: number, h: number): void {
  const colB = 8 * n, out = e.blk.byteOffset, coef = out + 32;
  for (let g = 1; g < P / 4; g++) {
    const a = e.xPtr + (g - 1) * 4 * colB, b = e.xPtr + g * 4 * colB;
    runRows(e.team, 'axpydot4', h, out + 128, n, a, a + colB, a + 2 * colB, a + 3 * colB, coef, b, b + colB, b + 2 * colB, b + 3 * colB, e.r.byteOffset, out);
  }
}

const rows: (string | number)[][] = [];
for (const n of [1000, 2048, 5000, 20000]) {
  const made = createEngine(n, P);
  if (made === null) throw new Error('no WebAssembly engine');
  const e = made.engine;
  made.x.set(seeded(n * P, 1));
  e.r.set(seeded(n, 2));
  e.blk.set([1e-9, -1e-9, 1e-9, -1e-9], 4); // tiny updates: r stays bounded over the repetitions
  const h = (n >> 4) << 3; // splitRows(n) without the threshold
  setThreads(1);
  const whole = time(() => epoch(e, n, 0), { warmup: 5, reps: 40, minMs: 300 });
  const one = time(() => epoch(e, n, h), { warmup: 5, reps: 40, minMs: 300 });
  setThreads(2);
  for (let t = 0; t < 200 && readyPartners() === 0; t++) {
    epoch(e, n, h);
    await new Promise((r) => setTimeout(r, 5));
  }
  const before = teamChunksTotal();
  const two = time(() => epoch(e, n, h), { warmup: 5, reps: 40, minMs: 300 });
  const share = (teamChunksTotal() - before) / (two.samples + 5) / (P / 4 - 1);
  rows.push([n, whole.min.toFixed(3), one.min.toFixed(3), (one.min / whole.min).toFixed(2), two.min.toFixed(3), (two.min / whole.min).toFixed(2), `${(100 * share).toFixed(0)}%`]);
  shutdownThreads();
  releaseEngine(e);
}
console.log(`row-split axpydot4: one block epoch (124 calls, ${P} columns), best of ≥ 40 samples, ms; node ${process.version}`);
table(['n', 'unsplit 1t', 'split 1t', 'split 1t / unsplit', 'split 2t', 'split 2t / unsplit', 'chunks by partner'], rows);
