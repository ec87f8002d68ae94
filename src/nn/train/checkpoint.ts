/**
 * @file Training checkpoints: one file `checkpoint.nsdckpt` in the checkpoint directory, replaced
 * atomically (temporary file + fsync + rename, `data/files.ts`) at every save, so `kill -9` at
 * any moment leaves the previous complete checkpoint or the new one. The file is the binary
 * container of `serialize.ts` (JSON header + exact float64 payload + SHA-256): a truncated or
 * corrupted file throws `CheckpointError` naming the file and the defect, never a different run.
 *
 * A checkpoint holds everything the next step depends on: parameters, layer state, optimiser
 * state (with its step count), the position (epoch, step within the epoch, global step), the
 * partial sums of the running epoch's training metrics, the history so far, the early-stopping
 * state, and a fingerprint of the run (seed, batch size, data sizes, optimiser, user metadata).
 * All randomness of `fit` is a pure function of (seed, epoch, step), so the position is the RNG
 * position and a resumed run replays the remaining steps bit for bit.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../data/atomic_write.js';
import { CheckpointError, decodeTree, encodeTree, packBinary, unpackBinary } from './serialize.js';

/** The checkpoint file's name inside the checkpoint directory. */
export const CHECKPOINT_FILE = 'checkpoint.nsdckpt';

const MAGIC = 'NSDCKPT1';
const FORMAT_VERSION = 1;

/** Where a run stands: the next step to take is `step` (0-based) of epoch `epoch` (0-based). */
export interface TrainPosition {
  epoch: number;
  step: number;
  /** Optimiser steps taken so far. */
  globalStep: number;
}

/** Everything a checkpoint stores (trees are parameter / state trees of tensors). */
export interface CheckpointData {
  /** Identity of the run; a resume with another fingerprint is refused. */
  fingerprint: Record<string, unknown>;
  position: TrainPosition;
  params: unknown;
  state: unknown;
  optState: unknown;
  /** Running sums of the current epoch's training metrics. */
  accum: { sumLoss: number; correct: number; count: number };
  /** Epoch records so far. */
  history: unknown[];
  /** Early-stopping bookkeeping. */
  earlyStopping: { best: number; bestEpoch: number; wait: number } | null;
  /** Seconds of training before this checkpoint (for the total time of a resumed run). */
  seconds: number;
}

/**
 * The checkpoint path of a directory.
 * @example
 * checkpointPath('runs/a'); // 'runs/a/checkpoint.nsdckpt'
 */
export function checkpointPath(dir: string): string {
  return join(dir, CHECKPOINT_FILE);
}

/**
 * Writes a checkpoint atomically into `dir` (created if missing).
 * @example
 * saveCheckpoint('runs/a', data); // runs/a/checkpoint.nsdckpt
 */
export function saveCheckpoint(dir: string, data: CheckpointData, opts: { fsync?: boolean } = {}): string {
  const { skeleton: trees, buffers } = encodeTree({ params: data.params, state: data.state, optState: data.optState });
  const { skeleton: meta } = encodeTree({ history: data.history, accum: data.accum, earlyStopping: data.earlyStopping, seconds: data.seconds }, []);
  const header = {
    format: 'nsdiff-checkpoint',
    version: FORMAT_VERSION,
    fingerprint: data.fingerprint,
    position: data.position,
    meta,
    trees,
  };
  const path = checkpointPath(dir);
  writeFileAtomic(path, packBinary(MAGIC, header, buffers), 'checkpoint', { fsync: opts.fsync ?? true });
  return path;
}

/**
 * True when `dir` holds a checkpoint file.
 * @example
 * if (hasCheckpoint('runs/a')) console.log('resumable');
 */
export function hasCheckpoint(dir: string): boolean {
  return existsSync(checkpointPath(dir));
}

/**
 * Reads and verifies the checkpoint of `dir` (`CheckpointError` when it is missing, truncated,
 * corrupted or of another format version).
 * @example
 * const ck = loadCheckpoint('runs/a'); // ck.position.globalStep, ck.params, …
 */
export function loadCheckpoint(dir: string): CheckpointData {
  const path = checkpointPath(dir);
  if (!existsSync(path)) throw new CheckpointError(`no checkpoint to resume from: ${path} does not exist`);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new CheckpointError(`cannot read the checkpoint ${path}: ${(e as Error).message}`);
  }
  const { header, buffers } = unpackBinary(MAGIC, bytes, `checkpoint ${path}`);
  if (header.format !== 'nsdiff-checkpoint' || header.version !== FORMAT_VERSION) {
    throw new CheckpointError(`checkpoint ${path}: format ${String(header.format)} version ${String(header.version)} is not supported (expected nsdiff-checkpoint version ${FORMAT_VERSION})`);
  }
  const trees = decodeTree(header.trees, buffers, `checkpoint ${path}`) as { params: unknown; state: unknown; optState: unknown };
  const meta = decodeTree(header.meta, [], `checkpoint ${path}`) as Pick<CheckpointData, 'history' | 'accum' | 'earlyStopping' | 'seconds'>;
  const pos = header.position as TrainPosition;
  if (!pos || ![pos.epoch, pos.step, pos.globalStep].every((v) => Number.isInteger(v) && v >= 0)) {
    throw new CheckpointError(`checkpoint ${path}: corrupted position ${JSON.stringify(header.position)}`);
  }
  return {
    fingerprint: header.fingerprint as Record<string, unknown>,
    position: pos,
    params: trees.params,
    state: trees.state,
    optState: trees.optState,
    accum: meta.accum,
    history: meta.history,
    earlyStopping: meta.earlyStopping,
    seconds: meta.seconds,
  };
}

/**
 * Throws `CheckpointError` naming the first field where the checkpoint's fingerprint differs from
 * this run's (a resume must continue the same run, else its result would silently differ).
 * @example
 * checkFingerprint('runs/a/checkpoint.nsdckpt', { seed: 1 }, { seed: 2 }); // throws: seed is 1 there and 2 here
 */
export function checkFingerprint(path: string, saved: Record<string, unknown>, current: Record<string, unknown>): void {
  const keys = new Set([...Object.keys(saved ?? {}), ...Object.keys(current)]);
  for (const k of keys) {
    const a = JSON.stringify(saved?.[k]);
    const b = JSON.stringify(current[k]);
    if (a !== b) {
      throw new CheckpointError(`the checkpoint ${path} belongs to another run: ${k} is ${a ?? 'unset'} there and ${b ?? 'unset'} here; resume with the same settings or use another checkpoint directory`);
    }
  }
}
