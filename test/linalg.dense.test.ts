/**
 * @file Tests of the dense linear algebra layer: factorization identities (PA = LU, LLᵀ = A,
 * QR = A with QᵀQ = I, AV = VΛ, UΣVᵀ = A), solve residuals, least squares against the normal
 * equations, inverses, determinants, condition numbers, and every bad-input error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  ConvergenceError,
  InvalidArgumentError,
  NonFiniteError,
  NotPositiveDefiniteError,
  NotSymmetricError,
  ShapeError,
  SingularMatrixError,
} from '../src/core/errors.js';
import { tensor, type Tensor } from '../src/core/tensor.js';
import { matmul } from '../src/kernels/blas.js';
import {
  choleskyFactor,
  choleskyLogDet,
  choleskySolve,
  eighDecompose,
  luDet,
  luFactor,
  luInverse,
  luRcondEstimate,
  luSlogdet,
  luSolve,
  norm1,
  qrFactor,
  qrFactorPivoted,
  qrMultiplyQ,
  qrMultiplyQT,
  qrQ,
  qrR,
  qrSolve,
  svdDecompose,
  triangularSolve,
} from '../src/linalg/dense/index.js';
import { linalg } from '../src/index.js';
import { seeded } from './fixtures/seeded.js';

// the public Tensor functions (src/ops/linalg_api.ts), with number-valued adapters for the checks below
const { cholesky, eigh, eigvalsh, inv, lstsq, lu, matrixRank, pinv, qr, solve, svd, svdvals, condEstimate } = linalg;
const det = (A: Tensor): number => linalg.det(A).item();
const slogdet = (A: Tensor): { sign: number; logAbsDet: number } => {
  const r = linalg.slogdet(A);
  return { sign: r.sign.item(), logAbsDet: r.logabsdet.item() };
};
const cond = (A: Tensor, o?: linalg.SvdFamilyOptions): number => linalg.cond(A, o).item();
const sigmaMin = (A: Tensor, o?: linalg.SvdFamilyOptions): number => {
  const s = linalg.svdvals(A, o).data;
  return s[s.length - 1]!;
};
const solveTriangular = (Tm: Tensor, b: Tensor, o: { trans?: boolean } = {}): Tensor => linalg.triangularSolve(Tm, b, { lower: true, transpose: o.trans });

// ---------------------------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------------------------

const EPS = Number.EPSILON;
const dbl = fc.double({ min: -10, max: 10, noNaN: true });

interface M {
  m: number;
  n: number;
  a: Float64Array;
}

/** Random m×n matrices with entries in [−10, 10]. */
function matArb(minDim: number, maxDim: number): fc.Arbitrary<M> {
  return fc
    .tuple(fc.integer({ min: minDim, max: maxDim }), fc.integer({ min: minDim, max: maxDim }))
    .chain(([m, n]) =>
      fc.array(dbl, { minLength: m * n, maxLength: m * n }).map((xs) => ({ m, n, a: Float64Array.from(xs) })),
    );
}

function squareArb(minDim: number, maxDim: number): fc.Arbitrary<M> {
  return fc
    .integer({ min: minDim, max: maxDim })
    .chain((n) => fc.array(dbl, { minLength: n * n, maxLength: n * n }).map((xs) => ({ m: n, n, a: Float64Array.from(xs) })));
}

function transpose(A: Float64Array, m: number, n: number): Float64Array {
  const T = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) T[j * m + i] = A[i * n + j]!;
  return T;
}

function maxAbs(A: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < A.length; i++) s = Math.max(s, Math.abs(A[i]!));
  return s;
}

function maxDiff(A: ArrayLike<number>, B: ArrayLike<number>): number {
  assert.equal(A.length, B.length, 'length mismatch');
  let s = 0;
  for (let i = 0; i < A.length; i++) s = Math.max(s, Math.abs(A[i]! - B[i]!));
  return s;
}

function assertNear(A: ArrayLike<number>, B: ArrayLike<number>, tol: number, what: string): void {
  const d = maxDiff(A, B);
  assert.ok(d <= tol, `${what}: max difference ${d} > ${tol}`);
}

function eye(n: number): Float64Array {
  const I = new Float64Array(n * n);
  for (let i = 0; i < n; i++) I[i * n + i] = 1;
  return I;
}

/** ‖QᵀQ − I‖_max for Q m×k. */
function orthoError(Q: Float64Array, m: number, k: number): number {
  return maxDiff(matmul(transpose(Q, m, k), Q, k, m, k), eye(k));
}

/** A with its diagonal boosted so that it is strictly diagonally dominant (well conditioned). */
function diagDominant(a: Float64Array, n: number): Float64Array {
  const out = Float64Array.from(a);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += Math.abs(a[i * n + j]!);
    out[i * n + i] = s + 1;
  }
  return out;
}

/** B·Bᵀ + I: symmetric positive definite. */
function spd(b: Float64Array, n: number): Float64Array {
  const S = matmul(b, transpose(b, n, n), n, n, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) S[i * n + j] = S[j * n + i] = 0.5 * (S[i * n + j]! + S[j * n + i]!);
    S[i * n + i] += 1;
  }
  return S;
}

function symmetrize(a: Float64Array, n: number): Float64Array {
  const S = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) S[i * n + j] = 0.5 * (a[i * n + j]! + a[j * n + i]!);
  return S;
}

const T = (data: Float64Array, shape: number[]): Tensor => tensor(data, shape);

// ---------------------------------------------------------------------------------------------
// LU
// ---------------------------------------------------------------------------------------------

test('LU: P·A = L·U with unit lower L and |multipliers| ≤ 1 (random square, incl. singular)', () => {
  fc.assert(
    fc.property(squareArb(1, 9), ({ n, a }) => {
      const { P, L, U } = lu(T(a, [n, n]));
      const PA = matmul(P.data, a, n, n, n);
      const LU = matmul(L.data, U.data, n, n, n);
      assertNear(PA, LU, 1e-13 * (1 + maxAbs(a)) * n, 'PA = LU');
      for (let i = 0; i < n; i++) {
        assert.equal(L.data[i * n + i], 1);
        for (let j = 0; j < n; j++) {
          if (j > i) assert.equal(L.data[i * n + j], 0);
          if (j < i) {
            assert.equal(U.data[i * n + j], 0);
            assert.ok(Math.abs(L.data[i * n + j]!) <= 1, 'partial pivoting bounds the multipliers');
          }
        }
      }
    }),
    { numRuns: 150 },
  );
});

