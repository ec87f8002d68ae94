/**
 * @file Seeded pseudo-random numbers, so every run (tests, benchmarks, random kink selections,
 * minibatches) is reproducible. xoshiro128** core with 32-bit state words, 53-bit uniform doubles,
 * Box–Muller normals.
 */
import { allocate, checkShape, ConcreteTensor, describeValue, shapeSize, type Tensor } from './tensor.js';
import { InvalidArgumentError } from './errors.js';

/** A seeded generator. Create one with `rng(seed)`. */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare: number | null = null;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new InvalidArgumentError(`rng(): seed must be a finite number, got ${seed}`);
    // splitmix32 to spread the seed over the four state words
    let x = (Math.floor(seed) ^ 0x9e3779b9) >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  /** Next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    this.s0 >>>= 0;
    this.s1 >>>= 0;
    this.s2 >>>= 0;
    this.s3 >>>= 0;
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  random(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform double in [low, high). */
  uniformScalar(low = 0, high = 1): number {
    return low + (high - low) * this.random();
  }

  /** Standard normal double (Box–Muller, caching the second value). */
  normalScalar(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.random();
    const v = this.random();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Integer uniform in [0, n). */
  int(n: number): number {
    return Math.floor(this.random() * n);
  }

  /** Tensor of uniforms in [low, high). @example rng(0).uniform([2, 2], -1, 1) */
  uniform(shape: readonly number[], low = 0, high = 1): Tensor {
    const s = checkShape(shape, 'rng().uniform()');
    checkNumbers('rng().uniform()', ['low', low], ['high', high]);
    const d = allocate(shapeSize(s), 'rng().uniform()');
    for (let i = 0; i < d.length; i++) d[i] = this.uniformScalar(low, high);
    return new ConcreteTensor(d, s);
  }

  /** Tensor of normals with the given mean and standard deviation. @example rng(0).normal([3]) */
  normal(shape: readonly number[], mean = 0, std = 1): Tensor {
    const s = checkShape(shape, 'rng().normal()');
    checkNumbers('rng().normal()', ['mean', mean], ['std', std]);
    const d = allocate(shapeSize(s), 'rng().normal()');
    for (let i = 0; i < d.length; i++) d[i] = mean + std * this.normalScalar();
    return new ConcreteTensor(d, s);
  }

  /** Fills a Float64Array with standard normals (kernel-level helper). */
  fillNormal(out: Float64Array): Float64Array {
    for (let i = 0; i < out.length; i++) out[i] = this.normalScalar();
    return out;
  }

  /** A random permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
    }
    return p;
  }
}

function checkNumbers(where: string, ...args: [string, unknown][]): void {
  for (const [name, v] of args) {
    if (typeof v !== 'number' || Number.isNaN(v)) throw new InvalidArgumentError(`${where}: argument ${name} must be a number, got ${describeValue(v)}`);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** A seeded random generator. @example const g = rng(42); const x = g.normal([3, 3]); */
export function rng(seed: number): Rng {
  return new Rng(seed);
}
