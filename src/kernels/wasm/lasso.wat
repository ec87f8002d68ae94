;; @file The WebAssembly SIMD kernels of dense Lasso designs (src/kernels/wasm_lasso.ts): CD epochs
;; (residual mode `epoch`, Gram mode `gepoch`, logistic `wepoch`, CSC `cepoch`), column dot
;; products, Xβ, column preparation, weighted norms, the symmetric quadratic form `symquad`, the
;; Gram-mode gap sums `gapsums`, the Gram certificate's sums `gramcert`, the CV folds' Gram
;; centring `centregram`, the Gram loop's support list `nzlist` and refresh difference `qminus`.
;; f64x2 SIMD128.
;;
;; Compiled by scripts/build-kernels.mjs (wabt) into modules.generated.ts (`LASSO_WASM.shared` for
;; the engines' shared memories, whose row-split kernels a partner thread also runs (team.ts), and
;; `LASSO_WASM.plain` for ordinary memories); edit this file, run `npm run build:kernels`, commit
;; both. The memory (env.mem) is one per prepared design, owned by wasm_lasso.ts: X column-major
;; (n×p) plus the solver vectors.
;;
;; Conventions of every function: pointers are byte offsets into the memory; X_j, column j of X,
;; starts at x + 8·n·j. Loops over a column of n entries run in three stages: 64-byte blocks with
;; four f64x2 accumulators (up to end8 = 8·(n & ~7)), 32-byte blocks with two (end4 =
;; 8·(n & ~3)), then a scalar tail (endb = 8·n); pointer-walking loops use pc (column), pv
;; (vector), pe (current end). Accumulators are reduced as (a0 + a2) + (a1 + a3), then lane 0 +
;; lane 1, then the scalar tail is added in order: the JavaScript kernels of cd_epochs.ts /
;; columns.ts are the reference. `unused` locals are kept so that the code is the exact
;; translation of the previous hand-assembled module (same instructions, bit-identical results).
;;
;; The block-epoch kernels (axpy4, axpydot4, axpy1dot4–axpy3dot4, axpydot4r0, gram4, dotgram4, and
;; dot4 / dot4r0) step four rows at a time on one pointer per stream (p_<name>, advanced by 32; pe the
;; end of the four-row part), then finish with their two-row loop and scalar tail. The four-row body
;; is two copies of the two-row body (the second at offset=16, its row temporaries suffixed _2), the
;; residual updates of both first: each accumulator still adds its terms in row order, so the bits
;; are those of the two-row loop alone (test/kernels.block_order.test.ts pins them). Why: V8 keeps
;; few of nine base registers in a loop addressed as base + i, reloading the rest from the stack on
;; every step; pointers and a longer step cut those loads (docs/kernels.md, "Loops V8 compiles well").
;;
;; This text was first produced by disassembling the earlier opcode-table module with wabt and
;; naming its locals; it is now the source.

(module
  (type $t0 (func (param i32 i32 i32 i32 i32 i32 i32 i32 f64)))
  (type $t1 (func (param i32 i32 i32 i32 i32 i32)))
  (type $t2 (func (param i32 i32 i32 i32 i32 i32 i32 i32)))
  (type $t3 (func (param i32 i32 i32 i32 i32)))
  (type $t4 (func (param i32 i32 i32 i32 i32 i32) (result i32)))
  (type $t5 (func (param i32 i32 i32 i32 i32 i32)))
  (type $t6 (func (param i32 i32 i32 i32 i32 i32 i32 i32 i32 f64) (result f64)))
  (import "env" "mem" (memory $env.mem 1 65536 shared))

  ;; epoch(x, n, ws, m, beta, r, norms, thr, nl2): one cyclic coordinate-descent pass of the Lasso /
  ;; elastic net over the working set ws[0..m) (i32 column indices; see cd.ts for the update):
  ;;   s = X_jᵀr; z = s + N_j·β_j (N_j = norms[j] = ‖X_j‖²);
  ;;   β_j⁺ = ST(z, thr_j)/(N_j + nl2) (ST soft-thresholding, nl2 = n·λ₂);
  ;;   if β_j⁺ ≠ β_j: r ← r + (β_j − β_j⁺)·X_j, beta[j] = β_j⁺.
  (func $epoch (export "epoch") (type $t0) (param $x i32) (param $n i32) (param $ws i32) (param $m i32) (param $beta i32) (param $r i32) (param $norms i32) (param $thr i32) (param $nl2 f64)
    (local $w i32) (local $mb i32) (local $jb i32) (local $c i32) (local $unused i32) (local $end4 i32) (local $endb i32) (local $a0 v128) (local $a1 v128) (local $dv v128) (local $s f64) (local $bj f64) (local $nj f64) (local $tj f64) (local $z f64) (local $nb f64) (local $a2 v128) (local $a3 v128) (local $end8 i32) (local $pc i32) (local $pv i32) (local $pe i32)
    (local.set $end4
      (i32.shl
        (i32.and
          (local.get $n)
          (i32.const -4))
        (i32.const 3)))
    (local.set $endb
      (i32.shl
        (local.get $n)
        (i32.const 3)))
    (local.set $end8
      (i32.shl
        (i32.and
          (local.get $n)
          (i32.const -8))
        (i32.const 3)))
    (local.set $mb
      (i32.shl
        (local.get $m)
        (i32.const 2)))
    (local.set $w
      (i32.const 0))
    (block $B0
      (loop $L1
        (br_if $B0
          (i32.ge_u
            (local.get $w)
            (local.get $mb)))
        (local.set $c
          (i32.add
            (i32.mul
              (local.tee $jb
                (i32.load
                  (i32.add
                    (local.get $ws)
                    (local.get $w))))
              (local.get $endb))
            (local.get $x)))
        (local.set $jb
          (i32.shl
            (local.get $jb)
            (i32.const 3)))
        (local.set $a3
          (local.tee $a2
            (local.tee $a1
              (local.tee $a0
                (f64x2.splat
                  (f64.const 0x0p+0 (;=0;)))))))
        (local.set $pc
          (local.get $c))
        (local.set $pv
          (local.get $r))
        (local.set $pe
          (i32.add
            (local.get $c)
            (local.get $end8)))
        (block $B2
          (loop $L3
            (br_if $B2
              (i32.ge_u
                (local.get $pc)
                (local.get $pe)))
            (local.set $a0
              (f64x2.add
                (local.get $a0)
                (f64x2.mul
                  (v128.load align=8
                    (local.get $pc))
                  (v128.load align=8
                    (local.get $pv)))))
            (local.set $a1
              (f64x2.add
                (local.get $a1)
                (f64x2.mul
                  (v128.load offset=16 align=8
                    (local.get $pc))
                  (v128.load offset=16 align=8
                    (local.get $pv)))))
            (local.set $a2
              (f64x2.add
                (local.get $a2)
                (f64x2.mul
                  (v128.load offset=32 align=8
                    (local.get $pc))
                  (v128.load offset=32 align=8
                    (local.get $pv)))))
            (local.set $a3
              (f64x2.add
                (local.get $a3)
                (f64x2.mul
                  (v128.load offset=48 align=8
                    (local.get $pc))
                  (v128.load offset=48 align=8
                    (local.get $pv)))))
            (local.set $pv
              (i32.add
                (local.get $pv)
                (i32.const 64)))
            (local.set $pc
              (i32.add
                (local.get $pc)
                (i32.const 64)))
            (br $L3)))
        (local.set $pe
          (i32.add
            (local.get $c)
            (local.get $end4)))
        (block $B4
          (loop $L5
            (br_if $B4
              (i32.ge_u
                (local.get $pc)
                (local.get $pe)))
            (local.set $a0
              (f64x2.add
                (local.get $a0)
                (f64x2.mul
                  (v128.load align=8
                    (local.get $pc))
                  (v128.load align=8
                    (local.get $pv)))))
            (local.set $a1
              (f64x2.add
                (local.get $a1)
                (f64x2.mul
                  (v128.load offset=16 align=8
                    (local.get $pc))
                  (v128.load offset=16 align=8
                    (local.get $pv)))))
            (local.set $pv
              (i32.add
                (local.get $pv)
                (i32.const 32)))
            (local.set $pc
              (i32.add
                (local.get $pc)
                (i32.const 32)))
            (br $L5)))
        (local.set $s
          (f64.add
            (f64x2.extract_lane 0
              (local.tee $a0
                (f64x2.add
                  (f64x2.add
                    (local.get $a0)
                    (local.get $a2))
                  (f64x2.add
                    (local.get $a1)
                    (local.get $a3)))))
            (f64x2.extract_lane 1
              (local.get $a0))))
        (local.set $pe
          (i32.add
            (local.get $c)
            (local.get $endb)))
        (block $B6
          (loop $L7
            (br_if $B6
              (i32.ge_u
                (local.get $pc)
                (local.get $pe)))
            (local.set $s
              (f64.add
                (local.get $s)
                (f64.mul
                  (f64.load
                    (local.get $pc))
                  (f64.load
                    (local.get $pv)))))
            (local.set $pv
              (i32.add
                (local.get $pv)
                (i32.const 8)))
            (local.set $pc
              (i32.add
                (local.get $pc)
                (i32.const 8)))
            (br $L7)))
        (local.set $bj
          (f64.load
            (i32.add
              (local.get $beta)
              (local.get $jb))))
        (local.set $nj
          (f64.load
            (i32.add
              (local.get $norms)
              (local.get $jb))))
        (local.set $tj
          (f64.load
            (i32.add
              (local.get $thr)
              (local.get $jb))))
        (local.set $z
          (f64.add
            (local.get $s)
            (f64.mul
              (local.get $nj)
              (local.get $bj))))
        (local.set $nb
          (if $I8 (result f64)
            (f64.gt
              (local.get $z)
              (local.get $tj))
            (then
              (f64.div
                (f64.sub
                  (local.get $z)
                  (local.get $tj))
                (f64.add
                  (local.get $nj)
                  (local.get $nl2))))
            (else
              (if $I9 (result f64)
                (f64.lt
                  (local.get $z)
                  (f64.neg
                    (local.get $tj)))
                (then
                  (f64.div
                    (f64.add
                      (local.get $z)
                      (local.get $tj))
                    (f64.add
                      (local.get $nj)
                      (local.get $nl2))))
                (else
                  (f64.const 0x0p+0 (;=0;)))))))
        (if $I10
          (f64.ne
            (local.get $nb)
            (local.get $bj))
          (then
            (local.set $dv
              (f64x2.splat
                (local.tee $z
                  (f64.sub
                    (local.get $bj)
                    (local.get $nb)))))
            (local.set $pc
              (local.get $c))
            (local.set $pv
              (local.get $r))
            (local.set $pe
              (i32.add
                (local.get $c)
                (local.get $end8)))
            (block $B11
              (loop $L12
                (br_if $B11
                  (i32.ge_u
                    (local.get $pc)
                    (local.get $pe)))
                (v128.store align=8
                  (local.get $pv)
                  (f64x2.add
                    (v128.load align=8
                      (local.get $pv))
                    (f64x2.mul
                      (local.get $dv)
                      (v128.load align=8
                        (local.get $pc)))))
                (v128.store offset=16 align=8
                  (local.get $pv)
                  (f64x2.add
                    (v128.load offset=16 align=8
                      (local.get $pv))
                    (f64x2.mul
                      (local.get $dv)
                      (v128.load offset=16 align=8
                        (local.get $pc)))))
                (v128.store offset=32 align=8
                  (local.get $pv)
                  (f64x2.add
                    (v128.load offset=32 align=8
                      (local.get $pv))
                    (f64x2.mul
                      (local.get $dv)
                      (v128.load offset=32 align=8
                        (local.get $pc)))))
                (v128.store offset=48 align=8
                  (local.get $pv)
                  (f64x2.add
                    (v128.load offset=48 align=8
                      (local.get $pv))
                    (f64x2.mul
                      (local.get $dv)
                      (v128.load offset=48 align=8
                        (local.get $pc)))))
                (local.set $pv
                  (i32.add
                    (local.get $pv)
                    (i32.const 64)))
                (local.set $pc
                  (i32.add
                    (local.get $pc)
                    (i32.const 64)))
                (br $L12)))
            (local.set $pe
              (i32.add
                (local.get $c)
                (local.get $end4)))
            (block $B13
              (loop $L14
                (br_if $B13
                  (i32.ge_u
                    (local.get $pc)
                    (local.get $pe)))
                (v128.store align=8
                  (local.get $pv)
                  (f64x2.add
                    (v128.load align=8
                      (local.get $pv))
                    (f64x2.mul
                      (local.get $dv)
                      (v128.load align=8
                        (local.get $pc)))))
                (v128.store offset=16 align=8
                  (local.get $pv)
                  (f64x2.add
                    (v128.load offset=16 align=8
                      (local.get $pv))
                    (f64x2.mul
                      (local.get $dv)
                      (v128.load offset=16 align=8
                        (local.get $pc)))))
                (local.set $pv
                  (i32.add
                    (local.get $pv)
                    (i32.const 32)))
                (local.set $pc
                  (i32.add
                    (local.get $pc)
                    (i32.const 32)))
                (br $L14)))
            (local.set $pe
              (i32.add
                (local.get $c)
                (local.get $endb)))
            (block $B15
              (loop $L16
                (br_if $B15
                  (i32.ge_u
                    (local.get $pc)
                    (local.get $pe)))
                (f64.store
                  (local.get $pv)
                  (f64.add
                    (f64.load
                      (local.get $pv))
                    (f64.mul
                      (local.get $z)
                      (f64.load
                        (local.get $pc)))))
                (local.set $pv
                  (i32.add
                    (local.get $pv)
                    (i32.const 8)))
                (local.set $pc
                  (i32.add
                    (local.get $pc)
                    (i32.const 8)))
                (br $L16)))
            (f64.store
              (i32.add
                (local.get $beta)
                (local.get $jb))
              (local.get $nb))))
        (local.set $w
          (i32.add
            (local.get $w)
            (i32.const 4)))
        (br $L1))))

  ;; gepoch(x, n, ws, m, beta, g, norms, thr, nl2): one cyclic coordinate-descent pass of the Gram
  ;; (covariance-update) mode (lasso/quad_gram.ts) over ws[0..m): x holds G = X_cᵀX_c (n×n here,
  ;; n = p, symmetric, so column j = row j), g the maintained gradient X_cᵀr = q − Gβ:
  ;;   z = g_j + N_j·β_j (N_j = norms[j] = G_jj); β_j⁺ = ST(z, thr_j)/(N_j + nl2);
  ;;   if β_j⁺ ≠ β_j: g ← g + (β_j − β_j⁺)·G_j, beta[j] = β_j⁺.
  ;; The text of `epoch` with its dot-product stage replaced by the load of g_j: the update of g is
  ;; the same SIMD axpy as the residual update there.
  (func $gepoch (export "gepoch") (type $t0) (param $x i32) (param $n i32) (param $ws i32) (param $m i32) (param $beta i32) (param $r i32) (param $norms i32) (param $thr i32) (param $nl2 f64)
    (local $w i32) (local $mb i32) (local $jb i32) (local $c i32) (local $unused i32) (local $end4 i32) (local $endb i32) (local $a0 v128) (local $a1 v128) (local $dv v128) (local $s f64) (local $bj f64) (local $nj f64) (local $tj f64) (local $z f64) (local $nb f64) (local $a2 v128) (local $a3 v128) (local $end8 i32) (local $pc i32) (local $pv i32) (local $pe i32)
    (local.set $end4
      (i32.shl
        (i32.and
          (local.get $n)
          (i32.const -4))
        (i32.const 3)))
    (local.set $endb
      (i32.shl
        (local.get $n)
        (i32.const 3)))
    (local.set $end8
      (i32.shl
        (i32.and
          (local.get $n)
          (i32.const -8))
        (i32.const 3)))
    (local.set $mb
      (i32.shl
        (local.get $m)
        (i32.const 2)))
    (local.set $w
      (i32.const 0))
    (block $B0
      (loop $L1
        (br_if $B0
          (i32.ge_u
            (local.get $w)
            (local.get $mb)))
        (local.set $c
          (i32.add
            (i32.mul
              (local.tee $jb
                (i32.load
                  (i32.add
                    (local.get $ws)
                    (local.get $w))))
              (local.get $endb))
            (local.get $x)))
        (local.set $jb
          (i32.shl
            (local.get $jb)
            (i32.const 3)))
        (local.set $s
          (f64.load
            (i32.add
              (local.get $r)
              (local.get $jb))))
        (local.set $bj
          (f64.load
            (i32.add
              (local.get $beta)
              (local.get $jb))))
        (local.set $nj
          (f64.load
            (i32.add
              (local.get $norms)
              (local.get $jb))))
        (local.set $tj
          (f64.load
            (i32.add
              (local.get $thr)
              (local.get $jb))))
        (local.set $z
          (f64.add
            (local.get $s)
            (f64.mul
              (local.get $nj)
              (local.get $bj))))
        (local.set $nb
          (if $I8 (result f64)
            (f64.gt
              (local.get $z)
              (local.get $tj))
            (then
              (f64.div
                (f64.sub
                  (local.get $z)
                  (local.get $tj))
                (f64.add
                  (local.get $nj)
                  (local.get $nl2))))
            (else
              (if $I9 (result f64)
                (f64.lt
                  (local.get $z)
                  (f64.neg
                    (local.get $tj)))
                (then
                  (f64.div
                    (f64.add
                      (local.get $z)
                      (local.get $tj))
                    (f64.add
                      (local.get $nj)
                      (local.get $nl2))))
                (else
                  (f64.const 0x0p+0 (;=0;)))))))
        (if $I10
          (f64.ne
            (local.get $nb)
            (local.get $bj))
          (then
            (local.set $dv
              (f64x2.splat
                (local.tee $z
                  (f64.sub
                    (local.get $bj)
                    (local.get $nb)))))
            (local.set $pc
              (local.get $c))
            (local.set $pv
              (local.get $r))
            (local.set $pe
              (i32.add
                (local.get $c)
                (local.get $end8)))
            (block $B11
              (loop $L12
                (br_if $B11
                  (i32.ge_u
                    (local.get $pc)
                    (local.get $pe)))
                (v128.store align=8
                  (local.get $pv)
                  (f64x2.add
                    (v128.load align=8
                      (local.get $pv))
                    (f64x2.mul
                      (local.get $dv)
                      (v128.load align=8
                        (local.get $pc)))))
                (v128.store offset=16 align=8
                  (local.get $pv)
                  (f64x2.add
                    (v128.load offset=16 align=8
                      (local.get $pv))
                    (f64x2.mul
                      (local.get $dv)
                      (v128.load offset=16 align=8
                        (local.get $pc)))))
                (v128.store offset=32 align=8
                  (local.get $pv)
                  (f64x2.add
                    (v128.load offset=32 align=8
                      (local.get $pv))
                    (f64x2.mul
                      (local.get $dv)
                      (v128.load offset=32 align=8
                        (local.get $pc)))))
                (v128.store offset=48 align=8
                  (local.get $pv)
                  (f64x2.add
                    (v128.load offset=48 align=8
                      (local.get $pv))
                    (f64x2.mul
                      (local.get $dv)
                      (v128.load offset=48 align=8
                        (local.get $pc)))))
                (local.set $pv
                  (i32.add
                    (local.get $pv)
                    (i32.const 64)))
                (local.set $pc
                  (i32.add
                    (local.get $pc)
                    (i32.const 64)))
                (br $L12)))
            (local.set $pe
              (i32.add
                (local.get $c)
                (local.get $end4)))
            (block $B13
              (loop $L14
                (br_if $B13
                  (i32.ge_u
                    (local.get $pc)
                    (local.get $pe)))
                (v128.store align=8
                  (local.get $pv)
                  (f64x2.add
                    (v128.load align=8
                      (local.get $pv))
                    (f64x2.mul
                      (local.get $dv)
                      (v128.load align=8
                        (local.get $pc)))))
                (v128.store offset=16 align=8
                  (local.get $pv)
                  (f64x2.add
                    (v128.load offset=16 align=8
                      (local.get $pv))
                    (f64x2.mul
                      (local.get $dv)
                      (v128.load offset=16 align=8
                        (local.get $pc)))))
                (local.set $pv
                  (i32.add
                    (local.get $pv)
                    (i32.const 32)))
                (local.set $pc
                  (i32.add
                    (local.get $pc)
                    (i32.const 32)))
                (br $L14)))
            (local.set $pe
              (i32.add
                (local.get $c)
                (local.get $endb)))
            (block $B15
              (loop $L16
                (br_if $B15
                  (i32.ge_u
                    (local.get $pc)
                    (local.get $pe)))
                (f64.store
                  (local.get $pv)
                  (f64.add
                    (f64.load
                      (local.get $pv))
                    (f64.mul
                      (local.get $z)
                      (f64.load
                        (local.get $pc)))))
                (local.set $pv
                  (i32.add
                    (local.get $pv)
                    (i32.const 8)))
                (local.set $pc
                  (i32.add
                    (local.get $pc)
                    (i32.const 8)))
                (br $L16)))
            (f64.store
              (i32.add
                (local.get $beta)
                (local.get $jb))
              (local.get $nb))))
        (local.set $w
          (i32.add
            (local.get $w)
            (i32.const 4)))
        (br $L1))))


  ;; cepoch(vals, idx, ptr, mu, n, ws, m, beta, r, norms, thr, nl2, S) → S: one cyclic
  ;; coordinate-descent pass of the Lasso / elastic net over ws[0..m) for a CSC design with
  ;; implicit centring (lasso/cd_epochs.ts `epochSparse` is the reference: same operations in the
  ;; same order, bit-identical results). Column j holds vals[k], rows idx[k] for k in
  ;; [ptr[j], ptr[j+1]) (i32 arrays); r is the residual up to a constant shift, S = Σ r:
  ;;   s = Σ_k vals[k]·r[idx[k]]; z = (s − μ_j·S) + N_j·β_j;
  ;;   β_j⁺ = ST(z, thr_j)/(N_j + nl2);
  ;;   if β_j⁺ ≠ β_j: δ = β_j − β_j⁺, r[idx[k]] += δ·vals[k], S += (δ·n)·μ_j, beta[j] = β_j⁺.
  ;; Scalar code: the gather/scatter through idx has no SIMD form in SIMD128; the gain over
  ;; JavaScript is the absence of bounds checks and of the typed-array indirections.
  (func $cepoch (export "cepoch")
    (param $vals i32) (param $idx i32) (param $ptr i32) (param $mu i32) (param $n i32) (param $ws i32) (param $m i32)
    (param $beta i32) (param $r i32) (param $norms i32) (param $thr i32) (param $nl2 f64) (param $S f64) (result f64)
    (local $w i32) (local $jb i32) (local $k i32) (local $kend i32) (local $ri i32)
    (local $s f64) (local $muj f64) (local $bj f64) (local $nj f64) (local $tj f64) (local $z f64) (local $nb f64) (local $dlt f64)
    (local.set $w (i32.const 0))
    (block $done
      (loop $cols
        (br_if $done (i32.ge_u (local.get $w) (local.get $m)))
        ;; jb = 8·j (f64 offset); k, kend = ptr[j], ptr[j+1]
        (local.set $jb (i32.load (i32.add (local.get $ws) (i32.shl (local.get $w) (i32.const 2)))))
        (local.set $k (i32.load (i32.add (local.get $ptr) (i32.shl (local.get $jb) (i32.const 2)))))
        (local.set $kend (i32.load offset=4 (i32.add (local.get $ptr) (i32.shl (local.get $jb) (i32.const 2)))))
        (local.set $jb (i32.shl (local.get $jb) (i32.const 3)))
        ;; s = Σ vals[k]·r[idx[k]]
        (local.set $s (f64.const 0))
        (block $dotDone
          (loop $dot
            (br_if $dotDone (i32.ge_u (local.get $k) (local.get $kend)))
            (local.set $s
              (f64.add (local.get $s)
                (f64.mul
                  (f64.load (i32.add (local.get $vals) (i32.shl (local.get $k) (i32.const 3))))
                  (f64.load (i32.add (local.get $r)
                    (i32.shl (i32.load (i32.add (local.get $idx) (i32.shl (local.get $k) (i32.const 2)))) (i32.const 3)))))))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $dot)))
        (local.set $muj (f64.load (i32.add (local.get $mu) (local.get $jb))))
        (local.set $bj (f64.load (i32.add (local.get $beta) (local.get $jb))))
        (local.set $nj (f64.load (i32.add (local.get $norms) (local.get $jb))))
        (local.set $tj (f64.load (i32.add (local.get $thr) (local.get $jb))))
        (local.set $z
          (f64.add
            (f64.sub (local.get $s) (f64.mul (local.get $muj) (local.get $S)))
            (f64.mul (local.get $nj) (local.get $bj))))
        (local.set $nb
          (if (result f64) (f64.gt (local.get $z) (local.get $tj))
            (then (f64.div (f64.sub (local.get $z) (local.get $tj)) (f64.add (local.get $nj) (local.get $nl2))))
            (else
              (if (result f64) (f64.lt (local.get $z) (f64.neg (local.get $tj)))
                (then (f64.div (f64.add (local.get $z) (local.get $tj)) (f64.add (local.get $nj) (local.get $nl2))))
                (else (f64.const 0))))))
        (if (f64.ne (local.get $nb) (local.get $bj))
          (then
            (local.set $dlt (f64.sub (local.get $bj) (local.get $nb)))
            ;; r[idx[k]] += δ·vals[k] over the column (k restarts at ptr[j])
            (local.set $k (i32.load (i32.add (local.get $ptr) (i32.shr_u (local.get $jb) (i32.const 1)))))
            (block $axpyDone
              (loop $axpy
                (br_if $axpyDone (i32.ge_u (local.get $k) (local.get $kend)))
                (local.set $ri
                  (i32.add (local.get $r)
                    (i32.shl (i32.load (i32.add (local.get $idx) (i32.shl (local.get $k) (i32.const 2)))) (i32.const 3))))
                (f64.store (local.get $ri)
                  (f64.add (f64.load (local.get $ri))
                    (f64.mul (local.get $dlt) (f64.load (i32.add (local.get $vals) (i32.shl (local.get $k) (i32.const 3)))))))
                (local.set $k (i32.add (local.get $k) (i32.const 1)))
                (br $axpy)))
            (local.set $S
              (f64.add (local.get $S)
                (f64.mul (f64.mul (local.get $dlt) (f64.convert_i32_s (local.get $n))) (local.get $muj))))
            (f64.store (i32.add (local.get $beta) (local.get $jb)) (local.get $nb))))
        (local.set $w (i32.add (local.get $w) (i32.const 1)))
        (br $cols)))
    (local.get $S))

    ;; dots(x, n, cols, count, v, out): out[j] = X_jᵀv for j in cols[0..count).
  (func $dots (export "dots") (type $t1) (param $x i32) (param $n i32) (param $cols i32) (param $count i32) (param $v i32) (param $out i32)
    (local $t i32) (local $tb i32) (local $jb i32) (local $c i32) (local $unused i32) (local $end4 i32) (local $endb i32) (local $a0 v128) (local $a1 v128) (local $s f64) (local $a2 v128) (local $a3 v128) (local $end8 i32) (local $pc i32) (local $pv i32) (local $pe i32)
    (local.set $end4
      (i32.shl
        (i32.and
          (local.get $n)
          (i32.const -4))
        (i32.const 3)))
    (local.set $endb
      (i32.shl
        (local.get $n)
        (i32.const 3)))
    (local.set $end8
      (i32.shl
        (i32.and
          (local.get $n)
          (i32.const -8))
        (i32.const 3)))
    (local.set $tb
      (i32.shl
        (local.get $count)
        (i32.const 2)))
    (local.set $t
      (i32.const 0))
    (block $B0
      (loop $L1
        (br_if $B0
          (i32.ge_u
            (local.get $t)
            (local.get $tb)))
        (local.set $c
          (i32.add
            (i32.mul
              (local.tee $jb
                (i32.load
                  (i32.add
                    (local.get $cols)
                    (local.get $t))))
              (local.get $endb))
            (local.get $x)))
        (local.set $a3
          (local.tee $a2
            (local.tee $a1
              (local.tee $a0
                (f64x2.splat
                  (f64.const 0x0p+0 (;=0;)))))))
        (local.set $pc
          (local.get $c))
        (local.set $pv
          (local.get $v))
        (local.set $pe
          (i32.add
            (local.get $c)
            (local.get $end8)))
        (block $B2
          (loop $L3
            (br_if $B2
              (i32.ge_u
                (local.get $pc)
                (local.get $pe)))
            (local.set $a0
              (f64x2.add
                (local.get $a0)
                (f64x2.mul
                  (v128.load align=8
                    (local.get $pc))
                  (v128.load align=8
                    (local.get $pv)))))
            (local.set $a1
              (f64x2.add
                (local.get $a1)
                (f64x2.mul
                  (v128.load offset=16 align=8
                    (local.get $pc))
                  (v128.load offset=16 align=8
                    (local.get $pv)))))
            (local.set $a2
              (f64x2.add
                (local.get $a2)
                (f64x2.mul
                  (v128.load offset=32 align=8
                    (local.get $pc))
                  (v128.load offset=32 align=8
                    (local.get $pv)))))
            (local.set $a3
              (f64x2.add
                (local.get $a3)
                (f64x2.mul
                  (v128.load offset=48 align=8
                    (local.get $pc))
                  (v128.load offset=48 align=8
                    (local.get $pv)))))
            (local.set $pv
              (i32.add
                (local.get $pv)
                (i32.const 64)))
            (local.set $pc
              (i32.add
                (local.get $pc)
                (i32.const 64)))
            (br $L3)))
        (local.set $pe
          (i32.add
            (local.get $c)
            (local.get $end4)))
        (block $B4
          (loop $L5
            (br_if $B4
              (i32.ge_u
                (local.get $pc)
                (local.get $pe)))
            (local.set $a0
              (f64x2.add
                (local.get $a0)
                (f64x2.mul
                  (v128.load align=8
                    (local.get $pc))
                  (v128.load align=8
                    (local.get $pv)))))
            (local.set $a1
              (f64x2.add
                (local.get $a1)
                (f64x2.mul
                  (v128.load offset=16 align=8
                    (local.get $pc))
                  (v128.load offset=16 align=8
                    (local.get $pv)))))
            (local.set $pv
              (i32.add
                (local.get $pv)
                (i32.const 32)))
            (local.set $pc
              (i32.add
                (local.get $pc)
                (i32.const 32)))
            (br $L5)))
        (local.set $s
          (f64.add
            (f64x2.extract_lane 0
              (local.tee $a0
                (f64x2.add
                  (f64x2.add
                    (local.get $a0)
                    (local.get $a2))
                  (f64x2.add
                    (local.get $a1)
                    (local.get $a3)))))
            (f64x2.extract_lane 1
              (local.get $a0))))
        (local.set $pe
          (i32.add
            (local.get $c)
            (local.get $endb)))
        (block $B6
          (loop $L7
            (br_if $B6
              (i32.ge_u
                (local.get $pc)
                (local.get $pe)))
            (local.set $s
              (f64.add
                (local.get $s)
                (f64.mul
                  (f64.load
                    (local.get $pc))
                  (f64.load
                    (local.get $pv)))))
            (local.set $pv
              (i32.add
                (local.get $pv)
                (i32.const 8)))
            (local.set $pc
              (i32.add
                (local.get $pc)
                (i32.const 8)))
            (br $L7)))
        (f64.store
          (i32.add
            (local.get $out)
            (i32.shl
              (local.get $jb)
              (i32.const 3)))
          (local.get $s))
        (local.set $t
          (i32.add
            (local.get $t)
            (i32.const 4)))
        (br $L1))))

  ;; dots2(x, n, cols, count, a, b, outa, outb): fused outa[j] = X_jᵀa, outb[j] = X_jᵀb for j in
  ;; cols[0..count) (one read of X_j for both; two accumulators per vector, then a scalar tail).
  (func $dots2 (export "dots2") (type $t2) (param $x i32) (param $n i32) (param $cols i32) (param $count i32) (param $a i32) (param $b i32) (param $outa i32) (param $outb i32)
    (local $t i32) (local $tb i32) (local $jb i32) (local $c i32) (local $i i32) (local $end4 i32) (local $endb i32) (local $a0 v128) (local $a1 v128) (local $b0 v128) (local $b1 v128) (local $xv v128) (local $sa f64) (local $sb f64)
    (local.set $end4
      (i32.shl
        (i32.and
          (local.get $n)
          (i32.const -4))
        (i32.const 3)))
    (local.set $endb
      (i32.shl
        (local.get $n)
        (i32.const 3)))
    (local.set $tb
      (i32.shl
        (local.get $count)
        (i32.const 2)))
    (local.set $t
      (i32.const 0))
    (block $B0
      (loop $L1
        (br_if $B0
          (i32.ge_u
            (local.get $t)
            (local.get $tb)))
        (local.set $c
          (i32.add
            (i32.mul
              (local.tee $jb
                (i32.load
                  (i32.add
                    (local.get $cols)
                    (local.get $t))))
              (local.get $endb))
            (local.get $x)))
        (local.set $b1
          (local.tee $b0
            (local.tee $a1
              (local.tee $a0
                (f64x2.splat
                  (f64.const 0x0p+0 (;=0;)))))))
        (local.set $i
          (i32.const 0))
        (block $B2
          (loop $L3
            (br_if $B2
              (i32.ge_u
                (local.get $i)
                (local.get $end4)))
            (local.set $xv
              (v128.load align=8
                (i32.add
                  (local.get $c)
                  (local.get $i))))
            (local.set $a0
              (f64x2.add
                (local.get $a0)
                (f64x2.mul
                  (local.get $xv)
                  (v128.load align=8
                    (i32.add
                      (local.get $a)
                      (local.get $i))))))
            (local.set $b0
              (f64x2.add
                (local.get $b0)
                (f64x2.mul
                  (local.get $xv)
                  (v128.load align=8
                    (i32.add
                      (local.get $b)
                      (local.get $i))))))
            (local.set $xv
              (v128.load offset=16 align=8
                (i32.add
                  (local.get $c)
                  (local.get $i))))
            (local.set $a1
              (f64x2.add
                (local.get $a1)
                (f64x2.mul
                  (local.get $xv)
                  (v128.load offset=16 align=8
                    (i32.add
                      (local.get $a)
                      (local.get $i))))))
            (local.set $b1
              (f64x2.add
                (local.get $b1)
                (f64x2.mul
                  (local.get $xv)
                  (v128.load offset=16 align=8
                    (i32.add
                      (local.get $b)
                      (local.get $i))))))
            (local.set $i
              (i32.add
                (local.get $i)
                (i32.const 32)))
            (br $L3)))
        (local.set $sa
          (f64.add
            (f64x2.extract_lane 0
              (local.tee $a0
                (f64x2.add
                  (local.get $a0)
                  (local.get $a1))))
            (f64x2.extract_lane 1
              (local.get $a0))))
        (local.set $sb
          (f64.add
            (f64x2.extract_lane 0
              (local.tee $b0
                (f64x2.add
                  (local.get $b0)
                  (local.get $b1))))
            (f64x2.extract_lane 1
              (local.get $b0))))
        (block $B4
          (loop $L5
            (br_if $B4
              (i32.ge_u
                (local.get $i)
                (local.get $endb)))
            (local.set $sa
              (f64.add
                (local.get $sa)
                (f64.mul
                  (f64.load
                    (i32.add
                      (local.get $c)
                      (local.get $i)))
                  (f64.load
                    (i32.add
                      (local.get $a)
                      (local.get $i))))))
            (local.set $sb
              (f64.add
                (local.get $sb)
                (f64.mul
                  (f64.load
                    (i32.add
                      (local.get $c)
                      (local.get $i)))
                  (f64.load
                    (i32.add
                      (local.get $b)
                      (local.get $i))))))
            (local.set $i
              (i32.add
                (local.get $i)
                (i32.const 8)))
            (br $L5)))
        (local.set $jb
          (i32.shl
            (local.get $jb)
            (i32.const 3)))
        (f64.store
          (i32.add
            (local.get $outa)
            (local.get $jb))
          (local.get $sa))
        (f64.store
          (i32.add
            (local.get $outb)
            (local.get $jb))
          (local.get $sb))
        (local.set $t
          (i32.add
            (local.get $t)
            (i32.const 4)))
        (br $L1))))

