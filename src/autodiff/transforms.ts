/**
 * @file Composable function transformations: vjp, grad, valueAndGrad, jvp, jacobian, hessian,
 * customJvp, customVjp. Arguments and results may be parameter trees (see `tree.ts`).
 *
 * Every transform is eager: `f` runs once on tracers that record (reverse mode) or carry
 * tangents (forward mode). Because derivative rules are written with differentiable ops,
 * transforms nest in any order.
 */
import { InvalidArgumentError, ShapeError } from '../core/errors.js';
import { checkOptions } from '../core/options.js';
import { ConcreteTensor, describeValue, formatShape, shapeSize, Tensor } from '../core/tensor.js';
import { add } from '../ops/arithmetic.js';
import { reshape, zerosLike } from '../ops/shape.js';
import { stack } from '../ops/slicing.js';
import { bindCustom, installFallbacks, JvpTrace, JvpTracer, newLevel, VjpTrace, VjpTracer, type CustomRule } from './trace.js';
import { kinkRewinder } from './kinks.js';
import { assertSameLeafShapes, flatten, nonTensorLeafPath, type Tree } from './tree.js';

/**
 * Reverse mode: evaluates `f(...primals)` and returns its value with a pullback mapping an output
 * cotangent (same tree structure as the output) to cotangents of every argument.
 *
 * @example
 * const [y, pullback] = vjp((x) => mul(x, x), tensor([1, 2]));
 * pullback(tensor([1, 1])); // [[2, 4]]
 */
export function vjp<A extends unknown[], R>(f: (...args: A) => R, ...primals: A): [R, (cotangent: R) => A] {
  for (let i = 0; i < primals.length; i++) assertDifferentiable(primals[i], i, 'vjp()');
  const level = newLevel();
  const trace = new VjpTrace(level);
  const flatIn = flatten(primals);
  const leafTracers = flatIn.leaves.map((x) => new VjpTracer(trace, x, null));
  const out = f(...(flatIn.rebuild(leafTracers) as A));
  const flatOut = flatten(out);
  for (const o of flatOut.leaves) {
    if (o.level > level) throw new InvalidArgumentError('vjp(): a tracer of an inner transformation escaped from the function');
  }
  const value = flatOut.rebuild(flatOut.leaves.map((o) => (o.level === level ? (o as VjpTracer).value : o))) as R;
  const pullback = (cotangent: R): A => {
    const cts = flatten(cotangent).leaves;
    assertSameLeafShapes(flatOut.leaves, cts, 'vjp(): the pullback cotangent');
    const outTracers: VjpTracer[] = [];
    const outCts: Tensor[] = [];
    flatOut.leaves.forEach((o, i) => {
      if (o.level === level) {
        outTracers.push(o as VjpTracer);
        outCts.push(cts[i]!);
      }
    });
    const grads = trace.backward(outTracers, outCts, leafTracers, add);
    return flatIn.rebuild(grads.map((g, i) => g ?? zerosLike(flatIn.leaves[i]!))) as A;
  };
  return [value, pullback];
}

/**
 * Forward mode: evaluates `f(...primals)` and the directional derivative along `tangents`
 * (same tree structure as `primals`).
 *
 * @example
 * const [y, dy] = jvp((x) => exp(x), [tensor([0, 1])], [tensor([1, 1])]); // dy = [1, e]
 */
export function jvp<A extends unknown[], R>(f: (...args: A) => R, primals: A, tangents: A): [R, R] {
  if (!Array.isArray(primals) || !Array.isArray(tangents)) {
    throw new InvalidArgumentError(`jvp(): primals and tangents must be argument lists (arrays), e.g. jvp(f, [x], [v]); got ${describeValue(primals)} and ${describeValue(tangents)}`);
  }
  for (let i = 0; i < primals.length; i++) assertDifferentiable(primals[i], i, 'jvp()');
  const level = newLevel();
  const trace = new JvpTrace(level);
  const flatP = flatten(primals);
  const flatT = flatten(tangents);
  assertSameLeafShapes(flatP.leaves, flatT.leaves, 'jvp(): tangents');
  const tracers = flatP.leaves.map((p, i) => new JvpTracer(trace, p, flatT.leaves[i]!));
  const out = f(...(flatP.rebuild(tracers) as A));
  const flatOut = flatten(out);
  const values: Tensor[] = [];
  const tans: Tensor[] = [];
  for (const o of flatOut.leaves) {
    if (o.level > level) throw new InvalidArgumentError('jvp(): a tracer of an inner transformation escaped from the function');
    if (o.level === level) {
      values.push((o as JvpTracer).primal);
      tans.push((o as JvpTracer).tangent);
    } else {
      values.push(o);
      tans.push(zerosLike(o));
    }
  }
  return [flatOut.rebuild(values) as R, flatOut.rebuild(tans) as R];
}

