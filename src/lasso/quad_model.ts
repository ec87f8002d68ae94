/**
 * @file The squared-loss Lasso family as a problem: per-feature penalties (`QuadSpec`,
 * `quadSpecOf`), primal/dual objectives and the duality gap (`quadraticGap`, `candidateDualValue`),
 * and the dual projection for unpenalised features (`UnpenalisedProjector`). Formulas:
 *
 *   P(β) = (1/2n)‖r‖² + Σ_j l_j|β_j| + (λ₂/2)‖β‖²,   r = y_c − X_cβ;
 *   c_j = X_c,jᵀρ − nλ₂ β̄_j,   s = max(1, max_{l_j>0} |c_j| / (n l_j)),   t = 1/s,   θ = t ρ / n,
 *   D = (2t y_cᵀρ − t²‖ρ‖²)/(2n) − t²λ₂‖β̄‖²/2,
 *   gap (ρ = r) = (1−t)²‖r‖²/(2n) − t βᵀX_cᵀr/n + Σ l_j|β_j| + λ₂(1+t²)‖β‖²/2
 *
 * (derivation in quad_cd.ts).
 */
import { checkPositive } from '../core/options.js';
import { choleskyRankRevealing, choleskySolveStrided } from '../linalg/dense/cholesky_update.js';
import type { PreparedDesign } from './design.js';
import { colAxpy, colDots, vecSum } from './columns.js';
import type { ModelSpec } from './models.js';
import { checkWeights } from './models.js';
import { InvalidArgumentError } from '../core/errors.js';

/** Penalty of a squared-loss model, per feature. */
export interface QuadSpec {
  readonly model: 'lasso' | 'enet' | 'wlasso';
  /** l_j = λ·w_j. */
  readonly l1: Float64Array;
  readonly l2: number;
  readonly weights: Float64Array | null;
  readonly lambda: number;
}

/** Primal, dual, gap and dual scaling of a squared-loss model at an iterate. */
export interface GapInfo {
  P: number;
  D: number;
  gap: number;
  /** Dual scaling t = 1/s: the dual point is θ = t·r/n. */
  t: number;
}

/**
 * Duality gap of the squared-loss model at β with residual r = y_c − X_cβ and xt = X_cᵀr, over
 * the columns `cols[0..m)` (all p when null; β must vanish outside them). l1: per-feature λ_j; l2:
 * λ₂. Formulas in the file header (accurate form, no P − D cancellation).
 */
export function quadraticGap(
  n: number, beta: Float64Array, r: Float64Array, xt: Float64Array, l1: Float64Array, l2: number,
  cols: Int32Array | null, m: number,
): GapInfo {
  const cnt = cols === null ? beta.length : m;
  const nl2 = n * l2;
  let pen = 0, bb = 0, bxr = 0, s = 1;
  for (let k = 0; k < cnt; k++) {
    const j = cols === null ? k : cols[k]!;
    const b = beta[j]!;
    const x = xt[j]!;
    if (b !== 0) {
      pen += l1[j]! * Math.abs(b);
      bb += b * b;
      bxr += b * x;
    }
    const lj = l1[j]!;
    if (lj > 0) {
      const a = Math.abs(x - nl2 * b) / (n * lj);
      if (a > s) s = a;
    }
  }
  const t = 1 / s;
  const rr = sumSq(n, r);
  const P = rr / (2 * n) + pen + (l2 * bb) / 2;
  const gap = ((1 - t) * (1 - t) * rr) / (2 * n) - (t * bxr) / n + pen + (l2 * (1 + t * t) * bb) / 2;
  return { P, D: P - gap, gap, t };
}

/**
 * Projection onto the dual constraint of unpenalised features (weighted Lasso with w_j = 0):
 * θ must satisfy X_c,Uᵀθ = 0, which a rescaled residual only does at the optimum. With
 * G = X_c,UᵀX_c,U (Cholesky, + 1e-12·tr(G)/|U| on the diagonal for collinear columns),
 * ρ' = ρ − X_c,U G⁻¹ X_c,Uᵀρ is feasible for those constraints, so the gap computed from ρ' is a
 * valid bound (and Gap Safe screening stays safe). Cost: O(n·|U|) per gap evaluation.
 */
export class UnpenalisedProjector {
  readonly U: Int32Array;
  private readonly L: Float64Array;
  private readonly a: Float64Array;
  private readonly xt: Float64Array;

