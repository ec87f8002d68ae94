/**
 * @file Build step after scripts/bundle-cli.mjs: writes dist/cli/nsdiff-lasso.cache, the V8 code
 * cache of the bin's script bundle (src/cli/code_cache.ts says why and how it is used). It runs one
 * small representative command in this process first — `lasso tune --criterion cv` on a seeded
 * 150 × 300 CSV in a temporary directory, the path of issue 12's whole-process benchmark — so the
 * cache holds the bytecode of the functions that run compiled, not only the script's top level.
 * Run by plain `node` (`npm run build`): V8 rejects a cache made under other V8 flags.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { produceCliCodeCache } from '../dist/cli/code_cache.js';

/** A seeded CSV `x0..x{p-1},y` with y = a sparse linear model + noise (LCG, no dependencies). */
function representativeCsv(n, p) {
  let s = 12345;
  const u = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32) - 0.5;
  const lines = [[...Array.from({ length: p }, (_, j) => `x${j}`), 'y'].join(',')];
  for (let i = 0; i < n; i++) {
    const x = Array.from({ length: p }, u);
    const y = 3 * x[0] - 2 * x[1] + 1.5 * x[7] + 0.3 * u();
    lines.push([...x.map((v) => v.toFixed(6)), y.toFixed(6)].join(','));
  }
  return `${lines.join('\n')}\n`;
}

const dir = mkdtempSync(join(tmpdir(), 'nsdiff-code-cache-'));
try {
  const csv = join(dir, 'train.csv');
  writeFileSync(csv, representativeCsv(150, 300));
  const bytes = await produceCliCodeCache(new URL('../dist/cli/', import.meta.url), ['node', 'nsdiff', 'lasso', 'tune', '--data', csv, '--target', 'y', '--criterion', 'cv', '--folds', '5', '--json', '--quiet']);
  console.log(`dist/cli/nsdiff-lasso.cache: ${(bytes / 1024).toFixed(0)} KB`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
