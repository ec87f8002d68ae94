/**
 * @file The differentiable op namespace.
 */
export * from './arithmetic.js';
export * from './unary.js';
export * from './nonsmooth.js';
export { compare, equal, notEqual, less, lessEqual, greater, greaterEqual, where, stopGradient, logicalNot } from './logic.js';
export * from './reduce.js';
export { reshape, broadcastTo, transpose, matrixTranspose, zerosLike, onesLike } from './shape.js';
export * from './matmul.js';
export * from './slicing.js';
export { asTensor, type TensorLike } from './convert.js';
export { PRIMITIVES } from './registry.js';
