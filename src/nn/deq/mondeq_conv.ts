/**
 * @file Convolutional monotone operator DEQ (Winston & Kolter 2020, §5): the layer
 * z* = relu(W z* + conv(x, U) + b) on images z ∈ ℝ^{c×H×W} with
 *
 *   W z = (1 − m)·z − Aᵀ(A z) + B z − Bᵀ z,
 *
 * A, B 'same'-padded convolutions (c → c channels, odd kernel k) and Aᵀ, Bᵀ their adjoints
 * (`conv2dTranspose` with the same weights and padding: exactly the adjoints under zero padding).
 * AᵀA ⪰ 0 and B − Bᵀ is skew, so I − W ⪰ m·I and the fixed point exists and is unique for any
 * parameters, as for the fully connected `mondeq`.
 *
 * Solver choice. Peaceman–Rachford needs the resolvent (I + α(I − W))⁻¹: monotone_op_net applies it
 * with FFTs under circular padding; with zero padding it is a non-symmetric system (B − Bᵀ) that
 * would need a Krylov solve inside every iteration. This layer uses forward–backward instead, which
 * needs only products with W:
 *
 *   z ← relu((1 − α)·z + α·(W z + conv(x, U) + b)),
 *
 * accelerated by Anderson (deq's forward solver, per-sample stopping). The plain iteration is
 * guaranteed for α ≤ 2m/L² (L = ‖I − W‖₂); with Anderson (on a linear map, a GMRES-like method
 * whose convergence does not depend on α's scale) the default is the larger α = 1/L, with L
 * estimated by power iteration for each parameter value (cached), and the safeguard restarting a
 * sample whose residual grows. The backward is deq's exact implicit one; `linearSolver: 'splitting'`
 * (default) solves its systems by the same forward–backward splitting with relu's derivative in
 * place of the prox (mondeq_splitting.ts), Anderson-accelerated.
 */
import { InvalidArgumentError, ShapeError } from '../../core/errors.js';
import { ConcreteTensor, formatShape, type Tensor } from '../../core/tensor.js';
import { checkCount, checkOptions, checkPositive } from '../../core/options.js';
import { rng } from '../../core/rng.js';
import { add, mul, sub } from '../../ops/arithmetic.js';
import { conv2d, conv2dTranspose } from '../../ops/conv.js';
import { relu } from '../../ops/nonsmooth.js';
import { reshape } from '../../ops/shape.js';
import type { LinearSolverName } from '../../implicit/types.js';
import { deq, type DeqLayer, type DeqOptions } from './deq.js';
import { monDeqSplittingSolve, type MonDeqLinearStructure } from './mondeq_splitting.js';
import { foldKey } from '../layer.js';

/** Parameters of a convolutional monDEQ with c channels, c_in input channels and k×k kernels. */
export interface MonDeqConvParams {
  /** [c, c, k, k] */
  A: Tensor;
  /** [c, c, k, k] */
  B: Tensor;
  /** [c, c_in, k, k] (input injection) */
  U: Tensor;
  /** [c] */
  b: Tensor;
}

/** Options of {@link mondeqConv}. */
export interface MonDeqConvOptions extends Omit<DeqOptions<MonDeqConvParams>, 'zShape' | 'init' | 'forwardMap' | 'readout' | 'linearSolver'> {
  /** Channels c of z. */
  channels: number;
  /** Odd kernel size k of A, B and U. Default 3. */
  kernelSize?: number;
  /** Input channels (checked against the input; default: read from the input shape). */
  inChannels?: number;
  /** [H, W] of the images (checked against the input; default: read from the input shape). */
  imageShape?: readonly [number, number];
  /** Monotonicity margin m ∈ (0, 1): I − W ⪰ m·I. Default 0.05. */
  monotonicity?: number;
  /** Forward–backward step α > 0. Default 1/L with L ≈ ‖I − W‖₂ (power iteration, per parameter value). */
  alpha?: number;
  /** Backward linear solver: `'splitting'` (default) or one of customRoot's. */
  linearSolver?: LinearSolverName | 'splitting';
  /** Iteration on the splitting map of the `'splitting'` backward. Default `'anderson'`. */
  backwardIteration?: 'anderson' | 'fixed-point';
}

/**
 * W z = (1 − m)z − Aᵀ(Az) + Bz − Bᵀz for z [N, c, H, W] (differentiable in z, A, B);
 * `transpose`: Wᵀ z = (1 − m)z − Aᵀ(Az) − Bz + Bᵀz.
 * @example
 * const Wz = monDeqConvApply(z, params, { monotonicity: 0.05 });
 */
