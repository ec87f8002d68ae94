/**
 * @file The fully connected DEQ of the DEQ literature: z* = relu(z*·W + x·U + b) (row convention,
 * z: [batch, width], x: [batch, features]), as a `deq` layer with seeded initialisation. W starts
 * with ‖W‖₂ ≈ `scale` (Gaussian entries of standard deviation scale / (2√width)), so the map starts
 * as a contraction; training does not keep it one (watch `lastReport.forward` and the
 * `invertibility` estimate, or use `mondeq` for a guaranteed unique fixed point).
 */
import { InvalidArgumentError } from '../../core/errors.js';
import { ConcreteTensor, type Tensor } from '../../core/tensor.js';
import { checkPositive } from '../../core/options.js';
import { rng } from '../../core/rng.js';
import { add, mul } from '../../ops/arithmetic.js';
import { relu } from '../../ops/nonsmooth.js';
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
  const { width, scale: sc, ...rest } = options;
  if (!Number.isInteger(width) || width < 1) throw new InvalidArgumentError(`${where}: option width must be a positive integer, got ${String(width)}`);
  const scale = sc === undefined ? 0.5 : checkPositive(sc, 'option scale', where);
  const f = (z: Tensor, x: Tensor, p: FcDeqParams): Tensor => relu(add(add(matmul(z, p.W), matmul(x, p.U)), p.b));
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
