import { rng, grad, sum, mul } from './src/index.js';
import { mondeqConv } from './src/nn/deq/mondeq_conv.js';
const x = rng(1).normal([32, 1, 8, 8]);
for (const memory of [5, 15]) for (const alpha of [undefined, 0.5, 2]) for (const ls of ['splitting', 'gmres'] as const) {
  const L = mondeqConv({ channels: 8, kernelSize: 3, tol: 1e-10, rtol: 1e-4, maxIter: 500, backwardTol: 1e-6, linearSolver: ls, memory, alpha });
  const { params } = L.init(0, [1, 8, 8]);
  const t = performance.now();
  grad((p: typeof params) => sum(mul(L(x, p), L(x, p))))(params);
  const r = L.lastReport!;
  const ls2 = r.implicit!.linearSolve!;
  console.log(memory, alpha, ls, 'fwd it', r.forward.meanIterations.toFixed(1), 'fwd ms', r.forwardMs.toFixed(0), 'total ms', (performance.now() - t).toFixed(0), 'bwd it', ls2.samples ? (ls2.samples.iterations.reduce((a, b) => a + b, 0) / 32).toFixed(1) : ls2.iterations);
}
