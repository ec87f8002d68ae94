/**
 * @file Piecewise-linear nonsmooth primitives: `clip`, `softThreshold` (the prox of λ|·|) and
 * `hinge`. Each returns, at its kinks, the element of the Clarke derivative chosen by the kink
 * policy (see `autodiff/kinks.ts` and `docs/kinks.md`). "Left"/"right" always mean the one-sided
 * derivatives in x: the limit of the slope for x ↑ kink / x ↓ kink.
 *
 * | primitive | kink | left / right derivative (in x) | minNorm default |
 * |---|---|---|---|
 * | clip(x, lo, hi) | x = lo | 0 / 1 (∂lo = 1 − ∂x) | 0 |
 * | clip(x, lo, hi) | x = hi | 1 / 0 (∂hi = 1 − ∂x) | 0 |
 * | softThreshold(x, λ) | x = λ > 0 | 0 / 1 (∂λ = −∂x) | 0 |
 * | softThreshold(x, λ) | x = −λ < 0 | 1 / 0 (∂λ = +∂x) | 0 |
 * | softThreshold(x, λ) | x = λ = 0 | 1 / 1, ∂λ = 0 (policy-independent) | (1, 0) |
 * | hinge(x) = max(0, 1 − x) | x = 1 | −1 / 0 | 0 |
 *
 * Derivative masks are constants, pure functions of the primal values and the op call's policy, so
 * the JVP and VJP rules — written with differentiable ops — use one and the same selection, also
 * under the `random` policy. A NaN input gives a NaN value and a NaN derivative entry.
 */
import { InvalidArgumentError } from '../core/errors.js';
import { broadcastIndexMap, broadcastShapes } from '../core/broadcast.js';
import { ConcreteTensor, shapeSize, shapesEqual, type Tensor } from '../core/tensor.js';
import { Prim } from '../autodiff/primitives.js';
import { bind, type PrimDef } from '../autodiff/trace.js';
import { isTrackingKinks, reportKinks, selectDerivative, type ResolvedKinkPolicy } from '../autodiff/kinks.js';
import { asTensor, constant, fitTangent, sumToShape, type TensorLike } from './convert.js';
import { add, mul } from './arithmetic.js';
import { kinkMask, kinkPolicyOf, type KinkOption } from './nonsmooth.js';

// ---------------------------------------------------------------------------------------------
// clip

/** Index of output element i in an operand of shape `from` broadcast to the output (null: identity). */
function operandIndex(from: readonly number[], to: readonly number[]): Int32Array | null | 0 {
  if (shapesEqual(from, to)) return null;
  if (shapeSize(from) === 1) return 0;
  return broadcastIndexMap(from, to);
}

function at(d: Float64Array, ix: Int32Array | null | 0, i: number): number {
  return ix === null ? d[i]! : ix === 0 ? d[0]! : d[ix[i]!]!;
}

/**
 * Partial-derivative masks (∂/∂x, ∂/∂lo, ∂/∂hi) of clip(x, lo, hi) = min(max(x, lo), hi) on the
 * output shape. They sum to 1 (clip(x + c, lo + c, hi + c) = clip(x, lo, hi) + c):
 *   lo < x < hi: (1, 0, 0);  x < lo: (0, 1, 0);  x > hi: (0, 0, 1)
 *   x = lo < hi: (s, 1 − s, 0), s the policy's selection between ∂x's left 0 and right 1
 *   x = hi > lo: (s, 0, 1 − s), s the selection between ∂x's left 1 and right 0
 *   lo = hi: (0, ½, ½) at x = lo = hi, else the bound x is clipped to (clip is constant in x)
 *   x NaN: (NaN, 0, 0) — the value is NaN, and so is its x-derivative
 */
