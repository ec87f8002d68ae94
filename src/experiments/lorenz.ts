/**
 * @file Experiment `lorenz` (Bolte, Le, Pauwels, Silveti-Falls 2021): a Lorenz attractor out of
 * "gradient ascent".
 *
 *     maximise_u  uᵀz   subject to   z ∈ argmin_s ‖s − F(u)‖⁴,
 *
 * F the Lorenz vector field (σ = 10, ρ = 28, β = 8/3). The inner solution is z(u) = F(u); its
 * optimality condition G(u, s) = ‖s − F(u)‖²·(s − F(u)) = 0 has B = ∂ₛG = ‖d‖²I + 2ddᵀ = 0 at the
 * solution (d = s − F(u) = 0): the implicit function theorem does not apply and nsdiff refuses by
 * default. Forcing the pseudo-inverse gives the implicit Jacobian −B⁺A = 0, so the "gradient" of
 * uᵀz(u) is z(u) + (∂z)ᵀu = F(u), and gradient ascent u ← u + η·F(u) is the Euler scheme of the
 * Lorenz ODE: bounded, never converging, switching lobes.
 */
import { InvertibilityError } from '../core/errors.js';
import { tensor, type Tensor } from '../core/tensor.js';
import { grad } from '../autodiff/transforms.js';
import { dot, index, mul, stack, sub, sum } from '../ops/index.js';
import { customRoot, type ImplicitFunction, type InvertibilityFallback } from '../implicit/index.js';
import { lineChart } from '../plot/svg.js';
import { phaseChart } from '../plot/figures.js';
import { check, fmt, round } from './common.js';
import type { Experiment, ExperimentContext, ExperimentResult } from './types.js';

const SIGMA = 10, RHO = 28, BETA = 8 / 3;

/**
 * Lorenz vector field F(u) = (σ(u₂ − u₁), u₁(ρ − u₃) − u₂, u₁u₂ − βu₃), with ops.
 * @example
 * lorenzField(tensor([1, 1, 1])).data; // [0, 26, -1.666…]
 */
export function lorenzField(u: Tensor): Tensor {
  const u1 = index(u, 0), u2 = index(u, 1), u3 = index(u, 2);
  return stack([mul(sub(u2, u1), SIGMA), sub(mul(u1, sub(RHO, u3)), u2), sub(mul(u1, u2), mul(u3, BETA))]);
}

/**
 * z(u) ∈ argmin_s ‖s − F(u)‖⁴ through its optimality condition ‖s − F(u)‖²(s − F(u)) = 0.
 * @example
 * const z = lorenzArgmin('lstsq');
 */
export function lorenzArgmin(fallback?: InvertibilityFallback): ImplicitFunction<Tensor, Tensor> {
  return customRoot<Tensor, Tensor>(
    (u, s) => {
      const d = sub(s, lorenzField(u));
      return mul(sum(mul(d, d)), d);
    },
    (u) => tensor(Float64Array.from(lorenzField(u).data)),
    { ...(fallback ? { onFailure: 'return' as const, fallback } : {}), name: 'lorenzArgmin' },
  );
}

/**
 * The outer objective uᵀz(u).
 * @example
 * const f = outerObjective(lorenzArgmin('lstsq'));
 */
export function outerObjective(z: ImplicitFunction<Tensor, Tensor>): (u: Tensor) => Tensor {
  return (u) => dot(u, z(u));
}

/**
 * Gradient ascent on uᵀz(u) with the pseudo-inverse fallback; returns the trajectory.
 * @example
 * const { path } = lorenzAscent(100); // 101 points of ℝ³
 */
export function lorenzAscent(steps: number, eta = 0.01, u0: readonly number[] = [1, 1, 1]): { path: Float64Array[]; z: ImplicitFunction<Tensor, Tensor> } {
  const z = lorenzArgmin('lstsq');
  const g = grad(outerObjective(z));
  let u = tensor([...u0]);
  const path: Float64Array[] = [Float64Array.from(u.data)];
  for (let k = 0; k < steps; k++) {
    const gu = g(u) as Tensor;
    u = tensor(Float64Array.from(u.data, (v, i) => v + eta * gu.data[i]!));
    path.push(Float64Array.from(u.data));
  }
  return { path, z };
}

