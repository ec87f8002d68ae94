/**
 * @file Pathological implicit differentiation (Bolte, Le, Pauwels, Silveti-Falls 2021): a Lorenz
 * attractor out of "gradient ascent".
 *
 *     maximise_u  uᵀz   subject to   z ∈ argmin_s ‖s − F(u)‖⁴,
 *
 * F the Lorenz vector field (σ = 10, ρ = 28, β = 8/3). The inner solution is z(u) = F(u); its
 * optimality condition G(u, s) = ‖s − F(u)‖²·(s − F(u)) = 0 has B = ∂ₛG = ‖d‖²I + 2ddᵀ = 0 at the
 * solution (d = s − F(u) = 0): the implicit function theorem does not apply. nsdiff refuses by
 * default (InvertibilityError). Forcing the pseudo-inverse (onFailure 'return', fallback 'lstsq') gives the implicit
 * Jacobian −B⁺A = 0, so the "gradient" of uᵀz(u) is z(u) + (∂z)ᵀu = F(u), and gradient ascent
 * u ← u + η·F(u) is the Euler scheme of the Lorenz ODE: it never converges and draws the attractor.
 *
 * Run: npx tsx examples/implicit-lorenz.ts [--steps 3000] [--svg lorenz.svg]
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  lineChart,
  customRoot, dot, grad, index, InvertibilityError, mul, stack, sub, sum, tensor,
  type InvertibilityFallback, type ImplicitFunction, type Tensor,
} from '../src/index.js';

const SIGMA = 10, RHO = 28, BETA = 8 / 3;

/** Lorenz vector field F(u) = (σ(u₂ − u₁), u₁(ρ − u₃) − u₂, u₁u₂ − βu₃), with ops. */
export function lorenzField(u: Tensor): Tensor {
  const u1 = index(u, 0), u2 = index(u, 1), u3 = index(u, 2);
  return stack([mul(sub(u2, u1), SIGMA), sub(mul(u1, sub(RHO, u3)), u2), sub(mul(u1, u2), mul(u3, BETA))]);
}

/** z(u) ∈ argmin_s ‖s − F(u)‖⁴ through its optimality condition ‖s − F(u)‖²(s − F(u)) = 0. */
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

/** The outer objective uᵀz(u). */
export function outerObjective(z: ImplicitFunction<Tensor, Tensor>): (u: Tensor) => Tensor {
  return (u) => dot(u, z(u));
}

/** Gradient ascent on uᵀz(u) with the pseudo-inverse fallback; returns the trajectory (rows u₁, u₂, u₃). */
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

/** The (u₁, u₃) projection of the trajectory as an SVG chart (nsdiff's `lineChart`). */
export function trajectorySvg(path: readonly Float64Array[], width = 640, height = 480): string {
  return lineChart([{ name: 'u(k), k = 0, 1, …', points: path.map((p) => [p[0]!, p[2]!] as const) }], {
    title: 'gradient ascent on uᵀz(u) with the pseudo-inverse implicit Jacobian',
    xLabel: 'u₁',
    yLabel: 'u₃',
    width,
    height,
  });
}

function main(): void {
  const args = process.argv.slice(2);
  const opt = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const steps = Number(opt('--steps') ?? 3000);
  const svg = opt('--svg');

  const u0 = tensor([1, 1, 1]);
  try {
    grad(outerObjective(lorenzArgmin()))(u0);
    console.log('unexpected: the default settings accepted a singular B');
  } catch (e) {
    if (!(e instanceof InvertibilityError)) throw e;
    console.log(`default settings refuse: ${e.name}: ${e.message.slice(0, 220)}…`);
    console.log(`  details: σ_min = ${e.details.sigmaMin}, selection = ${e.details.selection}`);
  }

  const { path, z } = lorenzAscent(steps);
  const rep = z.lastReport!;
  console.log(`with fallback 'lstsq': linear solve ${JSON.stringify(rep.linearSolve)}`);
  console.log(`the "gradient" is F(u): the implicit Jacobian −B⁺A is 0`);
  for (const k of [0, 1, 10, 100, 500, 1000, 2000, steps].filter((k, i, a) => k <= steps && a.indexOf(k) === i)) {
    const p = path[k]!;
    console.log(`  step ${String(k).padStart(5)}: u = (${Array.from(p, (v) => v.toFixed(3).padStart(8)).join(', ')})`);
  }
  let changes = 0;
  for (let k = 1; k < path.length; k++) if (Math.sign(path[k]![0]!) !== Math.sign(path[k - 1]![0]!)) changes++;
  const maxNorm = Math.max(...path.map((p) => Math.hypot(...p)));
  const tail = path.slice(-200);
  const minStep = Math.min(...tail.slice(1).map((p, i) => Math.hypot(p[0]! - tail[i]![0]!, p[1]! - tail[i]![1]!, p[2]! - tail[i]![2]!)));
  console.log(`bounded: max ‖u‖ = ${maxNorm.toFixed(2)}; lobe switches (sign changes of u₁): ${changes}; smallest of the last 200 steps: ${minStep.toFixed(4)} (no convergence)`);
  if (svg) {
    writeFileSync(svg, trajectorySvg(path));
    console.log(`wrote ${svg}`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
