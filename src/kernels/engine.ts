/**
 * @file The WebAssembly engine of the kernel layer: the one place that decodes, compiles and
 * instantiates the generated kernel modules (src/kernels/wasm/), owns their linear memory, and
 * holds the backend switch (`'wasm' | 'js' | 'auto'`) that every kernel entry consults.
 *
 * The memory is a shared `WebAssembly.Memory` when the runtime has SharedArrayBuffer (so the worker
 * pool of threads.ts can run the same module on it), an ordinary one otherwise. The gemm module
 * comes fused (its multiply-adds are relaxed-SIMD madds: one rounding on hardware with FMA) where
 * the runtime validates relaxed SIMD (Chrome ≥ 114, Node ≥ 22; Node 20 only when started with
 * `--experimental-wasm-relaxed-simd`: the library sets no V8 flag) unless `NSDIFF_NO_FMA=1`, and as
 * a mul and an add otherwise (`wasmFmaActive`). It grows on demand
 * and never shrinks; callers must re-read `kernelMemory().f64` after every `ensureKernelMemory`.
 * The Lasso design engine (wasm_lasso.ts) keeps its own per-design memories (module wasm/lasso.wat)
 * but reads the same backend switch.
 */
import { InvalidArgumentError } from '../core/errors.js';
import { envVar } from '../core/platform.js';
import { GEMM_WASM } from './wasm/modules.generated.js';

/** The slice of the WebAssembly JS API used by the kernel layer (the project's `lib` has no DOM/WebAssembly types). */
export interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (mod: object, imports: object) => { readonly exports: Record<string, unknown> };
  Memory: new (desc: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
}
/** A `WebAssembly.Memory`. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(pages: number): number;
}

/** The runtime's WebAssembly object, or undefined. */
export const WA = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

/** Which kernels run: `'wasm'` (WebAssembly SIMD; throws if unavailable), `'js'` (TypeScript), `'auto'` (wasm when available). */
export type KernelBackend = 'wasm' | 'js' | 'auto';

/** Read once: `NSDIFF_NO_WASM=1` in the environment starts the layer in `'js'` mode (tests, benches). */
let backend: KernelBackend = envVar('NSDIFF_NO_WASM') === '1' ? 'js' : 'auto';
/** Read once: `NSDIFF_NO_FMA=1` keeps the gemm module unfused even where relaxed SIMD validates. */
const fmaAllowed = envVar('NSDIFF_NO_FMA') !== '1';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** Value of each base64 character code (−1: not base64): one table read per character. */
const B64_VALUE = new Int8Array(128).fill(-1);
for (let v = 0; v < 64; v++) B64_VALUE[B64.charCodeAt(v)] = v;

/**
 * Decodes base64 (the generated modules) in plain JavaScript: no `Buffer` and no `atob`, so it runs
 * in Node, browsers, workers and bare `vm` contexts alike. Four characters give three bytes.
 */
