/**
 * @file Tests of the softmax row kernels (src/kernels/softmax.ts) and the gemm bias epilogue
 * (`matmulBias`, the dense layer): bit for bit against the composites they replace (softmax,
 * logSoftmax, logsumexp evaluated traced; crossEntropy and its gradient along a non-last axis,
 * which keeps the composite and performs the same arithmetic per sample), on random odd shapes
 * with C = 1, −∞ / +∞ / NaN entries and all −∞ rows; against plain TypeScript references (naive
 * formulas, to rounding); higher-order derivatives of crossEntropy (the primitive's rules on traced
 * values) against the composite and the closed form; matmulBias against matmul + add on both
 * kernel backends and on 1 and 2 threads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crossEntropyRowsKernel, logsumexpRowsKernel, softmaxRowsKernel } from '../src/kernels/softmax.js';
import { readyWorkers, setThreads, shutdownThreads } from '../src/kernels/threads.js';
import { gemmStrided } from '../src/kernels/blas.js';
import { wasmKernelsAvailable } from '../src/kernels/engine.js';
import { fromData, type Tensor } from '../src/core/tensor.js';
import { logSoftmax, logsumexp, softmax } from '../src/ops/normalize.js';
import { crossEntropy, type CrossEntropyOptions } from '../src/ops/losses.js';
import { add, mul } from '../src/ops/arithmetic.js';
import { sum } from '../src/ops/reduce.js';
import { matmul, matmulBias } from '../src/ops/matmul.js';
import { transpose } from '../src/ops/shape.js';
import { grad, hessian, jvp, vjp } from '../src/autodiff/transforms.js';
import { linear } from '../src/nn/layers/dense.js';
import { seeded } from './fixtures/seeded.js';
import { kernelBackends as backends, onKernelBackend as onBackend } from './helpers.js';

const bitsEqual = (a: Float64Array, b: Float64Array, what: string) => {
  assert.equal(a.length, b.length, `${what}: length`);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) assert.fail(`${what}: entry ${i}: ${a[i]} vs ${b[i]}`);
};
const close = (a: Float64Array, b: Float64Array, tol: number, what: string) => {
  assert.equal(a.length, b.length, `${what}: length`);
  let scale = 0;
  for (let i = 0; i < b.length; i++) if (Number.isFinite(b[i]!)) scale = Math.max(scale, Math.abs(b[i]!));
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(b[i]!) || !Number.isFinite(b[i]!)) assert.ok(Object.is(a[i], b[i]), `${what}: entry ${i}: ${a[i]} vs ${b[i]}`);
    else assert.ok(Math.abs(a[i]! - b[i]!) <= tol * Math.max(scale, 1e-300), `${what}: entry ${i}: ${a[i]} vs ${b[i]}`);
  }
};

/** Random logits [rows, C] scaled by `scale`, with special entries sprinkled in when `special`. */
function logits(rows: number, C: number, seed: number, scale = 4, special = false): Float64Array {
  const x = seeded(rows * C, seed).map((v) => scale * v);
  if (special && rows * C > 0) {
    const u = seeded(rows * C, seed + 1);
    for (let i = 0; i < x.length; i++) {
      if (u[i]! > 0.9) x[i] = -Infinity;
      else if (u[i]! < -0.96) x[i] = NaN;
      else if (u[i]! < -0.93) x[i] = Infinity;
      else if (u[i]! < -0.9) x[i] = 700 + x[i]!; // exp overflows without the shift
    }
    if (rows >= 2) x.fill(-Infinity, C, 2 * C); // an all −∞ row
  }
  return x;
}

const SHAPES: [number, number][] = [[1, 1], [5, 1], [1, 7], [3, 2], [7, 10], [13, 3], [4, 33], [0, 5]];

/** The composite of an op: its value with the input traced (the row kernels take concrete inputs only). */
function traced(f: (x: Tensor) => Tensor, x: Tensor): Float64Array {
  return jvp(f, [x], [fromData(new Float64Array(x.size), x.shape)])[0].data;
}

test('softmax / logSoftmax / logsumexp rows: the bits of the composite, also with ±∞, NaN and all −∞ rows', () => {
  let seed = 1;
  for (const [rows, C] of SHAPES) {
    for (const special of [false, true]) {
      for (const shape of [[rows, C], [1, rows, C]]) {
        const x = fromData(logits(rows, C, seed++, 30, special), shape);
        for (const [name, f] of [
          ['softmax', (t: Tensor) => softmax(t)],
          ['logSoftmax', (t: Tensor) => logSoftmax(t, { axis: -1 })],
          ['logsumexp', (t: Tensor) => logsumexp(t, { axis: -1 })],
          ['logsumexp keepdims', (t: Tensor) => logsumexp(t, { axis: shape.length - 1, keepdims: true })],
        ] as const) {
          const k = f(x);
          assert.equal(k.level, 0);
          bitsEqual(k.data, traced(f, x), `${name} ${shape} special=${special}`);
        }
      }
    }
  }
});

