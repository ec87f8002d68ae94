/**
 * @file Outer loops of hyperparameter optimisation, in θ = log λ, over any `Criterion`:
 *
 * - 'line-search': projected gradient descent with backtracking (HOAG-style, Pedregosa 2016).
 *   Step θ⁺ = Π(θ − g/L) onto the box; accepted when the Armijo test holds,
 *     C(θ⁺) ≤ C(θ) + c·gᵀ(θ⁺ − θ),  c = 1e-4,
 *   otherwise L grows by the quadratic-interpolation factor along the step (clamped to [2, 10])
 *   and the step is retried (the rejected inner solutions still warm-start the next try). After an
 *   accepted step L takes the secant (Barzilai–Borwein) curvature sᵀΔg/sᵀs when it is positive
 *   (a secant method on the gradient: superlinear in one dimension), else L/2. The first step has
 *   length `firstStep` (default 1, i.e. λ changes by a factor e), no step is longer than `maxStep`
 *   (default 2). After scouting, the descent starts from the minimiser of the scouting values'
 *   quadratic model when it beats them, with a first Newton step on the model's curvature
 *   (`scoutModel`; `init: 'scout'`). With one hyperparameter the scouting is sloped (`scout`): the
 *   middle point's certified evaluation also returns its hypergradient, which places the last look
 *   and, with that look's value, the model start (`slopedModel`). After the descent converges, a
 *   problem that is not wide (the criterion's `shape`: features ≤ rows) whose scouting stopped
 *   before the small-λ end of its range gets one loose look there and, when it is lower than the
 *   best value, a second descent from it (`endLook`: the criterion may fall again at small λ).
 * - 'adam': Adam (Kingma & Ba) on θ with projection; lr default 0.2; returns the best point seen.
 * - 'grid': exhaustive evaluation (value only, no gradient) on a geometric grid from λ_max down to
 *   eps·λ_max (default 100 points, eps = 1e-3: scikit-learn's LassoCV grid), in decreasing order so
 *   every inner solve is warm-started (a regularisation path per fold). Elastic net: the product of
 *   a λ₁ grid and a λ₂ grid (`gridSize2` points on the same range). Weighted Lasso: all λ_j equal.
 *   The path is evaluated at `tol` WITHOUT the certificate (its values are marked `certified: false`
 *   in the history); then the decisive points are certified (re-solved, from a fresh warm start, until
 *   the KKT certificate holds) and their history entries replaced by the certified values: first the
 *   loose best and its grid neighbours, then, repeatedly, every point whose loose value v_k could
 *   still beat the certified best C* given the largest loose error d seen so far on a certified
 *   point, v_k − 10·d ≤ C*. The reported point is the best CERTIFIED one. (Certifying all 100 points
 *   cost 12× the loose path at 500 × 1000: the smallest λ, |S| → n, dominate; bench/tune_profile.bench.ts.)
 *
 * Budget: `maxEvals` bounds the number of criterion evaluations of the whole search, scouting
 * and grid points included (see `OuterOptions.maxEvals` for what counts).
 *
 * Safeguards: θ is clipped to the box [log λ_max − 12, log λ_max] (or `bounds`); a step whose
 * criterion value or gradient is not finite is REJECTED (never accepted, never turned into a NaN λ)
 * and the step shrinks; the inner tolerance decreases geometrically from `tolStart` to `tol` over
 * the first `tolSteps` evaluations (cheap early solves) — a STARTING tolerance only: every
 * evaluation of line search and Adam (scouting included) is certified by the criterion
 * (`EvaluateOptions.certify`: the solve is tightened until
 * the refined solution satisfies the KKT conditions to 1e-9 relative), so no value, λ or
 * hypergradient that is compared (Armijo test, best point) or reported carries the error of a
 * loose solve, and the reported value is the value at the reported λ. The exceptions only place the
 * start, never the result: scouting's loose looks at `tol` (the point that ends the scouting and,
 * for line search, the last point the budget allows and the end look: `certified: false` in the
 * history) and the scouting models built on them (`scoutModel`, `slopedModel`).
 * Every evaluation is recorded in `history` (λ, value, gradient, support size, time, tolerance).
 */
import { InvalidArgumentError, NonFiniteError } from '../core/errors.js';
import { checkOptions } from '../core/options.js';
import type { HypergradOptions } from '../lasso/hypergrad.js';
import type { Criterion, CriterionEvaluation, EvaluateOptions } from './criteria.js';

/** The outer optimisers. */
export type OuterOptimizer = 'line-search' | 'adam' | 'grid';

/** One evaluation of the criterion during the search. */
export interface HistoryEntry {
  /** 0-based evaluation counter. */
  readonly evaluation: number;
  readonly lambdas: Float64Array;
  readonly logLambdas: Float64Array;
  readonly value: number;
  /** d value / d log λ (null for grid evaluations). */
  readonly gradient: Float64Array | null;
  readonly supportSize: number;
  /** Milliseconds since the start of the search, at the end of this evaluation. */
  readonly timeMs: number;
  /** Milliseconds spent in this evaluation. */
  readonly evalMs: number;
  /** Inner tolerance used. */
  readonly innerTol: number;
  /** Line search: step accepted. Grid/Adam: true. Non-finite evaluations: false. */
  readonly accepted: boolean;
  readonly finite: boolean;
  /** Invertibility diagnostics were clean. */
  readonly diagnosticsOk: boolean;
  /**
   * The value comes from inner solutions that passed the KKT certificate (see `EvaluateOptions.certify`).
   * Grid search: false for the loose path values that did not decide the argmin (see the file header).
   */
  readonly certified: boolean;
}

