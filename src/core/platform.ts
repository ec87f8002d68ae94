/**
 * @file The one seam between the library and its host (Node or a browser / Web Worker): reading
 * environment variables without touching the Node-only `process` global, and the kernel layer's
 * worker threads and core count (Node's `worker_threads` / `os` reached lazily through
 * `process.getBuiltinModule`, never imported, so a browser bundle has no Node built-in). Nothing reachable from the
 * package root imports a Node built-in (test/package.browser.test.ts checks it); code that needs a
 * host feature asks here and falls back when the host lacks it.
 */
import type * as WorkerThreads from 'node:worker_threads';

interface ProcessLike {
  env?: Record<string, string | undefined>;
}

/**
 * The value of an environment variable under Node, `undefined` in a browser or Web Worker (which
 * have no environment) or when it is unset.
 *
 * @example
 * const noWasm = envVar('NSDIFF_NO_WASM') === '1'; // under Node only; false in a browser
 */
export function envVar(name: string): string | undefined {
  const proc = (globalThis as { process?: ProcessLike }).process;
  return proc?.env?.[name];
}

/**
 * True when running under Node (a `process.versions.node` is present), false in a browser or Web
 * Worker.
 *
 * @example
 * isNode(); // true under node, false in Chromium
 */
export function isNode(): boolean {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof proc?.versions?.node === 'string';
}

/**
 * `process.getBuiltinModule(id)` (Node ≥ 20.16), or undefined elsewhere. Ids are given without the
 * `node:` scheme (`'os'`, accepted as well): a browser bundle then holds no `node:` specifier at all
 * (test/package.browser.test.ts checks that), and nothing is imported, only looked up at run time.
 */
function builtin(id: string): unknown {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  try {
    return proc?.getBuiltinModule?.(id);
  } catch {
    return undefined;
  }
}

/**
 * Node's `worker_threads` module, or null outside Node (browsers, Web Workers, Node without
 * `process.getBuiltinModule`): the kernel thread pool then stays single-threaded.
 *
 * @example
 * loadWorkerThreads() !== null; // true under Node ≥ 20.16
 */
export function loadWorkerThreads(): typeof WorkerThreads | null {
  return (builtin('worker_threads') as typeof WorkerThreads | undefined) ?? null;
}

/**
 * Cores available to this process (`os.availableParallelism`, else `navigator.hardwareConcurrency`,
 * else 1).
 *
 * @example
 * availableCores(); // e.g. 2
 */
export function availableCores(): number {
  const os = builtin('os') as { availableParallelism?: () => number; cpus: () => unknown[] } | undefined;
  if (os !== undefined) return Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  return Math.max(1, nav?.hardwareConcurrency ?? 1);
}

/** A worker started by {@link workerHost}: what the kernel pool and the partner thread (kernels/team.ts) need of it. */
export interface HostWorker {
  terminate(): unknown;
  /** A message after the start-up data (Node: to `parentPort`; Web: to `onmessage`). */
  postMessage(data: unknown): void;
}

/**
 * How this host starts the kernel pool's workers: Node `worker_threads` (the source is CommonJS
 * evaluated with `eval: true`, `data` arrives as `workerData`; workers are unref'd), or browser Web
 * Workers (the source is a classic worker script loaded from a Blob URL, `data` arrives as the first
 * message). Web Workers are offered only when the page is cross-origin isolated
 * (`crossOriginIsolated`: served with COOP same-origin + COEP require-corp), the condition for
 * SharedArrayBuffer and shared WebAssembly memories.
 */
export interface WorkerHost {
  readonly kind: 'node' | 'web';
  /** Starts one worker running `source` with `data`; `onError` is called if it fails. */
  spawn(source: string, data: unknown, onError: () => void): HostWorker;
}

interface WebWorkerLike extends HostWorker {
  addEventListener(type: 'error', cb: () => void): void;
}
interface WebGlobals {
  crossOriginIsolated?: boolean;
  Worker?: new (url: string) => WebWorkerLike;
  Blob?: new (parts: string[], opts: { type: string }) => object;
  URL?: { createObjectURL?: (blob: object) => string };
}

/** One Blob URL per distinct worker source (kept for the life of the page: workers restart after idling). */
const blobUrls = new Map<string, string>();

/**
 * The worker host of this runtime, or null (no threads: a browser page that is not cross-origin
 * isolated, a runtime without workers): the kernel pool then stays on the calling thread.
 *
 * @example
 * workerHost()?.kind; // 'node' under Node, 'web' in an isolated page, undefined otherwise
 */
export function workerHost(): WorkerHost | null {
  const wt = loadWorkerThreads();
  if (wt !== null) {
    return {
      kind: 'node',
      spawn(source, data, onError) {
        const w = new wt.Worker(source, { eval: true, workerData: data });
        w.unref();
        w.on('error', onError);
        return w;
      },
    };
  }
  const g = globalThis as WebGlobals;
  if (g.crossOriginIsolated !== true || typeof g.Worker !== 'function' || typeof g.Blob !== 'function' || typeof g.URL?.createObjectURL !== 'function') return null;
  const { Worker, Blob, URL } = g as Required<WebGlobals>;
  return {
    kind: 'web',
    spawn(source, data, onError) {
      let url = blobUrls.get(source);
      if (url === undefined) {
        url = URL.createObjectURL!(new Blob([source], { type: 'text/javascript' }));
        blobUrls.set(source, url);
      }
      const w = new Worker(url);
      w.addEventListener('error', onError);
      w.postMessage(data);
      return w;
    },
  };
}
