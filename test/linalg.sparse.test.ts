/**
 * @file Tests of CSR / CSC sparse matrices: dense and COO construction (duplicates summed,
 * unsorted input, bad indices), products against dense loops (with and without `out`),
 * conversions and transposes, column/row accessors used by coordinate descent, and validation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { InvalidArgumentError, ShapeError } from '../src/core/errors.js';
import { CscMatrix, CsrMatrix } from '../src/linalg/sparse/index.js';

/** Random sparse dense-layout matrix (row-major) with small integer values, some exact zeros. */
const sparseDense = fc
  .record({ rows: fc.integer({ min: 0, max: 12 }), cols: fc.integer({ min: 0, max: 12 }) })
  .chain(({ rows, cols }) =>
    fc.record({
      rows: fc.constant(rows),
      cols: fc.constant(cols),
      data: fc.array(fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: -9, max: 9 })), {
        minLength: rows * cols,
        maxLength: rows * cols,
      }),
      x: fc.array(fc.integer({ min: -5, max: 5 }), { minLength: cols, maxLength: cols }),
      y: fc.array(fc.integer({ min: -5, max: 5 }), { minLength: rows, maxLength: rows }),
    }),
  );

function denseMatvec(d: ArrayLike<number>, rows: number, cols: number, x: ArrayLike<number>): number[] {
  const out = new Array<number>(rows).fill(0);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i] += d[i * cols + j]! * x[j]!;
  return out;
}

function denseRmatvec(d: ArrayLike<number>, rows: number, cols: number, y: ArrayLike<number>): number[] {
  const out = new Array<number>(cols).fill(0);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j] += d[i * cols + j]! * y[i]!;
  return out;
}

