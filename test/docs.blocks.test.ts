/**
 * @file Every ```ts block of README.md and docs/*.md compiles under the repository's strict
 * settings and runs, as written: the blocks are extracted from the markdown (never a retyped copy),
 * written to a temporary folder where `nsdiff`, `nsdiff/internals` and `nsdiff/node` resolve to src/, type-checked
 * together in one TypeScript program, then executed one after another in one child process with a
 * time limit. Failures name the markdown file and the line. Blocks that are not meant to run (shell,
 * signatures, output shapes) use another fence language (`sh`, `text`).
 *
 * Stated values are checked too: a one-statement line whose trailing comment begins with a value,
 * `expr; // tensor([0, 0, 1])` or `console.log(expr); // [1/12]` or `expr; // 1: ...`, runs as a
 * comparison (see `statedValues`): a `tensor(...)` must be what `String(value)` prints, exactly; an
 * array or number literal (− and fractions allowed) must match `value.toArray()` / the value to
 * 1e-12 relative. Comments with several values or `≈` are prose and are not checked.
 *
 * Run alone: `npm run docs:check`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { createProgram, ROOT } from '../scripts/api-report.js';

/** Seconds all blocks together may run (each block's time is reported). */
const RUN_LIMIT_S = 240;

/** A fenced code block: markdown file (relative), line of its opening fence, source text. */
interface Block {
  file: string;
  line: number;
  code: string;
  /** File name of the block in the temporary folder. */
  module: string;
}

