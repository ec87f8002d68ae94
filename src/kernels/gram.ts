/**
 * @file Gram products restricted to a column subset: G = X_Sᵀ diag(w) X_S for a column-major
 * n×p matrix X (the Lasso layout) and a list S of column indices, through one gemm (so the
 * WebAssembly SIMD kernel and the thread pool serve it when the backend allows).
 */
import { ShapeError } from '../core/errors.js';
import { gemmStrided } from './blas.js';

/**
 * `G[a·s + b] = Σ_i X[i, S[a]]·w[i]·X[i, S[b]]` (s = S.length, G row-major s×s, symmetric) for X
 * column-major with n rows (column j at `X[j·n .. j·n + n)`); `w` omitted means all ones. The
 * columns are gathered once (s·n copies) and multiplied by one NT gemm (2·s²·n flops).
 * Throws `ShapeError` when a column index is out of range or `out`/`w` are too short.
 *
 * @example
 * // X = [[1, 2], [3, 4]] stored by columns: [1, 3, 2, 4]
 * gramColumns(Float64Array.of(1, 3, 2, 4), 2, Int32Array.of(0, 1)); // [10, 14, 14, 20]
 */
export function gramColumns(X: Float64Array, n: number, cols: ArrayLike<number>, w?: Float64Array, out?: Float64Array): Float64Array {
  const s = cols.length;
  const p = n > 0 ? Math.floor(X.length / n) : 0;
  const G = out ?? new Float64Array(s * s);
  if (G.length < s * s) throw new ShapeError(`gramColumns: out has ${G.length} entries, needs ${s * s} (${s} columns)`);
  if (w !== undefined && w.length < n) throw new ShapeError(`gramColumns: w has ${w.length} entries, needs n = ${n}`);
  const XS = new Float64Array(s * n); // row a = column S[a] of X
  const WS = w === undefined ? XS : new Float64Array(s * n); // row a = w ∘ column S[a]
  for (let a = 0; a < s; a++) {
    const j = cols[a]!;
    if (!Number.isInteger(j) || j < 0 || j >= p) throw new ShapeError(`gramColumns: column index ${j} (entry ${a} of cols) is outside [0, ${p})`);
    XS.set(X.subarray(j * n, j * n + n), a * n);
    if (w !== undefined) for (let i = 0; i < n; i++) WS[a * n + i] = w[i]! * X[j * n + i]!;
  }
  if (s === 0) return G;
  gemmStrided(false, true, s, s, n, 1, XS, 0, n, WS, 0, n, 0, G, 0, s);
  return G;
}
