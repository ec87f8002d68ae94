/**
 * @file Ready-made projection layers with closed-form forwards, along the last axis (leading
 * axes are a batch): `projectSimplex` (= `sparsemax` for radius 1), `projectL1Ball`,
 * `projectL2Ball`. (The box projection is `clip`.) Each is the solution map of a small QP, so
 * each derivative is an element of the same conservative Jacobian `solveQp` returns, with the same
 * selection at kinks (tested against `solveQp` in test/optlayers.projections.test.ts).
 *
 * Simplex Δ_r = {z ≥ 0, Σz = r}: z = max(x − τ, 0), τ from the sorted values u₁ ≥ u₂ ≥ …:
 *   ρ = max{j : u_j − (Σ_{i≤j} u_i − r)/j > 0},  τ = (Σ_{i≤ρ} u_i − r)/ρ.
 * On the support S = {x_i > τ} the Jacobian is J_S = diag(1_S) − 1_S 1_Sᵀ/|S| (symmetric, so JVP
 * and VJP are the same map v ↦ 1_S∘(v − mean_S v)). Elements with x_i = τ (to 4 ulp of the row's
 * scale) are kinks (the constraint z_i ≥ 0 active with zero multiplier): the derivative is
 * (1 − t)·J_S + t·J_{S∪D}, t = selectDerivative(policy, 0, 1, row) — `minNorm`/`left` keep the
 * kink elements out of the support (as relu at 0), `right` puts them in.
 *
 * Balls (‖·‖₁ ≤ r, ‖·‖₂ ≤ r): inside, z = x (J = I); outside, z = sign(x)∘P_{Δ_r}(|x|) resp.
 * z = r·x/‖x‖₂. On the sphere (‖x‖ = r, a kink) the derivative is (1 − t)·J_proj + t·I with t as
 * above: `minNorm` gives the projection's Jacobian (the constraint treated as active).
 *
 * Second-order cone K = {(t, x) : ‖x‖₂ ≤ t} (`projectSoc`, the last axis holds (t, x)): inside,
 * (t, x); below (‖x‖ ≤ −t), 0; otherwise α(1, x/‖x‖) with α = (t + ‖x‖)/2, whose Jacobian (ρ = ‖x‖,
 * u = x/ρ) is ½[[1, uᵀ], [u, (1 + t/ρ)I − (t/ρ)uuᵀ]]. Kinks: on the cone boundary (t = ρ > 0) the
 * pieces are that Jacobian (J_act) and I (J_free); on the polar boundary (t = −ρ > 0) they are 0
 * (J_act, the apex binding) and that Jacobian (J_free); at the apex (t = ρ = 0) the derivative is 0.
 * Again (1 − t)·J_act + t·J_free, `minNorm` giving J_act.
 *
 * PSD cone (`projectPsd`, the last two axes a square matrix): Π(X) = V·diag(max(λ, 0))·Vᵀ with
 * (λ, V) the eigendecomposition of sym(X) = (X + Xᵀ)/2 (the skew part is orthogonal to the cone).
 * Its derivative is the Daleckii–Krein formula dΠ = V·(Γ ∘ (Vᵀ·sym(dX)·V))·Vᵀ with
 * Γ_ij = (λᵢ₊ − λⱼ₊)/(λᵢ − λⱼ) for distinct eigenvalues and the derivative of max(·, 0) for equal
 * ones: 1 (positive), 0 (negative), and at a ZERO eigenvalue (the kink) the policy's selection in
 * [0, 1] (`minNorm`: 0, as relu). Self-adjoint, so the VJP is the same map. Concrete rules: no
 * higher-order derivatives (`ConcretizationError`).
 *
 * The derivative rules are written with differentiable ops on constant masks, so they compose
 * with every transform (the Jacobians are piecewise constant or smooth).
 */
import { ConcreteTensor, concreteData, type Tensor } from '../core/tensor.js';
import { ShapeError, assertFinite } from '../core/errors.js';
import { checkOptions, checkPositive } from '../core/options.js';
import { isTrackingKinks, policyFor, reportKinks, selectDerivative, type KinkPolicy, type ResolvedKinkPolicy } from '../autodiff/kinks.js';
import { bindCustom, type CustomRule } from '../autodiff/trace.js';
import { asTensor, constant, type TensorLike } from '../ops/convert.js';
import { add, div, mul, sub } from '../ops/arithmetic.js';
import { sum } from '../ops/reduce.js';
import { abs, sign } from '../ops/nonsmooth.js';
import { norm } from '../ops/extrema.js';
import { concat, sliceAxis } from '../ops/slicing.js';
import { eighDecompose } from '../linalg/dense/eigh.js';

