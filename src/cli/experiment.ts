/**
 * @file `nsdiff experiment list | run NAME`: the seeds' experiments (src/experiments/) from the
 * command line. `run` computes the experiment, prints its summary and checks (or, with `--json`,
 * everything as JSON), then writes atomically into `--out DIR` (default `nsdiff-experiments`): one
 * SVG per figure, `NAME.json` (the numbers and checks) and `NAME.txt` (the summary), plus PNGs with
 * `--png` (rendered by librsvg's `rsvg-convert` when on the PATH, else by the optional npm package
 * `@resvg/resvg-js`, imported lazily). A failed check of the expected outcome is an error (exit 1)
 * after the files are written, so the evidence stays on disk.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { NsdiffError } from '../core/errors.js';
import { loadDataset } from '../data/datasets.js';
import { EXPERIMENTS, getExperiment, PENDING_EXPERIMENTS, type ExperimentResult } from '../experiments/index.js';
import { intIn } from './options.js';
import { writeFileAtomic, OutputError } from './output.js';
import type { CliIO } from './lasso.js';

/** An experiment ran but its expected outcome did not hold. */
export class ExperimentCheckError extends NsdiffError {
  override name = 'ExperimentCheckError';
}

/** Options of `nsdiff experiment run` (raw strings from the command line). */
export interface ExperimentRunOptions {
  out?: string;
  json?: boolean;
  png?: boolean;
  seed?: string;
  quick?: boolean;
}

const defaultIO = (): CliIO => ({ out: (s) => console.log(s), err: (s) => void process.stderr.write(s + '\n') });

/**
 * `nsdiff experiment list`: names, titles and expected outcomes (JSON with `json`).
 * @example
 * runExperimentList({ json: true }); // prints [{ name: 'cycles', … }, …]
 */
export function runExperimentList(opts: { json?: boolean } = {}, io: CliIO = defaultIO()): void {
  if (opts.json) {
    io.out(JSON.stringify([...EXPERIMENTS.map((e) => ({ name: e.name, title: e.title, expected: e.expected, available: true })), ...PENDING_EXPERIMENTS.map((p) => ({ name: p.name, note: p.note, available: false }))], null, 2));
    return;
  }
  for (const e of EXPERIMENTS) io.out(`${e.name.padEnd(28)}${e.title}\n${' '.repeat(28)}expected: ${e.expected}\n`);
  for (const p of PENDING_EXPERIMENTS) io.out(`${p.name.padEnd(28)}(${p.note})`);
}

/**
 * SVG → PNG bytes: `rsvg-convert` if installed, else `@resvg/resvg-js` (optional dependency).
 * Throws `OutputError` when neither is available.
 * @example
 * const png = svgToPng(lineChart([{ name: 'f', points: [[0, 1], [1, 2]] }]), 'f.svg');
 */
export function svgToPng(svg: string, what: string): Uint8Array {
  const r = spawnSync('rsvg-convert', ['-f', 'png', '-b', 'white'], { input: svg, maxBuffer: 1 << 28 });
  if (!r.error && r.status === 0) return new Uint8Array(r.stdout);
  try {
    // lazy, synchronous load of the optional native package (CommonJS), only when --png needs it
    const mod = createRequire(import.meta.url)('@resvg/resvg-js') as { Resvg: new (s: string, o?: unknown) => { render(): { asPng(): Uint8Array } } };
    return new Uint8Array(new mod.Resvg(svg, { background: 'white' }).render().asPng());
  } catch {
    throw new OutputError(`cannot render ${what} as PNG: neither rsvg-convert (librsvg) nor the npm package @resvg/resvg-js is available; install one, or omit --png`);
  }
}

/**
 * `nsdiff experiment run NAME`: runs, prints, writes the files, and throws
 * `ExperimentCheckError` when a check of the expected outcome failed.
 * @example
 * runExperiment('cycles', { out: 'out', quick: true });
 */
export function runExperiment(name: string, opts: ExperimentRunOptions, io: CliIO = defaultIO()): ExperimentResult {
  const exp = getExperiment(name);
  const seed = intIn(opts.seed, '--seed', 0, 2 ** 31 - 1) ?? 0;
  const dir = opts.out ?? 'nsdiff-experiments';
  if (dir.trim() === '') throw new OutputError('--out needs a directory name');
  const t0 = performance.now();
  const result = exp.run({ seed, quick: opts.quick ?? false, loadDataset });
  const ms = Math.round(performance.now() - t0);
  const files: string[] = [];
  const stem = (f: string) => join(dir, f);
  for (const fig of Object.keys(result.figures)) files.push(stem(`${fig}.svg`));
  if (opts.png) for (const fig of Object.keys(result.figures)) files.push(stem(`${fig}.png`));
  files.push(stem(`${exp.name}.json`), stem(`${exp.name}.txt`));
  const failed = result.checks.filter((c) => !c.ok);
  const record = { name: exp.name, title: exp.title, expected: exp.expected, seed, quick: opts.quick ?? false, timeMs: ms, ok: failed.length === 0, summary: result.summary, checks: result.checks, data: result.data };
  if (opts.json) io.out(JSON.stringify({ ...record, files }, null, 2));
  else {
    io.out(`nsdiff experiment ${exp.name} — ${exp.title}${opts.quick ? ' (--quick sizes)' : ''}; seed ${seed}; ${ms} ms`);
    io.out(result.summary);
    io.out(`expected: ${exp.expected}`);
    for (const c of result.checks) io.out(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.what} (${typeof c.value === 'number' ? +c.value.toPrecision(6) : String(c.value)})`);
  }
  for (const [fig, svg] of Object.entries(result.figures)) writeFileAtomic(stem(`${fig}.svg`), svg, 'figure');
  if (opts.png) for (const [fig, svg] of Object.entries(result.figures)) writeFileAtomic(stem(`${fig}.png`), svgToPng(svg, `${fig}.svg`), 'figure');
  writeFileAtomic(stem(`${exp.name}.json`), JSON.stringify(record, null, 1) + '\n', 'numbers');
  writeFileAtomic(stem(`${exp.name}.txt`), `${exp.title}\n\n${result.summary}\n\nexpected: ${exp.expected}\n` + result.checks.map((c) => `${c.ok ? 'ok  ' : 'FAIL'} ${c.what}`).join('\n') + '\n', 'summary');
  if (!opts.json) io.err(`wrote ${files.length} files to ${dir}/`);
  if (failed.length > 0) {
    throw new ExperimentCheckError(`experiment ${exp.name}: ${failed.length} check(s) of the expected outcome failed: ${failed.map((c) => `${c.what} (got ${String(c.value)})`).join('; ')}`);
  }
  return result;
}
