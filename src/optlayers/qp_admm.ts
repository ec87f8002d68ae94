/**
 * @file The ADMM (OSQP-style) numeric core of `solveQp({ ... }, { solver: 'admm' })` for ONE convex
 * QP on `Float64Array`s / `CsrMatrix`es. With C = [G; A] (m + e rows) the problem is OSQP's
 *
 *   minimise ½ xᵀPx + qᵀx   subject to   l ≤ Cx ≤ u,   l = (−∞, b),  u = (h, b).
 *
 * Iteration (Stellato et al., "OSQP", 2020, Algorithm 1, with the reduced linear system). With
 * R = diag(ρ) (ρ on inequality rows, 10³ρ on equality rows), σ > 0 and relaxation α ∈ (0, 2):
 *
 *   (P + σI + CᵀRC) x̃ = σxᵏ − q + Cᵀ(Rzᵏ − yᵏ)          (a Cholesky factor, reused until ρ changes)
 *   z̃ = Cx̃,   xᵏ⁺¹ = αx̃ + (1 − α)xᵏ,   w = αz̃ + (1 − α)zᵏ
 *   zᵏ⁺¹ = Π_[l,u](w + R⁻¹yᵏ),   yᵏ⁺¹ = yᵏ + R(w − zᵏ⁺¹).
 *
 * The reduced matrix is the Schur complement of OSQP's quasi-definite KKT matrix
 * [P + σI, Cᵀ; C, −R⁻¹] (eliminating the second block row). Sparse inputs factor that KKT matrix
 * itself with the sparse LDLᵀ (`linalg/sparse/ldl.ts`, `sparseXStep`: no CᵀRC fill, numeric
 * refactorisation when ρ changes) when its minimum-degree ordering predicts at most n³/30
 * multiply–adds; otherwise, and for dense inputs, the reduced matrix gets a dense Cholesky
 * (`denseXStep`; C kept sparse for the products and for forming CᵀRC in O(Σ_rows nnz²)).
 *
 * Scaling (optional, `scaling` Ruiz passes, default 10): D (columns) and E (rows) equilibrate the
 * KKT matrix [P Cᵀ; C 0] in the ∞-norm, then a cost factor c; the scaled problem has
 * P̄ = cDPD, q̄ = cDq, C̄ = ECD, ū = Eu and x = Dx̄, y = Eȳ/c, z = E⁻¹z̄.
 *
 * Stopping on the UNSCALED residuals (OSQP's absolute + relative test, ε_abs = ε_rel = tol):
 *   ‖Cx − z‖∞ ≤ ε_abs + ε_rel·max(‖Cx‖∞, ‖z‖∞),
 *   ‖Px + q + Cᵀy‖∞ ≤ ε_abs + ε_rel·max(‖Px‖∞, ‖Cᵀy‖∞, ‖q‖∞).
 * Certificates on the successive differences δy = yᵏ⁺¹ − yᵏ, δx = xᵏ⁺¹ − xᵏ (`infTol` = ε):
 *   primal infeasible: δy projected (δy_i ≥ 0 on inequality rows), ‖Cᵀδy‖∞ ≤ ε‖δy‖∞ and
 *     hᵀδy_G + bᵀδy_A < −ε‖δy‖∞ (the IPM's Farkas certificate);
 *   dual infeasible: ‖Pδx‖∞ ≤ ε‖δx‖∞, qᵀδx < −ε‖δx‖∞, Gδx ≤ ε‖δx‖∞, |Aδx| ≤ ε‖δx‖∞.
 * Adaptive ρ: every 25 iterations ρ ← ρ·√((r_p/max(‖Cx‖, ‖z‖)) / (r_d/max(‖Px‖, ‖Cᵀy‖, ‖q‖))),
 * applied (a refactorisation) when it moves by more than 5×.
 *
 * Polishing is in qp.ts: `solveQp` polishes every solver's result on the identified active set
 * with the same KKT factorisation its derivative rules use, so both solvers share it — except
 * that with sparse inputs its linear solve is `sparsePolishSolve` below (sparse LDLᵀ of the
 * regularised KKT + iterative refinement) and the dense factor waits for a derivative. It is
 * also handed in as `polishCheck` and tried early (every 25 iterations once the clamped set has not
 * changed for 25 iterations and was not tried before, residuals ≤ 1e-2): a polish that succeeds is
 * an exact KKT point, which ends the run — ADMM's tail convergence (slow on LPs) is then skipped.
 */
