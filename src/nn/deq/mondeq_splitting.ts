/**
 * @file The operator-splitting backward of monDEQ (Winston & Kolter 2020, §4): the linear systems
 * of implicit differentiation at z* = relu(W z* + U x + b) solved by the same forward–backward or
 * Peaceman–Rachford splitting as the forward pass, per sample, as a custom solver for the
 * `linearSolver` slot of `customFixedPoint` (the one implicit mechanism; `deq`'s backward).
 *
 * Derivation. With D = relu'(W z* + U x + b) (diagonal, the kink policy's element, D_i ∈ [0, 1])
 * and B = I − D W the Jacobian of the residual z − f(z):
 *
 * Reverse mode, Bᵀ u = g ⇔ u = Wᵀ D u + g. Put ũ = D u, so u = g + Wᵀ ũ. Where D_i > 0,
 * ũ_i / D_i − (Wᵀ ũ)_i = g_i, i.e. ((I − Wᵀ) ũ)_i + (1/D_i − 1) ũ_i = g_i; where D_i = 0, ũ_i = 0.
 * So ũ solves the monotone inclusion
 *
 *   0 ∈ F(ũ) + G(ũ),   F(s) = (I − M) s − c,   G = diag((1 − D_i)/D_i)  (the normal cone of {0} where D_i = 0)
 *
 * with M = Wᵀ, c = g. F is strongly monotone (I − Wᵀ has the symmetric part of I − W ⪰ mI) and
 * G is maximal monotone, exactly as in the forward problem; relu's prox is replaced by the
 * resolvent of G,  J_G(v)_i = D_i v_i / (D_i + α(1 − D_i))  (= D_i v_i for a 0/1 selection).
 *
 * Forward mode, B t = r: t = s + r with s = D W (s + r), i.e. the same inclusion with M = W,
 * c = W r, and t = r + s.
 *
 * The splittings, per sample (step α > 0):
 *   forward–backward:   s ← J_G((1 − α) s + α (M s + c))                      (α ≤ 2m/‖I − W‖²)
 *   Peaceman–Rachford:  state q, s = J_G(q), v = 2s − q, ŝ = (I + α(I − M))⁻¹ (v + α c), q ← 2ŝ − v
 *                       (converges for every α > 0; warm start q₀ = s₀ − α F(s₀))
 * iterated by the per-sample batch solvers (`fixed_point_batch.ts`: Anderson or plain, converged
 * samples stop costing work). Each sample's TRUE residual ‖r_s − (B t)_s‖ is then checked against
 * max(tol·‖r_s‖, atol); samples that miss it get refinement rounds with a tighter inner tolerance,
 * and every sample reports its status, iterations and residual.
 */
import { jvp } from '../../autodiff/transforms.js';
import { ConcreteTensor } from '../../core/tensor.js';
import { relu } from '../../ops/nonsmooth.js';
import { resolveBatchFixedPointOptions, solveBatchFixedPointResolved, type BatchFixedPointMethod } from '../../implicit/fixed_point_batch.js';
import type { CustomLinearProblem, CustomLinearResult } from '../../implicit/types.js';

/** Operator splitting of a monDEQ (forward or backward pass). */
export type MonDeqSplitting = 'forward-backward' | 'peaceman-rachford';

/** The structure a monDEQ hands to its splitting backward, at one point. */
export interface MonDeqLinearStructure {
  /** Samples B and width d of a sample (the flattened z is B·d, row-major). */
  batch: number;
  dim: number;
  /** Pre-activations W z* + U x + b at the fixed point (B·d), concrete. */
  pre: Float64Array;
  /** Per row of S (rows × d): M s with M = W (`transpose` false) or Wᵀ (true). */
  applyW(S: Float64Array, rows: number, transpose: boolean): Float64Array;
  /** Per row of V: (I + α(I − M))⁻¹ v (Peaceman–Rachford only). */
  resolvent?(V: Float64Array, rows: number, transpose: boolean): Float64Array;
}

