/**
 * @file `solveCone`: differentiable cone programs
 *
 *   minimise cᵀx   subject to   Ax + s = b,   s ∈ K,     K = {0}^z × R₊^l × SOC(q₁) × … × PSD(k₁) × …,
 *
 * (dual: maximise −bᵀy s.t. Aᵀy + c = 0, y ∈ K*), dense, batched over a leading axis (problems
 * solved one after another; shared inputs get summed gradients).
 *
 * Forward: ADMM on the homogeneous self-dual embedding (O'Donoghue et al., SCS 1.x): with
 * u = (x, y, τ), v = (r, s, κ), Q = [[0, Aᵀ, c], [−A, 0, b], [−cᵀ, −bᵀ, 0]] and C = Rⁿ × K* × R₊,
 *   ũ = (I + Q)⁻¹(u + v),  u⁺ = Π_C(αũ + (1 − α)u − v),  v⁺ = v − (αũ + (1 − α)u) + u⁺   (α = 1.5),
 * solution (x, y, s) = (u_x, u_y, v_s)/τ. The solve with I + Q is split as in SCS: with
 * M = [[I, Aᵀ], [−A, I]] and h = (c, b), I + Q = [[M, h], [−hᵀ, 1]], so
 *   t = (r_τ + hᵀM⁻¹r_w) / (1 + hᵀM⁻¹h),   w = M⁻¹r_w − (M⁻¹h)·t,
 * M factored (LU) once per distinct A — ONCE for a whole batch when A is shared — and M⁻¹h once
 * per problem. Warm start (`warmStart: { x, y, s }`): u = (x, y, 1), v = (0, s, 0). Stops when the relative
 * primal and dual residuals and the gap are below `tol` (default 1e-9); certificates when τ → 0:
 * bᵀy < 0 (primal infeasible), cᵀx < 0 (dual infeasible).
 *
 * Derivative (Agrawal et al., "Differentiating through a cone program", 2019 — diffcp's formulation):
 * at z = (x, y − s, 1) the normalised residual map N(z, Q) = ((Q − I)Π + I)(z)/|w| vanishes, with
 * Π = (id, Π_{K*}, max(·, 0)). With M = (Q − I)·DΠ(z) + I and π = Π(z) = (x, y, 1):
 *   forward:  dz = −M⁻¹·(dQ·π),  dx = dz_u − x·dz_w,  dy = DΠ_{K*}(v)·dz_v − y·dz_w,  ds = dy − dz_v + y·dz_w − s·dz_w
 *   reverse:  g = −M⁻ᵀ·[x̄; DΠ_{K*}ᵀ(ȳ + s̄) − s̄; −(xᵀx̄ + yᵀȳ + sᵀs̄)],
 *             Ā = y·g_xᵀ − g_y·xᵀ,  b̄ = g_y − g_w·y,  c̄ = g_x − g_w·x.
 * M is dense (n + m + 1)² and solved by LU (exact, no iteration cap); a singular M is an
 * `InvertibilityError` under `onFailure`.
 *
 * Cone projections and their derivatives at kinks (policy t = selectDerivative(policy, 0, 1, i);
 * an entry of v = y − s within 10·tol of a kink, relative to max(1, ‖v‖∞), counts as on it):
 * zero cone's dual = free (identity); R₊: 0 below, 1 above, t at 0 (minNorm: 0, as relu);
 * SOC: as `projectSoc` (minNorm: the outside formula on the boundary, 0 on the polar boundary);
 * PSD (svec coordinates): as `projectPsd` (Daleckii–Krein; a zero eigenvalue is the kink, minNorm 0);
 * exponential cone (exp_cone.ts): Π_{K*}(v) = v + Π_K(−v) (Moreau), DΠ_{K*}(v) = I − DΠ_K(−v); on
 * ∂K* minNorm gives the outside formula, on the boundary of its polar 0, at case 3's t = 0 the
 * nonnegative cone's 0 (as the SOC and R₊).
 */
import { ConvergenceError, InvalidArgumentError, InvertibilityError, ShapeError, assertFinite } from '../core/errors.js';
import { ConcreteTensor, concreteData, formatShape, type Tensor } from '../core/tensor.js';
import { checkCount, checkOptions, checkPositive } from '../core/options.js';
import { failurePolicy, handleFailure, type FailurePolicy } from '../core/failure.js';
import { isTrackingKinks, policyFor, reportKinks, selectDerivative, type KinkPolicy, type ResolvedKinkPolicy } from '../autodiff/kinks.js';
import { bindCustom, type CustomRule } from '../autodiff/trace.js';
import { asTensor, type TensorLike } from '../ops/convert.js';
import { luFactor, luSolve, type LUFactorization } from '../linalg/dense/lu.js';
import { qrFactor, qrSolve, qrMultiplyQ, type QRFactorization } from '../linalg/dense/qr.js';
import { triangularSolveInPlace } from '../linalg/dense/triangular.js';
import { psdApply, psdParts } from './projections.js';
import { expConeJacobian, projectExpCone } from './exp_cone.js';

