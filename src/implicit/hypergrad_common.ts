/**
 * @file Internal plumbing shared by the hypergradient methods (`hypergrad.ts`, `stochastic.ts`):
 * parameter trees ↔ flat `Float64Array`s, finiteness checks, the non-contraction monitor, the
 * per-iteration trace record and the typed error `NonContractionError`.
 *
 * Not part of the public API except {@link NonContractionError}, {@link HypergradTraceEntry},
 * {@link HypergradTraceMode} and {@link ContractionOptions} (re-exported by `hypergrad.ts`).
 */
import { ConvergenceError, InvalidArgumentError, NonFiniteError, ShapeError } from '../core/errors.js';
import type { FailurePolicy } from '../core/failure.js';
import { checkCount } from '../core/options.js';
import { ConcreteTensor, concreteData, formatShape, shapesEqual, type Tensor } from '../core/tensor.js';
import { flatten, type Tree } from '../autodiff/tree.js';

// ---------------------------------------------------------------------------------------------
// Trees as flat vectors

/** Shapes and offsets of the tensor leaves of a parameter tree, to move between tree and vector. */
export interface TreeLayout {
  /** Rebuilds the tree structure from leaves. */
  readonly rebuild: (leaves: readonly Tensor[]) => Tree;
  /** Shape of each leaf (depth-first order). */
  readonly shapes: readonly (readonly number[])[];
  /** Start of each leaf in the flat vector. */
  readonly offsets: readonly number[];
  /** Total number of scalars. */
  readonly size: number;
}

/** Layout of a tree; throws `InvalidArgumentError` if it has no tensor leaf. */
export function treeLayout(tree: Tree, fn: string, what: string): TreeLayout {
  const flat = flatten(tree);
  if (flat.leaves.length === 0) {
    throw new InvalidArgumentError(`${fn}: ${what} must be a tensor or a tree (array / plain object) with at least one tensor leaf`);
  }
  const shapes: number[][] = [];
  const offsets: number[] = [];
  let size = 0;
  for (const l of flat.leaves) {
    shapes.push([...l.shape]);
    offsets.push(size);
    size += l.size;
  }
  return { rebuild: flat.rebuild, shapes, offsets, size };
}

/**
 * Flattens the leaves of `tree` into one vector (depth-first, row-major), checking the structure
 * against `layout` (same leaf count and shapes) — a `ShapeError` names the first mismatch.
 */
export function treeToVec(tree: Tree, layout: TreeLayout, fn: string, what: string, out?: Float64Array): Float64Array {
  const leaves = flatten(tree).leaves;
  if (leaves.length !== layout.shapes.length) {
    throw new ShapeError(`${fn}: ${what} has ${leaves.length} tensor leaves, expected ${layout.shapes.length}`);
  }
  const v = out ?? new Float64Array(layout.size);
  for (let i = 0; i < leaves.length; i++) {
    const l = leaves[i]!;
    if (!shapesEqual(l.shape, layout.shapes[i]!)) {
      throw new ShapeError(`${fn}: leaf ${i} of ${what} has shape ${formatShape(l.shape)}, expected ${formatShape(layout.shapes[i]!)}`);
    }
    v.set(l.data, layout.offsets[i]!);
  }
  return v;
}

/**
 * Refuses a traced `tree` (inside grad/jvp/...): the hypergradient procedures compute numbers, not a
 * differentiable map, so a traced λ or w would otherwise be read as a constant (a silent zero
 * derivative). `ConcretizationError` names `fn`, `what` and the differentiable alternative.
 */
export function refuseTraced(tree: Tree, fn: string, what: string): void {
  for (const leaf of flatten(tree).leaves) concreteData(leaf, `${fn} (argument ${what})`, 'customFixedPoint / customRoot (a differentiable solution map)');
}

/** A tree of fresh concrete tensors holding copies of the slices of `vec`. */
export function vecToTree(vec: Float64Array, layout: TreeLayout): Tree {
  const leaves: Tensor[] = layout.shapes.map((s, i) => {
    const o = layout.offsets[i]!;
    const n = (layout.offsets[i + 1] ?? layout.size) - o;
    return new ConcreteTensor(vec.slice(o, o + n), [...s]);
  });
  return layout.rebuild(leaves);
}

