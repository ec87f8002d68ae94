/**
 * @file Tests of src/linalg/dense/cholesky_update.ts: the rank-revealing Cholesky equals
 * `choleskyFactor` on SPD matrices and reports (not throws) rank deficiency; appending and deleting
 * rows/columns reproduces a fresh factorisation of the modified matrix (also q rows at once, the
 * gemm-blocked path, and deletions deep in a large factor, the interleaved rows); strided solves.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rng } from '../src/core/rng.js';
import { choleskyFactor } from '../src/linalg/dense/cholesky.js';
import {
  choleskyAppendInPlace, choleskyAppendRowsInPlace, choleskyDeleteInPlace, choleskyRankRevealing, choleskySolveStrided,
} from '../src/linalg/dense/cholesky_update.js';

/** A = GᵀG/n for a random n×m G (SPD when n ≥ m). */
function gram(n: number, m: number, seed: number): Float64Array {
  const G = rng(seed).normal([n, m]).data;
  const A = new Float64Array(m * m);
  for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += G[i * m + a]! * G[i * m + b]!;
    A[a * m + b] = s / n;
  }
  return A;
}

function lowerOf(L: Float64Array, m: number, stride: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < m; i++) for (let j = 0; j <= i; j++) out.push(L[i * stride + j]!);
  return out;
}

function maxDiff(a: number[], b: number[]): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

test('rank-revealing Cholesky = choleskyFactor on SPD matrices; solves are exact', () => {
  const m = 12;
  const A = gram(40, m, 1);
  const L = Float64Array.from(A);
  const info = choleskyRankRevealing(L, m);
  assert.ok(info.ok && info.minPivotRatio > 1e-3 && info.conditionEstimate >= 1);
  assert.ok(maxDiff(lowerOf(L, m, m), lowerOf(choleskyFactor(A, m), m, m)) < 1e-13);
  const x = rng(2).normal([m]).data;
  const b = new Float64Array(m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) b[i] += A[i * m + j]! * x[j]!;
  choleskySolveStrided(L, m, b);
  assert.ok(maxDiff(Array.from(b), Array.from(x)) < 1e-10);
});

test('rank deficiency is reported with the dependent pivot, and the factor stays usable', () => {
  const m = 6;
  const A = gram(20, m, 3);
  // make column/row 4 a copy of column/row 1
  for (let i = 0; i < m; i++) A[i * m + 4] = A[i * m + 1]!;
  for (let j = 0; j < m; j++) A[4 * m + j] = A[1 * m + j]!;
  const raw = new Float64Array(m);
  const info = choleskyRankRevealing(A, m, 1e-10, raw);
  assert.equal(info.ok, false);
  assert.equal(info.worstIndex, 4);
  assert.ok(info.minPivotRatio < 1e-12 && raw[4]! < 1e-12);
  for (let i = 0; i < m; i++) assert.ok(Number.isFinite(A[i * m + i]!) && A[i * m + i]! > 0);
});

test('append and delete reproduce a fresh factorisation of the modified matrix', () => {
  const mAll = 10;
  const A = gram(50, mAll, 4);
  const stride = 16;
  const L = new Float64Array(stride * stride);
  // build by appending rows 0..9 one at a time
  for (let k = 0; k < mAll; k++) {
    for (let t = 0; t < k; t++) L[k * stride + t] = A[k * mAll + t]!;
    const raw = choleskyAppendInPlace(L, k, stride, A[k * mAll + k]!);
    assert.ok(Number.isNaN(raw));
  }
  const fresh = Float64Array.from(A);
  choleskyRankRevealing(fresh, mAll);
  assert.ok(maxDiff(lowerOf(L, mAll, stride), lowerOf(fresh, mAll, mAll)) < 1e-13);
  // delete rows 3 and then 7 (of the remaining): compare with the factor of A without them
  choleskyDeleteInPlace(L, mAll, stride, 3);
  choleskyDeleteInPlace(L, mAll - 1, stride, 6);
  const keep = [0, 1, 2, 4, 5, 6, 8, 9];
  const k = keep.length;
  const B = new Float64Array(k * k);
  for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) B[a * k + b] = A[keep[a]! * mAll + keep[b]!]!;
  choleskyRankRevealing(B, k);
  assert.ok(maxDiff(lowerOf(L, k, stride), lowerOf(B, k, k)) < 1e-12);
});

test('blocked rank-revealing Cholesky (m ≥ 96): equals choleskyFactor, upper triangle untouched, dependent columns reported at their index', () => {
  for (const m of [96, 150, 203]) {
    const A = gram(m + 40, m, 7 + m);
    const ref = choleskyFactor(A, m);
    const L = new Float64Array(A);
    for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) L[i * m + j] = -7; // sentinel
    const raw = new Float64Array(m);
    const info = choleskyRankRevealing(L, m, 1e-10, raw);
    assert.equal(info.ok, true);
    assert.ok(maxDiff(lowerOf(L, m, m), lowerOf(ref, m, m)) < 1e-12, `m = ${m}`);
    for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) assert.equal(L[i * m + j], -7);
    // pivot ratios: L_kk² / A_kk
    for (let k = 0; k < m; k++) assert.ok(Math.abs(raw[k]! - L[k * m + k]! ** 2 / A[k * m + k]!) < 1e-12);
    assert.ok(Math.abs(info.minPivotRatio - Math.min(...raw)) < 1e-15);
  }
  // rank deficiency in a later block: column 130 = column 3 + column 100 (G has m − 1 free columns)
  const m = 160;
  const n = 220;
  const G = rng(5).normal([n, m]).data;
  for (let i = 0; i < n; i++) G[i * m + 130] = G[i * m + 3]! + G[i * m + 100]!;
  const A = new Float64Array(m * m);
  for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += G[i * m + a]! * G[i * m + b]!;
    A[a * m + b] = s / n;
  }
  const info = choleskyRankRevealing(new Float64Array(A), m, 1e-10);
  assert.equal(info.ok, false);
  assert.equal(info.worstIndex, 130);
  assert.ok(info.minPivotRatio < 1e-12);
});

