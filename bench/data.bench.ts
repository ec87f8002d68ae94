/**
 * @file Data-layer benchmark: generate an rcv1-sized sparse regression problem (20,000 × 50,000,
 * 0.2% density ≈ 2M non-zeros), write it as libsvm text to a temp dir, load it back, and report
 * file size, wall time per phase and peak RSS. Run: `npx tsx bench/data.bench.ts`.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadLibsvm, makeDataset, makeSparseRegression, saveLibsvm } from '../src/data/index.js';
import type { CscMatrix } from '../src/linalg/sparse/index.js';

const N = 20_000;
const P = 50_000;
const DENSITY = 0.002;

let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 5);
const sample = (): void => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
};
const mb = (b: number): string => (b / 1024 / 1024).toFixed(1);

function time<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const r = f();
  sample();
  return [r, (performance.now() - t0) / 1000];
}

const dir = mkdtempSync(join(tmpdir(), 'nsdiff-bench-'));
const rows: string[][] = [];
try {
  const [gen, tGen] = time(() => makeSparseRegression(N, P, { density: DENSITY, nInformative: 500, seed: 1 }));
  const X = gen.X;
  const nnz = X.indptr[P]!;
  rows.push(['generate (makeSparseRegression)', `${nnz} nnz`, tGen.toFixed(2)]);
  const ds = makeDataset(X, gen.y, { targetName: 'label' });

  for (const precision of [undefined, 6] as const) {
    const tag = precision === undefined ? 'full precision' : `precision ${precision}`;
    const path = join(dir, `bench-${precision ?? 'full'}.svm`);
    const [bytes, tWrite] = time(() => saveLibsvm(path, ds, { precision }));
    rows.push([`write libsvm (${tag})`, `${mb(bytes)} MB`, tWrite.toFixed(2)]);
    if (global.gc) global.gc();
    const [back, tLoad] = time(() => loadLibsvm(path, { nFeatures: P }));
    const B = back.X as CscMatrix;
    rows.push([`load libsvm (${tag})`, `${mb(statSync(path).size)} MB, ${B.indptr[P]} nnz`, tLoad.toFixed(2)]);
    if (B.indptr[P] !== nnz || back.nSamples !== N) throw new Error('round trip changed the shape / nnz');
    if (precision === undefined) {
      for (let k = 0; k < nnz; k++) {
        if (B.values[k] !== X.values[k] || B.indices[k] !== X.indices[k]) throw new Error(`round trip mismatch at ${k}`);
      }
    }
  }
} finally {
  clearInterval(sampler);
  rmSync(dir, { recursive: true, force: true });
}
const maxRss = process.resourceUsage().maxRSS * 1024;
console.log(`data bench: ${N} × ${P}, density ${DENSITY}`);
const w0 = Math.max(...rows.map((r) => r[0]!.length), 5);
const w1 = Math.max(...rows.map((r) => r[1]!.length), 4);
console.log(`${'phase'.padEnd(w0)}  ${'size'.padEnd(w1)}  seconds`);
for (const r of rows) console.log(`${r[0]!.padEnd(w0)}  ${r[1]!.padEnd(w1)}  ${r[2]!.padStart(7)}`);
console.log(`peak RSS (sampled every 5 ms): ${mb(peakRss)} MB; resourceUsage().maxRSS: ${mb(maxRss)} MB`);
