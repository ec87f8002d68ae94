/**
 * @file Per-primitive cost of forward + reverse on tiny tensors: the overhead that dominates
 * small-problem loops (Lasso paths, SGD, DEQ iterations). Prints µs per primitive for chains of
 * relu / mul+add+relu on a 4-element tensor, for grad, jvp and plain evaluation, and compares
 * with eager PyTorch when `python3 -c "import torch"` works on this machine.
 *
 * Times are minima over batches (medians beside): the machine may be shared.
 *
 * Run: npm run build && npx tsx bench/autodiff.bench.ts   (measures the compiled dist/)
 */
import { execFileSync } from 'node:child_process';
import type { Tensor } from '../src/index.js';
import { loadDist } from './dist.js';
import { time } from './timing.js';

const { add, grad, jvp, mul, relu, sum, tensor } = await loadDist();

/** Microseconds per call: batches of 20 calls after 50 warm-up calls, for at least `minMs` (bench/timing.ts). */
function timeIt(fn: () => void, minMs = 600): { min: number; median: number } {
  const t = time(fn, { warmup: 50, batch: 20, minMs });
  return { min: t.min * 1000, median: t.median * 1000 };
}

const layers = 50;
const x = tensor([0.5, -0.25, 1.5, 2.0]);
const w = tensor([1.01, 0.99, 1.02, 0.98]);
const b = tensor([0.01, 0.02, -0.01, 0.0]);

const reluChain = (v: Tensor) => {
  let y = v;
  for (let i = 0; i < layers; i++) y = relu(y);
  return sum(y);
};
const affineChain = (v: Tensor) => {
  let y = v;
  for (let i = 0; i < layers; i++) y = relu(add(mul(y, w), b));
  return sum(y);
};

interface Row {
  program: string;
  primitives: number;
  mode: string;
  usPerCall: number;
  usPerPrimitive: number;
  medianUsPerPrimitive: number;
}
const rows: Row[] = [];
function record(program: string, primitives: number, mode: string, fn: () => void) {
  const { min, median } = timeIt(fn);
  rows.push({ program, primitives, mode, usPerCall: +min.toFixed(2), usPerPrimitive: +(min / primitives).toFixed(3), medianUsPerPrimitive: +(median / primitives).toFixed(3) });
}

record('relu chain ×50', layers + 1, 'eval', () => reluChain(x));
record('relu chain ×50', layers + 1, 'grad (fwd+rev)', () => grad(reluChain)(x));
record('relu chain ×50', layers + 1, 'jvp', () => jvp(reluChain, [x], [w]));
record('relu(w·y+b) ×50', 3 * layers + 1, 'eval', () => affineChain(x));
record('relu(w·y+b) ×50', 3 * layers + 1, 'grad (fwd+rev)', () => grad(affineChain)(x));

let torchUs: number | null = null;
let torchMedianUs = NaN;
try {
  const py = `
import torch, time
x0 = torch.tensor([0.5, -0.25, 1.5, 2.0], dtype=torch.float64)
def run():
    x = x0.clone().requires_grad_(True)
    y = x
    for _ in range(${layers}): y = torch.relu(y)
    y.sum().backward()
for _ in range(200): run()
batches = []; t0 = time.perf_counter()
while time.perf_counter() - t0 < 1.0 or len(batches) < 5:
    b0 = time.perf_counter()
    for _ in range(20): run()
    batches.append((time.perf_counter() - b0) / 20 * 1e6)
batches.sort()
print(batches[0], batches[len(batches) // 2])
`;
  const out = execFileSync('/usr/bin/python3', ['-c', py], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 60000 });
  const [tMin, tMed] = out.trim().split(/\s+/).map(Number);
  torchUs = tMin!;
  torchMedianUs = tMed!;
} catch {
  torchUs = null;
}

console.log('\nPer-primitive overhead on a 4-element float64 tensor (forward + reverse = grad); µs: minimum over batches of 20 calls (median beside)\n');
console.table(rows);
const ours = rows.find((r) => r.program === 'relu chain ×50' && r.mode.startsWith('grad'))!;
if (torchUs !== null) {
  const perPrim = torchUs / (layers + 1);
  console.log(`PyTorch eager (same machine, same program): ${torchUs.toFixed(1)} µs per grad call (median ${torchMedianUs.toFixed(1)}), ${perPrim.toFixed(2)} µs per primitive`);
  console.log(`ratio nsdiff / PyTorch per primitive: ${(ours.usPerPrimitive / perPrim).toFixed(3)} (target ≤ 0.333)`);
} else {
  console.log('PyTorch not importable by /usr/bin/python3; reference from the issue: ~11 µs per primitive (PyTorch 1.13 on this machine).');
  console.log(`ratio nsdiff / 11 µs: ${(ours.usPerPrimitive / 11).toFixed(3)} (target ≤ 0.333)`);
}
