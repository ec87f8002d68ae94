/**
 * @file Restarted GMRES(m) (Saad & Schultz 1986) for general nonsymmetric systems: Arnoldi with
 * modified Gram–Schmidt plus a second orthogonalisation pass when cancellation is detected
 * ("twice is enough"), the least-squares problem solved incrementally with Givens rotations,
 * optional right preconditioning (so the minimised residual is the true residual of A·x = b).
 *
 * Honest reporting: each cycle restarts from the TRUE residual; a (numerically) singular
 * Hessenberg system — e.g. A singular with b outside its range — ends with `'breakdown'` rather
 * than a fake solution, and cycles that stop reducing the residual end with `'stagnation'`.
 */
import { dot } from '../../kernels/blas.js';
import {
  finish,
  initialX,
  PRECONDITIONED_OPTIONS,
  prepareSquareSolve,
  report,
  residual,
  StagnationGuard,
  zeroSolution,
} from './common.js';
import { InvalidArgumentError } from '../../core/errors.js';
import type { IterativeResult, OperatorLike, PreconditionedOptions, SolutionOf, StopReason, VectorLike } from './types.js';

/** Options of {@link gmres}. */
export interface GmresOptions extends PreconditionedOptions {
  /** Krylov dimension per cycle (restart length), default `min(30, n)`. Memory is `(restart+1)·n` doubles. */
  restart?: number;
}

/** Below this relative size, a new Arnoldi vector (or a triangular pivot) counts as zero. */
const BREAKDOWN = 1e-14;
/** Reorthogonalise when Gram–Schmidt leaves less than this fraction of ‖A·v‖. */
const REORTH = 0.1;

/**
 * Solves `A·x = b` for general square `A` by restarted GMRES with right preconditioning
 * (`A·M·u = b`, `x = M·u`). `iterations` counts Arnoldi steps (one product with `A` each).
 *
 * Per step j: `w = A·M·v_j`; `h_{ij} = v_iᵀw`, `w ← w − h_{ij}·v_i` (i ≤ j, MGS, repeated once if
 * ‖w‖ dropped below 0.1 of its size before orthogonalisation); `h_{j+1,j} = ‖w‖`,
 * `v_{j+1} = w / h_{j+1,j}`. Givens rotations reduce H to triangular R and `g = Qᵀ·β·e₁`, so
 * `|g_{j+1}|` is the residual norm of the current iterate; at the end of a cycle `R·y = g`,
 * `x ← x + M·V·y`.
 *
 * @example
 * const A = denseOperator(Float64Array.of(2, 1, 0, 3), 2, 2); // nonsymmetric
 * gmres(A, Float64Array.of(1, 1)).x; // ≈ [1/3, 1/3]
 */
