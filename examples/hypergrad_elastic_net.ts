/**
 * @file Hypergradients of the elastic-net ISTA fixed point (Grazzi, Pontil & Salzo 2024): how fast
 * ITD, AID-FP and AID-GMRES converge to the true hypergradient, then a few warm-started steps of
 * hypergradient descent on log λ, and one NSID estimate.
 *
 * Run: npx tsx examples/hypergrad_elastic_net.ts
 */
import { exp, hypergradient, makeHypergradient, stochasticHypergradient, sub, mul, tensor, zeros, type Tensor } from '../src/index.js';
// the reference problem (data split, ISTA map, closed form) is a test fixture, not library API
import { elasticNetIstaProblem, makeSparseRegressionSplit, minibatchSampler } from '../test/fixtures/hypergrad_problems.js';

// Data as in the paper: 500 rows (100 train, 200 validation), 100 features, 30 informative.
const data = makeSparseRegressionSplit({ nSamples: 500, nFeatures: 100, nInformative: 30, noise: 0.1, seed: 3 });
const prob = elasticNetIstaProblem(data); // Φ(w, λ) = S(w − γ(∇ℓ(w) + λ₂w), γλ₁), E(w) = ½‖X_val w − y_val‖²/n_val
const lam = tensor([0.02, 0.002]);

// Ground truth: closed form on the support of the exact solution.
const { w: wStar } = prob.solve(lam);
const { grad: gStar, support } = prob.closedForm(lam, wStar);
const tSupp = prob.supportIdentification(lam, 5000, wStar);
console.log(`|support| = ${support.length}, ISTA identifies it at t = ${tSupp}, ∇f(λ) = [${Array.from(gStar, (g) => g.toFixed(6))}]`);

// 1. Convergence in t (t forward iterations; AID uses k = t adjoint iterations).
const err = (g: Tensor): string => (Math.hypot(g.data[0]! - gStar[0]!, g.data[1]! - gStar[1]!) / Math.hypot(...gStar)).toExponential(2);
// One forward-mode ITD run gives the ITD estimate for every t.
const itd = hypergradient({ phi: prob.phi, outer: prob.outer, w0: zeros([100]), lam, method: 'ITD', itd: { mode: 'forward' }, t: 400, tol: 0, reference: gStar });
console.log('\n   t |   ITD    |  AID-FP  | AID-GMRES');
for (const t of [50, 100, 150, 200, 300, 400]) {
  const common = { phi: prob.phi, outer: prob.outer, w0: zeros([100]), lam, t, k: t, tol: 0, adjointTol: 0, trace: 'none' as const };
  const fp = hypergradient({ ...common, method: 'AID-FP' });
  const gm = hypergradient({ ...common, method: 'AID-GMRES' });
  const itdErr = (itd.trace[t - 1]!.error! / Math.hypot(...gStar)).toExponential(2);
  console.log(`${String(t).padStart(4)} | ${itdErr.padEnd(8)} | ${err(fp.grad as Tensor).padEnd(8)} | ${err(gm.grad as Tensor)}`);
}

// 2. Hypergradient descent on θ = log λ, warm-starting w and the adjoint v between steps.
const phiLog = (w: Tensor, theta: Tensor) => prob.phi(w, exp(theta));
const hg = makeHypergradient({ phi: phiLog, outer: (w: Tensor) => prob.outer(w, lam), w0: zeros([100]), method: 'AID-GMRES', tol: 1e-10, adjointTol: 1e-10, t: 5000 });
let theta = tensor([Math.log(0.02), Math.log(0.002)]);
console.log('\nstep | λ₁        λ₂        | validation loss | forward its | adjoint its');
for (let step = 0; step < 6; step++) {
  const r = hg(theta);
  const l = exp(theta).data;
  console.log(`${String(step).padStart(4)} | ${l[0]!.toExponential(3)} ${l[1]!.toExponential(3)} | ${r.value.toFixed(6)}        | ${String(r.iterations.forward).padStart(11)} | ${r.iterations.adjoint}`);
  theta = sub(theta, mul(2, r.grad as Tensor)); // plain gradient step on log λ
}

// 3. One stochastic estimate: NSID with minibatches of 20 training rows.
const q = prob.contraction(0.002);
const ns = stochasticHypergradient({
  method: 'NSID', T: prob.That, G: prob.G, Tbar: prob.Tbar, outer: prob.outer, sample: minibatchSampler(data.nTrain, 20),
  w: tensor(wStar), lam, iterations: 2000, step: { beta: 0.5 * (2 / (1 - q * q)), gamma: 2 * (2 / (1 - q * q)) }, seed: 0, trace: 'none',
});
console.log(`\nNSID (K = 2000, batch 20): relative error ${err(ns.grad as Tensor)}`);
