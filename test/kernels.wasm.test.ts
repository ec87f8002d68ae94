/**
 * @file Tests of the kernel layer's WebAssembly path against the TypeScript reference: gemm on
 * random odd shapes with offsets, leading dimensions larger than the row, every transpose
 * combination and α/β (β = 0 must not read C), on both backends; aliasing; the backend switch; the
 * generated module being up to date with its .wat source; batched matmul; and the Lasso engine
 * under both backends.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { gemmStrided, gemmStridedJs } from '../src/kernels/blas.js';
import { decodeBase64, dropKernelMemory, getKernelBackend, kernelMemoryBytes, setKernelBackend, wasmKernelsAvailable, type KernelBackend } from '../src/kernels/engine.js';
import { shutdownThreads } from '../src/kernels/threads.js';
import { InvalidArgumentError } from '../src/core/errors.js';
import { lasso } from '../src/lasso/index.js';
import { makeCorrelatedData } from '../src/data/synthetic.js';
import { tensor } from '../src/core/tensor.js';
import { matmul } from '../src/ops/matmul.js';
import { reshape } from '../src/ops/shape.js';
import { seeded } from './fixtures/seeded.js';

/** C ← α·op(A)·op(B) + β·C by the definition, on strided operands. */
function naive(tA: boolean, tB: boolean, m: number, n: number, k: number, alpha: number, A: Float64Array, oa: number, lda: number,
  B: Float64Array, ob: number, ldb: number, beta: number, C: Float64Array, oc: number, ldc: number): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += (tA ? A[oa + p * lda + i]! : A[oa + i * lda + p]!) * (tB ? B[ob + j * ldb + p]! : B[ob + p * ldb + j]!);
      C[oc + i * ldc + j] = alpha * s + (beta === 0 ? 0 : beta * C[oc + i * ldc + j]!);
    }
  }
}

function withBackend<T>(b: KernelBackend, f: () => T): T {
  const prev = setKernelBackend(b);
  try {
    return f();
  } finally {
    setKernelBackend(prev);
  }
}

const backends: KernelBackend[] = wasmKernelsAvailable() ? ['wasm', 'js'] : ['js'];

test('the runtime has WebAssembly SIMD (Node ≥ 16), so the wasm path is what these tests cover', () => {
  assert.equal(wasmKernelsAvailable(), true);
  assert.equal(getKernelBackend(), 'auto');
});

test('gemmStrided = definition on random odd shapes, offsets, ld > cols, all transposes, α/β, both backends', () => {
  const shapes: [number, number, number][] = [[1, 1, 4096], [17, 19, 23], [33, 5, 300], [5, 70, 513], [64, 64, 64], [3, 130, 11], [129, 7, 260], [16, 16, 17]];
  let seed = 1;
  for (const backend of backends) {
    for (const [m, n, k] of shapes) {
      for (const tA of [false, true]) {
        for (const tB of [false, true]) {
          for (const [alpha, beta] of [[1, 0], [-0.7, 1], [2.5, -0.3]] as const) {
            const lda = (tA ? m : k) + 3, ldb = (tB ? k : n) + 1, ldc = n + 2;
            const oa = 5, ob = 2, oc = 7;
            const A = seeded(oa + (tA ? k : m) * lda, seed++), B = seeded(ob + (tB ? n : k) * ldb, seed++);
            const C0 = seeded(oc + m * ldc, seed++);
            if (beta === 0) for (let i = 0; i < m; i++) C0[oc + i * ldc] = NaN; // β = 0 must not read C
            const got = C0.slice(), want = C0.slice();
            withBackend(backend, () => gemmStrided(tA, tB, m, n, k, alpha, A, oa, lda, B, ob, ldb, beta, got, oc, ldc));
            naive(tA, tB, m, n, k, alpha, A, oa, lda, B, ob, ldb, beta, want, oc, ldc);
            let err = 0;
            for (let i = 0; i < got.length; i++) {
              const inC = i >= oc && (i - oc) % ldc < n && i < oc + m * ldc;
              if (!inC) assert.equal(got[i], C0[i], `${backend} ${m}×${n}×${k}: entry ${i} outside C changed`);
              else err = Math.max(err, Math.abs(got[i]! - want[i]!));
            }
            assert.ok(err <= 1e-13 * Math.max(1, k), `${backend} ${m}×${n}×${k} tA=${tA} tB=${tB} α=${alpha} β=${beta}: err ${err}`);
          }
        }
      }
    }
  }
});