import { amax } from '../kernels/blas.js';
import { CsrMatrix } from '../linalg/sparse/csr.js';
import { CscMatrix } from '../linalg/sparse/csc.js';
import { choleskyFactorInPlace, choleskySolveVecInPlace } from '../linalg/dense/cholesky.js';
import { SparseLdl, minimumDegreeWithBudget } from '../linalg/sparse/ldl.js';
import type { QpData, QpIterate, QpRunReport } from './qp_ipm.js';

/** A sparse matrix accepted by the ADMM path. */
export type SparseMatrix = CsrMatrix | CscMatrix;

/** Shared sparse data of the ADMM path (replacing the dense views of the same name). */
export interface QpSparseInputs {
  Q?: CsrMatrix;
  G?: CsrMatrix;
  A?: CsrMatrix;
  /**
   * Set by the ADMM run (shared by the polish step): the fill-reducing ordering of its KKT matrix
   * (x then the rows of [G; A]), or null when the ordering gave up (too much fill: the dense path).
   * The polish orders its active-set KKT by the induced order (an induced subgraph's fill under
   * the induced order is part of the full graph's fill), so it does not order again.
   */
  kktOrder?: Int32Array | null;
}

/** Settings of one ADMM run. */
export interface QpAdmmSettings {
  /** ε_abs = ε_rel of the stopping test. */
  tol: number;
  maxIter: number;
  infTol: number;
  /** Start from the iterate's (z, λ, ν). */
  warm: boolean;
  /** Initial ρ (default 0.1), σ (1e-6), α (1.6), Ruiz passes (10), adaptive ρ (true). */
  rho: number;
  sigma: number;
  alpha: number;
  scaling: number;
  adaptiveRho: boolean;
  /**
   * Polish callback (solveQp's polish step on the active set read from `it`): when it returns true
   * `it` holds an exact KKT point and the run stops as optimal. Tried every 25 iterations when the
   * clamped set has settled (unchanged for 25 iterations, not tried before; residuals ≤ 1e-2).
   */
  polishCheck?: () => boolean;
}

/** The ADMM run's report: the common fields plus ρ and the number of factorisations. */
export interface QpAdmmReport extends QpRunReport {
  solver: 'admm';
  /** Final ρ (inequality rows; equality rows use 10³ρ). */
  rho: number;
  /** Factorisations of the x̃-step's system (1 + the adaptive-ρ updates). */
  factorizations: number;
  /**
   * The x̃-step's system: `'sparseKkt'` (a sparse input whose KKT matrix orders with little fill:
   * OSQP's quasi-definite KKT by the sparse LDLᵀ of linalg/sparse/ldl.ts) or `'denseReduced'`
   * (dense inputs, or a predicted sparse factorisation costlier than n³/30 multiply–adds: the dense
   * Cholesky of P + σI + CᵀRC).
   */
  linearSystem?: 'sparseKkt' | 'denseReduced';
  /** Early polish attempts (each one KKT factorisation; a success ends the run). */
  polishAttempts: number;
}

/** Default ADMM parameters (OSQP's, except the tighter default tolerance set by solveQp). */
export const ADMM_DEFAULTS = { rho: 0.1, sigma: 1e-6, alpha: 1.6, scaling: 10, adaptiveRho: true } as const;

/**
 * A CsrMatrix (a CscMatrix is converted).
 * @example
 * toCsr(CscMatrix.fromDense([1, 0, 0, 2], 2, 2)).nnz; // 2
 */
export function toCsr(M: SparseMatrix): CsrMatrix {
  return M instanceof CscMatrix ? M.toCsr() : M;
}

/**
 * (Q + Qᵀ)/2 as a CsrMatrix: ½zᵀQz only sees the symmetric part.
 * @example
 * symmetricPart(CsrMatrix.fromDense([0, 2, 0, 0], 2, 2)).toDense(); // [0, 1, 1, 0]
 */
export function symmetricPart(Q: CsrMatrix): CsrMatrix {
  const a = Q.toCoo();
  const nz = a.values.length;
  const r = new Int32Array(2 * nz);
  const c = new Int32Array(2 * nz);
  const v = new Float64Array(2 * nz);
  for (let k = 0; k < nz; k++) {
    r[k] = a.rowIdx[k]!;
    c[k] = a.colIdx[k]!;
    r[nz + k] = a.colIdx[k]!;
    c[nz + k] = a.rowIdx[k]!;
    v[k] = v[nz + k] = 0.5 * a.values[k]!;
  }
  return CsrMatrix.fromCoo(Q.rows, Q.cols, r, c, v);
}

