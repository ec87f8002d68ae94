/**
 * @file The Gram (covariance-update) mode of the squared-loss coordinate descent: CD on
 * G = X_cᵀX_c and q = X_cᵀy_c instead of the residual, for dense designs with n ≫ p (scikit-learn's
 * `precompute`, glmnet's "covariance updates"). The residual mode (quad_cd.ts) costs O(n) per
 * coordinate update; this mode costs O(p) per update once G is built (n·p² multiply-adds, one gemm
 * of the kernel layer, threads apply), so it wins when many epochs run on a tall design, and above
 * all along paths and in cross-validation, where G is computed once per prepared design and cached.
 *
 * State: β and the maintained gradient g = X_cᵀr = q − Gβ (r = y_c − X_cβ never formed).
 * Coordinate update (N_j = G_jj, t_j = n·l_j, nλ₂ the ridge term):
 *
 *   z = g_j + N_j β_j,   β_j⁺ = ST(z, t_j)/(N_j + nλ₂),   g ← g − (β_j⁺ − β_j)·G_{:,j}.
 *
 * Duality gap from Gram quantities: the residual-mode gap (quad_model.ts) needs X_cᵀr = g and
 * ‖r‖² = ‖y_c‖² − 2βᵀq + βᵀGβ = ‖y_c‖² − βᵀq − βᵀg (Gβ = q − g). That difference cancels when
 * ‖r‖² ≪ ‖y_c‖²: its rounding error is about ε·(‖y_c‖² + |β|ᵀ|q| + |β|ᵀ|Gβ|). So the Gram gap only
 * decides when to STOP this loop (at ≤ tol, or at a floor of 1e3·ε times that scale when the tolerance
 * lies below the attainable accuracy); it is never reported as is. At a stop at tol, the Gram gap
 * plus a proven rounding bound (`gramCertificate`) is the certificate when it still meets tol: the
 * caller (cd.ts) then only recomputes r = y_c − X_cβ (O(n·|S|), the result's residual and dual
 * point). Otherwise the caller hands β to the residual-mode solver, whose first step recomputes r,
 * evaluates the gap from r and X_cᵀr (one O(n·p) pass) and returns at once if that gap meets the
 * tolerance, or finishes the solve in residual mode. The returned gap is therefore always certified.
 *
 * The sweeps run in the WebAssembly SIMD kernel `gepoch4` (kernels/wasm/lasso.wat: the residual
 * mode's `epoch` with its dot product replaced by the load of g_j, the coordinates taken in groups
 * of four with one pass over g per group — the bits of the one-coordinate `gepoch`; G lives in an
 * engine memory of its own, cached with the design), or in the JavaScript loop below with the
 * backend 'js'.
 *
 * Schedule (glmnet-like, the Gram analogue of working sets): a full sweep over the active features,
 * the full gap (O(p)), then sweeps restricted to the support (and unpenalised features) until the
 * restricted gap is ≤ `RESTRICTED_TARGET` × the full gap, then the full gap again from the
 * maintained g (O(p): every update keeps g for all p features), a full sweep only when that does not
 * say stop; g is recomputed from scratch (O(p·|support|), rounding drift of the incremental updates)
 * when the full gap says stop, and the stop is decided again from it; a warm-started solve from the
 * β the previous one ended at reuses its fresh g.
 *
 * Automatic choice (`gram: 'auto'`, cd.ts): dense designs with n > p and p ≤ `GRAM_MAX_P` are
 * eligible. A design whose Gram matrix is cached solves in Gram mode. Otherwise the residual mode
 * runs and its coordinate updates are counted on the design (across solves, so a path or a CV fold
 * counts as a whole); once they exceed the cost of building G in the same units (`gramSwitchWork`),
 * G is built and cached and the solve continues in Gram mode. A solve that stays cheap never pays
 * for G; an expensive one pays at most about twice.
 */
import { syrkUpper } from '../kernels/gemm_dispatch.js';
import { createEngine, releaseEngine, type WasmEngine } from '../kernels/wasm_lasso.js';
import type { PreparedDesign } from './design.js';
import { colDots, vecSum } from './columns.js';
import type { QuadSpec } from './quad_model.js';
import { InvalidArgumentError } from '../core/errors.js';

/** Largest p for which the Gram mode is chosen automatically (G takes 8·p² bytes: 32 MiB at 2048). */
export const GRAM_MAX_P = 2048;

/**
 * The restricted sweeps stop at this fraction of the last full gap (then the O(p) full gap on the
 * maintained g decides). 0.3 (glmnet-like) while every stop needed a confirming full sweep; with the
 * O(p) check a looser target does less work: 5-fold CV on 2000×300, 100 λ, coordinate changes
 * 313 k (0.3) → 285 k (0.5) → 272 k (0.7) → 270 k (0.9), sweeps 2 142 → 1 904 (round cv3).
 */
const RESTRICTED_TARGET = 0.7;

/** True when the automatic rule may use the Gram mode on `d` (dense, n > p, p ≤ GRAM_MAX_P). */
export function gramEligible(d: PreparedDesign): boolean {
  return !d.isSparse && d.nRows > d.nCols && d.nCols <= GRAM_MAX_P;
}

/**
 * Residual-mode coordinate updates after which building G pays: a residual update costs ≈ 2n
 * multiply-adds in the CD kernel (dot + axpy), the gemm builds G at ≈ 2.5× the kernel's rate per
 * multiply-add, so n·p² MACs of gemm ≈ p²/5 updates.
 */
export function gramSwitchWork(d: PreparedDesign): number {
  return (d.nCols * d.nCols) / 5;
}

/**
 * Solves planned on `d` before the Gram mode is chosen up front (`planGramSolves`): a warm-started
 * path of this many λ on an eligible (tall) design amortises G (n·p²/2 multiply-adds) — each λ's
 * solve makes at least one O(n·p) gap pass in the residual mode — so counting work first only
 * delays the switch (the residual-mode solves before it were 15–20% of a 5-fold grid CV).
 */
export const GRAM_PLAN_MIN_SOLVES = 20;

/**
 * Tells the automatic rule (`gram: 'auto'`) that about `solves` warm-started solves will follow on
 * `d` (a grid path of a CV fold): with ≥ {@link GRAM_PLAN_MIN_SOLVES} on an eligible design the next
 * solve starts in the Gram mode, as if G were cached. Returns whether the Gram mode was planned.
 */
export function planGramSolves(d: PreparedDesign, solves: number): boolean {
  if (!(solves >= GRAM_PLAN_MIN_SOLVES) || !gramEligible(d)) return false;
  (d as { gramPlanned?: boolean }).gramPlanned = true;
  return true;
}

