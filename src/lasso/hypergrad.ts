/**
 * @file Hypergradients of Lasso-type models with respect to the LOG of their regularisation
 * parameters, θ = log λ (all hyperparameters at once): `SparseProblem` wraps one training set
 * (design prepared once, warm starts of β, of the Jacobian and of the adjoint kept between calls),
 * `solve(λ)` runs the inner solver, `hypergradient(sol, ∇C)` returns dC/dθ for an outer criterion C
 * whose gradient with respect to the coefficients is supplied.
 *
 * Notation: S = support of β̂, s = sign(β̂_S), n training rows, X_c = centred X (squared loss with
 * an intercept; see design.ts), A = X_c,SᵀX_c,S/n. Optimality on the support (KKT):
 *
 *   F(β_S, θ) = −X_c,Sᵀ(y_c − X_c,Sβ_S)/n + l_S ∘ s + λ₂β_S = 0,   l_j = penalty of feature j,
 *
 * and J = ∂β̂_S/∂θ solves ∂F/∂β · J = −∂F/∂θ (implicit function theorem; J_{S^c} = 0). For an
 * outer criterion with gradient g = ∇_{β_S}C the hypergradient is gᵀJ = cᵀv with the ADJOINT v:
 *
 *   M v = −g,    dC/dθ_k = c_kᵀ v,    c_k = ∂F/∂θ_k.
 *
 * | model | θ | M | c_k, hence dC/dθ |
 * |---|---|---|---|
 * | lasso | log λ | A | c = λs → λ sᵀv |
 * | enet | (log λ₁, log λ₂) | A + λ₂I | c₁ = λ₁s, c₂ = λ₂β_S → [λ₁ sᵀv, λ₂ β_Sᵀv] |
 * | wlasso | log λ_j, j = 1..p | A | c_j = λ_j s_j e_j → λ_j s_j v_j (0 off S) — ONE solve for all p |
 * | logreg | log λ | H = X̃_Sᵀ diag(σ(1−σ)) X̃_S / n, X̃_S = [X_S 1] | c = λ[s; 0] → λ sᵀv_S |
 *
 * INTERCEPT. Squared loss: β̂ solves the Lasso on (X_c, y_c) and b̂ = ȳ − μᵀβ̂ (μ = training column
 * means), so the intercept is unpenalised and exactly determined by β̂; a prediction on new rows is
 * x̃ᵀβ̂ + ȳ with x̃ = x − μ, hence ∂(prediction)/∂β = x − μ. `pullback` applies exactly this: the
 * gradient of C with respect to β is taken through (X_val − 1μᵀ), which accounts for db̂/dθ =
 * −μᵀJ. Logistic loss: X is not centred and b is an extra unpenalised coordinate of the system
 * (last row/column of H, with g_b = ∂C/∂b).
 *
 * Methods (all agree at tight tolerance):
 * - 'implicit': solve M v = −g by Cholesky (m = |S| ≤ `choleskyMax`, Gram entries cached across
 *   calls) or Jacobi-preconditioned CG (warm-started from the previous adjoint);
 * - 'implicit-forward' (sparse-ho's ImplicitForward): coordinate descent on ½JᵀMJ + cᵀJ (the
 *   Jacobian recursion restricted to the support with fixed signs), warm-started from the previous
 *   J re-indexed onto the new support; stops when the largest change of J over an epoch is
 *   ≤ tolJac·max|J| (a re-run at the same λ therefore takes one or two epochs);
 * - 'forward': forward iterative differentiation jointly with coordinate descent (see
 *   hypergrad_forward.ts, hypergrad_logreg.ts) — the derivative of the algorithm, a cross-check.
 *
 * REFINEMENT (`refine`, default true). Once the solver has identified S and s, β̂_S is the solution
 * of the linear system F = 0; one or two Newton steps on the support (using the factorisation the
 * implicit method needs anyway) make β̂ exact to rounding when the signs are unchanged (accepted only
 * then: the refined point minimises the objective on the same orthant face, so it is never worse).
 *
 * INVERTIBILITY DIAGNOSTICS (`checks`, default true). With c_j = X_c,jᵀr/n (logistic: −∇_jL):
 * - equicorrelation set E = S ∪ {j ∉ S : | |c_j|/l_j − 1 | ≤ kinkTol} (relative tolerance kinkTol,
 *   default 1e-6; it must exceed the solver's KKT accuracy, reported as `kktViolation` — after
 *   refinement c is exact to rounding on the computed support; coordinates with |c_j| > l_j(1 +
 *   kinkTol) are KKT violations of an inexact solve, counted in `kktViolators`, not kinks);
 * - KINKS = E \ S: coordinates with β_j = 0 at the kink |c_j| = l_j, where the solution map is not
 *   differentiable (the returned value is then the derivative with S held fixed, one element of the
 *   conservative Jacobian);
 * - RANK: the Cholesky pivots of M_E = X_EᵀWX_E/n (+λ₂I): a pivot ≤ rankTol·(its diagonal entry)
 *   (default 1e-10) means a column of X_E is numerically a combination of the others, so the
 *   solution is not unique and the hypothesis of the implicit function theorem fails
 *   (`rankDeficient`); for |E| > `choleskyMax` only the size test |E| > rank(X_c) is applied.
 * FAILURE POLICY: the one of implicit differentiation (src/implicit/failure.ts, as `customRoot`):
 * a rank-deficient M_E is a failed invertibility hypothesis — `onFailure: 'throw'` (default) raises
 * InvertibilityError; under 'warn' / 'return' the result is the `fallback`: 'lstsq' (default, the
 * minimum-norm least-squares adjoint v = −M⁺g, by SVD up to `choleskyMax`, LSQR beyond) or 'zero',
 * recorded in `HypergradResult.fallback`. A kink with X_E of full rank is NOT a failure (every
 * element of the set-valued Jacobian is invertible, as in customRoot): it is reported in the
 * diagnostics and the support-fixed derivative is returned.
 */
