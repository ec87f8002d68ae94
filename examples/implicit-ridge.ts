/**
 * @file Ridge regression differentiated through its optimality condition — the worked example of
 * docs/implicit.md.
 *
 * β(λ) = argmin (1/2n)‖y − Xβ‖² + ½ Σⱼ λⱼβⱼ²  (one penalty per feature), optimality
 * F(λ, β) = (1/n)Xᵀ(Xβ − y) + λ∘β = 0, so B = XᵀX/n + diag(λ) (symmetric positive definite: every
 * linear solver is valid), A = diag(β), and dβ/dλ = −B⁻¹·diag(β).
 *
 * Second order (the Hessian of a validation loss through the solver): from B·β = Xᵀy/n,
 *   ∂ⱼβ = −K eⱼ βⱼ,   ∂ᵢ∂ⱼβ = −K (eⱼ (∂ᵢβ)ⱼ + eᵢ (∂ⱼβ)ᵢ),   K = B⁻¹,
 * and for C(λ) = ½‖X_vβ − y_v‖²: ∂ᵢ∂ⱼC = (X_v∂ᵢβ)ᵀ(X_v∂ⱼβ) + (X_vβ − y_v)ᵀX_v∂ᵢ∂ⱼβ.
 *
 * Run: npx tsx examples/implicit-ridge.ts
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  add, customRoot, grad, hessian, jacobian, linalg, matmul, mul, rng, sub, sum, tensor, transpose,
  type ImplicitOptions, type LinearSolverName, type Tensor,
} from '../src/index.js';

export interface RidgeProblem {
  X: Tensor;
  y: Tensor;
  Xv: Tensor;
  yv: Tensor;
  n: number;
  p: number;
}

export function makeRidgeProblem(seed = 1, n = 30, p = 6): RidgeProblem {
  const g = rng(seed);
  const X = g.normal([n, p]);
  const w = g.normal([p]);
  const y = add(matmul(X, w), g.normal([n], 0, 0.5));
  const Xv = g.normal([n, p]);
  const yv = add(matmul(Xv, w), g.normal([n], 0, 0.5));
  return { X, y, Xv, yv, n, p };
}

/** B = XᵀX/n + diag(λ) as a dense matrix (concrete). */
export function ridgeMatrix(P: RidgeProblem, lam: Float64Array): Float64Array {
  const { X, n, p } = P;
  const M = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < p; j++) {
      let s = 0;
      for (let r = 0; r < n; r++) s += X.data[r * p + i]! * X.data[r * p + j]!;
      M[i * p + j] = s / n + (i === j ? lam[i]! : 0);
    }
  }
  return M;
}

/** β(λ) by a dense solve (concrete). */
export function ridgeSolve(P: RidgeProblem, lam: Float64Array): Tensor {
  const rhs = mul(matmul(transpose(P.X), P.y), 1 / P.n);
  return linalg.solve(tensor(ridgeMatrix(P, lam), [P.p, P.p]), rhs);
}

/** β(λ) differentiable through F(λ, β) = (1/n)Xᵀ(Xβ − y) + λ∘β. */
export function ridgeSolution(P: RidgeProblem, opts: ImplicitOptions<Tensor, Tensor> = {}) {
  return customRoot<Tensor, Tensor>(
    (lam, beta) => add(mul(matmul(transpose(P.X), sub(matmul(P.X, beta), P.y)), 1 / P.n), mul(lam, beta)),
    (lam) => ridgeSolve(P, lam.data),
    { name: 'ridge', ...opts },
  );
}

/** Validation loss C(λ) = ½‖X_vβ(λ) − y_v‖². */
export function validationLoss(P: RidgeProblem, betaOf: (lam: Tensor) => Tensor): (lam: Tensor) => Tensor {
  return (lam) => {
    const r = sub(matmul(P.Xv, betaOf(lam)), P.yv);
    return mul(sum(mul(r, r)), 0.5);
  };
}

