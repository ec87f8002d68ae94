/**
 * @file Cost of one implicit hypergradient relative to the forward solve, for a Lasso with
 * n = 100, p = 1000 and a support of about 10 (the setting of JAXopt PR #274), solving the adjoint
 * system on the support (activeSet) versus on the full p×p system (GMRES, normal CG).
 *
 * hypergradient = d/dλ of the held-out loss through β(λ) = ISTA fixed point (customFixedPoint).
 * The forward solve is nsdiff's coordinate-descent Lasso solver to a duality gap of 1e-12·‖y‖²/n.
 * Timings exclude the forward solve from the hypergradient (the `solve` callback returns the
 * cached β), so the ratio is "extra cost of the derivative once β is known".
 *
 * Run: npx tsx bench/implicit_lasso.bench.ts
 */
import { customFixedPoint, denseFromRows, grad, matmul, mul, scalar, sub, sum, tensor, type LinearSolverName, type Tensor } from '../src/index.js';
import { lasso } from '../src/lasso/index.js';
import { istaMap, lassoClosedFormDerivative, makeLassoProblem, solveLasso, support } from '../examples/implicit-lasso.js';
import { time } from './timing.js';

const n = 100;
const p = 1000;
const P = makeLassoProblem(3, n, p);
const rows: number[][] = [];
for (let i = 0; i < n; i++) rows.push(Array.from(P.X.data.subarray(i * p, (i + 1) * p)));
const Xd = denseFromRows(rows);

/** Fastest of `reps` calls, ms, and the value (bench/timing.ts). */
function best<T>(fn: () => T, reps = 5): { ms: number; value: T } {
  const t = time(fn, { warmup: 0, reps });
  return { ms: t.min, value: t.value };
}

// λ giving a support of about 10
let lam = P.lambdaMax / 2;
let fit = lasso(Xd, P.y.data, lam, { fitIntercept: false, tol: 1e-12 });
for (let k = 0; k < 40 && fit.support.length < 10; k++) {
  lam *= 0.9;
  fit = lasso(Xd, P.y.data, lam, { fitIntercept: false, tol: 1e-12 });
}
const forward = best(() => lasso(Xd, P.y.data, lam, { fitIntercept: false, tol: 1e-12 }));
const beta = tensor(forward.value.beta);
// the fixed-point formulation's own solver (FISTA on the same ISTA map, to 1e-15 steps), as JAXopt measures
const fista = best(() => solveLasso(P, lam), 2);
const S = support(beta);

const heldOutGrad = (opts: { activeSet: boolean; linearSolver: LinearSolverName }) => {
  const sol = customFixedPoint<Tensor, Tensor>((l, b) => istaMap(P, l, b), () => beta, {
    linearSolver: opts.linearSolver,
    ...(opts.activeSet ? { activeSet: (_l: Tensor, b: Tensor) => support(b) } : {}),
    warmStart: false,
    maxIter: 20000,
    name: 'lasso-bench',
  });
  const loss = (l: Tensor) => {
    const r = sub(matmul(P.Xv, sol(l)), P.yv);
    return mul(sum(mul(r, r)), 0.5 / n);
  };
  return grad(loss)(scalar(lam)).item();
};

// exact reference: dC/dλ = ∇_β C · dβ/dλ with the closed form on the support
const dbeta = lassoClosedFormDerivative(P, forward.value.beta);
const rv = sub(matmul(P.Xv, beta), P.yv);
const gC = mul(matmul(rv, P.Xv), 1 / n).data;
let exact = 0;
for (let j = 0; j < p; j++) exact += gC[j]! * dbeta[j]!;

const configs: { label: string; activeSet: boolean; linearSolver: LinearSolverName }[] = [
  { label: 'support (activeSet) + CG', activeSet: true, linearSolver: 'cg' },
  { label: 'support (activeSet) + LU', activeSet: true, linearSolver: 'lu' },
  { label: 'full system + GMRES', activeSet: false, linearSolver: 'gmres' },
  { label: 'full system + normal CG', activeSet: false, linearSolver: 'normal-cg' },
];
const table = configs.map((c) => {
  const r = best(() => heldOutGrad(c), c.activeSet ? 5 : 2);
  return {
    adjoint: c.label,
    'hypergradient ms': +r.ms.toFixed(2),
    'ratio to CD solve': +(r.ms / forward.ms).toFixed(3),
    'ratio to FISTA solve': +(r.ms / fista.ms).toFixed(3),
    'relative error': +(Math.abs(r.value - exact) / Math.abs(exact)).toExponential(2),
  };
});
console.log(`\nLasso n=${n}, p=${p}, λ/λ_max=${(lam / P.lambdaMax).toFixed(3)}, support ${S.length}`);
console.log(`forward solves: coordinate descent with working sets (gap ≤ 1e-12·‖y‖²/n) ${forward.ms.toFixed(2)} ms; FISTA on the ISTA map ${fista.ms.toFixed(1)} ms`);
console.table(table);
console.log('target: support-restricted hypergradient ≤ 20% of the forward solve');
