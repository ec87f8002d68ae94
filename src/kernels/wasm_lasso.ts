/**
 * @file The WebAssembly SIMD engine of dense Lasso designs (moved from lasso/ into the kernel
 * layer; it follows the layer's backend switch of engine.ts): a hand-assembled module (f64x2 SIMD128,
 * no toolchain, no dependency) with the hot kernels of the solvers (the CD epoch `epoch`, the
 * logistic epoch `wepoch`, column dot products `dots`/`dots2`, Xβ `gemvSkip`, the preparation
 * `prep`, weighted norms `wnorms`), and a pool of engine memories.
 *
 * Interface: `createEngine(n, p)` returns an engine whose memory holds room for X (n×p,
 * column-major) and the solver vectors, or null when the runtime cannot (no SIMD, or X larger than
 * a 32-bit memory; callers then use the JavaScript kernels); `releaseEngine(e)` returns its memory
 * to the pool; `ptrIn`/`stageVec`/`stageCols`/`unstage` move operands in and out of the memory.
 * Nothing else in the library knows about WebAssembly.
 */
import { useWasm } from './engine.js';

// ---------------------------------------------------------------------------------------------
// WebAssembly SIMD engine for dense designs.
//
// JavaScript has no SIMD: a scalar dot product runs at ≈1 GMAC/s in V8, against ≈3.5 GMAC/s for
// BLAS in scikit-learn's Cython CD. WebAssembly SIMD128 (f64x2, on by default in Node ≥ 16) closes
// that gap. A dense PreparedDesign therefore keeps its (centred) columns in its own
// `WebAssembly.Memory`, together with the solver's hot vectors (residual, coefficients, thresholds,
// working set), so that a whole CD epoch, Xᵀv products and Xβ run inside WebAssembly with no copy.
// The module is assembled below from a tiny opcode DSL (no toolchain, no dependency); if the runtime
// lacks SIMD, or the matrix does not fit a 32-bit memory, the JavaScript kernels are used instead.
// Memory is sized once and never grown, so the Float64Array views stay valid.
// ---------------------------------------------------------------------------------------------

const uleb = (v: number): number[] => {
  const o: number[] = [];
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    o.push(b);
  } while (v !== 0);
  return o;
};
const sleb = (v: number): number[] => {
  const o: number[] = [];
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      o.push(b);
      return o;
    }
    o.push(b | 0x80);
  }
};
const wvec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const wsection = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const wstr = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
const T_I32 = 0x7f, T_F64 = 0x7c, T_V128 = 0x7b, T_VOID = 0x40;
// instruction helpers (stack machine)
const get = (i: number): number[] => [0x20, ...uleb(i)];
const set = (i: number): number[] => [0x21, ...uleb(i)];
const tee = (i: number): number[] => [0x22, ...uleb(i)];
const i32c = (v: number): number[] => [0x41, ...sleb(v)];
const f64c0: number[] = [0x44, 0, 0, 0, 0, 0, 0, 0, 0];
const I32_ADD = 0x6a, I32_MUL = 0x6c, I32_SHL = 0x74, I32_AND = 0x71, I32_GE_U = 0x4f;
const F64_ADD = 0xa0, F64_SUB = 0xa1, F64_MUL = 0xa2, F64_DIV = 0xa3, F64_NEG = 0x9a, F64_NE = 0x62, F64_GT = 0x64, F64_LT = 0x63;
const f64load = (off = 0): number[] => [0x2b, 3, ...uleb(off)];
const f64store = (off = 0): number[] => [0x39, 3, ...uleb(off)];
const i32load = (off = 0): number[] => [0x28, 2, ...uleb(off)];
const simd = (op: number, ...imm: number[]): number[] => [0xfd, ...uleb(op), ...imm];
const v128load = (off = 0): number[] => simd(0x00, 3, ...uleb(off));
const v128store = (off = 0): number[] => simd(0x0b, 3, ...uleb(off));
const F2_SPLAT = simd(0x14), F2_ADD = simd(0xf0), F2_SUB = simd(0xf1), F2_MUL = simd(0xf2);
const F64_CONVERT_I32_S = 0xb7;
const lane = (k: number): number[] => simd(0x21, k);
const block = (...body: number[][]): number[] => [0x02, T_VOID, ...body.flat(), 0x0b];
const loop = (...body: number[][]): number[] => [0x03, T_VOID, ...body.flat(), 0x0b];
const brIf = (depth: number): number[] => [0x0d, depth];
const br = (depth: number): number[] => [0x0c, depth];
const ifF64 = (then: number[], els: number[]): number[] => [0x04, T_F64, ...then, 0x05, ...els, 0x0b];
const ifVoid = (...then: number[][]): number[] => [0x04, T_VOID, ...then.flat(), 0x0b];

/** while (I < END) { body; I += step } */
const whileLt = (I: number, END: number, step: number, ...body: number[][]): number[] =>
  block(loop(get(I), get(END), [I32_GE_U], brIf(1), ...body, get(I), i32c(step), [I32_ADD], set(I), br(0)));