/**
 * The cone K as a product, in this row order: `zero` equality rows, `nonneg` rows, one SOC block
 * per entry of `soc` (its dimension, t first), one PSD block per entry of `psd` (the matrix order k;
 * k(k+1)/2 rows: the lower triangle row by row, (0,0), (1,0), (1,1), (2,0), …, off-diagonal entries
 * scaled by √2 so the Euclidean inner product of the rows is the trace inner product).
 */
export interface ConeSpec {
  zero?: number;
  nonneg?: number;
  soc?: readonly number[];
  psd?: readonly number[];
  /** Number of exponential-cone blocks (3 rows each, SCS's (x, y, z) with y·e^{x/y} ≤ z), after the PSD rows. */
  exp?: number;
}

/**
 * Data of `solveCone`: c [n], A [m, n], b [m], with m = zero + nonneg + Σ soc; each may carry a
 * leading batch axis (unbatched inputs are shared, their gradients summed over the batch).
 */
export interface ConeProblem {
  c: TensorLike;
  A: TensorLike;
  b: TensorLike;
  cones: ConeSpec;
}

/** Options of `solveCone`. */
export interface ConeOptions {
  /** Relative residual / gap tolerance (default 1e-9). */
  tol?: number;
  /** ADMM iteration cap (default 50000). */
  maxIter?: number;
  onFailure?: FailurePolicy;
  kink?: KinkPolicy;
  /** Start from a previous solution (`solveCone`'s result works as is): x `[n]`, y and s `[m]`, or batched. */
  warmStart?: { x: Tensor; y: Tensor; s: Tensor };
}

export type ConeStatus = 'optimal' | 'primalInfeasible' | 'dualInfeasible' | 'maxIterations';

/** One problem's run: status, ADMM iterations, final relative residuals. */
export interface ConeRunReport {
  status: ConeStatus;
  iterations: number;
  primalResidual: number;
  dualResidual: number;
  gap: number;
  /** False when this problem reused the factorisation of M = [[I, Aᵀ], [−A, I]] of an earlier problem of the batch (A shared). */
  factorized: boolean;
  /** Milliseconds spent factoring M for this problem (0 when reused). */
  factorMs: number;
}

/** The result of `solveCone`: x, y, s (`[n]`, `[m]`, `[m]`, or with a leading batch axis) differentiable in c, A, b. */
export interface ConeSolution {
  x: Tensor;
  y: Tensor;
  s: Tensor;
  /** Worst status over the batch. */
  status: ConeStatus;
  /** Status of each problem. */
  statuses: ConeStatus[];
  /** Per problem: status, iterations, residuals. */
  problems: ConeRunReport[];
  /** Largest over the batch (likewise the residuals below). */
  iterations: number;
  primalResidual: number;
  dualResidual: number;
  gap: number;
  /** min/max |R_ii| of the QR factor of the derivative system (NaN until a derivative is requested). */
  readonly rcond: number;
}

/** Projection onto K* (dual cone) of v, in place into out; with the derivative data. */
function projectDual(v: Float64Array, out: Float64Array, cones: Required<ConeSpec>): void {
  let o = 0;
  for (let i = 0; i < cones.zero; i++, o++) out[o] = v[o]!;
  for (let i = 0; i < cones.nonneg; i++, o++) out[o] = Math.max(v[o]!, 0);
  for (const q of cones.soc) {
    const t = v[o]!;
    let rho = 0;
    for (let j = 1; j < q; j++) rho += v[o + j]! * v[o + j]!;
    rho = Math.sqrt(rho);
    if (rho <= t) for (let j = 0; j < q; j++) out[o + j] = v[o + j]!;
    else if (rho <= -t) for (let j = 0; j < q; j++) out[o + j] = 0;
    else {
      const a = (t + rho) / 2;
      out[o] = a;
      for (let j = 1; j < q; j++) out[o + j] = (a * v[o + j]!) / rho;
    }
    o += q;
  }
  for (const k of cones.psd) {
    const P = psdParts(smat(v, o, k), k, MIN_NORM, 0, 1e-12, 'solveCone()').P;
    svec(P, k, out, o);
    o += (k * (k + 1)) / 2;
  }
  for (let i = 0; i < cones.exp; i++, o += 3) {
    // Π_{K*}(v) = v + Π_K(−v)
    const p = projectExpCone(-v[o]!, -v[o + 1]!, -v[o + 2]!).p;
    for (let j = 0; j < 3; j++) out[o + j] = v[o + j]! + p[j]!;
  }
}

const MIN_NORM: ResolvedKinkPolicy = { kind: 'minNorm' };
const SQRT2 = Math.SQRT2;