function clipMasks(x: Tensor, lo: Tensor, hi: Tensor, policy: ResolvedKinkPolicy): [Tensor, Tensor, Tensor] {
  const shape = broadcastShapes(broadcastShapes(x.shape, lo.shape, 'clip()'), hi.shape, 'clip()');
  const n = shapeSize(shape);
  const xd = x.data, ld = lo.data, hd = hi.data;
  const ix = operandIndex(x.shape, shape), il = operandIndex(lo.shape, shape), ih = operandIndex(hi.shape, shape);
  const mx = new Float64Array(n), ml = new Float64Array(n), mh = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = at(xd, ix, i), l = at(ld, il, i), h = at(hd, ih, i);
    if (v > l && v < h) mx[i] = 1;
    else if (v !== v) mx[i] = NaN;
    else if (l === h) {
      if (v < l) ml[i] = 1;
      else if (v > h) mh[i] = 1;
      else ml[i] = mh[i] = 0.5;
    } else if (v < l) ml[i] = 1;
    else if (v > h) mh[i] = 1;
    else if (v === l) {
      const t = selectDerivative(policy, 0, 1, i);
      mx[i] = t;
      ml[i] = 1 - t;
    } else {
      const t = selectDerivative(policy, 1, 0, i);
      mx[i] = t;
      mh[i] = 1 - t;
    }
  }
  return [constant(mx, shape), constant(ml, shape), constant(mh, shape)];
}

export const clipDef: PrimDef<Prim.Clip> = {
  prim: Prim.Clip,
  impl: ([x, lo, hi]) => {
    const shape = broadcastShapes(broadcastShapes(x!.shape, lo!.shape, 'clip()'), hi!.shape, 'clip()');
    const n = shapeSize(shape);
    const xd = x!.data, ld = lo!.data, hd = hi!.data;
    const ix = operandIndex(x!.shape, shape), il = operandIndex(lo!.shape, shape), ih = operandIndex(hi!.shape, shape);
    const out = new Float64Array(n);
    let kinks = 0;
    for (let i = 0; i < n; i++) {
      const v = at(xd, ix, i), l = at(ld, il, i), h = at(hd, ih, i);
      if (!(l <= h)) {
        throw new InvalidArgumentError(`clip(): the bounds need lo ≤ hi (not NaN) everywhere, got lo = ${l} and hi = ${h} at output index ${i}`);
      }
      // clip(x) = min(max(x, lo), hi); NaN stays NaN
      out[i] = v < l ? l : v > h ? h : v;
      if ((v === l || v === h) && l !== h) kinks++;
    }
    if (isTrackingKinks()) reportKinks('clip', kinks);
    return new ConcreteTensor(out, shape);
  },
  // d clip = mx·dx + mlo·dlo + mhi·dhi
  jvp: ([x, lo, hi], [dx, dl, dh], out, p) => {
    const m = clipMasks(x!, lo!, hi!, p.kink);
    let t: Tensor | null = null;
    for (const [d, mk] of [[dx, m[0]], [dl, m[1]], [dh, m[2]]] as const) {
      if (!d) continue;
      const term = mul(mk, d);
      t = t ? add(t, term) : term;
    }
    return t ? fitTangent(t, out.shape) : null;
  },
  vjp: (ct, [x, lo, hi], _, p, needed) => {
    const m = clipMasks(x!, lo!, hi!, p.kink);
    const ins = [x!, lo!, hi!];
    return ins.map((t, k) => (needed[k] ? sumToShape(mul(ct, m[k]!), t.shape) : null));
  },
};

/** Options of `clip`. */
export interface ClipOptions extends KinkOption {}

/**
 * Clips `x` elementwise to [lo, hi]. The bounds are numbers (±Infinity allowed) or tensors that
 * broadcast with x (lo ≤ hi everywhere, else `InvalidArgumentError`); clip is differentiable with
 * respect to x, lo and hi.
 *
 * Derivative in x: 1 strictly inside, 0 outside. At x = lo the Clarke interval is [0, 1] with left
 * derivative 0 and right derivative 1; at x = hi it is [0, 1] with left 1 and right 0. The default
 * (minNorm) selection is 0 at both bounds; `'left'` gives 0 at lo and 1 at hi, `'right'` the
 * opposite, `{kind:'fixed', t}` gives t at lo and 1 − t at hi. The bound being touched gets the
 * rest (∂x + ∂lo + ∂hi = 1 everywhere), so at x = lo the default sends the derivative to lo.
 * A NaN in x gives a NaN value and a NaN x-derivative.
 *
 * @example
 * clip(tensor([-2, 0.5, 3]), 0, 1)                                         // tensor([0, 0.5, 1])
 * clip(tensor([-2, 0.5, 3]), tensor([-1, 0, 0]), 2)                        // tensor([-1, 0.5, 2])
 * grad((x: Tensor) => sum(clip(x, 0, 1)))(tensor([0, 0.5, 1]))            // tensor([0, 1, 0])
 * grad((x: Tensor) => sum(clip(x, 0, 1, { kink: 'right' })))(tensor([0, 1])) // tensor([1, 0])
 */
