/**
 * @file The figures built on `lineChart`. Lasso tuning: the validation curve (criterion
 * against λ, with the points of the search and the selected λ) and the coefficient path (each
 * coefficient against λ, λ decreasing from left to right, names at the line ends, the selected λ
 * marked when known); and the experiment figures: convergence rates against the theory's slopes
 * (`rateChart`) and 2-D phase plots of iterates (`phaseChart`). All take plain arrays, so they do not
 * depend on the solvers.
 */
import { InvalidArgumentError } from '../core/errors.js';
import { lineChart, panels, PALETTE, type Series } from './svg.js';

/** Input of `validationCurveChart`. */
export interface ValidationCurve {
  /** The criterion on a λ grid: [λ, value] pairs. */
  curve: ReadonlyArray<readonly [number, number]>;
  /** Evaluations of the search in order: λ, value, and whether it used a hypergradient. */
  search?: ReadonlyArray<{ lambda: number; value: number; gradient: boolean }>;
  /** The selected λ. */
  selected?: number;
  /** The λ of the minimum when another one was selected (one-standard-error rule). */
  minimum?: number;
  /** Criterion of the model with no feature (β = 0): the curve above it is clipped away. */
  nullValue?: number;
  /** Long name of the criterion with its units, e.g. '5-fold CV mean squared error (target units²)'. */
  criterionLabel: string;
  /** Label of the λ axis (with units). Default 'λ (log scale)'. */
  lambdaLabel?: string;
  title?: string;
  /** Log-scale y axis. */
  logY?: boolean;
}

/**
 * The y window that shows the interesting region of a validation curve on a linear axis: from its
 * minimum to 30% of the way up to the criterion of the empty model (predicting the mean), which
 * every useful λ beats, so the minimum and its neighbourhood fill the frame and the rise towards
 * λ_max (or the over-fitting at tiny λ) leaves it at the top. On a log axis, or without the
 * empty model's value: the whole range (undefined).
 */
export function interestingRange(values: readonly number[], nullValue: number | undefined, logY: boolean): [number, number] | undefined {
  const v = values.filter((x) => Number.isFinite(x) && (!logY || x > 0));
  if (v.length === 0 || logY) return undefined;
  const lo = Math.min(...v);
  const hi = Math.max(...v);
  if (nullValue === undefined || !Number.isFinite(nullValue) || nullValue <= lo) return undefined;
  const top = lo + 0.3 * (nullValue - lo);
  return top < hi && top > lo ? [lo, top] : undefined;
}

/**
 * Validation curve with the search path: grid curve, scouting evaluations (value only), the
 * hypergradient steps numbered in order, and the selected λ.
 * @example
 * const svg = validationCurveChart({ curve: [[0.1, 3], [1, 2], [10, 4]], selected: 1, criterionLabel: 'held-out MSE' });
 */
export function validationCurveChart(v: ValidationCurve): string {
  if (v.curve.length === 0 && (v.search?.length ?? 0) === 0) throw new InvalidArgumentError('validationCurveChart(): nothing to plot');
  const series: Series[] = [];
  if (v.curve.length > 0) series.push({ name: 'criterion on a λ grid', points: v.curve });
  const scouts = (v.search ?? []).filter((e) => !e.gradient);
  const steps = (v.search ?? []).filter((e) => e.gradient);
  if (scouts.length > 0) series.push({ name: 'scouting evaluations (value only)', points: scouts.map((e) => [e.lambda, e.value] as const), style: 'markers', color: '#7f7f7f' });
  if (steps.length > 0) {
    series.push({
      name: 'hypergradient steps (numbered)',
      points: steps.map((e) => [e.lambda, e.value] as const),
      style: 'line+markers', color: '#e15759', width: 1.2,
      labels: steps.map((_, i) => String(i + 1)),
    });
  }
  const values = [...v.curve.map((p) => p[1]), ...(v.search ?? []).map((e) => e.value)];
  const range = interestingRange(values, v.nullValue, v.logY ?? false);
  return lineChart(series, {
    title: (v.title ?? 'Validation curve and hypergradient search') + (range ? ' (zoom on the minimum)' : ''),
    xLabel: v.lambdaLabel ?? 'λ (log scale)',
    yLabel: v.criterionLabel + (v.logY ? ', log scale' : ''),
    xScale: 'log',
    yScale: v.logY ? 'log' : 'linear',
    ...(range ? { yRange: range } : {}),
    vLines: [
      ...(v.minimum !== undefined ? [{ x: v.minimum, label: `minimum at λ = ${v.minimum.toPrecision(3)}`, color: '#999' }] : []),
      ...(v.selected !== undefined ? [{ x: v.selected, label: `selected λ = ${v.selected.toPrecision(3)}`, color: '#333' }] : []),
    ],
    hLines: v.nullValue !== undefined && Number.isFinite(v.nullValue) ? [{ y: v.nullValue, label: 'empty model (β = 0)', color: '#999' }] : [],
  });
}

