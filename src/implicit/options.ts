/**
 * @file Options of `customRoot` / `customFixedPoint`: validation (unknown keys with a suggestion,
 * types, ranges, the failure policy of implicit/failure.ts) and defaults.
 */
import { InvalidArgumentError } from '../core/errors.js';
import { resolveFailure, type InvertibilityFallback } from './failure.js';
import type { FailurePolicy } from '../core/failure.js';
import { checkOptions } from '../core/options.js';
import type { CustomLinearSolver, DiagnosticsLevel, ImplicitOptions, ImplicitReport, LinearSolverName } from './types.js';

const SOLVERS: readonly LinearSolverName[] = ['lu', 'gmres', 'bicgstab', 'cg', 'minres', 'normal-cg', 'lsqr', 'fixed-point'];
const OPTION_KEYS = [
  'linearSolver', 'denseLimit', 'ridge', 'tol', 'atol', 'maxIter', 'restart', 'warmStart', 'onFailure', 'fallback', 'diagnostics',
  'condThreshold', 'forwardTol', 'kinkSamples', 'activeSet', 'onReport', 'name',
] as const;
const LEVELS: readonly DiagnosticsLevel[] = ['off', 'cheap', 'full'];

/** Validated options of `customRoot` / `customFixedPoint` with their defaults. */
export interface Resolved<X, Y> {
  name: string;
  linearSolver: LinearSolverName | undefined;
  /** A caller-supplied solver (then `linearSolver` is undefined). */
  customSolver: CustomLinearSolver<X, Y> | undefined;
  denseLimit: number;
  ridge: number;
  tol: number;
  atol: number;
  maxIter: number | undefined;
  restart: number | undefined;
  warmStart: boolean;
  onFailure: FailurePolicy;
  fallback: InvertibilityFallback;
  diagnostics: DiagnosticsLevel;
  condThreshold: number;
  forwardTol: number;
  kinkSamples: number;
  activeSet: ((x: X, y: Y) => Int32Array | readonly number[]) | undefined;
  onReport: ((report: ImplicitReport, stage: 'forward' | 'linearSolve') => void) | undefined;
}

/** Validates the options (unknown keys, types, ranges) and fills in the defaults (docs/implicit.md). */
export function resolveOptions<X, Y>(o: ImplicitOptions<X, Y>, defaultName: string): Resolved<X, Y> {
  if (o === null || typeof o !== 'object') throw new InvalidArgumentError(`${defaultName}: options must be an object`);
  const name = o.name ?? defaultName;
  checkOptions(o, OPTION_KEYS, name);
  const failure = resolveFailure(o, name);
  const num = (v: unknown, what: string, ok: (x: number) => boolean, rule: string): void => {
    if (v !== undefined && (typeof v !== 'number' || Number.isNaN(v) || !ok(v))) {
      throw new InvalidArgumentError(`${name}: options.${what} must be ${rule}, got ${String(v)}`);
    }
  };
  let customSolver: CustomLinearSolver<X, Y> | undefined;
  if (o.linearSolver !== null && typeof o.linearSolver === 'object') {
    customSolver = o.linearSolver;
    if (typeof customSolver.solve !== 'function' || typeof customSolver.name !== 'string') {
      throw new InvalidArgumentError(`${name}: options.linearSolver as an object must be a custom solver { name: string, solve(problem) }`);
    }
    if (o.activeSet !== undefined || (o.ridge !== undefined && o.ridge !== 0)) {
      throw new InvalidArgumentError(`${name}: the custom linearSolver '${customSolver.name}' solves the full system: it cannot be combined with options.activeSet or a nonzero options.ridge`);
    }
  } else if (o.linearSolver !== undefined && !SOLVERS.includes(o.linearSolver)) {
    throw new InvalidArgumentError(`${name}: options.linearSolver must be one of ${SOLVERS.join(', ')} or a custom solver { name, solve }, got '${String(o.linearSolver)}'`);
  }
  if (o.diagnostics !== undefined && !LEVELS.includes(o.diagnostics)) {
    throw new InvalidArgumentError(`${name}: options.diagnostics must be one of ${LEVELS.join(', ')}, got '${String(o.diagnostics)}'`);
  }
  num(o.denseLimit, 'denseLimit', (x) => Number.isInteger(x) && x >= 0, 'an integer ≥ 0');
  num(o.ridge, 'ridge', Number.isFinite, 'a finite number');
  num(o.tol, 'tol', (x) => x >= 0 && Number.isFinite(x), 'a finite number ≥ 0');
  num(o.atol, 'atol', (x) => x >= 0 && Number.isFinite(x), 'a finite number ≥ 0');
  num(o.maxIter, 'maxIter', (x) => Number.isInteger(x) && x >= 0, 'an integer ≥ 0');
  num(o.restart, 'restart', (x) => Number.isInteger(x) && x >= 1, 'an integer ≥ 1');
  num(o.condThreshold, 'condThreshold', (x) => x > 0, 'a number > 0');
  num(o.forwardTol, 'forwardTol', (x) => x >= 0, 'a number ≥ 0 (Infinity disables the check)');
  num(o.kinkSamples, 'kinkSamples', (x) => Number.isInteger(x) && x >= 0, 'an integer ≥ 0');
  for (const f of ['activeSet', 'onReport'] as const) {
    if (o[f] !== undefined && typeof o[f] !== 'function') throw new InvalidArgumentError(`${name}: options.${f} must be a function`);
  }
  return {
    name,
    linearSolver: customSolver ? undefined : (o.linearSolver as LinearSolverName | undefined),
    customSolver,
    denseLimit: o.denseLimit ?? 200,
    ridge: o.ridge ?? 0,
    tol: o.tol ?? 1e-10,
    atol: o.atol ?? 0,
    maxIter: o.maxIter,
    restart: o.restart,
    warmStart: o.warmStart ?? true,
    onFailure: failure.onFailure,
    fallback: failure.fallback,
    diagnostics: o.diagnostics ?? 'cheap',
    condThreshold: o.condThreshold ?? 1e12,
    forwardTol: o.forwardTol ?? 1e-6,
    kinkSamples: o.kinkSamples ?? 2,
    activeSet: o.activeSet,
    onReport: o.onReport,
  };
}
