/**
 * @file The one timing helper of the benchmarks: repeated calls of a function after a warm-up,
 * reported as the fastest and the median sample (wall) and the lowest process CPU time, per call.
 *
 * Why the minimum: on a shared machine a sample can only be slowed down by other work, so the
 * fastest one is the best estimate of the uncontended cost; the median says how noisy the run was.
 * The CPU time (user + system of the whole process, `process.cpuUsage`) counts every thread of the
 * process — the kernel layer's workers and V8's background compiles included — and is not inflated
 * by waiting for a core, so on a loaded machine it is the fairer single-thread figure.
 *
 * A sample is `batch` consecutive calls (their mean), or as many as last `sampleMs` when that is
 * set: for calls of a few microseconds the timer's resolution would otherwise dominate. The warm-up
 * is `warmup` calls and at least `warmupMs` milliseconds. Sampling goes on until at least `reps`
 * samples are taken and `minMs` milliseconds have passed, and stops at `maxReps` samples.
 */

/** What {@link time} measured; all times are milliseconds per call. */
export interface Timing<T> {
  /** Fastest sample (wall). */
  readonly min: number;
  /** Median sample (wall). */
  readonly median: number;
  /** Lowest process CPU time (user + system) of a sample. */
  readonly cpu: number;
  /** Number of samples taken. */
  readonly samples: number;
  /** What the last call returned. */
  readonly value: T;
}

/** How {@link time} samples. */
export interface TimingOptions {
  /** Calls before sampling starts (JIT warm-up). Default 1. */
  readonly warmup?: number;
  /** Keep warming up until this many milliseconds have passed. Default 0. */
  readonly warmupMs?: number;
  /** Minimum number of samples. Default 5. */
  readonly reps?: number;
  /** Keep sampling until this many milliseconds have passed. Default 0. */
  readonly minMs?: number;
  /** Never more samples than this. Default 1000. */
  readonly maxReps?: number;
  /** Calls per sample (the sample is their mean). Default 1. */
  readonly batch?: number;
  /** Enough calls per sample (at least `batch`) for a sample to last this many milliseconds, from one timed call after the warm-up. Default 0. */
  readonly sampleMs?: number;
}

/** Process CPU time (user + system) in milliseconds. */
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * Times `fn`: `warmup` calls, then samples of `batch` calls until `reps` samples and `minMs`
 * milliseconds (at most `maxReps` samples).
 *
 * @example
 * const t = time(() => gemm(a, b), { warmup: 3, reps: 10 });
 * console.log(`${t.min.toFixed(2)} ms (median ${t.median.toFixed(2)}, CPU ${t.cpu.toFixed(2)})`);
 */
export function time<T>(fn: () => T, opts: TimingOptions = {}): Timing<T> {
  const { warmup = 1, warmupMs = 0, reps = 5, minMs = 0, maxReps = 1000, sampleMs = 0 } = opts;
  let { batch = 1 } = opts;
  let value!: T;
  const warmUntil = performance.now() + warmupMs;
  for (let i = 0; i < warmup || performance.now() < warmUntil; i++) value = fn();
  if (sampleMs > 0) {
    const t0 = performance.now();
    value = fn();
    batch = Math.max(batch, Math.ceil(sampleMs / Math.max(performance.now() - t0, 1e-3)));
  }
  const walls: number[] = [];
  let cpu = Infinity;
  const start = performance.now();
  while (walls.length < maxReps && (walls.length < reps || performance.now() - start < minMs)) {
    const c0 = cpuMs();
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) value = fn();
    walls.push((performance.now() - t0) / batch);
    cpu = Math.min(cpu, (cpuMs() - c0) / batch);
  }
  walls.sort((a, b) => a - b);
  return { min: walls[0] ?? NaN, median: walls[walls.length >> 1] ?? NaN, cpu, samples: walls.length, value };
}
