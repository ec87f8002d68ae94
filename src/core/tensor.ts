/**
 * @file Float64 N-dimensional tensors (row-major, `Float64Array`-backed).
 *
 * `Tensor` is the one type users hold. A `ConcreteTensor` owns its data; autodiff tracers (see
 * `autodiff/trace.ts`) are also `Tensor`s whose `data` is the concrete value underneath, so any
 * code can read values while a transformation is running. Scalars have shape `[]`.
 *
 * Tensors are immutable by convention: no op writes into an input's `data`.
 */
import { assertFinite, ConcretizationError, InvalidArgumentError, ShapeError } from './errors.js';

/** Nested JS arrays of numbers, as accepted by `tensor()` and returned by `toArray()`. */
export type NestedArray = number | NestedArray[];

/** Number of elements of a shape (1 for a scalar). */
export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i]!;
  return n;
}

/** Row-major strides of a shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

export function shapesEqual(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * A float64 tensor. `level` is 0 for concrete values and the transformation level for tracers;
 * user code never needs it.
 */
export abstract class Tensor {
  /** Dimensions, outermost first; `[]` for a scalar. Do not mutate. */
  abstract readonly shape: number[];
  /** @internal Transformation level (0 = concrete). */
  abstract readonly level: number;
  /** Row-major values (for tracers: the concrete primal value underneath). Treat as read-only. */
  abstract get data(): Float64Array;

  /** Number of elements. */
  get size(): number {
    return shapeSize(this.shape);
  }
  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }
  /** Nested JS arrays (a number for a scalar). */
  toArray(): NestedArray {
    const data = this.data;
    const shape = this.shape;
    if (shape.length === 0) return data[0]!;
    const build = (dim: number, offset: number): NestedArray[] => {
      const n = shape[dim]!;
      const out: NestedArray[] = new Array(n);
      if (dim === shape.length - 1) {
        for (let i = 0; i < n; i++) out[i] = data[offset + i]!;
      } else {
        const stride = shapeSize(shape.slice(dim + 1));
        for (let i = 0; i < n; i++) out[i] = build(dim + 1, offset + i * stride);
      }
      return out;
    };
    return build(0, 0);
  }
  /** The value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new ShapeError(`item() needs a tensor with one element, got shape ${formatShape(this.shape)}`);
    return this.data[0]!;
  }
  toString(): string {
    return `Tensor(${JSON.stringify(this.toArray())}, shape=${formatShape(this.shape)})`;
  }
}

/** A tensor that owns its data. */
export class ConcreteTensor extends Tensor {
  readonly level = 0;
  constructor(
    private readonly values: Float64Array,
    readonly shape: number[],
  ) {
    super();
  }
  get data(): Float64Array {
    return this.values;
  }
}

/** @internal Wraps data without copying or checking (kernels use this for fresh outputs). */
export function fromData(data: Float64Array, shape: number[]): ConcreteTensor {
  return new ConcreteTensor(data, shape);
}

function inferShape(x: NestedArray): number[] {
  const shape: number[] = [];
  let cur: NestedArray = x;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    if (cur.length === 0) break;
    cur = cur[0]!;
  }
  return shape;
}

function flattenInto(x: NestedArray, shape: number[], dim: number, out: number[]): void {
  if (dim === shape.length) {
    if (typeof x !== 'number') throw new ShapeError('ragged nested array: expected a number at the innermost level');
    out.push(x);
    return;
  }
  if (!Array.isArray(x) || x.length !== shape[dim]) {
    throw new ShapeError(`ragged nested array: expected length ${shape[dim]} at depth ${dim}`);
  }
  for (const v of x) flattenInto(v, shape, dim + 1, out);
}

/**
 * Creates a tensor from nested arrays, a number, or a flat `Float64Array`/`number[]` with `shape`.
 * The data is copied. Non-finite values are allowed here (tensors may legitimately hold ±Infinity);
 * solvers and loaders check finiteness where it matters.
 *
 * @example
 * const A = tensor([[1, 2], [3, 4]]);       // shape [2, 2]
 * const v = tensor(new Float64Array([1, 2, 3, 4]), [2, 2]);
 */
