/**
 * @file solveQp against cvxopt (Debian python3-cvxopt, timed in the same run through
 * bench/qp_oracle.py): batches of random strictly convex QPs min ½zᵀQz + pᵀz s.t. Gz ≤ h
 * (the issue's target: 128 problems, 24 variables, 14 inequalities, forward + backward ≤ 40 ms),
 * then n = 10 / 50 / 100 / 500. Forward = solveQp to relative KKT residual 1e-10; backward = one
 * VJP of z with respect to every input (Q, p, G, h all batched). cvxopt runs with its default
 * tolerances (forward only; it has no derivatives). Best of 3 runs. Measures dist/ (npm run build).
 *
 * `admm`: ONE sparse QP (n = 2000, m = 4000, ≈ 5 non-zeros per row of G, Q diagonal plus a
 * sparse symmetric part) by `solver: 'admm'` with CsrMatrix inputs (default tol 1e-6, then the
 * polish step), forward and forward + one VJP in (p, h), against cvxopt with spmatrix inputs; then
 * the same sizes with BANDED G (5 consecutive columns per row), where the sparse KKT path is taken.
 *
 * Run: npm run build && npx tsx bench/qp.bench.ts [target|admm] [--base DIR]
 *   target: only the 128×(24, 14) case; admm: only the sparse ADMM problem;
 *   --base DIR: also time another build's dist/ (e.g. the previous version's, built elsewhere),
 *   its fwd + bwd run alternately with this one's (the fair before/after on a loaded machine).
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadDist } from './dist.js';
import { time } from './timing.js';

const nd = await loadDist();
const { solveQp, vjp, rng, tensor } = nd;
type T = InstanceType<typeof nd.Tensor>;

/** The recipe of bench/qp_oracle.py's random_problem (Q = LLᵀ/n + 0.1 I, h = G z0 + |noise|), batched. */
function problems(B: number, n: number, m: number, seed: number) {
  const r = rng(seed);
  const Q = new Float64Array(B * n * n);
  const p = r.normal([B, n]).data;
  const G = r.normal([B, m, n]).data;
  const h = new Float64Array(B * m);
  for (let k = 0; k < B; k++) {
    const L = r.normal([n, n]).data;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let a = 0;
        for (let t = 0; t < n; t++) a += L[i * n + t]! * L[j * n + t]!;
        Q[k * n * n + i * n + j] = a / n + (i === j ? 0.1 : 0);
      }
    }
    const z0 = r.normal([n]).data;
    const noise = r.normal([m]).data;
    for (let i = 0; i < m; i++) {
      let a = 0;
      for (let j = 0; j < n; j++) a += G[k * m * n + i * n + j]! * z0[j]!;
      h[k * m + i] = a + Math.abs(noise[i]!);
    }
  }
  return { Q, p, G, h };
}

/** Fastest wall and CPU ms of `runs` calls (bench/timing.ts). */
function best(runs: number, fn: () => void): { wall: number; cpu: number } {
  const t = time(fn, { warmup: 0, reps: runs });
  return { wall: t.min, cpu: t.cpu };
}

function cvxopt(B: number, n: number, m: number, d: ReturnType<typeof problems>): { ms: number; cpu: number; z: number[][] } | null {
  try {
    const input = JSON.stringify({ batch: B, n, m, Q: Array.from(d.Q), p: Array.from(d.p), G: Array.from(d.G), h: Array.from(d.h) });
    const out = execFileSync('/usr/bin/python3', ['bench/qp_oracle.py', 'time'], { input, encoding: 'utf8', maxBuffer: 1 << 28, timeout: 600000 });
    const j = JSON.parse(out) as { seconds: number; cpu: number; z: number[][] };
    return { ms: j.seconds * 1000, cpu: j.cpu * 1000, z: j.z };
  } catch {
    return null;
  }
}

