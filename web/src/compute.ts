/**
 * @file The computations of the demo page, as plain functions of plain parameters returning
 * JSON-able results: Lasso tuning (validation curve, hypergradient path, coefficient path), the
 * kink explorer, and the pathological dynamics of Bolte, Le, Pauwels & Silveti-Falls (NeurIPS
 * 2021: cycles, Lorenz). The page runs them (the tuning and the dynamics in a Web Worker), and
 * test/web.chromium.test.ts runs the same functions under Node to compare the numbers.
 *
 * Imports are browser-safe: the package root, the Lasso kernel engine, and the experiments'
 * dynamics (src/experiments/cycles.ts, lorenz.ts: one copy of the computation, shared with the CLI).
 */
import {
  CrossValCriterion, geometricGrid, grad, InvertibilityError, lassoPath, loadDataset, makeCriterion,
  mul, relu, abs, hinge, clip, maximum, softThreshold, sub, tensor, tuneLasso, withKinkPolicy,
  type DatasetName, type KinkPolicy, type Tensor,
} from '../../src/index.js';
import { createEngine, releaseEngine } from '../../src/kernels/wasm_lasso.js';
import { argmaxLagrangian, crossings, descend, outerLoss } from '../../src/experiments/cycles.js';
import { lorenzArgmin, lorenzAscent, outerObjective } from '../../src/experiments/lorenz.js';

// ---------------------------------------------------------------------------------------------
// Lasso tuning

/** Parameters of the tuning panel. */
export interface TuneParams {
  dataset: DatasetName;
  model: 'lasso' | 'enet';
  criterion: 'heldout' | 'cv' | 'sure';
  folds: number;
  /** Standardize the features (z-scores) before tuning. */
  standardize: boolean;
}

/** Result of the tuning panel (plain arrays: it crosses the worker boundary as JSON). */
export interface TuneOutput {
  lambdas: number[];
  value: number;
  lambdaMax: number;
  /** The search: λ (first hyperparameter), criterion, whether a hypergradient was used. */
  search: { lambda: number; lambdas: number[]; value: number; gradient: boolean }[];
  /** The criterion on a geometric λ grid (one-hyperparameter models only). */
  curve: [number, number][];
  /** Criterion of the empty model (β = 0). */
  nullValue: number | null;
  /** Coefficient path: λ grid and coefficients (one row per λ). */
  path: { lambdas: number[]; coefs: number[][] };
  coef: number[];
  featureNames: string[];
  criterionLabel: string;
  /** Kernels of the dense Lasso solvers in this runtime: the WebAssembly SIMD engine or the JavaScript fallback. */
  kernels: 'wasm' | 'js';
}

/** Whether this runtime runs the WebAssembly SIMD engine of the Lasso solvers (else the JavaScript kernels). */
export function lassoKernels(): 'wasm' | 'js' {
  const e = createEngine(4, 2);
  if (e === null) return 'js';
  releaseEngine(e.engine);
  return 'wasm';
}

/** Progress of a long computation: a stage name and a fraction in [0, 1]. */
export type Progress = (stage: string, fraction: number) => void;

/** Column-wise z-scores of a column-major dense design (constant columns left centred). */
function standardizeColumns(data: Float64Array, n: number, p: number): Float64Array {
  const out = new Float64Array(data.length);
  for (let j = 0; j < p; j++) {
    let m = 0;
    for (let i = 0; i < n; i++) m += data[j * n + i]!;
    m /= n;
    let s = 0;
    for (let i = 0; i < n; i++) s += (data[j * n + i]! - m) ** 2;
    s = Math.sqrt(s / n);
    for (let i = 0; i < n; i++) out[j * n + i] = s > 0 ? (data[j * n + i]! - m) / s : data[j * n + i]! - m;
  }
  return out;
}

