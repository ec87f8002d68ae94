/**
 * @file Tests of the CSV reader's WebAssembly fast path (src/data/csv_wasm.ts, src/kernels/wasm/csv.wat):
 * on texts of bare numbers — where the fast path reads — with CRLF, lone CR, blank lines, spaced
 * and quoted rows, long mantissas, subnormals and errors, every split into two chunks gives the
 * same dataset (bit for bit) or the same error message with the kernel backend 'wasm' as with 'js'
 * (the JavaScript reader alone); the module's window moves across records, refills its table of
 * powers, empties a full fallback list and leaves records longer than its window to JavaScript;
 * a parser reads into its own design memory until its columns grow, then through staging columns;
 * its SIMD line count equals the JavaScript one; on random texts (about half of them errors) both
 * backends agree at random splits.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataFormatError } from '../src/core/errors.js';
import { rng } from '../src/core/rng.js';
import { countLineEnds, CsvParser, parseCsv, type Dataset } from '../src/data/index.js';
import { csvWasmScanner, CsvWasmScanner } from '../src/data/csv_wasm.js';
import { setKernelBackend, wasmKernelsAvailable } from '../src/kernels/engine.js';
import { onKernelBackend } from './helpers.js';

const enc = new TextEncoder();
const hasWasm = wasmKernelsAvailable() && csvWasmScanner() !== null;

/** Parses `bytes` pushed in the chunks cut at `cuts` on the given backend; the error message if it throws. */
function parseOn(backend: 'js' | 'wasm', bytes: Uint8Array, cuts: number[], rowsHint?: number): Dataset | string {
  let out: Dataset | string = '';
  onKernelBackend(backend, () => {
    try {
      const p = new CsvParser({ target: 'y', sourceName: 'w.csv', ...(rowsHint !== undefined ? { rowsHint } : {}) });
      let prev = 0;
      for (const c of [...cuts, bytes.length]) {
        p.push(bytes.slice(prev, c));
        prev = c;
      }
      out = p.finish();
    } catch (e) {
      assert.ok(e instanceof DataFormatError, String(e));
      out = e.message;
    }
  });
  return out;
}

/** Asserts two parse results are the same dataset (every value bit for bit) or the same message. */
function same(a: Dataset | string, b: Dataset | string, what: string): void {
  if (typeof a === 'string' || typeof b === 'string') {
    assert.equal(a, b, what);
    return;
  }
  assert.equal(a.nSamples, b.nSamples, what);
  assert.deepEqual(a.featureNames, b.featureNames, what);
  const xa = a.X.kind === 'dense' ? a.X.data : new Float64Array(0);
  const xb = b.X.kind === 'dense' ? b.X.data : new Float64Array(0);
  assert.ok(xa.length === xb.length && xa.every((v, k) => Object.is(v, xb[k])), `${what}: X differs`);
  assert.ok(a.y.every((v, k) => Object.is(v, b.y[k])), `${what}: y differs`);
}

const GOOD = 'a,b,y\n1.25,-3e2,7\r\n0.1,+6,-0\n\n4.9e-324,12345678901234567890.5,1e23\r\n.5,5.,2.2250738585072011e-308\n' +
  '9007199254740993,0.000123456789012345678,1E-2\n1, 2 ,3\n"4",5,6\n7,8,9\r10,11,12\n13,14,15';