const args = process.argv.slice(2);
const baseAt = args.indexOf('--base');
const baseDir = baseAt >= 0 ? args[baseAt + 1] : undefined;
if (baseAt >= 0 && !baseDir) throw new Error('--base needs a directory (a dist/ holding index.js)');
const base = baseDir ? ((await import(pathToFileURL(resolve(baseDir, 'index.js')).href)) as typeof nd) : null;
/** A sparse strictly convex QP with a strictly feasible point (COO triplets). */
function sparseProblem(n: number, m: number, perRow: number, seed: number, banded = false) {
  const r = rng(seed);
  const u = r.uniform([m * perRow + 4 * n]).data;
  const g = r.normal([m * perRow + 2 * n]).data;
  let ui = 0;
  const Qr: number[] = [], Qc: number[] = [], Qv: number[] = [];
  for (let i = 0; i < n; i++) {
    Qr.push(i); Qc.push(i); Qv.push(1 + u[ui++]!);
    const j = Math.floor(u[ui++]! * n);
    if (j !== i) {
      const v = 0.2 * g[i]!;
      Qr.push(i, j); Qc.push(j, i); Qv.push(v, v);
      // diagonal dominance keeps Q positive definite
      Qr.push(i, j); Qc.push(i, j); Qv.push(Math.abs(v), Math.abs(v));
    }
  }
  const Gr: number[] = [], Gc: number[] = [], Gv: number[] = [];
  const z0 = r.normal([n]).data;
  const h = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const cols = new Set<number>();
      if (banded) {
      // perRow consecutive columns sliding along the diagonal (a chain / MPC-like structure)
      const base = Math.min(n - perRow, Math.floor((i * (n - perRow + 1)) / m));
      for (let t = 0; t < perRow; t++) cols.add(base + t);
    }
    while (cols.size < perRow) cols.add(Math.floor(u[ui++ % u.length]! * n));
    for (const j of cols) {
      const v = g[(i * perRow + Gr.length) % g.length]!;
      Gr.push(i); Gc.push(j); Gv.push(v);
      h[i] += v * z0[j]!;
    }
    h[i] += 0.5 * Math.abs(g[(i + 7) % g.length]!);
  }
  const p = r.normal([n]).data;
  return { Qr, Qc, Qv, Gr, Gc, Gv, p, h };
}

if (process.argv[2] === 'admm') {
 const head = ['problem', 'admm iterations / factorisations / polished / x-step system', 'admm fwd ms (wall / cpu)', 'fwd + VJP in (p, h) ms (wall / cpu)', 'cvxopt fwd ms (wall / cpu)', 'max|z−z_cvxopt|'];
 console.log(`| ${head.join(' | ')} |\n|${head.map(() => '---').join('|')}|`);
 // random columns (fill-heavy: the dense reduced system is chosen), then banded columns (sparse KKT)
 for (const banded of (process.env.ONLYBAND ? [true] : [false, true])) {
  const n = 2000, m = 4000;
  const d = sparseProblem(n, m, 5, 3, banded);
  const Q = nd.CsrMatrix.fromCoo(n, n, d.Qr, d.Qc, d.Qv);
  const G = nd.CsrMatrix.fromCoo(m, n, d.Gr, d.Gc, d.Gv);
  const p = tensor(d.p);
  const h = tensor(d.h);
  let res: ReturnType<typeof solveQp> | null = null;
  const fwd = best(1, () => {
    res = solveQp({ Q, p, G, h }, { solver: 'admm' });
  });
  const r0 = res! as ReturnType<typeof solveQp>;
  const rep = r0.problems[0] as import('../src/index.js').QpAdmmReport;
  const w = rng(1).normal([n]);
  const both = best(1, () => {
    const [, pull] = vjp((p: T, h: T) => solveQp({ Q, p, G, h }, { solver: 'admm' }).z, p, h);
    pull(w);
  });
  let ref: { seconds: number; cpu: number; z: number[][]; status: string } | null = null;
  try {
    const input = JSON.stringify({ n, m, Q: [d.Qr, d.Qc, d.Qv], G: [d.Gr, d.Gc, d.Gv], p: Array.from(d.p), h: Array.from(d.h) });
    ref = JSON.parse(execFileSync('/usr/bin/python3', ['bench/qp_oracle.py', 'sparse'], { input, encoding: 'utf8', maxBuffer: 1 << 28, timeout: 600000 }));
  } catch {
    ref = null;
  }
  let diff = NaN;
  if (ref) {
    diff = 0;
    for (let j = 0; j < n; j++) diff = Math.max(diff, Math.abs(ref.z[0]![j]! - r0.z.data[j]!));
  }
  console.log(`| ${banded ? 'banded' : 'random'} n=${n}, m=${m}, nnz(G)=${G.nnz}, nnz(Q)=${Q.nnz} | ${rep.iterations} / ${rep.factorizations} / ${rep.polished} / ${rep.linearSystem} | ${fwd.wall.toFixed(0)} / ${fwd.cpu.toFixed(0)} | ${both.wall.toFixed(0)} / ${both.cpu.toFixed(0)} | ${ref ? `${(ref.seconds * 1000).toFixed(0)} / ${(ref.cpu * 1000).toFixed(0)}` : 'n/a'} | ${diff.toExponential(1)} |`);
  console.log(`(active constraints: ${r0.active[0]})`);
 }
 console.log('\none run each on a shared 2-core machine (noisy).');
 process.exit(0);
}

