/**
 * @file `nsdiff lasso tune | hypergrad | path`: hyperparameter search for Lasso-type models, single
 * hypergradient evaluations and regularisation paths, with human-readable or `--json` output and
 * SVG figures (validation curve, coefficient path). Every option is validated before any work;
 * output files that would overwrite an input are refused up front; the result is printed before
 * the figures are written, so a failed write (reported as one error line) loses nothing computed.
 */
import { InvalidArgumentError } from '../core/errors.js';
import { CrossValCriterion } from '../hpo/criteria.js';
import { makeCriterion, tuneLassoAs, lassoHypergradient, type CriterionKind, type TuneResult } from '../hpo/estimator.js';
import { geometricGrid, type OuterOptimizer } from '../hpo/optimizers.js';
import type { HypergradMethod, SparseModelKind } from '../lasso/hypergrad.js';
import { lasso } from '../lasso/cd.js';
import { lassoPath } from '../lasso/path.js';
import { unscaleCoef } from '../estimators/preprocessing.js';
import type { Dataset } from '../data/dataset.js';
import { datasetNames, type DatasetName } from '../data/datasets.js';
import { datasetPath } from '../data/files.js';
import { coefficientPathChart, validationCurveChart } from '../plot/figures.js';
import { lineChart } from '../plot/svg.js';
import { loadData, type DataOptions, type LoadedData } from './data_source.js';
import { intIn, lambdaList, numberIn, oneOf, tolerance } from './options.js';
import { checkOutputs, writeFileAtomic, OutputError } from './output.js';
import { makeProgress } from './progress.js';

const MODELS = ['lasso', 'enet', 'wlasso', 'logreg'] as const;
const CRITERIA = ['heldout', 'cv', 'sure'] as const;
const OPTIMIZERS = ['line-search', 'adam', 'grid'] as const;
const METHODS = ['implicit', 'implicit-forward', 'forward'] as const;

/** Where a subcommand writes: results on `out` (stdout), notes and progress on `err` (stderr). */
export interface CliIO {
  out: (s: string) => void;
  err: (s: string) => void;
  /** stderr stream for progress (its isTTY chooses a bar or plain lines). */
  errStream?: NodeJS.WritableStream & { isTTY?: boolean };
}

const defaultIO = (): CliIO => ({ out: (s) => console.log(s), err: (s) => void process.stderr.write(s + '\n'), errStream: process.stderr });

interface CommonOptions extends DataOptions {
  model?: string;
  intercept?: boolean;
  json?: boolean;
  quiet?: boolean;
  tol?: string;
}

/** Options of `nsdiff lasso tune` (raw strings from the command line). */
export interface TuneCliOptions extends CommonOptions {
  criterion?: string;
  folds?: string;
  optimizer?: string;
  maxEvals?: string;
  shuffle?: boolean;
  plot?: string;
  pathPlot?: string;
  logY?: boolean;
  select?: string;
}

function seedOf(opts: DataOptions): number | undefined {
  return intIn(opts.seed, '--seed', 0, 2 ** 32 - 1);
}

/** Long name of a criterion with its units, for axis labels. */
function criterionLabel(kind: CriterionKind, model: SparseModelKind, folds: number | undefined): string {
  const loss = model === 'logreg' ? 'mean logistic loss (nats)' : 'mean squared error (target units²)';
  if (kind === 'cv') return `${folds ?? 5}-fold CV ${loss}`;
  if (kind === 'heldout') return `held-out ${loss}`;
  return 'SURE estimate of the prediction risk (target units²)';
}

function lambdaAxis(d: LoadedData): string {
  return `λ (${d.standardized ? 'standardised features' : 'target units × feature units'}, log scale)`;
}

function coefUnits(d: LoadedData): string {
  return d.standardized ? 'coefficient (target units per standard deviation)' : 'coefficient (target units per feature unit)';
}

/** The input files of a subcommand by flag (the bundled dataset's CSV too: it must never be overwritten either). */
function inputFiles(opts: DataOptions): Record<string, string | undefined> {
  const bundled = (datasetNames as readonly string[]).includes(opts.dataset ?? '') ? datasetPath(opts.dataset as DatasetName) : undefined;
  return { '--data': opts.data, '--train': opts.train, '--val': opts.val, '--dataset': bundled };
}