/** The symmetric k×k matrix of the svec block v[o .. o + k(k+1)/2) (lower triangle row by row, off-diagonals /√2). */
function smat(v: Float64Array, o: number, k: number): Float64Array {
  const S = new Float64Array(k * k);
  let t = o;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++, t++) {
      const val = i === j ? v[t]! : v[t]! / SQRT2;
      S[i * k + j] = val;
      S[j * k + i] = val;
    }
  }
  return S;
}

/** svec of the symmetric k×k matrix S into out[o ..]. */
function svec(S: Float64Array, k: number, out: Float64Array, o: number): void {
  let t = o;
  for (let i = 0; i < k; i++) for (let j = 0; j <= i; j++, t++) out[t] = i === j ? S[i * k + i]! : SQRT2 * S[i * k + j]!;
}

/** Dense Jacobian of Π_{K*} at v (m × m, row-major), with the kink selection; counts kinks. */
function projectDualJacobian(v: Float64Array, cones: Required<ConeSpec>, policy: ResolvedKinkPolicy, ktol: number): { J: Float64Array; kinks: number } {
  const m = v.length;
  let scale = 1;
  for (let i = 0; i < m; i++) scale = Math.max(scale, Math.abs(v[i]!));
  const J = new Float64Array(m * m);
  let kinks = 0;
  let o = 0;
  for (let i = 0; i < cones.zero; i++, o++) J[o * m + o] = 1;
  for (let i = 0; i < cones.nonneg; i++, o++) {
    const x = v[o]!;
    const tol = ktol * scale;
    if (x > tol) J[o * m + o] = 1;
    else if (x >= -tol) {
      J[o * m + o] = selectDerivative(policy, 0, 1, o);
      kinks++;
    }
  }
  for (const q of cones.soc) {
    const t = v[o]!;
    let rho = 0;
    for (let j = 1; j < q; j++) rho += v[o + j]! * v[o + j]!;
    rho = Math.sqrt(rho);
    const tol = ktol * scale;
    let wIn = 0;
    let wF = 0;
    if (rho <= tol && Math.abs(t) <= tol) kinks++;
    else if (Math.abs(rho - t) <= tol) {
      const s = selectDerivative(policy, 0, 1, o);
      wIn = s;
      wF = 1 - s;
      kinks++;
    } else if (Math.abs(rho + t) <= tol) {
      wF = selectDerivative(policy, 0, 1, o);
      kinks++;
    } else if (rho < t) wIn = 1;
    else if (rho > -t) wF = 1;
    for (let i = 0; i < q; i++) J[(o + i) * m + o + i] += wIn;
    if (wF > 0) {
      // ½[[1, uᵀ], [u, (1 + t/ρ)I − (t/ρ)uuᵀ]]
      const r = t / rho;
      J[o * m + o] += wF * 0.5;
      for (let i = 1; i < q; i++) {
        const ui = v[o + i]! / rho;
        J[o * m + o + i] += wF * 0.5 * ui;
        J[(o + i) * m + o] += wF * 0.5 * ui;
        for (let j = 1; j < q; j++) {
          const uj = v[o + j]! / rho;
          J[(o + i) * m + o + j] += wF * 0.5 * ((i === j ? 1 + r : 0) - r * ui * uj);
        }
      }
    }
    o += q;
  }
  for (const k of cones.psd) {
    // Daleckii–Krein in svec coordinates, column by column: J e_c = svec(DΠ(smat(e_c)))
    const q = (k * (k + 1)) / 2;
    const parts = psdParts(smat(v, o, k), k, policy, o, ktol, 'solveCone()');
    kinks += parts.kinks;
    const e = new Float64Array(q);
    const dP = new Float64Array(k * k);
    const col = new Float64Array(q);
    for (let cidx = 0; cidx < q; cidx++) {
      e.fill(0);
      e[cidx] = 1;
      psdApply(parts.V, parts.G, k, smat(e, 0, k), dP, 0);
      svec(dP, k, col, 0);
      for (let r = 0; r < q; r++) J[(o + r) * m + o + cidx] = col[r]!;
    }
    o += q;
  }
  const Je = new Float64Array(9);
  for (let i = 0; i < cones.exp; i++, o += 3) {
    // DΠ_{K*}(v) = I − DΠ_K(−v), the kink weights mapped so that minNorm (t = 0) gives the outside formula on ∂K* and 0 on its polar's boundary
    const t = selectDerivative(policy, 0, 1, o);
    if (expConeJacobian(-v[o]!, -v[o + 1]!, -v[o + 2]!, Je, ktol, { wB: t, wP: 1 - t, wT: 1 - t })) kinks++;
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) J[(o + a) * m + o + b] = (a === b ? 1 : 0) - Je[a * 3 + b]!;
  }
  return { J, kinks };
}