test('wasm and js backends agree at every split of a bare-number text (CRLF, lone CR, blanks, spaces, quotes, no final newline)', { skip: !hasWasm && 'no WebAssembly' }, () => {
  const bytes = enc.encode(GOOD);
  const ref = parseOn('js', bytes, []);
  assert.ok(typeof ref !== 'string', String(ref));
  assert.equal(ref.nSamples, 10);
  assert.ok(Object.is(ref.y[1], -0));
  assert.equal(ref.X.kind === 'dense' && ref.X.data[2], 5e-324); // a subnormal: Number() decides it
  for (let c = 0; c <= bytes.length; c++) same(parseOn('wasm', bytes, [c]), ref, `cut at ${c}`);
  // a row hint too small: the columns leave the parser's design memory for plain arrays when they
  // grow, and the fast path stages its columns from then on
  for (let c = 0; c <= bytes.length; c++) same(parseOn('wasm', bytes, [c], 3), ref, `cut at ${c}, rowsHint 3`);
  for (let c = 1; c < bytes.length; c += 7) for (let d = c; d <= bytes.length; d += 11) same(parseOn('wasm', bytes, [c, d]), ref, `cuts at ${c}, ${d}`);
});

test('wasm and js backends report the same error at every split', { skip: !hasWasm && 'no WebAssembly' }, () => {
  const head = 'a,b,y\n1,2,3\n4.5,6e1,-7\n';
  for (const bad of ['1e999,2,3', '1,2e400,3', '1,2,-1e309', '1x,2,3', '1,,3', '1,2', '1,2,3,4', '1,2,3 x', '1,2,.', '1,2,1e', '1,2,"3', '1,2,NaN']) {
    const bytes = enc.encode(`${head}${bad}\n8,9,10\n`);
    const ref = parseOn('js', bytes, []);
    assert.equal(typeof ref, 'string', bad);
    assert.match(ref as string, /line 4 of w\.csv/, bad);
    for (let c = 0; c <= bytes.length; c++) same(parseOn('wasm', bytes, [c]), ref, `${bad}, cut at ${c}`);
  }
});

test('a large bare-number file: window moves, table refills, a full fallback list, values equal to Number()', { skip: !hasWasm && 'no WebAssembly' }, () => {
  const g = rng(5);
  const p = 40;
  const n = 2000;
  const cells: string[] = [];
  const lines = [Array.from({ length: p }, (_, j) => `x${j}`).concat('y').join(',')];
  for (let i = 0; i < n; i++) {
    const row: string[] = [];
    for (let j = 0; j <= p; j++) {
      const v = g.normalScalar();
      // full precision over a wide exponent range (many table entries), subnormals (all handed
      // back to Number(): > 4096 in the first window), short decimals, integers
      const t = i < 200 && j < 30 ? `${(1 + g.random()).toFixed(15)}e-${310 + g.int(12)}`
        : j % 4 === 0 ? String(v * 10 ** (g.int(600) - 300)) : j % 4 === 1 ? v.toFixed(4) : j % 4 === 2 ? String(Math.round(v * 1e6)) : String(v);
      row.push(t);
      cells.push(t);
    }
    lines.push(row.join(','));
  }
  const text = lines.join('\n') + '\n';
  const all = enc.encode(text);
  assert.ok(all.length > 1 << 20, 'larger than the scanner window');
  const fb0 = CsvWasmScanner.allFallbacks;
  const ds = parseOn('wasm', all, []); // one chunk: the scanner's 1 MiB window moves inside it
  assert.ok(typeof ds !== 'string', String(ds));
  const fb = CsvWasmScanner.allFallbacks - fb0;
  assert.ok(fb > 6000, `the subnormals went through the fallback list (${fb})`);
  const X = ds.X.kind === 'dense' ? ds.X.data : new Float64Array(0);
  let bad = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) if (!Object.is(X[j * n + i], Number(cells[i * (p + 1) + j]))) bad++;
    if (!Object.is(ds.y[i], Number(cells[i * (p + 1) + p]))) bad++;
  }
  assert.equal(bad, 0);
  same(ds, parseOn('js', all, [all.length >> 1]), 'js backend');
});

