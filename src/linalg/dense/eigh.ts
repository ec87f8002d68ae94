/**
 * @file Symmetric eigendecomposition `A = V·diag(λ)·Vᵀ`: Householder tridiagonalisation followed by
 * the implicit-shift QL algorithm (EISPACK `tred2`/`tql2`, after the JAMA transcription). Eigenvalues
 * come out in ascending order with orthonormal eigenvectors. Backward stable: the computed pair is
 * exact for some `A + E` with `‖E‖₂ = O(ε·‖A‖₂)`.
 *
 * Implementation note: the working matrix `W` holds the transpose of EISPACK's `V` (`W[j][k] = V[k][j]`),
 * so the inner loops of both phases, and the Givens rotations of the QL sweeps, run over contiguous
 * rows of a row-major array.
 */
import { assertFinite, ConvergenceError, ShapeError } from '../../core/errors.js';
import { assertSymmetric, maxAbsEntry, mulPow2, scalePow2, unitExponent } from './util.js';

/** Options of {@link eighDecompose}. */
export interface EighOptions {
  /** Compute eigenvectors (default `true`). Values only is about 3× faster. */
  vectors?: boolean;
  /**
   * Relative tolerance of the symmetry check `|A[i,j] − A[j,i]| ≤ tol·max|A|` (default 1e-10).
   * Pass `Infinity` to skip it (only the lower triangle is then read).
   */
  symmetryTol?: number;
  /** The public function named in error messages (default `'eighDecompose'`). */
  name?: string;
}

/** Eigenvalues (ascending) and, if requested, eigenvectors as the columns of row-major `vectors` (n×n). */
export interface EighResult {
  values: Float64Array;
  /** Row-major n×n with `A·V[:,j] = values[j]·V[:,j]` and `VᵀV = I`; `null` when `vectors: false`. */
  vectors: Float64Array | null;
}

/**
 * Eigendecomposition of a real symmetric row-major n×n matrix. Throws `ShapeError` on a size
 * mismatch, `NonFiniteError` on NaN/±Infinity, `NotSymmetricError` if A is not symmetric (within
 * `symmetryTol`), `ConvergenceError` if the QL iteration fails (30 iterations per eigenvalue, which
 * does not happen for finite input in practice).
 *
 * @example
 * const { values, vectors } = eighDecompose(Float64Array.of(2, 1, 1, 2), 2);
 * // values = [1, 3], vectors = [[−1/√2, 1/√2], [1/√2, 1/√2]] (up to column signs)
 */
export function eighDecompose(A: Float64Array, n: number, options: EighOptions = {}): EighResult {
  if (!Number.isInteger(n) || n < 0 || A.length !== n * n) {
    throw new ShapeError(`eighDecompose: A has ${A.length} entries, expected a square ${n}×${n} matrix`);
  }
  const fn = options.name ?? 'eighDecompose';
  assertFinite(A, `${fn}: A`);
  const tol = options.symmetryTol ?? 1e-10;
  const wantVectors = options.vectors ?? true;
  if (Number.isFinite(tol)) assertSymmetric(A, n, tol, fn);
  const scale = maxAbsEntry(A);
  if (n === 0) return { values: new Float64Array(0), vectors: wantVectors ? new Float64Array(0) : null };

  // W[j][k] = V[k][j] (EISPACK's V, which reads the lower triangle) = A[j][k] for k ≥ j, i.e. the
  // upper triangle of W is the lower triangle of A. Fill it from A's lower triangle.
  const W = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) W[j * n + i] = W[i * n + j] = A[i * n + j]!;
  // Work on 2^ex·A with max entry in [0.5, 2): exact, and keeps every intermediate far from
  // underflow/overflow (subnormal or huge input); the eigenvalues are scaled back at the end.
  const ex = unitExponent(scale);
  scalePow2(W, ex);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  tred2(W, n, d, e, wantVectors);
  tql2(W, n, d, e, wantVectors);
  for (let i = 0; i < n; i++) d[i] = mulPow2(d[i]!, -ex);

  if (!wantVectors) return { values: d, vectors: null };
  // W now holds Vᵀ (row j = eigenvector j): transpose into row-major V.
  const V = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const r = j * n;
    for (let k = 0; k < n; k++) V[k * n + j] = W[r + k]!;
  }
  return { values: d, vectors: V };
}

/**
 * Householder reduction to symmetric tridiagonal form (EISPACK tred2). On return `d` is the
 * diagonal, `e[1..n)` the subdiagonal (`e[0] = 0`) and, if `accumulate`, `W` = Vᵀ with V the
 * orthogonal transformation (`A = V·T·Vᵀ`).
 */