/** [G; A] as one CsrMatrix (copies). */
function stackRows(G: CsrMatrix, A: CsrMatrix, n: number): CsrMatrix {
  const rows = G.rows + A.rows;
  const indptr = new Int32Array(rows + 1);
  const nz = G.nnz + A.nnz;
  const indices = new Int32Array(nz);
  const values = new Float64Array(nz);
  indices.set(G.indices.subarray(0, G.nnz));
  values.set(G.values.subarray(0, G.nnz));
  indices.set(A.indices.subarray(0, A.nnz), G.nnz);
  values.set(A.values.subarray(0, A.nnz), G.nnz);
  indptr.set(G.indptr);
  for (let i = 1; i <= A.rows; i++) indptr[G.rows + i] = G.nnz + A.indptr[i]!;
  return new CsrMatrix(rows, n, indptr, indices, values, { check: false });
}

/** ‖v‖∞ through the kernel layer's `amax`. */
function normInf(v: Float64Array): number {
  return amax(v.length, v);
}

/** ‖diag(d)·v‖∞. */
function normInfScaled(v: Float64Array, d: Float64Array, inverse: boolean): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) {
    const a = Math.abs(inverse ? v[i]! / d[i]! : v[i]! * d[i]!);
    if (a > m) m = a;
  }
  return m;
}

/** Clamps a Ruiz norm into [1e-4, 1e4] (OSQP's MIN_SCALING / MAX_SCALING) and maps 0 to 1. */
function clampNorm(x: number): number {
  if (x < 1e-4) return x === 0 ? 1 : 1e-4;
  return Math.min(x, 1e4);
}

/** The scaled data: P̄, q̄, C̄, ū (inequality part h̄, equality part b̄) and the scalings. */
interface Scaled {
  P: CsrMatrix;
  q: Float64Array;
  C: CsrMatrix;
  h: Float64Array;
  b: Float64Array;
  D: Float64Array;
  E: Float64Array;
  c: number;
}

function scale(P: CsrMatrix, q0: Float64Array, C: CsrMatrix, h0: Float64Array, b0: Float64Array, passes: number): Scaled {
  const n = P.rows;
  const mc = C.rows;
  const D = new Float64Array(n).fill(1);
  const E = new Float64Array(mc).fill(1);
  const dD = new Float64Array(n);
  const dE = new Float64Array(mc);
  for (let pass = 0; pass < passes; pass++) {
    // column ∞-norms of [P; C] and row ∞-norms of C
    dD.fill(0);
    for (let i = 0; i < n; i++) for (let k = P.indptr[i]!; k < P.indptr[i + 1]!; k++) dD[P.indices[k]!] = Math.max(dD[P.indices[k]!]!, Math.abs(P.values[k]!));
    for (let i = 0; i < mc; i++) {
      let r = 0;
      for (let k = C.indptr[i]!; k < C.indptr[i + 1]!; k++) {
        const a = Math.abs(C.values[k]!);
        dD[C.indices[k]!] = Math.max(dD[C.indices[k]!]!, a);
        if (a > r) r = a;
      }
      dE[i] = 1 / Math.sqrt(clampNorm(r));
    }
    for (let j = 0; j < n; j++) dD[j] = 1 / Math.sqrt(clampNorm(dD[j]!));
    for (let i = 0; i < n; i++) for (let k = P.indptr[i]!; k < P.indptr[i + 1]!; k++) P.values[k] *= dD[i]! * dD[P.indices[k]!]!;
    for (let i = 0; i < mc; i++) for (let k = C.indptr[i]!; k < C.indptr[i + 1]!; k++) C.values[k] *= dE[i]! * dD[C.indices[k]!]!;
    for (let j = 0; j < n; j++) D[j] *= dD[j]!;
    for (let i = 0; i < mc; i++) E[i] *= dE[i]!;
  }
  const q = new Float64Array(n);
  for (let j = 0; j < n; j++) q[j] = D[j]! * q0[j]!;
  let c = 1;
  if (passes > 0) {
    // cost scaling: 1 / max(mean column ∞-norm of P̄, ‖q̄‖∞)
    const colMax = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let k = P.indptr[i]!; k < P.indptr[i + 1]!; k++) colMax[P.indices[k]!] = Math.max(colMax[P.indices[k]!]!, Math.abs(P.values[k]!));
    let mean = 0;
    for (let j = 0; j < n; j++) mean += colMax[j]!;
    mean /= n;
    c = 1 / clampNorm(Math.max(mean, normInf(q)));
    for (let k = 0; k < P.nnz; k++) P.values[k] *= c;
    for (let j = 0; j < n; j++) q[j] *= c;
  }
  const m = h0.length;
  const h = new Float64Array(m);
  for (let i = 0; i < m; i++) h[i] = E[i]! * h0[i]!;
  const b = new Float64Array(b0.length);
  for (let i = 0; i < b0.length; i++) b[i] = E[m + i]! * b0[i]!;
  return { P, q, C, h, b, D, E, c };
}

