/**
 * @file Decimal numbers read straight from bytes (no per-token string), shared by the CSV and
 * libsvm readers: `[+-]digits[.digits][(e|E)[+-]digits]` with a correctly rounded fast path
 * (Clinger: a mantissa of at most 2^53 and a decimal exponent within ±22 give one exact
 * multiplication or division, m·10^k or m/10^k, which IEEE rounds correctly) and `Number()` on the
 * text for the rest.
 */

const POW10 = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/** Largest m with 10·m + 9 ≤ 2^53: mantissas built below it stay exact integers. */
const MANT_LIMIT = Math.floor((2 ** 53 - 9) / 10);

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

/**
 * Parses the decimal number in buf[s, e); NaN if the bytes are not a plain decimal float
 * (`[+-]digits[.digits][e[+-]digits]`). Correctly rounded. `slow(s, e)`, if given, converts
 * the (validated) text when the fast path cannot, e.g. `Number` of a slice of a string the caller
 * already holds for the buffer.
 *
 * @example
 * parseDecimal(new TextEncoder().encode('-2.5e1'), 0, 6); // -25
 */
export function parseDecimal(buf: Uint8Array, s: number, e: number, slow?: (s: number, e: number) => number): number {
  let i = s;
  let neg = false;
  if (i < e && (buf[i] === 45 || buf[i] === 43)) {
    neg = buf[i] === 45;
    i++;
  }
  let mant = 0;
  let sig = 0; // significant digits accumulated (leading zeros excluded)
  let exp10 = 0;
  let nDigits = 0;
  let exact = true;
  for (let d = 0; i < e && (d = buf[i]! - 48) >= 0 && d <= 9; ) {
    if (sig > 0 || d !== 0) {
      if (exact && mant <= MANT_LIMIT) mant = mant * 10 + d;
      else {
        exact = false;
        exp10++;
      }
      sig++;
    }
    nDigits++;
    i++;
  }
  if (i < e && buf[i] === 46 /* . */) {
    i++;
    for (let d = 0; i < e && (d = buf[i]! - 48) >= 0 && d <= 9; ) {
      if (sig > 0 || d !== 0) {
        if (exact && mant <= MANT_LIMIT) {
          mant = mant * 10 + d;
          exp10--;
        } else exact = false;
        sig++;
      } else exp10--;
      nDigits++;
      i++;
    }
  }
  if (nDigits === 0) return NaN;
  if (i < e && (buf[i] === 101 || buf[i] === 69)) {
    i++;
    let eneg = false;
    if (i < e && (buf[i] === 45 || buf[i] === 43)) {
      eneg = buf[i] === 45;
      i++;
    }
    if (i >= e || !(buf[i]! >= 48 && buf[i]! <= 57)) return NaN;
    let ex = 0;
    for (let d = 0; i < e && (d = buf[i]! - 48) >= 0 && d <= 9; i++) if (ex < 100000) ex = ex * 10 + d;
    exp10 += eneg ? -ex : ex;
  }
  if (i !== e) return NaN;
  if (mant === 0) return neg ? -0 : 0;
  if (exact && exp10 >= -22 && exp10 <= 22) {
    const v = exp10 < 0 ? mant / POW10[-exp10]! : mant * POW10[exp10]!;
    return neg ? -v : v;
  }
  // beyond the fast path (more than ~16 significant digits, as printed by most writers for
  // float64, or a large exponent): the text is valid, `Number()` rounds it
  return slow !== undefined ? slow(s, e) : Number(bytesToString(buf, s, e));
}
