/**
 * @file The primitive set. Every primitive appears here once, with its parameter type; the rule
 * table in `ops/registry.ts` is a mapped type over this enum, so a primitive without an
 * implementation, a JVP rule and a VJP rule does not compile.
 */
import type { ResolvedKinkPolicy } from './kinks.js';

export enum Prim {
  // arithmetic (broadcasting)
  Add = 'add',
  Sub = 'sub',
  Mul = 'mul',
  Div = 'div',
  Neg = 'neg',
  Pow = 'pow',
  // smooth unary
  Exp = 'exp',
  Log = 'log',
  Sqrt = 'sqrt',
  Tanh = 'tanh',
  Sigmoid = 'sigmoid',
  Softplus = 'softplus',
  Sin = 'sin',
  Cos = 'cos',
  // nonsmooth
  Abs = 'abs',
  Sign = 'sign',
  Relu = 'relu',
  Maximum = 'maximum',
  Minimum = 'minimum',
  // logic (zero derivative)
  Compare = 'compare',
  Where = 'where',
  StopGradient = 'stopGradient',
  // reductions and shapes
  Sum = 'sum',
  Reshape = 'reshape',
  BroadcastTo = 'broadcastTo',
  Transpose = 'transpose',
  MatMul = 'matmul',
  Slice = 'slice',
  Pad = 'pad',
  Concat = 'concat',
}

/** Primitives without parameters. */
export type NoParams = Record<string, never>;
/** Nonsmooth primitives carry the kink selection in force when they were evaluated. */
export interface KinkParams {
  readonly kink: ResolvedKinkPolicy;
}
export type CompareOp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';

export interface PrimParams {
  [Prim.Add]: NoParams;
  [Prim.Sub]: NoParams;
  [Prim.Mul]: NoParams;
  [Prim.Div]: NoParams;
  [Prim.Neg]: NoParams;
  [Prim.Pow]: NoParams;
  [Prim.Exp]: NoParams;
  [Prim.Log]: NoParams;
  [Prim.Sqrt]: NoParams;
  [Prim.Tanh]: NoParams;
  [Prim.Sigmoid]: NoParams;
  [Prim.Softplus]: NoParams;
  [Prim.Sin]: NoParams;
  [Prim.Cos]: NoParams;
  [Prim.Abs]: KinkParams;
  [Prim.Sign]: NoParams;
  [Prim.Relu]: KinkParams;
  [Prim.Maximum]: KinkParams;
  [Prim.Minimum]: KinkParams;
  [Prim.Compare]: { readonly op: CompareOp };
  [Prim.Where]: NoParams;
  [Prim.StopGradient]: NoParams;
  [Prim.Sum]: { readonly axes: readonly number[]; readonly keepdims: boolean };
  [Prim.Reshape]: { readonly shape: readonly number[] };
  [Prim.BroadcastTo]: { readonly shape: readonly number[] };
  [Prim.Transpose]: { readonly perm: readonly number[] };
  [Prim.MatMul]: NoParams;
  [Prim.Slice]: { readonly begin: readonly number[]; readonly size: readonly number[] };
  [Prim.Pad]: { readonly begin: readonly number[]; readonly shape: readonly number[] };
  [Prim.Concat]: { readonly axis: number };
}