/** The ```ts / ```typescript blocks of one markdown file. */
export function extractBlocks(file: string, text: string): Block[] {
  const blocks: Block[] = [];
  const lines = text.split('\n');
  let open: { line: number; lang: string; body: string[] } | null = null;
  lines.forEach((l, i) => {
    const fence = /^\s*(```+|~~~+)\s*([\w-]*)/.exec(l);
    if (!fence) { open?.body.push(l); return; }
    if (open) {
      if (open.lang === 'ts' || open.lang === 'typescript') {
        const slug = file.replace(/[^\w]+/g, '_');
        blocks.push({ file, line: open.line, code: open.body.join('\n'), module: `${slug}_L${open.line}.ts` });
      }
      open = null;
    } else {
      open = { line: i + 1, lang: fence[2]!.toLowerCase(), body: [] };
    }
  });
  return blocks;
}

/** A value a block states in a trailing comment: line (1-based, in the block), expression, stated text. */
export interface Stated {
  line: number;
  expr: string;
  expected: string;
}

/** Index of the first top-level `,` of a JS expression (outside brackets and strings), or −1. */
function topLevelComma(s: string): number {
  let depth = 0;
  let quote = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) { if (c === '\\') i++; else if (c === quote) quote = ''; continue; }
    if (c === '"' || c === "'" || c === '`') quote = c;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (c === ',' && depth === 0) return i;
  }
  return -1;
}

/** The leading value of a comment: `tensor(...)`, `[...]` (balanced) or a number; then end, space or `:`. */
function leadingValue(comment: string): string | null {
  let end = -1;
  const open = comment.startsWith('tensor(') ? '(' : comment.startsWith('[') ? '[' : '';
  if (open) {
    const close = open === '(' ? ')' : ']';
    let depth = 0;
    for (let i = comment.indexOf(open); i < comment.length; i++) {
      if (comment[i] === open) depth++;
      else if (comment[i] === close && --depth === 0) { end = i + 1; break; }
    }
  } else {
    const m = /^[−-]?\d[\d.eE/]*/.exec(comment);
    if (m) end = m[0].length;
  }
  if (end < 0 || !/^(\s|:|$)/.test(comment.slice(end))) return null;
  return comment.slice(0, end);
}

/** The values a block states (see the file header), in order. */
export function statedValues(code: string): Stated[] {
  const out: Stated[] = [];
  code.split('\n').forEach((l, i) => {
    const at = l.indexOf('// ');
    if (at < 0) return;
    const stmt = l.slice(0, at).trim();
    if (!stmt.endsWith(';') || stmt.slice(0, -1).includes(';') || /^(const|let|var|import|export|return)\b/.test(stmt)) return;
    const expected = leadingValue(l.slice(at + 3).trim());
    if (!expected) return;
    let expr = stmt.slice(0, -1);
    const log = /^console\.log\((.*)\)$/.exec(expr);
    if (log) expr = log[1]!;
    if (topLevelComma(expr) >= 0) return;
    out.push({ line: i + 1, expr, expected });
  });
  return out;
}

/** The block as it runs: each stated value's line becomes a call of `__stated` (written to stated.mjs). */
function runnable(b: Block): string {
  const lines = b.code.split('\n');
  for (const st of statedValues(b.code)) {
    const indent = /^\s*/.exec(lines[st.line - 1]!)![0];
    lines[st.line - 1] = `${indent}__stated(${st.expr}, ${JSON.stringify(st.expected)}, ${JSON.stringify(origin(b, st.line))});`;
  }
  return `import { __stated } from './stated.mjs';\n${lines.join('\n')}\nexport {};\n`;
}

const STATED_MJS = `
const close = (a, b) => Array.isArray(b)
  ? Array.isArray(a) && a.length === b.length && b.every((v, i) => close(a[i], v))
  : typeof a === 'number' && (a === b || Math.abs(a - b) <= 1e-12 * Math.abs(b));
export function __stated(value, expected, where) {
  let ok, got;
  if (expected.startsWith('tensor(')) {
    got = String(value);
    ok = got === expected;
  } else {
    const text = expected.replace(/−/g, '-');
    if (!/^[\\d\\s.,+\\-*/eE\\[\\]]+$/.test(text)) throw new Error(where + ': cannot read the stated value ' + expected);
    const want = Function('return (' + text + ');')();
    const v = value && typeof value.toArray === 'function' ? value.toArray() : value;
    got = JSON.stringify(v);
    ok = close(v, want);
  }
  console.log(JSON.stringify({ stated: where, ok }));
  if (!ok) throw new Error(where + ': the comment states ' + expected + ', the code gives ' + got);
}
`;

function markdownFiles(): string[] {
  const docs = readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`);
  return ['README.md', ...docs];
}

const blocks = markdownFiles().flatMap((f) => extractBlocks(f, readFileSync(join(ROOT, f), 'utf8')));
const dir = mkdtempSync(join(tmpdir(), 'nsdiff-docs-'));
const paths = { nsdiff: [join(ROOT, 'src/index.ts')], 'nsdiff/internals': [join(ROOT, 'src/internals.ts')], 'nsdiff/node': [join(ROOT, 'src/node.ts')] };
writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
// for tsx: the same path mapping when the blocks run
writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', paths } }));
for (const b of blocks) writeFileSync(join(dir, b.module), `${b.code}\nexport {};\n`);
// what runs: the same blocks with their stated values checked
for (const b of blocks) writeFileSync(join(dir, b.module.replace(/\.ts$/, '.run.ts')), runnable(b));
writeFileSync(join(dir, 'stated.mjs'), STATED_MJS);

/** Where a block came from, for messages: `README.md:45` and the line inside the markdown. */
function origin(b: Block, lineInBlock?: number): string {
  return lineInBlock === undefined ? `${b.file}:${b.line}` : `${b.file}:${b.line + lineInBlock} (block at line ${b.line})`;
}

test.after(() => rmSync(dir, { recursive: true, force: true }));

test('the markdown has ts blocks to check', () => {
  assert.ok(blocks.some((b) => b.file === 'README.md'), 'README.md has no ```ts block');
  assert.ok(blocks.length >= 5, `only ${blocks.length} ts blocks found`);
});

test('the README tour states values that the run checks (relu and abs selections, kink count, hessian)', () => {
  const stated = blocks.filter((b) => b.file === 'README.md').flatMap((b) => statedValues(b.code).map((st) => st.expected));
  for (const v of ['[0, 0, 1]', 'tensor([0, 0, 1])', 'tensor([0, 1, 1])', 'tensor([-1, -1, 1])', '1', 'tensor([0])', 'tensor([[6, 0], [0, 12]])']) {
    assert.ok(stated.includes(v), `README no longer states ${v} in a checked comment (found: ${stated.join(' | ')})`);
  }
});

test('statedValues reads one-value comments and skips prose, several values and declarations', () => {
  const code = [
    'f(x); // tensor([0, 1])  prose after',
    'console.log(g(x, y)); // [1/12]',
    'h(); // 3: three',
    'console.log(a, b); // [0, 1], 2',
    'const z = f(x); // tensor([1])',
    'k(); // = B⁻¹ r',
    'm(); // ≈ 0.9',
    'n(); // [1, 2], [3]',
  ].join('\n');
  assert.deepEqual(statedValues(code), [
    { line: 1, expr: 'f(x)', expected: 'tensor([0, 1])' },
    { line: 2, expr: 'g(x, y)', expected: '[1/12]' },
    { line: 3, expr: 'h()', expected: '3' },
  ]);
});

test('every ts block of README.md and docs/*.md type-checks (strict, one program)', () => {
  const program = createProgram(blocks.map((b) => join(dir, b.module)), {
    paths,
    rootDir: undefined,
    typeRoots: [join(ROOT, 'node_modules/@types')],
    noUnusedLocals: false,
  });
  const byModule = new Map(blocks.map((b) => [join(dir, b.module), b]));
  // diagnostics of the blocks only: the checker then visits just what the blocks use of src/
  // (src/ itself is type-checked by `npm run typecheck`)
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...[...byModule.keys()].flatMap((f) => {
      const sf = program.getSourceFile(f)!;
      return [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)];
    }),
  ];
  const problems = diagnostics.map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    const b = d.file && byModule.get(d.file.fileName);
    if (!d.file || d.start === undefined) return `TS${d.code}: ${text}`;
    const { line } = d.file.getLineAndCharacterOfPosition(d.start);
    const where = b ? origin(b, line + 1) : `${relative(ROOT, d.file.fileName)}:${line + 1}`;
    return `${where}: TS${d.code}: ${text}`;
  });
  assert.deepEqual(problems, [], `ts blocks that do not compile:\n${problems.join('\n')}`);
});