/**
 * S = Σ_i C[i]·V[i] over byte range [0, ENDB): SIMD over [0, END4) with two f64x2 accumulators
 * (A0, A1), scalar tail. C, V: byte pointers; I: scratch index.
 */
const emitDot = (C: number, V: number, I: number, END4: number, ENDB: number, A0: number, A1: number, S: number, A2 = -1, A3 = -1, END8 = -1): number[] => [
  ...f64c0, ...F2_SPLAT, ...tee(A0), ...(A2 >= 0 ? [...tee(A2), ...tee(A3)] : []), ...set(A1), ...i32c(0), ...set(I),
  // 4 accumulators over [0, END8) (64 bytes per iteration) when given, then 2 over [.., END4)
  ...(A2 >= 0
    ? whileLt(I, END8, 64,
      get(A0), get(C), get(I), [I32_ADD], v128load(0), get(V), get(I), [I32_ADD], v128load(0), F2_MUL, F2_ADD, set(A0),
      get(A1), get(C), get(I), [I32_ADD], v128load(16), get(V), get(I), [I32_ADD], v128load(16), F2_MUL, F2_ADD, set(A1),
      get(A2), get(C), get(I), [I32_ADD], v128load(32), get(V), get(I), [I32_ADD], v128load(32), F2_MUL, F2_ADD, set(A2),
      get(A3), get(C), get(I), [I32_ADD], v128load(48), get(V), get(I), [I32_ADD], v128load(48), F2_MUL, F2_ADD, set(A3))
    : []),
  ...whileLt(I, END4, 32,
    get(A0), get(C), get(I), [I32_ADD], v128load(0), get(V), get(I), [I32_ADD], v128load(0), F2_MUL, F2_ADD, set(A0),
    get(A1), get(C), get(I), [I32_ADD], v128load(16), get(V), get(I), [I32_ADD], v128load(16), F2_MUL, F2_ADD, set(A1)),
  ...(A2 >= 0 ? [...get(A0), ...get(A2), ...F2_ADD, ...set(A0), ...get(A1), ...get(A3), ...F2_ADD, ...set(A1)] : []),
  ...get(A0), ...get(A1), ...F2_ADD, ...tee(A0), ...lane(0), ...get(A0), ...lane(1), F64_ADD, ...set(S),
  ...whileLt(I, ENDB, 8,
    get(S), get(C), get(I), [I32_ADD], f64load(), get(V), get(I), [I32_ADD], f64load(), [F64_MUL], [F64_ADD], set(S)),
];

/**
 * Pointer-walking variants for the CD epoch (fewer integer ops per iteration than base+index):
 * PC walks the column, PV the vector, PE is the current end pointer; 4 accumulators over 64-byte
 * blocks, then 32-byte blocks, then a scalar tail.
 */
const emitDotP = (C: number, V: number, PC: number, PV: number, PE: number, END8: number, END4: number, ENDB: number,
  A0: number, A1: number, A2: number, A3: number, S: number): number[] => [
  ...f64c0, ...F2_SPLAT, ...tee(A0), ...tee(A1), ...tee(A2), ...set(A3),
  ...get(C), ...set(PC), ...get(V), ...set(PV), ...get(C), ...get(END8), I32_ADD, ...set(PE),
  ...whileLt(PC, PE, 64,
    get(A0), get(PC), v128load(0), get(PV), v128load(0), F2_MUL, F2_ADD, set(A0),
    get(A1), get(PC), v128load(16), get(PV), v128load(16), F2_MUL, F2_ADD, set(A1),
    get(A2), get(PC), v128load(32), get(PV), v128load(32), F2_MUL, F2_ADD, set(A2),
    get(A3), get(PC), v128load(48), get(PV), v128load(48), F2_MUL, F2_ADD, set(A3),
    get(PV), i32c(64), [I32_ADD], set(PV)),
  ...get(C), ...get(END4), I32_ADD, ...set(PE),
  ...whileLt(PC, PE, 32,
    get(A0), get(PC), v128load(0), get(PV), v128load(0), F2_MUL, F2_ADD, set(A0),
    get(A1), get(PC), v128load(16), get(PV), v128load(16), F2_MUL, F2_ADD, set(A1),
    get(PV), i32c(32), [I32_ADD], set(PV)),
  ...get(A0), ...get(A2), ...F2_ADD, ...get(A1), ...get(A3), ...F2_ADD, ...F2_ADD, ...tee(A0), ...lane(0), ...get(A0), ...lane(1), F64_ADD, ...set(S),
  ...get(C), ...get(ENDB), I32_ADD, ...set(PE),
  ...whileLt(PC, PE, 8,
    get(S), get(PC), f64load(), get(PV), f64load(), [F64_MUL], [F64_ADD], set(S),
    get(PV), i32c(8), [I32_ADD], set(PV)),
];