  constructor(private readonly d: PreparedDesign, l1: Float64Array) {
    const p = d.nCols;
    const n = d.nRows;
    const list: number[] = [];
    for (let j = 0; j < p; j++) if (l1[j] === 0 && d.colNormsSq[j]! > 0) list.push(j);
    const U = (this.U = Int32Array.from(list));
    const k = U.length;
    this.xt = new Float64Array(p);
    this.a = new Float64Array(k);
    const G = new Float64Array(k * k);
    const col = new Float64Array(n);
    for (let q = 0; q < k; q++) {
      col.fill(0);
      colAxpy(d, U[q]!, 1, col); // X_c,u as a dense vector
      colDots(d, col, vecSum(n, col), U, k, this.xt);
      for (let t = 0; t < k; t++) G[q * k + t] = this.xt[U[t]!]!;
    }
    let tr = 0;
    for (let q = 0; q < k; q++) tr += G[q * k + q]!;
    const eps = (1e-12 * tr) / Math.max(k, 1);
    for (let q = 0; q < k; q++) G[q * k + q] += eps;
    // collinear unpenalised columns: the pivots are floored (the projection stays defined)
    choleskyRankRevealing(G, k, 1e-12);
    this.L = G;
  }

  /** out ← ρ − X_c,U G⁻¹ X_c,Uᵀρ (out may alias rho). */
  project(rho: Float64Array, out: Float64Array): void {
    const d = this.d;
    const n = d.nRows;
    const U = this.U;
    const k = U.length;
    const L = this.L;
    const a = this.a;
    colDots(d, rho, vecSum(n, rho), U, k, this.xt);
    for (let i = 0; i < k; i++) a[i] = this.xt[U[i]!]!;
    choleskySolveStrided(L, k, a); // a = G⁻¹ X_c,Uᵀρ
    if (out !== rho) out.set(rho);
    for (let q = 0; q < k; q++) if (a[q] !== 0) colAxpy(d, U[q]!, -a[q]!, out);
  }
}

/**
 * Dual objective at the point built from a residual-like ρ and ridge part β̄ (null: none), with
 * xt = X_cᵀρ over cols (all p when null): t = 1/max(1, max_{l_j>0} |xt_j − nλ₂β̄_j|/(n l_j)),
 * D = (2t y_cᵀρ − t²‖ρ‖²)/(2n) − t²λ₂‖β̄‖²/2; the dual point is θ = tρ/n.
 */
export function candidateDualValue(
  n: number, yc: Float64Array, rho: Float64Array, xt: Float64Array, l1: Float64Array, l2: number,
  bbar: Float64Array | null, cols: Int32Array | null, m: number,
): { D: number; t: number } {
  const cnt = cols === null ? xt.length : m;
  const nl2 = n * l2;
  let s = 1;
  let bb = 0;
  for (let k = 0; k < cnt; k++) {
    const j = cols === null ? k : cols[k]!;
    const b = bbar === null ? 0 : bbar[j]!;
    bb += b * b;
    const lj = l1[j]!;
    if (lj === 0) continue;
    const a = Math.abs(xt[j]! - nl2 * b) / (n * lj);
    if (a > s) s = a;
  }
  const t = 1 / s;
  let yr = 0, rr = 0;
  for (let i = 0; i < n; i++) {
    const v = rho[i]!;
    yr += yc[i]! * v;
    rr += v * v;
  }
  const D = (2 * t * yr - t * t * rr) / (2 * n) - (t * t * l2 * bb) / 2;
  return { D, t };
}

/** ‖v[0..n)‖². */
export function sumSq(n: number, v: Float64Array): number {
  let s0 = 0, s1 = 0;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    s0 += v[i]! * v[i]!;
    s1 += v[i + 1]! * v[i + 1]!;
  }
  if (i < n) s0 += v[i]! * v[i]!;
  return s0 + s1;
}

/**
 * Per-feature penalty of a squared-loss `ModelSpec` (validated): l_j = λ (lasso), λ₁ (enet),
 * λ·w_j (wlasso), and the ridge λ₂ (enet, else 0).
 */
export function quadSpecOf(model: ModelSpec, p: number, fn: string): QuadSpec {
  if (model === null || typeof model !== 'object') throw new InvalidArgumentError(`${fn}(): model must be a ModelSpec object`);
  switch (model.type) {
    case 'lasso': {
      const lam = checkPositive(model.lambda, 'lambda', fn);
      return { model: 'lasso', l1: new Float64Array(p).fill(lam), l2: 0, weights: null, lambda: lam };
    }
    case 'enet': {
      const l1 = checkPositive(model.lambda1, 'lambda1', fn);
      const l2 = checkPositive(model.lambda2, 'lambda2', fn, true);
      return { model: l2 > 0 ? 'enet' : 'lasso', l1: new Float64Array(p).fill(l1), l2, weights: null, lambda: l1 };
    }
    case 'wlasso': {
      const lam = checkPositive(model.lambda, 'lambda', fn);
      const w = checkWeights(model.weights, p, fn);
      const l1 = new Float64Array(p);
      for (let j = 0; j < p; j++) l1[j] = lam * w[j]!;
      return { model: 'wlasso', l1, l2: 0, weights: w, lambda: lam };
    }
    default:
      throw new InvalidArgumentError(`${fn}(): model.type must be 'lasso' | 'enet' | 'wlasso' here, got ${String((model as { type?: unknown }).type)}`);
  }
}
