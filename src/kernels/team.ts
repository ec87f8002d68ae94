/**
 * @file Row-split kernels of the dense Lasso engines, run by the calling thread and one partner
 * thread: a coordinate-descent block update is a pass over n rows with a short serial step between
 * passes (a few microseconds of work each), far too fine for the gemm pool's sleep-and-wake
 * protocol (threads.ts). Here the partner *spins* on the engine's control line while block epochs
 * run, so handing it half of a pass costs well under a microsecond.
 *
 * The split: a kernel call over rows [0, n) becomes two chunks, rows [0, h) and [h, n) with
 * h = `splitRows(n)` (a function of n alone: 0, no split, below `SPLIT_MIN_ROWS`). Column and
 * vector pointers of chunk 1 move by 8h bytes; its outputs go to a second area, and the caller's
 * outputs become out[q] = out₀[q] + out₁[q] (`SPLIT_KERNELS` lists each kernel's argument roles).
 * The calling thread always computes chunk 0; chunk 1 goes to whichever thread claims it first, so
 * the work never waits for a partner that is asleep, booting or gone. The arithmetic of each chunk
 * and the order of the sum do not depend on who computes what: results are bit-identical for every
 * thread count (`setThreads`), including 1 (no partner: both chunks here).
 *
 * Protocol (one Int32Array control block in a SharedArrayBuffer; slots grouped by cache line so
 * that the caller's writes and the partner's reads share one line): the caller writes chunk 1's
 * kernel id and arguments, then stores the job id in OPEN (ids count 1, 2, …). A thread claims
 * chunk 1 with compareExchange(OPEN, id, 0); the partner, once done, stores the id in DONE. The
 * caller, after chunk 0, claims chunk 1 itself if it is still open, else spins until DONE = id
 * (then blocks in short waits, where it may: a partner that was descheduled mid-chunk). The
 * partner spins after its last job (as long as its recent work, at most `SPIN_MS`), then sleeps (Atomics.wait on OPEN, woken by
 * Atomics.notify when SLEEP is set) and exits after `IDLE_MS` without work (worker threads are
 * unref'd: they never keep the process alive).
 *
 * One partner per process, bound to one engine memory at a time: a row kernel on another memory
 * asks it to move (a message with the memory, counted in REQ; the partner leaves its loop for its
 * event loop when REQ differs from the bind messages it has seen, instantiates the module on the
 * new memory and stores the memory's id in BOUND). Until BOUND names its memory, a job runs on the
 * caller alone; every job carries its memory's id (JOBMEM), and the partner claims only jobs on the
 * memory it is bound to (a job posted just as it moves is left to the caller). Only row kernels start or move the partner (designs of ≥ 2048 rows), only while
 * `getThreads()` ≥ 2 and the memory is shared (engines made where SharedArrayBuffer exists: Node,
 * a cross-origin isolated page). A cross-validation over five tall folds thus moves one thread
 * between memories instead of starting one per memory (a thread per memory, at most four alive,
 * started 77 threads in four tunes of 6000 × 200 and ran them 2.5 × slower than one thread).
 */
import type { HostWorker } from '../core/platform.js';
import { workerHost } from '../core/platform.js';
import { getThreads, onPoolJob, onShutdownThreads, waitUntil } from './threads.js';

/** Fewest rows for which a row kernel runs as two chunks (below, the hand-off costs more than it saves). */
export const SPLIT_MIN_ROWS = 2048;

/**
 * Rows of chunk 0 for a pass over n rows: 0 (one chunk) when n < SPLIT_MIN_ROWS, else the multiple
 * of eight nearest below n/2 (the kernels' 64-byte blocks stay whole in chunk 0).
 *
 * @example
 * splitRows(5000); // 2496
 */
export function splitRows(n: number): number {
  return n < SPLIT_MIN_ROWS ? 0 : (n >> 4) << 3;
}

