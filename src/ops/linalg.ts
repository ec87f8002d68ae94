/**
 * @file Differentiable dense linear algebra (members of the public `linalg` namespace, see
 * `linalg_api.ts`): the primitives `solve` (LU), `triangularSolve` and `cholesky`, and the
 * composites `inv`, `logdet` (SPD, via Cholesky), `det` and `slogdet` (LU, custom rules). `eigh`
 * lives in `linalg_eigh.ts`, `lstsq` in `linalg_lstsq.ts`, the SVD family in `linalg_svd.ts`.
 *
 * Conditioning checks (rcond against `rcondTol`) run in the public functions on the concrete
 * values; the primitives only refuse an exact zero pivot, so the solves of the derivative rules
 * (same A) are never refused twice.
 *
 * Every derivative rule is written with differentiable ops (mostly these very primitives), so
 * the rules are themselves differentiable: grad∘grad, jvp∘grad (Hessian-vector products) work.
 *
 * Rules (X = solution, op(T) = T or Tᵀ, sym(M) = (M + Mᵀ)/2, Φ(M) = strictly-lower part of M
 * plus half its diagonal):
 *
 *   solve        A X = B           Ẋ = A⁻¹(Ḃ − Ȧ X)                 B̄ = A⁻ᵀ X̄,  Ā = −B̄ Xᵀ
 *   solve (ᵀ)    Aᵀ X = B          Ẋ = A⁻ᵀ(Ḃ − Ȧᵀ X)                B̄ = A⁻¹ X̄,  Ā = −X B̄ᵀ
 *   triangular   op(T) X = B       as solve, with Ṫ and T̄ restricted to the triangle that is read
 *                                  (mask M: the triangle, without the diagonal when unitDiagonal)
 *   cholesky     A = L Lᵀ          L̇ = L Φ(L⁻¹ sym(Ȧ) L⁻ᵀ)           Ā = sym(L⁻ᵀ Φ(Lᵀ L̄) L⁻¹)
 *   det          d = det A         ḋ = d · tr(A⁻¹ Ȧ)                 Ā = d̄ · d · A⁻ᵀ
 *   slogdet      ℓ = log|det A|    ℓ̇ = tr(A⁻¹ Ȧ)                     Ā = ℓ̄ · A⁻ᵀ     (sign: zero derivative)
 *
 * Cholesky derivation. Differentiating A = L Lᵀ gives Ȧ = L̇ Lᵀ + L L̇ᵀ, so
 * L⁻¹ Ȧ L⁻ᵀ = L⁻¹L̇ + (L⁻¹L̇)ᵀ. L⁻¹L̇ is lower triangular, hence it is the lower triangle of the
 * symmetric matrix C = L⁻¹ Ȧ L⁻ᵀ with the diagonal halved: L̇ = L Φ(C). For the VJP,
 * ⟨L̄, L Φ(C)⟩ = ⟨Lᵀ L̄, Φ(C)⟩ = ⟨Φ(Lᵀ L̄), C⟩ (Φ is an entrywise mask, hence self-adjoint)
 * = ⟨L⁻ᵀ Φ(Lᵀ L̄) L⁻¹, Ȧ⟩. The derivative treats A as symmetric: only symmetric perturbations
 * keep A in the domain of the factorization, so Ȧ is replaced by sym(Ȧ) in forward mode and the
 * cotangent Ā is returned symmetrised (sym is self-adjoint, so both modes stay transposes of each
 * other). For a non-symmetric Ȧ the result is the derivative along sym(Ȧ).
 *
 * The LU factorization used by `solve`, `det` and `slogdet` (and the Cholesky factor of
 * `cholesky`) is cached per input array (a weak map keyed by the `Float64Array` of A, verified
 * against a copy of A on every hit), so the solves of a JVP or VJP rule reuse the factorization of
 * the primal instead of refactoring A or Aᵀ, and the validation in the public function is not
 * repeated by the primitive.
 */
