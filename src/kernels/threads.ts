/**
 * @file The worker-thread pool of the kernel layer: `threads − 1` workers that run the WebAssembly
 * gemm kernel on the shared kernel memory (engine.ts), next to the calling thread. Workers are Node
 * `worker_threads`, or Web Workers in a cross-origin isolated browser page (both started through
 * `core/platform.ts`'s `workerHost`, from one embedded source: no file to locate, bundles work); a
 * page that is not isolated has no shared memory and runs on one thread.
 *
 * Protocol (one Int32Array control block in a SharedArrayBuffer): the caller writes the job's
 * parameters, resets the chunk counter and bumps the generation; workers woken by Atomics.notify
 * and the caller itself take row chunks with Atomics.add on the counter until none is left; the
 * caller then waits until every taken chunk is reported done. The caller never waits for a worker
 * to *start*: a pool that is still booting simply leaves all chunks to the caller, so nothing can
 * deadlock and the first large product does not pay the start-up latency.
 *
 * Determinism: a chunk is a range of rows of C, and each entry of C is computed by the same
 * sequence of operations whichever chunk or thread computes it, so results are bit-identical for
 * every thread count. Lifetime: workers are unref'd (they never keep the process alive) and exit
 * after IDLE_MS without work; `setThreads` terminates surplus workers.
 */
import { InvalidArgumentError } from '../core/errors.js';
import { emitWarning } from '../core/failure.js';
import type { KernelMemory } from './engine.js';
import { availableCores, envVar, workerHost } from '../core/platform.js';

// control block slots
const GEN = 0, NEXT = 1, TOTAL = 2, DONE = 3, ERR = 4, READY = 5, EXITED = 6;
const P_AP = 8, P_BP = 9, P_CP = 10, P_MP = 11, P_NP = 12, P_K = 13, P_KC = 14, P_CHUNK = 15, P_UPPER = 16;
const CTRL_SLOTS = 17;
/** Chunk counter value between jobs: any take returns ≥ TOTAL, so late workers do nothing. */
const IDLE_NEXT = 0x3fffffff;
/** A worker with nothing to do for this long exits (a new pool starts on the next large product). */
const IDLE_MS = 2000;

/**
 * Worker body, one source for both hosts: `run(memory, bytes, ctrl)` instantiates the gemm module
 * on the shared memory and takes chunks until it idles for IDLE_MS (then returns).
 */
const WORKER_BODY = `
function run(memory, bytes, ctrl) {
  const c = new Int32Array(ctrl);
  const gemm = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports.gemm;
  Atomics.add(c, ${READY}, 1);
  let gen = Atomics.load(c, ${GEN});
  for (;;) {
    if (Atomics.wait(c, ${GEN}, gen, ${IDLE_MS}) === 'timed-out' && Atomics.load(c, ${GEN}) === gen) break;
    gen = Atomics.load(c, ${GEN});
    for (;;) {
      const t = Atomics.add(c, ${NEXT}, 1);
      if (t >= Atomics.load(c, ${TOTAL})) break;
      try {
        const mp = Atomics.load(c, ${P_MP}), chunk = Atomics.load(c, ${P_CHUNK});
        const r0 = t * chunk, r1 = Math.min(r0 + chunk, mp);
        gemm(Atomics.load(c, ${P_AP}), Atomics.load(c, ${P_BP}), Atomics.load(c, ${P_CP}), mp, Atomics.load(c, ${P_NP}),
          Atomics.load(c, ${P_K}), Atomics.load(c, ${P_KC}), r0, r1, Atomics.load(c, ${P_UPPER}));
      } catch (e) {
        Atomics.store(c, ${ERR}, 1);
      }
      Atomics.add(c, ${DONE}, 1);
      Atomics.notify(c, ${DONE});
    }
  }
  Atomics.sub(c, ${READY}, 1);
  Atomics.add(c, ${EXITED}, 1);
}
`;
/** Node worker_threads: CommonJS evaluated with `eval: true`; the data is `workerData`. */
const NODE_WORKER_SOURCE = `${WORKER_BODY}
const { workerData } = require('worker_threads');
run(workerData.memory, workerData.bytes, workerData.ctrl);
`;
/** Browser Web Worker (classic script from a Blob URL): the data is the first message; closes when idle. */
const WEB_WORKER_SOURCE = `${WORKER_BODY}
self.onmessage = (e) => {
  self.onmessage = null;
  run(e.data.memory, e.data.bytes, e.data.ctrl);
  self.close();
};
`;

interface Pool {
  readonly ctrl: Int32Array;
  readonly workers: { terminate(): unknown }[];
  readonly memory: KernelMemory['memory'];
}
let pool: Pool | null = null;
let threads = 0; // 0: not set, use availableCores()
let poolBroken = false;
/** False once Atomics.wait threw (a browser's main thread): waits then spin. */
let canBlock = true;
/** Chunks computed by workers in the last job (diagnostics: tests check the pool really ran). */
let lastWorkerChunks = 0;
/** Chunks computed by workers since the process (page) started, over every pool. */
let totalWorkerChunks = 0;

