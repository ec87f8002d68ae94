/**
 * @file Microbenchmark of the block Gram products of the CV folds (round gram9, docs/lasso_performance.md):
 * `gramUpper` (the upper triangle of AᵀA for a column-major n×p block: `syrkUpper`, one triangular
 * kernel job) on 400×300 and 2000×300, against what it replaced (64-row block gemms through
 * `gemmStrided`, as before round gram9), one full square NT `gemmStrided` (AᵀA, all p² entries) and
 * the plain gemm flop rate (NN 512), on 1 and 2 threads, measured in the same run. The GFLOP/s
 * column counts the useful multiply-adds of the triangle (p(p+1)/2·n, ×2 flops) for every Gram row,
 * the square product included (its own rate is about twice that column), and all 2·N³ for NN 512.
 * Run: `npx tsx bench/gram_block.bench.ts` (measures src/ through tsx).
 */
import { gemmStrided } from '../src/kernels/blas.js';
import { setThreads } from '../src/kernels/threads.js';
import { gramUpper } from '../src/lasso/quad_gram.js';
import { seeded } from '../test/fixtures/seeded.js';
import { time } from './timing.js';

const best = (f: () => void, reps: number): number => time(f, { warmup: 3, reps, minMs: 200 }).min;

const rows: string[][] = [['case', 'threads', 'ms', 'GFLOP/s', 'vs square']];
for (const th of [1, 2]) {
  setThreads(th);
  for (const n of [400, 2000]) {
    const p = 300;
    const A = seeded(n * p, 1);
    const G = new Float64Array(p * p);
    const useful = 2 * (p * (p + 1) / 2) * n;
    const sq = best(() => gemmStrided(false, true, p, p, n, 1, A, 0, n, A, 0, n, 0, G, 0, p), 40);
    const blk = best(() => {
      for (let a0 = 0; a0 < p; a0 += 64) {
        const r = Math.min(64, p - a0);
        gemmStrided(false, true, r, p - a0, n, 1, A, a0 * n, n, A, a0 * n, n, 0, G, a0 * p + a0, p);
      }
    }, 40);
    const up = best(() => gramUpper(A, n, p, G), 40);
    rows.push([`square NT ${p}×${p}·${n}`, String(th), sq.toFixed(3), (useful / sq / 1e6).toFixed(2), '1.00']);
    rows.push([`64-row blocks ${n}×${p}`, String(th), blk.toFixed(3), (useful / blk / 1e6).toFixed(2), (blk / sq).toFixed(2)]);
    rows.push([`gramUpper ${n}×${p}`, String(th), up.toFixed(3), (useful / up / 1e6).toFixed(2), (up / sq).toFixed(2)]);
  }
  const N = 512;
  const a = seeded(N * N, 2), c = new Float64Array(N * N);
  const t = best(() => gemmStrided(false, false, N, N, N, 1, a, 0, N, a, 0, N, 0, c, 0, N), 10);
  rows.push(['NN 512 (full flops)', String(th), t.toFixed(3), (2 * N ** 3 / t / 1e6).toFixed(2), '']);
}
for (const r of rows) console.log(r.map((s, i) => (i === 0 ? s.padEnd(26) : s.padStart(12))).join(' '));
process.exit(0);
