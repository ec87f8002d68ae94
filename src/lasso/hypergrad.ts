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
 * The Lasso on a design with its Gram matrix G cached takes the solve, the refinement and the KKT
 * diagnostics from G, with their rounding bounded, or falls back to the path here (gram_refine.ts).
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
import type { DenseDesign, DesignMatrix } from '../data/dataset.js';
import type {
  HypergradOptions, HypergradResult, InnerOptions, InnerSolution, JacState, SparseModelKind, SparseProblemOptions,
} from './hypergrad_types.js';
import { SUPPORT_MODELS, contractAdjoint } from './hypergrad_models.js';
import { jacobianCD } from './hypergrad_jacobian.js';
import { refineAndDiagnose, sameCols, type Refined, type SolverCheck } from './hypergrad_post.js';
import { gramRefinedSolve } from './gram_refine.js';
import type { DesignInput, PreparedDesign } from './design.js';
import { disposeDesign, resolveDesignOwned } from './design.js';
import { elasticNet, lasso, weightedLasso } from './cd.js';
import { planGramSolves } from './quad_gram.js';
import { sparseLogreg } from './logreg.js';
import { checkTarget, lambdaMaxFromTarget, lambdaMaxLogregSigned, makeTarget, toSignedLabels } from './models.js';
import type { SolverResult } from './models.js';
import { InvalidArgumentError, InvertibilityError, NonFiniteError, ShapeError } from '../core/errors.js';
import { buildSystemMatrix, conjugateGradient, GramCache, systemMatvec, systemSize, type SupportSystem } from './hypergrad_core.js';
import { denseFactor, IncrementalCholesky } from './hypergrad_factor.js';
import { forwardQuadratic } from './hypergrad_forward.js';
import { invertibilityFailure, resolveFailure, type InvertibilityFallback } from '../implicit/failure.js';
import { pinvSolveDense } from '../implicit/linear.js';
import { lsqr } from '../linalg/iterative/index.js';
import { choleskyRankRevealing } from '../linalg/dense/cholesky_update.js';
import { logregForward } from './hypergrad_logreg.js';
import { designKernels } from '../kernels/wasm_lasso.js';

export type {
  SparseModelKind, HypergradMethod, HypergradOptions, InnerOptions, HypergradDiagnostics, InnerSolution, HypergradResult, SparseProblemOptions,
} from './hypergrad_types.js';

const now = (): number => performance.now();

/** sign(β_S) in support order. */
function supportSigns(beta: Float64Array, S: Int32Array): Float64Array {
  const out = new Float64Array(S.length);
  for (let t = 0; t < S.length; t++) out[t] = Math.sign(beta[S[t]!]!);
  return out;
}

