/**
 * @file im2col / col2im on `Float64Array` (one image, CHW layout): the patch matrix that turns a
 * 2-d convolution into one gemm, and its adjoint.
 *
 * For an image x[C, H, W] and a window kh×kw with stride (sh, sw), zero padding (ph, pw) and
 * dilation (dh, dw), the patch matrix is
 *   cols[(c·kh + i)·kw + j, oh·Wo + ow] = x[c, oh·sh − ph + i·dh, ow·sw − pw + j·dw]   (0 outside),
 * of size (C·kh·kw) × (Ho·Wo) with Ho = ⌊(H + 2ph − dh(kh−1) − 1)/sh⌋ + 1 (same for Wo).
 * `col2im` applies the transpose: it ADDS each cols entry back into the pixel it was read from
 * (overlapping windows accumulate). Neither allocates.
 */

/** Geometry of a 2-d convolution window over one image. */
export interface ConvGeometry {
  C: number;
  H: number;
  W: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
  dh: number;
  dw: number;
  Ho: number;
  Wo: number;
}

/** Output length of one axis: ⌊(L + 2p − d(k − 1) − 1)/s⌋ + 1 (may be ≤ 0 when the window does not fit). */
export function convOutLength(L: number, k: number, s: number, p: number, d: number): number {
  return Math.floor((L + 2 * p - d * (k - 1) - 1) / s) + 1;
}

/**
 * Writes the patch matrix of image `x` (starting at `xOff`, C×H×W) into `cols`: entry (r, p) at
 * `cols[r·ld + colOff + p]` (default ld = Ho·Wo, colOff = 0: a dense (C·kh·kw)×(Ho·Wo) matrix; a
 * larger `ld` places several images side by side, image b at colOff = b·Ho·Wo).
 *
 * @example
 * // 1×3×3 image, 2×2 window, stride 1: cols is 4×4
 * const g = { C: 1, H: 3, W: 3, kh: 2, kw: 2, sh: 1, sw: 1, ph: 0, pw: 0, dh: 1, dw: 1, Ho: 2, Wo: 2 };
 * im2col(Float64Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9), 0, g, new Float64Array(16));
 * // rows: [1,2,4,5], [2,3,5,6], [4,5,7,8], [5,6,8,9]
 */
export function im2col(x: Float64Array, xOff: number, g: ConvGeometry, cols: Float64Array, ld = g.Ho * g.Wo, colOff = 0): void {
  const { C, H, W, kh, kw, sh, sw, ph, pw, dh, dw, Ho, Wo } = g;
  let r = 0;
  for (let c = 0; c < C; c++) {
    const xc = xOff + c * H * W;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++, r++) {
        const row = r * ld + colOff;
        const dj = j * dw - pw;
        // ow range with 0 ≤ ow·sw + dj < W
        const owLo = dj >= 0 ? 0 : Math.min(Wo, Math.ceil(-dj / sw));
        const owHi = Math.max(owLo, Math.min(Wo, Math.ceil((W - dj) / sw)));
        for (let oh = 0; oh < Ho; oh++) {
          const h = oh * sh - ph + i * dh;
          const o = row + oh * Wo;
          if (h < 0 || h >= H) {
            cols.fill(0, o, o + Wo);
            continue;
          }
          const xr = xc + h * W + dj;
          for (let ow = 0; ow < owLo; ow++) cols[o + ow] = 0;
          if (sw === 1) for (let ow = owLo; ow < owHi; ow++) cols[o + ow] = x[xr + ow]!;
          else for (let ow = owLo; ow < owHi; ow++) cols[o + ow] = x[xr + ow * sw]!;
          for (let ow = owHi; ow < Wo; ow++) cols[o + ow] = 0;
        }
      }
    }
  }
}

/**
 * The adjoint of {@link im2col} (same `ld` / `colOff` layout): x[c, h, w] += Σ of the cols
 * entries read from (c, h, w).
 * Adds into `x` (starting at `xOff`); zero it first for a plain transpose.
 *
 * @example
 * const g = { C: 1, H: 3, W: 3, kh: 2, kw: 2, sh: 1, sw: 1, ph: 0, pw: 0, dh: 1, dw: 1, Ho: 2, Wo: 2 };
 * const x = new Float64Array(9);
 * col2im(new Float64Array(16).fill(1), g, x, 0); // x = [1,2,1, 2,4,2, 1,2,1] (window counts)
 */
export function col2im(cols: Float64Array, g: ConvGeometry, x: Float64Array, xOff: number, ld = g.Ho * g.Wo, colOff = 0): void {
  const { C, H, W, kh, kw, sh, sw, ph, pw, dh, dw, Ho, Wo } = g;
  let r = 0;
  for (let c = 0; c < C; c++) {
    const xc = xOff + c * H * W;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++, r++) {
        const row = r * ld + colOff;
        const dj = j * dw - pw;
        const owLo = dj >= 0 ? 0 : Math.min(Wo, Math.ceil(-dj / sw));
        const owHi = Math.max(owLo, Math.min(Wo, Math.ceil((W - dj) / sw)));
        for (let oh = 0; oh < Ho; oh++) {
          const h = oh * sh - ph + i * dh;
          if (h < 0 || h >= H) continue;
          const o = row + oh * Wo;
          const xr = xc + h * W + dj;
          if (sw === 1) for (let ow = owLo; ow < owHi; ow++) x[xr + ow] += cols[o + ow]!;
          else for (let ow = owLo; ow < owHi; ow++) x[xr + ow * sw] += cols[o + ow]!;
        }
      }
    }
  }
}
