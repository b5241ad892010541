;; Ten relative 10 ms sleeps: each is poll_oneoff with one clock subscription
;; (monotonic, relative timeout 10000000 ns, flags 0), timed with
;; clock_time_get(monotonic) before and after. Prints each elapsed time in
;; microseconds and then how many were shorter than 10 ms.
;; Expected: every "elapsed us" at least 10000, "early=0".
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff"
    (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get"
    (func $clock_time_get (param i32 i64 i32) (result i32)))
  (memory (export "memory") 1)
  ;; subscription (48 bytes) at 1024: userdata 1, tag 0 (clock), id 1 (monotonic),
  ;; timeout 10000000 ns (0x989680), precision 0, flags 0
  (data (i32.const 1024) "\01\00\00\00\00\00\00\00" "\00\00\00\00\00\00\00\00"
                         "\01\00\00\00\00\00\00\00" "\80\96\98\00\00\00\00\00"
                         "\00\00\00\00\00\00\00\00" "\00\00")
  (data (i32.const 4096) "elapsed us=")
  (data (i32.const 4128) "early=")
  ;; $print(msg, len, n): writes the len bytes at msg, then n (unsigned
  ;; 64-bit) in decimal, then "\n" to stdout, as one iovec (built at 300).
  (func $print (param $msg i32) (param $len i32) (param $n i64)
    (local $p i32) (local $out i32) (local $i i32)
    (local.set $p (i32.const 190))
    (loop $digit
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i64.store8 (local.get $p)
        (i64.add (i64.const 48) (i64.rem_u (local.get $n) (i64.const 10))))
      (local.set $n (i64.div_u (local.get $n) (i64.const 10)))
      (br_if $digit (i64.ne (local.get $n) (i64.const 0))))
    (local.set $out (i32.const 300))
    (block $done
      (loop $copy
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (i32.store8 (local.get $out) (i32.load8_u (i32.add (local.get $msg) (local.get $i))))
        (local.set $out (i32.add (local.get $out) (i32.const 1)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $copy)))
    (block $done
      (loop $copy
        (br_if $done (i32.ge_u (local.get $p) (i32.const 190)))
        (i32.store8 (local.get $out) (i32.load8_u (local.get $p)))
        (local.set $out (i32.add (local.get $out) (i32.const 1)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $copy)))
    (i32.store8 (local.get $out) (i32.const 10))
    (i32.store (i32.const 0) (i32.const 300))
    (i32.store (i32.const 4) (i32.sub (i32.add (local.get $out) (i32.const 1)) (i32.const 300)))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 16))))
  (func (export "_start")
    (local $i i32) (local $t0 i64) (local $d i64) (local $early i32)
    (loop $each
      (drop (call $clock_time_get (i32.const 1) (i64.const 1) (i32.const 240)))
      (local.set $t0 (i64.load (i32.const 240)))
      (drop (call $poll_oneoff (i32.const 1024) (i32.const 2048) (i32.const 1) (i32.const 208)))
      (drop (call $clock_time_get (i32.const 1) (i64.const 1) (i32.const 240)))
      (local.set $d (i64.sub (i64.load (i32.const 240)) (local.get $t0)))
      (call $print (i32.const 4096) (i32.const 11) (i64.div_u (local.get $d) (i64.const 1000)))
      (if (i64.lt_u (local.get $d) (i64.const 10000000))
        (then (local.set $early (i32.add (local.get $early) (i32.const 1)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $each (i32.lt_u (local.get $i) (i32.const 10))))
    (call $print (i32.const 4128) (i32.const 6) (i64.extend_i32_u (local.get $early)))))
