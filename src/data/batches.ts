/**
 * @file Minibatch iteration over in-memory datasets: `batches` yields the index arrays of one
 * epoch (seeded Fisher–Yates shuffle, optional drop-last), `gatherRows` copies the rows of one
 * batch out of a Tensor or typed array. The dataset itself is stored once: an epoch allocates one
 * permutation of n int32 indices (its batches are views of it) and each gathered batch allocates
 * only the batch.
 *
 * Reproducibility: the permutation of epoch e with seed s is `rng(mix(s, e)).permutation(n)`,
 * mix(s, e) = (s ⊕ (e + 1)·0x9E3779B1) mod 2^32, so each epoch has its own order and a run with the
 * same seed repeats exactly.
 */
import { InvalidArgumentError, ShapeError } from '../core/errors.js';
import { checkOptions } from '../core/options.js';
import { rng } from '../core/rng.js';
import { concreteData, describeValue, fromData, Tensor } from '../core/tensor.js';

/** Options of {@link batches}. */
export interface BatchOptions {
  /** Samples per batch (a positive integer; required). */
  batchSize: number;
  /** Shuffle the samples (seeded Fisher–Yates); default `false` (batches in index order). */
  shuffle?: boolean;
  /** Seed of the shuffle (an integer); default 0. */
  seed?: number;
  /** Epoch number (a non-negative integer) mixed into the seed; default 0. */
  epoch?: number;
  /** Drop the last batch when it is smaller than `batchSize`; default `false`. */
  dropLast?: boolean;
}

function checkInt(where: string, name: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
    throw new InvalidArgumentError(`${where}: ${name} must be an integer ≥ ${min}, got ${describeValue(v)}`);
  }
  return v;
}

function checkFlag(where: string, name: string, v: unknown): boolean {
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw new InvalidArgumentError(`${where}: option ${name} must be a boolean, got ${describeValue(v)}`);
  return v;
}

/**
 * The number of batches one epoch of {@link batches} yields: ⌈n / batchSize⌉, or ⌊n / batchSize⌋
 * with `dropLast`.
 *
 * @example
 * numBatches(10, { batchSize: 4 }); // 3
 * numBatches(10, { batchSize: 4, dropLast: true }); // 2
 */
export function numBatches(n: number, opts: { batchSize: number; dropLast?: boolean }): number {
  checkOptions(opts, ['batchSize', 'dropLast'], 'numBatches()');
  checkInt('numBatches()', 'n', n, 0);
  const bs = checkInt('numBatches()', 'option batchSize', opts?.batchSize, 1);
  return checkFlag('numBatches()', 'dropLast', opts.dropLast) ? Math.floor(n / bs) : Math.ceil(n / bs);
}

/**
 * The minibatches of one epoch over samples 0..n-1, as Int32Array index arrays: every index appears
 * exactly once per epoch (except the dropped tail with `dropLast`). With `shuffle`, the order is a
 * seeded permutation that depends on `seed` and `epoch`. The arrays are views of one per-epoch
 * permutation (never reused), so they may be kept.
 *
 * @example
 * for (let epoch = 0; epoch < 2; epoch++) {
 *   for (const idx of batches(10, { batchSize: 4, shuffle: true, seed: 1, epoch })) {
 *     idx.length; // 4, 4, 2
 *   }
 * }
 */
export function batches(n: number, opts: BatchOptions): Generator<Int32Array, void, undefined> {
  // a plain function returning a generator, so bad options throw at the call, not at the first next()
  const where = 'batches()';
  checkOptions(opts, ['batchSize', 'shuffle', 'seed', 'epoch', 'dropLast'], where);
  checkInt(where, 'n', n, 0);
  const bs = checkInt(where, 'option batchSize', opts?.batchSize, 1);
  const shuffle = checkFlag(where, 'shuffle', opts.shuffle);
  const dropLast = checkFlag(where, 'dropLast', opts.dropLast);
  const seed = checkInt(where, 'option seed', opts.seed ?? 0, Number.MIN_SAFE_INTEGER);
  const epoch = checkInt(where, 'option epoch', opts.epoch ?? 0, 0);
  let order: Int32Array;
  if (shuffle) {
    const mixed = ((seed % 4294967296) ^ Math.imul(epoch + 1, 0x9e3779b1)) >>> 0;
    order = rng(mixed).permutation(n);
  } else {
    order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
  }
  const count = dropLast ? Math.floor(n / bs) : Math.ceil(n / bs);
  return (function* () {
    for (let b = 0; b < count; b++) yield order.subarray(b * bs, Math.min(n, (b + 1) * bs));
  })();
}

/** A typed array that {@link gatherRows} can gather from. */
export type RowSource = Float64Array | Float32Array | Int32Array | Uint8Array | Tensor;

/**
 * The rows `indices` (along axis 0, in that order) of `source`, copied into a new array: only the
 * batch is allocated. A Tensor of shape [n, ...rest] gives a Tensor [m, ...rest]; a typed array
 * holding n rows of `rowLength` values (default 1: labels) gives the same typed array kind of
 * length m·rowLength. Not differentiable: a traced tensor throws `ConcretizationError` (inside a
 * transform use `take(x, indices, { axis: 0 })`).
 *
 * @example
 * const X = tensor([[1, 2], [3, 4], [5, 6]]);
 * gatherRows(X, Int32Array.of(2, 0)); // [[5, 6], [1, 2]]
 * gatherRows(Int32Array.of(7, 8, 9), Int32Array.of(1)); // Int32Array [8]
 */
export function gatherRows<T extends RowSource>(source: T, indices: Int32Array | readonly number[], opts?: { rowLength?: number }): T {
  const where = 'gatherRows()';
  checkOptions(opts, ['rowLength'], where);
  let data: Exclude<RowSource, Tensor>;
  let rowLength: number;
  let nRows: number;
  if (source instanceof Tensor) {
    if (opts?.rowLength !== undefined) throw new InvalidArgumentError(`${where}: option rowLength is for typed arrays; a Tensor's rows follow from its shape`);
    if (source.ndim === 0) throw new ShapeError(`${where}: source is a scalar (shape []); it needs at least one axis`);
    data = concreteData(source, where, 'take(x, indices, { axis: 0 })');
    nRows = source.shape[0]!;
    rowLength = nRows === 0 ? 0 : data.length / nRows;
  } else if (ArrayBuffer.isView(source)) {
    data = source;
    rowLength = checkInt(where, 'option rowLength', opts?.rowLength ?? 1, 1);
    if (data.length % rowLength !== 0) {
      throw new ShapeError(`${where}: source has ${data.length} values, not a multiple of rowLength ${rowLength}`);
    }
    nRows = data.length / rowLength;
  } else {
    throw new InvalidArgumentError(`${where}: source must be a Tensor or a typed array, got ${describeValue(source)}`);
  }
  const m = indices.length;
  const Ctor = data.constructor as new (len: number) => typeof data;
  const out = new Ctor(m * rowLength);
  for (let t = 0; t < m; t++) {
    const r = indices[t]!;
    if (!Number.isInteger(r) || r < 0 || r >= nRows) {
      throw new InvalidArgumentError(`${where}: indices[${t}] = ${r} is out of range for ${nRows} rows`);
    }
    if (rowLength === 1) out[t] = data[r]!;
    else out.set(data.subarray(r * rowLength, (r + 1) * rowLength), t * rowLength);
  }
  if (source instanceof Tensor) return fromData(out as Float64Array, [m, ...source.shape.slice(1)]) as unknown as T;
  return out as T;
}
