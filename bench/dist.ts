/**
 * @file Benchmarks measure the compiled package (`dist/`, what users run): running the sources
 * through tsx adds a defineProperty per closure and getter-based imports, which inflate small-op
 * and per-epoch overheads. `npm run build` first.
 */
import { existsSync } from 'node:fs';

export async function loadDist(): Promise<typeof import('../src/index.js')> {
  const url = new URL('../dist/index.js', import.meta.url);
  if (!existsSync(url)) throw new Error('build first: npm run build (benchmarks measure dist/)');
  return (await import(url.href)) as typeof import('../src/index.js');
}