/**
 * The kernels of lasso.wat that run split, with the role of each argument: `n` the count that is
 * split (rows for row kernels, listed columns for column kernels), `x` a pointer to row 0 of a
 * column or n-vector (moves by 8h in chunk 1), `i` a pointer into an i32 column list (moves by 4h),
 * `c` an argument that stays (coefficients, X, outputs indexed by column), `o` the output of a row
 * kernel (chunk 1 writes to the second area). `outs`: outputs summed (row kernels); 0 for column
 * kernels, whose chunks write disjoint outputs (so splitting them never changes a bit).
 */
export const SPLIT_KERNELS = {
  dot4: { args: 'nxxxxxo', outs: 4 },
  axpy1dot4: { args: 'nxcxxxxxo', outs: 4 },
  axpy2dot4: { args: 'nxxcxxxxxo', outs: 4 },
  axpy3dot4: { args: 'nxxxcxxxxxo', outs: 4 },
  axpydot4: { args: 'nxxxxcxxxxxo', outs: 4 },
  dot4r0: { args: 'nxxxxxxo', outs: 8 },
  axpydot4r0: { args: 'nxxxxcxxxxxxo', outs: 8 },
  gram4: { args: 'nxxxxo', outs: 6 },
  dotgram4: { args: 'nxxxxxo', outs: 10 },
  dots: { args: 'ccincc', outs: 0 },
  dots2: { args: 'ccincccc', outs: 0 },
  // not split: posted whole by a `PrepPipe` (the partner keeps its result)
  prep: { args: 'cccccc', outs: 0 },
} as const;
/** A split kernel's name. */
export type SplitKernel = keyof typeof SPLIT_KERNELS;
/** The row kernels (outputs summed over the two chunks). */
export type RowKernel = Exclude<SplitKernel, 'dots' | 'dots2' | 'prep'>;
/** The column kernels (disjoint outputs). */
export type ColKernel = 'dots' | 'dots2';
const KERNEL_NAMES = Object.keys(SPLIT_KERNELS) as SplitKernel[];
const KERNEL_ID = new Map(KERNEL_NAMES.map((k, i) => [k, i] as const));
/** Most arguments of a row kernel. */
const MAX_ARGS = 13;

// control block slots (Int32): line 0 the job, line 1 the partner's answer, line 2 its state
const OPEN = 0, FN = 1, ARG = 2; // ARG .. ARG + MAX_ARGS − 1 (≤ 15: one 64-byte line)
const REQ = 15; // bind requests posted (on the job line: the partner's spin reads it for free)
const DONE = 16, RET = 17; // RET: the result of a posted call (`PrepPipe`)
const JOBMEM = 18; // the memory id of the open job: the partner claims only jobs on the memory it is bound to
const SLEEP = 32, READY = 33, EXITED = 34, CHUNKS = 35, BOUND = 36;
const QUIET = 48; // its own line, read by the partner's spin: sleep now (the gemm pool needs the cores)
const CTRL_SLOTS = 64;
/**
 * The partner's spin after its last job before it sleeps: the time it spent computing since
 * it last woke, at most SPIN_MS (block epochs keep it busy and are ≪ 1 ms apart; occasional jobs —
 * a tall CV whose folds mostly run in the Gram mode — let it sleep at once instead of burning a core).
 */
const SPIN_MS = 2;
/** A sleeping partner with no job for this long exits. */
const IDLE_MS = 1000;
/**
 * Rows of row-split work on one memory in a row (no job on another memory in between) before the
 * partner starts or moves to that memory (≈ 1.4 solves of 5000 × 500 at λmax/200). A worker's
 * start-up (20–40 ms of CPU time, competing with the caller and V8's compiler threads for the
 * cores) made a one-off tall solve slower on two threads than on one; and a cross-validation that
 * moved the partner between its folds' memories gained nothing from it (each fold's solve is a
 * short streak) while paying the start-up and the moves. Work that stays on one memory — repeated
 * solves of one design, a long solve — pays it back.
 */
const START_STREAK = 10_000_000;
/** @internal Rows of row-split work on one memory in a row before the partner serves it (tests set 0). */
export const partnerStart: { rows: number } = { rows: START_STREAK };
/** The memory of the last row job and the rows of the current streak on it. */
let streakId = 0;
let streakRows = 0;

/** The caller's spins on DONE before it falls back to 1 ms waits (where the thread may block). */
const CALLER_SPINS = 1 << 16;