/**
 * Returns once `done(Atomics.load(c, slot))` holds: the calling thread blocks in `Atomics.wait`
 * slices of `ms` milliseconds where it may, and spins where it may not (a browser's main thread:
 * Atomics.wait throws there, once, and the thread spins from then on). For the pool's callers and
 * team.ts's, waiting on a slot another thread stores to.
 *
 * @example
 * waitUntil(ctrl, DONE, (d) => d >= total, 100);
 */
export function waitUntil(c: Int32Array, slot: number, done: (v: number) => boolean, ms: number): void {
  for (let d = Atomics.load(c, slot); !done(d); d = Atomics.load(c, slot)) {
    if (canBlock) {
      try {
        Atomics.wait(c, slot, d, ms);
      } catch {
        canBlock = false;
      }
    }
  }
}

/** Row chunks the workers (not the calling thread) computed in the last gemm job. */
export function lastJobWorkerChunks(): number {
  return lastWorkerChunks;
}

/**
 * Row chunks computed by pool workers (not the calling thread) since start-up, over every pool
 * and host (Node worker_threads or Web Workers): a diagnostic showing that the pool really ran.
 *
 * @example
 * const before = workerChunksTotal();
 * matmul(a, b); // a large product on 2 threads
 * workerChunksTotal() > before; // true once the workers have booted
 */
export function workerChunksTotal(): number {
  return totalWorkerChunks;
}

/** Where the pool's workers run now: 'node' (worker_threads), 'web' (Web Workers), or null (the calling thread only). */
export function threadHost(): 'node' | 'web' | null {
  return workerHost()?.kind ?? null;
}

/**
 * Sets the number of threads used by large kernel products (the caller plus `n − 1` workers) and
 * returns the previous value. `n = 1` runs everything on the calling thread. Default: the
 * `NSDIFF_THREADS` environment variable if set, else the cores available to the process. Results
 * do not depend on this setting (bit-identical).
 *
 * @example
 * const prev = setThreads(1); // single-threaded kernels
 * setThreads(prev);
 */
export function setThreads(n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > 256) {
    throw new InvalidArgumentError(`setThreads: n must be an integer in [1, 256], got ${String(n)}`);
  }
  const prev = getThreads();
  threads = n;
  if ((pool !== null && pool.workers.length > n - 1) || n === 1) shutdownThreads();
  return prev;
}

/**
 * The thread count used by large kernel products (default: available cores).
 *
 * @example
 * getThreads(); // e.g. 2 on a two-core machine
 */
export function getThreads(): number {
  if (threads === 0) threads = envThreads() ?? availableCores();
  return threads;
}

/** `NSDIFF_THREADS=n` in the environment (read once, when no `setThreads` came first); a bad value warns. */
function envThreads(): number | null {
  const v = envVar('NSDIFF_THREADS');
  if (v === undefined || v === '') return null;
  const n = Number(v);
  if (Number.isInteger(n) && n >= 1 && n <= 256) return n;
  emitWarning(`NSDIFF_THREADS must be an integer in [1, 256], got ${JSON.stringify(v)}; using the available cores`);
  return null;
}

/** Stoppers of other thread users of the kernel layer (team.ts's partners), run by `shutdownThreads`. */
const shutdownHooks: (() => void)[] = [];
/** Run before the pool's workers take a job (team.ts: a spinning partner must leave the cores to them). */
const poolJobHooks: (() => void)[] = [];

/**
 * Registers `hook`, run before each job the pool's workers take part in (team.ts quiets its
 * spinning partner, which would otherwise hold a core the workers need).
 *
 * @example
 * onPoolJob(() => quietMyThreads());
 */
export function onPoolJob(hook: () => void): void {
  poolJobHooks.push(hook);
}

/**
 * Registers `stop`, run whenever the pool is shut down (`shutdownThreads`, `setThreads(1)`), for a
 * kernel file that keeps threads of its own (team.ts).
 *
 * @example
 * onShutdownThreads(() => stopMyWorkers());
 */
export function onShutdownThreads(stop: () => void): void {
  shutdownHooks.push(stop);
}

/** Terminates the worker pool and every partner thread now (they restart on the next large product or split kernel). */
export function shutdownThreads(): void {
  for (const stop of shutdownHooks) stop();
  stopPool();
}

/** Terminates the gemm pool alone (a pool for another memory or size replaces it). */
export function stopPool(): void {
  if (pool === null) return;
  for (const w of pool.workers) void w.terminate();
  pool = null;
}

