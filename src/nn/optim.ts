/**
 * @file Optax-like optimisers on parameter trees. An optimiser is a pure pair
 * `init(params) → state`, `update(grads, state, params) → { updates, state }`; the new parameters
 * are `applyUpdates(params, updates)` = params + updates, leaf by leaf. Nothing is mutated: every
 * call returns new trees and a new state. The state carries `count` (steps taken) and `lr` (the
 * step size used by the last step), for logging.
 *
 * Iterates, with g_k the gradient at step k = state.count and α_k = lr(k):
 * - `sgd` (PyTorch's form): d = g + λw; b_0 = d, b_k = μ b_{k−1} + (1 − τ) d (τ = dampening);
 *   w ← w − α_k (nesterov ? d + μ b_k : b_k).
 * - `heavyBall` (the seed's form): w_{k+1} = w_k − α_k y_k, y_{k+1} = β_k D(w_{k+1}, ξ_{k+1}) + (1 − β_k) y_k,
 *   with y_0 = D(w_0, ξ_0). With constant β it is `sgd({ lr: α, momentum: 1 − β, dampening: 1 − β })`
 *   exactly; `sgd({ lr: αβ, momentum: 1 − β })` has the same iterates from y_{−1} = 0 instead.
 * - `adam`: m = β1 m + (1 − β1) g, v = β2 v + (1 − β2) g², w ← w − α_k m̂ / (√v̂ + ε) with
 *   m̂ = m / (1 − β1^{k+1}), v̂ = v / (1 − β2^{k+1}); `weightDecay` λ adds λw to g (L2, PyTorch's Adam).
 * - `adamw`: as adam, with the decoupled decay w ← w − α_k (m̂ / (√v̂ + ε) + λw) (PyTorch's AdamW).
 * - `clipByGlobalNorm(c)`: g ← g · min(1, c / ‖g‖), ‖g‖ the Euclidean norm over all leaves.
 * - `chain(t1, t2, …)`: the updates of t1 are the gradients of t2, and so on.
 */
import { InvalidArgumentError, NonFiniteError, ShapeError } from '../core/errors.js';
import { checkOptions, checkPositive } from '../core/options.js';
import { concreteData, describeValue, formatShape, fromData, shapesEqual, type Tensor } from '../core/tensor.js';
import { flatten, nonTensorLeafPath, type Flat } from '../autodiff/tree.js';
import { adamStepKernel, type AdamCoefficients } from '../kernels/adam.js';
import { asSchedule, scheduleAt, type Schedule, type ScheduleLike } from './schedules.js';

/** What every optimiser state carries: the number of steps taken and the last step size. */
export interface TransformState {
  /** Steps taken so far (the k of the next step). */
  readonly count: number;
  /** Step size α used by the last step (NaN before the first; absent for clipping). */
  readonly lr?: number;
}

/**
 * A gradient transformation: a pure `init` / `update` pair on parameter trees (optax's
 * `GradientTransformation`). `params` is needed by `update` only for weight decay.
 */
export interface GradientTransformation<S extends TransformState = TransformState> {
  /** The optimiser's name, used in error messages (`adam()`, `chain(clipByGlobalNorm, sgd)`). */
  readonly name: string;
  /** The initial state for parameters `params` (zero moments, count 0). */
  init<P>(params: P): S;
  /** The updates (to add to the parameters) for gradients `grads` and the next state. */
  update<P>(grads: P, state: S, params?: P): { updates: P; state: S };
}

/** State of {@link sgd}: `momentum` is the buffer b (null before the first step or without momentum). */
export interface SgdState extends TransformState {
  readonly lr: number;
  readonly momentum: unknown;
}
/** State of {@link heavyBall}: `y` is the direction y_k of the seed's form (null before the first step). */
export interface HeavyBallState extends TransformState {
  readonly lr: number;
  /** β used by the last update of y (NaN until the second step). */
  readonly beta: number;
  readonly y: unknown;
}
/** State of {@link adam} / {@link adamw}: first and second moment trees. */
export interface AdamState extends TransformState {
  readonly lr: number;
  readonly mu: unknown;
  readonly nu: unknown;
}
/** State of {@link clipByGlobalNorm}: the global norm of the last gradients (NaN before). */
export interface ClipState extends TransformState {
  readonly norm: number;
}
/** State of {@link chain}: the states of its transformations; `lr` is the last one's. */
export interface ChainState extends TransformState {
  readonly states: readonly TransformState[];
}