/**
 * The x̃-step's linear solver: `factor(ρ)` (re)factors for the current R = diag(ρ) (false when not
 * positive definite / quasi-definite), `solve(x, z, y, q̄, xt)` writes x̃.
 */
interface XStep {
  factor(rho: Float64Array): boolean;
  solve(x: Float64Array, z: Float64Array, y: Float64Array, rho: Float64Array, xt: Float64Array): void;
  readonly kind: 'dense' | 'sparse';
}

/** Dense reduced system P̄ + σI + C̄ᵀRC̄ (Cholesky): the path of dense inputs (n² memory, n³/3 per factorisation). */
function denseXStep(S: Scaled, sigma: number): XStep {
  const n = S.P.rows;
  const mc = S.C.rows;
  const M = new Float64Array(n * n);
  const tmpM = new Float64Array(mc);
  return {
    kind: 'dense',
    factor: (rho) => factorReduced(S, rho, sigma, M),
    solve(x, z, y, rho, xt) {
      // (P̄ + σI + C̄ᵀRC̄) x̃ = σx − q̄ + C̄ᵀ(Rz − y)
      for (let i = 0; i < mc; i++) tmpM[i] = rho[i]! * z[i]! - y[i]!;
      S.C.rmatvec(tmpM, xt);
      for (let j = 0; j < n; j++) xt[j] += sigma * x[j]! - S.q[j]!;
      choleskySolveVecInPlace(M, n, xt);
    },
  };
}

/**
 * OSQP's quasi-definite KKT system, sparse (SparseLdl, no C̄ᵀRC̄ fill):
 *
 *   [P̄ + σI   C̄ᵀ  ] [x̃]   [σx − q̄    ]
 *   [C̄       −R⁻¹ ] [ν ] = [z − R⁻¹y  ]
 *
 * (eliminating ν gives the reduced system). The upper triangle is assembled once in CSC (column
 * j < n: P̄'s row j up to the diagonal; column n + r: row r of C̄, then −1/ρ_r); a change of ρ only
 * rewrites the −1/ρ_r slots and refactors numerically on the same pattern.
 */
function sparseXStep(S: Scaled, sigma: number, sp: QpSparseInputs): (XStep & { F: SparseLdl | null }) | null {
  const { P, C } = S;
  const n = P.rows;
  const mc = C.rows;
  const N = n + mc;
  const indptr = new Int32Array(N + 1);
  let nz = 0;
  for (let j = 0; j < n; j++) {
    for (let k = P.indptr[j]!; k < P.indptr[j + 1]!; k++) if (P.indices[k]! < j) nz++;
    nz++;
    indptr[j + 1] = nz;
  }
  for (let r = 0; r < mc; r++) {
    nz += C.indptr[r + 1]! - C.indptr[r]! + 1;
    indptr[n + r + 1] = nz;
  }
  const indices = new Int32Array(nz);
  const values = new Float64Array(nz);
  const diagR = new Int32Array(mc);
  let t = 0;
  for (let j = 0; j < n; j++) {
    let d = sigma;
    for (let k = P.indptr[j]!; k < P.indptr[j + 1]!; k++) {
      const i = P.indices[k]!;
      if (i < j) {
        indices[t] = i;
        values[t++] = P.values[k]!;
      } else if (i === j) d += P.values[k]!;
    }
    indices[t] = j;
    values[t++] = d;
  }
  for (let r = 0; r < mc; r++) {
    for (let k = C.indptr[r]!; k < C.indptr[r + 1]!; k++) {
      indices[t] = C.indices[k]!;
      values[t++] = C.values[k]!;
    }
    diagR[r] = t;
    indices[t++] = n + r;
  }
  const K = new CscMatrix(N, N, indptr, indices, values, { check: false });
  // choose: the sparse LDLᵀ runs at about a tenth of the dense Cholesky's multiply–adds per second
  // (measured: 0.3 vs 3 Gflop/s at n = 2000), so it is used when its predicted count is below
  // n³/30 (the reduced Cholesky's n³/3 over ten); the ordering gives up as soon as it is above
  const ord = minimumDegreeWithBudget(K, Math.max(n ** 3 / 30, 1e6));
  sp.kktOrder = ord ? ord.perm : null;
  if (!ord) return null;
  const w = new Float64Array(N);
  const step = {
    kind: 'sparse' as const,
    F: null as SparseLdl | null,
    factor(rho: Float64Array): boolean {
      for (let r = 0; r < mc; r++) values[diagR[r]!] = -1 / rho[r]!;
      try {
        if (step.F) step.F.refactor(values);
        else step.F = SparseLdl.factor(K, { ordering: ord.perm });
      } catch {
        return false;
      }
      // quasi-definite: n positive and mc negative pivots
      return step.F.inertia.positive === n && step.F.inertia.negative === mc;
    },
    solve(x: Float64Array, z: Float64Array, y: Float64Array, rho: Float64Array, xt: Float64Array): void {
      for (let j = 0; j < n; j++) w[j] = sigma * x[j]! - S.q[j]!;
      for (let r = 0; r < mc; r++) w[n + r] = z[r]! - y[r]! / rho[r]!;
      step.F!.solveInPlace(w);
      xt.set(w.subarray(0, n));
    },
  };
  return step;
}

