/**
 * @file Benchmark of the kernel layer's gemm (GFLOP/s, float64): the TypeScript kernel, the
 * WebAssembly SIMD kernel on 1 and 2 threads, unfused (a mul and an add) and fused (relaxed-SIMD
 * madds, `wasmFmaActive`; the other mode than this process's is measured in a child process: with
 * `--experimental-wasm-relaxed-simd` on Node 20, with `NSDIFF_NO_FMA=1` where relaxed SIMD is
 * native), against numpy.matmul (OpenBLAS, 1 and 2 threads) and torch.mm (1 and 2 threads) measured
 * in the same run (bench/gemm_ref.py).
 * Run: `npm run build && npx tsx bench/gemm.bench.ts [--quick] [--no-python]` (measures dist/).
 *
 * Cases: square n×n·n×n for n = 64, 128, 256, 512, 1024; the transposed variants at n = 512; and a
 * training-shaped layer (X 128×784 · W 784×256) with its two backward products (dW = Xᵀ·dY,
 * dX = dY·Wᵀ). Each timing is the best of repeated runs within a time budget after a warm-up.
 * The machine may be shared: timings are noisy, the ratio columns compare runs made minutes apart.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seeded } from '../test/fixtures/seeded.js';
import { time } from './timing.js';

const dist = (p: string) => new URL(`../dist/kernels/${p}`, import.meta.url);
if (!existsSync(dist('blas.js'))) throw new Error('build first: npm run build (benchmarks measure dist/)');
const { gemmStrided, gemmStridedJs } = (await import(dist('blas.js').href)) as typeof import('../src/kernels/blas.js');
const { setThreads, readyWorkers } = (await import(dist('threads.js').href)) as typeof import('../src/kernels/threads.js');
const { setKernelBackend, wasmFmaActive } = (await import(dist('engine.js').href)) as typeof import('../src/kernels/engine.js');

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const PY = '/usr/bin/python3';
const budget = quick ? 0.3 : 1.0; // seconds per timing

interface Case { name: string; m: number; n: number; k: number; ta: boolean; tb: boolean }
const cases: Case[] = [
  ...[64, 128, 256, 512, 1024].map((n) => ({ name: `NN ${n}`, m: n, n, k: n, ta: false, tb: false })),
  { name: 'NT 512', m: 512, n: 512, k: 512, ta: false, tb: true },
  { name: 'TN 512', m: 512, n: 512, k: 512, ta: true, tb: false },
  { name: 'TT 512', m: 512, n: 512, k: 512, ta: true, tb: true },
  { name: 'fwd 128×784·784×256', m: 128, n: 256, k: 784, ta: false, tb: false },
  { name: 'dW 784×128·128×256 (TN)', m: 784, n: 256, k: 128, ta: true, tb: false },
  { name: 'dX 128×256·256×784 (NT)', m: 128, n: 784, k: 256, ta: false, tb: true },
];

/** CPU seconds of the last `best` call's best run (process.cpuUsage: not inflated by preemption). */
let lastCpu = NaN;
/**
 * Best wall time (s) of repeated runs within the budget (3 to 200), after one warm-up; also records
 * the best CPU time in `lastCpu` (bench/timing.ts). On a loaded machine, runs longer than a scheduler
 * slice are preempted and wall time understates single-thread speed; CPU time does not.
 */
function best(f: () => void, budgetS: number): number {
  const t = time(f, { reps: 3, minMs: budgetS * 1000, maxReps: 200 });
  lastCpu = t.cpu / 1000;
  return t.min / 1000;
}

/** GFLOP/s by wall time; for single-thread modes `cpuRate` gets the rate by CPU time. */
let cpuRate = NaN;
function ours(c: Case, mode: 'js' | 'wasm1' | 'wasm2'): number {
  cpuRate = NaN;
  const A = seeded(c.m * c.k, 1), B = seeded(c.k * c.n, 2), C = new Float64Array(c.m * c.n);
  const lda = c.ta ? c.m : c.k, ldb = c.tb ? c.k : c.n;
  const flops = 2 * c.m * c.n * c.k;
  if (mode === 'js') {
    if (flops > 2 * 600 ** 3) return NaN; // seconds per run: skipped
    const r = flops / best(() => gemmStridedJs(c.ta, c.tb, c.m, c.n, c.k, 1, A, 0, lda, B, 0, ldb, 0, C, 0, c.n), budget) / 1e9;
    cpuRate = flops / lastCpu / 1e9;
    return r;
  }
  setKernelBackend('wasm');
  setThreads(mode === 'wasm1' ? 1 : 2);
  const run = () => gemmStrided(c.ta, c.tb, c.m, c.n, c.k, 1, A, 0, lda, B, 0, ldb, 0, C, 0, c.n);
  if (mode === 'wasm2') {
    const t0 = Date.now();
    while (readyWorkers() === 0 && Date.now() - t0 < 5000) run(); // let the pool start
  }
  const r = flops / best(run, budget) / 1e9;
  if (mode === 'wasm1') cpuRate = flops / lastCpu / 1e9;
  return r;
}

