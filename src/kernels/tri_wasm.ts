/**
 * @file WebAssembly SIMD kernels of a lower-triangular factor that lives in a memory of its own:
 * the L Lᵀ solve (forward substitution in dot form, back substitution in axpy form over rows of
 * L), the substitution of new rows against the factor (one row, or four sharing each read of
 * the factor), whole row appends with their pivots (`triAppendRows`) and row / column deletions by
 * Givens rotations (`triDelete`; `triDeleteMany`: several in one call), from
 * src/kernels/wasm/tri.wat. `createTriMatrix` hands out the factor's storage
 * (in such a memory when the kernels are available, else a plain `Float64Array`); the kernel
 * entries return false when their operand does not live there or the backend is 'js', and the
 * caller runs its TypeScript loops (src/linalg/dense/cholesky_update.ts: the reference).
 *
 * Why a memory per factor: the solves are O(m²) on an O(m²) factor, so copying the factor into a
 * shared kernel memory per call would cost as much as the work; the factor of the Lasso support
 * (src/lasso/hypergrad_factor.ts) is updated in place across many solves and stays there.
 */
import { lazyModule, useWasm, WA } from './engine.js';
import { TRI_WASM } from './wasm/modules.generated.js';

interface TriExports {
  fwd: (l: number, st: number, m: number, b: number) => void;
  bwd: (l: number, st: number, m: number, b: number) => void;
  sub1: (l: number, st: number, t0: number, m: number, r: number, ss: number) => void;
  sub4: (l: number, st: number, m: number, r: number, ss: number) => void;
  sub2: (l: number, st: number, m: number, r: number, ss: number) => void;
  sub3: (l: number, st: number, m: number, r: number, ss: number) => void;
  rot: (l: number, st: number, c0: number, len: number, x: number) => void;
  compact: (l: number, st: number, m: number, k: number) => void;
  append: (l: number, st: number, m: number, q: number, p: number, tol: number) => void;
  delmany: (l: number, st: number, m: number, kp: number, count: number, x: number) => void;
}

/** A factor memory: the matrix view at offset 0, `vecLen` scratch entries, 4 entries for sums. */
interface TriSlot {
  readonly buffer: ArrayBuffer;
  readonly bytes: number;
  readonly ex: TriExports;
  len: number;
  vec: Float64Array;
  ss: Float64Array;
}

const module = lazyModule(TRI_WASM.plain);

/** Live factor memories by buffer (a WeakMap: an abandoned factor is collected with its memory). */
const slots = new WeakMap<ArrayBuffer, TriSlot>();
/** Released memories (most recent last), reused by later factors of a similar size. */
const pool: TriSlot[] = [];
const POOL_MAX = 4;

/**
 * A zeroed array of `len` float64 for a lower factor (row-major, any stride) with `vecLen` entries
 * of scratch beside it: in a WebAssembly memory of its own when the SIMD kernels are available
 * (then `triSolve` / `triSubstitute` run on it), else a plain `Float64Array`.
 *
 * @example
 * const L = createTriMatrix(cap * cap, cap); // a factor of order ≤ cap, stride cap
 */
export function createTriMatrix(len: number, vecLen: number): Float64Array {
  const mod = useWasm() ? module() : null;
  const bytes = (len + vecLen + 4) * 8;
  if (mod === null || WA === undefined || bytes > 2 ** 31) return new Float64Array(len);
  let slot: TriSlot | undefined;
  for (let k = 0; k < pool.length; k++) {
    const c = pool[k]!;
    if (c.bytes >= bytes && c.bytes <= 2 * bytes + (1 << 20)) {
      pool.splice(k, 1);
      slot = c;
      new Float64Array(c.buffer, 0, len).fill(0);
      break;
    }
  }
  if (slot === undefined) {
    try {
      const pages = Math.ceil(bytes / 65536);
      const memory = new WA.Memory({ initial: pages });
      const inst = new WA.Instance(mod, { env: { mem: memory, hypot: Math.hypot } });
      slot = { buffer: memory.buffer as ArrayBuffer, bytes: pages * 65536, ex: inst.exports as unknown as TriExports, len: 0, vec: new Float64Array(0), ss: new Float64Array(0) };
    } catch {
      return new Float64Array(len);
    }
  }
  slot.len = len;
  slot.vec = new Float64Array(slot.buffer, len * 8, vecLen);
  slot.ss = new Float64Array(slot.buffer, (len + vecLen) * 8, 4);
  slots.set(slot.buffer, slot);
  return new Float64Array(slot.buffer, 0, len);
}