import { assertFinite, InvalidArgumentError, ShapeError, SingularMatrixError } from '../core/errors.js';
import { checkOptions } from '../core/options.js';
import { ConcreteTensor, eye, formatShape, type Tensor } from '../core/tensor.js';
import { Prim, type NoParams, type TriangularSolveParams } from '../autodiff/primitives.js';
import { bind, bindCustom, type CustomRule, type PrimDef } from '../autodiff/trace.js';
import { choleskyFactor, choleskySolve } from '../linalg/dense/cholesky.js';
import { inverseNorm1Estimate, luDet, luFactor, luRcondEstimate, luSlogdet, luSolve, norm1, type LUFactorization } from '../linalg/dense/lu.js';
import { triangularSolve as triangularSolveKernel, triangularSolveInPlace } from '../linalg/dense/triangular.js';
import { add, mul, neg, sub } from './arithmetic.js';
import { matmul } from './matmul.js';
import { sum } from './reduce.js';
import { matrixTranspose, reshape } from './shape.js';
import { diag, trace } from './structural.js';
import { log } from './unary.js';

const NONE: NoParams = {};

// ---------------------------------------------------------------------------------------------
// shared helpers (also used by linalg_eigh.ts and linalg_lstsq.ts)

/** @internal sym(M) = (M + Mᵀ)/2. Self-adjoint: its VJP is sym of the cotangent. */
export function sym(M: Tensor): Tensor {
  return mul(add(M, matrixTranspose(M)), 0.5);
}

/**
 * @internal Constant n×n mask of a triangle: `lower` (i ≥ j) or upper (i ≤ j), with `diagValue` on the
 * diagonal (1: keep, 0: drop, 0.5: Φ of the Cholesky rule).
 */
export function triangleMask(n: number, lower: boolean, diagValue: number): Tensor {
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i === j) m[i * n + j] = diagValue;
      else if (lower ? i > j : i < j) m[i * n + j] = 1;
    }
  }
  return new ConcreteTensor(m, [n, n]);
}

/** @internal Throws `ShapeError` unless `A` is a 2-D square matrix; returns its order. */
export function squareOrder(A: Tensor, fn: string, what = 'A'): number {
  if (A.ndim !== 2 || A.shape[0] !== A.shape[1]) {
    throw new ShapeError(`${fn}: ${what} must be a square matrix, got shape ${formatShape(A.shape)}`);
  }
  return A.shape[0]!;
}

/**
 * @internal Checks that b is `[rows]` or `[rows, k]` and returns it as a matrix, plus a function restoring
 * the caller's rank on a result with `outRows` rows.
 */
export function asRhsMatrix(b: Tensor, rows: number, A: Tensor, fn: string): { B: Tensor; restore: (X: Tensor, outRows: number) => Tensor } {
  if ((b.ndim !== 1 && b.ndim !== 2) || b.shape[0] !== rows) {
    throw new ShapeError(`${fn}: b of shape ${formatShape(b.shape)} does not match A of shape ${formatShape(A.shape)} (expected [${rows}] or [${rows}, k])`);
  }
  if (b.ndim === 2) return { B: b, restore: (X) => X };
  return { B: reshape(b, [rows, 1]), restore: (X, outRows) => reshape(X, [outRows]) };
}

// ---------------------------------------------------------------------------------------------
// LU cache

interface CachedLU {
  /** Copy of A at factorization time (a cache hit must match it exactly). */
  readonly copy: Float64Array;
  readonly f: LUFactorization;
  /** Reciprocal 1-norm condition estimate (0 for an exact zero pivot). */
  readonly rcond: number;
}

const LU_CACHE = new WeakMap<Float64Array, CachedLU>();
const CHOL_CACHE = new WeakMap<Float64Array, { copy: Float64Array; L: Float64Array }>();

