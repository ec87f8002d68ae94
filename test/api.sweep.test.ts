/**
 * @file The export sweep: EVERY function exported by the package entry (`src/index.ts`),
 * including namespace members such as `linalg.*`, has a recipe here, keyed by its export name.
 * A recipe says how to call the function on tensors and what must happen when the tensors are
 * traced:
 *
 * - `diff`: the derivative must match central finite differences at a smooth point, in reverse
 *   mode (VJP) and forward mode (JVP); a derivative that is zero where the finite differences
 *   are not fails, and `zero: true` marks functions whose derivative is zero by definition
 *   (piecewise constant outputs: comparisons, sign, argmax), which then must give exactly zero;
 * - `refuse`: called inside `grad`, the function must throw `ConcretizationError` or
 *   `MissingRuleError` (it is not differentiable and says so);
 * - `skip`: the export takes no tensors (loaders, rng, option helpers, classes, numeric
 *   procedures on `Float64Array` data), with a one-line reason.
 *
 * The test FAILS when an exported function has no recipe, so every new export needs one: add an
 * entry under its export name (`'linalg.newThing'` for a namespace member).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nd from '../src/index.js';
import { ConcretizationError, MissingRuleError, rng, tensor, type Tensor } from '../src/index.js';
import { checkJvpFd, checkVjpFd, fdDirectional, randomLike } from './helpers.js';

const {
  add, sub, mul, div, sum, square, sin, exp, matmul, eye, linalg,
} = nd;

/** Recipe of one export (see the file header). */
type Recipe =
  | {
      kind: 'diff';
      args: () => Tensor[];
      f: (...xs: Tensor[]) => Tensor;
      rtol?: number;
      zero?: true;
      /** The function whose finite differences are the expected derivative (default f; for stopGradient). */
      ref?: (...xs: Tensor[]) => Tensor;
    }
  | { kind: 'refuse'; args: () => Tensor[]; f: (...xs: Tensor[]) => unknown }
  | { kind: 'skip'; reason: string };

// ---------------------------------------------------------------------------------------------
// inputs (fixed seeds; points chosen away from kinks)

let seed = 1000;
/** Standard normal tensor of the given shape (a fresh seed per call). */
const N = (...shape: number[]): Tensor => rng(seed++).normal(shape);
/** Entries in [0.5, 1.5]: away from 0 (log, sqrt, division, kinks at 0). */
const P = (...shape: number[]): Tensor => add(mul(rng(seed++).uniform(shape), 1), 0.5);
/** Well-conditioned square matrix 2I + 0.3·noise. */
const G = (n: number): Tensor => add(mul(N(n, n), 0.3), mul(eye(n), 2));
/** Symmetric positive definite, distinct eigenvalues. */
const S = (n: number): Tensor => {
  const B = N(n, n);
  return add(matmul(B, nd.matrixTranspose(B)), mul(eye(n), n));
};
/** sym(B): derivative of symmetric-input functions along symmetric directions. */
const sym = (B: Tensor): Tensor => mul(add(B, nd.matrixTranspose(B)), 0.5);
/** A fixed SPD matrix moved along the symmetric direction sym(B) (functions of symmetric matrices). */
const S0 = S(3);
const spdAt = (B: Tensor): Tensor => add(S0, mul(sym(B), 0.1));
/** Distinct entries well apart (max/min/sort-like kinks far away): a shuffled 0.7·k ramp plus noise. */
const spread = (n: number): Tensor => {
  const perm = [...Array(n).keys()].sort((a, b) => Math.sin(a * 12.9898 + seed) - Math.sin(b * 12.9898 + seed));
  seed++;
  return add(tensor(perm.map((k) => 0.7 * k - 0.35 * n)), mul(N(n), 0.01));
};

const diff = (args: () => Tensor[], f: (...xs: Tensor[]) => Tensor, extra: { rtol?: number; zero?: true; ref?: (...xs: Tensor[]) => Tensor } = {}): Recipe => ({ kind: 'diff', args, f, ...extra });
const refuse = (args: () => Tensor[], f: (...xs: Tensor[]) => unknown): Recipe => ({ kind: 'refuse', args, f });
const skip = (reason: string): Recipe => ({ kind: 'skip', reason });
const unary = (f: (x: Tensor) => Tensor, x: () => Tensor = () => N(2, 3)): Recipe => diff(() => [x()], (a) => f(a!));
const constant = { zero: true } as const;

const NO_TENSORS = 'takes no tensors';
const M23 = (): Tensor => tensor([[0.3, -1.2, 0.7], [2, -0.4, 1.1]]);
const V3 = (): Tensor => tensor([0.5, -1.5, 2]);
const SCHEDULE = 'a step-size schedule: numbers in, a function of the step counter out (no tensors)';
const CLASS = 'a class (constructed, not differentiated)';
const ERROR_CLASS = 'an error class';
const LASSO = 'Lasso-type solver/procedure on Float64Array / design-matrix data (no Tensor inputs)';
const DATA = 'data handling on Float64Array / design matrices / files (no Tensor inputs)';