/** True when the Gram mode was planned on `d` (`planGramSolves`) or G is already cached. */
export function gramPreferred(d: PreparedDesign): boolean {
  return (d as { gramPlanned?: boolean }).gramPlanned === true || gramStore(d) !== undefined;
}

/** Residual-mode coordinate updates spent on `d` so far (counted by cd.ts for the automatic rule). */
export function designWork(d: PreparedDesign): number {
  return (d as { cdWork?: number }).cdWork ?? 0;
}

/** Adds residual-mode coordinate updates to the design's counter. */
export function addDesignWork(d: PreparedDesign, updates: number): void {
  (d as { cdWork?: number }).cdWork = designWork(d) + updates;
}

/**
 * The Gram matrix of a design, in the memory of a WebAssembly engine (`eng`, p×p) or plain (`eng`
 * null). A G computed directly (`ensureGram`) has `err` null: the certificate's rounding bound is
 * |δG_jk| ≤ γ_n·‖X_c,j‖‖X_c,k‖. A G assembled from other products (`installGram`, e.g. the CV folds'
 * G from block Grams, fold_gram.ts) carries its own bound |δG_jk| ≤ γ_(n+terms)·norms_j·norms_k.
 */
interface GramStore {
  readonly G: Float64Array;
  readonly eng: WasmEngine | null;
  readonly err: GramError | null;
  /**
   * g = q − Gβ as the last Gram loop left it freshly recomputed (its last step was the refresh): the
   * q and β it belongs to, and g itself (null: in the engine memory `eng.r`). The next solve from the
   * same β (a warm-started path) starts from it instead of recomputing the same values.
   */
  fresh?: { q: Float64Array; beta: Float64Array; g: Float64Array | null } | null;
  /**
   * diag G, gathered on the first solve (a strided pass over G: one cache line per entry) and kept;
   * `diagLoaded`: already copied into the engine's `norms` vector, which nothing else writes.
   */
  diag?: Float64Array;
  diagLoaded?: boolean;
  /** The β buffer of the previous `fresh` record, reused by the next one (no p-vector per solve). */
  spare?: Float64Array | null;
  /** `boundsOf` for the assembled q `of`. */
  merged?: { of: XtyEntry; out: { gerr: GramError | null; qScale: number } };
}

/**
 * The rounding bound of an assembled G (see `installGram`): |G_jk − (X_cᵀX_c)_jk| ≤ γ_(n+terms)·
 * norms_j·norms_k, with norms_j ≥ ‖X_c,j‖ (so the bound also covers q and Gβ, see `gramCertificate`).
 */
export interface GramError {
  readonly norms: Float64Array;
  readonly terms: number;
}

function gramStore(d: PreparedDesign): GramStore | undefined {
  return (d as { gramCache?: GramStore }).gramCache;
}

/** The cached Gram matrix of `d`, or undefined. */
export function cachedGram(d: PreparedDesign): Float64Array | undefined {
  return gramStore(d)?.G;
}

/** The engine whose memory holds the cached Gram matrix of `d` (`cachedGram`), or null (none, or a plain array). */
export function cachedGramEngine(d: PreparedDesign): WasmEngine | null {
  return gramStore(d)?.eng ?? null;
}

/** Releases the Gram cache of `d` (its engine memory goes back to the pool). Called by `disposeDesign`. */
export function releaseGram(d: PreparedDesign): void {
  const st = gramStore(d);
  if (st !== undefined && st.eng !== null) releaseEngine(st.eng);
  (d as { gramCache?: GramStore; xtyCache?: unknown }).gramCache = undefined;
  (d as { xtyCache?: unknown }).xtyCache = undefined;
}

/**
 * G = X_cᵀX_c (p×p, symmetric, row-major) of a dense prepared design, computed once by one NT gemm
 * of the kernel layer (WebAssembly SIMD, worker pool for large products) and cached on the design,
 * inside a WebAssembly engine of its own (kernels/wasm_lasso.ts, module `gepoch`) when the backend
 * allows. X_c column-major n×p is the row-major p×n matrix A with rows = columns, so G = A·Aᵀ.
 */
export function designGram(d: PreparedDesign): Float64Array {
  return ensureGram(d).G;
}

function ensureGram(d: PreparedDesign): GramStore {
  const hit = gramStore(d);
  if (hit !== undefined) return hit;
  const n = d.nRows;
  const p = d.nCols;
  const made = createEngine(p, p); // room for G (as "X", p×p) and the p-vectors of the loop
  const G = made !== null ? made.x : new Float64Array(p * p);
  // the upper triangle (one symmetric product, ≈ p²·n/2 multiply-adds instead of p²·n), then
  // mirrored, which also makes G exactly symmetric (the CD below is then coordinate descent on one
  // quadratic)
  gramUpper(d.data, n, p, G);
  for (let a = 0; a < p; a++) for (let b = a + 1; b < p; b++) G[b * p + a] = G[a * p + b]!;
  const st: GramStore = { G, eng: made !== null ? made.engine : null, err: null };
  (d as { gramCache?: GramStore }).gramCache = st;
  return st;
}

/**
 * Installs a Gram matrix computed elsewhere as the cache of `d` (instead of the n·p²/2 product of
 * `designGram`) and returns the p×p array (row-major; in the engine memory of the Gram loop when the
 * backend allows; its contents are undefined) into which the caller must write G = X_cᵀX_c, exactly
 * symmetric, before the next solve on `d`. `err` is the proven rounding bound of that G (`GramError`),
 * used by the certificate. Returns null (and does nothing) when G is already cached on `d`.
 *
 * @example
 * installGram(d, { norms, terms: 8 })?.set(myGram); // d now solves in the Gram mode with myGram
 */
export function installGram(d: PreparedDesign, err: GramError): Float64Array | null {
  if (gramStore(d) !== undefined) return null;
  const p = d.nCols;
  if (err.norms.length !== p || !(err.terms >= 0)) throw new InvalidArgumentError(`installGram(): err.norms must have p = ${p} entries and err.terms must be ≥ 0`);
  const made = createEngine(p, p);
  const G = made !== null ? made.x : new Float64Array(p * p);
  (d as { gramCache?: GramStore }).gramCache = { G, eng: made !== null ? made.engine : null, err };
  return G;
}