function sameValues(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** LU factorization of the values of an n×n matrix, cached by its data array (checked for finiteness). */
function luOf(A: Tensor, fn: string): CachedLU {
  const data = A.data;
  const hit = LU_CACHE.get(data);
  if (hit && sameValues(hit.copy, data)) return hit;
  assertFinite(data, `${fn}: A`);
  const n = A.shape[0]!;
  const f = luFactor(data, n);
  const entry: CachedLU = { copy: Float64Array.from(data), f, rcond: f.zeroPivot >= 0 ? 0 : luRcondEstimate(f, norm1(data, n, n)) };
  LU_CACHE.set(data, entry);
  return entry;
}

/** Cholesky factor of the values of an SPD matrix, cached by its data array; errors name `fn`. */
function choleskyOf(A: Tensor, fn: string): Float64Array {
  const data = A.data;
  const hit = CHOL_CACHE.get(data);
  if (hit && sameValues(hit.copy, data)) return hit.L;
  const L = choleskyFactor(data, A.shape[0]!, { name: fn });
  CHOL_CACHE.set(data, { copy: Float64Array.from(data), L });
  return L;
}

/** Exact zero pivot ⇒ `SingularMatrixError` (the primitive's own check). */
function requireNoZeroPivot(c: CachedLU, fn: string): void {
  const f = c.f;
  if (f.zeroPivot >= 0) {
    throw new SingularMatrixError(`${fn}: A is singular (exact zero pivot at U[${f.zeroPivot},${f.zeroPivot}] of its LU factorization)`);
  }
}

/** The public singularity rule: exact zero pivot, or rcond < tol (default ε). */
function requireNonsingular(c: CachedLU, tol: number, fn: string): void {
  requireNoZeroPivot(c, fn);
  if (c.f.n > 0 && tol > 0 && !(c.rcond >= tol)) {
    throw new SingularMatrixError(
      `${fn}: A is numerically singular (reciprocal 1-norm condition estimate ${c.rcond.toExponential(3)} < ${tol.toExponential(3)})`,
    );
  }
}

/** rcond = 1/(‖A‖₁·est‖A⁻¹‖₁) below tol ⇒ SingularMatrixError (for the Cholesky and triangular paths). */
function checkRcond(
  A: Float64Array, n: number, tol: number, fn: string, solveVec: (v: Float64Array, trans: boolean) => Float64Array,
): void {
  if (tol === 0 || n === 0) return;
  const anorm = norm1(A, n, n);
  const rc = anorm === 0 ? 0 : 1 / anorm / inverseNorm1Estimate(n, solveVec);
  if (!(rc >= tol)) {
    throw new SingularMatrixError(
      `${fn}: A is numerically singular (reciprocal 1-norm condition estimate ${rc.toExponential(3)} < ${tol.toExponential(3)})`,
    );
  }
}

/** Validates an `rcondTol` option (default ε). */
function rcondTolOf(value: unknown, fn: string): number {
  if (value === undefined) return Number.EPSILON;
  if (typeof value !== 'number' || !(value >= 0)) throw new InvalidArgumentError(`${fn}: rcondTol must be a number ≥ 0, got ${String(value)}`);
  return value;
}

// ---------------------------------------------------------------------------------------------
// solve

/** Binds the solve primitive on validated 2-D operands (A n×n, B n×k). */
function solveMatrix(A: Tensor, B: Tensor, transpose: boolean): Tensor {
  return bind(solveDef, [A, B], { transpose });
}

export const solveDef: PrimDef<Prim.Solve> = {
  prim: Prim.Solve,
  impl: ([A, B], { transpose }) => {
    const c = luOf(A!, 'linalg.solve()');
    requireNoZeroPivot(c, 'linalg.solve()');
    assertFinite(B!.data, 'linalg.solve(): b');
    const k = B!.shape[1]!;
    return new ConcreteTensor(luSolve(c.f, B!.data, k, transpose), [A!.shape[0]!, k]);
  },
  // A X = B ⇒ Ȧ X + A Ẋ = Ḃ ⇒ Ẋ = A⁻¹(Ḃ − Ȧ X)        (transpose: Ẋ = A⁻ᵀ(Ḃ − Ȧᵀ X))
  jvp: ([A], [dA, dB], X, { transpose }) => {
    let rhs: Tensor | null = dB;
    if (dA) {
      const t = matmul(transpose ? matrixTranspose(dA) : dA, X);
      rhs = rhs ? sub(rhs, t) : neg(t);
    }
    return rhs ? solveMatrix(A!, rhs, transpose) : null;
  },
  // ⟨X̄, Ẋ⟩ = ⟨A⁻ᵀX̄, Ḃ − Ȧ X⟩ ⇒ B̄ = A⁻ᵀ X̄, Ā = −B̄ Xᵀ  (summed over the k columns by the matmul)
  // transpose: B̄ = A⁻¹ X̄, and ⟨B̄, Ȧᵀ X⟩ = ⟨X B̄ᵀ, Ȧ⟩ ⇒ Ā = −X B̄ᵀ
  vjp: (ct, [A], X, { transpose }) => {
    const Bbar = solveMatrix(A!, ct, !transpose);
    const Abar = transpose ? neg(matmul(X, matrixTranspose(Bbar))) : neg(matmul(Bbar, matrixTranspose(X)));
    return [Abar, Bbar];
  },
};

/** Options of {@link solve}. */
export interface SolveOptions {
  /**
   * Structure of A: `'general'` (default: LU with partial pivoting), `'spd'` (Cholesky; A must be
   * symmetric positive definite, the derivative treats A as symmetric as {@link cholesky} does),
   * `'lower'` / `'upper'` (triangular: only that triangle is read, and differentiated).
   */
  assume?: 'general' | 'spd' | 'lower' | 'upper';
  /**
   * Smallest acceptable reciprocal 1-norm condition estimate (default `Number.EPSILON`); below it
   * A is declared numerically singular. Pass 0 to refuse only an exact zero pivot.
   */
  rcondTol?: number;
}

const SOLVE_OPTIONS = ['assume', 'rcondTol'] as const;

/**
 * Solves `A·x = b` for a square matrix A; `b` is a vector `[n]` or a matrix `[n, k]` of
 * right-hand sides and `x` has the same shape. Differentiable in A and b, to any order:
 * `ẋ = A⁻¹(ḃ − Ȧx)`, `b̄ = A⁻ᵀx̄`, `Ā = −b̄xᵀ` (with `assume: 'spd'` the derivative in A is taken
 * along sym(Ȧ); with `'lower'`/`'upper'` it lives on the triangle that is read).
 *
 * Singularity rule: `SingularMatrixError` on an exact zero pivot (zero diagonal entry of a
 * triangular A), or when the reciprocal condition estimate `rcond = 1/(‖A‖₁·est‖A⁻¹‖₁)` (Hager–Higham,
 * LAPACK `dgecon`) is below `rcondTol` (default ε), i.e. when the answer could not carry one
 * correct digit. Also throws `ShapeError` (A not square, b does not match), `NonFiniteError`,
 * `NotSymmetricError` / `NotPositiveDefiniteError` (`assume: 'spd'`).
 *
 * @example
 * linalg.solve(tensor([[3, 1], [1, 2]]), tensor([9, 8]));                          // [2, 3]
 * linalg.solve(tensor([[4, 2], [2, 3]]), tensor([[2], [1]]), { assume: 'spd' });  // [[0.5], [0]]
 * grad((b: Tensor) => sum(linalg.solve(A, b)))(b);                                 // A⁻ᵀ·1
 */
export function solve(A: Tensor, b: Tensor, options: SolveOptions = {}): Tensor {
  const fn = 'linalg.solve()';
  checkOptions(options, SOLVE_OPTIONS, fn);
  const n = squareOrder(A, fn);
  const { B, restore } = asRhsMatrix(b, n, A, fn);
  assertFinite(A.data, `${fn}: A`);
  assertFinite(b.data, `${fn}: b`);
  const tol = rcondTolOf(options.rcondTol, fn);
  const assume = options.assume ?? 'general';
  switch (assume) {
    case 'general':
      requireNonsingular(luOf(A, fn), tol, fn);
      return restore(solveMatrix(A, B, false), n);
    case 'spd': {
      const L = choleskyOf(A, fn);
      // A⁻¹ is symmetric: the transposed solve is the same solve
      checkRcond(A.data, n, tol, fn, (v) => choleskySolve(L, n, v, 1));
      return restore(choleskySolveWith(cholesky(A), B), n);
    }
    case 'lower':
    case 'upper': {
      const p: TriangularSolveParams = { lower: assume === 'lower', transpose: false, unitDiagonal: false };
      const T = triangularPart(A.data, n, p.lower);
      for (let i = 0; i < n; i++) {
        if (T[i * n + i] === 0) throw new SingularMatrixError(`${fn}: A is singular (zero diagonal entry A[${i},${i}] of a triangular matrix)`);
      }
      checkRcond(T, n, tol, fn, (v, trans) => {
        const y = Float64Array.from(v);
        triangularSolveInPlace(T, n, y, 1, { lower: p.lower, trans });
        return y;
      });
      return restore(triSolveMatrix(A, B, p), n);
    }
    default:
      throw new InvalidArgumentError(`${fn}: unknown assume '${String(assume)}' (expected 'general', 'spd', 'lower' or 'upper')`);
  }
}

/** Copy of the lower (or upper) triangle of a square matrix, zeros elsewhere. */
function triangularPart(A: Float64Array, n: number, lower: boolean): Float64Array {
  const T = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const lo = lower ? 0 : i, hi = lower ? i + 1 : n;
    for (let j = lo; j < hi; j++) T[i * n + j] = A[i * n + j]!;
  }
  return T;
}

