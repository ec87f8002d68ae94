/**
 * @file Tests of gramColumns (X_Sᵀ diag(w) X_S on a column subset) against the definition, on
 * odd sizes, repeated and unsorted indices, with and without weights, on both kernel backends.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gramColumns } from '../src/kernels/gram.js';
import { setKernelBackend, wasmKernelsAvailable } from '../src/kernels/engine.js';
import { ShapeError } from '../src/core/errors.js';
import { seeded } from './fixtures/seeded.js';

test('gramColumns = definition (odd sizes, unsorted/repeated columns, weights), both backends', () => {
  for (const backend of wasmKernelsAvailable() ? (['wasm', 'js'] as const) : (['js'] as const)) {
    const prev = setKernelBackend(backend);
    try {
      for (const [n, p, cols] of [[37, 11, [3, 0, 10, 3, 7]], [129, 40, Array.from({ length: 23 }, (_, i) => (i * 7) % 40)], [5, 3, [2]]] as const) {
        const X = seeded(n * p, n + p);
        const w = seeded(n, 7).map((v) => v + 1.5);
        for (const weights of [undefined, w]) {
          const G = gramColumns(X, n, cols, weights);
          const s = cols.length;
          for (let a = 0; a < s; a++) {
            for (let b = 0; b < s; b++) {
              let want = 0;
              for (let i = 0; i < n; i++) want += X[cols[a]! * n + i]! * (weights ? weights[i]! : 1) * X[cols[b]! * n + i]!;
              assert.ok(Math.abs(G[a * s + b]! - want) < 1e-12 * n, `${backend} n=${n} (${a}, ${b}): ${G[a * s + b]} vs ${want}`);
            }
          }
        }
      }
    } finally {
      setKernelBackend(prev);
    }
  }
});

test('gramColumns names the bad argument', () => {
  const X = seeded(12, 1);
  assert.throws(() => gramColumns(X, 4, [0, 3]), (e: unknown) => e instanceof ShapeError && /column index 3 \(entry 1 of cols\) is outside \[0, 3\)/.test((e as Error).message));
  assert.throws(() => gramColumns(X, 4, [0, 1], new Float64Array(2)), /w has 2 entries, needs n = 4/);
  assert.throws(() => gramColumns(X, 4, [0, 1], undefined, new Float64Array(3)), /out has 3 entries, needs 4/);
  assert.deepEqual(Array.from(gramColumns(Float64Array.of(1, 3, 2, 4), 2, Int32Array.of(0, 1))), [10, 14, 14, 20]);
});
