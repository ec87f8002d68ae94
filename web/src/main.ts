/**
 * @file The demo page: wires the controls of index.html to compute.ts. The Lasso tuning and the
 * pathological dynamics run in a Web Worker (worker.ts) with a progress bar; the kink explorer runs
 * on the main thread (it is instantaneous). Figures are the library's own SVG charts (src/plot/).
 * Every finished panel stores its numbers in `window.__nsdiff` (read by test/web.chromium.test.ts)
 * and sets `data-state="done"` on its section.
 */
import { lineChart, type Series } from '../../src/index.js';
import { coefficientPathChart, validationCurveChart } from '../../src/plot/figures.js';
import { exploreKink, KINK_FUNCTIONS, lassoKernels, type DynamicsOutput, type KinkOutput, type TuneOutput, type TuneParams } from './compute.js';
import type { Job, JobSpec, Reply } from './protocol.js';

/** Results of the panels, for the browser test. */
interface DemoResults {
  tune?: TuneOutput;
  kink?: KinkOutput;
  cycles?: DynamicsOutput;
  lorenz?: DynamicsOutput;
  /** Lasso kernels available on the page's main thread (the worker reports its own in `tune`). */
  mainThreadKernels: 'wasm' | 'js';
  errors: string[];
}
const results: DemoResults = { errors: [], mainThreadKernels: lassoKernels() };
(window as unknown as { __nsdiff: DemoResults }).__nsdiff = results;

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing element #${id}`);
  return el as T;
};
const fmt = (v: number, digits = 4): string => (Number.isFinite(v) ? Number(v.toPrecision(digits)).toString() : String(v));

// ---------------------------------------------------------------------------------------------
// worker jobs

const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
let nextId = 1;
const pending = new Map<number, { onProgress: (stage: string, f: number) => void; resolve: (r: Reply & { type: 'result' }) => void; reject: (e: Error) => void }>();
worker.onmessage = (e: MessageEvent<Reply>) => {
  const msg = e.data;
  const p = pending.get(msg.id);
  if (!p) return;
  if (msg.type === 'progress') p.onProgress(msg.stage, msg.fraction);
  else {
    pending.delete(msg.id);
    if (msg.type === 'result') p.resolve(msg);
    else p.reject(Object.assign(new Error(msg.message), { name: msg.name }));
  }
};
worker.onerror = (e) => {
  results.errors.push(`worker: ${e.message}`);
};

/** Posts a job to the worker; progress goes to the <progress> element and label of `panel`. */
function runJob(job: JobSpec, panel: string): Promise<Reply & { type: 'result' }> {
  const id = nextId++;
  const bar = $<HTMLProgressElement>(`${panel}-progress`);
  const label = $(`${panel}-status`);
  bar.value = 0;
  label.textContent = 'starting…';
  return new Promise((resolve, reject) => {
    pending.set(id, {
      onProgress: (stage, f) => {
        bar.value = f;
        label.textContent = `${stage}… ${Math.round(100 * f)}%`;
      },
      resolve: (r) => {
        bar.value = 1;
        label.textContent = `done in ${(r.ms / 1000).toFixed(2)} s (in a Web Worker)`;
        resolve(r);
      },
      reject: (err) => {
        label.textContent = `${err.name}: ${err.message}`;
        results.errors.push(`${panel}: ${err.name}: ${err.message}`);
        reject(err);
      },
    });
    const msg: Job = { ...job, id };
    worker.postMessage(msg);
  });
}

function setState(panel: string, state: 'idle' | 'running' | 'done' | 'error'): void {
  $(panel).dataset['state'] = state;
}

// ---------------------------------------------------------------------------------------------
// 1. Lasso tuning