const recipes: Record<string, Recipe> = {
  // --- core: creation, shapes, errors, rng, warnings -------------------------------------------
  tensor: skip('creates a tensor from numbers'),
  scalar: skip('creates a tensor from a number'),
  zeros: skip('creates a tensor from a shape'),
  ones: skip('creates a tensor from a shape'),
  full: skip('creates a tensor from a shape and a number'),
  eye: skip('creates a tensor from sizes'),
  arange: skip('creates a tensor from numbers'),
  linspace: skip('creates a tensor from numbers'),
  rng: skip('seeded random generator factory'),
  Rng: skip(CLASS),
  Tensor: skip('the abstract tensor class'),
  setWarningHandler: skip(NO_TENSORS),
  NsdiffError: skip(ERROR_CLASS),
  ShapeError: skip(ERROR_CLASS),
  NonFiniteError: skip(ERROR_CLASS),
  InvalidArgumentError: skip(ERROR_CLASS),
  SingularMatrixError: skip(ERROR_CLASS),
  NotPositiveDefiniteError: skip(ERROR_CLASS),
  NotSymmetricError: skip(ERROR_CLASS),
  ConvergenceError: skip(ERROR_CLASS),
  InvertibilityError: skip(ERROR_CLASS),
  MissingRuleError: skip(ERROR_CLASS),
  ConcretizationError: skip(ERROR_CLASS),
  DataFormatError: skip(ERROR_CLASS),
  NonContractionError: skip(ERROR_CLASS),

  // --- elementwise arithmetic and unary ops ---------------------------------------------------
  add: diff(() => [N(2, 3), N(3)], (a, b) => add(a!, b!)),
  sub: diff(() => [N(2, 3), N(2, 1)], (a, b) => sub(a!, b!)),
  mul: diff(() => [N(2, 3), N(3)], (a, b) => mul(a!, b!)),
  div: diff(() => [N(2, 3), P(3)], (a, b) => div(a!, b!)),
  neg: unary(nd.neg),
  pow: diff(() => [P(2, 3), N(2, 3)], (a, b) => nd.pow(a!, b!)),
  square: unary(square),
  sin: unary(sin),
  cos: unary(nd.cos),
  exp: unary(exp),
  log: unary(nd.log, () => P(2, 3)),
  sqrt: unary(nd.sqrt, () => P(2, 3)),
  tanh: unary(nd.tanh),
  sigmoid: unary(nd.sigmoid),
  softplus: unary(nd.softplus),
  asTensor: unary((x) => mul(nd.asTensor(x, 'sweep()', 'x'), 2)),

  // --- nonsmooth (evaluated away from their kinks) --------------------------------------------
  abs: unary(nd.abs, () => mul(P(2, 3), tensor([[1, -1, 1], [-1, 1, -1]]))),
  relu: unary(nd.relu, () => mul(P(2, 3), tensor([[1, -1, 1], [-1, 1, -1]]))),
  sign: diff(() => [mul(P(2, 3), tensor([[1, -1, 1], [-1, 1, -1]]))], (x) => nd.sign(x!), constant),
  maximum: diff(() => [N(4), add(N(4), tensor([2, -2, 2, -2]))], (a, b) => nd.maximum(a!, b!)),
  minimum: diff(() => [N(4), add(N(4), tensor([2, -2, 2, -2]))], (a, b) => nd.minimum(a!, b!)),
  clip: unary((x) => nd.clip(x, -0.5, 0.5), () => tensor([-1.3, -0.2, 0.1, 0.3, 0.9])),
  softThreshold: diff(() => [tensor([-1.3, -0.2, 0.1, 0.9]), tensor([0.5])], (x, l) => nd.softThreshold(x!, l!)),
  hinge: unary(nd.hinge, () => tensor([-0.5, 0.3, 1.7])),
  erf: unary(nd.erf),
  leakyRelu: unary((x) => nd.leakyRelu(x, { slope: 0.1 }), () => mul(P(2, 3), tensor([[1, -1, 1], [-1, 1, -1]]))),
  elu: unary((x) => nd.elu(x, { alpha: 0.7 }), () => mul(P(2, 3), tensor([[1, -1, 1], [-1, 1, -1]]))),
  gelu: unary(nd.gelu),
  multiclassHinge: diff(() => [tensor([[0.3, -1.2, 0.7], [2, -0.4, 1.1], [0.1, 0.2, 0.9]])], (z) => nd.multiclassHinge(z!, [0, 1, 2])),
  hingeLoss: diff(() => [tensor([0.3, -1.2, 0.7, 2])], (z) => nd.hingeLoss(z!, tensor([1, -1, -1, 1]))),
  maxPool1d: unary((x) => nd.maxPool1d(x, { kernel: 2 }), () => reshape3(spread(8), [1, 8])),
  maxPool2d: unary((x) => nd.maxPool2d(x, { kernel: 2 }), () => reshape3(spread(16), [4, 4])),
  avgPool2d: unary((x) => nd.avgPool2d(x, { kernel: 2, stride: 1, padding: 1, countIncludePad: false }), () => N(2, 3, 4)),
  conv2d: diff(() => [N(2, 2, 5, 4), N(3, 2, 3, 2)], (x, w) => nd.conv2d(x!, w!, { stride: [2, 1], padding: 1 })),
  conv2dTranspose: diff(() => [N(2, 3, 3, 2), N(3, 2, 3, 2)], (y, w) => nd.conv2dTranspose(y!, w!, { stride: 2, padding: 1, outputPadding: 1 })),
  weightedGather: unary((x) => nd.weightedGather(x, [0, 1, 1], [2, 0, 3], [0.5, 2, -1], [2]), () => N(4)),

  // --- reductions, extrema, normalisation, losses ----------------------------------------------
  sum: unary((x) => sum(x, { axis: 1 })),
  mean: unary((x) => nd.mean(x, { axis: 0 })),
  max: unary((x) => nd.max(x), () => spread(6)),
  min: unary((x) => nd.min(x), () => spread(6)),
  argmax: diff(() => [spread(6)], (x) => nd.argmax(x!), constant),
  argmin: diff(() => [spread(6)], (x) => nd.argmin(x!), constant),
  norm: unary((x) => nd.norm(x)),
  logsumexp: unary((x) => nd.logsumexp(x, { axis: 1 })),
  softmax: unary((x) => nd.softmax(x)),
  logSoftmax: unary((x) => nd.logSoftmax(x)),
  variance: unary((x) => nd.variance(x, { axis: 1 })),
  std: unary((x) => nd.std(x, { axis: 1 })),
  cumsum: unary((x) => nd.cumsum(x, { axis: 1 })),
  crossEntropy: unary((x) => nd.crossEntropy(x, [0, 2])),
  binaryCrossEntropyWithLogits: unary((x) => nd.binaryCrossEntropyWithLogits(x, tensor([0, 1, 1, 0])), () => N(4)),
  mse: diff(() => [N(2, 3), N(2, 3)], (a, b) => nd.mse(a!, b!)),

  // --- comparisons and selection (piecewise constant or selecting) -----------------------------
  compare: diff(() => [N(5), N(5)], (a, b) => nd.compare(a!, b!, { op: 'lt' }), constant),
  equal: diff(() => [N(5), N(5)], (a, b) => nd.equal(a!, b!), constant),
  notEqual: diff(() => [N(5), N(5)], (a, b) => nd.notEqual(a!, b!), constant),
  less: diff(() => [N(5), N(5)], (a, b) => nd.less(a!, b!), constant),
  lessEqual: diff(() => [N(5), N(5)], (a, b) => nd.lessEqual(a!, b!), constant),
  greater: diff(() => [N(5), N(5)], (a, b) => nd.greater(a!, b!), constant),
  greaterEqual: diff(() => [N(5), N(5)], (a, b) => nd.greaterEqual(a!, b!), constant),
  logicalNot: diff(() => [N(5)], (x) => nd.logicalNot(nd.greater(x!, 0)), constant),
  where: diff(() => [mul(P(5), tensor([1, -1, 1, -1, 1])), N(5)], (a, b) => nd.where(nd.greater(a!, 0), a!, b!)),
  stopGradient: diff(() => [N(4)], (x) => add(nd.stopGradient(square(x!)), mul(x!, 2)), { ref: (x) => mul(x!, 2) }),

  // --- shapes, slicing, indexing, structure ---------------------------------------------------
  reshape: unary((x) => nd.reshape(x, [3, 2])),
  broadcastTo: unary((x) => nd.broadcastTo(x, [4, 2, 3])),
  transpose: unary((x) => nd.transpose(x)),
  matrixTranspose: unary((x) => nd.matrixTranspose(x)),
  zerosLike: unary((x) => add(nd.zerosLike(x), x)),
  onesLike: unary((x) => mul(nd.onesLike(x), x)),
  fullLike: unary((x) => mul(nd.fullLike(x, 3), x)),
  slice: unary((x) => nd.slice(x, [0, 1], [2, 2])),
  sliceAxis: unary((x) => nd.sliceAxis(x, 1, 3, { axis: 1 })),
  pad: unary((x) => nd.pad(x, [1, 0], [4, 3])),
  concat: diff(() => [N(2, 3), N(1, 3)], (a, b) => nd.concat([a!, b!])),
  stack: diff(() => [N(3), N(3)], (a, b) => nd.stack([a!, b!], { axis: 1 })),
  take: unary((x) => nd.take(x, [2, 0, 2], { axis: 1 })),
  index: unary((x) => nd.index(x, 1, { axis: 1 })),
  takeAlongAxis: unary((x) => nd.takeAlongAxis(x, tensor([[2], [0]]), { axis: 1 })),
  scatterAdd: unary((x) => nd.scatterAdd(x, [1, 1, 0], { dimSize: 4 }), () => N(3, 2)),
  matmul: diff(() => [N(2, 3), N(3, 4)], (a, b) => matmul(a!, b!)),
  dot: diff(() => [N(4), N(4)], (a, b) => nd.dot(a!, b!)),
  outer: diff(() => [N(3), N(2)], (a, b) => nd.outer(a!, b!)),
  diag: unary((x) => nd.diag(x), () => N(3, 3)),
  trace: unary((x) => nd.trace(x), () => N(3, 3)),

  // --- transformations, custom rules, kinks, trees -------------------------------------------
  grad: unary((x) => nd.grad((y: Tensor) => sum(mul(sin(y), y)))(x) as Tensor),
  valueAndGrad: unary((x) => nd.valueAndGrad((y: Tensor) => sum(exp(y)))(x)[1] as Tensor),
  vjp: unary((x) => (nd.vjp((y: Tensor) => sin(y), x)[1](x) as Tensor[])[0]!),
  jvp: unary((x) => nd.jvp((y: Tensor) => mul(y, exp(y)), [x], [x])[1]),
  jacobian: unary((x) => nd.jacobian((y: Tensor) => sin(y))(x), () => N(3)),
  hessian: unary((x) => nd.hessian((y: Tensor) => sum(mul(square(y), exp(y))))(x), () => N(3)),
  hvp: unary((x) => nd.hvp((y: Tensor) => sum(mul(square(y), sin(y))), [x], [x]), () => N(3)),
  customJvp: unary((x) => nd.customJvp((y: Tensor) => sin(y), ([y], [t]) => mul(nd.cos(y), t))(x)),
  customVjp: unary((x) => nd.customVjp((y: Tensor) => sin(y), ([y], _out, ct) => [mul(nd.cos(y), ct)])(x)),
  customRoot: unary(
    (x) => nd.customRoot((a: Tensor, y: Tensor) => sub(mul(mul(y, y), y), a), (a: Tensor) => tensor(Array.from(a.data, Math.cbrt), a.shape))(x),
    () => P(3),
  ),
  customFixedPoint: unary(
    (x) => nd.customFixedPoint((a: Tensor, y: Tensor) => add(mul(y, 0.5), a), (a: Tensor) => tensor(Array.from(a.data, (v) => 2 * v), a.shape))(x),
    () => N(3),
  ),
  withKinkPolicy: unary((x) => nd.withKinkPolicy('right', () => nd.relu(x)), () => tensor([-1.2, 0.4, 2])),
  trackKinks: unary((x) => nd.trackKinks(() => nd.abs(x)).value, () => tensor([-1.2, 0.4, 2])),
  flatten: unary((x) => mul(nd.flatten({ a: x }).leaves[0]!, 3)),
  treeMap: unary((x) => nd.treeMap(x, sin) as Tensor),

  // --- optimisers and schedules (nn/): an optimiser step reads concrete leaves ---------------
  // (fixed inputs M23/V3: drawing from N would shift the seeds of the recipes run after these)
  sgd: refuse(() => [M23(), M23()], (w, g) => { const o = nd.sgd({ lr: 0.1, momentum: 0.9, weightDecay: 0.1 }); return o.update({ w: g! }, o.init({ w: w! }), { w: w! }).updates.w; }),
  heavyBall: refuse(() => [M23()], (g) => { const o = nd.heavyBall({ alpha: 0.1, beta: 0.5 }); return o.update([g!], o.init([g!])).updates[0]!; }),
  adam: refuse(() => [V3()], (g) => { const o = nd.adam({ lr: 0.1 }); return o.update(g!, o.init(g!)).updates; }),
  adamw: refuse(() => [V3(), V3()], (w, g) => { const o = nd.adamw({ lr: 0.1 }); return o.update(g!, o.init(w!), w!).updates; }),
  clipByGlobalNorm: refuse(() => [V3()], (g) => { const o = nd.clipByGlobalNorm(0.5); return o.update(g!, o.init(g!)).updates; }),
  chain: refuse(() => [V3()], (g) => { const o = nd.chain(nd.clipByGlobalNorm(0.5), nd.sgd({ lr: 1 })); return o.update(g!, o.init(g!)).updates; }),
  applyUpdates: refuse(() => [M23(), M23()], (p, u) => nd.applyUpdates(p!, u!)),
  // --- deep equilibrium layers (nn/deq): fixed inputs, implicit backward ---------------------
  deq: diff(() => [M23()], (x) => nd.deq((z: Tensor, xx: Tensor, p: Tensor) => nd.tanh(add(matmul(z, p), xx)), { tol: 1e-13, rtol: 1e-13 })(x!, mul(tensor([[0.3, -0.2, 0.1], [0.1, 0.4, -0.3], [-0.2, 0.1, 0.2]]), 1))),
  mondeq: diff(() => [M23()], (x) => {
    const layer = nd.mondeq({ width: 3, tol: 1e-13, rtol: 1e-13, maxIter: 2000 });
    const p = layer.init(7, [3]).params;
    return layer(x!, { ...p, b: add(p.b, 0.5) });
  }),
  fcDeq: diff(() => [M23()], (x) => {
    const layer = nd.fcDeq({ width: 3, tol: 1e-13, rtol: 1e-13 });
    const p = layer.init(5, [3]).params;
    return layer(x!, { ...p, b: add(p.b, 0.5) });
  }),
  weightNormalize: diff(() => [tensor([[1.5, -0.2, 0.3], [0.1, 1.2, -0.4]]), tensor([0.5, 2, 1.2])], (V, g) => nd.weightNormalize(V!, g!)),
  spectralNormalize: diff(() => [tensor([[1.5, -0.2, 0.3], [0.1, 1.2, -0.4], [0.2, 0.3, 0.9]])], (W) => nd.spectralNormalize(W!, { bound: 0.9, iterations: 200 }), { rtol: 1e-6 }),
  // the snapshot at iteration 1 is z0 = 0 (independent of the inputs), so the 1-step gradient of its term is exact there
  deqCorrectionLoss: diff(() => [tensor([[0.3, -0.2, 0.1], [0.1, 0.4, -0.3], [-0.2, 0.1, 0.2]]), M23()], (W, x) => {
    const layer = nd.deq((z: Tensor, xx: Tensor, p: Tensor) => nd.tanh(add(matmul(z, p), xx)), { zShape: [3], tol: 1e-13, rtol: 1e-13, correction: { iterations: [1], gamma: 0.5 } });
    return nd.deqCorrectionLoss(layer.withCorrections(x!, W!), (z) => sum(square(z)));
  }, { rtol: 1e-6 }),
  jacobianPenalty: diff(
    () => [tensor([[0.3, -0.2, 0.1], [0.1, 0.4, -0.3], [-0.2, 0.1, 0.2]]), M23()],
    (W, z) => nd.jacobianPenalty((zz: Tensor, xx: Tensor, p: Tensor) => nd.tanh(add(matmul(zz, p), xx)), z!, tensor([[0.3, 0.1, -0.2], [0.4, -0.1, 0.2]]), W!, { samples: 2, seed: 1 }),
  ),
  mondeqConv: diff(() => [N(2, 1, 3, 3)], (x) => {
    const layer = nd.mondeqConv({ channels: 2, tol: 1e-13, rtol: 1e-13, maxIter: 3000, backwardTol: 1e-12 });
    const p = layer.init(7, [1, 3, 3]).params;
    return layer(x!, { ...p, b: add(p.b, 0.5) });
  }),
  monDeqConvApply: diff(() => [N(1, 2, 3, 3), N(2, 2, 3, 3), N(2, 2, 3, 3)], (z, A, B) => nd.monDeqConvApply(z!, { A: A!, B: B! }, { monotonicity: 0.1 })),
  monDeqWeight: diff(() => [tensor([[0.3, -0.2], [0.1, 0.4]]), tensor([[0.5, 0.1], [-0.3, 0.2]])], (A, B) => nd.monDeqWeight({ A: A!, B: B! }, { monotonicity: 0.1 })),
  solveBatchFixedPoint: skip('numeric per-sample fixed-point solver on Float64Array rows (the forward of deq)'),
  constant: skip(SCHEDULE),
  robbinsMonro: skip(SCHEDULE),
  stepDecay: skip(SCHEDULE),
  cosineDecay: skip(SCHEDULE),
  warmup: skip(SCHEDULE),

  // --- linear algebra: the linalg namespace ---------------------------------------------------
  'linalg.solve': diff(() => [G(3), N(3)], (A, b) => linalg.solve(A!, b!)),
  'linalg.triangularSolve': diff(() => [G(3), N(3, 2)], (T, b) => linalg.triangularSolve(T!, b!, { lower: true })),
  'linalg.inv': diff(() => [G(3)], (A) => linalg.inv(A!)),
  'linalg.det': diff(() => [G(3)], (A) => linalg.det(A!)),
  'linalg.slogdet': diff(() => [G(3)], (A) => linalg.slogdet(A!).logabsdet),
  'linalg.logdet': diff(() => [N(3, 3)], (B) => linalg.logdet(spdAt(B!))),
  'linalg.cholesky': diff(() => [N(3, 3)], (B) => linalg.cholesky(spdAt(B!))),
  'linalg.eigh': diff(() => [N(3, 3)], (B) => {
    const { eigenvalues, eigenvectors: V } = linalg.eigh(spdAt(B!));
    return add(sum(mul(eigenvalues, eigenvalues)), sum(mul(tensor([[1, 2, 0], [0, 1, -1], [3, 0, 1]]), square(V))));
  }),
  'linalg.eigvalsh': diff(() => [N(3, 3)], (B) => linalg.eigvalsh(spdAt(B!))),
  'linalg.svd': diff(() => [N(4, 3)], (A) => {
    const { U, S: s, Vh } = linalg.svd(A!);
    return add(sum(s), sum(mul(tensor([[1, -1, 0], [2, 0, 1], [0, 1, 1], [1, 1, 1]]), matmul(U, Vh))));
  }, { rtol: 1e-5 }),
  'linalg.svdvals': diff(() => [N(3, 4)], (A) => linalg.svdvals(A!)),
  'linalg.cond': diff(() => [N(4, 3)], (A) => linalg.cond(A!)),
  'linalg.pinv': diff(() => [N(4, 3)], (A) => linalg.pinv(A!)),
  'linalg.lstsq': diff(() => [N(5, 3), N(5)], (A, b) => {
    const r = linalg.lstsq(A!, b!);
    return add(sum(r.x), add(r.residuals, sum(r.singularValues)));
  }),
  'linalg.lu': refuse(() => [G(3)], (A) => linalg.lu(A!).U),
  'linalg.qr': diff(() => [N(4, 3)], (A) => {
    const { Q, R } = linalg.qr(A!);
    return add(sum(mul(tensor([[1, 2, 0], [0, 1, -1], [3, 0, 1], [1, 1, 1]]), Q)), sum(mul(tensor([[1, -1, 2], [0, 2, 1], [0, 0, 3]]), R)));
  }),
  'linalg.matrixRank': refuse(() => [G(3)], (A) => linalg.matrixRank(A!)),
  'linalg.condEstimate': refuse(() => [G(3)], (A) => linalg.condEstimate(A!)),
  // --- nn: convolution and pooling layers (params passed as tensors, so derivatives reach them) ---
  'nn.conv2d': diff(() => [N(2, 2, 5, 4), N(3, 2, 3, 3), N(3)], (x, w, b) => nd.nn.conv2d(3, { kernel: 3, padding: 'same' }).apply({ w: w!, b: b! }, x!)),
  'nn.maxPool2d': unary((x) => nd.nn.maxPool2d({ kernel: 2 }).apply({}, x), () => nd.reshape(spread(32), [2, 1, 4, 4])),
  'nn.avgPool2d': unary((x) => nd.nn.avgPool2d({ kernel: 2, stride: 1 }).apply({}, x), () => N(2, 3, 3, 4)),

  // --- nn namespace: layers differentiated in their input (and parameters where they have some) ---
  ...nnRecipes(),

  // --- iterative solvers: numeric, refuse traced tensors --------------------------------------
  cg: refuse(() => [S(3), N(3)], (A, b) => nd.cg(A!, b!).x),
  minres: refuse(() => [S(3), N(3)], (A, b) => nd.minres(A!, b!).x),
  gmres: refuse(() => [G(3), N(3)], (A, b) => nd.gmres(A!, b!).x),
  bicgstab: refuse(() => [G(3), N(3)], (A, b) => nd.bicgstab(A!, b!).x),
  lsqr: refuse(() => [N(4, 3), N(4)], (A, b) => nd.lsqr(A!, b!).x),
  cgNormal: refuse(() => [N(4, 3), N(4)], (A, b) => nd.cgNormal(A!, b!).x),
  fixedPointLinear: refuse(() => [mul(G(3), 0.1), N(3)], (M, b) => nd.fixedPointLinear(M!, b!).x),
  denseOperator: skip('wraps a Float64Array as an operator'),
  jacobiPreconditioner: skip('builds a preconditioner from a Float64Array diagonal'),
  CsrMatrix: skip(CLASS),
  CscMatrix: skip(CLASS),
  SparseLdl: skip(CLASS),
  minimumDegreeOrdering: skip('an ordering of a CscMatrix pattern (integers, not differentiable)'),

  // --- implicit differentiation / hypergradient procedures ------------------------------------
  // numeric hypergradient procedures: a traced λ (or w) is refused, never read as a constant
  hypergradient: refuse(() => [P(2)], (lam) => nd.hypergradient({
    phi: (w: Tensor, l: Tensor) => sub(w, mul(0.1, sub(mul(add(l, 1), w), 1))),
    outer: (w: Tensor) => sum(square(w)), w0: nd.zeros([2]), lam: lam!, method: 'AID-FP', t: 2000,
  }).grad),
  makeHypergradient: refuse(() => [P(2)], (lam) => nd.makeHypergradient({
    phi: (w: Tensor, l: Tensor) => sub(w, mul(0.1, sub(mul(add(l, 1), w), 1))),
    outer: (w: Tensor) => sum(square(w)), w0: nd.zeros([2]), method: 'AID-FP', t: 2000,
  })(lam!).grad),
  stochasticHypergradient: refuse(() => [P(2)], (lam) => nd.stochasticHypergradient({
    T: (w: Tensor, l: Tensor) => sub(w, mul(0.1, sub(mul(add(l, 1), w), 1))),
    outer: (w: Tensor) => sum(square(w)), sample: () => 0, w: nd.zeros([2]), lam: lam!, iterations: 5, q: 0.9, seed: 1,
  }).grad),

  // --- Lasso-type models and hyperparameter optimisation --------------------------------------
  lasso: skip(LASSO),
  elasticNet: skip(LASSO),
  weightedLasso: skip(LASSO),
  sparseLogreg: skip(LASSO),
  lassoPath: skip(LASSO),
  lambdaMax: skip(LASSO),
  lambdaMaxLogreg: skip(LASSO),
  lambdaMaxWeighted: skip(LASSO),
  proxGrad: skip(LASSO),
  lipschitzConstant: skip(LASSO),
  prepareDesign: skip(LASSO),
  disposeDesign: skip(LASSO),
  fitSparseModel: skip(LASSO),
  LassoHO: skip(CLASS),
  Lasso: refuse(() => [N(12, 3)], (X) => new nd.Lasso({ alpha: 0.1 }).fit(X, Array.from({ length: 12 }, (_, i) => i % 3))),
  ElasticNet: refuse(() => [N(12, 3)], (X) => new nd.ElasticNet({ alpha: 0.1 }).fit(X, Array.from({ length: 12 }, (_, i) => i % 3))),
  SparseLogisticRegression: refuse(() => [N(12, 3)], (X) => new nd.SparseLogisticRegression({ C: 1 }).fit(X, Array.from({ length: 12 }, (_, i) => i % 2))),
  NotFittedError: skip(ERROR_CLASS),
  loadEstimator: skip('reads a saved-model JSON object (no tensors)'),
  r2Score: skip('metric on label/prediction arrays (numbers, not differentiated)'),
  accuracyScore: skip('metric on label/prediction arrays (numbers, not differentiated)'),
  columnScales: skip(DATA),
  SparseProblem: skip(CLASS),
  HeldOutCriterion: skip(CLASS),
  CrossValCriterion: skip(CLASS),
  SureCriterion: skip(CLASS),
  tuneLasso: skip(LASSO),
  lassoHypergradient: skip(LASSO),
  makeCriterion: skip(LASSO),
  estimateNoiseLevel: skip(LASSO),
  optimize: skip('outer optimiser over a Criterion object (numbers in)'),
  geometricGrid: skip('numbers in, Float64Array out'),

  // --- data, plots ------------------------------------------------------------------------------
  parseCsv: skip(DATA),
  parseLibsvm: skip(DATA),
  writeLibsvm: skip(DATA),
  loadDataset: skip(DATA),
  batches: skip('index arrays from a sample count (no Tensor inputs)'),
  numBatches: skip(NO_TENSORS),
  gatherRows: refuse(() => [N(3, 2)], (x) => nd.gatherRows(x!, [2, 0])),
  makeClassification: skip(DATA),
  makeCorrelatedData: skip(DATA),
  makeSparseRegression: skip(DATA),
  makeDataset: skip(DATA),
  takeDataset: skip(DATA),
  splitTrainVal: skip(DATA),
  kFoldIndices: skip(DATA),
  denseDesign: skip(DATA),
  denseFromRows: skip(DATA),
  toCsc: skip(DATA),
  toDense: skip(DATA),
  takeRows: skip(DATA),
  lineChart: skip('SVG chart from number series'),
  // --- optimisation layers (src/optlayers/): a strictly convex QP with two active and two inactive
  // inequalities and one equality, differentiated in every input; projections at generic points
  solveQp: diff(
    () => [S(3), tensor([0.3, -0.2, 0.1]), tensor([[1, 0, 0], [0, 1, 0], [-1, 0, 0], [0, 0, 1]]), tensor([-0.1, -0.2, 5, 5]), tensor([[1, 1, 1]]), tensor([0.2])],
    (Q, p, Gi, h, A, b) => nd.solveQp({ Q: Q!, p: p!, G: Gi!, h: h!, A: A!, b: b! }).z,
    { rtol: 1e-6 },
  ),
  // ½‖Ax − y‖² with x ≥ −0.2 (one bound active) and x₀ + x₁ + x₂ = 0.3, differentiated in A and y
  constrainedLstsq: diff(
    () => [tensor([[1, 0.2, 0], [0.1, 1, 0.3], [0, 0.2, 1], [0.5, 0, 0.4]]), tensor([0.5, -0.6, 0.2, 0.3])],
    (A, y) => nd.constrainedLstsq({ A: A!, y: y!, G: nd.neg(nd.eye(3)), h: nd.full([3], 0.2), C: tensor([[1, 1, 1]]), d: tensor([0.3]) }).z,
    { rtol: 1e-6 },
  ),
  solveCone: diff(
    () => [tensor([0.3, -0.2, 1]), tensor([[1, 1, 0], [-1, 0, 0], [0, -1, 0], [0, 0, -1], [-1, 0, 0], [0, -1, 0]]), tensor([1, 0.1, 0.05, 2, 0, 0])],
    (c, A, b) => nd.solveCone({ c: c!, A: A!, b: b!, cones: { zero: 1, nonneg: 2, soc: [3] } }, { tol: 1e-12 }).x,
    { rtol: 1e-6 },
  ),
  projectSimplex: unary((x) => nd.projectSimplex(x, { radius: 1.3 }), () => spread(4)),
  sparsemax: unary((x) => nd.sparsemax(x), () => spread(5)),
  projectL1Ball: unary((x) => nd.projectL1Ball(x, { radius: 0.8 }), () => tensor([[1.2, -0.7, 0.3], [0.1, 0.2, -0.05]])),
  projectL2Ball: unary((x) => nd.projectL2Ball(x, { radius: 0.8 }), () => tensor([[1.2, -0.7, 0.3], [0.1, 0.2, -0.05]])),
  projectSoc: unary((x) => nd.projectSoc(x), () => tensor([[0.5, 1.2, -0.7], [2, 0.3, 0.1], [-0.2, 0.4, 0.9]])),
  projectPsd: unary((x) => nd.projectPsd(x), () => tensor([[1.2, 0.3, -0.5], [0.1, -0.8, 0.4], [-0.6, 0.2, 0.5]])),
  tvDenoise1d: diff(() => [tensor([[0.3, -1.1, 0.4, 2.2, 2.5], [1, 0.2, -0.3, 0.9, -2]]), tensor(0.35)], (y, l) => nd.tvDenoise1d(y!, l!)),
};