test('softmax rows against the plain TypeScript formula; edge cases', () => {
  const naive = (x: Float64Array, rows: number, C: number) => {
    const out = new Float64Array(rows * C);
    for (let r = 0; r < rows; r++) {
      const row = Array.from(x.subarray(r * C, r * C + C));
      const m = Math.max(...row);
      const s = row.reduce((a, v) => a + Math.exp(v - m), 0);
      row.forEach((v, j) => (out[r * C + j] = Math.exp(v - m) / s));
    }
    return out;
  };
  for (const [rows, C] of SHAPES) {
    const x = logits(rows, C, 40 + rows, 50);
    const out = new Float64Array(rows * C);
    softmaxRowsKernel(x, rows, C, out);
    close(out, naive(x, rows, C), 4e-16, `softmax ${rows}×${C}`);
  }
  const out = new Float64Array(3);
  softmaxRowsKernel(Float64Array.of(-Infinity, -Infinity, -Infinity), 1, 3, out);
  assert.ok(out.every(Number.isNaN), 'all −∞: 0/0');
  softmaxRowsKernel(Float64Array.of(1, NaN, 2), 1, 3, out);
  assert.ok(out.every(Number.isNaN), 'NaN propagates to the row');
  softmaxRowsKernel(Float64Array.of(-Infinity, 0, 1e308), 1, 3, out);
  assert.deepEqual([...out], [0, 0, 1]);
  const lse = new Float64Array(2);
  logsumexpRowsKernel(Float64Array.of(-Infinity, -Infinity, 1000, 1000), 2, 2, lse);
  assert.deepEqual([...lse], [-Infinity, 1000 + Math.log(2)]);
  softmaxRowsKernel(Float64Array.of(3), 1, 1, out);
  assert.equal(out[0], 1, 'C = 1');
});

/** crossEntropy through the composite: the class axis moved to the front (axis 0 keeps the composite). */
function compositeCe(z: Tensor, labels: Tensor | Int32Array, opts: CrossEntropyOptions): Tensor {
  return crossEntropy(transpose(z), labels instanceof Int32Array ? labels : transpose(labels), { ...opts, axis: 0 });
}

test('crossEntropy along the last axis (fused rows): loss and gradients have the bits of the composite', () => {
  let seed = 100;
  for (const [rows, C] of SHAPES) {
    if (rows === 0) continue;
    for (const special of [false, true]) {
      for (const smoothing of [0, 0.1]) {
        for (const reduction of ['mean', 'sum', 'none'] as const) {
          const z = fromData(logits(rows, C, seed++, 8, special), [rows, C]);
          const ys = Int32Array.from(seeded(rows, seed++), (v) => Math.min(C - 1, Math.floor(((v + 1) / 2) * C)));
          const p = fromData(seeded(rows * C, seed++).map((v) => (v + 1) / 2), [rows, C]);
          const opts = { labelSmoothing: smoothing, reduction };
          const w = fromData(seeded(rows, seed++), reduction === 'none' ? [rows] : []);
          const what = `${rows}×${C} special=${special} ε=${smoothing} ${reduction}`;
          // integer labels
          const [lossF, pbF] = vjp((t: Tensor) => crossEntropy(t, ys, opts), z);
          const [lossC, pbC] = vjp((t: Tensor) => compositeCe(t, ys, opts), z);
          bitsEqual(lossF.data, lossC.data, `labels loss ${what}`);
          bitsEqual(pbF(w)[0].data, pbC(w)[0].data, `labels gradient ${what}`);
          // probability targets, both arguments differentiated
          const [lossPF, pbPF] = vjp((t: Tensor, q: Tensor) => crossEntropy(t, q, opts), z, p);
          const [lossPC, pbPC] = vjp((t: Tensor, q: Tensor) => compositeCe(t, q, opts), z, p);
          bitsEqual(lossPF.data, lossPC.data, `probs loss ${what}`);
          const [gz, gp] = pbPF(w), [cz, cp] = pbPC(w);
          bitsEqual(gz.data, cz.data, `probs logits gradient ${what}`);
          bitsEqual(gp.data, cp.data, `probs target gradient ${what}`);
        }
      }
    }
  }
});