/** Options of the projection layers. */
export interface ProjectionOptions {
  /** Radius r of the simplex or ball (default 1). */
  radius?: number;
  /** Kink selection (default: the scope's policy, `minNorm`). */
  kink?: KinkPolicy;
}

const KEYS = ['radius', 'kink'] as const;

function rowsOf(x: Tensor, where: string): { rows: number; n: number } {
  if (x.ndim === 0) throw new ShapeError(`${where}: x must have at least one axis (the projected one), got a scalar`);
  const n = x.shape[x.ndim - 1]!;
  if (n === 0) throw new ShapeError(`${where}: the last axis of x is empty`);
  return { rows: x.size / n, n };
}

/** The masks and blend weights of one simplex projection (concrete). */
interface SimplexSelection {
  /** 1 on S = {x > τ}. */
  act: Tensor;
  /** 1 on S ∪ D (D: x = τ). */
  free: Tensor;
  /** Per row, shape [..., 1]: 1/|S| and 1/|S ∪ D| (0 for an empty set). */
  invAct: Tensor;
  invFree: Tensor;
  /** Per row, shape [..., 1]: the blend t (0 where the row has no kink). */
  t: Tensor;
  /** True when some row has a kink with t > 0. */
  blended: boolean;
}

/** τ and the output z = max(x − τ, 0) of every row; the selection for the derivative. */
function simplexForward(x: Float64Array, shape: readonly number[], n: number, r: number, policy: ResolvedKinkPolicy): { z: Float64Array; sel: SimplexSelection; kinks: number } {
  const rows = x.length / n;
  const z = new Float64Array(x.length);
  const act = new Float64Array(x.length);
  const free = new Float64Array(x.length);
  const invAct = new Float64Array(rows);
  const invFree = new Float64Array(rows);
  const t = new Float64Array(rows);
  const u = new Float64Array(n);
  let kinks = 0;
  let blended = false;
  for (let row = 0; row < rows; row++) {
    const o = row * n;
    for (let i = 0; i < n; i++) u[i] = x[o + i]!;
    u.sort();
    u.reverse();
    let c = 0;
    let tau = 0;
    let scale = 0;
    for (let j = 0; j < n; j++) {
      c += u[j]!;
      const tj = (c - r) / (j + 1);
      if (u[j]! - tj > 0) tau = tj;
      scale = Math.max(scale, Math.abs(u[j]!));
    }
    const tol = 4 * Number.EPSILON * Math.max(1, scale, r);
    let kA = 0;
    let kF = 0;
    for (let i = 0; i < n; i++) {
      const d = x[o + i]! - tau;
      z[o + i] = d > 0 ? d : 0;
      if (d > tol) {
        act[o + i] = 1;
        free[o + i] = 1;
        kA++;
        kF++;
      } else if (d >= -tol) {
        free[o + i] = 1;
        kF++;
      }
    }
    invAct[row] = kA > 0 ? 1 / kA : 0;
    invFree[row] = 1 / kF;
    if (kF > kA) {
      kinks += kF - kA;
      t[row] = selectDerivative(policy, 0, 1, row);
      if (t[row]! > 0) blended = true;
    }
  }
  const lead = [...shape.slice(0, -1), 1];
  return {
    z,
    kinks,
    sel: { act: constant(act, shape), free: constant(free, shape), invAct: constant(invAct, lead), invFree: constant(invFree, lead), t: constant(t, lead), blended },
  };
}

/** v ↦ 1_S∘(v − (Σ_S v)/|S|) with the mask m and 1/|S| per row. */
function applyJ(v: Tensor, m: Tensor, inv: Tensor): Tensor {
  const mv = mul(v, m);
  return mul(m, sub(v, mul(sum(mv, { axis: -1, keepdims: true }), inv)));
}

function simplexJ(v: Tensor, sel: SimplexSelection): Tensor {
  const a = applyJ(v, sel.act, sel.invAct);
  if (!sel.blended) return a;
  // (1 − t)·J_S v + t·J_{S∪D} v
  return add(a, mul(sel.t, sub(applyJ(v, sel.free, sel.invFree), a)));
}

/**
 * Euclidean projection onto the simplex {z ≥ 0, Σz = radius} along the last axis (sort-based
 * closed form), differentiable with the documented selection at kinks (see the file header).
 *
 * @example
 * projectSimplex(tensor([0.5, 1.2, -1])); // tensor([0.15, 0.85, 0])
 */