test('LU: blocked path (n > 96) factors, solves and agrees with the determinant of the unblocked path', () => {
  for (const n of [97, 150]) {
    const A = seeded(n * n, n);
    const f = luFactor(A, n);
    // P·A = L·U
    const L = new Float64Array(n * n), U = new Float64Array(n * n), PA = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        if (j < i) L[i * n + j] = f.lu[i * n + j]!;
        else U[i * n + j] = f.lu[i * n + j]!;
        PA[i * n + j] = A[f.perm[i]! * n + j]!;
      }
      L[i * n + i] = 1;
    }
    assertNear(matmul(L, U, n, n, n), PA, 1e-12, `blocked PA = LU (n=${n})`);
    const B = seeded(n * 3, 99);
    const X = luSolve(f, B, 3);
    assertNear(matmul(A, X, n, n, 3), B, 1e-10, `blocked solve residual (n=${n})`);
    const Xt = luSolve(f, B, 3, true);
    assertNear(matmul(transpose(A, n, n), Xt, n, n, 3), B, 1e-10, `blocked transposed solve (n=${n})`);
  }
});

test('LU solve with multiple right-hand sides (A and Aᵀ), inverse, det and slogdet', () => {
  fc.assert(
    fc.property(squareArb(1, 8), fc.integer({ min: 1, max: 4 }), ({ n, a }, k) => {
      const A = diagDominant(a, n);
      const f = luFactor(A, n);
      const B = seeded(n * k, n + k);
      const scale = maxAbs(A);
      assertNear(matmul(A, luSolve(f, B, k), n, n, k), B, 1e-12 * scale * n, 'A·X = B');
      assertNear(matmul(transpose(A, n, n), luSolve(f, B, k, true), n, n, k), B, 1e-12 * scale * n, 'Aᵀ·X = B');
      assertNear(matmul(luInverse(f), A, n, n, n), eye(n), 1e-12 * n, 'A⁻¹·A = I');
      const d = luDet(f);
      const { sign, logAbsDet } = luSlogdet(f);
      assert.ok(Math.abs(sign * Math.exp(logAbsDet) - d) <= 1e-10 * Math.abs(d), 'slogdet consistent with det');
    }),
    { numRuns: 100 },
  );
});

test('LU records exact zero pivots; solves refuse them, det returns 0', () => {
  const f = luFactor(Float64Array.of(1, 2, 2, 4), 2);
  assert.equal(f.zeroPivot, 1);
  assert.equal(luDet(f), 0);
  assert.deepEqual(luSlogdet(f), { sign: 0, logAbsDet: -Infinity });
  assert.throws(() => luSolve(f, Float64Array.of(1, 1), 1), SingularMatrixError);
  assert.throws(() => luInverse(f), SingularMatrixError);
  assert.equal(luRcondEstimate(f, 6), 0);
  // examples from the TSDoc
  assert.deepEqual(Array.from(luFactor(Float64Array.of(0, 1, 2, 3), 2).perm), [1, 0]);
  assert.equal(luDet(luFactor(Float64Array.of(1, 2, 3, 4), 2)), -2);
  assertNear(luSolve(luFactor(Float64Array.of(4, 3, 6, 3), 2), Float64Array.of(10, 12), 1), [1, 2], 1e-15, 'luSolve example');
});

// ---------------------------------------------------------------------------------------------
// Cholesky
// ---------------------------------------------------------------------------------------------

test('Cholesky: L·Lᵀ = A with L lower triangular and positive diagonal; solve residual; logdet', () => {
  fc.assert(
    fc.property(squareArb(1, 9), ({ n, a }) => {
      const A = spd(a, n);
      const L = choleskyFactor(A, n);
      for (let i = 0; i < n; i++) {
        assert.ok(L[i * n + i]! > 0);
        for (let j = i + 1; j < n; j++) assert.equal(L[i * n + j], 0);
      }
      const scale = maxAbs(A);
      assertNear(matmul(L, transpose(L, n, n), n, n, n), A, 1e-13 * scale * n, 'LLᵀ = A');
      const B = seeded(n * 2, n);
      assertNear(matmul(A, choleskySolve(L, n, B, 2), n, n, 2), B, 1e-9 * n, 'A·X = B');
      const ld = choleskyLogDet(L, n);
      const { sign, logAbsDet } = luSlogdet(luFactor(A, n));
      assert.equal(sign, 1);
      assert.ok(Math.abs(ld - logAbsDet) <= 1e-9 * (1 + Math.abs(ld)), 'log det agrees with LU');
    }),
    { numRuns: 100 },
  );
  assertNear(choleskyFactor(Float64Array.of(4, 2, 2, 5), 2), [2, 0, 1, 2], 1e-15, 'TSDoc example');
});

test('Cholesky: blocked path (n > 96)', () => {
  for (const n of [100, 161]) {
    const A = spd(seeded(n * n, n), n);
    const L = choleskyFactor(A, n);
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) assert.equal(L[i * n + j], 0, 'upper part is zero');
    assertNear(matmul(L, transpose(L, n, n), n, n, n), A, 1e-12 * maxAbs(A), `blocked LLᵀ = A (n=${n})`);
  }
});

test('Cholesky throws NotPositiveDefiniteError naming the failing pivot, NotSymmetricError on asymmetry', () => {
  // leading 1×1 minor fine, 2×2 minor det = 1·1 − 2·2 < 0: pivot 1 fails
  assert.throws(() => choleskyFactor(Float64Array.of(1, 2, 0, 2, 1, 0, 0, 0, 1), 3), (e: unknown) => {
    assert.ok(e instanceof NotPositiveDefiniteError);
    assert.match(e.message, /pivot 1/);
    return true;
  });
  assert.throws(() => cholesky(tensor([[-1, 0], [0, 1]])), (e: unknown) => e instanceof NotPositiveDefiniteError && /pivot 0/.test(e.message));
  // positive semidefinite but singular
  assert.throws(() => cholesky(tensor([[1, 1], [1, 1]])), NotPositiveDefiniteError);
  assert.throws(
    () => cholesky(tensor([[2, 1], [0, 2]])),
    (e: unknown) => e instanceof NotSymmetricError && !(e instanceof NotPositiveDefiniteError) && /^linalg\.cholesky\(\): A is not symmetric/.test(e.message),
  );
  assert.throws(() => choleskyFactor(Float64Array.of(2, 1, 0, 2), 2), NotSymmetricError);
  // blocked path: the failing pivot is reported with its global index
  const n = 120;
  const A = spd(seeded(n * n, 5), n);
  for (let j = 0; j < n; j++) A[110 * n + j] = A[j * n + 110] = 0;
  A[110 * n + 110] = -1;
  assert.throws(() => choleskyFactor(A, n), (e: unknown) => e instanceof NotPositiveDefiniteError && /pivot 110/.test(e.message));
});