export function gmres<B extends VectorLike>(A: OperatorLike, bIn: B, options: GmresOptions = {}): IterativeResult<SolutionOf<B>> {
  const fn = 'gmres';
  const { n, s, apply, precond } = prepareSquareSolve(fn, A, bIn, options, [...PRECONDITIONED_OPTIONS, 'restart']);
  const b = s.b;
  const restartOpt = options.restart ?? Math.max(1, Math.min(30, n));
  if (!Number.isInteger(restartOpt) || restartOpt < 1) {
    throw new InvalidArgumentError(`${fn}: options.restart must be an integer ≥ 1, got ${String(options.restart)}`);
  }
  if (s.bnorm === 0) return zeroSolution(s, n);

  const m = Math.min(restartOpt, Math.max(n, 1));
  const { thresh, maxIter } = s;
  const x = initialX(s, n);
  const V = new Float64Array((m + 1) * n); // Arnoldi basis, vector i at offset i·n
  const H = new Float64Array((m + 1) * m); // Hessenberg → R, column j at offset j·(m+1)
  const cs = new Float64Array(m);
  const sn = new Float64Array(m);
  const g = new Float64Array(m + 1);
  const yv = new Float64Array(m);
  const w = new Float64Array(n);
  const z = precond ? new Float64Array(n) : w;
  const u = new Float64Array(n);
  const driftGuard = new StagnationGuard();
  const ldh = m + 1;

  let iter = 0;
  let reason: StopReason = 'maxIter';
  let prevCycle = Infinity;
  let flatCycles = 0;
  let r0 = V.subarray(0, n);
  let rnorm = residual(apply, b, x, r0);
  let singular = false;
  let estimatedConverged = false;
  let opNorm = 0; // lower bound on ‖A·M‖: the largest ‖A·M·v‖ seen over unit vectors v

  for (;;) {
    // Cycle start: V[0] holds the true residual b − A·x.
    if (Number.isNaN(rnorm)) { reason = 'non-finite'; break; }
    if (rnorm <= thresh) { reason = 'converged'; break; }
    // Cycles that do not reduce the residual at all repeat themselves forever (GMRES(m) stagnation).
    if (rnorm > prevCycle * (1 - 1e-12)) flatCycles++;
    else flatCycles = 0;
    // A singular Hessenberg system that a restart cannot get around: A is singular and b has a
    // component outside its range (or GMRES cannot reach it). x is the best iterate found.
    if (singular && flatCycles > 0) { reason = 'breakdown'; break; }
    if (flatCycles >= 2) { reason = 'stagnation'; break; }
    if (iter >= maxIter) { reason = 'maxIter'; break; }
    if (estimatedConverged && driftGuard.stalled(rnorm)) { reason = 'stagnation'; break; }
    prevCycle = rnorm;
    estimatedConverged = false;
    singular = false;

    const inv = 1 / rnorm;
    for (let i = 0; i < n; i++) r0[i] *= inv;
    g.fill(0);
    g[0] = rnorm;
    let k = 0; // columns of R in use
    let nonFinite = false;

    for (let j = 0; j < m; j++) {
      const vj = V.subarray(j * n, (j + 1) * n);
      if (precond) {
        precond(vj, z);
        apply(z, w);
      } else apply(vj, w);
      const hc = j * ldh;
      const wnorm0 = Math.sqrt(dot(n, w, w));
      if (!Number.isFinite(wnorm0)) { nonFinite = true; break; }
      if (wnorm0 > opNorm) opNorm = wnorm0;
      // Modified Gram–Schmidt against v_0..v_j.
      for (let i = 0; i <= j; i++) {
        const h = dotAt(n, w, V, i * n);
        H[hc + i] = h;
        axpyAt(n, -h, V, i * n, w);
      }
      let wnorm = Math.sqrt(dot(n, w, w));
      if (wnorm < REORTH * wnorm0) {
        // Severe cancellation: w lost over 90% of its length, so the rounding errors left in it
        // are no longer small relative to it. One more pass restores orthogonality to working
        // precision. (MGS-GMRES is backward stable without it — Paige, Rozložník & Strakoš 2006 —
        // so the classical 1/√2 test, which fires at nearly every step for symmetric A and doubles
        // the cost, is not needed; this guards the near-breakdown steps.)
        for (let i = 0; i <= j; i++) {
          const h = dotAt(n, w, V, i * n);
          H[hc + i] += h;
          axpyAt(n, -h, V, i * n, w);
        }
        wnorm = Math.sqrt(dot(n, w, w));
      }
      H[hc + j + 1] = wnorm;
      // Apply the previous rotations to column j.
      for (let i = 0; i < j; i++) {
        const a = H[hc + i]!, c = H[hc + i + 1]!;
        H[hc + i] = cs[i]! * a + sn[i]! * c;
        H[hc + i + 1] = -sn[i]! * a + cs[i]! * c;
      }
      const a = H[hc + j]!, c = wnorm;
      const rho = Math.hypot(a, c);
      if (!Number.isFinite(rho)) { nonFinite = true; break; }
      iter++;
      if (rho <= BREAKDOWN * opNorm || rho === 0) {
        // The new column is negligible next to ‖A·M‖ once the previous ones are rotated out: the
        // Hessenberg system is (numerically) singular (A·M singular on the Krylov space). Drop the column, end the cycle;
        // a restart from the new residual may still make progress.
        singular = true;
        report(s, iter, Math.abs(g[j]!));
        break;
      }
      cs[j] = a / rho;
      sn[j] = c / rho;
      H[hc + j] = rho;
      H[hc + j + 1] = 0;
      g[j + 1] = -sn[j]! * g[j]!;
      g[j] = cs[j]! * g[j]!;
      k = j + 1;
      const est = Math.abs(g[j + 1]!);
      report(s, iter, est);
      if (est <= s.verifyAt) { estimatedConverged = true; break; }
      // Happy breakdown: the Krylov space is invariant, the current iterate is exact.
      if (wnorm <= BREAKDOWN * wnorm0) { estimatedConverged = true; break; }
      if (iter >= maxIter) break;
      const vn = V.subarray((j + 1) * n, (j + 2) * n);
      const winv = 1 / wnorm;
      for (let t = 0; t < n; t++) vn[t] = w[t]! * winv;
    }

    // Back substitution R·y = g (k×k upper triangular), then x ← x + M·(V·y).
    if (k > 0) {
      for (let i = k - 1; i >= 0; i--) {
        let sum = g[i]!;
        for (let jj = i + 1; jj < k; jj++) sum -= H[jj * ldh + i]! * yv[jj]!;
        yv[i] = sum / H[i * ldh + i]!;
      }
      u.fill(0);
      for (let jj = 0; jj < k; jj++) axpyAt(n, yv[jj]!, V, jj * n, u);
      let ok = true;
      for (let jj = 0; jj < k; jj++) if (!Number.isFinite(yv[jj]!)) ok = false;
      if (ok) {
        if (precond) {
          precond(u, z);
          for (let t = 0; t < n; t++) x[t] += z[t]!;
        } else for (let t = 0; t < n; t++) x[t] += u[t]!;
      } else nonFinite = true;
    }
    r0 = V.subarray(0, n);
    rnorm = residual(apply, b, x, r0);
    if (nonFinite) {
      // Never claim convergence once the operator produced NaN/±Infinity.
      reason = 'non-finite';
      break;
    }
  }

  const converged = reason === 'converged' && rnorm <= thresh;
  return finish(s, x, iter, rnorm, converged ? 'converged' : reason === 'converged' ? 'stagnation' : reason, converged);
}

/** `Σ_t w[t]·V[off + t]` (four accumulators). */
function dotAt(n: number, w: Float64Array, V: Float64Array, off: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let t = 0;
  for (; t + 3 < n; t += 4) {
    s0 += w[t]! * V[off + t]!;
    s1 += w[t + 1]! * V[off + t + 1]!;
    s2 += w[t + 2]! * V[off + t + 2]!;
    s3 += w[t + 3]! * V[off + t + 3]!;
  }
  for (; t < n; t++) s0 += w[t]! * V[off + t]!;
  return (s0 + s1) + (s2 + s3);
}

/** `y[t] += a·V[off + t]`. */
function axpyAt(n: number, a: number, V: Float64Array, off: number, y: Float64Array): void {
  for (let t = 0; t < n; t++) y[t] += a * V[off + t]!;
}