/** Logistic regression needs two classes coded 0/1 or −1/+1: say which row is not, in file terms. */
function checkLabels(model: SparseModelKind, d: LoadedData): void {
  if (model !== 'logreg') return;
  for (const [set, what] of [[d.train, d.description], [d.val, 'the validation file']] as const) {
    if (!set) continue;
    const bad = set.y.findIndex((v) => v !== 0 && v !== 1 && v !== -1);
    const mixed = set.y.some((v) => v === 0) && set.y.some((v) => v === -1);
    if (bad >= 0 || mixed) {
      const i = bad >= 0 ? bad : set.y.findIndex((v) => v === -1);
      throw new InvalidArgumentError(
        `--model logreg needs a target with two classes coded 0/1 or −1/+1, but ${set.targetName} of ${what} is ${set.y[i]} in data row ${i + 1}` +
          (bad >= 0 ? '' : ' (0 and −1 both occur)'),
      );
    }
  }
}

/** Loads the data, printing notes on stderr; the options are validated by the caller first. */
function data(opts: CommonOptions, io: CliIO): LoadedData {
  return loadData(opts, (s) => {
    if (!opts.quiet) io.err(s);
  });
}

/**
 * Writes the output files after the result was printed; every failure is reported (in order) and
 * the last one is thrown so the exit status says that something was not written.
 */
function writeOutputs(files: Array<{ path: string | undefined; what: string; render: () => string }>, io: CliIO, json: boolean): void {
  const failed: OutputError[] = [];
  for (const f of files) {
    if (f.path === undefined) continue;
    try {
      writeFileAtomic(f.path, f.render(), f.what);
      if (!json) io.out(`${f.what} written to ${f.path}`);
    } catch (e) {
      if (!(e instanceof OutputError)) throw e;
      failed.push(e);
    }
  }
  for (const e of failed.slice(0, -1)) io.err(`nsdiff: error: ${e.message}`);
  if (failed.length > 0) throw failed[failed.length - 1]!;
}

