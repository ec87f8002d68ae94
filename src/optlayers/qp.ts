/**
 * @file `solveQp`: a batched, differentiable convex quadratic program layer
 *
 *   z*(θ) = argmin_z ½ zᵀQz + pᵀz   subject to   Gz ≤ h,  Az = b,      θ = (Q, p, G, h, A, b),
 *
 * forward by the interior-point method of `qp_ipm.ts`, derivatives (reverse and forward mode) by
 * implicit differentiation of the KKT conditions at the solution, as ONE custom rule
 * (`bindCustom`) over the whole batch.
 *
 * Derivative. With S the active set (constraints treated as equalities), the KKT conditions
 * restricted to S, Qz + p + G_Sᵀλ_S + Aᵀν = 0, G_S z = h_S, Az = b, are smooth near the solution
 * and their Jacobian in (z, λ_S, ν) is K_S = [Q G_Sᵀ Aᵀ; G_S 0 0; A 0 0]. Hence
 *
 *   forward:  K_S [dz; dλ_S; dν] = −[dQ·z + dp + dG_Sᵀλ_S + dAᵀν;  dG_S·z − dh_S;  dA·z − db]
 *   reverse:  K_Sᵀ w = [z̄; λ̄_S; ν̄],   p̄ = −w_z,  h̄_S = w_λ,  b̄ = w_ν,
 *             Q̄ = −½(w_z zᵀ + z w_zᵀ),  Ḡ_S = −(λ_S w_zᵀ + w_λ zᵀ),  Ā = −(ν w_zᵀ + w_ν zᵀ),
 *
 * with dλ = 0, Ḡ = h̄ = 0 on the inactive constraints (Q is symmetrised: ½zᵀQz sees only
 * (Q + Qᵀ)/2). K_S is factored once per problem (`qp_kkt.ts`: Cholesky of Q — once per distinct Q —
 * and of the Schur complement [G_S; A]Q⁻¹[G_S; A]ᵀ when Q ≻ 0, else LU of K_S) — by the forward's polish
 * step (which solves the same system for the exact solution), else on the first derivative request —
 * and reused by every later JVP/VJP of the same solve.
 *
 * Kinks. A constraint with s_i = Gz − h = 0 AND λ_i = 0 (degenerate: numerically, min(s_i, λ_i) >
 * 1e-3·max(s_i, λ_i)) is a kink of the solution map: treating the degenerate set D as active gives
 * the Jacobian J_act (of the piece where those constraints bind), treating it as inactive gives
 * J_free. The derivative returned is
 *
 *   J = (1 − t)·J_act + t·J_free,     t = selectDerivative(policy, 0, 1, problem index),
 *
 * an element of the conservative Jacobian: `minNorm` (default) and `left` give J_act (the smaller
 * one: with more constraints binding z moves less; the same choice as relu, the projection onto
 * z ≥ 0, at 0), `right` gives J_free, `{kind:'fixed',t}` the blend, `random` a per-problem t.
 * Degenerate constraints are reported through `trackKinks` (primitive name `solveQp`).
 *
 * Shared parameters. A parameter without the leading batch axis is shared by every problem; its
 * gradient is the SUM over the batch (the chain rule for a shared input; cvxpylayers sums, qpth
 * averages).
 *
 * Refusals. A non-optimal forward status (infeasible, unbounded, iteration cap) is a
 * `ConvergenceError` under `onFailure` (`'throw'` by default); a singular K_S (dependent active
 * constraints — LICQ fails — or Q singular on their null space) is an `InvertibilityError` under
 * the same policy; under `'warn'`/`'return'` that problem's derivative is zero and listed in
 * `result.derivative.singular`.
 */
import { ConvergenceError, InvalidArgumentError, InvertibilityError, ShapeError, assertFinite } from '../core/errors.js';
import { ConcreteTensor, concreteData, formatShape, type Tensor } from '../core/tensor.js';
import { checkOptions, checkCount, checkPositive } from '../core/options.js';
import { failurePolicy, handleFailure, type FailurePolicy } from '../core/failure.js';
import { isTrackingKinks, policyFor, reportKinks, selectDerivative, describePolicy, type KinkPolicy, type ResolvedKinkPolicy } from '../autodiff/kinks.js';
import { bindCustom, type CustomRule } from '../autodiff/trace.js';
import { asTensor, type TensorLike } from '../ops/convert.js';
import { choleskyOfQ, factorKkt, SCHUR_MAX_N, type QpKktFactor, type WoodburyRows } from './qp_kkt.js';
import { qpIpm, QpWorkspace, type QpData, type QpRunReport, type QpStatus } from './qp_ipm.js';
import { qpAdmm, sparsePolishSolve, ADMM_DEFAULTS, symmetricPart, toCsr, type QpSparseInputs } from './qp_admm.js';
import { CsrMatrix } from '../linalg/sparse/csr.js';
import { CscMatrix } from '../linalg/sparse/csc.js';

export type { QpStatus } from './qp_ipm.js';
export type { QpAdmmReport } from './qp_admm.js';

