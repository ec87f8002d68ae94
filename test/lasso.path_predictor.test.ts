/**
 * @file The Lasso warm start moved along the path (src/lasso/hypergrad.ts `pathPredicted`, round
 * fitcpu): `SparseProblem.solve` at λ' after a solve at λ starts from β_S + (λ − λ')·M⁻¹s (the
 * previous solution's support factor). Between two kinks of the path that start IS the solution (the
 * solve stops at its first gap check, 0 epochs); across kinks it is only a start: the solution is the
 * one from the plain warm start (to the certificate's accuracy) in fewer epochs; without a factor,
 * at the same λ or past the step limit nothing changes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeCorrelatedData } from '../src/data/synthetic.js';
import { SparseProblem } from '../src/lasso/hypergrad.js';
import type { InnerSolution } from '../src/lasso/hypergrad_types.js';

const d = makeCorrelatedData(120, 300, { seed: 3, corr: 0.5, snr: 3, density: 0.1 });

/** The warm solution without its support factor: the plain warm start. */
function withoutFactor(sol: InnerSolution): InnerSolution {
  const rest = Object.defineProperties({}, Object.getOwnPropertyDescriptors(sol)) as { factor?: unknown };
  delete rest.factor;
  return rest as InnerSolution;
}

function maxRel(a: Float64Array, b: Float64Array): number {
  let m = 0, s = 0;
  for (let j = 0; j < a.length; j++) {
    m = Math.max(m, Math.abs(a[j]! - b[j]!));
    s = Math.max(s, Math.abs(b[j]!));
  }
  return m / s;
}

test('between two kinks the predicted start is the solution: no epoch', () => {
  const prob = new SparseProblem(d.X, d.y, 'lasso');
  const l0 = 0.1 * prob.lambdaMax;
  const s0 = prob.solve(l0, { tol: 1e-10 });
  assert.ok(s0.factor !== undefined && s0.support.length > 10);
  const s1 = prob.solve(l0 * (1 - 1e-3), { tol: 1e-8 });
  assert.deepEqual(Array.from(s1.support), Array.from(s0.support));
  assert.equal(s1.iterations, 0);
  const plain = new SparseProblem(d.X, d.y, 'lasso');
  plain.solve(l0, { tol: 1e-10 });
  plain.warmStartFrom(withoutFactor(plain.lastSolution!));
  const ref = plain.solve(l0 * (1 - 1e-3), { tol: 1e-8 });
  assert.ok(ref.iterations > 0, 'the plain warm start needs epochs (else this test shows nothing)');
  assert.ok(maxRel(s1.beta, ref.beta) < 1e-9, `β differs by ${maxRel(s1.beta, ref.beta)}`);
  prob.dispose();
  plain.dispose();
});

test('across kinks: the same solution as from the plain warm start, in fewer epochs', () => {
  let fewer = 0;
  for (const step of [0.97, 1.05, 0.9, 1.2]) {
    const a = new SparseProblem(d.X, d.y, 'lasso');
    const b = new SparseProblem(d.X, d.y, 'lasso');
    const l0 = 0.05 * a.lambdaMax;
    a.solve(l0, { tol: 1e-8 });
    b.solve(l0, { tol: 1e-8 });
    b.warmStartFrom(withoutFactor(b.lastSolution!));
    const sa = a.solve(l0 * step, { tol: 1e-8 });
    const sb = b.solve(l0 * step, { tol: 1e-8 });
    assert.ok(sa.diagnostics.kktViolation <= 1e-8 && sb.diagnostics.kktViolation <= 1e-8, `step ${step}: KKT ${sa.diagnostics.kktViolation}, ${sb.diagnostics.kktViolation}`);
    assert.ok(maxRel(sa.beta, sb.beta) < 1e-6, `step ${step}: β differs by ${maxRel(sa.beta, sb.beta)}`);
    if (sa.iterations < sb.iterations) fewer++;
    a.dispose();
    b.dispose();
  }
  assert.ok(fewer >= 3, `the predicted start saved epochs in ${fewer} of 4 steps`);
});

test('no prediction at the same λ, past the step limit, or for the elastic net', () => {
  const prob = new SparseProblem(d.X, d.y, 'lasso');
  const l0 = 0.1 * prob.lambdaMax;
  prob.solve(l0, { tol: 1e-10 });
  // same λ: the certificate's re-solve starts from the solution itself
  assert.equal(prob.solve(l0, { tol: 1e-10 }).iterations, 0);
  prob.dispose();
  // a step of a factor 2 (|log| > 0.25): the plain warm start, bit for bit
  const a = new SparseProblem(d.X, d.y, 'lasso');
  const b = new SparseProblem(d.X, d.y, 'lasso');
  a.solve(l0, { tol: 1e-10 });
  b.solve(l0, { tol: 1e-10 });
  b.warmStartFrom(withoutFactor(b.lastSolution!));
  const far = a.solve(l0 / 2, { tol: 1e-8 });
  const ref = b.solve(l0 / 2, { tol: 1e-8 });
  assert.equal(far.iterations, ref.iterations);
  assert.deepEqual(Array.from(far.beta), Array.from(ref.beta));
  a.dispose();
  b.dispose();
  // elastic net: its factor includes the ridge; the plain warm start (bit for bit again)
  const e = new SparseProblem(d.X, d.y, 'enet');
  const f = new SparseProblem(d.X, d.y, 'enet');
  const lam = [0.1 * e.lambdaMax, 0.01];
  e.solve(lam, { tol: 1e-10 });
  f.solve(lam, { tol: 1e-10 });
  f.warmStartFrom(withoutFactor(f.lastSolution!));
  const next = [lam[0]! * 0.97, 0.01];
  assert.deepEqual(Array.from(e.solve(next, { tol: 1e-8 }).beta), Array.from(f.solve(next, { tol: 1e-8 }).beta));
  e.dispose();
  f.dispose();
});
