/**
 * @file Dependency-free SVG line/scatter charts — the one plotting module of nsdiff. Linear or log
 * axes (either may be reversed), an optional y window (what lies outside is clipped at the frame),
 * a 10-colour palette (Tableau 10) cycled with dash patterns beyond ten series, the legend outside
 * the data area (a box to the right, or labels at the right end of each line, spread apart so
 * they never overlap), marker labels placed where they do not collide (dropped when no free spot
 * exists), and dashed vertical reference lines. Output is a standalone SVG document; `panels` lays
 * several charts out in one document.
 */
import { InvalidArgumentError } from '../core/errors.js';

/** One series of a chart. */
export interface Series {
  name: string;
  /** [x, y] pairs; non-finite points (and non-positive ones on a log axis) are skipped. */
  points: ReadonlyArray<readonly [number, number]>;
  /** 'line' (default), 'markers', or both. */
  style?: 'line' | 'markers' | 'line+markers';
  color?: string;
  /** Stroke width (default 1.8). */
  width?: number;
  /** Optional label drawn next to each marker (e.g. iteration numbers); colliding labels are dropped. */
  labels?: readonly string[];
  /** Leave the series out of the legend. */
  hideInLegend?: boolean;
  /** SVG dash pattern of the line, e.g. '6,4' (reference slopes); default solid (or the automatic pattern past ten series). */
  dash?: string;
}

/** Options of `lineChart`. */
export interface ChartOptions {
  title?: string;
  /** Axis labels; give the units, e.g. `'λ (target units, log scale)'`. */
  xLabel?: string;
  yLabel?: string;
  xScale?: 'linear' | 'log';
  yScale?: 'linear' | 'log';
  /** Draw the x axis from large to small values (e.g. λ decreasing along a path). */
  xReverse?: boolean;
  /** Visible y window [lo, hi] (data units); parts of lines outside it are clipped. Default: all points. */
  yRange?: readonly [number, number];
  width?: number;
  height?: number;
  /** Vertical reference lines, e.g. the chosen λ. */
  vLines?: ReadonlyArray<{ x: number; label?: string; color?: string }>;
  /** Horizontal reference lines, e.g. y = 0. */
  hLines?: ReadonlyArray<{ y: number; label?: string; color?: string }>;
  /** 'box' (default): legend box right of the data; 'end': each line's name at its last point, right of the frame. */
  legend?: 'box' | 'end' | 'none';
}

/** Tableau 10: ten colours distinguishable in print and by most colour-blind readers. */
export const PALETTE: readonly string[] = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
const DASHES = ['', '6,3', '2,2', '8,3,2,3'];

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Approximate width in pixels of `s` at `size` px in Helvetica (for layout only). */
function textWidth(s: string, size = 12): number {
  return s.length * size * 0.56;
}

/**
 * Tick positions (in axis units: log10 of the value on a log axis) covering [lo, hi]: powers of
 * ten, or 1-2-5 multiples when the log range spans less than two decades; "nice" steps otherwise.
 */
function ticks(lo: number, hi: number, log: boolean): number[] {
  if (log) {
    const out: number[] = [];
    const mults = hi - lo < 0.7 ? [1, 1.5, 2, 3, 4, 5, 6, 7, 8, 9] : hi - lo < 2 ? [1, 2, 5] : [1];
    // many decades (errors down to round-off): one labelled power of ten every `every` decades
    const every = Math.max(1, Math.ceil((hi - lo) / 10));
    for (let e = Math.floor(lo) - 1; e <= Math.ceil(hi); e++) {
      if (e % every !== 0) continue;
      for (const m of mults) {
        const t = e + Math.log10(m);
        if (t >= lo - 1e-9 && t <= hi + 1e-9) out.push(t);
      }
    }
    if (out.length >= 2) return out;
  }
  const span = hi - lo || Math.abs(hi) || 1;
  const raw = span / 5;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => span / s <= 6) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-12 ? 0 : v);
  return out;
}

function formatTick(v: number, log: boolean): string {
  const x = log ? Math.pow(10, v) : v;
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) {
    const s = x.toExponential(log ? 0 : 1);
    return s.replace('e+', 'e');
  }
  return String(+x.toPrecision(log ? 2 : 4));
}

interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}
const overlaps = (a: Box, b: Box) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