/** Options of the outer loop. */
export interface OuterOptions {
  /** Default 'line-search'. */
  readonly optimizer?: OuterOptimizer;
  /**
   * The evaluation budget, a hard limit: at most `maxEvals` criterion evaluations in the search
   * (`history.length ≤ nEvaluations ≤ maxEvals`). Every call of `criterion.evaluate` counts as one
   * (a scouting point's quick loose look that is then certified counts, but only the certified
   * value is listed in the history; certifying a grid point re-solves it within its own evaluation) — scouting
   * points, the starting point, every line-search trial (accepted, rejected or non-finite), every
   * Adam step, every grid point; the inner re-solves of the KKT certificate and the CV folds /
   * SURE's two problems are parts of one evaluation, and the final refit of `tuneLasso` is not a
   * search evaluation. Default 30 (line-search), 60 (adam), the grid size (grid: with `maxEvals`
   * the default grid shrinks to fit; an explicitly sized grid larger than the budget is an error).
   */
  readonly maxEvals?: number;
  /**
   * Starting λ (number for every hyperparameter, or one value each), or 'scout' (the default for
   * line-search and Adam): evaluate the criterion (value only, warm-started, certified) at up to
   * `scoutSize` geometric points from λ_max/2 down to λ_max·1e-3 (scikit-learn's grid range; the
   * descent may then go lower, to the bottom of the search box), all hyperparameters equal, and
   * start from the best. Validation criteria are often
   * not convex in log λ; scouting keeps the descent out of a poor local minimum for a few cheap
   * evaluations (they are in the history with `gradient: null` and count in `maxEvals`: scouting
   * uses at most maxEvals − 1 of them, and none when maxEvals < 3). Line search with one
   * hyperparameter then starts from the minimiser of the quadratic through the best scouting value
   * and its two neighbours in log λ when that model is convex and its minimiser lies inside them
   * (one evaluation; when its value does not beat the best scouting value it is recorded
   * `accepted: false` and the descent starts from the best scouting point as before); from it, the
   * first step is a Newton step on the model's curvature. Line search with one hyperparameter scouts
   * sloped (round scout2): every scouting point between the first and the last look is one certified
   * call with its hypergradient (recorded value-only, `gradient: null`), the last look goes 1.6 × as
   * far as the minimiser of the quadratic with that value and slope through the point before (the
   * next grid point when that is not convex or out of range), and the start is the minimiser of the
   * quadratic with the slope and the look's value (see `scout`, `slopedModel`). The end look (round
   * scout3; line search, one hyperparameter, a criterion whose `shape` has features ≤ rows): when the
   * descent has converged, no evaluation reached the scouting range's last cell (λ ≤ λ_max·1e-3·e^h,
   * h the scouting step) and the budget allows, one loose value-only look at λ_max·1e-3 (recorded
   * `gradient: null`, `certified: false`, `accepted: false`); when it beats the best value, that λ is
   * evaluated certified with its hypergradient and a second descent starts there (see `endLook`).
   * Wide problems (features > rows) and criteria without `shape` are searched as before.
   */
  readonly init?: number | ArrayLike<number> | 'scout';
  /** Number of scouting points of `init: 'scout'`. Default 5. */
  readonly scoutSize?: number;
  /**
   * Evaluate and certify every scouting point (default false: scouting stops at the first point,
   * going down in λ, whose criterion is worse than the best so far — the small-λ solves are the
   * expensive ones. That point is first evaluated loosely, at `tol` without the certificate; when its
   * loose value exceeds the certified best by more than 5% it is recorded as such, `certified: false`
   * and `accepted: false` in the history, and scouting stops; otherwise it is certified and compared —
   * except, for line search, the last point the budget allows: its loose value is recorded as such,
   * `certified: false`, `accepted: false`, and only places the descent's start, whose first
   * evaluation certifies it when it is the best). Sloped scouting (line search, one hyperparameter)
   * evaluates the points before the last one certified at `tol` in one call instead (no loose look:
   * a point worse than the best then ends the scouting certified). The small λ that the stop leaves
   * unseen get the line search's end look (see `init`) when the problem is not wide; with `scoutAll`
   * the whole range is scouted and there is no end look.
   */
  readonly scoutAll?: boolean;
  /** Search box in log λ, applied to every hyperparameter. Default [log λ_max − 12, log λ_max]. */
  readonly bounds?: readonly [number, number];
  /** Final inner tolerance. Default 1e-6 (logreg: 1e-8 absolute KKT). */
  readonly tol?: number;
  /** First inner tolerance of the decreasing schedule. Default max(tol, min(1e-3, 1000·tol)). */
  readonly tolStart?: number;
  /** Evaluations over which the inner tolerance decreases geometrically. Default ⌈maxEvals/3⌉. */
  readonly tolSteps?: number;
  /** Stop when the (projected) step is shorter than this in log λ (∞-norm). Default 5e-3 (λ moves by < 0.5%). */
  readonly xtol?: number;
  /** Stop when an accepted step decreases the value by less than ftol·|value|. Default 1e-7. */
  readonly ftol?: number;
  /** Line search: length of the first step in log λ. Default 1. */
  readonly firstStep?: number;
  /** Line search: longest step in log λ. Default 2. */
  readonly maxStep?: number;
  /** Adam learning rate in log λ. Default 0.2. */
  readonly lr?: number;
  /** Grid: number of λ values. Default 100 (enet: 20). */
  readonly gridSize?: number;
  /** Grid (enet): number of λ₂ values. Default 10. */
  readonly gridSize2?: number;
  /** Grid: λ_min/λ_max. Default 1e-3. */
  readonly gridEps?: number;
  /** Grid: explicit λ values (decreasing order recommended). */
  readonly gridLambdas?: ArrayLike<number>;
  /** Hypergradient options forwarded to every evaluation (method, solver, checks...). */
  readonly hypergrad?: HypergradOptions;
  /** Called after every evaluation (progress reporting). */
  readonly onEvaluation?: (entry: HistoryEntry) => void;
}

/** The keys of {@link OuterOptions} (`checkOptions`). */
export const OUTER_OPTION_KEYS = [
  'optimizer', 'maxEvals', 'init', 'scoutSize', 'scoutAll', 'bounds', 'tol', 'tolStart', 'tolSteps', 'xtol', 'ftol', 'firstStep', 'maxStep', 'lr',
  'gridSize', 'gridSize2', 'gridEps', 'gridLambdas', 'hypergrad', 'onEvaluation',
] as const;

/** Result of an outer search. */
export interface OuterResult {
  /** Best hyperparameters found. */
  readonly lambdas: Float64Array;
  readonly logLambdas: Float64Array;
  /** Criterion value at the best point (as evaluated during the search). */
  readonly value: number;
  /** Gradient at the best point (null for grid). */
  readonly gradient: Float64Array | null;
  readonly supportSize: number;
  readonly history: HistoryEntry[];
  readonly nEvaluations: number;
  readonly timeMs: number;
  readonly optimizer: OuterOptimizer;
  /** Why the search stopped. */
  readonly stopReason: string;
  /** Stopped on a convergence test (not on the budget). */
  readonly converged: boolean;
  /** The search box in log λ. */
  readonly bounds: readonly [number, number];
  /**
   * The evaluation at the best point passed the KKT certificate (the reported value is the value at
   * the reported λ). Evaluations that could not be certified — e.g. a rank-deficient support at tiny
   * λ, where the solution is not unique — are solved at tol 1e-12 and flagged in the history.
   */
  readonly certified: boolean;
}

interface Ctx {
  /** The public function named in errors. */
  fn: string;
  crit: Criterion;
  opts: OuterOptions;
  lo: number;
  hi: number;
  q: number;
  history: HistoryEntry[];
  /** Calls of `criterion.evaluate` so far (what `maxEvals` bounds). */
  calls: number;
  t0: number;
  tolFinal: number;
  tolStart: number;
  tolSteps: number;
  /**
   * Line search, one hyperparameter: the certified value and slope d C / d θ of the scouting point
   * that placed the last look (`scout`), and that look's θ; read by `slopedModel`.
   */
  scoutSlope?: { x: number; f: number; g: number; look: number };
}

function clip(ctx: Ctx, theta: Float64Array): Float64Array {
  const out = new Float64Array(theta.length);
  for (let k = 0; k < theta.length; k++) {
    const v = theta[k]!;
    // a NaN coordinate (cannot happen after the finiteness checks) falls back to the upper bound
    out[k] = Number.isNaN(v) ? ctx.hi : Math.min(ctx.hi, Math.max(ctx.lo, v));
  }
  return out;
}

