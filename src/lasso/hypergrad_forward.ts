/**
 * @file Forward iterative differentiation ("forward", sparse-ho's `Forward`) for the squared-loss
 * Lasso family: cyclic coordinate descent run jointly with the derivative of every iterate with
 * respect to the log-hyperparameters θ_k.
 *
 * Coordinate update (unscaled, N_j = ‖X_c,j‖², l_j = penalty of feature j, r = y_c − X_cβ):
 *
 *   z_j = X_c,jᵀ r + N_j β_j,        β_j⁺ = ST(z_j, n l_j) / (N_j + nλ₂)
 *
 * and its derivative (u_k = X_c J_k = −∂r/∂θ_k, s = sign β_j⁺):
 *
 *   ∂z_j/∂θ_k = −X_c,jᵀ u_k + N_j J_jk
 *   J_jk⁺ = 1{β_j⁺ ≠ 0} · [ (∂z_j/∂θ_k − n s ∂l_j/∂θ_k) − n (∂λ₂/∂θ_k) β_j⁺ ] / (N_j + nλ₂)
 *
 * with ∂l_j/∂θ = λ (Lasso), (λ₁, 0) and ∂λ₂/∂θ = (0, λ₂) (elastic net), ∂l_j/∂θ_k = λ_j δ_jk
 * (weighted Lasso, one hyperparameter per feature: O(p) columns — meant for small p).
 *
 * Stopping: every 10 epochs, duality gap ≤ tol·‖y_c‖²/n (the formula of cd.ts) AND the largest
 * Jacobian change over the last epoch ≤ tolJac·max|J|.
 *
 * Speed (sparse-ho's Forward sweeps all p features with two dot products and two axpys each): the
 * epochs between gap checks sweep only the active set A; for a dense design with one
 * hyperparameter and a Gram cache they run on the Gram block G_AA (O(|A|) per coordinate, see the
 * GRAM PHASES comment in the loop). Visiting order changes, the fixed point and its derivative do not.
 */
import type { PreparedDesign } from './design.js';
import { colDots } from './design.js';
import { colAddRaw, colDot, type GramCache } from './hypergrad_core.js';

/** Which hyperparameters: see the file header. */
export type ForwardHyper = 'lasso' | 'enet' | 'wlasso';

/** Result of `forwardQuadratic`. */
export interface ForwardResult {
  readonly beta: Float64Array;
  /** Centred residual y_c − X_cβ. */
  readonly residual: Float64Array;
  /** J (p × q, row-major: J[j*q + k] = ∂β_j/∂θ_k). */
  readonly jac: Float64Array;
  readonly q: number;
  readonly gap: number;
  readonly converged: boolean;
  readonly epochs: number;
}

/**
 * Joint CD + forward differentiation (see the file header). `l1` are the per-feature penalties,
 * `l2` the ridge; `hyper` fixes the meaning of θ.
 *
 * @example
 * const res = forwardQuadratic(d, yc, l1, 0, 'lasso', { tol: 1e-12, tolJac: 1e-10, maxEpochs: 10000 });
 * res.jac; // ∂β/∂log λ
 */