// ---------------------------------------------------------------------------------------------
// triangular
// ---------------------------------------------------------------------------------------------

test('triangular solves: lower/upper × transpose × unit diagonal, multiple RHS', () => {
  fc.assert(
    fc.property(squareArb(1, 8), fc.integer({ min: 1, max: 3 }), fc.boolean(), fc.boolean(), fc.boolean(), ({ n, a }, k, lower, trans, unit) => {
      // well-conditioned triangle: |diagonal| ≥ 1 + row sum
      const Tm = diagDominant(a, n);
      // explicit op(T) as used by the solver: the named triangle, unit diagonal if asked
      const E = new Float64Array(n * n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          const inTri = lower ? j <= i : j >= i;
          if (inTri) E[i * n + j] = i === j && unit ? 1 : Tm[i * n + j]!;
        }
      }
      const op = trans ? transpose(E, n, n) : E;
      const B = seeded(n * k, n * 7 + k);
      const X = triangularSolve(Tm, n, B, k, { lower, trans, unitDiagonal: unit });
      assertNear(matmul(op, X, n, n, k), B, 1e-10, `op(T)·X = B (lower=${lower} trans=${trans} unit=${unit})`);
    }),
    { numRuns: 150 },
  );
  assertNear(triangularSolve(Float64Array.of(1, 2, 0, 4), 2, Float64Array.of(5, 8), 1, { lower: false }), [1, 2], 0, 'TSDoc');
  assertNear(solveTriangular(tensor([[2, 0], [1, 1]]), tensor([4, 1]), { trans: true }).data, [1.5, 1], 1e-15, 'TSDoc');
  assert.throws(() => triangularSolve(Float64Array.of(1, 0, 1, 0), 2, Float64Array.of(1, 1), 1), SingularMatrixError);
  // unit diagonal never reads the (zero) diagonal
  assertNear(triangularSolve(Float64Array.of(0, 0, 3, 0), 2, Float64Array.of(1, 5), 1, { unitDiagonal: true }), [1, 2], 0, 'unit');
});

// ---------------------------------------------------------------------------------------------
// QR
// ---------------------------------------------------------------------------------------------

test('QR (thin and full): QᵀQ = I, Q·R = A, R upper triangular, for every shape', () => {
  fc.assert(
    fc.property(matArb(1, 9), ({ m, n, a }) => {
      const scale = 1 + maxAbs(a);
      for (const mode of ['reduced', 'complete'] as const) {
        const { Q, R } = qr(T(a, [m, n]), { mode });
        const k = Q.shape[1]!;
        assert.deepEqual(R.shape, [k, n]);
        assert.ok(orthoError(Q.data, m, k) <= 1e-14 * 10 * Math.max(m, 4), `QᵀQ = I (${mode})`);
        assertNear(matmul(Q.data, R.data, m, k, n), a, 1e-14 * 10 * scale * Math.max(m, n), `QR = A (${mode})`);
        for (let i = 0; i < k; i++) for (let j = 0; j < Math.min(i, n); j++) assert.equal(R.data[i * n + j], 0);
      }
    }),
    { numRuns: 150 },
  );
});

test('QR: Qᵀ and Q products invert each other; least squares solves the normal equations', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 6 }).chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: n, max: n + 6 }))),
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 1, max: 10_000 }),
      ([n, m], k, seed) => {
        const A = seeded(m * n, seed);
        for (let i = 0; i < n; i++) A[i * n + i] += 3; // keep full column rank
        const f = qrFactor(A, m, n);
        const B = seeded(m * k, seed + 1);
        const C = Float64Array.from(B);
        qrMultiplyQT(f, C, k);
        qrMultiplyQ(f, C, k);
        assertNear(C, B, 1e-14 * 20, 'Q·Qᵀ·B = B');
        const X = qrSolve(f, B, k);
        // normal equations: Aᵀ(AX − B) = 0
        const R = matmul(A, X, m, n, k);
        for (let i = 0; i < R.length; i++) R[i] -= B[i]!;
        assertNear(matmul(transpose(A, m, n), R, n, m, k), new Float64Array(n * k), 1e-12, 'Aᵀ(AX − B) = 0');
      },
    ),
    { numRuns: 100 },
  );
  assertNear(qrR(qrFactor(Float64Array.of(3, 4), 2, 1)), [-5], 1e-15, 'TSDoc');
  assertNear(qrQ(qrFactor(Float64Array.of(3, 4), 2, 1)), [-0.6, -0.8], 1e-15, 'TSDoc');
  assert.throws(() => qrSolve(qrFactor(Float64Array.of(1, 2), 1, 2), Float64Array.of(1), 1), ShapeError);
  assert.throws(() => qrSolve(qrFactor(Float64Array.of(1, 0, 1, 0), 2, 2), Float64Array.of(1, 1), 1), SingularMatrixError);
});

test('pivoted QR: A·P = Q·R with non-increasing |R_kk|', () => {
  fc.assert(
    fc.property(matArb(1, 8), ({ m, n, a }) => {
      const f = qrFactorPivoted(a, m, n);
      const K = Math.min(m, n);
      const Q = qrQ(f), R = qrR(f);
      const AP = new Float64Array(m * n);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) AP[i * n + j] = a[i * n + f.jpvt[j]!]!;
      assertNear(matmul(Q, R, m, K, n), AP, 1e-13 * (1 + maxAbs(a)) * Math.max(m, n), 'AP = QR');
      for (let i = 1; i < K; i++) assert.ok(Math.abs(R[i * n + i]!) <= Math.abs(R[(i - 1) * n + i - 1]!) * (1 + 1e-12) + 1e-12);
    }),
    { numRuns: 100 },
  );
});

// ---------------------------------------------------------------------------------------------
// symmetric eigendecomposition
// ---------------------------------------------------------------------------------------------

