/**
 * @file Experiment `clarke-integral` (Le's defence slides): the Clarke integral rule fails.
 * f(w, s) = s|w|, ξ ~ P with P = ½δ₋₁ + ½δ₁ (or the uniform density on [−1, 1]), F(w) = E f(w, ξ) = 0
 * for every w, so ∂ᶜF(0) = {0}; but ∂ᶜ_w f(0, s) = s·[−1, 1] = [−|s|, |s|] and the (Aumann)
 * expectation is E[∂ᶜ_w f(0, ξ)] = [−E|ξ|, E|ξ|]: [−1, 1] for the two-point law, [−½, ½] for the
 * uniform one — never {0}.
 *
 * What autodiff does: the conservative field D(w, s) = s·abs'(w) with the selection at w = 0 given
 * by the kink policy ('right': abs'(0) = 1, so D(0, s) = s; 'minNorm': 0). The minibatch
 * conservative gradient at 0 under 'right', (1/B)Σ ξᵢ, is a random element of E[∂ᶜf(0, ξ)] with
 * mean 0 and standard deviation √(Var ξ / B) (Var = 1 or ⅓): it is not an element of ∂ᶜF(0) = {0},
 * but its mean is, and it shrinks like B^(−½) (fitted and checked). SGD w_{k+1} = w_k − α_k ĝ_k with
 * Robbins–Monro steps α_k = a0/(k + 1)^0.75 still converges: w_k is a martingale with increments of
 * variance ≤ α_k² (Σα_k² < ∞), so w_k converges almost surely (to a random limit, every point being
 * critical for F ≡ 0).
 */
import { rng } from '../core/rng.js';
import { scalar, tensor, type Tensor } from '../core/tensor.js';
import { grad } from '../autodiff/transforms.js';
import { withKinkPolicy, type KinkPolicy } from '../autodiff/kinks.js';
import { abs, mean, mul } from '../ops/index.js';
import { robbinsMonro } from '../nn/schedules.js';
import { lineChart } from '../plot/svg.js';
import { rateChart } from '../plot/figures.js';
import { check, fitLine, fmt, round } from './common.js';
import type { Experiment, ExperimentContext, ExperimentResult } from './types.js';

/** The two laws of ξ. */
export type IntegralLaw = 'two-point' | 'uniform';

/**
 * Draws B samples of ξ.
 * @example
 * sampleXi('two-point', 4, rng(0)); // Float64Array of ±1
 */
export function sampleXi(law: IntegralLaw, B: number, g: ReturnType<typeof rng>): Float64Array {
  return Float64Array.from({ length: B }, () => (law === 'two-point' ? (g.random() < 0.5 ? -1 : 1) : g.uniformScalar(-1, 1)));
}

/**
 * The minibatch objective w ↦ (1/B) Σ ξᵢ|w| as an nsdiff function (its gradient is the minibatch conservative gradient).
 * @example
 * grad(minibatchObjective(Float64Array.of(1, 1)))(scalar(2)).item(); // 1
 */
export function minibatchObjective(xi: Float64Array): (w: Tensor) => Tensor {
  const s = tensor(xi);
  return (w) => mean(mul(s, abs(w)));
}

/** Minibatch conservative gradient at w under a kink policy. */
function minibatchGrad(w: number, xi: Float64Array, policy: KinkPolicy): number {
  return withKinkPolicy(policy, () => (grad(minibatchObjective(xi))(scalar(w)) as Tensor).item());
}

