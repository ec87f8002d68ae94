/**
 * @file The per-model part of the Lasso-type hypergradients (as sparse-ho's "models"): each model
 * says what its penalties are and what its restricted optimality conditions F(β_S, θ) = 0 look like
 * on the support — the system matrix M = ∂F/∂β_S is described by the `SupportSystem` (weights w,
 * ridge λ₂, intercept column) and the right-hand-side columns c_k = ∂F/∂θ_k by `rhs`. ONE generic
 * mechanism does the rest for every model (hypergrad.ts): the adjoint solve M v = −g (Cholesky of
 * src/linalg/dense or CG of src/linalg/iterative), the Jacobian solve M J = −C ('implicit-forward',
 * hypergrad_jacobian.ts), the invertibility diagnostics (pivots of M_E) and the failure policy
 * (src/implicit/failure.ts, shared with customRoot), and the contraction dC/dθ_k = c_kᵀ v.
 *
 * | model | θ | M | c_k |
 * |---|---|---|---|
 * | lasso | log λ | X_c,SᵀX_c,S/n | λ s |
 * | enet | (log λ₁, log λ₂) | X_c,SᵀX_c,S/n + λ₂I | λ₁ s, λ₂ β_S |
 * | wlasso | log λ_j, j = 1..p | X_c,SᵀX_c,S/n | λ_j s_j e_j for j ∈ S (θ_j off S: 0) |
 * | logreg | log λ | X̃_Sᵀ diag(σ(1−σ)) X̃_S/n, X̃_S = [X_S 1] | λ [s; 0] |
 */
import type { InnerSolution, SparseModelKind } from './hypergrad_types.js';

/**
 * Right-hand-side columns c_k on the support and the hyperparameter index of each column: dense
 * (`C`, m × q row-major) or, for the weighted Lasso, diagonal (`diag`: c_k = diag_k e_k, q = |S|),
 * so that the adjoint contraction stays O(|S|) instead of O(|S|²).
 */
export interface SupportRhs {
  readonly C: Float64Array | null;
  readonly diag: Float64Array | null;
  readonly keys: Int32Array;
  readonly q: number;
}

/** The dense m × q matrix of right-hand sides (materialises a diagonal one). */
export function rhsMatrix(rhs: SupportRhs, m: number): Float64Array {
  if (rhs.C !== null) return rhs.C;
  const { q, diag } = rhs;
  const C = new Float64Array(m * q);
  for (let t = 0; t < q; t++) C[t * q + t] = diag![t]!;
  return C;
}

/** What a model contributes to the generic hypergradient machinery. */
export interface SupportModel {
  readonly kind: SparseModelKind;
  /** Per-feature L1 penalties l_j and ridge λ₂ of a hyperparameter vector (p features). */
  penalties(lam: Float64Array, p: number): { l1: Float64Array; l2: number };
  /** c_k = ∂F/∂θ_k on the support of `sol` (signs `sign`), m = |S| (+1 for an intercept row, left 0). */
  rhs(sol: InnerSolution, sign: Float64Array, m: number): SupportRhs;
}

const uniform = (lam: Float64Array, p: number, l2: number): { l1: Float64Array; l2: number } => ({ l1: new Float64Array(p).fill(lam[0]!), l2 });

/** c = λ s (one column): the Lasso and the logistic model. */
function signColumn(sol: InnerSolution, sign: Float64Array, m: number): SupportRhs {
  const C = new Float64Array(m);
  const l = sol.lambdas[0]!;
  for (let t = 0; t < sign.length; t++) C[t] = l * sign[t]!;
  return { C, diag: null, keys: Int32Array.of(0), q: 1 };
}

/** The four models (see the file header). */
export const SUPPORT_MODELS: Readonly<Record<SparseModelKind, SupportModel>> = {
  lasso: { kind: 'lasso', penalties: (lam, p) => uniform(lam, p, 0), rhs: signColumn },
  logreg: { kind: 'logreg', penalties: (lam, p) => uniform(lam, p, 0), rhs: signColumn },
  enet: {
    kind: 'enet',
    penalties: (lam, p) => uniform(lam, p, lam[1]!),
    rhs(sol, sign, m) {
      const S = sol.support;
      const C = new Float64Array(m * 2);
      for (let t = 0; t < S.length; t++) {
        C[t * 2] = sol.lambdas[0]! * sign[t]!;
        C[t * 2 + 1] = sol.lambdas[1]! * sol.beta[S[t]!]!;
      }
      return { C, diag: null, keys: Int32Array.of(0, 1), q: 2 };
    },
  },
  wlasso: {
    kind: 'wlasso',
    penalties: (lam) => ({ l1: lam, l2: 0 }),
    rhs(sol, sign) {
      const S = sol.support;
      const diag = new Float64Array(S.length);
      for (let t = 0; t < S.length; t++) diag[t] = sol.lambdas[S[t]!]! * sign[t]!;
      return { C: null, diag, keys: Int32Array.from(S), q: S.length };
    },
  },
};

/** dC/dθ_{keys[k]} = c_kᵀ v for the adjoint v of M v = −g (entries of `grad` not keyed stay 0). */
export function contractAdjoint(rhs: SupportRhs, v: Float64Array, grad: Float64Array): void {
  const { C, diag, keys, q } = rhs;
  if (C === null) {
    for (let k = 0; k < q; k++) grad[keys[k]!] = diag![k]! * v[k]!;
    return;
  }
  const m = C.length / Math.max(q, 1);
  for (let k = 0; k < q; k++) {
    let acc = 0;
    for (let t = 0; t < m; t++) {
      const c = C[t * q + k]!;
      if (c !== 0) acc += c * v[t]!;
    }
    grad[keys[k]!] = acc;
  }
}
