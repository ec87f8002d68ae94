/**
 * @file Pathological implicit differentiation (Bolte, Le, Pauwels, Silveti-Falls 2021): a Lorenz
 * attractor out of "gradient ascent". The computation lives in the `lorenz` experiment
 * (src/experiments/lorenz.ts, where the math is explained); this example re-exports its pieces,
 * prints the experiment's summary and optionally writes the (u₁, u₃) projection.
 * The same with all figures: `nsdiff experiment run lorenz --out DIR`.
 *
 * Run: npx tsx examples/implicit-lorenz.ts [--quick] [--svg lorenz.svg]
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lorenzExperiment } from '../src/experiments/lorenz.js';

export { lorenzArgmin, lorenzAscent, lorenzField, outerObjective, trajectorySvg } from '../src/experiments/lorenz.js';

function main(): void {
  const args = process.argv.slice(2);
  const r = lorenzExperiment.run({ seed: 0, quick: args.includes('--quick') });
  console.log(r.summary);
  for (const c of r.checks) console.log(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.what}`);
  const i = args.indexOf('--svg');
  if (i >= 0 && args[i + 1]) {
    writeFileSync(args[i + 1]!, r.figures['lorenz-attractor']!);
    console.log(`wrote ${args[i + 1]}`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