/**
 * Spreads label centres `ys` (sorted or not) so neighbours are at least `gap` apart, staying within
 * [lo, hi] when possible; returns the new centres in the input order.
 */
export function spreadLabels(ys: readonly number[], gap: number, lo: number, hi: number): number[] {
  const order = ys.map((y, i) => [y, i] as const).sort((a, b) => a[0] - b[0]);
  const pos = order.map(([y]) => Math.min(Math.max(y, lo), hi));
  for (let k = 1; k < pos.length; k++) pos[k] = Math.max(pos[k]!, pos[k - 1]! + gap);
  const over = pos.length > 0 ? pos[pos.length - 1]! - hi : 0;
  if (over > 0) {
    pos[pos.length - 1] = hi;
    for (let k = pos.length - 2; k >= 0; k--) pos[k] = Math.min(pos[k]!, pos[k + 1]! - gap);
  }
  const out = new Array<number>(ys.length);
  order.forEach(([, i], k) => (out[i] = pos[k]!));
  return out;
}

/**
 * Renders series as an SVG line/scatter chart (see the file header).
 * @example
 * const svg = lineChart([{ name: 'f', points: [[1, 2], [10, 3]] }], { xScale: 'log', xLabel: 'λ', yLabel: 'f (units)' });
 * svg.startsWith('<svg'); // true
 */
