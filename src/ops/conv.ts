/**
 * @file 2-d convolution (`conv2d`, PyTorch layout NCHW) and its adjoint `conv2dTranspose`, as three
 * bilinear primitives closed under differentiation, computed by im2col + gemm.
 *
 * Layout: x [N, C, H, W], weight w [F, C, kh, kw], output y [N, F, Ho, Wo] with
 *   y[n, f, oh, ow] = Σ_{c,i,j} w[f, c, i, j] · x[n, c, oh·sh − ph + i·dh, ow·sw − pw + j·dw]
 * (zero padding; cross-correlation, as PyTorch / JAX `conv_general_dilated`),
 *   Ho = ⌊(H + 2ph − dh(kh − 1) − 1)/sh⌋ + 1   (same for Wo).
 * Per image, y[n] = W·cols(x[n]) with W = w viewed as F×(C·kh·kw) and cols the im2col patch
 * matrix (src/kernels/im2col.ts); the patch matrices of a chunk of images sit side by side so that
 * one gemm serves the chunk (bounded scratch memory), and the result is permuted back to NCHW.
 *
 * The three primitives (all bilinear, so each JVP is the sum of the primitive with one argument
 * replaced by its tangent):
 *   Conv2d(x, w)          = y                 y[n] = W·cols(x[n])
 *   Conv2dTranspose(c, w) = col2im(Wᵀ·c[n])   the adjoint in x: ⟨c, Conv2d(x, w)⟩ = ⟨Conv2dTranspose(c, w), x⟩
 *   Conv2dWeightGrad(x, c) = Σ_n c[n]·cols(x[n])ᵀ   the adjoint in w: ⟨c, Conv2d(x, w)⟩ = ⟨Conv2dWeightGrad(x, c), w⟩
 * Their VJPs follow from that one trilinear form T(x, w, c) = ⟨c, Conv2d(x, w)⟩:
 *   Conv2d:           x̄ = Conv2dTranspose(ȳ, w),  w̄ = Conv2dWeightGrad(x, ȳ)
 *   Conv2dTranspose:  c̄ = Conv2d(z̄, w),           w̄ = Conv2dWeightGrad(z̄, c)
 *   Conv2dWeightGrad: x̄ = Conv2dTranspose(c, v̄),  c̄ = Conv2d(x, v̄)
 * so every order of derivative (hvp, jacobians of gradients) stays within the three.
 */
import { InvalidArgumentError, ShapeError } from '../core/errors.js';
import { ConcreteTensor, formatShape, type Tensor } from '../core/tensor.js';
import { checkOptions } from '../core/options.js';
import { gemmKernel } from '../kernels/gemm_dispatch.js';
import { gemmStrided } from '../kernels/blas.js';
import { col2im, convOutLength, im2col, type ConvGeometry } from '../kernels/im2col.js';
import { Prim, type ConvParams } from '../autodiff/primitives.js';
import { bind, type PrimDef } from '../autodiff/trace.js';
import { add } from './arithmetic.js';
import { asTensor, type TensorLike } from './convert.js';

// ---------------------------------------------------------------------------------------------
// kernels

/**
 * Scratch buffers shared by the three kernels (grown, never shrunk; impls do not nest): the patch
 * matrix of a chunk of images side by side, (C·kh·kw) × (B·Ho·Wo), and a channel-major copy of a
 * chunk of outputs / cotangents, F × (B·Ho·Wo).
 */
let colsScratch = new Float64Array(0);
let chanScratch = new Float64Array(0);
function buffers(nCols: number, nChan: number): [Float64Array, Float64Array] {
  if (colsScratch.length < nCols) colsScratch = new Float64Array(nCols);
  if (chanScratch.length < nChan) chanScratch = new Float64Array(nChan);
  return [colsScratch, chanScratch];
}

/** Images per chunk: one gemm spans B images, with the patch matrix kept under ~2²¹ entries (16 MB). */
const CHUNK_ENTRIES = 1 << 21;
function chunkSize(N: number, K: number, P: number): number {
  return Math.max(1, Math.min(N, Math.floor(CHUNK_ENTRIES / Math.max(1, K * P))));
}