test('eigh: A·V = V·Λ, VᵀV = I, eigenvalues ascending; values-only mode agrees', () => {
  fc.assert(
    fc.property(squareArb(1, 10), ({ n, a }) => {
      const A = symmetrize(a, n);
      const { eigenvalues: values, eigenvectors: vectors } = eigh(T(A, [n, n]));
      const lam = values.data, V = vectors.data;
      const scale = 1 + maxAbs(A);
      for (let i = 1; i < n; i++) assert.ok(lam[i - 1]! <= lam[i]!, 'ascending');
      assert.ok(orthoError(V, n, n) <= 1e-13 * n, 'VᵀV = I');
      const AV = matmul(A, V, n, n, n);
      const VL = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) VL[i * n + j] = V[i * n + j]! * lam[j]!;
      assertNear(AV, VL, 1e-13 * scale * n, 'AV = VΛ');
      assertNear(eigvalsh(T(A, [n, n])).data, lam, 1e-12 * scale, 'values only');
    }),
    { numRuns: 120 },
  );
});

test('eigh: known spectra, repeated eigenvalues, diagonal input and a larger matrix', () => {
  const r = eighDecompose(Float64Array.of(2, 1, 1, 2), 2);
  assertNear(r.values, [1, 3], 1e-15, '[[2,1],[1,2]]');
  const I = eighDecompose(eye(4), 4);
  assertNear(I.values, [1, 1, 1, 1], 0, 'identity');
  assert.ok(orthoError(I.vectors!, 4, 4) === 0);
  assertNear(eighDecompose(Float64Array.of(3, 0, 0, 0, -1, 0, 0, 0, 2), 3).values, [-1, 2, 3], 0, 'diagonal');
  // 1-D Laplacian: λ_k = 2 − 2cos(kπ/(n+1))
  const n = 60;
  const Lap = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    Lap[i * n + i] = 2;
    if (i > 0) Lap[i * n + i - 1] = Lap[(i - 1) * n + i] = -1;
  }
  const { values, vectors } = eighDecompose(Lap, n);
  const exact = Array.from({ length: n }, (_, k) => 2 - 2 * Math.cos(((k + 1) * Math.PI) / (n + 1)));
  assertNear(values, exact, 1e-13, 'Laplacian eigenvalues');
  assert.ok(orthoError(vectors!, n, n) < 1e-13);
  // larger random symmetric matrix
  const m = 80;
  const S = symmetrize(seeded(m * m, 3), m);
  const e = eighDecompose(S, m);
  const VL = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) VL[i * m + j] = e.vectors![i * m + j]! * e.values[j]!;
  assertNear(matmul(S, e.vectors!, m, m, m), VL, 1e-12, 'AV = VΛ (n=80)');
});

// ---------------------------------------------------------------------------------------------
// SVD
// ---------------------------------------------------------------------------------------------

type SvdMethod = 'golub-kahan' | 'jacobi';

function checkSvd(a: Float64Array, m: number, n: number, method: SvdMethod = 'golub-kahan', tolScale = 1): void {
  const { U, S, V } = svdDecompose(a, m, n, { method });
  const K = Math.min(m, n);
  assert.equal(S.length, K);
  for (let i = 0; i < K; i++) {
    assert.ok(S[i]! >= 0, 'σ ≥ 0');
    if (i > 0) assert.ok(S[i - 1]! >= S[i]!, 'descending');
  }
  assert.ok(orthoError(U!, m, K) <= 1e-13 * Math.max(m, n) * tolScale, `UᵀU = I (${m}×${n})`);
  assert.ok(orthoError(V!, n, K) <= 1e-13 * Math.max(m, n) * tolScale, `VᵀV = I (${m}×${n})`);
  const US = new Float64Array(m * K);
  for (let i = 0; i < m; i++) for (let j = 0; j < K; j++) US[i * K + j] = U![i * K + j]! * S[j]!;
  assertNear(matmul(US, transpose(V!, n, K), m, K, n), a, 1e-13 * (1 + maxAbs(a)) * Math.max(m, n) * tolScale, `UΣVᵀ = A (${m}×${n})`);
  const vals = svdDecompose(a, m, n, { vectors: false, method });
  assertNear(vals.S, S, 1e-12 * (1 + S[0]!), 'values-only mode');
}

const methods: SvdMethod[] = ['golub-kahan', 'jacobi'];

test('SVD (both methods): U·Σ·Vᵀ = A with orthonormal U, V and descending σ ≥ 0, every shape', () => {
  for (const method of methods) {
    fc.assert(
      fc.property(matArb(1, 9), ({ m, n, a }) => checkSvd(a, m, n, method)),
      { numRuns: 120 },
    );
  }
  // the two methods agree
  fc.assert(
    fc.property(matArb(1, 8), ({ m, n, a }) => {
      const gk = svdDecompose(a, m, n, { vectors: false }).S;
      const jac = svdDecompose(a, m, n, { vectors: false, method: 'jacobi' }).S;
      assertNear(gk, jac, 1e-13 * Math.max(m, n) * (1 + gk[0]!), 'golub-kahan vs jacobi');
    }),
    { numRuns: 100 },
  );
});

test('SVD: rank-deficient, zero, graded and larger matrices', () => {
  // rank 2 product of thin factors: U must still be orthonormal (completion of the null directions)
  const m = 7, n = 5;
  const Xr = matmul(seeded(m * 2, 1), seeded(2 * n, 2), m, 2, n);
  for (const method of methods) {
    checkSvd(Xr, m, n, method);
    checkSvd(transpose(Xr, m, n), n, m, method);
    checkSvd(new Float64Array(12), 3, 4, method); // zero matrix
    checkSvd(Float64Array.of(1, 1, 1, 1), 2, 2, method); // exactly singular
    checkSvd(seeded(60 * 40, 9), 60, 40, method);
    checkSvd(seeded(30 * 70, 10), 30, 70, method);
    // a zero column and a zero row in the middle
    const Z = seeded(6 * 6, 4);
    for (let i = 0; i < 6; i++) Z[i * 6 + 2] = Z[3 * 6 + i] = 0;
    checkSvd(Z, 6, 6, method);
    // identity and repeated singular values
    checkSvd(eye(9), 9, 9, method);
    assertNear(svdDecompose(eye(9), 9, 9, { method }).S, new Float64Array(9).fill(1), 1e-15, 'identity');
    // huge and tiny scales (power-of-two prescaling)
    checkSvd(Float64Array.from(seeded(12, 5), (v) => v * 1e300), 4, 3, method);
    assertNear(svdDecompose(Float64Array.of(3e-310, 0, 0, 4e-310), 2, 2, { method }).S, [4e-310, 3e-310], 1e-323, 'subnormal');
  }
  assert.equal(matrixRank(T(Xr, [m, n])), 2);
  // bidiagonal Golub–Kahan on a large matrix with a cluster of tiny singular values
  const big = matmul(seeded(120 * 40, 6), seeded(40 * 90, 7), 120, 40, 90);
  checkSvd(big, 120, 90);
  assert.equal(matrixRank(T(big, [120, 90])), 40);
  // strongly graded matrix: Jacobi keeps high relative accuracy in the tiny singular values
  const D = Float64Array.of(1, 0, 0, 0, 1e-8, 0, 0, 0, 1e-16);
  const Qm = qrQ(qrFactor(seeded(9, 8), 3, 3));
  const G = matmul(Qm, D, 3, 3, 3); // orthogonal · diag: σ = (1, 1e−8, 1e−16) exactly up to rounding
  const sj = svdDecompose(G, 3, 3, { method: 'jacobi' }).S;
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(sj[i]! / D[i * 4]! - 1) < 1e-12, `relative accuracy of σ_${i}`);
  const sg = svdDecompose(G, 3, 3).S; // Golub–Kahan: absolute accuracy O(ε·σ_max)
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(sg[i]! - D[i * 4]!) < 1e-14);
  assert.throws(() => svdDecompose(seeded(64, 1), 8, 8, { method: 'jacobi', maxSweeps: 1 }), ConvergenceError);
  assert.throws(() => svdDecompose(seeded(4, 1), 2, 2, { method: 'qr' as never }), InvalidArgumentError);
});