/** The data of `solveQp`: each tensor either shared (`[n, n]`, `[n]`, …) or batched (`[B, n, n]`, `[B, n]`, …). */
export interface QpProblem {
  /** Quadratic term, `[n, n]` or `[B, n, n]`, symmetric positive semidefinite (zero for an LP); a `CsrMatrix` / `CscMatrix` with `solver: 'admm'` (shared, not differentiated). */
  Q: TensorLike | CsrMatrix | CscMatrix;
  /** Linear term, `[n]` or `[B, n]`. */
  p: TensorLike;
  /** Inequality matrix, `[m, n]` or `[B, m, n]` (with `h`); sparse as `Q`. */
  G?: TensorLike | CsrMatrix | CscMatrix;
  /** Inequality right-hand side, `[m]` or `[B, m]`. */
  h?: TensorLike;
  /** Equality matrix, `[e, n]` or `[B, e, n]` (with `b`); sparse as `Q`. */
  A?: TensorLike | CsrMatrix | CscMatrix;
  /** Equality right-hand side, `[e]` or `[B, e]`. */
  b?: TensorLike;
}

/** A previous solution to start from (`solveQp`'s result works as is). */
export interface QpWarmStart {
  z: Tensor;
  lambda?: Tensor;
  nu?: Tensor;
}

/** Options of `solveQp`. */
export interface QpOptions {
  /** Relative KKT residual at which a problem is solved (default 1e-10). */
  tol?: number;
  /** Interior-point iteration cap (default 50). */
  maxIter?: number;
  /** Relative tolerance of the infeasibility certificates (default 1e-8). */
  infTol?: number;
  /** Start from a previous solution (shapes of this call's z, λ, ν). */
  warmStart?: QpWarmStart;
  /** Non-optimal problems and singular KKT systems: `'throw'` (default), `'warn'`, `'return'`. */
  onFailure?: FailurePolicy;
  /** Kink selection at degenerate constraints (default: the scope's policy, `minNorm`). */
  kink?: KinkPolicy;
  /**
   * Refine each solution by one solve of the KKT system on its identified active set, kept when
   * feasible with nonnegative multipliers (default true): exact solutions at degenerate points,
   * where interior-point iterates are only √μ-accurate.
   */
  polish?: boolean;
  /**
   * `'ipm'` (default): the interior point of qp_ipm.ts. `'admm'`: OSQP's ADMM (qp_admm.ts), for
   * large sparse problems; accepts `CsrMatrix`/`CscMatrix` Q, G, A; defaults tol 1e-6 (its
   * ε_abs = ε_rel), maxIter 4000, infTol 1e-5. Both are polished and differentiated the same way.
   */
  solver?: 'ipm' | 'admm';
  /** ADMM parameters: `rho` (0.1), `sigma` (1e-6), `alpha` (1.6), `scaling` (Ruiz passes, 10), `adaptiveRho` (true). */
  admm?: { rho?: number; sigma?: number; alpha?: number; scaling?: number; adaptiveRho?: boolean };
}

/** What the derivative rules did (filled when a derivative is first requested). */
export interface QpDerivativeReport {
  /** Indices of the problems whose restricted KKT matrix was singular (derivative zero). */
  singular: number[];
  /** Reciprocal condition estimates of K_S per problem (NaN until factored). */
  rcond: number[];
  /** The kink policy in force at the solve, e.g. `'minNorm'`. */
  kinkSelection: string;
}

/** The result of `solveQp`. Shapes: `[B, ·]` when some input is batched, else unbatched. */
export interface QpSolution {
  /** Primal solution, `[n]` or `[B, n]`: differentiable in every input. */
  z: Tensor;
  /** Inequality multipliers, `[m]` / `[B, m]` (differentiable when m > 0). */
  lambda: Tensor;
  /** Equality multipliers, `[e]` / `[B, e]` (differentiable when e > 0). */
  nu: Tensor;
  /** Slacks h − Gz at the solution (not differentiated). */
  s: Tensor;
  /** Worst status over the batch (`'optimal'` when every problem is). */
  status: QpStatus;
  /** Status of each problem. */
  statuses: QpStatus[];
  /** Per problem: iterations and final relative residuals. */
  problems: QpRunReport[];
  /** Per problem: number of active constraints and of degenerate (kink) constraints. */
  active: number[];
  degenerate: number[];
  /** What the derivative rules did. */
  derivative: QpDerivativeReport;
}

const OPTION_KEYS = ['tol', 'maxIter', 'infTol', 'warmStart', 'onFailure', 'kink', 'polish', 'solver', 'admm'] as const;
const ADMM_KEYS = ['rho', 'sigma', 'alpha', 'scaling', 'adaptiveRho'] as const;
type AdmmParams = { rho: number; sigma: number; alpha: number; scaling: number; adaptiveRho: boolean };
const NAMES = ['Q', 'p', 'G', 'h', 'A', 'b'] as const;
type Name = (typeof NAMES)[number];
const WHERE = 'solveQp()';

/** Parsed problem dimensions and which inputs are batched. */
interface Layout {
  B: number;
  batched: boolean;
  n: number;
  m: number;
  e: number;
  /** Present inputs in rule order, with their names and batch flags. */
  names: Name[];
  isBatched: boolean[];
}

function baseShape(name: Name, n: number, m: number, e: number): number[] {
  switch (name) {
    case 'Q':
      return [n, n];
    case 'p':
      return [n];
    case 'G':
      return [m, n];
    case 'h':
      return [m];
    case 'A':
      return [e, n];
    case 'b':
      return [e];
  }
}