function geom(C: number, p: ConvParams): ConvGeometry {
  const [H, W] = p.inSize;
  const [kh, kw] = p.kernel;
  const [sh, sw] = p.stride;
  const [ph, pw] = p.padding;
  const [dh, dw] = p.dilation;
  return { C, H, W, kh, kw, sh, sw, ph, pw, dh, dw, Ho: convOutLength(H, kh, sh, ph, dh), Wo: convOutLength(W, kw, sw, pw, dw) };
}

/** [B, F, P] (images n0 … n0+B−1 of `src`) → channel-major `dst` [F, B·P]. */
function toChannelMajor(src: Float64Array, n0: number, B: number, F: number, P: number, dst: Float64Array): void {
  const L = B * P;
  for (let b = 0; b < B; b++) {
    for (let f = 0; f < F; f++) {
      const s = (n0 + b) * F * P + f * P, d = f * L + b * P;
      for (let q = 0; q < P; q++) dst[d + q] = src[s + q]!;
    }
  }
}

/** y [N, F, Ho, Wo] from x [N, C, H, W] and w [F, C, kh, kw]: per chunk, Y = W·[cols(x[n0]) … cols(x[n0+B−1])]. */
function convForward(x: ConcreteTensor, w: ConcreteTensor, p: ConvParams): ConcreteTensor {
  const [N, C] = x.shape as [number, number];
  const F = w.shape[0]!;
  const g = geom(C, p);
  const P = g.Ho * g.Wo, K = C * g.kh * g.kw, img = C * g.H * g.W;
  const out = new Float64Array(N * F * P);
  const B0 = chunkSize(N, K, P);
  const [cols, chan] = buffers(K * B0 * P, F * B0 * P);
  for (let n0 = 0; n0 < N; n0 += B0) {
    const B = Math.min(B0, N - n0), L = B * P;
    if (B === 1) {
      im2col(x.data, n0 * img, g, cols);
      gemmKernel(F, P, K, w.data, 0, cols, 0, out, n0 * F * P);
      continue;
    }
    for (let b = 0; b < B; b++) im2col(x.data, (n0 + b) * img, g, cols, L, b * P);
    gemmKernel(F, L, K, w.data, 0, cols, 0, chan, 0);
    // chan [F, B·P] → out [B, F, P]
    for (let b = 0; b < B; b++) {
      for (let f = 0; f < F; f++) {
        const d = (n0 + b) * F * P + f * P, s = f * L + b * P;
        for (let q = 0; q < P; q++) out[d + q] = chan[s + q]!;
      }
    }
  }
  return new ConcreteTensor(out, [N, F, g.Ho, g.Wo]);
}

/** x̄ [N, C, H, W] from c [N, F, Ho, Wo] and w [F, C, kh, kw]: per chunk, cols = Wᵀ·c (channel-major), then col2im per image. */
function convTransposeForward(c: ConcreteTensor, w: ConcreteTensor, p: ConvParams): ConcreteTensor {
  const N = c.shape[0]!;
  const [F, C] = w.shape as [number, number];
  const g = geom(C, p);
  const P = g.Ho * g.Wo, K = C * g.kh * g.kw, img = C * g.H * g.W;
  const out = new Float64Array(N * img);
  const B0 = chunkSize(N, K, P);
  const [cols, chan] = buffers(K * B0 * P, F * B0 * P);
  for (let n0 = 0; n0 < N; n0 += B0) {
    const B = Math.min(B0, N - n0), L = B * P;
    if (B === 1) {
      gemmKernel(K, P, F, w.data, 0, c.data, n0 * F * P, cols, 0, true, false);
      col2im(cols, g, out, n0 * img);
      continue;
    }
    toChannelMajor(c.data, n0, B, F, P, chan);
    gemmKernel(K, L, F, w.data, 0, chan, 0, cols, 0, true, false);
    for (let b = 0; b < B; b++) col2im(cols, g, out, (n0 + b) * img, L, b * P);
  }
  return new ConcreteTensor(out, [N, C, g.H, g.W]);
}

