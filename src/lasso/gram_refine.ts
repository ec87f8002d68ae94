/**
 * @file The certified solve of a Lasso point in the Gram mode with its refinement and KKT
 * diagnostics in Gram quantities: what `SparseProblem.solve(λ)` (refine and checks on) computes when
 * the problem's design has its Gram matrix G = X_cᵀX_c cached (a CV fold of a planned grid, the refit
 * after it), without any product with X. The regular path (cd.ts `lasso`, then hypergrad_post.ts
 * `refineAndDiagnose`) makes four O(n·|S|) or O(n·p) passes over X after the Gram loop: the residual
 * r = y_c − X_cβ, X_c,Sᵀr for the Newton step, r ← r − X_c,SΔ, and X_c,jᵀr of the features the
 * screen could not certify. Here (n = 1600, |S| up to 250, p = 300 on the issue-12 CV cell) each is
 * replaced by O(p·|S|) work on G:
 *
 * 1. the Gram loop's certified finish (`gramSolve`, the same solve as the regular path's Gram mode)
 *    hands over g = q − Gβ, freshly recomputed, with its proven rounding bound
 *    |g_j − X_c,jᵀr| ≤ err·‖X_c,j‖ (quad_gram.ts `gramCertificate`, which covers an assembled G);
 * 2. refinement: one Newton step on the support with the signs fixed, M Δ = −F with
 *    F_j = −g_j/n + l_j·sign β_j and M = G_SS/n (the problem's incremental factor, whose Gram cache
 *    reads the cached G), accepted when no sign changes (as in hypergrad_post.ts);
 * 3. g at the refined β recomputed from scratch, g = q − Gβ (the Gram loop's own product), and its
 *    bound again from `gramCertificate`: err' with |g_j − X_c,jᵀr| ≤ err'·‖X_c,j‖;
 * 4. the KKT / kink scan of the diagnostics (hypergrad_post.ts `scanKkt`) on c = g/n, with the
 *    rounding accounted for: ρ = max_j err'·‖X_c,j‖/(n·l_j) is the largest error of a ratio |c_j|/l_j,
 *    so the reported KKT violation is the computed one + ρ (an upper bound on the exact one), and a
 *    feature counts as near the kink when | |c_j|/l_j − 1 | ≤ kinkTol + ρ.
 *
 * FALLBACK to the direct path (the regular path's post-processing from the same Gram-loop result:
 * r = y_c − X_cβ, then `refineAndDiagnose` with the Gram check, bit for bit what `lasso` +
 * `refineAndDiagnose` return) whenever the Gram quantities cannot decide alone: ρ above
 * {@link GRAM_KKT_SHARE} of the KKT target, a feature near the kink (the kink and rank messages are the direct
 * path's), a failed pivot of the support factor, a support beyond `choleskyMax` or CG requested, or a
 * support larger than the rank bound. When the Gram loop itself is not certified, or the problem does
 * not qualify (another model, CSC or scaled data, no Gram mode planned or cached, `refine` or `checks`
 * off, a forward method), `gramRefinedSolve` returns null and `SparseProblem.solve` runs the regular
 * path.
 *
 * The training residual and fitted values of the returned solution are computed on first read
 * (gram_loose.ts `lazyFit`, O(n·|S|)), while the problem's design is alive: the CV criterion never
 * reads them (its validation error comes from Gram quantities, fold_gram.ts).
 */
import type { InnerOptions } from './hypergrad_types.js';
import type { SparseProblem } from './hypergrad.js';
import type { IncrementalCholesky, SupportFactor } from './hypergrad_factor.js';
import type { GramCache } from './hypergrad_core.js';
import { newPostTimings, refineAndDiagnose, restrictedRhs, scanKkt, stepKeepsSigns, type Refined, type PostTimings, type SolverCheck } from './hypergrad_post.js';
import { interceptOf } from './design.js';
import { resolveOptions, supportOf, warmBeta } from './models.js';
import { gramEligible, gramGradient, gramPreferred, gramQuantities, gramSolve, type GramQuantities } from './quad_gram.js';
import { lazyFit, looseSetup, residualOf } from './gram_loose.js';

