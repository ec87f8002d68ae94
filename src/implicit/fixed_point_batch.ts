/**
 * @file Per-sample fixed-point solvers for a batch of independent problems z_s = g_s(z_s)
 * (s = 0..B−1, each z_s of dimension d): damped fixed-point iteration and Anderson acceleration,
 * on concrete `Float64Array`s. Used by the forward pass of `deq` (src/nn/deq/), but not
 * NN-specific: any row-separable map g works.
 *
 * Per-sample stopping: sample s stops when ‖g(z_s) − z_s‖ ≤ max(tol, rtol·‖g(z_s)‖); the map is
 * then called on the still-active rows only (`g(zRows, rows)`), so converged samples stop costing
 * work (torchdeq stops the batch on its worst sample). Every sample returns its own status,
 * iteration count and residual, and its LOWEST-residual iterate (not the last one).
 *
 * Damped fixed point:  z⁺ = (1 − β)·z + β·g(z).
 *
 * Anderson (type II, Walker & Ni 2011), per sample, memory m: with the last p ≤ m iterates
 * X_j, values F_j = g(X_j) and residuals G_j = F_j − X_j,
 *
 *   α = argmin ‖Σ_j α_j G_j‖² + λ·h·‖α‖²  s.t. Σ_j α_j = 1      (h = max_j ‖G_j‖², scale-free ridge)
 *     = y / (1ᵀy)  with  (GGᵀ + λ h I) y = 1
 *   z⁺ = β·Σ_j α_j F_j + (1 − β)·Σ_j α_j X_j.
 *
 * Broyden (limited-memory "good" Broyden on the root of r(z) = f(z) − z), per sample: an inverse
 * Jacobian estimate H = −I + Σ_i u_i v_iᵀ (at most m pairs; the oldest is dropped), step
 * z⁺ = z − β·H r(z), and after each step (s = Δz, y = Δr) the Sherman–Morrison update
 * H ← H + (s − Hy)(sᵀH) / (sᵀHy), i.e. u = (s − Hy)/(sᵀHy), v = Hᵀs.
 *
 * Broyden's optional line search (`lineSearch: true`, off by default; as the DEQ reference
 * implementations' `line_search` option): per sample, the step z⁺ = z + t·p (p = −H r, t = β first)
 * is accepted when φ(t) = ‖r(z + t p)‖² ≤ (1 − 2c·t)·φ(0) (Armijo, c = 1e-4, with φ'(0) ≈ −2φ(0)
 * for the Newton-like direction); otherwise t is cut by quadratic interpolation
 * t ← t²φ(0) / (φ(t) − φ(0) + 2tφ(0)) clamped to [0.1t, 0.5t], at most `maxBacktracks` times (then
 * the step is taken anyway). Each trial point costs one evaluation of g on that sample only (counted
 * in its iterations); the Broyden pair is formed from the accepted point.
 *
 * Safeguard (Anderson and Broyden): when a sample's residual grows by more than the factor `safeguard` from one
 * iteration to the next, its history is cleared and the next step is a damped fixed-point step
 * from its best iterate so far.
 *
 * A non-finite value produced by g stops the solve with a `NonFiniteError` naming the sample and
 * the iteration. Non-convergence follows `onFailure` (a `ConvergenceError` carrying the report by
 * default; under 'warn' / 'return' the best iterates come back with their per-sample status).
 */
import { ConvergenceError, InvalidArgumentError, NonFiniteError, NotPositiveDefiniteError } from '../core/errors.js';
import { handleFailure, failurePolicy, type FailurePolicy } from '../core/failure.js';
import { checkCount, checkOptions, checkPositive } from '../core/options.js';
import { choleskyFactor, choleskySolve } from '../linalg/dense/cholesky.js';

/** Forward solver of a batched fixed point. */
export type BatchFixedPointMethod = 'fixed-point' | 'anderson' | 'broyden';