/** w̄ [F, C, kh, kw] = Σ_n c[n]·cols(x[n])ᵀ from x [N, C, H, W] and c [N, F, Ho, Wo], one gemm per chunk. */
function convWeightGradForward(x: ConcreteTensor, c: ConcreteTensor, p: ConvParams): ConcreteTensor {
  const [N, C] = x.shape as [number, number];
  const F = c.shape[1]!;
  const g = geom(C, p);
  const P = g.Ho * g.Wo, K = C * g.kh * g.kw, img = C * g.H * g.W;
  const out = new Float64Array(F * K);
  const B0 = chunkSize(N, K, P);
  const [cols, chan] = buffers(K * B0 * P, F * B0 * P);
  for (let n0 = 0; n0 < N; n0 += B0) {
    const B = Math.min(B0, N - n0), L = B * P;
    for (let b = 0; b < B; b++) im2col(x.data, (n0 + b) * img, g, cols, L, b * P);
    if (B === 1) gemmStrided(false, true, F, K, P, 1, c.data, n0 * F * P, P, cols, 0, P, 1, out, 0, K);
    else {
      toChannelMajor(c.data, n0, B, F, P, chan);
      gemmStrided(false, true, F, K, L, 1, chan, 0, L, cols, 0, L, 1, out, 0, K);
    }
  }
  return new ConcreteTensor(out, [F, C, g.kh, g.kw]);
}

// ---------------------------------------------------------------------------------------------
// primitives

const sum2 = (a: Tensor | null, b: Tensor | null): Tensor | null => (a && b ? add(a, b) : (a ?? b));

export const conv2dDef: PrimDef<Prim.Conv2d> = {
  prim: Prim.Conv2d,
  impl: ([x, w], p) => convForward(x!, w!, p),
  // bilinear: dy = conv(dx, w) + conv(x, dw)
  jvp: ([x, w], [dx, dw], _, p) => sum2(dx ? bind(conv2dDef, [dx, w!], p) : null, dw ? bind(conv2dDef, [x!, dw], p) : null),
  vjp: (ct, [x, w], _, p, needed) => [
    needed[0] ? bind(conv2dTransposeDef, [ct, w!], p) : null,
    needed[1] ? bind(conv2dWeightGradDef, [x!, ct], p) : null,
  ],
};

export const conv2dTransposeDef: PrimDef<Prim.Conv2dTranspose> = {
  prim: Prim.Conv2dTranspose,
  impl: ([c, w], p) => convTransposeForward(c!, w!, p),
  jvp: ([c, w], [dc, dw], _, p) => sum2(dc ? bind(conv2dTransposeDef, [dc, w!], p) : null, dw ? bind(conv2dTransposeDef, [c!, dw], p) : null),
  // z = Tᵀ(c, w):  c̄ = conv(z̄, w),  w̄ = weightGrad(z̄, c)
  vjp: (ct, [c, w], _, p, needed) => [
    needed[0] ? bind(conv2dDef, [ct, w!], p) : null,
    needed[1] ? bind(conv2dWeightGradDef, [ct, c!], p) : null,
  ],
};

export const conv2dWeightGradDef: PrimDef<Prim.Conv2dWeightGrad> = {
  prim: Prim.Conv2dWeightGrad,
  impl: ([x, c], p) => convWeightGradForward(x!, c!, p),
  jvp: ([x, c], [dx, dc], _, p) => sum2(dx ? bind(conv2dWeightGradDef, [dx, c!], p) : null, dc ? bind(conv2dWeightGradDef, [x!, dc], p) : null),
  // v = G(x, c):  x̄ = Tᵀ(c, v̄),  c̄ = conv(x, v̄)
  vjp: (ct, [x, c], _, p, needed) => [
    needed[0] ? bind(conv2dTransposeDef, [c!, ct], p) : null,
    needed[1] ? bind(conv2dDef, [x!, ct], p) : null,
  ],
};

// ---------------------------------------------------------------------------------------------
// public ops

/** A spatial hyper-parameter: one number for both axes, or [vertical, horizontal]. */
export type Pair2d = number | readonly [number, number];

/** Options of {@link conv2d}. */
export interface Conv2dOptions {
  /** Step between windows (default 1). */
  stride?: Pair2d;
  /** Zero rows/columns added on each side (default 0). */
  padding?: Pair2d;
  /** Spacing between kernel taps (default 1: a dense kernel). */
  dilation?: Pair2d;
}

/** Options of {@link conv2dTranspose}. */
export interface Conv2dTransposeOptions extends Conv2dOptions {
  /** Extra rows/columns at the bottom/right of the output (default 0; < stride), to pick among the input sizes a strided convolution maps to the same output size. */
  outputPadding?: Pair2d;
}

