/**
 * @file Least squares `x = argmin ‖A·x − b‖₂` of the `linalg` namespace, returning
 * `{ x, residuals, rank, singularValues }` with x (and the residuals and singular values)
 * differentiable.
 *
 * Full column rank (m ≥ n, rank n): Householder QR in the primal, derivatives from the normal
 * equations AᵀA x = Aᵀb as a custom rule written with the differentiable `cholesky` and
 * triangular solves (so lstsq is differentiable to any order). With G = AᵀA = L Lᵀ and
 * r = b − A x, differentiating AᵀA x = Aᵀb gives
 *
 *   ẋ = G⁻¹(Ȧᵀ r + Aᵀ(ḃ − Ȧ x))                                        (forward)
 *
 * and, with y = G⁻¹ x̄ (G symmetric): ⟨x̄, ẋ⟩ = ⟨r yᵀ, Ȧ⟩ + ⟨A y, ḃ⟩ − ⟨A y xᵀ, Ȧ⟩, so
 *
 *   b̄ = A y,   Ā = r yᵀ − (A y) xᵀ                                     (reverse)
 *
 * (for a matrix right-hand side the matmuls sum over its k columns). Both rules are given; the
 * dot-product test checks they are transposes of each other.
 *
 * Rank deficient or underdetermined A (rank < n): the minimum-norm solution x = A⁺b, with the
 * SVD (σ_i ≤ rcond·σ_max dropped); under a transformation it is computed as `pinv(A)·b`, whose
 * derivative is valid while the numerical rank stays constant.
 */
import { assertFinite, SingularMatrixError } from '../core/errors.js';
import { checkOptions } from '../core/options.js';
import { ConcreteTensor, type Tensor } from '../core/tensor.js';
import { bindCustom, type CustomRule } from '../autodiff/trace.js';
import { qrFactor, qrR, qrSolve, type QRFactorization } from '../linalg/dense/qr.js';
import { svdDecompose } from '../linalg/dense/svd.js';
import { assertFiniteResult } from '../linalg/dense/util.js';
import { add, neg, square, sub } from './arithmetic.js';
import { matmul } from './matmul.js';
import { sum } from './reduce.js';
import { matrixTranspose } from './shape.js';
import { asRhsMatrix, cholesky, choleskySolveWith, sym } from './linalg.js';
import { applyPseudoInverse, countAbove, matrixDims, pinv, rankOf, rcondOf, svdvals } from './linalg_svd.js';

/** Full-column-rank rule; `f` is the QR factorization of the values of A (computed by the caller). */
function lstsqRule(f: QRFactorization): CustomRule {
  return {
    name: 'lstsq',
    primal: ([A, B]) => {
      const n = A!.shape[1]!;
      const k = B!.shape[1]!;
      return [new ConcreteTensor(qrSolve(f, B!.data, k), [n, k])];
    },
    // ẋ = G⁻¹(Ȧᵀ r + Aᵀ(ḃ − Ȧ x)), G = AᵀA = L Lᵀ, r = b − A x
    jvp: ([A, B], [dA, dB], [X]) => {
      if (!dA && !dB) return [null];
      const At = matrixTranspose(A!);
      let inner: Tensor | null = dB; // ḃ − Ȧ x
      let rhs: Tensor | null = null;
      if (dA) {
        const t = matmul(dA, X!);
        inner = inner ? sub(inner, t) : neg(t);
        rhs = matmul(matrixTranspose(dA), sub(B!, matmul(A!, X!)));
      }
      const u = matmul(At, inner!);
      rhs = rhs ? add(rhs, u) : u;
      return [choleskySolveWith(gramFactor(A!), rhs)];
    },
    // y = G⁻¹ x̄, b̄ = A y, Ā = r yᵀ − (A y) xᵀ
    vjp: ([A, B], [X], [ct]) => {
      if (!ct) return [null, null];
      const y = choleskySolveWith(gramFactor(A!), ct);
      const Ay = matmul(A!, y);
      const r = sub(B!, matmul(A!, X!));
      return [sub(matmul(r, matrixTranspose(y)), matmul(Ay, matrixTranspose(X!))), Ay];
    },
  };
}