/**
 * Share of the KKT target (the criterion's `kktTol`, see `setGramKktTarget`; default 1e-9) that the
 * rounding ρ of the Gram-derived KKT ratios may take (file header): the reported violation is the
 * computed one (rounding-level after the refinement) + ρ, so half the target stays for the rest.
 * Beyond it the diagnostics are recomputed from the residual (the direct path).
 */
export const GRAM_KKT_SHARE = 0.5;

/** The KKT violation the caller of each problem's solves must reach (`setGramKktTarget`). */
const kktTargets = new WeakMap<SparseProblem, number>();

/**
 * Tells the certified Gram-mode solves of `prob` which KKT violation its caller will accept (the
 * criteria's `kktTol`, hpo/criteria.ts), so that the Gram-derived diagnostics are used only when
 * their rounding bound leaves room for it ({@link GRAM_KKT_SHARE}); without a call, 1e-9.
 *
 * @example
 * setGramKktTarget(prob, 1e-9); // then prob.solve(λ) certifies from G when ρ ≤ 5e-10
 */
export function setGramKktTarget(prob: SparseProblem, kktTol: number): void {
  if (kktTol > 0) kktTargets.set(prob, kktTol);
}

function kktTarget(prob: SparseProblem): number {
  return kktTargets.get(prob) ?? 1e-9;
}

/** Unit roundoff of binary64 (round to nearest), and γ_k = k·u/(1 − k·u) (Higham §3.1). */
const U = 2 ** -53;
const gamma = (k: number): number => (k * U) / (1 - k * U);

/**
 * ρ = max_j ε_j/(n·l_j) over the columns `list[0..m)`, with ε_j a proven bound on |ĝ_j − X_c,jᵀr|
 * for the computed ĝ = fl(q̂ − fl(Ĝβ)) (`gramGradient`) against the exact residual r = y_c − X_cβ
 * of the stored data. Every computed inner product of k terms is within γ_k·Σ|terms| of the exact
 * one in any summation order, so with b_j ≥ ‖X_c,j‖ (the assembled G's error norms, or ‖X_c,j‖),
 * B = Σ_k b_k|β_k|, and |Ĝ_jk − G_jk| ≤ γ_G·b_j b_k (γ_G = γ_(n+T) for an
 * assembled G, γ_n for a direct one; quad_gram.ts `GramError`):
 *
 *   |q̂_j − q_j| ≤ γ_n·b_j‖y_c‖,   |(Ĝβ)_j − (Gβ)_j| ≤ γ_G·b_j·B,
 *   |fl(Ĝβ)_j − (Ĝβ)_j| ≤ γ_p·Σ_k|Ĝ_jk||β_k| ≤ γ_p(1 + γ_G)·b_j·B   (|G_jk| ≤ ‖X_c,j‖‖X_c,k‖),
 *   subtraction ≤ u|ĝ_j|/(1 − u),
 *
 *   ε_j = b_j·(γ_n‖y_c‖ + (γ_G + γ_p(1 + γ_G))·B) + u|ĝ_j|/(1 − u),
 *
 * each factor inflated by 1e-6 for the rounding of the bound's own arithmetic (norms, square roots,
 * sums), plus 4u for the scan's arithmetic on the ratio. Per entry this is about a quarter of
 * `gramCertificate`'s err (which bounds the whole gap, with u taken as 2^-52).
 *
 * @example
 * const rho = kktRounding(d, gramQuantities(d, yc)!, beta, g, l1, list, list.length); // |ĉ_j/l_j − c_j/l_j| ≤ rho
 */