import type { DesignMatrix } from '../data/dataset.js';
import type { DesignInput, PreparedDesign } from './design.js';
import { colDots, disposeDesign, matvec, resolveDesignOwned, vecSum } from './design.js';
import { elasticNet, lasso, weightedLasso } from './cd.js';
import { sparseLogreg } from './logreg.js';
import { checkTarget, lambdaMaxFromTarget, lambdaMaxLogregSigned, makeTarget, supportOf, toSignedLabels } from './models.js';
import type { SolverResult } from './models.js';
import { InvalidArgumentError, InvertibilityError, NonFiniteError, ShapeError } from '../core/errors.js';
import {
  buildSystemMatrix, colAddRaw, colDot, colDotW, conjugateGradient, denseFactor, GramCache,
  IncrementalCholesky, systemDiagonal, systemMatvec, systemSize, type CholeskyInfo, type SupportFactor, type SupportSystem,
} from './hypergrad_core.js';
import { forwardQuadratic } from './hypergrad_forward.js';
import { invertibilityFailure, resolveFailure, type ImplicitFailureOptions, type InvertibilityFallback } from '../implicit/failure.js';
import { pinvSolveDense } from '../implicit/linear.js';
import { lsqr } from '../linalg/iterative/index.js';
import { choleskyRankRevealing } from '../linalg/dense/cholesky_update.js';
import { logregForward, sigmoid } from './hypergrad_logreg.js';

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
  readonly timings: { readonly solveMs: number; readonly postMs: number };
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

interface JacState {
  rows: Int32Array; // features (−1 = intercept)
  keys: Int32Array; // column keys (k, or the feature for wlasso)
  J: Float64Array; // rows × keys, row-major
}

const now = (): number => performance.now();

