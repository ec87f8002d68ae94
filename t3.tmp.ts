import { loadDataset, reshape, mul } from './src/index.js';
import { digitsBatch } from './src/experiments/common.js';
import { mondeqConv } from './src/nn/deq/mondeq_conv.js';
import { gatherRows } from './src/data/batches.js';
const { X } = digitsBatch(loadDataset('digits'));
const x = reshape(gatherRows(X, Int32Array.from({ length: 50 }, (_, i) => i)), [50, 1, 8, 8]);
for (const m of [0.05, 0.5]) for (const memory of [5, 15]) for (const sc of [1, 3]) {
  const L = mondeqConv({ channels: 8, monotonicity: m, memory, tol: 1e-10, rtol: 1e-3, maxIter: 300, onFailure: 'return' });
  const { params } = L.init(0, [1, 8, 8]);
  const t = performance.now();
  L(x, { ...params, A: mul(params.A, sc), B: mul(params.B, sc) });
  const r = L.lastReport!.forward;
  console.log(`m ${m} memory ${memory} scale ${sc}: mean it ${r.meanIterations.toFixed(1)} max ${r.maxIterations} conv ${r.fractionConverged} ${(performance.now() - t).toFixed(0)} ms`);
}
