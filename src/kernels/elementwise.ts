/**
 * @file Elementwise kernels with NumPy broadcasting, on concrete tensors. Fast paths for equal
 * shapes and scalar operands; the general case walks a precomputed index map. The four arithmetic
 * operators have their own loops (`arith`: no per-element closure call, which a shared generic
 * loop cannot inline) for the shapes of training: equal shapes, a row repeated along the leading
 * axes (the bias of a dense layer), a scalar right operand.
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

/** The arithmetic operators with dedicated loops. */
export type ArithOp = 'add' | 'sub' | 'mul' | 'div';

const ARITH: Record<ArithOp, (x: number, y: number) => number> = {
  add: (x, y) => x + y,
  sub: (x, y) => x - y,
  mul: (x, y) => x * y,
  div: (x, y) => x / y,
};

/**
 * a (op) b elementwise with broadcasting, the same values as `mapBinary(a, b, (x, y) => x op y)`;
 * dedicated loops when the shapes are equal, when b is a row repeated along a's leading axes
 * (x + bias), or when b is a scalar. Other broadcasts go through `mapBinary`.
 *
 * @example
 * arith(x, bias, 'add'); // [N, C] + [C]: out[r, c] = x[r, c] + bias[c]
 */
export function arith(a: ConcreteTensor, b: ConcreteTensor, op: ArithOp): ConcreteTensor {
  const ad = a.data;
  const bd = b.data;
  const n = ad.length;
  let m: number;
  if (shapesEqual(a.shape, b.shape)) m = n;
  else if (bd.length === 1 && b.shape.length <= a.shape.length) m = 1;
  else if (bd.length > 1 && isTrailing(b.shape, a.shape) && b.shape.length <= a.shape.length) m = bd.length;
  else return mapBinary(a, b, ARITH[op], op);
  const out = new Float64Array(n);
  // b is read at i mod m (m = n: same shape; m = 1: scalar; else: a row)
  switch (op) {
    case 'add':
      if (m === n) for (let i = 0; i < n; i++) out[i] = ad[i]! + bd[i]!;
      else if (m === 1) { const s = bd[0]!; for (let i = 0; i < n; i++) out[i] = ad[i]! + s; }
      else for (let r = 0; r < n; r += m) for (let j = 0; j < m; j++) out[r + j] = ad[r + j]! + bd[j]!;
      break;
    case 'sub':
      if (m === n) for (let i = 0; i < n; i++) out[i] = ad[i]! - bd[i]!;
      else if (m === 1) { const s = bd[0]!; for (let i = 0; i < n; i++) out[i] = ad[i]! - s; }
      else for (let r = 0; r < n; r += m) for (let j = 0; j < m; j++) out[r + j] = ad[r + j]! - bd[j]!;
      break;
    case 'mul':
      if (m === n) for (let i = 0; i < n; i++) out[i] = ad[i]! * bd[i]!;
      else if (m === 1) { const s = bd[0]!; for (let i = 0; i < n; i++) out[i] = ad[i]! * s; }
      else for (let r = 0; r < n; r += m) for (let j = 0; j < m; j++) out[r + j] = ad[r + j]! * bd[j]!;
      break;
    case 'div':
      if (m === n) for (let i = 0; i < n; i++) out[i] = ad[i]! / bd[i]!;
      else if (m === 1) { const s = bd[0]!; for (let i = 0; i < n; i++) out[i] = ad[i]! / s; }
      else for (let r = 0; r < n; r += m) for (let j = 0; j < m; j++) out[r + j] = ad[r + j]! / bd[j]!;
      break;
  }
  return new ConcreteTensor(out, a.shape);
}

/**
 * Sum of the rows of a row-major `rows × m` block: out[j] = Σ_r x[r·m + j], accumulated in row
 * order (the order of the generic reduction, so the same bits). `out` (length m) is overwritten.
 *
 * @example
 * sumRowsKernel(Float64Array.of(1, 2, 3, 4), 2, 2, out); // out = [4, 6]
 */
export function sumRowsKernel(x: Float64Array, rows: number, m: number, out: Float64Array): void {
  out.fill(0, 0, m);
  for (let r = 0, off = 0; r < rows; r++, off += m) for (let j = 0; j < m; j++) out[j] += x[off + j]!;
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
