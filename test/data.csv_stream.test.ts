/**
 * @file Tests of the streaming CSV reader (`CsvParser`): every split of a text into two or three
 * chunks — inside a number, a quoted field, a doubled quote, between CR and LF, inside the BOM or
 * the header — parses to the same dataset as the whole text; errors name line and column whatever
 * the chunking; the row hint only changes the allocation; `loadCsv` streams a file larger than its
 * 1 MiB chunk exactly; numbers agree bit for bit with `Number()`. The split and error tests run on
 * every kernel backend ('wasm': the WebAssembly fast path of csv_wasm.ts first; 'js').
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataFormatError } from '../src/core/errors.js';
import { rng } from '../src/core/rng.js';
import { CsvParser, countLineEnds, loadCsv, parseCsv, type Dataset } from '../src/data/index.js';
import { kernelBackends, onKernelBackend } from './helpers.js';

const enc = new TextEncoder();

/** Parses `text` pushed in the chunks cut at `cuts` (byte offsets). */
function parseChunks(text: string, cuts: number[], rowsHint?: number): Dataset {
  const bytes = enc.encode(text);
  const p = new CsvParser({ target: 'y', sourceName: 's.csv', ...(rowsHint !== undefined ? { rowsHint } : {}) });
  let prev = 0;
  for (const c of [...cuts, bytes.length]) {
    p.push(bytes.slice(prev, c));
    prev = c;
  }
  return p.finish();
}

function same(a: Dataset, b: Dataset): void {
  assert.deepEqual(a.featureNames, b.featureNames);
  assert.equal(a.nSamples, b.nSamples);
  assert.deepEqual(Array.from(a.X.kind === 'dense' ? a.X.data : []), Array.from(b.X.kind === 'dense' ? b.X.data : []));
  assert.deepEqual(Array.from(a.y), Array.from(b.y));
}

/** Message of the error `f` throws (a DataFormatError). */
function messageOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof DataFormatError, `expected a DataFormatError, got ${String(e)}`);
    return e.message;
  }
  assert.fail('expected an error');
}

const TEXT = '\ufeff"first, col",b , y\r\n1.25,-3e2,"7"\r\n\r\n  .5 ,"4.",1E-2\r\n"1""0",2,3\n-0.000123456789012345678,12345678901234567890,+6\r\n';

test('CsvParser: every split into two and three chunks gives the whole-text result (BOM, CRLF, quotes, long numbers)', () => {
  for (const b of kernelBackends) onKernelBackend(b, splits);
});

function splits(): void {
  // the doubled quote "1""0" is not a number: use a text without it for the value check
  const text = TEXT.replace('"1""0",2,3\n', '10,2,3\n');
  const whole = parseCsv(text, { target: 'y' });
  assert.deepEqual(whole.featureNames, ['first, col', 'b']);
  assert.deepEqual(Array.from(whole.y), [7, 0.01, 3, 6]);
  assert.equal(whole.nSamples, 4);
  const n = enc.encode(text).length;
  for (let c = 0; c <= n; c++) same(parseChunks(text, [c]), whole);
  for (let c = 1; c < n; c += 3) for (let d = c; d <= n; d += 5) same(parseChunks(text, [c, d]), whole);
  // one byte at a time
  same(parseChunks(text, Array.from({ length: n }, (_, i) => i)), whole);
  // long mantissas (Number() path) are exact
  assert.equal(whole.X.kind === 'dense' && whole.X.data[3], -0.000123456789012345678);
  assert.equal(whole.X.kind === 'dense' && whole.X.data[7], 12345678901234567890);
}