/**
 * Partner body, one source for Node worker_threads and Web Workers: `serve(memory, module, id)`
 * (one bind message: the shared lasso module, compiled once by the caller — a `WebAssembly.Module`
 * crosses to a worker without being compiled again — instantiated on the engine memory) serves
 * chunk-1 claims until a newer bind request is pending (returns true) or it idles out (false).
 */
const WORKER_BODY = `
let c = null, names = null, seen = 0;
function bind(m) {
  seen++;
  if (Atomics.load(c, ${REQ}) !== seen) return true; // a newer bind message is queued
  return serve(m.memory, m.module, m.id);
}
function serve(memory, module, mid) {
  const ex = new WebAssembly.Instance(module, { env: { mem: memory } }).exports;
  const f0 = ex[names[0]], f1 = ex[names[1]], f2 = ex[names[2]], f3 = ex[names[3]], f4 = ex[names[4]], f5 = ex[names[5]];
  const f6 = ex[names[6]], f7 = ex[names[7]], f8 = ex[names[8]], f9 = ex[names[9]], f10 = ex[names[10]], f11 = ex[names[11]];
  const A = ${ARG};
  Atomics.store(c, ${BOUND}, mid);
  Atomics.store(c, ${READY}, 1);
  let last = performance.now();
  let budget = 0; // spin allowed after the last job (ms)
  for (let spins = 0; ; spins++) {
    const id = Atomics.load(c, ${OPEN});
    // a job on another memory (posted while a move was under way) is left to the caller: its
    // pointers mean nothing in this memory
    if (id !== 0 && c[${JOBMEM}] === mid) {
      if (Atomics.compareExchange(c, ${OPEN}, id, 0) === id) {
        const t0 = performance.now();
        // one call site per kernel (monomorphic calls into WebAssembly)
        switch (c[${FN}]) {
          case 0: f0(c[A], c[A + 1], c[A + 2], c[A + 3], c[A + 4], c[A + 5], c[A + 6]); break;
          case 1: f1(c[A], c[A + 1], c[A + 2], c[A + 3], c[A + 4], c[A + 5], c[A + 6], c[A + 7], c[A + 8]); break;
          case 2: f2(c[A], c[A + 1], c[A + 2], c[A + 3], c[A + 4], c[A + 5], c[A + 6], c[A + 7], c[A + 8], c[A + 9]); break;
          case 3: f3(c[A], c[A + 1], c[A + 2], c[A + 3], c[A + 4], c[A + 5], c[A + 6], c[A + 7], c[A + 8], c[A + 9], c[A + 10]); break;
          case 4: f4(c[A], c[A + 1], c[A + 2], c[A + 3], c[A + 4], c[A + 5], c[A + 6], c[A + 7], c[A + 8], c[A + 9], c[A + 10], c[A + 11]); break;
          case 5: f5(c[A], c[A + 1], c[A + 2], c[A + 3], c[A + 4], c[A + 5], c[A + 6], c[A + 7]); break;
          case 6: f6(c[A], c[A + 1], c[A + 2], c[A + 3], c[A + 4], c[A + 5], c[A + 6], c[A + 7], c[A + 8], c[A + 9], c[A + 10], c[A + 11], c[A + 12]); break;
          case 7: f7(c[A], c[A + 1], c[A + 2], c[A + 3], c[A + 4], c[A + 5]); break;
          case 8: f8(c[A], c[A + 1], c[A + 2], c[A + 3], c[A + 4], c[A + 5], c[A + 6]); break;
          case 9: f9(c[A], c[A + 1], c[A + 2], c[A + 3], c[A + 4], c[A + 5]); break;
          case 10: f10(c[A], c[A + 1], c[A + 2], c[A + 3], c[A + 4], c[A + 5], c[A + 6], c[A + 7]); break;
          default: c[${RET}] = f11(c[A], c[A + 1], c[A + 2], c[A + 3], c[A + 4], c[A + 5]);
        }
        c[${CHUNKS}]++;
        Atomics.store(c, ${DONE}, id);
        last = performance.now();
        budget = Math.min(${SPIN_MS}, budget + (last - t0));
      }
      continue;
    }
    if (Atomics.load(c, ${REQ}) !== seen) break; // asked to move to another memory
    if (Atomics.load(c, ${QUIET}) === 0 && ((spins & 255) !== 0 || performance.now() - last < budget)) continue;
    Atomics.store(c, ${SLEEP}, 1);
    const w = Atomics.wait(c, ${OPEN}, 0, ${IDLE_MS});
    Atomics.store(c, ${SLEEP}, 0);
    if (w === 'timed-out' && Atomics.load(c, ${OPEN}) === 0 && Atomics.load(c, ${REQ}) === seen) {
      Atomics.store(c, ${BOUND}, 0);
      Atomics.store(c, ${EXITED}, 1);
      return false;
    }
    last = performance.now();
    budget = 0;
  }
  Atomics.store(c, ${BOUND}, 0);
  return true;
}
`;
const NODE_WORKER_SOURCE = `${WORKER_BODY}
const { workerData, parentPort } = require('worker_threads');
c = new Int32Array(workerData.ctrl);
names = workerData.names;
parentPort.on('message', (m) => { if (!bind(m)) parentPort.close(); });
`;
const WEB_WORKER_SOURCE = `${WORKER_BODY}
self.onmessage = (e) => {
  if (c === null) {
    c = new Int32Array(e.data.ctrl);
    names = e.data.names;
  } else if (!bind(e.data)) self.close();
};
`;