const rows: string[][] = [];
const only = args.filter((a, i) => a !== '--base' && i !== baseAt + 1)[0];
const all: [number, number, number][] = [[128, 24, 14], [128, 10, 10], [128, 50, 50], [128, 100, 100], [8, 500, 500]];
const cases = only === 'target' ? all.slice(0, 1) : all;
for (const [B, n, m] of cases) {
  const d = problems(B, n, m, 7 + n);
  const Q = tensor(d.Q, [B, n, n]);
  const p = tensor(d.p, [B, n]);
  const G = tensor(d.G, [B, m, n]);
  const h = tensor(d.h, [B, m]);
  let z: T | null = null;
  const runs = n >= 500 ? 1 : 3;
  const fwd = best(runs, () => {
    const r = solveQp({ Q, p, G, h });
    if (r.status !== 'optimal') throw new Error(`status ${r.status}`);
    z = r.z;
  });
  const w = rng(1).normal([B, n]);
  // each build differentiates its own Tensor class: inputs are made by the build that uses them
  const fwdBwd = (lib: typeof nd) => {
    const xs = [lib.tensor(d.Q, [B, n, n]), lib.tensor(d.p, [B, n]), lib.tensor(d.G, [B, m, n]), lib.tensor(d.h, [B, m])] as const;
    const ct = lib.tensor(w.data, [B, n]);
    return () => {
      const [, pull] = lib.vjp((Q: T, p: T, G: T, h: T) => lib.solveQp({ Q, p, G, h }).z, ...xs);
      pull(ct);
    };
  };
  const ours = fwdBwd(nd);
  const theirs = base ? fwdBwd(base) : null;
  let both = { wall: Infinity, cpu: Infinity };
  let before = { wall: Infinity, cpu: Infinity };
  for (let r = 0; r < runs; r++) {
    // one run each, alternately, so both builds see the same machine load
    const a = best(1, ours);
    both = { wall: Math.min(both.wall, a.wall), cpu: Math.min(both.cpu, a.cpu) };
    if (theirs) {
      const b = best(1, theirs);
      before = { wall: Math.min(before.wall, b.wall), cpu: Math.min(before.cpu, b.cpu) };
    }
  }
  const ref = cvxopt(B, n, m, d);
  let maxDiff = NaN;
  if (ref && z) {
    maxDiff = 0;
    for (let k = 0; k < B; k++) for (let j = 0; j < n; j++) maxDiff = Math.max(maxDiff, Math.abs(ref.z[k]![j]! - (z as T).data[k * n + j]!));
  }
  const back = both.cpu - fwd.cpu;
  rows.push([
    `${B}×(n=${n}, m=${m})`, `${fwd.wall.toFixed(1)} / ${fwd.cpu.toFixed(1)}`, `${both.wall.toFixed(1)} / ${both.cpu.toFixed(1)}`,
    ...(base ? [`${before.wall.toFixed(1)} / ${before.cpu.toFixed(1)}`] : []), `${((back / fwd.cpu) * 100).toFixed(0)}%`,
    ref ? `${ref.ms.toFixed(1)} / ${ref.cpu.toFixed(1)}` : 'n/a', ref ? (ref.cpu / both.cpu).toFixed(2) : 'n/a', maxDiff.toExponential(1),
  ]);
  console.error(`done ${B}×${n}`);
}
const head = ['batch', 'solveQp fwd ms (wall / cpu)', 'fwd+bwd ms (wall / cpu)', ...(base ? ['--base fwd+bwd ms (wall / cpu)'] : []), 'bwd/fwd (cpu)', 'cvxopt fwd ms (wall / cpu)', 'cvxopt fwd / our fwd+bwd (cpu)', 'max|z−z_cvxopt|'];
console.log(`| ${head.join(' | ')} |\n|${head.map(() => '---').join('|')}|`);
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
console.log('\nTimings are best of 3 (1 for n = 500) on a shared 2-core machine: noisy (CPU time is less so). cvxopt at its default tolerances, solveQp at 1e-10; the z difference is cvxopt\'s default accuracy (the tests compare against tight cvxopt solves to 1e-8).');