/** Which arguments to differentiate: one index (result is that gradient) or several (a tuple). */
export type Argnums = number | readonly number[];

/** Options of `grad` and `valueAndGrad`. */
export interface GradOptions<N extends Argnums = Argnums> {
  /** Argument index, or list of indices, to differentiate (default 0). */
  argnums?: N;
}

/**
 * The type of the gradient for `argnums` N over argument list A: a single index gives that
 * argument's type (a parameter tree keeps its structure), a tuple of indices a tuple.
 */
export type GradOf<A extends readonly unknown[], N> = N extends number
  ? A[N]
  : N extends readonly number[]
    ? { -readonly [K in keyof N]: A[N[K] & number] }
    : A[0];

/** The Jacobian type for `argnums` N: one tensor, or a tuple of tensors for a tuple of indices. */
export type JacobianOf<N> = N extends readonly number[] ? { -readonly [K in keyof N]: Tensor } : Tensor;

const GRAD_KEYS = ['argnums'] as const;

function selectArgs(args: readonly unknown[], argnums: Argnums, fname: string): number[] {
  const list = typeof argnums === 'number' ? [argnums] : Array.isArray(argnums) ? [...(argnums as number[])] : null;
  if (list === null || list.length === 0) {
    throw new InvalidArgumentError(`${fname}: argnums must be an argument index or a non-empty list of indices, got ${JSON.stringify(argnums)}`);
  }
  for (const a of list) {
    if (!Number.isInteger(a) || a < 0 || a >= args.length) {
      throw new InvalidArgumentError(`${fname}: argnums ${a} is out of range for ${args.length} argument${args.length === 1 ? '' : 's'}`);
    }
  }
  return list;
}

/** Throws `InvalidArgumentError` if argument `a` (to be differentiated) has a non-tensor leaf. */
function assertDifferentiable(arg: unknown, a: number, fname: string): void {
  const path = nonTensorLeafPath(arg);
  if (path !== null) {
    const leaf = path.leaf;
    const what = typeof leaf === 'number' ? `the number ${leaf}` : leaf === null ? 'null' : Array.isArray(leaf) ? 'an empty array' : typeof leaf;
    throw new InvalidArgumentError(
      `${fname}: argument ${a} is differentiated but its leaf ${path.path || '(the argument itself)'} is ${what}, not a Tensor; ` +
        `wrap numbers with tensor(...) or pass them as a non-differentiated argument`,
    );
  }
}

function scalarOutput(out: unknown, fname: string): Tensor {
  const leaves = flatten(out).leaves;
  if (leaves.length !== 1 || leaves[0]!.size !== 1) {
    const shapes = leaves.map((l) => formatShape(l.shape)).join(', ');
    throw new ShapeError(`${fname}: the function must return a single scalar tensor, got ${leaves.length} tensor(s) with shape(s) ${shapes}`);
  }
  return leaves[0]!;
}

function valueAndGradNamed<A extends unknown[], N extends Argnums>(f: (...args: A) => Tensor, opts: GradOptions<N> | undefined, fname: string): (...args: A) => [Tensor, GradOf<A, N>] {
  checkOptions(opts, GRAD_KEYS, fname);
  const argnums: Argnums = opts?.argnums ?? 0;
  return (...args: A) => {
    const idx = selectArgs(args, argnums, fname);
    for (const a of idx) assertDifferentiable(args[a], a, fname);
    const partial = (...diffArgs: unknown[]): Tensor => {
      const full = [...args] as unknown[];
      idx.forEach((a, i) => (full[a] = diffArgs[i]));
      return f(...(full as A));
    };
    const [out, pullback] = vjp(partial, ...idx.map((a) => args[a]));
    const y = scalarOutput(out, fname);
    const ct = new ConcreteTensor(new Float64Array(y.size).fill(1), [...y.shape]);
    const grads = pullback(ct);
    return [y, (typeof argnums === 'number' ? grads[0] : grads) as GradOf<A, N>];
  };
}

/**
 * Gradient and value of a scalar function, with respect to argument(s) `argnums` (default 0).
 * The gradient has the type of the argument (a parameter tree keeps its structure and keys); a
 * list of argnums gives a tuple. Differentiated arguments must hold tensors only.
 * @example
 * const [v, g] = valueAndGrad((x: Tensor) => sum(mul(x, x)))(tensor([1, 2])); // v = 5, g = [2, 4]
 * const [, [ga, gb]] = valueAndGrad((a: Tensor, b: Tensor) => sum(mul(a, b)), { argnums: [0, 1] })(tensor([1]), tensor([2]));
 */