/** Tunes the model on the dataset, then computes the criterion curve and the coefficient path. */
export function runTuning(params: TuneParams, progress: Progress = () => {}): TuneOutput {
  const ds = loadDataset(params.dataset);
  if (ds.X.kind !== 'dense') throw new Error('bundled datasets are dense');
  const X = params.standardize ? { ...ds.X, data: standardizeColumns(ds.X.data, ds.nSamples, ds.nFeatures) } : ds.X;
  const critOpts = { model: params.model, criterion: params.criterion, folds: params.folds } as const;
  progress('hypergradient search', 0);
  let evals = 0;
  const res = tuneLasso(X, ds.y, {
    ...critOpts,
    onEvaluation: () => progress('hypergradient search', Math.min(0.95, ++evals / 30)),
  });
  const search = res.history.filter((h) => h.finite).map((h) => ({ lambda: h.lambdas[0]!, lambdas: Array.from(h.lambdas), value: h.value, gradient: h.gradient !== null }));
  const curve: [number, number][] = [];
  let nullValue: number | null = null;
  const crit = makeCriterion(X, ds.y, critOpts);
  try {
    if (res.lambdas.length === 1) {
      const lo = Math.min(...search.map((s) => s.lambda), res.lambdas[0]!, res.lambdaMax * 1e-3) / 1.5;
      const grid = Array.from(geometricGrid(res.lambdaMax, 30, Math.min(0.5, lo / res.lambdaMax)));
      grid.forEach((l, k) => {
        progress('validation curve', k / grid.length);
        const ev = crit.evaluate(l, { gradient: false, tol: 1e-6 });
        if (ev.finite) curve.push([l, ev.value]);
      });
    }
    const empty = crit.evaluate(params.model === 'enet' ? [10 * res.lambdaMax, 1e-3] : 10 * res.lambdaMax, { gradient: false, tol: 1e-6 });
    nullValue = empty.finite ? empty.value : null;
  } finally {
    crit.dispose?.();
  }
  progress('coefficient path', 0);
  const eps = Math.max(1e-4, Math.min(1e-3, (0.3 * res.lambdas[0]!) / res.lambdaMax));
  // 'sklearn': tol 1e-8 is already tight; the relative target asks ill-conditioned breast_cancer for more than 10 000 epochs
  const path = lassoPath(X, ds.y, { nLambdas: 40, eps, tol: 1e-8, accuracy: 'sklearn' });
  progress('done', 1);
  const folds = crit instanceof CrossValCriterion ? `${params.folds}-fold CV` : params.criterion === 'sure' ? 'SURE' : 'held-out';
  return {
    lambdas: Array.from(res.lambdas),
    value: res.value,
    lambdaMax: res.lambdaMax,
    search,
    curve,
    nullValue,
    path: { lambdas: Array.from(path.lambdas), coefs: path.coefs.map((c) => Array.from(c)) },
    coef: Array.from(res.coef),
    featureNames: ds.featureNames.slice(),
    kernels: lassoKernels(),
    criterionLabel: `${folds} ${params.criterion === 'sure' ? 'risk estimate' : 'mean squared error'} (${ds.targetName} units²)`,
  };
}

// ---------------------------------------------------------------------------------------------
// Kink explorer

/** The nonsmooth functions of the explorer: name → (formula, f on a scalar tensor). */
export const KINK_FUNCTIONS: Readonly<Record<string, { formula: string; f: (x: Tensor) => Tensor; kinks: number[] }>> = {
  relu: { formula: 'relu(x)', f: (x) => relu(x), kinks: [0] },
  abs: { formula: '|x|', f: (x) => abs(x), kinks: [0] },
  hinge: { formula: 'hinge(x) = max(0, 1 − x)', f: (x) => hinge(x), kinks: [1] },
  clip: { formula: 'clip(x, −1, 1)', f: (x) => clip(x, -1, 1), kinks: [-1, 1] },
  softThreshold: { formula: 'softThreshold(x, 0.5)', f: (x) => softThreshold(x, 0.5), kinks: [-0.5, 0.5] },
  maxPair: { formula: 'max(x, −2x)', f: (x) => maximum(x, mul(x, -2)), kinks: [0] },
  spurious: { formula: 'relu(x) − relu(−x)  (= x)', f: (x) => sub(relu(x), relu(mul(x, -1))), kinks: [0] },
};

/** Result of the kink explorer at one point. */
export interface KinkOutput {
  formula: string;
  x: number;
  value: number;
  /** The derivative the library returns under the policy. */
  selection: number;
  /** The Clarke interval conv{lim f′(x − δ), lim f′(x + δ)} (one-sided limits of the derivative). */
  clarke: [number, number];
  /** Whether the selection lies in the Clarke interval (a conservative derivative need not). */
  inClarke: boolean;
  /** The function and the selection's tangent on [x − 2, x + 2] for the plot. */
  curve: [number, number][];
}

/** Parses the policy names of the page: 'minNorm' | 'left' | 'right' | 'fixed:t' | 'random:seed'. */
export function parsePolicy(name: string): KinkPolicy {
  if (name === 'minNorm' || name === 'left' || name === 'right') return name;
  const [kind, arg] = name.split(':');
  if (kind === 'fixed') return { kind: 'fixed', t: Number(arg) };
  if (kind === 'random') return { kind: 'random', seed: Number(arg) };
  throw new Error(`unknown kink policy '${name}'`);
}

