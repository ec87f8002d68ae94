/**
 * @file Composable function transformations: vjp, grad, valueAndGrad, jvp, jacobian, hessian,
 * customJvp, customVjp. Arguments and results may be parameter trees (see `tree.ts`).
 *
 * Every transform is eager: `f` runs once on tracers that record (reverse mode) or carry
 * tangents (forward mode). Because derivative rules are written with differentiable ops,
 * transforms nest in any order.
 */
import { InvalidArgumentError, ShapeError } from '../core/errors.js';
import { ConcreteTensor, formatShape, shapeSize, type Tensor } from '../core/tensor.js';
import { add } from '../ops/arithmetic.js';
import { reshape, zerosLike } from '../ops/shape.js';
import { stack } from '../ops/slicing.js';
import { bindCustom, installFallbacks, JvpTrace, JvpTracer, newLevel, VjpTrace, VjpTracer, type CustomRule } from './trace.js';
import { assertSameLeafShapes, flatten, type Tree } from './tree.js';

/**
 * Reverse mode: evaluates `f(...primals)` and returns its value with a pullback mapping an output
 * cotangent (same tree structure as the output) to cotangents of every argument.
 *
 * @example
 * const [y, pullback] = vjp((x) => mul(x, x), tensor([1, 2]));
 * pullback(tensor([1, 1])); // [[2, 4]]
 */
