;; @file Triangular kernels of the support factor (src/kernels/tri_wasm.ts): L Lᵀ solves and row substitutions on a lower factor, f64x2 SIMD128.
;;
;; Compiled by scripts/build-kernels.mjs (wabt) into modules.generated.ts (`TRI_WASM.plain`); edit
;; this file, run `npm run build:kernels`, commit both. The memory (env.mem) is one per factor
;; (tri_wasm.ts): the lower factor L, row-major with row stride `st` (entries), then scratch vectors.
;;
;; Conventions: pointers are byte offsets into the memory; row i of L starts at l + 8·st·i and only
;; its entries 0..i are read. Dot products run over pairs of entries with two f64x2 accumulators
;; (reduced as (a0 + a1) lane 0 + lane 1), then a scalar tail in order; the TypeScript reference
;; (src/linalg/dense/cholesky_update.ts) agrees to rounding, not to the bit.

(module
  (import "env" "mem" (memory $mem 1))
  (import "env" "hypot" (func $hypot (param f64 f64) (result f64)))

  ;; hyp(a, b) = √(a² + b²) when that lies in (1e-150, 1e150), else the imported (scaled) hypot:
  ;; the same operations as `givensNorm` in src/linalg/dense/cholesky_update.ts (the same bits); one
  ;; call into JavaScript per row only outside that range
  (func $hyp (param $a f64) (param $b f64) (result f64)
    (local $r f64)
    (local.set $r (f64.sqrt (f64.add (f64.mul (local.get $a) (local.get $a)) (f64.mul (local.get $b) (local.get $b)))))
    (if (result f64) (i32.and (f64.gt (local.get $r) (f64.const 1e-150)) (f64.lt (local.get $r) (f64.const 1e150)))
      (then (local.get $r))
      (else (call $hypot (local.get $a) (local.get $b)))))

  ;; dot(a, b, len) = Σ_{k<len} a[k]·b[k]
  (func $dot (param $a i32) (param $b i32) (param $len i32) (result f64)
    (local $e4 i32) (local $e i32) (local $a0 v128) (local $a1 v128) (local $s v128) (local $r f64)
    (local.set $e4 (i32.add (local.get $a) (i32.shl (i32.and (local.get $len) (i32.const -4)) (i32.const 3))))
    (local.set $e (i32.add (local.get $a) (i32.shl (local.get $len) (i32.const 3))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $a) (local.get $e4)))
        (local.set $a0 (f64x2.add (local.get $a0)
          (f64x2.mul (v128.load align=8 (local.get $a)) (v128.load align=8 (local.get $b)))))
        (local.set $a1 (f64x2.add (local.get $a1)
          (f64x2.mul (v128.load offset=16 align=8 (local.get $a)) (v128.load offset=16 align=8 (local.get $b)))))
        (local.set $a (i32.add (local.get $a) (i32.const 32)))
        (local.set $b (i32.add (local.get $b) (i32.const 32)))
        (br $l)))
    (local.set $s (f64x2.add (local.get $a0) (local.get $a1)))
    (local.set $r (f64.add (f64x2.extract_lane 0 (local.get $s)) (f64x2.extract_lane 1 (local.get $s))))
    (block $done2
      (loop $l2
        (br_if $done2 (i32.ge_u (local.get $a) (local.get $e)))
        (local.set $r (f64.add (local.get $r) (f64.mul (f64.load (local.get $a)) (f64.load (local.get $b)))))
        (local.set $a (i32.add (local.get $a) (i32.const 8)))
        (local.set $b (i32.add (local.get $b) (i32.const 8)))
        (br $l2)))
    (local.get $r))

  ;; fwd(l, st, m, b): b ← L⁻¹b (forward substitution, dot form: row i of L against b[0..i)).
  (func $fwd (export "fwd") (param $l i32) (param $st i32) (param $m i32) (param $b i32)
    (local $i i32) (local $row i32) (local $pb i32)
    (block $done
      (loop $l1
        (br_if $done (i32.ge_u (local.get $i) (local.get $m)))
        (local.set $row (i32.add (local.get $l) (i32.shl (i32.mul (local.get $i) (local.get $st)) (i32.const 3))))
        (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $i) (i32.const 3))))
        (f64.store (local.get $pb)
          (f64.div
            (f64.sub (f64.load (local.get $pb)) (call $dot (local.get $row) (local.get $b) (local.get $i)))
            (f64.load (i32.add (local.get $row) (i32.shl (local.get $i) (i32.const 3))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l1))))

  ;; bwd(l, st, m, b): b ← L⁻ᵀb (back substitution, axpy form: x_i = b_i / L_ii, then
  ;; b[0..i) −= x_i·L[i, 0..i), reading row i of L, i.e. column i of Lᵀ, contiguously).
  (func $bwd (export "bwd") (param $l i32) (param $st i32) (param $m i32) (param $b i32)
    (local $i i32) (local $row i32) (local $pb i32) (local $x f64) (local $xv v128) (local $pr i32) (local $q i32) (local $e2 i32) (local $e i32)
    (local.set $i (local.get $m))
    (block $done
      (loop $l1
        (br_if $done (i32.eqz (local.get $i)))
        (local.set $i (i32.sub (local.get $i) (i32.const 1)))
        (local.set $row (i32.add (local.get $l) (i32.shl (i32.mul (local.get $i) (local.get $st)) (i32.const 3))))
        (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $i) (i32.const 3))))
        (local.set $x (f64.div (f64.load (local.get $pb)) (f64.load (i32.add (local.get $row) (i32.shl (local.get $i) (i32.const 3))))))
        (f64.store (local.get $pb) (local.get $x))
        (local.set $xv (f64x2.splat (local.get $x)))
        (local.set $pr (local.get $row))
        (local.set $q (local.get $b))
        (local.set $e2 (i32.add (local.get $b) (i32.shl (i32.and (local.get $i) (i32.const -2)) (i32.const 3))))
        (local.set $e (local.get $pb))
        (block $d2
          (loop $l2
            (br_if $d2 (i32.ge_u (local.get $q) (local.get $e2)))
            (v128.store align=8 (local.get $q)
              (f64x2.sub (v128.load align=8 (local.get $q)) (f64x2.mul (local.get $xv) (v128.load align=8 (local.get $pr)))))
            (local.set $q (i32.add (local.get $q) (i32.const 16)))
            (local.set $pr (i32.add (local.get $pr) (i32.const 16)))
            (br $l2)))
        (if (i32.lt_u (local.get $q) (local.get $e))
          (then
            (f64.store (local.get $q)
              (f64.sub (f64.load (local.get $q)) (f64.mul (local.get $x) (f64.load (local.get $pr)))))))
        (br $l1))))

  ;; sub1(l, st, t0, m, r, ss): row r (r ≥ m) of L holds g = A[r, 0..m) on entry (entries before t0
  ;; already substituted) and receives L[r, t] = (g_t − L[t, 0..t)·L[r, 0..t)) / L_tt for
  ;; t0 ≤ t < m; ss[0] ← Σ_{t0≤t<m} L[r, t]².
  (func $sub1 (export "sub1") (param $l i32) (param $st i32) (param $t0 i32) (param $m i32) (param $r i32) (param $ss i32)
    (local $t i32) (local $rt i32) (local $rr i32) (local $v f64) (local $s f64)
    (local.set $t (local.get $t0))
    (local.set $rr (i32.add (local.get $l) (i32.shl (i32.mul (local.get $r) (local.get $st)) (i32.const 3))))
    (block $done
      (loop $l1
        (br_if $done (i32.ge_u (local.get $t) (local.get $m)))
        (local.set $rt (i32.add (local.get $l) (i32.shl (i32.mul (local.get $t) (local.get $st)) (i32.const 3))))
        (local.set $v
          (f64.div
            (f64.sub (f64.load (i32.add (local.get $rr) (i32.shl (local.get $t) (i32.const 3))))
              (call $dot (local.get $rt) (local.get $rr) (local.get $t)))
            (f64.load (i32.add (local.get $rt) (i32.shl (local.get $t) (i32.const 3))))))
        (f64.store (i32.add (local.get $rr) (i32.shl (local.get $t) (i32.const 3))) (local.get $v))
        (local.set $s (f64.add (local.get $s) (f64.mul (local.get $v) (local.get $v))))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $l1)))
    (f64.store (local.get $ss) (local.get $s)))

  ;; sub4(l, st, m, r, ss): `sub1` on the four rows r..r+3 at once (each read of row t of L serves
  ;; all four; four independent accumulators); ss[0..4) ← their Σ L[r+e, t]².
  (func $sub4 (export "sub4") (param $l i32) (param $st i32) (param $m i32) (param $r i32) (param $ss i32)
    (local $t i32) (local $rt i32) (local $k i32) (local $kb i32) (local $e2 i32)
    (local $w0 i32) (local $w1 i32) (local $w2 i32) (local $w3 i32) (local $sb i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $lt v128)
    (local $d0 f64) (local $d1 f64) (local $d2 f64) (local $d3 f64) (local $lk f64) (local $ltt f64)
    (local $v0 f64) (local $v1 f64) (local $v2 f64) (local $v3 f64)
    (local $q0 f64) (local $q1 f64) (local $q2 f64) (local $q3 f64)
    (local.set $sb (i32.shl (local.get $st) (i32.const 3)))
    (local.set $w0 (i32.add (local.get $l) (i32.mul (local.get $r) (local.get $sb))))
    (local.set $w1 (i32.add (local.get $w0) (local.get $sb)))
    (local.set $w2 (i32.add (local.get $w1) (local.get $sb)))
    (local.set $w3 (i32.add (local.get $w2) (local.get $sb)))
    (block $done
      (loop $l1
        (br_if $done (i32.ge_u (local.get $t) (local.get $m)))
        (local.set $rt (i32.add (local.get $l) (i32.mul (local.get $t) (local.get $sb))))
        (local.set $a0 (f64x2.splat (f64.const 0)))
        (local.set $a1 (f64x2.splat (f64.const 0)))
        (local.set $a2 (f64x2.splat (f64.const 0)))
        (local.set $a3 (f64x2.splat (f64.const 0)))
        (local.set $kb (i32.const 0))
        (local.set $e2 (i32.shl (i32.and (local.get $t) (i32.const -2)) (i32.const 3)))
        (block $d2
          (loop $l2
            (br_if $d2 (i32.ge_u (local.get $kb) (local.get $e2)))
            (local.set $lt (v128.load align=8 (i32.add (local.get $rt) (local.get $kb))))
            (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (local.get $lt) (v128.load align=8 (i32.add (local.get $w0) (local.get $kb))))))
            (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (local.get $lt) (v128.load align=8 (i32.add (local.get $w1) (local.get $kb))))))
            (local.set $a2 (f64x2.add (local.get $a2) (f64x2.mul (local.get $lt) (v128.load align=8 (i32.add (local.get $w2) (local.get $kb))))))
            (local.set $a3 (f64x2.add (local.get $a3) (f64x2.mul (local.get $lt) (v128.load align=8 (i32.add (local.get $w3) (local.get $kb))))))
            (local.set $kb (i32.add (local.get $kb) (i32.const 16)))
            (br $l2)))
        (local.set $d0 (f64.add (f64x2.extract_lane 0 (local.get $a0)) (f64x2.extract_lane 1 (local.get $a0))))
        (local.set $d1 (f64.add (f64x2.extract_lane 0 (local.get $a1)) (f64x2.extract_lane 1 (local.get $a1))))
        (local.set $d2 (f64.add (f64x2.extract_lane 0 (local.get $a2)) (f64x2.extract_lane 1 (local.get $a2))))
        (local.set $d3 (f64.add (f64x2.extract_lane 0 (local.get $a3)) (f64x2.extract_lane 1 (local.get $a3))))
        ;; odd t: the last entry k = t − 1
        (if (i32.and (local.get $t) (i32.const 1))
          (then
            (local.set $lk (f64.load (i32.add (local.get $rt) (local.get $e2))))
            (local.set $d0 (f64.add (local.get $d0) (f64.mul (local.get $lk) (f64.load (i32.add (local.get $w0) (local.get $e2))))))
            (local.set $d1 (f64.add (local.get $d1) (f64.mul (local.get $lk) (f64.load (i32.add (local.get $w1) (local.get $e2))))))
            (local.set $d2 (f64.add (local.get $d2) (f64.mul (local.get $lk) (f64.load (i32.add (local.get $w2) (local.get $e2))))))
            (local.set $d3 (f64.add (local.get $d3) (f64.mul (local.get $lk) (f64.load (i32.add (local.get $w3) (local.get $e2))))))))
        (local.set $kb (i32.shl (local.get $t) (i32.const 3)))
        (local.set $ltt (f64.load (i32.add (local.get $rt) (local.get $kb))))
        (local.set $v0 (f64.div (f64.sub (f64.load (i32.add (local.get $w0) (local.get $kb))) (local.get $d0)) (local.get $ltt)))
        (local.set $v1 (f64.div (f64.sub (f64.load (i32.add (local.get $w1) (local.get $kb))) (local.get $d1)) (local.get $ltt)))
        (local.set $v2 (f64.div (f64.sub (f64.load (i32.add (local.get $w2) (local.get $kb))) (local.get $d2)) (local.get $ltt)))
        (local.set $v3 (f64.div (f64.sub (f64.load (i32.add (local.get $w3) (local.get $kb))) (local.get $d3)) (local.get $ltt)))
        (f64.store (i32.add (local.get $w0) (local.get $kb)) (local.get $v0))
        (f64.store (i32.add (local.get $w1) (local.get $kb)) (local.get $v1))
        (f64.store (i32.add (local.get $w2) (local.get $kb)) (local.get $v2))
        (f64.store (i32.add (local.get $w3) (local.get $kb)) (local.get $v3))
        (local.set $q0 (f64.add (local.get $q0) (f64.mul (local.get $v0) (local.get $v0))))
        (local.set $q1 (f64.add (local.get $q1) (f64.mul (local.get $v1) (local.get $v1))))
        (local.set $q2 (f64.add (local.get $q2) (f64.mul (local.get $v2) (local.get $v2))))
        (local.set $q3 (f64.add (local.get $q3) (f64.mul (local.get $v3) (local.get $v3))))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $l1)))
    (f64.store (local.get $ss) (local.get $q0))
    (f64.store offset=8 (local.get $ss) (local.get $q1))
    (f64.store offset=16 (local.get $ss) (local.get $q2))
    (f64.store offset=24 (local.get $ss) (local.get $q3)))

  ;; rot(l, st, c0, len, x): the rank-one update of a deletion (cholesky_update.ts
  ;; `choleskyDeleteInPlace`): the trailing block B = L[c0.., c0..] (len rows) becomes the factor
  ;; of B Bᵀ + x xᵀ, x (len entries at x) the deleted column below the diagonal, by Givens rotations
  ;; in column order: rotation t from B_tt and x_t (r = hypot(B_tt, x_t), c = B_tt/r, s = x_t/r,
  ;; B_tt ← r), then (b, x_i) ↦ (c·b + s·x_i, c·x_i − s·b) for b = B_it, i > t — two rows per f64x2.
  ;; Per entry the operations of the TypeScript loop, in the same order (the same bits).
  (func $rot (export "rot") (param $l i32) (param $st i32) (param $c0 i32) (param $len i32) (param $x i32)
    (local $t i32) (local $i i32) (local $sb i32) (local $pd i32) (local $p i32) (local $px i32)
    (local $b f64) (local $xt f64) (local $r f64) (local $c f64) (local $s f64)
    (local $cv v128) (local $sv v128) (local $lv v128) (local $xv v128) (local $bv v128) (local $lt f64) (local $e2 i32)
    (local.set $sb (i32.shl (local.get $st) (i32.const 3)))
    (block $done
      (loop $l1
        (br_if $done (i32.ge_u (local.get $t) (local.get $len)))
        ;; diagonal entry of row c0 + t
        (local.set $pd (i32.add (local.get $l)
          (i32.shl (i32.add (i32.mul (i32.add (local.get $c0) (local.get $t)) (local.get $st)) (i32.add (local.get $c0) (local.get $t))) (i32.const 3))))
        (local.set $b (f64.load (local.get $pd)))
        (local.set $xt (f64.load (i32.add (local.get $x) (i32.shl (local.get $t) (i32.const 3)))))
        (local.set $r (call $hyp (local.get $b) (local.get $xt)))
        (local.set $c (f64.div (local.get $b) (local.get $r)))
        (local.set $s (f64.div (local.get $xt) (local.get $r)))
        (f64.store (local.get $pd) (local.get $r))
        (local.set $cv (f64x2.splat (local.get $c)))
        (local.set $sv (f64x2.splat (local.get $s)))
        ;; rows i = t + 1 .. len − 1, two at a time: p points at B_it
        (local.set $i (i32.add (local.get $t) (i32.const 1)))
        (local.set $p (i32.add (local.get $pd) (local.get $sb)))
        (local.set $px (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 3))))
        (block $d2
          (loop $l2
            (br_if $d2 (i32.ge_u (i32.add (local.get $i) (i32.const 1)) (local.get $len)))
            (local.set $lv (f64x2.replace_lane 1 (f64x2.splat (f64.load (local.get $p))) (f64.load (i32.add (local.get $p) (local.get $sb)))))
            (local.set $xv (v128.load align=8 (local.get $px)))
            (local.set $bv (f64x2.add (f64x2.mul (local.get $cv) (local.get $lv)) (f64x2.mul (local.get $sv) (local.get $xv))))
            (v128.store align=8 (local.get $px)
              (f64x2.sub (f64x2.mul (local.get $cv) (local.get $xv)) (f64x2.mul (local.get $sv) (local.get $lv))))
            (f64.store (local.get $p) (f64x2.extract_lane 0 (local.get $bv)))
            (f64.store (i32.add (local.get $p) (local.get $sb)) (f64x2.extract_lane 1 (local.get $bv)))
            (local.set $i (i32.add (local.get $i) (i32.const 2)))
            (local.set $p (i32.add (local.get $p) (i32.shl (local.get $sb) (i32.const 1))))
            (local.set $px (i32.add (local.get $px) (i32.const 16)))
            (br $l2)))
        (if (i32.lt_u (local.get $i) (local.get $len))
          (then
            (local.set $lt (f64.load (local.get $p)))
            (local.set $b (f64.load (local.get $px)))
            (f64.store (local.get $p) (f64.add (f64.mul (local.get $c) (local.get $lt)) (f64.mul (local.get $s) (local.get $b))))
            (f64.store (local.get $px) (f64.sub (f64.mul (local.get $c) (local.get $b)) (f64.mul (local.get $s) (local.get $lt))))))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $l1))))

  ;; compact(l, st, m, k): removes row and column k of the factor of order m: rows k+1.. move up one
  ;; row, their entries right of column k one column left (memory.copy per row part).
  (func $compact (export "compact") (param $l i32) (param $st i32) (param $m i32) (param $k i32)
    (local $i i32) (local $src i32) (local $dst i32) (local $kb i32)
    (local.set $kb (i32.shl (local.get $k) (i32.const 3)))
    (local.set $i (i32.add (local.get $k) (i32.const 1)))
    (block $done
      (loop $l1
        (br_if $done (i32.ge_u (local.get $i) (local.get $m)))
        (local.set $src (i32.add (local.get $l) (i32.shl (i32.mul (local.get $i) (local.get $st)) (i32.const 3))))
        (local.set $dst (i32.sub (local.get $src) (i32.shl (local.get $st) (i32.const 3))))
        (memory.copy (local.get $dst) (local.get $src) (local.get $kb))
        (memory.copy (i32.add (local.get $dst) (local.get $kb)) (i32.add (i32.add (local.get $src) (local.get $kb)) (i32.const 8))
          (i32.shl (i32.sub (local.get $i) (local.get $k)) (i32.const 3)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l1))))

  ;; sub2(l, st, m, r, ss): `sub4` on the 2 rows r..r+1 (the remainder of a group of appends).
  (func $sub2 (export "sub2") (param $l i32) (param $st i32) (param $m i32) (param $r i32) (param $ss i32)
    (local $t i32) (local $rt i32) (local $kb i32) (local $e2 i32) (local $sb i32) (local $lt v128) (local $lk f64) (local $ltt f64)
    (local $w0 i32) (local $a0 v128) (local $d0 f64) (local $v0 f64) (local $q0 f64)
    (local $w1 i32) (local $a1 v128) (local $d1 f64) (local $v1 f64) (local $q1 f64)
    (local.set $sb (i32.shl (local.get $st) (i32.const 3)))
    (local.set $w0 (i32.add (local.get $l) (i32.mul (local.get $r) (local.get $sb))))
    (local.set $w1 (i32.add (local.get $w0) (local.get $sb)))
    (block $done
      (loop $l1
        (br_if $done (i32.ge_u (local.get $t) (local.get $m)))
        (local.set $rt (i32.add (local.get $l) (i32.mul (local.get $t) (local.get $sb))))
        (local.set $a0 (f64x2.splat (f64.const 0)))
        (local.set $a1 (f64x2.splat (f64.const 0)))
        (local.set $kb (i32.const 0))
        (local.set $e2 (i32.shl (i32.and (local.get $t) (i32.const -2)) (i32.const 3)))
        (block $d2
          (loop $l2
            (br_if $d2 (i32.ge_u (local.get $kb) (local.get $e2)))
            (local.set $lt (v128.load align=8 (i32.add (local.get $rt) (local.get $kb))))
            (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (local.get $lt) (v128.load align=8 (i32.add (local.get $w0) (local.get $kb))))))
            (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (local.get $lt) (v128.load align=8 (i32.add (local.get $w1) (local.get $kb))))))
            (local.set $kb (i32.add (local.get $kb) (i32.const 16)))
            (br $l2)))
        (local.set $d0 (f64.add (f64x2.extract_lane 0 (local.get $a0)) (f64x2.extract_lane 1 (local.get $a0))))
        (local.set $d1 (f64.add (f64x2.extract_lane 0 (local.get $a1)) (f64x2.extract_lane 1 (local.get $a1))))
        (if (i32.and (local.get $t) (i32.const 1))
          (then
            (local.set $lk (f64.load (i32.add (local.get $rt) (local.get $e2))))
            (local.set $d0 (f64.add (local.get $d0) (f64.mul (local.get $lk) (f64.load (i32.add (local.get $w0) (local.get $e2))))))
            (local.set $d1 (f64.add (local.get $d1) (f64.mul (local.get $lk) (f64.load (i32.add (local.get $w1) (local.get $e2))))))
))
        (local.set $kb (i32.shl (local.get $t) (i32.const 3)))
        (local.set $ltt (f64.load (i32.add (local.get $rt) (local.get $kb))))
        (local.set $v0 (f64.div (f64.sub (f64.load (i32.add (local.get $w0) (local.get $kb))) (local.get $d0)) (local.get $ltt)))
        (f64.store (i32.add (local.get $w0) (local.get $kb)) (local.get $v0))
        (local.set $q0 (f64.add (local.get $q0) (f64.mul (local.get $v0) (local.get $v0))))
        (local.set $v1 (f64.div (f64.sub (f64.load (i32.add (local.get $w1) (local.get $kb))) (local.get $d1)) (local.get $ltt)))
        (f64.store (i32.add (local.get $w1) (local.get $kb)) (local.get $v1))
        (local.set $q1 (f64.add (local.get $q1) (f64.mul (local.get $v1) (local.get $v1))))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $l1)))
    (f64.store (local.get $ss) (local.get $q0))
    (f64.store offset=8 (local.get $ss) (local.get $q1))
  )

  ;; sub3(l, st, m, r, ss): `sub4` on the 3 rows r..r+2 (the remainder of a group of appends).
  (func $sub3 (export "sub3") (param $l i32) (param $st i32) (param $m i32) (param $r i32) (param $ss i32)
    (local $t i32) (local $rt i32) (local $kb i32) (local $e2 i32) (local $sb i32) (local $lt v128) (local $lk f64) (local $ltt f64)
    (local $w0 i32) (local $a0 v128) (local $d0 f64) (local $v0 f64) (local $q0 f64)
    (local $w1 i32) (local $a1 v128) (local $d1 f64) (local $v1 f64) (local $q1 f64)
    (local $w2 i32) (local $a2 v128) (local $d2 f64) (local $v2 f64) (local $q2 f64)
    (local.set $sb (i32.shl (local.get $st) (i32.const 3)))
    (local.set $w0 (i32.add (local.get $l) (i32.mul (local.get $r) (local.get $sb))))
    (local.set $w1 (i32.add (local.get $w0) (local.get $sb)))
    (local.set $w2 (i32.add (local.get $w1) (local.get $sb)))
    (block $done
      (loop $l1
        (br_if $done (i32.ge_u (local.get $t) (local.get $m)))
        (local.set $rt (i32.add (local.get $l) (i32.mul (local.get $t) (local.get $sb))))
        (local.set $a0 (f64x2.splat (f64.const 0)))
        (local.set $a1 (f64x2.splat (f64.const 0)))
        (local.set $a2 (f64x2.splat (f64.const 0)))
        (local.set $kb (i32.const 0))
        (local.set $e2 (i32.shl (i32.and (local.get $t) (i32.const -2)) (i32.const 3)))
        (block $d2
          (loop $l2
            (br_if $d2 (i32.ge_u (local.get $kb) (local.get $e2)))
            (local.set $lt (v128.load align=8 (i32.add (local.get $rt) (local.get $kb))))
            (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (local.get $lt) (v128.load align=8 (i32.add (local.get $w0) (local.get $kb))))))
            (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (local.get $lt) (v128.load align=8 (i32.add (local.get $w1) (local.get $kb))))))
            (local.set $a2 (f64x2.add (local.get $a2) (f64x2.mul (local.get $lt) (v128.load align=8 (i32.add (local.get $w2) (local.get $kb))))))
            (local.set $kb (i32.add (local.get $kb) (i32.const 16)))
            (br $l2)))
        (local.set $d0 (f64.add (f64x2.extract_lane 0 (local.get $a0)) (f64x2.extract_lane 1 (local.get $a0))))
        (local.set $d1 (f64.add (f64x2.extract_lane 0 (local.get $a1)) (f64x2.extract_lane 1 (local.get $a1))))
        (local.set $d2 (f64.add (f64x2.extract_lane 0 (local.get $a2)) (f64x2.extract_lane 1 (local.get $a2))))
        (if (i32.and (local.get $t) (i32.const 1))
          (then
            (local.set $lk (f64.load (i32.add (local.get $rt) (local.get $e2))))
            (local.set $d0 (f64.add (local.get $d0) (f64.mul (local.get $lk) (f64.load (i32.add (local.get $w0) (local.get $e2))))))
            (local.set $d1 (f64.add (local.get $d1) (f64.mul (local.get $lk) (f64.load (i32.add (local.get $w1) (local.get $e2))))))
            (local.set $d2 (f64.add (local.get $d2) (f64.mul (local.get $lk) (f64.load (i32.add (local.get $w2) (local.get $e2))))))
))
        (local.set $kb (i32.shl (local.get $t) (i32.const 3)))
        (local.set $ltt (f64.load (i32.add (local.get $rt) (local.get $kb))))
        (local.set $v0 (f64.div (f64.sub (f64.load (i32.add (local.get $w0) (local.get $kb))) (local.get $d0)) (local.get $ltt)))
        (f64.store (i32.add (local.get $w0) (local.get $kb)) (local.get $v0))
        (local.set $q0 (f64.add (local.get $q0) (f64.mul (local.get $v0) (local.get $v0))))
        (local.set $v1 (f64.div (f64.sub (f64.load (i32.add (local.get $w1) (local.get $kb))) (local.get $d1)) (local.get $ltt)))
        (f64.store (i32.add (local.get $w1) (local.get $kb)) (local.get $v1))
        (local.set $q1 (f64.add (local.get $q1) (f64.mul (local.get $v1) (local.get $v1))))
        (local.set $v2 (f64.div (f64.sub (f64.load (i32.add (local.get $w2) (local.get $kb))) (local.get $d2)) (local.get $ltt)))
        (f64.store (i32.add (local.get $w2) (local.get $kb)) (local.get $v2))
        (local.set $q2 (f64.add (local.get $q2) (f64.mul (local.get $v2) (local.get $v2))))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $l1)))
    (f64.store (local.get $ss) (local.get $q0))
    (f64.store offset=8 (local.get $ss) (local.get $q1))
    (f64.store offset=16 (local.get $ss) (local.get $q2))
  )
  ;; append(l, st, m, q, p, tol): the rows m .. m+q−1 of L hold the Gram entries of q new features
  ;; against the m factored ones and against each other (row m+e: entries 0 .. m+e); p points to
  ;; 3q + 1 scratch entries with d_e = M_ee at p[e]. Substitutes the new rows against the m rows
  ;; (four per pass: sub4, then sub3 / sub2 / sub1 for the rest; Σ_t L[m+e, t]² at p[q + e]), then
  ;; each new row against the new rows before it (sub1) and writes its pivot √(d_e − ‖l‖²), floored
  ;; at tol·d_e (d_e ≤ 0: tol) and at 1e-300, with the raw pivot ratio max(0, (d_e − ‖l‖²)/d_e) at
  ;; p[2q + e] when it floored (else NaN). The kernels and the operations of
  ;; `choleskyAppendRowsInPlace` / `newRowsTail` / `setPivot` (cholesky_update.ts) in the same
  ;; order, hence the same bits, in one call where those made one per four rows, one per new row
  ;; and the pivots in JavaScript (round hg7).
  (func $append (export "append") (param $l i32) (param $st i32) (param $m i32) (param $q i32) (param $p i32) (param $tol f64)
    (local $e i32) (local $rest i32) (local $ssp i32) (local $tmp i32) (local $me i32)
    (local $s f64) (local $d f64) (local $piv f64) (local $ref f64) (local $raw f64)
    (local.set $ssp (i32.add (local.get $p) (i32.shl (local.get $q) (i32.const 3))))
    (local.set $tmp (i32.add (local.get $p) (i32.mul (local.get $q) (i32.const 24))))
    ;; against the m factored rows, four new rows per pass
    (block $d4
      (loop $l4
        (br_if $d4 (i32.ge_s (i32.add (local.get $e) (i32.const 3)) (local.get $q)))
        (call $sub4 (local.get $l) (local.get $st) (local.get $m) (i32.add (local.get $m) (local.get $e))
          (i32.add (local.get $ssp) (i32.shl (local.get $e) (i32.const 3))))
        (local.set $e (i32.add (local.get $e) (i32.const 4)))
        (br $l4)))
    (local.set $rest (i32.sub (local.get $q) (local.get $e)))
    (if (i32.eq (local.get $rest) (i32.const 3))
      (then (call $sub3 (local.get $l) (local.get $st) (local.get $m) (i32.add (local.get $m) (local.get $e))
        (i32.add (local.get $ssp) (i32.shl (local.get $e) (i32.const 3))))))
    (if (i32.eq (local.get $rest) (i32.const 2))
      (then (call $sub2 (local.get $l) (local.get $st) (local.get $m) (i32.add (local.get $m) (local.get $e))
        (i32.add (local.get $ssp) (i32.shl (local.get $e) (i32.const 3))))))
    (if (i32.eq (local.get $rest) (i32.const 1))
      (then (call $sub1 (local.get $l) (local.get $st) (i32.const 0) (local.get $m) (i32.add (local.get $m) (local.get $e))
        (i32.add (local.get $ssp) (i32.shl (local.get $e) (i32.const 3))))))
    ;; the new rows against each other, in order, each with its pivot
    (local.set $e (i32.const 0))
    (block $dt
      (loop $lt
        (br_if $dt (i32.ge_s (local.get $e) (local.get $q)))
        (local.set $me (i32.add (local.get $m) (local.get $e)))
        (local.set $s (f64.load (i32.add (local.get $ssp) (i32.shl (local.get $e) (i32.const 3)))))
        (if (i32.gt_s (local.get $e) (i32.const 0))
          (then
            (call $sub1 (local.get $l) (local.get $st) (local.get $m) (local.get $me) (local.get $me) (local.get $tmp))
            (local.set $s (f64.add (local.get $s) (f64.load (local.get $tmp))))))
        (local.set $d (f64.load (i32.add (local.get $p) (i32.shl (local.get $e) (i32.const 3)))))
        (local.set $piv (f64.sub (local.get $d) (local.get $s)))
        (local.set $ref (select (local.get $d) (f64.const 1) (f64.gt (local.get $d) (f64.const 0))))
        (local.set $raw (f64.const nan))
        (if (i32.eqz (f64.gt (local.get $piv) (f64.mul (local.get $tol) (local.get $ref))))
          (then
            (local.set $raw (f64.max (f64.const 0) (f64.div (local.get $piv) (local.get $ref))))
            (local.set $piv (f64.max (f64.mul (local.get $tol) (local.get $ref)) (f64.const 1e-300)))))
        (f64.store
          (i32.add (i32.add (local.get $l) (i32.shl (i32.mul (local.get $me) (local.get $st)) (i32.const 3))) (i32.shl (local.get $me) (i32.const 3)))
          (f64.sqrt (local.get $piv)))
        (f64.store (i32.add (local.get $p) (i32.shl (i32.add (i32.shl (local.get $q) (i32.const 1)) (local.get $e)) (i32.const 3))) (local.get $raw))
        (local.set $e (i32.add (local.get $e) (i32.const 1)))
        (br $lt))))
  ;; delmany(l, st, m, kp, count, x): deletes the rows / columns k_u of the factor of order m, the
  ;; positions k_0 < … < k_{count−1} stored as f64 at kp, the last first (the earlier positions do not
  ;; move); each as `triDelete` does it: x ← L[k+1.., k] (at x, m − k − 1 entries), `rot` on the
  ;; trailing block, `compact` (the same operations, hence the same bits, in one call; round hg7).
  (func $delmany (export "delmany") (param $l i32) (param $st i32) (param $m i32) (param $kp i32) (param $count i32) (param $x i32)
    (local $u i32) (local $k i32) (local $len i32) (local $i i32)
    (local.set $u (local.get $count))
    (block $done
      (loop $lu
        (br_if $done (i32.eqz (local.get $u)))
        (local.set $u (i32.sub (local.get $u) (i32.const 1)))
        (local.set $k (i32.trunc_f64_s (f64.load (i32.add (local.get $kp) (i32.shl (local.get $u) (i32.const 3))))))
        (local.set $len (i32.sub (i32.sub (local.get $m) (local.get $k)) (i32.const 1)))
        (local.set $i (i32.const 0))
        (block $dg
          (loop $lg
            (br_if $dg (i32.ge_s (local.get $i) (local.get $len)))
            (f64.store (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 3)))
              (f64.load (i32.add (local.get $l)
                (i32.shl (i32.add (i32.mul (i32.add (i32.add (local.get $k) (i32.const 1)) (local.get $i)) (local.get $st)) (local.get $k)) (i32.const 3)))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $lg)))
        (call $rot (local.get $l) (local.get $st) (i32.add (local.get $k) (i32.const 1)) (local.get $len) (local.get $x))
        (call $compact (local.get $l) (local.get $st) (local.get $m) (local.get $k))
        (local.set $m (i32.sub (local.get $m) (i32.const 1)))
        (br $lu))))
)
