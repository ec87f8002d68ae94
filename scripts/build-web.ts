/**
 * @file Builds the demo page: bundles web/src/main.ts and web/src/worker.ts with esbuild for the
 * browser (ES modules, minified) into web/dist/ and copies web/index.html there. No server code:
 * web/dist/ is a static site (`npm run web` serves it locally with scripts/serve-web.ts).
 *
 * Usage: `npm run web:build`.
 */
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** Repository root (the folder of package.json). */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Builds web/dist/ (or `outDir`); returns the output files with their sizes in bytes. */
export async function buildWeb(outDir = join(ROOT, 'web/dist')): Promise<{ file: string; bytes: number }[]> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const res = await build({
    entryPoints: { main: join(ROOT, 'web/src/main.ts'), worker: join(ROOT, 'web/src/worker.ts') },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    minify: true,
    keepNames: true, // error classes take their name from the class (`this.name = new.target.name`)
    outdir: outDir,
    metafile: true,
    logLevel: 'warning',
  });
  copyFileSync(join(ROOT, 'web/index.html'), join(outDir, 'index.html'));
  return Object.entries(res.metafile.outputs).map(([file, o]) => ({ file, bytes: o.bytes }));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const { file, bytes } of await buildWeb()) console.log(`${file}  ${(bytes / 1024).toFixed(0)} KiB`);
}