;; gepoch4(x, n, ws, m, beta, g, norms, thr, nl2): `gepoch` with the coordinates in groups of four
  ;; (round cv4): within a group, coordinate t reads g_jt as the group's earlier updates leave it,
  ;; g_jt + δ_0·G_j0,jt + … (scalars, in order: G symmetric, row j_u = column j_u), and the changed
  ;; coordinates' updates of g are then applied in ONE pass, in order:
  ;;   g_k ← ((g_k + δ_a·G_a,k) + δ_b·G_b,k) + … .
  ;; Per entry the same operations in the same order as `gepoch`, so the same bits; g is loaded and
  ;; stored once per group (the sweeps are bound by those loads and stores, not by the arithmetic).
  ;; The coordinate step z = s + N·β, ST(z, t)/(N + nl2) is written out in each slot (no call).
  (func $gepoch4 (export "gepoch4") (type $t0) (param $x i32) (param $n i32) (param $ws i32) (param $m i32) (param $beta i32) (param $r i32) (param $norms i32) (param $thr i32) (param $nl2 f64)
    (local $w i32) (local $mb i32) (local $endb i32) (local $end4 i32) (local $k i32)
    (local $j0 i32) (local $j1 i32) (local $j2 i32) (local $j3 i32) (local $c0 i32) (local $c1 i32) (local $c2 i32) (local $c3 i32)
    (local $ch0 i32) (local $ch1 i32) (local $ch2 i32) (local $ch3 i32) (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p3 i32)
    (local $b0 f64) (local $b1 f64) (local $b2 f64) (local $b3 f64) (local $d0 f64) (local $d1 f64) (local $d2 f64) (local $d3 f64)
    (local $q0 f64) (local $q1 f64) (local $q2 f64) (local $q3 f64) (local $s f64) (local $nb f64) (local $nj f64) (local $tj f64)
    (local.set $endb (i32.shl (local.get $n) (i32.const 3)))
    (local.set $end4 (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 3)))
    (local.set $mb (i32.shl (local.get $m) (i32.const 2)))
    (local.set $w (i32.const 0))
    (block $done
      (loop $groups
        (br_if $done (i32.ge_u (local.get $w) (local.get $mb)))
        (local.set $j0 (i32.load (i32.add (local.get $ws) (local.get $w))))
        (local.set $c0 (i32.add (i32.mul (local.get $j0) (local.get $endb)) (local.get $x)))
        (local.set $j0 (i32.shl (local.get $j0) (i32.const 3)))
        (local.set $w (i32.add (local.get $w) (i32.const 4)))
        (local.set $s (f64.load (i32.add (local.get $r) (local.get $j0))))
        (local.set $b0 (f64.load (i32.add (local.get $beta) (local.get $j0))))
        (local.set $nj (f64.load (i32.add (local.get $norms) (local.get $j0))))
        (local.set $tj (f64.load (i32.add (local.get $thr) (local.get $j0))))
        (local.set $s (f64.add (local.get $s) (f64.mul (local.get $nj) (local.get $b0))))
        (local.set $nb
          (if (result f64) (f64.gt (local.get $s) (local.get $tj))
            (then (f64.div (f64.sub (local.get $s) (local.get $tj)) (f64.add (local.get $nj) (local.get $nl2))))
            (else
              (if (result f64) (f64.lt (local.get $s) (f64.neg (local.get $tj)))
                (then (f64.div (f64.add (local.get $s) (local.get $tj)) (f64.add (local.get $nj) (local.get $nl2))))
                (else (f64.const 0))))))
        (local.set $ch0 (f64.ne (local.get $nb) (local.get $b0)))
        (if (local.get $ch0) (then (local.set $d0 (f64.sub (local.get $b0) (local.get $nb))) (f64.store (i32.add (local.get $beta) (local.get $j0)) (local.get $nb))))
        (local.set $ch1 (i32.const 0)) (local.set $ch2 (i32.const 0)) (local.set $ch3 (i32.const 0))
        (if (i32.lt_u (local.get $w) (local.get $mb))
         (then
          (local.set $j1 (i32.load (i32.add (local.get $ws) (local.get $w))))
          (local.set $c1 (i32.add (i32.mul (local.get $j1) (local.get $endb)) (local.get $x)))
          (local.set $j1 (i32.shl (local.get $j1) (i32.const 3)))
          (local.set $w (i32.add (local.get $w) (i32.const 4)))
          (local.set $s (f64.load (i32.add (local.get $r) (local.get $j1))))
          (if (local.get $ch0) (then (local.set $s (f64.add (local.get $s) (f64.mul (local.get $d0) (f64.load (i32.add (local.get $c0) (local.get $j1))))))))
          (local.set $b1 (f64.load (i32.add (local.get $beta) (local.get $j1))))
          (local.set $nj (f64.load (i32.add (local.get $norms) (local.get $j1))))
        (local.set $tj (f64.load (i32.add (local.get $thr) (local.get $j1))))
        (local.set $s (f64.add (local.get $s) (f64.mul (local.get $nj) (local.get $b1))))
        (local.set $nb
          (if (result f64) (f64.gt (local.get $s) (local.get $tj))
            (then (f64.div (f64.sub (local.get $s) (local.get $tj)) (f64.add (local.get $nj) (local.get $nl2))))
            (else
              (if (result f64) (f64.lt (local.get $s) (f64.neg (local.get $tj)))
                (then (f64.div (f64.add (local.get $s) (local.get $tj)) (f64.add (local.get $nj) (local.get $nl2))))
                (else (f64.const 0))))))
          (local.set $ch1 (f64.ne (local.get $nb) (local.get $b1)))
          (if (local.get $ch1) (then (local.set $d1 (f64.sub (local.get $b1) (local.get $nb))) (f64.store (i32.add (local.get $beta) (local.get $j1)) (local.get $nb))))
          (if (i32.lt_u (local.get $w) (local.get $mb))
           (then
            (local.set $j2 (i32.load (i32.add (local.get $ws) (local.get $w))))
            (local.set $c2 (i32.add (i32.mul (local.get $j2) (local.get $endb)) (local.get $x)))
            (local.set $j2 (i32.shl (local.get $j2) (i32.const 3)))
            (local.set $w (i32.add (local.get $w) (i32.const 4)))
            (local.set $s (f64.load (i32.add (local.get $r) (local.get $j2))))
            (if (local.get $ch0) (then (local.set $s (f64.add (local.get $s) (f64.mul (local.get $d0) (f64.load (i32.add (local.get $c0) (local.get $j2))))))))
            (if (local.get $ch1) (then (local.set $s (f64.add (local.get $s) (f64.mul (local.get $d1) (f64.load (i32.add (local.get $c1) (local.get $j2))))))))
            (local.set $b2 (f64.load (i32.add (local.get $beta) (local.get $j2))))
            (local.set $nj (f64.load (i32.add (local.get $norms) (local.get $j2))))
        (local.set $tj (f64.load (i32.add (local.get $thr) (local.get $j2))))
        (local.set $s (f64.add (local.get $s) (f64.mul (local.get $nj) (local.get $b2))))
        (local.set $nb
          (if (result f64) (f64.gt (local.get $s) (local.get $tj))
            (then (f64.div (f64.sub (local.get $s) (local.get $tj)) (f64.add (local.get $nj) (local.get $nl2))))
            (else
              (if (result f64) (f64.lt (local.get $s) (f64.neg (local.get $tj)))
                (then (f64.div (f64.add (local.get $s) (local.get $tj)) (f64.add (local.get $nj) (local.get $nl2))))
                (else (f64.const 0))))))
            (local.set $ch2 (f64.ne (local.get $nb) (local.get $b2)))
            (if (local.get $ch2) (then (local.set $d2 (f64.sub (local.get $b2) (local.get $nb))) (f64.store (i32.add (local.get $beta) (local.get $j2)) (local.get $nb))))
            (if (i32.lt_u (local.get $w) (local.get $mb))
             (then
              (local.set $j3 (i32.load (i32.add (local.get $ws) (local.get $w))))
              (local.set $c3 (i32.add (i32.mul (local.get $j3) (local.get $endb)) (local.get $x)))
              (local.set $j3 (i32.shl (local.get $j3) (i32.const 3)))
              (local.set $w (i32.add (local.get $w) (i32.const 4)))
              (local.set $s (f64.load (i32.add (local.get $r) (local.get $j3))))
              (if (local.get $ch0) (then (local.set $s (f64.add (local.get $s) (f64.mul (local.get $d0) (f64.load (i32.add (local.get $c0) (local.get $j3))))))))
              (if (local.get $ch1) (then (local.set $s (f64.add (local.get $s) (f64.mul (local.get $d1) (f64.load (i32.add (local.get $c1) (local.get $j3))))))))
              (if (local.get $ch2) (then (local.set $s (f64.add (local.get $s) (f64.mul (local.get $d2) (f64.load (i32.add (local.get $c2) (local.get $j3))))))))
              (local.set $b3 (f64.load (i32.add (local.get $beta) (local.get $j3))))
              (local.set $nj (f64.load (i32.add (local.get $norms) (local.get $j3))))
        (local.set $tj (f64.load (i32.add (local.get $thr) (local.get $j3))))
        (local.set $s (f64.add (local.get $s) (f64.mul (local.get $nj) (local.get $b3))))
        (local.set $nb
          (if (result f64) (f64.gt (local.get $s) (local.get $tj))
            (then (f64.div (f64.sub (local.get $s) (local.get $tj)) (f64.add (local.get $nj) (local.get $nl2))))
            (else
              (if (result f64) (f64.lt (local.get $s) (f64.neg (local.get $tj)))
                (then (f64.div (f64.add (local.get $s) (local.get $tj)) (f64.add (local.get $nj) (local.get $nl2))))
                (else (f64.const 0))))))
              (local.set $ch3 (f64.ne (local.get $nb) (local.get $b3)))
              (if (local.get $ch3) (then (local.set $d3 (f64.sub (local.get $b3) (local.get $nb))) (f64.store (i32.add (local.get $beta) (local.get $j3)) (local.get $nb))))))))))
        (local.set $k (i32.const 0))
        (if (local.get $ch0) (then (if (i32.eqz (local.get $k)) (then (local.set $p0 (local.get $c0)) (local.set $q0 (local.get $d0)))) (if (i32.eq (local.get $k) (i32.const 1)) (then (local.set $p1 (local.get $c0)) (local.set $q1 (local.get $d0)))) (if (i32.eq (local.get $k) (i32.const 2)) (then (local.set $p2 (local.get $c0)) (local.set $q2 (local.get $d0)))) (if (i32.eq (local.get $k) (i32.const 3)) (then (local.set $p3 (local.get $c0)) (local.set $q3 (local.get $d0)))) (local.set $k (i32.add (local.get $k) (i32.const 1)))))
        (if (local.get $ch1) (then (if (i32.eqz (local.get $k)) (then (local.set $p0 (local.get $c1)) (local.set $q0 (local.get $d1)))) (if (i32.eq (local.get $k) (i32.const 1)) (then (local.set $p1 (local.get $c1)) (local.set $q1 (local.get $d1)))) (if (i32.eq (local.get $k) (i32.const 2)) (then (local.set $p2 (local.get $c1)) (local.set $q2 (local.get $d1)))) (if (i32.eq (local.get $k) (i32.const 3)) (then (local.set $p3 (local.get $c1)) (local.set $q3 (local.get $d1)))) (local.set $k (i32.add (local.get $k) (i32.const 1)))))
        (if (local.get $ch2) (then (if (i32.eqz (local.get $k)) (then (local.set $p0 (local.get $c2)) (local.set $q0 (local.get $d2)))) (if (i32.eq (local.get $k) (i32.const 1)) (then (local.set $p1 (local.get $c2)) (local.set $q1 (local.get $d2)))) (if (i32.eq (local.get $k) (i32.const 2)) (then (local.set $p2 (local.get $c2)) (local.set $q2 (local.get $d2)))) (if (i32.eq (local.get $k) (i32.const 3)) (then (local.set $p3 (local.get $c2)) (local.set $q3 (local.get $d2)))) (local.set $k (i32.add (local.get $k) (i32.const 1)))))
        (if (local.get $ch3) (then (if (i32.eqz (local.get $k)) (then (local.set $p0 (local.get $c3)) (local.set $q0 (local.get $d3)))) (if (i32.eq (local.get $k) (i32.const 1)) (then (local.set $p1 (local.get $c3)) (local.set $q1 (local.get $d3)))) (if (i32.eq (local.get $k) (i32.const 2)) (then (local.set $p2 (local.get $c3)) (local.set $q2 (local.get $d3)))) (if (i32.eq (local.get $k) (i32.const 3)) (then (local.set $p3 (local.get $c3)) (local.set $q3 (local.get $d3)))) (local.set $k (i32.add (local.get $k) (i32.const 1)))))
        (if (i32.eq (local.get $k) (i32.const 4))
          (then (call $axpy4q (local.get $r) (local.get $p0) (local.get $p1) (local.get $p2) (local.get $p3) (local.get $endb) (local.get $end4) (local.get $q0) (local.get $q1) (local.get $q2) (local.get $q3)))
          (else
            (if (i32.ge_u (local.get $k) (i32.const 2))
              (then (call $axpy2q (local.get $r) (local.get $p0) (local.get $p1) (local.get $endb) (local.get $end4) (local.get $q0) (local.get $q1))
                (if (i32.eq (local.get $k) (i32.const 3)) (then (call $axpy1q (local.get $r) (local.get $p2) (local.get $endb) (local.get $end4) (local.get $q2)))))
              (else
                (if (i32.eq (local.get $k) (i32.const 1)) (then (call $axpy1q (local.get $r) (local.get $p0) (local.get $endb) (local.get $end4) (local.get $q0))))))))
        (br $groups))))

  ;; axpy2q(g, c0, c1, endb, end4, d0, d1): g_k ← (g_k + d0·c0_k) + d1·c1_k.
  (func $axpy2q (param $g i32) (param $c0 i32) (param $c1 i32) (param $endb i32) (param $end4 i32) (param $d0 f64) (param $d1 f64)
    (local $k i32) (local $v0 v128) (local $v1 v128)
    (local.set $v0 (f64x2.splat (local.get $d0)))
    (local.set $v1 (f64x2.splat (local.get $d1)))
    (local.set $k (i32.const 0))
    (block $b4
      (loop $l4
        (br_if $b4 (i32.ge_u (local.get $k) (local.get $end4)))
        (v128.store align=8 (i32.add (local.get $g) (local.get $k))
          (f64x2.add
            (f64x2.add (v128.load align=8 (i32.add (local.get $g) (local.get $k)))
              (f64x2.mul (local.get $v0) (v128.load align=8 (i32.add (local.get $c0) (local.get $k)))))
            (f64x2.mul (local.get $v1) (v128.load align=8 (i32.add (local.get $c1) (local.get $k))))))
        (v128.store offset=16 align=8 (i32.add (local.get $g) (local.get $k))
          (f64x2.add
            (f64x2.add (v128.load offset=16 align=8 (i32.add (local.get $g) (local.get $k)))
              (f64x2.mul (local.get $v0) (v128.load offset=16 align=8 (i32.add (local.get $c0) (local.get $k)))))
            (f64x2.mul (local.get $v1) (v128.load offset=16 align=8 (i32.add (local.get $c1) (local.get $k))))))
        (local.set $k (i32.add (local.get $k) (i32.const 32)))
        (br $l4)))
    (block $b1
      (loop $l1
        (br_if $b1 (i32.ge_u (local.get $k) (local.get $endb)))
        (f64.store (i32.add (local.get $g) (local.get $k))
          (f64.add
            (f64.add (f64.load (i32.add (local.get $g) (local.get $k)))
              (f64.mul (local.get $d0) (f64.load (i32.add (local.get $c0) (local.get $k)))))
            (f64.mul (local.get $d1) (f64.load (i32.add (local.get $c1) (local.get $k))))))
        (local.set $k (i32.add (local.get $k) (i32.const 8)))
        (br $l1))))

  ;; gemvSkip4(x, n, p, beta, out): `gemvSkip` with the non-zero columns taken four at a time (round
  ;; cv4): out_k ← (((out_k + β_a·X_ak) + β_b·X_bk) + β_c·X_ck) + β_d·X_dk in one pass, the columns in
  ;; ascending order, a remainder of 1–3 columns one by one — per entry the same operations in the
  ;; same order as `gemvSkip`, so the same bits, with out loaded and stored once per four columns.
  (func $gemvSkip4 (export "gemvSkip4") (type $t3) (param $x i32) (param $n i32) (param $p i32) (param $beta i32) (param $out i32)
    (local $j i32) (local $pb i32) (local $endb i32) (local $end4 i32) (local $cnt i32) (local $bj f64)
    (local $c0 i32) (local $c1 i32) (local $c2 i32) (local $c3 i32)
    (local $b0 f64) (local $b1 f64) (local $b2 f64) (local $b3 f64)
    (local.set $endb (i32.shl (local.get $n) (i32.const 3)))
    (local.set $end4 (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 3)))
    (local.set $pb (i32.shl (local.get $p) (i32.const 3)))
    (local.set $j (i32.const 0))
    (local.set $cnt (i32.const 0))
    (block $done
      (loop $cols
        (br_if $done (i32.ge_u (local.get $j) (local.get $pb)))
        (local.set $bj (f64.load (i32.add (local.get $beta) (local.get $j))))
        (if (f64.ne (local.get $bj) (f64.const 0))
          (then
            ;; column j/8 starts at x + (j/8)·n·8 = x + j·n
            (if (i32.eqz (local.get $cnt))
              (then (local.set $c0 (i32.add (local.get $x) (i32.mul (local.get $j) (local.get $n)))) (local.set $b0 (local.get $bj)))
              (else
                (if (i32.eq (local.get $cnt) (i32.const 1))
                  (then (local.set $c1 (i32.add (local.get $x) (i32.mul (local.get $j) (local.get $n)))) (local.set $b1 (local.get $bj)))
                  (else
                    (if (i32.eq (local.get $cnt) (i32.const 2))
                      (then (local.set $c2 (i32.add (local.get $x) (i32.mul (local.get $j) (local.get $n)))) (local.set $b2 (local.get $bj)))
                      (else (local.set $c3 (i32.add (local.get $x) (i32.mul (local.get $j) (local.get $n)))) (local.set $b3 (local.get $bj))))))))
            (local.set $cnt (i32.add (local.get $cnt) (i32.const 1)))
            (if (i32.eq (local.get $cnt) (i32.const 4))
              (then
                (call $axpy4q (local.get $out) (local.get $c0) (local.get $c1) (local.get $c2) (local.get $c3)
                  (local.get $endb) (local.get $end4) (local.get $b0) (local.get $b1) (local.get $b2) (local.get $b3))
                (local.set $cnt (i32.const 0))))))
        (local.set $j (i32.add (local.get $j) (i32.const 8)))
        (br $cols)))
    ;; the remainder, in order
    (if (i32.ge_u (local.get $cnt) (i32.const 1)) (then (call $axpy1q (local.get $out) (local.get $c0) (local.get $endb) (local.get $end4) (local.get $b0))))
    (if (i32.ge_u (local.get $cnt) (i32.const 2)) (then (call $axpy1q (local.get $out) (local.get $c1) (local.get $endb) (local.get $end4) (local.get $b1))))
    (if (i32.ge_u (local.get $cnt) (i32.const 3)) (then (call $axpy1q (local.get $out) (local.get $c2) (local.get $endb) (local.get $end4) (local.get $b2)))))

  ;; axpy1q(g, c, endb, end4, d): g_k ← g_k + d·c_k over endb bytes (end4: the part in blocks of 4).
  (func $axpy1q (param $g i32) (param $c i32) (param $endb i32) (param $end4 i32) (param $d f64)
    (local $k i32) (local $v v128)
    (local.set $v (f64x2.splat (local.get $d)))
    (local.set $k (i32.const 0))
    (block $b4
      (loop $l4
        (br_if $b4 (i32.ge_u (local.get $k) (local.get $end4)))
        (v128.store align=8 (i32.add (local.get $g) (local.get $k))
          (f64x2.add (v128.load align=8 (i32.add (local.get $g) (local.get $k)))
            (f64x2.mul (local.get $v) (v128.load align=8 (i32.add (local.get $c) (local.get $k))))))
        (v128.store offset=16 align=8 (i32.add (local.get $g) (local.get $k))
          (f64x2.add (v128.load offset=16 align=8 (i32.add (local.get $g) (local.get $k)))
            (f64x2.mul (local.get $v) (v128.load offset=16 align=8 (i32.add (local.get $c) (local.get $k))))))
        (local.set $k (i32.add (local.get $k) (i32.const 32)))
        (br $l4)))
    (block $b1
      (loop $l1
        (br_if $b1 (i32.ge_u (local.get $k) (local.get $endb)))
        (f64.store (i32.add (local.get $g) (local.get $k))
          (f64.add (f64.load (i32.add (local.get $g) (local.get $k)))
            (f64.mul (local.get $d) (f64.load (i32.add (local.get $c) (local.get $k))))))
        (local.set $k (i32.add (local.get $k) (i32.const 8)))
        (br $l1))))

  ;; axpy4q(g, c0..c3, endb, end4, d0..d3): g_k ← (((g_k + d0·c0_k) + d1·c1_k) + d2·c2_k) + d3·c3_k.
  (func $axpy4q (param $g i32) (param $c0 i32) (param $c1 i32) (param $c2 i32) (param $c3 i32) (param $endb i32) (param $end4 i32)
    (param $d0 f64) (param $d1 f64) (param $d2 f64) (param $d3 f64)
    (local $k i32) (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128)
    (local.set $v0 (f64x2.splat (local.get $d0)))
    (local.set $v1 (f64x2.splat (local.get $d1)))
    (local.set $v2 (f64x2.splat (local.get $d2)))
    (local.set $v3 (f64x2.splat (local.get $d3)))
    (local.set $k (i32.const 0))
    (block $b4
      (loop $l4
        (br_if $b4 (i32.ge_u (local.get $k) (local.get $end4)))
        (v128.store align=8 (i32.add (local.get $g) (local.get $k))
          (f64x2.add
            (f64x2.add
              (f64x2.add
                (f64x2.add (v128.load align=8 (i32.add (local.get $g) (local.get $k)))
                  (f64x2.mul (local.get $v0) (v128.load align=8 (i32.add (local.get $c0) (local.get $k)))))
                (f64x2.mul (local.get $v1) (v128.load align=8 (i32.add (local.get $c1) (local.get $k)))))
              (f64x2.mul (local.get $v2) (v128.load align=8 (i32.add (local.get $c2) (local.get $k)))))
            (f64x2.mul (local.get $v3) (v128.load align=8 (i32.add (local.get $c3) (local.get $k))))))
        (v128.store offset=16 align=8 (i32.add (local.get $g) (local.get $k))
          (f64x2.add
            (f64x2.add
              (f64x2.add
                (f64x2.add (v128.load offset=16 align=8 (i32.add (local.get $g) (local.get $k)))
                  (f64x2.mul (local.get $v0) (v128.load offset=16 align=8 (i32.add (local.get $c0) (local.get $k)))))
                (f64x2.mul (local.get $v1) (v128.load offset=16 align=8 (i32.add (local.get $c1) (local.get $k)))))
              (f64x2.mul (local.get $v2) (v128.load offset=16 align=8 (i32.add (local.get $c2) (local.get $k)))))
            (f64x2.mul (local.get $v3) (v128.load offset=16 align=8 (i32.add (local.get $c3) (local.get $k))))))
        (local.set $k (i32.add (local.get $k) (i32.const 32)))
        (br $l4)))
    (block $b1
      (loop $l1
        (br_if $b1 (i32.ge_u (local.get $k) (local.get $endb)))
        (f64.store (i32.add (local.get $g) (local.get $k))
          (f64.add
            (f64.add
              (f64.add
                (f64.add (f64.load (i32.add (local.get $g) (local.get $k)))
                  (f64.mul (local.get $d0) (f64.load (i32.add (local.get $c0) (local.get $k)))))
                (f64.mul (local.get $d1) (f64.load (i32.add (local.get $c1) (local.get $k)))))
              (f64.mul (local.get $d2) (f64.load (i32.add (local.get $c2) (local.get $k)))))
            (f64.mul (local.get $d3) (f64.load (i32.add (local.get $c3) (local.get $k))))))
        (local.set $k (i32.add (local.get $k) (i32.const 8)))
        (br $l1))))

  ;; gemvSkip(x, n, p, beta, out): out += Σ_{β_j ≠ 0} β_j·X_j (Xβ skipping zero coefficients).
  (func $gemvSkip (export "gemvSkip") (type $t3) (param $x i32) (param $n i32) (param $p i32) (param $beta i32) (param $out i32)
    (local $j i32) (local $pb i32) (local $c i32) (local $unused i32) (local $end4 i32) (local $endb i32) (local $dv v128) (local $bj f64) (local $pc i32) (local $pv i32) (local $pe i32) (local $end8 i32)
    (local.set $end4
      (i32.shl
        (i32.and
          (local.get $n)
          (i32.const -4))
        (i32.const 3)))
    (local.set $endb
      (i32.shl
        (local.get $n)
        (i32.const 3)))
    (local.set $end8
      (i32.shl
        (i32.and
          (local.get $n)
          (i32.const -8))
        (i32.const 3)))
    (local.set $pb
      (i32.shl
        (local.get $p)
        (i32.const 3)))
    (local.set $j
      (i32.const 0))
    (local.set $c
      (local.get $x))
    (block $B0
      (loop $L1
        (br_if $B0
          (i32.ge_u
            (local.get $j)
            (local.get $pb)))
        (if $I2
          (f64.ne
            (local.tee $bj
              (f64.load
                (i32.add
                  (local.get $beta)
                  (local.get $j))))
            (f64.const 0x0p+0 (;=0;)))
          (then
            (local.set $dv
              (f64x2.splat
                (local.get $bj)))
            (local.set $pc
              (local.get $c))
            (local.set $pv
              (local.get $out))
            (local.set $pe
              (i32.add
                (local.get $c)
                (local.get $end8)))
            (block $B3
              (loop $L4
                (br_if $B3
                  (i32.ge_u
                    (local.get $pc)
                    (local.get $pe)))
                (v128.store align=8
                  (local.get $pv)
                  (f64x2.add
                    (v128.load align=8
                      (local.get $pv))
                    (f64x2.mul
                      (local.get $dv)
                      (v128.load align=8
                        (local.get $pc)))))
                (v128.store offset=16 align=8
                  (local.get $pv)
                  (f64x2.add
                    (v128.load offset=16 align=8
                      (local.get $pv))
                    (f64x2.mul
                      (local.get $dv)
                      (v128.load offset=16 align=8
                        (local.get $pc)))))
                (v128.store offset=32 align=8
                  (local.get $pv)
                  (f64x2.add
                    (v128.load offset=32 align=8
                      (local.get $pv))
                    (f64x2.mul
                      (local.get $dv)
                      (v128.load offset=32 align=8
                        (local.get $pc)))))
                (v128.store offset=48 align=8
                  (local.get $pv)
                  (f64x2.add
                    (v128.load offset=48 align=8
                      (local.get $pv))
                    (f64x2.mul
                      (local.get $dv)
                      (v128.load offset=48 align=8
                        (local.get $pc)))))
                (local.set $pv
                  (i32.add
                    (local.get $pv)
                    (i32.const 64)))
                (local.set $pc
                  (i32.add
                    (local.get $pc)
                    (i32.const 64)))
                (br $L4)))
            (local.set $pe
              (i32.add
                (local.get $c)
                (local.get $end4)))
            (block $B5
              (loop $L6
                (br_if $B5
                  (i32.ge_u
                    (local.get $pc)
                    (local.get $pe)))
                (v128.store align=8
                  (local.get $pv)
                  (f64x2.add
                    (v128.load align=8
                      (local.get $pv))
                    (f64x2.mul
                      (local.get $dv)
                      (v128.load align=8
                        (local.get $pc)))))
                (v128.store offset=16 align=8
                  (local.get $pv)
                  (f64x2.add
                    (v128.load offset=16 align=8
                      (local.get $pv))
                    (f64x2.mul
                      (local.get $dv)
                      (v128.load offset=16 align=8
                        (local.get $pc)))))
                (local.set $pv
                  (i32.add
                    (local.get $pv)
                    (i32.const 32)))
                (local.set $pc
                  (i32.add
                    (local.get $pc)
                    (i32.const 32)))
                (br $L6)))
            (local.set $pe
              (i32.add
                (local.get $c)
                (local.get $endb)))
            (block $B7
              (loop $L8
                (br_if $B7
                  (i32.ge_u
                    (local.get $pc)
                    (local.get $pe)))
                (f64.store
                  (local.get $pv)
                  (f64.add
                    (f64.load
                      (local.get $pv))
                    (f64.mul
                      (local.get $bj)
                      (f64.load
                        (local.get $pc)))))
                (local.set $pv
                  (i32.add
                    (local.get $pv)
                    (i32.const 8)))
                (local.set $pc
                  (i32.add
                    (local.get $pc)
                    (i32.const 8)))
                (br $L8)))))
        (local.set $c
          (i32.add
            (local.get $c)
            (local.get $endb)))
        (local.set $j
          (i32.add
            (local.get $j)
            (i32.const 8)))
        (br $L1))))