/** What a team needs of an engine memory: the memory, the compiled module the partner instantiates on it, the caller's exports and a float64 view. */
export interface TeamMemory {
  /** The engine's `WebAssembly.Memory`. */
  readonly memory: object;
  /** Whether it is shared (else no partner runs: both chunks on the calling thread). */
  readonly shared: boolean;
  /** The compiled shared lasso module (null when not shared). */
  readonly module: object | null;
  readonly exports: Record<string, unknown>;
  readonly f64: Float64Array;
}

/** The partner thread (null: none started, or stopped) and what was last asked of it. */
interface Partner {
  readonly ctrl: Int32Array;
  readonly worker: HostWorker;
  /** Id of the memory of the last bind message posted. */
  requested: number;
}
let partner: Partner | null = null;
/** The memory id of the control block `teamOf` last returned (jobs carry it in JOBMEM). */
let servedMemory = 0;
/** Ids of engine memories (weakly: the partner must not keep a released memory alive). */
const memoryIds = new WeakMap<object, number>();
let nextMemoryId = 1;
let nextId = 1;
let teamsBroken = false;
/** Chunks computed by stopped partners. */
let chunksOfStopped = 0;

/**
 * Row-split chunks computed by the partner thread (not the caller) since start-up: a diagnostic
 * showing that the Lasso's row-split kernels really ran on two threads.
 *
 * @example
 * const before = teamChunksTotal();
 * for (let k = 0; k < 5; k++) lasso(X, y, lam); // X: 5000 × 500, two threads
 * teamChunksTotal() > before; // true once the partner serves X's memory
 */
export function teamChunksTotal(): number {
  return chunksOfStopped + (partner === null ? 0 : partner.ctrl[CHUNKS]!);
}

/** 1 when the partner thread has started, is bound to a memory and has not exited, else 0 (tests and diagnostics). */
export function readyPartners(): number {
  const p = partner;
  return p !== null && Atomics.load(p.ctrl, READY) === 1 && Atomics.load(p.ctrl, BOUND) !== 0 && Atomics.load(p.ctrl, EXITED) === 0 ? 1 : 0;
}

/** Stops the partner now (it restarts on the next row kernel that may start it). */
export function shutdownTeams(): void {
  if (partner === null) return;
  chunksOfStopped += partner.ctrl[CHUNKS]!;
  void partner.worker.terminate();
  partner = null;
}
onShutdownThreads(shutdownTeams);

/** Sends a spinning partner to sleep (before the gemm pool's workers take a job: two cores, three threads). */
function quietPartner(): void {
  if (partner !== null) Atomics.store(partner.ctrl, QUIET, 1);
}
onPoolJob(quietPartner);

