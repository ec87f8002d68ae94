/**
 * @file Concrete (numeric) solves of the implicit-differentiation linear systems at one point
 * (x, y(x)):  (B + ρI)·t = r  (forward mode) and  (B + ρI)ᵀ·u = s  (reverse mode), with
 * B = ∂ᵧF given only through products v ↦ B·v (one JVP of F) and w ↦ Bᵀ·w (one pullback of a
 * recorded VJP of F). Handles the active-set restriction, the dense (LU) and matrix-free
 * (Krylov, AID-FP) methods, the failure policies, and reports what happened.
 *
 * Active set S (complement C): rows i ∈ C of B are cᵢ·eᵢᵀ. Then, with ρ the ridge,
 *   forward:  t_C = r_C / (c_C + ρ);   (B_SS + ρI)·t_S = r_S − B_{S,C}·t_C
 *   reverse:  (B_SS + ρI)ᵀ·u_S = s_S;  u_C = (s_C − (B_{S,C})ᵀ·u_S) / (c_C + ρ)
 * (B_{C,S} = 0 by the declaration, so Bᵀ's rows S only involve u_S). Only |S| unknowns are solved
 * for; c_C costs one product B·1_C.
 *
 * Not differentiable by itself: `root.ts` wraps it in custom rules.
 */
import { ConvergenceError, InvalidArgumentError, InvertibilityError } from '../core/errors.js';
import { handleFailure } from '../core/failure.js';
import { luFactor, luRcondEstimate, luSolve, norm1, type LUFactorization } from '../linalg/dense/lu.js';
import { svdDecompose } from '../linalg/dense/svd.js';
import { bicgstab, cg, cgNormal, fixedPointLinear, gmres, lsqr, minres } from '../linalg/iterative/index.js';
import type { IterativeResult, LinearOperator } from '../linalg/iterative/index.js';
import type { CustomLinearResult, DiagnosticsLevel, LinearSolveReport, LinearSolverName } from './types.js';
import type { FailurePolicy } from '../core/failure.js';
import { invertibilityFailure, type InvertibilityFallback } from './failure.js';

/** B at a point, through its products (full size n, no ridge). */
export interface ConcreteOperator {
  readonly n: number;
  /** B·v. */
  matvec(v: Float64Array): Float64Array;
  /** Bᵀ·w. */
  rmatvec(w: Float64Array): Float64Array;
}

/** Resolved settings of the solves at one point. */
export interface SolverSettings {
  name: string;
  requested: string;
  method: LinearSolverName;
  /**
   * A caller-supplied solver of the full system (customRoot's `linearSolver` as an object, bound to
   * the point); `method` is then the fallback name used by diagnostics only.
   */
  custom?: { name: string; solve(rhs: Float64Array, transpose: boolean, x0: Float64Array | undefined): CustomLinearResult };
  ridge: number;
  tol: number;
  atol: number;
  maxIter: number | undefined;
  restart: number | undefined;
  onFailure: FailurePolicy;
  fallback: InvertibilityFallback;
  diagnostics: DiagnosticsLevel;
  condThreshold: number;
  denseLimit: number;
  /** Human description of the kink selection in force (for messages). */
  selection: string;
  /** Kinks hit at the solution (for messages). */
  kinkCount: number;
  /** Emits (policy 'warn') or records a warning. */
  warn(message: string, emit: boolean): void;
}

/** Why a reduced solve failed. */
type Failure = 'singular' | 'not-converged' | 'non-finite';

interface ReducedResult {
  x: Float64Array;
  converged: boolean;
  iterations: number;
  /** Residual of the reduced system as reported by the solver (NaN for direct solves). */
  residualNorm: number;
  reason: string;
  failure?: Failure;
  conditionEstimate?: number;
  message?: string;
  samples?: LinearSolveReport['samples'];
}

/** A recorded singularity (from diagnostics or an inactive zero diagonal). */
export interface SingularInfo {
  message: string;
  sigmaMin?: number;
  conditionEstimate?: number;
}

