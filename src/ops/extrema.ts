/**
 * @file Nonsmooth reductions: `max` / `min` over axes (ties split per the kink policy's tie
 * weights), `argmax` / `argmin` (float64 indices, zero derivative, first index on ties) and `norm`
 * (ord 2 as a primitive with the minimal-norm element 0 at x = 0; ord 1 via abs; ord ∞ via
 * max∘abs).
 *
 * | primitive | kink | Clarke set there | minNorm default |
 * |---|---|---|---|
 * | max/min over a group | k ≥ 2 entries attain the extremum | simplex over the tied entries | 1/k each |
 * | argmax/argmin | ties (the index jumps) | — (piecewise constant) | 0 |
 * | norm2 over a group | x = 0 | unit ball | 0 |
 *
 * Tie weights follow `tieWeights` (in index order within the group: row-major order of the
 * reduced sub-block): minNorm 1/k each, `left` all on the first tied entry, `right` all on the
 * last, `fixed(t)` 1 − t on the first and t on the last, `random` a uniform point of the simplex.
 */
import { normalizeAxis } from '../core/broadcast.js';
import { InvalidArgumentError, ShapeError } from '../core/errors.js';
import { ConcreteTensor, formatShape, shapeSize, stridesOf, type Tensor } from '../core/tensor.js';
import { Prim, type ExtremumParams } from '../autodiff/primitives.js';
import { bind, type PrimDef } from '../autodiff/trace.js';
import { isTrackingKinks, policyFor, reportKinks, tieWeights, type ResolvedKinkPolicy } from '../autodiff/kinks.js';
import { asTensor, constant, type TensorLike } from './convert.js';
import { checkOptions } from '../core/options.js';
import { add, div, mul } from './arithmetic.js';
import { broadcastTo, reshape } from './shape.js';
import { reducedShape, reductionIndexMap, reductionOptions, sumAxes, type AxisOptions } from './reduce.js';
import { abs, type KinkOption } from './nonsmooth.js';

/** a and b are the same extremum (NaN matches NaN: a NaN group's "extremum" is NaN, as in NumPy). */
function sameValue(a: number, b: number): boolean {
  return a === b || (a !== a && b !== b);
}

function assertNonEmptyAxes(shape: readonly number[], axes: readonly number[], name: string): void {
  for (const a of axes) {
    if (shape[a] === 0) throw new ShapeError(`${name}: cannot reduce over axis ${a} of size 0 (shape ${formatShape(shape)})`);
  }
}

/** Extremum per group (`sense` +1: max, −1: min); NaN if the group holds a NaN. */
function groupExtrema(x: Float64Array, map: Int32Array, nOut: number, sense: 1 | -1): Float64Array {
  const best = new Float64Array(nOut).fill(-sense * Infinity);
  for (let i = 0; i < x.length; i++) {
    const g = map[i]!;
    const v = x[i]!;
    const b = best[g]!;
    if (b !== b) continue; // group already NaN
    if (v !== v || sense * (v - b) > 0) best[g] = v;
  }
  return best;
}

/** Number of entries attaining the extremum, per group. */
function tieCounts(x: Float64Array, map: Int32Array, best: Float64Array): Int32Array {
  const k = new Int32Array(best.length);
  for (let i = 0; i < x.length; i++) if (sameValue(x[i]!, best[map[i]!]!)) k[map[i]!]++;
  return k;
}

/**
 * Derivative weights W (input shape) of an extremum reduction: dy_g = Σ_{i ∈ g} W_i dx_i, with W
 * supported on the entries attaining the extremum and summing to 1 per group (tie weights in
 * index order; random draws in group order).
 */
function extremumWeights(x: Tensor, axes: readonly number[], policy: ResolvedKinkPolicy, sense: 1 | -1): Tensor {
  const d = x.data;
  const map = reductionIndexMap(x.shape, axes);
  const nOut = shapeSize(reducedShape(x.shape, axes, true));
  const best = groupExtrema(d, map, nOut, sense);
  const k = tieCounts(d, map, best);
  // per-group weight vectors, concatenated; offsets[g] into `buf`
  const offsets = new Int32Array(nOut + 1);
  for (let g = 0; g < nOut; g++) offsets[g + 1] = offsets[g]! + k[g]!;
  const buf = new Float64Array(offsets[nOut]!);
  for (let g = 0; g < nOut; g++) tieWeights(policy, k[g]!, buf.subarray(offsets[g]!, offsets[g + 1]!), g);
  const pos = offsets.slice(0, nOut);
  const w = new Float64Array(d.length);
  for (let i = 0; i < d.length; i++) {
    const g = map[i]!;
    // a group holding a NaN has value NaN; its NaN entries (its "maximisers") get a NaN weight,
    // never a finite selection
    if (best[g] !== best[g]) w[i] = d[i] !== d[i] ? NaN : 0;
    else if (d[i] === best[g]) w[i] = buf[pos[g]!++]!;
  }
  return constant(w, x.shape);
}