/**
 * Solves a cone program min cᵀx s.t. Ax + s = b, s ∈ K (zero, nonnegative and second-order cones)
 * by ADMM on the homogeneous self-dual embedding; x, y, s are differentiable in c, A and b
 * (diffcp's residual-map derivative, dense LU; see the file header).
 *
 * @example
 * // min x₁ + x₂ s.t. ‖x‖₂ ≤ 1:  s = (1, x) ∈ SOC(3)
 * const r = solveCone({ c: tensor([1, 1]), A: tensor([[0, 0], [-1, 0], [0, -1]]), b: tensor([1, 0, 0]), cones: { soc: [3] } });
 * // r.x ≈ [−0.7071, −0.7071]
 */
export function solveCone(problem: ConeProblem, options?: ConeOptions): ConeSolution {
  const where = 'solveCone()';
  checkOptions(options, ['tol', 'maxIter', 'onFailure', 'kink', 'warmStart'], where);
  checkOptions(problem, ['c', 'A', 'b', 'cones'], `${where} problem`);
  const o = options ?? {};
  const tol = o.tol === undefined ? 1e-9 : checkPositive(o.tol, 'tol', 'solveCone');
  const maxIter = o.maxIter === undefined ? 50000 : checkCount(o.maxIter, where, 'maxIter', 1);
  const onFailure = failurePolicy(o.onFailure, where);
  const policy = policyFor(o.kink);
  const c = asTensor(problem.c, where, 'c');
  const A = asTensor(problem.A, where, 'A');
  const b = asTensor(problem.b, where, 'b');
  // shapes: c [n] | [B, n], A [m, n] | [B, m, n], b [m] | [B, m]
  const cb = c.ndim === 2;
  const Ab = A.ndim === 3;
  const bb = b.ndim === 2;
  const n = c.shape[c.ndim - 1]!;
  const m = b.shape[b.ndim - 1]!;
  const batchSizes = [cb ? c.shape[0]! : -1, Ab ? A.shape[0]! : -1, bb ? b.shape[0]! : -1].filter((v) => v >= 0);
  const B = batchSizes.length ? batchSizes[0]! : 1;
  const batched = batchSizes.length > 0;
  if (
    c.ndim < 1 || c.ndim > 2 || b.ndim < 1 || b.ndim > 2 || A.ndim < 2 || A.ndim > 3 ||
    A.shape[A.ndim - 2] !== m || A.shape[A.ndim - 1] !== n || batchSizes.some((v) => v !== B)
  ) {
    throw new ShapeError(`${where}: expected c [n] or [B, n], A [m, n] or [B, m, n], b [m] or [B, m] with one batch size; got c ${formatShape(c.shape)}, A ${formatShape(A.shape)}, b ${formatShape(b.shape)}`);
  }
  const isB = [cb, Ab, bb];
  const spec = problem.cones ?? {};
  checkOptions(spec, ['zero', 'nonneg', 'soc', 'psd', 'exp'], `${where} cones`);
  const cones: Required<ConeSpec> = { zero: spec.zero ?? 0, nonneg: spec.nonneg ?? 0, soc: spec.soc ?? [], psd: spec.psd ?? [], exp: spec.exp ?? 0 };
  if (!Number.isInteger(cones.exp) || cones.exp < 0) throw new InvalidArgumentError(`${where}: cones.exp must be a count of 3-row exponential-cone blocks (an integer ≥ 0), got ${String(spec.exp)}`);
  for (const k of cones.psd) if (!Number.isInteger(k) || k < 1) throw new InvalidArgumentError(`${where}: every PSD block needs a matrix order ≥ 1, got ${k}`);
  for (const q of cones.soc) if (!Number.isInteger(q) || q < 2) throw new InvalidArgumentError(`${where}: every SOC block needs dimension ≥ 2 (t and at least one entry), got ${q}`);
  const mK = cones.zero + cones.nonneg + cones.soc.reduce((a, q) => a + q, 0) + cones.psd.reduce((a, k) => a + (k * (k + 1)) / 2, 0) + 3 * cones.exp;
  if (mK !== m) throw new ShapeError(`${where}: the cones cover ${mK} rows (zero ${cones.zero} + nonneg ${cones.nonneg} + soc [${cones.soc.join(', ')}] + psd [${cones.psd.join(', ')}] as k(k+1)/2 each + 3·exp ${cones.exp}) but A and b have ${m}`);

  // entries of v = y − s within 10·tol (relative) of a cone kink are treated as on it: the ADMM
  // solution is only tol-accurate, so an exact test would never see a degenerate constraint
  const ktol = Math.max(1e-12, 10 * tol);
  const N = n + m + 1;
  const sizes = [n, m * n, m];
  /** Problem k's slice of input i (c, A, b) of `src`. */
  const view = (src: readonly Float64Array[], i: number, k: number): Float64Array => (isB[i] ? src[i]!.subarray(k * sizes[i]!, (k + 1) * sizes[i]!) : src[i]!);
  const sols: { x: Float64Array; y: Float64Array; s: Float64Array }[] = [];
  const reports: ConeRunReport[] = [];
  const Minv: (QRFactorization | null | undefined)[] = [];
  const DPi: (Float64Array | null)[] = [];
  let rcond = NaN;

  /** The QR factor of diffcp's system for problem k (built once, on the first derivative request). */
  const buildM = (k: number, data: readonly Float64Array[]): QRFactorization | null => {
    if (Minv[k] !== undefined) return Minv[k]!;
    const { y, s } = sols[k]!;
    const v = new Float64Array(m);
    for (let i = 0; i < m; i++) v[i] = y[i]! - s[i]!;
    const { J } = projectDualJacobian(v, cones, policy, ktol);
    DPi[k] = J;
    // M = (Q − I)·DΠ + I, DΠ = blkdiag(I_n, J, 1)  (w = 1 > 0)
    const Q = embedding(view(data, 1, k), view(data, 2, k), view(data, 0, k), n, m);
    const M = new Float64Array(N * N);
    for (let i = 0; i < N; i++) {
      for (let j = 0; j < N; j++) {
        let acc = 0;
        if (j < n || j === N - 1) acc = Q[i * N + j]! - (i === j ? 1 : 0);
        else {
          for (let q = 0; q < m; q++) acc += (Q[i * N + n + q]! - (i === n + q ? 1 : 0)) * J[q * m + (j - n)]!;
        }
        M[i * N + j] = acc + (i === j ? 1 : 0);
      }
    }
    // M is singular by construction: the residual map is positively homogeneous, so M·z = 0 with
    // z = (x, y − s, 1). The outputs do not depend on the component of dz along z (dx, dy, ds are
    // invariant under dz → dz + αz), so fix the gauge dz_w = 0: the N × (N − 1) matrix M_r of the
    // first N − 1 columns has full column rank and the right-hand sides lie in its range; solve by
    // Householder QR (exact least squares, no iteration).
    const Mr = new Float64Array(N * (N - 1));
    for (let i = 0; i < N; i++) for (let j = 0; j < N - 1; j++) Mr[i * (N - 1) + j] = M[i * N + j]!;
    const f = qrFactor(Mr, N, N - 1);
    let dmin = Infinity;
    let dmax = 0;
    for (let i = 0; i < N - 1; i++) {
      const d = Math.abs(f.qr[i * (N - 1) + i]!);
      dmin = Math.min(dmin, d);
      dmax = Math.max(dmax, d);
    }
    const rc = dmax > 0 ? dmin / dmax : 0;
    rcond = Number.isNaN(rcond) ? rc : Math.min(rcond, rc);
    if (!(rc > 1e-13)) {
      Minv[k] = null;
      handleFailure(onFailure, new InvertibilityError(`${where}: the derivative system M = (Q − I)DΠ + I of diffcp${B > 1 ? ` (problem ${k})` : ''}, restricted to dz_w = 0, is rank deficient (min/max |R_ii| ≈ ${rc.toExponential(2)}): the solution map is not differentiable here (non-unique solution or degenerate cone constraints)`, { conditionEstimate: 1 / rc, problem: k }));
      return null;
    }
    Minv[k] = f;
    return f;
  };

  /** The warm start broadcast to [B, ·] (a per-problem value is repeated). */
  const loadWarm = (w: { x: Tensor; y: Tensor; s: Tensor }): { x: Float64Array; y: Float64Array; s: Float64Array } => {
    if (w === null || typeof w !== 'object') throw new InvalidArgumentError(`${where}: warmStart must be { x, y, s } (a previous solveCone result works), got ${String(w)}`);
    const get = (name: 'x' | 'y' | 's', size: number): Float64Array => {
      const t = w[name];
      if (t === undefined) throw new InvalidArgumentError(`${where}: warmStart needs x, y and s (a previous solveCone result works), ${name} is missing`);
      const d = concreteData(t, `${where} warmStart.${name}`);
      if (d.length === B * size) return d;
      if (d.length === size) {
        const out = new Float64Array(B * size);
        for (let k = 0; k < B; k++) out.set(d, k * size);
        return out;
      }
      throw new ShapeError(`${where}: warmStart.${name} has ${d.length} entries, expected ${size} or ${B * size} (shape ${formatShape(t.shape)})`);
    };
    return { x: get('x', n), y: get('y', m), s: get('s', m) };
  };

  const inputsOf = (xs: readonly Tensor[]): Float64Array[] =>
    xs.map((t, i) => concreteData(t, `${where} derivative of ${['c', 'A', 'b'][i]} (higher-order derivatives of solveCone are not supported)`));
  const lead = batched ? [B] : [];

  const rule: CustomRule = {
    name: 'solveCone',
    primal: (xs) => {
      const data = xs.map((t, i) => {
        assertFinite(t.data, `${where}: ${['c', 'A', 'b'][i]}`);
        return t.data;
      });
      const X = new Float64Array(B * n);
      const Y = new Float64Array(B * m);
      const S = new Float64Array(B * m);
      let kinks = 0;
      const warm = o.warmStart ? loadWarm(o.warmStart) : null;
      let shared: LUFactorization | null = null;
      for (let k = 0; k < B; k++) {
        const rep: ConeRunReport = { status: 'maxIterations', iterations: 0, primalResidual: Infinity, dualResidual: Infinity, gap: Infinity, factorized: true, factorMs: 0 };
        let fM: LUFactorization;
        if (shared) {
          fM = shared;
          rep.factorized = false;
        } else {
          const t0 = performance.now();
          fM = factorM(view(data, 1, k), n, m);
          rep.factorMs = performance.now() - t0;
          if (!isB[1]) shared = fM;
        }
        const w0 = warm ? { x: warm.x.subarray(k * n, (k + 1) * n), y: warm.y.subarray(k * m, (k + 1) * m), s: warm.s.subarray(k * m, (k + 1) * m) } : null;
        const sol = admm(view(data, 1, k), view(data, 2, k), view(data, 0, k), n, m, cones, tol, maxIter, rep, fM, w0);
        sols.push(sol);
        reports.push(rep);
        X.set(sol.x, k * n);
        Y.set(sol.y, k * m);
        S.set(sol.s, k * m);
        if (rep.status === 'optimal' && isTrackingKinks()) {
          const v = new Float64Array(m);
          for (let i = 0; i < m; i++) v[i] = sol.y[i]! - sol.s[i]!;
          kinks += projectDualJacobian(v, cones, policy, ktol).kinks;
        }
      }
      if (isTrackingKinks()) reportKinks('solveCone', kinks);
      const bad = reports.findIndex((r) => r.status !== 'optimal');
      if (bad >= 0) {
        const r = reports[bad]!;
        const what: Record<ConeStatus, string> = {
          optimal: '',
          primalInfeasible: 'primal infeasible (a certificate y ∈ K*, Aᵀy = 0, bᵀy < 0 was found)',
          dualInfeasible: 'dual infeasible (unbounded below: a ray x with −Ax ∈ K, cᵀx < 0 was found)',
          maxIterations: `not solved within maxIter = ${maxIter} ADMM iterations`,
        };
        handleFailure(onFailure, new ConvergenceError(`${where}: ${B > 1 ? `problem ${bad} of ${B}` : 'the problem'} is ${what[r.status]} (relative residuals: primal ${r.primalResidual.toExponential(2)}, dual ${r.dualResidual.toExponential(2)}, gap ${r.gap.toExponential(2)})`, { iterations: r.iterations, residualNorm: Math.max(r.primalResidual, r.dualResidual), converged: false, status: r.status, problem: bad }));
      }
      return [new ConcreteTensor(X, [...lead, n]), new ConcreteTensor(Y, [...lead, m]), new ConcreteTensor(S, [...lead, m])];
    },
    jvp: (xs, tangents) => {
      const data = inputsOf(xs);
      const tan = tangents.map((t, i) => (t ? concreteData(t, `${where} tangent of ${['c', 'A', 'b'][i]}`) : new Float64Array(data[i]!.length)));
      const out = [new Float64Array(B * n), new Float64Array(B * m), new Float64Array(B * m)];
      for (let k = 0; k < B; k++) {
        if (reports[k]!.status !== 'optimal') continue;
        const f = buildM(k, data);
        if (!f) continue;
        const { x, y } = sols[k]!;
        // g = −dQ·π, π = (x, y, 1); dz = M_r⁺g with dz_w = 0 (gauge)
        const dQ = embedding(view(tan, 1, k), view(tan, 2, k), view(tan, 0, k), n, m);
        const pi = new Float64Array(N);
        pi.set(x, 0);
        pi.set(y, n);
        pi[N - 1] = 1;
        const g = new Float64Array(N);
        for (let i = 0; i < N; i++) {
          let acc = 0;
          for (let j = 0; j < N; j++) acc += dQ[i * N + j]! * pi[j]!;
          g[i] = -acc;
        }
        const dz = qrSolve(f, g, 1);
        // dx = dz_u, dy = J·dz_v, ds = J·dz_v − dz_v   (dz_w = 0)
        for (let i = 0; i < n; i++) out[0]![k * n + i] = dz[i]!;
        const J = DPi[k]!;
        for (let i = 0; i < m; i++) {
          let jd = 0;
          for (let q = 0; q < m; q++) jd += J[i * m + q]! * dz[n + q]!;
          out[1]![k * m + i] = jd;
          out[2]![k * m + i] = jd - dz[n + i]!;
        }
      }
      return [new ConcreteTensor(out[0]!, [...lead, n]), new ConcreteTensor(out[1]!, [...lead, m]), new ConcreteTensor(out[2]!, [...lead, m])];
    },
    vjp: (xs, _outs, cts) => {
      const data = inputsOf(xs);
      const ct = cts.map((t, i) => (t ? concreteData(t, `${where} cotangent of ${['x', 'y', 's'][i]}`) : new Float64Array(B * (i === 0 ? n : m))));
      const grads = data.map((d) => new Float64Array(d.length));
      for (let k = 0; k < B; k++) {
        if (reports[k]!.status !== 'optimal') continue;
        const f = buildM(k, data);
        if (!f) continue;
        const { x, y } = sols[k]!;
        const xbd = ct[0]!.subarray(k * n, (k + 1) * n);
        const ybd = ct[1]!.subarray(k * m, (k + 1) * m);
        const sbd = ct[2]!.subarray(k * m, (k + 1) * m);
        // the transpose of dz' ↦ (dx, dy, ds): r = (x̄, Jᵀ(ȳ + s̄) − s̄), then ⟨r, M_r⁺g⟩ = ⟨Q₁R⁻ᵀr, g⟩
        const t = new Float64Array(N);
        const J = DPi[k]!;
        for (let i = 0; i < n; i++) t[i] = xbd[i]!;
        for (let q = 0; q < m; q++) {
          let acc = 0;
          for (let i = 0; i < m; i++) acc += J[i * m + q]! * (ybd[i]! + sbd[i]!);
          t[n + q] = acc - sbd[q]!;
        }
        triangularSolveInPlace(f.qr, N - 1, t, 1, { lower: false, trans: true });
        t[N - 1] = 0;
        qrMultiplyQ(f, t, 1);
        // ⟨t, −dQ·π⟩ with gt = −t: Ā = y·g_xᵀ − g_y·xᵀ, b̄ = g_y − g_w·y, c̄ = g_x − g_w·x
        const gw = -t[N - 1]!;
        const cg = view(grads, 0, k);
        const Ag = view(grads, 1, k);
        const bg = view(grads, 2, k);
        for (let i = 0; i < n; i++) cg[i] += -t[i]! - gw * x[i]!;
        for (let i = 0; i < m; i++) bg[i] += -t[n + i]! - gw * y[i]!;
        for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) Ag[i * n + j] += -y[i]! * t[j]! + t[n + i]! * x[j]!;
      }
      return grads.map((g, i) => new ConcreteTensor(g, [...xs[i]!.shape]));
    },
  };
  const [x, y, s] = bindCustom(rule, [c, A, b]) as [Tensor, Tensor, Tensor];
  const worst = reports.find((r) => r.status !== 'optimal') ?? reports[0]!;
  return {
    x, y, s,
    status: worst.status,
    statuses: reports.map((r) => r.status),
    problems: reports,
    iterations: Math.max(...reports.map((r) => r.iterations)),
    primalResidual: Math.max(...reports.map((r) => r.primalResidual)),
    dualResidual: Math.max(...reports.map((r) => r.dualResidual)),
    gap: Math.max(...reports.map((r) => r.gap)),
    // filled when a derivative is first requested
    get rcond() {
      return rcond;
    },
  };
}

