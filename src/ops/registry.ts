/**
 * @file The rule table: one entry per primitive of `Prim`, each with its kernel, JVP rule and VJP
 * rule. The mapped type makes a primitive without all three a compile error. Tests iterate over
 * this table to check every primitive's derivatives.
 */
import { Prim } from '../autodiff/primitives.js';
import type { PrimDef } from '../autodiff/trace.js';
import { addDef, divDef, mulDef, negDef, powDef, subDef } from './arithmetic.js';
import { cosDef, expDef, logDef, sigmoidDef, sinDef, softplusDef, sqrtDef, tanhDef } from './unary.js';
import { absDef, maximumDef, minimumDef, reluDef, signDef } from './nonsmooth.js';
import { clipDef, hingeDef, softThresholdDef } from './piecewise.js';
import { argmaxDef, argminDef, maxDef, minDef, norm2Def } from './extrema.js';
import { maxPool1dDef, maxPool2dDef, weightedGatherDef } from './pooling.js';
import { conv2dDef, conv2dTransposeDef, conv2dWeightGradDef } from './conv.js';
import { compareDef, stopGradientDef, whereDef } from './logic.js';
import { sumDef } from './reduce.js';
import { broadcastToDef, reshapeDef, transposeDef } from './shape.js';
import { matmulBiasDef, matmulDef } from './matmul.js';
import { softmaxCrossEntropyDef } from './losses.js';
import { concatDef, padDef, sliceDef } from './slicing.js';
import { scatterAddDef, takeDef } from './indexing.js';
import { cumsumDef } from './cumulative.js';
import { erfDef } from './activations.js';
import { choleskyDef, solveDef, triangularSolveDef } from './linalg.js';

export const PRIMITIVES: { readonly [P in Prim]: PrimDef<P> } = {
  [Prim.Add]: addDef,
  [Prim.Sub]: subDef,
  [Prim.Mul]: mulDef,
  [Prim.Div]: divDef,
  [Prim.Neg]: negDef,
  [Prim.Pow]: powDef,
  [Prim.Exp]: expDef,
  [Prim.Log]: logDef,
  [Prim.Sqrt]: sqrtDef,
  [Prim.Tanh]: tanhDef,
  [Prim.Sigmoid]: sigmoidDef,
  [Prim.Softplus]: softplusDef,
  [Prim.Sin]: sinDef,
  [Prim.Cos]: cosDef,
  [Prim.Erf]: erfDef,
  [Prim.Abs]: absDef,
  [Prim.Sign]: signDef,
  [Prim.Relu]: reluDef,
  [Prim.Maximum]: maximumDef,
  [Prim.Minimum]: minimumDef,
  [Prim.Clip]: clipDef,
  [Prim.SoftThreshold]: softThresholdDef,
  [Prim.Hinge]: hingeDef,
  [Prim.Max]: maxDef,
  [Prim.Min]: minDef,
  [Prim.Argmax]: argmaxDef,
  [Prim.Argmin]: argminDef,
  [Prim.Norm2]: norm2Def,
  [Prim.MaxPool1d]: maxPool1dDef,
  [Prim.MaxPool2d]: maxPool2dDef,
  [Prim.WeightedGather]: weightedGatherDef,
  [Prim.Conv2d]: conv2dDef,
  [Prim.Conv2dTranspose]: conv2dTransposeDef,
  [Prim.Conv2dWeightGrad]: conv2dWeightGradDef,
  [Prim.Compare]: compareDef,
  [Prim.Where]: whereDef,
  [Prim.StopGradient]: stopGradientDef,
  [Prim.Sum]: sumDef,
  [Prim.Reshape]: reshapeDef,
  [Prim.BroadcastTo]: broadcastToDef,
  [Prim.Transpose]: transposeDef,
  [Prim.MatMul]: matmulDef,
  [Prim.MatMulBias]: matmulBiasDef,
  [Prim.SoftmaxCrossEntropy]: softmaxCrossEntropyDef,
  [Prim.Slice]: sliceDef,
  [Prim.Pad]: padDef,
  [Prim.Concat]: concatDef,
  [Prim.Take]: takeDef,
  [Prim.ScatterAdd]: scatterAddDef,
  [Prim.Cumsum]: cumsumDef,
  [Prim.Solve]: solveDef,
  [Prim.TriangularSolve]: triangularSolveDef,
  [Prim.Cholesky]: choleskyDef,
};
