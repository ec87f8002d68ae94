/**
 * @file The messages a user gets from each public entry point of hyperparameter tuning (tuneLasso,
 * LassoHO.fit, lassoHypergradient, makeCriterion, the criteria, optimize): they name the function
 * the user called and the argument, NaN in data by row and column, never an internal helper.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CrossValCriterion, denseFromRows, estimateNoiseLevel, HeldOutCriterion, InvalidArgumentError, LassoHO, lassoHypergradient, makeCriterion,
  NonFiniteError, optimize, ShapeError, SureCriterion, tuneLasso,
} from '../src/index.js';

const rows = Array.from({ length: 20 }, (_, i) => [Math.sin(i), Math.cos(3 * i), i % 3]);
const y = rows.map((r, i) => r[0]! * 2 + 0.1 * Math.sin(7 * i));
const bad = rows.map((r) => [...r]);
bad[5]![1] = NaN;
const yNaN = [...y];
yNaN[4] = NaN;
const labels = y.map((v) => (v > 0 ? 1 : 0));
const labels2: number[] = [...labels];
labels2[2] = 2;
const X = denseFromRows(rows);
const Xbad = denseFromRows(bad);

/** The exact message (a full match), and the class. */
function expectMessage(fn: () => unknown, cls: new (...a: never[]) => Error, message: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${(e as Error).name}: ${(e as Error).message}`);
    assert.equal((e as Error).message, message);
    return true;
  });
}

const NAN_X = 'X contains a non-finite value (NaN) at row 5, column 1';
const NAN_VAL_X = 'validation X contains a non-finite value (NaN) at row 5, column 1';
const LABEL = 'y must hold labels 0/1 or −1/+1, got 2 at row 2';
const NOTHING = 'nothing to tune: y is constant (e.g. all zeros) or every column of X is constant, so the fitted coefficients are 0 for every λ > 0 (λ_max = 0)';

test('tuneLasso: every criterion names tuneLasso(), the argument, and NaN by row and column', () => {
  for (const criterion of ['cv', 'heldout', 'sure'] as const) {
    expectMessage(() => tuneLasso(bad, y, { criterion, maxEvals: 2 }), NonFiniteError, `tuneLasso(): ${NAN_X}`);
    expectMessage(() => tuneLasso(rows, yNaN, { criterion, maxEvals: 2 }), NonFiniteError, 'tuneLasso(): y contains a non-finite value (NaN) at row 4');
  }
  expectMessage(() => tuneLasso(rows, y, { criterion: 'heldout', validation: { X: Xbad, y }, maxEvals: 2 }), NonFiniteError, `tuneLasso(): ${NAN_VAL_X}`);
  expectMessage(() => tuneLasso(rows, labels2, { model: 'logreg', maxEvals: 2 }), InvalidArgumentError, `tuneLasso(): ${LABEL}`);
  expectMessage(() => tuneLasso(rows, y.map(() => 0), { maxEvals: 2 }), InvalidArgumentError, `tuneLasso(): ${NOTHING}`);
  expectMessage(() => tuneLasso(rows, y, { init: -1, maxEvals: 2 }), InvalidArgumentError, 'tuneLasso(): init must be a finite λ > 0, got -1');
  expectMessage(() => tuneLasso(rows, y, { folds: 50 }), InvalidArgumentError, 'tuneLasso(): fewer rows than folds (n = 20 rows, 50 folds)');
  expectMessage(() => tuneLasso(rows, y.slice(1)), ShapeError, 'tuneLasso(): y has 19 entries, but X has 20 rows');
  expectMessage(() => tuneLasso(rows, y, { criterion: 'foo' as never }), InvalidArgumentError, "tuneLasso(): criterion must be 'heldout' | 'cv' | 'sure', got foo");
  expectMessage(() => tuneLasso(rows, y, { optimizer: 'grid', gridSize: 0 }), InvalidArgumentError, 'tuneLasso(): gridSize must be a positive integer, got 0');
  expectMessage(() => tuneLasso(rows, y, { model: 'foo' as never }), InvalidArgumentError, "tuneLasso(): model must be 'lasso' | 'enet' | 'wlasso' | 'logreg', got foo");
  expectMessage(() => tuneLasso(rows, y, { method: 'foo' as never, maxEvals: 2 }), InvalidArgumentError, "tuneLasso(): method must be 'implicit' | 'implicit-forward' | 'forward', got foo");
  expectMessage(() => tuneLasso(rows, y, { hypergrad: { linearSolver: 'foo' as never }, maxEvals: 2 }), InvalidArgumentError, "tuneLasso(): linearSolver must be 'auto' | 'cholesky' | 'cg', got foo");
  expectMessage(() => tuneLasso(rows, y, { criterion: 'heldout', valFraction: 2 }), InvalidArgumentError, 'tuneLasso(): valFraction must be in (0, 1), got 2');
  // a fold that cannot be fitted says which fold, after the public name
  const oneClassFold = labels.map((_, i) => (i < 10 ? 1 : 0));
  assert.throws(() => tuneLasso(rows, oneClassFold, { model: 'logreg', folds: 2 }), (e: unknown) =>
    e instanceof InvalidArgumentError && /^tuneLasso\(\): y has a single class .* \(in cross-validation fold 0 of 2\)$/.test(e.message));
});

test('LassoHO.fit, lassoHypergradient, makeCriterion: their own names, validation arguments named', () => {
  expectMessage(() => new LassoHO({ maxEvals: 2 }).fit(bad, y), NonFiniteError, `LassoHO.fit(): ${NAN_X}`);
  expectMessage(() => new LassoHO({ maxEvals: 2 }).fit(rows, y, { X: bad, y }), NonFiniteError, `LassoHO.fit(): ${NAN_VAL_X}`);
  expectMessage(() => new LassoHO({ maxEvals: 2 }).fit(rows, y, { X: rows.map((r) => r.slice(1)), y }), ShapeError, 'LassoHO.fit(): validation X has 2 features (columns), but X has 3');
  expectMessage(() => new LassoHO({ model: 'logreg', maxEvals: 2 }).fit(rows, labels2), InvalidArgumentError, `LassoHO.fit(): ${LABEL}`);
  expectMessage(() => new LassoHO({ maxEvals: 2 }).fit(rows, y.map(() => 0)), InvalidArgumentError, `LassoHO.fit(): ${NOTHING}`);
  expectMessage(() => new LassoHO({ maxEvals: 2, init: -1 }).fit(rows, y), InvalidArgumentError, 'LassoHO.fit(): init must be a finite λ > 0, got -1');

  expectMessage(() => lassoHypergradient({ X: Xbad, y }, { X, y }, 0.1), NonFiniteError, `lassoHypergradient(): ${NAN_X}`);
  expectMessage(() => lassoHypergradient({ X, y }, { X: Xbad, y }, 0.1), NonFiniteError, `lassoHypergradient(): ${NAN_VAL_X}`);
  expectMessage(() => lassoHypergradient({ X, y }, { X, y }, -1), InvalidArgumentError, 'lassoHypergradient(): lambda[0] must be > 0, got -1 (the regularisation is optimised in log λ)');
  expectMessage(() => lassoHypergradient({ X, y }, { X, y }, [1, 2]), ShapeError, "lassoHypergradient(): model 'lasso' takes one λ, got 2 value(s)");
  expectMessage(() => lassoHypergradient({ X, y: labels2 }, null, 0.1, { model: 'logreg' }), InvalidArgumentError, `lassoHypergradient(): ${LABEL}`);
  expectMessage(() => lassoHypergradient({ X, y: labels }, { X, y: labels2 }, 0.1, { model: 'logreg' }), InvalidArgumentError,
    'lassoHypergradient(): validation y must hold labels 0/1 or −1/+1, got 2 at row 2');

  expectMessage(() => makeCriterion(bad, y, { criterion: 'heldout' }), NonFiniteError, `makeCriterion(): ${NAN_X}`);
  expectMessage(() => makeCriterion(rows, yNaN, { criterion: 'heldout' }), NonFiniteError, 'makeCriterion(): y contains a non-finite value (NaN) at row 4');
  expectMessage(() => makeCriterion(rows, y, { criterion: 'cv' }, { X, y }), InvalidArgumentError, "makeCriterion(): criterion 'cv' does not take a validation set (use criterion: 'heldout')");
  expectMessage(() => makeCriterion(5 as never, y), InvalidArgumentError, 'makeCriterion(): X must be a 2-D Tensor, a number[][], a CscMatrix or a CsrMatrix, got the number 5');
});

test('criteria and optimize built directly: their own names (evaluate for a bad λ)', () => {
  expectMessage(() => new HeldOutCriterion({ X, y }, { X: Xbad, y }, 'lasso'), NonFiniteError, `HeldOutCriterion(): ${NAN_VAL_X}`);
  expectMessage(() => new CrossValCriterion(Xbad, y, 'lasso'), NonFiniteError, `CrossValCriterion(): ${NAN_X}`);
  expectMessage(() => new CrossValCriterion(X, labels2, 'logreg'), InvalidArgumentError, `CrossValCriterion(): ${LABEL}`);
  expectMessage(() => new SureCriterion(Xbad, y, 'lasso'), NonFiniteError, `SureCriterion(): ${NAN_X}`);
  expectMessage(() => new CrossValCriterion(X, y, 'lasso').evaluate(-1), InvalidArgumentError,
    'CrossValCriterion.evaluate(): lambda[0] must be > 0, got -1 (the regularisation is optimised in log λ)');
  expectMessage(() => estimateNoiseLevel(Xbad, y), NonFiniteError, `estimateNoiseLevel(): ${NAN_X}`);
  expectMessage(() => optimize(new CrossValCriterion(X, y.map(() => 0), 'lasso')), InvalidArgumentError, `optimize(): ${NOTHING}`);
});
