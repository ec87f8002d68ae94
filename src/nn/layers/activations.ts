/**
 * @file Activation layers: parameter-free layers wrapping the elementwise activation ops, so they
 * can sit in `sequential([...])`. Each nonsmooth one takes the op's `kink` option and keeps the op's
 * documented selection at the kink (default minNorm):
 *
 * | layer | op | kink | Clarke interval (left / right) | default |
 * |---|---|---|---|---|
 * | relu() | relu | 0 | [0, 1] | 0 |
 * | leakyRelu({slope}) | leakyRelu | 0 | [slope, 1] | slope |
 * | abs() | abs | 0 | [−1, 1] | 0 |
 * | hardtanh({min, max}) | clip(x, min, max) | min, max | [0, 1] at each | 0 |
 * | elu({alpha}) | elu | 0 | [α, 1] | α |
 * | softThreshold({lambda}) | softThreshold(x, λ) | ±λ | [0, 1] at each | 0 |
 * | clip({min, max}) | clip | min, max | [0, 1] at each | 0 |
 *
 * gelu, tanh, sigmoid and softplus are smooth.
 */
import { InvalidArgumentError } from '../../core/errors.js';
import { checkOptions } from '../../core/options.js';
import type { Tensor } from '../../core/tensor.js';
import type { KinkPolicy } from '../../autodiff/kinks.js';
import { relu as reluOp, abs as absOp, type KinkOption } from '../../ops/nonsmooth.js';
import { clip as clipOp, softThreshold as softThresholdOp } from '../../ops/piecewise.js';
import { tanh as tanhOp, sigmoid as sigmoidOp, softplus as softplusOp } from '../../ops/unary.js';
import { leakyRelu as leakyReluOp, elu as eluOp, gelu as geluOp, type GeluOptions } from '../../ops/activations.js';
import { defineLayer, type EmptyParams, type Layer } from '../layer.js';

/** A parameter-free, shape-preserving layer applying `f` elementwise. */
function elementwise(name: string, f: (x: Tensor) => Tensor): Layer<EmptyParams, null> {
  return defineLayer<EmptyParams, null>({
    name,
    init: (_key, inputShape) => ({ params: {}, state: null, outputShape: [...inputShape] }),
    forward: (_params, state, x) => ({ y: f(x), state }),
  });
}

function kinkOf(opts: KinkOption | undefined): KinkOption | undefined {
  return opts?.kink === undefined ? undefined : { kink: opts.kink };
}

function num(v: unknown, where: string, name: string, dflt: number): number {
  const x = v ?? dflt;
  if (typeof x !== 'number' || Number.isNaN(x)) throw new InvalidArgumentError(`${where}: option ${name} must be a number, got ${String(v)}`);
  return x;
}

function bounds(opts: { min?: number; max?: number } | undefined, where: string, dmin: number, dmax: number): [number, number] {
  const lo = num(opts?.min, where, 'min', dmin);
  const hi = num(opts?.max, where, 'max', dmax);
  if (!(lo < hi)) throw new InvalidArgumentError(`${where}: needs min < max, got min = ${lo}, max = ${hi}`);
  return [lo, hi];
}

/**
 * ReLU layer max(x, 0); relu'(0) is the kink policy's selection in [0, 1] (default 0).
 * @example
 * sequential([linear(32), relu(), linear(10)])
 */
export function relu(opts?: KinkOption): Layer<EmptyParams, null> {
  checkOptions(opts, ['kink'], 'relu()');
  const k = kinkOf(opts);
  return elementwise('relu', (x) => reluOp(x, k));
}

/**
 * Leaky ReLU layer (default slope 0.01, PyTorch's); derivative at 0 in [slope, 1] (default slope).
 * @example
 * leakyRelu({ slope: 0.1 })
 */
export function leakyRelu(opts?: { slope?: number; kink?: KinkPolicy }): Layer<EmptyParams, null> {
  checkOptions(opts, ['slope', 'kink'], 'leakyRelu()');
  const slope = num(opts?.slope, 'leakyRelu()', 'slope', 0.01);
  const o = { slope, ...kinkOf(opts) };
  return elementwise(`leakyRelu(${slope})`, (x) => leakyReluOp(x, o));
}

/**
 * |x| layer; derivative at 0 in [−1, 1] (default 0).
 * @example
 * abs()
 */
