/**
 * @file Experiment `qp-layer` (Amos & Kolter 2017, OptNet; Martins & Astudillo 2016, sparsemax):
 * optimisation problems as differentiable layers, and the derivative they return at a kink. Also
 * the one copy of the computations of examples/optlayers-sparsemax-digits.ts and
 * examples/optlayers-qp-denoise.ts (the examples call `trainDigits` / `trainDenoiser`).
 *
 * 1. A sparsemax head on the bundled digits: a linear layer followed by sparsemax (the Euclidean
 *    projection onto the simplex, a QP with a closed form), trained with the sparsemax loss
 *      L(z, y) = ⟨z, p⟩ − ½‖p‖² + ½ − z_y,   p = sparsemax(z),   ∇_z L = p − e_y,
 *    against a softmax / cross-entropy head; sparsemax's output is sparse (few nonzero classes).
 * 2. OptNet-style learned denoising: z(y) = argmin_z ½‖z − y‖² + λ‖Dz‖₁ (lifted to a QP:
 *    min ½‖z − y‖² + λ1ᵀt s.t. −t ≤ Dz ≤ t) with D LEARNED through `solveQp`, compared with the
 *    hand-designed total variation (`tvDenoise1d`) at its best λ.
 * 3. A degenerate QP point: z(p) = argmin ½‖z‖² + pᵀz over the box [0, 1]², at p = (−1, −½)
 *    z₁ = −p₁ = 1 sits on its bound with zero multiplier. The map p₁ ↦ z₁ = clip(−p₁, 0, 1) has
 *    one-sided derivatives 0 (p₁ decreasing: the bound binds, J_act) and −1 (p₁ increasing: J_free).
 *    `solveQp` returns J = (1 − t)J_act + t·J_free with t chosen by the kink policy (docs/optlayers.md):
 *    minNorm, left → J_act (the backward difference), right → J_free (the forward difference),
 *    fixed t → the blend, random → some t ∈ [0, 1].
 */
import { rng } from '../core/rng.js';
import { tensor, eye, full, zeros, type Tensor } from '../core/tensor.js';
import { grad } from '../autodiff/transforms.js';
import { trackKinks, withKinkPolicy, type KinkPolicy } from '../autodiff/kinks.js';
import { add, matmul, mean, mul, neg, square, sub, sum } from '../ops/index.js';
import { concat, sliceAxis } from '../ops/slicing.js';
import { crossEntropy } from '../ops/losses.js';
import { solveQp } from '../optlayers/qp.js';
import { sparsemax } from '../optlayers/projections.js';
import { tvDenoise1d } from '../optlayers/tv.js';
import { adam, applyUpdates } from '../nn/optim.js';
import { batches, gatherRows } from '../data/batches.js';
import { splitTrainVal, type Dataset } from '../data/dataset.js';
import { loadDataset as loadBundled } from '../data/datasets.js';
import { lineChart, panels } from '../plot/svg.js';
import { check, digitsBatch, fmt, round } from './common.js';
import type { Experiment, ExperimentContext, ExperimentResult } from './types.js';

// ---------------------------------------------------------------------------------------------
// 1. sparsemax head on the digits

/** Result of `trainDigits`. */
export interface DigitsResult {
  head: 'sparsemax' | 'softmax';
  accuracy: number;
  /** Mean number of nonzero probabilities per validation sample (10 for softmax). */
  meanSupport: number;
  /** Histogram of the support sizes on the validation set: count[s − 1] samples with s nonzero classes. */
  supportHistogram: number[];
  /** Per epoch: mean training loss and held-out accuracy. */
  lossCurve: number[];
  accuracyCurve: number[];
  seconds: number;
  epochs: number;
}

type LinearParams = { W: Tensor; b: Tensor };

function onehot(y: Int32Array, k: number): Tensor {
  const out = new Float64Array(y.length * k);
  y.forEach((c, i) => (out[i * k + c] = 1));
  return tensor(out, [y.length, k]);
}

/**
 * The sparsemax loss ⟨z, p⟩ − ½‖p‖² + ½ − ⟨z, Y⟩ (p = sparsemax(z), Y one-hot), averaged over the batch.
 * @example
 * sparsemaxLoss(tensor([[2, 0, 0]]), tensor([[1, 0, 0]])).item(); // 0 (confident and right)
 */