/** Q = [[0, Aᵀ, c], [−A, 0, b], [−cᵀ, −bᵀ, 0]] (row-major, (n + m + 1)²). */
function embedding(A: Float64Array, b: Float64Array, c: Float64Array, n: number, m: number): Float64Array {
  const N = n + m + 1;
  const Q = new Float64Array(N * N);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      Q[j * N + n + i] = A[i * n + j]!;
      Q[(n + i) * N + j] = -A[i * n + j]!;
    }
    Q[(n + i) * N + N - 1] = b[i]!;
    Q[(N - 1) * N + n + i] = -b[i]!;
  }
  for (let j = 0; j < n; j++) {
    Q[j * N + N - 1] = c[j]!;
    Q[(N - 1) * N + j] = -c[j]!;
  }
  return Q;
}

/** LU of M = [[I, Aᵀ], [−A, I]] ((n + m)², depends on A only: shared by a batch with one A). */
function factorM(A: Float64Array, n: number, m: number): LUFactorization {
  const K = n + m;
  const M = new Float64Array(K * K);
  for (let i = 0; i < K; i++) M[i * K + i] = 1;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      M[j * K + n + i] = A[i * n + j]!;
      M[(n + i) * K + j] = -A[i * n + j]!;
    }
  }
  return luFactor(M, K);
}