/** Options of {@link solveBatchFixedPoint}. */
export interface BatchFixedPointOptions {
  /** `'anderson'` (default), `'broyden'` (limited-memory good Broyden on f(z) − z = 0) or `'fixed-point'` (damped iteration). */
  method?: BatchFixedPointMethod;
  /** Absolute residual tolerance per sample. Default 1e-8. */
  tol?: number;
  /** Relative residual tolerance per sample (against ‖g(z_s)‖). Default 1e-8. */
  rtol?: number;
  /** Iteration budget per sample. Default 200. */
  maxIter?: number;
  /** Damping β ∈ (0, 1] (both methods). Default 1 for fixed point, 1 for Anderson. */
  damping?: number;
  /** Anderson / Broyden memory m ≥ 1. Default 5. */
  memory?: number;
  /** Anderson ridge λ ≥ 0 (relative to the largest ‖G_j‖²). Default 1e-8. */
  ridge?: number;
  /** Anderson / Broyden safeguard factor ≥ 1: a residual growing by more than this restarts the sample. Default 10 (1 = restart on any increase). */
  safeguard?: number;
  /** Broyden only: per-sample backtracking (Armijo) line search on ‖f(z) − z‖ (see the file header). Default false. */
  lineSearch?: boolean;
  /** Largest number of step cuts of the line search per step. Default 8. */
  maxBacktracks?: number;
  /**
   * `'sample'` (default): a converged sample leaves the active set. `'batch'`: every sample keeps
   * iterating until all have converged (torchdeq's batch-global stopping; for comparisons). A
   * sample's status is its own in both modes.
   */
  stopping?: 'sample' | 'batch';
  /** Failure policy for non-converged samples. Default `'throw'`. */
  onFailure?: FailurePolicy;
  /**
   * Iteration numbers (increasing, ≥ 1) at which to keep a copy of the iterates (`result.snapshots`):
   * per sample, the iterate g was evaluated at in that iteration, or its returned iterate when it
   * stopped before (fixed-point correction losses of DEQs use them). Default: none.
   */
  snapshots?: readonly number[];
  /** Name used in messages. Default `'solveBatchFixedPoint'`. */
  name?: string;
}

/** Per-sample outcome of {@link solveBatchFixedPoint}. */
export interface BatchFixedPointReport {
  method: BatchFixedPointMethod;
  /** Number of samples B and dimension d of each. */
  batch: number;
  dim: number;
  /** Per sample: 1 when its residual met the tolerance. */
  converged: Uint8Array;
  /** Per sample: iterations (evaluations of g on that sample). */
  iterations: Int32Array;
  /** Per sample: ‖g(z_s) − z_s‖₂ at the returned (best) iterate. */
  residuals: Float64Array;
  /** Per sample: residual / max(‖g(z_s)‖, tiny). */
  relativeResiduals: Float64Array;
  /** All samples converged. */
  allConverged: boolean;
  /** Fraction of samples converged. */
  fractionConverged: number;
  /** Mean and max of `iterations`. */
  meanIterations: number;
  maxIterations: number;
  /** Row evaluations of g (Σ_s iterations: the forward work). */
  rowEvaluations: number;
  /** Number of calls of g (batched calls). */
  calls: number;
  /** Anderson restarts by the safeguard (total over samples). */
  safeguardRestarts: number;
  /** Step cuts of Broyden's line search (total over samples; 0 without it). */
  backtracks: number;
}

/** The result: best iterates [B·d] and the report (and the iterates at `snapshots`, each B·d). */
export interface BatchFixedPointResult {
  z: Float64Array;
  report: BatchFixedPointReport;
  snapshots: Float64Array[];
}

const KEYS = ['method', 'stopping', 'tol', 'rtol', 'maxIter', 'damping', 'memory', 'ridge', 'safeguard', 'lineSearch', 'maxBacktracks', 'snapshots', 'onFailure', 'name'];