export function projectSimplex(x: TensorLike, opts?: ProjectionOptions): Tensor {
  return simplex(x, opts, 'projectSimplex()');
}

/**
 * Sparsemax (Martins & Astudillo, 2016): the projection of the scores onto the probability
 * simplex along the last axis, a sparse alternative to softmax. Same as `projectSimplex`.
 *
 * @example
 * sparsemax(tensor([[2, 1, -1], [0, 0, 0]])); // tensor([[1, 0, 0], [1/3, 1/3, 1/3]])
 */
export function sparsemax(x: TensorLike, opts?: Omit<ProjectionOptions, 'radius'>): Tensor {
  checkOptions(opts, ['kink'], 'sparsemax()');
  return simplex(x, opts, 'sparsemax()');
}

function simplex(x: TensorLike, opts: ProjectionOptions | undefined, where: string): Tensor {
  checkOptions(opts, KEYS, where);
  const xt = asTensor(x, where, 'x');
  const r = opts?.radius === undefined ? 1 : checkPositive(opts.radius, 'radius', where.replace('()', ''));
  const { n } = rowsOf(xt, where);
  const policy = policyFor(opts?.kink);
  let sel: SimplexSelection | null = null;
  const rule: CustomRule = {
    name: where.replace('()', ''),
    primal: ([a]) => {
      assertFinite(a!.data, `${where}: x`);
      const f = simplexForward(a!.data, a!.shape, n, r, policy);
      sel = f.sel;
      if (isTrackingKinks()) reportKinks(rule.name, f.kinks);
      return [new ConcreteTensor(f.z, [...a!.shape])];
    },
    jvp: (_xs, [dx]) => [dx ? simplexJ(dx, sel!) : null],
    vjp: (_xs, _outs, [ct]) => [ct ? simplexJ(ct, sel!) : null],
  };
  return bindCustom(rule, [xt])[0]!;
}

/** Per-row weight w of z = x + w∘(P(x) − x): 1 outside the ball, 0 inside, 1 − t on the sphere. */
function ballWeights(normsData: Float64Array, r: number, policy: ResolvedKinkPolicy, shape: readonly number[], name: string): Tensor {
  const w = new Float64Array(normsData.length);
  let kinks = 0;
  for (let i = 0; i < w.length; i++) {
    const nr = normsData[i]!;
    const tol = 4 * Number.EPSILON * Math.max(1, r);
    if (nr > r + tol) w[i] = 1;
    else if (nr >= r - tol) {
      w[i] = 1 - selectDerivative(policy, 0, 1, i);
      kinks++;
    }
  }
  if (isTrackingKinks()) reportKinks(name, kinks);
  return constant(w, [...shape.slice(0, -1), 1]);
}

function ballOptions(x: TensorLike, opts: ProjectionOptions | undefined, where: string): { xt: Tensor; r: number; policy: ResolvedKinkPolicy } {
  checkOptions(opts, KEYS, where);
  const xt = asTensor(x, where, 'x');
  rowsOf(xt, where);
  const r = opts?.radius === undefined ? 1 : checkPositive(opts.radius, 'radius', where.replace('()', ''));
  return { xt, r, policy: policyFor(opts?.kink) };
}

/**
 * Euclidean projection onto the ℓ1 ball {‖z‖₁ ≤ radius} along the last axis: x inside, else
 * sign(x)∘projectSimplex(|x|, radius) (Duchi et al., 2008). Differentiable (file header).
 *
 * @example
 * projectL1Ball(tensor([2, -1, 0.1])); // tensor([1, 0, 0])
 */
export function projectL1Ball(x: TensorLike, opts?: ProjectionOptions): Tensor {
  const { xt, r, policy } = ballOptions(x, opts, 'projectL1Ball()');
  const n1 = norm(xt, { ord: 1, axis: -1 });
  const w = ballWeights(n1.data, r, policy, xt.shape, 'projectL1Ball');
  const P = mul(sign(xt), simplex(abs(xt), { radius: r, kink: policy as KinkPolicy }, 'projectL1Ball()'));
  return add(xt, mul(w, sub(P, xt)));
}

/**
 * Euclidean projection onto the ℓ2 ball {‖z‖₂ ≤ radius} along the last axis: x inside, else
 * radius·x/‖x‖₂. Differentiable (file header).
 *
 * @example
 * projectL2Ball(tensor([3, 4])); // tensor([0.6, 0.8])
 */
