/**
 * @file The seeds' experiments (src/experiments/) at their --quick sizes: every documented expected
 * outcome holds (all checks pass), figures are standalone SVG documents, the numbers are
 * JSON-serialisable; the experiment modules stay browser-safe (no `node:` imports); the CLI
 * `nsdiff experiment list | run` writes its files and reports unknown / pending names; the rate and
 * phase figures and the slope fit behave; the optlayers examples share the qp-layer experiment's
 * computation; the degenerate QP point's selections are the documented ones.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDataset } from '../src/data/datasets.js';
import { EXPERIMENTS, getExperiment, PENDING_EXPERIMENTS } from '../src/experiments/index.js';
import { fitLine } from '../src/experiments/common.js';
import * as qpLayer from '../src/experiments/qp_layer.js';
import { phaseChart, rateChart } from '../src/plot/figures.js';
import { panels } from '../src/plot/svg.js';
import { runExperiment, runExperimentList, svgToPng } from '../src/cli/experiment.js';
import { InvalidArgumentError } from '../src/core/errors.js';

for (const exp of EXPERIMENTS) {
  test(`experiment ${exp.name} (--quick): the expected outcome holds`, () => {
    const r = exp.run({ seed: 0, quick: true, loadDataset });
    assert.equal(r.name, exp.name);
    assert.ok(r.checks.length >= 3, `${exp.name}: only ${r.checks.length} checks`);
    for (const c of r.checks) assert.ok(c.ok, `${exp.name}: ${c.what} — got ${String(c.value)}`);
    const figs = Object.entries(r.figures);
    assert.ok(figs.length >= 1);
    for (const [name, svg] of figs) {
      assert.ok(name.startsWith(exp.name.split('-')[0]!), `figure ${name} is named after its experiment`);
      assert.ok(svg.startsWith('<svg') && svg.trimEnd().endsWith('</svg>'), `${name} is an SVG document`);
      assert.ok(!/NaN|undefined/.test(svg), `${name} has no NaN/undefined coordinates`);
    }
    assert.doesNotThrow(() => JSON.stringify(r.data));
    assert.ok(r.summary.split('\n').length >= 2);
  });
}

test('experiment modules are browser-safe: no node: imports under src/experiments/', () => {
  const dir = join(import.meta.dirname, '../src/experiments');
  for (const f of readdirSync(dir)) {
    const src = readFileSync(join(dir, f), 'utf8');
    assert.ok(!/from '(node:|fs|path)/.test(src), `${f} imports a Node module`);
    assert.ok(!/from '\.\.\/(cli|index)/.test(src), `${f} imports an entry point`);
  }
});

test('registry: names unique, getExperiment errors name the available and the pending ones', () => {
  const names = EXPERIMENTS.map((e) => e.name);
  assert.equal(new Set(names).size, names.length);
  for (const e of EXPERIMENTS) assert.ok(e.expected.length > 40 && e.title.length > 10, e.name);
  assert.throws(() => getExperiment('cycle'), (e: unknown) => e instanceof InvalidArgumentError && /unknown experiment 'cycle'; available: cycles/.test(e.message));
  for (const p of PENDING_EXPERIMENTS) {
    assert.throws(() => getExperiment(p.name), (e: unknown) => e instanceof InvalidArgumentError && /not available yet/.test(e.message));
  }
});

test('CLI: experiment list (text and JSON) and run writes SVG, JSON and summary atomically', () => {
  const out: string[] = [];
  const io = { out: (s: string) => void out.push(s), err: (s: string) => void out.push(s) };
  runExperimentList({ json: true }, io);
  const listed = JSON.parse(out.join('\n')) as Array<{ name: string; available: boolean }>;
  assert.deepEqual(listed.filter((l) => l.available).map((l) => l.name), EXPERIMENTS.map((e) => e.name));
  assert.deepEqual(listed.filter((l) => !l.available).map((l) => l.name), PENDING_EXPERIMENTS.map((p) => p.name));
  for (const name of ['deq-training', 'qp-layer']) assert.ok(listed.some((l) => l.name === name && l.available), `${name} is runnable`);
  const dir = mkdtempSync(join(tmpdir(), 'nsdiff-exp-'));
  try {
    out.length = 0;
    runExperiment('clarke-implicit', { out: dir, json: true, seed: '3' }, io);
    const rec = JSON.parse(out.join('\n')) as { ok: boolean; seed: number; files: string[]; checks: unknown[] };
    assert.equal(rec.ok, true);
    assert.equal(rec.seed, 3);
    assert.deepEqual(readdirSync(dir).sort(), ['clarke-implicit.json', 'clarke-implicit.svg', 'clarke-implicit.txt']);
    const saved = JSON.parse(readFileSync(join(dir, 'clarke-implicit.json'), 'utf8')) as { checks: unknown[] };
    assert.equal(saved.checks.length, rec.checks.length);
    assert.throws(() => runExperiment('clarke-implicit', { out: dir, seed: '-1' }, io), /--seed must be an integer/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('fitLine recovers slopes; rateChart draws dashed theory slopes on log axes; phaseChart marks starts', () => {
  const f = fitLine([0, 1, 2, 3], [1, 3, 5, 7]);
  assert.ok(Math.abs(f.slope - 2) < 1e-12 && Math.abs(f.intercept - 1) < 1e-12);
  assert.throws(() => fitLine([1, 1], [1, 2]), InvalidArgumentError);
  const pts = Array.from({ length: 20 }, (_, t) => [t + 1, Math.pow(0.8, t + 1)] as const);
  const svg = rateChart({ kind: 'exp', title: 'r', xLabel: 't', yLabel: 'err', series: [{ name: 'm', points: pts }], references: [{ name: 'q^t', x0: 1, y0: 0.8, slope: Math.log(0.8), from: 1, to: 20 }] });
  assert.ok(svg.includes('stroke-dasharray="6,4"') && svg.includes('q^t'));
  const pw = rateChart({ kind: 'power', title: 'r', xLabel: 'K', yLabel: 'mse', series: [{ name: 'm', points: [[10, 1], [100, 0.1]] }] });
  assert.ok(pw.startsWith('<svg'));
  const ph = phaseChart({ title: 'p', xLabel: 'x', yLabel: 'y', paths: [{ name: 'a', points: [[0, 0], [1, 1]] }] });
  assert.equal((ph.match(/<circle/g) ?? []).length, 1, 'one start marker');
  assert.throws(() => rateChart({ kind: 'exp', title: '', xLabel: '', yLabel: '', series: [] }), InvalidArgumentError);
});

const hasRsvg = !spawnSync('rsvg-convert', ['--version']).error;

test('--png: SVG figures render to PNG (rsvg-convert)', { skip: hasRsvg ? false : 'rsvg-convert is not installed' }, () => {
  const png = svgToPng(phaseChart({ title: 'p', xLabel: 'x', yLabel: 'y', paths: [{ name: 'a', points: [[0, 0], [1, 1]] }] }), 'p.svg');
  assert.deepEqual(Array.from(png.subarray(0, 4)), [0x89, 0x50, 0x4e, 0x47]); // the PNG signature
});

test('panels: charts side by side in one SVG, clip ids renamed per panel', () => {
  const a = phaseChart({ title: 'p', xLabel: 'x', yLabel: 'y', paths: [{ name: 'a', points: [[0, 0], [1, 1]] }], width: 300, height: 200 });
  const b = rateChart({ kind: 'exp', title: 'r', xLabel: 't', yLabel: 'e', series: [{ name: 'm', points: [[1, 1], [2, 0.1]] }] });
  const both = panels([a, b, a], { columns: 2 });
  assert.ok(both.includes('id="plot-area-0"') && both.includes('id="plot-area-1"') && both.includes('url(#plot-area-2)'));
  assert.ok(!/id="plot-area"/.test(both));
  assert.match(both, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="[\d.]+" height="640"/); // 200 + 440
  assert.throws(() => panels([]), InvalidArgumentError);
  assert.throws(() => panels(['<g/>']), /not a standalone SVG/);
});

test('the optlayers examples run the qp-layer experiment\'s computation (one copy)', async () => {
  const qp = await import('../src/experiments/qp_layer.js');
  const denoise = await import('../examples/optlayers-qp-denoise.js');
  const digits = await import('../examples/optlayers-sparsemax-digits.js');
  assert.equal(denoise.trainDenoiser, qp.trainDenoiser);
  assert.equal(denoise.qpDenoise, qp.qpDenoise);
  assert.equal(digits.trainDigits, qp.trainDigits);
  assert.equal(digits.sparsemaxLoss, qp.sparsemaxLoss);
});

test('qp-layer: the degenerate point\'s selections are the documented elements (data record)', () => {
  const d = getExperiment('qp-layer');
  assert.ok(/minNorm and left/.test(d.expected));
  const { degeneratePoint } = qpLayer;
  const r = degeneratePoint();
  assert.equal(r.kinks, 1);
  const byPolicy = Object.fromEntries(r.selections.map((s) => [s.policy, s.gradient]));
  assert.deepEqual(byPolicy['minNorm']!.map((v) => Math.round(v * 1e6) / 1e6 + 0), [0, -3]);
  assert.deepEqual(byPolicy['right']!.map((v) => Math.round(v * 1e6) / 1e6 + 0), [-1, -3]);
  assert.deepEqual(byPolicy['fixed t = 0.25']!.map((v) => Math.round(v * 1e6) / 1e6 + 0), [-0.25, -3]);
});