export function norm2(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  if (s === Infinity || (s < 1e-290 && s > 0)) {
    // rescale to avoid overflow / underflow
    let m = 0;
    for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]!));
    if (m === 0 || !Number.isFinite(m)) return m;
    let t = 0;
    for (let i = 0; i < v.length; i++) t += (v[i]! / m) ** 2;
    return m * Math.sqrt(t);
  }
  return Math.sqrt(s);
}

export function dotArr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function allFinite(v: Float64Array): boolean {
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i]!)) return false;
  return true;
}

/**
 * Minimum-norm least-squares solution of M·x = b (or Mᵀ·x = b) for a dense row-major k×k M:
 * x = V·Σ⁺·Uᵀ·b, singular values ≤ ε·k·σ_max dropped.
 */
export function pinvSolveDense(M: Float64Array, k: number, b: Float64Array, transpose: boolean): Float64Array {
  let A = M;
  if (transpose) {
    A = new Float64Array(k * k);
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) A[j * k + i] = M[i * k + j]!;
  }
  const { U, S, V } = svdDecompose(A, k, k);
  const cutoff = Number.EPSILON * k * (S[0] ?? 0);
  const c = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    if (!(S[i]! > cutoff)) continue;
    let s = 0;
    for (let r = 0; r < k; r++) s += U![r * k + i]! * b[r]!;
    c[i] = s / S[i]!;
  }
  const x = new Float64Array(k);
  for (let r = 0; r < k; r++) {
    let s = 0;
    for (let i = 0; i < k; i++) s += V![r * k + i]! * c[i]!;
    x[r] = s;
  }
  return x;
}

/** Singular values (descending) of a dense row-major k×k matrix. */
export function singularValues(M: Float64Array, k: number): Float64Array {
  return svdDecompose(M, k, k, { vectors: false }).S;
}

/**
 * The linear-system machinery at one point: optional active set, cached dense block and LU,
 * matrix-free reduced operators, failure policies.
 */
export class PointSolver {
  readonly n: number;
  /** Active coordinates (sorted), or null for the full system. */
  readonly S: Int32Array | null;
  /** Inactive coordinates, or null. */
  readonly C: Int32Array | null;
  /** Size of the solved (reduced) system. */
  readonly k: number;
  /** cᵢ = B_ii on the inactive rows (null without active set). */
  private cC: Float64Array | null = null;
  private dense: Float64Array | null = null;
  private lu: LUFactorization | null = null;
  private luCond = NaN;
  /** ‖B_SS + ρI‖₁ of the materialised block (0 until materialised). */
  private denseNorm1 = 0;
  /** Set when B is known to be singular (diagnostics, inactive zero diagonal). */
  singular: SingularInfo | null = null;

  constructor(
    readonly op: ConcreteOperator,
    active: Int32Array | null,
    readonly settings: SolverSettings,
  ) {
    this.n = op.n;
    if (active && active.length < op.n) {
      this.S = active;
      const inS = new Uint8Array(op.n);
      for (let a = 0; a < active.length; a++) inS[active[a]!] = 1;
      const C = new Int32Array(op.n - active.length);
      let c = 0;
      for (let i = 0; i < op.n; i++) if (!inS[i]) C[c++] = i;
      this.C = C;
      this.k = active.length;
    } else {
      this.S = null;
      this.C = null;
      this.k = op.n;
    }
  }

  /** c_C = (B·1_C)_C: the diagonal of the inactive identity-like rows (one product). */
  inactiveDiagonal(): Float64Array | null {
    if (!this.C) return null;
    if (!this.cC) {
      const ones = new Float64Array(this.n);
      for (const i of this.C) ones[i] = 1;
      const y = this.op.matvec(ones);
      const cC = new Float64Array(this.C.length);
      for (let a = 0; a < this.C.length; a++) cC[a] = y[this.C[a]!]! + this.settings.ridge;
      this.cC = cC;
      let worst = -1;
      for (let a = 0; a < cC.length; a++) if (!(Math.abs(cC[a]!) > 0)) worst = a;
      if (worst >= 0) {
        this.singular = {
          message: `B + ridge·I has a zero diagonal entry ${cC[worst]} on the inactive coordinate ${this.C[worst]} (declared outside the active set), so it is singular`,
          sigmaMin: 0,
          conditionEstimate: Infinity,
        };
      }
    }
    return this.cC;
  }

