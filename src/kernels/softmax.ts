/**
 * @file Row kernels of the softmax family on a contiguous row-major [rows, C] block (the last
 * axis): softmax, log-softmax, logsumexp, and the fused softmax cross-entropy forward (loss per
 * row) and backward (the logits' cotangent) — one pass per row, no intermediate tensors.
 *
 * Each kernel performs, per row, the arithmetic of the composite ops in `ops/normalize.ts` and
 * `ops/losses.ts` in the same order, so the results have the same bits:
 *
 *   c = max_j x_j over the non-NaN entries, replaced by 0 when not finite (all −∞ row, +∞ entry)
 *   z_j = x_j − c,   e_j = exp(z_j),   S = Σ_j e_j (from 0, j ascending),   L = log S
 *   softmax_j = e_j / S,   logSoftmax_j = z_j − L,   logsumexp = L + c
 *
 * NaN entries propagate (a NaN z gives a NaN S); an all −∞ row gives softmax 0/0 = NaN,
 * logSoftmax −∞ − (−∞) = NaN and logsumexp −∞, as the composites do.
 *
 * Cross-entropy per row with target weights (the integer label y, or a probability row p) and
 * label smoothing ε (`smoothing`, 0 = off):
 *
 *   ℓ = −lp_y  (labels)   or   ℓ = −Σ_j p_j·lp_j  (probabilities)       lp = logSoftmax row
 *   ε > 0:  ℓ ← ℓ·(1 − ε) + ((Σ_j lp_j) / C)·(−ε)
 *
 * Backward, for the row cotangent g: the composite's reverse sweep first forms the cotangent a of
 * the log-softmax row, then a_j + q·e_j with q = (Σ_j −a_j) / S (the log and sum rules):
 *
 *   h = g (ε = 0) or g·(1 − ε);   m = (g·(−ε)) / C (ε > 0, else absent)
 *   a_j = m + (0 + (−h))  at j = y, m + 0 elsewhere   (labels; without m: 0 + (−h), and 0)
 *   a_j = m + (−h)·p_j                                  (probabilities)
 *   x̄_j = a_j + q·e_j,   p̄_j = (−h)·lp_j (probabilities, when requested)
 *
 * which is ḡ·(softmax·Σ P − P) for the smoothed target P = (1 − ε)·target + ε/C up to rounding.
 */

/** The stable shift c of one row (file header): the maximum of the non-NaN entries, 0 when not finite. */
function rowShift(x: Float64Array, off: number, C: number): number {
  let c = -Infinity;
  for (let j = 0; j < C; j++) {
    const v = x[off + j]!;
    if (v > c) c = v;
  }
  return c - c === 0 ? c : 0; // c − c is NaN for ±∞
}

/** S = Σ_j exp(x_j − c) of one row, summed from 0 in index order. */
function rowExpSum(x: Float64Array, off: number, C: number, c: number): number {
  let s = 0;
  for (let j = 0; j < C; j++) s += Math.exp(x[off + j]! - c);
  return s;
}

/**
 * Softmax of each row of the row-major `rows × C` block `x` into `out` (may alias `x`).
 *
 * @example
 * softmaxRowsKernel(Float64Array.of(0, Math.log(3)), 1, 2, out); // out = [0.25, 0.75]
 */
export function softmaxRowsKernel(x: Float64Array, rows: number, C: number, out: Float64Array): void {
  for (let r = 0, off = 0; r < rows; r++, off += C) {
    const c = rowShift(x, off, C);
    let s = 0;
    for (let j = 0; j < C; j++) {
      const e = Math.exp(x[off + j]! - c);
      out[off + j] = e;
      s += e;
    }
    for (let j = 0; j < C; j++) out[off + j] = out[off + j]! / s;
  }
}

/**
 * Log-softmax of each row of the row-major `rows × C` block `x` into `out` (may alias `x`).
 *
 * @example
 * logSoftmaxRowsKernel(Float64Array.of(0, 0), 1, 2, out); // out = [−log 2, −log 2]
 */
export function logSoftmaxRowsKernel(x: Float64Array, rows: number, C: number, out: Float64Array): void {
  for (let r = 0, off = 0; r < rows; r++, off += C) {
    const c = rowShift(x, off, C);
    const L = Math.log(rowExpSum(x, off, C, c));
    for (let j = 0; j < C; j++) out[off + j] = x[off + j]! - c - L;
  }
}

