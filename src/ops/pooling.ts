/**
 * @file Max pooling (`maxPool1d` on [..., L], `maxPool2d` on [..., H, W]) and the linear primitive
 * behind its derivatives, `weightedGather` (y = A·vec(x) for a constant sparse A in COO form).
 *
 * Each output is the maximum of its window. Its derivative is a selection from the Clarke set:
 * weights on the window entries attaining the maximum (one entry: weight 1; k ≥ 2 tied entries:
 * the policy's tie weights in row-major window order — minNorm 1/k each, `left` all on the first,
 * `right` all on the last, `fixed(t)` 1 − t / t on first / last, `random` a uniform point of the
 * simplex). The derivative is thus the constant sparse matrix A with A[o, i] = weight of input i
 * in window o; the JVP applies A, the VJP applies Aᵀ — both `weightedGather`, so overlapping
 * windows accumulate and every order of derivative works.
 *
 * Average pooling (`avgPool2d`) is linear: a convolution of each [H, W] plane with the constant
 * kernel 1/(kh·kw) (zero padding), so its derivatives are those of `conv2d`.
 *
 * Padding is implicit −∞ (as in PyTorch): padded positions never win; `padding ≤ kernel/2` per
 * axis so every window holds at least one real entry. Output length per axis:
 *   L_out = ⌊(L + 2·padding − kernel) / stride⌋ + 1.
 */
import { InvalidArgumentError, ShapeError } from '../core/errors.js';
import { ConcreteTensor, formatShape, shapeSize, type Tensor } from '../core/tensor.js';
import { Prim, type PoolParams, type WeightedGatherParams } from '../autodiff/primitives.js';
import { bind, type PrimDef } from '../autodiff/trace.js';
import { isTrackingKinks, reportKinks, tieWeights } from '../autodiff/kinks.js';
import { asTensor, type TensorLike } from './convert.js';
import { kinkPolicyOf, type KinkOption } from './nonsmooth.js';
import { checkOptions } from '../core/options.js';
import { conv2d, pairOption, type Pair2d } from './conv.js';
import { mul } from './arithmetic.js';
import { reshape } from './shape.js';
import { constant } from './convert.js';

// ---------------------------------------------------------------------------------------------
// weightedGather: y[r] = Σ_e w[e]·x[c[e]] over entries e with rows[e] = r

const transposes = new WeakMap<WeightedGatherParams, WeightedGatherParams>();

/** Params of Aᵀ (memoised; the transpose of the transpose is the original object). */
function transposeOf(p: WeightedGatherParams): WeightedGatherParams {
  let t = transposes.get(p);
  if (!t) {
    t = { rows: p.cols, cols: p.rows, weights: p.weights, inShape: p.outShape, outShape: p.inShape };
    transposes.set(p, t);
    transposes.set(t, p);
  }
  return t;
}

export const weightedGatherDef: PrimDef<Prim.WeightedGather> = {
  prim: Prim.WeightedGather,
  impl: ([a], { rows, cols, weights, outShape }) => {
    const x = a!.data;
    const out = new Float64Array(shapeSize(outShape));
    for (let e = 0; e < rows.length; e++) out[rows[e]!] += weights[e]! * x[cols[e]!]!;
    return new ConcreteTensor(out, [...outShape]);
  },
  // linear: d(Ax) = A dx, and the cotangent is Aᵀ ȳ
  jvp: (_, [da], __, p) => (da ? bind(weightedGatherDef, [da], p) : null),
  vjp: (ct, _, __, p) => [bind(weightedGatherDef, [ct], transposeOf(p))],
};

/**
 * y = A·vec(x) reshaped to `outShape`, for a constant sparse matrix A given as COO triplets
 * (`rows[e]`, `cols[e]`, `weights[e]`) over flat indices (duplicates add). Linear in x, with
 * derivative A (reverse mode: Aᵀ). Used by max pooling; handy for any fixed gather/scatter.
 *
 * @example
 * // y0 = x0 + x2, y1 = 0.5·x1
 * weightedGather(tensor([1, 2, 3]), [0, 0, 1], [0, 2, 1], [1, 1, 0.5], [2]) // [4, 1]
 */
