/**
 * @file Saving and loading estimators as JSON. A model's `toJSON()` returns a plain object
 *
 *   { format: 'nsdiff-estimator', version: 1, estimator: 'Lasso', params: {…}, fitted: {…} | null }
 *
 * in which every array is a plain array of numbers (a `Float64Array` would stringify as
 * `{"0": …}`). `JSON.stringify` writes each float64 in the shortest decimal form that parses back
 * to the same double (ECMAScript Number::toString), so the round trip is exact; the two values it
 * cannot carry, −0 (written as 0) and NaN/±∞ (written as null), never occur in a fitted state
 * (the estimators store −0 as +0; every value is checked finite here). `fromJSON` validates the
 * envelope, the version and every field, with errors (`DataFormatError`) naming the estimator, the
 * field and the problem.
 */
import { DataFormatError, InvalidArgumentError } from '../core/errors.js';

/** The `format` tag of a saved estimator. */
export const ESTIMATOR_FORMAT = 'nsdiff-estimator';
/** The version this code writes and reads. */
export const ESTIMATOR_FORMAT_VERSION = 1;

/** A saved estimator (what `toJSON()` returns and `fromJSON()` accepts, as an object or JSON text). */
export interface EstimatorJSON {
  readonly format: typeof ESTIMATOR_FORMAT;
  readonly version: number;
  /** The class: 'Lasso', 'ElasticNet', 'SparseLogisticRegression' or 'LassoHO'. */
  readonly estimator: string;
  /** Constructor options (with their defaults filled in). */
  readonly params: Record<string, unknown>;
  /** Fitted state, or null for an estimator that was never fitted. */
  readonly fitted: Record<string, unknown> | null;
}

/** Plain array of a Float64Array (throws on a non-finite value; −0 becomes +0). */
export function toPlain(a: ArrayLike<number>, field: string, where: string): number[] {
  const out = new Array<number>(a.length);
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (!Number.isFinite(v)) throw new InvalidArgumentError(`${where}(): ${field}[${i}] = ${v} cannot be saved (not finite)`);
    out[i] = v === 0 ? 0 : v;
  }
  return out;
}

/**
 * Checks that `params` holds only JSON values (numbers finite) and returns a deep copy without
 * the keys in `omit` (callbacks, data sets: not parameters of the model).
 */
export function plainParams(params: Record<string, unknown>, where: string, omit: readonly string[] = []): Record<string, unknown> {
  const walk = (v: unknown, path: string): unknown => {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new InvalidArgumentError(`${where}(): option ${path} = ${v} cannot be saved as JSON`);
      return v;
    }
    if (ArrayBuffer.isView(v) || Array.isArray(v)) return Array.from(v as ArrayLike<unknown>, (x, i) => walk(x, `${path}[${i}]`));
    if (typeof v === 'object') {
      const o: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v as object)) if (x !== undefined) o[k] = walk(x, `${path}.${k}`);
      return o;
    }
    throw new InvalidArgumentError(`${where}(): option ${path} (a ${typeof v}) cannot be saved as JSON`);
  };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) if (v !== undefined && !omit.includes(k)) out[k] = walk(v, k);
  return out;
}

/** The envelope of a saved estimator. */
export function envelope(estimator: string, params: Record<string, unknown>, fitted: Record<string, unknown> | null): EstimatorJSON {
  return { format: ESTIMATOR_FORMAT, version: ESTIMATOR_FORMAT_VERSION, estimator, params, fitted };
}

/**
 * Validates a saved estimator (object or JSON text) and returns its parts; `estimator` is the
 * expected class, or null to accept any (the caller dispatches on `estimator`).
 */
