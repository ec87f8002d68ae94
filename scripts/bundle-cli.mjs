/**
 * @file Bundles the `nsdiff` command (dist/cli/main.js and the ~200 modules it imports) into one
 * file, dist/cli/nsdiff.js, the package's bin: one file to read and compile instead of resolving
 * and loading every module saves about 0.1 s of CPU at every start (measured in
 * bench/tune_process.bench.ts). Runs after tsc in `npm run build` (esbuild, a dev dependency). The
 * npm dependencies stay external; the bundle sits two levels below the package root like every
 * dist/ module, so paths resolved from import.meta.url (the bundled data/ directory) still hold.
 */
import { build } from 'esbuild';

await build({
  entryPoints: [new URL('../dist/cli/main.js', import.meta.url).pathname],
  outfile: new URL('../dist/cli/nsdiff.js', import.meta.url).pathname,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  legalComments: 'none',
  logLevel: 'warning',
});
