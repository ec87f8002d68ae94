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
 * is converted here with `Number()`.
 *
 * Two kinds of scanner: the process's staging scanner (`csvWasmScanner`: its memory holds staging
 * columns that the parser copies into its design, one copy per column and call) and a parser's own
 * design scanner (`csvDesignScanner`: a memory holding the design's columns and the target, written
 * by the module in place — no copy per call; the parser copies the design out once at the end).
 * Each memory holds the table of powers, a fallback list, a 1 MiB window of input bytes, the column
 * address table and the columns.
 */
import { getKernelBackend, lazyModule, WA, type WasmMemory } from '../kernels/engine.js';
import { CSV_WASM } from '../kernels/wasm/modules.generated.js';
import { bytesToString, powerTableEntry, POWER_TABLE_RANGE } from './decimal.js';

type LinesFn = (p: number, e: number) => number;
type RecordsFn = (p: number, e: number, nCols: number, maxRec: number, cols: number, row0: number, fb: number, fbCap: number) => number;

const PAGE = 65536;
/** Byte offsets of the module's memory layout (csv.wat). */
const TABLE = 256;
const RESULTS = 8160;
const FB = 8192;
const FB_CAP = 4096;
const IN = FB + 16 * FB_CAP;
/** Bytes of input copied into the module's memory at a time. */
const WINDOW = 1 << 20;
/** The column address table (i32 per field), then the columns. */
const COLS = IN + WINDOW;
/** Zero-record calls in a row after which a parser stops trying (`CsvParser`: text, quotes, spaces…). */
export const CSV_WASM_GIVE_UP = 8;
/** Largest design (bytes, target included) a parser reads into a memory of its own (`csvDesignScanner`). */
const CSV_DESIGN_MAX_BYTES = 64 * 2 ** 20;
const LF = 10;
const TABLE_LEN = POWER_TABLE_RANGE.qMax - POWER_TABLE_RANGE.qMin + 1;

const module = lazyModule(CSV_WASM.plain);
/** The entries of the table of powers computed so far (0: not yet), copied into every new memory. */
const tableCache = new BigUint64Array(TABLE_LEN);

/**
 * A scanner over one instance of the module. Use: `begin()` once per buffer scanned (the window
 * cache is tied to one buffer's bytes), then `run` from successive positions; after each run, `pos`
 * is where the first record not read starts, `again` whether a new run from `pos` may read more,
 * `atEnd` whether the buffer ends inside that record; a staging scanner's `column` gives each
 * field's values of the records read.
 */
export class CsvWasmScanner {
  private readonly memory: WasmMemory;
  private readonly records: RecordsFn;
  private readonly linesFn: LinesFn;
  private u8: Uint8Array;
  private i32: Int32Array;
  private f64: Float64Array;
  private u64: BigUint64Array;
  private src: Uint8Array | null = null;
  private winStart = 0;
  private winEnd = 0;
  /** Staging: the column table is laid out for this many fields × rows (0: not yet). */
  private stageCols = 0;
  private stageRows = 0;
  /** Byte address of the columns (the design, or the staging columns). */
  private readonly base: number;
  /** True for a parser's design scanner (`csvDesignScanner`). */
  readonly design: boolean;
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
  /** The same, over every scanner of the process. */
  static allFallbacks = 0;

  constructor(memory: WasmMemory, exports: Record<string, unknown>, base: number, design: boolean) {
    this.memory = memory;
    this.records = exports.records as RecordsFn;
    this.linesFn = exports.lines as LinesFn;
    this.base = base;
    this.design = design;
    this.u8 = new Uint8Array(0);
    this.i32 = new Int32Array(0);
    this.f64 = new Float64Array(0);
    this.u64 = new BigUint64Array(0);
    this.views();
    const f64 = this.f64;
    for (let k = 0, p = 1; k <= 22; k++, p *= 10) f64[k] = p; // 10^k exact for k ≤ 22
    this.u64.set(tableCache);
  }

  private views(): void {
    const b = this.memory.buffer as ArrayBuffer;
    this.u8 = new Uint8Array(b);
    this.i32 = new Int32Array(b);
    this.f64 = new Float64Array(b);
    this.u64 = new BigUint64Array(b, TABLE, TABLE_LEN);
  }