/** Recipes of the `nn` namespace (layers: derivative of forward() in the input at a smooth point). */
function nnRecipes(): Record<string, Recipe> {
  const { nn } = nd;
  /** A layer built by `make`, initialised for per-example shape `shape`, differentiated in x (eval mode). */
  const layer = (make: () => nd.nn.Layer, shape: number[], x: () => Tensor = () => N(2, ...shape)): Recipe =>
    diff(() => [x()], (a) => {
      const l = make();
      const { params, state } = l.init(3, shape);
      return l.forward(params, state, a!).y;
    });
  const awayFromKinks = (): Tensor => mul(P(2, 3), tensor([[1, -1, 1], [-1, 1, -1]]));
  const INIT = 'seeded initialiser: a key and a shape in, a fresh tensor out (no tensor inputs)';
  return {
    'nn.defineLayer': diff(() => [N(2, 3)], (x) => nn.defineLayer({ name: 'sq', init: (_k, s) => ({ params: {}, state: null, outputShape: [...s] }), forward: (_p, st, a) => ({ y: square(a), state: st }) }).apply({}, x!)),
    'nn.sequential': layer(() => nn.sequential([nn.linear(4), nn.tanh(), nn.linear(2)]), [3]),
    'nn.foldKey': skip('numbers in, a number out (derives sub-keys)'),
    'nn.heUniform': skip(INIT),
    'nn.heNormal': skip(INIT),
    'nn.glorotUniform': skip(INIT),
    'nn.glorotNormal': skip(INIT),
    'nn.torchDefault': skip(INIT),
    'nn.normal': skip('builds a seeded initialiser from a std (no tensor inputs)'),
    'nn.zeros': skip(INIT),
    'nn.ones': skip(INIT),
    'nn.linear': diff(() => [N(2, 3), N(3, 4), N(4)], (x, w, b) => nn.linear(4).apply({ w: w!, b: b! }, x!)),
    'nn.flatten': layer(() => nn.flatten(), [2, 3]),
    'nn.relu': layer(() => nn.relu(), [3], awayFromKinks),
    'nn.leakyRelu': layer(() => nn.leakyRelu({ slope: 0.2 }), [3], awayFromKinks),
    'nn.abs': layer(() => nn.abs(), [3], awayFromKinks),
    'nn.hardtanh': layer(() => nn.hardtanh(), [3], () => tensor([[-1.3, -0.2, 0.1], [0.3, 0.9, 1.7]])),
    'nn.clip': layer(() => nn.clip({ min: -0.5, max: 0.5 }), [3], () => tensor([[-1.3, -0.2, 0.1], [0.3, 0.9, 1.7]])),
    'nn.elu': layer(() => nn.elu({ alpha: 0.5 }), [3], awayFromKinks),
    'nn.gelu': layer(() => nn.gelu(), [3]),
    'nn.tanh': layer(() => nn.tanh(), [3]),
    'nn.sigmoid': layer(() => nn.sigmoid(), [3]),
    'nn.softplus': layer(() => nn.softplus(), [3]),
    'nn.softThreshold': layer(() => nn.softThreshold({ lambda: 0.5 }), [3], () => tensor([[-1.3, -0.2, 0.1], [0.3, 0.9, 1.7]])),
    'nn.dropout': diff(() => [N(3, 4)], (x) => nn.dropout({ rate: 0.5 }).forward({}, null, x!, { train: true, key: 5 }).y),
    'nn.layerNorm': diff(() => [N(2, 4), N(4), N(4)], (x, g, b) => nn.layerNorm().apply({ gamma: g!, beta: b! }, x!)),
    'nn.batchNorm': diff(() => [N(4, 3), N(3), N(3)], (x, g, b) => {
      const bn = nn.batchNorm();
      return bn.forward({ gamma: g!, beta: b! }, bn.init(0, [3]).state, x!, { train: true }).y;
    }),
    'nn.embedding': diff(() => [N(5, 3)], (t) => nn.embedding(5, 3).apply({ table: t! }, tensor([[1, 4], [0, 1]]))),
    'nn.mlp': layer(() => nn.mlp([4, 2], { activation: () => nn.tanh() }), [3]),
    'nn.paramCount': skip('a parameter tree in, a number out (counts scalars)'),
    // deep equilibrium layers (also at the root): the same recipes
    'nn.deq': diff(() => [M23()], (x) => nn.deq((z: Tensor, xx: Tensor, p: Tensor) => nd.tanh(add(matmul(z, p), xx)), { tol: 1e-13, rtol: 1e-13 })(x!, tensor([[0.3, -0.2, 0.1], [0.1, 0.4, -0.3], [-0.2, 0.1, 0.2]]))),
    'nn.fcDeq': diff(() => [M23()], (x) => {
      const l = nn.fcDeq({ width: 3, tol: 1e-13, rtol: 1e-13 });
      const p = l.init(5, [3]).params;
      return l(x!, { ...p, b: add(p.b, 0.5) });
    }),
    'nn.mondeq': diff(() => [M23()], (x) => {
      const l = nn.mondeq({ width: 3, tol: 1e-13, rtol: 1e-13, maxIter: 2000 });
      const p = l.init(7, [3]).params;
      return l(x!, { ...p, b: add(p.b, 0.5) });
    }),
    'nn.mondeqConv': diff(() => [N(2, 1, 3, 3)], (x) => {
      const l = nn.mondeqConv({ channels: 2, tol: 1e-13, rtol: 1e-13, maxIter: 3000, backwardTol: 1e-12 });
      const p = l.init(7, [1, 3, 3]).params;
      return l(x!, { ...p, b: add(p.b, 0.5) });
    }),
    'nn.modelSpec': skip('a model name and a JSON config in, a spec out (no tensors)'),
    'nn.buildModel': skip('a model spec in, a layer out (the layer itself is swept as nn.mlp / nn.conv2d)'),
    'nn.registerModel': skip('registers a builder (no tensors)'),
    'nn.modelNames': skip('no arguments, the registered names out'),
    'nn.evaluate': refuse(() => [N(4, 3)], (x) => nn.evaluate(nn.linear(2), nn.linear(2).init(0, [3]).params, null, { x: x!, y: Int32Array.of(0, 1, 1, 0) })),
    'nn.predict': refuse(() => [N(4, 3)], (x) => nn.predict(nn.linear(2), nn.linear(2).init(0, [3]).params, x!)),
    'nn.countCorrect': refuse(() => [N(4, 3)], (z) => nn.countCorrect(z!, Int32Array.of(0, 1, 1, 0))),
    'nn.softmaxCrossEntropy': diff(() => [N(4, 3)], (z) => nn.softmaxCrossEntropy(z!, Int32Array.of(0, 2, 1, 0))),
    'nn.perExampleGrads': diff(() => [N(3, 2), N(4, 3)], (w, x) => nn.perExampleGrads((p: Tensor, xi: Tensor) => sum(nd.tanh(matmul(xi, p))), w!, x!)),
  };
}