export function vjp<A extends unknown[], R>(f: (...args: A) => R, ...primals: A): [R, (cotangent: R) => A] {
  const level = newLevel();
  const trace = new VjpTrace(level);
  const flatIn = flatten(primals);
  const leafTracers = flatIn.leaves.map((x) => new VjpTracer(trace, x, null));
  const out = f(...(flatIn.rebuild(leafTracers) as A));
  const flatOut = flatten(out);
  for (const o of flatOut.leaves) {
    if (o.level > level) throw new InvalidArgumentError('vjp: a tracer of an inner transformation escaped from the function');
  }
  const value = flatOut.rebuild(flatOut.leaves.map((o) => (o.level === level ? (o as VjpTracer).value : o))) as R;
  const pullback = (cotangent: R): A => {
    const cts = flatten(cotangent).leaves;
    assertSameLeafShapes(flatOut.leaves, cts, 'vjp pullback cotangent');
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
  const level = newLevel();
  const trace = new JvpTrace(level);
  const flatP = flatten(primals);
  const flatT = flatten(tangents);
  assertSameLeafShapes(flatP.leaves, flatT.leaves, 'jvp tangents');
  const tracers = flatP.leaves.map((p, i) => new JvpTracer(trace, p, flatT.leaves[i]!));
  const out = f(...(flatP.rebuild(tracers) as A));
  const flatOut = flatten(out);
  const values: Tensor[] = [];
  const tans: Tensor[] = [];
  for (const o of flatOut.leaves) {
    if (o.level > level) throw new InvalidArgumentError('jvp: a tracer of an inner transformation escaped from the function');
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

function selectArgs(args: unknown[], argnums: Argnums, fname: string): number[] {
  const list = typeof argnums === 'number' ? [argnums] : [...argnums];
  for (const a of list) {
    if (!Number.isInteger(a) || a < 0 || a >= args.length) {
      throw new InvalidArgumentError(`${fname}: argnum ${a} is out of range for ${args.length} arguments`);
    }
  }
  return list;
}

function scalarOutput(out: unknown, fname: string): Tensor {
  const leaves = flatten(out).leaves;
  if (leaves.length !== 1 || leaves[0]!.size !== 1) {
    const shapes = leaves.map((l) => formatShape(l.shape)).join(', ');
    throw new ShapeError(`${fname}: the function must return a single scalar tensor, got ${leaves.length} tensor(s) with shape(s) ${shapes}`);
  }
  return leaves[0]!;
}

/**
 * Gradient and value of a scalar function, with respect to argument(s) `argnums` (default 0).
 * @example
 * const [v, g] = valueAndGrad((x) => sum(mul(x, x)))(tensor([1, 2])); // v = 5, g = [2, 4]
 */
export function valueAndGrad<A extends unknown[]>(f: (...args: A) => Tensor, argnums: Argnums = 0): (...args: A) => [Tensor, any] {
  return (...args: A) => {
    const idx = selectArgs(args, argnums, 'grad');
    const partial = (...diffArgs: unknown[]): Tensor => {
      const full = [...args] as unknown[];
      idx.forEach((a, i) => (full[a] = diffArgs[i]));
      return f(...(full as A));
    };
    const [out, pullback] = vjp(partial, ...idx.map((a) => args[a]));
    const y = scalarOutput(out, 'grad');
    const ct = new ConcreteTensor(new Float64Array(y.size).fill(1), [...y.shape]);
    const grads = pullback(ct);
    return [y, typeof argnums === 'number' ? grads[0] : grads];
  };
}

/**
 * Gradient of a scalar function with respect to argument(s) `argnums` (default 0). Composes with
 * every other transform: `grad(grad(f))`, `jvp(grad(f), ...)`, ...
 *
 * @example
 * grad((x) => sum(relu(x)))(tensor([-1, 0, 2])) // [0, 0, 1]   (relu'(0) = 0, the minimal-norm choice)
 */
export function grad<A extends unknown[]>(f: (...args: A) => Tensor, argnums: Argnums = 0): (...args: A) => any {
  const vg = valueAndGrad(f, argnums);
  return (...args: A) => vg(...args)[1];
}

/** Options of `jacobian`. */
export interface JacobianOptions {
  /** 'reverse' (one VJP per output element) or 'forward' (one JVP per input element). Default: the cheaper one. */
  mode?: 'forward' | 'reverse';
  /** Which argument (a tensor) to differentiate. Default 0. */
  argnum?: number;
}

/**
 * Jacobian of a tensor-to-tensor function: result shape `[...out.shape, ...in.shape]`.
 * Built from VJPs or JVPs that are themselves differentiable, so `jacobian(jacobian(f))` works.
 */
export function jacobian<A extends unknown[]>(f: (...args: A) => Tensor, opts: JacobianOptions = {}): (...args: A) => Tensor {
  return (...args: A) => {
    const argnum = opts.argnum ?? 0;
    const [a] = selectArgs(args, argnum, 'jacobian');
    const x = args[a!] as Tensor;
    const fx = (xi: Tensor): Tensor => {
      const full = [...args] as unknown[];
      full[a!] = xi;
      return f(...(full as A));
    };
    const inShape = x.shape;
    const nIn = shapeSize(inShape);
    let mode = opts.mode;
    if (reverseWanted(mode)) {
      const [y, pullback] = vjp(fx, x);
      const nOut = y.size;
      if (mode === undefined && nIn < nOut) mode = 'forward';
      else {
        const rows: Tensor[] = [];
        for (let i = 0; i < nOut; i++) {
          const e = new Float64Array(nOut);
          e[i] = 1;
          rows.push(pullback(new ConcreteTensor(e, [...y.shape]))[0]);
        }
        return reshape(stack(rows, 0), [...y.shape, ...inShape]);
      }
    }
    if (nIn === 0) throw new ShapeError('jacobian: the input has no elements');
    const cols: Tensor[] = [];
    let outShape: number[] = [];
    for (let j = 0; j < nIn; j++) {
      const e = new Float64Array(nIn);
      e[j] = 1;
      const [y, dy] = jvp(fx, [x], [new ConcreteTensor(e, [...inShape])]);
      outShape = y.shape;
      cols.push(dy);
    }
    const J = stack(cols, cols[0]!.ndim); // columns along a new last axis
    return reshape(J, [...outShape, ...inShape]);
  };
}

function reverseWanted(mode: JacobianOptions['mode']): boolean {
  return mode !== 'forward';
}

/**
 * Hessian of a scalar function of one tensor (forward-over-reverse), shape `[...x.shape, ...x.shape]`.
 * @example hessian((x) => sum(mul(mul(x, x), x)))(tensor([1, 2])) // [[6, 0], [0, 12]]
 */
export function hessian<A extends unknown[]>(f: (...args: A) => Tensor, argnum = 0): (...args: A) => Tensor {
  return jacobian(grad(f, argnum) as (...args: A) => Tensor, { mode: 'forward', argnum });
}

/**
 * Hessian-vector product ∇²f(x)·v by forward-over-reverse (one JVP of the gradient).
 */
export function hvp(f: (x: Tensor) => Tensor, x: Tensor, v: Tensor): Tensor {
  return jvp(grad(f) as (x: Tensor) => Tensor, [x], [v])[1];
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

/**
 * Gives `f` its own forward-mode rule `jvpRule(primals, tangents, out) → output tangent`
 * (tangents of non-differentiated inputs arrive as zeros). Reverse mode is obtained by
 * transposing the rule (it is linear in the tangents), so grad/vjp work too.
 *
 * @example
 * // |x| with derivative sign(x) (1 at 0 instead of the default 0)
 * const myAbs = customJvp((x: Tensor) => abs(x), ([x], [dx]) => mul(where(greaterEqual(x, 0), 1, -1), dx));
 */
export function customJvp<A extends unknown[], R>(f: (...args: A) => R, jvpRule: (primals: A, tangents: A, out: R) => R, name = 'customJvp'): (...args: A) => R {
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
export function customVjp<A extends unknown[], R>(f: (...args: A) => R, vjpRule: (primals: A, out: R, cotangent: R) => unknown[], name = 'customVjp'): (...args: A) => R {
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