async function tune(): Promise<void> {
  const params: TuneParams = {
    dataset: $<HTMLSelectElement>('tune-dataset').value as TuneParams['dataset'],
    model: $<HTMLSelectElement>('tune-model').value as TuneParams['model'],
    criterion: $<HTMLSelectElement>('tune-criterion').value as TuneParams['criterion'],
    folds: Number($<HTMLInputElement>('tune-folds').value),
    standardize: $<HTMLInputElement>('tune-standardize').checked,
  };
  setState('tune', 'running');
  $<HTMLButtonElement>('tune-run').disabled = true;
  try {
    const r = (await runJob({ kind: 'tune', params }, 'tune')).result as TuneOutput;
    results.tune = r;
    const lam = r.lambdas.map((l) => fmt(l)).join(', ');
    $('tune-summary').textContent =
      `selected λ = ${lam} (λ_max = ${fmt(r.lambdaMax)}), criterion ${fmt(r.value, 6)}; Lasso kernels: ${r.kernels === "wasm" ? "WebAssembly SIMD" : "JavaScript"}; ${r.search.length} evaluations, ` +
      `${r.search.filter((s) => s.gradient).length} with a hypergradient; ${r.coef.filter((c) => c !== 0).length} of ${r.coef.length} coefficients non-zero.`;
    $('tune-curve').innerHTML =
      r.lambdas.length === 1
        ? validationCurveChart({
            curve: r.curve,
            search: r.search.map((s) => ({ lambda: s.lambda, value: s.value, gradient: s.gradient })),
            selected: r.lambdas[0]!,
            ...(r.nullValue !== null ? { nullValue: r.nullValue } : {}),
            criterionLabel: r.criterionLabel,
            title: `${params.model} on ${params.dataset}: validation curve and hypergradient path`,
          })
        : lineChart([{ name: 'criterion at each evaluation', points: r.search.map((s, k) => [k + 1, s.value] as const), style: 'line+markers' }], {
            title: `${params.model} on ${params.dataset}: criterion along the search (two hyperparameters)`,
            xLabel: 'evaluation (number)',
            yLabel: r.criterionLabel,
          });
    $('tune-path').innerHTML = coefficientPathChart({
      lambdas: r.path.lambdas,
      coefs: r.path.coefs,
      featureNames: r.featureNames,
      selected: r.lambdas[0]!,
      coefLabel: params.standardize ? 'coefficient (target units per feature sd)' : 'coefficient',
      lambdaLabel: 'λ (log scale, decreasing →)',
      title: `Lasso coefficient path on ${params.dataset}`,
    });
    setState('tune', 'done');
  } catch {
    setState('tune', 'error');
  } finally {
    $<HTMLButtonElement>('tune-run').disabled = false;
  }
}

// ---------------------------------------------------------------------------------------------
// 2. Kink explorer

function explore(): void {
  const fn = $<HTMLSelectElement>('kink-fn').value;
  const x = Number($<HTMLInputElement>('kink-x').value);
  const policy = $<HTMLSelectElement>('kink-policy').value;
  try {
    const r = exploreKink(fn, x, policy);
    results.kink = r;
    $('kink-value').textContent = fmt(r.value, 12);
    $('kink-selection').textContent = fmt(r.selection, 12);
    $('kink-clarke').textContent = r.clarke[0] === r.clarke[1] ? `{${fmt(r.clarke[0], 12)}}` : `[${fmt(r.clarke[0], 12)}, ${fmt(r.clarke[1], 12)}]`;
    $('kink-verdict').textContent = r.inClarke
      ? 'the selection is an element of the Clarke derivative'
      : 'the selection is NOT in the Clarke derivative: a conservative derivative of the composition (chain rule through the kinks), exact almost everywhere';
    const tangent: Series = { name: `slope ${fmt(r.selection)} (selection)`, points: [-2, 2].map((d) => [x + d, r.value + d * r.selection] as const), color: '#e15759', width: 1.2 };
    $('kink-plot').innerHTML = lineChart([{ name: r.formula, points: r.curve }, tangent, { name: 'x', points: [[x, r.value]], style: 'markers', color: '#333' }], {
      title: `${r.formula} at x = ${fmt(x)}, policy ${policy}`,
      xLabel: 'x',
      yLabel: 'f(x)',
      width: 560,
      height: 340,
    });
    setState('kink', 'done');
  } catch (err) {
    $('kink-verdict').textContent = String(err);
    results.errors.push(`kink: ${String(err)}`);
    setState('kink', 'error');
  }
}

function kinkFunctionChanged(): void {
  const fn = $<HTMLSelectElement>('kink-fn').value;
  $<HTMLInputElement>('kink-x').value = String(KINK_FUNCTIONS[fn]!.kinks[0]);
  explore();
}