export function sparsemaxLoss(z: Tensor, Y: Tensor): Tensor {
  const p = sparsemax(z);
  const perSample = sub(sub(sum(mul(z, p), { axis: -1 }), mul(sum(square(p), { axis: -1 }), 0.5)), sum(mul(z, Y), { axis: -1 }));
  return add(mean(perSample), 0.5);
}

/**
 * Trains a linear model with a sparsemax or softmax head on the digits (80/20 split, Adam, batches of 64).
 * @example
 * const r = trainDigits('sparsemax', { epochs: 2 }); // r.accuracy ≈ 0.9, r.meanSupport ≈ 1.5
 */
export function trainDigits(
  head: 'sparsemax' | 'softmax',
  opts: { epochs?: number; seed?: number; lr?: number; dataset?: Dataset } = {},
): DigitsResult {
  const epochs = opts.epochs ?? 20;
  const seed = opts.seed ?? 0;
  const split = splitTrainVal(opts.dataset ?? loadBundled('digits'), 0.8, { seed });
  const train = digitsBatch(split.train);
  const val = digitsBatch(split.val);
  const k = 10;
  const d = train.X.shape[1]!;
  let params: LinearParams = { W: rng(seed).normal([d, k], 0, 0.01), b: tensor(new Float64Array(k)) };
  const opt = adam({ lr: opts.lr ?? 0.05 });
  let state = opt.init(params);
  const loss = (P: LinearParams, X: Tensor, y: Int32Array): Tensor => {
    const z = add(matmul(X, P.W), P.b);
    return head === 'sparsemax' ? sparsemaxLoss(z, onehot(y, k)) : crossEntropy(z, y);
  };
  const evaluate = (): { accuracy: number; support: number[] } => {
    const z = add(matmul(val.X, params.W), params.b);
    const probs = head === 'sparsemax' ? sparsemax(z).data : z.data;
    let correct = 0;
    const support: number[] = [];
    for (let i = 0; i < val.y.length; i++) {
      let best = 0;
      let s = 0;
      for (let c = 0; c < k; c++) {
        if (probs[i * k + c]! > probs[i * k + best]!) best = c;
        if (head === 'softmax' || probs[i * k + c]! > 0) s++;
      }
      if (best === val.y[i]) correct++;
      support.push(s);
    }
    return { accuracy: correct / val.y.length, support };
  };
  const lossCurve: number[] = [];
  const accuracyCurve: number[] = [];
  let seconds = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    const t0 = performance.now();
    let total = 0, nb = 0;
    for (const idx of batches(train.y.length, { batchSize: 64, shuffle: true, seed, epoch })) {
      const X = gatherRows(train.X, idx);
      const y = gatherRows(train.y, idx);
      let value = 0;
      const g = grad((P: LinearParams) => { const l = loss(P, X, y); value = l.item(); return l; })(params);
      const u = opt.update(g, state, params);
      state = u.state;
      params = applyUpdates(params, u.updates);
      total += value; nb++;
    }
    seconds += (performance.now() - t0) / 1000;
    lossCurve.push(total / nb);
    accuracyCurve.push(evaluate().accuracy);
  }
  const { accuracy, support } = evaluate();
  const supportHistogram = Array.from({ length: k }, (_, s) => support.filter((v) => v === s + 1).length);
  return { head, accuracy, meanSupport: support.reduce((a, b) => a + b, 0) / support.length, supportHistogram, lossCurve, accuracyCurve, seconds, epochs };
}

// ---------------------------------------------------------------------------------------------
// 2. OptNet-style learned denoising

/**
 * Piecewise-constant signals (2–4 random jumps) and their noisy copies, rows of [count, n].
 * @example
 * const { clean, noisy } = signals(4, 16, 0.2, 1); // two [4, 16] tensors
 */