function tolAt(ctx: Ctx, k: number): number {
  if (ctx.tolSteps <= 1 || ctx.tolStart <= ctx.tolFinal) return ctx.tolFinal;
  const r = Math.min(1, k / (ctx.tolSteps - 1));
  return ctx.tolStart * Math.pow(ctx.tolFinal / ctx.tolStart, r);
}

function record(ctx: Ctx, theta: Float64Array, ev: CriterionEvaluation, tol: number, evalMs: number, accepted: boolean): HistoryEntry {
  const e: HistoryEntry = {
    evaluation: ctx.history.length,
    lambdas: theta.map(Math.exp),
    logLambdas: new Float64Array(theta),
    value: ev.value,
    gradient: ev.gradient ? new Float64Array(ev.gradient) : null,
    supportSize: ev.supportSize,
    timeMs: performance.now() - ctx.t0,
    evalMs,
    innerTol: tol,
    accepted,
    finite: ev.finite,
    diagnosticsOk: ev.diagnostics.ok,
    certified: ev.inner.certified,
  };
  ctx.history.push(e);
  ctx.opts.onEvaluation?.(e);
  return e;
}

/** One criterion evaluation; `counts: false` for the certification of an already evaluated grid point (same history entry). */
function evalAt(ctx: Ctx, theta: Float64Array, gradient: boolean, tol: number, certify?: boolean, counts = true): { ev: CriterionEvaluation; ms: number } {
  const t = performance.now();
  const lam = theta.map(Math.exp);
  if (counts) ctx.calls++;
  const ev = ctx.crit.evaluate(lam, evalOptions(ctx, tol, gradient, certify));
  return { ev, ms: performance.now() - t };
}

/** The options of one criterion evaluation: the user's `hypergrad` options with this call's tol, gradient and certify. */
function evalOptions(ctx: Ctx, tol: number, gradient: boolean, certify?: boolean): EvaluateOptions {
  return { ...(ctx.opts.hypergrad ?? {}), tol, gradient, ...(certify === undefined ? {} : { certify }) };
}

/**
 * Value-only, uncertified evaluations of a run of grid points (θ = log λ), with the time of each:
 * one `evaluateMany` call when the criterion has it (CV: fold by fold, the same values), else
 * `evaluate` point after point. Does not count the calls.
 */
function evalRun(ctx: Ctx, run: readonly Float64Array[], tol: number): { evaluations: CriterionEvaluation[]; ms: Float64Array } {
  const opts = evalOptions(ctx, tol, false, false);
  const lams = run.map((th) => th.map(Math.exp));
  if (ctx.crit.evaluateMany !== undefined) return ctx.crit.evaluateMany(lams, opts);
  const ms = new Float64Array(run.length);
  const evaluations = lams.map((lam, i) => {
    const t = performance.now();
    const ev = ctx.crit.evaluate(lam, opts);
    ms[i] = performance.now() - t;
    return ev;
  });
  return { evaluations, ms };
}

/**
 * Scouting (without `scoutAll`) stops at a point whose loose, uncertified value exceeds the certified
 * best by more than this relative margin; closer calls are certified before they are compared.
 */
const SCOUT_LOOSE_MARGIN = 0.05;

/**
 * Where the last look of a sloped scouting may go (see `scout`), in multiples of the scouting step
 * h: the point from the quadratic through the previous point's value and the best point's value and
 * slope (`SLOPED_LOOK_OVERSHOOT`) is taken when it lies in [θ₁ − 1.5h, θ₀ − 0.2h] and at least 0.2h
 * from θ₁ (θ₀ > θ₁ the two points); otherwise the next grid point θ₁ − h, as before.
 */
const SLOPED_LOOK_RANGE = { below: 1.5, margin: 0.2 } as const;

/**
 * The sloped last look goes 1.6 × as far from θ₁ as the quadratic's minimiser: the validation curve
 * is flatter below its minimum than above (the quadratic's minimiser tends to fall short), and a look
 * beyond the minimum brackets it between θ₁ and the look, so the descent's model start interpolates
 * instead of extrapolating. Chosen on 14 problems (1.0, 1.3, 1.45, 1.6, 1.8, 2), checked on 6 others
 * (docs/tune_process.md, round scout2): at 1.0 the descent came from above and stopped in a shallower
 * local minimum on one 500 × 1000 problem (7e-4 worse than the grid's best).
 */
const SLOPED_LOOK_OVERSHOOT = 1.6;

/**
 * Value-only evaluations on a coarse warm-started path; returns the best point (see `init: 'scout'`).
 * Scouting spends at most `maxEvals − 1` evaluations (one is left for the descent); with fewer than
 * 2 to spend it is skipped and the descent starts in the middle of the scouting range.
 *
 * `looseLast` (line search): the last point the budget allows is a loose look only. With one
 * hyperparameter the scouting is also SLOPED (round scout2): every point after the first that is
 * not the last is evaluated certified at the final tolerance together with its hypergradient (one
 * call instead of a loose look and a certificate; the hypergradient on the support factor the
 * certificate builds anyway costs little), and the last look goes 1.6 × as far as the minimiser of
 * the quadratic with the two previous values and the best point's slope,
 *   c = (f₀ − f₁ − g₁·(θ₀ − θ₁)) / (θ₀ − θ₁)²,  θ_L = θ₁ − 1.6·g₁/(2c)   (c > 0),
 * inside `SLOPED_LOOK_RANGE`, instead of the next grid point: on issue 12's 500 × 1000 CV the grid's
 * λmax/45 (|S| ≈ 286, 476 epochs) becomes λmax/28 (|S| ≈ 234, 318 epochs), past the optimum at
 * λmax/21.8, and the descent's model start (`slopedModel`) comes from the slope and that look.
 */