function denseTranspose(d: ArrayLike<number>, rows: number, cols: number): number[] {
  const t = new Array<number>(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = d[i * cols + j]!;
  return t;
}

/** Integer-valued data: products are exact, so compare with deepEqual (normalising −0). */
const arr = (v: ArrayLike<number>): number[] => Array.from(v, (t) => t + 0);

test('fromDense / toDense round-trip and nnz (CSR and CSC, row- and column-major input)', () => {
  fc.assert(
    fc.property(sparseDense, ({ rows, cols, data }) => {
      const nz = data.filter((v) => v !== 0).length;
      const csr = CsrMatrix.fromDense(data, rows, cols);
      const csc = CscMatrix.fromDense(data, rows, cols);
      assert.equal(csr.nnz, nz);
      assert.equal(csc.nnz, nz);
      assert.deepEqual(arr(csr.toDense()), arr(data));
      assert.deepEqual(arr(csc.toDense()), arr(data));
      const colMajor = denseTranspose(data, rows, cols);
      assert.deepEqual(arr(CsrMatrix.fromDense(colMajor, rows, cols, 'col-major').toDense()), arr(data));
      assert.deepEqual(arr(CscMatrix.fromDense(colMajor, rows, cols, 'col-major').toDense()), arr(data));
      assert.deepEqual(csr.shape, [rows, cols]);
    }),
    { numRuns: 100 },
  );
});

test('matvec / rmatvec agree with dense products, with and without out', () => {
  fc.assert(
    fc.property(sparseDense, ({ rows, cols, data, x, y }) => {
      const xf = Float64Array.from(x), yf = Float64Array.from(y);
      const ax = denseMatvec(data, rows, cols, x);
      const aty = denseRmatvec(data, rows, cols, y);
      for (const A of [CsrMatrix.fromDense(data, rows, cols), CscMatrix.fromDense(data, rows, cols)]) {
        assert.deepEqual(arr(A.matvec(xf)), arr(ax));
        assert.deepEqual(arr(A.rmatvec(yf)), arr(aty));
        // with out: garbage in out is overwritten, the same object is returned
        const out = new Float64Array(rows).fill(123);
        assert.equal(A.matvec(xf, out), out);
        assert.deepEqual(arr(out), arr(ax));
        const outT = new Float64Array(cols).fill(-7);
        assert.equal(A.rmatvec(yf, outT), outT);
        assert.deepEqual(arr(outT), arr(aty));
      }
    }),
    { numRuns: 100 },
  );
});

test('conversions and transposes: csr ↔ csc, transpose twice, toCoo → fromCoo', () => {
  fc.assert(
    fc.property(sparseDense, ({ rows, cols, data }) => {
      const csr = CsrMatrix.fromDense(data, rows, cols);
      const csc = csr.toCsc();
      assert.ok(csc instanceof CscMatrix);
      assert.deepEqual(arr(csc.toDense()), arr(data));
      assert.deepEqual(arr(csc.indptr), arr(CscMatrix.fromDense(data, rows, cols).indptr));
      assert.deepEqual(arr(csc.indices), arr(CscMatrix.fromDense(data, rows, cols).indices));
      const back = csc.toCsr();
      assert.deepEqual(arr(back.indptr), arr(csr.indptr));
      assert.deepEqual(arr(back.indices), arr(csr.indices));
      assert.deepEqual(arr(back.values), arr(csr.values));
      const t = csr.transpose();
      assert.deepEqual(t.shape, [cols, rows]);
      assert.deepEqual(arr(t.toDense()), arr(denseTranspose(data, rows, cols)));
      assert.deepEqual(arr(t.transpose().toDense()), arr(data));
      assert.deepEqual(arr(csc.transpose().toDense()), arr(denseTranspose(data, rows, cols)));
      // the converted structures pass validation (sorted, unique)
      new CsrMatrix(rows, cols, back.indptr, back.indices, back.values);
      new CscMatrix(rows, cols, csc.indptr, csc.indices, csc.values);
      const coo = csr.toCoo();
      assert.deepEqual(arr(CsrMatrix.fromCoo(rows, cols, coo.rowIdx, coo.colIdx, coo.values).toDense()), arr(data));
      const coo2 = csc.toCoo();
      assert.deepEqual(arr(CscMatrix.fromCoo(rows, cols, coo2.rowIdx, coo2.colIdx, coo2.values).toDense()), arr(data));
    }),
    { numRuns: 100 },
  );
});

test('fromCoo sums duplicates, sorts indices, accepts any order (property vs dense accumulation)', () => {
  const triplets = fc
    .record({ rows: fc.integer({ min: 1, max: 8 }), cols: fc.integer({ min: 1, max: 8 }) })
    .chain(({ rows, cols }) =>
      fc.record({
        rows: fc.constant(rows),
        cols: fc.constant(cols),
        entries: fc.array(
          fc.tuple(fc.integer({ min: 0, max: rows - 1 }), fc.integer({ min: 0, max: cols - 1 }), fc.integer({ min: -9, max: 9 })),
          { maxLength: 60 },
        ),
      }),
    );
  fc.assert(
    fc.property(triplets, ({ rows, cols, entries }) => {
      const dense = new Array<number>(rows * cols).fill(0);
      const distinct = new Set<number>();
      for (const [i, j, v] of entries) {
        dense[i * cols + j] += v;
        distinct.add(i * cols + j);
      }
      const ri = entries.map((e) => e[0]), ci = entries.map((e) => e[1]), vs = entries.map((e) => e[2]);
      const csr = CsrMatrix.fromCoo(rows, cols, ri, ci, vs);
      const csc = CscMatrix.fromCoo(rows, cols, ri, ci, vs);
      assert.deepEqual(arr(csr.toDense()), arr(dense));
      assert.deepEqual(arr(csc.toDense()), arr(dense));
      // one stored entry per distinct position (cancellations stay as explicit zeros)
      assert.equal(csr.nnz, distinct.size);
      assert.equal(csc.nnz, distinct.size);
      for (let i = 0; i < rows; i++) {
        const { indices } = csr.row(i);
        for (let k = 1; k < indices.length; k++) assert.ok(indices[k]! > indices[k - 1]!);
      }
      assert.equal(csr.eliminateZeros().nnz, dense.filter((v) => v !== 0).length);
    }),
    { numRuns: 100 },
  );
});

test('fromCoo: a worked example with duplicates and an explicit cancellation', () => {
  const A = CsrMatrix.fromCoo(3, 3, [2, 0, 2, 1, 0, 1], [1, 2, 1, 0, 2, 0], [1, 5, 2, 4, -5, 1]);
  // (0,2): 5 − 5 = 0 stored; (1,0): 4 + 1 = 5; (2,1): 1 + 2 = 3
  assert.deepEqual(arr(A.indptr), [0, 1, 2, 3]);
  assert.deepEqual(arr(A.indices), [2, 0, 1]);
  assert.deepEqual(arr(A.values), [0, 5, 3]);
  assert.equal(A.get(1, 0), 5);
  assert.equal(A.get(2, 1), 3);
  assert.equal(A.get(2, 2), 0);
  const B = A.eliminateZeros();
  assert.equal(B.nnz, 2);
  assert.deepEqual(arr(B.indptr), [0, 0, 1, 2]);
  // typed-array inputs work too
  const C = CscMatrix.fromCoo(2, 2, Int32Array.of(1, 1), Int32Array.of(0, 0), Float64Array.of(0.5, 0.25));
  assert.equal(C.get(1, 0), 0.75);
  assert.equal(C.nnz, 1);
});

test('fromCoo rejects bad indices and mismatched lengths with clear errors', () => {
  for (const Cls of [CsrMatrix, CscMatrix]) {
    assert.throws(() => Cls.fromCoo(2, 2, [0, 2], [0, 0], [1, 1]), (e: unknown) => {
      assert.ok(e instanceof InvalidArgumentError);
      assert.match(e.message, /rowIdx\[1\] = 2 is not an integer index in \[0, 2\)/);
      return true;
    });
    assert.throws(() => Cls.fromCoo(2, 3, [0, 1], [0, -1], [1, 1]), /colIdx\[1\] = -1/);
    assert.throws(() => Cls.fromCoo(2, 3, [0, 1], [0, 3], [1, 1]), InvalidArgumentError);
    assert.throws(() => Cls.fromCoo(2, 2, [0.5], [0], [1]), InvalidArgumentError);
    assert.throws(() => Cls.fromCoo(2, 2, [NaN], [0], [1]), InvalidArgumentError);
    assert.throws(() => Cls.fromCoo(2, 2, [0, 1], [0], [1, 1]), ShapeError);
    assert.throws(() => Cls.fromCoo(2, 2, [0], [0], [1, 2]), ShapeError);
    assert.throws(() => Cls.fromCoo(-1, 2, [], [], []), InvalidArgumentError);
    assert.throws(() => Cls.fromCoo(2, 1.5, [], [], []), InvalidArgumentError);
    assert.throws(() => Cls.fromDense([1, 2, 3], 2, 2), ShapeError);
  }
});

test('constructor validates the compressed structure', () => {
  const ip = Int32Array.of(0, 1, 2);
  const v = Float64Array.of(1, 2);
  new CsrMatrix(2, 2, ip, Int32Array.of(0, 1), v); // fine
  assert.throws(() => new CsrMatrix(2, 2, Int32Array.of(0, 2), Int32Array.of(0, 1), v), ShapeError); // indptr length
  assert.throws(() => new CsrMatrix(2, 2, Int32Array.of(1, 1, 2), Int32Array.of(0, 1), v), InvalidArgumentError); // indptr[0]
  assert.throws(() => new CsrMatrix(2, 2, Int32Array.of(0, 1, 3), Int32Array.of(0, 1), v), ShapeError); // indptr[end] ≠ nnz
  assert.throws(() => new CsrMatrix(3, 2, Int32Array.of(0, 2, 1, 2), Int32Array.of(0, 1), v), /indptr decreases at row 1/);
  assert.throws(() => new CsrMatrix(2, 2, ip, Int32Array.of(0, 2), v), /out of range/);
  assert.throws(() => new CsrMatrix(1, 3, Int32Array.of(0, 2), Int32Array.of(2, 1), v), /not strictly increasing/);
  assert.throws(() => new CsrMatrix(1, 3, Int32Array.of(0, 2), Int32Array.of(1, 1), v), /not strictly increasing/);
  assert.throws(() => new CscMatrix(2, 2, ip, Int32Array.of(0, 5), v), /row index 5/);
  assert.throws(() => new CsrMatrix(2, 2, ip, Int32Array.of(0), v), ShapeError); // indices vs values length
  assert.throws(() => new CsrMatrix(2, 2, [0, 1, 2] as unknown as Int32Array, Int32Array.of(0, 1), v), InvalidArgumentError);
  // check: false skips validation (trusted producers)
  const bad = new CsrMatrix(1, 3, Int32Array.of(0, 2), Int32Array.of(2, 1), v, { check: false });
  assert.equal(bad.nnz, 2);
});

test('products validate shapes and refuse aliased output', () => {
  const A = CsrMatrix.fromDense([1, 2, 3, 4], 2, 2);
  const C = A.toCsc();
  for (const M of [A, C]) {
    assert.throws(() => M.matvec(new Float64Array(3)), ShapeError);
    assert.throws(() => M.matvec(new Float64Array(2), new Float64Array(3)), ShapeError);
    assert.throws(() => M.rmatvec(new Float64Array(1)), ShapeError);
    assert.throws(() => M.rmatvec(new Float64Array(2), new Float64Array(1)), ShapeError);
    const x = Float64Array.of(1, 1);
    assert.throws(() => M.matvec(x, x), InvalidArgumentError);
    assert.throws(() => M.rmatvec(x, x), InvalidArgumentError);
    const buf = new Float64Array(4);
    assert.throws(() => M.matvec(buf.subarray(0, 2), buf.subarray(1, 3)), InvalidArgumentError);
    // disjoint views of one buffer are fine
    buf.set([1, 1, 0, 0]);
    assert.deepEqual(arr(M.matvec(buf.subarray(0, 2), buf.subarray(2, 4))), M === A ? [3, 7] : [3, 7]);
  }
});

test('empty shapes: 0×n, n×0 and all-zero matrices', () => {
  const E = CsrMatrix.fromDense([], 0, 3);
  assert.deepEqual(arr(E.matvec(Float64Array.of(1, 2, 3))), []);
  assert.deepEqual(arr(E.rmatvec(new Float64Array(0))), [0, 0, 0]);
  const F = CscMatrix.fromDense([], 3, 0);
  assert.deepEqual(arr(F.matvec(new Float64Array(0))), [0, 0, 0]);
  assert.deepEqual(arr(F.toCsr().rmatvec(Float64Array.of(1, 2, 3))), []);
  const Z = CsrMatrix.fromCoo(4, 5, [], [], []);
  assert.equal(Z.nnz, 0);
  assert.deepEqual(arr(Z.toCsc().colNormsSquared()), [0, 0, 0, 0, 0]);
});

test('CSC column accessors for coordinate descent: column views, colDot, colAxpy, norms', () => {
  fc.assert(
    fc.property(sparseDense, ({ rows, cols, data, x, y }) => {
      const X = CscMatrix.fromDense(data, rows, cols);
      const R = CsrMatrix.fromDense(data, rows, cols);
      const yf = Float64Array.from(y);
      const colNorms = new Array<number>(cols).fill(0);
      const rowNorms = new Array<number>(rows).fill(0);
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) {
        colNorms[j] += data[i * cols + j]! ** 2;
        rowNorms[i] += data[i * cols + j]! ** 2;
      }
      assert.deepEqual(arr(X.colNormsSquared()), colNorms);
      assert.deepEqual(arr(R.colNormsSquared()), colNorms);
      assert.deepEqual(arr(X.rowNormsSquared()), rowNorms);
      assert.deepEqual(arr(R.rowNormsSquared()), rowNorms);
      for (let j = 0; j < cols; j++) {
        const { indices, values } = X.column(j);
        const col = new Array<number>(rows).fill(0);
        for (let t = 0; t < indices.length; t++) col[indices[t]!] = values[t]!;
        assert.deepEqual(col, Array.from({ length: rows }, (_, i) => data[i * cols + j]! + 0));
        assert.equal(X.colDot(j, yf), col.reduce((s, v, i) => s + v * y[i]!, 0));
        const acc = Float64Array.from(y);
        X.colAxpy(j, 2, acc);
        assert.deepEqual(arr(acc), y.map((v, i) => v + 2 * col[i]!));
        for (let i = 0; i < rows; i++) assert.equal(X.get(i, j), data[i * cols + j]! + 0);
      }
      for (let i = 0; i < rows; i++) {
        const { indices, values } = R.row(i);
        const row = new Array<number>(cols).fill(0);
        for (let t = 0; t < indices.length; t++) row[indices[t]!] = values[t]!;
        assert.deepEqual(row, Array.from({ length: cols }, (_, j) => data[i * cols + j]! + 0));
        assert.equal(R.rowDot(i, Float64Array.from(x)), row.reduce((s, v, j) => s + v * x[j]!, 0));
      }
      const dn = Math.min(rows, cols);
      const diag = Array.from({ length: dn }, (_, i) => data[i * cols + i]! + 0);
      assert.deepEqual(arr(R.diagonal()), diag);
      assert.deepEqual(arr(X.diagonal()), diag);
    }),
    { numRuns: 60 },
  );
  const X = CscMatrix.fromDense([1, 0, 2, 0, 0, 3], 2, 3);
  // column views alias the matrix storage (no copy)
  X.column(2).values[0] = 10;
  assert.equal(X.get(0, 2), 10);
  assert.throws(() => X.column(3), InvalidArgumentError);
  assert.throws(() => X.get(2, 0), InvalidArgumentError);
  assert.throws(() => X.colDot(0, new Float64Array(3)), ShapeError);
  assert.throws(() => CsrMatrix.identity(2).row(-1), InvalidArgumentError);
});

