/**
 * @file `tvDenoise1d`: 1-D total-variation denoising along the last axis,
 *
 *   z(y, λ) = argmin_z ½‖z − y‖² + λ Σᵢ |z_{i+1} − z_i|,
 *
 * forward by Condat's direct algorithm (exact, O(n) in practice; L. Condat, "A direct algorithm
 * for 1D total variation denoising", IEEE SPL 2013), derivative in closed form. The solution is
 * piecewise constant on segments [a, b]; with the dual u (z = y − Dᵀu, i.e. u_i = u_{i−1} + z_i − y_i,
 * u_0 = u_n = 0; |u_i| ≤ λ, u_i = λ·sign(z_{i+1} − z_i) at a jump) the value of a segment is
 *
 *   z_a = … = z_b = mean(y_a..y_b) + λ·(σ_b − σ_{a−1}) / (b − a + 1),   σ_i = u_i/λ ∈ {−1, 0, +1}
 *
 * (σ = 0 at the two ends), so dz/dy averages over segments and dz/dλ = (σ_b − σ_{a−1})/len.
 *
 * Kinks: a fused pair (z_i = z_{i+1}) whose dual sits on its bound (|u_i| = λ, to 1e-9 relative)
 * could split: J_act keeps it fused (the constraint z_i = z_{i+1} treated as binding), J_free
 * splits it with σ_i = sign(u_i). The derivative is (1 − t)·J_act + t·J_free with
 * t = selectDerivative(policy, 0, 1, row) — `minNorm` keeps segments fused, as `solveQp` keeps a
 * degenerate constraint active. Reported through `trackKinks` as `tvDenoise1d`.
 */
import { ConcreteTensor, concreteData, type Tensor } from '../core/tensor.js';
import { InvalidArgumentError, ShapeError, assertFinite } from '../core/errors.js';
import { checkOptions } from '../core/options.js';
import { isTrackingKinks, policyFor, reportKinks, selectDerivative, type KinkPolicy } from '../autodiff/kinks.js';
import { bindCustom, type CustomRule } from '../autodiff/trace.js';
import { asTensor, type TensorLike } from '../ops/convert.js';

/** Options of `tvDenoise1d`. */
export interface TvOptions {
  /** Kink selection at fused pairs whose dual is on its bound (default: the scope's policy). */
  kink?: KinkPolicy;
}

/** Condat's direct algorithm on one signal (input y[o..o+n), output z[o..o+n)). */
function condat(y: Float64Array, z: Float64Array, o: number, n: number, lambda: number): void {
  if (n === 1 || lambda === 0) {
    for (let i = 0; i < n; i++) z[o + i] = y[o + i]!;
    return;
  }
  let k = 0;
  let k0 = 0;
  let kplus = 0;
  let kminus = 0;
  let umin = lambda;
  let umax = -lambda;
  let vmin = y[o]! - lambda;
  let vmax = y[o]! + lambda;
  const twoLambda = 2 * lambda;
  const minLambda = -lambda;
  for (;;) {
    while (k === n - 1) {
      if (umin < 0) {
        do z[o + k0++] = vmin;
        while (k0 <= kminus);
        k = kminus = k0;
        vmin = y[o + k]!;
        umin = lambda;
        umax = vmin + umin - vmax;
      } else if (umax > 0) {
        do z[o + k0++] = vmax;
        while (k0 <= kplus);
        k = kplus = k0;
        vmax = y[o + k]!;
        umax = minLambda;
        umin = vmax + umax - vmin;
      } else {
        vmin += umin / (k - k0 + 1);
        do z[o + k0++] = vmin;
        while (k0 <= k);
        return;
      }
    }
    umin += y[o + k + 1]! - vmin;
    if (umin < minLambda) {
      do z[o + k0++] = vmin;
      while (k0 <= kminus);
      k = kplus = kminus = k0;
      vmin = y[o + k]!;
      vmax = vmin + twoLambda;
      umin = lambda;
      umax = minLambda;
      continue;
    }
    umax += y[o + k + 1]! - vmax;
    if (umax > lambda) {
      do z[o + k0++] = vmax;
      while (k0 <= kplus);
      k = kplus = kminus = k0;
      vmax = y[o + k]!;
      vmin = vmax - twoLambda;
      umin = lambda;
      umax = minLambda;
      continue;
    }
    k++;
    if (umin >= lambda) {
      kminus = k;
      vmin += (umin - lambda) / (kminus - k0 + 1);
      umin = lambda;
    }
    if (umax <= minLambda) {
      kplus = k;
      vmax += (umax + lambda) / (kplus - k0 + 1);
      umax = minLambda;
    }
  }
}

/**
 * Segment structure of one row for the derivative: `seg[i]` the segment id of i, `sig[s]` the
 * boundary signs σ_{a−1}, σ_b per segment as (σ_b − σ_{a−1}), `len[s]`.
 */
interface Segments {
  seg: Int32Array;
  coef: Float64Array;
  len: Float64Array;
  count: number;
}

function segmentsOf(z: Float64Array, sigma: Float64Array, o: number, n: number, split: Uint8Array | null): Segments {
  const seg = new Int32Array(n);
  let s = 0;
  for (let i = 1; i < n; i++) {
    if (z[o + i] !== z[o + i - 1] || (split && split[i - 1])) s++;
    seg[i] = s;
  }
  const count = s + 1;
  const coef = new Float64Array(count);
  const len = new Float64Array(count);
  for (let i = 0; i < n; i++) len[seg[i]!]++;
  // boundary i (between i and i+1) separating segments: σ_i enters +σ for the left segment, −σ for the right
  for (let i = 0; i < n - 1; i++) {
    if (seg[i] !== seg[i + 1]) {
      coef[seg[i]!] += sigma[i]!;
      coef[seg[i + 1]!] -= sigma[i]!;
    }
  }
  for (let c = 0; c < count; c++) coef[c] /= len[c]!;
  return { seg, coef, len, count };
}

