/**
 * @file Sparse logistic regression used by the hyperparameter-optimisation code:
 *
 *   P(β, b) = (1/n) Σ_i log(1 + exp(−y_i a_i)) + λ‖β‖₁,   a = Xβ + b 1,   y_i ∈ {−1, +1},
 *
 * (scikit-learn's mean log-loss convention; b unpenalised; X NOT centred). With z = (y + 1)/2 and
 * σ the logistic function, ∇_a = (σ(a) − z)/n and the Hessian weights are σ(a)(1 − σ(a))/n.
 *
 * Solver: proximal Newton (glmnet-style). Each outer step builds the quadratic model of the loss at
 * (β, b), minimises model + λ‖β‖₁ by cyclic coordinate descent on a working set (support ∪ KKT
 * violators, intercept always in), then backtracks on the true objective (Armijo, factor 1/2).
 *
 * Stopping rule (skglm semantics, ABSOLUTE, in gradient units): the largest KKT violation
 *
 *   max( max_{β_j≠0} |∇_jL + λ sign β_j|,  max_{β_j=0} (|∇_jL| − λ)₊,  |∇_bL| ) ≤ tol.
 *
 * Also the joint forward-mode differentiation (iterative differentiation, sparse-ho's `Forward`)
 * of proximal coordinate descent with the LOCAL coordinate curvature as step (sparse-ho's
 * SparseLogreg does the same; the global bound ‖X_j‖²/(4n) needs ~30× more epochs at λmax/100),
 * H_j = Σ_i x_ij² h_i / n, H_b = Σ_i h_i / n, h = σ(a)(1 − σ(a)):
 *
 *   β_j ← ST(β_j − ∇_jL/H_j, λ/H_j),     J_j ← 1{β_j ≠ 0}(J_j − (dg_j + λ s_j)/H_j + (∇_jL + λ s_j) dH_j/H_j²)
 *   b   ← b − ∇_bL/H_b,                  J_b ← J_b − dg_b/H_b + ∇_bL dH_b/H_b²
 *
 * with dg_j = X_jᵀ diag(h) dA / n, dH_j = Σ x_ij² h_i (1 − 2σ_i) dA_i / n and dA = X J + J_b 1 =
 * ∂a/∂log λ kept up to date like a. Epochs between the KKT checks (every 10th, a full sweep) visit
 * only the features non-zero after the last full sweep (active-set sweeps, as hypergrad_forward.ts).
 * Safeguard: if the KKT violation grows tenfold between two checks, the steps switch for good to the
 * global bound H_j = ‖X_j‖²/(4n), H_b = 1/4 (descent steps; then dH = 0).
 *
 * `SparseProblem` solves the logistic model with src/lasso's `sparseLogreg` (working-set proximal
 * Newton, duality-gap stopping); this file provides the forward-mode differentiation of the
 * algorithm ('forward' method). (The small independent proximal-Newton solver used as a cross-check
 * lives with the tests: test/fixtures/logreg_solve.ts.)
 */
import type { PreparedDesign } from './design.js';
import { colAddRaw, colDot } from './hypergrad_core.js';
import { sigmoidScalar as sigmoid, softplusScalar as log1pExp } from '../ops/unary.js';


/** Mean logistic loss (1/n)Σ log(1 + exp(−y_i a_i)). */
export function logisticLoss(ys: Float64Array, a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < ys.length; i++) s += log1pExp(-ys[i]! * a[i]!);
  return s / ys.length;
}

/** A solution of the logistic inner problem with its KKT violation (`logregForward`). */
export interface LogregSolution {
  readonly beta: Float64Array;
  readonly intercept: number;
  /** a = Xβ + b. */
  readonly linearPredictor: Float64Array;
  /** Final KKT violation. */
  readonly kkt: number;
  readonly converged: boolean;
  /** Newton steps. */
  readonly iterations: number;
  /** CD epochs in total. */
  readonly epochs: number;
}

/** ∇_β L (length p, all features) and ∇_b L at the predictor a. */
export function logisticGradient(d: PreparedDesign, ys: Float64Array, a: Float64Array, out: Float64Array): number {
  const n = d.nRows;
  const ga = new Float64Array(n);
  let gb = 0;
  for (let i = 0; i < n; i++) {
    const z = ys[i]! > 0 ? 1 : 0;
    ga[i] = (sigmoid(a[i]!) - z) / n;
    gb += ga[i]!;
  }
  for (let j = 0; j < d.nCols; j++) out[j] = colDot(d, j, ga, gb);
  return gb;
}

