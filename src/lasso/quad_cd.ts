/**
 * @file The coordinate-descent solver state of the squared-loss Lasso family (Lasso, elastic net,
 * weighted Lasso), dense column-major and CSC designs, with the celer/skglm speed layers: growing
 * working sets, Gap Safe screening, Anderson extrapolation of the primal iterates and celer dual
 * extrapolation (`QuadCD`). The public functions are in cd.ts.
 *
 * Problem (n rows; X_c, y_c centred when an intercept is fitted; l_j = λ·w_j ≥ 0, λ₂ ≥ 0):
 *
 *   P(β) = (1/2n)‖r‖² + Σ_j l_j|β_j| + (λ₂/2)‖β‖²,   r = y_c − X_cβ.
 *
 * Coordinate update (cyclic; N_j = ‖X_c,j‖²; residual kept up to date, r ← r − (β_j⁺ − β_j) X_c,j):
 *
 *   z = X_c,jᵀ r + N_j β_j,   β_j⁺ = ST(z, n·l_j) / (N_j + n·λ₂),   ST(z, τ) = sign(z)·max(|z| − τ, 0).
 *
 * Duality gap. The elastic net is a Lasso on X̃ = [X_c; √(nλ₂) I], ỹ = [y_c; 0] (residual
 * r̃ = [r; −√(nλ₂) β]), whose dual is D(θ̃) = ‖ỹ‖²/(2n) − (n/2)‖ỹ/n − θ̃‖² over |X̃_jᵀθ̃| ≤ l_j.
 * From any residual-like vector ρ (and its ridge part β̄; ρ = r, β̄ = β for the current iterate):
 *
 *   c_j = X_c,jᵀρ − nλ₂ β̄_j,   s = max(1, max_{l_j>0} |c_j| / (n l_j)),   t = 1/s,
 *   θ = t ρ / n  (the reported `dualPoint`; X̃_jᵀθ̃ = t c_j / n),
 *   D = (2t y_cᵀρ − t²‖ρ‖²)/(2n) − t²λ₂‖β̄‖²/2,
 *
 * and for ρ = r, using y_cᵀr = ‖r‖² + βᵀX_cᵀr (no cancellation between P and D):
 *
 *   gap = (1−t)²‖r‖²/(2n) − t βᵀX_cᵀr/n + Σ l_j|β_j| + λ₂(1+t²)‖β‖²/2.
 *
 * scikit-learn's Cython CD minimises n·P and stops when its (unscaled) gap ≤ tol·‖y_c‖²; in the
 * units of the documented objective that is gap ≤ tol·‖y_c‖²/n, our criterion, so `tol` means the
 * same here (checked against scikit-learn 1.2.1, whose `dual_gap_` is this scaled gap).
 * Unpenalised features (l_j = 0, weighted Lasso) require X_c,jᵀθ = 0, which a rescaled residual
 * satisfies only at the optimum: the residual is first projected onto that subspace
 * (`UnpenalisedProjector`), so the gap stays a certificate and screening stays safe.
 *
 * Gap Safe screening: D is n-strongly concave, so ‖θ̃ − θ̃*‖ ≤ √(2·gap/n) and
 *   (l_j − |X̃_jᵀθ̃|) / ‖X̃_j‖ > √(2·gap/n),   ‖X̃_j‖ = √(N_j + nλ₂)
 * certifies β*_j = 0; such features are removed for good.
 *
 * Working sets (celer): priority (l_j − |X̃_jᵀθ̃|)/‖X̃_j‖ (small = likely active; the support and
 * unpenalised features always in). Size: celer's default "prune" rule max(p0, 2·|support|), or
 * `workingSetGrowth: 'double'` (p0, 2p0, 4p0, …). Doubling is much slower when p ≫ n: on a 72×7129
 * correlated problem at λ_max/100 it reaches the full 7129 features after 10 outer iterations and
 * takes ≈28× longer than pruning, whose working set stays ≈ 2·|S| ≈ 140. The sub-problem is solved
 * to inner gap ≤ 0.3 × current outer gap; the outer gap is evaluated on all (non-screened) features
 * from the best of two dual points (current residual, inner dual point).
 *
 * Anderson extrapolation (skglm), every K+1 epochs on the working set: with the last K+1 iterates
 * β⁰..β^K and U = [β¹−β⁰, …, β^K−β^{K−1}], solve (UᵀU) z = 1, c = z/Σz,
 * β_acc = Σ_k c_k β^{k+1}, r_acc = Σ_k c_k r^{k+1} (r is affine in β); accepted only if P decreases.
 *
 * Dual extrapolation (celer), at each gap check: with the last K+1 residuals r⁰..r^K (ring buffer,
 * every epoch), U = [r¹−r⁰, …] (+ nλ₂ ΔβᵀΔβ in the Gram matrix for the enet), same c,
 * ρ = Σ c_k r^{k+1}, β̄ = Σ c_k β^{k+1}; the dual point from ρ is kept if its D is larger. An
 * accepted Anderson step empties the ring (the residuals no longer follow one linear recursion);
 * a check whose epoch a convergence rate predicted then extrapolates from the ≥ DUAL_MIN residuals
 * stored since (K' = count − 1 differences).
 *
 * Numerics: the residual is recomputed from scratch at outer iterations once the gap is within
 * 100× the tolerance, after an Anderson step with large weights (Σ|c_k| > 10), and whenever the
 * inner gap stalls for 3 checks (rounding drift of r would otherwise make CD converge to a fixed
 * point of a slightly wrong residual).
 * Block epochs (option `blockCD`, `blockEpoch`): on tall dense designs the working set is visited
 * by groups of four columns {4g, …, 4g+3}; each group's sub-problem is solved exactly on its cached
 * 4×4 Gram block, with one pass over r per group (the update of one group fused with the dot
 * products of the next, kernel `axpydot4`). Same fixed points as the cyclic update, fewer epochs on
 * correlated neighbouring columns, and r read and written once per four columns. Gap checks inside
 * such sub-problems ride on the next block epoch's pass (`fusedCheck`: X_cᵀr of the epoch's start
 * from the same kernels), so a failed check costs no pass of its own.
 *
 * Dense epochs run in the WebAssembly SIMD engine of the prepared design (design.ts), CSC epochs
 * in the design's CSC engine (kernel `cepoch`, scalar WebAssembly); everything else in JavaScript. Tall dense problems may continue in the Gram mode
 * (quad_gram.ts): `switchAfter` stops `run` after a budget of coordinate updates (cd.ts).
 */
import type { PreparedDesign, WasmEngine } from './design.js';
import type { CscEngine } from '../kernels/wasm_lasso.js';
import { colAxpy, colDots, colDots2, compactActiveList, initialActiveSet, matvec, vecSum } from './columns.js';
import { stageVec } from '../kernels/wasm_lasso.js';
import { epochDense, epochSparse } from './cd_epochs.js';
import { candidateDualValue, quadraticGap, sumSq, UnpenalisedProjector, type GapInfo, type QuadSpec } from './quad_model.js';
import { extrapolationWeights, selectLowestPriority, type ResolvedOptions } from './models.js';

type Resolved = ResolvedOptions;

/** Epochs before the first gap check of a sub-problem when no convergence rate was observed yet. */
const FIRST_CHECK = 3;

/**
 * Fewest stored residuals for a dual extrapolation from a shortened window (K' = count − 1 < K
 * differences), used at gap checks whose epoch a convergence rate predicted (`inner`).
 */
const DUAL_MIN = 4;

/**
 * @internal Dual extrapolation from a shortened window at predicted checks (`DUAL_MIN`); `on: false`
 * restores the full-window rule (tests compare both); `count`: such candidates formed so far.
 */
export const shortDualWindow: { on: boolean; count: number } = { on: true, count: 0 };

/**
 * @internal Block updates with zero coefficients skipped (`axpyKdot4` in `blockEpoch`); `on: false`
 * runs the four-column kernel on every update (tests compare both: the same bits).
 */
export const skipZeroUpdates: { on: boolean } = { on: true };

/**
 * @internal A gap check a convergence rate predicted for the epoch after next comes right after an
 * accepted Anderson step instead (`inner`); `on: false` keeps the predicted epoch (tests compare
 * both); `count`: checks so moved.
 */
export const andersonChecks: { on: boolean; count: number } = { on: true, count: 0 };

/**
 * A block's update compacted to its c non-zero coefficients (blk[4..4+c), their columns pk[0..c)),
 * padded to four for the four-column kernels (coefficients 0, the first column repeated: r − 0·x = r);
 * returns how many of them the kernel applies (0: no update; 4 with `skipZeroUpdates` off).
 */
function padUpdate(blk: Float64Array, pk: Int32Array, c: number): number {
  if (c === 0) return 0;
  for (let q = c; q < 4; q++) {
    blk[4 + q] = 0;
    pk[q] = pk[0]!;
  }
  return skipZeroUpdates.on ? c : 4;
}

/** Most coordinate sweeps on a block's Gram matrix per block update (`blockEpoch`). */
const BLOCK_SWEEPS = 8;

/**
 * @internal Gap checks fused with the following block epoch (`QuadCD.fusedCheck`); `on: false`
 * restores the check's own pass over X (tests and benchmarks compare both); `count`: fused checks
 * made so far in the process.
 */
export const fusedGapChecks: { on: boolean; count: number } = { on: true, count: 0 };

/** Gram entries of the column groups {4g, …, 4g+3} of dense designs, per design (`groupGram`). */
const groupGrams = new WeakMap<PreparedDesign, Float64Array>();

