/**
 * @file `linalg.qr`: Householder QR as tensors, differentiable in the reduced mode of a matrix with
 * full column rank (m ≥ n), as a custom forward rule written with differentiable ops (reverse
 * mode is its transpose; second order works). With X = Ȧ R⁻¹, C = Qᵀ X and Ω = L − Lᵀ for the
 * strictly lower triangle L of C (so QᵀQ̇ = Ω is antisymmetric and Ṙ upper triangular):
 *
 *   Q̇ = Q (Ω − C) + X,     Ṙ = (C − Ω) R.
 *
 * Derivation: Ȧ = Q̇R + QṘ, so QᵀȦR⁻¹ = QᵀQ̇ + ṘR⁻¹ = C; QᵀQ̇ is antisymmetric and ṘR⁻¹ upper
 * triangular, so the strictly lower part of C fixes QᵀQ̇ = Ω, and Q̇ = QΩ + (I − QQᵀ)X. The
 * result is independent of the sign convention of R's diagonal (it is locally constant).
 * The complete mode (Q m×m is not determined by A beyond its first n columns) and wide matrices
 * (m < n) are not differentiated: a traced A throws `ConcretizationError` there.
 */
import { assertFinite, InvalidArgumentError, SingularMatrixError } from '../core/errors.js';
import { checkOptions } from '../core/options.js';
import { concreteData, ConcreteTensor, type Tensor } from '../core/tensor.js';
import { bindCustom, type CustomRule } from '../autodiff/trace.js';
import { qrFactor, qrQ, qrR, type QRMode } from '../linalg/dense/qr.js';
import { add, mul, sub } from './arithmetic.js';
import { matmul } from './matmul.js';
import { matrixTranspose } from './shape.js';
import { triangleMask, triangularSolve } from './linalg.js';
import { matrixDims } from './linalg_svd.js';

/** Result of {@link qr}: `A = Q·R`. */
export interface QrResult {
  /** Orthonormal columns: `[m, K]` (reduced, K = min(m, n)) or `[m, m]` (complete). */
  Q: Tensor;
  /** Upper triangular: `[K, n]` (reduced) or `[m, n]` (complete). */
  R: Tensor;
}

function qrRule(mode: QRMode): CustomRule {
  return {
    name: 'qr',
    primal: ([A]) => {
      const [m, n] = A!.shape as [number, number];
      const f = qrFactor(A!.data, m, n);
      const K = mode === 'complete' ? m : Math.min(m, n);
      return [new ConcreteTensor(qrQ(f, mode), [m, K]), new ConcreteTensor(qrR(f, mode), [K, n])];
    },
    // X = Ȧ R⁻¹, C = QᵀX, Ω = L − Lᵀ (L = strictly lower C): Q̇ = Q(Ω − C) + X, Ṙ = (C − Ω)R
    jvp: (_, [dA], [Q, R]) => {
      if (!dA) return [null, null];
      const [m, n] = dA.shape as [number, number];
      const r = R!.data;
      // numerical rank deficiency: |R_ii| ≤ ε·max(m, n)·max|R| (R⁻¹ would carry no correct digit)
      let rmax = 0;
      for (let i = 0; i < r.length; i++) rmax = Math.max(rmax, Math.abs(r[i]!));
      for (let i = 0; i < n; i++) {
        if (!(Math.abs(r[i * n + i]!) > Number.EPSILON * Math.max(m, n) * rmax)) {
          throw new SingularMatrixError(`linalg.qr(): A is (numerically) rank deficient (R[${i},${i}] = ${r[i * n + i]}): the derivative of its QR factorization is not defined`);
        }
      }
      const X = matrixTranspose(triangularSolve(R!, matrixTranspose(dA), { lower: false, transpose: true }));
      const C = matmul(matrixTranspose(Q!), X);
      const L = mul(C, triangleMask(n, true, 0));
      const Omega = sub(L, matrixTranspose(L));
      return [add(matmul(Q!, sub(Omega, C)), X), matmul(sub(C, Omega), R!)];
    },
  };
}

/**
 * Householder QR: `'reduced'` (default) gives Q `[m, K]`, R `[K, n]` with K = min(m, n);
 * `'complete'` gives Q `[m, m]` orthogonal and R `[m, n]`. Differentiable (to any order) in the
 * reduced mode for m ≥ n and full column rank (formula in the file header); the complete mode and
 * m < n refuse traced input with `ConcretizationError`.
 *
 * @example
 * const { Q, R } = linalg.qr(tensor([[3], [4]])); // Q = [[−0.6], [−0.8]], R = [[−5]]
 * grad((A: Tensor) => sum(linalg.qr(A).R))(A);     // differentiable for tall full-rank A
 */
export function qr(A: Tensor, options: { mode?: QRMode } = {}): QrResult {
  const fn = 'linalg.qr()';
  checkOptions(options, ['mode'], fn);
  const [m, n] = matrixDims(A, fn);
  const mode = options.mode ?? 'reduced';
  if (mode !== 'reduced' && mode !== 'complete') {
    throw new InvalidArgumentError(`${fn}: mode must be 'reduced' or 'complete', got '${String(mode)}'`);
  }
  if (mode === 'complete' || m < n) {
    concreteData(A, `${fn} (argument A, ${mode === 'complete' ? "mode 'complete'" : 'a wide matrix, m < n'})`, "linalg.qr in 'reduced' mode of a tall matrix, or linalg.lstsq");
  }
  assertFinite(A.data, `${fn}: A`);
  const [Q, R] = bindCustom(qrRule(mode), [A]);
  return { Q: Q!, R: R! };
}