/** Concrete copy of a tree's leaves (tracers are unwrapped to their values). */
export function concreteTree(tree: Tree, layout: TreeLayout, fn: string, what: string): Tree {
  return vecToTree(treeToVec(tree, layout, fn, what), layout);
}

export function norm2(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s);
}

export function dist2(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    s += d * d;
  }
  return Math.sqrt(s);
}

export function dotVec(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Throws `NonFiniteError` if `v` holds NaN or ±Infinity (message names `what` and the iteration). */
export function checkFiniteVec(v: Float64Array, fn: string, what: string): void {
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i]!)) throw new NonFiniteError(`${fn}: ${what} contains a non-finite value (${v[i]}) at flat index ${i}`);
  }
}

export function checkFiniteNumber(x: number, fn: string, what: string): void {
  if (!Number.isFinite(x)) throw new NonFiniteError(`${fn}: ${what} is not finite (${x})`);
}

// ---------------------------------------------------------------------------------------------
// Options validation


export function checkTol(v: unknown, fn: string, name: string): number {
  if (typeof v !== 'number' || !(v >= 0) || v === Infinity) {
    throw new InvalidArgumentError(`${fn}: ${name} must be a finite number ≥ 0, got ${String(v)}`);
  }
  return v;
}

export function checkChoice<T extends string>(v: unknown, allowed: readonly T[], fn: string, name: string): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new InvalidArgumentError(`${fn}: ${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${String(v)}`);
  }
  return v as T;
}

// ---------------------------------------------------------------------------------------------
// Trace

/** What the per-iteration trace keeps: `'norm'` (default) ‖estimate‖ only, `'full'` also the flattened estimate, `'none'` nothing. */
export type HypergradTraceMode = 'norm' | 'full' | 'none';

/**
 * One iteration of a hypergradient method.
 *
 * | phase | iteration k | residual | estimate |
 * |---|---|---|---|
 * | `'forward'` | w_k = Φ(w_{k−1}, λ) | ‖w_k − w_{k−1}‖ | ITD forward mode: ∇E of the k-step unrolled map |
 * | `'adjoint'` | AID step k | FP: ‖v_k − v_{k−1}‖ = ‖b − (I − Aᵀ)v_{k−1}‖; CG/GMRES: the solver's residual estimate | FP: ∂_λΦᵀv_k + ∇_λE; CG/GMRES: last entry only |
 * | `'reverse'` | k reverse steps of ITD (memory-saving modes) | ‖∂_λΦ(w_{t−k})ᵀ v‖ (the increment) | the k-step truncated back-propagation estimate |
 * | `'stochastic'` | NSID/SID step k | ‖v_k − v_{k−1}‖ | ∂_λ[G(T̄(w, λ), λ)]ᵀ v_k + ∇_λE |
 */
export interface HypergradTraceEntry {
  phase: 'forward' | 'adjoint' | 'reverse' | 'stochastic';
  /** 1-based iteration index within the phase. */
  iteration: number;
  /** See the table above. */
  residual: number;
  /** ‖estimate‖₂ of the hypergradient after this iteration, when the method has one. */
  estimateNorm?: number;
  /** Flattened estimate (trace mode `'full'`). */
  estimate?: Float64Array;
  /** ‖estimate − reference‖₂ when a `reference` was given. */
  error?: number;
}

/** Collects trace entries according to the trace mode and an optional reference. */
export class TraceRecorder {
  readonly entries: HypergradTraceEntry[] = [];
  constructor(
    readonly mode: HypergradTraceMode,
    private readonly reference: Float64Array | null,
  ) {}
  get enabled(): boolean {
    return this.mode !== 'none';
  }
  /** Whether estimates are useful to compute (someone records them). */
  get wantsEstimates(): boolean {
    return this.mode !== 'none';
  }
  push(phase: HypergradTraceEntry['phase'], iteration: number, residual: number, estimate?: Float64Array): void {
    if (this.mode === 'none') return;
    const e: HypergradTraceEntry = { phase, iteration, residual };
    if (estimate) {
      e.estimateNorm = norm2(estimate);
      if (this.mode === 'full') e.estimate = Float64Array.from(estimate);
      if (this.reference) e.error = dist2(estimate, this.reference);
    }
    this.entries.push(e);
  }
}