/** Runs `nsdiff lasso tune`; returns the result object it printed (for tests). */
export function runTune(opts: TuneCliOptions, io: CliIO = defaultIO()): Record<string, unknown> {
  // every option first, so a typo costs no computation
  const model = oneOf<SparseModelKind>(opts.model, MODELS, '--model', 'lasso');
  const optimizer = oneOf<OuterOptimizer>(opts.optimizer, OPTIMIZERS, '--optimizer', 'line-search');
  const criterionFlag = opts.criterion === undefined ? undefined : oneOf<CriterionKind>(opts.criterion, CRITERIA, '--criterion', 'cv');
  const folds = intIn(opts.folds, '--folds', 2, 1000);
  const maxEvals = intIn(opts.maxEvals, '--max-evals', 1, 100000);
  const tol = tolerance(opts.tol);
  const seed = seedOf(opts);
  if (opts.pathPlot !== undefined && model !== 'lasso') throw new InvalidArgumentError(`--path-plot draws the Lasso path; it needs --model lasso (got ${model})`);
  const select = oneOf(opts.select, ['min', '1se'] as const, '--select', 'min');
  if (select === '1se' && (model !== 'lasso' || (criterionFlag ?? 'cv') !== 'cv' || opts.val !== undefined)) {
    throw new InvalidArgumentError('--select 1se (the one-standard-error rule) needs --model lasso and --criterion cv');
  }
  if (opts.logY && opts.plot === undefined) throw new InvalidArgumentError('--log-y applies to the validation curve: give --plot FILE.svg too');
  checkOutputs({ '--plot': opts.plot, '--path-plot': opts.pathPlot }, inputFiles(opts));

  // X is given up to the tuning when nothing reads it afterwards (no curve, no path, no 1-SE refit):
  // the CSV is parsed into a WebAssembly design memory and the final refit prepares it in place
  const consume = opts.plot === undefined && opts.pathPlot === undefined && select !== '1se';
  const d = data(consume ? { ...opts, designMemory: true } : opts, io);
  checkLabels(model, d);
  const { train, val, description } = d;
  const criterion = criterionFlag ?? (val ? 'heldout' : 'cv');
  if (val && criterion !== 'heldout') throw new InvalidArgumentError(`--val gives a validation set, so --criterion must be heldout (got ${criterion})`);
  if (criterion === 'cv' && (folds ?? 5) > train.nSamples) {
    throw new InvalidArgumentError(`--folds ${folds ?? 5} needs at least ${folds ?? 5} rows, but ${description} has ${train.nSamples}: use --folds ${Math.max(2, train.nSamples)} or fewer`);
  }

  const budget = maxEvals ?? (optimizer === 'grid' ? 100 : optimizer === 'adam' ? 60 : 30);
  const progress = makeProgress('tuning', budget, { quiet: !!opts.quiet, ...(io.errStream ? { stream: io.errStream } : {}) });
  let res: TuneResult;
  try {
    res = tuneLassoAs(train.X, train.y, {
      model, criterion, optimizer,
      ...(folds !== undefined ? { folds } : {}),
      ...(maxEvals !== undefined ? { maxEvals } : {}),
      ...(tol !== undefined ? { tol } : {}),
      ...(seed !== undefined ? { seed } : {}),
      ...(opts.shuffle ? { shuffle: true } : {}),
      fitIntercept: opts.intercept !== false,
      ...(val ? { validation: { X: val.X, y: val.y } } : {}),
      onEvaluation: (e) => progress.update(e.evaluation + 1, `λ=${Array.from(e.lambdas, (l) => l.toPrecision(3)).join(',')} criterion=${e.value.toPrecision(5)}`),
    }, 'tuneLasso', consume);
  } finally {
    progress.stop();
  }

  const co: CurveOptions = { model, criterion, folds, seed, shuffle: !!opts.shuffle, intercept: opts.intercept !== false };
  const curve = (opts.plot !== undefined || select === '1se') && res.lambdas.length === 1 ? criterionCurve(res, d, co, select === '1se') : undefined;
  let minimum: { lambda: number; value: number } | undefined;
  if (select === '1se') {
    // the largest λ whose CV error is within one standard error (over folds) of the minimum
    const one = curve!.oneSE!;
    minimum = { lambda: res.lambdas[0]!, value: res.value };
    const fit = lasso(train.X, train.y, one.lambda, { fitIntercept: opts.intercept !== false, tol: Math.min(tol ?? 1e-8, 1e-8) });
    const support = Int32Array.from(Array.from(fit.beta.keys()).filter((j) => fit.beta[j] !== 0));
    res = { ...res, lambdas: Float64Array.of(one.lambda), value: one.value, coef: fit.beta, intercept: fit.intercept, support };
  }
  const names = train.featureNames;
  const nTrue = train.nFeatures - d.noiseFeatures;
  const kept = Array.from(res.support);
  // coefficients on the original feature scale (c_j = β_j / s_j under --standardize; intercept unchanged)
  const coefOriginal = d.scales ? unscaleCoef(res.coef, d.scales) : res.coef;
  const result = {
    model, criterion: res.value, criterionKind: criterion, optimizer, data: description,
    nSamples: train.nSamples, nFeatures: train.nFeatures, standardized: d.standardized,
    lambda: res.lambdas.length === 1 ? res.lambdas[0] : Array.from(res.lambdas),
    lambdaMax: res.lambdaMax,
    select, ...(minimum ? { minimum } : {}),
    iterations: res.history.length,
    stopReason: res.outer.stopReason,
    supportSize: res.support.length,
    support: kept.map((j) => names[j]),
    ...(d.noiseFeatures > 0 ? { noiseFeaturesKept: kept.filter((j) => j >= nTrue).length, noiseFeatures: d.noiseFeatures } : {}),
    coef: Array.from(coefOriginal),
    ...(d.scales ? { coefStandardized: Array.from(res.coef) } : {}),
    featureNames: names,
    intercept: res.intercept,
    timeMs: Math.round(res.timeMs),
    singularEvaluations: res.singularEvaluations,
    history: res.history.map((h) => ({ lambda: Array.from(h.lambdas), criterion: h.value, gradient: h.gradient ? Array.from(h.gradient) : null, supportSize: h.supportSize, accepted: h.accepted })),
  };

  if (opts.json) io.out(JSON.stringify(result, null, 2));
  else {
    const lam = res.lambdas[0]!;
    io.out(`nsdiff lasso tune — ${model}, criterion ${criterion}${criterion === 'cv' ? ` (${folds ?? 5} folds)` : ''}, optimizer ${optimizer}`);
    io.out(`data: ${description} (${train.nSamples} rows × ${train.nFeatures} features${val ? `; validation ${val.nSamples} rows` : ''}${d.standardized ? '; standardised' : ''})`);
    io.out(`selected λ = ${Array.from(res.lambdas, (l) => l.toPrecision(6)).join(', ')}  (λ_max = ${res.lambdaMax.toPrecision(6)}, λ/λ_max = ${(lam / res.lambdaMax).toPrecision(4)})`);
    if (minimum) {
      io.out(`  by the one-standard-error rule: the largest λ whose CV error is within one standard error of the minimum`);
      io.out(`  (the minimum: criterion ${minimum.value.toPrecision(6)} at λ = ${minimum.lambda.toPrecision(6)}, found by hypergradient descent)`);
    }
    io.out(`criterion = ${res.value.toPrecision(8)}${minimum ? '' : ` after ${res.history.length} evaluations (${res.outer.stopReason}) in ${Math.round(res.timeMs)} ms`}`);
    io.out(`support: ${res.support.length} of ${train.nFeatures} features; intercept = ${res.intercept.toPrecision(6)}`);
    if (d.noiseFeatures > 0) {
      const keptTrue = kept.filter((j) => j < nTrue);
      const keptNoise = kept.filter((j) => j >= nTrue);
      io.out(`  real features kept: ${keptTrue.length} of ${nTrue} (${keptTrue.map((j) => names[j]).join(', ') || 'none'})`);
      io.out(`  noise features kept: ${keptNoise.length} of ${d.noiseFeatures}${keptNoise.length ? ` (${keptNoise.map((j) => names[j]).join(', ')})` : ''}`);
    }
    const top = kept.sort((a, b) => Math.abs(res.coef[b]!) - Math.abs(res.coef[a]!)).slice(0, 12);
    io.out(`largest coefficients (per feature unit${d.standardized ? '; per standard deviation beside' : ''}):`);
    for (const j of top) io.out(`  ${(names[j] ?? `x${j + 1}`).padEnd(16)} ${coefOriginal[j]!.toPrecision(6)}${d.standardized ? `   (${res.coef[j]!.toPrecision(6)} per sd)` : ''}`);
    if (res.singularEvaluations > 0) io.out(`warning: the invertibility hypothesis failed at ${res.singularEvaluations} evaluation(s) (kinks or rank-deficient X_E)`);
  }

  writeOutputs([
    { path: opts.plot, what: 'validation curve', render: () => validationPlot(res, d, co, curve, !!opts.logY, minimum) },
    { path: opts.pathPlot, what: 'coefficient path', render: () => pathPlot(train, d, { intercept: opts.intercept !== false, ...(tol !== undefined ? { tol } : {}) }, res.lambdas[0]!) },
  ], io, !!opts.json);
  return result;
}

