/**
 * @file matmul with transpose flags: values against explicit transposes for vectors, matrices,
 * sizes through the gemv and gemm paths, and derivatives (FD + dot-product) with flags set.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nd from '../src/index.js';
import { assertClose, checkDerivatives } from './helpers.js';

const g = nd.rng(1);
const A = g.normal([3, 4]), B = g.normal([3, 5]), v = g.normal([3]), w = g.normal([4]);
const big = g.normal([40, 50]), bigB = g.normal([40, 30]);

test('transpose flags equal explicit transposes (vectors, small and large matrices)', () => {
  assertClose(nd.matmul(A, B, { transA: true }), nd.matmul(nd.transpose(A), B), 1e-14);
  assertClose(nd.matmul(A, v, { transA: true }), nd.matmul(nd.transpose(A), v), 1e-14);
  assertClose(nd.matmul(v, A), nd.matmul(nd.transpose(A), v), 1e-14);
  assertClose(nd.matmul(w, A, { transB: true }), nd.matmul(A, w), 1e-14);
  assertClose(nd.matmul(A, A, { transB: true }), nd.matmul(A, nd.transpose(A)), 1e-14);
  assertClose(nd.matmul(big, bigB, { transA: true }), nd.matmul(nd.transpose(big), bigB), 1e-13);
  assertClose(nd.matmul(big, big, { transB: true }), nd.matmul(big, nd.transpose(big)), 1e-13);
  assertClose(nd.matmul(bigB, nd.transpose(big), { transA: true, transB: true }), nd.matmul(nd.transpose(bigB), big), 1e-13);
  assert.deepEqual(nd.matmul(A, v, { transA: true }).shape, [4]);
});

test('inner-dimension mismatch with flags names the transposed operand', () => {
  assert.throws(() => nd.matmul(A, w, { transA: true }), (e: Error) => e instanceof nd.ShapeError && /transpose/.test(e.message));
});

test('derivatives with transpose flags: FD and dot-product tests', () => {
  checkDerivatives((a: nd.Tensor, x: nd.Tensor) => nd.matmul(a, x, { transA: true }), [A, v]);
  checkDerivatives((a: nd.Tensor, x: nd.Tensor) => nd.matmul(x, a, { transB: true }), [A, w]);
  checkDerivatives((a: nd.Tensor, b: nd.Tensor) => nd.matmul(a, b, { transA: true, transB: true }), [A, g.normal([5, 3])]);
});