const emitAxpyP = (C: number, V: number, PC: number, PV: number, PE: number, END8: number, END4: number, ENDB: number, DV: number, D: number): number[] => [
  ...get(C), ...set(PC), ...get(V), ...set(PV), ...get(C), ...get(END8), I32_ADD, ...set(PE),
  ...whileLt(PC, PE, 64,
    get(PV), get(PV), v128load(0), get(DV), get(PC), v128load(0), F2_MUL, F2_ADD, v128store(0),
    get(PV), get(PV), v128load(16), get(DV), get(PC), v128load(16), F2_MUL, F2_ADD, v128store(16),
    get(PV), get(PV), v128load(32), get(DV), get(PC), v128load(32), F2_MUL, F2_ADD, v128store(32),
    get(PV), get(PV), v128load(48), get(DV), get(PC), v128load(48), F2_MUL, F2_ADD, v128store(48),
    get(PV), i32c(64), [I32_ADD], set(PV)),
  ...get(C), ...get(END4), I32_ADD, ...set(PE),
  ...whileLt(PC, PE, 32,
    get(PV), get(PV), v128load(0), get(DV), get(PC), v128load(0), F2_MUL, F2_ADD, v128store(0),
    get(PV), get(PV), v128load(16), get(DV), get(PC), v128load(16), F2_MUL, F2_ADD, v128store(16),
    get(PV), i32c(32), [I32_ADD], set(PV)),
  ...get(C), ...get(ENDB), I32_ADD, ...set(PE),
  ...whileLt(PC, PE, 8,
    get(PV), get(PV), f64load(), get(D), get(PC), f64load(), [F64_MUL], [F64_ADD], f64store(),
    get(PV), i32c(8), [I32_ADD], set(PV)),
];

/** END4 = (n & ~3)·8, ENDB = n·8, NB = n·8 from param N. */
const emitEnds = (N: number, END4: number, ENDB: number): number[] => [
  ...get(N), ...i32c(-4), I32_AND, ...i32c(3), I32_SHL, ...set(END4), ...get(N), ...i32c(3), I32_SHL, ...set(ENDB),
];