export function openEnvelope(json: unknown, estimator: string | null, where: string): EstimatorJSON {
  let obj = json;
  if (typeof json === 'string') {
    try {
      obj = JSON.parse(json);
    } catch (e) {
      throw new DataFormatError(`${where}(): the text is not valid JSON (${(e as Error).message})`);
    }
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new DataFormatError(`${where}(): expected a saved estimator object, got ${Array.isArray(obj) ? 'an array' : obj === null ? 'null' : typeof obj}`);
  const o = obj as Record<string, unknown>;
  if (o.format !== ESTIMATOR_FORMAT) throw new DataFormatError(`${where}(): 'format' must be '${ESTIMATOR_FORMAT}', got ${JSON.stringify(o.format)}`);
  if (o.version !== ESTIMATOR_FORMAT_VERSION) {
    throw new DataFormatError(`${where}(): unsupported format version ${JSON.stringify(o.version)} (this nsdiff reads version ${ESTIMATOR_FORMAT_VERSION})`);
  }
  if (typeof o.estimator !== 'string') throw new DataFormatError(`${where}(): 'estimator' must be a string, got ${JSON.stringify(o.estimator)}`);
  if (estimator !== null && o.estimator !== estimator) throw new DataFormatError(`${where}(): the JSON holds a ${o.estimator}, not a ${estimator}`);
  if (o.params === null || typeof o.params !== 'object' || Array.isArray(o.params)) throw new DataFormatError(`${where}(): 'params' must be an object`);
  if (o.fitted !== null && (typeof o.fitted !== 'object' || Array.isArray(o.fitted))) throw new DataFormatError(`${where}(): 'fitted' must be an object or null`);
  return o as unknown as EstimatorJSON;
}

/**
 * Builds the estimator from saved `params` with `make` (its constructor); an option the
 * constructor refuses becomes a `DataFormatError` naming `where`.
 */
export function fromParams<T>(make: (params: Record<string, unknown>) => T, e: EstimatorJSON, where: string): T {
  try {
    return make(e.params);
  } catch (err) {
    if (err instanceof InvalidArgumentError) throw new DataFormatError(`${where}(): invalid params: ${err.message}`);
    throw err;
  }
}

/** Reader of the fields of a saved fitted state, with errors naming `where` and the field. */
export class FittedReader {
  constructor(
    private readonly fitted: Record<string, unknown>,
    private readonly where: string,
  ) {}

  private fail(field: string, problem: string): never {
    throw new DataFormatError(`${this.where}(): fitted.${field} ${problem}`);
  }

  /** A finite number (an integer ≥ 0 with `integer`). */
  number(field: string, integer = false): number {
    const v = this.fitted[field];
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(field, `must be a finite number, got ${JSON.stringify(v)}`);
    if (integer && (!Number.isInteger(v) || v < 0)) this.fail(field, `must be an integer ≥ 0, got ${v}`);
    return v;
  }

  boolean(field: string): boolean {
    const v = this.fitted[field];
    if (typeof v !== 'boolean') this.fail(field, `must be true or false, got ${JSON.stringify(v)}`);
    return v;
  }

  /** An array of finite numbers, of length `length` when given. */
  numbers(field: string, length?: number): Float64Array {
    return this.numbersOf(this.fitted[field], field, length);
  }

  /** An array of `rows` arrays of `cols` finite numbers. */
  matrix(field: string, rows: number, cols: number): Float64Array[] {
    const v = this.fitted[field];
    if (!Array.isArray(v)) this.fail(field, 'must be an array of arrays of numbers');
    if (v.length !== rows) this.fail(field, `must have ${rows} rows, got ${v.length}`);
    return v.map((r, i) => this.numbersOf(r, `${field}[${i}]`, cols));
  }

  private numbersOf(v: unknown, field: string, length?: number): Float64Array {
    if (!Array.isArray(v)) this.fail(field, `must be an array of numbers, got ${v === null ? 'null' : typeof v}`);
    if (length !== undefined && v.length !== length) this.fail(field, `must have ${length} entries, got ${v.length}`);
    const out = new Float64Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (typeof x !== 'number' || !Number.isFinite(x)) this.fail(`${field}[${i}]`, `must be a finite number, got ${JSON.stringify(x)}`);
      out[i] = x;
    }
    return out;
  }

  /** The raw value (for nested records the caller validates). */
  raw(field: string): unknown {
    return this.fitted[field];
  }
}
