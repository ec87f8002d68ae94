/**
 * @file Embedding lookup: integer indices (a tensor of integral floats) → rows of a learned
 * table. y[b, …] = table[x[b, …]]; the derivative in the table scatters the output cotangent
 * back to the looked-up rows (the `take` op's rule); indices are not differentiable.
 */
import { InvalidArgumentError, ShapeError } from '../../core/errors.js';
import { checkCount, checkOptions } from '../../core/options.js';
import { concreteData, formatShape, type Tensor } from '../../core/tensor.js';
import { take } from '../../ops/indexing.js';
import { reshape } from '../../ops/shape.js';
import { defineLayer, type Layer } from '../layer.js';
import { normal, type Initializer } from '../init.js';

/** Parameters of `embedding`: the table [vocab, dim]. */
export interface EmbeddingParams {
  table: Tensor;
}

/** Options of `embedding`. */
export interface EmbeddingOptions {
  /** Table initialiser (default N(0, 1), PyTorch's). */
  init?: Initializer;
}

/**
 * Embedding layer: input [batch, …] of indices in [0, vocab) (integral numbers) → [batch, …, dim].
 * An index out of range or not an integer throws an error naming the layer; traced indices are
 * refused (`ConcretizationError`).
 * @example
 * const emb = embedding(10, 4);
 * const { params } = emb.init(0, [3]);
 * emb.apply(params, tensor([[1, 5, 9]])).shape;  // [1, 3, 4]
 */
export function embedding(vocab: number, dim: number, opts: EmbeddingOptions = {}): Layer<EmbeddingParams, null> {
  checkCount(vocab, 'embedding()', 'vocab', 1);
  checkCount(dim, 'embedding()', 'dim', 1);
  checkOptions(opts, ['init'], 'embedding()');
  const init = opts.init ?? normal({ std: 1 });
  if (typeof init !== 'function') throw new InvalidArgumentError('embedding(): option init must be an initialiser function (key, shape, fans) → Tensor');
  const name = `embedding(${vocab}, ${dim})`;
  return defineLayer<EmbeddingParams, null>({
    name,
    init: (key, inputShape) => ({ params: { table: init(key, [vocab, dim], { fanIn: vocab, fanOut: dim }) }, state: null, outputShape: [...inputShape, dim] }),
    forward(params, state, x) {
      const table = params?.table;
      if (!table || table.ndim !== 2 || table.shape[0] !== vocab || table.shape[1] !== dim) {
        throw new ShapeError(`${name}: params.table must be [${vocab}, ${dim}], got ${table ? formatShape(table.shape) : String(table)}`);
      }
      const d = concreteData(x, `${name} (indices)`);
      const idx = new Int32Array(d.length);
      for (let i = 0; i < d.length; i++) {
        const v = d[i]!;
        if (!Number.isInteger(v) || v < 0 || v >= vocab) {
          throw new InvalidArgumentError(`${name}: index ${v} at flat position ${i} of input ${formatShape(x.shape)} is not an integer in [0, ${vocab - 1}]`);
        }
        idx[i] = v;
      }
      return { y: reshape(take(table, idx, { axis: 0 }), [...x.shape, dim]), state };
    },
  });
}
