/**
 * @file Benchmarks of the iterative solvers and sparse products.
 *
 * 1. 2-D Poisson (5-point Laplacian on a 64×64 grid, n = 4096 unknowns, CSR matvec), b = A·1:
 *    iterations, wall time and final true relative residual of CG, MINRES, GMRES(30), GMRES(100)
 *    and BiCGSTAB at tol 1e-8.
 * 2. Sparse product throughput on a random 20000×50000 matrix with 0.2% density (2·10⁶ non-zeros):
 *    GFLOP/s (2·nnz flops per product) of CSR/CSC `matvec` and `rmatvec`.
 *
 * Run: `npx tsx bench/iterative.bench.ts`
 */
import { rng } from '../src/core/rng.js';
import { bicgstab, cg, gmres, minres, type IterativeResult } from '../src/linalg/iterative/index.js';
import { CsrMatrix } from '../src/linalg/sparse/index.js';
import { time } from './timing.js';

function poisson2d(m: number): CsrMatrix {
  const n = m * m;
  const ri: number[] = [], ci: number[] = [], v: number[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      const k = i * m + j;
      ri.push(k); ci.push(k); v.push(4);
      if (i > 0) { ri.push(k); ci.push(k - m); v.push(-1); }
      if (i < m - 1) { ri.push(k); ci.push(k + m); v.push(-1); }
      if (j > 0) { ri.push(k); ci.push(k - 1); v.push(-1); }
      if (j < m - 1) { ri.push(k); ci.push(k + 1); v.push(-1); }
    }
  }
  return CsrMatrix.fromCoo(n, n, ri, ci, v);
}

/** Mean ms per call of `reps` calls after `warmup` calls, and the last result (bench/timing.ts). */
function meanOf<T>(f: () => T, reps: number, warmup = 3): { ms: number; out: T } {
  const t = time(f, { warmup, batch: reps, reps: 1 });
  return { ms: t.min, out: t.value };
}

function pad(s: string | number, w: number): string {
  return String(s).padStart(w);
}

// ---------------------------------------------------------------------------------------------
// 1. Poisson solves
// ---------------------------------------------------------------------------------------------
const m = 64;
const A = poisson2d(m);
const n = A.rows;
const b = A.matvec(new Float64Array(n).fill(1));
const opts = { tol: 1e-8, maxIter: 20000, onFailure: 'return' as const };
const solvers: [string, () => IterativeResult][] = [
  ['CG', () => cg(A, b, opts)],
  ['MINRES', () => minres(A, b, opts)],
  ['GMRES(30)', () => gmres(A, b, { ...opts, restart: 30 })],
  ['GMRES(100)', () => gmres(A, b, { ...opts, restart: 100 })],
  ['BiCGSTAB', () => bicgstab(A, b, opts)],
];
console.log(`2-D Poisson ${m}×${m} (n = ${n}, nnz = ${A.nnz}), CSR operator, tol 1e-8, b = A·1`);
console.log(`${'solver'.padEnd(12)}${pad('iters', 7)}${pad('A·v', 7)}${pad('ms', 10)}${pad('rel.res', 11)}${pad('‖x−1‖∞', 10)}  reason`);
for (const [name, run] of solvers) {
  const { ms, out } = meanOf(run, 5);
  let err = 0;
  for (let i = 0; i < n; i++) err = Math.max(err, Math.abs(out.x[i]! - 1));
  const matvecs = name === 'BiCGSTAB' ? 2 * out.iterations : out.iterations;
  console.log(
    `${name.padEnd(12)}${pad(out.iterations, 7)}${pad(matvecs, 7)}${pad(ms.toFixed(2), 10)}` +
      `${pad(out.relativeResidual.toExponential(1), 11)}${pad(err.toExponential(1), 10)}  ${out.reason}`,
  );
}

// ---------------------------------------------------------------------------------------------
// 2. Sparse product throughput
// ---------------------------------------------------------------------------------------------
const rows = 20000, cols = 50000, density = 0.002;
const g = rng(1);
const target = Math.round(rows * cols * density);
const ri = new Int32Array(target), ci = new Int32Array(target), vals = new Float64Array(target);
for (let k = 0; k < target; k++) {
  ri[k] = g.int(rows);
  ci[k] = g.int(cols);
  vals[k] = g.normalScalar();
}
const t0 = performance.now();
const S = CsrMatrix.fromCoo(rows, cols, ri, ci, vals);
const tCoo = performance.now() - t0;
const t1 = performance.now();
const Sc = S.toCsc();
const tConv = performance.now() - t1;
const x = g.fillNormal(new Float64Array(cols));
const y = g.fillNormal(new Float64Array(rows));
const outR = new Float64Array(rows), outC = new Float64Array(cols);
const flops = 2 * S.nnz;
console.log(`\nSparse products: ${rows}×${cols}, density ${density * 100}% (nnz = ${S.nnz}); fromCoo ${tCoo.toFixed(0)} ms, toCsc ${tConv.toFixed(0)} ms`);
console.log(`${'kernel'.padEnd(22)}${pad('ms', 9)}${pad('GFLOP/s', 10)}`);
const kernels: [string, () => void][] = [
  ['CSR matvec  (A·x)', () => S.matvec(x, outR)],
  ['CSR rmatvec (Aᵀ·y)', () => S.rmatvec(y, outC)],
  ['CSC matvec  (A·x)', () => Sc.matvec(x, outR)],
  ['CSC rmatvec (Aᵀ·y)', () => Sc.rmatvec(y, outC)],
];
for (const [name, f] of kernels) {
  const { ms } = meanOf(f, 30);
  console.log(`${name.padEnd(22)}${pad(ms.toFixed(3), 9)}${pad((flops / (ms * 1e6)).toFixed(2), 10)}`);
}
