/**
 * @file Comparisons, `where` and `stopGradient`. Comparisons return 0/1 tensors and have zero
 * derivative; `where` routes derivatives to the chosen branch.
 */
import { mapBinary, mapTernary } from '../kernels/elementwise.js';
import { InvalidArgumentError } from '../core/errors.js';
import { checkOptions } from '../core/options.js';
import { describeValue, type Tensor } from '../core/tensor.js';
import { Prim, type CompareOp, type NoParams } from '../autodiff/primitives.js';
import { bind, type PrimDef } from '../autodiff/trace.js';
import { asTensor, fitTangent, sumToShape, type TensorLike } from './convert.js';

const NONE: NoParams = {};

const COMPARATORS: Record<CompareOp, (x: number, y: number) => number> = {
  eq: (x, y) => (x === y ? 1 : 0),
  ne: (x, y) => (x !== y ? 1 : 0),
  lt: (x, y) => (x < y ? 1 : 0),
  le: (x, y) => (x <= y ? 1 : 0),
  gt: (x, y) => (x > y ? 1 : 0),
  ge: (x, y) => (x >= y ? 1 : 0),
};

export const compareDef: PrimDef<Prim.Compare> = {
  prim: Prim.Compare,
  impl: ([a, b], { op }) => mapBinary(a!, b!, COMPARATORS[op], op),
  jvp: () => null,
  vjp: () => [null, null],
};

export const whereDef: PrimDef<Prim.Where> = {
  prim: Prim.Where,
  impl: ([c, a, b]) => mapTernary(c!, a!, b!, (m, x, y) => (m !== 0 ? x : y), 'where'),
  // d where(c, a, b) = where(c, da, db)
  jvp: ([c], [, da, db], out) => {
    if (!da && !db) return null;
    return fitTangent(where(c!, da ?? 0, db ?? 0), out.shape);
  },
  vjp: (ct, [c, a, b]) => [null, sumToShape(where(c!, ct, 0), a!.shape), sumToShape(where(c!, 0, ct), b!.shape)],
};

export const stopGradientDef: PrimDef<Prim.StopGradient> = {
  prim: Prim.StopGradient,
  impl: ([a]) => a!,
  jvp: () => null,
  vjp: () => [null],
};

/** Options of `compare`. */
export interface CompareOptions {
  /** The comparison (required): `'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge'`. */
  op: CompareOp;
}

/**
 * Elementwise comparison `a op b` as a 0/1 tensor (zero derivative); `equal`, `less`, ... are
 * the same with the comparison fixed.
 *
 * @example
 * compare(tensor([1, 2, 3]), 2, { op: 'lt' }) // [1, 0, 0]
 */
export function compare(a: TensorLike, b: TensorLike, opts: CompareOptions): Tensor {
  checkOptions(opts, ['op'], 'compare()');
  const op = opts?.op;
  if (!Object.hasOwn(COMPARATORS, op as string)) {
    throw new InvalidArgumentError(`compare(): option op must be one of ${Object.keys(COMPARATORS).join(', ')}, got ${describeValue(op)}`);
  }
  return bind(compareDef, [asTensor(a, 'compare()', 'a'), asTensor(b, 'compare()', 'b')], { op });
}
export const equal = (a: TensorLike, b: TensorLike): Tensor => compare(a, b, { op: 'eq' });
export const notEqual = (a: TensorLike, b: TensorLike): Tensor => compare(a, b, { op: 'ne' });
export const less = (a: TensorLike, b: TensorLike): Tensor => compare(a, b, { op: 'lt' });
export const lessEqual = (a: TensorLike, b: TensorLike): Tensor => compare(a, b, { op: 'le' });
export const greater = (a: TensorLike, b: TensorLike): Tensor => compare(a, b, { op: 'gt' });
export const greaterEqual = (a: TensorLike, b: TensorLike): Tensor => compare(a, b, { op: 'ge' });

/** Elementwise `cond ≠ 0 ? a : b` with broadcasting; derivatives flow to the selected branch. */
export function where(cond: TensorLike, a: TensorLike, b: TensorLike): Tensor {
  return bind(whereDef, [asTensor(cond, 'where()', 'cond'), asTensor(a, 'where()', 'a'), asTensor(b, 'where()', 'b')], NONE);
}

/** Identity whose derivative is zero in every mode. */
export function stopGradient(x: TensorLike): Tensor {
  x = asTensor(x, 'stopGradient()', 'x');
  return bind(stopGradientDef, [x], NONE);
}

/** Elementwise logical not of a 0/1 mask (no derivative). */
export function logicalNot(m: TensorLike): Tensor {
  m = asTensor(m, 'logicalNot()', 'm');
  return compare(m, 0, { op: 'eq' });
}