/** Writes the lower triangle of P̄ + σI + C̄ᵀRC̄ into M (n×n row-major) and factors it in place; false if not positive definite. */
function factorReduced(S: Scaled, rho: Float64Array, sigma: number, M: Float64Array): boolean {
  const n = S.P.rows;
  const { P, C } = S;
  M.fill(0);
  for (let i = 0; i < n; i++) {
    for (let k = P.indptr[i]!; k < P.indptr[i + 1]!; k++) {
      const j = P.indices[k]!;
      if (j <= i) M[i * n + j] += P.values[k]!;
    }
    M[i * n + i] += sigma;
  }
  for (let r = 0; r < C.rows; r++) {
    const s = C.indptr[r]!;
    const t = C.indptr[r + 1]!;
    const pr = rho[r]!;
    for (let a = s; a < t; a++) {
      const ja = C.indices[a]!;
      const va = pr * C.values[a]!;
      const row = ja * n;
      // indices ascend within a row: the pairs (ja, jb) with jb ≤ ja are b ≤ a
      for (let bk = s; bk <= a; bk++) M[row + C.indices[bk]!] += va * C.values[bk]!;
    }
  }
  return choleskyFactorInPlace(M, n) < 0;
}

/**
 * Runs ADMM on one problem (dense views in `q`, or the shared sparse matrices in `sp` replacing
 * them), writing x into `it.z`, the multipliers into `it.lambda` / `it.nu` and s = h − z_G into
 * `it.s` (exactly 0 on the rows the projection clamped: the active set handed to the polish step).
 *
 * @example
 * // internal: see solveQp({ ... }, { solver: 'admm' })
 */