/** Cholesky factor of the Gram matrix AᵀA (symmetrised, so rounding cannot break symmetry). */
function gramFactor(A: Tensor): Tensor {
  return cholesky(sym(matmul(matrixTranspose(A), A)));
}

/** Options of {@link lstsq}. */
export interface LstsqOptions {
  /** Relative cutoff: σ_i ≤ rcond·σ_max count as zero (default ε·max(m, n), as numpy). */
  rcond?: number;
}

/** Result of {@link lstsq}. */
export interface LstsqResult {
  /** Minimum-norm least-squares solution, `[n]` or `[n, k]` like b. Differentiable. */
  x: Tensor;
  /** Squared residual norms ‖b − A·x‖²: shape `[]` for a vector b, `[k]` for a matrix b. Differentiable. */
  residuals: Tensor;
  /** Numerical rank of A (number of σ_i > rcond·σ_max); an integer, not differentiated. */
  rank: number;
  /** Singular values of A, descending, `[min(m, n)]`. Differentiable (see `svdvals`). */
  singularValues: Tensor;
}

/**
 * Least squares `min ‖A·x − b‖₂` for any m×n A; among minimisers the one of least norm. `b` is
 * `[m]` or `[m, k]`. Full column rank: Householder QR, differentiable to any order (derivative via
 * the normal equations, `ẋ = (AᵀA)⁻¹(Ȧᵀr + Aᵀ(ḃ − Ȧx))`, r = b − Ax, whose accuracy degrades like
 * cond(A)²). Rank deficient or m < n: `x = A⁺b` by the SVD, differentiable while the numerical
 * rank is constant (see {@link pinv}).
 *
 * Throws `ShapeError` (A not 2-D, b does not match), `NonFiniteError`, `InvalidArgumentError`
 * (bad rcond), `SingularMatrixError` (the solution overflows).
 *
 * @example
 * // fit y = c0 + c1·t through (0, 1), (1, 3), (2, 5)
 * const { x, rank } = linalg.lstsq(tensor([[1, 0], [1, 1], [1, 2]]), tensor([1, 3, 5])); // x = [1, 2], rank 2
 */
export function lstsq(A: Tensor, b: Tensor, options: LstsqOptions = {}): LstsqResult {
  const fn = 'linalg.lstsq()';
  checkOptions(options, ['rcond'], fn);
  const [m, n] = matrixDims(A, fn);
  const { B, restore } = asRhsMatrix(b, m, A, fn);
  const rcond = rcondOf(options.rcond, m, n, fn);
  assertFinite(A.data, `${fn}: A`);
  assertFinite(b.data, `${fn}: b`);
  const K = Math.min(m, n);
  const k = B.shape[1]!;
  const traced = A.level > 0 || b.level > 0;
  let X: Tensor;
  let S: Float64Array;
  let rank: number;
  const f = m >= n && K > 0 ? qrFactor(A.data, m, n) : null;
  if (f) {
    // the singular values of R are those of A
    S = svdDecompose(qrR(f), n, n, { vectors: false }).S;
    rank = countAbove(S, rcond * S[0]!);
  } else {
    const r = K === 0 ? null : rankOf(A.data, m, n, rcond);
    S = r ? r.S : new Float64Array(0);
    rank = r ? r.rank : 0;
  }
  if (f && rank === n) {
    X = bindCustom(lstsqRule(f), [A, B])[0]!;
  } else if (traced) {
    X = matmul(pinv(A, { rcond }), B);
  } else if (K === 0) {
    X = new ConcreteTensor(new Float64Array(n * k), [n, k]);
  } else {
    const r = rankOf(A.data, m, n, rcond);
    X = new ConcreteTensor(applyPseudoInverse(r.U, r.S, r.V, m, n, B.data, k, r.rank), [n, k]);
  }
  assertFiniteResult(X.data, () => new SingularMatrixError(`${fn}: the solution overflows (rcond = ${rcond} keeps singular values that are too small)`));
  const x = restore(X, n);
  const residuals = b.ndim === 1 ? sum(square(sub(b, matmul(A, x)))) : sum(square(sub(b, matmul(A, x))), { axis: 0 });
  const singularValues = traced && A.level > 0 ? svdvals(A) : new ConcreteTensor(S, [K]);
  return { x, residuals, rank, singularValues };
}
