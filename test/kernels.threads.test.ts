/**
 * @file Tests of the kernel worker pool: 1- and 2-thread gemm results are bit-identical (and the
 * workers really computed chunks), setThreads validation, and a process that used the pool exits
 * promptly (no worker keeps it alive).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { gemmStrided } from '../src/kernels/blas.js';
import { setThreads } from '../src/kernels/threads.js';
import { InvalidArgumentError } from '../src/core/errors.js';
import { seeded } from './fixtures/seeded.js';
import { assertExitsPromptly, assertSameBitsOnOneAndTwoThreads } from './helpers.js';


test('gemm on 1 and 2 threads gives the same bits, and the workers took part', async () => {
  const m = 517, n = 300, k = 400; // 9 row chunks of ≈ 1.5 ms: a worker woken late still finds work
  const A = seeded(m * k, 1), B = seeded(k * n, 2);
  const run = (transB: boolean) => {
    const C = new Float64Array(m * n);
    gemmStrided(false, transB, m, n, k, 1, A, 0, k, B, 0, transB ? k : n, 0, C, 0, n);
    return C;
  };
  await assertSameBitsOnOneAndTwoThreads(() => run(false));
});

test('setThreads validates n and returns the previous value', () => {
  assert.throws(() => setThreads(0), (e: unknown) => e instanceof InvalidArgumentError && /setThreads: n must be an integer/.test((e as Error).message));
  assert.throws(() => setThreads(1.5), InvalidArgumentError);
  const prev = setThreads(3);
  assert.equal(setThreads(prev), 3);
});

test('a process that used the thread pool exits promptly after its work', () => {
  assertExitsPromptly('kernels_threads_exit.ts', 'the pool');
});

test('NSDIFF_THREADS sets the default thread count of a process (and a bad value warns)', () => {
  const code = "import { getThreads } from './src/kernels/threads.ts'; console.log(getThreads());";
  const run = (v: string) => spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    encoding: 'utf8', env: { ...process.env, NSDIFF_THREADS: v }, cwd: fileURLToPath(new URL('..', import.meta.url)),
  });
  const ok = run('3');
  assert.equal(ok.stdout.trim(), '3', ok.stderr);
  const bad = run('zero');
  assert.match(bad.stderr, /NSDIFF_THREADS must be an integer in \[1, 256\], got "zero"/);
  assert.ok(Number(bad.stdout.trim()) >= 1);
});
