/**
 * @file The layer rule of docs/ARCHITECTURE.md, checked on the real import graph: the layers table
 * is read from the document, every file of src/ is assigned to the row with its longest matching
 * path prefix, and every relative import (static `import`/`export ... from`, and dynamic
 * `import()`) must point to the same row or a lower one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Rows of the layers table, lowest first: their name and the path prefixes in their second column. */
function layerTable(): { name: string; paths: string[] }[] {
  const doc = readFileSync(join(root, 'docs', 'ARCHITECTURE.md'), 'utf8');
  const lines = doc.split('\n');
  const head = lines.findIndex((l) => /^\| layer \| paths \|/.test(l));
  assert.ok(head >= 0, 'docs/ARCHITECTURE.md has a "| layer | paths |" table');
  const rows: { name: string; paths: string[] }[] = [];
  for (let i = head + 2; i < lines.length && lines[i]!.startsWith('|'); i++) {
    const cells = lines[i]!.split('|').map((c) => c.trim());
    const paths = [...cells[2]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
    rows.push({ name: cells[1]!, paths });
  }
  return rows;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

test('imports in src/ point to the same layer or a lower one (docs/ARCHITECTURE.md)', () => {
  const rows = layerTable();
  assert.ok(rows.length >= 8, 'the table lists the layers');
  const layerOf = (file: string): number => {
    const rel = relative(root, file).split('\\').join('/');
    let best = -1;
    let bestLen = -1;
    rows.forEach((r, i) => {
      for (const p of r.paths) {
        const matches = p.endsWith('/') ? rel.startsWith(p) : rel === p;
        if (matches && p.length > bestLen) {
          best = i;
          bestLen = p.length;
        }
      }
    });
    return best;
  };
  const files = sourceFiles(join(root, 'src'));
  const unassigned = files.filter((f) => layerOf(f) < 0).map((f) => relative(root, f));
  assert.deepEqual(unassigned, [], 'every file of src/ belongs to a layer of the table');
  const violations: string[] = [];
  let edges = 0;
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g)].map((m) => m[1] ?? m[2]!);
    for (const spec of specs) {
      if (!spec.startsWith('.')) continue;
      const target = resolve(dirname(f), spec).replace(/\.js$/, '.ts');
      const from = layerOf(f);
      const to = layerOf(target);
      edges++;
      if (to > from) violations.push(`${relative(root, f)} (${rows[from]!.name}) imports ${relative(root, target)} (${rows[to]!.name})`);
    }
  }
  assert.ok(edges > 100, `the import graph was read (${edges} relative imports)`);
  assert.deepEqual(violations, [], 'upward imports');
});
