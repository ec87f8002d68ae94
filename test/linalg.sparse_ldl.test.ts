/**
 * @file Tests of the sparse LDLᵀ (`SparseLdl`): random sparse SPD and quasi-definite KKT matrices
 * against the dense LU solve (1e-10), every ordering (minimum degree, natural, a given permutation),
 * inertia, fill of the minimum-degree ordering against the natural one on a grid Laplacian,
 * numeric refactorisation on the same pattern, and the errors (zero pivot naming the column, bad
 * shapes and options).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rng } from '../src/core/rng.js';
import { InvalidArgumentError, ShapeError, SingularMatrixError } from '../src/core/errors.js';
import { luFactor, luSolve } from '../src/linalg/dense/lu.js';
import { CscMatrix, SparseLdl, minimumDegreeOrdering } from '../src/linalg/sparse/index.js';

/** Random symmetric sparse matrix (row-major dense) with density `dens`, diagonal shifted by `shift` on [0, nPos) and −shift on [nPos, n). */
function randomSym(n: number, nPos: number, dens: number, seed: number): Float64Array {
  const r = rng(seed);
  const M = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      if (r.random() < dens && !(i >= nPos && j >= nPos)) {
        const v = 2 * r.random() - 1;
        M[i * n + j] = v;
        M[j * n + i] = v;
      }
    }
  }
  // diagonal dominance: H block positive definite, F block negative definite
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) if (j !== i && !(i >= nPos && j >= nPos)) s += Math.abs(M[i * n + j]!);
    M[i * n + i] = i < nPos ? s + 0.5 + r.random() : -(0.1 + r.random());
  }
  return M;
}

function denseSolve(M: Float64Array, n: number, b: Float64Array): Float64Array {
  return luSolve(luFactor(M.slice(), n), b.slice(), 1);
}

function maxRelErr(x: Float64Array, y: Float64Array): number {
  let e = 0;
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    e = Math.max(e, Math.abs(x[i]! - y[i]!));
    s = Math.max(s, Math.abs(y[i]!));
  }
  return e / Math.max(s, 1);
}

test('SPD: solve equals the dense solve (every ordering), inertia all positive', () => {
  for (const seed of [1, 2, 3]) {
    const n = 60;
    const M = randomSym(n, n, 0.08, seed);
    const A = CscMatrix.fromDense(M, n, n);
    const b = Float64Array.from({ length: n }, (_, i) => Math.sin(i + seed));
    const ref = denseSolve(M, n, b);
    const r = rng(seed + 10);
    const shuffled = Int32Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(r.random() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    for (const ordering of ['minDegree', 'natural', shuffled] as const) {
      const F = SparseLdl.factor(A, { ordering });
      assert.ok(maxRelErr(F.solve(b), ref) < 1e-10);
      assert.deepEqual(F.inertia, { positive: n, negative: 0 });
    }
  }
});

test('quasi-definite KKT [[H, Bᵀ], [B, −F]]: solve equals the dense solve, inertia (nH, nF)', () => {
  for (const seed of [4, 5, 6]) {
    const nH = 40;
    const n = 100;
    const M = randomSym(n, nH, 0.06, seed);
    const A = CscMatrix.fromDense(M, n, n);
    const b = Float64Array.from({ length: n }, (_, i) => Math.cos(3 * i + seed));
    const F = SparseLdl.factor(A);
    assert.ok(maxRelErr(F.solve(b), denseSolve(M, n, b)) < 1e-10);
    assert.deepEqual(F.inertia, { positive: nH, negative: n - nH });
    // the upper triangle alone gives the same factor
    const U = M.slice();
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) U[i * n + j] = 0;
    const Fu = SparseLdl.factor(CscMatrix.fromDense(U, n, n));
    assert.ok(maxRelErr(Fu.solve(b), denseSolve(M, n, b)) < 1e-10);
  }
});

