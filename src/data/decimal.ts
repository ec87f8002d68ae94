/**
 * @file Decimal numbers read straight from bytes (no per-token string), shared by the CSV and
 * libsvm readers: `[+-]digits[.digits][(e|E)[+-]digits]`, correctly rounded (bit for bit equal to
 * `Number(text)`) by two fast paths and `Number()` on the text for what they cannot decide.
 *
 * The text is w·10^q with w the first 19 significant digits (w < 10^19 < 2^64).
 * 1. Clinger: w < 2^53 and |q| ≤ 22 — w and 10^|q| are exact doubles, so the one multiplication
 *    or division w·10^q, w/10^-q is rounded once, correctly, by IEEE arithmetic.
 * 2. Eisel–Lemire (the 16–19 digit numbers every float64 writer prints, and large exponents):
 *    with w normalised (w' = w·2^lz, bit 63 set) and T_q = ⌊10^q·2^(63−E_q)⌋, E_q = ⌊q·log2 10⌋
 *    (64 bits, bit 63 set, rounded down), the 128-bit product x = w'·T_q lies at most w' < 2^64
 *    below the exact w'·10^q·2^(63−E_q). Its top 54 bits are the significand plus a rounding bit;
 *    they are exact unless the 9 bits below them are all ones (the missing < 2^64 could carry into
 *    them), and the rounding is decided unless those 9 bits are all zero with the rounding bit set
 *    and an even significand (a possible tie). Both undecided cases (≈ 1 in 400) and results that
 *    leave the normal range go to `Number()`. Value = m·2^(E−1075) for the 53-bit significand m
 *    and biased exponent E = E_q + 1086 + msb − lz (msb: the product's top bit, 127 or 126).
 *    The products are done in exact double arithmetic on 32-bit × 16-bit limbs (< 2^48 each).
 *    More than 19 significant digits: w (truncated) and w + 1 bracket the value; equal results
 *    decide it, else `Number()`.
 */

const POW10 = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/** Decimal exponents q of the Eisel–Lemire table (beyond them the value is 0, subnormal or ∞). */
const Q_MIN = -342;
const Q_MAX = 308;
/** T_q as four 16-bit limbs, most significant first, filled on first use (`powerLimbs`). */
const TABLE = new Uint16Array((Q_MAX - Q_MIN + 1) * 4);
/** 1 once TABLE holds T_q, 2 if q cannot be used (never for this range; a guard). */
const TABLE_STATE = new Uint8Array(Q_MAX - Q_MIN + 1);
/** POW2[E] = 2^(E − 1075): a biased exponent E to the scale of a 53-bit integer significand. */
const POW2 = new Float64Array(2047);
{
  let p = 2 ** -1074; // exact (the smallest subnormal)
  for (let e = 1; e < 2047; e++) {
    POW2[e] = p;
    p *= 2;
  }
}
const TWO32 = 4294967296;
const TWO16 = 65536;
const INV16 = 1 / 65536;

/**
 * T_q = floor(10^q · 2^(63 − E_q)), E_q = floor(q·log2 10) = (217706·q) >> 16 on this range, in exact
 * BigInt arithmetic; null if it does not have exactly 64 bits (never on this range; a guard).
 */
function truncatedPower(q: number): bigint | null {
  const e = (217706 * q) >> 16;
  const sh = 63 - e;
  let t: bigint;
  if (q >= 0) {
    const p = BigInt(10) ** BigInt(q);
    t = sh >= 0 ? p << BigInt(sh) : p >> BigInt(-sh);
  } else t = (BigInt(1) << BigInt(sh)) / BigInt(10) ** BigInt(-q);
  return t >> BigInt(63) === BigInt(1) ? t : null;
}

/** Fills TABLE with T_q (`truncatedPower`) as four 16-bit limbs; false if q cannot be used. */
function powerLimbs(q: number): boolean {
  const k = q - Q_MIN;
  const state = TABLE_STATE[k]!;
  if (state !== 0) return state === 1;
  let t = truncatedPower(q);
  if (t === null) {
    TABLE_STATE[k] = 2;
    return false;
  }
  for (let i = 3; i >= 0; i--) {
    TABLE[4 * k + i] = Number(t & BigInt(0xffff));
    t >>= BigInt(16);
  }
  TABLE_STATE[k] = 1;
  return true;
}

/**
 * Entry q of the Eisel–Lemire table as a 64-bit integer, T_q = floor(10^q · 2^(63 − E_q)), the value
 * the limb arithmetic here uses; 0 for q outside [POWER_TABLE_RANGE.qMin, qMax]. The WebAssembly
 * CSV scanner (src/data/csv_wasm.ts) fills its copy of the table with it, entry by entry on first
 * use (all 651 entries at once cost ≈ 3 ms of BigInt arithmetic in a fresh process).
 *
 * @example
 * powerTableEntry(0); // 2n ** 63n
 */
export function powerTableEntry(q: number): bigint {
  if (!Number.isInteger(q) || q < Q_MIN || q > Q_MAX) return BigInt(0);
  return truncatedPower(q) ?? BigInt(0);
}

