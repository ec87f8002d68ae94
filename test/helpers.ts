/**
 * @file Test oracles shared by the suites: finite differences (4th-order central, Richardson),
 * closeness assertions, and the JVP/VJP dot-product test ⟨J v, w⟩ = ⟨v, Jᵀ w⟩.
 */
import assert from 'node:assert/strict';
import { tensor, Tensor, jvp, vjp, rng } from '../src/index.js';
import { flatten } from '../src/autodiff/tree.js';

export type Fn = (...args: Tensor[]) => Tensor;

/** Max relative error max|a−b| / max(1, max|b|) ≤ rtol (with the numbers in the message). */
export function assertClose(actual: Tensor | ArrayLike<number> | number, expected: Tensor | ArrayLike<number> | number, rtol = 1e-9, what = 'value'): void {
  const a = toArr(actual);
  const b = toArr(expected);
  assert.equal(a.length, b.length, `${what}: length ${a.length} vs ${b.length}`);
  let maxDiff = 0;
  let scale = 1;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]!) || Number.isNaN(b[i]!)) assert.fail(`${what}: NaN at ${i} (${a[i]} vs ${b[i]})`);
    maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  assert.ok(maxDiff / scale <= rtol, `${what}: relative error ${(maxDiff / scale).toExponential(3)} > ${rtol}\n  actual   ${fmt(a)}\n  expected ${fmt(b)}`);
}

function toArr(x: Tensor | ArrayLike<number> | number): Float64Array {
  if (typeof x === 'number') return Float64Array.of(x);
  if (x instanceof Tensor) return x.data;
  return Float64Array.from(x);
}
function fmt(a: Float64Array): string {
  const s = Array.from(a.slice(0, 8), (v) => v.toPrecision(10)).join(', ');
  return `[${s}${a.length > 8 ? ', …' : ''}]`;
}

/** Directional derivative of f at xs along vs by 4th-order central differences. */
export function fdDirectional(f: Fn, xs: Tensor[], vs: Tensor[], h = 1e-3): Float64Array {
  const at = (t: number): Float64Array => {
    const moved = xs.map((x, i) => {
      const d = new Float64Array(x.size);
      for (let k = 0; k < d.length; k++) d[k] = x.data[k]! + t * vs[i]!.data[k]!;
      return tensor(d, x.shape);
    });
    return Float64Array.from(f(...moved).data);
  };
  const p1 = at(h), m1 = at(-h), p2 = at(2 * h), m2 = at(-2 * h);
  const out = new Float64Array(p1.length);
  for (let i = 0; i < out.length; i++) out[i] = (8 * (p1[i]! - m1[i]!) - (p2[i]! - m2[i]!)) / (12 * h);
  return out;
}

/** Random tensors with the shapes of `xs`. */
export function randomLike(xs: Tensor[], seed: number, scale = 1): Tensor[] {
  const g = rng(seed);
  return xs.map((x) => g.normal(x.shape, 0, scale));
}

export interface FdOptions {
  rtol?: number;
  seed?: number;
  h?: number;
  /** Function whose finite differences are the expected derivative (default: f itself). */
  fdReference?: Fn;
}

/** JVP (forward mode) along random directions matches finite differences. */
export function checkJvpFd(f: Fn, xs: Tensor[], { rtol = 1e-7, seed = 1, h = 1e-3, fdReference }: FdOptions = {}): void {
  const vs = randomLike(xs, seed);
  const [, t] = jvp(f, xs, vs);
  assertClose(t, fdDirectional(fdReference ?? f, xs, vs, h), rtol, 'JVP vs finite differences');
}

/** VJP (reverse mode) matches finite differences through ⟨Jᵀw, v⟩ = ⟨w, J v⟩_FD. */
export function checkVjpFd(f: Fn, xs: Tensor[], { rtol = 1e-7, seed = 2, h = 1e-3, fdReference }: FdOptions = {}): void {
  const vs = randomLike(xs, seed);
  const [y, pullback] = vjp(f, ...xs);
  const w = rng(seed + 100).normal(y.shape);
  const cts = pullback(w) as Tensor[];
  let lhs = 0;
  cts.forEach((c, i) => (lhs += dotArr(c.data, vs[i]!.data)));
  const rhs = dotArr(w.data, fdDirectional(fdReference ?? f, xs, vs, h));
  assertClose(lhs, rhs, rtol, 'VJP vs finite differences (⟨Jᵀw, v⟩ vs ⟨w, J v⟩)');
}

/** Dot-product test between forward and reverse mode: ⟨J v, w⟩ = ⟨v, Jᵀ w⟩. */
export function checkDotProduct(f: Fn, xs: Tensor[], { rtol = 1e-12, seed = 3 } = {}): void {
  const vs = randomLike(xs, seed);
  const [y, jv] = jvp(f, xs, vs);
  const w = rng(seed + 7).normal(y.shape);
  const [, pullback] = vjp(f, ...xs);
  const cts = pullback(w) as Tensor[];
  let rhs = 0;
  cts.forEach((c, i) => (rhs += dotArr(c.data, vs[i]!.data)));
  assertClose(dotArr(jv.data, w.data), rhs, rtol, 'dot-product test ⟨Jv, w⟩ = ⟨v, Jᵀw⟩');
}

export function dotArr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** All three derivative checks at once. */
export function checkDerivatives(f: Fn, xs: Tensor[], opts: FdOptions = {}): void {
  checkJvpFd(f, xs, opts);
  checkVjpFd(f, xs, opts);
  checkDotProduct(f, xs, { seed: opts.seed });
}

/** Leaves of a tree as one flat Float64Array (for comparing parameter-tree gradients). */
export function flatValues(tree: unknown): Float64Array {
  const leaves = flatten(tree).leaves;
  const n = leaves.reduce((a, l) => a + l.size, 0);
  const out = new Float64Array(n);
  let o = 0;
  for (const l of leaves) {
    out.set(l.data, o);
    o += l.size;
  }
  return out;
}
