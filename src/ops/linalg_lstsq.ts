/**
 * @file Differentiable full-rank least squares `x = argmin ‖A·x − b‖₂` (A m×n, m ≥ n, rank n),
 * as a custom rule: Householder QR in the primal, derivatives from the normal equations
 * AᵀA x = Aᵀb, written with the differentiable `cholesky` and triangular solves (so lstsq is
 * differentiable to any order).
 *
 * With G = AᵀA = L Lᵀ and r = b − A x, differentiating AᵀA x = Aᵀb gives
 *
 *   ẋ = G⁻¹(Ȧᵀ r + Aᵀ(ḃ − Ȧ x))                                        (forward)
 *
 * and, with y = G⁻¹ x̄ (G symmetric): ⟨x̄, ẋ⟩ = ⟨r yᵀ, Ȧ⟩ + ⟨A y, ḃ⟩ − ⟨A y xᵀ, Ȧ⟩, so
 *
 *   b̄ = A y,   Ā = r yᵀ − (A y) xᵀ                                     (reverse)
 *
 * (for a matrix right-hand side the matmuls sum over its k columns). Both rules are given; the
 * dot-product test checks they are transposes of each other. Rank-deficient A has no unique
 * least-squares solution (and no derivative): it throws, pointing to the pseudo-inverse.
 */
import { assertFinite, InvalidArgumentError, ShapeError, SingularMatrixError } from '../core/errors.js';
import { ConcreteTensor, formatShape, type Tensor } from '../core/tensor.js';
import { bindCustom, type CustomRule } from '../autodiff/trace.js';
import { qrFactor, qrR, qrSolve } from '../linalg/dense/qr.js';
import { svdDecompose } from '../linalg/dense/svd.js';
import { add, neg, sub } from './arithmetic.js';
import { matmul } from './matmul.js';
import { matrixTranspose } from './shape.js';
import { asRhsMatrix, cholesky, choleskySolveWith, sym } from './linalg.js';

/** Options of {@link lstsq}. */
export interface LstsqOptions {
  /**
   * A counts as rank deficient when σ_min(A) ≤ rcond·σ_max(A) (default ε·max(m, n), as numpy).
   */
  rcond?: number;
}

function lstsqRule(rcond: number): CustomRule {
  return {
    name: 'lstsq',
    primal: ([A, B]) => {
      const [m, n] = A!.shape as [number, number];
      const k = B!.shape[1]!;
      assertFinite(A!.data, 'lstsq: A');
      assertFinite(B!.data, 'lstsq: b');
      const f = qrFactor(A!.data, m, n);
      if (n > 0) {
        // singular values of R are those of A
        const S = svdDecompose(qrR(f), n, n, { vectors: false }).S;
        let rank = 0;
        for (let i = 0; i < n; i++) if (S[i]! > rcond * S[0]!) rank++;
        if (rank < n) {
          throw new SingularMatrixError(
            `lstsq: A (${m}×${n}) is rank deficient (numerical rank ${rank} < ${n}, σ_min/σ_max = ${(S[n - 1]! / S[0]!).toExponential(3)}): ` +
              'the least-squares solution is not unique and not differentiable; use the pseudo-inverse (pinv) for the minimum-norm solution',
          );
        }
      }
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

/**
 * Least squares `x = argmin ‖A·x − b‖₂` for A `[m, n]` with m ≥ n and full column rank; `b` is
 * `[m]` or `[m, k]` and x is `[n]` or `[n, k]`. Solved by Householder QR; differentiable in A and
 * b to any order (derivative via the normal equations,
 * `ẋ = (AᵀA)⁻¹(Ȧᵀr + Aᵀ(ḃ − Ȧx))`, r = b − Ax; note that the derivative's accuracy degrades
 * like cond(A)², as for the normal equations).
 *
 * Throws `ShapeError` (A not 2-D, m < n, b does not match), `NonFiniteError`, and
 * `SingularMatrixError` when A is numerically rank deficient (use the pseudo-inverse `pinv`).
 *
 * @example
 * // fit y = c0 + c1·t through (0, 1), (1, 3), (2, 5)
 * lstsq(tensor([[1, 0], [1, 1], [1, 2]]), tensor([1, 3, 5])); // [1, 2]
 */
export function lstsq(A: Tensor, b: Tensor, options: LstsqOptions = {}): Tensor {
  if (A.ndim !== 2) throw new ShapeError(`lstsq: A must be a 2-D matrix, got shape ${formatShape(A.shape)}`);
  const [m, n] = A.shape as [number, number];
  if (m < n) {
    throw new ShapeError(`lstsq: needs m ≥ n (full column rank), got A of shape ${formatShape(A.shape)}; for an underdetermined system use the pseudo-inverse (pinv)`);
  }
  const { B, restore } = asRhsMatrix(b, m, A, 'lstsq');
  const rcond = options.rcond ?? Number.EPSILON * Math.max(m, n);
  if (!(rcond >= 0)) throw new InvalidArgumentError(`lstsq: rcond must be ≥ 0, got ${rcond}`);
  const [x] = bindCustom(lstsqRule(rcond), [A, B]);
  return restore(x!, n);
}
