/**
 * @file Tests of the byte-level decimal reader (src/data/decimal.ts): `parseDecimal` must equal
 * `Number(text)` bit for bit (the Clinger and Eisel–Lemire fast paths and the fallback) on a few
 * hundred thousand seeded inputs — the shortest representation of random doubles over the whole
 * exponent range (subnormals included), 17-digit and other fixed-precision forms, random digit
 * strings with long mantissas, leading and trailing zeros and huge or tiny exponents, exact
 * midpoints between neighbouring doubles and their nearest neighbours above and below — and refuse
 * what is not a plain decimal; `scanDecimalInto` reports where a number ends; the libsvm reader,
 * which reads its values with it, stays exact and names a bad token whole.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rng } from '../src/core/rng.js';
import { csvWasmScanner, CsvWasmScanner } from '../src/data/csv_wasm.js';
import { parseDecimal, scanDecimalInto } from '../src/data/decimal.js';
import { parseLibsvm } from '../src/data/libsvm.js';
import type { CscMatrix } from '../src/linalg/sparse/csc.js';

const enc = new TextEncoder();
const r = rng(12);
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/**
 * The values the WebAssembly CSV scanner (src/data/csv_wasm.ts, the reader's fast path) gives the
 * texts as one-column records (all read by it, none left to the JavaScript reader), and the share
 * of them it handed back to `Number()`; null without WebAssembly.
 */
function wasmValues(texts: string[]): { values: Float64Array; fallbackShare: number } | null {
  const sc = csvWasmScanner();
  if (sc === null) return null;
  const bytes = enc.encode(texts.join('\n') + '\n');
  const values = new Float64Array(texts.length);
  const fb0 = sc.fallbacks;
  sc.begin(bytes);
  let pos = 0;
  for (let n = 0; n < texts.length; ) {
    const k = sc.run(bytes, pos, bytes.length, 1, Math.min(texts.length - n, CsvWasmScanner.maxRecords(1, bytes.length - pos)), 0);
    values.set(sc.column(0, k), n);
    n += k;
    pos = sc.pos;
    assert.ok(k > 0 || sc.again, `the WebAssembly scanner stopped at '${texts[n]}'`);
  }
  return { values, fallbackShare: (sc.fallbacks - fb0) / texts.length };
}

/**
 * Counts the inputs where parseDecimal — and the WebAssembly scanner, on the finite ones — and Number
 * disagree; shows the first few.
 */
function checker(): { check: (t: string) => void; done: (what: string, min: number) => void; slowShare: () => number; wasmSlowShare: () => number } {
  let n = 0;
  let slow = 0;
  let wasmSlow = 0;
  const bad: string[] = [];
  const finite: string[] = [];
  return {
    check(t: string): void {
      n++;
      if (Number.isFinite(Number(t))) finite.push(t);
      const b = enc.encode(t);
      const v = parseDecimal(b, 0, b.length, (s, e) => {
        slow++;
        return Number(t.slice(s, e));
      });
      const want = Number(t);
      if (!Object.is(v, want) && bad.length < 5) bad.push(`${t}: ${v} instead of ${want}`);
    },
    done(what: string, min: number): void {
      assert.deepEqual(bad, [], `${what}: parseDecimal differs from Number()`);
      assert.ok(n >= min, `${what}: only ${n} inputs`);
      const w = wasmValues(finite);
      if (w === null) return;
      const wbad: string[] = [];
      for (let k = 0; k < finite.length && wbad.length < 5; k++) {
        const want = Number(finite[k]);
        if (!Object.is(w.values[k], want)) wbad.push(`${finite[k]}: ${w.values[k]} instead of ${want}`);
      }
      assert.deepEqual(wbad, [], `${what}: the WebAssembly scanner differs from Number()`);
      wasmSlow = w.fallbackShare;
    },
    slowShare: () => slow / n,
    wasmSlowShare: () => wasmSlow,
  };
}

/** A random finite double from random bits (every exponent equally likely: subnormals, huge). */
function randomDouble(): number {
  for (;;) {
    u32[0] = r.int(2 ** 32);
    u32[1] = r.int(2 ** 32);
    if (Number.isFinite(f64[0]!)) return f64[0]!;
  }
}

/** A string of k random decimal digits. */
function digits(k: number): string {
  let s = '';
  for (let i = 0; i < k; i++) s += String(r.int(10));
  return s;
}