test('wasm and TypeScript gemm agree to rounding on a large product (block boundaries of k and the thread chunks)', () => {
  const m = 203, n = 141, k = 517;
  const A = seeded(m * k, 11), B = seeded(k * n, 12);
  const w = new Float64Array(m * n), j = new Float64Array(m * n);
  withBackend('wasm', () => gemmStrided(false, true, m, n, k, 1, A, 0, k, B, 0, k, 0, w, 0, n));
  gemmStridedJs(false, true, m, n, k, 1, A, 0, k, B, 0, k, 0, j, 0, n);
  let err = 0;
  for (let i = 0; i < w.length; i++) err = Math.max(err, Math.abs(w[i]! - j[i]!));
  assert.ok(err < 1e-11, `max difference ${err}`);
});

test('aliasing: disjoint blocks of one array (the documented gemmStrided rule) on both backends', () => {
  for (const backend of backends) {
    // M (40×40): M[20:40, 20:40] ← M[20:40, 20:40] − M[20:40, 0:20]·M[0:20, 20:40]
    const M = seeded(1600, 5), want = M.slice();
    naive(false, false, 20, 20, 20, -1, want, 800, 40, want.slice(), 20, 40, 1, want, 820, 40);
    withBackend(backend, () => gemmStrided(false, false, 20, 20, 20, -1, M, 800, 40, M, 20, 40, 1, M, 820, 40));
    for (let i = 0; i < M.length; i++) assert.ok(Math.abs(M[i]! - want[i]!) < 1e-12, `${backend}: entry ${i}`);
  }
});

test('the wasm path copies its operands first, so C may even alias A (A ← A·B)', () => {
  const n = 24, A = seeded(n * n, 8), B = seeded(n * n, 9), want = new Float64Array(n * n);
  naive(false, false, n, n, n, 1, A, 0, n, B, 0, n, 0, want, 0, n);
  withBackend('wasm', () => gemmStrided(false, false, n, n, n, 1, A, 0, n, B, 0, n, 0, A, 0, n));
  for (let i = 0; i < A.length; i++) assert.ok(Math.abs(A[i]! - want[i]!) < 1e-12);
});

test('setKernelBackend validates its argument and returns the previous setting', () => {
  assert.throws(() => setKernelBackend('gpu' as KernelBackend), (e: unknown) => e instanceof InvalidArgumentError && /'wasm', 'js' or 'auto'/.test((e as Error).message));
  const prev = setKernelBackend('js');
  assert.equal(getKernelBackend(), 'js');
  assert.equal(setKernelBackend(prev), 'js');
});

test('the Lasso design engine follows the backend switch and gives the same solution on both', () => {
  const { X, y } = makeCorrelatedData(60, 40, { seed: 3 });
  const opts = { tol: 1e-12 };
  const w = withBackend('wasm', () => lasso(X, y, 0.05, opts));
  const j = withBackend('js', () => lasso(X, y, 0.05, opts));
  for (let i = 0; i < 40; i++) assert.ok(Math.abs(w.beta[i]! - j.beta[i]!) < 1e-9, `coef ${i}: ${w.beta[i]} vs ${j.beta[i]}`);
});

