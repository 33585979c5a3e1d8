;; LSTM gate math of one step, four lanes at a time (WebAssembly SIMD, f32x4).
;;
;; The functions run on the wasm backend's own memory (imported): every pointer is the byte
;; offset of a float32 tensor there. Rows b = 0 … B−1; a [B, 4H] row holds the blocks
;; i, f, g, o of H columns each, a [B, H] row one block. The columns k … k+3 are one vector;
;; when 4 does not divide H the last vector of a row starts at H − 4 and recomputes a few
;; lanes from the same inputs (so to the same values): H ≥ 4 is required.
;;
;; V8 does not inline wasm calls, so the exponential sits once, inline, in a loop over a whole
;; span ($sigma), called once per span, never once per vector. (Calling a function of another
;; module instead made a training step 7 ms slower: measured.)
;;
;; Edit this file, then `npm run wasm` writes lstm.wasm (test/scripts/wasm.test.ts checks).
(module
  (import "env" "memory" (memory 0))

  ;; dst[j] = α σ(β src[j]) + γ for the n bytes (n/4 floats, at least 4) at src, σ(x) = 1/(1 + e^−x):
  ;;   α = 1, β = 1, γ = 0: σ(x);   α = 2, β = 2, γ = −1: tanh(x) = 2σ(2x) − 1.
  ;; e^x: x = m·ln2 + r with m = round(x / ln2), |r| ≤ ln2/2, e^x = 2^m · (1 + r + … + r⁷/7!)
  ;; (relative error < 2e-8 before rounding); x clamped to ±87, where float32 stays normal.
  ;; src = dst is allowed. When 4 does not divide n/4, the vector at the end overlaps the one
  ;; before it: it is computed first and stored last, so no lane is transformed twice.
  (func $sigma (param $src i32) (param $dst i32) (param $n i32)
    (param $alpha f32) (param $beta f32) (param $gamma f32)
    (local $j i32) (local $tail i32) (local $held v128) (local $y v128)
    (local $x v128) (local $m v128) (local $r v128) (local $p v128)
    (local $va v128) (local $vb v128) (local $vc v128)
    (local.set $va (f32x4.splat (local.get $alpha)))
    (local.set $vb (f32x4.splat (f32.neg (local.get $beta))))             ;; e^−βx
    (local.set $vc (f32x4.splat (local.get $gamma)))
    (local.set $tail (i32.and (local.get $n) (i32.const 15)))             ;; ≠ 0: an end vector
    (if (local.get $tail) (then (local.set $j (i32.sub (local.get $n) (i32.const 16)))))
    (loop $vectors
      (local.set $x (f32x4.min (f32x4.max
        (f32x4.mul (v128.load (i32.add (local.get $src) (local.get $j))) (local.get $vb))
        (v128.const f32x4 -87 -87 -87 -87)) (v128.const f32x4 87 87 87 87)))   ;; −βx
      (local.set $m (f32x4.nearest (f32x4.mul (local.get $x)
        (v128.const f32x4 1.44269504 1.44269504 1.44269504 1.44269504))))     ;; x / ln2
      ;; r = x − m·ln2, ln2 in two parts (Cody–Waite) so that m·ln2_hi is exact
      (local.set $r (f32x4.sub
        (f32x4.sub (local.get $x) (f32x4.mul (local.get $m)
          (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375)))
        (f32x4.mul (local.get $m)
          (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
      ;; Horner: p = 1 + r(1 + r(1/2 + r(1/6 + r(1/24 + r(1/120 + r(1/720 + r/5040))))))
      (local.set $p (f32x4.add (f32x4.mul (local.get $r)
        (v128.const f32x4 1.98412698e-4 1.98412698e-4 1.98412698e-4 1.98412698e-4))
        (v128.const f32x4 1.38888889e-3 1.38888889e-3 1.38888889e-3 1.38888889e-3)))
      (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r))
        (v128.const f32x4 8.33333333e-3 8.33333333e-3 8.33333333e-3 8.33333333e-3)))
      (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r))
        (v128.const f32x4 4.16666667e-2 4.16666667e-2 4.16666667e-2 4.16666667e-2)))
      (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r))
        (v128.const f32x4 0.166666667 0.166666667 0.166666667 0.166666667)))
      (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r))
        (v128.const f32x4 0.5 0.5 0.5 0.5)))
      (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r))
        (v128.const f32x4 1 1 1 1)))
      (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r))
        (v128.const f32x4 1 1 1 1)))
      ;; e^x = p · 2^m (m + 127 in the exponent bits of a float32)
      (local.set $p (f32x4.mul (local.get $p)
        (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $m)) (i32x4.splat (i32.const 127)))
          (i32.const 23))))
      ;; y = α / (1 + e^−βx) + γ
      (local.set $y (f32x4.add
        (f32x4.div (local.get $va) (f32x4.add (v128.const f32x4 1 1 1 1) (local.get $p)))
        (local.get $vc)))
      (if (local.get $tail)
        (then (local.set $held (local.get $y)) (local.set $tail (i32.const 0)) (local.set $j (i32.const 0)))
        (else (v128.store (i32.add (local.get $dst) (local.get $j)) (local.get $y))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))))
      (br_if $vectors (i32.le_s (i32.add (local.get $j) (i32.const 16)) (local.get $n))))
    (if (i32.and (local.get $n) (i32.const 15))
      (then (v128.store (i32.sub (i32.add (local.get $dst) (local.get $n)) (i32.const 16)) (local.get $held)))))

  ;; Forward step, from zx (this step's rows of Zx = X Wx + b) and u = h_{t−1} Wh:
  ;;   s = σ(zx + u) with the g block doubled, so i, f, o = s and g = tanh(z_g) = 2 s_g − 1
  ;;   c_t = f ⊙ c_{t−1} + i ⊙ g;  h_t = o ⊙ tanh(c_t)
  ;; Outputs h, c, tanhC [B, H] and s [B, 4H] (what the backward step reads).
  (func (export "lstm_step")
    (param $zx i32) (param $u i32) (param $cPrev i32)
    (param $h i32) (param $c i32) (param $tanhC i32) (param $s i32)
    (param $B i32) (param $H i32)
    (local $blk i32) (local $last i32) (local $b i32) (local $k i32) (local $q i32)
    (local $r4 i32) (local $r1 i32) (local $a i32) (local $j i32) (local $scale v128)
    (local.set $blk (i32.shl (local.get $H) (i32.const 2)))                ;; H floats, in bytes
    (local.set $last (i32.shl (i32.sub (local.get $H) (i32.const 4)) (i32.const 2)))
    ;; z = zx + u into s, the g block (q = 2) doubled
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $b) (local.get $B)))
      (local.set $q (i32.const 0))
      (loop $blocks
        (local.set $scale (select (result v128) (v128.const f32x4 2 2 2 2) (v128.const f32x4 1 1 1 1)
          (i32.eq (local.get $q) (i32.const 2))))
        ;; byte offset of block q of row b
        (local.set $r4 (i32.mul (i32.add (i32.shl (local.get $b) (i32.const 2)) (local.get $q)) (local.get $blk)))
        (local.set $k (i32.const 0))
        (loop $cols
          (if (i32.gt_u (local.get $k) (local.get $last)) (then (local.set $k (local.get $last))))
          (local.set $a (i32.add (local.get $r4) (local.get $k)))
          (v128.store (i32.add (local.get $s) (local.get $a)) (f32x4.mul (local.get $scale)
            (f32x4.add (v128.load (i32.add (local.get $zx) (local.get $a)))
              (v128.load (i32.add (local.get $u) (local.get $a))))))
          (local.set $k (i32.add (local.get $k) (i32.const 16)))
          (br_if $cols (i32.lt_u (local.get $k) (i32.add (local.get $last) (i32.const 16)))))
        (local.set $q (i32.add (local.get $q) (i32.const 1)))
        (br_if $blocks (i32.lt_u (local.get $q) (i32.const 4))))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $rows)))
    ;; s = σ(z) in place (4·B·H floats: a whole number of vectors)
    (call $sigma (local.get $s) (local.get $s) (i32.mul (i32.mul (local.get $B) (local.get $blk)) (i32.const 4))
      (f32.const 1) (f32.const 1) (f32.const 0))
    ;; c_t = f ⊙ c_{t−1} + i ⊙ g
    (local.set $b (i32.const 0))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $b) (local.get $B)))
      (local.set $r4 (i32.mul (local.get $b) (i32.shl (local.get $blk) (i32.const 2)))) ;; row of [B, 4H]
      (local.set $r1 (i32.mul (local.get $b) (local.get $blk)))                         ;; row of [B, H]
      (local.set $k (i32.const 0))
      (loop $cols
        (if (i32.gt_u (local.get $k) (local.get $last)) (then (local.set $k (local.get $last))))
        (local.set $a (i32.add (i32.add (local.get $s) (local.get $r4)) (local.get $k)))  ;; &i
        (local.set $j (i32.add (local.get $r1) (local.get $k)))
        (v128.store (i32.add (local.get $c) (local.get $j)) (f32x4.add
          (f32x4.mul (v128.load (i32.add (local.get $a) (local.get $blk)))              ;; f
            (v128.load (i32.add (local.get $cPrev) (local.get $j))))                     ;; c_{t−1}
          (f32x4.mul (v128.load (local.get $a))                                          ;; i
            (f32x4.sub (f32x4.add (v128.load (i32.add (local.get $a) (i32.shl (local.get $blk) (i32.const 1))))
              (v128.load (i32.add (local.get $a) (i32.shl (local.get $blk) (i32.const 1)))))
              (v128.const f32x4 1 1 1 1)))))                                             ;; g = 2 s_g − 1
        (local.set $k (i32.add (local.get $k) (i32.const 16)))
        (br_if $cols (i32.lt_u (local.get $k) (i32.add (local.get $last) (i32.const 16)))))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $rows)))
    ;; tanh(c_t) = 2 σ(2 c_t) − 1
    (call $sigma (local.get $c) (local.get $tanhC) (i32.mul (local.get $B) (local.get $blk))
      (f32.const 2) (f32.const 2) (f32.const -1))
    ;; h_t = o ⊙ tanh(c_t)
    (local.set $b (i32.const 0))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $b) (local.get $B)))
      (local.set $r4 (i32.mul (i32.add (i32.shl (local.get $b) (i32.const 2)) (i32.const 3)) (local.get $blk))) ;; o block
      (local.set $r1 (i32.mul (local.get $b) (local.get $blk)))
      (local.set $k (i32.const 0))
      (loop $cols
        (if (i32.gt_u (local.get $k) (local.get $last)) (then (local.set $k (local.get $last))))
        (local.set $j (i32.add (local.get $r1) (local.get $k)))
        (v128.store (i32.add (local.get $h) (local.get $j)) (f32x4.mul
          (v128.load (i32.add (local.get $s) (i32.add (local.get $r4) (local.get $k))))   ;; o
          (v128.load (i32.add (local.get $tanhC) (local.get $j)))))
        (local.set $k (i32.add (local.get $k) (i32.const 16)))
        (br_if $cols (i32.lt_u (local.get $k) (i32.add (local.get $last) (i32.const 16)))))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $rows))))

  ;; Backward step, from dh = ∂L/∂h_t, dc = ∂L/∂c_t (from step t+1) and the forward's s:
  ;;   dc  += dh ⊙ o ⊙ (1 − tanh²c_t)
  ;;   dz_i = dc ⊙ g ⊙ i(1 − i);   dz_f = dc ⊙ c_{t−1} ⊙ f(1 − f)
  ;;   dz_g = dc ⊙ i ⊙ (1 − g²);   dz_o = dh ⊙ tanh(c_t) ⊙ o(1 − o)
  ;;   dc_{t−1} = dc ⊙ f
  ;; Outputs dz [B, 4H] and dcPrev [B, H].
  (func (export "lstm_back")
    (param $dh i32) (param $dc i32) (param $s i32) (param $tanhC i32) (param $cPrev i32)
    (param $dz i32) (param $dcPrev i32)
    (param $B i32) (param $H i32)
    (local $blk i32) (local $last i32) (local $b i32) (local $k i32)
    (local $r4 i32) (local $r1 i32) (local $a i32) (local $j i32)
    (local $i v128) (local $f v128) (local $g v128) (local $o v128)
    (local $tc v128) (local $dhv v128) (local $dct v128)
    (local.set $blk (i32.shl (local.get $H) (i32.const 2)))
    (local.set $last (i32.shl (i32.sub (local.get $H) (i32.const 4)) (i32.const 2)))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $b) (local.get $B)))
      (local.set $r4 (i32.mul (local.get $b) (i32.shl (local.get $blk) (i32.const 2))))
      (local.set $r1 (i32.mul (local.get $b) (local.get $blk)))
      (local.set $k (i32.const 0))
      (loop $cols
        (if (i32.gt_u (local.get $k) (local.get $last)) (then (local.set $k (local.get $last))))
        (local.set $a (i32.add (local.get $r4) (local.get $k)))
        (local.set $j (i32.add (local.get $r1) (local.get $k)))
        (local.set $i (v128.load (i32.add (local.get $s) (local.get $a))))
        (local.set $f (v128.load (i32.add (local.get $s) (i32.add (local.get $a) (local.get $blk)))))
        (local.set $g (v128.load (i32.add (local.get $s)
          (i32.add (local.get $a) (i32.shl (local.get $blk) (i32.const 1))))))
        (local.set $g (f32x4.sub (f32x4.add (local.get $g) (local.get $g)) (v128.const f32x4 1 1 1 1))) ;; 2 s_g − 1
        (local.set $o (v128.load (i32.add (local.get $s)
          (i32.add (local.get $a) (i32.mul (local.get $blk) (i32.const 3))))))
        (local.set $tc (v128.load (i32.add (local.get $tanhC) (local.get $j))))
        (local.set $dhv (v128.load (i32.add (local.get $dh) (local.get $j))))
        ;; dc + dh ⊙ o ⊙ (1 − tanh²c_t)
        (local.set $dct (f32x4.add (v128.load (i32.add (local.get $dc) (local.get $j)))
          (f32x4.mul (f32x4.mul (local.get $dhv) (local.get $o))
            (f32x4.sub (v128.const f32x4 1 1 1 1) (f32x4.mul (local.get $tc) (local.get $tc))))))
        ;; dz_i = dc ⊙ g ⊙ i(1 − i)
        (v128.store (i32.add (local.get $dz) (local.get $a))
          (f32x4.mul (f32x4.mul (local.get $dct) (local.get $g))
            (f32x4.mul (local.get $i) (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $i)))))
        ;; dz_f = dc ⊙ c_{t−1} ⊙ f(1 − f)
        (local.set $a (i32.add (local.get $a) (local.get $blk)))
        (v128.store (i32.add (local.get $dz) (local.get $a))
          (f32x4.mul (f32x4.mul (local.get $dct) (v128.load (i32.add (local.get $cPrev) (local.get $j))))
            (f32x4.mul (local.get $f) (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $f)))))
        ;; dz_g = dc ⊙ i ⊙ (1 − g²)
        (local.set $a (i32.add (local.get $a) (local.get $blk)))
        (v128.store (i32.add (local.get $dz) (local.get $a))
          (f32x4.mul (f32x4.mul (local.get $dct) (local.get $i))
            (f32x4.sub (v128.const f32x4 1 1 1 1) (f32x4.mul (local.get $g) (local.get $g)))))
        ;; dz_o = dh ⊙ tanh(c_t) ⊙ o(1 − o)
        (local.set $a (i32.add (local.get $a) (local.get $blk)))
        (v128.store (i32.add (local.get $dz) (local.get $a))
          (f32x4.mul (f32x4.mul (local.get $dhv) (local.get $tc))
            (f32x4.mul (local.get $o) (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $o)))))
        ;; dc_{t−1} = dc ⊙ f
        (v128.store (i32.add (local.get $dcPrev) (local.get $j)) (f32x4.mul (local.get $dct) (local.get $f)))
        (local.set $k (i32.add (local.get $k) (i32.const 16)))
        (br_if $cols (i32.lt_u (local.get $k) (i32.add (local.get $last) (i32.const 16)))))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $rows))))
)
