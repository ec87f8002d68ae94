/**
 * @file Outer criteria for hyperparameter optimisation of Lasso-type models. Each criterion maps
 * the hyperparameters λ (lasso/logreg [λ], enet [λ₁, λ₂], wlasso [λ_1..λ_p]) to a value and its
 * gradient with respect to θ = log λ, using the inner solutions and hypergradients of
 * `SparseProblem` (src/lasso/hypergrad.ts). Warm starts (β, Jacobian, adjoint) live in the
 * problems, so successive evaluations are cheap.
 *
 * - `HeldOutCriterion`: train on (X_tr, y_tr), evaluate on (X_val, y_val):
 *     MSE   C = (1/n_val)‖y_val − X_valβ̂ − b̂‖²,             ∂C/∂pred = 2(pred − y_val)/n_val;
 *     logistic C = (1/n_val)Σ log(1 + exp(−y_i a_i)),          ∂C/∂a_i = −y_i σ(−y_i a_i)/n_val
 *   (logistic for `logreg`, MSE otherwise); the gradient is pulled back through the intercept
 *   (see hypergrad.ts) and contracted with the hypergradient.
 * - `CrossValCriterion`: K-fold cross-validation, C = (1/K) Σ_k C_k (unweighted mean over folds, as
 *   scikit-learn's LassoCV `mse_path_.mean(axis=1)`); contiguous folds by default (sklearn KFold),
 *   a seeded shuffle on request; each fold has its own `SparseProblem`, hence its own warm starts.
 * - `SureCriterion`: Stein's unbiased risk estimate by finite-difference Monte Carlo (SUGAR,
 *   Deledalle et al. 2014), per sample:
 *     SURE(λ) = (‖y − ŷ(y)‖² − nσ² + 2σ²·dof)/n,   dof = δᵀ(ŷ(y + εδ) − ŷ(y))/ε,
 *   with δ ~ N(0, I_n) fixed (seeded) and ε = 2σ/n^0.3 unless given. ŷ includes the intercept.
 *   SURE estimates the risk E‖ŷ − Xβ*‖²/n (no noise term: about σ² below a CV / held-out MSE).
 *   Closed form for the Lasso with an intercept: dof = |S| + 1; on a support that the perturbation
 *   keeps, the probe equals δᵀP_Sδ (P_S: projection onto span(1, X_S)), unbiased with standard
 *   deviation √(2(|S| + 1)) — one probe is noisy, and a support change between y and y + εδ makes
 *   it jump: the curve is jagged in λ by construction (docs/lasso.md; test/hpo.sure_dof.test.ts).
 *   Gradient: dSURE/dθ = [u₁ᵀ dŷ(y)/dθ + u₂ᵀ dŷ(y+εδ)/dθ] with
 *     u₁ = (2(ŷ(y) − y) − 2σ²δ/ε)/n,   u₂ = 2σ²δ/(εn),
 *   i.e. two hypergradients, one per inner problem.
 *   σ: known (`sigma`) or ESTIMATED by the scaled Lasso (Sun & Zhang 2012) with the universal
 *   level λ₀ = √(2 log p / n): iterate β̂ = Lasso(λ = σλ₀), σ ← ‖y − ŷ‖/√n to a fixed point, then
 *   apply the degrees-of-freedom correction of Reid, Tibshirani & Friedman (2016):
 *   σ̂² = ‖y − ŷ‖² / (n − |Ŝ| − 1) (−1 for the intercept; −0 without).
 */
import type { DesignMatrix } from '../data/dataset.js';
import type { DenseDesign } from '../data/matrix.js';
import { kFoldIndices, takeRows } from '../data/dataset.js';
import { rng } from '../core/rng.js';
import { InvalidArgumentError, ShapeError } from '../core/errors.js';
import {
  SparseProblem, rawColDot, type HypergradOptions, type RowRange, type InnerSolution, type SparseModelKind,
} from '../lasso/hypergrad.js';
import { sigmoidScalar as sigmoid, softplusScalar as log1pExp } from '../ops/unary.js';
import { lasso, offerResidual } from '../lasso/cd.js';
import { checkTarget, makeTarget, toSignedLabels } from '../lasso/models.js';
import { checkedDesign, disposeDesign, isPreparedDesign, prepareRows, resolveDesign, type PreparedDesign } from '../lasso/design.js';
import { createEngine, designRawDots, isDesignMemory, releaseEngine, spareView } from '../kernels/wasm_lasso.js';
import {
  foldStatistics, installFoldGrams, installFullGram, lazyFoldDesign, releaseValidationGram, validationMse,
  type FoldStatistics, type FoldTarget, type FullGram, type ValidationGram,
} from '../lasso/fold_gram.js';
import { GRAM_MAX_P } from '../lasso/quad_gram.js';
import { looseGramSolve } from '../lasso/gram_loose.js';
import { setGramKktTarget } from '../lasso/gram_refine.js';
import { useWasm } from '../kernels/engine.js';

/** Options of one criterion evaluation. */
export interface EvaluateOptions extends HypergradOptions {
  /** Inner tolerance (see `InnerOptions.tol`). Default 1e-4 (logreg 1e-6). */
  readonly tol?: number;
  /** Inner epoch budget. */
  readonly maxIter?: number;
  /** Compute the hypergradient (default true; false = value only, e.g. grid search). */
  readonly gradient?: boolean;
  /**
   * Certify every inner solution (default true): after the solve at `tol` (warm-started) and the
   * Newton refinement on the support, the relative KKT violation (`kktViolation`, first-order
   * optimality of the convex inner problem) must be ≤ `kktTol`; otherwise the solve is repeated
   * with the tolerance divided by 100 (warm-started) down to 1e-12. So a loose `tol` only decides
   * where the work starts, never the accuracy of a value, λ or hypergradient that is reported or
   * compared (a warm start that a loose gap test accepts unchanged is caught here). `false`: one
   * solve at `tol`, as accurate as that tolerance makes it.
   */
  readonly certify?: boolean;
  /** Relative KKT violation accepted as optimal by `certify`. Default 1e-9. */
  readonly kktTol?: number;
}

/** Smallest inner tolerance `certify` goes down to. */
export const CERTIFY_TOL_FLOOR = 1e-12;

/** Inner-solver statistics of one evaluation (summed over the problems solved). */
export interface InnerStats {
  /** Number of inner solves. */
  solves: number;
  /** Inner epochs in total. */
  epochs: number;
  /** All inner solves converged. */
  converged: boolean;
  /** Time in the inner solvers (ms). */
  solveMs: number;
  /** Refinement + diagnostics (ms). */
  postMs: number;
  /** Hypergradient linear systems (ms). */
  hypergradMs: number;
  /** Jacobian epochs / CG iterations in total. */
  jacIterations: number;
  /** Every inner solution passed the KKT certificate (`certify`); false when not requested. */
  certified: boolean;
  /** Smallest inner tolerance used (the certificate tightens it). */
  finalTol: number;
}

/** Aggregated invertibility diagnostics of one evaluation. */
export interface EvaluationDiagnostics {
  ok: boolean;
  /** Number of kink coordinates (summed over problems). */
  kinks: number;
  rankDeficient: boolean;
  /** Largest relative KKT violation. */
  kktViolation: number;
  messages: string[];
}