test('the shortest representation and fixed-precision forms of random doubles read back exactly', () => {
  const c = checker();
  const usual = checker(); // what float64 writers print: shortest or 17 digits
  for (let k = 0; k < 40000; k++) {
    const x = randomDouble();
    usual.check(String(x));
    usual.check(x.toPrecision(17));
    c.check(x.toExponential(r.int(21)));
    c.check(x.toPrecision(1 + r.int(21)).replace('e+', 'E'));
    // the usual CSV content: moderate magnitudes, 15 to 17 significant digits
    const y = (r.random() - 0.5) * 10 ** (r.int(12) - 4);
    usual.check(String(y));
    usual.check(y.toPrecision(16));
    usual.check(y.toPrecision(17));
    c.check(y.toFixed(Math.min(20, 10 + r.int(10))));
  }
  c.done('random doubles', 120000);
  usual.done('random doubles (shortest, 16 and 17 digits)', 200000);
  // the fast paths decide nearly all of those (the fallback is for the undecidable ≈ 1 in 400)
  assert.ok(usual.slowShare() < 0.01, `${(100 * usual.slowShare()).toFixed(2)}% fell back to Number()`);
  assert.ok(usual.wasmSlowShare() < 0.01, `WebAssembly: ${(100 * usual.wasmSlowShare()).toFixed(2)}% fell back to Number()`);
});

test('random digit strings: long mantissas, leading and trailing zeros, extreme exponents', () => {
  const c = checker();
  for (let k = 0; k < 40000; k++) {
    const nd = 1 + r.int(k % 4 === 0 ? 60 : 22);
    const ds = digits(nd);
    const point = r.int(nd + 1);
    const mant = `${'0'.repeat(r.int(3))}${ds.slice(0, point)}.${ds.slice(point)}${'0'.repeat(r.int(2) * r.int(30))}`;
    const ex = k % 3 === 0 ? r.int(701) - 350 : r.int(61) - 30;
    const sign = ['', '-', '+'][r.int(3)]!;
    c.check(`${sign}${mant}e${ex}`);
    c.check(`${sign}${ds}`);
    c.check(`${sign}0.${'0'.repeat(r.int(330))}${ds}`);
    c.check(`${ds.slice(0, point) || '7'}${'0'.repeat(r.int(25))}`);
    c.check(`${ds}e${r.int(2) === 0 ? '-' : '+'}${r.int(400)}`);
  }
  c.done('digit strings', 200000);
});

/** The exact decimal text of m·2^e (m, e integers, m > 0). */
function exactDecimal(m: bigint, e: number): string {
  if (e >= 0) return (m << BigInt(e)).toString();
  const k = -e;
  const s = (m * BigInt(5) ** BigInt(k)).toString().padStart(k + 1, '0'); // m·5^k / 10^k
  return `${s.slice(0, s.length - k)}.${s.slice(s.length - k)}`;
}

test('exact midpoints between neighbouring doubles and their nearest neighbours round as Number() does', () => {
  const c = checker();
  for (let k = 0; k < 6000; k++) {
    // x = m·2^e with a 53-bit significand (normal) or a smaller one (subnormal), then the midpoint
    // (2m + 1)·2^(e−1) between x and its successor, written out exactly (up to ~770 digits)
    const x = Math.abs(k % 2 === 0 ? randomDouble() : (r.random() + 0.5) * 10 ** (r.int(40) - 20));
    if (x === 0 || x >= 1.7e308) continue;
    f64[0] = x;
    const hi = u32[1]!;
    const biased = (hi >>> 20) & 0x7ff;
    const frac = (BigInt(hi & 0xfffff) << BigInt(32)) | BigInt(u32[0]!);
    const m = biased === 0 ? frac : frac | (BigInt(1) << BigInt(52));
    const e = (biased === 0 ? 1 : biased) - 1075;
    const mid = exactDecimal(BigInt(2) * m + BigInt(1), e - 1);
    c.check(mid);
    c.check(`-${mid}`);
    // just above and just below the midpoint, and the midpoint cut to 17, 19 and 20 digits
    c.check(`${mid}${mid.includes('.') ? '' : '.'}000000000000000000001`);
    // the midpoint cut to 17–21 significant digits, and the cut rounded up in its last digit
    const sig = mid.replace('.', '').replace(/^0+/, '');
    const dot = mid.indexOf('.');
    // decimal exponent of the first significant digit
    const lead = mid.startsWith('0.') ? -(mid.slice(2).search(/[1-9]/) + 1) : (dot < 0 ? mid.length : dot) - 1;
    for (const cut of [17, 18, 19, 20, 21]) {
      if (sig.length <= cut) continue;
      c.check(`${sig[0]}.${sig.slice(1, cut)}e${lead}`);
      const up = (BigInt(sig.slice(0, cut)) + BigInt(1)).toString();
      c.check(`${up[0]}.${up.slice(1)}e${lead + up.length - cut}`);
    }
  }
  // the classic hard cases
  for (const t of [
    '9007199254740993', '9007199254740992.5', '9007199254740993.0000000000000000001', '18446744073709551615', '18446744073709551616',
    '9999999999999999999', '10000000000000000000', '1.7976931348623157e308', '1.7976931348623158e308', '1.7976931348623159e308',
    '2.2250738585072011e-308', '2.2250738585072014e-308', '4.9406564584124654e-324', '2.4703282292062327e-324', '2.4703282292062328e-324',
    '1e23', '8.589973e9', '0.1', '0.3', '5e-324', '1e-400', '1e400', '7.0e-10', '3.0e-44', '123456789012345678901234567890',
    '0.000000000000000000000000000000000000000000001', '1448997445238699', '4.8726570057e288', '9.5e-5', '1.0000000000000002',
  ]) {
    c.check(t);
    c.check(`-${t}`);
  }
  c.done('midpoints', 40000);
});