function sameCols(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * One training set of a Lasso-type model, ready for repeated solves and hypergradients at varying
 * λ (warm starts of β, J and the adjoint are kept inside; one instance per CV fold).
 *
 * @example
 * const prob = new SparseProblem(Xtrain, ytrain, 'lasso');
 * const sol = prob.solve([0.1], { tol: 1e-8 });
 * const pred = prob.predict(sol, Xval);
 * const u = pred.map((v, i) => (2 * (v - yval[i])) / yval.length); // ∂MSE/∂prediction
 * const { gS, gB } = prob.pullback(sol, Xval, u);
 * prob.hypergradient(sol, gS, gB).gradient; // d MSE / d log λ
 */
export class SparseProblem {
  readonly model: SparseModelKind;
  readonly design: PreparedDesign;
  readonly n: number;
  readonly p: number;
  readonly fitIntercept: boolean;
  /** The raw target (labels ±1 for logreg). */
  readonly y: Float64Array;
  /** Squared loss: y − ȳ (or y without intercept). logreg: ±1 labels. */
  readonly yc: Float64Array;
  readonly yMean: number;
  /** Number of hyperparameters (1, 2, p, 1). */
  readonly nHyper: number;
  /** λ_max of the data: smallest λ with β̂ = 0 (Lasso's for enet λ₁ and wlasso). */
  readonly lambdaMax: number;
  private last: InnerSolution | null = null;
  private jacState: JacState | null = null;
  private adjState: { cols: Int32Array; v: Float64Array } | null = null;
  private readonly gram: GramCache | null;
  private readonly incr: IncrementalCholesky | null;
  private readonly ownsDesign: boolean;

  constructor(X: DesignInput, y: ArrayLike<number>, model: SparseModelKind, opts: SparseProblemOptions = {}) {
    const fn = 'SparseProblem';
    if (model !== 'lasso' && model !== 'enet' && model !== 'wlasso' && model !== 'logreg') {
      throw new InvalidArgumentError(`${fn}(): model must be 'lasso' | 'enet' | 'wlasso' | 'logreg', got ${String(model)}`);
    }
    this.model = model;
    this.fitIntercept = opts.fitIntercept ?? true;
    const squared = model !== 'logreg';
    const { d: prepared, owned } = resolveDesignOwned(X, squared && this.fitIntercept, fn);
    this.design = prepared;
    this.ownsDesign = owned;
    const d = this.design;
    this.n = d.nRows;
    this.p = d.nCols;
    const yv = checkTarget(y, this.n, fn);
    if (squared) {
      const t = makeTarget(yv, d.centered);
      this.y = yv;
      this.yc = t.yc;
      this.yMean = t.yMean;
      this.lambdaMax = lambdaMaxFromTarget(d, t.yc, null);
    } else {
      const ys = toSignedLabels(yv, fn);
      let pos = 0;
      for (let i = 0; i < this.n; i++) if (ys[i]! > 0) pos++;
      if (this.fitIntercept && (pos === 0 || pos === this.n)) {
        throw new InvalidArgumentError(`${fn}(): y has a single class (${pos === 0 ? 'all negative' : 'all positive'}); logistic regression with an intercept has no finite solution`);
      }
      this.y = ys;
      this.yc = ys;
      this.yMean = 0;
      this.lambdaMax = lambdaMaxLogregSigned(d, ys, this.fitIntercept);
    }
    this.nHyper = model === 'enet' ? 2 : model === 'wlasso' ? this.p : 1;
    this.gram = squared ? new GramCache(d) : null;
    this.incr = squared ? new IncrementalCholesky(d, 1e-10, 64, this.gram) : null;
  }

  /**
   * Releases the prepared design's WebAssembly memory to the solvers' pool when this problem
   * prepared it itself (see `disposeDesign`); the problem must not be used afterwards.
   */
  dispose(): void {
    if (this.ownsDesign) disposeDesign(this.design);
    this.resetWarmStart();
  }

  /** Forget warm starts (β, Jacobian, adjoint). */
  resetWarmStart(): void {
    this.last = null;
    this.jacState = null;
    this.adjState = null;
  }

  /** The last solution computed (the warm start of the next solve). */
  get lastSolution(): InnerSolution | null {
    return this.last;
  }

  /** Validates λ (finite, > 0, right length) and returns it as a Float64Array. */
  checkLambdas(lambdas: ArrayLike<number> | number, fn = 'SparseProblem.solve'): Float64Array {
    const arr = typeof lambdas === 'number' ? Float64Array.of(lambdas) : lambdas;
    if (arr === null || typeof arr !== 'object' || typeof arr.length !== 'number') {
      throw new InvalidArgumentError(`${fn}(): lambda must be a number or an array of numbers`);
    }
    if (arr.length !== this.nHyper) {
      const what = this.model === 'enet' ? '[lambda1, lambda2]' : this.model === 'wlasso' ? `one λ per feature (${this.p})` : 'one λ';
      throw new ShapeError(`${fn}(): model '${this.model}' takes ${what}, got ${arr.length} value(s)`);
    }
    const out = new Float64Array(arr.length);
    for (let k = 0; k < arr.length; k++) {
      const v = arr[k]!;
      if (typeof v !== 'number' || Number.isNaN(v) || !Number.isFinite(v)) throw new NonFiniteError(`${fn}(): lambda[${k}] is not a finite number (${String(v)})`);
      if (!(v > 0)) throw new InvalidArgumentError(`${fn}(): lambda[${k}] must be > 0, got ${v} (the regularisation is optimised in log λ)`);
      out[k] = v;
    }
    return out;
  }

  /** Per-feature L1 penalties l_j and ridge λ₂ of a hyperparameter vector. */
  private penalties(lam: Float64Array): { l1: Float64Array; l2: number } {
    const p = this.p;
    if (this.model === 'wlasso') return { l1: lam, l2: 0 };
    return { l1: new Float64Array(p).fill(lam[0]!), l2: this.model === 'enet' ? lam[1]! : 0 };
  }

  /**
   * Solves the inner problem at `lambdas` (warm-started from the previous solution of this problem),
   * refines β̂ on its support and computes the invertibility diagnostics (see the file header).
   */
  solve(lambdas: ArrayLike<number> | number, opts: InnerOptions = {}): InnerSolution {
    const lam = this.checkLambdas(lambdas);
    const method = opts.method ?? 'implicit';
    const warm = (opts.warmStart ?? true) ? this.last : null;
    const d = this.design;
    const n = this.n;
    const p = this.p;
    const t0 = now();
    let beta: Float64Array;
    let intercept = 0;
    let residual: Float64Array;
    let a: Float64Array | null = null;
    let gap: number;
    let converged: boolean;
    let iterations: number;
    let jac: Float64Array | undefined;
    let jacB: Float64Array | undefined;
    const { l1, l2 } = this.penalties(lam);
    if (this.model !== 'logreg') {
      if (method === 'forward') {
        const q = this.nHyper;
        let warmJac: Float64Array | undefined;
        if (warm?.jac && warm.jac.length === p * q) warmJac = warm.jac;
        const fr = forwardQuadratic(d, this.yc, l1, l2, this.model, {
          tol: opts.tol ?? 1e-4, tolJac: opts.tolJac ?? 1e-9, maxEpochs: opts.maxIter ?? 100_000,
          warmBeta: warm?.beta, warmJac,
        });
        beta = fr.beta;
        residual = fr.residual;
        gap = fr.gap;
        converged = fr.converged;
        iterations = fr.epochs;
        jac = fr.jac;
      } else {
        const so = {
          tol: opts.tol ?? 1e-4, fitIntercept: this.fitIntercept,
          ...(opts.maxIter !== undefined ? { maxIter: opts.maxIter } : {}),
          ...(warm ? { warmStart: { beta: warm.beta, residual: warm.residual } } : {}),
        };
        let res: SolverResult;
        if (this.model === 'lasso') res = lasso(d, this.y, lam[0]!, so);
        else if (this.model === 'enet') res = elasticNet(d, this.y, lam[0]!, lam[1]!, so);
        else res = weightedLasso(d, this.y, 1, lam, so);
        beta = new Float64Array(res.beta);
        residual = new Float64Array(res.residual);
        gap = res.gap;
        converged = res.converged;
        iterations = res.iterations;
      }
    } else {
      const lambda = lam[0]!;
      if (method === 'forward') {
        const fr = logregForward(d, this.yc, lambda, {
          tol: opts.tol ?? 1e-6, tolJac: opts.tolJac ?? 1e-9, maxEpochs: opts.maxIter ?? 200_000, fitIntercept: this.fitIntercept,
          ...(warm ? { warmBeta: warm.beta, warmIntercept: warm.intercept } : {}),
          ...(warm?.jac ? { warmJac: warm.jac, warmJacIntercept: warm.jacIntercept![0]! } : {}),
        });
        beta = fr.beta;
        intercept = fr.intercept;
        a = fr.linearPredictor;
        gap = fr.kkt;
        converged = fr.converged;
        iterations = fr.epochs;
        jac = fr.jac;
        jacB = Float64Array.of(fr.jacIntercept);
      } else {
        const fr = sparseLogreg(d, this.yc, lambda, {
          tol: opts.tol ?? 1e-6, fitIntercept: this.fitIntercept,
          ...(opts.maxIter !== undefined ? { maxIter: opts.maxIter } : {}),
          ...(warm ? { warmStart: { beta: warm.beta, intercept: warm.intercept } } : {}),
        });
        beta = new Float64Array(fr.beta);
        intercept = fr.intercept;
        a = new Float64Array(fr.linearPredictor);
        gap = fr.gap;
        converged = fr.converged;
        iterations = fr.iterations;
      }
      residual = new Float64Array(n);
    }
    const t1 = now();
    const post = this.postProcess(lam, l1, l2, beta, residual, intercept, a, opts);
    const t2 = now();
    const sol: InnerSolution = {
      model: this.model,
      lambdas: lam,
      beta: post.beta,
      intercept: post.intercept,
      support: post.support,
      residual: post.residual,
      fitted: post.fitted,
      gap,
      converged,
      iterations,
      diagnostics: post.diagnostics,
      timings: { solveMs: t1 - t0, postMs: t2 - t1 },
      ...(jac ? { jac } : {}),
      ...(jacB ? { jacIntercept: jacB } : {}),
      ...(post.factor ? { factor: post.factor } : {}),
      ...(post.weights ? { weights: post.weights } : {}),
    };
    this.last = sol;
    return sol;
  }

  /** Refinement + diagnostics (see the file header). */
  private postProcess(
    lam: Float64Array, l1: Float64Array, l2: number, beta: Float64Array, residual: Float64Array, intercept: number,
    a: Float64Array | null, opts: InnerOptions,
  ): {
    beta: Float64Array; intercept: number; support: Int32Array; residual: Float64Array; fitted: Float64Array;
    diagnostics: HypergradDiagnostics; factor?: SupportFactor; weights?: Float64Array;
  } {
    const d = this.design;
    const n = this.n;
    const p = this.p;
    const refine = opts.refine ?? true;
    const checks = opts.checks ?? true;
    const kinkTol = opts.kinkTol ?? 1e-6;
    const rankTol = opts.rankTol ?? 1e-10;
    const cholMax = opts.choleskyMax ?? 800;
    const useChol = (m: number): boolean => opts.linearSolver === 'cholesky' || (opts.linearSolver !== 'cg' && m <= cholMax);
    const squared = this.model !== 'logreg';
    let S = supportOf(beta);
    const c = new Float64Array(p);
    let refined = false;
    let factor: SupportFactor | undefined;
    let weights: Float64Array | undefined;
    const messages: string[] = [];

    // Lasso / weighted Lasso: the incremental factor (support changes cost O(m²) each); otherwise
    // a fresh factorisation (Gram entries cached for the elastic net).
    const incremental = squared && l2 === 0 && this.incr !== null && this.incr.rankTol === rankTol;
    const factorOn = (cols: Int32Array, w: Float64Array | null): SupportFactor => {
      if (incremental && w === null) return this.incr!.syncTo(cols);
      const sys: SupportSystem = { d, cols, ones: !squared && this.fitIntercept, w, ridge: l2 };
      const M = buildSystemMatrix(sys, w === null ? this.gram : null);
      const m = cols.length + (sys.ones ? 1 : 0);
      const info = choleskyRankRevealing(M, m, rankTol);
      return denseFactor(cols, m, M, info);
    };

    if (squared) {
      const corrAll = (): void => {
        colDots(d, residual, vecSum(n, residual), null, p, c);
        for (let j = 0; j < p; j++) c[j]! /= n;
      };
      if (refine && S.length > 0) {
        // one Newton step on the support with the signs fixed: F(β_S) = −c_S + l_S∘s + λ₂β_S is
        // affine in β_S, so M Δ = −F gives the exact minimiser on this orthant face (up to rounding)
        const s = S.length;
        colDots(d, residual, vecSum(n, residual), S, s, c);
        const rhs = new Float64Array(s);
        let fmax = 0;
        for (let t = 0; t < s; t++) {
          const j = S[t]!;
          const F = -c[j]! / n + l1[j]! * Math.sign(beta[j]!) + l2 * beta[j]!;
          rhs[t] = -F;
          fmax = Math.max(fmax, Math.abs(F));
        }
        let ok = fmax > 0;
        if (ok) {
          if (useChol(s)) {
            factor = factorOn(S, null);
            ok = factor.info.ok;
            if (ok) factor.solve(rhs);
          } else {
            const x = new Float64Array(s);
            const rep = conjugateGradient({ d, cols: S, ones: false, w: null, ridge: l2 }, rhs, x, { tol: 1e-14, maxIter: opts.cgMaxIter ?? 5000 });
            ok = rep.converged || rep.relativeResidual < 1e-8;
            rhs.set(x);
          }
        }
        for (let t = 0; t < s && ok; t++) {
          const j = S[t]!;
          if (Math.sign(beta[j]! + rhs[t]!) !== Math.sign(beta[j]!)) ok = false;
        }
        if (ok) {
          // β_S ← β_S + Δ ; r ← r − X_c,S Δ  (the design's kernels: WebAssembly when available)
          const full = new Float64Array(p);
          for (let t = 0; t < s; t++) {
            full[S[t]!] = rhs[t]!;
            beta[S[t]!] += rhs[t]!;
          }
          const tmp = new Float64Array(n);
          matvec(d, full, tmp);
          for (let i = 0; i < n; i++) residual[i] -= tmp[i]!;
          refined = true;
        }
      }
      if (checks) corrAll();
      if (d.centered) {
        let mb = 0;
        for (let t = 0; t < S.length; t++) mb += d.colMeans[S[t]!]! * beta[S[t]!]!;
        intercept = this.yMean - mb;
      }
    } else {
      // logistic: c = −∇L = X_jᵀ(z − σ(a))/n ; Newton on (β_S, b)
      const A = a!;
      const ys = this.yc;
      const gv = new Float64Array(n);
      const corrAll = (): number => {
        let gs = 0;
        for (let i = 0; i < n; i++) {
          gv[i] = (ys[i]! > 0 ? 1 : 0) - sigmoid(A[i]!);
          gs += gv[i]!;
        }
        colDots(d, gv, gs, null, p, c);
        for (let j = 0; j < p; j++) c[j]! /= n;
        return gs / n;
      };
      const hWeights = (): Float64Array => {
        const w = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          const s = sigmoid(A[i]!);
          w[i] = s * (1 - s);
        }
        return w;
      };
      // c on the support only during the Newton steps (O(n·|S|)); on every feature once at the end
      const corrS = (): number => {
        let gs = 0;
        for (let i = 0; i < n; i++) {
          gv[i] = (ys[i]! > 0 ? 1 : 0) - sigmoid(A[i]!);
          gs += gv[i]!;
        }
        colDots(d, gv, gs, S, S.length, c);
        for (let t = 0; t < S.length; t++) c[S[t]!]! /= n;
        return gs / n;
      };
      if (refine && (S.length > 0 || this.fitIntercept)) {
        let cb = corrS();
        const s = S.length;
        const m = s + (this.fitIntercept ? 1 : 0);
        let bestF = Infinity;
        let lastF: SupportFactor | undefined;
        let lastStep = Infinity;
        for (let step = 0; step < 6; step++) {
          const rhs = new Float64Array(m);
          let fmax = 0;
          for (let t = 0; t < s; t++) {
            const j = S[t]!;
            const F = -c[j]! + l1[j]! * Math.sign(beta[j]!);
            rhs[t] = -F;
            fmax = Math.max(fmax, Math.abs(F));
          }
          if (this.fitIntercept) {
            rhs[s] = cb;
            fmax = Math.max(fmax, Math.abs(cb));
          }
          if (!(fmax < bestF) || fmax === 0) break;
          bestF = fmax;
          const w = hWeights();
          lastF = undefined;
          if (useChol(m)) {
            const f = factorOn(S, w);
            if (!f.info.ok) break;
            f.solve(rhs);
            lastF = f;
          } else {
            const x = new Float64Array(m);
            const rep = conjugateGradient({ d, cols: S, ones: this.fitIntercept, w, ridge: 0 }, rhs, x, { tol: 1e-14, maxIter: opts.cgMaxIter ?? 5000 });
            if (!rep.converged && !(rep.relativeResidual < 1e-8)) break;
            rhs.set(x);
          }
          let signsOk = true;
          let stepMax = 0, scale = 1;
          for (let t = 0; t < s; t++) {
            const j = S[t]!;
            if (Math.sign(beta[j]! + rhs[t]!) !== Math.sign(beta[j]!)) signsOk = false;
            stepMax = Math.max(stepMax, Math.abs(rhs[t]!));
            scale = Math.max(scale, Math.abs(beta[j]!));
          }
          if (this.fitIntercept) {
            stepMax = Math.max(stepMax, Math.abs(rhs[s]!));
            scale = Math.max(scale, Math.abs(intercept));
          }
          if (!signsOk) {
            lastF = undefined;
            break;
          }
          lastStep = stepMax / scale;
          const newBeta = new Float64Array(beta);
          for (let t = 0; t < s; t++) newBeta[S[t]!] += rhs[t]!;
          const nb = this.fitIntercept ? intercept + rhs[s]! : 0;
          // a = Xβ + b
          A.fill(0);
          for (let t = 0; t < s; t++) colAddRaw(d, S[t]!, newBeta[S[t]!]!, A);
          for (let i = 0; i < n; i++) A[i] += nb;
          beta.set(newBeta);
          intercept = nb;
          refined = true;
          cb = corrS();
        }
        // the Hessian factored before a negligible last step is the Hessian at the final point up
        // to O(step): reuse it (hypergradient and rank check) instead of a new O(n·m²) build
        if (lastF !== undefined && lastStep <= 1e-13) factor = lastF;
      }
      if (checks) corrAll();
      weights = hWeights();
      for (let i = 0; i < n; i++) residual[i] = (this.yc[i]! > 0 ? 1 : 0) - sigmoid(A[i]!);
    }
    S = supportOf(beta);

    // ---- diagnostics -------------------------------------------------------------------------
    let kinks = new Int32Array(0);
    let E: Int32Array = S;
    let rankDeficient = false;
    let rankCheck: HypergradDiagnostics['rankCheck'] = 'none';
    let minPivotRatio = NaN;
    let conditionEstimate = NaN;
    let kkt = NaN;
    let violators = 0;
    if (checks) {
      kkt = 0;
      const inS = new Uint8Array(p);
      for (let t = 0; t < S.length; t++) inS[S[t]!] = 1;
      const kl: number[] = [];
      for (let j = 0; j < p; j++) {
        const lj = l1[j]!;
        if (d.colNormsSq[j] === 0) continue;
        if (inS[j]) {
          if (lj > 0) kkt = Math.max(kkt, Math.abs(c[j]! - l2 * beta[j]! - lj * Math.sign(beta[j]!)) / lj);
        } else {
          const r = Math.abs(c[j]!) / lj;
          kkt = Math.max(kkt, r - 1);
          // at the kink: |c_j| = l_j within the relative tolerance (two-sided); r > 1 + kinkTol is a
          // KKT violation of an inexact inner solution, counted separately
          if (Math.abs(r - 1) <= kinkTol) kl.push(j);
          else if (r > 1) violators++;
        }
      }
      kkt = Math.max(0, kkt);
      kinks = Int32Array.from(kl);
      if (kinks.length > 0) {
        const all = Array.from(S).concat(kl).sort((x, y) => x - y);
        E = Int32Array.from(all);
        const shown = kl.slice(0, 10).join(', ') + (kl.length > 10 ? ', …' : '');
        messages.push(`${kinks.length} feature(s) sit at the kink (β_j = 0 with |c_j| = λ_j within relative tolerance ${kinkTol}): [${shown}]; the solution map is not differentiable there and the hypergradient is the one with the support held fixed`);
      }
      const mE = E.length + (!squared && this.fitIntercept ? 1 : 0);
      const rankBound = squared ? n - (d.centered ? 1 : 0) : n;
      if (squared && l2 === 0 && E.length > rankBound) {
        rankDeficient = true;
        rankCheck = 'size';
        messages.push(`the equicorrelation set has |E| = ${E.length} features but X_c has rank ≤ ${rankBound}: X_EᵀX_E is singular (solution not unique)`);
      } else if (mE > 0 && mE <= cholMax) {
        rankCheck = 'cholesky';
        let info: CholeskyInfo;
        if (!factor || !factor.valid() || !sameCols(factor.cols, S)) factor = factorOn(S, squared ? null : weights!);
        if (sameCols(E, S)) {
          info = factor.info;
        } else if (incremental) {
          info = this.incr!.extendedInfo(kinks);
        } else {
          info = factorOn(E, squared ? null : weights!).info;
        }
        minPivotRatio = info.minPivotRatio;
        conditionEstimate = info.conditionEstimate;
        if (!info.ok) {
          rankDeficient = true;
          const feat = info.worstIndex < E.length ? `feature ${E[info.worstIndex]}` : 'the intercept column';
          messages.push(`X_EᵀX_E is numerically rank deficient on the equicorrelation set (|E| = ${E.length}): ${feat} is a linear combination of other features in E (pivot ratio ${info.minPivotRatio.toExponential(2)} ≤ rankTol ${rankTol}); the solution is not unique and the implicit-function hypothesis fails`);
        }
      } else if (mE > cholMax) {
        rankCheck = 'skipped';
      }
    }
    const fitted = new Float64Array(n);
    if (squared) {
      for (let i = 0; i < n; i++) fitted[i] = this.y[i]! - residual[i]!;
    } else {
      fitted.set(a!);
    }
    const diagnostics: HypergradDiagnostics = {
      supportSize: S.length,
      equicorrelationSize: checks ? E.length : -1,
      kinks,
      rankDeficient,
      rankCheck,
      minPivotRatio,
      conditionEstimate,
      kktViolation: kkt,
      kktViolators: checks ? violators : -1,
      refined,
      ok: !rankDeficient && kinks.length === 0,
      messages,
    };
    const out: ReturnType<SparseProblem['postProcess']> = { beta, intercept, support: S, residual, fitted, diagnostics };
    if (factor && sameCols(factor.cols, S)) out.factor = factor;
    if (weights) out.weights = weights;
    return out;
  }

  /**
   * d C / d log λ for an outer criterion with gradient `gS` with respect to β on `sol.support`
   * (in that order; use `pullback`) and `gB` with respect to the intercept (logreg only).
   */
  hypergradient(sol: InnerSolution, gS: Float64Array, gB = 0, opts: HypergradOptions = {}): HypergradResult {
    const t0 = now();
    const method = opts.method ?? 'implicit';
    const S = sol.support;
    const s = S.length;
    const q = this.nHyper;
    const lam = sol.lambdas;
    const squared = this.model !== 'logreg';
    const ones = !squared && this.fitIntercept;
    const m = s + (ones ? 1 : 0);
    if (gS.length !== s) throw new ShapeError(`SparseProblem.hypergradient(): gS has ${gS.length} entries but the support has ${s}`);
    const failure = resolveFailure(opts, 'SparseProblem.hypergradient()');
    const grad = new Float64Array(q);
    const finish = (solver: HypergradResult['linearSolver'], iterations: number, fallback?: InvertibilityFallback): HypergradResult => {
      let finite = true;
      for (let k = 0; k < q; k++) if (!Number.isFinite(grad[k]!)) finite = false;
      return { gradient: grad, method, linearSolver: solver, iterations, finite, timeMs: now() - t0, ...(fallback ? { fallback } : {}) };
    };
    if (s === 0) return finish('none', 0);
    const sign = new Float64Array(s);
    for (let t = 0; t < s; t++) sign[t] = Math.sign(sol.beta[S[t]!]!);
    const l2 = this.model === 'enet' ? lam[1]! : 0;
    if (sol.diagnostics.rankDeficient) {
      // failed invertibility: the one policy of src/implicit (throw, or warn/return the fallback)
      const { value, fallback } = invertibilityFailure(failure, this.invertibilityError(sol), {
        lstsq: () => {
          const sysF: SupportSystem = { d: this.design, cols: S, ones, w: squared ? null : sol.weights!, ridge: l2 };
          const b = new Float64Array(m);
          for (let t = 0; t < s; t++) b[t] = -gS[t]!;
          if (ones) b[s] = -gB;
          return this.leastSquaresAdjoint(sysF, b, opts);
        },
        zero: () => null,
      });
      if (value !== null) this.contractAdjoint(sol, sign, value, grad);
      return finish(value !== null ? 'lstsq' : 'none', 0, fallback);
    }

    if (method === 'forward') {
      if (!sol.jac) throw new InvalidArgumentError("hypergradient(): method 'forward' needs a solution computed with solve(λ, { method: 'forward' })");
      const J = sol.jac;
      const qq = squared ? q : 1;
      for (let k = 0; k < q; k++) {
        let g = 0;
        for (let t = 0; t < s; t++) g += gS[t]! * J[S[t]! * qq + k]!;
        if (!squared && sol.jacIntercept) g += gB * sol.jacIntercept[0]!;
        grad[k] = g;
      }
      return finish('forward', sol.iterations);
    }

    const w = squared ? null : sol.weights!;
    const sys: SupportSystem = { d: this.design, cols: S, ones, w, ridge: l2 };
    const g = new Float64Array(m);
    g.set(gS);
    if (ones) g[s] = gB;

    if (method === 'implicit') {
      const v = new Float64Array(m);
      for (let i = 0; i < m; i++) v[i] = -g[i]!;
      const cholMax = opts.choleskyMax ?? 800;
      const useChol = opts.linearSolver === 'cholesky' || (opts.linearSolver !== 'cg' && m <= cholMax);
      let solver: HypergradResult['linearSolver'];
      let iters = 0;
      if (useChol) {
        let f = sol.factor && sol.factor.valid() && sameCols(sol.factor.cols, S) ? sol.factor : undefined;
        if (!f && w === null && l2 === 0 && this.incr !== null && this.incr.rankTol === (opts.rankTol ?? 1e-10)) {
          f = this.incr.syncTo(S);
        }
        if (!f) {
          const M = buildSystemMatrix(sys, w === null ? this.gram : null);
          const info = choleskyRankRevealing(M, m, opts.rankTol ?? 1e-10);
          f = denseFactor(S, m, M, info);
        }
        f.solve(v);
        solver = 'cholesky';
      } else {
        const x = new Float64Array(m);
        // warm start from the previous adjoint, re-indexed
        const prev = this.adjState;
        if (prev) {
          const pos = new Map<number, number>();
          for (let t = 0; t < prev.cols.length; t++) pos.set(prev.cols[t]!, t);
          for (let t = 0; t < s; t++) {
            const k = pos.get(S[t]!);
            if (k !== undefined) x[t] = prev.v[k]!;
          }
          if (ones && prev.v.length === prev.cols.length + 1) x[s] = prev.v[prev.cols.length]!;
        }
        const rep = conjugateGradient(sys, v, x, { tol: opts.cgTol ?? 1e-10, maxIter: opts.cgMaxIter ?? 5000 });
        v.set(x);
        iters = rep.iterations;
        solver = 'cg';
        this.adjState = { cols: S, v: new Float64Array(x) };
      }
      this.contractAdjoint(sol, sign, v, grad);
      return finish(solver, iters);
    }

    if (method === 'implicit-forward') {
      const { iterations } = this.jacobianCD(sol, sys, sign, g, grad, opts);
      return finish('cd', iterations);
    }
    throw new InvalidArgumentError(`hypergradient(): method must be 'implicit' | 'implicit-forward' | 'forward', got ${String(method)}`);
  }

  /** dC/dθ from the adjoint v (table in the file header). */
  private contractAdjoint(sol: InnerSolution, sign: Float64Array, v: Float64Array, grad: Float64Array): void {
    const S = sol.support;
    const lam = sol.lambdas;
    const s = S.length;
    if (this.model === 'wlasso') {
      for (let t = 0; t < s; t++) grad[S[t]!] = lam[S[t]!]! * sign[t]! * v[t]!;
      return;
    }
    let sv = 0;
    for (let t = 0; t < s; t++) sv += sign[t]! * v[t]!;
    grad[0] = lam[0]! * sv;
    if (this.model === 'enet') {
      let bv = 0;
      for (let t = 0; t < s; t++) bv += sol.beta[S[t]!]! * v[t]!;
      grad[1] = lam[1]! * bv;
    }
  }

  /**
   * 'implicit-forward': coordinate descent on ½ J_kᵀ M J_k + c_kᵀ J_k for every column k (the
   * Jacobian recursion on the support), warm-started; then grad_k = gᵀ J_k.
   */
  private jacobianCD(sol: InnerSolution, sys: SupportSystem, sign: Float64Array, g: Float64Array, grad: Float64Array, opts: HypergradOptions): { iterations: number } {
    const d = this.design;
    const n = this.n;
    const S = sol.support;
    const s = S.length;
    const m = s + (sys.ones ? 1 : 0);
    const lam = sol.lambdas;
    const wl = this.model === 'wlasso';
    const q = wl ? s : this.nHyper;
    // right-hand sides c_k (m × q, row-major)
    const C = new Float64Array(m * q);
    const keys = new Int32Array(q);
    if (wl) {
      for (let t = 0; t < s; t++) {
        C[t * q + t] = lam[S[t]!]! * sign[t]!;
        keys[t] = S[t]!;
      }
    } else {
      for (let t = 0; t < s; t++) C[t * q] = lam[0]! * sign[t]!;
      if (this.model === 'enet') {
        for (let t = 0; t < s; t++) C[t * q + 1] = lam[1]! * sol.beta[S[t]!]!;
        keys[1] = 1;
      }
    }
    const rows = new Int32Array(m);
    rows.set(S);
    if (sys.ones) rows[s] = -1;
    // warm start
    const J = new Float64Array(m * q);
    const prev = this.jacState;
    if (prev) {
      const rpos = new Map<number, number>();
      for (let t = 0; t < prev.rows.length; t++) rpos.set(prev.rows[t]!, t);
      const kpos = new Map<number, number>();
      for (let k = 0; k < prev.keys.length; k++) kpos.set(prev.keys[k]!, k);
      const pq = prev.keys.length;
      for (let t = 0; t < m; t++) {
        const rt = rpos.get(rows[t]!);
        if (rt === undefined) continue;
        for (let k = 0; k < q; k++) {
          const kk = kpos.get(keys[k]!);
          if (kk !== undefined) J[t * q + k] = prev.J[rt * pq + kk]!;
        }
      }
    }
    // u_k = X̃ J_k (raw) with sums
    const U = new Float64Array(q * n);
    const uSum = new Float64Array(q);
    for (let t = 0; t < m; t++) {
      for (let k = 0; k < q; k++) {
        const v = J[t * q + k]!;
        if (v === 0) continue;
        const uk = U.subarray(k * n, (k + 1) * n);
        if (t < s) uSum[k] += colAddRaw(d, S[t]!, v, uk);
        else for (let i = 0; i < n; i++) uk[i] += v;
      }
    }
    if (d.isSparse) {
      for (let k = 0; k < q; k++) {
        let ss = 0;
        for (let i = k * n; i < (k + 1) * n; i++) ss += U[i]!;
        uSum[k] = ss;
      }
    }
    const diag = systemDiagonal(sys);
    const w = sys.w;
    const ridge = sys.ridge;
    const tolJac = opts.tolJac ?? 1e-9;
    const maxIt = opts.maxJacIter ?? 10_000;
    let it = 0;
    while (it < maxIt) {
      it++;
      let maxD = 0;
      let maxJ = 0;
      for (let t = 0; t < m; t++) {
        const dt = diag[t]!;
        if (!(dt > 0)) continue;
        for (let k = 0; k < q; k++) {
          const uk = U.subarray(k * n, (k + 1) * n);
          let mg: number;
          if (t < s) {
            const j = S[t]!;
            mg = (w === null ? colDot(d, j, uk, uSum[k]!) : colDotW(d, j, w, uk)) / n + ridge * J[t * q + k]!;
          } else {
            let ss = 0;
            if (w === null) for (let i = 0; i < n; i++) ss += uk[i]!;
            else for (let i = 0; i < n; i++) ss += w[i]! * uk[i]!;
            mg = ss / n;
          }
          const delta = -(mg + C[t * q + k]!) / dt;
          if (delta !== 0) {
            J[t * q + k] += delta;
            if (t < s) uSum[k] += colAddRaw(d, S[t]!, delta, uk);
            else for (let i = 0; i < n; i++) uk[i] += delta;
            const ad = Math.abs(delta);
            if (ad > maxD) maxD = ad;
          }
          const aj = Math.abs(J[t * q + k]!);
          if (aj > maxJ) maxJ = aj;
        }
      }
      if (maxD <= tolJac * Math.max(maxJ, 1e-300)) break;
    }
    this.jacState = { rows, keys, J };
    if (wl) {
      for (let k = 0; k < q; k++) {
        let v = 0;
        for (let t = 0; t < m; t++) v += g[t]! * J[t * q + k]!;
        grad[keys[k]!] = v;
      }
    } else {
      for (let k = 0; k < q; k++) {
        let v = 0;
        for (let t = 0; t < m; t++) v += g[t]! * J[t * q + k]!;
        grad[k] = v;
      }
    }
    return { iterations: it };
  }

  /** The error of a failed invertibility hypothesis at `sol` (rank-deficient X_E). */
  private invertibilityError(sol: InnerSolution): InvertibilityError {
    const dg = sol.diagnostics;
    const msg = `SparseProblem.hypergradient(): invertibility hypothesis fails at λ = [${Array.from(sol.lambdas.slice(0, 4), (v) => v.toExponential(4)).join(', ')}${sol.lambdas.length > 4 ? ', …' : ''}]: ${dg.messages.join('; ')}; choose onFailure 'warn' or 'return' (with fallback 'lstsq', the minimum-norm least-squares adjoint, or 'zero') explicitly to proceed anyway`;
    return new InvertibilityError(msg, {
      conditionEstimate: dg.conditionEstimate,
      minPivotRatio: dg.minPivotRatio,
      kinks: Array.from(dg.kinks),
      rankDeficient: dg.rankDeficient,
      selection: 'equicorrelation set',
    });
  }

  /**
   * Minimum-norm least-squares solution of the (singular) support system M v = b: SVD pseudo-inverse
   * of the materialised M up to `choleskyMax` unknowns, LSQR on the matrix-free M beyond.
   */
  private leastSquaresAdjoint(sys: SupportSystem, b: Float64Array, opts: HypergradOptions): Float64Array {
    const m = systemSize(sys);
    if (m <= (opts.choleskyMax ?? 800)) return pinvSolveDense(buildSystemMatrix(sys, null), m, b, false);
    const tmp = new Float64Array(this.n);
    const op = (v: Float64Array, out: Float64Array): void => systemMatvec(sys, v, out, tmp);
    return lsqr({ rows: m, cols: m, matvec: op, rmatvec: op }, b, { tol: opts.cgTol ?? 1e-10, onFailure: 'return' }).x;
  }

  /** Predictions Xβ̂ + b̂ on new rows (logreg: the linear predictor). */
  predict(sol: InnerSolution, X: DesignMatrix): Float64Array {
    if (X.nCols !== this.p) throw new ShapeError(`predict(): X has ${X.nCols} columns, the model was trained on ${this.p}`);
    return predictLinear(X, sol.beta, sol.support, sol.intercept);
  }

  /**
   * Gradient of C with respect to (β_S, b) from u = ∂C/∂(predictions on X): squared loss
   * gS = (X_S − 1μ_Sᵀ)ᵀu, gB = 0 (intercept determined by β̂); logreg gS = X_Sᵀu, gB = Σu.
   */
  pullback(sol: InnerSolution, X: DesignMatrix, u: Float64Array): { gS: Float64Array; gB: number } {
    if (u.length !== X.nRows) throw new ShapeError(`pullback(): u has ${u.length} entries, X has ${X.nRows} rows`);
    const S = sol.support;
    const gS = new Float64Array(S.length);
    let us = 0;
    for (let i = 0; i < u.length; i++) us += u[i]!;
    const squared = this.model !== 'logreg';
    const mu = this.design.colMeans;
    for (let t = 0; t < S.length; t++) {
      const j = S[t]!;
      let v = rawColDot(X, j, u);
      if (squared && this.design.centered) v -= mu[j]! * us;
      gS[t] = v;
    }
    return { gS, gB: squared || !this.fitIntercept ? 0 : us };
  }
}