;; prep(x, n, p, center, means, norms) → bad: in place, per column j: μ = mean of X_j (two passes:
  ;; μ₀ = Σx/n, then μ = μ₀ + Σ(x − μ₀)/n), X_j ← X_j − μ when center ≠ 0 (else μ = 0),
  ;; means[j] = μ, norms[j] = ‖X_j‖². Returns 1 if a norm or mean is not finite (NaN/±Inf in X,
  ;; or overflow: the caller then scans X in JavaScript), else 0. Finite test: s − s ≠ 0.
  ;; Every sum runs on four f64x2 accumulators (8 entries per step: the chains of two were
  ;; latency-bound), the 2-wide rest into the first, reduced (a0 + a1) + (a2 + a3), lane 0 + lane 1,
  ;; then the odd entry; the norm's odd entry is taken from the stored (centred) value.
  (func $prep (export "prep") (type $t4) (param $x i32) (param $n i32) (param $p i32) (param $center i32) (param $means i32) (param $norms i32) (result i32)
    (local $j i32) (local $pb i32) (local $c i32) (local $i i32) (local $end8 i32) (local $end2 i32) (local $endb i32) (local $bad i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $mv v128) (local $s f64) (local $mu f64) (local $nf f64)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128) (local $t f64)
    (local.set $end8 (i32.shl (i32.and (local.get $n) (i32.const -8)) (i32.const 3)))
    (local.set $end2 (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3)))
    (local.set $endb (i32.shl (local.get $n) (i32.const 3)))
    (local.set $pb (i32.shl (local.get $p) (i32.const 3)))
    (local.set $c (local.get $x))
    (local.set $nf (f64.convert_i32_s (local.get $n)))
    (block $B0
      (loop $L1
        (br_if $B0 (i32.ge_u (local.get $j) (local.get $pb)))
        (local.set $mu (f64.const 0))
        (local.set $mv (f64x2.splat (f64.const 0)))
        (local.set $a0 (f64x2.splat (f64.const 0)))
            (local.set $a1 (local.get $a0))
            (local.set $a2 (local.get $a0))
            (local.set $a3 (local.get $a0))
            (local.set $i (i32.const 0))
        (if (local.get $center)
          (then
            ;; μ₀ = Σx/n
            (block $B3a
              (loop $L3a
                (br_if $B3a (i32.ge_u (local.get $i) (local.get $end8)))
                (local.set $a0 (f64x2.add (local.get $a0) (v128.load align=8 (i32.add (local.get $c) (local.get $i)))))
                (local.set $a1 (f64x2.add (local.get $a1) (v128.load offset=16 align=8 (i32.add (local.get $c) (local.get $i)))))
                (local.set $a2 (f64x2.add (local.get $a2) (v128.load offset=32 align=8 (i32.add (local.get $c) (local.get $i)))))
                (local.set $a3 (f64x2.add (local.get $a3) (v128.load offset=48 align=8 (i32.add (local.get $c) (local.get $i)))))
                (local.set $i (i32.add (local.get $i) (i32.const 64)))
                (br $L3a)))
            (block $B3b
              (loop $L3b
                (br_if $B3b (i32.ge_u (local.get $i) (local.get $end2)))
                (local.set $a0 (f64x2.add (local.get $a0) (v128.load align=8 (i32.add (local.get $c) (local.get $i)))))
                (local.set $i (i32.add (local.get $i) (i32.const 16)))
                (br $L3b)))
            (local.set $s (f64.add (f64x2.extract_lane 0 (local.tee $a0 (f64x2.add (f64x2.add (local.get $a0) (local.get $a1)) (f64x2.add (local.get $a2) (local.get $a3))))) (f64x2.extract_lane 1 (local.get $a0))))
            (block $B3c
              (loop $L3c
                (br_if $B3c (i32.ge_u (local.get $i) (local.get $endb)))
                (local.set $s (f64.add (local.get $s) (f64.load (i32.add (local.get $c) (local.get $i)))))
                (local.set $i (i32.add (local.get $i) (i32.const 8)))
                (br $L3c)))
            ;; μ = μ₀ + Σ(x − μ₀)/n
            (local.set $mv (f64x2.splat (local.tee $mu (f64.div (local.get $s) (local.get $nf)))))
            (local.set $a0 (f64x2.splat (f64.const 0)))
            (local.set $a1 (local.get $a0))
            (local.set $a2 (local.get $a0))
            (local.set $a3 (local.get $a0))
            (local.set $i (i32.const 0))
            (block $B7a
              (loop $L7a
                (br_if $B7a (i32.ge_u (local.get $i) (local.get $end8)))
                (local.set $a0 (f64x2.add (local.get $a0) (f64x2.sub (v128.load align=8 (i32.add (local.get $c) (local.get $i))) (local.get $mv))))
                (local.set $a1 (f64x2.add (local.get $a1) (f64x2.sub (v128.load offset=16 align=8 (i32.add (local.get $c) (local.get $i))) (local.get $mv))))
                (local.set $a2 (f64x2.add (local.get $a2) (f64x2.sub (v128.load offset=32 align=8 (i32.add (local.get $c) (local.get $i))) (local.get $mv))))
                (local.set $a3 (f64x2.add (local.get $a3) (f64x2.sub (v128.load offset=48 align=8 (i32.add (local.get $c) (local.get $i))) (local.get $mv))))
                (local.set $i (i32.add (local.get $i) (i32.const 64)))
                (br $L7a)))
            (block $B7b
              (loop $L7b
                (br_if $B7b (i32.ge_u (local.get $i) (local.get $end2)))
                (local.set $a0 (f64x2.add (local.get $a0) (f64x2.sub (v128.load align=8 (i32.add (local.get $c) (local.get $i))) (local.get $mv))))
                (local.set $i (i32.add (local.get $i) (i32.const 16)))
                (br $L7b)))
            (local.set $s (f64.add (f64x2.extract_lane 0 (local.tee $a0 (f64x2.add (f64x2.add (local.get $a0) (local.get $a1)) (f64x2.add (local.get $a2) (local.get $a3))))) (f64x2.extract_lane 1 (local.get $a0))))
            (block $B7c
              (loop $L7c
                (br_if $B7c (i32.ge_u (local.get $i) (local.get $endb)))
                (local.set $s (f64.add (local.get $s) (f64.sub (f64.load (i32.add (local.get $c) (local.get $i))) (local.get $mu))))
                (local.set $i (i32.add (local.get $i) (i32.const 8)))
                (br $L7c)))
            (local.set $mv (f64x2.splat (local.tee $mu (f64.add (local.get $mu) (f64.div (local.get $s) (local.get $nf))))))
            ;; X_j ← X_j − μ and ‖X_j‖² in one pass
            (local.set $a0 (f64x2.splat (f64.const 0)))
            (local.set $a1 (local.get $a0))
            (local.set $a2 (local.get $a0))
            (local.set $a3 (local.get $a0))
            (local.set $i (i32.const 0))
            (block $B11
              (loop $L12
                (br_if $B11 (i32.ge_u (local.get $i) (local.get $end8)))
                (local.set $v0 (f64x2.sub (v128.load align=8 (i32.add (local.get $c) (local.get $i))) (local.get $mv)))
                (v128.store align=8 (i32.add (local.get $c) (local.get $i)) (local.get $v0))
                (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (local.get $v0) (local.get $v0))))
                (local.set $v1 (f64x2.sub (v128.load offset=16 align=8 (i32.add (local.get $c) (local.get $i))) (local.get $mv)))
                (v128.store offset=16 align=8 (i32.add (local.get $c) (local.get $i)) (local.get $v1))
                (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (local.get $v1) (local.get $v1))))
                (local.set $v2 (f64x2.sub (v128.load offset=32 align=8 (i32.add (local.get $c) (local.get $i))) (local.get $mv)))
                (v128.store offset=32 align=8 (i32.add (local.get $c) (local.get $i)) (local.get $v2))
                (local.set $a2 (f64x2.add (local.get $a2) (f64x2.mul (local.get $v2) (local.get $v2))))
                (local.set $v3 (f64x2.sub (v128.load offset=48 align=8 (i32.add (local.get $c) (local.get $i))) (local.get $mv)))
                (v128.store offset=48 align=8 (i32.add (local.get $c) (local.get $i)) (local.get $v3))
                (local.set $a3 (f64x2.add (local.get $a3) (f64x2.mul (local.get $v3) (local.get $v3))))
                (local.set $i (i32.add (local.get $i) (i32.const 64)))
                (br $L12)))
            (block $B12
              (loop $L13
                (br_if $B12 (i32.ge_u (local.get $i) (local.get $end2)))
                (local.set $v0 (f64x2.sub (v128.load align=8 (i32.add (local.get $c) (local.get $i))) (local.get $mv)))
                (v128.store align=8 (i32.add (local.get $c) (local.get $i)) (local.get $v0))
                (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (local.get $v0) (local.get $v0))))
                (local.set $i (i32.add (local.get $i) (i32.const 16)))
                (br $L13)))
            (if (i32.lt_u (local.get $i) (local.get $endb))
              (then
                (f64.store (i32.add (local.get $c) (local.get $i)) (f64.sub (f64.load (i32.add (local.get $c) (local.get $i))) (local.get $mu))))))
          (else
            ;; not centred: ‖X_j‖² only
            (block $B15
              (loop $L16
                (br_if $B15 (i32.ge_u (local.get $i) (local.get $end8)))
                (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (v128.load align=8 (i32.add (local.get $c) (local.get $i))) (v128.load align=8 (i32.add (local.get $c) (local.get $i))))))
                (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (v128.load offset=16 align=8 (i32.add (local.get $c) (local.get $i))) (v128.load offset=16 align=8 (i32.add (local.get $c) (local.get $i))))))
                (local.set $a2 (f64x2.add (local.get $a2) (f64x2.mul (v128.load offset=32 align=8 (i32.add (local.get $c) (local.get $i))) (v128.load offset=32 align=8 (i32.add (local.get $c) (local.get $i))))))
                (local.set $a3 (f64x2.add (local.get $a3) (f64x2.mul (v128.load offset=48 align=8 (i32.add (local.get $c) (local.get $i))) (v128.load offset=48 align=8 (i32.add (local.get $c) (local.get $i))))))
                (local.set $i (i32.add (local.get $i) (i32.const 64)))
                (br $L16)))
            (block $B17
              (loop $L18
                (br_if $B17 (i32.ge_u (local.get $i) (local.get $end2)))
                (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (v128.load align=8 (i32.add (local.get $c) (local.get $i))) (v128.load align=8 (i32.add (local.get $c) (local.get $i))))))
                (local.set $i (i32.add (local.get $i) (i32.const 16)))
                (br $L18)))))
        (f64.store (i32.add (local.get $means) (local.get $j)) (local.get $mu))
        ;; reduce the norm accumulators, then the odd entry (from the stored value)
        (local.set $s (f64.add (f64x2.extract_lane 0 (local.tee $a0 (f64x2.add (f64x2.add (local.get $a0) (local.get $a1)) (f64x2.add (local.get $a2) (local.get $a3))))) (f64x2.extract_lane 1 (local.get $a0))))
        (if (i32.lt_u (local.get $end2) (local.get $endb))
          (then
            (local.set $t (f64.load (i32.add (local.get $c) (local.get $end2))))
            (local.set $s (f64.add (local.get $s) (f64.mul (local.get $t) (local.get $t))))))
        (f64.store (i32.add (local.get $norms) (local.get $j)) (local.get $s))
        (if (i32.or (f64.ne (f64.sub (local.get $s) (local.get $s)) (f64.const 0)) (f64.ne (f64.sub (local.get $mu) (local.get $mu)) (f64.const 0)))
          (then (local.set $bad (i32.const 1))))
        (local.set $c (i32.add (local.get $c) (local.get $endb)))
        (local.set $j (i32.add (local.get $j) (i32.const 8)))
        (br $L1)))
    (local.get $bad))

  ;; wnorms(x, n, ws, m, h, out): out[j] = Σ_i h_i·X_ij² for j in ws[0..m) (logistic curvatures).
  (func $wnorms (export "wnorms") (type $t5) (param $x i32) (param $n i32) (param $ws i32) (param $m i32) (param $h i32) (param $out i32)
    (local $w i32) (local $mb i32) (local $jb i32) (local $c i32) (local $pc i32) (local $ph i32) (local $pe i32) (local $end4 i32) (local $endb i32) (local $a0 v128) (local $a1 v128) (local $xv v128) (local $s f64)
    (local.set $end4
      (i32.shl
        (i32.and
          (local.get $n)
          (i32.const -4))
        (i32.const 3)))
    (local.set $endb
      (i32.shl
        (local.get $n)
        (i32.const 3)))
    (local.set $mb
      (i32.shl
        (local.get $m)
        (i32.const 2)))
    (local.set $w
      (i32.const 0))
    (block $B0
      (loop $L1
        (br_if $B0
          (i32.ge_u
            (local.get $w)
            (local.get $mb)))
        (local.set $c
          (i32.add
            (i32.mul
              (local.tee $jb
                (i32.load
                  (i32.add
                    (local.get $ws)
                    (local.get $w))))
              (local.get $endb))
            (local.get $x)))
        (local.set $a1
          (local.tee $a0
            (f64x2.splat
              (f64.const 0x0p+0 (;=0;)))))
        (local.set $pc
          (local.get $c))
        (local.set $ph
          (local.get $h))
        (local.set $pe
          (i32.add
            (local.get $c)
            (local.get $end4)))
        (block $B2
          (loop $L3
            (br_if $B2
              (i32.ge_u
                (local.get $pc)
                (local.get $pe)))
            (local.set $xv
              (v128.load align=8
                (local.get $pc)))
            (local.set $a0
              (f64x2.add
                (local.get $a0)
                (f64x2.mul
                  (f64x2.mul
                    (local.get $xv)
                    (local.get $xv))
                  (v128.load align=8
                    (local.get $ph)))))
            (local.set $xv
              (v128.load offset=16 align=8
                (local.get $pc)))
            (local.set $a1
              (f64x2.add
                (local.get $a1)
                (f64x2.mul
                  (f64x2.mul
                    (local.get $xv)
                    (local.get $xv))
                  (v128.load offset=16 align=8
                    (local.get $ph)))))
            (local.set $ph
              (i32.add
                (local.get $ph)
                (i32.const 32)))
            (local.set $pc
              (i32.add
                (local.get $pc)
                (i32.const 32)))
            (br $L3)))
        (local.set $s
          (f64.add
            (f64x2.extract_lane 0
              (local.tee $a0
                (f64x2.add
                  (local.get $a0)
                  (local.get $a1))))
            (f64x2.extract_lane 1
              (local.get $a0))))
        (local.set $pe
          (i32.add
            (local.get $c)
            (local.get $endb)))
        (block $B4
          (loop $L5
            (br_if $B4
              (i32.ge_u
                (local.get $pc)
                (local.get $pe)))
            (local.set $s
              (f64.add
                (local.get $s)
                (f64.mul
                  (f64.mul
                    (f64.load
                      (local.get $pc))
                    (f64.load
                      (local.get $pc)))
                  (f64.load
                    (local.get $ph)))))
            (local.set $ph
              (i32.add
                (local.get $ph)
                (i32.const 8)))
            (local.set $pc
              (i32.add
                (local.get $pc)
                (i32.const 8)))
            (br $L5)))
        (f64.store
          (i32.add
            (local.get $out)
            (i32.shl
              (local.get $jb)
              (i32.const 3)))
          (local.get $s))
        (local.set $w
          (i32.add
            (local.get $w)
            (i32.const 4)))
        (br $L1))))

  ;; wepoch(x, n, ws, m, beta, delta, wv, h, curv, lam) → max_j H_jj·|δ_j|: one CD pass on the
  ;; proximal-Newton model of sparse logistic regression (logreg.ts), over ws[0..m), skipping H_jj ≤ 0:
  ;;   ∂_j = X_jᵀwv; old = β_j + Δ_j; z = old − ∂_j/H_jj; new = ST(z, λ/H_jj);
  ;;   if new ≠ old: δ = new − old, Δ_j = new − β_j, wv ← wv + δ·(h ∘ X_j).
  ;; (H_jj = curv[j]; beta, delta, curv indexed by 8·j.)
  (func $wepoch (export "wepoch") (type $t6) (param $x i32) (param $n i32) (param $ws i32) (param $m i32) (param $beta i32) (param $delta i32) (param $wv i32) (param $h i32) (param $curv i32) (param $lam f64) (result f64)
    (local $w i32) (local $mb i32) (local $jb i32) (local $c i32) (local $pc i32) (local $pv i32) (local $pe i32) (local $ph i32) (local $end8 i32) (local $end4 i32) (local $endb i32) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $dv v128) (local $s f64) (local $hj f64) (local $old f64) (local $z f64) (local $tj f64) (local $nv f64) (local $dl f64) (local $maxc f64)
    (local.set $end4
      (i32.shl
        (i32.and
          (local.get $n)
          (i32.const -4))
        (i32.const 3)))
    (local.set $endb
      (i32.shl
        (local.get $n)
        (i32.const 3)))
    (local.set $end8
      (i32.shl
        (i32.and
          (local.get $n)
          (i32.const -8))
        (i32.const 3)))
    (local.set $mb
      (i32.shl
        (local.get $m)
        (i32.const 2)))
    (local.set $w
      (i32.const 0))
    (local.set $maxc
      (f64.const 0x0p+0 (;=0;)))
    (block $B0
      (loop $L1
        (br_if $B0
          (i32.ge_u
            (local.get $w)
            (local.get $mb)))
        (local.set $c
          (i32.add
            (i32.mul
              (local.tee $jb
                (i32.load
                  (i32.add
                    (local.get $ws)
                    (local.get $w))))
              (local.get $endb))
            (local.get $x)))
        (local.set $jb
          (i32.shl
            (local.get $jb)
            (i32.const 3)))
        (if $I2
          (f64.gt
            (local.tee $hj
              (f64.load
                (i32.add
                  (local.get $curv)
                  (local.get $jb))))
            (f64.const 0x0p+0 (;=0;)))
          (then
            (local.set $a3
              (local.tee $a2
                (local.tee $a1
                  (local.tee $a0
                    (f64x2.splat
                      (f64.const 0x0p+0 (;=0;)))))))
            (local.set $pc
              (local.get $c))
            (local.set $pv
              (local.get $wv))
            (local.set $pe
              (i32.add
                (local.get $c)
                (local.get $end8)))
            (block $B3
              (loop $L4
                (br_if $B3
                  (i32.ge_u
                    (local.get $pc)
                    (local.get $pe)))
                (local.set $a0
                  (f64x2.add
                    (local.get $a0)
                    (f64x2.mul
                      (v128.load align=8
                        (local.get $pc))
                      (v128.load align=8
                        (local.get $pv)))))
                (local.set $a1
                  (f64x2.add
                    (local.get $a1)
                    (f64x2.mul
                      (v128.load offset=16 align=8
                        (local.get $pc))
                      (v128.load offset=16 align=8
                        (local.get $pv)))))
                (local.set $a2
                  (f64x2.add
                    (local.get $a2)
                    (f64x2.mul
                      (v128.load offset=32 align=8
                        (local.get $pc))
                      (v128.load offset=32 align=8
                        (local.get $pv)))))
                (local.set $a3
                  (f64x2.add
                    (local.get $a3)
                    (f64x2.mul
                      (v128.load offset=48 align=8
                        (local.get $pc))
                      (v128.load offset=48 align=8
                        (local.get $pv)))))
                (local.set $pv
                  (i32.add
                    (local.get $pv)
                    (i32.const 64)))
                (local.set $pc
                  (i32.add
                    (local.get $pc)
                    (i32.const 64)))
                (br $L4)))
            (local.set $pe
              (i32.add
                (local.get $c)
                (local.get $end4)))
            (block $B5
              (loop $L6
                (br_if $B5
                  (i32.ge_u
                    (local.get $pc)
                    (local.get $pe)))
                (local.set $a0
                  (f64x2.add
                    (local.get $a0)
                    (f64x2.mul
                      (v128.load align=8
                        (local.get $pc))
                      (v128.load align=8
                        (local.get $pv)))))
                (local.set $a1
                  (f64x2.add
                    (local.get $a1)
                    (f64x2.mul
                      (v128.load offset=16 align=8
                        (local.get $pc))
                      (v128.load offset=16 align=8
                        (local.get $pv)))))
                (local.set $pv
                  (i32.add
                    (local.get $pv)
                    (i32.const 32)))
                (local.set $pc
                  (i32.add
                    (local.get $pc)
                    (i32.const 32)))
                (br $L6)))
            (local.set $s
              (f64.add
                (f64x2.extract_lane 0
                  (local.tee $a0
                    (f64x2.add
                      (f64x2.add
                        (local.get $a0)
                        (local.get $a2))
                      (f64x2.add
                        (local.get $a1)
                        (local.get $a3)))))
                (f64x2.extract_lane 1
                  (local.get $a0))))
            (local.set $pe
              (i32.add
                (local.get $c)
                (local.get $endb)))
            (block $B7
              (loop $L8
                (br_if $B7
                  (i32.ge_u
                    (local.get $pc)
                    (local.get $pe)))
                (local.set $s
                  (f64.add
                    (local.get $s)
                    (f64.mul
                      (f64.load
                        (local.get $pc))
                      (f64.load
                        (local.get $pv)))))
                (local.set $pv
                  (i32.add
                    (local.get $pv)
                    (i32.const 8)))
                (local.set $pc
                  (i32.add
                    (local.get $pc)
                    (i32.const 8)))
                (br $L8)))
            (local.set $old
              (f64.add
                (f64.load
                  (i32.add
                    (local.get $beta)
                    (local.get $jb)))
                (f64.load
                  (i32.add
                    (local.get $delta)
                    (local.get $jb)))))
            (local.set $z
              (f64.sub
                (local.get $old)
                (f64.div
                  (local.get $s)
                  (local.get $hj))))
            (local.set $tj
              (f64.div
                (local.get $lam)
                (local.get $hj)))
            (local.set $nv
              (if $I9 (result f64)
                (f64.gt
                  (local.get $z)
                  (local.get $tj))
                (then
                  (f64.sub
                    (local.get $z)
                    (local.get $tj)))
                (else
                  (if $I10 (result f64)
                    (f64.lt
                      (local.get $z)
                      (f64.neg
                        (local.get $tj)))
                    (then
                      (f64.add
                        (local.get $z)
                        (local.get $tj)))
                    (else
                      (f64.const 0x0p+0 (;=0;)))))))
            (if $I11
              (f64.ne
                (local.get $nv)
                (local.get $old))
              (then
                (local.set $dv
                  (f64x2.splat
                    (local.tee $dl
                      (f64.sub
                        (local.get $nv)
                        (local.get $old)))))
                (f64.store
                  (i32.add
                    (local.get $delta)
                    (local.get $jb))
                  (f64.sub
                    (local.get $nv)
                    (f64.load
                      (i32.add
                        (local.get $beta)
                        (local.get $jb)))))
                (local.set $pc
                  (local.get $c))
                (local.set $pv
                  (local.get $wv))
                (local.set $ph
                  (local.get $h))
                (local.set $pe
                  (i32.add
                    (local.get $c)
                    (local.get $end4)))
                (block $B12
                  (loop $L13
                    (br_if $B12
                      (i32.ge_u
                        (local.get $pc)
                        (local.get $pe)))
                    (v128.store align=8
                      (local.get $pv)
                      (f64x2.add
                        (v128.load align=8
                          (local.get $pv))
                        (f64x2.mul
                          (f64x2.mul
                            (local.get $dv)
                            (v128.load align=8
                              (local.get $ph)))
                          (v128.load align=8
                            (local.get $pc)))))
                    (v128.store offset=16 align=8
                      (local.get $pv)
                      (f64x2.add
                        (v128.load offset=16 align=8
                          (local.get $pv))
                        (f64x2.mul
                          (f64x2.mul
                            (local.get $dv)
                            (v128.load offset=16 align=8
                              (local.get $ph)))
                          (v128.load offset=16 align=8
                            (local.get $pc)))))
                    (local.set $pv
                      (i32.add
                        (local.get $pv)
                        (i32.const 32)))
                    (local.set $ph
                      (i32.add
                        (local.get $ph)
                        (i32.const 32)))
                    (local.set $pc
                      (i32.add
                        (local.get $pc)
                        (i32.const 32)))
                    (br $L13)))
                (local.set $pe
                  (i32.add
                    (local.get $c)
                    (local.get $endb)))
                (block $B14
                  (loop $L15
                    (br_if $B14
                      (i32.ge_u
                        (local.get $pc)
                        (local.get $pe)))
                    (f64.store
                      (local.get $pv)
                      (f64.add
                        (f64.load
                          (local.get $pv))
                        (f64.mul
                          (f64.mul
                            (local.get $dl)
                            (f64.load
                              (local.get $ph)))
                          (f64.load
                            (local.get $pc)))))
                    (local.set $pv
                      (i32.add
                        (local.get $pv)
                        (i32.const 8)))
                    (local.set $ph
                      (i32.add
                        (local.get $ph)
                        (i32.const 8)))
                    (local.set $pc
                      (i32.add
                        (local.get $pc)
                        (i32.const 8)))
                    (br $L15)))
                (if $I16
                  (f64.gt
                    (local.tee $z
                      (f64.mul
                        (local.get $hj)
                        (f64.abs
                          (local.get $dl))))
                    (local.get $maxc))
                  (then
                    (local.set $maxc
                      (local.get $z))))))))
        (local.set $w
          (i32.add
            (local.get $w)
            (i32.const 4)))
        (br $L1)))
    (local.get $maxc))

  ;; dot4(n, c0, c1, c2, c3, v, out): out[k] = X_kᵀv for the four columns starting at byte offsets
  ;; c0..c3 (n entries each; a column may repeat, its dot is then computed twice). One pass over v
  ;; for four columns (the block epochs of lasso/quad_cd.ts): per 32-byte step, v loaded once, two
  ;; f64x2 accumulators per column; reduced as (a + b), lane 0 + lane 1, then the odd entry.
  (func $dot4 (export "dot4") (param $n i32) (param $c0 i32) (param $c1 i32) (param $c2 i32) (param $c3 i32) (param $v i32) (param $out i32)
    (local $i i32) (local $p_v i32) (local $p_c0 i32) (local $p_c1 i32) (local $p_c2 i32) (local $p_c3 i32) (local $pe i32) (local $e4 i32) (local $e2 i32) (local $eb i32) (local $vv v128) (local $vw v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $b3 v128)
    (local $s0 f64) (local $s1 f64) (local $s2 f64) (local $s3 f64) (local $t f64)
    (local.set $e4 (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 3)))
    (local.set $e2 (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3)))
    (local.set $eb (i32.shl (local.get $n) (i32.const 3)))
    (local.set $p_v (local.get $v))
    (local.set $p_c0 (local.get $c0))
    (local.set $p_c1 (local.get $c1))
    (local.set $p_c2 (local.get $c2))
    (local.set $p_c3 (local.get $c3))
    (local.set $pe (i32.add (local.get $v) (local.get $e4)))
    (block $B4
      (loop $L4
        (br_if $B4 (i32.ge_u (local.get $p_v) (local.get $pe)))
        (local.set $vv (v128.load align=8 (local.get $p_v)))
        (local.set $vw (v128.load offset=16 align=8 (local.get $p_v)))
        (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (v128.load align=8 (local.get $p_c0)) (local.get $vv))))
        (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (v128.load align=8 (local.get $p_c1)) (local.get $vv))))
        (local.set $a2 (f64x2.add (local.get $a2) (f64x2.mul (v128.load align=8 (local.get $p_c2)) (local.get $vv))))
        (local.set $a3 (f64x2.add (local.get $a3) (f64x2.mul (v128.load align=8 (local.get $p_c3)) (local.get $vv))))
        (local.set $b0 (f64x2.add (local.get $b0) (f64x2.mul (v128.load offset=16 align=8 (local.get $p_c0)) (local.get $vw))))
        (local.set $b1 (f64x2.add (local.get $b1) (f64x2.mul (v128.load offset=16 align=8 (local.get $p_c1)) (local.get $vw))))
        (local.set $b2 (f64x2.add (local.get $b2) (f64x2.mul (v128.load offset=16 align=8 (local.get $p_c2)) (local.get $vw))))
        (local.set $b3 (f64x2.add (local.get $b3) (f64x2.mul (v128.load offset=16 align=8 (local.get $p_c3)) (local.get $vw))))
        (local.set $p_v (i32.add (local.get $p_v) (i32.const 32)))
        (local.set $p_c0 (i32.add (local.get $p_c0) (i32.const 32)))
        (local.set $p_c1 (i32.add (local.get $p_c1) (i32.const 32)))
        (local.set $p_c2 (i32.add (local.get $p_c2) (i32.const 32)))
        (local.set $p_c3 (i32.add (local.get $p_c3) (i32.const 32)))
        (br $L4)))
    (local.set $i (i32.sub (local.get $p_v) (local.get $v)))
    (if (i32.lt_u (local.get $i) (local.get $e2))
      (then
        (local.set $vv (v128.load align=8 (i32.add (local.get $v) (local.get $i))))
        (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (v128.load align=8 (i32.add (local.get $c0) (local.get $i))) (local.get $vv))))
        (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (v128.load align=8 (i32.add (local.get $c1) (local.get $i))) (local.get $vv))))
        (local.set $a2 (f64x2.add (local.get $a2) (f64x2.mul (v128.load align=8 (i32.add (local.get $c2) (local.get $i))) (local.get $vv))))
        (local.set $a3 (f64x2.add (local.get $a3) (f64x2.mul (v128.load align=8 (i32.add (local.get $c3) (local.get $i))) (local.get $vv))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))))
    (local.set $a0 (f64x2.add (local.get $a0) (local.get $b0)))
    (local.set $a1 (f64x2.add (local.get $a1) (local.get $b1)))
    (local.set $a2 (f64x2.add (local.get $a2) (local.get $b2)))
    (local.set $a3 (f64x2.add (local.get $a3) (local.get $b3)))
    (local.set $s0 (f64.add (f64x2.extract_lane 0 (local.get $a0)) (f64x2.extract_lane 1 (local.get $a0))))
    (local.set $s1 (f64.add (f64x2.extract_lane 0 (local.get $a1)) (f64x2.extract_lane 1 (local.get $a1))))
    (local.set $s2 (f64.add (f64x2.extract_lane 0 (local.get $a2)) (f64x2.extract_lane 1 (local.get $a2))))
    (local.set $s3 (f64.add (f64x2.extract_lane 0 (local.get $a3)) (f64x2.extract_lane 1 (local.get $a3))))
    (if (i32.lt_u (local.get $i) (local.get $eb))
      (then
        (local.set $t (f64.load (i32.add (local.get $v) (local.get $i))))
        (local.set $s0 (f64.add (local.get $s0) (f64.mul (f64.load (i32.add (local.get $c0) (local.get $i))) (local.get $t))))
        (local.set $s1 (f64.add (local.get $s1) (f64.mul (f64.load (i32.add (local.get $c1) (local.get $i))) (local.get $t))))
        (local.set $s2 (f64.add (local.get $s2) (f64.mul (f64.load (i32.add (local.get $c2) (local.get $i))) (local.get $t))))
        (local.set $s3 (f64.add (local.get $s3) (f64.mul (f64.load (i32.add (local.get $c3) (local.get $i))) (local.get $t))))))
    (f64.store (local.get $out) (local.get $s0))
    (f64.store offset=8 (local.get $out) (local.get $s1))
    (f64.store offset=16 (local.get $out) (local.get $s2))
    (f64.store offset=24 (local.get $out) (local.get $s3)))

  ;; axpy4(n, c0, c1, c2, c3, coef, r): r ← r − coef[0]·X_0 − coef[1]·X_1 − coef[2]·X_2 − coef[3]·X_3
  ;; (columns at byte offsets c0..c3, subtracted in that order; a zero coefficient still costs its
  ;; pass). One read and one write of r for four columns.
  (func $axpy4 (export "axpy4") (param $n i32) (param $c0 i32) (param $c1 i32) (param $c2 i32) (param $c3 i32) (param $coef i32) (param $r i32)
    (local $i i32) (local $p_r i32) (local $p_c0 i32) (local $p_c1 i32) (local $p_c2 i32) (local $p_c3 i32) (local $pe i32) (local $rv_2 v128) (local $e2 i32) (local $eb i32) (local $rv v128)
    (local $d0 v128) (local $d1 v128) (local $d2 v128) (local $d3 v128) (local $t f64)
    (local.set $e2 (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3)))
    (local.set $eb (i32.shl (local.get $n) (i32.const 3)))
    (local.set $d0 (f64x2.splat (f64.load (local.get $coef))))
    (local.set $d1 (f64x2.splat (f64.load offset=8 (local.get $coef))))
    (local.set $d2 (f64x2.splat (f64.load offset=16 (local.get $coef))))
    (local.set $d3 (f64x2.splat (f64.load offset=24 (local.get $coef))))
    (local.set $p_r (local.get $r))
    (local.set $p_c0 (local.get $c0))
    (local.set $p_c1 (local.get $c1))
    (local.set $p_c2 (local.get $c2))
    (local.set $p_c3 (local.get $c3))
    (local.set $pe (i32.add (local.get $r) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 3))))
    (block $B4
      (loop $L4
        (br_if $B4 (i32.ge_u (local.get $p_r) (local.get $pe)))
        (local.set $rv (v128.load align=8 (local.get $p_r)))
        (local.set $rv (f64x2.sub (local.get $rv) (f64x2.mul (local.get $d0) (v128.load align=8 (local.get $p_c0)))))
        (local.set $rv (f64x2.sub (local.get $rv) (f64x2.mul (local.get $d1) (v128.load align=8 (local.get $p_c1)))))
        (local.set $rv (f64x2.sub (local.get $rv) (f64x2.mul (local.get $d2) (v128.load align=8 (local.get $p_c2)))))
        (local.set $rv (f64x2.sub (local.get $rv) (f64x2.mul (local.get $d3) (v128.load align=8 (local.get $p_c3)))))
        (v128.store align=8 (local.get $p_r) (local.get $rv))
        (local.set $rv_2 (v128.load offset=16 align=8 (local.get $p_r)))
        (local.set $rv_2 (f64x2.sub (local.get $rv_2) (f64x2.mul (local.get $d0) (v128.load offset=16 align=8 (local.get $p_c0)))))
        (local.set $rv_2 (f64x2.sub (local.get $rv_2) (f64x2.mul (local.get $d1) (v128.load offset=16 align=8 (local.get $p_c1)))))
        (local.set $rv_2 (f64x2.sub (local.get $rv_2) (f64x2.mul (local.get $d2) (v128.load offset=16 align=8 (local.get $p_c2)))))
        (local.set $rv_2 (f64x2.sub (local.get $rv_2) (f64x2.mul (local.get $d3) (v128.load offset=16 align=8 (local.get $p_c3)))))
        (v128.store offset=16 align=8 (local.get $p_r) (local.get $rv_2))
        (local.set $p_r (i32.add (local.get $p_r) (i32.const 32)))
        (local.set $p_c0 (i32.add (local.get $p_c0) (i32.const 32)))
        (local.set $p_c1 (i32.add (local.get $p_c1) (i32.const 32)))
        (local.set $p_c2 (i32.add (local.get $p_c2) (i32.const 32)))
        (local.set $p_c3 (i32.add (local.get $p_c3) (i32.const 32)))
        (br $L4)))
    (local.set $i (i32.sub (local.get $p_r) (local.get $r)))
    (block $B2
      (loop $L2
        (br_if $B2 (i32.ge_u (local.get $i) (local.get $e2)))
        (local.set $rv (v128.load align=8 (i32.add (local.get $r) (local.get $i))))
        (local.set $rv (f64x2.sub (local.get $rv) (f64x2.mul (local.get $d0) (v128.load align=8 (i32.add (local.get $c0) (local.get $i))))))
        (local.set $rv (f64x2.sub (local.get $rv) (f64x2.mul (local.get $d1) (v128.load align=8 (i32.add (local.get $c1) (local.get $i))))))
        (local.set $rv (f64x2.sub (local.get $rv) (f64x2.mul (local.get $d2) (v128.load align=8 (i32.add (local.get $c2) (local.get $i))))))
        (local.set $rv (f64x2.sub (local.get $rv) (f64x2.mul (local.get $d3) (v128.load align=8 (i32.add (local.get $c3) (local.get $i))))))
        (v128.store align=8 (i32.add (local.get $r) (local.get $i)) (local.get $rv))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $L2)))
    (if (i32.lt_u (local.get $i) (local.get $eb))
      (then
        (local.set $t (f64.load (i32.add (local.get $r) (local.get $i))))
        (local.set $t (f64.sub (local.get $t) (f64.mul (f64.load (local.get $coef)) (f64.load (i32.add (local.get $c0) (local.get $i))))))
        (local.set $t (f64.sub (local.get $t) (f64.mul (f64.load offset=8 (local.get $coef)) (f64.load (i32.add (local.get $c1) (local.get $i))))))
        (local.set $t (f64.sub (local.get $t) (f64.mul (f64.load offset=16 (local.get $coef)) (f64.load (i32.add (local.get $c2) (local.get $i))))))
        (local.set $t (f64.sub (local.get $t) (f64.mul (f64.load offset=24 (local.get $coef)) (f64.load (i32.add (local.get $c3) (local.get $i))))))
        (f64.store (i32.add (local.get $r) (local.get $i)) (local.get $t)))))

  ;; axpydot4(n, a0, a1, a2, a3, coef, b0, b1, b2, b3, r, out): the block epochs' fused step: in
  ;; one pass over r, r ← r − Σ_k coef[k]·A_k (columns at a0..a3, subtracted in that order, as
  ;; axpy4), then out[k] = B_kᵀr for the updated r (columns at b0..b3; one f64x2 accumulator per
  ;; column, reduced lane 0 + lane 1, then the odd entry).
  (func $axpydot4 (export "axpydot4") (param $n i32) (param $a0 i32) (param $a1 i32) (param $a2 i32) (param $a3 i32) (param $coef i32)
    (param $b0 i32) (param $b1 i32) (param $b2 i32) (param $b3 i32) (param $r i32) (param $out i32)
    (local $i i32) (local $p_r i32) (local $p_a0 i32) (local $p_a1 i32) (local $p_a2 i32) (local $p_a3 i32) (local $p_b0 i32) (local $p_b1 i32) (local $p_b2 i32) (local $p_b3 i32) (local $pe i32) (local $rv_2 v128) (local $e2 i32) (local $eb i32) (local $rv v128)
    (local $d0 v128) (local $d1 v128) (local $d2 v128) (local $d3 v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128) (local $t f64)
    (local $u0 f64) (local $u1 f64) (local $u2 f64) (local $u3 f64)
    (local.set $e2 (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3)))
    (local.set $eb (i32.shl (local.get $n) (i32.const 3)))
    (local.set $d0 (f64x2.splat (f64.load (local.get $coef))))
    (local.set $d1 (f64x2.splat (f64.load offset=8 (local.get $coef))))
    (local.set $d2 (f64x2.splat (f64.load offset=16 (local.get $coef))))
    (local.set $d3 (f64x2.splat (f64.load offset=24 (local.get $coef))))
    (local.set $p_r (local.get $r))
    (local.set $p_a0 (local.get $a0))
    (local.set $p_a1 (local.get $a1))
    (local.set $p_a2 (local.get $a2))
    (local.set $p_a3 (local.get $a3))
    (local.set $p_b0 (local.get $b0))
    (local.set $p_b1 (local.get $b1))
    (local.set $p_b2 (local.get $b2))
    (local.set $p_b3 (local.get $b3))
    (local.set $pe (i32.add (local.get $r) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 3))))
    (block $B4
      (loop $L4
        (br_if $B4 (i32.ge_u (local.get $p_r) (local.get $pe)))
        (local.set $rv (v128.load align=8 (local.get $p_r)))
        (local.set $rv (f64x2.sub (local.get $rv) (f64x2.mul (local.get $d0) (v128.load align=8 (local.get $p_a0)))))
        (local.set $rv (f64x2.sub (local.get $rv) (f64x2.mul (local.get $d1) (v128.load align=8 (local.get $p_a1)))))
        (local.set $rv (f64x2.sub (local.get $rv) (f64x2.mul (local.get $d2) (v128.load align=8 (local.get $p_a2)))))
        (local.set $rv (f64x2.sub (local.get $rv) (f64x2.mul (local.get $d3) (v128.load align=8 (local.get $p_a3)))))
        (v128.store align=8 (local.get $p_r) (local.get $rv))
        (local.set $rv_2 (v128.load offset=16 align=8 (local.get $p_r)))
        (local.set $rv_2 (f64x2.sub (local.get $rv_2) (f64x2.mul (local.get $d0) (v128.load offset=16 align=8 (local.get $p_a0)))))
        (local.set $rv_2 (f64x2.sub (local.get $rv_2) (f64x2.mul (local.get $d1) (v128.load offset=16 align=8 (local.get $p_a1)))))
        (local.set $rv_2 (f64x2.sub (local.get $rv_2) (f64x2.mul (local.get $d2) (v128.load offset=16 align=8 (local.get $p_a2)))))
        (local.set $rv_2 (f64x2.sub (local.get $rv_2) (f64x2.mul (local.get $d3) (v128.load offset=16 align=8 (local.get $p_a3)))))
        (v128.store offset=16 align=8 (local.get $p_r) (local.get $rv_2))
        (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (v128.load align=8 (local.get $p_b0)) (local.get $rv))))
        (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (v128.load align=8 (local.get $p_b1)) (local.get $rv))))
        (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (v128.load align=8 (local.get $p_b2)) (local.get $rv))))
        (local.set $s3 (f64x2.add (local.get $s3) (f64x2.mul (v128.load align=8 (local.get $p_b3)) (local.get $rv))))
        (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (v128.load offset=16 align=8 (local.get $p_b0)) (local.get $rv_2))))
        (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (v128.load offset=16 align=8 (local.get $p_b1)) (local.get $rv_2))))
        (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (v128.load offset=16 align=8 (local.get $p_b2)) (local.get $rv_2))))
        (local.set $s3 (f64x2.add (local.get $s3) (f64x2.mul (v128.load offset=16 align=8 (local.get $p_b3)) (local.get $rv_2))))
        (local.set $p_r (i32.add (local.get $p_r) (i32.const 32)))
        (local.set $p_a0 (i32.add (local.get $p_a0) (i32.const 32)))
        (local.set $p_a1 (i32.add (local.get $p_a1) (i32.const 32)))
        (local.set $p_a2 (i32.add (local.get $p_a2) (i32.const 32)))
        (local.set $p_a3 (i32.add (local.get $p_a3) (i32.const 32)))
        (local.set $p_b0 (i32.add (local.get $p_b0) (i32.const 32)))
        (local.set $p_b1 (i32.add (local.get $p_b1) (i32.const 32)))
        (local.set $p_b2 (i32.add (local.get $p_b2) (i32.const 32)))
        (local.set $p_b3 (i32.add (local.get $p_b3) (i32.const 32)))
        (br $L4)))
    (local.set $i (i32.sub (local.get $p_r) (local.get $r)))
    (block $B2
      (loop $L2
        (br_if $B2 (i32.ge_u (local.get $i) (local.get $e2)))
        (local.set $rv (v128.load align=8 (i32.add (local.get $r) (local.get $i))))
        (local.set $rv (f64x2.sub (local.get $rv) (f64x2.mul (local.get $d0) (v128.load align=8 (i32.add (local.get $a0) (local.get $i))))))
        (local.set $rv (f64x2.sub (local.get $rv) (f64x2.mul (local.get $d1) (v128.load align=8 (i32.add (local.get $a1) (local.get $i))))))
        (local.set $rv (f64x2.sub (local.get $rv) (f64x2.mul (local.get $d2) (v128.load align=8 (i32.add (local.get $a2) (local.get $i))))))
        (local.set $rv (f64x2.sub (local.get $rv) (f64x2.mul (local.get $d3) (v128.load align=8 (i32.add (local.get $a3) (local.get $i))))))
        (v128.store align=8 (i32.add (local.get $r) (local.get $i)) (local.get $rv))
        (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (v128.load align=8 (i32.add (local.get $b0) (local.get $i))) (local.get $rv))))
        (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (v128.load align=8 (i32.add (local.get $b1) (local.get $i))) (local.get $rv))))
        (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (v128.load align=8 (i32.add (local.get $b2) (local.get $i))) (local.get $rv))))
        (local.set $s3 (f64x2.add (local.get $s3) (f64x2.mul (v128.load align=8 (i32.add (local.get $b3) (local.get $i))) (local.get $rv))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $L2)))
    (local.set $u0 (f64.add (f64x2.extract_lane 0 (local.get $s0)) (f64x2.extract_lane 1 (local.get $s0))))
    (local.set $u1 (f64.add (f64x2.extract_lane 0 (local.get $s1)) (f64x2.extract_lane 1 (local.get $s1))))
    (local.set $u2 (f64.add (f64x2.extract_lane 0 (local.get $s2)) (f64x2.extract_lane 1 (local.get $s2))))
    (local.set $u3 (f64.add (f64x2.extract_lane 0 (local.get $s3)) (f64x2.extract_lane 1 (local.get $s3))))
    (if (i32.lt_u (local.get $i) (local.get $eb))
      (then
        (local.set $t (f64.load (i32.add (local.get $r) (local.get $i))))
        (local.set $t (f64.sub (local.get $t) (f64.mul (f64.load (local.get $coef)) (f64.load (i32.add (local.get $a0) (local.get $i))))))
        (local.set $t (f64.sub (local.get $t) (f64.mul (f64.load offset=8 (local.get $coef)) (f64.load (i32.add (local.get $a1) (local.get $i))))))
        (local.set $t (f64.sub (local.get $t) (f64.mul (f64.load offset=16 (local.get $coef)) (f64.load (i32.add (local.get $a2) (local.get $i))))))
        (local.set $t (f64.sub (local.get $t) (f64.mul (f64.load offset=24 (local.get $coef)) (f64.load (i32.add (local.get $a3) (local.get $i))))))
        (f64.store (i32.add (local.get $r) (local.get $i)) (local.get $t))
        (local.set $u0 (f64.add (local.get $u0) (f64.mul (f64.load (i32.add (local.get $b0) (local.get $i))) (local.get $t))))
        (local.set $u1 (f64.add (local.get $u1) (f64.mul (f64.load (i32.add (local.get $b1) (local.get $i))) (local.get $t))))
        (local.set $u2 (f64.add (local.get $u2) (f64.mul (f64.load (i32.add (local.get $b2) (local.get $i))) (local.get $t))))
        (local.set $u3 (f64.add (local.get $u3) (f64.mul (f64.load (i32.add (local.get $b3) (local.get $i))) (local.get $t))))))
    (f64.store (local.get $out) (local.get $u0))
    (f64.store offset=8 (local.get $out) (local.get $u1))
    (f64.store offset=16 (local.get $out) (local.get $u2))
    (f64.store offset=24 (local.get $out) (local.get $u3)))

  ;; axpy1dot4, axpy2dot4, axpy3dot4 (n, a0[, a1[, a2]], coef, b0, b1, b2, b3, r, out): `axpydot4`
  ;; with only the first 1, 2 or 3 columns a_k of the update (coef[0..K)), the block's columns whose
  ;; coefficient is not zero, in their order: a zero term costs `axpydot4` a multiply and a
  ;; subtraction per entry (the kernel is bound by those), and r − 0·x = r, so the same bits (the sign
  ;; of an exactly zero r entry aside).
  (func $axpy1dot4 (export "axpy1dot4") (param $n i32) (param $a0 i32) (param $coef i32)
    (param $b0 i32) (param $b1 i32) (param $b2 i32) (param $b3 i32) (param $r i32) (param $out i32)
    (local $i i32) (local $p_r i32) (local $p_a0 i32) (local $p_b0 i32) (local $p_b1 i32) (local $p_b2 i32) (local $p_b3 i32) (local $pe i32) (local $rv_2 v128) (local $e2 i32) (local $eb i32) (local $rv v128)
    (local $d0 v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128) (local $t f64)
    (local $u0 f64) (local $u1 f64) (local $u2 f64) (local $u3 f64)
    (local.set $e2 (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3)))
    (local.set $eb (i32.shl (local.get $n) (i32.const 3)))
    (local.set $d0 (f64x2.splat (f64.load (local.get $coef))))
    (local.set $p_r (local.get $r))
    (local.set $p_a0 (local.get $a0))
    (local.set $p_b0 (local.get $b0))
    (local.set $p_b1 (local.get $b1))
    (local.set $p_b2 (local.get $b2))
    (local.set $p_b3 (local.get $b3))
    (local.set $pe (i32.add (local.get $r) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 3))))
    (block $B4
      (loop $L4
        (br_if $B4 (i32.ge_u (local.get $p_r) (local.get $pe)))
        (local.set $rv (v128.load align=8 (local.get $p_r)))
        (local.set $rv (f64x2.sub (local.get $rv) (f64x2.mul (local.get $d0) (v128.load align=8 (local.get $p_a0)))))
        (v128.store align=8 (local.get $p_r) (local.get $rv))
        (local.set $rv_2 (v128.load offset=16 align=8 (local.get $p_r)))
        (local.set $rv_2 (f64x2.sub (local.get $rv_2) (f64x2.mul (local.get $d0) (v128.load offset=16 align=8 (local.get $p_a0)))))
        (v128.store offset=16 align=8 (local.get $p_r) (local.get $rv_2))
        (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (v128.load align=8 (local.get $p_b0)) (local.get $rv))))
        (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (v128.load align=8 (local.get $p_b1)) (local.get $rv))))
        (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (v128.load align=8 (local.get $p_b2)) (local.get $rv))))
        (local.set $s3 (f64x2.add (local.get $s3) (f64x2.mul (v128.load align=8 (local.get $p_b3)) (local.get $rv))))
        (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (v128.load offset=16 align=8 (local.get $p_b0)) (local.get $rv_2))))
        (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (v128.load offset=16 align=8 (local.get $p_b1)) (local.get $rv_2))))
        (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (v128.load offset=16 align=8 (local.get $p_b2)) (local.get $rv_2))))
        (local.set $s3 (f64x2.add (local.get $s3) (f64x2.mul (v128.load offset=16 align=8 (local.get $p_b3)) (local.get $rv_2))))
        (local.set $p_r (i32.add (local.get $p_r) (i32.const 32)))
        (local.set $p_a0 (i32.add (local.get $p_a0) (i32.const 32)))
        (local.set $p_b0 (i32.add (local.get $p_b0) (i32.const 32)))
        (local.set $p_b1 (i32.add (local.get $p_b1) (i32.const 32)))
        (local.set $p_b2 (i32.add (local.get $p_b2) (i32.const 32)))
        (local.set $p_b3 (i32.add (local.get $p_b3) (i32.const 32)))
        (br $L4)))
    (local.set $i (i32.sub (local.get $p_r) (local.get $r)))
    (block $B2
      (loop $L2
        (br_if $B2 (i32.ge_u (local.get $i) (local.get $e2)))
        (local.set $rv (v128.load align=8 (i32.add (local.get $r) (local.get $i))))
        (local.set $rv (f64x2.sub (local.get $rv) (f64x2.mul (local.get $d0) (v128.load align=8 (i32.add (local.get $a0) (local.get $i))))))
        (v128.store align=8 (i32.add (local.get $r) (local.get $i)) (local.get $rv))
        (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (v128.load align=8 (i32.add (local.get $b0) (local.get $i))) (local.get $rv))))
        (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (v128.load align=8 (i32.add (local.get $b1) (local.get $i))) (local.get $rv))))
        (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (v128.load align=8 (i32.add (local.get $b2) (local.get $i))) (local.get $rv))))
        (local.set $s3 (f64x2.add (local.get $s3) (f64x2.mul (v128.load align=8 (i32.add (local.get $b3) (local.get $i))) (local.get $rv))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $L2)))
    (local.set $u0 (f64.add (f64x2.extract_lane 0 (local.get $s0)) (f64x2.extract_lane 1 (local.get $s0))))
    (local.set $u1 (f64.add (f64x2.extract_lane 0 (local.get $s1)) (f64x2.extract_lane 1 (local.get $s1))))
    (local.set $u2 (f64.add (f64x2.extract_lane 0 (local.get $s2)) (f64x2.extract_lane 1 (local.get $s2))))
    (local.set $u3 (f64.add (f64x2.extract_lane 0 (local.get $s3)) (f64x2.extract_lane 1 (local.get $s3))))
    (if (i32.lt_u (local.get $i) (local.get $eb))
      (then
        (local.set $t (f64.load (i32.add (local.get $r) (local.get $i))))
        (local.set $t (f64.sub (local.get $t) (f64.mul (f64.load (local.get $coef)) (f64.load (i32.add (local.get $a0) (local.get $i))))))
        (f64.store (i32.add (local.get $r) (local.get $i)) (local.get $t))
        (local.set $u0 (f64.add (local.get $u0) (f64.mul (f64.load (i32.add (local.get $b0) (local.get $i))) (local.get $t))))
        (local.set $u1 (f64.add (local.get $u1) (f64.mul (f64.load (i32.add (local.get $b1) (local.get $i))) (local.get $t))))
        (local.set $u2 (f64.add (local.get $u2) (f64.mul (f64.load (i32.add (local.get $b2) (local.get $i))) (local.get $t))))
        (local.set $u3 (f64.add (local.get $u3) (f64.mul (f64.load (i32.add (local.get $b3) (local.get $i))) (local.get $t))))))
    (f64.store (local.get $out) (local.get $u0))
    (f64.store offset=8 (local.get $out) (local.get $u1))
    (f64.store offset=16 (local.get $out) (local.get $u2))
    (f64.store offset=24 (local.get $out) (local.get $u3)))

  (func $axpy2dot4 (export "axpy2dot4") (param $n i32) (param $a0 i32) (param $a1 i32) (param $coef i32)
    (param $b0 i32) (param $b1 i32) (param $b2 i32) (param $b3 i32) (param $r i32) (param $out i32)
    (local $i i32) (local $p_r i32) (local $p_a0 i32) (local $p_a1 i32) (local $p_b0 i32) (local $p_b1 i32) (local $p_b2 i32) (local $p_b3 i32) (local $pe i32) (local $rv_2 v128) (local $e2 i32) (local $eb i32) (local $rv v128)
    (local $d0 v128) (local $d1 v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128) (local $t f64)
    (local $u0 f64) (local $u1 f64) (local $u2 f64) (local $u3 f64)
    (local.set $e2 (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3)))
    (local.set $eb (i32.shl (local.get $n) (i32.const 3)))
    (local.set $d0 (f64x2.splat (f64.load (local.get $coef))))
    (local.set $d1 (f64x2.splat (f64.load offset=8 (local.get $coef))))
    (local.set $p_r (local.get $r))
    (local.set $p_a0 (local.get $a0))
    (local.set $p_a1 (local.get $a1))
    (local.set $p_b0 (local.get $b0))
    (local.set $p_b1 (local.get $b1))
    (local.set $p_b2 (local.get $b2))
    (local.set $p_b3 (local.get $b3))
    (local.set $pe (i32.add (local.get $r) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 3))))
    (block $B4
      (loop $L4
        (br_if $B4 (i32.ge_u (local.get $p_r) (local.get $pe)))
        (local.set $rv (v128.load align=8 (local.get $p_r)))
        (local.set $rv (f64x2.sub (local.get $rv) (f64x2.mul (local.get $d0) (v128.load align=8 (local.get $p_a0)))))
        (local.set $rv (f64x2.sub (local.get $rv) (f64x2.mul (local.get $d1) (v128.load align=8 (local.get $p_a1)))))
        (v128.store align=8 (local.get $p_r) (local.get $rv))
        (local.set $rv_2 (v128.load offset=16 align=8 (local.get $p_r)))
        (local.set $rv_2 (f64x2.sub (local.get $rv_2) (f64x2.mul (local.get $d0) (v128.load offset=16 align=8 (local.get $p_a0)))))
        (local.set $rv_2 (f64x2.sub (local.get $rv_2) (f64x2.mul (local.get $d1) (v128.load offset=16 align=8 (local.get $p_a1)))))
        (v128.store offset=16 align=8 (local.get $p_r) (local.get $rv_2))
        (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (v128.load align=8 (local.get $p_b0)) (local.get $rv))))
        (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (v128.load align=8 (local.get $p_b1)) (local.get $rv))))
        (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (v128.load align=8 (local.get $p_b2)) (local.get $rv))))
        (local.set $s3 (f64x2.add (local.get $s3) (f64x2.mul (v128.load align=8 (local.get $p_b3)) (local.get $rv))))
        (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (v128.load offset=16 align=8 (local.get $p_b0)) (local.get $rv_2))))
        (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (v128.load offset=16 align=8 (local.get $p_b1)) (local.get $rv_2))))
        (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (v128.load offset=16 align=8 (local.get $p_b2)) (local.get $rv_2))))
        (local.set $s3 (f64x2.add (local.get $s3) (f64x2.mul (v128.load offset=16 align=8 (local.get $p_b3)) (local.get $rv_2))))
        (local.set $p_r (i32.add (local.get $p_r) (i32.const 32)))
        (local.set $p_a0 (i32.add (local.get $p_a0) (i32.const 32)))
        (local.set $p_a1 (i32.add (local.get $p_a1) (i32.const 32)))
        (local.set $p_b0 (i32.add (local.get $p_b0) (i32.const 32)))
        (local.set $p_b1 (i32.add (local.get $p_b1) (i32.const 32)))
        (local.set $p_b2 (i32.add (local.get $p_b2) (i32.const 32)))
        (local.set $p_b3 (i32.add (local.get $p_b3) (i32.const 32)))
        (br $L4)))
    (local.set $i (i32.sub (local.get $p_r) (local.get $r)))
    (block $B2
      (loop $L2
        (br_if $B2 (i32.ge_u (local.get $i) (local.get $e2)))
        (local.set $rv (v128.load align=8 (i32.add (local.get $r) (local.get $i))))
        (local.set $rv (f64x2.sub (local.get $rv) (f64x2.mul (local.get $d0) (v128.load align=8 (i32.add (local.get $a0) (local.get $i))))))
        (local.set $rv (f64x2.sub (local.get $rv) (f64x2.mul (local.get $d1) (v128.load align=8 (i32.add (local.get $a1) (local.get $i))))))
        (v128.store align=8 (i32.add (local.get $r) (local.get $i)) (local.get $rv))
        (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (v128.load align=8 (i32.add (local.get $b0) (local.get $i))) (local.get $rv))))
        (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (v128.load align=8 (i32.add (local.get $b1) (local.get $i))) (local.get $rv))))
        (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (v128.load align=8 (i32.add (local.get $b2) (local.get $i))) (local.get $rv))))
        (local.set $s3 (f64x2.add (local.get $s3) (f64x2.mul (v128.load align=8 (i32.add (local.get $b3) (local.get $i))) (local.get $rv))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $L2)))
    (local.set $u0 (f64.add (f64x2.extract_lane 0 (local.get $s0)) (f64x2.extract_lane 1 (local.get $s0))))
    (local.set $u1 (f64.add (f64x2.extract_lane 0 (local.get $s1)) (f64x2.extract_lane 1 (local.get $s1))))
    (local.set $u2 (f64.add (f64x2.extract_lane 0 (local.get $s2)) (f64x2.extract_lane 1 (local.get $s2))))
    (local.set $u3 (f64.add (f64x2.extract_lane 0 (local.get $s3)) (f64x2.extract_lane 1 (local.get $s3))))
    (if (i32.lt_u (local.get $i) (local.get $eb))
      (then
        (local.set $t (f64.load (i32.add (local.get $r) (local.get $i))))
        (local.set $t (f64.sub (local.get $t) (f64.mul (f64.load (local.get $coef)) (f64.load (i32.add (local.get $a0) (local.get $i))))))
        (local.set $t (f64.sub (local.get $t) (f64.mul (f64.load offset=8 (local.get $coef)) (f64.load (i32.add (local.get $a1) (local.get $i))))))
        (f64.store (i32.add (local.get $r) (local.get $i)) (local.get $t))
        (local.set $u0 (f64.add (local.get $u0) (f64.mul (f64.load (i32.add (local.get $b0) (local.get $i))) (local.get $t))))
        (local.set $u1 (f64.add (local.get $u1) (f64.mul (f64.load (i32.add (local.get $b1) (local.get $i))) (local.get $t))))
        (local.set $u2 (f64.add (local.get $u2) (f64.mul (f64.load (i32.add (local.get $b2) (local.get $i))) (local.get $t))))
        (local.set $u3 (f64.add (local.get $u3) (f64.mul (f64.load (i32.add (local.get $b3) (local.get $i))) (local.get $t))))))
    (f64.store (local.get $out) (local.get $u0))
    (f64.store offset=8 (local.get $out) (local.get $u1))
    (f64.store offset=16 (local.get $out) (local.get $u2))
    (f64.store offset=24 (local.get $out) (local.get $u3)))

  (func $axpy3dot4 (export "axpy3dot4") (param $n i32) (param $a0 i32) (param $a1 i32) (param $a2 i32) (param $coef i32)
    (param $b0 i32) (param $b1 i32) (param $b2 i32) (param $b3 i32) (param $r i32) (param $out i32)
    (local $i i32) (local $p_r i32) (local $p_a0 i32) (local $p_a1 i32) (local $p_a2 i32) (local $p_b0 i32) (local $p_b1 i32) (local $p_b2 i32) (local $p_b3 i32) (local $pe i32) (local $rv_2 v128) (local $e2 i32) (local $eb i32) (local $rv v128)
    (local $d0 v128) (local $d1 v128) (local $d2 v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128) (local $t f64)
    (local $u0 f64) (local $u1 f64) (local $u2 f64) (local $u3 f64)
    (local.set $e2 (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3)))
    (local.set $eb (i32.shl (local.get $n) (i32.const 3)))
    (local.set $d0 (f64x2.splat (f64.load (local.get $coef))))
    (local.set $d1 (f64x2.splat (f64.load offset=8 (local.get $coef))))
    (local.set $d2 (f64x2.splat (f64.load offset=16 (local.get $coef))))
    (local.set $p_r (local.get $r))
    (local.set $p_a0 (local.get $a0))
    (local.set $p_a1 (local.get $a1))
    (local.set $p_a2 (local.get $a2))
    (local.set $p_b0 (local.get $b0))
    (local.set $p_b1 (local.get $b1))
    (local.set $p_b2 (local.get $b2))
    (local.set $p_b3 (local.get $b3))
    (local.set $pe (i32.add (local.get $r) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 3))))
    (block $B4
      (loop $L4
        (br_if $B4 (i32.ge_u (local.get $p_r) (local.get $pe)))
        (local.set $rv (v128.load align=8 (local.get $p_r)))
        (local.set $rv (f64x2.sub (local.get $rv) (f64x2.mul (local.get $d0) (v128.load align=8 (local.get $p_a0)))))
        (local.set $rv (f64x2.sub (local.get $rv) (f64x2.mul (local.get $d1) (v128.load align=8 (local.get $p_a1)))))
        (local.set $rv (f64x2.sub (local.get $rv) (f64x2.mul (local.get $d2) (v128.load align=8 (local.get $p_a2)))))
        (v128.store align=8 (local.get $p_r) (local.get $rv))
        (local.set $rv_2 (v128.load offset=16 align=8 (local.get $p_r)))
        (local.set $rv_2 (f64x2.sub (local.get $rv_2) (f64x2.mul (local.get $d0) (v128.load offset=16 align=8 (local.get $p_a0)))))
        (local.set $rv_2 (f64x2.sub (local.get $rv_2) (f64x2.mul (local.get $d1) (v128.load offset=16 align=8 (local.get $p_a1)))))
        (local.set $rv_2 (f64x2.sub (local.get $rv_2) (f64x2.mul (local.get $d2) (v128.load offset=16 align=8 (local.get $p_a2)))))
        (v128.store offset=16 align=8 (local.get $p_r) (local.get $rv_2))
        (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (v128.load align=8 (local.get $p_b0)) (local.get $rv))))
        (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (v128.load align=8 (local.get $p_b1)) (local.get $rv))))
        (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (v128.load align=8 (local.get $p_b2)) (local.get $rv))))
        (local.set $s3 (f64x2.add (local.get $s3) (f64x2.mul (v128.load align=8 (local.get $p_b3)) (local.get $rv))))
        (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (v128.load offset=16 align=8 (local.get $p_b0)) (local.get $rv_2))))
        (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (v128.load offset=16 align=8 (local.get $p_b1)) (local.get $rv_2))))
        (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (v128.load offset=16 align=8 (local.get $p_b2)) (local.get $rv_2))))
        (local.set $s3 (f64x2.add (local.get $s3) (f64x2.mul (v128.load offset=16 align=8 (local.get $p_b3)) (local.get $rv_2))))
        (local.set $p_r (i32.add (local.get $p_r) (i32.const 32)))
        (local.set $p_a0 (i32.add (local.get $p_a0) (i32.const 32)))
        (local.set $p_a1 (i32.add (local.get $p_a1) (i32.const 32)))
        (local.set $p_a2 (i32.add (local.get $p_a2) (i32.const 32)))
        (local.set $p_b0 (i32.add (local.get $p_b0) (i32.const 32)))
        (local.set $p_b1 (i32.add (local.get $p_b1) (i32.const 32)))
        (local.set $p_b2 (i32.add (local.get $p_b2) (i32.const 32)))
        (local.set $p_b3 (i32.add (local.get $p_b3) (i32.const 32)))
        (br $L4)))
    (local.set $i (i32.sub (local.get $p_r) (local.get $r)))
    (block $B2
      (loop $L2
        (br_if $B2 (i32.ge_u (local.get $i) (local.get $e2)))
        (local.set $rv (v128.load align=8 (i32.add (local.get $r) (local.get $i))))
        (local.set $rv (f64x2.sub (local.get $rv) (f64x2.mul (local.get $d0) (v128.load align=8 (i32.add (local.get $a0) (local.get $i))))))
        (local.set $rv (f64x2.sub (local.get $rv) (f64x2.mul (local.get $d1) (v128.load align=8 (i32.add (local.get $a1) (local.get $i))))))
        (local.set $rv (f64x2.sub (local.get $rv) (f64x2.mul (local.get $d2) (v128.load align=8 (i32.add (local.get $a2) (local.get $i))))))
        (v128.store align=8 (i32.add (local.get $r) (local.get $i)) (local.get $rv))
        (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (v128.load align=8 (i32.add (local.get $b0) (local.get $i))) (local.get $rv))))
        (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (v128.load align=8 (i32.add (local.get $b1) (local.get $i))) (local.get $rv))))
        (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (v128.load align=8 (i32.add (local.get $b2) (local.get $i))) (local.get $rv))))
        (local.set $s3 (f64x2.add (local.get $s3) (f64x2.mul (v128.load align=8 (i32.add (local.get $b3) (local.get $i))) (local.get $rv))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $L2)))
    (local.set $u0 (f64.add (f64x2.extract_lane 0 (local.get $s0)) (f64x2.extract_lane 1 (local.get $s0))))
    (local.set $u1 (f64.add (f64x2.extract_lane 0 (local.get $s1)) (f64x2.extract_lane 1 (local.get $s1))))
    (local.set $u2 (f64.add (f64x2.extract_lane 0 (local.get $s2)) (f64x2.extract_lane 1 (local.get $s2))))
    (local.set $u3 (f64.add (f64x2.extract_lane 0 (local.get $s3)) (f64x2.extract_lane 1 (local.get $s3))))
    (if (i32.lt_u (local.get $i) (local.get $eb))
      (then
        (local.set $t (f64.load (i32.add (local.get $r) (local.get $i))))
        (local.set $t (f64.sub (local.get $t) (f64.mul (f64.load (local.get $coef)) (f64.load (i32.add (local.get $a0) (local.get $i))))))
        (local.set $t (f64.sub (local.get $t) (f64.mul (f64.load offset=8 (local.get $coef)) (f64.load (i32.add (local.get $a1) (local.get $i))))))
        (local.set $t (f64.sub (local.get $t) (f64.mul (f64.load offset=16 (local.get $coef)) (f64.load (i32.add (local.get $a2) (local.get $i))))))
        (f64.store (i32.add (local.get $r) (local.get $i)) (local.get $t))
        (local.set $u0 (f64.add (local.get $u0) (f64.mul (f64.load (i32.add (local.get $b0) (local.get $i))) (local.get $t))))
        (local.set $u1 (f64.add (local.get $u1) (f64.mul (f64.load (i32.add (local.get $b1) (local.get $i))) (local.get $t))))
        (local.set $u2 (f64.add (local.get $u2) (f64.mul (f64.load (i32.add (local.get $b2) (local.get $i))) (local.get $t))))
        (local.set $u3 (f64.add (local.get $u3) (f64.mul (f64.load (i32.add (local.get $b3) (local.get $i))) (local.get $t))))))
    (f64.store (local.get $out) (local.get $u0))
    (f64.store offset=8 (local.get $out) (local.get $u1))
    (f64.store offset=16 (local.get $out) (local.get $u2))
    (f64.store offset=24 (local.get $out) (local.get $u3)))

  ;; gram4(n, c0, c1, c2, c3, out): the six off-diagonal Gram entries of four columns (byte offsets
  ;; c0..c3) in one pass: out = [X_0ᵀX_1, X_0ᵀX_2, X_0ᵀX_3, X_1ᵀX_2, X_1ᵀX_3, X_2ᵀX_3] (one f64x2
  ;; accumulator each, reduced lane 0 + lane 1, then the odd entry).
  (func $gram4 (export "gram4") (param $n i32) (param $c0 i32) (param $c1 i32) (param $c2 i32) (param $c3 i32) (param $out i32)
    (local $i i32) (local $p_c0 i32) (local $p_c1 i32) (local $p_c2 i32) (local $p_c3 i32) (local $pe i32) (local $x0_2 v128) (local $x1_2 v128) (local $x2_2 v128) (local $x3_2 v128) (local $e2 i32) (local $eb i32) (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128)
    (local $g01 v128) (local $g02 v128) (local $g03 v128) (local $g12 v128) (local $g13 v128) (local $g23 v128)
    (local $y0 f64) (local $y1 f64) (local $y2 f64) (local $y3 f64)
    (local $h01 f64) (local $h02 f64) (local $h03 f64) (local $h12 f64) (local $h13 f64) (local $h23 f64)
    (local.set $e2 (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3)))
    (local.set $eb (i32.shl (local.get $n) (i32.const 3)))
    (local.set $p_c0 (local.get $c0))
    (local.set $p_c1 (local.get $c1))
    (local.set $p_c2 (local.get $c2))
    (local.set $p_c3 (local.get $c3))
    (local.set $pe (i32.add (local.get $c0) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 3))))
    (block $B4
      (loop $L4
        (br_if $B4 (i32.ge_u (local.get $p_c0) (local.get $pe)))
        (local.set $x0 (v128.load align=8 (local.get $p_c0)))
        (local.set $x1 (v128.load align=8 (local.get $p_c1)))
        (local.set $x2 (v128.load align=8 (local.get $p_c2)))
        (local.set $x3 (v128.load align=8 (local.get $p_c3)))
        (local.set $g01 (f64x2.add (local.get $g01) (f64x2.mul (local.get $x0) (local.get $x1))))
        (local.set $g02 (f64x2.add (local.get $g02) (f64x2.mul (local.get $x0) (local.get $x2))))
        (local.set $g03 (f64x2.add (local.get $g03) (f64x2.mul (local.get $x0) (local.get $x3))))
        (local.set $g12 (f64x2.add (local.get $g12) (f64x2.mul (local.get $x1) (local.get $x2))))
        (local.set $g13 (f64x2.add (local.get $g13) (f64x2.mul (local.get $x1) (local.get $x3))))
        (local.set $g23 (f64x2.add (local.get $g23) (f64x2.mul (local.get $x2) (local.get $x3))))
        (local.set $x0_2 (v128.load offset=16 align=8 (local.get $p_c0)))
        (local.set $x1_2 (v128.load offset=16 align=8 (local.get $p_c1)))
        (local.set $x2_2 (v128.load offset=16 align=8 (local.get $p_c2)))
        (local.set $x3_2 (v128.load offset=16 align=8 (local.get $p_c3)))
        (local.set $g01 (f64x2.add (local.get $g01) (f64x2.mul (local.get $x0_2) (local.get $x1_2))))
        (local.set $g02 (f64x2.add (local.get $g02) (f64x2.mul (local.get $x0_2) (local.get $x2_2))))
        (local.set $g03 (f64x2.add (local.get $g03) (f64x2.mul (local.get $x0_2) (local.get $x3_2))))
        (local.set $g12 (f64x2.add (local.get $g12) (f64x2.mul (local.get $x1_2) (local.get $x2_2))))
        (local.set $g13 (f64x2.add (local.get $g13) (f64x2.mul (local.get $x1_2) (local.get $x3_2))))
        (local.set $g23 (f64x2.add (local.get $g23) (f64x2.mul (local.get $x2_2) (local.get $x3_2))))
        (local.set $p_c0 (i32.add (local.get $p_c0) (i32.const 32)))
        (local.set $p_c1 (i32.add (local.get $p_c1) (i32.const 32)))
        (local.set $p_c2 (i32.add (local.get $p_c2) (i32.const 32)))
        (local.set $p_c3 (i32.add (local.get $p_c3) (i32.const 32)))
        (br $L4)))
    (local.set $i (i32.sub (local.get $p_c0) (local.get $c0)))
    (block $B2
      (loop $L2
        (br_if $B2 (i32.ge_u (local.get $i) (local.get $e2)))
        (local.set $x0 (v128.load align=8 (i32.add (local.get $c0) (local.get $i))))
        (local.set $x1 (v128.load align=8 (i32.add (local.get $c1) (local.get $i))))
        (local.set $x2 (v128.load align=8 (i32.add (local.get $c2) (local.get $i))))
        (local.set $x3 (v128.load align=8 (i32.add (local.get $c3) (local.get $i))))
        (local.set $g01 (f64x2.add (local.get $g01) (f64x2.mul (local.get $x0) (local.get $x1))))
        (local.set $g02 (f64x2.add (local.get $g02) (f64x2.mul (local.get $x0) (local.get $x2))))
        (local.set $g03 (f64x2.add (local.get $g03) (f64x2.mul (local.get $x0) (local.get $x3))))
        (local.set $g12 (f64x2.add (local.get $g12) (f64x2.mul (local.get $x1) (local.get $x2))))
        (local.set $g13 (f64x2.add (local.get $g13) (f64x2.mul (local.get $x1) (local.get $x3))))
        (local.set $g23 (f64x2.add (local.get $g23) (f64x2.mul (local.get $x2) (local.get $x3))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $L2)))
    (local.set $h01 (f64.add (f64x2.extract_lane 0 (local.get $g01)) (f64x2.extract_lane 1 (local.get $g01))))
    (local.set $h02 (f64.add (f64x2.extract_lane 0 (local.get $g02)) (f64x2.extract_lane 1 (local.get $g02))))
    (local.set $h03 (f64.add (f64x2.extract_lane 0 (local.get $g03)) (f64x2.extract_lane 1 (local.get $g03))))
    (local.set $h12 (f64.add (f64x2.extract_lane 0 (local.get $g12)) (f64x2.extract_lane 1 (local.get $g12))))
    (local.set $h13 (f64.add (f64x2.extract_lane 0 (local.get $g13)) (f64x2.extract_lane 1 (local.get $g13))))
    (local.set $h23 (f64.add (f64x2.extract_lane 0 (local.get $g23)) (f64x2.extract_lane 1 (local.get $g23))))
    (if (i32.lt_u (local.get $i) (local.get $eb))
      (then
        (local.set $y0 (f64.load (i32.add (local.get $c0) (local.get $i))))
        (local.set $y1 (f64.load (i32.add (local.get $c1) (local.get $i))))
        (local.set $y2 (f64.load (i32.add (local.get $c2) (local.get $i))))
        (local.set $y3 (f64.load (i32.add (local.get $c3) (local.get $i))))
        (local.set $h01 (f64.add (local.get $h01) (f64.mul (local.get $y0) (local.get $y1))))
        (local.set $h02 (f64.add (local.get $h02) (f64.mul (local.get $y0) (local.get $y2))))
        (local.set $h03 (f64.add (local.get $h03) (f64.mul (local.get $y0) (local.get $y3))))
        (local.set $h12 (f64.add (local.get $h12) (f64.mul (local.get $y1) (local.get $y2))))
        (local.set $h13 (f64.add (local.get $h13) (f64.mul (local.get $y1) (local.get $y3))))
        (local.set $h23 (f64.add (local.get $h23) (f64.mul (local.get $y2) (local.get $y3))))))
    (f64.store (local.get $out) (local.get $h01))
    (f64.store offset=8 (local.get $out) (local.get $h02))
    (f64.store offset=16 (local.get $out) (local.get $h03))
    (f64.store offset=24 (local.get $out) (local.get $h12))
    (f64.store offset=32 (local.get $out) (local.get $h13))
    (f64.store offset=40 (local.get $out) (local.get $h23)))

  ;; symquad(h, p, ws, m, beta) → βᵀHβ for a symmetric p×p H (row-major; only the upper triangle
  ;; is read) and β vanishing outside the increasing column list ws[0..m) (lasso/fold_gram.ts, the
  ;; value-only CV fold error): Σ_w β_j·(H_jj·β_j + 2·Σ_(l>j) H_jl·β_l), j = ws[w], the inner sum
  ;; over the whole row tail (zeros of β included: contiguous loads) with two f64x2 accumulators
  ;; over 32-byte blocks, one 16-byte block, lanes (a0 + a1) reduced 0 + 1, then the scalar tail.
  ;; m·p/2 multiply-adds on half of H, against m·p on all of it for Hβ.
  ;; The rows are taken in pairs (ws[w], ws[w + 1]): the shorter row's 32-byte blocks run in lockstep
  ;; with the same number of the longer row's first blocks (four independent accumulator chains
  ;; instead of two: the adds' latency bound a lone row's loop), then the longer row's remaining
  ;; blocks alone. Every accumulator receives the same products in the same order as a row taken
  ;; alone, and the terms of q are added in the order of ws: the bits do not depend on the pairing.
  (func $symquad (export "symquad") (param $h i32) (param $p i32) (param $ws i32) (param $m i32) (param $beta i32) (result f64)
    (local $w i32) (local $mb i32) (local $j i32) (local $row i32) (local $i i32) (local $e4 i32)
    (local $j2 i32) (local $row2 i32) (local $i2 i32) (local $e42 i32) (local $eb i32) (local $two i32)
    (local $a0 v128) (local $a1 v128) (local $b0 v128) (local $b1 v128) (local $q f64)
    (local.set $mb (i32.shl (local.get $m) (i32.const 2)))
    (local.set $eb (i32.shl (local.get $p) (i32.const 3)))
    ;; pairs of rows (a lone last row: no second row, $i2 = $e42)
    (block $B
      (loop $L
        (br_if $B (i32.ge_u (local.get $w) (local.get $mb)))
        (local.set $two (i32.lt_u (i32.add (local.get $w) (i32.const 4)) (local.get $mb)))
        (local.set $j (i32.load (i32.add (local.get $ws) (local.get $w))))
        (local.set $row (i32.add (local.get $h) (i32.mul (local.get $j) (local.get $eb))))
        ;; byte offsets 8(j + 1) .. 8p of each row and of beta
        (local.set $i (i32.shl (i32.add (local.get $j) (i32.const 1)) (i32.const 3)))
        (local.set $e4 (i32.add (local.get $i) (i32.and (i32.sub (local.get $eb) (local.get $i)) (i32.const -32))))
        (local.set $i2 (i32.const 0))
        (local.set $e42 (i32.const 0))
        (if (local.get $two)
          (then
            (local.set $j2 (i32.load offset=4 (i32.add (local.get $ws) (local.get $w))))
            (local.set $row2 (i32.add (local.get $h) (i32.mul (local.get $j2) (local.get $eb))))
            (local.set $i2 (i32.shl (i32.add (local.get $j2) (i32.const 1)) (i32.const 3)))
            (local.set $e42 (i32.add (local.get $i2) (i32.and (i32.sub (local.get $eb) (local.get $i2)) (i32.const -32))))))
        (local.set $a0 (v128.const f64x2 0 0))
        (local.set $a1 (v128.const f64x2 0 0))
        (local.set $b0 (v128.const f64x2 0 0))
        (local.set $b1 (v128.const f64x2 0 0))
        ;; lockstep: block t of both rows, for the shorter (second) row's blocks
        (block $B2
          (loop $L2
            (br_if $B2 (i32.ge_u (local.get $i2) (local.get $e42)))
            (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (v128.load align=8 (i32.add (local.get $row) (local.get $i))) (v128.load align=8 (i32.add (local.get $beta) (local.get $i))))))
            (local.set $b0 (f64x2.add (local.get $b0) (f64x2.mul (v128.load align=8 (i32.add (local.get $row2) (local.get $i2))) (v128.load align=8 (i32.add (local.get $beta) (local.get $i2))))))
            (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (v128.load offset=16 align=8 (i32.add (local.get $row) (local.get $i))) (v128.load offset=16 align=8 (i32.add (local.get $beta) (local.get $i))))))
            (local.set $b1 (f64x2.add (local.get $b1) (f64x2.mul (v128.load offset=16 align=8 (i32.add (local.get $row2) (local.get $i2))) (v128.load offset=16 align=8 (i32.add (local.get $beta) (local.get $i2))))))
            (local.set $i (i32.add (local.get $i) (i32.const 32)))
            (local.set $i2 (i32.add (local.get $i2) (i32.const 32)))
            (br $L2)))
        ;; the first row's remaining blocks
        (block $B4
          (loop $L4
            (br_if $B4 (i32.ge_u (local.get $i) (local.get $e4)))
            (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (v128.load align=8 (i32.add (local.get $row) (local.get $i))) (v128.load align=8 (i32.add (local.get $beta) (local.get $i))))))
            (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (v128.load offset=16 align=8 (i32.add (local.get $row) (local.get $i))) (v128.load offset=16 align=8 (i32.add (local.get $beta) (local.get $i))))))
            (local.set $i (i32.add (local.get $i) (i32.const 32)))
            (br $L4)))
        (local.set $q (call $symrow (local.get $q) (local.get $row) (local.get $beta) (local.get $j) (local.get $i) (local.get $eb) (local.get $a0) (local.get $a1)))
        (if (local.get $two)
          (then
            (local.set $q (call $symrow (local.get $q) (local.get $row2) (local.get $beta) (local.get $j2) (local.get $i2) (local.get $eb) (local.get $b0) (local.get $b1)))
            (local.set $w (i32.add (local.get $w) (i32.const 4)))))
        (local.set $w (i32.add (local.get $w) (i32.const 4)))
        (br $L)))
    (local.get $q))
  ;; symrow(q, row, beta, j, i, eb, a0, a1) → q + β_j·(H_jj·β_j + 2·s) for row j of `symquad` whose
  ;; 32-byte blocks are summed in (a0, a1) up to byte offset i: the one 16-byte block left (into
  ;; a0), (a0 + a1) lanes 0 + 1, the scalar tail, then s.
  (func $symrow (param $q f64) (param $row i32) (param $beta i32) (param $j i32) (param $i i32) (param $eb i32) (param $a0 v128) (param $a1 v128) (result f64)
    (local $s f64) (local $bj f64)
    (if (i32.le_u (i32.add (local.get $i) (i32.const 16)) (local.get $eb))
      (then
        (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (v128.load align=8 (i32.add (local.get $row) (local.get $i))) (v128.load align=8 (i32.add (local.get $beta) (local.get $i))))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))))
    (local.set $a0 (f64x2.add (local.get $a0) (local.get $a1)))
    (local.set $s (f64.add (f64x2.extract_lane 0 (local.get $a0)) (f64x2.extract_lane 1 (local.get $a0))))
    (if (i32.lt_u (local.get $i) (local.get $eb))
      (then
        (local.set $s (f64.add (local.get $s) (f64.mul (f64.load (i32.add (local.get $row) (local.get $i))) (f64.load (i32.add (local.get $beta) (local.get $i))))))))
    (local.set $bj (f64.load (i32.add (local.get $beta) (i32.shl (local.get $j) (i32.const 3)))))
    (f64.add (local.get $q)
      (f64.mul (local.get $bj)
        (f64.add
          (f64.mul (f64.load (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 3)))) (local.get $bj))
          (f64.mul (f64.const 2) (local.get $s))))))
  ;; gapsums(cols, m, beta, g, q, lu, nl2, yy, out): the Lasso's Gram-gap sums over the listed
  ;; columns j = cols[0..m) (lasso/quad_gram.ts `gapSums` with one penalty level lu > 0 for every
  ;; feature): out[0..6) = [Σ lu·|β_j|, Σ β_j², Σ β_j·g_j, Σ β_j·q_j, max_j |g_j − nl2·β_j|,
  ;; yy + Σ (|β_j·q_j| + |β_j·(q_j − g_j)|)] — scalar, in list order, each sum with the operations
  ;; of the TypeScript loop (the same bits; a NaN never replaces the maximum, as `a > amax ? a : amax`).
  (func $gapsums (export "gapsums") (param $cols i32) (param $m i32) (param $beta i32) (param $g i32) (param $q i32) (param $lu f64) (param $nl2 f64) (param $yy f64) (param $out i32)
    (local $k i32) (local $end i32) (local $j8 i32) (local $b f64) (local $x f64) (local $qj f64) (local $a f64)
    (local $pen f64) (local $bb f64) (local $bg f64) (local $bq f64) (local $sc f64) (local $amax f64)
    (local.set $sc (local.get $yy))
    (local.set $k (local.get $cols))
    (local.set $end (i32.add (local.get $cols) (i32.shl (local.get $m) (i32.const 2))))
    (block $B
      (loop $L
        (br_if $B (i32.ge_u (local.get $k) (local.get $end)))
        (local.set $j8 (i32.shl (i32.load (local.get $k)) (i32.const 3)))
        (local.set $b (f64.load (i32.add (local.get $beta) (local.get $j8))))
        (local.set $x (f64.load (i32.add (local.get $g) (local.get $j8))))
        (local.set $qj (f64.load (i32.add (local.get $q) (local.get $j8))))
        (local.set $pen (f64.add (local.get $pen) (f64.mul (local.get $lu) (f64.abs (local.get $b)))))
        (local.set $bb (f64.add (local.get $bb) (f64.mul (local.get $b) (local.get $b))))
        (local.set $bg (f64.add (local.get $bg) (f64.mul (local.get $b) (local.get $x))))
        (local.set $bq (f64.add (local.get $bq) (f64.mul (local.get $b) (local.get $qj))))
        (local.set $sc (f64.add (local.get $sc)
          (f64.add (f64.abs (f64.mul (local.get $b) (local.get $qj)))
                   (f64.abs (f64.mul (local.get $b) (f64.sub (local.get $qj) (local.get $x)))))))
        (local.set $a (f64.abs (f64.sub (local.get $x) (f64.mul (local.get $nl2) (local.get $b)))))
        (local.set $amax (select (local.get $a) (local.get $amax) (f64.gt (local.get $a) (local.get $amax))))
        (local.set $k (i32.add (local.get $k) (i32.const 4)))
        (br $L)))
    (f64.store (local.get $out) (local.get $pen))
    (f64.store offset=8 (local.get $out) (local.get $bb))
    (f64.store offset=16 (local.get $out) (local.get $bg))
    (f64.store offset=24 (local.get $out) (local.get $bq))
    (f64.store offset=32 (local.get $out) (local.get $amax))
    (f64.store offset=40 (local.get $out) (local.get $sc)))
  ;; nzlist(cols, m, beta, out) → k: out[0..k) = the listed columns j = cols[0..m) with β_j ≠ 0, in
  ;; list order (lasso/quad_gram.ts `restrictedList` of the Lasso, no unpenalised feature).
  (func $nzlist (export "nzlist") (param $cols i32) (param $m i32) (param $beta i32) (param $out i32) (result i32)
    (local $k i32) (local $end i32) (local $j i32) (local $o i32)
    (local.set $k (local.get $cols))
    (local.set $o (local.get $out))
    (local.set $end (i32.add (local.get $cols) (i32.shl (local.get $m) (i32.const 2))))
    (block $B
      (loop $L
        (br_if $B (i32.ge_u (local.get $k) (local.get $end)))
        (local.set $j (i32.load (local.get $k)))
        (if (f64.ne (f64.load (i32.add (local.get $beta) (i32.shl (local.get $j) (i32.const 3)))) (f64.const 0))
          (then
            (i32.store (local.get $o) (local.get $j))
            (local.set $o (i32.add (local.get $o) (i32.const 4)))))
        (local.set $k (i32.add (local.get $k) (i32.const 4)))
        (br $L)))
    (i32.shr_u (i32.sub (local.get $o) (local.get $out)) (i32.const 2)))
  ;; qminus(q, t, out, p): out[j] = q[j] − t[j], j < p (the Gram refresh's g = q − Gβ after the
  ;; product t = Gβ, lasso/quad_gram.ts `qMinusGbeta`; one subtraction per entry, the same bits).
  (func $qminus (export "qminus") (param $q i32) (param $t i32) (param $out i32) (param $p i32)
    (local $i i32) (local $eb i32)
    (local.set $eb (i32.shl (local.get $p) (i32.const 3)))
    (block $B
      (loop $L
        (br_if $B (i32.ge_u (local.get $i) (local.get $eb)))
        (f64.store (i32.add (local.get $out) (local.get $i))
          (f64.sub (f64.load (i32.add (local.get $q) (local.get $i))) (f64.load (i32.add (local.get $t) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 8)))
        (br $L))))
  ;; gramcert(cols, m, beta, g, q, diag, nb, useNb, lu, nl2, c, ny, out): the sums of the Gram
  ;; certificate of the Lasso (lasso/quad_gram.ts `certSums`, then `certScale` with one penalty level
  ;; lu) over the listed columns j = cols[0..m), with norm_j = nb[j] (useNb ≠ 0: an assembled G's
  ;; error norms) or √max(diag_j, 0): out[0..5) = [B = Σ norm_j|β_j|, Σ lu|β_j|, ‖β‖², βᵀg, βᵀq]
  ;; over β_j ≠ 0, then dg = c·(ny + B) and out[5] = max_j (|g_j − nl2·β_j| + dg·norm_j) over every
  ;; listed column — scalar, in list order, the operations of the TypeScript loops (the same bits).
  (func $gramcert (export "gramcert") (param $cols i32) (param $m i32) (param $beta i32) (param $g i32) (param $q i32) (param $diag i32)
    (param $nb i32) (param $useNb i32) (param $lu f64) (param $nl2 f64) (param $c f64) (param $ny f64) (param $out i32)
    (local $k i32) (local $end i32) (local $j8 i32) (local $b f64) (local $ab f64) (local $nm f64) (local $a f64) (local $dg f64)
    (local $B f64) (local $pen f64) (local $bb f64) (local $bg f64) (local $bq f64) (local $amax f64)
    (local.set $end (i32.add (local.get $cols) (i32.shl (local.get $m) (i32.const 2))))
    (local.set $k (local.get $cols))
    (block $B1
      (loop $L1
        (br_if $B1 (i32.ge_u (local.get $k) (local.get $end)))
        (local.set $j8 (i32.shl (i32.load (local.get $k)) (i32.const 3)))
        (local.set $k (i32.add (local.get $k) (i32.const 4)))
        (local.set $b (f64.load (i32.add (local.get $beta) (local.get $j8))))
        (br_if $L1 (f64.eq (local.get $b) (f64.const 0)))
        (local.set $ab (f64.abs (local.get $b)))
        (local.set $nm (if (result f64) (local.get $useNb)
          (then (f64.load (i32.add (local.get $nb) (local.get $j8))))
          (else (f64.sqrt (f64.max (f64.load (i32.add (local.get $diag) (local.get $j8))) (f64.const 0))))))
        (local.set $B (f64.add (local.get $B) (f64.mul (local.get $nm) (local.get $ab))))
        (local.set $pen (f64.add (local.get $pen) (f64.mul (local.get $lu) (local.get $ab))))
        (local.set $bb (f64.add (local.get $bb) (f64.mul (local.get $b) (local.get $b))))
        (local.set $bg (f64.add (local.get $bg) (f64.mul (local.get $b) (f64.load (i32.add (local.get $g) (local.get $j8))))))
        (local.set $bq (f64.add (local.get $bq) (f64.mul (local.get $b) (f64.load (i32.add (local.get $q) (local.get $j8))))))
        (br $L1)))
    (local.set $dg (f64.mul (local.get $c) (f64.add (local.get $ny) (local.get $B))))
    (local.set $k (local.get $cols))
    (block $B2
      (loop $L2
        (br_if $B2 (i32.ge_u (local.get $k) (local.get $end)))
        (local.set $j8 (i32.shl (i32.load (local.get $k)) (i32.const 3)))
        (local.set $nm (if (result f64) (local.get $useNb)
          (then (f64.load (i32.add (local.get $nb) (local.get $j8))))
          (else (f64.sqrt (f64.max (f64.load (i32.add (local.get $diag) (local.get $j8))) (f64.const 0))))))
        (local.set $a
          (f64.add
            (f64.abs (f64.sub (f64.load (i32.add (local.get $g) (local.get $j8))) (f64.mul (local.get $nl2) (f64.load (i32.add (local.get $beta) (local.get $j8))))))
            (f64.mul (local.get $dg) (local.get $nm))))
        (local.set $amax (select (local.get $a) (local.get $amax) (f64.gt (local.get $a) (local.get $amax))))
        (local.set $k (i32.add (local.get $k) (i32.const 4)))
        (br $L2)))
    (f64.store (local.get $out) (local.get $B))
    (f64.store offset=8 (local.get $out) (local.get $pen))
    (f64.store offset=16 (local.get $out) (local.get $bb))
    (f64.store offset=24 (local.get $out) (local.get $bg))
    (f64.store offset=32 (local.get $out) (local.get $bq))
    (f64.store offset=40 (local.get $out) (local.get $amax)))
  ;; centregram(g, p, nu, s, nk): a fold's Gram matrix from its shifted block sum (lasso/fold_gram.ts
  ;; `centreGram`): row by row, for l ≥ j, G_jl ← ((T_jl − ν_l·s_j) − ν_j·s_l) + (n·ν_j)·ν_l on the
  ;; row-major p×p g (upper triangle read), and G_lj ← G_jl — scalar, the operations and order of the
  ;; TypeScript loop (`correctRow`), so the same bits.
  (func $centregram (export "centregram") (param $g i32) (param $p i32) (param $nu i32) (param $s i32) (param $nk f64)
    (local $j i32) (local $l i32) (local $row i32) (local $col i32) (local $eb i32) (local $vj f64) (local $sj f64) (local $nvj f64) (local $v f64)
    (local.set $eb (i32.shl (local.get $p) (i32.const 3)))
    (block $B
      (loop $L
        (br_if $B (i32.ge_u (local.get $j) (local.get $p)))
        (local.set $row (i32.add (local.get $g) (i32.mul (local.get $j) (local.get $eb))))
        (local.set $vj (f64.load (i32.add (local.get $nu) (i32.shl (local.get $j) (i32.const 3)))))
        (local.set $sj (f64.load (i32.add (local.get $s) (i32.shl (local.get $j) (i32.const 3)))))
        (local.set $nvj (f64.mul (local.get $nk) (local.get $vj)))
        ;; col: the byte address of G[l, j], l from j on
        (local.set $col (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 3))))
        (local.set $l (local.get $j))
        (block $B2
          (loop $L2
            (br_if $B2 (i32.ge_u (local.get $l) (local.get $p)))
            (local.set $v
              (f64.add
                (f64.sub
                  (f64.sub
                    (f64.load (i32.add (local.get $row) (i32.shl (local.get $l) (i32.const 3))))
                    (f64.mul (f64.load (i32.add (local.get $nu) (i32.shl (local.get $l) (i32.const 3)))) (local.get $sj)))
                  (f64.mul (local.get $vj) (f64.load (i32.add (local.get $s) (i32.shl (local.get $l) (i32.const 3))))))
                (f64.mul (local.get $nvj) (f64.load (i32.add (local.get $nu) (i32.shl (local.get $l) (i32.const 3)))))))
            (f64.store (i32.add (local.get $row) (i32.shl (local.get $l) (i32.const 3))) (local.get $v))
            (f64.store (local.get $col) (local.get $v))
            (local.set $col (i32.add (local.get $col) (local.get $eb)))
            (local.set $l (i32.add (local.get $l) (i32.const 1)))
            (br $L2)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $L)))
  )
  ;; dot4r0(n, c0, c1, c2, c3, v, v0, out): `dot4` against two vectors in one pass over the four
  ;; columns: out[k] = X_kᵀv (the same operations as `dot4`, bit for bit), out[4 + k] = X_kᵀv0
  ;; (the block epochs with a fused gap check, lasso/quad_cd.ts: v the current residual, v0 the
  ;; residual at the start of the epoch; one f64x2 accumulator per column, reduced lane 0 + lane 1,
  ;; then the odd entry).
  (func $dot4r0 (export "dot4r0") (param $n i32) (param $c0 i32) (param $c1 i32) (param $c2 i32) (param $c3 i32) (param $v i32) (param $v0 i32) (param $out i32)
    (local $i i32) (local $p_v i32) (local $p_v0 i32) (local $p_c0 i32) (local $p_c1 i32) (local $p_c2 i32) (local $p_c3 i32) (local $pe i32) (local $e4 i32) (local $e2 i32) (local $eb i32) (local $vv v128) (local $ww v128)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $b3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local $s0 f64) (local $s1 f64) (local $s2 f64) (local $s3 f64)
    (local $w0 f64) (local $w1 f64) (local $w2 f64) (local $w3 f64) (local $t f64) (local $u f64)
    (local.set $e4 (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 3)))
    (local.set $e2 (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3)))
    (local.set $eb (i32.shl (local.get $n) (i32.const 3)))
    (local.set $p_v (local.get $v))
    (local.set $p_v0 (local.get $v0))
    (local.set $p_c0 (local.get $c0))
    (local.set $p_c1 (local.get $c1))
    (local.set $p_c2 (local.get $c2))
    (local.set $p_c3 (local.get $c3))
    (local.set $pe (i32.add (local.get $v) (local.get $e4)))
    (block $B4
      (loop $L4
        (br_if $B4 (i32.ge_u (local.get $p_v) (local.get $pe)))
        (local.set $vv (v128.load align=8 (local.get $p_v)))
        (local.set $ww (v128.load align=8 (local.get $p_v0)))
        (local.set $x0 (v128.load align=8 (local.get $p_c0)))
        (local.set $x1 (v128.load align=8 (local.get $p_c1)))
        (local.set $x2 (v128.load align=8 (local.get $p_c2)))
        (local.set $x3 (v128.load align=8 (local.get $p_c3)))
        (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (local.get $x0) (local.get $vv))))
        (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (local.get $x1) (local.get $vv))))
        (local.set $a2 (f64x2.add (local.get $a2) (f64x2.mul (local.get $x2) (local.get $vv))))
        (local.set $a3 (f64x2.add (local.get $a3) (f64x2.mul (local.get $x3) (local.get $vv))))
        (local.set $t0 (f64x2.add (local.get $t0) (f64x2.mul (local.get $x0) (local.get $ww))))
        (local.set $t1 (f64x2.add (local.get $t1) (f64x2.mul (local.get $x1) (local.get $ww))))
        (local.set $t2 (f64x2.add (local.get $t2) (f64x2.mul (local.get $x2) (local.get $ww))))
        (local.set $t3 (f64x2.add (local.get $t3) (f64x2.mul (local.get $x3) (local.get $ww))))
        (local.set $vv (v128.load offset=16 align=8 (local.get $p_v)))
        (local.set $ww (v128.load offset=16 align=8 (local.get $p_v0)))
        (local.set $x0 (v128.load offset=16 align=8 (local.get $p_c0)))
        (local.set $x1 (v128.load offset=16 align=8 (local.get $p_c1)))
        (local.set $x2 (v128.load offset=16 align=8 (local.get $p_c2)))
        (local.set $x3 (v128.load offset=16 align=8 (local.get $p_c3)))
        (local.set $b0 (f64x2.add (local.get $b0) (f64x2.mul (local.get $x0) (local.get $vv))))
        (local.set $b1 (f64x2.add (local.get $b1) (f64x2.mul (local.get $x1) (local.get $vv))))
        (local.set $b2 (f64x2.add (local.get $b2) (f64x2.mul (local.get $x2) (local.get $vv))))
        (local.set $b3 (f64x2.add (local.get $b3) (f64x2.mul (local.get $x3) (local.get $vv))))
        (local.set $t0 (f64x2.add (local.get $t0) (f64x2.mul (local.get $x0) (local.get $ww))))
        (local.set $t1 (f64x2.add (local.get $t1) (f64x2.mul (local.get $x1) (local.get $ww))))
        (local.set $t2 (f64x2.add (local.get $t2) (f64x2.mul (local.get $x2) (local.get $ww))))
        (local.set $t3 (f64x2.add (local.get $t3) (f64x2.mul (local.get $x3) (local.get $ww))))
        (local.set $p_v (i32.add (local.get $p_v) (i32.const 32)))
        (local.set $p_v0 (i32.add (local.get $p_v0) (i32.const 32)))
        (local.set $p_c0 (i32.add (local.get $p_c0) (i32.const 32)))
        (local.set $p_c1 (i32.add (local.get $p_c1) (i32.const 32)))
        (local.set $p_c2 (i32.add (local.get $p_c2) (i32.const 32)))
        (local.set $p_c3 (i32.add (local.get $p_c3) (i32.const 32)))
        (br $L4)))
    (local.set $i (i32.sub (local.get $p_v) (local.get $v)))
    (if (i32.lt_u (local.get $i) (local.get $e2))
      (then
        (local.set $vv (v128.load align=8 (i32.add (local.get $v) (local.get $i))))
        (local.set $ww (v128.load align=8 (i32.add (local.get $v0) (local.get $i))))
        (local.set $x0 (v128.load align=8 (i32.add (local.get $c0) (local.get $i))))
        (local.set $x1 (v128.load align=8 (i32.add (local.get $c1) (local.get $i))))
        (local.set $x2 (v128.load align=8 (i32.add (local.get $c2) (local.get $i))))
        (local.set $x3 (v128.load align=8 (i32.add (local.get $c3) (local.get $i))))
        (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (local.get $x0) (local.get $vv))))
        (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (local.get $x1) (local.get $vv))))
        (local.set $a2 (f64x2.add (local.get $a2) (f64x2.mul (local.get $x2) (local.get $vv))))
        (local.set $a3 (f64x2.add (local.get $a3) (f64x2.mul (local.get $x3) (local.get $vv))))
        (local.set $t0 (f64x2.add (local.get $t0) (f64x2.mul (local.get $x0) (local.get $ww))))
        (local.set $t1 (f64x2.add (local.get $t1) (f64x2.mul (local.get $x1) (local.get $ww))))
        (local.set $t2 (f64x2.add (local.get $t2) (f64x2.mul (local.get $x2) (local.get $ww))))
        (local.set $t3 (f64x2.add (local.get $t3) (f64x2.mul (local.get $x3) (local.get $ww))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))))
    (local.set $a0 (f64x2.add (local.get $a0) (local.get $b0)))
    (local.set $a1 (f64x2.add (local.get $a1) (local.get $b1)))
    (local.set $a2 (f64x2.add (local.get $a2) (local.get $b2)))
    (local.set $a3 (f64x2.add (local.get $a3) (local.get $b3)))
    (local.set $s0 (f64.add (f64x2.extract_lane 0 (local.get $a0)) (f64x2.extract_lane 1 (local.get $a0))))
    (local.set $s1 (f64.add (f64x2.extract_lane 0 (local.get $a1)) (f64x2.extract_lane 1 (local.get $a1))))
    (local.set $s2 (f64.add (f64x2.extract_lane 0 (local.get $a2)) (f64x2.extract_lane 1 (local.get $a2))))
    (local.set $s3 (f64.add (f64x2.extract_lane 0 (local.get $a3)) (f64x2.extract_lane 1 (local.get $a3))))
    (local.set $w0 (f64.add (f64x2.extract_lane 0 (local.get $t0)) (f64x2.extract_lane 1 (local.get $t0))))
    (local.set $w1 (f64.add (f64x2.extract_lane 0 (local.get $t1)) (f64x2.extract_lane 1 (local.get $t1))))
    (local.set $w2 (f64.add (f64x2.extract_lane 0 (local.get $t2)) (f64x2.extract_lane 1 (local.get $t2))))
    (local.set $w3 (f64.add (f64x2.extract_lane 0 (local.get $t3)) (f64x2.extract_lane 1 (local.get $t3))))
    (if (i32.lt_u (local.get $i) (local.get $eb))
      (then
        (local.set $t (f64.load (i32.add (local.get $v) (local.get $i))))
        (local.set $u (f64.load (i32.add (local.get $v0) (local.get $i))))
        (local.set $s0 (f64.add (local.get $s0) (f64.mul (f64.load (i32.add (local.get $c0) (local.get $i))) (local.get $t))))
        (local.set $s1 (f64.add (local.get $s1) (f64.mul (f64.load (i32.add (local.get $c1) (local.get $i))) (local.get $t))))
        (local.set $s2 (f64.add (local.get $s2) (f64.mul (f64.load (i32.add (local.get $c2) (local.get $i))) (local.get $t))))
        (local.set $s3 (f64.add (local.get $s3) (f64.mul (f64.load (i32.add (local.get $c3) (local.get $i))) (local.get $t))))
        (local.set $w0 (f64.add (local.get $w0) (f64.mul (f64.load (i32.add (local.get $c0) (local.get $i))) (local.get $u))))
        (local.set $w1 (f64.add (local.get $w1) (f64.mul (f64.load (i32.add (local.get $c1) (local.get $i))) (local.get $u))))
        (local.set $w2 (f64.add (local.get $w2) (f64.mul (f64.load (i32.add (local.get $c2) (local.get $i))) (local.get $u))))
        (local.set $w3 (f64.add (local.get $w3) (f64.mul (f64.load (i32.add (local.get $c3) (local.get $i))) (local.get $u))))))
    (f64.store (local.get $out) (local.get $s0))
    (f64.store offset=8 (local.get $out) (local.get $s1))
    (f64.store offset=16 (local.get $out) (local.get $s2))
    (f64.store offset=24 (local.get $out) (local.get $s3))
    (f64.store offset=32 (local.get $out) (local.get $w0))
    (f64.store offset=40 (local.get $out) (local.get $w1))
    (f64.store offset=48 (local.get $out) (local.get $w2))
    (f64.store offset=56 (local.get $out) (local.get $w3)))

  ;; axpydot4r0(n, a0, a1, a2, a3, coef, b0, b1, b2, b3, r, r0, out): `axpydot4` with the second
  ;; products of `dot4r0`: r ← r − Σ_k coef[k]·A_k (as axpy4), then out[k] = B_kᵀr for the updated
  ;; r and out[4 + k] = B_kᵀr0, in one pass over the columns (r0 only read). The coefficients are
  ;; splat from memory inside the loop (fewer live vectors; the values are those of axpydot4).
  (func $axpydot4r0 (export "axpydot4r0") (param $n i32) (param $a0 i32) (param $a1 i32) (param $a2 i32) (param $a3 i32) (param $coef i32)
    (param $b0 i32) (param $b1 i32) (param $b2 i32) (param $b3 i32) (param $r i32) (param $r0 i32) (param $out i32)
    (local $i i32) (local $p_r i32) (local $p_a0 i32) (local $p_a1 i32) (local $p_a2 i32) (local $p_a3 i32) (local $p_r0 i32) (local $p_b0 i32) (local $p_b1 i32) (local $p_b2 i32) (local $p_b3 i32) (local $pe i32) (local $rv_2 v128) (local $ww_2 v128) (local $x0_2 v128) (local $x1_2 v128) (local $x2_2 v128) (local $x3_2 v128) (local $e2 i32) (local $eb i32) (local $rv v128) (local $ww v128)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local $u0 f64) (local $u1 f64) (local $u2 f64) (local $u3 f64)
    (local $w0 f64) (local $w1 f64) (local $w2 f64) (local $w3 f64) (local $t f64) (local $b f64)
    (local.set $e2 (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3)))
    (local.set $eb (i32.shl (local.get $n) (i32.const 3)))
    (local.set $p_r (local.get $r))
    (local.set $p_a0 (local.get $a0))
    (local.set $p_a1 (local.get $a1))
    (local.set $p_a2 (local.get $a2))
    (local.set $p_a3 (local.get $a3))
    (local.set $p_r0 (local.get $r0))
    (local.set $p_b0 (local.get $b0))
    (local.set $p_b1 (local.get $b1))
    (local.set $p_b2 (local.get $b2))
    (local.set $p_b3 (local.get $b3))
    (local.set $pe (i32.add (local.get $r) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 3))))
    (block $B4
      (loop $L4
        (br_if $B4 (i32.ge_u (local.get $p_r) (local.get $pe)))
        (local.set $rv (v128.load align=8 (local.get $p_r)))
        (local.set $rv (f64x2.sub (local.get $rv) (f64x2.mul (v128.load64_splat (local.get $coef)) (v128.load align=8 (local.get $p_a0)))))
        (local.set $rv (f64x2.sub (local.get $rv) (f64x2.mul (v128.load64_splat offset=8 (local.get $coef)) (v128.load align=8 (local.get $p_a1)))))
        (local.set $rv (f64x2.sub (local.get $rv) (f64x2.mul (v128.load64_splat offset=16 (local.get $coef)) (v128.load align=8 (local.get $p_a2)))))
        (local.set $rv (f64x2.sub (local.get $rv) (f64x2.mul (v128.load64_splat offset=24 (local.get $coef)) (v128.load align=8 (local.get $p_a3)))))
        (v128.store align=8 (local.get $p_r) (local.get $rv))
        (local.set $rv_2 (v128.load offset=16 align=8 (local.get $p_r)))
        (local.set $rv_2 (f64x2.sub (local.get $rv_2) (f64x2.mul (v128.load64_splat (local.get $coef)) (v128.load offset=16 align=8 (local.get $p_a0)))))
        (local.set $rv_2 (f64x2.sub (local.get $rv_2) (f64x2.mul (v128.load64_splat offset=8 (local.get $coef)) (v128.load offset=16 align=8 (local.get $p_a1)))))
        (local.set $rv_2 (f64x2.sub (local.get $rv_2) (f64x2.mul (v128.load64_splat offset=16 (local.get $coef)) (v128.load offset=16 align=8 (local.get $p_a2)))))
        (local.set $rv_2 (f64x2.sub (local.get $rv_2) (f64x2.mul (v128.load64_splat offset=24 (local.get $coef)) (v128.load offset=16 align=8 (local.get $p_a3)))))
        (v128.store offset=16 align=8 (local.get $p_r) (local.get $rv_2))
        (local.set $ww (v128.load align=8 (local.get $p_r0)))
        (local.set $x0 (v128.load align=8 (local.get $p_b0)))
        (local.set $x1 (v128.load align=8 (local.get $p_b1)))
        (local.set $x2 (v128.load align=8 (local.get $p_b2)))
        (local.set $x3 (v128.load align=8 (local.get $p_b3)))
        (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $x0) (local.get $rv))))
        (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (local.get $x1) (local.get $rv))))
        (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (local.get $x2) (local.get $rv))))
        (local.set $s3 (f64x2.add (local.get $s3) (f64x2.mul (local.get $x3) (local.get $rv))))
        (local.set $t0 (f64x2.add (local.get $t0) (f64x2.mul (local.get $x0) (local.get $ww))))
        (local.set $t1 (f64x2.add (local.get $t1) (f64x2.mul (local.get $x1) (local.get $ww))))
        (local.set $t2 (f64x2.add (local.get $t2) (f64x2.mul (local.get $x2) (local.get $ww))))
        (local.set $t3 (f64x2.add (local.get $t3) (f64x2.mul (local.get $x3) (local.get $ww))))
        (local.set $ww_2 (v128.load offset=16 align=8 (local.get $p_r0)))
        (local.set $x0_2 (v128.load offset=16 align=8 (local.get $p_b0)))
        (local.set $x1_2 (v128.load offset=16 align=8 (local.get $p_b1)))
        (local.set $x2_2 (v128.load offset=16 align=8 (local.get $p_b2)))
        (local.set $x3_2 (v128.load offset=16 align=8 (local.get $p_b3)))
        (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $x0_2) (local.get $rv_2))))
        (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (local.get $x1_2) (local.get $rv_2))))
        (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (local.get $x2_2) (local.get $rv_2))))
        (local.set $s3 (f64x2.add (local.get $s3) (f64x2.mul (local.get $x3_2) (local.get $rv_2))))
        (local.set $t0 (f64x2.add (local.get $t0) (f64x2.mul (local.get $x0_2) (local.get $ww_2))))
        (local.set $t1 (f64x2.add (local.get $t1) (f64x2.mul (local.get $x1_2) (local.get $ww_2))))
        (local.set $t2 (f64x2.add (local.get $t2) (f64x2.mul (local.get $x2_2) (local.get $ww_2))))
        (local.set $t3 (f64x2.add (local.get $t3) (f64x2.mul (local.get $x3_2) (local.get $ww_2))))
        (local.set $p_r (i32.add (local.get $p_r) (i32.const 32)))
        (local.set $p_a0 (i32.add (local.get $p_a0) (i32.const 32)))
        (local.set $p_a1 (i32.add (local.get $p_a1) (i32.const 32)))
        (local.set $p_a2 (i32.add (local.get $p_a2) (i32.const 32)))
        (local.set $p_a3 (i32.add (local.get $p_a3) (i32.const 32)))
        (local.set $p_r0 (i32.add (local.get $p_r0) (i32.const 32)))
        (local.set $p_b0 (i32.add (local.get $p_b0) (i32.const 32)))
        (local.set $p_b1 (i32.add (local.get $p_b1) (i32.const 32)))
        (local.set $p_b2 (i32.add (local.get $p_b2) (i32.const 32)))
        (local.set $p_b3 (i32.add (local.get $p_b3) (i32.const 32)))
        (br $L4)))
    (local.set $i (i32.sub (local.get $p_r) (local.get $r)))
    (block $B2
      (loop $L2
        (br_if $B2 (i32.ge_u (local.get $i) (local.get $e2)))
        (local.set $rv (v128.load align=8 (i32.add (local.get $r) (local.get $i))))
        (local.set $rv (f64x2.sub (local.get $rv) (f64x2.mul (v128.load64_splat (local.get $coef)) (v128.load align=8 (i32.add (local.get $a0) (local.get $i))))))
        (local.set $rv (f64x2.sub (local.get $rv) (f64x2.mul (v128.load64_splat offset=8 (local.get $coef)) (v128.load align=8 (i32.add (local.get $a1) (local.get $i))))))
        (local.set $rv (f64x2.sub (local.get $rv) (f64x2.mul (v128.load64_splat offset=16 (local.get $coef)) (v128.load align=8 (i32.add (local.get $a2) (local.get $i))))))
        (local.set $rv (f64x2.sub (local.get $rv) (f64x2.mul (v128.load64_splat offset=24 (local.get $coef)) (v128.load align=8 (i32.add (local.get $a3) (local.get $i))))))
        (v128.store align=8 (i32.add (local.get $r) (local.get $i)) (local.get $rv))
        (local.set $ww (v128.load align=8 (i32.add (local.get $r0) (local.get $i))))
        (local.set $x0 (v128.load align=8 (i32.add (local.get $b0) (local.get $i))))
        (local.set $x1 (v128.load align=8 (i32.add (local.get $b1) (local.get $i))))
        (local.set $x2 (v128.load align=8 (i32.add (local.get $b2) (local.get $i))))
        (local.set $x3 (v128.load align=8 (i32.add (local.get $b3) (local.get $i))))
        (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $x0) (local.get $rv))))
        (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (local.get $x1) (local.get $rv))))
        (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (local.get $x2) (local.get $rv))))
        (local.set $s3 (f64x2.add (local.get $s3) (f64x2.mul (local.get $x3) (local.get $rv))))
        (local.set $t0 (f64x2.add (local.get $t0) (f64x2.mul (local.get $x0) (local.get $ww))))
        (local.set $t1 (f64x2.add (local.get $t1) (f64x2.mul (local.get $x1) (local.get $ww))))
        (local.set $t2 (f64x2.add (local.get $t2) (f64x2.mul (local.get $x2) (local.get $ww))))
        (local.set $t3 (f64x2.add (local.get $t3) (f64x2.mul (local.get $x3) (local.get $ww))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $L2)))
    (local.set $u0 (f64.add (f64x2.extract_lane 0 (local.get $s0)) (f64x2.extract_lane 1 (local.get $s0))))
    (local.set $u1 (f64.add (f64x2.extract_lane 0 (local.get $s1)) (f64x2.extract_lane 1 (local.get $s1))))
    (local.set $u2 (f64.add (f64x2.extract_lane 0 (local.get $s2)) (f64x2.extract_lane 1 (local.get $s2))))
    (local.set $u3 (f64.add (f64x2.extract_lane 0 (local.get $s3)) (f64x2.extract_lane 1 (local.get $s3))))
    (local.set $w0 (f64.add (f64x2.extract_lane 0 (local.get $t0)) (f64x2.extract_lane 1 (local.get $t0))))
    (local.set $w1 (f64.add (f64x2.extract_lane 0 (local.get $t1)) (f64x2.extract_lane 1 (local.get $t1))))
    (local.set $w2 (f64.add (f64x2.extract_lane 0 (local.get $t2)) (f64x2.extract_lane 1 (local.get $t2))))
    (local.set $w3 (f64.add (f64x2.extract_lane 0 (local.get $t3)) (f64x2.extract_lane 1 (local.get $t3))))
    (if (i32.lt_u (local.get $i) (local.get $eb))
      (then
        (local.set $t (f64.load (i32.add (local.get $r) (local.get $i))))
        (local.set $t (f64.sub (local.get $t) (f64.mul (f64.load (local.get $coef)) (f64.load (i32.add (local.get $a0) (local.get $i))))))
        (local.set $t (f64.sub (local.get $t) (f64.mul (f64.load offset=8 (local.get $coef)) (f64.load (i32.add (local.get $a1) (local.get $i))))))
        (local.set $t (f64.sub (local.get $t) (f64.mul (f64.load offset=16 (local.get $coef)) (f64.load (i32.add (local.get $a2) (local.get $i))))))
        (local.set $t (f64.sub (local.get $t) (f64.mul (f64.load offset=24 (local.get $coef)) (f64.load (i32.add (local.get $a3) (local.get $i))))))
        (f64.store (i32.add (local.get $r) (local.get $i)) (local.get $t))
        (local.set $b (f64.load (i32.add (local.get $r0) (local.get $i))))
        (local.set $u0 (f64.add (local.get $u0) (f64.mul (f64.load (i32.add (local.get $b0) (local.get $i))) (local.get $t))))
        (local.set $u1 (f64.add (local.get $u1) (f64.mul (f64.load (i32.add (local.get $b1) (local.get $i))) (local.get $t))))
        (local.set $u2 (f64.add (local.get $u2) (f64.mul (f64.load (i32.add (local.get $b2) (local.get $i))) (local.get $t))))
        (local.set $u3 (f64.add (local.get $u3) (f64.mul (f64.load (i32.add (local.get $b3) (local.get $i))) (local.get $t))))
        (local.set $w0 (f64.add (local.get $w0) (f64.mul (f64.load (i32.add (local.get $b0) (local.get $i))) (local.get $b))))
        (local.set $w1 (f64.add (local.get $w1) (f64.mul (f64.load (i32.add (local.get $b1) (local.get $i))) (local.get $b))))
        (local.set $w2 (f64.add (local.get $w2) (f64.mul (f64.load (i32.add (local.get $b2) (local.get $i))) (local.get $b))))
        (local.set $w3 (f64.add (local.get $w3) (f64.mul (f64.load (i32.add (local.get $b3) (local.get $i))) (local.get $b))))))
    (f64.store (local.get $out) (local.get $u0))
    (f64.store offset=8 (local.get $out) (local.get $u1))
    (f64.store offset=16 (local.get $out) (local.get $u2))
    (f64.store offset=24 (local.get $out) (local.get $u3))
    (f64.store offset=32 (local.get $out) (local.get $w0))
    (f64.store offset=40 (local.get $out) (local.get $w1))
    (f64.store offset=48 (local.get $out) (local.get $w2))
    (f64.store offset=56 (local.get $out) (local.get $w3)))

  ;; dotgram4(n, c0, c1, c2, c3, v, out): `dot4` and `gram4` of four columns in one pass over them:
  ;; out[k] = X_kᵀv (k < 4), out[4..10) = X_0ᵀX_1, X_0ᵀX_2, X_0ᵀX_3, X_1ᵀX_2, X_1ᵀX_3, X_2ᵀX_3 (the
  ;; first gap check of a solve that will run block epochs, lasso/quad_cd.ts). One f64x2
  ;; accumulator per output, reduced lane 0 + lane 1, then the odd entry (the Gram entries are
  ;; `gram4`'s, bit for bit).
  (func $dotgram4 (export "dotgram4") (param $n i32) (param $c0 i32) (param $c1 i32) (param $c2 i32) (param $c3 i32) (param $v i32) (param $out i32)
    (local $i i32) (local $p_v i32) (local $p_c0 i32) (local $p_c1 i32) (local $p_c2 i32) (local $p_c3 i32) (local $pe i32) (local $vv_2 v128) (local $x0_2 v128) (local $x1_2 v128) (local $x2_2 v128) (local $x3_2 v128) (local $e2 i32) (local $eb i32) (local $vv v128)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local $g01 v128) (local $g02 v128) (local $g03 v128) (local $g12 v128) (local $g13 v128) (local $g23 v128)
    (local $u0 f64) (local $u1 f64) (local $u2 f64) (local $u3 f64) (local $t f64)
    (local $y0 f64) (local $y1 f64) (local $y2 f64) (local $y3 f64)
    (local $h01 f64) (local $h02 f64) (local $h03 f64) (local $h12 f64) (local $h13 f64) (local $h23 f64)
    (local.set $e2 (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3)))
    (local.set $eb (i32.shl (local.get $n) (i32.const 3)))
    (local.set $p_v (local.get $v))
    (local.set $p_c0 (local.get $c0))
    (local.set $p_c1 (local.get $c1))
    (local.set $p_c2 (local.get $c2))
    (local.set $p_c3 (local.get $c3))
    (local.set $pe (i32.add (local.get $v) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 3))))
    (block $B4
      (loop $L4
        (br_if $B4 (i32.ge_u (local.get $p_v) (local.get $pe)))
        (local.set $vv (v128.load align=8 (local.get $p_v)))
        (local.set $x0 (v128.load align=8 (local.get $p_c0)))
        (local.set $x1 (v128.load align=8 (local.get $p_c1)))
        (local.set $x2 (v128.load align=8 (local.get $p_c2)))
        (local.set $x3 (v128.load align=8 (local.get $p_c3)))
        (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $x0) (local.get $vv))))
        (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (local.get $x1) (local.get $vv))))
        (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (local.get $x2) (local.get $vv))))
        (local.set $s3 (f64x2.add (local.get $s3) (f64x2.mul (local.get $x3) (local.get $vv))))
        (local.set $g01 (f64x2.add (local.get $g01) (f64x2.mul (local.get $x0) (local.get $x1))))
        (local.set $g02 (f64x2.add (local.get $g02) (f64x2.mul (local.get $x0) (local.get $x2))))
        (local.set $g03 (f64x2.add (local.get $g03) (f64x2.mul (local.get $x0) (local.get $x3))))
        (local.set $g12 (f64x2.add (local.get $g12) (f64x2.mul (local.get $x1) (local.get $x2))))
        (local.set $g13 (f64x2.add (local.get $g13) (f64x2.mul (local.get $x1) (local.get $x3))))
        (local.set $g23 (f64x2.add (local.get $g23) (f64x2.mul (local.get $x2) (local.get $x3))))
        (local.set $vv_2 (v128.load offset=16 align=8 (local.get $p_v)))
        (local.set $x0_2 (v128.load offset=16 align=8 (local.get $p_c0)))
        (local.set $x1_2 (v128.load offset=16 align=8 (local.get $p_c1)))
        (local.set $x2_2 (v128.load offset=16 align=8 (local.get $p_c2)))
        (local.set $x3_2 (v128.load offset=16 align=8 (local.get $p_c3)))
        (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $x0_2) (local.get $vv_2))))
        (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (local.get $x1_2) (local.get $vv_2))))
        (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (local.get $x2_2) (local.get $vv_2))))
        (local.set $s3 (f64x2.add (local.get $s3) (f64x2.mul (local.get $x3_2) (local.get $vv_2))))
        (local.set $g01 (f64x2.add (local.get $g01) (f64x2.mul (local.get $x0_2) (local.get $x1_2))))
        (local.set $g02 (f64x2.add (local.get $g02) (f64x2.mul (local.get $x0_2) (local.get $x2_2))))
        (local.set $g03 (f64x2.add (local.get $g03) (f64x2.mul (local.get $x0_2) (local.get $x3_2))))
        (local.set $g12 (f64x2.add (local.get $g12) (f64x2.mul (local.get $x1_2) (local.get $x2_2))))
        (local.set $g13 (f64x2.add (local.get $g13) (f64x2.mul (local.get $x1_2) (local.get $x3_2))))
        (local.set $g23 (f64x2.add (local.get $g23) (f64x2.mul (local.get $x2_2) (local.get $x3_2))))
        (local.set $p_v (i32.add (local.get $p_v) (i32.const 32)))
        (local.set $p_c0 (i32.add (local.get $p_c0) (i32.const 32)))
        (local.set $p_c1 (i32.add (local.get $p_c1) (i32.const 32)))
        (local.set $p_c2 (i32.add (local.get $p_c2) (i32.const 32)))
        (local.set $p_c3 (i32.add (local.get $p_c3) (i32.const 32)))
        (br $L4)))
    (local.set $i (i32.sub (local.get $p_v) (local.get $v)))
    (block $B2
      (loop $L2
        (br_if $B2 (i32.ge_u (local.get $i) (local.get $e2)))
        (local.set $vv (v128.load align=8 (i32.add (local.get $v) (local.get $i))))
        (local.set $x0 (v128.load align=8 (i32.add (local.get $c0) (local.get $i))))
        (local.set $x1 (v128.load align=8 (i32.add (local.get $c1) (local.get $i))))
        (local.set $x2 (v128.load align=8 (i32.add (local.get $c2) (local.get $i))))
        (local.set $x3 (v128.load align=8 (i32.add (local.get $c3) (local.get $i))))
        (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $x0) (local.get $vv))))
        (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (local.get $x1) (local.get $vv))))
        (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (local.get $x2) (local.get $vv))))
        (local.set $s3 (f64x2.add (local.get $s3) (f64x2.mul (local.get $x3) (local.get $vv))))
        (local.set $g01 (f64x2.add (local.get $g01) (f64x2.mul (local.get $x0) (local.get $x1))))
        (local.set $g02 (f64x2.add (local.get $g02) (f64x2.mul (local.get $x0) (local.get $x2))))
        (local.set $g03 (f64x2.add (local.get $g03) (f64x2.mul (local.get $x0) (local.get $x3))))
        (local.set $g12 (f64x2.add (local.get $g12) (f64x2.mul (local.get $x1) (local.get $x2))))
        (local.set $g13 (f64x2.add (local.get $g13) (f64x2.mul (local.get $x1) (local.get $x3))))
        (local.set $g23 (f64x2.add (local.get $g23) (f64x2.mul (local.get $x2) (local.get $x3))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $L2)))
    (local.set $u0 (f64.add (f64x2.extract_lane 0 (local.get $s0)) (f64x2.extract_lane 1 (local.get $s0))))
    (local.set $u1 (f64.add (f64x2.extract_lane 0 (local.get $s1)) (f64x2.extract_lane 1 (local.get $s1))))
    (local.set $u2 (f64.add (f64x2.extract_lane 0 (local.get $s2)) (f64x2.extract_lane 1 (local.get $s2))))
    (local.set $u3 (f64.add (f64x2.extract_lane 0 (local.get $s3)) (f64x2.extract_lane 1 (local.get $s3))))
    (local.set $h01 (f64.add (f64x2.extract_lane 0 (local.get $g01)) (f64x2.extract_lane 1 (local.get $g01))))
    (local.set $h02 (f64.add (f64x2.extract_lane 0 (local.get $g02)) (f64x2.extract_lane 1 (local.get $g02))))
    (local.set $h03 (f64.add (f64x2.extract_lane 0 (local.get $g03)) (f64x2.extract_lane 1 (local.get $g03))))
    (local.set $h12 (f64.add (f64x2.extract_lane 0 (local.get $g12)) (f64x2.extract_lane 1 (local.get $g12))))
    (local.set $h13 (f64.add (f64x2.extract_lane 0 (local.get $g13)) (f64x2.extract_lane 1 (local.get $g13))))
    (local.set $h23 (f64.add (f64x2.extract_lane 0 (local.get $g23)) (f64x2.extract_lane 1 (local.get $g23))))
    (if (i32.lt_u (local.get $i) (local.get $eb))
      (then
        (local.set $t (f64.load (i32.add (local.get $v) (local.get $i))))
        (local.set $y0 (f64.load (i32.add (local.get $c0) (local.get $i))))
        (local.set $y1 (f64.load (i32.add (local.get $c1) (local.get $i))))
        (local.set $y2 (f64.load (i32.add (local.get $c2) (local.get $i))))
        (local.set $y3 (f64.load (i32.add (local.get $c3) (local.get $i))))
        (local.set $u0 (f64.add (local.get $u0) (f64.mul (local.get $y0) (local.get $t))))
        (local.set $u1 (f64.add (local.get $u1) (f64.mul (local.get $y1) (local.get $t))))
        (local.set $u2 (f64.add (local.get $u2) (f64.mul (local.get $y2) (local.get $t))))
        (local.set $u3 (f64.add (local.get $u3) (f64.mul (local.get $y3) (local.get $t))))
        (local.set $h01 (f64.add (local.get $h01) (f64.mul (local.get $y0) (local.get $y1))))
        (local.set $h02 (f64.add (local.get $h02) (f64.mul (local.get $y0) (local.get $y2))))
        (local.set $h03 (f64.add (local.get $h03) (f64.mul (local.get $y0) (local.get $y3))))
        (local.set $h12 (f64.add (local.get $h12) (f64.mul (local.get $y1) (local.get $y2))))
        (local.set $h13 (f64.add (local.get $h13) (f64.mul (local.get $y1) (local.get $y3))))
        (local.set $h23 (f64.add (local.get $h23) (f64.mul (local.get $y2) (local.get $y3))))))
    (f64.store (local.get $out) (local.get $u0))
    (f64.store offset=8 (local.get $out) (local.get $u1))
    (f64.store offset=16 (local.get $out) (local.get $u2))
    (f64.store offset=24 (local.get $out) (local.get $u3))
    (f64.store offset=32 (local.get $out) (local.get $h01))
    (f64.store offset=40 (local.get $out) (local.get $h02))
    (f64.store offset=48 (local.get $out) (local.get $h03))
    (f64.store offset=56 (local.get $out) (local.get $h12))
    (f64.store offset=64 (local.get $out) (local.get $h13))
    (f64.store offset=72 (local.get $out) (local.get $h23)))

  ;; colmaxabs(x, n, p, out): out[j] = max_i |X_ij| over the n×p column-major block at x (column j
  ;; at x + 8·n·j); NaN for a column holding a NaN (f64.max propagates it, as Math.max does). The
  ;; maximum is exact: the same value as any JavaScript loop (the CLI's magnitude check, issue 12).
  (func $colmaxabs (export "colmaxabs") (param $x i32) (param $n i32) (param $p i32) (param $out i32)
    (local $j i32) (local $i i32) (local $c i32) (local $e2 i32) (local $eb i32) (local $m v128) (local $s f64)
    (local.set $e2 (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3)))
    (local.set $eb (i32.shl (local.get $n) (i32.const 3)))
    (local.set $c (local.get $x))
    (block $BJ
      (loop $LJ
        (br_if $BJ (i32.ge_u (local.get $j) (local.get $p)))
        (local.set $m (f64x2.splat (f64.const 0)))
        (local.set $i (i32.const 0))
        (block $B2
          (loop $L2
            (br_if $B2 (i32.ge_u (local.get $i) (local.get $e2)))
            (local.set $m (f64x2.max (local.get $m) (f64x2.abs (v128.load align=8 (i32.add (local.get $c) (local.get $i))))))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $L2)))
        (local.set $s (f64.max (f64x2.extract_lane 0 (local.get $m)) (f64x2.extract_lane 1 (local.get $m))))
        (if (i32.lt_u (local.get $i) (local.get $eb))
          (then (local.set $s (f64.max (local.get $s) (f64.abs (f64.load (i32.add (local.get $c) (local.get $i))))))))
        (f64.store (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 3))) (local.get $s))
        (local.set $c (i32.add (local.get $c) (local.get $eb)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $LJ))))

  ;; rawdots(x, n, p, v, out): out[j] = X_jᵀv over the n×p column-major block at x, summed as
  ;; lasso/hypergrad.ts `rawColDot` sums (lane 0: the even rows, lane 1: the odd rows, an odd last
  ;; row added to lane 0, then lane 0 + lane 1; no fused multiply-add): the same bits.
  (func $rawdots (export "rawdots") (param $x i32) (param $n i32) (param $p i32) (param $v i32) (param $out i32)
    (local $j i32) (local $i i32) (local $c i32) (local $e2 i32) (local $eb i32) (local $a v128) (local $s f64)
    (local.set $e2 (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3)))
    (local.set $eb (i32.shl (local.get $n) (i32.const 3)))
    (local.set $c (local.get $x))
    (block $BJ
      (loop $LJ
        (br_if $BJ (i32.ge_u (local.get $j) (local.get $p)))
        (local.set $a (f64x2.splat (f64.const 0)))
        (local.set $i (i32.const 0))
        (block $B2
          (loop $L2
            (br_if $B2 (i32.ge_u (local.get $i) (local.get $e2)))
            (local.set $a (f64x2.add (local.get $a) (f64x2.mul (v128.load align=8 (i32.add (local.get $c) (local.get $i))) (v128.load align=8 (i32.add (local.get $v) (local.get $i))))))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $L2)))
        (local.set $s (f64x2.extract_lane 0 (local.get $a)))
        (if (i32.lt_u (local.get $i) (local.get $eb))
          (then (local.set $s (f64.add (local.get $s) (f64.mul (f64.load (i32.add (local.get $c) (local.get $i))) (f64.load (i32.add (local.get $v) (local.get $i))))))))
        (f64.store (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 3))) (f64.add (local.get $s) (f64x2.extract_lane 1 (local.get $a))))
        (local.set $c (i32.add (local.get $c) (local.get $eb)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $LJ))))

  ;; refcheck(x, n, p, S, s, delta, r, r0, blk, norms, beta, xtr, bound, todo, out) → m: the squared-loss
  ;; support refinement's residual update and the diagnostics' recomputation and scan in ONE call
  ;; (lasso/hypergrad_post.ts `refineCheckWasm`; the same operations in the same order as its
  ;; JavaScript/axpy4 path, hence the same bits). On entry r and r0 hold the same residual,
  ;; delta[0..s) the step Δ on the support S[0..s) (i32 feature indices), blk[8..13) the
  ;; certificate's constants: a = 4(n + 2)·eps, err, b = √(2n·max(gap, 0)), nShrink = n·(1 − …), l
  ;; (the uniform penalty); bound < 0: no Gap Safe bounds.
  ;;   1. r ← r − Σ_t Δ_t·X_S_t, four columns per `axpy4` (a short last group repeats its first
  ;;      column with coefficient 0; coefficients staged in blk[0..4));
  ;;   2. dd = Σ_i (r0_i − r_i)², rr = Σ_i r_i² (sequential, in i order);
  ;;   3. step = √dd, slack = a·√rr + err, near = step + slack, far = (step + b) + slack;
  ;;   4. the screen: for every j with ‖X_j‖ = norms[j] ≠ 0, j is certified (skipped) when
  ;;      β_j = 0, l > 0 and |xtr_j| + ‖X_j‖·near < nShrink·l or bound_j + ‖X_j‖·far < nShrink·l
  ;;      (NaN fails); every other j is listed in todo (ascending), m of them;
  ;;   5. out[j] = X_jᵀr (`dots` on todo[0..m)), then out[j] /= n;
  ;;   6. the KKT / kink scan of hypergrad_post.ts `scanKkt` over todo[0..m) (the same operations:
  ;;      f64.max is Math.max, NaN and −0 included), with blk[13] = λ₂, blk[14] = kinkTol: on the
  ;;      support (β_j ≠ 0) kkt = max(kkt, |c_j − λ₂β_j − l·sign β_j|/l) when l > 0; off it
  ;;      ρ = |c_j|/l, kkt = max(kkt, ρ − 1), j at the kink when |ρ − 1| ≤ kinkTol (listed in S,
  ;;      ascending), else a violator when ρ > 1. Out: blk[8] = max(0, kkt), blk[9] = violators,
  ;;      blk[10] = kinks listed in S[0..k).
  ;; delta may share memory with out (read only in stage 1), S is overwritten in stage 6.
  (func $refcheck (export "refcheck") (param $x i32) (param $n i32) (param $p i32) (param $S i32) (param $s i32) (param $delta i32)
    (param $r i32) (param $r0 i32) (param $blk i32) (param $norms i32) (param $beta i32) (param $xtr i32) (param $bound i32)
    (param $todo i32) (param $out i32) (result i32)
    (local $t i32) (local $cb i32) (local $j0 i32) (local $c1 i32) (local $c2 i32) (local $c3 i32) (local $i i32) (local $eb i32)
    (local $v f64) (local $dv f64) (local $dd f64) (local $rr f64) (local $step f64) (local $slack f64) (local $near f64) (local $far f64)
    (local $j i32) (local $m i32) (local $nj f64) (local $lim f64) (local $pen i32) (local $cert i32)
    (local $l f64) (local $l2 f64) (local $ktol f64) (local $bj f64) (local $cj f64) (local $sg f64) (local $rho f64) (local $kkt f64) (local $viol i32) (local $nk i32)
    (local.set $cb (i32.shl (local.get $n) (i32.const 3)))
    ;; 1. the residual update, groups of four
    (block $B1
      (loop $L1
        (br_if $B1 (i32.ge_u (local.get $t) (local.get $s)))
        (local.set $j0 (i32.load (i32.add (local.get $S) (i32.shl (local.get $t) (i32.const 2)))))
        (local.set $c1 (local.get $j0)) (local.set $c2 (local.get $j0)) (local.set $c3 (local.get $j0))
        (f64.store (local.get $blk) (f64.load (i32.add (local.get $delta) (i32.shl (local.get $t) (i32.const 3)))))
        (f64.store offset=8 (local.get $blk) (f64.const 0))
        (f64.store offset=16 (local.get $blk) (f64.const 0))
        (f64.store offset=24 (local.get $blk) (f64.const 0))
        (if (i32.lt_u (i32.add (local.get $t) (i32.const 1)) (local.get $s))
          (then
            (local.set $c1 (i32.load offset=4 (i32.add (local.get $S) (i32.shl (local.get $t) (i32.const 2)))))
            (f64.store offset=8 (local.get $blk) (f64.load offset=8 (i32.add (local.get $delta) (i32.shl (local.get $t) (i32.const 3)))))))
        (if (i32.lt_u (i32.add (local.get $t) (i32.const 2)) (local.get $s))
          (then
            (local.set $c2 (i32.load offset=8 (i32.add (local.get $S) (i32.shl (local.get $t) (i32.const 2)))))
            (f64.store offset=16 (local.get $blk) (f64.load offset=16 (i32.add (local.get $delta) (i32.shl (local.get $t) (i32.const 3)))))))
        (if (i32.lt_u (i32.add (local.get $t) (i32.const 3)) (local.get $s))
          (then
            (local.set $c3 (i32.load offset=12 (i32.add (local.get $S) (i32.shl (local.get $t) (i32.const 2)))))
            (f64.store offset=24 (local.get $blk) (f64.load offset=24 (i32.add (local.get $delta) (i32.shl (local.get $t) (i32.const 3)))))))
        (call $axpy4 (local.get $n)
          (i32.add (local.get $x) (i32.mul (local.get $cb) (local.get $j0)))
          (i32.add (local.get $x) (i32.mul (local.get $cb) (local.get $c1)))
          (i32.add (local.get $x) (i32.mul (local.get $cb) (local.get $c2)))
          (i32.add (local.get $x) (i32.mul (local.get $cb) (local.get $c3)))
          (local.get $blk) (local.get $r))
        (local.set $t (i32.add (local.get $t) (i32.const 4)))
        (br $L1)))
    ;; 2. the change's and the residual's squared norms
    (block $B2
      (loop $L2
        (br_if $B2 (i32.ge_u (local.get $i) (local.get $cb)))
        (local.set $v (f64.load (i32.add (local.get $r) (local.get $i))))
        (local.set $dv (f64.sub (f64.load (i32.add (local.get $r0) (local.get $i))) (local.get $v)))
        (local.set $dd (f64.add (local.get $dd) (f64.mul (local.get $dv) (local.get $dv))))
        (local.set $rr (f64.add (local.get $rr) (f64.mul (local.get $v) (local.get $v))))
        (local.set $i (i32.add (local.get $i) (i32.const 8)))
        (br $L2)))
    ;; 3. the certificate's radii
    (local.set $step (f64.sqrt (local.get $dd)))
    (local.set $slack (f64.add (f64.mul (f64.load offset=64 (local.get $blk)) (f64.sqrt (local.get $rr))) (f64.load offset=72 (local.get $blk))))
    (local.set $near (f64.add (local.get $step) (local.get $slack)))
    (local.set $far (f64.add (f64.add (local.get $step) (f64.load offset=80 (local.get $blk))) (local.get $slack)))
    (local.set $lim (f64.mul (f64.load offset=88 (local.get $blk)) (f64.load offset=96 (local.get $blk))))
    (local.set $pen (f64.gt (f64.load offset=96 (local.get $blk)) (f64.const 0)))
    ;; 4. the screen
    (block $B4
      (loop $L4
        (br_if $B4 (i32.ge_u (local.get $j) (local.get $p)))
        (local.set $nj (f64.load (i32.add (local.get $norms) (i32.shl (local.get $j) (i32.const 3)))))
        (if (f64.ne (local.get $nj) (f64.const 0))
          (then
            (local.set $cert (i32.const 0))
            (if (i32.and (local.get $pen) (f64.eq (f64.load (i32.add (local.get $beta) (i32.shl (local.get $j) (i32.const 3)))) (f64.const 0)))
              (then
                (local.set $cert
                  (f64.lt
                    (f64.add (f64.abs (f64.load (i32.add (local.get $xtr) (i32.shl (local.get $j) (i32.const 3)))))
                      (f64.mul (local.get $nj) (local.get $near)))
                    (local.get $lim)))
                (if (i32.ge_s (local.get $bound) (i32.const 0))
                  (then
                    (local.set $cert
                      (i32.or (local.get $cert)
                        (f64.lt
                          (f64.add (f64.load (i32.add (local.get $bound) (i32.shl (local.get $j) (i32.const 3))))
                            (f64.mul (local.get $nj) (local.get $far)))
                          (local.get $lim))))))))
            (if (i32.eqz (local.get $cert))
              (then
                (i32.store (i32.add (local.get $todo) (i32.shl (local.get $m) (i32.const 2))) (local.get $j))
                (local.set $m (i32.add (local.get $m) (i32.const 1)))))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $L4)))
    ;; 5. the listed features' X_jᵀr / n
    (call $dots (local.get $x) (local.get $n) (local.get $todo) (local.get $m) (local.get $r) (local.get $out))
    (local.set $t (i32.const 0))
    (block $B5
      (loop $L5
        (br_if $B5 (i32.ge_u (local.get $t) (local.get $m)))
        (local.set $i (i32.add (local.get $out) (i32.shl (i32.load (i32.add (local.get $todo) (i32.shl (local.get $t) (i32.const 2)))) (i32.const 3))))
        (f64.store (local.get $i) (f64.div (f64.load (local.get $i)) (f64.convert_i32_s (local.get $n))))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $L5)))
    ;; 6. the KKT / kink scan
    (local.set $l (f64.load offset=96 (local.get $blk)))
    (local.set $l2 (f64.load offset=104 (local.get $blk)))
    (local.set $ktol (f64.load offset=112 (local.get $blk)))
    (local.set $t (i32.const 0))
    (block $B6
      (loop $L6
        (br_if $B6 (i32.ge_u (local.get $t) (local.get $m)))
        (local.set $j (i32.load (i32.add (local.get $todo) (i32.shl (local.get $t) (i32.const 2)))))
        (local.set $bj (f64.load (i32.add (local.get $beta) (i32.shl (local.get $j) (i32.const 3)))))
        (local.set $cj (f64.load (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 3)))))
        (if (f64.ne (local.get $bj) (f64.const 0))
          (then
            (if (f64.gt (local.get $l) (f64.const 0))
              (then
                ;; Math.sign(β_j): ±1, NaN for NaN
                (local.set $sg
                  (select (f64.const 1)
                    (select (f64.const -1) (local.get $bj) (f64.lt (local.get $bj) (f64.const 0)))
                    (f64.gt (local.get $bj) (f64.const 0))))
                (local.set $kkt
                  (f64.max (local.get $kkt)
                    (f64.div
                      (f64.abs (f64.sub (f64.sub (local.get $cj) (f64.mul (local.get $l2) (local.get $bj))) (f64.mul (local.get $l) (local.get $sg))))
                      (local.get $l)))))))
          (else
            (local.set $rho (f64.div (f64.abs (local.get $cj)) (local.get $l)))
            (local.set $kkt (f64.max (local.get $kkt) (f64.sub (local.get $rho) (f64.const 1))))
            (if (f64.le (f64.abs (f64.sub (local.get $rho) (f64.const 1))) (local.get $ktol))
              (then
                (i32.store (i32.add (local.get $S) (i32.shl (local.get $nk) (i32.const 2))) (local.get $j))
                (local.set $nk (i32.add (local.get $nk) (i32.const 1))))
              (else
                (if (f64.gt (local.get $rho) (f64.const 1))
                  (then (local.set $viol (i32.add (local.get $viol) (i32.const 1)))))))))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $L6)))
    (f64.store offset=64 (local.get $blk) (f64.max (f64.const 0) (local.get $kkt)))
    (f64.store offset=72 (local.get $blk) (f64.convert_i32_s (local.get $viol)))
    (f64.store offset=80 (local.get $blk) (f64.convert_i32_s (local.get $nk)))
    (local.get $m))

