/**
 * @file Synthetic regression / classification problems, all seeded (`rng` of `core/rng.ts`).
 *
 * - `makeCorrelatedData`: port of celer's `make_correlated_data` — dense design whose columns follow
 *   an AR(1) process across features (corr(X_j, X_k) = ρ^|j−k|), a sparse ground truth w* and noise
 *   scaled to a prescribed signal-to-noise ratio ‖Xw*‖ / ‖ε‖.
 * - `makeSparseRegression`: CSC design with i.i.d. Bernoulli(density) sparsity pattern (rcv1-sized
 *   benchmarks), same w* / SNR recipe.
 * - `makeClassification`: labels 0/1 from the sign of a noisy linear score (sparse logistic
 *   regression), on either kind of design.
 */
import { InvalidArgumentError } from '../core/errors.js';
import { rng, type Rng } from '../core/rng.js';
import { matVec, type DenseDesign, type DesignMatrix } from './dataset.js';
import { CscMatrix } from '../linalg/sparse/csc.js';

/** A synthetic problem: design, target and the ground-truth coefficients. */
export interface SyntheticData<X extends DesignMatrix = DesignMatrix> {
  X: X;
  y: Float64Array;
  wTrue: Float64Array;
}

function checkSize(n: number, p: number, fn: string): void {
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${fn}(): nSamples must be a positive integer, got ${n}`);
  if (!Number.isInteger(p) || p < 1) throw new InvalidArgumentError(`${fn}(): nFeatures must be a positive integer, got ${p}`);
}

function checkSnr(snr: number, fn: string): void {
  if (!(snr >= 0)) throw new InvalidArgumentError(`${fn}(): snr must be >= 0 (Infinity = no noise), got ${snr}`);
}

function norm2(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s);
}

/** w* with `k` N(0,1) entries at distinct random positions. */
function sparseTruth(g: Rng, p: number, k: number): Float64Array {
  const w = new Float64Array(p);
  const perm = g.permutation(p);
  for (let t = 0; t < k; t++) w[perm[t]!] = g.normalScalar();
  return w;
}

/**
 * y = signal + ε·‖signal‖/(snr·‖ε‖), ε ~ N(0, I) (in place on `signal`); snr = 0 gives y = ε,
 * snr = ∞ gives y = signal (celer's convention).
 */
function addNoise(g: Rng, signal: Float64Array, snr: number): Float64Array {
  const n = signal.length;
  const noise = g.fillNormal(new Float64Array(n));
  if (snr === 0) return noise;
  if (snr === Infinity) return signal;
  const scale = norm2(signal) / (snr * norm2(noise));
  for (let i = 0; i < n; i++) signal[i]! += scale * noise[i]!;
  return signal;
}

/** Options of `makeCorrelatedData`. */
export interface CorrelatedDataOptions {
  /** AR(1) correlation ρ between consecutive features, in (−1, 1). Default 0.6. */
  corr?: number;
  /** ‖Xw*‖ / ‖noise‖; 0 = pure noise, Infinity = no noise. Default 3. */
  snr?: number;
  /** Fraction of non-zero entries of w* (round(density·p) of them). Default 0.2. */
  density?: number;
  /** Seed. Default 0. */
  seed?: number;
  /** Use this w* instead of drawing one (length nFeatures). */
  wTrue?: Float64Array;
}

/**
 * Dense correlated regression data (celer's `make_correlated_data`): rows i.i.d., within a row
 * X[:, 0] ~ N(0, 1) and X[:, j+1] = ρ X[:, j] + sqrt(1 − ρ²) ε_j, so every column is N(0, 1) and
 * corr(X_j, X_k) = ρ^|j−k|; w* has round(density·p) N(0, 1) entries at random positions; y = Xw* +
 * noise with ‖Xw*‖/‖noise‖ = snr exactly. X is column-major.
 *
 * @example
 * const { X, y, wTrue } = makeCorrelatedData(100, 50, { corr: 0.6, snr: 3, density: 0.2, seed: 0 });
 */
export function makeCorrelatedData(nSamples: number, nFeatures: number, opts: CorrelatedDataOptions = {}): SyntheticData<DenseDesign> {
  const fn = 'makeCorrelatedData';
  checkSize(nSamples, nFeatures, fn);
  const { corr = 0.6, snr = 3, density = 0.2, seed = 0 } = opts;
  if (!(corr > -1 && corr < 1)) throw new InvalidArgumentError(`${fn}(): corr must be in (-1, 1), got ${corr}`);
  checkSnr(snr, fn);
  if (!(density >= 0 && density <= 1)) throw new InvalidArgumentError(`${fn}(): density must be in [0, 1], got ${density}`);
  const n = nSamples;
  const p = nFeatures;
  const g = rng(seed);
  const sigma = Math.sqrt(1 - corr * corr);
  const data = new Float64Array(n * p);
  for (let i = 0; i < n; i++) data[i] = g.normalScalar();
  for (let j = 1; j < p; j++) {
    const o = j * n;
    const prev = o - n;
    for (let i = 0; i < n; i++) data[o + i] = corr * data[prev + i]! + sigma * g.normalScalar();
  }
  let wTrue: Float64Array;
  if (opts.wTrue) {
    if (opts.wTrue.length !== p) throw new InvalidArgumentError(`${fn}(): wTrue has length ${opts.wTrue.length}, expected nFeatures = ${p}`);
    wTrue = Float64Array.from(opts.wTrue);
  } else {
    wTrue = sparseTruth(g, p, Math.round(density * p));
  }
  const X: DenseDesign = { kind: 'dense', nRows: n, nCols: p, data };
  const y = addNoise(g, matVec(X, wTrue), snr);
  return { X, y, wTrue };
}

/** Options of `makeSparseRegression`. */
export interface SparseRegressionOptions {
  /** Probability that an entry of X is non-zero (independently). Default 0.002. */
  density?: number;
  /** Number of non-zero coefficients of w* (N(0, 1) at random positions). Default max(1, round(0.01·p)). */
  nInformative?: number;
  /** ‖Xw*‖ / ‖noise‖; 0 = pure noise, Infinity = no noise. Default 3. */
  snr?: number;
  /** Seed. Default 0. */
  seed?: number;
  /** Distribution of the non-zero entries of X: N(0, 1) or uniform on (0, 1] (tf-idf-like). Default 'normal'. */
  values?: 'normal' | 'uniform';
}

/** CSC matrix with i.i.d. Bernoulli(density) pattern, via geometric gaps (O(nnz) work). */
function sparseDesign(g: Rng, n: number, p: number, density: number, values: 'normal' | 'uniform'): CscMatrix {
  const indptr = new Int32Array(p + 1);
  let cap = Math.ceil(n * p * density * 1.05) + 64;
  let indices = new Int32Array(cap);
  let vals = new Float64Array(cap);
  let nnz = 0;
  const logq = density < 1 ? Math.log1p(-density) : 0;
  for (let j = 0; j < p; j++) {
    if (density > 0) {
      let r = -1;
      for (;;) {
        if (density >= 1) r++;
        else {
          const u = 1 - g.random(); // (0, 1]
          r += 1 + Math.floor(Math.log(u) / logq);
        }
        if (r >= n) break;
        if (nnz === cap) {
          cap = Math.ceil(cap * 1.5);
          const i2 = new Int32Array(cap);
          i2.set(indices);
          indices = i2;
          const v2 = new Float64Array(cap);
          v2.set(vals);
          vals = v2;
        }
        indices[nnz] = r;
        vals[nnz] = values === 'normal' ? g.normalScalar() : 1 - g.random();
        nnz++;
      }
    }
    indptr[j + 1] = nnz;
  }
  return new CscMatrix(n, p, indptr, indices.slice(0, nnz), vals.slice(0, nnz), { check: false });
}

function checkSparseOpts(fn: string, p: number, density: number, nInformative: number, snr: number): void {
  if (!(density >= 0 && density <= 1)) throw new InvalidArgumentError(`${fn}(): density must be in [0, 1], got ${density}`);
  if (!Number.isInteger(nInformative) || nInformative < 0 || nInformative > p) {
    throw new InvalidArgumentError(`${fn}(): nInformative must be an integer in [0, ${p}], got ${nInformative}`);
  }
  checkSnr(snr, fn);
}

/**
 * Sparse regression data: X is n × p CSC with each entry non-zero with probability `density`
 * (values N(0, 1) or uniform), w* has `nInformative` N(0, 1) entries, y = Xw* + noise with
 * ‖Xw*‖/‖noise‖ = snr.
 *
 * @example
 * // rcv1-sized benchmark problem: 20,000 × 50,000, ~2M non-zeros
 * const { X, y } = makeSparseRegression(20000, 50000, { density: 0.002, nInformative: 500, seed: 1 });
 */
export function makeSparseRegression(nSamples: number, nFeatures: number, opts: SparseRegressionOptions = {}): SyntheticData<CscMatrix> {
  const fn = 'makeSparseRegression';
  checkSize(nSamples, nFeatures, fn);
  const { density = 0.002, snr = 3, seed = 0, values = 'normal' } = opts;
  const nInformative = opts.nInformative ?? Math.min(nFeatures, Math.max(1, Math.round(0.01 * nFeatures)));
  checkSparseOpts(fn, nFeatures, density, nInformative, snr);
  const g = rng(seed);
  const X = sparseDesign(g, nSamples, nFeatures, density, values);
  const wTrue = sparseTruth(g, nFeatures, nInformative);
  const y = addNoise(g, matVec(X, wTrue), snr);
  return { X, y, wTrue };
}

/** Options of `makeClassification`. */
export interface ClassificationOptions {
  /** 'csc' (default): Bernoulli(xDensity) sparse design; 'dense': AR(1)-correlated dense design. */
  design?: 'csc' | 'dense';
  /** Probability that an entry of X is non-zero ('csc' only). Default 0.002. */
  xDensity?: number;
  /** AR(1) correlation between consecutive features ('dense' only). Default 0.6. */
  corr?: number;
  /** Number of non-zero coefficients of w*. Default max(1, round(0.01·p)) for csc, round(0.2·p) for dense. */
  nInformative?: number;
  /** ‖Xw*‖ / ‖noise‖ of the latent score. Default 3. */
  snr?: number;
  /** Seed. Default 0. */
  seed?: number;
  /** Non-zero value distribution ('csc' only). Default 'normal'. */
  values?: 'normal' | 'uniform';
}

/**
 * Binary classification data for (sparse) logistic regression: a latent score s = Xw* + noise (at
 * the given SNR) and labels y_i = 1 if s_i > 0 else 0.
 *
 * @example
 * const { X, y, wTrue } = makeClassification(500, 2000, { xDensity: 0.01, nInformative: 20, seed: 3 });
 * // y ∈ {0, 1}^500, X is CSC
 */
export function makeClassification(nSamples: number, nFeatures: number, opts: ClassificationOptions = {}): SyntheticData {
  const fn = 'makeClassification';
  checkSize(nSamples, nFeatures, fn);
  const design = opts.design ?? 'csc';
  let res: SyntheticData;
  if (design === 'dense') {
    const k = opts.nInformative ?? Math.round(0.2 * nFeatures);
    checkSparseOpts(fn, nFeatures, 1, k, opts.snr ?? 3);
    res = makeCorrelatedData(nSamples, nFeatures, { corr: opts.corr, snr: opts.snr, density: k / nFeatures, seed: opts.seed });
  } else if (design === 'csc') {
    res = makeSparseRegression(nSamples, nFeatures, {
      density: opts.xDensity,
      nInformative: opts.nInformative,
      snr: opts.snr,
      seed: opts.seed,
      values: opts.values,
    });
  } else {
    throw new InvalidArgumentError(`${fn}(): design must be 'csc' or 'dense', got '${String(design)}'`);
  }
  const y = new Float64Array(nSamples);
  for (let i = 0; i < nSamples; i++) y[i] = res.y[i]! > 0 ? 1 : 0;
  return { X: res.X, y, wTrue: res.wTrue };
}