function scout(ctx: Ctx, maxEvals: number, looseLast: boolean): Float64Array {
  const size = ctx.opts.scoutSize ?? 5;
  if (!Number.isInteger(size) || size < 2) throw new InvalidArgumentError(`${ctx.fn}(): scoutSize must be an integer ≥ 2, got ${size}`);
  const n = Math.min(size, maxEvals - 1);
  const { top, bottom, h } = scoutRange(ctx, n);
  if (n < 2) return new Float64Array(ctx.q).fill((top + bottom) / 2);
  // a loose starting tolerance keeps this cheap; the criterion's certificate makes the values exact
  const tol = Math.max(ctx.tolStart, 1e-2);
  const sloped = looseLast && ctx.q === 1 && !ctx.opts.scoutAll;
  let best: { theta: Float64Array; value: number } | null = null;
  let previous: { x: number; f: number } | null = null; // the best point before `best`
  let slope: number | null = null; // d C / d θ at `best` (sloped scouting)
  // a sloped point is one call where the loose look and the certificate were two: the budget rule
  // for the last point counts it as two, so the scouting visits the same points as before
  let saved = 0;
  const budget = ctx.calls + n; // scouting leaves ≥ 1 evaluation of maxEvals for the descent
  for (let i = 0; i < n; i++) {
    let th: Float64Array = new Float64Array(ctx.q).fill(top - h * i);
    if (best !== null && !ctx.opts.scoutAll) {
      if (ctx.calls + 2 > budget) break; // a loose look and, maybe, a certified evaluation
      // the last point the budget allows: no room for another look and certificate after this one's
      const last = looseLast && (i === n - 1 || ctx.calls + saved + 4 > budget);
      if (sloped && !last) {
        const { ev, ms } = evalAt(ctx, th, true, ctx.tolFinal);
        saved++;
        // a scouting point: recorded value-only (`gradient: null`), the slope kept for the last look
        record(ctx, th, { ...ev, gradient: null }, ctx.tolFinal, ms, ev.finite);
        if (ev.finite && ev.value < best.value) {
          previous = { x: best.theta[0]!, f: best.value };
          best = { theta: th, value: ev.value };
          const g1 = ev.gradient?.[0];
          slope = g1 !== undefined && Number.isFinite(g1) ? g1 : null;
          continue;
        }
        break; // worse than the best (or not finite): the path rises past the best point
      }
      if (last && slope !== null && previous !== null) {
        th = slopedLook(th, best.theta[0]!, best.value, slope, previous, h);
        ctx.scoutSlope = { x: best.theta[0]!, f: best.value, g: slope, look: th[0]! };
      }
      // a loose look first: a point clearly worse than the certified best ends the scouting without
      // paying for its certificate (at small λ, |S| → n, that certificate cost 40–80% of a tuning)
      const look = evalAt(ctx, th, false, ctx.tolFinal, false);
      if (look.ev.finite && look.ev.value > best.value * (1 + SCOUT_LOOSE_MARGIN)) {
        record(ctx, th, look.ev, ctx.tolFinal, look.ms, false);
        break;
      }
      // `looseLast` (line search): the last point the budget allows is not certified either — its
      // loose value only places the descent's start (the scouting model, `scoutModel`); when it is
      // the best, the descent's first evaluation certifies it
      if (last && look.ev.finite) {
        record(ctx, th, look.ev, ctx.tolFinal, look.ms, false);
        if (look.ev.value < best.value) best = { theta: th, value: look.ev.value };
        break;
      }
    }
    if (ctx.calls + 1 > budget) break;
    const { ev, ms } = evalAt(ctx, th, false, tol);
    record(ctx, th, ev, tol, ms, ev.finite);
    if (ev.finite && (best === null || ev.value < best.value)) {
      best = { theta: th, value: ev.value };
    } else if (!ctx.opts.scoutAll) {
      // the path rises past the best point: the remaining (smallest) λ are the most expensive to
      // certify (|S| → n; at 500 × 1000, 6 of 8 s of a CV tuning went to λ_max·1e-3) and the least
      // likely to win; the descent can still go there
      break;
    }
  }
  if (best === null) throw new NonFiniteError(`${ctx.fn}(): the criterion was non-finite at every scouting point`);
  return best.theta;
}

/**
 * The scouting range in θ = log λ: from log(λ_max/2) down to log(λ_max·1e-3), clipped to the box,
 * and the step h = (top − bottom)/(n − 1) of an n-point scouting grid (NaN for n < 2).
 */
function scoutRange(ctx: Ctx, n: number): { top: number; bottom: number; h: number } {
  const top = Math.min(ctx.hi, Math.log(ctx.crit.lambdaMax / 2));
  const bottom = Math.max(ctx.lo, Math.log(ctx.crit.lambdaMax * 1e-3));
  return { top, bottom, h: n >= 2 ? (top - bottom) / (n - 1) : NaN };
}

/**
 * The θ of a sloped scouting's last look (see `scout`): the minimiser θ* of the quadratic with value
 * f₁ and slope g₁ at θ₁ through (θ₀, f₀), when it is convex and θ* lies in `SLOPED_LOOK_RANGE`;
 * else `grid`, the next scouting grid point.
 */
function slopedLook(grid: Float64Array, x1: number, f1: number, g1: number, p: { x: number; f: number }, h: number): Float64Array {
  const d = p.x - x1;
  const c = (p.f - f1 - g1 * d) / (d * d);
  if (!(d > 0 && c > 0) || !Number.isFinite(c)) return grid;
  const xs = x1 - (SLOPED_LOOK_OVERSHOOT * g1) / (2 * c);
  const { below, margin } = SLOPED_LOOK_RANGE;
  if (!(xs >= x1 - below * h && xs <= p.x - margin * h && Math.abs(xs - x1) >= margin * h)) return grid;
  return new Float64Array(grid.length).fill(xs);
}

function initialTheta(ctx: Ctx, maxEvals: number, looseLast = false): Float64Array {
  const q = ctx.q;
  const init = ctx.opts.init ?? 'scout';
  const th = new Float64Array(q);
  if (init === 'scout') {
    return clip(ctx, scout(ctx, maxEvals, looseLast));
  } else if (typeof init === 'number') {
    if (!(init > 0) || !Number.isFinite(init)) throw new InvalidArgumentError(`${ctx.fn}(): init must be a finite λ > 0, got ${init}`);
    th.fill(Math.log(init));
  } else {
    if (init.length !== q) throw new InvalidArgumentError(`${ctx.fn}(): init has ${init.length} values, the model has ${q} hyperparameters`);
    for (let k = 0; k < q; k++) {
      const v = init[k]!;
      if (!(v > 0) || !Number.isFinite(v)) throw new InvalidArgumentError(`${ctx.fn}(): init[${k}] must be a finite λ > 0, got ${v}`);
      th[k] = Math.log(v);
    }
  }
  return clip(ctx, th);
}

function norm(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s);
}

function maxAbs(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s = Math.max(s, Math.abs(v[i]!));
  return s;
}

/**
 * Minimises a criterion over log λ (see the file header for the algorithms and safeguards).
 *
 * @example
 * const cv = new CrossValCriterion(X, y, 'lasso', { folds: 5 });
 * const res = optimize(cv, { optimizer: 'line-search', maxEvals: 20 });
 * res.lambdas[0]; res.value; res.history.length;
 */
export function optimize(crit: Criterion, opts: OuterOptions = {}): OuterResult {
  return optimizeAs(crit, opts, 'optimize');
}

/**
 * `optimize` with errors naming `fn()`, the public function the user called (`tuneLasso`,
 * `LassoHO.fit`).
 * @internal
 */