/**
 * G[16g + 4a + b] = X_c,4g+aᵀX_c,4g+b (a ≠ b) for every group of four columns (the block epochs'
 * couplings; the diagonal is not used: the norms are), computed on the first call for a design
 * (`gram4`: one pass over X) and cached for the design's lifetime (weakly: it goes with the design).
 */
function groupGram(d: PreparedDesign, e: WasmEngine): Float64Array {
  return groupGrams.get(d) ?? buildGroupGrams(d, e, null, null);
}

/**
 * out[j] = X_c,jᵀv for every column and, in the same pass over X, the group Gram entries of
 * `groupGram` (kernel `dotgram4`), cached for the design: the first gap check of a cold solve that
 * will run block epochs (one pass over X instead of two: ≈ 0.6 ms at 5000 × 500). The products
 * equal `colDots`' up to the order of the sums.
 */
function dotsWithGroupGram(d: PreparedDesign, e: WasmEngine, v: Float64Array, out: Float64Array): void {
  buildGroupGrams(d, e, v, out);
}

/**
 * The group Gram entries of every group of four columns into a new array cached for the design:
 * by `gram4` (its six products at blk[0..6)), or with `v` by `dotgram4`, which also returns
 * X_c,jᵀv of the group's columns (blk[0..4), stored into out) and the six products at blk[4..10).
 */
function buildGroupGrams(d: PreparedDesign, e: WasmEngine, v: Float64Array | null, out: Float64Array | null): Float64Array {
  const p = d.nCols;
  const n = d.nRows;
  const ng = (p + 3) >> 2;
  const G = new Float64Array(16 * ng);
  const colB = 8 * n;
  const blk = e.blk;
  const vPtr = v !== null ? stageVec(e, v, e.vecA, n) : 0;
  for (let g = 0; g < ng; g++) {
    const j0 = 4 * g;
    const cnt = Math.min(4, p - j0);
    // a short last group repeats its last column (those entries are never read)
    const c0 = e.xPtr + colB * j0;
    const c1 = e.xPtr + colB * (j0 + Math.min(1, cnt - 1));
    const c2 = e.xPtr + colB * (j0 + Math.min(2, cnt - 1));
    const c3 = e.xPtr + colB * (j0 + Math.min(3, cnt - 1));
    let q = 0;
    // (`e.rows`: over two row chunks on tall designs, team.ts)
    if (out !== null) {
      e.rows.dotgram4(n, c0, c1, c2, c3, vPtr, blk.byteOffset);
      for (let a = 0; a < cnt; a++) out[j0 + a] = blk[a]!;
      q = 4;
    } else e.rows.gram4(n, c0, c1, c2, c3, blk.byteOffset);
    const o = 16 * g;
    for (let a = 0; a < 4; a++) {
      for (let b = a + 1; b < 4; b++) {
        G[o + 4 * a + b] = blk[q]!;
        G[o + 4 * b + a] = blk[q]!;
        q++;
      }
    }
  }
  groupGrams.set(d, G);
  return G;
}

/** What the outer loop hands back: convergence, λ_max and the best dual point θ = t·ρ/n (+ ridge part t·β̄). */
export interface RunOut {
  converged: boolean;
  lambdaMax: number;
  dualRho: Float64Array;
  dualT: number;
  dualBeta: Float64Array | null;
  /** The run stopped because `switchAfter` coordinate updates were spent (cd.ts continues in Gram mode). */
  switched: boolean;
}

/** The solver state for one squared-loss problem. */
/**
 * The extrapolation histories ((K + 1)·n floats each) of the last released solver, taken by the
 * next one of the same size: a CV fold or a path solves hundreds of times, and fresh histories
 * per solve kept ≈ 60 MB of garbage waiting for the collector at n = 80 000 (issue: tuning memory).
 * Every entry is written before it is read (the counters restart in `ensureBuffers`).
 */
let spareHistory: { andR: Float64Array<ArrayBuffer>; dR: Float64Array<ArrayBuffer> } | null = null;

/**
 * The coefficient histories of the extrapolations (`andB`, `dB`: (K + 1)·cap floats; `tmpB`: cap) of
 * a released solver, taken by the next solver whose working set fits (cap ≥ m; the offsets are
 * m-based, so a larger capacity changes nothing): each solver grew its own from 100 to ≈ p
 * columns, ≈ 0.2 MB of fresh arrays per solve at p = 1000 (issue 12, round cold2). Every entry
 * read is written first (`ensureBuffers` restarts the counters; `anderson` zeroes tmpB's first m).
 */
let spareCoef: { andB: Float64Array<ArrayBuffer>; dB: Float64Array<ArrayBuffer>; tmpB: Float64Array<ArrayBuffer>; cap: number } | null = null;

/**
 * The dual-candidate vectors (`candRho`, `tmpR`: n floats each) of the last released solver, taken
 * (zeroed, as fresh ones) by the next solver of the same n: two n-vectors of garbage fewer per
 * solve (issue 12: tuning memory).
 */
let spareRho: { cand: Float64Array; tmp: Float64Array } | null = null;

/**
 * A zeroed n-vector: the spare one when it has that length, else a new one. One allocation site
 * for both cases (the spare's empty replacement or the new vector): a separate `new` for the miss,
 * first reached by optimised code at the first solve of another n (the refit after the folds),
 * cost a deoptimisation of the inlining constructor (issue 12, round proc2).
 */
function takeSpareRho(which: 'cand' | 'tmp', n: number): Float64Array {
  const s = spareRho;
  const hit = s !== null && s[which].length === n;
  const fresh = new Float64Array(hit ? 0 : n);
  if (!hit) return fresh;
  const v = s![which];
  s![which] = fresh;
  return v.fill(0);
}

/**
 * Σ_i (H[a1+i] − H[a0+i])·(H[b1+i] − H[b0+i]), i < len: one Gram entry of two differences of
 * stored iterates (the extrapolations' histories), summed in index order. One small function for
 * every such loop (`anderson`, `dualExtrapolate`): it is optimised after a few calls, while the
 * large callers wait for their compilation (≈ 20–35 ms of background compiler time each) running
 * unoptimised code that boxes every intermediate double (≈ 8 MB of a cold tuning's garbage;
 * issue 12, round cold2).
 */
function diffDot(H: Float64Array, a0: number, a1: number, b0: number, b1: number, len: number): number {
  let s = 0;
  for (let i = 0; i < len; i++) s += (H[a1 + i]! - H[a0 + i]!) * (H[b1 + i]! - H[b0 + i]!);
  return s;
}

/** acc[i] += c·H[off + i], i < len (a stored iterate's share of an extrapolation; see `diffDot`). */
function addScaledAt(acc: Float64Array, c: number, H: Float64Array, off: number, len: number): void {
  for (let i = 0; i < len; i++) acc[i] += c * H[off + i]!;
}

/**
 * max over k < nA of |xty_j|/w_j (j = list[k], w_j > 0; w null: 1), by `Math.max` as before: the
 * scaled λ_max of a solve's first check (`QuadCD.run`), in a small function of its own so that it
 * runs optimised early (see `diffDot`).
 */
function weightedMaxAbs(list: Int32Array, nA: number, xty: Float64Array, w: Float64Array | null): number {
  let m = 0;
  for (let k = 0; k < nA; k++) {
    const j = list[k]!;
    const wj = w === null ? 1 : w[j]!;
    if (wj > 0) m = Math.max(m, Math.abs(xty[j]!) / wj);
  }
  return m;
}

/**
 * prio[k] = (l_j − t·|c_j|/n)/√(‖x_j‖² + nλ₂) with c_j = xt_j − nλ₂·β̄_j (j = list[k]), −∞ for a
 * support or unpenalised feature (always taken): `QuadCD.buildWorkingSet`'s priorities. One store
 * for both cases: a separate `prio[k] = -Infinity` branch, first reached once β has a support, was
 * met by code optimised without it (a deoptimisation per process, round proc2).
 */
function workingSetPriorities(
  list: Int32Array, nA: number, xt: Float64Array, bbar: Float64Array | null, t: number, n: number,
  l1: Float64Array, nl2: number, normsSq: Float64Array, beta: Float64Array, prio: Float64Array,
): void {
  for (let k = 0; k < nA; k++) {
    const j = list[k]!;
    const c = bbar === null ? xt[j]! : xt[j]! - nl2 * bbar[j]!;
    const q = (l1[j]! - (t * Math.abs(c)) / n) / Math.sqrt(normsSq[j]! + nl2);
    prio[k] = beta[j] !== 0 || l1[j] === 0 ? NEG_INF : q;
  }
}

/**
 * Gap Safe tests of `QuadCD.screen`: the active features j = cols[k] with
 * l_j − t·|c_j|/n > √(‖x_j‖² + nλ₂)·radius (c_j as in `workingSetPriorities`) into out[0..count),
 * in list order, with n·(t·|c_j|/n + ‖x_j‖·radius) into outB[0..count) (the Gap Safe bound of
 * |X_c,jᵀr*| that `screen` keeps for the Lasso, where c_j = xt_j); returns count. Feature j's test
 * reads only its own entries (β̄ may be β: a removal zeroes the removed feature's entry only), so
 * testing all before removing any selects the same features as testing each before its removal.
 */
