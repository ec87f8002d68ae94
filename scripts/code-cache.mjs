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
import { makeCorrelatedData } from '../dist/index.js';

/**
 * The CSV text `x1..xp,y` of the benchmark's problem family (bench/tune_process.bench.ts:
 * `makeCorrelatedData` with corr 0.6, snr 3, density 0.1; full-precision `String(x)` numbers, so
 * the reader's 17-digit path is compiled too) at n × p. 300 × 500 makes ≈ 2.9 MB, more than the
 * reader's 1 MB chunk (src/data/files.ts), so the cache also holds the code of records split
 * across chunks (a one-chunk file left ≈ 14 KB of the benchmark's bytecode out).
 */
function representativeCsv(n, p) {
  const { X, y } = makeCorrelatedData(n, p, { seed: 0, corr: 0.6, snr: 3, density: 0.1 });
  const lines = [[...Array.from({ length: p }, (_, j) => `x${j + 1}`), 'y'].join(',')];
  for (let i = 0; i < n; i++) lines.push([...Array.from({ length: p }, (_, j) => String(X.data[j * n + i])), String(y[i])].join(','));
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
