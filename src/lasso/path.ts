/**
 * @file The warm-started regularisation path `lassoPath` (scikit-learn's `lasso_path` /
 * `enet_path`): a geometric grid from λ_max down, each solve started from the previous solution,
 * the design prepared once.
 */
import { checkPositive } from '../core/options.js';
import type { DesignInput, PreparedDesign } from './design.js';
import { disposeDesign, resolveDesignOwned } from './design.js';
import type { SolverOptions, SolverResult } from './models.js';
import { checkDesignRange, checkRows, checkTarget, lambdaMaxFromTarget, makeTarget, mulPow2, resolveOptions, scaledTarget } from './models.js';
import type { VectorLike } from '../data/matrix.js';
import { elasticNet, lasso } from './cd.js';
import { InvalidArgumentError } from '../core/errors.js';

/**
 * The most `accuracy: 'relative'` tightens tol (tol_k ≥ tol·RELATIVE_FLOOR): below it the gap meets
 * the solver's rounding floor on ill-conditioned small-λ problems (a 1e-8 path on breast_cancer
 * stalled at gap 5.5e-10 against a relative target of 2.7e-10).
 */
const RELATIVE_FLOOR = 1e-2;

/** Options of `lassoPath`. */
export interface PathOptions extends Omit<SolverOptions, 'warmStart'> {
  /** Explicit decreasing grid (overrides nLambdas/eps). */
  readonly lambdas?: ArrayLike<number>;
  /** Grid size. Default 100. */
  readonly nLambdas?: number;
  /** λ_min = eps·λ_max. Default 1e-3. */
  readonly eps?: number;
  /**
   * Elastic-net mixing (scikit-learn's l1_ratio, default 1 = Lasso): penalty
   * λ·l1Ratio‖β‖₁ + λ(1 − l1Ratio)/2 ‖β‖²; the grid starts at λ_max/l1Ratio.
   */
  readonly l1Ratio?: number;
  /**
   * What `tol` bounds at each λ. `'relative'` (default): the duality gap ≤ tol·P, so the
   * objective is within a relative tol of the optimum at every λ (P is bounded by the previous
   * λ's objective, since the optimal value decreases with λ). `'sklearn'`: the gap ≤ tol·‖y_c‖²/n
   * at every λ (scikit-learn's criterion, the one single solves use), which is loose where the
   * objective is small: on a 300 × 3000 path it left one λ 1.9% above its optimum. The relative
   * target tightens tol by at most 100× (gap ≤ max(tol·P, tol·‖y_c‖²/(100n))).
   */
  readonly accuracy?: 'relative' | 'sklearn';
}

/** Result of `lassoPath`. */
export interface PathResult {
  /** The grid (decreasing). */
  readonly lambdas: Float64Array;
  /** Coefficients per λ. */
  readonly coefs: Float64Array[];
  readonly intercepts: Float64Array;
  /** Final duality gap per λ. */
  readonly gaps: Float64Array;
  /** Absolute gap threshold used per λ (see `accuracy`). */
  readonly tolerances: Float64Array;
  /** Epochs per λ. */
  readonly iterations: Int32Array;
  readonly converged: boolean[];
  /** λ_max of the data (the grid's first point when generated). */
  readonly lambdaMax: number;
  readonly timings: { readonly totalMs: number };
}

/**
 * Warm-started regularisation path, like scikit-learn's `lasso_path` / `enet_path`: by default a
 * geometric grid of 100 values from λ_max down to 1e-3·λ_max; each solve starts from the previous
 * solution (and residual). The design is prepared once.
 *
 * @example
 * const path = lassoPath(X, y, { nLambdas: 50, tol: 1e-6 });
 * path.coefs[49]; // least-regularised solution
 */
export function lassoPath(X: DesignInput, y: VectorLike, opts: PathOptions = {}): PathResult {
  const t0 = performance.now();
  const fn = 'lassoPath';
  const o = resolveOptions(opts as SolverOptions, fn, ['lambdas', 'nLambdas', 'eps', 'l1Ratio', 'accuracy', 'gram', 'blockCD']);
  if ((opts as SolverOptions).warmStart !== undefined) throw new InvalidArgumentError(`${fn}(): warmStart is not an option of lassoPath (each λ is warm-started from the previous one)`);
  const { d, owned } = resolveDesignOwned(X, o.fitIntercept, fn, true);
  try {
    return pathPrepared(d, y, opts, fn, t0);
  } finally {
    if (owned) disposeDesign(d);
  }
}

