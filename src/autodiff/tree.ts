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

/** A flattened tree: its tensor leaves and a function that rebuilds the structure. */
export interface Flat {
  leaves: Tensor[];
  rebuild(leaves: readonly Tensor[]): Tree;
}

/** Flattens a tree into its tensor leaves (depth-first, object keys in insertion order). */
export function flatten(tree: Tree): Flat {
  const leaves: Tensor[] = [];
  const build = walk(tree, leaves);
  return { leaves, rebuild: (ls) => build(ls, { i: 0 }) };
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

/** Maps a function over the tensor leaves of a tree. */
export function treeMap(tree: Tree, f: (t: Tensor) => Tensor): Tree {
  const flat = flatten(tree);
  return flat.rebuild(flat.leaves.map(f));
}
