/**
 * @file Bundles the `nsdiff` command (dist/cli/main.js and the ~200 modules it imports) into one
 * minified file, dist/cli/nsdiff.js, the package's bin: one file to read and compile instead of
 * resolving and loading every module saves about 0.1 s of CPU at every start (measured in
 * bench/tune_process.bench.ts). Runs after tsc in `npm run build` (esbuild, a dev dependency).
 * Names are kept (`keepNames`: messages and stack traces read as in dist/). The npm dependencies and
 * the embedded datasets (dist/data/bundled/, most of the bytes) stay outside and are imported from
 * dist/ as before; the bundle sits two levels below the package root like every dist/ module, so
 * paths resolved from import.meta.url (the bundled data/ directory) still hold.
 */
import { basename } from 'node:path';
import { build } from 'esbuild';

/** Leaves `./bundled/*.js` (imported by dist/data/datasets.js) external, re-pointed from dist/cli/. */
const embeddedData = {
  name: 'embedded-data-external',
  setup(b) {
    b.onResolve({ filter: /^\.\/bundled\/[\w-]+\.js$/ }, (args) => ({ path: `../data/bundled/${basename(args.path)}`, external: true }));
  },
};

await build({
  entryPoints: [new URL('../dist/cli/main.js', import.meta.url).pathname],
  outfile: new URL('../dist/cli/nsdiff.js', import.meta.url).pathname,
  bundle: true,
  minify: true,
  keepNames: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [embeddedData],
});
