/**
 * @file Stochastic implicit differentiation of composite fixed points: NSID and SID (Grazzi,
 * Pontil & Salzo, ICML 2024, Algorithm "NSID"; code `stoch_hg.py` of prolearner/nonsmooth_implicit_diff).
 *
 * Setting: w(λ) = Φ(w(λ), λ) with Φ(w, λ) = G(T(w, λ), λ), where G is cheap and possibly nonsmooth
 * (a prox) and T is available only through an unbiased minibatch estimator T̂(w, λ, ξ),
 * E_ξ[T̂(w, λ, ξ)] = T(w, λ) (e.g. a stochastic gradient step). Given w ≈ w(λ):
 *
 *   w̄   = T̄_J(w, λ) = (1/J) Σ_{j=1..J} T̂(w, λ, ξ_j)                     (J fresh minibatches)
 *   ψ_k(v) = ∂_wT̂(w, λ, ξ_k)ᵀ ∂₁G(w̄, λ)ᵀ v + ∇_wE(w, λ)                 (NSID; ξ_k fresh each k)
 *   v_{k+1} = (1 − η_k) v_k + η_k ψ_k(v_k),   η_k = β/(γ + k)
 *   ĝ = ∂_λ[G(T̄_J(w, λ), λ)]ᵀ v_K + ∇_λE(w, λ).
 *
 * The Jacobian of the nonsmooth G is taken at the low-variance point w̄ (fixed over k), so the
 * selection of its conservative Jacobian (the support of the prox) is stable; only the smooth part
 * T is sampled. SID ignores the structure: it differentiates the noisy composite map
 * Φ̂(w, λ, ξ) = G(T̂(w, λ, ξ), λ), i.e. ψ_k(v) = ∂_wΦ̂(w, λ, ξ_k)ᵀ v + ∇_wE — with G's Jacobian at
 * the noisy point T̂(w, λ, ξ_k), which is biased when G is nonsmooth. Both coincide when G is the
 * identity (smooth SID).
 *
 * Rate (Grazzi et al. 2024, stochastic analysis): with η_k = β/(γ + k), β ≥ 2/(1 − q²) ("β_opt"), and
 * J ≍ K, E‖ĝ − ∇f(λ)‖² = O(1/K) + O(‖w − w(λ)‖²) for NSID (in the mean-square error of the
 * estimate at the given w). The reference code uses J = K + 1 (default here).
 */
import { checkCount } from '../core/options.js';
import { InvalidArgumentError } from '../core/errors.js';
import { rng, type Rng } from '../core/rng.js';
import type { Tensor } from '../core/tensor.js';
import { add, div } from '../ops/arithmetic.js';
import { valueAndGrad, vjp } from '../autodiff/transforms.js';
import { flatten } from '../autodiff/tree.js';
import { checkChoice, checkFiniteNumber, checkFiniteVec, checkTol, dist2, norm2, NonContractionError, refuseTraced, TraceRecorder, treeLayout, treeToVec, vecToTree, type HypergradTraceEntry, type HypergradTraceMode, type TreeLayout } from './hypergrad_common.js';

/** Stochastic hypergradient methods. */
export type StochasticMethod = 'NSID' | 'SID';

/** Step sizes η_k of the adjoint averaging: a constant, β/(γ + k), or any function of k = 0, 1, … (values in (0, 1]). */
export type StochasticStep = number | { beta: number; gamma: number } | ((k: number) => number);

