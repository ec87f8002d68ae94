/**
 * @file Bundles the `nsdiff` command (dist/cli/main.js and the ~200 modules it imports) into one
 * minified file (dist/cli/nsdiff-main.js; the bin dist/cli/nsdiff.js loads it or the script bundle
 * below): one file to read and compile instead of
 * resolving and loading every module saves about 0.1 s of CPU at every start (measured in
 * bench/tune_process.bench.ts). Runs after tsc in `npm run build` (esbuild, a dev dependency).
 * Names are kept (`keepNames`: messages and stack traces read as in dist/). The command's two
 * CommonJS dependencies, commander and cli-progress, are bundled too: loading them from
 * node_modules cost Node's CommonJS loader, its export scan for the ES-module import and the path
 * resolution, ≈ 6 ms of the start-up CPU (`nsdiff --version`: 102–104 → 96–98 ms, perf stat, 20
 * runs each, issue 12); their `require` of Node's built-in modules goes through `createRequire`
 * (the banner). @resvg/resvg-js (optional PNG output, a native module) stays outside; the embedded
 * datasets are read from the package's data/*.csv when a bundled dataset is loaded
 * (`embeddedDataFromCsv`). The bundles sit two levels below the package root like every dist/
 * module, so paths resolved from import.meta.url (the bundled data/ directory, node_modules) still
 * hold.
 *
 * Code splitting: the commands main.ts imports with `import()` (train, evaluate, experiment, demo:
 * the nn, experiment and autodiff code) go to chunks beside the bin (dist/cli/nsdiff-chunk-*.js),
 * compiled only by the processes that run them; `nsdiff lasso tune` compiles ≈ 0.37 of ≈ 0.69 MB
 * (`nsdiff --version` ≈ 11 ms of CPU less, issue 12).
 *
 * Code cache (issue 12): the bin itself is a small loader (src/cli/bin.ts → dist/cli/nsdiff.js).
 * The ES-module bundle above is dist/cli/nsdiff-main.js (help and the on-demand commands); every
 * other command line (`lasso …`, `--version`) runs a second bundle of dist/cli/main.js, a
 * CommonJS-style script without the on-demand commands (dist/cli/nsdiff-lasso.cjs), which the
 * loader compiles with the V8 code cache scripts/code-cache.mjs writes next (see
 * src/cli/code_cache.ts). In the script, `import.meta.url` reads the script's own URL (same
 * directory as the bin). `nsdiff lasso tune` on issue 12's 500 × 1000 CSV: 0.68 → 0.64–0.65 s of CPU
 * (medians of 16 interleaved processes; `--version` 91–104 → 80–88 ms, 20; docs/tune_process.md).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { build } from 'esbuild';
import { stampCliScript } from '../dist/cli/code_cache.js';

/**
 * Each embedded dataset module (`./bundled/<name>.js`, imported by dist/data/datasets.js) becomes a
 * CommonJS module whose export is a getter reading the CSV it was generated from (data/<name>.csv,
 * two levels above dist/cli/, shipped with the package): a process reads a dataset only when it
 * loads it (`textOf` in src/data/datasets.ts reads the import at the call), instead of compiling
 * 0.4 MB of string literals at every start (≈ 7 ms). `__nsdiff_import_meta_url` is the bundle
 * file's URL (the script's wrapper argument; a `const` in the banner of the ES-module files).
 */
const embeddedDataFromCsv = {
  name: 'embedded-data-from-csv',
  setup(b) {
    b.onResolve({ filter: /^\.\/bundled\/[\w-]+\.js$/ }, (args) => ({ path: basename(args.path, '.js'), namespace: 'embedded-csv' }));
    b.onLoad({ filter: /.*/, namespace: 'embedded-csv' }, (args) => {
      const constant = /export const (\w+)/.exec(readFileSync(new URL(`../src/data/bundled/${args.path}.ts`, import.meta.url), 'utf8'))[1];
      const read = `require('node:fs').readFileSync(new URL('../../data/${args.path}.csv', __nsdiff_import_meta_url), 'utf8')`;
      return { contents: `Object.defineProperty(exports, '${constant}', { enumerable: true, get: () => ${read} });`, loader: 'js' };
    });
  },
};

