/**
 * @file Products of two to four n-vectors with a list of columns of a dense Lasso design, inside the
 * design's WebAssembly memory (src/kernels/wasm/xgram.wat, instantiated once per engine memory on
 * that memory): the Gram entries of features entering a support (src/lasso/hypergrad_core.ts,
 * `GramCache`), a 4×2 register tile per pass where `dots2` makes 2×1 (3×2 and 2×4 for three and two
 * features left over after the groups of four).
 */
import { lazyModule, useWasm, WA } from './engine.js';
import { XGRAM_WASM } from './wasm/modules.generated.js';
import { engineMemory, engineShared, ptrIn, stageCols, type WasmEngine } from './wasm_lasso.js';

type Dots4v = (
  x: number, n: number, cols: number, count: number, v0: number, v1: number, v2: number, v3: number, o0: number, o1: number, o2: number, o3: number,
) => void;
type Dots3v = (x: number, n: number, cols: number, count: number, v0: number, v1: number, v2: number, o0: number, o1: number, o2: number) => void;
type Dots2v = (x: number, n: number, cols: number, count: number, v0: number, v1: number, o0: number, o1: number) => void;

/** The module's kernels on one engine memory. */
interface XgramKernels {
  readonly dots4v: Dots4v;
  readonly dots3v: Dots3v;
  readonly dots2v: Dots2v;
}

const plainModule = lazyModule(XGRAM_WASM.plain);
const sharedModule = lazyModule(XGRAM_WASM.shared);

/** The kernel instantiated on each engine memory (weakly: it goes with the memory). */
const instances = new WeakMap<object, XgramKernels | null>();

function kernelOf(e: WasmEngine): XgramKernels | null {
  const mem = engineMemory(e);
  let k = instances.get(mem);
  if (k === undefined) {
    const mod = engineShared(e) ? sharedModule() : plainModule(); // the import's kind must match the memory's
    k = null;
    if (mod !== null && WA !== undefined) {
      try {
        const ex = new WA.Instance(mod, { env: { mem } }).exports;
        k = { dots4v: ex.dots4v as Dots4v, dots3v: ex.dots3v as Dots3v, dots2v: ex.dots2v as Dots2v };
      } catch {
        k = null;
      }
    }
    instances.set(mem, k);
  }
  return k;
}

/**
 * outs[k][j] = vₖᵀX_j for the columns j = cols[0..count) of the engine's X (n rows) and the two to
 * four n-vectors v₀.. of the engine memory (`vs`: Float64Arrays in that memory, e.g. views of
 * columns of X); `outs`: as many arrays of the engine memory indexed by feature (the engine's
 * `outA`, `outB`, `ldelta`, `lcurv`). A 4×2, 3×2 or 2×4 register tile per pass (xgram.wat
 * `dots4v`, `dots3v`, `dots2v`: the same sums per product). Returns false (nothing done) when an
 * operand lives elsewhere, the backend is 'js' or the module is unavailable; the caller then runs
 * its own products.
 *
 * @example
 * if (!dotsTileEngine(e, n, [c0, c1, c2, c3], cols, count, [e.outA, e.outB, e.ldelta, e.lcurv])) { ... }
 */
export function dotsTileEngine(
  e: WasmEngine, n: number, vs: readonly Float64Array[], cols: Int32Array, count: number, outs: readonly Float64Array[],
): boolean {
  const q = vs.length;
  if (!useWasm() || q < 2 || q > 4 || outs.length !== q) return false;
  // pointers read one by one (no `map` / `some`: an array made by `map` had another elements kind
  // once the optimising compiler inlined it, and the caller was deoptimised on it; round hg7)
  const v0 = ptrIn(e, vs[0]!), v1 = ptrIn(e, vs[1]!), v2 = q > 2 ? ptrIn(e, vs[2]!) : 0, v3 = q > 3 ? ptrIn(e, vs[3]!) : 0;
  const o0 = ptrIn(e, outs[0]!), o1 = ptrIn(e, outs[1]!), o2 = q > 2 ? ptrIn(e, outs[2]!) : 0, o3 = q > 3 ? ptrIn(e, outs[3]!) : 0;
  if (v0 < 0 || v1 < 0 || v2 < 0 || v3 < 0 || o0 < 0 || o1 < 0 || o2 < 0 || o3 < 0) return false;
  const k = kernelOf(e);
  if (k === null) return false;
  const cp = stageCols(e, cols, count);
  if (q === 4) k.dots4v(e.xPtr, n, cp, count, v0, v1, v2, v3, o0, o1, o2, o3);
  else if (q === 3) k.dots3v(e.xPtr, n, cp, count, v0, v1, v2, o0, o1, o2);
  else k.dots2v(e.xPtr, n, cp, count, v0, v1, o0, o1);
  return true;
}