function parseLayout(ts: Partial<Record<Name, Tensor>>): Layout {
  const p = ts.p!;
  if (p.ndim !== 1 && p.ndim !== 2) throw new ShapeError(`${WHERE}: p must have shape [n] or [B, n], got ${formatShape(p.shape)}`);
  const n = p.shape[p.ndim - 1]!;
  if (n === 0) throw new ShapeError(`${WHERE}: p has no variables (shape ${formatShape(p.shape)})`);
  if ((ts.G === undefined) !== (ts.h === undefined)) throw new InvalidArgumentError(`${WHERE}: G and h must be given together (got ${ts.G ? 'G without h' : 'h without G'})`);
  if ((ts.A === undefined) !== (ts.b === undefined)) throw new InvalidArgumentError(`${WHERE}: A and b must be given together (got ${ts.A ? 'A without b' : 'b without A'})`);
  const m = ts.h ? ts.h.shape[ts.h.ndim - 1] ?? 0 : 0;
  const e = ts.b ? ts.b.shape[ts.b.ndim - 1] ?? 0 : 0;
  let B = -1;
  const names: Name[] = [];
  const isBatched: boolean[] = [];
  for (const name of NAMES) {
    const t = ts[name];
    if (!t) continue;
    const base = baseShape(name, n, m, e);
    let bat: boolean;
    if (t.ndim === base.length && t.shape.every((d, i) => d === base[i])) bat = false;
    else if (t.ndim === base.length + 1 && t.shape.slice(1).every((d, i) => d === base[i])) bat = true;
    else {
      throw new ShapeError(`${WHERE}: ${name} must have shape ${formatShape(base)} or [B, ${base.join(', ')}] (n = ${n}, m = ${m}, e = ${e}), got ${formatShape(t.shape)}`);
    }
    if (bat) {
      const b = t.shape[0]!;
      if (B >= 0 && b !== B) throw new ShapeError(`${WHERE}: batched inputs disagree on the batch size: ${name} has ${b}, an earlier input has ${B}`);
      if (b === 0) throw new ShapeError(`${WHERE}: ${name} has an empty batch axis`);
      B = b;
    }
    names.push(name);
    isBatched.push(bat);
  }
  return { B: Math.max(B, 1), batched: B >= 0, n, m, e, names, isBatched };
}

/** Per-problem cached factorisation of K_S for one selection of the active set (qp_kkt.ts). */
type KktFactor = QpKktFactor;

/** One solveQp call: its solution, statuses and derivative caches. */
class QpCall {
  z!: Float64Array;
  lambda!: Float64Array;
  nu!: Float64Array;
  s!: Float64Array;
  statuses: QpStatus[] = [];
  problems: QpRunReport[] = [];
  active: number[] = [];
  degenerate: number[] = [];
  /** Per problem: the active-set flags (1 active, 2 degenerate, 0 inactive). */
  private kind!: Uint8Array;
  private factAct: (KktFactor | null)[] = [];
  private factFree: (KktFactor | null)[] = [];
  readonly derivative: QpDerivativeReport;
  readonly rule: CustomRule;
  private data: Float64Array[] = [];

  constructor(
    private readonly L: Layout,
    private readonly opts: {
      tol: number; maxIter: number; infTol: number; onFailure: FailurePolicy; warm: QpWarmStart | undefined; polish: boolean;
      solver: 'ipm' | 'admm'; admm: AdmmParams; sparse: QpSparseInputs;
    },
    private readonly policy: ResolvedKinkPolicy,
  ) {
    this.derivative = { singular: [], rcond: [], kinkSelection: describePolicy(policy) };
    this.rule = {
      name: 'solveQp',
      primal: (xs) => this.primal(xs),
      jvp: (xs, txs) => this.jvpRule(xs, txs),
      vjp: (xs, _outs, cts) => this.vjpRule(xs, cts),
    };
  }

  /** The view of input `name` for problem `k` (or an empty array when absent). */
  private view(k: number, name: Name, src: readonly Float64Array[] = this.data): Float64Array {
    const i = this.L.names.indexOf(name);
    if (i < 0) return new Float64Array(0);
    const d = src[i]!;
    if (!this.L.isBatched[i]) return d;
    const size = d.length / this.L.B;
    return d.subarray(k * size, (k + 1) * size);
  }

  /** Problem k's data (Q symmetrised once per distinct Q: a shared Q is symmetrised once for the batch). */
  private problem(k: number): QpData {
    let q = this.probs[k];
    if (!q) {
      q = this.makeProblem(k);
      this.probs[k] = q;
    }
    return q;
  }
  /** Problem k's QpData, built once per call (the views are reused by the solver, polish and derivative rules). */
  private readonly probs: QpData[] = [];

