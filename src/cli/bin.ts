#!/usr/bin/env node
/**
 * @file The `nsdiff` bin, bundled by scripts/bundle-cli.mjs to dist/cli/nsdiff.js: a small loader
 * that runs the command line in the code-cached script bundle or in the ES-module bundle
 * (`startCli`, src/cli/code_cache.ts). `node dist/cli/main.js` runs the unbundled command.
 */
import { startCli } from './code_cache.js';

await startCli(process.argv, import.meta.url);