function extremumDef<P extends Prim.Max | Prim.Min>(prim: P, sense: 1 | -1): PrimDef<P> {
  const name = sense > 0 ? 'max' : 'min';
  const weights = (x: Tensor, p: ExtremumParams): Tensor => extremumWeights(x, p.axes, p.kink, sense);
  return {
    prim,
    impl: ([a], { axes, keepdims }) => {
      const d = a!.data;
      const map = reductionIndexMap(a!.shape, axes);
      const outShape = reducedShape(a!.shape, axes, keepdims);
      const best = groupExtrema(d, map, shapeSize(outShape), sense);
      if (isTrackingKinks()) {
        const k = tieCounts(d, map, best);
        let ties = 0;
        for (let g = 0; g < k.length; g++) if (k[g]! > 1) ties++;
        reportKinks(name, ties);
      }
      return new ConcreteTensor(best, outShape);
    },
    // dy = Σ_axes W ⊙ dx
    jvp: ([a], [da], _, p) => (da ? sumAxes(mul(weights(a!, p), da), p.axes, p.keepdims) : null),
    // dx = W ⊙ broadcast(ct)
    vjp: (ct, [a], _, p) => [mul(weights(a!, p), broadcastTo(reshape(ct, reducedShape(a!.shape, p.axes, true)), a!.shape))],
  };
}

export const maxDef = extremumDef(Prim.Max, 1);
export const minDef = extremumDef(Prim.Min, -1);

/** Options of `max` and `min`: the axes, keepdims, and the kink policy for ties. */
export interface ExtremumOptions extends AxisOptions, KinkOption {}

function extremum(x: TensorLike, opts: ExtremumOptions | undefined, sense: 1 | -1): Tensor {
  const name = sense > 0 ? 'max()' : 'min()';
  const t = asTensor(x, name, 'x');
  const { axes, keepdims } = reductionOptions(t, opts, name, ['kink']);
  if (axes.length === 0) return t;
  assertNonEmptyAxes(t.shape, axes, name);
  return bind(sense > 0 ? maxDef : minDef, [t], { axes, keepdims, kink: policyFor(opts?.kink) });
}

/**
 * Maximum over `axis` (a number or a list; default: all). Where k ≥ 2 entries of a group attain
 * the maximum, the derivative is split over them with the policy's tie weights (default 1/k each;
 * `'left'`: all on the first, `'right'`: all on the last in index order). NaN propagates (NumPy's
 * semantics): a group holding a NaN has the value NaN and a NaN derivative on its NaN entries.
 *
 * @example
 * max(tensor([[1, 5], [7, 2]]), { axis: 1 })                  // tensor([5, 7])
 * grad((x: Tensor) => max(x))(tensor([3, 1, 3]))               // tensor([0.5, 0, 0.5])
 * grad((x: Tensor) => max(x, { kink: 'left' }))(tensor([3, 1, 3])) // tensor([1, 0, 0])
 */
export function max(x: TensorLike, opts?: ExtremumOptions): Tensor {
  return extremum(x, opts, 1);
}

/**
 * Minimum over `axis` (default: all); ties split like `max`, NaN propagates.
 *
 * @example
 * min(tensor([[1, 5], [7, 2]]), { axis: 0 })        // tensor([1, 2])
 * grad((x: Tensor) => min(x))(tensor([0, 0, 1, 0])) // [1/3, 1/3, 0, 1/3]
 */
export function min(x: TensorLike, opts?: ExtremumOptions): Tensor {
  return extremum(x, opts, -1);
}

// ---------------------------------------------------------------------------------------------
// argmax / argmin

