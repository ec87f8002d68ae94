/**
 * @file Validation of command-line option values: every value is checked here, and a bad one gives
 * an `InvalidArgumentError` naming the flag, the value, the valid range or choices, and the closest
 * valid choice (`--format xlsx` → "did you mean 'csv'?" is not offered when nothing is close).
 */
import { InvalidArgumentError } from '../core/errors.js';
import { closestName } from '../core/options.js';

/** `value` if it is one of `allowed` (default `dflt` when absent); otherwise an error with a suggestion. */
export function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string, dflt: T): T {
  if (value === undefined) return dflt;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  const hint = closestName(value, allowed);
  throw new InvalidArgumentError(`${flag} must be one of ${allowed.join(', ')}; got '${value}'${hint ? ` (did you mean '${hint}'?)` : ''}`);
}

/** An integer in [min, max] (inclusive), or undefined when absent. */
export function intIn(value: string | undefined, flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const n = value.trim() === '' ? NaN : Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer in [${min}, ${max}]`;
    throw new InvalidArgumentError(`${flag} must be ${range}; got '${value}'`);
  }
  return n;
}

/** A finite number in the open interval (lo, hi), or undefined when absent. */
export function numberIn(value: string | undefined, flag: string, lo: number, hi: number, hint = ''): number | undefined {
  if (value === undefined) return undefined;
  const n = value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(n) || n <= lo || n >= hi) {
    const range = hi === Infinity ? `a number > ${lo}` : `a number in (${lo}, ${hi})`;
    throw new InvalidArgumentError(`${flag} must be ${range}; got '${value}'${hint}`);
  }
  return n;
}

/** `--tol`: a relative tolerance, so in (0, 1); values ≥ 1 would stop the solver before it starts. */
export function tolerance(value: string | undefined, flag = '--tol'): number | undefined {
  return numberIn(value, flag, 0, 1, ' (a relative tolerance such as 1e-6)');
}

/** Comma-separated positive λ values (`--lambda 0.1` or `--lambda 0.1,0.05`). */
export function lambdaList(value: string, flag = '--lambda'): number[] {
  const parts = value.split(',');
  return parts.map((s) => {
    const l = s.trim() === '' ? NaN : Number(s);
    if (!Number.isFinite(l) || l <= 0) throw new InvalidArgumentError(`${flag} values must be positive numbers; got '${value}'`);
    return l;
  });
}