function gapSafeTests(
  cols: Int32Array, m: number, active: Uint8Array, xt: Float64Array, bbar: Float64Array | null, t: number,
  n: number, l1: Float64Array, nl2: number, normsSq: Float64Array, radius: number, out: Int32Array, outB: Float64Array,
): number {
  let h = 0;
  for (let k = 0; k < m; k++) {
    const j = cols[k]!;
    if (active[j] === 0) continue;
    const c = bbar === null ? xt[j]! : xt[j]! - nl2 * bbar[j]!;
    const corr = (t * Math.abs(c)) / n;
    // branch-free count: an increment first reached by optimised code (the first removal) cost a
    // deoptimisation for want of type feedback
    out[h] = j;
    outB[h] = n * (corr + Math.sqrt(normsSq[j]!) * radius);
    h += l1[j]! - corr > Math.sqrt(normsSq[j]! + nl2) * radius ? 1 : 0;
  }
  return h;
}

/**
 * The p-vectors of the last released solver (X_cᵀr and the candidates' products `xtr`, `xti`,
 * `xta`; the working-set priorities `prio`, `prioTmp`), taken (zeroed, as fresh ones) by the next
 * solver of the same p: a CV fold's path builds a solver per λ, and five fresh p-vectors each were
 * allocated and zeroed per solve (issue 12, round cold2). Nothing reads them after `release`
 * (finishQuadratic copies `xtr` out before).
 */
let spareP: { xtr: Float64Array; xti: Float64Array; xta: Float64Array; prio: Float64Array; prioTmp: Float64Array } | null = null;

/** spareP taken when its vectors have length p (zeroed), else null (then fresh ones). */
function takeSpareP(p: number): typeof spareP {
  const s = spareP;
  if (s === null || s.xtr.length !== p) return null;
  spareP = null;
  s.xtr.fill(0);
  s.xti.fill(0);
  s.xta.fill(0);
  s.prio.fill(0);
  s.prioTmp.fill(0);
  return s;
}

/**
 * thr[j] = n·l_j for j < p; returns whether a feature with a non-zero column is unpenalised
 * (l_j = 0). The constructor's pass over the penalties in a small function of its own (see `diffDot`).
 */
function fillThresholds(thr: Float64Array, l1: Float64Array, n: number, normsSq: Float64Array, p: number): boolean {
  let unpen = false;
  for (let j = 0; j < p; j++) {
    thr[j] = n * l1[j]!;
    if (l1[j] === 0 && normsSq[j]! > 0) unpen = true;
  }
  return unpen;
}

/** The support size over the active list, set by `supportCounts` (a second result without an object). */
let supportNnz = 0;

/**
 * Over the active features j = list[k], k < nA: the support size (β_j ≠ 0) into `supportNnz`, and
 * the number of features a working set must take (support or unpenalised: l_j = 0) returned
 * (`QuadCD.run`'s working-set size; a small function, see `diffDot`).
 */
function supportCounts(list: Int32Array, nA: number, beta: Float64Array, l1: Float64Array): number {
  let nnz = 0, forced = 0;
  for (let k = 0; k < nA; k++) {
    const j = list[k]!;
    if (beta[j] !== 0) nnz++;
    if (beta[j] !== 0 || l1[j] === 0) forced++;
  }
  supportNnz = nnz;
  return forced;
}

/** H[off + k] = v[ws[k]], k < m: β over a working set into an extrapolation history (see `diffDot`). */
function gatherAt(H: Float64Array, off: number, v: Float64Array, ws: Int32Array, m: number): void {
  for (let k = 0; k < m; k++) H[off + k] = v[ws[k]!]!;
}

/** Σ b_q² of the last `penaltyParts` call (a second result without an object). */
let penaltySq = 0;

/**
 * Σ_q l_{ws[q]}·|b_q| returned and Σ_q b_q² into `penaltySq`, summed in q order, with b_q = v[q]
 * (a compact iterate) or, `scattered`, v[ws[q]] (β itself): `anderson`'s objective test (see `diffDot`).
 */
function penaltyParts(ws: Int32Array, m: number, l1: Float64Array, v: Float64Array, scattered: boolean): number {
  let pen = 0, bb = 0;
  for (let q = 0; q < m; q++) {
    const j = ws[q]!;
    const b = v[scattered ? j : q]!;
    pen += l1[j]! * Math.abs(b);
    bb += b * b;
  }
  penaltySq = bb;
  return pen;
}

/** −∞ as a constant (a `-Infinity` literal is a global load and a negation, each with its own type feedback). */
const NEG_INF = -Infinity;

/**
 * The solver's numeric fields start as numbers of their final kind (V8 field representations): an
 * integer field starts at 0, a float field at NaN. A field declared without a value starts as
 * `undefined` and holds boxed numbers for good; one that starts at the integer 0 and later gets a
 * float changes the hidden class of every solver, and the optimised code that saw the old class
 * (`tolAbs`, `anderson`, `dualExtrapolate`, …) is thrown away and compiled again (issue 12, round
 * proc2: `rateLog` did this at the first sub-problem of every process).
 */
export class QuadCD {
  readonly n: number = 0;
  readonly p: number = 0;
  readonly nl2: number = NaN;
  /** n·l_j: the soft-threshold level of the unscaled coordinate update. */
  readonly thr: Float64Array;
  readonly hasUnpen: boolean;
  /** Dual projection for unpenalised features (null when every l_j > 0). */
  readonly proj: UnpenalisedProjector | null;
  /** ρ' = projected residual (only with `proj`). */
  readonly projRho: Float64Array;
  readonly beta: Float64Array;
  readonly r: Float64Array;
  /** Σ r̃ for CSC with implicit centring (0 and unused otherwise). */
  S = 0;
  readonly active: Uint8Array;
  activeList: Int32Array;
  nActive = 0;
  readonly xtr: Float64Array;
  readonly xti: Float64Array;
  readonly xta: Float64Array;
  readonly ySum: number = NaN;
  // best inner dual candidate (extrapolated), handed to the outer loop
  readonly candRho: Float64Array;
  readonly candBeta: Float64Array | null;
  hasCand = false;
  // stats
  epochs = 0;
  coordUpdates = 0;
  andersonAccepted = 0;
  dualUsed = 0;
  screened = 0;
  nOuter = 0;
  wsSize = 0;
  // last gap
  // t NaN (no check yet; read only after `run`'s first check): a float, as every later t
  last: GapInfo = { P: NaN, D: NaN, gap: Infinity, t: NaN };
  lastFromCand = false;
  /**
   * The gap of the check that ended the last `inner` call below its tolerance (null: it ended
   * otherwise), with whether it came from the dual candidate: after a sub-problem over every active
   * feature solved to the outer tolerance, the outer loop's check would recompute exactly these
   * values at the same iterate (the same products over the same features in the same order), so it
   * takes them instead of a second pass over X (`run`).
   */
  private innerDone: { g: GapInfo; fromCand: boolean } | null = null;
  /** β before the epoch of a fused gap check (`fusedCheck`), over its working set. */
  private betaSnap: Float64Array | null = null;
  /**
   * True while `xtr` holds X_c,jᵀr for the CURRENT r on every feature of `activeList` (set by the
   * outer loop's gap check, cleared by anything that moves r): the post-processing of
   * `SparseProblem` then bounds instead of recomputing (hypergrad_post.ts).
   */
  xtrFresh = false;
  /**
   * Gap Safe bounds of screened features: n·(|x_jᵀθ̃| + ‖x_j‖·√(2·gap/n)) ≥ |X_c,jᵀr*| (r* the
   * optimal residual) at the check that removed j; NaN for features never screened. Lasso and
   * weighted Lasso only (λ₂ = 0, every feature penalised); null until the first removal.
   */
  screenBound: Float64Array | null = null;
  /** Set by cd.ts after a certified Gram-mode finish: X_cᵀr (g), its error bound and the features it is valid on. */
  gramCheck: { g: Float64Array; err: number; list: Int32Array } | null = null;
  /**
   * Column dot products X_c,jᵀv of the gap checks (n multiply-adds each, about half a coordinate
   * update): counted with the updates as the design's work for the Gram-mode switch (cd.ts).
   */
  dotWork = 0;
  /** log of the per-epoch gap ratio last observed in a sub-problem (NaN: none yet), for the first check of the next. */
  rateLog = NaN;
  /** Coordinate updates after which `run` stops unconverged with `switched` (the Gram-mode switch of cd.ts). */
  switchAfter = Infinity;
  /** λ_max when the caller knows it already (the Gram mode has X_cᵀy_c), NaN: computed by `run`. */
  knownLmax = NaN;
  readonly sparseCentred: boolean;
  /** WebAssembly engine borrowed from the design (dense), or null (JavaScript kernels). */
  readonly eng: WasmEngine | null;
  /** WebAssembly engine of a CSC design (epochs only), or null. */
  readonly ceng: CscEngine | null;
  /** ‖X_c,j‖² (inside the engine memory when there is one). */
  readonly normsSq: Float64Array;
  // extrapolation buffers (sized lazily to the working set)
  private bufM = -1;
  private andB = new Float64Array(0);
  private andR = new Float64Array(0);
  private andCnt = 0;
  private dB = new Float64Array(0);
  private dR = new Float64Array(0);
  private dHead = 0;
  private dCnt = 0;
  private readonly G: Float64Array;
  private readonly cK: Float64Array;
  private tmpB = new Float64Array(0);
  private readonly tmpR: Float64Array;
  /** candRho / tmpR handed to the next solver (`release`): never twice. */
  private rhoHanded = false;
  private readonly betaBarFull: Float64Array | null;
  private readonly prio: Float64Array;
  private readonly prioTmp: Float64Array;
  /** The features `screen`'s tests remove (grown to the longest list screened). */
  private screenOut = new Int32Array(0);
  /** Their bounds n·(t·|xt_j|/n + ‖x_j‖·radius) (`gapSafeTests`; used for the Lasso and weighted Lasso). */
  private screenOutB = new Float64Array(0);
  // block-epoch scratch (4 entries each)
  private readonly blkG = new Float64Array(4);
  private readonly blkB0 = new Float64Array(4);
  private readonly blkB = new Float64Array(4);
  private readonly blkPtr = new Int32Array(4);
  /** The previous block's columns with a non-zero update, compacted (`blockEpoch`). */
  private readonly blkPk = new Int32Array(4);
  private readonly blkT = new Float64Array(4);
  private readonly blkDen = new Float64Array(4);
  private readonly blkGl = new Float64Array(16);