/** Value and hypergradient of a criterion at λ. */
export interface CriterionEvaluation {
  readonly lambdas: Float64Array;
  readonly value: number;
  /** d value / d log λ, or null when not requested. */
  readonly gradient: Float64Array | null;
  /** Support size (mean over the problems for CV / SURE). */
  readonly supportSize: number;
  readonly inner: InnerStats;
  readonly diagnostics: EvaluationDiagnostics;
  /** Value (and gradient) finite. */
  readonly finite: boolean;
}

/** What the outer optimisers need from a criterion. */
export interface Criterion {
  readonly name: 'heldout' | 'cv' | 'sure';
  readonly model: SparseModelKind;
  /** Number of hyperparameters. */
  readonly nHyper: number;
  /** λ_max of the (full) training data, the top of the search range. */
  readonly lambdaMax: number;
  /**
   * Optional: the size of the inner problems — `rows`, the training rows of the largest one (CV:
   * the largest fold's), and `features`, the columns of X. The line search's end look reads it
   * (`OuterOptions.init`: only problems with features ≤ rows get it); without it, no end look.
   */
  readonly shape?: { readonly rows: number; readonly features: number };
  evaluate(lambdas: ArrayLike<number> | number, opts?: EvaluateOptions): CriterionEvaluation;
  /**
   * Optional: the evaluations of a run of points, as `evaluate` would give them one after the other
   * (same values, same warm starts), possibly computed in another order — cross-validation takes
   * the points fold by fold, so each fold's cached Gram matrices stay in cache along its path. `ms`:
   * the time spent on each point.
   */
  evaluateMany?(lambdas: readonly (ArrayLike<number> | number)[], opts?: EvaluateOptions): { evaluations: CriterionEvaluation[]; ms: Float64Array };
  /** Forget every warm start. */
  resetWarmStart(): void;
  /**
   * Optional hint: about `evaluations` value evaluations along a warm-started path follow (grid
   * search), so the inner solvers may choose their mode up front (the Gram mode on tall folds).
   */
  planEvaluations?(evaluations: number): void;
  /**
   * Optional: start the next evaluation from the inner solutions that an earlier value-only,
   * uncertified evaluation at exactly these λ computed (grid search certifies its decisive points from
   * the loose path's solutions at the same λ instead of from zero). Returns false when none is kept
   * (the warm start is then unchanged).
   */
  warmStartAt?(lambdas: ArrayLike<number>): boolean;
  /** Release the prepared designs (optional; the criterion must not be used afterwards). */
  dispose?(): void;
}

/** A labelled set: a design and a target (a `Dataset` fits). */
export interface LabelledSet {
  readonly X: DesignMatrix;
  readonly y: ArrayLike<number>;
}

/**
 * The name a criterion's inner problems use in their errors: the public function that built the
 * criterion (`tuneLasso`, `LassoHO.fit`…), or `<Class>.evaluate` for a criterion built directly
 * (a bad λ is then an argument of `evaluate`).
 */
function problemNames(fn: string, cls: string): [string, string] {
  return fn === cls ? [cls, `${cls}.evaluate`] : [fn, fn];
}

function emptyStats(): InnerStats {
  return { solves: 0, epochs: 0, converged: true, solveMs: 0, postMs: 0, hypergradMs: 0, jacIterations: 0, certified: true, finalTol: Infinity };
}

/** Adds the inner statistics of `b` to `a` (CV folds). */
function mergeStats(a: InnerStats, b: InnerStats): void {
  a.solves += b.solves;
  a.epochs += b.epochs;
  a.converged = a.converged && b.converged;
  a.solveMs += b.solveMs;
  a.postMs += b.postMs;
  a.hypergradMs += b.hypergradMs;
  a.jacIterations += b.jacIterations;
  a.certified = a.certified && b.certified;
  a.finalTol = Math.min(a.finalTol, b.finalTol);
}

/**
 * Solves `problem` at λ and, with `certify` (default), repeats the warm-started solve at a 100×
 * tighter tolerance until the refined solution satisfies the KKT conditions to `kktTol` (see
 * `EvaluateOptions.certify`). Every solve is counted in `st`.
 */
function solveCertified(
  problem: SparseProblem, lambdas: ArrayLike<number> | number, o: EvaluateOptions, st: InnerStats, store?: LooseStore,
): InnerSolution {
  const certify = o.certify ?? true;
  let tol = o.tol ?? (problem.model === 'logreg' ? 1e-6 : 1e-4);
  const kktTol = o.kktTol ?? 1e-9;
  // the certified Gram-mode solves decide from G only when their rounding leaves room for kktTol
  // (lasso/gram_refine.ts)
  if (certify) setGramKktTarget(problem, kktTol);
  for (;;) {
    const io = { ...stripEvaluate(o), tol };
    // an uncertified value-only point of a Gram-mode path: the loose Gram solve (lasso/gram_loose.ts),
    // started from its path predictor on a decreasing grid
    const loose = !certify ? looseGramSolve(problem, lambdas, io, true) : null;
    if (loose !== null) store?.keep(loose);
    const sol = loose ?? problem.solve(lambdas, io);
    addSolve(st, sol);
    st.finalTol = Math.min(st.finalTol, tol);
    if (!certify) {
      st.certified = false;
      return sol;
    }
    if (sol.diagnostics.kktViolation <= kktTol) return sol;
    if (tol <= CERTIFY_TOL_FLOOR) {
      st.certified = false;
      return sol;
    }
    tol = Math.max(tol * 1e-2, CERTIFY_TOL_FLOOR);
  }
}

/**
 * The loose Gram-mode solutions of a problem's grid path by λ (lasso: one hyperparameter; light: β
 * and the support, the residual computed only if read), for `Criterion.warmStartAt`. At most
 * `LOOSE_KEEP` of them; dropped with the criterion.
 */
class LooseStore {
  private readonly byLambda = new Map<number, InnerSolution>();
  keep(sol: InnerSolution): void {
    if (sol.lambdas.length === 1 && this.byLambda.size < LOOSE_KEEP) this.byLambda.set(sol.lambdas[0]!, sol);
  }
  get(lambdas: ArrayLike<number>): InnerSolution | undefined {
    return lambdas.length === 1 ? this.byLambda.get(lambdas[0]!) : undefined;
  }
  clear(): void {
    this.byLambda.clear();
  }
}

/** Most loose solutions a problem keeps for `warmStartAt` (a grid path is 100 λ by default). */
const LOOSE_KEEP = 1000;

/** The options of `SparseProblem.solve` / `hypergradient` among the evaluation options. */
function stripEvaluate(o: EvaluateOptions): EvaluateOptions {
  const { gradient: _g, certify: _c, kktTol: _k, ...rest } = o;
  return rest;
}

function addSolve(st: InnerStats, sol: InnerSolution): void {
  st.solves++;
  st.epochs += sol.iterations;
  st.converged = st.converged && sol.converged;
  st.solveMs += sol.timings.solveMs;
  st.postMs += sol.timings.postMs;
}