export function weightedGather(x: TensorLike, rows: ArrayLike<number>, cols: ArrayLike<number>, weights: ArrayLike<number>, outShape: readonly number[]): Tensor {
  const xt = asTensor(x, 'weightedGather()', 'x');
  if (rows.length !== cols.length || rows.length !== weights.length) {
    throw new InvalidArgumentError(`weightedGather(): rows, cols and weights must have equal lengths, got ${rows.length}, ${cols.length}, ${weights.length}`);
  }
  if (outShape.some((d) => !Number.isInteger(d) || d < 0)) throw new ShapeError(`weightedGather(): invalid outShape ${formatShape(outShape)}`);
  const nOut = shapeSize(outShape);
  const r = Int32Array.from(rows);
  const c = Int32Array.from(cols);
  for (let e = 0; e < r.length; e++) {
    if (r[e] !== rows[e] || r[e]! < 0 || r[e]! >= nOut) throw new InvalidArgumentError(`weightedGather(): rows[${e}] = ${rows[e]} is not an index into ${nOut} outputs`);
    if (c[e] !== cols[e] || c[e]! < 0 || c[e]! >= xt.size) throw new InvalidArgumentError(`weightedGather(): cols[${e}] = ${cols[e]} is not an index into ${xt.size} inputs`);
  }
  return bind(weightedGatherDef, [xt], { rows: r, cols: c, weights: Float64Array.from(weights), inShape: [...xt.shape], outShape: [...outShape] });
}

// ---------------------------------------------------------------------------------------------
// max pooling (1-d is the 2-d kernel with a height-1 window on a height-1 image)

interface PoolGeometry {
  batch: number;
  H: number;
  W: number;
  Ho: number;
  Wo: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
  outShape: number[];
}

function geometry(shape: readonly number[], p: PoolParams): PoolGeometry {
  const d = p.kernel.length;
  const H = d === 2 ? shape[shape.length - 2]! : 1;
  const W = shape[shape.length - 1]!;
  const [kh, kw] = d === 2 ? [p.kernel[0]!, p.kernel[1]!] : [1, p.kernel[0]!];
  const [sh, sw] = d === 2 ? [p.stride[0]!, p.stride[1]!] : [1, p.stride[0]!];
  const [ph, pw] = d === 2 ? [p.padding[0]!, p.padding[1]!] : [0, p.padding[0]!];
  const Ho = Math.floor((H + 2 * ph - kh) / sh) + 1;
  const Wo = Math.floor((W + 2 * pw - kw) / sw) + 1;
  const lead = shape.slice(0, shape.length - d);
  const outShape = d === 2 ? [...lead, Ho, Wo] : [...lead, Wo];
  return { batch: shapeSize(lead), H, W, Ho, Wo, kh, kw, sh, sw, ph, pw, outShape };
}

/** Calls `fn(o, base, i0, i1, j0, j1)` for each output o with its (clipped) window rows/cols. */
function forEachWindow(g: PoolGeometry, fn: (o: number, base: number, i0: number, i1: number, j0: number, j1: number) => void): void {
  let o = 0;
  for (let b = 0; b < g.batch; b++) {
    const base = b * g.H * g.W;
    for (let oh = 0; oh < g.Ho; oh++) {
      const h0 = oh * g.sh - g.ph;
      const i0 = Math.max(0, h0), i1 = Math.min(g.H, h0 + g.kh);
      for (let ow = 0; ow < g.Wo; ow++, o++) {
        const w0 = ow * g.sw - g.pw;
        fn(o, base, i0, i1, Math.max(0, w0), Math.min(g.W, w0 + g.kw));
      }
    }
  }
}

/** Window maxima (NaN propagates) and, if asked, how many windows have a tied maximum. */
function poolForward(x: Float64Array, g: PoolGeometry, countTies: boolean): { out: Float64Array; ties: number } {
  const out = new Float64Array(shapeSize(g.outShape));
  let ties = 0;
  forEachWindow(g, (o, base, i0, i1, j0, j1) => {
    let m = -Infinity;
    for (let i = i0; i < i1; i++) {
      for (let j = j0; j < j1; j++) {
        const v = x[base + i * g.W + j]!;
        if (v > m || v !== v) m = v;
        if (m !== m) break;
      }
      if (m !== m) break;
    }
    out[o] = m;
    if (countTies) {
      let k = 0;
      for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) if (x[base + i * g.W + j] === m) k++;
      if (k > 1) ties++;
    }
  });
  return { out, ties };
}

