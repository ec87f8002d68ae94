/**
 * @file Experiment `clarke-implicit` (Bolte, Le, Pauwels, Silveti-Falls): Φ(x, y) = (|x| + y, 2x + |y|)
 * is a piecewise-linear homeomorphism of ℝ², Ψ = Φ⁻¹. Implicit differentiation of
 * F(v, u) = Φ(u) − v (u = Ψ(v)) gives J = −B⁻¹A = JΦ(u)⁻¹.
 *
 * At v = 0 the Clarke Jacobian of Φ is ∂Φ(0) = { M(a, b) = [[a, 1], [2, b]] : a, b ∈ [−1, 1] },
 * det M = ab − 2 ∈ [−3, −1]: every element is invertible, the nonsmooth implicit function theorem
 * applies and { M(a, b)⁻¹ } is a conservative Jacobian of Ψ at 0. The Clarke Jacobian of Ψ is
 * conv{M(±1, ±1)⁻¹}; every M(a, b)⁻¹ lies in it, with barycentric weights (q = 2 − ab)
 *   w₊₊ = (1+a)(1+b)/(4q), w₋₋ = (1−a)(1−b)/(4q), w₊₋ = 3(1+a)(1−b)/(4q), w₋₊ = 3(1−a)(1+b)/(4q),
 * but not conversely: ½(M(1,1)⁻¹ + M(−1,−1)⁻¹) = [[0, 1], [2, 0]] ∈ ∂Ψ(0) while its inverse
 * [[0, ½], [1, 0]] is not of the form M(a, b): "[∂Ψ(0)]⁻¹ ⊄ ∂Φ(0)".
 *
 * Figure: the plane of the entries (J₁₁, J₁₂); the cloud {M(a, b)⁻¹} (a grid of (a, b)), the
 * Clarke hull conv{M(±1, ±1)⁻¹}, the Jacobians autodiff returns under four kink policies (inside
 * the cloud), and the hull's midpoint (0, 1), outside the cloud.
 */
import { tensor, type Tensor } from '../core/tensor.js';
import { jacobian } from '../autodiff/transforms.js';
import { withKinkPolicy, type KinkPolicy } from '../autodiff/kinks.js';
import { abs, add, index, mul, stack, sub } from '../ops/index.js';
import { customRoot, type ImplicitOptions } from '../implicit/index.js';
import { lineChart, type Series } from '../plot/svg.js';
import { check, fmt } from './common.js';
import type { Experiment, ExperimentContext, ExperimentResult } from './types.js';

/**
 * Φ(u) = (|u₁| + u₂, 2u₁ + |u₂|), with ops.
 * @example
 * phi(tensor([-1, 2])).data; // [3, 0]
 */
export function phi(u: Tensor): Tensor {
  const u1 = index(u, 0), u2 = index(u, 1);
  return stack([add(abs(u1), u2), add(mul(u1, 2), abs(u2))]);
}

/**
 * Ψ = Φ⁻¹ (concrete): tries the four linear pieces M(s₁, s₂)·u = v.
 * @example
 * psiConcrete([3, 0]); // [-1, 2]
 */
export function psiConcrete(v: readonly number[]): number[] {
  for (const s1 of [1, -1]) {
    for (const s2 of [1, -1]) {
      // [[s1, 1], [2, s2]] u = v
      const det = s1 * s2 - 2;
      const u1 = (s2 * v[0]! - v[1]!) / det;
      const u2 = (s1 * v[1]! - 2 * v[0]!) / det;
      if (s1 * u1 >= 0 && s2 * u2 >= 0) return [u1 === 0 ? 0 : u1, u2 === 0 ? 0 : u2];
    }
  }
  throw new Error('Φ is a bijection: unreachable');
}

/**
 * Ψ as a differentiable function via customRoot on F(v, u) = Φ(u) − v.
 * @example
 * jacobian(psi())(tensor([1, 3])); // M(1, 1)⁻¹ on that piece
 */