export function qpAdmm(q: QpData, sp: QpSparseInputs, it: QpIterate, set: QpAdmmSettings): QpAdmmReport {
  const { n, m, e } = q;
  const mc = m + e;
  const report: QpAdmmReport = { solver: 'admm', status: 'maxIterations', iterations: 0, primalResidual: Infinity, dualResidual: Infinity, gap: Infinity, rho: set.rho, factorizations: 0, polishAttempts: 0 };
  // copies: the scaling works in place
  const P = sp.Q ? sp.Q.clone() : CsrMatrix.fromDense(q.Q, n, n);
  const G = sp.G ?? CsrMatrix.fromDense(q.G, m, n);
  const A = sp.A ?? CsrMatrix.fromDense(q.A, e, n);
  const S = scale(P, q.p, stackRows(G, A, n), q.h, q.b, set.scaling);
  const { D, E, c } = S;
  const C = S.C;
  const x = new Float64Array(n);
  const z = new Float64Array(mc);
  const y = new Float64Array(mc);
  const xt = new Float64Array(n);
  const zt = new Float64Array(mc);
  const rhs = new Float64Array(n);
  const Cx = new Float64Array(mc);
  const Px = new Float64Array(n);
  const Cty = new Float64Array(n);
  const dx = new Float64Array(n);
  const dy = new Float64Array(mc);
  const Ctdy = new Float64Array(n);
  const rho = new Float64Array(mc);
  let rhoBar = set.rho;
  const setRho = (r: number): void => {
    for (let i = 0; i < mc; i++) rho[i] = i < m ? r : 1e3 * r;
  };
  setRho(rhoBar);
  const upper = (i: number): number => (i < m ? S.h[i]! : S.b[i - m]!);
  const project = (i: number, v: number): number => (i < m ? Math.min(v, S.h[i]!) : S.b[i - m]!);
  if (set.warm) {
    for (let j = 0; j < n; j++) x[j] = it.z[j]! / D[j]!;
    for (let i = 0; i < m; i++) y[i] = (c * it.lambda[i]!) / E[i]!;
    for (let i = 0; i < e; i++) y[m + i] = (c * it.nu[i]!) / E[m + i]!;
    C.matvec(x, Cx);
    for (let i = 0; i < mc; i++) z[i] = project(i, Cx[i]!);
  }
  // sparse inputs: the sparse quasi-definite KKT; dense inputs: the dense reduced system
  const xStep = ((sp.Q || sp.G || sp.A) && sparseXStep(S, set.sigma, sp)) || denseXStep(S, set.sigma);
  report.linearSystem = xStep.kind === 'sparse' ? 'sparseKkt' : 'denseReduced';
  if (!xStep.factor(rho)) {
    report.status = 'numericalError';
    return report;
  }
  report.factorizations = 1;
  const { alpha, sigma, tol, infTol } = set;
  /** Unscales the current iterate into `it` (x = Dx̄, y = Eȳ/c, z = E⁻¹z̄) and sets the report's gap (needs Px current). */
  const writeIterate = (): void => {
    for (let j = 0; j < n; j++) it.z[j] = D[j]! * x[j]!;
    for (let i = 0; i < m; i++) {
      it.lambda[i] = Math.max((E[i]! * y[i]!) / c, 0);
      // s = h − z on inequality rows: exactly 0 where the projection clamped
      it.s[i] = z[i]! === S.h[i]! ? 0 : Math.max((S.h[i]! - z[i]!) / E[i]!, 0);
    }
    for (let i = 0; i < e; i++) it.nu[i] = (E[m + i]! * y[m + i]!) / c;
    // duality gap of the unscaled pair, relative: |xᵀPx + qᵀx + hᵀλ + bᵀν| / (1 + |½xᵀPx + qᵀx|)
    let xPx = 0;
    let qx = 0;
    for (let j = 0; j < n; j++) {
      xPx += (x[j]! * Px[j]!) / c;
      qx += q.p[j]! * it.z[j]!;
    }
    let hy = 0;
    for (let i = 0; i < m; i++) hy += q.h[i]! * it.lambda[i]!;
    for (let i = 0; i < e; i++) hy += q.b[i]! * it.nu[i]!;
    report.gap = Math.abs(xPx + qx + hy) / (1 + Math.abs(0.5 * xPx + qx));
  };
  // early polish attempts: every 25 iterations, when the clamped set is the same as 25 iterations
  // before (it has settled), differs from the last attempt's, and the relative residuals are ≤ 1e-2
  let lastSig = -1;
  const signature = (): number => {
    let hsh = 0;
    for (let i = 0; i < m; i++) if (z[i]! === S.h[i]! && y[i]! > 0) hsh = (Math.imul(hsh, 31) + i + 1) | 0;
    return hsh;
  };
  // a warm start's clamped set counts as the first sample (an attempt can come at iteration 25)
  let prevSig = set.warm ? signature() : -1;
  const qNorm = normInfScaled(S.q, D, true) / c;
  let iter = 0;
  for (iter = 1; iter <= set.maxIter; iter++) {
    // x̃: (P̄ + σI + C̄ᵀRC̄) x̃ = σx − q̄ + C̄ᵀ(Rz − y), or the equivalent sparse KKT solve
    xStep.solve(x, z, y, rho, xt);
    C.matvec(xt, zt);
    for (let j = 0; j < n; j++) {
      const xn = alpha * xt[j]! + (1 - alpha) * x[j]!;
      dx[j] = xn - x[j]!;
      x[j] = xn;
    }
    for (let i = 0; i < mc; i++) {
      const w = alpha * zt[i]! + (1 - alpha) * z[i]!;
      const zn = project(i, w + y[i]! / rho[i]!);
      const yn = y[i]! + rho[i]! * (w - zn);
      dy[i] = yn - y[i]!;
      y[i] = yn;
      z[i] = zn;
    }
    // unscaled residuals
    C.matvec(x, Cx);
    P.matvec(x, Px);
    C.rmatvec(y, Cty);
    let rp = 0;
    for (let i = 0; i < mc; i++) rp = Math.max(rp, Math.abs(Cx[i]! - z[i]!) / E[i]!);
    let rd = 0;
    for (let j = 0; j < n; j++) rd = Math.max(rd, Math.abs(Px[j]! + S.q[j]! + Cty[j]!) / D[j]!);
    rd /= c;
    const pScale = Math.max(normInfScaled(Cx, E, true), normInfScaled(z, E, true));
    const dScale = Math.max(normInfScaled(Px, D, true) / c, normInfScaled(Cty, D, true) / c, qNorm);
    report.iterations = iter;
    report.primalResidual = rp / (1 + pScale);
    report.dualResidual = rd / (1 + dScale);
    if (rp <= tol + tol * pScale && rd <= tol + tol * dScale) {
      report.status = 'optimal';
      break;
    }
    // primal infeasibility: δy projected onto the polar of the recession cone of [l, u]
    for (let i = 0; i < m; i++) if (dy[i]! < 0) dy[i] = 0;
    const dyNorm = normInfScaled(dy, E, false);
    if (dyNorm > 1e-30) {
      C.rmatvec(dy, Ctdy);
      let hy = 0;
      for (let i = 0; i < mc; i++) hy += upper(i) * dy[i]!;
      if (normInfScaled(Ctdy, D, true) <= infTol * dyNorm && hy < -infTol * dyNorm) {
        report.status = 'primalInfeasible';
        break;
      }
    }
    // dual infeasibility (unboundedness): δx a ray
    const dxNorm = normInfScaled(dx, D, false);
    if (dxNorm > 1e-30) {
      let qdx = 0;
      for (let j = 0; j < n; j++) qdx += S.q[j]! * dx[j]!;
      if (qdx / c < -infTol * dxNorm) {
        P.matvec(dx, rhs);
        let ok = normInfScaled(rhs, D, true) / c <= infTol * dxNorm;
        if (ok) {
          C.matvec(dx, zt);
          for (let i = 0; i < mc && ok; i++) {
            const v = zt[i]! / E[i]!;
            ok = i < m ? v <= infTol * dxNorm : Math.abs(v) <= infTol * dxNorm;
          }
        }
        if (ok) {
          report.status = 'dualInfeasible';
          break;
        }
      }
    }
    if (set.polishCheck && iter % 25 === 0) {
      const sig = signature();
      const settled = sig === prevSig;
      prevSig = sig;
      if (settled && sig !== lastSig && report.primalResidual <= 1e-2 && report.dualResidual <= 1e-2) {
        lastSig = sig;
        writeIterate();
        report.polishAttempts++;
        if (set.polishCheck()) {
          report.status = 'optimal';
          report.polished = true;
          break;
        }
      }
    }
    // adaptive ρ
    if (set.adaptiveRho && iter % 25 === 0) {
      const ratio = (rp / Math.max(pScale, 1e-30)) / Math.max(rd / Math.max(dScale, 1e-30), 1e-30);
      const rNew = Math.min(Math.max(rhoBar * Math.sqrt(ratio), 1e-6), 1e6);
      if (rNew > 5 * rhoBar || rNew < rhoBar / 5) {
        rhoBar = rNew;
        setRho(rhoBar);
        if (!xStep.factor(rho)) {
          report.status = 'numericalError';
          return report;
        }
        report.factorizations++;
      }
    }
  }
  if (iter > set.maxIter) report.iterations = set.maxIter;
  report.rho = rhoBar;
  // unscale into the iterate: x = Dx̄, y = Eȳ/c, z = E⁻¹z̄
  if (report.status === 'primalInfeasible' || report.status === 'dualInfeasible') {
    // the certificate directions, as the IPM reports its diverging iterates
    for (let j = 0; j < n; j++) it.z[j] = D[j]! * (report.status === 'dualInfeasible' ? dx[j]! : x[j]!);
    for (let i = 0; i < m; i++) it.lambda[i] = Math.max((E[i]! * (report.status === 'primalInfeasible' ? dy[i]! : y[i]!)) / c, 0);
    for (let i = 0; i < e; i++) it.nu[i] = (E[m + i]! * (report.status === 'primalInfeasible' ? dy[m + i]! : y[m + i]!)) / c;
    for (let i = 0; i < m; i++) it.s[i] = 0;
    return report;
  }
  if (!report.polished) writeIterate();
  return report;
}

