/**
 * @file conv2d and the digits CNN against PyTorch 1.13 (float64, eager CPU, 1 and 2 threads),
 * measured in the same run: conv2d forward and forward + backward (grad of sum(y) w.r.t. x and w)
 * on [128, 1, 28, 28] → 16 filters 5×5 and [128, 16, 14, 14] → 32 filters 3×3 (pad 1); maxPool2d
 * forward + backward on [128, 16, 14, 14]; one training epoch of the digits CNN of issue 9
 * (test/fixtures/digits_cnn.ts; PyTorch runs the same architecture, batch size and Adam on random
 * inputs of the same size). Times are the best of `REPEATS` runs. nsdiff is single-threaded.
 * The PyTorch side is bench/torch_conv.py; without `import torch` the table shows nsdiff only.
 *
 * Run: npx tsx bench/conv.bench.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { conv2d, grad, maxPool2d, rng, sum, type Tensor } from '../src/index.js';
import { trainDigitsCnn } from '../test/fixtures/digits_cnn.js';
import { time } from './timing.js';

const REPEATS = 5;
const CONVS = [
  { name: 'conv 128×1×28×28 → 16×5×5', x: [128, 1, 28, 28], w: [16, 1, 5, 5], stride: 1, padding: 0 },
  { name: 'conv 128×16×14×14 → 32×3×3 pad 1', x: [128, 16, 14, 14], w: [32, 16, 3, 3], stride: 1, padding: 1 },
];
const POOLS = [{ name: 'maxPool2d 2×2 on 128×16×14×14 (fwd+bwd)', x: [128, 16, 14, 14], kernel: 2 }];
const CNN = { n: 1437, batch: 16, epochs: 3 };

/** Seconds: fastest of `repeats` calls after one warm-up (bench/timing.ts). */
function best(fn: () => void, repeats = REPEATS): number {
  return time(fn, { reps: repeats }).min / 1000;
}

interface TorchRow { name: string; threads: number; fwd?: number; fwdBwd?: number; epoch?: number }
function torchTimes(): TorchRow[] | null {
  const dir = mkdtempSync(join(tmpdir(), 'nsdiff-conv-'));
  try {
    const spec = join(dir, 'spec.json');
    writeFileSync(spec, JSON.stringify({ threads: [1, 2], repeats: REPEATS, convs: CONVS, pools: POOLS, cnn: CNN }));
    const script = fileURLToPath(new URL('./torch_conv.py', import.meta.url));
    const out = execFileSync('/usr/bin/python3', [script, spec], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 600000 });
    return (JSON.parse(out) as { results: TorchRow[] }).results;
  } catch (e) {
    console.log(`PyTorch reference unavailable (${(e as Error).message.split('\n')[0]})`);
    return null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const ms = (s: number | undefined) => (s === undefined ? '—' : (1000 * s).toFixed(1));
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? '—' : (a / b).toFixed(2));

const ours: { name: string; fwd?: number; fwdBwd?: number; epoch?: number }[] = [];
for (const c of CONVS) {
  const x = rng(1).normal(c.x), w = rng(2).normal(c.w);
  const opts = { stride: c.stride, padding: c.padding };
  const g = grad((a: Tensor, b: Tensor) => sum(conv2d(a, b, opts)), { argnums: [0, 1] });
  ours.push({ name: c.name, fwd: best(() => conv2d(x, w, opts)), fwdBwd: best(() => g(x, w)) });
}
for (const p of POOLS) {
  const x = rng(3).normal(p.x);
  const g = grad((a: Tensor) => sum(maxPool2d(a, { kernel: p.kernel })));
  ours.push({ name: p.name, fwdBwd: best(() => g(x)) });
}
const cnn = trainDigitsCnn({ epochs: CNN.epochs, batchSize: CNN.batch });
ours.push({ name: 'digits CNN epoch', epoch: Math.min(...cnn.epochSeconds) });

const torch = torchTimes();
const ref = (name: string, t: number) => torch?.find((r) => r.name === name && r.threads === t);
const rows = ours.map((o) => {
  const t1 = ref(o.name, 1), t2 = ref(o.name, 2);
  const pick = (r: TorchRow | undefined) => (o.epoch !== undefined ? r?.epoch : r?.fwdBwd);
  return {
    case: o.name,
    'nsdiff fwd ms': ms(o.fwd),
    'torch×1 fwd ms': ms(t1?.fwd),
    'fwd ratio (×1)': ratio(o.fwd, t1?.fwd),
    'nsdiff fwd+bwd / epoch ms': ms(o.epoch ?? o.fwdBwd),
    'torch×1 ms': ms(pick(t1)),
    'torch×2 ms': ms(pick(t2)),
    'ratio (×1)': ratio(o.epoch ?? o.fwdBwd, pick(t1)),
    'ratio (×2)': ratio(o.epoch ?? o.fwdBwd, pick(t2)),
  };
});
console.log(`\nconv2d / pooling / digits CNN, float64; best of ${REPEATS} (CNN: best of ${CNN.epochs} epochs); ratio = nsdiff / PyTorch (lower is better)\n`);
console.table(rows);
console.log(`digits CNN after ${CNN.epochs} epochs: test accuracy ${(100 * cnn.testAccuracy).toFixed(1)}% (the full run of examples/digits_cnn.ts reaches ≥ 98%)`);
