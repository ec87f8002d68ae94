/**
 * @file Broyden's optional per-sample line search in `solveBatchFixedPoint`: converges where plain
 * Broyden stalls, per-sample statuses and returned iterates agree, option checks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { solveBatchFixedPoint } from '../src/implicit/fixed_point_batch.js';
import { InvalidArgumentError } from '../src/index.js';

// z = z − 2·tanh(z − c_s): root z = c_s; the secant slope of tanh far from c_s is ≈ 0, so full
// Broyden steps overshoot into the flat tail and stall there (the map is not a contraction either)
const cs = [0.5, 3, 6, 10];
const g = (z: Float64Array, rows: Int32Array) => z.map((v, i) => v - 2 * Math.tanh(v - cs[rows[i]!]!));
const opts = { method: 'broyden', onFailure: 'return', maxIter: 100, rtol: 0, tol: 1e-9 } as const;

test('Broyden line search: converges per sample where plain Broyden stalls; statuses match the returned iterates', () => {
  const plain = solveBatchFixedPoint(g, new Float64Array(4), 4, opts);
  const searched = solveBatchFixedPoint(g, new Float64Array(4), 4, { ...opts, lineSearch: true });
  assert.deepEqual([...plain.report.converged], [1, 0, 0, 0]);
  assert.equal(plain.report.backtracks, 0);
  // with the line search, samples 1 and 2 converge; sample 3 starts on the flat tail (no descent possible within budget)
  assert.deepEqual([...searched.report.converged], [1, 1, 1, 0]);
  assert.ok(searched.report.backtracks > 0);
  for (const { z, report } of [plain, searched]) {
    for (let s = 0; s < 4; s++) {
      const r = Math.abs(g(z.subarray(s, s + 1), Int32Array.of(s))[0]! - z[s]!);
      assert.ok(Math.abs(r - report.residuals[s]!) <= 1e-12 * (1 + r), `sample ${s}: reported residual ${report.residuals[s]} vs ${r}`);
      assert.equal(report.converged[s] === 1, r <= 1e-9, `sample ${s}: status agrees with its iterate`);
    }
  }
  for (const s of [0, 1, 2]) assert.ok(Math.abs(searched.z[s]! - cs[s]!) < 1e-8);
  // the easy sample is unaffected (its full steps pass the Armijo test); the failed one used its whole budget
  assert.equal(searched.report.iterations[0], plain.report.iterations[0]);
  assert.equal(searched.report.iterations[3], 100);
  assert.equal(searched.report.rowEvaluations, [...searched.report.iterations].reduce((a, b) => a + b, 0));
});

test('Broyden line search: off by default, refused for other methods, maxBacktracks checked', () => {
  assert.throws(() => solveBatchFixedPoint(g, new Float64Array(4), 4, { method: 'anderson', lineSearch: true }), (e: Error) => e instanceof InvalidArgumentError && /lineSearch is for method 'broyden'/.test(e.message));
  assert.throws(() => solveBatchFixedPoint(g, new Float64Array(4), 4, { ...opts, lineSearch: true, maxBacktracks: 0 }), InvalidArgumentError);
  assert.throws(() => solveBatchFixedPoint(g, new Float64Array(4), 4, { ...opts, lineSearch: 'yes' as unknown as boolean }), /lineSearch must be a boolean/);
});