/**
 * The upper triangle (j ≥ i) of AᵀA for a column-major n×p matrix A into G (p×p, row-major): the
 * kernel layer's symmetric product (`syrkUpper`: one triangular WebAssembly job, ≈ p²·n/2
 * multiply-adds, the entries' bits those of the full NT gemm). Entries below the diagonal are
 * undefined (the fallback writes some of them): mirror the upper triangle to get the full matrix.
 *
 * @example
 * gramUpper(A, n, p, G); for (let a = 0; a < p; a++) for (let b = a + 1; b < p; b++) G[b * p + a] = G[a * p + b];
 */
export function gramUpper(A: Float64Array, n: number, p: number, G: Float64Array): void {
  syrkUpper(p, n, A, 0, n, G, 0, p);
}

/**
 * q = X_cᵀy_c, cached on the design with a copy of y_c (a path or a CV fold solves many times with
 * the same target: the O(n·p) product is then paid once; the O(n) comparison decides).
 */
export function designXty(d: PreparedDesign, yc: Float64Array): Float64Array {
  return xtyEntry(d, yc).q;
}

/**
 * Caches q = X_cᵀy_c for the Gram mode (`designXty`) when a caller has just computed it by the same
 * product (`colDots(d, yc, vecSum(n, yc), null, p, q)`: λ_max of a problem's target, models.ts),
 * so that the first Gram solve on `d` does not repeat it; only on designs eligible for the Gram mode.
 * `q` is copied.
 *
 * @example
 * colDots(d, yc, vecSum(n, yc), null, p, q); seedDesignXty(d, yc, q); // designXty(d, yc) is now a lookup
 */
export function seedDesignXty(d: PreparedDesign, yc: Float64Array, q: Float64Array): void {
  if (!gramEligible(d) || q.length !== d.nCols || yc.length < d.nRows) return;
  storeXty(d, yc, Float64Array.from(q), {});
}

/**
 * Caches a q = X_cᵀy_c ASSEMBLED elsewhere (not the direct product: the CV folds' q from block sums,
 * fold_gram.ts `foldStatistics`) for the target `yc`, with its proven rounding bound
 * |fl(q)_j − (X_cᵀy_c)_j| ≤ γ_(n + err.terms)·err.norms_j·scale·‖y_c‖ (err.norms_j ≥ ‖X_c,j‖,
 * scale ≥ 1), which the certificate then uses (`gramCertificate`'s `qScale`). `yc` and `q` are copied.
 *
 * @example
 * seedAssembledXty(d, yc, q, { norms: b, terms: K + 16 }, rho); // designXty(d, yc) is now a lookup
 */
export function seedAssembledXty(d: PreparedDesign, yc: Float64Array, q: Float64Array, err: GramError, scale: number): void {
  const n = d.nRows;
  if (q.length !== d.nCols || yc.length < n || err.norms.length !== d.nCols || !(scale >= 1)) {
    throw new InvalidArgumentError(`seedAssembledXty(): q and err.norms must have p = ${d.nCols} entries, yc at least n = ${n}, scale must be ≥ 1 (got ${scale})`);
  }
  storeXty(d, yc, Float64Array.from(q), { err, scale });
}

/**
 * The q = X_cᵀy_c cached on `d` for the target `yc` (`designXty`, `seedDesignXty`,
 * `seedAssembledXty`), or undefined (no product computed: λ_max of a CV fold whose rows were not
 * gathered yet).
 */
export function cachedXty(d: PreparedDesign, yc: Float64Array): Float64Array | undefined {
  return yc.length < d.nRows ? undefined : matchingXty(d, yc)?.q;
}

/** The cached q = X_cᵀy_c of `designXty` with ‖y_c‖² (summed in index order). */
interface XtyEntry {
  y: Float64Array;
  q: Float64Array;
  yy: number;
  /** An assembled q's rounding bound (`seedAssembledXty`); absent: the direct product. */
  err?: GramError;
  scale?: number;
  /** The caller's array last found equal to `y` (see `trusted` in `xtyEntry`). */
  src?: Float64Array;
}

/**
 * `trusted`: the caller guarantees that `yc` is never modified (a `SparseProblem`'s y_c: the loose
 * grid path, 100 solves per fold), so the O(n) comparison is skipped when `yc` is the very array
 * last found equal to the cached one.
 */
function xtyEntry(d: PreparedDesign, yc: Float64Array, trusted = false): XtyEntry {
  const c = (d as { xtyCache?: XtyEntry }).xtyCache;
  if (trusted && c !== undefined && c.src === yc) return c;
  const same = matchingXty(d, yc);
  if (same !== undefined) {
    same.src = trusted ? yc : undefined;
    return same;
  }
  const q = new Float64Array(d.nCols);
  colDots(d, yc, vecSum(d.nRows, yc), null, d.nCols, q);
  return storeXty(d, yc, q, trusted ? { src: yc } : {});
}

/** The entry cached on `d` when its target equals `yc` entry by entry over the n rows, else undefined. */
function matchingXty(d: PreparedDesign, yc: Float64Array): XtyEntry | undefined {
  const c = (d as { xtyCache?: XtyEntry }).xtyCache;
  if (c === undefined) return undefined;
  for (let i = 0; i < d.nRows; i++) if (c.y[i] !== yc[i]) return undefined;
  return c;
}

/** Caches q (kept, not copied) for the target `yc` (its n rows copied) with ‖y_c‖² on `d`. */
function storeXty(d: PreparedDesign, yc: Float64Array, q: Float64Array, extra: Pick<XtyEntry, 'err' | 'scale' | 'src'>): XtyEntry {
  const n = d.nRows;
  let yy = 0;
  for (let i = 0; i < n; i++) yy += yc[i]! * yc[i]!;
  const e: XtyEntry = { y: Float64Array.from(yc.subarray(0, n)), q, yy, ...extra };
  (d as { xtyCache?: XtyEntry }).xtyCache = e;
  return e;
}

/** λ_max = max_j |q_j|/(n·w_j) over penalised non-zero columns, from q = X_cᵀy_c (w null: all ones). */
export function lambdaMaxFromXty(d: PreparedDesign, q: Float64Array, w: Float64Array | null): number {
  let m = 0;
  for (let j = 0; j < d.nCols; j++) {
    if (!(d.colNormsSq[j]! > 0)) continue;
    const wj = w === null ? 1 : w[j]!;
    if (wj > 0) m = Math.max(m, Math.abs(q[j]!) / wj);
  }
  return m / d.nRows;
}