test('SVD: singular values of known matrices', () => {
  assertNear(svdvals(tensor([[3, 0], [0, -4]])).data, [4, 3], 1e-15, 'diagonal');
  // [[1, 1], [0, 1]]: σ = (1 ± √5)/2 in absolute value
  assertNear(svdvals(tensor([[1, 1], [0, 1]])).data, [(1 + Math.sqrt(5)) / 2, (Math.sqrt(5) - 1) / 2], 1e-15, 'shear');
  const { U, S, Vh } = svd(tensor([[3, 0], [0, -2]]));
  assertNear(S.data, [3, 2], 1e-15, 'svd example');
  assert.deepEqual(U.shape, [2, 2]);
  assert.deepEqual(Vh.shape, [2, 2]);
  assert.deepEqual(svd(tensor([[1, 2, 3]])).U.shape, [1, 1]);
  assert.deepEqual(svd(tensor([[1, 2, 3]])).Vh.shape, [1, 3]);
});

// ---------------------------------------------------------------------------------------------
// high-level functions on tensors
// ---------------------------------------------------------------------------------------------

test('solve: residuals for vector and matrix right-hand sides, all structures', () => {
  fc.assert(
    fc.property(squareArb(1, 8), fc.integer({ min: 1, max: 3 }), ({ n, a }, k) => {
      const A = diagDominant(a, n);
      const bv = seeded(n, n);
      const x = solve(T(A, [n, n]), T(bv, [n]));
      assert.deepEqual(x.shape, [n]);
      assertNear(matmul(A, x.data, n, n, 1), bv, 1e-12 * maxAbs(A) * n, 'Ax = b');
      const B = seeded(n * k, n + 1);
      const X = solve(T(A, [n, n]), T(B, [n, k]));
      assert.deepEqual(X.shape, [n, k]);
      assertNear(matmul(A, X.data, n, n, k), B, 1e-12 * maxAbs(A) * n, 'AX = B');
      const S = spd(a, n);
      assertNear(matmul(S, solve(T(S, [n, n]), T(B, [n, k]), { assume: 'spd' }).data, n, n, k), B, 1e-9 * n, 'spd');
      for (const assume of ['lower', 'upper'] as const) {
        const Xt = solve(T(A, [n, n]), T(B, [n, k]), { assume });
        const Tri = new Float64Array(n * n);
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (assume === 'lower' ? j <= i : j >= i) Tri[i * n + j] = A[i * n + j]!;
        assertNear(matmul(Tri, Xt.data, n, n, k), B, 1e-10, assume);
      }
    }),
    { numRuns: 100 },
  );
  assertNear(solve(tensor([[3, 1], [1, 2]]), tensor([9, 8])).data, [2, 3], 1e-15, 'TSDoc');
  assertNear(solve(tensor([[4, 2], [2, 3]]), tensor([[2], [1]]), { assume: 'spd' }).data, [0.5, 0], 1e-15, 'TSDoc spd');
});

test('lstsq: full rank agrees with the normal equations; residuals; underdetermined gives min norm', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 6 }).chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: n, max: n + 6 }))),
      fc.integer({ min: 1, max: 10_000 }),
      ([n, m], seed) => {
        const A = seeded(m * n, seed);
        for (let i = 0; i < n; i++) A[i * n + i] += 3;
        const b = seeded(m, seed + 7);
        const res = lstsq(T(A, [m, n]), T(b, [m]));
        assert.equal(res.rank, n);
        // normal equations (AᵀA)x = Aᵀb via Cholesky
        const At = transpose(A, m, n);
        const xn = solve(T(matmul(At, A, n, m, n), [n, n]), T(matmul(At, b, n, m, 1), [n]), { assume: 'spd' });
        assertNear(res.x.data, xn.data, 1e-9, 'lstsq vs normal equations');
        const r = matmul(A, res.x.data, m, n, 1);
        let rss = 0;
        for (let i = 0; i < m; i++) rss += (b[i]! - r[i]!) ** 2;
        assert.deepEqual(res.residuals.shape, []);
        assert.ok(Math.abs(res.residuals.item() - rss) <= 1e-12 * (1 + rss));
        assertNear(res.singularValues.data, svdvals(T(A, [m, n])).data, 1e-12, 'singular values');
        // underdetermined: Aᵀ (n×m, n ≤ m) · x = c has min-norm solution x = A·(AᵀA)⁻¹c
        const c = seeded(n, seed + 3);
        const u = lstsq(T(At, [n, m]), T(c, [n]));
        const xmin = matmul(A, solve(T(matmul(At, A, n, m, n), [n, n]), T(c, [n])).data, m, n, 1);
        assertNear(u.x.data, xmin, 1e-9, 'minimum-norm solution');
        assert.equal(u.rank, n);
      },
    ),
    { numRuns: 80 },
  );
  const { x, rank } = lstsq(tensor([[1, 0], [1, 1], [1, 2]]), tensor([1, 3, 5]));
  assertNear(x.data, [1, 2], 1e-14, 'TSDoc');
  assert.equal(rank, 2);
});

