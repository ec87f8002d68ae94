/**
 * @file Hypergradient methods on the elastic-net experiments of Grazzi, Pontil & Salzo (ICML 2024).
 *
 * (1) Deterministic: error ‖ĝ − g*‖ of ITD, AID-FP, AID-GMRES (and AID-CG, a heuristic here: the
 *     prox-gradient Jacobian is not symmetric) against the number of iterations t (forward t, and
 *     k = t adjoint iterations for AID, as the paper's "normal" mode), on synthetic data
 *     n = 500 (20 % train = 100 rows, 40 % validation), p = 100, 30 informative, noise 0.1,
 *     λ = (λ₁, λ₂) ∈ {(0.02, 0.002), (0.002, 0.002)} on ½‖Xw − y‖²/n + λ₁‖w‖₁ + ½λ₂‖w‖²;
 *     reference g* = AID-FP with 10 000 adjoint iterations at the 10 000-iteration solution
 *     (checked against the closed form on the support). The support-identification iteration of
 *     ISTA is marked.
 * (2) ITD memory modes at t = 500: time, stored iterates, Φ evaluations, agreement with the tape.
 * (3) Stochastic: NSID vs SID vs AID-FP, error against the number of samples used, on a stochastic
 *     elastic net with 5 000 training rows (correlated design, λ = (0.1, 0.01), batch 100, decreasing
 *     steps β/(γ + k) with β = ½β_opt, γ = 2β_opt, β_opt = 2/(1 − q²), J = K + 1 as the paper);
 *     NSID/SID use (K + J)·100 samples, AID-FP k·5 000. Mean over 5 seeds.
 *
 * Run: npx tsx bench/implicit.bench.ts
 */
import { tensor, zeros, type Tensor } from '../src/index.js';
import { hypergradient, type HypergradMethod } from '../src/implicit/hypergrad.js';
import { stochasticHypergradient } from '../src/implicit/stochastic.js';
import { elasticNetIstaProblem, makeSparseRegressionSplit, minibatchSampler } from '../test/fixtures/hypergrad_problems.js';
import { table } from './table.js';

const fmt = (x: number): string => (Number.isFinite(x) ? x.toExponential(2) : String(x));
function dist(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < b.length; i++) s += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(s);
}
const tStart = performance.now();

// ---------------------------------------------------------------------------------------------
// (1) deterministic

const data = makeSparseRegressionSplit({ nSamples: 500, nFeatures: 100, nInformative: 30, noise: 0.1, seed: 3 });
const en = elasticNetIstaProblem(data);
console.log(`\n## (1) Deterministic elastic net: n_train = ${data.nTrain}, n_val = ${data.nVal}, p = ${data.p}, L = ${en.L.toFixed(3)}, μ = ${en.mu.toExponential(2)}`);

for (const lamPair of [[0.02, 0.002], [0.002, 0.002]] as const) {
  const lam = tensor([...lamPair]);
  const q = en.contraction(lamPair[1]);
  const T0 = performance.now();
  // reference: AID-FP, 10 000 iterations at the 10 000-iteration solution
  const ref = hypergradient({ phi: en.phi, outer: en.outer, w0: zeros([100]), lam, method: 'AID-FP', t: 10_000, k: 10_000, tol: 0, adjointTol: 0, trace: 'none' });
  const g = (ref.grad as Tensor).data;
  const wStar = (ref.w as Tensor).data;
  const closed = en.closedForm(lam, en.solve(lam).w);
  const tSupp = en.supportIdentification(lam, 10_000, wStar);
  const gnorm = Math.hypot(...g);
  console.log(
    `\n### λ = (${lamPair[0]}, ${lamPair[1]}): q = ${q.toFixed(6)}, |support| = ${closed.support.length}, support identified at t = ${tSupp}; ` +
      `reference g* = [${Array.from(g, (x) => x.toPrecision(10)).join(', ')}] (‖g* − closed form‖/‖g*‖ = ${fmt(dist(g, closed.grad) / gnorm)}, ${((performance.now() - T0) / 1000).toFixed(1)} s)`,
  );
  const tMax = 1000;
  const itd = hypergradient({ phi: en.phi, outer: en.outer, w0: zeros([100]), lam, method: 'ITD', itd: { mode: 'forward' }, t: tMax, tol: 0, reference: g });
  const grid = [1, 10, 25, 50, 75, 100, 125, 150, 200, 250, 300, 400, 500, 700, 1000];
  if (tSupp > 0 && !grid.includes(tSupp)) grid.push(tSupp);
  grid.sort((a, b) => a - b);
  const rows: (string | number)[][] = [];
  const timing: Record<string, number> = {};
  for (const t of grid) {
    const row: (string | number)[] = [t === tSupp ? `${t} ◀ supp` : String(t), fmt(itd.trace[t - 1]!.error! / gnorm)];
    for (const method of ['AID-FP', 'AID-GMRES', 'AID-CG'] as HypergradMethod[]) {
      const t1 = performance.now();
      const r = hypergradient({ phi: en.phi, outer: en.outer, w0: zeros([100]), lam, method, t, k: t, tol: 0, adjointTol: 0, trace: 'none', symmetry: 'return', onFailure: 'return' });
      timing[method] = (timing[method] ?? 0) + performance.now() - t1;
      row.push(fmt(dist((r.grad as Tensor).data, g) / gnorm));
    }
    rows.push(row);
  }
  console.log('relative error ‖ĝ_t − g*‖/‖g*‖ (t forward iterations; AID: k = t adjoint iterations)\n');
  table(['t', 'ITD', 'AID-FP', 'AID-GMRES', 'AID-CG (heuristic)'], rows);
  // where does AID-FP beat ITD?
  let aidWins = 0, total = 0;
  for (const r of rows) {
    const t = parseInt(String(r[0]), 10);
    if (t >= tSupp && Number(r[1]) > 1e-12) {
      total++;
      if (Number(r[2]) <= Number(r[1])) aidWins++;
    }
  }
  console.log(`\nAID-FP ≤ ITD on ${aidWins}/${total} grid points with t ≥ t_supp and ITD error > 1e-12. Time for the whole grid: ` +
    Object.entries(timing).map(([m, ms]) => `${m} ${(ms / 1000).toFixed(2)} s`).join(', '));
}