/** The Gram quantities of a design behind `gramGradient`: q, ‖y_c‖², diag G and the rounding bound of G. */
export interface GramQuantities {
  readonly q: Float64Array;
  readonly yy: number;
  readonly diag: Float64Array;
  /**
   * The assembled G's bound (`installGram`), null for a G computed directly and q too. With an
   * assembled q (`seedAssembledXty`) it covers both: the norms are the larger of the two bounds'.
   */
  readonly gerr: GramError | null;
  /** The factor ρ ≥ 1 of an assembled q's bound γ_(n+terms)·b_j·ρ‖y_c‖ (1: q computed directly). */
  readonly qScale: number;
}

/**
 * The rounding bounds of G and q together (`GramQuantities.gerr`, `qScale`): G's own when q was
 * computed directly; with an assembled q, norms max(b_j of G or √G_jj·(1 + 1e-6), b_j of q) and the
 * larger term count (one bound γ_(n+T)·b_j b_k for G and γ_(n+T)·b_j·ρ‖y_c‖ for q). Cached on the store.
 */
function boundsOf(st: GramStore, e: XtyEntry, p: number): { gerr: GramError | null; qScale: number } {
  if (e.err === undefined) return { gerr: st.err, qScale: 1 };
  const hit = st.merged;
  if (hit !== undefined && hit.of === e) return hit.out;
  const qn = e.err.norms;
  const norms = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    const g = st.err !== null ? st.err.norms[j]! : Math.sqrt(Math.max(st.G[j * p + j]!, 0)) * (1 + 1e-6);
    norms[j] = Math.max(g, qn[j]!);
  }
  const out = { gerr: { norms, terms: Math.max(st.err !== null ? st.err.terms : 0, e.err.terms) }, qScale: e.scale ?? 1 };
  st.merged = { of: e, out };
  return out;
}

/**
 * The Gram quantities of `d` (q = X_cᵀy_c, ‖y_c‖², diag G, G's rounding bound), or undefined when
 * `d` has no cached G. `trustedTarget`: `yc` is a readonly array of its owner (see `GramLean`).
 *
 * @example
 * const gq = gramQuantities(d, yc); // gq?.gerr: null for a G computed directly
 */
export function gramQuantities(d: PreparedDesign, yc: Float64Array, trustedTarget = false): GramQuantities | undefined {
  const st = gramStore(d);
  if (st === undefined) return undefined;
  const p = d.nCols;
  const e = xtyEntry(d, yc, trustedTarget);
  let dg = st.diag;
  if (dg === undefined) {
    dg = new Float64Array(p);
    for (let j = 0; j < p; j++) dg[j] = st.G[j * p + j]!;
    st.diag = dg;
  }
  const b = boundsOf(st, e, p);
  return { q: e.q, yy: e.yy, diag: dg, gerr: b.gerr, qScale: b.qScale };
}

/**
 * g = X_cᵀ(y_c − X_cβ) = q − Gβ from the cached G of `d` (into `out`, p entries), by the SIMD Xβ
 * kernel on G's engine memory when it is free (the Gram loop's refresh), else in JavaScript: a sum of
 * |support| products per entry, then one subtraction. Returns the quantities behind it
 * (`gramQuantities`), or undefined (and `out` untouched) when `d` has no cached G. O(p·|support|).
 *
 * @example
 * const gq = gramGradient(d, yc, beta, g); // g_j ≈ X_c,jᵀ(y_c − X_cβ)
 */
export function gramGradient(d: PreparedDesign, yc: Float64Array, beta: Float64Array, out: Float64Array, trustedTarget = false): GramQuantities | undefined {
  const gq = gramQuantities(d, yc, trustedTarget);
  const st = gramStore(d);
  if (gq === undefined || st === undefined) return undefined;
  const p = d.nCols;
  const G = st.G;
  const q = gq.q;
  const eng = st.eng !== null && !st.eng.busy ? st.eng : null;
  if (eng !== null) eng.beta.set(beta); // β staged in the engine
  qMinusGbeta(G, p, q, eng !== null ? eng.beta : beta, out, eng);
  return gq;
}

/**
 * out = q − Gβ for the p×p G (G_j = column j): with `eng` (G in its memory, β = eng.beta) the SIMD
 * Xβ kernel into the scratch vecA, else plain loops skipping zero β_k. The Gram loop's refresh and
 * `gramGradient` (the same operations, so the same bits). `qe`: q staged in the engine memory and
 * `out` there too (the Gram loop's g): the difference by the kernel `qminus`.
 */
function qMinusGbeta(G: Float64Array, p: number, q: Float64Array, beta: Float64Array, out: Float64Array, eng: WasmEngine | null, qe: Float64Array | null = null): void {
  if (eng !== null) {
    const t = eng.vecA;
    t.fill(0);
    // four columns per pass over t (`gemvSkip4`: the bits of `gemvSkip`, ≈ 26% faster at |S| = 130 of 300)
    eng.gemvSkip4(eng.xPtr, p, p, beta.byteOffset, t.byteOffset);
    if (qe !== null && out.buffer === eng.buffer) eng.qminus(qe.byteOffset, t.byteOffset, out.byteOffset, p);
    else for (let j = 0; j < p; j++) out[j] = q[j]! - t[j]!;
    return;
  }
  out.set(q);
  for (let k = 0; k < p; k++) {
    const bk = beta[k]!;
    if (bk === 0) continue;
    const o = k * p;
    for (let j = 0; j < p; j++) out[j] -= bk * G[o + j]!;
  }
}

/** What the Gram loop reports. */
export interface GramRun {
  /** X_cᵀy_c (cached on the design). */
  q: Float64Array;
  /** Epochs (sweeps) run, full or restricted. */
  epochs: number;
  /** Coordinate updates visited. */
  coordUpdates: number;
  /** The last Gram gap (uncertified: see the file header). */
  gap: number;
  /**
   * A certified upper bound on the duality gap at the returned β (the Gram gap plus its rounding
   * bound, see `gramCertificate`) and the dual scaling t it was evaluated with, when that bound
   * meets the tolerance; null otherwise (the caller certifies from the residual).
   */
  cert: GramCert | null;
}

/**
 * A certified Gram-mode finish: the gap bound and its dual scaling, and the correlations it was
 * computed from — `g` = X_cᵀr at the returned β (a copy), within `err`·‖X_c,j‖ of the exact value
 * (`gramCertificate`) — which `lastCheck` hands on to post-processing (cd.ts).
 */
export interface GramCert {
  gap: number;
  t: number;
  g?: Float64Array;
  err?: number;
}

/**
 * Gram-mode coordinate descent from `beta` (updated in place) until the Gram gap is ≤ tolAbs (or
 * the rounding floor), or `maxEpochs` sweeps. `active` lists the features that may be non-zero
 * (non-zero columns). Returns the counters; the caller certifies the result (file header).
 */
