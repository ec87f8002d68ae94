/**
 * @file Differentiable solution maps: `customRoot` (y(x) with F(x, y(x)) = 0) and
 * `customFixedPoint` (y(x) = T(x, y(x))), by the (nonsmooth) implicit function theorem.
 *
 * With [A B] the conservative Jacobian of F at (x, y) computed by autodiff (A = ∂ₓF, B = ∂ᵧF):
 *
 *   forward mode:  B·t_y = −A·t_x                       (A·t_x = one JVP of F in x)
 *   reverse mode:  Bᵀ·u = −ȳ,   x̄ = Aᵀ·u                 (Aᵀ·u  = one VJP of F in x)
 *
 * so t_y = −B⁻¹A·t_x and x̄ = (−B⁻¹A)ᵀ·ȳ. The solve runs once, on concrete values; the rules only
 * need products with B (JVPs of F in y) and Bᵀ (pullbacks of a VJP of F in y).
 *
 * Higher order. The rules are written with differentiable operations, and the linear solve
 * u = M(p)⁻¹·r, M(p) = B(x, y) (p = (x, y)), is itself a custom rule — u is the implicit function
 * of G(p, r, u) = M(p)·u − r = 0 — with
 *
 *   JVP:  du = M⁻¹·(dr − dM·u)            (dM·u = JVP in p of p ↦ M(p)·u)
 *   VJP:  w = M⁻ᵀ·ū,  r̄ = w,  p̄ = −∇ₚ⟨w, M(p)·u⟩
 *
 * and for the transposed solve Mᵀu = r: du = M⁻ᵀ(dr − dMᵀ·u), w = M⁻¹ū, p̄ = −∇ₚ⟨M(p)·w, u⟩.
 * Hence Hessians through a solver, jvp∘grad, grad∘grad... all work, each level reusing the LU
 * factorisation (or warm-started Krylov solve) of the same B.
 *
 * Kink selections: the policy in force when the implicit function is called is re-applied to every
 * later evaluation of F (forward check, products with A and B), so the derivative rules use one
 * element of the conservative Jacobian consistently.
 */
import { ConvergenceError, InvalidArgumentError, InvertibilityError, NonFiniteError, ShapeError } from '../core/errors.js';
import { ConcreteTensor, formatShape, shapesEqual, type Tensor } from '../core/tensor.js';
import { currentKinkPolicy, describePolicy, trackKinks, withKinkPolicy, type KinkPolicy, type ResolvedKinkPolicy } from '../autodiff/kinks.js';
import { bindCustom, type CustomRule } from '../autodiff/trace.js';
import { isRepeatedEvaluation, jvp, vjp } from '../autodiff/transforms.js';
import { flatten, treeMap, type Flat, type Tree } from '../autodiff/tree.js';
import { neg, sub } from '../ops/arithmetic.js';
import { zerosLike } from '../ops/shape.js';
import { resolveOptions, type Resolved } from './options.js';
import { asymmetry, denseConditioning, emptyDiagnostics, extremeSingularValues, kinkAlternatives, materialiseFull, verifyActiveSet } from './diagnostics.js';
import { norm2, PointSolver, type ConcreteOperator, type SolverSettings } from './linear.js';
import { emitWarning, handleFailure } from '../core/failure.js';
import type { CustomLinearSolver, ImplicitFunction, ImplicitOptions, ImplicitReport, LinearSolveReport, LinearSolverName } from './types.js';

const MAX_KEPT_SOLVES = 64;

/** Per-instance state: last report, warm-start vectors. */
interface Instance {
  lastReport: ImplicitReport | null;
  warm: Map<string, Float64Array>;
}

/** A concrete point (x, y) with its solver. */
interface Point {
  xs: readonly Tensor[];
  ys: readonly Tensor[];
  ps: PointSolver;
}

function concretize(t: Tensor): Tensor {
  return t.level === 0 ? t : new ConcreteTensor(t.data, [...t.shape]);
}

function sameBuffers(a: readonly Tensor[], b: readonly Tensor[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.data !== b[i]!.data) return false;
  return true;
}

/** The shapes of a list of leaves, e.g. `[2]` or `([2], [3, 3])`. */
function describeShapes(ts: readonly Tensor[]): string {
  const list = ts.map((t) => formatShape(t.shape));
  return list.length === 1 ? list[0]! : `(${list.join(', ')})`;
}