function emptyDiag(): EvaluationDiagnostics {
  return { ok: true, kinks: 0, rankDeficient: false, kktViolation: 0, messages: [] };
}

function addDiag(dg: EvaluationDiagnostics, sol: InnerSolution, where: string): void {
  const s = sol.diagnostics;
  dg.kinks += s.kinks.length;
  dg.rankDeficient = dg.rankDeficient || s.rankDeficient;
  if (Number.isFinite(s.kktViolation)) dg.kktViolation = Math.max(dg.kktViolation, s.kktViolation);
  if (!s.ok) {
    dg.ok = false;
    for (const m of s.messages) dg.messages.push(where ? `${where}: ${m}` : m);
  }
}

function allFinite(v: Float64Array | null): boolean {
  if (v === null) return true;
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i]!)) return false;
  return true;
}

/**
 * In the loop we collect diagnostics instead of failing on every call. The certificate needs the
 * refinement and the KKT diagnostics; without it, value-only evaluations skip both.
 */
function innerOpts(opts: EvaluateOptions): EvaluateOptions {
  const valueOnly = opts.gradient === false;
  const certify = opts.certify ?? true;
  return {
    ...opts,
    // failed invertibility is collected in the diagnostics (tuneLasso reports it), not thrown
    onFailure: opts.onFailure ?? 'return',
    refine: certify ? true : (opts.refine ?? !valueOnly),
    checks: certify ? true : (opts.checks ?? !valueOnly),
  };
}

/**
 * Held-out criterion: MSE on a validation set (logistic loss for `logreg`).
 *
 * @example
 * const crit = new HeldOutCriterion({ X: Xtr, y: ytr }, { X: Xval, y: yval }, 'lasso');
 * const ev = crit.evaluate([0.05], { tol: 1e-6 });
 * ev.value; ev.gradient![0]; // d MSE / d log λ
 */
export class HeldOutCriterion implements Criterion {
  readonly name = 'heldout' as const;
  readonly model: SparseModelKind;
  readonly problem: SparseProblem;
  /** The validation rows (for a streamed CV fold with `valRows`: the whole X, see `valRows`). */
  readonly Xval: DesignMatrix;
  /** @internal The validation rows as a range of `Xval`'s rows (streamed contiguous CV folds), else undefined. */
  readonly valRows: RowRange | undefined;
  /** Validation targets (±1 labels for logreg). */
  readonly yval: Float64Array;
  /** The loose path's solutions by λ (`warmStartAt`). */
  private readonly loose = new LooseStore();
  /** The validation block's Gram quantities (CV folds, lasso/fold_gram.ts): value-only MSE in O(|S|²). */
  private valGram: ValidationGram | null = null;

  /**
   * @param fn - @internal the public function named in errors (default `'HeldOutCriterion'`;
   *   `tuneLasso`, `makeCriterion`… pass their own name)
   */
  constructor(
    train: LabelledSet | SparseProblem, val: LabelledSet, model: SparseModelKind, opts: { fitIntercept?: boolean } = {}, fn = 'HeldOutCriterion',
    valRows?: RowRange, yval?: Float64Array,
  ) {
    this.model = model;
    this.problem = train instanceof SparseProblem ? train : new SparseProblem(train.X, train.y, model, opts, ...problemNames(fn, 'HeldOutCriterion'));
    if (val === null || typeof val !== 'object' || val.X === undefined) throw new InvalidArgumentError(`${fn}(): the validation set must be { X, y }`);
    // @internal `valRows`: val.X is a checked dense matrix (a CV fold's whole X) and the validation
    // rows are its rows [start, start + count), read in place
    const Xval = valRows !== undefined ? (val.X as DesignMatrix) : checkedDesign(val.X, fn, 'validation X');
    if (Xval.nCols !== this.problem.p) {
      throw new ShapeError(`${fn}(): validation X has ${Xval.nCols} columns, training X has ${this.problem.p}`);
    }
    this.valRows = valRows;
    this.Xval = Xval;
    // @internal `yval`: the converted validation targets of an earlier build of the same CV fold
    const m = valRows !== undefined ? valRows.count : Xval.nRows;
    if (yval !== undefined && yval.length === m) this.yval = yval;
    else {
      const yv = checkTarget(val.y, m, fn, 'validation y');
      this.yval = model === 'logreg' ? toSignedLabels(yv, fn, 'validation y') : yv;
    }
  }

  get nHyper(): number {
    return this.problem.nHyper;
  }

  get lambdaMax(): number {
    return this.problem.lambdaMax;
  }

  /** The inner problem's size: its training rows and features (see `Criterion.shape`). */
  get shape(): { rows: number; features: number } {
    return { rows: this.problem.n, features: this.problem.p };
  }

  resetWarmStart(): void {
    this.problem.resetWarmStart();
  }

  /**
   * Hint from grid search: about `evaluations` warm-started evaluations follow (see
   * `Criterion.planEvaluations`; a tall dense training set then solves in the Gram mode at once).
   *
   * @example
   * crit.planEvaluations(100); // before a 100-λ path
   */
  planEvaluations(evaluations: number): void {
    this.problem.planSolves(evaluations);
  }

  /**
   * @internal Value-only evaluations take the validation MSE from these Gram quantities of the
   * validation rows (`validationMse`) instead of predicting every row (squared loss only).
   */
  setValidationGram(v: ValidationGram | null): void {
    if (this.valGram !== null && this.valGram !== v) releaseValidationGram(this.valGram);
    this.valGram = this.model === 'logreg' ? null : v;
  }

  /**
   * Warm-starts the next evaluation from the loose solution kept at exactly these λ (see
   * `Criterion.warmStartAt`); false when there is none.
   *
   * @example
   * crit.evaluate([0.05], { gradient: false, certify: false }); // a loose grid point
   * crit.warmStartAt([0.05]); crit.evaluate([0.05]);            // certified from it
   */
  warmStartAt(lambdas: ArrayLike<number>): boolean {
    const sol = this.loose.get(lambdas);
    if (sol === undefined) return false;
    this.problem.warmStartFrom(sol);
    return true;
  }

  dispose(): void {
    this.loose.clear();
    if (this.valGram !== null) releaseValidationGram(this.valGram);
    this.valGram = null;
    this.problem.dispose();
  }

  /**
   * Value of the validation loss and ∂C/∂prediction for a solution (`into`, @internal: the buffer
   * for the predictions, then u).
   */
  lossAndAdjoint(sol: InnerSolution, into?: Float64Array): { value: number; u: Float64Array } {
    const pred = this.problem.predict(sol, this.Xval, this.valRows, into);
    const y = this.yval;
    const m = y.length;
    // u overwrites the predictions entry by entry (each read before it is written): one m-vector
    const u = pred;
    let v = 0;
    if (this.model === 'logreg') {
      for (let i = 0; i < m; i++) {
        const ya = y[i]! * pred[i]!;
        v += log1pExp(-ya);
        u[i] = (-y[i]! * sigmoid(-ya)) / m;
      }
    } else {
      for (let i = 0; i < m; i++) {
        const e = pred[i]! - y[i]!;
        v += e * e;
        u[i] = (2 * e) / m;
      }
    }
    return { value: v / m, u };
  }

