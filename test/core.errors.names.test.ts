/**
 * @file Error names survive minification: every error class (src/core/errors.ts and the subclasses
 * elsewhere) declares its `name` as a literal, so a browser bundle minified by esbuild (which renames
 * classes, making `new.target.name` something like `o1`) still throws `InvertibilityError` etc.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createContext, runInContext } from 'node:vm';
import { build } from 'esbuild';
import { ROOT } from '../scripts/api-report.js';
import * as errors from '../src/core/errors.js';

/** The error classes outside src/core/errors.ts (grep "extends .*Error" under src/). */
const OTHERS: Record<string, string> = {
  NonContractionError: './src/implicit/hypergrad_common.ts',
  ExperimentCheckError: './src/cli/experiment.ts',
  OutputError: './src/cli/output.ts',
  NotFittedError: './src/estimators/base.ts',
};

test('error names are literal: a minified bundle still reports InvertibilityError, ConvergenceError, …', async () => {
  const core = Object.keys(errors).filter((k) => k.endsWith('Error'));
  assert.ok(core.includes('InvertibilityError') && core.length >= 12);
  const contents = [
    `export * from './src/core/errors.ts';`,
    ...Object.entries(OTHERS).map(([name, file]) => `export { ${name} } from '${file}';`),
  ].join('\n');
  const res = await build({
    stdin: { contents, resolveDir: ROOT, loader: 'ts' },
    bundle: true, platform: 'node', format: 'iife', globalName: 'E', target: 'es2022', write: false, logLevel: 'silent', minify: true,
  });
  const ctx = createContext({});
  runInContext(res.outputFiles[0]!.text, ctx);
  const names = runInContext(
    `Object.keys(E).filter((k) => k.endsWith('Error')).map((k) => { let e; try { throw new E[k]('m', { iterations: 1, residualNorm: 1, converged: false }); } catch (x) { e = x; } return [k, e.name, E[k].name]; })`,
    ctx,
  ) as [string, string, string][];
  assert.equal(names.length, core.length + Object.keys(OTHERS).length);
  for (const [exported, thrown] of names) assert.equal(thrown, exported, `${exported} thrown from the minified bundle is named '${thrown}'`);
  // the test is meaningful: minification did rename the classes themselves
  assert.ok(names.some(([k, , cls]) => cls !== k), 'esbuild kept the class names; the check above would pass without literal names');
  // and unminified, through the source
  for (const k of core) assert.equal(new (errors as unknown as Record<string, new (m: string, r: unknown) => Error>)[k]!('m', { iterations: 1, residualNorm: 1, converged: false }).name, k);
});

test('a user subclass of NsdiffError without a literal name keeps its own class name', () => {
  class MyError extends errors.NsdiffError {}
  assert.equal(new MyError('m').name, 'MyError');
  assert.equal(new errors.NsdiffError('m').name, 'NsdiffError');
});
