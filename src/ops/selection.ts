/**
 * @file Per-evaluation memo of derivative selections (masks, tie weights, pooling matrices) for
 * the nonsmooth primitives of `piecewise.ts`, `extrema.ts` and `pooling.ts`.
 *
 * Why: a derivative rule may run several times for one primitive evaluation — the JVP and the VJP
 * rule, a pullback called once per output row by `jacobian`, nested transforms. With the `random`
 * kink policy every run would otherwise draw fresh numbers, so rows of one Jacobian could use
 * different Clarke elements. Memoising the selection on the evaluation's params object (created
 * once per op call by the public function and passed unchanged to `impl`, `jvp` and `vjp` at every
 * level) makes one evaluation use one selection, whichever rules run and how often. The memo is
 * also keyed on the primal's data buffer, so a params object reused with other inputs recomputes.
 */

interface Entry {
  readonly data: readonly Float64Array[];
  readonly value: unknown;
}

const memo = new WeakMap<object, Map<string, Entry>>();

function sameBuffers(a: readonly Float64Array[], b: readonly Float64Array[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * @internal Returns `compute()` once per (params object, key, primal data buffers); later calls
 * with the same triple return the stored value.
 *
 * @example
 * const mask = memoSelection(params, 'mask', [x.data], () => buildMask(x, params.kink));
 */
export function memoSelection<T>(params: object, key: string, data: readonly Float64Array[], compute: () => T): T {
  // Only a random selection can differ between two computations; every other policy is a pure
  // function of the primal values, so recomputing is cheaper than a WeakMap entry per op call.
  if ((params as { kink?: { kind: string } }).kink?.kind !== 'random') return compute();
  let byKey = memo.get(params);
  if (!byKey) {
    byKey = new Map();
    memo.set(params, byKey);
  }
  const hit = byKey.get(key);
  if (hit && sameBuffers(hit.data, data)) return hit.value as T;
  const value = compute();
  byKey.set(key, { data: [...data], value });
  return value;
}
