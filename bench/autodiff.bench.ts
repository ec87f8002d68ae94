/**
 * @file Per-primitive cost of forward + reverse on tiny tensors: the overhead that dominates
 * small-problem loops (Lasso paths, SGD, DEQ iterations). Prints µs per primitive for chains of
 * relu / mul+add+relu on a 4-element tensor, for grad, jvp and plain evaluation, and compares
 * with eager PyTorch when `python3 -c "import torch"` works on this machine.
 *
 * Run: npm run build && npx tsx bench/autodiff.bench.ts   (measures the compiled dist/)
 */
import { execFileSync } from 'node:child_process';
import type { Tensor } from '../src/index.js';
import { loadDist } from './dist.js';

const { add, grad, jvp, mul, relu, sum, tensor } = await loadDist();

function timeIt(fn: () => void, minMs = 400): number {
  for (let i = 0; i < 50; i++) fn(); // warm-up
  let reps = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < minMs) {
    for (let i = 0; i < 20; i++) fn();
    reps += 20;
    t = performance.now();
  }
  return ((t - t0) * 1000) / reps; // µs per call
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
}
const rows: Row[] = [];
function record(program: string, primitives: number, mode: string, fn: () => void) {
  const us = timeIt(fn);
  rows.push({ program, primitives, mode, usPerCall: +us.toFixed(2), usPerPrimitive: +(us / primitives).toFixed(3) });
}

record('relu chain ×50', layers + 1, 'eval', () => reluChain(x));
record('relu chain ×50', layers + 1, 'grad (fwd+rev)', () => grad(reluChain)(x));
record('relu chain ×50', layers + 1, 'jvp', () => jvp(reluChain, [x], [w]));
record('relu(w·y+b) ×50', 3 * layers + 1, 'eval', () => affineChain(x));
record('relu(w·y+b) ×50', 3 * layers + 1, 'grad (fwd+rev)', () => grad(affineChain)(x));

let torchUs: number | null = null;
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
n = 0; t0 = time.perf_counter()
while time.perf_counter() - t0 < 1.0:
    run(); n += 1
print((time.perf_counter() - t0) / n * 1e6)
`;
  const out = execFileSync('/usr/bin/python3', ['-c', py], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 60000 });
  torchUs = parseFloat(out.trim());
} catch {
  torchUs = null;
}

console.log('\nPer-primitive overhead on a 4-element float64 tensor (forward + reverse = grad)\n');
console.table(rows);
const ours = rows.find((r) => r.program === 'relu chain ×50' && r.mode.startsWith('grad'))!;
if (torchUs !== null) {
  const perPrim = torchUs / (layers + 1);
  console.log(`PyTorch eager (same machine, same program): ${torchUs.toFixed(1)} µs per grad call, ${perPrim.toFixed(2)} µs per primitive`);
  console.log(`ratio nsdiff / PyTorch per primitive: ${(ours.usPerPrimitive / perPrim).toFixed(3)} (target ≤ 0.333)`);
} else {
  console.log('PyTorch not importable by /usr/bin/python3; reference from the issue: ~11 µs per primitive (PyTorch 1.13 on this machine).');
  console.log(`ratio nsdiff / 11 µs: ${(ours.usPerPrimitive / 11).toFixed(3)} (target ≤ 0.333)`);
}