function fill(ts: readonly (Tensor | null)[], like: readonly Tensor[]): Tensor[] {
  return ts.map((t, i) => t ?? zerosLike(like[i]!));
}

/** One call of an implicit function: its custom rules, report and cached point. */
class Call<X, Y> {
  readonly report: ImplicitReport;
  readonly rule: CustomRule;
  private readonly linRules: [CustomRule, CustomRule];
  private yRebuildFn: ((ls: readonly Tensor[]) => Tree) | null = null;
  private yShapes: number[][] = [];
  private n = 0;
  private readonly nx: number;
  private mainPoint: Point | null = null;
  private mainXs: readonly Tensor[] | null = null;
  private mainYs: readonly Tensor[] | null = null;
  private otherPoint: Point | null = null;

  constructor(
    private readonly F: (x: X, y: Y) => Y,
    private readonly solveFn: (x: X, init: Y | undefined) => Y,
    private readonly opts: Resolved<X, Y>,
    private readonly inst: Instance,
    private readonly policy: ResolvedKinkPolicy,
    readonly flatX: Flat,
    private readonly init: Y | undefined,
  ) {
    this.nx = flatX.leaves.length;
    this.report = {
      name: opts.name,
      kinks: { total: 0, byPrimitive: {} },
      linearSolves: [],
      linearSolveCount: 0,
      diagnostics: emptyDiagnostics(opts.diagnostics),
      warnings: [],
    };
    this.rule = {
      name: opts.name,
      primal: (xs) => this.primal(xs),
      // B·t_y = −A·t_x
      jvp: (xs, txs, ys) => {
        if (txs.every((t) => !t)) return ys.map(() => null);
        const Atx = this.withPolicy(() => jvp((...xx: Tensor[]) => this.resid(xx, ys), [...xs], fill(txs, xs))[1]);
        return this.linSolve(xs, ys, Atx.map((t) => neg(t)), false);
      },
      // Bᵀ·u = −ȳ,  x̄ = Aᵀ·u
      vjp: (xs, ys, cts) => {
        if (cts.every((c) => !c)) return xs.map(() => null);
        const u = this.linSolve(xs, ys, fill(cts, ys).map((t) => neg(t)), true);
        return this.withPolicy(() => vjp((...xx: Tensor[]) => this.resid(xx, ys), ...xs)[1](u));
      },
    };
    this.linRules = [this.makeLinRule(false), this.makeLinRule(true)];
  }

  yRebuild(ls: readonly Tensor[]): Y {
    return this.yRebuildFn!(ls) as Y;
  }

  private withPolicy<T>(fn: () => T): T {
    // Re-resolving restarts a random policy's stream from its seed, so every evaluation of F at
    // this call selects the same Clarke elements (one consistent B for the linear solver).
    return withKinkPolicy(this.policy as KinkPolicy, fn);
  }

  private warn(message: string, emit: boolean): void {
    this.report.warnings.push(message);
    if (emit) emitWarning(message, 'ImplicitWarning');
  }

  /** F(x, y) as a list of leaves with y's shapes (works on tracers of any level). */
  private resid(xs: readonly Tensor[], ys: readonly Tensor[]): Tensor[] {
    let out: Y;
    try {
      out = this.F(this.flatX.rebuild(xs) as X, this.yRebuild(ys));
    } catch (e) {
      // a shape error inside F (e.g. a broadcast in `sub`) usually means solve returned a y of the
      // wrong shape: say so, with both shapes, instead of naming only the op that failed
      if (e instanceof ShapeError) {
        throw new ShapeError(
          `${this.opts.name}: F(x, y) failed on the y returned by solve(x, init) (y: ${describeShapes(ys)}; x: ${describeShapes(xs)}): ${e.message}`,
        );
      }
      throw e;
    }
    const leaves = flatten(out).leaves;
    if (leaves.length !== this.yShapes.length) {
      throw new ShapeError(`${this.opts.name}: F(x, y) must return a residual with y's structure: got ${leaves.length} tensor(s), y has ${this.yShapes.length}`);
    }
    for (let i = 0; i < leaves.length; i++) {
      if (!shapesEqual(leaves[i]!.shape, this.yShapes[i]!)) {
        throw new ShapeError(`${this.opts.name}: F(x, y) leaf ${i} has shape ${formatShape(leaves[i]!.shape)}, but y's leaf ${i} has shape ${formatShape(this.yShapes[i]!)}`);
      }
    }
    return leaves;
  }

