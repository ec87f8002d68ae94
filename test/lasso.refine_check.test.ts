/**
 * @file Tests of the squared loss's fused refinement and recomputation (hypergrad_post.ts
 * `refineCheckWasm`, kernel lasso.wat `refcheck`): the residual update r ← r − X_SΔ, the
 * certificate's screen and X_jᵀr/n on the listed features in one call give the same bits as the
 * separate path (`residualStepWasm` + `corrCheckedSquared`, `postKernels.fused = false`) —
 * β, intercept, residual, diagnostics, recomputed count and hypergradient — over warm walks of the
 * Lasso and the elastic net (kinks, features entering and leaving, no refinement, no Gap Safe
 * bounds); on the 'js' backend (no engine: the separate JavaScript path) the hypergradients agree
 * with the WebAssembly backend's to 1e-9 relative.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeCorrelatedData } from '../src/data/synthetic.js';
import { takeRows, type DesignMatrix } from '../src/data/dataset.js';
import { SparseProblem } from '../src/lasso/hypergrad.js';
import { lasso } from '../src/lasso/cd.js';
import { postKernels, refineAndDiagnose, type SolverCheck } from '../src/lasso/hypergrad_post.js';
import { colDots, vecSum } from '../src/lasso/design.js';
import { onKernelBackend, withSetting } from './helpers.js';

const range = (a: number, b: number): Int32Array => Int32Array.from({ length: b - a }, (_, i) => a + i);

function data(n: number, p: number, seed: number, nTrain: number): { Xt: DesignMatrix; yt: Float64Array; Xv: DesignMatrix; yv: Float64Array } {
  const { X, y } = makeCorrelatedData(n, p, { seed, snr: 3, density: 0.15, corr: 0.6 });
  return { Xt: takeRows(X, range(0, nTrain)), yt: y.slice(0, nTrain), Xv: takeRows(X, range(nTrain, n)), yv: y.slice(nTrain) };
}

const bits = (a: ArrayLike<number>): number[] => Array.from(a);

/** One warm walk down and up the path: per step the solution, its diagnostics and the hypergradient. */
function walk(d: ReturnType<typeof data>, model: 'lasso' | 'enet', steps: number) {
  const prob = new SparseProblem(d.Xt, d.yt, model);
  const out: unknown[] = [];
  try {
    for (let k = 0; k < steps; k++) {
      const lam = (prob.lambdaMax / 4) * Math.pow(0.85, k < steps / 2 ? k : steps - k);
      const sol = prob.solve(model === 'lasso' ? [lam] : [lam, 0.1 * lam], { tol: k % 3 === 0 ? 1e-4 : 1e-7 });
      const pred = prob.predict(sol, d.Xv);
      const u = pred.map((v, i) => (2 * (v - d.yv[i]!)) / pred.length);
      const hg = prob.hypergradient(sol, prob.pullback(sol, d.Xv, u).gS, 0, { onFailure: 'return' });
      const dg = sol.diagnostics;
      out.push({
        beta: bits(sol.beta), intercept: sol.intercept, support: bits(sol.support), residual: bits(sol.residual),
        kinks: bits(dg.kinks), kkt: dg.kktViolation, violators: dg.kktViolators, E: dg.equicorrelationSize, refined: dg.refined,
        pivot: dg.minPivotRatio, cond: dg.conditionEstimate, rank: dg.rankDeficient, checked: sol.timings.checkedFeatures,
        grad: bits(hg.gradient),
      });
    }
  } finally {
    prob.dispose();
  }
  return out;
}

for (const [n, p, nTrain, seed] of [[130, 90, 101, 1], [180, 260, 143, 2], [90, 300, 64, 3]] as const) {
  test(`fused refinement + recomputation = the separate calls, bit for bit (${nTrain}×${p}, Lasso and elastic net walks)`, () => {
    const d = data(n, p, seed, nTrain);
    for (const model of ['lasso', 'enet'] as const) {
      const fused = walk(d, model, 16);
      const separate = withSetting(postKernels, 'fused', false, () => walk(d, model, 16));
      assert.deepEqual(fused, separate, model);
    }
  });
}

