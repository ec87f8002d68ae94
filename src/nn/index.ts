/**
 * @file The `nn` namespace: layer constructors (convolution and pooling here; the nn-layers branch
 * adds the protocol, initialisers, dense layers and activations). One export line per file.
 */
export { conv2d, maxPool2d, avgPool2d, type Conv2dParams, type Conv2dLayerOptions, type Pool2dLayerOptions, type ConvInitializer } from './layers/conv.js';
