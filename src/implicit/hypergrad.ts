/**
 * @file Hypergradients of fixed points of (nonsmooth) contraction maps — ITD and AID
 * (Grazzi, Pontil & Salzo, ICML 2024, "Nonsmooth implicit differentiation: deterministic and
 * stochastic convergence rates"; methods as in hypertorch).
 *
 * Bilevel problem: minimise f(λ) = E(w(λ), λ) where w(λ) = Φ(w(λ), λ) and w ↦ Φ(w, λ) is a
 * q-contraction (q < 1), possibly nonsmooth but piecewise Lipschitz smooth (e.g. a prox-gradient
 * step). With A = ∂_wΦ(w, λ) and B = ∂_λΦ(w, λ) elements of the conservative Jacobians computed by
 * autodiff, the hypergradient is
 *
 *   ∇f(λ) = ∇_λE + Bᵀ v,   v solving the adjoint system   (I − Aᵀ) v = ∇_wE.
 *
 * Methods (`method` option):
 * - `'ITD'` (iterative differentiation): w_k = Φ(w_{k−1}, λ) for k = 1..t and differentiate E(w_t, λ)
 *   through the unrolled loop. Reverse mode: v_t = ∇_wE(w_t), then for s = t..1
 *   g += ∂_λΦ(w_{s−1})ᵀ v_s, v_{s−1} = ∂_wΦ(w_{s−1})ᵀ v_s. Forward mode: J_k = ∂_wΦ J_{k−1} + ∂_λΦ,
 *   g_k = J_kᵀ∇_wE(w_k) + ∇_λE — one JVP per scalar of λ per step, the estimate for every k.
 *   Memory options of the reverse mode (`itd.memory`):
 *     | memory | stored | Φ evaluations | reverse-step trace |
 *     |---|---|---|---|
 *     | `'tape'` | the whole autodiff tape of t steps (every intermediate of Φ) | t (+ backward) | no |
 *     | `'iterates'` | the t iterates w_k only: O(t·dim(w)) | 2t | yes |
 *     | `'checkpoint'` | every c-th iterate + one segment of c: O((t/c + c)·dim(w)), c ≈ √t | ≈ 3t | yes |
 *   All three give the same numbers (the memory-saving ones re-evaluate Φ, so Φ must be
 *   deterministic — no randomness, no `random` kink policy).
 * - `'AID-FP'`: w_t by t iterations of Φ, then k iterations of v ← Aᵀv + ∇_wE at w_t (Neumann
 *   series; converges at rate ρ(A) ≤ q) and ∇_λE + Bᵀ v_k.
 * - `'AID-CG'`: conjugate gradients on (I − Aᵀ)v = ∇_wE. Valid only when A is symmetric (then
 *   I − A is symmetric positive definite for a contraction), e.g. a gradient step on a smooth
 *   objective. Prox-gradient maps (A = D·(I − γH), D a 0/1 or diagonal mask) are NOT symmetric:
 *   a randomised symmetry test warns (or throws, option `symmetry`) when it detects this.
 * - `'AID-GMRES'`: restarted GMRES on the same system; valid for any contraction.
 *
 * Rates (Grazzi et al. 2024, deterministic analysis): for a q-contraction, after the support of the
 * prox-gradient iterates is identified, ITD and AID errors decrease linearly (ITD ~ t·q^t, AID-FP
 * ~ q^t + q^k); AID-CG/GMRES converge at Krylov rates on the adjoint system.
 *
 * Failures are never silent: NaN/±Infinity anywhere → `NonFiniteError`. Everything else follows
 * ONE policy, `onFailure` (`implicit/failure.ts`, default `'throw'`, as `customRoot`): steps that
 * keep growing → `NonContractionError`; a budget that runs out before its tolerance, or an adjoint
 * solver failure → `ConvergenceError` carrying the result; under `'warn'` (one warning) or
 * `'return'` the result is returned with its `status`/`converged`. A FIXED budget is not a
 * failure: with `tol: 0` (ITD) or `tol: 0` and `adjointTol: 0` (AID) exactly t (and k) iterations
 * are requested and status `'maxIter'` is the expected outcome. The AID-CG symmetry test follows
 * `symmetry` (same vocabulary, default `'throw'`).
 */
import { ConvergenceError, InvalidArgumentError, NonFiniteError } from '../core/errors.js';
import { emitWarning, failurePolicy, handleFailure, type FailurePolicy } from '../core/failure.js';
import { checkOptions } from '../core/options.js';
import { rng } from '../core/rng.js';
import { ConcreteTensor, type Tensor } from '../core/tensor.js';
import { jvp, valueAndGrad, vjp } from '../autodiff/transforms.js';
import { cg, gmres, type IterativeResult } from '../linalg/iterative/index.js';
import {
  checkChoice,
  checkCount,
  checkFiniteNumber,
  checkFiniteVec,
  checkTol,
  ContractionMonitor,
  NonContractionError,
  dist2,
  dotVec,
  norm2,
  TraceRecorder,
  treeLayout,
  treeToVec,
  vecToTree,
  type ContractionOptions,
  type HypergradTraceEntry,
  type HypergradTraceMode,
  type TreeLayout,
} from './hypergrad_common.js';

