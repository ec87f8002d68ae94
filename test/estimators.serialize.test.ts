/**
 * @file Saving and loading estimators: `JSON.stringify(model)` → `fromJSON` / `loadEstimator`
 * gives bit-for-bit identical predictions for every class, the float64 round trip of JSON is exact
 * (property test over all finite doubles, −0 normalised), unfitted models round-trip too, and
 * malformed input is refused with errors naming the function and the field.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  DataFormatError, ElasticNet, ESTIMATOR_FORMAT_VERSION, Lasso, LassoHO, SparseLogisticRegression, loadEstimator, takeRows, loadDataset,
} from '../src/index.js';
import { toPlain } from '../src/estimators/serialize.js';
import { makeCorrelatedData } from '../src/data/synthetic.js';

const data = makeCorrelatedData(50, 8, { seed: 11, snr: 3, density: 0.4 });
const labels = Array.from(data.y, (v) => (v > 0 ? 1 : 0));
const sameBits = (a: Float64Array, b: Float64Array): boolean => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

test('float64 → JSON → float64 is exact for every finite double (−0 stored as +0)', () => {
  fc.assert(
    fc.property(fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { maxLength: 50 }), (xs) => {
      const back = JSON.parse(JSON.stringify(toPlain(xs, 'x', 'test'))) as number[];
      return back.every((v, i) => (xs[i] === 0 ? Object.is(v, 0) : Object.is(v, xs[i])));
    }),
    { numRuns: 300 },
  );
  for (const v of [Number.MIN_VALUE, Number.MAX_VALUE, 0.1 + 0.2, 1 / 3, -2.2250738585072014e-308, 5e-324]) {
    assert.ok(Object.is(JSON.parse(JSON.stringify(toPlain([v], 'x', 'test')))[0], v));
  }
  assert.throws(() => toPlain([1, NaN], 'coef', 'Lasso.toJSON'), /Lasso\.toJSON\(\): coef\[1\] = NaN cannot be saved/);
});

test('every estimator: save, reload, identical predictions bit for bit; typed arrays become plain arrays', () => {
  const digits = loadDataset('digits');
  const X3 = takeRows(digits.X, Int32Array.from({ length: 120 }, (_, i) => i));
  const y3 = digits.y.slice(0, 120).map((v) => v % 3);
  const models = [
    new Lasso({ alpha: 0.03, standardize: true }).fit(data.X, data.y),
    new ElasticNet({ alpha: 0.05, l1Ratio: 0.4 }).fit(data.X, data.y),
    new SparseLogisticRegression({ C: 2 }).fit(data.X, labels),
    new SparseLogisticRegression({ C: 0.05, standardize: true }).fit(X3, y3),
    new LassoHO({ criterion: 'cv', folds: 3, maxEvals: 5, standardize: true }).fit(data.X, data.y),
    new LassoHO({ model: 'logreg', criterion: 'heldout', maxEvals: 4 }).fit(data.X, labels.map((v) => 2 * v - 1)),
  ];
  for (const m of models) {
    const text = JSON.stringify(m);
    assert.ok(!text.includes('"0":'), 'no typed array serialised as an object');
    const obj = JSON.parse(text);
    assert.equal(obj.format, 'nsdiff-estimator');
    assert.equal(obj.version, ESTIMATOR_FORMAT_VERSION);
    const back = loadEstimator(text);
    assert.equal(back.constructor, m.constructor);
    const Xp = m instanceof SparseLogisticRegression && m.classes.length === 3 ? X3 : data.X;
    assert.ok(sameBits(back.predict(Xp), m.predict(Xp)), `${obj.estimator}: predict`);
    if (m instanceof SparseLogisticRegression) {
      const b = back as SparseLogisticRegression;
      assert.ok(sameBits(b.predictProba(Xp).data, m.predictProba(Xp).data), 'predictProba');
      assert.ok(sameBits(b.decisionFunction(Xp).data, m.decisionFunction(Xp).data), 'decisionFunction');
      assert.deepEqual(Array.from(b.classes), Array.from(m.classes));
    }
    // the class's own fromJSON accepts the object form; a second save is identical text
    const Cls = m.constructor as unknown as { fromJSON(j: unknown): { toJSON(): unknown } };
    assert.equal(JSON.stringify(Cls.fromJSON(obj)), text);
  }
  const ho = loadEstimator(JSON.stringify(models[4])) as LassoHO;
  assert.equal(ho.lambda, (models[4] as LassoHO).lambda);
  assert.throws(() => ho.history, /LassoHO\.history: not available on a model loaded from JSON/);
  assert.deepEqual(Array.from((loadEstimator(JSON.stringify(models[5])) as LassoHO).classes), [-1, 1]);
});

test('unfitted models round-trip with their options; the callback and data options are not saved', () => {
  const m = Lasso.fromJSON(JSON.stringify(new Lasso({ alpha: 0.3, warmStart: true })));
  assert.equal(m.isFitted, false);
  assert.equal(m.getParams().alpha, 0.3);
  assert.equal(m.getParams().warmStart, true);
  const ho = new LassoHO({ folds: 4, onEvaluation: () => {}, bounds: [-5, 0] });
  const saved = ho.toJSON();
  assert.deepEqual(saved.params, { folds: 4, bounds: [-5, 0] });
  assert.throws(() => new LassoHO({ bounds: [-Infinity, 0] }).toJSON(), /LassoHO\.toJSON\(\): option bounds\[0\] = -Infinity cannot be saved/);
});

test('loading refuses malformed JSON with errors naming the function and the field', () => {
  const good = JSON.parse(JSON.stringify(new Lasso({ alpha: 0.1 }).fit(data.X, data.y)));
  const cases: [unknown, RegExp][] = [
    ['{not json', /Lasso\.fromJSON\(\): the text is not valid JSON/],
    [[1, 2], /Lasso\.fromJSON\(\): expected a saved estimator object, got an array/],
    [{ ...good, format: 'pickle' }, /'format' must be 'nsdiff-estimator', got "pickle"/],
    [{ ...good, version: 2 }, /Lasso\.fromJSON\(\): unsupported format version 2 \(this nsdiff reads version 1\)/],
    [{ ...good, estimator: 'ElasticNet' }, /Lasso\.fromJSON\(\): the JSON holds a ElasticNet, not a Lasso/],
    [{ ...good, fitted: { ...good.fitted, coef: good.fitted.coef.slice(1) } }, /Lasso\.fromJSON\(\): fitted\.coef must have 8 entries, got 7/],
    [{ ...good, fitted: { ...good.fitted, coef: [...good.fitted.coef.slice(1), null] } }, /fitted\.coef\[7\] must be a finite number, got null/],
    [{ ...good, fitted: { ...good.fitted, intercept: '1' } }, /fitted\.intercept must be a finite number, got "1"/],
    [{ ...good, fitted: { ...good.fitted, nFeaturesIn: 2.5 } }, /fitted\.nFeaturesIn must be an integer ≥ 0, got 2\.5/],
  ];
  for (const [json, re] of cases) assert.throws(() => Lasso.fromJSON(json), (e: unknown) => e instanceof DataFormatError && re.test((e as Error).message), String(re));
  assert.throws(() => Lasso.fromJSON({ ...good, params: { alpha: 0.1, lambda: 2 } }), (e: unknown) => e instanceof DataFormatError && /^Lasso\.fromJSON\(\): invalid params: Lasso\(\): unknown option 'lambda'/.test((e as Error).message));
  assert.throws(() => loadEstimator({ ...good, estimator: 'Ridge' }), /loadEstimator\(\): unknown estimator 'Ridge'/);
});