  /** (B_SS + ρI)·v or its transpose, on the reduced coordinates. */
  reducedApply(v: Float64Array, transpose: boolean): Float64Array {
    const { S, n } = this;
    const rho = this.settings.ridge;
    if (!S) {
      const y = transpose ? this.op.rmatvec(v) : this.op.matvec(v);
      if (rho !== 0) for (let i = 0; i < n; i++) y[i] += rho * v[i]!;
      return y;
    }
    const full = new Float64Array(n);
    for (let a = 0; a < S.length; a++) full[S[a]!] = v[a]!;
    const y = transpose ? this.op.rmatvec(full) : this.op.matvec(full);
    const out = new Float64Array(S.length);
    for (let a = 0; a < S.length; a++) out[a] = y[S[a]!]! + rho * v[a]!;
    return out;
  }

  /** (B + ρI)·x or its transpose on the full coordinates. */
  fullApply(x: Float64Array, transpose: boolean): Float64Array {
    const y = transpose ? this.op.rmatvec(x) : this.op.matvec(x);
    const rho = this.settings.ridge;
    if (rho !== 0) for (let i = 0; i < this.n; i++) y[i] += rho * x[i]!;
    return y;
  }

  /** The dense k×k block B_SS + ρI (rows by pullbacks, cached). */
  denseMatrix(): Float64Array {
    if (this.dense) return this.dense;
    const { k, n } = this;
    const S = this.S;
    const M = new Float64Array(k * k);
    const e = new Float64Array(n);
    for (let a = 0; a < k; a++) {
      const i = S ? S[a]! : a;
      e[i] = 1;
      const row = this.op.rmatvec(e); // (Bᵀ eᵢ)_j = B_ij
      e[i] = 0;
      for (let b = 0; b < k; b++) M[a * k + b] = row[S ? S[b]! : b]!;
      M[a * k + a] += this.settings.ridge;
    }
    this.dense = M;
    return M;
  }

  private factor(): { f: LUFactorization; cond: number } {
    if (!this.lu) {
      const M = this.denseMatrix();
      this.lu = luFactor(M, this.k);
      this.denseNorm1 = norm1(M, this.k, this.k);
      const rc = this.lu.zeroPivot >= 0 ? 0 : luRcondEstimate(this.lu, this.denseNorm1);
      this.luCond = rc > 0 ? 1 / rc : Infinity;
    }
    return { f: this.lu, cond: this.luCond };
  }

  /** Condition estimate of the LU-factored block (1-norm, LAPACK dgecon), factoring if needed. */
  luConditionEstimate(): number {
    return this.factor().cond;
  }