/** Factor of the leading m×m block of the mAll×mAll A in a stride-`stride` buffer, rows m.. hold A's rows. */
function leadingFactor(A: Float64Array, mAll: number, m: number, stride: number): Float64Array {
  const B = new Float64Array(m * m);
  for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) B[a * m + b] = A[a * mAll + b]!;
  choleskyRankRevealing(B, m);
  const L = new Float64Array(stride * stride);
  for (let i = 0; i < m; i++) for (let j = 0; j <= i; j++) L[i * stride + j] = B[i * m + j]!;
  for (let i = m; i < mAll; i++) for (let j = 0; j < i; j++) L[i * stride + j] = A[i * mAll + j]!;
  return L;
}

test('q rows appended at once equal q successive appends (bit-identical when small, gemm-blocked from m ≥ 64 to rounding); a dependent new column is floored and reported', () => {
  for (const [m, q] of [[10, 3], [150, 12], [200, 3]] as const) {
    const mAll = m + q;
    const A = gram(mAll + 30, mAll, 20 + m);
    const stride = mAll + 5;
    const seq = leadingFactor(A, mAll, m, stride);
    const bat = Float64Array.from(seq);
    for (let e = 0; e < q; e++) assert.ok(Number.isNaN(choleskyAppendInPlace(seq, m + e, stride, A[(m + e) * mAll + m + e]!)));
    const raw = new Float64Array(q);
    choleskyAppendRowsInPlace(bat, m, q, stride, Float64Array.from({ length: q }, (_, e) => A[(m + e) * mAll + m + e]!), 1e-10, raw);
    assert.ok(raw.every((r) => Number.isNaN(r)));
    const d = maxDiff(lowerOf(bat, mAll, stride), lowerOf(seq, mAll, stride));
    if (m < 64) assert.equal(d, 0, `m = ${m}: the small path is the successive appends`);
    else assert.ok(d <= 1e-13, `m = ${m}, q = ${q}: ${d}`);
    const fresh = Float64Array.from(A);
    choleskyRankRevealing(fresh, mAll);
    assert.ok(maxDiff(lowerOf(bat, mAll, stride), lowerOf(fresh, mAll, mAll)) <= 1e-12);
  }
  // new column m + 2 duplicates column 7: its pivot is floored, the raw ratio reported
  const m = 120, q = 6, mAll = m + q;
  const G = rng(31).normal([200, mAll]).data;
  for (let i = 0; i < 200; i++) G[i * mAll + m + 2] = G[i * mAll + 7]!;
  const A = new Float64Array(mAll * mAll);
  for (let a = 0; a < mAll; a++) for (let b = 0; b < mAll; b++) {
    let s = 0;
    for (let i = 0; i < 200; i++) s += G[i * mAll + a]! * G[i * mAll + b]!;
    A[a * mAll + b] = s / 200;
  }
  const L = leadingFactor(A, mAll, m, mAll);
  const raw = new Float64Array(q);
  choleskyAppendRowsInPlace(L, m, q, mAll, Float64Array.from({ length: q }, (_, e) => A[(m + e) * mAll + m + e]!), 1e-10, raw);
  assert.ok(raw[2]! >= 0 && raw[2]! < 1e-12, `raw ratio of the dependent column ${raw[2]}`);
  for (const e of [0, 1, 3, 4, 5]) assert.ok(Number.isNaN(raw[e]!));
  for (let i = 0; i < mAll; i++) assert.ok(L[i * mAll + i]! > 0 && Number.isFinite(L[i * mAll + i]!));
});

test('deleting near the top of a large factor (four trailing rows interleaved) equals the fresh factor without that row', () => {
  const mAll = 67;
  const A = gram(120, mAll, 41);
  const L = Float64Array.from(A);
  choleskyRankRevealing(L, mAll);
  for (const k of [2, 40, 66]) {
    const keepAll = Array.from({ length: mAll }, (_, i) => i);
    const Lk = Float64Array.from(L);
    choleskyDeleteInPlace(Lk, mAll, mAll, k);
    const keep = keepAll.filter((i) => i !== k);
    const B = new Float64Array(keep.length * keep.length);
    for (let a = 0; a < keep.length; a++) for (let b = 0; b < keep.length; b++) B[a * keep.length + b] = A[keep[a]! * mAll + keep[b]!]!;
    choleskyRankRevealing(B, keep.length);
    assert.ok(maxDiff(lowerOf(Lk, keep.length, mAll), lowerOf(B, keep.length, keep.length)) <= 1e-12, `k = ${k}`);
  }
});