export function signals(count: number, n: number, noise: number, seed: number): { clean: Tensor; noisy: Tensor } {
  const r = rng(seed);
  const clean = new Float64Array(count * n);
  const u = r.uniform([count, 8]).data;
  for (let k = 0; k < count; k++) {
    const jumps = 2 + Math.floor(u[k * 8]! * 3);
    let level = u[k * 8 + 1]! * 2 - 1;
    const cuts = new Set<number>();
    for (let j = 0; j < jumps; j++) cuts.add(1 + Math.floor(u[k * 8 + 2 + j]! * (n - 1)));
    for (let i = 0; i < n; i++) {
      if (cuts.has(i)) level = ((level + 1.7 * (u[k * 8 + 6]! + i / n)) % 2) - 1;
      clean[k * n + i] = level;
    }
  }
  const eps = r.normal([count, n]).data;
  const noisy = Float64Array.from(clean, (v, i) => v + noise * eps[i]!);
  return { clean: tensor(clean, [count, n]), noisy: tensor(noisy, [count, n]) };
}

/**
 * The QP layer argmin_z ½‖z − y‖² + λ‖Dz‖₁ with operator D (m × n) on a batch y [B, n]: returns z [B, n].
 * @example
 * const z = qpDenoise(rng(0).normal([15, 16]), signals(2, 16, 0.2, 1).noisy, 0.1); // [2, 16]
 */
export function qpDenoise(D: Tensor, y: Tensor, lam: number): Tensor {
  const [m, n] = D.shape as [number, number];
  const B = y.shape[0]!;
  const N = n + m;
  const Qd = new Float64Array(N * N);
  for (let i = 0; i < n; i++) Qd[i * N + i] = 1;
  const I = eye(m);
  const G = concat([concat([D, neg(I)], { axis: 1 }), concat([neg(D), neg(I)], { axis: 1 })], { axis: 0 });
  const p = concat([neg(y), full([B, m], lam)], { axis: 1 });
  const z = solveQp({ Q: tensor(Qd, [N, N]), p, G, h: zeros([2 * m]) }).z;
  return sliceAxis(z, 0, n, { axis: 1 }); // the first n coordinates are z, the rest t
}

/** Result of `trainDenoiser`. */
export interface DenoiseResult {
  learnedMse: number;
  initialMse: number;
  tvMse: number;
  tvLambda: number;
  noisyMse: number;
  /** Training MSE of each Adam step's minibatch. */
  trainCurve: number[];
  /** The first test signal: clean, noisy, learned-QP and TV reconstructions. */
  example: { clean: number[]; noisy: number[]; learned: number[]; tv: number[] };
  seconds: number;
  steps: number;
}

/**
 * Trains D by Adam on minibatches of noisy signals through `solveQp`; evaluates on held-out signals.
 * @example
 * const r = trainDenoiser({ steps: 10 }); // r.learnedMse < r.initialMse
 */
export function trainDenoiser(opts: { n?: number; steps?: number; batch?: number; seed?: number; nTest?: number } = {}): DenoiseResult {
  const n = opts.n ?? 16;
  const m = n - 1;
  const steps = opts.steps ?? 60;
  const batch = opts.batch ?? 16;
  const seed = opts.seed ?? 1;
  const lam = 0.1;
  const train = signals(512, n, 0.2, seed);
  const test = signals(opts.nTest ?? 128, n, 0.2, seed + 100);
  const mse = (a: Tensor, b: Tensor): number => mean(square(sub(a, b))).item();
  let params = { D: rng(seed).normal([m, n], 0, 0.3) };
  const initialMse = mse(qpDenoise(params.D, test.noisy, lam), test.clean);
  const opt = adam({ lr: 0.05 });
  let state = opt.init(params);
  const trainCurve: number[] = [];
  const t0 = performance.now();
  for (let s = 0; s < steps; s++) {
    const start = (s * batch) % 512;
    const rows = (x: Tensor) => tensor(x.data.slice(start * n, (start + batch) * n), [batch, n]);
    const y = rows(train.noisy);
    const c = rows(train.clean);
    let value = 0;
    const g = grad((P: { D: Tensor }) => { const l = mean(square(sub(qpDenoise(P.D, y, lam), c))); value = l.item(); return l; })(params);
    trainCurve.push(value);
    const u = opt.update(g, state, params);
    state = u.state;
    params = applyUpdates(params, u.updates);
  }
  const seconds = (performance.now() - t0) / 1000;
  let tvMse = Infinity;
  let tvLambda = 0;
  for (const l of [0.05, 0.1, 0.2, 0.3, 0.5, 0.8]) {
    const e = mse(tvDenoise1d(test.noisy, l), test.clean);
    if (e < tvMse) [tvMse, tvLambda] = [e, l];
  }
  const learned = qpDenoise(params.D, test.noisy, lam);
  const first = (x: Tensor): number[] => Array.from(x.data.subarray(0, n));
  const example = { clean: first(test.clean), noisy: first(test.noisy), learned: first(learned), tv: first(tvDenoise1d(test.noisy, tvLambda)) };
  return { learnedMse: mse(learned, test.clean), initialMse, tvMse, tvLambda, noisyMse: mse(test.noisy, test.clean), trainCurve, example, seconds, steps };
}

