/**
 * @file Test oracles shared by the suites: finite differences (4th-order central), closeness
 * assertions with one tolerance semantics ({@link Tol}: max|a − b| ≤ atol + rtol·max|b|, absolute
 * only where stated), and the JVP/VJP dot-product test ⟨J v, w⟩ = ⟨v, Jᵀ w⟩. The oracles' own
 * tests are in test/helpers.oracles.test.ts.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tensor, Tensor, jvp, vjp, rng } from '../src/index.js';
import { flatten } from '../src/autodiff/tree.js';
import { setKernelBackend, wasmKernelsAvailable, type KernelBackend } from '../src/kernels/engine.js';
import { lastJobWorkerChunks, readyWorkers, setThreads, shutdownThreads } from '../src/kernels/threads.js';
import type { DenseDesign } from '../src/data/dataset.js';
import type { PreparedDesign } from '../src/lasso/design.js';

export type Fn = (...args: Tensor[]) => Tensor;

/**
 * Node flags for the processes a test spawns: under `NSDIFF_TEST_FMA=1` (test/setup.ts) the flag
 * that fuses the gemm kernel, so a spawned CLI computes the same bits as the test's own process.
 */
export const nodeFlags: readonly string[] = process.env.NSDIFF_TEST_FMA === '1' ? ['--experimental-wasm-relaxed-simd'] : [];

/**
 * A tolerance: a number is a relative tolerance `rtol` (with `atol = 0`); an object states both.
 *
 * Semantics (norm-relative, one scale for the whole array):
 *
 *     max_i |a_i − b_i| ≤ atol + rtol · max_i |b_i|
 *
 * `expected` (b) sets the scale, so a relative claim is relative however small the values are:
 * `1e-12` rejects 2e-6 against 1e-6. State an absolute tolerance explicitly where the claim is
 * absolute (values that should be exactly 0, finite-difference noise floors): `{ atol: 1e-12 }`.
 * Equal entries (including equal infinities) agree; a NaN on either side fails. Every bound also
 * admits {@link UNDERFLOW} (1e-300): near the subnormal range float64 has no relative precision
 * left, and fast-check likes to shrink counterexamples into it.
 */
export type Tol = number | { rtol?: number; atol?: number };

/** Absolute slack for underflow: products of subnormals (≈ 5e-324 granularity) carry no relative accuracy. */
export const UNDERFLOW = 1e-300;

function tolParts(tol: Tol): { rtol: number; atol: number } {
  if (typeof tol === 'number') return { rtol: tol, atol: 0 };
  return { rtol: tol.rtol ?? 0, atol: tol.atol ?? 0 };
}
function tolText(t: { rtol: number; atol: number }): string {
  return t.atol === 0 ? `rtol ${t.rtol}` : t.rtol === 0 ? `atol ${t.atol}` : `atol ${t.atol} + rtol ${t.rtol}`;
}

/** Fails unless `diff ≤ atol + rtol · scale` (the one comparison every assertion here makes). */
function assertWithin(diff: number, scale: number, tol: Tol, what: string, detail: () => string): void {
  const t = tolParts(tol);
  const bound = t.atol + t.rtol * scale + UNDERFLOW;
  if (!(diff <= bound)) {
    const rel = scale > 0 ? ` (relative ${(diff / scale).toExponential(3)})` : '';
    assert.fail(`${what}: error ${diff.toExponential(3)}${rel} > ${bound.toExponential(3)} = ${tolText(t)} · scale ${scale.toExponential(3)}\n${detail()}`);
  }
}

/** `max|a − b| ≤ atol + rtol · max|b|` (see {@link Tol}); the message shows both arrays. */
export function assertClose(actual: Tensor | ArrayLike<number> | number, expected: Tensor | ArrayLike<number> | number, tol: Tol = 1e-9, what = 'value'): void {
  const a = toArr(actual);
  const b = toArr(expected);
  assert.equal(a.length, b.length, `${what}: length ${a.length} vs ${b.length}`);
  let maxDiff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]!) || Number.isNaN(b[i]!)) assert.fail(`${what}: NaN at ${i} (${a[i]} vs ${b[i]})`);
    if (a[i] === b[i]) continue;
    maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!));
  }
  for (let i = 0; i < b.length; i++) if (Number.isFinite(b[i]!)) scale = Math.max(scale, Math.abs(b[i]!));
  assertWithin(maxDiff, scale, tol, what, () => `  actual   ${fmt(a)}\n  expected ${fmt(b)}`);
}

