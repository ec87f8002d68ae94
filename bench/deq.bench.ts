/**
 * @file Deep equilibrium layers, three measurements in one run:
 *
 * (1) Per-sample vs batch-global stopping of Anderson (forward work = row evaluations of f, and
 *     CPU time) on a batch of Fashion-MNIST inputs through a fully connected DEQ of width 256 whose
 *     W has ‖W‖₂ ≈ 0.9 (mixed difficulty: the inputs differ in how fast they converge).
 * (2) Memory: peak heap during one training step (loss + gradient) of the DEQ (implicit backward)
 *     against unrolled differentiation (ITD) through K solver iterations, K = 10, 30, 100.
 * (3) Training epoch on a Fashion-MNIST subset (FC DEQ z = relu(zW + xU + b), width 256, linear
 *     head, Adam 1e-3, Anderson m = 5, rtol 1e-4, float64), nsdiff vs the PyTorch 1.13 reference of
 *     bench/deq_torch.py (same architecture and Anderson settings; its forward stops on the batch,
 *     its backward is the adjoint fixed point by Anderson in a hook; nsdiff's backward is GMRES at
 *     the same tolerance). CPU time per epoch (the machine is shared: wall time is noisy).
 *
 * (4) The exact backward on the mixed batch of (1): per-sample adjoint solves (Anderson, per-sample
 *     stopping, `backwardStopping: 'sample'`) against the same solver with batch-global stopping and
 *     against the joint GMRES solve of the whole batch (the default). Work = rows of VJPs of f
 *     (plus the rows of the linearisations), and CPU time of the gradient.
 *
 * Both sides compute the input injection x·U + b once per forward (standard in DEQ code).
 *
 * Run: npx tsx bench/deq.bench.ts [nTrain=1024] [nTest=1000] [epochs=2] [sections=1,2,3,4]
 */
import { execFileSync } from 'node:child_process';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  sum, add, adam, applyUpdates, argmax, batches, crossEntropy, gatherRows, grad, matmul, mul, relu, rng, zeros, type Tensor,
} from '../src/index.js';
import { loadFashionMnist } from '../src/node.js';
import { fcDeq, type FcDeqParams } from '../src/nn/deq/fc.js';
import { deq } from '../src/nn/deq/deq.js';
import { cpuMs } from './timing.js';
import { table } from './table.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const nTrain = Number(process.argv[2] ?? 1024);
const nTest = Number(process.argv[3] ?? 1000);
const epochs = Number(process.argv[4] ?? 2);
/** Sections to run (default all): e.g. `3` or `1,2`. */
const sections = new Set((process.argv[5] ?? '1,2,3,4').split(',').map(Number));
const WIDTH = 256;

const cpuSec = (): number => cpuMs() / 1000;

const train = loadFashionMnist({ split: 'train', limit: nTrain });
const test = loadFashionMnist({ split: 'test', limit: nTest });

// ---------------------------------------------------------------------------------------------
// (1) per-sample vs batch-global stopping
if (sections.has(1)) {
  console.log('\n(1) Anderson forward work: per-sample vs batch-global stopping (FC DEQ width 256, ‖W‖₂ ≈ 0.95, b = −0.5, rtol 1e-6, batch 256)');
  console.log('    mixed difficulty: sample s is c_s·image_s with c_s uniform in [0, 2]: dim inputs leave most units inactive (fast), bright ones activate more (slow)');
  const rows: (string | number)[][] = [];
  const B = 256;
  const base = gatherRows(train.images, Int32Array.from({ length: B }, (_, i) => i));
  const c = rng(9).uniform([B, 1]);
  const x = mul(base, mul(c, 2));
  for (const stopping of ['sample', 'batch'] as const) {
    const layer = fcDeq({ width: WIDTH, scale: 0.95, tol: 1e-10, rtol: 1e-6, maxIter: 300, stopping, backward: 'jfb' });
    const { params } = layer.init(0, [784]);
    const p = { ...params, b: add(params.b, -0.5) };
    const c0 = cpuSec();
    layer(x, p);
    const sec = cpuSec() - c0;
    const r = layer.lastReport!.forward;
    rows.push([stopping, r.rowEvaluations, r.calls, r.meanIterations.toFixed(1), r.maxIterations, sec.toFixed(2)]);
  }
  table(['stopping', 'row evaluations of f', 'batched calls', 'mean it', 'max it', 'CPU s'], rows);
  const saving = 1 - Number(rows[0]![1]) / Number(rows[1]![1]);
  console.log(`per-sample stopping saves ${(100 * saving).toFixed(1)}% of the forward row evaluations (CPU ratio ${(Number(rows[0]![5]) / Number(rows[1]![5])).toFixed(2)})`);
}