/** SCS-style ADMM on the homogeneous self-dual embedding (file header), with M's factor `fM`. */
function admm(
  A: Float64Array, b: Float64Array, c: Float64Array, n: number, m: number, cones: Required<ConeSpec>, tol: number, maxIter: number,
  out: ConeRunReport, fM: LUFactorization, warm: { x: Float64Array; y: Float64Array; s: Float64Array } | null,
): { x: Float64Array; y: Float64Array; s: Float64Array } {
  const N = n + m + 1;
  const K = n + m;
  // g = M⁻¹h, h = (c, b); den = 1 + hᵀg
  const hv = new Float64Array(K);
  hv.set(c, 0);
  hv.set(b, n);
  const g = luSolve(fM, hv, 1);
  let den = 1;
  for (let i = 0; i < K; i++) den += hv[i]! * g[i]!;
  /** ũ = (I + Q)⁻¹ r by the block elimination of the file header. */
  const solveIQ = (r: Float64Array): Float64Array => {
    const w = luSolve(fM, r.subarray(0, K), 1);
    let t = r[N - 1]!;
    for (let i = 0; i < K; i++) t += hv[i]! * w[i]!;
    t /= den;
    const outv = new Float64Array(N);
    for (let i = 0; i < K; i++) outv[i] = w[i]! - g[i]! * t;
    outv[N - 1] = t;
    return outv;
  };
  const u = new Float64Array(N);
  const v = new Float64Array(N);
  u[N - 1] = 1;
  v[N - 1] = 1;
  if (warm) {
    u.set(warm.x, 0);
    u.set(warm.y, n);
    v.set(warm.s, n);
    v[N - 1] = 0;
  }
  const alpha = 1.5;
  const rel = new Float64Array(N);
  const tmp = new Float64Array(m);
  const yproj = new Float64Array(m);
  let bn = 1;
  for (let i = 0; i < m; i++) bn = Math.max(bn, Math.abs(b[i]!));
  let cn = 1;
  for (let j = 0; j < n; j++) cn = Math.max(cn, Math.abs(c[j]!));
  const x = new Float64Array(n);
  const y = new Float64Array(m);
  const s = new Float64Array(m);
  for (let it = 1; it <= maxIter; it++) {
    for (let i = 0; i < N; i++) rel[i] = u[i]! + v[i]!;
    const ut = solveIQ(rel);
    for (let i = 0; i < N; i++) rel[i] = alpha * ut[i]! + (1 - alpha) * u[i]!;
    // u⁺ = Π_C(rel − v)
    for (let j = 0; j < n; j++) u[j] = rel[j]! - v[j]!;
    for (let i = 0; i < m; i++) tmp[i] = rel[n + i]! - v[n + i]!;
    projectDual(tmp, yproj, cones);
    for (let i = 0; i < m; i++) u[n + i] = yproj[i]!;
    u[N - 1] = Math.max(rel[N - 1]! - v[N - 1]!, 0);
    for (let i = 0; i < N; i++) v[i] = v[i]! - rel[i]! + u[i]!;
    if (it % 10 !== 0 && it !== maxIter) continue;
    const tau = u[N - 1]!;
    const kappa = v[N - 1]!;
    out.iterations = it;
    if (tau > 1e-12) {
      for (let j = 0; j < n; j++) x[j] = u[j]! / tau;
      for (let i = 0; i < m; i++) {
        y[i] = u[n + i]! / tau;
        s[i] = v[n + i]! / tau;
      }
      let pr = 0;
      let pobj = 0;
      let dobj = 0;
      for (let i = 0; i < m; i++) {
        let ax = 0;
        for (let j = 0; j < n; j++) ax += A[i * n + j]! * x[j]!;
        pr = Math.max(pr, Math.abs(ax + s[i]! - b[i]!));
        dobj += b[i]! * y[i]!;
      }
      let dr = 0;
      for (let j = 0; j < n; j++) {
        let aty = c[j]!;
        for (let i = 0; i < m; i++) aty += A[i * n + j]! * y[i]!;
        dr = Math.max(dr, Math.abs(aty));
        pobj += c[j]! * x[j]!;
      }
      out.primalResidual = pr / (1 + bn);
      out.dualResidual = dr / (1 + cn);
      out.gap = Math.abs(pobj + dobj) / (1 + Math.abs(pobj) + Math.abs(dobj));
      if (out.primalResidual <= tol && out.dualResidual <= tol && out.gap <= tol) {
        out.status = 'optimal';
        return { x, y, s };
      }
    }
    if (kappa > 1e3 * Math.max(tau, 1e-300) && kappa > 1e-6) {
      let by = 0;
      let cx = 0;
      for (let i = 0; i < m; i++) by += b[i]! * u[n + i]!;
      for (let j = 0; j < n; j++) cx += c[j]! * u[j]!;
      if (by < 0) {
        out.status = 'primalInfeasible';
        return { x, y, s };
      }
      if (cx < 0) {
        out.status = 'dualInfeasible';
        return { x, y, s };
      }
    }
  }
  out.status = 'maxIterations';
  return { x, y, s };
}