export function kktRounding(
  d: { nRows: number; colNorms: Float64Array }, gq: GramQuantities, beta: Float64Array, g: Float64Array, l1: Float64Array, list: Int32Array, m: number,
): number {
  const n = d.nRows;
  const nb = gq.gerr === null ? null : gq.gerr.norms;
  // b_j: the assembled G's norms, or ‖X_c,j‖ (the larger of the design's norm and √G_jj)
  const bOf = (j: number): number => (nb !== null ? nb[j]! : Math.max(d.colNorms[j]!, Math.sqrt(Math.max(gq.diag[j]!, 0))));
  const gG = gamma(n + (gq.gerr === null ? 0 : gq.gerr.terms));
  let B = 0;
  for (let k = 0; k < m; k++) {
    const j = list[k]!;
    const b = beta[j]!;
    if (b !== 0) B += bOf(j) * Math.abs(b);
  }
  const w = 1 + 1e-6;
  // the product's sum has at most p terms (zero β_k add exact zeros, whatever the kernel skips)
  // q's bound: γ_n‖X_c,j‖‖y_c‖ (direct product) or γ_(n+T)·b_j·ρ‖y_c‖ (assembled, `qScale` ρ > 1)
  const gQ = gq.qScale === 1 ? gamma(n) : gG * gq.qScale;
  const scale = (gQ * Math.sqrt(gq.yy) + (gG + gamma(beta.length) * (1 + gG)) * B) * w * w;
  let rho = 0;
  for (let k = 0; k < m; k++) {
    const j = list[k]!;
    const lj = l1[j]!;
    if (!(lj > 0)) continue;
    const e = bOf(j) * w * scale + (U / (1 - U)) * Math.abs(g[j]!) * w;
    rho = Math.max(rho, (e / (n * lj)) * w);
  }
  // + the scan's own arithmetic on a ratio near 1: c_j = ĝ_j/n, |c_j − l_j s_j|/l_j (a few u)
  return rho + 4 * U;
}

/** What `gramRefinedSolve` returns: the post-processed solution and the solver's report. */
export interface GramRefined {
  readonly post: Refined;
  /** The Gram loop's certified duality gap at the solver's β (before the refinement, as the regular path reports it). */
  readonly gap: number;
  readonly iterations: number;
  /** Time of the Gram loop (ms; the rest of the call is the post-processing). */
  readonly solveMs: number;
  /** True when the diagnostics came from G (false: the fallback's direct path). */
  readonly fromGram: boolean;
}

/**
 * The certified Gram-mode solve of `prob` at `lambdas` with its refinement and diagnostics from G
 * (see the file header), or null when the regular `prob.solve` path must run. `l1` is the penalty
 * vector of λ; `gram` / `incr` the problem's Gram cache and incremental factor.
 *
 * @example
 * const r = gramRefinedSolve(prob, gram, incr, Float64Array.of(0.1), l1, { tol: 1e-4 });
 * if (r !== null) console.log(r.post.diagnostics.kktViolation, r.fromGram);
 */
