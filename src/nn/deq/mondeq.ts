/**
 * @file Monotone operator DEQ (monDEQ, Winston & Kolter 2020), fully connected: the layer
 * z* = relu(W z* + U x + b) with
 *
 *   W = (1 − m)·I − AᵀA + B − Bᵀ        (m > 0),
 *
 * so that I − W ⪰ m·I: the operator splitting problem is strongly monotone and the fixed point
 * exists and is unique for ANY parameters (A, B, U, b). The forward pass runs an operator splitting
 * through `deq`'s `forwardMap` (per-sample stopping, Anderson optional):
 *
 * - forward–backward:   z ← relu((1 − α)·z + α·(W z + U x + b))          (converges for α ≤ 2m/‖I − W‖²)
 * - Peaceman–Rachford:  state u, z = relu(u), v = 2z − u,
 *                       ẑ = (I + α(I − W))⁻¹ (v + α(U x + b)),  u ← 2ẑ − v   (converges for any α > 0)
 *
 * Both have exactly the fixed points of relu(W z + U x + b) (at a fixed point u* of PR,
 * z* = relu(u*) and u* = z* + α(W z* + U x + b − z*)). The backward pass is `deq`'s exact implicit
 * backward on f(z) = relu(W z + U x + b): I − D W (D = relu's 0/1 selection) is invertible for
 * every selection because I − W ⪰ mI, so the nonsmooth implicit function theorem applies at kinks too.
 * Its linear systems are solved by `linearSolver`: any of customRoot's, or `'splitting'`, the same
 * splitting as the forward applied to the linear monotone problem with D in place of relu's prox
 * (`mondeq_splitting.ts`, per-sample stopping and status).
 * Row convention: a batch Z is [batch, width], so W z reads Z·Wᵀ.
 */
import { InvalidArgumentError } from '../../core/errors.js';
import { ConcreteTensor, eye, type Tensor } from '../../core/tensor.js';
import { checkOptions, checkPositive } from '../../core/options.js';
import { rng } from '../../core/rng.js';
import { luFactor, luSolve } from '../../linalg/dense/lu.js';
import { add, mul, sub } from '../../ops/arithmetic.js';
import { relu } from '../../ops/nonsmooth.js';
import { matmul } from '../../ops/matmul.js';
import { matrixTranspose } from '../../ops/shape.js';
import { gemmKernel } from '../../kernels/gemm_dispatch.js';
import type { LinearSolverName } from '../../implicit/types.js';
import { deq, type DeqLayer, type DeqOptions } from './deq.js';
import { monDeqSplittingSolve, type MonDeqLinearStructure, type MonDeqSplitting } from './mondeq_splitting.js';
import { foldKey } from '../layer.js';

export type { MonDeqSplitting } from './mondeq_splitting.js';

/** Parameters of a fully connected monDEQ of width d on inputs of n features. */
export interface MonDeqParams {
  /** [d, d] */
  A: Tensor;
  /** [d, d] */
  B: Tensor;
  /** [n, d] (input map, row convention x·U) */
  U: Tensor;
  /** [d] */
  b: Tensor;
}

/** Options of {@link mondeq}: the DEQ options (solver, tolerances, backward…) plus the monDEQ ones. */
export interface MonDeqOptions extends Omit<DeqOptions<MonDeqParams>, 'zShape' | 'init' | 'forwardMap' | 'readout' | 'linearSolver'> {
  /**
   * Linear solver of the exact backward: `'splitting'` (the forward's splitting on the linear
   * monotone problem, per-sample stopping; see `mondeq_splitting.ts`) or one of customRoot's.
   * Default `'splitting'`.
   */
  linearSolver?: LinearSolverName | 'splitting';
  /** Width d of z. */
  width: number;
  /** Monotonicity margin m ∈ (0, 1): I − W ⪰ m·I. Default 0.05. */
  monotonicity?: number;
  /** Splitting. Default `'peaceman-rachford'`. */
  splitting?: MonDeqSplitting;
  /** Step α > 0 of the splitting. Default 1 (Peaceman–Rachford), 0.1 (forward–backward). */
  alpha?: number;
  /**
   * Iteration on the splitting map of the `'splitting'` backward: `'anderson'` (memory `memory`)
   * or `'fixed-point'` (the plain splitting). Default `'fixed-point'` for Peaceman–Rachford (fastest in
   * bench/mondeq.bench.ts), `'anderson'` for forward–backward (whose safe step is small).
   */
  backwardIteration?: 'anderson' | 'fixed-point';
}