export function projectL2Ball(x: TensorLike, opts?: ProjectionOptions): Tensor {
  const { xt, r, policy } = ballOptions(x, opts, 'projectL2Ball()');
  const n2 = norm(xt, { axis: -1, keepdims: true });
  const w = ballWeights(n2.data, r, policy, xt.shape, 'projectL2Ball');
  // rows with x = 0 are inside (w = 0): divide them by 1 instead of 0 so no NaN enters
  const zeroRows = constant(Float64Array.from(n2.data, (v) => (v === 0 ? 1 : 0)), n2.shape);
  const P = mul(xt, div(r, add(n2, zeroRows)));
  return add(xt, mul(w, sub(P, xt)));
}

/**
 * Euclidean projection onto the second-order cone {(t, x) : ‖x‖₂ ≤ t}, the last axis holding
 * (t, x₁, …, x_k). Differentiable, with the documented selection on the cone's and the polar cone's
 * boundaries (file header).
 *
 * @example
 * projectSoc(tensor([0, 3, 4])); // tensor([2.5, 1.5, 2])
 */
export function projectSoc(x: TensorLike, opts?: Omit<ProjectionOptions, 'radius'>): Tensor {
  const where = 'projectSoc()';
  checkOptions(opts, ['kink'], where);
  const xt = asTensor(x, where, 'x');
  const { rows, n } = rowsOf(xt, where);
  if (n < 2) throw new ShapeError(`${where}: the last axis must hold (t, x) with at least one x entry, got length ${n}`);
  const policy = policyFor(opts?.kink);
  const d = xt.data;
  const wIn = new Float64Array(rows);
  const wF = new Float64Array(rows);
  const zeroRows = new Float64Array(rows);
  let kinks = 0;
  for (let r = 0; r < rows; r++) {
    const t = d[r * n]!;
    let rho = 0;
    for (let j = 1; j < n; j++) rho += d[r * n + j]! * d[r * n + j]!;
    rho = Math.sqrt(rho);
    if (rho === 0) zeroRows[r] = 1;
    const tol = 4 * Number.EPSILON * Math.max(1, Math.abs(t), rho);
    if (rho === 0 && Math.abs(t) <= tol) {
      kinks++; // the apex: derivative 0
    } else if (Math.abs(rho - t) <= tol) {
      const s = selectDerivative(policy, 0, 1, r);
      wIn[r] = s;
      wF[r] = 1 - s;
      kinks++;
    } else if (Math.abs(rho + t) <= tol) {
      wF[r] = selectDerivative(policy, 0, 1, r);
      kinks++;
    } else if (rho < t) wIn[r] = 1;
    else if (rho > -t) wF[r] = 1;
  }
  if (isTrackingKinks()) reportKinks('projectSoc', kinks);
  const lead = [...xt.shape.slice(0, -1), 1];
  const t = sliceAxis(xt, 0, 1, { axis: -1 });
  const xv = sliceAxis(xt, 1, n, { axis: -1 });
  // ρ made safe where x = 0 (those rows have wF = 0 or are the apex)
  const rho = add(norm(xv, { axis: -1, keepdims: true }), constant(zeroRows, lead));
  const alpha = mul(add(t, rho), 0.5);
  const F = concat([alpha, mul(xv, div(alpha, rho))], { axis: -1 });
  return add(mul(constant(wIn, lead), xt), mul(constant(wF, lead), F));
}

/**
 * @internal The eigen-data of the PSD projection of one symmetric n×n matrix S (row-major): P =
 * V·diag(λ₊)·Vᵀ, the Daleckii–Krein weights Γ (kink selection t = selectDerivative(policy, 0, 1,
 * indexBase + i) at zero eigenvalues, |λ| ≤ tol·max(1, max|λ|)) and the number of kinks.
 */
export function psdParts(S: Float64Array, n: number, policy: ResolvedKinkPolicy, indexBase: number, relTol: number, where: string): { P: Float64Array; V: Float64Array; G: Float64Array; kinks: number } {
  const { values: lam, vectors } = eighDecompose(S, n, { symmetryTol: Infinity, name: where });
  const V = vectors!;
  let scale = 0;
  for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(lam[i]!));
  const tol = relTol * Math.max(1, scale);
  const G = new Float64Array(n * n);
  const sel = new Float64Array(n);
  let kinks = 0;
  for (let i = 0; i < n; i++) {
    const l = lam[i]!;
    if (l > tol) sel[i] = 1;
    else if (l >= -tol) {
      sel[i] = selectDerivative(policy, 0, 1, indexBase + i);
      kinks++;
    }
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const li = lam[i]!;
      const lj = lam[j]!;
      if (Math.abs(li - lj) > tol) G[i * n + j] = (Math.max(li, 0) - Math.max(lj, 0)) / (li - lj);
      else G[i * n + j] = i === j ? sel[i]! : 0.5 * (sel[i]! + sel[j]!);
    }
  }
  const P = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let q = 0; q < n; q++) acc += V[i * n + q]! * Math.max(lam[q]!, 0) * V[j * n + q]!;
      P[i * n + j] = acc;
    }
  }
  return { P, V, G, kinks };
}