/**
 * Fast path of {@link poolMatrix}: when every window has a unique, non-NaN maximiser, A has one
 * entry of weight 1 per output (at the argmax), which is what every tie policy selects there.
 * Returns null as soon as a window ties (or holds NaN): the general path then applies the policy.
 */
function argmaxMatrix(x: Float64Array, g: PoolGeometry): { rows: Int32Array; cols: Int32Array; weights: Float64Array } | null {
  const nOut = shapeSize(g.outShape);
  const rows = new Int32Array(nOut);
  const cols = new Int32Array(nOut);
  let o = 0;
  for (let b = 0; b < g.batch; b++) {
    const base = b * g.H * g.W;
    for (let oh = 0; oh < g.Ho; oh++) {
      const h0 = oh * g.sh - g.ph;
      const i0 = Math.max(0, h0), i1 = Math.min(g.H, h0 + g.kh);
      for (let ow = 0; ow < g.Wo; ow++, o++) {
        const w0 = ow * g.sw - g.pw;
        const j0 = Math.max(0, w0), j1 = Math.min(g.W, w0 + g.kw);
        let m = -Infinity, arg = -1, tie = false;
        for (let i = i0; i < i1; i++) {
          const r = base + i * g.W;
          for (let j = j0; j < j1; j++) {
            const v = x[r + j]!;
            if (v > m) {
              m = v;
              arg = r + j;
              tie = false;
            } else if (v === m || v !== v) tie = true;
          }
        }
        if (tie || arg < 0) return null;
        rows[o] = o;
        cols[o] = arg;
      }
    }
  }
  return { rows, cols, weights: new Float64Array(nOut).fill(1) };
}

/**
 * The derivative matrix A (COO) of max pooling at x: row o holds the tie weights of window o's
 * maximisers (row-major window order). Random draws happen in output order.
 */
function poolMatrix(x: Tensor, p: PoolParams): WeightedGatherParams {
  const d = x.data;
  const g = geometry(x.shape, p);
  const fast = argmaxMatrix(d, g);
  if (fast) return { ...fast, inShape: [...x.shape], outShape: g.outShape };
  const { out } = poolForward(d, g, false);
  const rows: number[] = [];
  const cols: number[] = [];
  const weights: number[] = [];
  const tied: number[] = [];
  let w = new Float64Array(8);
  forEachWindow(g, (o, base, i0, i1, j0, j1) => {
    const m = out[o]!;
    tied.length = 0;
    for (let i = i0; i < i1; i++) {
      for (let j = j0; j < j1; j++) {
        const idx = base + i * g.W + j;
        const v = d[idx]!;
        if (v === m || (v !== v && m !== m)) tied.push(idx);
      }
    }
    const k = tied.length;
    if (w.length < k) w = new Float64Array(k);
    if (m !== m) w.fill(NaN, 0, k); // a NaN window: NaN value, NaN derivative on its NaN entries
    else tieWeights(p.kink, k, w, o);
    for (let t = 0; t < k; t++) {
      if (w[t] === 0) continue;
      rows.push(o);
      cols.push(tied[t]!);
      weights.push(w[t]!);
    }
  });
  return { rows: Int32Array.from(rows), cols: Int32Array.from(cols), weights: Float64Array.from(weights), inShape: [...x.shape], outShape: g.outShape };
}

function maxPoolDef<P extends Prim.MaxPool1d | Prim.MaxPool2d>(prim: P, name: string): PrimDef<P> {
  const matrix = poolMatrix;
  return {
    prim,
    impl: ([a], p) => {
      const g = geometry(a!.shape, p);
      const tracking = isTrackingKinks();
      const { out, ties } = poolForward(a!.data, g, tracking);
      if (tracking) reportKinks(name, ties);
      return new ConcreteTensor(out, g.outShape);
    },
    // dy = A dx,  x̄ = Aᵀ ȳ  (overlapping windows accumulate in Aᵀ)
    jvp: ([a], [da], _, p) => (da ? bind(weightedGatherDef, [da], matrix(a!, p)) : null),
    vjp: (ct, [a], _, p) => [bind(weightedGatherDef, [ct], transposeOf(matrix(a!, p)))],
  };
}

export const maxPool1dDef = maxPoolDef(Prim.MaxPool1d, 'maxPool1d');
export const maxPool2dDef = maxPoolDef(Prim.MaxPool2d, 'maxPool2d');

