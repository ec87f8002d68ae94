/**
 * @file `deq(f, options)`: a deep equilibrium layer. For a batch x and parameters θ (any tree),
 * the output is the fixed point z* = f(z*, x, θ), found per sample by the solvers of
 * `implicit/fixed_point_batch.ts` (Anderson or damped iteration, per-sample stopping, best
 * iterate, per-sample status), and differentiated by one of:
 *
 * - `'implicit'` (default, exact): `customFixedPoint` — the library's one implicit
 *   differentiation mechanism — with T((x, θ), z) = f(z, x, θ): x̄, θ̄ = (∂_{x,θ} f)ᵀ u with the
 *   adjoint u = (∂_z f)ᵀ u + z̄, i.e. (I − ∂_z f)ᵀ u = z̄, solved by its linear solvers
 *   (`linearSolver`: 'fixed-point' = the adjoint fixed point, 'gmres', 'lu' for small batches…),
 *   with its failure policy, warm start and report. Every transform works (jvp, vjp, grad,
 *   hessian-vector products when f is twice differentiable), and at kinks the derivative uses the
 *   kink policy's element of the conservative Jacobian (nonsmooth IFT, Bolte et al. 2021).
 * - `'jfb'` (inexact): Jacobian-free backprop, z = f(sg(z*), x, θ): the gradient drops the
 *   (I − ∂_z f)⁻¹ factor (Fung et al. 2022). A descent direction under conditions, NOT a
 *   conservative Jacobian of the solution map.
 * - `'phantom'` (inexact): k damped unrolled steps z ← (1 − λ)z + λ f(z, x, θ) from sg(z*)
 *   (Geng et al. 2021): a truncated Neumann series of the exact gradient, NOT exact.
 *
 * f must be row-separable: sample s of f(z, x, θ) depends on row s of z and x only (no batch
 * statistics inside f), because the forward solve calls f on the still-active rows only.
 *
 * Per-sample backward (`backwardStopping: 'sample'`, exact, reverse mode only): the adjoint
 * system is block diagonal across the batch (f is row-separable), so each sample's adjoint fixed
 * point u_s = (∂_z f_s)ᵀ u_s + z̄_s is solved by the per-sample Anderson solver of the forward pass:
 * converged samples leave the active set, the VJPs of f are taken on the active rows only (the
 * linearisation of f is re-taken on the active rows when they fall below 3/4 of the rows it was
 * taken on), and every sample reports its own status, iterations and residual
 * (`lastReport.backwardSamples`). Then x̄, θ̄ = (∂_{x,θ} f)ᵀ u at z*. `'batch'` runs the same solver
 * with batch-global stopping (for comparisons). The default (unset) is customFixedPoint's joint
 * linear solve, which supports every transform.
 *
 * Fixed-point correction (`correction: { iterations, gamma }`, Bai et al. 2022): the forward solver
 * keeps its iterates z_k at the listed iterations, and `layer.withCorrections(x, θ)` returns, next to
 * z*, the terms ẑ_k = f(sg(z_k), x, θ) — each differentiated by the 1-step (Jacobian-free) gradient
 * through f only, NOT by a conservative Jacobian of the solution map — with weights γ^{K+1−k}
 * (the last snapshot gets γ, z* itself 1); `deqCorrectionLoss` sums a loss over them.
 *
 * The theorem's hypothesis (I − ∂_z f invertible at z*) can be estimated per call
 * (`invertibility: true`, or every k-th call with `{ every: k }`): per-sample power iterations
 * give ρ(∂_z f) and ‖∂_z f‖₂ (so σ_min(I − ∂_z f) ≥ 1 − ‖∂_z f‖₂), an upper bound of
 * σ_min(I − ∂_z f) (shifted power iteration), with the kink count of f at z*; a warning is
 * emitted when ρ ≥ `warnAbove` or σ_min ≤ 1 − `warnAbove`.
 *
 * Time split: `lastReport.forwardMs` is the forward solve; when the call is differentiated in
 * reverse mode, `lastReport.backwardMs` is the time from the cotangent reaching z* to the last
 * cotangent leaving the layer's inputs (the adjoint solve and the VJPs of f).
 */
import { ConcretizationError, InvalidArgumentError, ShapeError } from '../../core/errors.js';
import { ConcreteTensor, formatShape, shapesEqual, Tensor } from '../../core/tensor.js';
import { emitWarning, failurePolicy, type FailurePolicy } from '../../core/failure.js';
import { checkCount, checkOptions, checkPositive } from '../../core/options.js';
import { rng } from '../../core/rng.js';
import { gatherRows } from '../../data/batches.js';
import { trackKinks } from '../../autodiff/kinks.js';
import { flatten, treeMap } from '../../autodiff/tree.js';
import { customVjp, jvp, vjp } from '../../autodiff/transforms.js';
import { add, mul, sub } from '../../ops/arithmetic.js';
import { stopGradient } from '../../ops/logic.js';
import { customFixedPoint } from '../../implicit/root.js';
import {
  resolveBatchFixedPointOptions,
  solveBatchFixedPointResolved,
  type BatchFixedPointMethod,
  type BatchFixedPointReport,
  type ResolvedBatchFixedPoint,
} from '../../implicit/fixed_point_batch.js';
import type { CustomLinearSolver, ImplicitFunction, ImplicitReport, LinearSolverName, DiagnosticsLevel } from '../../implicit/types.js';
import type { InvertibilityFallback } from '../../implicit/failure.js';
import { defineLayer, type Layer } from '../layer.js';

