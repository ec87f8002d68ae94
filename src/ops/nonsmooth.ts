/**
 * @file Nonsmooth elementwise primitives: abs, sign, relu, maximum, minimum. Each documents the
 * element of its Clarke derivative used at the kink (see `autodiff/kinks.ts` for the policies).
 *
 * | primitive | kink | left / right derivative | minNorm default |
 * |---|---|---|---|
 * | relu(x) | x = 0 | 0 / 1 | 0 |
 * | abs(x) | x = 0 | −1 / 1 | 0 |
 * | maximum(a, b) | a = b | tie: weights on (a, b) | (½, ½) |
 * | minimum(a, b) | a = b | tie: weights on (a, b) | (½, ½) |
 * | sign(x) | x = 0 | derivative 0 everywhere (piecewise constant) | 0 |
 */
import { ConcreteTensor, type Tensor } from '../core/tensor.js';
import { mapBinary } from '../kernels/elementwise.js';
import { reluBackwardKernel, reluKernel } from '../kernels/activations.js';
import { broadcastIndexMap, broadcastShapes } from '../core/broadcast.js';
import { shapeSize, shapesEqual } from '../core/tensor.js';
import { Prim, type KinkParams, type NoParams } from '../autodiff/primitives.js';
import { bind, type PrimDef } from '../autodiff/trace.js';
import { isTrackingKinks, policyFor, reportKinks, selectDerivative, tieWeights, type KinkPolicy, type ResolvedKinkPolicy } from '../autodiff/kinks.js';
import { checkOptions } from '../core/options.js';
import { asTensor, constant, fitTangent, sumToShape, type TensorLike } from './convert.js';
import { add, mul } from './arithmetic.js';

/** Options of nonsmooth ops. */
export interface KinkOption {
  /** Which Clarke element to use at a kink for this call (default: the scope's policy). */
  kink?: KinkPolicy;
}

/**
 * @internal The kink policy of one op call: validates the options object of the public function
 * `where` (`kink` plus `extra` keys) and resolves the policy (explicit option, else the scope's).
 */
export function kinkPolicyOf(opts: KinkOption | undefined, where: string, extra?: readonly string[]): ResolvedKinkPolicy {
  if (opts !== undefined) checkOptions(opts, extra ? ['kink', ...extra] : KINK_KEYS, where);
  return policyFor(opts?.kink);
}
const KINK_KEYS = ['kink'] as const;

/** Counts exact zeros of `d` for kink reporting (only when someone listens). */
function countZeros(name: string, d: Float64Array): void {
  if (!isTrackingKinks()) return;
  let k = 0;
  for (let i = 0; i < d.length; i++) if (d[i] === 0) k++;
  reportKinks(name, k);
}

/**
 * Derivative mask of a scalar piecewise-linear function with one kink at `at`:
 * `below` left of it, `above` right of it, the policy's selection at it, NaN at a NaN input.
 * A pure function of (x, policy), so every rule run (JVP, VJP, repeated pullbacks) of one
 * evaluation uses the same Clarke element, also under the random policy.
 */
export function kinkMask(x: Tensor, at: number, below: number, above: number, policy: ResolvedKinkPolicy): Tensor {
  const d = x.data;
  const m = new Float64Array(d.length);
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    m[i] = v < at ? below : v > at ? above : v === at ? selectDerivative(policy, below, above, i) : NaN;
  }
  return constant(m, x.shape);
}

const reluMask = (x: Tensor, p: KinkParams): Tensor => kinkMask(x, 0, 0, 1, p.kink);
const absMask = (x: Tensor, p: KinkParams): Tensor => kinkMask(x, 0, -1, 1, p.kink);

/**
 * t · relu'(x) (a tangent or cotangent times the derivative mask). A concrete t takes the fused
 * kernel (one pass, no mask tensor, the same bits); a traced t (higher-order derivatives) the
 * differentiable product with the constant mask.
 */
function reluScale(t: Tensor, x: Tensor, p: KinkParams): Tensor {
  if (t.level > 0 || !shapesEqual(t.shape, x.shape)) return mul(t, reluMask(x, p));
  const out = new Float64Array(t.size);
  reluBackwardKernel(x.data, t.data, out, (i) => selectDerivative(p.kink, 0, 1, i));
  return new ConcreteTensor(out, x.shape.slice());
}

export const reluDef: PrimDef<Prim.Relu> = {
  prim: Prim.Relu,
  impl: ([a]) => {
    const d = a!.data;
    countZeros('relu', d);
    const out = new Float64Array(d.length);
    // max(x, 0) with NaN propagating (NumPy's maximum semantics): NaN <= 0 is false
    reluKernel(d, out);
    return new ConcreteTensor(out, a!.shape);
  },
  jvp: ([a], [da], _, p) => (da ? reluScale(da, a!, p) : null),
  vjp: (ct, [a], _, p) => [reluScale(ct, a!, p)],
};

export const absDef: PrimDef<Prim.Abs> = {
  prim: Prim.Abs,
  impl: ([a]) => {
    const d = a!.data;
    countZeros('abs', d);
    const out = new Float64Array(d.length);
    for (let i = 0; i < d.length; i++) out[i] = Math.abs(d[i]!);
    return new ConcreteTensor(out, a!.shape);
  },
  jvp: ([a], [da], _, p) => (da ? mul(da, absMask(a!, p)) : null),
  vjp: (ct, [a], _, p) => [mul(ct, absMask(a!, p))],
};

