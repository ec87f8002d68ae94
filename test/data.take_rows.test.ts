/**
 * @file takeRows on dense designs: block copies of runs of consecutive rows (contiguous CV folds)
 * equal the element-wise gather, and `{ out }` writes into a reused buffer (checked size).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShapeError } from '../src/core/errors.js';
import { rng } from '../src/core/rng.js';
import { kFoldIndices, takeRows, type DesignMatrix } from '../src/data/index.js';

test('takeRows: runs copied as blocks equal the element-wise gather; out reused', () => {
  const n = 97;
  const p = 5;
  const X: DesignMatrix = { kind: 'dense', nRows: n, nCols: p, data: rng(1).fillNormal(new Float64Array(n * p)) };
  const gather = (idx: Int32Array): number[] => {
    const out: number[] = [];
    for (let j = 0; j < p; j++) for (const r of idx) out.push(X.data[j * n + r]!);
    return out;
  };
  const out = new Float64Array(n * p);
  for (const shuffle of [false, true]) {
    for (const f of kFoldIndices(n, 4, { shuffle, seed: 2 })) {
      for (const idx of [f.train, f.val]) {
        const a = takeRows(X, idx);
        assert.deepEqual(Array.from(a.kind === 'dense' ? a.data : []), gather(idx));
        const b = takeRows(X, idx, { out });
        assert.equal(b.kind === 'dense' && b.data.buffer, out.buffer);
        assert.deepEqual(Array.from(b.kind === 'dense' ? b.data : []), gather(idx));
      }
    }
  }
  // repeats and a descending run
  const idx = Int32Array.of(3, 4, 5, 5, 2, 1, 0, 96);
  const c = takeRows(X, idx);
  assert.deepEqual(Array.from(c.kind === 'dense' ? c.data : []), gather(idx));
  assert.throws(() => takeRows(X, idx, { out: new Float64Array(3) }), ShapeError);
  assert.throws(() => takeRows(X, idx, { outt: out } as never), /out/);
});
