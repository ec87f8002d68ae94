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
 * of proximal coordinate descent with step 1/L_j, L_j = ‖X_j‖²/(4n), L_b = 1/4:
 *
 *   β_j ← ST(β_j − ∇_jL/L_j, λ/L_j),          J_j ← 1{β_j ≠ 0}(J_j − (X_jᵀ diag(h) dA)/(n L_j) − λ s_j/L_j)
 *   b   ← b − ∇_bL/L_b,                        J_b ← J_b − (1ᵀ diag(h) dA)/(n L_b)
 *
 * with h = σ(a)(1 − σ(a)), dA = X J + J_b 1 = ∂a/∂log λ kept up to date like a.
 *
 * `SparseProblem` solves the logistic model with src/lasso's `sparseLogreg` (working-set proximal
 * Newton, duality-gap stopping); this file provides the forward-mode differentiation of the
 * algorithm ('forward' method). (The small independent proximal-Newton solver used as a cross-check
 * lives with the tests: test/fixtures/logreg_solve.ts.)
 */
import type { PreparedDesign } from './design.js';
import { colAddRaw, colDot, colDotW } from './hypergrad_core.js';
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
 * tolJac (relative) over an epoch. Slow (first-order) — a cross-check, not the default.
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
  const sg = new Float64Array(n); // σ(a) − z
  const h = new Float64Array(n); // σ(1−σ)
  const setI = (i: number): void => {
    const s = sigmoid(a[i]!);
    sg[i] = s - (ys[i]! > 0 ? 1 : 0);
    h[i] = s * (1 - s);
  };
  for (let i = 0; i < n; i++) setI(i);
  const grad = new Float64Array(p);
  let epochs = 0;
  let kkt = Infinity;
  let converged = false;
  const updateCol = (j: number, dBeta: number, dJ: number): void => {
    if (!d.isSparse) {
      const o = j * n;
      for (let i = 0; i < n; i++) {
        const x = d.data[o + i]!;
        a[i] += dBeta * x;
        da[i] += dJ * x;
        setI(i);
      }
    } else {
      for (let k = d.indptr[j]!; k < d.indptr[j + 1]!; k++) {
        const i = d.indices[k]!;
        a[i] += dBeta * d.data[k]!;
        da[i] += dJ * d.data[k]!;
        setI(i);
      }
    }
  };
  while (epochs < opts.maxEpochs) {
    epochs++;
    let maxDJ = 0;
    let maxJ = 0;
    for (let j = 0; j < p; j++) {
      const Nj = d.colNormsSq[j]!;
      if (Nj === 0) continue;
      const L = Nj / (4 * n);
      const g = colDot(d, j, sg, 0) / n;
      const dg = colDotW(d, j, h, da) / n;
      const bj = beta[j]!;
      const z = bj - g / L;
      const thr = lambda / L;
      const nb = z > thr ? z - thr : z < -thr ? z + thr : 0;
      const nJ = nb === 0 ? 0 : J[j]! - dg / L - (lambda * Math.sign(nb)) / L;
      const dB = nb - bj;
      const dJ = nJ - J[j]!;
      if (dB !== 0 || dJ !== 0) {
        beta[j] = nb;
        J[j] = nJ;
        updateCol(j, dB, dJ);
      }
      maxDJ = Math.max(maxDJ, Math.abs(dJ));
      maxJ = Math.max(maxJ, Math.abs(nJ));
    }
    if (fit) {
      let g = 0, dg = 0;
      for (let i = 0; i < n; i++) {
        g += sg[i]!;
        dg += h[i]! * da[i]!;
      }
      const dB = -(g / n) / 0.25;
      const dJ = -(dg / n) / 0.25;
      b += dB;
      Jb += dJ;
      for (let i = 0; i < n; i++) {
        a[i] += dB;
        da[i] += dJ;
        setI(i);
      }
      maxDJ = Math.max(maxDJ, Math.abs(dJ));
      maxJ = Math.max(maxJ, Math.abs(Jb));
    }
    if (epochs % 10 === 0 || epochs === opts.maxEpochs) {
      let gb = 0;
      for (let i = 0; i < n; i++) gb += sg[i]!;
      gb /= n;
      for (let j = 0; j < p; j++) grad[j] = colDot(d, j, sg, 0) / n;
      kkt = kktViolation(beta, grad, gb, lambda, fit);
      if (kkt <= opts.tol && maxDJ <= opts.tolJac * Math.max(maxJ, 1e-300)) {
        converged = true;
        break;
      }
    }
  }
  return { beta, intercept: b, linearPredictor: a, kkt, converged, iterations: epochs, epochs, jac: J, jacIntercept: Jb };
}
