/**
 * @file The Clarke counterexample for implicit differentiation (Bolte, Le, Pauwels,
 * Silveti-Falls): Φ(x, y) = (|x| + y, 2x + |y|) is a piecewise-linear homeomorphism of ℝ², Ψ = Φ⁻¹.
 * Implicit differentiation of F(v, u) = Φ(u) − v (u = Ψ(v)) gives J = −B⁻¹A = JΦ(u)⁻¹.
 *
 * At v = 0 (u = 0, both |·| at their kink) the Clarke Jacobian of Φ is
 *   ∂Φ(0) = { M(a, b) = [[a, 1], [2, b]] : a, b ∈ [−1, 1] },  det M = ab − 2 ∈ [−3, −1],
 * so every element is invertible: the nonsmooth implicit function theorem applies, and
 *   { M(a, b)⁻¹ : a, b ∈ [−1, 1] }
 * is a conservative Jacobian of Ψ at 0. Ψ has four linear pieces, Ψ = M(s₁, s₂)⁻¹ on the image of
 * the quadrant sign(u) = (s₁, s₂); its Clarke Jacobian is conv{M(±1, ±1)⁻¹}. Every M(a, b)⁻¹ lies in
 * that hull, with barycentric weights (q = 2 − ab)
 *   w₊₊ = (1+a)(1+b)/(4q), w₋₋ = (1−a)(1−b)/(4q), w₊₋ = 3(1+a)(1−b)/(4q), w₋₊ = 3(1−a)(1+b)/(4q),
 * but not conversely: ½(M(1,1)⁻¹ + M(−1,−1)⁻¹) = [[0, 1], [2, 0]] belongs to ∂Ψ(0) while its inverse
 * [[0, ½], [1, 0]] is not of the form M(a, b) — "[∂Ψ(0)]⁻¹ ⊄ ∂Φ(0)": a Clarke calculus of implicit
 * functions fails, the conservative one holds.
 *
 * Run: npx tsx examples/implicit-clarke.ts
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { abs, add, customRoot, index, jacobian, mul, stack, sub, tensor, withKinkPolicy, type ImplicitOptions, type KinkPolicy, type Tensor } from '../src/index.js';

/** Φ(u) = (|u₁| + u₂, 2u₁ + |u₂|), with ops. */
export function phi(u: Tensor): Tensor {
  const u1 = index(u, 0), u2 = index(u, 1);
  return stack([add(abs(u1), u2), add(mul(u1, 2), abs(u2))]);
}

/** Ψ = Φ⁻¹ (concrete): try the four linear pieces M(s₁, s₂)·u = v. */
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

/** Ψ as a differentiable function via customRoot on F(v, u) = Φ(u) − v. */
export function psi(opts: ImplicitOptions<Tensor, Tensor> = {}) {
  return customRoot<Tensor, Tensor>((v, u) => sub(phi(u), v), (v) => tensor(psiConcrete(Array.from(v.data))), { name: 'psi', ...opts });
}

/** M(a, b)⁻¹ = [[b, −1], [−2, a]] / (ab − 2). */
export function branchInverse(a: number, b: number): number[][] {
  const d = a * b - 2;
  return [[b / d, -1 / d], [-2 / d, a / d]];
}

/**
 * Tests J against both sets: returns (a, b) with J⁻¹ = M(a, b) (the conservative Jacobian of the
 * theorem) and the barycentric weights of J in conv{M(±1, ±1)⁻¹} (the Clarke Jacobian of Ψ).
 */
export function classify(J: number[][]): { a: number; b: number; inverseForm: number; weights: number[] } {
  const [[j11, j12], [j21, j22]] = J as [[number, number], [number, number]];
  const det = j11 * j22 - j12 * j21;
  // J⁻¹ = [[j22, −j12], [−j21, j11]] / det  should be [[a, 1], [2, b]]
  const inv = [[j22 / det, -j12 / det], [-j21 / det, j11 / det]] as [[number, number], [number, number]];
  const a = inv[0][0], b = inv[1][1];
  const inverseForm = Math.max(Math.abs(inv[0][1] - 1), Math.abs(inv[1][0] - 2));
  const q = 2 - a * b;
  const weights = [(1 + a) * (1 + b) / (4 * q), (1 - a) * (1 - b) / (4 * q), (3 * (1 + a) * (1 - b)) / (4 * q), (3 * (1 - a) * (1 + b)) / (4 * q)];
  return { a, b, inverseForm, weights };
}

function main(): void {
  const v0 = tensor([0, 0]);
  for (const policy of ['minNorm', 'left', 'right', { kind: 'fixed', t: 0.8 }] as KinkPolicy[]) {
    const f = psi({ diagnostics: 'full' });
    const J = withKinkPolicy(policy, () => jacobian(f)(v0)).toArray() as number[][];
    const c = classify(J);
    const rep = f.lastReport!;
    console.log(`policy ${JSON.stringify(policy)}: J = ${JSON.stringify(J.map((r) => r.map((x) => +x.toFixed(4))))}`);
    console.log(
      `  J⁻¹ = M(a, b) with a = ${c.a.toFixed(3)}, b = ${c.b.toFixed(3)} ∈ [−1, 1] (off-pattern ${c.inverseForm.toExponential(1)}): in {M⁻¹ : M ∈ ∂Φ(0)}; ` +
        `weights in conv{M(±1,±1)⁻¹}: [${c.weights.map((w) => w.toFixed(3)).join(', ')}] ≥ 0: in ∂Ψ(0)`,
    );
    console.log(
      `  diagnostics: ${rep.kinks.total} kinks hit; alternatives ${rep.diagnostics.alternatives!.map((a) => `${a.selection}: σ_min ${a.sigmaMin.toFixed(3)}`).join(', ')}; ` +
        `set contains singular: ${rep.diagnostics.setContainsSingular}`,
    );
  }
  const mid = [[0, 1], [2, 0]];
  const cm = classify(mid);
  console.log(`½(M(1,1)⁻¹ + M(−1,−1)⁻¹) = [[0, 1], [2, 0]] ∈ ∂Ψ(0), but its inverse [[0, ½], [1, 0]] is not M(a, b) (off-pattern ${cm.inverseForm}): [∂Ψ(0)]⁻¹ ⊄ ∂Φ(0)`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