// ---------------------------------------------------------------------------------------------
// Contraction monitor

/** How non-contraction (growing steps ‖x_{k+1} − x_k‖) is detected and handled. */
export interface ContractionOptions {
  /**
   * Number of consecutive iterations with a growing step ‖x_{k+1} − x_k‖ > ‖x_k − x_{k−1}‖ that
   * count as non-contraction. Default 10 (a contraction in the Euclidean norm never grows its
   * steps; a contraction in another norm can, transiently).
   */
  window?: number;
  /** Also declare non-contraction when a step exceeds `growth` × the smallest step so far. Default 1e4. */
  growth?: number;
}

/**
 * The iteration x ← Φ(x) (or the adjoint iteration) does not behave like a contraction: its steps
 * ‖x_{k+1} − x_k‖ kept growing. A `ConvergenceError` whose report names the phase and the last steps.
 */
export class NonContractionError extends ConvergenceError {
  override name = 'NonContractionError';
}

/** Steps below this multiple of max(1, scale) are round-off: their growth is ignored. */
const NOISE_FLOOR = 1e-13;

export class ContractionMonitor {
  private prev = Infinity;
  private minStep = Infinity;
  private increases = 0;
  private readonly recent: number[] = [];
  readonly window: number;
  readonly growth: number;
  /**
   * The call's `onFailure`: `'throw'` raises `NonContractionError`; `'warn'` / `'return'` stop that
   * phase, and the result carries `status: 'non-contraction'` (the caller warns once under `'warn'`).
   */
  constructor(
    private readonly fn: string,
    private readonly phase: string,
    opts: ContractionOptions = {},
    private readonly onViolation: FailurePolicy = 'throw',
  ) {
    this.window = checkCount(opts.window ?? 10, fn, 'contraction.window', 1);
    const growth = opts.growth ?? 1e4;
    if (typeof growth !== 'number' || !(growth > 1)) throw new InvalidArgumentError(`${fn}: contraction.growth must be a number > 1, got ${String(growth)}`);
    this.growth = growth;
  }

  /**
   * Records step `k` of size `step` (`scale` = size of the iterate, for the round-off floor).
   * Returns true when the iteration must stop for non-contraction (policy `'warn'` / `'return'`);
   * throws with policy `'throw'`.
   */
  violated(k: number, step: number, scale: number): boolean {
    const floor = NOISE_FLOOR * Math.max(1, scale);
    this.recent.push(step);
    if (this.recent.length > this.window + 1) this.recent.shift();
    let bad = false;
    if (step > floor && step > this.prev * (1 + 1e-10)) {
      this.increases++;
      if (this.increases >= this.window) bad = true;
    } else if (step <= this.prev) {
      this.increases = 0;
    }
    if (step > floor && this.minStep < Infinity && step > this.growth * Math.max(this.minStep, floor)) bad = true;
    this.prev = step;
    this.minStep = Math.min(this.minStep, step);
    if (!bad) return false;
    const msg =
      `${this.fn}: the ${this.phase} iteration is not contracting: at iteration ${k} the step is ${step.toExponential(3)} ` +
      `after ${this.increases} consecutive increase(s) (last steps: ${this.recent.map((r) => r.toExponential(2)).join(', ')}). ` +
      `Check that the map is a contraction in w (step size, regularisation) — or pass onFailure: 'return' to get the partial result with status 'non-contraction'.`;
    if (this.onViolation === 'throw') {
      throw new NonContractionError(msg, { iterations: k, residualNorm: step, converged: false, phase: this.phase, steps: [...this.recent] });
    }
    return true;
  }
}