export const signDef: PrimDef<Prim.Sign> = {
  prim: Prim.Sign,
  impl: ([a]) => {
    const d = a!.data;
    const out = new Float64Array(d.length);
    for (let i = 0; i < d.length; i++) out[i] = d[i]! > 0 ? 1 : d[i]! < 0 ? -1 : d[i]! === 0 ? 0 : NaN;
    return new ConcreteTensor(out, a!.shape);
  },
  jvp: () => null,
  vjp: () => [null],
};

/**
 * Weights (wa, wb) of d max(a, b) = wa·da + wb·db, broadcast to the output shape.
 * `sense` = +1 for maximum, −1 for minimum.
 */
function extremumWeights(a: Tensor, b: Tensor, policy: ResolvedKinkPolicy, sense: 1 | -1): [Tensor, Tensor] {
  const shape = broadcastShapes(a.shape, b.shape, sense > 0 ? 'maximum' : 'minimum');
  const n = shapeSize(shape);
  const ad = a.data, bd = b.data;
  const ia = shapesEqual(a.shape, shape) ? null : broadcastIndexMap(a.shape, shape);
  const ib = shapesEqual(b.shape, shape) ? null : broadcastIndexMap(b.shape, shape);
  const wa = new Float64Array(n);
  const wb = new Float64Array(n);
  const tie = new Float64Array(2);
  for (let i = 0; i < n; i++) {
    const x = ad[ia ? ia[i]! : i]!;
    const y = bd[ib ? ib[i]! : i]!;
    const diff = sense * (x - y);
    if (diff > 0) wa[i] = 1;
    else if (diff < 0) wb[i] = 1;
    else if (diff !== diff) {
      // a NaN operand: the value is NaN, and so is its weight (never a finite selection)
      wa[i] = x !== x ? NaN : 0;
      wb[i] = y !== y ? NaN : 0;
    } else {
      tieWeights(policy, 2, tie, i);
      wa[i] = tie[0]!;
      wb[i] = tie[1]!;
    }
  }
  return [constant(wa, shape), constant(wb, shape)];
}

function extremumDef<P extends Prim.Maximum | Prim.Minimum>(prim: P, sense: 1 | -1): PrimDef<P> {
  const name = sense > 0 ? 'maximum' : 'minimum';
  return {
    prim,
    impl: ([a, b]) => {
      if (isTrackingKinks()) {
        const ties = mapBinary(a!, b!, (x, y) => (x === y ? 1 : 0), name).data;
        let k = 0;
        for (let i = 0; i < ties.length; i++) k += ties[i]!;
        reportKinks(name, k);
      }
      // NaN propagates (NumPy's maximum/minimum): x >= y and x <= y are false when either is NaN
      return mapBinary(a!, b!, sense > 0 ? (x, y) => (x >= y ? x : x < y ? y : NaN) : (x, y) => (x <= y ? x : x > y ? y : NaN), name);
    },
    jvp: ([a, b], [da, db], out, p) => {
      const [wa, wb] = extremumWeights(a!, b!, p.kink, sense);
      const t1 = da ? mul(wa, da) : null;
      const t2 = db ? mul(wb, db) : null;
      const t = t1 && t2 ? add(t1, t2) : (t1 ?? t2);
      return t ? fitTangent(t, out.shape) : null;
    },
    vjp: (ct, [a, b], _, p) => {
      const [wa, wb] = extremumWeights(a!, b!, p.kink, sense);
      return [sumToShape(mul(ct, wa), a!.shape), sumToShape(mul(ct, wb), b!.shape)];
    },
  };
}

export const maximumDef = extremumDef(Prim.Maximum, 1);
export const minimumDef = extremumDef(Prim.Minimum, -1);

const NONE: NoParams = {};

/**
 * max(x, 0) elementwise. At x = 0 the derivative is the policy's selection in [0, 1]
 * (default 0, the minimal-norm element).
 *
 * @example
 * grad((x) => sum(relu(x)))(tensor([-1, 0, 2])) // [0, 0, 1]
 */
export function relu(x: TensorLike, opts?: KinkOption): Tensor {
  return bind(reluDef, [asTensor(x, 'relu()', 'x')], { kink: kinkPolicyOf(opts, 'relu()') });
}
/** |x| elementwise. At x = 0 the derivative is the selection in [−1, 1] (default 0). */
export function abs(x: TensorLike, opts?: KinkOption): Tensor {
  return bind(absDef, [asTensor(x, 'abs()', 'x')], { kink: kinkPolicyOf(opts, 'abs()') });
}
/** sign(x) ∈ {−1, 0, 1} elementwise; derivative 0 everywhere. */
export function sign(x: TensorLike): Tensor {
  return bind(signDef, [asTensor(x, 'sign()', 'x')], NONE);
}
/** Elementwise max(a, b) (broadcasting). Ties split the derivative per the policy (default ½, ½). */
export function maximum(a: TensorLike, b: TensorLike, opts?: KinkOption): Tensor {
  return bind(maximumDef, [asTensor(a, 'maximum()', 'a'), asTensor(b, 'maximum()', 'b')], { kink: kinkPolicyOf(opts, 'maximum()') });
}
/** Elementwise min(a, b) (broadcasting). Ties split the derivative per the policy (default ½, ½). */
export function minimum(a: TensorLike, b: TensorLike, opts?: KinkOption): Tensor {
  return bind(minimumDef, [asTensor(a, 'minimum()', 'a'), asTensor(b, 'minimum()', 'b')], { kink: kinkPolicyOf(opts, 'minimum()') });
}