  constructor(
    readonly d: PreparedDesign,
    readonly yc: Float64Array,
    readonly spec: QuadSpec,
    readonly o: Resolved,
    beta0: Float64Array,
  ) {
    const n = (this.n = d.nRows);
    const p = (this.p = d.nCols);
    this.nl2 = n * spec.l2;
    const eng = d.wasm !== null && !d.wasm.busy ? d.wasm : null;
    this.eng = eng;
    const ceng = eng === null && d.cscWasm != null && !d.cscWasm.busy ? d.cscWasm : null;
    this.ceng = ceng;
    // the hot vectors live in the engine memory (dense or CSC) when there is one
    const vecs = eng ?? ceng;
    if (vecs !== null) {
      vecs.busy = true;
      vecs.beta.set(beta0);
      vecs.r.fill(0);
    }
    this.normsSq = vecs !== null ? vecs.norms : d.colNormsSq;
    this.thr = vecs !== null ? vecs.thr : new Float64Array(p);
    const unpen = fillThresholds(this.thr, spec.l1, n, d.colNormsSq, p);
    this.hasUnpen = unpen;
    this.proj = unpen ? new UnpenalisedProjector(d, spec.l1) : null;
    this.projRho = new Float64Array(unpen ? n : 0);
    this.beta = vecs !== null ? vecs.beta : beta0;
    this.r = vecs !== null ? vecs.r : new Float64Array(n);
    // always from β: a residual handed in from elsewhere could belong to another target
    this.recomputeResidual();
    this.S = d.isSparse && d.centered ? vecSum(n, this.r) : 0;
    this.sparseCentred = d.isSparse && d.centered;
    ({ active: this.active, activeList: this.activeList, nActive: this.nActive } = initialActiveSet(d.colNormsSq));
    const sp = takeSpareP(p);
    this.xtr = sp !== null ? sp.xtr : new Float64Array(p);
    this.xti = sp !== null ? sp.xti : new Float64Array(p);
    this.xta = sp !== null ? sp.xta : new Float64Array(p);
    this.ySum = vecSum(n, yc);
    this.candRho = takeSpareRho('cand', n);
    this.candBeta = spec.l2 > 0 ? new Float64Array(p) : null;
    this.betaBarFull = spec.l2 > 0 ? new Float64Array(p) : null;
    const K = o.extrapolationK;
    this.G = new Float64Array(K * K);
    this.cK = new Float64Array(K);
    this.tmpR = takeSpareRho('tmp', n);
    this.prio = sp !== null ? sp.prio : new Float64Array(p);
    this.prioTmp = sp !== null ? sp.prioTmp : new Float64Array(p);
  }

  /** r ← y_c − X_cβ (kills the drift of incremental updates). */
  recomputeResidual(): void {
    matvec(this.d, this.beta, this.r);
    const r = this.r;
    const y = this.yc;
    for (let i = 0; i < this.n; i++) r[i] = y[i]! - r[i]!;
    this.S = this.sparseCentred ? vecSum(this.n, r) : 0;
  }

  /** P(β) = ‖r‖²/(2n) + Σ l_j|β_j| + (λ₂/2)‖β‖² at the current iterate (r synced). */
  primalValue(): number {
    const l1 = this.spec.l1;
    let pen = 0, bb = 0;
    for (let j = 0; j < this.p; j++) {
      const b = this.beta[j]!;
      if (b !== 0) {
        pen += l1[j]! * Math.abs(b);
        bb += b * b;
      }
    }
    return sumSq(this.n, this.r) / (2 * this.n) + pen + (this.spec.l2 * bb) / 2;
  }

  /** Turns r̃ (CSC implicit centring) into the true centred residual r = r̃ − (S/n)1. */
  sync(): void {
    if (!this.sparseCentred) return;
    const n = this.n;
    const r = this.r;
    const c = vecSum(n, r) / n;
    if (c !== 0) for (let i = 0; i < n; i++) r[i] -= c;
    this.S = vecSum(n, r);
  }

  /** Returns the borrowed engine to the design. */
  release(): void {
    // the extrapolation histories go to the next solver of the same size (see `spareHistory`)
    if (this.andR.length > 0) {
      spareHistory = { andR: this.andR, dR: this.dR };
      this.andR = new Float64Array(0);
      this.dR = new Float64Array(0);
    }
    // and the coefficient histories (see `spareCoef`)
    if (this.bufM > 0 && (spareCoef === null || spareCoef.cap < this.bufM)) {
      spareCoef = { andB: this.andB, dB: this.dB, tmpB: this.tmpB, cap: this.bufM };
      this.andB = new Float64Array(0);
      this.dB = new Float64Array(0);
      this.tmpB = new Float64Array(0);
      this.bufM = -1;
    }
    // the dual-candidate vectors too (see `spareRho`); the RunOut of this solver (its dualRho may be
    // candRho) is read before release (cd.ts finishQuadratic)
    if (!this.rhoHanded) {
      spareRho = { cand: this.candRho, tmp: this.tmpR };
      // and the p-vectors (see `spareP`)
      spareP = { xtr: this.xtr, xti: this.xti, xta: this.xta, prio: this.prio, prioTmp: this.prioTmp };
    }
    this.rhoHanded = true;
    if (this.eng !== null) this.eng.busy = false;
    if (this.ceng !== null) this.ceng.busy = false;
  }

  epoch(ws: Int32Array, m: number): void {
    const d = this.d;
    const e = this.eng;
    if (e !== null && this.useBlocks(m)) {
      this.blockEpoch(e, ws, m); // counts its epoch
      return;
    } else if (e !== null) {
      // ws is e.ws, beta/r/thr/norms live in the engine memory
      e.epoch(e.xPtr, this.n, ws.byteOffset, m, this.beta.byteOffset, this.r.byteOffset, this.normsSq.byteOffset, this.thr.byteOffset, this.nl2);
    } else if (this.ceng !== null) {
      // ws is ceng.ws; the CSC arrays, means, beta/r/thr/norms live in the engine memory
      const c = this.ceng;
      this.S = c.cepoch(
        c.vals.byteOffset, c.indices.byteOffset, c.indptr.byteOffset, c.mu.byteOffset, this.n, ws.byteOffset, m,
        this.beta.byteOffset, this.r.byteOffset, this.normsSq.byteOffset, this.thr.byteOffset, this.nl2, this.S,
      );
    } else if (d.isSparse) {
      this.S = epochSparse(d.data, d.indptr, d.indices, d.implicitMeans, this.n, ws, m, this.beta, this.r, this.S, this.normsSq, this.thr, this.nl2);
    } else {
      epochDense(d.data, this.n, ws, m, this.beta, this.r, this.normsSq, this.thr, this.nl2);
    }
    this.epochs++;
    this.coordUpdates += m;
  }

  /** Whether an epoch over m features runs as block epochs (option `blockCD`, see models.ts). */
  private useBlocks(m: number): boolean {
    const b = this.o.blockCD;
    return b === true || (b === 'auto' && m === this.nActive && this.n >= this.p);
  }