  private reducedSolve(b: Float64Array, transpose: boolean, x0: Float64Array | undefined, method: LinearSolverName): ReducedResult {
    const s = this.settings;
    const k = this.k;
    if (method === 'lu') {
      const { f, cond } = this.factor();
      if (f.zeroPivot >= 0 || !(cond <= s.condThreshold)) {
        return {
          x: new Float64Array(k), converged: false, iterations: 0, residualNorm: NaN, reason: 'singular',
          failure: 'singular', conditionEstimate: cond,
          message: f.zeroPivot >= 0
            ? `B is singular (exact zero pivot U[${f.zeroPivot},${f.zeroPivot}] in its LU factorization)`
            : `B is numerically singular (1-norm condition estimate ${cond.toExponential(3)} > condThreshold ${s.condThreshold.toExponential(1)})`,
        };
      }
      let x: Float64Array;
      try {
        x = luSolve(f, b, 1, transpose);
      } catch {
        x = new Float64Array(k).fill(NaN);
      }
      if (!allFinite(x)) {
        return { x, converged: false, iterations: 0, residualNorm: NaN, reason: 'non-finite', failure: 'non-finite', conditionEstimate: cond, message: 'the LU solve produced non-finite values' };
      }
      return { x, converged: true, iterations: 0, residualNorm: NaN, reason: 'direct', conditionEstimate: cond };
    }
    if (s.custom && !this.S && s.ridge === 0) {
      const res = s.custom.solve(b, transpose, x0);
      const out: ReducedResult = { x: res.x, converged: res.converged, iterations: res.iterations, residualNorm: res.residualNorm, reason: res.reason };
      if (res.samples) out.samples = res.samples;
      if (!allFinite(res.x)) {
        out.failure = 'non-finite';
        out.converged = false;
        out.message = `'${s.custom.name}' produced non-finite values`;
      } else if (!res.converged) {
        out.failure = 'not-converged';
        out.message = `'${s.custom.name}' did not converge (reason '${res.reason}', ${res.iterations} iterations, residual ${res.residualNorm.toExponential(3)}, tol ${s.tol})`;
      }
      return out;
    }
    const A: LinearOperator = (v, out) => {
      out.set(this.reducedApply(v, transpose));
    };
    const At: LinearOperator = (v, out) => {
      out.set(this.reducedApply(v, !transpose));
    };
    const common = { tol: s.tol, atol: s.atol, maxIter: s.maxIter, x0, onFailure: 'return' as const };
    let res: IterativeResult;
    switch (method) {
      case 'cg':
        res = cg(A, b, common);
        break;
      case 'minres':
        res = minres(A, b, common);
        break;
      case 'gmres':
        res = gmres(A, b, { ...common, restart: s.restart });
        break;
      case 'bicgstab':
        res = bicgstab(A, b, common);
        break;
      case 'normal-cg':
        res = cgNormal({ rows: k, cols: k, matvec: A, rmatvec: At }, b, common);
        break;
      case 'lsqr':
        res = lsqr({ rows: k, cols: k, matvec: A, rmatvec: At }, b, common);
        break;
      case 'fixed-point': {
        // (B + ρI)·x = b  ⇔  x = (I − B − ρI)·x + b
        const M: LinearOperator = (v, out) => {
          const y = this.reducedApply(v, transpose);
          for (let i = 0; i < k; i++) out[i] = v[i]! - y[i]!;
        };
        res = fixedPointLinear(M, b, common);
        break;
      }
      default:
        throw new InvalidArgumentError(`${s.name}: unknown linearSolver '${String(method)}'`);
    }
    const out: ReducedResult = { x: res.x, converged: res.converged, iterations: res.iterations, residualNorm: res.residualNorm, reason: res.reason };
    if (!allFinite(res.x) || res.reason === 'non-finite') {
      out.failure = 'non-finite';
      out.converged = false;
      out.message = `'${method}' produced non-finite values`;
    } else if (res.reason === 'least-squares' && res.relativeResidual > Math.max(10 * s.tol, 1e-8)) {
      // a least-squares answer of an inconsistent system: B is singular
      out.failure = 'singular';
      out.converged = false;
      out.message = `'${method}' found only a least-squares solution (relative residual ${res.relativeResidual.toExponential(3)}): the right-hand side is not in the range of B, so B is singular`;
    } else if (!res.converged) {
      out.failure = 'not-converged';
      const hint =
        res.reason === 'indefinite' ? ` ('${method}' needs B symmetric positive definite; for F = T − y style residuals use customFixedPoint, or choose 'minres'/'gmres')`
        : res.reason === 'diverged' ? ` ('fixed-point' needs ρ(I − B) < 1, i.e. F = y − T(x, y) with T a contraction)`
        : res.reason === 'breakdown' || res.reason === 'inconsistent' || res.reason === 'stagnation' ? ' (B may be singular or very ill-conditioned: run with diagnostics \'full\' to estimate σ_min(B))'
        : '';
      out.message = `'${method}' did not converge (reason '${res.reason}', ${res.iterations} iterations, residual ${res.residualNorm.toExponential(3)}, relative ${res.relativeResidual.toExponential(3)}, tol ${s.tol})${hint}`;
    }
    return out;
  }

