/**
 * @file Experiment `cycles` (Bolte, Le, Pauwels, Silveti-Falls 2021): implicit differentiation
 * where the invertibility hypothesis fails makes gradient descent cycle.
 *
 *     minimise_{x,y}  ℓ(x, y, s) = (x − s₁)² + 4(y − s₂)²
 *     s ∈ argmax {(a + b)·c(x, y) : a ∈ [0, 3], b ∈ [0, 5]},   c(x, y) = −3x + y + 2.
 *
 * The argmax is piecewise constant: s = (3, 5) where c > 0, s = (0, 0) where c < 0; it jumps
 * across the line c = 0. As optimality condition we take the stationarity of the Lagrangian of
 * this linear program, ∇ₛL = −c(x, y)·(1, 1) + μ̂ = 0, with the solver's multiplier μ̂ = c·(1, 1)
 * held fixed. Its Jacobian in s is B = 0: nsdiff refuses (InvertibilityError). With
 * onFailure 'return' and fallback 'lstsq' the implicit Jacobian is −B⁺A = 0, the "gradient" is
 * (2(x − s₁), 8(y − s₂)), and gradient descent heads for (3, 5) — on the side c < 0 —, crosses
 * the line, heads for (0, 0) — on the side c > 0 —, crosses back, and settles on a cycle.
 *
 * The projected-gradient formulation s = P_box(s + c·(1, 1)) has B = I invertible off the line:
 * nsdiff accepts it and the same cycle appears — the jump of s is invisible to a pointwise check.
 */
import { InvertibilityError } from '../core/errors.js';
import { tensor, type Tensor } from '../core/tensor.js';
import { grad } from '../autodiff/transforms.js';
import { add, clip, index, mul, stack, stopGradient, sub } from '../ops/index.js';
import { customRoot, type ImplicitFunction, type InvertibilityFallback } from '../implicit/index.js';
import { lineChart } from '../plot/svg.js';
import { phaseChart } from '../plot/figures.js';
import { check, fmt, round } from './common.js';
import type { Experiment, ExperimentContext, ExperimentResult } from './types.js';

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
 * @example
 * const s = argmaxLagrangian('lstsq'); // accepted with the pseudo-inverse fallback
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

/**
 * s(x, y) through the projected-gradient fixed point s = clip(s + c·(1, 1)): B = I − D, invertible off c = 0.
 * @example
 * const s = argmaxProjected();
 */
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

/**
 * ℓ(x, y, s(x, y)).
 * @example
 * const loss = outerLoss(argmaxLagrangian('lstsq'));
 */
export function outerLoss(s: ImplicitFunction<Tensor, Tensor>): (xy: Tensor) => Tensor {
  return (xy) => {
    const sv = s(xy);
    const dx = sub(index(xy, 0), index(sv, 0));
    const dy = sub(index(xy, 1), index(sv, 1));
    return add(mul(dx, dx), mul(mul(dy, dy), 4));
  };
}

/**
 * Gradient descent on (x, y); returns the iterates.
 * @example
 * const path = descend(argmaxLagrangian('lstsq'), 100); // 101 points
 */
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

/**
 * Indices k where c changes sign between iterates k − 1 and k.
 * @example
 * crossings([Float64Array.of(0, 0), Float64Array.of(1, 0)]); // [1]  (c = 2, then −1)
 */
export function crossings(path: readonly Float64Array[]): number[] {
  const c = (p: Float64Array): number => -3 * p[0]! + p[1]! + 2;
  const out: number[] = [];
  for (let k = 1; k < path.length; k++) if (Math.sign(c(path[k]!)) !== Math.sign(c(path[k - 1]!))) out.push(k);
  return out;
}

/** Period (in steps) and recurrence distance of the last crossings, or null with fewer than 3 crossings. */
function cycleOf(path: readonly Float64Array[], cr: readonly number[]): { period: number; recurrence: number } | null {
  if (cr.length < 3) return null;
  const a = path[cr[cr.length - 1]!]!, b = path[cr[cr.length - 3]!]!;
  return { period: cr[cr.length - 1]! - cr[cr.length - 3]!, recurrence: Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!) };
}