function buildModule(): Uint8Array {
  const funcs: { name: string; params: number[]; locals: number[]; body: number[]; results?: number[] }[] = [];
  {
    // epoch(X, n, ws, m, beta, r, norms, thr, nl2): one cyclic CD pass (see cd.ts for the update)
    const [X, N, WS, M, BETA, R, NORMS, THR, NL2] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
    const [W, MB, JB, C, , END4, ENDB] = [9, 10, 11, 12, 13, 14, 15]; // local 13 unused
    const [A0, A1, DV] = [16, 17, 18];
    const [S, BJ, NJ, TJ, Z, NB] = [19, 20, 21, 22, 23, 24];
    const [A2, A3, END8] = [25, 26, 27];
    const [PC, PV, PE] = [28, 29, 30];
    const body = [
      ...emitEnds(N, END4, ENDB), ...get(N), ...i32c(-8), I32_AND, ...i32c(3), I32_SHL, ...set(END8),
      ...get(M), ...i32c(2), I32_SHL, ...set(MB), ...i32c(0), ...set(W),
      ...whileLt(W, MB, 4,
        // j = ws[w]; C = X + j·n·8; JB = j·8
        get(WS), get(W), [I32_ADD], i32load(), tee(JB), get(ENDB), [I32_MUL], get(X), [I32_ADD], set(C),
        get(JB), i32c(3), [I32_SHL], set(JB),
        emitDotP(C, R, PC, PV, PE, END8, END4, ENDB, A0, A1, A2, A3, S),
        get(BETA), get(JB), [I32_ADD], f64load(), set(BJ),
        get(NORMS), get(JB), [I32_ADD], f64load(), set(NJ),
        get(THR), get(JB), [I32_ADD], f64load(), set(TJ),
        get(S), get(NJ), get(BJ), [F64_MUL], [F64_ADD], set(Z),
        // nb = z > t ? (z − t)/(N_j + nλ₂) : z < −t ? (z + t)/(N_j + nλ₂) : 0
        get(Z), get(TJ), [F64_GT],
        ifF64(
          [...get(Z), ...get(TJ), F64_SUB, ...get(NJ), ...get(NL2), F64_ADD, F64_DIV],
          [...get(Z), ...get(TJ), F64_NEG, F64_LT, ...ifF64([...get(Z), ...get(TJ), F64_ADD, ...get(NJ), ...get(NL2), F64_ADD, F64_DIV], f64c0)],
        ),
        set(NB),
        get(NB), get(BJ), [F64_NE],
        ifVoid(
          get(BJ), get(NB), [F64_SUB], tee(Z), F2_SPLAT, set(DV),
          emitAxpyP(C, R, PC, PV, PE, END8, END4, ENDB, DV, Z),
          get(BETA), get(JB), [I32_ADD], get(NB), f64store(),
        )),
    ];
    funcs.push({ name: 'epoch', params: [T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_F64], locals: [T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_V128, T_V128, T_V128, T_F64, T_F64, T_F64, T_F64, T_F64, T_F64, T_V128, T_V128, T_I32, T_I32, T_I32, T_I32], body });
  }
  {
    // dots(X, n, cols, count, v, out): out[j] = X_jᵀv for j in cols[0..count)
    const [X, N, COLS, CNT, V, OUT] = [0, 1, 2, 3, 4, 5];
    const [T, TB, JB, C, , END4, ENDB] = [6, 7, 8, 9, 10, 11, 12]; // local 10 unused
    const [A0, A1] = [13, 14];
    const S = 15;
    const [A2, A3, END8] = [16, 17, 18];
    const [PC, PV, PE] = [19, 20, 21];
    const body = [
      ...emitEnds(N, END4, ENDB), ...get(N), ...i32c(-8), I32_AND, ...i32c(3), I32_SHL, ...set(END8),
      ...get(CNT), ...i32c(2), I32_SHL, ...set(TB), ...i32c(0), ...set(T),
      ...whileLt(T, TB, 4,
        get(COLS), get(T), [I32_ADD], i32load(), tee(JB), get(ENDB), [I32_MUL], get(X), [I32_ADD], set(C),
        emitDotP(C, V, PC, PV, PE, END8, END4, ENDB, A0, A1, A2, A3, S),
        get(OUT), get(JB), i32c(3), [I32_SHL], [I32_ADD], get(S), f64store()),
    ];
    funcs.push({ name: 'dots', params: [T_I32, T_I32, T_I32, T_I32, T_I32, T_I32], locals: [T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_V128, T_V128, T_F64, T_V128, T_V128, T_I32, T_I32, T_I32, T_I32], body });
  }
  {
    // dots2(X, n, cols, count, a, b, outA, outB): fused outA[j] = X_jᵀa, outB[j] = X_jᵀb
    const [X, N, COLS, CNT, A, B, OA, OB] = [0, 1, 2, 3, 4, 5, 6, 7];
    const [T, TB, JB, C, I, END4, ENDB] = [8, 9, 10, 11, 12, 13, 14];
    const [A0, A1, B0, B1, XV] = [15, 16, 17, 18, 19];
    const [SA, SB] = [20, 21];
    const body = [
      ...emitEnds(N, END4, ENDB), ...get(CNT), ...i32c(2), I32_SHL, ...set(TB), ...i32c(0), ...set(T),
      ...whileLt(T, TB, 4,
        get(COLS), get(T), [I32_ADD], i32load(), tee(JB), get(ENDB), [I32_MUL], get(X), [I32_ADD], set(C),
        f64c0, F2_SPLAT, tee(A0), tee(A1), tee(B0), set(B1), i32c(0), set(I),
        whileLt(I, END4, 32,
          get(C), get(I), [I32_ADD], v128load(0), set(XV),
          get(A0), get(XV), get(A), get(I), [I32_ADD], v128load(0), F2_MUL, F2_ADD, set(A0),
          get(B0), get(XV), get(B), get(I), [I32_ADD], v128load(0), F2_MUL, F2_ADD, set(B0),
          get(C), get(I), [I32_ADD], v128load(16), set(XV),
          get(A1), get(XV), get(A), get(I), [I32_ADD], v128load(16), F2_MUL, F2_ADD, set(A1),
          get(B1), get(XV), get(B), get(I), [I32_ADD], v128load(16), F2_MUL, F2_ADD, set(B1)),
        get(A0), get(A1), F2_ADD, tee(A0), lane(0), get(A0), lane(1), [F64_ADD], set(SA),
        get(B0), get(B1), F2_ADD, tee(B0), lane(0), get(B0), lane(1), [F64_ADD], set(SB),
        whileLt(I, ENDB, 8,
          get(SA), get(C), get(I), [I32_ADD], f64load(), get(A), get(I), [I32_ADD], f64load(), [F64_MUL], [F64_ADD], set(SA),
          get(SB), get(C), get(I), [I32_ADD], f64load(), get(B), get(I), [I32_ADD], f64load(), [F64_MUL], [F64_ADD], set(SB)),
        get(JB), i32c(3), [I32_SHL], set(JB),
        get(OA), get(JB), [I32_ADD], get(SA), f64store(),
        get(OB), get(JB), [I32_ADD], get(SB), f64store()),
    ];
    funcs.push({ name: 'dots2', params: [T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_I32], locals: [T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_V128, T_V128, T_V128, T_V128, T_V128, T_F64, T_F64], body });
  }
  {
    // gemvSkip(X, n, p, beta, out): out += Σ_{β_j ≠ 0} β_j X_j
    const [X, N, P, BETA, OUT] = [0, 1, 2, 3, 4];
    const [J, PB, C, , END4, ENDB] = [5, 6, 7, 8, 9, 10]; // local 8 unused
    const DV = 11;
    const BJ = 12;
    const [PC, PV, PE, END8] = [13, 14, 15, 16];
    const body = [
      ...emitEnds(N, END4, ENDB), ...get(N), ...i32c(-8), I32_AND, ...i32c(3), I32_SHL, ...set(END8),
      ...get(P), ...i32c(3), I32_SHL, ...set(PB), ...i32c(0), ...set(J), ...get(X), ...set(C),
      ...whileLt(J, PB, 8,
        get(BETA), get(J), [I32_ADD], f64load(), tee(BJ), f64c0, [F64_NE],
        ifVoid(get(BJ), F2_SPLAT, set(DV), emitAxpyP(C, OUT, PC, PV, PE, END8, END4, ENDB, DV, BJ)),
        get(C), get(ENDB), [I32_ADD], set(C)),
    ];
    funcs.push({ name: 'gemvSkip', params: [T_I32, T_I32, T_I32, T_I32, T_I32], locals: [T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_V128, T_F64, T_I32, T_I32, T_I32, T_I32], body });
  }
  {
    // prep(X, n, p, center, means, norms): in place, per column: μ = mean (two-pass refined),
    // X_j ← X_j − μ (when center), norms[j] = ‖X_j‖², means[j] = μ; returns 1 if a column sum or
    // norm is not finite (NaN/±Inf in X, or overflow: the caller then scans X in JavaScript).
    const [X, N, P, CEN, MEANS, NORMS] = [0, 1, 2, 3, 4, 5];
    const [J, PB, C, I, END4, ENDB, BAD] = [6, 7, 8, 9, 10, 11, 12];
    const [A0, A1, MV] = [13, 14, 15];
    const [S, MU, NF] = [16, 17, 18];
    // Σ (x − shift) into S, shift in MV (f64x2) / MU (f64)
    const sumShifted = (): number[] => [
      ...f64c0, ...F2_SPLAT, ...tee(A0), ...set(A1), ...i32c(0), ...set(I),
      ...whileLt(I, END4, 32,
        get(A0), get(C), get(I), [I32_ADD], v128load(0), get(MV), F2_SUB, F2_ADD, set(A0),
        get(A1), get(C), get(I), [I32_ADD], v128load(16), get(MV), F2_SUB, F2_ADD, set(A1)),
      ...get(A0), ...get(A1), ...F2_ADD, ...tee(A0), ...lane(0), ...get(A0), ...lane(1), F64_ADD, ...set(S),
      ...whileLt(I, ENDB, 8, get(S), get(C), get(I), [I32_ADD], f64load(), get(MU), [F64_SUB], [F64_ADD], set(S)),
    ];
    const body = [
      ...emitEnds(N, END4, ENDB), ...get(P), ...i32c(3), I32_SHL, ...set(PB), ...i32c(0), ...set(J), ...get(X), ...set(C),
      ...get(N), F64_CONVERT_I32_S, ...set(NF),
      ...whileLt(J, PB, 8,
        f64c0, set(MU), f64c0, F2_SPLAT, set(MV),
        get(CEN),
        ifVoid(
          sumShifted(), get(S), get(NF), [F64_DIV], tee(MU), F2_SPLAT, set(MV),
          sumShifted(), get(MU), get(S), get(NF), [F64_DIV], [F64_ADD], tee(MU), F2_SPLAT, set(MV),
          // X_j ← X_j − μ
          i32c(0), set(I),
          whileLt(I, END4, 32,
            get(C), get(I), [I32_ADD], get(C), get(I), [I32_ADD], v128load(0), get(MV), F2_SUB, v128store(0),
            get(C), get(I), [I32_ADD], get(C), get(I), [I32_ADD], v128load(16), get(MV), F2_SUB, v128store(16)),
          whileLt(I, ENDB, 8, get(C), get(I), [I32_ADD], get(C), get(I), [I32_ADD], f64load(), get(MU), [F64_SUB], f64store()),
        ),
        get(MEANS), get(J), [I32_ADD], get(MU), f64store(),
        emitDot(C, C, I, END4, ENDB, A0, A1, S),
        get(NORMS), get(J), [I32_ADD], get(S), f64store(),
        // finite check: S − S ≠ 0 ⇔ S is NaN/±Inf
        get(S), get(S), [F64_SUB], f64c0, [F64_NE], get(MU), get(MU), [F64_SUB], f64c0, [F64_NE], [0x72 /* i32.or */],
        ifVoid(i32c(1), set(BAD)),
        get(C), get(ENDB), [I32_ADD], set(C)),
      ...get(BAD),
    ];
    funcs.push({ name: 'prep', params: [T_I32, T_I32, T_I32, T_I32, T_I32, T_I32], locals: [T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_V128, T_V128, T_V128, T_F64, T_F64, T_F64], body, results: [T_I32] });
  }
  {
    // wnorms(X, n, ws, m, h, out): out[j] = Σ_i h_i X_ij² for j in ws (logistic curvatures)
    const [X, N, WS, M, H, OUT] = [0, 1, 2, 3, 4, 5];
    const [W, MB, JB, C, PC, PH, PE, END4, ENDB] = [6, 7, 8, 9, 10, 11, 12, 13, 14];
    const [A0, A1, XV] = [15, 16, 17];
    const S = 18;
    const body = [
      ...emitEnds(N, END4, ENDB), ...get(M), ...i32c(2), I32_SHL, ...set(MB), ...i32c(0), ...set(W),
      ...whileLt(W, MB, 4,
        get(WS), get(W), [I32_ADD], i32load(), tee(JB), get(ENDB), [I32_MUL], get(X), [I32_ADD], set(C),
        f64c0, F2_SPLAT, tee(A0), set(A1),
        get(C), set(PC), get(H), set(PH), get(C), get(END4), [I32_ADD], set(PE),
        whileLt(PC, PE, 32,
          get(PC), v128load(0), set(XV), get(A0), get(XV), get(XV), F2_MUL, get(PH), v128load(0), F2_MUL, F2_ADD, set(A0),
          get(PC), v128load(16), set(XV), get(A1), get(XV), get(XV), F2_MUL, get(PH), v128load(16), F2_MUL, F2_ADD, set(A1),
          get(PH), i32c(32), [I32_ADD], set(PH)),
        get(A0), get(A1), F2_ADD, tee(A0), lane(0), get(A0), lane(1), [F64_ADD], set(S),
        get(C), get(ENDB), [I32_ADD], set(PE),
        whileLt(PC, PE, 8,
          get(S), get(PC), f64load(), get(PC), f64load(), [F64_MUL], get(PH), f64load(), [F64_MUL], [F64_ADD], set(S),
          get(PH), i32c(8), [I32_ADD], set(PH)),
        get(OUT), get(JB), i32c(3), [I32_SHL], [I32_ADD], get(S), f64store()),
    ];
    funcs.push({ name: 'wnorms', params: [T_I32, T_I32, T_I32, T_I32, T_I32, T_I32], locals: [T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_V128, T_V128, T_V128, T_F64], body });
  }
  {
    // wepoch(X, n, ws, m, beta, delta, w, h, curv, lam) → max_j H_jj|δ_j|: one CD pass on the
    // proximal-Newton model (logreg.ts): ∂_j = X_jᵀw, b_j = β_j + Δ_j ← ST(b_j − ∂_j/H_jj, λ/H_jj),
    // w ← w + δ·(h ∘ X_j)
    const [X, N, WS, M, BETA, DELTA, WV, H, CURV, LAM] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    const [W, MB, JB, C, PC, PV, PE, PH, END8, END4, ENDB] = [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20];
    const [A0, A1, A2, A3, DV] = [21, 22, 23, 24, 25];
    const [S, HJ, OLD, Z, TJ, NV, DL, MAXC] = [26, 27, 28, 29, 30, 31, 32, 33];
    const body = [
      ...emitEnds(N, END4, ENDB), ...get(N), ...i32c(-8), I32_AND, ...i32c(3), I32_SHL, ...set(END8),
      ...get(M), ...i32c(2), I32_SHL, ...set(MB), ...i32c(0), ...set(W), ...f64c0, ...set(MAXC),
      ...whileLt(W, MB, 4,
        get(WS), get(W), [I32_ADD], i32load(), tee(JB), get(ENDB), [I32_MUL], get(X), [I32_ADD], set(C),
        get(JB), i32c(3), [I32_SHL], set(JB),
        get(CURV), get(JB), [I32_ADD], f64load(), tee(HJ), f64c0, [F64_GT],
        ifVoid(
          emitDotP(C, WV, PC, PV, PE, END8, END4, ENDB, A0, A1, A2, A3, S),
          get(BETA), get(JB), [I32_ADD], f64load(), get(DELTA), get(JB), [I32_ADD], f64load(), [F64_ADD], set(OLD),
          get(OLD), get(S), get(HJ), [F64_DIV], [F64_SUB], set(Z),
          get(LAM), get(HJ), [F64_DIV], set(TJ),
          get(Z), get(TJ), [F64_GT],
          ifF64([...get(Z), ...get(TJ), F64_SUB], [...get(Z), ...get(TJ), F64_NEG, F64_LT, ...ifF64([...get(Z), ...get(TJ), F64_ADD], f64c0)]),
          set(NV),
          get(NV), get(OLD), [F64_NE],
          ifVoid(
            get(NV), get(OLD), [F64_SUB], tee(DL), F2_SPLAT, set(DV),
            get(DELTA), get(JB), [I32_ADD], get(NV), get(BETA), get(JB), [I32_ADD], f64load(), [F64_SUB], f64store(),
            // w += δ·h∘X_j
            get(C), set(PC), get(WV), set(PV), get(H), set(PH), get(C), get(END4), [I32_ADD], set(PE),
            whileLt(PC, PE, 32,
              get(PV), get(PV), v128load(0), get(DV), get(PH), v128load(0), F2_MUL, get(PC), v128load(0), F2_MUL, F2_ADD, v128store(0),
              get(PV), get(PV), v128load(16), get(DV), get(PH), v128load(16), F2_MUL, get(PC), v128load(16), F2_MUL, F2_ADD, v128store(16),
              get(PV), i32c(32), [I32_ADD], set(PV), get(PH), i32c(32), [I32_ADD], set(PH)),
            get(C), get(ENDB), [I32_ADD], set(PE),
            whileLt(PC, PE, 8,
              get(PV), get(PV), f64load(), get(DL), get(PH), f64load(), [F64_MUL], get(PC), f64load(), [F64_MUL], [F64_ADD], f64store(),
              get(PV), i32c(8), [I32_ADD], set(PV), get(PH), i32c(8), [I32_ADD], set(PH)),
            // maxc = max(maxc, H_jj·|δ|)
            get(HJ), get(DL), [0x99 /* f64.abs */], [F64_MUL], tee(Z), get(MAXC), [F64_GT],
            ifVoid(get(Z), set(MAXC)),
          ),
        )),
      ...get(MAXC),
    ];
    funcs.push({
      name: 'wepoch', params: [T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_F64],
      locals: [T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_I32, T_V128, T_V128, T_V128, T_V128, T_V128, T_F64, T_F64, T_F64, T_F64, T_F64, T_F64, T_F64, T_F64],
      body, results: [T_F64],
    });
  }
  const types = funcs.map((f) => [0x60, ...wvec(f.params.map((t) => [t])), ...wvec((f.results ?? []).map((t) => [t]))]);
  const code = funcs.map((f) => {
    const locals = wvec(f.locals.map((t) => [1, t]));
    const b = [...locals, ...f.body, 0x0b];
    return [...uleb(b.length), ...b];
  });
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    ...wsection(1, wvec(types)),
    ...wsection(2, wvec([[...wstr('env'), ...wstr('mem'), 0x02, 0x00, ...uleb(1)]])),
    ...wsection(3, wvec(funcs.map((_, k) => uleb(k)))),
    ...wsection(7, wvec(funcs.map((f, k) => [...wstr(f.name), 0x00, ...uleb(k)]))),
    ...wsection(10, wvec(code)),
  ]);
}