/** Options of {@link sgd}. */
export interface SgdOptions {
  /** Step size α > 0 or a schedule. */
  lr: ScheduleLike;
  /** Momentum μ ∈ [0, 1) (default 0). */
  momentum?: number;
  /** Dampening τ ∈ [0, 1) of the momentum buffer (default 0; PyTorch's `dampening`). */
  dampening?: number;
  /** Nesterov momentum (default false; needs momentum > 0 and dampening 0, as PyTorch). */
  nesterov?: boolean;
  /** L2 weight decay λ ≥ 0 added to the gradient as λw (default 0). */
  weightDecay?: number;
}

/** Options of {@link heavyBall}. */
export interface HeavyBallOptions {
  /** Step size α_k > 0, a number or a schedule. */
  alpha: ScheduleLike;
  /** Averaging weight β_k ∈ (0, 1), a number or a schedule. */
  beta: ScheduleLike;
}

/** Options of {@link adam} and {@link adamw}. */
export interface AdamOptions {
  /** Step size α > 0 or a schedule (default 1e-3). */
  lr?: ScheduleLike;
  /** Decay β1 ∈ [0, 1) of the first moment (default 0.9). */
  beta1?: number;
  /** Decay β2 ∈ [0, 1) of the second moment (default 0.999). */
  beta2?: number;
  /** ε ≥ 0 added to √v̂ (default 1e-8). */
  eps?: number;
  /** Weight decay λ ≥ 0 (adam: L2 in the gradient, default 0; adamw: decoupled, default 0.01). */
  weightDecay?: number;
}

// ---------------------------------------------------------------------------------------------
// Leaves

interface Leaves<P> {
  flat: Flat<P>;
  data: Float64Array[];
}

/** The Float64Array leaves of a tree of (concrete) tensors; errors name `where` and `arg`. */
function readTree<P>(tree: P, where: string, arg: string): Leaves<P> {
  const bad = nonTensorLeafPath(tree);
  if (bad) throw new InvalidArgumentError(`${where}: ${arg} must be a tree of tensors; the leaf at '${bad.path || '(root)'}' is ${describeValue(bad.leaf)}`);
  const flat = flatten(tree);
  return { flat, data: flat.leaves.map((t) => concreteData(t, where)) };
}

/** Throws ShapeError unless `b` has the leaf count and shapes of `a`. */
function sameShapes(a: readonly Tensor[], b: readonly Tensor[], where: string, what: string): void {
  if (a.length !== b.length) throw new ShapeError(`${where}: ${what} has ${b.length} tensors, the gradients ${a.length}`);
  for (let i = 0; i < a.length; i++) {
    if (!shapesEqual(a[i]!.shape, b[i]!.shape)) {
      throw new ShapeError(`${where}: leaf ${i} of ${what} has shape ${formatShape(b[i]!.shape)}, the gradient ${formatShape(a[i]!.shape)}`);
    }
  }
}

/** The gradients' leaves, finite (NonFiniteError naming the leaf and the step otherwise). */
function readGrads<P>(grads: P, where: string, k: number): Leaves<P> {
  const g = readTree(grads, where, 'grads');
  g.data.forEach((d, i) => {
    for (let j = 0; j < d.length; j++) {
      if (!Number.isFinite(d[j]!)) {
        throw new NonFiniteError(`${where}: grads leaf ${i} (shape ${formatShape(g.flat.leaves[i]!.shape)}) has a non-finite value (${d[j]}) at flat index ${j}, at step ${k}`);
      }
    }
  });
  return g;
}

