/**
 * @file The WebAssembly SIMD engine of dense Lasso designs (in the kernel layer; it follows the
 * backend switch of engine.ts): the module compiled from src/kernels/wasm/lasso.wat (f64x2 SIMD128)
 * with the hot kernels of the solvers (the CD epoch `epoch`, its Gram-mode twin `gepoch`, the logistic epoch `wepoch`, the block
 * epochs' `dot4`/`axpy4`/`axpydot4` (and `axpy1dot4`–`axpy3dot4` for updates with zero coefficients)/`gram4` and their fused-gap-check twins `dot4r0`/`axpydot4r0`, the first check's `dotgram4`, the hypergradient's fused refinement and recomputation `refcheck`, column dot products `dots`/`dots2`, Xβ `gemvSkip`, the preparation `prep`, weighted norms `wnorms`,
 * the symmetric quadratic form `symquad`, the design memory's column scans `colmaxabs` / `rawdots`),
 * and a pool of engine memories.
 *
 * Interface: `createCscEngine(n, p, nnz)` is the same for CSC designs (kernel `cepoch`);
 * `createEngine(n, p)` returns an engine whose memory holds room for X (n×p,
 * column-major) and the solver vectors, or null when the runtime cannot (no SIMD, or X larger than
 * a 32-bit memory; callers then use the JavaScript kernels); `releaseEngine(e)` returns its memory
 * to the pool; `ptrIn`/`stageVec`/`stageCols`/`unstage` move operands in and out of the memory.
 * `createDesignMemory(rows, p)` hands a loader the engine memory to parse X into (`adoptEngine`
 * turns it into an engine later); until then `designColMaxAbs`, `designRawDots` and
 * `designKernels` (`dot4` / `axpy4` on X's columns in place) scan it in WebAssembly.
 */
import { lazyModule, sharedMemorySupported, useWasm, WA } from './engine.js';
import { LASSO_WASM } from './wasm/modules.generated.js';
import { runRows, splitRows, type TeamMemory } from './team.js';

// ---------------------------------------------------------------------------------------------
// WebAssembly SIMD engine for dense designs.
//
// JavaScript has no SIMD: a scalar dot product runs at ≈1 GMAC/s in V8, against ≈3.5 GMAC/s for
// BLAS in scikit-learn's Cython CD. WebAssembly SIMD128 (f64x2, on by default in Node ≥ 16) closes
// that gap. A dense PreparedDesign therefore keeps its (centred) columns in its own
// `WebAssembly.Memory`, together with the solver's hot vectors (residual, coefficients, thresholds,
// working set), so that a whole CD epoch, Xᵀv products and Xβ run inside WebAssembly with no copy.
// The kernels are WebAssembly text (wasm/lasso.wat, compiled at development time into
// wasm/modules.generated.ts); if the runtime lacks SIMD, the backend is 'js', or the matrix does
// not fit a 32-bit memory, the JavaScript kernels are used instead.
// Memory is sized once and never grown, so the Float64Array views stay valid.
// ---------------------------------------------------------------------------------------------


/** The module, or null when the runtime lacks SIMD or the kernel backend is forced to 'js'. */
function getWasmModule(): object | null {
  return useWasm() ? compileWasmModule() : null;
}

const compileWasmModule = lazyModule(LASSO_WASM.plain);

/**
 * The module for shared memories (engines made where SharedArrayBuffer exists, so that team.ts's
 * partner thread can run the row-split kernels on them), or null (plain memories).
 */
const compileSharedModule = lazyModule(LASSO_WASM.shared);
function sharedModule(): object | null {
  return sharedMemorySupported() ? compileSharedModule() : null;
}

/**
 * The WebAssembly engine of a dense prepared design: its memory holds X (column-major), the column
 * norms, and scratch vectors that solvers borrow with `acquire` / `release`.
 */
