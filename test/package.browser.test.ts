/**
 * @file The package root is browser-safe: src/index.ts bundles with esbuild for the browser
 * (`platform: 'browser'`), where any Node built-in (`node:fs`, `fs`, …) reachable from the root is
 * a build error that this test reports by name; the bundle then runs in a bare `node:vm` context
 * (no `process`, `Buffer`, `require`: the globals a page lacks) and computes a gradient, loads a
 * bundled dataset and fits a Lasso. Also checks the bundle size against a budget and prints it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createContext, runInContext } from 'node:vm';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { build } from 'esbuild';
import { ROOT } from '../scripts/api-report.js';
import { grad, lasso, loadDataset, relu, sum, tensor, type Tensor } from '../src/index.js';

/** Bundles an entry for the browser; returns the code, or throws listing the unresolvable imports. */
async function bundle(entry: string, format: 'esm' | 'iife'): Promise<string> {
  const res = await build({
    entryPoints: [join(ROOT, entry)],
    bundle: true,
    platform: 'browser',
    format,
    globalName: format === 'iife' ? 'nsdiff' : undefined,
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    minify: true,
  });
  return res.outputFiles[0]!.text;
}

test('src/index.ts bundles for the browser with no Node built-in, within the size budget', async () => {
  let code = '';
  try {
    code = await bundle('src/index.ts', 'esm');
  } catch (err) {
    const errors = (err as { errors?: { text: string; location?: { file: string; line: number } | null }[] }).errors ?? [];
    const lines = errors.map((e) => `${e.location ? `${e.location.file}:${e.location.line}: ` : ''}${e.text}`);
    assert.fail(`the package root does not bundle for the browser:\n${lines.join('\n') || String(err)}`);
  }
  assert.doesNotMatch(code, /["']node:[a-z_/]+["']/, 'the bundle names a node: module');
  const bytes = Buffer.byteLength(code);
  const gz = gzipSync(code).length;
  console.log(`browser bundle of src/index.ts (minified): ${(bytes / 1024).toFixed(0)} KiB, ${(gz / 1024).toFixed(0)} KiB gzipped`);
  // ≈ 0.4 MB of embedded CSV text + the library; a budget so that growth is noticed
  assert.ok(bytes < 2.5e6, `bundle is ${bytes} B (budget 2.5 MB)`);
});

test('src/internals.ts (nsdiff/internals) bundles for the browser too', async () => {
  const code = await bundle('src/internals.ts', 'esm');
  assert.doesNotMatch(code, /["']node:[a-z_/]+["']/);
});

test('src/node.ts is what does not bundle for the browser (the Node-only entry point)', async () => {
  await assert.rejects(bundle('src/node.ts', 'esm'), /node:fs|node:url|node:zlib|node:path/);
});

test('the browser bundle runs without Node globals (bare vm context) and matches Node', async () => {
  const code = await bundle('src/index.ts', 'iife');
  // a context with the language built-ins and the web APIs the library uses, but no process/Buffer/require
  const ctx = createContext({ TextEncoder, TextDecoder, performance, WebAssembly: (globalThis as Record<string, unknown>)['WebAssembly'], console });
  runInContext(code, ctx);
  const out = JSON.parse(runInContext(`(() => {
    const nd = globalThis.nsdiff;
    const g = nd.grad((v) => nd.sum(nd.relu(v)))(nd.tensor([-1, 0, 2])).toArray();
    const ds = nd.loadDataset('diabetes');
    const fit = nd.lasso(ds.X, ds.y, 1);
    return JSON.stringify({ g, n: ds.nSamples, p: ds.nFeatures, coef: Array.from(fit.beta), typeofProcess: typeof process, typeofBuffer: typeof Buffer });
  })()`, ctx) as string);
  const ds = loadDataset('diabetes');
  const fit = lasso(ds.X, ds.y, 1);
  assert.deepEqual(out, {
    g: (grad((v: Tensor) => sum(relu(v)))(tensor([-1, 0, 2])) as Tensor).toArray(),
    n: 442,
    p: 10,
    coef: Array.from(fit.beta),
    typeofProcess: 'undefined',
    typeofBuffer: 'undefined',
  });
});