export function psi(opts: ImplicitOptions<Tensor, Tensor> = {}) {
  return customRoot<Tensor, Tensor>((v, u) => sub(phi(u), v), (v) => tensor(psiConcrete(Array.from(v.data))), { name: 'psi', ...opts });
}

/**
 * M(a, b)⁻¹ = [[b, −1], [−2, a]] / (ab − 2).
 * @example
 * branchInverse(0, 0); // [[-0, 0.5], [1, -0]]
 */
export function branchInverse(a: number, b: number): number[][] {
  const d = a * b - 2;
  return [[b / d, -1 / d], [-2 / d, a / d]];
}

/**
 * Tests J against both sets: (a, b) with J⁻¹ = M(a, b) (the conservative Jacobian of the
 * theorem; `inverseForm` is the distance of J⁻¹ to that pattern) and the barycentric weights of
 * J in conv{M(±1, ±1)⁻¹} (the Clarke Jacobian of Ψ).
 * @example
 * classify(branchInverse(0.5, -0.2)).a; // 0.5
 */
export function classify(J: number[][]): { a: number; b: number; inverseForm: number; weights: number[] } {
  const [[j11, j12], [j21, j22]] = J as [[number, number], [number, number]];
  const det = j11 * j22 - j12 * j21;
  const inv = [[j22 / det, -j12 / det], [-j21 / det, j11 / det]] as [[number, number], [number, number]];
  const a = inv[0][0], b = inv[1][1];
  const inverseForm = Math.max(Math.abs(inv[0][1] - 1), Math.abs(inv[1][0] - 2));
  const q = 2 - a * b;
  const weights = [(1 + a) * (1 + b) / (4 * q), (1 - a) * (1 - b) / (4 * q), (3 * (1 + a) * (1 - b)) / (4 * q), (3 * (1 - a) * (1 + b)) / (4 * q)];
  return { a, b, inverseForm, weights };
}

/** The kink policies compared at v = 0. */
export const CLARKE_POLICIES: readonly KinkPolicy[] = ['minNorm', 'left', 'right', { kind: 'fixed', t: 0.8 }];