/** Input of `coefficientPathChart`. */
export interface CoefficientPath {
  /** The λ grid. */
  lambdas: ArrayLike<number>;
  /** coefs[k][j]: coefficient j at lambdas[k]. */
  coefs: ReadonlyArray<ArrayLike<number>>;
  featureNames: readonly string[];
  /** λ to mark (the selected one), when known. */
  selected?: number;
  /** Label of the coefficient axis with its units. Default 'coefficient'. */
  coefLabel?: string;
  lambdaLabel?: string;
  title?: string;
  /** Features named at the line ends (largest |coefficient| at the smallest λ). Default 12; the rest are drawn thin and grey. */
  maxNamed?: number;
  /** Indices of features to draw in grey dashes whatever their size (e.g. known noise features). */
  muted?: ReadonlySet<number>;
}

/**
 * Coefficient path: one line per feature against λ (log scale, decreasing to the right), the
 * `maxNamed` largest named at their right end, the others thin and grey, features never non-zero
 * left out; the selected λ as a dashed line.
 * @example
 * const svg = coefficientPathChart({ lambdas: [1, 0.1], coefs: [[0, 0], [0.5, -0.2]], featureNames: ['a', 'b'], selected: 0.1 });
 */
export function coefficientPathChart(c: CoefficientPath): string {
  const K = c.lambdas.length;
  if (K === 0 || c.coefs.length !== K) throw new InvalidArgumentError(`coefficientPathChart(): ${c.coefs.length} coefficient vectors for ${K} λ values`);
  const p = c.featureNames.length;
  const last = c.coefs[K - 1]!;
  const active: number[] = [];
  for (let j = 0; j < p; j++) if (c.coefs.some((b) => b[j] !== 0)) active.push(j);
  const size = (j: number) => Math.max(...c.coefs.map((b) => Math.abs(b[j]!)), Math.abs(last[j]!));
  const named = new Set(active.filter((j) => !c.muted?.has(j)).sort((a, b) => size(b) - size(a)).slice(0, c.maxNamed ?? 12));
  const series: Series[] = [];
  const line = (j: number): Array<readonly [number, number]> => Array.from({ length: K }, (_, k) => [c.lambdas[k]!, c.coefs[k]![j]!] as const);
  // grey ones first so the named lines are drawn on top; muted (noise) and other unnamed ones form two legend entries
  for (const [group, color, label] of [[active.filter((j) => !named.has(j) && !c.muted?.has(j)), '#b0b0b0', 'other feature(s)'], [active.filter((j) => c.muted?.has(j)), '#cfcfcf', 'noise feature(s)']] as const) {
    group.forEach((j, t) => series.push({ name: t === 0 ? `${group.length} ${label}` : c.featureNames[j]!, points: line(j), color, width: 1, hideInLegend: t > 0 }));
  }
  for (const j of [...named].sort((a, b) => a - b)) series.push({ name: c.featureNames[j]!, points: line(j) });
  if (series.length === 0) series.push({ name: 'all coefficients are 0', points: line(0), color: '#b0b0b0' });
  return lineChart(series, {
    title: c.title ?? 'Lasso coefficient path',
    xLabel: c.lambdaLabel ?? 'λ (log scale, decreasing →)',
    yLabel: c.coefLabel ?? 'coefficient',
    xScale: 'log',
    xReverse: true,
    legend: 'end',
    hLines: [{ y: 0, color: '#666' }],
    vLines: c.selected !== undefined ? [{ x: c.selected, label: `selected λ = ${c.selected.toPrecision(3)}`, color: '#333' }] : [],
  });
}