  /**
   * @internal The value-only evaluations of a run of points along this fold's path (CV's
   * `evaluateMany`) with the validation Gram (`setValidationGram`): every solve of the run first,
   * then every value (`validationMse`) — the solves read the fold's G and the values its H, so each
   * p×p matrix stays in the core's cache through its own phase instead of H evicting G at every
   * point. The same solves and values as `evaluate` point by point, bit for bit; the time of point
   * i is added to `ms[i]`. null (nothing done) without a validation Gram or with a gradient asked.
   */
  evaluateRun(lambdas: readonly (ArrayLike<number> | number)[], opts: EvaluateOptions, ms: Float64Array): CriterionEvaluation[] | null {
    const vg = opts.gradient === false ? this.valGram : null;
    if (vg === null) return null;
    const o = innerOpts(opts);
    const m = lambdas.length;
    const sols: InnerSolution[] = [];
    const sts: InnerStats[] = [];
    for (let i = 0; i < m; i++) {
      const t = performance.now();
      const st = emptyStats();
      sols.push(solveCertified(this.problem, lambdas[i]!, o, st, this.loose));
      sts.push(st);
      ms[i] += performance.now() - t;
    }
    const evs: CriterionEvaluation[] = [];
    for (let i = 0; i < m; i++) {
      const t = performance.now();
      const sol = sols[i]!;
      const dg = emptyDiag();
      addDiag(dg, sol, '');
      const value = validationMse(vg, sol.beta, sol.support, sol.intercept);
      evs.push({ lambdas: sol.lambdas, value, gradient: null, supportSize: sol.support.length, inner: sts[i]!, diagnostics: dg, finite: Number.isFinite(value) });
      ms[i] += performance.now() - t;
    }
    return evs;
  }

  evaluate(lambdas: ArrayLike<number> | number, opts: EvaluateOptions = {}): CriterionEvaluation {
    const o = innerOpts(opts);
    const st = emptyStats();
    const dg = emptyDiag();
    const sol = solveCertified(this.problem, lambdas, o, st, this.loose);
    addDiag(dg, sol, '');
    const vg = opts.gradient === false ? this.valGram : null;
    let value: number;
    let u: Float64Array | null = null;
    if (vg !== null) {
      value = validationMse(vg, sol.beta, sol.support, sol.intercept);
    } else {
      // u lives only in this call: the reused prediction buffer (taken while in use, see `predBuffer`)
      const buf = predBuffer;
      predBuffer = null;
      ({ value, u } = this.lossAndAdjoint(sol, buf ?? undefined));
    }
    let gradient: Float64Array | null = null;
    if (opts.gradient !== false && u !== null) {
      const { gS, gB } = this.problem.pullback(sol, this.Xval, u, this.valRows);
      const hg = this.problem.hypergradient(sol, gS, gB, stripEvaluate(o));
      gradient = hg.gradient;
      st.hypergradMs += hg.timeMs;
      st.jacIterations += hg.iterations;
    }
    if (u !== null) predBuffer = u;
    return {
      lambdas: sol.lambdas, value, gradient, supportSize: sol.support.length, inner: st, diagnostics: dg,
      finite: Number.isFinite(value) && allFinite(gradient),
    };
  }
}

/**
 * The predictions / adjoint vector of the last held-out evaluation, reused by the next one of the
 * same validation size (CV folds evaluate hundreds of times: no m-vector of garbage each, issue 12).
 */
let predBuffer: Float64Array | null = null;

/** Disposes a streamed fold and its design (prepared by `prepareRows`, not owned by its problem). */
function dropFold(f: HeldOutCriterion): void {
  f.dispose();
  disposeDesign(f.problem.design);
}

/**
 * Memory policy of `CrossValCriterion`: when the folds' copies of the rows (about 2·(K − 1) + 1
 * copies of X: each fold's training rows, the solver's prepared copy of them, its validation rows)
 * would exceed `residentBytes`, the folds are rebuilt one at a time at every evaluation, warm
 * starts carried over, so the peak is about X plus one fold. Default 512 MiB. `lazyRows` (default
 * true): when a planned grid follows (`tuneLasso` with `optimizer: 'grid'`), resident dense folds
 * with an intercept take their designs from one-pass statistics, the rows gathered only when read
 * (lasso/fold_gram.ts `lazyFoldDesign`); false: always prepared up front.
 *
 * @example
 * cvFoldMemory.residentBytes = 0; // always stream the folds (tests)
 */
export const cvFoldMemory: { residentBytes: number; lazyRows: boolean } = { residentBytes: 512 * 2 ** 20, lazyRows: true };

/** A lazy fold design's inputs (`CrossValCriterion` with `crossValForGrid`): the fold's y, its target and its statistics. */
interface LazyFold {
  y: Float64Array;
  target: FoldTarget;
  stats: FoldStatistics;
}

/** Set by `crossValForGrid` for the next `CrossValCriterion` constructor only. */
let lazyNext = false;

/**
 * @internal `new CrossValCriterion(X, y, model, opts, fn)` when a planned grid follows (`tuneLasso`
 * with `optimizer: 'grid'`): the resident dense folds with an intercept then take lazy designs
 * (lasso/fold_gram.ts `lazyFoldDesign`: no rows gathered or centred unless read; see
 * {@link cvFoldMemory}). A gradient search reads the fold rows anyway and gets prepared ones.
 *
 * @example
 * const cv = crossValForGrid(X, y, 'lasso', { folds: 5 }, 'tuneLasso');
 */
export function crossValForGrid(
  X: DesignMatrix, y: ArrayLike<number>, model: SparseModelKind, opts: { folds?: number; shuffle?: boolean; seed?: number; fitIntercept?: boolean }, fn: string,
): CrossValCriterion {
  lazyNext = true;
  try {
    return new CrossValCriterion(X, y, model, opts, fn);
  } finally {
    lazyNext = false;
  }
}

/**
 * K-fold cross-validation of the held-out loss (contiguous folds by default; `shuffle` with a seed).
 *
 * @example
 * const cv = new CrossValCriterion(X, y, 'lasso', { folds: 5 });
 * cv.evaluate([0.05]).value; // mean validation MSE over the 5 folds
 */