export { NonContractionError, type ContractionOptions, type HypergradTraceEntry, type HypergradTraceMode } from './hypergrad_common.js';

/** Deterministic hypergradient methods. */
export type HypergradMethod = 'ITD' | 'AID-FP' | 'AID-CG' | 'AID-GMRES';

/** Memory strategy of reverse-mode ITD (see the file header for the trade-off). */
export type ItdMemory = 'tape' | 'iterates' | 'checkpoint';

/** Options of ITD. */
export interface ItdOptions {
  /** `'reverse'` (default; cost independent of dim λ) or `'forward'` (one JVP per scalar of λ per step; gives the estimate at every t). */
  mode?: 'reverse' | 'forward';
  /** Reverse mode: `'tape'` (default), `'iterates'` or `'checkpoint'`. */
  memory?: ItdMemory;
  /** Checkpoint spacing c for `memory: 'checkpoint'`. Default ⌈√t⌉. */
  checkpointEvery?: number;
}

/**
 * Why a hypergradient computation stopped:
 * - `'converged'`: the forward iteration (and the adjoint solve for AID) met its tolerance;
 * - `'maxIter'`: a budget (t or k) ran out first — normal for fixed-budget use with `tol: 0`;
 * - `'non-contraction'`: steps kept growing (`onFailure: 'warn' | 'return'`);
 * - an adjoint solver's stop reason (`'indefinite'`, `'breakdown'`, `'stagnation'`) when CG/GMRES failed.
 */
export type HypergradStatus = 'converged' | 'maxIter' | 'non-contraction' | 'indefinite' | 'breakdown' | 'stagnation';

/** Options of {@link hypergradient}. `W`, `L`: parameter-tree types of w and λ. */
export interface HypergradientOptions<W, L> {
  /** The contraction map Φ(w, λ), written with nsdiff ops; returns a tree shaped like w. */
  phi: (w: W, lam: L) => W;
  /** The outer objective E(w, λ): a scalar tensor. */
  outer: (w: W, lam: L) => Tensor;
  /** Initial inner iterate (a warm start from a previous λ is fine). */
  w0: W;
  /** Hyperparameters λ (tensor or tree of tensors). */
  lam: L;
  /** Method, default `'AID-FP'`. */
  method?: HypergradMethod;
  /** Budget t of forward iterations w ← Φ(w, λ). Default 1000. */
  t?: number;
  /** Forward stop: ‖w_k − w_{k−1}‖ ≤ tol·max(1, ‖w_k‖). Default 1e-10; 0 runs exactly t iterations (paper-style budgets). */
  tol?: number;
  /** AID budget k of adjoint iterations (FP steps / Krylov steps). Default t. */
  k?: number;
  /** AID stop: ‖∇_wE − (I − Aᵀ)v‖ ≤ adjointTol·‖∇_wE‖. Default 1e-10; 0 runs exactly k iterations (FP). */
  adjointTol?: number;
  /** AID warm start of the adjoint v (e.g. `previous.v` in an outer loop). Default zeros. */
  v0?: W;
  /** ITD options. */
  itd?: ItdOptions;
  /** GMRES restart length (AID-GMRES). Default min(dim w, k, 100). */
  restart?: number;
  /** AID-CG symmetry test of ∂_wΦ: `'throw'` (default, `InvalidArgumentError`), `'warn'` or `'return'` (record `asymmetry` only). */
  symmetry?: FailurePolicy;
  /** Relative asymmetry above which `symmetry` acts. Default 1e-8. */
  symmetryTol?: number;
  /** Non-contraction detection (forward and AID-FP adjoint iterations). */
  contraction?: ContractionOptions;
  /** Non-contraction, budgets, adjoint solver failures: `'throw'` (default), `'warn'` or `'return'` (see the file header). */
  onFailure?: FailurePolicy;
  /** Per-iteration trace: `'norm'` (default), `'full'` or `'none'`. */
  trace?: HypergradTraceMode;
  /** A reference hypergradient (tree like λ, or flat): the trace then records ‖estimate − reference‖. */
  reference?: L | Float64Array;
}