/** The `HypergradResult` of `hypergradient` (started at t0). */
function hypergradResult(
  grad: Float64Array, method: HypergradResult['method'], t0: number, solver: HypergradResult['linearSolver'], iterations: number, fallback?: InvertibilityFallback,
): HypergradResult {
  let finite = true;
  for (let k = 0; k < grad.length; k++) if (!Number.isFinite(grad[k]!)) finite = false;
  return { gradient: grad, method, linearSolver: solver, iterations, finite, timeMs: now() - t0, ...(fallback ? { fallback } : {}) };
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
  /** The public function named in the errors of `solve` (a bad λ). */
  private readonly solveName: string;

  /**
   * @param fn - @internal the public function named in errors (default `'SparseProblem'`; the
   *   criteria and `tuneLasso` pass the function the user called)
   * @param solveFn - @internal the name for a bad λ in `solve` (default `'SparseProblem.solve'`)
   * @param target - @internal squared loss: y, y_c and ȳ of an earlier problem on the same rows and
   *   centring, taken as they are (no copies; streamed CV folds rebuilt at every evaluation)
   */
  constructor(
    X: DesignInput, y: ArrayLike<number>, model: SparseModelKind, opts: SparseProblemOptions = {}, fn = 'SparseProblem',
    solveFn = fn === 'SparseProblem' ? 'SparseProblem.solve' : fn,
    target?: { readonly y: Float64Array; readonly yc: Float64Array; readonly yMean: number },
  ) {
    this.solveName = solveFn;
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
    const reuse = squared && target !== undefined && target.y.length === this.n;
    const yv = reuse ? target.y : checkTarget(y, this.n, fn);
    if (squared) {
      const t = reuse ? target : makeTarget(yv, d.centered);
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
    this.incr?.dispose();
    this.resetWarmStart();
  }

  /**
   * Announces about `solves` warm-started solves at decreasing λ (a grid path): on a tall dense
   * design with many of them the inner solver starts in the Gram mode at once instead of after
   * counting work (quad_gram.ts `planGramSolves`). A hint only: values do not change beyond rounding.
   *
   * @example
   * const prob = new SparseProblem(X, y, 'lasso');
   * prob.planSolves(100); // a 100-λ path follows
   */
  planSolves(solves: number): void {
    if (this.model !== 'logreg') planGramSolves(this.design, solves);
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

  /**
   * Takes `sol` — a solution of a problem on the same X and y, e.g. an earlier instance that was
   * disposed (`hpo/criteria.ts` rebuilds large CV folds one at a time) — as the warm start of the
   * next solve (β, residual, intercept; Jacobian and adjoint warm starts start afresh).
   */
  warmStartFrom(sol: InnerSolution | null): void {
    this.resetWarmStart();
    this.last = sol;
  }

  /** Validates λ (finite, > 0, right length) and returns it as a Float64Array. */
  checkLambdas(lambdas: ArrayLike<number> | number, fn = this.solveName): Float64Array {
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
    let check: SolverCheck | null = null;
    let support: Int32Array | null = null;
    const { l1, l2 } = SUPPORT_MODELS[this.model].penalties(lam, this.p);
    // the Lasso on a design whose Gram matrix is cached (planned CV folds, the refit): the solve,
    // its refinement and diagnostics from G, without passes over X (gram_refine.ts); else null
    const fromGram = gramRefinedSolve(this, this.gram, this.incr, lam, l1, opts);
    if (fromGram !== null) {
      const { post, solveMs } = fromGram;
      return this.assemble(lam, post, fromGram.gap, true, fromGram.iterations, solveMs, now() - t0 - solveMs);
    }
    if (this.model !== 'logreg') {
      if (method === 'forward') {
        const q = this.nHyper;
        let warmJac: Float64Array | undefined;
        if (warm?.jac && warm.jac.length === p * q) warmJac = warm.jac;
        const fr = forwardQuadratic(d, this.yc, l1, l2, this.model, {
          tol: opts.tol ?? 1e-4, tolJac: opts.tolJac ?? 1e-9, maxEpochs: opts.maxIter ?? 100_000,
          warmBeta: warm?.beta, warmJac, gram: this.gram,
        });
        beta = fr.beta;
        residual = fr.residual;
        gap = fr.gap;
        converged = fr.converged;
        iterations = fr.epochs;
        jac = fr.jac;
      } else {
        const so = {
          tol: opts.tol ?? 1e-4, fitIntercept: this.fitIntercept, onFailure: 'return' as const, // reported in `converged`; the criteria certify
          ...(opts.maxIter !== undefined ? { maxIter: opts.maxIter } : {}),
          // β only: the solvers ignore a warm residual (models.ts `WarmStart`), and reading it would
          // compute the lazy residual of a loose grid solution (gram_loose.ts: O(n·|S|)) for nothing
          ...(warm ? { warmStart: { beta: (this.model === 'lasso' && d.scale === 1 ? pathPredicted(warm, lam[0]!) : null) ?? warm.beta } } : {}),
        };
        let res: SolverResult;
        if (this.model === 'lasso') res = lasso(d, this.y, lam[0]!, so);
        else if (this.model === 'enet') res = elasticNet(d, this.y, lam[0]!, lam[1]!, so);
        else res = weightedLasso(d, this.y, 1, lam, so);
        beta = new Float64Array(res.beta);
        support = res.support; // supportOf(res.beta): not recomputed by the post-processing
        residual = res.residual; // fresh from the solver (cd.ts finishQuadratic): no copy
        gap = res.gap;
        converged = res.converged;
        iterations = res.iterations;
        // the last gap check's Xᵀr and screening bounds (hypergrad_post.ts: the KKT certificate
        // without a second full pass); in the design's units only when it is unscaled
        if (res.lastCheck !== undefined && d.scale === 1) check = { xtr: res.lastCheck.xtr, bound: res.lastCheck.bound, gap: res.gap, err: res.lastCheck.err ?? 0 };
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
          tol: opts.tol ?? 1e-6, fitIntercept: this.fitIntercept, onFailure: 'return' as const,
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
    const post = refineAndDiagnose(this, this.gram, this.incr, l1, l2, beta, residual, intercept, a, opts, check, support);
    const t2 = now();
    return this.assemble(lam, post, gap, converged, iterations, t1 - t0, t2 - t1, jac, jacB);
  }

  /** The solution of `solve` from its post-processed parts; it becomes the warm start. */
  private assemble(
    lam: Float64Array, post: Refined, gap: number, converged: boolean, iterations: number, solveMs: number, postMs: number,
    jac?: Float64Array, jacB?: Float64Array,
  ): InnerSolution {
    const sol = {
      model: this.model,
      lambdas: lam,
      beta: post.beta,
      intercept: post.intercept,
      support: post.support,
      gap,
      converged,
      iterations,
      diagnostics: post.diagnostics,
      timings: { solveMs, postMs, ...post.timings },
      ...(jac ? { jac } : {}),
      ...(jacB ? { jacIntercept: jacB } : {}),
      ...(post.factor ? { factor: post.factor } : {}),
      ...(post.weights ? { weights: post.weights } : {}),
    } as Omit<InnerSolution, 'fitted' | 'residual'> as InnerSolution;
    // r and ŷ as they are (lazy getters of hypergrad_post.ts / gram_refine.ts): not their values
    Object.defineProperty(sol, 'residual', Object.getOwnPropertyDescriptor(post, 'residual')!);
    Object.defineProperty(sol, 'fitted', Object.getOwnPropertyDescriptor(post, 'fitted')!);
    this.last = sol;
    return sol;
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
    const where = this.solveName === 'SparseProblem.solve' ? 'SparseProblem.hypergradient' : this.solveName;
    const ls = opts.linearSolver;
    if (ls !== undefined && ls !== 'auto' && ls !== 'cholesky' && ls !== 'cg') {
      throw new InvalidArgumentError(`${where}(): linearSolver must be 'auto' | 'cholesky' | 'cg', got ${String(ls)}`);
    }
    const failure = resolveFailure(opts, `${where}()`);
    const grad = new Float64Array(q);
    // module functions (`hypergradResult`, `supportSigns`), not closures made per call (round hg7:
    // under tsx each cost an Object.defineProperty of its name); the signs of β̂_S only on the paths
    // that need them
    if (s === 0) return hypergradResult(grad, method, t0, 'none', 0);
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
      if (value !== null) contractAdjoint(SUPPORT_MODELS[this.model].rhs(sol, supportSigns(sol.beta, S), m), value, grad);
      return hypergradResult(grad, method, t0, value !== null ? 'lstsq' : 'none', 0, fallback);
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
      return hypergradResult(grad, method, t0, 'forward', sol.iterations);
    }

    const w = squared ? null : sol.weights!;
    const sys: SupportSystem = { d: this.design, cols: S, ones, w, ridge: l2 };
    const g = new Float64Array(m);
    g.set(gS);
    if (ones) g[s] = gB;

    if (method === 'implicit') {
      const v = negated(g);
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
      if (this.model === 'lasso' || this.model === 'logreg') {
        // c = λ[s; 0]: one pass, the same sums as contractAdjoint
        grad[0] = signedSum(S, sol.beta, lam[0]!, v);
      } else contractAdjoint(SUPPORT_MODELS[this.model].rhs(sol, supportSigns(sol.beta, S), m), v, grad);
      return hypergradResult(grad, method, t0, solver, iters);
    }

    if (method === 'implicit-forward') {
      const jr = jacobianCD(sys, SUPPORT_MODELS[this.model].rhs(sol, supportSigns(sol.beta, S), m), g, grad, this.jacState, opts, this.gram);
      this.jacState = jr.state;
      return hypergradResult(grad, method, t0, 'cd', jr.iterations);
    }
    throw new InvalidArgumentError(`${where}(): method must be 'implicit' | 'implicit-forward' | 'forward', got ${String(method)}`);
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

  /** Predictions Xβ̂ + b̂ on new rows (logreg: the linear predictor); `out` (@internal): written there when it has that length. */
  predict(sol: InnerSolution, X: DesignMatrix, rows?: RowRange, out?: Float64Array): Float64Array {
    if (X.nCols !== this.p) throw new ShapeError(`SparseProblem.predict(): X has ${X.nCols} columns, the model was trained on ${this.p}`);
    return predictLinear(X, sol.beta, sol.support, sol.intercept, rows, out);
  }

  /**
   * Gradient of C with respect to (β_S, b) from u = ∂C/∂(predictions on X): squared loss
   * gS = (X_S − 1μ_Sᵀ)ᵀu, gB = 0 (intercept determined by β̂); logreg gS = X_Sᵀu, gB = Σu.
   */
  pullback(sol: InnerSolution, X: DesignMatrix, u: Float64Array, rows?: RowRange): { gS: Float64Array; gB: number } {
    const m = rows === undefined ? X.nRows : rows.count;
    if (u.length !== m) throw new ShapeError(`SparseProblem.pullback(): u has ${u.length} entries, X has ${m} rows`);
    const S = sol.support;
    const gS = new Float64Array(S.length);
    let us = 0;
    for (let i = 0; i < u.length; i++) us += u[i]!;
    const squared = this.model !== 'logreg';
    const mu = this.design.colMeans;
    // gS_t = X_S,tᵀu − μ_t·Σu (squared loss, centred)
    const centred = squared && this.design.centered;
    if (X.kind === 'dense') {
      if (rows !== undefined) checkRange(X, rows);
      // X_S,tᵀu summed as the kernels' dot4 sums (`laneDot`): in WebAssembly when X is a design
      // memory (the CLI's parsed CSV, held-out rows read in place), else in JavaScript — the same bits
      const D = X.data;
      const ld = X.nRows;
      const r0 = rows === undefined ? 0 : rows.start;
      let t = pullbackKernel(X, S, u, r0, gS);
      for (; t + 4 <= S.length; t += 4) laneDot4(D, S[t]! * ld + r0, S[t + 1]! * ld + r0, S[t + 2]! * ld + r0, S[t + 3]! * ld + r0, u, m, gS, t);
      for (; t < S.length; t++) gS[t] = laneDot(D, S[t]! * ld + r0, u, m);
      if (centred) for (let k = 0; k < S.length; k++) gS[k] = gS[k]! - mu[S[k]!]! * us;
    } else {
      for (let t = 0; t < S.length; t++) {
        const a = rawColDot(X, S[t]!, u, rows);
        gS[t] = centred ? a - mu[S[t]!]! * us : a;
      }
    }
    return { gS, gB: squared || !this.fitIntercept ? 0 : us };
  }
}

/** Largest |log(λ'/λ)| at which `pathPredicted` moves the warm start (past it, too many kinks). */
const PREDICT_MAX_STEP = 0.25;

/**
 * The Lasso's warm start moved along the path (round fitcpu): on a support S with fixed signs s the
 * solution is affine in λ (KKT: M β_S = X_c,Sᵀy_c/n − λs, M = X_c,SᵀX_c,S/n), so
 *   β_S(λ') = β_S(λ) + (λ − λ')·M⁻¹s,
 * exact up to the first kink between λ and λ'. From the warm solution's own support factor (its
 * refinement's, still valid: one O(|S|²) solve); a coordinate whose predicted value leaves the sign
 * of β_j starts at 0 (it leaves the support), features outside S stay at 0. Null (start from β as
 * it is) without a valid factor on exactly the warm support, at the same λ (a certificate re-solve),
 * or on a non-finite result. Only the start of the solve changes: its tolerance and certificate
 * are the same, so the result is as accurate, not bit-identical.
 */
function pathPredicted(warm: InnerSolution, lam: number): Float64Array | null {
  const f = warm.factor;
  const S = warm.support;
  const m = S.length;
  const ratio = lam / warm.lambdas[0]!;
  if (f === undefined || warm.lambdas.length !== 1 || !(Math.abs(Math.log(ratio)) <= PREDICT_MAX_STEP) || ratio === 1 || m === 0 || f.m !== m || !f.valid()) return null;
  const cols = f.cols;
  for (let t = 0; t < m; t++) if (cols[t] !== S[t]) return null;
  const beta = warm.beta;
  const v = new Float64Array(m);
  for (let t = 0; t < m; t++) v[t] = Math.sign(beta[S[t]!]!);
  f.solve(v);
  const dl = warm.lambdas[0]! - lam;
  const out = new Float64Array(beta);
  for (let t = 0; t < m; t++) {
    const j = S[t]!;
    const b = beta[j]!;
    const e = b + dl * v[t]!;
    if (!Number.isFinite(e)) return null;
    out[j] = e > 0 === b > 0 && e !== 0 ? e : 0;
  }
  return out;
}

/** −g (a small function: optimised early). */
function negated(g: Float64Array): Float64Array {
  const v = new Float64Array(g.length);
  for (let i = 0; i < g.length; i++) v[i] = -g[i]!;
  return v;
}

/** Σ_t (l·sign β_{S_t})·v_t (β_S ≠ 0), as `contractAdjoint` for c = l·s. */
function signedSum(S: Int32Array, beta: Float64Array, l: number, v: Float64Array): number {
  let acc = 0;
  for (let t = 0; t < S.length; t++) acc += (beta[S[t]!]! > 0 ? l : -l) * v[t]!;
  return acc;
}

/**
 * Consecutive rows [start, start + count) of a dense X (a contiguous CV fold's validation rows),
 * read in place instead of gathered: same arithmetic, so the same bits as on the gathered rows.
 */
export interface RowRange {
  readonly start: number;
  readonly count: number;
}

/** Dense rows only; checks the range. */
function checkRange(X: DesignMatrix, rows: RowRange): void {
  if (X.kind !== 'dense' || !(rows.start >= 0 && rows.count >= 0 && rows.start + rows.count <= X.nRows)) {
    throw new ShapeError(`row range [${rows.start}, ${rows.start + rows.count}) needs dense X with ${X.nRows} rows`);
  }
}

/** Σ_i X[i, j] u_i for a raw design (over the rows `rows` of dense X when given). */
export function rawColDot(X: DesignMatrix, j: number, u: Float64Array, rows?: RowRange): number {
  if (rows !== undefined) checkRange(X, rows);
  if (X.kind === 'dense') {
    const n = rows === undefined ? X.nRows : rows.count;
    const o = j * X.nRows + (rows === undefined ? 0 : rows.start);
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

/**
 * Σ_i D[o + i]·u[i], i < m, summed as the engine's `dot4` sums one column (kernels/wasm/lasso.wat):
 * four partial sums by i mod 4 over the first m − m mod 4 rows, a remaining pair into the first
 * two, then (s₀ + s₂) + (s₁ + s₃), then an odd last row. The held-out pull-back's order on every
 * path, so that X in a design memory (WebAssembly) and X in a plain array give the same bits.
 */
function laneDot(D: Float64Array, o: number, u: Float64Array, m: number): number {
  let a0 = 0, a1 = 0, b0 = 0, b1 = 0;
  let i = 0;
  for (; i + 3 < m; i += 4) {
    a0 += D[o + i]! * u[i]!;
    a1 += D[o + i + 1]! * u[i + 1]!;
    b0 += D[o + i + 2]! * u[i + 2]!;
    b1 += D[o + i + 3]! * u[i + 3]!;
  }
  if (i + 1 < m) {
    a0 += D[o + i]! * u[i]!;
    a1 += D[o + i + 1]! * u[i + 1]!;
    i += 2;
  }
  let s = (a0 + b0) + (a1 + b1);
  if (i < m) s += D[o + i]! * u[i]!;
  return s;
}

/**
 * `laneDot` of the four columns at o0..o3 in one pass over u (sixteen partial sums), into
 * out[t .. t + 4): the same bits, a quarter of the reads of u.
 */
function laneDot4(D: Float64Array, o0: number, o1: number, o2: number, o3: number, u: Float64Array, m: number, out: Float64Array, t: number): void {
  let a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
  let c0 = 0, c1 = 0, c2 = 0, c3 = 0, d0 = 0, d1 = 0, d2 = 0, d3 = 0;
  let i = 0;
  for (; i + 3 < m; i += 4) {
    const u0 = u[i]!, u1 = u[i + 1]!, u2 = u[i + 2]!, u3 = u[i + 3]!;
    a0 += D[o0 + i]! * u0;
    a1 += D[o0 + i + 1]! * u1;
    a2 += D[o0 + i + 2]! * u2;
    a3 += D[o0 + i + 3]! * u3;
    b0 += D[o1 + i]! * u0;
    b1 += D[o1 + i + 1]! * u1;
    b2 += D[o1 + i + 2]! * u2;
    b3 += D[o1 + i + 3]! * u3;
    c0 += D[o2 + i]! * u0;
    c1 += D[o2 + i + 1]! * u1;
    c2 += D[o2 + i + 2]! * u2;
    c3 += D[o2 + i + 3]! * u3;
    d0 += D[o3 + i]! * u0;
    d1 += D[o3 + i + 1]! * u1;
    d2 += D[o3 + i + 2]! * u2;
    d3 += D[o3 + i + 3]! * u3;
  }
  if (i + 1 < m) {
    const u0 = u[i]!, u1 = u[i + 1]!;
    a0 += D[o0 + i]! * u0;
    a1 += D[o0 + i + 1]! * u1;
    b0 += D[o1 + i]! * u0;
    b1 += D[o1 + i + 1]! * u1;
    c0 += D[o2 + i]! * u0;
    c1 += D[o2 + i + 1]! * u1;
    d0 += D[o3 + i]! * u0;
    d1 += D[o3 + i + 1]! * u1;
    i += 2;
  }
  let sa = (a0 + a2) + (a1 + a3), sb = (b0 + b2) + (b1 + b3), sc = (c0 + c2) + (c1 + c3), sd = (d0 + d2) + (d1 + d3);
  if (i < m) {
    const ui = u[i]!;
    sa += D[o0 + i]! * ui;
    sb += D[o1 + i]! * ui;
    sc += D[o2 + i]! * ui;
    sd += D[o3 + i]! * ui;
  }
  out[t] = sa;
  out[t + 1] = sb;
  out[t + 2] = sc;
  out[t + 3] = sd;
}

/** Staging layout of the design-memory kernels below (float64 entries): coefficients, sums, the vector. */
const ST_COEF = 0, ST_SUM = 4, ST_VEC = 8;

/**
 * The pull-back's sums X_S,tᵀu for the first ⌊|S|/4⌋·4 support columns by the engine's dot4 when
 * X is a design memory (kernels/wasm_lasso.ts `designKernels`: its held-out rows r0 .. r0 + m read
 * in place), written to gS; returns how many columns it did (0 without the kernels).
 */
function pullbackKernel(X: DenseDesign, S: Int32Array, u: Float64Array, r0: number, gS: Float64Array): number {
  const m = u.length;
  const s4 = S.length - (S.length % 4);
  if (s4 === 0) return 0;
  const k = designKernels(X.data, ST_VEC + m);
  if (k === null) return 0;
  const st = k.stage;
  const base = st.byteOffset;
  st.set(u, ST_VEC);
  const ld = 8 * X.nRows;
  const o = 8 * r0;
  for (let t = 0; t < s4; t += 4) {
    k.dot4(m, S[t]! * ld + o, S[t + 1]! * ld + o, S[t + 2]! * ld + o, S[t + 3]! * ld + o, base + 8 * ST_VEC, base + 8 * ST_SUM);
    gS[t] = st[ST_SUM]!;
    gS[t + 1] = st[ST_SUM + 1]!;
    gS[t + 2] = st[ST_SUM + 2]!;
    gS[t + 3] = st[ST_SUM + 3]!;
  }
  return s4;
}

/**
 * Xβ + b over the support of a dense X (rows `rows` when given), the columns added one at a time
 * in support order (out_i ← out_i + β_j·x_ij): by the engine's axpy4 when X is a design memory
 * (coefficients −β: r − (−β)x = r + βx exactly; four columns per call), in JavaScript otherwise
 * and for the last |S| mod 4 columns — the same bits on both paths (`predictLinear` of dense X).
 */
function predictDense(X: DenseDesign, beta: Float64Array, S: Int32Array, intercept: number, rows?: RowRange, into?: Float64Array): Float64Array {
  if (rows !== undefined) checkRange(X, rows);
  const n = rows === undefined ? X.nRows : rows.count;
  const ld = X.nRows;
  const r0 = rows === undefined ? 0 : rows.start;
  const out = (into !== undefined && into.length === n ? into : new Float64Array(n)).fill(intercept);
  const D = X.data;
  let t = 0;
  const s4 = S.length - (S.length % 4);
  const k = s4 > 0 ? designKernels(D, ST_VEC + n) : null;
  if (k !== null) {
    const st = k.stage;
    const base = st.byteOffset;
    st.set(out, ST_VEC);
    for (; t < s4; t += 4) {
      const j0 = S[t]!, j1 = S[t + 1]!, j2 = S[t + 2]!, j3 = S[t + 3]!;
      st[ST_COEF] = -beta[j0]!;
      st[ST_COEF + 1] = -beta[j1]!;
      st[ST_COEF + 2] = -beta[j2]!;
      st[ST_COEF + 3] = -beta[j3]!;
      k.axpy4(n, 8 * (j0 * ld + r0), 8 * (j1 * ld + r0), 8 * (j2 * ld + r0), 8 * (j3 * ld + r0), base + 8 * ST_COEF, base + 8 * ST_VEC);
    }
    out.set(st.subarray(ST_VEC, ST_VEC + n));
  }
  // eight, then four columns per pass over `out`, added left to right ((out + b0·x0) + b1·x1) + …,
  // as successive axpy4 calls add them
  for (; t + 8 <= S.length; t += 8) {
    const j0 = S[t]!, j1 = S[t + 1]!, j2 = S[t + 2]!, j3 = S[t + 3]!, j4 = S[t + 4]!, j5 = S[t + 5]!, j6 = S[t + 6]!, j7 = S[t + 7]!;
    const b0 = beta[j0]!, b1 = beta[j1]!, b2 = beta[j2]!, b3 = beta[j3]!, b4 = beta[j4]!, b5 = beta[j5]!, b6 = beta[j6]!, b7 = beta[j7]!;
    const o0 = j0 * ld + r0, o1 = j1 * ld + r0, o2 = j2 * ld + r0, o3 = j3 * ld + r0;
    const o4 = j4 * ld + r0, o5 = j5 * ld + r0, o6 = j6 * ld + r0, o7 = j7 * ld + r0;
    for (let i = 0; i < n; i++) {
      out[i] = out[i]! + b0 * D[o0 + i]! + b1 * D[o1 + i]! + b2 * D[o2 + i]! + b3 * D[o3 + i]! + b4 * D[o4 + i]! + b5 * D[o5 + i]! + b6 * D[o6 + i]! + b7 * D[o7 + i]!;
    }
  }
  for (; t + 4 <= S.length; t += 4) {
    const j0 = S[t]!, j1 = S[t + 1]!, j2 = S[t + 2]!, j3 = S[t + 3]!;
    const b0 = beta[j0]!, b1 = beta[j1]!, b2 = beta[j2]!, b3 = beta[j3]!;
    const o0 = j0 * ld + r0, o1 = j1 * ld + r0, o2 = j2 * ld + r0, o3 = j3 * ld + r0;
    for (let i = 0; i < n; i++) out[i] = out[i]! + b0 * D[o0 + i]! + b1 * D[o1 + i]! + b2 * D[o2 + i]! + b3 * D[o3 + i]!;
  }
  for (; t < S.length; t++) {
    const j = S[t]!;
    const b = beta[j]!;
    const o = j * ld + r0;
    for (let i = 0; i < n; i++) out[i] = out[i]! + b * D[o + i]!;
  }
  return out;
}

/**
 * Xβ + b over the support (raw design; the rows `rows` of dense X when given), into `into` when it
 * has that length (else a new array).
 */
export function predictLinear(X: DesignMatrix, beta: Float64Array, support: Int32Array, intercept: number, rows?: RowRange, into?: Float64Array): Float64Array {
  if (X.kind === 'dense') return predictDense(X, beta, support, intercept, rows, into);
  if (rows !== undefined) checkRange(X, rows);
  const n = rows === undefined ? X.nRows : rows.count;
  const out = (into !== undefined && into.length === n ? into : new Float64Array(n)).fill(intercept);
  for (let t = 0; t < support.length; t++) {
    const j = support[t]!;
    const b = beta[j]!;
    for (let k = X.indptr[j]!; k < X.indptr[j + 1]!; k++) out[X.indices[k]!] += b * X.values[k]!;
  }
  return out;
}