/** A reference line of a rate chart: y = y0·exp(slope·(x − x0)) on a log-y axis ('exp'), or y = y0·(x/x0)^slope on log-log axes ('power'). */
export interface RateReference {
  name: string;
  /** Anchor point of the line (usually the first measured point it is compared with). */
  x0: number;
  y0: number;
  /** d log y / dx ('exp': per iteration, natural log) or d log y / d log x ('power'). */
  slope: number;
  /** x range of the line. */
  from: number;
  to: number;
  color?: string;
}

/** Input of `rateChart`. */
export interface RateChartInput {
  /** Measured errors: [iteration, error] pairs per series. */
  series: ReadonlyArray<{ name: string; points: ReadonlyArray<readonly [number, number]>; color?: string; markers?: boolean }>;
  /** Theory slopes, drawn dashed. */
  references?: readonly RateReference[];
  /** 'exp': linear x, log y (linear rates); 'power': log-log (sublinear rates). */
  kind: 'exp' | 'power';
  title: string;
  xLabel: string;
  yLabel: string;
}

/**
 * Convergence-rate chart: measured errors against the iteration count on a log y axis (log-log for
 * 'power'), with the theory's slopes as dashed reference lines anchored at a measured point.
 * @example
 * const svg = rateChart({ kind: 'exp', title: 'ITD', xLabel: 't (iterations)', yLabel: 'error (log scale)',
 *   series: [{ name: 'ITD', points: [[1, 1], [2, 0.5], [3, 0.25]] }],
 *   references: [{ name: 'q^t, q = 0.5', x0: 1, y0: 1, slope: Math.log(0.5), from: 1, to: 3 }] });
 */
export function rateChart(input: RateChartInput): string {
  if (input.series.length === 0) throw new InvalidArgumentError('rateChart(): no series to plot');
  const series: Series[] = input.series.map((s) => ({
    name: s.name, points: s.points, style: s.markers ? 'line+markers' : 'line', ...(s.color ? { color: s.color } : {}),
  }));
  for (const r of input.references ?? []) {
    const n = 24;
    const pts: Array<readonly [number, number]> = [];
    for (let i = 0; i <= n; i++) {
      const x = input.kind === 'power' ? r.from * Math.pow(r.to / r.from, i / n) : r.from + ((r.to - r.from) * i) / n;
      const y = input.kind === 'power' ? r.y0 * Math.pow(x / r.x0, r.slope) : r.y0 * Math.exp(r.slope * (x - r.x0));
      pts.push([x, y]);
    }
    series.push({ name: r.name, points: pts, color: r.color ?? '#555', dash: '6,4', width: 1.4 });
  }
  return lineChart(series, {
    title: input.title,
    xLabel: input.xLabel,
    yLabel: input.yLabel,
    xScale: input.kind === 'power' ? 'log' : 'linear',
    yScale: 'log',
  });
}

/** Input of `phaseChart`. */
export interface PhaseChartInput {
  /** Trajectories in the plane, each a list of (x, y) points in order. */
  paths: ReadonlyArray<{ name: string; points: ReadonlyArray<readonly [number, number]>; color?: string; width?: number; dash?: string }>;
  /** Curves drawn as thin grey reference lines (e.g. a discontinuity line), or named points. */
  guides?: ReadonlyArray<{ name: string; points: ReadonlyArray<readonly [number, number]>; color?: string; style?: 'line' | 'markers' }>;
  /** Mark the first point of each path (default true). */
  markStart?: boolean;
  title: string;
  xLabel: string;
  yLabel: string;
  width?: number;
  height?: number;
}

/**
 * Phase plot: trajectories of a 2-D state (iterates of an optimiser, a projection of a 3-D
 * orbit), each with its start marked, plus reference curves and points.
 * @example
 * const svg = phaseChart({ title: 'iterates', xLabel: 'x', yLabel: 'y', paths: [{ name: 'GD', points: [[0, 0], [1, 1], [0.5, 0.8]] }] });
 */
