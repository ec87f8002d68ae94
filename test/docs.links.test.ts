/**
 * @file Relative links of README.md and docs/*.md lead somewhere for both kinds of reader: the
 * target exists in the repository (clone readers), and it is one of the files the npm package ships
 * ("files" of package.json), so that a reader of the installed package does not meet a dead link.
 * Web links and in-page anchors are not checked.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { ROOT } from '../scripts/api-report.js';

const files = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { files: string[] }).files;
/** package.json "files" entries as patterns: `dir` ships everything below it, `*` matches within a folder. */
const patterns = files.map((f) => new RegExp(`^${f.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}(/.*)?$`));

/** Whether a repository-relative path is inside what package.json "files" ships (npm always adds package.json). */
function shipped(path: string): boolean {
  return path === 'package.json' || patterns.some((re) => re.test(path));
}

test('relative links of README.md and docs/*.md exist and are shipped in the package', () => {
  const pages = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  const problems: string[] = [];
  for (const page of pages) {
    readFileSync(join(ROOT, page), 'utf8').split('\n').forEach((line, i) => {
      for (const m of line.matchAll(/\]\(([^)\s]+)\)/g)) {
        const href = m[1]!;
        if (/^[a-z]+:/i.test(href) || href.startsWith('#')) continue;
        const target = relative(ROOT, normalize(join(ROOT, dirname(page), href.split('#')[0]!)));
        if (!existsSync(join(ROOT, target))) problems.push(`${page}:${i + 1}: ${href} does not exist`);
        else if (!shipped(target)) problems.push(`${page}:${i + 1}: ${href} is not in the npm package (link the repository path in words, or ship it)`);
      }
    });
  }
  assert.deepEqual(problems, []);
});