export function optimizeAs(crit: Criterion, opts: OuterOptions, fn: string): OuterResult {
  checkOptions(opts, OUTER_OPTION_KEYS, `${fn}()`);
  const optimizer = opts.optimizer ?? 'line-search';
  if (optimizer !== 'line-search' && optimizer !== 'adam' && optimizer !== 'grid') {
    throw new InvalidArgumentError(`${fn}(): optimizer must be 'line-search' | 'adam' | 'grid', got ${String(optimizer)}`);
  }
  const lmax = crit.lambdaMax;
  if (!(lmax > 0) || !Number.isFinite(lmax)) {
    throw new InvalidArgumentError(
      `${fn}(): nothing to tune: y is constant (e.g. all zeros) or every column of X is constant, so the fitted coefficients are 0 for every λ > 0 (λ_max = ${lmax})`,
    );
  }
  let lo = Math.log(lmax) - 12;
  let hi = Math.log(lmax);
  if (opts.bounds !== undefined) {
    const [a, b] = opts.bounds;
    if (!Number.isFinite(a) || !Number.isFinite(b) || !(a < b)) throw new InvalidArgumentError(`${fn}(): bounds must be finite with lo < hi (in log λ), got [${a}, ${b}]`);
    lo = a;
    hi = b;
  }
  const isLog = crit.model === 'logreg';
  const tolFinal = opts.tol ?? (isLog ? 1e-8 : 1e-6);
  if (!(tolFinal > 0) || !Number.isFinite(tolFinal)) throw new InvalidArgumentError(`${fn}(): tol must be a finite number > 0, got ${tolFinal}`);
  if (opts.maxEvals !== undefined && (!Number.isInteger(opts.maxEvals) || opts.maxEvals < 1)) {
    throw new InvalidArgumentError(`${fn}(): maxEvals must be a positive integer, got ${String(opts.maxEvals)}`);
  }
  const maxEvals = opts.maxEvals ?? (optimizer === 'adam' ? 60 : 30);
  const tolStart = opts.tolStart ?? Math.max(tolFinal, Math.min(1e-3, tolFinal * 1e3));
  const ctx: Ctx = {
    fn, crit, opts, lo, hi, q: crit.nHyper, history: [], calls: 0, t0: performance.now(), tolFinal, tolStart,
    tolSteps: opts.tolSteps ?? Math.max(1, Math.ceil(maxEvals / 3)),
  };
  if (optimizer === 'grid') return gridSearch(ctx, opts.maxEvals);
  if (optimizer === 'adam') return adam(ctx, maxEvals);
  return lineSearch(ctx, maxEvals);
}

interface Best {
  theta: Float64Array;
  value: number;
  gradient: Float64Array | null;
  support: number;
  certified: boolean;
}

function finish(ctx: Ctx, best: Best | null, optimizer: OuterOptimizer, stopReason: string, converged: boolean): OuterResult {
  if (best === null) {
    throw new NonFiniteError(`${ctx.fn}(): every evaluation of the criterion was non-finite (${ctx.history.length} evaluations)`);
  }
  return {
    lambdas: best.theta.map(Math.exp),
    logLambdas: best.theta,
    value: best.value,
    gradient: best.gradient,
    supportSize: best.support,
    history: ctx.history,
    nEvaluations: ctx.calls,
    timeMs: performance.now() - ctx.t0,
    optimizer,
    stopReason,
    converged,
    bounds: [ctx.lo, ctx.hi],
    certified: best.certified,
  };
}

/**
 * The quadratic model of the scouting values (line search, `init: 'scout'`): through the best
 * scouting point and its two neighbours in θ (the two nearest on one side when the best is at an
 * end of the scouted range), in Newton form with divided differences
 *   d₁ = (f₁ − f₀)/(θ₁ − θ₀),  d₁₂ = (f₂ − f₁)/(θ₂ − θ₁),  d₂ = (d₁₂ − d₁)/(θ₂ − θ₀),
 *   q(θ) = f₀ + d₁(θ − θ₀) + d₂(θ − θ₀)(θ − θ₁),  q'' = 2d₂,  argmin θ* = (θ₀ + θ₁)/2 − d₁/(2d₂).
 * Returns θ* (clipped to the box), q''/(number of hyperparameters) — the curvature per unit length
 * along the diagonal — and the best scouting value when q is convex (d₂ > 0), θ* lies
 * strictly inside [θ₀, θ₂] and at least `xtol` away from the best point; else null (the descent
 * starts at the best scouting point). Scouting is on the diagonal (all hyperparameters equal), so
 * the model is in the first coordinate. The loose values of scouting (the point that ended it, the
 * last point the budget allowed) count as the others: they only place the start (the best of them
 * may be loose; the model's minimiser is then compared with a loose value, which decides only where
 * the descent starts — every value it compares afterwards is certified).
 */
function scoutModel(ctx: Ctx, xtol: number): { theta: Float64Array; curvature: number; bestValue: number; bestTheta: Float64Array } | null {
  const pts = ctx.history.filter((h) => h.finite).map((h) => ({ x: h.logLambdas[0]!, f: h.value }));
  const sloped = slopedModel(ctx, pts, xtol);
  if (sloped !== undefined) return sloped;
  if (pts.length < 3) return null;
  pts.sort((a, b) => a.x - b.x);
  let i = 0;
  for (let k = 1; k < pts.length; k++) if (pts[k]!.f < pts[i]!.f) i = k;
  const k0 = Math.min(Math.max(i - 1, 0), pts.length - 3);
  const [a, b, c] = [pts[k0]!, pts[k0 + 1]!, pts[k0 + 2]!];
  if (!(a.x < b.x && b.x < c.x)) return null;
  const d1 = (b.f - a.f) / (b.x - a.x);
  const d2 = ((c.f - b.f) / (c.x - b.x) - d1) / (c.x - a.x);
  if (!(d2 > 0) || !Number.isFinite(d2)) return null;
  const v = (a.x + b.x) / 2 - d1 / (2 * d2);
  if (!(v > a.x && v < c.x) || Math.abs(v - pts[i]!.x) < xtol) return null;
  const theta = clip(ctx, new Float64Array(ctx.q).fill(v));
  // per unit length along the diagonal (θ moves by t in each of the q coordinates: ‖Δθ‖ = t·√q;
  // q = 1 where it is used now)
  return { theta, curvature: (2 * d2) / ctx.q, bestValue: pts[i]!.f, bestTheta: new Float64Array(ctx.q).fill(pts[i]!.x) };
}

/**
 * A sloped model's minimiser closer than this (in θ = log λ, 10% in λ) to the better of its two
 * points is not tried: the descent starts at that point (its first step as from any scouting best).
 * Such a trial lost against the look's loose value on 4 of 20 problems (round scout2: a kink of the
 * curve between them), one call each; skipping it changed no selected λ there (and one other
 * problem's λ by 0.05%, its value by 5e-7 relative).
 */
const SLOPED_NEAR = 0.1;

/**
 * The model of a sloped scouting (`scout`, one hyperparameter): the quadratic with the certified
 * value f₁ and slope g₁ at θ₁ through the last look (θ_L, f_L),
 *   c = (f_L − f₁ − g₁·(θ_L − θ₁)) / (θ_L − θ₁)²,  θ* = θ₁ − g₁/(2c),  q'' = 2c,
 * when c > 0 and θ* (clipped to the box) is no farther than 2|θ_L − θ₁| from θ₁; null when θ* is
 * within `SLOPED_NEAR` of the better of the two points (the descent starts at the best scouting
 * point); undefined when there was no sloped last look or the model does not hold (the three-point
 * model decides).
 */