export interface WasmEngine {
  /** @internal pooled memory + instance. */
  readonly slot: unknown;
  /** The engine memory's buffer (never grown, so views stay valid). */
  readonly buffer: ArrayBuffer;
  /** Byte offset of X in the memory. */
  readonly xPtr: number;
  /** Scratch vectors (views into the memory) lent to one solver at a time. */
  readonly r: Float64Array;
  readonly beta: Float64Array;
  readonly thr: Float64Array;
  readonly norms: Float64Array;
  readonly ws: Int32Array;
  /** The residual at the start of a block epoch with a fused gap check (lasso/quad_cd.ts). */
  readonly r0: Float64Array;
  /** Staging areas used by `colDots`/`colDots2`/`matvec` for operands living outside the memory. */
  readonly vecA: Float64Array;
  readonly vecB: Float64Array;
  readonly outA: Float64Array;
  readonly outB: Float64Array;
  /** Logistic-regression scratch (logreg.ts): gradient weights w, Hessian weights h, XΔ (n); Δ, curvatures (p). */
  readonly lw: Float64Array;
  readonly lh: Float64Array;
  readonly lu: Float64Array;
  readonly ldelta: Float64Array;
  readonly lcurv: Float64Array;
  readonly cols: Int32Array;
  readonly allCols: Int32Array;
  busy: boolean;
  readonly epoch: (X: number, n: number, ws: number, m: number, beta: number, r: number, norms: number, thr: number, nl2: number) => void;
  /** Gram-mode CD pass (lasso/quad_gram.ts): X = G (p×p), r = the gradient g = q − Gβ, norms = diag G. */
  readonly gepoch: (G: number, p: number, ws: number, m: number, beta: number, g: number, norms: number, thr: number, nl2: number) => void;
  /** `gepoch` with the coordinates in groups of four, one pass over g per group: the same bits (lasso.wat). */
  readonly gepoch4: (G: number, p: number, ws: number, m: number, beta: number, g: number, norms: number, thr: number, nl2: number) => void;
  readonly dots: (X: number, n: number, cols: number, count: number, v: number, out: number) => void;
  readonly dots2: (X: number, n: number, cols: number, count: number, a: number, b: number, outA: number, outB: number) => void;
  readonly gemvSkip: (X: number, n: number, p: number, beta: number, out: number) => void;
  /** `gemvSkip` four non-zero columns per pass over out: the same bits (lasso.wat; the Gram refresh q − Gβ). */
  readonly gemvSkip4: (X: number, n: number, p: number, beta: number, out: number) => void;
  readonly prep: (X: number, n: number, p: number, center: number, means: number, norms: number) => number;
  readonly wnorms: (X: number, n: number, ws: number, m: number, h: number, out: number) => void;
  readonly wepoch: (X: number, n: number, ws: number, m: number, beta: number, delta: number, w: number, h: number, curv: number, lam: number) => number;
  /**
   * Scratch of the block epochs (lasso/quad_cd.ts): 4 dot products out, 4 coefficients in
   * ([0, 8)); the fused-check kernels write their 8 products to [8, 16); the second chunk of a
   * row-split kernel writes its outputs to [16, 26) (team.ts `runRows`).
   */
  readonly blk: Float64Array;
  /** The memory as team.ts's row-split kernels see it (`shared: false`: the calling thread computes both chunks). */
  readonly team: TeamMemory;
  /**
   * The block epochs' row kernels for this engine's n: the exports below when n is under the row
   * split, else the same calls run as two row chunks (team.ts `runRows`, the second chunk's outputs
   * at blk[16..26)). Callers use these, not the exports, for `dot4` … `dotgram4` over all n rows.
   */
  readonly rows: RowKernels;
  /** out[k] = X_kᵀv for the four columns at byte offsets c0..c3 (one pass over v). */
  readonly dot4: (n: number, c0: number, c1: number, c2: number, c3: number, v: number, out: number) => void;
  /** r ← r − Σ_k coef[k]·X_k over the four columns at byte offsets c0..c3 (one pass over r). */
  readonly axpy4: (n: number, c0: number, c1: number, c2: number, c3: number, coef: number, r: number) => void;
  /** `axpy4` on the columns a0..a3, then `dot4` of b0..b3 with the updated r, in one pass over r. */
  readonly axpydot4: (n: number, a0: number, a1: number, a2: number, a3: number, coef: number, b0: number, b1: number, b2: number, b3: number, r: number, out: number) => void;
  /** `axpydot4` with one, two or three update columns (the block's non-zero coefficients, coef[0..K)). */
  readonly axpy1dot4: (n: number, a0: number, coef: number, b0: number, b1: number, b2: number, b3: number, r: number, out: number) => void;
  readonly axpy2dot4: (n: number, a0: number, a1: number, coef: number, b0: number, b1: number, b2: number, b3: number, r: number, out: number) => void;
  readonly axpy3dot4: (n: number, a0: number, a1: number, a2: number, coef: number, b0: number, b1: number, b2: number, b3: number, r: number, out: number) => void;
  /** out[0..6) = X_0ᵀX_1, X_0ᵀX_2, X_0ᵀX_3, X_1ᵀX_2, X_1ᵀX_3, X_2ᵀX_3 for the columns at c0..c3. */
  readonly gram4: (n: number, c0: number, c1: number, c2: number, c3: number, out: number) => void;
  /** βᵀHβ, H symmetric p×p row-major at h (upper triangle read), β zero outside the increasing list ws[0..m). */
  readonly symquad: (h: number, p: number, ws: number, m: number, beta: number) => number;
  /**
   * The Lasso's Gram-gap sums over cols[0..m) (lasso/quad_gram.ts `gapSums`, one penalty level lu):
   * out[0..6) = [Σ lu|β_j|, ‖β‖², βᵀg, βᵀq, max_j |g_j − nl2·β_j|, yy + Σ |β_j q_j| + |β_j(q_j − g_j)|].
   */
  readonly gapsums: (cols: number, m: number, beta: number, g: number, q: number, lu: number, nl2: number, yy: number, out: number) => void;
  /** out[0..k) = the listed columns cols[0..m) with β_j ≠ 0, in order; returns k (lasso/quad_gram.ts `restrictedList`). */
  readonly nzlist: (cols: number, m: number, beta: number, out: number) => number;
  /** out[j] = q[j] − t[j], j < p (the Gram refresh, lasso/quad_gram.ts `qMinusGbeta`). */
  readonly qminus: (q: number, t: number, out: number, p: number) => void;
  /**
   * The Lasso's Gram-certificate sums (lasso/quad_gram.ts `gramCertificate`): out[0..5) = [B, Σ lu|β_j|,
   * ‖β‖², βᵀg, βᵀq] over the listed β_j ≠ 0, out[5] = max_j |g_j − nl2·β_j| + c(ny + B)·norm_j.
   */
  readonly gramcert: (cols: number, m: number, beta: number, g: number, q: number, diag: number, nb: number, useNb: number, lu: number, nl2: number, c: number, ny: number, out: number) => void;
  /**
   * A CV fold's G from its shifted block sum T in place (lasso/fold_gram.ts `centreGram`): G_jl =
   * T_jl − ν_l s_j − ν_j s_l + n ν_j ν_l for l ≥ j (the upper triangle read), mirrored below.
   */
  readonly centregram: (g: number, p: number, nu: number, s: number, nk: number) => void;
  /** `dot4` against v and v0 in one pass: out[k] = X_kᵀv, out[4 + k] = X_kᵀv0. */
  readonly dot4r0: (n: number, c0: number, c1: number, c2: number, c3: number, v: number, v0: number, out: number) => void;
  /** `dot4` and `gram4` in one pass: out[k] = X_kᵀv (k < 4), out[4..10) = `gram4`'s six entries. */
  readonly dotgram4: (n: number, c0: number, c1: number, c2: number, c3: number, v: number, out: number) => void;
  /** `axpydot4`, plus out[4 + k] = B_kᵀr0 in the same pass (r0 read only). */
  readonly axpydot4r0: (n: number, a0: number, a1: number, a2: number, a3: number, coef: number, b0: number, b1: number, b2: number, b3: number, r: number, r0: number, out: number) => void;
  /**
   * The squared-loss refinement's residual update r ← r − X_SΔ and the diagnostics' screen and
   * X_jᵀr/n recomputation in one call; returns the count of listed features (lasso.wat `refcheck`,
   * lasso/hypergrad_post.ts `refineCheckWasm`).
   */
  readonly refcheck: (
    x: number, n: number, p: number, S: number, s: number, delta: number, r: number, r0: number, blk: number,
    norms: number, beta: number, xtr: number, bound: number, todo: number, out: number,
  ) => number;
}

