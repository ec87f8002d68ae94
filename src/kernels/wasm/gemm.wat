;; @file The WebAssembly SIMD gemm kernel of nsdiff: C = A·B on packed panels (f64x2, SIMD128).
;;
;; Compiled by scripts/build-kernels.mjs (wabt) into src/kernels/wasm/modules.generated.ts; edit
;; this file, run `npm run build:kernels`, commit both (test/kernels.wasm_build.test.ts checks they
;; agree). The memory is imported (env.memory): shared when worker threads run the kernel, plain
;; otherwise; and each of the two fused (`fma`, `sharedFma`: the micro-kernel's multiply-adds are
;; relaxed-SIMD madds, one rounding on hardware with FMA) or not (`plain`, `shared`: each madd
;; rewritten to a mul and an add by the build script). The build emits all four from this source.
;;
;; Packed layout (written by src/kernels/gemm_wasm.ts, see packA/packB there). op(A) is m×k, op(B)
;; is k×n; mp = m rounded up to MR = 4, np = n rounded up to NR = 4; padding rows/columns are zero.
;; k is cut into blocks [pc, pc + kb) of kb = min(kc, k − pc) steps.
;;   A block pc, row panel ir (4 rows):   ap + 8·(pc·mp + ir·kb) .. , entry (i, p) at  + 8·((p−pc)·4 + i−ir)
;;   B block pc, column panel jr (4 cols): bp + 8·(pc·np + jr·kb) .. , entry (p, j) at + 8·((p−pc)·4 + j−jr)
;;   C: mp×np row-major at cp (row stride np).
;; Each C entry is Σ over blocks (in order) of a sequential Σ over the block's p: the same
;; arithmetic whichever rows a call covers, so a row split over threads is bit-identical.
;; With $upper ≠ 0 (the symmetric rank-k product C = A·Aᵀ, A packed once and passed as both ap and
;; bp with mp = np) only the 4×4 tiles on or above the diagonal (column panel jr ≥ row panel ir)
;; are computed: each of them with the arithmetic above, so its entries have the bits of the full
;; product; the tiles below are left untouched.

