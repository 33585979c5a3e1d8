;; The gradient of a one-hot input projection, four lanes at a time (WebAssembly SIMD, f32x4):
;;
;;   dW[id_r] += dZx[r]  for every row r      dZx [N, G], ids [N] (float32 row indices), dW [D, G]
;;   db = Σ_r dZx[r]  (= Σ_id dW[id])
;;
;; Pointers are byte offsets of float32 tensors in the wasm backend's memory (imported). A
;; row's first G − G mod 4 columns are added as vectors, the rest one lane at a time (a last
;; vector overlapping the one before, as the LSTM kernels use, would add those lanes twice).
;;
;; Edit this file, then `npm run wasm` writes projection.wasm (test/scripts/wasm.test.ts checks).
(module
  (import "env" "memory" (memory 0))

  ;; to[k] += from[k] for a row of n bytes: vectors for its first `vec` bytes, then lanes
  (func $addRow (param $to i32) (param $from i32) (param $n i32) (param $vec i32)
    (local $k i32)
    (block $vecDone (loop $vectors
      (br_if $vecDone (i32.ge_u (local.get $k) (local.get $vec)))
      (v128.store (i32.add (local.get $to) (local.get $k)) (f32x4.add
        (v128.load (i32.add (local.get $to) (local.get $k)))
        (v128.load (i32.add (local.get $from) (local.get $k)))))
      (local.set $k (i32.add (local.get $k) (i32.const 16)))
      (br $vectors)))
    (block $tailDone (loop $tail
      (br_if $tailDone (i32.ge_u (local.get $k) (local.get $n)))
      (f32.store (i32.add (local.get $to) (local.get $k)) (f32.add
        (f32.load (i32.add (local.get $to) (local.get $k)))
        (f32.load (i32.add (local.get $from) (local.get $k)))))
      (local.set $k (i32.add (local.get $k) (i32.const 4)))
      (br $tail))))

  (func (export "scatter_rows")
    (param $dZx i32) (param $ids i32) (param $dW i32) (param $db i32)
    (param $N i32) (param $D i32) (param $G i32)
    (local $row i32) (local $vec i32) (local $r i32)
    (local.set $row (i32.shl (local.get $G) (i32.const 2)))                 ;; G floats, in bytes
    (local.set $vec (i32.and (local.get $row) (i32.const -16)))               ;; whole vectors, in bytes
    ;; dW = 0, then dW[id_r] += dZx[r]
    (memory.fill (local.get $dW) (i32.const 0) (i32.mul (local.get $D) (local.get $row)))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $r) (local.get $N)))
      (call $addRow
        (i32.add (local.get $dW) (i32.mul (local.get $row)                  ;; dW[id_r]
          (i32.trunc_f32_u (f32.load (i32.add (local.get $ids) (i32.shl (local.get $r) (i32.const 2)))))))
        (i32.add (local.get $dZx) (i32.mul (local.get $r) (local.get $row))) ;; dZx[r]
        (local.get $row) (local.get $vec))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows)))
    ;; db = 0, then db += dW[id] for every id
    (memory.fill (local.get $db) (i32.const 0) (local.get $row))
    (local.set $r (i32.const 0))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $r) (local.get $D)))
      (call $addRow (local.get $db) (i32.add (local.get $dW) (i32.mul (local.get $r) (local.get $row)))
        (local.get $row) (local.get $vec))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows))))
)