/** The row-split kernels of an engine (`WasmEngine.rows`), with the signatures of the exports. */
export interface RowKernels {
  readonly dot4: WasmEngine['dot4'];
  readonly axpy1dot4: WasmEngine['axpy1dot4'];
  readonly axpy2dot4: WasmEngine['axpy2dot4'];
  readonly axpy3dot4: WasmEngine['axpy3dot4'];
  readonly axpydot4: WasmEngine['axpydot4'];
  readonly dot4r0: WasmEngine['dot4r0'];
  readonly axpydot4r0: WasmEngine['axpydot4r0'];
  readonly gram4: WasmEngine['gram4'];
  readonly dotgram4: WasmEngine['dotgram4'];
}

/**
 * `WasmEngine.rows` for n rows: the instance's exports when `splitRows(n)` is 0 (a direct call, no
 * bookkeeping), else each call through `runRows` with the split h and the second output area `out1`.
 */
function rowKernels(ex: Record<string, unknown>, team: TeamMemory, n: number, out1: number): RowKernels {
  const h = splitRows(n);
  if (h === 0) {
    return {
      dot4: ex.dot4 as RowKernels['dot4'], axpy1dot4: ex.axpy1dot4 as RowKernels['axpy1dot4'], axpy2dot4: ex.axpy2dot4 as RowKernels['axpy2dot4'],
      axpy3dot4: ex.axpy3dot4 as RowKernels['axpy3dot4'], axpydot4: ex.axpydot4 as RowKernels['axpydot4'], dot4r0: ex.dot4r0 as RowKernels['dot4r0'],
      axpydot4r0: ex.axpydot4r0 as RowKernels['axpydot4r0'], gram4: ex.gram4 as RowKernels['gram4'], dotgram4: ex.dotgram4 as RowKernels['dotgram4'],
    };
  }
  return {
    dot4: (m, c0, c1, c2, c3, v, out) => runRows(team, 'dot4', h, out1, m, c0, c1, c2, c3, v, out),
    axpy1dot4: (m, a0, coef, b0, b1, b2, b3, r, out) => runRows(team, 'axpy1dot4', h, out1, m, a0, coef, b0, b1, b2, b3, r, out),
    axpy2dot4: (m, a0, a1, coef, b0, b1, b2, b3, r, out) => runRows(team, 'axpy2dot4', h, out1, m, a0, a1, coef, b0, b1, b2, b3, r, out),
    axpy3dot4: (m, a0, a1, a2, coef, b0, b1, b2, b3, r, out) => runRows(team, 'axpy3dot4', h, out1, m, a0, a1, a2, coef, b0, b1, b2, b3, r, out),
    axpydot4: (m, a0, a1, a2, a3, coef, b0, b1, b2, b3, r, out) => runRows(team, 'axpydot4', h, out1, m, a0, a1, a2, a3, coef, b0, b1, b2, b3, r, out),
    dot4r0: (m, c0, c1, c2, c3, v, v0, out) => runRows(team, 'dot4r0', h, out1, m, c0, c1, c2, c3, v, v0, out),
    axpydot4r0: (m, a0, a1, a2, a3, coef, b0, b1, b2, b3, r, r0, out) => runRows(team, 'axpydot4r0', h, out1, m, a0, a1, a2, a3, coef, b0, b1, b2, b3, r, r0, out),
    gram4: (m, c0, c1, c2, c3, out) => runRows(team, 'gram4', h, out1, m, c0, c1, c2, c3, out),
    dotgram4: (m, c0, c1, c2, c3, v, out) => runRows(team, 'dotgram4', h, out1, m, c0, c1, c2, c3, v, out),
  };
}

