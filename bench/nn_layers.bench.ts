/**
 * @file Cost of the `nn` layers against eager PyTorch (float64, one thread), measured in the same
 * run: (1) one `linear` layer, forward + backward (gradients of w, b and x), at MLP-like sizes;
 * (2) one training epoch of an MLP on the bundled digits data (minibatches of 64, Adam), the loop
 * of test/nn.digits.test.ts. Prints ms per call and the ratio nsdiff / PyTorch.
 *
 * Times are minima over repeats (medians beside): the machine may be shared.
 *
 * Run: npm run build && npx tsx bench/nn_layers.bench.ts   (measures the compiled dist/)
 */
import { execFileSync } from 'node:child_process';
import type { Tensor, nn as NN } from '../src/index.js';
import { loadDist } from './dist.js';
import { time } from './timing.js';

const nd = await loadDist();
const { nn, rng, sum, grad, adam, applyUpdates, batches, crossEntropy, gatherRows, loadDataset, tensor, valueAndGrad } = nd;

/** Fastest and median ms per call over at least `minMs` after `warm` calls (bench/timing.ts). */
function timeMs(fn: () => void, minMs = 800, warm = 3): { min: number; median: number } {
  const { min, median } = time(fn, { warmup: warm, minMs });
  return { min, median };
}

// (1) linear forward + backward
const SIZES: [number, number, number][] = [[64, 784, 128], [64, 128, 10], [256, 64, 64]];
const linearRows: { case: string; nsdiffMs: number; medianMs: number }[] = [];
for (const [b, i, o] of SIZES) {
  const layer = nn.linear(o);
  const { params } = layer.init(0, [i]);
  const x = rng(1).normal([b, i]);
  const f = (p: { w: Tensor; b?: Tensor }, xx: Tensor) => sum(layer.apply(p, xx));
  const g = grad(f, { argnums: [0, 1] });
  const t = timeMs(() => g(params, x));
  linearRows.push({ case: `linear ${i}→${o}, batch ${b}`, nsdiffMs: t.min, medianMs: t.median });
}

// (2) one MLP epoch on digits
const ds = loadDataset('digits');
const n = ds.nSamples;
const col = (ds.X as { data: Float64Array }).data;
const rows = new Float64Array(n * 64);
for (let r = 0; r < n; r++) for (let j = 0; j < 64; j++) rows[r * 64 + j] = col[j * n + r]! / 16;
const X = tensor(rows, [n, 64]);
const Y = Int32Array.from(ds.y);
function epoch(model: NN.Layer<NN.Params[], NN.LayerState[]>): () => void {
  const init = model.init(0, [64]);
  let params = init.params;
  let state = init.state;
  const opt = adam({ lr: 0.005 });
  let os = opt.init(params);
  let e = 0;
  return () => {
    for (const b of batches(n, { batchSize: 64, shuffle: true, seed: 1, epoch: e++ })) {
      const xb = gatherRows(X, b);
      const yb = gatherRows(Y, b);
      let next = state;
      const [, g] = valueAndGrad((p: NN.Params[]) => {
        const r = model.forward(p, state, xb, { train: true, key: e });
        next = r.state;
        return crossEntropy(r.y, yb);
      })(params);
      state = next;
      const u = opt.update(g, os, params);
      params = applyUpdates(params, u.updates);
      os = u.state;
    }
  };
}
const epochRows = [
  { case: 'digits epoch, mlp 64-128-10 relu', ...timeMs(epoch(nn.mlp([128, 10])), 1500, 1) },
  { case: 'digits epoch, 64-128-bn-relu-dropout-10', ...timeMs(epoch(nn.sequential([nn.linear(128), nn.batchNorm(), nn.relu(), nn.dropout({ rate: 0.1 }), nn.linear(10)])), 1500, 1) },
];

// PyTorch reference, same sizes, float64, one thread
let torch: number[] | null = null;
try {
  const py = `
import torch, time, json, sys, numpy as np
torch.set_num_threads(1)
torch.set_default_dtype(torch.float64)
def tm(fn, min_s=0.8, warm=3):
    for _ in range(warm): fn()
    ts=[]; t0=time.perf_counter()
    while time.perf_counter()-t0 < min_s or len(ts) < 5:
        a=time.perf_counter(); fn(); ts.append((time.perf_counter()-a)*1000)
    return min(ts)
out=[]
for b,i,o in ${JSON.stringify(SIZES)}:
    lin=torch.nn.Linear(i,o); x=torch.randn(b,i,requires_grad=True)
    def f():
        lin.zero_grad(); x.grad=None
        lin(x).sum().backward()
    out.append(tm(f))
X=torch.tensor(np.frombuffer(bytes.fromhex(sys.stdin.read()), dtype=np.float64).reshape(${n},64).copy())
Y=torch.tensor(${JSON.stringify(Array.from(Y))})
def epoch_fn(model):
    opt=torch.optim.Adam(model.parameters(), lr=0.005)
    g=torch.Generator().manual_seed(1)
    def run():
        model.train()
        perm=torch.randperm(${n}, generator=g)
        for k in range(0, ${n}, 64):
            idx=perm[k:k+64]
            opt.zero_grad()
            loss=torch.nn.functional.cross_entropy(model(X[idx]), Y[idx])
            loss.backward(); opt.step()
    return run
out.append(tm(epoch_fn(torch.nn.Sequential(torch.nn.Linear(64,128), torch.nn.ReLU(), torch.nn.Linear(128,10))), 1.5, 1))
out.append(tm(epoch_fn(torch.nn.Sequential(torch.nn.Linear(64,128), torch.nn.BatchNorm1d(128), torch.nn.ReLU(), torch.nn.Dropout(0.1), torch.nn.Linear(128,10))), 1.5, 1))
print(json.dumps(out))
`;
  const hex = Buffer.from(rows.buffer).toString('hex');
  torch = JSON.parse(execFileSync('/usr/bin/python3', ['-c', py], { input: hex, encoding: 'utf8', maxBuffer: 1 << 26 }).trim()) as number[];
} catch (e) {
  console.log(`PyTorch reference unavailable: ${(e as Error).message.split('\n')[0]}`);
}

const all = [...linearRows.map((r) => ({ case: r.case, min: r.nsdiffMs, median: r.medianMs })), ...epochRows];
console.table(
  all.map((r, k) => ({
    case: r.case,
    'nsdiff ms (min)': +r.min.toFixed(3),
    'nsdiff ms (median)': +r.median.toFixed(3),
    'PyTorch ms (min)': torch ? +torch[k]!.toFixed(3) : 'n/a',
    'nsdiff / PyTorch': torch ? +(r.min / torch[k]!).toFixed(2) : 'n/a',
  })),
);
