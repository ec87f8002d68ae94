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

/** A short description of any value for error messages: `undefined`, `the string 'abc'`, `a Tensor of shape [2]`... */
export function describeValue(v: unknown): string {
  if (v === undefined || v === null) return String(v);
  if (v instanceof Tensor) return `a Tensor of shape ${formatShape(v.shape)}`;
  if (typeof v === 'string') return `the string '${v.length > 40 ? v.slice(0, 40) + '…' : v}'`;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return `the ${typeof v} ${String(v)}`;
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (typeof v === 'function') return 'a function';
  const name = (v as { constructor?: { name?: string } }).constructor?.name;
  return name && name !== 'Object' ? `a ${name}` : 'an object';
}

/** The largest element count nsdiff allocates (V8's limit for a Float64Array on 64-bit hosts). */
export const MAX_ELEMENTS = 2 ** 32 - 1;

/**
 * @internal Checks a shape given to the public function `where` (as its argument `arg`): non-negative
 * integer dimensions and at most {@link MAX_ELEMENTS} elements. Returns a copy.
 */
export function checkShape(shape: unknown, where: string, arg = 'shape'): number[] {
  if (!Array.isArray(shape)) throw new InvalidArgumentError(`${where}: argument ${arg} must be an array of dimensions, got ${describeValue(shape)}`);
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new ShapeError(`${where}: argument ${arg} ${formatShapeLoose(shape)} has the invalid dimension ${typeof d === 'number' ? d : describeValue(d)} (dimensions are non-negative integers)`);
    }
  }
  const n = shapeSize(shape as number[]);
  if (n > MAX_ELEMENTS) {
    throw new InvalidArgumentError(`${where}: ${arg} ${formatShape(shape as number[])} has ${n.toPrecision(3).replace(/\.?0+e\+/, 'e')} elements, more than a Float64Array can hold (${MAX_ELEMENTS})`);
  }
  return [...(shape as number[])];
}

function formatShapeLoose(shape: readonly unknown[]): string {
  return `[${shape.map((d) => (typeof d === 'number' ? String(d) : JSON.stringify(d))).join(', ')}]`;
}

/** @internal A zero-filled buffer of n elements; an allocation failure is an InvalidArgumentError naming `where`. */
export function allocate(n: number, where: string): Float64Array {
  try {
    return new Float64Array(n);
  } catch (e) {
    throw new InvalidArgumentError(`${where}: cannot allocate ${n} float64 values (${((n * 8) / 2 ** 30).toFixed(1)} GiB): ${(e as Error).message}`);
  }
}

const INSPECT = Symbol.for('nodejs.util.inspect.custom');
/** Tensors with more elements than this print summarised (first and last 3 along each axis). */
const PRINT_THRESHOLD = 1000;
const PRINT_EDGE = 3;

/** A number as printed in a tensor: up to 8 significant digits, integers exact. */
function formatNumber(v: number): string {
  if (Number.isInteger(v) || !Number.isFinite(v)) return Object.is(v, -0) ? '0' : String(v);
  return String(Number(v.toPrecision(8)));
}

/**
 * NumPy-like text of a tensor: `tensor(3.5)`, `tensor([0, 0, 1])`, `tensor([[1, 2], [3, 4]])`;
 * the shape is appended where the nested brackets do not show it (empty or summarised tensors).
 */