/** Options of {@link stochasticHypergradient}. `W`, `L`: trees of w and λ; `B`: a minibatch (whatever `sample` returns). */
export interface StochasticHypergradientOptions<W, L, B> {
  /** `'NSID'` (default) or `'SID'`. */
  method?: StochasticMethod;
  /** Unbiased minibatch estimator T̂(w, λ, ξ) of the smooth inner map T. */
  T: (w: W, lam: L, batch: B) => W;
  /** The outer (nonsmooth) map G(u, λ) with Φ = G∘T. Default: identity. */
  G?: (u: W, lam: L) => W;
  /** Optional fast T̄_J(w, λ) = mean of T̂ over the given minibatches (default: averages T̂ one batch at a time). Must be differentiable in λ. */
  Tbar?: (w: W, lam: L, batches: readonly B[]) => W;
  /** Outer objective E(w, λ), a scalar tensor. */
  outer: (w: W, lam: L) => Tensor;
  /** Draws one minibatch from the seeded generator (e.g. `minibatchSampler(n, 100)`). */
  sample: (g: Rng) => B;
  /** Approximate fixed point w ≈ w(λ) (from any forward solver). */
  w: W;
  lam: L;
  /** Number K of stochastic adjoint iterations. */
  iterations: number;
  /** Number J of minibatches averaged for w̄ = T̄_J(w, λ). Default K + 1 (as the reference code). */
  J?: number;
  /** Step sizes η_k. Default β/(γ + k) with β = γ = 2/(1 − q²) (needs `q`). */
  step?: StochasticStep;
  /** Contraction factor q of Φ in w, used for the default step. */
  q?: number;
  /** Seed of the minibatch stream. Default 0. */
  seed?: number;
  /** Warm start of v. Default zeros. */
  v0?: W;
  /** Stop early when ‖v_{k+1} − v_k‖ ≤ tol·max(1, ‖v_k‖). Default 0 (run all K iterations). */
  tol?: number;
  /** Per-iteration trace: `'norm'` (default), `'full'`, `'none'`. */
  trace?: HypergradTraceMode;
  /** Record the estimate every `traceEvery` iterations (each costs one VJP of λ ↦ G(T̄(w, λ), λ)). Default 1. */
  traceEvery?: number;
  /** Reference hypergradient: the trace then records the error. */
  reference?: L | Float64Array;
  /** ‖v_k‖ above `divergence`·max(‖v_1‖, ‖∇_wE‖, 1e-300) counts as divergence (`NonContractionError`). Default 1e8. */
  divergence?: number;
}

/** Result of {@link stochasticHypergradient}. */
export interface StochasticHypergradientResult<W, L> {
  method: StochasticMethod;
  /** The hypergradient estimate ĝ (tree like λ). */
  grad: L;
  /** The adjoint v_K (warm start for a next call). */
  v: W;
  /** E(w, λ). */
  value: number;
  /** Iterations performed (K, or fewer with `tol`). */
  iterations: number;
  /** Minibatches drawn: J for w̄ plus one per iteration. Multiply by the batch size for samples. */
  minibatches: number;
  /** Whether `tol` was met (always false with `tol: 0`). */
  converged: boolean;
  trace: HypergradTraceEntry[];
}

/**
 * NSID / SID hypergradient of f(λ) = E(w(λ), λ) for a composite contraction Φ = G∘T with a
 * stochastic T. Reproducible: the minibatches come from `rng(seed)`.
 *
 * @example
 * const prob = elasticNetIstaProblem(data);                    // Φ = S_{γλ₁} ∘ (gradient step)
 * const w = prob.solve(lam).w;                                 // inner solution (deterministic here)
 * const r = stochasticHypergradient({
 *   method: 'NSID', T: prob.That, G: prob.G, Tbar: prob.Tbar, outer: prob.outer,
 *   sample: minibatchSampler(data.nTrain, 100), w: tensor(w), lam, iterations: 1000,
 *   q: prob.contraction(lam.data[1]!), seed: 1,
 * });
 * r.grad; // ≈ ∇f(λ), mean-square error O(1/K)
 */
