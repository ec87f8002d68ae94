/**
 * @file Kink selections: which element of the conservative (Clarke) Jacobian a nonsmooth primitive
 * returns where it is not differentiable, and reporting of kink hits.
 *
 * At a kink a scalar primitive has a left derivative `l` and a right derivative `r`; its Clarke
 * derivative there is the interval conv{l, r}. A selection picks `l + t·(r − l)` with t ∈ [0, 1]:
 *
 * | policy            | t                                            |
 * |-------------------|----------------------------------------------|
 * | `minNorm` (default) | the t giving the element of least magnitude |
 * | `left`            | 0 (the left derivative)                       |
 * | `right`           | 1 (the right derivative)                      |
 * | `{kind:'fixed',t}`| the given t                                   |
 * | `{kind:'random',seed}` | uniform t per kink element: a hash of (seed, element index) |
 *
 * Ties among k inputs of a max-type primitive (maximum, max reduction, maxPool) distribute the
 * derivative with weights on the tied inputs (in index order): `minNorm` 1/k each, `left` all on the
 * first, `right` all on the last, `fixed` (1−t) on the first and t on the last, `random` a uniform
 * random point of the simplex.
 *
 * Policies are set per call (an op's `kink` option) or for a scope (`withKinkPolicy`). The policy
 * in force when the op is *evaluated* is recorded with it, so a later backward pass uses it.
 *
 * Random selections are ONE element of the Clarke set per evaluation. A random selection is a pure
 * function of the op call's seed and the element (or tie group) index — no stream is consumed by the
 * derivative rules, so JVP rule, VJP rule and repeated pullbacks agree. Under a scope-wide random
 * policy the k-th nonsmooth op call of the scope gets the seed hash(scope seed, k); a transform that
 * re-runs the function (forward-mode `jacobian`, hence `hessian`) rewinds the counter before each
 * run ({@link kinkRewinder}), so every run draws the same seeds and forward mode, reverse mode and
 * nested transforms select the same element.
 *
 * NaN: where the input of a nonsmooth primitive is NaN, the value is NaN and so is the derivative
 * entry (no policy turns a NaN into a finite selection).
 */
import { InvalidArgumentError } from '../core/errors.js';

export type KinkPolicy =
  | 'minNorm'
  | 'left'
  | 'right'
  | { readonly kind: 'minNorm' }
  | { readonly kind: 'left' }
  | { readonly kind: 'right' }
  | { readonly kind: 'fixed'; readonly t: number }
  | { readonly kind: 'random'; readonly seed: number };

/** Normalised policy object; `random` carries its stream. */
export type ResolvedKinkPolicy =
  | { readonly kind: 'minNorm' }
  | { readonly kind: 'left' }
  | { readonly kind: 'right' }
  | { readonly kind: 'fixed'; readonly t: number }
  | { readonly kind: 'random'; readonly seed: number };

const MIN_NORM: ResolvedKinkPolicy = { kind: 'minNorm' };
const LEFT: ResolvedKinkPolicy = { kind: 'left' };
const RIGHT: ResolvedKinkPolicy = { kind: 'right' };

/** Validates and normalises a user policy. */
export function resolveKinkPolicy(p: KinkPolicy): ResolvedKinkPolicy {
  const kind = typeof p === 'string' ? p : p.kind;
  switch (kind) {
    case 'minNorm':
      return MIN_NORM;
    case 'left':
      return LEFT;
    case 'right':
      return RIGHT;
    case 'fixed': {
      const t = (p as { t: number }).t;
      if (!(t >= 0 && t <= 1)) throw new InvalidArgumentError(`kink policy 'fixed' needs t in [0, 1], got ${t}`);
      return { kind: 'fixed', t };
    }
    case 'random': {
      const seed = (p as { seed: number }).seed;
      if (typeof seed !== 'number' || !Number.isFinite(seed)) throw new InvalidArgumentError(`kink policy 'random' needs a finite numeric seed, got ${JSON.stringify(seed)}`);
      return { kind: 'random', seed: seed >>> 0 };
    }
    default:
      throw new InvalidArgumentError(`unknown kink policy ${JSON.stringify(p)}; use minNorm, left, right, {kind:'fixed',t} or {kind:'random',seed}`);
  }
}

/** 32-bit avalanche mix (murmur3 finaliser). */
function mix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** @internal A 32-bit hash of (seed, a, b): the seeds of sub-streams and random selections. */
export function hashSeed(seed: number, a: number, b = 0): number {
  return mix32(mix32(mix32(seed ^ 0x9e3779b9) ^ Math.imul(a + 1, 0x27d4eb2f)) ^ Math.imul(b + 1, 0x165667b1));
}

/** @internal Uniform in [0, 1), a pure function of (seed, a, b). */
export function kinkUniform(seed: number, a: number, b = 0): number {
  const hi = hashSeed(seed, a, b) >>> 5; // 27 bits
  const lo = hashSeed(seed ^ 0x5bd1e995, a, b) >>> 6; // 26 bits
  return (hi * 67108864 + lo) / 9007199254740992;
}

/** A scope entry: its policy and, for `random`, the number of op calls that drew a seed so far. */
interface Scope {
  readonly policy: ResolvedKinkPolicy;
  calls: number;
}

const scopeStack: Scope[] = [{ policy: MIN_NORM, calls: 0 }];

/** The policy in force (innermost `withKinkPolicy`, default minNorm). */
export function currentKinkPolicy(): ResolvedKinkPolicy {
  return scopeStack[scopeStack.length - 1]!.policy;
}