export class CrossValCriterion implements Criterion {
  readonly name = 'cv' as const;
  readonly model: SparseModelKind;
  readonly lambdaMax: number;
  /** The inner problems' size: the largest fold's training rows, the columns of X. */
  readonly shape: { readonly rows: number; readonly features: number };
  /** Row indices of every fold. */
  readonly foldIndices: { train: Int32Array; val: Int32Array }[];
  /**
   * True when the folds are rebuilt one at a time at every evaluation (their copies of the rows
   * would exceed {@link cvFoldMemory}`.residentBytes`): peak memory one fold instead of K.
   */
  readonly streamed: boolean;
  private resident: HeldOutCriterion[] | null = null;
  /** Warm starts of the folds between evaluations (streamed mode). */
  private readonly warm: (InnerSolution | null)[];
  private readonly build: (k: number, reuse?: boolean) => HeldOutCriterion;
  /**
   * Gather buffers of the streamed mode (dense X), released by `dispose`: only without room in the
   * fold's WebAssembly memory (the rows then go straight there), made on first need.
   */
  private bufs: { train: Float64Array | null; val: Float64Array | null; valLen: number } | null = null;
  private readonly hyper: number;
  /** The checked X and y (the block Grams of `planEvaluations`). */
  private readonly source: DesignMatrix;
  private readonly target: Float64Array;
  /** The summed block Grams of the last `planEvaluations` (the refit's G, `installRefitGram`). */
  private full: FullGram | null = null;
  /** The folds' training targets are gathered here before their problem copies them. */
  private ytrBuf: Float64Array | null = null;
  /** Streamed folds: each fold's converted validation targets, made by its first build. */
  private readonly yvals: (Float64Array | undefined)[] = [];
  /**
   * Resident dense squared-loss folds with an intercept, tall enough for the Gram mode: each fold's
   * target and design statistics (fold_gram.ts `foldStatistics`), consumed by its build; null: the
   * rows are prepared as usual.
   */
  private lazyStats: (LazyFold | null)[] | null = null;
  /** Streamed folds: each fold's y, y_c, ȳ (squared loss), made by its first build. */
  private readonly targets: ({ y: Float64Array; yc: Float64Array; yMean: number } | undefined)[] = [];

  /** @param fn - @internal the public function named in errors (see `HeldOutCriterion`) */
  constructor(
    X: DesignMatrix, y: ArrayLike<number>, model: SparseModelKind, opts: { folds?: number; shuffle?: boolean; seed?: number; fitIntercept?: boolean } = {},
    fn = 'CrossValCriterion',
  ) {
    // a planned grid follows (`crossValForGrid`): lazy fold designs
    const lazyRows = lazyNext;
    lazyNext = false;
    const k = opts.folds ?? 5;
    if (!Number.isInteger(k) || k < 2) throw new InvalidArgumentError(`${fn}(): folds must be an integer ≥ 2, got ${String(k)}`);
    this.source = checkedDesign(X, fn);
    const yv = checkTarget(y, X.nRows, fn);
    this.target = yv;
    if (X.nRows < k) throw new InvalidArgumentError(`${fn}(): fewer rows than folds (n = ${X.nRows} rows, ${k} folds)`);
    this.model = model;
    // the search range comes from the full data (like LassoCV's alpha grid)
    this.lambdaMax = rawLambdaMax(X, yv, model, opts.fitIntercept ?? true, fn);
    this.foldIndices = kFoldIndices(X.nRows, k, { shuffle: opts.shuffle ?? false, seed: opts.seed ?? 0 });
    this.hyper = model === 'enet' ? 2 : model === 'wlasso' ? X.nCols : 1;
    this.warm = this.foldIndices.map(() => null);
    let maxTrain = 0;
    for (const g of this.foldIndices) maxTrain = Math.max(maxTrain, g.train.length);
    this.shape = { rows: maxTrain, features: X.nCols };
    this.build = (i: number, reuse = false): HeldOutCriterion => {
      const f = this.foldIndices[i]!;
      // the problem copies its target (checkTarget): one gather buffer serves every fold
      if (this.ytrBuf === null || this.ytrBuf.length < f.train.length) this.ytrBuf = new Float64Array(maxTrain);
      const ytr = this.ytrBuf.subarray(0, f.train.length);
      for (let t = 0; t < f.train.length; t++) ytr[t] = yv[f.train[t]!]!;
      // streamed folds: the validation targets gathered and converted once (`yvals`)
      const yvalKept = reuse ? this.yvals[i] : undefined;
      const yva = yvalKept ?? new Float64Array(f.val.length);
      if (yvalKept === undefined) for (let t = 0; t < f.val.length; t++) yva[t] = yv[f.val[t]!]!;
      // streamed folds gather into two buffers reused fold after fold (one fold lives at a time)
      const bufs = reuse ? this.foldBuffers(X) : null;
      try {
        // streamed dense folds: the training rows gathered straight into the solver's WebAssembly
        // memory (no JavaScript copy of them); the design is disposed with the fold (`dropFold`)
        // (resident dense folds too: no JavaScript copy of the training rows either)
        // resident dense squared-loss folds with an intercept on a tall fold: the design from the
        // one-pass fold statistics, its rows gathered only when read (fold_gram.ts `lazyFoldDesign`)
        const lz = !reuse && X.kind === 'dense' ? this.lazyFold(i) : null;
        const Xtr = lz !== null && X.kind === 'dense'
          ? lazyFoldDesign(X, f.train, lz.stats, lz.target.yc)
          : X.kind === 'dense'
          ? prepareRows(X, f.train, { center: model !== 'logreg' && (opts.fitIntercept ?? true), ...(bufs?.train ? { scratch: bufs.train } : {}) })
          : takeRows(X, f.train);
        let inner: SparseProblem;
        try {
          // streamed folds: the fold's y and y_c made once and handed to every rebuild (no copies)
          inner = new SparseProblem(Xtr, ytr, model, opts, ...problemNames(fn, 'CrossValCriterion'), reuse ? this.targets[i] : lz !== null ? { y: lz.y, yc: lz.target.yc, yMean: lz.target.yMean } : undefined);
          if (reuse && model !== 'logreg') this.targets[i] ??= { y: inner.y, yc: inner.yc, yMean: inner.yMean };
        } catch (e) {
          if (isPreparedDesign(Xtr)) disposeDesign(Xtr);
          throw e;
        }
        // the validation rows in the same memory past the engine's part when there is room (the
        // pooled memory is sized for all rows), else in the reused JavaScript buffer
        // contiguous (unshuffled) folds: read in place from X, no copy at all
        const v0 = f.val.length > 0 ? f.val[0]! : 0;
        let held: HeldOutCriterion;
        if (X.kind === 'dense' && f.val.every((r, t) => r === v0 + t)) {
          held = new HeldOutCriterion(inner, { X, y: yva }, model, opts, fn, { start: v0, count: f.val.length }, yvalKept);
        } else {
          const spare = bufs !== null && isPreparedDesign(Xtr) && Xtr.wasm !== null ? spareView(Xtr.wasm, f.val.length * X.nCols) : null;
          const out = spare ?? (bufs !== null ? this.valBuffer(bufs) : undefined);
          held = new HeldOutCriterion(inner, { X: takeRows(X, f.val, out !== undefined ? { out } : {}), y: yva }, model, opts, fn, undefined, yvalKept);
        }
        if (reuse) this.yvals[i] ??= held.yval;
        return held;
      } catch (e) {
        // e.g. a fold whose training rows hold a single class (logreg)
        if (e instanceof InvalidArgumentError) throw new InvalidArgumentError(`${e.message} (in cross-validation fold ${i} of ${k})`);
        throw e;
      }
    };
    // every fold holds a copy of its training rows (and the solvers' prepared copy) and of its
    // validation rows: about 2·(K − 1) + 1 copies of X in all
    const bytesPerCopy = X.kind === 'dense' ? X.data.length * 8 : X.indptr[X.nCols]! * 12;
    this.streamed = bytesPerCopy * (2 * (k - 1) + 1) > cvFoldMemory.residentBytes;
    // the lazy fold designs' statistics: one pass over X for all folds (resident folds only)
    if (lazyRows && cvFoldMemory.lazyRows && !this.streamed && X.kind === 'dense' && model !== 'logreg' && (opts.fitIntercept ?? true)) this.lazyStats = this.foldStatistics(X, yv);
    if (this.streamed) {
      // a WebAssembly memory sized for all n rows, into the solvers' pool first: every fold and then
      // the refit on all rows (tuneLasso) reuse it, instead of a fold-sized one staying pooled while
      // a larger one is made for the refit (pages are only mapped when written)
      // (X in a design memory, which the refit may prepare in place: sized for the largest fold only)
      if (X.kind === 'dense') {
        const e = createEngine(isDesignMemory(X.data) ? maxTrain : X.nRows, X.nCols);
        if (e !== null) releaseEngine(e.engine);
      }
      // each fold built once now, so a bad fold is reported here as in the resident mode
      for (let i = 0; i < k; i++) dropFold(this.build(i, true));
    } else this.resident = this.foldIndices.map((_, i) => this.build(i));
  }

