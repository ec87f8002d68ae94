/**
 * @file The one failure-policy vocabulary of nsdiff. Every procedure that can fail without
 * being wrong to call (an iterative solver that runs out of budget, an implicit derivative whose
 * invertibility hypothesis fails, a fit that does not reach its tolerance) takes
 * `onFailure: FailurePolicy` and routes the failure through {@link handleFailure}:
 *
 * | policy     | what happens                                                               |
 * |------------|----------------------------------------------------------------------------|
 * | `'throw'`  | the typed error is thrown (the default for every kind of failure)          |
 * | `'warn'`   | a warning is emitted (once per call) and the result is returned with its status |
 * | `'return'` | the result is returned with its status (`converged: false`, `status`…), silently |
 *
 * Non-finite values and invalid arguments are not failures of this kind: they always throw.
 * Warnings go to the sink set by {@link setWarningHandler} (default: `process.emitWarning` where
 * it exists, else `console.warn`), so a host can collect or silence them in one place.
 */
import { InvalidArgumentError, type NsdiffError } from './errors.js';

/** What to do when a solver or a derivative fails: see the file header. */
export type FailurePolicy = 'throw' | 'warn' | 'return';

/** The accepted policies, in documentation order. */
export const FAILURE_POLICIES: readonly FailurePolicy[] = ['throw', 'warn', 'return'];

/** Receives every warning nsdiff emits: the message and the warning's type (its error class name). */
export type WarningHandler = (message: string, type: string) => void;

const defaultHandler: WarningHandler = (message, type) => {
  const proc = (globalThis as { process?: { emitWarning?: (m: string, o: { type: string }) => void } }).process;
  if (proc?.emitWarning) proc.emitWarning(message, { type });
  else console.warn(`${type}: ${message}`);
};
let handler: WarningHandler = defaultHandler;

/**
 * Routes all of nsdiff's warnings to `h` (or back to the default with `null`); returns the previous
 * handler so a caller can restore it.
 * @example
 * const seen: string[] = [];
 * const prev = setWarningHandler((m) => seen.push(m));
 * // ... run solvers with onFailure: 'warn' ...
 * setWarningHandler(prev);
 */
export function setWarningHandler(h: WarningHandler | null): WarningHandler {
  const prev = handler;
  handler = h ?? defaultHandler;
  return prev;
}

/** Emits a warning through the current handler. `type` names the kind, e.g. `'ConvergenceWarning'`. */
export function emitWarning(message: string, type = 'NsdiffWarning'): void {
  handler(message, type);
}

/**
 * Applies `policy` to a failure described by `error`: throws it (`'throw'`), emits its message as
 * a warning of type `<ErrorClass>Warning` minus the `Error` suffix (`'warn'`), or does nothing
 * (`'return'`). The caller then returns its result carrying the failure status.
 */
export function handleFailure(policy: FailurePolicy, error: NsdiffError): void {
  if (policy === 'throw') throw error;
  if (policy === 'warn') emitWarning(error.message, error.name.replace(/Error$/, '') + 'Warning');
}

/** Validates an `onFailure` option (default `'throw'`), naming `where` in the error. */
export function failurePolicy(value: unknown, where: string, fallback: FailurePolicy = 'throw'): FailurePolicy {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (FAILURE_POLICIES as readonly string[]).includes(value)) return value as FailurePolicy;
  throw new InvalidArgumentError(`${where}: onFailure must be one of ${FAILURE_POLICIES.map((p) => `'${p}'`).join(', ')}, got ${JSON.stringify(value)}`);
}