test('crossEntropy rows against the plain TypeScript formula: −log softmax_y and (softmax − onehot)/N', () => {
  const rows = 9, C = 7;
  const x = logits(rows, C, 7, 6);
  const ys = Int32Array.from({ length: rows }, (_, r) => (3 * r) % C);
  const out = new Float64Array(rows);
  crossEntropyRowsKernel(x, rows, C, { labels: ys }, 0, out);
  const g = grad((t: Tensor) => crossEntropy(t, ys))(fromData(x, [rows, C])).data;
  const refL = new Float64Array(rows), refG = new Float64Array(rows * C);
  for (let r = 0; r < rows; r++) {
    const row = Array.from(x.subarray(r * C, r * C + C));
    const m = Math.max(...row);
    const s = row.reduce((a, v) => a + Math.exp(v - m), 0);
    refL[r] = -(row[ys[r]!]! - m - Math.log(s));
    row.forEach((v, j) => (refG[r * C + j] = (Math.exp(v - m) / s - (j === ys[r] ? 1 : 0)) / rows));
  }
  close(out, refL, 1e-15, 'loss');
  close(g, refG, 1e-15, 'gradient');
});

test('crossEntropy higher order (the primitive rules on traced values): Hessian, jvp vs vjp, against the composite', () => {
  const rows = 3, C = 4;
  const z = fromData(logits(rows, C, 11, 2), [rows, C]);
  const ys = Int32Array.of(1, 3, 0);
  const p = fromData(seeded(rows * C, 12).map((v) => (v + 1) / 2), [rows, C]);
  for (const smoothing of [0, 0.2]) {
    const opts = { labelSmoothing: smoothing };
    const H = hessian((t: Tensor) => crossEntropy(t, ys, opts))(z).data;
    const Hc = hessian((t: Tensor) => compositeCe(t, ys, opts))(z).data;
    close(H, Hc, 1e-14, `Hessian labels ε=${smoothing}`);
    // closed form: block diagonal (diag(s) − s sᵀ)/N (ΣP = 1)
    const s = softmax(z).data;
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < C; i++) {
        for (let j = 0; j < C; j++) {
          const e = ((i === j ? s[r * C + i]! : 0) - s[r * C + i]! * s[r * C + j]!) / rows;
          const h = H[(r * C + i) * rows * C + r * C + j]!;
          assert.ok(Math.abs(h - e) < 1e-14, `Hessian entry (${r}, ${i}, ${j}): ${h} vs ${e}`);
        }
      }
    }
    const Hp = hessian((t: Tensor) => crossEntropy(t, p, opts))(z).data;
    const Hpc = hessian((t: Tensor) => compositeCe(t, p, opts))(z).data;
    close(Hp, Hpc, 1e-14, `Hessian probs ε=${smoothing}`);
    // mixed second derivative through the targets: d/dp of the logits gradient
    const f = (t: Tensor, q: Tensor) => crossEntropy(t, q, opts);
    const v = fromData(seeded(rows * C, 13), [rows, C]), u = fromData(seeded(rows * C, 14), [rows, C]);
    const dgF = jvp((q: Tensor) => grad(f)(z, q), [p], [u])[1].data;
    const dgC = jvp((q: Tensor) => grad((t: Tensor, r: Tensor) => compositeCe(t, r, opts))(z, q), [p], [u])[1].data;
    close(dgF, dgC, 1e-14, `∂²/∂p∂z ε=${smoothing}`);
    // ⟨J v, w⟩ = ⟨v, Jᵀ w⟩ for the per-row losses in (z, p)
    const g = (t: Tensor, q: Tensor) => crossEntropy(t, q, { ...opts, reduction: 'none' });
    const w = fromData(seeded(rows, 15), [rows]);
    const Jv = jvp(g, [z, p], [v, u])[1];
    const [gz, gp] = vjp(g, z, p)[1](w);
    const lhs = sum(mul(Jv, w)).item();
    const rhs = sum(mul(gz, v)).item() + sum(mul(gp, u)).item();
    assert.ok(Math.abs(lhs - rhs) < 1e-13 * Math.max(1, Math.abs(lhs)), `dot test ${lhs} vs ${rhs}`);
  }
});