export function gramSolve(
  d: PreparedDesign, yc: Float64Array, spec: QuadSpec, beta: Float64Array, active: Int32Array, nActive: number,
  tolAbs: number, maxEpochs: number, lean: GramLean = {},
): GramRun {
  const n = d.nRows;
  const p = d.nCols;
  const st = ensureGram(d);
  const G = st.G;
  const eng = st.eng !== null && !st.eng.busy ? st.eng : null;
  if (eng !== null) eng.busy = true;
  try {
    return gramLoop(d, yc, spec, beta, active, nActive, tolAbs, maxEpochs, st, eng, lean);
  } finally {
    if (eng !== null) eng.busy = false;
  }
}

/**
 * What a caller of `gramSolve` can do without (the loose grid path, gram_loose.ts): `trustedTarget`
 * — y_c is never modified (its q is looked up by identity, see `xtyEntry`); `noCertG` — the
 * certificate's copy of g (`GramCert.g`) is not read.
 */
export interface GramLean {
  readonly trustedTarget?: boolean;
  readonly noCertG?: boolean;
  /**
   * g = q − Gβ at the starting β computed by the caller (not fresh: e.g. extrapolated along a path,
   * gram_loose.ts), instead of recomputing it (O(p·|support|)); the loop recomputes g before it
   * stops, so only the start depends on it.
   */
  readonly startG?: Float64Array;
  /** Receives the final g (freshly recomputed) when the run is certified (`cert` non-null). */
  readonly outG?: Float64Array;
}

function gramLoop(
  d: PreparedDesign, yc: Float64Array, spec: QuadSpec, beta0: Float64Array, active0: Int32Array, nActive: number,
  tolAbs: number, maxEpochs: number, st: GramStore, eng: WasmEngine | null, lean: GramLean,
): GramRun {
  const G = st.G;
  const n = d.nRows;
  const p = d.nCols;
  const l1 = spec.l1;
  const nl2 = n * spec.l2;
  const xe = xtyEntry(d, yc, lean.trustedTarget === true);
  const { q, yy } = xe;
  const { gerr, qScale } = boundsOf(st, xe, p);
  // the loop's vectors: in the engine memory (the `gepoch` kernel reads them there) or plain
  const g = eng !== null ? eng.r : new Float64Array(p);
  const thr = eng !== null ? eng.thr : new Float64Array(p);
  let dg = st.diag;
  if (dg === undefined) {
    dg = new Float64Array(p);
    for (let j = 0; j < p; j++) dg[j] = G[j * p + j]!;
    st.diag = dg;
  }
  const diag = eng !== null ? eng.norms : dg;
  if (eng !== null && st.diagLoaded !== true) {
    diag.set(dg);
    st.diagLoaded = true;
  }
  const beta = eng !== null ? eng.beta : beta0;
  const active = eng !== null ? eng.ws : active0;
  const sup = eng !== null ? eng.cols : new Int32Array(p);
  if (eng !== null) {
    beta.set(beta0);
    active.set(active0.subarray(0, nActive));
  }
  // the thresholds n·l_j, and whether one penalty level holds for every feature (the Lasso: no
  // division per feature in `gapSums`): one pass (`thresholds`)
  const lu = thresholds(thr, l1, n, p);
  // the Lasso's gap sums in the engine (`gapsums`, the bits of `gapSums`): q staged beside g and β
  const qe = eng !== null && lu > 0 ? eng.outB : null;
  if (qe !== null) qe.set(q);
  const refresh = (): void => qMinusGbeta(G, p, q, beta, g, eng, qe); // β is eng.beta with an engine
  // g from the previous solve when it ended freshly refreshed at this β (bit for bit the refresh)
  const prev = st.fresh;
  st.fresh = null;
  const start = lean.startG !== undefined && lean.startG.length === p ? lean.startG : null;
  let same = start === null && prev != null && prev.q === q && (eng !== null) === (prev.g === null);
  for (let j = 0; same && j < p; j++) same = prev!.beta[j] === beta[j];
  if (start !== null) g.set(start);
  else if (same) {
    if (prev!.g !== null) g.set(prev!.g);
  } else refresh();
  if (prev != null && prev.beta.length === p) st.spare = prev.beta;
  let fresh = start === null; // g was just recomputed from β (no sweep since)
  const keep = (): void => {
    if (!fresh) {
      st.fresh = null;
      return;
    }
    const b = st.spare ?? new Float64Array(p);
    st.spare = null;
    b.set(beta);
    st.fresh = { q, beta: b, g: eng !== null ? null : g };
  };
  const sweep = (cols: Int32Array, m: number): void => {
    fresh = false;
    if (eng !== null) {
      // groups of four coordinates, one pass over g per group: the bits of `gepoch`, ≈ 15% faster
      eng.gepoch4(eng.xPtr, p, cols.byteOffset, m, beta.byteOffset, g.byteOffset, diag.byteOffset, thr.byteOffset, nl2);
      return;
    }
    for (let w = 0; w < m; w++) {
      const j = cols[w]!;
      const bj = beta[j]!;
      const nj = diag[j]!;
      const z = g[j]! + nj * bj;
      const tj = thr[j]!;
      const nb = z > tj ? (z - tj) / (nj + nl2) : z < -tj ? (z + tj) / (nj + nl2) : 0;
      if (nb !== bj) {
        const dlt = nb - bj;
        const o = j * p;
        for (let k = 0; k < p; k++) g[k] -= dlt * G[o + k]!;
        beta[j] = nb;
      }
    }
  };
  // gap over cols[0..m) (β must vanish outside them), formulas of quad_model.ts with
  // X_cᵀr = g and ‖r‖² = ‖y_c‖² − βᵀq − βᵀg; also the rounding scale of ‖r‖²
  let floorScale = 0;
  const gapOver = (cols: Int32Array, m: number): number => {
    const o = qe !== null ? gapSumsWasm(eng!, cols, m, qe, lu, nl2, n, yy) : gapSums(cols, m, beta, g, q, l1, lu, nl2, n, yy);
    const pen = o[0]!, bb = o[1]!, bg = o[2]!, bq = o[3]!, s = o[4]!, sc = o[5]!;
    floorScale = sc;
    const t = 1 / s;
    const rr = Math.max(0, yy - bq - bg);
    return ((1 - t) * (1 - t) * rr) / (2 * n) - (t * bg) / n + pen + (spec.l2 * (1 + t * t) * bb) / 2;
  };
  const floorOf = (): number => (1e3 * 2.220446049250313e-16 * floorScale) / (2 * n);
  // the certified gap at the current β (g freshly refreshed: see the callers), or null
  // a certified finish hands the (fresh) g to the caller's `outG`
  const finish = (c: GramCert | null): GramCert | null => {
    if (c !== null && lean.outG !== undefined && lean.outG.length === p) lean.outG.set(g);
    return c;
  };
  const certify = (): GramCert | null => {
    const c = gramCertificate(n, p, yy, q, g, diag, beta, l1, spec.l2, active, nActive, gerr, qScale, lu, qe !== null ? eng : null);
    if (c.gap > tolAbs) return null;
    return lean.noCertG === true ? c : { ...c, g: new Float64Array(g) };
  };
  let epochs = 0;
  let updates = 0;
  let gap = Infinity;
  // a warm start may already be solved: no sweep then (the caller's certificate decides; a g the
  // caller gave is recomputed first)
  gap = gapOver(active, nActive);
  if (gap <= tolAbs && !fresh) {
    refresh();
    fresh = true;
    gap = gapOver(active, nActive);
  }
  if (gap <= tolAbs) {
    keep();
    return { q, epochs: 0, coordUpdates: 0, gap, cert: finish(certify()) };
  }
  while (epochs < maxEpochs) {
    sweep(active, nActive);
    epochs++;
    updates += nActive;
    gap = gapOver(active, nActive);
    if (gap <= Math.max(tolAbs, floorOf())) {
      // about to stop: g recomputed (O(p·|support|)) to kill the drift of the incremental updates,
      // and the gap re-evaluated from it (only at a stop: a refresh costs as much as a sweep)
      refresh();
      fresh = true;
      gap = gapOver(active, nActive);
    }
    if (gap <= Math.max(tolAbs, floorOf())) break;
    // restricted sweeps on the support ∪ unpenalised features
    // (the Lasso with an engine: `nzlist`, the same list)
    const m = qe !== null ? eng!.nzlist(active.byteOffset, nActive, beta.byteOffset, sup.byteOffset) : restrictedList(active, nActive, beta, l1, sup);
    if (m === 0 || m === nActive) continue;
    const target = RESTRICTED_TARGET * gap;
    while (epochs < maxEpochs) {
      sweep(sup, m);
      epochs++;
      updates += m;
      if (gapOver(sup, m) <= Math.max(target, floorOf())) break;
    }
    // every update keeps g for all p features, so the full gap is an O(p) pass on it: when it
    // already says stop, g is recomputed and the stop decided on it, as after a full sweep — the
    // full sweep that would only confirm the support is saved (≈ 27% of the full sweeps of a CV path)
    if (gapOver(active, nActive) <= Math.max(tolAbs, floorOf())) {
      refresh();
      fresh = true;
      gap = gapOver(active, nActive);
      if (gap <= Math.max(tolAbs, floorOf())) break;
    }
  }
  if (eng !== null) beta0.set(beta);
  keep();
  return { q, epochs, coordUpdates: updates, gap, cert: gap <= tolAbs ? finish(certify()) : null };
}