/** Result of {@link hypergradient}. */
export interface HypergradientResult<W, L> {
  method: HypergradMethod;
  /** E(w_t, λ). */
  value: number;
  /** The hypergradient estimate, a tree shaped like λ. */
  grad: L;
  /** The last forward iterate w_t (warm start for the next call). */
  w: W;
  /** AID: the adjoint solution v (warm start `v0` for the next call). */
  v?: W;
  /** Forward converged (and, for AID, the adjoint solve converged). */
  converged: boolean;
  status: HypergradStatus;
  /**
   * Every phase with a tolerance > 0 reached it (`tol` forward, `adjointTol` for AID). With `tol: 0`
   * (and `adjointTol: 0`) the budgets are fixed, status `'maxIter'` is expected and not a failure.
   */
  tolerancesMet: boolean;
  iterations: { forward: number; adjoint: number };
  /** Final forward step ‖w_t − w_{t−1}‖ (NaN when t = 0) and adjoint true residual ‖∇_wE − (I − Aᵀ)v‖ (NaN for ITD). */
  residuals: { forward: number; adjoint: number };
  /** Per-iteration records (see {@link HypergradTraceEntry}). */
  trace: HypergradTraceEntry[];
  /** AID-CG: relative asymmetry of ∂_wΦ measured by the randomised test. */
  asymmetry?: number;
  /** ITD bookkeeping: memory strategy, number of stored iterates at the peak, Φ evaluations (JVPs in forward mode). */
  itd?: { mode: 'reverse' | 'forward'; memory: ItdMemory | 'tangents'; storedIterates: number; phiEvaluations: number };
  warnings: string[];
}

interface Ctx<W, L> {
  fn: string;
  opts: HypergradientOptions<W, L>;
  phi: (w: W, lam: L) => W;
  outer: (w: W, lam: L) => Tensor;
  wLayout: TreeLayout;
  lLayout: TreeLayout;
  lam: L;
  w0: W;
  w0vec: Float64Array;
  t: number;
  tol: number;
  recorder: TraceRecorder;
  warnings: string[];
  onFailure: FailurePolicy;
  warn: (m: string) => void;
}

interface ForwardRun<W> {
  w: W;
  wVec: Float64Array;
  iterations: number;
  residual: number;
  converged: boolean;
  nonContraction: boolean;
}

const HYPERGRADIENT_KEYS = [
  'phi', 'outer', 'w0', 'lam', 'method', 't', 'tol', 'k', 'adjointTol', 'v0', 'itd', 'restart', 'symmetry', 'symmetryTol', 'contraction',
  'onFailure', 'trace', 'reference',
] as const;

/**
 * Hypergradient of f(λ) = E(w(λ), λ), w(λ) = Φ(w(λ), λ), by ITD, AID-FP, AID-CG or AID-GMRES.
 *
 * @example
 * // ridge regression as the fixed point of a gradient step, λ = per-feature penalties
 * const phi = (w: Tensor, lam: Tensor) => sub(w, mul(0.1, add(sub(matmul(Q, w), c), mul(lam, w))));
 * const outer = (w: Tensor) => mul(0.5, sum(square(sub(matmul(Xv, w), yv))));
 * const r = hypergradient({ phi, outer, w0: zeros([p]), lam: full([p], 0.1), method: 'AID-FP', t: 500 });
 * r.grad;   // ∇_λ E(w(λ))
 * r.trace;  // [{ phase: 'forward', iteration: 1, residual: … }, …, { phase: 'adjoint', …, estimateNorm }]
 */