/** The leaves of another tree (params, a state slot) checked against the gradients. */
function readLike<P>(tree: unknown, g: Leaves<P>, where: string, what: string): Float64Array[] {
  const t = readTree(tree, where, what);
  sameShapes(g.flat.leaves, t.flat.leaves, where, what);
  return t.data;
}

/** Rebuilds a tree shaped like the gradients from Float64Array leaves. */
function rebuild<P>(g: Leaves<P>, data: readonly Float64Array[]): P {
  return g.flat.rebuild(data.map((d, i) => fromData(d, g.flat.leaves[i]!.shape.slice())));
}

function checkCountState(state: TransformState | undefined, where: string): number {
  const k = state?.count;
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 0) {
    throw new InvalidArgumentError(`${where}: state must come from init() or update() (its count is ${describeValue(k)})`);
  }
  return k;
}

/** A number in [0, 1) (or (0, 1) with `open`), else InvalidArgumentError naming `where` and `name`. */
function unitInterval(v: unknown, where: string, name: string): number {
  if (typeof v !== 'number' || !(v >= 0 && v < 1)) throw new InvalidArgumentError(`${where}: ${name} must be in [0, 1), got ${describeValue(v)}`);
  return v;
}

function needParams<P>(params: P | undefined, g: Leaves<P>, where: string): Float64Array[] {
  if (params === undefined) throw new InvalidArgumentError(`${where}: params are required when weightDecay > 0 (update(grads, state, params))`);
  return readLike(params, g, where, 'params');
}

// ---------------------------------------------------------------------------------------------
// In-place steps (the training loop's fast path)

/** An optimiser's in-place step: the state slots it keeps per leaf, and the step on raw arrays (returns α_k). */
interface InPlaceStep {
  readonly slots: readonly string[];
  step(grads: readonly Float64Array[], slots: readonly Float64Array[][], params: readonly Float64Array[], k: number): number;
}
const inPlaceSteps = new WeakMap<object, InPlaceStep>();

/** A training loop's owned copy of the parameters and optimiser state, stepped in place. */
export interface InPlaceOptimizer {
  /** The parameter leaves (owned copies, updated in place by `step`). */
  readonly params: Tensor[];
  /** The optimiser state (its per-leaf slots are owned copies, updated in place by `step`). */
  state: TransformState;
  /** One step: params ← params + update(grads); the gradients must be finite. */
  step(grads: readonly Tensor[]): void;
}

/**
 * @internal The training loop's fast path: for optimisers with a fused in-place step (adam, adamw)
 * copies `params` and `state` once into buffers it owns and then steps them in place (one pass
 * per leaf, no allocation), with exactly the bits of `update` + `applyUpdates`. Null for the
 * other optimisers (the caller then uses `update`). Nothing the caller passed is mutated.
 * @example
 * const io = inPlaceOptimizer(adam(), leaves, adam().init(leaves));
 * io?.step(grads); // io.params, io.state: as applyUpdates(leaves, update(grads, …).updates)
 */
export function inPlaceOptimizer(opt: GradientTransformation<TransformState>, params: readonly Tensor[], state: TransformState): InPlaceOptimizer | null {
  const ip = inPlaceSteps.get(opt);
  if (ip === undefined) return null;
  const where = `${opt.name}().update()`;
  const own = (t: Tensor): Tensor => fromData(new Float64Array(concreteData(t, where)), t.shape.slice());
  const p = readTree(params, where, 'params');
  checkCountState(state, where);
  const slotTrees = ip.slots.map((name) => {
    readLike((state as unknown as Record<string, unknown>)[name], p, where, `state.${name}`);
    const flat = flatten((state as unknown as Record<string, unknown>)[name]);
    const leaves = flat.leaves.map(own);
    return { name, tree: flat.rebuild(leaves), data: leaves.map((l) => l.data) };
  });
  const ownedParams = p.flat.leaves.map(own);
  const W = ownedParams.map((t) => t.data);
  const io: InPlaceOptimizer = {
    params: ownedParams,
    state: { ...state, ...Object.fromEntries(slotTrees.map((s) => [s.name, s.tree])) },
    step(grads) {
      if (grads.length !== W.length) throw new ShapeError(`${where}: grads has ${grads.length} tensors, the parameters ${W.length}`);
      const k = io.state.count;
      const lr = ip.step(grads.map((g) => concreteData(g, where)), slotTrees.map((s) => s.data), W, k);
      io.state = { ...io.state, count: k + 1, lr };
    },
  };
  return io;
}

