/**
 * @file Neural-network activations that are not elsewhere: `erf` (a primitive) and the
 * composites `leakyRelu`, `elu`, `gelu` (exact, through erf, or the tanh approximation). The
 * composites are exact identities on existing primitives, chosen so that at the kink x = 0 the
 * relu selection s ∈ [0, 1] maps onto the Clarke interval of the activation:
 *
 * | op | formula used | derivative at 0 | left / right | minNorm (relu s = 0) |
 * |---|---|---|---|---|
 * | leakyRelu(x, a) | a·x + (1 − a)·relu(x) | a + (1 − a)·s | a / 1 | a |
 * | elu(x, α) | relu(x) + α·(exp(x − relu(x)) − 1) | α + (1 − α)·s | α / 1 | α |
 *
 * (`left`, `right`, `fixed` t and seeded `random` policies give left + t·(right − left), as for
 * every primitive; `minNorm` gives the relu's 0, i.e. the left derivative, which is the least-norm
 * element of the interval whenever 0 ≤ a ≤ 1, resp. 0 < α ≤ 1. For α = 1 elu is C¹ and every
 * policy gives 1.)
 *
 * erf(x) = 2/√π ∫₀ˣ e^{−t²} dt, d erf = 2/√π · e^{−x²} dx (written with ops, so any order).
 * Kernel: for |x| < 3 the everywhere-positive series erf(x) = 2/√π · e^{−x²} Σₙ 2ⁿ x^{2n+1} / (2n+1)!!
 * (no cancellation); for 3 ≤ |x| < 6.5 the continued fraction of erfc, evaluated backwards; ±1
 * beyond (erfc(6.5) < 1e-19). Relative error ≲ 1e-15 (tested against reference values).
 */
import { ConcreteTensor, type Tensor } from '../core/tensor.js';
import { InvalidArgumentError } from '../core/errors.js';
import { checkOptions } from '../core/options.js';
import { Prim, type NoParams } from '../autodiff/primitives.js';
import { bind, type PrimDef } from '../autodiff/trace.js';
import { asTensor, type TensorLike } from './convert.js';
import { add, mul, sub } from './arithmetic.js';
import { exp, tanh } from './unary.js';
import { relu, type KinkOption } from './nonsmooth.js';

const TWO_OVER_SQRT_PI = 1.1283791670955126; // 2/√π

/** erf of one double (see the file header for the method). */
export function erfScalar(x: number): number {
  if (x !== x) return NaN;
  const ax = Math.abs(x);
  if (ax >= 6.5) return x > 0 ? 1 : -1;
  if (ax < 3) {
    // erf(x) = 2/√π e^{−x²} Σ 2ⁿ x^{2n+1} / (1·3·…·(2n+1)): positive terms, ratio 2x²/(2n+3)
    const x2 = x * x;
    let term = x;
    let s = x;
    for (let n = 0; n < 200; n++) {
      term *= (2 * x2) / (2 * n + 3);
      s += term;
      if (Math.abs(term) <= 1e-17 * Math.abs(s)) break;
    }
    return TWO_OVER_SQRT_PI * Math.exp(-x2) * s;
  }
  // erfc(a) = e^{−a²}/√π · 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + 2/(a + …))))), backwards from depth 60
  let f = ax;
  for (let k = 60; k >= 1; k--) f = ax + k / 2 / f;
  const erfc = (Math.exp(-ax * ax) / Math.sqrt(Math.PI)) / f;
  return x > 0 ? 1 - erfc : erfc - 1;
}

const NONE: NoParams = {};

export const erfDef: PrimDef<Prim.Erf> = {
  prim: Prim.Erf,
  impl: ([a]) => {
    const d = a!.data;
    const out = new Float64Array(d.length);
    for (let i = 0; i < d.length; i++) out[i] = erfScalar(d[i]!);
    return new ConcreteTensor(out, a!.shape);
  },
  // d erf = 2/√π e^{−x²} dx
  jvp: ([a], [da]) => (da ? mul(da, erfSlope(a!)) : null),
  vjp: (ct, [a]) => [mul(ct, erfSlope(a!))],
};

function erfSlope(x: Tensor): Tensor {
  return mul(exp(mul(mul(x, x), -1)), TWO_OVER_SQRT_PI);
}

/**
 * The error function erf(x) = 2/√π ∫₀ˣ e^{−t²} dt, elementwise (float64 accurate to ~1e-15).
 * Derivative 2/√π · e^{−x²}.
 * @example
 * erf(tensor([0, 1]))  // tensor([0, 0.8427007929497149])
 */
