/**
 * @file Differentiable symmetric eigendecomposition `A = V·diag(λ)·Vᵀ` (λ ascending), as a
 * two-output custom rule with explicit forward and reverse rules, both written with
 * differentiable ops (so eigh is differentiable to any order away from degeneracies).
 *
 * With Ṡ = sym(Ȧ) (the derivative treats A as symmetric) and M = Vᵀ Ṡ V:
 *
 *   λ̇ = diag(M)                      (first-order perturbation: λ̇_j = v_jᵀ Ṡ v_j)
 *   V̇ = V (F ∘ M),   F_ij = 1/(λ_j − λ_i) for i ≠ j, F_ii = 0
 *                                    (v̇_j = Σ_{i≠j} v_i (v_iᵀ Ṡ v_j)/(λ_j − λ_i))
 *   Ā = sym(V (diag(λ̄) + F ∘ (Vᵀ V̄)) Vᵀ)
 *
 * The VJP follows from ⟨V̄, V(F∘M)⟩ = ⟨F∘(VᵀV̄), VᵀṠV⟩ = ⟨V(F∘VᵀV̄)Vᵀ, Ṡ⟩ and
 * ⟨λ̄, diag(VᵀṠV)⟩ = ⟨V diag(λ̄) Vᵀ, Ṡ⟩, then sym is self-adjoint. F is built from the traced
 * eigenvalues, so second derivatives include the variation of the gaps.
 *
 * Degenerate eigenvalues (policy). Eigenvalues are grouped into clusters of consecutive values
 * whose gaps are ≤ `degenerateTol`·max|λ| (default 1e-10; the computed eigenvalues of an exactly
 * repeated eigenvalue differ by O(ε‖A‖), so an exact-equality test would not catch them). Within
 * a cluster F_ij = 0 (the diag(M) and diag(λ̄) terms are kept). Nothing is ever NaN or infinite.
 * This gives
 * - the exact derivative of functions symmetric in the eigenvalues of each cluster, e.g. spectral
 *   functions Σ g(λ_i) (gradient V·diag(g'(λ))·Vᵀ), of eigenvectors of simple eigenvalues, and of
 *   the spectral projector V_c·V_cᵀ of a whole cluster;
 * - for one eigenvalue of a repeated one (λ_min of a double eigenvalue, say), where the function
 *   is not differentiable: v·vᵀ for one unit vector v of the eigenspace, an element of the Clarke
 *   generalized gradient;
 * - a basis-dependent, inexact value for functions of individual eigenvectors of a cluster (not
 *   unique) and for matrix functions V·g(Λ)·Vᵀ with g' ≠ 0 at a repeated eigenvalue (the
 *   Daleckii–Krein divided difference, g'(λ) within the cluster, is replaced by 0: at exact
 *   degeneracy it cannot be recovered from VᵀV̄, whose in-cluster part is a 0/0 limit). Compute
 *   such matrix functions another way, or use onDegenerate: 'throw' to be told.
 *
 * With `onDegenerate: 'throw'` an `InvertibilityError` is raised whenever the result might be of
 * the last kind (conservative: cluster projectors are refused too). Reverse mode: λ̄ is not
 * constant on a cluster, or VᵀV̄ has a non-zero entry (i, j), i ≠ j, inside a cluster. Forward
 * mode: VᵀṠV has a non-zero entry inside a cluster (the perturbation splits the cluster; both
 * tangents are computed, so this throws even when only the eigenvalues are used downstream).
 * "Non-zero" means above √ε times the largest entry.
 */
import { assertFinite, InvalidArgumentError, InvertibilityError } from '../core/errors.js';
import { checkOptions } from '../core/options.js';
import { ConcreteTensor, type Tensor } from '../core/tensor.js';
import { bindCustom, type CustomRule } from '../autodiff/trace.js';
import { eighDecompose } from '../linalg/dense/eigh.js';
import { add, div, mul, sub } from './arithmetic.js';
import { where } from './logic.js';
import { matmul } from './matmul.js';
import { matrixTranspose, reshape } from './shape.js';
import { diag } from './structural.js';
import { squareOrder, sym } from './linalg.js';

/** Options of {@link eigh}. */
export interface EighOptions {
  /**
   * Relative gap below which two eigenvalues count as equal in the derivative:
   * |λ_i − λ_j| ≤ degenerateTol·max|λ| (default 1e-10; 0 = exact equality only).
   */
  degenerateTol?: number;
  /**
   * `'zero'` (default): F_ij = 0 within a cluster of (nearly) equal eigenvalues — exact for
   * functions symmetric within each eigenspace (Σ g(λ_i), cluster projectors), see the file
   * header for the other cases. `'throw'`: `InvertibilityError` when the derivative could depend
   * on the arbitrary eigenvector basis of a cluster (conservative).
   */
  onDegenerate?: 'zero' | 'throw';
}

