/**
 * @file Step-size schedules for the optimisers of `nn/optim.ts`: each is a function `k ↦ α_k` of
 * the iteration counter k = 0, 1, 2, … (the `count` of an optimiser's state before the step).
 *
 * | schedule | α_k |
 * |---|---|
 * | `constant(a)` | a |
 * | `robbinsMonro({ a0, k0, p })` | a0 / (k + k0)^p, ½ < p ≤ 1 (Σ α_k = ∞, Σ α_k² < ∞) |
 * | `stepDecay({ init, factor, every })` | init · factor^⌊k / every⌋ |
 * | `cosineDecay({ init, steps, final })` | final + (init − final) · (1 + cos(π · min(k, steps) / steps)) / 2 |
 * | `warmup(s, { steps })` | s(k) · (k + 1) / steps for k < steps, then s(k) |
 */
import { InvalidArgumentError } from '../core/errors.js';
import { checkOptions, checkPositive, checkCount } from '../core/options.js';
import { describeValue } from '../core/tensor.js';

/** A step-size schedule: the step size α_k at iteration k = 0, 1, 2, … */
export type Schedule = (k: number) => number;

/** A fixed step size or a schedule (every optimiser option named `lr`, `alpha`, `beta` takes one). */
export type ScheduleLike = number | Schedule;

/**
 * The constant schedule α_k = a.
 * @example
 * constant(0.1)(7); // 0.1
 */
export function constant(a: number): Schedule {
  const v = checkPositive(a, 'a', 'constant');
  return () => v;
}

/** Options of {@link robbinsMonro}. */
export interface RobbinsMonroOptions {
  /** Numerator a0 > 0. */
  a0: number;
  /** Offset k0 > 0 (default 1), so α_0 = a0 / k0^p. */
  k0?: number;
  /** Exponent ½ < p ≤ 1 (default 1). */
  p?: number;
}

/**
 * The Robbins–Monro schedule α_k = a0 / (k + k0)^p with ½ < p ≤ 1: the steps of the convergence
 * theorems of stochastic (sub)gradient methods, Σ α_k = ∞ and Σ α_k² < ∞.
 * @example
 * robbinsMonro({ a0: 1, k0: 1, p: 1 })(3); // 0.25
 */
export function robbinsMonro(options: RobbinsMonroOptions): Schedule {
  checkOptions(options, ['a0', 'k0', 'p'], 'robbinsMonro()');
  if (options === undefined || options === null) throw new InvalidArgumentError('robbinsMonro(): options { a0, k0?, p? } are required');
  const a0 = checkPositive(options.a0, 'a0', 'robbinsMonro');
  const k0 = checkPositive(options.k0 ?? 1, 'k0', 'robbinsMonro');
  const p = options.p ?? 1;
  if (typeof p !== 'number' || !(p > 0.5 && p <= 1)) {
    throw new InvalidArgumentError(`robbinsMonro(): p must be in (1/2, 1] (so that Σα = ∞ and Σα² < ∞), got ${describeValue(p)}`);
  }
  return (k) => a0 / Math.pow(k + k0, p);
}

/** Options of {@link stepDecay}. */
export interface StepDecayOptions {
  /** Initial step size > 0. */
  init: number;
  /** Multiplier in (0, 1] applied every `every` steps (default 0.1). */
  factor?: number;
  /** Steps between two decays, an integer ≥ 1. */
  every: number;
}

/**
 * Step decay α_k = init · factor^⌊k / every⌋ (PyTorch's `StepLR`).
 * @example
 * stepDecay({ init: 1, factor: 0.5, every: 10 })(25); // 0.25
 */
export function stepDecay(options: StepDecayOptions): Schedule {
  checkOptions(options, ['init', 'factor', 'every'], 'stepDecay()');
  if (options === undefined || options === null) throw new InvalidArgumentError('stepDecay(): options { init, factor?, every } are required');
  const init = checkPositive(options.init, 'init', 'stepDecay');
  const factor = options.factor ?? 0.1;
  if (typeof factor !== 'number' || !(factor > 0 && factor <= 1)) {
    throw new InvalidArgumentError(`stepDecay(): factor must be in (0, 1], got ${describeValue(factor)}`);
  }
  const every = checkCount(options.every, 'stepDecay()', 'every', 1);
  return (k) => init * Math.pow(factor, Math.floor(k / every));
}

/** Options of {@link cosineDecay}. */
export interface CosineDecayOptions {
  /** Initial step size > 0. */
  init: number;
  /** Length of the decay, an integer ≥ 1; α_k = final for k ≥ steps. */
  steps: number;
  /** Final step size ≥ 0 (default 0). */
  final?: number;
}

/**
 * Cosine decay α_k = final + (init − final) · (1 + cos(π · min(k, steps) / steps)) / 2
 * (optax's `cosine_decay_schedule`, PyTorch's `CosineAnnealingLR` without restarts).
 * @example
 * cosineDecay({ init: 1, steps: 10 })(5); // 0.5
 */
export function cosineDecay(options: CosineDecayOptions): Schedule {
  checkOptions(options, ['init', 'steps', 'final'], 'cosineDecay()');
  if (options === undefined || options === null) throw new InvalidArgumentError('cosineDecay(): options { init, steps, final? } are required');
  const init = checkPositive(options.init, 'init', 'cosineDecay');
  const steps = checkCount(options.steps, 'cosineDecay()', 'steps', 1);
  const final = checkPositive(options.final ?? 0, 'final', 'cosineDecay', true);
  return (k) => final + ((init - final) * (1 + Math.cos((Math.PI * Math.min(k, steps)) / steps))) / 2;
}

/**
 * Linear warm-up in front of a schedule: α_k = s(k) · (k + 1) / steps for k < steps, then s(k).
 * @example
 * warmup(constant(1), { steps: 4 })(1); // 0.5
 */
export function warmup(schedule: ScheduleLike, options: { steps: number }): Schedule {
  checkOptions(options, ['steps'], 'warmup()');
  const s = asSchedule(schedule, 'warmup()', 'schedule');
  const steps = checkCount(options?.steps, 'warmup()', 'steps', 1);
  return (k) => (k < steps ? (s(k) * (k + 1)) / steps : s(k));
}

/** A number (validated > 0) or a schedule as a schedule; `where` and `name` label the error. */
export function asSchedule(v: unknown, where: string, name: string): Schedule {
  if (typeof v === 'function') return v as Schedule;
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) return () => v;
  throw new InvalidArgumentError(`${where}: ${name} must be a positive finite number or a schedule (k) => number, got ${describeValue(v)}`);
}

/** α_k of a schedule, checked to lie in (lo, hi] (default (0, ∞)); the error names the step. */
export function scheduleAt(s: Schedule, k: number, where: string, name: string, hi = Infinity, hiOpen = false): number {
  const v = s(k);
  if (typeof v !== 'number' || !(v > 0) || (hiOpen ? !(v < hi) : !(v <= hi)) || !Number.isFinite(v)) {
    const range = hi === Infinity ? 'a positive finite number' : `in (0, ${hi}${hiOpen ? ')' : ']'}`;
    throw new InvalidArgumentError(`${where}: ${name} at step ${k} must be ${range}, got ${describeValue(v)}`);
  }
  return v;
}
