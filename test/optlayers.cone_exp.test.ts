/**
 * @file solveCone's exponential cone (exp_cone.ts) and warm start / shared factorisation: the
 * projection's optimality conditions and a brute-force distance check, its Jacobian against central
 * differences in all four cases, the dual-cone projection (Moreau), a softmax written as an
 * entropy-regularised cone program (closed-form solution and Jacobian, finite differences), warm
 * start and the factorisation shared by a batch with one A.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { solveCone, tensor, rng, jacobian, InvalidArgumentError, type Tensor } from '../src/index.js';
import { projectExpCone, expConeJacobian, inExpCone, inExpDual } from '../src/optlayers/exp_cone.js';
import { assertClose, checkDerivatives } from './helpers.js';

test('exp-cone projection: p ∈ K, p − v ∈ K*, ⟨p, p − v⟩ = 0, no boundary point nearer; all four cases', () => {
  const R = rng(1);
  const kinds = [0, 0, 0, 0, 0];
  // boundary points for the brute-force check: y·(ρ, 1, e^ρ) and the face (x ≤ 0, 0, z ≥ 0)
  const bnd: number[][] = [];
  for (let a = -8; a <= 4; a += 0.05) for (const y of [0.01, 0.03, 0.1, 0.3, 0.6, 1, 1.5, 2.5, 4]) bnd.push([y * a, y, y * Math.exp(a)]);
  for (let x = -6; x <= 0; x += 0.1) for (let z = 0; z <= 6; z += 0.1) bnd.push([x, 0, z]);
  for (let k = 0; k < 400; k++) {
    const v = Array.from(R.normal([3]).data);
    const [r, s, t] = v as [number, number, number];
    const pr = projectExpCone(r, s, t);
    kinds[pr.kind]++;
    const p = pr.p;
    const q = [p[0] - r, p[1] - s, p[2] - t];
    assert.ok(inExpCone(p[0], p[1], p[2], 1e-7), `p ∈ K at ${v}`);
    assert.ok(inExpDual(q[0]!, q[1]!, q[2]!, 1e-6), `p − v ∈ K* at ${v}`);
    assert.ok(Math.abs(p[0] * q[0]! + p[1] * q[1]! + p[2] * q[2]!) < 1e-9, `orthogonality at ${v}`);
    const dist = Math.hypot(q[0]!, q[1]!, q[2]!);
    let best = Infinity;
    for (const b of bnd) best = Math.min(best, Math.hypot(b[0]! - r, b[1]! - s, b[2]! - t));
    assert.ok(dist <= best + 1e-12, `no nearer boundary point at ${v}: ${dist} vs ${best}`);
  }
  assert.ok(kinds[1]! > 0 && kinds[2]! > 0 && kinds[3]! > 0 && kinds[4]! > 0, `every case met: ${kinds}`);
});

test('exp-cone projection Jacobian equals central differences in every case', () => {
  const R = rng(2);
  const J = new Float64Array(9);
  const h = 1e-6;
  for (let k = 0; k < 300; k++) {
    const v = Array.from(R.normal([3]).data).map((x) => x * (k % 3 === 0 ? 4 : 1));
    const [r, s, t] = v as [number, number, number];
    expConeJacobian(r, s, t, J, 1e-12, { wB: 1, wP: 1, wT: 0 });
    for (let j = 0; j < 3; j++) {
      const a = [r, s, t];
      const b = [r, s, t];
      a[j] += h;
      b[j] -= h;
      const pa = projectExpCone(a[0]!, a[1]!, a[2]!).p;
      const pb = projectExpCone(b[0]!, b[1]!, b[2]!).p;
      for (let i = 0; i < 3; i++) assert.ok(Math.abs((pa[i]! - pb[i]!) / (2 * h) - J[i * 3 + j]!) < 1e-5, `J[${i}][${j}] at ${v} (case ${projectExpCone(r, s, t).kind})`);
    }
  }
  // on ∂K: I (wB = 0) or the tangent projector (wB = 1); at the polar boundary 0 or the ray projector
  const onK = [0, 1, 1]; // y e^{x/y} = z
  expConeJacobian(onK[0]!, onK[1]!, onK[2]!, J, 1e-12, { wB: 0, wP: 0, wT: 0 });
  assertClose(J, [1, 0, 0, 0, 1, 0, 0, 0, 1], 1e-12, 'interior side of ∂K');
  expConeJacobian(onK[0]!, onK[1]!, onK[2]!, J, 1e-12, { wB: 1, wP: 0, wT: 0 });
  // tangent projector: kills the normal ∇g = (1, 1, −1)
  const Jn = [0, 1, 2].map((i) => J[i * 3]! + J[i * 3 + 1]! - J[i * 3 + 2]!);
  assertClose(Jn, [0, 0, 0], { atol: 1e-12 }, 'tangent projector kills the normal');
});

/**
 * softmax(a) as a cone program: min Σ xᵢ log xᵢ − aᵀx s.t. Σx = 1, i.e. variables (x, t),
 * min −aᵀx + Σtᵢ s.t. Σx = 1, (−tᵢ, xᵢ, 1) ∈ K_exp (xᵢ e^{−tᵢ/xᵢ} ≤ 1 ⟺ tᵢ ≥ xᵢ log xᵢ).
 */
