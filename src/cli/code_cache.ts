/**
 * @file The bin's loader and its V8 code cache (issue 12: start-up of `nsdiff lasso tune`).
 *
 * Node 20 has no `module.enableCompileCache` and ES modules have no `cachedData`, so the command
 * lines that need no on-demand command (`needsLazyCommands` false: `lasso …`, `--version`) run a
 * second bundle of dist/cli/main.js, a CommonJS-style script (dist/cli/nsdiff-lasso.cjs, written
 * by scripts/bundle-cli.mjs) compiled through `vm.Script` with the code cache
 * dist/cli/nsdiff-lasso.cache. The build writes that cache after running a small `lasso tune` in
 * its own process (scripts/code-cache.mjs), so it holds the bytecode of every function that run
 * compiled, not only the top level: a process then neither parses the 0.4 MB nor compiles those
 * functions lazily on their first call. The help and the other commands import the ES-module
 * bundle (dist/cli/nsdiff-main.js and its chunks) as before.
 *
 * The cache file is `key` (64 hex digits: the SHA-256 the build stamped at the end of the script,
 * `stampCliScript`) followed by V8's data. A cache whose key is not the script's is not used; V8
 * itself rejects data of another V8 version or other V8 flags (`cachedDataRejected`). Either way,
 * and when the cache file is missing, the script compiles normally: same output, start-up as
 * without a cache. The cache is never written at run time (dist/ may be read-only).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Script } from 'node:vm';
import { writeFileAtomic } from '../data/atomic_write.js';
import { needsLazyCommands } from './argv_route.js';

/** File names in dist/cli/, beside the bin (dist/cli/nsdiff.js). */
export const CLI_FILES = {
  /** The CommonJS-style bundle of dist/cli/main.js without the on-demand commands. */
  script: 'nsdiff-lasso.cjs',
  /** Its V8 code cache (key + data). */
  cache: 'nsdiff-lasso.cache',
  /** The ES-module bundle of dist/cli/main.js (with chunks): help and the on-demand commands. */
  esm: 'nsdiff-main.js',
} as const;

/** What a bundle of dist/cli/main.js exports to the loader. */
export interface CliModule {
  runCli(argv: string[]): Promise<void>;
}

/** Marks the key line at the end of a stamped script. */
const KEY_MARK = '\n//# nsdiff-cache-key=';
/** Hex digits of a key (SHA-256). */
const KEY_LENGTH = 64;

/**
 * The script with its key (SHA-256 of the text) appended as a comment line; the build stamps the
 * script once and writes the cache with the same key.
 *
 * @example
 * const code = stampCliScript('module.exports = {};'); // ends with '//# nsdiff-cache-key=<64 hex>\n'
 */
export function stampCliScript(code: string): string {
  return `${code}${KEY_MARK}${createHash('sha256').update(code).digest('hex')}\n`;
}

/** The key stamped at the end of `code`, or undefined. */
function keyOf(code: string): string | undefined {
  const at = code.lastIndexOf(KEY_MARK, code.length - KEY_LENGTH - 1);
  return at < 0 ? undefined : code.slice(at + KEY_MARK.length, at + KEY_MARK.length + KEY_LENGTH);
}

/**
 * Runs `fn` under V8's `--verify-snapshot-checksum`: V8 writes and checks a code cache's checksum
 * only under it (release builds skip it, and damaged data would then crash the process). On only
 * around the compile and `createCachedData` (the build and the loader alike: V8 compares the flags
 * a cache was made under), so that worker threads do not verify their start-up snapshot.
 */
function withChecksums<T>(fn: () => T): T {
  setFlagsFromString('--verify-snapshot-checksum');
  try {
    return fn();
  } finally {
    setFlagsFromString('--no-verify-snapshot-checksum');
  }
}

/** A compiled script bundle and how its cache fared. */
export interface CompiledCli {
  script: Script;
  /**
   * 'accepted' / 'rejected' (by V8: another V8 version or flags, damaged data), 'stale' (the key is
   * not the script's: not given to V8) or 'none' (no cache).
   */
  cache: 'accepted' | 'rejected' | 'stale' | 'none';
  /** Runs the script once; returns its exports (those of dist/cli/main.js). */
  run(): CliModule;
}