test('non-integer values: products match dense loops to rounding; NaN/Inf propagate like dense', () => {
  const rows = 30, cols = 20;
  const data = new Float64Array(rows * cols);
  let s = 1;
  const rand = (): number => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1;
  for (let k = 0; k < data.length; k++) if (rand() > 0.6) data[k] = rand();
  const x = Float64Array.from({ length: cols }, rand);
  const y = Float64Array.from({ length: rows }, rand);
  const A = CsrMatrix.fromDense(data, rows, cols);
  const ax = denseMatvec(data, rows, cols, x), aty = denseRmatvec(data, rows, cols, y);
  for (const M of [A, A.toCsc()]) {
    M.matvec(x).forEach((v, i) => assert.ok(Math.abs(v - ax[i]!) < 1e-13));
    M.rmatvec(y).forEach((v, j) => assert.ok(Math.abs(v - aty[j]!) < 1e-13));
  }
  // Infinity in A times a zero entry of y gives NaN, as in the dense product
  const B = CsrMatrix.fromDense([Infinity, 1, 0, 1], 2, 2);
  assert.ok(Number.isNaN(B.rmatvec(Float64Array.of(0, 1))[0]!));
  assert.ok(Number.isNaN(B.toCsc().rmatvec(Float64Array.of(0, 1))[0]!));
  assert.ok(Number.isNaN(B.matvec(Float64Array.of(0, 1))[0]!));
  assert.ok(Number.isNaN(B.toCsc().matvec(Float64Array.of(0, 1))[0]!));
});