/**
 * Inverse of a square matrix, `solve(A, I)` (prefer {@link solve} when only `A⁻¹b` is needed).
 * Derivative `d(A⁻¹) = −A⁻¹ Ȧ A⁻¹`. Same singularity rule and errors as {@link solve}.
 *
 * @example
 * linalg.inv(tensor([[4, 7], [2, 6]])); // [[0.6, −0.7], [−0.2, 0.4]]
 */
export function inv(A: Tensor, options: { rcondTol?: number } = {}): Tensor {
  const fn = 'linalg.inv()';
  checkOptions(options, ['rcondTol'], fn);
  const n = squareOrder(A, fn);
  assertFinite(A.data, `${fn}: A`);
  requireNonsingular(luOf(A, fn), rcondTolOf(options.rcondTol, fn), fn);
  return solveMatrix(A, eye(n), false);
}

// ---------------------------------------------------------------------------------------------
// triangular solve

function triSolveMatrix(T: Tensor, B: Tensor, p: TriangularSolveParams): Tensor {
  return bind(triangularSolveDef, [T, B], p);
}

/** Mask of the entries of T that a triangular solve reads (the derivative in T lives there). */
function usedTriangle(n: number, p: TriangularSolveParams): Tensor {
  return triangleMask(n, p.lower, p.unitDiagonal ? 0 : 1);
}

