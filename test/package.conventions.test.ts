/**
 * @file The signature convention of docs/conventions.md "API conventions (0.2)", checked
 * mechanically on the public surface: no exported function, method or constructor of the package
 * root takes a positional boolean flag, or a positional parameter named like an option (axis, axes,
 * keepdims, name, k, ...) after the first (the primary operand); those belong in the trailing options object (`sum(x, { axis })`,
 * `take(x, indices, { axis })`, `customJvp(f, rule, { name })`).
 *
 * The signatures are read from the checked-in report api/nsdiff.api.md (written by
 * `npm run api:report` with the TypeScript compiler; test/package.api.test.ts fails while it is
 * stale, so the report is the source's surface). A few legitimate positional parameters are
 * allow-listed below, each with its reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../scripts/api-report.js';

/** Parameter names that denote an option, never an operand. */
const OPTION_NAMES = new Set([
  'axis', 'axes', 'keepdims', 'name', 'k', 'offset', 'perm', 'op', 'mode', 'ord', 'ddof', 'reverse', 'kink',
  'argnums', 'dimSize', 'lower', 'upper', 'trans', 'transA', 'transB', 'center', 'fitIntercept', 'verbose', 'shuffle',
]);

/**
 * Positional parameters that stay positional, `function.parameter` → reason. Keep this list short:
 * a new entry needs a reason a reviewer accepts.
 */
const ALLOWED: Record<string, string> = {
  'kFoldIndices.k': 'the number of folds is the primary argument (scikit-learn KFold(n_splits)), not a mode',
};

export interface Param {
  name: string;
  type: string;
}
export interface Signature {
  fn: string;
  params: Param[];
}

/** Index just past the bracket group opening at `s[i]` (one of `(`, `<`, `[`, `{`); `=>` is not a bracket. */
function skipGroup(s: string, i: number): number {
  let depth = 0;
  for (let j = i; j < s.length; j++) {
    const c = s[j]!;
    if (c === '=' && s[j + 1] === '>') {
      j++;
      continue;
    }
    if ('(<[{'.includes(c)) depth++;
    else if (')>]}'.includes(c) && --depth === 0) return j + 1;
  }
  return s.length;
}

/** Splits `s` at top-level occurrences of `sep` (outside brackets). */
function splitTop(s: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let j = 0; j < s.length; j++) {
    const c = s[j]!;
    if (c === '=' && s[j + 1] === '>') {
      j++;
      continue;
    }
    if ('(<[{'.includes(c)) depth++;
    else if (')>]}'.includes(c)) depth--;
    else if (c === sep && depth === 0) {
      out.push(s.slice(start, j).trim());
      start = j + 1;
    }
  }
  const last = s.slice(start).trim();
  if (last) out.push(last);
  return out;
}

/**
 * The call signatures in an API report: `function f(...)`, `const f: (...) => ...`, and the
 * methods and constructors of classes and interfaces (indented lines `name(...)`).
 */
export function parseSignatures(report: string): Signature[] {
  const sigs: Signature[] = [];
  const head = /^\s*(?:function\s+|const\s+|static\s+|readonly\s+)?([A-Za-z_$][\w$]*)\s*(?::\s*)?(?=[<(])/;
  for (const line of report.split('\n')) {
    const m = head.exec(line);
    if (!m) continue;
    let i = m[0].length;
    if (line[i] === '<') i = skipGroup(line, i);
    if (line[i] !== '(') continue;
    const end = skipGroup(line, i);
    const params = splitTop(line.slice(i + 1, end - 1), ',').map((p) => {
      const [name, ...type] = splitTop(p, ':');
      return { name: name!.replace(/^\.\.\./, '').replace(/\?$/, ''), type: type.join(':').trim() };
    });
    sigs.push({ fn: m[1]!, params });
  }
  return sigs;
}

/** The convention violations of `sigs`: `fn.param: problem`. */
export function violations(sigs: readonly Signature[], allowed: Record<string, string> = ALLOWED): string[] {
  const out: string[] = [];
  for (const { fn, params } of sigs) {
    for (const [i, p] of params.entries()) {
      if (p.type.startsWith('{') || /Options\b/.test(p.type)) continue; // an options object
      const key = `${fn}.${p.name}`;
      if (key in allowed) continue;
      const union = splitTop(p.type, '|');
      if (union.some((t) => t === 'boolean' || t === 'true' || t === 'false')) out.push(`${key}: positional boolean (${p.type})`);
      // the first parameter is the primary operand whatever its name (`loadDataset(name)`)
      else if (i > 0 && OPTION_NAMES.has(p.name)) out.push(`${key}: positional option-like parameter '${p.name}' (${p.type})`);
    }
  }
  return out;
}

test('convention checker: flags positional flags and option-like names, accepts options objects', () => {
  const sigs = parseSignatures([
    'function bad1(x: TensorLike, axis?: number): Tensor',
    'function bad2<A extends unknown[]>(f: (...args: A) => R, rule: (p: A) => R, name?: string): (...args: A) => R',
    '    solve(b: Tensor, lower: true | false): Tensor',
    'const bad3: (a: TensorLike, keepdims: boolean) => Tensor',
    'function good(x: TensorLike, indices: IndexArray, opts?: AxisOption): Tensor',
    'function good2(x: TensorLike, opts?: { axis?: number; keepdims?: boolean; }): Tensor',
    'function good3(name: DatasetName): Dataset',
  ].join('\n'));
  assert.deepEqual(sigs.map((s) => s.fn), ['bad1', 'bad2', 'solve', 'bad3', 'good', 'good2', 'good3']);
  assert.deepEqual(violations(sigs, {}), [
    "bad1.axis: positional option-like parameter 'axis' (number)",
    "bad2.name: positional option-like parameter 'name' (string)",
    'solve.lower: positional boolean (true | false)',
    'bad3.keepdims: positional boolean (boolean)',
  ]);
});

test('package root: no exported function takes a positional flag or a positional axis/name/... (options objects instead)', () => {
  const report = readFileSync(join(ROOT, 'api/nsdiff.api.md'), 'utf8');
  const sigs = parseSignatures(report);
  // the report lists some 200 runtime exports; a parser that finds few signatures checks nothing
  assert.ok(sigs.length > 200, `parsed only ${sigs.length} signatures from api/nsdiff.api.md`);
  for (const fn of ['take', 'scatterAdd', 'sliceAxis', 'concat', 'stack', 'transpose', 'customJvp', 'sum']) {
    assert.ok(sigs.some((s) => s.fn === fn), `${fn} not found in the report`);
  }
  assert.deepEqual(violations(sigs), [], 'move these parameters into the trailing options object (or allow-list them with a reason)');
  for (const key of Object.keys(ALLOWED)) {
    const [fn, param] = key.split('.');
    assert.ok(sigs.some((s) => s.fn === fn && s.params.some((p) => p.name === param)), `stale allow-list entry ${key}`);
  }
});
