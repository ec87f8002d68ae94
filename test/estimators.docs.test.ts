/**
 * @file The ```ts examples of docs/estimators.md, executed (with `from 'nsdiff'` pointed at
 * src/index.ts): every example must run without throwing, and the save/load example must print
 * `true` (bit-for-bit identical predictions after reloading).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const doc = readFileSync(new URL('../docs/estimators.md', import.meta.url), 'utf8');
const blocks = [...doc.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
const entry = new URL('../src/index.ts', import.meta.url).href;

test('docs/estimators.md: every ts example runs', async () => {
  assert.ok(blocks.length >= 3, `found ${blocks.length} examples`);
  const dir = mkdtempSync(join(tmpdir(), 'nsdiff-doc-'));
  const printed: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => void printed.push(args.map(String).join(' '));
  try {
    for (const [i, code] of blocks.entries()) {
      const file = join(dir, `example_${i}.ts`);
      writeFileSync(file, code.replaceAll("from 'nsdiff'", `from '${entry}'`));
      await import(pathToFileURL(file).href);
    }
  } finally {
    console.log = log;
    rmSync(dir, { recursive: true, force: true });
  }
  assert.ok(printed.includes('true'), 'the save/load example prints true');
  assert.ok(printed.includes('false 0.3'), 'the unfitted round trip prints false 0.3');
});