/** The map of a DEQ: z ↦ f(z, x, θ) on a batch (leading axis), row-separable. */
export type DeqMap<P> = (z: Tensor, x: Tensor, params: P) => Tensor;

/** How the backward pass is computed (see the file header). */
export type DeqBackward = 'implicit' | 'jfb' | 'phantom';

/** Options of {@link deq}. */
export interface DeqOptions<P> {
  /** Forward solver: `'anderson'` (default), `'broyden'` (limited memory) or `'fixed-point'` (damped iteration). */
  solver?: BatchFixedPointMethod;
  /** `'sample'` (default: converged samples stop costing work) or `'batch'` (all iterate until the last converges). */
  stopping?: 'sample' | 'batch';
  /** Absolute residual tolerance per sample (‖f(z) − z‖). Default 1e-8. */
  tol?: number;
  /** Relative residual tolerance per sample (against ‖f(z)‖). Default 1e-8. */
  rtol?: number;
  /** Forward iteration budget per sample. Default 200. */
  maxIter?: number;
  /** Damping β ∈ (0, 1] of the forward solver. Default 1. */
  damping?: number;
  /** Anderson / Broyden memory. Default 5. */
  memory?: number;
  /** Anderson ridge (relative). Default 1e-8. */
  ridge?: number;
  /** Anderson safeguard growth factor (≥ 1). Default 10. */
  safeguard?: number;
  /** Broyden's per-sample backtracking (Armijo) line search on ‖f(z) − z‖ (solver 'broyden' only). Default false. */
  lineSearch?: boolean;
  /** Backward mode. Default `'implicit'`. */
  backward?: DeqBackward;
  /** Unrolled steps of `'phantom'`. Default 5. */
  phantomSteps?: number;
  /** Damping λ ∈ (0, 1] of `'phantom'`. Default 0.5. */
  phantomDamping?: number;
  /** Linear solver of the exact backward (customRoot's, or a custom solver of the systems at (x, θ; z*); default: 'lu' up to `denseLimit` unknowns, else 'gmres'). */
  linearSolver?: LinearSolverName | CustomLinearSolver<{ x: Tensor; params: P }, Tensor>;
  /** Relative tolerance of the backward linear solve. Default 1e-10. */
  backwardTol?: number;
  /** Iteration budget of the backward linear solve (default: the solver's). */
  backwardMaxIter?: number;
  /**
   * Per-sample stopping in the exact backward (see the file header): `'sample'` solves each
   * sample's adjoint fixed point by per-sample Anderson (converged samples stop costing VJPs;
   * reverse mode only), `'batch'` the same with batch-global stopping. Default: unset (the joint
   * linear solve of `linearSolver`, all transforms).
   */
  backwardStopping?: 'sample' | 'batch';
  /**
   * Fixed-point correction (Bai et al. 2022): keep the forward iterates at these iterations (increasing)
   * for `withCorrections`; weights γ^{K+1−k} (γ = `gamma`, default 0.8). Default: none.
   */
  correction?: { iterations: readonly number[]; gamma?: number };
  /** Warm-start the backward solve from the previous batch's adjoint (same batch size). Default false. */
  warmStart?: boolean;
  /** Diagnostics level of the implicit backward (customRoot's). Default `'cheap'`. */
  diagnostics?: DiagnosticsLevel;
  /** Value of a failed invertibility under 'warn' / 'return' (customRoot's). Default `'lstsq'`. */
  fallback?: InvertibilityFallback;
  /**
   * Estimate ρ(∂_z f), ‖∂_z f‖₂, a σ_min(I − ∂_z f) bracket and the kinks at z* on every call, or
   * on every `every`-th call (costs ~5·iterations evaluations of f). Default false.
   */
  invertibility?: boolean | { iterations?: number; warnAbove?: number; every?: number };
  /** Per-example shape of z (default: x's per-example shape), or a function of x's per-example shape. */
  zShape?: readonly number[] | ((inputShape: readonly number[]) => number[]);
  /** Parameter initialiser, making the DEQ a `Layer` (`init(key, inputShape)`). */
  init?: (key: number, inputShape: readonly number[]) => P;
  /**
   * Operator splitting for the forward solve: the solver iterates u ← `forwardMap(u, x, θ)` (u has
   * z's shape) and returns z* = `readout(u*)` (default identity). The map must have fixed points
   * that read out to fixed points of f (monDEQ's forward–backward and Peaceman–Rachford
   * splittings); the backward pass still differentiates z* = f(z*, x, θ). Default: f itself.
   */
  forwardMap?: DeqMap<P>;
  /** Read-out of the splitting's state (see `forwardMap`); concrete, not differentiated. */
  readout?: (u: Tensor, x: Tensor, params: P) => Tensor;
  /** Failure policy (forward non-convergence and the backward's failures). Default `'throw'`. */
  onFailure?: FailurePolicy;
  /** Name used in messages. Default `'deq'`. */
  name?: string;
}

