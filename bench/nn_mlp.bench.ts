/**
 * @file Fashion-MNIST MLP benchmark against PyTorch (Debian's python3-torch 1.13), measured in the
 * same run: MLP 784-256-128-10 ReLU, softmax cross-entropy, Adam(lr 1e-3), batch 128, float64.
 * Reports per-epoch wall and CPU time (CPU time is the robust number on a shared machine), test
 * accuracy after the epochs, peak RSS, the per-step overhead of a tiny model (10-16-10, batch 8)
 * and where one step's time goes (gemm of the step's matrix products with the forward bias epilogue,
 * the step's elementwise ops,
 * the optimiser as fit() runs it, the rest: autodiff bookkeeping, batch gathering).
 *
 * usage: npx tsx bench/nn_mlp.bench.ts [--epochs 10] [--limit 60000] [--no-torch] [--tiny-only] [--cosine]
 * (--cosine: Adam's step size decays from 1e-3 to 0 over the run; the test accuracy is printed each epoch)
 */
import { execFileSync } from 'node:child_process';
import { fit } from '../src/nn/train/fit.js';
import { evaluate } from '../src/nn/train/metrics.js';
import { loadClassificationData } from '../src/nn/train/data.js';
import { buildModel, modelSpec } from '../src/nn/models.js';
import { adam, inPlaceOptimizer } from '../src/nn/optim.js';
import { relu } from '../src/ops/nonsmooth.js';
import { sum } from '../src/ops/reduce.js';
import { crossEntropy } from '../src/ops/losses.js';
import { vjp } from '../src/autodiff/transforms.js';
import { cosineDecay } from '../src/nn/schedules.js';
import { fromData, type Tensor } from '../src/core/tensor.js';
import { rng } from '../src/core/rng.js';
import { matmul, matmulBias } from '../src/ops/matmul.js';
import { flatten } from '../src/autodiff/tree.js';
import { getThreads } from '../src/kernels/threads.js';
import { cpuMs } from './timing.js';

const args = process.argv.slice(2);
const arg = (name: string, dflt: number): number => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const epochs = arg('--epochs', 10);
const limit = arg('--limit', 60000);
const withTorch = !args.includes('--no-torch');
const tinyOnly = args.includes('--tiny-only');
const cosine = args.includes('--cosine');

const cpuSeconds = (): number => cpuMs() / 1000;

function torch(argv: string[]): Record<string, unknown> | null {
  if (!withTorch) return null;
  try {
    const out = execFileSync('/usr/bin/python3', [new URL('./nn_mlp_torch.py', import.meta.url).pathname, ...argv], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: argv[argv.indexOf('--threads') + 1] } });
    return JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, unknown>;
  } catch (e) {
    console.error(`PyTorch reference failed: ${(e as Error).message.split('\n')[0]}`);
    return null;
  }
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
const f = (v: number | undefined, d = 2) => (v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(d));

const r = rng(1);
// ---- per-step overhead of a tiny model: 10-16-10, batch 8
const tinySteps = 2000;
const tx = r.normal([tinySteps * 8, 10]);
const ty = new Int32Array(tinySteps * 8).map(() => r.int(10));
const tiny = buildModel(modelSpec('mlp', { hidden: [16], classes: 10 }, [10]));
// warm-up (JIT) on 200 steps, then the measured run
fit(tiny, tiny.init(1, [10]), { x: tx, y: ty }, { optimizer: adam({ lr: 1e-3 }), epochs: 1, batchSize: 80, metrics: [] });
const c0 = cpuSeconds();
const w0 = Date.now();
fit(tiny, tiny.init(0, [10]), { x: tx, y: ty }, { optimizer: adam({ lr: 1e-3 }), epochs: 1, batchSize: 8, metrics: [] });
const tinyCpuUs = ((cpuSeconds() - c0) / tinySteps) * 1e6;
const tinyWallUs = ((Date.now() - w0) / tinySteps) * 1000;

