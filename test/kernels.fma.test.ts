/**
 * @file The fused gemm (src/kernels/engine.ts `wasmFmaActive`; gemm.wat's relaxed-SIMD madds) and
 * its build (scripts/build-kernels.mjs `unfuseMadd`). This file turns on Node 20's
 * `--experimental-wasm-relaxed-simd` before the kernel layer compiles its module (Node ≥ 22 and
 * browsers validate relaxed SIMD without it), so it tests the fused kernel in every run: one
 * rounding per multiply-add where the hardware has FMA, the definition on random shapes, transposes
 * and α/β, the same bits on 1 and 2 threads, and `NSDIFF_NO_FMA=1` / a runtime without relaxed SIMD
 * falling back to the unfused variant (in spawned processes).
 */
import { setFlagsFromString } from 'node:v8';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

setFlagsFromString('--experimental-wasm-relaxed-simd'); // before the dynamic imports below compile anything
const { decodeBase64, setKernelBackend, wasmFmaActive, WA } = await import('../src/kernels/engine.js');
const { GEMM_WASM } = await import('../src/kernels/wasm/modules.generated.js');
const { gemmStrided, gemmStridedJs } = await import('../src/kernels/blas.js');
const { assertSameBitsOnOneAndTwoThreads } = await import('./helpers.js');
const { seeded } = await import('./fixtures/seeded.js');
const { roundingProbe } = await import('./fixtures/fma_rounding.js');
const buildScript = '../scripts/build-kernels.mjs'; // a JavaScript build script: typed here, not by tsc
const { unfuseMadd } = (await import(buildScript)) as { unfuseMadd: (text: string) => string };

/** The hardware fuses f64x2.relaxed_madd: x86-64 with FMA3 (V8 emits vfmadd), or arm64 (fmla). */
function hardwareFma(): boolean {
  if (process.arch === 'arm64') return true;
  try {
    return /^flags\s*:.*\bfma\b/m.test(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return false;
  }
}

const probe = fileURLToPath(new URL('./fixtures/fma_probe.ts', import.meta.url));
/** Runs the probe in a fresh process with these node flags and environment. */
function spawnProbe(flags: string[], env: Record<string, string>): { fma: boolean; c00: number } {
  const r = spawnSync(process.execPath, [...flags, '--import', import.meta.resolve('tsx'), probe], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '', NSDIFF_TEST_FMA: '', ...env } });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { fma: boolean; c00: number };
}

test('with relaxed SIMD the engine picks the fused variant; each madd rounds once on FMA hardware', () => {
  assert.equal(wasmFmaActive(), true);
  const c00 = roundingProbe();
  if (hardwareFma()) assert.equal(c00, -(2 ** -60));
  else assert.ok(c00 === 0 || c00 === -(2 ** -60), `c00 = ${c00}`);
});

test('fused and unfused variants: only the fused ones need relaxed SIMD; both compile here', () => {
  const plain = decodeBase64(GEMM_WASM.plain), fma = decodeBase64(GEMM_WASM.fma);
  assert.ok(WA !== undefined && WA.validate(plain) && WA.validate(fma) && WA.validate(decodeBase64(GEMM_WASM.sharedFma)));
  // the relaxed madd is opcode 0xfd 0x87 0x02 (LEB128 of 0x107): in the fused bytes only
  const has = (b: Uint8Array) => b.some((v, i) => v === 0xfd && b[i + 1] === 0x87 && b[i + 2] === 0x02);
  assert.equal(has(fma), true);
  assert.equal(has(plain), false);
  assert.equal(has(decodeBase64(GEMM_WASM.shared)), false);
});

test('NSDIFF_NO_FMA=1, or a runtime without relaxed SIMD, runs the unfused kernel (two roundings)', () => {
  const off = spawnProbe(['--experimental-wasm-relaxed-simd'], { NSDIFF_NO_FMA: '1' });
  assert.deepEqual(off, { fma: false, c00: 0 });
  // Node 20 without the flag has no relaxed SIMD (Node ≥ 22 has it: then fused as above)
  const bare = spawnProbe([], {});
  if (Number(process.versions.node.split('.')[0]) < 22) assert.deepEqual(bare, { fma: false, c00: 0 });
  else assert.equal(bare.fma, true);
});