/** Options of one call `layer(x, params, opts)`. */
export interface DeqCallOptions {
  /** Initial iterate z0 ([batch, ...zShape], default zeros). Not differentiated. */
  z0?: Tensor;
  /** Estimate the invertibility hypothesis on this call (overrides the layer's option; e.g. once per epoch for the training log). */
  invertibility?: boolean;
}

/** Estimate of the invertibility hypothesis at z* (per batch). */
export interface DeqInvertibility {
  /** Power iterations used. */
  iterations: number;
  /** Max over samples of the estimated spectral radius ρ(∂_z f_s). */
  spectralRadius: number;
  /** Max over samples of the estimated ‖∂_z f_s‖₂. */
  spectralNorm: number;
  /** Per-sample ρ estimates. */
  perSampleRadius: Float64Array;
  /** max(0, 1 − spectralNorm): a lower bound of σ_min(I − ∂_z f) (valid when the estimate is accurate). */
  sigmaMinLowerBound: number;
  /**
   * min over samples of ‖(I − ∂_z f_s) w‖ over the unit vectors w visited by a shifted power
   * iteration on c·I − (I − ∂_z f)ᵀ(I − ∂_z f): an upper bound of σ_min(I − ∂_z f) (any unit w gives
   * one), tight when the iteration has converged. With the lower bound it brackets σ_min.
   */
  sigmaMinUpperBound: number;
  /** Kinks of f hit at z* (the conservative Jacobian is set-valued there). */
  kinks: number;
  /** True when ρ ≥ warnAbove or sigmaMinUpperBound ≤ 1 − warnAbove (a warning was emitted). */
  atRisk: boolean;
}

/** What one call of a DEQ did. */
export interface DeqReport {
  name: string;
  backward: DeqBackward;
  /** Per-sample forward status (converged, iterations, residuals). */
  forward: BatchFixedPointReport;
  /** Forward solve time (ms). */
  forwardMs: number;
  /** The implicit backward's report (customRoot's, filled when the derivative is taken), or null. */
  implicit: ImplicitReport | null;
  /** Invertibility estimate when asked. */
  invertibility: DeqInvertibility | null;
  /** Reverse-mode backward time through the layer (ms), filled when the call is differentiated, else null. */
  backwardMs: number | null;
  /** Per-sample adjoint status with `backwardStopping` (filled when differentiated), else null. */
  backwardSamples: BatchFixedPointReport | null;
  /** With `backwardStopping`: rows of f's VJPs and linearisations in the adjoint solve (the backward work), else null. */
  backwardRowWork: number | null;
}

/** What {@link DeqLayer.withCorrections} returns. */
export interface DeqCorrections {
  /** The layer's output z* (differentiated by the layer's backward). */
  z: Tensor;
  /** ẑ_k = f(sg(z_k), x, θ) for the snapshot iterations (1-step gradient each). */
  corrections: Tensor[];
  /** Their weights γ^{K+1−k}. */
  weights: number[];
}

/** A DEQ: callable `(x, params, opts?) → z*`, and a `Layer` (init / forward / apply). */
export interface DeqLayer<P> extends Layer<P, null> {
  (x: Tensor, params: P, opts?: DeqCallOptions): Tensor;
  /** Report of the last call (null before the first). */
  readonly lastReport: DeqReport | null;
  /** Forgets the backward warm-start vectors. */
  resetWarmStart(): void;
  /**
   * The output and the fixed-point correction terms (needs the `correction` option).
   * @example
   * const layer = deq(f, { zShape: [8], correction: { iterations: [2, 4], gamma: 0.8 } });
   * const loss = (p) => deqCorrectionLoss(layer.withCorrections(x, p), (z) => mse(head(z), y));
   */
  withCorrections(x: Tensor, params: P, opts?: DeqCallOptions): DeqCorrections;
}

const KEYS = [
  'solver', 'stopping', 'tol', 'rtol', 'maxIter', 'damping', 'memory', 'ridge', 'safeguard', 'lineSearch', 'backward', 'phantomSteps', 'phantomDamping',
  'linearSolver', 'backwardTol', 'backwardMaxIter', 'backwardStopping', 'correction', 'warmStart', 'diagnostics', 'fallback', 'invertibility', 'zShape', 'init',
  'forwardMap', 'readout', 'onFailure', 'name',
];