test('minimum degree: less fill than the natural order on a 2-D grid Laplacian, same solution', () => {
  const g = 20;
  const n = g * g;
  const rows: number[] = [];
  const cols: number[] = [];
  const vals: number[] = [];
  const add = (i: number, j: number, v: number): void => {
    rows.push(i);
    cols.push(j);
    vals.push(v);
  };
  for (let x = 0; x < g; x++) {
    for (let y = 0; y < g; y++) {
      const i = x * g + y;
      add(i, i, 4.01);
      if (x > 0) add(i, i - g, -1);
      if (x < g - 1) add(i, i + g, -1);
      if (y > 0) add(i, i - 1, -1);
      if (y < g - 1) add(i, i + 1, -1);
    }
  }
  const A = CscMatrix.fromCoo(n, n, rows, cols, vals);
  const nat = SparseLdl.factor(A, { ordering: 'natural' });
  const md = SparseLdl.factor(A);
  // natural order: band of width g, fill ≈ n·g
  assert.ok(nat.nnzL > 0.9 * n * g, `natural nnz(L) = ${nat.nnzL}`);
  assert.ok(md.nnzL < 0.6 * nat.nnzL, `minimum degree nnz(L) = ${md.nnzL} vs natural ${nat.nnzL}`);
  const b = Float64Array.from({ length: n }, (_, i) => (i % 7) - 3);
  assert.ok(maxRelErr(md.solve(b), nat.solve(b)) < 1e-12);
  const p = minimumDegreeOrdering(A);
  assert.deepEqual(Array.from(p).sort((a, c) => a - c), Array.from({ length: n }, (_, i) => i));
});

test('refactor: new values on the same pattern (a diagonal shift, as ADMM changes ρ)', () => {
  const n = 80;
  const M = randomSym(n, 30, 0.07, 7);
  const A = CscMatrix.fromDense(M, n, n);
  const F = SparseLdl.factor(A);
  const b = Float64Array.from({ length: n }, (_, i) => 1 / (i + 1));
  for (const t of [2, 0.5, 10]) {
    const M2 = M.slice();
    for (let i = 30; i < n; i++) M2[i * n + i] *= t;
    const vals = CscMatrix.fromDense(M2, n, n).values;
    F.refactor(vals);
    assert.ok(maxRelErr(F.solve(b), denseSolve(M2, n, b)) < 1e-10);
    assert.deepEqual(F.inertia, { positive: 30, negative: 50 });
  }
  assert.throws(() => F.refactor(new Float64Array(3)), ShapeError);
});

test('errors: zero pivot names the column; shapes and options checked', () => {
  // [[1, 1], [1, 1]]: the second pivot is 0
  const S = CscMatrix.fromDense([1, 1, 1, 1], 2, 2);
  assert.throws(() => SparseLdl.factor(S, { ordering: 'natural' }), (e: unknown) => e instanceof SingularMatrixError && /column 1/.test(e.message));
  // an empty column with a zero diagonal
  assert.throws(() => SparseLdl.factor(CscMatrix.fromDense([2, 0, 0, 0], 2, 2), { ordering: 'natural' }), (e: unknown) => e instanceof SingularMatrixError && /column 1/.test(e.message));
  assert.throws(() => SparseLdl.factor(CscMatrix.fromDense([1, 2], 1, 2)), ShapeError);
  assert.throws(() => SparseLdl.factor(CscMatrix.fromDense([1, 0, 0, 1], 2, 2), { ordering: Int32Array.of(0, 0) }), InvalidArgumentError);
  assert.throws(() => SparseLdl.factor(CscMatrix.fromDense([1, 0, 0, 1], 2, 2), { ordering: Int32Array.of(0) }), ShapeError);
  assert.throws(() => SparseLdl.factor(CscMatrix.fromDense([1, 0, 0, 1], 2, 2), { order: 'natural' } as never), InvalidArgumentError);
  const F = SparseLdl.factor(CscMatrix.fromDense([1, 0, 0, 1], 2, 2));
  assert.throws(() => F.solve(new Float64Array(3)), ShapeError);
});
