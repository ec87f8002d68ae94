/**
 * @file The loose (value-only, uncertified) solve of a grid path's Lasso point in the Gram mode,
 * without the residual-mode machinery around it: what `SparseProblem.solve(λ, { refine: false,
 * checks: false })` returns when its solver finishes in the Gram mode with a certified Gram gap
 * (quad_gram.ts), the same β, intercept and support, computed without the solver object, the O(n·|S|)
 * residual and the result copies that the value of a grid point never reads.
 *
 * The same steps as cd.ts (`lasso` on a prepared design, Gram mode first): warm start β of the
 * problem's last solution, active set = non-zero columns, gap tolerance tol·‖y_c‖²/n, `gramSolve`;
 * the result is accepted only when the Gram certificate (`gramCertificate`, a proven upper bound on
 * the duality gap) meets the tolerance, so the reported gap is certified as on the regular path.
 * Otherwise (or when the problem does not qualify: another model, scaled data, no Gram mode planned)
 * it returns null and the caller solves the regular way. The training residual and fitted values of
 * the returned solution are computed on first read (y_c − X_cβ; O(n·|S|)), as long as the problem's
 * design is alive.
 *
 * Path predictor (`predict`, what grid search's loose path asks for): on a support with fixed
 * signs the Lasso solution is affine in λ — β_S(λ) = G_SS⁻¹(q_S − nλ·sign(β_S)) — so when λ
 * continues a decreasing path λ₀ > λ₁ > λ and the warm start is the loose solution at λ₁, the
 * start is the secant step β₁ + (β₁ − β₀)·ρ, ρ = (λ − λ₁)/(λ₁ − λ₀), except where that step would
 * leave the sign of β₁ or revive a coordinate that β₁ dropped (those keep β₁'s value). Exact
 * between two kinks of the path up to the loose solutions' own errors, it leaves the solver less to
 * do. Its gradient needs no product with G either: g = q − Gβ is affine in β, so the secant step
 * of the two final (fresh) gradients, g₁ + (g₁ − g₀)·ρ, IS g at the secant β, corrected by
 * G_j·δ_j for the few kept coordinates (δ_j: secant minus kept value). 5-fold CV on 2000×300,
 * 100 λ: 30% fewer sweeps and one Gβ product per λ fewer. Only the start changes: the solve, its
 * tolerance and its certificate are the same (g is recomputed before any stop), so the result is
 * as accurate, not bit-identical to the unpredicted solve.
 */
import type { InnerOptions, InnerSolution } from './hypergrad_types.js';
import type { SparseProblem } from './hypergrad.js';
import { designOutOfRange, interceptOf, type PreparedDesign } from './design.js';
import { matvec } from './columns.js';
import { resolveOptions, scaledTarget, supportOf, warmBeta, type ResolvedOptions } from './models.js';
import { sumSq, type QuadSpec } from './quad_model.js';
import { cachedGram, gramEligible, gramPreferred, gramSolve } from './quad_gram.js';
import { initialActiveSet } from './columns.js';
import { InvalidArgumentError } from '../core/errors.js';

/**
 * Per problem: y needs no rescaling (`scaledTarget`), the active set (non-zero columns), ‖y_c‖² of
 * the problem's y_c (a readonly array of the problem: summed once, not per λ) and the buffer of
 * the penalty vector (refilled per λ; the Gram loop only reads it during the call).
 */
export interface LooseSetup {
  readonly list: Int32Array;
  readonly m: number;
  readonly yc: Float64Array;
  readonly yy: number;
  readonly l1: Float64Array;
  /** The last two loose solutions of this problem with their final g (the path predictor), newest in `last`. */
  last: PathPoint | null;
  prev: PathPoint | null;
  /** Buffers: a g to receive the next final g (recycled from dropped points), the predicted g. */
  spareG: Float64Array | null;
  readonly gPred: Float64Array;
  /** The last resolved solver options and the tol / maxIter they were resolved from (a path asks the same every λ). */
  opts: { readonly tol: number; readonly maxIter: number | undefined; readonly o: ResolvedOptions } | null;
}

/** A loose solution on the path: λ, β and the fresh g = q − Gβ it ended with. */
interface PathPoint {
  readonly lambda: number;
  readonly beta: Float64Array;
  readonly g: Float64Array;
}
const qualifies = new WeakMap<SparseProblem, LooseSetup | null>();

/**
 * The setup of a problem that qualifies for the Gram-mode solves without the residual-mode machinery
 * (the Lasso on an unscaled dense design with unscaled y), or null; made once per problem. Shared with
 * the certified Gram-mode solve (gram_refine.ts), which reads its active set and ‖y_c‖² only.
 */