// ---------------------------------------------------------------------------------------------
// 3. the degenerate point

const BOX_G = [[1, 0], [0, 1], [-1, 0], [0, -1]];
const BOX_H = [1, 1, 0, 0];
const WEIGHTS = [1, 3];

/** f(p) = ⟨(1, 3), z(p)⟩, z(p) = argmin ½‖z‖² + pᵀz over [0, 1]² through solveQp. */
function boxObjective(p: Tensor): Tensor {
  return sum(mul(solveQp({ Q: eye(2), p, G: tensor(BOX_G), h: tensor(BOX_H) }).z, tensor(WEIGHTS)));
}

/** Plain closed form of f (the reference of the one-sided differences). */
function boxObjectiveExact(p: readonly number[]): number {
  return WEIGHTS.reduce((a, w, i) => a + w * Math.min(1, Math.max(0, -p[i]!)), 0);
}

/**
 * ∂f/∂p under each kink policy at p0 (f = ⟨(1, 3), z(p)⟩ on the box), the one-sided differences of
 * the closed form (backward = J_act, forward = J_free at the default p0), and solveQp's kink count.
 * @example
 * degeneratePoint().selections[0]; // { policy: 'minNorm', t: 0, gradient: [0, -3] }
 */
export function degeneratePoint(p0: readonly number[] = [-1, -0.5]): {
  kinks: number;
  backward: number[];
  forward: number[];
  selections: Array<{ policy: string; t: number | null; gradient: number[] }>;
} {
  const h = 1e-6;
  const oneSided = (sign: 1 | -1): number[] => p0.map((_, i) => {
    const q = [...p0];
    q[i] = q[i]! + sign * h;
    return (sign * (boxObjectiveExact(q) - boxObjectiveExact(p0))) / h;
  });
  const kinks = trackKinks(() => solveQp({ Q: eye(2), p: tensor([...p0]), G: tensor(BOX_G), h: tensor(BOX_H) })).kinks.total;
  const policies: Array<[string, KinkPolicy, number | null]> = [
    ['minNorm', 'minNorm', 0], ['left', 'left', 0], ['right', 'right', 1], ['fixed t = 0.25', { kind: 'fixed', t: 0.25 }, 0.25], ['random', { kind: 'random', seed: 7 }, null],
  ];
  const selections = policies.map(([policy, kp, t]) => ({ policy, t, gradient: Array.from(withKinkPolicy(kp, () => grad(boxObjective)(tensor([...p0])) as Tensor).data) }));
  return { kinks, backward: oneSided(-1), forward: oneSided(1), selections };
}

// ---------------------------------------------------------------------------------------------
// the experiment

const close = (a: readonly number[], b: readonly number[], tol = 1e-6): boolean => a.length === b.length && a.every((v, i) => Math.abs(v - b[i]!) <= tol);