  /**
   * The fold criteria. In the streamed mode the first access builds every fold and keeps them
   * (K copies of the rows: meant for small data, plots and tests).
   */
  get folds(): HeldOutCriterion[] {
    if (this.resident === null) {
      this.resident = this.foldIndices.map((_, i) => {
        const f = this.build(i);
        f.problem.warmStartFrom(this.warm[i]!);
        return f;
      });
    }
    return this.resident;
  }

  get nHyper(): number {
    return this.hyper;
  }

  resetWarmStart(): void {
    this.warm.fill(null);
    if (this.resident) for (const f of this.resident) f.resetWarmStart();
  }

  /**
   * Resident folds only: a streamed fold is rebuilt per evaluation, so G would not be reused. The
   * folds that will solve in the Gram mode get their G from block Grams of X (lasso/fold_gram.ts:
   * one pass over X instead of K − 1).
   */
  planEvaluations(evaluations: number): void {
    if (!this.resident) return;
    for (const f of this.resident) f.planEvaluations(evaluations);
    if (this.model === 'logreg' || this.source.kind !== 'dense') return;
    const r = installFoldGrams(this.source, this.foldIndices, this.resident.map((f) => f.problem.design), this.target);
    this.full = r.full;
    if (r.validation !== null) for (let k = 0; k < this.resident.length; k++) this.resident[k]!.setValidationGram(r.validation[k]!);
  }

  /**
   * @internal Gives `d` — the prepared design of all rows of this criterion's X (the refit after the
   * search, `tuneLasso`) — its G from the folds' block Grams when a planned grid computed them
   * (lasso/fold_gram.ts `installFullGram`: O(p²) instead of n·p²/2); once, also after `dispose`.
   * Returns whether it did.
   */
  installRefitGram(d: PreparedDesign): boolean {
    const full = this.full;
    this.full = null;
    if (full === null || d.isSparse || this.source.kind !== 'dense' || d.source.kind !== 'dense' || d.source.data !== this.source.data) return false;
    return installFullGram(full, d);
  }

  /** Resident folds: each fold's loose solution at these λ (see `Criterion.warmStartAt`); true when every fold had one. */
  warmStartAt(lambdas: ArrayLike<number>): boolean {
    if (!this.resident) return false;
    let all = true;
    for (const f of this.resident) all = f.warmStartAt(lambdas) && all;
    return all;
  }

  dispose(): void {
    this.warm.fill(null);
    this.bufs = null;
    this.ytrBuf = null;
    this.targets.length = 0;
    this.yvals.length = 0;
    if (this.resident) for (const f of this.resident) dropFold(f); // the folds' designs (prepareRows) are not owned by their problems
    this.resident = null;
  }

  /** Fold i's lazy-design record (`lazyStats`), once: a rebuilt fold prepares its rows as usual. */
  private lazyFold(i: number): LazyFold | null {
    const all = this.lazyStats;
    if (all === null) return null;
    const r = all[i] ?? null;
    all[i] = null;
    return r;
  }

  /**
   * The folds' targets (`makeTarget` of each training y, centred) and design statistics in one pass
   * over X (`foldStatistics`), when every fold is tall enough for the Gram mode (n_k > p ≤ GRAM_MAX_P)
   * and the folds partition the rows; else null.
   */
  private foldStatistics(X: DenseDesign, yv: Float64Array): LazyFold[] | null {
    const p = X.nCols;
    if (p > GRAM_MAX_P || this.foldIndices.some((f) => f.train.length <= p)) return null;
    const ys = this.foldIndices.map((f) => {
      const y = new Float64Array(f.train.length);
      for (let t = 0; t < y.length; t++) y[t] = yv[f.train[t]!]!;
      return y;
    });
    const targets = ys.map((y) => makeTarget(y, true));
    const stats = foldStatistics(X, this.foldIndices, yv, targets);
    if (stats === null) return null;
    return stats.map((st, k) => ({ y: ys[k]!, target: targets[k]!, stats: st }));
  }

  /** The streamed mode's validation gather buffer, sized for the largest fold, made on first need. */
  private valBuffer(bufs: { val: Float64Array | null; valLen: number }): Float64Array {
    if (bufs.val === null) bufs.val = new Float64Array(bufs.valLen);
    return bufs.val;
  }

  /** The streamed mode's gather buffers (null for sparse X). */
  private foldBuffers(X: DesignMatrix): { train: Float64Array | null; val: Float64Array | null; valLen: number } | null {
    if (X.kind !== 'dense') return null;
    if (this.bufs === null) {
      let mt = 0;
      let mv = 0;
      for (const g of this.foldIndices) {
        mt = Math.max(mt, g.train.length);
        mv = Math.max(mv, g.val.length);
      }
      this.bufs = { train: useWasm() ? null : new Float64Array(mt * X.nCols), val: null, valLen: mv * X.nCols };
    }
    return this.bufs;
  }

  /** Evaluates fold k (built for the call and released after it in the streamed mode). */
  private evaluateFold(k: number, lambdas: ArrayLike<number> | number, opts: EvaluateOptions): CriterionEvaluation {
    if (this.resident !== null) return this.resident[k]!.evaluate(lambdas, opts);
    const f = this.build(k, true);
    try {
      const w = this.warm[k]!;
      f.problem.warmStartFrom(w);
      // the warm start's residual is not read (the solvers recompute r from β) and nothing else
      // holds this solution: its buffer takes the next solve's residual (no n-vector of garbage)
      // (only a stored one: a Gram-mode solution's residual is made on first read, gram_loose.ts
      // `lazyFit`, from the previous build of this fold, whose design is disposed by now)
      const rd = w === null ? undefined : Object.getOwnPropertyDescriptor(w, 'residual');
      if (rd !== undefined && 'value' in rd) offerResidual(rd.value as Float64Array);
      const ev = f.evaluate(lambdas, opts);
      // the warm start without the support factor, which refers to the fold's design (keeping it
      // would keep every fold's copies alive)
      const last = f.problem.lastSolution;
      if (last === null) this.warm[k] = null;
      else {
        // the properties as they are (a spread would evaluate the lazy ŷ getter: an n-vector)
        const rest = Object.defineProperties({}, Object.getOwnPropertyDescriptors(last)) as { factor?: unknown };
        delete rest.factor;
        this.warm[k] = rest as InnerSolution;
      }
      return ev;
    } finally {
      offerResidual(null);
      dropFold(f);
    }
  }