/** Workers that have started and not exited (for tests and diagnostics). */
export function readyWorkers(): number {
  return pool === null ? 0 : Atomics.load(pool.ctrl, READY);
}

/** The pool for this memory with `want` workers, started if needed; null when threads cannot run. */
function getPool(km: KernelMemory, want: number): Pool | null {
  if (want <= 0 || poolBroken || !km.shared) return null;
  if (pool !== null && (pool.memory !== km.memory || pool.workers.length !== want || Atomics.load(pool.ctrl, EXITED) >= pool.workers.length)) {
    stopPool();
  }
  if (pool !== null) return pool;
  const host = workerHost();
  if (host === null) {
    poolBroken = true;
    return null;
  }
  const ctrl = new Int32Array(new SharedArrayBuffer(CTRL_SLOTS * 4));
  Atomics.store(ctrl, NEXT, IDLE_NEXT);
  const p: Pool = { ctrl, workers: [], memory: km.memory };
  const source = host.kind === 'node' ? NODE_WORKER_SOURCE : WEB_WORKER_SOURCE;
  const onError = () => {
    poolBroken = true; // never rely on workers again; the caller still finishes every job
  };
  try {
    for (let i = 0; i < want; i++) p.workers.push(host.spawn(source, { memory: km.memory, bytes: km.bytes, ctrl: ctrl.buffer }, onError));
  } catch {
    poolBroken = true;
    for (const w of p.workers) void w.terminate();
    return null;
  }
  pool = p;
  return p;
}

/** The gemm job of gemm_wasm.ts: rows [0, mp) of C in chunks of `chunk` rows. */
export interface GemmJob {
  readonly ap: number;
  readonly bp: number;
  readonly cp: number;
  readonly mp: number;
  readonly np: number;
  readonly k: number;
  readonly kc: number;
  readonly chunk: number;
  /** Only the 4×4 tiles on or above the diagonal (the symmetric product A·Aᵀ, gemm.wat `$upper`). */
  readonly upper?: boolean;
}

/**
 * Runs a gemm job on the calling thread and up to `getThreads() − 1` workers. Returns when every
 * chunk is done. Throws nothing from workers: a failed worker chunk is recomputed here.
 */
export function runGemmJob(km: KernelMemory, job: GemmJob, parallel: boolean): void {
  const total = Math.ceil(job.mp / job.chunk);
  // the pool size follows the setting only (not the job), so jobs of different sizes reuse it
  const p = parallel && total > 1 ? getPool(km, getThreads() - 1) : null;
  const g = km.exports.gemm;
  const up = job.upper === true ? 1 : 0;
  lastWorkerChunks = 0;
  if (p === null || Atomics.load(p.ctrl, READY) === 0) {
    // chunk by chunk on this thread too: a chunk's A block stays in L2 (same arithmetic per entry)
    for (let r0 = 0; r0 < job.mp; r0 += job.chunk) g(job.ap, job.bp, job.cp, job.mp, job.np, job.k, job.kc, r0, Math.min(r0 + job.chunk, job.mp), up);
    return;
  }
  for (const hook of poolJobHooks) hook();
  const c = p.ctrl;
  Atomics.store(c, P_AP, job.ap);
  Atomics.store(c, P_BP, job.bp);
  Atomics.store(c, P_CP, job.cp);
  Atomics.store(c, P_MP, job.mp);
  Atomics.store(c, P_NP, job.np);
  Atomics.store(c, P_K, job.k);
  Atomics.store(c, P_KC, job.kc);
  Atomics.store(c, P_CHUNK, job.chunk);
  Atomics.store(c, P_UPPER, up);
  Atomics.store(c, TOTAL, total);
  Atomics.store(c, DONE, 0);
  Atomics.store(c, ERR, 0);
  Atomics.store(c, NEXT, 0);
  Atomics.add(c, GEN, 1);
  Atomics.notify(c, GEN);
  let mine = 0;
  for (;;) {
    const t = Atomics.add(c, NEXT, 1);
    if (t >= total) break;
    const r0 = t * job.chunk;
    g(job.ap, job.bp, job.cp, job.mp, job.np, job.k, job.kc, r0, Math.min(r0 + job.chunk, job.mp), up);
    Atomics.add(c, DONE, 1);
    mine++;
  }
  lastWorkerChunks = total - mine;
  totalWorkerChunks += lastWorkerChunks;
  // wait for the chunks taken by workers (they are running: a chunk is taken only by a live thread)
  waitUntil(c, DONE, (d) => d >= total, 100);
  Atomics.store(c, NEXT, IDLE_NEXT);
  if (Atomics.load(c, ERR) !== 0) {
    poolBroken = true;
    shutdownThreads();
    g(job.ap, job.bp, job.cp, job.mp, job.np, job.k, job.kc, 0, job.mp, up);
  }
}