export function gramRefinedSolve(
  prob: SparseProblem, gram: GramCache | null, incr: IncrementalCholesky | null, lam: Float64Array, l1: Float64Array, opts: InnerOptions,
): GramRefined | null {
  if (prob.model !== 'lasso' || (opts.method ?? 'implicit') !== 'implicit' || opts.refine === false || opts.checks === false) return null;
  const rankTol = opts.rankTol ?? 1e-10;
  if (incr === null || incr.rankTol !== rankTol || opts.linearSolver === 'cg') return null;
  const d = prob.design;
  if (!gramEligible(d) || !gramPreferred(d)) return null;
  const act = looseSetup(prob);
  if (act === null) return null;
  const t0 = performance.now();
  const fn = 'lasso';
  const o = resolveOptions({ tol: opts.tol ?? 1e-4, onFailure: 'return', ...(opts.maxIter !== undefined ? { maxIter: opts.maxIter } : {}) }, fn);
  const n = d.nRows;
  const p = d.nCols;
  const warm = (opts.warmStart ?? true) ? prob.lastSolution : null;
  const beta = warmBeta(warm !== null ? { beta: warm.beta } : undefined, p, d.colNormsSq, fn);
  const yc = act.yc;
  const g0 = new Float64Array(p);
  const gr = gramSolve(d, yc, { model: 'lasso', l1, l2: 0, weights: null, lambda: lam[0]! }, beta, act.list, act.m, (o.tol * act.yy) / n, o.maxIter, {
    trustedTarget: true, noCertG: true, outG: g0,
  });
  const cert = gr.cert;
  if (cert === null) return null;
  const t1 = performance.now();
  const tm = newPostTimings();
  const beta0 = Float64Array.from(beta);
  // the regular path's post-processing from the Gram loop's result (cd.ts: the residual recomputed
  // from β, X_cᵀr on the active set from g with twice its bound; hypergrad.ts: the solver's check)
  const direct = (): GramRefined => {
    beta.set(beta0);
    const residual = residualOf(d, yc, beta);
    const xtr = new Float64Array(p).fill(NaN);
    for (let k = 0; k < act.m; k++) xtr[act.list[k]!] = g0[act.list[k]!]!;
    const check: SolverCheck = { xtr, bound: null, gap: cert.gap, err: 2 * (cert.err ?? Infinity) };
    const post = refineAndDiagnose(prob, gram, incr, l1, 0, beta, residual, 0, null, opts, check);
    return { post, gap: cert.gap, iterations: gr.epochs, solveMs: t1 - t0, fromGram: false };
  };
  const S = supportOf(beta);
  const s = S.length;
  const cholMax = opts.choleskyMax ?? 800;
  // the direct path would use CG (no pivots), or its size test would fail: its messages decide
  if ((s > cholMax && opts.linearSolver !== 'cholesky') || s > n - (d.centered ? 1 : 0)) return direct();
  let g = g0;
  let refined = false;
  let factor: SupportFactor | undefined;
  if (s > 0) {
    const f0 = performance.now();
    factor = incr.syncTo(S, beta);
    tm.factorMs += performance.now() - f0;
    if (!factor.info.ok) return direct();
    // one Newton step with the signs fixed (hypergrad_post.ts's): M Δ = −F, F_j = −g_j/n + l_j·sign β_j
    const rhs = new Float64Array(s);
    let stepped = false;
    if (restrictedRhs(S, g, n, l1, 0, beta, rhs) > 0) {
      factor.solve(rhs);
      stepped = stepKeepsSigns(S, beta, rhs);
    }
    if (stepped) {
      // g at the refined β from scratch (the Gram loop's product)
      const g1 = new Float64Array(p);
      if (gramGradient(d, yc, beta, g1, true) === undefined) return direct();
      g = g1;
      refined = true;
    }
  }
  const t2 = performance.now();
  const gq = gramQuantities(d, yc, true);
  // ρ: the largest error of a ratio |c_j|/l_j (c_j = g_j/n) from the bound on g (`kktRounding`)
  const rho = gq === undefined ? Infinity : kktRounding(d, gq, beta, g, l1, act.list, act.m);
  if (!(rho <= GRAM_KKT_SHARE * kktTarget(prob))) return direct();
  const c = new Float64Array(p);
  for (let j = 0; j < p; j++) c[j] = g[j]! / n;
  // kinks within kinkTol + ρ: the direct path decides (and reports) them
  const scan = scanKkt(null, p, l1, 0, d.colNormsSq, null, beta, c, (opts.kinkTol ?? 1e-6) + rho);
  if (scan.kinks.length > 0) return direct();
  const t3 = performance.now();
  tm.refineMs = t2 - t1 - tm.factorMs;
  tm.checksMs = t3 - t2;
  const info = factor?.info;
  const fit = lazyFit(d, yc, prob.y, beta);
  const post = {
    beta,
    intercept: interceptOf(d, beta, prob.yMean),
    support: S,
    diagnostics: {
      supportSize: s,
      equicorrelationSize: s,
      kinks: scan.kinks,
      rankDeficient: false,
      rankCheck: s > 0 ? 'cholesky' : 'none',
      minPivotRatio: info?.minPivotRatio ?? NaN,
      conditionEstimate: info?.conditionEstimate ?? NaN,
      kktViolation: scan.kkt + rho,
      kktViolators: scan.violators,
      refined,
      ok: true,
      messages: [],
    },
    ...(factor !== undefined ? { factor } : {}),
    timings: tm,
  } as Omit<Refined, 'residual' | 'fitted'> as Refined;
  Object.defineProperties(post, Object.getOwnPropertyDescriptors(fit));
  return { post, gap: cert.gap, iterations: gr.epochs, solveMs: t1 - t0, fromGram: true };
}