function run(ctx: ExperimentContext): ExperimentResult {
  const g = rng(ctx.seed);
  const laws: IntegralLaw[] = ['two-point', 'uniform'];
  const expectedAbs = { 'two-point': 1, uniform: 0.5 };
  const variance = { 'two-point': 1, uniform: 1 / 3 };
  // 1. the exact expectation F(w) = E f(w, ξ) written with ops (two atoms) has derivative 0 at 0 under every policy
  const Fexact = (w: Tensor) => mean(mul(tensor([-1, 1]), abs(w)));
  const exactGrads = (['minNorm', 'left', 'right'] as KinkPolicy[]).map((p) => withKinkPolicy(p, () => (grad(Fexact)(scalar(0)) as Tensor).item()));
  // 2. single-sample selections D(0, ξ) ∈ [−|ξ|, |ξ|] under 'right': their range spans E[∂ᶜf(0, ξ)]
  const draws = ctx.quick ? 400 : 2000;
  const single: Record<IntegralLaw, { min: number; max: number; meanAbs: number }> = {} as never;
  for (const law of laws) {
    const xi = sampleXi(law, draws, g);
    const d = Array.from(xi, (s) => minibatchGrad(0, Float64Array.of(s), 'right'));
    single[law] = { min: Math.min(...d), max: Math.max(...d), meanAbs: d.reduce((a, b) => a + Math.abs(b), 0) / d.length };
  }
  // 3. spread of the minibatch conservative gradient at 0 against the batch size B
  const sizes = ctx.quick ? [1, 4, 16, 64] : [1, 2, 4, 8, 16, 32, 64, 128, 256];
  const reps = ctx.quick ? 200 : 1000;
  const spread: Record<IntegralLaw, Array<[number, number]>> = { 'two-point': [], uniform: [] };
  const slopes: Record<IntegralLaw, number> = { 'two-point': NaN, uniform: NaN };
  for (const law of laws) {
    for (const B of sizes) {
      let s2 = 0;
      for (let r = 0; r < reps; r++) s2 += minibatchGrad(0, sampleXi(law, B, g), 'right') ** 2;
      spread[law].push([B, Math.sqrt(s2 / reps)]);
    }
    slopes[law] = fitLine(spread[law].map((p) => Math.log(p[0])), spread[law].map((p) => Math.log(p[1]))).slope;
  }
  // 4. SGD with Robbins–Monro steps from w₀ = 0 (the kink), minibatches of 4, several seeds
  const K = ctx.quick ? 400 : 2000;
  const seeds = ctx.quick ? 6 : 12;
  const alpha = robbinsMonro({ a0: 0.5, k0: 1, p: 0.75 });
  const paths: Record<IntegralLaw, number[][]> = { 'two-point': [], uniform: [] };
  for (const law of laws) {
    for (let r = 0; r < seeds; r++) {
      const gs = rng(ctx.seed * 1000 + r + (law === 'uniform' ? 500 : 0));
      let w = 0;
      const path = [w];
      for (let k = 0; k < K; k++) {
        w -= alpha(k) * minibatchGrad(w, sampleXi(law, 4, gs), 'right');
        path.push(w);
      }
      paths[law].push(path);
    }
  }
  // convergence: the movement over the last half vs the first half
  const moveLate = Math.max(...laws.flatMap((l) => paths[l].map((p) => Math.abs(p[K]! - p[Math.floor(K / 2)]!))));
  const moveEarly = Math.max(...laws.flatMap((l) => paths[l].map((p) => Math.max(...p.slice(0, Math.floor(K / 2))) - Math.min(...p.slice(0, Math.floor(K / 2))))));
  const figures = {
    'clarke-integral-spread': rateChart({
      kind: 'power',
      title: 'clarke-integral: minibatch conservative gradient at w = 0 (policy right)',
      xLabel: 'batch size B (log scale)', yLabel: 'RMS of the minibatch gradient (log scale)',
      series: laws.map((l) => ({ name: `ξ ${l}: fitted slope ${slopes[l].toFixed(3)}`, points: spread[l], markers: true })),
      references: laws.map((l) => ({ name: `√(Var ξ / B), slope −½ (${l})`, x0: 1, y0: Math.sqrt(variance[l]), slope: -0.5, from: sizes[0]!, to: sizes[sizes.length - 1]! })),
    }),
    'clarke-integral-sgd': lineChart(
      laws.flatMap((l, li) => paths[l].map((p, r) => ({
        name: `SGD, ξ ${l}`, points: p.map((w, k) => [k, w] as const), color: li === 0 ? '#4e79a7' : '#f28e2b', width: 1, hideInLegend: r > 0,
      }))),
      { title: `clarke-integral: SGD on F ≡ 0 with minibatch conservative gradients converges (α_k = 0.5/(k+1)^0.75, B = 4)`, xLabel: 'SGD step k', yLabel: 'w_k (dimensionless)' },
    ),
  };
  const checks = [
    check('autodiff of F = E f(·, ξ) (exact two-point expectation) at 0 is 0 under minNorm, left and right', exactGrads.every((v) => v === 0), exactGrads.join(', ')),
    check('single-sample selections D(0, ξ) fill [−1, 1] (two-point law): min = −1, max = 1', single['two-point'].min === -1 && single['two-point'].max === 1, `${single['two-point'].min}, ${single['two-point'].max}`),
    check('E|D(0, ξ)| ≈ E|ξ| (1 and ½, within 0.05): E[∂ᶜf(0, ξ)] = [−E|ξ|, E|ξ|] ≠ {0}', laws.every((l) => Math.abs(single[l].meanAbs - expectedAbs[l]) < 0.05), laws.map((l) => fmt(single[l].meanAbs)).join(', ')),
    check('the minibatch gradient at 0 shrinks like B^(−½): fitted log-log slopes in [−0.6, −0.4]', laws.every((l) => slopes[l] >= -0.6 && slopes[l] <= -0.4), laws.map((l) => slopes[l].toFixed(3)).join(', ')),
    check('SGD converges: max |w_K − w_{K/2}| ≤ ¼ of the largest range of w over the first half', moveLate <= 0.25 * moveEarly, moveLate),
  ];
  const summary = [
    `F(w) = E[ξ|w|] ≡ 0: autodiff gives F'(0) = ${exactGrads.join(', ')} (minNorm, left, right) — ∂ᶜF(0) = {0}`,
    `single samples, policy right: D(0, ξ) ranges over [${single['two-point'].min}, ${single['two-point'].max}] (two-point), mean |D| = ${fmt(single['two-point'].meanAbs)} / ${fmt(single.uniform.meanAbs)} (two-point / uniform): E[∂ᶜf(0, ξ)] = [−1, 1] / [−½, ½] ≠ {0}`,
    `minibatch gradient at 0: RMS ∝ B^slope with slope ${slopes['two-point'].toFixed(3)} (two-point), ${slopes.uniform.toFixed(3)} (uniform); theory −½`,
    `SGD (${seeds} seeds per law, ${K} steps, Robbins–Monro α_k = 0.5/(k+1)^0.75): max |w_K − w_{K/2}| = ${fmt(moveLate)} vs early range ${fmt(moveEarly)} — converges, to a random limit`,
  ].join('\n');
  return {
    name: 'clarke-integral', figures, summary, checks,
    data: { exactGrads, single, batchSizes: sizes, spread, slopes, sgd: { K, seeds, final: Object.fromEntries(laws.map((l) => [l, round(paths[l].map((p) => p[K]!))])), moveLate, moveEarly } },
  };
}

/** The `clarke-integral` experiment. */
export const clarkeIntegralExperiment: Experiment = {
  name: 'clarke-integral',
  title: 'Clarke integral rule: f(w, s) = s|w|, ∂ᶜF(0) = {0} but E[∂ᶜ_w f(0, ξ)] = [−E|ξ|, E|ξ|]',
  expected:
    'Autodiff of the exact expectation gives F\'(0) = 0; single-sample conservative gradients at 0 fill [−1, 1] (two-point law), so the ' +
    'expected Clarke subdifferential is an interval, not {0}; the minibatch gradient at 0 shrinks like B^(−½) (fitted slope in [−0.6, −0.4]); ' +
    'SGD with Robbins–Monro steps converges anyway.',
  run,
};