export function monDeqConvApply(z: Tensor, p: Pick<MonDeqConvParams, 'A' | 'B'>, opts: { monotonicity?: number; transpose?: boolean } = {}): Tensor {
  checkOptions(opts, ['monotonicity', 'transpose'], 'monDeqConvApply()');
  const m = opts.monotonicity === undefined ? 0.05 : checkPositive(opts.monotonicity, 'option monotonicity', 'monDeqConvApply');
  const pad = (p.A.shape[2]! - 1) / 2;
  const o = { padding: pad };
  const AtA = conv2dTranspose(conv2d(z, p.A, o), p.A, o);
  const skew = sub(conv2d(z, p.B, o), conv2dTranspose(z, p.B, o));
  return add(sub(mul(z, 1 - m), AtA), opts.transpose ? mul(skew, -1) : skew);
}

/**
 * A convolutional monotone operator DEQ layer: z* = relu(W z* + conv(x, U) + b) with W built from
 * convolutions so the fixed point is unique for any parameters (see the file header). Inputs
 * [N, c_in, H, W] (or flat [N, c_in·H·W] when `inChannels` and `imageShape` are given); output
 * [N, c, H, W]. A `DeqLayer` (callable and a `Layer`).
 *
 * @example
 * const layer = mondeqConv({ channels: 4, kernelSize: 3 });
 * const { params } = layer.init(0, [1, 8, 8]);
 * const z = layer(rng(1).normal([2, 1, 8, 8]), params); // [2, 4, 8, 8]
 */