  private pack(ts: readonly Tensor[]): Float64Array {
    const out = new Float64Array(this.n);
    let o = 0;
    for (const t of ts) {
      out.set(t.data, o);
      o += t.size;
    }
    return out;
  }

  private unpack(v: Float64Array): Tensor[] {
    const out: Tensor[] = [];
    let o = 0;
    for (const s of this.yShapes) {
      let size = 1;
      for (const d of s) size *= d;
      out.push(new ConcreteTensor(v.slice(o, o + size), [...s]));
      o += size;
    }
    return out;
  }

  // -------------------------------------------------------------------------------------------
  // primal: the user's solver on concrete values, plus the forward check

  private primal(xs: readonly Tensor[]): Tensor[] {
    const name = this.opts.name;
    const xTree = this.flatX.rebuild(xs) as X;
    const initC = this.init === undefined ? undefined : (treeMap(this.init, concretize) as Y);
    const yTree = this.solveFn(xTree, initC);
    const flatY = flatten(yTree);
    this.checkSolverOutput(flatY.leaves, initC, xs.reduce((m, t) => Math.max(m, t.level), 0));
    const ys = flatY.leaves.map(concretize);
    this.yRebuildFn = flatY.rebuild;
    this.yShapes = ys.map((t) => [...t.shape]);
    this.n = ys.reduce((a, t) => a + t.size, 0);
    this.mainXs = xs;
    this.mainYs = ys;
    const yv = this.pack(ys);
    for (let i = 0; i < yv.length; i++) {
      if (!Number.isFinite(yv[i]!)) throw new NonFiniteError(`${name}: solve(x, init) returned a non-finite value (${yv[i]}) at flat index ${i} of y`);
    }
    if (this.opts.diagnostics !== 'off') {
      const { value: res, kinks } = trackKinks(() => this.withPolicy(() => this.resid(xs, ys)));
      if (res.some((t) => t.level > 0)) {
        throw new InvalidArgumentError(
          `${name}: F depends on a value that is being differentiated but is not passed through x (F closes over a traced tensor). ` +
            `Pass every differentiable input of F as part of x, otherwise its derivative would be silently dropped`,
        );
      }
      const rv = this.pack(res);
      for (let i = 0; i < rv.length; i++) {
        if (!Number.isFinite(rv[i]!)) throw new NonFiniteError(`${name}: F(x, y) is not finite at the solution returned by solve (index ${i}: ${rv[i]})`);
      }
      const rn = norm2(rv);
      const rel = rn / Math.max(1, norm2(yv));
      this.report.forward = { n: this.n, residualNorm: rn, relativeResidual: rel, ok: rel <= this.opts.forwardTol };
      this.report.kinks = kinks;
    }
    this.opts.onReport?.(this.report, 'forward');
    return ys;
  }