/**
 * The control block of the partner when it serves `mem`, else null (the job then runs on the
 * caller alone). `start` (a row job over `rows` rows): may start the partner or ask it to move to
 * `mem`, once `partnerStart.rows` rows of such jobs ran on `mem` in a row; otherwise (column
 * kernels, the preparation) only a partner already serving `mem` is used.
 */
function teamOf(mem: TeamMemory, start: boolean, rows = 0): Int32Array | null {
  if (!mem.shared || teamsBroken || getThreads() < 2) return null;
  let p = partner;
  if (p !== null && Atomics.load(p.ctrl, EXITED) === 1) {
    shutdownTeams(); // it idled out
    p = null;
  }
  let id = memoryIds.get(mem.memory);
  if (start) {
    if (id === undefined) {
      id = nextMemoryId++;
      memoryIds.set(mem.memory, id);
    }
    if (id === streakId) streakRows += rows;
    else {
      streakId = id;
      streakRows = rows;
    }
  }
  if (p !== null && id !== undefined && Atomics.load(p.ctrl, BOUND) === id) {
    servedMemory = id;
    return p.ctrl;
  }
  if (!start || id === undefined || streakRows < partnerStart.rows) return null;
  if (p === null) {
    p = spawnPartner();
    if (p === null) return null;
  }
  if (p.requested !== id) {
    // bind (or move) the partner to this memory; jobs stay here until it serves it
    p.requested = id;
    Atomics.add(p.ctrl, REQ, 1);
    if (Atomics.load(p.ctrl, SLEEP) === 1) Atomics.notify(p.ctrl, OPEN);
    p.worker.postMessage({ memory: mem.memory, module: mem.module, id });
  }
  return null;
}

function spawnPartner(): Partner | null {
  const host = workerHost();
  if (host === null) {
    teamsBroken = true;
    return null;
  }
  const ctrl = new Int32Array(new SharedArrayBuffer(CTRL_SLOTS * 4));
  try {
    const worker = host.spawn(host.kind === 'node' ? NODE_WORKER_SOURCE : WEB_WORKER_SOURCE, { ctrl: ctrl.buffer, names: KERNEL_NAMES }, () => {
      teamsBroken = true; // never rely on partners again; callers still finish every job
    });
    partner = { ctrl, worker, requested: 0 };
    return partner;
  } catch {
    teamsBroken = true;
    return null;
  }
}

/** Each kernel's argument roles as character codes, by kernel id. */
const ROLES: readonly Uint8Array[] = KERNEL_NAMES.map((k) => Uint8Array.from(SPLIT_KERNELS[k].args, (ch) => ch.charCodeAt(0)));
const OUTS: readonly number[] = KERNEL_NAMES.map((k) => SPLIT_KERNELS[k].outs);
/** Position of each kernel's split count (role `n`) and of its output (role `o`, −1: none). */
const N_AT: readonly number[] = KERNEL_NAMES.map((k) => SPLIT_KERNELS[k].args.indexOf('n'));
const O_AT: readonly number[] = KERNEL_NAMES.map((k) => SPLIT_KERNELS[k].args.indexOf('o'));
const R_N = 110, R_X = 120, R_I = 105, R_O = 111; // 'n', 'x', 'i', 'o'

/** Chunk c's arguments (c = 0: [0, h); 1: [h, n)) from the whole call's (`SPLIT_KERNELS` roles). */
function chunkArgs(roles: Uint8Array, args: readonly number[], n: number, h: number, c: 0 | 1, out1: number, into: Int32Array | number[], at: number): void {
  for (let a = 0; a < roles.length; a++) {
    const r = roles[a]!;
    const v = args[a]!;
    into[at + a] = c === 0 ? (r === R_N ? h : v) : r === R_N ? n - h : r === R_X ? v + 8 * h : r === R_I ? v + 4 * h : r === R_O ? out1 : v;
  }
}