export function stochasticHypergradient<W, L, B>(options: StochasticHypergradientOptions<W, L, B>): StochasticHypergradientResult<W, L> {
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError('stochasticHypergradient: options must be an object');
  const method = checkChoice(options.method ?? 'NSID', ['NSID', 'SID'] as const, 'stochasticHypergradient', 'method');
  const fn = `stochasticHypergradient(${method})`;
  for (const name of ['T', 'outer', 'sample'] as const) {
    if (typeof options[name] !== 'function') throw new InvalidArgumentError(`${fn}: ${name} must be a function`);
  }
  if (options.G !== undefined && typeof options.G !== 'function') throw new InvalidArgumentError(`${fn}: G must be a function (u, lam) => u`);
  if (options.Tbar !== undefined && typeof options.Tbar !== 'function') throw new InvalidArgumentError(`${fn}: Tbar must be a function`);
  const K = checkCount(options.iterations, fn, 'iterations');
  const J = checkCount(options.J ?? K + 1, fn, 'J', 1);
  const tol = checkTol(options.tol ?? 0, fn, 'tol');
  const traceEvery = checkCount(options.traceEvery ?? 1, fn, 'traceEvery', 1);
  const divergence = options.divergence ?? 1e8;
  if (!(divergence > 1)) throw new InvalidArgumentError(`${fn}: divergence must be > 1, got ${String(divergence)}`);
  const seed = options.seed ?? 0;
  const stepAt = stepFunction(options.step, options.q, fn);

  const wLayout = treeLayout(options.w, fn, 'w');
  refuseTraced(options.lam, fn, 'lam');
  refuseTraced(options.w, fn, 'w');
  const lLayout = treeLayout(options.lam, fn, 'lam');
  const wVec = treeToVec(options.w, wLayout, fn, 'w');
  checkFiniteVec(wVec, fn, 'w');
  const lamVec = treeToVec(options.lam, lLayout, fn, 'lam');
  checkFiniteVec(lamVec, fn, 'lam');
  const w = vecToTree(wVec, wLayout) as W;
  const lam = vecToTree(lamVec, lLayout) as L;
  let reference: Float64Array | null = null;
  if (options.reference !== undefined) {
    reference = options.reference instanceof Float64Array ? options.reference : treeToVec(options.reference, lLayout, fn, 'reference');
    if (reference.length !== lLayout.size) throw new InvalidArgumentError(`${fn}: reference has ${reference.length} entries, λ has ${lLayout.size}`);
  }
  const recorder = new TraceRecorder(checkChoice(options.trace ?? 'norm', ['norm', 'full', 'none'] as const, fn, 'trace'), reference);

  const T = options.T;
  const G = options.G ?? ((u: W) => u);
  const Tbar = options.Tbar ?? ((ww: W, l: L, bs: readonly B[]) => meanTree(bs.map((b) => T(ww, l, b)), wLayout, fn));
  const g = rng(seed);

  // w̄ = T̄_J(w, λ) and the output map λ ↦ G(T̄_J(w, λ), λ) on the same J minibatches
  const batches: B[] = [];
  for (let j = 0; j < J; j++) batches.push(options.sample(g));
  const [[outMap, tbar], pullOut2] = vjp((l: L): [W, W] => {
    const tb = Tbar(w, l, batches);
    return [G(tb, l), tb];
  }, lam);
  treeToVec(outMap, wLayout, fn, 'G(T̄(w, λ), λ)'); // structure check
  const wbarVec = treeToVec(tbar, wLayout, fn, 'T̄(w, λ)');
  checkFiniteVec(wbarVec, fn, 'w̄ = T̄(w, λ)');
  const wbar = vecToTree(wbarVec, wLayout) as W;
  const zeroW = vecToTree(new Float64Array(wLayout.size), wLayout) as W;
  const pullOut = (ct: W): [L] => pullOut2([ct, zeroW]);
  const pullG = method === 'NSID' ? vjp((u: W) => G(u, lam), wbar)[1] : null;

  const [val, grads] = valueAndGrad(options.outer as (w: W, l: L) => Tensor, { argnums: [0, 1] })(w, lam) as [Tensor, [W, L]];
  if (val.size !== 1) throw new InvalidArgumentError(`${fn}: outer must return a scalar tensor`);
  const value = val.data[0]!;
  checkFiniteNumber(value, fn, 'E(w, λ)');
  const b = treeToVec(grads[0], wLayout, fn, '∇_wE');
  const gl = treeToVec(grads[1], lLayout, fn, '∇_λE');
  checkFiniteVec(b, fn, '∇_wE(w, λ)');
  checkFiniteVec(gl, fn, '∇_λE(w, λ)');

  const estimate = (v: Float64Array): Float64Array => {
    const [ct] = pullOut(vecToTree(v, wLayout) as W);
    const e = treeToVec(ct, lLayout, fn, '∂_λ[G(T̄)]ᵀv');
    for (let i = 0; i < e.length; i++) e[i] += gl[i]!;
    checkFiniteVec(e, fn, 'the hypergradient estimate');
    return e;
  };

  let v = options.v0 === undefined ? new Float64Array(wLayout.size) : treeToVec(options.v0, wLayout, fn, 'v0');
  checkFiniteVec(v, fn, 'v0');
  const bnorm = norm2(b);
  let vScale = 0;
  let k = 0;
  let converged = false;
  const next = new Float64Array(wLayout.size);
  while (k < K) {
    const xi = options.sample(g);
    const eta = stepAt(k);
    // ψ_k(v) = ∂_wT̂(w, λ, ξ_k)ᵀ ∂₁G(w̄, λ)ᵀ v + ∇_wE   (NSID)   or   ∂_w[G(T̂(w, λ, ξ_k), λ)]ᵀ v + ∇_wE   (SID)
    let psiW: W;
    if (pullG) {
      const [c] = pullG(vecToTree(v, wLayout) as W) as unknown as [W];
      psiW = vjp((ww: W) => T(ww, lam, xi), w)[1](c)[0];
    } else {
      psiW = vjp((ww: W) => G(T(ww, lam, xi), lam), w)[1](vecToTree(v, wLayout) as W)[0];
    }
    const psi = treeToVec(psiW, wLayout, fn, 'ψ_k(v)');
    for (let i = 0; i < next.length; i++) next[i] = (1 - eta) * v[i]! + eta * (psi[i]! + b[i]!);
    checkFiniteVec(next, fn, `the adjoint iterate v_${k + 1}`);
    const step = dist2(next, v);
    k++;
    v = Float64Array.from(next);
    const vn = norm2(v);
    if (k === 1) vScale = Math.max(vn, bnorm, 1e-300);
    if (vn > divergence * vScale) {
      throw new NonContractionError(
        `${fn}: the adjoint iterates diverge (‖v_${k}‖ = ${vn.toExponential(3)} > ${divergence.toExponential(0)} × ${vScale.toExponential(3)}); ` +
          `check the step sizes (η_k ≤ 1, β not too large) and that Φ contracts in w`,
        { iterations: k, residualNorm: step, converged: false, phase: 'stochastic' },
      );
    }
    const stop = tol > 0 && step <= tol * Math.max(1, vn);
    if (recorder.enabled && (k % traceEvery === 0 || k === K || stop)) recorder.push('stochastic', k, step, estimate(v));
    if (stop) {
      converged = true;
      break;
    }
  }
  const gvec = estimate(v);
  return {
    method,
    grad: vecToTree(gvec, lLayout) as L,
    v: vecToTree(v, wLayout) as W,
    value,
    iterations: k,
    minibatches: J + k,
    converged,
    trace: recorder.entries,
  };
}

