/**
 * @file Smooth unary functions: exp, log, sqrt, tanh, sigmoid, softplus.
 */
import { mapUnary } from '../kernels/elementwise.js';
import type { Tensor } from '../core/tensor.js';
import { Prim, type NoParams } from '../autodiff/primitives.js';
import { bind, type PrimDef } from '../autodiff/trace.js';
import { asTensor, type TensorLike } from './convert.js';
import { div, mul, neg, sub } from './arithmetic.js';

const NONE: NoParams = {};

/** Numerically stable log(1 + e^x). */
export function softplusScalar(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}
/** Numerically stable 1 / (1 + e^−x). */
export function sigmoidScalar(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

export const expDef: PrimDef<Prim.Exp> = {
  prim: Prim.Exp,
  impl: ([a]) => mapUnary(a!, Math.exp),
  jvp: (_, [da], out) => (da ? mul(da, out) : null), // d e^x = e^x dx
  vjp: (ct, _, out) => [mul(ct, out)],
};

export const logDef: PrimDef<Prim.Log> = {
  prim: Prim.Log,
  impl: ([a]) => mapUnary(a!, Math.log),
  jvp: ([a], [da]) => (da ? div(da, a!) : null), // d log x = dx / x
  vjp: (ct, [a]) => [div(ct, a!)],
};

export const sqrtDef: PrimDef<Prim.Sqrt> = {
  prim: Prim.Sqrt,
  impl: ([a]) => mapUnary(a!, Math.sqrt),
  jvp: (_, [da], out) => (da ? div(da, mul(out, 2)) : null), // d √x = dx / (2√x)  (+∞ at 0)
  vjp: (ct, _, out) => [div(ct, mul(out, 2))],
};

export const tanhDef: PrimDef<Prim.Tanh> = {
  prim: Prim.Tanh,
  impl: ([a]) => mapUnary(a!, Math.tanh),
  jvp: (_, [da], out) => (da ? mul(da, sub(1, mul(out, out))) : null), // d tanh = (1 − tanh²) dx
  vjp: (ct, _, out) => [mul(ct, sub(1, mul(out, out)))],
};

export const sigmoidDef: PrimDef<Prim.Sigmoid> = {
  prim: Prim.Sigmoid,
  impl: ([a]) => mapUnary(a!, sigmoidScalar),
  jvp: (_, [da], out) => (da ? mul(da, mul(out, sub(1, out))) : null), // dσ = σ(1 − σ) dx
  vjp: (ct, _, out) => [mul(ct, mul(out, sub(1, out)))],
};

export const softplusDef: PrimDef<Prim.Softplus> = {
  prim: Prim.Softplus,
  impl: ([a]) => mapUnary(a!, softplusScalar),
  jvp: ([a], [da]) => (da ? mul(da, sigmoid(a!)) : null), // d log(1 + eˣ) = σ(x) dx
  vjp: (ct, [a]) => [mul(ct, sigmoid(a!))],
};

export const sinDef: PrimDef<Prim.Sin> = {
  prim: Prim.Sin,
  impl: ([a]) => mapUnary(a!, Math.sin),
  jvp: ([a], [da]) => (da ? mul(da, cos(a!)) : null), // d sin = cos dx
  vjp: (ct, [a]) => [mul(ct, cos(a!))],
};

export const cosDef: PrimDef<Prim.Cos> = {
  prim: Prim.Cos,
  impl: ([a]) => mapUnary(a!, Math.cos),
  jvp: ([a], [da]) => (da ? mul(da, neg(sin(a!))) : null), // d cos = −sin dx
  vjp: (ct, [a]) => [mul(ct, neg(sin(a!)))],
};

/** Elementwise sine. */
export function sin(x: TensorLike): Tensor {
  return bind(sinDef, [asTensor(x, 'sin()', 'x')], NONE);
}
/** Elementwise cosine. */
export function cos(x: TensorLike): Tensor {
  return bind(cosDef, [asTensor(x, 'cos()', 'x')], NONE);
}
/** Elementwise eˣ. */
export function exp(x: TensorLike): Tensor {
  return bind(expDef, [asTensor(x, 'exp()', 'x')], NONE);
}
/** Elementwise natural logarithm. */
export function log(x: TensorLike): Tensor {
  return bind(logDef, [asTensor(x, 'log()', 'x')], NONE);
}
/** Elementwise square root (derivative +∞ at 0). */
export function sqrt(x: TensorLike): Tensor {
  return bind(sqrtDef, [asTensor(x, 'sqrt()', 'x')], NONE);
}
/** Elementwise hyperbolic tangent. */
export function tanh(x: TensorLike): Tensor {
  return bind(tanhDef, [asTensor(x, 'tanh()', 'x')], NONE);
}
/** Elementwise logistic sigmoid 1/(1 + e^−x), computed stably. */
export function sigmoid(x: TensorLike): Tensor {
  return bind(sigmoidDef, [asTensor(x, 'sigmoid()', 'x')], NONE);
}
/** Elementwise softplus log(1 + eˣ), computed stably. */
export function softplus(x: TensorLike): Tensor {
  return bind(softplusDef, [asTensor(x, 'softplus()', 'x')], NONE);
}