interface PoolSlot {
  readonly memory: { readonly buffer: ArrayBuffer };
  readonly inst: { readonly exports: Record<string, unknown> };
  readonly bytes: number;
  /** The memory, compiled module and exports as team.ts sees them (`shared` says whether a partner may run). */
  readonly team: TeamMemory;
}

function makeSlot(memory: { readonly buffer: ArrayBuffer }, mod: object, bytes: number, shared: boolean): PoolSlot {
  const inst = new WA!.Instance(mod, { env: { mem: memory } });
  const team: TeamMemory = { memory, shared, module: shared ? mod : null, exports: inst.exports, f64: new Float64Array(memory.buffer) };
  return { memory, inst, bytes, team };
}
/** Released engine memories, most recent last (bounded: see `releaseEngine`). */
const enginePool: PoolSlot[] = [];
/**
 * A 5-fold CV tune holds about 16 engine memories at once (per fold: its rows, its G, its validation
 * block's H; the refit): with 4 pooled, the next tune paid first-touch page faults on most of them
 * (≈ 20% of a 2000×300 tune's CPU time); the byte bound below is what limits the memory kept.
 */
const POOL_MAX = 16;
const POOL_MAX_BYTES = 2 ** 30;

/** Bytes of an engine memory for n×p (see the layout in `layoutEngine`). */
function engineBytes(n: number, p: number): number {
  // layout (f64 units): X | r | beta | thr | norms | vecA | vecB | outA | outB | lw | lh | lu | ldelta | lcurv | blk(32) | r0
  // then i32: ws | cols | allCols
  return (n * p + 8 * n + 7 * p + 32) * 8 + 3 * p * 4 + 64;
}

/** Allocates the engine and returns it with the view of X inside it, or null (JS kernels). */
export function createEngine(n: number, p: number): { engine: WasmEngine; x: Float64Array } | null {
  const mod = getWasmModule();
  if (mod === null) return null;
  const bytes = engineBytes(n, p);
  if (bytes > 2 ** 31) return null; // keep i32 byte offsets positive
  const slot = acquireSlot(mod, bytes);
  if (slot === null) return null;
  return layoutEngine(slot, n, p);
}