/**
 * The polish step's linear solve for sparse inputs (as OSQP's polish): the equality-constrained
 * KKT system on the active set S,
 *
 *   K = [Q, G_Sᵀ, Aᵀ; G_S, 0, 0; A, 0, 0],   K [z; λ_S; ν] = [−p; h_S; b],
 *
 * solved with the sparse LDLᵀ of the regularised, quasi-definite K̃ = K + diag(δI, −δI, −δI)
 * (δ = 1e-7 relative to the largest entry) plus iterative refinement x ← x + K̃⁻¹(rhs − Kx) on the
 * UNREGULARISED K, until ‖rhs − Kx‖∞ ≤ 1e-12·(1 + ‖rhs‖∞) (at most 25 steps). Returns the solution
 * [z; λ_S; ν], null when the refinement does not converge (K singular: LICQ fails or Q is singular
 * on the active constraints' null space), or undefined when the ordering predicts more fill than
 * the dense factorisation is worth (the ADMM run's KKT ordering gave up, or — without one — more
 * than N³/60 multiply–adds): the caller then uses its dense factorisation. The ordering is the
 * ADMM KKT's (`sp.kktOrder`) induced on the active rows when there is one.
 *
 * @example
 * // internal: solveQp's polish step for CsrMatrix / CscMatrix inputs
 */