/** The decimal exponents of the Eisel–Lemire table (`powerTableEntry`). */
export const POWER_TABLE_RANGE = { qMin: Q_MIN, qMax: Q_MAX } as const;

/**
 * Eisel–Lemire: the double nearest w·10^q for w = a·scale + low (a < 10^9, scale ≤ 10^10,
 * low < 10^10, 0 < w < 2^64), negated if `neg`, stored in dst[at]; false (nothing stored) when it
 * cannot decide — the caller then converts the text. (The result is stored, not returned: a
 * returned double is boxed on the heap when the call is not inlined, 16 bytes per number.)
 */
function eiselLemire(a: number, scale: number, low: number, q: number, neg: boolean, dst: Float64Array, at: number): boolean {
  if (q < Q_MIN || q > Q_MAX || (TABLE_STATE[q - Q_MIN] !== 1 && !powerLimbs(q))) return false;
  // w as two 32-bit halves w1·2^32 + w0, every step exact (< 2^53): a = ah·2^16 + al,
  // w = ah·scale·2^16 + (al·scale + low) = vh·2^32 + (vl·2^16 + u)
  const u = (a & 0xffff) * scale + low;
  const v = (a >>> 16) * scale;
  const vh = Math.floor(v * INV16);
  const t = (v - vh * TWO16) * TWO16 + u;
  let w0 = t >>> 0;
  let w1 = vh + (t - w0) / TWO32;
  // normalise: bit 63 of w set
  let lz: number;
  if (w1 !== 0) {
    lz = Math.clz32(w1);
    if (lz !== 0) {
      w1 = ((w1 << lz) | (w0 >>> (32 - lz))) >>> 0;
      w0 = (w0 << lz) >>> 0;
    }
  } else {
    const z = Math.clz32(w0);
    lz = 32 + z;
    w1 = (w0 << z) >>> 0;
    w0 = 0;
  }
  const k = 4 * (q - Q_MIN);
  const c3 = TABLE[k]!;
  const c2 = TABLE[k + 1]!;
  const c1 = TABLE[k + 2]!;
  const c0 = TABLE[k + 3]!;
  // x = w·T in 16-bit columns; each partial product < 2^48, each column sum < 2^50 (exact);
  // only the carries of the low 64 bits are needed
  let c = Math.floor(w0 * c0 * INV16);
  c = Math.floor((w0 * c1 + c) * INV16);
  c = Math.floor((w0 * c2 + w1 * c0 + c) * INV16);
  c = Math.floor((w0 * c3 + w1 * c1 + c) * INV16);
  const t4 = w1 * c2 + c;
  c = Math.floor(t4 * INV16);
  const r4 = t4 - c * TWO16;
  const t5 = w1 * c3 + c;
  const h1 = Math.floor(t5 * INV16); // bits 96..127 of x
  const h0 = (t5 - h1 * TWO16) * TWO16 + r4; // bits 64..95
  const low9 = r4 & 0x1ff;
  if (low9 === 0x1ff) return false; // the missing part of x could carry into the significand
  const msb = h1 >>> 31;
  const sh = 9 + msb;
  const half = (h0 >>> sh) & 1; // the rounding bit, just below the 53 kept bits
  let m = h1 * (msb === 1 ? 2097152 : 4194304) + (h0 >>> (sh + 1)); // the top 53 bits of x
  if (half === 1) {
    if (low9 === 0 && (m & 1) === 0) return false; // a possible tie (round half to even)
    m += 1; // above the midpoint: the bits below the rounding bit are not all zero
  }
  let e2 = ((217706 * q) >> 16) + 1086 + msb - lz;
  if (m === 9007199254740992) {
    m = 4503599627370496;
    e2++;
  }
  if (e2 <= 0 || e2 >= 2047) return false; // subnormal or infinite: Number() rounds those
  const r = m * POW2[e2]!;
  dst[at] = neg ? -r : r;
  return true;
}

/** True for the byte of an ASCII digit 0-9. */
export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * The bytes buf[s, e) as a string of Latin-1 characters (one per byte; the number text is ASCII).
 *
 * @example
 * bytesToString(Uint8Array.of(49, 46, 53), 0, 3); // '1.5'
 */
export function bytesToString(buf: Uint8Array, s: number, e: number): string {
  if (e - s <= 256) return String.fromCharCode.apply(null, buf.subarray(s, e) as unknown as number[]);
  let out = '';
  for (let i = s; i < e; i++) out += String.fromCharCode(buf[i]!);
  return out;
}

/** The value of `parseDecimal` / `scanDecimal`, stored by `scanDecimalInto`. */
const SCRATCH = new Float64Array(1);

