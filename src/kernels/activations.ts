/**
 * @file Activation kernels of the training loop on raw Float64Arrays: relu forward and its masked
 * backward (one pass each, no mask array).
 *
 * relu backward: out = ct · relu'(x) with relu'(x) = 0 (x < 0), 1 (x > 0), the kink policy's
 * selection s_i at x = 0 (`atKink(i)`, i the flat index), NaN at a NaN input. The product is taken
 * literally (ct·1, ct·0, ct·s_i), so the result has the bits of `mul(ct, mask)` (−0 for a negative
 * ct where x < 0, NaN for an infinite ct where the mask is 0).
 */

/**
 * out[i] = max(x[i], 0), NaN propagating (NaN ≤ 0 is false). `out` may alias `x`.
 *
 * @example
 * reluKernel(Float64Array.of(-1, 0, 2), out); // out = [0, 0, 2]
 */
export function reluKernel(x: Float64Array, out: Float64Array): void {
  const n = x.length;
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    out[i] = v <= 0 ? 0 : v;
  }
}

/**
 * out[i] = ct[i] · relu'(x[i]) (file header); `atKink(i)` gives the derivative selected at
 * x[i] = 0 (called only there). `out` may alias `ct`.
 *
 * @example
 * reluBackwardKernel(Float64Array.of(-1, 0, 2), Float64Array.of(5, 5, 5), out, () => 0); // out = [0, 0, 5]
 */
export function reluBackwardKernel(x: Float64Array, ct: Float64Array, out: Float64Array, atKink: (i: number) => number): void {
  const n = x.length;
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    const c = ct[i]!;
    out[i] = v > 0 ? c * 1 : v < 0 ? c * 0 : v === 0 ? c * atKink(i) : c * NaN;
  }
}