test('parseDecimal refuses what is not a plain decimal; zeros keep their sign', () => {
  for (const t of ['', '.', '-', '+', 'e5', '.e1', '1e', '1e+', '1e-', '1.2.3', ' 1', '1 ', 'inf', 'Infinity', 'nan', '0x10', '1_0', '--1', '1e5.0', '1,5']) {
    const b = enc.encode(t);
    assert.ok(Number.isNaN(parseDecimal(b, 0, b.length)), `'${t}' must be NaN`);
  }
  for (const t of ['0', '-0', '+0', '0.000', '-0e5', '.0', '0.', '-0.0e-999', '000']) {
    const b = enc.encode(t);
    assert.ok(Object.is(parseDecimal(b, 0, b.length), Number(t)), t);
  }
  const b = enc.encode('x,-12.5e-1,7');
  assert.equal(parseDecimal(b, 2, 10), -1.25);
  assert.ok(Number.isNaN(parseDecimal(b, 2, 11)));
});

test('scanDecimalInto stores the longest number and returns where it ends', () => {
  const out = new Float64Array(3);
  const b = enc.encode('-2.5e1;1.5e;3.25  ');
  assert.equal(scanDecimalInto(b, 0, b.length, out, 0), 6);
  assert.equal(out[0], -25);
  assert.equal(scanDecimalInto(b, 7, b.length, out, 1), 11); // 'e' without digits: not a number
  assert.ok(Number.isNaN(out[1]!));
  assert.equal(scanDecimalInto(b, 12, b.length, out, 2), 16);
  assert.equal(out[2], 3.25);
  // the slow path receives the number's text range only
  const seen: Array<[number, number]> = [];
  const long = enc.encode('0.12345678901234567890123456789x');
  scanDecimalInto(long, 0, long.length, out, 0, (s, e) => {
    seen.push([s, e]);
    return Number('0.12345678901234567890123456789');
  });
  assert.ok(seen.every(([s, e]) => s === 0 && e === 31));
  assert.equal(out[0], 0.12345678901234568);
});

test('the libsvm reader reads its values in one pass: Number()-exact, and a bad value names its whole token', () => {
  const vals = Array.from({ length: 200 }, () => String(randomDouble() / 1e300 || 1.5));
  const text = vals.map((v, i) => `${i % 2} ${1 + (i % 7)}:${v} 9:${(i / 3).toPrecision(17)}`).join('\n') + '\n';
  const ds = parseLibsvm(text);
  const X = ds.X as CscMatrix;
  for (let i = 0; i < vals.length; i++) {
    const j = i % 7;
    let got = NaN;
    for (let k = X.indptr[j]!; k < X.indptr[j + 1]!; k++) if (X.indices[k] === i) got = X.values[k]!;
    if (Number(vals[i]) !== 0) assert.ok(Object.is(got, Number(vals[i])), `${vals[i]}: ${got}`);
  }
  for (const [t, msg] of [
    ['1 2:1.5x 3:1\n', /malformed value in token '2:1.5x' at line 1/],
    ['1 2: 3:1\n', /malformed value in token '2:' at line 1/],
    ['1 2:1e999\n', /malformed value in token '2:1e999'/],
    ['1 0:1.5x\n', /feature index 0 in token '0:1.5x'/],
  ] as const) assert.throws(() => parseLibsvm(t), msg);
});
