/**
 * @file Implicit differentiation of the Lasso solution with respect to λ, on its support.
 *
 * Objective (1/2n)‖y − Xβ‖² + λ‖β‖₁. On the support S with signs s = sign(β_S), optimality reads
 * (1/n)X_Sᵀ(X_Sβ_S − y) + λs = 0, hence β_S = (X_SᵀX_S)⁻¹(X_Sᵀy − nλs) and
 *
 *     dβ_S/dλ = −n·(X_SᵀX_S)⁻¹·s,      dβ_j/dλ = 0 for j ∉ S.
 *
 * nsdiff gets it from the ISTA fixed point β = T(λ, β) = ST(β − γ∇f(β), γλ), ∇f = (1/n)Xᵀ(Xβ − y),
 * γ = 1/L with L = σ_max(X)²/n, via `customFixedPoint` with the support as `activeSet` (rows of
 * B = I − ∂ᵦT outside S are unit rows; on S, B_SS = γ·X_SᵀX_S/n is symmetric positive definite,
 * so CG is valid there although the full B is not symmetric).
 *
 * Run: npx tsx examples/implicit-lasso.ts
 */
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import {
  customFixedPoint, grad, jvp, linalg, matmul, mul, rng, scalar, softThreshold, sub, sum, tensor, transpose,
  type ImplicitOptions, type Tensor,
} from '../src/index.js';

/** A synthetic sparse regression problem with a held-out split. */
export interface LassoProblem {
  X: Tensor; // n×p
  y: Tensor; // n
  Xv: Tensor; // validation
  yv: Tensor;
  n: number;
  p: number;
  /** ISTA step 1/L, L = σ_max(X)²/n. */
  step: number;
  lambdaMax: number;
}

export function makeLassoProblem(seed = 0, n = 40, p = 12): LassoProblem {
  const g = rng(seed);
  const X = g.normal([n, p]);
  const Xv = g.normal([n, p]);
  const beta = new Float64Array(p);
  beta[0] = 2;
  beta[3] = -1.5;
  beta[7] = 1;
  beta[1] = 0.5;
  beta[9] = -0.4;
  const bt = tensor(beta);
  const y = tensor(Float64Array.from(matmul(X, bt).data, (v) => v + 0.8 * g.normalScalar()));
  const yv = tensor(Float64Array.from(matmul(Xv, bt).data, (v) => v + 0.8 * g.normalScalar()));
  // L = σ_max(X)²/n by power iteration on XᵀX
  let v = new Float64Array(p).fill(1);
  let L = 0;
  for (let it = 0; it < 500; it++) {
    const w = matmul(transpose(X), matmul(X, tensor(v))).data;
    const nw = Math.hypot(...w);
    v = Float64Array.from(w, (a) => a / nw);
    if (Math.abs(nw - L) < 1e-14 * nw) break;
    L = nw;
  }
  L /= n;
  const Xty = matmul(transpose(X), y).data;
  const lambdaMax = Math.max(...Array.from(Xty, Math.abs)) / n;
  return { X, y, Xv, yv, n, p, step: 1 / L, lambdaMax };
}

/** ∇f(β) = (1/n)·Xᵀ(Xβ − y), with ops (differentiable). */
export function lassoGrad(P: LassoProblem, beta: Tensor): Tensor {
  return mul(matmul(P.X, sub(matmul(P.X, beta), P.y), { transA: true }), 1 / P.n);
}

/** The ISTA map T(λ, β) = ST(β − γ∇f(β), γλ), with ops (differentiable in λ and β). */
export function istaMap(P: LassoProblem, lam: Tensor, beta: Tensor): Tensor {
  return softThreshold(sub(beta, mul(lassoGrad(P, beta), P.step)), mul(lam, P.step));
}

/**
 * Solves the Lasso to machine precision on concrete values: FISTA, then the support equations
 * β_S = (X_SᵀX_S)⁻¹(X_Sᵀy − nλs) (the "polish"), checked against the KKT conditions.
 */
