/**
 * @file The differentiable op namespace.
 */
export * from './arithmetic.js';
export * from './unary.js';
export * from './nonsmooth.js';
export { erf, leakyRelu, elu, gelu, type LeakyReluOptions, type EluOptions, type GeluOptions } from './activations.js';
export { clip, softThreshold, hinge, type ClipOptions } from './piecewise.js';
export { max, min, argmax, argmin, norm, type ExtremumOptions, type ArgExtremumOptions, type NormOptions } from './extrema.js';
export { avgPool2d, type AvgPool2dOptions } from './pooling.js';
export { conv2d, conv2dTranspose, type Conv2dOptions, type Conv2dTransposeOptions, type Pair2d } from './conv.js';
export { maxPool1d, maxPool2d, weightedGather, type MaxPool1dOptions, type MaxPool2dOptions } from './pooling.js';
export { compare, equal, notEqual, less, lessEqual, greater, greaterEqual, where, stopGradient, logicalNot } from './logic.js';
export { sum, mean, reducedShape, reductionIndexMap, sumDef, type AxisOptions } from './reduce.js';
export { reshape, broadcastTo, transpose, matrixTranspose, zerosLike, onesLike } from './shape.js';
export * from './matmul.js';
export * from './slicing.js';
export { take, scatterAdd, index, takeAlongAxis, type IndexArray } from './indexing.js';
export { cumsum, type CumsumOptions } from './cumulative.js';
export { logsumexp, softmax, logSoftmax, variance, std, type SoftmaxOptions, type MomentOptions } from './normalize.js';
export { crossEntropy, binaryCrossEntropyWithLogits, mse, multiclassHinge, hingeLoss, type Reduction, type LossOptions, type CrossEntropyOptions, type MulticlassHingeOptions } from './losses.js';
export { outer, diag, trace, fullLike } from './structural.js';
export { asTensor, type TensorLike } from './convert.js';
export { PRIMITIVES } from './registry.js';
