/**
 * @file `nsdiff info`: what the kernel layer runs on here — the runtime, the backend, WebAssembly
 * SIMD and fused multiply-add, the thread count and where it came from, the worker host and shared
 * memory — so that a user can tell why a machine or a flag makes nsdiff faster or slower.
 */
import { availableCores, envVar } from '../core/platform.js';
import { getKernelBackend, sharedMemorySupported, wasmFmaActive, wasmKernelsAvailable } from '../kernels/engine.js';
import { getThreads, threadHost } from '../kernels/threads.js';
import { SPLIT_MIN_ROWS } from '../kernels/team.js';

/** What `nsdiff info` reports. */
export interface KernelInfo {
  readonly version: string;
  readonly runtime: string;
  readonly backend: string;
  readonly wasmSimd: boolean;
  readonly fusedMultiplyAdd: boolean;
  readonly threads: number;
  readonly threadsFrom: 'setThreads or --threads' | 'NSDIFF_THREADS' | 'available cores';
  readonly availableCores: number;
  readonly workerHost: 'node' | 'web' | null;
  readonly sharedMemory: boolean;
  readonly rowSplitMinRows: number;
}

/**
 * The kernel layer's configuration in this process (`explicitThreads`: whether `--threads` was given).
 *
 * @example
 * kernelInfo('0.1.0', false).threads; // 2 on a two-core machine
 */
export function kernelInfo(version: string, explicitThreads: boolean): KernelInfo {
  const env = envVar('NSDIFF_THREADS');
  return {
    version,
    runtime: typeof process !== 'undefined' ? `Node ${process.version} (${process.platform} ${process.arch})` : 'unknown',
    backend: getKernelBackend(),
    wasmSimd: wasmKernelsAvailable(),
    fusedMultiplyAdd: wasmFmaActive(),
    threads: getThreads(),
    threadsFrom: explicitThreads ? 'setThreads or --threads' : env !== undefined && env !== '' ? 'NSDIFF_THREADS' : 'available cores',
    availableCores: availableCores(),
    workerHost: threadHost(),
    sharedMemory: sharedMemorySupported(),
    rowSplitMinRows: SPLIT_MIN_ROWS,
  };
}

/** Prints `info` as text lines, or as JSON with `json`. */
export function printInfo(info: KernelInfo, json: boolean): void {
  if (json) {
    console.log(JSON.stringify(info, null, 2));
    return;
  }
  const yes = (b: boolean): string => (b ? 'yes' : 'no');
  const lines = [
    `nsdiff ${info.version} on ${info.runtime}`,
    `kernels: backend ${info.backend}; WebAssembly SIMD ${yes(info.wasmSimd)}; fused multiply-add ${yes(info.fusedMultiplyAdd)}${info.fusedMultiplyAdd || !info.wasmSimd ? '' : ' (relaxed SIMD: Node ≥ 22, or node --experimental-wasm-relaxed-simd)'}`,
    `threads: ${info.threads} (from ${info.threadsFrom}; ${info.availableCores} cores available; --threads n or NSDIFF_THREADS=n set it)`,
    `worker threads: ${info.workerHost ?? 'none'}; shared memory ${yes(info.sharedMemory)}; Lasso row split from ${info.rowSplitMinRows} rows (a partner thread when threads ≥ 2)`,
  ];
  console.log(lines.join('\n'));
}