/**
 * Memories made by `createDesignMemory`, by their buffer, until `adoptEngine` takes one (once).
 * A WeakMap: a design memory nobody adopts is collected with its array.
 */
const designSlots = new WeakMap<ArrayBuffer, PoolSlot>();

/**
 * A zeroed column-major array of rows·p float64 at the start of a fresh WebAssembly memory laid
 * out as an engine for (rows, p), or null (no WebAssembly, or too large for a 32-bit memory). A
 * design whose `data` is such an array (or its first n·p entries, n ≤ rows) can later be prepared
 * IN PLACE by `adoptEngine`: the engine is built around the array, with no second copy of X — for
 * a caller that owns X and no longer needs its raw values (`nsdiff lasso tune`'s refit: the CSV is
 * parsed into such an array, issue 12).
 *
 * @example
 * const data = createDesignMemory(n, p) ?? new Float64Array(n * p); // fill column-major
 */
export function createDesignMemory(rows: number, p: number): Float64Array<ArrayBuffer> | null {
  const mod = getWasmModule();
  if (mod === null || !(rows > 0) || !(p > 0)) return null;
  const bytes = engineBytes(rows, p);
  if (bytes > 2 ** 31) return null;
  try {
    const pages = Math.ceil(bytes / 65536);
    const memory = new WA!.Memory({ initial: pages }) as { readonly buffer: ArrayBuffer }; // not shared: an ArrayBuffer
    const slot = makeSlot(memory, mod, pages * 65536, false);
    designSlots.set(memory.buffer, slot);
    return new Float64Array(memory.buffer, 0, rows * p);
  } catch {
    return null;
  }
}

/**
 * The engine of an n×p design built around `x` in place, when `x` starts a memory of
 * `createDesignMemory` with room for it (the memory then belongs to the engine: `releaseEngine`
 * pools it, and `x` must no longer be read as the caller's data); else null.
 */
export function adoptEngine(x: Float64Array, n: number, p: number): { engine: WasmEngine; x: Float64Array } | null {
  const slot = designSlots.get(x.buffer as ArrayBuffer);
  if (slot === undefined || x.byteOffset !== 0 || x.length < n * p || slot.bytes < engineBytes(n, p)) return null;
  designSlots.delete(x.buffer as ArrayBuffer);
  return layoutEngine(slot, n, p);
}

/** True when `x` can be prepared in place by `adoptEngine` (a `createDesignMemory` array not adopted yet). */
export function isDesignMemory(x: Float64Array): boolean {
  return designSlots.has(x.buffer as ArrayBuffer) && x.byteOffset === 0;
}

/**
 * A staging area of `len` float64 at the end of the design memory holding `x` (a
 * `createDesignMemory` array not adopted yet), past x, with the module's exports; null when x is
 * no such array, the memory has no room, or the backend is 'js'.
 */
function designStage(x: Float64Array, len: number): { stage: Float64Array; ex: Record<string, unknown> } | null {
  const slot = designSlots.get(x.buffer as ArrayBuffer);
  if (slot === undefined || x.byteOffset !== 0 || !useWasm()) return null;
  const total = slot.memory.buffer.byteLength >>> 3;
  if (x.length + len > total) return null;
  return { stage: new Float64Array(slot.memory.buffer, (total - len) * 8, len), ex: slot.inst.exports as Record<string, unknown> };
}

/**
 * max_i |X_ij| for every column of the n×p column-major `x` (NaN for a column holding a NaN),
 * computed in WebAssembly when `x` is a design memory (`createDesignMemory`, not adopted yet; the
 * CLI's parsed CSV), else null (the caller runs its own loop; the values are exact either way).
 * In a cold process a JavaScript pass over the data runs unoptimised (issue 12, round cold1).
 *
 * @example
 * const m = designColMaxAbs(X.data, n, p); // null: JavaScript
 */
export function designColMaxAbs(x: Float64Array, n: number, p: number): Float64Array | null {
  if (x.length < n * p) return null;
  const st = designStage(x, p);
  if (st === null) return null;
  (st.ex.colmaxabs as (x: number, n: number, p: number, out: number) => void)(0, n, p, st.stage.byteOffset);
  return st.stage.slice(0, p);
}

