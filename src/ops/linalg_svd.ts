/**
 * @file The differentiable SVD family of the `linalg` namespace: `svd` (thin, `{ U, S, Vh }`),
 * `svdvals`, `pinv` (at constant rank) and `cond` (2-norm). Custom rules with a forward rule
 * written in differentiable ops (so second derivatives work); reverse mode is its transpose
 * (derived by the engine).
 *
 * SVD forward rule (A m×n, K = min(m, n), A = U·diag(s)·Vᵀ, V = Vhᵀ; as JAX's `svd_jvp_rule`):
 *
 *   P = Uᵀ Ȧ V  (K×K),      ṡ = diag(P)
 *   F_ij = 1/(s_j² − s_i²)  (i ≠ j, different clusters), 0 otherwise
 *   U̇ = U (F ∘ (P S + (P S)ᵀ)) [+ (I − U Uᵀ) Ȧ V S⁻¹   when m > K]
 *   V̇ = V (F ∘ (S P + (S P)ᵀ)) [+ (I − V Vᵀ) Ȧᵀ U S⁻¹  when n > K]
 *
 * (P S)_ij = P_ij s_j, (S P)_ij = s_i P_ij. Derivation: differentiate A = U S Vᵀ, multiply by Uᵀ
 * on the left and V on the right: P = UᵀU̇ S + Ṡ + S V̇ᵀV; UᵀU̇ and VᵀV̇ are antisymmetric, so the
 * diagonal gives ṡ and the off-diagonal 2×2 systems give the F terms.
 *
 * Gauge. Each pair (u_i, v_i) is determined up to a common sign; the rule differentiates the
 * pair the decomposition returned (UᵀU̇ and VᵀV̇ have zero diagonal). Differentiate functions that
 * do not depend on the signs (U·diag(g(s))·Vh, u_i v_iᵀ, |U_ij|, s itself), as for `eigh`.
 *
 * Repeated and zero singular values (policy, as `eigh`'s): singular values whose gaps are
 * ≤ `degenerateTol`·s_max form clusters, and F = 0 inside a cluster; singular values ≤
 * `degenerateTol`·s_max count as zero and their S⁻¹ entries as 0. Nothing is ever NaN or
 * infinite. This is exact for the singular values of simple clusters, for functions symmetric
 * within each cluster (Σ g(s_i), ‖A‖_*, ‖A‖_F) and for the vectors of simple non-zero singular
 * values; the vectors of a repeated or zero singular value are not unique and their derivative is
 * basis-dependent (a zero singular value of a rectangular A also drops the orthogonal-complement
 * term). ṡ of a zero singular value is `diag(UᵀȦV)`, one element of the Clarke gradient of s_i ≥ 0.
 *
 * pinv forward rule (valid while the rank stays constant; Golub & Pereyra 1973):
 *   Ṗ = −P Ȧ P + P Pᵀ Ȧᵀ (I − A P) + (I − P A) Ȧᵀ Pᵀ P,    P = A⁺.
 */
import { assertFinite, InvalidArgumentError, ShapeError, SingularMatrixError } from '../core/errors.js';
import { checkOptions } from '../core/options.js';
import { ConcreteTensor, formatShape, type Tensor } from '../core/tensor.js';
import { bindCustom, type CustomRule } from '../autodiff/trace.js';
import { gemm } from '../kernels/blas.js';
import { svdDecompose, type SvdOptions } from '../linalg/dense/svd.js';
import { assertFiniteResult } from '../linalg/dense/util.js';
import { add, div, mul, square, sub } from './arithmetic.js';
import { index } from './indexing.js';
import { where } from './logic.js';
import { matmul } from './matmul.js';
import { matrixTranspose, reshape } from './shape.js';
import { diag } from './structural.js';
import { clusters, gapInverse } from './linalg_eigh.js';

/** Options of {@link svd}, {@link svdvals} and {@link cond}. */
export interface SvdFamilyOptions {
  /** Algorithm: `'golub-kahan'` (default, fast) or `'jacobi'` (slower, high relative accuracy on graded matrices). */
  method?: SvdOptions['method'];
  /**
   * Relative gap (vs s_max) below which singular values count as equal, or as zero, in the
   * derivative (default 1e-10); see the file header.
   */
  degenerateTol?: number;
}

