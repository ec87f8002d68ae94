/**
 * @file Invertibility diagnostics at a solution: the hypothesis of the nonsmooth implicit function
 * theorem is that EVERY B in the conservative Jacobian [A B] of F at (x, y(x)) is invertible.
 *
 * - σ_min(B), σ_max(B), cond₂(B) = σ_max/σ_min: exact (SVD of the materialised B, or of B_SS with an
 *   active set) when the system has at most `denseLimit` unknowns; otherwise estimated by power
 *   iteration on BᵀB (σ_max²) and inverse iteration v ← (BᵀB)⁻¹v = B⁻¹B⁻ᵀv using the configured
 *   linear solver (σ_min² ≈ 1/‖(BᵀB)⁻¹v‖ for the converged unit v).
 * - Symmetry (for 'cg' / 'minres'): ⟨w, Bv⟩ = ⟨v, Bw⟩ for random v, w holds for all v, w iff B is
 *   symmetric; asymmetry = |⟨w, Bv⟩ − ⟨v, Bw⟩| / (‖Bv‖‖w‖ + ‖Bw‖‖v‖).
 * - Active set: rows i ∉ S of the materialised full B must vanish off the diagonal.
 * - Kink alternatives: when F hits kinks at the solution, B is set-valued; B is re-evaluated under
 *   the 'left' and 'right' selections and a few random ones, and a singular alternative is reported.
 */
import { InvalidArgumentError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import type { ConcreteOperator, PointSolver } from './linear.js';
import { dotArr, norm2, singularValues } from './linear.js';
import type { DiagnosticsReport, KinkAlternative } from './types.js';

/** Randomised symmetry test of the reduced operator; returns the relative asymmetry. */
export function asymmetry(ps: PointSolver, seed = 12345): number {
  const g = new Rng(seed);
  const v = g.fillNormal(new Float64Array(ps.k));
  const w = g.fillNormal(new Float64Array(ps.k));
  const Bv = ps.reducedApply(v, false);
  const Bw = ps.reducedApply(w, false);
  const denom = norm2(Bv) * norm2(w) + norm2(Bw) * norm2(v);
  if (denom === 0) return 0;
  return Math.abs(dotArr(w, Bv) - dotArr(v, Bw)) / denom;
}

/** Extreme singular values of the reduced system (exact when small, iterative otherwise). */
export function extremeSingularValues(
  ps: PointSolver,
  solveReduced: (b: Float64Array, transpose: boolean) => Float64Array | null,
): { sigmaMin: number; sigmaMax: number; method: 'svd' | 'iterative'; note?: string } {
  const k = ps.k;
  if (k === 0) return { sigmaMin: Infinity, sigmaMax: 0, method: 'svd' };
  if (k <= ps.settings.denseLimit) {
    const S = singularValues(ps.denseMatrix(), k);
    return { sigmaMin: S[k - 1]!, sigmaMax: S[0]!, method: 'svd' };
  }
  const g = new Rng(777);
  // power iteration on BᵀB; estimate σ_max = ‖B·v‖ (Rayleigh quotient of BᵀB at the unit v)
  let v = normalize(g.fillNormal(new Float64Array(k)));
  let sigmaMax = 0;
  for (let it = 0; it < 200; it++) {
    const Bv = ps.reducedApply(v, false);
    const s = norm2(Bv);
    const z = ps.reducedApply(Bv, true);
    const l = norm2(z);
    if (l === 0 || !Number.isFinite(l)) {
      sigmaMax = s;
      break;
    }
    v = scale(z, 1 / l);
    const done = Math.abs(s - sigmaMax) <= 1e-12 * s;
    sigmaMax = s;
    if (done) break;
  }
  // inverse iteration on BᵀB: z = B⁻¹(B⁻ᵀ u); estimate σ_min = ‖B·u‖ at the unit u
  let u = normalize(g.fillNormal(new Float64Array(k)));
  let sigmaMin = Infinity;
  for (let it = 0; it < 100; it++) {
    const w = solveReduced(u, true);
    const z = w ? solveReduced(w, false) : null;
    if (!z) return { sigmaMin: 0, sigmaMax, method: 'iterative', note: 'inverse iteration: a linear solve with B failed, B is numerically singular' };
    const m = norm2(z);
    if (!Number.isFinite(m) || m === 0) return { sigmaMin: 0, sigmaMax, method: 'iterative', note: 'inverse iteration diverged' };
    u = scale(z, 1 / m);
    const s = norm2(ps.reducedApply(u, false));
    const done = Math.abs(s - sigmaMin) <= 1e-12 * s;
    sigmaMin = s;
    if (done) break;
  }
  return { sigmaMin, sigmaMax, method: 'iterative' };
}

function normalize(v: Float64Array): Float64Array {
  const s = norm2(v);
  return s > 0 ? scale(v, 1 / s) : v;
}
function scale(v: Float64Array, a: number): Float64Array {
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i]! * a;
  return out;
}