export function valueAndGrad<A extends unknown[], const N extends Argnums = 0>(f: (...args: A) => Tensor, opts?: GradOptions<N>): (...args: A) => [Tensor, GradOf<A, N>] {
  return valueAndGradNamed(f, opts, 'valueAndGrad()');
}

/**
 * Gradient of a scalar function with respect to argument(s) `argnums` (default 0), typed like
 * the argument(s). Composes with every other transform: `grad(grad(f))`, `jvp(grad(f), ...)`, ...
 *
 * @example
 * grad((x: Tensor) => sum(relu(x)))(tensor([-1, 0, 2]))      // tensor([0, 0, 1])  (relu'(0) = 0, the minimal-norm choice)
 * grad((p: { w: Tensor }) => sum(mul(p.w, p.w)))({ w: tensor([1, 2]) }).w // tensor([2, 4])
 */
export function grad<A extends unknown[], const N extends Argnums = 0>(f: (...args: A) => Tensor, opts?: GradOptions<N>): (...args: A) => GradOf<A, N> {
  const vg = valueAndGradNamed(f, opts, 'grad()');
  return (...args: A) => vg(...args)[1];
}

/** Options of `jacobian`. */
export interface JacobianOptions<N extends Argnums = Argnums> {
  /** 'reverse' (one VJP per output element) or 'forward' (one JVP per input element). Default: the cheaper one. */
  mode?: 'forward' | 'reverse';
  /** Which argument (a tensor), or list of arguments, to differentiate. Default 0. */
  argnums?: N;
}

const JACOBIAN_KEYS = ['mode', 'argnums'] as const;

let repeatDepth = 0;

/**
 * True while a transform re-runs the user's function at the same point for its own purposes (the
 * columns after the first of a forward-mode `jacobian`, hence of `hessian`). Implicit functions use
 * it to keep `lastReport` on the evaluation the user asked for (docs/implicit.md, "Reports").
 */
export function isRepeatedEvaluation(): boolean {
  return repeatDepth > 0;
}

function repeated<T>(fn: () => T): T {
  repeatDepth++;
  try {
    return fn();
  } finally {
    repeatDepth--;
  }
}

/** The Jacobian of `f` with respect to the tensor argument `a`, shape `[...out.shape, ...in.shape]`. */
function jacobianOne<A extends unknown[]>(f: (...args: A) => Tensor, args: A, a: number, mode: JacobianOptions['mode'], fname: string): Tensor {
  const x = args[a];
  if (!(x instanceof Tensor)) {
    throw new InvalidArgumentError(`${fname}: argument ${a} must be a Tensor to take its Jacobian, got ${describeValue(x)}`);
  }
  const fx = (xi: Tensor): Tensor => {
    const full = [...args] as unknown[];
    full[a] = xi;
    const y = f(...(full as A));
    if (!(y instanceof Tensor)) throw new InvalidArgumentError(`${fname}: the function must return a Tensor, got ${describeValue(y)}`);
    return y;
  };
  const inShape = x.shape;
  const nIn = shapeSize(inShape);
  // forward mode runs f once per column: rewinding the random kink seeds makes every run select
  // the same Clarke element (one selection per evaluation, whatever the mode)
  const rewind = kinkRewinder();
  if (mode !== 'forward') {
    const [y, pullback] = vjp(fx, x);
    const nOut = y.size;
    if (mode === 'reverse' || nOut <= nIn) {
      if (nOut === 0) return new ConcreteTensor(new Float64Array(0), [...y.shape, ...inShape]);
      const rows: Tensor[] = [];
      for (let i = 0; i < nOut; i++) {
        const e = new Float64Array(nOut);
        e[i] = 1;
        rows.push(pullback(new ConcreteTensor(e, [...y.shape]))[0]);
      }
      return reshape(stack(rows), [...y.shape, ...inShape]);
    }
  }
  if (nIn === 0) throw new ShapeError(`${fname}: argument ${a} has no elements`);
  const cols: Tensor[] = [];
  let outShape: number[] = [];
  for (let j = 0; j < nIn; j++) {
    const e = new Float64Array(nIn);
    e[j] = 1;
    rewind();
    const run = (): [Tensor, Tensor] => jvp(fx, [x], [new ConcreteTensor(e, [...inShape])]);
    const [y, dy] = j === 0 ? run() : repeated(run);
    outShape = y.shape;
    cols.push(dy);
  }
  const J = stack(cols, { axis: cols[0]!.ndim }); // columns along a new last axis
  return reshape(J, [...outShape, ...inShape]);
}

