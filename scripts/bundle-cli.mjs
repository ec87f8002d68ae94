/**
 * @file Bundles the `nsdiff` command (dist/cli/main.js and the ~200 modules it imports) into one
 * minified file, dist/cli/nsdiff.js, the package's bin: one file to read and compile instead of
 * resolving and loading every module saves about 0.1 s of CPU at every start (measured in
 * bench/tune_process.bench.ts). Runs after tsc in `npm run build` (esbuild, a dev dependency).
 * Names are kept (`keepNames`: messages and stack traces read as in dist/). The command's two
 * CommonJS dependencies, commander and cli-progress, are bundled too: loading them from
 * node_modules cost Node's CommonJS loader, its export scan for the ES-module import and the path
 * resolution, ≈ 6 ms of the start-up CPU (`nsdiff --version`: 102–104 → 96–98 ms, perf stat, 20
 * runs each, issue 12); their `require` of Node's built-in modules goes through `createRequire`
 * (the banner). @resvg/resvg-js (optional PNG output, a native module) and the embedded datasets
 * (dist/data/bundled/, most of the bytes) stay outside and are imported from dist/ as before; the
 * bundle sits two levels below the package root like every dist/ module, so paths resolved from
 * import.meta.url (the bundled data/ directory, node_modules) still hold.
 *
 * Code splitting: the commands main.ts imports with `import()` (train, evaluate, experiment, demo:
 * the nn, experiment and autodiff code) go to chunks beside the bin (dist/cli/nsdiff-chunk-*.js),
 * compiled only by the processes that run them; `nsdiff lasso tune` compiles ≈ 0.37 of ≈ 0.69 MB
 * (`nsdiff --version` ≈ 11 ms of CPU less, issue 12).
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
  // { output name: input }: dist/cli/nsdiff.js (with splitting, esbuild writes to a directory)
  entryPoints: { nsdiff: new URL('../dist/cli/main.js', import.meta.url).pathname },
  outdir: new URL('../dist/cli/', import.meta.url).pathname,
  chunkNames: 'nsdiff-chunk-[hash]',
  splitting: true,
  bundle: true,
  minify: true,
  keepNames: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['@resvg/resvg-js'],
  banner: { js: "import { createRequire as nsdiffCreateRequire } from 'node:module'; const require = nsdiffCreateRequire(import.meta.url);" },
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [embeddedData],
});