function tred2(W: Float64Array, n: number, d: Float64Array, e: Float64Array, accumulate: boolean): void {
  // V[a][b] ≡ W[b*n + a] throughout.
  for (let j = 0; j < n; j++) d[j] = W[j * n + n - 1]!; // V[n−1][j]
  for (let i = n - 1; i > 0; i--) {
    // Scale the row to avoid under/overflow.
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]!);
    if (scale === 0) {
      e[i] = d[i - 1]!;
      for (let j = 0; j < i; j++) {
        d[j] = W[j * n + i - 1]!; // V[i−1][j]
        W[j * n + i] = 0; // V[i][j]
        W[i * n + j] = 0; // V[j][i]
      }
    } else {
      // Householder vector u = d[0..i) (scaled), H = I − u·uᵀ/h.
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k]! * d[k]!;
      }
      let f = d[i - 1]!;
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      // p = A·u / h (stored in e), using the lower triangle of the active block
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        W[i * n + j] = f; // V[j][i]
        const wj = j * n;
        g = e[j]! + W[wj + j]! * f;
        for (let k = j + 1; k <= i - 1; k++) {
          const vkj = W[wj + k]!; // V[k][j]
          g += vkj * d[k]!;
          e[k] += vkj * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j]! * d[j]!;
      }
      // q = p − (uᵀp / 2h)·u;  A ← A − u·qᵀ − q·uᵀ
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j]!;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        g = e[j]!;
        const wj = j * n;
        for (let k = j; k <= i - 1; k++) W[wj + k] -= f * e[k]! + g * d[k]!;
        d[j] = W[wj + i - 1]!; // V[i−1][j]
        W[wj + i] = 0; // V[i][j]
      }
    }
    d[i] = h;
  }

  if (!accumulate) {
    // the tridiagonal's diagonal sits on the diagonal of the working matrix
    for (let j = 0; j < n; j++) d[j] = W[j * n + j]!;
    e[0] = 0;
    return;
  }
  // Accumulate the transformations.
  for (let i = 0; i < n - 1; i++) {
    W[i * n + n - 1] = W[i * n + i]!; // V[n−1][i] = V[i][i]
    W[i * n + i] = 1;
    const h = d[i + 1]!;
    const wi1 = (i + 1) * n; // row of W holding column i+1 of V
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = W[wi1 + k]! / h;
      for (let j = 0; j <= i; j++) {
        const wj = j * n;
        let g = 0;
        for (let k = 0; k <= i; k++) g += W[wi1 + k]! * W[wj + k]!;
        for (let k = 0; k <= i; k++) W[wj + k] -= g * d[k]!;
      }
    }
    for (let k = 0; k <= i; k++) W[wi1 + k] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = W[j * n + n - 1]!;
    W[j * n + n - 1] = 0;
  }
  W[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

/**
 * Off-diagonal entries below this are deflated whatever the local scale: the matrix has been scaled
 * to max|A| ≥ 1/2, so this is a backward perturbation of relative size < 1e−290, and it keeps the
 * iteration away from subnormal arithmetic (where it could stagnate).
 */
const NEGLIGIBLE = 1e-290;

/**
 * Implicit-shift QL iteration on the symmetric tridiagonal (d, e) (EISPACK tql2), with Wilkinson-like
 * shifts from the leading 2×2 block; rotations are applied to the rows of `W` (= Vᵀ) when
 * `vectors`. Eigenvalues are sorted ascending at the end, with their eigenvectors.
 */
function tql2(W: Float64Array, n: number, d: Float64Array, e: Float64Array, vectors: boolean): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i]!;
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = Number.EPSILON;
  const maxIter = 30;
  for (let l = 0; l < n; l++) {
    // Find a negligible subdiagonal element e[m].
    tst1 = Math.max(tst1, Math.abs(d[l]!) + Math.abs(e[l]!));
    let m = l;
    while (m < n - 1) {
      if (Math.abs(e[m]!) <= Math.max(eps * tst1, NEGLIGIBLE)) break;
      m++;
    }
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > maxIter) {
          throw new ConvergenceError(`eighDecompose: QL iteration did not converge for eigenvalue ${l} after ${maxIter} iterations`, {
            iterations: iter - 1,
            residualNorm: Math.abs(e[l]!),
            converged: false,
          });
        }
        // Shift from the leading 2×2 block.
        let g = d[l]!;
        let p = (d[l + 1]! - g) / (2 * e[l]!);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l]! / (p + r);
        d[l + 1] = e[l]! * (p + r);
        const dl1 = d[l + 1]!;
        let h = g - d[l]!;
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        // Implicit QL transformation: chase the bulge from m−1 up to l with Givens rotations.
        p = d[m]!;
        let c = 1, c2 = 1, c3 = 1;
        const el1 = e[l + 1]!;
        let s = 0, s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i]!;
          h = c * p;
          r = Math.hypot(p, e[i]!);
          e[i + 1] = s * r;
          s = e[i]! / r;
          c = p / r;
          p = c * d[i]! - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]!);
          if (vectors) {
            // columns i, i+1 of V = rows i, i+1 of W
            const wi = i * n, wi1 = wi + n;
            for (let k = 0; k < n; k++) {
              const t = W[wi1 + k]!;
              const u = W[wi + k]!;
              W[wi1 + k] = s * u + c * t;
              W[wi + k] = c * u - s * t;
            }
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]!) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]!) > Math.max(eps * tst1, NEGLIGIBLE));
    }
    d[l] = d[l]! + f;
    e[l] = 0;
  }
  // Selection sort, ascending (n swaps at most; vectors move with their values).
  for (let i = 0; i < n - 1; i++) {
    let k = i;
    let p = d[i]!;
    for (let j = i + 1; j < n; j++) {
      if (d[j]! < p) {
        k = j;
        p = d[j]!;
      }
    }
    if (k !== i) {
      d[k] = d[i]!;
      d[i] = p;
      if (vectors) {
        const wi = i * n, wk = k * n;
        for (let t = 0; t < n; t++) {
          const tmp = W[wi + t]!;
          W[wi + t] = W[wk + t]!;
          W[wk + t] = tmp;
        }
      }
    }
  }
}