function pair(v: number | readonly number[] | undefined, dflt: readonly number[], what: string, name: string, d: number): number[] {
  const arr = v === undefined ? [...dflt] : typeof v === 'number' ? new Array<number>(d).fill(v) : [...v];
  if (arr.length !== d) throw new InvalidArgumentError(`${name}: ${what} must have ${d} entr${d === 1 ? 'y' : 'ies'}, got ${JSON.stringify(v)}`);
  return arr;
}

function poolParams(x: Tensor, name: string, d: 1 | 2, kernel: number | readonly number[], stride: number | readonly number[] | undefined, padding: number | readonly number[] | undefined, opts: KinkOption | undefined): PoolParams {
  if (x.ndim < d) throw new ShapeError(`${name}: input needs at least ${d} dimension${d === 1 ? '' : 's'}, got shape ${formatShape(x.shape)}`);
  const k = pair(kernel, [], 'kernel', name, d);
  const s = pair(stride, k, 'stride', name, d);
  const pd = pair(padding, new Array<number>(d).fill(0), 'padding', name, d);
  for (let i = 0; i < d; i++) {
    if (!Number.isInteger(k[i]) || k[i]! < 1) throw new InvalidArgumentError(`${name}: kernel sizes must be positive integers, got ${JSON.stringify(kernel)}`);
    if (!Number.isInteger(s[i]) || s[i]! < 1) throw new InvalidArgumentError(`${name}: strides must be positive integers, got ${JSON.stringify(stride)}`);
    if (!Number.isInteger(pd[i]) || pd[i]! < 0 || 2 * pd[i]! > k[i]!) {
      throw new InvalidArgumentError(`${name}: padding must be an integer in [0, kernel/2], got ${JSON.stringify(padding)} for kernel ${JSON.stringify(kernel)}`);
    }
    const len = x.shape[x.ndim - d + i]!;
    if (len + 2 * pd[i]! < k[i]!) {
      throw new ShapeError(`${name}: kernel ${k[i]} is larger than the padded input length ${len + 2 * pd[i]!} (shape ${formatShape(x.shape)})`);
    }
  }
  return { kernel: k, stride: s, padding: pd, kink: kinkPolicyOf(opts, `${name}()`, ['kernel', 'stride', 'padding']) };
}

/** Options of `maxPool1d`. */
export interface MaxPool1dOptions extends KinkOption {
  /** Window length. */
  kernel: number;
  /** Step between windows (default: `kernel`, i.e. non-overlapping). */
  stride?: number;
  /** Implicit −∞ entries on each side (default 0; at most kernel/2). */
  padding?: number;
}

/**
 * 1-d max pooling over the last axis of `x` ([..., L] → [..., L_out], L_out =
 * ⌊(L + 2·padding − kernel)/stride⌋ + 1). Each output's derivative goes to its window's maximiser;
 * ties split per the policy's tie weights (default 1/k each), overlapping windows accumulate.
 *
 * @example
 * maxPool1d(tensor([1, 3, 2, 5]), { kernel: 2 })               // [3, 5]
 * grad((x) => sum(maxPool1d(x, { kernel: 3, stride: 1 })))(tensor([1, 2, 2, 0]))
 * // windows [1,2,2] and [2,2,0] tie: [0, 1, 1, 0]
 */
export function maxPool1d(x: TensorLike, opts: MaxPool1dOptions): Tensor {
  x = asTensor(x, 'maxPool1d()', 'x');
  return bind(maxPool1dDef, [x], poolParams(x, 'maxPool1d', 1, opts.kernel, opts.stride, opts.padding, opts));
}

/** Options of `maxPool2d`. */
export interface MaxPool2dOptions extends KinkOption {
  /** Window [height, width] (a number means square). */
  kernel: number | readonly [number, number];
  /** Steps [vertical, horizontal] (default: `kernel`). */
  stride?: number | readonly [number, number];
  /** Implicit −∞ rows/columns on each side (default 0; at most kernel/2). */
  padding?: number | readonly [number, number];
}

/**
 * 2-d max pooling over the last two axes of `x` ([..., H, W] → [..., H_out, W_out]). Ties within
 * a window (row-major order) split per the policy's tie weights; overlapping windows accumulate.
 *
 * @example
 * maxPool2d(tensor([[1, 2, 0, 0], [3, 4, 0, 9]]), { kernel: [2, 2] }) // [[4, 9]]
 */