// ---------------------------------------------------------------------------------------------
// (4) per-sample stopping in the exact backward
if (sections.has(4)) {
  console.log('\n(4) Exact backward on the mixed batch of (1): per-sample adjoint (Anderson) vs batch-global stopping vs joint GMRES (rtol 1e-8, batch 256)');
  const B = 256;
  const base = gatherRows(train.images, Int32Array.from({ length: B }, (_, i) => i));
  const x = mul(base, mul(rng(9).uniform([B, 1]), 2));
  const Y = rng(10).normal([B, WIDTH]);
  const rows: (string | number)[][] = [];
  // each mode twice (the first run is JIT warm-up), reporting the second
  for (const mode of ['sample', 'batch', 'joint', 'sample', 'batch', 'joint'] as const) {
    const layer = fcDeq({
      width: WIDTH, scale: 0.95, tol: 1e-10, rtol: 1e-6, maxIter: 300, backwardTol: 1e-8,
      ...(mode === 'joint' ? { linearSolver: 'gmres' as const } : { backwardStopping: mode }),
    });
    const { params } = layer.init(0, [784]);
    const p = { ...params, b: add(params.b, -0.5) };
    const c0 = cpuSec();
    grad((U: Tensor) => sum(mul(layer(x, { ...p, U }), Y)))(p.U);
    const sec = cpuSec() - c0;
    const r = layer.lastReport!;
    if (mode === 'joint') {
      const it = r.implicit?.linearSolve?.iterations ?? 0;
      rows.push([mode, (it + 1) * B, '-', it, it, (r.backwardMs! / 1000).toFixed(2), sec.toFixed(2)]);
    } else {
      const a = r.backwardSamples!;
      rows.push([mode, r.backwardRowWork!, a.fractionConverged.toFixed(3), a.meanIterations.toFixed(1), a.maxIterations, (r.backwardMs! / 1000).toFixed(2), sec.toFixed(2)]);
    }
  }
  rows.splice(0, 3);
  table(['backward', 'VJP rows', 'converged', 'mean it', 'max it', 'backward wall s', 'CPU s (fwd+bwd)'], rows);
  console.log(`per-sample stopping saves ${(100 * (1 - Number(rows[0]![1]) / Number(rows[1]![1]))).toFixed(1)}% of the backward VJP rows against batch-global stopping, ` +
    `${(100 * (1 - Number(rows[0]![1]) / Number(rows[2]![1]))).toFixed(1)}% against the joint GMRES solve`);
}

// ---------------------------------------------------------------------------------------------
// (2) memory: implicit DEQ vs unrolled ITD
if (sections.has(2)) {
  console.log('\n(2) Peak memory (JS heap + typed-array buffers) of one training step (batch 64, width 256): DEQ (implicit backward) vs unrolled ITD through K iterations');
  const x = gatherRows(train.images, Int32Array.from({ length: 64 }, (_, i) => i));
  const y = train.labels.subarray(0, 64);
  const f = (z: Tensor, xx: Tensor, p: FcDeqParams) => relu(add(add(matmul(z, p.W), matmul(xx, p.U)), p.b));
  let peak = 0;
  // typed-array backing stores live outside the JS heap: count heapUsed + arrayBuffers
  const used = () => { const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers; };
  const sample = () => { peak = Math.max(peak, used()); };
  const tracked = (z: Tensor, xx: Tensor, p: FcDeqParams) => { const out = f(z, xx, p); sample(); return out; };
  const V = mul(rng(5).normal([WIDTH, 10]), 1 / 16);
  const measure = (step: () => void): number => {
    gc();
    const base = used();
    peak = base;
    step();
    sample();
    return (peak - base) / 2 ** 20;
  };
  const rows: (string | number)[][] = [];
  for (const K of [10, 30, 100]) {
    const { params } = fcDeq({ width: WIDTH, scale: 0.5 }).init(0, [784]);
    // the same map, with the heap sampled at every evaluation of f (forward solve and backward VJPs)
    const deqLayer = deq(tracked, { zShape: [WIDTH], tol: 1e-12, rtol: 1e-12, maxIter: K, onFailure: 'return', linearSolver: 'gmres', backwardTol: 1e-8 });
    const deqMB = measure(() => {
      grad((p: FcDeqParams) => crossEntropy(matmul(deqLayer(x, p), V), y))(params);
    });
    const itdMB = measure(() => {
      grad((p: FcDeqParams) => {
        let z = zeros([64, WIDTH]);
        for (let k = 0; k < K; k++) z = tracked(z, x, p);
        return crossEntropy(matmul(z, V), y);
      })(params);
    });
    rows.push([K, deqMB.toFixed(1), itdMB.toFixed(1), (itdMB / Math.max(deqMB, 1)).toFixed(1)]);
  }
  table(['solver iterations K', 'DEQ peak MB', 'unrolled ITD peak MB', 'ITD / max(DEQ, 1 MB)'], rows);
  console.log('(peaks above the heap after a forced GC; a GC during the step can lower the DEQ figure, never raise it: the DEQ keeps no tape)');
  console.log('(heap sampled at every evaluation of f in both; the DEQ forward runs K iterations too: maxIter = K, tolerance unreachable)');
}