  /**
   * The solver's output, checked right after the call: at least one tensor, every leaf traced at
   * no higher level than x (a higher level means solve closed over a value being differentiated
   * that is not passed through x: its derivative would be dropped), and y's structure and shapes
   * equal to `init`'s when an init was passed.
   */
  private checkSolverOutput(leaves: readonly Tensor[], init: Y | undefined, xLevel: number): void {
    const name = this.opts.name;
    if (leaves.length === 0) throw new InvalidArgumentError(`${name}: solve(x, init) returned no tensor (y must be a tensor or a tree of tensors)`);
    for (let i = 0; i < leaves.length; i++) {
      if (leaves[i]!.level > xLevel) {
        throw new InvalidArgumentError(
          `${name}: solve(x, init) returned a traced tensor (leaf ${i} of y): the solver closes over a value that is being differentiated. ` +
            `solve runs on concrete values and is not differentiated; pass every differentiable input through x`,
        );
      }
    }
    if (init === undefined) return;
    const want = flatten(init).leaves;
    const got = leaves;
    if (want.length !== got.length) {
      throw new ShapeError(`${name}: solve(x, init) returned ${got.length} tensor(s), but init (y's structure) has ${want.length}`);
    }
    for (let i = 0; i < got.length; i++) {
      if (!shapesEqual(got[i]!.shape, want[i]!.shape)) {
        const which = got.length === 1 ? 'y' : `leaf ${i} of y`;
        throw new ShapeError(`${name}: solve(x, init) returned ${which} of shape ${formatShape(got[i]!.shape)}, but init has shape ${formatShape(want[i]!.shape)}`);
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // the linear solve as a differentiable custom rule

  linSolve(xs: readonly Tensor[], ys: readonly Tensor[], rhs: readonly Tensor[], transpose: boolean): Tensor[] {
    return bindCustom(this.linRules[transpose ? 1 : 0], [...xs, ...ys, ...rhs]);
  }

  /** B(x, y)·v (one JVP of F in y). */
  private Bv(xs: readonly Tensor[], ys: readonly Tensor[], vs: readonly Tensor[]): Tensor[] {
    return this.withPolicy(() => jvp((...yy: Tensor[]) => this.resid(xs, yy), [...ys], [...vs])[1]);
  }

  /** B(x, y)ᵀ·w (one VJP of F in y). */
  private BTw(xs: readonly Tensor[], ys: readonly Tensor[], ws: readonly Tensor[]): Tensor[] {
    return this.withPolicy(() => vjp((...yy: Tensor[]) => this.resid(xs, yy), ...ys)[1]([...ws]));
  }

  private makeLinRule(transpose: boolean): CustomRule {
    const nx = this.nx;
    const split = <T>(a: readonly T[]): [T[], T[], T[]] => {
      const ny = (a.length - nx) / 2;
      return [a.slice(0, nx), a.slice(nx, nx + ny), a.slice(nx + ny)];
    };
    // M(p)·v with p = (x, y): B·v, or Bᵀ·v for the transposed system
    const Mv = (p: readonly Tensor[], v: readonly Tensor[], t: boolean): Tensor[] => {
      const ny = p.length - nx;
      const xs = p.slice(0, nx), ys = p.slice(nx, nx + ny);
      return t ? this.BTw(xs, ys, v) : this.Bv(xs, ys, v);
    };
    return {
      name: `${this.opts.name}:linearSolve${transpose ? 'Transposed' : ''}`,
      primal: (inputs) => {
        const [xs, ys, r] = split(inputs);
        return this.unpack(this.solveConcrete(xs, ys, this.pack(r), transpose));
      },
      // du = M⁻¹·(dr − dM·u)
      jvp: (primals, tangents, outs) => {
        const [xs, ys, r] = split(primals);
        const [dxs, dys, dr] = split(tangents);
        const anyP = dxs.some((t) => t) || dys.some((t) => t);
        const anyR = dr.some((t) => t);
        if (!anyP && !anyR) return outs.map(() => null);
        let rhs = fill(dr, r);
        if (anyP) {
          const p = [...xs, ...ys];
          const dM_u = jvp((...pp: Tensor[]) => Mv(pp, outs, transpose), p, [...fill(dxs, xs), ...fill(dys, ys)])[1];
          rhs = rhs.map((t, i) => sub(t, dM_u[i]!));
        }
        return this.linSolve(xs, ys, rhs, transpose);
      },
      // w = M⁻ᵀ·ū, r̄ = w, p̄ = −∇ₚ⟨w, M(p)·u⟩  (= −∇ₚ⟨u, B(p)·w⟩ when M = Bᵀ)
      vjp: (primals, outs, cts) => {
        if (cts.every((c) => !c)) return primals.map(() => null);
        const [xs, ys] = split(primals);
        const ubar = fill(cts, outs);
        const w = this.linSolve(xs, ys, ubar, !transpose);
        const [vec, ct] = transpose ? [w, outs] : [outs, w];
        const [, pullback] = vjp((...pp: Tensor[]) => Mv(pp, vec, false), ...xs, ...ys);
        const pbar = pullback([...ct]).map((t) => neg(t));
        return [...pbar, ...w];
      },
    };
  }

  // -------------------------------------------------------------------------------------------
  // concrete solves

  private operator(xs: readonly Tensor[], ys: readonly Tensor[], policy: KinkPolicy): ConcreteOperator {
    let pullback: ((w: Tensor[]) => Tensor[]) | null = null;
    return {
      n: this.n,
      matvec: (v) => this.pack(withKinkPolicy(policy, () => jvp((...yy: Tensor[]) => this.resid(xs, yy), [...ys], this.unpack(v))[1])),
      rmatvec: (w) => {
        if (!pullback) pullback = withKinkPolicy(policy, () => vjp((...yy: Tensor[]) => this.resid(xs, yy), ...ys)[1]);
        return this.pack(pullback(this.unpack(w)));
      },
    };
  }

  private point(xs: readonly Tensor[], ys: readonly Tensor[]): Point {
    if (this.mainPoint && sameBuffers(xs, this.mainPoint.xs) && sameBuffers(ys, this.mainPoint.ys)) return this.mainPoint;
    if (this.otherPoint && sameBuffers(xs, this.otherPoint.xs) && sameBuffers(ys, this.otherPoint.ys)) return this.otherPoint;
    const isMain = !!this.mainXs && sameBuffers(xs, this.mainXs) && sameBuffers(ys, this.mainYs!);
    const pt = this.preparePoint(xs, ys, isMain);
    if (isMain) this.mainPoint = pt;
    else this.otherPoint = pt;
    return pt;
  }

  private settings(method: LinearSolverName): SolverSettings {
    const o = this.opts;
    return {
      name: o.name,
      requested: o.customSolver ? o.customSolver.name : (o.linearSolver ?? method),
      method,
      ridge: o.ridge,
      tol: o.tol,
      atol: o.atol,
      maxIter: o.maxIter,
      restart: o.restart,
      onFailure: o.onFailure,
      fallback: o.fallback,
      diagnostics: o.diagnostics,
      condThreshold: o.condThreshold,
      denseLimit: o.denseLimit,
      selection: describePolicy(this.policy),
      kinkCount: this.report.kinks.total,
      warn: (m, emit) => this.warn(m, emit),
    };
  }

  private activeSet(xs: readonly Tensor[], ys: readonly Tensor[]): Int32Array | null {
    const decl = this.opts.activeSet;
    if (!decl) return null;
    const name = this.opts.name;
    const raw = decl(this.flatX.rebuild(xs) as X, this.yRebuild(ys));
    if (!(raw instanceof Int32Array) && !Array.isArray(raw)) throw new InvalidArgumentError(`${name}: options.activeSet must return an Int32Array or an array of integers`);
    const seen = new Uint8Array(this.n);
    const list: number[] = [];
    for (let j = 0; j < raw.length; j++) {
      const i = raw[j]!;
      if (!Number.isInteger(i) || i < 0 || i >= this.n) {
        throw new InvalidArgumentError(`${name}: options.activeSet returned ${String(i)} at position ${j}, not an index of the flattened y (0 ≤ i < ${this.n})`);
      }
      if (!seen[i]) {
        seen[i] = 1;
        list.push(i);
      }
    }
    list.sort((a, b) => a - b);
    return Int32Array.from(list);
  }

  /** A caller-supplied linear solver bound to the point (x, y): the point, B's products, the kink selection. */
  private bindCustomSolver(custom: CustomLinearSolver<X, Y>, xs: readonly Tensor[], ys: readonly Tensor[], op: ConcreteOperator): NonNullable<SolverSettings['custom']> {
    const o = this.opts;
    const policy = this.policy as KinkPolicy;
    const x = this.flatX.rebuild(xs) as X;
    const y = this.yRebuild(ys);
    return {
      name: custom.name,
      solve: (rhs, transpose, x0) =>
        custom.solve({
          x, y, rhs, transpose, x0, tol: o.tol, atol: o.atol, maxIter: o.maxIter,
          apply: (v, opts) => (opts?.transpose ? op.rmatvec(v) : op.matvec(v)),
          withSelection: (fn) => withKinkPolicy(policy, fn),
        }),
    };
  }

  private preparePoint(xs: readonly Tensor[], ys: readonly Tensor[], isMain: boolean): Point {
    const o = this.opts;
    const name = o.name;
    const diag = this.report.diagnostics;
    // the theorem is about a solution: enforce the forward check before any derivative
    const fwd = this.report.forward;
    if (isMain && fwd && !fwd.ok) {
      const msg =
        `${name}: the forward solve returned a y with ‖F(x, y)‖ = ${fwd.residualNorm.toExponential(3)} ` +
        `(relative ${fwd.relativeResidual.toExponential(3)} > forwardTol ${o.forwardTol}); the implicit derivative −B⁻¹A is only valid at a ` +
        `solution of F(x, y) = 0: solve more accurately or raise options.forwardTol`;
      handleFailure(o.onFailure, new ConvergenceError(msg, { iterations: 0, residualNorm: fwd.residualNorm, converged: false }));
      this.warn(msg, false);
    }
    const S = this.activeSet(xs, ys);
    const k = S ? S.length : this.n;
    const method: LinearSolverName = o.linearSolver ?? (k <= o.denseLimit && !o.customSolver ? 'lu' : 'gmres');
    const op = this.operator(xs, ys, this.policy as KinkPolicy);
    const settings = this.settings(method);
    if (o.customSolver) settings.custom = this.bindCustomSolver(o.customSolver, xs, ys, op);
    const ps = new PointSolver(op, S, settings);
    const pt: Point = { xs, ys, ps };
    if (!isMain || o.diagnostics === 'off') return pt;

    if (S) diag.activeSet = { size: S.length, n: this.n, verified: false };
    if (o.diagnostics === 'full' && S) {
      if (this.n <= o.denseLimit) {
        verifyActiveSet(materialiseFull(op, 0), this.n, S, name);
        diag.activeSet!.verified = true;
      } else diag.notes.push(`activeSet not verified: n = ${this.n} > denseLimit = ${o.denseLimit}`);
    }
    if (S) ps.inactiveDiagonal();
    if (method === 'cg' || method === 'minres') {
      const a = asymmetry(ps);
      diag.asymmetry = a;
      if (!(a <= 1e-8)) {
        throw new InvalidArgumentError(
          `${name}: linearSolver '${method}' needs a symmetric B = ∂F/∂y${S ? ' (restricted to the active set)' : ''}, but a randomised test gives ` +
            `|⟨w, Bv⟩ − ⟨v, Bw⟩| / (‖Bv‖‖w‖ + ‖Bw‖‖v‖) = ${a.toExponential(3)}; use 'gmres', 'bicgstab' or 'lu'` +
            (S ? '' : ', or declare an activeSet if B is symmetric on it'),
        );
      }
    }
    if (o.diagnostics === 'full') this.fullDiagnostics(pt);
    return pt;
  }

  private fullDiagnostics(pt: Point): void {
    const o = this.opts;
    const name = o.name;
    const ps = pt.ps;
    const diag = this.report.diagnostics;
    if (ps.singular) {
      diag.sigmaMin = 0;
      diag.conditionEstimate = Infinity;
      diag.notes.push(ps.singular.message);
    } else {
      // a throwing, unchecked copy of the point's solver (shares B's products and the recorded pullback)
      const inner = new PointSolver(ps.op, ps.S, { ...ps.settings, onFailure: 'throw', diagnostics: 'off' });
      const solveReduced = (b: Float64Array, transpose: boolean): Float64Array | null => {
        try {
          // solve on the reduced coordinates: embed, solve the full (decoupled) system, restrict
          const S = ps.S;
          const full = new Float64Array(ps.n);
          if (S) for (let a = 0; a < S.length; a++) full[S[a]!] = b[a]!;
          else full.set(b);
          const x = inner.solve(full, transpose, undefined).x;
          return S ? Float64Array.from(S, (i) => x[i]!) : x;
        } catch {
          return null;
        }
      };
      const sv = extremeSingularValues(ps, solveReduced);
      diag.sigmaMin = sv.sigmaMin;
      diag.sigmaMax = sv.sigmaMax;
      diag.conditionEstimate = sv.sigmaMin === 0 ? Infinity : sv.sigmaMax / sv.sigmaMin;
      diag.conditionMethod = sv.method;
      if (sv.note) diag.notes.push(sv.note);
      if (!(diag.conditionEstimate <= o.condThreshold)) {
        const msg =
          `B = ∂F/∂y${ps.S ? ` restricted to the active set (${ps.k} of ${ps.n})` : ''} is ${diag.sigmaMin === 0 ? 'singular' : 'numerically singular'} at the solution: ` +
          `σ_min = ${diag.sigmaMin.toExponential(3)}, cond₂ = ${diag.conditionEstimate.toExponential(3)} > condThreshold ${o.condThreshold.toExponential(1)}` +
          (this.report.kinks.total > 0 ? ` (kink selection '${describePolicy(this.policy)}')` : '');
        ps.singular = { message: msg, sigmaMin: diag.sigmaMin, conditionEstimate: diag.conditionEstimate };
        if (o.onFailure === 'throw') {
          throw new InvertibilityError(
            `${name}: the implicit function theorem needs B invertible, but ${msg}; choose onFailure 'warn' or 'return' (with fallback 'lstsq', the pseudo-inverse, or 'zero') explicitly to proceed anyway`,
            { sigmaMin: diag.sigmaMin, conditionEstimate: diag.conditionEstimate, selection: describePolicy(this.policy) },
          );
        }
      }
    }
    // set-valued B: alternative kink selections
    if (this.report.kinks.total === 0) return;
    if (this.n > o.denseLimit) {
      diag.notes.push(`kink alternatives skipped: n = ${this.n} > denseLimit = ${o.denseLimit}`);
      return;
    }
    const sels: { label: string; op: () => ConcreteOperator }[] = [
      { label: 'left', op: () => this.operator(pt.xs, pt.ys, 'left') },
      { label: 'right', op: () => this.operator(pt.xs, pt.ys, 'right') },
    ];
    for (let s = 1; s <= o.kinkSamples; s++) {
      const pol: KinkPolicy = { kind: 'random', seed: 1000 + s };
      sels.push({ label: `random(seed=${1000 + s})`, op: () => this.operator(pt.xs, pt.ys, pol) });
    }
    const alts = kinkAlternatives(this.n, o.ridge, o.condThreshold, sels);
    diag.alternatives = alts;
    const selected = denseConditioning(materialiseFull(ps.op, o.ridge), this.n);
    const selectedSingular = !(selected.cond <= o.condThreshold);
    const bad = alts.find((a) => a.singular);
    diag.setContainsSingular = !!bad && !selectedSingular;
    if (bad && !selectedSingular) {
      const msg =
        `${name}: F hits ${this.report.kinks.total} kink(s) at the solution, so B = ∂F/∂y is set-valued; the returned derivative uses the ` +
        `selection '${describePolicy(this.policy)}' (σ_min = ${selected.sigmaMin.toExponential(3)}), but it is one element of a set containing singular matrices: ` +
        `under the selection '${bad.selection}' σ_min = ${bad.sigmaMin.toExponential(3)} (cond ${bad.conditionEstimate.toExponential(3)}). ` +
        `The invertibility hypothesis of the nonsmooth implicit function theorem fails at this point`;
      handleFailure(o.onFailure, new InvertibilityError(msg, { sigmaMin: bad.sigmaMin, conditionEstimate: bad.conditionEstimate, selection: bad.selection }));
      this.warn(msg, false);
    }
  }

  private solveConcrete(xs: readonly Tensor[], ys: readonly Tensor[], r: Float64Array, transpose: boolean): Float64Array {
    const pt = this.point(xs, ys);
    const key = transpose ? 'T' : 'N';
    const iterative = pt.ps.settings.method !== 'lu';
    let x0: Float64Array | undefined;
    if (this.opts.warmStart && iterative) {
      const w = this.inst.warm.get(key);
      if (w && w.length === this.n) x0 = w;
    }
    const { x, report } = pt.ps.solve(r, transpose, x0);
    if (this.opts.warmStart && iterative && report.converged && !report.fallback) this.inst.warm.set(key, x);
    this.record(report);
    return x;
  }

  private record(rep: LinearSolveReport): void {
    const r = this.report;
    r.linearSolve = rep;
    r.linearSolveCount++;
    if (r.linearSolves.length < MAX_KEPT_SOLVES) r.linearSolves.push(rep);
    if (rep.conditionEstimate !== undefined && r.diagnostics.conditionEstimate === undefined && r.diagnostics.level !== 'off') {
      r.diagnostics.conditionEstimate = rep.conditionEstimate;
      r.diagnostics.conditionMethod = 'lu-rcond';
    }
    this.opts.onReport?.(r, 'linearSolve');
  }
}

/**
 * Makes the solution map x ↦ y(x) of F(x, y) = 0 differentiable by implicit differentiation.
 *
 * `solve(x, init)` computes y on concrete values (any algorithm, not differentiated); `F(x, y)`
 * is the residual, written with nsdiff ops, returning a tree with y's structure. The returned
 * function `(x, init?) => y` supports every transform (jvp, vjp, grad, jacobian, hessian, nesting):
 * the derivative is −B⁻¹A with [A B] the autodiff (conservative) Jacobian of F at (x, y(x)).
 * Everything F depends on differentiably must be passed through x (closing over a value being
 * differentiated is detected and rejected). The derivative with respect to `init` is zero.
 *
 * Each call records an {@link ImplicitReport} (forward residual, kinks, linear solves,
 * diagnostics), readable as `fn.lastReport` or through `options.onReport`. `lastReport` is the
 * last call the user made: a transform's own re-runs at the same point (the columns of a
 * forward-mode `jacobian` or `hessian` after the first) report through `onReport` only.
 * `solve`'s output is checked right away: tensors, finite, not closing over a traced value, and
 * shaped like `init` when one is passed (`ShapeError` naming both shapes).
 *
 * @example
 * // y(x) = ∛x via F(x, y) = y³ − x
 * const cbrt = customRoot(
 *   (x: Tensor, y: Tensor) => sub(mul(mul(y, y), y), x),
 *   (x: Tensor) => tensor(Array.from(x.data, Math.cbrt), x.shape),
 * );
 * grad((x: Tensor) => sum(cbrt(x)))(tensor([8]));  // [1/12]  (= 1/(3·y²))
 * hessian((x: Tensor) => sum(cbrt(x)))(tensor([8])); // [[−1/144]]
 * cbrt.lastReport?.linearSolve; // { method: 'lu', converged: true, ... }
 */
export function customRoot<X, Y>(
  F: (x: X, y: Y) => Y,
  solve: (x: X, init: Y | undefined) => Y,
  options: ImplicitOptions<X, Y> = {},
): ImplicitFunction<X, Y> {
  const opts = resolveOptions(options, 'customRoot');
  if (typeof F !== 'function') throw new InvalidArgumentError(`${opts.name}: F must be a function (x, y) => residual`);
  if (typeof solve !== 'function') throw new InvalidArgumentError(`${opts.name}: solve must be a function (x, init) => y`);
  const inst: Instance = { lastReport: null, warm: new Map() };
  const fn = (x: X, init?: Y): Y => {
    const call = new Call<X, Y>(F, solve, opts, inst, currentKinkPolicy(), flatten(x), init);
    // a transform's re-run at the same point (forward-mode jacobian / hessian columns) is not a
    // call the user made: it reports through onReport only, lastReport keeps the user's call
    if (!isRepeatedEvaluation()) inst.lastReport = call.report;
    const outs = bindCustom(call.rule, call.flatX.leaves);
    return call.yRebuild(outs);
  };
  Object.defineProperty(fn, 'lastReport', { get: () => inst.lastReport, enumerable: true });
  Object.defineProperty(fn, 'resetWarmStart', { value: () => inst.warm.clear(), enumerable: true });
  return fn as ImplicitFunction<X, Y>;
}

/**
 * Makes the fixed point y(x) = T(x, y(x)) differentiable: `customRoot` with the residual
 * F(x, y) = y − T(x, y), so B = I − ∂ᵧT and A = −∂ₓT (B is symmetric positive definite when ∂ᵧT
 * is symmetric with spectral radius < 1, e.g. gradient steps: `'cg'` is then valid; AID-FP is
 * `linearSolver: 'fixed-point'`, valid when T is a contraction in y).
 *
 * @example
 * // y(x) = argmin ½yᵀQy − xᵀy = Q⁻¹x, as the fixed point of a gradient step T(x, y) = y − γ(Qy − x)
 * const y = customFixedPoint(
 *   (x: Tensor, y: Tensor) => sub(y, mul(sub(matmul(Q, y), x), 0.1)),
 *   (x: Tensor) => linalg.solve(Q, x),
 *   { linearSolver: 'cg' },   // B = I − ∂ᵧT = 0.1·Q is symmetric positive definite
 * );
 * jacobian(y)(x);             // = Q⁻¹
 * // Lasso: T = ISTA map, declare the support so only |S| unknowns are solved (see docs/implicit.md)
 */
export function customFixedPoint<X, Y>(
  T: (x: X, y: Y) => Y,
  solve: (x: X, init: Y | undefined) => Y,
  options: ImplicitOptions<X, Y> = {},
): ImplicitFunction<X, Y> {
  const name = options.name ?? 'customFixedPoint';
  if (typeof T !== 'function') throw new InvalidArgumentError(`${name}: T must be a function (x, y) => y`);
  const F = (x: X, y: Y): Y => {
    const fy = flatten(y);
    const ft = flatten(T(x, y)).leaves;
    if (ft.length !== fy.leaves.length) {
      throw new ShapeError(`${name}: T(x, y) must return a tree with y's structure: got ${ft.length} tensor(s), y has ${fy.leaves.length}`);
    }
    for (let i = 0; i < ft.length; i++) {
      if (!shapesEqual(ft[i]!.shape, fy.leaves[i]!.shape)) {
        throw new ShapeError(`${name}: T(x, y) leaf ${i} has shape ${formatShape(ft[i]!.shape)}, but y's leaf ${i} has shape ${formatShape(fy.leaves[i]!.shape)}`);
      }
    }
    // F(x, y) = y − T(x, y)
    return fy.rebuild(fy.leaves.map((l, i) => sub(l, ft[i]!))) as Y;
  };
  return customRoot(F, solve, { ...options, name });
}