/** The row kernels of a memory's instance, in `KERNEL_NAMES` order (cached per exports object). */
type Fn = (...a: number[]) => void;
const fnCache = new WeakMap<object, Fn[]>();
function kernelsOf(ex: Record<string, unknown>): Fn[] {
  let f = fnCache.get(ex);
  if (f === undefined) {
    f = KERNEL_NAMES.map((k) => ex[k] as Fn);
    fnCache.set(ex, f);
  }
  return f;
}
/** The row kernels' one-call twins (lasso.wat `K_split(h, n, …, out1)`: both chunks and the sum), by kernel id. */
const splitCache = new WeakMap<object, Fn[]>();
function splitKernelsOf(ex: Record<string, unknown>): Fn[] {
  let f = splitCache.get(ex);
  if (f === undefined) {
    f = KERNEL_NAMES.map((k) => ex[`${k}_split`] as Fn);
    splitCache.set(ex, f);
  }
  return f;
}

/** Row kernel `id`'s one-call twin on the whole call's arguments a[0..) (one call site per kernel). */
function callSplit(f: Fn[], id: number, a: readonly number[], h: number, o1: number): void {
  switch (id) {
    case 0: f[0]!(h, a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!, o1); break;
    case 1: f[1]!(h, a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!, a[7]!, a[8]!, o1); break;
    case 2: f[2]!(h, a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!, a[7]!, a[8]!, a[9]!, o1); break;
    case 3: f[3]!(h, a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!, a[7]!, a[8]!, a[9]!, a[10]!, o1); break;
    case 4: f[4]!(h, a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!, a[7]!, a[8]!, a[9]!, a[10]!, a[11]!, o1); break;
    case 5: f[5]!(h, a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!, a[7]!, o1); break;
    case 6: f[6]!(h, a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!, a[7]!, a[8]!, a[9]!, a[10]!, a[11]!, a[12]!, o1); break;
    case 7: f[7]!(h, a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, o1); break;
    default: f[8]!(h, a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!, o1);
  }
}

/** Kernel `id` of `f` on arguments a[0..): one call site per kernel (monomorphic calls into WebAssembly). */
function call(f: Fn[], id: number, a: ArrayLike<number>, at: number): void {
  switch (id) {
    case 0: f[0]!(a[at]!, a[at + 1]!, a[at + 2]!, a[at + 3]!, a[at + 4]!, a[at + 5]!, a[at + 6]!); break;
    case 1: f[1]!(a[at]!, a[at + 1]!, a[at + 2]!, a[at + 3]!, a[at + 4]!, a[at + 5]!, a[at + 6]!, a[at + 7]!, a[at + 8]!); break;
    case 2: f[2]!(a[at]!, a[at + 1]!, a[at + 2]!, a[at + 3]!, a[at + 4]!, a[at + 5]!, a[at + 6]!, a[at + 7]!, a[at + 8]!, a[at + 9]!); break;
    case 3: f[3]!(a[at]!, a[at + 1]!, a[at + 2]!, a[at + 3]!, a[at + 4]!, a[at + 5]!, a[at + 6]!, a[at + 7]!, a[at + 8]!, a[at + 9]!, a[at + 10]!); break;
    case 4: f[4]!(a[at]!, a[at + 1]!, a[at + 2]!, a[at + 3]!, a[at + 4]!, a[at + 5]!, a[at + 6]!, a[at + 7]!, a[at + 8]!, a[at + 9]!, a[at + 10]!, a[at + 11]!); break;
    case 5: f[5]!(a[at]!, a[at + 1]!, a[at + 2]!, a[at + 3]!, a[at + 4]!, a[at + 5]!, a[at + 6]!, a[at + 7]!); break;
    case 6: f[6]!(a[at]!, a[at + 1]!, a[at + 2]!, a[at + 3]!, a[at + 4]!, a[at + 5]!, a[at + 6]!, a[at + 7]!, a[at + 8]!, a[at + 9]!, a[at + 10]!, a[at + 11]!, a[at + 12]!); break;
    case 7: f[7]!(a[at]!, a[at + 1]!, a[at + 2]!, a[at + 3]!, a[at + 4]!, a[at + 5]!); break;
    case 8: f[8]!(a[at]!, a[at + 1]!, a[at + 2]!, a[at + 3]!, a[at + 4]!, a[at + 5]!, a[at + 6]!); break;
    case 9: f[9]!(a[at]!, a[at + 1]!, a[at + 2]!, a[at + 3]!, a[at + 4]!, a[at + 5]!); break;
    case 10: f[10]!(a[at]!, a[at + 1]!, a[at + 2]!, a[at + 3]!, a[at + 4]!, a[at + 5]!, a[at + 6]!, a[at + 7]!); break;
    default: f[11]!(a[at]!, a[at + 1]!, a[at + 2]!, a[at + 3]!, a[at + 4]!, a[at + 5]!);
  }
}