test('fused path without refinement, without Gap Safe bounds, at λmax (a kink), with a KKT violator, wide kink tolerance: the same bits', () => {
  const d = data(160, 220, 5, 120);
  const prob = new SparseProblem(d.Xt, d.yt, 'lasso');
  let kinks = 0, violators = 0;
  try {
    const n = prob.n;
    for (const [frac, drop] of [[1 / 8, false], [1, false], [1 / 3, true]] as const) {
    const lam = prob.lambdaMax * frac;
    const res = lasso(prob.design, prob.y, lam, { tol: 1e-6, fitIntercept: true, onFailure: 'return' });
    assert.ok(res.lastCheck !== undefined);
    const l1 = new Float64Array(prob.p).fill(lam);
    const xtr = new Float64Array(res.lastCheck.xtr);
    const j0 = Array.from(res.beta).findIndex((b, j) => b === 0 && prob.design.colNorms[j]! > 0);
    xtr[j0] = n * lam;
    const checks: SolverCheck[] = [
      { xtr: res.lastCheck.xtr, bound: res.lastCheck.bound, gap: res.gap, err: 0 },
      { xtr: res.lastCheck.xtr, bound: null, gap: res.gap, err: 0 },
      { xtr, bound: res.lastCheck.bound, gap: res.gap, err: 0 },
    ];
    if (drop) {
      // the largest coefficient dropped (r and Xᵀr recomputed): that feature violates the KKT conditions
      let jm = 0;
      for (let j = 0; j < prob.p; j++) if (Math.abs(res.beta[j]!) > Math.abs(res.beta[jm]!)) jm = j;
      const X = prob.design.data;
      for (let i = 0; i < n; i++) res.residual[i] += X[jm * n + i]! * res.beta[jm]!;
      res.beta[jm] = 0;
      const x2 = new Float64Array(prob.p);
      colDots(prob.design, res.residual, vecSum(n, res.residual), null, prob.p, x2);
      checks.splice(0, checks.length, { xtr: x2, bound: null, gap: 0, err: 0 });
    }
    for (const ck of checks) {
      for (const refine of [true, false]) {
        for (const kinkTol of [1e-6, 3e-2]) {
          const run = () => {
            const r = refineAndDiagnose(prob, null, null, l1, 0, new Float64Array(res.beta), new Float64Array(res.residual), res.intercept, null, { refine, kinkTol }, ck);
            return { beta: bits(r.beta), residual: bits(r.residual), intercept: r.intercept, diagnostics: { ...r.diagnostics, kinks: bits(r.diagnostics.kinks) }, checked: r.timings.checkedFeatures };
          };
          const a = run();
          const b = withSetting(postKernels, 'fused', false, run);
          assert.deepEqual(a, b, `λmax·${frac}, drop ${drop}, bound ${ck.bound !== null}, refine ${refine}, kinkTol ${kinkTol}`);
          assert.ok(a.checked < prob.p, 'the screen certified features');
          kinks += a.diagnostics.kinks.length;
          violators += a.diagnostics.kktViolators;
        }
      }
    }
    }
  } finally {
    prob.dispose();
  }
  assert.ok(kinks > 0 && violators > 0, `kinks ${kinks}, violators ${violators}: both branches of the scan taken`);
});

test("the 'js' backend (separate JavaScript path) agrees with the fused WebAssembly path to 1e-9", () => {
  const d = data(180, 260, 2, 143);
  const w = onKernelBackendValue('wasm', () => walk(d, 'lasso', 10)) as { grad: number[]; support: number[] }[];
  const j = onKernelBackendValue('js', () => walk(d, 'lasso', 10)) as { grad: number[]; support: number[] }[];
  for (let k = 0; k < w.length; k++) {
    assert.deepEqual(j[k]!.support, w[k]!.support, `step ${k}: support`);
    const a = w[k]!.grad[0]!, b = j[k]!.grad[0]!;
    assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a)), `step ${k}: ${a} vs ${b}`);
  }
});

function onKernelBackendValue<T>(b: 'wasm' | 'js', f: () => T): T {
  let v: T | undefined;
  onKernelBackend(b, () => {
    v = f();
  });
  return v!;
}
