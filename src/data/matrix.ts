/**
 * @file The one matrix model of the Lasso-type models and solvers (scikit-learn's `check_array`).
 *
 * Every model and solver takes its design as a {@link MatrixLike}: a 2-D `Tensor` (row-major), a
 * `number[][]` (rows), a `CscMatrix` (the one sparse column type, `linalg/sparse`), or a
 * `CsrMatrix` (converted to CSC). Vectors (targets, weights) are {@link VectorLike}s: a 1-D
 * `Tensor`, a `number[]` or a `Float64Array`. {@link toDesignMatrix} and {@link toVector} are the ONE
 * place where these are converted and validated; errors name the public function and the argument.
 *
 * Internally the solvers read X by columns: a dense X is copied into a column-major
 * {@link DenseDesign} (an internal layout that users never have to build; loaders produce it and
 * it is accepted as is), a sparse X stays CSC.
 */
import { InvalidArgumentError, ShapeError } from '../core/errors.js';
import { Tensor, concreteData, describeValue } from '../core/tensor.js';
import { CscMatrix } from '../linalg/sparse/csc.js';
import { CsrMatrix } from '../linalg/sparse/csr.js';

/**
 * @internal Dense matrix stored COLUMN-MAJOR: entry (i, j) is `data[j * nRows + i]`. The layout the
 * solvers use for dense X; build it from rows with `denseFromRows` (or pass a Tensor / number[][]).
 */
export interface DenseDesign {
  readonly kind: 'dense';
  readonly nRows: number;
  readonly nCols: number;
  readonly data: Float64Array;
}

/** A design in one of the two layouts the solvers read: dense column-major or CSC. */
export type DesignMatrix = DenseDesign | CscMatrix;

/** What every Lasso-type model and solver accepts as X. */
export type MatrixLike = Tensor | readonly (readonly number[])[] | CscMatrix | CsrMatrix | DesignMatrix;

/** What the models accept as a vector (y, weights). */
export type VectorLike = Tensor | readonly number[] | Float64Array;

/**
 * Converts and validates a `MatrixLike` for `fn()` (e.g. `'lasso'`), naming the argument `arg` in
 * errors. Dense input (Tensor, number[][]) is copied into column-major layout; `CscMatrix` and
 * `DenseDesign` are returned as they are; `CsrMatrix` is converted to CSC. Structure and types are
 * checked here; NaN/±Infinity are checked when the solver prepares the design (named by row and
 * column there). A traced Tensor (inside grad/jvp) throws `ConcretizationError`.
 *
 * @example
 * toDesignMatrix([[1, 2], [3, 4]], 'lasso');            // { kind: 'dense', nRows: 2, nCols: 2, data: [1, 3, 2, 4] }
 * toDesignMatrix(tensor([[1, 2], [3, 4]]), 'lasso');    // the same
 */
export function toDesignMatrix(X: unknown, fn: string, arg = 'X'): DesignMatrix {
  const where = `${fn}()`;
  if (X instanceof CscMatrix) return X;
  if (X instanceof CsrMatrix) return X.toCsc();
  if (X instanceof Tensor) {
    if (X.shape.length !== 2) throw new ShapeError(`${where}: ${arg} must be a 2-D Tensor, got shape [${X.shape.join(', ')}]`);
    const data = concreteData(X, `${where} (argument ${arg})`);
    const [n, p] = X.shape as [number, number];
    const out = new Float64Array(n * p);
    for (let i = 0; i < n; i++) {
      const o = i * p;
      for (let j = 0; j < p; j++) out[j * n + i] = data[o + j]!;
    }
    return { kind: 'dense', nRows: n, nCols: p, data: out };
  }
  if (Array.isArray(X)) {
    const n = X.length;
    if (n === 0) throw new InvalidArgumentError(`${where}: ${arg} is empty (no rows)`);
    const first = X[0];
    if (!Array.isArray(first)) {
      throw new InvalidArgumentError(`${where}: ${arg} must be a 2-D array (rows of numbers), but ${arg}[0] is ${describeValue(first)}`);
    }
    const p = first.length;
    const out = new Float64Array(n * p);
    for (let i = 0; i < n; i++) {
      const row = X[i] as unknown;
      if (!Array.isArray(row)) throw new InvalidArgumentError(`${where}: ${arg}[${i}] must be an array of numbers, got ${describeValue(row)}`);
      if (row.length !== p) throw new ShapeError(`${where}: ${arg}[${i}] has ${row.length} values, but ${arg}[0] has ${p} (ragged rows)`);
      for (let j = 0; j < p; j++) {
        const v = row[j] as unknown;
        if (typeof v !== 'number') throw new InvalidArgumentError(`${where}: ${arg}[${i}][${j}] must be a number, got ${describeValue(v)}`);
        out[j * n + i] = v;
      }
    }
    return { kind: 'dense', nRows: n, nCols: p, data: out };
  }
  if (X !== null && typeof X === 'object' && (X as { kind?: unknown }).kind === 'dense') {
    const d = X as DenseDesign;
    if (!(d.data instanceof Float64Array)) throw new InvalidArgumentError(`${where}: ${arg}.data must be a Float64Array`);
    if (d.data.length !== d.nRows * d.nCols) {
      throw new ShapeError(`${where}: ${arg}.data has ${d.data.length} values, expected nRows·nCols = ${d.nRows}·${d.nCols} = ${d.nRows * d.nCols}`);
    }
    return d;
  }
  throw new InvalidArgumentError(
    `${where}: ${arg} must be a 2-D Tensor, a number[][], a CscMatrix or a CsrMatrix, got ${describeValue(X)}`,
  );
}

/**
 * Converts and validates a `VectorLike` for `fn()`: a fresh Float64Array of finite numbers, of
 * length `n` when given (otherwise a `ShapeError` naming `arg`, with `expected` saying what n is,
 * `#` standing for n, e.g. `'but X has # rows'`).
 *
 * @example
 * toVector([1, 2, 3], 'lasso', 'y', 3); // Float64Array [1, 2, 3]
 */
export function toVector(v: unknown, fn: string, arg: string, n?: number, expected = 'expected'): Float64Array {
  const where = `${fn}()`;
  let src: ArrayLike<unknown>;
  if (v instanceof Tensor) {
    if (v.shape.length !== 1) throw new ShapeError(`${where}: ${arg} must be a 1-D Tensor, got shape [${v.shape.join(', ')}]`);
    src = concreteData(v, `${where} (argument ${arg})`);
  } else if (Array.isArray(v) || v instanceof Float64Array || (ArrayBuffer.isView(v) && !(v instanceof DataView))) {
    src = v as ArrayLike<unknown>;
  } else {
    throw new InvalidArgumentError(`${where}: ${arg} must be a 1-D Tensor, a number[] or a Float64Array, got ${describeValue(v)}`);
  }
  if (src.length === 0) throw new InvalidArgumentError(`${where}: ${arg} is empty`);
  if (n !== undefined && src.length !== n) {
    throw new ShapeError(`${where}: ${arg} has ${src.length} entries, ${expected.replace('#', String(n))}`);
  }
  const out = new Float64Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const x = src[i];
    if (typeof x !== 'number') throw new InvalidArgumentError(`${where}: ${arg}[${i}] must be a number, got ${describeValue(x)}`);
    out[i] = x;
  }
  return out;
}
