/**
 * @file Loaded before every test file (see the `test` script): pins fast-check's seed so that CI
 * runs are reproducible. Explore other seeds with `FC_SEED=123 npm test`; a failing run prints
 * its seed and counterexample.
 *
 * `NSDIFF_TEST_FMA=1 npm test` (`npm run test:fma`, run by CI after `npm test`) turns on Node 20's
 * `--experimental-wasm-relaxed-simd` before any kernel is compiled, so the whole suite runs on the
 * fused gemm (src/kernels/engine.ts `wasmFmaActive`) that Node ≥ 22 and browsers pick by default;
 * the CLI processes the tests spawn get the flag too (`nodeFlags` in test/helpers.ts).
 */
import fc from 'fast-check';
import { setFlagsFromString } from 'node:v8';

if (process.env.NSDIFF_TEST_FMA === '1') setFlagsFromString('--experimental-wasm-relaxed-simd');

const seed = Number(process.env.FC_SEED ?? 20261122);
fc.configureGlobal({ seed: Number.isFinite(seed) ? seed : 20261122 });
