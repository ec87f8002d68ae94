/**
 * @file The two figures of Lasso tuning, built on `lineChart`: the validation curve (criterion
 * against λ, with the points of the search and the selected λ) and the coefficient path (each
 * coefficient against λ, λ decreasing from left to right, names at the line ends, the selected λ
 * marked when known). Both take plain arrays, so they do not depend on the solvers.
 */
import { InvalidArgumentError } from '../core/errors.js';
import { lineChart, type Series } from './svg.js';

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
  const panels = hasAcc ? [panel('loss'), panel('accuracy')] : [panel('loss')];
  const top = c.title ? 28 : 0;
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W * panels.length}" height="${H + top}" viewBox="0 0 ${W * panels.length} ${H + top}" font-family="Helvetica, Arial, sans-serif" font-size="12">`];
  if (c.title) out.push(`<text x="${(W * panels.length) / 2}" y="19" text-anchor="middle" font-size="15">${c.title.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</text>`);
  panels.forEach((p, i) => out.push(p.replace('<svg ', `<svg x="${i * W}" y="${top}" `)));
  out.push('</svg>');
  return out.join('\n');
}