// ---------------------------------------------------------------------------------------------
// (3) training epoch: nsdiff vs PyTorch
if (sections.has(3)) {
  console.log(`\n(3) Fashion-MNIST FC DEQ (width ${WIDTH}, batch 128, ${nTrain} train / ${nTest} test samples, ${epochs} epoch(s)): nsdiff vs PyTorch 1.13 (bench/deq_torch.py, 1 thread)`);
  const layer = fcDeq({ width: WIDTH, tol: 1e-10, rtol: 1e-4, maxIter: 100, memory: 5, linearSolver: 'gmres', backwardTol: 1e-4, onFailure: 'return' });
  type Params = { deq: FcDeqParams; V: Tensor; c: Tensor };
  let params: Params = { deq: layer.init(0, [784]).params, V: mul(rng(2).normal([WIDTH, 10]), 1 / 16), c: zeros([10]) };
  const logits = (p: Params, x: Tensor) => add(matmul(layer(x, p.deq), p.V), p.c);
  const opt = adam({ lr: 1e-3 });
  let state = opt.init(params);
  const ours: { cpu: number; fwd: number; acc: number; fIt: number; bIt: number; conv: number }[] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    let fwd = 0, fIt = 0, bIt = 0, conv = 0, nb = 0;
    const c0 = cpuSec();
    for (const idx of batches(nTrain, { batchSize: 128, shuffle: true, seed: 1, epoch })) {
      const xb = gatherRows(train.images, idx), yb = gatherRows(train.labels, idx);
      const g = grad((p: Params) => crossEntropy(logits(p, xb), yb))(params);
      const rep = layer.lastReport!;
      fwd += rep.forwardMs / 1000;
      fIt += rep.forward.meanIterations;
      conv += rep.forward.fractionConverged;
      bIt += rep.implicit?.linearSolve?.iterations ?? 0;
      const u = opt.update(g, state, params);
      params = applyUpdates(params, u.updates);
      state = u.state;
      nb++;
    }
    const cpu = cpuSec() - c0;
    const pred = argmax(logits(params, test.images), { axis: 1 }).data;
    let ok = 0;
    for (let i = 0; i < nTest; i++) ok += pred[i] === test.labels[i] ? 1 : 0;
    ours.push({ cpu, fwd, acc: ok / nTest, fIt: fIt / nb, bIt: bIt / nb, conv: conv / nb });
  }
  let torch: { cpu: number; acc: number; fwd_iter: number; bwd_iter: number }[] = [];
  try {
    const out = execFileSync('/usr/bin/python3', [new URL('./deq_torch.py', import.meta.url).pathname, String(nTrain), String(nTest), String(WIDTH), '128', String(epochs), '1e-4', '1'], {
      encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 3_600_000,
    });
    torch = out.trim().split('\n').map((l) => JSON.parse(l));
  } catch (e) {
    console.log(`PyTorch reference not available (${(e as Error).message.split('\n')[0]}): ratio column omitted`);
  }
  const rows = ours.map((o, i) => {
    const t = torch[i];
    return [
      i + 1, o.cpu.toFixed(1), `${(100 * o.acc).toFixed(1)}%`, o.fIt.toFixed(1), `${(100 * o.conv).toFixed(1)}%`, o.bIt.toFixed(1),
      t ? t.cpu.toFixed(1) : '–', t ? `${(100 * t.acc).toFixed(1)}%` : '–', t ? t.fwd_iter.toFixed(1) : '–', t ? t.bwd_iter.toFixed(1) : '–',
      t ? (o.cpu / t.cpu).toFixed(2) : '–',
    ];
  });
  table(['epoch', 'nsdiff CPU s', 'nsdiff acc', 'fwd it', 'converged', 'bwd it (GMRES)', 'torch CPU s', 'torch acc', 'torch fwd it', 'torch bwd it', 'nsdiff / torch'], rows);
}