/**
 * thr[j] = n·l_j for j < p; returns the common penalty level l when l_j = l > 0 for every j (the
 * Lasso), else 0 (`gapSums`). One pass (the Gram loop's set-up runs once per λ of every fold).
 */
function thresholds(thr: Float64Array, l1: Float64Array, n: number, p: number): number {
  let lu = p > 0 ? l1[0]! : 0;
  for (let j = 0; j < p; j++) {
    const lj = l1[j]!;
    thr[j] = n * lj;
    if (lj !== lu) lu = 0;
  }
  return lu > 0 ? lu : 0;
}

/** sup ← the listed features with β_j ≠ 0 or l_j = 0, in list order; returns their number. */
function restrictedList(active: Int32Array, nActive: number, beta: Float64Array, l1: Float64Array, sup: Int32Array): number {
  let m = 0;
  for (let k = 0; k < nActive; k++) {
    const j = active[k]!;
    if (beta[j] !== 0 || l1[j] === 0) sup[m++] = j;
  }
  return m;
}

/** The sums of `gapSums`, reused (one call at a time; read right after). */
const gapOut = new Float64Array(6);

/**
 * The sums of the Gram gap over cols[0..m) (`gramLoop`'s `gapOver`): [Σ l_j|β_j|, ‖β‖², βᵀg, βᵀq,
 * s = max(1, max_j |g_j − nλ₂β_j|/(n·l_j)), the rounding scale yy + Σ|β_j q_j| + |β_j(q_j − g_j)|].
 * `lu` > 0: every l_j equals lu (the Lasso), and the maximum is divided once — the same value,
 * since division by a positive number is monotone in IEEE arithmetic. A top-level function with
 * the arrays as arguments (not a closure over them): V8 hoists their loads out of the loop. The
 * Lasso loop has no branch on β_j ≠ 0: a zero β_j adds exactly ±0 to every sum (g, q finite), so the
 * sums are bit for bit those of the branching loop, and V8 no longer boxes the doubles the branch
 * merged (the branching loop allocated ≈ 2 kB of heap numbers per call: 8 MB per CV tuning of
 * 2000 × 300, half of the tuning's allocation, round cv4). With an engine the Gram loop runs the
 * Lasso's loop as the kernel `gapsums` (`gapSumsWasm`); @internal exported for its test.
 */
export function gapSums(
  cols: Int32Array, m: number, beta: Float64Array, g: Float64Array, q: Float64Array, l1: Float64Array, lu: number, nl2: number, n: number, yy: number,
): Float64Array {
  let pen = 0, bb = 0, bg = 0, bq = 0, s = 1, sc = yy;
  if (lu > 0) {
    let amax = 0;
    for (let k = 0; k < m; k++) {
      const j = cols[k]!;
      const b = beta[j]!;
      const x = g[j]!;
      const qj = q[j]!;
      pen += lu * Math.abs(b);
      bb += b * b;
      bg += b * x;
      bq += b * qj;
      sc += Math.abs(b * qj) + Math.abs(b * (qj - x));
      const a = Math.abs(x - nl2 * b);
      amax = a > amax ? a : amax;
    }
    s = lassoDualScale(amax, n, lu);
  } else {
    for (let k = 0; k < m; k++) {
      const j = cols[k]!;
      const b = beta[j]!;
      const x = g[j]!;
      const lj = l1[j]!;
      if (b !== 0) {
        pen += lj * Math.abs(b);
        bb += b * b;
        bg += b * x;
        bq += b * q[j]!;
        sc += Math.abs(b * q[j]!) + Math.abs(b * (q[j]! - x));
      }
      if (lj > 0) {
        const a = Math.abs(x - nl2 * b) / (n * lj);
        if (a > s) s = a;
      }
    }
  }
  const o = gapOut;
  o[0] = pen;
  o[1] = bb;
  o[2] = bg;
  o[3] = bq;
  o[4] = s;
  o[5] = sc;
  return o;
}