/** Largest violation of the logistic KKT conditions (absolute, in gradient units). */
export function kktViolation(beta: Float64Array, grad: Float64Array, gb: number, lambda: number, fitIntercept: boolean): number {
  let v = fitIntercept ? Math.abs(gb) : 0;
  for (let j = 0; j < beta.length; j++) {
    const b = beta[j]!;
    const g = grad[j]!;
    const e = b !== 0 ? Math.abs(g + lambda * Math.sign(b)) : Math.max(0, Math.abs(g) - lambda);
    if (e > v) v = e;
  }
  return v;
}

/** Result of `logregForward`. */
export interface LogregForwardResult extends LogregSolution {
  /** ∂β/∂log λ (length p). */
  readonly jac: Float64Array;
  /** ∂b/∂log λ. */
  readonly jacIntercept: number;
}

/**
 * Forward iterative differentiation of proximal coordinate descent for sparse logistic regression
 * (see the file header), run until the KKT violation ≤ tol AND the Jacobian changes by at most
 * tolJac (relative) over an epoch.
 *
 * @example
 * const fr = logregForward(d, ys, 0.01, { tol: 1e-8, tolJac: 1e-8, maxEpochs: 10_000, fitIntercept: false });
 * fr.jac; // ∂β/∂log λ
 */