function pathPrepared(d: PreparedDesign, y: VectorLike, opts: PathOptions, fn: string, t0: number): PathResult {
  checkRows(d.nRows, d.centered, fn);
  checkDesignRange(d, fn);
  const yv = checkTarget(y, d.nRows, fn);
  const l1Ratio = opts.l1Ratio ?? 1;
  if (typeof l1Ratio !== 'number' || !(l1Ratio > 0 && l1Ratio <= 1)) throw new InvalidArgumentError(`${fn}(): option l1Ratio must be in (0, 1], got ${String(l1Ratio)}`);
  const { y: ys, scale: c } = scaledTarget(new Float64Array(yv));
  const lmax = mulPow2(lambdaMaxFromTarget(d, makeTarget(ys, d.centered).yc, null), -Math.log2(d.scale) - Math.log2(c)) / l1Ratio;
  const accuracy = opts.accuracy ?? 'relative';
  if (accuracy !== 'relative' && accuracy !== 'sklearn') throw new InvalidArgumentError(`${fn}(): option accuracy must be 'relative' | 'sklearn', got ${String(accuracy)}`);
  const { lambdas: _l, nLambdas: _n, eps: _e, l1Ratio: _r, accuracy: _a, ...solverOpts } = opts;
  const tol = opts.tol ?? 1e-4;
  let grid: Float64Array;
  if (opts.lambdas !== undefined) {
    grid = new Float64Array(opts.lambdas.length);
    for (let k = 0; k < grid.length; k++) grid[k] = checkPositive(opts.lambdas[k], `lambdas[${k}]`, fn);
    if (grid.length === 0) throw new InvalidArgumentError(`${fn}(): lambdas is empty`);
  } else {
    const nl = opts.nLambdas ?? 100;
    const eps = opts.eps ?? 1e-3;
    if (!Number.isInteger(nl) || nl < 1) throw new InvalidArgumentError(`${fn}(): nLambdas must be a positive integer, got ${nl}`);
    if (!(eps > 0 && eps < 1)) throw new InvalidArgumentError(`${fn}(): eps must be in (0, 1), got ${eps}`);
    grid = new Float64Array(nl);
    const top = lmax > 0 ? lmax : 1;
    for (let k = 0; k < nl; k++) grid[k] = nl === 1 ? top : top * Math.pow(eps, k / (nl - 1));
  }
  const coefs: Float64Array[] = [];
  const intercepts = new Float64Array(grid.length);
  const gaps = new Float64Array(grid.length);
  const tols = new Float64Array(grid.length);
  const iters = new Int32Array(grid.length);
  const conv: boolean[] = [];
  let prev: SolverResult | undefined;
  // 'relative': tol_k = tol·P_{k−1} / (‖y_c‖²/n) in the solver's units (gap ≤ tol_k·‖y_c‖²/n), with
  // P_{k−1} ≥ P*(λ_k) the previous objective (P_{−1} = P(0) = ‖y_c‖²/(2n)); floored at
  // tol·RELATIVE_FLOOR (and 1e-13) so a vanishing objective does not ask for a gap below rounding
  let ratio = 0.5;
  for (let k = 0; k < grid.length; k++) {
    const lam = grid[k]!;
    const tolK = accuracy === 'relative' ? Math.max(1e-13, tol * RELATIVE_FLOOR, Math.min(tol, tol * ratio)) : tol;
    const sopts: SolverOptions = { ...solverOpts, tol: tolK, warmStart: prev };
    const res = l1Ratio === 1 ? lasso(d, yv, lam, sopts) : elasticNet(d, yv, lam * l1Ratio, lam * (1 - l1Ratio), sopts);
    coefs.push(res.beta);
    intercepts[k] = res.intercept;
    gaps[k] = res.gap;
    tols[k] = res.tolerance;
    const r = (res.primal * tolK) / res.tolerance;
    if (Number.isFinite(r) && r > 0) ratio = r;
    iters[k] = res.iterations;
    conv.push(res.converged);
    prev = res;
  }
  return { lambdas: grid, coefs, intercepts, gaps, tolerances: tols, iterations: iters, converged: conv, lambdaMax: lmax, timings: { totalMs: performance.now() - t0 } };
}

