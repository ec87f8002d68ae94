/**
 * @file The failure policy of implicit differentiation — one vocabulary for `customRoot` /
 * `customFixedPoint`, ITD/AID `hypergradient` and the Lasso hypergradients (`SparseProblem`),
 * built on the library-wide `onFailure` of `core/failure.ts`:
 *
 * | option | values | default | decides |
 * |---|---|---|---|
 * | `onFailure` | `'throw'` \| `'warn'` \| `'return'` | `'throw'` | what happens on ANY failure: a failed invertibility hypothesis (`InvertibilityError`) or a solve that does not converge (`ConvergenceError`) |
 * | `fallback` | `'lstsq'` \| `'zero'` | `'lstsq'` | the value returned under `'warn'` / `'return'` when the invertibility hypothesis fails: the minimum-norm least-squares solution B⁺r, or a zero derivative |
 *
 * Non-convergence under `'warn'` / `'return'` returns the unconverged iterate with its status (or the
 * fallback when that iterate is not finite). Every result records what happened (`converged`,
 * `status`, `fallback`), so `'return'` is silent but never hidden.
 */
import { InvalidArgumentError, type NsdiffError } from '../core/errors.js';
import { failurePolicy, handleFailure, type FailurePolicy } from '../core/failure.js';

/** Value returned under `onFailure: 'warn' | 'return'` when the invertibility hypothesis fails. */
export type InvertibilityFallback = 'lstsq' | 'zero';

/** The accepted fallbacks, in documentation order. */
export const INVERTIBILITY_FALLBACKS: readonly InvertibilityFallback[] = ['lstsq', 'zero'];

/** The two failure options every implicit-differentiation entry point takes. */
export interface ImplicitFailureOptions {
  /** What to do on a failure (see the file header). Default `'throw'`. */
  readonly onFailure?: FailurePolicy;
  /** Value under `'warn'` / `'return'` when invertibility fails. Default `'lstsq'`. */
  readonly fallback?: InvertibilityFallback;
}

/** Resolved failure options. */
export interface ResolvedFailure {
  readonly onFailure: FailurePolicy;
  readonly fallback: InvertibilityFallback;
}

/** Validates `onFailure` and `fallback` (defaults `'throw'`, `'lstsq'`), naming `where` in errors. */
export function resolveFailure(o: ImplicitFailureOptions, where: string): ResolvedFailure {
  const onFailure = failurePolicy(o.onFailure, where);
  const fb = o.fallback;
  if (fb !== undefined && !(INVERTIBILITY_FALLBACKS as readonly unknown[]).includes(fb)) {
    throw new InvalidArgumentError(`${where}: fallback must be one of ${INVERTIBILITY_FALLBACKS.map((f) => `'${f}'`).join(', ')}, got ${JSON.stringify(fb)}`);
  }
  return { onFailure, fallback: fb ?? 'lstsq' };
}

/**
 * A failed invertibility hypothesis: throws `error` (`'throw'`), warns (`'warn'`) or stays silent
 * (`'return'`), then returns the fallback value (`values[fallback]()`) and which one it was.
 */
export function invertibilityFailure<T>(
  f: ResolvedFailure, error: NsdiffError, values: { readonly lstsq: () => T; readonly zero: () => T },
): { value: T; fallback: InvertibilityFallback } {
  handleFailure(f.onFailure, error);
  return { value: values[f.fallback](), fallback: f.fallback };
}