  /**
   * One block coordinate-descent pass over ws[0..m) (dense WebAssembly engine): consecutive
   * entries of ws in the same group of four columns {4g, …, 4g+3} form a block B; with
   * g_B = X_Bᵀr from one pass over r (`dot4`) and the group's Gram entries G_B (cached per design,
   * `groupGram`), the block sub-problem
   *
   *   min_b  −(b − b⁰)ᵀg_B + ½(b − b⁰)ᵀG_B(b − b⁰) + Σ_k thr_k|b_k| + (nλ₂/2)‖b‖²
   *
   * is solved by coordinate sweeps on G_B alone (O(|B|²) each: z_k = g_k − Σ_l G_kl δ_l + N_k b_k,
   * b_k ← ST(z_k, thr_k)/(N_k + nλ₂), δ = b − b⁰) until the largest change is ≤ 1e-3 of the
   * block's move (at most BLOCK_SWEEPS), then r ← r − X_Bδ in one pass (`axpy4`). The first sweep
   * is exactly the cyclic update; the further ones only lower the objective, so this stays a
   * descent method with the same fixed points. `check`: the kernels also return X_Bᵀr0 (r0 = the
   * residual at the epoch's start, in the engine memory) into xtr over ws (`fusedCheck`).
   */
  private blockEpoch(e: WasmEngine, ws: Int32Array, m: number, check = false): void {
    const n = this.n;
    const beta = this.beta;
    const thr = this.thr;
    const N = this.normsSq;
    const nl2 = this.nl2;
    const G = groupGram(this.d, e);
    const blk = e.blk;
    const outPtr = blk.byteOffset;
    const coefPtr = outPtr + 32;
    const x = e.xPtr;
    const colB = 8 * n;
    const rPtr = this.r.byteOffset;
    const r0Ptr = e.r0.byteOffset;
    const out8Ptr = outPtr + 64;
    // the row kernels: the engine's exports, or on tall designs the same calls over two row chunks
    // (`WasmEngine.rows`, team.ts: the second chunk on the partner thread when there is one)
    const K = e.rows;
    const xtr = this.xtr;
    const gv = this.blkG;
    const b0 = this.blkB0;
    const b = this.blkB;
    const cp = this.blkPtr;
    const tq = this.blkT;
    const den = this.blkDen;
    // the update of the previous block (columns pk[0..4), coefficients in blk[4..8)) is applied in
    // the same pass as the next block's dot products (`axpydot4`); its npa non-zero coefficients
    // come first, in column order (zeros and repeats of pk[0] after them), and with fewer than four
    // the kernel skips the rest (`axpyKdot4`: the kernel is bound by the multiply-subtracts, and
    // r − 0·x = r, so the same bits; tall 5000 × 500 at λmax/200: 28% of the coefficients stay 0)
    let npa = 0; // 0: no update pending
    const pk = this.blkPk;
    let k = 0;
    while (k < m) {
      const grp = ws[k]! >> 2;
      let s = 1;
      while (k + s < m && ws[k + s]! >> 2 === grp) s++;
      // a block of fewer than four columns repeats its first one (coefficient 0, dot unused)
      for (let q = 0; q < 4; q++) cp[q] = x + colB * ws[k + (q < s ? q : 0)]!;
      if (check) {
        // fused gap check: also X_Bᵀr0 (r0 = r at the start of the epoch) from the same pass
        if (npa > 0) K.axpydot4r0(n, pk[0]!, pk[1]!, pk[2]!, pk[3]!, coefPtr, cp[0]!, cp[1]!, cp[2]!, cp[3]!, rPtr, r0Ptr, out8Ptr);
        else K.dot4r0(n, cp[0]!, cp[1]!, cp[2]!, cp[3]!, rPtr, r0Ptr, out8Ptr);
        for (let q = 0; q < s; q++) {
          blk[q] = blk[8 + q]!;
          xtr[ws[k + q]!] = blk[12 + q]!;
        }
      } else if (npa === 4) K.axpydot4(n, pk[0]!, pk[1]!, pk[2]!, pk[3]!, coefPtr, cp[0]!, cp[1]!, cp[2]!, cp[3]!, rPtr, outPtr);
      else if (npa === 3) K.axpy3dot4(n, pk[0]!, pk[1]!, pk[2]!, coefPtr, cp[0]!, cp[1]!, cp[2]!, cp[3]!, rPtr, outPtr);
      else if (npa === 2) K.axpy2dot4(n, pk[0]!, pk[1]!, coefPtr, cp[0]!, cp[1]!, cp[2]!, cp[3]!, rPtr, outPtr);
      else if (npa === 1) K.axpy1dot4(n, pk[0]!, coefPtr, cp[0]!, cp[1]!, cp[2]!, cp[3]!, rPtr, outPtr);
      else K.dot4(n, cp[0]!, cp[1]!, cp[2]!, cp[3]!, rPtr, outPtr);
      // the block's sub-problem in local arrays: Gram block gl (N_j on the diagonal), thresholds
      const o = 16 * grp;
      if (s === 4) {
        // a full group, on scalars (the generic loop's array traffic cost more than the kernel on
        // 1000 × 1000), and arranged for latency: a sweep is one chain of dependent updates, so
        // z_q = (w_q − Σ_(older l) G_ql δ_l) − G_qk δ_k keeps only the newest δ_k on the chain
        // (w_q = g_q + N_q b⁰_q, δ = b − b⁰), and 1/(N_q + nλ₂) replaces the division: the same
        // update as the generic loop up to the rounding of the sums (≈ 2× fewer cycles per sweep)
        const j0 = ws[k]!, j1 = ws[k + 1]!, j2 = ws[k + 2]!, j3 = ws[k + 3]!;
        const q0 = o + 4 * (j0 & 3), q1 = o + 4 * (j1 & 3), q2 = o + 4 * (j2 & 3);
        // G is stored symmetric: G[row(j_a) + col(j_b)] = G[row(j_b) + col(j_a)], the same value
        const g01 = G[q0 + (j1 & 3)]!, g02 = G[q0 + (j2 & 3)]!, g03 = G[q0 + (j3 & 3)]!;
        const g12 = G[q1 + (j2 & 3)]!, g13 = G[q1 + (j3 & 3)]!, g23 = G[q2 + (j3 & 3)]!;
        const i0 = 1 / (N[j0]! + nl2), i1 = 1 / (N[j1]! + nl2), i2 = 1 / (N[j2]! + nl2), i3 = 1 / (N[j3]! + nl2);
        const t0 = thr[j0]!, t1 = thr[j1]!, t2 = thr[j2]!, t3 = thr[j3]!;
        const a0 = beta[j0]!, a1 = beta[j1]!, a2 = beta[j2]!, a3 = beta[j3]!;
        const w0 = blk[0]! + N[j0]! * a0, w1 = blk[1]! + N[j1]! * a1, w2 = blk[2]! + N[j2]! * a2, w3 = blk[3]! + N[j3]! * a3;
        let c0 = a0, c1 = a1, c2 = a2, c3 = a3;
        let d0 = 0, d1 = 0, d2 = 0, d3 = 0;
        let moveMax = 0;
        for (let sweep = 0; sweep < BLOCK_SWEEPS; sweep++) {
          let z = w0 - (g01 * d1 + g02 * d2 + g03 * d3);
          let nb = z > t0 ? (z - t0) * i0 : z < -t0 ? (z + t0) * i0 : 0;
          let dmax = Math.abs(nb - c0);
          c0 = nb;
          d0 = c0 - a0;
          z = w1 - (g12 * d2 + g13 * d3) - g01 * d0;
          nb = z > t1 ? (z - t1) * i1 : z < -t1 ? (z + t1) * i1 : 0;
          let ch = Math.abs(nb - c1);
          if (ch > dmax) dmax = ch;
          c1 = nb;
          d1 = c1 - a1;
          z = w2 - (g23 * d3 + g02 * d0) - g12 * d1;
          nb = z > t2 ? (z - t2) * i2 : z < -t2 ? (z + t2) * i2 : 0;
          ch = Math.abs(nb - c2);
          if (ch > dmax) dmax = ch;
          c2 = nb;
          d2 = c2 - a2;
          z = w3 - (g03 * d0 + g13 * d1) - g23 * d2;
          nb = z > t3 ? (z - t3) * i3 : z < -t3 ? (z + t3) * i3 : 0;
          ch = Math.abs(nb - c3);
          if (ch > dmax) dmax = ch;
          c3 = nb;
          d3 = c3 - a3;
          if (sweep === 0) moveMax = Math.max(Math.abs(d0), Math.abs(d1), Math.abs(d2), Math.abs(d3));
          if (dmax <= 1e-3 * moveMax) break;
        }
        let c = 0;
        if (d0 !== 0) { beta[j0] = c0; blk[4] = d0; pk[0] = cp[0]!; c = 1; }
        if (d1 !== 0) { beta[j1] = c1; blk[4 + c] = d1; pk[c++] = cp[1]!; }
        if (d2 !== 0) { beta[j2] = c2; blk[4 + c] = d2; pk[c++] = cp[2]!; }
        if (d3 !== 0) { beta[j3] = c3; blk[4 + c] = d3; pk[c++] = cp[3]!; }
        npa = padUpdate(blk, pk, c);
        k += 4;
        continue;
      }
      const gl = this.blkGl;
      for (let q = 0; q < s; q++) {
        const j = ws[k + q]!;
        gv[q] = blk[q]!;
        b0[q] = b[q] = beta[j]!;
        tq[q] = thr[j]!;
        const row = o + 4 * (j & 3);
        for (let l = 0; l < s; l++) gl[4 * q + l] = l === q ? N[j]! : G[row + (ws[k + l]! & 3)]!;
        den[q] = N[j]! + nl2;
      }
      let moveMax = 0;
      for (let sweep = 0; sweep < BLOCK_SWEEPS; sweep++) {
        let dmax = 0;
        for (let q = 0; q < s; q++) {
          // z = X_jᵀ(r − X_B δ) + N_j b_j, δ = b − b⁰
          let z = gv[q]!;
          const rq = 4 * q;
          for (let l = 0; l < s; l++) z -= gl[rq + l]! * (l === q ? -b0[l]! : b[l]! - b0[l]!);
          // (the l = q term is −N_j(b_j − b⁰_j) + N_j b_j = N_j b⁰_j)
          const t = tq[q]!;
          const nb = z > t ? (z - t) / den[q]! : z < -t ? (z + t) / den[q]! : 0;
          const ch = Math.abs(nb - b[q]!);
          if (ch > dmax) dmax = ch;
          b[q] = nb;
        }
        if (sweep === 0) for (let q = 0; q < s; q++) moveMax = Math.max(moveMax, Math.abs(b[q]! - b0[q]!));
        if (s === 1 || dmax <= 1e-3 * moveMax) break;
      }
      let c = 0;
      for (let q = 0; q < s; q++) {
        const dq = b[q]! - b0[q]!;
        if (dq !== 0) {
          beta[ws[k + q]!] = b[q]!;
          blk[4 + c] = dq;
          pk[c++] = cp[q]!;
        }
      }
      npa = padUpdate(blk, pk, c);
      k += s;
    }
    if (npa > 0) e.axpy4(n, pk[0]!, pk[1]!, pk[2]!, pk[3]!, coefPtr, rPtr);
    this.epochs++;
    this.coordUpdates += m;
  }