// ---------------------------------------------------------------------------------------------
// Optimisers

/**
 * Stochastic gradient descent in PyTorch's form (`torch.optim.SGD`), with optional momentum,
 * dampening, Nesterov momentum and L2 weight decay (formulas in the file header).
 * @example
 * const opt = sgd({ lr: 0.1, momentum: 0.9 });
 * let params = { w: tensor([1, 2]) };
 * let state = opt.init(params);
 * const { updates, state: next } = opt.update({ w: tensor([1, 1]) }, state, params);
 * params = applyUpdates(params, updates); // { w: tensor([0.9, 1.9]) }
 * state = next; // state.count === 1, state.lr === 0.1
 */
export function sgd(options: SgdOptions): GradientTransformation<SgdState> {
  const name = 'sgd()';
  checkOptions(options, ['lr', 'momentum', 'dampening', 'nesterov', 'weightDecay'], name);
  if (options === undefined || options === null) throw new InvalidArgumentError(`${name}: options { lr, ... } are required`);
  const lr = asSchedule(options.lr, name, 'lr');
  const mu = unitInterval(options.momentum ?? 0, name, 'momentum');
  const damp = unitInterval(options.dampening ?? 0, name, 'dampening');
  const nesterov = options.nesterov ?? false;
  if (typeof nesterov !== 'boolean') throw new InvalidArgumentError(`${name}: nesterov must be a boolean, got ${describeValue(nesterov)}`);
  if (nesterov && (mu === 0 || damp !== 0)) throw new InvalidArgumentError(`${name}: nesterov needs momentum > 0 and dampening 0`);
  const wd = checkPositive(options.weightDecay ?? 0, 'weightDecay', 'sgd', true);
  const where = 'sgd().update()';
  return {
    name: 'sgd',
    init: (params) => {
      readTree(params, 'sgd().init()', 'params');
      return { count: 0, lr: NaN, momentum: null };
    },
    update(grads, state, params) {
      const k = checkCountState(state, where);
      const a = scheduleAt(lr, k, where, 'lr');
      const g = readGrads(grads, where, k);
      const W = wd > 0 ? needParams(params, g, where) : null;
      const B = mu > 0 && state.momentum !== null ? readLike(state.momentum, g, where, 'state.momentum') : null;
      const U: Float64Array[] = [];
      const Bn: Float64Array[] = [];
      g.data.forEach((gi, i) => {
        const u = new Float64Array(gi.length);
        const b = new Float64Array(gi.length);
        const Wi = W ? W[i]! : null;
        const Bi = B ? B[i]! : null;
        for (let j = 0; j < gi.length; j++) {
          const d = Wi ? gi[j]! + wd * Wi[j]! : gi[j]!;
          let step = d;
          if (mu > 0) {
            const bj = Bi ? mu * Bi[j]! + (1 - damp) * d : d;
            b[j] = bj;
            step = nesterov ? d + mu * bj : bj;
          }
          u[j] = -a * step;
        }
        U.push(u);
        Bn.push(b);
      });
      return { updates: rebuild(g, U), state: { count: k + 1, lr: a, momentum: mu > 0 ? rebuild(g, Bn) : null } };
    },
  };
}