export function sparsePolishSolve(q: QpData, sp: QpSparseInputs, S: Int32Array): Float64Array | null | undefined {
  const { n, e } = q;
  const Q = sp.Q ?? CsrMatrix.fromDense(q.Q, n, n);
  const G = sp.G ?? CsrMatrix.fromDense(q.G, q.m, n);
  const A = sp.A ?? CsrMatrix.fromDense(q.A, e, n);
  const s = S.length;
  const N = n + s + e;
  let big = 0;
  for (const M of [Q, G, A]) for (let k = 0; k < M.nnz; k++) big = Math.max(big, Math.abs(M.values[k]!));
  const delta = 1e-7 * Math.max(big, 1);
  // upper triangle of K̃ in CSC: column j < n from Q's row j (symmetric), then rows of G_S and A
  const rowOf = (r: number): [CsrMatrix, number] => (r < s ? [G, S[r]!] : [A, r - s]);
  const indptr = new Int32Array(N + 1);
  let nz = 0;
  for (let j = 0; j < n; j++) {
    for (let k = Q.indptr[j]!; k < Q.indptr[j + 1]!; k++) if (Q.indices[k]! < j) nz++;
    indptr[j + 1] = ++nz;
  }
  for (let r = 0; r < s + e; r++) {
    const [M, i] = rowOf(r);
    nz += M.indptr[i + 1]! - M.indptr[i]! + 1;
    indptr[n + r + 1] = nz;
  }
  const indices = new Int32Array(nz);
  const values = new Float64Array(nz);
  let t = 0;
  for (let j = 0; j < n; j++) {
    let d = delta;
    for (let k = Q.indptr[j]!; k < Q.indptr[j + 1]!; k++) {
      const i = Q.indices[k]!;
      if (i < j) {
        indices[t] = i;
        values[t++] = Q.values[k]!;
      } else if (i === j) d += Q.values[k]!;
    }
    indices[t] = j;
    values[t++] = d;
  }
  for (let r = 0; r < s + e; r++) {
    const [M, i] = rowOf(r);
    for (let k = M.indptr[i]!; k < M.indptr[i + 1]!; k++) {
      indices[t] = M.indices[k]!;
      values[t++] = M.values[k]!;
    }
    indices[t] = n + r;
    values[t++] = -delta;
  }
  const K = new CscMatrix(N, N, indptr, indices, values, { check: false });
  let perm: Int32Array;
  if (sp.kktOrder === null) return undefined;
  if (sp.kktOrder && sp.kktOrder.length === n + q.m + e) {
    // the ADMM KKT's order induced on x, the rows S of G and the rows of A
    const pos = new Int32Array(n + q.m + e).fill(-1);
    for (let j = 0; j < n; j++) pos[j] = j;
    for (let r = 0; r < s; r++) pos[n + S[r]!] = n + r;
    for (let r = 0; r < e; r++) pos[n + q.m + r] = n + s + r;
    perm = new Int32Array(N);
    let k = 0;
    for (const v of sp.kktOrder) if (pos[v]! >= 0) perm[k++] = pos[v]!;
  } else {
    const ord = minimumDegreeWithBudget(K, Math.max(N ** 3 / 60, 1e6));
    if (!ord) return undefined;
    perm = ord.perm;
  }
  let F: SparseLdl;
  try {
    F = SparseLdl.factor(K, { ordering: perm });
  } catch {
    return null;
  }
  const rhs = new Float64Array(N);
  for (let j = 0; j < n; j++) rhs[j] = -q.p[j]!;
  for (let r = 0; r < s; r++) rhs[n + r] = q.h[S[r]!]!;
  for (let r = 0; r < e; r++) rhs[n + s + r] = q.b[r]!;
  const x = F.solve(rhs);
  const Kx = new Float64Array(N);
  const res = new Float64Array(N);
  const tol = 1e-12 * (1 + normInf(rhs));
  const Qz = new Float64Array(n);
  for (let step = 0; step <= 25; step++) {
    // Kx with the unregularised K
    Q.matvec(x.subarray(0, n), Qz);
    Kx.fill(0);
    Kx.set(Qz);
    for (let r = 0; r < s + e; r++) {
      const [M, i] = rowOf(r);
      const mult = x[n + r]!;
      let a = 0;
      for (let k = M.indptr[i]!; k < M.indptr[i + 1]!; k++) {
        const j = M.indices[k]!;
        a += M.values[k]! * x[j]!;
        Kx[j] += M.values[k]! * mult;
      }
      Kx[n + r] = a;
    }
    for (let i = 0; i < N; i++) res[i] = rhs[i]! - Kx[i]!;
    if (normInf(res) <= tol) return x;
    if (step === 25) break;
    F.solveInPlace(res);
    for (let i = 0; i < N; i++) x[i] += res[i]!;
  }
  return null;
}