/** Value, selected derivative and Clarke interval of a function of the explorer at x. */
export function exploreKink(fn: string, x: number, policy: string): KinkOutput {
  const entry = KINK_FUNCTIONS[fn];
  if (!entry) throw new Error(`unknown function '${fn}'`);
  const f = entry.f;
  const d = grad((v: Tensor) => f(v));
  const at = (v: number): number => (d(tensor(v)) as Tensor).item();
  const selection = withKinkPolicy(parsePolicy(policy), () => at(x));
  // one-sided limits: the functions are piecewise linear with kinks ≥ 0.5 apart, so the derivative
  // at x ± δ (a smooth point) is the limit
  const delta = 1e-6;
  const left = at(x - delta);
  const right = at(x + delta);
  const clarke: [number, number] = [Math.min(left, right), Math.max(left, right)];
  const curve: [number, number][] = [];
  for (let k = 0; k <= 80; k++) {
    const v = x - 2 + (4 * k) / 80;
    curve.push([v, f(tensor(v)).item()]);
  }
  return {
    formula: entry.formula,
    x,
    value: f(tensor(x)).item(),
    selection,
    clarke,
    inClarke: selection >= clarke[0] - 1e-15 && selection <= clarke[1] + 1e-15,
    curve,
  };
}

// ---------------------------------------------------------------------------------------------
// Pathological dynamics (Bolte, Le, Pauwels, Silveti-Falls 2021)

/** What the default settings said: the refusal, or (unexpectedly) acceptance. */
export interface Refusal {
  refused: boolean;
  name: string;
  message: string;
  sigmaMin: number | null;
  selection: string | null;
}

function refusalOf(run: () => unknown): Refusal {
  try {
    run();
    return { refused: false, name: '', message: 'accepted', sigmaMin: null, selection: null };
  } catch (e) {
    if (!(e instanceof InvertibilityError)) throw e;
    const det = e.details;
    return { refused: true, name: e.name, message: e.message, sigmaMin: det.sigmaMin ?? null, selection: det.selection ?? null };
  }
}

/** Result of a dynamics panel: the refusal, then the trajectory with the pseudo-inverse. */
export interface DynamicsOutput {
  refusal: Refusal;
  /** Iterates (x, y) for the cycles, (u₁, u₂, u₃) for Lorenz. */
  path: number[][];
  /** Cycles: steps where c changes sign. Lorenz: sign changes of u₁ (lobe switches). */
  switches: number[];
}

/** Chunk size of the trajectories between progress reports (the chunks continue one another exactly). */
const CHUNK = 50;

/** The cycles example: gradient descent with the pseudo-inverse implicit Jacobian (src/experiments/cycles.ts). */
export function runCycles(steps = 300, eta = 0.05, progress: Progress = () => {}): DynamicsOutput {
  const refusal = refusalOf(() => grad(outerLoss(argmaxLagrangian()))(tensor([0.5, 0.5])));
  const s = argmaxLagrangian('lstsq');
  const path: Float64Array[] = [Float64Array.of(0.5, 0.5)];
  for (let k = 0; k < steps; k += CHUNK) {
    progress('cycles', k / steps);
    path.push(...descend(s, Math.min(CHUNK, steps - k), eta, Array.from(path[path.length - 1]!)).slice(1));
  }
  return { refusal, path: path.map((p) => Array.from(p)), switches: crossings(path) };
}

/** The Lorenz example: gradient ascent on uᵀz(u) with the pseudo-inverse, an Euler scheme of the Lorenz ODE (src/experiments/lorenz.ts). */
export function runLorenz(steps = 1500, eta = 0.01, progress: Progress = () => {}): DynamicsOutput {
  const refusal = refusalOf(() => grad(outerObjective(lorenzArgmin()))(tensor([1, 1, 1])));
  const path: Float64Array[] = [Float64Array.of(1, 1, 1)];
  for (let k = 0; k < steps; k += 2 * CHUNK) {
    progress('lorenz', k / steps);
    path.push(...lorenzAscent(Math.min(2 * CHUNK, steps - k), eta, Array.from(path[path.length - 1]!)).path.slice(1));
  }
  const switches: number[] = [];
  for (let k = 1; k < path.length; k++) if (Math.sign(path[k]![0]!) !== Math.sign(path[k - 1]![0]!)) switches.push(k);
  return { refusal, path: path.map((p) => Array.from(p)), switches };
}