interface CurveOptions {
  model: SparseModelKind;
  criterion: CriterionKind;
  folds?: number | undefined;
  seed?: number | undefined;
  shuffle: boolean;
  intercept: boolean;
}

/** The criterion on a geometric λ grid (and per fold for CV), plus the empty model's value. */
interface CriterionCurve {
  grid: number[];
  values: number[];
  /** perFold[i][k]: fold i at grid[k] (CV only). */
  perFold: number[][] | null;
  nullValue: number | undefined;
  /** The λ of the one-standard-error rule and its criterion, when asked for. */
  oneSE?: { lambda: number; value: number };
}

function criterionCurve(res: TuneResult, d: LoadedData, o: CurveOptions, oneSE = false): CriterionCurve {
  const crit = makeCriterion(d.train.X, d.train.y, {
    model: o.model, criterion: o.criterion, fitIntercept: o.intercept,
    ...(o.folds ? { folds: o.folds } : {}), ...(o.seed !== undefined ? { seed: o.seed } : {}), ...(o.shuffle ? { shuffle: true } : {}),
  }, d.val ? { X: d.val.X, y: d.val.y } : undefined);
  try {
    const searched = res.history.filter((h) => h.finite);
    const lo = Math.min(...searched.map((h) => h.lambdas[0]!), res.lambdas[0]!, res.lambdaMax * 1e-3) / 1.5;
    const grid: number[] = [];
    const values: number[] = [];
    const perFold: number[][] | null = crit instanceof CrossValCriterion ? crit.folds.map(() => []) : null;
    for (const l of geometricGrid(res.lambdaMax, 36, Math.min(0.5, lo / res.lambdaMax))) {
      if (perFold && crit instanceof CrossValCriterion) {
        // the CV value is the unweighted mean over folds: evaluate the folds once, keep them
        const v = crit.folds.map((f) => f.evaluate(l, { gradient: false, tol: 1e-6 }));
        if (!v.every((e) => e.finite)) continue;
        v.forEach((e, i) => perFold[i]!.push(e.value));
        grid.push(l);
        values.push(v.reduce((a, e) => a + e.value, 0) / v.length);
      } else {
        const ev = crit.evaluate(l, { gradient: false, tol: 1e-6 });
        if (!ev.finite) continue;
        grid.push(l);
        values.push(ev.value);
      }
    }
    const empty = crit.evaluate(10 * res.lambdaMax, { gradient: false, tol: 1e-6 });
    const curve: CriterionCurve = { grid, values, perFold, nullValue: empty.finite ? empty.value : undefined };
    if (oneSE && perFold) curve.oneSE = oneStandardError(curve, res, (l) => crit.evaluate(l, { gradient: false, tol: 1e-6 }).value);
    return curve;
  } finally {
    crit.dispose?.();
  }
}

