/**
 * @file Types of the Lasso-type hypergradients (`SparseProblem`, hypergrad.ts): models, methods,
 * options, inner solutions with their invertibility diagnostics, results.
 */
import type { ImplicitFailureOptions, InvertibilityFallback } from '../implicit/failure.js';
import type { SupportFactor } from './hypergrad_factor.js';

/** The Lasso-type models whose regularisation can be tuned. */
export type SparseModelKind = 'lasso' | 'enet' | 'wlasso' | 'logreg';

/** How the hypergradient is computed (see the file header). */
export type HypergradMethod = 'implicit' | 'implicit-forward' | 'forward';

/** Options of the hypergradient computation (`onFailure`, `fallback`: see the file header). */
export interface HypergradOptions extends ImplicitFailureOptions {
  /** Default 'implicit'. */
  readonly method?: HypergradMethod;
  /** Linear solver of 'implicit': 'auto' (default: Cholesky if |S| ≤ choleskyMax, else CG), 'cholesky', 'cg'. */
  readonly linearSolver?: 'auto' | 'cholesky' | 'cg';
  /** Largest system solved by Cholesky in 'auto' mode (and largest rank check). Default 800. */
  readonly choleskyMax?: number;
  /** Relative residual of CG. Default 1e-10. */
  readonly cgTol?: number;
  /** Default 5000. */
  readonly cgMaxIter?: number;
  /** 'implicit-forward' and 'forward': relative change of J per epoch at which to stop. Default 1e-9. */
  readonly tolJac?: number;
  /** 'implicit-forward': maximum Jacobian epochs. Default 10 000. */
  readonly maxJacIter?: number;
  /** Equicorrelation / kink / rank diagnostics. Default true. */
  readonly checks?: boolean;
  /** Newton refinement of β̂ on its support. Default true. */
  readonly refine?: boolean;
  /** Relative tolerance of |c_j| = l_j (kink / equicorrelation). Default 1e-6. */
  readonly kinkTol?: number;
  /** Pivot ratio below which M_E is declared rank deficient. Default 1e-10. */
  readonly rankTol?: number;
}

/** Options of `SparseProblem.solve` (inner solver + what `hypergradient` needs). */
export interface InnerOptions extends HypergradOptions {
  /**
   * Inner tolerance. Squared loss: scikit-learn semantics (duality gap ≤ tol·‖y_c‖²/n). logreg:
   * duality gap ≤ tol·log 2 (`sparseLogreg`); with method 'forward', the absolute KKT violation
   * (hypergrad_logreg.ts). Default 1e-4 (logreg 1e-6).
   */
  readonly tol?: number;
  /** Inner epoch budget (default: the solver's). */
  readonly maxIter?: number;
  /** Start from the previous solution of this problem (default true). */
  readonly warmStart?: boolean;
}

/** Invertibility diagnostics of a solution (see the file header). */
export interface HypergradDiagnostics {
  readonly supportSize: number;
  /** |E|, or −1 when not computed (`checks: false`). */
  readonly equicorrelationSize: number;
  /** Features with β_j = 0 at the kink |c_j| = l_j (within kinkTol). */
  readonly kinks: Int32Array;
  readonly rankDeficient: boolean;
  /** How the rank was checked: Cholesky of M_E, the size test |E| > rank bound, or not at all. */
  readonly rankCheck: 'cholesky' | 'size' | 'skipped' | 'none';
  /** Smallest Cholesky pivot ratio on E (1 = orthogonal columns). NaN if not computed. */
  readonly minPivotRatio: number;
  /** Rough condition-number estimate of M_E. NaN if not computed. */
  readonly conditionEstimate: number;
  /** Largest relative KKT violation max_j of |c_j − λ₂β_j − l_j s_j|/l_j on S and (|c_j|/l_j − 1)₊ off S. */
  readonly kktViolation: number;
  /**
   * Features with β_j = 0 and |c_j| > l_j(1 + kinkTol): the inner solution is not exact there (loose
   * tolerance); not an invertibility failure, but the support may still change. −1 if not computed.
   */
  readonly kktViolators: number;
  /** Whether β̂ was refined by Newton steps on the support. */
  readonly refined: boolean;
  /** True when no kink and no rank deficiency was found. */
  readonly ok: boolean;
  /** Human-readable findings. */
  readonly messages: string[];
}

/** A solution of the inner problem, with what the hypergradient needs. */
export interface InnerSolution {
  readonly model: SparseModelKind;
  /** The hyperparameters (lasso/logreg [λ], enet [λ₁, λ₂], wlasso [λ_1..λ_p]). */
  readonly lambdas: Float64Array;
  readonly beta: Float64Array;
  readonly intercept: number;
  readonly support: Int32Array;
  /** Squared loss: centred residual y_c − X_cβ. logreg: generalised residual z − σ(a). */
  readonly residual: Float64Array;
  /** Training predictions Xβ + b (logreg: the linear predictor a). */
  readonly fitted: Float64Array;
  /** The solver's final duality gap (logreg 'forward': KKT violation). */
  readonly gap: number;
  readonly converged: boolean;
  /** Inner epochs (or Newton steps for logreg). */
  readonly iterations: number;
  readonly diagnostics: HypergradDiagnostics;
  /**
   * Milliseconds: the inner solver, the post-processing (refinement + diagnostics), and the split of
   * the latter (factor upkeep / the refinement's other work / the diagnostics' other work).
   */
  readonly timings: {
    readonly solveMs: number; readonly postMs: number;
    readonly factorMs?: number; readonly refineMs?: number; readonly checksMs?: number;
    /** Features whose X_jᵀr the diagnostics recomputed (p: a full pass; fewer when the solver's last gap check certified the rest). */
    readonly checkedFeatures?: number;
  };
  /** @internal forward-mode Jacobian (p × q) and intercept part. */
  readonly jac?: Float64Array;
  /** @internal */
  readonly jacIntercept?: Float64Array;
  /** @internal Cholesky factor of M on the support (when available). */
  readonly factor?: SupportFactor;
  /** @internal logistic Hessian weights σ(1−σ) at the solution. */
  readonly weights?: Float64Array;
}

/** Result of `SparseProblem.hypergradient`. */
export interface HypergradResult {
  /** dC/dθ_k, θ = log λ (length = number of hyperparameters). */
  readonly gradient: Float64Array;
  readonly method: HypergradMethod;
  /** What solved the linear system ('lstsq' / 'none' when the failure policy's fallback replaced it). */
  readonly linearSolver: 'cholesky' | 'cg' | 'cd' | 'forward' | 'lstsq' | 'none';
  /** Set when the invertibility hypothesis failed and `onFailure` 'warn' / 'return' used the fallback. */
  readonly fallback?: InvertibilityFallback;
  /** Jacobian epochs (implicit-forward), CG iterations, forward epochs, or 0. */
  readonly iterations: number;
  /** All entries finite. */
  readonly finite: boolean;
  readonly timeMs: number;
}

/** Options of `SparseProblem`. */
export interface SparseProblemOptions {
  /** Default true. */
  readonly fitIntercept?: boolean;
}

/** @internal Warm start of 'implicit-forward': the Jacobian on the previous support. */
export interface JacState {
  rows: Int32Array; // features (−1 = intercept)
  keys: Int32Array; // column keys (k, or the feature for wlasso)
  J: Float64Array; // rows × keys, row-major
}