/**
 * Returns the memory of a `createTriMatrix` array to the pool (no-op for a plain array); `L` must
 * not be used afterwards.
 *
 * @example
 * releaseTriMatrix(L);
 */
export function releaseTriMatrix(L: Float64Array): void {
  const slot = slots.get(L.buffer as ArrayBuffer);
  if (slot === undefined || L.byteOffset !== 0) return;
  slots.delete(slot.buffer);
  pool.push(slot);
  while (pool.length > POOL_MAX) pool.shift();
}

/** The slot of `L` when its kernels may run now. */
function slotOf(L: Float64Array): TriSlot | null {
  const slot = slots.get(L.buffer as ArrayBuffer);
  return slot !== undefined && L.byteOffset === 0 && useWasm() ? slot : null;
}

/**
 * The scratch vector beside a `createTriMatrix` array (length `vecLen`), or null: right-hand sides
 * staged there need no copy in `triSolve`.
 *
 * @example
 * const y = triScratch(L) ?? new Float64Array(m);
 */
export function triScratch(L: Float64Array): Float64Array | null {
  const slot = slotOf(L);
  return slot === null ? null : slot.vec;
}

/**
 * Solves L Lᵀ x = b in place (b becomes x) with the SIMD kernels when `L` is a `createTriMatrix`
 * array (order m, row stride `stride`) and the backend allows: returns false otherwise (nothing
 * done; the caller runs its own loops).
 *
 * @example
 * if (!triSolve(L, m, stride, b)) choleskySolveStridedJs(L, m, b, stride);
 */
export function triSolve(L: Float64Array, m: number, stride: number, b: Float64Array): boolean {
  const slot = slotOf(L);
  if (slot === null || m > slot.vec.length || m * stride > slot.len + stride) return false;
  let ptr: number;
  if (b.buffer === slot.buffer) ptr = b.byteOffset;
  else {
    slot.vec.set(b.length === m ? b : b.subarray(0, m));
    ptr = slot.vec.byteOffset;
  }
  slot.ex.fwd(0, stride, m, ptr);
  slot.ex.bwd(0, stride, m, ptr);
  if (b.buffer !== slot.buffer) b.set(slot.vec.subarray(0, m));
  return true;
}

/**
 * Substitutes the rows r0 .. r0 + q (≥ m) of L against its first m rows, in place: row r holds
 * g = A[r, 0..m) on entry and receives L[r, t] = (g_t − L[t, 0..t)·L[r, 0..t)) / L_tt for t < m;
 * `ss[e]` receives Σ_t L[r0 + e, t]². SIMD kernels, four rows per pass over the factor (the remainder of two or three rows in one more); returns
 * false (nothing done) when `L` is not a `createTriMatrix` array or the backend is 'js'.
 *
 * @example
 * if (!triSubstitute(L, m, stride, m, q, ss)) { ... } // TypeScript substitution
 */
export function triSubstitute(L: Float64Array, m: number, stride: number, r0: number, q: number, ss: Float64Array): boolean {
  const slot = slotOf(L);
  if (slot === null || (r0 + q) * stride > slot.len + stride) return false;
  const sp = slot.ss.byteOffset;
  let e = 0;
  for (; e + 3 < q; e += 4) {
    slot.ex.sub4(0, stride, m, r0 + e, sp);
    for (let u = 0; u < 4; u++) ss[e + u] = slot.ss[u]!;
  }
  // the remainder: three or two rows in one pass, a single row alone
  const rest = q - e;
  if (rest === 3) slot.ex.sub3(0, stride, m, r0 + e, sp);
  else if (rest === 2) slot.ex.sub2(0, stride, m, r0 + e, sp);
  else if (rest === 1) slot.ex.sub1(0, stride, 0, m, r0 + e, sp);
  for (let u = 0; u < rest; u++) ss[e + u] = slot.ss[u]!;
  return true;
}

/**
 * Deletes row and column k from the factor of order m (stride `stride`): the trailing block below
 * row k becomes the factor of B Bᵀ + x xᵀ, x = L[k+1.., k], then rows k+1.. move up and their
 * entries right of column k left. SIMD kernel, column by column, two rows per f64x2, with the
 * operations of `choleskyDeleteInPlace`'s loops in the same order (the same bits); returns false
 * (nothing done) when `L` is not a `createTriMatrix` array with room for x, or the backend is 'js'.
 *
 * @example
 * if (!triDelete(L, m, stride, k)) { ... } // TypeScript rotations and compaction
 */
