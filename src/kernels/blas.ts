/**
 * @file Level-1 BLAS-style kernels on `Float64Array`s with stdlib-like strided signatures
 * `(n, x, strideX, offsetX, ...)` where it matters, and simple contiguous variants for the hot
 * loops. Level-2/3 kernels (gemv, gemm) live beside them.
 */

/** Σ x[i]·y[i] over the first n entries (contiguous). Four accumulators for ILP. */
export function dot(n: number, x: Float64Array, y: Float64Array): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    s0 += x[i]! * y[i]!;
    s1 += x[i + 1]! * y[i + 1]!;
    s2 += x[i + 2]! * y[i + 2]!;
    s3 += x[i + 3]! * y[i + 3]!;
  }
  for (; i < n; i++) s0 += x[i]! * y[i]!;
  return s0 + s1 + s2 + s3;
}

/** Strided dot: Σ x[ox + i·sx]·y[oy + i·sy]. */
export function dotStrided(n: number, x: Float64Array, sx: number, ox: number, y: Float64Array, sy: number, oy: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += x[ox + i * sx]! * y[oy + i * sy]!;
  return s;
}

/** y ← y + a·x over the first n entries. */
export function axpy(n: number, a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < n; i++) y[i] += a * x[i]!;
}

/** x ← a·x. */
export function scal(n: number, a: number, x: Float64Array): void {
  for (let i = 0; i < n; i++) x[i] *= a;
}

/** Euclidean norm with scaling to avoid overflow/underflow (LAPACK dnrm2 style). */
export function nrm2(n: number, x: Float64Array): number {
  let scale = 0;
  let ssq = 1;
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    if (v !== 0) {
      const a = Math.abs(v);
      if (scale < a) {
        const r = scale / a;
        ssq = 1 + ssq * r * r;
        scale = a;
      } else {
        const r = a / scale;
        ssq += r * r;
      }
    }
  }
  return scale * Math.sqrt(ssq);
}

/** max |x[i]|. */
export function amax(n: number, x: Float64Array): number {
  let m = 0;
  for (let i = 0; i < n; i++) {
    const a = Math.abs(x[i]!);
    if (a > m) m = a;
  }
  return m;
}
