/**
 * @file Experiment `artificial-critical-points` (Bolte & Pauwels; Le's defence slides): autodiff
 * can return 0 where the function is not critical, yet SGD never stops there.
 *
 * f(x) = relu(x) − relu(−x) is the identity, f'(x) = 1, but autodiff (relu'(0) = 0, the
 * minimal-norm selection) returns f'(0) = 0: an element of the conservative Jacobian [0, 2] of f
 * at 0, not the derivative. The same happens in a ReLU network built from such units,
 *   net(x; W, v) = Σⱼ vⱼ (relu(Wⱼ·x) − relu(−Wⱼ·x))  (= vᵀWx, a linear model in disguise),
 * with the squared loss L(W, v) = mean_i (net(xᵢ) − yᵢ)² on y = βᵀx. Every θ = (W = 0, v) is an
 * artificial critical point: autodiff's ∂L/∂Wⱼ = vⱼ·relu-selections = 0 and ∂L/∂v = 0, while the
 * true directional derivative along Wⱼ is −2vⱼ·mean(yᵢxᵢ) ≠ 0. Gradient descent started there
 * stays for ever. From random initialisations and random step sizes, SGD never visits the set (it
 * has measure zero; Bolte & Pauwels 2020, Bianchi–Hachem–Schechtman 2020): we count the kinks hit
 * along every run (trackKinks) and the runs that end near {W = 0}, and report the fraction.
 */
import { rng } from '../core/rng.js';
import { tensor, type Tensor } from '../core/tensor.js';
import { grad } from '../autodiff/transforms.js';
import { trackKinks } from '../autodiff/kinks.js';
import { matmul, mean, neg, relu, reshape, square, sub, take, transpose } from '../ops/index.js';
import { lineChart, type Series } from '../plot/svg.js';
import { check, fmt, round } from './common.js';
import type { Experiment, ExperimentContext, ExperimentResult } from './types.js';

/**
 * The identity written as relu(x) − relu(−x).
 * @example
 * grad((x: Tensor) => sum(reluIdentity(x)))(tensor([0])).data; // [0]: the artificial critical point
 */
export function reluIdentity(x: Tensor): Tensor {
  return sub(relu(x), relu(neg(x)));
}

/** Sizes of the network: inputs d, hidden units m. */
const D = 2, M = 4;

/**
 * Loss of the network with parameters θ = (W row-major m×d, v ∈ ℝᵐ) flattened, on rows X (n×d) and targets y.
 * @example
 * const L = networkLoss(tensor([[1, 0]]), tensor([1]));
 */
export function networkLoss(X: Tensor, y: Tensor): (theta: Tensor) => Tensor {
  const iW = Int32Array.from({ length: M * D }, (_, i) => i);
  const iv = Int32Array.from({ length: M }, (_, i) => M * D + i);
  return (theta) => {
    const W = reshape(take(theta, iW), [M, D]);
    const v = take(theta, iv);
    const H = matmul(X, transpose(W));
    return mean(square(sub(matmul(reluIdentity(H), v), y)));
  };
}