export function logregForward(
  d: PreparedDesign, ys: Float64Array, lambda: number,
  opts: { tol: number; tolJac: number; maxEpochs: number; fitIntercept: boolean; warmBeta?: Float64Array; warmIntercept?: number; warmJac?: Float64Array; warmJacIntercept?: number },
): LogregForwardResult {
  const n = d.nRows;
  const p = d.nCols;
  const fit = opts.fitIntercept;
  const beta = new Float64Array(p);
  const J = new Float64Array(p);
  if (opts.warmBeta) for (let j = 0; j < p; j++) beta[j] = d.colNormsSq[j]! > 0 ? opts.warmBeta[j]! : 0;
  if (opts.warmJac) for (let j = 0; j < p; j++) J[j] = beta[j] !== 0 ? opts.warmJac[j]! : 0;
  let b = fit ? (opts.warmIntercept ?? 0) : 0;
  let Jb = fit ? (opts.warmJacIntercept ?? 0) : 0;
  const a = new Float64Array(n);
  const da = new Float64Array(n);
  for (let j = 0; j < p; j++) {
    if (beta[j] !== 0) colAddRaw(d, j, beta[j]!, a);
    if (J[j] !== 0) colAddRaw(d, j, J[j]!, da);
  }
  for (let i = 0; i < n; i++) {
    a[i] += b;
    da[i] += Jb;
  }
  const zt = new Float64Array(n); // z_i = (y_i + 1)/2
  for (let i = 0; i < n; i++) zt[i] = ys[i]! > 0 ? 1 : 0;
  const sg = new Float64Array(n); // σ(a)
  for (let i = 0; i < n; i++) sg[i] = sigmoid(a[i]!);
  const grad = new Float64Array(p);
  const resid = new Float64Array(n);
  const X = d.data;
  const sparse = d.isSparse;
  const { indptr, indices } = d;
  const usable: number[] = [];
  for (let j = 0; j < p; j++) if (d.colNormsSq[j]! > 0) usable.push(j);
  let active = Int32Array.from(usable);
  let epochs = 0;
  let kkt = Infinity;
  let prevKkt = Infinity;
  let safe = false;
  let converged = false;
  // coordinate step: Newton on the coordinate with the local curvature H_j = Σ x_ij² h_i / n (as
  // sparse-ho's SparseLogreg), floored at 1e-6·‖X_j‖²/(4n) (the global bound ‖X_j‖²/(4n) scaled):
  //   β_j⁺ = ST(β_j − g_j/H_j, λ/H_j),
  // and on the support its exact derivative (H_j depends on θ through a):
  //   J_j⁺ = J_j − (dg_j + λ s_j)/H_j + (g_j + λ s_j) dH_j/H_j²,
  //   dg_j = Σ x_ij h_i da_i / n,  dH_j = Σ x_ij² h_i (1 − 2σ_i) da_i / n.
  // The last term vanishes at the fixed point (g_j + λ s_j = 0), so the limit is the implicit Jacobian.
  while (epochs < opts.maxEpochs) {
    epochs++;
    const check = epochs % 10 === 0 || epochs === opts.maxEpochs;
    const sweep = check || epochs === 1 ? usable : active;
    let maxDJ = 0;
    let maxJ = 0;
    for (let t = 0; t < sweep.length; t++) {
      const j = sweep[t]!;
      let g = 0, H = 0, dg = 0, dH = 0;
      let k0 = 0, k1 = 0, o = 0;
      if (!sparse) {
        o = j * n;
        for (let i = 0; i < n; i++) {
          const x = X[o + i]!;
          const si = sg[i]!;
          const h = si * (1 - si);
          const xh = x * h;
          const xhd = xh * da[i]!;
          g += x * (si - zt[i]!);
          H += x * xh;
          dg += xhd;
          dH += x * xhd * (1 - 2 * si);
        }
      } else {
        k0 = indptr[j]!;
        k1 = indptr[j + 1]!;
        for (let k = k0; k < k1; k++) {
          const i = indices[k]!;
          const x = X[k]!;
          const si = sg[i]!;
          const h = si * (1 - si);
          const xh = x * h;
          const xhd = xh * da[i]!;
          g += x * (si - zt[i]!);
          H += x * xh;
          dg += xhd;
          dH += x * xhd * (1 - 2 * si);
        }
      }
      g /= n;
      H /= n;
      dg /= n;
      dH /= n;
      const floor = (1e-6 * d.colNormsSq[j]!) / (4 * n);
      if (safe) {
        H = d.colNormsSq[j]! / (4 * n); // global bound: a descent step whatever a
        dH = 0;
      } else if (H < floor) {
        H = floor;
        dH = 0;
      }
      const bj = beta[j]!;
      const z = bj - g / H;
      const thr = lambda / H;
      const nb = z > thr ? z - thr : z < -thr ? z + thr : 0;
      let nJ = 0;
      if (nb !== 0) {
        const e = g + lambda * Math.sign(nb);
        nJ = J[j]! - (dg + lambda * Math.sign(nb)) / H + (e * dH) / (H * H);
      }
      const dB = nb - bj;
      const dJ = nJ - J[j]!;
      if (dB !== 0 || dJ !== 0) {
        beta[j] = nb;
        J[j] = nJ;
        if (!sparse) {
          for (let i = 0; i < n; i++) {
            const x = X[o + i]!;
            a[i] += dB * x;
            da[i] += dJ * x;
            if (dB !== 0) sg[i] = sigmoid(a[i]!);
          }
        } else {
          for (let k = k0; k < k1; k++) {
            const i = indices[k]!;
            a[i] += dB * X[k]!;
            da[i] += dJ * X[k]!;
            if (dB !== 0) sg[i] = sigmoid(a[i]!);
          }
        }
      }
      if (Math.abs(dJ) > maxDJ) maxDJ = Math.abs(dJ);
      if (Math.abs(nJ) > maxJ) maxJ = Math.abs(nJ);
    }
    if (sweep === usable) {
      const next: number[] = [];
      for (const j of usable) if (beta[j] !== 0) next.push(j);
      active = Int32Array.from(next);
    }
    if (fit) {
      let g = 0, H = 0, dg = 0, dH = 0;
      for (let i = 0; i < n; i++) {
        const si = sg[i]!;
        const h = si * (1 - si);
        g += si - zt[i]!;
        H += h;
        dg += h * da[i]!;
        dH += h * (1 - 2 * si) * da[i]!;
      }
      g /= n;
      H = safe ? 0.25 : Math.max(H / n, 1e-6 / 4);
      dg /= n;
      dH = safe ? 0 : dH / n;
      const dB = -g / H;
      const dJ = -dg / H + (g * dH) / (H * H);
      b += dB;
      Jb += dJ;
      for (let i = 0; i < n; i++) {
        a[i] += dB;
        da[i] += dJ;
        sg[i] = sigmoid(a[i]!);
      }
      maxDJ = Math.max(maxDJ, Math.abs(dJ));
      maxJ = Math.max(maxJ, Math.abs(Jb));
    }
    if (check) {
      let gb = 0;
      for (let i = 0; i < n; i++) {
        resid[i] = sg[i]! - zt[i]!;
        gb += resid[i]!;
      }
      gb /= n;
      for (let j = 0; j < p; j++) grad[j] = colDot(d, j, resid, 0) / n;
      kkt = kktViolation(beta, grad, gb, lambda, fit);
      if (kkt <= opts.tol && maxDJ <= opts.tolJac * Math.max(maxJ, 1e-300)) {
        converged = true;
        break;
      }
      // SAFEGUARD: the local-curvature step is not guaranteed to descend (a coordinate whose samples
      // are saturated has a tiny H_j); if the KKT violation grows tenfold between two checks (or is
      // not finite), switch for good to the global bound ‖X_j‖²/(4n) (H_b = 1/4), a descent step
      if (!safe && (!Number.isFinite(kkt) || kkt > 10 * prevKkt)) safe = true;
      prevKkt = Math.min(prevKkt, kkt);
    }
  }
  return { beta, intercept: b, linearPredictor: a, kkt, converged, iterations: epochs, epochs, jac: J, jacIntercept: Jb };
}