export function mondeqConv(options: MonDeqConvOptions): DeqLayer<MonDeqConvParams> {
  const where = options?.name ?? 'mondeqConv';
  if (!options || typeof options !== 'object') throw new InvalidArgumentError(`${where}: options with channels are required, e.g. mondeqConv({ channels: 16 })`);
  const { channels, kernelSize, inChannels, imageShape, monotonicity, alpha: al, linearSolver: ls, backwardIteration: bi, ...rest } = options;
  const c = checkCount(channels, where, 'option channels', 1);
  const k = kernelSize === undefined ? 3 : checkCount(kernelSize, where, 'option kernelSize', 1);
  if (k % 2 !== 1) throw new InvalidArgumentError(`${where}: option kernelSize must be odd ('same' padding keeps z's H×W), got ${k}`);
  if (inChannels !== undefined) checkCount(inChannels, where, 'option inChannels', 1);
  if (imageShape !== undefined && (!Array.isArray(imageShape) || imageShape.length !== 2 || imageShape.some((v) => !Number.isInteger(v) || v < 1))) {
    throw new InvalidArgumentError(`${where}: option imageShape must be [H, W] (positive integers), got ${JSON.stringify(imageShape)}`);
  }
  const m = monotonicity === undefined ? 0.05 : checkPositive(monotonicity, 'option monotonicity', where);
  if (m >= 1) throw new InvalidArgumentError(`${where}: option monotonicity must be in (0, 1), got ${m}`);
  const fixedAlpha = al === undefined ? undefined : checkPositive(al, 'option alpha', where);
  if (bi !== undefined && bi !== 'anderson' && bi !== 'fixed-point') {
    throw new InvalidArgumentError(`${where}: option backwardIteration must be 'anderson' or 'fixed-point', got ${JSON.stringify(bi)}`);
  }
  const pad = (k - 1) / 2;
  const copt = { padding: pad };

  /** Per-example input shape → [c_in, H, W]. */
  const imageOf = (shape: readonly number[]): [number, number, number] => {
    if (shape.length === 3) {
      const [ci, h, w] = shape as [number, number, number];
      if ((inChannels !== undefined && ci !== inChannels) || (imageShape && (h !== imageShape[0] || w !== imageShape[1]))) {
        throw new ShapeError(`${where}: input images have per-example shape ${formatShape(shape)}, but the options say inChannels ${inChannels ?? ci}, imageShape ${JSON.stringify(imageShape ?? [h, w])}`);
      }
      return [ci, h, w];
    }
    const size = shape.reduce((a, b) => a * b, 1);
    if (shape.length === 1 && inChannels !== undefined && imageShape && size === inChannels * imageShape[0] * imageShape[1]) return [inChannels, imageShape[0], imageShape[1]];
    throw new ShapeError(
      `${where}: expects images [c_in, H, W] per example (or flat inputs of c_in·H·W values with the options inChannels and imageShape), got per-example shape ${formatShape(shape)}`,
    );
  };
  const asImages = (x: Tensor): Tensor => (x.ndim === 4 ? x : reshape(x, [x.shape[0]!, ...imageOf(x.shape.slice(1))]));
  const inject = (x: Tensor, p: MonDeqConvParams): Tensor => add(conv2d(asImages(x), p.U, copt), reshape(p.b, [1, c, 1, 1]));
  const f = (z: Tensor, x: Tensor, p: MonDeqConvParams): Tensor => relu(add(monDeqConvApply(z, p, { monotonicity: m }), inject(x, p)));

  // α = 1/L, L ≈ ‖I − W‖₂ by power iteration on (I − W)ᵀ(I − W), per (A, B) value and image size
  const alphaCache = new WeakMap<Float64Array, { Bdata: Float64Array; hw: string; alpha: number }>();
  const alphaFor = (p: MonDeqConvParams, h: number, w: number): number => {
    if (fixedAlpha !== undefined) return fixedAlpha;
    const hit = alphaCache.get(p.A.data);
    const hw = `${h}x${w}`;
    if (hit && hit.Bdata === p.B.data && hit.hw === hw) return hit.alpha;
    const Ac = new ConcreteTensor(p.A.data, [...p.A.shape]);
    const Bc = new ConcreteTensor(p.B.data, [...p.B.shape]);
    let v: Tensor = rng(7).normal([1, c, h, w]);
    let est = 1;
    for (let it = 0; it < 20; it++) {
      const IW = (t: Tensor, tr: boolean) => sub(t, monDeqConvApply(t, { A: Ac, B: Bc }, { monotonicity: m, transpose: tr }));
      const u = IW(IW(v, false), true);
      let n = 0;
      for (const val of u.data) n += val * val;
      n = Math.sqrt(n);
      est = n; // ‖(I − W)ᵀ(I − W) v‖ with ‖v‖ = 1 → ‖I − W‖₂²
      v = mul(u, 1 / n);
    }
    const alpha = 1 / (1.05 * Math.sqrt(est));
    alphaCache.set(p.A.data, { Bdata: p.B.data, hw, alpha });
    return alpha;
  };

  // the injection conv(x, U) + b computed once per (x rows, U, b) value
  let injCache: { x: Float64Array; U: Float64Array; b: Float64Array; inj: Tensor } | null = null;
  const injection = (x: Tensor, p: MonDeqConvParams): Tensor => {
    if (injCache && injCache.x === x.data && injCache.U === p.U.data && injCache.b === p.b.data) return injCache.inj;
    const inj = inject(new ConcreteTensor(x.data, [...x.shape]), { ...p, U: new ConcreteTensor(p.U.data, [...p.U.shape]), b: new ConcreteTensor(p.b.data, [...p.b.shape]) });
    injCache = { x: x.data, U: p.U.data, b: p.b.data, inj };
    return inj;
  };

  const forwardMap = (z: Tensor, x: Tensor, p: MonDeqConvParams): Tensor => {
    const alpha = alphaFor(p, z.shape[2]!, z.shape[3]!);
    return relu(add(mul(z, 1 - alpha), mul(add(monDeqConvApply(z, p, { monotonicity: m }), injection(x, p)), alpha)));
  };

  const structure = (x: Tensor, p: MonDeqConvParams, z: Tensor): MonDeqLinearStructure => {
    const [Bn, , h, w] = z.shape as [number, number, number, number];
    const pc = { A: new ConcreteTensor(p.A.data, [...p.A.shape]), B: new ConcreteTensor(p.B.data, [...p.B.shape]) };
    const zc = new ConcreteTensor(z.data, [...z.shape]);
    const pre = add(monDeqConvApply(zc, pc, { monotonicity: m }), injection(x, p)).data;
    return {
      batch: Bn,
      dim: c * h * w,
      pre: Float64Array.from(pre),
      applyW: (S, rows, transpose) => monDeqConvApply(new ConcreteTensor(S, [rows, c, h, w]), pc, { monotonicity: m, transpose }).data as Float64Array,
    };
  };
  const linearSolver = ls ?? 'splitting';

  return deq<MonDeqConvParams>(f, {
    ...rest,
    name: where,
    zShape: (inputShape) => {
      const [, h, w] = imageOf(inputShape);
      return [c, h, w];
    },
    forwardMap,
    linearSolver: linearSolver === 'splitting'
      ? {
          name: 'splitting',
          solve: (problem) => {
            const z = problem.y;
            const alpha = alphaFor(problem.x.params, z.shape[2]!, z.shape[3]!);
            return monDeqSplittingSolve(problem, structure(problem.x.x, problem.x.params, z), {
              splitting: 'forward-backward', alpha, method: bi ?? 'anderson', memory: rest.memory ?? 5, maxIter: 1000, name: `${where} (splitting backward)`,
            });
          },
        }
      : linearSolver,
    init: (key, inputShape) => {
      const [ci] = imageOf(inputShape);
      const s = 1 / Math.sqrt(c * k * k);
      return {
        A: mul(rng(foldKey(key, 0)).normal([c, c, k, k]), 0.5 * s),
        B: mul(rng(foldKey(key, 1)).normal([c, c, k, k]), 0.5 * s),
        U: mul(rng(foldKey(key, 2)).normal([c, ci, k, k]), 1 / Math.sqrt(ci * k * k)),
        b: new ConcreteTensor(new Float64Array(c), [c]),
      };
    },
  });
}
