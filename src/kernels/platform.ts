/**
 * @file The kernel layer's only door to the host platform: worker threads and the core count.
 * Nothing here is imported at module top level from Node: `node:worker_threads` and `node:os` are
 * reached lazily through `process.getBuiltinModule` (Node ≥ 20.16), so the module loads unchanged
 * in a browser, where `loadWorkerThreads` returns null and the kernels run single-threaded.
 */
import type * as WorkerThreads from 'node:worker_threads';

interface NodeProcessLike {
  getBuiltinModule?: (id: string) => unknown;
}
function nodeProcess(): NodeProcessLike | undefined {
  return (globalThis as { process?: NodeProcessLike }).process;
}

/** Node's `worker_threads` module, or null outside Node (browsers, old Node without getBuiltinModule). */
export function loadWorkerThreads(): typeof WorkerThreads | null {
  try {
    const m = nodeProcess()?.getBuiltinModule?.('node:worker_threads') as typeof WorkerThreads | undefined;
    return m ?? null;
  } catch {
    return null;
  }
}

/** Cores available to this process (`os.availableParallelism`, `navigator.hardwareConcurrency`, else 1). */
export function availableCores(): number {
  try {
    const os = nodeProcess()?.getBuiltinModule?.('node:os') as { availableParallelism?: () => number; cpus: () => unknown[] } | undefined;
    if (os !== undefined) return Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  } catch {
    // fall through
  }
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  return Math.max(1, nav?.hardwareConcurrency ?? 1);
}