/** η_k from the option (validated lazily: each η_k must lie in (0, 1]). */
function stepFunction(step: StochasticStep | undefined, q: number | undefined, fn: string): (k: number) => number {
  let f: (k: number) => number;
  if (step === undefined) {
    if (q === undefined) {
      throw new InvalidArgumentError(
        `${fn}: give either step (a constant, { beta, gamma } for β/(γ + k), or a function of k) or the contraction factor q ` +
          `(then η_k = β/(β + k) with β = 2/(1 − q²), the paper's choice)`,
      );
    }
    if (typeof q !== 'number' || !(q >= 0 && q < 1)) throw new InvalidArgumentError(`${fn}: q must be a contraction factor in [0, 1), got ${String(q)}`);
    const beta = 2 / (1 - q * q);
    f = (k) => beta / (beta + k);
  } else if (typeof step === 'number') {
    f = () => step;
  } else if (typeof step === 'function') {
    f = step;
  } else if (step !== null && typeof step === 'object' && typeof step.beta === 'number' && typeof step.gamma === 'number') {
    const { beta, gamma } = step;
    if (!(beta > 0) || !(gamma > 0)) throw new InvalidArgumentError(`${fn}: step.beta and step.gamma must be > 0, got ${beta}, ${gamma}`);
    f = (k) => beta / (gamma + k);
  } else {
    throw new InvalidArgumentError(`${fn}: step must be a number, { beta, gamma } or a function of k`);
  }
  return (k) => {
    const eta = f(k);
    if (typeof eta !== 'number' || !(eta > 0 && eta <= 1)) {
      throw new InvalidArgumentError(`${fn}: the step size η_${k} must be in (0, 1], got ${String(eta)}`);
    }
    return eta;
  };
}

/** Leafwise mean of trees shaped like w, written with differentiable ops. */
function meanTree<W>(trees: W[], layout: TreeLayout, fn: string): W {
  if (trees.length === 0) throw new InvalidArgumentError(`${fn}: T̄ needs at least one minibatch`);
  const flats = trees.map((t) => flatten(t));
  for (const f of flats) {
    if (f.leaves.length !== layout.shapes.length) throw new InvalidArgumentError(`${fn}: T̂ returned ${f.leaves.length} tensor leaves, expected ${layout.shapes.length}`);
  }
  const leaves = layout.shapes.map((_, i) => {
    let acc: Tensor = flats[0]!.leaves[i]!;
    for (let j = 1; j < flats.length; j++) acc = add(acc, flats[j]!.leaves[i]!);
    return div(acc, trees.length);
  });
  return flats[0]!.rebuild(leaves) as W;
}
