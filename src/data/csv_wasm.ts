/**
 * @file The WebAssembly fast path of the CSV reader (src/kernels/wasm/csv.wat): runs of records made
 * only of bare decimal numbers are parsed into float64 columns by a module that is compiled before
 * it runs, so a fresh process reads its first megabytes at full speed (the JavaScript reader runs
 * unoptimised there). `CsvParser` (csv.ts) hands it the bytes from the current position; it stops at
 * the first record it does not take whole and the JavaScript reader goes on from there, so every
 * error message, quoting rule and chunk-boundary case stays the JavaScript reader's.
 *
 * Numbers are bit for bit `Number()` of the text (the same Clinger and Eisel–Lemire paths as
 * decimal.ts, on 64-bit integers); a cell the module cannot decide comes back as a fallback entry and
 * is converted here with `Number()`. One scanner per process (`csvWasmScanner`), with its own memory:
 * the table of powers, a fallback list, a 1 MiB window of input bytes and the output columns.
 */
import { getKernelBackend, lazyModule, WA, type WasmMemory } from '../kernels/engine.js';
import { CSV_WASM } from '../kernels/wasm/modules.generated.js';
import { bytesToString, powerTableEntry, POWER_TABLE_RANGE } from './decimal.js';

type LinesFn = (p: number, e: number) => number;
type RecordsFn = (p: number, e: number, nCols: number, maxRec: number, out: number, fb: number, fbCap: number) => number;

const PAGE = 65536;
/** Byte offsets of the module's memory layout (csv.wat). */
const TABLE = 256;
const RESULTS = 8160;
const FB = 8192;
const FB_CAP = 4096;
const IN = FB + 16 * FB_CAP;
/** Bytes of input copied into the module's memory at a time. */
const WINDOW = 1 << 20;
/** Zero-record calls in a row after which a parser stops trying (`CsvParser`: text, quotes, spaces…). */
export const CSV_WASM_GIVE_UP = 8;
const LF = 10;

const module = lazyModule(CSV_WASM.plain);

/**
 * The scanner over the module's memory. Use: `begin()` once per buffer scanned (the window cache is
 * tied to one buffer's bytes), then `run` from successive positions; after each run, `pos` is where
 * the first record not read starts, `again` whether a new run from `pos` may read more, and `column`
 * gives each field's values of the records read.
 */
export class CsvWasmScanner {
  private memory: WasmMemory;
  private readonly records: RecordsFn;
  private readonly linesFn: LinesFn;
  private u8: Uint8Array;
  private i32: Int32Array;
  private f64: Float64Array;
  private u64: BigUint64Array;
  private src: Uint8Array | null = null;
  private winStart = 0;
  private winEnd = 0;
  private stride = 0;
  private out = 0;
  /** Where the first record not read by the last `run` starts (a position in the buffer). */
  pos = 0;
  /** True when a new `run` from `pos` may read more records (a table entry filled, the window moved). */
  again = false;
  /**
   * True when the last `run` stopped because the buffer ends inside the record at `pos`, every byte
   * of it so far being valid: more bytes are needed (the JavaScript reader would find the same).
   */
  atEnd = false;
  /** Cells converted by `Number()` here since the scanner was made (the module could not decide them). */
  fallbacks = 0;

  constructor(memory: WasmMemory, records: RecordsFn, lines: LinesFn) {
    this.memory = memory;
    this.records = records;
    this.linesFn = lines;
    this.u8 = new Uint8Array(0);
    this.i32 = new Int32Array(0);
    this.f64 = new Float64Array(0);
    this.u64 = new BigUint64Array(0);
    this.views();
    const f64 = this.f64;
    for (let k = 0, p = 1; k <= 22; k++, p *= 10) f64[k] = p; // 10^k exact for k ≤ 22
  }

  private views(): void {
    const b = this.memory.buffer as ArrayBuffer;
    this.u8 = new Uint8Array(b);
    this.i32 = new Int32Array(b);
    this.f64 = new Float64Array(b);
    this.u64 = new BigUint64Array(b, TABLE, POWER_TABLE_RANGE.qMax - POWER_TABLE_RANGE.qMin + 1);
  }

  /** Forgets the window: the next `run` copies its bytes from `buf`. */
  begin(buf: Uint8Array): void {
    this.src = buf;
    this.winStart = 0;
    this.winEnd = 0;
  }

  /** The most records of `nCols` fields a run over `bytes` bytes can return (each is ≥ 2·nCols bytes). */
  static maxRecords(nCols: number, bytes: number): number {
    return Math.floor(Math.min(bytes, WINDOW) / (2 * nCols)) + 1;
  }