export function erf(x: TensorLike): Tensor {
  return bind(erfDef, [asTensor(x, 'erf()', 'x')], NONE);
}

function finiteNumber(v: unknown, where: string, name: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new InvalidArgumentError(`${where}: option ${name} must be a finite number, got ${JSON.stringify(v)}`);
  return v;
}

/** Options of `leakyRelu`. */
export interface LeakyReluOptions extends KinkOption {
  /** Slope for x < 0 (default 0.01, PyTorch's `negative_slope`). */
  slope?: number;
}

/**
 * Leaky ReLU: x for x > 0, slope·x for x < 0 (default slope 0.01). At x = 0 the Clarke interval is
 * [slope, 1] (left slope, right 1); the default selection (minNorm) is `slope` for 0 ≤ slope ≤ 1.
 * @example
 * leakyRelu(tensor([-2, 3]), { slope: 0.1 })                         // tensor([-0.2, 3])
 * grad((x: Tensor) => sum(leakyRelu(x, { slope: 0.1 })))(tensor([0]))  // tensor([0.1])
 */
export function leakyRelu(x: TensorLike, opts?: LeakyReluOptions): Tensor {
  checkOptions(opts, ['slope', 'kink'], 'leakyRelu()');
  const t = asTensor(x, 'leakyRelu()', 'x');
  const a = finiteNumber(opts?.slope ?? 0.01, 'leakyRelu()', 'slope');
  // a·x + (1 − a)·relu(x)
  return add(mul(t, a), mul(relu(t, opts?.kink === undefined ? undefined : { kink: opts.kink }), 1 - a));
}

/** Options of `elu`. */
export interface EluOptions extends KinkOption {
  /** Scale of the negative branch α(eˣ − 1) (default 1; must be > 0). */
  alpha?: number;
}

/**
 * Exponential linear unit: x for x > 0, α(eˣ − 1) for x ≤ 0 (default α = 1, then C¹). At x = 0
 * the Clarke interval is [α, 1] (left α, right 1); the default selection is α.
 * @example
 * elu(tensor([-1, 2]))                                                    // tensor([-0.6321205588285577, 2])
 * grad((x: Tensor) => sum(elu(x, { alpha: 0.5, kink: 'right' })))(tensor([0])) // tensor([1])
 */
export function elu(x: TensorLike, opts?: EluOptions): Tensor {
  checkOptions(opts, ['alpha', 'kink'], 'elu()');
  const t = asTensor(x, 'elu()', 'x');
  const alpha = finiteNumber(opts?.alpha ?? 1, 'elu()', 'alpha');
  if (!(alpha > 0)) throw new InvalidArgumentError(`elu(): option alpha must be > 0, got ${alpha}`);
  const r = relu(t, opts?.kink === undefined ? undefined : { kink: opts.kink });
  // relu(x) + α (exp(min(x, 0)) − 1), min(x, 0) = x − relu(x) (same relu: one kink selection)
  return add(r, mul(sub(exp(sub(t, r)), 1), alpha));
}

/** Options of `gelu`. */
export interface GeluOptions {
  /** 'none' (default): x·Φ(x) through erf; 'tanh': PyTorch's tanh approximation. */
  approximate?: 'none' | 'tanh';
}

/**
 * Gaussian error linear unit (smooth): x·Φ(x) = ½x(1 + erf(x/√2)) (default, PyTorch's
 * `approximate='none'`), or ½x(1 + tanh(√(2/π)(x + 0.044715x³))) with `approximate: 'tanh'`.
 * @example
 * gelu(tensor([0, 1]))  // tensor([0, 0.8413447460685429])
 */
export function gelu(x: TensorLike, opts?: GeluOptions): Tensor {
  checkOptions(opts, ['approximate'], 'gelu()');
  const t = asTensor(x, 'gelu()', 'x');
  const mode = opts?.approximate ?? 'none';
  if (mode === 'none') return mul(mul(t, 0.5), add(erf(mul(t, Math.SQRT1_2)), 1));
  if (mode !== 'tanh') throw new InvalidArgumentError(`gelu(): option approximate must be 'none' or 'tanh', got ${JSON.stringify(mode)}`);
  const inner = mul(add(t, mul(mul(mul(t, t), t), 0.044715)), Math.sqrt(2 / Math.PI));
  return mul(mul(t, 0.5), add(tanh(inner), 1));
}