function run(ctx: ExperimentContext): ExperimentResult {
  const v0 = tensor([0, 0]);
  const rows = CLARKE_POLICIES.map((policy) => {
    const f = psi({ diagnostics: 'full' });
    const J = withKinkPolicy(policy, () => jacobian(f)(v0)).toArray() as number[][];
    const c = classify(J);
    return { policy: typeof policy === 'string' ? policy : `fixed t = ${policy.kind === 'fixed' ? policy.t : ''}`, J, ...c, kinks: f.lastReport!.kinks.total };
  });
  const mid = [[0, 1], [2, 0]];
  const cm = classify(mid);
  // the cloud {M(a, b)⁻¹} in the (J₁₁, J₁₂) plane: (−b/q, 1/q), q = 2 − ab
  const n = ctx.quick ? 11 : 21;
  const cloud: Array<readonly [number, number]> = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    const M = branchInverse(-1 + (2 * i) / (n - 1), -1 + (2 * j) / (n - 1));
    cloud.push([M[0]![0]!, M[0]![1]!]);
  }
  const vert = [[1, 1], [1, -1], [-1, -1], [-1, 1], [1, 1]].map(([a, b]) => branchInverse(a!, b!)).map((M) => [M[0]![0]!, M[0]![1]!] as const);
  // the hull in this projection: the convex hull of the four projected vertices, in order around it
  const hull = [vert[0]!, vert[3]!, vert[1]!, vert[2]!, vert[0]!];
  const series: Series[] = [
    { name: 'M(a, b)⁻¹, a, b ∈ [−1, 1] (theorem)', points: cloud, style: 'markers', color: '#b9cfe4' },
    { name: 'conv{M(±1, ±1)⁻¹} = ∂Ψ(0) (Clarke)', points: hull, color: '#59a14f', width: 1.6 },
    ...rows.map((r, i) => ({ name: `autodiff, ${r.policy}`, points: [[r.J[0]![0]!, r.J[0]![1]!] as const], style: 'markers' as const, color: ['#e15759', '#f28e2b', '#b07aa1', '#9c755f'][i]! })),
    { name: 'midpoint: in ∂Ψ(0), not an M⁻¹', points: [[0, 1]], style: 'markers', color: '#222' },
  ];
  const figures = {
    'clarke-implicit': lineChart(series, {
      title: 'clarke-implicit: Jacobians of Ψ = Φ⁻¹ at 0 (first row shown)', yRange: [0.3, 1.05],
      xLabel: 'J₁₁ (dimensionless)', yLabel: 'J₁₂ (dimensionless)',
    }),
  };
  const inTheorem = rows.every((r) => r.inverseForm < 1e-10 && Math.abs(r.a) <= 1 + 1e-12 && Math.abs(r.b) <= 1 + 1e-12);
  const inClarke = rows.every((r) => r.weights.every((w) => w >= -1e-12) && Math.abs(r.weights.reduce((s, w) => s + w, 0) - 1) < 1e-10);
  // the midpoint's first row (0, 1) is not (−b/q, 1/q) for any (a, b): 1/q = 1 forces ab = 1, then b = ±1 ≠ 0
  const midOutside = cm.inverseForm > 0.1;
  const checks = [
    check('every autodiff Jacobian at 0 is M(a, b)⁻¹ with a, b ∈ [−1, 1] (inverse off-pattern < 1e-10)', inTheorem, Math.max(...rows.map((r) => r.inverseForm))),
    check('every autodiff Jacobian lies in the Clarke Jacobian conv{M(±1, ±1)⁻¹} (weights ≥ 0, sum 1)', inClarke, Math.min(...rows.flatMap((r) => r.weights))),
    check('the kinks were hit (|·| at 0 in both coordinates)', rows.every((r) => r.kinks >= 2), Math.min(...rows.map((r) => r.kinks))),
    check('½(M(1,1)⁻¹ + M(−1,−1)⁻¹) ∈ ∂Ψ(0) has an inverse outside ∂Φ(0) (off-pattern 0.5)', midOutside, cm.inverseForm),
  ];
  const summary = [
    ...rows.map((r) => `policy ${r.policy}: J = ${JSON.stringify(r.J.map((x) => x.map((y) => +y.toFixed(4))))} = M(${fmt(r.a)}, ${fmt(r.b)})⁻¹, Clarke weights [${r.weights.map((w) => w.toFixed(3)).join(', ')}]`),
    `½(M(1,1)⁻¹ + M(−1,−1)⁻¹) = [[0, 1], [2, 0]] ∈ ∂Ψ(0), its inverse [[0, ½], [1, 0]] is not M(a, b): [∂Ψ(0)]⁻¹ ⊄ ∂Φ(0)`,
  ].join('\n');
  return { name: 'clarke-implicit', figures, summary, checks, data: { policies: rows, midpoint: { J: mid, ...cm } } };
}

/** The `clarke-implicit` experiment. */
export const clarkeImplicitExperiment: Experiment = {
  name: 'clarke-implicit',
  title: 'Clarke implicit: conservative, not Clarke, calculus for Ψ = Φ⁻¹, Φ(x, y) = (|x| + y, 2x + |y|)',
  expected:
    'At 0, implicit differentiation under every kink policy returns M(a, b)⁻¹ with a, b ∈ [−1, 1] (an element of the conservative ' +
    'Jacobian of the theorem), which also lies in the Clarke Jacobian conv{M(±1, ±1)⁻¹}; the converse fails: ½(M(1,1)⁻¹ + M(−1,−1)⁻¹) ' +
    'is Clarke but its inverse is not in ∂Φ(0).',
  run,
};
