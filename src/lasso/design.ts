/**
 * @file Design-matrix preparation for the Lasso-type solvers.
 *
 * The solvers read X by columns: dense COLUMN-MAJOR (`DenseDesign`) or CSC (`CscMatrix`), converted
 * from any `MatrixLike` by `toDesignMatrix` (matrix.ts). `prepareDesign` validates X once and
 * precomputes what every solve needs:
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
 * - a power-of-two `scale` (with `rescale: true`, what the solvers ask for when they prepare X
 *   themselves): when the entries are so large or small that ‖X_c,j‖² would overflow or underflow
 *   (|x| beyond ≈ 2^±250, e.g. data in units of 1e±300), the design holds scale·X instead, which is
 *   exact, and the solvers unscale their results. Otherwise scale = 1.
 *
 * Solvers accept either a raw `MatrixLike` (prepared on each call, O(nnz), and disposed at the
 * end of the call) or a `PreparedDesign` (prepared once; use it when solving thousands of times on
 * the same X, e.g. along a path or in hyperparameter search; `disposeDesign` recycles its memory).
 *
 * Dense designs carry a WebAssembly SIMD engine (kernels/wasm_lasso.ts): X lives in a
 * WebAssembly.Memory (so `data` is a view into it) together with the hot solver vectors, and the
 * CD epochs, Xᵀv, Xβ and the preparation itself run as f64x2 SIMD code (≈ 4–5× the JavaScript
 * loops, on par with BLAS). CSC designs keep their arrays in an engine of their own whose kernel
 * `cepoch` runs the CD epochs (the column kernels of columns.ts stay in JavaScript for CSC).
 */
import { InvalidArgumentError, NonFiniteError, ShapeError } from '../core/errors.js';
import { checkOptions } from '../core/options.js';
import { CscMatrix } from '../linalg/sparse/csc.js';
import { toDesignMatrix, type DenseDesign, type DesignMatrix, type MatrixLike } from '../data/matrix.js';
import { takeRows } from '../data/dataset.js';
import { adoptEngine, createCscEngine, createEngine, releaseEngine, type CscEngine, type WasmEngine } from '../kernels/wasm_lasso.js';
import { prepPipe } from '../kernels/team.js';
import { releaseGram } from './quad_gram.js';

// The column kernels live in columns.ts; re-exported here for the modules that import them with
// the design (hypergradients, criteria).
export { colAxpy, colDots, colDots2, matvec, spectralNormSq, vecSum } from './columns.js';
export type { WasmEngine } from '../kernels/wasm_lasso.js';

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
  /**
   * WebAssembly engine of a CSC design (CD epochs, kernel `cepoch`; null or absent: JavaScript).
   * `data`, `indices`, `indptr` and `implicitMeans` then live in its memory.
   */
  readonly cscWasm?: CscEngine | null;
  /**
   * The prepared matrix is scale·X (`data`, `colMeans`, `colNormsSq` are those of scale·X): a power
   * of two, 1 unless X was prepared with `rescale: true` and its squared column norms would
   * overflow or underflow (see the file header).
   */
  readonly scale: number;
}

/** What every solver accepts as X: any `MatrixLike`, or a design prepared once by `prepareDesign`. */
export type DesignInput = MatrixLike | PreparedDesign;

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
  // a design whose rows were never gathered (fold_gram.ts `lazyFoldDesign`) has no engine to release
  const e = (d as { rowsPending?: boolean }).rowsPending === true ? null : d.wasm;
  if ((e !== null && e.busy) || (d.cscWasm != null && d.cscWasm.busy) || (d as { disposed?: boolean }).disposed === true) return;
  (d as { disposed?: boolean }).disposed = true; // also without an engine: later use is refused the same way
  if (e !== null) releaseEngine(e);
  if (d.cscWasm != null) releaseEngine(d.cscWasm);
  releaseGram(d); // the Gram mode's caches (quad_gram.ts)
}

/** True if `X` was produced by `prepareDesign`. */
export function isPreparedDesign(X: unknown): X is PreparedDesign {
  return X !== null && typeof X === 'object' && (X as PreparedDesign).kind === 'prepared';
}

/**
 * Entries of X copied into the engine memory per `prep` call (128 KiB: the chunk is still in the
 * core's cache when `prep` reads it; 5000 × 500 prepared 2.8 → see docs/lasso_performance.md round "tall2").
 */
const PREP_CHUNK = 16384;

/** Squared column norms outside [2^-500, 2^500] (or not finite) call for a power-of-two rescaling. */
const NORM_SQ_LO = 2 ** -500;
const NORM_SQ_HI = 2 ** 500;