/**
 * logsumexp of each row of the row-major `rows × C` block `x`: out[r] = log Σ_j exp(x[r, j]).
 *
 * @example
 * logsumexpRowsKernel(Float64Array.of(1000, 1000), 1, 2, out); // out = [1000 + log 2]
 */
export function logsumexpRowsKernel(x: Float64Array, rows: number, C: number, out: Float64Array): void {
  for (let r = 0, off = 0; r < rows; r++, off += C) {
    const c = rowShift(x, off, C);
    out[r] = Math.log(rowExpSum(x, off, C, c)) + c;
  }
}

/** The targets of a softmax cross-entropy: one class index per row, or a probability row per row. */
export type CrossEntropyTargets = { readonly labels: Int32Array } | { readonly probs: Float64Array };

/**
 * Softmax cross-entropy per row of the row-major `rows × C` logits (file header; labels must lie
 * in [0, C), C ≥ 1): out[r] = the row's loss, label smoothing `smoothing` ∈ [0, 1].
 *
 * @example
 * crossEntropyRowsKernel(Float64Array.of(2, 0), 1, 2, { labels: Int32Array.of(0) }, 0, out); // out = [log(1 + e⁻²)]
 */
export function crossEntropyRowsKernel(x: Float64Array, rows: number, C: number, t: CrossEntropyTargets, smoothing: number, out: Float64Array): void {
  const labels = 'labels' in t ? t.labels : null;
  const probs = 'probs' in t ? t.probs : null;
  const keep = 1 - smoothing, negEps = -smoothing;
  for (let r = 0, off = 0; r < rows; r++, off += C) {
    const c = rowShift(x, off, C);
    const L = Math.log(rowExpSum(x, off, C, c));
    let loss: number;
    if (labels !== null) loss = -(x[off + labels[r]!]! - c - L);
    else {
      let s = 0;
      for (let j = 0; j < C; j++) s += probs![off + j]! * (x[off + j]! - c - L);
      loss = -s;
    }
    if (smoothing !== 0) {
      let s = 0;
      for (let j = 0; j < C; j++) s += x[off + j]! - c - L;
      loss = loss * keep + (s / C) * negEps;
    }
    out[r] = loss;
  }
}

/**
 * Backward of `crossEntropyRowsKernel` (file header): given the per-row cotangent `g` (length
 * rows), writes the logits' cotangent into `dx` (rows × C) and, for probability targets, the
 * targets' cotangent into `dp` when it is not null.
 *
 * @example
 * crossEntropyRowsBackwardKernel(x, 1, 2, { labels: Int32Array.of(0) }, 0, Float64Array.of(1), dx, null); // dx = softmax − onehot
 */
export function crossEntropyRowsBackwardKernel(
  x: Float64Array, rows: number, C: number, t: CrossEntropyTargets, smoothing: number,
  g: Float64Array, dx: Float64Array, dp: Float64Array | null,
): void {
  const labels = 'labels' in t ? t.labels : null;
  const probs = 'probs' in t ? t.probs : null;
  const smooth = smoothing !== 0;
  const keep = 1 - smoothing, negEps = -smoothing;
  for (let r = 0, off = 0; r < rows; r++, off += C) {
    const c = rowShift(x, off, C);
    const S = rowExpSum(x, off, C, c);
    const gr = g[r]!;
    const h = smooth ? gr * keep : gr;
    const nh = -h;
    const m = smooth ? (gr * negEps) / C : 0;
    // a_j, the log-softmax row's cotangent, first into dx; then q = Σ_j (−a_j) / S
    let sa = 0;
    if (labels !== null) {
      const y = labels[r]!;
      for (let j = 0; j < C; j++) {
        const pick = j === y ? 0 + nh : 0;
        const a = smooth ? m + pick : pick;
        dx[off + j] = a;
        sa += -a;
      }
    } else {
      for (let j = 0; j < C; j++) {
        const pick = nh * probs![off + j]!;
        const a = smooth ? m + pick : pick;
        dx[off + j] = a;
        sa += -a;
      }
      if (dp !== null) {
        const L = Math.log(S);
        for (let j = 0; j < C; j++) dp[off + j] = nh * (x[off + j]! - c - L);
      }
    }
    const q = sa / S;
    for (let j = 0; j < C; j++) dx[off + j] = dx[off + j]! + q * Math.exp(x[off + j]! - c);
  }
}
