/**
 * @file Validation of option objects: unknown keys are errors with a suggestion ("did you mean
 * `tol`?"), so a misspelt option is never silently ignored.
 */
import { InvalidArgumentError } from './errors.js';
import { describeValue } from './tensor.js';

/** Edit distance (insertions, deletions, substitutions, adjacent transpositions), case-insensitive. */
export function editDistance(a: string, b: string): number {
  a = a.toLowerCase();
  b = b.toLowerCase();
  const m = a.length;
  const n = b.length;
  const d: number[][] = Array.from({ length: m + 1 }, (_, i) => Array.from({ length: n + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= m; i++) {
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[m]![n]!;
}

/** The closest of `candidates` to `name` when it is close enough to be a plausible typo. */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const dist = editDistance(name, c);
    if (dist < bestD) {
      bestD = dist;
      best = c;
    }
  }
  const limit = Math.max(2, Math.floor(name.length / 3));
  if (best !== undefined && (bestD <= limit || best.toLowerCase().startsWith(name.toLowerCase()) || name.toLowerCase().startsWith(best.toLowerCase()))) return best;
  return undefined;
}

/**
 * Throws `InvalidArgumentError` if `options` (when given) is not a plain object or has a key not in
 * `allowed`; the message names `where`, the key, and the closest allowed key.
 * @example
 * checkOptions({ tolerance: 1e-3 }, ['tol', 'maxIter'], 'lasso()');
 * // InvalidArgumentError: lasso(): unknown option 'tolerance' (did you mean 'tol'?); allowed: tol, maxIter
 */
export function checkOptions(options: unknown, allowed: readonly string[], where: string): void {
  if (options === undefined || options === null) return;
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new InvalidArgumentError(`${where}: options must be an object, got ${Array.isArray(options) ? 'an array' : typeof options}`);
  }
  for (const key of Object.keys(options)) {
    if (allowed.includes(key)) continue;
    if ((options as Record<string, unknown>)[key] === undefined) continue;
    const hint = closestName(key, allowed);
    throw new InvalidArgumentError(
      `${where}: unknown option '${key}'${hint ? ` (did you mean '${hint}'?)` : ''}; allowed: ${allowed.join(', ')}`,
    );
  }
}

/** Throws InvalidArgumentError unless `v` is a finite number > 0 (or ≥ 0 with `allowZero`). */
export function checkPositive(v: unknown, what: string, fn: string, allowZero = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || (allowZero ? v < 0 : v <= 0)) {
    throw new InvalidArgumentError(`${fn}(): ${what} must be a ${allowZero ? 'non-negative' : 'positive'} finite number, got ${typeof v === 'number' || typeof v === 'boolean' ? String(v) : describeValue(v)}`);
  }
  return v;
}

/** `v` as an integer ≥ `min`; `InvalidArgumentError` naming `fn` and `name` otherwise. */
export function checkCount(v: unknown, fn: string, name: string, min = 0): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new InvalidArgumentError(`${fn}: ${name} must be an integer ≥ ${min}, got ${String(v)}`);
  }
  return v;
}