/** Settings of the splitting backward. */
export interface MonDeqSplittingSettings {
  splitting: MonDeqSplitting;
  alpha: number;
  /** Per-sample iteration scheme on the splitting map. Default `'anderson'`. */
  method: BatchFixedPointMethod;
  /** Anderson memory. */
  memory: number;
  /** Iteration budget per sample when customRoot's `maxIter` is not set. */
  maxIter: number;
  name: string;
}

function rowNorms(v: Float64Array, B: number, d: number): Float64Array {
  const out = new Float64Array(B);
  for (let s = 0; s < B; s++) {
    let a = 0;
    for (let k = 0; k < d; k++) a += v[s * d + k]! ** 2;
    out[s] = Math.sqrt(a);
  }
  return out;
}

/**
 * Solves one implicit-differentiation system of a monDEQ by operator splitting (see the file
 * header). `structure` gives W's products and the pre-activations at z*.
 *
 * @example
 * // inside mondeq: customFixedPoint(..., { linearSolver: { name: 'splitting', solve: (p) => monDeqSplittingSolve(p, structureAt(p), settings) } })
 */
export function monDeqSplittingSolve<X, Y>(problem: CustomLinearProblem<X, Y>, st: MonDeqLinearStructure, set: MonDeqSplittingSettings): CustomLinearResult {
  const { batch: B, dim: d } = st;
  const { rhs, transpose } = problem;
  const alpha = set.alpha;
  const pr = set.splitting === 'peaceman-rachford';
  // D = relu'(pre) under the kink selection B uses (one JVP of relu with a tangent of ones)
  const preT = new ConcreteTensor(st.pre, [B, d]);
  const ones = new ConcreteTensor(new Float64Array(B * d).fill(1), [B, d]);
  const D = problem.withSelection(() => jvp((p) => relu(p), [preT], [ones])[1]).data;
  // J_G's factor per entry: D / (D + α(1 − D))
  const gfac = new Float64Array(B * d);
  for (let i = 0; i < B * d; i++) {
    const di = D[i]!;
    gfac[i] = di === 1 ? 1 : di <= 0 ? 0 : di / (di + alpha * (1 - di));
  }
  // c = g (reverse) or W r (forward)
  const c = transpose ? rhs : st.applyW(rhs, B, false);

  // warm start: s₀ from x0 (reverse: ũ = D u; forward: s = t − r), state q₀ = s₀ − αF(s₀) for PR
  let state: Float64Array = new Float64Array(B * d);
  if (problem.x0) {
    const s0 = new Float64Array(B * d);
    for (let i = 0; i < B * d; i++) s0[i] = transpose ? gfac[i]! * problem.x0[i]! : problem.x0[i]! - rhs[i]!;
    if (pr) {
      const Ms = st.applyW(s0, B, transpose);
      for (let i = 0; i < B * d; i++) state[i] = s0[i]! - alpha * (s0[i]! - Ms[i]! - c[i]!);
    } else state = s0;
  }

  const rnorm = rowNorms(rhs, B, d);
  const target = Float64Array.from(rnorm, (n) => Math.max(problem.tol * n, problem.atol));
  const iterations = new Int32Array(B);
  const converged = new Uint8Array(B);
  let residuals: Float64Array = new Float64Array(B);
  let x: Float64Array = new Float64Array(B * d);
  const maxIter = problem.maxIter ?? set.maxIter;

  /** Runs the splitting on the samples `idx` from their current states with inner relative tolerance `rtol`. */
  const run = (idx: Int32Array, rtol: number, budget: number): void => {
    const n = idx.length;
    const z0 = new Float64Array(n * d);
    for (let a = 0; a < n; a++) z0.set(state.subarray(idx[a]! * d, idx[a]! * d + d), a * d);
    const identity = n === B;
    const gather = (src: Float64Array, rows: Int32Array): Float64Array => {
      // all samples active (the common case early on): no copy
      if (identity && rows.length === B) return src;
      const out = new Float64Array(rows.length * d);
      for (let a = 0; a < rows.length; a++) {
        const s = idx[rows[a]!]!;
        out.set(src.subarray(s * d, s * d + d), a * d);
      }
      return out;
    };
    const g = (q: Float64Array, rows: Int32Array): Float64Array => {
      const nr = rows.length;
      const G = gather(gfac, rows);
      const C = gather(c, rows);
      const out = new Float64Array(nr * d);
      if (!pr) {
        const Ms = st.applyW(q, nr, transpose);
        for (let i = 0; i < nr * d; i++) out[i] = G[i]! * ((1 - alpha) * q[i]! + alpha * (Ms[i]! + C[i]!));
        return out;
      }
      // v = 2 J_G(q) − q + α c, ŝ = R v, q⁺ = 2ŝ − (2 J_G(q) − q)
      const v = new Float64Array(nr * d);
      for (let i = 0; i < nr * d; i++) {
        const vi = 2 * G[i]! * q[i]! - q[i]!;
        out[i] = vi;
        v[i] = vi + alpha * C[i]!;
      }
      const sh = st.resolvent!(v, nr, transpose);
      for (let i = 0; i < nr * d; i++) out[i] = 2 * sh[i]! - out[i]!;
      return out;
    };
    const o = resolveBatchFixedPointOptions(
      { method: set.method, memory: set.memory, tol: 0, rtol, maxIter: budget, onFailure: 'return', name: set.name, safeguard: 10 },
      set.name,
    );
    const { z, report } = solveBatchFixedPointResolved(g, z0, n, o);
    for (let a = 0; a < n; a++) {
      state.set(z.subarray(a * d, a * d + d), idx[a]! * d);
      iterations[idx[a]!] = iterations[idx[a]!]! + report.iterations[a]!;
    }
  };

  /** x from the states, and the per-sample true residuals (one product with B). */
  const finish = (): void => {
    // s = J_G(q) for Peaceman–Rachford; forward–backward's state is s itself
    const s = pr ? state.map((v, i) => gfac[i]! * v) : state;
    if (transpose) {
      const Ws = st.applyW(s, B, true);
      x = new Float64Array(B * d);
      for (let i = 0; i < B * d; i++) x[i] = rhs[i]! + Ws[i]!;
    } else {
      x = new Float64Array(B * d);
      for (let i = 0; i < B * d; i++) x[i] = rhs[i]! + s[i]!;
    }
    const Bx = problem.apply(x, { transpose });
    const res = new Float64Array(B * d);
    for (let i = 0; i < B * d; i++) res[i] = rhs[i]! - Bx[i]!;
    residuals = rowNorms(res, B, d);
    for (let k = 0; k < B; k++) converged[k] = residuals[k]! <= target[k]! ? 1 : 0;
  };

  // round 0 on every sample with a nonzero right-hand side, then refinement of the misses
  let idx = Int32Array.from({ length: B }, (_, k) => k).filter((k) => rnorm[k]! > 0);
  let rtol = problem.tol;
  for (let round = 0; round < 4 && idx.length > 0; round++) {
    const left = Math.max(1, maxIter - Math.max(...Array.from(idx, (k) => iterations[k]!)));
    if (round > 0 && left <= 1) break;
    run(idx, rtol, round === 0 ? maxIter : left);
    finish();
    idx = idx.filter((k) => !converged[k]);
    // tighten by the worst miss factor among the remaining samples
    let miss = 1;
    for (const k of idx) miss = Math.max(miss, residuals[k]! / target[k]!);
    rtol = Math.max(1e-16, (rtol / miss) * 0.1);
  }
  let total = 0, worstIt = 0, nConv = 0;
  for (let k = 0; k < B; k++) {
    if (rnorm[k] === 0) converged[k] = 1;
    total += residuals[k]! ** 2;
    worstIt = Math.max(worstIt, iterations[k]!);
    nConv += converged[k]!;
  }
  return {
    x,
    converged: nConv === B,
    iterations: worstIt,
    residualNorm: Math.sqrt(total),
    reason: nConv === B ? 'converged' : 'maxIter',
    samples: { converged, iterations, residuals },
  };
}