/** ‖a − b‖₂ (or ‖a‖₂ when b is null) over [off, off + d), scaled against overflow. */
function scaledNorm(a: Float64Array, b: Float64Array | null, off: number, d: number): number {
  let mx = 0;
  for (let k = 0; k < d; k++) mx = Math.max(mx, Math.abs(a[off + k]! - (b ? b[off + k]! : 0)));
  if (mx === 0 || !Number.isFinite(mx)) return mx;
  let acc = 0;
  for (let k = 0; k < d; k++) acc += ((a[off + k]! - (b ? b[off + k]! : 0)) / mx) ** 2;
  return mx * Math.sqrt(acc);
}

/** Resolved options (validated). */
export type ResolvedBatchFixedPoint = Required<Omit<BatchFixedPointOptions, 'onFailure'>> & { onFailure: FailurePolicy };

/** Validates the options of {@link solveBatchFixedPoint}, naming `where` in errors. */
export function resolveBatchFixedPointOptions(o: BatchFixedPointOptions, where: string): ResolvedBatchFixedPoint {
  checkOptions(o, KEYS, where);
  const method = o.method ?? 'anderson';
  if (method !== 'anderson' && method !== 'fixed-point' && method !== 'broyden') {
    throw new InvalidArgumentError(`${where}: option method must be 'anderson', 'broyden' or 'fixed-point', got ${JSON.stringify(method)}`);
  }
  const damping = o.damping === undefined ? 1 : checkPositive(o.damping, 'option damping', where);
  if (damping > 1) throw new InvalidArgumentError(`${where}: option damping must be in (0, 1], got ${damping}`);
  const safeguard = o.safeguard === undefined ? 10 : checkPositive(o.safeguard, 'option safeguard', where);
  if (safeguard < 1) throw new InvalidArgumentError(`${where}: option safeguard must be ≥ 1 (a growth factor of the residual), got ${safeguard}`);
  if (o.lineSearch !== undefined && typeof o.lineSearch !== 'boolean') throw new InvalidArgumentError(`${where}: option lineSearch must be a boolean, got ${String(o.lineSearch)}`);
  if (o.lineSearch && method !== 'broyden') throw new InvalidArgumentError(`${where}: option lineSearch is for method 'broyden' (got method '${method}')`);
  const snapshots = o.snapshots ?? [];
  if (!Array.isArray(snapshots) || snapshots.some((t, i) => !Number.isInteger(t) || t < 1 || (i > 0 && t <= snapshots[i - 1]!))) {
    throw new InvalidArgumentError(`${where}: option snapshots must be increasing positive iteration numbers, got ${JSON.stringify(o.snapshots)}`);
  }
  const stopping = o.stopping ?? 'sample';
  if (stopping !== 'sample' && stopping !== 'batch') throw new InvalidArgumentError(`${where}: option stopping must be 'sample' or 'batch', got ${JSON.stringify(stopping)}`);
  return {
    method,
    stopping,
    tol: o.tol === undefined ? 1e-8 : checkPositive(o.tol, 'option tol', where, true),
    rtol: o.rtol === undefined ? 1e-8 : checkPositive(o.rtol, 'option rtol', where, true),
    maxIter: o.maxIter === undefined ? 200 : checkCount(o.maxIter, where, 'option maxIter', 1),
    damping,
    memory: o.memory === undefined ? 5 : checkCount(o.memory, where, 'option memory', 1),
    ridge: o.ridge === undefined ? 1e-8 : checkPositive(o.ridge, 'option ridge', where, true),
    safeguard,
    lineSearch: o.lineSearch ?? false,
    snapshots: [...snapshots],
    maxBacktracks: o.maxBacktracks === undefined ? 8 : checkCount(o.maxBacktracks, where, 'option maxBacktracks', 1),
    onFailure: failurePolicy(o.onFailure, where),
    name: o.name ?? where,
  };
}