/**
 * 1-D total-variation denoising along the last axis (leading axes are a batch):
 * argmin_z ½‖z − y‖² + λ Σ|z_{i+1} − z_i|, by Condat's exact direct algorithm, differentiable in y
 * and λ (closed form on the solution's segments; selection at kinks in the file header).
 *
 * @example
 * tvDenoise1d(tensor([0, 0, 3, 3]), 0.5); // tensor([0.25, 0.25, 2.75, 2.75])
 */
export function tvDenoise1d(y: TensorLike, lambda: TensorLike, opts?: TvOptions): Tensor {
  const where = 'tvDenoise1d()';
  checkOptions(opts, ['kink'], where);
  const yt = asTensor(y, where, 'y');
  const lt = asTensor(lambda, where, 'lambda');
  if (yt.ndim === 0 || yt.shape[yt.ndim - 1] === 0) throw new ShapeError(`${where}: y must have a nonempty last axis (the signal), got shape [${yt.shape.join(', ')}]`);
  if (lt.size !== 1) throw new ShapeError(`${where}: lambda must be a scalar, got shape [${lt.shape.join(', ')}]`);
  const policy = policyFor(opts?.kink);
  const n = yt.shape[yt.ndim - 1]!;
  const rows = yt.size / n;
  let act: Segments[] = [];
  let free: (Segments | null)[] = [];
  let t: number[] = [];
  const rule: CustomRule = {
    name: 'tvDenoise1d',
    primal: ([a, l]) => {
      const lam = l!.data[0]!;
      if (!(lam >= 0) || !Number.isFinite(lam)) throw new InvalidArgumentError(`${where}: lambda must be a finite number ≥ 0, got ${lam}`);
      const yd = a!.data;
      assertFinite(yd, `${where}: y`);
      const z = new Float64Array(yd.length);
      act = [];
      free = [];
      t = [];
      let kinks = 0;
      for (let r = 0; r < rows; r++) {
        const o = r * n;
        condat(yd, z, o, n, lam);
        // dual u_i = u_{i−1} + z_i − y_i and σ = u/λ (clamped to [−1, 1])
        const sigma = new Float64Array(Math.max(n - 1, 0));
        const split = new Uint8Array(Math.max(n - 1, 0));
        let u = 0;
        let deg = 0;
        let scale = 1;
        for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(yd[o + i]!));
        for (let i = 0; i < n - 1; i++) {
          u += z[o + i]! - yd[o + i]!;
          const sg = lam > 0 ? Math.max(-1, Math.min(1, u / lam)) : 0;
          const onBound = lam > 0 && Math.abs(Math.abs(u) - lam) <= 1e-9 * (lam + scale);
          sigma[i] = onBound || z[o + i] !== z[o + i + 1] ? Math.sign(sg) : 0;
          if (z[o + i] === z[o + i + 1] && onBound) {
            split[i] = 1;
            deg++;
          }
        }
        act.push(segmentsOf(z, sigma, o, n, null));
        kinks += deg;
        if (deg > 0) {
          free.push(segmentsOf(z, sigma, o, n, split));
          t.push(selectDerivative(policy, 0, 1, r));
        } else {
          free.push(null);
          t.push(0);
        }
      }
      if (isTrackingKinks()) reportKinks('tvDenoise1d', kinks);
      return [new ConcreteTensor(z, [...a!.shape])];
    },
    jvp: (xs, [dy, dl]) => {
      concreteData(xs[0]!, `${where} derivative (higher-order derivatives of tvDenoise1d are not supported)`);
      const dyd = dy ? concreteData(dy, `${where} tangent of y`) : null;
      const dld = dl ? concreteData(dl, `${where} tangent of lambda`)[0]! : 0;
      const out = new Float64Array(rows * n);
      for (let r = 0; r < rows; r++) {
        for (const [S, w] of [[act[r]!, 1 - t[r]!], [free[r], t[r]!]] as const) {
          if (!S || w === 0) continue;
          const sums = new Float64Array(S.count);
          if (dyd) for (let i = 0; i < n; i++) sums[S.seg[i]!] += dyd[r * n + i]!;
          for (let i = 0; i < n; i++) {
            const s = S.seg[i]!;
            out[r * n + i] += w * (sums[s]! / S.len[s]! + dld * S.coef[s]!);
          }
        }
      }
      return [new ConcreteTensor(out, [...yt.shape])];
    },
    vjp: (xs, _outs, [ct]) => {
      concreteData(xs[0]!, `${where} derivative (higher-order derivatives of tvDenoise1d are not supported)`);
      if (!ct) return [null, null];
      const c = concreteData(ct, `${where} cotangent`);
      const gy = new Float64Array(rows * n);
      let gl = 0;
      for (let r = 0; r < rows; r++) {
        for (const [S, w] of [[act[r]!, 1 - t[r]!], [free[r], t[r]!]] as const) {
          if (!S || w === 0) continue;
          const sums = new Float64Array(S.count);
          for (let i = 0; i < n; i++) sums[S.seg[i]!] += c[r * n + i]!;
          for (let i = 0; i < n; i++) gy[r * n + i] += (w * sums[S.seg[i]!]!) / S.len[S.seg[i]!]!;
          for (let s = 0; s < S.count; s++) gl += w * sums[s]! * S.coef[s]!;
        }
      }
      return [new ConcreteTensor(gy, [...yt.shape]), new ConcreteTensor(Float64Array.of(gl), [...lt.shape])];
    },
  };
  return bindCustom(rule, [yt, lt])[0]!;
}
