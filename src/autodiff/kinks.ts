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
 * | `{kind:'random',seed}` | uniform t per kink element, from a seeded stream |
 *
 * Ties among k inputs of a max-type primitive (maximum, max reduction, maxPool) distribute the
 * derivative with weights on the tied inputs (in index order): `minNorm` 1/k each, `left` all on the
 * first, `right` all on the last, `fixed` (1−t) on the first and t on the last, `random` a uniform
 * random point of the simplex.
 *
 * Policies are set per call (an op's `kink` option) or for a scope (`withKinkPolicy`). The policy
 * in force when the op is *evaluated* is recorded with it, so a later backward pass uses it.
 */
import { InvalidArgumentError } from '../core/errors.js';
import { Rng } from '../core/rng.js';

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
  | { readonly kind: 'random'; readonly seed: number; readonly rng: Rng };

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
      return { kind: 'random', seed, rng: new Rng(seed) };
    }
    default:
      throw new InvalidArgumentError(`unknown kink policy ${JSON.stringify(p)}; use minNorm, left, right, {kind:'fixed',t} or {kind:'random',seed}`);
  }
}

const scopeStack: ResolvedKinkPolicy[] = [MIN_NORM];

/** The policy in force (innermost `withKinkPolicy`, default minNorm). */
export function currentKinkPolicy(): ResolvedKinkPolicy {
  return scopeStack[scopeStack.length - 1]!;
}

/**
 * Policy for one op call: the explicit option if given, else the scope's. A scope-wide `random`
 * policy hands each op call its own sub-stream, drawn when the op is *evaluated*: evaluation order
 * is the same in every mode, so forward and reverse mode select the same Clarke elements (the
 * derivative rules memoise their selection per evaluation, see `ops/selection.ts`).
 */
export function policyFor(explicit: KinkPolicy | undefined): ResolvedKinkPolicy {
  if (explicit !== undefined) return resolveKinkPolicy(explicit);
  const scope = currentKinkPolicy();
  if (scope.kind !== 'random') return scope;
  const sub = scope.rng.nextUint32();
  return { kind: 'random', seed: sub, rng: new Rng(sub) };
}

/**
 * Runs `fn` with `policy` as the default kink selection for every nonsmooth primitive evaluated
 * inside it (per-call options still win).
 *
 * @example
 * const g = withKinkPolicy('right', () => grad(x => sum(relu(x)))(zeros([3]))); // [1, 1, 1]
 */
export function withKinkPolicy<T>(policy: KinkPolicy, fn: () => T): T {
  scopeStack.push(resolveKinkPolicy(policy));
  try {
    return fn();
  } finally {
    scopeStack.pop();
  }
}

/**
 * The selected derivative at a kink with one-sided derivatives `left` and `right`:
 * `left + t (right − left)` with t from the policy.
 */
export function selectDerivative(policy: ResolvedKinkPolicy, left: number, right: number): number {
  switch (policy.kind) {
    case 'left':
      return left;
    case 'right':
      return right;
    case 'fixed':
      return left + policy.t * (right - left);
    case 'random':
      return left + policy.rng.random() * (right - left);
    case 'minNorm':
      // least-magnitude point of the segment [left, right]
      if ((left <= 0 && right >= 0) || (left >= 0 && right <= 0)) return 0;
      return Math.abs(left) <= Math.abs(right) ? left : right;
  }
}

/**
 * Weights over k tied inputs (in index order) for max-type primitives; they sum to 1.
 * Writes into `out[0..k)`.
 */
export function tieWeights(policy: ResolvedKinkPolicy, k: number, out: Float64Array = new Float64Array(k)): Float64Array {
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
        const e = -Math.log(1 - policy.rng.random());
        out[i] = e;
        s += e;
      }
      for (let i = 0; i < k; i++) out[i]! /= s;
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
