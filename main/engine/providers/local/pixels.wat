;; The local enhance's per-pixel work on interleaved 8-bit RGB, in memory the engine's main thread
;; shares with a worker (so the pixels are never copied to the worker and back). Source of
;; pixels-wasm.ts (`npm run build:wasm`); test/unit/pixels-wasm.test.ts checks the two agree and
;; that each function equals its formula computed plainly.
;;
;; sharpen: a 3x3 sharpen in place, eight channel values at a time (WebAssembly SIMD). For each
;; value c with its 3x3 neighbourhood sum s (c included, edges repeated): out = c + floor(a * (9c -
;; s)), with a in Q15 (a * 32768), clamped to 0-255: the kernel [-a ... 1+8a ... -a] libvips ran in
;; floating point at several times the cost, rounded down as its cast to 8 bits rounds.
;; curves: one 256-entry lookup table per channel, in place (also done by sharpen as it goes).
;; blockMeans: the mean of each k x k block (the last ones cut by the edges), rounded half up: what
;; a JPEG decoder's 1/k scaling gives, for the analysis, without decoding the photo a second time.
;;
;; Memory, laid out by the caller: the image (stride = 3 * width bytes a row, 16 spare bytes after
;; it), two row buffers of stride + 16 bytes, the column sums (stride + 22 i16 values), the three
;; lookup tables (768 bytes) and the block means.
(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; $luts: the tone curves to apply first, row by row as each row is first read (one pass over
  ;; the image instead of two); 0 for none (the image is at 0, so the tables never are).
  (func (export "sharpen")
    (param $img i32) (param $width i32) (param $height i32) (param $aq15 i32)
    (param $up i32) (param $mid i32) (param $sums i32) (param $luts i32)
    (local $stride i32) (local $y i32) (local $i i32) (local $row i32) (local $down i32)
    (local $swap i32) (local $c i32) (local $s i32) (local $out i32)
    (local $a v128) (local $nine v128) (local $cv v128) (local $sv v128) (local $dv v128)

    (local.set $stride (i32.mul (local.get $width) (i32.const 3)))
    (local.set $a (i16x8.splat (local.get $aq15)))
    (local.set $nine (i16x8.splat (i32.const 9)))
    ;; $up holds the original of the row above, $mid the original of this row (the image's own row
    ;; is overwritten as it goes). Row -1 is row 0 repeated.
    (if (local.get $luts) (then (call $curves (local.get $img) (local.get $stride) (local.get $luts))))
    (memory.copy (local.get $up) (local.get $img) (local.get $stride))
    (memory.copy (local.get $mid) (local.get $img) (local.get $stride))

    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $y) (local.get $height)))
        (local.set $row (i32.add (local.get $img) (i32.mul (local.get $y) (local.get $stride))))
        ;; The row below is still the original in the image; below the last row is the last row.
        (local.set $down
          (select
            (i32.add (local.get $row) (local.get $stride))
            (local.get $mid)
            (i32.lt_u (i32.add (local.get $y) (i32.const 1)) (local.get $height))))

        (if (i32.and (i32.ne (local.get $luts) (i32.const 0))
                     (i32.lt_u (i32.add (local.get $y) (i32.const 1)) (local.get $height)))
          (then (call $curves (local.get $down) (local.get $stride) (local.get $luts))))
        ;; Column sums (above + this + below), stored one pixel (3 values, 6 bytes) in. Reading 8
        ;; values past a row's end is harmless: the buffers have room and those sums are not used.
        (local.set $i (i32.const 0))
        (block $sumsDone
          (loop $sumsLoop
            (br_if $sumsDone (i32.ge_u (local.get $i) (local.get $stride)))
            (v128.store offset=6
              (i32.add (local.get $sums) (i32.shl (local.get $i) (i32.const 1)))
              (i16x8.add
                (i16x8.add
                  (v128.load8x8_u (i32.add (local.get $up) (local.get $i)))
                  (v128.load8x8_u (i32.add (local.get $mid) (local.get $i))))
                (v128.load8x8_u (i32.add (local.get $down) (local.get $i)))))
            (local.set $i (i32.add (local.get $i) (i32.const 8)))
            (br $sumsLoop)))
        ;; Edge pixels repeated: the sums left of the first pixel and right of the last.
        (i32.store16 offset=0 (local.get $sums) (i32.load16_u offset=6 (local.get $sums)))
        (i32.store16 offset=2 (local.get $sums) (i32.load16_u offset=8 (local.get $sums)))
        (i32.store16 offset=4 (local.get $sums) (i32.load16_u offset=10 (local.get $sums)))
        (local.set $s (i32.add (local.get $sums) (i32.shl (local.get $stride) (i32.const 1))))
        (i32.store16 offset=6 (local.get $s) (i32.load16_u offset=0 (local.get $s)))
        (i32.store16 offset=8 (local.get $s) (i32.load16_u offset=2 (local.get $s)))
        (i32.store16 offset=10 (local.get $s) (i32.load16_u offset=4 (local.get $s)))

        ;; Eight values at a time while all eight are in this row.
        (local.set $i (i32.const 0))
        (block $simdDone
          (loop $simdLoop
            (br_if $simdDone (i32.gt_s (i32.add (local.get $i) (i32.const 8)) (local.get $stride)))
            (local.set $s (i32.add (local.get $sums) (i32.shl (local.get $i) (i32.const 1))))
            ;; The 3x3 sum: the column sums one pixel left, here, and one pixel right.
            (local.set $sv
              (i16x8.add
                (i16x8.add (v128.load offset=0 (local.get $s)) (v128.load offset=6 (local.get $s)))
                (v128.load offset=12 (local.get $s))))
            (local.set $cv (v128.load8x8_u (i32.add (local.get $mid) (local.get $i))))
            (local.set $dv (i16x8.sub (i16x8.mul (local.get $cv) (local.get $nine)) (local.get $sv)))
            (v128.store64_lane 0
              (i32.add (local.get $row) (local.get $i))
              (i8x16.narrow_i16x8_u
                (i16x8.add_sat_s
                  (local.get $cv)
                  (i16x8.narrow_i32x4_s
                    (i32x4.shr_s (i32x4.extmul_low_i16x8_s (local.get $dv) (local.get $a)) (i32.const 15))
                    (i32x4.shr_s (i32x4.extmul_high_i16x8_s (local.get $dv) (local.get $a)) (i32.const 15))))
                (local.get $cv)))
            (local.set $i (i32.add (local.get $i) (i32.const 8)))
            (br $simdLoop)))
        ;; The last few values of the row, one at a time, with the same arithmetic.
        (block $tailDone
          (loop $tailLoop
            (br_if $tailDone (i32.ge_u (local.get $i) (local.get $stride)))
            (local.set $s (i32.add (local.get $sums) (i32.shl (local.get $i) (i32.const 1))))
            (local.set $c (i32.load8_u (i32.add (local.get $mid) (local.get $i))))
            (local.set $out
              (i32.add
                (local.get $c)
                (i32.shr_s
                  (i32.mul
                    (i32.sub
                      (i32.mul (local.get $c) (i32.const 9))
                      (i32.add
                        (i32.add (i32.load16_u offset=0 (local.get $s)) (i32.load16_u offset=6 (local.get $s)))
                        (i32.load16_u offset=12 (local.get $s))))
                    (local.get $aq15))
                  (i32.const 15))))
            (i32.store8
              (i32.add (local.get $row) (local.get $i))
              (select
                (i32.const 0)
                (select (i32.const 255) (local.get $out) (i32.gt_s (local.get $out) (i32.const 255)))
                (i32.lt_s (local.get $out) (i32.const 0))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $tailLoop)))

        ;; This row's original becomes the row above; the next row's original is copied before it
        ;; is overwritten.
        (local.set $swap (local.get $up))
        (local.set $up (local.get $mid))
        (local.set $mid (local.get $swap))
        (if (i32.lt_u (i32.add (local.get $y) (i32.const 1)) (local.get $height))
          (then (memory.copy (local.get $mid) (i32.add (local.get $row) (local.get $stride)) (local.get $stride))))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $rows)))
  )

  (func $curves (export "curves") (param $img i32) (param $length i32) (param $luts i32)
    (local $i i32) (local $at i32) (local $a i32) (local $b i32) (local $c i32)
    (block $done
      (loop $pixels
        (br_if $done (i32.gt_u (i32.add (local.get $i) (i32.const 3)) (local.get $length)))
        (local.set $at (i32.add (local.get $img) (local.get $i)))
        (i32.store8 offset=0 (local.get $at)
          (i32.load8_u offset=0 (i32.add (local.get $luts) (i32.load8_u offset=0 (local.get $at)))))
        (i32.store8 offset=1 (local.get $at)
          (i32.load8_u offset=256 (i32.add (local.get $luts) (i32.load8_u offset=1 (local.get $at)))))
        (i32.store8 offset=2 (local.get $at)
          (i32.load8_u offset=512 (i32.add (local.get $luts) (i32.load8_u offset=2 (local.get $at)))))
        (local.set $i (i32.add (local.get $i) (i32.const 3)))
        (br $pixels)))
  )

  ;; $sums: stride + 8 i16 values; $out: ceil(width / k) * ceil(height / k) pixels.
  (func (export "blockMeans")
    (param $img i32) (param $width i32) (param $height i32) (param $k i32) (param $sums i32) (param $out i32)
    (local $stride i32) (local $y i32) (local $rows i32) (local $r i32) (local $i i32) (local $row i32)
    (local $x i32) (local $cols i32) (local $j i32) (local $count i32) (local $s i32)
    (local $red i32) (local $green i32) (local $blue i32)
    (local.set $stride (i32.mul (local.get $width) (i32.const 3)))
    (block $bandsDone
      (loop $bands
        (br_if $bandsDone (i32.ge_u (local.get $y) (local.get $height)))
        (local.set $rows
          (select (local.get $k) (i32.sub (local.get $height) (local.get $y))
            (i32.le_u (local.get $k) (i32.sub (local.get $height) (local.get $y)))))
        ;; Column sums over the band's rows, eight values at a time (k <= 8 rows of <= 255 fit in
        ;; 16 bits; reading up to 7 values past a row's end is harmless, those sums are not used).
        (memory.fill (local.get $sums) (i32.const 0) (i32.shl (i32.add (local.get $stride) (i32.const 8)) (i32.const 1)))
        (local.set $r (i32.const 0))
        (block $rowsDone
          (loop $rowsLoop
            (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
            (local.set $row
              (i32.add (local.get $img) (i32.mul (i32.add (local.get $y) (local.get $r)) (local.get $stride))))
            (local.set $i (i32.const 0))
            (block $colsDone
              (loop $colsLoop
                (br_if $colsDone (i32.ge_u (local.get $i) (local.get $stride)))
                (local.set $s (i32.add (local.get $sums) (i32.shl (local.get $i) (i32.const 1))))
                (v128.store (local.get $s)
                  (i16x8.add (v128.load (local.get $s)) (v128.load8x8_u (i32.add (local.get $row) (local.get $i)))))
                (local.set $i (i32.add (local.get $i) (i32.const 8)))
                (br $colsLoop)))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $rowsLoop)))
        ;; Then each block across: its columns' sums added, divided by its pixel count.
        (local.set $x (i32.const 0))
        (block $blocksDone
          (loop $blocks
            (br_if $blocksDone (i32.ge_u (local.get $x) (local.get $width)))
            (local.set $cols
              (select (local.get $k) (i32.sub (local.get $width) (local.get $x))
                (i32.le_u (local.get $k) (i32.sub (local.get $width) (local.get $x)))))
            (local.set $red (i32.const 0))
            (local.set $green (i32.const 0))
            (local.set $blue (i32.const 0))
            (local.set $s (i32.add (local.get $sums) (i32.mul (local.get $x) (i32.const 6))))
            (local.set $j (i32.const 0))
            (block $pixelsDone
              (loop $pixels
                (br_if $pixelsDone (i32.ge_u (local.get $j) (local.get $cols)))
                (local.set $red (i32.add (local.get $red) (i32.load16_u offset=0 (local.get $s))))
                (local.set $green (i32.add (local.get $green) (i32.load16_u offset=2 (local.get $s))))
                (local.set $blue (i32.add (local.get $blue) (i32.load16_u offset=4 (local.get $s))))
                (local.set $s (i32.add (local.get $s) (i32.const 6)))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $pixels)))
            ;; round(sum / count) = floor((2 sum + count) / (2 count))
            (local.set $count (i32.shl (i32.mul (local.get $cols) (local.get $rows)) (i32.const 1)))
            (i32.store8 offset=0 (local.get $out)
              (i32.div_u (i32.add (i32.shl (local.get $red) (i32.const 1)) (i32.shr_u (local.get $count) (i32.const 1))) (local.get $count)))
            (i32.store8 offset=1 (local.get $out)
              (i32.div_u (i32.add (i32.shl (local.get $green) (i32.const 1)) (i32.shr_u (local.get $count) (i32.const 1))) (local.get $count)))
            (i32.store8 offset=2 (local.get $out)
              (i32.div_u (i32.add (i32.shl (local.get $blue) (i32.const 1)) (i32.shr_u (local.get $count) (i32.const 1))) (local.get $count)))
            (local.set $out (i32.add (local.get $out) (i32.const 3)))
            (local.set $x (i32.add (local.get $x) (local.get $k)))
            (br $blocks)))
        (local.set $y (i32.add (local.get $y) (local.get $k)))
        (br $bands)))
  )
)
