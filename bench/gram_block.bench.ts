/**
 * @file Microbenchmark of the block Gram products of the CV folds (round gram9, docs/lasso.md):
 * `gramUpper` (the upper triangle of AᵀA for a column-major n×p block) on 400×300 and 2000×300,
 * against one full square NT `gemmStrided` (AᵀA, all p² entries) and the plain gemm flop rate
 * (NN 512), on 1 and 2 threads, measured in the same run.
 * Run: `npx tsx bench/gram_block.bench.ts` (measures src/ through tsx).
 */
import { gemmStrided } from '../src/kernels/blas.js';
import { setThreads } from '../src/kernels/threads.js';
import { gramUpper } from '../src/lasso/quad_gram.js';
import { seeded } from '../test/fixtures/seeded.js';
import { time } from './timing.js';

const best = (f: () => void, reps: number): number => time(f, { warmup: 3, reps, minMs: 200 }).min;

const rows: string[][] = [['case', 'threads', 'ms', 'GFLOP/s (useful p²n/2+pn/2 MACs)', 'vs square']];
for (const th of [1, 2]) {
  setThreads(th);
  for (const n of [400, 2000]) {
    const p = 300;
    const A = seeded(n * p, 1);
    const G = new Float64Array(p * p);
    const useful = 2 * (p * (p + 1) / 2) * n;
    const sq = best(() => gemmStrided(false, true, p, p, n, 1, A, 0, n, A, 0, n, 0, G, 0, p), 40);
    const up = best(() => gramUpper(A, n, p, G), 40);
    rows.push([`square NT ${p}×${p}·${n}`, String(th), sq.toFixed(3), (useful / sq / 1e6).toFixed(2), '1.00']);
    rows.push([`gramUpper ${n}×${p}`, String(th), up.toFixed(3), (useful / up / 1e6).toFixed(2), (up / sq).toFixed(2)]);
  }
  const N = 512;
  const a = seeded(N * N, 2), c = new Float64Array(N * N);
  const t = best(() => gemmStrided(false, false, N, N, N, 1, a, 0, N, a, 0, N, 0, c, 0, N), 10);
  rows.push(['NN 512 (full flops)', String(th), t.toFixed(3), (2 * N ** 3 / t / 1e6).toFixed(2), '']);
}
for (const r of rows) console.log(r.map((s, i) => (i === 0 ? s.padEnd(26) : s.padStart(12))).join(' '));
process.exit(0);
