/**
 * @file Tests of minibatch iteration: each index exactly once per epoch (property over n, batch
 * size, seed, epoch), batch sizes with and without dropLast, batchSize > n, reproducibility, epochs
 * that differ, option validation; and gatherRows on Tensors and typed arrays (only the batch copied,
 * traced input refused).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ConcretizationError, InvalidArgumentError, ShapeError } from '../src/core/errors.js';
import { tensor, type Tensor } from '../src/core/tensor.js';
import { grad } from '../src/autodiff/transforms.js';
import { sum } from '../src/ops/index.js';
import { batches, gatherRows, numBatches } from '../src/data/batches.js';

const all = (n: number, o: Parameters<typeof batches>[1]): Int32Array[] => [...batches(n, o)];

test('batches: every index exactly once per epoch, sizes as documented', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 70 }), fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 0, max: 5 }), fc.boolean(), (n, bs, seed, epoch, shuffle) => {
      const bb = all(n, { batchSize: bs, seed, epoch, shuffle });
      assert.equal(bb.length, Math.ceil(n / bs));
      assert.equal(bb.length, numBatches(n, { batchSize: bs }));
      bb.forEach((b, k) => assert.equal(b.length, k < bb.length - 1 ? bs : n - bs * (bb.length - 1)));
      const seen = bb.flatMap((b) => Array.from(b)).sort((a, c) => a - c);
      assert.deepEqual(seen, Array.from({ length: n }, (_, i) => i));
      const dropped = all(n, { batchSize: bs, seed, epoch, shuffle, dropLast: true });
      assert.equal(dropped.length, Math.floor(n / bs));
      assert.equal(dropped.length, numBatches(n, { batchSize: bs, dropLast: true }));
      for (const b of dropped) assert.equal(b.length, bs);
      assert.equal(new Set(dropped.flatMap((b) => Array.from(b))).size, dropped.length * bs);
    }),
    { numRuns: 150 },
  );
});

test('batches: order without shuffle; batchSize > n; dropLast drops the short tail', () => {
  assert.deepEqual(all(5, { batchSize: 2 }).map((b) => Array.from(b)), [[0, 1], [2, 3], [4]]);
  assert.deepEqual(all(5, { batchSize: 2, dropLast: true }).map((b) => Array.from(b)), [[0, 1], [2, 3]]);
  assert.deepEqual(all(3, { batchSize: 10 }).map((b) => Array.from(b)), [[0, 1, 2]]);
  assert.deepEqual(all(3, { batchSize: 10, dropLast: true }), []);
  assert.deepEqual(all(0, { batchSize: 4, shuffle: true }), []);
});

test('batches: reproducible per (seed, epoch); epochs and seeds differ', () => {
  const order = (seed: number, epoch: number): number[] => all(100, { batchSize: 7, shuffle: true, seed, epoch }).flatMap((b) => Array.from(b));
  assert.deepEqual(order(3, 0), order(3, 0));
  assert.deepEqual(order(3, 4), order(3, 4));
  const ident = Array.from({ length: 100 }, (_, i) => i);
  const seen = new Set<string>();
  for (let e = 0; e < 10; e++) {
    const o = order(3, e);
    assert.notDeepEqual(o, ident);
    seen.add(o.join(','));
  }
  seen.add(order(4, 0).join(','));
  assert.equal(seen.size, 11); // ten epochs and another seed: eleven different orders
});

test('batches: bad arguments throw at the call, naming batches() and the option', () => {
  assert.throws(() => batches(10, { batchSize: 0 }), /batches\(\): option batchSize must be an integer ≥ 1, got the number 0/);
  assert.throws(() => batches(10, {} as never), /batches\(\): option batchSize/);
  assert.throws(() => batches(-1, { batchSize: 2 }), /batches\(\): n must be an integer ≥ 0/);
  assert.throws(() => batches(10, { batchSize: 2, shuffle: 1 as never }), /option shuffle must be a boolean/);
  assert.throws(() => batches(10, { batchSize: 2, seed: 0.5 }), /option seed must be an integer/);
  assert.throws(() => batches(10, { batchSize: 2, epoch: -1 }), /option epoch/);
  assert.throws(() => batches(10, { batchSize: 2, droplast: true } as never), (e: unknown) => e instanceof InvalidArgumentError && /did you mean 'dropLast'/.test(e.message));
  assert.throws(() => numBatches(10, { batchSize: 2.5 }), /numBatches\(\): option batchSize/);
});

test('gatherRows: Tensor rows and typed-array rows, only the batch copied', () => {
  const X = tensor([[1, 2], [3, 4], [5, 6]]);
  const B = gatherRows(X, Int32Array.of(2, 0, 2));
  assert.deepEqual(B.shape, [3, 2]);
  assert.deepEqual(Array.from(B.data), [5, 6, 1, 2, 5, 6]);
  const X3 = tensor(Array.from({ length: 12 }, (_, i) => i), [3, 2, 2]);
  assert.deepEqual(gatherRows(X3, [1]).shape, [1, 2, 2]);
  assert.deepEqual(Array.from(gatherRows(X3, [1]).data), [4, 5, 6, 7]);
  const labels = Int32Array.of(7, 8, 9);
  const l = gatherRows(labels, [1, 1]);
  assert.ok(l instanceof Int32Array);
  assert.deepEqual(l, Int32Array.of(8, 8));
  const flat = Float32Array.of(1, 2, 3, 4, 5, 6);
  assert.deepEqual(gatherRows(flat, [2], { rowLength: 2 }), Float32Array.of(5, 6));
  // the source is not modified and the batch does not alias it
  B.data[0] = -1;
  assert.equal(X.data[4], 5);
  assert.throws(() => gatherRows(labels, [3]), /gatherRows\(\): indices\[0\] = 3 is out of range for 3 rows/);
  assert.throws(() => gatherRows(flat, [0], { rowLength: 4 }), ShapeError);
  assert.throws(() => gatherRows(X, [0], { rowLength: 2 }), /rowLength is for typed arrays/);
  assert.throws(() => gatherRows([1, 2] as never, [0]), /source must be a Tensor or a typed array/);
});

test('gatherRows: a traced tensor throws ConcretizationError pointing to take()', () => {
  assert.throws(
    () => grad((x: Tensor) => sum(gatherRows(x, [0])))(tensor([[1, 2]])),
    (e: unknown) => e instanceof ConcretizationError && /gatherRows\(\)/.test(e.message) && /take\(x, indices, \{ axis: 0 \}\)/.test(e.message),
  );
});
