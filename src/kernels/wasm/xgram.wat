;; @file Four-vector column products on a dense Lasso design's memory (src/kernels/xgram_wasm.ts): the Gram entries of entering features, f64x2 SIMD128.
;;
;; Compiled by scripts/build-kernels.mjs (wabt) into modules.generated.ts (`XGRAM_WASM.plain`); edit
;; this file, run `npm run build:kernels`, commit both. It is instantiated on the memory of a dense
;; design's engine (kernels/wasm_lasso.ts: X column-major, n×p, at byte offset x; the engine's
;; staging vectors), next to lasso.wat's instance on the same memory.
;;
;; dots4v(x, n, cols, count, v0, v1, v2, v3, o0, o1, o2, o3): for t < count, j = cols[t] (i32):
;; o_k[j] = Σ_i v_k[i]·X[i, j] (k = 0..3; v_k byte offsets of n-vectors, e.g. columns of X; o_k
;; byte offsets of arrays indexed by feature). Columns two at a time: a 4×2 tile of eight f64x2
;; accumulators per pair of rows (six loads for sixteen multiply-adds, where one vector at a time
;; makes one load per two), reduced lane 0 + lane 1, then the odd row.
;;
;; dots3v: the same for three vectors (a 3×2 tile, the same sums per product as dots4v): three
;; features left after the groups of four went through the engine's memory-bound column kernels
;; (a pair, then a single feature: 29–30 µs onto 142 columns at n = 400, where dots4v takes 25 for
;; four and dots3v 21–23; a 2×2 tile measured the same as the pair kernel, not kept; round hg5).