const tt = torch(['tiny', '--threads', '1', '--steps', String(tinySteps)]);
const num = (o: Record<string, unknown> | null, k: string) => (o ? (o[k] as number) : NaN);
console.log(`\nTiny model 10-16-10, batch 8, Adam, ${tinySteps} steps: nsdiff ${f(tinyCpuUs, 0)} µs CPU (${f(tinyWallUs, 0)} µs wall) per step; PyTorch ${f(num(tt, 'stepCpuUs'), 0)} µs CPU (${f(num(tt, 'stepWallUs'), 0)} µs wall); ratio nsdiff / PyTorch (CPU) ${f(tinyCpuUs / num(tt, 'stepCpuUs'))}`);

if (!tinyOnly) mlpRun();

/** The Fashion-MNIST run, the step breakdown and the PyTorch references. */
function mlpRun(): void {
  // ---- nsdiff: the full run
  const t0 = Date.now();
  const data = loadClassificationData('fashion-mnist', { limit });
  const loadSeconds = (Date.now() - t0) / 1000;
  const spec = modelSpec('mlp', { hidden: [256, 128], classes: 10 }, [784]);
  const model = buildModel(spec);
  const init = model.init(0, [784]);
  const wall: number[] = [];
  const cpu: number[] = [];
  let tw = Date.now();
  let tc = cpuSeconds();
  const result = fit(model, init, data.train, {
    optimizer: adam({ lr: cosine ? cosineDecay({ init: 1e-3, steps: epochs * Math.ceil(data.train.y.length / 128) }) : 1e-3 }),
    epochs,
    batchSize: 128,
    seed: 0,
    ...(cosine && { validationData: data.test, evalBatchSize: 1000 }),
    onEpoch: (r) => {
      wall.push((Date.now() - tw) / 1000);
      cpu.push(cpuSeconds() - tc);
      console.error(`nsdiff epoch ${r.epoch}: loss ${r.loss.toFixed(4)}${r.valAccuracy !== undefined ? `  test accuracy ${r.valAccuracy.toFixed(4)}` : ''}  ${wall.at(-1)!.toFixed(1)}s wall, ${cpu.at(-1)!.toFixed(1)}s cpu`);
      tw = Date.now();
      tc = cpuSeconds();
    },
  });
  const test = evaluate(model, result.params, result.state, data.test, { batchSize: 1000 });
  const rssMB = process.resourceUsage().maxRSS / 1024;
  const datasetMB = (data.train.x.size + data.test.x.size) * 8 / 2 ** 20;

  // ---- where one step's time goes (batch 128): the step's gemms alone, the optimiser alone
  const r = rng(1);
  const shapes: Array<[number, number, number]> = [
    [128, 784, 256], [128, 256, 128], [128, 128, 10], // forward
    [784, 128, 256], [256, 128, 128], [128, 10, 128], // weight gradients xᵀ·g (as [k, m]·[m, n])
    [128, 10, 128], [128, 128, 256], // input gradients g·Wᵀ of layers 3 and 2
  ];
  const mats = shapes.map(([m, k, n]) => [r.normal([m, k]), r.normal([k, n])] as [Tensor, Tensor]);
  const biases = [r.normal([256]), r.normal([128]), r.normal([10])];
  const reps = 20;
  let c = cpuSeconds();
  // the forward products carry the layers' biases (added in gemm's write-back, as the dense layer does)
  for (let i = 0; i < reps; i++) mats.forEach(([a, b], j) => (j < 3 ? matmulBias(a, b, biases[j]!) : matmul(a, b)));
  const gemmMs = ((cpuSeconds() - c) / reps) * 1000;
  // the optimiser as fit() runs it: adam's fused in-place step on owned buffers
  const opt = adam({ lr: 1e-3 });
  const leaves = flatten(init.params).leaves;
  const io = inPlaceOptimizer(opt, leaves, opt.init(leaves))!;
  const grads = leaves.map((t) => fromData(new Float64Array(t.size).fill(1e-3), t.shape.slice()));
  c = cpuSeconds();
  for (let i = 0; i < reps; i++) io.step(grads);
  const optMs = ((cpuSeconds() - c) / reps) * 1000;
  // the step's elementwise work on concrete tensors: relu forward / masked backward (through
  // their vjp), bias-gradient row sums, the fused softmax cross-entropy of the logits with its
  // backward (the bias adds are in the gemm part: the dense layer's write-back epilogue)
  const acts = [r.normal([128, 256]), r.normal([128, 128]), r.normal([128, 10])];
  const labels = new Int32Array(128).map((_, i) => i % 10);
  c = cpuSeconds();
  for (let i = 0; i < reps; i++) {
    for (let l = 0; l < 3; l++) {
      if (l < 2) vjp(relu, acts[l]!)[1](acts[l]!);
      sum(acts[l]!, { axis: 0 });
    }
    vjp((z: Tensor) => crossEntropy(z, labels), acts[2]!)[1](fromData(Float64Array.of(1), []));
  }
  const ewMs = ((cpuSeconds() - c) / reps) * 1000;
  const stepsPerEpoch = Math.ceil(data.train.y.length / 128);
  const stepMs = (median(cpu) / stepsPerEpoch) * 1000;

  // ---- PyTorch, same run
  const common = ['--epochs', String(epochs), '--limit', String(limit)];
  const t1 = torch(['mlp', '--threads', '1', '--dtype', 'float64', ...common]);
  const t2 = torch(['mlp', '--threads', '2', '--dtype', 'float64', ...common]);
  const t2f = torch(['mlp', '--threads', '2', '--dtype', 'float32', ...common]);

  const med = (o: Record<string, unknown> | null, k: string) => (o ? median(o[k] as number[]) : NaN);
  console.log(`\nFashion-MNIST MLP 784-256-128-10, Adam 1e-3${cosine ? ' (cosine decay to 0)' : ''}, batch 128, ${epochs} epochs on ${data.train.y.length} samples (median epoch; machine shared: wall times are noisy, CPU times less so)\n`);
  console.log('| run | epoch wall (s) | epoch CPU (s) | CPU ratio nsdiff / run | wall ratio | test accuracy | peak RSS (MB) |');
  console.log('|---|---|---|---|---|---|---|');
  console.log(`| nsdiff float64 (gemm on ${getThreads()} thread(s)) | ${f(median(wall))} | ${f(median(cpu))} | 1.00 | 1.00 | ${f(test.accuracy! * 100, 2)}% | ${f(rssMB, 0)} |`);
  for (const [name, o] of [['PyTorch float64, 1 thread', t1], ['PyTorch float64, 2 threads', t2], ['PyTorch float32, 2 threads', t2f]] as const) {
    console.log(`| ${name} | ${f(med(o, 'epochWall'))} | ${f(med(o, 'epochCpu'))} | ${f(median(cpu) / med(o, 'epochCpu'))} | ${f(median(wall) / med(o, 'epochWall'))} | ${f(num(o, 'testAccuracy') * 100, 2)}% | ${f(num(o, 'maxRssMB'), 0)} |`);
  }
  const restMs = stepMs - gemmMs - optMs - ewMs;
  const pc = (v: number) => f((100 * v) / stepMs, 0);
  console.log(`\nOne nsdiff step (batch 128) ≈ ${f(stepMs, 1)} ms CPU: gemm of its 8 matrix products (the 3 forward ones with their bias epilogue) ${f(gemmMs, 1)} ms (${pc(gemmMs)}%), elementwise (relu and its backward, bias-gradient sums, the fused softmax cross-entropy) ${f(ewMs, 1)} ms (${pc(ewMs)}%), Adam (fused in-place step) ${f(optMs, 1)} ms (${pc(optMs)}%), the rest (autodiff bookkeeping, batch gathering, finiteness checks, GC) ${f(restMs, 1)} ms (${pc(restMs)}%).`);
  console.log(`Dataset: ${f(datasetMB, 0)} MB of float64 stored once (training batches are gathered copies of 128 rows); data load ${f(loadSeconds, 1)} s.`);
}