function run(ctx: ExperimentContext): ExperimentResult {
  const digits = (ctx.loadDataset ?? loadBundled)('digits');
  const epochs = ctx.quick ? 4 : 20;
  const heads = (['sparsemax', 'softmax'] as const).map((head) => trainDigits(head, { epochs, seed: ctx.seed, dataset: digits }));
  const [sm, soft] = heads as [DigitsResult, DigitsResult];
  const den = trainDenoiser({ steps: ctx.quick ? 25 : 60, seed: ctx.seed + 1, nTest: ctx.quick ? 48 : 128 });
  const deg = degeneratePoint();
  const jAct = deg.backward, jFree = deg.forward;
  const blend = (t: number): number[] => jAct.map((v, i) => (1 - t) * v + t * jFree[i]!);

  const ep = (c: number[]) => c.map((v, j) => [j + 1, v] as const);
  const training = panels([
    lineChart(heads.map((r) => ({ name: `${r.head} head`, points: ep(r.accuracyCurve), style: 'line+markers' as const })), {
      title: 'qp-layer: digits, linear layer + head (held-out accuracy)', xLabel: 'epoch', yLabel: 'held-out accuracy (fraction)', width: 520, height: 360,
    }),
    lineChart([
      { name: 'learned D (QP layer)', points: den.trainCurve.map((v, j) => [j + 1, v] as const) },
    ], {
      title: 'qp-layer: OptNet denoising, training minibatch MSE', xLabel: 'Adam step', yLabel: 'MSE (signal units²)', width: 520, height: 360,
      yRange: [0, 1.05 * Math.max(den.noisyMse, ...den.trainCurve)],
      hLines: [{ y: den.tvMse, label: `TV, best λ = ${den.tvLambda} (test)`, color: '#59a14f' }, { y: den.noisyMse, label: 'noisy input (test)', color: '#999' }],
    }),
  ], { columns: 2 });
  const idx = den.example.clean.map((_, i) => i);
  const outputs = panels([
    lineChart(heads.map((r) => ({ name: `${r.head} head`, points: r.supportHistogram.map((c, s) => [s + 1, c] as const), style: 'line+markers' as const })), {
      title: 'qp-layer: nonzero class probabilities per held-out digit', xLabel: 'support size (classes with p > 0)', yLabel: 'held-out samples (count)', width: 520, height: 360,
    }),
    lineChart([
      { name: 'clean', points: idx.map((i) => [i, den.example.clean[i]!] as const), color: '#222' },
      { name: 'noisy', points: idx.map((i) => [i, den.example.noisy[i]!] as const), style: 'markers', color: '#999' },
      { name: 'learned QP', points: idx.map((i) => [i, den.example.learned[i]!] as const) },
      { name: `TV (λ = ${den.tvLambda})`, points: idx.map((i) => [i, den.example.tv[i]!] as const), dash: '6,3' },
    ], { title: 'qp-layer: a held-out signal and its reconstructions', xLabel: 'sample index', yLabel: 'signal value', width: 520, height: 360 }),
  ], { columns: 2 });
  // the derivative ∂f/∂p₁ along p₁ (closed form, piecewise constant) and the selections at the kink p₁ = −1
  const p1s = Array.from({ length: 41 }, (_, i) => -1.5 + i * 0.025).filter((v) => Math.abs(v + 1) > 1e-9);
  const dfd = (p1: number): number => (p1 < -1 || p1 > 0 ? 0 : -1);
  const degenerate = lineChart([
    { name: 'p₁ < −1: bound binds (J_act = 0)', points: p1s.filter((v) => v < -1).map((v) => [v, dfd(v)] as const), color: '#222' },
    { name: 'p₁ > −1: free (J_free = −1)', points: p1s.filter((v) => v > -1).map((v) => [v, dfd(v)] as const), color: '#777' },
    ...deg.selections.map((s) => ({ name: `${s.policy} at the kink`, points: [[-1, s.gradient[0]!] as const], style: 'markers' as const })),
  ], {
    title: 'qp-layer: ∂f/∂p₁ of f = ⟨(1, 3), z(p)⟩, z = argmin ½‖z‖² + pᵀz on [0, 1]², selections at the degenerate point',
    xLabel: 'p₁ (with p₂ = −0.5)', yLabel: '∂f/∂p₁', vLines: [{ x: -1, label: 'degenerate: z₁ = 1, λ = 0' }], yRange: [-1.2, 0.2],
  });

  const smAccMin = ctx.quick ? 0.88 : 0.93;
  const randomSel = deg.selections.find((s) => s.policy === 'random')!;
  const checks = [
    check(`sparsemax head: held-out accuracy ≥ ${smAccMin}`, sm.accuracy >= smAccMin, sm.accuracy),
    check('sparsemax head within 3 points of the softmax head', sm.accuracy >= soft.accuracy - 0.03, sm.accuracy - soft.accuracy),
    check('sparsemax output is sparse: mean support ≤ 3 of 10 classes', sm.meanSupport <= 3, sm.meanSupport),
    check('learned QP denoiser beats its random initial D and the noisy input on held-out signals', den.learnedMse < den.initialMse && den.learnedMse < den.noisyMse, den.learnedMse),
    check('degenerate point reported as one kink (trackKinks, solveQp)', deg.kinks === 1, deg.kinks),
    check('one-sided differences: backward = J_act = (0, −3), forward = J_free = (−1, −3)', close(jAct, [0, -3], 1e-4) && close(jFree, [-1, -3], 1e-4), `${round(jAct, 4).join(',')} | ${round(jFree, 4).join(',')}`),
    ...deg.selections.filter((s) => s.t !== null).map((s) =>
      check(`kink policy ${s.policy}: gradient = (1 − t)·J_act + t·J_free with t = ${s.t}`, close(s.gradient, blend(s.t!), 1e-5), s.gradient.map(fmt).join(', '))),
    check('kink policy random: gradient on the segment [J_act, J_free]', randomSel.gradient[0]! <= 1e-9 && randomSel.gradient[0]! >= -1 - 1e-9 && Math.abs(randomSel.gradient[1]! + 3) < 1e-5, randomSel.gradient.map(fmt).join(', ')),
  ];
  const summary = [
    ...heads.map((r) => `digits, ${r.head} head: held-out accuracy ${fmt(r.accuracy)} after ${epochs} epochs, mean support ${fmt(r.meanSupport)} of 10 classes (${fmt(r.seconds)} s)`),
    `OptNet denoising (test MSE): noisy ${fmt(den.noisyMse)}, random D ${fmt(den.initialMse)}, learned D ${fmt(den.learnedMse)} after ${den.steps} steps; TV at its best λ = ${den.tvLambda}: ${fmt(den.tvMse)}`,
    `degenerate QP point: J_act = (${jAct.map(fmt).join(', ')}), J_free = (${jFree.map(fmt).join(', ')}); ` +
      deg.selections.map((s) => `${s.policy} → (${s.gradient.map(fmt).join(', ')})`).join('; '),
  ].join('\n');
  return {
    name: 'qp-layer',
    figures: { 'qp-layer-training': training, 'qp-layer-outputs': outputs, 'qp-layer-degenerate': degenerate },
    summary,
    checks,
    data: {
      digits: heads.map((r) => ({ head: r.head, accuracy: r.accuracy, meanSupport: r.meanSupport, supportHistogram: r.supportHistogram, loss: round(r.lossCurve, 5), accuracyCurve: round(r.accuracyCurve, 5), epochs: r.epochs })),
      denoise: { noisyMse: den.noisyMse, initialMse: den.initialMse, learnedMse: den.learnedMse, tvMse: den.tvMse, tvLambda: den.tvLambda, steps: den.steps, trainCurve: round(den.trainCurve, 5) },
      degenerate: { p0: [-1, -0.5], kinks: deg.kinks, jAct, jFree, selections: deg.selections },
    },
  };
}

/** The `qp-layer` experiment. */
export const qpLayerExperiment: Experiment = {
  name: 'qp-layer',
  title: 'Optimisation layers: a sparsemax head, a learned QP denoiser, and the derivative at a degenerate QP point',
  expected:
    'The sparsemax head reaches held-out accuracy ≥ 0.93 on the digits (0.88 with --quick), within 3 points of softmax, with at most 3 ' +
    'nonzero classes per sample on average; the QP denoiser with learned D beats its random initialisation and the noisy input; at the ' +
    'degenerate point of the box QP, solveQp reports one kink and returns (1 − t)·J_act + t·J_free — J_act (the backward difference) under ' +
    'minNorm and left, J_free (the forward difference) under right, the blend under fixed t, a point of the segment under random.',
  run,
};
