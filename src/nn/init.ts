/**
 * @file Seeded parameter initialisers: `(key, shape, fans?) → Tensor`, drawn with `core/rng.ts`
 * (the same key gives the same tensor). Variances follow He et al. (2015) and Glorot & Bengio
 * (2010), with PyTorch's conventions:
 *
 * | initialiser | distribution | PyTorch |
 * |---|---|---|
 * | heUniform | U(±√(6 / fanIn)) | kaiming_uniform_(nonlinearity='relu') |
 * | heNormal | N(0, 2 / fanIn) | kaiming_normal_(nonlinearity='relu') |
 * | glorotUniform | U(±√(6 / (fanIn + fanOut))) | xavier_uniform_ |
 * | glorotNormal | N(0, 2 / (fanIn + fanOut)) | xavier_normal_ |
 * | torchDefault | U(±1 / √fanIn) | nn.Linear / nn.Conv2d default for weight and bias: kaiming_uniform_(a=√5) has bound gain·√(3/fanIn) with gain = √(2/(1+a²)) = √(1/3) |
 * | normal({std}) | N(0, std²) | normal_ (nn.Embedding uses std 1) |
 * | zeros, ones | constants | zeros_, ones_ |
 *
 * Fans: for a 1-D shape [n] fanIn = fanOut = n; for a 2-D weight in this library's layout [in, out]
 * (y = x·W) fanIn = in, fanOut = out. Other shapes (convolution kernels) must pass `{ fanIn, fanOut }`:
 * the layer knows its layout, the initialiser does not guess.
 */
import { InvalidArgumentError } from '../core/errors.js';
import { checkOptions } from '../core/options.js';
import { checkShape, full, formatShape, type Tensor } from '../core/tensor.js';
import { rng } from '../core/rng.js';

/** Fan-in / fan-out of a weight (numbers of inputs and outputs each unit connects). */
export interface Fans {
  fanIn?: number;
  fanOut?: number;
}

/** An initialiser: seeded key, shape, optional fans → a fresh tensor. */
export type Initializer = (key: number, shape: readonly number[], fans?: Fans) => Tensor;

function resolveFans(shape: readonly number[], fans: Fans | undefined, where: string, need: 'in' | 'both'): { fanIn: number; fanOut: number } {
  checkOptions(fans, ['fanIn', 'fanOut'], where);
  let fanIn = fans?.fanIn;
  let fanOut = fans?.fanOut;
  if (shape.length === 1) {
    fanIn ??= shape[0]!;
    fanOut ??= shape[0]!;
  } else if (shape.length === 2) {
    fanIn ??= shape[0]!;
    fanOut ??= shape[1]!;
  }
  for (const [name, v] of [['fanIn', fanIn], ['fanOut', need === 'both' ? fanOut : 1]] as const) {
    if (v === undefined) {
      throw new InvalidArgumentError(`${where}: cannot infer ${name} from shape ${formatShape(shape)} (only 1-D and 2-D [in, out] shapes); pass { fanIn, fanOut }`);
    }
    if (!Number.isInteger(v) || v < 1) throw new InvalidArgumentError(`${where}: ${name} must be a positive integer, got ${String(v)}`);
  }
  return { fanIn: fanIn!, fanOut: fanOut ?? 1 };
}

function checkKey(key: unknown, where: string): number {
  if (typeof key !== 'number' || !Number.isFinite(key)) throw new InvalidArgumentError(`${where}: key must be a finite number, got ${String(key)}`);
  return key;
}

function uniformInit(name: string, bound: (f: { fanIn: number; fanOut: number }) => number, need: 'in' | 'both'): Initializer {
  return (key, shape, fans) => {
    const where = `${name}()`;
    const s = checkShape(shape, where);
    const b = bound(resolveFans(s, fans, where, need));
    return rng(checkKey(key, where)).uniform(s, -b, b);
  };
}

function normalInit(name: string, std: (f: { fanIn: number; fanOut: number }) => number, need: 'in' | 'both'): Initializer {
  return (key, shape, fans) => {
    const where = `${name}()`;
    const s = checkShape(shape, where);
    const sd = std(resolveFans(s, fans, where, need));
    return rng(checkKey(key, where)).normal(s, 0, sd);
  };
}

/**
 * He (Kaiming) uniform: U(±√(6 / fanIn)), variance 2 / fanIn (for relu networks).
 * @example
 * heUniform(0, [784, 128])  // entries in ±√(6/784)
 */
export const heUniform: Initializer = uniformInit('heUniform', ({ fanIn }) => Math.sqrt(6 / fanIn), 'in');

/**
 * He (Kaiming) normal: N(0, 2 / fanIn).
 * @example
 * heNormal(0, [784, 128])  // std √(2/784)
 */
export const heNormal: Initializer = normalInit('heNormal', ({ fanIn }) => Math.sqrt(2 / fanIn), 'in');

/**
 * Glorot (Xavier) uniform: U(±√(6 / (fanIn + fanOut))).
 * @example
 * glorotUniform(0, [64, 10])
 */
export const glorotUniform: Initializer = uniformInit('glorotUniform', ({ fanIn, fanOut }) => Math.sqrt(6 / (fanIn + fanOut)), 'both');

/**
 * Glorot (Xavier) normal: N(0, 2 / (fanIn + fanOut)).
 * @example
 * glorotNormal(0, [64, 10])
 */
export const glorotNormal: Initializer = normalInit('glorotNormal', ({ fanIn, fanOut }) => Math.sqrt(2 / (fanIn + fanOut)), 'both');

/**
 * PyTorch's default for nn.Linear / nn.Conv2d weights and biases: U(±1/√fanIn) (kaiming_uniform_
 * with a = √5). For a bias of shape [out], pass the weight's `{ fanIn }`.
 * @example
 * torchDefault(0, [784, 128])                  // weight, entries in ±1/28
 * torchDefault(1, [128], { fanIn: 784 })       // its bias
 */
export const torchDefault: Initializer = uniformInit('torchDefault', ({ fanIn }) => 1 / Math.sqrt(fanIn), 'in');

/**
 * N(0, std²) initialiser factory (default std 1, nn.Embedding's default).
 * @example
 * normal({ std: 0.02 })(0, [100, 16])
 */
export function normal(opts: { std?: number } = {}): Initializer {
  checkOptions(opts, ['std'], 'normal()');
  const std = opts.std ?? 1;
  if (typeof std !== 'number' || !(std >= 0) || !Number.isFinite(std)) throw new InvalidArgumentError(`normal(): option std must be a finite number ≥ 0, got ${String(std)}`);
  return (key, shape) => rng(checkKey(key, 'normal()')).normal(checkShape(shape, 'normal()'), 0, std);
}

/**
 * All zeros (the key is ignored): the default bias initialiser.
 * @example
 * zeros(0, [10])
 */
export const zeros: Initializer = (_key, shape) => full(checkShape(shape, 'zeros()'), 0);

/**
 * All ones (the key is ignored): the default scale of normalisation layers.
 * @example
 * ones(0, [10])
 */
export const ones: Initializer = (_key, shape) => full(checkShape(shape, 'ones()'), 1);