/** Materialises the full n×n B (+ ridge·I) of an operator by n pullbacks (rows). */
export function materialiseFull(op: ConcreteOperator, ridge: number): Float64Array {
  const n = op.n;
  const M = new Float64Array(n * n);
  const e = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    e[i] = 1;
    M.set(op.rmatvec(e), i * n);
    e[i] = 0;
    M[i * n + i] += ridge;
  }
  return M;
}

/**
 * Checks that rows outside the declared active set are multiples of unit rows. Throws
 * `InvalidArgumentError` naming the first offending row.
 */
export function verifyActiveSet(full: Float64Array, n: number, S: Int32Array, name: string): void {
  const inS = new Uint8Array(n);
  for (const i of S) inS[i] = 1;
  let maxAbs = 0;
  for (let i = 0; i < full.length; i++) maxAbs = Math.max(maxAbs, Math.abs(full[i]!));
  const tol = 1e-10 * Math.max(1, maxAbs);
  for (let i = 0; i < n; i++) {
    if (inS[i]) continue;
    for (let j = 0; j < n; j++) {
      if (j !== i && Math.abs(full[i * n + j]!) > tol) {
        throw new InvalidArgumentError(
          `${name}: the activeSet declaration is wrong: coordinate ${i} is declared inactive but row ${i} of B = ∂F/∂y has the off-diagonal entry B[${i},${j}] = ${full[i * n + j]} ` +
            `(outside the active set every row must be a multiple of the unit row eᵢᵀ)`,
        );
      }
    }
  }
}

/** σ_min, cond of a dense n×n matrix (cond = Infinity when σ_min = 0). */
export function denseConditioning(M: Float64Array, n: number): { sigmaMin: number; sigmaMax: number; cond: number } {
  const S = singularValues(M, n);
  const sigmaMin = S[n - 1]!;
  const sigmaMax = S[0]!;
  return { sigmaMin, sigmaMax, cond: sigmaMin === 0 ? Infinity : sigmaMax / sigmaMin };
}

/**
 * Re-evaluates B under alternative kink selections (full matrix, n ≤ denseLimit) and reports
 * their conditioning. `opUnder(selection)` builds B's products under that kink policy.
 */
export function kinkAlternatives(
  n: number,
  ridge: number,
  condThreshold: number,
  selections: readonly { label: string; op: () => ConcreteOperator }[],
): KinkAlternative[] {
  const out: KinkAlternative[] = [];
  for (const s of selections) {
    const M = materialiseFull(s.op(), ridge);
    let sigmaMin: number;
    let cond: number;
    try {
      const c = denseConditioning(M, n);
      sigmaMin = c.sigmaMin;
      cond = c.cond;
    } catch {
      sigmaMin = NaN;
      cond = Infinity;
    }
    out.push({ selection: s.label, sigmaMin, conditionEstimate: cond, singular: !(cond <= condThreshold) });
  }
  return out;
}

/** A fresh, empty diagnostics report. */
export function emptyDiagnostics(level: DiagnosticsReport['level']): DiagnosticsReport {
  return { level, notes: [] };
}