/**
 * The one-standard-error rule (Hastie, Tibshirani & Friedman, ESL §7.10): the largest λ whose mean
 * CV error is at most min + SE, SE = sd over folds / √K at the grid point of the minimum; located on
 * the grid, then refined by 8 bisection steps (in log λ) between the grid points around it.
 */
function oneStandardError(c: CriterionCurve, res: TuneResult, cv: (l: number) => number): { lambda: number; value: number } {
  const K = c.perFold!.length;
  let kMin = 0;
  for (let k = 1; k < c.values.length; k++) if (c.values[k]! < c.values[kMin]!) kMin = k;
  const at = c.perFold!.map((f) => f[kMin]!);
  const mean = at.reduce((a, b) => a + b, 0) / K;
  const se = Math.sqrt(at.reduce((a, b) => a + (b - mean) ** 2, 0) / (K - 1)) / Math.sqrt(K);
  const threshold = Math.min(c.values[kMin]!, res.value) + se;
  // the grid is decreasing: the first point within the threshold is the largest such grid λ
  const k = c.values.findIndex((v) => v <= threshold);
  if (k < 0 || c.grid[k]! < res.lambdas[0]!) return { lambda: res.lambdas[0]!, value: res.value };
  if (k === 0) return { lambda: c.grid[0]!, value: c.values[0]! };
  let [lo, hi] = [Math.log(c.grid[k]!), Math.log(c.grid[k - 1]!)]; // cv(e^lo) ≤ threshold < cv(e^hi)
  let best = { lambda: c.grid[k]!, value: c.values[k]! };
  for (let t = 0; t < 8; t++) {
    const mid = (lo + hi) / 2;
    const v = cv(Math.exp(mid));
    if (v <= threshold) {
      lo = mid;
      best = { lambda: Math.exp(mid), value: v };
    } else hi = mid;
  }
  return best;
}

/** Validation curve on a grid (one-hyperparameter models) with the search on it. */
function validationPlot(res: TuneResult, d: LoadedData, o: CurveOptions, curve: CriterionCurve | undefined, logY: boolean, minimum: { lambda: number; value: number } | undefined): string {
  const searched = res.history.filter((h) => h.finite);
  const label = criterionLabel(o.criterion, o.model, o.folds);
  if (res.lambdas.length !== 1 || curve === undefined) {
    // several hyperparameters: no curve over one λ, the criterion along the search instead
    return lineChart([{ name: 'criterion at each evaluation', points: searched.map((h) => [h.evaluation + 1, h.value] as const), style: 'line+markers' }], {
      title: `${o.model} on ${d.description}: criterion along the search`,
      xLabel: 'evaluation (number)', yLabel: label + (logY ? ', log scale' : ''), yScale: logY ? 'log' : 'linear',
    });
  }
  return validationCurveChart({
    curve: curve.grid.map((l, k) => [l, curve.values[k]!] as const),
    search: searched.map((h) => ({ lambda: h.lambdas[0]!, value: h.value, gradient: h.gradient !== null })),
    selected: res.lambdas[0]!,
    ...(minimum ? { minimum: minimum.lambda } : {}),
    ...(curve.nullValue !== undefined ? { nullValue: curve.nullValue } : {}),
    criterionLabel: label, lambdaLabel: lambdaAxis(d), logY,
    title: `${o.model} on ${d.description}: validation curve and search`,
  });
}

