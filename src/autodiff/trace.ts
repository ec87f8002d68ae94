/**
 * @file The transformation engine: `bind` dispatches a primitive to the innermost active
 * transformation among its inputs; forward mode (`JvpTrace`) carries tangents, reverse mode
 * (`VjpTrace`) records a tape. Derivative rules are themselves written with differentiable ops,
 * so traces nest: grad∘grad, jvp∘grad (Hessian-vector products), vjp∘jvp all work.
 *
 * Levels: every transformation call gets a fresh, increasing level; a tracer belongs to exactly
 * one level, concrete tensors have level 0. `bind` hands a primitive to the trace of the highest
 * level present among its inputs, whose rule computes on the values one level down. This is the
 * eager version of JAX's tracing interpreters (Autodidax), with a tape instead of linearize+transpose.
 */
import { MissingRuleError, ShapeError } from '../core/errors.js';
import { ConcreteTensor, formatShape, shapesEqual, Tensor } from '../core/tensor.js';
import type { Prim, PrimParams } from './primitives.js';

/** A derivative-aware primitive: concrete kernel plus forward and reverse rules. */
export interface PrimDef<P extends Prim> {
  readonly prim: P;
  /** Concrete evaluation on level-0 inputs. */
  impl(inputs: readonly ConcreteTensor[], params: PrimParams[P]): ConcreteTensor;
  /**
   * Forward rule: tangent of the output given input tangents (`null` = zero tangent).
   * Written with ops, so it is itself differentiable. Return `null` for a zero tangent.
   */
  jvp(primals: readonly Tensor[], tangents: readonly (Tensor | null)[], out: Tensor, params: PrimParams[P]): Tensor | null;
  /**
   * Reverse rule: cotangents of the inputs given the output cotangent (`null` = zero), each with
   * exactly the input's shape. Written with ops, so it is itself differentiable. `needed[i]` is
   * false for inputs that no derivative is requested for (constants): a rule may return `null`
   * there and skip the work.
   */
  vjp(cotangent: Tensor, primals: readonly Tensor[], out: Tensor, params: PrimParams[P], needed: readonly boolean[]): (Tensor | null)[];
}

/**
 * A multi-input, multi-output function with its own derivative rules (customJvp, customVjp,
 * implicit solution maps, matrix decompositions). At least one rule must be given; the other is
 * derived by transposition (reverse-mode differentiation of the given rule, which is linear).
 */
export interface CustomRule {
  readonly name: string;
  primal(inputs: readonly Tensor[]): Tensor[];
  jvp?(primals: readonly Tensor[], tangents: readonly (Tensor | null)[], outs: readonly Tensor[]): (Tensor | null)[];
  vjp?(primals: readonly Tensor[], outs: readonly Tensor[], cotangents: readonly (Tensor | null)[]): (Tensor | null)[];
}

/** Base of both trace kinds. */
export abstract class Trace {
  constructor(readonly level: number) {}
  abstract processPrimitive<P extends Prim>(def: PrimDef<P>, inputs: readonly Tensor[], params: PrimParams[P]): Tensor;
  abstract processCustom(rule: CustomRule, inputs: readonly Tensor[]): Tensor[];
}

/** A tensor carrying a value one level down plus its transformation's payload. */
export abstract class Tracer extends Tensor {
  abstract readonly trace: Trace;
  get level(): number {
    return this.trace.level;
  }
}

let levelCounter = 0;
/** @internal A fresh level for a new transformation call. */
export function newLevel(): number {
  return ++levelCounter;
}

/** Applies a primitive: concrete evaluation, or dispatch to the innermost active transformation. */
export function bind<P extends Prim>(def: PrimDef<P>, inputs: readonly Tensor[], params: PrimParams[P]): Tensor {
  let top: Tensor | null = null;
  let topLevel = 0;
  for (let i = 0; i < inputs.length; i++) {
    const l = inputs[i]!.level;
    if (l > topLevel) {
      topLevel = l;
      top = inputs[i]!;
    }
  }
  if (top === null) return def.impl(inputs as readonly ConcreteTensor[], params);
  return (top as Tracer).trace.processPrimitive(def, inputs, params);
}