export function maxPool2d(x: TensorLike, opts: MaxPool2dOptions): Tensor {
  x = asTensor(x, 'maxPool2d()', 'x');
  return bind(maxPool2dDef, [x], poolParams(x, 'maxPool2d', 2, opts.kernel, opts.stride, opts.padding, opts));
}

/** Options of `avgPool2d`. */
export interface AvgPool2dOptions {
  /** Window [height, width] (a number means square). */
  kernel: Pair2d;
  /** Steps [vertical, horizontal] (default: `kernel`). */
  stride?: Pair2d;
  /** Zero rows/columns on each side (default 0; at most kernel/2). */
  padding?: Pair2d;
  /**
   * Divide by the full window size kh·kw, padded zeros included (default true, as PyTorch's
   * `count_include_pad`); false divides by the number of real entries in each window.
   */
  countIncludePad?: boolean;
}

/**
 * 2-d average pooling over the last two axes of `x` ([..., H, W] → [..., H_out, W_out],
 * H_out = ⌊(H + 2·padding − kernel)/stride⌋ + 1). Linear, hence smooth: each output's derivative
 * spreads 1/(window size) over its window; overlapping windows accumulate.
 *
 * @example
 * avgPool2d(tensor([[1, 2, 0, 0], [3, 4, 0, 8]]), { kernel: 2 }) // [[2.5, 2]]
 */
export function avgPool2d(x: TensorLike, opts: AvgPool2dOptions): Tensor {
  const where = 'avgPool2d()';
  checkOptions(opts, ['kernel', 'stride', 'padding', 'countIncludePad'], where);
  const xt = asTensor(x, where, 'x');
  if (xt.ndim < 2) throw new ShapeError(`${where}: input needs at least 2 dimensions, got shape ${formatShape(xt.shape)}`);
  const k = pairOption(opts?.kernel, 0, 1, 'kernel', where);
  const s = opts.stride === undefined ? k : pairOption(opts.stride, 1, 1, 'stride', where);
  const pd = pairOption(opts.padding, 0, 0, 'padding', where);
  const lead = xt.shape.slice(0, -2);
  const H = xt.shape[xt.ndim - 2]!, W = xt.shape[xt.ndim - 1]!;
  for (let a = 0; a < 2; a++) {
    if (2 * pd[a]! > k[a]!) throw new InvalidArgumentError(`${where}: padding must be at most kernel/2, got ${JSON.stringify(opts.padding)} for kernel ${JSON.stringify(opts.kernel)}`);
    const len = a === 0 ? H : W;
    if (len + 2 * pd[a]! < k[a]!) throw new ShapeError(`${where}: kernel ${k[a]} is larger than the padded input length ${len + 2 * pd[a]!} (shape ${formatShape(xt.shape)})`);
  }
  const include = opts.countIncludePad ?? true;
  if (typeof include !== 'boolean') throw new InvalidArgumentError(`${where}: countIncludePad must be a boolean, got ${JSON.stringify(opts.countIncludePad)}`);
  const area = k[0] * k[1];
  const planes = reshape(xt, [shapeSize(lead), 1, H, W]);
  const kernel = constant(new Float64Array(area).fill(1 / area), [1, 1, k[0], k[1]]);
  let y = conv2d(planes, kernel, { stride: s, padding: pd });
  const Ho = y.shape[2]!, Wo = y.shape[3]!;
  if (!include && (pd[0] > 0 || pd[1] > 0)) {
    // rescale each output by kh·kw / (number of real entries in its window)
    const scale = new Float64Array(Ho * Wo);
    for (let oh = 0; oh < Ho; oh++) {
      const h0 = oh * s[0] - pd[0];
      const rows = Math.min(H, h0 + k[0]) - Math.max(0, h0);
      for (let ow = 0; ow < Wo; ow++) {
        const w0 = ow * s[1] - pd[1];
        scale[oh * Wo + ow] = area / (rows * (Math.min(W, w0 + k[1]) - Math.max(0, w0)));
      }
    }
    y = mul(y, constant(scale, [Ho, Wo]));
  }
  return reshape(y, [...lead, Ho, Wo]);
}