const SVD_OPTIONS = ['method', 'degenerateTol'] as const;

/** @internal Throws `ShapeError` unless `A` is 2-D; returns `[m, n]`. */
export function matrixDims(A: Tensor, fn: string): [number, number] {
  if (A.ndim !== 2) throw new ShapeError(`${fn}: A must be a 2-D matrix, got shape ${formatShape(A.shape)}`);
  return [A.shape[0]!, A.shape[1]!];
}

function svdOptions(options: SvdFamilyOptions, fn: string): { method: SvdOptions['method']; tol: number } {
  checkOptions(options, SVD_OPTIONS, fn);
  const method = options.method ?? 'golub-kahan';
  if (method !== 'golub-kahan' && method !== 'jacobi') {
    throw new InvalidArgumentError(`${fn}: method must be 'golub-kahan' or 'jacobi', got '${String(method)}'`);
  }
  const tol = options.degenerateTol ?? 1e-10;
  if (typeof tol !== 'number' || !(tol >= 0) || !Number.isFinite(tol)) {
    throw new InvalidArgumentError(`${fn}: degenerateTol must be finite and ≥ 0, got ${String(tol)}`);
  }
  return { method, tol };
}

/** 1/s_j where s_j > tol·s_max, else 0 (a constant mask, differentiable in s). */
function safeInverse(s: Tensor, tol: number): Tensor {
  const v = s.data;
  const K = v.length;
  const keep = new Float64Array(K);
  const cut = tol * (K > 0 ? v[0]! : 0);
  for (let i = 0; i < K; i++) keep[i] = v[i]! > cut ? 1 : 0;
  const mask = new ConcreteTensor(keep, [K]);
  return div(mask, where(mask, s, 1));
}

function svdRule(method: SvdOptions['method'], tol: number): CustomRule {
  return {
    name: 'svd',
    primal: ([A]) => {
      const [m, n] = A!.shape as [number, number];
      const K = Math.min(m, n);
      const r = svdDecompose(A!.data, m, n, { method });
      const Vh = new Float64Array(K * n);
      for (let j = 0; j < n; j++) for (let k = 0; k < K; k++) Vh[k * n + j] = r.V![j * K + k]!;
      return [new ConcreteTensor(r.U!, [m, K]), new ConcreteTensor(r.S, [K]), new ConcreteTensor(Vh, [K, n])];
    },
    jvp: ([A], [dA], [U, s, Vh]) => {
      if (!dA) return [null, null, null];
      const [m, n] = A!.shape as [number, number];
      const K = Math.min(m, n);
      const V = matrixTranspose(Vh!);
      const Ut = matrixTranspose(U!);
      const dAV = matmul(dA, V);
      const P = matmul(Ut, dAV);
      const ds = diag(P);
      const F = gapInverse(square(s!), clusters(s!.data, tol));
      const sRow = reshape(s!, [1, K]);
      const sCol = reshape(s!, [K, 1]);
      const PS = mul(P, sRow);
      const SP = mul(sCol, P);
      let dU = matmul(U!, mul(F, add(PS, matrixTranspose(PS))));
      let dV = matmul(V, mul(F, add(SP, matrixTranspose(SP))));
      const sInvRow = reshape(safeInverse(s!, tol), [1, K]);
      if (m > K) dU = add(dU, mul(sub(dAV, matmul(U!, P)), sInvRow));
      if (n > K) {
        const dAtU = matmul(matrixTranspose(dA), U!);
        dV = add(dV, mul(sub(dAtU, matmul(V, matmul(Vh!, dAtU))), sInvRow));
      }
      return [dU, ds, matrixTranspose(dV)];
    },
  };
}

/** Result of {@link svd}: `A = U·diag(S)·Vh`. */
export interface SvdResult {
  /** Left singular vectors, `[m, K]`, orthonormal columns (K = min(m, n)). */
  U: Tensor;
  /** Singular values, descending, `[K]`. */
  S: Tensor;
  /** Right singular vectors as rows, `[K, n]` (Vᵀ, as numpy's `vh`). */
  Vh: Tensor;
}