/** Applies a custom rule (see `CustomRule`). */
export function bindCustom(rule: CustomRule, inputs: readonly Tensor[]): Tensor[] {
  let top: Tensor | null = null;
  let topLevel = 0;
  for (let i = 0; i < inputs.length; i++) {
    const l = inputs[i]!.level;
    if (l > topLevel) {
      topLevel = l;
      top = inputs[i]!;
    }
  }
  if (top === null) return rule.primal(inputs);
  return (top as Tracer).trace.processCustom(rule, inputs);
}

/** A custom rule must return one (possibly null) tensor per slot, each with the slot's shape. */
function checkRuleShapes(name: string, what: string, expected: readonly Tensor[], got: readonly (Tensor | null)[]): void {
  if (got.length !== expected.length) {
    throw new ShapeError(`custom function '${name}': ${what} list of length ${got.length}, expected ${expected.length}`);
  }
  for (let i = 0; i < got.length; i++) {
    const g = got[i];
    if (g && !shapesEqual(g.shape, expected[i]!.shape)) {
      throw new ShapeError(`custom function '${name}': ${what} of shape ${formatShape(g.shape)} in slot ${i}, expected ${formatShape(expected[i]!.shape)}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Forward mode

export class JvpTracer extends Tracer {
  constructor(
    readonly trace: JvpTrace,
    readonly primal: Tensor,
    readonly tangent: Tensor,
  ) {
    super();
  }
  get shape(): number[] {
    return this.primal.shape;
  }
  get data(): Float64Array {
    return this.primal.data;
  }
}

export class JvpTrace extends Trace {
  processPrimitive<P extends Prim>(def: PrimDef<P>, inputs: readonly Tensor[], params: PrimParams[P]): Tensor {
    const n = inputs.length;
    const primals = new Array<Tensor>(n);
    const tangents = new Array<Tensor | null>(n);
    let any = false;
    for (let i = 0; i < n; i++) {
      const x = inputs[i]!;
      if (x.level === this.level) {
        primals[i] = (x as JvpTracer).primal;
        tangents[i] = (x as JvpTracer).tangent;
        any = true;
      } else {
        primals[i] = x;
        tangents[i] = null;
      }
    }
    const out = bind(def, primals, params);
    if (!any) return out;
    const t = def.jvp(primals, tangents, out, params);
    return t === null ? out : new JvpTracer(this, out, t);
  }

  processCustom(rule: CustomRule, inputs: readonly Tensor[]): Tensor[] {
    const primals = inputs.map((x) => (x.level === this.level ? (x as JvpTracer).primal : x));
    const tangents = inputs.map((x) => (x.level === this.level ? (x as JvpTracer).tangent : null));
    const outs = bindCustom(rule, primals);
    const touts = rule.jvp ? rule.jvp(primals, tangents, outs) : jvpFromVjp(rule, primals, tangents, outs);
    checkRuleShapes(rule.name, 'JVP rule returned a tangent', outs, touts);
    return outs.map((o, i) => (touts[i] ? new JvpTracer(this, o, touts[i]!) : o));
  }
}

// ---------------------------------------------------------------------------------------------
// Reverse mode

/** A tape entry: one primitive or custom application. */
interface TapeNode {
  /** Propagates this node's output cotangent(s) to its inputs. */
  backward(cts: readonly (Tensor | null)[]): readonly (Tensor | null)[];
  /** Tape nodes of the inputs (null for inputs not tracked at this level), with output slot. */
  readonly parents: readonly (VjpTracer | null)[];
  /** Output tracers (for custom rules there may be several). */
  readonly outputs: VjpTracer[];
}

export class VjpTracer extends Tracer {
  /** Accumulated cotangent during a backward pass. */
  ct: Tensor | null = null;
  constructor(
    readonly trace: VjpTrace,
    readonly value: Tensor,
    /** The node that produced this tracer (null for a leaf input). */
    readonly node: TapeNode | null,
  ) {
    super();
  }
  get shape(): number[] {
    return this.value.shape;
  }
  get data(): Float64Array {
    return this.value.data;
  }
}

export class VjpTrace extends Trace {
  readonly tape: TapeNode[] = [];

  processPrimitive<P extends Prim>(def: PrimDef<P>, inputs: readonly Tensor[], params: PrimParams[P]): Tensor {
    const n = inputs.length;
    const values = new Array<Tensor>(n);
    const parents = new Array<VjpTracer | null>(n);
    for (let i = 0; i < n; i++) {
      const x = inputs[i]!;
      if (x.level === this.level) {
        values[i] = (x as VjpTracer).value;
        parents[i] = x as VjpTracer;
      } else {
        values[i] = x;
        parents[i] = null;
      }
    }
    const out = bind(def, values, params);
    const needed = parents.map((p) => p !== null);
    const node: TapeNode = {
      parents,
      outputs: [],
      backward: (cts) => def.vjp(cts[0]!, values, out, params, needed),
    };
    const tracer = new VjpTracer(this, out, node);
    node.outputs.push(tracer);
    this.tape.push(node);
    return tracer;
  }

  processCustom(rule: CustomRule, inputs: readonly Tensor[]): Tensor[] {
    const values = inputs.map((x) => (x.level === this.level ? (x as VjpTracer).value : x));
    const parents = inputs.map((x) => (x.level === this.level ? (x as VjpTracer) : null));
    const outs = bindCustom(rule, values);
    const node: TapeNode = {
      parents,
      outputs: [],
      backward: (cts) => {
        const g = rule.vjp ? rule.vjp(values, outs, cts) : vjpFromJvp(rule, values, outs, cts);
        checkRuleShapes(rule.name, 'VJP rule returned a cotangent', values, g);
        return g;
      },
    };
    for (const o of outs) node.outputs.push(new VjpTracer(this, o, node));
    this.tape.push(node);
    return node.outputs;
  }

  /**
   * Runs the reverse sweep from output tracers with the given cotangents and returns the
   * cotangents accumulated on `leaves`. May be called several times (state is reset each time).
   */
  backward(outputs: readonly VjpTracer[], cts: readonly Tensor[], leaves: readonly VjpTracer[], addFn: (a: Tensor, b: Tensor) => Tensor): (Tensor | null)[] {
    for (const node of this.tape) for (const o of node.outputs) o.ct = null;
    for (const l of leaves) l.ct = null;
    for (let i = 0; i < outputs.length; i++) {
      const o = outputs[i]!;
      o.ct = o.ct ? addFn(o.ct, cts[i]!) : cts[i]!;
    }
    for (let k = this.tape.length - 1; k >= 0; k--) {
      const node = this.tape[k]!;
      let any = false;
      const outCts = node.outputs.map((o) => {
        if (o.ct) any = true;
        return o.ct;
      });
      if (!any) continue;
      const inCts = node.backward(outCts);
      for (let i = 0; i < node.parents.length; i++) {
        const p = node.parents[i];
        const c = inCts[i];
        if (p && c) p.ct = p.ct ? addFn(p.ct, c) : c;
      }
    }
    return leaves.map((l) => l.ct);
  }
}

// ---------------------------------------------------------------------------------------------
// Fallbacks for custom rules given in one direction only. A JVP rule is linear in the tangents,
// so its transpose (the VJP) is the reverse-mode derivative of t ↦ jvp(p, t) — one extra
// reverse pass, no Jacobian materialised; symmetrically for a VJP rule. Installed by
// `transforms.ts`, which owns `vjp` (this avoids an import cycle).

type Fallback = (rule: CustomRule, primals: readonly Tensor[], outs: readonly Tensor[], given: readonly (Tensor | null)[]) => (Tensor | null)[];
let jvpViaVjp: Fallback | null = null;
let vjpViaJvp: Fallback | null = null;

/** @internal */
export function installFallbacks(f: { jvpFromVjp: Fallback; vjpFromJvp: Fallback }): void {
  jvpViaVjp = f.jvpFromVjp;
  vjpViaJvp = f.vjpFromJvp;
}

function jvpFromVjp(rule: CustomRule, primals: readonly Tensor[], tangents: readonly (Tensor | null)[], outs: readonly Tensor[]): (Tensor | null)[] {
  if (!rule.vjp) throw new MissingRuleError(`custom function '${rule.name}' has no derivative rule`);
  return jvpViaVjp!(rule, primals, outs, tangents);
}

function vjpFromJvp(rule: CustomRule, primals: readonly Tensor[], outs: readonly Tensor[], cts: readonly (Tensor | null)[]): (Tensor | null)[] {
  if (!rule.jvp) throw new MissingRuleError(`custom function '${rule.name}' has no derivative rule`);
  return vjpViaJvp!(rule, primals, outs, cts);
}
