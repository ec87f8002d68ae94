/**
 * @file Tests of the BLAS-like kernels: gemm / gemmStrided / matmul and gemv against naive loops
 * (random shapes including odd sizes, every transpose combination, α/β handling, block-boundary
 * sizes), plus the level-1 helpers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { amax, axpy, dot, gemm, gemmStrided, gemv, matmul, nrm2 } from '../src/kernels/blas.js';
import { seeded } from './fixtures/seeded.js';

const dbl = fc.double({ min: -10, max: 10, noNaN: true });

/** C = α·op(A)·op(B) + β·C by the definition. */
function naiveGemm(
  tA: boolean, tB: boolean, m: number, n: number, k: number, alpha: number, A: Float64Array, B: Float64Array, beta: number, C: Float64Array,
): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) {
        const a = tA ? A[p * m + i]! : A[i * k + p]!;
        const b = tB ? B[j * k + p]! : B[p * n + j]!;
        s += a * b;
      }
      out[i * n + j] = alpha * s + (beta === 0 ? 0 : beta * C[i * n + j]!);
    }
  }
  return out;
}

function assertClose(actual: Float64Array, expected: Float64Array, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i]! - expected[i]!);
    if (!(d <= tol * (1 + Math.abs(expected[i]!)))) {
      assert.fail(`${what}: entry ${i} is ${actual[i]} but expected ${expected[i]} (diff ${d})`);
    }
  }
}

const odd = fc.constantFrom(1, 2, 3, 4, 5, 7, 8, 9, 13, 17);

test('gemm matches the naive triple loop for random shapes, transposes, α and β', () => {
  fc.assert(
    fc.property(
      odd, odd, odd, fc.boolean(), fc.boolean(), fc.constantFrom(1, -1, 0.5, 2.5, 0), fc.constantFrom(0, 1, -0.5, 2),
      fc.integer({ min: 1, max: 1_000_000 }),
      (m, n, k, tA, tB, alpha, beta, seed) => {
        const A = seeded(m * k, seed);
        const B = seeded(k * n, seed + 1);
        const C0 = seeded(m * n, seed + 2);
        const C = Float64Array.from(C0);
        gemm(tA, tB, m, n, k, alpha, A, B, beta, C);
        assertClose(C, naiveGemm(tA, tB, m, n, k, alpha, A, B, beta, C0), 1e-12, `gemm ${m}x${n}x${k} tA=${tA} tB=${tB}`);
      },
    ),
    { numRuns: 300 },
  );
});

test('gemm on fast-check matrices (bounded values)', () => {
  const arb = fc
    .tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }))
    .chain(([m, n, k]) =>
      fc.record({
        m: fc.constant(m),
        n: fc.constant(n),
        k: fc.constant(k),
        tA: fc.boolean(),
        tB: fc.boolean(),
        A: fc.array(dbl, { minLength: m * k, maxLength: m * k }),
        B: fc.array(dbl, { minLength: k * n, maxLength: k * n }),
      }),
    );
  fc.assert(
    fc.property(arb, ({ m, n, k, tA, tB, A, B }) => {
      const a = Float64Array.from(A), b = Float64Array.from(B);
      const C = new Float64Array(m * n);
      gemm(tA, tB, m, n, k, 1, a, b, 0, C);
      assertClose(C, naiveGemm(tA, tB, m, n, k, 1, a, b, 0, C), 1e-12, 'gemm');
    }),
    { numRuns: 200 },
  );
});

test('gemm across cache-block boundaries (m > MC, k > KC, n > NC) and all transposes', () => {
  const cases: [number, number, number][] = [
    [131, 37, 259],
    [5, 1029, 3],
    [64, 64, 64],
    [129, 130, 257],
  ];
  for (const [m, n, k] of cases) {
    for (const tA of [false, true]) {
      for (const tB of [false, true]) {
        const A = seeded(m * k, m + k);
        const B = seeded(k * n, n + k);
        const C0 = seeded(m * n, 7);
        const C = Float64Array.from(C0);
        gemm(tA, tB, m, n, k, 0.75, A, B, -1.25, C);
        assertClose(C, naiveGemm(tA, tB, m, n, k, 0.75, A, B, -1.25, C0), 1e-11, `gemm ${m}x${n}x${k} tA=${tA} tB=${tB}`);
      }
    }
  }
});

test('gemm with β = 0 overwrites C without reading it (NaN in C does not leak)', () => {
  for (const size of [2, 20]) {
    const A = seeded(size * size, 1), B = seeded(size * size, 2);
    const C = new Float64Array(size * size).fill(NaN);
    gemm(false, false, size, size, size, 1, A, B, 0, C);
    assertClose(C, naiveGemm(false, false, size, size, size, 1, A, B, 0, C), 1e-12, 'gemm β=0');
  }
  // α = 0 only scales C
  const C = Float64Array.of(1, 2, 3, 4);
  gemm(false, false, 2, 2, 2, 0, new Float64Array(4), new Float64Array(4), 3, C);
  assert.deepEqual(Array.from(C), [3, 6, 9, 12]);
  // k = 0: C ← β·C
  const C2 = Float64Array.of(1, 2);
  gemm(false, false, 1, 2, 0, 1, new Float64Array(0), new Float64Array(0), 0.5, C2);
  assert.deepEqual(Array.from(C2), [0.5, 1]);
});