function softmaxCone(k: number) {
  const n = 2 * k;
  const m = 1 + 3 * k;
  const A = new Float64Array(m * n);
  const b = new Float64Array(m);
  for (let j = 0; j < k; j++) A[j] = 1;
  b[0] = 1;
  for (let i = 0; i < k; i++) {
    const o = 1 + 3 * i;
    A[o * n + k + i] = 1; // s = −tᵢ
    A[(o + 1) * n + i] = -1; // s = xᵢ
    b[o + 2] = 1; // s = 1
  }
  return { A: tensor(A, [m, n]), b: tensor(b), cones: { zero: 1, exp: k } };
}

test('softmax as an exponential-cone program: solution, dx/da = −(diag(x) − xxᵀ) on c, finite differences', () => {
  const k = 3;
  const { A, b, cones } = softmaxCone(k);
  const a = [0.3, -0.5, 1.1];
  const c = tensor([...a.map((v) => -v), 1, 1, 1]);
  const r = solveCone({ c, A, b, cones }, { tol: 1e-12 });
  assert.equal(r.status, 'optimal');
  const e = a.map(Math.exp);
  const Z = e.reduce((u, v) => u + v, 0);
  const sm = e.map((v) => v / Z);
  assertClose(r.x.data.subarray(0, k), sm, 1e-8, 'x = softmax(a)');
  const Jc = jacobian((cc: Tensor) => solveCone({ c: cc, A, b, cones }, { tol: 1e-12 }).x)(c);
  // ∂x/∂c_x = −∂x/∂a = −(diag(x) − xxᵀ)
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) {
    const want = -((i === j ? sm[i]! : 0) - sm[i]! * sm[j]!);
    assert.ok(Math.abs(Jc.data[i * 2 * k + j]! - want) < 1e-6, `J[${i}][${j}] = ${Jc.data[i * 2 * k + j]} vs ${want}`);
  }
  checkDerivatives((cc: Tensor, bb: Tensor) => solveCone({ c: cc, A, b: bb, cones }, { tol: 1e-12 }).x, [c, b], { rtol: 1e-5, atol: 1e-7, h: 1e-6 });
});

test('warm start from a nearby solution takes fewer iterations; a batch with one A factors it once', () => {
  const { A, b, cones } = softmaxCone(3);
  const c0 = tensor([-0.3, 0.5, -1.1, 1, 1, 1]);
  const c1 = tensor([-0.31, 0.5, -1.1, 1, 1, 1]);
  const r0 = solveCone({ c: c0, A, b, cones }, { tol: 1e-10 });
  const cold = solveCone({ c: c1, A, b, cones }, { tol: 1e-10 });
  const warm = solveCone({ c: c1, A, b, cones }, { tol: 1e-10, warmStart: r0 });
  assert.equal(warm.status, 'optimal');
  assert.ok(warm.iterations < cold.iterations, `warm ${warm.iterations} vs cold ${cold.iterations}`);
  assertClose(warm.x, cold.x, 1e-7, 'warm x');
  const C = tensor([...c0.data, ...c1.data], [2, 6]);
  const batch = solveCone({ c: C, A, b, cones }, { tol: 1e-10 });
  assert.deepEqual(batch.problems.map((p) => p.factorized), [true, false]);
  assert.equal(batch.problems[1]!.factorMs, 0);
  assertClose(batch.x.data.subarray(6), cold.x, 1e-12, 'batched = single');
  assert.throws(() => solveCone({ c: c1, A, b, cones }, { warmStart: { x: r0.x, y: r0.y } as never }), (e: unknown) => e instanceof InvalidArgumentError && /s is missing/.test(e.message));
  assert.throws(() => solveCone({ c: c1, A, b, cones: { ...cones, exp: 1.5 } }), /cones\.exp must be a count/);
});