function formatTensor(t: Tensor): string {
  const data = t.data;
  const shape = t.shape;
  const traced = t.level > 0 ? ', traced' : '';
  if (shape.length === 0) return `tensor(${formatNumber(data[0]!)}${traced})`;
  const summarise = data.length > PRINT_THRESHOLD;
  const strides = stridesOf(shape);
  const body = (dim: number, offset: number): string => {
    const n = shape[dim]!;
    const idx: (number | null)[] = [];
    if (summarise && n > 2 * PRINT_EDGE) {
      for (let i = 0; i < PRINT_EDGE; i++) idx.push(i);
      idx.push(null);
      for (let i = n - PRINT_EDGE; i < n; i++) idx.push(i);
    } else for (let i = 0; i < n; i++) idx.push(i);
    const parts = idx.map((i) => (i === null ? '...' : dim === shape.length - 1 ? formatNumber(data[offset + i]!) : body(dim + 1, offset + i * strides[dim]!)));
    return `[${parts.join(', ')}]`;
  };
  const showShape = summarise || data.length === 0;
  return `tensor(${body(0, 0)}${showShape ? `, shape=${formatShape(shape)}` : ''}${traced})`;
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
  /**
   * NumPy-like text: `tensor([0, 0, 1])`, `tensor([[1, 2], [3, 4]])`, `tensor(5)`; empty and large
   * (> 1000 elements, summarised with `...`) tensors add `, shape=[...]`; tracers add `, traced`.
   * @example
   * String(tensor([[1, 2], [3, 4]])) // 'tensor([[1, 2], [3, 4]])'
   */
  toString(): string {
    return formatTensor(this);
  }
  /** What `console.log` / `util.inspect` print in Node: the same as `toString()`. */
  [INSPECT](): string {
    return formatTensor(this);
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

function flattenInto(x: unknown, shape: number[], dim: number, out: number[], path: string, where: string): void {
  if (dim === shape.length) {
    if (typeof x !== 'number') throw new InvalidArgumentError(`${where}: values${path} must be a number, got ${describeValue(x)}`);
    out.push(x);
    return;
  }
  if (!Array.isArray(x) || x.length !== shape[dim]) {
    throw new ShapeError(`${where}: ragged nested array: values${path} should be an array of length ${shape[dim]}, got ${describeValue(x)}`);
  }
  for (let i = 0; i < x.length; i++) flattenInto(x[i], shape, dim + 1, out, `${path}[${i}]`, where);
}

/**
 * @internal `tensor()` for a public function `where`: nested arrays, a number, or a flat
 * `Float64Array`/`number[]` with `shape`; every problem is a typed error naming `where`.
 */
export function tensorFrom(values: unknown, shape: unknown, where: string): ConcreteTensor {
  const s = shape === undefined ? undefined : checkShape(shape, where);
  if (values instanceof Float64Array || (s !== undefined && Array.isArray(values) && !values.some(Array.isArray))) {
    if (Array.isArray(values)) {
      for (let i = 0; i < values.length; i++) {
        if (typeof values[i] !== 'number') throw new InvalidArgumentError(`${where}: values[${i}] must be a number, got ${describeValue(values[i])}`);
      }
    }
    const flat = Float64Array.from(values as ArrayLike<number>);
    const sh = s ?? [flat.length];
    if (shapeSize(sh) !== flat.length) {
      throw new ShapeError(`${where}: ${flat.length} values do not fill shape ${formatShape(sh)}`);
    }
    return new ConcreteTensor(flat, sh);
  }
  if (typeof values !== 'number' && !Array.isArray(values)) {
    throw new InvalidArgumentError(`${where}: values must be a number, a nested array of numbers or a Float64Array, got ${describeValue(values)}`);
  }
  const inferred = inferShape(values as NestedArray);
  const flat: number[] = [];
  flattenInto(values, inferred, 0, flat, '', where);
  if (s && !shapesEqual(s, inferred)) {
    if (shapeSize(s) !== flat.length) {
      throw new ShapeError(`${where}: nested array of shape ${formatShape(inferred)} does not fit shape ${formatShape(s)}`);
    }
    return new ConcreteTensor(Float64Array.from(flat), s);
  }
  return new ConcreteTensor(Float64Array.from(flat), inferred);
}

/**
 * Creates a tensor from nested arrays, a number, or a flat `Float64Array`/`number[]` with `shape`.
 * The data is copied. Non-finite values are allowed here (tensors may legitimately hold ±Infinity);
 * solvers and loaders check finiteness where it matters. Ragged arrays, non-numbers and invalid
 * shapes throw `ShapeError` / `InvalidArgumentError`.
 *
 * @example
 * const A = tensor([[1, 2], [3, 4]]);       // tensor([[1, 2], [3, 4]]), shape [2, 2]
 * const v = tensor(new Float64Array([1, 2, 3, 4]), [2, 2]);
 */
export function tensor(values: NestedArray | Float64Array | readonly number[], shape?: readonly number[]): Tensor {
  return tensorFrom(values, shape, 'tensor()');
}

/** A scalar tensor (shape `[]`). */
export function scalar(value: number): Tensor {
  if (typeof value !== 'number') throw new InvalidArgumentError(`scalar(): argument value must be a number, got ${describeValue(value)}`);
  return new ConcreteTensor(Float64Array.of(value), []);
}

/** A tensor of zeros. @example zeros([2, 3]) */
export function zeros(shape: readonly number[]): Tensor {
  const s = checkShape(shape, 'zeros()');
  return new ConcreteTensor(allocate(shapeSize(s), 'zeros()'), s);
}

/** A tensor filled with `value`. @example full([2], 7) // tensor([7, 7]) */
export function full(shape: readonly number[], value: number): Tensor {
  const s = checkShape(shape, 'full()');
  if (typeof value !== 'number') throw new InvalidArgumentError(`full(): argument value must be a number, got ${describeValue(value)}`);
  return new ConcreteTensor(allocate(shapeSize(s), 'full()').fill(value), s);
}

/** A tensor of ones. @example ones([3]) // tensor([1, 1, 1]) */
export function ones(shape: readonly number[]): Tensor {
  const s = checkShape(shape, 'ones()');
  return new ConcreteTensor(allocate(shapeSize(s), 'ones()').fill(1), s);
}

/** n×m identity-like matrix (m defaults to n). @example eye(2) // tensor([[1, 0], [0, 1]]) */
export function eye(n: number, m: number = n): Tensor {
  const s = checkShape([n, m], 'eye()', 'size [n, m]');
  const d = allocate(n * m, 'eye()');
  for (let i = 0; i < Math.min(n, m); i++) d[i * m + i] = 1;
  return new ConcreteTensor(d, s);
}

/** Values start, start+step, ... below stop (like numpy.arange). @example arange(3) // tensor([0, 1, 2]) */
export function arange(start: number, stop?: number, step = 1): Tensor {
  if (stop === undefined) {
    stop = start;
    start = 0;
  }
  for (const [name, v] of [['start', start], ['stop', stop], ['step', step]] as const) {
    if (typeof v !== 'number' || Number.isNaN(v)) throw new InvalidArgumentError(`arange(): argument ${name} must be a number, got ${describeValue(v)}`);
  }
  if (step === 0 || !Number.isFinite(step)) throw new InvalidArgumentError(`arange(): argument step must be finite and non-zero, got ${step}`);
  const n = Math.max(0, Math.ceil((stop - start) / step));
  if (!(n <= MAX_ELEMENTS)) throw new InvalidArgumentError(`arange(): ${n} values, more than a Float64Array can hold (${MAX_ELEMENTS})`);
  const d = allocate(n, 'arange()');
  for (let i = 0; i < n; i++) d[i] = start + i * step;
  return new ConcreteTensor(d, [n]);
}

/** `num` evenly spaced values from start to stop inclusive. @example linspace(0, 1, 3) // tensor([0, 0.5, 1]) */
export function linspace(start: number, stop: number, num: number): Tensor {
  if (!Number.isInteger(num) || num < 0) throw new InvalidArgumentError(`linspace(): argument num must be a non-negative integer, got ${describeValue(num)}`);
  const d = allocate(checkShape([num], 'linspace()', 'num')[0]!, 'linspace()');
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
