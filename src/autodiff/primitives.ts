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
  /** erf (ops/activations.ts) */
  Erf = 'erf',
  // nonsmooth
  Abs = 'abs',
  Sign = 'sign',
  Relu = 'relu',
  Maximum = 'maximum',
  Minimum = 'minimum',
  Clip = 'clip',
  SoftThreshold = 'softThreshold',
  Hinge = 'hinge',
  // nonsmooth reductions and pooling (ops/extrema.ts, ops/pooling.ts)
  Max = 'max',
  Min = 'min',
  Argmax = 'argmax',
  Argmin = 'argmin',
  Norm2 = 'norm2',
  MaxPool1d = 'maxPool1d',
  MaxPool2d = 'maxPool2d',
  /** y = A·vec(x) with a constant sparse A (COO); closed under transposition (pooling derivatives). */
  WeightedGather = 'weightedGather',
  // convolution (ops/conv.ts): the convolution, its input adjoint and its weight adjoint (closed under VJP)
  Conv2d = 'conv2d',
  Conv2dTranspose = 'conv2dTranspose',
  Conv2dWeightGrad = 'conv2dWeightGrad',
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
  /** x·W + b for 2-d x, W and a bias row b (the dense layer; ops/matmul.ts): the bias added in gemm's write-back. */
  MatMulBias = 'matmulBias',
  Slice = 'slice',
  Pad = 'pad',
  Concat = 'concat',
  /** Softmax cross-entropy per row of [.., C] logits along the last axis (ops/losses.ts): fused row kernels. */
  SoftmaxCrossEntropy = 'softmaxCrossEntropy',
  // indexing and scans (ops/indexing.ts, ops/cumulative.ts)
  Take = 'take',
  ScatterAdd = 'scatterAdd',
  Cumsum = 'cumsum',
  // linear algebra (ops/linalg.ts)
  Solve = 'solve',
  TriangularSolve = 'triangularSolve',
  Cholesky = 'cholesky',
}

/** Primitives without parameters. */
export type NoParams = Record<string, never>;
/** Nonsmooth primitives carry the kink selection in force when they were evaluated. */
export interface KinkParams {
  readonly kink: ResolvedKinkPolicy;
}
export type CompareOp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';
/** max/min reductions over `axes` (sorted, distinct). */
export interface ExtremumParams extends KinkParams {
  readonly axes: readonly number[];
  readonly keepdims: boolean;
}
/** argmax/argmin over one axis, or over all elements (flat index) when `axis` is null. */
export interface ArgExtremumParams {
  readonly axis: number | null;
  readonly keepdims: boolean;
}
/** Max pooling over the last `kernel.length` axes (1 or 2), with −∞ padding. */
export interface PoolParams extends KinkParams {
  readonly kernel: readonly number[];
  readonly stride: readonly number[];
  readonly padding: readonly number[];
}
/**
 * A constant sparse matrix A (COO, entries need not be sorted; duplicates add) mapping the
 * flattened input of shape `inShape` to the flattened output of shape `outShape`.
 */
export interface WeightedGatherParams {
  readonly rows: Int32Array;
  readonly cols: Int32Array;
  readonly weights: Float64Array;
  readonly inShape: readonly number[];
  readonly outShape: readonly number[];
}

/**
 * Geometry of a 2-d convolution y = conv2d(x, w), x [N, C, H, W], w [F, C, kh, kw],
 * y [N, F, Ho, Wo], shared by its three primitives: `Conv2d` (x, w) → y, `Conv2dTranspose`
 * (ȳ, w) → x̄ and `Conv2dWeightGrad` (x, ȳ) → w̄. `inSize` is [H, W], `kernel` is [kh, kw].
 */
export interface ConvParams {
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
  readonly dilation: readonly [number, number];
  readonly inSize: readonly [number, number];
  readonly kernel: readonly [number, number];
}

/**
 * op(T)·X = B with T n×n triangular (only the `lower` or upper triangle is read; its diagonal is
 * taken as 1 when `unitDiagonal`), op(T) = Tᵀ when `transpose`, B n×k.
 */
export interface TriangularSolveParams {
  readonly lower: boolean;
  readonly transpose: boolean;
  readonly unitDiagonal: boolean;
}

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
  [Prim.Erf]: NoParams;
  [Prim.Abs]: KinkParams;
  [Prim.Sign]: NoParams;
  [Prim.Relu]: KinkParams;
  [Prim.Maximum]: KinkParams;
  [Prim.Minimum]: KinkParams;
  [Prim.Clip]: KinkParams;
  [Prim.SoftThreshold]: KinkParams;
  [Prim.Hinge]: KinkParams;
  [Prim.Max]: ExtremumParams;
  [Prim.Min]: ExtremumParams;
  [Prim.Argmax]: ArgExtremumParams;
  [Prim.Argmin]: ArgExtremumParams;
  [Prim.Norm2]: { readonly axes: readonly number[]; readonly keepdims: boolean };
  [Prim.MaxPool1d]: PoolParams;
  [Prim.MaxPool2d]: PoolParams;
  [Prim.WeightedGather]: WeightedGatherParams;
  [Prim.Conv2d]: ConvParams;
  [Prim.Conv2dTranspose]: ConvParams;
  [Prim.Conv2dWeightGrad]: ConvParams;
  [Prim.Compare]: { readonly op: CompareOp };
  [Prim.Where]: NoParams;
  [Prim.StopGradient]: NoParams;
  [Prim.Sum]: { readonly axes: readonly number[]; readonly keepdims: boolean };
  [Prim.Reshape]: { readonly shape: readonly number[] };
  [Prim.BroadcastTo]: { readonly shape: readonly number[] };
  [Prim.Transpose]: { readonly perm: readonly number[] };
  /** C = op(A)·op(B), op = transpose of the last two axes when the flag is set (no copy). */
  [Prim.MatMul]: { readonly transA: boolean; readonly transB: boolean };
  [Prim.MatMulBias]: NoParams;
  /**
   * Inputs [logits] with `labels` (validated class indices in [0, C), one per row), or [logits,
   * probabilities] with `labels` null; `smoothing` ε ∈ [0, 1] mixes the target with the uniform
   * distribution.
   */
  [Prim.SoftmaxCrossEntropy]: { readonly labels: Int32Array | null; readonly smoothing: number };
  [Prim.Slice]: { readonly begin: readonly number[]; readonly size: readonly number[] };
  [Prim.Pad]: { readonly begin: readonly number[]; readonly shape: readonly number[] };
  [Prim.Concat]: { readonly axis: number };
  /** `indices` are already normalised to [0, n) (never mutated). */
  [Prim.Take]: { readonly indices: Int32Array; readonly axis: number };
  /** `indices` are already normalised to [0, dimSize) (never mutated). */
  [Prim.ScatterAdd]: { readonly indices: Int32Array; readonly axis: number; readonly dimSize: number };
  [Prim.Cumsum]: { readonly axis: number; readonly reverse: boolean };
  /** A·X = B (Aᵀ·X = B when `transpose`) with A n×n and B n×k (the op reshapes vectors). */
  [Prim.Solve]: { readonly transpose: boolean };
  [Prim.TriangularSolve]: TriangularSolveParams;
  [Prim.Cholesky]: NoParams;
}