export const triangularSolveDef: PrimDef<Prim.TriangularSolve> = {
  prim: Prim.TriangularSolve,
  impl: ([T, B], p) => {
    const n = T!.shape[0]!, k = B!.shape[1]!;
    const X = triangularSolveKernel(T!.data, n, B!.data, k, { lower: p.lower, trans: p.transpose, unitDiagonal: p.unitDiagonal });
    return new ConcreteTensor(X, [n, k]);
  },
  // op(T) X = B ⇒ Ẋ = op(T)⁻¹(Ḃ − op(M ∘ Ṫ) X), M = the triangle that is read
  jvp: ([T], [dT, dB], X, p) => {
    let rhs: Tensor | null = dB;
    if (dT) {
      const dTm = mul(dT, usedTriangle(T!.shape[0]!, p));
      const t = matmul(p.transpose ? matrixTranspose(dTm) : dTm, X);
      rhs = rhs ? sub(rhs, t) : neg(t);
    }
    return rhs ? triSolveMatrix(T!, rhs, p) : null;
  },
  // B̄ = op(T)⁻ᵀ X̄ (same triangle, transpose flag flipped); the cotangent of op(T) is −B̄ Xᵀ, so
  // T̄ = M ∘ (−B̄ Xᵀ), or M ∘ (−X B̄ᵀ) when op(T) = Tᵀ
  vjp: (ct, [T], X, p) => {
    const Bbar = triSolveMatrix(T!, ct, { ...p, transpose: !p.transpose });
    const G = p.transpose ? matmul(X, matrixTranspose(Bbar)) : matmul(Bbar, matrixTranspose(X));
    return [neg(mul(G, usedTriangle(T!.shape[0]!, p))), Bbar];
  },
};