  /** Gap at the current iterate with ρ = r (r synced, xt = X_cᵀr over cols). See the header. */
  residualGap(cols: Int32Array, m: number, xt: Float64Array): GapInfo {
    const g = quadraticGap(this.n, this.beta, this.r, xt, this.spec.l1, this.spec.l2, cols, m);
    if (this.proj === null) return g;
    // unpenalised features: dual point from the projected residual ρ' (xt ← X_cᵀρ' over cols)
    this.proj.project(this.r, this.projRho);
    colDots(this.d, this.projRho, vecSum(this.n, this.projRho), cols, m, xt);
    const c = this.candidateDual(cols, m, xt, this.projRho, null);
    return { P: g.P, D: c.D, gap: g.P - c.D, t: c.t };
  }

  /** The residual-like vector behind the residual dual candidate (r, or ρ' with unpenalised features). */
  residualRho(): Float64Array {
    return this.proj === null ? this.r : this.projRho;
  }

  /** D at the dual point built from (ρ, β̄) (xt = X_cᵀρ over cols). */
  candidateDual(cols: Int32Array, m: number, xt: Float64Array, rho: Float64Array, bbar: Float64Array | null): { D: number; t: number } {
    return candidateDualValue(this.n, this.yc, rho, xt, this.spec.l1, this.spec.l2, bbar, cols, m);
  }

  /**
   * Gap Safe screening of cols with the dual point (xt, bbar, t) and gap; returns how many
   * features were removed. Removed features get β_j = 0 (residual updated) and leave `active`.
   */
  screen(cols: Int32Array, m: number, xt: Float64Array, bbar: Float64Array | null, t: number, gap: number): number {
    if (!this.o.screening || !(gap >= 0)) return 0;
    const n = this.n;
    const radius = Math.sqrt((2 * Math.max(gap, 0)) / n);
    const l1 = this.spec.l1;
    const nl2 = this.nl2;
    const normsSq = this.d.colNormsSq;
    // the tests in one small function (optimised early, see `diffDot`), then the removals in order
    if (this.screenOut.length < m) {
      this.screenOut = new Int32Array(m);
      this.screenOutB = new Float64Array(m);
    }
    const out = this.screenOut;
    const outB = this.screenOutB;
    const hits = gapSafeTests(cols, m, this.active, xt, bbar, t, n, l1, nl2, normsSq, radius, out, outB);
    let removed = 0;
    for (let h = 0; h < hits; h++) {
      const j = out[h]!;
      if (nl2 === 0 && bbar === null && !this.hasUnpen) {
        if (this.screenBound === null) this.screenBound = new Float64Array(this.p).fill(NaN);
        this.screenBound[j] = outB[h]!;
      }
      const b = this.beta[j]!;
      if (b !== 0) {
        this.xtrFresh = false;
        this.sync();
        colAxpy(this.d, j, b, this.r);
        this.beta[j] = 0;
        this.S = this.sparseCentred ? vecSum(n, this.r) : 0;
      }
      this.active[j] = 0;
      removed++;
    }
    if (removed > 0) {
      this.nActive = compactActiveList(this.activeList, this.nActive, this.active);
      this.screened += removed;
    }
    return removed;
  }

  /**
   * blockCD 'auto' on a tall dense design (n ≥ p): whether the working set should be
   * every active feature, so that the block epochs run. True when (i) the rule's size is half of
   * them or more, (ii) the previous working set came back ≥ 90% non-zero (the support outgrows the
   * doubling rule), or (iii) at the first outer iteration ≥ 90% of them violate their optimality
   * condition |X̃_jᵀr̃|/n ≤ l_j at the start (the working sets would grow to all of them anyway)
   * and n ≥ 2·|active| (on the square elastic-net cell, 1000 × 1000 at λmax/200, 90% violators,
   * the cheap early working-set epochs won: 22–24 ms against 26–27 ms for the full set).
   * On 5000 × 500 at λmax/200 (issue 12) the working sets 100 → 194 → 346 → 500 took 8 epochs
   * before the full set, which then needed as many epochs as from the start (16 vs 11 in all).
   * At λmax/10 (final support 15%, 57% violators at the start) the working sets stay.
   */
  private fullSetPays(t: number, size: number, nnz: number, prevM: number, xt: Float64Array, bbar: Float64Array | null): boolean {
    if (2 * size >= this.nActive || (t > 0 && nnz >= 0.9 * prevM)) return true;
    if (t !== 0 || this.n < 2 * this.nActive) return false;
    const n = this.n;
    const l1 = this.spec.l1;
    let viol = 0;
    for (let k = 0; k < this.nActive; k++) {
      const j = this.activeList[k]!;
      const c = bbar === null ? xt[j]! : xt[j]! - this.nl2 * bbar[j]!;
      if (Math.abs(c) > n * l1[j]!) viol++;
    }
    return viol >= 0.9 * this.nActive;
  }

  /** Builds the working set: support ∪ unpenalised ∪ smallest priorities, `size` features, sorted. */
  buildWorkingSet(size: number, xt: Float64Array, bbar: Float64Array | null, t: number, out: Int32Array): number {
    const n = this.n;
    const list = this.activeList;
    const nA = this.nActive;
    if (size >= nA) {
      out.set(list.subarray(0, nA));
      return nA;
    }
    const prio = this.prio;
    const l1 = this.spec.l1;
    const nl2 = this.nl2;
    const normsSq = this.d.colNormsSq;
    workingSetPriorities(list, nA, xt, bbar, t, n, l1, nl2, normsSq, this.beta, prio);
    return selectLowestPriority(list, prio, nA, size, out, this.prioTmp);
  }

  /** Outer (working-set) loop. */
  run(computeLmax: boolean): RunOut {
    const o = this.o;
    const n = this.n;
    const p = this.p;
    const tolAbs = this.tolAbs();
    const ws = this.eng !== null ? this.eng.ws : this.ceng !== null ? this.ceng.ws : new Int32Array(p);
    const prevWs = new Int32Array(p);
    let prevSize = 0;
    let prevM = -1;
    let converged = false;
    let switched = false;
    let lmax = NaN;
    for (let t = 0; ; t++) {
      // refresh r = y_c − X_cβ from scratch (O(n·|support|)) when the gap nears the tolerance,
      // where the rounding drift of incremental updates could matter
      const refreshed = t > 0 && this.last.gap < 100 * tolAbs;
      if (refreshed) this.recomputeResidual();
      else this.sync();
      const list = this.activeList;
      const nA = this.nActive;
      const rSum = this.sparseCentred ? this.S : 0;
      const done = this.innerDone;
      this.innerDone = null;
      if (done !== null && !refreshed && done.g.gap <= tolAbs) {
        // the full sub-problem just met the outer tolerance at this iterate (r not recomputed since):
        // its check is this check (xtr, and candRho/candBeta for a candidate, are still current)
        this.last = done.g;
        this.lastFromCand = done.fromCand;
        this.xtrFresh = true;
        converged = true;
        break;
      }
      if (t === 0 && computeLmax && !Number.isNaN(this.knownLmax)) {
        lmax = this.knownLmax;
        this.firstDots(list, nA, rSum);
      } else if (t === 0 && computeLmax) {
        const xty = this.xti;
        // from β = 0 the residual is y_c itself (r = y_c − 0, exactly): one product serves both
        let zero = true;
        for (let k = 0; zero && k < nA; k++) zero = this.beta[list[k]!] === 0;
        if (zero && !this.sparseCentred) {
          this.firstDots(list, nA, rSum);
          for (let k = 0; k < nA; k++) xty[list[k]!] = this.xtr[list[k]!]!;
        } else {
          colDots2(this.d, this.r, rSum, this.yc, this.ySum, list, nA, this.xtr, xty);
        }
        lmax = weightedMaxAbs(list, nA, xty, this.spec.weights) / n;
      } else if (this.hasCand) {
        colDots2(this.d, this.r, rSum, this.candRho, vecSum(n, this.candRho), list, nA, this.xtr, this.xti);
      } else {
        colDots(this.d, this.r, rSum, list, nA, this.xtr);
      }
      this.xtrFresh = true;
      this.dotWork += (t === 0 && computeLmax && Number.isNaN(this.knownLmax)) || this.hasCand ? 2 * nA : nA;
      const g = this.residualGap(list, nA, this.xtr);
      this.last = g;
      this.lastFromCand = false;
      let xtBest = this.xtr;
      let bbarBest: Float64Array | null = this.spec.l2 > 0 ? this.beta : null;
      if (this.hasCand) {
        const c = this.candidateDual(list, nA, this.xti, this.candRho, this.candBeta);
        if (c.D > g.D) {
          this.last = { P: g.P, D: c.D, gap: g.P - c.D, t: c.t };
          this.lastFromCand = true;
          xtBest = this.xti;
          bbarBest = this.candBeta;
        }
      }
      const gap = this.last.gap;
      if (gap <= tolAbs) {
        converged = true;
        break;
      }
      if (this.nOuter >= o.maxOuter || this.epochs >= o.maxIter) break;
      this.nOuter++;
      this.screen(list, nA, xtBest, bbarBest, this.last.t, gap);
      // working set
      let m: number;
      if (!o.workingSet) {
        ws.set(this.activeList.subarray(0, this.nActive));
        m = this.nActive;
      } else {
        const forced = supportCounts(this.activeList, this.nActive, this.beta, this.spec.l1);
        const nnz = supportNnz;
        // celer's "prune" rule: 2·|support| (≥ p0); 'double': p0, 2p0, 4p0, … (never shrinks)
        const grow = o.workingSetGrowth === 'double' ? (t === 0 ? o.p0 : 2 * prevSize) : o.p0;
        let size = Math.max(grow, 2 * nnz, forced);
        size = Math.min(size, this.nActive);
        if (size < this.nActive && this.o.blockCD === 'auto' && this.eng !== null && this.n >= this.p && this.fullSetPays(t, size, nnz, prevM, xtBest, bbarBest)) size = this.nActive;
        m = this.buildWorkingSet(size, xtBest, bbarBest, this.last.t, ws);
        prevSize = m;
      }
      this.wsSize = m;
      const full = m === this.nActive;
      // a gap check before the first epoch only pays when the working set did not change (then
      // the sub-problem may already be solved); a new set has new, unoptimised features
      // every entry compared (no early exit): a loop first entered by optimised code when a set
      // first repeated cost a deoptimisation (issue 12, round proc2); m ≤ p compares per outer step
      let diff = m === prevM ? 0 : 1;
      for (let k = 0; k < m; k++) diff |= ws[k]! ^ prevWs[k]!;
      const same = diff === 0;
      prevWs.set(ws.subarray(0, m));
      prevM = m;
      this.inner(ws, m, full ? tolAbs : 0.3 * gap, full, !o.workingSet, same && !full, gap);
      // × 0.5, not / 2 (the same value): a division by the integer 2 collected integer feedback
      // until the first fused check's quarter column (`fusedCheck`), then deoptimised `run`
      if (this.coordUpdates + this.dotWork * 0.5 >= this.switchAfter) {
        switched = true;
        break;
      }
    }
    // final dual point
    const rho = this.lastFromCand ? this.candRho : this.residualRho();
    const bbar = this.spec.l2 > 0 ? (this.lastFromCand ? this.candBeta : this.beta) : null;
    return { converged, lambdaMax: lmax, dualRho: rho, dualT: this.last.t, dualBeta: bbar, switched };
  }

