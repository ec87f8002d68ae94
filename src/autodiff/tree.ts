/**
 * @file Parameter trees: nested arrays and plain objects whose leaves are tensors. Transforms
 * flatten their arguments to a list of leaves and rebuild the same structure for results.
 * Non-tensor leaves (numbers, strings, null, functions) are static: passed through unchanged and
 * never differentiated.
 */
import { ShapeError } from '../core/errors.js';
import { formatShape, shapesEqual, Tensor } from '../core/tensor.js';

/** Anything transforms accept as an argument or result. */
export type Tree = unknown;

/** A flattened tree of type T: its tensor leaves and a function that rebuilds the structure. */
export interface Flat<T = Tree> {
  leaves: Tensor[];
  rebuild(leaves: readonly Tensor[]): T;
}

/**
 * Flattens a tree into its tensor leaves (depth-first, object keys in insertion order);
 * `rebuild` returns a tree of the same type with the given leaves.
 * @example
 * const { leaves, rebuild } = flatten({ w: tensor([1, 2]), b: scalar(0) });
 * rebuild(leaves.map((t) => mul(t, 2))).w; // tensor([2, 4])
 */
export function flatten<T>(tree: T): Flat<T> {
  const leaves: Tensor[] = [];
  const build = walk(tree, leaves);
  return { leaves, rebuild: (ls) => build(ls, { i: 0 }) as T };
}

/**
 * The path (`[1].w`, `.layers[0]`...) and value of the first leaf of `tree` that is not a Tensor,
 * or null when every leaf is a tensor. An empty array or object has no leaves.
 */
export function nonTensorLeafPath(tree: Tree, path = ''): { path: string; leaf: unknown } | null {
  if (tree instanceof Tensor) return null;
  if (Array.isArray(tree)) {
    for (let i = 0; i < tree.length; i++) {
      const r = nonTensorLeafPath(tree[i], `${path}[${i}]`);
      if (r) return r;
    }
    return null;
  }
  if (tree !== null && typeof tree === 'object' && Object.getPrototypeOf(tree) === Object.prototype) {
    for (const k of Object.keys(tree)) {
      const r = nonTensorLeafPath((tree as Record<string, Tree>)[k], /^[A-Za-z_$][\w$]*$/.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]`);
      if (r) return r;
    }
    return null;
  }
  return { path, leaf: tree };
}

type Builder = (ls: readonly Tensor[], cursor: { i: number }) => Tree;

function walk(node: Tree, leaves: Tensor[]): Builder {
  if (node instanceof Tensor) {
    leaves.push(node);
    return (ls, c) => ls[c.i++]!;
  }
  if (Array.isArray(node)) {
    const parts = node.map((n) => walk(n, leaves));
    return (ls, c) => parts.map((p) => p(ls, c));
  }
  if (node !== null && typeof node === 'object' && Object.getPrototypeOf(node) === Object.prototype) {
    const keys = Object.keys(node);
    const parts = keys.map((k) => walk((node as Record<string, Tree>)[k], leaves));
    return (ls, c) => {
      const out: Record<string, Tree> = {};
      keys.forEach((k, i) => (out[k] = parts[i]!(ls, c)));
      return out;
    };
  }
  return () => node; // static leaf
}

/** Throws a ShapeError unless two leaf lists have the same count and shapes. */
export function assertSameLeafShapes(a: readonly Tensor[], b: readonly Tensor[], what: string): void {
  if (a.length !== b.length) throw new ShapeError(`${what}: expected ${a.length} tensors in the tree, got ${b.length}`);
  for (let i = 0; i < a.length; i++) {
    if (!shapesEqual(a[i]!.shape, b[i]!.shape)) {
      throw new ShapeError(`${what}: leaf ${i} has shape ${formatShape(b[i]!.shape)}, expected ${formatShape(a[i]!.shape)}`);
    }
  }
}

/**
 * Maps a function over the tensor leaves of a tree; the result has the tree's type.
 * @example
 * treeMap({ w: tensor([1, 2]), b: scalar(1) }, (t) => mul(t, 0.5)).w; // tensor([0.5, 1])
 */
export function treeMap<T>(tree: T, f: (t: Tensor) => Tensor): T {
  const flat = flatten(tree);
  return flat.rebuild(flat.leaves.map(f));
}
