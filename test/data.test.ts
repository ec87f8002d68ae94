/**
 * @file Tests of the data layer: bundled datasets, CSV and libsvm parsing (including every error
 * message's line/column), K-fold indices (scikit-learn semantics), row selection on dense and CSC
 * designs, and the synthetic generators.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataFormatError, InvalidArgumentError } from '../src/core/errors.js';
import { rng } from '../src/core/rng.js';
import { CscMatrix } from '../src/linalg/sparse/index.js';
import {
  columnNormsSquared,
  datasetNames,
  denseFromRows,
  getEntry,
  kFoldIndices,
  loadCsv,
  loadCsvPair,
  loadDataset,
  loadLibsvm,
  makeClassification,
  makeCorrelatedData,
  makeDataset,
  makeSparseRegression,
  matVec,
  parseCsv,
  parseLibsvm,
  saveLibsvm,
  splitTrainVal,
  takeRows,
  toCsc,
  toDense,
  writeLibsvm,
  type DesignMatrix,
} from '../src/data/index.js';

/** Asserts that `f` throws an instance of `cls` whose message contains every fragment. */
function throwsWith(f: () => unknown, cls: new (...a: never[]) => Error, ...fragments: string[]): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${String(e)}`);
    for (const frag of fragments) assert.ok(e.message.includes(frag), `message "${e.message}" lacks "${frag}"`);
    return true;
  });
}

function denseRows(X: DesignMatrix): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < X.nRows; i++) {
    const r: number[] = [];
    for (let j = 0; j < X.nCols; j++) r.push(getEntry(X, i, j));
    out.push(r);
  }
  return out;
}

function checkCscInvariants(X: CscMatrix): void {
  assert.equal(X.indptr.length, X.nCols + 1);
  assert.equal(X.indptr[0], 0);
  assert.equal(X.indices.length, X.indptr[X.nCols]);
  assert.equal(X.values.length, X.indptr[X.nCols]);
  for (let j = 0; j < X.nCols; j++) {
    for (let k = X.indptr[j]!; k < X.indptr[j + 1]!; k++) {
      assert.ok(X.indices[k]! >= 0 && X.indices[k]! < X.nRows);
      if (k > X.indptr[j]!) assert.ok(X.indices[k]! > X.indices[k - 1]!, `column ${j} not strictly sorted`);
    }
  }
}

function corr(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

function norm(v: Float64Array): number {
  return Math.sqrt(v.reduce((s, x) => s + x * x, 0));
}

// ---------------------------------------------------------------- bundled datasets

test('bundled diabetes: 442 × 10, names, first row and target', () => {
  const ds = loadDataset('diabetes');
  assert.equal(ds.nSamples, 442);
  assert.equal(ds.nFeatures, 10);
  assert.equal(ds.X.kind, 'dense');
  assert.deepEqual(ds.featureNames, ['age', 'sex', 'bmi', 'bp', 's1', 's2', 's3', 's4', 's5', 's6']);
  assert.equal(ds.targetName, 'target');
  assert.deepEqual(denseRows(takeRows(ds.X, Int32Array.of(0)))[0], [59, 2, 32.1, 101, 157, 93.2, 38, 4, 4.8598, 87]);
  assert.equal(ds.y[0], 151);
  assert.equal(ds.y[1], 75);
  assert.equal(getEntry(ds.X, 441, 0), 36); // last row: age 36
  assert.equal(ds.y[441], 57);
});

test('bundled breast_cancer: 569 × 30, labels 0/1 (malignant = 1, 212 rows)', () => {
  const ds = loadDataset('breast_cancer');
  assert.equal(ds.nSamples, 569);
  assert.equal(ds.nFeatures, 30);
  assert.equal(ds.targetName, 'malignant');
  assert.equal(ds.featureNames[0], 'mean_radius');
  assert.ok(ds.y.every((v) => v === 0 || v === 1));
  assert.equal(ds.y.reduce((s, v) => s + v, 0), 212);
  assert.equal(getEntry(ds.X, 0, 0), 17.99);
  assert.equal(ds.y[0], 1);
});

test('bundled digits: 1797 × 64, labels 0..9', () => {
  const ds = loadDataset('digits');
  assert.equal(ds.nSamples, 1797);
  assert.equal(ds.nFeatures, 64);
  assert.equal(ds.targetName, 'label');
  assert.deepEqual([...new Set(ds.y)].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(ds.y[0], 0);
  assert.equal(getEntry(ds.X, 0, 2), 5);
});

test('loadDataset: unknown name lists the available ones; datasetNames', () => {
  assert.deepEqual([...datasetNames], ['diabetes', 'breast_cancer', 'digits']);
  throwsWith(() => loadDataset('iris' as never), InvalidArgumentError, "'iris'", 'diabetes, breast_cancer, digits');
});

// ---------------------------------------------------------------- CSV

test('parseCsv: target picked by name (any position), features column-major', () => {
  const ds = parseCsv('a,y,b\n1,10,2\n3,20,4\n5,30,6\n', { target: 'y' });
  assert.deepEqual(ds.featureNames, ['a', 'b']);
  assert.equal(ds.targetName, 'y');
  assert.deepEqual([...ds.y], [10, 20, 30]);
  assert.equal(ds.X.kind, 'dense');
  if (ds.X.kind === 'dense') assert.deepEqual([...ds.X.data], [1, 3, 5, 2, 4, 6]);
  assert.equal(ds.nSamples, 3);
  assert.equal(ds.nFeatures, 2);
});

test('parseCsv: CRLF, no trailing newline, blank lines, whitespace, BOM, signs and exponents', () => {
  const ds = parseCsv('\ufeff a , b ,y\r\n 1 ,\t-2.5e1 , +3\r\n\r\n.5,4.,1E-2', { target: 'y' });
  assert.deepEqual(ds.featureNames, ['a', 'b']);
  assert.deepEqual(denseRows(ds.X), [
    [1, -25],
    [0.5, 4],
  ]);
  assert.deepEqual([...ds.y], [3, 0.01]);
  const ds2 = parseCsv('a,y\n1,2\n\n\n', { target: 'y' });
  assert.equal(ds2.nSamples, 1);
});

test('parseCsv: quoted fields with commas, escaped quotes and newlines', () => {
  const text = '"x, first","say ""hi""",y\n"1",  "2" ,3\n4,5,"6"\n';
  const ds = parseCsv(text, { target: 'y' });
  assert.deepEqual(ds.featureNames, ['x, first', 'say "hi"']);
  assert.deepEqual(denseRows(ds.X), [
    [1, 2],
    [4, 5],
  ]);
  assert.deepEqual([...ds.y], [3, 6]);
  // a quoted header cell spanning two physical lines shifts later line numbers
  throwsWith(() => parseCsv('"multi\nline",y\n1,2\n1,zz\n', { target: 'y', sourceName: 'q.csv' }), DataFormatError, "'zz' in column y at line 4 of q.csv");
  throwsWith(() => parseCsv('a,y\n"1,2\n', { target: 'y', sourceName: 'q.csv' }), DataFormatError, 'unterminated quoted field starting at line 2 of q.csv');
  throwsWith(() => parseCsv('a,y\n"1"x,2\n', { target: 'y', sourceName: 'q.csv' }), DataFormatError, 'line 2 of q.csv');
});

test('parseCsv: non-numeric cell names value, column, line and file', () => {
  const rows = ['age,bmi,target'];
  for (let i = 0; i < 15; i++) rows.push(`${i},${20 + i},${100 + i}`);
  rows.push('50,abc,1'); // line 17
  throwsWith(() => parseCsv(rows.join('\n'), { target: 'target', sourceName: 'file.csv' }), DataFormatError, "'abc' in column bmi at line 17 of file.csv is not a number");
  // CRLF and blank lines do not disturb the count
  throwsWith(() => parseCsv('a,y\r\n1,2\r\n\r\n3,NaN\r\n', { target: 'y', sourceName: 'f.csv' }), DataFormatError, "'NaN' in column y at line 4 of f.csv");
  throwsWith(() => parseCsv('a,y\n1,2\n0x10,1\n', { target: 'y', sourceName: 'f.csv' }), DataFormatError, "'0x10' in column a at line 3 of f.csv");
  throwsWith(() => parseCsv('a,y\n1e999,2\n', { target: 'y', sourceName: 'f.csv' }), DataFormatError, "'1e999' in column a at line 2 of f.csv", 'finite');
});

test('parseCsv: missing cell names column and line', () => {
  throwsWith(() => parseCsv('a,b,y\n1,2,3\n4,,6\n', { target: 'y', sourceName: 'm.csv' }), DataFormatError, 'missing value in column b at line 3 of m.csv');
  throwsWith(() => parseCsv('a,b,y\n1,2, \n', { target: 'y', sourceName: 'm.csv' }), DataFormatError, 'missing value in column y at line 2 of m.csv');
  throwsWith(() => parseCsv('a,b,y\n1,"",3\n', { target: 'y', sourceName: 'm.csv' }), DataFormatError, 'missing value in column b at line 2 of m.csv');
});

test('parseCsv: wrong number of fields names line and columns', () => {
  throwsWith(
    () => parseCsv('a,b,y\n1,2,3\n4,5\n', { target: 'y', sourceName: 'w.csv' }),
    DataFormatError,
    'line 3 of w.csv has 2 fields but the header has 3',
    'missing column y',
  );
  throwsWith(
    () => parseCsv('a,b,y\n1,2,3,4\n', { target: 'y', sourceName: 'w.csv' }),
    DataFormatError,
    'line 2 of w.csv has 4 fields but the header has 3',
    'after the last column y',
  );
});

test('parseCsv: empty file, header only, duplicate and unknown columns', () => {
  throwsWith(() => parseCsv('', { target: 'y', sourceName: 'e.csv' }), DataFormatError, 'e.csv is empty');
  throwsWith(() => parseCsv('\n \r\n', { target: 'y', sourceName: 'e.csv' }), DataFormatError, 'e.csv is empty');
  throwsWith(() => parseCsv('a,y\n', { target: 'y', sourceName: 'h.csv' }), DataFormatError, 'h.csv has a header (line 1) but no data rows');
  throwsWith(() => parseCsv('a,y,a\n1,2,3\n', { target: 'y', sourceName: 'd.csv' }), DataFormatError, "duplicate column name 'a'", 'line 1', 'd.csv', 'positions 1 and 3');
  throwsWith(() => parseCsv('a,,y\n1,2,3\n', { target: 'y', sourceName: 'd.csv' }), DataFormatError, 'empty column name in position 2');
  throwsWith(() => parseCsv('a,b,y\n1,2,3\n', { target: 'target', sourceName: 't.csv' }), DataFormatError, "'target' not found in t.csv", 'available columns: a, b, y');
});

test('loadCsv / loadCsvPair: file names in errors, same feature columns checked', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nsdiff-csv-'));
  try {
    const tr = join(dir, 'train.csv');
    const va = join(dir, 'val.csv');
    const bad = join(dir, 'bad.csv');
    const other = join(dir, 'other.csv');
    writeFileSync(tr, 'a,b,y\n1,2,3\n4,5,6\n');
    writeFileSync(va, 'a,b,y\n7,8,9\n');
    writeFileSync(bad, 'a,b,y\n1,2,3\n4,x,6\n');
    writeFileSync(other, 'a,c,y\n7,8,9\n');
    const { train, val } = loadCsvPair(tr, va, { target: 'y' });
    assert.equal(train.nSamples, 2);
    assert.equal(val.nSamples, 1);
    assert.equal(loadCsv(tr, { target: 'y' }).y[1], 6);
    throwsWith(() => loadCsv(bad, { target: 'y' }), DataFormatError, `'x' in column b at line 3 of ${bad} is not a number`);
    throwsWith(() => loadCsvPair(tr, other, { target: 'y' }), DataFormatError, `only in ${tr}: b`, `only in ${other}: c`);
    throwsWith(() => loadCsv(join(dir, 'nope.csv'), { target: 'y' }), DataFormatError, 'nope.csv', 'ENOENT');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---------------------------------------------------------------- libsvm

test('parseLibsvm: hand-made example with comments, qid, blank lines, CRLF, unsorted indices', () => {
  const text = ['# header comment', '1 1:0.5 3:2 qid:7', '', '-1 qid:2 2:1.5 # trailing comment', '+2.5 4:-1e-3 1:7\r', '0', '  '].join('\n');
  const ds = parseLibsvm(text);
  assert.equal(ds.nSamples, 4);
  assert.equal(ds.nFeatures, 4);
  assert.deepEqual([...ds.y], [1, -1, 2.5, 0]);
  assert.deepEqual(ds.featureNames, ['f1', 'f2', 'f3', 'f4']);
  const X = ds.X as CscMatrix;
  assert.equal(X.kind, 'csc');
  checkCscInvariants(X);
  assert.deepEqual([...X.indptr], [0, 2, 3, 4, 5]);
  assert.deepEqual([...X.indices], [0, 2, 1, 0, 2]);
  assert.deepEqual([...X.values], [0.5, 7, 1.5, 2, -0.001]);
  assert.deepEqual(denseRows(X), [
    [0.5, 0, 2, 0],
    [0, 1.5, 0, 0],
    [7, 0, 0, -0.001],
    [0, 0, 0, 0],
  ]);
  // nFeatures widens the matrix; explicit zeros are dropped
  const wide = parseLibsvm('1 2:0 3:4\n', { nFeatures: 6 });
  assert.equal(wide.nFeatures, 6);
  assert.deepEqual([...(wide.X as CscMatrix).indptr], [0, 0, 0, 1, 1, 1, 1]);
});

test('parseLibsvm: malformed tokens, index 0, duplicates and range errors name the line', () => {
  const src = { sourceName: 'x.svm' };
  throwsWith(() => parseLibsvm('1 1:2\n1 3\n', src), DataFormatError, "malformed token '3' at line 2 of x.svm");
  throwsWith(() => parseLibsvm('1 1:2\n\n1 a:3\n', src), DataFormatError, "malformed token 'a:3' at line 3 of x.svm");
  throwsWith(() => parseLibsvm('1 1:abc\n', src), DataFormatError, "malformed value in token '1:abc' at line 1 of x.svm");
  throwsWith(() => parseLibsvm('1 1:\n', src), DataFormatError, "'1:' at line 1");
  throwsWith(() => parseLibsvm('1 1:2:3\n', src), DataFormatError, "'1:2:3' at line 1");
  throwsWith(() => parseLibsvm('1 -1:2\n', src), DataFormatError, "malformed token '-1:2' at line 1");
  throwsWith(() => parseLibsvm('1 1:inf\n', src), DataFormatError, "'1:inf' at line 1");
  throwsWith(() => parseLibsvm('yes 1:2\n', src), DataFormatError, "malformed label 'yes' at line 1 of x.svm");
  throwsWith(() => parseLibsvm('1,2 1:2\n', src), DataFormatError, "malformed label '1,2' at line 1");
  throwsWith(() => parseLibsvm('1 1:1\n1 0:5\n', src), DataFormatError, 'feature index 0', 'line 2 of x.svm', '1-based');
  throwsWith(() => parseLibsvm('1 3:1 1:2 3:4\n', src), DataFormatError, 'duplicate feature index 3 at line 1 of x.svm');
  throwsWith(() => parseLibsvm('1 1:1\n1 9:1\n', { ...src, nFeatures: 5 }), DataFormatError, 'feature index 9 at line 2 of x.svm exceeds nFeatures = 5');
  throwsWith(() => parseLibsvm('1 99999999999:1\n', src), DataFormatError, 'line 1', 'exceeds the limit of 16777216 features');
  throwsWith(() => parseLibsvm('# only a comment\n\n', src), DataFormatError, 'x.svm contains no samples');
});

test('parseLibsvm: the feature count is bounded by a cap and by the stored entries, before any allocation of that size', () => {
  const src = { sourceName: 'x.svm' };
  throwsWith(() => parseLibsvm('1 1:1 2000000000:1\n', src), DataFormatError, 'feature index 2000000000 at line 1 of x.svm exceeds the limit of 16777216 features');
  throwsWith(() => parseLibsvm('1 1:1\n-1 10000000:1\n', src), DataFormatError, 'feature index 10000000 at line 2 of x.svm implies 10000000 features, but the file stores only 2 entries');
  // 64 × entries + 1024 is the widest accepted: 2 entries → 1152
  assert.equal(parseLibsvm('1 1:1\n-1 1152:1\n').nFeatures, 1152);
  throwsWith(() => parseLibsvm('1 1:1\n-1 1153:1\n', src), DataFormatError, 'implies 1153 features');
  // an explicit width (a validation file loaded at the training file's width) is not bounded by the entries
  assert.equal(parseLibsvm('1 1:1\n', { nFeatures: 50000 }).nFeatures, 50000);
  assert.equal(parseLibsvm('1 3:1\n', { maxFeatures: 3 }).nFeatures, 3);
  throwsWith(() => parseLibsvm('1 4:1\n', { ...src, maxFeatures: 3 }), DataFormatError, 'exceeds the limit of 3 features');
  throwsWith(() => parseLibsvm('1 1:1\n', { nFeatures: 5, maxFeatures: 3 }), InvalidArgumentError, 'nFeatures = 5 exceeds the limit of 3');
  throwsWith(() => parseLibsvm('1 1:nan\n', src), DataFormatError, "'1:nan' at line 1 of x.svm");
});

test('loadCsv / loadLibsvm: an unreadable file is one message with the reason and the code once', () => {
  for (const load of [() => loadCsv('/no/such/file.csv', { target: 'y' }), () => loadLibsvm('/no/such/file.svm')]) {
    assert.throws(load, (e: Error) => e instanceof DataFormatError && /^cannot read \/no\/such\/file\.(csv|svm): no such file or directory \(ENOENT\)$/.test(e.message));
  }
});

test('parseLibsvm: numbers parse exactly like Number() in every notation', () => {
  const g = rng(11);
  const texts: string[] = [];
  for (let t = 0; t < 3000; t++) {
    const v = (g.random() - 0.5) * 10 ** (g.int(40) - 20);
    const forms = [String(v), v.toPrecision(1 + g.int(17)), v.toExponential(g.int(17)), v.toFixed(g.int(12)), `${v < 0 ? '-' : '+'}00${Math.abs(v).toPrecision(8)}`];
    texts.push(forms[t % forms.length]!);
  }
  texts.push('1e22', '1e23', '9007199254740993', '123456789012345678901234567890', '.5', '5.', '4.9e-324', '1.7976931348623157e308', '0.000000000000000000001234');
  const expected = texts.map(Number).filter((v) => v !== 0);
  const line = '0 ' + texts.map((s, k) => `${k + 1}:${s}`).join(' ');
  const ds = parseLibsvm(line);
  const X = ds.X as CscMatrix;
  assert.equal(X.values.length, expected.length);
  assert.deepEqual([...X.values], expected);
});

test('writeLibsvm → parseLibsvm round trip (exact by default, rounded with precision)', () => {
  const { X, y } = makeSparseRegression(60, 40, { density: 0.1, seed: 3 });
  const ds = makeDataset(X, y.map((v) => Math.round(v * 100) / 100 + 0) /* -0 is written as 0 */);
  const text = writeLibsvm(ds);
  assert.ok(text.endsWith('\n'));
  const back = parseLibsvm(text, { nFeatures: 40 });
  assert.deepEqual(back.X, X);
  assert.deepEqual(back.y, ds.y);
  // dense designs write their non-zeros
  const dense = toDense(X);
  assert.equal(writeLibsvm(makeDataset(dense, ds.y)), text);
  const rounded = parseLibsvm(writeLibsvm(ds, { precision: 4 }), { nFeatures: 40 });
  const R = rounded.X as CscMatrix;
  for (let k = 0; k < X.values.length; k++) assert.equal(R.values[k], Number(X.values[k]!.toPrecision(4)));
  throwsWith(() => writeLibsvm(ds, { precision: 0 }), InvalidArgumentError, 'precision');
  // file round trip through saveLibsvm / loadLibsvm
  const dir = mkdtempSync(join(tmpdir(), 'nsdiff-svm-'));
  try {
    const p = join(dir, 'a.svm');
    const bytes = saveLibsvm(p, ds);
    assert.equal(bytes, Buffer.byteLength(text));
    const loaded = loadLibsvm(p, { nFeatures: 40 });
    assert.deepEqual(loaded.X, X);
    writeFileSync(p, '1 1:1\n1 2:x\n');
    throwsWith(() => loadLibsvm(p), DataFormatError, `line 2 of ${p}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---------------------------------------------------------------- folds, splits, row selection