test('CsvParser: errors name line and column whatever the chunking', () => {
  const cases: [string, string][] = [
    ['a,y\n1,2\n3,\n', 'missing value in column y at line 3 of s.csv'],
    ['a,y\r\n1,2\r\n\r\n4,1x\r\n', "'1x' in column y at line 4 of s.csv is not a number"],
    ['"a\nb",y\n1,2\n3,4,5\n', 'line 4 of s.csv has 3 fields but the header has 2'],
    ['a,y\n"1\n2",3\n', "'1\n2' in column a at line 2 of s.csv is not a number"],
    ['a,y\n1,"2\n', 'unterminated quoted field starting at line 2 of s.csv'],
    ['a,y\n1,2\n1e999,0\n', "'1e999' in column a at line 3 of s.csv is not a finite number"],
    ['a,b,y\n1,zz\n', 'line 2 of s.csv has 2 fields but the header has 3 (missing column y)'],
  ];
  for (const b of kernelBackends) for (const [text, msg] of cases) onKernelBackend(b, () => {
    const n = enc.encode(text).length;
    for (let c = 0; c <= n; c++) {
      const m = messageOf(() => parseChunks(text, [c]));
      assert.ok(m.includes(msg), `${b}: cut at ${c} of ${JSON.stringify(text)}: got "${m}"`);
    }
  });
});

test('CsvParser: the row hint only sizes the columns (too small grows, too large is trimmed)', () => {
  const g = rng(3);
  const rows = Array.from({ length: 50 }, () => Array.from({ length: 4 }, () => g.normalScalar()));
  const text = 'a,b,y,c\n' + rows.map((r) => r.join(',')).join('\n');
  const ref = parseChunks(text, []);
  for (const hint of [1, 16, 49, 50, 51, 1000]) same(parseChunks(text, [37, 400], hint), ref);
  assert.equal(ref.X.kind === 'dense' && ref.X.data.length, 150);
  // column-major, target removed: column c (file position 3) is the third feature
  assert.equal(ref.X.kind === 'dense' && ref.X.data[100 + 7], rows[7]![3]);
  assert.equal(countLineEnds(enc.encode(text)), 50);
});

test('CsvParser: a header split anywhere, blank lines before it, and misuse after finish', () => {
  const text = '\n \n a , y \n1,2\n';
  const ds = parseChunks(text, [1, 5]);
  assert.deepEqual(ds.featureNames, ['a']);
  assert.ok(messageOf(() => parseChunks('', [])).includes('s.csv is empty'));
  assert.ok(messageOf(() => parseChunks('\ufeff\r\n', [1])).includes('s.csv is empty'));
  const p = new CsvParser({ target: 'y' });
  p.push(enc.encode('a,y\n1,2\n'));
  p.finish();
  assert.throws(() => p.finish(), DataFormatError);
  assert.throws(() => p.push(enc.encode('3,4\n')), DataFormatError);
});

test('loadCsv streams files larger than its chunk: values bit-identical to Number() of each cell', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nsdiff-csvs-'));
  try {
    const g = rng(11);
    const n = 3000;
    const p = 60;
    const cells: string[][] = [];
    for (let i = 0; i < n; i++) {
      // full precision, short decimals, exponents, signs, integers
      cells.push(Array.from({ length: p + 1 }, (_, j) => {
        const v = g.normalScalar() * 10 ** ((j % 7) - 3);
        return j % 5 === 0 ? String(v) : j % 5 === 1 ? v.toFixed(3) : j % 5 === 2 ? v.toExponential(6) : j % 5 === 3 ? `+${Math.abs(v).toPrecision(12)}` : String(Math.round(v * 100));
      }));
    }
    const header = Array.from({ length: p }, (_, j) => `f${j}`).concat('y');
    const path = join(dir, 'big.csv');
    writeFileSync(path, header.join(',') + '\r\n' + cells.map((r) => r.join(',')).join('\r\n') + '\r\n');
    const ds = loadCsv(path, { target: 'y' });
    assert.equal(ds.nSamples, n);
    assert.equal(ds.nFeatures, p);
    const X = ds.X.kind === 'dense' ? ds.X.data : new Float64Array(0);
    assert.equal(X.length, n * p);
    for (let i = 0; i < n; i += 7) {
      for (let j = 0; j < p; j++) assert.equal(X[j * n + i], Number(cells[i]![j]));
      assert.equal(ds.y[i], Number(cells[i]![p]));
    }
    // the last row and the last column too
    assert.equal(X[p * n - 1], Number(cells[n - 1]![p - 1]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
