;; clock_res_get with clock id 4, one past the last defined clockid
;; (realtime 0, monotonic 1, process_cputime_id 2, thread_cputime_id 3).
;; Expected: clock_res_get returns 28 (inval): "For unsupported clocks,
;; return errno::inval"; this program prints it and exits 0.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "wasi_snapshot_preview1" "clock_res_get"
    (func $clock_res_get (param i32 i32) (result i32)))
  (data (i32.const 4096) "clock_res_get errno=")
  (memory (export "memory") 1)
  ;; $print(msg, len, n): writes the len bytes at msg, then n in decimal,
  ;; then "\n" to stdout, as one iovec (built at 300).
  (func $print (param $msg i32) (param $len i32) (param $n i32)
    (local $p i32) (local $out i32) (local $i i32)
    (local.set $p (i32.const 160))
    (loop $digit
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p)
        (i32.add (i32.const 48) (i32.rem_u (local.get $n) (i32.const 10))))
      (local.set $n (i32.div_u (local.get $n) (i32.const 10)))
      (br_if $digit (local.get $n)))
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
        (br_if $done (i32.ge_u (local.get $p) (i32.const 160)))
        (i32.store8 (local.get $out) (i32.load8_u (local.get $p)))
        (local.set $out (i32.add (local.get $out) (i32.const 1)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $copy)))
    (i32.store8 (local.get $out) (i32.const 10))
    (i32.store (i32.const 0) (i32.const 300))
    (i32.store (i32.const 4) (i32.sub (i32.add (local.get $out) (i32.const 1)) (i32.const 300)))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 16))))
  (func (export "_start")
    ;; clock id 4, the resolution (u64) would be stored at 200
    (call $print (i32.const 4096) (i32.const 20)
      (call $clock_res_get (i32.const 4) (i32.const 200)))
    (call $proc_exit (i32.const 0)))
)