function slopedModel(ctx: Ctx, pts: readonly { x: number; f: number }[], xtol: number): ReturnType<typeof scoutModel> | undefined {
  const s = ctx.scoutSlope;
  if (s === undefined) return undefined;
  const look = pts.find((p) => p.x === s.look);
  if (look === undefined) return undefined;
  const d = look.x - s.x;
  const c = (look.f - s.f - s.g * d) / (d * d);
  if (!(c > 0) || !Number.isFinite(c)) return undefined;
  const v = Math.min(ctx.hi, Math.max(ctx.lo, s.x - s.g / (2 * c)));
  const b = look.f < s.f ? look : s;
  if (Math.abs(v - b.x) < Math.max(xtol, SLOPED_NEAR)) return null;
  if (Math.abs(v - s.x) > 2 * Math.abs(d)) return undefined;
  return { theta: new Float64Array(ctx.q).fill(v), curvature: (2 * c) / ctx.q, bestValue: b.f, bestTheta: new Float64Array(ctx.q).fill(b.x) };
}

function lineSearch(ctx: Ctx, maxEvals: number): OuterResult {
  const xtol = ctx.opts.xtol ?? 5e-3;
  const firstStep = ctx.opts.firstStep ?? 1;
  let theta = initialTheta(ctx, maxEvals, true);
  const base = ctx.calls; // scouting evaluations (they count in the budget)
  let tol = tolAt(ctx, 0);
  // the scouting values' quadratic model: its minimiser is tried as the start first (it needs a call
  // for itself and, when it does not beat the best scouting value, one for the best scouting point)
  // (one hyperparameter only: the elastic net's and weighted Lasso's scouting runs on the diagonal,
  // and its minimiser there was a worse start than the best scouting point on both enet cells tried)
  const model = (ctx.opts.init ?? 'scout') === 'scout' && ctx.q === 1 && ctx.calls + 2 <= maxEvals ? scoutModel(ctx, xtol) : null;
  let start: { ev: CriterionEvaluation; ms: number } | null = null;
  if (model !== null) {
    const tried = evalAt(ctx, model.theta, true, tol);
    const wins = tried.ev.finite && tried.ev.value < model.bestValue;
    record(ctx, model.theta, tried.ev, tol, tried.ms, wins);
    if (wins) {
      start = tried;
      theta = model.theta;
    } else tol = tolAt(ctx, ctx.calls - base);
  }
  const { ev, ms } = start ?? evalAt(ctx, theta, true, tol);
  if (start === null) record(ctx, theta, ev, tol, ms, ev.finite);
  if (!ev.finite) {
    throw new NonFiniteError(`${ctx.fn}(): the criterion or its hypergradient is not finite at the starting point λ = ${Array.from(theta, Math.exp).join(', ')}`);
  }
  const f = ev.value;
  const g = ev.gradient!;
  let best: Best = { theta, value: f, gradient: g, support: ev.supportSize, certified: ev.inner.certified };
  const gn = norm(g);
  // from the model's minimiser, the first step is a Newton step on the larger of two curvatures: the
  // model's q'' and that along the segment to the best scouting point b (the quadratic with the
  // start's value and gradient through f(b)),
  //   c = 2·(f(b) − f − gᵀ(θ_b − θ)) / ‖θ_b − θ‖²,
  // the larger one so that the step does not overshoot (an overshoot costs a rejected trial, a short
  // step only one more secant step); 500 × 1000 CV: q'' ≈ 22, c ≈ 8, and steps on c overshot twice
  let L = gn > 0 ? gn / firstStep : 1;
  if (start !== null && ctx.opts.firstStep === undefined) {
    let gd = 0, ss = 0;
    for (let k = 0; k < theta.length; k++) {
      const dk = model!.bestTheta[k]! - theta[k]!;
      gd += g[k]! * dk;
      ss += dk * dk;
    }
    const c = (2 * (model!.bestValue - f - gd)) / ss;
    L = c > model!.curvature && Number.isFinite(c) ? c : model!.curvature;
  }
  let run = descend(ctx, maxEvals, base, { theta, f, g, L }, best);
  best = run.best;
  // the end look (see `endLook`): once, after a converged descent, when the scouting range's small-λ
  // end is unexplored and cheap — a loose value-only look (it places a start, never the result);
  // when it beats the best point, its certified evaluation starts a second descent
  const end = run.converged && ctx.calls < maxEvals ? endLook(ctx, maxEvals) : null;
  if (end !== null) {
    const look = evalAt(ctx, end, false, ctx.tolFinal, false);
    record(ctx, end, look.ev, ctx.tolFinal, look.ms, false);
    if (look.ev.finite && look.ev.value < best.value && ctx.calls < maxEvals) {
      tol = tolAt(ctx, ctx.calls - base);
      const at = evalAt(ctx, end, true, tol);
      const wins = at.ev.finite && at.ev.value < best.value;
      record(ctx, end, at.ev, tol, at.ms, wins);
      if (wins) {
        const g0 = at.ev.gradient!;
        best = { theta: end, value: at.ev.value, gradient: g0, support: at.ev.supportSize, certified: at.ev.inner.certified };
        const gn0 = norm(g0);
        run = descend(ctx, maxEvals, base, { theta: end, f: at.ev.value, g: g0, L: gn0 > 0 ? gn0 / firstStep : 1 }, best);
        best = run.best;
      }
    }
  }
  return finish(ctx, best, 'line-search', run.stopReason, run.converged);
}

/**
 * The end look of the line search (one hyperparameter, `init: 'scout'`; round scout3): the θ of the
 * bottom of the scouting range, log(λ_max·1e-3) clipped to the box, when
 * - the criterion's inner problems are not wide (`Criterion.shape`: features ≤ rows, so a solve at
 *   small λ has at most p ≤ n active features and stays cheap — a wide problem's small-λ solves are
 *   the most expensive of a tuning, |S| → n),
 * - and no evaluation so far reached the scouting range's last cell, θ ≤ θ_bottom + h (h the
 *   scouting step): sloped scouting stops at the first rise and the descent converges in the basin
 *   it starts in, so a criterion that rises and falls again at small λ (breast_cancer's CV: a local
 *   minimum at λ_max/31, 25% lower again at λ_max·1e-3) leaves its better basin unseen;
 * else null. The look is value-only and loose (at `tol`, `certified: false`, `accepted: false`, as
 * scouting's looks: it places a start, never the result); when its value beats the best point, that
 * point is evaluated certified with its hypergradient (`accepted` when it still wins) and a second
 * descent starts there.
 */
function endLook(ctx: Ctx, maxEvals: number): Float64Array | null {
  if ((ctx.opts.init ?? 'scout') !== 'scout' || ctx.q !== 1) return null;
  const shape = ctx.crit.shape;
  if (shape === undefined || !(shape.features <= shape.rows)) return null;
  // the scouting's grid (`scout`); none without scouting (a budget below 3)
  const { bottom, h } = scoutRange(ctx, Math.min(ctx.opts.scoutSize ?? 5, maxEvals - 1));
  if (!(h > 0)) return null;
  for (const e of ctx.history) if (e.logLambdas[0]! <= bottom + h) return null;
  return Float64Array.of(bottom);
}

/** The state a descent starts from: θ, its certified value and hypergradient, the curvature L. */
interface DescentStart {
  theta: Float64Array;
  f: number;
  g: Float64Array;
  L: number;
}