export function abs(opts?: KinkOption): Layer<EmptyParams, null> {
  checkOptions(opts, ['kink'], 'abs()');
  const k = kinkOf(opts);
  return elementwise('abs', (x) => absOp(x, k));
}

/**
 * Hardtanh layer clip(x, min, max) (default [−1, 1], PyTorch's); derivative 0 at the bounds by default.
 * @example
 * hardtanh({ min: -2, max: 2 })
 */
export function hardtanh(opts?: { min?: number; max?: number; kink?: KinkPolicy }): Layer<EmptyParams, null> {
  checkOptions(opts, ['min', 'max', 'kink'], 'hardtanh()');
  const [lo, hi] = bounds(opts, 'hardtanh()', -1, 1);
  const k = kinkOf(opts);
  return elementwise(`hardtanh(${lo}, ${hi})`, (x) => clipOp(x, lo, hi, k));
}

/**
 * Clip layer clip(x, min, max) (both required; ±Infinity allowed); derivative 0 at the bounds by default.
 * @example
 * clip({ min: 0, max: 6 })  // relu6
 */
export function clip(opts: { min: number; max: number; kink?: KinkPolicy }): Layer<EmptyParams, null> {
  checkOptions(opts, ['min', 'max', 'kink'], 'clip()');
  if (opts?.min === undefined || opts?.max === undefined) throw new InvalidArgumentError('clip(): options min and max are required');
  const [lo, hi] = bounds(opts, 'clip()', 0, 0);
  const k = kinkOf(opts);
  return elementwise(`clip(${lo}, ${hi})`, (x) => clipOp(x, lo, hi, k));
}

/**
 * ELU layer (default α = 1); derivative at 0 in [α, 1] (default α).
 * @example
 * elu({ alpha: 1 })
 */
export function elu(opts?: { alpha?: number; kink?: KinkPolicy }): Layer<EmptyParams, null> {
  checkOptions(opts, ['alpha', 'kink'], 'elu()');
  const alpha = num(opts?.alpha, 'elu()', 'alpha', 1);
  if (!(alpha > 0)) throw new InvalidArgumentError(`elu(): option alpha must be > 0, got ${alpha}`);
  const o = { alpha, ...kinkOf(opts) };
  return elementwise(`elu(${alpha})`, (x) => eluOp(x, o));
}

/**
 * GELU layer, exact x·Φ(x) (default) or `approximate: 'tanh'`.
 * @example
 * gelu({ approximate: 'tanh' })
 */
export function gelu(opts?: GeluOptions): Layer<EmptyParams, null> {
  checkOptions(opts, ['approximate'], 'gelu()');
  const approximate = opts?.approximate ?? 'none';
  if (approximate !== 'none' && approximate !== 'tanh') throw new InvalidArgumentError(`gelu(): option approximate must be 'none' or 'tanh', got ${JSON.stringify(approximate)}`);
  return elementwise(approximate === 'none' ? 'gelu' : 'gelu(tanh)', (x) => geluOp(x, { approximate }));
}

/**
 * tanh layer.
 * @example
 * tanh()
 */
export function tanh(): Layer<EmptyParams, null> {
  return elementwise('tanh', tanhOp);
}

/**
 * Logistic sigmoid layer 1 / (1 + e⁻ˣ).
 * @example
 * sigmoid()
 */
export function sigmoid(): Layer<EmptyParams, null> {
  return elementwise('sigmoid', sigmoidOp);
}

/**
 * Softplus layer log(1 + eˣ).
 * @example
 * softplus()
 */
export function softplus(): Layer<EmptyParams, null> {
  return elementwise('softplus', softplusOp);
}

/**
 * Soft-thresholding layer sign(x)·max(|x| − λ, 0) (the prox of λ‖·‖₁, λ ≥ 0 fixed); derivative 0 at ±λ by default.
 * @example
 * softThreshold({ lambda: 0.1 })
 */
export function softThreshold(opts: { lambda: number; kink?: KinkPolicy }): Layer<EmptyParams, null> {
  checkOptions(opts, ['lambda', 'kink'], 'softThreshold()');
  const lam = opts?.lambda;
  if (typeof lam !== 'number' || !(lam >= 0) || !Number.isFinite(lam)) throw new InvalidArgumentError(`softThreshold(): option lambda must be a finite number ≥ 0, got ${String(lam)}`);
  const k = kinkOf(opts);
  return elementwise(`softThreshold(${lam})`, (x) => softThresholdOp(x, lam, k));
}
