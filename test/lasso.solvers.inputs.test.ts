/**
 * @file The Lasso solvers' input contract: one matrix model (`MatrixLike`: 2-D Tensor, number[][],
 * CscMatrix, CsrMatrix, and the internal column-major design), vectors as Tensor / number[] /
 * Float64Array, option checking, error messages that name the public function and the argument,
 * the failure policy (default 'throw'), exact power-of-two rescaling of data at 1e±300, too few
 * rows, and warm starts at a new λ.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ConcretizationError, ConvergenceError, InvalidArgumentError, NonFiniteError, ShapeError } from '../src/core/errors.js';
import { tensor } from '../src/core/tensor.js';
import { grad } from '../src/autodiff/transforms.js';
import { sum } from '../src/ops/index.js';
import { CscMatrix, CsrMatrix } from '../src/linalg/sparse/index.js';
import { makeCorrelatedData } from '../src/data/synthetic.js';
import type { DenseDesign } from '../src/data/dataset.js';
import { toCsc } from '../src/data/dataset.js';
import {
  elasticNet, lambdaMax, lambdaMaxLogreg, lambdaMaxWeighted, lasso, lassoPath, prepareDesign, proxGrad, solve, sparseLogreg, weightedLasso,
  type SolverResult,
} from '../src/lasso/index.js';

const { X, y } = makeCorrelatedData(30, 12, { corr: 0.4, snr: 4, density: 0.5, seed: 11 });
const rows: number[][] = Array.from({ length: X.nRows }, (_, i) => Array.from({ length: X.nCols }, (_, j) => X.data[j * X.nRows + i]!));
const labels = Array.from(y, (v) => (v > 0 ? 1 : 0));

function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0, s = 0;
  for (let k = 0; k < a.length; k++) {
    d = Math.max(d, Math.abs(a[k]! - b[k]!));
    s = Math.max(s, Math.abs(b[k]!));
  }
  return d / Math.max(s, 1e-300);
}

const expectMsg = (f: () => unknown, cls: abstract new (...a: never[]) => Error, re: RegExp): void => {
  assert.throws(f, (e: unknown) => e instanceof cls && re.test((e as Error).message), `expected ${cls.name} matching ${re}`);
};

test('every model and solver accepts every MatrixLike and VectorLike, with identical results', () => {
  const T = tensor(rows);
  const csc = CscMatrix.fromDense(Float64Array.from(rows.flat()), X.nRows, X.nCols);
  const csr = CsrMatrix.fromDense(Float64Array.from(rows.flat()), X.nRows, X.nCols);
  const forms = [X, rows, T, csc, csr, prepareDesign(rows)] as const;
  const lam = lambdaMax(X, y) / 10;
  const w = Array.from({ length: X.nCols }, (_, j) => 0.5 + (j % 3));
  const fits: Record<string, (M: (typeof forms)[number], yy: ArrayLike<number> | ReturnType<typeof tensor>) => SolverResult> = {
    lasso: (M, yy) => lasso(M, yy as number[], lam, { tol: 1e-12 }),
    elasticNet: (M, yy) => elasticNet(M, yy as number[], lam, lam / 2, { tol: 1e-12 }),
    weightedLasso: (M, yy) => weightedLasso(M, yy as number[], lam, tensor(w), { tol: 1e-12 }),
    fitSparseModel: (M, yy) => solve(M, yy as number[], { type: 'lasso', lambda: lam }, { tol: 1e-12 }),
    proxGrad: (M, yy) => proxGrad(M, yy as number[], { type: 'lasso', lambda: lam }, { tol: 1e-12, maxIter: 100_000 }),
  };
  for (const [name, fit] of Object.entries(fits)) {
    const ref = fit(X, y);
    for (const M of forms) {
      for (const yy of [y, Array.from(y), tensor(Array.from(y))]) {
        const r = fit(M, yy);
        assert.ok(maxRelDiff(r.beta, ref.beta) <= 1e-9, `${name}: β differs for one input form`);
        assert.ok(Math.abs(r.intercept - ref.intercept) <= 1e-9 * (1 + Math.abs(ref.intercept)), 'line 61');
      }
    }
  }
  const lr = sparseLogreg(X, labels, lambdaMaxLogreg(X, labels) / 5, { tol: 1e-10 });
  for (const M of [rows, T, csc, csr]) {
    assert.ok(maxRelDiff(sparseLogreg(M, tensor(labels), lambdaMaxLogreg(M, labels) / 5, { tol: 1e-10 }).beta, lr.beta) <= 1e-8, 'line 67');
  }
  const path = lassoPath(X, y, { nLambdas: 5, tol: 1e-10 });
  const pathT = lassoPath(T, tensor(Array.from(y)), { nLambdas: 5, tol: 1e-10 });
  assert.ok(maxRelDiff(pathT.coefs[4]!, path.coefs[4]!) <= 1e-9, 'line 71');
  assert.ok(Math.abs(lambdaMaxWeighted(csr, y, w) - lambdaMaxWeighted(X, y, w)) <= 1e-12 * lambdaMaxWeighted(X, y, w), 'line 72');
});

test('bad matrices and vectors: typed errors naming the public function and the argument', () => {
  expectMsg(() => lasso([[1, 2], [3]], [1, 2], 0.1), ShapeError, /^lasso\(\): X\[1\] has 1 values, but X\[0\] has 2/);
  expectMsg(() => lasso([[1, '2' as unknown as number], [3, 4]], [1, 2], 0.1), InvalidArgumentError, /^lasso\(\): X\[0\]\[1\] must be a number, got the string '2'/);
  expectMsg(() => lasso(tensor([1, 2, 3]) as never, [1, 2, 3], 0.1), ShapeError, /^lasso\(\): X must be a 2-D Tensor, got shape \[3\]/);
  expectMsg(() => elasticNet('abc' as never, [1], 0.1, 0.1), InvalidArgumentError, /^elasticNet\(\): X must be a 2-D Tensor, a number\[\]\[\], a CscMatrix or a CsrMatrix, got the string 'abc'/);
  expectMsg(() => lasso(rows, 'abc' as never, 0.1), InvalidArgumentError, /^lasso\(\): y must be a 1-D Tensor, a number\[\] or a Float64Array/);
  expectMsg(() => lasso(rows, tensor([Array.from(y)]) as never, 0.1), ShapeError, /y must be a 1-D Tensor/);
  expectMsg(() => weightedLasso(rows, y, 0.1, [1, 2]), ShapeError, /^weightedLasso\(\): weights has 2 entries, but X has 12 columns/);
  expectMsg(() => lasso(rows, y, '0.1' as never), InvalidArgumentError, /^lasso\(\): lambda must be a positive finite number, got the string '0.1'/);
  // NaN is reported by the public function, by row and column, whatever the input form
  const nanRows = rows.map((r) => [...r]);
  nanRows[4]![2] = NaN;
  for (const M of [nanRows, tensor(nanRows), CsrMatrix.fromDense(Float64Array.from(nanRows.flat()), X.nRows, X.nCols)]) {
    expectMsg(() => lasso(M, y, 0.1), NonFiniteError, /^lasso\(\): X contains a non-finite value \(NaN\) at row 4, column 2/);
  }
  // a traced matrix is refused, never differentiated as a constant
  assert.throws(() => grad((A: ReturnType<typeof tensor>) => {
    lasso(A as never, y, 0.1);
    return sum(A);
  })(tensor(rows)), ConcretizationError);
});

test('options: unknown keys suggest the right one; tol, maxIter, booleans validated by name', () => {
  expectMsg(() => lasso(rows, y, 0.1, { tolerance: 1e-3 } as never), InvalidArgumentError, /^lasso\(\): unknown option 'tolerance' \(did you mean 'tol'\?\)/);
  expectMsg(() => sparseLogreg(rows, labels, 0.1, { maxiter: 5 } as never), InvalidArgumentError, /did you mean 'maxIter'/);
  expectMsg(() => proxGrad(rows, y, { type: 'lasso', lambda: 0.1 }, { accelerate: false } as never), InvalidArgumentError, /did you mean 'accelerated'/);
  expectMsg(() => lassoPath(rows, y, { nLambda: 5 } as never), InvalidArgumentError, /did you mean 'nLambdas'/);
  expectMsg(() => lambdaMax(rows, y, { fitIntercep: true } as never), InvalidArgumentError, /did you mean 'fitIntercept'/);
  for (const tol of [1, 2, 0, -1e-3, NaN]) expectMsg(() => lasso(rows, y, 0.1, { tol }), InvalidArgumentError, /^lasso\(\): option tol must be a number in \(0, 1\)/);
  expectMsg(() => lasso(rows, y, 0.1, { tol: '1e-3' as never }), InvalidArgumentError, /option tol .*got the string '1e-3'/);
  for (const maxIter of [0, -3, 2.5]) expectMsg(() => elasticNet(rows, y, 0.1, 0.1, { maxIter }), InvalidArgumentError, /^elasticNet\(\): option maxIter must be a positive integer/);
  expectMsg(() => lasso(rows, y, 0.1, { fitIntercept: 'yes' as never }), InvalidArgumentError, /option fitIntercept must be true or false/);
  expectMsg(() => lasso(rows, y, 0.1, { onFailure: 'ignore' as never }), InvalidArgumentError, /onFailure must be one of 'throw', 'warn', 'return'/);
});

test('failure policy: default throw for every solver; warn and return give the status', () => {
  const lam = lambdaMax(X, y) / 100;
  assert.throws(() => lasso(X, y, lam, { tol: 1e-14, maxIter: 1 }), ConvergenceError);
  assert.throws(() => weightedLasso(X, y, lam, new Float64Array(12).fill(1), { tol: 1e-14, maxIter: 1 }), ConvergenceError);
  assert.throws(() => sparseLogreg(X, labels, 1e-4, { tol: 1e-14, maxIter: 1 }), ConvergenceError);
  assert.throws(() => proxGrad(X, y, { type: 'lasso', lambda: lam }, { tol: 1e-14, maxIter: 2 }), ConvergenceError);
  const r = lasso(X, y, lam, { tol: 1e-14, maxIter: 1, onFailure: 'return' });
  assert.equal(r.converged, false);
  assert.ok(r.iterations <= 1 && r.gap > r.tolerance, 'line 112');
});

test('too few rows is reported as too few rows', () => {
  expectMsg(() => lasso([[1, 2]], [3], 0.1), InvalidArgumentError, /^lasso\(\): too few rows: X has 1 row, at least 2 needed to fit an intercept/);
  expectMsg(() => sparseLogreg([[1, 2]], [1], 0.1), InvalidArgumentError, /too few rows/);
  expectMsg(() => lassoPath([[1, 2]], [3]), InvalidArgumentError, /too few rows/);
  // without an intercept one row is a (degenerate but valid) problem; two rows with an intercept too
  assert.ok(lasso([[1, 2]], [3], 0.1, { fitIntercept: false }).converged, 'one row without intercept');
  const two = lasso([[1, 2], [2, 5]], [3, 4], 0.01, { tol: 1e-12 });
  assert.ok(two.converged && two.support.length === 1, 'two rows with an intercept: one coefficient suffices');
});

test('data at 1e±300: exact power-of-two rescaling gives the unscaled fit (dense and CSC, all squared-loss models)', () => {
  const lam0 = lambdaMax(X, y) / 20;
  const base = {
    lasso: lasso(X, y, lam0, { tol: 1e-12 }),
    enet: elasticNet(X, y, lam0, lam0, { tol: 1e-12 }),
    wlasso: weightedLasso(X, y, lam0, Float64Array.from({ length: 12 }, (_, j) => (j === 3 ? 0 : 1 + j / 10)), { tol: 1e-12 }),
  };
  // (scale of X, scale of y); β scales by sy/sx and λ by sx·sy: the pairs keep both representable
  for (const [sx, sy] of [[1e300, 1], [1e-300, 1], [1, 1e300], [1, 1e-300], [1e150, 1e150], [1e-150, 1e-150]] as const) {
    const Xs: DenseDesign = { ...X, data: X.data.map((v) => v * sx) };
    const ys = y.map((v) => v * sy);
    for (const D of [Xs, toCsc(Xs)]) {
      const lam = lam0 * sx * sy;
      assert.ok(Number.isFinite(lam) && lam > 0, 'line 138');
      // the ridge weight scales as sx² (not representable for sx = 1e±300): enet only with sx = 1
      const fits = {
        lasso: lasso(D, ys, lam, { tol: 1e-12 }),
        ...(sx === 1 ? { enet: elasticNet(D, ys, lam, lam0, { tol: 1e-12 }) } : {}),
        wlasso: weightedLasso(D, ys, lam, Float64Array.from({ length: 12 }, (_, j) => (j === 3 ? 0 : 1 + j / 10)), { tol: 1e-12 }),
      };
      for (const [k, r] of Object.entries(fits)) {
        const b = base[k as keyof typeof base];
        const unscaled = Array.from(r.beta, (v) => (v * sx) / sy);
        assert.ok(r.converged, `${k} ${sx} ${sy} ${D.kind}: converged`);
        assert.ok(b.support.length > 0, 'line 148');
        assert.ok(maxRelDiff(unscaled, b.beta) <= 1e-6, `${k} (${sx}, ${sy}, ${D.kind}): rel. error ${maxRelDiff(unscaled, b.beta)}`);
        assert.ok(Math.abs(r.intercept / sy - b.intercept) <= 1e-6 * (1 + Math.abs(b.intercept)), 'line 150');
        if (sy === 1) assert.ok(r.gap <= r.tolerance && r.tolerance > 0 && Number.isFinite(r.tolerance), 'line 151');
      }
      assert.ok(Math.abs(lambdaMax(D, ys) / (sx * sy) / lambdaMax(X, y) - 1) <= 1e-12, 'line 153');
      assert.ok(Math.abs(fits.lasso.lambdaMax / (sx * sy) / lambdaMax(X, y) - 1) <= 1e-12, 'line 154');
      const path = lassoPath(D, ys, { nLambdas: 3, eps: 0.05, tol: 1e-10 });
      assert.ok(Math.abs(path.lambdas[0]! / (sx * sy) / lambdaMax(X, y) - 1) <= 1e-12, 'line 156');
    }
  }
  // solvers that do not rescale say so clearly instead of returning a wrong fit
  const big: DenseDesign = { ...X, data: X.data.map((v) => v * 1e300) };
  expectMsg(() => sparseLogreg(big, labels, 0.1), InvalidArgumentError, /overflow or underflow/);
  expectMsg(() => proxGrad(rows, y.map((v) => v * 1e300), { type: 'lasso', lambda: 0.1 }), InvalidArgumentError, /overflow or underflow/);
  expectMsg(() => lasso(prepareDesign(big), y, 0.1), InvalidArgumentError, /overflow or underflow/);
  assert.ok(lasso(prepareDesign(big, { rescale: true }), y, lam0 * 1e300, { tol: 1e-12 }).converged, 'line 164');
});

test('a warm start at a new λ never returns the previous solution unless it is optimal there to the tolerance', () => {
  const lmax = lambdaMax(X, y);
  // the duality gap of β at λ, recomputed independently: P(β) − P* with P* from an accurate solve
  fc.assert(
    fc.property(
      fc.double({ min: 1e-3, max: 0.5, noNaN: true }), fc.double({ min: 1e-3, max: 0.5, noNaN: true }),
      fc.constantFrom(1e-2, 1e-3, 1e-4), fc.boolean(),
      (f0, f1, tol, sparse) => {
        const M = sparse ? toCsc(X) : X;
        const prev = lasso(M, y, f0 * lmax, { tol: 1e-8 });
        const r = lasso(M, y, f1 * lmax, { tol, warmStart: prev });
        assert.ok(r.converged && r.gap <= r.tolerance, 'line 178');
        const acc = lasso(M, y, f1 * lmax, { tol: 1e-13 });
        // certified: the primal suboptimality is bounded by the reported gap (up to rounding)
        assert.ok(r.primal - acc.primal <= r.gap + 1e-10 * Math.abs(acc.primal), `suboptimality ${r.primal - acc.primal} > gap ${r.gap}`);
        const unchanged = r.beta.every((v, j) => v === prev.beta[j]);
        if (unchanged && f0 !== f1) assert.ok(r.primal - acc.primal <= r.tolerance * (1 + 1e-9), 'previous solution returned but not optimal at the new λ');
      },
    ),
    { numRuns: 40 },
  );
  // a stale residual in the warm start (another target of the same length) cannot stop the solve
  const prev = lasso(X, y, 0.05 * lmax, { tol: 1e-10 });
  const other = y.map((v, i) => v + Math.sin(i));
  const r = lasso(X, other, 0.05 * lmax, { tol: 1e-8, warmStart: prev });
  const acc = lasso(X, other, 0.05 * lmax, { tol: 1e-13 });
  assert.ok(maxRelDiff(r.beta, acc.beta) <= 1e-3, 'line 193');
});
