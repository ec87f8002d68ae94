/**
 * @file The coordinate-descent epochs of the squared-loss Lasso family: one cyclic pass over a
 * working set, specialised for dense column-major X (four accumulators; the JavaScript twin of the
 * WebAssembly `epoch` of kernels/wasm_lasso.ts, same arithmetic) and for CSC X with implicit centring.
 * Update (N_j = ‖X_c,j‖², t_j = n·l_j, nλ₂ the ridge term):
 *
 *   z = X_c,jᵀ r + N_j β_j,   β_j⁺ = ST(z, t_j) / (N_j + nλ₂),   r ← r − (β_j⁺ − β_j) X_c,j.
 */
import { denseColDot } from './columns.js';

// ---------------------------------------------------------------------------------------------
// Epoch kernels. Dense and CSC are specialised because this is THE hot loop (≈ all of the run
// time): the dense one walks a contiguous column with four accumulators (it is also the fallback
// of the WebAssembly `epoch`, same arithmetic), the CSC one gathers through `indices` and corrects
// for the implicit column mean with the running sum S = Σ r̃. Everything else (gaps, screening,
// extrapolation) is shared.
// ---------------------------------------------------------------------------------------------

/** One cyclic pass over ws[0..m) for dense (possibly pre-centred) column-major X. */
export function epochDense(
  X: Float64Array, n: number, ws: Int32Array, m: number, beta: Float64Array, r: Float64Array,
  normsSq: Float64Array, thr: Float64Array, nl2: number,
): void {
  for (let w = 0; w < m; w++) {
    const j = ws[w]!;
    const o = j * n;
    const bj = beta[j]!;
    const nj = normsSq[j]!;
    const z = denseColDot(X, o, r, n) + nj * bj;
    const tj = thr[j]!;
    const nb = z > tj ? (z - tj) / (nj + nl2) : z < -tj ? (z + tj) / (nj + nl2) : 0;
    if (nb !== bj) {
      const dlt = bj - nb;
      for (let k = 0; k < n; k++) r[k] += dlt * X[o + k]!;
      beta[j] = nb;
    }
  }
}

/**
 * One cyclic pass for CSC X with implicit centring: r̃ is the residual up to a constant shift,
 * S = Σ r̃, and X_c,jᵀ r = X_jᵀ r̃ − μ_j S. Returns the updated S.
 */
export function epochSparse(
  vals: Float64Array, indptr: Int32Array, indices: Int32Array, mu: Float64Array, n: number,
  ws: Int32Array, m: number, beta: Float64Array, r: Float64Array, S: number,
  normsSq: Float64Array, thr: Float64Array, nl2: number,
): number {
  for (let w = 0; w < m; w++) {
    const j = ws[w]!;
    const a = indptr[j]!;
    const b = indptr[j + 1]!;
    let s = 0;
    for (let k = a; k < b; k++) s += vals[k]! * r[indices[k]!]!;
    const muj = mu[j]!;
    const bj = beta[j]!;
    const nj = normsSq[j]!;
    const z = s - muj * S + nj * bj;
    const tj = thr[j]!;
    const nb = z > tj ? (z - tj) / (nj + nl2) : z < -tj ? (z + tj) / (nj + nl2) : 0;
    if (nb !== bj) {
      const dlt = bj - nb;
      for (let k = a; k < b; k++) r[indices[k]!] += dlt * vals[k]!;
      S += dlt * n * muj;
      beta[j] = nb;
    }
  }
  return S;
}