test('matmulBias: the bits of add(matmul(x, W), b) on both backends, values and gradients', () => {
  const shapes: [number, number, number][] = [[1, 5, 3], [6, 1, 4], [7, 9, 5], [33, 17, 20], [128, 10, 128], [65, 70, 3], [4, 6, 0]];
  let seed = 200;
  for (const backend of backends) {
    onBackend(backend, () => {
      for (const [m, n, k] of shapes) {
        const x = fromData(seeded(m * k, seed++), [m, k]), W = fromData(seeded(k * n, seed++), [k, n]), b = fromData(seeded(n, seed++), [n]);
        const ct = fromData(seeded(m * n, seed++), [m, n]);
        const [yF, pbF] = vjp((a: Tensor, w: Tensor, c: Tensor) => matmulBias(a, w, c), x, W, b);
        const [yC, pbC] = vjp((a: Tensor, w: Tensor, c: Tensor) => add(matmul(a, w), c), x, W, b);
        const what = `${backend} ${m}×${k}·${k}×${n}`;
        bitsEqual(yF.data, yC.data, `value ${what}`);
        bitsEqual(matmulBias(x, W, b).data, yC.data, `concrete value ${what}`);
        const gF = pbF(ct), gC = pbC(ct);
        for (let i = 0; i < 3; i++) bitsEqual(gF[i]!.data, gC[i]!.data, `gradient ${i} ${what}`);
        const tF = jvp((a: Tensor, w: Tensor, c: Tensor) => matmulBias(a, w, c), [x, W, b], [x, W, b])[1];
        const tC = jvp((a: Tensor, w: Tensor, c: Tensor) => add(matmul(a, w), c), [x, W, b], [x, W, b])[1];
        bitsEqual(tF.data, tC.data, `tangent ${what}`);
      }
    });
  }
  assert.throws(() => matmulBias(fromData(new Float64Array(6), [2, 3]), fromData(new Float64Array(6), [3, 2]), fromData(new Float64Array(3), [3])), /matmulBias: needs x \[m, k\], w \[k, n\] and b \[n\]/);
});

test('gemmStrided bias epilogue: (α·op(A)·op(B) + β·C) + b with offsets and strides, the bits of a separate add, both backends', () => {
  let seed = 300;
  for (const backend of backends) {
    onBackend(backend, () => {
      for (const [m, n, k] of [[3, 5, 2], [17, 19, 23], [40, 33, 64]] as const) {
        for (const [alpha, beta] of [[1, 0], [-0.5, 0], [1, 1], [2, -0.25]] as const) {
          for (const transB of [false, true]) {
            const oa = 3, ob = 5, oc = 2, ldc = n + 3, obias = 4;
            const A = seeded(oa + m * k, seed++), B = seeded(ob + k * n, seed++), bias = seeded(obias + n, seed++);
            const C0 = seeded(oc + m * ldc, seed++);
            const C = C0.slice(), R = C0.slice();
            gemmStrided(false, transB, m, n, k, alpha, A, oa, k, B, ob, transB ? k : n, beta, C, oc, ldc, bias, obias);
            gemmStrided(false, transB, m, n, k, alpha, A, oa, k, B, ob, transB ? k : n, beta, R, oc, ldc);
            for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) R[oc + i * ldc + j] = R[oc + i * ldc + j]! + bias[obias + j]!;
            bitsEqual(C, R, `${backend} ${m}×${n}×${k} α=${alpha} β=${beta} transB=${transB}`);
          }
        }
      }
    });
  }
  assert.throws(() => gemmStrided(false, false, 2, 3, 2, 1, new Float64Array(4), 0, 2, new Float64Array(6), 0, 3, 0, new Float64Array(6), 0, 3, new Float64Array(2)), /gemm: bias/);
});

test('the linear layer uses matmulBias: output and parameter gradients as matmul + add', () => {
  const layer = linear(11);
  const { params } = layer.init(3, [19]);
  const x = fromData(seeded(23 * 19, 5), [23, 19]);
  const loss = (ps: typeof params) => sum(mul(layer.apply(ps, x), layer.apply(ps, x)));
  const ref = (ps: typeof params) => {
    const y = add(matmul(x, ps.w), ps.b!);
    return sum(mul(y, y));
  };
  bitsEqual(layer.apply(params, x).data, add(matmul(x, params.w), params.b!).data, 'forward');
  const g = grad(loss)(params), gr = grad(ref)(params);
  bitsEqual(g.w.data, gr.w.data, 'dW');
  bitsEqual(g.b!.data, gr.b!.data, 'db');
});

test('matmulBias on 1 and 2 threads gives the same bits', async () => {
  if (!wasmKernelsAvailable()) return;
  const m = 260, n = 200, k = 300; // above the pool threshold
  const x = fromData(seeded(m * k, 1), [m, k]), W = fromData(seeded(k * n, 2), [k, n]), b = fromData(seeded(n, 3), [n]);
  const prev = setThreads(1);
  try {
    const one = matmulBias(x, W, b).data;
    setThreads(2);
    matmulBias(x, W, b);
    for (let t = 0; t < 100 && readyWorkers() === 0; t++) await new Promise((r) => setTimeout(r, 20));
    for (let t = 0; t < 3; t++) bitsEqual(matmulBias(x, W, b).data, one, '2 threads');
    bitsEqual(add(matmul(x, W), b).data, one, 'matmul + add');
  } finally {
    setThreads(prev);
    shutdownThreads();
  }
});