/** Coefficient path of the Lasso on the training rows, from λ_max to below `selected` if given. */
function pathPlot(train: Dataset, d: LoadedData, o: { intercept: boolean; tol?: number; nLambdas?: number; eps?: number }, selected: number | undefined): string {
  const path = computePath(train, o, selected);
  return coefficientPathChart({
    lambdas: path.lambdas, coefs: path.coefs, featureNames: train.featureNames,
    ...(selected !== undefined ? { selected } : {}),
    coefLabel: coefUnits(d), lambdaLabel: lambdaAxis(d).replace('log scale', 'log scale, decreasing →'),
    title: `Lasso coefficient path on ${d.description}`,
    ...(d.noiseFeatures > 0 ? { muted: new Set(Array.from({ length: d.noiseFeatures }, (_, t) => train.nFeatures - d.noiseFeatures + t)) } : {}),
  });
}

function computePath(train: Dataset, o: { intercept: boolean; tol?: number; nLambdas?: number; eps?: number }, selected: number | undefined) {
  const first = lassoPath(train.X, train.y, { nLambdas: 2, eps: 0.5, fitIntercept: o.intercept });
  const lmax = first.lambdaMax;
  let eps = o.eps ?? 1e-3;
  if (selected !== undefined && lmax > 0) eps = Math.min(eps, (0.3 * selected) / lmax);
  eps = Math.max(eps, 1e-8);
  return lassoPath(train.X, train.y, { nLambdas: o.nLambdas ?? 60, eps, fitIntercept: o.intercept, tol: o.tol ?? 1e-6 });
}

/** Options of `nsdiff lasso path`. */
export interface PathCliOptions extends CommonOptions {
  nLambdas?: string;
  eps?: string;
  lambda?: string;
  plot?: string;
}

/** Runs `nsdiff lasso path`: the warm-started Lasso path; `--plot` draws it. */
export function runPath(opts: PathCliOptions, io: CliIO = defaultIO()): Record<string, unknown> {
  const model = oneOf(opts.model, ['lasso'] as const, '--model', 'lasso');
  const nLambdas = intIn(opts.nLambdas, '--n-lambdas', 2, 10000);
  const eps = numberIn(opts.eps, '--eps', 0, 1, ' (the smallest λ is eps × λ_max)');
  const tol = tolerance(opts.tol);
  const mark = opts.lambda === undefined ? undefined : lambdaList(opts.lambda);
  if (mark && mark.length !== 1) throw new InvalidArgumentError(`--lambda marks one λ on the path; got ${mark.length} values`);
  seedOf(opts);
  checkOutputs({ '--plot': opts.plot }, inputFiles(opts));
  const d = data(opts, io);
  if (d.val) throw new InvalidArgumentError('lasso path uses one data set: give --data (or --train without --val)');
  const o = { intercept: opts.intercept !== false, ...(tol !== undefined ? { tol } : {}), ...(nLambdas !== undefined ? { nLambdas } : {}), ...(eps !== undefined ? { eps } : {}) };
  const path = computePath(d.train, o, mark?.[0]);
  const names = d.train.featureNames;
  // λ at which each feature first becomes non-zero along the decreasing grid
  const entry = names.map((_, j) => {
    const k = path.coefs.findIndex((b) => b[j] !== 0);
    return k < 0 ? null : path.lambdas[k]!;
  });
  const result = {
    model, data: d.description, nSamples: d.train.nSamples, nFeatures: d.train.nFeatures, standardized: d.standardized,
    lambdaMax: path.lambdaMax, lambdas: Array.from(path.lambdas), featureNames: names,
    coefs: path.coefs.map((b) => Array.from(b)), intercepts: Array.from(path.intercepts),
    converged: path.converged.every(Boolean), entryLambda: entry, timeMs: Math.round(path.timings.totalMs),
  };
  if (opts.json) io.out(JSON.stringify(result, null, 2));
  else {
    io.out(`nsdiff lasso path — ${d.description} (${d.train.nSamples} rows × ${d.train.nFeatures} features${d.standardized ? '; standardised' : ''})`);
    io.out(`${path.lambdas.length} λ values from λ_max = ${path.lambdaMax.toPrecision(6)} down to ${path.lambdas[path.lambdas.length - 1]!.toPrecision(4)}; all solves converged: ${result.converged}; ${result.timeMs} ms`);
    const order = names.map((_, j) => j).filter((j) => entry[j] !== null).sort((a, b) => entry[b]! - entry[a]!);
    io.out(`order of entry (${order.length} of ${names.length} features ever non-zero):`);
    for (const j of order.slice(0, 20)) io.out(`  ${names[j]!.padEnd(16)} enters at λ = ${entry[j]!.toPrecision(4)}`);
    if (order.length > 20) io.out(`  … ${order.length - 20} more`);
  }
  writeOutputs([{ path: opts.plot, what: 'coefficient path', render: () => pathPlot(d.train, d, o, mark?.[0]) }], io, !!opts.json);
  return result;
}

