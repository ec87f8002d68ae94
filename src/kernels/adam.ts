/**
 * @file The Adam / AdamW step on one parameter leaf: one pass over g, m, v (and w) that writes the
 * new moments and either the update u or the new parameters w + u, with no allocation.
 *
 * With d = g + λw (L2, adam) or d = g (adamw), c1 = 1 − β1^{k+1}, c2 = 1 − β2^{k+1}:
 *
 *   m' = β1 m + (1 − β1) d,   v' = β2 v + (1 − β2) d²,
 *   u  = −α (m' / c1 / (√(v' / c2) + ε) [+ λw for adamw]).
 *
 * The arithmetic (operation order included) is the one `nn/optim.ts` always used, so every path
 * (pure update, in-place training step) gives the same bits. Outputs may alias inputs entry for
 * entry (m' over m, v' over v, w + u over w): each index is read before it is written.
 *
 * Why TypeScript and not WebAssembly SIMD: the step reads 3–4 and writes 3 arrays per entry for
 * one sqrt and two divisions; the operands live in JavaScript arrays (gradients come fresh from
 * autodiff), and copying them into WebAssembly memory costs about what the f64x2 sqrt/div would
 * save (docs/kernels.md, "Measured").
 */

/** The scalars of one Adam step (see the file header). */
export interface AdamCoefficients {
  /** Step size α of this step. */
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  /** Bias corrections 1 − β1^{k+1} and 1 − β2^{k+1}. */
  readonly c1: number;
  readonly c2: number;
  readonly eps: number;
  /** Weight decay λ (0: none). */
  readonly weightDecay: number;
  /** AdamW's decoupled decay (true) or Adam's L2 in the gradient (false). */
  readonly decoupled: boolean;
}

/**
 * One Adam step on a leaf of n = g.length entries: writes m' into `mOut`, v' into `vOut` and
 * `base[j] + u[j]` into `out` (`base` null: u itself). `w` is read only when weightDecay > 0.
 * Returns false when g has a non-finite entry (the outputs are then garbage and the caller throws;
 * fused check: Σ (g − g) is 0 exactly when every g is finite).
 *
 * @example
 * // in place: w ← w + u, m ← m', v ← v'
 * adamStepKernel(g, m, v, w, m, v, w, w, { lr: 1e-3, beta1: 0.9, beta2: 0.999, c1: 0.1, c2: 0.001, eps: 1e-8, weightDecay: 0, decoupled: false });
 */
export function adamStepKernel(
  g: Float64Array, m: Float64Array, v: Float64Array, w: Float64Array | null,
  mOut: Float64Array, vOut: Float64Array, out: Float64Array, base: Float64Array | null, c: AdamCoefficients,
): boolean {
  const n = g.length;
  const { lr: a, beta1: b1, beta2: b2, c1, c2, eps, weightDecay: wd, decoupled } = c;
  const om1 = 1 - b1;
  const om2 = 1 - b2;
  let chk = 0;
  if (wd > 0 && w !== null) {
    for (let j = 0; j < n; j++) {
      const gj = g[j]!;
      chk += gj - gj;
      const wj = w[j]!;
      const d = decoupled ? gj : gj + wd * wj;
      const mj = b1 * m[j]! + om1 * d;
      const vj = b2 * v[j]! + om2 * d * d;
      mOut[j] = mj;
      vOut[j] = vj;
      let step = mj / c1 / (Math.sqrt(vj / c2) + eps);
      if (decoupled) step += wd * wj;
      out[j] = base === null ? -a * step : base[j]! + -a * step;
    }
  } else if (base === null) {
    for (let j = 0; j < n; j++) {
      const gj = g[j]!;
      chk += gj - gj;
      const mj = b1 * m[j]! + om1 * gj;
      const vj = b2 * v[j]! + om2 * gj * gj;
      mOut[j] = mj;
      vOut[j] = vj;
      out[j] = -a * (mj / c1 / (Math.sqrt(vj / c2) + eps));
    }
  } else {
    for (let j = 0; j < n; j++) {
      const gj = g[j]!;
      chk += gj - gj;
      const mj = b1 * m[j]! + om1 * gj;
      const vj = b2 * v[j]! + om2 * gj * gj;
      mOut[j] = mj;
      vOut[j] = vj;
      out[j] = base[j]! + -a * (mj / c1 / (Math.sqrt(vj / c2) + eps));
    }
  }
  return chk === 0;
}