  /**
   * xtr = X_c,jᵀr over the active list at the first check; with the group Gram of block epochs
   * from the same pass (`dotsWithGroupGram`) when this solve will likely run them (dense engine,
   * `blockCD` true or 'auto' with n ≥ p, every column active) and the design has none yet.
   */
  private firstDots(list: Int32Array, nA: number, rSum: number): void {
    const e = this.eng;
    const b = this.o.blockCD;
    if (e !== null && nA === this.p && (b === true || (b === 'auto' && this.n >= this.p)) && !groupGrams.has(this.d)) {
      dotsWithGroupGram(this.d, e, this.r, this.xtr);
    } else {
      colDots(this.d, this.r, rSum, list, nA, this.xtr);
    }
  }

  tolAbs(): number {
    let ss = 0;
    const y = this.yc;
    for (let i = 0; i < this.n; i++) ss += y[i]! * y[i]!;
    return (this.o.tol * ss) / this.n;
  }

  private ensureBuffers(m: number): void {
    const K = this.o.extrapolationK;
    const n = this.n;
    if (this.andR.length === 0) {
      const len = (K + 1) * n;
      const h = spareHistory;
      spareHistory = null;
      this.andR = h !== null && h.andR.length === len ? h.andR : new Float64Array(len);
      this.dR = h !== null && h.dR.length === len ? h.dR : new Float64Array(len);
    }
    if (m > this.bufM) {
      const sb = spareCoef;
      if (sb !== null && sb.cap >= m && sb.andB.length === (K + 1) * sb.cap) {
        // a released solver's coefficient histories (see `spareCoef`)
        spareCoef = null;
        this.bufM = sb.cap;
        this.andB = sb.andB;
        this.dB = sb.dB;
        this.tmpB = sb.tmpB;
      } else {
        const cap = Math.min(this.p, Math.max(m, 2 * this.bufM)); // amortised growth
        this.bufM = cap;
        this.andB = new Float64Array((K + 1) * cap);
        this.dB = new Float64Array((K + 1) * cap);
        this.tmpB = new Float64Array(cap);
      }
    }
    this.andCnt = 0;
    this.dCnt = 0;
    this.dHead = 0;
  }

  /**
   * Solves the sub-problem restricted to ws[0..m) until its gap ≤ tolIn (or the epoch budget is
   * spent). `full`: ws is every active feature, so the inner gap is the full gap and screening may
   * run inside (plain CD mode).
   */
  inner(ws: Int32Array, m: number, tolIn: number, full: boolean, screenInside: boolean, checkFirst: boolean, gap0 = NaN): void {
    const o = this.o;
    const n = this.n;
    const K = o.extrapolationK;
    const useAnd = o.acceleration === 'anderson' || o.acceleration === 'both';
    const useDual = o.acceleration === 'dual' || o.acceleration === 'both';
    const l2 = this.spec.l2;
    if (useAnd || useDual) this.ensureBuffers(m);
    this.hasCand = false;
    this.innerDone = null;
    this.xtrFresh = false;
    // stall guard: the incrementally updated residual drifts from y_c − X_cβ by rounding (and
    // extrapolation amplifies it); CD then converges to a fixed point of the WRONG residual. When
    // the gap stops decreasing, r is recomputed from scratch.
    let bestGap = Infinity;
    let stalled = 0;
    if (this.betaBarFull !== null) this.betaBarFull.fill(0);
    // gap checks every gapFreq epochs, or earlier when the observed linear rate of the gap predicts
    // convergence sooner (a check costs about half an epoch; overshooting the tolerance by up to
    // gapFreq − 1 epochs cost more on tall problems). The outer gap gap0 bounds the sub-problem's
    // gap at epoch 0 from above (same iterate, fewer features), so it seeds the rate estimate: the
    // estimated rate is then at least the true one and the predicted check comes early, never late.
    // The first check comes after the epochs the previous sub-problem's rate predicts (a new
    // working set converges at about the same rate), or after FIRST_CHECK epochs without one: a
    // sub-problem solved to 0.3 × the outer gap needs only a few epochs, and checking first at
    // gapFreq (10) overshot its tolerance by 10–100× (tall 5000×500: 50 epochs where 18 do).
    // Only when the working set is a large part of the active features (gapFreq·m > |active|):
    // otherwise an inner epoch costs less than a tenth of the outer gap pass, and stopping the
    // sub-problem early only buys more outer iterations (500×1000, 72×7129: 5 → 7 outer passes, slower).
    // Not below 1e3·ε relative tolerance either: there the computed gap is rounding noise, and its
    // first crossing of the tolerance stops an iterate short of where the fixed schedule's extra
    // epochs take it (the scikit-learn references at tol 1e-15 are met to 1e-12 in β only so).
    // And only on tall problems (n ≥ |active|): on wide ones (500×1000 at λmax/10, /100) the early
    // stops traded fewer epochs per sub-problem for more outer iterations and about as many epochs.
    const early = o.gapFreq * m > this.nActive && this.n >= this.nActive && o.tol > 1e3 * 2.220446049250313e-16;
    let nextCheck = checkFirst ? 0 : early ? Math.min(o.gapFreq, FIRST_CHECK) : o.gapFreq;
    // whether the next check's epoch came from a convergence rate (a check expected to pass)
    let predicted = false;
    if (!checkFirst && early && gap0 > tolIn && this.rateLog < 0) {
      const k = Math.ceil(Math.log(tolIn / gap0) / this.rateLog);
      nextCheck = Math.max(1, Math.min(o.gapFreq, k));
      predicted = k < o.gapFreq;
    }
    let prevGap = checkFirst || !early ? NaN : gap0;
    // gap checks fused with the next block epoch (`fusedCheck`): dense engine, block epochs over
    // this working set, no unpenalised features (their projected dual point needs its own pass),
    // no screening inside (it acts on the iterate of the check); a check with a dual-extrapolation
    // candidate (two products per column) keeps its own pass
    const fusedOk = fusedGapChecks.on && this.eng !== null && this.proj === null && !(screenInside && o.screening) && this.useBlocks(m);
    let prevE = 0;
    let likelyPass = false;
    for (let e = 0; ; e++) {
      let epochDone = false;
      if (e === nextCheck) {
        this.sync();
        // dual extrapolation from the last K + 1 residuals, or at a check predicted to pass from the
        // DUAL_MIN or more stored since an accepted Anderson step reset the history (Anderson, every
        // K + 1 epochs, resets it before it refills: without the short window no check between two
        // accepted steps had a candidate; tall 5000 × 500 at tol 1e-4: 11 epochs instead of 12)
        const short = predicted && shortDualWindow.on && this.dCnt >= DUAL_MIN && this.dCnt < K + 1;
        const canExtrap = useDual && (this.dCnt === K + 1 || short) && this.dualExtrapolate(ws, m);
        if (canExtrap && short) shortDualWindow.count++;
        if (canExtrap && this.proj !== null) this.proj.project(this.tmpR, this.tmpR);
        let g: GapInfo;
        // (a check one epoch after a failed one that predicted this epoch usually passes: then its
        // own pass, ≈ 0.74 of an epoch, is cheaper than the fused epoch taken back, ≈ 1.3)
        if (!canExtrap && fusedOk && !likelyPass && this.epochs < o.maxIter) {
          // the check's X_cᵀr from the next block epoch's own pass (see `fusedCheck`)
          g = this.fusedCheck(ws, m);
          epochDone = true;
          if (g.gap <= tolIn) this.undoFusedEpoch(ws, m);
        } else {
          if (canExtrap) colDots2(this.d, this.r, this.S, this.tmpR, vecSum(n, this.tmpR), ws, m, this.xtr, this.xta);
          else colDots(this.d, this.r, this.S, ws, m, this.xtr);
          this.dotWork += canExtrap ? 2 * m : m;
          g = this.residualGap(ws, m, this.xtr);
        }
        let gap = g.gap;
        let tBest = g.t;
        let fromCand = false;
        let best = g;
        if (canExtrap) {
          const c = this.candidateDual(ws, m, this.xta, this.tmpR, this.betaBarFull);
          if (c.D > g.D) {
            gap = g.P - c.D;
            tBest = c.t;
            best = { P: g.P, D: c.D, gap, t: c.t };
            fromCand = true;
            this.dualUsed++;
            this.candRho.set(this.tmpR);
            if (this.candBeta !== null && this.betaBarFull !== null) this.candBeta.set(this.betaBarFull);
            this.hasCand = true;
          }
        }
        if (!fromCand) this.hasCand = false;
        if (gap <= tolIn) {
          // (CSC with implicit centring excluded: the outer loop's sync could move r by rounding)
          if (full && !this.sparseCentred) this.innerDone = { g: best, fromCand };
          return;
        }
        nextCheck = e + o.gapFreq;
        predicted = false;
        likelyPass = false;
        if (gap < prevGap && gap > 0 && e > prevE) {
          // gap_e ≈ gap·ρ^(e'−e): epochs until ≤ tolIn at the rate seen since the previous check
          const rate = Math.log(gap / prevGap) / (e - prevE);
          this.rateLog = rate;
          const k = Math.ceil(Math.log(tolIn / gap) / rate);
          if (k >= 1 && k < o.gapFreq) {
            nextCheck = e + k;
            predicted = true;
          }
          likelyPass = k === 1;
        }
        prevGap = gap;
        prevE = e;
        if (gap < 0.99 * bestGap) {
          bestGap = gap;
          stalled = 0;
        } else if (++stalled >= 3) {
          this.recomputeResidual();
          this.andCnt = 0;
          this.dCnt = 0;
          this.dHead = 0;
          stalled = 0;
          bestGap = Infinity;
        }
        if (screenInside && full) {
          const removed = fromCand
            ? this.screen(ws, m, this.xta, this.candBeta, tBest, gap)
            : this.screen(ws, m, this.xtr, l2 > 0 ? this.beta : null, tBest, gap);
          if (removed > 0) {
            m = this.nActive;
            ws.set(this.activeList.subarray(0, m));
            this.wsSize = m;
            this.andCnt = 0;
            this.dCnt = 0;
            this.dHead = 0;
            this.hasCand = false;
          }
        }
      }
      if (!epochDone) {
        if (this.epochs >= o.maxIter) return;
        this.epoch(ws, m);
      }
      if (useAnd || useDual) {
        this.sync();
        if (useDual) this.pushDual(ws, m);
        if (useAnd) {
          const accepted = this.andersonAccepted;
          this.anderson(ws, m);
          // an accepted step usually divides the gap by 10–30 (tall 5000 × 500: 1.1e-5 → 3.4e-7 at
          // epoch 18): a check predicted for the epoch after next comes now, on its own pass (likely
          // to pass; tol 1e-8 on that cell: 18 epochs instead of 19)
          if (this.andersonAccepted > accepted && predicted && nextCheck === e + 2 && andersonChecks.on) {
            nextCheck = e + 1;
            likelyPass = true;
            andersonChecks.count++;
          }
        }
      }
    }
  }