/**
 * The Lasso's dual scaling s = max(1, amax/(n·lu)) from the maximum of the numerators (one penalty
 * level lu > 0: divided once; a NaN maximum gives 1, as the comparisons of the loops did).
 */
function lassoDualScale(amax: number, n: number, lu: number): number {
  const a = amax / (n * lu);
  return a > 1 ? a : 1;
}

/**
 * `gapSums` of the Lasso (one penalty level lu > 0) by the engine kernel `gapsums` (lasso.wat: the
 * same scalar operations in the same order, so the same bits): β = eng.beta, g = eng.r, the list
 * `cols` and q (`qe`) in the engine memory; the sums land in eng.blk. A scalar loop either way, but
 * the TypeScript one reads views of a WebAssembly memory (about 1.4 µs per call at p = 300 against
 * about 1.1 µs in the kernel, both timed inside the tuning; ≈ 3 700 calls per 5-fold CV tuning of
 * 2000 × 300, round cv9). @internal exported for its test.
 */
export function gapSumsWasm(eng: WasmEngine, cols: Int32Array, m: number, qe: Float64Array, lu: number, nl2: number, n: number, yy: number): Float64Array {
  const b = eng.blk;
  eng.gapsums(cols.byteOffset, m, eng.beta.byteOffset, eng.r.byteOffset, qe.byteOffset, lu, nl2, yy, b.byteOffset);
  const o = gapOut;
  o[0] = b[0]!;
  o[1] = b[1]!;
  o[2] = b[2]!;
  o[3] = b[3]!;
  o[4] = lassoDualScale(b[4]!, n, lu);
  o[5] = b[5]!;
  return o;
}

/**
 * A certified upper bound on the duality gap from Gram quantities (the per-λ O(n·p) residual pass
 * of the certificate is then not needed). With u the unit roundoff and γ_k = k·u/(1 − k·u), every
 * computed inner product of k terms is within γ_k·Σ|terms| of the exact one, whatever the order of
 * summation (Higham, Accuracy and Stability of Numerical Algorithms, §3.1; blocked, SIMD and FMA
 * kernels included). Hence, with a_j = ‖X_c,j‖ = √G_jj, ‖y‖ = ‖y_c‖ and B = Σ_j a_j|β_j|
 * (Cauchy–Schwarz on |X_c,j|ᵀ|X_c,k| and |X_c,j|ᵀ|y_c|):
 *
 *   |δG_jk| ≤ γ_n a_j a_k,  |δq_j| ≤ γ_n a_j ‖y‖,  so  |δg_j| ≤ c·a_j(‖y‖ + B),   c = 2(γ_n + γ_p + u),
 *
 * for g = q − Gβ against the exact X_cᵀ(y_c − X_cβ); and ‖r‖² = ‖y‖² − βᵀq − βᵀg, βᵀg are then
 * within E = 2c(‖y‖ + B)² of their exact values. The dual scaling is taken from |g_j − nλ₂β_j|
 * + c·a_j(‖y‖ + B), so θ = t·r/n is feasible for the exact correlations, and the gap (linear in
 * ‖r‖² and βᵀg at fixed t, see quad_model.ts)
 *
 *   gap = (1−t)²‖r‖²/(2n) − t·βᵀg/n + Σ l_j|β_j| + λ₂(1+t²)‖β‖²/2
 *
 * is bounded by its computed value + (1−t)²E/(2n) + t·E/n + c·(sum of the magnitudes of its terms).
 * At tol = 1e-4 the bound is many orders below the tolerance; near 1e-12 it is not met and the
 * residual certificate decides, as before.
 *
 * An assembled G (`installGram`, `err` given) is within γ_(n+T)·b_j b_k of X_cᵀX_c with norms
 * b_j ≥ a_j: the same argument with a_j replaced by b_j (|q_j| ≤ a_j‖y‖ ≤ b_j‖y‖, |G_jk| ≤ (1 + γ)b_j b_k)
 * and γ_n by γ_(n+T), i.e. B = Σ_j b_j|β_j| and k = n + p + 2 + T in c. The returned `err` keeps its
 * meaning (|δg_j| ≤ err·‖X_c,j‖): c(‖y‖ + B)·max_j b_j/a_j over the listed columns.
 *
 * An assembled q (`seedAssembledXty`: |δq_j| ≤ γ_(n+T)·b_j·ρ‖y‖, `qScale` = ρ ≥ 1) enters as ‖y‖
 * replaced by ρ‖y‖ in c(‖y‖ + B) and E (every term of the bound grows with ‖y‖).
 *
 * `lu` > 0: every l_j equals lu (the Lasso, `thresholds`), and the dual scaling's maximum is divided
 * by n·lu once — the same value, division by a positive number being monotone in IEEE arithmetic.
 * `eng` (with lu > 0): the Gram loop's engine, β = eng.beta, g = eng.r, diag = eng.norms, the list
 * and q = eng.outB in its memory: the sums are taken by the kernel `gramcert` (lasso.wat: the
 * operations of `certSums` and `certScale`, the same bits; an assembled G's norms staged in eng.vecB).
 */
