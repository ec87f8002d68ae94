/**
 * @file The `nn` namespace (`import { nn } from 'nsdiff'`): the layer protocol, initialisers and
 * layer constructors (`nn.linear(64)`, `nn.relu()`, `nn.dropout({ rate })`, …). Layer constructors
 * live here because their names would clash with ops (`relu`) at the package root.
 * One export line per file, grouped by file.
 */
export { defineLayer, sequential, foldKey, type EmptyParams, type Layer, type LayerInit, type LayerSpec, type LayerState, type Params, type ForwardContext, type ApplyOptions } from './layer.js';
export { heUniform, heNormal, glorotUniform, glorotNormal, torchDefault, normal, zeros, ones, type Initializer, type Fans } from './init.js';
export { linear, flatten, type LinearParams, type LinearOptions } from './layers/dense.js';
export { relu, leakyRelu, abs, hardtanh, clip, elu, gelu, tanh, sigmoid, softplus, softThreshold } from './layers/activations.js';
export { dropout, type DropoutOptions } from './layers/dropout.js';
export { layerNorm, batchNorm, type NormParams, type BatchNormState, type LayerNormOptions, type BatchNormOptions } from './layers/norm.js';
export { embedding, type EmbeddingParams, type EmbeddingOptions } from './layers/embedding.js';
export { conv2d, maxPool2d, avgPool2d, type Conv2dParams, type Conv2dLayerOptions, type Pool2dLayerOptions } from './layers/conv.js';
export { mlp, paramCount, perExampleGrads, modelSpec, buildModel, registerModel, modelNames, type MlpOptions, type ModelSpec, type ModelBuilder } from './models.js';
export { deq, type DeqLayer, type DeqOptions, type DeqReport } from './deq/deq.js';
export { fcDeq, type FcDeqParams, type FcDeqOptions } from './deq/fc.js';
export { mondeq, type MonDeqParams, type MonDeqOptions } from './deq/mondeq.js';
export { mondeqConv, type MonDeqConvParams, type MonDeqConvOptions } from './deq/mondeq_conv.js';
export { evaluate, predict, countCorrect, softmaxCrossEntropy, type LabelledData, type LossFn, type MetricName, type Evaluation, type EvaluateOptions, type PredictOptions } from './train/metrics.js';
// fit (with its file checkpoints), saved models and the dataset loaders need Node's file system:
// they are exported from `nsdiff/node` (src/node.ts)