/** Options of {@link triangularSolve}. */
export interface TriangularSolveOptions {
  /** T is lower triangular (`true`) or upper triangular (`false`); only that triangle is read. */
  lower: boolean;
  /** Solve `Tᵀ·x = b` instead of `T·x = b` (default `false`). */
  transpose?: boolean;
  /** Take the diagonal of T as ones without reading it (default `false`). */
  unitDiagonal?: boolean;
}

/**
 * Solves `op(T)·x = b` for a triangular T (forward/back substitution, O(n²k)); `b` is `[n]` or
 * `[n, k]`. Only the triangle named by `lower` is read (and not its diagonal when
 * `unitDiagonal`), so the derivative in T is zero outside it:
 * `ẋ = op(T)⁻¹(ḃ − op(M∘Ṫ)x)`, `b̄ = op(T)⁻ᵀx̄`, `T̄ = M∘(−b̄xᵀ)` (or `M∘(−x b̄ᵀ)` transposed).
 *
 * Throws `ShapeError`, `NonFiniteError`, and `SingularMatrixError` on an exact zero diagonal entry
 * or an overflowing solution.
 *
 * @example
 * linalg.triangularSolve(tensor([[2, 0], [1, 1]]), tensor([2, 3]), { lower: true });                  // [1, 2]
 * linalg.triangularSolve(tensor([[2, 0], [1, 1]]), tensor([4, 1]), { lower: true, transpose: true }); // [1.5, 1]
 */
export function triangularSolve(T: Tensor, b: Tensor, options: TriangularSolveOptions): Tensor {
  const fn = 'linalg.triangularSolve()';
  const n = squareOrder(T, fn, 'T');
  const { B, restore } = asRhsMatrix(b, n, T, fn);
  checkOptions(options, ['lower', 'transpose', 'unitDiagonal'], fn);
  if (typeof options?.lower !== 'boolean') {
    throw new InvalidArgumentError(`${fn}: options.lower must be true (lower triangular T) or false (upper), got ${String(options?.lower)}`);
  }
  assertFinite(T.data, `${fn}: T`);
  assertFinite(b.data, `${fn}: b`);
  const p: TriangularSolveParams = { lower: options.lower, transpose: !!options.transpose, unitDiagonal: !!options.unitDiagonal };
  return restore(triSolveMatrix(T, B, p), n);
}

// ---------------------------------------------------------------------------------------------
// Cholesky

const LOWER: TriangularSolveParams = { lower: true, transpose: false, unitDiagonal: false };
const LOWER_T: TriangularSolveParams = { lower: true, transpose: true, unitDiagonal: false };

/** L⁻¹ S L⁻ᵀ for lower-triangular L (two triangular solves: Y = L⁻¹S, then (L⁻¹Yᵀ)ᵀ). */
function congruenceInv(L: Tensor, S: Tensor): Tensor {
  const Y = triSolveMatrix(L, S, LOWER);
  return matrixTranspose(triSolveMatrix(L, matrixTranspose(Y), LOWER));
}

/** L⁻ᵀ P L⁻¹ for lower-triangular L. */
function congruenceInvT(L: Tensor, P: Tensor): Tensor {
  const W = triSolveMatrix(L, P, LOWER_T);
  return matrixTranspose(triSolveMatrix(L, matrixTranspose(W), LOWER_T));
}