export function looseSetup(prob: SparseProblem): LooseSetup | null {
  const hit = qualifies.get(prob);
  if (hit !== undefined && (hit === null || hit.yc === prob.yc)) return hit;
  const d = prob.design;
  let out: LooseSetup | null = null;
  if (prob.model === 'lasso' && !d.isSparse && d.scale === 1 && !designOutOfRange(d) && scaledTarget(Float64Array.from(prob.y)).scale === 1) {
    const act = initialActiveSet(d.colNormsSq);
    out = { list: act.activeList, m: act.nActive, yc: prob.yc, yy: sumSq(d.nRows, prob.yc), l1: new Float64Array(d.nCols), last: null, prev: null, spareG: null, gPred: new Float64Array(d.nCols), opts: null };
  }
  qualifies.set(prob, out);
  return out;
}

/**
 * The loose Gram-mode solve of `prob` at `lambdas` (see the file header), or null when the regular
 * `prob.solve` must run. Only for `refine: false, checks: false` (value-only) solves of the Lasso on
 * a design whose Gram mode is planned or cached; the result becomes the problem's warm start.
 * `predict`: start from the path predictor's step when λ continues a decreasing loose path (file
 * header) instead of from the last solution itself.
 *
 * @example
 * prob.planSolves(100);
 * const sol = looseGramSolve(prob, 0.1, { tol: 1e-4, refine: false, checks: false }) ?? prob.solve(0.1, opts);
 */
export function looseGramSolve(prob: SparseProblem, lambdas: ArrayLike<number> | number, opts: InnerOptions, predict = false): InnerSolution | null {
  if (opts.refine !== false || opts.checks !== false || (opts.method ?? 'implicit') !== 'implicit' || opts.warmStart === false) return null;
  const d = prob.design;
  if (!gramEligible(d) || !gramPreferred(d)) return null;
  const act = looseSetup(prob);
  if (act === null) return null;
  const t0 = performance.now();
  const lam = prob.checkLambdas(lambdas);
  const fn = 'lasso';
  // resolved (and checked) once per problem and (tol, maxIter): the same options object every λ
  const tol = opts.tol ?? 1e-4;
  let ro = act.opts;
  if (ro === null || ro.tol !== tol || ro.maxIter !== opts.maxIter) {
    const o = resolveOptions({ tol, onFailure: 'return', ...(opts.maxIter !== undefined ? { maxIter: opts.maxIter } : {}) }, fn);
    ro = act.opts = { tol, maxIter: opts.maxIter, o };
  }
  const o = ro.o;
  const n = d.nRows;
  const p = d.nCols;
  const warm = prob.lastSolution;
  const beta = warmBeta(warm !== null ? { beta: warm.beta } : undefined, p, d.colNormsSq, fn);
  const lambda = lam[0]!;
  const startG = predict && warm !== null ? predictStart(act, d, warm.beta, lambda, beta) : null;
  const spec: QuadSpec = { model: 'lasso', l1: act.l1.fill(lambda), l2: 0, weights: null, lambda };
  const yc = act.yc;
  const tolAbs = (o.tol * act.yy) / n;
  // y_c is the problem's own readonly array; the certificate's copy of g is not read here
  const outG = act.spareG ?? new Float64Array(p);
  act.spareG = null;
  const gr = gramSolve(d, yc, spec, beta, act.list, act.m, tolAbs, o.maxIter, {
    trustedTarget: true, noCertG: true, outG, ...(startG !== null ? { startG } : {}),
  });
  if (gr.cert === null) {
    act.spareG = outG;
    return null;
  }
  if (act.prev !== null) act.spareG = act.prev.g;
  act.prev = act.last;
  act.last = { lambda, beta, g: outG };
  const support = supportOf(beta);
  const intercept = interceptOf(d, beta, prob.yMean);
  const t1 = performance.now();
  const fit = lazyFit(d, yc, prob.y, beta);
  const sol: InnerSolution = {
    model: 'lasso',
    lambdas: lam,
    beta,
    intercept,
    support,
    get residual(): Float64Array {
      return fit.residual;
    },
    get fitted(): Float64Array {
      return fit.fitted;
    },
    gap: gr.cert.gap,
    converged: true,
    iterations: gr.epochs,
    diagnostics: {
      supportSize: support.length, equicorrelationSize: -1, kinks: NO_KINKS, rankDeficient: false, rankCheck: 'none',
      minPivotRatio: NaN, conditionEstimate: NaN, kktViolation: NaN, kktViolators: -1, refined: false, ok: true, messages: [],
    },
    timings: { solveMs: t1 - t0, postMs: 0, factorMs: 0, refineMs: 0, checksMs: 0, checkedFeatures: 0 },
  };
  prob.warmStartFrom(sol);
  return sol;
}

