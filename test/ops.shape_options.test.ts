/**
 * @file The options objects of the shape ops and custom rules (docs/conventions.md "API
 * conventions (0.2)"): each option has its effect, defaults are the documented ones, and a
 * misspelt or missing option is a typed error naming the public function (never ignored).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nd from '../src/index.js';
import { tensor, grad, InvalidArgumentError, ShapeError, type Tensor } from '../src/index.js';

const A = tensor([[1, 2, 3], [4, 5, 6]]);

/** Asserts that `f` throws `type` with a message matching every pattern. */
function throwsWith(f: () => unknown, type: new (...args: never[]) => Error, ...patterns: RegExp[]): void {
  assert.throws(f, (e: unknown) => e instanceof type && patterns.every((p) => p.test((e as Error).message)));
}

test('axis option: default 0, negative counts from the end, same result as the other axis spelled out', () => {
  assert.deepEqual(nd.take(A, [1]).toArray(), [[4, 5, 6]]);
  assert.deepEqual(nd.take(A, [2, 0], { axis: -1 }).toArray(), [[3, 1], [6, 4]]);
  assert.deepEqual(nd.index(A, 1, { axis: 1 }).toArray(), [2, 5]);
  assert.deepEqual(nd.sliceAxis(A, 1, 3, { axis: 1 }).toArray(), [[2, 3], [5, 6]]);
  assert.deepEqual(nd.sliceAxis(A, 1, 2).toArray(), [[4, 5, 6]]);
  assert.deepEqual(nd.concat([A, A], { axis: 1 }).shape, [2, 6]);
  assert.deepEqual(nd.concat([A, A]).shape, [4, 3]);
  assert.deepEqual(nd.stack([A, A], { axis: -1 }).shape, [2, 3, 2]);
  assert.deepEqual(nd.stack([A, A]).shape, [2, 2, 3]);
  assert.deepEqual(nd.scatterAdd(tensor([[1, 2]]), [1, 1], { axis: 1, dimSize: 3 }).toArray(), [[0, 3, 0]]);
  assert.deepEqual(nd.transpose(nd.zeros([2, 3, 4]), { axes: [2, 0, 1] }).shape, [4, 2, 3]);
  assert.deepEqual(nd.transpose(A).toArray(), [[1, 4], [2, 5], [3, 6]]);
  assert.deepEqual(nd.diag(A, { k: 1 }).toArray(), [2, 6]);
  assert.equal(nd.trace(A, { k: -1 }).item(), 4);
  assert.deepEqual(nd.compare(tensor([1, 2, 3]), 2, { op: 'le' }).toArray(), [1, 1, 0]);
});

test('unknown, misspelt or missing options throw InvalidArgumentError naming the public function', () => {
  throwsWith(() => nd.take(A, [0], { axes: 1 } as never), InvalidArgumentError, /^take\(\): unknown option 'axes' \(did you mean 'axis'\?\)/);
  throwsWith(() => nd.index(A, 0, { axsi: 1 } as never), InvalidArgumentError, /^index\(\): unknown option 'axsi'/);
  throwsWith(() => nd.sliceAxis(A, 0, 1, { dim: 1 } as never), InvalidArgumentError, /^sliceAxis\(\): unknown option 'dim'/);
  throwsWith(() => nd.concat([A], 1 as never), InvalidArgumentError, /^concat\(\): options must be an object, got number/);
  throwsWith(() => nd.stack([A], { keepdims: true } as never), InvalidArgumentError, /^stack\(\): unknown option 'keepdims'/);
  throwsWith(() => nd.transpose(A, [1, 0] as never), InvalidArgumentError, /^transpose\(\): options must be an object, got an array/);
  throwsWith(() => nd.diag(A, { offset: 1 } as never), InvalidArgumentError, /^diag\(\): unknown option 'offset'/);
  throwsWith(() => nd.trace(A, { k: 0.5 }), InvalidArgumentError, /^trace\(\): option k .* must be an integer, got 0\.5/);
  throwsWith(() => nd.takeAlongAxis(A, tensor([[0], [0]]), {} as never), InvalidArgumentError, /^takeAlongAxis\(\): option axis is required/);
  throwsWith(() => nd.scatterAdd(tensor([1]), [0], {} as never), InvalidArgumentError, /^scatterAdd\(\): option dimSize must be a non-negative integer, got undefined/);
  throwsWith(() => nd.compare(1, 2, { op: 'lessThan' } as never), InvalidArgumentError, /^compare\(\): option op must be one of eq, ne, lt, le, gt, ge, got the string 'lessThan'/);
  throwsWith(() => nd.customJvp((x: Tensor) => x, (_p, [t]) => t, { nmae: 'f' } as never), InvalidArgumentError, /^customJvp\(\): unknown option 'nmae' \(did you mean 'name'\?\)/);
  throwsWith(() => nd.customVjp((x: Tensor) => x, (_p, _o, g) => [g], 'f' as never), InvalidArgumentError, /^customVjp\(\): options must be an object, got string/);
  throwsWith(() => nd.take(A, [0], { axis: 2 }), ShapeError, /^take\(\): axis 2 is out of range/);
  throwsWith(() => nd.sliceAxis(A, 1, 4, { axis: 1 }), ShapeError, /^sliceAxis\(\): start 1 and stop 4 must be integers with 0 ≤ start ≤ stop ≤ 3/);
});

test('customJvp/customVjp: the name option labels the rule in error messages; default names', () => {
  const badJ = nd.customJvp((x: Tensor) => nd.mul(x, 2), (_p: [Tensor], [dx]: [Tensor]) => nd.sum(dx));
  assert.throws(() => nd.jvp(badJ, [tensor([1, 2])], [tensor([1, 1])]), (e: unknown) => e instanceof ShapeError && /customJvp/.test(e.message));
  const badV = nd.customVjp((x: Tensor) => nd.mul(x, 2), (_p: [Tensor], _y: Tensor, g: Tensor) => [nd.sum(g)], { name: 'doubler' });
  assert.throws(() => grad((x: Tensor) => nd.sum(badV(x)))(tensor([1, 2])), (e: unknown) => e instanceof ShapeError && /doubler/.test(e.message));
});