/** In the script bundle: the on-demand commands are not there (the loader sends their command lines to the ES-module bundle). */
const noLazyCommands = {
  name: 'no-lazy-commands',
  setup(b) {
    b.onResolve({ filter: /^\.\/lazy_commands\.js$/ }, () => ({ path: 'lazy_commands', namespace: 'no-lazy-commands' }));
    b.onLoad({ filter: /.*/, namespace: 'no-lazy-commands' }, () => ({
      contents: "throw new Error('the script bundle dist/cli/nsdiff-lasso.cjs has no on-demand commands: the bin runs them from dist/cli/nsdiff-main.js');",
      loader: 'js',
    }));
  },
};

/**
 * Two bundled dependencies require a Node built-in when they load that a `lasso` run does not use:
 * commander `node:child_process` (executable subcommands, which nsdiff does not have) and
 * cli-progress `readline` (cursor moves of a progress bar; none with --quiet). Loading them
 * (child_process brings net, dgram, …) cost ≈ 1–3 ms of CPU at every start (more with stdout on a
 * file than on a pipe, which loads net anyway). In both bundles their `require` gets an object
 * whose members load the module when first read.
 */
const LAZY_BUILTINS = [
  { importer: 'commander', module: 'child_process', members: ['spawn'] },
  { importer: 'cli-progress', module: 'readline', members: ['cursorTo', 'moveCursor', 'clearLine', 'clearScreenDown'] },
];
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(b) {
    for (const [i, { importer, module }] of LAZY_BUILTINS.entries()) {
      const from = new RegExp(`[\\\\/]node_modules[\\\\/]${importer}[\\\\/]`);
      b.onResolve({ filter: new RegExp(`^(node:)?${module}$`) }, (args) => (from.test(args.importer) ? { path: String(i), namespace: 'lazy-builtin' } : undefined));
    }
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => {
      const { module, members } = LAZY_BUILTINS[Number(args.path)];
      const getters = members.map((m) => `Object.defineProperty(exports, '${m}', { enumerable: true, get: () => require('node:${module}').${m} });`);
      return { contents: getters.join('\n'), loader: 'js' };
    });
  },
};

const distCli = new URL('../dist/cli/', import.meta.url);

/** What every bundle shares: minified Node 20 code with names kept (messages and stack traces read as in dist/). */
const common = { bundle: true, minify: true, keepNames: true, platform: 'node', target: 'node20', legalComments: 'none', logLevel: 'warning' };

await build({
  ...common,
  // { output name: input }: dist/cli/nsdiff-main.js (with splitting, esbuild writes to a directory)
  entryPoints: { 'nsdiff-main': new URL('../dist/cli/main.js', import.meta.url).pathname },
  outdir: new URL('../dist/cli/', import.meta.url).pathname,
  chunkNames: 'nsdiff-chunk-[hash]',
  splitting: true,
  format: 'esm',
  external: ['@resvg/resvg-js'],
  banner: { js: "import { createRequire as nsdiffCreateRequire } from 'node:module'; const require = nsdiffCreateRequire(import.meta.url); const __nsdiff_import_meta_url = import.meta.url;" },
  plugins: [embeddedDataFromCsv, lazyBuiltins],
});

// the script bundle (CommonJS-style, run by src/cli/code_cache.ts in a function wrapper)
const script = await build({
  ...common,
  entryPoints: [new URL('../dist/cli/main.js', import.meta.url).pathname],
  write: false,
  outfile: new URL('nsdiff-lasso.cjs', distCli).pathname,
  format: 'cjs',
  external: ['@resvg/resvg-js'],
  define: { 'import.meta.url': '__nsdiff_import_meta_url' },
  plugins: [embeddedDataFromCsv, noLazyCommands, lazyBuiltins],
});
// no hashbang line inside the function wrapper
writeFileSync(new URL('nsdiff-lasso.cjs', distCli), stampCliScript(script.outputFiles[0].text.replace(/^#!.*\n/, '')));

// the bin: the loader
await build({
  ...common,
  entryPoints: [new URL('../dist/cli/bin.js', import.meta.url).pathname],
  outfile: new URL('nsdiff.js', distCli).pathname,
  format: 'esm',
});