/** Options of `nsdiff lasso hypergrad`. */
export interface HypergradCliOptions extends CommonOptions {
  lambda?: string;
  method?: string;
  criterion?: string;
  folds?: string;
}

/** Runs `nsdiff lasso hypergrad`. */
export function runHypergrad(opts: HypergradCliOptions, io: CliIO = defaultIO()): Record<string, unknown> {
  const model = oneOf<SparseModelKind>(opts.model, MODELS, '--model', 'lasso');
  const method = oneOf<HypergradMethod>(opts.method, METHODS, '--method', 'implicit');
  if (opts.lambda === undefined) throw new InvalidArgumentError('--lambda L is required (λ > 0; comma-separated for enet/wlasso)');
  const lambdas = lambdaList(opts.lambda);
  const criterionFlag = opts.criterion === undefined ? undefined : oneOf<CriterionKind>(opts.criterion, CRITERIA, '--criterion', 'cv');
  const folds = intIn(opts.folds, '--folds', 2, 1000);
  const tol = tolerance(opts.tol);
  seedOf(opts);
  const d = data(opts, io);
  checkLabels(model, d);
  const { train, val, description } = d;
  const criterion = criterionFlag ?? (val ? 'heldout' : 'cv');
  if (val && criterion !== 'heldout') throw new InvalidArgumentError(`--val gives a validation set, so --criterion must be heldout (got ${criterion})`);
  const want = model === 'enet' ? 2 : model === 'wlasso' ? train.nFeatures : 1;
  if (lambdas.length !== want && !(model === 'wlasso' && lambdas.length === 1)) {
    throw new InvalidArgumentError(`--lambda: --model ${model} takes ${want === 1 ? 'one value' : `${want} comma-separated values${model === 'wlasso' ? ' (one per feature)' : ' (λ₁,λ₂)'}`}; got ${lambdas.length}`);
  }
  if (criterion === 'cv' && (folds ?? 5) > train.nSamples) {
    throw new InvalidArgumentError(`--folds ${folds ?? 5} needs at least ${folds ?? 5} rows, but ${description} has ${train.nSamples}: use --folds ${Math.max(2, train.nSamples)} or fewer`);
  }
  const lam = model === 'wlasso' && lambdas.length === 1 ? new Array<number>(train.nFeatures).fill(lambdas[0]!) : lambdas;
  const r = lassoHypergradient(train, val, lam.length === 1 ? lam[0]! : lam, {
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
  if (opts.json) io.out(JSON.stringify(result, null, 2));
  else {
    io.out(`nsdiff lasso hypergrad — ${model}, ${r.criterionKind} criterion, method ${method}; data: ${description}`);
    io.out(`λ = ${Array.from(r.lambdas).join(', ')}  (λ_max = ${r.lambdaMax.toPrecision(6)})`);
    io.out(`criterion = ${r.criterion.toPrecision(10)}`);
    io.out(`d criterion / d log λ = ${Array.from(r.hypergradient, (g) => g.toPrecision(8)).join(', ')}`);
    io.out(`support size = ${r.supportSize}; inner solver converged: ${r.inner.converged}`);
    if (!r.diagnostics.ok) io.out(`warning: ${r.diagnostics.messages.join('; ')}`);
  }
  return result;
}
