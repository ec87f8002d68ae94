/**
 * @file The bin's loader and V8 code cache (src/cli/code_cache.ts): a cache made after a run is
 * accepted; a missing, stale (another script's key), damaged or truncated cache is not used and the
 * script still compiles and gives the same output; the loader routes command lines to the script
 * or to the ES-module bundle (`needsLazyCommands`). Then the built bin (when dist/ is built): the
 * same `lasso tune` output with the cache intact, missing, damaged and stale, from a copy of
 * dist/cli/ (the build's files are never touched), also through a symlink named `nsdiff`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { needsLazyCommands } from '../src/cli/argv_route.js';
import { CLI_FILES, compileCliScript, produceCliCodeCache, stampCliScript, startCli } from '../src/cli/code_cache.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** A stand-in script bundle: records its arguments and the URL it was given (what import.meta.url reads) in `globalThis.ccOut`. */
function fakeScript(tag: string): string {
  return stampCliScript(
    `"use strict";function f(a){return a.map(function(s){return s.toUpperCase()}).join(' ')}` +
      `module.exports={runCli:async function(argv){globalThis.ccOut.push('${tag} '+f(argv.slice(2))+' '+require('node:path').basename(__nsdiff_import_meta_url));process.exitCode=0}};`,
  );
}

/** Runs `fn`; returns what the stand-in bundles recorded (not stdout: the test runner reports through it). */
async function captured(fn: () => Promise<void>): Promise<string> {
  const g = globalThis as { ccOut?: string[] };
  g.ccOut = [];
  await fn();
  return g.ccOut.join('\n');
}
(globalThis as { ccOut?: string[] }).ccOut = [];