/** The whole call's arguments (runRows / runCols), and each chunk's. */
const whole: number[] = new Array<number>(MAX_ARGS).fill(0);
const scratch0: number[] = new Array<number>(MAX_ARGS).fill(0);
const scratch1: number[] = new Array<number>(MAX_ARGS).fill(0);

/**
 * Runs the row kernel `name` over rows [0, n) as two chunks (rows [0, h) here, [h, n) here or on
 * the partner), with chunk 1's outputs in `out1` (a free area of `SPLIT_KERNELS[name].outs`
 * float64 in the same memory), and sums them into the call's outputs: out[q] = out₀[q] + out₁[q].
 * a0, a1, … are the whole call's arguments (a0 = n; positional, so that a call allocates nothing).
 * h = 0 runs the kernel once, unsplit.
 *
 * @example
 * runRows(mem, 'axpydot4', splitRows(n), out1, n, a0, a1, a2, a3, coef, b0, b1, b2, b3, r, out);
 */
export function runRows(
  mem: TeamMemory, name: RowKernel, h: number, out1: number,
  a0: number, a1: number, a2: number, a3: number, a4: number, a5: number, a6 = 0, a7 = 0, a8 = 0, a9 = 0, a10 = 0, a11 = 0, a12 = 0,
): void {
  const id = KERNEL_ID.get(name)!;
  const f = kernelsOf(mem.exports);
  const w = whole;
  w[0] = a0; w[1] = a1; w[2] = a2; w[3] = a3; w[4] = a4; w[5] = a5; w[6] = a6; w[7] = a7; w[8] = a8; w[9] = a9; w[10] = a10; w[11] = a11; w[12] = a12;
  if (h <= 0 || h >= a0) {
    call(f, id, w, 0);
    return;
  }
  const c = teamOf(mem, true, a0);
  // no partner: both chunks and their sum in one call (the same operations as `runChunks`)
  if (c === null) callSplit(splitKernelsOf(mem.exports), id, w, h, out1);
  else runChunks(mem, f, id, w, h, out1, c);
}

/** Listed columns below which a column kernel stays on one thread (the hand-off would cost more). */
const COL_SPLIT_MIN_WORK = 1 << 17;

/**
 * Runs the column kernel `name` (`dots`, `dots2`: one output per listed column) with its column list
 * cut in two halves when a partner already serves this memory (row kernels start partners; a
 * column kernel alone never does: a CV tune's many small engine memories would each pay a thread's
 * start-up) and the call reads at least 2^17 entries of X (`work` = rows × listed columns); the
 * outputs do not depend on the cut.
 *
 * @example
 * runCols(mem, 'dots2', n * count, x, n, cols, count, a, b, outA, outB);
 */
export function runCols(mem: TeamMemory, name: ColKernel, work: number, a0: number, a1: number, a2: number, a3: number, a4: number, a5: number, a6 = 0, a7 = 0): void {
  const id = KERNEL_ID.get(name)!;
  const f = kernelsOf(mem.exports);
  const w = whole;
  w[0] = a0; w[1] = a1; w[2] = a2; w[3] = a3; w[4] = a4; w[5] = a5; w[6] = a6; w[7] = a7;
  const count = w[N_AT[id]!]!;
  const c = work >= COL_SPLIT_MIN_WORK && count >= 8 ? teamOf(mem, false) : null;
  if (c === null) call(f, id, w, 0);
  else runChunks(mem, f, id, w, count >> 1, 0, c);
}