test('src/kernels/wasm/modules.generated.ts is up to date with the .wat sources (npm run build:kernels)', () => {
  const script = fileURLToPath(new URL('../scripts/build-kernels.mjs', import.meta.url));
  const r = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

test('batched matmul (shared B merged into one gemm, broadcast A, transposes) = per-batch products, both backends', () => {
  const nb = 3, m = 7, k = 33, n = 18;
  const A = seeded(nb * m * k, 21), B = seeded(nb * k * n, 22);
  const cases: [number[], number[], boolean, boolean][] = [
    [[nb, m, k], [k, n], false, false], // shared B: merged path
    [[nb, m, k], [n, k], false, true],
    [[m, k], [nb, k, n], false, false], // shared A
    [[nb, k, m], [nb, k, n], true, false],
  ];
  for (const backend of backends) {
    for (const [sa, sb, tA, tB] of cases) {
      const a = reshape(tensor(Array.from(A.subarray(0, sa.reduce((x, y) => x * y, 1)))), sa);
      const b = reshape(tensor(Array.from(B.subarray(0, sb.reduce((x, y) => x * y, 1)))), sb);
      const got = withBackend(backend, () => matmul(a, b, { transA: tA, transB: tB })).toArray() as number[][][];
      for (let t = 0; t < nb; t++) {
        const want = new Float64Array(m * n);
        const Aa = Float64Array.from(A.subarray(0, sa.reduce((x, y) => x * y, 1)));
        const Bb = Float64Array.from(B.subarray(0, sb.reduce((x, y) => x * y, 1)));
        const oa = sa.length === 3 ? t * m * k : 0, ob = sb.length === 3 ? t * k * n : 0;
        naive(tA, tB, m, n, k, 1, Aa, oa, tA ? m : k, Bb, ob, tB ? k : n, 0, want, 0, n);
        for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) assert.ok(Math.abs(got[t]![i]![j]! - want[i * n + j]!) < 1e-12, `${backend} ${sa}@${sb} t=${t}`);
      }
    }
  }
});

test('decodeBase64 (no atob/Buffer) matches Buffer on every padding case', () => {
  for (const len of [0, 1, 2, 3, 4, 5, 64, 1001]) {
    const bytes = Uint8Array.from({ length: len }, (_, i) => (i * 97 + 13) & 0xff);
    const b64 = Buffer.from(bytes).toString('base64');
    assert.deepEqual(Array.from(decodeBase64(b64)), Array.from(bytes));
  }
  assert.throws(() => decodeBase64('ab$d'), InvalidArgumentError);
});

test('a dropped kernel memory is re-created by the next product (the path taken after a huge product)', () => {
  const n = 40, A = seeded(n * n, 31), C1 = new Float64Array(n * n), C2 = new Float64Array(n * n);
  withBackend('wasm', () => gemmStrided(false, false, n, n, n, 1, A, 0, n, A, 0, n, 0, C1, 0, n));
  assert.ok(kernelMemoryBytes() > 0);
  shutdownThreads();
  dropKernelMemory();
  assert.equal(kernelMemoryBytes(), 0);
  withBackend('wasm', () => gemmStrided(false, false, n, n, n, 1, A, 0, n, A, 0, n, 0, C2, 0, n));
  assert.ok(kernelMemoryBytes() > 0);
  assert.deepEqual(C2, C1);
});

test('symquad (βᵀHβ from the upper triangle over a support) = a TypeScript reference on random shapes and supports', async () => {
  const { createEngine, releaseEngine } = await import('../src/kernels/wasm_lasso.js');
  let st = 77;
  const g = (): number => (st = (Math.imul(st, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  for (const p of [1, 2, 3, 5, 8, 17, 33, 64, 101]) {
    const made = withBackend('wasm', () => createEngine(p, p));
    assert.ok(made !== null);
    const e = made.engine;
    for (let trial = 0; trial < 4; trial++) {
      // a symmetric H whose lower triangle holds garbage the kernel must not read
      const H = made.x;
      for (let j = 0; j < p; j++) for (let l = 0; l < p; l++) H[j * p + l] = l >= j ? g() - 0.5 : 1e300;
      const S: number[] = [];
      for (let j = 0; j < p; j++) if (trial === 3 || g() < 0.4) S.push(j);
      if (trial === 0) S.length = 0;
      if (trial === 1 && !S.includes(p - 1)) S.push(p - 1); // the last row: an empty tail
      const beta = new Float64Array(p);
      for (const j of S) beta[j] = g() * 4 - 2;
      let ref = 0, mag = 0;
      for (const j of S) {
        for (const l of S) {
          const h = l >= j ? H[j * p + l]! : H[l * p + j]!;
          ref += beta[j]! * h * beta[l]!;
          mag += Math.abs(beta[j]! * h * beta[l]!);
        }
      }
      e.beta.set(beta);
      e.ws.set(S);
      const got = e.symquad(e.xPtr, p, e.ws.byteOffset, S.length, e.beta.byteOffset);
      assert.ok(Math.abs(got - ref) <= 1e-14 * (mag + 1e-300) * p, `p = ${p}, |S| = ${S.length}: ${got} vs ${ref}`);
      if (S.length === 0) assert.equal(got, 0);
    }
    releaseEngine(e);
  }
});

/**
 * `symquad`'s documented summation order in TypeScript: per row j = ws[w], two f64x2 accumulators
 * (lanes 0/1 of a0 over byte blocks [i, i + 16) and of a1 over [i + 16, i + 32) of every 32-byte
 * block of the row tail from column j + 1), one 16-byte block into a0, a0 + a1, lane 0 + lane 1,
 * the scalar tail, then q += β_j·(H_jj·β_j + 2·s) in the order of ws.
 */
function symquadOrder(H: Float64Array, p: number, S: readonly number[], beta: Float64Array): number {
  let q = 0;
  for (const j of S) {
    const o = j * p;
    let i = j + 1;
    const e4 = i + ((p - i) & -4);
    let a00 = 0, a01 = 0, a10 = 0, a11 = 0;
    for (; i < e4; i += 4) {
      a00 += H[o + i]! * beta[i]!;
      a01 += H[o + i + 1]! * beta[i + 1]!;
      a10 += H[o + i + 2]! * beta[i + 2]!;
      a11 += H[o + i + 3]! * beta[i + 3]!;
    }
    if (i + 2 <= p) {
      a00 += H[o + i]! * beta[i]!;
      a01 += H[o + i + 1]! * beta[i + 1]!;
      i += 2;
    }
    let s = (a00 + a10) + (a01 + a11);
    if (i < p) s += H[o + i]! * beta[i]!;
    const bj = beta[j]!;
    q += bj * (H[o + j]! * bj + 2 * s);
  }
  return q;
}

test('symquad (rows taken in pairs) has the bits of its documented one-row summation order, every pairing and tail length', async () => {
  const { createEngine, releaseEngine } = await import('../src/kernels/wasm_lasso.js');
  let st = 91;
  const g = (): number => (st = (Math.imul(st, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  for (const p of [1, 2, 3, 4, 5, 6, 7, 9, 16, 31, 64, 101, 300]) {
    const made = withBackend('wasm', () => createEngine(p, p));
    assert.ok(made !== null);
    const e = made.engine;
    const H = made.x;
    for (let j = 0; j < p; j++) for (let l = 0; l < p; l++) H[j * p + l] = l >= j ? g() - 0.5 : 1e300;
    for (let trial = 0; trial < 8; trial++) {
      // supports of every parity, adjacent rows, rows 0 and p − 1, dense and sparse
      const S: number[] = [];
      const dens = [1, 0.5, 0.1, 0.9, 0.3, 1, 0.05, 0.7][trial]!;
      for (let j = 0; j < p; j++) if (g() < dens) S.push(j);
      if (trial === 5 && S.length > 1) S.pop();
      const beta = new Float64Array(p);
      for (const j of S) beta[j] = (g() * 4 - 2) * 10 ** Math.floor(g() * 6 - 3);
      e.beta.set(beta);
      e.ws.set(S);
      const got = e.symquad(e.xPtr, p, e.ws.byteOffset, S.length, e.beta.byteOffset);
      const want = symquadOrder(H, p, S, beta);
      assert.ok(Object.is(got, want), `p = ${p}, |S| = ${S.length}: ${got} vs ${want}`);
    }
    releaseEngine(e);
  }
});