/** Relative size (vs the largest entry) above which an entry counts as non-zero in the 'throw' checks. */
const NONZERO_REL = Math.sqrt(Number.EPSILON);

/**
 * @internal Cluster index of each value of a sorted (ascending or descending) list: consecutive
 * gaps ≤ tol·max|λ| chain together. Shared with the SVD rule (`linalg_svd.ts`).
 */
export function clusters(lam: Float64Array, tol: number): Int32Array {
  const n = lam.length;
  const c = new Int32Array(n);
  if (n === 0) return c;
  const scale = Math.max(Math.abs(lam[0]!), Math.abs(lam[n - 1]!));
  for (let i = 1; i < n; i++) c[i] = Math.abs(lam[i]! - lam[i - 1]!) <= tol * scale ? c[i - 1]! : c[i - 1]! + 1;
  return c;
}

/** @internal F_ij = 1/(λ_j − λ_i) across clusters, 0 within a cluster (and on the diagonal); differentiable in λ. */
export function gapInverse(lam: Tensor, c: Int32Array): Tensor {
  const n = c.length;
  const keep = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) keep[i * n + j] = c[i] !== c[j] ? 1 : 0;
  const K = new ConcreteTensor(keep, [n, n]);
  const D = sub(reshape(lam, [1, n]), reshape(lam, [n, 1])); // D_ij = λ_j − λ_i
  return div(K, where(K, D, 1));
}

function maxAbs(x: Float64Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]!));
  return m;
}

function degenerateError(i: number, j: number, lam: Float64Array, what: string): InvertibilityError {
  return new InvertibilityError(
    `linalg.eigh(): the derivative is not defined at a repeated eigenvalue: eigenvalues ${i} and ${j} are (nearly) equal ` +
      `(${lam[i]} and ${lam[j]}) and ${what}; differentiate a function that is symmetric within each eigenspace, ` +
      `or pass onDegenerate: 'zero' to accept a basis-dependent value`,
    { pair: [i, j], eigenvalues: [lam[i], lam[j]], gap: lam[j]! - lam[i]! },
  );
}

/** 'throw' policy: some entry (i, j), i ≠ j, of G inside a cluster is above the noise level. */
function checkClusterOffDiagonal(G: Tensor, c: Int32Array, lam: Float64Array, what: string): void {
  const n = c.length;
  const g = G.data;
  const bound = NONZERO_REL * maxAbs(g);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n && c[j] === c[i]; j++) {
      const v = Math.max(Math.abs(g[i * n + j]!), Math.abs(g[j * n + i]!));
      if (v > bound && v > 0) throw degenerateError(i, j, lam, what);
    }
  }
}

/** 'throw' policy: λ̄ is not constant (up to noise) on some cluster. */
function checkClusterConstant(lamBar: Tensor, c: Int32Array, lam: Float64Array): void {
  const l = lamBar.data;
  const bound = NONZERO_REL * maxAbs(l);
  for (let i = 1; i < c.length; i++) {
    if (c[i] === c[i - 1] && Math.abs(l[i]! - l[i - 1]!) > bound) throw degenerateError(i - 1, i, lam, 'their cotangents differ');
  }
}

function eighRule(tol: number, policy: 'zero' | 'throw', fn: string): CustomRule {
  return {
    name: 'eigh',
    primal: ([A]) => {
      const n = A!.shape[0]!;
      const { values, vectors } = eighDecompose(A!.data, n, { name: fn });
      return [new ConcreteTensor(values, [n]), new ConcreteTensor(vectors!, [n, n])];
    },
    // λ̇ = diag(M), V̇ = V (F ∘ M), M = Vᵀ sym(Ȧ) V
    jvp: (_, [dA], [lam, V]) => {
      if (!dA) return [null, null];
      const c = clusters(lam!.data, tol);
      const M = matmul(matmul(matrixTranspose(V!), sym(dA)), V!);
      if (policy === 'throw') checkClusterOffDiagonal(M, c, lam!.data, 'the perturbation splits them');
      return [diag(M), matmul(V!, mul(gapInverse(lam!, c), M))];
    },
    // Ā = sym(V (diag(λ̄) + F ∘ (Vᵀ V̄)) Vᵀ)
    vjp: (_, [lam, V], [lamBar, VBar]) => {
      const c = clusters(lam!.data, tol);
      if (lamBar && policy === 'throw') checkClusterConstant(lamBar, c, lam!.data);
      let inner: Tensor | null = lamBar ? diag(lamBar) : null;
      if (VBar) {
        const G = matmul(matrixTranspose(V!), VBar);
        if (policy === 'throw') checkClusterOffDiagonal(G, c, lam!.data, 'the eigenvector cotangent mixes them');
        const t = mul(gapInverse(lam!, c), G);
        inner = inner ? add(inner, t) : t;
      }
      return [inner ? sym(matmul(matmul(V!, inner), matrixTranspose(V!))) : null];
    },
  };
}