test('lstsq: rank-deficient A uses the SVD (minimum-norm solution = pinv·b), matrix right-hand sides', () => {
  // duplicated column: rank 2 of 3
  const A = tensor([[1, 2, 2], [3, 4, 4], [5, 6, 6], [7, 8, 8]]);
  const B = tensor([[1, 0], [2, 1], [3, 0], [4, 1]]);
  const r = lstsq(A, B);
  assert.equal(r.rank, 2);
  assert.deepEqual(r.x.shape, [3, 2]);
  assert.deepEqual(r.residuals.shape, [2]);
  const expected = matmul(pinv(A).data, B.data, 3, 4, 2);
  assertNear(r.x.data, expected, 1e-12, 'x = A⁺B');
  // the min-norm solution splits the weight equally between the duplicated columns
  assert.ok(Math.abs(r.x.data[2]! - r.x.data[4]!) < 1e-12);
  // rcond large enough to drop the second singular value: rank 1
  assert.equal(lstsq(A, B, { rcond: 0.5 }).rank, 1);
  // all-zero A
  const z = lstsq(tensor([[0, 0], [0, 0]]), tensor([1, 2]));
  assert.equal(z.rank, 0);
  assertNear(z.x.data, [0, 0], 0, 'zero A');
  assert.ok(Math.abs(z.residuals.item() - 5) < 1e-15);
});

test('inv·A = I, det vs product of eigenvalues, slogdet, det of permutations', () => {
  fc.assert(
    fc.property(squareArb(1, 8), ({ n, a }) => {
      const A = diagDominant(a, n);
      const Ai = inv(T(A, [n, n]));
      assertNear(matmul(Ai.data, A, n, n, n), eye(n), 1e-12 * n, 'A⁻¹A = I');
      const S = symmetrize(a, n);
      const lam = eigvalsh(T(S, [n, n])).data;
      let prod = 1;
      for (const l of lam) prod *= l;
      const d = det(T(S, [n, n]));
      assert.ok(Math.abs(d - prod) <= 1e-10 * Math.max(1, Math.abs(prod), maxAbs(S) ** n * 1e-3), `det ${d} vs Πλ ${prod}`);
      const sl = slogdet(T(A, [n, n]));
      const dA = det(T(A, [n, n]));
      assert.equal(sl.sign, Math.sign(dA));
      assert.ok(Math.abs(sl.logAbsDet - Math.log(Math.abs(dA))) <= 1e-10 * (1 + Math.abs(sl.logAbsDet)));
    }),
    { numRuns: 100 },
  );
  assert.equal(det(tensor([[0, 1], [1, 0]])), -1);
  assert.equal(det(tensor([[0, 1, 0], [0, 0, 1], [1, 0, 0]])), 1);
  assert.equal(det(tensor([[1, 2], [2, 4]])), 0);
  assert.equal(det(tensor(new Float64Array(0), [0, 0])), 1);
  assertNear(inv(tensor([[4, 7], [2, 6]])).data, [0.6, -0.7, -0.2, 0.4], 1e-15, 'TSDoc');
  // slogdet does not overflow where det does
  const big = tensor(Float64Array.from(eye(200), (v) => v * 1e3), [200, 200]);
  assert.equal(det(big), Infinity);
  const sl = slogdet(big);
  assert.equal(sl.sign, 1);
  assert.ok(Math.abs(sl.logAbsDet - 200 * Math.log(1e3)) < 1e-9);
});

/** Hilbert matrix H_ij = 1/(i + j + 1). */
function hilbert(n: number): Float64Array {
  const H = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) H[i * n + j] = 1 / (i + j + 1);
  return H;
}

test('cond (exact 2-norm) of known matrices; condEstimate brackets the exact 1-norm condition', () => {
  assert.ok(Math.abs(cond(tensor([[2, 0], [0, 0.5]])) - 4) < 1e-14);
  const c = Math.cos(0.3), s = Math.sin(0.3);
  assert.ok(Math.abs(cond(tensor([[c, -s], [s, c]])) - 1) < 1e-14, 'rotation');
  // κ₂(H₅) = 476607.25…
  assert.ok(Math.abs(cond(T(hilbert(5), [5, 5])) / 476607.25096 - 1) < 1e-8, 'Hilbert 5');
  assert.equal(cond(tensor([[1, 1], [1, 1]])), Infinity);
  assert.ok(Math.abs(cond(tensor([[1, 0, 0], [0, 2, 0]])) - 2) < 1e-14, 'rectangular');
  assert.ok(Math.abs(condEstimate(tensor([[1, 0], [0, 1e-6]])) - 1e6) < 1e-3);
  assert.equal(condEstimate(tensor([[1, 2], [2, 4]])), Infinity);
  fc.assert(
    fc.property(squareArb(1, 8), ({ n, a }) => {
      fc.pre(Math.abs(det(T(a, [n, n]))) > 1e-6);
      const A = T(a, [n, n]);
      const exact = norm1(a, n, n) * norm1(inv(A, { rcondTol: 0 }).data, n, n);
      const est = condEstimate(A);
      assert.ok(est <= exact * (1 + 1e-8), `estimate ${est} must not exceed κ₁ = ${exact}`);
      assert.ok(est >= exact / 10, `estimate ${est} too far below κ₁ = ${exact}`);
      // 1-norm and 2-norm condition numbers agree within a factor n
      const k2 = cond(A);
      assert.ok(exact <= n * k2 * (1 + 1e-8) && k2 <= n * exact * (1 + 1e-8));
    }),
    { numRuns: 100 },
  );
  assertNear([luRcondEstimate(luFactor(Float64Array.of(1, 0, 0, 1e-8), 2), 1)], [1e-8], 1e-20, 'luRcondEstimate');
});

