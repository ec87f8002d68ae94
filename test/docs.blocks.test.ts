/**
 * @file Every ```ts block of README.md and docs/*.md compiles under the repository's strict
 * settings and runs, as written: the blocks are extracted from the markdown (never a retyped copy),
 * written to a temporary folder where `nsdiff` and `nsdiff/internals` resolve to src/, type-checked
 * together in one TypeScript program, then executed one after another in one child process with a
 * time limit. Failures name the markdown file and the line. Blocks that are not meant to run (shell,
 * signatures, output shapes) use another fence language (`sh`, `text`).
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

function markdownFiles(): string[] {
  const docs = readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`);
  return ['README.md', ...docs];
}

const blocks = markdownFiles().flatMap((f) => extractBlocks(f, readFileSync(join(ROOT, f), 'utf8')));
const dir = mkdtempSync(join(tmpdir(), 'nsdiff-docs-'));
const paths = { nsdiff: [join(ROOT, 'src/index.ts')], 'nsdiff/internals': [join(ROOT, 'src/internals.ts')] };
writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
// for tsx: the same path mapping when the blocks run
writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', paths } }));
for (const b of blocks) writeFileSync(join(dir, b.module), `${b.code}\nexport {};\n`);

/** Where a block came from, for messages: `README.md:45` and the line inside the markdown. */
function origin(b: Block, lineInBlock?: number): string {
  return lineInBlock === undefined ? `${b.file}:${b.line}` : `${b.file}:${b.line + lineInBlock} (block at line ${b.line})`;
}

test.after(() => rmSync(dir, { recursive: true, force: true }));

test('the markdown has ts blocks to check', () => {
  assert.ok(blocks.some((b) => b.file === 'README.md'), 'README.md has no ```ts block');
  assert.ok(blocks.length >= 5, `only ${blocks.length} ts blocks found`);
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
    `const modules = ${JSON.stringify(blocks.map((b) => b.module))};`,
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
  const events = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { start?: string; done?: string; ms?: number; error?: string });
  for (const b of blocks) {
    await t.test(origin(b), () => {
      const done = events.find((e) => e.done === b.module);
      const started = events.some((e) => e.start === b.module);
      if (!done) {
        assert.fail(started
          ? `${origin(b)}: the block did not finish within the ${RUN_LIMIT_S} s limit of all blocks (or crashed the process: exit ${code})\n${err}`
          : `${origin(b)}: not run, an earlier block stopped the run (exit ${code})\n${err}`);
      }
      assert.equal(done.error, undefined, `${origin(b)}: the block throws:\n${done.error}`);
    });
  }
});
