/**
 * @file The Clarke counterexample for implicit differentiation (Bolte, Le, Pauwels,
 * Silveti-Falls): Φ(x, y) = (|x| + y, 2x + |y|), Ψ = Φ⁻¹. The computation lives in the
 * `clarke-implicit` experiment (src/experiments/clarke_implicit.ts, where the math is explained);
 * this example re-exports its pieces and prints the experiment's summary.
 * The same with the figure: `nsdiff experiment run clarke-implicit --out DIR`.
 *
 * Run: npx tsx examples/implicit-clarke.ts
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clarkeImplicitExperiment } from '../src/experiments/clarke_implicit.js';

export { branchInverse, classify, phi, psi, psiConcrete } from '../src/experiments/clarke_implicit.js';

function main(): void {
  const r = clarkeImplicitExperiment.run({ seed: 0, quick: false });
  console.log(r.summary);
  for (const c of r.checks) console.log(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.what}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