function argExtremumDef<P extends Prim.Argmax | Prim.Argmin>(prim: P, sense: 1 | -1): PrimDef<P> {
  const name = sense > 0 ? 'argmax' : 'argmin';
  return {
    prim,
    impl: ([a], { axis, keepdims }) => {
      const d = a!.data;
      const shape = a!.shape;
      const axes = axis === null ? shape.map((_, i) => i) : [axis];
      const map = reductionIndexMap(shape, axes);
      const outShape = reducedShape(shape, axes, keepdims);
      const nOut = shapeSize(outShape);
      // position of flat index i along the reduced axis (or the flat index itself)
      const stride = axis === null ? 1 : stridesOf(shape)[axis]!;
      const len = axis === null ? d.length : shape[axis]!;
      const best = new Float64Array(nOut).fill(-sense * Infinity);
      const idx = new Float64Array(nOut).fill(-1);
      for (let i = 0; i < d.length; i++) {
        const g = map[i]!;
        const v = d[i]!;
        const b = best[g]!;
        if (b !== b) continue; // first NaN wins
        // strict comparison: the first index wins ties
        if (idx[g] === -1 || v !== v || sense * (v - b) > 0) {
          best[g] = v;
          idx[g] = Math.floor(i / stride) % len;
        }
      }
      if (isTrackingKinks()) {
        const k = tieCounts(d, map, best);
        let ties = 0;
        for (let g = 0; g < k.length; g++) if (k[g]! > 1) ties++;
        reportKinks(name, ties);
      }
      return new ConcreteTensor(idx, outShape);
    },
    // piecewise constant: zero derivative
    jvp: () => null,
    vjp: () => [null],
  };
}

export const argmaxDef = argExtremumDef(Prim.Argmax, 1);
export const argminDef = argExtremumDef(Prim.Argmin, -1);

/** Options of `argmax` and `argmin`. */
export interface ArgExtremumOptions {
  /** The axis to search along (default: the flat index over all elements). */
  axis?: number;
  /** Keep the reduced axis with size 1 (default false). */
  keepdims?: boolean;
}

function argExtremum(x: TensorLike, opts: ArgExtremumOptions | undefined, name: 'argmax' | 'argmin'): Tensor {
  const where = `${name}()`;
  checkOptions(opts, ['axis', 'keepdims'], where);
  const t = asTensor(x, where, 'x');
  const axis = opts?.axis;
  const keepdims = opts?.keepdims ?? false;
  if (typeof keepdims !== 'boolean') throw new InvalidArgumentError(`${where}: option keepdims must be a boolean, got ${JSON.stringify(keepdims)}`);
  if (axis !== undefined && typeof axis !== 'number') throw new InvalidArgumentError(`${where}: option axis must be one axis (a number), got ${JSON.stringify(axis)}`);
  if (t.size === 0) throw new ShapeError(`${where}: the input is empty (shape ${formatShape(t.shape)})`);
  const ax = axis === undefined || t.ndim === 0 ? null : normalizeAxis(axis, t.ndim, where);
  return bind(name === 'argmax' ? argmaxDef : argminDef, [t], { axis: ax, keepdims });
}

/**
 * Index (as a float64 value) of the maximum along `axis`, or the flat index over all elements when
 * `axis` is omitted. The first index wins ties; the first NaN counts as the maximum (NumPy).
 * Zero derivative; ties are reported to `trackKinks` as kinks (the index jumps there).
 *
 * @example
 * argmax(tensor([[1, 5, 5], [7, 2, 0]]), { axis: 1 }) // tensor([1, 0])
 * argmax(tensor([[1, 5], [7, 2]]))                    // tensor(2)
 */
export function argmax(x: TensorLike, opts?: ArgExtremumOptions): Tensor {
  return argExtremum(x, opts, 'argmax');
}

/**
 * Index of the minimum along `axis` (flat index when omitted); first index on ties, first NaN
 * wins; zero derivative.
 *
 * @example
 * argmin(tensor([3, 1, 1])) // tensor(1)
 */
export function argmin(x: TensorLike, opts?: ArgExtremumOptions): Tensor {
  return argExtremum(x, opts, 'argmin');
}

// ---------------------------------------------------------------------------------------------
// norm

/** Denominator ‖x‖ with exact zeros replaced by 1 (a constant shift), so x/‖x‖ = 0 there. */
function safeNorm(out: Tensor): Tensor {
  const d = out.data;
  let any = false;
  const z = new Float64Array(d.length);
  for (let i = 0; i < d.length; i++) {
    if (d[i] === 0) {
      z[i] = 1;
      any = true;
    }
  }
  return any ? add(out, constant(z, out.shape)) : out;
}

