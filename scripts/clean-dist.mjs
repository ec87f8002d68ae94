/**
 * @file Removes dist/ before a build, so that the package never ships compiled files of modules
 * that no longer exist (tsc only adds and overwrites). Plain .mjs: it runs before anything is built.
 */
import { rmSync } from 'node:fs';
rmSync(new URL('../dist/', import.meta.url), { recursive: true, force: true });