/**
 * Thin SVD `A = U·diag(S)·Vh` of any m×n matrix: U `[m, K]`, S `[K]` descending, Vh `[K, n]`,
 * K = min(m, n). Differentiable (forward and reverse, second order) at distinct non-zero
 * singular values; see the file header for the formulas, the sign gauge and the policy at
 * repeated or zero singular values (never NaN). Golub–Kahan by default, `method: 'jacobi'` for
 * graded matrices.
 *
 * Throws `ShapeError` (A not 2-D), `NonFiniteError`, `InvalidArgumentError` (bad options).
 *
 * @example
 * const { U, S, Vh } = linalg.svd(tensor([[3, 0], [0, -2]])); // S = [3, 2]
 * grad((A: Tensor) => sum(linalg.svd(A).S))(A);               // U·Vh (gradient of the nuclear norm)
 */
export function svd(A: Tensor, options: SvdFamilyOptions = {}): SvdResult {
  const fn = 'linalg.svd()';
  matrixDims(A, fn);
  const { method, tol } = svdOptions(options, fn);
  assertFinite(A.data, `${fn}: A`);
  const [U, S, Vh] = bindCustom(svdRule(method, tol), [A]);
  return { U: U!, S: S!, Vh: Vh! };
}

/**
 * Singular values of A, descending, shape `[min(m, n)]`. Differentiable (`ṡ = diag(UᵀȦV)`, with the
 * SVD rule, see {@link svd}); on concrete input it skips the singular vectors.
 *
 * @example
 * linalg.svdvals(tensor([[3, 0], [0, -4]])); // [4, 3]
 */
export function svdvals(A: Tensor, options: SvdFamilyOptions = {}): Tensor {
  const fn = 'linalg.svdvals()';
  const [m, n] = matrixDims(A, fn);
  const { method, tol } = svdOptions(options, fn);
  assertFinite(A.data, `${fn}: A`);
  if (A.level === 0) {
    const S = svdDecompose(A.data, m, n, { vectors: false, method }).S;
    return new ConcreteTensor(S, [S.length]);
  }
  return bindCustom(svdRule(method, tol), [A])[1]!;
}

/**
 * Exact 2-norm condition number `κ₂(A) = σ_max / σ_min` over the min(m, n) singular values, a
 * scalar tensor; `Infinity` when σ_min = 0. Differentiable where σ_max and σ_min are simple and
 * σ_min > 0 (`κ̇ = (ṡ_max − κ·ṡ_min)/σ_min`); at σ_min = 0 the derivative throws
 * `SingularMatrixError`. With Golub–Kahan, σ_min carries an absolute error O(ε·σ_max), so κ₂
 * beyond ~1/ε is only an order of magnitude; `method: 'jacobi'` is accurate for graded matrices.
 * For a cheap estimate see {@link condEstimate}.
 *
 * @example
 * linalg.cond(tensor([[2, 0], [0, 0.5]])).item(); // 4
 */
export function cond(A: Tensor, options: SvdFamilyOptions = {}): Tensor {
  const fn = 'linalg.cond()';
  const [m, n] = matrixDims(A, fn);
  if (m === 0 || n === 0) throw new ShapeError(`${fn}: A is empty (shape ${formatShape(A.shape)})`);
  const S = svdvals(A, options);
  const K = Math.min(m, n);
  if (S.data[K - 1] === 0) {
    if (A.level > 0) throw new SingularMatrixError(`${fn}: A is singular (σ_min = 0): the condition number is infinite and not differentiable`);
    return new ConcreteTensor(Float64Array.of(Infinity), []);
  }
  return div(index(S, 0), index(S, K - 1));
}

/** @internal Rank: the number of σ_i > cutoff. */
export function countAbove(S: Float64Array, cutoff: number): number {
  let r = 0;
  for (let i = 0; i < S.length; i++) if (S[i]! > cutoff) r++;
  return r;
}

/**
 * @internal `X = V[:, :rank]·Σ⁻¹·U[:, :rank]ᵀ·B` for a thin SVD (U m×K, V n×K row-major,
 * K = min(m, n)) and B m×k: the minimum-norm least-squares solution (shared with `lstsq`).
 */