  /**
   * Solves (B + ρI)·x = r (transpose: (B + ρI)ᵀ·x = r) on the full coordinates, applying the
   * active-set decoupling, the failure policy and the residual check.
   */
  solve(r: Float64Array, transpose: boolean, x0: Float64Array | undefined): { x: Float64Array; report: LinearSolveReport } {
    const s = this.settings;
    const { n, k, S, C } = this;
    const rep: LinearSolveReport = {
      method: s.custom ? s.custom.name : s.method, requested: s.requested, transpose, size: k, converged: false, iterations: 0, residualNorm: NaN, relativeResidual: NaN,
    };
    const rnorm = norm2(r);
    if (rnorm === 0) {
      rep.converged = true;
      rep.residualNorm = 0;
      rep.relativeResidual = 0;
      rep.reason = 'zero right-hand side';
      return { x: new Float64Array(n), report: rep };
    }
    const cC = this.inactiveDiagonal();
    if (this.singular) return this.fallback(r, transpose, rep, 'singular', this.singular.message, this.singular);

    let x: Float64Array = new Float64Array(n);
    let red: ReducedResult;
    const x0S = x0 && S ? Float64Array.from(S, (i) => x0[i]!) : x0;
    if (!S) {
      red = this.reducedSolve(r, transpose, x0S, s.method);
      x = red.x;
    } else if (!transpose) {
      // t_C = r_C / c_C ; (B_SS + ρI) t_S = r_S − B_{S,C} t_C
      const tC = new Float64Array(n);
      let any = false;
      for (let a = 0; a < C!.length; a++) {
        const v = r[C![a]!]! / cC![a]!;
        tC[C![a]!] = v;
        if (v !== 0) any = true;
      }
      const rS = Float64Array.from(S, (i) => r[i]!);
      if (any) {
        const coupling = this.op.matvec(tC);
        for (let a = 0; a < k; a++) rS[a] -= coupling[S[a]!]!;
      }
      red = this.reducedSolve(rS, false, x0S, s.method);
      x = tC;
      for (let a = 0; a < k; a++) x[S[a]!] = red.x[a]!;
    } else {
      // (B_SS + ρI)ᵀ u_S = s_S ; u_C = (s_C − (B_{S,C})ᵀ u_S) / c_C
      const sS = Float64Array.from(S, (i) => r[i]!);
      red = this.reducedSolve(sS, true, x0S, s.method);
      const uS = new Float64Array(n);
      for (let a = 0; a < k; a++) uS[S[a]!] = red.x[a]!;
      const back = this.op.rmatvec(uS);
      x = uS;
      for (let a = 0; a < C!.length; a++) {
        const i = C![a]!;
        x[i] = (r[i]! - back[i]!) / cC![a]!;
      }
    }
    rep.iterations = red.iterations;
    rep.reason = red.reason;
    if (red.samples) rep.samples = red.samples;
    if (red.conditionEstimate !== undefined) rep.conditionEstimate = red.conditionEstimate;
    if (red.failure) {
      rep.iterations = red.iterations;
      return this.fallback(r, transpose, rep, red.failure, red.message ?? red.failure, { message: red.message ?? '', conditionEstimate: red.conditionEstimate }, red.failure === 'not-converged' ? x : undefined);
    }
    rep.converged = red.converged;
    this.checkResidual(x, r, rnorm, transpose, rep, red.residualNorm);
    return { x, report: rep };
  }

