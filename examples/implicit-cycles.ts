/**
 * @file Pathological implicit differentiation (Bolte, Le, Pauwels, Silveti-Falls 2021): cycles.
 * The computation lives in the `cycles` experiment (src/experiments/cycles.ts, where the math is
 * explained); this example re-exports its pieces and prints the experiment's summary.
 * The same with figures: `nsdiff experiment run cycles --out DIR`.
 *
 * Run: npx tsx examples/implicit-cycles.ts [--quick]
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cyclesExperiment } from '../src/experiments/cycles.js';

export { argmaxBox, argmaxLagrangian, argmaxProjected, cOf, crossings, descend, outerLoss } from '../src/experiments/cycles.js';

function main(): void {
  const r = cyclesExperiment.run({ seed: 0, quick: process.argv.includes('--quick') });
  console.log(r.summary);
  for (const c of r.checks) console.log(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.what}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