/**
 * Jacobian of a tensor-to-tensor function with respect to argument(s) `argnums` (default 0, each
 * a Tensor): shape `[...out.shape, ...in.shape]`; a list of argnums gives a tuple of Jacobians.
 * Built from VJPs or JVPs that are themselves differentiable, so `jacobian(jacobian(f))` works.
 * Under a random kink policy one selection serves every row/column (forward equals reverse).
 * @example
 * jacobian((x: Tensor) => mul(x, x))(tensor([1, 2]))                     // tensor([[2, 0], [0, 4]])
 * jacobian((x: Tensor) => relu(x), { mode: 'forward' })(tensor([-1, 3])) // tensor([[0, 0], [0, 1]])
 */
export function jacobian<A extends unknown[], const N extends Argnums = 0>(f: (...args: A) => Tensor, opts?: JacobianOptions<N>): (...args: A) => JacobianOf<N> {
  return jacobianNamed(f, opts, 'jacobian()');
}

function jacobianNamed<A extends unknown[], N extends Argnums>(f: (...args: A) => Tensor, opts: JacobianOptions<N> | undefined, fname: string): (...args: A) => JacobianOf<N> {
  checkOptions(opts, JACOBIAN_KEYS, fname);
  const mode = opts?.mode;
  if (mode !== undefined && mode !== 'forward' && mode !== 'reverse') {
    throw new InvalidArgumentError(`${fname}: mode must be 'forward' or 'reverse', got ${JSON.stringify(mode)}`);
  }
  const argnums: Argnums = opts?.argnums ?? 0;
  return (...args: A) => {
    const idx = selectArgs(args, argnums, fname);
    const js = idx.map((a) => jacobianOne(f, args, a, mode, fname));
    return (typeof argnums === 'number' ? js[0] : js) as JacobianOf<N>;
  };
}

/** Options of `hessian`. */
export interface HessianOptions {
  /** Which argument (a tensor) to differentiate twice. Default 0. */
  argnums?: number;
}

/**
 * Hessian of a scalar function with respect to one tensor argument (forward-over-reverse), shape
 * `[...x.shape, ...x.shape]`.
 * @example hessian((x: Tensor) => sum(mul(mul(x, x), x)))(tensor([1, 2])) // tensor([[6, 0], [0, 12]])
 */
export function hessian<A extends unknown[]>(f: (...args: A) => Tensor, opts?: HessianOptions): (...args: A) => Tensor {
  checkOptions(opts, ['argnums'], 'hessian()');
  const argnums = opts?.argnums ?? 0;
  if (typeof argnums !== 'number') throw new InvalidArgumentError(`hessian(): argnums must be one argument index, got ${JSON.stringify(argnums)}`);
  const g = valueAndGradNamed(f, { argnums }, 'hessian()');
  return jacobianNamed((...args: A) => g(...args)[1] as Tensor, { mode: 'forward', argnums }, 'hessian()') as (...args: A) => Tensor;
}

/**
 * Hessian-vector product: the tangent of ∇f (the gradient with respect to the first argument)
 * along `tangents`, by forward-over-reverse (one JVP of the gradient). `primals` and `tangents`
 * are argument lists (trees allowed); with one argument x, `hvp(f, [x], [v])` is ∇²f(x)·v.
 * @example
 * hvp((x: Tensor) => sum(mul(mul(x, x), x)), [tensor([1, 2])], [tensor([1, 0])]) // tensor([6, 0])
 */
export function hvp<A extends unknown[]>(f: (...args: A) => Tensor, primals: A, tangents: A): A[0] {
  if (!Array.isArray(primals) || !Array.isArray(tangents)) {
    throw new InvalidArgumentError(`hvp(): primals and tangents must be argument lists (arrays), e.g. hvp(f, [x], [v]); got ${describeValue(primals)} and ${describeValue(tangents)}`);
  }
  const g = valueAndGradNamed(f, undefined, 'hvp()');
  return jvp((...args: A) => g(...args)[1], primals, tangents)[1];
}

// ---------------------------------------------------------------------------------------------
// Custom derivatives

function zerosFor(ts: readonly Tensor[], given: readonly (Tensor | null)[]): Tensor[] {
  return ts.map((t, i) => given[i] ?? zerosLike(t));
}

/**
 * Binds tree-level user functions as a CustomRule and returns the output tree. The primal runs
 * once, at level 0, and records the output structure used to rebuild trees for the rules.
 */