export function clip(x: TensorLike, lo: TensorLike, hi: TensorLike, opts?: ClipOptions): Tensor {
  if (typeof lo === 'number' && typeof hi === 'number') {
    if (Number.isNaN(lo) || Number.isNaN(hi)) throw new InvalidArgumentError(`clip(): bounds lo and hi must not be NaN, got lo = ${lo}, hi = ${hi}`);
    if (lo > hi) throw new InvalidArgumentError(`clip(): lower bound lo = ${lo} exceeds upper bound hi = ${hi}`);
  }
  return bind(clipDef, [asTensor(x, 'clip()', 'x'), asTensor(lo, 'clip()', 'lo'), asTensor(hi, 'clip()', 'hi')], { kink: kinkPolicyOf(opts, 'clip()') });
}

// ---------------------------------------------------------------------------------------------
// softThreshold

/**
 * Partial-derivative masks (∂S/∂x, ∂S/∂λ) of S(x, λ) = sign(x)·max(|x| − λ, 0) on the broadcast
 * output shape:
 *   |x| > λ:  (1, −sign x)
 *   |x| < λ:  (0, 0)
 *   |x| = λ > 0: (s, −sign(x)·s) with s the policy's selection between the one-sided x-derivatives
 *                (x = λ: left 0, right 1; x = −λ: left 1, right 0)
 *   x = λ = 0: (1, 0) — S(·, 0) is the identity, S(0, ·) ≡ 0; (1, 0) = ½(1,−1) + ½(1,1) also lies
 *              in the Clarke Jacobian of (x, λ) ↦ S on λ ≥ 0, so it is a valid conservative element.
 */
function softThresholdMasks(x: Tensor, lam: Tensor, policy: ResolvedKinkPolicy): [Tensor, Tensor] {
  const shape = broadcastShapes(x.shape, lam.shape, 'softThreshold');
  const n = shapeSize(shape);
  const xd = x.data, ld = lam.data;
  const ix = shapesEqual(x.shape, shape) ? null : broadcastIndexMap(x.shape, shape);
  const il = shapesEqual(lam.shape, shape) ? null : broadcastIndexMap(lam.shape, shape);
  const mx = new Float64Array(n);
  const ml = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = xd[ix ? ix[i]! : i]!;
    const l = ld[il ? il[i]! : i]!;
    const a = Math.abs(v);
    const s = v > 0 ? 1 : v < 0 ? -1 : 0;
    if (a > l) {
      mx[i] = 1;
      ml[i] = -s;
    } else if (a < l) {
      // zero region: both partials 0 (arrays start at 0)
    } else if (l === 0) {
      mx[i] = 1; // x = λ = 0
    } else if (a === l) {
      const sel = s > 0 ? selectDerivative(policy, 0, 1, i) : selectDerivative(policy, 1, 0, i);
      mx[i] = sel;
      ml[i] = -s * sel;
    } else {
      mx[i] = NaN;
      ml[i] = NaN;
    }
  }
  return [constant(mx, shape), constant(ml, shape)];
}

function stMasks(x: Tensor, lam: Tensor, p: { readonly kink: ResolvedKinkPolicy }): [Tensor, Tensor] {
  return softThresholdMasks(x, lam, p.kink);
}

