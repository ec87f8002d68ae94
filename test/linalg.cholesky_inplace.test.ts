/**
 * @file Tests of the unchecked in-place Cholesky kernels used by the interior-point hot loops
 * (`choleskyFactorInPlace`, `choleskySolveVecInPlace`) against the checked reference
 * `choleskyFactor` / `choleskySolve`, on both sides of the blocking threshold, with garbage in the
 * ignored upper triangle, and the failing-pivot report on indefinite input.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rng } from '../src/core/rng.js';
import { CHOLESKY_BLOCK, choleskyFactor, choleskyFactorInPlace, choleskySolve, choleskySolveVecInPlace } from '../src/linalg/dense/cholesky.js';

/** A random SPD matrix MMᵀ/n + I (row-major n×n). */
function spd(n: number, seed: number): Float64Array {
  const M = rng(seed).normal([n, n]).data;
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let a = 0;
      for (let t = 0; t < n; t++) a += M[i * n + t]! * M[j * n + t]!;
      A[i * n + j] = a / n + (i === j ? 1 : 0);
    }
  }
  return A;
}

for (const n of [1, 7, 2 * CHOLESKY_BLOCK, 2 * CHOLESKY_BLOCK + 1, 150]) {
  test(`choleskyFactorInPlace matches choleskyFactor and ignores the upper triangle (n = ${n})`, () => {
    const A = spd(n, 3 + n);
    const ref = choleskyFactor(A, n);
    const L = Float64Array.from(A);
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) L[i * n + j] = 1e6 * (i - j); // garbage above the diagonal
    assert.equal(choleskyFactorInPlace(L, n), -1);
    let err = 0;
    for (let i = 0; i < n * n; i++) err = Math.max(err, Math.abs(L[i]! - ref[i]!));
    assert.ok(err <= 1e-12, `max |L − L_ref| = ${err}`);
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) assert.equal(L[i * n + j], 0);

    const b = rng(n).normal([n]).data;
    const xRef = choleskySolve(ref, n, b, 1);
    const x = Float64Array.from(b);
    choleskySolveVecInPlace(L, n, x);
    for (let i = 0; i < n; i++) assert.ok(Math.abs(x[i]! - xRef[i]!) <= 1e-12 * (1 + Math.abs(xRef[i]!)), `x[${i}]`);
    // residual of A·x = b
    for (let i = 0; i < n; i++) {
      let r = -b[i]!;
      for (let j = 0; j < n; j++) r += A[i * n + j]! * x[j]!;
      assert.ok(Math.abs(r) <= 1e-10, `residual ${i}: ${r}`);
    }
  });
}

test('choleskyFactorInPlace returns the first non-positive pivot (unblocked and blocked)', () => {
  // diag(1, 2, −1, 4): pivot 2 fails
  const D = new Float64Array(16);
  [1, 2, -1, 4].forEach((v, i) => (D[i * 4 + i] = v));
  assert.equal(choleskyFactorInPlace(D, 4), 2);
  // blocked size with an indefinite entry in the third block
  const n = 2 * CHOLESKY_BLOCK + 10;
  const A = spd(n, 1);
  const k = 2 * CHOLESKY_BLOCK + 3;
  A[k * n + k] = -1e3;
  const j = choleskyFactorInPlace(A, n);
  assert.ok(j >= 2 * CHOLESKY_BLOCK && j <= k, `failing pivot ${j}`);
  // the checked version names the same pivot
  assert.throws(() => choleskyFactor(spdWith(n, k), n), new RegExp(`pivot ${j} is`));
});

function spdWith(n: number, k: number): Float64Array {
  const A = spd(n, 1);
  A[k * n + k] = -1e3;
  return A;
}