/**
 * Solves z_s = g_s(z_s) for every sample s of a batch, with per-sample stopping.
 *
 * `g(zRows, rows)` receives the active rows (`rows.length` × d values, row-major, in the order of
 * `rows`, indices into the batch) and returns g on them (same layout). `z0` holds B·d values.
 *
 * @example
 * // z = 0.5·z + c  (per sample): z* = 2c
 * const c = Float64Array.of(1, 2, 3, 4);          // B = 2 samples, d = 2
 * const g = (z: Float64Array, rows: Int32Array) => z.map((v, i) => 0.5 * v + c[rows[(i / 2) | 0]! * 2 + (i % 2)]!);
 * const { z, report } = solveBatchFixedPoint(g, new Float64Array(4), 2, { method: 'anderson' });
 * // z ≈ [2, 4, 6, 8], report.converged = [1, 1]
 */
export function solveBatchFixedPoint(
  g: (zRows: Float64Array, rows: Int32Array) => Float64Array,
  z0: Float64Array,
  batch: number,
  options: BatchFixedPointOptions = {},
): BatchFixedPointResult {
  return solveBatchFixedPointResolved(g, z0, batch, resolveBatchFixedPointOptions(options, options?.name ?? 'solveBatchFixedPoint'));
}

/** {@link solveBatchFixedPoint} with options already resolved (callers that validate once). */
export function solveBatchFixedPointResolved(
  g: (zRows: Float64Array, rows: Int32Array) => Float64Array,
  z0: Float64Array,
  batch: number,
  o: ResolvedBatchFixedPoint,
): BatchFixedPointResult {
  const name = o.name;
  if (!Number.isInteger(batch) || batch < 1) throw new InvalidArgumentError(`${name}: batch must be a positive integer, got ${batch}`);
  if (z0.length % batch !== 0) throw new InvalidArgumentError(`${name}: z0 has ${z0.length} values, not a multiple of the batch size ${batch}`);
  const d = z0.length / batch;
  const anderson = o.method === 'anderson';
  const broyden = o.method === 'broyden';
  const batchStop = o.stopping === 'batch';
  const m = o.memory;
  const beta = o.damping;

  const z = Float64Array.from(z0); // current iterate per sample
  const best = Float64Array.from(z0);
  const bestRes = new Float64Array(batch).fill(Infinity);
  const bestRel = new Float64Array(batch).fill(Infinity);
  const bestG = new Float64Array(batch * d); // g(best)
  const prevRes = new Float64Array(batch).fill(Infinity);
  const converged = new Uint8Array(batch);
  const iterations = new Int32Array(batch);
  // Anderson history, per sample: ring buffers of X_j and F_j (m × d each), count and head
  const histX = anderson ? new Float64Array(batch * m * d) : new Float64Array(0);
  const histF = anderson ? new Float64Array(batch * m * d) : new Float64Array(0);
  // Broyden state, per sample: previous iterate and residual, the pairs (u_i, v_i) (m × d each)
  const bPrevZ = broyden ? new Float64Array(batch * d) : new Float64Array(0);
  const bPrevR = broyden ? new Float64Array(batch * d) : new Float64Array(0);
  const bU = broyden ? new Float64Array(batch * m * d) : new Float64Array(0);
  const bV = broyden ? new Float64Array(batch * m * d) : new Float64Array(0);
  const hasPrev = new Uint8Array(batch);
  // line search state, per sample: direction p, current step t, cuts so far, φ(0) = ‖r(base)‖² (base = bPrevZ)
  const ls = broyden && o.lineSearch;
  const lsP = ls ? new Float64Array(batch * d) : new Float64Array(0);
  const lsT = new Float64Array(ls ? batch : 0);
  const lsCuts = new Int32Array(ls ? batch : 0);
  const lsPhi0 = new Float64Array(ls ? batch : 0);
  const lsOn = new Uint8Array(ls ? batch : 0);
  let backtracks = 0;
  const hy = new Float64Array(broyden ? d : 0);
  const hts = new Float64Array(broyden ? d : 0);
  const histLen = new Int32Array(batch);
  const histHead = new Int32Array(batch);
  let restarts = 0;
  let calls = 0;
  let rowEvals = 0;

  /** H·w for sample s (H = −I + Σ u_i v_iᵀ), into out; `trans` gives Hᵀ·w. */
  const applyH = (s: number, w: Float64Array, wOff: number, out: Float64Array, trans: boolean): void => {
    for (let k = 0; k < d; k++) out[k] = -w[wOff + k]!;
    const base = s * m * d;
    for (let i = 0; i < histLen[s]!; i++) {
      const a = trans ? bU : bV, b = trans ? bV : bU;
      let c = 0;
      for (let k = 0; k < d; k++) c += a[base + i * d + k]! * w[wOff + k]!;
      if (c !== 0) for (let k = 0; k < d; k++) out[k] = out[k]! + c * b[base + i * d + k]!;
    }
  };
  const broydenStep = (s: number, zr: Float64Array, fr: Float64Array, off: number, zs: Float64Array): void => {
    const r = new Float64Array(d);
    for (let k = 0; k < d; k++) r[k] = fr[off + k]! - zr[off + k]!;
    if (hasPrev[s]) {
      // s = z − z_prev, y = r − r_prev
      const sv = new Float64Array(d), yv = new Float64Array(d);
      for (let k = 0; k < d; k++) {
        sv[k] = zr[off + k]! - bPrevZ[s * d + k]!;
        yv[k] = r[k]! - bPrevR[s * d + k]!;
      }
      applyH(s, yv, 0, hy, false);
      applyH(s, sv, 0, hts, true);
      let den = 0;
      for (let k = 0; k < d; k++) den += sv[k]! * hy[k]!;
      if (Number.isFinite(den) && Math.abs(den) > 1e-300) {
        if (histLen[s] === m) {
          // drop the oldest pair
          const base = s * m * d;
          bU.copyWithin(base, base + d, base + m * d);
          bV.copyWithin(base, base + d, base + m * d);
          histLen[s] = m - 1;
        }
        const slot = s * m * d + histLen[s]! * d;
        for (let k = 0; k < d; k++) {
          bU[slot + k] = (sv[k]! - hy[k]!) / den;
          bV[slot + k] = hts[k]!;
        }
        histLen[s] = histLen[s]! + 1;
      }
    }
    bPrevZ.set(zr.subarray(off, off + d), s * d);
    bPrevR.set(r, s * d);
    hasPrev[s] = 1;
    // z⁺ = z − β·H r
    applyH(s, r, 0, hy, false);
    for (let k = 0; k < d; k++) zs[k] = zr[off + k]! - beta * hy[k]!;
    if (ls) {
      for (let k = 0; k < d; k++) lsP[s * d + k] = -hy[k]!;
      let phi0 = 0;
      for (let k = 0; k < d; k++) phi0 += r[k]! * r[k]!;
      lsPhi0[s] = phi0;
      lsT[s] = beta;
      lsCuts[s] = 0;
      lsOn[s] = 1;
    }
  };

  const snaps: Float64Array[] = [];
  let active = Int32Array.from({ length: batch }, (_, i) => i);
  const H = new Float64Array(m * m);
  const y = new Float64Array(m);
  for (let it = 1; it <= o.maxIter && active.length > 0; it++) {
    const na = active.length;
    const zr = new Float64Array(na * d);
    for (let a = 0; a < na; a++) zr.set(z.subarray(active[a]! * d, active[a]! * d + d), a * d);
    const fr = g(zr, active);
    calls++;
    rowEvals += na;
    if (!(fr instanceof Float64Array) || fr.length !== na * d) {
      throw new InvalidArgumentError(`${name}: the map returned ${fr instanceof Float64Array ? fr.length : typeof fr} values for ${na} row(s) of ${d}, expected ${na * d}`);
    }
    if (snaps.length < o.snapshots.length && o.snapshots[snaps.length] === it) {
      // stopped samples: their returned iterate; active ones: the iterate evaluated now
      const snap = Float64Array.from(best);
      for (let a = 0; a < na; a++) snap.set(zr.subarray(a * d, a * d + d), active[a]! * d);
      snaps.push(snap);
    }
    const still: number[] = [];
    for (let a = 0; a < na; a++) {
      const s = active[a]!;
      const off = a * d;
      let rn = 0, fn = 0;
      for (let k = 0; k < d; k++) {
        const fv = fr[off + k]!;
        if (!Number.isFinite(fv)) {
          throw new NonFiniteError(`${name}: the map produced a non-finite value (${fv}) for sample ${s} at iteration ${it} (coordinate ${k}); the iteration diverged or f overflowed`);
        }
        const r = fv - zr[off + k]!;
        rn += r * r;
        fn += fv * fv;
      }
      rn = Math.sqrt(rn);
      fn = Math.sqrt(fn);
      if (!Number.isFinite(rn) || !Number.isFinite(fn)) {
        // the squares overflowed: recompute with scaling (a residual is never 'converged' by Inf ≤ Inf)
        rn = scaledNorm(fr, zr, off, d);
        fn = scaledNorm(fr, null, off, d);
      }
      iterations[s] = it;
      if (rn < bestRes[s]!) {
        bestRes[s] = rn;
        bestRel[s] = rn / Math.max(fn, 1e-300);
        best.set(zr.subarray(off, off + d), s * d);
        bestG.set(fr.subarray(off, off + d), s * d);
      }
      if (Number.isFinite(rn) && rn <= Math.max(o.tol, o.rtol * fn)) {
        converged[s] = 1;
        if (bestRes[s]! < rn) {
          // the returned iterate is the one that met the test (an earlier iterate may have a smaller
          // absolute residual but fail the relative test): status and iterate must agree
          bestRes[s] = rn;
          bestRel[s] = rn / Math.max(fn, 1e-300);
          best.set(zr.subarray(off, off + d), s * d);
          bestG.set(fr.subarray(off, off + d), s * d);
        }
        if (!batchStop) continue;
      } else if (batchStop) converged[s] = 0;
      still.push(s);
      const zs = z.subarray(s * d, s * d + d);
      if (!anderson && !broyden) {
        for (let k = 0; k < d; k++) zs[k] = (1 - beta) * zr[off + k]! + beta * fr[off + k]!;
        prevRes[s] = rn;
        continue;
      }
      if (ls && lsOn[s]) {
        // Armijo test of the trial point z_base + t·p; cut t and retry (this sample only) when it fails
        const t = lsT[s]!, phi0 = lsPhi0[s]!, phi = rn * rn;
        if (!(phi <= (1 - 2e-4 * t) * phi0) && lsCuts[s]! < o.maxBacktracks) {
          const den = phi - phi0 + 2 * t * phi0;
          let tn = den > 0 ? (t * t * phi0) / den : 0.5 * t;
          tn = Math.min(0.5 * t, Math.max(0.1 * t, tn));
          lsT[s] = tn;
          lsCuts[s] = lsCuts[s]! + 1;
          backtracks++;
          for (let k = 0; k < d; k++) zs[k] = bPrevZ[s * d + k]! + tn * lsP[s * d + k]!;
          continue;
        }
        lsOn[s] = 0;
      }
      // Anderson / Broyden: safeguard first
      if (rn > o.safeguard * prevRes[s]!) {
        restarts++;
        histLen[s] = 0;
        histHead[s] = 0;
        hasPrev[s] = 0;
        const bz = best.subarray(s * d, s * d + d), bg = bestG.subarray(s * d, s * d + d);
        for (let k = 0; k < d; k++) zs[k] = (1 - beta) * bz[k]! + beta * bg[k]!;
        prevRes[s] = bestRes[s]!;
        continue;
      }
      prevRes[s] = rn;
      if (broyden) {
        broydenStep(s, zr, fr, off, zs);
        continue;
      }
      // push (X, F) into the ring
      const base = s * m * d;
      const slot = histHead[s]!;
      histX.set(zr.subarray(off, off + d), base + slot * d);
      histF.set(fr.subarray(off, off + d), base + slot * d);
      histHead[s] = (slot + 1) % m;
      const p = Math.min(histLen[s]! + 1, m);
      histLen[s] = p;
      // H = G Gᵀ (G_j = F_j − X_j), ridge λ·max diag
      let hmax = 0;
      for (let i = 0; i < p; i++) {
        for (let j = 0; j <= i; j++) {
          let acc = 0;
          const bi = base + i * d, bj = base + j * d;
          for (let k = 0; k < d; k++) acc += (histF[bi + k]! - histX[bi + k]!) * (histF[bj + k]! - histX[bj + k]!);
          H[i * p + j] = acc;
          H[j * p + i] = acc;
        }
        hmax = Math.max(hmax, H[i * p + i]!);
      }
      const lam = o.ridge * hmax + 1e-300;
      for (let i = 0; i < p; i++) H[i * p + i] = H[i * p + i]! + lam;
      let alpha: Float64Array | null = null;
      try {
        const L = choleskyFactor(H.subarray(0, p * p), p, { symmetryTol: Infinity, name: `${name} (Anderson)` });
        y.fill(1, 0, p);
        const sol = choleskySolve(L, p, y.subarray(0, p), 1);
        let sum = 0;
        for (let i = 0; i < p; i++) sum += sol[i]!;
        if (Number.isFinite(sum) && Math.abs(sum) > 1e-300) alpha = sol.map((v) => v / sum);
      } catch (e) {
        if (!(e instanceof NotPositiveDefiniteError || e instanceof NonFiniteError)) throw e;
      }
      if (!alpha) {
        // degenerate history: plain damped step, restart the history
        histLen[s] = 0;
        histHead[s] = 0;
        for (let k = 0; k < d; k++) zs[k] = (1 - beta) * zr[off + k]! + beta * fr[off + k]!;
        continue;
      }
      zs.fill(0);
      for (let j = 0; j < p; j++) {
        const aj = alpha[j]!;
        const bj = base + j * d;
        for (let k = 0; k < d; k++) zs[k] = zs[k]! + aj * (beta * histF[bj + k]! + (1 - beta) * histX[bj + k]!);
      }
    }
    active = Int32Array.from(still);
    if (batchStop && still.every((s) => converged[s] === 1)) break;
  }

  let nConv = 0, sumIt = 0, maxIt = 0;
  for (let s = 0; s < batch; s++) {
    nConv += converged[s]!;
    sumIt += iterations[s]!;
    maxIt = Math.max(maxIt, iterations[s]!);
  }
  const report: BatchFixedPointReport = {
    method: o.method,
    batch,
    dim: d,
    converged,
    iterations,
    residuals: bestRes,
    relativeResiduals: bestRel,
    allConverged: nConv === batch,
    fractionConverged: nConv / batch,
    meanIterations: sumIt / batch,
    maxIterations: maxIt,
    rowEvaluations: rowEvals,
    calls,
    safeguardRestarts: restarts,
    backtracks,
  };
  if (!report.allConverged) {
    const bad: number[] = [];
    for (let s = 0; s < batch && bad.length < 5; s++) if (!converged[s]) bad.push(s);
    let worst = 0;
    for (let s = 0; s < batch; s++) if (!converged[s]) worst = Math.max(worst, bestRes[s]!);
    handleFailure(
      o.onFailure,
      new ConvergenceError(
        `${name}: ${batch - nConv} of ${batch} sample(s) did not converge in ${o.maxIter} iterations (${o.method}; samples ${bad.join(', ')}${batch - nConv > bad.length ? ', …' : ''}; ` +
          `worst residual ${worst.toExponential(3)} > max(tol ${o.tol}, rtol ${o.rtol}·‖f(z)‖)). The map may not be a contraction; each sample's status is in the report`,
        { ...report, iterations: maxIt, residualNorm: worst, converged: false },
      ),
    );
  }
  while (snaps.length < o.snapshots.length) snaps.push(Float64Array.from(best));
  return { z: best, report, snapshots: snaps };
}