/** Σ_i X[i, j] u_i for a raw design. */
export function rawColDot(X: DesignMatrix, j: number, u: Float64Array): number {
  if (X.kind === 'dense') {
    const n = X.nRows;
    const o = j * n;
    const D = X.data;
    let s0 = 0, s1 = 0;
    let i = 0;
    for (; i + 1 < n; i += 2) {
      s0 += D[o + i]! * u[i]!;
      s1 += D[o + i + 1]! * u[i + 1]!;
    }
    if (i < n) s0 += D[o + i]! * u[i]!;
    return s0 + s1;
  }
  let s = 0;
  for (let k = X.indptr[j]!; k < X.indptr[j + 1]!; k++) s += X.values[k]! * u[X.indices[k]!]!;
  return s;
}

/** Xβ + b over the support (raw design). */
export function predictLinear(X: DesignMatrix, beta: Float64Array, support: Int32Array, intercept: number): Float64Array {
  const n = X.nRows;
  const out = new Float64Array(n).fill(intercept);
  for (let t = 0; t < support.length; t++) {
    const j = support[t]!;
    const b = beta[j]!;
    if (X.kind === 'dense') {
      const o = j * n;
      for (let i = 0; i < n; i++) out[i] += b * X.data[o + i]!;
    } else {
      for (let k = X.indptr[j]!; k < X.indptr[j + 1]!; k++) out[X.indices[k]!] += b * X.values[k]!;
    }
  }
  return out;
}