/**
 * The (u₁, u₃) projection of the trajectory as an SVG phase plot.
 * @example
 * const svg = trajectorySvg(lorenzAscent(200).path);
 */
export function trajectorySvg(path: readonly Float64Array[], width = 640, height = 480): string {
  return phaseChart({
    title: 'lorenz: gradient ascent on uᵀz(u) with the pseudo-inverse implicit Jacobian',
    xLabel: 'u₁ (dimensionless)', yLabel: 'u₃ (dimensionless)', width, height,
    paths: [{ name: 'u_k, k = 0, 1, …', points: path.map((p) => [p[0]!, p[2]!] as const), width: 0.7 }],
  });
}

function run(ctx: ExperimentContext): ExperimentResult {
  const steps = ctx.quick ? 1500 : 4000;
  let refused = false;
  try {
    grad(outerObjective(lorenzArgmin()))(tensor([1, 1, 1]));
  } catch (e) {
    if (!(e instanceof InvertibilityError)) throw e;
    refused = true;
  }
  const { path } = lorenzAscent(steps);
  // the ascent direction equals F(u): compare one step with the Euler step of the ODE
  const u1 = path[1]!;
  const eulerGap = Math.hypot(u1[0]! - 1, u1[1]! - (1 + 0.01 * 26), u1[2]! - (1 + 0.01 * (1 - BETA)));
  let switches = 0;
  for (let k = 1; k < path.length; k++) if (Math.sign(path[k]![0]!) !== Math.sign(path[k - 1]![0]!)) switches++;
  const maxNorm = Math.max(...path.map((p) => Math.hypot(p[0]!, p[1]!, p[2]!)));
  const tail = path.slice(-200);
  const minStep = Math.min(...tail.slice(1).map((p, i) => Math.hypot(p[0]! - tail[i]![0]!, p[1]! - tail[i]![1]!, p[2]! - tail[i]![2]!)));
  const figures = {
    'lorenz-attractor': trajectorySvg(path),
    'lorenz-u1': lineChart([{ name: 'u₁', points: path.map((p, k) => [k, p[0]!] as const), width: 1 }], {
      title: 'lorenz: u₁ along the ascent switches lobes irregularly', xLabel: 'gradient step k (η = 0.01)', yLabel: 'u₁ (dimensionless)', legend: 'none',
      hLines: [{ y: 0, color: '#666' }],
    }),
  };
  const checks = [
    check('the default settings refuse the singular B (InvertibilityError)', refused, refused),
    check('the first ascent step is the Euler step u + η·F(u) (to 1e-12)', eulerGap <= 1e-12, eulerGap),
    check('bounded: max ‖u_k‖ ≤ 100', maxNorm <= 100, maxNorm),
    check('never converges: smallest of the last 200 steps ≥ 1e-3', minStep >= 1e-3, minStep),
    check(`switches lobes (sign changes of u₁) at least ${ctx.quick ? 3 : 5} times`, switches >= (ctx.quick ? 3 : 5), switches),
  ];
  const summary = [
    `default settings: ${refused ? 'refused (InvertibilityError)' : 'ACCEPTED (unexpected)'}`,
    `pseudo-inverse fallback: the "gradient" of uᵀz(u) is F(u) (first step vs Euler: ${fmt(eulerGap)})`,
    `${steps} ascent steps, η = 0.01: max ‖u‖ = ${fmt(maxNorm)}, ${switches} lobe switches, smallest recent step ${fmt(minStep)}: the Lorenz attractor, no convergence`,
  ].join('\n');
  return {
    name: 'lorenz', figures, summary, checks,
    data: { steps, eta: 0.01, u0: [1, 1, 1], refused, eulerGap, maxNorm, switches, minStep, u1: round(path.map((p) => p[0]!)), u2: round(path.map((p) => p[1]!)), u3: round(path.map((p) => p[2]!)) },
  };
}

/** The `lorenz` experiment. */
export const lorenzExperiment: Experiment = {
  name: 'lorenz',
  title: 'Lorenz: gradient ascent through a degenerate argmin draws the attractor',
  expected:
    'nsdiff refuses the degenerate optimality condition by default; forced with the pseudo-inverse, the ascent direction is F(u) (the Euler ' +
    'scheme of the Lorenz ODE): the iterates stay bounded (‖u‖ ≤ 100), never converge and switch lobes.',
  run,
};