export const choleskyDef: PrimDef<Prim.Cholesky> = {
  prim: Prim.Cholesky,
  impl: ([A]) => {
    const n = A!.shape[0]!;
    return new ConcreteTensor(choleskyOf(A!, 'linalg.cholesky()'), [n, n]);
  },
  // L̇ = L Φ(L⁻¹ sym(Ȧ) L⁻ᵀ)
  jvp: (_, [dA], L) => (dA ? matmul(L, mul(congruenceInv(L, sym(dA)), triangleMask(L.shape[0]!, true, 0.5))) : null),
  // Ā = sym(L⁻ᵀ Φ(Lᵀ L̄) L⁻¹)
  vjp: (ct, _, L) => [sym(congruenceInvT(L, mul(matmul(matrixTranspose(L), ct), triangleMask(L.shape[0]!, true, 0.5))))],
};

/**
 * Cholesky factor L (lower triangular, positive diagonal) of a symmetric positive definite
 * matrix: `A = L·Lᵀ`. Differentiable to any order; the derivative treats A as symmetric
 * (`L̇ = L·Φ(L⁻¹·sym(Ȧ)·L⁻ᵀ)`, Φ = lower triangle with halved diagonal, and the cotangent
 * `Ā = sym(L⁻ᵀ·Φ(Lᵀ·L̄)·L⁻¹)` is symmetric).
 *
 * Throws `ShapeError` (not square), `NonFiniteError`, `NotSymmetricError` (not symmetric within
 * 1e-10·max|A|, naming the entry pair) and `NotPositiveDefiniteError` (symmetric but not positive
 * definite, naming the failing pivot).
 *
 * @example
 * linalg.cholesky(tensor([[4, 2], [2, 5]])); // [[2, 0], [1, 2]]
 * // a differentiable SPD parametrisation: linalg.cholesky(B·Bᵀ + n·I)
 */
export function cholesky(A: Tensor): Tensor {
  const fn = 'linalg.cholesky()';
  squareOrder(A, fn);
  choleskyOf(A, fn); // validates with the public name; the primitive reuses the cached factor
  return bind(choleskyDef, [A], NONE);
}

/** @internal X = A⁻¹B from the Cholesky factor L of A (two triangular solves; differentiable). */
export function choleskySolveWith(L: Tensor, B: Tensor): Tensor {
  return triSolveMatrix(L, triSolveMatrix(L, B, LOWER), LOWER_T);
}

/**
 * log det A of a symmetric positive definite matrix, `2·Σ log L_ii` with L = cholesky(A).
 * Gradient `A⁻¹`, Hessian `d²logdet[Ȧ, Ȧ] = −tr(A⁻¹ȦA⁻¹Ȧ)` (symmetric Ȧ; see {@link cholesky}
 * for the symmetric convention). Throws `NotPositiveDefiniteError` if A is not SPD: use
 * {@link slogdet} for general matrices.
 *
 * @example
 * linalg.logdet(tensor([[4, 2], [2, 5]])); // log 16
 */
export function logdet(A: Tensor): Tensor {
  const fn = 'linalg.logdet()';
  squareOrder(A, fn);
  choleskyOf(A, fn);
  return mul(2, sum(log(diag(cholesky(A)))));
}

// ---------------------------------------------------------------------------------------------
// det, slogdet (LU; custom rules whose derivatives use the differentiable solve)

/** A⁻ᵀ as a differentiable expression (reuses the cached LU of A). */
function invTranspose(A: Tensor): Tensor {
  return solveMatrix(A, eye(A.shape[0]!), true);
}

/** Derivatives of det/slogdet need A⁻¹: refuse a (numerically) singular A there (rcond < ε). */
function invertibleForDerivative(A: Tensor, fn: string): void {
  const c = luOf(A, fn);
  try {
    requireNonsingular(c, Number.EPSILON, fn);
  } catch (e) {
    throw new SingularMatrixError(`${(e as Error).message}: the derivative (adjugate) at a singular matrix is not implemented`);
  }
}