/** @internal dP = V(Γ∘(Vᵀ·sym(dX)·V))Vᵀ for one n×n matrix at offset o of d, into out at o. */
export function psdApply(V: Float64Array, G: Float64Array, n: number, d: Float64Array, out: Float64Array, o: number): void {
  const T = new Float64Array(n * n);
  const M = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let a = 0;
      for (let q = 0; q < n; q++) a += 0.5 * (d[o + i * n + q]! + d[o + q * n + i]!) * V[q * n + j]!;
      T[i * n + j] = a;
    }
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let a = 0;
      for (let q = 0; q < n; q++) a += V[q * n + i]! * T[q * n + j]!;
      M[i * n + j] = G[i * n + j]! * a;
    }
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let a = 0;
      for (let q = 0; q < n; q++) a += V[i * n + q]! * M[q * n + j]!;
      T[i * n + j] = a;
    }
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let a = 0;
      for (let q = 0; q < n; q++) a += T[i * n + q]! * V[j * n + q]!;
      out[o + i * n + j] = a;
    }
  }
}

/**
 * Euclidean (Frobenius) projection onto the cone of positive semidefinite matrices, over the last
 * two axes: clips the eigenvalues of the symmetric part at 0. Differentiable (Daleckii–Krein; the
 * selection at zero eigenvalues in the file header).
 *
 * @example
 * projectPsd(tensor([[1, 2], [2, 1]])); // tensor([[1.5, 1.5], [1.5, 1.5]])
 */
export function projectPsd(x: TensorLike, opts?: Omit<ProjectionOptions, 'radius'>): Tensor {
  const where = 'projectPsd()';
  checkOptions(opts, ['kink'], where);
  const xt = asTensor(x, where, 'x');
  if (xt.ndim < 2 || xt.shape[xt.ndim - 1] !== xt.shape[xt.ndim - 2]) throw new ShapeError(`${where}: x must be a (batch of) square matrices [..., n, n], got shape [${xt.shape.join(', ')}]`);
  const n = xt.shape[xt.ndim - 1]!;
  const count = n === 0 ? 0 : xt.size / (n * n);
  const policy = policyFor(opts?.kink);
  const Vs: Float64Array[] = [];
  const Gs: Float64Array[] = [];
  /** dP = V(Γ∘(Vᵀ sym(dX) V))Vᵀ for every matrix of the batch. */
  const apply = (d: Float64Array): Float64Array => {
    const out = new Float64Array(d.length);
    for (let k = 0; k < count; k++) psdApply(Vs[k]!, Gs[k]!, n, d, out, k * n * n);
    return out;
  };
  const rule: CustomRule = {
    name: 'projectPsd',
    primal: ([a]) => {
      const d = a!.data;
      assertFinite(d, `${where}: x`);
      const out = new Float64Array(d.length);
      const S = new Float64Array(n * n);
      let kinks = 0;
      for (let k = 0; k < count; k++) {
        const o = k * n * n;
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) S[i * n + j] = 0.5 * (d[o + i * n + j]! + d[o + j * n + i]!);
        const parts = psdParts(S, n, policy, k * n, 1e-12, where);
        out.set(parts.P, o);
        kinks += parts.kinks;
        const V = parts.V;
        const Gm = parts.G;
        Vs.push(V);
        Gs.push(Gm);
      }
      if (isTrackingKinks()) reportKinks('projectPsd', kinks);
      return [new ConcreteTensor(out, [...a!.shape])];
    },
    jvp: (xs, [dx]) => {
      concreteData(xs[0]!, `${where} derivative (higher-order derivatives of projectPsd are not supported)`);
      return [dx ? new ConcreteTensor(apply(concreteData(dx, `${where} tangent`)), [...xt.shape]) : null];
    },
    vjp: (xs, _outs, [ct]) => {
      concreteData(xs[0]!, `${where} derivative (higher-order derivatives of projectPsd are not supported)`);
      return [ct ? new ConcreteTensor(apply(concreteData(ct, `${where} cotangent`)), [...xt.shape]) : null];
    },
  };
  return bindCustom(rule, [xt])[0]!;
}