export function tensor(values: NestedArray | Float64Array | readonly number[], shape?: readonly number[]): Tensor {
  if (values instanceof Float64Array || (shape !== undefined && Array.isArray(values) && !values.some(Array.isArray))) {
    const flat = values instanceof Float64Array ? Float64Array.from(values) : Float64Array.from(values as number[]);
    const s = shape ? [...shape] : [flat.length];
    if (shapeSize(s) !== flat.length) {
      throw new ShapeError(`tensor(): ${flat.length} values do not fill shape ${formatShape(s)}`);
    }
    return new ConcreteTensor(flat, s);
  }
  const inferred = inferShape(values as NestedArray);
  const flat: number[] = [];
  flattenInto(values as NestedArray, inferred, 0, flat);
  if (shape && !shapesEqual(shape, inferred)) {
    if (shapeSize(shape) !== flat.length) {
      throw new ShapeError(`tensor(): nested array of shape ${formatShape(inferred)} does not fit shape ${formatShape(shape)}`);
    }
    return new ConcreteTensor(Float64Array.from(flat), [...shape]);
  }
  return new ConcreteTensor(Float64Array.from(flat), inferred);
}

/** A scalar tensor (shape `[]`). */
export function scalar(value: number): Tensor {
  return new ConcreteTensor(Float64Array.of(value), []);
}

function checkShape(shape: readonly number[], fn: string): number[] {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new ShapeError(`${fn}(): invalid dimension ${d} in shape ${formatShape(shape)}`);
  }
  return [...shape];
}

export function zeros(shape: readonly number[]): Tensor {
  const s = checkShape(shape, 'zeros');
  return new ConcreteTensor(new Float64Array(shapeSize(s)), s);
}

export function full(shape: readonly number[], value: number): Tensor {
  const s = checkShape(shape, 'full');
  return new ConcreteTensor(new Float64Array(shapeSize(s)).fill(value), s);
}

export function ones(shape: readonly number[]): Tensor {
  return full(shape, 1);
}

/** n×m identity-like matrix (m defaults to n). */
export function eye(n: number, m: number = n): Tensor {
  const s = checkShape([n, m], 'eye');
  const d = new Float64Array(n * m);
  for (let i = 0; i < Math.min(n, m); i++) d[i * m + i] = 1;
  return new ConcreteTensor(d, s);
}

/** Values start, start+step, ... below stop (like numpy.arange). */
export function arange(start: number, stop?: number, step = 1): Tensor {
  if (stop === undefined) {
    stop = start;
    start = 0;
  }
  if (step === 0 || !Number.isFinite(step)) throw new InvalidArgumentError('arange(): step must be finite and non-zero');
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) d[i] = start + i * step;
  return new ConcreteTensor(d, [n]);
}

/** `num` evenly spaced values from start to stop inclusive. */
export function linspace(start: number, stop: number, num: number): Tensor {
  if (!Number.isInteger(num) || num < 0) throw new InvalidArgumentError(`linspace(): num must be a non-negative integer, got ${num}`);
  const d = new Float64Array(num);
  if (num === 1) d[0] = start;
  for (let i = 0; i < num && num > 1; i++) d[i] = start + ((stop - start) * i) / (num - 1);
  return new ConcreteTensor(d, [num]);
}

/**
 * The values of `t` for a function that cannot differentiate: throws `ConcretizationError` when `t`
 * is traced (inside `grad`, `jvp`, `vjp`, ...), naming `where` (the function and argument) and,
 * when given, the differentiable function to use instead. Every non-differentiable export reads its
 * tensor inputs through this, so it never returns a silent zero derivative.
 * @example
 * const data = concreteData(A, "linalg.lu(A)", "solve");
 */
export function concreteData(t: Tensor, where: string, alternative?: string): Float64Array {
  if (t.level > 0) {
    throw new ConcretizationError(
      `${where} received a traced value (inside grad/jvp/vjp/jacobian) but is not differentiable` +
        (alternative ? `; use the differentiable ${alternative} instead` : '; compute it outside the transformation, or use a differentiable op'),
    );
  }
  return t.data;
}

/** Throws if any value of the tensor is NaN or infinite. */
export function assertFiniteTensor(t: Tensor, what: string): void {
  assertFinite(t.data, what);
}