test('fused gemm = definition on odd shapes, offsets, every transpose and α/β; TypeScript within rounding', () => {
  const prev = setKernelBackend('wasm');
  try {
    let seed = 11;
    for (const [m, n, k] of [[17, 19, 23], [33, 5, 300], [5, 70, 513], [64, 64, 64], [129, 7, 260]] as const) {
      for (const tA of [false, true]) {
        for (const tB of [false, true]) {
          for (const [alpha, beta] of [[1, 0], [-0.7, 1], [2.5, -0.3]] as const) {
            const lda = (tA ? m : k) + 3, ldb = (tB ? k : n) + 1, ldc = n + 2, oa = 5, ob = 2, oc = 7;
            const A = seeded(oa + (tA ? k : m) * lda, seed++), B = seeded(ob + (tB ? n : k) * ldb, seed++);
            const C0 = seeded(oc + m * ldc, seed++);
            const got = C0.slice(), want = C0.slice();
            gemmStrided(tA, tB, m, n, k, alpha, A, oa, lda, B, ob, ldb, beta, got, oc, ldc);
            gemmStridedJs(tA, tB, m, n, k, alpha, A, oa, lda, B, ob, ldb, beta, want, oc, ldc);
            let err = 0;
            for (let i = 0; i < got.length; i++) {
              const inC = i >= oc && (i - oc) % ldc < n && i < oc + m * ldc;
              if (!inC) assert.equal(got[i], C0[i], `${m}×${n}×${k}: entry ${i} outside C changed`);
              else err = Math.max(err, Math.abs(got[i]! - want[i]!));
            }
            assert.ok(err <= 1e-13 * k, `${m}×${n}×${k} tA=${tA} tB=${tB} α=${alpha} β=${beta}: err ${err}`);
          }
        }
      }
    }
  } finally {
    setKernelBackend(prev);
  }
});

test('fused gemm: the same bits on 1 and 2 threads, the worker running the fused module', async () => {
  const m = 300, n = 280, k = 400;
  const A = seeded(m * k, 5), B = seeded(k * n, 6);
  const run = () => {
    const C = new Float64Array(m * n);
    gemmStrided(false, false, m, n, k, 1, A, 0, k, B, 0, n, 0, C, 0, n);
    return C;
  };
  await assertSameBitsOnOneAndTwoThreads(run);
});

test('unfuseMadd: a·b + c as (f64x2.add (f64x2.mul a b) c), nested and multi-line; malformed uses throw', () => {
  assert.equal(unfuseMadd('(local.set $c (f64x2.relaxed_madd (local.get $a) (local.get $b) (local.get $c)))'),
    '(local.set $c (f64x2.add (f64x2.mul (local.get $a) (local.get $b)) (local.get $c)))');
  assert.equal(unfuseMadd('(f64x2.relaxed_madd\n  (f64x2.relaxed_madd (local.get 0) (local.get 1) (local.get 2))\n  (local.get 3) (v128.load (i32.const 0)))'),
    '(f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (local.get 0) (local.get 1)) (local.get 2)) (local.get 3)) (v128.load (i32.const 0)))');
  assert.equal(unfuseMadd(';; a comment naming f64x2.relaxed_madd\n(nop)'), ';; a comment naming f64x2.relaxed_madd\n(nop)');
  assert.throws(() => unfuseMadd('(f64x2.relaxed_madd (local.get 0) (local.get 1))'), /needs three folded operands/);
  assert.throws(() => unfuseMadd('(f64x2.relaxed_madd (local.get 0) (local.get 1) (local.get 2) (local.get 3))'), /more than three operands/);
  assert.throws(() => unfuseMadd('local.get 0\nlocal.get 1\nlocal.get 2\nf64x2.relaxed_madd'), /not in folded form/);
});