test('code cache: accepted after a run; missing, stale, damaged or truncated caches are not used and the output is the same', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nsdiff-cc-'));
  const exitCode = process.exitCode;
  try {
    const url = pathToFileURL(join(dir, CLI_FILES.script));
    writeFileSync(url, fakeScript('A'));
    const bytes = await produceCliCodeCache(pathToFileURL(`${dir}/`), ['node', 'nsdiff', 'x']);
    const cache = readFileSync(join(dir, CLI_FILES.cache));
    assert.equal(cache.length, bytes);
    const code = readFileSync(url, 'utf8');
    const argv = ['node', 'nsdiff', 'lasso', 'tune'];
    const expected = `A LASSO TUNE ${CLI_FILES.script}`;

    const damaged = Buffer.from(cache);
    for (let i = 64; i < 80; i++) damaged[i] = damaged[i]! ^ 0xff; // V8's header (magic, version and flag hashes)
    const damagedPayload = Buffer.from(cache);
    for (let i = 64 + 100; i < damagedPayload.length; i += 97) damagedPayload[i] = damagedPayload[i]! ^ 0x5a; // V8 checks its checksum (--verify-snapshot-checksum)
    const otherKey = readFileSync(join(dir, CLI_FILES.cache));
    otherKey.write(stampCliScript('other').slice(-65, -1), 0, 'latin1');
    const cases: [string, Uint8Array | undefined, string][] = [
      ['intact', cache, 'accepted'],
      ['missing', undefined, 'none'],
      ['stale key', otherKey, 'stale'],
      ['damaged header', damaged, 'rejected'],
      ['damaged data', damagedPayload, 'rejected'],
      ['truncated', cache.subarray(0, 100), 'rejected'],
      ['key only', cache.subarray(0, 64), 'stale'],
    ];
    // a new file name per compile: V8's in-memory compilation cache (keyed by source and name)
    // would otherwise answer without reading the data
    let k = 0;
    const nextUrl = (): string => pathToFileURL(join(dir, `case${k++}`, CLI_FILES.script)).href;
    for (const [what, file, status] of cases) {
      const cli = compileCliScript(code, nextUrl(), file);
      assert.equal(cli.cache, status, what);
      assert.equal(await captured(() => cli.run().runCli(argv)), expected, what);
    }
    // a cache of another script with the right key forged in: V8 rejects it (the source differs)
    writeFileSync(url, fakeScript('Bee'));
    const forged = Buffer.from(cache);
    forged.write(readFileSync(url, 'utf8').slice(-65, -1), 0, 'latin1');
    const cli = compileCliScript(readFileSync(url, 'utf8'), nextUrl(), forged);
    assert.equal(cli.cache, 'rejected');
    assert.equal(await captured(() => cli.run().runCli(argv)), `Bee LASSO TUNE ${CLI_FILES.script}`);
  } finally {
    process.exitCode = exitCode;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('code cache: an unstamped script is an error at build; a failing representative command too', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nsdiff-cc-'));
  const exitCode = process.exitCode;
  try {
    writeFileSync(join(dir, CLI_FILES.script), 'module.exports={runCli:async function(){}};');
    await assert.rejects(produceCliCodeCache(pathToFileURL(`${dir}/`), ['node', 'nsdiff']), /has no key/);
    writeFileSync(join(dir, CLI_FILES.script), stampCliScript('module.exports={runCli:async function(){process.exitCode=2}};'));
    await assert.rejects(produceCliCodeCache(pathToFileURL(`${dir}/`), ['node', 'nsdiff', 'lasso', 'tune']), /exited with status 2: lasso tune/);
    assert.equal(existsSync(join(dir, CLI_FILES.cache)), false);
  } finally {
    process.exitCode = exitCode;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('startCli: lasso and --version run the script; help and the on-demand commands the ES-module bundle; no script: the ES-module bundle', async () => {
  assert.equal(needsLazyCommands(['node', 'nsdiff', 'lasso', 'tune']), false);
  assert.equal(needsLazyCommands(['node', 'nsdiff', '--version']), false);
  assert.equal(needsLazyCommands(['node', 'nsdiff', 'nope']), false);
  for (const argv of [['node', 'nsdiff'], ['node', 'nsdiff', 'help'], ['node', 'nsdiff', 'lasso', '--help'], ['node', 'nsdiff', 'lasso', 'tune', '-h'], ['node', 'nsdiff', 'train'], ['node', 'nsdiff', 'demo']]) {
    assert.equal(needsLazyCommands(argv), true, argv.join(' '));
  }
  const dir = mkdtempSync(join(tmpdir(), 'nsdiff-cc-'));
  const exitCode = process.exitCode;
  try {
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }');
    writeFileSync(join(dir, CLI_FILES.esm), `export async function runCli(argv) { globalThis.ccOut.push('esm ' + argv.slice(2).join(' ')); }`);
    writeFileSync(join(dir, CLI_FILES.script), fakeScript('script'));
    const bin = pathToFileURL(join(dir, 'nsdiff.js')).href;
    assert.equal(await captured(() => startCli(['node', 'nsdiff', 'lasso', 'path'], bin)), `script LASSO PATH ${CLI_FILES.script}`);
    assert.equal(await captured(() => startCli(['node', 'nsdiff', 'lasso', '--help'], bin)), 'esm lasso --help');
    rmSync(join(dir, CLI_FILES.script));
    assert.equal(await captured(() => startCli(['node', 'nsdiff', 'lasso', 'path'], bin)), 'esm lasso path');
  } finally {
    process.exitCode = exitCode;
    rmSync(dir, { recursive: true, force: true });
  }
});

const built = existsSync(join(ROOT, 'dist/cli', CLI_FILES.cache));

test('the built bin: same lasso tune output with the cache intact, missing, damaged or stale; through a symlink named nsdiff', { skip: built ? false : 'dist/ is not built (npm run build)' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'nsdiff-cc-bin-'));
  try {
    // a copy of the package's runtime layout: dist/cli/ and data/ (the script reads data/<name>.csv)
    cpSync(join(ROOT, 'dist/cli'), join(dir, 'dist/cli'), { recursive: true });
    cpSync(join(ROOT, 'data'), join(dir, 'data'), { recursive: true });
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }');
    mkdirSync(join(dir, 'bin'));
    symlinkSync(join(dir, 'dist/cli/nsdiff.js'), join(dir, 'bin/nsdiff'));
    const cachePath = join(dir, 'dist/cli', CLI_FILES.cache);
    copyFileSync(cachePath, join(dir, 'intact.cache'));
    const args = ['lasso', 'tune', '--dataset', 'diabetes', '--max-evals', '4', '--json', '--quiet'];
    const run = (bin: string): string => {
      const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stderr, '');
      return r.stdout.replace(/"timeMs": [\d.]+/, '"timeMs": 0');
    };
    const bin = join(dir, 'dist/cli/nsdiff.js');
    const expected = run(bin);
    assert.match(expected, /"model": "lasso"/);
    assert.equal(run(join(dir, 'bin/nsdiff')), expected, 'symlink');
    rmSync(cachePath);
    assert.equal(run(bin), expected, 'missing');
    const damaged = readFileSync(join(dir, 'intact.cache'));
    for (let i = 64 + 100; i < damaged.length; i += 97) damaged[i] = damaged[i]! ^ 0x5a; // the data after V8's header: without a checksum, a crash
    writeFileSync(cachePath, damaged);
    assert.equal(run(bin), expected, 'damaged');
    const stale = readFileSync(join(dir, 'intact.cache'));
    stale.write('0'.repeat(64), 0, 'latin1');
    writeFileSync(cachePath, stale);
    assert.equal(run(bin), expected, 'stale');
    // the ES-module bundle (dist/cli/main.js's bundle, run directly) gives the same output
    assert.equal(run(join(dir, 'dist/cli', CLI_FILES.esm)), expected, 'ES-module bundle');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