/** reshape to a [1, ...] image/signal layout. */
function reshape3(x: Tensor, shape: number[]): Tensor {
  return nd.reshape(x, [1, ...shape]);
}

// ---------------------------------------------------------------------------------------------

/** Every exported function, namespace members as `ns.name`. */
function exportedFunctions(): string[] {
  const names: string[] = [];
  for (const [k, v] of Object.entries(nd)) {
    if (typeof v === 'function') names.push(k);
    else if (v !== null && typeof v === 'object' && (v as { [Symbol.toStringTag]?: string })[Symbol.toStringTag] === 'Module') {
      for (const [m, w] of Object.entries(v)) if (typeof w === 'function') names.push(`${k}.${m}`);
    }
  }
  return names.sort();
}

test('every exported function has a recipe (add one for each new export), and no recipe is stale', () => {
  const names = exportedFunctions();
  const missing = names.filter((n) => !(n in recipes));
  assert.deepEqual(missing, [], `exports without a recipe in test/api.sweep.test.ts: ${missing.join(', ')}`);
  const stale = Object.keys(recipes).filter((n) => !names.includes(n));
  assert.deepEqual(stale, [], `recipes for names that are not exported: ${stale.join(', ')}`);
});

function runDiff(name: string, r: Extract<Recipe, { kind: 'diff' }>): void {
  const xs = r.args();
  const f = (...a: Tensor[]): Tensor => r.f(...a);
  const rtol = r.rtol ?? 1e-6;
  const fd = fdDirectional(r.ref ?? f, xs, randomLike(xs, 7));
  const fdScale = fd.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  if (r.zero) {
    assert.equal(fdScale, 0, `${name}: marked piecewise constant but finite differences are not zero`);
  } else {
    assert.ok(fdScale > 1e-6, `${name}: the recipe's point has a zero finite-difference derivative; pick a point where it is not`);
  }
  checkVjpFd(f, xs, { rtol, seed: 7, fdReference: r.ref });
  checkJvpFd(f, xs, { rtol, seed: 7, fdReference: r.ref });
}