/**
 * W = (1 − m)·I − AᵀA + B − Bᵀ (differentiable in A and B), m = `monotonicity` (default 0.05).
 * @example
 * const W = monDeqWeight(layer.init(0, [4]).params, { monotonicity: 0.1 }); // I − W ⪰ 0.1·I
 */
export function monDeqWeight(p: Pick<MonDeqParams, 'A' | 'B'>, opts: { monotonicity?: number } = {}): Tensor {
  checkOptions(opts, ['monotonicity'], 'monDeqWeight()');
  const m = opts.monotonicity === undefined ? 0.05 : checkPositive(opts.monotonicity, 'option monotonicity', 'monDeqWeight');
  const d = p.A.shape[0]!;
  return add(sub(mul(eye(d), 1 - m), matmul(matrixTranspose(p.A), p.A)), sub(p.B, matrixTranspose(p.B)));
}

/**
 * A fully connected monotone operator DEQ layer: z* = relu(W z* + U x + b), W parametrised so the
 * fixed point is unique for any parameters (see the file header). A `DeqLayer` (callable and a `Layer`).
 *
 * @example
 * const layer = mondeq({ width: 16, splitting: 'peaceman-rachford' });
 * const { params } = layer.init(0, [4]);
 * const z = layer(rng(1).normal([8, 4]), params); // [8, 16], unique fixed point
 * layer.lastReport?.forward.meanIterations;
 */
