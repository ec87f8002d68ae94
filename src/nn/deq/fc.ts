/**
 * @file The fully connected DEQ of the DEQ literature: z* = relu(z*·W + x·U + b) (row convention,
 * z: [batch, width], x: [batch, features]), as a `deq` layer with seeded initialisation. W starts
 * with ‖W‖₂ ≈ `scale` (Gaussian entries of standard deviation scale / (2√width)), so the map starts
 * as a contraction; training does not keep it one (watch `lastReport.forward` and the
 * `invertibility` estimate, or use `mondeq` for a guaranteed unique fixed point).
 */
import { InvalidArgumentError } from '../../core/errors.js';
import { ShapeError } from '../../core/errors.js';
import { ConcreteTensor, formatShape, type Tensor } from '../../core/tensor.js';
import { checkCount, checkOptions, checkPositive } from '../../core/options.js';
import { rng } from '../../core/rng.js';
import { add, div, mul } from '../../ops/arithmetic.js';
import { maximum, relu } from '../../ops/nonsmooth.js';
import { sum } from '../../ops/reduce.js';
import { gemv, nrm2, scal } from '../../kernels/blas.js';
import { matmul } from '../../ops/matmul.js';
import { deq, type DeqLayer, type DeqOptions } from './deq.js';
import { foldKey } from '../layer.js';

/** Parameters of {@link fcDeq}: W [width, width], U [features, width], b [width]. */
export interface FcDeqParams {
  W: Tensor;
  U: Tensor;
  b: Tensor;
}

/** Options of {@link fcDeq}: the DEQ options plus the width and the initial scale of W. */
export interface FcDeqOptions extends Omit<DeqOptions<FcDeqParams>, 'zShape' | 'init'> {
  /** Width of z. */
  width: number;
  /** Approximate initial ‖W‖₂. Default 0.5. */
  scale?: number;
  /**
   * Spectral normalisation: f uses W / max(1, σ(W)/bound) with σ(W) the power-iteration estimate
   * of ‖W‖₂ ({@link spectralNormalize}). A bound < 1 makes the relu map a contraction (unique
   * fixed point, convergent forward) for any W. Default: none.
   */
  spectralBound?: number;
}

/** Options of {@link spectralNormalize}. */
export interface SpectralNormalizeOptions {
  /** Largest allowed ‖W‖₂ (> 0). */
  bound: number;
  /** Power iterations (on the concrete W, from a fixed start: the result is a function of W). Default 30. */
  iterations?: number;
}

/**
 * W / max(1, σ/bound), with σ = uᵀWv and u, v the power-iteration singular vectors of W computed on
 * concrete values (not differentiated, as in Miyato et al. 2018): σ is differentiable in W through
 * uᵀWv, so ‖result‖₂ ≤ bound up to the accuracy of the power iteration.
 * @example
 * const Wn = spectralNormalize(mul(eye(3), 5), { bound: 0.9 }); // 0.9·I
 */
export function spectralNormalize(W: Tensor, opts: SpectralNormalizeOptions): Tensor {
  const where = 'spectralNormalize';
  checkOptions(opts, ['bound', 'iterations'], `${where}()`);
  const bound = checkPositive(opts?.bound, 'option bound', where);
  const iters = opts.iterations === undefined ? 30 : checkCount(opts.iterations, `${where}()`, 'option iterations', 1);
  if (W.ndim !== 2) throw new ShapeError(`${where}(): W must be a matrix, got shape ${formatShape(W.shape)}`);
  const [m, n] = W.shape as [number, number];
  const Wd = W.data;
  let v = Float64Array.from({ length: n }, (_, i) => 1 + 0.01 * ((i * 7919) % 13));
  const u = new Float64Array(m);
  for (let k = 0; k < iters; k++) {
    gemv(false, m, n, 1, Wd, v, 0, u);
    const nu = nrm2(m, u);
    if (nu === 0) return W;
    scal(m, 1 / nu, u);
    const w = new Float64Array(n);
    gemv(true, m, n, 1, Wd, u, 0, w);
    const nw = nrm2(n, w);
    if (nw === 0) return W;
    scal(n, 1 / nw, w);
    v = w;
  }
  const uT = new ConcreteTensor(Float64Array.from(u), [m]);
  const vT = new ConcreteTensor(Float64Array.from(v), [n]);
  const sigma = sum(mul(uT, matmul(W, vT)));
  return div(W, maximum(1, div(sigma, bound)));
}

/**
 * A fully connected DEQ layer z* = relu(z*·W + x·U + b) on flat inputs.
 * @example
 * const layer = fcDeq({ width: 32 });
 * const { params } = layer.init(0, [64]);
 * const z = layer(x, params); // [batch, 32]
 */
export function fcDeq(options: FcDeqOptions): DeqLayer<FcDeqParams> {
  const where = options?.name ?? 'fcDeq';
  if (!options || typeof options !== 'object') throw new InvalidArgumentError(`${where}: options with a width are required, e.g. fcDeq({ width: 64 })`);
  const { width, scale: sc, spectralBound, ...rest } = options;
  if (!Number.isInteger(width) || width < 1) throw new InvalidArgumentError(`${where}: option width must be a positive integer, got ${String(width)}`);
  const scale = sc === undefined ? 0.5 : checkPositive(sc, 'option scale', where);
  if (spectralBound !== undefined) checkPositive(spectralBound, 'option spectralBound', where);
  // per-forward cache of the normalised W (the forward solve calls f many times with the same W)
  const cache = new WeakMap<Tensor, Tensor>();
  const weight = (W: Tensor): Tensor => {
    if (spectralBound === undefined) return W;
    let w = cache.get(W);
    if (!w) {
      w = spectralNormalize(W, { bound: spectralBound });
      cache.set(W, w);
    }
    return w;
  };
  // the input injection x·U + b does not depend on z: computed once per (x, U, b) (tensors are
  // immutable, so caching on their identity is exact; traced inputs get their own entry)
  const injCache = new WeakMap<Tensor, { U: Tensor; b: Tensor; inj: Tensor }>();
  const injection = (x: Tensor, p: FcDeqParams): Tensor => {
    const c = injCache.get(x);
    if (c && c.U === p.U && c.b === p.b) return c.inj;
    const inj = add(matmul(x, p.U), p.b);
    injCache.set(x, { U: p.U, b: p.b, inj });
    return inj;
  };
  const f = (z: Tensor, x: Tensor, p: FcDeqParams): Tensor => relu(add(matmul(z, weight(p.W)), injection(x, p)));
  return deq<FcDeqParams>(f, {
    ...rest,
    name: where,
    zShape: [width],
    init: (key, inputShape) => {
      if (inputShape.length !== 1) throw new InvalidArgumentError(`${where}: expects flat inputs [features], got per-example shape ${JSON.stringify(inputShape)}`);
      const n = inputShape[0]!;
      return {
        W: mul(rng(foldKey(key, 0)).normal([width, width]), scale / (2 * Math.sqrt(width))),
        U: mul(rng(foldKey(key, 1)).normal([n, width]), 1 / Math.sqrt(n)),
        b: new ConcreteTensor(new Float64Array(width), [width]),
      };
    },
  });
}