/**
 * Stochastic heavy ball in the seed's form, w_{k+1} = w_k − α_k y_k,
 * y_{k+1} = β_k D(w_{k+1}, ξ_{k+1}) + (1 − β_k) y_k, with y_0 = D(w_0, ξ_0) (the gradients of the
 * first call). At the call with count k ≥ 1 the direction is updated with β_{k−1}, then the step
 * α_k is taken. With a constant β this is PyTorch's momentum SGD with
 * `sgd({ lr: α, momentum: 1 − β, dampening: 1 − β })` (same iterates; α may be a schedule);
 * undamped `sgd({ lr: αβ, momentum: 1 − β })` gives the same iterates started from y_{−1} = 0.
 * @example
 * const opt = heavyBall({ alpha: robbinsMonro({ a0: 1, p: 0.75 }), beta: 0.1 });
 * const state = opt.init({ w: tensor([0]) });
 * opt.update({ w: tensor([1]) }, state).updates.w; // tensor([-1])
 */
export function heavyBall(options: HeavyBallOptions): GradientTransformation<HeavyBallState> {
  const name = 'heavyBall()';
  checkOptions(options, ['alpha', 'beta'], name);
  if (options === undefined || options === null) throw new InvalidArgumentError(`${name}: options { alpha, beta } are required`);
  const alpha = asSchedule(options.alpha, name, 'alpha');
  if (typeof options.beta === 'number' && !(options.beta > 0 && options.beta < 1)) {
    throw new InvalidArgumentError(`${name}: beta must be in (0, 1), got ${describeValue(options.beta)}`);
  }
  const beta: Schedule = asSchedule(options.beta, name, 'beta');
  const where = 'heavyBall().update()';
  return {
    name: 'heavyBall',
    init: (params) => {
      readTree(params, 'heavyBall().init()', 'params');
      return { count: 0, lr: NaN, beta: NaN, y: null };
    },
    update(grads, state) {
      const k = checkCountState(state, where);
      const a = scheduleAt(alpha, k, where, 'alpha');
      const g = readGrads(grads, where, k);
      const Y = state.y !== null && k > 0 ? readLike(state.y, g, where, 'state.y') : null;
      const b = Y ? scheduleAt(beta, k - 1, where, 'beta', 1, true) : NaN;
      const U: Float64Array[] = [];
      const Yn: Float64Array[] = [];
      g.data.forEach((gi, i) => {
        const y = Y ? new Float64Array(gi.length) : Float64Array.from(gi);
        const u = new Float64Array(gi.length);
        for (let j = 0; j < gi.length; j++) {
          if (Y) y[j] = b * gi[j]! + (1 - b) * Y[i]![j]!;
          u[j] = -a * y[j]!;
        }
        U.push(u);
        Yn.push(y);
      });
      return { updates: rebuild(g, U), state: { count: k + 1, lr: a, beta: b, y: rebuild(g, Yn) } };
    },
  };
}