  private makeProblem(k: number): QpData {
    const { n, m, e } = this.L;
    const Qraw = this.view(k, 'Q');
    const slot = this.L.isBatched[0] ? k : 0;
    let Q = this.symQ[slot];
    if (!Q) {
      // ½zᵀQz only sees the symmetric part
      Q = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) Q[i * n + j] = 0.5 * (Qraw[i * n + j]! + Qraw[j * n + i]!);
      this.symQ[slot] = Q;
    }
    return { n, m, e, Q, p: this.view(k, 'p'), G: this.view(k, 'G'), h: this.view(k, 'h'), A: this.view(k, 'A'), b: this.view(k, 'b') };
  }
  private readonly symQ: Float64Array[] = [];

  private outputs(): Tensor[] {
    const { B, batched, n, m, e } = this.L;
    const lead = batched ? [B] : [];
    const outs: Tensor[] = [new ConcreteTensor(this.z, [...lead, n])];
    if (m > 0) outs.push(new ConcreteTensor(this.lambda, [...lead, m]));
    if (e > 0) outs.push(new ConcreteTensor(this.nu, [...lead, e]));
    return outs;
  }

  private primal(xs: readonly Tensor[]): Tensor[] {
    const { B, n, m, e } = this.L;
    this.data = xs.map((t, i) => {
      assertFinite(t.data, `${WHERE}: ${this.L.names[i]}`);
      return t.data;
    });
    this.z = new Float64Array(B * n);
    this.lambda = new Float64Array(B * m);
    this.nu = new Float64Array(B * e);
    this.s = new Float64Array(B * m);
    const warm = this.opts.warm;
    if (warm) this.loadWarm(warm);
    const w = this.opts.solver === 'ipm' ? new QpWorkspace(n, m, e) : null;
    this.kind = new Uint8Array(B * m);
    let kinkCount = 0;
    for (let k = 0; k < B; k++) {
      const it = {
        z: this.z.subarray(k * n, (k + 1) * n),
        s: this.s.subarray(k * m, (k + 1) * m),
        lambda: this.lambda.subarray(k * m, (k + 1) * m),
        nu: this.nu.subarray(k * e, (k + 1) * e),
      };
      const set = { tol: this.opts.tol, maxIter: this.opts.maxIter, infTol: this.opts.infTol, warm: warm !== undefined };
      this.factAct.push(null);
      this.factFree.push(null);
      // ADMM tries the polish step early (an exact KKT point ends its run): classify, drop stale factors, polish
      const polishCheck = this.opts.polish ? () => {
        this.classify(k, it);
        this.factAct[k] = null;
        this.factFree[k] = null;
        return this.polish(k, it);
      } : undefined;
      // the Cholesky factor of Q serves the polish step (qp_kkt.ts) and, without equalities and with
      // m ≤ n, the interior point's Woodbury solves (qp_ipm.ts): computed once for both
      if (w && ((e === 0 && m <= n) || (this.opts.polish && n <= SCHUR_MAX_N))) this.problem(k).LQ = this.cholQ(k);
      const rep = w ? qpIpm(this.problem(k), it, set, w) : qpAdmm(this.problem(k), this.opts.sparse, it, { ...set, ...this.opts.admm, polishCheck });
      this.wood = w && w.LQ ? { k, m, M: w.M, P: w.P } : null;
      this.problems.push(rep);
      this.statuses.push(rep.status);
      if (!rep.polished) {
        // a failed early attempt cached the factor of another active set
        this.factAct[k] = null;
        this.factFree[k] = null;
      }
      let [act, deg] = this.classify(k, it);
      if (rep.status === 'optimal' && this.opts.polish && !rep.polished) rep.polished = this.polish(k, it);
      // ADMM's clamped rows have s = 0 exactly, so a degenerate row (λ = 0 too) only shows after the polish
      if (!w && rep.polished) [act, deg] = this.degenerateAfterPolish(k, it);
      this.active.push(act);
      this.degenerate.push(deg);
      if (rep.status === 'optimal') kinkCount += deg;
      this.derivative.rcond.push(NaN);
      this.wood = null;
    }
    if (isTrackingKinks()) reportKinks('solveQp', kinkCount);
    const bad = this.statuses.findIndex((s) => s !== 'optimal');
    if (bad >= 0) {
      const count = this.statuses.filter((s) => s !== 'optimal').length;
      const r = this.problems[bad]!;
      const what: Record<QpStatus, string> = {
        optimal: 'optimal',
        primalInfeasible: 'primal infeasible (the constraints Gz ≤ h, Az = b have no solution: a Farkas certificate λ ≥ 0, Gᵀλ + Aᵀν = 0, hᵀλ + bᵀν < 0 was found)',
        dualInfeasible: 'dual infeasible (unbounded below: a ray d with Qd = 0, Ad = 0, Gd ≤ 0, pᵀd < 0 was found)',
        maxIterations: `not solved within maxIter = ${this.opts.maxIter} iterations`,
        numericalError: 'not solved: the KKT system could not be factored (is Q positive semidefinite, are the constraints consistent?)',
      };
      handleFailure(
        this.opts.onFailure,
        new ConvergenceError(
          `${WHERE}: problem ${bad}${B > 1 ? ` of ${B}` : ''} is ${what[r.status]} after ${r.iterations} iterations (relative residuals: primal ${r.primalResidual.toExponential(2)}, dual ${r.dualResidual.toExponential(2)}, gap ${r.gap.toExponential(2)})` +
            (count > 1 ? `; ${count} problems are not optimal` : ''),
          { iterations: r.iterations, residualNorm: Math.max(r.primalResidual, r.dualResidual, r.gap), converged: false, status: r.status, problem: bad },
        ),
      );
    }
    return this.outputs();
  }

  /** Active-set classification of problem k into `kind` (strict complementarity makes one of s_i, λ_i vanish); returns [active, degenerate] counts. */
  private classify(k: number, it: { s: Float64Array; lambda: Float64Array }): [number, number] {
    const m = this.L.m;
    let act = 0;
    let deg = 0;
    for (let i = 0; i < m; i++) {
      const si = Math.max(it.s[i]!, 0);
      const li = Math.max(it.lambda[i]!, 0);
      const lo = Math.min(si, li);
      const hi = Math.max(si, li);
      let kd = 0;
      if (hi === 0 || lo > 1e-3 * hi) kd = 2;
      else if (li > si) kd = 1;
      this.kind[k * m + i] = kd;
      if (kd === 1) act++;
      if (kd === 2) deg++;
    }
    return [act, deg];
  }

  /**
   * After an exact (polished) ADMM solution: active rows with λ_i ≤ 1e-9·(1 + ‖p‖∞) and inactive
   * rows with s_i ≤ 1e-9·(1 + ‖h‖∞) are degenerate (kind 2). The cached factors are dropped when the
   * set treated as active changes. Returns [active, degenerate] counts.
   */
  private degenerateAfterPolish(k: number, it: { s: Float64Array; lambda: Float64Array }): [number, number] {
    const { m } = this.L;
    const q = this.problem(k);
    let pS = 1;
    for (let j = 0; j < q.p.length; j++) pS = Math.max(pS, 1 + Math.abs(q.p[j]!));
    let hS = 1;
    for (let i = 0; i < m; i++) hS = Math.max(hS, 1 + Math.abs(q.h[i]!));
    let act = 0;
    let deg = 0;
    let grew = false;
    for (let i = 0; i < m; i++) {
      const kd = this.kind[k * m + i]!;
      if (kd === 1 && it.lambda[i]! <= 1e-9 * pS) this.kind[k * m + i] = 2;
      else if (kd === 0 && it.s[i]! <= 1e-9 * hS) {
        this.kind[k * m + i] = 2;
        grew = true;
      }
      if (this.kind[k * m + i] === 1) act++;
      if (this.kind[k * m + i] === 2) deg++;
    }
    if (grew) this.factAct[k] = null;
    this.factFree[k] = null;
    return [act, deg];
  }

  private loadWarm(warm: QpWarmStart): void {
    const { B, n, m, e } = this.L;
    const put = (t: Tensor | undefined, dst: Float64Array, size: number, what: string): void => {
      if (!t) return;
      const d = concreteData(t, `${WHERE} warmStart.${what}`);
      if (d.length === dst.length) dst.set(d);
      else if (d.length === size) for (let k = 0; k < B; k++) dst.set(d, k * size);
      else throw new ShapeError(`${WHERE}: warmStart.${what} has ${d.length} entries, expected ${dst.length} (shape ${formatShape(t.shape)})`);
    };
    put(warm.z, this.z, n, 'z');
    put(warm.lambda, this.lambda, m, 'lambda');
    put(warm.nu, this.nu, e, 'nu');
  }

  /**
   * The factorisation of K_S for problem k with the degenerate constraints active (`act`) or
   * free, cached (shared by the polish step and every later JVP/VJP); `solve` is null when K_S is
   * singular (reciprocal condition ≤ 1e-14).
   */
  private buildFactor(k: number, act: boolean): KktFactor {
    const cache = act ? this.factAct : this.factFree;
    const hit = cache[k];
    if (hit) return hit;
    const { n, m, e } = this.L;
    const S: number[] = [];
    for (let i = 0; i < m; i++) {
      const kd = this.kind[k * m + i]!;
      if (kd === 1 || (kd === 2 && act)) S.push(i);
    }
    const q = this.problem(k);
    const pre = this.wood && this.wood.k === k ? this.wood : undefined;
    // the Schur route from scratch only for small n (qp_kkt.ts SCHUR_MAX_N), else LU of K_S
    const LQ = pre || n <= SCHUR_MAX_N ? this.cholQ(k) : null;
    const out = factorKkt(q.Q, LQ, n, q.G, Int32Array.from(S), q.A, e, pre);
    cache[k] = out;
    return out;
  }

  /** The Cholesky factor of problem k's Q (null: not numerically positive definite), once per distinct Q. */
  private cholQ(k: number): Float64Array | null {
    const slot = this.L.isBatched[0] ? k : 0;
    let L = this.LQ[slot];
    if (L === undefined) {
      L = choleskyOfQ(this.problem(k).Q, this.L.n);
      this.LQ[slot] = L;
    }
    return L;
  }
  private readonly LQ: (Float64Array | null)[] = [];
  /** The interior point's Woodbury rows of problem `k` while its polish step runs (the workspace is reused by the next problem). */
  private wood: (WoodburyRows & { k: number }) | null = null;

  /** buildFactor plus the failure policy on a singular K_S (derivative requests only). */
  private factor(k: number, act: boolean): KktFactor {
    const F = this.buildFactor(k, act);
    const prev = this.derivative.rcond[k]!;
    this.derivative.rcond[k] = Number.isNaN(prev) ? F.rcond : Math.min(prev, F.rcond);
    if (!F.solve) {
      if (!this.derivative.singular.includes(k)) this.derivative.singular.push(k);
      handleFailure(
        this.opts.onFailure,
        new InvertibilityError(
          `${WHERE}: the KKT system of problem ${k} restricted to its ${F.S.length} active constraint(s) is singular (reciprocal condition ≈ ${F.rcond.toExponential(2)}): ` +
            `the active rows of G and A are linearly dependent (LICQ fails) or Q is singular on their null space, so the solution map has no derivative here`,
          { conditionEstimate: 1 / F.rcond, selection: describePolicy(this.policy), problem: k },
        ),
      );
    }
    return F;
  }

  /**
   * Polishing (as OSQP's): solve the equality-constrained KKT system on the identified active set
   * (degenerate constraints included) and keep the result when it is primal feasible with
   * nonnegative multipliers. An interior-point iterate is only √μ-accurate at a degenerate
   * solution (s_i and λ_i both ≈ √μ); the polished point is exact there. Returns true when kept.
   */
  private polish(k: number, it: { z: Float64Array; s: Float64Array; lambda: Float64Array; nu: Float64Array }): boolean {
    const { n, m, e } = this.L;
    const q = this.problem(k);
    // sparse inputs: sparse LDLᵀ of the regularised KKT + refinement (qp_admm.ts); the dense K_S is
    // then only built if a derivative is requested (undefined: too much fill, the dense path)
    const sp = this.opts.sparse;
    const Ssp = sp.Q || sp.G || sp.A ? Int32Array.from({ length: m }, (_, i) => i).filter((i) => this.kind[k * m + i] === 1 || this.kind[k * m + i] === 2) : null;
    const sparseSol = Ssp ? sparsePolishSolve(q, sp, Ssp) : undefined;
    if (sparseSol === null) return false;
    let F: { S: Int32Array };
    let sol: Float64Array;
    if (sparseSol) [F, sol] = [{ S: Ssp! }, sparseSol];
    else {
      const D = this.buildFactor(k, true);
      if (!D.solve) return false;
      const rhs = new Float64Array(D.N);
      for (let j = 0; j < n; j++) rhs[j] = -q.p[j]!;
      D.S.forEach((i, r) => (rhs[n + r] = q.h[i]!));
      for (let r = 0; r < e; r++) rhs[n + D.S.length + r] = q.b[r]!;
      sol = D.solve(rhs);
      // one step of iterative refinement on the Schur route (its error grows with cond(Q)·cond(S), not cond(K_S))
      if (D.method === 'schur') this.refine(q, D, rhs, sol);
      F = D;
    }
    let hScale = 1;
    for (let i = 0; i < m; i++) hScale = Math.max(hScale, Math.abs(q.h[i]!));
    let pScale = 1;
    for (let j = 0; j < n; j++) pScale = Math.max(pScale, Math.abs(q.p[j]!));
    const tolP = 1e-9 * hScale;
    const tolD = 1e-9 * pScale;
    for (let r = 0; r < F.S.length; r++) if (!(sol[n + r]! >= -tolD)) return false;
    const s = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      let gz = 0;
      for (let j = 0; j < n; j++) gz += q.G[i * n + j]! * sol[j]!;
      s[i] = q.h[i]! - gz;
      if (!(s[i]! >= -tolP)) return false;
    }
    it.z.set(sol.subarray(0, n));
    it.lambda.fill(0);
    F.S.forEach((i, r) => {
      it.lambda[i] = Math.max(sol[n + r]!, 0);
      s[i] = 0;
    });
    for (let i = 0; i < m; i++) it.s[i] = Math.max(s[i]!, 0);
    it.nu.set(sol.subarray(n + F.S.length));
    return true;
  }

  /** sol += K_S⁻¹(rhs − K_S·sol): one refinement step, K_S applied from Q, G_S, A without assembling it. */
  private refine(q: QpData, F: KktFactor, rhs: Float64Array, sol: Float64Array): void {
    const { n, e } = this.L;
    const c = F.S.length;
    const r = Float64Array.from(rhs);
    for (let i = 0; i < n; i++) {
      let a = 0;
      for (let j = 0; j < n; j++) a += q.Q[i * n + j]! * sol[j]!;
      r[i]! -= a;
    }
    const row = (src: Float64Array, off: number, at: number): void => {
      const y = sol[at]!;
      let a = 0;
      for (let j = 0; j < n; j++) {
        const g = src[off + j]!;
        a += g * sol[j]!;
        r[j]! -= g * y;
      }
      r[at]! -= a;
    };
    for (let t = 0; t < c; t++) row(q.G, F.S[t]! * n, n + t);
    for (let t = 0; t < e; t++) row(q.A, t * n, n + c + t);
    const d = F.solve!(r);
    for (let i = 0; i < F.N; i++) sol[i]! += d[i]!;
  }

  /** t of the blend (1 − t)·J_act + t·J_free for problem k (0 when no degenerate constraint). */
  private blend(k: number): number {
    if (this.degenerate[k] === 0) return 0;
    return selectDerivative(this.policy, 0, 1, k);
  }

  private checkConcrete(ts: readonly (Tensor | null)[], what: string): (Float64Array | null)[] {
    return ts.map((t, i) => (t ? concreteData(t, `${WHERE} ${what} of ${this.L.names[i]} (higher-order derivatives of solveQp are not supported)`) : null));
  }

  private jvpRule(xs: readonly Tensor[], txs: readonly (Tensor | null)[]): (Tensor | null)[] {
    this.checkConcrete(xs, 'derivative');
    const tang = this.checkConcrete(txs, 'tangent');
    const { B, n, m, e } = this.L;
    const dz = new Float64Array(B * n);
    const dl = new Float64Array(B * m);
    const dn = new Float64Array(B * e);
    const srcs = tang.map((t, i) => t ?? new Float64Array(this.data[i]!.length));
    for (let k = 0; k < B; k++) {
      if (this.statuses[k] !== 'optimal') continue;
      const t = this.blend(k);
      for (const [act, wgt] of [[true, 1 - t], [false, t]] as const) {
        if (wgt === 0) continue;
        const F = this.factor(k, act);
        if (!F.solve) continue;
        const sol = F.solve(this.tangentRhs(k, F, srcs));
        for (let j = 0; j < n; j++) dz[k * n + j] += wgt * sol[j]!;
        F.S.forEach((i, r) => (dl[k * m + i] += wgt * sol[n + r]!));
        for (let r = 0; r < e; r++) dn[k * e + r] += wgt * sol[n + F.S.length + r]!;
      }
    }
    const lead = this.L.batched ? [B] : [];
    const outs: Tensor[] = [new ConcreteTensor(dz, [...lead, n])];
    if (m > 0) outs.push(new ConcreteTensor(dl, [...lead, m]));
    if (e > 0) outs.push(new ConcreteTensor(dn, [...lead, e]));
    return outs;
  }

  /** −[dQs·z + dp + dG_Sᵀλ_S + dAᵀν; dG_S·z − dh_S; dA·z − db] for problem k. */
  private tangentRhs(k: number, F: KktFactor, srcs: readonly Float64Array[]): Float64Array {
    const { n, m, e } = this.L;
    const z = this.z.subarray(k * n, (k + 1) * n);
    const lam = this.lambda.subarray(k * m, (k + 1) * m);
    const nu = this.nu.subarray(k * e, (k + 1) * e);
    const r = new Float64Array(F.N);
    const dQ = this.view(k, 'Q', srcs);
    for (let i = 0; i < n; i++) {
      let a = 0;
      for (let j = 0; j < n; j++) a += 0.5 * (dQ[i * n + j]! + dQ[j * n + i]!) * z[j]!;
      r[i] = -a;
    }
    const dp = this.view(k, 'p', srcs);
    for (let i = 0; i < n; i++) r[i] -= dp[i]!;
    const dG = this.view(k, 'G', srcs);
    const dh = this.view(k, 'h', srcs);
    F.S.forEach((i, row) => {
      let gz = 0;
      for (let j = 0; j < n; j++) {
        r[j] -= dG[i * n + j]! * lam[i]!;
        gz += dG[i * n + j]! * z[j]!;
      }
      r[n + row] = -(gz - dh[i]!);
    });
    const dA = this.view(k, 'A', srcs);
    const db = this.view(k, 'b', srcs);
    for (let row = 0; row < e; row++) {
      let az = 0;
      for (let j = 0; j < n; j++) {
        r[j] -= dA[row * n + j]! * nu[row]!;
        az += dA[row * n + j]! * z[j]!;
      }
      r[n + F.S.length + row] = -(az - db[row]!);
    }
    return r;
  }

  private vjpRule(xs: readonly Tensor[], cts: readonly (Tensor | null)[]): (Tensor | null)[] {
    this.checkConcrete(xs, 'derivative');
    const c = this.checkConcrete(cts, 'cotangent');
    const { B, n, m, e } = this.L;
    const zbar = c[0] ?? null;
    const lbar = m > 0 ? c[1] ?? null : null;
    const nbar = e > 0 ? c[m > 0 ? 2 : 1] ?? null : null;
    const grads = this.data.map((d) => new Float64Array(d.length));
    for (let k = 0; k < B; k++) {
      if (this.statuses[k] !== 'optimal') continue;
      const t = this.blend(k);
      for (const [act, wgt] of [[true, 1 - t], [false, t]] as const) {
        if (wgt === 0) continue;
        const F = this.factor(k, act);
        if (!F.solve) continue;
        const rhs = new Float64Array(F.N);
        if (zbar) for (let j = 0; j < n; j++) rhs[j] = zbar[k * n + j]!;
        if (lbar) F.S.forEach((i, r) => (rhs[n + r] = lbar[k * m + i]!));
        if (nbar) for (let r = 0; r < e; r++) rhs[n + F.S.length + r] = nbar[k * e + r]!;
        const w = F.solve(rhs);
        this.accumulate(k, F, w, wgt, grads);
      }
    }
    return grads.map((g, i) => new ConcreteTensor(g, [...xs[i]!.shape]));
  }

  /** Adds wgt × (the cotangents of the file header) of problem k into the gradient buffers. */
  private accumulate(k: number, F: KktFactor, w: Float64Array, wgt: number, grads: Float64Array[]): void {
    const { n, m, e } = this.L;
    const z = this.z.subarray(k * n, (k + 1) * n);
    const lam = this.lambda.subarray(k * m, (k + 1) * m);
    const nu = this.nu.subarray(k * e, (k + 1) * e);
    const wz = w.subarray(0, n);
    const Qb = this.view(k, 'Q', grads);
    if (Qb.length) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) Qb[i * n + j] -= wgt * 0.5 * (wz[i]! * z[j]! + z[i]! * wz[j]!);
    const pb = this.view(k, 'p', grads);
    for (let j = 0; j < n; j++) pb[j] -= wgt * wz[j]!;
    const Gb = this.view(k, 'G', grads);
    const hb = this.view(k, 'h', grads);
    F.S.forEach((i, r) => {
      const wl = w[n + r]!;
      hb[i] += wgt * wl;
      for (let j = 0; j < n; j++) Gb[i * n + j] -= wgt * (lam[i]! * wz[j]! + wl * z[j]!);
    });
    const Ab = this.view(k, 'A', grads);
    const bb = this.view(k, 'b', grads);
    for (let r = 0; r < e; r++) {
      const wn = w[n + F.S.length + r]!;
      bb[r] += wgt * wn;
      for (let j = 0; j < n; j++) Ab[r * n + j] -= wgt * (nu[r]! * wz[j]! + wn * z[j]!);
    }
  }
}