export const softThresholdDef: PrimDef<Prim.SoftThreshold> = {
  prim: Prim.SoftThreshold,
  impl: ([x, lam]) => {
    const ld = lam!.data;
    for (let i = 0; i < ld.length; i++) {
      if (!(ld[i]! >= 0)) throw new InvalidArgumentError(`softThreshold: the threshold lam must be ≥ 0 everywhere, got lam[${i}] = ${ld[i]}`);
    }
    const shape = broadcastShapes(x!.shape, lam!.shape, 'softThreshold');
    const n = shapeSize(shape);
    const xd = x!.data;
    const ix = shapesEqual(x!.shape, shape) ? null : broadcastIndexMap(x!.shape, shape);
    const il = shapesEqual(lam!.shape, shape) ? null : broadcastIndexMap(lam!.shape, shape);
    const out = new Float64Array(n);
    let kinks = 0;
    for (let i = 0; i < n; i++) {
      const v = xd[ix ? ix[i]! : i]!;
      const l = ld[il ? il[i]! : i]!;
      const a = Math.abs(v);
      // S(x, λ) = sign(x)·max(|x| − λ, 0)
      out[i] = a > l ? (v > 0 ? v - l : v + l) : a <= l ? 0 : NaN;
      if (a === l) kinks++;
    }
    if (isTrackingKinks()) reportKinks('softThreshold', kinks);
    return new ConcreteTensor(out, shape);
  },
  // dS = mx·dx + mλ·dλ
  jvp: ([x, lam], [dx, dl], out, p) => {
    const [mx, ml] = stMasks(x!, lam!, p);
    const t1 = dx ? mul(mx, dx) : null;
    const t2 = dl ? mul(ml, dl) : null;
    const t = t1 && t2 ? add(t1, t2) : (t1 ?? t2);
    return t ? fitTangent(t, out.shape) : null;
  },
  vjp: (ct, [x, lam], _, p) => {
    const [mx, ml] = stMasks(x!, lam!, p);
    return [sumToShape(mul(ct, mx), x!.shape), sumToShape(mul(ct, ml), lam!.shape)];
  },
};

/**
 * Soft thresholding S(x, λ) = sign(x)·max(|x| − λ, 0), the proximal operator of λ|·|, elementwise
 * with broadcasting; `lam` is a tensor (or number) ≥ 0 and differentiable too.
 *
 * Derivatives: ∂S/∂x = 1 and ∂S/∂λ = −sign(x) where |x| > λ, both 0 where |x| < λ. At |x| = λ > 0
 * the pair is s·(1, −sign x) with s the policy's selection of the x-derivative (default minNorm
 * s = 0; at x = λ `'left'` is 0 and `'right'` 1, at x = −λ `'left'` is 1 and `'right'` 0).
 * At x = λ = 0 the pair is (1, 0), whatever the policy: S(·, 0) is the identity (counted as a kink
 * by `trackKinks`, since (x, λ) ↦ S is not differentiable there).
 * Throws `InvalidArgumentError` if some λ < 0 (or NaN).
 *
 * @example
 * softThreshold(tensor([-3, 0.5, 2]), 1)                              // [-2, 0, 1]
 * grad((l) => sum(softThreshold(tensor([-3, 0.5, 2]), l)))(scalar(1)) // 1 − 1 + 0 = 0
 */
export function softThreshold(x: TensorLike, lam: TensorLike, opts?: KinkOption): Tensor {
  return bind(softThresholdDef, [asTensor(x, 'softThreshold()', 'x'), asTensor(lam, 'softThreshold()', 'lam')], { kink: kinkPolicyOf(opts, 'softThreshold()') });
}

// ---------------------------------------------------------------------------------------------
// hinge

export const hingeDef: PrimDef<Prim.Hinge> = {
  prim: Prim.Hinge,
  impl: ([a]) => {
    const d = a!.data;
    const out = new Float64Array(d.length);
    let kinks = 0;
    for (let i = 0; i < d.length; i++) {
      const v = d[i]!;
      // hinge(x) = max(0, 1 − x)
      out[i] = v < 1 ? 1 - v : v >= 1 ? 0 : NaN;
      if (v === 1) kinks++;
    }
    if (isTrackingKinks()) reportKinks('hinge', kinks);
    return new ConcreteTensor(out, a!.shape);
  },
  // hinge'(x) = −1 for x < 1, 0 for x > 1, selection in [−1, 0] at x = 1
  jvp: ([a], [da], _, p) => (da ? mul(da, kinkMask(a!, 1, -1, 0, p.kink)) : null),
  vjp: (ct, [a], _, p) => [mul(ct, kinkMask(a!, 1, -1, 0, p.kink))],
};

/**
 * The hinge max(0, 1 − x) elementwise (e.g. of margins y·f(x)). Derivative −1 for x < 1 and 0 for
 * x > 1; at x = 1 the Clarke interval is [−1, 0] (left −1, right 0), default minNorm 0.
 *
 * @example
 * hinge(tensor([0, 1, 2]))                              // [1, 0, 0]
 * grad((x) => sum(hinge(x, { kink: 'left' })))(tensor([0, 1, 2])) // [-1, -1, 0]
 */
export function hinge(x: TensorLike, opts?: KinkOption): Tensor {
  return bind(hingeDef, [asTensor(x, 'hinge()', 'x')], { kink: kinkPolicyOf(opts, 'hinge()') });
}