export function mondeq(options: MonDeqOptions): DeqLayer<MonDeqParams> {
  const where = options?.name ?? 'mondeq';
  if (!options || typeof options !== 'object') throw new InvalidArgumentError(`${where}: options with a width are required, e.g. mondeq({ width: 64 })`);
  const { width, monotonicity, splitting: sp, alpha: al, linearSolver: ls, backwardIteration: bi, ...rest } = options;
  if (bi !== undefined && bi !== 'anderson' && bi !== 'fixed-point') {
    throw new InvalidArgumentError(`${where}: option backwardIteration must be 'anderson' or 'fixed-point', got ${JSON.stringify(bi)}`);
  }
  if (!Number.isInteger(width) || width < 1) throw new InvalidArgumentError(`${where}: option width must be a positive integer, got ${String(width)}`);
  const m = monotonicity === undefined ? 0.05 : checkPositive(monotonicity, 'option monotonicity', where);
  if (m >= 1) throw new InvalidArgumentError(`${where}: option monotonicity must be in (0, 1), got ${m}`);
  const splitting = sp ?? 'peaceman-rachford';
  if (splitting !== 'forward-backward' && splitting !== 'peaceman-rachford') {
    throw new InvalidArgumentError(`${where}: option splitting must be 'forward-backward' or 'peaceman-rachford', got ${JSON.stringify(splitting)}`);
  }
  const alpha = al === undefined ? (splitting === 'peaceman-rachford' ? 1 : 0.1) : checkPositive(al, 'option alpha', where);

  const pre = (z: Tensor, x: Tensor, p: MonDeqParams, W: Tensor): Tensor => add(add(matmul(z, matrixTranspose(W)), matmul(x, p.U)), p.b);
  const f = (z: Tensor, x: Tensor, p: MonDeqParams): Tensor => relu(pre(z, x, p, monDeqWeight(p, { monotonicity: m })));

  // cache of W and (I + α(I − W))⁻ᵀ, keyed on A's and B's value buffers (the forward and the
  // splitting backward of one step share it; parameter updates make new buffers)
  const cache = new WeakMap<Float64Array, { Bdata: Float64Array; W: Tensor; Minv: Tensor | null }>();
  const prepared = (p: MonDeqParams): { W: Tensor; Minv: Tensor | null } => {
    let c = cache.get(p.A.data);
    if (c && c.Bdata === p.B.data) return c;
    const W = monDeqWeight(p, { monotonicity: m });
    let Minv: Tensor | null = null;
    if (splitting === 'peaceman-rachford') {
      const d = width;
      // M = (1 + α)I − αW; row form needs M⁻ᵀ: solve Mᵀ X = I
      const M = new Float64Array(d * d);
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) M[i * d + j] = (i === j ? 1 + alpha : 0) - alpha * W.data[i * d + j]!;
      const I = new Float64Array(d * d);
      for (let i = 0; i < d; i++) I[i * d + i] = 1;
      Minv = new ConcreteTensor(luSolve(luFactor(M, d), I, d, true), [d, d]);
    }
    c = { Bdata: p.B.data, W, Minv };
    cache.set(p.A.data, c);
    return c;
  };

  const forwardMap = (u: Tensor, x: Tensor, p: MonDeqParams): Tensor => {
    const { W, Minv } = prepared(p);
    if (splitting === 'forward-backward') return relu(add(mul(u, 1 - alpha), mul(pre(u, x, p, W), alpha)));
    const z = relu(u);
    const v = sub(mul(z, 2), u);
    const zh = matmul(add(v, mul(add(matmul(x, p.U), p.b), alpha)), Minv!);
    return sub(mul(zh, 2), v);
  };

  const linearSolver = ls ?? 'splitting';
  /** W's products, the resolvent and the pre-activations at the point (x, z*), concrete. */
  const structure = (x: Tensor, p: MonDeqParams, z: Tensor): MonDeqLinearStructure => {
    const d = width;
    const { W, Minv } = prepared(p);
    const Bn = z.shape[0]!;
    const n = x.size / Bn;
    const pre = new Float64Array(Bn * d);
    gemmKernel(Bn, d, n, x.data, 0, p.U.data, 0, pre, 0);
    const zW = new Float64Array(Bn * d);
    gemmKernel(Bn, d, d, z.data, 0, W.data, 0, zW, 0, false, true);
    for (let s = 0; s < Bn; s++) for (let k = 0; k < d; k++) pre[s * d + k] = pre[s * d + k]! + zW[s * d + k]! + p.b.data[k]!;
    const rowsTimes = (S: Float64Array, rows: number, mat: Float64Array, transB: boolean): Float64Array => {
      const out = new Float64Array(rows * d);
      gemmKernel(rows, d, d, S, 0, mat, 0, out, 0, false, transB);
      return out;
    };
    return {
      batch: Bn,
      dim: d,
      pre,
      // M = W: rows·Wᵀ; M = Wᵀ: rows·W
      applyW: (S, rows, transpose) => rowsTimes(S, rows, W.data, !transpose),
      // Minv = (I + α(I − W))⁻ᵀ: M = W needs rows·Minv, M = Wᵀ needs rows·Minvᵀ
      resolvent: Minv ? (V, rows, transpose) => rowsTimes(V, rows, Minv.data, transpose) : undefined,
    };
  };
  const splittingSettings = {
    splitting, alpha, method: bi ?? (splitting === 'peaceman-rachford' ? ('fixed-point' as const) : ('anderson' as const)), memory: rest.memory ?? 5,
    maxIter: 500, name: `${where} (splitting backward)`,
  };

  return deq<MonDeqParams>(f, {
    ...rest,
    linearSolver: linearSolver === 'splitting'
      ? { name: 'splitting', solve: (problem) => monDeqSplittingSolve(problem, structure(problem.x.x, problem.x.params, problem.y), splittingSettings) }
      : linearSolver,
    name: where,
    zShape: [width],
    forwardMap,
    readout: splitting === 'peaceman-rachford' ? (u) => relu(u) : undefined,
    init: (key, inputShape) => {
      if (inputShape.length !== 1) throw new InvalidArgumentError(`${where}: expects flat inputs [features], got per-example shape ${JSON.stringify(inputShape)}`);
      const n = inputShape[0]!;
      const d = width;
      return {
        A: mul(rng(foldKey(key, 0)).normal([d, d]), 1 / Math.sqrt(d)),
        B: mul(rng(foldKey(key, 1)).normal([d, d]), 1 / Math.sqrt(d)),
        U: mul(rng(foldKey(key, 2)).normal([n, d]), 1 / Math.sqrt(n)),
        b: new ConcreteTensor(new Float64Array(d), [d]),
      };
    },
  });
}