/**
 * `|⟨x, y⟩ − expected| ≤ atol + rtol · Σ|x_i y_i|`: a dot product compared on the scale of its
 * terms, the scale its rounding error is bounded by (γ_n·Σ|x_i y_i|). Still relative (it shrinks
 * with the values), and a cancelling sum, |⟨x, y⟩| ≪ Σ|x_i y_i|, is not asked for more digits
 * than float64 has. With x = Jᵀw a zero or a wildly wrong reverse derivative fails.
 */
function assertDotClose(x: ArrayLike<number>[], y: ArrayLike<number>[], expected: number, tol: Tol, what: string): void {
  let dot = 0, scale = 0;
  x.forEach((xi, k) => {
    const yi = y[k]!;
    for (let i = 0; i < xi.length; i++) {
      dot += xi[i]! * yi[i]!;
      scale += Math.abs(xi[i]! * yi[i]!);
    }
  });
  if (Number.isNaN(dot) || Number.isNaN(expected)) assert.fail(`${what}: NaN (${dot} vs ${expected})`);
  assertWithin(Math.abs(dot - expected), scale, tol, what, () => `  ⟨x, y⟩ ${dot}\n  expected ${expected}`);
}

function toArr(x: Tensor | ArrayLike<number> | number): Float64Array {
  if (typeof x === 'number') return Float64Array.of(x);
  if (x instanceof Tensor) return x.data;
  return Float64Array.from(x);
}
function fmt(a: Float64Array): string {
  const s = Array.from(a.slice(0, 8), (v) => v.toPrecision(10)).join(', ');
  return `[${s}${a.length > 8 ? ', …' : ''}]`;
}

/** Directional derivative of f at xs along vs by 4th-order central differences. */
export function fdDirectional(f: Fn, xs: Tensor[], vs: Tensor[], h = 1e-3): Float64Array {
  return fdStencil(f, xs, vs, h).d;
}

/**
 * The 4th-order central difference d = (8(f₊₁ − f₋₁) − (f₊₂ − f₋₂)) / 12h and its absolute noise
 * floor: rounding in the stencil is ≈ 1.5·ε·max|f|/h; `noise` = 100·ε·max|f|/h (2e-11 for
 * |f| ≈ 1, h = 1e-3) leaves room for that and for the h⁴·|f⁽⁵⁾|/30 truncation of moderate
 * functions. It is the absolute part of every FD comparison below, so a derivative that is 0 (or
 * tiny next to f) is compared on the only scale FD can resolve.
 */
function fdStencil(f: Fn, xs: Tensor[], vs: Tensor[], h: number): { d: Float64Array; noise: number } {
  let fmax = 0;
  const at = (t: number): Float64Array => {
    const moved = xs.map((x, i) => {
      const d = new Float64Array(x.size);
      for (let k = 0; k < d.length; k++) d[k] = x.data[k]! + t * vs[i]!.data[k]!;
      return tensor(d, x.shape);
    });
    const y = Float64Array.from(f(...moved).data);
    for (const v of y) fmax = Math.max(fmax, Math.abs(v));
    return y;
  };
  const p1 = at(h), m1 = at(-h), p2 = at(2 * h), m2 = at(-2 * h);
  const out = new Float64Array(p1.length);
  for (let i = 0; i < out.length; i++) out[i] = (8 * (p1[i]! - m1[i]!) - (p2[i]! - m2[i]!)) / (12 * h);
  return { d: out, noise: (100 * Number.EPSILON * fmax) / h };
}

/** Random tensors with the shapes of `xs`. */
export function randomLike(xs: Tensor[], seed: number, scale = 1): Tensor[] {
  const g = rng(seed);
  return xs.map((x) => g.normal(x.shape, 0, scale));
}

export interface FdOptions {
  /** Relative tolerance (see {@link Tol}); default 1e-7. */
  rtol?: number;
  /** Absolute floor, for derivatives that are 0 or tiny next to the function's own size (FD rounding ≈ ε·|f|/h). Default 0. */
  atol?: number;
  seed?: number;
  h?: number;
  /** Function whose finite differences are the expected derivative (default: f itself). */
  fdReference?: Fn;
}

