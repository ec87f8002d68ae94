/**
 * @file Scale check of the main job: an rcv1-sized sparse problem (20,000 × 50,000, 0.2% non-zeros,
 * written as a libsvm file) is loaded, split 50/50 into train/validation, and the Lasso is tuned
 * on held-out MSE with 20 hypergradient steps. Reports wall time per phase and peak RSS.
 * Targets: the tuning run finishes in under a minute within 1 GB. CPU seconds beside the wall time
 * (on a shared machine the wall time includes waiting for a core).
 *
 * Run: npx tsx bench/scale.bench.ts
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDataset, makeSparseRegression, splitTrainVal, tuneLasso } from '../src/index.js';
import { loadLibsvm, saveLibsvm } from '../src/node.js';

const N = 20_000, P = 50_000, DENSITY = 0.002;
let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 5);
const mb = (b: number) => (b / 1024 / 1024).toFixed(0);
const rows: Record<string, string>[] = [];
const phase = <T>(name: string, f: () => T, detail: (r: T) => string = () => ''): T => {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const r = f();
  const cpu = process.cpuUsage(c0);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  rows.push({ phase: name, seconds: ((performance.now() - t0) / 1000).toFixed(2), 'CPU s': ((cpu.user + cpu.system) / 1e6).toFixed(2), detail: detail(r), 'peak RSS so far (MB)': mb(peakRss) });
  return r;
};

const dir = mkdtempSync(join(tmpdir(), 'nsdiff-scale-'));
try {
  const path = join(dir, 'rcv1-like.svm');
  phase('generate + write libsvm', () => {
    const g = makeSparseRegression(N, P, { density: DENSITY, nInformative: 500, seed: 1 });
    return saveLibsvm(path, makeDataset(g.X, g.y, { targetName: 'y' }), { precision: 8 });
  }, (bytes) => `${mb(bytes)} MB file`);
  const ds = phase('load libsvm', () => loadLibsvm(path, { nFeatures: P }), (d) => `${d.nSamples} × ${d.nFeatures}, ${statSync(path).size} bytes`);
  const split = phase('split 50/50', () => splitTrainVal(ds, 0.5, { seed: 0 }));
  const res = phase('tune: held-out MSE, 20 line-search steps', () =>
    tuneLasso(split.train.X, split.train.y, { criterion: 'heldout', validation: { X: split.val.X, y: split.val.y }, maxEvals: 20 }),
    (r) => `λ/λmax = ${(r.lambdas[0]! / r.lambdaMax).toExponential(2)}, MSE ${r.value.toPrecision(6)}, support ${r.support.length}, ${r.history.length} evaluations`);
  void res;
} finally {
  clearInterval(sampler);
  rmSync(dir, { recursive: true, force: true });
}
console.log(`\nrcv1-sized Lasso tuning (${N} × ${P}, density ${DENSITY})`);
console.table(rows);
console.log(`peak RSS ${mb(peakRss)} MB (target < 1024 MB)`);
