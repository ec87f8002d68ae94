/**
 * @file monDEQ backward: the operator-splitting solver (`linearSolver: 'splitting'`, Peaceman–Rachford
 * + Anderson, per-sample stopping) against GMRES at the same relative tolerance, on the same
 * trained parameters and batches (digits, width 128; Fashion-MNIST subset, width 256).
 *
 * The monDEQ (+ linear head) is first trained for a few hundred steps with the GMRES backward (so W is a
 * trained W, not the initialisation; GMRES iterations grow with training), then every measured
 * batch runs the same loss gradient once per solver. Reported per solver: backward ms per batch
 * (gradient time minus the forward solve), iterations (GMRES: Krylov iterations for the whole
 * batch; splitting: mean and max per sample), the true relative residual of the adjoint system,
 * and the gradient's relative difference to GMRES's. CPU times on a shared machine: noisy.
 *
 * Run: npx tsx bench/mondeq.bench.ts [digits|fashion|both=both] [trainSteps=150] [batches=10]
 */
import {
  add, adam, applyUpdates, crossEntropy, gatherRows, grad, loadDataset, matmul, mul, rng, zeros, batches, tensor, type Tensor,
} from '../src/index.js';
import { loadFashionMnist } from '../src/node.js';
import { digitsBatch } from '../src/experiments/common.js';
import { mondeq, type MonDeqParams } from '../src/nn/deq/mondeq.js';
import { table } from './table.js';

const which = process.argv[2] ?? 'both';
const trainSteps = Number(process.argv[3] ?? 150);
const nMeasure = Number(process.argv[4] ?? 10);


function data(name: 'digits' | 'fashion'): { X: Tensor; y: Int32Array } {
  if (name === 'digits') {
    const ds = loadDataset('digits');
    return { X: digitsBatch(ds).X, y: Int32Array.from(ds.y as ArrayLike<number>) };
  }
  const tr = loadFashionMnist({ split: 'train', limit: 8192 });
  const d = tr.images.data;
  let mu = 0, sq = 0;
  for (let i = 0; i < d.length; i++) { mu += d[i]!; sq += d[i]! * d[i]!; }
  mu /= d.length;
  const sd = Math.sqrt(sq / d.length - mu * mu);
  return { X: tensor(Float64Array.from(d, (v) => (v - mu) / sd), tr.images.shape as number[]), y: tr.labels };
}

type Params = { deq: MonDeqParams; V: Tensor; c: Tensor };

function run(name: 'digits' | 'fashion'): void {
  const { X, y } = data(name);
  const width = name === 'digits' ? 128 : 256;
  const batchSize = name === 'digits' ? 64 : 128;
  const rtol = name === 'digits' ? 1e-6 : 1e-4;
  const backwardTol = rtol * 1e-2;
  const common = { width, monotonicity: 0.05, alpha: Number(process.env.ALPHA ?? 1), tol: 1e-10, rtol, maxIter: 200, backwardTol, backwardMaxIter: 2000, onFailure: 'warn' as const };
  const layers = {
    gmres: mondeq({ ...common, linearSolver: 'gmres' }),
    'splitting (PR + Anderson)': mondeq({ ...common, linearSolver: 'splitting', backwardIteration: 'anderson' }),
    'splitting (PR, plain)': mondeq({ ...common, linearSolver: 'splitting', backwardIteration: 'fixed-point' }),
  };
  const p = X.shape[1]!;
  let params: Params = { deq: layers.gmres.init(1, [p]).params, V: mul(rng(2).normal([width, 10]), 1 / Math.sqrt(width)), c: zeros([10]) };
  const loss = (layer: (x: Tensor, q: MonDeqParams) => Tensor, xb: Tensor, yb: Int32Array) => (pp: Params) =>
    crossEntropy(add(matmul(layer(xb, pp.deq), pp.V), pp.c), yb);
  const opt = adam({ lr: 1e-3 });
  let state = opt.init(params);
  const t0 = performance.now();
  let steps = 0;
  outer: for (let epoch = 0; ; epoch++) {
    for (const idx of batches(y.length, { batchSize, shuffle: true, seed: 3, epoch })) {
      if (steps++ >= trainSteps) break outer;
      const g = grad(loss(layers.gmres, gatherRows(X, idx), gatherRows(y, idx)))(params);
      const up = opt.update(g, state, params);
      params = applyUpdates(params, up.updates);
      state = up.state;
    }
  }
  console.log(`\n${name}: monDEQ width ${width}, batch ${batchSize}, forward rtol ${rtol}, backward tol ${backwardTol}; ${trainSteps} Adam steps with the GMRES backward (${((performance.now() - t0) / 1000).toFixed(1)} s), then ${nMeasure} batches`);
  const acc: Record<string, { ms: number; it: number; itMax: number; res: number; diff: number }> = {};
  for (const k of Object.keys(layers)) acc[k] = { ms: 0, it: 0, itMax: 0, res: 0, diff: 0 };
  let b = 0;
  for (const idx of batches(y.length, { batchSize, shuffle: true, seed: 99 })) {
    if (b++ >= nMeasure) break;
    const xb = gatherRows(X, idx), yb = gatherRows(y, idx);
    let ref: Params | null = null;
    for (const [k, layer] of Object.entries(layers)) {
      const s = performance.now();
      const g = grad(loss(layer, xb, yb))(params);
      const ms = performance.now() - s - layer.lastReport!.forwardMs;
      const ls = layer.lastReport!.implicit!.linearSolve!;
      const a = acc[k]!;
      a.ms += ms;
      if (ls.samples) {
        const its = ls.samples.iterations;
        a.it += its.reduce((u, v) => u + v, 0) / its.length;
        a.itMax = Math.max(a.itMax, ...its);
      } else {
        a.it += ls.iterations;
        a.itMax = Math.max(a.itMax, ls.iterations);
      }
      a.res = Math.max(a.res, ls.relativeResidual);
      if (!ref) ref = g;
      else {
        let num = 0, den = 0;
        for (const key of ['A', 'B', 'U', 'b'] as const) {
          const u = g.deq[key].data, v = ref.deq[key].data;
          for (let i = 0; i < u.length; i++) { num += (u[i]! - v[i]!) ** 2; den += v[i]! ** 2; }
        }
        a.diff = Math.max(a.diff, Math.sqrt(num / den));
      }
    }
  }
  const g = acc.gmres!;
  table(
    ['backward solver', 'ms / batch', 'vs GMRES', 'iterations (mean)', 'max', 'max rel. residual', 'max rel. grad diff vs GMRES'],
    Object.entries(acc).map(([k, a]) => [
      k, (a.ms / nMeasure).toFixed(1), (a.ms / g.ms).toFixed(2) + '×', (a.it / nMeasure).toFixed(1) + (k === 'gmres' ? ' (batch)' : ' (per sample)'), a.itMax,
      a.res.toExponential(1), k === 'gmres' ? '—' : a.diff.toExponential(1),
    ]),
  );
}

if (which === 'digits' || which === 'both') run('digits');
if (which === 'fashion' || which === 'both') run('fashion');