/** The `kinks` of every loose solution (none are looked for): one shared empty array (length 0: nothing to mutate). */
const NO_KINKS = new Int32Array(0);

/**
 * The path predictor's start (file header): writes β into `beta` (a copy of the warm start `warm`)
 * and returns g = q − Gβ for it (`act.gPred`), when `warm` is the last loose solution and λ
 * continues a decreasing path; else null (`beta` unchanged).
 */
function predictStart(act: LooseSetup, d: PreparedDesign, warm: Float64Array, lambda: number, beta: Float64Array): Float64Array | null {
  const a = act.last, b = act.prev;
  if (a === null || b === null || warm !== a.beta || !(lambda < a.lambda && a.lambda < b.lambda)) return null;
  const G = cachedGram(d);
  const p = beta.length;
  // the step ratio ρ > 0; a grid's is constant (0.93 on 100 log-spaced λ over three decades)
  const r = (lambda - a.lambda) / (a.lambda - b.lambda);
  if (G === undefined || G.length !== p * p || !(r > 0 && r <= 2)) return null;
  const b1 = a.beta, b0 = b.beta, g1 = a.g, g0 = b.g;
  const g = act.gPred;
  for (let j = 0; j < p; j++) g[j] = g1[j]! + (g1[j]! - g0[j]!) * r;
  for (let j = 0; j < p; j++) {
    const v1 = b1[j]!;
    const e = v1 + (v1 - b0[j]!) * r;
    // kept: a sign change (or a dropped coordinate revived); g corrected by G_j·(e − v1)
    const keep = v1 === 0 ? e !== 0 : !((e > 0) === (v1 > 0) && e !== 0);
    if (!keep) {
      beta[j] = e;
      continue;
    }
    const dl = e - v1;
    if (dl === 0 || !Number.isFinite(dl)) continue;
    const o = j * p; // row j = column j (G exactly symmetric)
    for (let k = 0; k < p; k++) g[k] += dl * G[o + k]!;
  }
  for (let j = 0; j < p; j++) if (!Number.isFinite(beta[j]!) || !Number.isFinite(g[j]!)) return fallBack(beta, warm);
  return g;
}

/** The predictor gave up (a non-finite value): `beta` back to the warm start, no start g. */
function fallBack(beta: Float64Array, warm: Float64Array): null {
  beta.set(warm);
  return null;
}

/**
 * The training residual r = y_c − X_cβ as a new n-vector (one product with X).
 *
 * @example
 * const r = residualOf(d, yc, beta);
 */
export function residualOf(d: PreparedDesign, yc: Float64Array, beta: Float64Array): Float64Array {
  const r = new Float64Array(d.nRows);
  matvec(d, beta, r);
  for (let i = 0; i < r.length; i++) r[i] = yc[i]! - r[i]!;
  return r;
}

/**
 * The training residual r = y_c − X_cβ and fitted values y − r of a Gram-mode solution, each computed
 * on first read (O(n·|S|)) and kept; `yc`, `y` and `beta` must stay unmodified, and a read after `d`
 * was disposed throws InvalidArgumentError.
 *
 * @example
 * const fit = lazyFit(prob.design, prob.yc, prob.y, beta); // nothing computed yet
 * fit.residual; // y_c − X_cβ, now made
 */
export function lazyFit(d: PreparedDesign, yc: Float64Array, y: Float64Array, beta: Float64Array): { readonly residual: Float64Array; readonly fitted: Float64Array } {
  const n = d.nRows;
  let residual: Float64Array | null = null;
  let fitted: Float64Array | null = null;
  const res = (): Float64Array => {
    if (residual === null) {
      // a disposed design's columns live in memory that the pool has handed on: refuse, not garbage
      if ((d as { disposed?: boolean }).disposed === true) {
        throw new InvalidArgumentError('residual / fitted of a solution: its problem was disposed before they were read (read them first)');
      }
      residual = residualOf(d, yc, beta);
    }
    return residual;
  };
  return {
    get residual(): Float64Array {
      return res();
    },
    get fitted(): Float64Array {
      if (fitted === null) {
        const r = res();
        const f = new Float64Array(n);
        for (let i = 0; i < n; i++) f[i] = y[i]! - r[i]!;
        fitted = f;
      }
      return fitted;
    },
  };
}
