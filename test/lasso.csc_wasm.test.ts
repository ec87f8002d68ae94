/**
 * @file The WebAssembly CD kernel of CSC designs (`cepoch`, src/kernels/wasm/lasso.wat) against the
 * JavaScript epoch (`epochSparse`, backend 'js'): the same operations in the same order, so the
 * solutions, gaps and epoch counts are bit-identical, with implicit centring or not, for the Lasso,
 * the elastic net, the weighted Lasso and a warm-started path; empty columns and a prepared design
 * reused across solves included.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rng } from '../src/core/rng.js';
import { CscMatrix } from '../src/linalg/sparse/csc.js';
import { elasticNet, lambdaMax, lasso, lassoPath, prepareDesign, weightedLasso, disposeDesign, type SolverResult } from '../src/lasso/index.js';
import { setKernelBackend, wasmKernelsAvailable } from '../src/internals.js';

/** Random n×p CSC matrix (density d, column 1 empty), y with a sparse truth plus noise. */
function sparseProblem(seed: number, n: number, p: number, d: number): { X: CscMatrix; y: Float64Array } {
  const g = rng(seed);
  const indptr = new Int32Array(p + 1);
  const idx: number[] = [];
  const val: number[] = [];
  for (let j = 0; j < p; j++) {
    if (j !== 1) for (let i = 0; i < n; i++) if (g.random() < d) {
      idx.push(i);
      val.push(g.normalScalar() + (j % 4 === 0 ? 1 : 0));
    }
    indptr[j + 1] = idx.length;
  }
  const X = new CscMatrix(n, p, indptr, Int32Array.from(idx), Float64Array.from(val));
  const y = new Float64Array(n);
  for (let j = 0; j < p; j += 7) for (let k = indptr[j]!; k < indptr[j + 1]!; k++) y[idx[k]!] += 2 * val[k]!;
  for (let i = 0; i < n; i++) y[i] += 0.3 * g.normalScalar() + 0.5;
  return { X, y };
}

function withBackend<T>(b: 'wasm' | 'js', f: () => T): T {
  const prev = setKernelBackend(b);
  try {
    return f();
  } finally {
    setKernelBackend(prev);
  }
}

function same(a: SolverResult, b: SolverResult, what: string): void {
  assert.deepEqual(Array.from(a.beta), Array.from(b.beta), `${what}: beta`);
  assert.equal(a.gap, b.gap, `${what}: gap`);
  assert.equal(a.iterations, b.iterations, `${what}: epochs`);
  assert.equal(a.intercept, b.intercept, `${what}: intercept`);
}

test('CSC CD: the WebAssembly kernel and the JavaScript epoch give bit-identical solves', { skip: !wasmKernelsAvailable() }, () => {
  for (const [seed, n, p, dens] of [[1, 40, 90, 0.1], [2, 123, 57, 0.05], [3, 300, 400, 0.02]] as const) {
    const { X, y } = sparseProblem(seed, n, p, dens);
    for (const fitIntercept of [true, false]) {
      const lmax = lambdaMax(X, y, { fitIntercept });
      const w = new Float64Array(p).fill(1);
      w[3] = 0.5;
      w[5] = 2;
      const solves = (): SolverResult[] => [
        lasso(X, y, lmax / 20, { tol: 1e-10, fitIntercept }),
        lasso(X, y, lmax / 200, { tol: 1e-8, fitIntercept, workingSet: false, acceleration: 'none' }),
        elasticNet(X, y, lmax / 50, 0.1, { tol: 1e-10, fitIntercept }),
        weightedLasso(X, y, lmax / 30, w, { tol: 1e-10, fitIntercept }),
      ];
      const a = withBackend('wasm', solves);
      const b = withBackend('js', solves);
      for (let k = 0; k < a.length; k++) {
        assert.ok(a[k]!.converged, `converged ${seed} ${k}`);
        same(a[k]!, b[k]!, `seed ${seed} intercept ${fitIntercept} solve ${k}`);
      }
    }
  }
});

test('CSC CD: a prepared design reused along a path, WebAssembly vs JavaScript', { skip: !wasmKernelsAvailable() }, () => {
  const { X, y } = sparseProblem(4, 200, 300, 0.03);
  const run = (): { coefs: Float64Array[]; iters: Int32Array; wasm: boolean } => {
    const d = prepareDesign(X);
    const path = lassoPath(d, y, { nLambdas: 12, tol: 1e-8 });
    const wasm = d.cscWasm != null;
    disposeDesign(d);
    return { coefs: path.coefs, iters: path.iterations, wasm };
  };
  const a = withBackend('wasm', run);
  const b = withBackend('js', run);
  assert.ok(a.wasm && !b.wasm, 'the engine is used only with the wasm backend');
  assert.deepEqual(Array.from(a.iters), Array.from(b.iters));
  for (let k = 0; k < a.coefs.length; k++) assert.deepEqual(Array.from(a.coefs[k]!), Array.from(b.coefs[k]!), `λ ${k}`);
});