/** JVP (forward mode) along random directions matches finite differences: `max|Jv − FD| ≤ atol + noise + rtol · max|FD|` (noise: see `fdStencil`). */
export function checkJvpFd(f: Fn, xs: Tensor[], { rtol = 1e-7, atol = 0, seed = 1, h = 1e-3, fdReference }: FdOptions = {}): void {
  const vs = randomLike(xs, seed);
  const [, t] = jvp(f, xs, vs);
  const fd = fdStencil(fdReference ?? f, xs, vs, h);
  assertClose(t, fd.d, { rtol, atol: atol + fd.noise }, 'JVP vs finite differences');
}

/**
 * VJP (reverse mode) matches finite differences through ⟨Jᵀw, v⟩ = ⟨w, J v⟩_FD, relative to
 * Σ_i |(Jᵀw)_i v_i| (see `assertDotClose`).
 */
export function checkVjpFd(f: Fn, xs: Tensor[], { rtol = 1e-7, atol = 0, seed = 2, h = 1e-3, fdReference }: FdOptions = {}): void {
  const vs = randomLike(xs, seed);
  const [y, pullback] = vjp(f, ...xs);
  const w = rng(seed + 100).normal(y.shape);
  const cts = pullback(w) as Tensor[];
  const fd = fdStencil(fdReference ?? f, xs, vs, h);
  const rhs = dotArr(w.data, fd.d);
  // the FD floor enters through |⟨w, noise⟩| ≤ ‖w‖₁·noise
  const w1 = w.data.reduce((acc, v) => acc + Math.abs(v), 0);
  assertDotClose(cts.map((c) => c.data), vs.map((v) => v.data), rhs, { rtol, atol: atol + w1 * fd.noise }, 'VJP vs finite differences (⟨Jᵀw, v⟩ vs ⟨w, J v⟩)');
}

/** Dot-product test between forward and reverse mode: ⟨J v, w⟩ = ⟨v, Jᵀ w⟩, relative to Σ|(Jᵀw)_i v_i|. */
export function checkDotProduct(f: Fn, xs: Tensor[], { rtol = 1e-12, atol = 0, seed = 3 }: { rtol?: number; atol?: number; seed?: number } = {}): void {
  const vs = randomLike(xs, seed);
  const [y, jv] = jvp(f, xs, vs);
  const w = rng(seed + 7).normal(y.shape);
  const [, pullback] = vjp(f, ...xs);
  const cts = pullback(w) as Tensor[];
  assertDotClose(cts.map((c) => c.data), vs.map((v) => v.data), dotArr(jv.data, w.data), { rtol, atol }, 'dot-product test ⟨Jv, w⟩ = ⟨v, Jᵀw⟩');
}

export function dotArr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** All three derivative checks at once. */
export function checkDerivatives(f: Fn, xs: Tensor[], opts: FdOptions = {}): void {
  checkJvpFd(f, xs, opts);
  checkVjpFd(f, xs, opts);
  checkDotProduct(f, xs, { seed: opts.seed });
}

