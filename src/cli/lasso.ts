/**
 * @file `nsdiff lasso tune` and `nsdiff lasso hypergrad`: hyperparameter search for Lasso-type
 * models and single hypergradient evaluations, with human-readable or `--json` output and an
 * optional SVG plot of the validation curve with the hypergradient path on it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import cliProgress from 'cli-progress';
import { InvalidArgumentError } from '../core/errors.js';
import { makeCriterion, tuneLasso, lassoHypergradient, type CriterionKind, type TuneResult } from '../hpo/estimator.js';
import { geometricGrid, type OuterOptimizer } from '../hpo/optimizers.js';
import type { HypergradMethod, SparseModelKind } from '../lasso/hypergrad.js';
import { lineChart, type Series } from '../plot/svg.js';
import { checkNoConstantColumns, loadData, type DataOptions } from './data_source.js';

const MODELS = ['lasso', 'enet', 'wlasso', 'logreg'] as const;
const CRITERIA = ['heldout', 'cv', 'sure'] as const;
const OPTIMIZERS = ['line-search', 'adam', 'grid'] as const;
const METHODS = ['implicit', 'implicit-forward', 'forward'] as const;

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string, dflt: T): T {
  if (value === undefined) return dflt;
  if (!(allowed as readonly string[]).includes(value)) throw new InvalidArgumentError(`${flag} must be one of ${allowed.join(', ')}; got '${value}'`);
  return value as T;
}

function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${flag} must be a positive integer; got '${value}'`);
  return n;
}

function positiveNumber(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${flag} must be a positive number; got '${value}'`);
  return n;
}

export interface TuneCliOptions extends DataOptions {
  model?: string;
  criterion?: string;
  folds?: string;
  optimizer?: string;
  maxEvals?: string;
  tol?: string;
  seed?: string;
  shuffle?: boolean;
  intercept?: boolean;
  plot?: string;
  json?: boolean;
}

/** Runs `nsdiff lasso tune`; returns what it printed as JSON (for tests). */
export function runTune(opts: TuneCliOptions, out: (s: string) => void = console.log): Record<string, unknown> {
  const model = oneOf<SparseModelKind>(opts.model, MODELS, '--model', 'lasso');
  const { train, val, description } = loadData(opts);
  checkNoConstantColumns(train, description);
  const criterion = oneOf<CriterionKind>(opts.criterion, CRITERIA, '--criterion', val ? 'heldout' : 'cv');
  if (val && criterion !== 'heldout') throw new InvalidArgumentError(`--val gives a validation set, so --criterion must be heldout (got ${criterion})`);
  const optimizer = oneOf<OuterOptimizer>(opts.optimizer, OPTIMIZERS, '--optimizer', 'line-search');
  const folds = positiveInt(opts.folds, '--folds');
  const maxEvals = positiveInt(opts.maxEvals, '--max-evals');
  const tol = positiveNumber(opts.tol, '--tol');
  const seed = opts.seed === undefined ? undefined : Number(opts.seed);
  if (seed !== undefined && !Number.isInteger(seed)) throw new InvalidArgumentError(`--seed must be an integer; got '${opts.seed}'`);

  const bar = new cliProgress.SingleBar({ format: 'tuning |{bar}| {value}/{total} evaluations  λ={lambda}  criterion={crit}', hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic);
  const budget = maxEvals ?? (optimizer === 'grid' ? 100 : optimizer === 'adam' ? 60 : 30);
  if (!opts.json) bar.start(budget, 0, { lambda: '-', crit: '-' });
  let res: TuneResult;
  try {
    res = tuneLasso(train.X, train.y, {
      model, criterion, optimizer,
      ...(folds !== undefined ? { folds } : {}),
      ...(maxEvals !== undefined ? { maxEvals } : {}),
      ...(tol !== undefined ? { tol } : {}),
      ...(seed !== undefined ? { seed } : {}),
      ...(opts.shuffle ? { shuffle: true } : {}),
      fitIntercept: opts.intercept !== false,
      ...(val ? { validation: { X: val.X, y: val.y } } : {}),
      onEvaluation: (e) => {
        if (!opts.json) bar.update(Math.min(e.evaluation + 1, budget), { lambda: Array.from(e.lambdas, (l) => l.toPrecision(3)).join(','), crit: e.value.toPrecision(5) });
      },
    });
  } finally {
    if (!opts.json) bar.stop();
  }

  const result = {
    model, criterion, optimizer, data: description,
    nSamples: train.nSamples, nFeatures: train.nFeatures,
    lambda: res.lambdas.length === 1 ? res.lambdas[0] : Array.from(res.lambdas),
    lambdaMax: res.lambdaMax,
    criterionValue: res.value,
    iterations: res.history.length,
    stopReason: res.outer.stopReason,
    supportSize: res.support.length,
    coef: Array.from(res.coef),
    intercept: res.intercept,
    timeMs: Math.round(res.timeMs),
    singularEvaluations: res.singularEvaluations,
    history: res.history.map((h) => ({ lambda: Array.from(h.lambdas), criterion: h.value, gradient: h.gradient ? Array.from(h.gradient) : null, supportSize: h.supportSize, accepted: h.accepted })),
  };

  if (opts.plot) {
    writePlot(opts.plot, res, train, val, { model, criterion, folds, seed, shuffle: opts.shuffle, intercept: opts.intercept !== false });
  }
  if (opts.json) {
    out(JSON.stringify({ ...result, criterion: res.value, criterionKind: criterion }, null, 2));
  } else {
    out(`nsdiff lasso tune — ${model}, criterion ${criterion}${criterion === 'cv' ? ` (${folds ?? 5} folds)` : ''}, optimizer ${optimizer}`);
    out(`data: ${description} (${train.nSamples} rows × ${train.nFeatures} features${val ? `; validation ${val.nSamples} rows` : ''})`);
    out(`chosen λ = ${Array.from(res.lambdas, (l) => l.toPrecision(6)).join(', ')}  (λ_max = ${res.lambdaMax.toPrecision(6)}, λ/λ_max = ${(res.lambdas[0]! / res.lambdaMax).toPrecision(4)})`);
    out(`criterion = ${res.value.toPrecision(8)} after ${res.history.length} evaluations (${res.outer.stopReason}) in ${Math.round(res.timeMs)} ms`);
    out(`support: ${res.support.length} of ${train.nFeatures} features; intercept = ${res.intercept.toPrecision(6)}`);
    const names = train.featureNames;
    const top = Array.from(res.support).sort((a, b) => Math.abs(res.coef[b]!) - Math.abs(res.coef[a]!)).slice(0, 10);
    for (const j of top) out(`  ${(names[j] ?? `x${j}`).padEnd(16)} ${res.coef[j]!.toPrecision(6)}`);
    if (res.singularEvaluations > 0) out(`warning: the invertibility hypothesis failed at ${res.singularEvaluations} evaluation(s) (kinks or rank-deficient X_E)`);
    if (opts.plot) out(`plot written to ${opts.plot}`);
  }
  return result;
}

/** Validation curve on a grid (1-hyperparameter models) plus the path of the search. */
function writePlot(path: string, res: TuneResult, train: { X: never } | any, val: any, o: { model: SparseModelKind; criterion: CriterionKind; folds?: number; seed?: number; shuffle?: boolean; intercept: boolean }): void {
  const series: Series[] = [];
  const path1 = res.history.filter((h) => h.finite);
  let xLabel = 'λ';
  if (res.lambdas.length === 1) {
    const crit = makeCriterion(train.X, train.y, { model: o.model, criterion: o.criterion, ...(o.folds ? { folds: o.folds } : {}), ...(o.seed !== undefined ? { seed: o.seed } : {}), ...(o.shuffle ? { shuffle: true } : {}), fitIntercept: o.intercept }, val ? { X: val.X, y: val.y } : undefined);
    const lo = Math.min(...path1.map((h) => h.lambdas[0]!), res.lambdaMax * 1e-3);
    const grid = geometricGrid(res.lambdaMax, 40, lo / res.lambdaMax);
    const curve: [number, number][] = [];
    for (const l of grid) {
      const ev = crit.evaluate(l, { gradient: false, tol: 1e-6 });
      if (ev.finite) curve.push([l, ev.value]);
    }
    series.push({ name: `${o.criterion} criterion on a 40-λ grid`, points: curve });
    const scouts = path1.filter((h) => h.gradient === null);
    const descent = path1.filter((h) => h.gradient !== null);
    if (scouts.length > 0) series.push({ name: 'scouting evaluations (value only)', points: scouts.map((h) => [h.lambdas[0]!, h.value] as [number, number]), style: 'markers', color: '#7f7f7f' });
    series.push({ name: 'hypergradient descent path', points: descent.map((h) => [h.lambdas[0]!, h.value] as [number, number]), style: 'line+markers', labels: descent.map((_, i) => String(i)) });
  } else {
    xLabel = 'evaluation';
    series.push({ name: `${o.criterion} criterion along the search`, points: path1.map((h) => [h.evaluation, h.value] as [number, number]), style: 'line+markers' });
  }
  const svg = lineChart(series, {
    title: `${o.model}: ${o.criterion} criterion and hypergradient path`,
    xLabel, yLabel: `${o.criterion} criterion`,
    xScale: res.lambdas.length === 1 ? 'log' : 'linear',
    vLines: res.lambdas.length === 1 ? [{ x: res.lambdas[0]!, label: `chosen λ = ${res.lambdas[0]!.toPrecision(3)}`, color: '#d62728' }] : [],
  });
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, svg);
}