  evaluate(lambdas: ArrayLike<number> | number, opts: EvaluateOptions = {}): CriterionEvaluation {
    const K = this.foldIndices.length;
    const evs: CriterionEvaluation[] = [];
    for (let k = 0; k < K; k++) evs.push(this.evaluateFold(k, lambdas, opts));
    return this.combine(evs, opts);
  }

  /**
   * The evaluations of `lambdas` in order (see `Criterion.evaluateMany`): fold by fold — fold k
   * solves the whole run, warm-started along it, before fold k + 1 starts — so a fold's Gram
   * matrices (G and the validation block's H: 2·8·p² bytes) stay in the core's cache along its path
   * instead of being evicted by the other folds' at every point (5-fold CV on 2000×300: 8% of a
   * grid search). Each fold sees the same sequence of solves as with `evaluate` point by point, so
   * the values are the same, bit for bit. A fold with a validation Gram solves the whole run before
   * it evaluates the run's values (`HeldOutCriterion.evaluateRun`: G and H each in cache in turn).
   *
   * @example
   * const { evaluations } = cv.evaluateMany([[0.2], [0.1], [0.05]], { gradient: false });
   * evaluations[1].value === cvTwin.evaluate([0.1], { gradient: false }).value; // after [0.2] on the twin
   */
  evaluateMany(lambdas: readonly (ArrayLike<number> | number)[], opts: EvaluateOptions = {}): { evaluations: CriterionEvaluation[]; ms: Float64Array } {
    const K = this.foldIndices.length;
    const m = lambdas.length;
    const per: CriterionEvaluation[][] = lambdas.map(() => []);
    const ms = new Float64Array(m);
    for (let k = 0; k < K; k++) {
      // a resident fold with its validation Gram: the run's solves, then its values (`evaluateRun`)
      const run = this.resident !== null ? this.resident[k]!.evaluateRun(lambdas, opts, ms) : null;
      if (run !== null) {
        for (let i = 0; i < m; i++) per[i]!.push(run[i]!);
        continue;
      }
      for (let i = 0; i < m; i++) {
        const t = performance.now();
        per[i]!.push(this.evaluateFold(k, lambdas[i]!, opts));
        ms[i] += performance.now() - t;
      }
    }
    const evaluations = per.map((evs) => this.combine(evs, opts));
    return { evaluations, ms };
  }

  /** The CV evaluation from the folds' evaluations (in fold order) at one point. */
  private combine(evs: readonly CriterionEvaluation[], opts: EvaluateOptions): CriterionEvaluation {
    const K = evs.length;
    const st = emptyStats();
    const dg = emptyDiag();
    let value = 0;
    let supp = 0;
    let gradient: Float64Array | null = opts.gradient === false ? null : new Float64Array(this.nHyper);
    let lam: Float64Array | null = null;
    for (let k = 0; k < K; k++) {
      const ev = evs[k]!;
      lam = ev.lambdas;
      value += ev.value / K;
      supp += ev.supportSize / K;
      if (gradient !== null && ev.gradient !== null) for (let i = 0; i < gradient.length; i++) gradient[i] += ev.gradient[i]! / K;
      mergeStats(st, ev.inner);
      dg.kinks += ev.diagnostics.kinks;
      dg.rankDeficient = dg.rankDeficient || ev.diagnostics.rankDeficient;
      dg.kktViolation = Math.max(dg.kktViolation, ev.diagnostics.kktViolation);
      if (!ev.diagnostics.ok) {
        dg.ok = false;
        for (const m of ev.diagnostics.messages) dg.messages.push(`fold ${k}: ${m}`);
      }
    }
    if (gradient !== null && !allFinite(gradient)) gradient = gradient.slice();
    return { lambdas: lam!, value, gradient, supportSize: supp, inner: st, diagnostics: dg, finite: Number.isFinite(value) && allFinite(gradient) };
  }
}

/** Options of `SureCriterion`. */
export interface SureOptions {
  /** Noise standard deviation; estimated (scaled Lasso, see the file header) when omitted. */
  readonly sigma?: number;
  /** Finite-difference step ε (default 2σ/n^0.3). */
  readonly epsilon?: number;
  /** Seed of δ. Default 42. */
  readonly seed?: number;
  readonly fitIntercept?: boolean;
}

/**
 * Noise level by the scaled Lasso with the universal level and a degrees-of-freedom correction
 * (see the file header). Returns σ̂ (0 when y is perfectly fitted, e.g. constant y).
 *
 * @example
 * const sigma = estimateNoiseLevel(X, y); // ≈ the noise std of y = Xβ* + σ ε
 */
export function estimateNoiseLevel(X: DesignMatrix | PreparedDesign, y: ArrayLike<number>, opts: { fitIntercept?: boolean; tol?: number } = {}): number {
  const fit = opts.fitIntercept ?? true;
  const d = resolveDesign(X, fit, 'estimateNoiseLevel');
  const yv = checkTarget(y, d.nRows, 'estimateNoiseLevel');
  const n = d.nRows;
  const p = d.nCols;
  const lam0 = Math.sqrt((2 * Math.log(Math.max(p, 2))) / n);
  let mean = 0;
  if (fit) {
    for (let i = 0; i < n; i++) mean += yv[i]!;
    mean /= n;
  }
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (yv[i]! - mean) ** 2;
  let sigma = Math.sqrt(ss / n);
  if (sigma === 0) return 0;
  let res = lasso(d, yv, sigma * lam0, { tol: opts.tol ?? 1e-8, fitIntercept: fit, onFailure: 'return' });
  for (let it = 0; it < 50; it++) {
    let rr = 0;
    for (let i = 0; i < n; i++) rr += res.residual[i]! ** 2;
    const next = Math.sqrt(rr / n);
    if (!(next > 0)) return 0;
    const done = Math.abs(next - sigma) <= 1e-6 * sigma;
    sigma = next;
    if (done) break;
    res = lasso(d, yv, sigma * lam0, { tol: opts.tol ?? 1e-8, fitIntercept: fit, warmStart: res, onFailure: 'return' });
  }
  let rr = 0;
  for (let i = 0; i < n; i++) rr += res.residual[i]! ** 2;
  const dof = n - res.support.length - (fit ? 1 : 0);
  return Math.sqrt(rr / Math.max(dof, 1));
}

/**
 * SURE by finite-difference Monte Carlo (SUGAR), squared-loss models only (see the file header).
 *
 * @example
 * const sure = new SureCriterion(X, y, 'lasso', { sigma: 0.5 });
 * sure.evaluate([0.05]).value; // estimate of the prediction risk ‖Xβ̂ − Xβ*‖²/n
 */
export class SureCriterion implements Criterion {
  readonly name = 'sure' as const;
  readonly model: SparseModelKind;
  readonly problem: SparseProblem;
  readonly perturbed: SparseProblem;
  readonly sigma: number;
  readonly epsilon: number;
  readonly delta: Float64Array;
  /** True when σ was estimated. */
  readonly sigmaEstimated: boolean;
  private readonly X: DesignMatrix;

