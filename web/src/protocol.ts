/**
 * @file The messages between the page (main.ts) and its Web Worker (worker.ts): a request names a
 * job and its parameters; the worker answers with progress messages, then one result or error.
 */
import type { DynamicsOutput, TuneOutput, TuneParams } from './compute.js';

/** What the page asks the worker to compute. */
export type JobSpec = { kind: 'tune'; params: TuneParams } | { kind: 'cycles'; steps: number } | { kind: 'lorenz'; steps: number };

/** A job for the worker: a spec with the id its replies carry. */
export type Job = JobSpec & { id: number };

/** A message from the worker. */
export type Reply =
  | { id: number; type: 'progress'; stage: string; fraction: number }
  | { id: number; type: 'result'; result: TuneOutput | DynamicsOutput; ms: number }
  | { id: number; type: 'error'; name: string; message: string };
