/**
 * @file Build step after scripts/bundle-cli.mjs: writes dist/cli/nsdiff-lasso.cache, the V8 code
 * cache of the bin's script bundle (src/cli/code_cache.ts says why and how it is used). It runs one
 * small representative command in this process first — `lasso tune --criterion cv` on a seeded
 * 300 × 500 CSV in a temporary directory, the path of issue 12's whole-process benchmark — so the
 * cache holds the bytecode of the functions that run compiled, not only the script's top level.
 * Run by plain `node` (`npm run build`): V8 rejects a cache made under other V8 flags.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { produceCliCodeCache } from '../dist/cli/code_cache.js';

/**
 * A seeded CSV `x0..x{p-1},y` shaped like issue 12's benchmark problem (bench/hpo.bench.ts,
 * `makeCorrelatedData`): AR(1) columns with correlation 0.6, 10 % nonzero coefficients, signal-to-noise
 * 3 (LCG + Box–Muller, no dependencies). 300 × 500 makes a 1.4 MB file, more than the reader's 1 MB
 * chunk (src/data/files.ts), so the cache also holds the code of records split across chunks:
 * a 150 × 300 file (one chunk) left ≈ 14 KB of the benchmark's bytecode out (478 against 492 KB).
 */
function representativeCsv(n, p) {
  let s = 12345;
  const u = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const gauss = () => Math.sqrt(-2 * Math.log(u() + 1e-12)) * Math.cos(2 * Math.PI * u());
  const rho = 0.6;
  const w = Array.from({ length: p }, () => (u() < 0.1 ? gauss() : 0));
  const rows = Array.from({ length: n }, () => {
    const x = [gauss()];
    for (let j = 1; j < p; j++) x.push(rho * x[j - 1] + Math.sqrt(1 - rho * rho) * gauss());
    return x;
  });
  const xw = rows.map((x) => x.reduce((a, v, j) => a + v * w[j], 0));
  const e = xw.map(() => gauss());
  const k = Math.hypot(...xw) / (3 * Math.hypot(...e));
  const lines = [[...Array.from({ length: p }, (_, j) => `x${j}`), 'y'].join(',')];
  rows.forEach((x, i) => lines.push([...x.map((v) => v.toFixed(6)), (xw[i] + k * e[i]).toFixed(6)].join(',')));
  return `${lines.join('\n')}\n`;
}

const dir = mkdtempSync(join(tmpdir(), 'nsdiff-code-cache-'));
try {
  const csv = join(dir, 'train.csv');
  writeFileSync(csv, representativeCsv(300, 500));
  const bytes = await produceCliCodeCache(new URL('../dist/cli/', import.meta.url), ['node', 'nsdiff', 'lasso', 'tune', '--data', csv, '--target', 'y', '--criterion', 'cv', '--folds', '5', '--json', '--quiet']);
  console.log(`dist/cli/nsdiff-lasso.cache: ${(bytes / 1024).toFixed(0)} KB`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