  /** @param fn - @internal the public function named in errors (see `HeldOutCriterion`) */
  constructor(X: DesignMatrix, y: ArrayLike<number>, model: SparseModelKind, opts: SureOptions = {}, fn = 'SureCriterion') {
    if (model === 'logreg') throw new InvalidArgumentError(`${fn}(): SURE is defined for the squared-loss models (lasso, enet, wlasso), not logreg`);
    checkedDesign(X, fn);
    const yv = checkTarget(y, X.nRows, fn);
    this.model = model;
    this.X = X;
    const names = problemNames(fn, 'SureCriterion');
    this.problem = new SparseProblem(X, yv, model, opts, ...names);
    const n = X.nRows;
    let sigma = opts.sigma;
    this.sigmaEstimated = sigma === undefined;
    if (sigma === undefined) {
      sigma = estimateNoiseLevel(this.problem.design, yv, opts);
      if (!(sigma > 0)) throw new InvalidArgumentError(`${fn}(): the estimated noise level is 0 (y is constant or fitted exactly); pass sigma explicitly`);
    } else if (typeof sigma !== 'number' || !Number.isFinite(sigma) || !(sigma > 0)) {
      throw new InvalidArgumentError(`${fn}(): sigma must be a finite number > 0, got ${String(sigma)}`);
    }
    this.sigma = sigma;
    const eps = opts.epsilon ?? (2 * sigma) / Math.pow(n, 0.3);
    if (!(eps > 0) || !Number.isFinite(eps)) throw new InvalidArgumentError(`${fn}(): epsilon must be a finite number > 0, got ${String(opts.epsilon)}`);
    this.epsilon = eps;
    this.delta = rng(opts.seed ?? 42).fillNormal(new Float64Array(n));
    const y2 = new Float64Array(n);
    for (let i = 0; i < n; i++) y2[i] = yv[i]! + eps * this.delta[i]!;
    this.perturbed = new SparseProblem(this.problem.design, y2, model, opts, ...names);
  }

  get nHyper(): number {
    return this.problem.nHyper;
  }

  get lambdaMax(): number {
    return this.problem.lambdaMax;
  }

  /** The inner problem's size: its training rows and features (see `Criterion.shape`). */
  get shape(): { rows: number; features: number } {
    return { rows: this.problem.n, features: this.problem.p };
  }

  resetWarmStart(): void {
    this.problem.resetWarmStart();
    this.perturbed.resetWarmStart();
  }

  dispose(): void {
    this.perturbed.dispose();
    this.problem.dispose();
  }

  evaluate(lambdas: ArrayLike<number> | number, opts: EvaluateOptions = {}): CriterionEvaluation {
    const o = innerOpts(opts);
    const st = emptyStats();
    const dg = emptyDiag();
    const s1 = solveCertified(this.problem, lambdas, o, st);
    const s2 = solveCertified(this.perturbed, lambdas, o, st);
    addDiag(dg, s1, 'y');
    addDiag(dg, s2, 'y + εδ');
    const n = this.problem.n;
    const y = this.problem.y;
    const f1 = s1.fitted;
    const f2 = s2.fitted;
    const sig2 = this.sigma * this.sigma;
    const eps = this.epsilon;
    const dl = this.delta;
    let rss = 0, dof = 0;
    for (let i = 0; i < n; i++) {
      rss += (y[i]! - f1[i]!) ** 2;
      dof += dl[i]! * (f2[i]! - f1[i]!);
    }
    dof /= eps;
    const value = (rss - n * sig2 + 2 * sig2 * dof) / n;
    let gradient: Float64Array | null = null;
    if (opts.gradient !== false) {
      const u1 = new Float64Array(n);
      const u2 = new Float64Array(n);
      const c = (2 * sig2) / eps;
      for (let i = 0; i < n; i++) {
        u1[i] = (2 * (f1[i]! - y[i]!) - c * dl[i]!) / n;
        u2[i] = (c * dl[i]!) / n;
      }
      const p1 = this.problem.pullback(s1, this.X, u1);
      const p2 = this.perturbed.pullback(s2, this.X, u2);
      const h1 = this.problem.hypergradient(s1, p1.gS, 0, stripEvaluate(o));
      const h2 = this.perturbed.hypergradient(s2, p2.gS, 0, stripEvaluate(o));
      gradient = new Float64Array(h1.gradient.length);
      for (let k = 0; k < gradient.length; k++) gradient[k] = h1.gradient[k]! + h2.gradient[k]!;
      st.hypergradMs += h1.timeMs + h2.timeMs;
      st.jacIterations += h1.iterations + h2.iterations;
    }
    return {
      lambdas: s1.lambdas, value, gradient, supportSize: (s1.support.length + s2.support.length) / 2, inner: st, diagnostics: dg,
      finite: Number.isFinite(value) && allFinite(gradient),
    };
  }
}

/**
 * λ_max of a raw design without preparing it: squared loss max_j |X_jᵀy_c|/n (= |X_c,jᵀy_c|/n
 * because y_c ⟂ 1; y instead of y_c without intercept), logistic max_j |X_jᵀ(y − ȳ)|/(2n) with
 * ±1 labels (see models.ts). Used for the search range of cross-validation (full data, like
 * scikit-learn's LassoCV grid).
 *
 * @example
 * rawLambdaMax(X, y, 'lasso', true) === lambdaMax(X, y); // up to rounding
 */
export function rawLambdaMax(X: DesignMatrix, y: Float64Array, model: SparseModelKind, fitIntercept: boolean, fn = 'rawLambdaMax'): number {
  const n = X.nRows;
  const v = model === 'logreg' ? toSignedLabels(y, fn) : new Float64Array(y);
  if (fitIntercept) {
    let m = 0;
    for (let i = 0; i < n; i++) m += v[i]!;
    m /= n;
    for (let i = 0; i < n; i++) v[i]! -= m;
  }
  let best = 0;
  const centred = fitIntercept && model !== 'logreg';
  // X parsed into a design memory (lasso tune): the products in WebAssembly, the same bits
  const dots = X.kind === 'dense' ? designRawDots(X.data, n, X.nCols, v) : null;
  for (let j = 0; j < X.nCols; j++) {
    // a column with zero (centred) norm carries no information: skipped, as the solvers do
    if (columnIsNull(X, j, centred)) continue;
    best = Math.max(best, Math.abs(dots !== null ? dots[j]! : rawColDot(X, j, v)));
  }
  return (best / n) * (model === 'logreg' ? 0.5 : 1);
}

/** Column j is zero (or constant, when `centred`). */
function columnIsNull(X: DesignMatrix, j: number, centred: boolean): boolean {
  const n = X.nRows;
  if (X.kind === 'dense') {
    const o = j * n;
    const first = centred ? X.data[o]! : 0;
    for (let i = 0; i < n; i++) if (X.data[o + i] !== first) return false;
    return true;
  }
  const a = X.indptr[j]!;
  const b = X.indptr[j + 1]!;
  const first = b - a === n && centred ? X.values[a]! : 0;
  for (let k = a; k < b; k++) if (X.values[k] !== first) return false;
  return true;
}
