/**
 * @file The fully connected DEQ of the DEQ literature: z* = relu(z*·W + x·U + b) (row convention,
 * z: [batch, width], x: [batch, features]), as a `deq` layer with seeded initialisation. W starts
 * with ‖W‖₂ ≈ `scale` (Gaussian entries of standard deviation scale / (2√width)), so the map starts
 * as a contraction; training does not keep it one (watch `lastReport.forward` and the
 * `invertibility` estimate, or use `mondeq` for a guaranteed unique fixed point). Two
 * reparametrisations of W are options: spectral normalisation (a bound on ‖W‖₂) and weight
 * normalisation (Salimans & Kingma 2016, as the DEQ papers use: W = V·diag(g / ‖V_{:,j}‖), each
 * output unit's weight vector has norm g_j, with V and g trained).
 */
import { InvalidArgumentError } from '../../core/errors.js';
import { ShapeError } from '../../core/errors.js';
import { ConcreteTensor, formatShape, type Tensor } from '../../core/tensor.js';
import { checkCount, checkOptions, checkPositive } from '../../core/options.js';
import { rng } from '../../core/rng.js';
import { add, div, mul } from '../../ops/arithmetic.js';
import { maximum, relu } from '../../ops/nonsmooth.js';
import { sum } from '../../ops/reduce.js';
import { sqrt } from '../../ops/unary.js';
import { gemv, nrm2, scal } from '../../kernels/blas.js';
import { matmul } from '../../ops/matmul.js';
import { deq, type DeqLayer, type DeqOptions } from './deq.js';
import { foldKey } from '../layer.js';

/**
 * Parameters of {@link fcDeq}: W [width, width], U [features, width], b [width]; with
 * `weightNorm`, W holds the direction V and g [width] the norms of W's columns.
 */
export interface FcDeqParams {
  W: Tensor;
  U: Tensor;
  b: Tensor;
  g?: Tensor;
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
  /**
   * Weight normalisation: f uses W = {@link weightNormalize}(V, g) (column j = g_j·V_{:,j}/‖V_{:,j}‖,
   * the weight vector of output unit j in the row convention z·W), with V stored in `params.W` and
   * g in `params.g`, initialised to the column norms of the initial V (so the initial map is the
   * same as without). Combines with `spectralBound` (applied after). Default false.
   */
  weightNorm?: boolean;
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
 * Weight normalisation (Salimans & Kingma 2016) of a matrix used as z·W: column j of the result is
 * g_j·V_{:,j} / ‖V_{:,j}‖₂ (differentiable in V and g; ∂/∂V projects out the direction of V_{:,j}:
 * ∂W_{:,j}/∂V_{:,j} = (g_j/‖v‖)(I − v vᵀ/‖v‖²)). A zero column of V is refused (its direction is undefined).
 * @example
 * weightNormalize(tensor([[3, 0], [4, 2]]), tensor([1, 5])); // [[0.6, 0], [0.8, 5]]
 */
export function weightNormalize(V: Tensor, g: Tensor): Tensor {
  const where = 'weightNormalize()';
  if (V.ndim !== 2) throw new ShapeError(`${where}: V must be a matrix, got shape ${formatShape(V.shape)}`);
  if (g.ndim !== 1 || g.shape[0] !== V.shape[1]) {
    throw new ShapeError(`${where}: g must be a vector of V's ${V.shape[1]} columns, got shape ${formatShape(g.shape)}`);
  }
  const norms = sqrt(sum(mul(V, V), { axis: 0 }));
  const nd = norms.data;
  for (let j = 0; j < nd.length; j++) {
    if (!(nd[j]! > 0) || !Number.isFinite(nd[j]!)) throw new InvalidArgumentError(`${where}: column ${j} of V has norm ${nd[j]}: its direction is undefined`);
  }
  return mul(V, div(g, norms));
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
  const { width, scale: sc, spectralBound, weightNorm, ...rest } = options;
  if (!Number.isInteger(width) || width < 1) throw new InvalidArgumentError(`${where}: option width must be a positive integer, got ${String(width)}`);
  const scale = sc === undefined ? 0.5 : checkPositive(sc, 'option scale', where);
  if (spectralBound !== undefined) checkPositive(spectralBound, 'option spectralBound', where);
  if (weightNorm !== undefined && typeof weightNorm !== 'boolean') throw new InvalidArgumentError(`${where}: option weightNorm must be a boolean, got ${String(weightNorm)}`);
  // per-forward cache of the normalised W (the forward solve calls f many times with the same W, g)
  const cache = new WeakMap<Tensor, { g: Tensor | undefined; w: Tensor }>();
  const weight = (p: FcDeqParams): Tensor => {
    if (spectralBound === undefined && !weightNorm) return p.W;
    const c = cache.get(p.W);
    if (c && c.g === p.g) return c.w;
    let w = p.W;
    if (weightNorm) {
      if (!p.g) throw new InvalidArgumentError(`${where}: option weightNorm needs params.g (the column norms of W; init creates it)`);
      w = weightNormalize(w, p.g);
    }
    if (spectralBound !== undefined) w = spectralNormalize(w, { bound: spectralBound });
    cache.set(p.W, { g: p.g, w });
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
  const f = (z: Tensor, x: Tensor, p: FcDeqParams): Tensor => relu(add(matmul(z, weight(p)), injection(x, p)));
  return deq<FcDeqParams>(f, {
    ...rest,
    name: where,
    zShape: [width],
    init: (key, inputShape) => {
      if (inputShape.length !== 1) throw new InvalidArgumentError(`${where}: expects flat inputs [features], got per-example shape ${JSON.stringify(inputShape)}`);
      const n = inputShape[0]!;
      const W = mul(rng(foldKey(key, 0)).normal([width, width]), scale / (2 * Math.sqrt(width)));
      const p: FcDeqParams = {
        W,
        U: mul(rng(foldKey(key, 1)).normal([n, width]), 1 / Math.sqrt(n)),
        b: new ConcreteTensor(new Float64Array(width), [width]),
      };
      if (weightNorm) p.g = sqrt(sum(mul(W, W), { axis: 0 }));
      return p;
    },
  });
}