/**
 * The intercept of a fit on the centred columns: b = ȳ − Σ_j μ_j β_j over the non-zero β_j in
 * index order (the solvers' one formula); 0 when the design is not centred.
 *
 * @example
 * const b = interceptOf(d, beta, yMean);
 */
export function interceptOf(d: PreparedDesign, beta: Float64Array, yMean: number): number {
  if (!d.centered) return 0;
  let mb = 0;
  for (let j = 0; j < beta.length; j++) if (beta[j] !== 0) mb += d.colMeans[j]! * beta[j]!;
  return yMean - mb;
}

/** True when the quantities a solver needs from `d` (‖X_c,j‖², means) are out of the safe range. */
export function designOutOfRange(d: PreparedDesign): boolean {
  let mx = 0;
  const ns = d.colNormsSq;
  for (let j = 0; j < ns.length; j++) {
    const v = ns[j]!;
    if (!(v <= mx)) mx = v; // NaN and +Infinity land here
  }
  if (!(mx <= NORM_SQ_HI)) return true;
  if (mx >= NORM_SQ_LO) return false;
  // every column (nearly) zero: out of range only if X has entries that are not zero
  return maxAbsOf(d.source) > 0;
}

function maxAbsOf(X: DesignMatrix): number {
  const v = X.kind === 'dense' ? X.data : X.values;
  let m = 0;
  for (let k = 0; k < v.length; k++) {
    const a = Math.abs(v[k]!);
    if (a > m) m = a;
  }
  return m;
}

/** 2^-e with 2^(e-1) ≤ m < 2^e: the power of two that brings m into [0.5, 1) (1 for m = 0). */
export function powerOfTwoScale(m: number): number {
  if (!(m > 0) || !Number.isFinite(m)) return 1;
  let e = Math.floor(Math.log2(m)) + 1;
  if (m * 2 ** -e >= 1) e++;
  else if (m * 2 ** -e < 0.5) e--;
  e = Math.max(-1023, e); // 2^1023 is the largest power of two (subnormal m stays below 0.5)
  return 2 ** -e;
}