/** Closed-form Jacobian dβ/dλ = −K·diag(β) (p×p, row-major). */
export function ridgeJacobianClosedForm(P: RidgeProblem, lam: Float64Array): Float64Array {
  const p = P.p;
  const K = linalg.inv(tensor(ridgeMatrix(P, lam), [p, p])).data;
  const beta = ridgeSolve(P, lam).data;
  const J = new Float64Array(p * p);
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) J[i * p + j] = -K[i * p + j]! * beta[j]!;
  return J;
}

/** Closed-form Hessian of the validation loss with respect to λ (p×p). */
export function validationHessianClosedForm(P: RidgeProblem, lam: Float64Array): Float64Array {
  const { p, Xv, yv } = P;
  const nv = yv.size;
  const K = linalg.inv(tensor(ridgeMatrix(P, lam), [p, p])).data;
  const beta = ridgeSolve(P, lam).data;
  const J = ridgeJacobianClosedForm(P, lam); // J[:, j] = ∂ⱼβ
  const col = (j: number): Float64Array => Float64Array.from({ length: p }, (_, r) => J[r * p + j]!);
  const Xmul = (v: Float64Array): Float64Array => Float64Array.from({ length: nv }, (_, r) => {
    let s = 0;
    for (let c = 0; c < p; c++) s += Xv.data[r * p + c]! * v[c]!;
    return s;
  });
  const res = Xmul(beta).map((v, r) => v - yv.data[r]!);
  const H = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < p; j++) {
      const di = col(i), dj = col(j);
      // ∂ᵢ∂ⱼβ = −K (eⱼ (∂ᵢβ)ⱼ + eᵢ (∂ⱼβ)ᵢ)
      const d2 = Float64Array.from({ length: p }, (_, r) => -(K[r * p + j]! * di[j]! + K[r * p + i]! * dj[i]!));
      const a = Xmul(di), b = Xmul(dj), c = Xmul(d2);
      let s = 0;
      for (let r = 0; r < nv; r++) s += a[r]! * b[r]! + res[r]! * c[r]!;
      H[i * p + j] = s;
    }
  }
  return H;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

function main(): void {
  const P = makeRidgeProblem();
  const lam = Float64Array.from({ length: P.p }, (_, j) => 0.1 + 0.05 * j);
  const J0 = ridgeJacobianClosedForm(P, lam);
  console.log(`ridge n=${P.n}, p=${P.p}, one penalty per feature λ = [${Array.from(lam).join(', ')}]`);
  for (const m of ['lu', 'cg', 'minres', 'gmres', 'bicgstab', 'normal-cg', 'lsqr'] as LinearSolverName[]) {
    const beta = ridgeSolution(P, { linearSolver: m });
    const J = jacobian(beta)(tensor(lam)).data;
    const rep = beta.lastReport!.linearSolve!;
    console.log(`  ${m.padEnd(9)}: max |dβ/dλ − closed form| = ${maxAbsDiff(J, J0).toExponential(2)}  (last solve: ${rep.iterations} it., residual ${rep.residualNorm.toExponential(1)})`);
  }
  const beta = ridgeSolution(P, { diagnostics: 'full' });
  const C = validationLoss(P, (l) => beta(l));
  const H = hessian(C)(tensor(lam)).data;
  const H0 = validationHessianClosedForm(P, lam);
  console.log(`Hessian of the validation loss through the solver: max |H − closed form| = ${maxAbsDiff(H, H0).toExponential(2)} (max |H| = ${Math.max(...Array.from(H0, Math.abs)).toFixed(3)})`);
  const d = beta.lastReport!.diagnostics;
  console.log(`diagnostics ('full'): σ_min(B) = ${d.sigmaMin?.toFixed(4)}, σ_max(B) = ${d.sigmaMax?.toFixed(4)}, cond = ${d.conditionEstimate?.toFixed(2)}; linear solves in the Hessian: ${beta.lastReport!.linearSolveCount}`);
  const g = grad(C)(tensor(lam));
  console.log(`hypergradient ∇C(λ) = [${Array.from(g.data as Float64Array, (v) => v.toExponential(3)).join(', ')}]`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
