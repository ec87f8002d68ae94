/**
 * @file Loaded before every test file (see the `test` script): pins fast-check's seed so that CI
 * runs are reproducible. Explore other seeds with `FC_SEED=123 npm test`; a failing run prints
 * its seed and counterexample.
 */
import fc from 'fast-check';

const seed = Number(process.env.FC_SEED ?? 20261122);
fc.configureGlobal({ seed: Number.isFinite(seed) ? seed : 20261122 });
