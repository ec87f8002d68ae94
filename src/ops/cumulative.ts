/**
 * @file Cumulative sums (primitive `cumsum`, forward or reverse along one axis).
 *
 *   forward:  yⱼ = Σ_{i ≤ j} xᵢ        reverse:  yⱼ = Σ_{i ≥ j} xᵢ
 *
 * Both are linear; the JVP is the same scan of the tangent and the VJP is the scan in the other
 * direction (the transpose of a lower-triangular ones matrix is upper-triangular):
 *   x̄ᵢ = Σ_{j ≥ i} ȳⱼ  for the forward scan.
 */
import { normalizeAxis } from '../core/broadcast.js';
import { InvalidArgumentError, ShapeError } from '../core/errors.js';
import { checkOptions } from '../core/options.js';
import { ConcreteTensor, type Tensor } from '../core/tensor.js';
import { Prim } from '../autodiff/primitives.js';
import { bind, type PrimDef } from '../autodiff/trace.js';
import { axisLayout } from './indexing.js';
import { reshape } from './shape.js';
import { asTensor, type TensorLike } from './convert.js';

export const cumsumDef: PrimDef<Prim.Cumsum> = {
  prim: Prim.Cumsum,
  impl: ([a], { axis, reverse }) => {
    const x = a!.data;
    const { outer, n, inner } = axisLayout(a!.shape, axis);
    const out = new Float64Array(x.length);
    for (let o = 0; o < outer; o++) {
      const base = o * n * inner;
      for (let k = 0; k < inner; k++) {
        let s = 0;
        if (reverse) {
          for (let j = n - 1; j >= 0; j--) {
            const p = base + j * inner + k;
            s += x[p]!;
            out[p] = s;
          }
        } else {
          for (let j = 0; j < n; j++) {
            const p = base + j * inner + k;
            s += x[p]!;
            out[p] = s;
          }
        }
      }
    }
    return new ConcreteTensor(out, [...a!.shape]);
  },
  // linear: d cumsum(x) = cumsum(dx)
  jvp: (_, [da], __, { axis, reverse }) => (da ? bind(cumsumDef, [da], { axis, reverse }) : null),
  // transpose: the scan in the opposite direction
  vjp: (ct, _, __, { axis, reverse }) => [bind(cumsumDef, [ct], { axis, reverse: !reverse })],
};

/** Options of `cumsum`. */
export interface CumsumOptions {
  /** The axis to accumulate along (default: the flattened tensor, NumPy semantics). */
  axis?: number;
  /** Accumulate from the end: yⱼ = Σ_{i ≥ j} xᵢ. Default false. */
  reverse?: boolean;
}

/**
 * Cumulative sum along `axis`. Without an axis the tensor is flattened first (NumPy semantics;
 * the result is 1-D). `reverse: true` accumulates from the end.
 *
 * @example
 * cumsum(tensor([1, 2, 3]))                              // tensor([1, 3, 6])
 * cumsum(tensor([1, 2, 3]), { axis: 0, reverse: true })  // tensor([6, 5, 3])
 * cumsum(tensor([[1, 2], [3, 4]]), { axis: 0 })          // tensor([[1, 2], [4, 6]])
 */
export function cumsum(x: TensorLike, opts?: CumsumOptions): Tensor {
  checkOptions(opts, ['axis', 'reverse'], 'cumsum()');
  const t = asTensor(x, 'cumsum()', 'x');
  const axis = opts?.axis;
  const reverse = opts?.reverse ?? false;
  if (typeof reverse !== 'boolean') throw new InvalidArgumentError(`cumsum(): option reverse must be a boolean, got ${JSON.stringify(reverse)}`);
  if (axis === undefined) return bind(cumsumDef, [reshape(t, [t.size])], { axis: 0, reverse });
  if (typeof axis !== 'number') throw new InvalidArgumentError(`cumsum(): option axis must be one axis (a number), got ${JSON.stringify(axis)}`);
  if (t.ndim === 0) throw new ShapeError('cumsum(): x is a scalar (shape []); omit the axis to get a 1-element result');
  const ax = normalizeAxis(axis, t.ndim, 'cumsum()');
  return bind(cumsumDef, [t], { axis: ax, reverse });
}