function runRefuse(name: string, r: Extract<Recipe, { kind: 'refuse' }>): void {
  const xs = r.args();
  assert.doesNotThrow(() => r.f(...xs), `${name} must work on concrete tensors`);
  for (let i = 0; i < xs.length; i++) {
    const g = (t: Tensor): Tensor => {
      const args = xs.slice();
      args[i] = t;
      const out = r.f(...args);
      return out instanceof nd.Tensor ? sum(out) : sum(t);
    };
    assert.throws(
      () => nd.grad(g)(xs[i]!),
      (e: unknown) => e instanceof ConcretizationError || e instanceof MissingRuleError,
      `${name}: a traced argument ${i} must throw ConcretizationError or MissingRuleError`,
    );
  }
}

test('sweep: each differentiable export matches finite differences (VJP and JVP); each other export refuses traced input', () => {
  const failures: string[] = [];
  let counted = { diff: 0, refuse: 0, skip: 0 };
  for (const name of exportedFunctions()) {
    const r = recipes[name];
    if (!r) continue; // reported by the test above
    counted = { ...counted, [r.kind]: counted[r.kind] + 1 };
    try {
      if (r.kind === 'diff') runDiff(name, r);
      else if (r.kind === 'refuse') runRefuse(name, r);
      else assert.ok(r.reason.length > 0, `${name}: a skip needs a reason`);
    } catch (e) {
      failures.push(`${name}: ${(e as Error).message.split('\n').slice(0, 3).join(' | ')}`);
    }
  }
  assert.deepEqual(failures, []);
  assert.ok(counted.diff > 80 && counted.refuse >= 10, `counts ${JSON.stringify(counted)}`);
});