function run(ctx: ExperimentContext): ExperimentResult {
  const steps = ctx.quick ? 200 : 400;
  let refused = false;
  let refusal = '';
  try {
    grad(outerLoss(argmaxLagrangian()))(tensor([0.5, 0.5]));
  } catch (e) {
    if (!(e instanceof InvertibilityError)) throw e;
    refused = true;
    refusal = e.message.slice(0, 160);
  }
  const path = descend(argmaxLagrangian('lstsq'), steps);
  const pathP = descend(argmaxProjected(), steps);
  const cr = crossings(path), crP = crossings(pathP);
  const cyc = cycleOf(path, cr), cycP = cycleOf(pathP, crP);
  const cVals = path.map((p) => -3 * p[0]! + p[1]! + 2);
  const line: Array<readonly [number, number]> = [[0.3, -1.1], [2.4, 5.2]]; // y = 3x − 2
  const figures = {
    'cycles-phase': phaseChart({
      title: 'cycles: gradient descent with the pseudo-inverse implicit Jacobian (η = 0.05)',
      xLabel: 'x (dimensionless)', yLabel: 'y (dimensionless)',
      paths: [
        { name: 'Lagrangian conditions (B = 0, lstsq)', points: path.map((p) => [p[0]!, p[1]!] as const), width: 2.4 },
        { name: 'projected conditions (B = I)', points: pathP.map((p) => [p[0]!, p[1]!] as const), width: 1.2, dash: '4,3' },
      ],
      guides: [{ name: 'discontinuity of s: c(x, y) = 0', points: line }],
    }),
    'cycles-c': lineChart([{ name: 'c(x_k, y_k) = −3x_k + y_k + 2', points: cVals.map((c, k) => [k, c] as const) }], {
      title: 'cycles: the iterates jump across the line c = 0 for ever',
      xLabel: 'gradient step k', yLabel: 'c(x_k, y_k) (dimensionless)', hLines: [{ y: 0, label: 'c = 0', color: '#666' }], legend: 'none',
    }),
  };
  const checks = [
    check('the default settings refuse B = 0 (InvertibilityError)', refused, refused),
    check(`gradient descent keeps crossing c = 0: ≥ ${ctx.quick ? 10 : 20} crossings in ${steps} steps`, cr.length >= (ctx.quick ? 10 : 20), cr.length),
    check('the crossing point recurs (a cycle): distance ≤ 1e-6 one period apart', cyc !== null && cyc.recurrence <= 1e-6, cyc ? cyc.recurrence : 'no cycle'),
    check('no convergence: |c| at the last iterate ≥ 1e-3', Math.abs(cVals[cVals.length - 1]!) >= 1e-3, Math.abs(cVals[cVals.length - 1]!)),
    check('the projected formulation (accepted) cycles too: ≥ 10 crossings', crP.length >= 10, crP.length),
  ];
  const summary = [
    `default settings: ${refused ? 'refused (InvertibilityError)' : 'ACCEPTED (unexpected)'}`,
    `pseudo-inverse fallback, η = 0.05 from (0.5, 0.5): ${cr.length} crossings of c = 0 in ${steps} steps` +
      (cyc ? `; period ${cyc.period} steps, crossing point recurs to ${fmt(cyc.recurrence)}` : ''),
    `projected-gradient conditions (B = I, accepted): ${crP.length} crossings${cycP ? `, period ${cycP.period}` : ''} — the jump of s is invisible pointwise`,
  ].join('\n');
  return {
    name: 'cycles', figures, summary, checks,
    data: {
      steps, eta: 0.05, start: [0.5, 0.5], refused, refusal, crossings: cr, crossingsProjected: crP, cycle: cyc, cycleProjected: cycP,
      x: round(path.map((p) => p[0]!)), y: round(path.map((p) => p[1]!)),
    },
  };
}

/** The `cycles` experiment. */
export const cyclesExperiment: Experiment = {
  name: 'cycles',
  title: 'Cycles: gradient descent through a discontinuous argmax',
  expected:
    'nsdiff refuses the singular optimality conditions by default; forced with the pseudo-inverse, gradient descent on (x, y) never converges: ' +
    'it crosses the line c(x, y) = 0 again and again and settles on a cycle (the crossing point recurs to 1e-6). The accepted ' +
    'projected-gradient formulation cycles the same way.',
  run,
};