(module
  (import "env" "mem" (memory $mem 1))
  (func $dots4v (export "dots4v") (param $x i32) (param $n i32) (param $cols i32) (param $count i32)
    (param $v0 i32) (param $v1 i32) (param $v2 i32) (param $v3 i32) (param $o0 i32) (param $o1 i32) (param $o2 i32) (param $o3 i32)
    (local $t i32) (local $ja i32) (local $jb i32) (local $pa i32) (local $pb i32) (local $i i32) (local $e2 i32) (local $eb i32) (local $cb i32)
    (local $xa v128) (local $xb v128) (local $w0 v128) (local $w1 v128) (local $w2 v128) (local $w3 v128)
    (local $sa f64) (local $sb f64)
    (local $a0 v128) (local $b0 v128)
    (local $a1 v128) (local $b1 v128)
    (local $a2 v128) (local $b2 v128)
    (local $a3 v128) (local $b3 v128)
    (local.set $cb (i32.shl (local.get $n) (i32.const 3)))
    (local.set $e2 (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3)))
    (local.set $eb (i32.shl (local.get $n) (i32.const 3)))
    (block $done
      (loop $lt
        (br_if $done (i32.ge_u (local.get $t) (local.get $count)))
        (local.set $ja (i32.load (i32.add (local.get $cols) (i32.shl (local.get $t) (i32.const 2)))))
        ;; the second column of the pair (the first again when count is odd: its results are written twice, equal)
        (local.set $jb
          (if (result i32) (i32.lt_u (i32.add (local.get $t) (i32.const 1)) (local.get $count))
            (then (i32.load (i32.add (local.get $cols) (i32.shl (i32.add (local.get $t) (i32.const 1)) (i32.const 2)))))
            (else (local.get $ja))))
        (local.set $pa (i32.add (local.get $x) (i32.mul (local.get $ja) (local.get $cb))))
        (local.set $pb (i32.add (local.get $x) (i32.mul (local.get $jb) (local.get $cb))))
        (local.set $a0 (f64x2.splat (f64.const 0)))
        (local.set $b0 (f64x2.splat (f64.const 0)))
        (local.set $a1 (f64x2.splat (f64.const 0)))
        (local.set $b1 (f64x2.splat (f64.const 0)))
        (local.set $a2 (f64x2.splat (f64.const 0)))
        (local.set $b2 (f64x2.splat (f64.const 0)))
        (local.set $a3 (f64x2.splat (f64.const 0)))
        (local.set $b3 (f64x2.splat (f64.const 0)))
        (local.set $i (i32.const 0))
        (block $d2
          (loop $li
            (br_if $d2 (i32.ge_u (local.get $i) (local.get $e2)))
            (local.set $xa (v128.load align=8 (i32.add (local.get $pa) (local.get $i))))
            (local.set $xb (v128.load align=8 (i32.add (local.get $pb) (local.get $i))))
            (local.set $w0 (v128.load align=8 (i32.add (local.get $v0) (local.get $i))))
            (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (local.get $w0) (local.get $xa))))
            (local.set $b0 (f64x2.add (local.get $b0) (f64x2.mul (local.get $w0) (local.get $xb))))
            (local.set $w1 (v128.load align=8 (i32.add (local.get $v1) (local.get $i))))
            (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (local.get $w1) (local.get $xa))))
            (local.set $b1 (f64x2.add (local.get $b1) (f64x2.mul (local.get $w1) (local.get $xb))))
            (local.set $w2 (v128.load align=8 (i32.add (local.get $v2) (local.get $i))))
            (local.set $a2 (f64x2.add (local.get $a2) (f64x2.mul (local.get $w2) (local.get $xa))))
            (local.set $b2 (f64x2.add (local.get $b2) (f64x2.mul (local.get $w2) (local.get $xb))))
            (local.set $w3 (v128.load align=8 (i32.add (local.get $v3) (local.get $i))))
            (local.set $a3 (f64x2.add (local.get $a3) (f64x2.mul (local.get $w3) (local.get $xa))))
            (local.set $b3 (f64x2.add (local.get $b3) (f64x2.mul (local.get $w3) (local.get $xb))))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $li)))
        (local.set $sa (f64.add (f64x2.extract_lane 0 (local.get $a0)) (f64x2.extract_lane 1 (local.get $a0))))
        (local.set $sb (f64.add (f64x2.extract_lane 0 (local.get $b0)) (f64x2.extract_lane 1 (local.get $b0))))
        (if (i32.lt_u (local.get $e2) (local.get $eb))
          (then
            (local.set $sa (f64.add (local.get $sa) (f64.mul (f64.load (i32.add (local.get $v0) (local.get $e2))) (f64.load (i32.add (local.get $pa) (local.get $e2))))))
            (local.set $sb (f64.add (local.get $sb) (f64.mul (f64.load (i32.add (local.get $v0) (local.get $e2))) (f64.load (i32.add (local.get $pb) (local.get $e2))))))))
        (f64.store (i32.add (local.get $o0) (i32.shl (local.get $ja) (i32.const 3))) (local.get $sa))
        (f64.store (i32.add (local.get $o0) (i32.shl (local.get $jb) (i32.const 3))) (local.get $sb))
        (local.set $sa (f64.add (f64x2.extract_lane 0 (local.get $a1)) (f64x2.extract_lane 1 (local.get $a1))))
        (local.set $sb (f64.add (f64x2.extract_lane 0 (local.get $b1)) (f64x2.extract_lane 1 (local.get $b1))))
        (if (i32.lt_u (local.get $e2) (local.get $eb))
          (then
            (local.set $sa (f64.add (local.get $sa) (f64.mul (f64.load (i32.add (local.get $v1) (local.get $e2))) (f64.load (i32.add (local.get $pa) (local.get $e2))))))
            (local.set $sb (f64.add (local.get $sb) (f64.mul (f64.load (i32.add (local.get $v1) (local.get $e2))) (f64.load (i32.add (local.get $pb) (local.get $e2))))))))
        (f64.store (i32.add (local.get $o1) (i32.shl (local.get $ja) (i32.const 3))) (local.get $sa))
        (f64.store (i32.add (local.get $o1) (i32.shl (local.get $jb) (i32.const 3))) (local.get $sb))
        (local.set $sa (f64.add (f64x2.extract_lane 0 (local.get $a2)) (f64x2.extract_lane 1 (local.get $a2))))
        (local.set $sb (f64.add (f64x2.extract_lane 0 (local.get $b2)) (f64x2.extract_lane 1 (local.get $b2))))
        (if (i32.lt_u (local.get $e2) (local.get $eb))
          (then
            (local.set $sa (f64.add (local.get $sa) (f64.mul (f64.load (i32.add (local.get $v2) (local.get $e2))) (f64.load (i32.add (local.get $pa) (local.get $e2))))))
            (local.set $sb (f64.add (local.get $sb) (f64.mul (f64.load (i32.add (local.get $v2) (local.get $e2))) (f64.load (i32.add (local.get $pb) (local.get $e2))))))))
        (f64.store (i32.add (local.get $o2) (i32.shl (local.get $ja) (i32.const 3))) (local.get $sa))
        (f64.store (i32.add (local.get $o2) (i32.shl (local.get $jb) (i32.const 3))) (local.get $sb))
        (local.set $sa (f64.add (f64x2.extract_lane 0 (local.get $a3)) (f64x2.extract_lane 1 (local.get $a3))))
        (local.set $sb (f64.add (f64x2.extract_lane 0 (local.get $b3)) (f64x2.extract_lane 1 (local.get $b3))))
        (if (i32.lt_u (local.get $e2) (local.get $eb))
          (then
            (local.set $sa (f64.add (local.get $sa) (f64.mul (f64.load (i32.add (local.get $v3) (local.get $e2))) (f64.load (i32.add (local.get $pa) (local.get $e2))))))
            (local.set $sb (f64.add (local.get $sb) (f64.mul (f64.load (i32.add (local.get $v3) (local.get $e2))) (f64.load (i32.add (local.get $pb) (local.get $e2))))))))
        (f64.store (i32.add (local.get $o3) (i32.shl (local.get $ja) (i32.const 3))) (local.get $sa))
        (f64.store (i32.add (local.get $o3) (i32.shl (local.get $jb) (i32.const 3))) (local.get $sb))
        (local.set $t (i32.add (local.get $t) (i32.const 2)))
        (br $lt))))

  (func $dots3v (export "dots3v") (param $x i32) (param $n i32) (param $cols i32) (param $count i32)
    (param $v0 i32) (param $v1 i32) (param $v2 i32) (param $o0 i32) (param $o1 i32) (param $o2 i32)
    (local $t i32) (local $ja i32) (local $jb i32) (local $pa i32) (local $pb i32) (local $i i32) (local $e2 i32) (local $eb i32) (local $cb i32)
    (local $xa v128) (local $xb v128) (local $w0 v128) (local $w1 v128) (local $w2 v128)
    (local $sa f64) (local $sb f64)
    (local $a0 v128) (local $b0 v128)
    (local $a1 v128) (local $b1 v128)
    (local $a2 v128) (local $b2 v128)
    (local.set $cb (i32.shl (local.get $n) (i32.const 3)))
    (local.set $e2 (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3)))
    (local.set $eb (i32.shl (local.get $n) (i32.const 3)))
    (block $done
      (loop $lt
        (br_if $done (i32.ge_u (local.get $t) (local.get $count)))
        (local.set $ja (i32.load (i32.add (local.get $cols) (i32.shl (local.get $t) (i32.const 2)))))
        (local.set $jb
          (if (result i32) (i32.lt_u (i32.add (local.get $t) (i32.const 1)) (local.get $count))
            (then (i32.load (i32.add (local.get $cols) (i32.shl (i32.add (local.get $t) (i32.const 1)) (i32.const 2)))))
            (else (local.get $ja))))
        (local.set $pa (i32.add (local.get $x) (i32.mul (local.get $ja) (local.get $cb))))
        (local.set $pb (i32.add (local.get $x) (i32.mul (local.get $jb) (local.get $cb))))
        (local.set $a0 (f64x2.splat (f64.const 0)))
        (local.set $b0 (f64x2.splat (f64.const 0)))
        (local.set $a1 (f64x2.splat (f64.const 0)))
        (local.set $b1 (f64x2.splat (f64.const 0)))
        (local.set $a2 (f64x2.splat (f64.const 0)))
        (local.set $b2 (f64x2.splat (f64.const 0)))
        (local.set $i (i32.const 0))
        (block $d2
          (loop $li
            (br_if $d2 (i32.ge_u (local.get $i) (local.get $e2)))
            (local.set $xa (v128.load align=8 (i32.add (local.get $pa) (local.get $i))))
            (local.set $xb (v128.load align=8 (i32.add (local.get $pb) (local.get $i))))
            (local.set $w0 (v128.load align=8 (i32.add (local.get $v0) (local.get $i))))
            (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (local.get $w0) (local.get $xa))))
            (local.set $b0 (f64x2.add (local.get $b0) (f64x2.mul (local.get $w0) (local.get $xb))))
            (local.set $w1 (v128.load align=8 (i32.add (local.get $v1) (local.get $i))))
            (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (local.get $w1) (local.get $xa))))
            (local.set $b1 (f64x2.add (local.get $b1) (f64x2.mul (local.get $w1) (local.get $xb))))
            (local.set $w2 (v128.load align=8 (i32.add (local.get $v2) (local.get $i))))
            (local.set $a2 (f64x2.add (local.get $a2) (f64x2.mul (local.get $w2) (local.get $xa))))
            (local.set $b2 (f64x2.add (local.get $b2) (f64x2.mul (local.get $w2) (local.get $xb))))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $li)))
        (local.set $sa (f64.add (f64x2.extract_lane 0 (local.get $a0)) (f64x2.extract_lane 1 (local.get $a0))))
        (local.set $sb (f64.add (f64x2.extract_lane 0 (local.get $b0)) (f64x2.extract_lane 1 (local.get $b0))))
        (if (i32.lt_u (local.get $e2) (local.get $eb))
          (then
            (local.set $sa (f64.add (local.get $sa) (f64.mul (f64.load (i32.add (local.get $v0) (local.get $e2))) (f64.load (i32.add (local.get $pa) (local.get $e2))))))
            (local.set $sb (f64.add (local.get $sb) (f64.mul (f64.load (i32.add (local.get $v0) (local.get $e2))) (f64.load (i32.add (local.get $pb) (local.get $e2))))))))
        (f64.store (i32.add (local.get $o0) (i32.shl (local.get $ja) (i32.const 3))) (local.get $sa))
        (f64.store (i32.add (local.get $o0) (i32.shl (local.get $jb) (i32.const 3))) (local.get $sb))
        (local.set $sa (f64.add (f64x2.extract_lane 0 (local.get $a1)) (f64x2.extract_lane 1 (local.get $a1))))
        (local.set $sb (f64.add (f64x2.extract_lane 0 (local.get $b1)) (f64x2.extract_lane 1 (local.get $b1))))
        (if (i32.lt_u (local.get $e2) (local.get $eb))
          (then
            (local.set $sa (f64.add (local.get $sa) (f64.mul (f64.load (i32.add (local.get $v1) (local.get $e2))) (f64.load (i32.add (local.get $pa) (local.get $e2))))))
            (local.set $sb (f64.add (local.get $sb) (f64.mul (f64.load (i32.add (local.get $v1) (local.get $e2))) (f64.load (i32.add (local.get $pb) (local.get $e2))))))))
        (f64.store (i32.add (local.get $o1) (i32.shl (local.get $ja) (i32.const 3))) (local.get $sa))
        (f64.store (i32.add (local.get $o1) (i32.shl (local.get $jb) (i32.const 3))) (local.get $sb))
        (local.set $sa (f64.add (f64x2.extract_lane 0 (local.get $a2)) (f64x2.extract_lane 1 (local.get $a2))))
        (local.set $sb (f64.add (f64x2.extract_lane 0 (local.get $b2)) (f64x2.extract_lane 1 (local.get $b2))))
        (if (i32.lt_u (local.get $e2) (local.get $eb))
          (then
            (local.set $sa (f64.add (local.get $sa) (f64.mul (f64.load (i32.add (local.get $v2) (local.get $e2))) (f64.load (i32.add (local.get $pa) (local.get $e2))))))
            (local.set $sb (f64.add (local.get $sb) (f64.mul (f64.load (i32.add (local.get $v2) (local.get $e2))) (f64.load (i32.add (local.get $pb) (local.get $e2))))))))
        (f64.store (i32.add (local.get $o2) (i32.shl (local.get $ja) (i32.const 3))) (local.get $sa))
        (f64.store (i32.add (local.get $o2) (i32.shl (local.get $jb) (i32.const 3))) (local.get $sb))
        (local.set $t (i32.add (local.get $t) (i32.const 2)))
        (br $lt))))
)