/**
 * Compiles the script bundle `code` (the text of dist/cli/nsdiff-lasso.cjs, located at
 * `scriptUrl`) with the cache file's bytes, if any. The script is wrapped in a function of
 * `require`, `module`, `exports` and its own URL (what `import.meta.url` reads in the bundle).
 *
 * @example
 * const cli = compileCliScript(readFileSync(scriptUrl, 'utf8'), scriptUrl.href, readFileSync(cacheUrl));
 * await cli.run().runCli(process.argv); // cli.cache: 'accepted'
 */
export function compileCliScript(code: string, scriptUrl: string, cacheFile?: Uint8Array): CompiledCli {
  let cachedData: Buffer | undefined;
  let cache: CompiledCli['cache'] = 'none';
  if (cacheFile !== undefined) {
    const key = keyOf(code);
    const file = Buffer.from(cacheFile.buffer, cacheFile.byteOffset, cacheFile.byteLength);
    if (key !== undefined && file.length > KEY_LENGTH && file.toString('latin1', 0, KEY_LENGTH) === key) cachedData = file.subarray(KEY_LENGTH);
    else cache = 'stale';
  }
  // the wrapper is part of the cached source: the build and the loader must use the same text
  const source = `(function (require, module, exports, __nsdiff_import_meta_url) {${code}\n})`;
  const script = withChecksums(() => new Script(source, { filename: fileURLToPath(scriptUrl), cachedData }));
  if (cachedData !== undefined) cache = script.cachedDataRejected === true ? 'rejected' : 'accepted';
  return {
    script,
    cache,
    run() {
      const module = { exports: {} as CliModule };
      (script.runInThisContext() as (...a: unknown[]) => void)(createRequire(scriptUrl), module, module.exports, scriptUrl);
      return module.exports;
    },
  };
}

/** The file's bytes, or undefined when it cannot be read. */
function readOrUndefined(url: URL): Buffer | undefined {
  try {
    return readFileSync(url);
  } catch {
    return undefined;
  }
}

/**
 * The bin (src/cli/bin.ts, bundled to dist/cli/nsdiff.js at `binUrl`): runs `argv` in the
 * code-cached script when it needs no on-demand command and the script is there, else in the
 * ES-module bundle.
 *
 * @example
 * await startCli(process.argv, import.meta.url);
 */
export async function startCli(argv: string[], binUrl: string): Promise<void> {
  if (!needsLazyCommands(argv)) {
    const scriptUrl = new URL(CLI_FILES.script, binUrl);
    const code = readOrUndefined(scriptUrl);
    if (code !== undefined) return compileCliScript(code.toString('utf8'), scriptUrl.href, readOrUndefined(new URL(CLI_FILES.cache, binUrl))).run().runCli(argv);
  }
  const esm = (await import(new URL(CLI_FILES.esm, binUrl).href)) as CliModule;
  return esm.runCli(argv);
}

/**
 * Build step: compiles the script in dist/cli/ (`dir`) without a cache, runs `argv` in this
 * process (stdout discarded; a nonzero exit status is an error), then writes the code cache of
 * everything compiled so far atomically. Returns the cache's size in bytes.
 *
 * @example
 * await produceCliCodeCache(new URL('../dist/cli/', import.meta.url), ['node', 'nsdiff', 'lasso', 'tune', '--data', csv, '--target', 'y', '--json', '--quiet']);
 */
export async function produceCliCodeCache(dir: URL, argv: string[]): Promise<number> {
  const scriptUrl = new URL(CLI_FILES.script, dir);
  const cli = compileCliScript(readFileSync(scriptUrl, 'utf8'), scriptUrl.href);
  const write = process.stdout.write;
  const exitCode = process.exitCode;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  process.exitCode = undefined;
  let status: number | string | undefined;
  try {
    await cli.run().runCli(argv);
    status = process.exitCode;
  } finally {
    process.stdout.write = write;
    process.exitCode = exitCode;
  }
  if (status !== 0 && status !== undefined) throw new Error(`produceCliCodeCache(): the representative command exited with status ${status}: ${argv.slice(2).join(' ')}`);
  const key = keyOf(readFileSync(scriptUrl, 'utf8'));
  if (key === undefined) throw new Error(`produceCliCodeCache(): ${fileURLToPath(scriptUrl)} has no key: stamp it with stampCliScript`);
  const data = withChecksums(() => cli.script.createCachedData());
  writeFileAtomic(fileURLToPath(new URL(CLI_FILES.cache, dir)), Buffer.concat([Buffer.from(key, 'latin1'), data]), 'code cache');
  return KEY_LENGTH + data.length;
}