export function hypergradient<W, L>(options: HypergradientOptions<W, L>): HypergradientResult<W, L> {
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError('hypergradient: options must be an object');
  const method = checkChoice(options.method ?? 'AID-FP', ['ITD', 'AID-FP', 'AID-CG', 'AID-GMRES'] as const, 'hypergradient', 'method');
  const fn = `hypergradient(${method})`;
  checkOptions(options, HYPERGRADIENT_KEYS, fn);
  if (typeof options.phi !== 'function') throw new InvalidArgumentError(`${fn}: phi must be a function (w, lam) => w`);
  if (typeof options.outer !== 'function') throw new InvalidArgumentError(`${fn}: outer must be a function (w, lam) => scalar tensor`);
  const t = checkCount(options.t ?? 1000, fn, 't');
  const tol = checkTol(options.tol ?? 1e-10, fn, 'tol');
  const wLayout = treeLayout(options.w0, fn, 'w0');
  const lLayout = treeLayout(options.lam, fn, 'lam');
  const w0vec = treeToVec(options.w0, wLayout, fn, 'w0');
  checkFiniteVec(w0vec, fn, 'w0');
  const lamVec = treeToVec(options.lam, lLayout, fn, 'lam');
  checkFiniteVec(lamVec, fn, 'lam');
  let reference: Float64Array | null = null;
  if (options.reference !== undefined) {
    reference = options.reference instanceof Float64Array ? options.reference : treeToVec(options.reference, lLayout, fn, 'reference');
    if (reference.length !== lLayout.size) throw new InvalidArgumentError(`${fn}: reference has ${reference.length} entries, λ has ${lLayout.size}`);
  }
  const traceMode = checkChoice(options.trace ?? 'norm', ['norm', 'full', 'none'] as const, fn, 'trace');
  const onFailure = failurePolicy(options.onFailure, fn);
  const warnings: string[] = [];
  const ctx: Ctx<W, L> = {
    fn,
    opts: options,
    phi: options.phi,
    outer: options.outer,
    wLayout,
    lLayout,
    lam: vecToTree(lamVec, lLayout) as L,
    w0: vecToTree(w0vec, wLayout) as W,
    w0vec,
    t,
    tol,
    recorder: new TraceRecorder(traceMode, reference),
    warnings,
    onFailure,
    warn: (m) => {
      warnings.push(m);
      if (onFailure !== 'return') emitWarning(m, 'HypergradientWarning');
    },
  };
  const result = method === 'ITD' ? runItd(ctx) : runAid(ctx, method);
  const fixedBudget = result.status === 'maxIter' && result.tolerancesMet;
  if (result.status !== 'converged' && !fixedBudget) {
    const Err = result.status === 'non-contraction' ? NonContractionError : ConvergenceError;
    handleFailure(onFailure, new Err(
      `${fn}: did not converge (status '${result.status}') after ${result.iterations.forward} forward and ${result.iterations.adjoint} adjoint iteration(s); ` +
        `forward step ${result.residuals.forward.toExponential(3)}, adjoint residual ${result.residuals.adjoint.toExponential(3)}`,
      {
        iterations: result.iterations.forward + result.iterations.adjoint,
        residualNorm: Number.isNaN(result.residuals.adjoint) ? result.residuals.forward : result.residuals.adjoint,
        converged: false,
        status: result.status,
        result,
      },
    ));
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// shared pieces

/** Evaluates Φ on concrete inputs and returns its output as a checked vector. */
function phiVec<W, L>(ctx: Ctx<W, L>, w: W, k: number): { w: W; vec: Float64Array } {
  const out = ctx.phi(w, ctx.lam);
  const vec = treeToVec(out, ctx.wLayout, ctx.fn, `Φ(w_${k - 1}, λ)`);
  checkFiniteVec(vec, ctx.fn, `the forward iterate w_${k} = Φ(w_${k - 1}, λ)`);
  return { w: vecToTree(vec, ctx.wLayout) as W, vec };
}

/**
 * Runs w_k = Φ(w_{k−1}, λ), k = 1..t (stopping early on `tol`), on concrete values. `store(k, w_k)`
 * receives every iterate (k = 0 is w0) when given.
 */
function forwardSolve<W, L>(ctx: Ctx<W, L>, store?: (k: number, vec: Float64Array) => void): ForwardRun<W> {
  const monitor = new ContractionMonitor(ctx.fn, 'forward', ctx.opts.contraction, ctx.onFailure);
  let w = ctx.w0;
  let wVec = ctx.w0vec;
  store?.(0, wVec);
  let residual = NaN;
  let converged = false;
  let nonContraction = false;
  let k = 0;
  while (k < ctx.t) {
    k++;
    const next = phiVec(ctx, w, k);
    residual = dist2(next.vec, wVec);
    const scale = norm2(next.vec);
    w = next.w;
    wVec = next.vec;
    store?.(k, wVec);
    ctx.recorder.push('forward', k, residual);
    if (residual <= ctx.tol * Math.max(1, scale)) {
      converged = true;
      break;
    }
    if (monitor.violated(k, residual, scale)) {
      nonContraction = true;
      break;
    }
  }
  return { w, wVec, iterations: k, residual, converged, nonContraction };
}

/** E(w, λ) and its gradients (∇_wE, ∇_λE) as checked vectors. */
function outerGrads<W, L>(ctx: Ctx<W, L>, w: W): { value: number; gw: Float64Array; gl: Float64Array } {
  const [val, grads] = valueAndGrad(ctx.outer as (w: W, lam: L) => Tensor, [0, 1])(w, ctx.lam) as [Tensor, [W, L]];
  if (val.size !== 1) throw new InvalidArgumentError(`${ctx.fn}: outer must return a scalar tensor`);
  const value = val.data[0]!;
  checkFiniteNumber(value, ctx.fn, 'the outer objective E(w, λ)');
  const gw = treeToVec(grads[0], ctx.wLayout, ctx.fn, '∇_wE');
  const gl = treeToVec(grads[1], ctx.lLayout, ctx.fn, '∇_λE');
  checkFiniteVec(gw, ctx.fn, '∇_wE(w_t, λ)');
  checkFiniteVec(gl, ctx.fn, '∇_λE(w_t, λ)');
  return { value, gw, gl };
}

/** Pullback of Φ at (w, λ): v ↦ (∂_wΦᵀv, ∂_λΦᵀv), recorded once and reused. */
function phiPullback<W, L>(ctx: Ctx<W, L>, w: W, where: string): (v: Float64Array, outW: Float64Array, outL?: Float64Array) => void {
  const [out, pull] = vjp(ctx.phi, w, ctx.lam);
  treeToVec(out, ctx.wLayout, ctx.fn, `Φ(${where}, λ)`); // structure check
  return (v, outW, outL) => {
    const [cw, cl] = pull(vecToTree(v, ctx.wLayout) as W);
    treeToVec(cw, ctx.wLayout, ctx.fn, '∂_wΦᵀv', outW);
    checkFiniteVec(outW, ctx.fn, `∂_wΦ(${where})ᵀv`);
    if (outL) {
      treeToVec(cl, ctx.lLayout, ctx.fn, '∂_λΦᵀv', outL);
      checkFiniteVec(outL, ctx.fn, `∂_λΦ(${where})ᵀv`);
    }
  };
}

function addInto(dst: Float64Array, a: Float64Array, b: Float64Array): Float64Array {
  for (let i = 0; i < dst.length; i++) dst[i] = a[i]! + b[i]!;
  return dst;
}

// ---------------------------------------------------------------------------------------------
// ITD

function runItd<W, L>(ctx: Ctx<W, L>): HypergradientResult<W, L> {
  const o = ctx.opts.itd ?? {};
  const mode = checkChoice(o.mode ?? 'reverse', ['reverse', 'forward'] as const, ctx.fn, 'itd.mode');
  if (mode === 'forward') return itdForward(ctx);
  const memory = checkChoice(o.memory ?? 'tape', ['tape', 'iterates', 'checkpoint'] as const, ctx.fn, 'itd.memory');
  return memory === 'tape' ? itdTape(ctx) : itdStored(ctx, memory);
}

function itdResult<W, L>(
  ctx: Ctx<W, L>,
  fwd: { w: W; iterations: number; residual: number; converged: boolean; nonContraction: boolean },
  value: number,
  g: Float64Array,
  itd: HypergradientResult<W, L>['itd'],
): HypergradientResult<W, L> {
  const status: HypergradStatus = fwd.nonContraction ? 'non-contraction' : fwd.converged ? 'converged' : 'maxIter';
  return {
    method: 'ITD',
    value,
    grad: vecToTree(g, ctx.lLayout) as L,
    w: fwd.w,
    converged: status === 'converged',
    status,
    tolerancesMet: fwd.converged || ctx.tol === 0,
    iterations: { forward: fwd.iterations, adjoint: 0 },
    residuals: { forward: fwd.residual, adjoint: NaN },
    trace: ctx.recorder.entries,
    itd,
    warnings: ctx.warnings,
  };
}

/** Reverse-mode ITD through the autodiff tape of the whole unrolled loop. */
function itdTape<W, L>(ctx: Ctx<W, L>): HypergradientResult<W, L> {
  const monitor = new ContractionMonitor(ctx.fn, 'forward', ctx.opts.contraction, ctx.onFailure);
  let iterations = 0;
  let residual = NaN;
  let converged = false;
  let nonContraction = false;
  const unrolled = (lam: L): [Tensor, W] => {
    let w = ctx.w0;
    let prev = ctx.w0vec;
    while (iterations < ctx.t) {
      iterations++;
      const next = ctx.phi(w, lam);
      const vec = treeToVec(next, ctx.wLayout, ctx.fn, `Φ(w_${iterations - 1}, λ)`); // tracer values
      checkFiniteVec(vec, ctx.fn, `the forward iterate w_${iterations}`);
      residual = dist2(vec, prev);
      const scale = norm2(vec);
      prev = vec;
      w = next;
      ctx.recorder.push('forward', iterations, residual);
      if (residual <= ctx.tol * Math.max(1, scale)) {
        converged = true;
        break;
      }
      if (monitor.violated(iterations, residual, scale)) {
        nonContraction = true;
        break;
      }
    }
    return [ctx.outer(w, lam), w];
  };
  const [[E, wT], pull] = vjp(unrolled, ctx.lam);
  if (E.size !== 1) throw new InvalidArgumentError(`${ctx.fn}: outer must return a scalar tensor`);
  const value = E.data[0]!;
  checkFiniteNumber(value, ctx.fn, 'the outer objective E(w_t, λ)');
  const wVec = treeToVec(wT, ctx.wLayout, ctx.fn, 'w_t');
  const one = new ConcreteTensor(Float64Array.of(1), [...E.shape]);
  const [gTree] = pull([one, vecToTree(new Float64Array(ctx.wLayout.size), ctx.wLayout) as W]);
  const g = treeToVec(gTree, ctx.lLayout, ctx.fn, 'the ITD gradient');
  checkFiniteVec(g, ctx.fn, 'the ITD hypergradient');
  const w = vecToTree(wVec, ctx.wLayout) as W;
  return itdResult(ctx, { w, iterations, residual, converged, nonContraction }, value, g, {
    mode: 'reverse',
    memory: 'tape',
    storedIterates: iterations,
    phiEvaluations: iterations,
  });
}

/**
 * Reverse-mode ITD with a hand-driven reverse sweep: per step one VJP of Φ at the stored (or
 * recomputed) iterate — no tape across steps.
 */
function itdStored<W, L>(ctx: Ctx<W, L>, memory: 'iterates' | 'checkpoint'): HypergradientResult<W, L> {
  const c =
    memory === 'checkpoint'
      ? checkCount(ctx.opts.itd?.checkpointEvery ?? Math.max(1, Math.ceil(Math.sqrt(ctx.t))), ctx.fn, 'itd.checkpointEvery', 1)
      : 1;
  const stored = new Map<number, Float64Array>();
  let peak = 0;
  const fwd = forwardSolve(ctx, (k, vec) => {
    if (k % c === 0) stored.set(k, vec);
  });
  peak = stored.size;
  let phiEvaluations = fwd.iterations;
  // segment cache for checkpointing: iterates j0..j0+c−1 recomputed from checkpoint j0
  let segStart = -1;
  let segment: Float64Array[] = [];
  const iterate = (j: number): W => {
    if (memory === 'iterates') return vecToTree(stored.get(j)!, ctx.wLayout) as W;
    const j0 = Math.floor(j / c) * c;
    if (segStart !== j0) {
      segStart = j0;
      segment = [stored.get(j0)!];
      let w = vecToTree(segment[0]!, ctx.wLayout) as W;
      for (let s = j0 + 1; s <= j && s < j0 + c; s++) {
        const next = phiVec(ctx, w, s);
        phiEvaluations++;
        segment.push(next.vec);
        w = next.w;
      }
      peak = Math.max(peak, stored.size + segment.length - 1);
    }
    return vecToTree(segment[j - j0]!, ctx.wLayout) as W;
  };
  const { value, gw, gl } = outerGrads(ctx, fwd.w);
  let v = gw;
  const g = Float64Array.from(gl);
  const inc = new Float64Array(ctx.lLayout.size);
  const nextV = new Float64Array(ctx.wLayout.size);
  for (let s = fwd.iterations; s >= 1; s--) {
    const pull = phiPullback(ctx, iterate(s - 1), `w_${s - 1}`);
    phiEvaluations++;
    pull(v, nextV, inc);
    for (let i = 0; i < g.length; i++) g[i] += inc[i]!;
    v = Float64Array.from(nextV);
    ctx.recorder.push('reverse', fwd.iterations - s + 1, norm2(inc), g);
  }
  return itdResult(ctx, fwd, value, g, { mode: 'reverse', memory, storedIterates: peak, phiEvaluations });
}

/** Forward-mode ITD: propagates J_k = dw_k/dλ (one tangent per scalar of λ). */
function itdForward<W, L>(ctx: Ctx<W, L>): HypergradientResult<W, L> {
  const m = ctx.lLayout.size;
  const n = ctx.wLayout.size;
  const monitor = new ContractionMonitor(ctx.fn, 'forward', ctx.opts.contraction, ctx.onFailure);
  const tangents: Float64Array[] = Array.from({ length: m }, () => new Float64Array(n)); // dw_0/dλ = 0
  const basis: L[] = Array.from({ length: m }, (_, i) => {
    const e = new Float64Array(m);
    e[i] = 1;
    return vecToTree(e, ctx.lLayout) as L;
  });
  const estimate = (w: W): { value: number; g: Float64Array } => {
    const { value, gw, gl } = outerGrads(ctx, w);
    const g = Float64Array.from(gl);
    for (let i = 0; i < m; i++) g[i] += dotVec(gw, tangents[i]!);
    return { value, g };
  };
  let w = ctx.w0;
  let wVec = ctx.w0vec;
  let residual = NaN;
  let converged = false;
  let nonContraction = false;
  let k = 0;
  let last: { value: number; g: Float64Array } | null = null;
  while (k < ctx.t) {
    k++;
    let nextVec: Float64Array | null = null;
    for (let i = 0; i < m; i++) {
      const [out, dout] = jvp(ctx.phi, [w, ctx.lam] as [W, L], [vecToTree(tangents[i]!, ctx.wLayout) as W, basis[i]!]);
      if (nextVec === null) {
        nextVec = treeToVec(out, ctx.wLayout, ctx.fn, `Φ(w_${k - 1}, λ)`);
        checkFiniteVec(nextVec, ctx.fn, `the forward iterate w_${k}`);
      }
      treeToVec(dout, ctx.wLayout, ctx.fn, 'the JVP of Φ', tangents[i]!);
      checkFiniteVec(tangents[i]!, ctx.fn, `dw_${k}/dλ`);
    }
    if (nextVec === null) nextVec = phiVec(ctx, w, k).vec; // λ without scalars
    residual = dist2(nextVec, wVec);
    const scale = norm2(nextVec);
    wVec = nextVec;
    w = vecToTree(wVec, ctx.wLayout) as W;
    last = null;
    if (ctx.recorder.wantsEstimates) {
      last = estimate(w);
      ctx.recorder.push('forward', k, residual, last.g);
    }
    if (residual <= ctx.tol * Math.max(1, scale)) {
      converged = true;
      break;
    }
    if (monitor.violated(k, residual, scale)) {
      nonContraction = true;
      break;
    }
  }
  const fin = last ?? estimate(w);
  return itdResult(ctx, { w, iterations: k, residual, converged, nonContraction }, fin.value, fin.g, {
    mode: 'forward',
    memory: 'tangents',
    storedIterates: m,
    phiEvaluations: k * Math.max(1, m),
  });
}

// ---------------------------------------------------------------------------------------------
// AID

function runAid<W, L>(ctx: Ctx<W, L>, method: 'AID-FP' | 'AID-CG' | 'AID-GMRES'): HypergradientResult<W, L> {
  const { fn, opts } = ctx;
  const kMax = checkCount(opts.k ?? ctx.t, fn, 'k');
  const adjTol = checkTol(opts.adjointTol ?? 1e-10, fn, 'adjointTol');
  const n = ctx.wLayout.size;
  let v: Float64Array = new Float64Array(n);
  if (opts.v0 !== undefined) {
    v = treeToVec(opts.v0, ctx.wLayout, fn, 'v0');
    checkFiniteVec(v, fn, 'v0');
  }

  const fwd = forwardSolve(ctx);
  const { value, gw: b, gl } = outerGrads(ctx, fwd.w);
  const pull = phiPullback(ctx, fwd.w, 'w_t');
  const bnorm = norm2(b);
  const thresh = adjTol * bnorm;
  const a = new Float64Array(n); // Aᵀv
  const c = new Float64Array(ctx.lLayout.size); // Bᵀv
  const est = new Float64Array(ctx.lLayout.size);
  let iterations = 0;
  let residual = NaN;
  let adjConverged = false;
  let adjNonContraction = false;
  let solverReason: IterativeResult['reason'] | null = null;
  let asymmetry: number | undefined;

  if (method === 'AID-FP') {
    const monitor = new ContractionMonitor(fn, 'adjoint fixed-point', opts.contraction, ctx.onFailure);
    const next = new Float64Array(n);
    pull(v, a, c);
    // r_k = ‖Aᵀv_k + b − v_k‖ = ‖b − (I − Aᵀ)v_k‖: the true residual of the adjoint system at v_k
    residual = dist2(addInto(next, a, b), v);
    adjConverged = residual <= thresh;
    while (!adjConverged && iterations < kMax) {
      iterations++;
      v = Float64Array.from(next); // v_k = Aᵀv_{k−1} + ∇_wE
      pull(v, a, c);
      residual = dist2(addInto(next, a, b), v);
      ctx.recorder.push('adjoint', iterations, residual, ctx.recorder.wantsEstimates ? addInto(est, c, gl) : undefined);
      if (residual <= thresh) adjConverged = true;
      else if (monitor.violated(iterations, residual, norm2(v))) {
        adjNonContraction = true;
        break;
      }
    }
  } else {
    const tmp = new Float64Array(n);
    // (I − Aᵀ)x
    const op = (x: Float64Array, out: Float64Array): void => {
      pull(x, tmp);
      for (let i = 0; i < n; i++) out[i] = x[i]! - tmp[i]!;
    };
    if (method === 'AID-CG') asymmetry = symmetryCheck(ctx, pull, n);
    const solverOpts = {
      tol: adjTol,
      maxIter: kMax,
      x0: v,
      onFailure: 'return' as const,
      callback: (it: number, r: number) => ctx.recorder.push('adjoint', it, r),
    };
    const restart = opts.restart ?? Math.max(1, Math.min(n, Math.max(kMax, 1), 100));
    const res = method === 'AID-CG' ? cg(op, b, solverOpts) : gmres(op, b, { ...solverOpts, restart });
    if (res.reason === 'non-finite') {
      throw new NonFiniteError(`${fn}: the ${method} adjoint solver met a non-finite value after ${res.iterations} iteration(s)`);
    }
    v = res.x;
    iterations = res.iterations;
    residual = res.residualNorm;
    adjConverged = res.converged;
    solverReason = res.reason;
    // with adjointTol = 0 the budget is the target, and 'stagnation' just means round-off level was reached
    if (!res.converged && res.reason !== 'maxIter' && !(adjTol === 0 && res.reason === 'stagnation')) {
      ctx.warn(
        `${fn}: the adjoint solver stopped with reason '${res.reason}' after ${res.iterations} iteration(s) (true residual ${res.residualNorm.toExponential(3)}, ` +
          `relative ${res.relativeResidual.toExponential(3)})` +
          (res.reason === 'indefinite' ? ' — I − ∂_wΦᵀ is not positive definite, so CG does not apply; use AID-GMRES or AID-FP' : ''),
      );
    }
    pull(v, a, c);
    addInto(est, c, gl);
    if (ctx.recorder.enabled) {
      const entries = ctx.recorder.entries;
      const lastEntry = entries[entries.length - 1];
      if (lastEntry && lastEntry.phase === 'adjoint' && lastEntry.iteration === iterations) entries.pop();
      ctx.recorder.push('adjoint', iterations, residual, est);
    }
  }

  // c = Bᵀv for the final v (FP: from its last step; CG/GMRES: from the product after the solve)
  const g = addInto(new Float64Array(ctx.lLayout.size), c, gl);
  checkFiniteVec(g, fn, 'the hypergradient');
  let status: HypergradStatus;
  if (fwd.nonContraction || adjNonContraction) status = 'non-contraction';
  // with adjointTol = 0 the budget is the target, and 'stagnation' just means round-off level was reached
  else if (solverReason !== null && solverReason !== 'converged' && solverReason !== 'maxIter' && !(adjTol === 0 && solverReason === 'stagnation')) {
    status = solverReason as HypergradStatus;
  }
  else status = fwd.converged && adjConverged ? 'converged' : 'maxIter';
  const out: HypergradientResult<W, L> = {
    method,
    value,
    grad: vecToTree(g, ctx.lLayout) as L,
    w: fwd.w,
    v: vecToTree(v, ctx.wLayout) as W,
    converged: status === 'converged',
    status,
    tolerancesMet: (fwd.converged || ctx.tol === 0) && (adjConverged || adjTol === 0),
    iterations: { forward: fwd.iterations, adjoint: iterations },
    residuals: { forward: fwd.residual, adjoint: residual },
    trace: ctx.recorder.entries,
    warnings: ctx.warnings,
  };
  if (asymmetry !== undefined) out.asymmetry = asymmetry;
  return out;
}

/**
 * Randomised symmetry test of A = ∂_wΦ using only products with Aᵀ:
 * |⟨Aᵀx, y⟩ − ⟨x, Aᵀy⟩| / (‖Aᵀx‖‖y‖ + ‖x‖‖Aᵀy‖) for two seeded Gaussian pairs (x, y); zero
 * for symmetric A, almost surely positive otherwise. Acts per `symmetry` above `symmetryTol`.
 */
function symmetryCheck<W, L>(ctx: Ctx<W, L>, pull: (v: Float64Array, out: Float64Array) => void, n: number): number {
  const policy = failurePolicy(ctx.opts.symmetry, `${ctx.fn}: symmetry`);
  const tol = checkTol(ctx.opts.symmetryTol ?? 1e-8, ctx.fn, 'symmetryTol');
  const g = rng(0x5eed);
  let worst = 0;
  const ax = new Float64Array(n);
  const ay = new Float64Array(n);
  for (let trial = 0; trial < 2; trial++) {
    const x = g.fillNormal(new Float64Array(n));
    const y = g.fillNormal(new Float64Array(n));
    pull(x, ax);
    pull(y, ay);
    const den = norm2(ax) * norm2(y) + norm2(x) * norm2(ay);
    const asym = den === 0 ? 0 : Math.abs(dotVec(ax, y) - dotVec(x, ay)) / den;
    worst = Math.max(worst, asym);
  }
  if (worst > tol) {
    const msg =
      `${ctx.fn}: ∂_wΦ is not symmetric (randomised test: relative asymmetry ${worst.toExponential(3)} > ${tol.toExponential(1)}). ` +
      `CG solves (I − ∂_wΦᵀ)v = ∇_wE only for symmetric ∂_wΦ (gradient steps of smooth objectives); prox-gradient maps ` +
      `D·(I − γ∇²f) are not symmetric. The result is a heuristic — use method 'AID-GMRES' or 'AID-FP'.`;
    if (policy === 'throw') throw new InvalidArgumentError(msg);
    ctx.warnings.push(msg);
    if (policy === 'warn') emitWarning(msg, 'HypergradientWarning');
  }
  return worst;
}

// ---------------------------------------------------------------------------------------------
// warm-started sessions

/** A hypergradient function of λ that warm-starts w (and the adjoint v for AID) from its previous call. */
export interface HypergradientSession<W, L> {
  (lam: L): HypergradientResult<W, L>;
  /** Current warm start of w. */
  readonly w: W;
  /** Current warm start of the adjoint (AID), if any. */
  readonly v: W | undefined;
  /** Back to the configured `w0` and a zero adjoint. */
  reset(): void;
}

/**
 * Wraps {@link hypergradient} for outer loops: each call starts the forward iteration from the
 * previous w and (AID) the adjoint solve from the previous v — both change little between nearby
 * λ, so tolerances are met in fewer iterations. A call that ended in `'non-contraction'` does not
 * update the warm starts.
 *
 * @example
 * const hg = makeHypergradient({ phi, outer, w0: zeros([p]), method: 'AID-GMRES', tol: 1e-10 });
 * let lam = tensor([0.1, 0.01]);
 * for (let it = 0; it < 50; it++) lam = sub(lam, mul(0.5, hg(lam).grad)); // plain hypergradient descent
 */
export function makeHypergradient<W, L>(config: Omit<HypergradientOptions<W, L>, 'lam'>): HypergradientSession<W, L> {
  let w = config.w0;
  let v = config.v0;
  const session = ((lam: L) => {
    const r = hypergradient({ ...config, w0: w, v0: v, lam });
    if (r.status !== 'non-contraction') {
      w = r.w;
      if (r.v !== undefined) v = r.v;
    }
    return r;
  }) as HypergradientSession<W, L>;
  Object.defineProperty(session, 'w', { get: () => w });
  Object.defineProperty(session, 'v', { get: () => v });
  Object.defineProperty(session, 'reset', {
    value: () => {
      w = config.w0;
      v = config.v0;
    },
  });
  return session;
}