/**
 * The descent of the line search (see the file header) from `s` until a convergence test or the
 * budget; `best` is the best certified point so far (updated by every trial). `base`: the calls
 * before the descent (the inner tolerance schedule counts from there).
 */
function descend(ctx: Ctx, maxEvals: number, base: number, s: DescentStart, best: Best): { best: Best; stopReason: string; converged: boolean } {
  const xtol = ctx.opts.xtol ?? 5e-3;
  const ftol = ctx.opts.ftol ?? 1e-7;
  const maxStep = ctx.opts.maxStep ?? 2;
  let { theta, f, g, L } = s;
  let gn: number;
  let tol: number;
  let ev: CriterionEvaluation;
  let ms: number;
  let stopReason = 'evaluation budget exhausted';
  let converged = false;
  let smallDecrease = 0;
  while (ctx.calls < maxEvals) {
    gn = norm(g);
    L = Math.max(L, gn / maxStep);
    const trial = new Float64Array(theta.length);
    for (let k = 0; k < trial.length; k++) trial[k] = theta[k]! - g[k]! / L;
    const next = clip(ctx, trial);
    const step = new Float64Array(theta.length);
    for (let k = 0; k < step.length; k++) step[k] = next[k]! - theta[k]!;
    if (maxAbs(step) < xtol) {
      stopReason = gn === 0 ? 'zero gradient' : maxAbs(trial.map((v, k) => v - next[k]!)) > 0 ? 'projected step below xtol (at the boundary of the search box)' : 'step below xtol';
      converged = true;
      break;
    }
    tol = tolAt(ctx, ctx.calls - base);
    ({ ev, ms } = evalAt(ctx, next, true, tol));
    let gd = 0, ss = 0;
    for (let k = 0; k < step.length; k++) {
      gd += g[k]! * step[k]!;
      ss += step[k]! * step[k]!;
    }
    if (!ev.finite) {
      record(ctx, next, ev, tol, ms, false);
      L *= 10;
      continue;
    }
    if (ev.value < best.value) best = { theta: next, value: ev.value, gradient: ev.gradient, support: ev.supportSize, certified: ev.inner.certified };
    const bound = f + 1e-4 * gd + 1e-12 * Math.abs(f);
    if (ev.value <= bound) {
      record(ctx, next, ev, tol, ms, true);
      const g2 = ev.gradient!;
      let sy = 0;
      for (let k = 0; k < step.length; k++) sy += step[k]! * (g2[k]! - g[k]!);
      const decrease = f - ev.value;
      theta = next;
      f = ev.value;
      g = g2;
      L = sy > 0 ? sy / ss : L / 2;
      if (decrease >= 0 && decrease <= ftol * Math.abs(f)) {
        smallDecrease++;
        if (smallDecrease >= 2) {
          stopReason = 'relative decrease below ftol';
          converged = true;
          break;
        }
      } else smallDecrease = 0;
    } else {
      record(ctx, next, ev, tol, ms, false);
      // quadratic interpolation along the step: φ(0) = f, φ'(0) = gd, φ(1) = value
      const curv = ev.value - f - gd;
      const tStar = curv > 0 ? -gd / (2 * curv) : 0.1;
      const shrink = Math.min(10, Math.max(2, 1 / Math.max(tStar, 1e-12)));
      L *= shrink;
    }
  }
  if (ctx.calls >= maxEvals && !converged) stopReason = 'evaluation budget exhausted';
  return { best, stopReason, converged };
}

function adam(ctx: Ctx, maxEvals: number): OuterResult {
  const lr0 = ctx.opts.lr ?? 0.2;
  if (!(lr0 > 0) || !Number.isFinite(lr0)) throw new InvalidArgumentError(`${ctx.fn}(): lr must be a finite number > 0, got ${lr0}`);
  const xtol = ctx.opts.xtol ?? 5e-3;
  const b1 = 0.9, b2 = 0.999, eps = 1e-8;
  const q = ctx.q;
  let theta = initialTheta(ctx, maxEvals);
  const base = ctx.calls; // scouting evaluations (they count in the budget)
  const m = new Float64Array(q);
  const v = new Float64Array(q);
  let lr = lr0;
  let best: Best | null = null;
  let t = 0;
  let small = 0;
  let stopReason = 'evaluation budget exhausted';
  let converged = false;
  while (ctx.calls < maxEvals) {
    const tol = tolAt(ctx, ctx.calls - base);
    const { ev, ms } = evalAt(ctx, theta, true, tol);
    record(ctx, theta, ev, tol, ms, ev.finite);
    if (!ev.finite) {
      if (best === null) throw new NonFiniteError(`${ctx.fn}(): the criterion or its hypergradient is not finite at the starting point`);
      // reject: go back to the best point with a smaller learning rate
      theta = new Float64Array(best.theta);
      lr /= 4;
      continue;
    }
    if (best === null || ev.value < best.value) best = { theta, value: ev.value, gradient: ev.gradient, support: ev.supportSize, certified: ev.inner.certified };
    const g = ev.gradient!;
    t++;
    const step = new Float64Array(q);
    for (let k = 0; k < q; k++) {
      m[k] = b1 * m[k]! + (1 - b1) * g[k]!;
      v[k] = b2 * v[k]! + (1 - b2) * g[k]! * g[k]!;
      const mh = m[k]! / (1 - Math.pow(b1, t));
      const vh = v[k]! / (1 - Math.pow(b2, t));
      step[k] = (lr * mh) / (Math.sqrt(vh) + eps);
    }
    const next = clip(ctx, theta.map((x, k) => x - step[k]!));
    let moved = 0;
    for (let k = 0; k < q; k++) moved = Math.max(moved, Math.abs(next[k]! - theta[k]!));
    theta = next;
    if (moved < xtol) {
      small++;
      if (small >= 3) {
        stopReason = 'step below xtol';
        converged = true;
        break;
      }
    } else small = 0;
  }
  return finish(ctx, best, 'adam', stopReason, converged);
}

/**
 * Grid points per `evaluateMany` call (CV: each fold solves this many λ in a row). 10 keeps the
 * cache benefit (measured equal to 100 on 5-fold CV) and `onEvaluation` progress fine-grained.
 */
const GRID_CHUNK = 10;

/**
 * The geometric grid of the grid search (decreasing): λ_max·eps^(k/(size−1)), k = 0..size−1.
 *
 * @example
 * geometricGrid(1, 3, 1e-2); // [1, 0.1, 0.01]
 */
export function geometricGrid(lmax: number, size: number, eps: number): Float64Array {
  if (!Number.isInteger(size) || size < 1) throw new InvalidArgumentError(`geometricGrid(): size must be a positive integer, got ${size}`);
  if (!(eps > 0 && eps < 1)) throw new InvalidArgumentError(`geometricGrid(): eps must be in (0, 1), got ${eps}`);
  const g = new Float64Array(size);
  for (let k = 0; k < size; k++) g[k] = size === 1 ? lmax : lmax * Math.pow(eps, k / (size - 1));
  return g;
}