function applyCustom(
  name: string,
  f: (...args: unknown[]) => Tree,
  args: unknown[],
  jvpRule?: (primals: unknown[], tangents: unknown[], out: Tree) => Tree,
  vjpRule?: (primals: unknown[], out: Tree, cotangent: Tree) => unknown[],
): Tree {
  const flatIn = flatten(args);
  const asArgs = (ls: readonly Tensor[]) => flatIn.rebuild(ls) as unknown[];
  let outRebuild: ((ls: readonly Tensor[]) => Tree) | null = null;
  const rule: { -readonly [K in keyof CustomRule]: CustomRule[K] } = {
    name,
    primal: (inputs) => {
      const flat = flatten(f(...asArgs(inputs)));
      outRebuild = flat.rebuild;
      return flat.leaves;
    },
  };
  if (jvpRule) {
    rule.jvp = (primals, tangents, outs) => flatten(jvpRule(asArgs(primals), asArgs(zerosFor(primals, tangents)), outRebuild!(outs))).leaves;
  }
  if (vjpRule) {
    rule.vjp = (primals, outs, cts) => {
      const g = flatten(vjpRule(asArgs(primals), outRebuild!(outs), outRebuild!(zerosFor(outs, cts)))).leaves;
      assertSameLeafShapes(primals as Tensor[], g, `${name}: cotangents returned by the VJP rule`);
      return g;
    };
  }
  const outs = bindCustom(rule, flatIn.leaves);
  return outRebuild!(outs);
}

/** Options of `customJvp` and `customVjp`. */
export interface CustomRuleOptions {
  /** The name shown in error messages about the rule (default `'customJvp'` / `'customVjp'`). */
  name?: string;
}

/**
 * Gives `f` its own forward-mode rule `jvpRule(primals, tangents, out) → output tangent`
 * (tangents of non-differentiated inputs arrive as zeros). Reverse mode is obtained by
 * transposing the rule (it is linear in the tangents), so grad/vjp work too.
 *
 * @example
 * // |x| with derivative sign(x) (1 at 0 instead of the default 0)
 * const myAbs = customJvp((x: Tensor) => abs(x), ([x], [dx]) => mul(where(greaterEqual(x, 0), 1, -1), dx), { name: 'myAbs' });
 */
export function customJvp<A extends unknown[], R>(f: (...args: A) => R, jvpRule: (primals: A, tangents: A, out: R) => R, opts?: CustomRuleOptions): (...args: A) => R {
  checkOptions(opts, ['name'], 'customJvp()');
  const name = opts?.name ?? 'customJvp';
  return (...args: A) => applyCustom(name, f as never, args, jvpRule as never) as R;
}

/**
 * Gives `f` its own reverse-mode rule `vjpRule(primals, out, cotangent) → cotangents of the
 * arguments` (a tuple shaped like the argument list). Forward mode is obtained by transposing
 * the rule, so jvp/hessian work too.
 *
 * @example
 * // identity whose gradient is clipped to [-1, 1]
 * const clipGrad = customVjp((x: Tensor) => x, (_p, _y, g: Tensor) => [clip(g, -1, 1)]);
 */
export function customVjp<A extends unknown[], R>(f: (...args: A) => R, vjpRule: (primals: A, out: R, cotangent: R) => unknown[], opts?: CustomRuleOptions): (...args: A) => R {
  checkOptions(opts, ['name'], 'customVjp()');
  const name = opts?.name ?? 'customVjp';
  return (...args: A) => applyCustom(name, f as never, args, undefined, vjpRule as never) as R;
}

// Fallbacks: transpose a one-directional custom rule by reverse-mode differentiation of it.
installFallbacks({
  jvpFromVjp: (rule, primals, outs, tangents) => {
    // ct ↦ vjp(ct) is linear with matrix Jᵀ; its VJP applied to the tangent gives J t.
    const zeroCts = outs.map((o) => zerosLike(o));
    const [, pullback] = vjp((...cts: Tensor[]) => rule.vjp!(primals, outs, cts).map((g, j) => g ?? zerosLike(primals[j]!)), ...zeroCts);
    return pullback(zerosFor(primals, tangents));
  },
  vjpFromJvp: (rule, primals, outs, cts) => {
    // t ↦ jvp(t) is linear with matrix J; its VJP applied to the cotangent gives Jᵀ c.
    const zeroTs = primals.map((p) => zerosLike(p));
    const [, pullback] = vjp((...ts: Tensor[]) => rule.jvp!(primals, ts, outs).map((t, i) => t ?? zerosLike(outs[i]!)), ...zeroTs);
    return pullback(zerosFor(outs, cts));
  },
});