/** The slice of the WebAssembly JS API used here (the project's `lib` has no DOM/WebAssembly types). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (mod: object, imports: object) => { readonly exports: Record<string, unknown> };
  Memory: new (desc: { initial: number }) => { readonly buffer: ArrayBuffer };
}
const WA = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

/** The module, or null when the runtime lacks SIMD or the kernel backend is forced to 'js'. */
function getWasmModule(): object | null {
  return useWasm() ? compileWasmModule() : null;
}

let wasmModule: object | null | undefined;
function compileWasmModule(): object | null {
  if (wasmModule !== undefined) return wasmModule;
  wasmModule = null;
  try {
    if (WA !== undefined) {
      const bytes = buildModule();
      if (WA.validate(bytes)) wasmModule = new WA.Module(bytes);
    }
  } catch {
    wasmModule = null;
  }
  return wasmModule;
}

/**
 * The WebAssembly engine of a dense prepared design: its memory holds X (column-major), the column
 * norms, and scratch vectors that solvers borrow with `acquire` / `release`.
 */
export interface WasmEngine {
  /** @internal pooled memory + instance. */
  readonly slot: unknown;
  /** The engine memory's buffer (never grown, so views stay valid). */
  readonly buffer: ArrayBuffer;
  /** Byte offset of X in the memory. */
  readonly xPtr: number;
  /** Scratch vectors (views into the memory) lent to one solver at a time. */
  readonly r: Float64Array;
  readonly beta: Float64Array;
  readonly thr: Float64Array;
  readonly norms: Float64Array;
  readonly ws: Int32Array;
  /** Staging areas used by `colDots`/`colDots2`/`matvec` for operands living outside the memory. */
  readonly vecA: Float64Array;
  readonly vecB: Float64Array;
  readonly outA: Float64Array;
  readonly outB: Float64Array;
  /** Logistic-regression scratch (logreg.ts): gradient weights w, Hessian weights h, XΔ (n); Δ, curvatures (p). */
  readonly lw: Float64Array;
  readonly lh: Float64Array;
  readonly lu: Float64Array;
  readonly ldelta: Float64Array;
  readonly lcurv: Float64Array;
  readonly cols: Int32Array;
  readonly allCols: Int32Array;
  busy: boolean;
  readonly epoch: (X: number, n: number, ws: number, m: number, beta: number, r: number, norms: number, thr: number, nl2: number) => void;
  readonly dots: (X: number, n: number, cols: number, count: number, v: number, out: number) => void;
  readonly dots2: (X: number, n: number, cols: number, count: number, a: number, b: number, outA: number, outB: number) => void;
  readonly gemvSkip: (X: number, n: number, p: number, beta: number, out: number) => void;
  readonly prep: (X: number, n: number, p: number, center: number, means: number, norms: number) => number;
  readonly wnorms: (X: number, n: number, ws: number, m: number, h: number, out: number) => void;
  readonly wepoch: (X: number, n: number, ws: number, m: number, beta: number, delta: number, w: number, h: number, curv: number, lam: number) => number;
}

