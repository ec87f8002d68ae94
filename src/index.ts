/**
 * @file nsdiff public API: float64 tensors, composable conservative autodiff, linear algebra,
 * implicit differentiation and Lasso-type hyperparameter optimisation.
 */
export * from './core/errors.js';
export { Tensor, tensor, scalar, zeros, ones, full, eye, arange, linspace, shapeSize, type NestedArray } from './core/tensor.js';
export { rng, Rng } from './core/rng.js';
export * from './ops/index.js';
export { vjp, jvp, grad, valueAndGrad, jacobian, hessian, hvp, customJvp, customVjp, type Argnums, type JacobianOptions } from './autodiff/transforms.js';
export { withKinkPolicy, trackKinks, type KinkPolicy, type KinkReport } from './autodiff/kinks.js';
export { Prim } from './autodiff/primitives.js';
export { flatten, treeMap, type Tree } from './autodiff/tree.js';
