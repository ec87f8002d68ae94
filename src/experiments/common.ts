/**
 * @file Small helpers shared by the experiments: least-squares slope fits (the measured rates
 * stated in summaries and checked against the theory's slopes), checks, number formatting, and the
 * digits as an image batch (the network experiments).
 */
import { InvalidArgumentError } from '../core/errors.js';
import { tensor, type Tensor } from '../core/tensor.js';
import { toDense, type Dataset } from '../data/dataset.js';
import type { ExperimentCheck } from './types.js';

/**
 * Least-squares line y ≈ intercept + slope·x through the finite pairs.
 * @example
 * fitLine([0, 1, 2], [1, 3, 5]); // { slope: 2, intercept: 1, n: 3 }
 */
export function fitLine(x: ArrayLike<number>, y: ArrayLike<number>): { slope: number; intercept: number; n: number } {
  let n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (let i = 0; i < x.length; i++) {
    const a = x[i]!, b = y[i]!;
    if (!Number.isFinite(a) || !Number.isFinite(b)) continue;
    n++; sx += a; sy += b; sxx += a * a; sxy += a * b;
  }
  const den = n * sxx - sx * sx;
  if (n < 2 || den === 0) throw new InvalidArgumentError(`fitLine(): need at least two distinct finite x values, got ${n} points`);
  const slope = (n * sxy - sx * sy) / den;
  return { slope, intercept: (sy - slope * sx) / n, n };
}

/**
 * A check record.
 * @example
 * check('rate ≤ q', 0.83 <= 0.95, 0.83); // { what: 'rate ≤ q', ok: true, value: 0.83 }
 */
export function check(what: string, ok: boolean, value: number | string | boolean): ExperimentCheck {
  return { what, ok, value };
}

/**
 * Compact number formatting for summaries (4 significant digits, exponent when tiny or huge).
 * @example
 * fmt(0.000123456); // '1.23e-4'
 */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(2) : String(+v.toPrecision(4));
}

/**
 * Rounds every number of an array for the JSON output (keeps files small, values readable).
 * @example
 * round([1 / 3], 3); // [0.333]
 */
export function round(values: ArrayLike<number>, digits = 6): number[] {
  return Array.from(values, (v) => (Number.isFinite(v) ? +v.toPrecision(digits) : v));
}

/**
 * A dataset of 8×8 digit images as a row-major [n, 64] tensor of pixels scaled to [0, 1] (the
 * bundled digits store 0..16, column-major) and its integer labels.
 * @example
 * const { X, y } = digitsBatch(loadDataset('digits')); // X: [1797, 64]
 */
export function digitsBatch(ds: Dataset): { X: Tensor; y: Int32Array } {
  const { nRows: n, nCols: d, data: col } = toDense(ds.X);
  const X = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) X[i * d + j] = col[j * n + i]! / 16;
  return { X: tensor(X, [n, d]), y: Int32Array.from(ds.y) };
}