test('pinv satisfies the Moore–Penrose conditions; matrixRank; sigmaMin', () => {
  fc.assert(
    fc.property(matArb(1, 6), fc.integer({ min: 0, max: 3 }), ({ m, n, a }, dropRank) => {
      // make some matrices rank deficient by zeroing trailing rows
      const A = Float64Array.from(a);
      for (let i = Math.max(0, m - dropRank); i < m && m > 1; i++) for (let j = 0; j < n; j++) A[i * n + j] = 0;
      const S = svdvals(T(A, [m, n])).data;
      const cutoff = Number.EPSILON * Math.max(m, n) * S[0]!;
      const kept = Array.from(S).filter((v) => v > cutoff);
      const smin = kept.length > 0 ? kept[kept.length - 1]! : 0;
      if (kept.length > 0 && smin < 1e-300) {
        // 1/σ_min at the edge of the double range: either a finite result or a SingularMatrixError
        // (overflow is refused rather than returned as Infinity)
        let P: Float64Array | null = null;
        try {
          P = pinv(T(A, [m, n])).data;
        } catch (e) {
          assert.ok(e instanceof SingularMatrixError, String(e));
        }
        if (P) assert.ok(P.every(Number.isFinite), 'pinv returned a non-finite entry instead of refusing');
        return;
      }
      const P = pinv(T(A, [m, n])).data;
      // residuals of the Penrose identities grow like ε·κ, κ = σ_max/σ_min over the kept values
      const kappa = kept.length > 0 ? S[0]! / smin : 1;
      const c = 1e-13 * Math.max(m, n) * kappa;
      assertNear(matmul(matmul(A, P, m, n, m), A, m, m, n), A, c * (1 + maxAbs(A)), 'A·A⁺·A = A');
      assertNear(matmul(matmul(P, A, n, m, n), P, n, n, m), P, c * (1 + maxAbs(P)), 'A⁺·A·A⁺ = A⁺');
      const AP = matmul(A, P, m, n, m);
      assertNear(AP, transpose(AP, m, m), c, '(AA⁺)ᵀ = AA⁺');
    }),
    { numRuns: 100 },
  );
  assertNear(pinv(tensor([[1, 0], [0, 0]])).data, [1, 0, 0, 0], 1e-15, 'TSDoc');
  assert.throws(() => pinv(tensor([[5e-324]])), SingularMatrixError); // 1/σ overflows
  assert.deepEqual(pinv(tensor([[1, 2, 3]])).shape, [3, 1]);
  assert.equal(matrixRank(tensor([[1, 2], [2, 4]])), 1);
  assert.equal(matrixRank(T(eye(5), [5, 5])), 5);
  assert.equal(matrixRank(tensor([[0, 0], [0, 0]])), 0);
  assert.equal(matrixRank(tensor([[1, 0], [0, 1e-3]]), { tol: 1e-2 }), 1);
  assert.ok(Math.abs(sigmaMin(tensor([[3, 0], [0, 0.25]])) - 0.25) < 1e-15);
  // σ_min(H₅) = 1/‖H₅⁻¹‖₂ ≈ 3.287928772e−6
  assert.ok(Math.abs(sigmaMin(T(hilbert(5), [5, 5])) / 3.2879287721718e-6 - 1) < 1e-8, 'σ_min Hilbert');
  assert.ok(Math.abs(sigmaMin(T(hilbert(5), [5, 5]), { method: 'jacobi' }) / 3.2879287721718e-6 - 1) < 1e-8, 'σ_min Hilbert (Jacobi)');
  // graded: σ_min = 1e−14 exactly; Jacobi gets it to full relative accuracy
  const gr = tensor([[1, 0], [0, 1e-14]]);
  assert.ok(Math.abs(sigmaMin(tensor(matmul(qrQ(qrFactor(seeded(4, 3), 2, 2)), gr.data, 2, 2, 2), [2, 2]), { method: 'jacobi' }) / 1e-14 - 1) < 1e-10);
  assert.ok(Math.abs(cond(gr, { method: 'jacobi' }) / 1e14 - 1) < 1e-12);
  assertNear(svd(tensor([[3, 0], [0, -2]]), { method: 'jacobi' }).S.data, [3, 2], 1e-15, 'svd jacobi');
  assertNear(svdvals(tensor([[3, 0], [0, -2]]), { method: 'jacobi' }).data, [3, 2], 1e-15, 'svdvals jacobi');
  assert.equal(sigmaMin(tensor([[1, 1], [1, 1]])) < 1e-15, true);
});

test('tensor wrappers: lu, cholesky, qr shapes and TSDoc examples', () => {
  const { P, L, U, perm } = lu(tensor([[0, 1], [2, 3]]));
  assertNear(P.data, [0, 1, 1, 0], 0, 'P');
  assertNear(L.data, [1, 0, 0, 1], 0, 'L');
  assertNear(U.data, [2, 3, 0, 1], 0, 'U');
  assert.deepEqual(Array.from(perm), [1, 0]);
  assertNear(cholesky(tensor([[4, 2], [2, 5]])).data, [2, 0, 1, 2], 1e-15, 'cholesky');
  const { Q, R } = qr(tensor([[3], [4]]));
  assertNear(Q.data, [-0.6, -0.8], 1e-15, 'Q');
  assertNear(R.data, [-5], 1e-15, 'R');
  const full = qr(tensor([[1, 2, 3], [4, 5, 6]]), { mode: 'complete' });
  assert.deepEqual(full.Q.shape, [2, 2]);
  assert.deepEqual(full.R.shape, [2, 3]);
  const tall = qr(T(seeded(15, 1), [5, 3]), { mode: 'complete' });
  assert.deepEqual(tall.Q.shape, [5, 5]);
  assert.deepEqual(tall.R.shape, [5, 3]);
  assert.ok(orthoError(tall.Q.data, 5, 5) < 1e-14);
  assertNear(eigh(tensor([[2, 1], [1, 2]])).eigenvalues.data, [1, 3], 1e-15, 'eigh');
});

// ---------------------------------------------------------------------------------------------
// bad inputs
// ---------------------------------------------------------------------------------------------

test('non-square input where a square matrix is required throws ShapeError naming the shape', () => {
  const R = tensor([[1, 2, 3], [4, 5, 6]]);
  const b = tensor([1, 2]);
  const fns: [string, () => unknown][] = [
    ['solve', () => solve(R, b)],
    ['inv', () => inv(R)],
    ['det', () => det(R)],
    ['slogdet', () => slogdet(R)],
    ['cholesky', () => cholesky(R)],
    ['eigh', () => eigh(R)],
    ['eigvalsh', () => eigvalsh(R)],
    ['lu', () => lu(R)],
    ['condEstimate', () => condEstimate(R)],
    ['triangularSolve', () => solveTriangular(R, b)],
  ];
  for (const [name, f] of fns) {
    assert.throws(f, (e: unknown) => e instanceof ShapeError && e.message.includes('[2, 3]') && e.message.startsWith(`linalg.${name}()`), name);
  }
  // 1-D or 3-D "matrices"
  assert.throws(() => svd(tensor([1, 2, 3])), (e: unknown) => e instanceof ShapeError && /\[3\]/.test((e as Error).message));
  assert.throws(() => qr(tensor([[[1]]])), ShapeError);
  assert.throws(() => lstsq(tensor([1, 2]), tensor([1, 2])), ShapeError);
  assert.throws(() => cond(tensor(new Float64Array(0), [0, 3])), ShapeError);
  // kernel level
  assert.throws(() => luFactor(new Float64Array(6), 3), ShapeError);
  assert.throws(() => choleskyFactor(new Float64Array(5), 2), ShapeError);
  assert.throws(() => eighDecompose(new Float64Array(3), 2), ShapeError);
  assert.throws(() => svdDecompose(new Float64Array(5), 2, 3), ShapeError);
  assert.throws(() => qrFactor(new Float64Array(5), 2, 3), ShapeError);
});