export function lineChart(series: readonly Series[], opts: ChartOptions = {}): string {
  const xLog = opts.xScale === 'log';
  const yLog = opts.yScale === 'log';
  const tx = (x: number) => (xLog ? Math.log10(x) : x);
  const ty = (y: number) => (yLog ? Math.log10(y) : y);
  const pts = series.map((s) => s.points.filter(([x, y]) => Number.isFinite(tx(x)) && Number.isFinite(ty(y))));
  const all = pts.flat();
  if (all.length === 0) throw new InvalidArgumentError('lineChart(): no finite points to plot' + (yLog || xLog ? ' (a log axis needs positive values)' : ''));
  const legendMode = opts.legend ?? 'box';
  const legendItems = series.map((s, i) => ({ s, i })).filter(({ s, i }) => !s.hideInLegend && pts[i]!.length > 0);
  const legendW = legendMode === 'none' || legendItems.length === 0 ? 0 : Math.min(260, Math.max(...legendItems.map(({ s }) => textWidth(s.name))) + (legendMode === 'box' ? 40 : 30));
  const W = opts.width ?? 640 + legendW;
  const H = opts.height ?? 440;
  const m = { left: 78, right: 16 + legendW, top: opts.title ? 40 : 16, bottom: 56 };
  let [x0, x1] = [Math.min(...all.map((p) => tx(p[0]))), Math.max(...all.map((p) => tx(p[0])))];
  let [y0, y1] = [Math.min(...all.map((p) => ty(p[1]))), Math.max(...all.map((p) => ty(p[1])))];
  if (opts.yRange) {
    const [a, b] = opts.yRange.map(ty) as [number, number];
    if (!(Number.isFinite(a) && Number.isFinite(b) && a < b)) throw new InvalidArgumentError(`lineChart(): yRange must be an increasing pair of ${yLog ? 'positive ' : ''}numbers, got [${opts.yRange.join(', ')}]`);
    [y0, y1] = [a, b];
  }
  for (const v of opts.vLines ?? []) if (Number.isFinite(tx(v.x))) [x0, x1] = [Math.min(x0, tx(v.x)), Math.max(x1, tx(v.x))];
  if (x1 === x0) [x0, x1] = [x0 - 1, x1 + 1];
  if (y1 === y0) [y0, y1] = [y0 - 1, y1 + 1];
  const padY = 0.05 * (y1 - y0);
  y0 -= padY;
  y1 += padY;
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  const fx = (t: number) => (opts.xReverse ? m.left + ((x1 - t) / (x1 - x0)) * pw : m.left + ((t - x0) / (x1 - x0)) * pw);
  const fy = (t: number) => m.top + ph - ((t - y0) / (y1 - y0)) * ph;
  const sx = (x: number) => fx(tx(x));
  const sy = (y: number) => fy(ty(y));
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<defs><clipPath id="plot-area"><rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}"/></clipPath></defs>`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  if (opts.title) {
    // shrink a long title to the figure's width rather than cut it
    const size = Math.max(9, Math.min(15, (W - 16) / (opts.title.length * 0.6)));
    const cx = textWidth(opts.title, size) < pw ? m.left + pw / 2 : W / 2;
    out.push(`<text x="${cx.toFixed(1)}" y="24" text-anchor="middle" font-size="${size.toFixed(1)}" font-weight="bold">${escapeXml(opts.title)}</text>`);
  }
  // grid and tick labels
  for (const t of ticks(x0, x1, xLog)) {
    const X = fx(t);
    out.push(`<line x1="${X.toFixed(1)}" y1="${m.top}" x2="${X.toFixed(1)}" y2="${m.top + ph}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${X.toFixed(1)}" y="${m.top + ph + 18}" text-anchor="middle">${formatTick(t, xLog)}</text>`);
  }
  for (const t of ticks(y0, y1, yLog)) {
    const Y = fy(t);
    out.push(`<line x1="${m.left}" y1="${Y.toFixed(1)}" x2="${m.left + pw}" y2="${Y.toFixed(1)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${m.left - 6}" y="${(Y + 4).toFixed(1)}" text-anchor="end">${formatTick(t, yLog)}</text>`);
  }
  out.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  if (opts.xLabel) out.push(`<text x="${m.left + pw / 2}" y="${H - 14}" text-anchor="middle">${escapeXml(opts.xLabel)}</text>`);
  if (opts.yLabel) out.push(`<text transform="translate(18 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle">${escapeXml(opts.yLabel)}</text>`);
  const taken: Box[] = [];
  for (const h of opts.hLines ?? []) {
    if (!Number.isFinite(ty(h.y)) || ty(h.y) < y0 || ty(h.y) > y1) continue;
    const Y = sy(h.y);
    const c = h.color ?? '#888';
    out.push(`<line x1="${m.left}" y1="${Y.toFixed(1)}" x2="${m.left + pw}" y2="${Y.toFixed(1)}" stroke="${c}" stroke-dasharray="3,3"/>`);
    if (h.label) {
      const LY = Y - m.top < 16 ? Y + 13 : Y - 4; // below the line when it runs along the top of the frame
      out.push(`<text x="${m.left + 4}" y="${LY.toFixed(1)}" fill="${c}" font-size="11">${escapeXml(h.label)}</text>`);
      taken.push({ x0: m.left + 4, y0: LY - 10, x1: m.left + 4 + textWidth(h.label, 11), y1: LY + 2 });
    }
  }
  for (const [r, v] of (opts.vLines ?? []).entries()) {
    if (!Number.isFinite(tx(v.x))) continue;
    const LT = m.top + 3 + 16 * r; // one row per line, so two labels never overlap
    const X = sx(v.x);
    const c = v.color ?? '#888';
    out.push(`<line x1="${X.toFixed(1)}" y1="${m.top}" x2="${X.toFixed(1)}" y2="${m.top + ph}" stroke="${c}" stroke-width="1.5" stroke-dasharray="6,4"/>`);
    if (v.label) {
      // on the side of the line with more room, on a white backing so grid lines do not cross it
      const w = textWidth(v.label, 11);
      const right = X + 4 + w < m.left + pw;
      const LX = right ? X + 4 : X - 4 - w;
      out.push(`<rect x="${LX.toFixed(1)}" y="${LT}" width="${w.toFixed(1)}" height="14" fill="white" fill-opacity="0.85"/>`);
      out.push(`<text x="${LX.toFixed(1)}" y="${LT + 11}" fill="${c}" font-size="11">${escapeXml(v.label)}</text>`);
      taken.push({ x0: LX, y0: LT, x1: LX + w, y1: LT + 14 });
    }
  }
  // series (clipped to the data area)
  // automatic colours go to the series without an explicit one, in order: the k-th gets PALETTE[k mod 10]
  // and, past ten, a dash pattern too
  const autoIndex: number[] = [];
  series.reduce((k, s, i) => ((autoIndex[i] = k), s.color ? k : k + 1), 0);
  const colorOf = (s: Series, i: number) => s.color ?? PALETTE[autoIndex[i]! % PALETTE.length]!;
  const dashOf = (s: Series, i: number) => s.dash ?? (s.color ? '' : DASHES[Math.floor(autoIndex[i]! / PALETTE.length) % DASHES.length]!);
  const markerPos: Box[] = [];
  out.push('<g clip-path="url(#plot-area)">');
  series.forEach((s, i) => {
    const c = colorOf(s, i);
    const p = pts[i]!;
    const style = s.style ?? 'line';
    if (style !== 'markers' && p.length > 1) {
      const d = simplifyPolyline(p.map(([x, y]) => [sx(x), sy(y)] as [number, number]), 0.2)
        .map(([x, y], k) => `${k === 0 ? 'M' : 'L'}${x.toFixed(2)},${y.toFixed(2)}`)
        .join('');
      const dash = dashOf(s, i);
      out.push(`<path d="${d}" fill="none" stroke="${c}" stroke-width="${s.width ?? 1.8}"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`);
    }
    if (style !== 'line') {
      for (const [x, y] of p) {
        out.push(`<circle cx="${sx(x).toFixed(2)}" cy="${sy(y).toFixed(2)}" r="3.5" fill="${c}" stroke="white" stroke-width="0.8"/>`);
        markerPos.push({ x0: sx(x) - 3.5, y0: sy(y) - 3.5, x1: sx(x) + 3.5, y1: sy(y) + 3.5 });
      }
    }
  });
  out.push('</g>');
  // marker labels: first free spot among eight around the marker, else dropped
  series.forEach((s, i) => {
    if (!s.labels || (s.style ?? 'line') === 'line') return;
    const c = colorOf(s, i);
    pts[i]!.forEach(([x, y], k) => {
      const label = s.labels![k];
      if (!label) return;
      const X = sx(x);
      const Y = sy(y);
      const w = textWidth(label, 10);
      const h = 10;
      const spots: [number, number][] = [[5, -5], [5, 12], [-5 - w, -5], [-5 - w, 12], [-w / 2, -8], [-w / 2, 17], [7, 4], [-7 - w, 4]];
      for (const [dx, dy] of spots) {
        const b = { x0: X + dx, y0: Y + dy - h + 1, x1: X + dx + w, y1: Y + dy + 1 };
        if (b.x0 < m.left || b.x1 > m.left + pw || b.y0 < m.top || b.y1 > m.top + ph) continue;
        if (taken.some((t) => overlaps(t, b)) || markerPos.some((t) => overlaps(t, b))) continue;
        taken.push(b);
        out.push(`<text x="${b.x0.toFixed(1)}" y="${(Y + dy).toFixed(1)}" font-size="10" fill="${c}">${escapeXml(label)}</text>`);
        break;
      }
    });
  });
  // legend, outside the data area
  if (legendMode === 'box' && legendItems.length > 0) {
    const X = m.left + pw + 12;
    out.push(`<rect x="${X}" y="${m.top}" width="${legendW - 16}" height="${legendItems.length * 18 + 8}" fill="white" stroke="#ccc"/>`);
    legendItems.forEach(({ s, i }, r) => {
      const Y = m.top + 16 + r * 18;
      const c = colorOf(s, i);
      const dash = dashOf(s, i);
      if ((s.style ?? 'line') !== 'markers') out.push(`<line x1="${X + 6}" y1="${Y - 4}" x2="${X + 26}" y2="${Y - 4}" stroke="${c}" stroke-width="2.5"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`);
      if ((s.style ?? 'line') !== 'line') out.push(`<circle cx="${X + 16}" cy="${Y - 4}" r="3.5" fill="${c}"/>`);
      out.push(`<text x="${X + 32}" y="${Y}">${escapeXml(s.name)}</text>`);
    });
  } else if (legendMode === 'end' && legendItems.length > 0) {
    const ends = legendItems.map(({ i }) => {
      const p = pts[i]!;
      // the point drawn furthest right
      let best = p[0]!;
      for (const q of p) if (sx(q[0]) > sx(best[0])) best = q;
      return Math.min(Math.max(sy(best[1]), m.top), m.top + ph);
    });
    const placed = spreadLabels(ends, 13, m.top + 6, m.top + ph - 2);
    legendItems.forEach(({ s, i }, r) => {
      const c = colorOf(s, i);
      const X = m.left + pw;
      out.push(`<path d="M${X + 1},${ends[r]!.toFixed(1)}L${X + 10},${placed[r]!.toFixed(1)}" stroke="${c}" fill="none"/>`);
      out.push(`<text x="${X + 13}" y="${(placed[r]! + 4).toFixed(1)}" fill="#222">${escapeXml(s.name)}</text>`);
    });
  }
  out.push('</svg>');
  return out.join('\n');
}