/** The checked `admm` sub-options with their defaults. */
function admmOptions(a: QpOptions['admm']): AdmmParams {
  checkOptions(a, ADMM_KEYS, `${WHERE} admm`);
  const o = a ?? {};
  const alpha = o.alpha ?? ADMM_DEFAULTS.alpha;
  if (!(alpha > 0 && alpha < 2)) throw new InvalidArgumentError(`${WHERE}: admm.alpha must be in (0, 2), got ${alpha}`);
  if (o.adaptiveRho !== undefined && typeof o.adaptiveRho !== 'boolean') throw new InvalidArgumentError(`${WHERE}: admm.adaptiveRho must be a boolean, got ${JSON.stringify(o.adaptiveRho)}`);
  return {
    rho: o.rho === undefined ? ADMM_DEFAULTS.rho : checkPositive(o.rho, 'admm.rho', 'solveQp'),
    sigma: o.sigma === undefined ? ADMM_DEFAULTS.sigma : checkPositive(o.sigma, 'admm.sigma', 'solveQp'),
    alpha,
    scaling: o.scaling === undefined ? ADMM_DEFAULTS.scaling : checkCount(o.scaling, WHERE, 'admm.scaling', 0),
    adaptiveRho: o.adaptiveRho ?? ADMM_DEFAULTS.adaptiveRho,
  };
}