export function triDelete(L: Float64Array, m: number, stride: number, k: number): boolean {
  const slot = slotOf(L);
  const len = m - k - 1;
  if (slot === null || len > slot.vec.length || m * stride > slot.len + stride) return false;
  const x = slot.vec;
  for (let i = 0; i < len; i++) x[i] = L[(k + 1 + i) * stride + k]!;
  slot.ex.rot(0, stride, k + 1, len, x.byteOffset);
  slot.ex.compact(0, stride, m, k);
  return true;
}

/**
 * Row r of L against its rows t0 .. m (entries before t0 already substituted): L[r, t] =
 * (L[r, t] − L[t, 0..t)·L[r, 0..t)) / L_tt for t0 ≤ t < m, in place; returns Σ_{t0≤t<m} L[r, t]²,
 * or NaN (nothing done) when `L` is not a `createTriMatrix` array or the backend is 'js'. The
 * appended rows against each other (`choleskyAppendRowsInPlace`).
 *
 * @example
 * const s = triSubstituteRow(L, stride, m, m + e, m + e); // NaN: TypeScript loop
 */
export function triSubstituteRow(L: Float64Array, stride: number, t0: number, m: number, r: number): number {
  const slot = slotOf(L);
  if (slot === null || (r + 1) * stride > slot.len + stride) return NaN;
  slot.ex.sub1(0, stride, t0, m, r, slot.ss.byteOffset);
  return slot.ss[0]!;
}

/**
 * Appends q rows to the factor of order m in one kernel call: rows m .. m+q−1 of L hold the Gram
 * entries of the new features against the m factored ones and against each other (row m+e:
 * entries 0 .. m+e, as for `choleskyAppendRowsInPlace`); they receive the factor rows, with the
 * pivots √(d_e − ‖l_e‖²) floored at rankTol·d_e, and `rawOut[e]` the raw pivot ratio when it
 * floored (else NaN). The same kernels and operations, in the same order, as
 * `choleskyAppendRowsInPlace` on a `createTriMatrix` factor (the same bits) in one call instead of
 * one per four rows, one per new row and the pivots in JavaScript. Returns false (nothing done)
 * when `L` is not a `createTriMatrix` array, its scratch is shorter than 3q + 1 or the backend is 'js'.
 *
 * @example
 * const done = triAppendRows(L, m, q, stride, d, 1e-10, raw); // false: choleskyAppendRowsInPlace's stepwise path
 */
export function triAppendRows(
  L: Float64Array, m: number, q: number, stride: number, d: ArrayLike<number>, rankTol: number, rawOut: Float64Array,
): boolean {
  const slot = slotOf(L);
  if (slot === null || q < 1 || 3 * q + 1 > slot.vec.length || (m + q) * stride > slot.len + stride) return false;
  const v = slot.vec;
  for (let e = 0; e < q; e++) v[e] = d[e]!;
  slot.ex.append(0, stride, m, q, v.byteOffset, rankTol);
  for (let e = 0; e < q; e++) rawOut[e] = v[2 * q + e]!;
  return true;
}

/**
 * Deletes the rows and columns `ks` (ascending positions) from the factor of order m in one kernel
 * call, the last first: each as `triDelete` does it (the same operations, hence the same bits),
 * where a call per deletion made two kernel calls and a JavaScript gather. Returns false (nothing
 * done) when `L` is not a `createTriMatrix` array, its scratch is too short or the backend is 'js'.
 *
 * @example
 * if (!triDeleteMany(L, m, stride, [k0, k1])) { ... } // one deletion at a time
 */
export function triDeleteMany(L: Float64Array, m: number, stride: number, ks: readonly number[]): boolean {
  const slot = slotOf(L);
  const count = ks.length;
  if (slot === null || count === 0) return false;
  const len = m - ks[0]! - 1;
  if (count + len > slot.vec.length || m * stride > slot.len + stride) return false;
  const v = slot.vec;
  for (let u = 0; u < count; u++) v[u] = ks[u]!;
  slot.ex.delmany(0, stride, m, v.byteOffset, count, v.byteOffset + 8 * count);
  return true;
}
