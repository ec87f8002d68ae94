/**
 * @file The page's Web Worker: runs the long computations of compute.ts (Lasso tuning, the cycles
 * and Lorenz dynamics) off the main thread, posting progress while they run. In a worker the
 * WebAssembly engine of the Lasso solvers compiles synchronously (the main thread of a browser
 * may refuse that for large modules; the library then uses its JavaScript kernels).
 */
import { runCycles, runLorenz, runTuning, type Progress } from './compute.js';
import type { Job, Reply } from './protocol.js';

/** The slice of the worker global scope used here (the project's TypeScript lib has no WebWorker types). */
const scope = globalThis as unknown as { postMessage(m: Reply): void; onmessage: ((e: { data: Job }) => void) | null };

scope.onmessage = (e) => {
  const job = e.data;
  let last = 0;
  const progress: Progress = (stage, fraction) => {
    const now = performance.now();
    if (now - last < 50 && fraction < 1) return; // at most 20 progress messages a second
    last = now;
    scope.postMessage({ id: job.id, type: 'progress', stage, fraction });
  };
  const t0 = performance.now();
  try {
    const result = job.kind === 'tune' ? runTuning(job.params, progress) : job.kind === 'cycles' ? runCycles(job.steps, 0.05, progress) : runLorenz(job.steps, 0.01, progress);
    scope.postMessage({ id: job.id, type: 'result', result, ms: performance.now() - t0 });
  } catch (err) {
    const error = err as Error;
    scope.postMessage({ id: job.id, type: 'error', name: error.name ?? 'Error', message: error.message ?? String(err) });
  }
};
