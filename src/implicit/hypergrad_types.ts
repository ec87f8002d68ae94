/**
 * @file Types of the ITD / AID hypergradients (`hypergradient`, hypergrad.ts): methods, options,
 * results, and the per-call state shared by the implementations.
 */
import { InvalidArgumentError } from '../core/errors.js';
import type { FailurePolicy } from '../core/failure.js';
import type { Tensor } from '../core/tensor.js';
import type { ContractionOptions, HypergradTraceEntry, HypergradTraceMode, TraceRecorder, TreeLayout } from './hypergrad_common.js';

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

/** @internal The state shared by the ITD and AID implementations of one call. */
export interface Ctx<W, L> {
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

/** @internal Result of the forward iteration. */
export interface ForwardRun<W> {
  w: W;
  wVec: Float64Array;
  iterations: number;
  residual: number;
  converged: boolean;
  nonContraction: boolean;
}