/** Leaves of a tree as one flat Float64Array (for comparing parameter-tree gradients). */
export function flatValues(tree: unknown): Float64Array {
  const leaves = flatten(tree).leaves;
  const n = leaves.reduce((a, l) => a + l.size, 0);
  const out = new Float64Array(n);
  let o = 0;
  for (const l of leaves) {
    out.set(l.data, o);
    o += l.size;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Kernel backends
// ---------------------------------------------------------------------------------------------

/** The kernel backends this machine has: TypeScript always, WebAssembly SIMD where available. */
export const kernelBackends: KernelBackend[] = wasmKernelsAvailable() ? ['js', 'wasm'] : ['js'];

/** Runs f with the kernel backend forced to b, restoring the previous one afterwards. */
export function onKernelBackend(b: KernelBackend, f: () => void): void {
  const prev = setKernelBackend(b);
  try {
    f();
  } finally {
    setKernelBackend(prev);
  }
}

/**
 * Runs f with `obj[key]` set to `value` (a module's switch or limit: `shortDualWindow.on`,
 * `cvFoldMemory.residentBytes`, …), restoring the previous value afterwards, also when f throws.
 */
export function withSetting<O extends object, K extends keyof O, T>(obj: O, key: K, value: O[K], f: () => T): T {
  const prev = obj[key];
  obj[key] = value;
  try {
    return f();
  } finally {
    obj[key] = prev;
  }
}

// ---------------------------------------------------------------------------------------------
// Lasso oracles: plain loops, no solver code
// ---------------------------------------------------------------------------------------------

/**
 * The documented objective (1/2n)‖y − Xβ − b‖² + Σ l_j|β_j| + (λ₂/2)‖β‖² evaluated with naive loops
 * on the raw data (b = the reported intercept).
 */
export function lassoObjective(X: DenseDesign, y: Float64Array, res: { intercept: number; beta: ArrayLike<number> },
  l1: ArrayLike<number>, l2 = 0): number {
  const { nRows: n, nCols: p, data } = X;
  let rr = 0;
  for (let i = 0; i < n; i++) {
    let s = res.intercept;
    for (let j = 0; j < p; j++) s += data[j * n + i]! * res.beta[j]!;
    rr += (y[i]! - s) ** 2;
  }
  let pen = 0;
  for (let j = 0; j < p; j++) pen += l1[j]! * Math.abs(res.beta[j]!) + (l2 / 2) * res.beta[j]! ** 2;
  return rr / (2 * n) + pen;
}

/** Centred target, exact residual r = y_c − X_cβ and X_cᵀr by plain loops on the prepared (centred) columns. */
export function residualQuantities(d: PreparedDesign, y: Float64Array, beta: Float64Array): { yc: Float64Array; r: Float64Array; xt: Float64Array } {
  const n = d.nRows, p = d.nCols;
  let ym = 0;
  for (let i = 0; i < n; i++) ym += y[i]!;
  ym /= n;
  const yc = y.map((v) => v - ym);
  const r = Float64Array.from(yc);
  for (let j = 0; j < p; j++) if (beta[j] !== 0) for (let i = 0; i < n; i++) r[i] -= beta[j]! * d.data[j * n + i]!;
  const xt = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += d.data[j * n + i]! * r[i]!;
    xt[j] = s;
  }
  return { yc, r, xt };
}

/**
 * Asserts that `run` (a product above the worker pool's threshold, returning a fresh array) gives the
 * same bits on 1 and 2 threads and that the worker computed some of its chunks (a worker woken late
 * may miss a job: the product is repeated until it takes part), on the WebAssembly backend. Restores
 * the thread count and the backend and shuts the pool down.
 */
export async function assertSameBitsOnOneAndTwoThreads(run: () => Float64Array): Promise<void> {
  const prevB = setKernelBackend('wasm'); // the pool runs the WebAssembly kernel
  const prev = setThreads(1);
  try {
    const one = run();
    setThreads(2);
    run(); // starts the pool
    for (let t = 0; t < 100 && readyWorkers() === 0; t++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(readyWorkers(), 1, 'the worker started');
    let two = run();
    for (let t = 0; t < 20 && lastJobWorkerChunks() === 0; t++) two = run();
    assert.ok(lastJobWorkerChunks() > 0, 'the worker computed some chunks');
    assert.deepEqual(Buffer.from(two.buffer, two.byteOffset, two.byteLength), Buffer.from(one.buffer, one.byteOffset, one.byteLength));
  } finally {
    setThreads(prev);
    setKernelBackend(prevB);
    shutdownThreads();
  }
}

/**
 * Runs the fixture `test/fixtures/<name>` in a child process (it prints JSON with `end`, the time
 * its work ended, and `live`, its count of live threads) and checks that the threads were live
 * at the end and that the process exited within 1.5 s of it (no thread keeps a process alive).
 */
export function assertExitsPromptly(name: string, what: string): void {
  const fixture = fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
  const r = spawnSync(process.execPath, ['--import', 'tsx', fixture], { encoding: 'utf8', timeout: 30000 });
  const exitAt = Date.now();
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim()) as { live: number; end: number };
  assert.equal(out.live, 1, `${what} was live when the script ended`);
  assert.ok(exitAt - out.end < 1500, `exited ${exitAt - out.end} ms after its work ended`);
}