/** A grid-size option: a positive integer (or its default when not given). */
function gridCount(ctx: Ctx, name: 'gridSize' | 'gridSize2', fallback: number): number {
  const v = ctx.opts[name] ?? fallback;
  if (!Number.isInteger(v) || v < 1) throw new InvalidArgumentError(`${ctx.fn}(): ${name} must be a positive integer, got ${String(v)}`);
  return v;
}

/**
 * The grid search. With `maxEvals`, the default grid sizes shrink to fit the budget (1-D: at most
 * maxEvals points; enet: λ₂ points × λ₁ points ≤ maxEvals); a grid the user sized explicitly
 * (`gridSize`, `gridSize2`, `gridLambdas`) that does not fit is an error, not a silent cut.
 */
function gridSearch(ctx: Ctx, maxEvals: number | undefined): OuterResult {
  const lmax = ctx.crit.lambdaMax;
  const model = ctx.crit.model;
  const eps = ctx.opts.gridEps ?? 1e-3;
  if (!(eps > 0 && eps < 1)) throw new InvalidArgumentError(`${ctx.fn}(): gridEps must be in (0, 1), got ${String(eps)}`);
  const cap = maxEvals ?? Infinity;
  const size2 = model === 'enet' ? gridCount(ctx, 'gridSize2', Math.min(10, cap)) : 1;
  let grid: Float64Array;
  if (ctx.opts.gridLambdas !== undefined) {
    grid = Float64Array.from(ctx.opts.gridLambdas);
    if (grid.length === 0) throw new InvalidArgumentError(`${ctx.fn}(): gridLambdas is empty`);
    for (let k = 0; k < grid.length; k++) {
      if (!(grid[k]! > 0) || !Number.isFinite(grid[k]!)) throw new InvalidArgumentError(`${ctx.fn}(): gridLambdas[${k}] must be a finite λ > 0, got ${grid[k]}`);
    }
  } else {
    grid = geometricGrid(lmax, gridCount(ctx, 'gridSize', Math.max(1, Math.min(model === 'enet' ? 20 : 100, Math.floor(cap / size2)))), eps);
  }
  const total = grid.length * size2;
  if (total > cap) {
    const sizes = model === 'enet' ? `${grid.length} λ₁ × ${size2} λ₂ values` : `${grid.length} λ values`;
    throw new InvalidArgumentError(
      `${ctx.fn}(): the grid has ${sizes} = ${total} evaluations, more than maxEvals = ${maxEvals}; use a smaller grid (gridSize${model === 'enet' ? ', gridSize2' : ''}, gridLambdas) or a larger maxEvals`,
    );
  }
  const points: Float64Array[] = [];
  if (model === 'enet') {
    const g2 = geometricGrid(lmax, size2, eps);
    // for each λ₂, a warm-started path over λ₁
    for (const l2 of g2) for (const l1 of grid) points.push(Float64Array.of(Math.log(l1), Math.log(l2)));
  } else {
    for (const l of grid) points.push(new Float64Array(ctx.q).fill(Math.log(l)));
  }
  const tol = ctx.tolFinal;
  const loose: number[] = [];
  // a path of this many λ per problem: the inner solvers choose their mode up front
  ctx.crit.planEvaluations?.(model === 'enet' ? grid.length : points.length);
  // runs of GRID_CHUNK points at once when the criterion can take them in its own order
  // (`evaluateMany`: CV fold by fold, same values); `onEvaluation` then fires per run
  const step = ctx.crit.evaluateMany !== undefined ? GRID_CHUNK : 1;
  for (let i0 = 0; i0 < points.length; i0 += step) {
    const run = points.slice(i0, i0 + step);
    const r = evalRun(ctx, run, tol);
    for (let i = 0; i < run.length; i++) {
      const ev = r.evaluations[i]!;
      ctx.calls++;
      record(ctx, run[i]!, ev, tol, r.ms[i]!, ev.finite);
      loose.push(ev.finite ? ev.value : NaN);
    }
  }
  certifyDecisive(ctx, points, loose, tol);
  // no point could be certified (e.g. non-unique solutions everywhere): the best loose one, flagged
  const best = bestOf(ctx, points, (e) => e.certified) ?? bestOf(ctx, points, () => true);
  return finish(ctx, best, 'grid', 'grid exhausted', true);
}

/** The best finite history entry among the grid points that pass `keep` (history[k] is points[k]). */
function bestOf(ctx: Ctx, points: Float64Array[], keep: (e: HistoryEntry) => boolean): Best | null {
  let best: Best | null = null;
  for (let k = 0; k < points.length; k++) {
    const e = ctx.history[k]!;
    if (e.finite && keep(e) && (best === null || e.value < best.value)) {
      best = { theta: points[k]!, value: e.value, gradient: null, support: e.supportSize, certified: e.certified };
    }
  }
  return best;
}

/**
 * Certifies the grid points that decide the argmin (see the file header): the loose best and its
 * grid neighbours, then every point with loose value − 10·(largest loose error seen) ≤ the certified
 * best, until none is left. Certified values replace the loose ones in the history (same
 * `evaluation` index; `onEvaluation` is not called again).
 */
function certifyDecisive(ctx: Ctx, points: Float64Array[], loose: number[], tol: number): void {
  const done = new Set<number>();
  let bestCertified = Infinity;
  let maxLooseError = 0;
  let looseBest = -1;
  for (let k = 0; k < loose.length; k++) if (!Number.isNaN(loose[k]!) && (looseBest < 0 || loose[k]! < loose[looseBest]!)) looseBest = k;
  if (looseBest < 0) return;
  let todo = [looseBest - 1, looseBest, looseBest + 1].filter((k) => k >= 0 && k < points.length && !Number.isNaN(loose[k]!));
  // the path ended at the smallest λ (largest support): certify from fresh warm starts, in grid order
  // (each point from the loose path's own solution at its λ when the criterion kept it, see below)
  ctx.crit.resetWarmStart();
  while (todo.length > 0) {
    todo.sort((a, b) => a - b);
    for (const k of todo) {
      // from the loose path's solution at this λ when the criterion kept it (same λ: the closest start)
      ctx.crit.warmStartAt?.(points[k]!.map(Math.exp));
      const { ev, ms } = evalAt(ctx, points[k]!, false, tol, true, false);
      done.add(k);
      const old = ctx.history[k]!;
      ctx.history[k] = {
        ...old,
        value: ev.value,
        supportSize: ev.supportSize,
        timeMs: performance.now() - ctx.t0,
        evalMs: old.evalMs + ms,
        accepted: ev.finite,
        finite: ev.finite,
        diagnosticsOk: ev.diagnostics.ok,
        certified: ev.inner.certified,
      };
      if (!ev.finite) continue;
      maxLooseError = Math.max(maxLooseError, Math.abs(ev.value - loose[k]!));
      if (ev.inner.certified) bestCertified = Math.min(bestCertified, ev.value);
    }
    todo = [];
    for (let k = 0; k < loose.length; k++) {
      if (!done.has(k) && !Number.isNaN(loose[k]!) && loose[k]! - 10 * maxLooseError <= bestCertified) todo.push(k);
    }
  }
}