export function phaseChart(input: PhaseChartInput): string {
  if (input.paths.length === 0) throw new InvalidArgumentError('phaseChart(): no path to plot');
  const series: Series[] = [];
  for (const g of input.guides ?? []) {
    series.push({ name: g.name, points: g.points, style: g.style ?? 'line', color: g.color ?? '#999', width: 1.2, ...(g.style === 'markers' ? {} : { dash: '5,4' }) });
  }
  input.paths.forEach((p, i) => {
    const color = p.color ?? PALETTE[i % PALETTE.length]!;
    series.push({ name: p.name, points: p.points, color, width: p.width ?? 1.2, ...(p.dash ? { dash: p.dash } : {}) });
    if ((input.markStart ?? true) && p.points.length > 0) series.push({ name: `${p.name}: start`, points: [p.points[0]!], style: 'markers', color, hideInLegend: true });
  });
  return lineChart(series, { title: input.title, xLabel: input.xLabel, yLabel: input.yLabel, ...(input.width ? { width: input.width } : {}), ...(input.height ? { height: input.height } : {}) });
}

/** Input of `learningCurvesChart`: per-epoch training and validation metrics. */
export interface LearningCurves {
  /** One record per epoch (1-based epoch numbers); absent metrics are left out of the panels. */
  epochs: ReadonlyArray<{ epoch: number; loss: number; accuracy?: number; valLoss?: number; valAccuracy?: number }>;
  /** Test metrics of the final model, drawn as horizontal reference lines. */
  test?: { loss?: number; accuracy?: number };
  /** Name of the loss with its units (default 'cross-entropy loss (nats)'). */
  lossLabel?: string;
  title?: string;
}

/**
 * Learning curves: two panels side by side, the loss and the accuracy against the epoch, training
 * vs validation (the test value of the final model as a reference line when given).
 * @example
 * const svg = learningCurvesChart({ epochs: [{ epoch: 1, loss: 0.9, accuracy: 0.7, valLoss: 0.8, valAccuracy: 0.72 }, { epoch: 2, loss: 0.5, accuracy: 0.85, valLoss: 0.6, valAccuracy: 0.8 }] });
 */
export function learningCurvesChart(c: LearningCurves): string {
  if (!c || !Array.isArray(c.epochs) || c.epochs.length === 0) throw new InvalidArgumentError('learningCurvesChart(): no epochs to plot');
  const W = 520;
  const H = 360;
  const pts = (f: (r: LearningCurves['epochs'][number]) => number | undefined) =>
    c.epochs.filter((r) => f(r) !== undefined).map((r) => [r.epoch, f(r)!] as const);
  const style = c.epochs.length === 1 ? 'markers' : 'line+markers';
  const panel = (what: 'loss' | 'accuracy'): string => {
    const train = what === 'loss' ? pts((r) => r.loss) : pts((r) => r.accuracy);
    const val = what === 'loss' ? pts((r) => r.valLoss) : pts((r) => r.valAccuracy);
    const series: Series[] = [];
    if (train.length) series.push({ name: 'training', points: train, style, color: '#4e79a7' });
    if (val.length) series.push({ name: 'validation', points: val, style, color: '#f28e2b' });
    const t = what === 'loss' ? c.test?.loss : c.test?.accuracy;
    return lineChart(series, {
      title: what === 'loss' ? 'Loss' : 'Accuracy',
      xLabel: 'epoch',
      yLabel: what === 'loss' ? c.lossLabel ?? 'cross-entropy loss (nats)' : 'accuracy (fraction correct)',
      width: W,
      height: H,
      legend: 'box',
      hLines: t !== undefined && Number.isFinite(t) ? [{ y: t, label: `test ${t.toPrecision(4)}`, color: '#999' }] : [],
    });
  };
  const hasAcc = c.epochs.some((r) => r.accuracy !== undefined || r.valAccuracy !== undefined);
  return panels(hasAcc ? [panel('loss'), panel('accuracy')] : [panel('loss')], c.title ? { title: c.title } : {});
}