/**
 * X_jᵀv for every column of the n×p column-major `x` in a design memory (see
 * {@link designColMaxAbs}), summed as lasso/hypergrad.ts `rawColDot` sums (even and odd rows
 * apart, then added): the same bits; null when `x` is not a design memory.
 *
 * @example
 * const d = designRawDots(X.data, n, p, v); // null: JavaScript
 */
export function designRawDots(x: Float64Array, n: number, p: number, v: Float64Array): Float64Array | null {
  if (x.length < n * p || v.length < n) return null;
  const st = designStage(x, n + p);
  if (st === null) return null;
  const s = st.stage;
  s.set(v.subarray(0, n), p);
  (st.ex.rawdots as (x: number, n: number, p: number, v: number, out: number) => void)(0, n, p, s.byteOffset + 8 * p, s.byteOffset);
  return s.slice(0, p);
}

/**
 * Kernels over the values of a design memory read in place — the engine module's `dot4` and
 * `axpy4` on columns of X at byte offsets — with a staging area for their vector operands at the
 * end of the memory, past X. The held-out rows of `nsdiff lasso tune`'s CV folds stay in the
 * parsed design: their predictions and pull-backs run in WebAssembly from the first call instead
 * of in JavaScript that is not optimised yet (issue 12, round cold1).
 */
export interface DesignKernels {
  /** `len` float64 past X (valid until the memory is adopted); byte offset `stage.byteOffset`. */
  readonly stage: Float64Array;
  readonly dot4: WasmEngine['dot4'];
  readonly axpy4: WasmEngine['axpy4'];
}

/** The kernels last handed out per design memory (a larger `len` makes a new staging view). */
const designKernelCache = new WeakMap<PoolSlot, DesignKernels>();

/**
 * `DesignKernels` for `x` (a `createDesignMemory` array not adopted yet, whose memory holds `len`
 * more float64 past it) while the backend allows WebAssembly; else null (the caller's loops).
 *
 * @example
 * const k = designKernels(X.data, 8 + rows); // null: JavaScript
 */
export function designKernels(x: Float64Array, len: number): DesignKernels | null {
  const slot = designSlots.get(x.buffer as ArrayBuffer);
  if (slot === undefined || x.byteOffset !== 0 || !useWasm()) return null;
  const kept = designKernelCache.get(slot);
  if (kept !== undefined && kept.stage.length >= len) return kept;
  const st = designStage(x, len);
  if (st === null) return null;
  const k: DesignKernels = { stage: st.stage, dot4: st.ex.dot4 as WasmEngine['dot4'], axpy4: st.ex.axpy4 as WasmEngine['axpy4'] };
  designKernelCache.set(slot, k);
  return k;
}

/** The engine views of an n×p design in `slot`'s memory. */
function layoutEngine(slot: PoolSlot, n: number, p: number): { engine: WasmEngine; x: Float64Array } {
  // layout (f64 units): X | r | beta | thr | norms | vecA | vecB | outA | outB | lw | lh | lu | ldelta | lcurv | blk | r0
  // then i32: ws | cols | allCols
  const inst = slot.inst;
  const buf = slot.memory.buffer;
  let off = 0;
  const f = (len: number): Float64Array => {
    const v = new Float64Array(buf, off, len);
    off += len * 8;
    return v;
  };
  const x = f(n * p);
  const r = f(n), beta = f(p), thr = f(p), norms = f(p), vecA = f(n), vecB = f(n), outA = f(p), outB = f(p);
  const lw = f(n), lh = f(n), lu = f(n), ldelta = f(p), lcurv = f(p), blk = f(32), r0 = f(n);
  const ii = (len: number): Int32Array => {
    const v = new Int32Array(buf, off, len);
    off += len * 4;
    return v;
  };
  const ws = ii(p), cols = ii(p), allCols = ii(p);
  for (let j = 0; j < p; j++) allCols[j] = j;
  const ex = inst.exports as Record<string, unknown>;
  const engine: WasmEngine = {
    slot, buffer: buf, xPtr: x.byteOffset, r, r0, beta, thr, norms, ws, vecA, vecB, outA, outB, lw, lh, lu, ldelta, lcurv, cols, allCols, blk, busy: false,
    team: slot.team, rows: rowKernels(ex, slot.team, n, blk.byteOffset + 128),
    epoch: ex.epoch as WasmEngine['epoch'],
    gepoch: ex.gepoch as WasmEngine['gepoch'],
    gepoch4: ex.gepoch4 as WasmEngine['gepoch4'],
    dots: ex.dots as WasmEngine['dots'],
    dots2: ex.dots2 as WasmEngine['dots2'],
    gemvSkip: ex.gemvSkip as WasmEngine['gemvSkip'],
    gemvSkip4: ex.gemvSkip4 as WasmEngine['gemvSkip4'],
    prep: ex.prep as WasmEngine['prep'],
    wnorms: ex.wnorms as WasmEngine['wnorms'],
    wepoch: ex.wepoch as WasmEngine['wepoch'],
    dot4: ex.dot4 as WasmEngine['dot4'],
    axpy4: ex.axpy4 as WasmEngine['axpy4'],
    axpydot4: ex.axpydot4 as WasmEngine['axpydot4'],
    axpy1dot4: ex.axpy1dot4 as WasmEngine['axpy1dot4'],
    axpy2dot4: ex.axpy2dot4 as WasmEngine['axpy2dot4'],
    axpy3dot4: ex.axpy3dot4 as WasmEngine['axpy3dot4'],
    gram4: ex.gram4 as WasmEngine['gram4'],
    symquad: ex.symquad as WasmEngine['symquad'],
    gapsums: ex.gapsums as WasmEngine['gapsums'],
    centregram: ex.centregram as WasmEngine['centregram'],
    gramcert: ex.gramcert as WasmEngine['gramcert'],
    nzlist: ex.nzlist as WasmEngine['nzlist'],
    qminus: ex.qminus as WasmEngine['qminus'],
    dot4r0: ex.dot4r0 as WasmEngine['dot4r0'],
    dotgram4: ex.dotgram4 as WasmEngine['dotgram4'],
    axpydot4r0: ex.axpydot4r0 as WasmEngine['axpydot4r0'],
    refcheck: ex.refcheck as WasmEngine['refcheck'],
  };
  return { engine, x };
}