export function solveLasso(P: LassoProblem, lam: number, init?: Float64Array): Float64Array {
  const { X, y, n, p, step } = P;
  const Xd = X.data, yd = y.data;
  const gradAt = (b: Float64Array): Float64Array => {
    const r = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = -yd[i]!;
      for (let j = 0; j < p; j++) s += Xd[i * p + j]! * b[j]!;
      r[i] = s;
    }
    const g = new Float64Array(p);
    for (let j = 0; j < p; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += Xd[i * p + j]! * r[i]!;
      g[j] = s / n;
    }
    return g;
  };
  const st = (v: number, t: number): number => (v > t ? v - t : v < -t ? v + t : 0);
  let b = init ? Float64Array.from(init) : new Float64Array(p);
  let z = Float64Array.from(b);
  let t = 1;
  for (let it = 0; it < 20000; it++) {
    const g = gradAt(z);
    const bn = Float64Array.from(z, (v, j) => st(v - step * g[j]!, step * lam));
    const tn = (1 + Math.sqrt(1 + 4 * t * t)) / 2;
    let diff = 0;
    for (let j = 0; j < p; j++) {
      z[j] = bn[j]! + ((t - 1) / tn) * (bn[j]! - b[j]!);
      diff = Math.max(diff, Math.abs(bn[j]! - b[j]!));
    }
    b = bn;
    t = tn;
    if (diff < 1e-15 && it > 50) break;
  }
  // polish on the support
  const S = [...b.keys()].filter((j) => b[j] !== 0);
  if (S.length > 0) {
    const k = S.length;
    const A = new Float64Array(k * k);
    const rhs = new Float64Array(k);
    for (let a = 0; a < k; a++) {
      for (let c = 0; c < k; c++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += Xd[i * p + S[a]!]! * Xd[i * p + S[c]!]!;
        A[a * k + c] = s;
      }
      let s = 0;
      for (let i = 0; i < n; i++) s += Xd[i * p + S[a]!]! * yd[i]!;
      rhs[a] = s - n * lam * Math.sign(b[S[a]!]!);
    }
    const bS = linalg.solve(tensor(A, [k, k]), tensor(rhs)).data;
    const polished = new Float64Array(p);
    S.forEach((j, a) => (polished[j] = bS[a]!));
    // keep the polish only if it is consistent with the KKT conditions (same signs, |X_jᵀr|/n ≤ λ off S)
    const g = gradAt(polished);
    const ok = S.every((j) => Math.sign(polished[j]!) === Math.sign(b[j]!)) && [...Array(p).keys()].every((j) => S.includes(j) || Math.abs(g[j]!) < lam);
    if (ok) b = polished;
  }
  return b;
}

/** Support of β (indices of nonzeros). */
export function support(beta: Tensor | Float64Array): Int32Array {
  const d = beta instanceof Float64Array ? beta : beta.data;
  return Int32Array.from([...d.keys()].filter((j) => d[j] !== 0));
}

/** β(λ) as a differentiable function of λ (scalar tensor) via the ISTA fixed point. */
export function lassoSolution(P: LassoProblem, opts: ImplicitOptions<Tensor, Tensor> = {}) {
  return customFixedPoint<Tensor, Tensor>(
    (lam, beta) => istaMap(P, lam, beta),
    (lam, init) => tensor(solveLasso(P, lam.item(), init?.data)),
    { activeSet: (_lam, beta) => support(beta), name: 'lasso', ...opts },
  );
}

/** Closed form dβ/dλ: −n·(X_SᵀX_S)⁻¹·sign(β_S) on S, 0 elsewhere. */
export function lassoClosedFormDerivative(P: LassoProblem, beta: Float64Array): Float64Array {
  const { X, n, p } = P;
  const S = support(beta);
  const k = S.length;
  const out = new Float64Array(p);
  if (k === 0) return out;
  const A = new Float64Array(k * k);
  for (let a = 0; a < k; a++) {
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += X.data[i * p + S[a]!]! * X.data[i * p + S[c]!]!;
      A[a * k + c] = s;
    }
  }
  const sgn = Float64Array.from(S, (j) => -n * Math.sign(beta[j]!));
  const d = linalg.solve(tensor(A, [k, k]), tensor(sgn)).data;
  S.forEach((j, a) => (out[j] = d[a]!));
  return out;
}