test('records longer than the scanner window, quoted files (the fast path gives up), the js backend has no scanner', { skip: !hasWasm && 'no WebAssembly' }, () => {
  const p = 120000; // ≈ 1.3 MB per record: longer than the 1 MiB window
  const row = (i: number): string => Array.from({ length: p + 1 }, (_, j) => String((i + 1) * 1e-3 + j)).join(',');
  const text = Array.from({ length: p }, (_, j) => `c${j}`).concat('y').join(',') + '\n' + row(0) + '\n' + row(1) + '\n';
  const bytes = enc.encode(text);
  same(parseOn('wasm', bytes, [bytes.length >> 1]), parseOn('js', bytes, [bytes.length >> 1]), 'long records');
  const quoted = 'a,y\n' + Array.from({ length: 50 }, (_, i) => `"${i}.5",${i}`).join('\n') + '\n';
  same(parseOn('wasm', enc.encode(quoted), [17]), parseOn('js', enc.encode(quoted), [17]), 'quoted');
  const prev = setKernelBackend('js');
  try {
    assert.equal(csvWasmScanner(), null);
    assert.equal(parseCsv('a,y\n1,2\n', { target: 'y' }).y[0], 2);
  } finally {
    setKernelBackend(prev);
  }
});

test('countLineEnds: the SIMD count of the module equals the JavaScript count (window edges, tails)', { skip: !hasWasm && 'no WebAssembly' }, () => {
  const g = rng(9);
  for (const len of [65536, 65536 + 15, (1 << 20) - 1, (1 << 20) + 17, 3 * (1 << 20) + 5]) {
    const b = new Uint8Array(len);
    for (let i = 0; i < len; i++) b[i] = g.random() < 0.05 ? 10 : 32 + g.int(90);
    // runs of line ends longer than the module's 255-block counters
    b.fill(10, 1000, 1000 + 16 * 300);
    let want = 0;
    for (let i = 0; i < len; i++) if (b[i] === 10) want++;
    assert.equal(countLineEnds(b), want, `length ${len}`);
    onKernelBackend('js', () => assert.equal(countLineEnds(b), want, `length ${len}, js`));
  }
});

test('random texts: bare numbers mixed with quotes, spaces, blanks, CR, bad cells — wasm and js agree at random splits', { skip: !hasWasm && 'no WebAssembly' }, () => {
  const g = rng(21);
  const cell = (): string => {
    const u = g.random();
    const v = g.normalScalar() * 10 ** (g.int(40) - 20);
    if (u < 0.55) return String(v);
    if (u < 0.7) return v.toPrecision(1 + g.int(21));
    if (u < 0.75) return `${g.int(2) ? '-' : '+'}${g.int(1000)}.${'0'.repeat(g.int(25))}${g.int(99)}e${g.int(700) - 350}`;
    const odd = ['"1.5"', ' 2', '3 ', '', 'x', '1e', '.', '-', '1e999', '4.9e-324', '0x1', '"7', '1,5', '00012', '-0', 'NaN'];
    return odd[g.int(odd.length)]!;
  };
  for (let t = 0; t < 150; t++) {
    const p = 1 + g.int(6);
    const rows = [Array.from({ length: p }, (_, j) => `c${j}`).concat('y').join(',')];
    const nRows = 1 + g.int(12);
    for (let i = 0; i < nRows; i++) {
      const u = g.random();
      if (u < 0.05) rows.push('');
      else rows.push(Array.from({ length: p + 1 - (u < 0.08 ? 1 : 0) }, () => (g.random() < 0.9 ? String(g.normalScalar()) : cell())).join(','));
    }
    const eol = ['\n', '\r\n', '\r'][g.int(3)]!;
    const text = rows.join(eol) + (g.int(2) ? eol : '');
    const bytes = enc.encode(text);
    const ref = parseOn('js', bytes, []);
    for (let r = 0; r < 4; r++) {
      const cuts = [g.int(bytes.length + 1), g.int(bytes.length + 1)].sort((a, b) => a - b);
      same(parseOn('wasm', bytes, cuts, r === 0 ? 2 : undefined), ref, `text ${t} ${JSON.stringify(text)}, cuts ${cuts}`);
    }
  }
});
