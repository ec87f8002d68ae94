;; @file The CSV reader's fast path (src/data/csv_wasm.ts): runs of records made only of bare decimal numbers, parsed into float64 columns, scalar WebAssembly.
;;
;; Compiled by scripts/build-kernels.mjs (wabt) into modules.generated.ts (`CSV_WASM.plain`); edit
;; this file, run `npm run build:kernels`, commit both. The memory (env.mem) is the process's
;; staging memory or a parser's own memory holding its design (csv_wasm.ts), laid out as:
;;   0      POW10: f64 10^0 .. 10^22 (Clinger's exact powers)
;;   256    T_q for q = −342 .. 308: u64 floor(10^q·2^(63−E_q)), E_q = floor(q·log2 10) (bit 63
;;          set), written by the JavaScript side from decimal.ts's BigInt construction (the same table), entry
;;          by entry: a zero entry is missing (every T_q has bit 63 set) and stops `records`
;;   8160   results of `records`: i32 stop address, i32 fallback count, i32 stop reason, i32 the
;;          missing table entry's q + 343 (reason 3)
;;   8192   the fallback list (4096 entries), then the input window (1 MiB), the column address
;;          table and the columns (addresses passed in: csv_wasm.ts).
;;
;; records(p, e, nCols, maxRec, cols, row0, fb, fbCap) reads records from the bytes [p, e): a
;; record is nCols numbers `[+-]digits[.digits][(e|E)[+-]digits]` separated by commas and ended by
;; LF or CRLF. Field f of record r is stored at cols[f] + 8·(row0 + r), cols an i32 array of column
;; addresses: the columns of the design itself (a parser's own memory) or staging columns of
;; maxRec rows that the JavaScript side copies out. It stops at the start of the first record it
;; cannot take whole — a byte it does not handle (quote, space, empty field, text, a lone CR, a
;; wrong field count), the window end inside the record, maxRec records, or a full fallback list —
;; and returns the number of records read;
;; the stop address is at 8160 and the reason at 8168 (0: a byte it does not handle, 1: the window
;; ends inside the record, 2: maxRec or fbCap reached, 3: the table entry at 8172 is missing: the
;; caller writes it and calls again). The JavaScript reader goes on from there.
;;
;; lines(p, e): the number of LF bytes in [p, e) (the reader's counting pass, `countLineEnds`),
;; sixteen bytes per i8x16 compare; the module is the only SIMD128 part of the reader.
;;
;; Numbers are converted exactly as decimal.ts's `scanDecimalInto` does (bit for bit `Number()`):
;; W = the first 19 significant digits (i64), the text is W·10^q; Clinger when W < 2^53 and
;; |q| ≤ 22 (one IEEE multiplication or division), else Eisel–Lemire on the 64 × 64 → 128-bit product
;; W·2^lz · T_q (upper half from four 32 × 32-bit products): its top 54 bits are the significand and
;; the rounding bit unless the 9 bits below are all ones (a carry from the truncated part could
;; reach them) or all zeros on an even tie candidate; with more than 19 digits, W and W + 1 must
;; round alike. Undecided cells, results outside the normal range and q outside the table are
;; "fallback" cells: (record, field, start, end) i32 entries at fb (16 bytes each), converted by
;; the JavaScript side with `Number()` on the text; their slot holds 0 until then.

(module
  (import "env" "mem" (memory $mem 1))

  ;; q + 343 of a missing table entry met by $el (0: none)
  (global $miss (mut i32) (i32.const 0))

  ;; Eisel–Lemire: the positive double nearest w·10^q (w > 0), or NaN when undecided or outside the
  ;; normal range (then `Number()` decides)
  (func $el (param $w i64) (param $q i32) (result f64)
    (local $lz i64) (local $t i64) (local $a0 i64) (local $a1 i64) (local $b0 i64) (local $b1 i64)
    (local $p01 i64) (local $p10 i64) (local $hi i64) (local $msb i64) (local $low9 i64) (local $m i64) (local $e2 i32)
    (if (i32.or (i32.lt_s (local.get $q) (i32.const -342)) (i32.gt_s (local.get $q) (i32.const 308)))
      (then (return (f64.const nan))))
    (local.set $lz (i64.clz (local.get $w)))
    (local.set $w (i64.shl (local.get $w) (local.get $lz)))
    (local.set $t (i64.load offset=256 (i32.shl (i32.add (local.get $q) (i32.const 342)) (i32.const 3))))
    (if (i64.eqz (local.get $t))
      (then
        (global.set $miss (i32.add (local.get $q) (i32.const 343)))
        (return (f64.const nan))))
    ;; hi = floor(w·t / 2^64) from 32-bit halves: w = a1·2^32 + a0, t = b1·2^32 + b0
    (local.set $a0 (i64.and (local.get $w) (i64.const 0xffffffff)))
    (local.set $a1 (i64.shr_u (local.get $w) (i64.const 32)))
    (local.set $b0 (i64.and (local.get $t) (i64.const 0xffffffff)))
    (local.set $b1 (i64.shr_u (local.get $t) (i64.const 32)))
    (local.set $p01 (i64.mul (local.get $a0) (local.get $b1)))
    (local.set $p10 (i64.mul (local.get $a1) (local.get $b0)))
    (local.set $hi
      (i64.add
        (i64.add (i64.mul (local.get $a1) (local.get $b1))
          (i64.add (i64.shr_u (local.get $p01) (i64.const 32)) (i64.shr_u (local.get $p10) (i64.const 32))))
        ;; the carry out of the middle column: (p00 >> 32) + low halves of p01 and p10, < 3·2^32
        (i64.shr_u
          (i64.add
            (i64.shr_u (i64.mul (local.get $a0) (local.get $b0)) (i64.const 32))
            (i64.add (i64.and (local.get $p01) (i64.const 0xffffffff)) (i64.and (local.get $p10) (i64.const 0xffffffff))))
          (i64.const 32))))
    (local.set $low9 (i64.and (local.get $hi) (i64.const 0x1ff)))
    (if (i64.eq (local.get $low9) (i64.const 0x1ff)) (then (return (f64.const nan))))
    (local.set $msb (i64.shr_u (local.get $hi) (i64.const 63)))
    ;; the top 53 bits, then the rounding bit just below them
    (local.set $m (i64.shr_u (local.get $hi) (i64.add (local.get $msb) (i64.const 10))))
    (if (i64.ne (i64.and (i64.shr_u (local.get $hi) (i64.add (local.get $msb) (i64.const 9))) (i64.const 1)) (i64.const 0))
      (then
        (if (i32.and (i64.eqz (local.get $low9)) (i64.eqz (i64.and (local.get $m) (i64.const 1))))
          (then (return (f64.const nan)))) ;; a possible tie (round half to even)
        (local.set $m (i64.add (local.get $m) (i64.const 1)))))
    (local.set $e2
      (i32.sub
        (i32.add (i32.add (i32.shr_s (i32.mul (local.get $q) (i32.const 217706)) (i32.const 16)) (i32.const 1086))
          (i32.wrap_i64 (local.get $msb)))
        (i32.wrap_i64 (local.get $lz))))
    (if (i64.eq (local.get $m) (i64.const 0x20000000000000))
      (then
        (local.set $m (i64.const 0x10000000000000))
        (local.set $e2 (i32.add (local.get $e2) (i32.const 1)))))
    (if (i32.or (i32.le_s (local.get $e2) (i32.const 0)) (i32.ge_s (local.get $e2) (i32.const 2047)))
      (then (return (f64.const nan))))
    (f64.reinterpret_i64
      (i64.or (i64.shl (i64.extend_i32_u (local.get $e2)) (i64.const 52)) (i64.and (local.get $m) (i64.const 0xfffffffffffff)))))

  (func $records (export "records") (param $p i32) (param $e i32) (param $nCols i32) (param $maxRec i32)
    (param $cols i32) (param $row0 i32) (param $fb i32) (param $fbCap i32) (result i32)
    (local $rec i32) (local $nfb i32) (local $rs i32) (local $fbMark i32) (local $f i32) (local $last i32)
    (local $reason i32) (local $s i32) (local $c i32) (local $neg i32) (local $w i64) (local $n i32)
    (local $dropped i32) (local $nd i32) (local $x0 i32) (local $frac i32) (local $ex i32) (local $eneg i32)
    (local $q i32) (local $v f64) (local $v2 f64) (local $x i64)
    (local.set $last (i32.sub (local.get $nCols) (i32.const 1)))
    (block $stop
      (loop $lrec
        (local.set $reason (i32.const 2))
        (br_if $stop (i32.ge_u (local.get $rec) (local.get $maxRec)))
        (local.set $rs (local.get $p))
        (local.set $fbMark (local.get $nfb))
        (local.set $f (i32.const 0))
        (loop $lfield
          ;; ---- one number at p
          (local.set $s (local.get $p))
          (local.set $neg (i32.const 0))
          (local.set $reason (i32.const 1))
          (br_if $stop (i32.ge_u (local.get $p) (local.get $e)))
          (local.set $c (i32.load8_u (local.get $p)))
          (if (i32.or (i32.eq (local.get $c) (i32.const 45)) (i32.eq (local.get $c) (i32.const 43)))
            (then
              (local.set $neg (i32.eq (local.get $c) (i32.const 45)))
              (local.set $p (i32.add (local.get $p) (i32.const 1)))))
          (local.set $x0 (local.get $p))
          (local.set $w (i64.const 0))
          (local.set $n (i32.const 0))
          (local.set $dropped (i32.const 0))
          (local.set $frac (i32.const 0))
          ;; leading zeros
          (block $dz
            (loop $lz
              (br_if $dz (i32.ge_u (local.get $p) (local.get $e)))
              (br_if $dz (i32.ne (i32.load8_u (local.get $p)) (i32.const 48)))
              (local.set $p (i32.add (local.get $p) (i32.const 1)))
              (br $lz)))
          ;; integer digits: the first 19 significant ones in w, the rest only counted (n)
          (block $di
            (loop $li
              ;; eight digits at once while they fit among the first 19 (SWAR: all eight bytes in
              ;; '0'..'9', then fast_float's three multiply-shift steps, little-endian)
              (if (i32.and (i32.le_u (i32.add (local.get $p) (i32.const 8)) (local.get $e)) (i32.le_u (local.get $n) (i32.const 11)))
                (then
                  (local.set $x (i64.load (local.get $p)))
                  (if (i64.eqz
                        (i64.or
                          (i64.xor (i64.and (local.get $x) (i64.const 0xF0F0F0F0F0F0F0F0)) (i64.const 0x3030303030303030))
                          (i64.xor (i64.and (i64.add (local.get $x) (i64.const 0x0606060606060606)) (i64.const 0xF0F0F0F0F0F0F0F0))
                            (i64.const 0x3030303030303030))))
                    (then
                      (local.set $x (i64.shr_u (i64.mul (i64.and (local.get $x) (i64.const 0x0F0F0F0F0F0F0F0F)) (i64.const 2561)) (i64.const 8)))
                      (local.set $x (i64.shr_u (i64.mul (i64.and (local.get $x) (i64.const 0x00FF00FF00FF00FF)) (i64.const 6553601)) (i64.const 16)))
                      (local.set $x (i64.shr_u (i64.mul (i64.and (local.get $x) (i64.const 0x0000FFFF0000FFFF)) (i64.const 42949672960001)) (i64.const 32)))
                      (local.set $w (i64.add (i64.mul (local.get $w) (i64.const 100000000)) (local.get $x)))
                      (local.set $n (i32.add (local.get $n) (i32.const 8)))
                      (local.set $p (i32.add (local.get $p) (i32.const 8)))
                      (br $li)))))
              (br_if $di (i32.ge_u (local.get $p) (local.get $e)))
              (local.set $c (i32.sub (i32.load8_u (local.get $p)) (i32.const 48)))
              (br_if $di (i32.gt_u (local.get $c) (i32.const 9)))
              (if (i32.lt_u (local.get $n) (i32.const 19))
                (then (local.set $w (i64.add (i64.mul (local.get $w) (i64.const 10)) (i64.extend_i32_u (local.get $c)))))
                (else (if (local.get $c) (then (local.set $dropped (i32.const 1))))))
              (local.set $n (i32.add (local.get $n) (i32.const 1)))
              (local.set $p (i32.add (local.get $p) (i32.const 1)))
              (br $li)))
          (local.set $nd (i32.sub (local.get $p) (local.get $x0)))
          (if (i32.lt_u (local.get $p) (local.get $e))
            (then
              (if (i32.eq (i32.load8_u (local.get $p)) (i32.const 46))
                (then
                  (local.set $p (i32.add (local.get $p) (i32.const 1)))
                  (local.set $x0 (local.get $p))
                  ;; leading zeros after the point (only while no significant digit was seen)
                  (if (i32.eqz (local.get $n))
                    (then
                      (block $dz2
                        (loop $lz2
                          (br_if $dz2 (i32.ge_u (local.get $p) (local.get $e)))
                          (br_if $dz2 (i32.ne (i32.load8_u (local.get $p)) (i32.const 48)))
                          (local.set $p (i32.add (local.get $p) (i32.const 1)))
                          (br $lz2)))))
                  (block $df
                    (loop $lf
                      ;; eight digits at once while they fit among the first 19 (SWAR: all eight bytes in
                      ;; '0'..'9', then fast_float's three multiply-shift steps, little-endian)
                      (if (i32.and (i32.le_u (i32.add (local.get $p) (i32.const 8)) (local.get $e)) (i32.le_u (local.get $n) (i32.const 11)))
                        (then
                          (local.set $x (i64.load (local.get $p)))
                          (if (i64.eqz
                                (i64.or
                                  (i64.xor (i64.and (local.get $x) (i64.const 0xF0F0F0F0F0F0F0F0)) (i64.const 0x3030303030303030))
                                  (i64.xor (i64.and (i64.add (local.get $x) (i64.const 0x0606060606060606)) (i64.const 0xF0F0F0F0F0F0F0F0))
                                    (i64.const 0x3030303030303030))))
                            (then
                              (local.set $x (i64.shr_u (i64.mul (i64.and (local.get $x) (i64.const 0x0F0F0F0F0F0F0F0F)) (i64.const 2561)) (i64.const 8)))
                              (local.set $x (i64.shr_u (i64.mul (i64.and (local.get $x) (i64.const 0x00FF00FF00FF00FF)) (i64.const 6553601)) (i64.const 16)))
                              (local.set $x (i64.shr_u (i64.mul (i64.and (local.get $x) (i64.const 0x0000FFFF0000FFFF)) (i64.const 42949672960001)) (i64.const 32)))
                              (local.set $w (i64.add (i64.mul (local.get $w) (i64.const 100000000)) (local.get $x)))
                              (local.set $n (i32.add (local.get $n) (i32.const 8)))
                              (local.set $p (i32.add (local.get $p) (i32.const 8)))
                              (br $lf)))))
                      (br_if $df (i32.ge_u (local.get $p) (local.get $e)))
                      (local.set $c (i32.sub (i32.load8_u (local.get $p)) (i32.const 48)))
                      (br_if $df (i32.gt_u (local.get $c) (i32.const 9)))
                      (if (i32.lt_u (local.get $n) (i32.const 19))
                        (then (local.set $w (i64.add (i64.mul (local.get $w) (i64.const 10)) (i64.extend_i32_u (local.get $c)))))
                        (else (if (local.get $c) (then (local.set $dropped (i32.const 1))))))
                      (local.set $n (i32.add (local.get $n) (i32.const 1)))
                      (local.set $p (i32.add (local.get $p) (i32.const 1)))
                      (br $lf)))
                  (local.set $frac (i32.sub (local.get $p) (local.get $x0)))
                  (local.set $nd (i32.add (local.get $nd) (local.get $frac)))))))
          ;; no digit: not a number (or the window ends first)
          (if (i32.eqz (local.get $nd))
            (then
              (local.set $reason (i32.ge_u (local.get $p) (local.get $e)))
              (br $stop)))
          ;; q = n − min(n, 19) − frac, then the exponent
          (local.set $q
            (i32.sub
              (i32.sub (local.get $n) (select (local.get $n) (i32.const 19) (i32.lt_u (local.get $n) (i32.const 19))))
              (local.get $frac)))
          (if (i32.lt_u (local.get $p) (local.get $e))
            (then
              (local.set $c (i32.load8_u (local.get $p)))
              (if (i32.eq (i32.or (local.get $c) (i32.const 32)) (i32.const 101)) ;; e or E
                (then
                  (local.set $p (i32.add (local.get $p) (i32.const 1)))
                  (local.set $eneg (i32.const 0))
                  (if (i32.lt_u (local.get $p) (local.get $e))
                    (then
                      (local.set $c (i32.load8_u (local.get $p)))
                      (if (i32.or (i32.eq (local.get $c) (i32.const 45)) (i32.eq (local.get $c) (i32.const 43)))
                        (then
                          (local.set $eneg (i32.eq (local.get $c) (i32.const 45)))
                          (local.set $p (i32.add (local.get $p) (i32.const 1)))))))
                  (local.set $x0 (local.get $p))
                  (local.set $ex (i32.const 0))
                  (block $de
                    (loop $le
                      (br_if $de (i32.ge_u (local.get $p) (local.get $e)))
                      (local.set $c (i32.sub (i32.load8_u (local.get $p)) (i32.const 48)))
                      (br_if $de (i32.gt_u (local.get $c) (i32.const 9)))
                      (if (i32.lt_u (local.get $ex) (i32.const 100000))
                        (then (local.set $ex (i32.add (i32.mul (local.get $ex) (i32.const 10)) (local.get $c)))))
                      (local.set $p (i32.add (local.get $p) (i32.const 1)))
                      (br $le)))
                  (if (i32.eq (local.get $p) (local.get $x0))
                    (then
                      (local.set $reason (i32.ge_u (local.get $p) (local.get $e)))
                      (br $stop)))
                  (local.set $q
                    (i32.add (local.get $q)
                      (select (i32.sub (i32.const 0) (local.get $ex)) (local.get $ex) (local.get $eneg))))))))
          ;; ---- the delimiter: a comma between fields, LF or CRLF after the last one
          (local.set $reason (i32.const 1))
          (br_if $stop (i32.ge_u (local.get $p) (local.get $e)))
          (local.set $c (i32.load8_u (local.get $p)))
          (if (i32.lt_u (local.get $f) (local.get $last))
            (then
              (local.set $reason (i32.const 0))
              (br_if $stop (i32.ne (local.get $c) (i32.const 44)))
              (local.set $x0 (i32.add (local.get $p) (i32.const 1))))
            (else
              (if (i32.eq (local.get $c) (i32.const 10))
                (then (local.set $x0 (i32.add (local.get $p) (i32.const 1))))
                (else
                  (local.set $reason (i32.const 0))
                  (br_if $stop (i32.ne (local.get $c) (i32.const 13)))
                  (local.set $reason (i32.const 1))
                  (br_if $stop (i32.ge_u (i32.add (local.get $p) (i32.const 1)) (local.get $e)))
                  (local.set $reason (i32.const 0))
                  (br_if $stop (i32.ne (i32.load8_u offset=1 (local.get $p)) (i32.const 10)))
                  (local.set $x0 (i32.add (local.get $p) (i32.const 2)))))))
          ;; ---- the value (x0: the position after the delimiter)
          (block $have
            (if (i32.eqz (local.get $n))
              (then
                (local.set $v (f64.const 0))
                (br $have)))
            (if (i32.eqz (local.get $dropped))
              (then
                (if (i32.and (i64.lt_u (local.get $w) (i64.const 0x20000000000000))
                      (i32.le_u (i32.add (local.get $q) (i32.const 22)) (i32.const 44)))
                  (then
                    (local.set $v
                      (if (result f64) (i32.lt_s (local.get $q) (i32.const 0))
                        (then (f64.div (f64.convert_i64_u (local.get $w))
                          (f64.load (i32.shl (i32.sub (i32.const 0) (local.get $q)) (i32.const 3)))))
                        (else (f64.mul (f64.convert_i64_u (local.get $w))
                          (f64.load (i32.shl (local.get $q) (i32.const 3)))))))
                    (br $have)))
                (local.set $v (call $el (local.get $w) (local.get $q)))
                (br_if $have (f64.eq (local.get $v) (local.get $v))))
              (else
                ;; more than 19 digits: the value lies strictly between W·10^q and (W + 1)·10^q
                (local.set $v (call $el (local.get $w) (local.get $q)))
                (local.set $v2 (call $el (i64.add (local.get $w) (i64.const 1)) (local.get $q)))
                (br_if $have (f64.eq (local.get $v) (local.get $v2)))))
            ;; a missing table entry: stop (reason 3), the caller fills it
            (local.set $reason (i32.const 3))
            (br_if $stop (global.get $miss))
            ;; undecided here: a fallback entry (record, field, start, end of the text)
            (local.set $reason (i32.const 2))
            (br_if $stop (i32.ge_u (local.get $nfb) (local.get $fbCap)))
            (i32.store (local.get $fb) (local.get $rec))
            (i32.store offset=4 (local.get $fb) (local.get $f))
            (i32.store offset=8 (local.get $fb) (local.get $s))
            (i32.store offset=12 (local.get $fb) (local.get $p))
            (local.set $fb (i32.add (local.get $fb) (i32.const 16)))
            (local.set $nfb (i32.add (local.get $nfb) (i32.const 1)))
            (local.set $v (f64.const 0)))
          (if (local.get $neg) (then (local.set $v (f64.neg (local.get $v)))))
          (f64.store
            (i32.add (i32.load (i32.add (local.get $cols) (i32.shl (local.get $f) (i32.const 2))))
              (i32.shl (i32.add (local.get $row0) (local.get $rec)) (i32.const 3)))
            (local.get $v))
          (local.set $p (local.get $x0))
          (local.set $f (i32.add (local.get $f) (i32.const 1)))
          (br_if $lfield (i32.le_u (local.get $f) (local.get $last))))
        (local.set $rec (i32.add (local.get $rec) (i32.const 1)))
        (br $lrec)))
    ;; stopped inside (or before) record rec: back to its start, its fallback entries dropped
    (if (i32.lt_u (local.get $rec) (local.get $maxRec))
      (then
        (local.set $p (local.get $rs))
        (local.set $nfb (local.get $fbMark))))
    (i32.store (i32.const 8160) (local.get $p))
    (i32.store (i32.const 8164) (local.get $nfb))
    (i32.store (i32.const 8168) (local.get $reason))
    (i32.store (i32.const 8172) (global.get $miss))
    (global.set $miss (i32.const 0))
    (local.get $rec))

  (func $lines (export "lines") (param $p i32) (param $e i32) (result i32)
    (local $acc v128) (local $lf v128) (local $tot i32) (local $k i32) (local $e16 i32)
    (local.set $lf (i8x16.splat (i32.const 10)))
    (local.set $e16 (i32.add (local.get $p) (i32.and (i32.sub (local.get $e) (local.get $p)) (i32.const -16))))
    (block $done
      (loop $outer
        (br_if $done (i32.ge_u (local.get $p) (local.get $e16)))
        ;; at most 255 blocks per byte counter, then the counters summed
        (local.set $acc (v128.const i64x2 0 0))
        (local.set $k (i32.const 0))
        (block $full
          (loop $inner
            (br_if $full (i32.ge_u (local.get $p) (local.get $e16)))
            (br_if $full (i32.ge_u (local.get $k) (i32.const 255)))
            (local.set $acc (i8x16.sub (local.get $acc) (i8x16.eq (v128.load (local.get $p)) (local.get $lf))))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $inner)))
        (local.set $acc (i32x4.extadd_pairwise_i16x8_u (i16x8.extadd_pairwise_i8x16_u (local.get $acc))))
        (local.set $tot (i32.add (local.get $tot)
          (i32.add
            (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
            (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc))))))
        (br $outer)))
    (block $d1
      (loop $l1
        (br_if $d1 (i32.ge_u (local.get $p) (local.get $e)))
        (if (i32.eq (i32.load8_u (local.get $p)) (i32.const 10)) (then (local.set $tot (i32.add (local.get $tot) (i32.const 1)))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $l1)))
    (local.get $tot))
)