  /**
   * Reads complete records of `nCols` bare numbers from buf[pos, end) (buf as given to `begin`),
   * at most `maxRec`; returns how many (their field f: `column(f, count)`) and sets `pos`, `again`.
   */
  run(buf: Uint8Array, pos: number, end: number, nCols: number, maxRec: number): number {
    if (buf !== this.src) this.begin(buf);
    if (pos < this.winStart || pos >= this.winEnd) this.load(buf, pos, end);
    const outBytes = 8 * maxRec * nCols;
    this.out = (IN + WINDOW + 15) & ~7;
    if (this.out + outBytes > this.memory.buffer.byteLength) {
      this.memory.grow(Math.ceil((this.out + outBytes - this.memory.buffer.byteLength) / PAGE));
      this.views();
    }
    this.stride = maxRec;
    const base = IN - this.winStart;
    const k = this.records(pos + base, this.winEnd + base, nCols, maxRec, this.out, FB, FB_CAP);
    const i32 = this.i32;
    let stop = i32[RESULTS >> 2]! - base;
    const nfb = i32[(RESULTS >> 2) + 1]!;
    const reason = i32[(RESULTS >> 2) + 2]!;
    let count = k;
    this.again = false;
    this.atEnd = reason === 1 && this.winEnd === end;
    if (reason === 3) {
      // a table entry used for the first time: T_q from decimal.ts, then the caller runs again
      const q = i32[(RESULTS >> 2) + 3]! - 343;
      this.u64[q - POWER_TABLE_RANGE.qMin] = powerTableEntry(q);
      this.again = true;
    } else if (reason === 1 && this.winEnd < end && stop > this.winStart) {
      this.load(buf, stop, end); // the window ends inside a record: a new window from there
      this.again = true;
    } else if (reason === 2 && k < maxRec) this.again = true; // the fallback list is full
    // the cells the module left undecided: Number() of their text
    const f64 = this.f64;
    const o8 = this.out >> 3;
    this.fallbacks += nfb;
    for (let t = 0; t < nfb; t++) {
      const at = (FB >> 2) + 4 * t;
      const rec = i32[at]!;
      const s = i32[at + 2]! - base;
      const v = Number(bytesToString(buf, s, i32[at + 3]! - base));
      if (v - v === 0) {
        f64[o8 + i32[at + 1]! * maxRec + rec] = v;
        continue;
      }
      // not finite: the records before this one are kept, the JavaScript reader reports it
      count = rec;
      stop = s;
      this.atEnd = false;
      while (stop > pos && buf[stop - 1] !== LF) stop--;
      this.again = false;
      break;
    }
    this.pos = stop;
    return count;
  }

  /**
   * The number of LF bytes in `bytes` (each window's bytes copied into the module, then counted
   * sixteen at a time). Forgets the window of `begin`.
   */
  lineEnds(bytes: Uint8Array): number {
    let k = 0;
    this.src = null;
    for (let o = 0; o < bytes.length; o += WINDOW) {
      const e = Math.min(bytes.length, o + WINDOW);
      this.u8.set(bytes.subarray(o, e), IN);
      k += this.linesFn(IN, IN + e - o);
    }
    return k;
  }

  /** Copies buf[pos, min(end, pos + WINDOW)) into the module's window. */
  private load(buf: Uint8Array, pos: number, end: number): void {
    const e = Math.min(end, pos + WINDOW);
    this.u8.set(buf.subarray(pos, e), IN);
    this.winStart = pos;
    this.winEnd = e;
  }

  /** Field f of the `count` records read by the last `run` (a view into the module's memory). */
  column(f: number, count: number): Float64Array {
    const at = (this.out >> 3) + f * this.stride;
    return this.f64.subarray(at, at + count);
  }
}

let scanner: CsvWasmScanner | null | undefined;

/**
 * The process's WebAssembly CSV scanner, or null when the kernel backend is `'js'`
 * (`NSDIFF_NO_WASM=1`, `setKernelBackend('js')`) or the runtime has no WebAssembly.
 *
 * @example
 * const sc = csvWasmScanner(); // null: CsvParser reads everything in JavaScript
 */
export function csvWasmScanner(): CsvWasmScanner | null {
  if (getKernelBackend() === 'js') return null;
  if (scanner !== undefined) return scanner;
  scanner = null;
  const mod = module();
  if (mod === null || WA === undefined) return null;
  try {
    const memory = new WA.Memory({ initial: Math.ceil((IN + 5 * WINDOW + 65536) / PAGE) });
    const ex = new WA.Instance(mod, { env: { mem: memory } }).exports;
    scanner = new CsvWasmScanner(memory, ex.records as RecordsFn, ex.lines as LinesFn);
  } catch {
    scanner = null;
  }
  return scanner;
}