function adamLike(fn: 'adam' | 'adamw', options: AdamOptions | undefined): GradientTransformation<AdamState> {
  const name = `${fn}()`;
  checkOptions(options, ['lr', 'beta1', 'beta2', 'eps', 'weightDecay'], name);
  const o = options ?? {};
  const lr = asSchedule(o.lr ?? 1e-3, name, 'lr');
  const b1 = unitInterval(o.beta1 ?? 0.9, name, 'beta1');
  const b2 = unitInterval(o.beta2 ?? 0.999, name, 'beta2');
  const eps = checkPositive(o.eps ?? 1e-8, 'eps', fn, true);
  const wd = checkPositive(o.weightDecay ?? (fn === 'adamw' ? 0.01 : 0), 'weightDecay', fn, true);
  const decoupled = fn === 'adamw';
  const where = `${fn}().update()`;
  const t: GradientTransformation<AdamState> = {
    name: fn,
    init: (params) => {
      const p = readTree(params, `${fn}().init()`, 'params');
      const zeros = p.flat.rebuild(p.flat.leaves.map((t) => fromData(new Float64Array(t.size), t.shape.slice())));
      return { count: 0, lr: NaN, mu: zeros, nu: zeros };
    },
    update(grads, state, params) {
      const k = checkCountState(state, where);
      const a = scheduleAt(lr, k, where, 'lr');
      const g = readTree(grads, where, 'grads');
      const W = wd > 0 ? needParams(params, g, where) : null;
      const M = readLike(state.mu, g, where, 'state.mu');
      const V = readLike(state.nu, g, where, 'state.nu');
      const coef = coefficients(a, k);
      const U: Float64Array[] = [];
      const Mn: Float64Array[] = [];
      const Vn: Float64Array[] = [];
      let finite = true;
      g.data.forEach((gi, i) => {
        const n = gi.length;
        const u = new Float64Array(n);
        const m = new Float64Array(n);
        const v = new Float64Array(n);
        finite = adamStepKernel(gi, M[i]!, V[i]!, W ? W[i]! : null, m, v, u, null, coef) && finite;
        U.push(u);
        Mn.push(m);
        Vn.push(v);
      });
      if (!finite) readGrads(grads, where, k); // throws NonFiniteError naming the leaf and the entry
      return { updates: rebuild(g, U), state: { count: k + 1, lr: a, mu: rebuild(g, Mn), nu: rebuild(g, Vn) } };
    },
  };
  const coefficients = (a: number, k: number): AdamCoefficients => ({
    lr: a, beta1: b1, beta2: b2, c1: 1 - Math.pow(b1, k + 1), c2: 1 - Math.pow(b2, k + 1), eps, weightDecay: wd, decoupled,
  });
  // fit()'s in-place step: w ← w + u, m ← m', v ← v' on buffers the training loop owns
  inPlaceSteps.set(t, {
    slots: ['mu', 'nu'],
    step(g, [M, V], W, k) {
      const a = scheduleAt(lr, k, where, 'lr');
      const coef = coefficients(a, k);
      let finite = true;
      for (let i = 0; i < g.length; i++) finite = adamStepKernel(g[i]!, M![i]!, V![i]!, W[i]!, M![i]!, V![i]!, W[i]!, W[i]!, coef) && finite;
      if (!finite) throw new NonFiniteError(`${where}: a gradient entry is not finite at step ${k} (the parameters were already updated in place)`);
      return a;
    },
  });
  return t;
}

/**
 * Adam (Kingma & Ba, PyTorch's `torch.optim.Adam`), bias-corrected; `weightDecay` is L2 in the
 * gradient. Formulas in the file header.
 * @example
 * const opt = adam({ lr: 0.1 });
 * const state = opt.init({ w: tensor([1]) });
 * opt.update({ w: tensor([3]) }, state).updates.w; // tensor([-0.1]) (m̂/√v̂ = sign(g) at step 0, up to ε)
 */
export function adam(options?: AdamOptions): GradientTransformation<AdamState> {
  return adamLike('adam', options);
}

/**
 * AdamW (Loshchilov & Hutter, PyTorch's `torch.optim.AdamW`): Adam with decoupled weight decay
 * w ← w − α_k (m̂ / (√v̂ + ε) + λw), λ = `weightDecay` (default 0.01).
 * @example
 * const opt = adamw({ lr: 0.1, weightDecay: 0.5 });
 * const params = { w: tensor([2]) };
 * opt.update({ w: tensor([3]) }, opt.init(params), params).updates.w; // tensor([-0.2]) (−0.1·(1 + 0.5·2), up to ε)
 */
export function adamw(options?: AdamOptions): GradientTransformation<AdamState> {
  return adamLike('adamw', options);
}

/**
 * Clips the gradients by their global Euclidean norm over all leaves: g ← g · min(1, c / ‖g‖)
 * (optax's `clip_by_global_norm`); the state records ‖g‖ for logging. Use it first in {@link chain}.
 * @example
 * const clip = clipByGlobalNorm(1);
 * clip.update({ a: tensor([3]), b: tensor([4]) }, clip.init({})).updates.a; // tensor([0.6])
 */
