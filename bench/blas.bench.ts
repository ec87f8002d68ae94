/**
 * @file Throughput of the BLAS-like kernels: gemm (register-tiled, packed) against a naive i-k-j
 * triple loop in the same process, gemv (matrix–vector) and dot, in GFLOP/s. Each measurement warms
 * up first, then reports the best of several timed trials (each trial repeats the call enough times
 * to last ≥ 25 ms).
 *
 * Run: `npx tsx bench/blas.bench.ts`
 */
import { dot, gemm, gemv } from '../src/kernels/blas.js';
import { seeded as randomArray } from '../test/fixtures/seeded.js';
import { time } from './timing.js';

/** Best seconds per call of `fn` over `trials` trials of ≥ `minTrialMs`, after a 60 ms warm-up (bench/timing.ts). */
function bestSecondsPerCall(fn: () => void, trials = 5, minTrialMs = 25): number {
  return time(fn, { warmup: 3, warmupMs: 60, sampleMs: minTrialMs, reps: trials }).min / 1000;
}

/** Reference: C = A·B with the cache-friendly i-k-j loop order (no blocking, no tiling). */
function naiveGemm(n: number, A: Float64Array, B: Float64Array, C: Float64Array): void {
  C.fill(0);
  for (let i = 0; i < n; i++) {
    const ci = i * n;
    for (let p = 0; p < n; p++) {
      const a = A[ci + p]!;
      const bp = p * n;
      for (let j = 0; j < n; j++) C[ci + j] += a * B[bp + j]!;
    }
  }
}

const fmt = (x: number, digits = 2): string => x.toFixed(digits);
let sink = 0; // keeps results observable so nothing is optimised away

function printTable(title: string, header: string[], rows: string[][]): void {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]): string => cells.map((cell, c) => cell.padStart(widths[c]!)).join('  ');
  console.log(`\n${title}`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

// ------------------------------------------------------------------------------------ gemm
{
  const rows: string[][] = [];
  for (const n of [64, 256, 512]) {
    const A = randomArray(n * n, 1), B = randomArray(n * n, 2), C = new Float64Array(n * n);
    const flops = 2 * n * n * n;
    const tFast = bestSecondsPerCall(() => gemm(false, false, n, n, n, 1, A, B, 0, C), n >= 512 ? 3 : 5);
    sink += C[0]!;
    const tNaive = bestSecondsPerCall(() => naiveGemm(n, A, B, C), n >= 512 ? 3 : 5);
    sink += C[0]!;
    rows.push([String(n), fmt(tFast * 1e3, 3), fmt(flops / tFast / 1e9), fmt(tNaive * 1e3, 3), fmt(flops / tNaive / 1e9), fmt(tNaive / tFast, 1) + '×']);
  }
  printTable('gemm  C = A·B  (n×n, row-major, float64)', ['n', 'gemm ms', 'gemm GFLOP/s', 'naive ms', 'naive GFLOP/s', 'speed-up'], rows);
}

// ------------------------------------------------------------------------------------ gemv
{
  const rows: string[][] = [];
  for (const n of [256, 1024, 2048]) {
    const A = randomArray(n * n, 3), x = randomArray(n, 4), y = new Float64Array(n);
    const flops = 2 * n * n;
    const tN = bestSecondsPerCall(() => gemv(false, n, n, 1, A, x, 0, y));
    sink += y[0]!;
    const tT = bestSecondsPerCall(() => gemv(true, n, n, 1, A, x, 0, y));
    sink += y[0]!;
    rows.push([String(n), fmt(tN * 1e3, 3), fmt(flops / tN / 1e9), fmt(tT * 1e3, 3), fmt(flops / tT / 1e9)]);
  }
  printTable('gemv  y = A·x and y = Aᵀ·x  (n×n)', ['n', 'A·x ms', 'A·x GFLOP/s', 'Aᵀ·x ms', 'Aᵀ·x GFLOP/s'], rows);
}

// ------------------------------------------------------------------------------------ dot
{
  const rows: string[][] = [];
  for (const n of [1e3, 1e5, 1e6]) {
    const x = randomArray(n, 5), y = randomArray(n, 6);
    const t = bestSecondsPerCall(() => {
      sink += dot(n, x, y);
    });
    rows.push([n.toExponential(0), fmt(t * 1e6, 2), fmt((2 * n) / t / 1e9)]);
  }
  printTable('dot  Σ x_i·y_i', ['length', 'µs', 'GFLOP/s'], rows);
}

if (!Number.isFinite(sink)) console.log('(checksum not finite)');