(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; 4×4 micro-kernel: T = Σ_p a_p b_pᵀ over kb steps, a_p the 4 entries of A panel column p, b_p
  ;; the 4 entries of B panel row p. Eight f64x2 accumulators c<row><half> (half 0: columns 0–1,
  ;; half 1: columns 2–3). Then C[4×4 at c, row stride ldc bytes] = T (acc = 0) or C + T (acc ≠ 0).
  ;; Each update c += a·b is a relaxed madd: fused in the `fma` variants (≈ 1.25× the GFLOP/s of a
;; mul and an add on a machine with FMA, bench/gemm.bench.ts), a mul and an add in the others.
  (func $micro (param $pa i32) (param $pb i32) (param $kb i32) (param $c i32) (param $ldc i32) (param $acc i32)
    (local $end i32) (local $a v128) (local $b0 v128) (local $b1 v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local.set $end (i32.add (local.get $pa) (i32.shl (local.get $kb) (i32.const 5))))
    (loop $k
      (local.set $b0 (v128.load (local.get $pb)))
      (local.set $b1 (v128.load offset=16 (local.get $pb)))
      (local.set $a (v128.load64_splat (local.get $pa)))
      (local.set $c00 (f64x2.relaxed_madd (local.get $a) (local.get $b0) (local.get $c00)))
      (local.set $c01 (f64x2.relaxed_madd (local.get $a) (local.get $b1) (local.get $c01)))
      (local.set $a (v128.load64_splat offset=8 (local.get $pa)))
      (local.set $c10 (f64x2.relaxed_madd (local.get $a) (local.get $b0) (local.get $c10)))
      (local.set $c11 (f64x2.relaxed_madd (local.get $a) (local.get $b1) (local.get $c11)))
      (local.set $a (v128.load64_splat offset=16 (local.get $pa)))
      (local.set $c20 (f64x2.relaxed_madd (local.get $a) (local.get $b0) (local.get $c20)))
      (local.set $c21 (f64x2.relaxed_madd (local.get $a) (local.get $b1) (local.get $c21)))
      (local.set $a (v128.load64_splat offset=24 (local.get $pa)))
      (local.set $c30 (f64x2.relaxed_madd (local.get $a) (local.get $b0) (local.get $c30)))
      (local.set $c31 (f64x2.relaxed_madd (local.get $a) (local.get $b1) (local.get $c31)))
      (local.set $pa (i32.add (local.get $pa) (i32.const 32)))
      (local.set $pb (i32.add (local.get $pb) (i32.const 32)))
      (br_if $k (i32.lt_u (local.get $pa) (local.get $end))))
    (if (local.get $acc)
      (then
        (local.set $c00 (f64x2.add (local.get $c00) (v128.load (local.get $c))))
        (local.set $c01 (f64x2.add (local.get $c01) (v128.load offset=16 (local.get $c))))
        (local.set $c (i32.add (local.get $c) (local.get $ldc)))
        (local.set $c10 (f64x2.add (local.get $c10) (v128.load (local.get $c))))
        (local.set $c11 (f64x2.add (local.get $c11) (v128.load offset=16 (local.get $c))))
        (local.set $c (i32.add (local.get $c) (local.get $ldc)))
        (local.set $c20 (f64x2.add (local.get $c20) (v128.load (local.get $c))))
        (local.set $c21 (f64x2.add (local.get $c21) (v128.load offset=16 (local.get $c))))
        (local.set $c (i32.add (local.get $c) (local.get $ldc)))
        (local.set $c30 (f64x2.add (local.get $c30) (v128.load (local.get $c))))
        (local.set $c31 (f64x2.add (local.get $c31) (v128.load offset=16 (local.get $c))))
        ;; rewind c to row 0
        (local.set $c (i32.sub (local.get $c) (i32.mul (local.get $ldc) (i32.const 3))))))
    (v128.store (local.get $c) (local.get $c00))
    (v128.store offset=16 (local.get $c) (local.get $c01))
    (local.set $c (i32.add (local.get $c) (local.get $ldc)))
    (v128.store (local.get $c) (local.get $c10))
    (v128.store offset=16 (local.get $c) (local.get $c11))
    (local.set $c (i32.add (local.get $c) (local.get $ldc)))
    (v128.store (local.get $c) (local.get $c20))
    (v128.store offset=16 (local.get $c) (local.get $c21))
    (local.set $c (i32.add (local.get $c) (local.get $ldc)))
    (v128.store (local.get $c) (local.get $c30))
    (v128.store offset=16 (local.get $c) (local.get $c31)))

  ;; Rows [r0, r1) of C (multiples of 4) = op(A)·op(B) from the packed panels. Loop order: k block,
  ;; then B column panel (stays in L1 across the row panels), then A row panel (the chunk's A block,
  ;; (r1 − r0)·kb entries, stays in L2).
  (func (export "gemm") (param $ap i32) (param $bp i32) (param $cp i32) (param $mp i32) (param $np i32)
        (param $k i32) (param $kc i32) (param $r0 i32) (param $r1 i32) (param $upper i32)
    (local $pc i32) (local $kb i32) (local $jr i32) (local $ir i32) (local $abase i32) (local $bpan i32) (local $ldc i32)
    (local $j0 i32) (local $rend i32)
    (local.set $ldc (i32.shl (local.get $np) (i32.const 3)))
    (block $done
      (br_if $done (i32.or (i32.ge_u (local.get $r0) (local.get $r1)) (i32.eqz (local.get $np))))
      (loop $blocks
        (local.set $kb (i32.sub (local.get $k) (local.get $pc)))
        (if (i32.gt_u (local.get $kb) (local.get $kc)) (then (local.set $kb (local.get $kc))))
        ;; abase = ap + 8·pc·mp ; bpan = bp + 8·pc·np (then + 8·jr·kb per panel)
        (local.set $abase (i32.add (local.get $ap) (i32.shl (i32.mul (local.get $pc) (local.get $mp)) (i32.const 3))))
        (local.set $bpan (i32.add (local.get $bp) (i32.shl (i32.mul (local.get $pc) (local.get $np)) (i32.const 3))))
        ;; upper: the column panels start at the chunk's first row panel (jr ≥ ir ≥ r0)
        (local.set $j0 (select (local.get $r0) (i32.const 0) (local.get $upper)))
        (local.set $bpan (i32.add (local.get $bpan) (i32.shl (i32.mul (local.get $j0) (local.get $kb)) (i32.const 3))))
        (local.set $jr (local.get $j0))
        (loop $cols
          ;; rows [r0, rend): all of the chunk, or (upper) the row panels ir ≤ jr
          (local.set $rend (local.get $r1))
          (if (i32.and (i32.ne (local.get $upper) (i32.const 0)) (i32.lt_u (i32.add (local.get $jr) (i32.const 4)) (local.get $r1)))
            (then (local.set $rend (i32.add (local.get $jr) (i32.const 4)))))
          (local.set $ir (local.get $r0))
          (loop $rows
            (call $micro
              (i32.add (local.get $abase) (i32.shl (i32.mul (local.get $ir) (local.get $kb)) (i32.const 3)))
              (local.get $bpan)
              (local.get $kb)
              (i32.add (local.get $cp) (i32.shl (i32.add (i32.mul (local.get $ir) (local.get $np)) (local.get $jr)) (i32.const 3)))
              (local.get $ldc)
              (local.get $pc))
            (local.set $ir (i32.add (local.get $ir) (i32.const 4)))
            (br_if $rows (i32.lt_u (local.get $ir) (local.get $rend))))
          (local.set $bpan (i32.add (local.get $bpan) (i32.shl (local.get $kb) (i32.const 5))))
          (local.set $jr (i32.add (local.get $jr) (i32.const 4)))
          (br_if $cols (i32.lt_u (local.get $jr) (local.get $np))))
        (local.set $pc (i32.add (local.get $pc) (local.get $kb)))
        (br_if $blocks (i32.lt_u (local.get $pc) (local.get $k))))))
)