export function gramCertificate(
  n: number, p: number, yy: number, q: Float64Array, g: Float64Array, diag: Float64Array, beta: Float64Array,
  l1: Float64Array, l2: number, cols: Int32Array, m: number, gerr: GramError | null = null, qScale = 1, lu = 0,
  eng: WasmEngine | null = null,
): { gap: number; t: number; err: number } {
  const u = 2.220446049250313e-16;
  const k = n + p + 2 + (gerr === null ? 0 : gerr.terms);
  // a_j (direct G) or the assembled G's error norms b_j ≥ a_j (`certNorm`)
  const nb = gerr === null ? null : gerr.norms;
  const c = (2 * k * u) / (1 - k * u);
  const nl2 = n * l2;
  // an assembled q (`qScale` ρ > 1): |δq_j| ≤ γ·b_j·ρ‖y‖, i.e. ‖y‖ replaced by ρ‖y‖ in every bound
  // below (each grows with ‖y‖; the computed ‖r‖² itself still uses yy)
  const ny = Math.sqrt(yy) * qScale;
  const k6 = eng !== null && lu > 0 ? certSumsWasm(eng, cols, m, nb, lu, nl2, c, ny) : null;
  const o = k6 ?? certSums(cols, m, beta, g, q, l1, diag, nb);
  const B = o[0]!, pen = o[1]!, bb = o[2]!, bg = o[3]!, bq = o[4]!;
  const dg = c * (ny + B); // |δg_j| ≤ dg·a_j
  // the dual scaling s and (assembled G) ratio = max_j b_j/a_j·(1 + 1e-6) in one pass: |δg_j| ≤
  // dg·b_j = (dg·b_j/a_j)·a_j, the margin covering the rounding of √G_jj against ‖X_c,j‖
  const ratio = nb === null ? 1 : normRatio(gerr!, cols, m, diag);
  const s = k6 !== null ? lassoDualScale(k6[5]!, n, lu) : certScale(cols, m, beta, g, l1, diag, nb, nl2, n, dg, lu);
  const t = 1 / s;
  const E = 2 * c * (ny + B) * (ny + B);
  const rr = Math.max(0, yy - bq - bg);
  const t1 = ((1 - t) * (1 - t) * rr) / (2 * n);
  const t2 = (t * bg) / n;
  const t3 = pen + (l2 * (1 + t * t) * bb) / 2;
  const gap = t1 - t2 + t3;
  const bound = ((1 - t) * (1 - t) * E) / (2 * n) + (t * E) / n + c * (Math.abs(t1) + Math.abs(t2) + t3);
  return { gap: gap + bound, t, err: ratio === Infinity ? Infinity : dg * ratio };
}

/** The sums of `certSums` / `certScale`, reused (one call at a time; read right after). */
const certOut = new Float64Array(5);

/**
 * `certSums` and the maximum of `certScale` (one penalty level lu) by the engine kernel `gramcert`:
 * [B, Σ lu|β_j|, ‖β‖², βᵀg, βᵀq, max_j |g_j − nl2·β_j| + c(ny + B)·norm_j] (the view eng.blk, read
 * right after). β, g, diag, q and the list as `gramCertificate` says; `nb` staged in eng.vecB.
 */
function certSumsWasm(eng: WasmEngine, cols: Int32Array, m: number, nb: Float64Array | null, lu: number, nl2: number, c: number, ny: number): Float64Array {
  if (nb !== null) eng.vecB.set(nb);
  const b = eng.blk;
  eng.gramcert(cols.byteOffset, m, eng.beta.byteOffset, eng.r.byteOffset, eng.outB.byteOffset, eng.norms.byteOffset, eng.vecB.byteOffset, nb !== null ? 1 : 0, lu, nl2, c, ny, b.byteOffset);
  return b;
}

/** a_j = √G_jj (direct G, `nb` null) or the assembled G's error norm b_j (`gramCertificate`). */
function certNorm(diag: Float64Array, nb: Float64Array | null, j: number): number {
  return nb === null ? Math.sqrt(Math.max(diag[j]!, 0)) : nb[j]!;
}

/**
 * [B = Σ norm_j|β_j|, Σ l_j|β_j|, ‖β‖², βᵀg, βᵀq] over cols[0..m) (`gramCertificate`); a top-level
 * function with the arrays as arguments, so V8 hoists their loads (once per certified solve).
 */
function certSums(
  cols: Int32Array, m: number, beta: Float64Array, g: Float64Array, q: Float64Array, l1: Float64Array, diag: Float64Array, nb: Float64Array | null,
): Float64Array {
  let B = 0, pen = 0, bb = 0, bg = 0, bq = 0;
  for (let w = 0; w < m; w++) {
    const j = cols[w]!;
    const b = beta[j]!;
    if (b === 0) continue;
    B += certNorm(diag, nb, j) * Math.abs(b);
    pen += l1[j]! * Math.abs(b);
    bb += b * b;
    bg += b * g[j]!;
    bq += b * q[j]!;
  }
  const o = certOut;
  o[0] = B;
  o[1] = pen;
  o[2] = bb;
  o[3] = bg;
  o[4] = bq;
  return o;
}

/**
 * s = max(1, max_j (|g_j − nλ₂β_j| + dg·norm_j)/(n·l_j)) over the penalised listed columns
 * (`gramCertificate`); `lu` > 0: every l_j = lu, the maximum of the numerators divided once (the
 * same value).
 */
function certScale(
  cols: Int32Array, m: number, beta: Float64Array, g: Float64Array, l1: Float64Array, diag: Float64Array, nb: Float64Array | null,
  nl2: number, n: number, dg: number, lu: number,
): number {
  let s = 1;
  if (lu > 0) {
    let amax = 0;
    for (let w = 0; w < m; w++) {
      const j = cols[w]!;
      const a = Math.abs(g[j]! - nl2 * beta[j]!) + dg * certNorm(diag, nb, j);
      amax = a > amax ? a : amax;
    }
    return lassoDualScale(amax, n, lu);
  }
  for (let w = 0; w < m; w++) {
    const j = cols[w]!;
    const lj = l1[j]!;
    if (!(lj > 0)) continue;
    const a = (Math.abs(g[j]! - nl2 * beta[j]!) + dg * certNorm(diag, nb, j)) / (n * lj);
    if (a > s) s = a;
  }
  return s;
}

/** `normRatio`'s last value per assembled G's error: the diagonal and column list it was taken over. */
const ratioCache = new WeakMap<GramError, { diag: Float64Array; cols: Int32Array; ratio: number }>();

/**
 * max(1, max_j b_j/a_j·(1 + 1e-6)) over the listed columns (a_j = √G_jj, b_j = gerr.norms[j];
 * Infinity for b_j > 0 = a_j): a function of G and the list only, so it is kept per `gerr` and
 * recomputed only when the diagonal array or the list's content changed (a CV fold asks it at
 * every λ with the same ones; the check is m integer comparisons instead of m square roots and
 * divisions).
 */
function normRatio(gerr: GramError, cols: Int32Array, m: number, diag: Float64Array): number {
  const hit = ratioCache.get(gerr);
  if (hit !== undefined && hit.diag === diag && hit.cols.length === m) {
    let same = true;
    for (let w = 0; same && w < m; w++) same = hit.cols[w] === cols[w];
    if (same) return hit.ratio;
  }
  const nb = gerr.norms;
  let ratio = 1;
  for (let w = 0; w < m; w++) {
    const j = cols[w]!;
    const a = Math.sqrt(Math.max(diag[j]!, 0));
    ratio = Math.max(ratio, a > 0 ? (nb[j]! / a) * (1 + 1e-6) : nb[j]! > 0 ? Infinity : 1);
  }
  ratioCache.set(gerr, { diag, cols: cols.slice(0, m), ratio });
  return ratio;
}