export function applyPseudoInverse(
  U: Float64Array, S: Float64Array, V: Float64Array, m: number, n: number, B: Float64Array, k: number, rank: number,
): Float64Array {
  const K = S.length;
  const C = new Float64Array(K * k);
  gemm(true, false, K, k, m, 1, U, B, 0, C);
  for (let i = 0; i < K; i++) {
    const w = i < rank ? 1 / S[i]! : 0;
    for (let j = 0; j < k; j++) C[i * k + j] *= w;
  }
  const X = new Float64Array(n * k);
  gemm(false, false, n, k, K, 1, V, C, 0, X);
  return X;
}

/**
 * @internal Numerical rank of the values of A with the relative cutoff `rcond` (σ_i > rcond·σ_max),
 * and its thin SVD.
 */
export function rankOf(A: Float64Array, m: number, n: number, rcond: number): { rank: number; U: Float64Array; S: Float64Array; V: Float64Array } {
  const r = svdDecompose(A, m, n);
  return { rank: r.S.length === 0 ? 0 : countAbove(r.S, rcond * r.S[0]!), U: r.U!, S: r.S, V: r.V! };
}

/** @internal Validates an `rcond` option (default ε·max(m, n), as numpy). */
export function rcondOf(value: unknown, m: number, n: number, fn: string): number {
  if (value === undefined) return Number.EPSILON * Math.max(m, n);
  if (typeof value !== 'number' || !(value >= 0)) throw new InvalidArgumentError(`${fn}: rcond must be a number ≥ 0, got ${String(value)}`);
  return value;
}

function pinvRule(rcond: number, fn: string): CustomRule {
  return {
    name: 'pinv',
    primal: ([A]) => {
      const [m, n] = A!.shape as [number, number];
      if (Math.min(m, n) === 0) return [new ConcreteTensor(new Float64Array(n * m), [n, m])];
      const { rank, U, S, V } = rankOf(A!.data, m, n, rcond);
      const I = new Float64Array(m * m);
      for (let i = 0; i < m; i++) I[i * m + i] = 1;
      const P = applyPseudoInverse(U, S, V, m, n, I, m, rank);
      assertFiniteResult(P, () => new SingularMatrixError(`${fn}: the pseudo-inverse overflows (rcond = ${rcond} keeps singular values that are too small)`));
      return [new ConcreteTensor(P, [n, m])];
    },
    // Ṗ = −P Ȧ P + P Pᵀ Ȧᵀ (I − A P) + (I − P A) Ȧᵀ Pᵀ P
    jvp: ([A], [dA], [P]) => {
      if (!dA) return [null];
      const dAt = matrixTranspose(dA);
      const Pt = matrixTranspose(P!);
      const t1 = matmul(matmul(P!, dA), P!);
      const t2 = matmul(matmul(P!, Pt), sub(dAt, matmul(matmul(dAt, A!), P!)));
      const t3 = matmul(sub(dAt, matmul(matmul(P!, A!), dAt)), matmul(Pt, P!));
      return [add(sub(t2, t1), t3)];
    },
  };
}

/**
 * Moore–Penrose pseudo-inverse `A⁺ = V·Σ⁺·Uᵀ` (shape `[n, m]`), dropping σ_i ≤ rcond·σ_max
 * (default rcond = ε·max(m, n)). Differentiable where the numerical rank is locally constant
 * (Golub–Pereyra formula, file header); it is discontinuous where the rank changes. Throws
 * `SingularMatrixError` when 1/σ overflows.
 *
 * @example
 * linalg.pinv(tensor([[1, 0], [0, 0]])); // [[1, 0], [0, 0]]
 */
export function pinv(A: Tensor, options: { rcond?: number } = {}): Tensor {
  const fn = 'linalg.pinv()';
  checkOptions(options, ['rcond'], fn);
  const [m, n] = matrixDims(A, fn);
  const rcond = rcondOf(options.rcond, m, n, fn);
  assertFinite(A.data, `${fn}: A`);
  return bindCustom(pinvRule(rcond, fn), [A])[0]!;
}