interface PoolSlot {
  readonly memory: { readonly buffer: ArrayBuffer };
  readonly inst: { readonly exports: Record<string, unknown> };
  readonly bytes: number;
}
/** Released engine memories, most recent last (bounded: see `releaseEngine`). */
const enginePool: PoolSlot[] = [];
const POOL_MAX = 4;
const POOL_MAX_BYTES = 2 ** 30;

/** Allocates the engine and returns it with the view of X inside it, or null (JS kernels). */
export function createEngine(n: number, p: number): { engine: WasmEngine; x: Float64Array } | null {
  const mod = getWasmModule();
  if (mod === null) return null;
  // layout (f64 units): X | r | beta | thr | norms | vecA | vecB | outA | outB | lw | lh | lu | ldelta | lcurv
  // then i32: ws | cols | allCols
  const nf = n * p + 7 * n + 7 * p;
  const bytes = nf * 8 + 3 * p * 4 + 64;
  if (bytes > 2 ** 31) return null; // keep i32 byte offsets positive
  let slot: PoolSlot | undefined;
  // reuse a released memory of a suitable size (its pages are already mapped: a fresh memory costs
  // a page fault per 4 KiB on first touch, which dominates small solves)
  for (let k = 0; k < enginePool.length; k++) {
    const c = enginePool[k]!;
    if (c.bytes >= bytes && c.bytes <= 2 * bytes + (1 << 20)) {
      slot = c;
      enginePool.splice(k, 1);
      break;
    }
  }
  if (slot === undefined) {
    try {
      const pages = Math.ceil(bytes / 65536);
      const memory = new WA!.Memory({ initial: pages });
      slot = { memory, inst: new WA!.Instance(mod, { env: { mem: memory } }), bytes: pages * 65536 };
    } catch {
      return null;
    }
  }
  const inst = slot.inst;
  const buf = slot.memory.buffer;
  let off = 0;
  const f = (len: number): Float64Array => {
    const v = new Float64Array(buf, off, len);
    off += len * 8;
    return v;
  };
  const x = f(n * p);
  const r = f(n), beta = f(p), thr = f(p), norms = f(p), vecA = f(n), vecB = f(n), outA = f(p), outB = f(p);
  const lw = f(n), lh = f(n), lu = f(n), ldelta = f(p), lcurv = f(p);
  const ii = (len: number): Int32Array => {
    const v = new Int32Array(buf, off, len);
    off += len * 4;
    return v;
  };
  const ws = ii(p), cols = ii(p), allCols = ii(p);
  for (let j = 0; j < p; j++) allCols[j] = j;
  const ex = inst.exports as Record<string, unknown>;
  const engine: WasmEngine = {
    slot, buffer: buf, xPtr: x.byteOffset, r, beta, thr, norms, ws, vecA, vecB, outA, outB, lw, lh, lu, ldelta, lcurv, cols, allCols, busy: false,
    epoch: ex.epoch as WasmEngine['epoch'],
    dots: ex.dots as WasmEngine['dots'],
    dots2: ex.dots2 as WasmEngine['dots2'],
    gemvSkip: ex.gemvSkip as WasmEngine['gemvSkip'],
    prep: ex.prep as WasmEngine['prep'],
    wnorms: ex.wnorms as WasmEngine['wnorms'],
    wepoch: ex.wepoch as WasmEngine['wepoch'],
  };
  return { engine, x };
}