/**
 * Lays out standalone charts (outputs of `lineChart` and the figures built on it) as panels of one
 * SVG document, row by row, `columns` per row. Each panel keeps its own axes, legend and clip
 * region (the clip ids are renamed per panel so they cannot collide); `title` adds a centred
 * heading above them.
 * @example
 * const a = lineChart([{ name: 'f', points: [[0, 1], [1, 2]] }]);
 * const both = panels([a, a], { columns: 2 }); // one SVG, two panels side by side
 */
export function panels(charts: readonly string[], opts: { columns?: number; title?: string } = {}): string {
  if (charts.length === 0) throw new InvalidArgumentError('panels(): no chart given');
  const columns = opts.columns ?? charts.length;
  if (!Number.isInteger(columns) || columns < 1) throw new InvalidArgumentError(`panels(): columns must be a positive integer, got ${String(columns)}`);
  const sizes = charts.map((c, i) => {
    const m = /^<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/.exec(c);
    if (!m) throw new InvalidArgumentError(`panels(): chart ${i} is not a standalone SVG document with width and height`);
    return [Number(m[1]), Number(m[2])] as const;
  });
  const rows = Math.ceil(charts.length / columns);
  const colW = Array.from({ length: columns }, (_, c) => Math.max(0, ...sizes.filter((_, i) => i % columns === c).map((s) => s[0])));
  const rowH = Array.from({ length: rows }, (_, r) => Math.max(0, ...sizes.slice(r * columns, (r + 1) * columns).map((s) => s[1])));
  const W = colW.reduce((a, b) => a + b, 0);
  const top = opts.title ? 28 : 0;
  const H = rowH.reduce((a, b) => a + b, 0) + top;
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">`, `<rect width="${W}" height="${H}" fill="white"/>`];
  if (opts.title) out.push(`<text x="${W / 2}" y="19" text-anchor="middle" font-family="Helvetica, Arial, sans-serif" font-size="15">${escapeXml(opts.title)}</text>`);
  charts.forEach((c, i) => {
    const col = i % columns, row = Math.floor(i / columns);
    const x = colW.slice(0, col).reduce((a, b) => a + b, 0);
    const y = top + rowH.slice(0, row).reduce((a, b) => a + b, 0);
    out.push(c.replace(/^<svg /, `<svg x="${x}" y="${y}" `).replace(/plot-area/g, `plot-area-${i}`));
  });
  out.push('</svg>');
  return out.join('\n');
}