/**
 * Solves a batch of convex quadratic programs min ½zᵀQz + pᵀz s.t. Gz ≤ h, Az = b by a
 * primal–dual interior-point method (Mehrotra predictor–corrector, relative KKT residual 1e-10),
 * differentiable in every input under `grad`, `vjp` and `jvp` (implicit differentiation of the KKT
 * conditions; see the file header for the kink selection at degenerate constraints). Inputs with a
 * leading batch axis are per-problem, the others shared (their gradients are summed over the batch).
 *
 * @example
 * // projection of (2, 0.5) onto the box 0 ≤ z ≤ 1
 * const { z, status } = solveQp({ Q: eye(2), p: tensor([-2, -0.5]), G: tensor([[1, 0], [0, 1], [-1, 0], [0, -1]]), h: tensor([1, 1, 0, 0]) });
 * // z ≈ [1, 0.5], status 'optimal'
 */
export function solveQp(problem: QpProblem, options?: QpOptions): QpSolution {
  checkOptions(options, OPTION_KEYS, WHERE);
  if (problem === null || typeof problem !== 'object') throw new InvalidArgumentError(`${WHERE}: the problem must be an object { Q, p, G?, h?, A?, b? }, got ${String(problem)}`);
  checkOptions(problem, NAMES, `${WHERE} problem`);
  if (problem.Q === undefined || problem.p === undefined) throw new InvalidArgumentError(`${WHERE}: Q and p are required (use a zero Q for a linear program)`);
  const o = options ?? {};
  const solver = o.solver ?? 'ipm';
  if (solver !== 'ipm' && solver !== 'admm') throw new InvalidArgumentError(`${WHERE}: solver must be 'ipm' or 'admm', got ${JSON.stringify(o.solver)}`);
  const admm = solver === 'admm';
  const tol = o.tol === undefined ? (admm ? 1e-6 : 1e-10) : checkPositive(o.tol, 'tol', 'solveQp');
  const infTol = o.infTol === undefined ? (admm ? 1e-5 : 1e-8) : checkPositive(o.infTol, 'infTol', 'solveQp');
  const maxIter = o.maxIter === undefined ? (admm ? 4000 : 50) : checkCount(o.maxIter, WHERE, 'maxIter', 1);
  const admmParams = admmOptions(o.admm);
  const onFailure = failurePolicy(o.onFailure, WHERE);
  const policy = policyFor(o.kink);
  const ts: Partial<Record<Name, Tensor>> = {};
  const sparse: QpSparseInputs = {};
  for (const name of NAMES) {
    const v = problem[name];
    if (v === undefined) continue;
    if (v instanceof CsrMatrix || v instanceof CscMatrix) {
      if (name !== 'Q' && name !== 'G' && name !== 'A') throw new InvalidArgumentError(`${WHERE}: ${name} must be dense (only Q, G, A may be sparse), got a ${v.constructor.name}`);
      if (!admm) throw new InvalidArgumentError(`${WHERE}: ${name} is a ${v.constructor.name}: sparse inputs need { solver: 'admm' } (the interior point is dense)`);
      const csr = toCsr(v);
      assertFinite(csr.values, `${WHERE}: ${name}`);
      sparse[name] = name === 'Q' ? symmetricPart(csr) : csr;
      // the dense copy serves the polish step and the derivative rules (a sparse input is a constant)
      ts[name] = new ConcreteTensor(csr.toDense(), [csr.rows, csr.cols]);
    } else ts[name] = asTensor(v as TensorLike, WHERE, name);
  }
  const L = parseLayout(ts);
  if (o.polish !== undefined && typeof o.polish !== 'boolean') throw new InvalidArgumentError(`${WHERE}: polish must be a boolean, got ${JSON.stringify(o.polish)}`);
  const call = new QpCall(L, { tol, maxIter, infTol, onFailure, warm: o.warmStart, polish: o.polish ?? true, solver, admm: admmParams, sparse }, policy);
  const outs = bindCustom(call.rule, L.names.map((nm) => ts[nm]!));
  const { B, batched, m, e } = L;
  const lead = batched ? [B] : [];
  const z = outs[0]!;
  const lambda = m > 0 ? outs[1]! : new ConcreteTensor(new Float64Array(0), [...lead, 0]);
  const nu = e > 0 ? outs[m > 0 ? 2 : 1]! : new ConcreteTensor(new Float64Array(0), [...lead, 0]);
  const worst = call.statuses.find((s) => s !== 'optimal') ?? 'optimal';
  return {
    z,
    lambda,
    nu,
    s: new ConcreteTensor(call.s, [...lead, m]),
    status: worst,
    statuses: call.statuses,
    problems: call.problems,
    active: call.active,
    degenerate: call.degenerate,
    derivative: call.derivative,
  };
}