/** Byte pointer of `v` inside the engine memory, or −1 if it lives elsewhere. */
export function ptrIn(e: WasmEngine, v: ArrayBufferView): number {
  return v.buffer === e.buffer ? v.byteOffset : -1;
}

/** Pointer to `v` (len entries) in the engine memory, copying it into `stage` if needed. */
export function stageVec(e: WasmEngine, v: Float64Array, stage: Float64Array, len: number): number {
  const ptr = ptrIn(e, v);
  if (ptr >= 0) return ptr;
  stage.set(v.length === len ? v : v.subarray(0, len));
  return stage.byteOffset;
}

/** Pointer to the column list (all columns for null). */
export function stageCols(e: WasmEngine, cols: Int32Array | null, m: number): number {
  if (cols === null) return e.allCols.byteOffset;
  const ptr = ptrIn(e, cols);
  if (ptr >= 0) return ptr;
  e.cols.set(cols.subarray(0, m));
  return e.cols.byteOffset;
}

/** Copies the computed entries of a staged output back. */
export function unstage(src: Float64Array, out: Float64Array, cols: Int32Array | null, m: number): void {
  if (cols === null) {
    out.set(src.subarray(0, m));
    return;
  }
  for (let t = 0; t < m; t++) {
    const j = cols[t]!;
    out[j] = src[j]!;
  }
}

/**
 * Returns the memory of `e` to the pool for reuse by later engines (a fresh memory pays a page
 * fault per 4 KiB on first touch). The pool keeps at most 4 memories and 1 GiB; `e` must not be used
 * afterwards.
 */
export function releaseEngine(e: WasmEngine): void {
  const slot = e.slot as PoolSlot;
  let total = slot.bytes;
  for (const c of enginePool) total += c.bytes;
  enginePool.push(slot);
  while (enginePool.length > POOL_MAX || (enginePool.length > 0 && total > POOL_MAX_BYTES)) {
    total -= enginePool.shift()!.bytes;
  }
}