export interface HypergradCliOptions extends DataOptions {
  model?: string;
  lambda?: string;
  method?: string;
  criterion?: string;
  folds?: string;
  tol?: string;
  intercept?: boolean;
  json?: boolean;
}

/** Runs `nsdiff lasso hypergrad`. */
export function runHypergrad(opts: HypergradCliOptions, out: (s: string) => void = console.log): Record<string, unknown> {
  const model = oneOf<SparseModelKind>(opts.model, MODELS, '--model', 'lasso');
  const method = oneOf<HypergradMethod>(opts.method, METHODS, '--method', 'implicit');
  if (opts.lambda === undefined) throw new InvalidArgumentError('--lambda L is required (λ > 0; comma-separated for enet/wlasso)');
  const lambdas = opts.lambda.split(',').map((s) => Number(s.trim()));
  for (const l of lambdas) {
    if (!Number.isFinite(l) || l <= 0) throw new InvalidArgumentError(`--lambda values must be positive numbers; got '${opts.lambda}'`);
  }
  const { train, val, description } = loadData(opts);
  checkNoConstantColumns(train, description);
  const criterion = oneOf<CriterionKind>(opts.criterion, CRITERIA, '--criterion', val ? 'heldout' : 'cv');
  const folds = positiveInt(opts.folds, '--folds');
  const tol = positiveNumber(opts.tol, '--tol');
  const r = lassoHypergradient(train, val, lambdas.length === 1 ? lambdas[0]! : lambdas, {
    model, method, ...(val ? {} : { criterion }), ...(folds ? { folds } : {}), ...(tol ? { tol } : {}), fitIntercept: opts.intercept !== false,
  });
  const result = {
    model, method, criterionKind: r.criterionKind, data: description,
    lambda: r.lambdas.length === 1 ? r.lambdas[0] : Array.from(r.lambdas),
    criterion: r.criterion,
    hypergradient: r.hypergradient.length === 1 ? r.hypergradient[0] : Array.from(r.hypergradient),
    hypergradientWrt: 'log lambda',
    supportSize: r.supportSize,
    lambdaMax: r.lambdaMax,
    innerConverged: r.inner.converged,
    diagnostics: r.diagnostics,
    timeMs: +r.timeMs.toFixed(2),
  };
  if (opts.json) out(JSON.stringify(result, null, 2));
  else {
    out(`nsdiff lasso hypergrad — ${model}, ${r.criterionKind} criterion, method ${method}; data: ${description}`);
    out(`λ = ${Array.from(r.lambdas).join(', ')}  (λ_max = ${r.lambdaMax.toPrecision(6)})`);
    out(`criterion = ${r.criterion.toPrecision(10)}`);
    out(`d criterion / d log λ = ${Array.from(r.hypergradient, (g) => g.toPrecision(8)).join(', ')}`);
    out(`support size = ${r.supportSize}; inner solver converged: ${r.inner.converged}`);
    if (!r.diagnostics.ok) out(`warning: ${r.diagnostics.messages.join('; ')}`);
  }
  return result;
}