test('every ts block of README.md and docs/*.md runs', async (t) => {
  // one child process imports the blocks in order and reports each on a line of its own
  const runner = join(dir, 'runner.mjs');
  writeFileSync(runner, [
    `const modules = ${JSON.stringify(blocks.map((b) => b.module.replace(/\.ts$/, '.run.ts')))};`,
    'for (const m of modules) {',
    '  const t0 = performance.now();',
    '  console.log(JSON.stringify({ start: m }));',
    '  try { await import(`./${m}`); console.log(JSON.stringify({ done: m, ms: performance.now() - t0 })); }',
    '  catch (e) { console.log(JSON.stringify({ done: m, ms: performance.now() - t0, error: String(e && e.stack || e) })); }',
    '}',
  ].join('\n'));
  const child = spawn(process.execPath, ['--import', 'tsx', runner], {
    cwd: ROOT,
    env: { ...process.env, TSX_TSCONFIG_PATH: join(dir, 'tsconfig.json') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '', err = '';
  child.stdout.on('data', (d: Buffer) => { out += d; });
  child.stderr.on('data', (d: Buffer) => { err += d; });
  const timer = setTimeout(() => child.kill('SIGKILL'), RUN_LIMIT_S * 1000);
  const code = await new Promise<number | null>((res) => child.on('close', res));
  clearTimeout(timer);
  const events = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { start?: string; done?: string; ms?: number; error?: string; stated?: string; ok?: boolean });
  for (const b of blocks) {
    await t.test(origin(b), () => {
      const run = b.module.replace(/\.ts$/, '.run.ts');
      const done = events.find((e) => e.done === run);
      const started = events.some((e) => e.start === run);
      if (!done) {
        assert.fail(started
          ? `${origin(b)}: the block did not finish within the ${RUN_LIMIT_S} s limit of all blocks (or crashed the process: exit ${code})\n${err}`
          : `${origin(b)}: not run, an earlier block stopped the run (exit ${code})\n${err}`);
      }
      assert.equal(done.error, undefined, `${origin(b)}: the block throws:\n${done.error}`);
      // every stated value of the block was compared (and agreed)
      const unchecked = statedValues(b.code).map((st) => origin(b, st.line)).filter((w) => !events.some((e) => e.stated === w && e.ok));
      assert.deepEqual(unchecked, [], `stated values not checked: ${unchecked.join(', ')}`);
    });
  }
});