  /** True residual of the full system; flags inconsistencies (wrong active set, unstable B). */
  private checkResidual(x: Float64Array, r: Float64Array, rnorm: number, transpose: boolean, rep: LinearSolveReport, reducedResidual: number): void {
    const s = this.settings;
    if (s.diagnostics === 'off') return;
    const Bx = this.fullApply(x, transpose);
    const res = new Float64Array(this.n);
    for (let i = 0; i < this.n; i++) res[i] = r[i]! - Bx[i]!;
    const resNorm = norm2(res);
    rep.residualNorm = resNorm;
    rep.relativeResidual = resNorm / rnorm;
    // iterative solves: their own (true) residual already carries the rounding of B·x; direct
    // solves: allow the backward error of LU, a modest multiple of ε·‖B‖·‖x‖
    const reduced = Number.isFinite(reducedResidual) ? reducedResidual : 0;
    const backward = 1e3 * Number.EPSILON * this.denseNorm1 * norm2(x);
    const allowed = 10 * reduced + backward + 1e-9 * (norm2(Bx) + rnorm) + s.atol;
    if (!(resNorm <= allowed)) {
      if (this.S) {
        throw new InvalidArgumentError(
          `${s.name}: the activeSet declaration is wrong: the ${transpose ? 'reverse' : 'forward'} solve on the ${this.k} declared active coordinates ` +
            `leaves a residual ‖r − B·t‖ = ${resNorm.toExponential(3)} (relative ${rep.relativeResidual.toExponential(3)}) on the full system; ` +
            `outside the active set each row of B = ∂F/∂y must be a multiple of the unit row eᵢᵀ (check with diagnostics 'full')`,
        );
      }
      const msg =
        `${s.name}: the ${transpose ? 'reverse' : 'forward'} linear solve ('${rep.method}') does not satisfy its own system: ` +
        `‖r − B·t‖ = ${resNorm.toExponential(3)}, relative ${rep.relativeResidual.toExponential(3)} ` +
        `(B evaluated twice gave different matrices — a random kink policy? — or the solve is unstable)`;
      rep.converged = false;
      s.warn(msg, true);
    }
  }

  /**
   * Applies the failure policy (`implicit/failure.ts`). `partial`: an unconverged but finite
   * iterate, returned under 'warn' / 'return' when the solver ran out of budget (other solver
   * failures — breakdown, stagnation — suggest a singular B and return the fallback).
   */
  private fallback(
    r: Float64Array, transpose: boolean, rep: LinearSolveReport, failure: Failure, detail: string, info: SingularInfo, partial?: Float64Array,
  ): { x: Float64Array; report: LinearSolveReport } {
    const s = this.settings;
    const what = `${s.name}: the ${transpose ? 'reverse-mode (adjoint) system (B + ridge·I)ᵀu = s' : 'forward-mode (tangent) system (B + ridge·I)t = r'} with B = ∂F/∂y (${this.k} unknowns${this.S ? ` on the active set of ${this.n}` : ''})`;
    const kinkNote = s.kinkCount > 0 ? `; F hit ${s.kinkCount} kink(s) at the solution, so B is one element (selection '${s.selection}') of a set-valued Jacobian` : '';
    const solverReason = rep.reason;
    rep.reason = failure;
    if (failure !== 'singular') {
      const error = new ConvergenceError(`${what} failed: ${detail}${kinkNote}`, {
        ...rep, converged: false, iterations: rep.iterations, residualNorm: rep.residualNorm, reason: failure,
      });
      handleFailure(s.onFailure, error);
      s.warn(error.message, false);
      // a budget that ran out leaves a usable iterate; a breakdown / stagnation / inconsistency
      // points at a singular B: the fallback then
      if (partial && allFinite(partial) && solverReason === 'maxIter') {
        rep.converged = false;
        this.recordResidual(partial, r, transpose, rep);
        return { x: partial, report: rep };
      }
    }
    const sigmaMin = failure === 'singular' ? (info.sigmaMin ?? (s.onFailure === 'throw' ? this.sigmaMinIfSmall() : undefined)) : undefined;
    const error = new InvertibilityError(
      `${what} cannot be solved: ${detail}${sigmaMin !== undefined ? ` (σ_min(B) = ${sigmaMin.toExponential(3)})` : ''}. ` +
        `The implicit function theorem needs every B in the Jacobian of F at the solution to be invertible; ` +
        `choose onFailure 'warn' or 'return' (with fallback 'lstsq', the pseudo-inverse, or 'zero') explicitly to proceed anyway${kinkNote}`,
      {
        sigmaMin, conditionEstimate: info.conditionEstimate ?? (sigmaMin === 0 ? Infinity : undefined), selection: s.selection, method: rep.method, transpose,
      },
    );
    const { value, fallback } = invertibilityFailure(s, error, {
      lstsq: () => this.leastSquares(r, transpose, rep),
      zero: () => new Float64Array(this.n),
    });
    s.warn(`${what}: ${detail}; fallback '${fallback}' ${fallback === 'zero' ? 'returns a zero derivative' : 'uses the minimum-norm least-squares solution'}`, false);
    rep.fallback = fallback;
    rep.method = fallback;
    if (fallback === 'lstsq') this.recordResidual(value, r, transpose, rep);
    return { x: value, report: rep };
  }