/** Result of {@link eigh}: `A = V·diag(λ)·Vᵀ`. */
export interface EighResult {
  /** Eigenvalues λ, ascending, shape `[n]`. */
  eigenvalues: Tensor;
  /** Orthonormal eigenvectors V in the columns, shape `[n, n]`. */
  eigenvectors: Tensor;
}

const EIGH_OPTIONS = ['degenerateTol', 'onDegenerate'] as const;

function eighPolicy(options: EighOptions, fn: string): { tol: number; policy: 'zero' | 'throw' } {
  checkOptions(options, EIGH_OPTIONS, fn);
  const tol = options.degenerateTol ?? 1e-10;
  if (typeof tol !== 'number' || !(tol >= 0) || !Number.isFinite(tol)) throw new InvalidArgumentError(`${fn}: degenerateTol must be finite and ≥ 0, got ${String(tol)}`);
  const policy = options.onDegenerate ?? 'zero';
  if (policy !== 'zero' && policy !== 'throw') {
    throw new InvalidArgumentError(`${fn}: onDegenerate must be 'zero' or 'throw', got '${String(policy)}'`);
  }
  return { tol, policy };
}

/**
 * Symmetric eigendecomposition, differentiable: `{ eigenvalues, eigenvectors }` with the
 * eigenvalues ascending (shape `[n]`) and orthonormal eigenvectors in the columns of
 * `eigenvectors` (`[n, n]`), `A = V·diag(λ)·Vᵀ`. Eigenvector signs are arbitrary (as in every
 * eigensolver): differentiate sign-invariant functions of V (products v_i v_iᵀ, |V_ij|², V·g(Λ)·Vᵀ, …).
 *
 * Derivatives (A treated as symmetric, Ṡ = sym(Ȧ)): `λ̇ = diag(VᵀṠV)`, `V̇ = V(F∘(VᵀṠV))` with
 * `F_ij = 1/(λ_j − λ_i)`; reverse mode `Ā = sym(V(diag(λ̄) + F∘(VᵀV̄))Vᵀ)`. Repeated eigenvalues:
 * see {@link EighOptions} and the file header (default: F = 0 within a cluster of equal
 * eigenvalues — exact for spectral functions Σg(λ_i), cluster projectors and eigenvectors of
 * simple eigenvalues, never NaN; `onDegenerate: 'throw'` refuses the other cases).
 *
 * Throws `ShapeError` (not square), `NonFiniteError`, `NotSymmetricError` (A not symmetric
 * within 1e-10·max|A|), `InvalidArgumentError` (bad options).
 *
 * @example
 * const { eigenvalues, eigenvectors } = linalg.eigh(tensor([[2, 1], [1, 2]])); // eigenvalues = [1, 3]
 * grad((A: Tensor) => sum(square(linalg.eigh(A).eigenvalues)))(A);              // 2A   (Σλ² = ‖A‖_F²)
 */
export function eigh(A: Tensor, options: EighOptions = {}): EighResult {
  const fn = 'linalg.eigh()';
  squareOrder(A, fn);
  const { tol, policy } = eighPolicy(options, fn);
  assertFinite(A.data, `${fn}: A`);
  const [eigenvalues, eigenvectors] = bindCustom(eighRule(tol, policy, fn), [A]);
  return { eigenvalues: eigenvalues!, eigenvectors: eigenvectors! };
}

/**
 * Eigenvalues of a symmetric matrix, ascending, shape `[n]`. Differentiable with the rule of
 * {@link eigh} (`λ̇ = diag(VᵀṠV)`, exact for every function symmetric within clusters of equal
 * eigenvalues, e.g. Σg(λ_i), ‖·‖, λ_max of a simple λ_max); on concrete input it skips the
 * eigenvectors (about 3× cheaper).
 *
 * @example
 * linalg.eigvalsh(tensor([[2, 1], [1, 3]]));                       // [(5 − √5)/2, (5 + √5)/2]
 * grad((A: Tensor) => sum(linalg.eigvalsh(A)))(tensor([[2, 1], [1, 3]])); // I (the trace)
 */
export function eigvalsh(A: Tensor, options: EighOptions = {}): Tensor {
  const fn = 'linalg.eigvalsh()';
  const n = squareOrder(A, fn);
  const { tol, policy } = eighPolicy(options, fn);
  assertFinite(A.data, `${fn}: A`);
  if (A.level === 0) return new ConcreteTensor(eighDecompose(A.data, n, { vectors: false, name: fn }).values, [n]);
  return bindCustom(eighRule(tol, policy, fn), [A])[0]!;
}