const DET_RULE: CustomRule = {
  name: 'det',
  primal: ([A]) => [new ConcreteTensor(Float64Array.of(luDet(luOf(A!, 'linalg.det()').f)), [])],
  // ḋ = d · tr(A⁻¹ Ȧ)
  jvp: ([A], [dA], [d]) => {
    if (!dA) return [null];
    invertibleForDerivative(A!, 'linalg.det()');
    return [mul(d!, trace(solveMatrix(A!, dA, false)))];
  },
  // Ā = d̄ · d · A⁻ᵀ
  vjp: ([A], [d], [ct]) => {
    if (!ct) return [null];
    invertibleForDerivative(A!, 'linalg.det()');
    return [mul(mul(ct, d!), invTranspose(A!))];
  },
};

const SLOGDET_RULE: CustomRule = {
  name: 'slogdet',
  primal: ([A]) => {
    const { sign, logAbsDet } = luSlogdet(luOf(A!, 'linalg.slogdet()').f);
    return [new ConcreteTensor(Float64Array.of(sign), []), new ConcreteTensor(Float64Array.of(logAbsDet), [])];
  },
  // the sign is piecewise constant; ℓ̇ = tr(A⁻¹ Ȧ)
  jvp: ([A], [dA]) => {
    if (!dA) return [null, null];
    invertibleForDerivative(A!, 'linalg.slogdet()');
    return [null, trace(solveMatrix(A!, dA, false))];
  },
  // Ā = ℓ̄ · A⁻ᵀ
  vjp: ([A], _, [, ct]) => {
    if (!ct) return [null];
    invertibleForDerivative(A!, 'linalg.slogdet()');
    return [mul(ct, invTranspose(A!))];
  },
};

/**
 * Determinant of a square matrix via LU (`det(P)·Π U_kk`), a scalar tensor, differentiable:
 * `ḋ = det(A)·tr(A⁻¹Ȧ)`, `∇det = det(A)·A⁻ᵀ`. The value of a singular matrix is 0 (1 for a 0×0
 * matrix), but its derivative (the adjugate) is not implemented: differentiating at a
 * numerically singular A throws `SingularMatrixError`. May overflow for large n: prefer
 * {@link slogdet} or {@link logdet}.
 *
 * @example
 * linalg.det(tensor([[1, 2], [3, 4]])).item();     // −2
 * grad(linalg.det)(tensor([[1, 2], [3, 4]]));      // det·A⁻ᵀ = [[4, −3], [−2, 1]]
 */
export function det(A: Tensor): Tensor {
  const fn = 'linalg.det()';
  squareOrder(A, fn);
  assertFinite(A.data, `${fn}: A`);
  return bindCustom(DET_RULE, [A])[0]!;
}

/** Result of {@link slogdet}: `det A = sign·exp(logabsdet)`. */
export interface SlogdetResult {
  /** −1, 0 or 1 (scalar tensor; zero derivative). */
  sign: Tensor;
  /** log|det A| (scalar tensor; −Infinity for a singular A). */
  logabsdet: Tensor;
}

/**
 * Sign and natural log of |det A| via LU, robust to overflow: `det A = sign·exp(logabsdet)`,
 * both scalar tensors. The sign has zero derivative, `∇logabsdet = A⁻ᵀ`. Singular A gives
 * `{ sign: 0, logabsdet: −Infinity }`; differentiating there throws `SingularMatrixError`.
 *
 * @example
 * const { sign, logabsdet } = linalg.slogdet(tensor([[1, 2], [3, 4]])); // sign = −1, logabsdet = log 2
 */
export function slogdet(A: Tensor): SlogdetResult {
  const fn = 'linalg.slogdet()';
  squareOrder(A, fn);
  assertFinite(A.data, `${fn}: A`);
  const [sign, logabsdet] = bindCustom(SLOGDET_RULE, [A]);
  return { sign: sign!, logabsdet: logabsdet! };
}