/** scale·X exactly (powers of two), as a fresh design. */
function scaledCopy(X: DesignMatrix, scale: number): DesignMatrix {
  if (X.kind === 'dense') return { kind: 'dense', nRows: X.nRows, nCols: X.nCols, data: X.data.map((v) => v * scale) };
  return new CscMatrix(X.rows, X.cols, X.indptr, X.indices, X.values.map((v) => v * scale), { check: false });
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
export function prepareDesign(X: MatrixLike, opts: { center?: boolean; wasm?: boolean; rescale?: boolean } = {}): PreparedDesign {
  checkOptions(opts, ['center', 'wasm', 'rescale'], 'prepareDesign()');
  return prepareMatrix(toDesignMatrix(X, 'prepareDesign'), 'prepareDesign', opts);
}

/** `prepareDesign` of a converted matrix, errors naming `fn()`. */
function prepareMatrix(M: DesignMatrix, fn: string, opts: { center?: boolean; wasm?: boolean; rescale?: boolean }): PreparedDesign {
  const d = prepareScaled(M, M, 1, fn, opts);
  if (opts.rescale !== true || !designOutOfRange(d)) return d;
  const m = maxAbsOf(M);
  const scale = powerOfTwoScale(m);
  if (scale === 1) return d;
  disposeDesign(d);
  return prepareScaled(M, scaledCopy(M, scale), scale, fn, opts);
}

function prepareScaled(source: DesignMatrix, X: DesignMatrix, scale: number, fn: string, opts: { center?: boolean; wasm?: boolean; consume?: boolean }): PreparedDesign {
  const center = opts.center ?? true;
  validateDesign(X, fn, false);
  const n = X.nRows;
  const p = X.nCols;
  const colMeans = new Float64Array(p);
  const colNormsSq = new Float64Array(p);
  if (X.kind === 'dense') {
    const src = X.data;
    // `consume` (consumeDesign): X's own WebAssembly memory becomes the engine's, no copy
    const adopted = opts.consume === true && opts.wasm !== false ? adoptEngine(src, n, p) : null;
    const eng = adopted ?? (opts.wasm === false ? null : createEngine(n, p));
    // centring needs a copy; the WebAssembly engine needs X in its memory: copy in both cases
    const data = eng !== null ? eng.x : center ? new Float64Array(src.length) : src;
    if (eng !== null) {
      // copy, validate, centre and take norms inside WebAssembly (≈ 5× faster than the JS loops)
      const e = eng.engine;
      let bad = 0;
      if (adopted === null) {
        // the copy chunk by chunk, each prepared while it is still in cache (one read of X from
        // memory instead of two; `prep` treats every column on its own: the same bits)
        const step = Math.max(1, Math.floor(PREP_CHUNK / n));
        // a partner thread already serving this (pooled) memory prepares each block while the next
        // one is copied (kernels/team.ts `prepPipe`; the copy needs the caller: src is not shared)
        const pipe = prepPipe(e.team);
        let posted = false;
        for (let j0 = 0; j0 < p; j0 += step) {
          const j1 = Math.min(p, j0 + step);
          data.set(src.subarray(j0 * n, j1 * n), j0 * n);
          const xp = e.xPtr + 8 * n * j0, mp = e.outA.byteOffset + 8 * j0, np = e.norms.byteOffset + 8 * j0;
          if (pipe === null) {
            bad |= e.prep(xp, n, j1 - j0, center ? 1 : 0, mp, np);
            continue;
          }
          if (posted) bad |= pipe.collect();
          pipe.post(xp, n, j1 - j0, center ? 1 : 0, mp, np);
          posted = true;
        }
        if (posted) bad |= pipe!.collect();
      } else {
        bad = e.prep(e.xPtr, n, p, center ? 1 : 0, e.outA.byteOffset, e.norms.byteOffset);
      }
      if (bad !== 0) validateDesign(X, fn, true); // throws NonFiniteError naming the entry
      colMeans.set(e.outA);
      colNormsSq.set(e.norms);
    } else {
      validateDesign(X, fn, true);
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
      kind: 'prepared', source, nRows: n, nCols: p, centered: center, isSparse: false, data,
      indptr: new Int32Array(0), indices: new Int32Array(0), colMeans, implicitMeans: new Float64Array(p),
      colNormsSq, colNorms, wasm: eng === null ? null : eng.engine, scale,
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
  const nnz = indptr[p]!;
  const ce = opts.wasm === false ? null : createCscEngine(n, p, nnz);
  if (ce !== null) {
    // the CSC arrays, means and norms in the engine memory (kernel `cepoch`); the design's arrays are
    // views of them, so the JavaScript column kernels read the same values
    ce.vals.set(values.subarray(0, nnz));
    ce.indices.set(indices.subarray(0, nnz));
    ce.indptr.set(indptr);
    if (center) ce.mu.set(colMeans);
    else ce.mu.fill(0);
    ce.norms.set(colNormsSq);
  }
  return {
    kind: 'prepared', source, nRows: n, nCols: p, centered: center, isSparse: true,
    data: ce !== null ? ce.vals : values, indptr: ce !== null ? ce.indptr : indptr, indices: ce !== null ? ce.indices : indices,
    colMeans, implicitMeans: ce !== null ? ce.mu : center ? colMeans : new Float64Array(p), colNormsSq, colNorms, wasm: null, cscWasm: ce, scale,
  };
}

/**
 * @internal `prepareDesign` of a dense X that the caller gives up: when `X.data` was made by
 * `createDesignMemory` (kernels/wasm_lasso.ts; the CLI parses its CSV into one) the design is
 * centred and normed IN PLACE in that memory — X's raw values are gone afterwards (`X.data` then
 * holds the centred columns, and `source` is X itself, so nothing may re-prepare from it) — instead
 * of next to a second, centred copy: one copy of X at the end of `nsdiff lasso tune` instead of
 * two (issue 12). Otherwise the same as `prepareDesign(X, { center })`, bit for bit either way.
 *
 * @example
 * const d = consumeDesign(ds.X, true, 'tuneLasso'); // ds.X must not be used afterwards
 */
export function consumeDesign(X: DenseDesign, center: boolean, fn: string): PreparedDesign {
  return prepareScaled(X, X, 1, fn, { center, consume: true });
}

/**
 * @internal Bytes of JavaScript row copies made by `prepareRows` designs (their `source`, built only
 * when something reads it). Tests check that a streamed CV fold makes none.
 */
export const rowCopyStats: { bytes: number } = { bytes: 0 };

/**
 * Prepares the rows `rows` of the dense X (validated already: finite values) as a design without
 * a JavaScript copy of them: the rows are gathered straight into the WebAssembly engine's memory
 * and centred and normed there. The design's `source` (read only to re-prepare with another
 * centring, or for the all-zero rescale check) is the gathered rows built on first read, then
 * kept. Same values, bit for bit, as `prepareDesign(takeRows(X, rows), { center })`. Without a
 * WebAssembly engine (backend 'js') the rows are gathered into `scratch` when it is large enough
 * (else a fresh array) and prepared as usual.
 *
 * @example
 * const d = prepareRows(X, foldTrainRows, { center: true });
 * const prob = new SparseProblem(d, yTrain, 'lasso');
 * // …
 * disposeDesign(d); // its WebAssembly memory back to the pool
 */
export function prepareRows(X: DenseDesign, rows: Int32Array, opts: { center?: boolean; scratch?: Float64Array } = {}): PreparedDesign {
  checkOptions(opts, ['center', 'scratch'], 'prepareRows()');
  const center = opts.center ?? true;
  const m = rows.length;
  const p = X.nCols;
  const eng = m > 0 ? createEngine(m, p) : null;
  if (eng === null) {
    const sc = opts.scratch !== undefined && opts.scratch.length >= m * p ? { out: opts.scratch } : {};
    return prepareMatrix(takeRows(X, rows, sc), 'prepareRows', { center });
  }
  takeRows(X, rows, { out: eng.x }); // the gather writes into the engine memory
  const e = eng.engine;
  const bad = e.prep(e.xPtr, m, p, center ? 1 : 0, e.outA.byteOffset, e.norms.byteOffset);
  if (bad !== 0) {
    releaseEngine(e);
    validateDesign(takeRows(X, rows), 'prepareRows', true); // throws NonFiniteError naming the entry
    throw new NonFiniteError('prepareRows(): X contains a non-finite value');
  }
  const colMeans = Float64Array.from(e.outA);
  const colNormsSq = Float64Array.from(e.norms);
  let src: DesignMatrix | null = null;
  const d = {
    kind: 'prepared' as const, nRows: m, nCols: p, centered: center, isSparse: false, data: eng.x,
    indptr: new Int32Array(0), indices: new Int32Array(0), colMeans, implicitMeans: new Float64Array(p),
    colNormsSq, colNorms: colNormsSq.map(Math.sqrt), wasm: e, scale: 1,
  };
  Object.defineProperty(d, 'source', {
    enumerable: true,
    get(): DesignMatrix {
      if (src === null) {
        src = takeRows(X, rows);
        rowCopyStats.bytes += m * p * 8;
      }
      return src;
    },
  });
  return d as PreparedDesign;
}

/**
 * Returns a `PreparedDesign` with the requested centring: `X` itself when it already is one with
 * that centring, else a fresh preparation (of `X.source` for a prepared X); any `MatrixLike` is
 * converted by `toDesignMatrix`, with errors naming `fn()`. `rescale` (what the solvers ask for)
 * applies a power-of-two scale to raw X whose column norms would overflow/underflow.
 */
export function resolveDesign(X: DesignInput, center: boolean, fn: string, rescale = false): PreparedDesign {
  if (isPreparedDesign(X)) {
    if ((X as { disposed?: boolean }).disposed === true) throw new InvalidArgumentError(`${fn}(): X is a disposed PreparedDesign`);
    return X.centered === center ? X : prepareMatrix(X.source, fn, { center, rescale: X.scale !== 1 });
  }
  return prepareMatrix(toDesignMatrix(X, fn), fn, { center, rescale });
}

/**
 * Like `resolveDesign`, and says whether the design was prepared here (`owned`): the caller then
 * disposes it when done (its WebAssembly memory goes back to the pool).
 */
export function resolveDesignOwned(X: DesignInput, center: boolean, fn: string, rescale = false): { d: PreparedDesign; owned: boolean } {
  const d = resolveDesign(X, center, fn, rescale);
  return { d, owned: d !== X };
}

/**
 * A matrix-like argument as a checked, unprepared design: the one conversion (`toDesignMatrix`)
 * and then the solvers' checks (structure, not empty, every stored value finite), with errors
 * naming the public function `fn()`, the argument `arg` and, for NaN/±∞, the row and the column.
 * For inputs that are not prepared here (validation sets, CV folds, the estimators' X).
 *
 * @example
 * checkedDesign([[1, NaN]], 'tuneLasso', 'validation X');
 * // NonFiniteError: tuneLasso(): validation X contains a non-finite value (NaN) at row 0, column 1
 */
export function checkedDesign(X: unknown, fn: string, arg = 'X'): DesignMatrix {
  // a design this function returned earlier is checked already (one tune passes its X through
  // tuneLasso, the criterion factory and the criterion: one O(n·p) scan instead of three)
  if (typeof X === 'object' && X !== null && checkedDesigns.has(X)) return X as DesignMatrix;
  const D = toDesignMatrix(X, fn, arg);
  validateDesign(D, fn, true, arg);
  // the caller's own dense object is not marked (it may change its values later): a new record of
  // the same (shared) data is; CSC matrices only when converted here (class instances stay as they are)
  const out: DesignMatrix = D === X && D.kind === 'dense' ? { kind: 'dense', nRows: D.nRows, nCols: D.nCols, data: D.data } : D;
  if (out !== X) checkedDesigns.add(out);
  return out;
}

/**
 * @internal Records that every value of `X` is finite — established by the caller's own pass over
 * the values (the CLI's magnitude check: every column's largest |x| ≤ 1e100) — so that
 * `checkedDesign(X)` runs the structure checks only, not its O(n·p) finiteness scan again (issue
 * 12, round cold1). For a design the caller made itself and does not change afterwards.
 *
 * @example
 * markFiniteDesign(ds.X, 'loadData'); // after a pass that saw only finite values
 */
export function markFiniteDesign(X: DesignMatrix, fn: string): void {
  validateDesign(X, fn, false);
  checkedDesigns.add(X);
}

/**
 * Designs `checkedDesign` does not scan again: the ones it made (fresh records, never the caller's
 * objects: the data may be shared with the caller, who could change it later, but these records
 * live only inside the library calls that made them) and those of `markFiniteDesign` (a design its
 * maker does not change afterwards, e.g. the CLI's parsed CSV).
 */
const checkedDesigns = new WeakSet<object>();

/**
 * Index of the first non-finite value of d, or −1 (a small function of its own: it gets optimised).
 * Four values per test: v − v is 0 for a finite v and NaN otherwise, and NaN survives the sum.
 */
function firstNonFinite(d: Float64Array): number {
  const len = d.length;
  let k = 0;
  for (; k + 3 < len; k += 4) {
    const a = d[k]!, b = d[k + 1]!, c = d[k + 2]!, e = d[k + 3]!;
    if ((a - a) + (b - b) + (c - c) + (e - e) !== 0) break;
  }
  for (; k < len; k++) {
    const v = d[k]!;
    if (v - v !== 0) return k;
  }
  return -1;
}

/** Structure checks always; the O(n·p) finiteness scan of dense values only when `scanDense`. */
function validateDesign(X: DesignMatrix, fn: string, scanDense: boolean, arg = 'X'): void {
  const { nRows: n, nCols: p } = X;
  if (!Number.isInteger(n) || !Number.isInteger(p) || n < 0 || p < 0) {
    throw new InvalidArgumentError(`${fn}(): ${arg} has invalid dimensions ${n}×${p}`);
  }
  if (n === 0 || p === 0) throw new InvalidArgumentError(`${fn}(): ${arg} is empty (${n}×${p}); at least one row and one column are required`);
  if (X.kind === 'dense') {
    if (X.data.length !== n * p) throw new ShapeError(`${fn}(): ${arg}.data has ${X.data.length} values, expected nRows·nCols = ${n}·${p} = ${n * p}`);
    if (!scanDense) return;
    const d = X.data;
    const k = firstNonFinite(d);
    if (k >= 0) throw new NonFiniteError(`${fn}(): ${arg} contains a non-finite value (${d[k]}) at row ${k % n}, column ${Math.floor(k / n)}`);
    return;
  }
  const { indptr, indices, values } = X;
  if (indptr.length !== p + 1) throw new ShapeError(`${fn}(): ${arg}.indptr has length ${indptr.length}, expected nCols + 1 = ${p + 1}`);
  const nnz = indptr[p]!;
  if (indptr[0] !== 0) throw new InvalidArgumentError(`${fn}(): ${arg}.indptr[0] must be 0, got ${indptr[0]}`);
  if (indices.length < nnz || values.length < nnz) {
    throw new ShapeError(`${fn}(): ${arg}.indptr[nCols] = ${nnz} but indices/values have ${indices.length}/${values.length} entries`);
  }
  for (let j = 0; j < p; j++) {
    const a = indptr[j]!;
    const b = indptr[j + 1]!;
    if (b < a) throw new InvalidArgumentError(`${fn}(): ${arg}.indptr is decreasing at column ${j} (${a} > ${b})`);
    let prev = -1;
    for (let k = a; k < b; k++) {
      const i = indices[k]!;
      if (i < 0 || i >= n) throw new InvalidArgumentError(`${fn}(): ${arg}.indices[${k}] = ${i} (column ${j}) is outside [0, ${n})`);
      if (i <= prev) throw new InvalidArgumentError(`${fn}(): row indices of column ${j} must be strictly increasing (CSC convention), got ${prev} then ${i}`);
      prev = i;
      const v = values[k]!;
      if (v - v !== 0) throw new NonFiniteError(`${fn}(): ${arg} contains a non-finite value (${v}) at row ${i}, column ${j}`);
    }
  }
}
