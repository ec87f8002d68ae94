/**
 * @file Design-matrix preparation and column kernels for the Lasso-type solvers.
 *
 * The solvers read X by columns: dense COLUMN-MAJOR (`DenseDesign`) or CSC (`SparseDesign`), see
 * `src/data/dataset.ts`. `prepareDesign` validates X once and precomputes what every solve needs:
 *
 * - centring for an intercept (`center: true`), i.e. the solvers work with X_c = X − 1 μᵀ,
 *   μ_j = mean of column j:
 *   - dense X: a centred COPY is made (exact centring like scikit-learn, and the tightest possible
 *     inner loop: `r[i] += d·X_c[i, j]`);
 *   - CSC X: never densified. Centring is implicit: X_cᵀ r = Xᵀ r − μ (1ᵀ r) and
 *     X_c β = X β − (μᵀβ) 1. The CD kernel keeps r̃ = y_c − Xβ + const·1 and its sum S̃ = 1ᵀ r̃,
 *     so X_c,jᵀ r = X_jᵀ r̃ − μ_j S̃ exactly (the constant cancels because X_c,j ⟂ 1), with O(nnz_j)
 *     work per coordinate; the true (centred) residual is r = r̃ − (S̃/n) 1.
 * - the squared column norms ‖X_c,j‖² (the coordinate-wise Lipschitz constants times n). A column
 *   with ‖X_c,j‖ = 0 (all-zero, or constant when centring) carries no information: its coefficient is
 *   always 0 and the solvers skip it.
 *
 * Solvers accept either a raw `DesignMatrix` (prepared on each call, O(nnz), and disposed at the
 * end of the call) or a `PreparedDesign` (prepared once; use it when solving thousands of times on
 * the same X, e.g. along a path or in hyperparameter search; `disposeDesign` recycles its memory).
 *
 * Dense designs carry a WebAssembly SIMD engine (see the section below): X lives in a
 * WebAssembly.Memory (so `data` is a view into it) together with the hot solver vectors, and the
 * CD epochs, Xᵀv, Xβ and the preparation itself run as f64x2 SIMD code (≈ 4–5× the JavaScript
 * loops, on par with BLAS). CSC designs use the JavaScript kernels.
 */
import type { DesignMatrix } from '../data/dataset.js';
import { InvalidArgumentError, NonFiniteError, ShapeError } from '../core/errors.js';

/** A validated design with precomputed centring and column norms. Build it with `prepareDesign`. */
export interface PreparedDesign {
  readonly kind: 'prepared';
  /** The matrix this was prepared from (not modified). */
  readonly source: DesignMatrix;
  readonly nRows: number;
  readonly nCols: number;
  /** True when the solvers see X_c = X − 1μᵀ (models with an intercept fitted by centring). */
  readonly centered: boolean;
  readonly isSparse: boolean;
  /** Dense: column-major values (a centred copy when `centered`, else the source array). Sparse: CSC values. */
  readonly data: Float64Array;
  /** CSC column pointers (empty for dense). */
  readonly indptr: Int32Array;
  /** CSC row indices (empty for dense). */
  readonly indices: Int32Array;
  /** Column means μ_j of the SOURCE matrix (zeros when not `centered`). */
  readonly colMeans: Float64Array;
  /**
   * Means the kernels must correct for implicitly: `colMeans` for centred CSC, zeros otherwise
   * (a centred dense copy needs no correction).
   */
  readonly implicitMeans: Float64Array;
  /** ‖X_c,j‖² for every column. */
  readonly colNormsSq: Float64Array;
  /** ‖X_c,j‖. */
  readonly colNorms: Float64Array;
  /** Cache for ‖X_c‖₂² (largest squared singular value), filled by `spectralNormSq`. */
  spectralNormSqCache?: number;
  /** WebAssembly SIMD engine (dense designs; null: JavaScript kernels). `data` then lives in its memory. */
  readonly wasm: WasmEngine | null;
}

/** What every solver accepts as X. */
export type DesignInput = DesignMatrix | PreparedDesign;

/**
 * Releases the WebAssembly memory of a prepared design for reuse by later preparations (a fresh
 * memory pays a page fault per 4 KiB on first touch). The design must not be used afterwards.
 * Optional: an undisposed design is simply garbage-collected. Solvers dispose the designs they
 * prepare internally (raw `DesignMatrix` input).
 *
 * @example
 * const P = prepareDesign(X);
 * const fits = lambdas.map((l) => lasso(P, y, l));
 * disposeDesign(P);
 */
export function disposeDesign(d: PreparedDesign): void {
  const e = d.wasm;
  if (e === null || e.busy || (d as { disposed?: boolean }).disposed === true) return;
  (d as { disposed?: boolean }).disposed = true;
  const slot = e.slot as PoolSlot;
  let total = slot.bytes;
  for (const c of enginePool) total += c.bytes;
  enginePool.push(slot);
  while (enginePool.length > POOL_MAX || (enginePool.length > 0 && total > POOL_MAX_BYTES)) {
    total -= enginePool.shift()!.bytes;
  }
}

/** True if `X` was produced by `prepareDesign`. */
export function isPreparedDesign(X: DesignInput): X is PreparedDesign {
  return (X as PreparedDesign).kind === 'prepared';
}

/**
 * Validates X and precomputes centring and column norms (see the file header). Dense designs get
 * a WebAssembly SIMD engine unless `wasm: false` (or the runtime cannot), which holds a copy of X.
 *
 * Errors: `InvalidArgumentError` for an empty matrix or a malformed CSC structure, `ShapeError` for
 * inconsistent lengths, `NonFiniteError` for NaN/±Infinity entries.
 *
 * @example
 * const P = prepareDesign(denseFromRows([[1, 2], [3, 5]]), { center: true });
 * P.colMeans;   // [2, 3.5]
 * P.colNormsSq; // [2, 4.5]
 * lasso(P, y, 0.1); // reuses the preparation
 */
