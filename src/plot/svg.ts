/**
 * @file Dependency-free SVG charts (line and scatter series, linear or log axes, legend) for the
 * CLI's validation curves and the examples' trajectories. Output is a standalone SVG document.
 */
import { InvalidArgumentError } from '../core/errors.js';

export interface Series {
  name: string;
  /** [x, y] pairs; non-finite points are skipped. */
  points: ReadonlyArray<readonly [number, number]>;
  /** 'line' (default), 'markers', or both. */
  style?: 'line' | 'markers' | 'line+markers';
  color?: string;
  /** Optional label drawn next to each marker (e.g. iteration numbers). */
  labels?: readonly string[];
}

export interface ChartOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  xScale?: 'linear' | 'log';
  yScale?: 'linear' | 'log';
  width?: number;
  height?: number;
  /** Vertical reference lines, e.g. the chosen λ. */
  vLines?: ReadonlyArray<{ x: number; label?: string; color?: string }>;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** "Nice" tick values covering [lo, hi] (linear) or powers of ten (log, values given in log10). */
function ticks(lo: number, hi: number, log: boolean): number[] {
  if (log) {
    const out: number[] = [];
    for (let e = Math.ceil(lo - 1e-9); e <= Math.floor(hi + 1e-9); e++) out.push(e);
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
  if (log) {
    const x = Math.pow(10, v);
    return Number.isInteger(v) ? `1e${v}` : x.toPrecision(2);
  }
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(1);
  return String(+v.toPrecision(4));
}

/**
 * Renders series as an SVG line/scatter chart.
 * @example
 * const svg = lineChart([{ name: 'f', points: [[1, 2], [10, 3]] }], { xScale: 'log' });
 */
export function lineChart(series: readonly Series[], opts: ChartOptions = {}): string {
  const W = opts.width ?? 720;
  const H = opts.height ?? 440;
  const m = { left: 78, right: 20, top: opts.title ? 40 : 16, bottom: 56 };
  const xLog = opts.xScale === 'log';
  const yLog = opts.yScale === 'log';
  const tx = (x: number) => (xLog ? Math.log10(x) : x);
  const ty = (y: number) => (yLog ? Math.log10(y) : y);
  const pts = series.map((s) => s.points.filter(([x, y]) => Number.isFinite(tx(x)) && Number.isFinite(ty(y))));
  const all = pts.flat();
  if (all.length === 0) throw new InvalidArgumentError('lineChart: no finite points to plot');
  let [x0, x1] = [Math.min(...all.map((p) => tx(p[0]))), Math.max(...all.map((p) => tx(p[0])))];
  let [y0, y1] = [Math.min(...all.map((p) => ty(p[1]))), Math.max(...all.map((p) => ty(p[1])))];
  for (const v of opts.vLines ?? []) if (Number.isFinite(tx(v.x))) [x0, x1] = [Math.min(x0, tx(v.x)), Math.max(x1, tx(v.x))];
  if (x1 === x0) [x0, x1] = [x0 - 1, x1 + 1];
  if (y1 === y0) [y0, y1] = [y0 - 1, y1 + 1];
  const padY = 0.05 * (y1 - y0);
  y0 -= padY;
  y1 += padY;
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  const sx = (x: number) => m.left + ((tx(x) - x0) / (x1 - x0)) * pw;
  const sy = (y: number) => m.top + ph - ((ty(y) - y0) / (y1 - y0)) * ph;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  if (opts.title) out.push(`<text x="${W / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(opts.title)}</text>`);
  // axes and grid
  for (const t of ticks(x0, x1, xLog)) {
    const X = m.left + ((t - x0) / (x1 - x0)) * pw;
    out.push(`<line x1="${X.toFixed(1)}" y1="${m.top}" x2="${X.toFixed(1)}" y2="${m.top + ph}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${X.toFixed(1)}" y="${m.top + ph + 18}" text-anchor="middle">${formatTick(t, xLog)}</text>`);
  }
  for (const t of ticks(y0, y1, yLog)) {
    const Y = m.top + ph - ((t - y0) / (y1 - y0)) * ph;
    out.push(`<line x1="${m.left}" y1="${Y.toFixed(1)}" x2="${m.left + pw}" y2="${Y.toFixed(1)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${m.left - 6}" y="${(Y + 4).toFixed(1)}" text-anchor="end">${formatTick(t, yLog)}</text>`);
  }
  out.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  if (opts.xLabel) out.push(`<text x="${m.left + pw / 2}" y="${H - 14}" text-anchor="middle">${escapeXml(opts.xLabel)}</text>`);
  if (opts.yLabel) out.push(`<text transform="translate(18 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle">${escapeXml(opts.yLabel)}</text>`);
  for (const v of opts.vLines ?? []) {
    const X = sx(v.x);
    const c = v.color ?? '#888';
    out.push(`<line x1="${X.toFixed(1)}" y1="${m.top}" x2="${X.toFixed(1)}" y2="${m.top + ph}" stroke="${c}" stroke-dasharray="5,4"/>`);
    if (v.label) out.push(`<text x="${(X + 4).toFixed(1)}" y="${m.top + 14}" fill="${c}">${escapeXml(v.label)}</text>`);
  }
  // series
  series.forEach((s, i) => {
    const c = s.color ?? PALETTE[i % PALETTE.length]!;
    const p = pts[i]!;
    const style = s.style ?? 'line';
    if (style !== 'markers' && p.length > 1) {
      const d = p.map(([x, y], k) => `${k === 0 ? 'M' : 'L'}${sx(x).toFixed(2)},${sy(y).toFixed(2)}`).join('');
      out.push(`<path d="${d}" fill="none" stroke="${c}" stroke-width="1.8"/>`);
    }
    if (style !== 'line') {
      p.forEach(([x, y], k) => {
        out.push(`<circle cx="${sx(x).toFixed(2)}" cy="${sy(y).toFixed(2)}" r="3.5" fill="${c}" stroke="white" stroke-width="0.8"/>`);
        const label = s.labels?.[k];
        if (label) out.push(`<text x="${(sx(x) + 5).toFixed(1)}" y="${(sy(y) - 5).toFixed(1)}" font-size="10" fill="${c}">${escapeXml(label)}</text>`);
      });
    }
  });
  // legend (on a translucent box so it stays readable over the curves)
  out.push(`<rect x="${m.left + pw - 206}" y="${m.top + 2}" width="202" height="${series.length * 18 + 6}" fill="white" fill-opacity="0.85" stroke="#ccc"/>`);
  series.forEach((s, i) => {
    const c = s.color ?? PALETTE[i % PALETTE.length]!;
    const Y = m.top + 14 + i * 18;
    const X = m.left + pw - 200;
    out.push(`<rect x="${X}" y="${Y - 9}" width="14" height="3" fill="${c}"/>`);
    out.push(`<text x="${X + 20}" y="${Y - 4}">${escapeXml(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}
