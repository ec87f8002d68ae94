/**
 * @file The package surface is deliberate: the checked-in API reports (api/*.api.md) match the
 * exports of src/index.ts and src/internals.ts, the root and `nsdiff/internals` do not overlap, the
 * known internals stay off the root, and every runtime export of the op and data barrels is
 * reachable from one of the two entry points (so an op added to src/ops/ without an export line in
 * src/index.ts is caught).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as root from '../src/index.js';
import * as internals from '../src/internals.js';
import * as nodeEntry from '../src/node.js';
import * as ops from '../src/ops/index.js';
import * as data from '../src/data/index.js';
import * as errors from '../src/core/errors.js';
import { staleReports } from '../scripts/api-report.js';

test('api/*.api.md are up to date with the exports (npm run api:report)', () => {
  const problems = staleReports();
  assert.deepEqual(problems, [], problems.join('\n\n'));
});

test('the root, nsdiff/internals and nsdiff/node export disjoint names', () => {
  const both = Object.keys(internals).filter((k) => k in root);
  assert.deepEqual(both, []);
  const nodeBoth = Object.keys(nodeEntry).filter((k) => k in root || k in internals);
  assert.deepEqual(nodeBoth, []);
});

test('internals named in the issue are not exported from the root', () => {
  const rootNames = new Set(Object.keys(root));
  for (const name of ['addDef', 'reluDef', 'PRIMITIVES', 'Prim', 'kinkMask', 'reducedShape', 'reductionIndexMap', 'assertFinite', 'shapeSize']) {
    assert.ok(!rootNames.has(name), `${name} is exported from the root`);
    assert.ok(name in internals, `${name} is missing from nsdiff/internals`);
  }
  const defs = [...rootNames].filter((k) => /Def$/.test(k));
  assert.deepEqual(defs, [], 'primitive definitions belong to nsdiff/internals');
});

test('every runtime export of the ops, data and error modules is reachable from the root or internals', () => {
  const reachable = new Set([...Object.keys(root), ...Object.keys(internals), ...Object.keys(nodeEntry)]);
  for (const [where, mod] of [['src/ops/index.ts', ops], ['src/data/index.ts', data], ['src/core/errors.ts', errors]] as const) {
    const missing = Object.keys(mod).filter((k) => !reachable.has(k));
    assert.deepEqual(missing, [], `${where} exports ${missing.join(', ')}, which none of src/index.ts, src/internals.ts, src/node.ts exports`);
  }
});