test('gemm TSDoc example', () => {
  const C = new Float64Array(4);
  gemm(false, false, 2, 2, 2, 1, Float64Array.of(1, 2, 3, 4), Float64Array.of(5, 6, 7, 8), 0, C);
  assert.deepEqual(Array.from(C), [19, 22, 43, 50]);
});

test('gemmStrided updates a sub-block in place and leaves the rest untouched', () => {
  for (const N of [4, 40]) {
    const M = seeded(N * N, N);
    const h = N / 2;
    const orig = Float64Array.from(M);
    // M[h:N, h:N] −= M[h:N, 0:h] · M[0:h, h:N]
    gemmStrided(false, false, h, h, h, -1, M, h * N, N, M, h, N, 1, M, h * N + h, N);
    for (let i = 0; i < N; i++) {
      for (let j = 0; j < N; j++) {
        let expected = orig[i * N + j]!;
        if (i >= h && j >= h) for (let p = 0; p < h; p++) expected -= orig[i * N + p]! * orig[p * N + j]!;
        assert.ok(Math.abs(M[i * N + j]! - expected) <= 1e-12 * (1 + Math.abs(expected)), `entry (${i},${j})`);
      }
    }
  }
});

test('matmul is gemm without transposes', () => {
  assert.deepEqual(Array.from(matmul(Float64Array.of(1, 2, 3, 4), Float64Array.of(1, 0, 0, 1), 2, 2, 2)), [1, 2, 3, 4]);
  const A = seeded(3 * 5, 3), B = seeded(5 * 2, 4);
  assertClose(matmul(A, B, 3, 5, 2), naiveGemm(false, false, 3, 2, 5, 1, A, B, 0, new Float64Array(6)), 1e-14, 'matmul');
});

function naiveGemv(trans: boolean, m: number, n: number, alpha: number, A: Float64Array, x: Float64Array, beta: number, y: Float64Array): Float64Array {
  const len = trans ? n : m;
  const out = new Float64Array(len);
  for (let i = 0; i < len; i++) {
    let s = 0;
    for (let p = 0; p < (trans ? m : n); p++) s += (trans ? A[p * n + i]! : A[i * n + p]!) * x[p]!;
    out[i] = alpha * s + (beta === 0 ? 0 : beta * y[i]!);
  }
  return out;
}

test('gemv matches the naive loop for random shapes, both orientations, α and β', () => {
  fc.assert(
    fc.property(
      odd, odd, fc.boolean(), fc.constantFrom(1, -2, 0.5, 0), fc.constantFrom(0, 1, -1, 0.25), fc.integer({ min: 1, max: 1_000_000 }),
      (m, n, trans, alpha, beta, seed) => {
        const A = seeded(m * n, seed);
        const x = seeded(trans ? m : n, seed + 1);
        const y0 = seeded(trans ? n : m, seed + 2);
        const y = Float64Array.from(y0);
        gemv(trans, m, n, alpha, A, x, beta, y);
        assertClose(y, naiveGemv(trans, m, n, alpha, A, x, beta, y0), 1e-12, `gemv ${m}x${n} trans=${trans}`);
      },
    ),
    { numRuns: 300 },
  );
  // β = 0 ignores NaN in y; TSDoc example
  const y = Float64Array.of(NaN, NaN);
  gemv(false, 2, 3, 1, Float64Array.of(1, 2, 3, 4, 5, 6), Float64Array.of(1, 1, 1), 0, y);
  assert.deepEqual(Array.from(y), [6, 15]);
  const z = new Float64Array(3);
  gemv(true, 2, 3, 1, Float64Array.of(1, 2, 3, 4, 5, 6), Float64Array.of(1, 1), 0, z);
  assert.deepEqual(Array.from(z), [5, 7, 9]);
});

test('gemv on a larger matrix (n = 257) agrees with gemm', () => {
  const m = 263, n = 257;
  const A = seeded(m * n, 11), x = seeded(n, 12);
  const y = new Float64Array(m);
  gemv(false, m, n, 1, A, x, 0, y);
  const C = new Float64Array(m);
  gemm(false, false, m, 1, n, 1, A, x, 0, C);
  assertClose(y, C, 1e-12, 'gemv vs gemm');
});

test('level-1 kernels: dot, axpy, nrm2 (overflow-safe), amax', () => {
  fc.assert(
    fc.property(fc.array(dbl, { minLength: 0, maxLength: 40 }), (xs) => {
      const x = Float64Array.from(xs);
      const y = Float64Array.from(xs, (v) => 2 * v - 1);
      let s = 0;
      for (let i = 0; i < x.length; i++) s += x[i]! * y[i]!;
      assert.ok(Math.abs(dot(x.length, x, y) - s) <= 1e-12 * (1 + Math.abs(s)));
      const ss = Math.sqrt(xs.reduce((a, v) => a + v * v, 0));
      assert.ok(Math.abs(nrm2(x.length, x) - ss) <= 1e-12 * (1 + ss));
      const yy = Float64Array.from(y);
      axpy(x.length, 3, x, yy);
      for (let i = 0; i < x.length; i++) assert.ok(Math.abs(yy[i]! - (y[i]! + 3 * x[i]!)) <= 1e-12);
    }),
    { numRuns: 100 },
  );
  assert.ok(Math.abs(nrm2(2, Float64Array.of(3e200, 4e200)) / 5e200 - 1) < 1e-15); // naive Σx² overflows
  assert.equal(amax(3, Float64Array.of(1, -7, 3)), 7);
});