function concretize(t: Tensor): Tensor {
  return t.level === 0 ? t : new ConcreteTensor(t.data, [...t.shape]);
}

interface XP<P> {
  x: Tensor;
  params: P;
}

/**
 * Turns f(z, x, θ) into a deep equilibrium layer whose output is the fixed point z* = f(z*, x, θ).
 *
 * @example
 * // z = relu(W z + U x + b), width 8, x of 4 features
 * const f = (z: Tensor, x: Tensor, p: { W: Tensor; U: Tensor; b: Tensor }) =>
 *   relu(add(add(matmul(z, p.W), matmul(x, p.U)), p.b));
 * const layer = deq(f, { zShape: [8], tol: 1e-10 });
 * const params = { W: mul(rng(0).normal([8, 8]), 0.1), U: rng(1).normal([4, 8]), b: zeros([8]) };
 * const z = layer(rng(2).normal([3, 4]), params);          // [3, 8]
 * layer.lastReport?.forward.converged;                      // [1, 1, 1]
 * grad((W: Tensor) => sum(layer(x, { ...params, W })))(params.W); // exact implicit gradient
 */
export function deq<P>(f: DeqMap<P>, options: DeqOptions<P> = {}): DeqLayer<P> {
  const where = options.name ?? 'deq';
  if (typeof f !== 'function') throw new InvalidArgumentError(`${where}: f must be a function (z, x, params) => z`);
  checkOptions(options, KEYS, where);
  const fwd: ResolvedBatchFixedPoint = resolveBatchFixedPointOptions(
    {
      method: options.solver, stopping: options.stopping, tol: options.tol, rtol: options.rtol, maxIter: options.maxIter, damping: options.damping,
      memory: options.memory, ridge: options.ridge, safeguard: options.safeguard, lineSearch: options.lineSearch, onFailure: options.onFailure, name: where,
    },
    where,
  );
  const onFailure = failurePolicy(options.onFailure, where);
  const backward = options.backward ?? 'implicit';
  if (!['implicit', 'jfb', 'phantom'].includes(backward)) {
    throw new InvalidArgumentError(`${where}: option backward must be 'implicit', 'jfb' or 'phantom', got ${JSON.stringify(backward)}`);
  }
  const phantomSteps = options.phantomSteps === undefined ? 5 : checkCount(options.phantomSteps, where, 'option phantomSteps', 1);
  const phantomDamping = options.phantomDamping === undefined ? 0.5 : checkPositive(options.phantomDamping, 'option phantomDamping', where);
  if (phantomDamping > 1) throw new InvalidArgumentError(`${where}: option phantomDamping must be in (0, 1], got ${phantomDamping}`);
  if (options.backwardTol !== undefined) checkPositive(options.backwardTol, 'option backwardTol', where);
  if (options.backwardMaxIter !== undefined) checkCount(options.backwardMaxIter, where, 'option backwardMaxIter', 1);
  let invIters = 0;
  let invEvery = 1;
  let invCalls = 0;
  let warnAbove = 0.99;
  let callInv: boolean | undefined;
  if (options.invertibility) {
    const inv = options.invertibility === true ? {} : options.invertibility;
    checkOptions(inv, ['iterations', 'warnAbove', 'every'], `${where}: option invertibility`);
    invIters = inv.iterations === undefined ? 10 : checkCount(inv.iterations, where, 'option invertibility.iterations', 1);
    warnAbove = inv.warnAbove === undefined ? 0.99 : checkPositive(inv.warnAbove, 'option invertibility.warnAbove', where);
    invEvery = inv.every === undefined ? 1 : checkCount(inv.every, where, 'option invertibility.every', 1);
  }
  const backwardStopping = options.backwardStopping;
  if (backwardStopping !== undefined && backwardStopping !== 'sample' && backwardStopping !== 'batch') {
    throw new InvalidArgumentError(`${where}: option backwardStopping must be 'sample' or 'batch', got ${JSON.stringify(backwardStopping)}`);
  }
  if (backwardStopping !== undefined && backward !== 'implicit') {
    throw new InvalidArgumentError(`${where}: option backwardStopping is for backward 'implicit' (got backward '${backward}')`);
  }
  let correctionGamma = 0.8;
  let snapshotIters: number[] = [];
  if (options.correction !== undefined) {
    const c = options.correction;
    if (!c || typeof c !== 'object') throw new InvalidArgumentError(`${where}: option correction must be { iterations: number[], gamma? }`);
    checkOptions(c, ['iterations', 'gamma'], `${where}: option correction`);
    if (!Array.isArray(c.iterations) || c.iterations.length === 0) {
      throw new InvalidArgumentError(`${where}: option correction.iterations must be a non-empty list of increasing iteration numbers, got ${JSON.stringify(c.iterations)}`);
    }
    snapshotIters = [...c.iterations];
    if (c.gamma !== undefined) correctionGamma = checkPositive(c.gamma, 'option correction.gamma', where);
    if (correctionGamma > 1) throw new InvalidArgumentError(`${where}: option correction.gamma must be in (0, 1], got ${correctionGamma}`);
  }
  fwd.snapshots = snapshotIters.length ? resolveBatchFixedPointOptions({ snapshots: snapshotIters }, `${where}: option correction.iterations`).snapshots : [];
  if (options.zShape !== undefined && typeof options.zShape !== 'function') {
    const zs = options.zShape;
    if (!Array.isArray(zs) || zs.some((d) => !Number.isInteger(d) || d < 1)) {
      throw new InvalidArgumentError(`${where}: option zShape must be a list of positive integers (per-example shape), got ${JSON.stringify(zs)}`);
    }
  }
  for (const k of ['forwardMap', 'readout'] as const) {
    if (options[k] !== undefined && typeof options[k] !== 'function') throw new InvalidArgumentError(`${where}: option ${k} must be a function`);
  }
  const fmap = options.forwardMap ?? f;
  if (options.init !== undefined && typeof options.init !== 'function') {
    throw new InvalidArgumentError(`${where}: option init must be a function (key, inputShape) => params`);
  }

  const zShapeFor = (inputShape: readonly number[]): number[] => {
    const zs = options.zShape;
    if (zs === undefined) return [...inputShape];
    return typeof zs === 'function' ? zs(inputShape) : [...zs];
  };

  let lastReport: DeqReport | null = null;
  let lastSnapshots: Tensor[] = [];
  const implicitByBatch = new Map<number, ImplicitFunction<XP<P>, Tensor>>();

  /** The forward solve on concrete values: z* and its per-sample report. */
  const solveForward = (x: Tensor, params: P, z0: Tensor | undefined): { z: Tensor; report: BatchFixedPointReport; ms: number } => {
    const t0 = performance.now();
    const B = x.shape[0]!;
    const zShape = zShapeFor(x.shape.slice(1));
    const full = [B, ...zShape];
    const d = zShape.reduce((a, b) => a * b, 1);
    let zInit: Float64Array;
    if (z0) {
      if (!shapesEqual(z0.shape, full)) throw new ShapeError(`${where}: z0 has shape ${formatShape(z0.shape)}, expected ${formatShape(full)} ([batch, ...zShape])`);
      zInit = Float64Array.from(z0.data);
    } else zInit = new Float64Array(B * d);
    let xRows = x;
    let rowsLen = B;
    const g = (zr: Float64Array, rows: Int32Array): Float64Array => {
      if (rows.length !== rowsLen) {
        xRows = rows.length === B ? x : gatherRows(x, rows);
        rowsLen = rows.length;
      }
      const zt = new ConcreteTensor(zr, [rows.length, ...zShape]);
      const out = fmap(zt, xRows, params);
      const what = options.forwardMap ? 'forwardMap(u, x, params)' : 'f(z, x, params)';
      if (!(out instanceof Tensor)) throw new InvalidArgumentError(`${where}: ${what} must return a Tensor`);
      if (!shapesEqual(out.shape, zt.shape)) {
        throw new ShapeError(`${where}: ${what} returned shape ${formatShape(out.shape)}, but z has shape ${formatShape(zt.shape)} (f must map z to a tensor of z's shape)`);
      }
      return out.data;
    };
    const { z, report, snapshots } = solveBatchFixedPointResolved(g, zInit, B, fwd);
    const read = (u: Float64Array): Tensor => {
      let zt: Tensor = new ConcreteTensor(u, full);
      if (options.readout) {
        zt = concretize(options.readout(zt, x, params));
        if (!shapesEqual(zt.shape, full)) throw new ShapeError(`${where}: readout(u) returned shape ${formatShape(zt.shape)}, expected ${formatShape(full)}`);
      }
      return zt;
    };
    const zt = read(z);
    lastSnapshots = snapshots.map(read);
    return { z: zt, report, ms: performance.now() - t0 };
  };

  const estimateInvertibility = (z: Tensor, x: Tensor, params: P): DeqInvertibility => {
    const iters = invIters > 0 ? invIters : 10;
    const burn = Math.floor(iters / 2);
    const B = z.shape[0]!;
    const d = z.size / B;
    const fz = (zz: Tensor): Tensor => f(zz, x, params);
    const kinks = trackKinks(() => fz(z)).kinks.total;
    const [, pull] = vjp(fz, z);
    let v = rng(12345).normal([...z.shape]);
    let u = rng(54321).normal([...z.shape]);
    const normalize = (t: Tensor): { t: Tensor; norms: Float64Array } => {
      const out = new Float64Array(t.size);
      const norms = new Float64Array(B);
      for (let s = 0; s < B; s++) {
        let n = 0;
        for (let k = 0; k < d; k++) n += t.data[s * d + k]! ** 2;
        n = Math.sqrt(n);
        norms[s] = n;
        for (let k = 0; k < d; k++) out[s * d + k] = n > 0 ? t.data[s * d + k]! / n : 0;
      }
      return { t: new ConcreteTensor(out, [...t.shape]), norms };
    };
    v = normalize(v).t;
    u = normalize(u).t;
    let w = normalize(rng(777).normal([...z.shape])).t;
    const sigUp = new Float64Array(B).fill(Infinity);
    const logGrowth = new Float64Array(B);
    let sq: Float64Array = new Float64Array(B);
    for (let it = 0; it < iters; it++) {
      // ρ: (‖J^k v‖ / ‖J^j v‖)^(1/(k − j)) over the second half, renormalising each step
      const jv = normalize(jvp(fz, [z], [v])[1]);
      // the first half of the iterations is burn-in (components of the smaller eigenvalues decay)
      if (it >= burn) for (let s = 0; s < B; s++) logGrowth[s] = logGrowth[s]! + Math.log(Math.max(jv.norms[s]!, 1e-300));
      v = jv.t;
      // ‖J‖₂² via power iteration on JᵀJ
      const jtju = normalize(pull(jvp(fz, [z], [u])[1])[0]!);
      sq = jtju.norms;
      u = jtju.t;
      // σ_min(A), A = I − ∂_z f: a = A w (‖a‖ ≥ σ_min, w unit), then w ← c·w − Aᵀa (power iteration
      // on c·I − AᵀA, c = (1 + 1.05‖∂_z f‖)² ≥ σ_max(A)² when the norm estimate is good)
      const a = sub(w, jvp(fz, [z], [w])[1]);
      const ata = sub(a, pull(a)[0]!).data;
      const next = new Float64Array(B * d);
      for (let s = 0; s < B; s++) {
        let an = 0;
        for (let k = 0; k < d; k++) an += a.data[s * d + k]! ** 2;
        sigUp[s] = Math.min(sigUp[s]!, Math.sqrt(an));
        const c = (1 + 1.05 * Math.sqrt(sq[s]!)) ** 2;
        for (let k = 0; k < d; k++) next[s * d + k] = c * w.data[s * d + k]! - ata[s * d + k]!;
      }
      w = normalize(new ConcreteTensor(next, [...z.shape])).t;
    }
    const perSampleRadius = logGrowth.map((l) => Math.exp(l / (iters - burn)));
    let rho = 0, nrm = 0, sigmaUp = Infinity;
    for (let s = 0; s < B; s++) {
      rho = Math.max(rho, perSampleRadius[s]!);
      nrm = Math.max(nrm, Math.sqrt(sq[s]!));
      sigmaUp = Math.min(sigmaUp, sigUp[s]!);
    }
    // at risk: ρ close to 1, or a direction w with ‖(I − ∂_z f)w‖ ≤ 1 − warnAbove (σ_min is at most that)
    const atRisk = rho >= warnAbove || sigmaUp <= 1 - warnAbove;
    if (atRisk) {
      emitWarning(
        `${where}: the estimated spectral radius of ∂_z f at the fixed point is ${rho.toFixed(4)} and σ_min(I − ∂_z f) ≤ ${sigmaUp.toExponential(3)} ` +
          `(warnAbove ${warnAbove}: ρ ≥ ${warnAbove} or σ_min ≤ ${+(1 - warnAbove).toFixed(12)}): I − ∂_z f is close to singular, ` +
          `so the invertibility hypothesis of the implicit function theorem is at risk (kinks at z*: ${kinks}); the forward solve and the exact backward may fail or be inaccurate`,
        'InvertibilityWarning',
      );
    }
    return { iterations: iters, spectralRadius: rho, spectralNorm: nrm, perSampleRadius, sigmaMinLowerBound: Math.max(0, 1 - nrm), sigmaMinUpperBound: sigmaUp, kinks, atRisk };
  };

  const begin = (z: Tensor, report: BatchFixedPointReport, ms: number, x: Tensor, params: P): DeqReport => {
    const rep: DeqReport = { name: where, backward, forward: report, forwardMs: ms, implicit: null, invertibility: null, backwardMs: null, backwardSamples: null, backwardRowWork: null };
    const sampled = invIters > 0 && invCalls++ % invEvery === 0;
    if (callInv ?? sampled) rep.invertibility = estimateInvertibility(z, x, params);
    return rep;
  };

  const implicitFor = (B: number): ImplicitFunction<XP<P>, Tensor> => {
    let fn = implicitByBatch.get(B);
    if (fn) return fn;
    // the batch residual bound: ‖r‖ ≤ √B·tol + rtol·‖f(z)‖ when every sample converged
    const forwardTol = Math.max(1e-6, 2 * (Math.sqrt(B) * fwd.tol + fwd.rtol));
    fn = customFixedPoint<XP<P>, Tensor>(
      (xp, z) => f(z, xp.x, xp.params),
      (xp, init) => {
        const r = solveForward(xp.x, xp.params, init);
        pending = begin(r.z, r.report, r.ms, xp.x, xp.params);
        return r.z;
      },
      {
        name: where, onFailure, fallback: options.fallback, linearSolver: options.linearSolver, tol: options.backwardTol,
        maxIter: options.backwardMaxIter, warmStart: options.warmStart ?? false, diagnostics: options.diagnostics, forwardTol,
      },
    );
    implicitByBatch.set(B, fn);
    return fn;
  };
  let pending: DeqReport | null = null;

  // the per-sample adjoint solver (options validated once)
  const adjointOpts: ResolvedBatchFixedPoint | null = backwardStopping
    ? resolveBatchFixedPointOptions(
        {
          method: 'anderson', stopping: backwardStopping, tol: 0, rtol: options.backwardTol ?? 1e-10, maxIter: options.backwardMaxIter ?? 200,
          memory: options.memory, onFailure, name: `${where} (adjoint, per sample)`,
        },
        where,
      )
    : null;
  const adjointWarm = new Map<number, Float64Array>();

  /** x̄, θ̄ for the cotangent z̄ of z*: per-sample adjoint fixed points u_s = (∂_z f_s)ᵀ u_s + z̄_s, then (∂_{x,θ} f)ᵀ u. */
  const adjoint = (xx: Tensor, pp: P, zStar: Tensor, ct: Tensor, rep: DeqReport): unknown[] => {
    const traced = ct.level > 0 || xx.level > 0 || flatten(pp).leaves.some((t) => t.level > 0);
    if (traced) {
      throw new ConcretizationError(
        `${where}: backwardStopping '${backwardStopping}' computes first-order reverse-mode derivatives only (per-sample adjoint solves on concrete values); ` +
          'leave backwardStopping unset (the joint linear solve) for jvp, hessian-vector products or higher derivatives',
      );
    }
    const t0 = performance.now();
    const B = zStar.shape[0]!;
    const d = zStar.size / B;
    const zShape = zStar.shape.slice(1);
    const gbar = ct.data;
    let linRows: Int32Array | null = null;
    let pull: ((c: Tensor) => Tensor[]) | null = null;
    const pos = new Int32Array(B);
    let work = 0;
    const g = (u: Float64Array, rows: Int32Array): Float64Array => {
      if (!linRows || rows.length < 0.75 * linRows.length) {
        // (re-)linearise f on the active rows (one evaluation of f on them)
        linRows = Int32Array.from(rows);
        const xr = rows.length === B ? xx : gatherRows(xx, rows);
        const zr = rows.length === B ? zStar : gatherRows(zStar, rows);
        pull = vjp((zz: Tensor) => f(zz, xr, pp), zr)[1] as (c: Tensor) => Tensor[];
        linRows.forEach((s, i) => (pos[s] = i));
        work += rows.length;
      }
      const n = linRows.length;
      const c = new Float64Array(n * d);
      for (let a = 0; a < rows.length; a++) c.set(u.subarray(a * d, a * d + d), pos[rows[a]!]! * d);
      work += n;
      const jt = pull!(new ConcreteTensor(c, [n, ...zShape]))[0]!.data;
      const out = new Float64Array(rows.length * d);
      for (let a = 0; a < rows.length; a++) {
        const src = pos[rows[a]!]! * d, gs = rows[a]! * d;
        for (let k = 0; k < d; k++) out[a * d + k] = jt[src + k]! + gbar[gs + k]!;
      }
      return out;
    };
    const prev = options.warmStart ? adjointWarm.get(B) : undefined;
    const { z: u, report } = solveBatchFixedPointResolved(g, prev && prev.length === B * d ? prev : Float64Array.from(gbar), B, adjointOpts!);
    if (options.warmStart) adjointWarm.set(B, u);
    const [, pullXP] = vjp((a: Tensor, b: P) => f(zStar, a, b), xx, pp);
    const cts = pullXP(new ConcreteTensor(u, [...zStar.shape]));
    rep.backwardSamples = report;
    rep.backwardRowWork = work + B;
    rep.backwardMs = performance.now() - t0;
    return [cts[0], cts[1]];
  };

  /** The layer's value and backward, before the timers. */
  const inner = (x: Tensor, params: P, z0: Tensor | undefined): Tensor => {
    if (backward === 'implicit' && adjointOpts) {
      let rep: DeqReport | null = null;
      const layerFn = customVjp(
        (xx: Tensor, pp: P) => {
          const r = solveForward(xx, pp, z0);
          rep = begin(r.z, r.report, r.ms, xx, pp);
          lastReport = rep;
          return r.z;
        },
        ([xx, pp], zStar, ct) => adjoint(xx, pp, zStar, ct, rep!),
        { name: where },
      );
      return layerFn(x, params);
    }
    if (backward === 'implicit') {
      const fn = implicitFor(x.shape[0]!);
      pending = null;
      const z = fn({ x, params }, z0);
      if (pending) {
        (pending as DeqReport).implicit = fn.lastReport;
        lastReport = pending;
      }
      return z;
    }
    const xc = concretize(x);
    const pc = treeMap(params, concretize);
    const r = solveForward(xc, pc, z0);
    lastReport = begin(r.z, r.report, r.ms, xc, pc);
    const zs = stopGradient(r.z);
    if (backward === 'jfb') return f(zs, x, params);
    // phantom gradient: k damped steps from sg(z*)
    let z = zs;
    for (let k = 0; k < phantomSteps; k++) z = add(mul(z, 1 - phantomDamping), mul(f(z, x, params), phantomDamping));
    return z;
  };

  const call = (x: Tensor, params: P, opts: DeqCallOptions = {}): Tensor => {
    if (!(x instanceof Tensor)) throw new InvalidArgumentError(`${where}: x must be a Tensor with a leading batch axis`);
    if (x.ndim < 1 || x.shape[0]! < 1) throw new ShapeError(`${where}: x must carry a non-empty leading batch axis, got shape ${formatShape(x.shape)}`);
    checkOptions(opts, ['z0', 'invertibility'], `${where}()`);
    if (opts.invertibility !== undefined && typeof opts.invertibility !== 'boolean') {
      throw new InvalidArgumentError(`${where}(): option invertibility must be a boolean, got ${String(opts.invertibility)}`);
    }
    callInv = opts.invertibility;
    const z0 = opts.z0 === undefined ? undefined : concretize(opts.z0);
    const traced = x.level > 0 || flatten(params).leaves.some((t) => t.level > 0);
    if (!traced) return inner(x, params, z0);
    // reverse-mode timers: identities whose VJP rules stamp the time the cotangent reaches z* and
    // the time the last cotangent leaves the layer's inputs
    const stamp = { start: NaN, rep: null as DeqReport | null };
    const markIn = customVjp(
      (t: Tensor) => t,
      (_p, _o, ct: Tensor) => {
        const r = stamp.rep;
        if (r && Number.isFinite(stamp.start) && r.backwardSamples === null) r.backwardMs = Math.max(r.backwardMs ?? 0, performance.now() - stamp.start);
        return [ct];
      },
      { name: `${where} (backward timer)` },
    );
    const markOut = customVjp(
      (t: Tensor) => t,
      (_p, _o, ct: Tensor) => {
        stamp.start = performance.now();
        return [ct];
      },
      { name: `${where} (backward timer)` },
    );
    const before = lastReport;
    const z = inner(x.level > 0 ? markIn(x) : x, treeMap(params, (t) => (t.level > 0 ? markIn(t) : t)), z0);
    stamp.rep = lastReport !== before ? lastReport : null;
    return markOut(z);
  };

  const withCorrections = (x: Tensor, params: P, opts?: DeqCallOptions): DeqCorrections => {
    if (snapshotIters.length === 0) throw new InvalidArgumentError(`${where}.withCorrections(): the layer has no correction option (e.g. deq(f, { correction: { iterations: [2, 4, 6] } }))`);
    const z = call(x, params, opts);
    const snaps = lastSnapshots;
    const K = snaps.length;
    return {
      z,
      corrections: snaps.map((zk) => f(stopGradient(zk), x, params)),
      weights: snaps.map((_, k) => correctionGamma ** (K - k)),
    };
  };

  const layer = defineLayer<P, null>({
    name: where,
    init(key, inputShape) {
      if (!options.init) throw new InvalidArgumentError(`${where}: pass options.init (key, inputShape) => params to use the DEQ as a layer`);
      return { params: options.init(key, inputShape), state: null, outputShape: zShapeFor(inputShape) };
    },
    forward(params, state, x) {
      return { y: call(x, params), state };
    },
  });
  const out = call as DeqLayer<P>;
  Object.defineProperty(out, 'name', { value: where });
  Object.defineProperty(out, 'init', { value: layer.init, enumerable: true });
  Object.defineProperty(out, 'forward', { value: layer.forward, enumerable: true });
  Object.defineProperty(out, 'apply', { value: layer.apply, enumerable: true });
  Object.defineProperty(out, 'lastReport', { get: () => lastReport, enumerable: true });
  Object.defineProperty(out, 'resetWarmStart', {
    value: () => {
      implicitByBatch.forEach((fn) => fn.resetWarmStart());
      adjointWarm.clear();
    },
    enumerable: true,
  });
  Object.defineProperty(out, 'withCorrections', { value: withCorrections, enumerable: true });
  return out;
}