/**
 * A memory of at least `bytes` with its instance: a released one of a suitable size from the pool
 * (its pages are already mapped: a fresh memory costs a page fault per 4 KiB on first touch, which
 * dominates small solves), else a new one; null when the runtime refuses.
 */
function acquireSlot(mod: object, bytes: number): PoolSlot | null {
  for (let k = 0; k < enginePool.length; k++) {
    const c = enginePool[k]!;
    if (c.bytes >= bytes && c.bytes <= 2 * bytes + (1 << 20)) {
      enginePool.splice(k, 1);
      return c;
    }
  }
  const pages = Math.ceil(bytes / 65536);
  // shared where the runtime has SharedArrayBuffer (a partner thread may then run the row-split
  // kernels, team.ts); sized once (maximum = initial: the views stay valid)
  const sh = sharedModule();
  if (sh !== null) {
    try {
      const memory = new WA!.Memory({ initial: pages, maximum: pages, shared: true }) as unknown as { readonly buffer: ArrayBuffer };
      return makeSlot(memory, sh, pages * 65536, true);
    } catch {
      // the runtime refused a shared memory here: a plain one
    }
  }
  try {
    const memory = new WA!.Memory({ initial: pages }) as { readonly buffer: ArrayBuffer };
    return makeSlot(memory, mod, pages * 65536, false);
  } catch {
    return null;
  }
}

/** True when the engine's memory is shared (modules instantiated on it must import a shared memory: xgram_wasm.ts). */
export function engineShared(e: WasmEngine): boolean {
  return (e.slot as PoolSlot).team.shared;
}

/**
 * The WebAssembly engine of a CSC design (kernel `cepoch`): its memory holds the CSC arrays
 * (values, row indices, column pointers), the column means and the solver vectors. The design's
 * `data` / `indices` / `indptr` are views into it, so the JavaScript column kernels read the same
 * arrays.
 */
export interface CscEngine {
  /** @internal pooled memory + instance. */
  readonly slot: unknown;
  readonly buffer: ArrayBuffer;
  readonly vals: Float64Array;
  readonly indices: Int32Array;
  readonly indptr: Int32Array;
  readonly mu: Float64Array;
  readonly r: Float64Array;
  readonly beta: Float64Array;
  readonly thr: Float64Array;
  readonly norms: Float64Array;
  readonly ws: Int32Array;
  busy: boolean;
  readonly cepoch: (
    vals: number, idx: number, ptr: number, mu: number, n: number, ws: number, m: number,
    beta: number, r: number, norms: number, thr: number, nl2: number, S: number,
  ) => number;
}