// ---------------------------------------------------------------------------------------------
// (2) ITD memory modes

{
  const lam = tensor([0.02, 0.002]);
  const t = 500;
  console.log(`\n## (2) ITD memory modes, elastic net λ = (0.02, 0.002), t = ${t}\n`);
  const rows: (string | number)[][] = [];
  let tapeGrad: Float64Array | null = null;
  for (const [name, itdOpts] of [
    ['reverse / tape', { memory: 'tape' }],
    ['reverse / iterates', { memory: 'iterates' }],
    ['reverse / checkpoint (c = ⌈√t⌉)', { memory: 'checkpoint' }],
    ['forward (2 tangents)', { mode: 'forward' }],
  ] as const) {
    const t1 = performance.now();
    const r = hypergradient({ phi: en.phi, outer: en.outer, w0: zeros([100]), lam, method: 'ITD', t, tol: 0, trace: 'none', itd: itdOpts });
    const ms = performance.now() - t1;
    const gr = (r.grad as Tensor).data;
    tapeGrad ??= Float64Array.from(gr);
    rows.push([name, (ms / 1000).toFixed(2), r.itd!.storedIterates, r.itd!.phiEvaluations, fmt(dist(gr, tapeGrad) / Math.hypot(...tapeGrad))]);
  }
  table(['mode', 'time (s)', 'stored w-sized vectors', 'Φ evaluations (JVPs)', 'rel. diff vs tape'], rows);
}

// ---------------------------------------------------------------------------------------------
// (3) stochastic

{
  const sdata = makeSparseRegressionSplit({ nSamples: 25_000, nFeatures: 100, nInformative: 30, noise: 0.01, correlated: true, effectiveRank: 30, seed: 4 });
  const sp = elasticNetIstaProblem(sdata);
  const lamPair = [0.1, 0.01] as const;
  const lam = tensor([...lamPair]);
  const q = sp.contraction(lamPair[1]);
  const betaOpt = 2 / (1 - q * q);
  const step = { beta: 0.5 * betaOpt, gamma: 2 * betaOpt };
  const sol = sp.solve(lam);
  const gStar = sp.closedForm(lam, sol.w).grad;
  const gnorm = Math.hypot(...gStar);
  const batch = 100;
  const n = sdata.nTrain;
  console.log(
    `\n## (3) Stochastic elastic net: n_train = ${n}, p = 100, λ = (${lamPair[0]}, ${lamPair[1]}), batch ${batch}, q = ${q.toFixed(4)}, ` +
      `β = ${step.beta.toFixed(2)}, γ = ${step.gamma.toFixed(2)}, |support| = ${sp.closedForm(lam, sol.w).support.length}; g* = closed form at the exact w (‖Φ(w) − w‖ = ${fmt(sol.fixedPointResidual)})\n`,
  );
  const w = tensor(sol.w);
  const seeds = 5;
  const rows: (string | number)[][] = [];
  const Ks = [10, 30, 100, 300, 1000, 3000];
  const times: Record<string, number> = { NSID: 0, SID: 0, 'AID-FP': 0 };
  for (const K of Ks) {
    const samples = (2 * K + 1) * batch; // J = K + 1 minibatches for w̄, one per iteration
    const row: (string | number)[] = [samples, K];
    for (const method of ['NSID', 'SID'] as const) {
      let e = 0;
      const t1 = performance.now();
      for (let seed = 0; seed < seeds; seed++) {
        const r = stochasticHypergradient({ method, T: sp.That, G: sp.G, Tbar: sp.Tbar, outer: sp.outer, sample: minibatchSampler(n, batch), w, lam, iterations: K, step, seed, trace: 'none' });
        e += dist((r.grad as Tensor).data, gStar) / gnorm / seeds;
      }
      times[method]! += performance.now() - t1;
      row.push(fmt(e));
    }
    const k = Math.floor(samples / n);
    const t1 = performance.now();
    const aid = hypergradient({ phi: sp.phi, outer: sp.outer, w0: w, lam, method: 'AID-FP', t: 0, k, adjointTol: 0, trace: 'none', onFailure: 'return' }); // a fixed budget of k adjoint steps: unconverged by design
    times['AID-FP']! += performance.now() - t1;
    row.push(k, fmt(dist((aid.grad as Tensor).data, gStar) / gnorm));
    rows.push(row);
  }
  console.log('mean relative error ‖ĝ − g*‖/‖g*‖ over 5 seeds at equal sample budgets (w = exact inner solution, as the paper\'s "last_det" mode)\n');
  table(['samples', 'K (NSID/SID)', 'NSID', 'SID', 'k (AID-FP)', 'AID-FP'], rows);
  console.log(`\ntime: ${Object.entries(times).map(([m, ms]) => `${m} ${(ms / 1000).toFixed(1)} s`).join(', ')}`);
}

console.log(`\ntotal ${((performance.now() - tStart) / 1000).toFixed(1)} s`);
