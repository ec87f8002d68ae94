/**
 * @file Tests of src/kernels/xgram_wasm.ts (two- to four-vector column products on a dense design's
 * WebAssembly memory, the Gram entries of entering features) against plain loops on odd and even
 * row counts and column lists, and of the Gram cache that uses it (src/lasso/hypergrad_core.ts) on
 * both kernel backends: the same entries to rounding.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rng } from '../src/core/rng.js';
import { denseFromRows } from '../src/data/dataset.js';
import { prepareDesign } from '../src/lasso/design.js';
import { dotsTileEngine } from '../src/kernels/xgram_wasm.js';
import { GramCache } from '../src/lasso/hypergrad_core.js';
import { kernelBackends, onKernelBackend } from './helpers.js';

function design(n: number, p: number, seed: number) {
  const g = rng(seed).normal([n, p]).data;
  return denseFromRows(Array.from({ length: n }, (_, i) => Array.from(g.subarray(i * p, (i + 1) * p))));
}

test('dotsTileEngine: o_k[j] = v_kᵀX_j for four, three and two vectors, odd and even n and column counts; declines under js', () => {
  for (const b of kernelBackends) {
    onKernelBackend(b, () => {
      const cases = [
        [1, 5, 3, 4], [7, 9, 9, 4], [64, 20, 13, 4], [131, 40, 40, 4], [1, 5, 3, 3], [7, 9, 9, 3], [64, 20, 14, 3], [131, 40, 40, 3],
        // two vectors, four columns per pass: counts ≡ 0, 1, 2, 3 (mod 4)
        [1, 5, 3, 2], [7, 9, 9, 2], [64, 20, 14, 2], [131, 40, 40, 2], [2, 6, 1, 2],
      ] as const;
      for (const [n, p, count, nv] of cases) {
        const d = prepareDesign(design(n, p, 10 + n), { center: true });
        const e = d.wasm;
        if (e === null) {
          assert.equal(b, 'js');
          continue;
        }
        const vs = [0, 2, 3, p - 1].slice(0, nv).map((j) => d.data.subarray(j * n, (j + 1) * n));
        const cols = Int32Array.from({ length: count }, (_, t) => (t * 7) % p);
        const outs = [e.outA, e.outB, e.ldelta, e.lcurv].slice(0, nv);
        const ok = dotsTileEngine(e, n, vs, cols, count, outs);
        assert.equal(ok, b !== 'js');
        if (!ok) continue;
        for (let k = 0; k < nv; k++) {
          for (const j of cols) {
            let s = 0, a = 0;
            for (let i = 0; i < n; i++) {
              s += vs[k]![i]! * d.data[j * n + i]!;
              a += Math.abs(vs[k]![i]! * d.data[j * n + i]!);
            }
            assert.ok(Math.abs(outs[k]![j]! - s) <= 1e-14 * a + 1e-300, `${b} n=${n} k=${k} j=${j}`);
          }
        }
      }
    });
  }
});

test('GramCache: entries of features entering four at a time = the plain column products, both backends', () => {
  for (const b of kernelBackends) {
    onKernelBackend(b, () => {
      const n = 53, p = 30;
      const d = prepareDesign(design(n, p, 77), { center: true });
      const cache = new GramCache(d);
      // 5 features, then 9 entering at once (two groups of four, then one), then 2, then 7 (a
      // group of four, then three: the 3×2 tile), then 3
      const steps = [[1, 4, 6, 8, 9], [0, 2, 3, 5, 7, 10, 11, 12, 13], [20, 29], [14, 15, 16, 17, 18, 19, 21], [22, 25, 27]];
      const all: number[] = [];
      for (const st of steps) {
        all.push(...st);
        cache.ensure(Int32Array.from(all).sort(), null);
      }
      for (const a of all) for (const c of all) {
        let s = 0, m = 0;
        for (let i = 0; i < n; i++) {
          s += d.data[a * n + i]! * d.data[c * n + i]!;
          m += Math.abs(d.data[a * n + i]! * d.data[c * n + i]!);
        }
        assert.ok(Math.abs(cache.get(a, c) - s / n) <= 1e-14 * (m / n), `${b} (${a}, ${c})`);
      }
    });
  }
});
