/**
 * @file Broadcasting arithmetic: add, sub, mul, div, neg, pow — with their JVP and VJP rules.
 */
import { arith, mapBinary, mapUnary } from '../kernels/elementwise.js';
import type { Tensor } from '../core/tensor.js';
import { Prim, type NoParams } from '../autodiff/primitives.js';
import { bind, type PrimDef } from '../autodiff/trace.js';
import { asTensor, fitTangent, sumToShape, type TensorLike } from './convert.js';
import { log } from './unary.js';
import { compare, where } from './logic.js';

const NONE: NoParams = {};

export const addDef: PrimDef<Prim.Add> = {
  prim: Prim.Add,
  impl: ([a, b]) => arith(a!, b!, 'add'),
  // d(a + b) = da + db
  jvp: (_, [da, db], out) => (da && db ? add(da, db) : da ? fitTangent(da, out.shape) : db ? fitTangent(db, out.shape) : null),
  vjp: (ct, [a, b]) => [sumToShape(ct, a!.shape), sumToShape(ct, b!.shape)],
};

export const subDef: PrimDef<Prim.Sub> = {
  prim: Prim.Sub,
  impl: ([a, b]) => arith(a!, b!, 'sub'),
  // d(a − b) = da − db
  jvp: (_, [da, db], out) => (da && db ? sub(da, db) : da ? fitTangent(da, out.shape) : db ? fitTangent(neg(db), out.shape) : null),
  vjp: (ct, [a, b]) => [sumToShape(ct, a!.shape), sumToShape(neg(ct), b!.shape)],
};

export const mulDef: PrimDef<Prim.Mul> = {
  prim: Prim.Mul,
  impl: ([a, b]) => arith(a!, b!, 'mul'),
  // d(a b) = da b + a db
  jvp: ([a, b], [da, db], out) => {
    const t1 = da ? mul(da, b!) : null;
    const t2 = db ? mul(a!, db) : null;
    const t = t1 && t2 ? add(t1, t2) : (t1 ?? t2);
    return t ? fitTangent(t, out.shape) : null;
  },
  vjp: (ct, [a, b]) => [sumToShape(mul(ct, b!), a!.shape), sumToShape(mul(ct, a!), b!.shape)],
};

export const divDef: PrimDef<Prim.Div> = {
  prim: Prim.Div,
  impl: ([a, b]) => arith(a!, b!, 'div'),
  // d(a / b) = da / b − (a / b) db / b
  jvp: ([, b], [da, db], out) => {
    const t1 = da ? div(da, b!) : null;
    const t2 = db ? neg(mul(div(out, b!), db)) : null;
    const t = t1 && t2 ? add(t1, t2) : (t1 ?? t2);
    return t ? fitTangent(t, out.shape) : null;
  },
  vjp: (ct, [a, b], out) => [sumToShape(div(ct, b!), a!.shape), sumToShape(neg(mul(ct, div(out, b!))), b!.shape)],
};

export const negDef: PrimDef<Prim.Neg> = {
  prim: Prim.Neg,
  impl: ([a]) => mapUnary(a!, (x) => -x),
  jvp: (_, [da]) => (da ? neg(da) : null),
  vjp: (ct) => [neg(ct)],
};

export const powDef: PrimDef<Prim.Pow> = {
  prim: Prim.Pow,
  impl: ([a, b]) => mapBinary(a!, b!, (x, y) => Math.pow(x, y), 'pow'),
  // d(a^b) = b a^(b−1) da + log(a) a^b db, with the db term set to 0 where a ≤ 0 (log undefined)
  jvp: ([a, b], [da, db], out) => {
    const t1 = da ? mul(da, powDaFactor(a!, b!)) : null;
    const t2 = db ? mul(db, powDbFactor(a!, out)) : null;
    const t = t1 && t2 ? add(t1, t2) : (t1 ?? t2);
    return t ? fitTangent(t, out.shape) : null;
  },
  vjp: (ct, [a, b], out) => [sumToShape(mul(ct, powDaFactor(a!, b!)), a!.shape), sumToShape(mul(ct, powDbFactor(a!, out)), b!.shape)],
};

/** ∂(a^b)/∂a = b·a^(b−1) (0 where b = 0, so that a^0 ≡ 1 has zero derivative even at a = 0). */
function powDaFactor(a: Tensor, b: Tensor): Tensor {
  return where(compare(b, 0, { op: 'eq' }), 0, mul(b, pow(a, sub(b, 1))));
}
/** ∂(a^b)/∂b = log(a)·a^b where a > 0, else 0. */
function powDbFactor(a: Tensor, out: Tensor): Tensor {
  const pos = compare(a, 0, { op: 'gt' });
  return where(pos, mul(out, log(where(pos, a, 1))), 0);
}

/** Elementwise a + b (broadcasting). @example add(tensor([1, 2]), 1) // [2, 3] */
export function add(a: TensorLike, b: TensorLike): Tensor {
  return bind(addDef, [asTensor(a, 'add()', 'a'), asTensor(b, 'add()', 'b')], NONE);
}
/** Elementwise a − b (broadcasting). */
export function sub(a: TensorLike, b: TensorLike): Tensor {
  return bind(subDef, [asTensor(a, 'sub()', 'a'), asTensor(b, 'sub()', 'b')], NONE);
}
/** Elementwise a · b (broadcasting). */
export function mul(a: TensorLike, b: TensorLike): Tensor {
  return bind(mulDef, [asTensor(a, 'mul()', 'a'), asTensor(b, 'mul()', 'b')], NONE);
}
/** Elementwise a / b (broadcasting). */
export function div(a: TensorLike, b: TensorLike): Tensor {
  return bind(divDef, [asTensor(a, 'div()', 'a'), asTensor(b, 'div()', 'b')], NONE);
}
/** Elementwise −a. */
export function neg(a: TensorLike): Tensor {
  return bind(negDef, [asTensor(a, 'neg()', 'a')], NONE);
}
/** Elementwise a^b (broadcasting). The derivative in b is taken as 0 where a ≤ 0. */
export function pow(a: TensorLike, b: TensorLike): Tensor {
  return bind(powDef, [asTensor(a, 'pow()', 'a'), asTensor(b, 'pow()', 'b')], NONE);
}
/** a² (as a · a). */
export function square(a: Tensor): Tensor {
  return mul(a, a);
}