// ---------------------------------------------------------------------------------------------
// 3. Pathological dynamics, animated

/** Draws the trajectory up to frame k of n, then schedules the next frame. */
function animate(panel: 'cycles' | 'lorenz', r: DynamicsOutput): Promise<void> {
  const frames = 40;
  const n = r.path.length;
  const project = panel === 'cycles' ? (p: number[]) => [p[0]!, p[1]!] as const : (p: number[]) => [p[0]!, p[2]!] as const;
  const extra: Series[] =
    panel === 'cycles'
      ? [
          { name: 'c(x, y) = 0 (s jumps)', points: [[0.4, -0.8], [2.4, 5.2]], color: '#999', width: 1 },
          { name: 's = (3, 5) and (0, 0)', points: [[3, 5], [0, 0]], style: 'markers', color: '#59a14f' },
        ]
      : [];
  return new Promise((resolve) => {
    let f = 1;
    const draw = (): void => {
      const upto = Math.max(2, Math.round((n * f) / frames));
      const pts = r.path.slice(0, upto).map(project);
      $(`${panel}-plot`).innerHTML = lineChart([...extra, { name: `iterates 0…${upto - 1}`, points: pts, width: 1.2 }, { name: 'current', points: [pts[pts.length - 1]!], style: 'markers', color: '#e15759' }], {
        title: panel === 'cycles' ? 'gradient descent with the pseudo-inverse: a cycle around the jump' : 'gradient ascent with the pseudo-inverse: the Lorenz attractor',
        xLabel: panel === 'cycles' ? 'x' : 'u₁',
        yLabel: panel === 'cycles' ? 'y' : 'u₃',
        width: 560,
        height: 400,
      });
      if (f++ < frames) requestAnimationFrame(draw);
      else resolve();
    };
    draw();
  });
}

async function dynamics(panel: 'cycles' | 'lorenz'): Promise<void> {
  setState(panel, 'running');
  $<HTMLButtonElement>(`${panel}-run`).disabled = true;
  try {
    const steps = Number($<HTMLInputElement>(`${panel}-steps`).value);
    const r = (await runJob({ kind: panel, steps }, panel)).result as DynamicsOutput;
    const ref = r.refusal;
    $(`${panel}-refusal`).textContent = ref.refused
      ? `default settings refuse — ${ref.name}: ${ref.message}` + (ref.sigmaMin !== null ? ` (σ_min = ${ref.sigmaMin})` : '')
      : 'default settings accepted (unexpected)';
    $(`${panel}-summary`).textContent =
      panel === 'cycles'
        ? `then with fallback 'lstsq' (pseudo-inverse): ${r.switches.length} crossings of the line c = 0 in ${steps} steps; last iterate (${r.path.at(-1)!.map((v) => fmt(v)).join(', ')}) — no convergence`
        : `then with fallback 'lstsq' (pseudo-inverse): the "gradient" is F(u), ascent is Euler's scheme of the Lorenz ODE; ${r.switches.length} lobe switches in ${steps} steps`;
    await animate(panel, r);
    results[panel] = r;
    setState(panel, 'done');
  } catch {
    setState(panel, 'error');
  } finally {
    $<HTMLButtonElement>(`${panel}-run`).disabled = false;
  }
}

// ---------------------------------------------------------------------------------------------
// wiring

const fnSelect = $<HTMLSelectElement>('kink-fn');
for (const [name, entry] of Object.entries(KINK_FUNCTIONS)) fnSelect.add(new Option(entry.formula, name));
$('tune-run').addEventListener('click', () => void tune());
$('tune-criterion').addEventListener('change', () => {
  $<HTMLInputElement>('tune-folds').disabled = $<HTMLSelectElement>('tune-criterion').value !== 'cv'; // folds are for CV only
});
for (const id of ['kink-x', 'kink-policy']) $(id).addEventListener('change', explore);
fnSelect.addEventListener('change', kinkFunctionChanged);
$('cycles-run').addEventListener('click', () => void dynamics('cycles'));
$('lorenz-run').addEventListener('click', () => void dynamics('lorenz'));
kinkFunctionChanged();
document.body.dataset['ready'] = '1';