export const norm2Def: PrimDef<Prim.Norm2> = {
  prim: Prim.Norm2,
  impl: ([a], { axes, keepdims }) => {
    const d = a!.data;
    const map = reductionIndexMap(a!.shape, axes);
    const outShape = reducedShape(a!.shape, axes, keepdims);
    const nOut = shapeSize(outShape);
    // scaled sum of squares: ‖x‖ = s·sqrt(Σ (x_i/s)²) with s = max |x_i| (no overflow/underflow)
    const scale = new Float64Array(nOut);
    for (let i = 0; i < d.length; i++) {
      const v = Math.abs(d[i]!);
      const g = map[i]!;
      if (v > scale[g]! || v !== v) scale[g] = v;
    }
    const ssq = new Float64Array(nOut);
    for (let i = 0; i < d.length; i++) {
      const s = scale[map[i]!]!;
      if (s > 0 && s < Infinity) {
        const r = d[i]! / s;
        ssq[map[i]!] += r * r;
      }
    }
    const out = new Float64Array(nOut);
    let zeros = 0;
    for (let g = 0; g < nOut; g++) {
      const s = scale[g]!;
      out[g] = s > 0 && s < Infinity ? s * Math.sqrt(ssq[g]!) : s; // 0, ∞ or NaN
      if (out[g] === 0) zeros++;
    }
    if (isTrackingKinks()) reportKinks('norm2', zeros);
    return new ConcreteTensor(out, outShape);
  },
  // d‖x‖ = ⟨x, dx⟩ / ‖x‖, and 0 at x = 0 (minimal-norm element of the unit ball)
  jvp: ([a], [da], out, { axes, keepdims }) => (da ? div(sumAxes(mul(a!, da), axes, keepdims), safeNorm(out)) : null),
  // x̄ = ȳ · x / ‖x‖ (0 where x = 0)
  vjp: (ct, [a], out, { axes }) => {
    const kept = reducedShape(a!.shape, axes, true);
    const g = reshape(div(ct, safeNorm(out)), kept);
    return [mul(a!, broadcastTo(g, a!.shape))];
  },
};

/**
 * Vector norm over `axes` (default: all): `ord` 2 (Euclidean, default), 1 or `Infinity`.
 *
 * - ord 2 is a primitive: derivative x/‖x‖, and at x = 0 (Clarke subdifferential = the unit ball)
 *   the minimal-norm element 0 whatever the kink policy (a ball has no left/right end); the hit is
 *   reported to `trackKinks` as `norm2`.
 * - ord 1 is Σ|x| (abs' at 0 per the policy, default 0 — the minimal-norm subgradient).
 * - ord ∞ is max|x| (ties among |x_i| split per the tie weights; abs' at 0 per the policy).
 * `kink` applies to the abs and max inside ord 1 and ∞. NaN propagates (value and derivative).
 *
 * @example
 * norm(tensor([3, 4]))                                        // tensor(5)
 * norm(tensor([3, -4]), { ord: 1 })                           // tensor(7)
 * norm(tensor([[3, -4], [1, 0]]), { ord: Infinity, axis: 1 }) // tensor([4, 1])
 * grad((x: Tensor) => norm(x))(tensor([0, 0]))                // tensor([0, 0])
 */
export function norm(x: TensorLike, opts?: NormOptions): Tensor {
  const t = asTensor(x, 'norm()', 'x');
  const { axes, keepdims } = reductionOptions(t, opts, 'norm()', ['ord', 'kink']);
  const ord = opts?.ord ?? 2;
  if (ord !== 1 && ord !== 2 && ord !== Infinity) throw new InvalidArgumentError(`norm(): option ord must be 1, 2 or Infinity, got ${JSON.stringify(ord)}`);
  const kink = opts?.kink === undefined ? undefined : { kink: opts.kink };
  if (axes.length === 0) return abs(t, kink);
  if (ord === 1) return sumAxes(abs(t, kink), axes, keepdims);
  if (ord === Infinity) return max(abs(t, kink), { axis: axes, keepdims, ...kink });
  return bind(norm2Def, [t], { axes, keepdims });
}

/** Options of `norm`. */
export interface NormOptions extends AxisOptions, KinkOption {
  /** 2 (Euclidean, default), 1 or Infinity. */
  ord?: 1 | 2 | number;
}