/** The two chunks of kernel `id` (0 < h < count): chunk 0 here, chunk 1 to whoever claims it (here when t is null). */
function runChunks(mem: TeamMemory, f: Fn[], id: number, args: readonly number[], h: number, out1: number, c: Int32Array | null): void {
  const roles = ROLES[id]!;
  const n = args[N_AT[id]!]!;
  chunkArgs(roles, args, n, h, 0, out1, scratch0, 0);
  if (c === null) {
    // both chunks here, in the same order and with the same sum as a team
    chunkArgs(roles, args, n, h, 1, out1, scratch1, 0);
    call(f, id, scratch0, 0);
    call(f, id, scratch1, 0);
  } else {
    const job = nextId;
    nextId = nextId >= 0x3fffffff ? 1 : nextId + 1;
    c[FN] = id;
    c[JOBMEM] = servedMemory;
    chunkArgs(roles, args, n, h, 1, out1, c, ARG);
    if (c[QUIET] !== 0) Atomics.store(c, QUIET, 0);
    Atomics.store(c, OPEN, job); // publishes FN and ARG (sequentially consistent)
    if (Atomics.load(c, SLEEP) === 1) Atomics.notify(c, OPEN);
    call(f, id, scratch0, 0);
    if (Atomics.compareExchange(c, OPEN, job, 0) === job) call(f, id, c, ARG);
    else waitDone(c, job);
  }
  const outs = OUTS[id]!;
  if (outs === 0) return;
  const x = mem.f64;
  const o0 = args[O_AT[id]!]! >> 3, o1 = out1 >> 3;
  for (let q = 0; q < outs; q++) x[o0 + q] = x[o0 + q]! + x[o1 + q]!;
}

/**
 * A pipeline of whole `prep` calls (the preparation of a design's columns, lasso/design.ts) run by
 * the partner while the caller copies the next block of columns into the memory: `post` hands one
 * call over (the previous one must have been collected), `collect` returns its result, computing
 * it here if the partner has not claimed it. Each call treats its own columns: the same bits
 * whoever runs it.
 */
export interface PrepPipe {
  /** Hands `prep(x, n, p, center, means, norms)` to the partner. */
  post(x: number, n: number, p: number, center: number, means: number, norms: number): void;
  /** The posted call's result (`prep`'s non-finite flag), once it is done. */
  collect(): number;
}

/**
 * A `PrepPipe` on `mem`'s partner, or null when no partner already serves this memory (a design
 * prepared again in a pooled memory whose earlier solves started one; never started here).
 *
 * @example
 * const pipe = prepPipe(e.team); // null: call prep directly
 */
export function prepPipe(mem: TeamMemory): PrepPipe | null {
  const c = teamOf(mem, false);
  if (c === null) return null;
  const served = servedMemory;
  const id = KERNEL_ID.get('prep')!;
  const prep = mem.exports.prep as (x: number, n: number, p: number, center: number, means: number, norms: number) => number;
  let job = 0;
  return {
    post(x, n, p, center, means, norms) {
      job = nextId;
      nextId = nextId >= 0x3fffffff ? 1 : nextId + 1;
      c[FN] = id;
      c[JOBMEM] = served;
      c[ARG] = x;
      c[ARG + 1] = n;
      c[ARG + 2] = p;
      c[ARG + 3] = center;
      c[ARG + 4] = means;
      c[ARG + 5] = norms;
      if (c[QUIET] !== 0) Atomics.store(c, QUIET, 0);
      Atomics.store(c, OPEN, job);
      if (Atomics.load(c, SLEEP) === 1) Atomics.notify(c, OPEN);
    },
    collect() {
      if (Atomics.compareExchange(c, OPEN, job, 0) === job) return prep(c[ARG]!, c[ARG + 1]!, c[ARG + 2]!, c[ARG + 3]!, c[ARG + 4]!, c[ARG + 5]!);
      waitDone(c, job);
      return c[RET]!;
    },
  };
}

/** Until the partner reports job `id` done: spins, then (where this thread may block) 1 ms waits. */
function waitDone(c: Int32Array, id: number): void {
  for (let s = 0; s < CALLER_SPINS; s++) if (Atomics.load(c, DONE) === id) return;
  waitUntil(c, DONE, (d) => d === id, 1);
}
