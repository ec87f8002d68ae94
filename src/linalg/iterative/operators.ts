/**
 * @file Small operator helpers for the iterative solvers: a dense row-major matrix as a
 * {@link TransposableOperator}, and the Jacobi (diagonal) preconditioner.
 */
import { assertFinite, InvalidArgumentError, ShapeError } from '../../core/errors.js';
import type { LinearOperator, TransposableOperator } from './types.js';

/**
 * Wraps a row-major `rows×cols` matrix (no copy) as an operator with `matvec` (`A·v`) and
 * `rmatvec` (`Aᵀ·u`), both allocation-free when `out` is given.
 *
 * @example
 * const A = denseOperator(Float64Array.of(4, 1, 1, 3), 2, 2);
 * cg(A, Float64Array.of(1, 2)).x; // ≈ [1/11, 7/11]
 */
export function denseOperator(data: Float64Array, rows: number, cols: number): TransposableOperator & {
  matvec(v: Float64Array, out?: Float64Array): Float64Array;
  rmatvec(u: Float64Array, out?: Float64Array): Float64Array;
} {
  if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(cols) || cols < 0) {
    throw new InvalidArgumentError(`denseOperator: rows and cols must be non-negative integers, got ${rows}, ${cols}`);
  }
  if (data.length !== rows * cols) {
    throw new ShapeError(`denseOperator: data has ${data.length} values, expected rows·cols = ${rows}·${cols} = ${rows * cols}`);
  }
  return {
    rows,
    cols,
    matvec(v: Float64Array, out: Float64Array = new Float64Array(rows)): Float64Array {
      if (v.length !== cols) throw new ShapeError(`denseOperator.matvec: v has length ${v.length}, expected ${cols}`);
      if (out.length !== rows) throw new ShapeError(`denseOperator.matvec: out has length ${out.length}, expected ${rows}`);
      for (let i = 0; i < rows; i++) {
        const o = i * cols;
        let s0 = 0, s1 = 0;
        let j = 0;
        for (; j + 1 < cols; j += 2) {
          s0 += data[o + j]! * v[j]!;
          s1 += data[o + j + 1]! * v[j + 1]!;
        }
        if (j < cols) s0 += data[o + j]! * v[j]!;
        out[i] = s0 + s1;
      }
      return out;
    },
    rmatvec(u: Float64Array, out: Float64Array = new Float64Array(cols)): Float64Array {
      if (u.length !== rows) throw new ShapeError(`denseOperator.rmatvec: u has length ${u.length}, expected ${rows}`);
      if (out.length !== cols) throw new ShapeError(`denseOperator.rmatvec: out has length ${out.length}, expected ${cols}`);
      out.fill(0);
      for (let i = 0; i < rows; i++) {
        const a = u[i]!;
        const o = i * cols;
        for (let j = 0; j < cols; j++) out[j] += a * data[o + j]!;
      }
      return out;
    },
  };
}

/**
 * Jacobi preconditioner `v ↦ v ./ diag` (an approximation of `A⁻¹` for diagonally dominant `A`).
 * For CG / MINRES the diagonal must be positive. The diagonal is copied.
 *
 * @example
 * const M = jacobiPreconditioner(Float64Array.of(4, 3));
 * cg(A, b, { M });
 */
export function jacobiPreconditioner(diag: Float64Array): LinearOperator {
  assertFinite(diag, 'jacobiPreconditioner: diag');
  const inv = new Float64Array(diag.length);
  for (let i = 0; i < diag.length; i++) {
    if (diag[i] === 0) throw new InvalidArgumentError(`jacobiPreconditioner: diag[${i}] is zero`);
    inv[i] = 1 / diag[i]!;
  }
  const n = inv.length;
  return (v, out) => {
    if (v.length !== n) throw new ShapeError(`jacobiPreconditioner: v has length ${v.length}, expected ${n}`);
    for (let i = 0; i < n; i++) out[i] = v[i]! * inv[i]!;
  };
}
