/**
 * @file CSV read benchmark (issue 12): the 500 × 1000 CSV of bench/tune_process.bench.ts
 * (`makeCorrelatedData(500, 1000, { corr: 0.6, snr: 3, density: 0.1, seed: 0 })`, every number
 * printed by `String(x)`: 16–17 significant digits, ≈ 9.8 MB) read
 * - in this process, warm (best of REPEATS): `CsvParser` on the bytes in memory and `loadCsv` on the
 *   file, each with the WebAssembly fast path (src/data/csv_wasm.ts, kernel backend 'auto') and with
 *   the JavaScript reader alone (backend 'js'), and the `Number()` baseline — the text split into
 *   lines and fields, `Number()` of each;
 * - cold, as the CLI reads it (one read in a fresh process, timed inside it: JIT warm-up and the
 *   module's compilation included): `loadCsv` with and without the fast path (`NSDIFF_NO_WASM=1`),
 *   COLD_PAIRS interleaved pairs of processes, best and median; and numpy's `loadtxt` / pandas'
 *   `read_csv` (if /usr/bin/python3 has them) on the same file;
 * plus the number reader alone (src/data/decimal.ts, `scanDecimalInto` on the byte ranges of the
 * fields, as the CSV reader calls it) against `Number()` of the same fields as strings, per kind
 * of text: shortest representation (`String(x)`), 17 digits (`%.17g`), 6 significant digits (the
 * kinds share one JIT state: the kind measured first is often a little slower or faster).
 *
 * Times are best-of on a shared machine (noisy; ratios are taken within one run). Python is
 * optional (its rows are omitted without it); nsdiff never needs it.
 *
 * Run: `npx tsx bench/csv_read.bench.ts [--quick]`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeCorrelatedData } from '../src/data/synthetic.js';
import { CsvParser, countLineEnds } from '../src/data/csv.js';
import { loadCsv } from '../src/data/files.js';
import { scanDecimalInto } from '../src/data/decimal.js';
import { setKernelBackend } from '../src/kernels/engine.js';
import { time } from './timing.js';

const quick = process.argv.includes('--quick');
const REPEATS = quick ? 3 : 10;
const COLD_PAIRS = quick ? 4 : 12;
const N = 500;
const P = 1000;
const root = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'nsdiff-csv-bench-'));

/** Best wall time in ms of `reps` calls (bench/timing.ts). */
function best(reps: number, f: () => unknown): number {
  return time(f, { warmup: 0, reps }).min;
}

const { X, y } = makeCorrelatedData(N, P, { seed: 0, corr: 0.6, snr: 3, density: 0.1 });
const lines = [[...Array.from({ length: P }, (_, j) => `x${j}`), 'y'].join(',')];
for (let i = 0; i < N; i++) {
  const row: string[] = [];
  for (let j = 0; j < P; j++) row.push(String(X.data[j * N + i]!));
  row.push(String(y[i]!));
  lines.push(row.join(','));
}
const text = lines.join('\n') + '\n';
const file = join(dir, 'c.csv');
writeFileSync(file, text);
const bytes = new Uint8Array(readFileSync(file));
const MB = bytes.length / 1e6;

/** The Number() baseline: lines, fields, Number() of each, into a column-major design. */
function numberSplit(t: string): Float64Array {
  const rows = t.split('\n');
  const header = rows[0]!.split(',');
  const p = header.length - 1;
  const n = rows.length - 2; // header and the trailing empty line
  const data = new Float64Array(n * p);
  for (let i = 0; i < n; i++) {
    const f = rows[i + 1]!.split(',');
    for (let j = 0; j < p; j++) data[j * n + i] = Number(f[j]);
  }
  return data;
}

function parser(): void {
  const p = new CsvParser({ target: 'y', rowsHint: countLineEnds(bytes) + 1 });
  for (let o = 0; o < bytes.length; o += 1 << 20) p.push(bytes.subarray(o, o + (1 << 20)));
  p.finish();
}

// the same values agree (a check, not a timing)
{
  const ds = loadCsv(file, { target: 'y' });
  const ref = numberSplit(text);
  const got = ds.X.kind === 'dense' ? ds.X.data : new Float64Array(0);
  if (got.length !== ref.length || got.some((v, k) => !Object.is(v, ref[k]))) throw new Error('loadCsv and Number() disagree');
}

const fmt = (ms: number): string => ms.toFixed(1).padStart(8);
const rate = (ms: number): string => (MB / (ms / 1000)).toFixed(0).padStart(6);
console.log(`\nCSV ${N} × ${P + 1}, ${MB.toFixed(1)} MB, ${N * (P + 1)} numbers (String(x): 16–17 digits)\n`);
console.log('warm, in this process (best of ' + REPEATS + ')         ms     MB/s   × Number() split');
const tNum = best(REPEATS, () => numberSplit(text));
const tParser = best(REPEATS, parser);
const tLoad = best(REPEATS, () => loadCsv(file, { target: 'y' }));
const prevBackend = setKernelBackend('js');
const tParserJs = best(REPEATS, parser);
const tLoadJs = best(REPEATS, () => loadCsv(file, { target: 'y' }));
setKernelBackend(prevBackend);
for (const [name, t] of [
  ['Number() split (string → lines → fields)', tNum], ['CsvParser, wasm fast path (bytes in memory)', tParser], ['CsvParser, JavaScript only', tParserJs],
  ['loadCsv, wasm (file, two 1 MiB-chunk passes)', tLoad], ['loadCsv, JavaScript only', tLoadJs],
] as const) {
  console.log(`  ${name.padEnd(42)}${fmt(t)} ${rate(t)}   ${(t / tNum).toFixed(2)}`);
}