test('A and b of mismatched shapes throw ShapeError naming both', () => {
  const A = tensor([[1, 0], [0, 1]]);
  for (const b of [tensor([1, 2, 3]), tensor([[1, 2, 3]]), tensor([[[1], [2]]]), tensor(5)]) {
    assert.throws(() => solve(A, b), (e: unknown) => e instanceof ShapeError && e.message.includes('[2, 2]'));
  }
  assert.throws(() => lstsq(tensor([[1, 0], [0, 1], [1, 1]]), tensor([1, 2])), (e: unknown) => e instanceof ShapeError && e.message.includes('[3, 2]'));
  assert.throws(() => solveTriangular(A, tensor([1])), ShapeError);
  const f = luFactor(Float64Array.of(1, 0, 0, 1), 2);
  assert.throws(() => luSolve(f, Float64Array.of(1, 2, 3), 1), ShapeError);
  assert.throws(() => choleskySolve(Float64Array.of(1, 0, 0, 1), 2, Float64Array.of(1), 1), ShapeError);
  assert.throws(() => triangularSolve(Float64Array.of(1, 0, 0, 1), 2, Float64Array.of(1, 2, 3), 1), ShapeError);
  assert.throws(() => qrMultiplyQT(qrFactor(Float64Array.of(1, 2), 2, 1), Float64Array.of(1), 1), ShapeError);
});

test('NaN or ±Infinity in any input throws NonFiniteError', () => {
  const bad = [NaN, Infinity, -Infinity];
  for (const v of bad) {
    const A = tensor([[1, 2], [v, 4]]);
    const good = tensor([[2, 1], [1, 2]]);
    const b = tensor([1, 2]);
    const fns: (() => unknown)[] = [
      () => solve(A, b),
      () => solve(good, tensor([v, 1])),
      () => solve(good, tensor([1, v]), { assume: 'spd' }),
      () => lstsq(A, b),
      () => lstsq(good, tensor([v, 1])),
      () => inv(A),
      () => det(A),
      () => slogdet(A),
      () => pinv(A),
      () => matrixRank(A),
      () => cond(A),
      () => condEstimate(A),
      () => sigmaMin(A),
      () => svd(A),
      () => svdvals(A),
      () => qr(A),
      () => lu(A),
      () => cholesky(tensor([[1, v], [v, 4]])),
      () => eigh(tensor([[1, v], [v, 4]])),
      () => solveTriangular(A, b),
      () => luSolve(luFactor(Float64Array.of(1, 0, 0, 1), 2), Float64Array.of(v, 0), 1),
      () => qrSolve(qrFactor(Float64Array.of(1, 0, 0, 1), 2, 2), Float64Array.of(v, 0), 1),
    ];
    fns.forEach((f, i) => assert.throws(f, NonFiniteError, `case ${i} with ${v}`));
  }
});

test('singular matrices in solve/inv throw SingularMatrixError (exact and numerical)', () => {
  const exact = tensor([[1, 2], [2, 4]]);
  assert.throws(() => solve(exact, tensor([1, 2])), (e: unknown) => e instanceof SingularMatrixError && /zero pivot/.test((e as Error).message));
  assert.throws(() => inv(exact), SingularMatrixError);
  assert.throws(() => inv(tensor([[0, 0], [0, 0]])), SingularMatrixError);
  // numerically singular: rank 1 up to rounding, rcond ≈ 1e-17
  const near = tensor([[1, 1], [1, 1 + 2 ** -52]]);
  assert.doesNotThrow(() => solve(near, tensor([1, 2]), { rcondTol: 0 }));
  const nearer = tensor([[1e16, 1], [1, 1e-16]]); // det = 0 in exact arithmetic: κ enormous
  assert.throws(() => solve(nearer, tensor([1, 2])), SingularMatrixError);
  // Hilbert 14 has κ ≈ 1e19 > 1/ε
  assert.throws(() => solve(T(hilbert(14), [14, 14]), T(seeded(14, 1), [14])), (e: unknown) => e instanceof SingularMatrixError && /condition estimate/.test((e as Error).message));
  assert.throws(() => inv(T(hilbert(14), [14, 14])), SingularMatrixError);
  // Hilbert 8 (κ ≈ 1.5e10) is ill-conditioned but solvable
  assert.doesNotThrow(() => solve(T(hilbert(8), [8, 8]), T(seeded(8, 1), [8])));
  // triangular: zero on the diagonal, and an ill-conditioned triangle with a benign diagonal
  assert.throws(() => solve(tensor([[1, 0], [5, 0]]), tensor([1, 1]), { assume: 'lower' }), SingularMatrixError);
  const n = 60;
  const W = new Float64Array(n * n); // unit upper triangular with −1 above the diagonal: κ ~ 2ⁿ
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) W[i * n + j] = i === j ? 1 : -1;
  assert.throws(() => solve(T(W, [n, n]), T(seeded(n, 2), [n]), { assume: 'upper' }), SingularMatrixError);
  assert.throws(() => solveTriangular(tensor([[1, 0], [1, 0]]), tensor([1, 1])), SingularMatrixError);
  // SPD but numerically singular
  assert.throws(() => solve(tensor([[1, 0], [0, 1e-30]]), tensor([1, 1]), { assume: 'spd' }), SingularMatrixError);
});

test('not positive definite / not symmetric / bad options throw typed errors', () => {
  assert.throws(() => solve(tensor([[1, 2], [2, 1]]), tensor([1, 1]), { assume: 'spd' }), NotPositiveDefiniteError);
  assert.throws(() => eigh(tensor([[1, 2], [0, 1]])), (e: unknown) => e instanceof InvalidArgumentError && /not symmetric/.test((e as Error).message));
  assert.throws(() => solve(tensor([[1]]), tensor([1]), { rcondTol: -1 }), InvalidArgumentError);
  assert.throws(() => lstsq(tensor([[1]]), tensor([1]), { rcond: NaN }), InvalidArgumentError);
  assert.throws(() => qr(tensor([[1]]), { mode: 'thin' as never }), InvalidArgumentError);
  assert.throws(() => solve(tensor([[1]]), tensor([1]), { assume: 'banded' as never }), InvalidArgumentError);
});
