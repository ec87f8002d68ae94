/**
 * @file Micro-benchmark of the softmax row kernels and the dense layer's bias epilogue against the
 * composites they replace, measured in the same run: softmax cross-entropy forward + backward
 * (the fused primitive vs −take(logSoftmax) with its reverse sweep), concrete softmax (row kernel
 * vs the composite max / sub / exp / sum / div), and the dense layer x·W + b forward and forward +
 * backward (`matmulBias` vs matmul then add). Times are process CPU per call, the minimum over
 * several batches (the machine is shared: CPU time and minima are the robust numbers).
 *
 * usage: npx tsx bench/softmax.bench.ts
 */
import { rng } from '../src/core/rng.js';
import type { Tensor } from '../src/core/tensor.js';
import { fromData } from '../src/core/tensor.js';
import { grad, vjp } from '../src/autodiff/transforms.js';
import { crossEntropy } from '../src/ops/losses.js';
import { logSoftmax, softmax } from '../src/ops/normalize.js';
import { add, div, exp, max, mean, neg, reshape, sub, sum, take } from '../src/index.js';
import { matmul, matmulBias } from '../src/ops/matmul.js';
import { time } from './timing.js';

/** CPU µs per call: the best of `batches` batches of `reps` calls after `reps` warm-up calls (bench/timing.ts). */
function cpuPerCall(f: () => unknown, reps: number, batches = 7): number {
  return time(f, { warmup: reps, batch: reps, reps: batches }).cpu * 1000;
}

const r = rng(3);
const rows: string[] = [];
const row = (what: string, ref: number, now: number) => rows.push(`| ${what} | ${ref.toFixed(1)} | ${now.toFixed(1)} | ${(ref / now).toFixed(2)} |`);

for (const [N, C] of [[128, 10], [128, 1000]] as const) {
  const z = r.normal([N, C]);
  const labels = new Int32Array(N).map((_, i) => (7 * i) % C);
  const flat = Int32Array.from(labels, (y, i) => i * C + y);
  // the composite crossEntropy performed before the fused primitive: −take(logSoftmax(z)), mean
  const composite = (t: Tensor) => mean(neg(reshape(take(reshape(logSoftmax(t), [N * C]), flat), [N])));
  const reps = C > 100 ? 50 : 500;
  row(`crossEntropy forward + backward [${N}, ${C}]`, cpuPerCall(() => grad(composite)(z), reps), cpuPerCall(() => grad((t: Tensor) => crossEntropy(t, labels))(z), reps));
  const compSoftmax = (t: Tensor) => {
    const e = exp(sub(t, max(t, { axis: -1, keepdims: true })));
    return div(e, sum(e, { axis: -1, keepdims: true }));
  };
  row(`softmax (concrete) [${N}, ${C}]`, cpuPerCall(() => compSoftmax(z), reps), cpuPerCall(() => softmax(z), reps));
}

for (const [m, k, n] of [[128, 784, 256], [128, 256, 128], [128, 128, 10]] as const) {
  const x = r.normal([m, k]), w = r.normal([k, n]), b = r.normal([n]);
  const ct = fromData(new Float64Array(m * n).fill(1e-3), [m, n]);
  const reps = k * n > 50000 ? 20 : 200;
  row(`dense forward ${m}×${k} · ${k}×${n} + b`, cpuPerCall(() => add(matmul(x, w), b), reps), cpuPerCall(() => matmulBias(x, w, b), reps));
  row(
    `dense forward + backward ${m}×${k} · ${k}×${n} + b`,
    cpuPerCall(() => vjp((p: Tensor, q: Tensor, c: Tensor) => add(matmul(p, q), c), x, w, b)[1](ct), reps),
    cpuPerCall(() => vjp((p: Tensor, q: Tensor, c: Tensor) => matmulBias(p, q, c), x, w, b)[1](ct), reps),
  );
}

console.log('\nCPU µs per call, minimum over 7 batches (shared machine: noisy)\n');
console.log('| case | composite (before) | kernel | ratio |');
console.log('|---|---|---|---|');
for (const l of rows) console.log(l);