// cold: one read in a fresh process, as the CLI does it
const child = join(dir, 'child.mts');
writeFileSync(child, `import { loadCsv } from ${JSON.stringify(join(root, 'src/data/files.ts'))};\n` +
  `const t = performance.now(); loadCsv(${JSON.stringify(file)}, { target: 'y' }); console.log(performance.now() - t);\n`);
const cold: Array<[string, number]> = [];
{
  // interleaved: wasm, js, wasm, js, … (the machine's load changes over a run)
  const times: [number[], number[]] = [[], []];
  for (let r = 0; r < COLD_PAIRS; r++) {
    for (const js of [0, 1] as const) {
      const env = { ...process.env, NODE_OPTIONS: '', NSDIFF_NO_WASM: js ? '1' : '0' };
      const o = spawnSync(process.execPath, ['--import', 'tsx', child], { cwd: root, encoding: 'utf8', env });
      if (o.status !== 0) throw new Error(o.stderr);
      times[js].push(Number(o.stdout.trim()));
    }
  }
  const med = (a: number[]): number => [...a].sort((x, y) => x - y)[a.length >> 1]!;
  console.log(`\nfresh process, first read, ${COLD_PAIRS} interleaved pairs: wasm best ${Math.min(...times[0]).toFixed(1)} / median ${med(times[0]).toFixed(1)} ms,` +
    ` JavaScript best ${Math.min(...times[1]).toFixed(1)} / median ${med(times[1]).toFixed(1)} ms`);
  cold.push(['nsdiff loadCsv, wasm (fresh process, first read)', Math.min(...times[0])]);
  cold.push(['nsdiff loadCsv, JavaScript only (NSDIFF_NO_WASM=1)', Math.min(...times[1])]);
}
const py = '/usr/bin/python3';
for (const [name, code] of [
  ['numpy.loadtxt(delimiter=",", skiprows=1)', `import numpy as np\nnp.loadtxt(F, delimiter=',', skiprows=1)`],
  ['pandas.read_csv (C engine)', `import pandas as pd\npd.read_csv(F)`],
  ['pandas.read_csv (float_precision="round_trip")', `import pandas as pd\npd.read_csv(F, float_precision='round_trip')`],
] as const) {
  const script = `import time\nF = ${JSON.stringify(file)}\nbest = 1e9\nfor _ in range(${Math.min(REPEATS, 5)}):\n    t = time.perf_counter()\n${code.split('\n').map((l) => '    ' + l).join('\n')}\n    best = min(best, time.perf_counter() - t)\nprint(best * 1000)\n`;
  const o = spawnSync(py, ['-c', script], { encoding: 'utf8' });
  if (o.status === 0) cold.push([name, Number(o.stdout.trim())]);
  else console.log(`  (${name}: not available at ${py}, row omitted)`);
}
console.log('\none read (best of ' + Math.min(REPEATS, 5) + ')                       ms     MB/s   × nsdiff cold');
for (const [name, t] of cold) console.log(`  ${name.padEnd(48)}${fmt(t)} ${rate(t)}   ${(t / cold[0]![1]).toFixed(2)}`);

// the number reader alone, per kind of text
console.log('\nnumbers alone (500 000 fields, best of ' + REPEATS + ')  scanDecimalInto ms   Number() ms   ratio');
const vals = X.data;
for (const [kind, show] of [['String(x)', (v: number) => String(v)], ['%.17g', (v: number) => v.toPrecision(17)], ['6 digits', (v: number) => v.toPrecision(6)]] as const) {
  const fields = Array.from(vals, show);
  const joined = fields.join(',');
  const b = new TextEncoder().encode(joined);
  const starts = new Int32Array(fields.length + 1);
  for (let k = 0, pos = 0; k < fields.length; k++) {
    starts[k] = pos;
    pos += fields[k]!.length + 1;
  }
  starts[fields.length] = b.length + 1;
  const out = new Float64Array(fields.length);
  const tD = best(REPEATS, () => {
    for (let k = 0; k < fields.length; k++) scanDecimalInto(b, starts[k]!, starts[k + 1]! - 1, out, k);
  });
  const tN = best(REPEATS, () => {
    for (let k = 0; k < fields.length; k++) out[k] = Number(joined.slice(starts[k]!, starts[k + 1]! - 1));
  });
  console.log(`  ${kind.padEnd(44)}${fmt(tD)}      ${fmt(tN)}   ${(tD / tN).toFixed(2)}`);
}
rmSync(dir, { recursive: true, force: true });