/**
 * @internal For transforms that run the function several times for one evaluation (forward-mode
 * `jacobian`): returns a function that rewinds the scope's random-seed counter to its current
 * value, so every run gives every op call the same seed as the first run.
 */
export function kinkRewinder(): () => void {
  const scope = scopeStack[scopeStack.length - 1]!;
  const calls = scope.calls;
  return () => {
    scope.calls = calls;
  };
}

/**
 * Policy for one op call: the explicit option if given, else the scope's. Under a scope-wide
 * `random` policy the k-th op call of the scope gets the seed hash(scope seed, k), drawn when the op
 * is *evaluated*: evaluation order is the same in every mode, so forward and reverse mode select the
 * same Clarke elements.
 */
export function policyFor(explicit: KinkPolicy | undefined): ResolvedKinkPolicy {
  if (explicit !== undefined) return resolveKinkPolicy(explicit);
  const scope = scopeStack[scopeStack.length - 1]!;
  const p = scope.policy;
  if (p.kind !== 'random') return p;
  return { kind: 'random', seed: hashSeed(p.seed, scope.calls++) };
}

/**
 * Runs `fn` with `policy` as the default kink selection for every nonsmooth primitive evaluated
 * inside it (per-call options still win).
 *
 * @example
 * const g = withKinkPolicy('right', () => grad(x => sum(relu(x)))(zeros([3]))); // [1, 1, 1]
 */
export function withKinkPolicy<T>(policy: KinkPolicy, fn: () => T): T {
  scopeStack.push({ policy: resolveKinkPolicy(policy), calls: 0 });
  try {
    return fn();
  } finally {
    scopeStack.pop();
  }
}

/**
 * The selected derivative at a kink with one-sided derivatives `left` and `right`:
 * `left + t (right − left)` with t from the policy (`random`: t = a hash of the seed and `index`,
 * the element's flat index).
 */
export function selectDerivative(policy: ResolvedKinkPolicy, left: number, right: number, index: number): number {
  switch (policy.kind) {
    case 'left':
      return left;
    case 'right':
      return right;
    case 'fixed':
      return left + policy.t * (right - left);
    case 'random':
      return left + kinkUniform(policy.seed, index) * (right - left);
    case 'minNorm':
      // least-magnitude point of the segment [left, right]
      if ((left <= 0 && right >= 0) || (left >= 0 && right <= 0)) return 0;
      return Math.abs(left) <= Math.abs(right) ? left : right;
  }
}

/**
 * Weights over k tied inputs (in index order) for max-type primitives; they sum to 1 (`random`: the
 * last weight is 1 minus the others). Writes into `out[0..k)`.
 * `group` (the tie group's index) keys the random draws.
 */
export function tieWeights(policy: ResolvedKinkPolicy, k: number, out: Float64Array, group: number): Float64Array {
  out.fill(0, 0, k);
  if (k === 1) {
    out[0] = 1;
    return out;
  }
  switch (policy.kind) {
    case 'minNorm':
      out.fill(1 / k, 0, k);
      break;
    case 'left':
      out[0] = 1;
      break;
    case 'right':
      out[k - 1] = 1;
      break;
    case 'fixed':
      out[0] = 1 - policy.t;
      out[k - 1] += policy.t;
      break;
    case 'random': {
      // uniform point of the simplex: normalised exponentials
      let s = 0;
      for (let i = 0; i < k; i++) {
        const e = -Math.log(1 - kinkUniform(policy.seed, group, i));
        out[i] = e;
        s += e;
      }
      // the last weight closes the sum, so the weights sum to 1 up to the final rounding
      let acc = 0;
      for (let i = 0; i < k - 1; i++) acc += out[i]! /= s;
      out[k - 1] = 1 - acc;
      break;
    }
  }
  return out;
}

/** Human-readable name of a policy, for reports. */
export function describePolicy(p: ResolvedKinkPolicy): string {
  switch (p.kind) {
    case 'fixed':
      return `fixed(t=${p.t})`;
    case 'random':
      return `random(seed=${p.seed})`;
    default:
      return p.kind;
  }
}

// ---------------------------------------------------------------------------------------------
// Kink reporting

/** Counts of kink hits per primitive name during a `trackKinks` scope. */
export interface KinkReport {
  /** Total number of tensor elements evaluated exactly at a kink. */
  total: number;
  /** Per primitive name. */
  byPrimitive: Record<string, number>;
}

const trackers: KinkReport[] = [];

/** @internal True when some `trackKinks` scope is listening (kernels skip counting otherwise). */
export function isTrackingKinks(): boolean {
  return trackers.length > 0;
}

/** @internal Called by nonsmooth kernels: `count` elements of primitive `name` hit a kink. */
export function reportKinks(name: string, count: number): void {
  if (count === 0) return;
  for (const t of trackers) {
    t.total += count;
    t.byPrimitive[name] = (t.byPrimitive[name] ?? 0) + count;
  }
}

/**
 * Runs `fn` and reports how many primitive evaluations sat exactly on a kink, i.e. where the
 * derivative returned is a selection from a set rather than a gradient.
 *
 * @example
 * const { value, kinks } = trackKinks(() => relu(tensor([-1, 0, 2])));
 * kinks.total; // 1
 */
export function trackKinks<T>(fn: () => T): { value: T; kinks: KinkReport } {
  const report: KinkReport = { total: 0, byPrimitive: {} };
  trackers.push(report);
  try {
    return { value: fn(), kinks: report };
  } finally {
    trackers.splice(trackers.lastIndexOf(report), 1);
  }
}