/** dβ/dλ by forward-mode autodiff through K unrolled ISTA iterations from β = 0 (ITD). */
export function unrolledDerivative(P: LassoProblem, lam: number, K: number): Float64Array {
  const run = (l: Tensor): Tensor => {
    let b: Tensor = tensor(new Float64Array(P.p));
    for (let k = 0; k < K; k++) b = istaMap(P, l, b);
    return b;
  };
  return Float64Array.from(jvp(run, [scalar(lam)], [scalar(1)])[1].data);
}

/** β_K(λ): K unrolled ISTA iterations from β = 0, with ops (differentiable: ITD). */
export function unrolledSolution(P: LassoProblem, K: number): (lam: Tensor) => Tensor {
  return (l) => {
    let b: Tensor = tensor(new Float64Array(P.p));
    for (let k = 0; k < K; k++) b = istaMap(P, l, b);
    return b;
  };
}

/** Held-out loss C(λ) = (1/2n_v)‖y_v − X_vβ(λ)‖² and its hypergradient. */
export function heldOut(P: LassoProblem, betaOf: (lam: Tensor) => Tensor): (lam: Tensor) => Tensor {
  return (lam) => {
    const r = sub(matmul(P.Xv, betaOf(lam)), P.yv);
    return mul(sum(mul(r, r)), 0.5 / P.n);
  };
}

function main(): void {
  const P = makeLassoProblem(0);
  const lam = 0.05 * P.lambdaMax;
  const beta = lassoSolution(P, { linearSolver: 'cg', diagnostics: 'full' });
  const b = beta(scalar(lam));
  const S = support(b);
  console.log(`Lasso n=${P.n}, p=${P.p}, λ = ${lam.toFixed(5)} (0.05·λ_max), support S = [${S.join(', ')}]`);

  const [, dImplicit] = jvp((l: Tensor) => beta(l), [scalar(lam)], [scalar(1)]);
  const dClosed = lassoClosedFormDerivative(P, b.data);
  const err = Math.max(...Array.from(dImplicit.data, (v, j) => Math.abs(v - dClosed[j]!)));
  console.log('dβ/dλ implicit   :', Array.from(dImplicit.data, (v) => v.toFixed(6)).join(' '));
  console.log('dβ/dλ closed form:', Array.from(dClosed, (v) => v.toFixed(6)).join(' '));
  console.log(`max |implicit − closed form| = ${err.toExponential(2)}`);

  const rep = beta.lastReport!;
  console.log(
    `report: forward ‖F‖ = ${rep.forward?.residualNorm.toExponential(2)}, kinks at the solution = ${rep.kinks.total}, ` +
      `active set ${rep.diagnostics.activeSet?.size}/${rep.diagnostics.activeSet?.n} (verified: ${rep.diagnostics.activeSet?.verified}), ` +
      `σ_min(B_SS) = ${rep.diagnostics.sigmaMin?.toExponential(3)}, cond = ${rep.diagnostics.conditionEstimate?.toExponential(3)}`,
  );
  console.log(`linear solve: ${JSON.stringify(rep.linearSolve)}`);

  for (const K of [10, 30, 100, 300]) {
    const dU = unrolledDerivative(P, lam, K);
    const e = Math.max(...Array.from(dU, (v, j) => Math.abs(v - dClosed[j]!)));
    console.log(`unrolled ISTA, K = ${String(K).padStart(4)} iterations: max |ITD − closed form| = ${e.toExponential(2)}`);
  }

  const C = heldOut(P, (l) => beta(l));
  const g = grad(C)(scalar(lam)).item();
  const gU = grad(heldOut(P, unrolledSolution(P, 200)))(scalar(lam)).item();
  console.log(`hypergradient by reverse mode through 200 unrolled ISTA iterations: ${gU.toExponential(8)} (|Δ| = ${Math.abs(gU - g).toExponential(2)})`);
  const h = 1e-6;
  const fd = (C(scalar(lam + h)).item() - C(scalar(lam - h)).item()) / (2 * h);
  console.log(`hypergradient of the held-out loss: implicit ${g.toExponential(8)}, central FD ${fd.toExponential(8)}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
