/**
 * @file Inverted dropout: in training, each element is kept with probability 1 − rate and scaled
 * by 1 / (1 − rate) (so E[y] = x), dropped (0) otherwise; in eval mode the identity. The mask is a
 * constant drawn from `ctx.key` with `core/rng.ts`: the same key gives the same mask, and the
 * derivative is the mask itself (y = m ⊙ x, m ∈ {0, 1/(1 − rate)}).
 */
import { InvalidArgumentError } from '../../core/errors.js';
import { checkOptions } from '../../core/options.js';
import { ConcreteTensor } from '../../core/tensor.js';
import { rng } from '../../core/rng.js';
import { mul } from '../../ops/arithmetic.js';
import { defineLayer, type EmptyParams, type Layer } from '../layer.js';

/** Options of `dropout`. */
export interface DropoutOptions {
  /** Probability of zeroing an element, in [0, 1) (PyTorch's `p`). */
  rate: number;
}

/**
 * Dropout layer (inverted: kept elements are scaled by 1/(1 − rate)). Training mode needs
 * `ctx.key` (a different key per step gives fresh masks); eval mode is the identity.
 * @example
 * const d = dropout({ rate: 0.5 });
 * d.forward({}, null, ones([2, 4]), { train: true, key: 7 }).y;  // entries 0 or 2
 */
export function dropout(opts: DropoutOptions): Layer<EmptyParams, null> {
  checkOptions(opts, ['rate'], 'dropout()');
  const rate = opts?.rate;
  if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) {
    throw new InvalidArgumentError(`dropout(): option rate must be a number in [0, 1), got ${String(rate)}`);
  }
  const name = `dropout(${rate})`;
  const scale = 1 / (1 - rate);
  return defineLayer<EmptyParams, null>({
    name,
    init: (_key, inputShape) => ({ params: {}, state: null, outputShape: [...inputShape] }),
    forward(_params, state, x, ctx) {
      if (!ctx.train || rate === 0) return { y: x, state };
      if (ctx.key === undefined) {
        throw new InvalidArgumentError(`${name}: training mode needs ctx.key to draw the dropout mask (pass { train: true, key }; use a new key each step)`);
      }
      const g = rng(ctx.key);
      const m = new Float64Array(x.size);
      // drop when a uniform 32-bit draw falls below rate·2³² (one draw per element)
      const threshold = rate * 4294967296;
      for (let i = 0; i < m.length; i++) m[i] = g.nextUint32() < threshold ? 0 : scale;
      return { y: mul(x, new ConcreteTensor(m, [...x.shape])), state };
    },
  });
}
