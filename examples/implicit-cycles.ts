/**
 * @file Pathological implicit differentiation (Bolte, Le, Pauwels, Silveti-Falls 2021): cycles.
 *
 *     minimise_{x,y}  ℓ(x, y, s) = (x − s₁)² + 4(y − s₂)²
 *     s ∈ argmax {(a + b)·c(x, y) : a ∈ [0, 3], b ∈ [0, 5]},   c(x, y) = −3x + y + 2.
 *
 * The argmax is piecewise constant: s = (3, 5) where c > 0, s = (0, 0) where c < 0; it jumps
 * across the line c = 0. As optimality condition we take the stationarity of the Lagrangian of
 * this linear program, ∇ₛL = −c(x, y)·(1, 1) + μ̂ = 0, with the solver's multiplier μ̂ = c·(1, 1)
 * held fixed (a byproduct, as in ImplicitDifferentiation.jl's "conditions(x, y, z)"). Its Jacobian
 * in s is the Hessian of a linear Lagrangian: B = 0. The theorem does not apply and nsdiff refuses
 * (InvertibilityError). With onFailure 'return' and fallback 'lstsq' chosen explicitly the implicit Jacobian is −B⁺A = 0,
 * the "gradient" is (2(x − s₁), 8(y − s₂)), and gradient descent never converges: the iterates
 * head for (3, 5) — which lies on the side c < 0 — cross the line, head for (0, 0) — on the side
 * c > 0 — cross back, and settle on a cycle around the discontinuity.
 *
 * Caveat printed by the example: with the projected-gradient formulation s = P_box(s + c·(1, 1)),
 * B = I is invertible at every point off the line, nsdiff accepts, and the same cycle appears: it
 * is caused by the jump of s, which no pointwise check can see.
 *
 * Run: npx tsx examples/implicit-cycles.ts [--steps 400]
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  add, clip, customRoot, grad, index, InvertibilityError, mul, stack, stopGradient, sub, tensor,
  type InvertibilityFallback, type ImplicitFunction, type Tensor,
} from '../src/index.js';

const LO = [0, 0], HI = [3, 5];

/** c(x, y) = −3x + y + 2 for xy = (x, y), with ops. */
export function cOf(xy: Tensor): Tensor {
  return add(add(mul(index(xy, 0), -3), index(xy, 1)), 2);
}

/** The argmax of the linear program (concrete): a vertex of the box. */
export function argmaxBox(xy: Tensor): Tensor {
  const c = cOf(xy).item();
  return tensor(c > 0 ? [...HI] : [...LO]);
}

/**
 * s(x, y) through the Lagrangian stationarity ∇ₛL = −c·(1, 1) + μ̂ = 0 with μ̂ fixed: B = 0.
 */
export function argmaxLagrangian(fallback?: InvertibilityFallback): ImplicitFunction<Tensor, Tensor> {
  return customRoot<Tensor, Tensor>(
    (xy, s) => {
      const c = cOf(xy);
      const cc = stack([c, c]);
      // −c·1 + μ̂ + 0·s  (the multiplier μ̂ = c·1 at the solution, treated as a constant)
      return add(add(mul(cc, -1), stopGradient(cc)), mul(s, 0));
    },
    (xy) => argmaxBox(xy),
    { ...(fallback ? { onFailure: 'return' as const, fallback } : {}), name: 'argmaxLagrangian' },
  );
}

/** s(x, y) through the projected-gradient fixed point s = clip(s + c·(1, 1)): B = I − D, invertible off c = 0. */
export function argmaxProjected(): ImplicitFunction<Tensor, Tensor> {
  return customRoot<Tensor, Tensor>(
    (xy, s) => {
      const c = cOf(xy);
      const moved = add(s, stack([c, c]));
      return sub(s, stack([clip(index(moved, 0), LO[0]!, HI[0]!), clip(index(moved, 1), LO[1]!, HI[1]!)]));
    },
    (xy) => argmaxBox(xy),
    { name: 'argmaxProjected' },
  );
}

/** ℓ(x, y, s(x, y)). */
export function outerLoss(s: ImplicitFunction<Tensor, Tensor>): (xy: Tensor) => Tensor {
  return (xy) => {
    const sv = s(xy);
    const dx = sub(index(xy, 0), index(sv, 0));
    const dy = sub(index(xy, 1), index(sv, 1));
    return add(mul(dx, dx), mul(mul(dy, dy), 4));
  };
}

/** Gradient descent on (x, y); returns the iterates. */
export function descend(s: ImplicitFunction<Tensor, Tensor>, steps: number, eta = 0.05, start: readonly number[] = [0.5, 0.5]): Float64Array[] {
  const g = grad(outerLoss(s));
  let xy = tensor([...start]);
  const path = [Float64Array.from(xy.data)];
  for (let k = 0; k < steps; k++) {
    const d = (g(xy) as Tensor).data;
    xy = tensor([xy.data[0]! - eta * d[0]!, xy.data[1]! - eta * d[1]!]);
    path.push(Float64Array.from(xy.data));
  }
  return path;
}

/** Indices k where c changes sign between iterates k − 1 and k. */
export function crossings(path: readonly Float64Array[]): number[] {
  const c = (p: Float64Array): number => -3 * p[0]! + p[1]! + 2;
  const out: number[] = [];
  for (let k = 1; k < path.length; k++) if (Math.sign(c(path[k]!)) !== Math.sign(c(path[k - 1]!))) out.push(k);
  return out;
}

function main(): void {
  const args = process.argv.slice(2);
  const i = args.indexOf('--steps');
  const steps = i >= 0 ? Number(args[i + 1]) : 400;
  try {
    grad(outerLoss(argmaxLagrangian()))(tensor([0.5, 0.5]));
    console.log('unexpected: default settings accepted B = 0');
  } catch (e) {
    if (!(e instanceof InvertibilityError)) throw e;
    console.log(`default settings refuse: ${e.message.slice(0, 200)}…`);
  }
  const s = argmaxLagrangian('lstsq');
  const path = descend(s, steps);
  console.log(`with fallback 'lstsq' (pseudo-inverse): linear solve ${JSON.stringify(s.lastReport!.linearSolve)}`);
  const cr = crossings(path);
  console.log(`gradient descent, η = 0.05, from (0.5, 0.5): ${cr.length} crossings of the line c = 0 in ${steps} steps`);
  const last = cr.slice(-6);
  for (const k of last) console.log(`  crossing at step ${String(k).padStart(4)}: (x, y) = (${path[k]![0]!.toFixed(4)}, ${path[k]![1]!.toFixed(4)})`);
  if (cr.length >= 4) {
    const a = path[cr[cr.length - 1]!]!, b = path[cr[cr.length - 3]!]!;
    console.log(`  period: ${cr[cr.length - 1]! - cr[cr.length - 3]!} steps; the same crossing point recurs up to ${Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!).toExponential(2)}: a cycle`);
  }
  const proj = argmaxProjected();
  const pathP = descend(proj, steps);
  console.log(
    `caveat: the projected-gradient formulation has B = I − D invertible (report: ${JSON.stringify(proj.lastReport!.linearSolve?.method)}, cond ${proj.lastReport!.diagnostics.conditionEstimate}); ` +
      `nsdiff accepts it and the descent cycles the same way (${crossings(pathP).length} crossings): the jump of s across c = 0 is invisible to a pointwise check.`,
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