;; Row-split twins of the row kernels (src/kernels/team.ts `runRows` on one thread): K_split(h, n,
;; …, out1) runs K over rows [0, h) into out, then over rows [h, n) (every column / vector pointer
;; moved by 8h bytes) into out1, then out[q] ← out[q] + out1[q]: the arithmetic of the two chunks a
;; partner thread shares, in one call from JavaScript. Written out by a script from team.ts's role
;; table (n: rows, x: moves, c: stays, o: output).

  (func $dot4_split (export "dot4_split") (param $h i32) (param $a0 i32) (param $a1 i32) (param $a2 i32) (param $a3 i32) (param $a4 i32) (param $a5 i32) (param $a6 i32) (param $o1 i32)
    (local $s i32)
    (local.set $s (i32.shl (local.get $h) (i32.const 3)))
    (call $dot4 (local.get $h) (local.get $a1) (local.get $a2) (local.get $a3) (local.get $a4) (local.get $a5) (local.get $a6))
    (call $dot4 (i32.sub (local.get $a0) (local.get $h)) (i32.add (local.get $a1) (local.get $s)) (i32.add (local.get $a2) (local.get $s)) (i32.add (local.get $a3) (local.get $s)) (i32.add (local.get $a4) (local.get $s)) (i32.add (local.get $a5) (local.get $s)) (local.get $o1))
    (f64.store offset=0 (local.get $a6) (f64.add (f64.load offset=0 (local.get $a6)) (f64.load offset=0 (local.get $o1))))
    (f64.store offset=8 (local.get $a6) (f64.add (f64.load offset=8 (local.get $a6)) (f64.load offset=8 (local.get $o1))))
    (f64.store offset=16 (local.get $a6) (f64.add (f64.load offset=16 (local.get $a6)) (f64.load offset=16 (local.get $o1))))
    (f64.store offset=24 (local.get $a6) (f64.add (f64.load offset=24 (local.get $a6)) (f64.load offset=24 (local.get $o1)))))

  (func $axpy1dot4_split (export "axpy1dot4_split") (param $h i32) (param $a0 i32) (param $a1 i32) (param $a2 i32) (param $a3 i32) (param $a4 i32) (param $a5 i32) (param $a6 i32) (param $a7 i32) (param $a8 i32) (param $o1 i32)
    (local $s i32)
    (local.set $s (i32.shl (local.get $h) (i32.const 3)))
    (call $axpy1dot4 (local.get $h) (local.get $a1) (local.get $a2) (local.get $a3) (local.get $a4) (local.get $a5) (local.get $a6) (local.get $a7) (local.get $a8))
    (call $axpy1dot4 (i32.sub (local.get $a0) (local.get $h)) (i32.add (local.get $a1) (local.get $s)) (local.get $a2) (i32.add (local.get $a3) (local.get $s)) (i32.add (local.get $a4) (local.get $s)) (i32.add (local.get $a5) (local.get $s)) (i32.add (local.get $a6) (local.get $s)) (i32.add (local.get $a7) (local.get $s)) (local.get $o1))
    (f64.store offset=0 (local.get $a8) (f64.add (f64.load offset=0 (local.get $a8)) (f64.load offset=0 (local.get $o1))))
    (f64.store offset=8 (local.get $a8) (f64.add (f64.load offset=8 (local.get $a8)) (f64.load offset=8 (local.get $o1))))
    (f64.store offset=16 (local.get $a8) (f64.add (f64.load offset=16 (local.get $a8)) (f64.load offset=16 (local.get $o1))))
    (f64.store offset=24 (local.get $a8) (f64.add (f64.load offset=24 (local.get $a8)) (f64.load offset=24 (local.get $o1)))))

  (func $axpy2dot4_split (export "axpy2dot4_split") (param $h i32) (param $a0 i32) (param $a1 i32) (param $a2 i32) (param $a3 i32) (param $a4 i32) (param $a5 i32) (param $a6 i32) (param $a7 i32) (param $a8 i32) (param $a9 i32) (param $o1 i32)
    (local $s i32)
    (local.set $s (i32.shl (local.get $h) (i32.const 3)))
    (call $axpy2dot4 (local.get $h) (local.get $a1) (local.get $a2) (local.get $a3) (local.get $a4) (local.get $a5) (local.get $a6) (local.get $a7) (local.get $a8) (local.get $a9))
    (call $axpy2dot4 (i32.sub (local.get $a0) (local.get $h)) (i32.add (local.get $a1) (local.get $s)) (i32.add (local.get $a2) (local.get $s)) (local.get $a3) (i32.add (local.get $a4) (local.get $s)) (i32.add (local.get $a5) (local.get $s)) (i32.add (local.get $a6) (local.get $s)) (i32.add (local.get $a7) (local.get $s)) (i32.add (local.get $a8) (local.get $s)) (local.get $o1))
    (f64.store offset=0 (local.get $a9) (f64.add (f64.load offset=0 (local.get $a9)) (f64.load offset=0 (local.get $o1))))
    (f64.store offset=8 (local.get $a9) (f64.add (f64.load offset=8 (local.get $a9)) (f64.load offset=8 (local.get $o1))))
    (f64.store offset=16 (local.get $a9) (f64.add (f64.load offset=16 (local.get $a9)) (f64.load offset=16 (local.get $o1))))
    (f64.store offset=24 (local.get $a9) (f64.add (f64.load offset=24 (local.get $a9)) (f64.load offset=24 (local.get $o1)))))

  (func $axpy3dot4_split (export "axpy3dot4_split") (param $h i32) (param $a0 i32) (param $a1 i32) (param $a2 i32) (param $a3 i32) (param $a4 i32) (param $a5 i32) (param $a6 i32) (param $a7 i32) (param $a8 i32) (param $a9 i32) (param $a10 i32) (param $o1 i32)
    (local $s i32)
    (local.set $s (i32.shl (local.get $h) (i32.const 3)))
    (call $axpy3dot4 (local.get $h) (local.get $a1) (local.get $a2) (local.get $a3) (local.get $a4) (local.get $a5) (local.get $a6) (local.get $a7) (local.get $a8) (local.get $a9) (local.get $a10))
    (call $axpy3dot4 (i32.sub (local.get $a0) (local.get $h)) (i32.add (local.get $a1) (local.get $s)) (i32.add (local.get $a2) (local.get $s)) (i32.add (local.get $a3) (local.get $s)) (local.get $a4) (i32.add (local.get $a5) (local.get $s)) (i32.add (local.get $a6) (local.get $s)) (i32.add (local.get $a7) (local.get $s)) (i32.add (local.get $a8) (local.get $s)) (i32.add (local.get $a9) (local.get $s)) (local.get $o1))
    (f64.store offset=0 (local.get $a10) (f64.add (f64.load offset=0 (local.get $a10)) (f64.load offset=0 (local.get $o1))))
    (f64.store offset=8 (local.get $a10) (f64.add (f64.load offset=8 (local.get $a10)) (f64.load offset=8 (local.get $o1))))
    (f64.store offset=16 (local.get $a10) (f64.add (f64.load offset=16 (local.get $a10)) (f64.load offset=16 (local.get $o1))))
    (f64.store offset=24 (local.get $a10) (f64.add (f64.load offset=24 (local.get $a10)) (f64.load offset=24 (local.get $o1)))))

  (func $axpydot4_split (export "axpydot4_split") (param $h i32) (param $a0 i32) (param $a1 i32) (param $a2 i32) (param $a3 i32) (param $a4 i32) (param $a5 i32) (param $a6 i32) (param $a7 i32) (param $a8 i32) (param $a9 i32) (param $a10 i32) (param $a11 i32) (param $o1 i32)
    (local $s i32)
    (local.set $s (i32.shl (local.get $h) (i32.const 3)))
    (call $axpydot4 (local.get $h) (local.get $a1) (local.get $a2) (local.get $a3) (local.get $a4) (local.get $a5) (local.get $a6) (local.get $a7) (local.get $a8) (local.get $a9) (local.get $a10) (local.get $a11))
    (call $axpydot4 (i32.sub (local.get $a0) (local.get $h)) (i32.add (local.get $a1) (local.get $s)) (i32.add (local.get $a2) (local.get $s)) (i32.add (local.get $a3) (local.get $s)) (i32.add (local.get $a4) (local.get $s)) (local.get $a5) (i32.add (local.get $a6) (local.get $s)) (i32.add (local.get $a7) (local.get $s)) (i32.add (local.get $a8) (local.get $s)) (i32.add (local.get $a9) (local.get $s)) (i32.add (local.get $a10) (local.get $s)) (local.get $o1))
    (f64.store offset=0 (local.get $a11) (f64.add (f64.load offset=0 (local.get $a11)) (f64.load offset=0 (local.get $o1))))
    (f64.store offset=8 (local.get $a11) (f64.add (f64.load offset=8 (local.get $a11)) (f64.load offset=8 (local.get $o1))))
    (f64.store offset=16 (local.get $a11) (f64.add (f64.load offset=16 (local.get $a11)) (f64.load offset=16 (local.get $o1))))
    (f64.store offset=24 (local.get $a11) (f64.add (f64.load offset=24 (local.get $a11)) (f64.load offset=24 (local.get $o1)))))

  (func $dot4r0_split (export "dot4r0_split") (param $h i32) (param $a0 i32) (param $a1 i32) (param $a2 i32) (param $a3 i32) (param $a4 i32) (param $a5 i32) (param $a6 i32) (param $a7 i32) (param $o1 i32)
    (local $s i32)
    (local.set $s (i32.shl (local.get $h) (i32.const 3)))
    (call $dot4r0 (local.get $h) (local.get $a1) (local.get $a2) (local.get $a3) (local.get $a4) (local.get $a5) (local.get $a6) (local.get $a7))
    (call $dot4r0 (i32.sub (local.get $a0) (local.get $h)) (i32.add (local.get $a1) (local.get $s)) (i32.add (local.get $a2) (local.get $s)) (i32.add (local.get $a3) (local.get $s)) (i32.add (local.get $a4) (local.get $s)) (i32.add (local.get $a5) (local.get $s)) (i32.add (local.get $a6) (local.get $s)) (local.get $o1))
    (f64.store offset=0 (local.get $a7) (f64.add (f64.load offset=0 (local.get $a7)) (f64.load offset=0 (local.get $o1))))
    (f64.store offset=8 (local.get $a7) (f64.add (f64.load offset=8 (local.get $a7)) (f64.load offset=8 (local.get $o1))))
    (f64.store offset=16 (local.get $a7) (f64.add (f64.load offset=16 (local.get $a7)) (f64.load offset=16 (local.get $o1))))
    (f64.store offset=24 (local.get $a7) (f64.add (f64.load offset=24 (local.get $a7)) (f64.load offset=24 (local.get $o1))))
    (f64.store offset=32 (local.get $a7) (f64.add (f64.load offset=32 (local.get $a7)) (f64.load offset=32 (local.get $o1))))
    (f64.store offset=40 (local.get $a7) (f64.add (f64.load offset=40 (local.get $a7)) (f64.load offset=40 (local.get $o1))))
    (f64.store offset=48 (local.get $a7) (f64.add (f64.load offset=48 (local.get $a7)) (f64.load offset=48 (local.get $o1))))
    (f64.store offset=56 (local.get $a7) (f64.add (f64.load offset=56 (local.get $a7)) (f64.load offset=56 (local.get $o1)))))

  (func $axpydot4r0_split (export "axpydot4r0_split") (param $h i32) (param $a0 i32) (param $a1 i32) (param $a2 i32) (param $a3 i32) (param $a4 i32) (param $a5 i32) (param $a6 i32) (param $a7 i32) (param $a8 i32) (param $a9 i32) (param $a10 i32) (param $a11 i32) (param $a12 i32) (param $o1 i32)
    (local $s i32)
    (local.set $s (i32.shl (local.get $h) (i32.const 3)))
    (call $axpydot4r0 (local.get $h) (local.get $a1) (local.get $a2) (local.get $a3) (local.get $a4) (local.get $a5) (local.get $a6) (local.get $a7) (local.get $a8) (local.get $a9) (local.get $a10) (local.get $a11) (local.get $a12))
    (call $axpydot4r0 (i32.sub (local.get $a0) (local.get $h)) (i32.add (local.get $a1) (local.get $s)) (i32.add (local.get $a2) (local.get $s)) (i32.add (local.get $a3) (local.get $s)) (i32.add (local.get $a4) (local.get $s)) (local.get $a5) (i32.add (local.get $a6) (local.get $s)) (i32.add (local.get $a7) (local.get $s)) (i32.add (local.get $a8) (local.get $s)) (i32.add (local.get $a9) (local.get $s)) (i32.add (local.get $a10) (local.get $s)) (i32.add (local.get $a11) (local.get $s)) (local.get $o1))
    (f64.store offset=0 (local.get $a12) (f64.add (f64.load offset=0 (local.get $a12)) (f64.load offset=0 (local.get $o1))))
    (f64.store offset=8 (local.get $a12) (f64.add (f64.load offset=8 (local.get $a12)) (f64.load offset=8 (local.get $o1))))
    (f64.store offset=16 (local.get $a12) (f64.add (f64.load offset=16 (local.get $a12)) (f64.load offset=16 (local.get $o1))))
    (f64.store offset=24 (local.get $a12) (f64.add (f64.load offset=24 (local.get $a12)) (f64.load offset=24 (local.get $o1))))
    (f64.store offset=32 (local.get $a12) (f64.add (f64.load offset=32 (local.get $a12)) (f64.load offset=32 (local.get $o1))))
    (f64.store offset=40 (local.get $a12) (f64.add (f64.load offset=40 (local.get $a12)) (f64.load offset=40 (local.get $o1))))
    (f64.store offset=48 (local.get $a12) (f64.add (f64.load offset=48 (local.get $a12)) (f64.load offset=48 (local.get $o1))))
    (f64.store offset=56 (local.get $a12) (f64.add (f64.load offset=56 (local.get $a12)) (f64.load offset=56 (local.get $o1)))))

  (func $gram4_split (export "gram4_split") (param $h i32) (param $a0 i32) (param $a1 i32) (param $a2 i32) (param $a3 i32) (param $a4 i32) (param $a5 i32) (param $o1 i32)
    (local $s i32)
    (local.set $s (i32.shl (local.get $h) (i32.const 3)))
    (call $gram4 (local.get $h) (local.get $a1) (local.get $a2) (local.get $a3) (local.get $a4) (local.get $a5))
    (call $gram4 (i32.sub (local.get $a0) (local.get $h)) (i32.add (local.get $a1) (local.get $s)) (i32.add (local.get $a2) (local.get $s)) (i32.add (local.get $a3) (local.get $s)) (i32.add (local.get $a4) (local.get $s)) (local.get $o1))
    (f64.store offset=0 (local.get $a5) (f64.add (f64.load offset=0 (local.get $a5)) (f64.load offset=0 (local.get $o1))))
    (f64.store offset=8 (local.get $a5) (f64.add (f64.load offset=8 (local.get $a5)) (f64.load offset=8 (local.get $o1))))
    (f64.store offset=16 (local.get $a5) (f64.add (f64.load offset=16 (local.get $a5)) (f64.load offset=16 (local.get $o1))))
    (f64.store offset=24 (local.get $a5) (f64.add (f64.load offset=24 (local.get $a5)) (f64.load offset=24 (local.get $o1))))
    (f64.store offset=32 (local.get $a5) (f64.add (f64.load offset=32 (local.get $a5)) (f64.load offset=32 (local.get $o1))))
    (f64.store offset=40 (local.get $a5) (f64.add (f64.load offset=40 (local.get $a5)) (f64.load offset=40 (local.get $o1)))))

  (func $dotgram4_split (export "dotgram4_split") (param $h i32) (param $a0 i32) (param $a1 i32) (param $a2 i32) (param $a3 i32) (param $a4 i32) (param $a5 i32) (param $a6 i32) (param $o1 i32)
    (local $s i32)
    (local.set $s (i32.shl (local.get $h) (i32.const 3)))
    (call $dotgram4 (local.get $h) (local.get $a1) (local.get $a2) (local.get $a3) (local.get $a4) (local.get $a5) (local.get $a6))
    (call $dotgram4 (i32.sub (local.get $a0) (local.get $h)) (i32.add (local.get $a1) (local.get $s)) (i32.add (local.get $a2) (local.get $s)) (i32.add (local.get $a3) (local.get $s)) (i32.add (local.get $a4) (local.get $s)) (i32.add (local.get $a5) (local.get $s)) (local.get $o1))
    (f64.store offset=0 (local.get $a6) (f64.add (f64.load offset=0 (local.get $a6)) (f64.load offset=0 (local.get $o1))))
    (f64.store offset=8 (local.get $a6) (f64.add (f64.load offset=8 (local.get $a6)) (f64.load offset=8 (local.get $o1))))
    (f64.store offset=16 (local.get $a6) (f64.add (f64.load offset=16 (local.get $a6)) (f64.load offset=16 (local.get $o1))))
    (f64.store offset=24 (local.get $a6) (f64.add (f64.load offset=24 (local.get $a6)) (f64.load offset=24 (local.get $o1))))
    (f64.store offset=32 (local.get $a6) (f64.add (f64.load offset=32 (local.get $a6)) (f64.load offset=32 (local.get $o1))))
    (f64.store offset=40 (local.get $a6) (f64.add (f64.load offset=40 (local.get $a6)) (f64.load offset=40 (local.get $o1))))
    (f64.store offset=48 (local.get $a6) (f64.add (f64.load offset=48 (local.get $a6)) (f64.load offset=48 (local.get $o1))))
    (f64.store offset=56 (local.get $a6) (f64.add (f64.load offset=56 (local.get $a6)) (f64.load offset=56 (local.get $o1))))
    (f64.store offset=64 (local.get $a6) (f64.add (f64.load offset=64 (local.get $a6)) (f64.load offset=64 (local.get $o1))))
    (f64.store offset=72 (local.get $a6) (f64.add (f64.load offset=72 (local.get $a6)) (f64.load offset=72 (local.get $o1)))))
)
