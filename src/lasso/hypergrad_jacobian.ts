/**
 * @file The 'implicit-forward' method (sparse-ho's ImplicitForward) on the support system: the
 * Jacobian J (m × q, one column per hyperparameter column of the model adapter) solves
 *
 *   M J_k = −c_k,   i.e. J_k minimises ½ J_kᵀ M J_k + c_kᵀ J_k,
 *
 * by cyclic coordinate descent (the Jacobian recursion of coordinate descent restricted to the
 * support with fixed signs), warm-started from the previous J re-indexed onto the new support and
 * stopped when the largest change of J over an epoch is ≤ tolJac·max|J| (a re-run at the same λ
 * takes one or two epochs). Then dC/dθ_{keys[k]} = gᵀ J_k.
 *
 * Two ways to apply M, the same iterates up to rounding:
 * - matrix-free: through u_k = X̃ J_k, kept in raw form with its sum (exact for implicitly centred
 *   CSC designs, see hypergrad_core.ts): an update of J_tk costs two passes over column t (O(n));
 * - Gram: with M materialised (m × m, from the Gram cache for the squared loss) and V = M J kept up
 *   to date, an update costs one row of M (O(m)). Building M costs O(m²) reads of a warm cache, or
 *   O(m²n/2) without one (logistic weights change at every λ), so the Jacobian CD starts matrix-free
 *   (warm-started re-runs converge in one or two epochs) and switches to the Gram form after
 *   2 epochs (cache) or m/4 epochs (no cache), when m ≤ 2000.
 */
import { buildSystemMatrix, colAddRaw, colDot, colDotW, systemDiagonal, type GramCache, type SupportSystem } from './hypergrad_core.js';
import { rhsMatrix, type SupportRhs } from './hypergrad_models.js';
import type { HypergradOptions, JacState } from './hypergrad_types.js';

/**
 * Runs the Jacobian coordinate descent for the right-hand sides `rhs` of the support system `sys`,
 * writes dC/dθ = gᵀJ into `grad` and returns the new warm-start state.
 */
export function jacobianCD(
  sys: SupportSystem, rhs: SupportRhs, g: Float64Array, grad: Float64Array, prev: JacState | null, opts: HypergradOptions,
  gram: GramCache | null = null,
): { iterations: number; state: JacState } {
  const d = sys.d;
  const n = d.nRows;
  const S = sys.cols;
  const s = S.length;
  const m = s + (sys.ones ? 1 : 0);
  const { keys, q } = rhs;
  const C = rhsMatrix(rhs, m);
  const rows = new Int32Array(m);
  rows.set(S);
  if (sys.ones) rows[s] = -1;
  // warm start
  const J = new Float64Array(m * q);
      if (prev) {
    const rpos = new Map<number, number>();
    for (let t = 0; t < prev.rows.length; t++) rpos.set(prev.rows[t]!, t);
    const kpos = new Map<number, number>();
    for (let k = 0; k < prev.keys.length; k++) kpos.set(prev.keys[k]!, k);
    const pq = prev.keys.length;
    for (let t = 0; t < m; t++) {
      const rt = rpos.get(rows[t]!);
      if (rt === undefined) continue;
      for (let k = 0; k < q; k++) {
        const kk = kpos.get(keys[k]!);
        if (kk !== undefined) J[t * q + k] = prev.J[rt * pq + kk]!;
      }
    }
  }
  // u_k = X̃ J_k (raw) with sums
  const U = new Float64Array(q * n);
  const uSum = new Float64Array(q);
  for (let t = 0; t < m; t++) {
    for (let k = 0; k < q; k++) {
      const v = J[t * q + k]!;
      if (v === 0) continue;
      const uk = U.subarray(k * n, (k + 1) * n);
      if (t < s) uSum[k] += colAddRaw(d, S[t]!, v, uk);
      else for (let i = 0; i < n; i++) uk[i] += v;
    }
  }
  if (d.isSparse) {
    for (let k = 0; k < q; k++) {
      let ss = 0;
      for (let i = k * n; i < (k + 1) * n; i++) ss += U[i]!;
      uSum[k] = ss;
    }
  }
  const diag = systemDiagonal(sys);
  const w = sys.w;
  const ridge = sys.ridge;
  const tolJac = opts.tolJac ?? 1e-9;
  const maxIt = opts.maxJacIter ?? 10_000;
  let it = 0;
  const switchAt = m > 2000 ? Infinity : gram !== null && sys.w === null ? 2 : Math.max(2, m / 4);
  let M: Float64Array | null = null;
  let V: Float64Array | null = null; // V[k*m + t] = (M J_k)_t
  while (it < maxIt) {
    it++;
    let maxD = 0;
    let maxJ = 0;
    if (M === null && it > switchAt) {
      M = buildSystemMatrix(sys, sys.w === null ? gram : null);
      V = new Float64Array(q * m);
      for (let k = 0; k < q; k++) {
        for (let t = 0; t < m; t++) {
          const jt = J[t * q + k]!;
          if (jt === 0) continue;
          const row = t * m;
          for (let r = 0; r < m; r++) V[k * m + r] += M[row + r]! * jt;
        }
      }
    }
    if (M !== null && V !== null) {
      for (let t = 0; t < m; t++) {
        const row = t * m;
        const dt = M[row + t]!;
        if (!(dt > 0)) continue;
        for (let k = 0; k < q; k++) {
          const vo = k * m;
          const delta = -(V[vo + t]! + C[t * q + k]!) / dt;
          if (delta !== 0) {
            J[t * q + k] += delta;
            for (let r = 0; r < m; r++) V[vo + r] += M[row + r]! * delta;
            const ad = Math.abs(delta);
            if (ad > maxD) maxD = ad;
          }
          const aj = Math.abs(J[t * q + k]!);
          if (aj > maxJ) maxJ = aj;
        }
      }
      if (maxD <= tolJac * Math.max(maxJ, 1e-300)) break;
      continue;
    }
    for (let t = 0; t < m; t++) {
      const dt = diag[t]!;
      if (!(dt > 0)) continue;
      for (let k = 0; k < q; k++) {
        const uk = U.subarray(k * n, (k + 1) * n);
        let mg: number;
        if (t < s) {
          const j = S[t]!;
          mg = (w === null ? colDot(d, j, uk, uSum[k]!) : colDotW(d, j, w, uk)) / n + ridge * J[t * q + k]!;
        } else {
          let ss = 0;
          if (w === null) for (let i = 0; i < n; i++) ss += uk[i]!;
          else for (let i = 0; i < n; i++) ss += w[i]! * uk[i]!;
          mg = ss / n;
        }
        const delta = -(mg + C[t * q + k]!) / dt;
        if (delta !== 0) {
          J[t * q + k] += delta;
          if (t < s) uSum[k] += colAddRaw(d, S[t]!, delta, uk);
          else for (let i = 0; i < n; i++) uk[i] += delta;
          const ad = Math.abs(delta);
          if (ad > maxD) maxD = ad;
        }
        const aj = Math.abs(J[t * q + k]!);
        if (aj > maxJ) maxJ = aj;
      }
    }
    if (maxD <= tolJac * Math.max(maxJ, 1e-300)) break;
  }
  for (let k = 0; k < q; k++) {
    let v = 0;
    for (let t = 0; t < m; t++) v += g[t]! * J[t * q + k]!;
    grad[keys[k]!] = v;
  }
  return { iterations: it, state: { rows, keys, J } };
}