export function decodeBase64(s: string): Uint8Array {
  const len = s.length - (s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0);
  const out = new Uint8Array(Math.floor((len * 3) / 4));
  let acc = 0, bits = 0, o = 0;
  for (let i = 0; i < len; i++) {
    // a table read instead of a search of the alphabet per character (the modules are decoded
    // once per process, while everything is cold: ≈ 11 000 characters)
    const c = s.charCodeAt(i);
    const v = c < 128 ? B64_VALUE[c]! : -1;
    if (v < 0) throw new InvalidArgumentError(`decodeBase64: invalid character ${JSON.stringify(s[i])} at ${i}`);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

/**
 * A memoised compiler of one WebAssembly module from its base64 bytes (wasm/modules.generated.ts):
 * the first call validates and compiles it — null when the runtime has no WebAssembly, the module
 * does not validate (no SIMD) or compiling throws — and later calls return the same result. The
 * kernel backend switch is the caller's business (`useWasm()`).
 *
 * @example
 * const triModule = lazyModule(TRI_WASM.plain);
 * const mod = useWasm() ? triModule() : null;
 */
export function lazyModule(base64: string): () => object | null {
  let mod: object | null | undefined;
  return () => {
    if (mod !== undefined) return mod;
    mod = null;
    try {
      if (WA !== undefined) {
        const bytes = decodeBase64(base64);
        if (WA.validate(bytes)) mod = new WA.Module(bytes);
      }
    } catch {
      mod = null;
    }
    return mod;
  };
}

/** True when the runtime can share a WebAssembly memory between threads. */
export function sharedMemorySupported(): boolean {
  return typeof SharedArrayBuffer === 'function' && WA !== undefined;
}

interface CompiledKernels {
  /** Bytes of the module variant matching the memory (workers instantiate the same bytes). */
  readonly bytes: Uint8Array;
  readonly module: object;
  readonly shared: boolean;
  /** The fused variant (relaxed-SIMD madds). */
  readonly fma: boolean;
}
let compiled: CompiledKernels | null | undefined;

/**
 * Compiles the kernel module once; null when WebAssembly SIMD is unavailable. Variants in order of
 * preference: shared memory before plain (threads), then fused before unfused; the first that
 * validates and compiles is kept (an unfused one validates wherever SIMD does).
 */
function compileKernels(): CompiledKernels | null {
  if (compiled !== undefined) return compiled;
  compiled = null;
  if (WA === undefined) return null;
  for (const shared of sharedMemorySupported() ? [true, false] : [false]) {
    for (const fma of fmaAllowed ? [true, false] : [false]) {
      try {
        const bytes = decodeBase64(shared ? (fma ? GEMM_WASM.sharedFma : GEMM_WASM.shared) : fma ? GEMM_WASM.fma : GEMM_WASM.plain);
        if (!WA.validate(bytes)) continue; // no SIMD, no relaxed SIMD (fused) or no threads (shared)
        compiled = { bytes, module: new WA.Module(bytes), shared, fma };
        return compiled;
      } catch {
        // try the next variant
      }
    }
  }
  return compiled;
}

/**
 * True when the WebAssembly SIMD kernels can run in this runtime (whatever the backend setting).
 *
 * @example
 * if (!wasmKernelsAvailable()) console.warn('no WebAssembly SIMD: TypeScript kernels');
 */
export function wasmKernelsAvailable(): boolean {
  return compileKernels() !== null;
}

/**
 * True when the WebAssembly gemm kernel (and so matmul, conv2d, the batched and Gram products on
 * it) runs fused multiply-adds: the runtime validates relaxed SIMD and `NSDIFF_NO_FMA=1` is not
 * set. Each product entry is then a sequence of madds, c ← a·b + c, rounded once each where the
 * hardware has FMA (x86-64 with FMA3, every arm64); the same bits for any thread count, not the
 * same bits as the unfused kernel or the TypeScript one (both round a·b first). False when
 * WebAssembly SIMD is unavailable.
 *
 * @example
 * if (!wasmFmaActive()) console.log('gemm: mul + add (node --experimental-wasm-relaxed-simd on Node 20 fuses them)');
 */
export function wasmFmaActive(): boolean {
  return compileKernels()?.fma === true;
}

/**
 * Sets the kernel backend for every kernel of the layer (gemm, the Lasso design engine) and returns
 * the previous setting. `'wasm'` throws `InvalidArgumentError` when WebAssembly SIMD is unavailable.
 * Designs prepared before a switch keep the engine they were built with.
 *
 * @example
 * const prev = setKernelBackend('js'); // force the TypeScript kernels (tests, benchmarks)
 * setKernelBackend(prev);
 */
export function setKernelBackend(b: KernelBackend): KernelBackend {
  if (b !== 'wasm' && b !== 'js' && b !== 'auto') {
    throw new InvalidArgumentError(`setKernelBackend: backend must be 'wasm', 'js' or 'auto', got ${String(b)}`);
  }
  if (b === 'wasm' && !wasmKernelsAvailable()) {
    throw new InvalidArgumentError("setKernelBackend: backend 'wasm' requested but this runtime has no WebAssembly SIMD");
  }
  const prev = backend;
  backend = b;
  return prev;
}

/**
 * The current backend setting (`'auto'` unless changed or `NSDIFF_NO_WASM=1`).
 *
 * @example
 * getKernelBackend(); // 'auto'
 */
export function getKernelBackend(): KernelBackend {
  return backend;
}

/** True when kernels should take their WebAssembly path now. */
export function useWasm(): boolean {
  return backend !== 'js' && wasmKernelsAvailable();
}

// ---------------------------------------------------------------------------------------------
// The shared kernel memory and instance
// ---------------------------------------------------------------------------------------------

const PAGE = 65536;
/** 4 GiB − 64 KiB: the largest 32-bit memory (65536 pages would overflow i32 byte offsets at the top page). */
const MAX_PAGES = 65535;

/** The kernel memory, its main-thread instance and a Float64Array view over it. */
export interface KernelMemory {
  readonly memory: WasmMemory;
  readonly shared: boolean;
  /** Module bytes (worker threads compile the same module on the same memory). */
  readonly bytes: Uint8Array;
  readonly exports: {
    gemm: (ap: number, bp: number, cp: number, mp: number, np: number, k: number, kc: number, r0: number, r1: number, upper?: number) => void;
  };
  /** View over the whole memory (refreshed by `ensureKernelMemory`). */
  f64: Float64Array;
}
let kmem: KernelMemory | null = null;

/** Byte size of the kernel memory now (0 before first use or after `dropKernelMemory`). */
export function kernelMemoryBytes(): number {
  return kmem === null ? 0 : kmem.memory.buffer.byteLength;
}

/**
 * Forgets the kernel memory (a WebAssembly memory cannot shrink; dropping it lets the garbage
 * collector free it, and the next product allocates a fresh one). Callers must shut down the
 * worker pool first (its workers hold the memory).
 */
export function dropKernelMemory(): void {
  kmem = null;
}

/**
 * Returns the kernel memory with at least `bytes` bytes, growing it if needed, or null when the
 * request exceeds a 32-bit memory or WebAssembly is unavailable. Views taken before a call are stale.
 */
export function ensureKernelMemory(bytes: number): KernelMemory | null {
  const c = compileKernels();
  if (c === null || WA === undefined) return null;
  const pages = Math.ceil(bytes / PAGE);
  if (pages > MAX_PAGES) return null;
  if (kmem === null) {
    const initial = Math.max(pages, 16);
    let memory: WasmMemory, inst: { readonly exports: Record<string, unknown> };
    try {
      memory = new WA.Memory(c.shared ? { initial, maximum: MAX_PAGES, shared: true } : { initial, maximum: MAX_PAGES });
      inst = new WA.Instance(c.module, { env: { memory } });
    } catch {
      return null; // the runtime refused the memory (address space): TypeScript kernels
    }
    kmem = { memory, shared: c.shared, bytes: c.bytes, exports: inst.exports as unknown as KernelMemory['exports'], f64: new Float64Array(memory.buffer) };
    return kmem;
  }
  const have = kmem.memory.buffer.byteLength / PAGE;
  if (pages > have) {
    try {
      kmem.memory.grow(pages - have);
    } catch {
      return null; // the runtime refused to grow: callers fall back to the TypeScript kernels
    }
  }
  if (kmem.f64.buffer.byteLength !== kmem.memory.buffer.byteLength) kmem.f64 = new Float64Array(kmem.memory.buffer);
  return kmem;
}