/** Reads a Pair2d option as [a, b], checking integer ≥ `min`. */
export function pairOption(v: Pair2d | undefined, dflt: number, min: number, what: string, where: string): [number, number] {
  const arr = v === undefined ? [dflt, dflt] : typeof v === 'number' ? [v, v] : Array.isArray(v) ? [...v] : null;
  if (!arr || arr.length !== 2 || arr.some((a) => !Number.isInteger(a) || a < min)) {
    throw new InvalidArgumentError(`${where}: ${what} must be an integer ≥ ${min} or a pair of them, got ${JSON.stringify(v)}`);
  }
  return arr as [number, number];
}

function check4d(t: Tensor, where: string, arg: string, layout: string): void {
  if (t.ndim !== 4) throw new ShapeError(`${where}: ${arg} must be 4-d ${layout}, got shape ${formatShape(t.shape)}`);
}

/**
 * 2-d convolution (cross-correlation, as PyTorch's `F.conv2d` without bias): x [N, C, H, W],
 * w [F, C, kh, kw] → [N, F, Ho, Wo], Ho = ⌊(H + 2·padding − dilation·(kh − 1) − 1)/stride⌋ + 1.
 * Differentiable to any order in both arguments (im2col + one gemm per image; the gradients are
 * `conv2dTranspose` and a weight-gradient primitive).
 *
 * @example
 * const x = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 3, 3]);
 * conv2d(x, ones([1, 1, 2, 2])); // [[[[12, 16], [24, 28]]]] (sums of 2×2 windows)
 * conv2d(x, ones([1, 1, 3, 3]), { padding: 1, stride: 2 }).shape; // [1, 1, 2, 2]
 */
export function conv2d(x: TensorLike, w: TensorLike, opts: Conv2dOptions = {}): Tensor {
  const where = 'conv2d()';
  checkOptions(opts, ['stride', 'padding', 'dilation'], where);
  const xt = asTensor(x, where, 'x');
  const wt = asTensor(w, where, 'w');
  check4d(xt, where, 'x', '[N, C, H, W]');
  check4d(wt, where, 'w', '[F, C, kh, kw]');
  if (xt.shape[1] !== wt.shape[1]) {
    throw new ShapeError(`${where}: x has ${xt.shape[1]} channels (shape ${formatShape(xt.shape)}) but w expects ${wt.shape[1]} (shape ${formatShape(wt.shape)})`);
  }
  const stride = pairOption(opts.stride, 1, 1, 'stride', where);
  const padding = pairOption(opts.padding, 0, 0, 'padding', where);
  const dilation = pairOption(opts.dilation, 1, 1, 'dilation', where);
  const inSize: [number, number] = [xt.shape[2]!, xt.shape[3]!];
  const kernel: [number, number] = [wt.shape[2]!, wt.shape[3]!];
  for (let a = 0; a < 2; a++) {
    const span = dilation[a]! * (kernel[a]! - 1) + 1;
    if (inSize[a]! + 2 * padding[a]! < span) {
      throw new ShapeError(`${where}: the ${a === 0 ? 'height' : 'width'} of the dilated kernel (${span}) exceeds the padded input (${inSize[a]! + 2 * padding[a]!}); x ${formatShape(xt.shape)}, w ${formatShape(wt.shape)}`);
    }
  }
  return bind(conv2dDef, [xt, wt], { stride, padding, dilation, inSize, kernel });
}

/**
 * Transposed convolution (the adjoint of {@link conv2d} in x, PyTorch's `F.conv_transpose2d`
 * without bias): y [N, F, Ho, Wo] and the SAME weight w [F, C, kh, kw] as the forward
 * convolution → [N, C, H, W] with H = (Ho − 1)·stride − 2·padding + dilation·(kh − 1) + 1 +
 * outputPadding. ⟨conv2dTranspose(y, w), x⟩ = ⟨y, conv2d(x, w)⟩. Differentiable to any order.
 *
 * @example
 * // scatters each input pixel through the kernel: a 2×2 image of ones → 3×3 window counts
 * conv2dTranspose(ones([1, 1, 2, 2]), ones([1, 1, 2, 2])); // [[[[1, 2, 1], [2, 4, 2], [1, 2, 1]]]]
 */