export function forwardQuadratic(
  d: PreparedDesign, yc: Float64Array, l1: Float64Array, l2: number, hyper: ForwardHyper,
  opts: { tol: number; tolJac: number; maxEpochs: number; warmBeta?: Float64Array; warmJac?: Float64Array; gram?: GramCache | null },
): ForwardResult {
  const n = d.nRows;
  const p = d.nCols;
  const q = hyper === 'lasso' ? 1 : hyper === 'enet' ? 2 : p;
  const beta = new Float64Array(p);
  const J = new Float64Array(p * q);
  if (opts.warmBeta) for (let j = 0; j < p; j++) beta[j] = d.colNormsSq[j]! > 0 ? opts.warmBeta[j]! : 0;
  if (opts.warmJac && opts.warmJac.length === p * q) {
    for (let j = 0; j < p; j++) if (beta[j] !== 0) for (let k = 0; k < q; k++) J[j * q + k] = opts.warmJac[j * q + k]!;
  }
  // raw residual r and u_k = X_c J_k with their sums (implicit centring of CSC columns)
  const r = new Float64Array(yc);
  let rSum = 0;
  for (let i = 0; i < n; i++) rSum += r[i]!;
  const U = new Float64Array(q * n);
  const uSum = new Float64Array(q);
  for (let j = 0; j < p; j++) {
    if (beta[j] !== 0) rSum += colAddRaw(d, j, -beta[j]!, r);
    for (let k = 0; k < q; k++) {
      const v = J[j * q + k]!;
      if (v !== 0) uSum[k] += colAddRaw(d, j, v, U.subarray(k * n, (k + 1) * n));
    }
  }
  const lam = l1; // l_j
  const nl2 = n * l2;
  const tolAbs = (() => {
    let s = 0;
    for (let i = 0; i < n; i++) s += yc[i]! * yc[i]!;
    return (opts.tol * s) / n;
  })();
  const usable: number[] = [];
  for (let j = 0; j < p; j++) if (d.colNormsSq[j]! > 0) usable.push(j);
  // ACTIVE-SET SWEEPS: a full sweep over every usable feature on the first epoch and on every
  // epoch that ends with a gap check (every 10th); the epochs in between sweep only the features
  // that were non-zero after the last full sweep. A feature at zero contributes J_j = 0 and leaves
  // r, u unchanged as long as it stays at zero, so this is coordinate descent with a different
  // visiting order (the fixed point and its derivative are the same), at |S|/p of the cost.
  let active = Int32Array.from(usable);
  const Uk: Float64Array[] = [];
  for (let k = 0; k < q; k++) Uk.push(U.subarray(k * n, (k + 1) * n));
  const fastDense = !d.isSparse && q === 1;
  const X = d.data;
  const u0 = Uk[0]!;
  const xt = new Float64Array(p);
  let epochs = 0;
  let gap = Infinity;
  let converged = false;
  const exactSums = (): void => {
    if (!d.isSparse) return;
    rSum = 0;
    for (let i = 0; i < n; i++) rSum += r[i]!;
    for (let k = 0; k < q; k++) {
      let s = 0;
      for (let i = k * n; i < (k + 1) * n; i++) s += U[i]!;
      uSum[k] = s;
    }
  };
  // GRAM PHASES (dense, one hyperparameter, a Gram cache given, |A| ≤ min(2000, 2n)): between two
  // gap checks the epochs on the active set A run on c = X_Aᵀr and e = X_Aᵀu with the Gram block
  // G_AA (from the cache; cost O(|A|) per coordinate instead of O(n)); r and u are brought up to
  // date before each gap check (r −= X_A Δβ_A, u += X_A ΔJ_A), the gap's Xᵀr names the zero
  // features violating |X_jᵀr| ≤ n l_j, and they join A for the next phase (no full sweep needed:
  // the gap test certifies optimality over all features).
  const gramCache = fastDense ? (opts.gram ?? null) : null;
  const gramMax = Math.min(2000, 2 * n);
  let gA: Int32Array | null = null; // active set of the current Gram phase
  let kept = 0; // checks at which the active set was unchanged
  let G = new Float64Array(0);
  let cA = new Float64Array(0), eA = new Float64Array(0), b0 = new Float64Array(0), j0 = new Float64Array(0);
  const syncGram = (): void => {
    if (gA === null) return;
    for (let t = 0; t < gA.length; t++) {
      const j = gA[t]!;
      const dB = b0[t]! - beta[j]!;
      const dJ = J[j]! - j0[t]!;
      if (dB !== 0 || dJ !== 0) {
        const o = j * n;
        for (let i = 0; i < n; i++) {
          const x = X[o + i]!;
          r[i] += dB * x;
          u0[i] += dJ * x;
        }
      }
      b0[t] = beta[j]!; // r, u now match (β, J): the new base point
      j0[t] = J[j]!;
    }
  };
  const gramOk = gramCache !== null;
  let firstFull = true;
  while (epochs < opts.maxEpochs) {
    epochs++;
    const check = epochs % 10 === 0 || epochs === opts.maxEpochs;
    let maxDJ = 0;
    let maxJ = 0;
    if (gramOk && !firstFull && active.length <= gramMax) {
      if (gA === null) {
        const m = active.length;
        gA = active;
        gramCache!.ensure(gA, null);
        if (G.length < m * m) G = new Float64Array(m * m);
        gramCache!.block(gA, G, m);
        cA = new Float64Array(m);
        eA = new Float64Array(m);
        b0 = new Float64Array(m);
        j0 = new Float64Array(m);
        for (let t = 0; t < m; t++) {
          const j = gA[t]!;
          b0[t] = beta[j]!;
          j0[t] = J[j]!;
          const o = j * n;
          let zr = 0, zu = 0;
          for (let i = 0; i < n; i++) {
            zr += X[o + i]! * r[i]!;
            zu += X[o + i]! * u0[i]!;
          }
          cA[t] = zr / n; // G is X_AᵀX_A/n: keep c, e in the same scale
          eA[t] = zu / n;
        }
      }
      const m = gA.length;
      for (let t = 0; t < m; t++) {
        const j = gA[t]!;
        const Nj = d.colNormsSq[j]!;
        const bj = beta[j]!;
        const thr = n * lam[j]!;
        const den = Nj + nl2;
        const z = n * cA[t]! + Nj * bj;
        const nb = z > thr ? (z - thr) / den : z < -thr ? (z + thr) / den : 0;
        const old = J[j]!;
        const nj = nb !== 0 ? (-n * eA[t]! + Nj * old - n * Math.sign(nb) * lam[j]!) / den : 0;
        const dJ = nj - old;
        const dB = nb - bj;
        if (dJ !== 0 || dB !== 0) {
          const row = t * m;
          for (let k = 0; k < m; k++) {
            const g = G[row + k]!;
            cA[k] -= g * dB;
            eA[k] += g * dJ;
          }
          J[j] = nj;
          beta[j] = nb;
          const c = Math.abs(dJ);
          if (c > maxDJ) maxDJ = c;
        }
        if (Math.abs(nj) > maxJ) maxJ = Math.abs(nj);
      }
      if (check) {
        syncGram();
        gap = quadGap(d, r, rSum, beta, lam, l2, xt);
        if (gap <= tolAbs && maxDJ <= opts.tolJac * Math.max(maxJ, 1e-300)) {
          converged = true;
          break;
        }
        const next: number[] = [];
        for (const j of usable) if (beta[j] !== 0 || Math.abs(xt[j]!) > n * lam[j]!) next.push(j);
        // same active set: r, u are synced and c = X_Aᵀr/n, e = X_Aᵀu/n stay valid (no rebuild of
        // G); every 5th check c and e are recomputed from r, u (no drift of the running updates)
        if (!(next.length === gA.length && next.every((j, t) => j === gA![t]))) {
          active = Int32Array.from(next);
          gA = null;
        } else if (++kept % 5 === 0) {
          for (let t = 0; t < gA.length; t++) {
            const o = gA[t]! * n;
            let zr = 0, zu = 0;
            for (let i = 0; i < n; i++) {
              zr += X[o + i]! * r[i]!;
              zu += X[o + i]! * u0[i]!;
            }
            cA[t] = zr / n;
            eA[t] = zu / n;
          }
        }
      }
      continue;
    }
    const sweep = check || firstFull ? usable : active;
    firstFull = false;
    for (let a = 0; a < sweep.length; a++) {
      const j = sweep[a]!;
      const Nj = d.colNormsSq[j]!;
      const bj = beta[j]!;
      const thr = n * lam[j]!;
      const den = Nj + nl2;
      if (fastDense) {
        // one pass for X_jᵀr and X_jᵀu, one pass for both updates
        const o = j * n;
        let zr = 0, zu = 0, zr1 = 0, zu1 = 0;
        let i = 0;
        for (; i + 1 < n; i += 2) {
          const x0 = X[o + i]!, x1 = X[o + i + 1]!;
          zr += x0 * r[i]!;
          zu += x0 * u0[i]!;
          zr1 += x1 * r[i + 1]!;
          zu1 += x1 * u0[i + 1]!;
        }
        if (i < n) {
          zr += X[o + i]! * r[i]!;
          zu += X[o + i]! * u0[i]!;
        }
        const z = zr + zr1 + Nj * bj;
        const nb = z > thr ? (z - thr) / den : z < -thr ? (z + thr) / den : 0;
        const old = J[j]!;
        let nj = 0;
        if (nb !== 0) {
          // q = 1: 'lasso', or 'wlasso' with p = 1 — both have ∂l_j/∂θ = λ_j
          nj = (-(zu + zu1) + Nj * old - n * Math.sign(nb) * lam[j]!) / den;
        }
        const dJ = nj - old;
        const dB = bj - nb;
        if (dJ !== 0 || dB !== 0) {
          for (let t = 0; t < n; t++) {
            const x = X[o + t]!;
            u0[t] += dJ * x;
            r[t] += dB * x;
          }
          J[j] = nj;
          beta[j] = nb;
          const c = Math.abs(dJ);
          if (c > maxDJ) maxDJ = c;
        }
        if (Math.abs(nj) > maxJ) maxJ = Math.abs(nj);
        continue;
      }
      const z = colDot(d, j, r, rSum) + Nj * bj;
      const nb = z > thr ? (z - thr) / den : z < -thr ? (z + thr) / den : 0;
      const s = Math.sign(nb);
      for (let k = 0; k < q; k++) {
        const old = J[j * q + k]!;
        let nj = 0;
        if (nb !== 0) {
          const dz = -colDot(d, j, Uk[k]!, uSum[k]!) + Nj * old;
          let dl = 0;
          let dl2 = 0;
          if (hyper === 'lasso') dl = lam[j]!;
          else if (hyper === 'enet') {
            if (k === 0) dl = lam[j]!;
            else dl2 = l2;
          } else if (k === j) dl = lam[j]!;
          nj = (dz - n * s * dl - n * dl2 * nb) / den;
        }
        if (nj !== old) {
          J[j * q + k] = nj;
          uSum[k] += colAddRaw(d, j, nj - old, Uk[k]!);
          const c = Math.abs(nj - old);
          if (c > maxDJ) maxDJ = c;
        }
        if (Math.abs(nj) > maxJ) maxJ = Math.abs(nj);
      }
      if (nb !== bj) {
        rSum += colAddRaw(d, j, bj - nb, r);
        beta[j] = nb;
      }
    }
    if (sweep === usable) {
      const next: number[] = [];
      for (const j of usable) if (beta[j] !== 0) next.push(j);
      active = Int32Array.from(next);
    }
    if (check) {
      exactSums();
      gap = quadGap(d, r, rSum, beta, lam, l2, xt);
      if (gap <= tolAbs && maxDJ <= opts.tolJac * Math.max(maxJ, 1e-300)) {
        converged = true;
        break;
      }
    }
  }
  syncGram();
  // true centred residual
  if (d.isSparse && d.centered) {
    const c = rSum / n;
    for (let i = 0; i < n; i++) r[i] -= c;
  }
  return { beta, residual: r, jac: J, q, gap, converged, epochs };
}