/**
 * Ramer–Douglas–Peucker simplification of a polyline in pixel coordinates: keeps the first and last
 * points and every point farther than `eps` pixels from the chord of the span it sits in, so the
 * drawn line moves by at most `eps` px while series of thousands of points shrink to what the
 * figure can show. Iterative (an explicit stack), O(n log n) typical.
 *
 * @example
 * simplifyPolyline([[0, 0], [1, 0.01], [2, 0]], 0.2); // [[0, 0], [2, 0]]
 */
export function simplifyPolyline(p: readonly (readonly [number, number])[], eps: number): [number, number][] {
  const n = p.length;
  if (n <= 2) return p.map(([x, y]) => [x, y]);
  const keep = new Uint8Array(n);
  keep[0] = 1;
  keep[n - 1] = 1;
  const stack: [number, number][] = [[0, n - 1]];
  while (stack.length > 0) {
    const [a, b] = stack.pop()!;
    const [ax, ay] = p[a]!;
    const [bx, by] = p[b]!;
    const dx = bx - ax;
    const dy = by - ay;
    const len = Math.hypot(dx, dy);
    let worst = -1;
    let at = -1;
    for (let i = a + 1; i < b; i++) {
      const [x, y] = p[i]!;
      // distance to the chord (to the point a when the chord is degenerate); NaN points are always kept
      const dist = len > 0 ? Math.abs(dy * (x - ax) - dx * (y - ay)) / len : Math.hypot(x - ax, y - ay);
      const d = Number.isFinite(dist) ? dist : Infinity;
      if (d > worst) {
        worst = d;
        at = i;
      }
    }
    if (at >= 0 && worst > eps) {
      keep[at] = 1;
      stack.push([a, at], [at, b]);
    }
  }
  const out: [number, number][] = [];
  for (let i = 0; i < n; i++) if (keep[i]) out.push([p[i]![0], p[i]![1]]);
  return out;
}