/**
 * Reads the longest plain decimal float (`[+-]digits[.digits][e[+-]digits]`) starting at buf[s]
 * and before `end`, stores its value in dst[at] (correctly rounded: equal to `Number()` of the
 * text; NaN when no number starts at s — no digit, or an exponent marker without digits) and
 * returns the position after the text read. Storing instead of returning the value keeps a hot
 * caller (the CSV reader) free of a heap-allocated double per number. `slow(s, e)`, if given,
 * converts the text buf[s, e) when the fast paths cannot (see `parseDecimal`).
 *
 * @example
 * const out = new Float64Array(1);
 * scanDecimalInto(new TextEncoder().encode('-2.5e1;x'), 0, 8, out, 0); // 6 (out[0] = -25)
 */
export function scanDecimalInto(
  buf: Uint8Array, s: number, end: number, dst: Float64Array, at: number, slow?: (s: number, e: number) => number,
): number {
  let i = s;
  let neg = false;
  if (i < end && (buf[i] === 45 || buf[i] === 43)) {
    neg = buf[i] === 45;
    i++;
  }
  // the significant digits d_1 d_2 …: the first 9 in a, the next 9 in b (int32 arithmetic), the
  // 19th in c, the rest only counted (n) and remembered as `dropped` if not all zero
  const i0 = i;
  while (i < end && buf[i] === 48) i++; // leading zeros
  let a = 0;
  let b = 0;
  let c = 0;
  let n = 0;
  let dropped = false;
  for (; i < end; i++) {
    const d = buf[i]! - 48;
    if (d < 0 || d > 9) break;
    if (n < 9) a = a * 10 + d;
    else if (n < 18) b = b * 10 + d;
    else if (n === 18) c = d;
    else if (d !== 0) dropped = true;
    n++;
  }
  let nDigits = i - i0;
  let fracLen = 0;
  if (i < end && buf[i] === 46 /* . */) {
    i++;
    const f0 = i;
    if (n === 0) while (i < end && buf[i] === 48) i++; // leading zeros after the point
    for (; i < end; i++) {
      const d = buf[i]! - 48;
      if (d < 0 || d > 9) break;
      if (n < 9) a = a * 10 + d;
      else if (n < 18) b = b * 10 + d;
      else if (n === 18) c = d;
      else if (d !== 0) dropped = true;
      n++;
    }
    fracLen = i - f0;
    nDigits += fracLen;
  }
  if (nDigits === 0) {
    dst[at] = NaN;
    return i;
  }
  // value = D·10^-fracLen for the n significant digits D; kept: K = min(n, 19) digits
  const k = n < 19 ? n : 19;
  let exp10 = n - k - fracLen;
  if (i < end && (buf[i] === 101 || buf[i] === 69)) {
    i++;
    let eneg = false;
    if (i < end && (buf[i] === 45 || buf[i] === 43)) {
      eneg = buf[i] === 45;
      i++;
    }
    const x0 = i;
    let ex = 0;
    for (; i < end; i++) {
      const d = buf[i]! - 48;
      if (d < 0 || d > 9) break;
      if (ex < 100000) ex = ex * 10 + d;
    }
    if (i === x0) {
      dst[at] = NaN;
      return i;
    }
    exp10 += eneg ? -ex : ex;
  }
  if (n === 0) {
    dst[at] = neg ? -0 : 0;
    return i;
  }
  // W = a·scale + low: the kept digits as an integer (< 10^19 < 2^64)
  let scale = 1;
  let low = 0;
  if (k > 9) {
    scale = POW10[k - 9]!;
    low = k === 19 ? b * 10 + c : b;
  }
  if (!dropped) {
    // W < 2^53 is exact as a double (each step rounds to at least 2^53 once the exact value does)
    const w = a * scale + low;
    if (w < 9007199254740992 && exp10 >= -22 && exp10 <= 22) {
      const v = exp10 < 0 ? w / POW10[-exp10]! : w * POW10[exp10]!;
      dst[at] = neg ? -v : v;
      return i;
    }
    if (eiselLemire(a, scale, low, exp10, neg, dst, at)) return i;
  } else if (eiselLemire(a, scale, low, exp10, neg, dst, at)) {
    // the value lies strictly between W·10^q and (W + 1)·10^q: decided if both round alike
    const v = dst[at]!;
    if (eiselLemire(a, scale, low + 1, exp10, neg, dst, at) && dst[at] === v) return i;
  }
  dst[at] = slow !== undefined ? slow(s, i) : Number(bytesToString(buf, s, i));
  return i;
}

/**
 * Parses the decimal number in buf[s, e); NaN if the bytes are not a plain decimal float
 * (`[+-]digits[.digits][e[+-]digits]`). Correctly rounded (equal to `Number()` of the text).
 * `slow(s, e)`, if given, converts the (validated) text when the fast paths cannot, e.g. `Number`
 * of a slice of a string the caller already holds for the buffer.
 *
 * @example
 * parseDecimal(new TextEncoder().encode('-2.5e1'), 0, 6); // -25
 */
export function parseDecimal(buf: Uint8Array, s: number, e: number, slow?: (s: number, e: number) => number): number {
  return scanDecimalInto(buf, s, e, SCRATCH, 0, slow) === e ? SCRATCH[0]! : NaN;
}