export function prepareDesign(X: DesignMatrix, opts: { center?: boolean; wasm?: boolean } = {}): PreparedDesign {
  const center = opts.center ?? true;
  validateDesign(X, 'prepareDesign', false);
  const n = X.nRows;
  const p = X.nCols;
  const colMeans = new Float64Array(p);
  const colNormsSq = new Float64Array(p);
  if (X.kind === 'dense') {
    const src = X.data;
    const eng = opts.wasm === false ? null : createEngine(n, p);
    // centring needs a copy; the WebAssembly engine needs X in its memory: copy in both cases
    const data = eng !== null ? eng.x : center ? new Float64Array(src.length) : src;
    if (eng !== null) {
      // copy, validate, centre and take norms inside WebAssembly (≈ 5× faster than the JS loops)
      data.set(src);
      const e = eng.engine;
      const bad = e.prep(e.xPtr, n, p, center ? 1 : 0, e.outA.byteOffset, e.norms.byteOffset);
      if (bad !== 0) validateDesign(X, 'prepareDesign', true); // throws NonFiniteError naming the entry
      colMeans.set(e.outA);
      colNormsSq.set(e.norms);
    } else {
      validateDesign(X, 'prepareDesign', true);
      for (let j = 0; j < p; j++) {
        const o = j * n;
        let mu = 0;
        if (center) {
          let s = 0;
          for (let i = 0; i < n; i++) s += src[o + i]!;
          mu = s / n;
          // one refinement step (two-pass mean) for columns with a large offset
          let c = 0;
          for (let i = 0; i < n; i++) c += src[o + i]! - mu;
          mu += c / n;
        }
        colMeans[j] = mu;
        let ss = 0;
        if (data !== src) {
          for (let i = 0; i < n; i++) {
            const v = src[o + i]! - mu;
            data[o + i] = v;
            ss += v * v;
          }
        } else {
          for (let i = 0; i < n; i++) ss += src[o + i]! * src[o + i]!;
        }
        colNormsSq[j] = ss;
      }
    }
    if (eng !== null) eng.engine.norms.set(colNormsSq);
    const colNorms = colNormsSq.map(Math.sqrt);
    return {
      kind: 'prepared', source: X, nRows: n, nCols: p, centered: center, isSparse: false, data,
      indptr: new Int32Array(0), indices: new Int32Array(0), colMeans, implicitMeans: new Float64Array(p),
      colNormsSq, colNorms, wasm: eng === null ? null : eng.engine,
    };
  }
  const { indptr, indices, values } = X;
  for (let j = 0; j < p; j++) {
    const a = indptr[j]!;
    const b = indptr[j + 1]!;
    let s = 0;
    for (let k = a; k < b; k++) s += values[k]!;
    const mu = center ? s / n : 0;
    colMeans[j] = mu;
    // ‖X_j − μ_j 1‖² = Σ_nz (v − μ)² + (n − nnz_j) μ²  (no cancellation, unlike ‖X_j‖² − nμ²)
    let ss = 0;
    for (let k = a; k < b; k++) {
      const v = values[k]! - mu;
      ss += v * v;
    }
    colNormsSq[j] = ss + (n - (b - a)) * mu * mu;
  }
  const colNorms = colNormsSq.map(Math.sqrt);
  return {
    kind: 'prepared', source: X, nRows: n, nCols: p, centered: center, isSparse: true, data: values,
    indptr, indices, colMeans, implicitMeans: center ? colMeans : new Float64Array(p), colNormsSq, colNorms, wasm: null,
  };
}

/**
 * Returns a `PreparedDesign` with the requested centring: `X` itself when it already is one with
 * that centring, else a fresh preparation (of `X.source` for a prepared X).
 */
export function resolveDesign(X: DesignInput, center: boolean, fn: string): PreparedDesign {
  if (X === null || typeof X !== 'object') throw new InvalidArgumentError(`${fn}(): X must be a design matrix, got ${String(X)}`);
  if (isPreparedDesign(X)) {
    if ((X as { disposed?: boolean }).disposed === true) throw new InvalidArgumentError(`${fn}(): X is a disposed PreparedDesign`);
    return X.centered === center ? X : prepareDesign(X.source, { center });
  }
  if ((X as { kind?: unknown }).kind !== 'dense' && (X as { kind?: unknown }).kind !== 'csc') {
    throw new InvalidArgumentError(`${fn}(): X must be a DenseDesign ('dense'), SparseDesign ('csc') or PreparedDesign, got kind ${String((X as { kind?: unknown }).kind)}`);
  }
  return prepareDesign(X, { center });
}

/** Structure checks always; the O(n·p) finiteness scan of dense values only when `scanDense`. */
/**
 * Like `resolveDesign`, and says whether the design was prepared here (`owned`): the caller then
 * disposes it when done (its WebAssembly memory goes back to the pool).
 */
export function resolveDesignOwned(X: DesignInput, center: boolean, fn: string): { d: PreparedDesign; owned: boolean } {
  const d = resolveDesign(X, center, fn);
  return { d, owned: d !== X };
}

