/**
 * @file Runs the TypeScript compiler on the compile-time tests in test/types/*.ts: every type
 * assertion must hold and every `// @ts-expect-error` line must really be an error (an unused
 * directive is itself a diagnostic), so the typed transforms cannot silently degrade to `any`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

test('type tests in test/types compile with no diagnostics (typed gradients, argnums, trees, options)', () => {
  const dir = join(root, 'test', 'types');
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => join(dir, f));
  assert.ok(files.length > 0, 'no type tests found');
  const expectErrors = files.reduce((n, f) => n + (readFileSync(f, 'utf8').match(/@ts-expect-error/g)?.length ?? 0), 0);
  assert.ok(expectErrors >= 5, 'the type tests check misuse too');
  const config = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  assert.ok(config, 'tsconfig.json parses');
  const program = ts.createProgram(files, { ...config.options, noEmit: true, skipLibCheck: true });
  const diagnostics = ts.getPreEmitDiagnostics(program).filter((d) => d.file === undefined || files.includes(d.file.fileName) || d.category === ts.DiagnosticCategory.Error);
  const text = ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' });
  assert.equal(diagnostics.length, 0, text);
});