/**
 * Duality gap of (1/2n)‖r‖² + Σ l_j|β_j| + (λ₂/2)‖β‖² at (β, r) (cd.ts's formula with ρ = r):
 *   t = 1/max(1, max_{l_j>0} |X_c,jᵀr − nλ₂β_j|/(n l_j)),
 *   gap = (1−t)²‖r‖²/(2n) − t βᵀX_cᵀr/n + Σ l_j|β_j| + λ₂(1+t²)‖β‖²/2.
 * `r` may be raw (implicitly centred CSC) with sum rSum; `xt` receives X_cᵀr.
 */
export function quadGap(d: PreparedDesign, r: Float64Array, rSum: number, beta: Float64Array, l1: Float64Array, l2: number, xt: Float64Array): number {
  const n = d.nRows;
  const p = d.nCols;
  let s = 1;
  let bxr = 0, pen = 0, bb = 0;
  colDots(d, r, rSum, null, p, xt); // all of X_cᵀr in one call of the design's kernel (WebAssembly SIMD when dense)
  for (let j = 0; j < p; j++) {
    if (d.colNormsSq[j] === 0) {
      xt[j] = 0;
      continue;
    }
    const c = xt[j]!;
    const b = beta[j]!;
    if (l1[j]! > 0) {
      const a = Math.abs(c - n * l2 * b) / (n * l1[j]!);
      if (a > s) s = a;
    }
    if (b !== 0) {
      bxr += b * c;
      pen += l1[j]! * Math.abs(b);
      bb += b * b;
    }
  }
  // ‖r_true‖² with r_true = r − mean(r) for implicitly centred CSC
  let rr = 0;
  const mean = d.isSparse && d.centered ? rSum / n : 0;
  for (let i = 0; i < n; i++) {
    const v = r[i]! - mean;
    rr += v * v;
  }
  const t = 1 / s;
  return ((1 - t) * (1 - t) * rr) / (2 * n) - (t * bxr) / n + pen + (l2 * (1 + t * t) * bb) / 2;
}