test('kFoldIndices: contiguous folds match scikit-learn KFold (n=10, k=3)', () => {
  const folds = kFoldIndices(10, 3);
  assert.deepEqual(
    folds.map((f) => [...f.val]),
    [
      [0, 1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ],
  );
  assert.deepEqual([...folds[0]!.train], [4, 5, 6, 7, 8, 9]);
  assert.deepEqual([...folds[1]!.train], [0, 1, 2, 3, 7, 8, 9]);
  assert.deepEqual([...folds[2]!.train], [0, 1, 2, 3, 4, 5, 6]);
  assert.deepEqual(
    kFoldIndices(7, 7).map((f) => [...f.val]),
    [[0], [1], [2], [3], [4], [5], [6]],
  );
  assert.deepEqual(
    kFoldIndices(11, 4).map((f) => f.val.length),
    [3, 3, 3, 2],
  );
});

test('kFoldIndices: shuffled folds partition 0..n-1, are seeded, and k is validated', () => {
  const n = 23;
  const folds = kFoldIndices(n, 5, { shuffle: true, seed: 4 });
  const all = folds.flatMap((f) => [...f.val]).sort((a, b) => a - b);
  assert.deepEqual(all, Array.from({ length: n }, (_, i) => i));
  assert.deepEqual(
    folds.map((f) => f.val.length),
    [5, 5, 5, 4, 4],
  );
  for (const f of folds) {
    assert.equal(f.train.length + f.val.length, n);
    const s = new Set([...f.train, ...f.val]);
    assert.equal(s.size, n);
    assert.ok([...f.val].every((v, i, a) => i === 0 || v > a[i - 1]!));
  }
  assert.notDeepEqual(
    folds.map((f) => [...f.val]),
    kFoldIndices(n, 5).map((f) => [...f.val]),
  );
  assert.deepEqual(kFoldIndices(n, 5, { shuffle: true, seed: 4 }), folds);
  assert.notDeepEqual(kFoldIndices(n, 5, { shuffle: true, seed: 5 }), folds);
  throwsWith(() => kFoldIndices(10, 1), InvalidArgumentError, 'k must be an integer >= 2');
  throwsWith(() => kFoldIndices(3, 4), InvalidArgumentError, 'fewer rows than folds');
  throwsWith(() => kFoldIndices(10, 2.5), InvalidArgumentError, 'k');
});

test('takeRows: dense and CSC agree (unsorted, repeated indices); conversions', () => {
  const g = rng(2);
  const rows: number[][] = [];
  for (let i = 0; i < 30; i++) rows.push(Array.from({ length: 12 }, () => (g.random() < 0.3 ? Math.round(g.normalScalar() * 100) / 10 : 0)));
  const D = denseFromRows(rows);
  const S = toCsc(D);
  checkCscInvariants(S);
  assert.deepEqual(toDense(S), D);
  assert.deepEqual(D, denseFromRows(Float64Array.from(rows.flat()), 30, 12));
  for (const idx of [Int32Array.of(3, 1, 4, 1, 5, 9, 2, 6, 29, 0), Int32Array.from({ length: 30 }, (_, i) => 29 - i), Int32Array.of(0, 2, 2, 7), new Int32Array(0), g.permutation(30)]) {
    const td = takeRows(D, idx);
    const ts = takeRows(S, idx) as CscMatrix;
    assert.equal(ts.kind, 'csc');
    checkCscInvariants(ts);
    assert.deepEqual(denseRows(ts), denseRows(td));
    assert.deepEqual(
      denseRows(td),
      [...idx].map((i) => rows[i]),
    );
  }
  throwsWith(() => takeRows(D, Int32Array.of(30)), InvalidArgumentError, 'row index 30');
  assert.deepEqual(columnNormsSquared(S), columnNormsSquared(D));
  assert.deepEqual([...columnNormsSquared(denseFromRows([[1, 2], [3, 4]]))], [10, 20]);
  const w = Float64Array.from({ length: 12 }, (_, j) => j - 5);
  assert.deepEqual(matVec(S, w), matVec(D, w));
});

test('CscMatrix.fromCoo (the one CSC constructor): unsorted input, duplicates summed', () => {
  const X = CscMatrix.fromCoo(3, 2, Int32Array.of(2, 0, 1, 0, 2), Int32Array.of(0, 0, 1, 0, 1), Float64Array.of(1, 2, 3, 4, 5));
  assert.ok(X instanceof CscMatrix);
  checkCscInvariants(X);
  assert.deepEqual(denseRows(X), [
    [6, 0],
    [0, 3],
    [1, 5],
  ]);
  throwsWith(() => CscMatrix.fromCoo(3, 1, Int32Array.of(3), Int32Array.of(0), Float64Array.of(1)), InvalidArgumentError, 'rowIdx[0] = 3');
});

test('splitTrainVal: sizes, disjoint cover, seeded; no-shuffle keeps the head for training', () => {
  const ds = loadDataset('diabetes');
  const s = splitTrainVal(ds, 0.5, { seed: 3 });
  assert.equal(s.train.nSamples, 221);
  assert.equal(s.val.nSamples, 221);
  const all = [...s.trainIdx, ...s.valIdx].sort((a, b) => a - b);
  assert.deepEqual(all, Array.from({ length: 442 }, (_, i) => i));
  assert.equal(s.train.y[0], ds.y[s.trainIdx[0]!]);
  assert.deepEqual(splitTrainVal(ds, 0.5, { seed: 3 }).trainIdx, s.trainIdx);
  const h = splitTrainVal(ds, 0.8, { shuffle: false });
  assert.equal(h.train.nSamples, 353);
  assert.deepEqual([...h.trainIdx], Array.from({ length: 353 }, (_, i) => i));
  throwsWith(() => splitTrainVal(ds, 1), InvalidArgumentError, 'fraction');
  throwsWith(() => splitTrainVal(makeDataset(denseFromRows([[1]]), Float64Array.of(1)), 0.5), InvalidArgumentError, 'empty');
});

// ---------------------------------------------------------------- synthetic

test('makeCorrelatedData: SNR exact, AR(1) correlation, support size, deterministic', () => {
  const n = 3000;
  const p = 20;
  const { X, y, wTrue } = makeCorrelatedData(n, p, { corr: 0.6, snr: 3, density: 0.2, seed: 7 });
  assert.equal(X.kind, 'dense');
  assert.equal(X.data.length, n * p);
  assert.equal(wTrue.filter((v) => v !== 0).length, 4);
  const signal = matVec(X, wTrue);
  const noise = y.map((v, i) => v - signal[i]!);
  assert.ok(Math.abs(norm(signal) / norm(noise) - 3) < 1e-9);
  const col = (j: number): Float64Array => X.data.subarray(j * n, (j + 1) * n);
  for (let j = 0; j + 1 < p; j += 4) assert.ok(Math.abs(corr(col(j), col(j + 1)) - 0.6) < 0.05, `corr(X${j}, X${j + 1})`);
  assert.ok(Math.abs(corr(col(0), col(2)) - 0.36) < 0.06);
  for (const j of [0, p - 1]) assert.ok(Math.abs(norm(col(j)) ** 2 / n - 1) < 0.1);
  const again = makeCorrelatedData(n, p, { corr: 0.6, snr: 3, density: 0.2, seed: 7 });
  assert.deepEqual(again.X.data, X.data);
  assert.deepEqual(again.y, y);
  assert.notDeepEqual(makeCorrelatedData(50, 5, { seed: 8 }).y, makeCorrelatedData(50, 5, { seed: 7 }).y);
  const clean = makeCorrelatedData(30, 10, { snr: Infinity, seed: 1 });
  assert.deepEqual(clean.y, matVec(clean.X, clean.wTrue));
  throwsWith(() => makeCorrelatedData(10, 5, { corr: 1 }), InvalidArgumentError, 'corr');
  throwsWith(() => makeCorrelatedData(0, 5), InvalidArgumentError, 'nSamples');
});

test('makeSparseRegression / makeClassification: density, CSC invariants, SNR, labels', () => {
  const { X, y, wTrue } = makeSparseRegression(2000, 1000, { density: 0.01, nInformative: 30, snr: 2, seed: 3 });
  checkCscInvariants(X);
  const nnz = X.indptr[X.nCols]!;
  assert.ok(Math.abs(nnz / (2000 * 1000) - 0.01) < 0.001, `density ${nnz / 2e6}`);
  assert.equal(wTrue.filter((v) => v !== 0).length, 30);
  const signal = matVec(X, wTrue);
  assert.ok(Math.abs(norm(signal) / norm(y.map((v, i) => v - signal[i]!)) - 2) < 1e-9);
  assert.deepEqual(makeSparseRegression(2000, 1000, { density: 0.01, nInformative: 30, snr: 2, seed: 3 }).X, X);
  const u = makeSparseRegression(100, 50, { density: 0.2, values: 'uniform', seed: 1 });
  assert.ok(u.X.values.every((v) => v > 0 && v <= 1));

  const c = makeClassification(500, 300, { xDensity: 0.05, nInformative: 10, seed: 9 });
  assert.equal(c.X.kind, 'csc');
  assert.ok(c.y.every((v) => v === 0 || v === 1));
  const ones = c.y.reduce((s, v) => s + v, 0);
  assert.ok(ones > 100 && ones < 400, `class balance ${ones}/500`);
  const d = makeClassification(200, 20, { design: 'dense', nInformative: 5, seed: 1 });
  assert.equal(d.X.kind, 'dense');
  assert.equal(d.wTrue.filter((v) => v !== 0).length, 5);
  assert.ok(d.y.every((v) => v === 0 || v === 1));
});

test('dataset helpers check their options (a misspelt key is an error with a suggestion)', () => {
  throwsWith(() => kFoldIndices(10, 3, { shufle: true } as never), InvalidArgumentError, "did you mean 'shuffle'");
  const ds = makeDataset(denseFromRows([[1, 2], [3, 4], [5, 6]]), Float64Array.of(0, 1, 2));
  throwsWith(() => splitTrainVal(ds, 0.5, { sed: 1 } as never), InvalidArgumentError, "did you mean 'seed'");
  throwsWith(() => makeDataset(ds.X, ds.y, { featureName: ['a', 'b'] } as never), InvalidArgumentError, "did you mean 'featureNames'");
});