  /**
   * A gap check fused with the block epoch that follows it: r0 ← r and a copy of β, then the epoch
   * runs with the kernels that also return X_Bᵀr0 from their pass over each block's columns
   * (`dot4r0`, `axpydot4r0`), so xtr = X_cᵀr0 over ws without a pass of its own; the gap is then
   * that of the iterate before the epoch (β⁰, r0), exactly what a check before it computes (up to
   * the order of the sums). A failed check (the usual case) cost no extra pass over X; a passed
   * one cost the epoch, which `undoFusedEpoch` takes back (≈ 1.4 passes' time instead of 1). Only for
   * block epochs on the dense engine without unpenalised features (see `inner`).
   */
  private fusedCheck(ws: Int32Array, m: number): GapInfo {
    const e = this.eng!;
    let snap = this.betaSnap;
    if (snap === null) snap = this.betaSnap = new Float64Array(this.p);
    for (let k = 0; k < m; k++) snap[ws[k]!] = this.beta[ws[k]!]!;
    e.r0.set(this.r);
    fusedGapChecks.count++;
    this.blockEpoch(e, ws, m, true);
    this.dotWork += m / 4; // the extra products ride on the epoch's pass (about a quarter of a column pass each)
    return quadraticGap(this.n, snap, e.r0, this.xtr, this.spec.l1, this.spec.l2, ws, m);
  }

  /** Back to the iterate before the epoch of a passed `fusedCheck` (β over ws, r; the epoch uncounted). */
  private undoFusedEpoch(ws: Int32Array, m: number): void {
    const snap = this.betaSnap!;
    for (let k = 0; k < m; k++) this.beta[ws[k]!] = snap[ws[k]!]!;
    this.r.set(this.eng!.r0);
    this.epochs--;
  }

  private pushDual(ws: Int32Array, m: number): void {
    const K = this.o.extrapolationK;
    const cap = K + 1;
    const slot = this.dHead;
    this.dR.set(this.r, slot * this.n);
    if (this.spec.l2 > 0) {
      const off = slot * m;
      gatherAt(this.dB, off, this.beta, ws, m);
    }
    this.dHead = (slot + 1) % cap;
    if (this.dCnt < cap) this.dCnt++;
  }

  /**
   * Celer dual extrapolation into tmpR (ρ) and betaBarFull (β̄) from the dCnt ≥ 3 stored residuals
   * (K = dCnt − 1 differences: the option's K once the ring is full); false if not possible.
   */
  private dualExtrapolate(ws: Int32Array, m: number): boolean {
    const cap = this.o.extrapolationK + 1;
    const K = this.dCnt - 1;
    if (K < 2) return false;
    const n = this.n;
    const G = this.G;
    const R = this.dR;
    const B = this.dB;
    const nl2 = this.nl2;
    const oldest = (this.dHead - this.dCnt + cap) % cap; // the ring's oldest entry (dHead when full)
    // slot of entry k (0 oldest .. K newest): (oldest + k) % cap, inline (no closure per call)
    for (let a = 0; a < K; a++) {
      const sa = (oldest + a) % cap, sa1 = (oldest + a + 1) % cap;
      for (let b = 0; b <= a; b++) {
        const sb = (oldest + b) % cap, sb1 = (oldest + b + 1) % cap;
        let s = diffDot(R, sa * n, sa1 * n, sb * n, sb1 * n, n);
        if (nl2 > 0) s += nl2 * diffDot(B, sa * m, sa1 * m, sb * m, sb1 * m, m);
        G[a * K + b] = s;
        G[b * K + a] = s;
      }
    }
    if (!extrapolationWeights(G, K, this.cK)) return false;
    const rho = this.tmpR;
    rho.fill(0);
    for (let k = 0; k < K; k++) addScaledAt(rho, this.cK[k]!, R, ((oldest + k + 1) % cap) * n, n);
    if (nl2 > 0 && this.betaBarFull !== null) {
      const bb = this.betaBarFull;
      for (let q = 0; q < m; q++) bb[ws[q]!] = 0;
      for (let k = 0; k < K; k++) {
        const ck = this.cK[k]!;
        const off = ((oldest + k + 1) % cap) * m;
        for (let q = 0; q < m; q++) bb[ws[q]!] += ck * B[off + q]!;
      }
    }
    return true;
  }

  /** Anderson extrapolation of the primal (skglm), with an objective-decrease safeguard. */
  private anderson(ws: Int32Array, m: number): void {
    const K = this.o.extrapolationK;
    const n = this.n;
    const cnt = this.andCnt;
    this.andR.set(this.r, cnt * n);
    const B = this.andB;
    const off = cnt * m;
    gatherAt(B, off, this.beta, ws, m);
    this.andCnt = cnt + 1;
    if (this.andCnt < K + 1) return;
    this.andCnt = 0;
    const G = this.G;
    for (let a = 0; a < K; a++) {
      for (let b = 0; b <= a; b++) {
        const s = diffDot(B, a * m, (a + 1) * m, b * m, (b + 1) * m, m);
        G[a * K + b] = s;
        G[b * K + a] = s;
      }
    }
    if (!extrapolationWeights(G, K, this.cK)) return;
    const c = this.cK;
    const bAcc = this.tmpB;
    const rAcc = this.tmpR;
    bAcc.fill(0, 0, m);
    rAcc.fill(0);
    const R = this.andR;
    for (let k = 0; k < K; k++) {
      const ck = c[k]!;
      addScaledAt(bAcc, ck, B, (k + 1) * m, m);
      addScaledAt(rAcc, ck, R, (k + 1) * n, n);
    }
    // objectives P(β_acc) vs P(β)
    const l1 = this.spec.l1;
    const l2 = this.spec.l2;
    // each sum in q order, as one loop over both made them
    const penA = penaltyParts(ws, m, l1, bAcc, false);
    const bbA = penaltySq;
    const penC = penaltyParts(ws, m, l1, this.beta, true);
    const bbC = penaltySq;
    const pA = sumSq(n, rAcc) / (2 * n) + penA + (l2 * bbA) / 2;
    const pC = sumSq(n, this.r) / (2 * n) + penC + (l2 * bbC) / 2;
    if (pA < pC) {
      for (let q = 0; q < m; q++) this.beta[ws[q]!] = bAcc[q]!;
      let amp = 0;
      for (let k = 0; k < K; k++) amp += Math.abs(c[k]!);
      // large weights amplify the rounding of Σ c_k r_k: recompute r = y_c − X_cβ exactly then
      if (amp > 10) this.recomputeResidual();
      else this.r.set(rAcc);
      this.S = this.sparseCentred ? vecSum(n, this.r) : 0;
      this.andersonAccepted++;
      this.dCnt = 0;
      this.dHead = 0;
    }
  }
}