  private recordResidual(x: Float64Array, r: Float64Array, transpose: boolean, rep: LinearSolveReport): void {
    if (this.settings.diagnostics === 'off') return;
    const Bx = this.fullApply(x, transpose);
    let s = 0;
    for (let i = 0; i < this.n; i++) s += (r[i]! - Bx[i]!) ** 2;
    rep.residualNorm = Math.sqrt(s);
    rep.relativeResidual = rep.residualNorm / norm2(r);
  }

  /** σ_min of the reduced block when it is small enough to materialise (for error messages). */
  private sigmaMinIfSmall(): number | undefined {
    if (this.k > this.settings.denseLimit || this.k === 0) return undefined;
    try {
      const S = singularValues(this.denseMatrix(), this.k);
      return S[this.k - 1]!;
    } catch {
      return undefined;
    }
  }

  /** Minimum-norm least-squares solution (pseudo-inverse), with the active-set decoupling. */
  private leastSquares(r: Float64Array, transpose: boolean, rep: LinearSolveReport): Float64Array {
    const { n, k, S, C } = this;
    const cC = this.cC;
    const inv = (c: number): number => (Math.abs(c) > 0 ? 1 / c : 0);
    const reduced = (b: Float64Array): Float64Array => {
      if (k <= this.settings.denseLimit) return pinvSolveDense(this.denseMatrix(), k, b, transpose);
      const A: LinearOperator = (v, out) => out.set(this.reducedApply(v, transpose));
      const At: LinearOperator = (v, out) => out.set(this.reducedApply(v, !transpose));
      const res = lsqr({ rows: k, cols: k, matvec: A, rmatvec: At }, b, { tol: this.settings.tol, maxIter: this.settings.maxIter, onFailure: 'return' });
      rep.iterations = res.iterations;
      rep.converged = res.converged;
      return res.x;
    };
    if (!S) {
      const x = reduced(r);
      if (k <= this.settings.denseLimit) rep.converged = true;
      return x;
    }
    if (k <= this.settings.denseLimit) rep.converged = true;
    if (!transpose) {
      const x = new Float64Array(n);
      for (let a = 0; a < C!.length; a++) x[C![a]!] = r[C![a]!]! * inv(cC![a]!);
      const rS = Float64Array.from(S, (i) => r[i]!);
      const coupling = this.op.matvec(x);
      for (let a = 0; a < k; a++) rS[a] -= coupling[S[a]!]!;
      const xS = reduced(rS);
      for (let a = 0; a < k; a++) x[S[a]!] = xS[a]!;
      return x;
    }
    const uS = reduced(Float64Array.from(S, (i) => r[i]!));
    const x = new Float64Array(n);
    for (let a = 0; a < k; a++) x[S[a]!] = uS[a]!;
    const back = this.op.rmatvec(x);
    for (let a = 0; a < C!.length; a++) {
      const i = C![a]!;
      x[i] = (r[i]! - back[i]!) * inv(cC![a]!);
    }
    return x;
  }
}
