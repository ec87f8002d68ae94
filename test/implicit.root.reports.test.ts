/**
 * @file customRoot's checks of the user's solver output (shape against init and against F,
 * finiteness, traced-ness, all naming `solve` and both shapes) and which call `lastReport` describes
 * (a transform's own re-runs do not replace it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  add, customFixedPoint, customRoot, grad, hessian, InvalidArgumentError, jacobian, mul, NonFiniteError, ShapeError, sub, sum, tensor,
  type ImplicitReport, type Tensor,
} from '../src/index.js';

/** Newton for y³ + y = x, elementwise. */
function cubicSolve(x: Tensor): Tensor {
  return tensor(Array.from(x.data, (xv) => {
    let y = 0;
    for (let i = 0; i < 100; i++) y -= (y * y * y + y - xv) / (3 * y * y + 1);
    return y;
  }), x.shape);
}
const cubicF = (x: Tensor, y: Tensor): Tensor => sub(add(mul(mul(y, y), y), y), x);

test('solve returning the wrong shape: a ShapeError naming solve and both shapes, before any derivative', () => {
  const wrong = customRoot(cubicF, (x: Tensor) => tensor([...cubicSolve(x).data, 0]));
  // without init, F meets the wrong y first: the message names solve, y's and x's shapes
  assert.throws(() => wrong(tensor([1, 2])), (e: unknown) => e instanceof ShapeError && /solve\(x, init\)/.test(e.message) && /y: \[3\]/.test(e.message) && /x: \[2\]/.test(e.message), 'no init');
  assert.throws(() => grad((x: Tensor) => sum(wrong(x)))(tensor([1, 2])), (e: unknown) => e instanceof ShapeError && /solve\(x, init\)/.test(e.message), 'under grad');
  // with init, y is checked against init right after the call
  assert.throws(
    () => wrong(tensor([1, 2]), tensor([0, 0])),
    (e: unknown) => e instanceof ShapeError && e.message === 'customRoot: solve(x, init) returned y of shape [3], but init has shape [2]',
  );
  // F returning the wrong shape names F and both shapes
  const badF = customRoot((x: Tensor, y: Tensor) => sum(sub(y, x)), cubicSolve);
  assert.throws(() => badF(tensor([1, 2])), (e: unknown) => e instanceof ShapeError && /F\(x, y\) leaf 0 has shape \[\], but y's leaf 0 has shape \[2\]/.test(e.message));
});

test('solve returning NaN, a non-tensor or a traced tensor: typed errors naming solve, diagnostics on or off', () => {
  for (const diagnostics of ['cheap', 'off'] as const) {
    const nan = customRoot(cubicF, (x: Tensor) => tensor(Array.from(x.data, () => NaN)), { diagnostics });
    assert.throws(() => nan(tensor([1, 2])), (e: unknown) => e instanceof NonFiniteError && /solve\(x, init\) returned a non-finite value \(NaN\) at flat index 0/.test(e.message), diagnostics);
  }
  const notTensor = customRoot(cubicF, () => [1, 2] as unknown as Tensor);
  assert.throws(() => notTensor(tensor([1, 2])), (e: unknown) => e instanceof InvalidArgumentError && /solve\(x, init\) returned no tensor/.test(e.message));
  // the solver closes over the differentiated variable: its derivative would be dropped
  const closes = (c: Tensor): Tensor => sum(customRoot(cubicF, (x: Tensor) => add(cubicSolve(x), mul(c, 0)))(tensor([1, 2])));
  assert.throws(() => grad(closes)(tensor(1)), (e: unknown) => e instanceof InvalidArgumentError && /solve\(x, init\) returned a traced tensor/.test(e.message));
});

test('lastReport: a hessian or forward-mode jacobian keeps the user call; onReport sees every re-run', () => {
  const reports = new Set<ImplicitReport>();
  const f = customRoot(cubicF, cubicSolve, { onReport: (r) => reports.add(r) });
  const x = tensor([2, 10, -0.5]);
  // forward-mode Jacobian: f runs once per input element (3 runs), the first is the user's call
  const J = jacobian(f, { mode: 'forward' })(x);
  assert.equal(J.shape.join(','), '3,3');
  assert.equal(reports.size, 3, 'one report per run through onReport');
  const first = [...reports][0]!;
  assert.equal(f.lastReport, first, 'lastReport is the first run, not the last column');
  assert.equal(first.linearSolveCount, 1, "the first column's solve");
  // hessian = forward over reverse: same rule
  reports.clear();
  hessian((z: Tensor) => sum(f(z)))(x);
  assert.equal(reports.size, 3);
  assert.equal(f.lastReport, [...reports][0]);
  // an explicit later call of the user does replace it
  f(tensor([1]));
  assert.equal(f.lastReport!.forward!.n, 1);
  // customFixedPoint shares the mechanism
  const fp = customFixedPoint((x: Tensor, y: Tensor) => sub(y, mul(sub(add(mul(mul(y, y), y), y), x), 0.1)), cubicSolve);
  jacobian(fp, { mode: 'forward' })(x);
  assert.equal(fp.lastReport!.forward!.n, 3);
  assert.equal(fp.lastReport!.linearSolveCount, 1);
});