  /** Grows the memory to at least `bytes` bytes (views refreshed). */
  private reserve(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes <= have) return;
    this.memory.grow(Math.ceil((bytes - have) / PAGE));
    this.views();
  }

  /** Forgets the window: the next `run` copies its bytes from `buf`. */
  begin(buf: Uint8Array): void {
    this.src = buf;
    this.winStart = 0;
    this.winEnd = 0;
  }

  /** The most records of `nCols` fields a staging run over `bytes` bytes can return (each is ≥ 2·nCols bytes). */
  static maxRecords(nCols: number, bytes: number): number {
    return Math.floor(Math.min(bytes, WINDOW) / (2 * nCols)) + 1;
  }

  /**
   * Reads complete records of `nCols` bare numbers from buf[pos, end), at most `maxRec`, into rows
   * row0, row0 + 1, … of the design columns (design scanner) or rows 0, 1, … of the staging columns
   * (row0 = 0; then `maxRec` ≤ `maxRecords(nCols, end − pos)`); returns how many and sets `pos`,
   * `again`, `atEnd`.
   */
  run(buf: Uint8Array, pos: number, end: number, nCols: number, maxRec: number, row0: number): number {
    if (buf !== this.src) this.begin(buf);
    if (pos < this.winStart || pos >= this.winEnd) this.load(buf, pos, end);
    if (!this.design && (this.stageCols !== nCols || this.stageRows !== maxRec)) this.stage(nCols, maxRec);
    const base = IN - this.winStart;
    const k = this.records(pos + base, this.winEnd + base, nCols, maxRec, COLS, row0, FB, FB_CAP);
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
      const t = powerTableEntry(q);
      tableCache[q - POWER_TABLE_RANGE.qMin] = t;
      this.u64[q - POWER_TABLE_RANGE.qMin] = t;
      this.again = true;
    } else if (reason === 1 && this.winEnd < end && stop > this.winStart) {
      this.load(buf, stop, end); // the window ends inside a record: a new window from there
      this.again = true;
    } else if (reason === 2 && k < maxRec) this.again = true; // the fallback list is full
    // the cells the module left undecided: Number() of their text
    const f64 = this.f64;
    this.fallbacks += nfb;
    CsvWasmScanner.allFallbacks += nfb;
    for (let t = 0; t < nfb; t++) {
      const at = (FB >> 2) + 4 * t;
      const rec = i32[at]!;
      const s = i32[at + 2]! - base;
      const v = Number(bytesToString(buf, s, i32[at + 3]! - base));
      if (v - v === 0) {
        f64[(i32[(COLS >> 2) + i32[at + 1]!]! >> 3) + row0 + rec] = v;
        continue;
      }
      // not finite: the records before this one are kept, the JavaScript reader reports it
      count = rec;
      stop = s;
      while (stop > pos && buf[stop - 1] !== LF) stop--;
      this.again = false;
      this.atEnd = false;
      break;
    }
    this.pos = stop;
    return count;
  }

  /** Lays out staging columns of `rows` rows for `nCols` fields after the column table. */
  private stage(nCols: number, rows: number): void {
    const first = (COLS + 4 * nCols + 7) & ~7;
    this.reserve(first + 8 * rows * nCols);
    const i32 = this.i32;
    for (let f = 0; f < nCols; f++) i32[(COLS >> 2) + f] = first + 8 * f * rows;
    this.stageCols = nCols;
    this.stageRows = rows;
  }

  /** Field f of the `count` records read by the last staging `run` (a view into the module's memory). */
  column(f: number, count: number): Float64Array {
    const at = this.i32[(COLS >> 2) + f]! >> 3;
    return this.f64.subarray(at, at + count);
  }

  /** A design scanner's column-major design (`cap` rows × p features) and target (`cap`). */
  designArrays(cap: number, p: number): { data: Float64Array<ArrayBuffer>; y: Float64Array<ArrayBuffer> } {
    const b = this.memory.buffer as ArrayBuffer;
    return { data: new Float64Array(b, this.base, cap * p), y: new Float64Array(b, this.base + 8 * cap * p, cap) };
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
}

/** A new memory of at least `bytes` bytes with an instance of the module on it, or null. */
function instantiate(bytes: number): { memory: WasmMemory; exports: Record<string, unknown> } | null {
  const mod = module();
  if (mod === null || WA === undefined) return null;
  try {
    const memory = new WA.Memory({ initial: Math.ceil(bytes / PAGE) });
    return { memory, exports: new WA.Instance(mod, { env: { mem: memory } }).exports };
  } catch {
    return null; // the runtime refused the memory: the JavaScript reader
  }
}

let scanner: CsvWasmScanner | null | undefined;

/**
 * The process's staging scanner, or null when the kernel backend is `'js'` (`NSDIFF_NO_WASM=1`,
 * `setKernelBackend('js')`) or the runtime has no WebAssembly (SIMD).
 *
 * @example
 * const sc = csvWasmScanner(); // null: CsvParser reads everything in JavaScript
 */
export function csvWasmScanner(): CsvWasmScanner | null {
  if (getKernelBackend() === 'js') return null;
  if (scanner !== undefined) return scanner;
  const inst = instantiate(COLS + 4 * WINDOW + PAGE);
  scanner = inst === null ? null : new CsvWasmScanner(inst.memory, inst.exports, COLS, false);
  return scanner;
}

/**
 * A design scanner for one parser: a memory of its own holding a column-major design of `cap` rows
 * × p = nCols − 1 features and the target column (`designArrays`), field f written to feature column
 * colOf[f] (the target where colOf[f] < 0); null when the backend is `'js'`, WebAssembly is missing,
 * or the design (target included) exceeds CSV_DESIGN_MAX_BYTES (the parser then stages).
 *
 * @example
 * const sc = csvDesignScanner(502, Int32Array.of(0, 1, -1)); // two features and the target
 */
export function csvDesignScanner(cap: number, colOf: Int32Array): CsvWasmScanner | null {
  if (getKernelBackend() === 'js' || csvWasmScanner() === null) return null;
  const nCols = colOf.length;
  const p = nCols - 1;
  const designBytes = 8 * cap * nCols;
  if (designBytes > CSV_DESIGN_MAX_BYTES) return null;
  const base = (COLS + 4 * nCols + 7) & ~7;
  const inst = instantiate(base + designBytes);
  if (inst === null) return null;
  const sc = new CsvWasmScanner(inst.memory, inst.exports, base, true);
  const table = new Int32Array(inst.memory.buffer as ArrayBuffer, COLS, nCols);
  for (let f = 0; f < nCols; f++) table[f] = base + 8 * cap * (colOf[f]! >= 0 ? colOf[f]! : p);
  return sc;
}