function validateDesign(X: DesignMatrix, fn: string, scanDense: boolean): void {
  const { nRows: n, nCols: p } = X;
  if (!Number.isInteger(n) || !Number.isInteger(p) || n < 0 || p < 0) {
    throw new InvalidArgumentError(`${fn}(): X has invalid dimensions ${n}×${p}`);
  }
  if (n === 0 || p === 0) throw new InvalidArgumentError(`${fn}(): X is empty (${n}×${p}); at least one row and one column are required`);
  if (X.kind === 'dense') {
    if (X.data.length !== n * p) throw new ShapeError(`${fn}(): X.data has ${X.data.length} values, expected nRows·nCols = ${n}·${p} = ${n * p}`);
    if (!scanDense) return;
    const d = X.data;
    for (let k = 0; k < d.length; k++) {
      const v = d[k]!;
      if (v - v !== 0) throw new NonFiniteError(`${fn}(): X contains a non-finite value (${v}) at row ${k % n}, column ${Math.floor(k / n)}`);
    }
    return;
  }
  const { indptr, indices, values } = X;
  if (indptr.length !== p + 1) throw new ShapeError(`${fn}(): X.indptr has length ${indptr.length}, expected nCols + 1 = ${p + 1}`);
  const nnz = indptr[p]!;
  if (indptr[0] !== 0) throw new InvalidArgumentError(`${fn}(): X.indptr[0] must be 0, got ${indptr[0]}`);
  if (indices.length < nnz || values.length < nnz) {
    throw new ShapeError(`${fn}(): X.indptr[nCols] = ${nnz} but indices/values have ${indices.length}/${values.length} entries`);
  }
  for (let j = 0; j < p; j++) {
    const a = indptr[j]!;
    const b = indptr[j + 1]!;
    if (b < a) throw new InvalidArgumentError(`${fn}(): X.indptr is decreasing at column ${j} (${a} > ${b})`);
    let prev = -1;
    for (let k = a; k < b; k++) {
      const i = indices[k]!;
      if (i < 0 || i >= n) throw new InvalidArgumentError(`${fn}(): X.indices[${k}] = ${i} (column ${j}) is outside [0, ${n})`);
      if (i <= prev) throw new InvalidArgumentError(`${fn}(): row indices of column ${j} must be strictly increasing (CSC convention), got ${prev} then ${i}`);
      prev = i;
      const v = values[k]!;
      if (v - v !== 0) throw new NonFiniteError(`${fn}(): X contains a non-finite value (${v}) at row ${i}, column ${j}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// WebAssembly SIMD engine for dense designs.
//
// JavaScript has no SIMD: a scalar dot product runs at ≈1 GMAC/s in V8, against ≈3.5 GMAC/s for
// BLAS in scikit-learn's Cython CD. WebAssembly SIMD128 (f64x2, on by default in Node ≥ 16) closes
// that gap. A dense PreparedDesign therefore keeps its (centred) columns in its own
// `WebAssembly.Memory`, together with the solver's hot vectors (residual, coefficients, thresholds,
// working set), so that a whole CD epoch, Xᵀv products and Xβ run inside WebAssembly with no copy.
// The module is assembled below from a tiny opcode DSL (no toolchain, no dependency); if the runtime
// lacks SIMD, or the matrix does not fit a 32-bit memory, the JavaScript kernels are used instead.
// Memory is sized once and never grown, so the Float64Array views stay valid.
// ---------------------------------------------------------------------------------------------

const uleb = (v: number): number[] => {
  const o: number[] = [];
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    o.push(b);
  } while (v !== 0);
  return o;
};
const sleb = (v: number): number[] => {
  const o: number[] = [];
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      o.push(b);
      return o;
    }
    o.push(b | 0x80);
  }
};
const wvec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const wsection = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const wstr = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
const T_I32 = 0x7f, T_F64 = 0x7c, T_V128 = 0x7b, T_VOID = 0x40;
// instruction helpers (stack machine)
const get = (i: number): number[] => [0x20, ...uleb(i)];
const set = (i: number): number[] => [0x21, ...uleb(i)];
const tee = (i: number): number[] => [0x22, ...uleb(i)];
const i32c = (v: number): number[] => [0x41, ...sleb(v)];
const f64c0: number[] = [0x44, 0, 0, 0, 0, 0, 0, 0, 0];
const I32_ADD = 0x6a, I32_MUL = 0x6c, I32_SHL = 0x74, I32_AND = 0x71, I32_GE_U = 0x4f;
const F64_ADD = 0xa0, F64_SUB = 0xa1, F64_MUL = 0xa2, F64_DIV = 0xa3, F64_NEG = 0x9a, F64_NE = 0x62, F64_GT = 0x64, F64_LT = 0x63;
const f64load = (off = 0): number[] => [0x2b, 3, ...uleb(off)];
const f64store = (off = 0): number[] => [0x39, 3, ...uleb(off)];
const i32load = (off = 0): number[] => [0x28, 2, ...uleb(off)];
const simd = (op: number, ...imm: number[]): number[] => [0xfd, ...uleb(op), ...imm];
const v128load = (off = 0): number[] => simd(0x00, 3, ...uleb(off));
const v128store = (off = 0): number[] => simd(0x0b, 3, ...uleb(off));
const F2_SPLAT = simd(0x14), F2_ADD = simd(0xf0), F2_SUB = simd(0xf1), F2_MUL = simd(0xf2);
const F64_CONVERT_I32_S = 0xb7;
const lane = (k: number): number[] => simd(0x21, k);
const block = (...body: number[][]): number[] => [0x02, T_VOID, ...body.flat(), 0x0b];
const loop = (...body: number[][]): number[] => [0x03, T_VOID, ...body.flat(), 0x0b];
const brIf = (depth: number): number[] => [0x0d, depth];
const br = (depth: number): number[] => [0x0c, depth];
const ifF64 = (then: number[], els: number[]): number[] => [0x04, T_F64, ...then, 0x05, ...els, 0x0b];
const ifVoid = (...then: number[][]): number[] => [0x04, T_VOID, ...then.flat(), 0x0b];

/** while (I < END) { body; I += step } */
const whileLt = (I: number, END: number, step: number, ...body: number[][]): number[] =>
  block(loop(get(I), get(END), [I32_GE_U], brIf(1), ...body, get(I), i32c(step), [I32_ADD], set(I), br(0)));

/**
 * S = Σ_i C[i]·V[i] over byte range [0, ENDB): SIMD over [0, END4) with two f64x2 accumulators
 * (A0, A1), scalar tail. C, V: byte pointers; I: scratch index.
 */
const emitDot = (C: number, V: number, I: number, END4: number, ENDB: number, A0: number, A1: number, S: number, A2 = -1, A3 = -1, END8 = -1): number[] => [
  ...f64c0, ...F2_SPLAT, ...tee(A0), ...(A2 >= 0 ? [...tee(A2), ...tee(A3)] : []), ...set(A1), ...i32c(0), ...set(I),
  // 4 accumulators over [0, END8) (64 bytes per iteration) when given, then 2 over [.., END4)
  ...(A2 >= 0
    ? whileLt(I, END8, 64,
      get(A0), get(C), get(I), [I32_ADD], v128load(0), get(V), get(I), [I32_ADD], v128load(0), F2_MUL, F2_ADD, set(A0),
      get(A1), get(C), get(I), [I32_ADD], v128load(16), get(V), get(I), [I32_ADD], v128load(16), F2_MUL, F2_ADD, set(A1),
      get(A2), get(C), get(I), [I32_ADD], v128load(32), get(V), get(I), [I32_ADD], v128load(32), F2_MUL, F2_ADD, set(A2),
      get(A3), get(C), get(I), [I32_ADD], v128load(48), get(V), get(I), [I32_ADD], v128load(48), F2_MUL, F2_ADD, set(A3))
    : []),
  ...whileLt(I, END4, 32,
    get(A0), get(C), get(I), [I32_ADD], v128load(0), get(V), get(I), [I32_ADD], v128load(0), F2_MUL, F2_ADD, set(A0),
    get(A1), get(C), get(I), [I32_ADD], v128load(16), get(V), get(I), [I32_ADD], v128load(16), F2_MUL, F2_ADD, set(A1)),
  ...(A2 >= 0 ? [...get(A0), ...get(A2), ...F2_ADD, ...set(A0), ...get(A1), ...get(A3), ...F2_ADD, ...set(A1)] : []),
  ...get(A0), ...get(A1), ...F2_ADD, ...tee(A0), ...lane(0), ...get(A0), ...lane(1), F64_ADD, ...set(S),
  ...whileLt(I, ENDB, 8,
    get(S), get(C), get(I), [I32_ADD], f64load(), get(V), get(I), [I32_ADD], f64load(), [F64_MUL], [F64_ADD], set(S)),
];

/**
 * Pointer-walking variants for the CD epoch (fewer integer ops per iteration than base+index):
 * PC walks the column, PV the vector, PE is the current end pointer; 4 accumulators over 64-byte
 * blocks, then 32-byte blocks, then a scalar tail.
 */
const emitDotP = (C: number, V: number, PC: number, PV: number, PE: number, END8: number, END4: number, ENDB: number,
  A0: number, A1: number, A2: number, A3: number, S: number): number[] => [
  ...f64c0, ...F2_SPLAT, ...tee(A0), ...tee(A1), ...tee(A2), ...set(A3),
  ...get(C), ...set(PC), ...get(V), ...set(PV), ...get(C), ...get(END8), I32_ADD, ...set(PE),
  ...whileLt(PC, PE, 64,
    get(A0), get(PC), v128load(0), get(PV), v128load(0), F2_MUL, F2_ADD, set(A0),
    get(A1), get(PC), v128load(16), get(PV), v128load(16), F2_MUL, F2_ADD, set(A1),
    get(A2), get(PC), v128load(32), get(PV), v128load(32), F2_MUL, F2_ADD, set(A2),
    get(A3), get(PC), v128load(48), get(PV), v128load(48), F2_MUL, F2_ADD, set(A3),
    get(PV), i32c(64), [I32_ADD], set(PV)),
  ...get(C), ...get(END4), I32_ADD, ...set(PE),
  ...whileLt(PC, PE, 32,
    get(A0), get(PC), v128load(0), get(PV), v128load(0), F2_MUL, F2_ADD, set(A0),
    get(A1), get(PC), v128load(16), get(PV), v128load(16), F2_MUL, F2_ADD, set(A1),
    get(PV), i32c(32), [I32_ADD], set(PV)),
  ...get(A0), ...get(A2), ...F2_ADD, ...get(A1), ...get(A3), ...F2_ADD, ...F2_ADD, ...tee(A0), ...lane(0), ...get(A0), ...lane(1), F64_ADD, ...set(S),
  ...get(C), ...get(ENDB), I32_ADD, ...set(PE),
  ...whileLt(PC, PE, 8,
    get(S), get(PC), f64load(), get(PV), f64load(), [F64_MUL], [F64_ADD], set(S),
    get(PV), i32c(8), [I32_ADD], set(PV)),
];

const emitAxpyP = (C: number, V: number, PC: number, PV: number, PE: number, END8: number, END4: number, ENDB: number, DV: number, D: number): number[] => [
  ...get(C), ...set(PC), ...get(V), ...set(PV), ...get(C), ...get(END8), I32_ADD, ...set(PE),
  ...whileLt(PC, PE, 64,
    get(PV), get(PV), v128load(0), get(DV), get(PC), v128load(0), F2_MUL, F2_ADD, v128store(0),
    get(PV), get(PV), v128load(16), get(DV), get(PC), v128load(16), F2_MUL, F2_ADD, v128store(16),
    get(PV), get(PV), v128load(32), get(DV), get(PC), v128load(32), F2_MUL, F2_ADD, v128store(32),
    get(PV), get(PV), v128load(48), get(DV), get(PC), v128load(48), F2_MUL, F2_ADD, v128store(48),
    get(PV), i32c(64), [I32_ADD], set(PV)),
  ...get(C), ...get(END4), I32_ADD, ...set(PE),
  ...whileLt(PC, PE, 32,
    get(PV), get(PV), v128load(0), get(DV), get(PC), v128load(0), F2_MUL, F2_ADD, v128store(0),
    get(PV), get(PV), v128load(16), get(DV), get(PC), v128load(16), F2_MUL, F2_ADD, v128store(16),
    get(PV), i32c(32), [I32_ADD], set(PV)),
  ...get(C), ...get(ENDB), I32_ADD, ...set(PE),
  ...whileLt(PC, PE, 8,
    get(PV), get(PV), f64load(), get(D), get(PC), f64load(), [F64_MUL], [F64_ADD], f64store(),
    get(PV), i32c(8), [I32_ADD], set(PV)),
];

/** END4 = (n & ~3)·8, ENDB = n·8, NB = n·8 from param N. */
const emitEnds = (N: number, END4: number, ENDB: number): number[] => [
  ...get(N), ...i32c(-4), I32_AND, ...i32c(3), I32_SHL, ...set(END4), ...get(N), ...i32c(3), I32_SHL, ...set(ENDB),
];

function buildModule(): Uint8Array {
  const funcs: { name: string; params: number[]; locals: number[]; body: number[]; results?: number[] }[] = [];
  {
    // epoch(X, n, ws, m, beta, r, norms, thr, nl2): one cyclic CD pass (see cd.ts for the update)
    const [X, N, WS, M, BETA, R, NORMS, THR, NL2] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
    const [W, MB, JB, C, , END4, ENDB] = [9, 10, 11, 12, 13, 14, 15]; // local 13 unused
    const [A0, A1, DV] = [16, 17, 18];
    const [S, BJ, NJ, TJ, Z, NB] = [19, 20, 21, 22, 23, 24];
    const [A2, A3, END8] = [25, 26, 27];
    const [PC, PV, PE] = [28, 29, 30];
    const body = [
      ...emitEnds(N, END4, ENDB), ...get(N), ...i32c(-8), I32_AND, ...i32c(3), I32_SHL, ...set(END8),
      ...get(M), ...i32c(2), I32_SHL, ...set(MB), ...i32c(0), ...set(W),
      ...whileLt(W, MB, 4,
        // j = ws[w]; C = X + j·n·8; JB = j·8
        get(WS), get(W), [I32_ADD], i32load(), tee(JB), get(ENDB), [I32_MUL], get(X), [I32_ADD], set(C),
        get(JB), i32c(3), [I32_SHL], set(JB),
        emitDotP(C, R, PC, PV, PE, END8, END4, ENDB, A0, A1, A2, A3, S),
        get(BETA), get(JB), [I32_ADD], f64load(), set(BJ),
        get(NORMS), get(JB), [I32_ADD], f64load(), set(NJ),
        get(THR), get(JB), [I32_ADD], f64load(), set(TJ),
        get(S), get(NJ), get(BJ), [F64_MUL], [F64_ADD], set(Z),
        // nb = z > t ? (z − t)/(N_j + nλ₂) : z < −t ? (z + t)/(N_j + nλ₂) : 0
        get(Z), get(TJ), [F64_GT],
        ifF64(
          [...get(Z), ...get(TJ), F64_SUB, ...get(NJ), ...get(NL2), F64_ADD, F64_DIV],
          [...get(Z), ...get(TJ), F64_NEG, F64_LT, ...ifF64([...get(Z), ...get(TJ), F64_ADD, ...get(NJ), ...get(NL2), F64_ADD, F64_DIV], f64c0)],
        ),
        set(NB),
        get(NB), get(BJ), [F64_NE],
        ifVoid(
          get(BJ), get(NB), [F64_SUB], tee(Z), F2_SPLAT, set(DV),
          emitAxpyP(C, R, PC, PV, PE, END8, END4, ENDB, DV, Z),
          get(BETA), get(JB), [I32_ADD], get(NB), f64store(),
        )),
    ];
    funcs.push({ name: 'epoch', params: [T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_F64], locals: [T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_V128, T_V128, T_V128, T_F64, T_F64, T_F64, T_F64, T_F64, T_F64, T_V128, T_V128, T_I32, T_I32, T_I32, T_I32], body });
  }
  {
    // dots(X, n, cols, count, v, out): out[j] = X_jᵀv for j in cols[0..count)
    const [X, N, COLS, CNT, V, OUT] = [0, 1, 2, 3, 4, 5];
    const [T, TB, JB, C, , END4, ENDB] = [6, 7, 8, 9, 10, 11, 12]; // local 10 unused
    const [A0, A1] = [13, 14];
    const S = 15;
    const [A2, A3, END8] = [16, 17, 18];
    const [PC, PV, PE] = [19, 20, 21];
    const body = [
      ...emitEnds(N, END4, ENDB), ...get(N), ...i32c(-8), I32_AND, ...i32c(3), I32_SHL, ...set(END8),
      ...get(CNT), ...i32c(2), I32_SHL, ...set(TB), ...i32c(0), ...set(T),
      ...whileLt(T, TB, 4,
        get(COLS), get(T), [I32_ADD], i32load(), tee(JB), get(ENDB), [I32_MUL], get(X), [I32_ADD], set(C),
        emitDotP(C, V, PC, PV, PE, END8, END4, ENDB, A0, A1, A2, A3, S),
        get(OUT), get(JB), i32c(3), [I32_SHL], [I32_ADD], get(S), f64store()),
    ];
    funcs.push({ name: 'dots', params: [T_I32, T_I32, T_I32, T_I32, T_I32, T_I32], locals: [T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_V128, T_V128, T_F64, T_V128, T_V128, T_I32, T_I32, T_I32, T_I32], body });
  }
  {
    // dots2(X, n, cols, count, a, b, outA, outB): fused outA[j] = X_jᵀa, outB[j] = X_jᵀb
    const [X, N, COLS, CNT, A, B, OA, OB] = [0, 1, 2, 3, 4, 5, 6, 7];
    const [T, TB, JB, C, I, END4, ENDB] = [8, 9, 10, 11, 12, 13, 14];
    const [A0, A1, B0, B1, XV] = [15, 16, 17, 18, 19];
    const [SA, SB] = [20, 21];
    const body = [
      ...emitEnds(N, END4, ENDB), ...get(CNT), ...i32c(2), I32_SHL, ...set(TB), ...i32c(0), ...set(T),
      ...whileLt(T, TB, 4,
        get(COLS), get(T), [I32_ADD], i32load(), tee(JB), get(ENDB), [I32_MUL], get(X), [I32_ADD], set(C),
        f64c0, F2_SPLAT, tee(A0), tee(A1), tee(B0), set(B1), i32c(0), set(I),
        whileLt(I, END4, 32,
          get(C), get(I), [I32_ADD], v128load(0), set(XV),
          get(A0), get(XV), get(A), get(I), [I32_ADD], v128load(0), F2_MUL, F2_ADD, set(A0),
          get(B0), get(XV), get(B), get(I), [I32_ADD], v128load(0), F2_MUL, F2_ADD, set(B0),
          get(C), get(I), [I32_ADD], v128load(16), set(XV),
          get(A1), get(XV), get(A), get(I), [I32_ADD], v128load(16), F2_MUL, F2_ADD, set(A1),
          get(B1), get(XV), get(B), get(I), [I32_ADD], v128load(16), F2_MUL, F2_ADD, set(B1)),
        get(A0), get(A1), F2_ADD, tee(A0), lane(0), get(A0), lane(1), [F64_ADD], set(SA),
        get(B0), get(B1), F2_ADD, tee(B0), lane(0), get(B0), lane(1), [F64_ADD], set(SB),
        whileLt(I, ENDB, 8,
          get(SA), get(C), get(I), [I32_ADD], f64load(), get(A), get(I), [I32_ADD], f64load(), [F64_MUL], [F64_ADD], set(SA),
          get(SB), get(C), get(I), [I32_ADD], f64load(), get(B), get(I), [I32_ADD], f64load(), [F64_MUL], [F64_ADD], set(SB)),
        get(JB), i32c(3), [I32_SHL], set(JB),
        get(OA), get(JB), [I32_ADD], get(SA), f64store(),
        get(OB), get(JB), [I32_ADD], get(SB), f64store()),
    ];
    funcs.push({ name: 'dots2', params: [T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_I32], locals: [T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_V128, T_V128, T_V128, T_V128, T_V128, T_F64, T_F64], body });
  }
  {
    // gemvSkip(X, n, p, beta, out): out += Σ_{β_j ≠ 0} β_j X_j
    const [X, N, P, BETA, OUT] = [0, 1, 2, 3, 4];
    const [J, PB, C, , END4, ENDB] = [5, 6, 7, 8, 9, 10]; // local 8 unused
    const DV = 11;
    const BJ = 12;
    const [PC, PV, PE, END8] = [13, 14, 15, 16];
    const body = [
      ...emitEnds(N, END4, ENDB), ...get(N), ...i32c(-8), I32_AND, ...i32c(3), I32_SHL, ...set(END8),
      ...get(P), ...i32c(3), I32_SHL, ...set(PB), ...i32c(0), ...set(J), ...get(X), ...set(C),
      ...whileLt(J, PB, 8,
        get(BETA), get(J), [I32_ADD], f64load(), tee(BJ), f64c0, [F64_NE],
        ifVoid(get(BJ), F2_SPLAT, set(DV), emitAxpyP(C, OUT, PC, PV, PE, END8, END4, ENDB, DV, BJ)),
        get(C), get(ENDB), [I32_ADD], set(C)),
    ];
    funcs.push({ name: 'gemvSkip', params: [T_I32, T_I32, T_I32, T_I32, T_I32], locals: [T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_V128, T_F64, T_I32, T_I32, T_I32, T_I32], body });
  }
  {
    // prep(X, n, p, center, means, norms): in place, per column: μ = mean (two-pass refined),
    // X_j ← X_j − μ (when center), norms[j] = ‖X_j‖², means[j] = μ; returns 1 if a column sum or
    // norm is not finite (NaN/±Inf in X, or overflow: the caller then scans X in JavaScript).
    const [X, N, P, CEN, MEANS, NORMS] = [0, 1, 2, 3, 4, 5];
    const [J, PB, C, I, END4, ENDB, BAD] = [6, 7, 8, 9, 10, 11, 12];
    const [A0, A1, MV] = [13, 14, 15];
    const [S, MU, NF] = [16, 17, 18];
    // Σ (x − shift) into S, shift in MV (f64x2) / MU (f64)
    const sumShifted = (): number[] => [
      ...f64c0, ...F2_SPLAT, ...tee(A0), ...set(A1), ...i32c(0), ...set(I),
      ...whileLt(I, END4, 32,
        get(A0), get(C), get(I), [I32_ADD], v128load(0), get(MV), F2_SUB, F2_ADD, set(A0),
        get(A1), get(C), get(I), [I32_ADD], v128load(16), get(MV), F2_SUB, F2_ADD, set(A1)),
      ...get(A0), ...get(A1), ...F2_ADD, ...tee(A0), ...lane(0), ...get(A0), ...lane(1), F64_ADD, ...set(S),
      ...whileLt(I, ENDB, 8, get(S), get(C), get(I), [I32_ADD], f64load(), get(MU), [F64_SUB], [F64_ADD], set(S)),
    ];
    const body = [
      ...emitEnds(N, END4, ENDB), ...get(P), ...i32c(3), I32_SHL, ...set(PB), ...i32c(0), ...set(J), ...get(X), ...set(C),
      ...get(N), F64_CONVERT_I32_S, ...set(NF),
      ...whileLt(J, PB, 8,
        f64c0, set(MU), f64c0, F2_SPLAT, set(MV),
        get(CEN),
        ifVoid(
          sumShifted(), get(S), get(NF), [F64_DIV], tee(MU), F2_SPLAT, set(MV),
          sumShifted(), get(MU), get(S), get(NF), [F64_DIV], [F64_ADD], tee(MU), F2_SPLAT, set(MV),
          // X_j ← X_j − μ
          i32c(0), set(I),
          whileLt(I, END4, 32,
            get(C), get(I), [I32_ADD], get(C), get(I), [I32_ADD], v128load(0), get(MV), F2_SUB, v128store(0),
            get(C), get(I), [I32_ADD], get(C), get(I), [I32_ADD], v128load(16), get(MV), F2_SUB, v128store(16)),
          whileLt(I, ENDB, 8, get(C), get(I), [I32_ADD], get(C), get(I), [I32_ADD], f64load(), get(MU), [F64_SUB], f64store()),
        ),
        get(MEANS), get(J), [I32_ADD], get(MU), f64store(),
        emitDot(C, C, I, END4, ENDB, A0, A1, S),
        get(NORMS), get(J), [I32_ADD], get(S), f64store(),
        // finite check: S − S ≠ 0 ⇔ S is NaN/±Inf
        get(S), get(S), [F64_SUB], f64c0, [F64_NE], get(MU), get(MU), [F64_SUB], f64c0, [F64_NE], [0x72 /* i32.or */],
        ifVoid(i32c(1), set(BAD)),
        get(C), get(ENDB), [I32_ADD], set(C)),
      ...get(BAD),
    ];
    funcs.push({ name: 'prep', params: [T_I32, T_I32, T_I32, T_I32, T_I32, T_I32], locals: [T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_V128, T_V128, T_V128, T_F64, T_F64, T_F64], body, results: [T_I32] });
  }
  {
    // wnorms(X, n, ws, m, h, out): out[j] = Σ_i h_i X_ij² for j in ws (logistic curvatures)
    const [X, N, WS, M, H, OUT] = [0, 1, 2, 3, 4, 5];
    const [W, MB, JB, C, PC, PH, PE, END4, ENDB] = [6, 7, 8, 9, 10, 11, 12, 13, 14];
    const [A0, A1, XV] = [15, 16, 17];
    const S = 18;
    const body = [
      ...emitEnds(N, END4, ENDB), ...get(M), ...i32c(2), I32_SHL, ...set(MB), ...i32c(0), ...set(W),
      ...whileLt(W, MB, 4,
        get(WS), get(W), [I32_ADD], i32load(), tee(JB), get(ENDB), [I32_MUL], get(X), [I32_ADD], set(C),
        f64c0, F2_SPLAT, tee(A0), set(A1),
        get(C), set(PC), get(H), set(PH), get(C), get(END4), [I32_ADD], set(PE),
        whileLt(PC, PE, 32,
          get(PC), v128load(0), set(XV), get(A0), get(XV), get(XV), F2_MUL, get(PH), v128load(0), F2_MUL, F2_ADD, set(A0),
          get(PC), v128load(16), set(XV), get(A1), get(XV), get(XV), F2_MUL, get(PH), v128load(16), F2_MUL, F2_ADD, set(A1),
          get(PH), i32c(32), [I32_ADD], set(PH)),
        get(A0), get(A1), F2_ADD, tee(A0), lane(0), get(A0), lane(1), [F64_ADD], set(S),
        get(C), get(ENDB), [I32_ADD], set(PE),
        whileLt(PC, PE, 8,
          get(S), get(PC), f64load(), get(PC), f64load(), [F64_MUL], get(PH), f64load(), [F64_MUL], [F64_ADD], set(S),
          get(PH), i32c(8), [I32_ADD], set(PH)),
        get(OUT), get(JB), i32c(3), [I32_SHL], [I32_ADD], get(S), f64store()),
    ];
    funcs.push({ name: 'wnorms', params: [T_I32, T_I32, T_I32, T_I32, T_I32, T_I32], locals: [T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_V128, T_V128, T_V128, T_F64], body });
  }
  {
    // wepoch(X, n, ws, m, beta, delta, w, h, curv, lam) → max_j H_jj|δ_j|: one CD pass on the
    // proximal-Newton model (logreg.ts): ∂_j = X_jᵀw, b_j = β_j + Δ_j ← ST(b_j − ∂_j/H_jj, λ/H_jj),
    // w ← w + δ·(h ∘ X_j)
    const [X, N, WS, M, BETA, DELTA, WV, H, CURV, LAM] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    const [W, MB, JB, C, PC, PV, PE, PH, END8, END4, ENDB] = [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20];
    const [A0, A1, A2, A3, DV] = [21, 22, 23, 24, 25];
    const [S, HJ, OLD, Z, TJ, NV, DL, MAXC] = [26, 27, 28, 29, 30, 31, 32, 33];
    const body = [
      ...emitEnds(N, END4, ENDB), ...get(N), ...i32c(-8), I32_AND, ...i32c(3), I32_SHL, ...set(END8),
      ...get(M), ...i32c(2), I32_SHL, ...set(MB), ...i32c(0), ...set(W), ...f64c0, ...set(MAXC),
      ...whileLt(W, MB, 4,
        get(WS), get(W), [I32_ADD], i32load(), tee(JB), get(ENDB), [I32_MUL], get(X), [I32_ADD], set(C),
        get(JB), i32c(3), [I32_SHL], set(JB),
        get(CURV), get(JB), [I32_ADD], f64load(), tee(HJ), f64c0, [F64_GT],
        ifVoid(
          emitDotP(C, WV, PC, PV, PE, END8, END4, ENDB, A0, A1, A2, A3, S),
          get(BETA), get(JB), [I32_ADD], f64load(), get(DELTA), get(JB), [I32_ADD], f64load(), [F64_ADD], set(OLD),
          get(OLD), get(S), get(HJ), [F64_DIV], [F64_SUB], set(Z),
          get(LAM), get(HJ), [F64_DIV], set(TJ),
          get(Z), get(TJ), [F64_GT],
          ifF64([...get(Z), ...get(TJ), F64_SUB], [...get(Z), ...get(TJ), F64_NEG, F64_LT, ...ifF64([...get(Z), ...get(TJ), F64_ADD], f64c0)]),
          set(NV),
          get(NV), get(OLD), [F64_NE],
          ifVoid(
            get(NV), get(OLD), [F64_SUB], tee(DL), F2_SPLAT, set(DV),
            get(DELTA), get(JB), [I32_ADD], get(NV), get(BETA), get(JB), [I32_ADD], f64load(), [F64_SUB], f64store(),
            // w += δ·h∘X_j
            get(C), set(PC), get(WV), set(PV), get(H), set(PH), get(C), get(END4), [I32_ADD], set(PE),
            whileLt(PC, PE, 32,
              get(PV), get(PV), v128load(0), get(DV), get(PH), v128load(0), F2_MUL, get(PC), v128load(0), F2_MUL, F2_ADD, v128store(0),
              get(PV), get(PV), v128load(16), get(DV), get(PH), v128load(16), F2_MUL, get(PC), v128load(16), F2_MUL, F2_ADD, v128store(16),
              get(PV), i32c(32), [I32_ADD], set(PV), get(PH), i32c(32), [I32_ADD], set(PH)),
            get(C), get(ENDB), [I32_ADD], set(PE),
            whileLt(PC, PE, 8,
              get(PV), get(PV), f64load(), get(DL), get(PH), f64load(), [F64_MUL], get(PC), f64load(), [F64_MUL], [F64_ADD], f64store(),
              get(PV), i32c(8), [I32_ADD], set(PV), get(PH), i32c(8), [I32_ADD], set(PH)),
            // maxc = max(maxc, H_jj·|δ|)
            get(HJ), get(DL), [0x99 /* f64.abs */], [F64_MUL], tee(Z), get(MAXC), [F64_GT],
            ifVoid(get(Z), set(MAXC)),
          ),
        )),
      ...get(MAXC),
    ];
    funcs.push({
      name: 'wepoch', params: [T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_F64],
      locals: [T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_V128, T_V128, T_V128, T_V128, T_V128, T_F64, T_F64, T_F64, T_F64, T_F64, T_F64, T_F64, T_F64],
      body, results: [T_F64],
    });
  }
  const types = funcs.map((f) => [0x60, ...wvec(f.params.map((t) => [t])), ...wvec((f.results ?? []).map((t) => [t]))]);
  const code = funcs.map((f) => {
    const locals = wvec(f.locals.map((t) => [1, t]));
    const b = [...locals, ...f.body, 0x0b];
    return [...uleb(b.length), ...b];
  });
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    ...wsection(1, wvec(types)),
    ...wsection(2, wvec([[...wstr('env'), ...wstr('mem'), 0x02, 0x00, ...uleb(1)]])),
    ...wsection(3, wvec(funcs.map((_, k) => uleb(k)))),
    ...wsection(7, wvec(funcs.map((f, k) => [...wstr(f.name), 0x00, ...uleb(k)]))),
    ...wsection(10, wvec(code)),
  ]);
}

/** The slice of the WebAssembly JS API used here (the project's `lib` has no DOM/WebAssembly types). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (mod: object, imports: object) => { readonly exports: Record<string, unknown> };
  Memory: new (desc: { initial: number }) => { readonly buffer: ArrayBuffer };
}
const WA = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

let wasmModule: object | null | undefined;
function getWasmModule(): object | null {
  if (wasmModule !== undefined) return wasmModule;
  wasmModule = null;
  try {
    if (WA !== undefined && process.env.NSDIFF_NO_WASM !== '1') {
      const bytes = buildModule();
      if (WA.validate(bytes)) wasmModule = new WA.Module(bytes);
    }
  } catch {
    wasmModule = null;
  }
  return wasmModule;
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
  readonly dots: (X: number, n: number, cols: number, count: number, v: number, out: number) => void;
  readonly dots2: (X: number, n: number, cols: number, count: number, a: number, b: number, outA: number, outB: number) => void;
  readonly gemvSkip: (X: number, n: number, p: number, beta: number, out: number) => void;
  readonly prep: (X: number, n: number, p: number, center: number, means: number, norms: number) => number;
  readonly wnorms: (X: number, n: number, ws: number, m: number, h: number, out: number) => void;
  readonly wepoch: (X: number, n: number, ws: number, m: number, beta: number, delta: number, w: number, h: number, curv: number, lam: number) => number;
}

interface PoolSlot {
  readonly memory: { readonly buffer: ArrayBuffer };
  readonly inst: { readonly exports: Record<string, unknown> };
  readonly bytes: number;
}
/** Released engine memories, most recent last (bounded: see `releaseEngine`). */
const enginePool: PoolSlot[] = [];
const POOL_MAX = 4;
const POOL_MAX_BYTES = 2 ** 30;

/** Allocates the engine and returns it with the view of X inside it, or null (JS kernels). */
function createEngine(n: number, p: number): { engine: WasmEngine; x: Float64Array } | null {
  const mod = getWasmModule();
  if (mod === null) return null;
  // layout (f64 units): X | r | beta | thr | norms | vecA | vecB | outA | outB | lw | lh | lu | ldelta | lcurv
  // then i32: ws | cols | allCols
  const nf = n * p + 7 * n + 7 * p;
  const bytes = nf * 8 + 3 * p * 4 + 64;
  if (bytes > 2 ** 31) return null; // keep i32 byte offsets positive
  let slot: PoolSlot | undefined;
  // reuse a released memory of a suitable size (its pages are already mapped: a fresh memory costs
  // a page fault per 4 KiB on first touch, which dominates small solves)
  for (let k = 0; k < enginePool.length; k++) {
    const c = enginePool[k]!;
    if (c.bytes >= bytes && c.bytes <= 2 * bytes + (1 << 20)) {
      slot = c;
      enginePool.splice(k, 1);
      break;
    }
  }
  if (slot === undefined) {
    try {
      const pages = Math.ceil(bytes / 65536);
      const memory = new WA!.Memory({ initial: pages });
      slot = { memory, inst: new WA!.Instance(mod, { env: { mem: memory } }), bytes: pages * 65536 };
    } catch {
      return null;
    }
  }
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
  const lw = f(n), lh = f(n), lu = f(n), ldelta = f(p), lcurv = f(p);
  const ii = (len: number): Int32Array => {
    const v = new Int32Array(buf, off, len);
    off += len * 4;
    return v;
  };
  const ws = ii(p), cols = ii(p), allCols = ii(p);
  for (let j = 0; j < p; j++) allCols[j] = j;
  const ex = inst.exports as Record<string, unknown>;
  const engine: WasmEngine = {
    slot, buffer: buf, xPtr: x.byteOffset, r, beta, thr, norms, ws, vecA, vecB, outA, outB, lw, lh, lu, ldelta, lcurv, cols, allCols, busy: false,
    epoch: ex.epoch as WasmEngine['epoch'],
    dots: ex.dots as WasmEngine['dots'],
    dots2: ex.dots2 as WasmEngine['dots2'],
    gemvSkip: ex.gemvSkip as WasmEngine['gemvSkip'],
    prep: ex.prep as WasmEngine['prep'],
    wnorms: ex.wnorms as WasmEngine['wnorms'],
    wepoch: ex.wepoch as WasmEngine['wepoch'],
  };
  return { engine, x };
}

/** Byte pointer of `v` inside the engine memory, or −1 if it lives elsewhere. */
function ptrIn(e: WasmEngine, v: ArrayBufferView): number {
  return v.buffer === e.buffer ? v.byteOffset : -1;
}

/** Pointer to `v` (len entries) in the engine memory, copying it into `stage` if needed. */
function stageVec(e: WasmEngine, v: Float64Array, stage: Float64Array, len: number): number {
  const ptr = ptrIn(e, v);
  if (ptr >= 0) return ptr;
  stage.set(v.length === len ? v : v.subarray(0, len));
  return stage.byteOffset;
}

/** Pointer to the column list (all columns for null). */
function stageCols(e: WasmEngine, cols: Int32Array | null, m: number): number {
  if (cols === null) return e.allCols.byteOffset;
  const ptr = ptrIn(e, cols);
  if (ptr >= 0) return ptr;
  e.cols.set(cols.subarray(0, m));
  return e.cols.byteOffset;
}

/** Copies the computed entries of a staged output back. */
function unstage(src: Float64Array, out: Float64Array, cols: Int32Array | null, m: number): void {
  if (cols === null) {
    out.set(src.subarray(0, m));
    return;
  }
  for (let t = 0; t < m; t++) {
    const j = cols[t]!;
    out[j] = src[j]!;
  }
}

// ---------------------------------------------------------------------------------------------
// Column kernels (not the CD hot loop, which lives in cd.ts / logreg.ts, but O(nnz) passes used
// for gaps, screening, gradients and residual recomputation).
// ---------------------------------------------------------------------------------------------

/** Σ r. */
export function vecSum(n: number, r: Float64Array): number {
  let s0 = 0, s1 = 0;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    s0 += r[i]!;
    s1 += r[i + 1]!;
  }
  if (i < n) s0 += r[i]!;
  return s0 + s1;
}

/**
 * out[j] = X_c,jᵀ r for j in `cols[0..count)` (or all columns when `cols` is null).
 * `rSum` must be Σ r (used for the implicit centring of CSC columns; pass 0 otherwise).
 */
export function colDots(d: PreparedDesign, r: Float64Array, rSum: number, cols: Int32Array | null, count: number, out: Float64Array): void {
  const n = d.nRows;
  const m = cols === null ? d.nCols : count;
  const X = d.data;
  const e = d.wasm;
  if (e !== null) {
    const vp = stageVec(e, r, e.vecA, n);
    const cp = stageCols(e, cols, m);
    const op = ptrIn(e, out);
    e.dots(e.xPtr, n, cp, m, vp, op >= 0 ? op : e.outA.byteOffset);
    if (op < 0) unstage(e.outA, out, cols, m);
    return;
  }
  if (!d.isSparse) {
    for (let t = 0; t < m; t++) {
      const j = cols === null ? t : cols[t]!;
      const o = j * n;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      let i = 0;
      for (; i + 3 < n; i += 4) {
        s0 += X[o + i]! * r[i]!;
        s1 += X[o + i + 1]! * r[i + 1]!;
        s2 += X[o + i + 2]! * r[i + 2]!;
        s3 += X[o + i + 3]! * r[i + 3]!;
      }
      for (; i < n; i++) s0 += X[o + i]! * r[i]!;
      out[j] = s0 + s1 + s2 + s3;
    }
    return;
  }
  const { indptr, indices } = d;
  const mu = d.implicitMeans;
  for (let t = 0; t < m; t++) {
    const j = cols === null ? t : cols[t]!;
    let s = 0;
    const b = indptr[j + 1]!;
    for (let k = indptr[j]!; k < b; k++) s += X[k]! * r[indices[k]!]!;
    out[j] = s - mu[j]! * rSum;
  }
}

/**
 * Fused pair of `colDots`: outA[j] = X_c,jᵀ a and outB[j] = X_c,jᵀ b in ONE pass over X (X is the
 * memory-bound operand, so two products cost about one).
 */
export function colDots2(
  d: PreparedDesign,
  a: Float64Array, aSum: number, b: Float64Array, bSum: number,
  cols: Int32Array | null, count: number, outA: Float64Array, outB: Float64Array,
): void {
  const n = d.nRows;
  const m = cols === null ? d.nCols : count;
  const X = d.data;
  const e = d.wasm;
  if (e !== null) {
    const ap = stageVec(e, a, e.vecA, n);
    const bp = stageVec(e, b, e.vecB, n);
    const cp = stageCols(e, cols, m);
    const oa = ptrIn(e, outA);
    const ob = ptrIn(e, outB);
    e.dots2(e.xPtr, n, cp, m, ap, bp, oa >= 0 ? oa : e.outA.byteOffset, ob >= 0 ? ob : e.outB.byteOffset);
    if (oa < 0) unstage(e.outA, outA, cols, m);
    if (ob < 0) unstage(e.outB, outB, cols, m);
    return;
  }
  if (!d.isSparse) {
    for (let t = 0; t < m; t++) {
      const j = cols === null ? t : cols[t]!;
      const o = j * n;
      let s0 = 0, s1 = 0, u0 = 0, u1 = 0;
      let i = 0;
      for (; i + 1 < n; i += 2) {
        const x0 = X[o + i]!;
        const x1 = X[o + i + 1]!;
        s0 += x0 * a[i]!;
        s1 += x1 * a[i + 1]!;
        u0 += x0 * b[i]!;
        u1 += x1 * b[i + 1]!;
      }
      if (i < n) {
        s0 += X[o + i]! * a[i]!;
        u0 += X[o + i]! * b[i]!;
      }
      outA[j] = s0 + s1;
      outB[j] = u0 + u1;
    }
    return;
  }
  const { indptr, indices } = d;
  const mu = d.implicitMeans;
  for (let t = 0; t < m; t++) {
    const j = cols === null ? t : cols[t]!;
    let s = 0, u = 0;
    const e = indptr[j + 1]!;
    for (let k = indptr[j]!; k < e; k++) {
      const v = X[k]!;
      const i = indices[k]!;
      s += v * a[i]!;
      u += v * b[i]!;
    }
    outA[j] = s - mu[j]! * aSum;
    outB[j] = u - mu[j]! * bSum;
  }
}

/** r ← r + α·X_c,j (for CSC with implicit centring this is O(n): only for non-hot uses). */
export function colAxpy(d: PreparedDesign, j: number, alpha: number, r: Float64Array): void {
  const n = d.nRows;
  const X = d.data;
  if (!d.isSparse) {
    const o = j * n;
    for (let i = 0; i < n; i++) r[i] += alpha * X[o + i]!;
    return;
  }
  const { indptr, indices } = d;
  const e = indptr[j + 1]!;
  for (let k = indptr[j]!; k < e; k++) r[indices[k]!] += alpha * X[k]!;
  const shift = alpha * d.implicitMeans[j]!;
  if (shift !== 0) for (let i = 0; i < n; i++) r[i] -= shift;
}

/** out ← X_c β (zero coefficients are skipped, so this costs O(n·nnz(β)) for dense X). */
export function matvec(d: PreparedDesign, beta: Float64Array, out: Float64Array): void {
  const n = d.nRows;
  const p = d.nCols;
  out.fill(0, 0, n);
  const X = d.data;
  const e = d.wasm;
  if (e !== null) {
    const bp = stageVec(e, beta, e.outB, p);
    const op = ptrIn(e, out);
    if (op < 0) e.vecA.fill(0);
    e.gemvSkip(e.xPtr, n, p, bp, op >= 0 ? op : e.vecA.byteOffset);
    if (op < 0) out.set(e.vecA);
    return;
  }
  if (!d.isSparse) {
    for (let j = 0; j < p; j++) {
      const bj = beta[j]!;
      if (bj === 0) continue;
      const o = j * n;
      for (let i = 0; i < n; i++) out[i] += bj * X[o + i]!;
    }
    return;
  }
  const { indptr, indices } = d;
  const mu = d.implicitMeans;
  let shift = 0;
  for (let j = 0; j < p; j++) {
    const bj = beta[j]!;
    if (bj === 0) continue;
    shift += mu[j]! * bj;
    const e = indptr[j + 1]!;
    for (let k = indptr[j]!; k < e; k++) out[indices[k]!] += bj * X[k]!;
  }
  if (shift !== 0) for (let i = 0; i < n; i++) out[i] -= shift;
}

/**
 * ‖X_c‖₂² (largest eigenvalue of X_cᵀX_c) by power iteration, plus `extraOnes` adds a column of
 * ones (for unpenalised intercepts in un-centred models: ‖[X 1]‖₂²). Deterministic start vector
 * (all ones plus a small ramp), relative tolerance `tol` on the Rayleigh quotient. The estimate is a
 * lower bound that converges from below; callers that need an upper bound (FISTA's step) inflate it
 * slightly.
 *
 * @example
 * spectralNormSq(prepareDesign(denseFromRows([[3, 0], [0, 1]]), { center: false })); // ≈ 9
 */
export function spectralNormSq(d: PreparedDesign, opts: { maxIter?: number; tol?: number; extraOnes?: boolean } = {}): number {
  const extra = opts.extraOnes ?? false;
  if (!extra && d.spectralNormSqCache !== undefined) return d.spectralNormSqCache;
  const maxIter = opts.maxIter ?? 1000;
  const tol = opts.tol ?? 1e-10;
  const n = d.nRows;
  const p = d.nCols;
  const q = p + (extra ? 1 : 0);
  const v = new Float64Array(q);
  for (let j = 0; j < q; j++) v[j] = 1 + (0.1 * ((j * 7919) % 101)) / 101;
  const u = new Float64Array(n);
  const w = new Float64Array(p);
  let lam = 0;
  let nv = 0;
  for (let j = 0; j < q; j++) nv += v[j]! * v[j]!;
  nv = Math.sqrt(nv);
  for (let j = 0; j < q; j++) v[j]! /= nv;
  for (let it = 0; it < maxIter; it++) {
    // u = [X_c 1] v ; w = [X_c 1]ᵀ u
    matvec(d, v, u);
    if (extra) {
      const c = v[p]!;
      for (let i = 0; i < n; i++) u[i] += c;
    }
    const us = vecSum(n, u);
    colDots(d, u, us, null, p, w);
    let s = 0;
    for (let j = 0; j < p; j++) s += w[j]! * w[j]!;
    if (extra) s += us * us;
    const norm = Math.sqrt(s);
    // Rayleigh quotient vᵀAv with ‖v‖ = 1 is ‖u‖²
    let uu = 0;
    for (let i = 0; i < n; i++) uu += u[i]! * u[i]!;
    const prev = lam;
    lam = uu;
    if (norm === 0) break;
    for (let j = 0; j < p; j++) v[j] = w[j]! / norm;
    if (extra) v[p] = us / norm;
    if (it > 0 && Math.abs(lam - prev) <= tol * lam) break;
  }
  if (!extra) d.spectralNormSqCache = lam;
  return lam;
}

/**
 * Removes from `list[0..count)` the indices j with `flags[j] !== 1`, keeping the order; returns
 * the new count. Used by the solvers to drop screened features from their active lists.
 */
export function compactActiveList(list: Int32Array, count: number, flags: Uint8Array): number {
  let w = 0;
  for (let k = 0; k < count; k++) {
    const j = list[k]!;
    if (flags[j] === 1) list[w++] = j;
  }
  return w;
}

/**
 * The initial active set of the solvers: every feature with a non-zero column (after centring);
 * zero columns can never enter the model. Returns the 0/1 flags, the list and its length.
 */
export function initialActiveSet(colNormsSq: Float64Array): { active: Uint8Array; activeList: Int32Array; nActive: number } {
  const p = colNormsSq.length;
  const active = new Uint8Array(p);
  const activeList = new Int32Array(p);
  let k = 0;
  for (let j = 0; j < p; j++) {
    if (colNormsSq[j]! > 0) {
      active[j] = 1;
      activeList[k++] = j;
    }
  }
  return { active, activeList, nActive: k };
}
