/**
 * @file Euclidean projection onto the probability simplex, differentiated through its KKT system
 * with a parameter tree as unknown y = { p, tau }:
 *
 *     p = relu(z − τ),   Σᵢ pᵢ = 1      ⇒   F(z, {p, τ}) = { p − relu(z − τ),  Σp − 1 }.
 *
 * With s the support indicator (zᵢ > τ) and D = diag(s): B = [[I, D·1], [1ᵀ, 0]], A = [[−D], [0]],
 * and −B⁻¹A gives the closed form  ∂p/∂z = diag(s) − s·sᵀ/|s|.
 *
 * Run: npx tsx examples/implicit-simplex.ts
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { customRoot, jacobian, relu, rng, scalar, sub, sum, tensor, type ImplicitOptions, type Tensor } from '../src/index.js';

export type SimplexY = { p: Tensor; tau: Tensor };

/** Sort-based projection (concrete): τ such that Σ max(zᵢ − τ, 0) = 1. */
export function projectSimplexConcrete(z: Float64Array): { p: Float64Array; tau: number } {
  const u = Float64Array.from(z).sort().reverse();
  let cum = 0;
  let tau = 0;
  for (let k = 0; k < u.length; k++) {
    cum += u[k]!;
    const t = (cum - 1) / (k + 1);
    if (u[k]! > t) tau = t;
  }
  return { p: Float64Array.from(z, (v) => Math.max(v - tau, 0)), tau };
}

/** The projection as a differentiable map z ↦ {p, τ}. */
export function simplexProjection(opts: ImplicitOptions<Tensor, SimplexY> = {}) {
  return customRoot<Tensor, SimplexY>(
    (z, { p, tau }) => ({ p: sub(p, relu(sub(z, tau))), tau: sub(sum(p), 1) }),
    (z) => {
      const { p, tau } = projectSimplexConcrete(z.data);
      return { p: tensor(p), tau: scalar(tau) };
    },
    { name: 'simplexProjection', ...opts },
  );
}

/** Closed form diag(s) − ssᵀ/|s| (row-major d×d). */
export function simplexJacobianClosedForm(p: Float64Array): Float64Array {
  const d = p.length;
  const s = Float64Array.from(p, (v) => (v > 0 ? 1 : 0));
  const k = s.reduce((a, b) => a + b, 0);
  const J = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) J[i * d + j] = (i === j ? s[i]! : 0) - (s[i]! * s[j]!) / k;
  return J;
}

function main(): void {
  const z = rng(3).normal([8], 0, 0.6);
  const proj = simplexProjection();
  const { p, tau } = proj(z);
  console.log(`z = [${Array.from(z.data, (v) => v.toFixed(3)).join(', ')}]`);
  console.log(`p = [${Array.from(p.data, (v) => v.toFixed(4)).join(', ')}], τ = ${tau.item().toFixed(4)}, Σp = ${p.data.reduce((a, b) => a + b, 0)}`);
  const J = jacobian((zz: Tensor) => proj(zz).p)(z).data;
  const J0 = simplexJacobianClosedForm(p.data);
  let err = 0;
  for (let i = 0; i < J.length; i++) err = Math.max(err, Math.abs(J[i]! - J0[i]!));
  console.log(`max |∂p/∂z − (diag(s) − ssᵀ/|s|)| = ${err.toExponential(2)}; support size ${J0.length ? p.data.filter((v) => v > 0).length : 0}`);
  console.log(`report: ${JSON.stringify(proj.lastReport!.linearSolve)}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