test('identity and clone', () => {
  const I = CsrMatrix.identity(3);
  assert.deepEqual(arr(I.toDense()), [1, 0, 0, 0, 1, 0, 0, 0, 1]);
  const c = I.clone();
  c.values[0] = 5;
  assert.equal(I.get(0, 0), 1);
  const K = I.toCsc().clone();
  assert.equal(K.nnz, 3);
});

test('CscMatrix is the one sparse design type: kind, nRows, nCols; loaders, generators and conversions build it', async () => {
  const A = CscMatrix.fromCoo(3, 2, [0, 2, 1], [0, 0, 1], [1, 2, 3]);
  assert.equal(A.kind, 'csc');
  assert.equal(A.nRows, 3);
  assert.equal(A.nCols, 2);
  assert.deepEqual([A.nRows, A.nCols], A.shape);
  const { parseLibsvm, makeSparseRegression, toCsc, takeRows, denseFromRows } = await import('../src/data/index.js');
  assert.ok(parseLibsvm('1 1:2 3:4\n0 2:1\n').X instanceof CscMatrix);
  assert.ok(makeSparseRegression(20, 10, { density: 0.2, seed: 1 }).X instanceof CscMatrix);
  assert.ok(toCsc(denseFromRows([[1, 0], [0, 2]])) instanceof CscMatrix);
  assert.ok(takeRows(A, Int32Array.of(2, 0)) instanceof CscMatrix);
  assert.ok(CsrMatrix.fromDense([1, 0, 0, 2], 2, 2).toCsc() instanceof CscMatrix);
});