export function conv2dTranspose(y: TensorLike, w: TensorLike, opts: Conv2dTransposeOptions = {}): Tensor {
  const where = 'conv2dTranspose()';
  checkOptions(opts, ['stride', 'padding', 'dilation', 'outputPadding'], where);
  const yt = asTensor(y, where, 'y');
  const wt = asTensor(w, where, 'w');
  check4d(yt, where, 'y', '[N, F, Ho, Wo]');
  check4d(wt, where, 'w', '[F, C, kh, kw]');
  if (yt.shape[1] !== wt.shape[0]) {
    throw new ShapeError(`${where}: y has ${yt.shape[1]} channels (shape ${formatShape(yt.shape)}) but w has ${wt.shape[0]} filters (shape ${formatShape(wt.shape)})`);
  }
  const stride = pairOption(opts.stride, 1, 1, 'stride', where);
  const padding = pairOption(opts.padding, 0, 0, 'padding', where);
  const dilation = pairOption(opts.dilation, 1, 1, 'dilation', where);
  const outPad = pairOption(opts.outputPadding, 0, 0, 'outputPadding', where);
  const kernel: [number, number] = [wt.shape[2]!, wt.shape[3]!];
  const inSize = [0, 0] as [number, number];
  for (let a = 0; a < 2; a++) {
    if (outPad[a]! >= stride[a]!) {
      throw new InvalidArgumentError(`${where}: outputPadding must be smaller than stride, got ${JSON.stringify(opts.outputPadding)} with stride ${JSON.stringify(opts.stride ?? 1)}`);
    }
    inSize[a] = (yt.shape[2 + a]! - 1) * stride[a]! - 2 * padding[a]! + dilation[a]! * (kernel[a]! - 1) + 1 + outPad[a]!;
    if (inSize[a]! < 1) throw new ShapeError(`${where}: the output ${a === 0 ? 'height' : 'width'} would be ${inSize[a]} (y ${formatShape(yt.shape)}, w ${formatShape(wt.shape)}, padding ${padding[a]})`);
  }
  return bind(conv2dTransposeDef, [yt, wt], { stride, padding, dilation, inSize, kernel });
}

/**
 * The gradient of ⟨c, conv2d(x, w)⟩ with respect to w, Σ_n c[n]·cols(x[n])ᵀ, for x [N, C, H, W]
 * and c [N, F, Ho, Wo] (the shapes of conv2d's input and output); returns [F, C, kh, kw].
 * Differentiable to any order (it is the weight-gradient primitive of conv2d).
 *
 * @example
 * conv2dWeightGrad(x, ones([1, 1, 2, 2]), { kernel: [2, 2] }); // window sums of x per tap
 */
export function conv2dWeightGrad(x: TensorLike, c: TensorLike, opts: Conv2dOptions & { kernel: Pair2d }): Tensor {
  const where = 'conv2dWeightGrad()';
  checkOptions(opts, ['stride', 'padding', 'dilation', 'kernel'], where);
  const xt = asTensor(x, where, 'x');
  const ct = asTensor(c, where, 'c');
  check4d(xt, where, 'x', '[N, C, H, W]');
  check4d(ct, where, 'c', '[N, F, Ho, Wo]');
  const stride = pairOption(opts.stride, 1, 1, 'stride', where);
  const padding = pairOption(opts.padding, 0, 0, 'padding', where);
  const dilation = pairOption(opts.dilation, 1, 1, 'dilation', where);
  const kernel = pairOption(opts.kernel, 1, 1, 'kernel', where);
  const inSize: [number, number] = [xt.shape[2]!, xt.shape[3]!];
  const Ho = convOutLength(inSize[0], kernel[0], stride[0], padding[0], dilation[0]);
  const Wo = convOutLength(inSize[1], kernel[1], stride[1], padding[1], dilation[1]);
  if (ct.shape[0] !== xt.shape[0] || ct.shape[2] !== Ho || ct.shape[3] !== Wo) {
    throw new ShapeError(`${where}: c must have shape [${xt.shape[0]}, F, ${Ho}, ${Wo}] (conv2d's output for x ${formatShape(xt.shape)}), got ${formatShape(ct.shape)}`);
  }
  return bind(conv2dWeightGradDef, [xt, ct], { stride, padding, dilation, inSize, kernel });
}