function run(ctx: ExperimentContext): ExperimentResult {
  const g = rng(ctx.seed);
  // 1. the scalar identity
  const xs = [-1, -0.5, -0.25, 0, 0.25, 0.5, 1];
  const fprime = xs.map((x) => (grad((t: Tensor) => reluIdentity(t))(tensor(x)) as Tensor).item());
  // 2. the network and its artificial critical set
  const n = 64;
  const beta = [1, -2];
  const Xd = new Float64Array(n * D);
  g.fillNormal(Xd);
  const yd = Float64Array.from({ length: n }, (_, i) => beta[0]! * Xd[i * D]! + beta[1]! * Xd[i * D + 1]!);
  const X = reshape(tensor(Xd), [n, D]);
  const y = tensor(yd);
  const L = networkLoss(X, y);
  const dL = grad(L);
  const P = M * D + M;
  const thetaStar = new Float64Array(P);
  for (let j = 0; j < M; j++) thetaStar[M * D + j] = 0.5 + g.random(); // W = 0, v ≠ 0
  const gStar = (dL(tensor(thetaStar)) as Tensor).data;
  const gStarNorm = Math.hypot(...gStar);
  // one-sided finite difference of L along W₁₁ (the true directional derivative, nonzero)
  const h = 1e-6;
  const e = Float64Array.from(thetaStar);
  e[0] = h;
  const fd = (L(tensor(e)).item() - L(tensor(thetaStar)).item()) / h;
  // gradient descent from the artificial critical point: does not move
  let th = tensor(Float64Array.from(thetaStar));
  for (let k = 0; k < 50; k++) th = tensor(Float64Array.from(th.data, (t, i) => t - 0.1 * (dL(th) as Tensor).data[i]!));
  const stuckMove = Math.hypot(...Array.from(th.data, (t, i) => t - thetaStar[i]!));
  const stuckLoss = L(th).item();
  // 3. SGD from random initialisations and random step sizes
  const runs = ctx.quick ? 20 : 100;
  const K = ctx.quick ? 150 : 500;
  const B = 8;
  const curves: Array<Array<readonly [number, number]>> = [];
  let kinkRuns = 0, nearArtificial = 0, reached = 0;
  const finalLoss: number[] = [];
  const minRowNorm: number[] = [];
  for (let r = 0; r < runs; r++) {
    const gr = rng(ctx.seed * 7919 + r + 1);
    const alpha = gr.uniformScalar(0.02, 0.2);
    let theta = new Float64Array(P);
    for (let i = 0; i < P; i++) theta[i] = 0.5 * gr.normalScalar();
    const curve: Array<readonly [number, number]> = [[0, L(tensor(theta)).item()]];
    let minRow = Infinity;
    const { kinks } = trackKinks(() => {
      for (let k = 0; k < K; k++) {
        const idx = Int32Array.from({ length: B }, () => gr.int(n));
        const gk = (grad(networkLoss(take(X, idx), take(y, idx)))(tensor(theta)) as Tensor).data;
        theta = Float64Array.from(theta, (t, i) => t - alpha * gk[i]!);
        for (let j = 0; j < M; j++) minRow = Math.min(minRow, Math.hypot(theta[j * D]!, theta[j * D + 1]!));
        if ((k + 1) % 10 === 0 && r < 12) curve.push([k + 1, L(tensor(theta)).item()]);
      }
    });
    // the full-data loss evaluations above are outside the minibatch gradients but inside the scope; they hit no kink either unless W_j·x = 0
    if (kinks.total > 0) kinkRuns++;
    const Lf = L(tensor(theta)).item();
    finalLoss.push(Lf);
    minRowNorm.push(minRow);
    let wNorm = 0;
    for (let i = 0; i < M * D; i++) wNorm += theta[i]! ** 2;
    if (Math.sqrt(wNorm) < 1e-6) nearArtificial++;
    if (Lf < 1e-6) reached++;
    if (r < 12) curves.push(curve);
  }
  const series: Series[] = curves.map((c, i) => ({ name: 'SGD, random init and step size', points: c, color: '#4e79a7', width: 1, hideInLegend: i > 0 }));
  series.push({ name: 'GD from W = 0 (artificial critical pt)', points: [[0, stuckLoss], [K, stuckLoss]], color: '#e15759', width: 2.2 });
  const figures = {
    'artificial-critical-points-identity': lineChart([
      { name: "true derivative f'(x) = 1", points: [[-1, 1], [1, 1]], color: '#999', dash: '5,4' },
      { name: "autodiff f'(x), f(x) = relu(x) − relu(−x)", points: xs.map((x, i) => [x, fprime[i]!] as const), style: 'markers', color: '#e15759' },
    ], { title: 'artificial critical point: autodiff of the identity written with ReLUs', xLabel: 'x (dimensionless)', yLabel: "derivative returned (dimensionless)", yRange: [-0.2, 1.2] }),
    'artificial-critical-points-sgd': lineChart(series, {
      title: `artificial-critical-points: training loss of a ReLU network (${curves.length} of ${runs} runs shown)`,
      xLabel: 'SGD step k (minibatches of 8)', yLabel: 'training loss (mean squared error, log scale)', yScale: 'log',
    }),
  };
  const fracStopped = nearArtificial / runs;
  const fracReached = reached / runs;
  const checks = [
    check("autodiff f'(0) = 0 and f'(x) = 1 at x ≠ 0 for f(x) = relu(x) − relu(−x)", fprime.every((d, i) => (xs[i] === 0 ? d === 0 : d === 1)), fprime.join(', ')),
    check('at θ = (W = 0, v ≠ 0) the autodiff gradient of the network loss is exactly 0', gStarNorm === 0, gStarNorm),
    check('… while the one-sided derivative along W₁₁ is not (|FD| > 0.1)', Math.abs(fd) > 0.1, fd),
    check('gradient descent started there never moves (50 steps)', stuckMove === 0, stuckMove),
    check('SGD from random initialisations and step sizes: no run hits a kink (fraction 0)', kinkRuns === 0, kinkRuns / runs),
    check('no run ends at an artificial critical point ‖W‖ < 1e-6 (fraction 0)', fracStopped === 0, fracStopped),
    check('≥ 90% of the runs reach training loss < 1e-6', fracReached >= 0.9, fracReached),
  ];
  const summary = [
    `f(x) = relu(x) − relu(−x): autodiff f'(0) = ${fprime[xs.indexOf(0)]} (true derivative 1) — an artificial critical point`,
    `ReLU network (${M} units) at W = 0: ‖autodiff gradient‖ = ${gStarNorm}, one-sided derivative along W₁₁ = ${fmt(fd)}; GD started there moves ${stuckMove} in 50 steps`,
    `SGD, ${runs} random initialisations and step sizes α ∈ [0.02, 0.2], ${K} steps: ${kinkRuns} runs hit a kink, ${nearArtificial} end at an artificial critical point (fraction ${fracStopped}); ` +
      `${reached} reach loss < 1e-6 (fraction ${fracReached}); closest approach of a hidden unit's weights to 0: ${fmt(Math.min(...minRowNorm))}`,
  ].join('\n');
  return {
    name: 'artificial-critical-points', figures, summary, checks,
    data: { xs, fprime, gradAtArtificial: gStarNorm, oneSidedDerivative: fd, stuckMove, runs, steps: K, kinkRuns, fractionStopped: fracStopped, fractionReached: fracReached, finalLoss: round(finalLoss, 4), minRowNorm: round(minRowNorm, 4) },
  };
}

/** The `artificial-critical-points` experiment. */
export const artificialCriticalPointsExperiment: Experiment = {
  name: 'artificial-critical-points',
  title: 'Artificial critical points: autodiff returns 0 off criticality, SGD never stops there',
  expected:
    "Autodiff of relu(x) − relu(−x) returns 0 at x = 0 (true derivative 1); the ReLU network's loss has autodiff gradient exactly 0 on " +
    '{W = 0} although it is not critical there, and gradient descent started there never moves; SGD from random initialisations and step ' +
    'sizes hits no kink, never ends on that set (fraction 0) and reaches the global minimum (≥ 90% of runs).',
  run,
};