export function clipByGlobalNorm(maxNorm: number): GradientTransformation<ClipState> {
  const c = checkPositive(maxNorm, 'maxNorm', 'clipByGlobalNorm');
  const where = 'clipByGlobalNorm().update()';
  return {
    name: 'clipByGlobalNorm',
    init: () => ({ count: 0, norm: NaN }),
    update(grads, state) {
      const k = checkCountState(state, where);
      const g = readGrads(grads, where, k);
      let s = 0;
      for (const d of g.data) for (let j = 0; j < d.length; j++) s += d[j]! * d[j]!;
      const norm = Math.sqrt(s);
      const scale = norm > c ? c / norm : 1;
      return { updates: rebuild(g, g.data.map((d) => d.map((x) => x * scale))), state: { count: k + 1, norm } };
    },
  };
}

/**
 * Composes transformations: the updates of each are the gradients of the next (optax's `chain`).
 * The state's `lr` is the last transformation's.
 * @example
 * const opt = chain(clipByGlobalNorm(1), sgd({ lr: 0.5 }));
 * const state = opt.init({ w: tensor([0, 0]) });
 * opt.update({ w: tensor([3, 4]) }, state).updates.w; // tensor([-0.3, -0.4])
 */
export function chain(...transforms: GradientTransformation<TransformState>[]): GradientTransformation<ChainState> {
  if (transforms.length === 0) throw new InvalidArgumentError('chain(): needs at least one transformation');
  transforms.forEach((t, i) => {
    if (!t || typeof t.init !== 'function' || typeof t.update !== 'function') {
      throw new InvalidArgumentError(`chain(): argument ${i} must be a transformation (sgd(), adam(), clipByGlobalNorm(), ...), got ${describeValue(t)}`);
    }
  });
  const name = `chain(${transforms.map((t) => t.name).join(', ')})`;
  const lrOf = (states: readonly TransformState[]): number | undefined => {
    for (let i = states.length - 1; i >= 0; i--) if (states[i]!.lr !== undefined) return states[i]!.lr;
    return undefined;
  };
  return {
    name,
    init(params) {
      const states = transforms.map((t) => t.init(params));
      return { count: 0, lr: lrOf(states), states };
    },
    update(grads, state, params) {
      const k = checkCountState(state, `${name}.update()`);
      if (!Array.isArray(state.states) || state.states.length !== transforms.length) {
        throw new InvalidArgumentError(`${name}.update(): state must come from this chain's init() or update()`);
      }
      let u = grads;
      const states = transforms.map((t, i) => {
        const r = t.update(u, state.states[i]!, params);
        u = r.updates;
        return r.state;
      });
      return { updates: u, state: { count: k + 1, lr: lrOf(states), states } };
    },
  };
}

/**
 * The new parameters params + updates, leaf by leaf (a new tree; `params` is not mutated).
 * @example
 * applyUpdates({ w: tensor([1, 2]) }, { w: tensor([0.5, -1]) }).w; // tensor([1.5, 1])
 */
export function applyUpdates<P>(params: P, updates: P): P {
  const where = 'applyUpdates()';
  const p = readTree(params, where, 'params');
  const u = readTree(updates, where, 'updates');
  if (p.data.length !== u.data.length) throw new ShapeError(`${where}: updates has ${u.data.length} tensors, params ${p.data.length}`);
  p.flat.leaves.forEach((t, i) => {
    if (!shapesEqual(t.shape, u.flat.leaves[i]!.shape)) {
      throw new ShapeError(`${where}: leaf ${i} of updates has shape ${formatShape(u.flat.leaves[i]!.shape)}, params ${formatShape(t.shape)}`);
    }
  });
  return p.flat.rebuild(p.data.map((d, i) => {
    const ui = u.data[i]!;
    const out = new Float64Array(d.length);
    for (let j = 0; j < d.length; j++) out[j] = d[j]! + ui[j]!;
    return fromData(out, p.flat.leaves[i]!.shape.slice());
  }));
}