/** Allocates a CSC engine for n×p with nnz stored entries (arrays to be filled by the caller), or null (JS kernels). */
export function createCscEngine(n: number, p: number, nnz: number): CscEngine | null {
  const mod = getWasmModule();
  if (mod === null) return null;
  // layout: f64 vals(nnz) | mu r beta thr norms, then i32 indices(nnz) | indptr(p+1) | ws(p)
  const bytes = 8 * (nnz + n + 4 * p) + 4 * (nnz + 2 * p + 1) + 64;
  if (bytes > 2 ** 31) return null;
  const slot = acquireSlot(mod, bytes);
  if (slot === null) return null;
  const buf = slot.memory.buffer;
  let off = 0;
  const f = (len: number): Float64Array => {
    const v = new Float64Array(buf, off, len);
    off += len * 8;
    return v;
  };
  const ii = (len: number): Int32Array => {
    const v = new Int32Array(buf, off, len);
    off += len * 4;
    return v;
  };
  const vals = f(nnz), mu = f(p), r = f(n), beta = f(p), thr = f(p), norms = f(p);
  const indices = ii(nnz), indptr = ii(p + 1), ws = ii(p);
  return {
    slot, buffer: buf, vals, indices, indptr, mu, r, beta, thr, norms, ws, busy: false,
    cepoch: slot.inst.exports.cepoch as CscEngine['cepoch'],
  };
}

/**
 * A view of `len` float64 in the engine memory past everything the engine uses (a pooled memory
 * can be larger than the engine asked for: a CV fold's engine in a memory sized for all rows), or
 * null when there is not that much room. Valid only until the engine is released; the kernels
 * never touch it. CV folds gather their validation rows there instead of a JavaScript buffer.
 */
export function spareView(e: WasmEngine, len: number): Float64Array | null {
  const end = e.allCols.byteOffset + e.allCols.byteLength;
  const start = Math.ceil(end / 8) * 8;
  if (start + len * 8 > (e.slot as PoolSlot).bytes) return null;
  return new Float64Array(e.buffer, start, len);
}

/** Byte pointer of `v` inside the engine memory, or −1 if it lives elsewhere. */
export function ptrIn(e: WasmEngine, v: ArrayBufferView): number {
  return v.buffer === e.buffer ? v.byteOffset : -1;
}

/** Pointer to `v` (len entries) in the engine memory, copying it into `stage` if needed. */
export function stageVec(e: WasmEngine, v: Float64Array, stage: Float64Array, len: number): number {
  const ptr = ptrIn(e, v);
  if (ptr >= 0) return ptr;
  stage.set(v.length === len ? v : v.subarray(0, len));
  return stage.byteOffset;
}

/** Pointer to the column list (all columns for null). */
export function stageCols(e: WasmEngine, cols: Int32Array | null, m: number): number {
  if (cols === null) return e.allCols.byteOffset;
  const ptr = ptrIn(e, cols);
  if (ptr >= 0) return ptr;
  e.cols.set(cols.subarray(0, m));
  return e.cols.byteOffset;
}

/**
 * Copies the computed entries of a staged output back (`cols` null: the first m). One loop over
 * an index list for both cases: a separate `cols === null` path, first taken after the function
 * was optimised on the other, cost a deoptimisation per process (issue 12, round proc2).
 */
export function unstage(src: Float64Array, out: Float64Array, cols: Int32Array | null, m: number): void {
  const list = cols ?? identityList(m);
  for (let t = 0; t < m; t++) {
    const j = list[t]!;
    out[j] = src[j]!;
  }
}

let identity = new Int32Array(0);

/** 0, 1, …, m − 1 (at least m entries; shared, never written by callers). */
function identityList(m: number): Int32Array {
  if (identity.length < m) {
    identity = new Int32Array(m);
    for (let j = 0; j < m; j++) identity[j] = j;
  }
  return identity;
}

/**
 * Returns the memory of `e` to the pool for reuse by later engines (a fresh memory pays a page
 * fault per 4 KiB on first touch). The pool keeps at most 16 memories and 1 GiB; `e` must not be used
 * afterwards.
 */
export function releaseEngine(e: WasmEngine | CscEngine): void {
  const slot = e.slot as PoolSlot;
  let total = slot.bytes;
  for (const c of enginePool) total += c.bytes;
  enginePool.push(slot);
  while (enginePool.length > POOL_MAX || (enginePool.length > 0 && total > POOL_MAX_BYTES)) {
    total -= enginePool.shift()!.bytes;
  }
}

/**
 * The `WebAssembly.Memory` of a dense engine, for kernel modules instantiated on the same memory (xgram_wasm.ts).
 *
 * @example
 * const mem = engineMemory(d.wasm!); // new WebAssembly.Instance(module, { env: { mem } })
 */
export function engineMemory(e: WasmEngine): object {
  return (e.slot as PoolSlot).memory;
}
