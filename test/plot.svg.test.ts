/**
 * @file The plotting module: palette, legend placement outside the data area, marker labels that
 * never overlap, end-of-line labels spread apart, log axes, the y window of validation curves, the
 * coefficient path with the selected λ, and errors for nothing to plot.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lineChart, PALETTE, simplifyPolyline, spreadLabels } from '../src/plot/svg.js';
import { coefficientPathChart, interestingRange, validationCurveChart } from '../src/plot/figures.js';
import { InvalidArgumentError } from '../src/core/errors.js';

/** The plot area's frame (the rect with a stroke and no fill). */
function frame(svg: string): { x: number; y: number; w: number; h: number } {
  const m = /<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" fill="none" stroke="#333"\/>/.exec(svg)!;
  return { x: +m[1]!, y: +m[2]!, w: +m[3]!, h: +m[4]! };
}

test('palette: at least 10 distinct colours, used in order; dashes tell series 11+ apart', () => {
  assert.ok(new Set(PALETTE).size >= 10);
  const series = Array.from({ length: 12 }, (_, i) => ({ name: `s${i}`, points: [[1, i], [2, i + 1]] as [number, number][] }));
  const svg = lineChart(series);
  const strokes = [...svg.matchAll(/<path d="[^"]+" fill="none" stroke="(#[0-9a-f]{6})"[^>]*?( stroke-dasharray="[^"]+")?\/>/g)];
  assert.equal(strokes.length, 12);
  assert.deepEqual(strokes.slice(0, 10).map((m) => m[1]), PALETTE.slice(0, 10));
  assert.ok(strokes.slice(0, 10).every((m) => m[2] === undefined) && strokes[10]![2] !== undefined);
});

test('the legend box lies right of the data area, never on it', () => {
  const svg = lineChart([{ name: 'a fairly long series name', points: [[1, 1], [2, 2]] }, { name: 'b', points: [[1, 2], [2, 1]] }]);
  const f = frame(svg);
  const legend = /<rect x="([\d.]+)" y="[\d.]+" width="[\d.]+" height="[\d.]+" fill="white" stroke="#ccc"\/>/.exec(svg)!;
  assert.ok(+legend[1]! >= f.x + f.w, `legend at x=${legend[1]} inside the frame ending at ${f.x + f.w}`);
  const width = +/width="(\d+)"/.exec(svg)![1]!;
  for (const m of svg.matchAll(/<text x="([\d.]+)" y="[\d.]+">(a fairly long series name|b)<\/text>/g)) assert.ok(+m[1]! + 0.56 * 12 * m[2]!.length <= width);
});

test('marker labels never overlap each other (crowded points: some are dropped instead)', () => {
  const pts = Array.from({ length: 30 }, (_, i) => [1 + i * 0.01, 1 + (i % 3) * 0.01] as [number, number]);
  const svg = lineChart([{ name: 'path', points: pts, style: 'line+markers', labels: pts.map((_, i) => String(i + 1)) }, { name: 'far', points: [[5, 3]] }]);
  const boxes = [...svg.matchAll(/<text x="([\d.-]+)" y="([\d.-]+)" font-size="10"[^>]*>(\d+)<\/text>/g)].map((m) => ({ x0: +m[1]!, x1: +m[1]! + 5.6 * m[3]!.length, y0: +m[2]! - 9, y1: +m[2]! + 1 }));
  assert.ok(boxes.length >= 3 && boxes.length < 30, `${boxes.length} labels drawn`);
  for (let a = 0; a < boxes.length; a++) {
    for (let b = a + 1; b < boxes.length; b++) {
      const A = boxes[a]!;
      const B = boxes[b]!;
      assert.ok(!(A.x0 < B.x1 && B.x0 < A.x1 && A.y0 < B.y1 && B.y0 < A.y1), `labels ${a} and ${b} overlap`);
    }
  }
});

test('spreadLabels: neighbours at least the gap apart, order kept, inside the band when it fits', () => {
  const ys = [100, 101, 102, 300, 99.5, 400];
  const out = spreadLabels(ys, 13, 50, 420);
  const sorted = [...out].sort((a, b) => a - b);
  for (let k = 1; k < sorted.length; k++) assert.ok(sorted[k]! - sorted[k - 1]! >= 13 - 1e-9);
  assert.ok(out.every((y) => y >= 50 && y <= 420));
  assert.ok(out[4]! < out[0]! && out[0]! < out[1]! && out[1]! < out[2]!, 'order of the inputs is kept');
  assert.equal(out[3], 300, 'an isolated label stays at its line end');
});

test('log axes: 1-2-5 ticks within two decades, powers of ten beyond; non-positive values skipped on a log axis', () => {
  const narrow = lineChart([{ name: 'f', points: [[1, 3000], [10, 3100], [30, 6000]] }], { xScale: 'log', yScale: 'log' });
  assert.match(narrow, />5000</);
  const wide = lineChart([{ name: 'f', points: [[1e-4, 1], [10, 2]] }], { xScale: 'log' });
  for (const t of ['1e-4', '0.001', '0.01', '0.1', '1', '10']) assert.match(wide, new RegExp(`>${t.replace('.', '\\.')}<`));
  assert.throws(() => lineChart([{ name: 'f', points: [[0, 1], [-1, 2]] }], { xScale: 'log' }), (e: Error) => e instanceof InvalidArgumentError && /log axis needs positive values/.test(e.message));
});

test('validation curve: zoomed on the minimum (linear y), whole range on log y; the selected λ and the steps are drawn', () => {
  assert.deepEqual(interestingRange([3000, 3050, 6000], 6000, false), [3000, 3000 + 0.3 * 3000]);
  assert.equal(interestingRange([3000, 3050, 6000], 6000, true), undefined);
  assert.equal(interestingRange([1, 1.1], undefined, false), undefined, 'no zoom when everything fits');
  const curve = Array.from({ length: 20 }, (_, k) => {
    const l = Math.pow(10, -2 + k * 0.2);
    return [l, 3000 + 100 * (Math.log10(l) - 0.3) ** 2 + (l > 10 ? 3000 : 0)] as [number, number];
  });
  const v = { curve, search: [{ lambda: 10, value: 3500, gradient: false }, { lambda: 3, value: 3010, gradient: true }, { lambda: 2, value: 3000, gradient: true }], selected: 2, nullValue: 6000, criterionLabel: 'CV MSE (target units²)' };
  const lin = validationCurveChart(v);
  assert.match(lin, /selected λ = 2\.00/);
  assert.match(lin, /zoom on the minimum/);
  assert.match(lin, /clip-path="url\(#plot-area\)"/);
  assert.match(lin, /CV MSE \(target units²\)/);
  const log = validationCurveChart({ ...v, logY: true });
  assert.doesNotMatch(log, /zoom/);
  assert.match(log, /log scale/);
});

test('coefficient path: λ decreasing to the right, names at line ends, others grey, selected λ marked', () => {
  const lambdas = [10, 3, 1, 0.3, 0.1];
  const coefs = lambdas.map((l) => [Math.max(0, 5 - l), -Math.max(0, 2 - l), 0, l < 0.5 ? 0.01 : 0]);
  const svg = coefficientPathChart({ lambdas, coefs, featureNames: ['big', 'neg', 'never', 'tiny'], selected: 1, maxNamed: 2, coefLabel: 'coefficient (per sd)' });
  assert.match(svg, />big</);
  assert.match(svg, />neg</);
  assert.doesNotMatch(svg, />never</, 'a feature never non-zero is left out');
  assert.match(svg, />1 other feature\(s\)</);
  assert.match(svg, /selected λ = 1\.00/);
  const f = frame(svg);
  const bigLabel = /<text x="([\d.]+)" y="[\d.]+" fill="#222">big<\/text>/.exec(svg)!;
  assert.ok(+bigLabel[1]! > f.x + f.w, 'end labels outside the data area');
  // reversed axis: the tick of the largest λ (10) is left of the tick of the smallest (0.1)
  const x10 = +/<text x="([\d.]+)" y="[\d.]+" text-anchor="middle">10<\/text>/.exec(svg)![1]!;
  const x01 = +/<text x="([\d.]+)" y="[\d.]+" text-anchor="middle">0\.1<\/text>/.exec(svg)![1]!;
  assert.ok(x10 < x01);
  assert.throws(() => coefficientPathChart({ lambdas: [1, 2], coefs: [[1]], featureNames: ['a'] }), InvalidArgumentError);
});

test('text is escaped and a long title shrinks to fit', () => {
  const svg = lineChart([{ name: 'a<b & "c"', points: [[1, 1], [2, 2]] }], { title: 'T'.repeat(200) });
  assert.match(svg, /a&lt;b &amp; &quot;c&quot;/);
  const size = +/font-size="([\d.]+)" font-weight="bold"/.exec(svg)![1]!;
  assert.ok(size < 15 && size >= 9);
});

test('simplifyPolyline: every dropped point lies within eps of the drawn line; long noisy series shrink; ends and corners kept', () => {
  const pts: [number, number][] = [];
  let s = 1;
  for (let i = 0; i < 5000; i++) {
    s = (s * 16807) % 2147483647;
    pts.push([i * 0.1, 100 + 0.05 * ((s / 2147483647) - 0.5) + (i > 2500 ? 40 : 0)]);
  }
  const out = simplifyPolyline(pts, 0.2);
  assert.ok(out.length < 50, `kept ${out.length} of 5000`);
  assert.deepEqual(out[0], pts[0]);
  assert.deepEqual(out[out.length - 1], pts[pts.length - 1]);
  // each original point is within eps of the kept polyline segment spanning its x
  let k = 0;
  for (const [x, y] of pts) {
    while (k + 1 < out.length - 1 && out[k + 1]![0] <= x) k++;
    const [ax, ay] = out[k]!;
    const [bx, by] = out[k + 1]!;
    const d = Math.abs((by - ay) * (x - ax) - (bx - ax) * (y - ay)) / Math.hypot(bx - ax, by - ay);
    assert.ok(d <= 0.2 + 1e-9, `point (${x}, ${y}) is ${d} px off`);
  }
  assert.deepEqual(simplifyPolyline([[0, 0], [1, 0.01], [2, 0]], 0.2), [[0, 0], [2, 0]]);
  assert.deepEqual(simplifyPolyline([[0, 0], [1, 5], [2, 0]], 0.2), [[0, 0], [1, 5], [2, 0]]);
});
