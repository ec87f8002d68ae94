/**
 * @file `Lasso` and `ElasticNet` estimators: equal to the solvers they wrap, standardization
 * (defined in src/estimators/preprocessing.ts) checked against a manual standardization mapped
 * back, constant columns, every input kind (number[][], Tensor, CSC, CSR, DesignMatrix), warm
 * starts, options checking, convergence failure through the failure policy, and typed errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CscMatrix, CsrMatrix, ConvergenceError, ElasticNet, InvalidArgumentError, Lasso, NonFiniteError, NotFittedError, ShapeError,
  ConcretizationError, columnScales, denseFromRows, elasticNet, grad, lasso, r2Score, setWarningHandler, sum, tensor, type DenseDesign, type Tensor,
} from '../src/index.js';
import { makeCorrelatedData } from '../src/data/synthetic.js';
import { assertClose } from './helpers.js';

const data = makeCorrelatedData(60, 12, { seed: 3, snr: 4, density: 0.3 });
const X = data.X;
const y = data.y;
const rowsOf = (D: DenseDesign): number[][] => Array.from({ length: D.nRows }, (_, i) => Array.from({ length: D.nCols }, (_, j) => D.data[j * D.nRows + i]!));

test('Lasso / ElasticNet equal the lasso() / elasticNet() solves, bit for bit', () => {
  const est = new Lasso({ alpha: 0.05, tol: 1e-10, maxIter: 5000 }).fit(X, y);
  const ref = lasso(X, y, 0.05, { tol: 1e-10, maxIter: 5000 });
  assert.deepEqual(Array.from(est.coef), Array.from(ref.beta, (v) => (v === 0 ? 0 : v)));
  assert.equal(est.intercept, ref.intercept);
  assert.equal(est.nIter, ref.iterations);
  assert.equal(est.dualGap, ref.gap);
  assert.equal(est.nFeaturesIn, 12);
  const en = new ElasticNet({ alpha: 0.1, l1Ratio: 0.25, tol: 1e-10 }).fit(X, y);
  const eref = elasticNet(X, y, 0.1 * 0.25, 0.1 * 0.75, { tol: 1e-10, maxIter: 1000 });
  assert.deepEqual(Array.from(en.coef), Array.from(eref.beta, (v) => (v === 0 ? 0 : v)));
  assert.equal(en.intercept, eref.intercept);
  // predict = Xc + b, score = R²
  const pred = est.predict(X);
  const expected = Array.from({ length: 60 }, (_, i) => {
    let v = est.intercept;
    for (let j = 0; j < 12; j++) v += X.data[j * 60 + i]! * est.coef[j]!;
    return v;
  });
  assertClose(pred, expected, 1e-12, 'predict = Xc + b');
  assert.equal(est.score(X, y), r2Score(y, pred));
  assert.ok(est.score(X, y) > 0.5);
  assertClose(new ElasticNet({ l1Ratio: 1, alpha: 0.05, tol: 1e-10, maxIter: 5000 }).fit(X, y).coef, est.coef, 1e-6, 'ElasticNet with l1Ratio 1 is the Lasso');
});

test('every input kind gives the same fit: number[][], Tensor, DesignMatrix, CscMatrix, CsrMatrix', () => {
  const rows = rowsOf(X);
  const flat = rows.flat();
  const base = new Lasso({ alpha: 0.05, tol: 1e-10 }).fit(X, y);
  for (const input of [rows, tensor(rows), CscMatrix.fromDense(flat, 60, 12), CsrMatrix.fromDense(flat, 60, 12)]) {
    const m = new Lasso({ alpha: 0.05, tol: 1e-10 }).fit(input, tensor(Array.from(y)));
    assertClose(m.coef, base.coef, 1e-9, 'coef');
    assertClose(m.predict(input), base.predict(X), 1e-9, 'predict');
  }
});

test('standardize: equals the fit on manually standardized columns (population std) mapped back', () => {
  // columns on very different scales, one constant column
  const n = 50;
  const rows = Array.from({ length: n }, (_, i) => [X.data[i]! * 1000, X.data[60 + i]! * 0.01 + 5, 7, X.data[120 + i]!, X.data[180 + i]! - 3]);
  const yy = Array.from({ length: n }, (_, i) => rows[i]![0]! / 1000 - 200 * rows[i]![1]! + 0.3 * Math.sin(i));
  const mean = [0, 1, 2, 3, 4].map((j) => rows.reduce((s, r) => s + r[j]!, 0) / n);
  const std = mean.map((m, j) => Math.sqrt(rows.reduce((s, r) => s + (r[j]! - m) ** 2, 0) / n));
  assert.equal(std[2], 0);
  const Z = rows.map((r) => r.map((v, j) => (std[j] === 0 ? 0 : (v - mean[j]!) / std[j]!)));
  for (const Est of [Lasso, ElasticNet] as const) {
    const man = new Est({ alpha: 0.02, tol: 1e-12, maxIter: 100_000 }).fit(Z, yy);
    const coef = man.coef.map((c, j) => (std[j] === 0 ? 0 : c / std[j]!));
    const b = man.intercept - mean.reduce((s, m, j) => s + m * coef[j]!, 0);
    const st = new Est({ alpha: 0.02, tol: 1e-12, maxIter: 100_000, standardize: true }).fit(rows, yy);
    assertClose(st.coef, coef, 1e-7, `${Est.name} coef`);
    assertClose(st.intercept, b, 1e-7, `${Est.name} intercept`);
    assert.equal(st.coef[2], 0, 'constant column gets coefficient 0');
    assertClose(st.predict(rows), man.predict(Z), 1e-7, `${Est.name} predictions on raw X`);
  }
  // scales: population std with an intercept, root mean square without, 1 for constant columns
  const sc = columnScales(denseFromRows(rows));
  assertClose(sc.scales, std.map((s) => (s === 0 ? 1 : s)), 1e-12, 'scales');
  assert.deepEqual(Array.from(sc.constant), [2]);
  const rms = columnScales(denseFromRows([[3, 0], [4, 0]]), { center: false });
  assertClose(rms.scales, [Math.sqrt(12.5), 1], 1e-15, 'rms scales');
  assert.deepEqual(Array.from(rms.constant), [1]);
  // sparse standardization keeps sparsity and agrees with dense
  const flat = rows.flat();
  const sp = new Lasso({ alpha: 0.02, tol: 1e-12, maxIter: 100_000, standardize: true }).fit(CscMatrix.fromDense(flat, n, 5), yy);
  const de = new Lasso({ alpha: 0.02, tol: 1e-12, maxIter: 100_000, standardize: true }).fit(rows, yy);
  assertClose(sp.coef, de.coef, 1e-8, 'sparse vs dense standardized');
});

test('warmStart: a refit starts from the previous coefficients and converges in fewer epochs', () => {
  const m = new Lasso({ alpha: 0.01, tol: 1e-10, warmStart: true, maxIter: 10_000 });
  m.fit(X, y);
  const cold = m.nIter;
  const first = Float64Array.from(m.coef);
  m.fit(X, y);
  assert.ok(m.nIter < cold, `warm ${m.nIter} vs cold ${cold}`);
  assertClose(m.coef, first, 1e-6, 'same solution');
});

test('convergence failure goes through onFailure (default throw; warn; return)', () => {
  assert.throws(() => new Lasso({ alpha: 1e-4, tol: 1e-14, maxIter: 1 }).fit(X, y), (e: unknown) => e instanceof ConvergenceError && /Lasso\.fit\(\): the solver did not converge within maxIter = 1/.test((e as Error).message));
  const seen: string[] = [];
  const prev = setWarningHandler((m, type) => seen.push(`${type}: ${m}`));
  try {
    const m = new Lasso({ alpha: 1e-4, tol: 1e-14, maxIter: 1, onFailure: 'warn' }).fit(X, y);
    assert.equal(m.converged, false);
    assert.equal(seen.length, 1);
    assert.match(seen[0]!, /^ConvergenceWarning: Lasso\.fit\(\): the solver did not converge/);
    const r = new ElasticNet({ alpha: 1e-4, tol: 1e-14, maxIter: 1, onFailure: 'return' }).fit(X, y);
    assert.equal(r.converged, false);
    assert.equal(seen.length, 1);
  } finally {
    setWarningHandler(prev);
  }
});

test('typed errors name the estimator, the method and the problem', () => {
  const m = new Lasso({ alpha: 0.1 });
  assert.throws(() => m.predict([[1]]), (e: unknown) => e instanceof NotFittedError && /^Lasso\.predict\(\): this Lasso is not fitted/.test((e as Error).message));
  assert.throws(() => m.coef, NotFittedError);
  assert.throws(() => new Lasso({ alpah: 1 } as never), /Lasso\(\): unknown option 'alpah' \(did you mean 'alpha'\?\)/);
  assert.throws(() => new Lasso({ alpha: 0 }), /Lasso\(\): alpha must be a positive finite number, got 0/);
  assert.throws(() => new Lasso({ alpha: '0.1' as never }), InvalidArgumentError);
  assert.throws(() => new ElasticNet({ l1Ratio: 0 }), /ElasticNet\(\): l1Ratio must be a number in \(0, 1\]/);
  assert.throws(() => new ElasticNet({ maxIter: 2.5 }), /ElasticNet\(\): maxIter must be an integer/);
  assert.throws(() => new Lasso({ fitIntercept: 'yes' as never }), /Lasso\(\): fitIntercept must be true or false/);
  assert.throws(() => new Lasso({ onFailure: 'ignore' as never }), /Lasso\(\): onFailure must be one of/);
  m.fit(X, y);
  assert.throws(() => m.predict([[1, 2]]), (e: unknown) => e instanceof ShapeError && /Lasso\.predict\(\): X has 2 features \(columns\), but the estimator was fitted with 12/.test((e as Error).message));
  const bad = rowsOf(X);
  bad[4]![7] = NaN;
  assert.throws(() => new Lasso().fit(bad, y), (e: unknown) => e instanceof NonFiniteError && /Lasso\.fit\(\): X contains a non-finite value \(NaN\) at row 4, column 7/.test((e as Error).message));
  assert.throws(() => m.predict(bad), /Lasso\.predict\(\): X contains a non-finite value \(NaN\) at row 4, column 7/);
  assert.throws(() => new Lasso().fit(X, Array.from(y).slice(1)), (e: unknown) => e instanceof ShapeError && /Lasso\.fit\(\): y has 59 entries, but X has 60 rows/.test((e as Error).message));
  assert.throws(() => new Lasso().fit(X, Array.from(y, (v, i) => (i === 3 ? Infinity : v))), /Lasso\.fit\(\): y contains a non-finite value/);
  assert.throws(() => new Lasso().fit([[1, 2], [3]], [1, 2]), /Lasso\.fit\(\): X\[1\] has 1 values, but X\[0\] has 2/);
  assert.throws(() => new Lasso().fit(tensor([1, 2, 3]), [1, 2, 3]), /Lasso\.fit\(\): X must be a 2-D Tensor/);
  assert.throws(() => m.score(X, Array.from(y).slice(2)), /Lasso\.score\(\): y has 58 entries/);
  // not differentiable: a traced X throws instead of giving a zero derivative
  const rows = rowsOf(X);
  assert.throws(() => grad((t: Tensor) => sum(tensor(m.predict(t))))(tensor(rows)), ConcretizationError);
});
