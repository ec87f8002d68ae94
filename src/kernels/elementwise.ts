/**
 * @file Elementwise kernels with NumPy broadcasting, on concrete tensors. Fast paths for equal
 * shapes and scalar operands; the general case walks a precomputed index map.
 */
import { broadcastIndexMap, broadcastShapes } from '../core/broadcast.js';
import { ConcreteTensor, shapeSize, shapesEqual } from '../core/tensor.js';

/** out[i] = f(x[i]). */
export function mapUnary(x: ConcreteTensor, f: (v: number) => number): ConcreteTensor {
  const a = x.data;
  const n = a.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = f(a[i]!);
  return new ConcreteTensor(out, x.shape);
}

/** out = f(a, b) elementwise with broadcasting. */
export function mapBinary(a: ConcreteTensor, b: ConcreteTensor, f: (x: number, y: number) => number, opName: string): ConcreteTensor {
  const ad = a.data;
  const bd = b.data;
  if (shapesEqual(a.shape, b.shape)) {
    const n = ad.length;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = f(ad[i]!, bd[i]!);
    return new ConcreteTensor(out, a.shape);
  }
  const shape = broadcastShapes(a.shape, b.shape, opName);
  const n = shapeSize(shape);
  const out = new Float64Array(n);
  if (bd.length === 1 && shapesEqual(shape, a.shape)) {
    const s = bd[0]!;
    for (let i = 0; i < n; i++) out[i] = f(ad[i]!, s);
  } else if (ad.length === 1 && shapesEqual(shape, b.shape)) {
    const s = ad[0]!;
    for (let i = 0; i < n; i++) out[i] = f(s, bd[i]!);
  } else if (shapesEqual(shape, a.shape) && isTrailing(b.shape, shape)) {
    // b repeats along leading axes (a bias row added to a batch): index i mod |b|
    const m = bd.length;
    for (let i = 0, j = 0; i < n; i++, j = j + 1 === m ? 0 : j + 1) out[i] = f(ad[i]!, bd[j]!);
  } else if (shapesEqual(shape, b.shape) && isTrailing(a.shape, shape)) {
    const m = ad.length;
    for (let i = 0, j = 0; i < n; i++, j = j + 1 === m ? 0 : j + 1) out[i] = f(ad[j]!, bd[i]!);
  } else {
    const ia = broadcastIndexMap(a.shape, shape);
    const ib = broadcastIndexMap(b.shape, shape);
    for (let i = 0; i < n; i++) out[i] = f(ad[ia[i]!]!, bd[ib[i]!]!);
  }
  return new ConcreteTensor(out, shape);
}

/** True when `s` (leading 1s ignored) equals the trailing axes of `full`: it repeats along the leading axes only. */
function isTrailing(s: readonly number[], full: readonly number[]): boolean {
  let k = 0;
  while (k < s.length && s[k] === 1) k++;
  const rest = s.length - k;
  if (rest === 0 || rest > full.length) return false;
  for (let i = 0; i < rest; i++) if (s[k + i] !== full[full.length - rest + i]) return false;
  return true;
}

/** out = f(a, b, c) elementwise with three-way broadcasting (used by `where`). */
export function mapTernary(a: ConcreteTensor, b: ConcreteTensor, c: ConcreteTensor, f: (x: number, y: number, z: number) => number, opName: string): ConcreteTensor {
  const shape = broadcastShapes(broadcastShapes(a.shape, b.shape, opName), c.shape, opName);
  const n = shapeSize(shape);
  const out = new Float64Array(n);
  const ad = a.data, bd = b.data, cd = c.data;
  if (shapesEqual(a.shape, shape) && shapesEqual(b.shape, shape) && shapesEqual(c.shape, shape)) {
    for (let i = 0; i < n; i++) out[i] = f(ad[i]!, bd[i]!, cd[i]!);
  } else {
    const ia = broadcastIndexMap(a.shape, shape);
    const ib = broadcastIndexMap(b.shape, shape);
    const ic = broadcastIndexMap(c.shape, shape);
    for (let i = 0; i < n; i++) out[i] = f(ad[ia[i]!]!, bd[ib[i]!]!, cd[ic[i]!]!);
  }
  return new ConcreteTensor(out, shape);
}