interface PyResult { numpy: number[]; torch: (number | null)[]; numpy_cpu: number[]; torch_cpu: (number | null)[] }
function python(threads: number): PyResult | null {
  if (args.has('--no-python') || !existsSync(PY)) return null;
  const dir = mkdtempSync(join(tmpdir(), 'nsdiff-gemm-'));
  try {
    const file = join(dir, 'cases.json');
    writeFileSync(file, JSON.stringify(cases.map((c) => ({ m: c.m, n: c.n, k: c.k, ta: c.ta, tb: c.tb, budget_s: budget }))));
    const script = join(dirname(fileURLToPath(import.meta.url)), 'gemm_ref.py');
    const out = execFileSync(PY, [script, String(threads), file], { encoding: 'utf8', env: { ...process.env, OPENBLAS_NUM_THREADS: String(threads) } });
    return JSON.parse(out) as PyResult;
  } catch (e) {
    console.error(`python reference failed (${(e as Error).message.split('\n')[0]}); continuing without it`);
    return null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The WebAssembly rates of one mode (this process's): 1 thread (wall, CPU) and 2 threads. */
interface WasmRates { fma: boolean; w1: number[]; w1Cpu: number[]; w2: number[] }
function wasmRates(): WasmRates {
  const r: WasmRates = { fma: wasmFmaActive(), w1: [], w1Cpu: [], w2: [] };
  for (const c of cases) {
    r.w1.push(ours(c, 'wasm1'));
    r.w1Cpu.push(cpuRate);
    r.w2.push(ours(c, 'wasm2'));
  }
  return r;
}
if (args.has('--child')) {
  // the other mode's rates for the parent (one JSON line)
  process.stdout.write(`${JSON.stringify(wasmRates())}\n`);
  setThreads(1);
  process.exit(0);
}
/** The other mode, in a child process (fused ↔ unfused); null when it fails or is the same mode. */
function otherMode(fusedHere: boolean): WasmRates | null {
  try {
    const flags = fusedHere ? [] : ['--experimental-wasm-relaxed-simd'];
    const out = execFileSync(process.execPath, [...flags, ...process.execArgv, fileURLToPath(import.meta.url), '--child', ...(quick ? ['--quick'] : [])],
      { encoding: 'utf8', env: { ...process.env, NSDIFF_NO_FMA: fusedHere ? '1' : '' }, stdio: ['ignore', 'pipe', 'inherit'] });
    const r = JSON.parse(out.trim().split('\n').pop()!) as WasmRates;
    return r.fma === fusedHere ? null : r;
  } catch (e) {
    console.error(`the ${fusedHere ? 'unfused' : 'fused'} run failed (${(e as Error).message.split('\n')[0]}); continuing without it`);
    return null;
  }
}

const js = cases.map((c) => {
  const rate = ours(c, 'js');
  return { rate, cpu: cpuRate };
});
const here = wasmRates();
setThreads(1);
const other = otherMode(here.fma);
const unfused = here.fma ? other : here, fused = here.fma ? here : other;
const py1 = python(1);
const py2 = python(2);

const f = (v: number | null | undefined, d = 2) => (v === null || v === undefined || Number.isNaN(v) ? '-' : v.toFixed(d));
const ratio = (a: number | undefined, b: number | null | undefined) => (a === undefined || !b ? null : a / b);
const header = ['case', 'ts', 'wasm 1t', 'wasm 2t', 'fma 1t', 'fma 2t', 'numpy 1t', 'numpy 2t', 'torch 1t', 'torch 2t', 'fma1/np1', 'fma2/np2', 'fma1/torch1', 'fma2/torch2',
  '| cpu: ts', 'wasm 1t', 'fma 1t', 'numpy 1t', 'torch 1t', 'fma1/np1'];
const table = cases.map((c, i) => {
  const n1 = py1?.numpy[i], n2 = py2?.numpy[i], t1 = py1?.torch[i], t2 = py2?.torch[i];
  const n1c = py1?.numpy_cpu[i], t1c = py1?.torch_cpu[i];
  const f1 = fused?.w1[i], f2 = fused?.w2[i];
  return [c.name, f(js[i]!.rate), f(unfused?.w1[i]), f(unfused?.w2[i]), f(f1), f(f2), f(n1), f(n2), f(t1), f(t2),
    f(ratio(f1, n1)), f(ratio(f2, n2)), f(ratio(f1, t1)), f(ratio(f2, t2)),
    f(js[i]!.cpu), f(unfused?.w1Cpu[i]), f(fused?.w1Cpu[i]), f(n1c), f(t1c), f(ratio(fused?.w1Cpu[i], n1c))];
});
const widths = header.map((h, j) => Math.max(h.length, ...table.map((r) => r[j]!.length)));
console.log(`gemm float64, GFLOP/s (best of runs within ${budget} s) — node ${process.version}; ts = TypeScript kernel, wasm = WebAssembly SIMD (mul + add), fma = the fused kernel (relaxed-SIMD madds; ${here.fma ? 'this process' : 'a child process with --experimental-wasm-relaxed-simd'})`);
console.log('left: by wall time; right (cpu): single-thread rates by process CPU time, not inflated by preemption on a shared machine');
console.log(header.map((h, j) => h.padStart(widths[j]!)).join('  '));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const r of table) console.log(r.map((v, j) => v.padStart(widths[j]!)).join('  '));
setKernelBackend('auto');
